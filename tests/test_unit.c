// SPDX-License-Identifier: MIT
/*
 * User-space unit tests of the shared headers and the user library: integer
 * arithmetic, parser, flow key and update rules, labels, model files.
 * No privileges needed.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <gelf.h>
#include <linux/bpf.h>
#include <cmocka.h>

#include "packet_path.h"
#include "flowforest/first.h"
#include "ifname.h"
#include "labels.h"
#include "loader.h"
#include "numparse.h"
#include "model_file.h"
#include "features_info.h"
#include "pkt.h"
#include "utrack.h"
#include "../bench/forest.h"

/* floor(sqrt(x)) by a slow, obviously correct method */
static __u64 ref_isqrt(__u64 x)
{
	__u64 r = (__u64)sqrtl((long double)x);

	while (r > 0 && (unsigned __int128)r * r > x)
		r--;
	while ((unsigned __int128)(r + 1) * (r + 1) <= x)
		r++;
	return r;
}

static void test_isqrt_exact(void **state)
{
	__u64 x = 0x9e3779b97f4a7c15ULL;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		__u64 v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = x >> (i % 64);
		assert_int_equal(ff_isqrt(v), ref_isqrt(v));
	}
	for (i = 0; i < 3000; i++) {
		__u64 r = (__u64)i * 1000003ULL, sq = r * r;

		assert_int_equal(ff_isqrt(sq), r);
		if (sq)
			assert_int_equal(ff_isqrt(sq - 1), r - 1);
		assert_int_equal(ff_isqrt(sq + 1), r + (r == 0 ? 1 : 0));
	}
	assert_int_equal(ff_isqrt(~0ULL), 4294967295ULL);
	assert_int_equal(ff_isqrt(0), 0);
	assert_int_equal(ff_isqrt(1), 1);
	assert_int_equal(ff_isqrt(2), 1);
	assert_int_equal(ff_isqrt(3), 1);
	assert_int_equal(ff_isqrt(4), 2);
}

/* Newton's iteration for the standard deviations starts within 6.1 % (and
 * 1) above the root, never below it: started at 2^(s+1) (4^s <= x), up to
 * twice the root, it took two or three more steps, a division each. */
static void test_isqrt_start_tight(void **state)
{
	__u64 x = 0x2545f4914f6cdd1dULL;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		__u64 v, r, s;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = x >> (i % 63);
		if (v < 2)
			continue;
		r = ref_isqrt(v);
		s = ff_isqrt_start(v);
		assert_true((unsigned __int128)s * s > v);	/* above the root */
		assert_true(s <= r + r / 16 + 2);
	}
	assert_true(ff_isqrt_start(~0ULL) <= 4294967296ULL + 4294967296ULL / 16 + 2);
	assert_true(ff_isqrt_start(4) <= 3);	/* root 2; 2^(s+1) was 4 */
}

static struct ff_u128 u128(unsigned __int128 x)
{
	struct ff_u128 r = { (__u64)(x >> 64), (__u64)x };

	return r;
}

/*
 * The first-packet memo (flowforest/first.h) caches the verdict on a
 * one-packet flow by ff_first_key(): the feature vector of a one-packet
 * flow must depend on nothing else. Random packets, each tracked twice as a
 * new flow: once as sent, once with other addresses, source port, time and
 * orientation; the vectors must be equal. Fails when a feature of a
 * one-packet flow starts to depend on a field the key leaves out (then the
 * key must take it in).
 */
/* The first byte at or after `from` where flows a and b differ, or -1. */
static int flow_diff_from(const struct ff_flow *a, const struct ff_flow *b, size_t from)
{
	const unsigned char *x = (const void *)a, *y = (const void *)b;
	size_t i;

	for (i = from; i < sizeof(*a); i++)
		if (x[i] != y[i])
			return (int)i;
	return -1;
}

/*
 * A packet of a flow that has begun writes only the hot start of its
 * entry (flow.h: what lies before the TCP fields for UDP, before
 * decided_us for TCP): a packet of a flow that is out of the cache then touches a few
 * cache lines, not the whole entry. Both directions, with and without
 * payload, bulks under way.
 */
static void test_flow_update_hot_start(void **state)
{
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	static const __u8 protos[] = { 17, 6 };
	unsigned pi;
	int i, off;

	(void)state;
	for (pi = 0; pi < FF_ARRAY_SIZE(protos); pi++) {
		size_t hot = protos[pi] == 6 ? offsetof(struct ff_flow, decided_us) :
					       offsetof(struct ff_flow, flags);
		struct ff_flow f, before;
		struct ff_pkt p;
		__u64 now = 1000000;

		memset(&f, 0, sizeof(f));
		memset(&p, 0, sizeof(p));
		p.family = 4;
		p.proto = protos[pi];
		p.sport = 40000;
		p.dport = 53;
		p.l4_hdr_len = p.proto == 6 ? 20 : 8;
		p.hdr_len = p.l4_hdr_len + 20;
		p.tcp_flags = p.proto == 6 ? 0x02 : 0;	/* SYN */
		ff_flow_update(&f, &p, 0, now, &cfg);
		for (i = 0; i < 64; i++) {
			int from_b = (i / 5) & 1;

			now += 100 + 37 * (i % 7);
			p.payload_len = (i % 3) ? 100 + i : 0;
			p.l3_len = p.hdr_len + p.payload_len;
			p.tcp_flags = p.proto == 6 ? (i == 1 ? 0x12 : 0x10 | (i % 2 ? 0x08 : 0)) : 0;
			before = f;
			ff_flow_update(&f, &p, from_b, now, &cfg);
			off = flow_diff_from(&f, &before, hot);
			if (off >= 0)
				fail_msg("proto %u packet %d wrote byte %d of struct ff_flow, past %zu",
					 p.proto, i, off, hot);
		}
		assert_true(f.dir[0].pkts > 10 && f.dir[1].pkts > 10);
		assert_true(f.bulk[0].bulks > 0 || f.bulk[1].bulks > 0);
	}
}

static void test_first_features_key(void **state)
{
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	__u64 rng = 0x2545f4914f6cdd1dULL;
	int i, j;

	(void)state;
	for (i = 0; i < 20000; i++) {
		struct ff_pkt a, b;
		struct ff_flow fa, fb;
		struct ff_features va, vb;
		struct ff_flow_key ka, kb;
		__u64 r[4], mka[3], mkb[3];
		int from_a, from_b;

		for (j = 0; j < 4; j++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			r[j] = rng;
		}
		memset(&a, 0, sizeof(a));
		a.family = r[0] & 1 ? 4 : 6;
		a.proto = (const __u8[]){ 6, 17, 1, 58 }[(r[0] >> 1) & 3];
		a.dport = r[0] >> 8;
		a.sport = r[0] >> 24;
		a.tcp_flags = a.proto == 6 ? r[0] >> 40 : 0;
		a.ttl = r[0] >> 48;
		a.payload_len = r[1] & 1023;
		a.l4_hdr_len = a.proto == 6 ? 20 + 4 * ((r[1] >> 10) & 7) : 8;
		a.hdr_len = a.l4_hdr_len + (a.family == 4 ? 20 : 40);
		a.l3_len = a.hdr_len + a.payload_len;
		a.tcp_window = a.proto == 6 ? r[1] >> 16 : 0;
		a.icmp_type = a.proto == 1 || a.proto == 58 ? r[1] >> 32 : 0;
		a.icmp_code = a.proto == 1 || a.proto == 58 ? r[1] >> 40 : 0;
		a.frag = (r[1] >> 48) % 3;
		memcpy(a.saddr, &r[2], 8);
		memcpy(a.daddr, &r[3], 8);
		a.saddr[15] = 1, a.daddr[15] = 2;
		b = a;
		/* other endpoints, in the other order, at another time */
		b.sport = ~a.sport;
		memset(b.saddr, 0xee, 16);
		memset(b.daddr, 0x11, 16);
		from_a = ff_flow_key_make(&a, &ka);
		from_b = ff_flow_key_make(&b, &kb);
		memset(&fa, 0, sizeof(fa));
		memset(&fb, 0, sizeof(fb));
		ff_flow_update(&fa, &a, from_a, 1000 + (r[2] & 0xffffff), &cfg);
		ff_flow_update(&fb, &b, from_b, 77000000000ULL + (r[3] & 0xffffff), &cfg);
		ff_features_compute(&fa, &va);
		ff_features_compute(&fb, &vb);
		ff_first_key(&a, mka);
		ff_first_key(&b, mkb);
		assert_memory_equal(mka, mkb, sizeof(mka));
		/* the flow's own rows; the context rows (from FF_F_CTX_SVC_FLOWS_100MS)
		 * are not of the packet: see the memo's note in docs/design.md */
		for (j = 0; j < FF_F_CTX_SVC_FLOWS_100MS; j++)
			if (va.v[j] != vb.v[j])
				fail_msg("feature %s of a one-packet flow: %llu vs %llu (packet %d)",
					 ff_feature_table[j].name, (unsigned long long)va.v[j],
					 (unsigned long long)vb.v[j], i);
	}
}

/* An entry's new flows over the long window: the shares' denominator. */
static __u64 flows1(const struct ff_ctx_entry *e, __u64 now_us)
{
	return ff_ctx_n(e, 1, FF_CTX_FLOWS, now_us);
}

/* The context's windows (include/flowforest/context.h): sliding-window
 * estimates floored, windows that roll and expire, the peer sketch. */
static void test_context_windows(void **state)
{
	const __u32 flow = 1U << FF_CTX_FLOWS;
	struct ff_ctx_entry e;
	__u8 addr[16];
	__u64 bits = 0;
	int i;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(ff_ctx_n(NULL, 0, FF_CTX_FLOWS, 5), 0);
	for (i = 0; i < 10; i++)
		ff_ctx_add(&e, 1000000, flow, 0, 0);
	assert_int_equal(ff_ctx_n(&e, 0, FF_CTX_FLOWS, 1000000), 10);
	assert_int_equal(ff_ctx_n(&e, 0, FF_CTX_FLOWS, 1099999), 10);
	/* the next 100 ms window, half way: the previous one weighs half */
	assert_int_equal(ff_ctx_n(&e, 0, FF_CTX_FLOWS, 1150000), 5);
	assert_int_equal(ff_ctx_n(&e, 1, FF_CTX_FLOWS, 1150000), 10);
	/* two windows on: nothing of it is left */
	assert_int_equal(ff_ctx_n(&e, 0, FF_CTX_FLOWS, 1200000), 0);
	/* 3 more in the next window: 3 + floor(10 * 0.75) */
	for (i = 0; i < 3; i++)
		ff_ctx_add(&e, 1125000, flow | 1U << FF_CTX_SYNS, 0, 0);
	assert_int_equal(ff_ctx_n(&e, 0, FF_CTX_FLOWS, 1125000), 3 + 7);
	assert_int_equal(ff_ctx_n(&e, 0, FF_CTX_FLOWS, 1175000), 3 + 2);
	/* 1 s scale: 13 in window 1; at 2.5 s floor(13 * 0.5) = 6; 3 s: 0 */
	assert_int_equal(ff_ctx_n(&e, 1, FF_CTX_FLOWS, 1999999), 13);
	assert_int_equal(ff_ctx_n(&e, 1, FF_CTX_FLOWS, 2500000), 6);
	assert_int_equal(ff_ctx_n(&e, 1, FF_CTX_FLOWS, 3000000), 0);
	/* a clock behind the window counts into it */
	ff_ctx_add(&e, 1000000, flow, 0, 0);
	assert_int_equal(ff_ctx_n(&e, 1, FF_CTX_FLOWS, 1999999), 14);
	/* SYNs without completion, their share of the new flows */
	ff_ctx_add(&e, 1900000, 1U << FF_CTX_DONE, 0, 0);
	assert_int_equal(ff_ctx_half_open(&e, 1900000), 2);
	assert_int_equal(ff_ctx_syn_permille(&e, flows1(&e, 1900000), 1900000), 3 * 1000 / 14);
	/* a window skipped: its successor starts from nothing */
	ff_ctx_add(&e, 3500000, flow, 0, 0);
	assert_int_equal(ff_ctx_n(&e, 1, FF_CTX_FLOWS, 3500000), 1);
	assert_int_equal(e.w[1].prev[FF_CTX_FLOWS], 0);

	/* peers: one bit each, the union of two windows, the same peer once */
	memset(&e, 0, sizeof(e));
	memset(addr, 0, sizeof(addr));
	for (i = 0; i < 300; i++) {
		__u64 b;

		addr[0] = 10, addr[2] = i >> 8, addr[3] = i;
		b = ff_ctx_peer_bit(addr);
		assert_int_equal(ff_ctx_popcount(b), 1);
		if (i < 5) {
			bits |= b;
			ff_ctx_add(&e, 500000, flow, 0, b);
			ff_ctx_add(&e, 500001, flow, 0, b);	/* again: no new bit */
		}
	}
	assert_int_equal(ff_ctx_bits(&e, 500000), ff_ctx_popcount(bits));
	assert_true(ff_ctx_bits(&e, 500000) >= 3);	/* 5 peers in 64 bits */
	assert_int_equal(ff_ctx_bits(&e, 1500000), ff_ctx_popcount(bits));
	assert_int_equal(ff_ctx_bits(&e, 2000000), 0);
	/* 300 random-ish peers fill most of the bitmap */
	for (i = 0; i < 300; i++) {
		addr[0] = 192, addr[1] = i * 7, addr[2] = i >> 8, addr[3] = i;
		ff_ctx_add(&e, 600000, flow, 0, ff_ctx_peer_bit(addr));
	}
	assert_true(ff_ctx_bits(&e, 600000) > 50);
	assert_true(ff_ctx_bits(&e, 600000) <= 64);
	assert_int_equal(ff_ctx_popcount(~0ULL), 64);
	assert_int_equal(ff_ctx_popcount(0), 0);
}

