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
/* 1 when x (below 2^63) is not 0, without a branch for the verifier to walk */
static __always_inline __u64 ff_nonzero(__u64 x) { return (x | (0 - x)) >> 63; }

/* In BPF, a global function: the verifier checks it once, on its own, and
 * not at every call site. In user space, an ordinary inline function. */
#ifdef __bpf__
#define FF_GLOBAL __attribute__((noinline))
#else
#define FF_GLOBAL static inline
#endif

/*
 * 128-bit unsigned integers as two 64-bit halves. clang's BPF backend has
 * no 128-bit multiply or divide (they would be library calls), so both
 * sides use these helpers, which keeps the arithmetic identical.
 */
struct ff_u128 {
	__u64 hi;
	__u64 lo;
};

static __always_inline struct ff_u128 ff_u128_add(struct ff_u128 a, struct ff_u128 b)
{
	struct ff_u128 r = { a.hi + b.hi, a.lo + b.lo };

	r.hi += r.lo < a.lo;
	return r;
}

/* *a + *b, read by words: a struct ff_u128 passed by value from memory
 * reaches clang's BPF backend as a copy one byte at a time. */
static __always_inline struct ff_u128 ff_u128_add_at(const struct ff_u128 *a,
						     const struct ff_u128 *b)
{
	struct ff_u128 x = { a->hi, a->lo }, y = { b->hi, b->lo };

	return ff_u128_add(x, y);
}

static __always_inline void ff_u128_add64(struct ff_u128 *a, __u64 x)
{
	a->lo += x;
	a->hi += a->lo < x;
}

/* a - b for a >= b; 0 when a < b. */
static __always_inline struct ff_u128 ff_u128_sub(struct ff_u128 a, struct ff_u128 b)
{
	struct ff_u128 r = { 0, 0 };

	if (a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo))
		return r;
	r.lo = a.lo - b.lo;
	r.hi = a.hi - b.hi - (a.lo < b.lo);
	return r;
}

/* The full 128-bit product of two 64-bit values, from 32-bit halves. */
static __always_inline struct ff_u128 ff_mul64(__u64 a, __u64 b)
{
	__u64 al = a & 0xffffffffULL, ah = a >> 32;
	__u64 bl = b & 0xffffffffULL, bh = b >> 32;
	__u64 ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	__u64 mid = (ll >> 32) + (lh & 0xffffffffULL) + (hl & 0xffffffffULL);
	struct ff_u128 r;

	r.lo = (mid << 32) | (ll & 0xffffffffULL);
	r.hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
	return r;
}

/* acc += x * x; the common case (x < 2^32) with one multiply. */
static __always_inline void ff_u128_add_sq(struct ff_u128 *acc, __u64 x)
{
	if (x >> 32)
		*acc = ff_u128_add(*acc, ff_mul64(x, x));
	else
		ff_u128_add64(acc, x * x);
}

/* The value, or the largest 64-bit value when it does not fit. */
static __always_inline __u64 ff_u128_sat64(struct ff_u128 a)
{
	return a.hi ? ~0ULL : a.lo;
}

/* Hide a value from the optimizer, so that the branch-free forms below
 * stay branch-free in BPF: the verifier then follows one path through
 * each loop instead of two per step. */
#ifdef __bpf__
#define FF_OPAQUE(x) asm volatile("" : "+r"(x))
#else
#define FF_OPAQUE(x) ((void)0)
#endif

/* 1 when a < b (unsigned), without a branch: the borrow of a - b. */
static __always_inline __u64 ff_lt64(__u64 a, __u64 b)
{
	FF_OPAQUE(a);
	return ((~a & b) | ((~a | b) & (a - b))) >> 63;
}

/* q = floor(a / d), returns a mod d; d > 0 (d == 0: q = 0, returns 0).
 * Long division by bits for the part of the quotient below 2^64, where
 * the running remainder stays below d; one native division above it. */
