// SPDX-License-Identifier: MIT
/* Labelled flow tables from CSV files: see dataset.h and docs/training.md. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errmsg.h"
#include "dataset.h"
#include "features_info.h"

#define DS_MAX_CLASSES 1024	/* more distinct labels: surely the wrong column */
#define PROGRESS_EVERY 200000


/* ------------------------------------------------------------------ CSV */

struct csv {
	FILE *f;
	const char *path;
	char *line;
	size_t line_cap;
	char *rec;		/* one record, possibly several physical lines */
	size_t rec_len, rec_cap;
	char **fld;
	size_t n_fld, fld_cap;
	size_t lineno;		/* physical line where the current record starts */
	size_t lines;		/* physical lines read so far */
};

static int csv_open(struct csv *c, const char *path, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->f = fopen(path, "r");
	if (!c->f)
		return ff_fail(err, errlen, "%s: %s", path, strerror(errno));
	return 0;
}

static void csv_close(struct csv *c)
{
	if (c->f)
		fclose(c->f);
	free(c->line);
	free(c->rec);
	free(c->fld);
	memset(c, 0, sizeof(*c));
}

static int rec_append(struct csv *c, const char *s, size_t n)
{
	if (c->rec_len + n + 1 > c->rec_cap) {
		size_t cap = c->rec_cap ? c->rec_cap : 4096;
		char *p;

		while (cap < c->rec_len + n + 1)
			cap *= 2;
		p = realloc(c->rec, cap);
		if (!p)
			return -1;
		c->rec = p;
		c->rec_cap = cap;
	}
	memcpy(c->rec + c->rec_len, s, n);
	c->rec_len += n;
	c->rec[c->rec_len] = 0;
	return 0;
}

/* An odd number of quote characters so far: a quoted field goes on. */
static int quotes_open(const char *s, size_t n)
{
	size_t i, q = 0;

	for (i = 0; i < n; i++)
		q += s[i] == '"';
	return q & 1;
}

static int fld_push(struct csv *c, char *s)
{
	if (c->n_fld == c->fld_cap) {
		size_t cap = c->fld_cap ? c->fld_cap * 2 : 128;
		char **p = realloc(c->fld, cap * sizeof(*p));

		if (!p)
			return -1;
		c->fld = p;
		c->fld_cap = cap;
	}
	c->fld[c->n_fld++] = s;
	return 0;
}

/* Split the record in place into fields (RFC 4180 quoting). */
static int csv_split(struct csv *c, char *err, size_t errlen)
{
	char *p = c->rec, *end = c->rec + c->rec_len;

	c->n_fld = 0;
	for (;;) {
		char *start = p, *out = p, next;

		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p >= end)
					return ff_fail(err, errlen, "%s:%zu: unterminated quoted field",
						    c->path, c->lineno);
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*out++ = *p++;
			}
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p < end && *p != ',')
				return ff_fail(err, errlen,
					    "%s:%zu: field %zu: text after the closing quote",
					    c->path, c->lineno, c->n_fld + 1);
		} else {
			while (p < end && *p != ',')
				p++;
			out = p;
		}
		next = p < end ? *p : 0;
		*out = 0;
		if (fld_push(c, start))
			return ff_fail(err, errlen, "out of memory");
		if (next != ',')
			break;
		p++;
	}
	return 0;
}

/* 1: a record is in c->fld; 0: end of file; -1: error. Blank lines are
 * skipped; a UTF-8 byte-order mark at the start of the file is dropped. */