/* The slow window (context.h, FF_CTX_SLOW_US): new flows and their peers
 * over 10 s, counted at a flow's first packet only, the estimate slid and
 * floored as the other scales' are; what a slow brute force (a few
 * connections a second from one host) shows over seconds and not within
 * one. */
static void test_context_slow_window(void **state)
{
	struct ff_ctx_entry e;
	__u8 addr[16];
	__u64 b;
	int i;

	(void)state;
	memset(&e, 0, sizeof(e));
	memset(addr, 0, sizeof(addr));
	addr[0] = 10, addr[3] = 7;
	b = ff_ctx_peer_bit(addr);
	/* one host, 3 connections a second for 10 s (t = 10 s to 19.67 s) */
	for (i = 0; i < 30; i++) {
		__u64 t = 10000000 + i * 333333ULL;

		ff_ctx_add(&e, t, FF_CTX_BIT(FF_CTX_FLOWS), 0, b);
		ff_ctx_slow_add(&e.slow, t, 1, b);
	}
	/* within a second: 3 or 4, a benign client's pace; over 10 s: 30 */
	assert_true(ff_ctx_n(&e, 1, FF_CTX_FLOWS, 19700000) <= 4);
	assert_int_equal(ff_ctx_slow_flows(&e, 19700000), 30);
	assert_int_equal(ff_ctx_slow_bits(&e, 19700000), 1);
	/* an update that opens no flow adds nothing */
	ff_ctx_slow_add(&e.slow, 19800000, 0, 0);
	assert_int_equal(ff_ctx_slow_flows(&e, 19800000), 30);
	/* the next window, a quarter in: 30 * 0.75 left, floored; 1 more */
	ff_ctx_slow_add(&e.slow, 22500000, 1, b << 1 | (b == 1ULL << 63));
	assert_int_equal(ff_ctx_slow_flows(&e, 22500000), 1 + 22);
	assert_int_equal(ff_ctx_slow_flows(&e, 29999999), 1 + 0);
	assert_int_equal(ff_ctx_slow_bits(&e, 22500000), 2);	/* 10 to 20 s */
	assert_int_equal(ff_ctx_slow_bits(&e, 30000000), 1);	/* the current window's */
	assert_int_equal(ff_ctx_slow_flows(&e, 30000000), 1);
	assert_int_equal(ff_ctx_slow_flows(&e, 40000000), 0);
	assert_int_equal(ff_ctx_slow_bits(&e, 40000000), 0);
	/* a clock behind the window counts into it */
	ff_ctx_slow_add(&e.slow, 21000000, 1, 0);
	assert_int_equal(ff_ctx_slow_flows(&e, 22500000), 2 + 22);
	/* a window skipped: nothing carried over */
	ff_ctx_slow_add(&e.slow, 45000000, 1, b);
	assert_int_equal(e.slow.flows_prev, 0);
	assert_int_equal(e.slow.peers_prev, 0);
	assert_int_equal(ff_ctx_slow_flows(&e, 45000000), 1);
	assert_int_equal(ff_ctx_slow_flows(NULL, 45000000), 0);
	assert_int_equal(ff_ctx_slow_bits(NULL, 45000000), 0);
	/* kept by the keys whose features read it */
	assert_true(ff_ctx_kind_slow(FF_CTX_SRC) && ff_ctx_kind_slow(FF_CTX_PAIR));
	assert_false(ff_ctx_kind_slow(FF_CTX_SVC) || ff_ctx_kind_slow(FF_CTX_HOST));
}

/* The counters of issue 13 item 1 (context.h): packets and bytes, the
 * one-packet and failed shares, what each key keeps, the service sketch
 * of a source, the lazy roll against the division it saves. */
static void test_context_counters(void **state)
{
	const __u32 open = FF_CTX_OPEN_MASK(0), syn = FF_CTX_OPEN_MASK(1);
	const __u32 more = FF_CTX_BIT(FF_CTX_MORE), fail = FF_CTX_BIT(FF_CTX_FAIL);
	const __u32 pkt = FF_CTX_BIT(FF_CTX_PKTS);
	struct ff_ctx_entry e, r;
	struct ff_pkt p;
	__u8 addr[16];
	__u64 bits = 0, now;
	int i;

	(void)state;
	memset(&e, 0, sizeof(e));
	/* 10 flows of 100 bytes, 4 of them get a second packet of 50 bytes
	 * (from the initiator), 3 fail */
	for (i = 0; i < 10; i++)
		ff_ctx_add(&e, 1000000, open, 100, 0);
	for (i = 0; i < 4; i++)
		ff_ctx_add(&e, 1010000, more | pkt, 50, 0);
	for (i = 0; i < 3; i++)
		ff_ctx_add(&e, 1020000, fail, 999, 0);	/* no packet: no bytes */
	assert_int_equal(ff_ctx_n(&e, 0, FF_CTX_PKTS, 1050000), 14);
	assert_int_equal(ff_ctx_bytes(&e, 1, 1050000), 10 * 100 + 4 * 50);
	assert_int_equal(ff_ctx_bytes(&e, 0, 1050000), 1200);
	/* the next 100 ms window, 3/4 through: a quarter of the previous */
	assert_int_equal(ff_ctx_bytes(&e, 0, 1175000), 300);
	assert_int_equal(ff_ctx_n(&e, 0, FF_CTX_PKTS, 1175000), 3);
	assert_int_equal(ff_ctx_one_pkt_permille(&e, flows1(&e, 1050000), 1050000), 600);
	assert_int_equal(ff_ctx_share(&e, FF_CTX_FAIL, flows1(&e, 1050000), 1050000), 300);
	/* shares are of the flows, at most all of them; none without flows */
	for (i = 0; i < 20; i++)
		ff_ctx_add(&e, 1030000, fail | more, 0, 0);
	assert_int_equal(ff_ctx_share(&e, FF_CTX_FAIL, flows1(&e, 1050000), 1050000), 1000);
	assert_int_equal(ff_ctx_one_pkt_permille(&e, flows1(&e, 1050000), 1050000), 0);
	assert_int_equal(ff_ctx_one_pkt_permille(&e, flows1(&e, 9000000), 9000000), 0);
	assert_int_equal(ff_ctx_one_pkt_permille(NULL, flows1(NULL, 1050000), 1050000), 0);
	assert_int_equal(ff_ctx_bytes(NULL, 1, 1050000), 0);
	assert_int_equal(ff_ctx_share(&e, FF_CTX_FAIL, flows1(&e, 9000000), 9000000), 0);

	/* what each key keeps: the source its flows, failures and flows with a
	 * second packet, the service no packets (and nothing of an ICMP
	 * unreachable), the host all */
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_SRC, syn | more | pkt | fail),
			 FF_CTX_BIT(FF_CTX_FLOWS) | fail | more);
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_SVC, syn | more | pkt),
			 FF_CTX_BIT(FF_CTX_FLOWS) | FF_CTX_BIT(FF_CTX_SYNS) | more);
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_SVC, fail | FF_CTX_NO_SVC), 0);
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_HOST, fail | FF_CTX_NO_SVC), fail);
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_HOST, syn | pkt), syn | pkt);
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_SRC, pkt), 0);

	/* a source's sketch: one host's ports are many services */
	memset(addr, 0, sizeof(addr));
	addr[0] = 10, addr[3] = 1;
	for (i = 0; i < 300; i++)
		bits |= ff_ctx_svc_bit(addr, 1 + i, FF_IPPROTO_TCP);
	assert_true(ff_ctx_popcount(bits) > 50);
	assert_true(ff_ctx_svc_bit(addr, 80, FF_IPPROTO_TCP) !=
			    ff_ctx_svc_bit(addr, 80, FF_IPPROTO_UDP) ||
		    ff_ctx_svc_bit(addr, 81, FF_IPPROTO_TCP) !=
			    ff_ctx_svc_bit(addr, 81, FF_IPPROTO_UDP));

	/* ICMP unreachables: refused or not delivered, not "fragmentation
	 * needed" (path MTU discovery); ICMPv6 type 1 */
	memset(&p, 0, sizeof(p));
	p.proto = FF_IPPROTO_ICMP, p.icmp_type = 3, p.icmp_code = 3;
	assert_true(ff_ctx_unreachable(&p));
	p.icmp_code = 4;
	assert_false(ff_ctx_unreachable(&p));
	p.icmp_type = 0, p.icmp_code = 0;
	assert_false(ff_ctx_unreachable(&p));
	p.proto = FF_IPPROTO_ICMPV6, p.icmp_type = 1;
	assert_true(ff_ctx_unreachable(&p));
	p.proto = FF_IPPROTO_UDP, p.icmp_type = 3;
	assert_false(ff_ctx_unreachable(&p));

	/* the roll that skips the division within a window gives what
	 * rolling at every add gives, over random times and gaps */
	memset(&e, 0, sizeof(e));
	memset(&r, 0, sizeof(r));
	now = 5000000;
	for (i = 0; i < 20000; i++) {
		__u64 x = (__u64)i * 0x9E3779B97F4A7C15ULL;
		__u32 s;

		now += (x >> 40) % ((i % 97) ? 30000 : 2500000);
		ff_ctx_add(&e, now, open | pkt, i & 1023, 1ULL << (i & 63));
		for (s = 0; s < 2; s++) {	/* the reference: divide every time */
			struct ff_ctx_win *w = &r.w[s];
			__u64 width = ff_ctx_width(s), idx = now / width;
			__u32 c;

			if (idx > w->idx) {
				for (c = 0; c < FF_CTX__N; c++) {
					w->prev[c] = idx == w->idx + 1 ? w->cur[c] : 0;
					w->cur[c] = 0;
				}
				w->bytes_prev = idx == w->idx + 1 ? w->bytes_cur : 0;
				w->peers_prev = idx == w->idx + 1 ? w->peers_cur : 0;
				w->bytes_cur = w->peers_cur = 0;
				w->idx = idx;
			}
			w->cur[FF_CTX_FLOWS]++;
			w->cur[FF_CTX_PKTS]++;
			w->bytes_cur += i & 1023;
			w->peers_cur |= 1ULL << (i & 63);
		}
		ff_ctx_slow_add(&e.slow, now, 1, 1ULL << (i & 63));
		if (now / FF_CTX_SLOW_US > r.slow.idx) {	/* the slow window's */
			__u64 idx = now / FF_CTX_SLOW_US;

			r.slow.flows_prev = idx == r.slow.idx + 1 ? r.slow.flows_cur : 0;
			r.slow.peers_prev = idx == r.slow.idx + 1 ? r.slow.peers_cur : 0;
			r.slow.flows_cur = 0;
			r.slow.peers_cur = 0;
			r.slow.idx = idx;
		}
		r.slow.flows_cur++;
		r.slow.peers_cur |= 1ULL << (i & 63);
		assert_memory_equal(&e, &r, sizeof(e));
	}
}

