/* SPDX-License-Identifier: MIT */
/*
 * One-packet flows (the flood fast path of track.h): the state it keeps
 * besides the flow table, shared by the BPF program (per-CPU arrays) and
 * user space (arrays in struct ff_track).
 *
 * A packet that opens a flow is first tracked in a scratch entry, not in
 * the table. When its first checkpoint (packet 1) decides drop, the packet
 * is dropped and counted and the flow never enters the table: a flood of
 * spoofed one-packet flows costs no insert, no eviction and no event per
 * packet, and cannot push established flows out. Everything else is
 * admitted into the table with the scratch state, as if it had been
 * created there.
 *
 * Two small direct-mapped caches make the flood cheap:
 *
 *  - the first-packet memo: the verdict on a one-packet flow is a function
 *    of the packet's fields other than its addresses, source port and time
 *    (tests/test_unit.c: test_first_features_key checks that the feature
 *    vector of a one-packet flow depends on nothing else), so identical
 *    floods pay for the features and the model once per model generation
 *    and key, not per packet;
 *  - the drop aggregate: one FF_EV_FLOOD event per responder and class per
 *    interval, with the counts, instead of an event per dropped flow.
 */
#ifndef FLOWFOREST_FIRST_H
#define FLOWFOREST_FIRST_H

#include "common.h"
#include "parse.h"
#include "flow.h"

#define FF_FIRST_MEMO_SLOTS 256		/* power of two */
#define FF_FLOOD_SLOTS 64		/* power of two */
#define FF_FLOOD_INTERVAL_US 1000000ULL	/* an aggregate event at most this often */

/* A cached verdict on one-packet flows whose packets have key k. */
struct ff_first_memo {
	__u64 k[3];
	__u32 generation;	/* of the model that decided; 0: empty */
	__u16 cls;
	__u16 score;
	__u32 action;
	__u32 pad;
};

/* Fast drops to one responder, one class, in the current interval. */
struct ff_flood_slot {
	struct ff_flow_key key;	/* the interval's first dropped flow */
	__u8 resp[16];		/* the responder: its destination address */
	__u64 start_us;		/* its first drop; 0: empty */
	__u64 last_us;
	__u64 pkts;		/* packets (one-packet flows) dropped */
	__u64 bytes;		/* their wire bytes */
	__u16 cls;
	__u16 score;
	__u32 generation;
	__u32 action;
	__u8 proto;
	__u8 pad[3];
};

/* The fields of `p` the features of a one-packet flow depend on: all but
 * the addresses, the source port (initiator side) and the time. */
static __always_inline void ff_first_key(const struct ff_pkt *p, __u64 k[3])
{
	k[0] = (__u64)p->dport | (__u64)p->proto << 16 | (__u64)p->family << 24 |
	       (__u64)p->tcp_flags << 32 | (__u64)p->frag << 40 |
	       (__u64)p->l4_hdr_len << 48 | (__u64)p->ttl << 56;
	k[1] = (__u64)p->l3_len | (__u64)p->hdr_len << 32 | (__u64)p->payload_len << 48;
	k[2] = (__u64)p->tcp_window | (__u64)p->icmp_type << 16 | (__u64)p->icmp_code << 24;
}

static __always_inline __u32 ff_first_memo_slot(const __u64 k[3])
{
	__u64 h = k[0] * 0x9e3779b97f4a7c15ULL ^ k[1] * 0xc2b2ae3d27d4eb4fULL ^
		  k[2] * 0x165667b19e3779f9ULL;

	return (__u32)(h >> 56) & (FF_FIRST_MEMO_SLOTS - 1);
}

/* The slot of the responder (the first packet's destination). */
static __always_inline __u32 ff_flood_slot_of(const struct ff_pkt *p)
{
	const __u32 *a = (const __u32 *)p->daddr;
	__u64 h = (__u64)(a[0] ^ a[1] ^ a[2] ^ a[3]) * 0x9e3779b97f4a7c15ULL;

	return (__u32)(h >> 58) & (FF_FLOOD_SLOTS - 1);
}

/* Is `s` aggregating drops of class `cls` to the destination of `p`? (The
 * addresses compared as two words: a byte loop cost a memo'd drop 4 ns.) */
static __always_inline int ff_flood_same(const struct ff_flood_slot *s, const struct ff_pkt *p,
					 __u16 cls)
{
	__u64 a[2], b[2];

	if (!s->start_us || s->cls != cls || s->key.family != p->family)
		return 0;
	__builtin_memcpy(a, s->resp, 16);
	__builtin_memcpy(b, p->daddr, 16);
	return a[0] == b[0] && a[1] == b[1];
}

#endif /* FLOWFOREST_FIRST_H */
