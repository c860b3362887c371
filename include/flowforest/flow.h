/* SPDX-License-Identifier: MIT */
/*
 * Flow key, flow state and the per-packet update rule, shared by the BPF
 * programs (state lives in an LRU hash map) and user space (state lives in
 * the extractor's hash table). The clock is passed in, in microseconds: the
 * kernel uses bpf_ktime_get_ns() or the replay clock, the extractor uses the
 * capture's timestamps.
 *
 * To grow the state for a new feature: add the field to ff_dir_stats or
 * ff_flow below, update it in ff_flow_update(), and compute the feature from
 * it in features.h. Nothing else needs to change on either side.
 */
#ifndef FLOWFOREST_FLOW_H
#define FLOWFOREST_FLOW_H

#include "common.h"
#include "parse.h"
#include "cic.h"

/* Canonical, bidirectional key: endpoint a is the smaller (address, port)
 * pair in byte order, b the larger. Comparing the whole endpoint (and not
 * addresses and ports separately) keeps A:1000->B:80 and A:80->B:1000 apart.
 * Aligned to 8 (its size is a multiple of 8: no layout changes) so that
 * copies and hashes of its addresses (context.h) use whole words: the BPF
 * target has no unaligned loads and would copy byte by byte. */
struct __attribute__((aligned(8))) ff_flow_key {
	__u8 addr_a[16];
	__u8 addr_b[16];
	__u16 port_a;
	__u16 port_b;
	__u8 proto;
	__u8 family;
	__u8 frag_later;	/* 1 for port-less later-fragment flows */
	__u8 pad;
};

#define FF_DIR_FWD 0	/* sent by the initiator */
#define FF_DIR_BWD 1

/* Statistics of one direction. Lengths are L4 payload bytes, as in
 * CICFlowMeter; wire_bytes counts whole IP packets. The fields every
 * packet of the direction updates come first (pkts .. hdr_min), the TCP
 * flag counts and the first packet's fields after them. Widths are those
 * of the packet fields they hold (struct ff_pkt): payload lengths and the
 * TCP window 16 bits, the L4 header length and the TTL 8, so every value
 * is exact. */
struct ff_dir_stats {
	__u64 pkts;
	__u64 wire_bytes;
	__u64 len_sum;
	struct ff_u128 len_sq;	/* exact: no flow can overflow 128 bits */
	__u64 hdr_sum;		/* L4 headers (CIC's header length) */
	__u64 last_us;
	__u64 iat_sum;
	struct ff_u128 iat_sq;
	__u64 iat_min;
	__u64 iat_max;
	__u32 data_pkts;	/* packets with payload */
	__u16 len_min;
	__u16 len_max;
	__u8 hdr_min;
	__u8 ttl;		/* TTL / hop limit of the first packet */
	__u16 init_win;		/* TCP window of the first packet, 0 if none */
	__u32 psh;
	__u32 urg;
	__u32 rst;
};

/* Verdict classes: FF_CLASS_NONE until the model first decides. */
#define FF_CLASS_NONE 0xffff

/*
 * A flow's state, hot first: in the kernel it is the value of an LRU hash
 * map's element, right after the key, and a packet of a flow that is not
 * in the cache pays for every cache line it touches (bench/results.md,
 * section 3). A packet with a cached verdict reads and writes the first
 * 48 bytes (verdict, schedule, clocks), the flow's inter-arrival times,
 * both directions' bulk state and its own direction's statistics (and
 * reads the other's packet count): 300 bytes of the first 424, five
 * cache lines where the old order grouped by meaning took ten. TCP adds
 * the flag counts and handshake times after them; what only a
 * checkpoint, an idle gap or the eviction queue touch lies at the end
 * (tests/test_unit.c: test_flow_update_hot_start).
 */