static void test_arith_helpers(void **state)
{
	(void)state;
	assert_int_equal(ff_div(7, 0), 0);
	assert_int_equal(ff_div(7, 2), 3);
	/* lengths 10, 20, 30: variance 200/3, floored 66; std 8 */
	assert_int_equal(ff_var(60, u128(100 + 400 + 900), 3, FF_VAR_POP), 66);
	assert_int_equal(ff_std(60, u128(1400), 3, FF_VAR_POP), 8);
	/* the sample form: 200/2 = 100, std 10 */
	assert_int_equal(ff_var(60, u128(1400), 3, FF_VAR_SAMPLE), 100);
	assert_int_equal(ff_std(60, u128(1400), 3, FF_VAR_SAMPLE), 10);
	assert_int_equal(ff_var(5, u128(25), 1, FF_VAR_POP), 0);
	assert_int_equal(ff_var(5, u128(25), 1, FF_VAR_SAMPLE), 0);
	/* issue 12: payloads {100, 101}: variance 0.25, std 0.5, both 0
	 * (floor(sq/n) - floor(sum/n)^2 said 100 and 10) */
	assert_int_equal(ff_var(201, u128(100 * 100 + 101 * 101), 2, FF_VAR_POP), 0);
	assert_int_equal(ff_std(201, u128(100 * 100 + 101 * 101), 2, FF_VAR_POP), 0);
	assert_int_equal(ff_rate(10, 2000000), 5);
	assert_int_equal(ff_rate(10, 0), 0);
}

static __u64 rnd64(__u64 *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/* The 128-bit helpers against the compiler's own 128-bit arithmetic. */
static void test_u128_helpers(void **state)
{
	__u64 st = 0x9e3779b97f4a7c15ULL;
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		__u64 a = rnd64(&st) >> (rnd64(&st) & 63), b = rnd64(&st) >> (rnd64(&st) & 63);
		unsigned __int128 x = ((unsigned __int128)rnd64(&st) << 64 | rnd64(&st)) >>
				      (rnd64(&st) & 127);
		struct ff_u128 m = ff_mul64(a, b), q;
		__u64 r, root, d = b ? b : 1;

		assert_true(m.hi == (__u64)(((unsigned __int128)a * b) >> 64));
		assert_true(m.lo == (__u64)((unsigned __int128)a * b));
		r = ff_u128_divmod(u128(x), d, &q);
		assert_true(r == (__u64)(x % d));
		assert_true(q.hi == (__u64)((x / d) >> 64) && q.lo == (__u64)(x / d));
		root = ff_isqrt128(u128(x));
		assert_true((unsigned __int128)root * root <= x);
		assert_true(root == ~0ULL ||
			    (unsigned __int128)(root + 1) * (root + 1) > x);
	}
	assert_int_equal(ff_isqrt128(u128(~(unsigned __int128)0)), ~0ULL);
}

/*
 * Variance and standard deviation, both forms, at the extremes, against
 * Python's exact rationals (an independent implementation): n up to 2^64,
 * sums up to 2^64, sums of squares up to 2^128; a third of the cases with
 * sums below 2^32 and squares below 2^64 (and just above), the 64-bit path.
 */
static void test_stats_exact_vs_python(void **state)
{
	const char *py =
		"import sys\n"
		"from fractions import Fraction\n"
		"from math import isqrt, floor\n"
		"for line in sys.stdin:\n"
		"    n, s, q, m = map(int, line.split())\n"
		"    d = n if m == 0 else n - 1\n"
		"    if n == 0 or d == 0:\n"
		"        print(0, 0); continue\n"
		"    v = Fraction(n * q - s * s, n * d)\n"
		"    fv = max(floor(v), 0)\n"
		"    print(min(fv, 2**64 - 1), isqrt(fv))\n";
	char in[] = "/tmp/ff-stats-in-XXXXXX", cmd[512], line[128];
	__u64 st = 12345, n[400], sum[400];
	struct ff_u128 sq[400];
	__u32 form[400];
	FILE *f, *out;
	int fd, i, cnt = 0;

	(void)state;
	if (system("python3 -c 'import fractions' >/dev/null 2>&1")) {
		skip();	/* no python3: nothing independent to compare with */
		return;
	}
	fd = mkstemp(in);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (i = 0; i < 400; i++) {
		/* consistent moments: n values in [lo, hi] give
		 * n*lo <= sum <= n*hi and sum^2/n <= sq <= n*hi^2 */
		__u64 k = i % 4 == 0 ? ~0ULL >> (rnd64(&st) & 7) : rnd64(&st) >> (rnd64(&st) & 63);
		__u64 vmax = rnd64(&st) >> (rnd64(&st) & 63);

		/* a third of the cases in ff_moment_stat's 64-bit path and
		 * around its edges (sums near 2^32, squares near 2^64) */
		if (i % 3 == 2) {
			k = 1 + rnd64(&st) % (i % 2 ? 200000 : 16);
			vmax = rnd64(&st) % (i % 4 == 1 ? (1ULL << 32) / k + 2 : 70000);
		}
		unsigned __int128 s, q, qmin, qmax;

		if (!k)
			k = 1;
		/* keep sum = k * mean below 2^64 */
		if (vmax && k > ~0ULL / vmax)
			vmax = ~0ULL / k;
		s = (unsigned __int128)k * (rnd64(&st) % (vmax + 1));
		qmin = s * s / k + 1;
		qmax = (unsigned __int128)k * vmax * vmax;
		if (qmax < qmin || vmax > (1ULL << 63) / 2)
			qmax = qmin + rnd64(&st);
		q = qmin + ((((unsigned __int128)rnd64(&st) << 64) | rnd64(&st)) % (qmax - qmin + 1));
		if (i % 5 == 0)
			q = qmin - 1 + (s * s % k == 0);	/* zero variance edge */
		n[i] = k;
		sum[i] = (__u64)s;
		sq[i] = u128(q);
		form[i] = i & 1 ? FF_VAR_SAMPLE : FF_VAR_POP;
		fprintf(f, "%llu %llu ", (unsigned long long)k, (unsigned long long)s);
		/* q as a decimal */
		{
			char dec[64];
			int p = 63;

			dec[p] = 0;
			do {
				dec[--p] = '0' + (int)(q % 10);
				q /= 10;
			} while (q);
			fprintf(f, "%s %u\n", dec + p, form[i]);
		}
		cnt++;
	}
	fclose(f);
	/* the program goes through a file too: no shell quoting */
	{
		char prog[] = "/tmp/ff-stats-py-XXXXXX";
		int pfd = mkstemp(prog);

		assert_true(pfd >= 0);
		assert_int_equal(write(pfd, py, strlen(py)), (ssize_t)strlen(py));
		close(pfd);
		snprintf(cmd, sizeof(cmd), "python3 %s < %s", prog, in);
		out = popen(cmd, "r");
		assert_non_null(out);
		for (i = 0; i < cnt; i++) {
			unsigned long long want_var, want_std;

			assert_non_null(fgets(line, sizeof(line), out));
			assert_int_equal(sscanf(line, "%llu %llu", &want_var, &want_std), 2);
			if (ff_var(sum[i], sq[i], n[i], form[i]) != want_var ||
			    ff_std(sum[i], sq[i], n[i], form[i]) != want_std)
				fail_msg("case %d (n %llu sum %llu form %u): var %llu std %llu, "
					 "python says %llu %llu", i, (unsigned long long)n[i],
					 (unsigned long long)sum[i], form[i],
					 (unsigned long long)ff_var(sum[i], sq[i], n[i], form[i]),
					 (unsigned long long)ff_std(sum[i], sq[i], n[i], form[i]),
					 want_var, want_std);
		}
		assert_int_equal(pclose(out), 0);
		unlink(prog);
	}
	unlink(in);
}

static int parse_spec(const struct pkt_spec *s, struct ff_pkt *p);

/* issue 10 item 6: gaps alternating 1 s and 119 s. The IAT standard
 * deviation is 59 s however long the flow (population; CIC's sample form
 * over 20,000 gaps is 59 s x sqrt(20000/19999) = 59,001,475 us, checked
 * with Python's exact integers); saturating 64-bit sums of squares made
 * it collapse after ~2,600 packets. */
static void test_stats_long_flow_iat(void **state)
{
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	struct pkt_spec s = { .family = 4, .proto = 17, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
			      .sport = 1, .dport = 2, .payload_len = 1 };
	struct ff_flow f = {};
	struct ff_features fv;
	struct ff_pkt p;
	__u64 t = 0;
	int i;

	(void)state;
	cfg.idle_timeout_us = 0;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	for (i = 0; i <= 20000; i++) {
		ff_flow_update(&f, &p, 0, t, &cfg);
		t += i & 1 ? 119000000ULL : 1000000ULL;
	}
	ff_features_compute(&f, &fv);
	assert_int_equal(fv.v[FF_F_FLOW_IAT_MEAN], 60000000);
	assert_int_equal(fv.v[FF_F_FLOW_IAT_STD], 59001475);
	assert_int_equal(fv.v[FF_F_FWD_IAT_STD], 59001475);
}

static int parse_spec(const struct pkt_spec *s, struct ff_pkt *p)
{
	__u8 buf[PKT_MAX_FRAME];
	struct ff_frame fr = { buf, 0 };

	fr.len = pkt_build(s, buf, sizeof(buf));
	assert_true(fr.len > 0);
	memset(p, 0, sizeof(*p));
	return ff_parse(&fr, 0, p);
}

static void test_parse_ipv4_tcp_options(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .saddr = "10.1.2.3", .daddr = "10.4.5.6",
			      .sport = 1234, .dport = 80, .tcp_flags = 0x12, .window = 512,
			      .tcp_opts_len = 12, .ip_opts_len = 8, .payload_len = 100, .ttl = 33 };
	struct ff_pkt p;

	(void)state;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	assert_int_equal(p.family, 4);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.sport, 1234);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.tcp_flags, 0x12);
	assert_int_equal(p.tcp_window, 512);
	assert_int_equal(p.ttl, 33);
	assert_int_equal(p.hdr_len, 28 + 32);
	assert_int_equal(p.payload_len, 100);
	assert_int_equal(p.l3_len, 28 + 32 + 100);
	assert_memory_equal(p.saddr, "\x0a\x01\x02\x03\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}

static void test_parse_ipv6_chain_and_vlans(void **state)
{
	struct pkt_spec s = { .family = 6, .vlans = 2, .proto = 17, .saddr = "2001:db8::1",
			      .daddr = "2001:db8::2", .sport = 53, .dport = 4000, .payload_len = 10,
			      .n_ext = 3, .ext_hdrs = { { PKT_EXT_HOP, 0 }, { PKT_EXT_ROUTING, 1 },
							{ PKT_EXT_DSTOPTS, 2 } } };
	struct ff_pkt p;

	(void)state;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	assert_int_equal(p.vlans, 2);
	assert_int_equal(p.proto, 17);
	assert_int_equal(p.sport, 53);
	assert_int_equal(p.dport, 4000);
	assert_int_equal(p.hdr_len, 40 + 8 + 16 + 24 + 8);
	assert_int_equal(p.payload_len, 10);

	s.vlans = 3;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_UNSUPPORTED);
	s.vlans = 0;
	s.n_ext = 9;
	for (int i = 0; i < 9; i++)
		s.ext_hdrs[i] = (struct pkt_ext){ PKT_EXT_DSTOPTS, 0 };
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_UNSUPPORTED);
}

