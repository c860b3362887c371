/* SPDX-License-Identifier: MIT */
/*
 * Label rules for extracted flows. A rule is
 *
 *   LABEL:COND[,COND...]      or just LABEL (matches everything)
 *
 * with conditions src=CIDR, dst=CIDR, host=CIDR (either end), sport=N,
 * dport=N, port=N (either end), proto=tcp|udp|icmp|icmpv6|N, and
 * time=FROM-TO (Unix seconds, may be fractional; the flow's first packet
 * must fall inside). src is the flow's initiator. The first matching rule
 * names the flow; flows no rule matches get the default label.
 */
#ifndef FLOWFOREST_LABELS_H
#define FLOWFOREST_LABELS_H

#include <stddef.h>
#include "packet_path.h"

#define FF_LABEL_MAX 64

struct ff_cidr {
	__u8 family;		/* 0: not set */
	__u8 plen;
	__u8 addr[16];
};

struct ff_label_rule {
	char label[FF_LABEL_MAX];
	struct ff_cidr src, dst, host;
	int sport, dport, port;	/* -1: any */
	int proto;		/* -1: any */
	__u64 t_from_us, t_to_us;	/* both 0: any */
};

struct ff_labels {
	struct ff_label_rule *rules;
	size_t n;
	const char *default_label;
};

int ff_cidr_parse(const char *s, struct ff_cidr *c);
int ff_cidr_match(const struct ff_cidr *c, __u8 family, const __u8 *addr);
/* A label (of a rule, or the default): 1..FF_LABEL_MAX-1 characters, no
 * control characters, none of , " = : (the rule syntax). 0 or -1. */
int ff_label_check(const char *name, char *err, size_t errlen);
int ff_labels_add(struct ff_labels *l, const char *rule, char *err, size_t errlen);
/* One rule per line, read by lines.h (blank lines and # comments skipped). */
int ff_labels_load(struct ff_labels *l, const char *path, char *err, size_t errlen);
const char *ff_labels_match(const struct ff_labels *l, const struct ff_flow_key *k,
			    int initiator_is_b, __u64 first_us);
void ff_labels_free(struct ff_labels *l);

#endif