struct ff_flow {
	/* every packet */
	__u64 last_us;
	__u64 first_us;			/* (the context's long-open test reads it) */
	__u64 cp_due;			/* packet count of the next count checkpoint */
	/* cached verdict */
	__u16 cls;			/* FF_CLASS_NONE until classified */
	__u16 score;			/* permille of votes for cls */
	__u32 action;			/* enum ff_action for cls */
	__u32 model_gen;		/* model generation that decided */
	__u8 initiator_is_b;		/* the first packet came from endpoint b */
	__u8 ctx_flags;			/* FF_FLOW_CTX_*: counted in the context */
	__u8 ended;			/* FIN or RST seen */
	__u8 proto;
	__u32 fwd_data;			/* CIC: fwd packets with payload, bar the first */
	__u16 resp_port;		/* responder's port (CIC "Dst Port") */
	__u8 icmp_type;			/* of the first ICMP packet */
	__u8 icmp_code;
	__u64 iat_sum;			/* flow inter-arrival, any direction */
	struct ff_u128 iat_sq;
	__u64 iat_min;
	__u64 iat_max;
	struct ff_bulk bulk[2];		/* CIC's bulks: FF_DIR_FWD, FF_DIR_BWD */
	struct ff_dir_stats dir[2];	/* FF_DIR_FWD, FF_DIR_BWD */
	/* TCP */
	__u32 flags[8];			/* packets with FIN SYN RST PSH ACK URG ECE CWR */
	__u64 syn_us;			/* initiator's first SYN */
	__u64 synack_us;		/* responder's first SYN-ACK after it */
	__u64 ack_us;			/* initiator's first ACK after that */
	/* checkpoints, idle gaps (TCP packets write only what lies before
	 * decided_us) */
	__u64 decided_us;
	__u32 decided_pkts;		/* packets when cls was last decided */
	__u32 pad;
	struct ff_cic cic;		/* CICFlowMeter's activity, connection */
	/* last: an idle restart resets everything before it */
	__u64 fifo_pos;			/* its entry in the eviction queue (kernel) */
};

/* ff_flow.ctx_flags: what of a flow the context (context.h) has counted,
 * once per flow. */
#define FF_FLOW_CTX_DONE 1	/* its completed handshake */
#define FF_FLOW_CTX_FAIL 2	/* its refusal (the responder's RST) */
#define FF_FLOW_CTX_OLD 4	/* its first packet FF_CTX_OLD_US after its start */
#define FF_FLOW_CTX_BACK 8	/* its initiator came back (ff_track_ctx_came_back) */

#define FF_MAX_CHECKPOINTS 16
#define FF_CP_ON_FIN_RST 1u
/* A dropped flow stays dropped: its later checkpoints keep the verdict
 * instead of asking the model again (whose answer, on features distorted by
 * the flow's own retransmissions into the void, may be benign). An
 * allowlist entry or an operator's `model load --reclassify` releases it. */
#define FF_CP_DROPS_HOLD 2u
/* A drop decided at a flow's first packet holds too. Without it (the
 * default) such a drop is tentative: at a first packet only the context of
 * other flows speaks, and a new client's SYN to a flooded service looks
 * like the flood's own, so the flow's next checkpoint decides again (a
 * client whose SYN was dropped loses one retransmission timeout, not its
 * connection; a flood's flows have no next packet). */
#define FF_CP_FIRST_HOLDS 4u
/* The context starts warm: as if it had counted FF_CTX_COLD_US before its
 * first flow (track.h, ff_track_ctx_start), ctx_table_age_us reads full from
 * the first packet on (context.h, ff_ctx_table_age). For a capture cut out
 * of longer traffic that a filter watched from before the cut: the lab's
 * burst views (a flood's packets alone, from spoofed sources). */
#define FF_CP_CTX_WARM 8u

/* What ff_flow_update() returns: why this packet is a checkpoint. */
#define FF_CP_COUNT 1	/* the flow reached a checkpoint packet count */
#define FF_CP_FIN 2	/* the packet carries FIN or RST */