static int csv_next(struct csv *c, char *err, size_t errlen)
{
	for (;;) {
		ssize_t n = getline(&c->line, &c->line_cap, c->f);

		if (n < 0) {
			if (ferror(c->f))
				return ff_fail(err, errlen, "%s: read error: %s", c->path, strerror(errno));
			return 0;
		}
		c->lines++;
		c->lineno = c->lines;
		c->rec_len = 0;
		if (rec_append(c, c->line, n))
			return ff_fail(err, errlen, "out of memory");
		if (c->lines == 1 && c->rec_len >= 3 && (unsigned char)c->rec[0] == 0xef &&
		    (unsigned char)c->rec[1] == 0xbb && (unsigned char)c->rec[2] == 0xbf) {
			memmove(c->rec, c->rec + 3, c->rec_len - 2);
			c->rec_len -= 3;
		}
		while (quotes_open(c->rec, c->rec_len)) {
			n = getline(&c->line, &c->line_cap, c->f);
			if (n < 0)
				return ff_fail(err, errlen,
					    "%s:%zu: unterminated quoted field (runs to the end of the file)",
					    c->path, c->lineno);
			c->lines++;
			if (rec_append(c, c->line, n))
				return ff_fail(err, errlen, "out of memory");
		}
		if (c->rec_len && c->rec[c->rec_len - 1] == '\n')
			c->rec[--c->rec_len] = 0;
		if (c->rec_len && c->rec[c->rec_len - 1] == '\r')
			c->rec[--c->rec_len] = 0;
		if (c->rec_len == 0)
			continue;
		if (csv_split(c, err, errlen))
			return -1;
		return 1;
	}
}

/* Trim spaces in place; returns the start. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return s;
}

/* ------------------------------------------------------------- numbers */

#define MAX_DIGITS 48

int ff_parse_scaled(const char *s, int pow10, __u64 *out)
{
	char d[MAX_DIGITS];
	int nd = 0, neg = 0, any = 0;
	long exp10 = 0, e = 0, E, keep, i;
	const char *p = s, *end;
	__u64 v = 0;

	*out = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (p == end)
		return 0;			/* empty: 0 */
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((end - p == 3 && !strncasecmp(p, "nan", 3)) ||
	    (end - p == 3 && !strncasecmp(p, "inf", 3)) ||
	    (end - p == 8 && !strncasecmp(p, "infinity", 8)))
		return 0;			/* NaN, +-Infinity: 0 */
	for (; p < end && isdigit((unsigned char)*p); p++) {
		any = 1;
		if (nd == 0 && *p == '0')
			continue;
		if (nd < MAX_DIGITS)
			d[nd++] = *p - '0';
		else
			exp10++;
	}
	if (p < end && *p == '.') {
		for (p++; p < end && isdigit((unsigned char)*p); p++) {
			any = 1;
			if (nd == 0 && *p == '0') {
				exp10--;
				continue;
			}
			if (nd < MAX_DIGITS) {
				d[nd++] = *p - '0';
				exp10--;
			}
			/* digits past MAX_DIGITS cannot change the floor of a
			 * value below 2^64 scaled by at most 10^18 */
		}
	}
	if (!any)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0, edig = 0;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end && isdigit((unsigned char)*p); p++) {
			edig = 1;
			if (e < 100000)
				e = e * 10 + (*p - '0');
		}
		if (!edig)
			return -1;
		if (eneg)
			e = -e;
	}
	if (p != end)
		return -1;
	if (neg || nd == 0)
		return 0;			/* negative or zero: 0 */
	/* value = d[0..nd) x 10^E; keep the digits left of the decimal point */
	E = exp10 + e + pow10;
	keep = nd + E;
	if (keep <= 0)
		return 0;
	if (keep > 20) {
		*out = ~0ULL;
		return 0;
	}
	for (i = 0; i < keep; i++) {
		__u64 digit = i < nd ? (__u64)d[i] : 0;

		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, digit, &v)) {
			*out = ~0ULL;
			return 0;
		}
	}
	*out = v;
	return 0;
}

/* ------------------------------------------------------ column mapping */

static const char *const identifying[] = {
	"id", "Flow ID", "Src IP", "Src Port", "Dst IP", "Timestamp",
	"first_us", "ts_us", "reason", "Label", "attack_cat", "label",
	"class", "score", "Attempted Category",
};

int ff_dataset_is_identifying(const char *col)
{
	size_t i;

	for (i = 0; i < FF_ARRAY_SIZE(identifying); i++)
		if (!strcasecmp(col, identifying[i]))
			return 1;
	return 0;
}

/* CONV_PLUS1: CIC's ICMP Code and Type, -1 for "not ICMP", are the
 * feature's value - 1. */
enum { CONV_NUM, CONV_PROTO, CONV_PLUS1 };