static __always_inline __u64 ff_u128_divmod(struct ff_u128 a, __u64 d, struct ff_u128 *q)
{
	__u64 r, lo = a.lo, take;
	int i;

	q->hi = 0;
	q->lo = 0;
	if (!d)
		return 0;
	if (!a.hi) {
		q->lo = a.lo / d;
		return a.lo % d;
	}
	q->hi = a.hi / d;
	r = a.hi % d;
	for (i = 0; i < 64; i++) {
		/* r < d before the shift; subtract d when the shifted r
		 * (65 bits with its carry) reaches it */
		take = (r >> 63) | (ff_lt64(r << 1 | lo >> 63, d) ^ 1);
		r = (r << 1 | lo >> 63) - (d & (0 - take));
		lo = lo << 1 | take;
	}
	q->lo = lo;
	return r;
}

/* An upper bound of sqrt(x) for x >= 2, at most 6.1 % (and 1) above it:
 * with x = m 4^s, 1 <= m < 4, the tangent of sqrt at m = 2 lies above it,
 * sqrt(m) <= (m + 2) / (2 sqrt(2)); in fixed point, rounded up (v < 2^34,
 * the product < 2^63). Started at 2^(s+1) instead, up to twice the root,
 * Newton's iteration took two or three more steps, a division each. */
static __always_inline __u64 ff_isqrt_start(__u64 x)
{
	__u64 t = x, v;
	int s = 0;

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
	v = (x >> s) + 1 + (2ULL << s);	/* >= x / 2^s + 2^(s+1) */
	return ((v * 379625063ULL) >> 30) + 1;	/* 379625063 >= 2^30 / (2 sqrt(2)) */
}

/* floor(sqrt(x)), exact, by Newton's iteration on integers started above
 * the root (ff_isqrt_start()): the sequence decreases strictly until it
 * reaches the floor of the root, in a handful of steps (tested against a
 * reference in tests/). Every value depends on x, which keeps the BPF
 * verifier from following each step as a separate constant. */
static __always_inline __u64 ff_isqrt(__u64 x)
{
	__u64 r, y;
	int i;

	if (x < 2)
		return x;
	r = ff_isqrt_start(x);
	y = (r + x / r) >> 1;
	for (i = 0; i < 40; i++) {
		if (y >= r)
			break;
		r = y;
		y = (r + x / r) >> 1;
	}
	return r;
}

/* floor(sqrt(x)) of a 128-bit value, exact: the root is below 2^64; it is
 * built bit by bit from the top, keeping each bit whose square still fits
 * (branch-free, see FF_OPAQUE). */
static __always_inline __u64 ff_isqrt128(struct ff_u128 x)
{
	struct ff_u128 sq;
	__u64 r = 0, c, borrow, keep;
	int i;

	if (!x.hi)
		return ff_isqrt(x.lo);
	for (i = 63; i >= 0; i--) {
		c = r | (1ULL << i);
		sq = ff_mul64(c, c);
		/* keep the bit when sq <= x: no borrow out of x - sq */
		borrow = ff_lt64(x.lo, sq.lo);
		keep = (ff_lt64(x.hi, sq.hi) | (ff_lt64(x.hi - sq.hi, borrow))) ^ 1;
		r |= (1ULL << i) & (0 - keep);
	}
	return r;
}

/* A set of feature ids (features.h): the features a model's splits read,
 * which a checkpoint then computes (model.h, track.h). */
#define FF_FSET_WORDS 2
struct ff_feature_set {
	__u64 w[FF_FSET_WORDS];
};

static __always_inline int ff_fset_has(const struct ff_feature_set *s, __u32 id)
{
	return (s->w[(id >> 6) & (FF_FSET_WORDS - 1)] >> (id & 63)) & 1;
}

static __always_inline void ff_fset_add(struct ff_feature_set *s, __u32 id)
{
	s->w[(id >> 6) & (FF_FSET_WORDS - 1)] |= 1ULL << (id & 63);
}

/* Every id of `need` is in `have`. */
static __always_inline int ff_fset_covers(const struct ff_feature_set *have,
					  const struct ff_feature_set *need)
{
	return !(need->w[0] & ~have->w[0]) && !(need->w[1] & ~have->w[1]);
}

#endif /* FLOWFOREST_COMMON_H */
