// SPDX-License-Identifier: MIT
#include <string.h>

#include "flowcsv.h"
#include "features_info.h"
#include "output.h"

const char *ff_snap_reason_name(__u8 reason)
{
	switch (reason) {
	case FF_SNAP_CHECKPOINT: return "checkpoint";
	case FF_SNAP_FIN: return "fin";
	case FF_SNAP_IDLE: return "idle";
	case FF_SNAP_END: return "end";
	default: return "?";
	}
}

void ff_csv_header(struct ff_csv *c)
{
	int i;

	fputs("Flow ID,Src IP,Src Port,Dst IP,first_us,ts_us,reason", c->out);
	for (i = 0; i < FF_NUM_FEATURES; i++) {
		fputc(',', c->out);
		fputs(ff_feature_csv_name(i), c->out);
	}
	fputs(",Label", c->out);
	if (c->model)
		fputs(",class,score", c->out);
	fputc('\n', c->out);
}

/* Appends the decimal digits of v at p; returns the new end. Two digits
 * per division: CSV output is most of what extract spends its time on. */
static char *put_u64(char *p, __u64 v)
{
	static const char pairs[201] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char tmp[24], *t = tmp + sizeof(tmp);
	size_t n;

	while (v >= 100) {
		unsigned r = v % 100;

		v /= 100;
		*--t = pairs[2 * r + 1];
		*--t = pairs[2 * r];
	}
	if (v >= 10) {
		*--t = pairs[2 * v + 1];
		*--t = pairs[2 * v];
	} else {
		*--t = '0' + v;
	}
	n = tmp + sizeof(tmp) - t;
	memcpy(p, t, n);
	return p + n;
}

/* inet_ntop, with a fast path for IPv4 (most rows) */
static void format_addr(__u8 family, const __u8 *a, char *buf, size_t len)
{
	char *p = buf;
	int i;

	if (family != 4) {
		ff_format_addr(family, a, buf, len);
		return;
	}
	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_u64(p, a[i]);
	}
	*p = 0;
}

/* Only for the strings of bounded length below (addresses, reasons). */
static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

void ff_csv_field(FILE *out, const char *s)
{
	/* RFC 4180: a field holding a comma, a quote or a line break is
	 * quoted, and its quotes doubled */
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* The longest row part that is not free text: the Flow ID, two addresses
 * (INET6_ADDRSTRLEN 46), ports, times, the reason and every feature as
 * up to 20 digits, each with its separator. Labels and class names are
 * not in the buffer: they go straight to the stream, quoted. */
#define ROW_FIXED_MAX (3 * 2 * 64 + 8 * 24 + 16 + FF_NUM_FEATURES * 21)

void ff_csv_row(struct ff_csv *c, const struct ff_snapshot *s)
{
	const struct ff_flow_key *k = &s->key;
	const __u8 *src = s->initiator_is_b ? k->addr_b : k->addr_a;
	const __u8 *dst = s->initiator_is_b ? k->addr_a : k->addr_b;
	__u16 sport = s->initiator_is_b ? k->port_b : k->port_a;
	__u16 dport = s->initiator_is_b ? k->port_a : k->port_b;
	char sa[64], da[64], line[ROW_FIXED_MAX], *p = line;
	int i;

	format_addr(k->family, src, sa, sizeof(sa));
	format_addr(k->family, dst, da, sizeof(da));
	/* Flow ID as CICFlowMeter writes it: src-dst-sport-dport-proto */
	p = put_str(p, sa);
	*p++ = '-';
	p = put_str(p, da);
	*p++ = '-';
	p = put_u64(p, sport);
	*p++ = '-';
	p = put_u64(p, dport);
	*p++ = '-';
	p = put_u64(p, k->proto);
	if (k->frag_later)
		p = put_str(p, "-frag");
	*p++ = ',';
	p = put_str(p, sa);
	*p++ = ',';
	p = put_u64(p, sport);
	*p++ = ',';
	p = put_str(p, da);
	*p++ = ',';
	p = put_u64(p, s->first_us);
	*p++ = ',';
	p = put_u64(p, s->ts_us);
	*p++ = ',';
	p = put_str(p, ff_snap_reason_name(s->reason));
	for (i = 0; i < FF_NUM_FEATURES; i++) {
		*p++ = ',';
		if (ff_feature_cic_minus_one[i] && s->features[i] == 0)
			p = put_str(p, "-1");	/* under CIC's name, CIC's value */
		else
			p = put_u64(p, s->features[i] - ff_feature_cic_minus_one[i]);
	}
	*p++ = ',';
	fwrite(line, 1, p - line, c->out);
	if (c->labels)
		ff_csv_field(c->out, ff_labels_match(c->labels, k, s->initiator_is_b, s->first_us));
	p = line;
	if (c->model) {
		fputc(',', c->out);
		if (s->cls < c->model->n_classes)
			ff_csv_field(c->out, c->model->class_names[s->cls]);
		*p++ = ',';
		p = put_u64(p, s->score);
	}
	*p++ = '\n';
	fwrite(line, 1, p - line, c->out);
	c->rows++;
}

int ff_snapshot_cmp(const void *a, const void *b)
{
	const struct ff_snapshot *x = a, *y = b;

	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}