/* UNSW-NB15 columns with an exact kernel counterpart; pow10 converts the
 * unit (seconds -> microseconds). */
static const struct {
	const char *name;
	int fid;
	int pow10;
	int conv;
} unsw_map[] = {
	{ "dur", FF_F_FLOW_DURATION, 6, CONV_NUM },
	{ "spkts", FF_F_FWD_PKTS, 0, CONV_NUM },
	{ "dpkts", FF_F_BWD_PKTS, 0, CONV_NUM },
	{ "sbytes", FF_F_FWD_WIRE_BYTES, 0, CONV_NUM },
	{ "dbytes", FF_F_BWD_WIRE_BYTES, 0, CONV_NUM },
	{ "sttl", FF_F_FWD_TTL, 0, CONV_NUM },
	{ "dttl", FF_F_BWD_TTL, 0, CONV_NUM },
	{ "swin", FF_F_FWD_INIT_WIN, 0, CONV_NUM },
	{ "dwin", FF_F_BWD_INIT_WIN, 0, CONV_NUM },
	{ "synack", FF_F_TCP_SYNACK, 6, CONV_NUM },
	{ "ackdat", FF_F_TCP_ACKDAT, 6, CONV_NUM },
	{ "proto", FF_F_PROTOCOL, 0, CONV_PROTO },
};

/* IP protocol keywords as UNSW-NB15 writes them. Names such as "unas",
 * "any" or "arp" have no IP protocol number. */
static const struct {
	const char *name;
	int num;
} proto_names[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
	{ "esp", 50 }, { "ah", 51 }, { "ipv6-icmp", 58 }, { "ospf", 89 }, { "sctp", 132 },
};

struct src {
	int col;		/* CSV column, -1 if absent */
	int pow10;
	int conv;
};

struct file_map {
	char **header;		/* copies of the column names */
	size_t n_header;
	struct src src[FF_NUM_FEATURES];
	int label;		/* label column */
};

struct name_count {
	char name[32];
	size_t n;
};

struct loader {
	const struct ff_dataset_opts *o;
	char *err;
	size_t errlen;
	struct file_map *maps;
	unsigned n_paths;
	const char *const *paths;
	char *left_out;		/* growing ", "-joined list */
	size_t left_len, left_cap;
	int col_conv[FF_MAX_FEATURES];	/* per dataset column */
	/* proto names with no number, by count */
	struct name_count unknown_proto[256];
	size_t unknown_proto_rows, unknown_proto_other;
	int proto_col;		/* dataset column fed by a name->number proto, or -1 */
	int proto_required;	/* protocol named by --features (or a fixed list) */
};

static int left_out_add(struct loader *L, const char *name)
{
	size_t n = strlen(name);

	/* the same header in several files: list each name once */
	if (L->left_out) {
		const char *p = L->left_out;

		while (p && *p) {
			const char *q = strstr(p, ", ");
			size_t len = q ? (size_t)(q - p) : strlen(p);

			if (len == n && !strncmp(p, name, n))
				return 0;
			p = q ? q + 2 : NULL;
		}
	}
	if (L->left_len + n + 3 > L->left_cap) {
		size_t cap = L->left_cap ? L->left_cap * 2 : 256;
		char *p;

		while (cap < L->left_len + n + 3)
			cap *= 2;
		p = realloc(L->left_out, cap);
		if (!p)
			return -1;
		L->left_out = p;
		L->left_cap = cap;
	}
	if (L->left_len) {
		memcpy(L->left_out + L->left_len, ", ", 2);
		L->left_len += 2;
	}
	memcpy(L->left_out + L->left_len, name, n);
	L->left_len += n;
	L->left_out[L->left_len] = 0;
	return 0;
}

static int find_label(const struct file_map *fm, const char *want)
{
	size_t j;
	int hit = -1, hits = 0;

	for (j = 0; j < fm->n_header; j++)
		if (!strcmp(fm->header[j], want))
			return j;
	for (j = 0; j < fm->n_header; j++)
		if (!strcasecmp(fm->header[j], want)) {
			hit = j;
			hits++;
		}
	return hits == 1 ? hit : -1;
}