static void test_parse_fragments(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 17, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
			      .sport = 53, .dport = 999, .payload_len = 64, .more_frags = true };
	struct ff_flow_key k1, k2;
	struct ff_pkt p;

	(void)state;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	assert_int_equal(p.frag, FF_FRAG_FIRST);
	assert_int_equal(p.dport, 999);
	ff_flow_key_make(&p, &k1);
	s.frag_off = 100;
	s.more_frags = false;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	assert_int_equal(p.frag, FF_FRAG_LATER);
	ff_flow_key_make(&p, &k2);
	/* a later fragment never lands in the port flow */
	assert_int_equal(k2.port_a, 0);
	assert_int_equal(k2.port_b, 0);
	assert_int_equal(k2.frag_later, 1);
	assert_memory_not_equal(&k1, &k2, sizeof(k1));

	s.family = 6;
	s.saddr = "fd00::1";
	s.daddr = "fd00::2";
	s.n_ext = 1;
	s.ext_hdrs[0] = (struct pkt_ext){ PKT_EXT_FRAG, 0 };
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	assert_int_equal(p.frag, FF_FRAG_LATER);
	assert_int_equal(p.proto, 17);
	s.frag_off = 0;
	s.more_frags = true;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	assert_int_equal(p.frag, FF_FRAG_FIRST);
	assert_int_equal(p.dport, 999);
}

static void test_parse_bad_frames(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
			      .sport = 1, .dport = 2, .payload_len = 20 };
	__u8 buf[PKT_MAX_FRAME];
	struct ff_frame fr = { buf, 0 };
	struct ff_pkt p;
	size_t n = pkt_build(&s, buf, sizeof(buf)), cut;

	(void)state;
	/* every cut inside the headers is "truncated", never a wrong parse */
	for (cut = 0; cut < 14 + 20 + 20; cut++) {
		fr.len = cut;
		memset(&p, 0, sizeof(p));
		assert_int_equal(ff_parse(&fr, 0, &p), cut < 14 ? FF_PARSE_TRUNCATED
					   : FF_PARSE_TRUNCATED);
	}
	fr.len = n;
	buf[14] = 0x44;		/* IHL 4 */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_MALFORMED);
	buf[14] = 0x55;		/* version 5 */
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_MALFORMED);
	buf[14] = 0x45;
	buf[16] = 0;
	buf[17] = 30;		/* tot_len smaller than IP + TCP headers */
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_MALFORMED);
	fr.len = pkt_arp(buf, sizeof(buf));
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_NOT_IP);
}

static void make_key(const char *sa, __u16 sp, const char *da, __u16 dp,
		     struct ff_flow_key *k, int *from_b)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .saddr = sa, .daddr = da, .sport = sp,
			      .dport = dp };
	struct ff_pkt p;

	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	*from_b = ff_flow_key_make(&p, k);
}

static void test_flow_key_canonical(void **state)
{
	struct ff_flow_key k1, k2, k3;
	int b1, b2, b3;

	(void)state;
	make_key("10.0.0.1", 1000, "10.0.0.2", 80, &k1, &b1);
	make_key("10.0.0.2", 80, "10.0.0.1", 1000, &k2, &b2);
	make_key("10.0.0.1", 80, "10.0.0.2", 1000, &k3, &b3);
	assert_memory_equal(&k1, &k2, sizeof(k1));	/* both directions: one key */
	assert_int_not_equal(b1, b2);
	assert_memory_not_equal(&k1, &k3, sizeof(k1));	/* port swap: two flows */
	/* same address on both sides: the port decides */
	make_key("10.0.0.1", 9, "10.0.0.1", 5, &k1, &b1);
	assert_int_equal(b1, 1);
	assert_int_equal(k1.port_a, 5);
}

static void test_flow_update_checkpoints(void **state)
{
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	struct pkt_spec s = { .family = 4, .proto = 6, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
			      .sport = 1000, .dport = 80, .tcp_flags = 0x10, .payload_len = 10 };
	struct ff_flow f = {};
	struct ff_pkt p;
	int n, cps = 0, cp;

	(void)state;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	for (n = 1; n <= 3000; n++) {
		cp = ff_flow_update(&f, &p, 0, 1000 + n * 10, &cfg);
		if (cp)
			cps++;
		if (n == 1 || n == 2 || n == 4 || n == 1024 || n == 2048 || n == 3072)
			assert_int_equal(cp, FF_CP_COUNT);
		if (n == 3 || n == 5 || n == 1025 || n == 2047)
			assert_int_equal(cp, 0);
	}
	assert_int_equal(cps, 11 + 1);	/* 1..1024, then 2048 */
	assert_int_equal(f.dir[0].pkts, 3000);
	assert_int_equal(f.dir[0].iat_min, 10);
	assert_int_equal(f.dir[0].iat_max, 10);
	assert_int_equal(f.iat_sum, 2999 * 10);
	assert_int_equal(f.last_us - f.first_us, 29990);

	p.tcp_flags = FF_TCP_FIN | FF_TCP_ACK;
	cp = ff_flow_update(&f, &p, 0, 40000, &cfg);
	assert_int_equal(cp, FF_CP_FIN);
	cfg.cp_flags = 0;
	assert_int_equal(ff_flow_update(&f, &p, 0, 40001, &cfg), 0);

	/* idle timeout: a packet after the silence starts over */
	assert_false(ff_flow_expired(&f, 40001 + cfg.idle_timeout_us, &cfg));
	assert_true(ff_flow_expired(&f, 40002 + cfg.idle_timeout_us, &cfg));
	cfg.idle_timeout_us = 0;
	assert_false(ff_flow_expired(&f, ~0ULL, &cfg));
}

/* issue 10 item 4: a packet count that steps over a checkpoint (two CPUs
 * updating one flow) still fires, and the schedule goes on. */
static void test_checkpoint_count_jumps(void **state)
{
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	struct pkt_spec s = { .family = 4, .proto = 17, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
			      .sport = 1, .dport = 2 };
	struct ff_flow f = {};
	struct ff_pkt p;
	int n, cps = 0;

	(void)state;
	cfg.cp_flags = 0;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	for (n = 1; n <= 3; n++)
		assert_int_not_equal(ff_flow_update(&f, &p, 0, n, &cfg), n == 3 ? 1 : 0);
	f.dir[FF_DIR_BWD].pkts++;	/* another CPU's packet: 3 -> 5 */
	assert_int_equal(ff_flow_update(&f, &p, 0, 5, &cfg), FF_CP_COUNT);
	assert_int_equal(f.cp_due, 8);
	/* jump over several listed checkpoints at once: 6 -> 600 */
	f.dir[FF_DIR_BWD].pkts += 594;
	assert_int_equal(ff_flow_update(&f, &p, 0, 6, &cfg), FF_CP_COUNT);
	assert_int_equal(f.cp_due, 1024);
	/* and over a periodic one: 2047 -> 2049 */
	f.dir[FF_DIR_BWD].pkts = 2047 - f.dir[FF_DIR_FWD].pkts - 1;
	assert_int_equal(ff_flow_update(&f, &p, 0, 7, &cfg), FF_CP_COUNT);	/* 1024 passed */
	assert_int_equal(f.cp_due, 2048);
	f.dir[FF_DIR_BWD].pkts++;
	assert_int_equal(ff_flow_update(&f, &p, 0, 8, &cfg), FF_CP_COUNT);	/* 2049 */
	assert_int_equal(f.cp_due, 3072);
	/* a 100,000-packet flow whose count steps over 256 keeps its 99
	 * later checkpoints (the old `n == checkpoint` test: none) */
	memset(&f, 0, sizeof(f));
	for (n = 1; n <= 100000; n++) {
		if (n == 256)
			f.dir[FF_DIR_BWD].pkts++;	/* 255 -> 257 */
		if (ff_flow_update(&f, &p, 0, n, &cfg) && ff_flow_pkts(&f) > 256)
			cps++;
	}
	assert_int_equal(cps, 1 + 2 + 96);	/* 257, 512, 1024, 2048 ... 99328 */
}

/* issue 10 item 5: a packet older than the flow's last one does not turn
 * the clock back: IAT 0, duration never wraps. */
static void test_flow_clock_monotonic(void **state)
{
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	struct pkt_spec s = { .family = 4, .proto = 17, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
			      .sport = 1, .dport = 2 };
	struct ff_flow f = {};
	struct ff_features fv;
	struct ff_pkt p;

	(void)state;
	assert_int_equal(parse_spec(&s, &p), FF_PARSE_OK);
	ff_flow_update(&f, &p, 0, 5000, &cfg);
	ff_flow_update(&f, &p, 1, 1000, &cfg);	/* bwd, older than the first */
	ff_flow_update(&f, &p, 0, 3000, &cfg);
	ff_features_compute(&f, &fv);
	assert_int_equal(f.last_us, 5000);
	assert_int_equal(fv.v[FF_F_FLOW_DURATION], 0);
	assert_int_equal(fv.v[FF_F_FLOW_IAT_MAX], 0);
	assert_int_equal(fv.v[FF_F_FLOW_IAT_STD], 0);
	assert_int_equal(fv.v[FF_F_FWD_IAT_TOTAL], 0);
	assert_int_equal(f.dir[FF_DIR_BWD].last_us, 5000);
	ff_flow_update(&f, &p, 1, 7000, &cfg);
	ff_features_compute(&f, &fv);
	assert_int_equal(fv.v[FF_F_FLOW_DURATION], 2000);
	assert_int_equal(fv.v[FF_F_BWD_IAT_TOTAL], 2000);
}

/* issue 10 items 7 and 8: IP lengths bounded by the frame (the original
 * length for a snapped capture), IPv6 lengths past 65,495, later IPv6
 * fragments that do not walk their payload as headers. */
static void test_parse_lengths_bounded(void **state)
{
	struct pkt_spec s4 = { .family = 4, .proto = 6, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
			       .sport = 1, .dport = 2 };
	struct pkt_spec s6 = { .family = 6, .proto = 17, .saddr = "fd00::1", .daddr = "fd00::2",
			       .sport = 1, .dport = 2, .payload_len = 100 };
	__u8 buf[PKT_MAX_FRAME];
	struct ff_frame fr = { buf, 0, 0 };
	struct ff_pkt p;

	(void)state;
	/* a 54-byte frame claiming 65,535 IP bytes */
	fr.len = pkt_build(&s4, buf, sizeof(buf));
	assert_int_equal(fr.len, 54);
	buf[16] = 0xff;
	buf[17] = 0xff;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_MALFORMED);
	/* the same bytes as a capture snapped at 54 of 65,549 */
	fr.wire_len = 14 + 65535;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_OK);
	assert_int_equal(p.payload_len, 65535 - 40);
	/* Ethernet padding (frame longer than the IP packet) is fine */
	fr.len = pkt_build(&s4, buf, sizeof(buf));
	fr.wire_len = 0;
	memset(buf + fr.len, 0, 6);
	fr.len += 6;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_OK);
	assert_int_equal(p.l3_len, 40);

	/* IPv6 payload length 65,500: 65,540 IP bytes (a 16-bit l3_len wrapped) */
	fr.len = pkt_build(&s6, buf, sizeof(buf));
	buf[18] = 65500 >> 8;
	buf[19] = 65500 & 0xff;
	fr.wire_len = 14 + 40 + 65500;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_OK);
	assert_int_equal(p.l3_len, 65540);
	assert_int_equal(p.payload_len, 65540 - 48);
	fr.wire_len = 0;
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_MALFORMED);

	/* A later fragment of a datagram whose fragmentable part starts with
	 * destination options: the fragment header says 60, and the bytes
	 * after it are payload, whatever they look like. */
	s6.n_ext = 2;
	s6.ext_hdrs[0] = (struct pkt_ext){ PKT_EXT_FRAG, 0 };
	s6.ext_hdrs[1] = (struct pkt_ext){ PKT_EXT_DSTOPTS, 0 };
	s6.frag_off = 10;
	fr.len = pkt_build(&s6, buf, sizeof(buf));
	fr.wire_len = 0;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_OK);
	assert_int_equal(p.frag, FF_FRAG_LATER);
	assert_int_equal(p.proto, 60);
	assert_int_equal(p.hdr_len, 48);
	/* payload that looks like a routing header claiming 2 KiB: still
	 * the same flow, not "unparseable" */
	buf[14 + 48] = 6;
	buf[14 + 48 + 1] = 255;
	memset(&p, 0, sizeof(p));
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_OK);
	assert_int_equal(p.proto, 60);
}