/* Classification schedule, fixed at load time (BPF rodata). */
struct ff_config {
	__u32 n_checkpoints;			/* entries used in checkpoints[] */
	__u32 checkpoints[FF_MAX_CHECKPOINTS];	/* ascending packet counts */
	__u32 cp_every;		/* after the last: every N packets, 0 = never */
	__u32 cp_flags;		/* FF_CP_ON_FIN_RST, _DROPS_HOLD, _FIRST_HOLDS, _CTX_WARM */
	__u64 idle_timeout_us;	/* a packet after this much silence starts a
				 * new flow (0 = never) */
	__u64 activity_us;	/* CIC's activity timeout: a longer gap is idle */
	/* One-packet flows dropped without entering the table (first.h): how
	 * many per responder and interval still get their own `classified`
	 * event before only the interval's FF_EV_FLOOD aggregate does.
	 * Default: all of them (the lab scores verdicts per flow). */
	__u32 flood_events;
	/* 1: the fast path for one-packet flows (track.h, first.h); 0 (the
	 * default until the demo has been measured with it): every flow
	 * enters the table. */
	__u32 first_fast;
	/* Slots of the context table (context.h), a power of two; 0: the
	 * default, FF_CTX_SLOTS. */
	__u32 ctx_slots;
	/* The context's clock (context.h, "The clock"): added to a packet's
	 * time for the context's windows. 0 offline, where the packet's time
	 * is the capture's, the wall clock; in the kernel, whose clock is the
	 * monotonic one, the wall clock's offset from it (the loader sets it,
	 * CLOCK_REALTIME - CLOCK_MONOTONIC at load), so that the kernel's
	 * windows turn at the same instants as a capture's of the same
	 * packets. */
	__u64 ctx_clock_us;
};

#define FF_FLOOD_EVENTS_ALL 0xffffffffu

/* CICFlowMeter's default activity timeout (CIC-IDS2017: 5 s). */
#define FF_ACTIVITY_DEFAULT_US 5000000ULL

#define FF_CONFIG_DEFAULT {                                                  \
	.n_checkpoints = 11,                                                  \
	.checkpoints = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 },       \
	.cp_every = 1024,                                                     \
	.cp_flags = FF_CP_ON_FIN_RST | FF_CP_DROPS_HOLD,                      \
	.idle_timeout_us = 120000000ULL,                                      \
	.activity_us = FF_ACTIVITY_DEFAULT_US,                                \
	.flood_events = FF_FLOOD_EVENTS_ALL,                                  \
}

/* Does a checkpoint keep the flow's cached verdict instead of asking the
 * model? Yes for a drop when drops hold (FF_CP_DROPS_HOLD), unless the
 * operator asked for new verdicts since it was decided (`released`: the
 * kernel's reclass_gen is newer than the flow's model), or it was decided
 * at the flow's first packet (`decided_pkts` 1) and is tentative (no
 * FF_CP_FIRST_HOLDS). */
static __always_inline int ff_verdict_holds(const volatile struct ff_config *cfg, int dropped,
					    int released, __u32 decided_pkts)
{
	return (cfg->cp_flags & FF_CP_DROPS_HOLD) && dropped && !released &&
	       (decided_pkts > 1 || (cfg->cp_flags & FF_CP_FIRST_HOLDS));
}