static int read_header(struct loader *L, unsigned fi, struct csv *c)
{
	struct file_map *fm = &L->maps[fi];
	const struct ff_cic_column *cic;
	int rc, fid;
	size_t j, k;

	rc = csv_next(c, L->err, L->errlen);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return ff_fail(L->err, L->errlen, "%s: empty file (no header line)", c->path);
	fm->n_header = c->n_fld;
	fm->header = calloc(c->n_fld, sizeof(char *));
	if (!fm->header)
		return ff_fail(L->err, L->errlen, "out of memory");
	for (j = 0; j < c->n_fld; j++) {
		fm->header[j] = strdup(trim(c->fld[j]));
		if (!fm->header[j])
			return ff_fail(L->err, L->errlen, "out of memory");
	}
	for (fid = 0; fid < FF_NUM_FEATURES; fid++)
		fm->src[fid].col = -1;
	for (j = 0; j < fm->n_header; j++) {
		const char *name = fm->header[j];
		int pow10 = 0, conv = CONV_NUM;

		if (ff_dataset_is_identifying(name))
			continue;
		cic = ff_cic_column_find(name);
		if (cic && cic->fid >= 0 && !cic->mapped) {
			/* CIC's column, another definition: never under its name */
			char buf[300];

			snprintf(buf, sizeof(buf), "%s (not CIC's definition: %s)", name, cic->why);
			if (left_out_add(L, buf))
				return ff_fail(L->err, L->errlen, "out of memory");
			continue;
		}
		if (cic && cic->minus_one)
			conv = CONV_PLUS1;
		fid = ff_feature_lookup(name);
		if (fid < 0)
			for (k = 0; k < FF_ARRAY_SIZE(unsw_map); k++)
				if (!strcmp(name, unsw_map[k].name)) {
					fid = unsw_map[k].fid;
					pow10 = unsw_map[k].pow10;
					conv = unsw_map[k].conv;
					break;
				}
		if (fid < 0) {
			if (left_out_add(L, name))
				return ff_fail(L->err, L->errlen, "out of memory");
			continue;
		}
		if (fm->src[fid].col >= 0) {
			char buf[200];

			snprintf(buf, sizeof(buf), "%s (a second column for %s)", name,
				 ff_feature_table[fid].name);
			if (left_out_add(L, buf))
				return ff_fail(L->err, L->errlen, "out of memory");
			continue;
		}
		fm->src[fid].col = j;
		fm->src[fid].pow10 = pow10;
		fm->src[fid].conv = conv;
	}
	return 0;
}

static int pick_label(struct loader *L, struct ff_dataset *ds)
{
	const struct file_map *fm0 = &L->maps[0];
	unsigned fi;

	if (L->o->label_column) {
		if (strlen(L->o->label_column) >= sizeof(ds->label_column))
			return ff_fail(L->err, L->errlen, "label column name too long");
		strcpy(ds->label_column, L->o->label_column);
	} else {
		static const char *const defaults[] = { "Label", "attack_cat", "label" };
		size_t k, j;

		for (k = 0; k < FF_ARRAY_SIZE(defaults) && !ds->label_column[0]; k++)
			for (j = 0; j < fm0->n_header; j++)
				if (!strcmp(fm0->header[j], defaults[k])) {
					strcpy(ds->label_column, defaults[k]);
					break;
				}
		if (!ds->label_column[0])
			return ff_fail(L->err, L->errlen,
				    "%s: no label column (looked for Label, attack_cat, label); name one with --label-column",
				    L->paths[0]);
	}
	for (fi = 0; fi < L->n_paths; fi++) {
		struct file_map *fm = &L->maps[fi];

		fm->label = find_label(fm, ds->label_column);
		if (fm->label < 0)
			return ff_fail(L->err, L->errlen, "%s: no label column \"%s\"", L->paths[fi],
				    ds->label_column);
	}
	return 0;
}

/* A feature class by name ("behaviour", "behavior", "fingerprint"): 1 for
 * the fingerprints, 0 for the behaviours, -1 for neither. */