static void test_features_directions(void **state)
{
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	struct pkt_spec fwd = { .family = 4, .proto = 6, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
				.sport = 1000, .dport = 80, .tcp_flags = 0x02, .window = 100 };
	struct pkt_spec bwd = fwd;
	struct ff_features v;
	struct ff_flow_key k;
	struct ff_flow f = {};
	struct ff_pkt p;
	int from_b;

	(void)state;
	bwd.saddr = fwd.daddr;
	bwd.daddr = fwd.saddr;
	bwd.sport = 80;
	bwd.dport = 1000;
	bwd.tcp_flags = 0x12;
	bwd.window = 200;
	bwd.payload_len = 0;
	parse_spec(&fwd, &p);
	from_b = ff_flow_key_make(&p, &k);
	ff_flow_update(&f, &p, from_b, 100, &cfg);		/* SYN */
	parse_spec(&bwd, &p);
	from_b = ff_flow_key_make(&p, &k);
	ff_flow_update(&f, &p, from_b, 150, &cfg);		/* SYN-ACK */
	fwd.tcp_flags = 0x18;
	fwd.payload_len = 300;
	parse_spec(&fwd, &p);
	from_b = ff_flow_key_make(&p, &k);
	ff_flow_update(&f, &p, from_b, 180, &cfg);		/* ACK + data */
	ff_features_compute(&f, &v);

	assert_int_equal(v.v[FF_F_DST_PORT], 80);
	assert_int_equal(v.v[FF_F_FWD_PKTS], 2);
	assert_int_equal(v.v[FF_F_BWD_PKTS], 1);
	assert_int_equal(v.v[FF_F_FWD_BYTES], 300);
	assert_int_equal(v.v[FF_F_FWD_LEN_MEAN], 150);
	assert_int_equal(v.v[FF_F_FWD_LEN_STD], 212);	/* sample: 300 / sqrt(2) */
	assert_int_equal(v.v[FF_F_FLOW_DURATION], 80);
	assert_int_equal(v.v[FF_F_FLOW_IAT_MIN], 30);
	assert_int_equal(v.v[FF_F_FLOW_IAT_MAX], 50);
	assert_int_equal(v.v[FF_F_FWD_IAT_TOTAL], 80);
	assert_int_equal(v.v[FF_F_FWD_INIT_WIN], 100);
	assert_int_equal(v.v[FF_F_BWD_INIT_WIN], 200);
	assert_int_equal(v.v[FF_F_SYN_COUNT], 2);
	assert_int_equal(v.v[FF_F_ACK_COUNT], 2);
	assert_int_equal(v.v[FF_F_FWD_PSH_FLAGS], 1);
	assert_int_equal(v.v[FF_F_TCP_SYNACK], 50);
	assert_int_equal(v.v[FF_F_TCP_ACKDAT], 30);
	assert_int_equal(v.v[FF_F_FLOW_PKTS_PER_S], 3 * 1000000 / 80);
	assert_int_equal(v.v[FF_F_FWD_ACT_DATA_PKTS], 1);
	assert_int_equal(v.v[FF_F_FWD_SEG_MIN], 20);	/* the TCP header alone, as CIC */
	assert_int_equal(v.v[FF_F_FWD_HDR_LEN], 40);
	assert_int_equal(v.v[FF_F_DOWN_UP_RATIO], 0);
}

static void test_feature_table(void **state)
{
	int i, j;

	(void)state;
	assert_true(FF_NUM_FEATURES >= 40);
	for (i = 0; i < FF_NUM_FEATURES; i++) {
		assert_int_equal(ff_feature_lookup(ff_feature_table[i].name), i);
		if (ff_feature_table[i].cic[0])
			assert_int_equal(ff_feature_lookup(ff_feature_table[i].cic), i);
		for (j = 0; j < i; j++)
			assert_string_not_equal(ff_feature_table[i].name, ff_feature_table[j].name);
	}
	assert_int_equal(ff_feature_lookup("flow iat mean"), FF_F_FLOW_IAT_MEAN);
	assert_int_equal(ff_feature_lookup("no such feature"), -1);
}

static void test_labels(void **state)
{
	struct ff_labels l = { .default_label = "benign" };
	struct ff_flow_key k;
	char err[256];
	int from_b;

	(void)state;
	assert_int_equal(ff_labels_add(&l, "scan:src=10.9.0.0/16,proto=tcp", err, sizeof(err)), 0);
	assert_int_equal(ff_labels_add(&l, "web:dport=80", err, sizeof(err)), 0);
	assert_int_equal(ff_labels_add(&l, "late:time=100-200.5", err, sizeof(err)), 0);
	assert_int_not_equal(ff_labels_add(&l, "x:src=10.0.0.0/33", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "src"));
	assert_int_not_equal(ff_labels_add(&l, "x:colour=blue", err, sizeof(err)), 0);
	assert_non_null(strstr(err, "unknown key"));
	assert_int_not_equal(ff_labels_add(&l, "x:dport=70000", err, sizeof(err)), 0);
	assert_int_not_equal(ff_labels_add(&l, ":dport=1", err, sizeof(err)), 0);

	make_key("10.9.3.4", 5555, "10.0.0.2", 80, &k, &from_b);
	assert_string_equal(ff_labels_match(&l, &k, from_b, 0), "scan");
	make_key("10.8.3.4", 5555, "10.0.0.2", 80, &k, &from_b);
	assert_string_equal(ff_labels_match(&l, &k, from_b, 0), "web");
	/* the initiator decides src/dst, not the key order */
	make_key("10.0.0.2", 80, "10.9.3.4", 5555, &k, &from_b);
	assert_string_equal(ff_labels_match(&l, &k, from_b, 0), "benign");
	assert_string_equal(ff_labels_match(&l, &k, from_b, 150 * 1000000ULL), "late");
	ff_labels_free(&l);
}

/* ---- model files ---- */

#define MODEL_HEAD "{\"format\":\"flowforest-model\",\"version\":1," \
	"\"features\":[{\"name\":\"dst_port\",\"unit\":\"id\"},{\"name\":\"fwd_pkts\",\"unit\":\"count\"}]," \
	"\"classes\":[{\"name\":\"benign\",\"action\":\"pass\"},{\"name\":\"bad\",\"action\":\"drop\"}],"

static const char good_model[] = MODEL_HEAD
	"\"trees\":[{\"nodes\":[{\"feature\":0,\"threshold\":80,\"left\":1,\"right\":2},"
	"{\"class\":0},{\"feature\":1,\"threshold\":3,\"left\":3,\"right\":4},{\"class\":0},"
	"{\"class\":1,\"weight\":2}]}],\"provenance\":{\"by\":\"test\"}}";

static void test_model_good_and_roundtrip(void **state)
{
	struct ff_model m, m2;
	__u64 v[FF_MAX_FEATURES] = {};
	char err[256], path[] = "/tmp/ff-unit-model-XXXXXX";
	__u32 score;
	int fd;

	(void)state;
	assert_int_equal(ff_model_parse(good_model, strlen(good_model), &m, err, sizeof(err)), 0);
	assert_int_equal(m.n_trees, 1);
	assert_int_equal(m.n_nodes, 5);
	assert_int_equal(m.max_depth, 2);
	assert_int_equal(m.actions[1], FF_ACT_DROP);
	v[FF_F_DST_PORT] = 80;
	assert_int_equal(ff_model_predict(&m, v, &score), 0);
	v[FF_F_DST_PORT] = 81;
	v[FF_F_FWD_PKTS] = 3;
	assert_int_equal(ff_model_predict(&m, v, &score), 0);
	v[FF_F_FWD_PKTS] = 4;
	assert_int_equal(ff_model_predict(&m, v, &score), 1);
	assert_int_equal(score, 1000);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ff_model_save(&m, path, err, sizeof(err)), 0);
	assert_int_equal(ff_model_load(path, &m2, err, sizeof(err)), 0);
	assert_int_equal(m2.n_nodes, m.n_nodes);
	assert_memory_equal(m2.nodes, m.nodes, m.n_nodes * sizeof(*m.nodes));
	assert_memory_equal(m2.roots, m.roots, sizeof(m.roots));
	assert_string_equal(m2.provenance, "{\"by\":\"test\"}");
	unlink(path);
	ff_model_free(&m);
	ff_model_free(&m2);
}

static void test_model_bad_files(void **state)
{
	static const struct { const char *json, *why; } bad[] = {
		{ "", "not valid JSON" },
		{ "{", "not valid JSON" },
		{ "[]", "must be a JSON object" },
		{ "{\"format\":\"x\"}", "\"format\"" },
		{ "{\"format\":\"flowforest-model\",\"version\":3}", "version" },
		{ "{\"format\":\"flowforest-model\",\"version\":1,\"features\":[{\"name\":\"nope\",\"unit\":\"id\"}]}",
		  "unknown feature" },
		{ "{\"format\":\"flowforest-model\",\"version\":1,\"features\":[{\"name\":\"dst_port\",\"unit\":\"us\"}]}",
		  "does not match" },
		{ MODEL_HEAD "\"trees\":[]}", "\"trees\"" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[]}]}", "non-empty" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"feature\":0,\"threshold\":1,\"left\":1,\"right\":5},{\"class\":0}]}]}",
		  "out of range" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"feature\":7,\"threshold\":1,\"left\":1,\"right\":1},{\"class\":0}]}]}",
		  "feature 7 out of range" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"feature\":0,\"threshold\":1,\"left\":0,\"right\":1},{\"class\":0}]}]}",
		  "reached twice" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"feature\":0,\"threshold\":1,\"left\":1,\"right\":1},{\"class\":0}]}]}",
		  "reached twice" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"class\":2}]}]}", "out of range" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"feature\":0,\"threshold\":-1,\"left\":1,\"right\":2},{\"class\":0},{\"class\":1}]}]}",
		  "threshold" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"feature\":0,\"threshold\":1.5,\"left\":1,\"right\":2},{\"class\":0},{\"class\":1}]}]}",
		  "threshold" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"class\":0},{\"class\":1}]}]}", "belongs to no tree" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"class\":0,\"weight\":0}]}]}", "weight" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"class\":0}]}]} trailing", "trailing" },
		{ MODEL_HEAD "\"trees\":[{\"nodes\":[{\"leaf\":0}]}]}", "needs \"class\"" },
	};
	struct ff_model m;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = ff_model_parse(bad[i].json, strlen(bad[i].json), &m, err, sizeof(err));

		if (rc == 0 || !strstr(err, bad[i].why))
			fail_msg("case %zu: rc=%d err='%s', wanted '%s'", i, rc, err, bad[i].why);
	}
}

