/* SPDX-License-Identifier: MIT */
/*
 * Context: what the other flows around a flow do. A flood is one packet per
 * flow, and one SYN of a flood looks like one SYN of a browser; what makes
 * it a flood is thousands of flows opening towards one service from many
 * sources. Four keys carry that state, in one bounded table of
 * FF_CTX_SLOTS slots, two-way set associative (an array map in BPF, an
 * array offline): a new key takes the slot of its pair whose long window
 * is older. The same code decides on both sides, so offline == kernel even
 * when the table overflows (a flood of spoofed sources), which an LRU hash
 * map's approximate order would not give:
 *
 *   the service   the responder of a flow: address, port, protocol
 *   the host      the responder's address alone (a flood or a scan over
 *                 many ports and protocols is one target)
 *   the source    the initiator's prefix: /24 (IPv4) or /64 (IPv6)
 *   the pair      the initiator's prefix and the service together: what
 *                 one network does to one service. A busy /24 of browsers
 *                 and an HTTP flood from one /24 both open many flows to
 *                 port 80; the browsers' come from many hosts, a few each,
 *                 the flood's from one or a few hosts, many each (and a
 *                 slow attack's stay open)
 *
 * Each entry keeps, at two time scales (FF_CTX_SHORT_US, FF_CTX_LONG_US),
 * integer counters for the current and the previous window; a read at time
 * `now` is the sliding-window estimate cur + floor(prev * (W - elapsed) / W)
 * (the previous window weighted by the part of it still within W of now),
 * so nothing decays by a timer: the clock is the packet's, and offline ==
 * kernel. Windows turn at multiples of their width of the wall clock: a
 * capture's timestamps offline, the kernel's monotonic clock plus the wall
 * clock's offset from it in the kernel (track.h ff_track_ctx_us); on two
 * clocks a sub-second apart, the same packets read other counts. Distinct peers are a 64-bit linear
 * counting sketch per window (one bit per hash of the peer), read as the
 * bits set over the current and previous window. A third scale,
 * FF_CTX_SLOW_US (10 s), keeps the flows opened and their peers alone
 * (struct ff_ctx_slow), the same way, for the source prefix and the pair
 * (ff_ctx_kind_slow): a slow brute force or scan is a client's pace within
 * a second and shows only over several.
 *
 * What each key counts (ff_ctx_kind_mask()): every key the flows opened,
 * the failed connections and the flows that saw a second packet; the
 * service, the pair and the host also bare SYNs and completed handshakes;
 * the host alone the packets and bytes its initiators send it; the pair
 * alone the flows still open FF_CTX_OLD_US after they began (counted at
 * their first packet after that). The pair's peers are the initiators'
 * full addresses (the hosts of the prefix). Per packet
 * (track.h): a packet from a flow's initiator updates its host (one slot
 * pair); one that opens a flow, is a flow's second or fails a connection
 * updates the keys it concerns in the same call (an opening one: four slot
 * pairs); the first of a flow after FF_CTX_OLD_US its pair; the one that completes a
 * handshake (known after the flow update) the service and the host once
 * more. Read at every checkpoint. CPUs race on an entry without locks in
 * the kernel: a count may be lost under load, never invented (XDP runs a
 * receive queue's packets on one CPU at a time; docs/design.md, "The
 * context's clock and CPUs").
 */
#ifndef FLOWFOREST_CONTEXT_H
#define FLOWFOREST_CONTEXT_H

#include "common.h"
#include "parse.h"

#define FF_CTX_SLOTS 32768		/* the default (--context-slots) */
#define FF_CTX_SLOTS_MAX (1U << 22)
#define FF_CTX_SHORT_US 100000ULL	/* 100 ms */
#define FF_CTX_LONG_US 1000000ULL	/* 1 s */
#define FF_CTX_SLOW_US 10000000ULL	/* 10 s: new flows and peers alone */
#define FF_CTX_OLD_US 1000000ULL	/* a flow open this long is long-open */
/* A source prefix whose hosts came back (return_us) this recently is
 * kept before a key whose did not, and ctx_src_return_age_us reads at most
 * this: a spoofed flood's new keys, whose senders never come back, cannot
 * push out the sources of real clients. */