static int feature_class_word(const char *name)
{
	if (!strcasecmp(name, "fingerprint") || !strcasecmp(name, "fingerprints"))
		return 1;
	if (!strcasecmp(name, "behaviour") || !strcasecmp(name, "behavior"))
		return 0;
	return -1;
}

/*
 * Parse a feature list (names and classes) into want[]: 2 for a feature
 * named (every file must have it), 1 for one of a class named (taken if
 * every file has it). `what` names the option in errors.
 */
static int parse_feature_list(struct loader *L, const char *what, const char *list,
			      int want[FF_NUM_FEATURES])
{
	char *copy = strdup(list), *tok, *save = NULL;
	int n = 0, fid;

	if (!copy)
		return ff_fail(L->err, L->errlen, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *name = trim(tok);
		int cls;

		if (!*name)
			continue;
		n++;
		cls = feature_class_word(name);
		if (cls >= 0) {
			for (fid = 0; fid < FF_NUM_FEATURES; fid++)
				if (!!ff_feature_fingerprint(fid) == cls && !want[fid])
					want[fid] = 1;
			continue;
		}
		fid = ff_feature_lookup(name);
		if (fid < 0) {
			ff_fail(L->err, L->errlen,
				"%s: unknown feature \"%s\" (a name of `flowforest features`, "
				"behaviour or fingerprint)", what, name);
			free(copy);
			return -1;
		}
		want[fid] = 2;
	}
	free(copy);
	if (!n)
		return ff_fail(L->err, L->errlen, "%s: empty list", what);
	return 0;
}

static int select_columns(struct loader *L, struct ff_dataset *ds)
{
	int want[FF_NUM_FEATURES] = { 0 }, fid;
	unsigned fi, i;

	if (L->o->feature_ids && L->o->n_feature_ids) {
		for (i = 0; i < L->o->n_feature_ids; i++) {
			if (L->o->feature_ids[i] >= FF_NUM_FEATURES)
				return ff_fail(L->err, L->errlen, "bad feature id %u", L->o->feature_ids[i]);
			want[L->o->feature_ids[i]] = 2;
		}
	} else if (L->o->features && strcmp(L->o->features, "auto")) {
		if (parse_feature_list(L, "--features", L->o->features, want))
			return -1;
	} else {
		for (fid = 0; fid < FF_NUM_FEATURES; fid++)
			want[fid] = 1;
	}
	if (L->o->exclude) {
		int out[FF_NUM_FEATURES] = { 0 };

		if (parse_feature_list(L, "--exclude-features", L->o->exclude, out))
			return -1;
		for (fid = 0; fid < FF_NUM_FEATURES; fid++)
			if (out[fid])
				want[fid] = 0;
	}
	L->proto_required = want[FF_F_PROTOCOL] == 2;
	for (fid = 0; fid < FF_NUM_FEATURES; fid++) {
		int present = 0;

		if (!want[fid])
			continue;
		for (fi = 0; fi < L->n_paths; fi++)
			present += L->maps[fi].src[fid].col >= 0;
		if (present == (int)L->n_paths) {
			ds->feat[ds->n_cols++] = fid;
			continue;
		}
		if (want[fid] == 2) {
			for (fi = 0; fi < L->n_paths; fi++)
				if (L->maps[fi].src[fid].col < 0)
					break;
			return ff_fail(L->err, L->errlen, "%s: no column for feature %s%s%s%s",
				    L->paths[fi], ff_feature_table[fid].name,
				    ff_feature_table[fid].cic[0] ? " (CIC \"" : "",
				    ff_feature_table[fid].cic,
				    ff_feature_table[fid].cic[0] ? "\")" : "");
		}
		if (present) {
			/* in some files only: cannot be a column of the matrix */
			char buf[160];

			for (fi = 0; fi < L->n_paths; fi++)
				if (L->maps[fi].src[fid].col < 0)
					break;
			snprintf(buf, sizeof(buf), "%s (missing in %s)", ff_feature_table[fid].name,
				 L->paths[fi]);
			if (left_out_add(L, buf))
				return ff_fail(L->err, L->errlen, "out of memory");
		}
	}
	if (ds->n_cols == 0)
		return ff_fail(L->err, L->errlen,
			    "%s: no column matches a kernel feature%s (see `flowforest features`)",
			    L->paths[0], L->o->exclude ? " that is not excluded" : "");
	L->proto_col = -1;
	for (i = 0; i < ds->n_cols; i++) {
		L->col_conv[i] = L->maps[0].src[ds->feat[i]].conv;
		for (fi = 1; fi < L->n_paths; fi++)
			if (L->maps[fi].src[ds->feat[i]].conv == CONV_PROTO)
				L->col_conv[i] = CONV_PROTO;
		if (L->col_conv[i] == CONV_PROTO)
			L->proto_col = i;
	}
	return 0;
}