static void test_model_depth_limit(void **state)
{
	/* a chain of depth 33 is refused, 32 accepted */
	char *buf = malloc(1 << 16), *p;
	struct ff_model m;
	char err[256];
	int depth, d, rc;

	(void)state;
	for (depth = 32; depth <= 33; depth++) {
		/* internal node d at index 2d, its left leaf at 2d+1, the
		 * chain continues at 2d+2 */
		p = buf + sprintf(buf, MODEL_HEAD "\"trees\":[{\"nodes\":[");
		for (d = 0; d < depth; d++)
			p += sprintf(p, "{\"feature\":0,\"threshold\":%d,\"left\":%d,\"right\":%d},{\"class\":0},",
				     d, 2 * d + 1, 2 * d + 2);
		p += sprintf(p, "{\"class\":1}]}]}");
		rc = ff_model_parse(buf, p - buf, &m, err, sizeof(err));
		if (depth == 32) {
			assert_int_equal(rc, 0);
			assert_int_equal(m.max_depth, 32);
			ff_model_free(&m);
		} else {
			assert_int_not_equal(rc, 0);
			assert_non_null(strstr(err, "deeper"));
		}
	}
	free(buf);
}

/* The instructions of function `name` in the BPF object `path`, into *out
 * (n of them, malloc'd): 0, or -1 when not found. */
static int bpf_func_insns(const char *path, const char *name, struct bpf_insn **out, size_t *n)
{
	int fd = open(path, O_RDONLY), rc = -1;
	Elf_Scn *scn = NULL;
	Elf *e;

	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE || !(e = elf_begin(fd, ELF_C_READ, NULL))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (rc < 0 && (scn = elf_nextscn(e, scn))) {
		Elf_Data *d = elf_getdata(scn, NULL);
		GElf_Shdr sh;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !d)
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			Elf_Data *td;
			GElf_Sym sym;

			if (!gelf_getsym(d, (int)i, &sym) ||
			    strcmp(elf_strptr(e, sh.sh_link, sym.st_name) ?: "", name))
				continue;
			td = elf_getdata(elf_getscn(e, sym.st_shndx), NULL);
			*n = sym.st_size / sizeof(**out);
			*out = td ? malloc(sym.st_size + 1) : NULL;
			if (*out) {
				memcpy(*out, (const char *)td->d_buf + sym.st_value, sym.st_size);
				rc = 0;
			}
			break;
		}
	}
	elf_end(e);
	close(fd);
	return rc;
}

/* The longest run of one-byte loads of consecutive offsets from one base
 * register in function `name` of the BPF object `path`; -1: not found. */
static int bpf_byte_load_run(const char *path, const char *name)
{
	struct bpf_insn *in;
	size_t a, b, n;
	int best = 0;

	if (bpf_func_insns(path, name, &in, &n))
		return -1;
	for (a = 0; a < n; a++) {
		int run = 1;

		if (in[a].code != (BPF_LDX | BPF_MEM | BPF_B))
			continue;
		for (b = 0; b < n; b++)	/* the next offset, anywhere in the function */
			if (in[b].code == in[a].code && in[b].src_reg == in[a].src_reg &&
			    in[b].off == in[a].off + run) {
				run++;
				b = (size_t)-1;
			}
		if (run > best)
			best = run;
	}
	free(in);
	return best;
}

/* Instructions of class `cls` (BPF_CLASS()) in function `name` of the BPF
 * object `path`; -1: not found. */
static int bpf_class_count(const char *path, const char *name, __u8 cls)
{
	struct bpf_insn *in;
	size_t i, n;
	int k = 0;

	if (bpf_func_insns(path, name, &in, &n))
		return -1;
	for (i = 0; i < n; i++)
		k += BPF_CLASS(in[i].code) == cls;
	free(in);
	return k;
}

/* A checkpoint's statistics read their 128-bit sums of squares as two
 * words: a struct ff_u128 passed by value reached clang's BPF backend as a
 * copy one byte at a time (runs of 16 one-byte loads, 7 of them per
 * checkpoint; features.h, ff_var and ff_std). */
static void test_bpf_checkpoint_word_loads(void **state)
{
	int run = bpf_byte_load_run("build/flowforest.bpf.o", "ff_checkpoint");

	(void)state;
	if (run < 0) {
		skip();
		return;
	}
	assert_in_range(run, 1, 4);	/* at most a few adjacent one-byte fields */
}

/* The BPF object is built for the v3 instruction set (-mcpu=v3, Makefile):
 * 32-bit ALU and jump instructions. Built for v1, every 32-bit value was
 * widened by shift pairs and compared in 64 bits: the 32 x 12 model at
 * every packet cost 5 % more per packet and ff_xdp 196,795 verified
 * instructions against 139,848. */
static void test_bpf_object_v3(void **state)
{
	int jmp32 = bpf_class_count("build/flowforest.bpf.o", "ff_track", BPF_JMP32);
	int alu32 = bpf_class_count("build/flowforest.bpf.o", "ff_checkpoint", BPF_ALU);

	(void)state;
	if (jmp32 < 0 || alu32 < 0) {
		skip();
		return;
	}
	assert_true(jmp32 > 0);
	assert_true(alu32 > 0);
}

/* Every context feature names the entry it reads (ff_feature_ctx_kind),
 * and a model's flags say which entries its features read: those alone are
 * looked up at its checkpoints (track.h). */
static void test_model_ctx_kinds(void **state)
{
	const __u32 fids[] = { FF_F_CTX_PAIR_FLOWS_1S, FF_F_CTX_SRC_ONE_PKT_SHARE, FF_F_DST_PORT };
	struct ff_xnode t[3];
	struct ff_model m;
	char err[256];
	__u32 i;

	(void)state;
	for (i = 0; i < FF_NUM_FEATURES; i++)
		assert_int_equal(ff_feature_ctx_kind((int)i) > 0,
				 !strcmp(ff_feature_table[i].dir, "ctx"));
	assert_int_equal(ff_feature_ctx_kind(FF_F_CTX_SVC_HALF_OPEN_1S), FF_CTX_SVC);
	assert_int_equal(ff_feature_ctx_kind(FF_F_CTX_HOST_BYTES_1S), FF_CTX_HOST);
	memset(&m, 0, sizeof(m));
	m.n_classes = 1;
	snprintf(m.class_names[0], FF_NAME_MAX, "benign");
	for (i = 0; i < FF_ARRAY_SIZE(fids); i++) {
		memset(t, 0, sizeof(t));
		t[0].feature = fids[i];
		t[0].left = 1;
		t[0].right = 2;
		t[1].feature = t[2].feature = FF_NODE_LEAF;
		t[1].right = t[2].right = 1;
		assert_int_equal(ff_model_add_tree(&m, t, 3, err, sizeof(err)), 0);
	}
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
	assert_int_equal(m.flags, FF_MODEL_F_CTX | FF_MODEL_F_CTX_KIND(FF_CTX_PAIR) |
					  FF_MODEL_F_CTX_KIND(FF_CTX_SRC));
	assert_int_equal(ff_model_ctx_kinds(m.flags),
			 FF_MODEL_F_CTX_KIND(FF_CTX_PAIR) | FF_MODEL_F_CTX_KIND(FF_CTX_SRC));
	assert_int_equal(ff_model_ctx_kinds(FF_MODEL_F_CTX), FF_MODEL_F_CTX_KINDS);
	assert_int_equal(ff_model_ctx_kinds(0), 0);
	ff_model_free(&m);
}

/* A row derived from another (features.h FF_SAME_FEATURES, the packet
 * lengths' standard deviation from their variance) has the same value as
 * when computed itself: the same expression, and ff_features_compute_set()
 * on any set (every row, random ones, a row without its source) gives what
 * ff_features_compute() gives, on flow states of random bytes (saturated
 * variances, inconsistent sums) as well as on real ones. */
static void test_features_derived_rows(void **state)
{
	static const __u32 pairs[][2] = {
#define FF_X_PAIR(a, src) { FF_F_##a, FF_F_##src },
		FF_SAME_FEATURES(FF_X_PAIR)
#undef FF_X_PAIR
	};
	struct ff_features all, some;
	struct ff_feature_set set;
	struct ff_flow f;
	__u64 st = 777;
	unsigned i, k, r;

	(void)state;
	for (i = 0; i < FF_ARRAY_SIZE(pairs); i++)
		assert_string_equal(ff_feature_table[pairs[i][0]].expr,
				    ff_feature_table[pairs[i][1]].expr);
	for (r = 0; r < 3000; r++) {
		__u8 *b = (__u8 *)&f;

		for (k = 0; k < sizeof(f); k++)
			b[k] = (__u8)rnd64(&st);
		if (r % 2) {	/* a consistent flow: lengths of one size */
			__u64 n = 1 + rnd64(&st) % 100000, len = rnd64(&st) % 1500;

			f.dir[FF_DIR_FWD].pkts = n;
			f.dir[FF_DIR_FWD].len_sum = n * len;
			f.dir[FF_DIR_FWD].len_sq = (struct ff_u128){ 0, n * len * len + r % 3 };
			f.dir[FF_DIR_BWD] = f.dir[FF_DIR_FWD];
		}
		ff_features_compute(&f, &all);
		set.w[0] = rnd64(&st) | (r % 3 ? 0 : ~0ULL);
		set.w[1] = rnd64(&st) | (r % 3 ? 0 : ~0ULL);
		if (r % 4 == 1)	/* the source without the derived row */
			set.w[FF_F_PKT_LEN_STD >> 6] &= ~(1ULL << (FF_F_PKT_LEN_STD & 63));
		memset(&some, 0xa5, sizeof(some));
		ff_features_compute_set(&f, &some, &set);
		for (k = 0; k < FF_NUM_FLOW_FEATURES; k++)
			if (ff_fset_has(&set, k) && some.v[k] != all.v[k])
				fail_msg("round %u: %s %llu, computed alone %llu", r,
					 ff_feature_table[k].name, (unsigned long long)some.v[k],
					 (unsigned long long)all.v[k]);
	}
}

/* docs/features.md is generated from the table: it must be current. */
static void test_features_doc_current(void **state)
{
	char *gen = NULL, *disk;
	size_t gen_len = 0;
	long disk_len;
	FILE *f = open_memstream(&gen, &gen_len);

	(void)state;
	ff_features_write_markdown(f);
	fclose(f);
	f = fopen("docs/features.md", "r");
	if (!f) {
		free(gen);
		skip();
		return;
	}
	fseek(f, 0, SEEK_END);
	disk_len = ftell(f);
	rewind(f);
	disk = malloc(disk_len + 1);
	assert_int_equal(fread(disk, 1, disk_len, f), disk_len);
	fclose(f);
	/* the generated part, then only the conformance report `make docs`
	 * appends (it needs the dataset, so it is checked where it runs) */
	if ((size_t)disk_len < gen_len || memcmp(disk, gen, gen_len) ||
	    ((size_t)disk_len > gen_len &&
	     strncmp(disk + gen_len, "\n## Conformance with CIC-IDS2017", 32)))
		fail_msg("docs/features.md is out of date: run `make docs`");
	free(disk);
	free(gen);
}

/* The one strict number parser: the whole string, decimal, finite, in
 * range; strtoul/strtod alone take spaces, signs, hex, nan and inf. */
static void test_strict_numbers(void **state)
{
	static const char *const bad_uint[] = {
		"", " 1", "1 ", "+1", "-1", "0x10", "1e3", "1.0", "abc", "18446744073709551616",
	};
	static const char *const bad_real[] = {
		"", "nan", "NAN", "inf", "-inf", "infinity", " 1", "1 ", "0x1p3", "1e999", "1,5",
		"--1", "e", ".",
	};
	unsigned long long u;
	double d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_uint) / sizeof(bad_uint[0]); i++)
		if (!ff_parse_uint(bad_uint[i], 0, ~0ULL, &u))
			fail_msg("uint '%s' accepted", bad_uint[i]);
	for (i = 0; i < sizeof(bad_real) / sizeof(bad_real[0]); i++)
		if (!ff_parse_real(bad_real[i], -1e300, 1e300, &d))
			fail_msg("real '%s' accepted", bad_real[i]);
	assert_int_equal(ff_parse_uint("18446744073709551615", 0, ~0ULL, &u), 0);
	assert_true(u == ~0ULL);
	assert_int_equal(ff_parse_uint("007", 1, 7, &u), 0);
	assert_int_equal(u, 7);
	assert_int_equal(ff_parse_uint("8", 1, 7, &u), -1);
	assert_int_equal(ff_parse_uint("0", 1, 7, &u), -1);
	assert_int_equal(ff_parse_real("1e-7", 0, 1e9, &d), 0);
	assert_true(d == 1e-7);
	assert_int_equal(ff_parse_real("2.5", 0, 2, &d), -1);
	assert_int_equal(ff_parse_real("-0.5", -1, 0, &d), 0);
}

