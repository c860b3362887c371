/* SPDX-License-Identifier: MIT */
/*
 * Control-plane structs: state that the operator's commands write and the
 * kernel reads (ff_ctl, the allow and deny lists), and state that only the
 * kernel writes (the eviction queue). Each field has one writer side, so
 * neither side ever rewrites a field that the other updates.
 */
#ifndef FLOWFOREST_CTL_H
#define FLOWFOREST_CTL_H

#include "common.h"
#include "flow.h"

/*
 * Operator state (map ff_ctl, one entry, BPF_F_MMAPABLE). Only user space
 * writes it, and only with atomic operations on single fields through a
 * shared mapping, so concurrent commands (two `allow add`, a `model load
 * --reclassify`) never undo each other. The kernel only reads it.
 */
struct ff_ctl {
	__u32 n_allow;		/* at least the prefixes in ff_allow (0: skip the
				 * lookups); raised before an insert, lowered after
				 * a delete, so never below the real count */
	__u32 n_deny;		/* the same for ff_deny */
	__u32 reclass_gen;	/* flows decided by an older model generation
				 * are classified again at their next packet */
	__u32 pad;
};

/*
 * The allow and deny lists' cover (map ff_cover, one entry, BPF_F_MMAPABLE):
 * per list, family and /16 (an address's first 16 bits, IPv4 or IPv6), how
 * many of the list's prefixes cover a part of it. An address in an
 * uncovered /16 is in no prefix of the list, and the kernel skips its LPM
 * lookup: a spoofed flood's drop paid two misses (11 ns of 100 in
 * test_run) to learn that its packets are not allowed. Written like the
 * counts of ff_ctl: raised before an insert, lowered after a delete, one
 * atomic operation each, so never below the truth. A count holds at most
 * the list's 16,384 prefixes.
 */
#define FF_COVER_BITS 16
#define FF_COVER_N (1U << FF_COVER_BITS)

struct ff_list_cover {
	__u16 n[2][2][FF_COVER_N];	/* [deny][IPv6][first 16 bits] */
};

/* The /16 of an address (its cover index). */
static __always_inline __u32 ff_cover_idx(const __u8 *addr)
{
	return (__u32)addr[0] << 8 | addr[1];
}

/* A key of the allow and deny lists (LPM trie): family, then address. */
struct ff_lpm_key {
	__u32 prefixlen;	/* 8 + prefix length */
	__u8 family;		/* 4 or 6 */
	__u8 addr[16];
} __attribute__((packed));

/*
 * The eviction queue (see ff_make_room), kernel-owned: positions grow
 * forever, slot = position % queue size. A slot is written before its
 * `seq` says so (seq = position + 1), and a CPU takes the slot at `tail`
 * only by moving tail with a compare-and-swap, so two CPUs never take one
 * slot, never pass `head`, and never read a slot still being written.
 */
struct ff_fifo_state {
	__u64 head;		/* next position to write */
	__u64 tail;		/* next position to take */
	__s64 live;		/* flows in the table, as flowforest counts them */
};

/* One slot of the eviction queue: a flow, when it was queued, and the
 * position it was written for. */
struct ff_fifo_entry {
	struct ff_flow_key key;
	__u64 queued_us;
	__u64 seq;		/* position + 1 once written; 0: never */
};

#endif /* FLOWFOREST_CTL_H */