static int ensure_rows(struct ff_dataset *ds, size_t need)
{
	size_t cap;
	unsigned c;

	if (need <= ds->cap)
		return 0;
	cap = ds->cap ? ds->cap * 2 : 4096;
	while (cap < need)
		cap *= 2;
	for (c = 0; c < ds->n_cols; c++) {
		__u64 *p = realloc(ds->col[c], cap * sizeof(__u64));

		if (!p)
			return -1;
		ds->col[c] = p;
	}
	{
		__u32 *p = realloc(ds->y, cap * sizeof(__u32));

		if (!p)
			return -1;
		ds->y = p;
		p = realloc(ds->line, cap * sizeof(__u32));
		if (!p)
			return -1;
		ds->line = p;
	}
	ds->cap = cap;
	return 0;
}

int ff_dataset_class_lookup(const struct ff_dataset *ds, const char *name)
{
	unsigned i;

	for (i = 0; i < ds->n_classes; i++)
		if (!strcmp(ds->class_names[i], name))
			return i;
	return -1;
}

static int class_index(struct ff_dataset *ds, const char *name)
{
	int k = ff_dataset_class_lookup(ds, name);
	char **p;

	if (k >= 0)
		return k;
	if (ds->n_classes == DS_MAX_CLASSES)
		return -2;
	p = realloc(ds->class_names, (ds->n_classes + 1) * sizeof(*p));
	if (!p)
		return -1;
	ds->class_names = p;
	p[ds->n_classes] = strdup(name);
	if (!p[ds->n_classes])
		return -1;
	return ds->n_classes++;
}

static void proto_unknown(struct loader *L, const char *name)
{
	size_t i;

	L->unknown_proto_rows++;
	for (i = 0; i < FF_ARRAY_SIZE(L->unknown_proto); i++) {
		if (!L->unknown_proto[i].n) {
			snprintf(L->unknown_proto[i].name, sizeof(L->unknown_proto[i].name), "%s", name);
			L->unknown_proto[i].n = 1;
			return;
		}
		if (!strcmp(L->unknown_proto[i].name, name)) {
			L->unknown_proto[i].n++;
			return;
		}
	}
	L->unknown_proto_other++;
}

static int convert(struct loader *L, int conv, const char *text, int pow10, __u64 *out)
{
	size_t k;

	if (conv == CONV_PROTO) {
		const char *t = text;

		while (*t == ' ')
			t++;
		if (!ff_parse_scaled(t, 0, out))
			return 0;
		for (k = 0; k < FF_ARRAY_SIZE(proto_names); k++)
			if (!strcasecmp(t, proto_names[k].name)) {
				*out = proto_names[k].num;
				return 0;
			}
		*out = 0;
		proto_unknown(L, t);
		return 0;
	}
	if (conv == CONV_PLUS1) {
		const char *t = text;

		while (*t == ' ' || *t == '\t')
			t++;
		if (*t == '-') {	/* -1: not ICMP, the feature's 0 */
			if (ff_parse_scaled(t + 1, 0, out) || *out != 1)
				return -1;
			*out = 0;
			return 0;
		}
		if (ff_parse_scaled(t, 0, out))
			return -1;
		*out += *out < ~0ULL;
		return 0;
	}
	return ff_parse_scaled(text, pow10, out);
}