/* Interface names become paths: one check, and the pin directory is never
 * built from a name that is not one path component. */
static void test_interface_names(void **state)
{
	static const char *const bad[] = {
		"", ".", "..", "a/b", "../x", "/", "a b", "tab\t", "nl\n", "del\x7f",
		"abcdefghijklmnop",
	};
	static const char *const good[] = { "eth0", "lo", "veth-ff.1", "br:0", "abcdefghijklmno" };
	char err[128], dir[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!ff_ifname_check(bad[i], err, sizeof(err)))
			fail_msg("'%s' accepted", bad[i]);
		if (!ff_pin_dir(bad[i], dir, sizeof(dir)))
			fail_msg("pin directory built from '%s': %s", bad[i], dir);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (ff_ifname_check(good[i], err, sizeof(err)))
			fail_msg("'%s' refused: %s", good[i], err);
		assert_int_equal(ff_pin_dir(good[i], dir, sizeof(dir)), 0);
	}
	assert_false(ff_pinned_exists(".."));
	assert_int_equal(ff_pinned_stop("..", err, sizeof(err)), -1);
}

/* The benchmarks' forests are laid out once when built, as a model file is
 * when loaded: user space's ff_model_run() would otherwise lay out a model
 * built by hand at every call, and the twin's cost in bench_pipeline's mix
 * was that (2.5 us per packet instead of 0.15). */
static void test_bench_forests_laid_out(void **state)
{
	struct ff_model m;
	__u64 fv[FF_MAX_FEATURES] = { 0 };
	struct ff_verdict v;

	(void)state;
	assert_int_equal(comb_forest(&m, 32, 12), 0);
	assert_non_null(m.knodes);
	ff_model_free(&m);
	assert_int_equal(flood_forest(&m, 32, 12, 80), 0);
	assert_non_null(m.knodes);
	/* its verdicts are the packet's: the first-packet memo keeps them */
	assert_false(m.flags & FF_MODEL_F_CTX);
	fv[FF_F_DST_PORT] = 80;		/* the flood */
	ff_model_run(&m, 1, fv, &v);
	assert_int_equal(v.cls, 1);
	fv[FF_F_DST_PORT] = 5001;	/* the established flows */
	ff_model_run(&m, 1, fv, &v);
	assert_int_equal(v.cls, 0);
	ff_model_free(&m);
	assert_int_equal(flood_forest_ctx(&m, 32, 12, 80), 0);
	assert_true(m.flags & FF_MODEL_F_CTX);
	fv[FF_F_DST_PORT] = 80;
	ff_model_run(&m, 1, fv, &v);
	assert_int_equal(v.cls, 1);
	ff_model_free(&m);
}

/* A SYN flood of 200 spoofed sources and a completed handshake through the
 * user-space sequence (utrack: extract, the twin) under `m`: the context
 * slots it left in use. */
static unsigned utrack_ctx_slots(const struct ff_model *m, bool exporting)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .saddr = "192.0.2.70",
			      .daddr = "10.9.4.1", .sport = 40000, .dport = 80,
			      .tcp_flags = 0x02, .window = 64240 };
	struct ff_track t;
	__u8 fr[PKT_MAX_FRAME];
	char src[32];
	unsigned i, used = 0;
	size_t n;

	assert_int_equal(ff_utrack_init(&t, 1024), 0);
	t.cfg = (struct ff_config)FF_CONFIG_DEFAULT;
	t.cfg.first_fast = 1;
	t.model = m;
	t.export_snapshots = exporting;
	for (i = 0; i < 200; i++) {
		snprintf(src, sizeof(src), "11.%u.%u.1", i / 250, i % 250);
		s.saddr = src;
		s.sport = 1024 + i;
		n = pkt_build(&s, fr, sizeof(fr));
		assert_true(ff_utrack_frame(&t, fr, n, 0, 1000000 + 100 * i) >= 0);
	}
	for (i = 0; t.ctx && i < t.ctx_n; i++)
		used += t.ctx[i].key.kind != 0;
	ff_utrack_free(&t);
	return used;
}

/* The context is counted only while something reads it (track.h,
 * ff_track_ctx_on), offline as in the kernel (test_bpf_flow:
 * ctx_counted_only_while_read): a model that splits on no context feature
 * leaves the table untouched, one that does or exporting snapshots fill it. */
static void test_utrack_ctx_only_while_read(void **state)
{
	struct ff_model m;

	(void)state;
	assert_int_equal(flood_forest(&m, 4, 4, 80), 0);
	assert_int_equal(utrack_ctx_slots(&m, false), 0);
	assert_true(utrack_ctx_slots(&m, true) > 200);	/* host, service, sources */
	ff_model_free(&m);
	assert_int_equal(flood_forest_ctx(&m, 4, 4, 80), 0);
	assert_true(utrack_ctx_slots(&m, false) > 200);
	ff_model_free(&m);
	assert_int_equal(utrack_ctx_slots(NULL, false), 0);
	assert_true(utrack_ctx_slots(NULL, true) > 200);
}

/* One TCP connection from `src`:`sport` to 10.9.4.1:80 opened at `t0`
 * through track `t`: SYN, SYN-ACK, ACK, a request (with `late`: only one
 * more request at t0). */
static void utrack_conn(struct ff_track *t, const char *src, __u16 sport, __u64 t0, bool late)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .saddr = src, .daddr = "10.9.4.1",
			      .sport = sport, .dport = 80, .window = 64240 };
	struct pkt_spec r = { .family = 4, .proto = 6, .saddr = "10.9.4.1", .daddr = src,
			      .sport = 80, .dport = sport, .window = 64240 };
	__u8 fr[PKT_MAX_FRAME];
	size_t n;

	if (late) {
		s.tcp_flags = 0x18, s.payload_len = 20;
		n = pkt_build(&s, fr, sizeof(fr));
		assert_true(ff_utrack_frame(t, fr, n, 0, t0) >= 0);
		return;
	}
	s.tcp_flags = 0x02;
	n = pkt_build(&s, fr, sizeof(fr));
	assert_true(ff_utrack_frame(t, fr, n, 0, t0) >= 0);
	r.tcp_flags = 0x12;
	n = pkt_build(&r, fr, sizeof(fr));
	assert_true(ff_utrack_frame(t, fr, n, 0, t0 + 100) >= 0);
	s.tcp_flags = 0x10;
	n = pkt_build(&s, fr, sizeof(fr));
	assert_true(ff_utrack_frame(t, fr, n, 0, t0 + 200) >= 0);
	s.tcp_flags = 0x18, s.payload_len = 80;
	n = pkt_build(&s, fr, sizeof(fr));
	assert_true(ff_utrack_frame(t, fr, n, 0, t0 + 300) >= 0);
}

/* The context features of the pair (the /24 of `src`, 10.9.4.1:80/TCP)
 * and of the source prefix, from track `t`'s table at `now_us`. */
static void utrack_pair_features(const struct ff_track *t, const char *src, __u64 now_us,
				 struct ff_features *fv)
{
	struct ff_ctx_view v = { .now_us = now_us };
	struct ff_ctx_key pk, sk;
	__u8 a[4];
	__u32 i;

	assert_int_equal(sscanf(src, "%hhu.%hhu.%hhu.%hhu", &a[0], &a[1], &a[2], &a[3]), 4);
	memset(&pk, 0, sizeof(pk));
	memset(&sk, 0, sizeof(sk));
	pk.kind = FF_CTX_PAIR, pk.proto = 6, pk.port = 80;
	memcpy(pk.pfx, a, 3);
	memcpy(pk.addr, (__u8[4]){ 10, 9, 4, 1 }, 4);
	sk.kind = FF_CTX_SRC;
	memcpy(sk.addr, a, 3);
	for (i = 0; t->ctx && i < t->ctx_n; i++) {
		if (ff_ctx_key_eq(&t->ctx[i].key, &pk))
			v.pair = &t->ctx[i].e;
		if (ff_ctx_key_eq(&t->ctx[i].key, &sk))
			v.src = &t->ctx[i].e;
	}
	assert_non_null(v.pair);
	if (t->ctx)	/* the table's clock (context.h, ff_ctx_entries) */
		v.start_us = t->ctx[ff_ctx_slots(t->cfg.ctx_slots)].e.return_us;
	memset(fv, 0, sizeof(*fv));
	ff_ctx_view_flows(&v);
	ff_features_ctx(&v, fv);
}

/* The pair key (initiator's prefix, service; context.h) counted through
 * the user-space sequence (extract, the twin; the kernel's is the same
 * code, test_parity): a busy /24 of 20 browsers, two connections each,
 * against one host of another /24 opening 40 connections to the same
 * service in the same second. Only the pair tells them apart by hosts:
 * the source prefix's flows are the same 40, and both complete their
 * handshakes. Then long-open flows, and one prefix to two services. */
static void test_utrack_pair_context(void **state)
{
	struct ff_track t;
	struct ff_features busy, flood, fv;
	char src[32];
	unsigned i;

	(void)state;
	assert_int_equal(ff_utrack_init(&t, 1024), 0);
	t.cfg = (struct ff_config)FF_CONFIG_DEFAULT;
	t.export_snapshots = true;	/* the context is counted */
	for (i = 0; i < 40; i++) {
		snprintf(src, sizeof(src), "10.1.1.%u", 1 + i % 20);	/* busy /24 */
		utrack_conn(&t, src, 30000 + i, 1000000 + 20000 * i, false);
		utrack_conn(&t, "10.2.2.7", 40000 + i, 1000000 + 20000 * i + 5000, false);
	}
	utrack_pair_features(&t, "10.1.1.1", 1900000, &busy);
	utrack_pair_features(&t, "10.2.2.7", 1900000, &flood);
	/* the same flows per second from each prefix, to the service and in all */
	assert_int_equal(busy.v[FF_F_CTX_PAIR_FLOWS_1S], 40);
	assert_int_equal(flood.v[FF_F_CTX_PAIR_FLOWS_1S], 40);
	assert_int_equal(busy.v[FF_F_CTX_SRC_FLOWS_1S], flood.v[FF_F_CTX_SRC_FLOWS_1S]);
	assert_int_equal(busy.v[FF_F_CTX_PAIR_FLOWS_100MS], flood.v[FF_F_CTX_PAIR_FLOWS_100MS]);
	/* every handshake completed, every flow saw a second packet, none failed */
	assert_int_equal(busy.v[FF_F_CTX_PAIR_DONE_SHARE], 1000);
	assert_int_equal(flood.v[FF_F_CTX_PAIR_DONE_SHARE], 1000);
	assert_int_equal(flood.v[FF_F_CTX_PAIR_ONE_PKT_SHARE], 0);
	assert_int_equal(flood.v[FF_F_CTX_PAIR_FAIL_SHARE], 0);
	/* but one host against 20: the peers sketch and flows per host */
	assert_int_equal(flood.v[FF_F_CTX_PAIR_PEER_BITS_1S], 1);
	assert_int_equal(flood.v[FF_F_CTX_PAIR_FLOWS_PER_BIT], 40);
	assert_true(busy.v[FF_F_CTX_PAIR_PEER_BITS_1S] >= 14);	/* 20 hosts in 64 bits */
	assert_true(busy.v[FF_F_CTX_PAIR_FLOWS_PER_BIT] <= 3);
	assert_int_equal(busy.v[FF_F_CTX_PAIR_OLD_1S], 0);
	/* 2 s later: the windows are empty */
	utrack_pair_features(&t, "10.2.2.7", 3100000, &fv);
	assert_int_equal(fv.v[FF_F_CTX_PAIR_FLOWS_1S], 0);
	assert_int_equal(fv.v[FF_F_CTX_PAIR_FLOWS_PER_BIT], 0);

	/* long-open: 5 connections of another /24 that send again 1.2 s after
	 * they began, counted once each, at that packet */
	for (i = 0; i < 5; i++)
		utrack_conn(&t, "10.3.3.3", 50000 + i, 5000000 + 1000 * i, false);
	for (i = 0; i < 5; i++)	/* 0.9 s: not yet long-open */
		utrack_conn(&t, "10.3.3.3", 50000 + i, 5900000 + 1000 * i, true);
	utrack_pair_features(&t, "10.3.3.3", 5990000, &fv);
	assert_int_equal(fv.v[FF_F_CTX_PAIR_OLD_1S], 0);
	for (i = 0; i < 5; i++)	/* 1.2 s, twice */
		utrack_conn(&t, "10.3.3.3", 50000 + i, 6200000 + 1000 * i, true);
	for (i = 0; i < 5; i++)
		utrack_conn(&t, "10.3.3.3", 50000 + i, 6205000 + 1000 * i, true);
	utrack_pair_features(&t, "10.3.3.3", 6210000, &fv);
	assert_int_equal(fv.v[FF_F_CTX_PAIR_OLD_1S], 5);
	assert_int_equal(fv.v[FF_F_CTX_PAIR_FLOWS_1S], 5 * 790 / 1000);	/* sliding */
	ff_utrack_free(&t);

	/* the kinds: the pair keeps what the service keeps, and long-open */
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_PAIR, FF_CTX_OPEN_MASK(1) | FF_CTX_BIT(FF_CTX_OLD)),
			 FF_CTX_BIT(FF_CTX_FLOWS) | FF_CTX_BIT(FF_CTX_SYNS) | FF_CTX_BIT(FF_CTX_OLD));
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_PAIR, FF_CTX_BIT(FF_CTX_FAIL) | FF_CTX_NO_SVC), 0);
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_SVC, FF_CTX_BIT(FF_CTX_OLD)), 0);
	assert_int_equal(ff_ctx_kind_mask(FF_CTX_HOST, FF_CTX_BIT(FF_CTX_OLD)), 0);
}