/* Compare two 16-byte addresses in network (memcmp) order: -1, 0, 1. */
static __always_inline int ff_addr_cmp(const __u8 *a, const __u8 *b)
{
	int i;

	for (i = 0; i < 16; i += 4) {
		__u32 x = ff_ntohl(*(const __u32 *)(a + i));
		__u32 y = ff_ntohl(*(const __u32 *)(b + i));

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* Fill `k` from `p`; returns 1 when the sender is endpoint b. */
static __always_inline int ff_flow_key_make(const struct ff_pkt *p,
					    struct ff_flow_key *k)
{
	__u16 sp = p->sport, dp = p->dport;
	int cmp;

	if (p->frag == FF_FRAG_LATER) {
		sp = 0;
		dp = 0;
	}
	cmp = ff_addr_cmp(p->saddr, p->daddr);
	if (cmp == 0 && sp != dp)
		cmp = sp < dp ? -1 : 1;

	k->proto = p->proto;
	k->family = p->family;
	k->frag_later = p->frag == FF_FRAG_LATER;
	k->pad = 0;
	if (cmp <= 0) {
		__builtin_memcpy(k->addr_a, p->saddr, 16);
		__builtin_memcpy(k->addr_b, p->daddr, 16);
		k->port_a = sp;
		k->port_b = dp;
		return 0;
	}
	__builtin_memcpy(k->addr_a, p->daddr, 16);
	__builtin_memcpy(k->addr_b, p->saddr, 16);
	k->port_a = dp;
	k->port_b = sp;
	return 1;
}

static __always_inline void ff_dir_update(struct ff_dir_stats *d,
					  const struct ff_pkt *p, __u64 now_us)
{
	__u32 len = p->payload_len;

	if (d->pkts == 0) {
		d->len_min = len;
		d->hdr_min = p->l4_hdr_len;
		d->iat_min = ~0ULL;
		d->ttl = p->ttl;
		if (p->proto == FF_IPPROTO_TCP)
			d->init_win = p->tcp_window;
	} else {
		__u64 iat = now_us > d->last_us ? now_us - d->last_us : 0;

		d->iat_sum += iat;
		ff_u128_add_sq(&d->iat_sq, iat);
		if (iat < d->iat_min)
			d->iat_min = iat;
		if (iat > d->iat_max)
			d->iat_max = iat;
	}
	d->pkts++;
	d->wire_bytes += p->l3_len;
	d->len_sum += len;
	ff_u128_add64(&d->len_sq, (__u64)len * len);
	d->hdr_sum += p->l4_hdr_len;
	d->last_us = now_us;
	if (len < d->len_min)
		d->len_min = len;
	if (len > d->len_max)
		d->len_max = len;
	if (p->l4_hdr_len < d->hdr_min)
		d->hdr_min = p->l4_hdr_len;
	if (len > 0)
		d->data_pkts++;
	if (p->tcp_flags & FF_TCP_PSH)
		d->psh++;
	if (p->tcp_flags & FF_TCP_URG)
		d->urg++;
	if (p->tcp_flags & FF_TCP_RST)
		d->rst++;
}

static __always_inline __u64 ff_flow_pkts(const struct ff_flow *f)
{
	return f->dir[0].pkts + f->dir[1].pkts;
}

/* A flow that starts over in its entry (idle restart): everything but the
 * storage's own bookkeeping at the end of the entry. */
static __always_inline void ff_flow_reset(struct ff_flow *f)
{
	__builtin_memset(f, 0, __builtin_offsetof(struct ff_flow, fifo_pos));
}

/* True when the packet at `now_us` comes after the idle timeout: the old
 * flow has ended and this packet starts a new one in the same entry. */
static __always_inline int ff_flow_expired(const struct ff_flow *f, __u64 now_us,
					   const volatile struct ff_config *cfg)
{
	return cfg->idle_timeout_us && ff_flow_pkts(f) && now_us > f->last_us &&
	       now_us - f->last_us > cfg->idle_timeout_us;
}

/*
 * The packet count of the first count checkpoint after `n` packets: the
 * next listed count above n, else the next multiple of cp_every after the
 * last listed count, else never. Computed only when a checkpoint fires, so
 * a count that steps over one (two CPUs updating one flow) still fires
 * once, and the schedule goes on from where the count is.
 */
static __always_inline __u64 ff_cp_due_after(const volatile struct ff_config *cfg, __u64 n)
{
	__u32 ncp = cfg->n_checkpoints, i;
	__u64 last;

	if (ncp > FF_MAX_CHECKPOINTS)
		return ~0ULL;
	for (i = 0; i < FF_MAX_CHECKPOINTS; i++) {
		if (i >= ncp)
			break;
		if (cfg->checkpoints[i] > n)
			return cfg->checkpoints[i];
	}
	if (!cfg->cp_every || !ncp)
		return ~0ULL;
	last = cfg->checkpoints[(ncp - 1) & (FF_MAX_CHECKPOINTS - 1)];
	return last + ((n - last) / cfg->cp_every + 1) * cfg->cp_every;
}

/*
 * Account one packet to its flow. `from_b` is what ff_flow_key_make()
 * returned. Returns 0, or FF_CP_COUNT and/or FF_CP_FIN when this packet is
 * a classification checkpoint.
 *
 * A flow's clock never runs backwards: a packet stamped before the flow's
 * last packet (merged captures, several NIC queues, racing CPUs) counts as
 * arriving at the last packet's time, with an inter-arrival time of 0.
 */
static __always_inline int ff_flow_update(struct ff_flow *f,
					  const struct ff_pkt *p, int from_b,
					  __u64 now_us,
					  const volatile struct ff_config *cfg)
{
	__u64 n, iat = 0;
	int dir, i, cp = 0;

	if (ff_flow_pkts(f) == 0) {
		f->first_us = now_us;
		f->initiator_is_b = from_b;
		f->proto = p->proto;
		f->resp_port = p->dport;
		f->icmp_type = p->icmp_type;
		f->icmp_code = p->icmp_code;
		f->iat_min = ~0ULL;
		f->cls = FF_CLASS_NONE;
		f->cp_due = ff_cp_due_after(cfg, 0);
	} else {
		if (now_us < f->last_us)
			now_us = f->last_us;
		iat = now_us - f->last_us;
		f->iat_sum += iat;
		ff_u128_add_sq(&f->iat_sq, iat);
		if (iat < f->iat_min)
			f->iat_min = iat;
		if (iat > f->iat_max)
			f->iat_max = iat;
	}
	f->last_us = now_us;

	dir = from_b == f->initiator_is_b ? FF_DIR_FWD : FF_DIR_BWD;
	ff_cic_update(&f->cic, f->bulk, &f->fwd_data, ff_flow_pkts(f) == 0, dir, p->payload_len,
		      now_us, iat, cfg->activity_us);
	ff_dir_update(&f->dir[dir & 1], p, now_us);

	for (i = 0; i < 8; i++)
		if (p->tcp_flags & (1u << i))
			f->flags[i]++;

	/* TCP handshake times (UNSW-NB15's synack and ackdat). */
	if (p->proto == FF_IPPROTO_TCP) {
		__u8 sa = p->tcp_flags & (FF_TCP_SYN | FF_TCP_ACK);

		if (dir == FF_DIR_FWD && sa == FF_TCP_SYN && !f->syn_us)
			f->syn_us = now_us;
		else if (dir == FF_DIR_BWD && sa == (FF_TCP_SYN | FF_TCP_ACK) &&
			 f->syn_us && !f->synack_us)
			f->synack_us = now_us;
		else if (dir == FF_DIR_FWD && sa == FF_TCP_ACK && f->synack_us &&
			 !f->ack_us)
			f->ack_us = now_us;
	}

	if (p->tcp_flags & (FF_TCP_FIN | FF_TCP_RST)) {
		f->ended = 1;
		if (cfg->cp_flags & FF_CP_ON_FIN_RST)
			cp |= FF_CP_FIN;
	}
	n = ff_flow_pkts(f);
	if (n >= f->cp_due) {
		f->cp_due = ff_cp_due_after(cfg, n);
		cp |= FF_CP_COUNT;
	}
	return cp;
}

#endif /* FLOWFOREST_FLOW_H */