static int cmp_count_desc(const void *a, const void *b)
{
	const struct name_count *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

/* Remove dataset column `c` (after loading). */
static void drop_column(struct ff_dataset *ds, unsigned c)
{
	free(ds->col[c]);
	memmove(&ds->col[c], &ds->col[c + 1], (ds->n_cols - c - 1) * sizeof(ds->col[0]));
	memmove(&ds->feat[c], &ds->feat[c + 1], (ds->n_cols - c - 1) * sizeof(ds->feat[0]));
	ds->n_cols--;
	ds->col[ds->n_cols] = NULL;
}

static int finish_proto(struct loader *L, struct ff_dataset *ds, int explicit)
{
	char msg[600];
	size_t i, len;

	if (L->proto_col < 0 || !L->unknown_proto_rows)
		return 0;
	qsort(L->unknown_proto, FF_ARRAY_SIZE(L->unknown_proto), sizeof(L->unknown_proto[0]),
	      cmp_count_desc);
	len = snprintf(msg, sizeof(msg),
		       "%zu rows have protocol names with no IP protocol number (",
		       L->unknown_proto_rows);
	for (i = 0; i < 8 && L->unknown_proto[i].n && len < sizeof(msg); i++)
		len += snprintf(msg + len, sizeof(msg) - len, "%s%s %zu", i ? ", " : "",
				L->unknown_proto[i].name, L->unknown_proto[i].n);
	if (len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len, "%s)",
			 L->unknown_proto_other || (i == 8 && L->unknown_proto[8].n) ? ", ..." : "");
	if (explicit)
		return ff_fail(L->err, L->errlen, "feature protocol: %s", msg);
	if (L->o->log)
		fprintf(L->o->log, "dataset: column \"proto\" left out: %s\n", msg);
	if (left_out_add(L, "proto (protocol names with no number)"))
		return ff_fail(L->err, L->errlen, "out of memory");
	drop_column(ds, L->proto_col);
	return 0;
}

static int load_rows(struct loader *L, struct ff_dataset *ds, unsigned fi, struct csv *c)
{
	const struct file_map *fm = &L->maps[fi];
	struct ff_ds_file *df = &ds->files[fi];
	size_t since = 0;
	unsigned k;
	int rc;

	while ((rc = csv_next(c, L->err, L->errlen)) > 0) {
		size_t r = ds->n_rows;
		char *label;
		int cls;

		if (c->n_fld != fm->n_header)
			return ff_fail(L->err, L->errlen, "%s:%zu: %zu fields, the header has %zu",
				    c->path, c->lineno, c->n_fld, fm->n_header);
		label = trim(c->fld[fm->label]);
		if (!*label) {
			df->unlabelled++;
			continue;
		}
		if (ensure_rows(ds, r + 1))
			return ff_fail(L->err, L->errlen, "out of memory at row %zu", r);
		for (k = 0; k < ds->n_cols; k++) {
			const struct src *s = &fm->src[ds->feat[k]];

			if (convert(L, s->conv, c->fld[s->col], s->pow10, &ds->col[k][r]))
				return ff_fail(L->err, L->errlen,
					    "%s:%zu: column \"%s\": \"%s\" is not a number",
					    c->path, c->lineno, fm->header[s->col], c->fld[s->col]);
		}
		cls = class_index(ds, label);
		if (cls == -2)
			return ff_fail(L->err, L->errlen,
				    "%s:%zu: label column \"%s\" has more than %d distinct values; is it the label?",
				    c->path, c->lineno, ds->label_column, DS_MAX_CLASSES);
		if (cls < 0)
			return ff_fail(L->err, L->errlen, "out of memory");
		ds->y[r] = cls;
		ds->line[r] = c->lineno;
		ds->n_rows++;
		df->rows++;
		if (L->o->log && ++since == PROGRESS_EVERY) {
			since = 0;
			fprintf(L->o->log, "loading %s: %zu rows...\n", c->path, df->rows);
		}
	}
	if (rc < 0)
		return -1;
	if (L->o->log)
	{
		if (df->unlabelled)
			fprintf(L->o->log, "loaded %s: %zu rows (%zu rows with an empty label skipped)\n",
				c->path, df->rows, df->unlabelled);
		else
			fprintf(L->o->log, "loaded %s: %zu rows\n", c->path, df->rows);
	}
	return 0;
}

int ff_dataset_load(struct ff_dataset *ds, const char *const *paths,
		    unsigned n_paths, const struct ff_dataset_opts *o, char *err,
		    size_t errlen)
{
	struct ff_dataset_opts defaults = { 0 };
	struct loader L = { 0 };
	struct csv c = { 0 };
	unsigned fi;
	size_t j;
	int rc = -1;

	memset(ds, 0, sizeof(*ds));
	if (!o)
		o = &defaults;
	if (n_paths == 0)
		return ff_fail(err, errlen, "no CSV file given");
	L.o = o;
	L.err = err;
	L.errlen = errlen;
	L.paths = paths;
	L.n_paths = n_paths;
	L.maps = calloc(n_paths, sizeof(*L.maps));
	ds->files = calloc(n_paths, sizeof(*ds->files));
	if (!L.maps || !ds->files) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	ds->n_files = n_paths;
	for (fi = 0; fi < n_paths; fi++) {
		ds->files[fi].path = strdup(paths[fi]);
		if (!ds->files[fi].path) {
			ff_fail(err, errlen, "out of memory");
			goto out;
		}
		if (csv_open(&c, paths[fi], err, errlen))
			goto out;
		if (read_header(&L, fi, &c))
			goto out;
		csv_close(&c);
	}
	if (pick_label(&L, ds) || select_columns(&L, ds))
		goto out;
	if (ensure_rows(ds, 1)) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	for (fi = 0; fi < n_paths; fi++) {
		if (csv_open(&c, paths[fi], err, errlen))
			goto out;
		if (csv_next(&c, err, errlen) < 0 || load_rows(&L, ds, fi, &c))
			goto out;
		csv_close(&c);
	}
	if (finish_proto(&L, ds, L.proto_required))
		goto out;
	if (ds->n_rows == 0) {
		ff_fail(err, errlen, "%s%s: no labelled rows", paths[0], n_paths > 1 ? " ..." : "");
		goto out;
	}
	if (L.left_out && o->log)
		fprintf(o->log, "dataset: left out (no kernel feature): %s\n", L.left_out);
	ds->left_out = L.left_out;
	L.left_out = NULL;
	rc = 0;
out:
	csv_close(&c);
	for (fi = 0; fi < n_paths && L.maps; fi++) {
		for (j = 0; j < L.maps[fi].n_header; j++)
			free(L.maps[fi].header[j]);
		free(L.maps[fi].header);
	}
	free(L.maps);
	free(L.left_out);
	if (rc)
		ff_dataset_free(ds);
	return rc;
}

void ff_dataset_free(struct ff_dataset *ds)
{
	unsigned i;

	for (i = 0; i < FF_MAX_FEATURES; i++)
		free(ds->col[i]);
	free(ds->y);
	free(ds->line);
	for (i = 0; i < ds->n_classes; i++)
		free(ds->class_names[i]);
	free(ds->class_names);
	for (i = 0; i < ds->n_files; i++)
		free(ds->files[i].path);
	free(ds->files);
	free(ds->left_out);
	memset(ds, 0, sizeof(*ds));
}

int ff_dataset_col_of(const struct ff_dataset *ds, unsigned fid)
{
	unsigned c;

	for (c = 0; c < ds->n_cols; c++)
		if (ds->feat[c] == fid)
			return c;
	return -1;
}

void ff_dataset_row(const struct ff_dataset *ds, size_t r, __u64 out[FF_MAX_FEATURES])
{
	unsigned c;

	memset(out, 0, FF_MAX_FEATURES * sizeof(__u64));
	for (c = 0; c < ds->n_cols; c++)
		out[ds->feat[c]] = ds->col[c][r];
}

void ff_dataset_row_origin(const struct ff_dataset *ds, size_t r, char *buf, size_t len)
{
	size_t base = 0;
	unsigned fi;

	for (fi = 0; fi < ds->n_files; fi++) {
		if (r < base + ds->files[fi].rows) {
			snprintf(buf, len, "%s:%u", ds->files[fi].path, ds->line[r]);
			return;
		}
		base += ds->files[fi].rows;
	}
	snprintf(buf, len, "row %zu", r);
}