#define FF_CTX_KEEP_US 60000000ULL
/* A table that has counted for less than this (its clock, ff_ctx_entries)
 * cannot tell a source that never comes back from one it has not yet
 * watched long enough: a TCP client's first SYN, dropped, comes back at
 * its handshake's ACK once its retransmission (a second later) passes. */
#define FF_CTX_COLD_US 2000000ULL

enum ff_ctx_counter {
	FF_CTX_FLOWS,		/* flows opened */
	FF_CTX_SYNS,		/* of them by a TCP SYN without ACK */
	FF_CTX_DONE,		/* TCP handshakes completed (the initiator's ACK) */
	FF_CTX_MORE,		/* flows that saw a second packet (either way) */
	FF_CTX_FAIL,		/* failed connections: the responder's RST before the
				 * handshake completed, an ICMP unreachable back */
	FF_CTX_PKTS,		/* packets from the initiators (and their bytes) */
	FF_CTX_OLD,		/* flows that had a packet FF_CTX_OLD_US or more
				 * after their first (once per flow) */
	FF_CTX__N,
};

#define FF_CTX_BIT(c) (1U << (c))
/* The counters of a flow-opening packet, a TCP SYN (syn) or not: the flow,
 * and its first packet. */
#define FF_CTX_OPEN_MASK(syn) \
	(FF_CTX_BIT(FF_CTX_FLOWS) | FF_CTX_BIT(FF_CTX_PKTS) | ((syn) ? FF_CTX_BIT(FF_CTX_SYNS) : 0))
/* With FF_CTX_FAIL: an ICMP unreachable, whose sender is a host and not a
 * service (the port it refers to is inside its payload, not parsed). */
#define FF_CTX_NO_SVC (1U << 16)

struct ff_ctx_win {
	__u64 idx;		/* now_us / width of the current window */
	__u32 cur[FF_CTX__N];
	__u32 prev[FF_CTX__N];
	__u64 bytes_cur;	/* with FF_CTX_PKTS: the packets' IP lengths */
	__u64 bytes_prev;
	__u64 peers_cur;	/* linear counting bitmaps */
	__u64 peers_prev;
};

/* The slow time scale (FF_CTX_SLOW_US): the flows opened and their peers
 * alone, what a slow brute force or a slow scan shows only over seconds
 * (an OpenSSH client's guesses at 2-5 connections a second are a browser's
 * pace within one second, a few dozen from one host within ten). Counted
 * at a flow's first packet only: a flow's other packets do not touch it. */
struct ff_ctx_slow {
	__u64 idx;		/* now_us / FF_CTX_SLOW_US of the current window */
	__u32 flows_cur;
	__u32 flows_prev;
	__u64 peers_cur;	/* linear counting bitmaps, as struct ff_ctx_win's */
	__u64 peers_prev;
};

struct ff_ctx_entry {
	struct ff_ctx_win w[2];	/* FF_CTX_SHORT_US, FF_CTX_LONG_US */
	struct ff_ctx_slow slow;	/* FF_CTX_SLOW_US */
	/* a source prefix's: the last time one of its hosts came back (sent
	 * a packet after the first of its flow, not a bare SYN: a handshake's
	 * ACK, a request, which a spoofed source never sends; track.h
	 * ff_track_ctx_came_back); 0: not yet */
	__u64 return_us;
};

/* 16 bytes of address (IPv4 in the first 4), port and protocol 0 for a
 * host or a source prefix; pfx: the initiator's prefix of a pair (its /24
 * in the first 3 bytes, its /64), 0 for the others; kind 0: an empty
 * slot. */