/* One TCP packet of src:sport <-> 10.9.4.1:80 (from the server with
 * `back`) at `t0`. */
static void utrack_tcp1(struct ff_track *t, const char *src, __u16 sport, __u8 flags, bool back,
			__u64 t0)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .saddr = back ? "10.9.4.1" : src,
			      .daddr = back ? src : "10.9.4.1", .sport = back ? 80 : sport,
			      .dport = back ? sport : 80, .tcp_flags = flags, .window = 64240 };
	__u8 fr[PKT_MAX_FRAME];
	size_t n = pkt_build(&s, fr, sizeof(fr));

	assert_true(ff_utrack_frame(t, fr, n, 0, t0) >= 0);
}

/* Sources that come back (context.h, return_us): a client's /24 sends
 * the second packet of a flow (its handshake's ACK, seen with the answer
 * or without, as at a server's XDP hook), a spoofed flood's never does,
 * even when the server answers its SYNs. ctx_src_return_age_us tells a
 * real client's next first packet from a spoofed one, and a key whose
 * initiators came back is kept before a flood's new keys. */
static void test_utrack_source_return(void **state)
{
	struct ff_track t;
	struct ff_features fv;
	struct ff_ctx_slot a, b;
	struct ff_ctx_key k;
	unsigned i;

	(void)state;
	assert_int_equal(ff_utrack_init(&t, 1024), 0);
	t.cfg = (struct ff_config)FF_CONFIG_DEFAULT;
	t.export_snapshots = true;	/* the context is counted */
	utrack_conn(&t, "10.5.5.7", 30000, 1000000, false);	/* SYN, SYN-ACK, ACK, request */
	utrack_tcp1(&t, "10.5.6.8", 30001, 0x02, false, 1000000);	/* ingress only */
	utrack_tcp1(&t, "10.5.6.8", 30001, 0x10, false, 1000400);
	for (i = 0; i < 20; i++) {	/* spoofed SYNs, the server answers */
		utrack_tcp1(&t, "10.6.6.9", 40000 + i, 0x02, false, 1000000 + 1000 * i);
		utrack_tcp1(&t, "10.6.6.9", 40000 + i, 0x12, true, 1000100 + 1000 * i);
		utrack_tcp1(&t, "10.6.6.9", 40000 + i, 0x12, true, 2000100 + 1000 * i);
	}
	utrack_pair_features(&t, "10.5.5.7", 5000000, &fv);
	assert_int_equal(fv.v[FF_F_CTX_SRC_RETURN_AGE], 5000000 - 1000200);	/* the ACK */
	utrack_pair_features(&t, "10.5.6.8", 5000000, &fv);
	assert_int_equal(fv.v[FF_F_CTX_SRC_RETURN_AGE], 5000000 - 1000400);
	/* a spoofed flood's source port drawn twice: a SYN again, nothing came
	 * back; a client's SYN retransmitted comes back at its handshake's ACK */
	utrack_tcp1(&t, "10.6.6.9", 40003, 0x02, false, 3500000);
	utrack_tcp1(&t, "10.7.7.1", 30002, 0x02, false, 3000000);
	utrack_tcp1(&t, "10.7.7.1", 30002, 0x02, false, 4000000);
	utrack_pair_features(&t, "10.7.7.1", 4500000, &fv);
	assert_int_equal(fv.v[FF_F_CTX_SRC_RETURN_AGE], FF_CTX_KEEP_US);
	utrack_tcp1(&t, "10.7.7.1", 30002, 0x10, false, 4000300);
	utrack_tcp1(&t, "10.7.7.1", 30002, 0x18, false, 4000400);	/* once per flow */
	utrack_pair_features(&t, "10.7.7.1", 5000000, &fv);
	assert_int_equal(fv.v[FF_F_CTX_SRC_RETURN_AGE], 5000000 - 4000300);
	utrack_pair_features(&t, "10.6.6.9", 5000000, &fv);
	assert_int_equal(fv.v[FF_F_CTX_SRC_RETURN_AGE], FF_CTX_KEEP_US);	/* never */
	/* in the table's first FF_CTX_COLD_US (its first flow at 1 s) too,
	 * and the table's age says it is cold (context.h, ff_ctx_entries) */
	utrack_pair_features(&t, "10.6.6.9", 1000000 + FF_CTX_COLD_US - 1, &fv);
	assert_int_equal(fv.v[FF_F_CTX_SRC_RETURN_AGE], FF_CTX_KEEP_US);
	assert_int_equal(fv.v[FF_F_CTX_TABLE_AGE], FF_CTX_COLD_US - 1);
	utrack_pair_features(&t, "10.6.6.9", 5000000, &fv);
	assert_int_equal(fv.v[FF_F_CTX_TABLE_AGE], FF_CTX_COLD_US);	/* at most */
	utrack_pair_features(&t, "10.5.5.7", 1000200 + FF_CTX_KEEP_US + 1, &fv);
	assert_int_equal(fv.v[FF_F_CTX_SRC_RETURN_AGE], FF_CTX_KEEP_US);	/* at most */
	ff_utrack_free(&t);
	assert_int_equal(ff_ctx_return_age(NULL, 5000000), FF_CTX_KEEP_US);	/* forgotten */
	assert_int_equal(ff_ctx_table_age(5000000, 0), 0);	/* not counting yet */
	assert_int_equal(ff_ctx_table_age(500000, 1000000), 0);	/* a CPU behind */
	assert_int_equal(ff_ctx_table_age(1250000, 1000000), 250000);

	/* a warm start (FF_CP_CTX_WARM, --context-warm): the table reads as
	 * long counting from its first flow on */
	assert_int_equal(ff_utrack_init(&t, 1024), 0);
	t.cfg = (struct ff_config)FF_CONFIG_DEFAULT;
	t.cfg.cp_flags |= FF_CP_CTX_WARM;
	t.export_snapshots = true;
	utrack_tcp1(&t, "10.6.6.9", 40000, 0x02, false, 3000000);
	utrack_pair_features(&t, "10.6.6.9", 3000100, &fv);
	assert_int_equal(fv.v[FF_F_CTX_SRC_RETURN_AGE], FF_CTX_KEEP_US);
	assert_int_equal(fv.v[FF_F_CTX_TABLE_AGE], FF_CTX_COLD_US);
	ff_utrack_free(&t);

	/* the slot pair: a client's source, quiet for 2 s, against a flood's
	 * one-packet source of this second; the flood's new key takes the
	 * flood's slot, not the client's older one */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&k, 0, sizeof(k));
	a.key.kind = b.key.kind = k.kind = FF_CTX_SRC;
	a.key.addr[0] = 1, b.key.addr[0] = 2, k.addr[0] = 3;
	ff_ctx_add(&a.e, 10000000, FF_CTX_OPEN_MASK(1), 0, 0);
	ff_ctx_add(&a.e, 10000300, FF_CTX_BIT(FF_CTX_MORE), 0, 0);
	a.e.return_us = 10000300;	/* ff_track_ctx_return */
	ff_ctx_add(&b.e, 12000000, FF_CTX_OPEN_MASK(1), 0, 0);
	assert_ptr_equal(ff_ctx_find(&a, &b, &k, 1), &b.e);
	assert_int_equal(a.key.addr[0], 1);
	assert_int_equal(ff_ctx_return_age(&a.e, 12500000), 2500000 - 300);
	/* a minute later the client's slot is the older one again */
	ff_ctx_add(&b.e, 10000300 + FF_CTX_KEEP_US + 2000000, FF_CTX_OPEN_MASK(1), 0, 0);
	k.addr[0] = 4;
	assert_ptr_equal(ff_ctx_find(&a, &b, &k, 1), &a.e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_isqrt_exact),
		cmocka_unit_test(test_isqrt_start_tight),
		cmocka_unit_test(test_arith_helpers),
		cmocka_unit_test(test_u128_helpers),
		cmocka_unit_test(test_first_features_key),
		cmocka_unit_test(test_context_windows),
		cmocka_unit_test(test_context_slow_window),
		cmocka_unit_test(test_context_counters),
		cmocka_unit_test(test_stats_exact_vs_python),
		cmocka_unit_test(test_stats_long_flow_iat),
		cmocka_unit_test(test_parse_ipv4_tcp_options),
		cmocka_unit_test(test_parse_ipv6_chain_and_vlans),
		cmocka_unit_test(test_parse_fragments),
		cmocka_unit_test(test_parse_bad_frames),
		cmocka_unit_test(test_flow_key_canonical),
		cmocka_unit_test(test_flow_update_checkpoints),
		cmocka_unit_test(test_checkpoint_count_jumps),
		cmocka_unit_test(test_flow_clock_monotonic),
		cmocka_unit_test(test_parse_lengths_bounded),
		cmocka_unit_test(test_features_directions),
		cmocka_unit_test(test_feature_table),
		cmocka_unit_test(test_features_doc_current),
		cmocka_unit_test(test_features_derived_rows),
		cmocka_unit_test(test_bpf_checkpoint_word_loads),
		cmocka_unit_test(test_bpf_object_v3),
		cmocka_unit_test(test_model_ctx_kinds),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_model_good_and_roundtrip),
		cmocka_unit_test(test_model_bad_files),
		cmocka_unit_test(test_model_depth_limit),
		cmocka_unit_test(test_strict_numbers),
		cmocka_unit_test(test_interface_names),
		cmocka_unit_test(test_bench_forests_laid_out),
		cmocka_unit_test(test_utrack_ctx_only_while_read),
		cmocka_unit_test(test_utrack_pair_context),
		cmocka_unit_test(test_utrack_source_return),
		cmocka_unit_test(test_flow_update_hot_start),
	};

	return cmocka_run_group_tests_name("unit", tests, NULL, NULL);
}
