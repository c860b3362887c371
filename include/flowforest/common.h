/* SPDX-License-Identifier: MIT */
/*
 * flowforest shared definitions: fixed-width types, inline helpers and the
 * byte-order and arithmetic primitives that the BPF programs and user space
 * both use. Nothing here may call libc or a kernel-only helper: every file in
 * include/flowforest/ compiles unchanged with `clang -target bpf` and with
 * the host compiler, which is what makes offline and in-kernel results equal.
 */
#ifndef FLOWFOREST_COMMON_H
#define FLOWFOREST_COMMON_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define FF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ff_ntohs(x) ((__u16)__builtin_bswap16((__u16)(x)))
#define ff_ntohl(x) ((__u32)__builtin_bswap32((__u32)(x)))
#else
#define ff_ntohs(x) ((__u16)(x))
#define ff_ntohl(x) ((__u32)(x))
#endif
#define ff_htons(x) ff_ntohs(x)

/* Division that yields 0 for a zero divisor on both sides (BPF already does
 * this; user space would trap), so a feature is defined for every state. */
static __always_inline __u64 ff_div(__u64 a, __u64 b)
{
	return b ? a / b : 0;
}

static __always_inline __u64 ff_min64(__u64 a, __u64 b) { return a < b ? a : b; }
static __always_inline __u64 ff_max64(__u64 a, __u64 b) { return a > b ? a : b; }

/* Saturating add: sums of squares of long inter-arrival times may exceed
 * 64 bits; they stick at the maximum instead of wrapping. */
static __always_inline __u64 ff_sat_add(__u64 a, __u64 b)
{
	__u64 s = a + b;
	return s < a ? ~0ULL : s;
}

/* Saturating square of a 64-bit value. */
static __always_inline __u64 ff_sat_sq(__u64 x)
{
	if (x > 0xffffffffULL)
		return ~0ULL;
	return x * x;
}

/* floor(sqrt(x)), exact, by Newton's iteration on integers started above
 * the root at 2^(s+1), where 4^s <= x < 4^(s+1): the sequence decreases
 * strictly until it reaches the floor of the root, in a handful of steps
 * (at most 40 for any 64-bit input; tested against a reference in tests/).
 * Every value depends on x, which keeps the BPF verifier from following
 * each step as a separate constant. */
static __always_inline __u64 ff_isqrt(__u64 x)
{
	__u64 r, y, t = x;
	int i, s = 0;

	if (x < 2)
		return x;
	if (t >> 32) {
		t >>= 32;
		s += 16;
	}
	if (t >> 16) {
		t >>= 16;
		s += 8;
	}
	if (t >> 8) {
		t >>= 8;
		s += 4;
	}
	if (t >> 4) {
		t >>= 4;
		s += 2;
	}
	if (t >> 2)
		s += 1;
	r = 1ULL << (s + 1);
	y = (r + x / r) >> 1;
	for (i = 0; i < 40; i++) {
		if (y >= r)
			break;
		r = y;
		y = (r + x / r) >> 1;
	}
	return r;
}

#endif /* FLOWFOREST_COMMON_H */
