// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "labels.h"
#include "lines.h"
#include "numparse.h"

int ff_cidr_parse(const char *s, struct ff_cidr *c)
{
	char buf[80], *slash, *end;
	long plen;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	memset(c, 0, sizeof(*c));
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = 4;
		plen = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = 6;
		plen = 128;
	} else {
		return -1;
	}
	if (slash) {
		long max = plen;

		errno = 0;
		plen = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || plen < 0 || plen > max)
			return -1;
	}
	c->plen = plen;
	return 0;
}

int ff_cidr_match(const struct ff_cidr *c, __u8 family, const __u8 *addr)
{
	int full = c->plen / 8, rest = c->plen % 8;

	if (c->family != family)
		return 0;
	if (memcmp(c->addr, addr, full))
		return 0;
	if (rest) {
		__u8 mask = 0xff << (8 - rest);

		if ((c->addr[full] & mask) != (addr[full] & mask))
			return 0;
	}
	return 1;
}

static int parse_port(const char *v, int *out)
{
	unsigned long long p;

	if (ff_parse_uint(v, 0, 65535, &p))
		return -1;
	*out = p;
	return 0;
}

static int parse_proto(const char *v, int *out)
{
	static const struct { const char *n; int p; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 },
	};
	unsigned long long p;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(v, names[i].n)) {
			*out = names[i].p;
			return 0;
		}
	if (ff_parse_uint(v, 0, 255, &p))
		return -1;
	*out = p;
	return 0;
}

#define MAX_UNIX_SECONDS 1e11	/* the year 5138: microseconds fit 64 bits */

/* FROM-TO in Unix seconds; the dash that separates them is the first one
 * not part of an exponent ("1e-3-5" is 0.001 to 5). */
static int parse_time(const char *v, __u64 *from, __u64 *to)
{
	char a_txt[64];
	const char *dash;
	double a, b;

	for (dash = v + 1; *dash && !(dash[0] == '-' && dash[-1] != 'e' && dash[-1] != 'E');
	     dash++)
		;
	if (!*dash || (size_t)(dash - v) >= sizeof(a_txt))
		return -1;
	memcpy(a_txt, v, dash - v);
	a_txt[dash - v] = 0;
	if (ff_parse_real(a_txt, 0, MAX_UNIX_SECONDS, &a) ||
	    ff_parse_real(dash + 1, a, MAX_UNIX_SECONDS, &b))
		return -1;
	*from = (__u64)(a * 1e6);
	*to = (__u64)(b * 1e6);
	return 0;
}

int ff_label_check(const char *name, char *err, size_t errlen)
{
	const unsigned char *p;

	if (!name[0] || strlen(name) >= FF_LABEL_MAX)
		return ff_fail(err, errlen, "a label has 1 to %d characters", FF_LABEL_MAX - 1);
	for (p = (const unsigned char *)name; *p; p++)
		if (*p < ' ' || *p == 0x7f || strchr(",\"=:", *p))
			return ff_fail(err, errlen, "a label cannot hold control characters, ',', "
				       "'\"', '=' or ':'");
	return 0;
}

int ff_labels_add(struct ff_labels *l, const char *text, char *err, size_t errlen)
{
	struct ff_label_rule r, *nr;
	char buf[512], sub[128], *colon, *tok, *save = NULL;

	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "label rule too long");
		return -1;
	}
	strcpy(buf, text);
	memset(&r, 0, sizeof(r));
	r.sport = r.dport = r.port = r.proto = -1;
	colon = strchr(buf, ':');
	if (colon)
		*colon = 0;
	if (ff_label_check(buf, sub, sizeof(sub)))
		return ff_fail(err, errlen, "label rule '%.*s': %s", FF_LABEL_MAX, text, sub);
	strcpy(r.label, buf);
	for (tok = colon ? strtok_r(colon + 1, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *k = tok, *v;
		int bad;

		if (!eq) {
			snprintf(err, errlen, "label rule '%s': '%s' is not KEY=VALUE", text, tok);
			return -1;
		}
		*eq = 0;
		v = eq + 1;
		if (!strcmp(k, "src"))
			bad = ff_cidr_parse(v, &r.src);
		else if (!strcmp(k, "dst"))
			bad = ff_cidr_parse(v, &r.dst);
		else if (!strcmp(k, "host"))
			bad = ff_cidr_parse(v, &r.host);
		else if (!strcmp(k, "sport"))
			bad = parse_port(v, &r.sport);
		else if (!strcmp(k, "dport"))
			bad = parse_port(v, &r.dport);
		else if (!strcmp(k, "port"))
			bad = parse_port(v, &r.port);
		else if (!strcmp(k, "proto"))
			bad = parse_proto(v, &r.proto);
		else if (!strcmp(k, "time"))
			bad = parse_time(v, &r.t_from_us, &r.t_to_us);
		else {
			snprintf(err, errlen,
				 "label rule '%s': unknown key '%s' (src, dst, host, sport, dport, port, proto, time)",
				 text, k);
			return -1;
		}
		if (bad) {
			snprintf(err, errlen, "label rule '%s': bad value for %s: '%s'", text, k, v);
			return -1;
		}
	}
	nr = realloc(l->rules, (l->n + 1) * sizeof(*nr));
	if (!nr) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->rules = nr;
	l->rules[l->n++] = r;
	return 0;
}

int ff_labels_load(struct ff_labels *l, const char *path, char *err, size_t errlen)
{
	struct ff_lines in;
	char sub[300], *line;
	int r;

	if (ff_lines_open(&in, path, err, errlen))
		return -1;
	while ((r = ff_lines_next(&in, &line, err, errlen)) == 1)
		if (ff_labels_add(l, line, sub, sizeof(sub))) {
			ff_fail(err, errlen, "%s:%u: %s", path, in.lineno, sub);
			r = -1;
			break;
		}
	ff_lines_close(&in);
	return r;
}

const char *ff_labels_match(const struct ff_labels *l, const struct ff_flow_key *k,
			    int initiator_is_b, __u64 first_us)
{
	const __u8 *src = initiator_is_b ? k->addr_b : k->addr_a;
	const __u8 *dst = initiator_is_b ? k->addr_a : k->addr_b;
	int sport = initiator_is_b ? k->port_b : k->port_a;
	int dport = initiator_is_b ? k->port_a : k->port_b;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct ff_label_rule *r = &l->rules[i];

		if (r->src.family && !ff_cidr_match(&r->src, k->family, src))
			continue;
		if (r->dst.family && !ff_cidr_match(&r->dst, k->family, dst))
			continue;
		if (r->host.family && !ff_cidr_match(&r->host, k->family, src) &&
		    !ff_cidr_match(&r->host, k->family, dst))
			continue;
		if (r->sport >= 0 && r->sport != sport)
			continue;
		if (r->dport >= 0 && r->dport != dport)
			continue;
		if (r->port >= 0 && r->port != sport && r->port != dport)
			continue;
		if (r->proto >= 0 && r->proto != k->proto)
			continue;
		if ((r->t_from_us || r->t_to_us) &&
		    (first_us < r->t_from_us || first_us > r->t_to_us))
			continue;
		return r->label;
	}
	return l->default_label ? l->default_label : "benign";
}

void ff_labels_free(struct ff_labels *l)
{
	free(l->rules);
	l->rules = NULL;
	l->n = 0;
}
