// SPDX-License-Identifier: MIT
/* CICFlowMeter's CSV from flowforest's flow state: see cicout.h. */
#include <string.h>
#include <time.h>

#include "cicout.h"
#include "features_info.h"
#include "output.h"

void ff_cic_header(struct ff_cic_out *c)
{
	int i;

	for (i = 0; i < ff_cic_n_columns; i++) {
		if (i)
			fputc(',', c->out);
		fputs(ff_cic_columns[i].name, c->out);
	}
	fputc('\n', c->out);
}

/* The flow's start as CIC-IDS2017 (improved) writes it, in UTC. */
static void put_time(FILE *out, __u64 us)
{
	time_t sec = us / 1000000;
	struct tm tm;
	char buf[40];

	gmtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "%s.%06llu", buf, (unsigned long long)(us % 1000000));
}

static int is_icmp(__u8 proto)
{
	return proto == FF_IPPROTO_ICMP || proto == FF_IPPROTO_ICMPV6;
}

void ff_cic_row(struct ff_cic_out *c, const struct ff_flow_key *k, const struct ff_flow *f)
{
	const __u8 *src = f->initiator_is_b ? k->addr_b : k->addr_a;
	const __u8 *dst = f->initiator_is_b ? k->addr_a : k->addr_b;
	unsigned sport = f->initiator_is_b ? k->port_b : k->port_a;
	unsigned dport = f->initiator_is_b ? k->port_a : k->port_b;
	struct ff_features fv;
	char sa[64], da[64];
	int i;

	if (ff_flow_pkts(f) < 2) {
		c->single += ff_flow_pkts(f) == 1;
		return;
	}
	if (is_icmp(k->proto))		/* CIC: ICMP has no ports */
		sport = dport = 0;
	ff_features_compute(f, &fv);
	ff_format_addr(k->family, src, sa, sizeof(sa));
	ff_format_addr(k->family, dst, da, sizeof(da));
	for (i = 0; i < ff_cic_n_columns; i++) {
		const struct ff_cic_column *col = &ff_cic_columns[i];
		const char *n = col->name;

		if (i)
			fputc(',', c->out);
		if (col->fid >= 0) {
			__u64 v = fv.v[col->fid];

			if (col->minus_one)
				fprintf(c->out, "%lld", (long long)v - 1);
			else
				fprintf(c->out, "%llu", (unsigned long long)v);
		} else if (!strcmp(n, "Flow ID")) {
			fprintf(c->out, "%s-%s-%u-%u-%u", sa, da, sport, dport, k->proto);
		} else if (!strcmp(n, "Src IP")) {
			fputs(sa, c->out);
		} else if (!strcmp(n, "Src Port")) {
			fprintf(c->out, "%u", sport);
		} else if (!strcmp(n, "Dst IP")) {
			fputs(da, c->out);
		} else if (!strcmp(n, "Timestamp")) {
			put_time(c->out, f->first_us);
		} else if (!strcmp(n, "Label")) {
			if (c->labels)
				fputs(ff_labels_match(c->labels, k, f->initiator_is_b, f->first_us),
				      c->out);
		}
	}
	fputc('\n', c->out);
	c->rows++;
}

int ff_cic_ends_before(const struct ff_cic_out *c, const struct ff_flow *f, __u64 now_us)
{
	return ff_flow_pkts(f) && now_us > f->first_us &&
	       now_us - f->first_us > c->flow_timeout_us;
}