struct ff_ctx_key {
	__u32 addr[4];
	__u32 pfx[2];
	__u16 port;
	__u8 proto;
	__u8 kind;		/* enum ff_ctx_kind */
};

struct ff_ctx_slot {
	struct ff_ctx_key key;
	__u32 pad;
	struct ff_ctx_entry e;
};

enum ff_ctx_kind {
	FF_CTX_SVC = 1,
	FF_CTX_SRC = 2,
	FF_CTX_HOST = 3,
	FF_CTX_PAIR = 4,	/* initiator's prefix and service */
};

/* The counters key `kind` keeps, of a mask of them. */
static __always_inline __u32 ff_ctx_kind_mask(__u32 kind, __u32 mask)
{
	const __u32 flow = FF_CTX_BIT(FF_CTX_FLOWS) | FF_CTX_BIT(FF_CTX_FAIL);
	const __u32 tcp = FF_CTX_BIT(FF_CTX_SYNS) | FF_CTX_BIT(FF_CTX_DONE) |
			  FF_CTX_BIT(FF_CTX_MORE);

	if (kind == FF_CTX_SRC)
		return mask & (flow | FF_CTX_BIT(FF_CTX_MORE));
	if (kind == FF_CTX_SVC)
		return (mask & FF_CTX_NO_SVC) ? 0 : mask & (flow | tcp);
	if (kind == FF_CTX_PAIR)
		return (mask & FF_CTX_NO_SVC) ? 0 : mask & (flow | tcp | FF_CTX_BIT(FF_CTX_OLD));
	return mask & (flow | tcp | FF_CTX_BIT(FF_CTX_PKTS));
}

/* What a checkpoint reads (the context rows of features.h): the entries
 * of the flow's service, host, source and pair (NULL: none) and the time
 * of reading. */
struct ff_ctx_view {
	const struct ff_ctx_entry *svc;
	const struct ff_ctx_entry *src;
	const struct ff_ctx_entry *host;
	const struct ff_ctx_entry *pair;
	__u64 now_us;
	__u64 start_us;		/* when the table began counting (its clock slot) */
	/* Each entry's new flows over the long window, slid once for the
	 * features and the shares they are the denominator of
	 * (ff_ctx_view_flows): eleven slides of a checkpoint's context read
	 * were this same count, divisions included. */
	__u64 svc_flows;
	__u64 src_flows;
	__u64 host_flows;
	__u64 pair_flows;
	__u64 pair_flows_10s;	/* the pair's over the slow window */
};

static __always_inline __u64 ff_ctx_width(__u32 scale)
{
	return scale ? FF_CTX_LONG_US : FF_CTX_SHORT_US;
}

