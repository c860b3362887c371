/* SPDX-License-Identifier: MIT */
/*
 * The per-flow state behind CICFlowMeter's activity, bulk and connection
 * columns, and its update rule: part of struct ff_flow and of the one
 * per-packet update, so the kernel and `extract` compute the same. The
 * definitions are written out in docs/cic-definitions.md; in short:
 *
 * - activity: a gap longer than the activity timeout closes the current
 *   active period (recorded when longer than 0) and is recorded as an idle
 *   period; the period still open when the flow ends is not recorded;
 * - bulk: in one direction, at least 4 packets with payload, each within
 *   1 s of the previous one and with no payload of the other direction in
 *   between; its bytes, packets and duration add up over the flow;
 * - the TCP connection's first packet, which a flow split by CIC's flow
 *   timeout carries on (Total TCP Flow Time).
 */
#ifndef FLOWFOREST_CIC_H
#define FLOWFOREST_CIC_H

#include "common.h"

/* Sum, sum of squares, min, max of a series of microsecond values; its
 * count is kept beside it (struct ff_cic) to pack two counts in 8 bytes. */
struct ff_series {
	__u64 sum;
	struct ff_u128 sq;
	__u64 min;
	__u64 max;
};

/* Bulk transfer statistics of one direction (CIC's "bulk"). */
struct ff_bulk {
	__u64 cand_start_us;	/* first packet of the candidate bulk, 0: none */
	__u64 cand_last_us;	/* its latest packet */
	__u64 bytes;		/* payload in bulks */
	__u64 dur_us;		/* time in bulks */
	__u32 pkts;		/* packets in bulks */
	__u32 bulks;
	__u32 cand_pkts;
	__u32 cand_bytes;	/* of the candidate's first packets (<= 4 x 64 KiB) */
};

#define FF_BULK_GAP_US 1000000ULL	/* CIC: more than 1 s apart ends a bulk */
#define FF_BULK_MIN_PKTS 4

/* What CIC's activity and connection columns keep: written at a flow's
 * first packet and at idle gaps only, so it lies in the cold end of the
 * flow entry. The bulk state (struct ff_bulk, both directions) and the
 * fwd data count change with most packets and lie in its hot start
 * (struct ff_flow, flow.h). */
struct ff_cic {
	struct ff_series active;
	struct ff_series idle;
	__u64 active_start_us;		/* the current active period began; it
					 * ends at the flow's last packet */
	__u64 conn_first_us;		/* first packet of the TCP connection */
	__u32 active_n;
	__u32 idle_n;
};

static __always_inline void ff_series_add(struct ff_series *s, __u32 *n, __u64 v)
{
	if (*n == 0 || v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	(*n)++;
	s->sum += v;
	s->sq = ff_u128_add(s->sq, ff_mul64(v, v));
}

/*
 * Activity, for every packet after the first, before it counts: `gap_us`
 * after the flow's previous packet. A gap longer than the timeout closes
 * the active period (recorded when longer than 0), is recorded as idle,
 * and starts a new active period at this packet.
 */
static __always_inline void ff_cic_activity(struct ff_cic *c, __u64 now_us, __u64 gap_us,
					    __u64 timeout_us)
{
	__u64 end_us = now_us - gap_us;

	if (gap_us <= timeout_us)
		return;
	if (end_us > c->active_start_us)
		ff_series_add(&c->active, &c->active_n, end_us - c->active_start_us);
	ff_series_add(&c->idle, &c->idle_n, gap_us);
	c->active_start_us = now_us;
}

/* One packet of `len` payload bytes in direction `dir` (0 fwd, 1 bwd),
 * into the bulk state of both directions. */
static __always_inline void ff_cic_bulk(struct ff_bulk *bulk, int dir, __u32 len, __u64 now_us)
{
	struct ff_bulk *b = &bulk[dir & 1];
	const struct ff_bulk *o = &bulk[(dir & 1) ^ 1];

	/* payload the other way since this candidate began ends it */
	if (o->cand_last_us > b->cand_start_us)
		b->cand_start_us = 0;
	if (len == 0)
		return;
	if (b->cand_start_us == 0 || now_us - b->cand_last_us > FF_BULK_GAP_US) {
		b->cand_start_us = now_us;
		b->cand_last_us = now_us;
		b->cand_pkts = 1;
		b->cand_bytes = len;
		return;
	}
	b->cand_pkts++;
	if (b->cand_pkts < FF_BULK_MIN_PKTS) {
		b->cand_bytes += len;
	} else if (b->cand_pkts == FF_BULK_MIN_PKTS) {
		b->bulks++;
		b->pkts += FF_BULK_MIN_PKTS;
		b->bytes += (__u64)b->cand_bytes + len;
		b->dur_us += now_us - b->cand_start_us;
	} else {
		b->pkts++;
		b->bytes += len;
		b->dur_us += now_us - b->cand_last_us;
	}
	b->cand_last_us = now_us;
}

/*
 * Everything CIC keeps per packet: `bulk` both directions' bulk state,
 * `fwd_data` the fwd packets with payload bar the first; `first` is 1 for
 * the flow's first packet, `gap_us` the time since the flow's previous
 * packet (0 for the first), `dir` 0 fwd or 1 bwd, `len` the payload.
 */
static __always_inline void ff_cic_update(struct ff_cic *c, struct ff_bulk *bulk,
					  __u32 *fwd_data, int first, int dir, __u32 len,
					  __u64 now_us, __u64 gap_us, __u64 activity_us)
{
	if (first) {
		c->active_start_us = now_us;
		if (!c->conn_first_us)
			c->conn_first_us = now_us;
	} else {
		ff_cic_activity(c, now_us, gap_us, activity_us);
		if (dir == 0 && len > 0)
			(*fwd_data)++;
	}
	ff_cic_bulk(bulk, dir, len, now_us);
}

#endif /* FLOWFOREST_CIC_H */