/* splitmix64's finalizer: neighbouring values land apart. */
static __always_inline __u64 ff_ctx_mix(__u64 x)
{
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

/* One bit of 64 for an address: the top 6 bits of a mix of it. */
static __always_inline __u64 ff_ctx_peer_bit(const __u8 *addr)
{
	__u64 a, b;

	__builtin_memcpy(&a, addr, 8);
	__builtin_memcpy(&b, addr + 8, 8);
	return 1ULL << (ff_ctx_mix(a ^ (b * 0x9E3779B97F4A7C15ULL)) >> 58);
}

/* One bit of 64 for a service: a mix of its address, port and protocol
 * (what a source's sketch counts: a scan of one host's ports is many). */
static __always_inline __u64 ff_ctx_svc_bit(const __u8 *addr, __u16 port, __u8 proto)
{
	__u64 a, b;

	__builtin_memcpy(&a, addr, 8);
	__builtin_memcpy(&b, addr + 8, 8);
	return 1ULL << (ff_ctx_mix(a ^ (b * 0x9E3779B97F4A7C15ULL) ^
				   (((__u64)port << 8 | proto) * 0xC2B2AE3D27D4EB4FULL)) >> 58);
}

/* Is `p` an ICMP destination unreachable, a connection refused or not
 * delivered (IPv4 type 3 but code 4, "fragmentation needed", which is path
 * MTU discovery; ICMPv6 type 1)? */
static __always_inline int ff_ctx_unreachable(const struct ff_pkt *p)
{
	if (p->proto == FF_IPPROTO_ICMP)
		return p->icmp_type == 3 && p->icmp_code != 4;
	return p->proto == FF_IPPROTO_ICMPV6 && p->icmp_type == 1;
}

/* The table's slots for a configured number (0: the default). */
static __always_inline __u32 ff_ctx_slots(__u32 configured)
{
	return configured ? configured : FF_CTX_SLOTS;
}

/*
 * The table's clock: the array holds one slot after its ff_ctx_slots()
 * (no key's, ff_ctx_set() never reaches it), whose entry's return_us is
 * when the table began counting (the first flow it counted; 0: not yet).
 * A filter just attached has seen no network come back: every source
 * reads "never" (ctx_src_return_age_us), what a spoofed flood's reads, and
 * its windows are not full. ctx_table_age_us says so, the time counted up
 * to FF_CTX_COLD_US (ff_ctx_table_age): a forest trained on windows that
 * start inside a running flood (the lab's cold views) tells a cold table's
 * "never" from a warm one's (docs/operations.md, "Cold start"). Until
 * 2026-12-02 a cold table's never-seen source read the time counted as its
 * return age instead, the same values as a warm table's recently returned
 * network, and a forest taught the cold views named page browsers whose /24
 * had come back 1-3 s before syn_flood (docs/lab.md, "Cold and warm").
 */
static __always_inline __u32 ff_ctx_entries(__u32 configured)
{
	return ff_ctx_slots(configured) + 1;
}

/* The first slot of the pair of key `k` in a table of `slots` (a power of
 * two, at least 2). */
static __always_inline __u32 ff_ctx_set(const struct ff_ctx_key *k, __u32 slots)
{
	__u64 a = ((__u64)k->addr[0] << 32 | k->addr[1]) ^
		  (((__u64)k->addr[2] << 32 | k->addr[3]) * 0x9E3779B97F4A7C15ULL) ^
		  (((__u64)k->port << 16 | (__u64)k->proto << 8 | k->kind) * 0xC2B2AE3D27D4EB4FULL) ^
		  (((__u64)k->pfx[0] << 32 | k->pfx[1]) * 0xD6E8FEB86659FD93ULL);

	return (__u32)(ff_ctx_mix(a) >> 32) & (slots - 1) & ~1U;
}

static __always_inline int ff_ctx_key_eq(const struct ff_ctx_key *a, const struct ff_ctx_key *b)
{
	return a->addr[0] == b->addr[0] && a->addr[1] == b->addr[1] &&
	       a->addr[2] == b->addr[2] && a->addr[3] == b->addr[3] && a->pfx[0] == b->pfx[0] &&
	       a->pfx[1] == b->pfx[1] && a->port == b->port && a->proto == b->proto &&
	       a->kind == b->kind;
}

/* How long slot `s` deserves its place, in long windows: its last one,
 * or, if later, FF_CTX_KEEP_US after its initiators last came back. */
static __always_inline __u64 ff_ctx_keep(const struct ff_ctx_slot *s)
{
	__u64 idx = s->e.w[1].idx;
	__u64 keep = (s->e.return_us + FF_CTX_KEEP_US) / FF_CTX_LONG_US * ff_nonzero(s->e.return_us);

	/* branch-free (the verifier walks no path per slot): the larger */
	return idx + (keep - idx) * ((idx - keep) >> 63);
}

/* The entry of `k` in the pair of slots `a`, `b`, or (create) a new one
 * in the slot kept for less long (ff_ctx_keep: the older long window,
 * unless its initiators came back lately; an empty slot's is 0); NULL. */
static __always_inline struct ff_ctx_entry *ff_ctx_find(struct ff_ctx_slot *a,
							struct ff_ctx_slot *b,
							const struct ff_ctx_key *k, int create)
{
	struct ff_ctx_slot *v;

	if (ff_ctx_key_eq(&a->key, k))
		return &a->e;
	if (ff_ctx_key_eq(&b->key, k))
		return &b->e;
	if (!create)
		return NULL;
	v = ff_ctx_keep(b) < ff_ctx_keep(a) ? b : a;
	__builtin_memset(&v->e, 0, sizeof(v->e));
	v->key = *k;
	return &v->e;
}

/* Bring window `w` to time `now_us`: a later window shifts cur to prev. A
 * clock behind the window's (another CPU got there first) counts into the
 * current window. Within the current window (every packet but one per
 * window) it costs a multiplication and a comparison, no division. */
static __always_inline void ff_ctx_roll(struct ff_ctx_win *w, __u64 now_us, __u64 width)
{
	__u64 idx;
	__u32 i, next;

	if (now_us < (w->idx + 1) * width)	/* idx <= w->idx */
		return;
	idx = now_us / width;
	next = idx == w->idx + 1;
	for (i = 0; i < FF_CTX__N; i++) {
		w->prev[i] = next ? w->cur[i] : 0;
		w->cur[i] = 0;
	}
	w->bytes_prev = next ? w->bytes_cur : 0;
	w->bytes_cur = 0;
	w->peers_prev = next ? w->peers_cur : 0;
	w->peers_cur = 0;
	w->idx = idx;
}

/* Does key `kind` keep the slow window? The source prefix and the pair,
 * whose features read it (a slow scan, a slow brute force); the service
 * and the host do not pay for it. */
static __always_inline int ff_ctx_kind_slow(__u32 kind)
{
	return kind == FF_CTX_SRC || kind == FF_CTX_PAIR;
}

/* Count `flow` (0 or 1) new flows with peer bit `peer` (0: none) in the
 * slow window at `now_us`, brought to it first as ff_ctx_roll() does
 * (branch-free but for the roll: a key's update that opens no flow adds
 * 0, and rolls as a read would). */
static __always_inline void ff_ctx_slow_add(struct ff_ctx_slow *w, __u64 now_us, __u32 flow,
					    __u64 peer)
{
	__u64 idx;
	__u32 next;

	if (now_us >= (w->idx + 1) * FF_CTX_SLOW_US) {
		idx = now_us / FF_CTX_SLOW_US;
		next = idx == w->idx + 1;
		w->flows_prev = next ? w->flows_cur : 0;
		w->peers_prev = next ? w->peers_cur : 0;
		w->flows_cur = 0;
		w->peers_cur = 0;
		w->idx = idx;
	}
	w->flows_cur += flow;
	w->peers_cur |= peer;
}

/* Count the counters in `mask` (FF_CTX_BIT(enum ff_ctx_counter)), `bytes`
 * with FF_CTX_PKTS, and peer bit `peer` (0: none). */
static __always_inline void ff_ctx_add(struct ff_ctx_entry *e, __u64 now_us, __u32 mask,
				       __u32 bytes, __u64 peer)
{
	__u32 s, c;

	if (!(mask & FF_CTX_BIT(FF_CTX_PKTS)))
		bytes = 0;
	for (s = 0; s < 2; s++) {
		struct ff_ctx_win *w = &e->w[s];

		ff_ctx_roll(w, now_us, ff_ctx_width(s));
		/* branch-free: no path per counter for the verifier to walk */
		for (c = 0; c < FF_CTX__N; c++)
			w->cur[c] += (mask >> c) & 1;
		w->bytes_cur += bytes;
		w->peers_cur |= peer;
	}
}

/* The sliding-window estimate at `now_us` of a count that is `cur` in
 * window `widx` (of `width`) and `prev` in the one before, floored. */
static __always_inline __u64 ff_ctx_slide(__u64 widx, __u64 cur, __u64 prev, __u64 now_us,
					  __u64 width)
{
	__u64 idx = now_us / width, left = width - now_us % width;

	if (idx <= widx)	/* behind: the window as it is */
		return cur + prev * left / width;
	if (idx == widx + 1)
		return cur * left / width;
	return 0;
}

/* The sliding-window estimate of counter `c` at `now_us`, floored. */
static __always_inline __u64 ff_ctx_count(const struct ff_ctx_win *w, __u32 c, __u64 now_us,
					  __u64 width)
{
	if (c >= FF_CTX__N)
		return 0;
	return ff_ctx_slide(w->idx, w->cur[c], w->prev[c], now_us, width);
}

static __always_inline __u64 ff_ctx_popcount(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

/* The bits set in the union of the current (window `widx`, of `width`)
 * and previous window's peer bitmaps at `now_us`. Distinct peers are about
 * 64 ln(64 / (64 - bits)) (linear counting); a tree splits on the bits as
 * it would on that estimate, which is monotonic in them, so the feature is
 * the bits: no logarithm, no table. */
static __always_inline __u64 ff_ctx_peers(__u64 widx, __u64 cur, __u64 prev, __u64 now_us,
					  __u64 width)
{
	__u64 idx = now_us / width, bits;

	if (idx <= widx)
		bits = cur | prev;
	else if (idx == widx + 1)
		bits = cur;
	else
		return 0;
	return ff_ctx_popcount(bits);
}

/* Counter `c` of entry `e` (NULL: 0) at time scale `scale` (0: short, 1:
 * long) at `now_us`. */
static __always_inline __u64 ff_ctx_n(const struct ff_ctx_entry *e, __u32 scale, __u32 c,
				      __u64 now_us)
{
	if (!e)
		return 0;
	scale &= 1;
	return ff_ctx_count(&e->w[scale], c, now_us, ff_ctx_width(scale));
}

static __always_inline __u64 ff_ctx_bits(const struct ff_ctx_entry *e, __u64 now_us)
{
	return e ? ff_ctx_peers(e->w[1].idx, e->w[1].peers_cur, e->w[1].peers_prev, now_us,
				FF_CTX_LONG_US) : 0;
}

/* Entry `e`'s (NULL: 0) new flows over the slow window at `now_us`
 * (sliding, floored), and the bits its peers set over 10 to 20 s. */
static __always_inline __u64 ff_ctx_slow_flows(const struct ff_ctx_entry *e, __u64 now_us)
{
	return e ? ff_ctx_slide(e->slow.idx, e->slow.flows_cur, e->slow.flows_prev, now_us,
				FF_CTX_SLOW_US) : 0;
}

static __always_inline __u64 ff_ctx_slow_bits(const struct ff_ctx_entry *e, __u64 now_us)
{
	return e ? ff_ctx_peers(e->slow.idx, e->slow.peers_cur, e->slow.peers_prev, now_us,
				FF_CTX_SLOW_US) : 0;
}

/* The bytes of entry `e` (NULL: 0) at time scale `scale` at `now_us`; a
 * 1 s window holds less than 2^64 / 10^6 bytes, so the product cannot
 * overflow. */
static __always_inline __u64 ff_ctx_bytes(const struct ff_ctx_entry *e, __u32 scale,
					  __u64 now_us)
{
	if (!e)
		return 0;
	scale &= 1;
	return ff_ctx_slide(e->w[scale].idx, e->w[scale].bytes_cur, e->w[scale].bytes_prev, now_us,
			    ff_ctx_width(scale));
}

/* Permille of the long window's new flows (`flows`: ff_ctx_n(e, 1,
 * FF_CTX_FLOWS, now_us)) counted by `c` (at most all). */
static __always_inline __u64 ff_ctx_share(const struct ff_ctx_entry *e, __u32 c, __u64 flows,
					  __u64 now_us)
{
	return ff_div(ff_min64(ff_ctx_n(e, 1, c, now_us), flows) * 1000, flows);
}

/* Permille of the long window's new flows (`flows`, as ff_ctx_share) that
 * saw one packet so far: flows opened minus flows that saw a second
 * packet. */
static __always_inline __u64 ff_ctx_one_pkt_permille(const struct ff_ctx_entry *e,
						     __u64 flows, __u64 now_us)
{
	if (!flows)
		return 0;
	return 1000 - ff_ctx_share(e, FF_CTX_MORE, flows, now_us);
}

/* Flows opened over the long window (`flows`, as ff_ctx_share) per bit
 * set by their initiators (ff_ctx_bits: about one per distinct host while
 * few), floored; 0 without flows: a few hosts opening many flows each (a
 * flood, a brute force) against many hosts opening a few (browsers). */
static __always_inline __u64 ff_ctx_flows_per_bit(const struct ff_ctx_entry *e, __u64 flows,
						  __u64 now_us)
{
	return ff_div(flows, ff_ctx_bits(e, now_us));
}

/* SYNs without a completed handshake over the long window. */
static __always_inline __u64 ff_ctx_half_open(const struct ff_ctx_entry *e, __u64 now_us)
{
	__u64 syns = ff_ctx_n(e, 1, FF_CTX_SYNS, now_us), done = ff_ctx_n(e, 1, FF_CTX_DONE, now_us);

	return syns > done ? syns - done : 0;
}

/* Permille of the long window's new flows (`flows`, as ff_ctx_share)
 * opened by a bare SYN. */
static __always_inline __u64 ff_ctx_syn_permille(const struct ff_ctx_entry *e, __u64 flows,
						 __u64 now_us)
{
	return ff_ctx_share(e, FF_CTX_SYNS, flows, now_us);
}

/* The long window's new flows of the view's entries, and the pair's over
 * the slow one, at its time. */
static __always_inline void ff_ctx_view_flows(struct ff_ctx_view *v)
{
	v->svc_flows = ff_ctx_n(v->svc, 1, FF_CTX_FLOWS, v->now_us);
	v->src_flows = ff_ctx_n(v->src, 1, FF_CTX_FLOWS, v->now_us);
	v->host_flows = ff_ctx_n(v->host, 1, FF_CTX_FLOWS, v->now_us);
	v->pair_flows = ff_ctx_n(v->pair, 1, FF_CTX_FLOWS, v->now_us);
	v->pair_flows_10s = ff_ctx_slow_flows(v->pair, v->now_us);
}

/* Microseconds since an initiator of entry `e` (NULL: a key not in the
 * table) last came back (return_us), at most FF_CTX_KEEP_US; for one not
 * seen coming back, FF_CTX_KEEP_US ("never"), cold table or not
 * (ff_ctx_table_age tells which). */
static __always_inline __u64 ff_ctx_return_age(const struct ff_ctx_entry *e, __u64 now_us)
{
	__u64 since = e ? e->return_us : 0, age;

	if (!since)
		return FF_CTX_KEEP_US;
	age = now_us > since ? now_us - since : 0;
	return age < FF_CTX_KEEP_US ? age : FF_CTX_KEEP_US;
}

/* Microseconds the table has counted (`start_us`, its clock slot's; 0: not
 * yet) at `now_us`, at most FF_CTX_COLD_US: below it, a "never" of
 * ff_ctx_return_age() may be a network the table has not watched long
 * enough. Capped so that a forest cannot split on how long a filter or a
 * capture has run (a schedule). */
static __always_inline __u64 ff_ctx_table_age(__u64 now_us, __u64 start_us)
{
	__u64 age = start_us && now_us > start_us ? now_us - start_us : 0;

	return age < FF_CTX_COLD_US ? age : FF_CTX_COLD_US;
}

#endif /* FLOWFOREST_CONTEXT_H */
