// SPDX-License-Identifier: MIT
/* BPF tests, the flow table: keys, directions, byte and time statistics. Harness and conventions: tests/bpfenv/bpf_env.h. */
#include "bpf_env.h"
#include <pthread.h>
#include <sched.h>
#include "clock.h"

/* ---- 2. flow table --------------------------------------------------- */

static void flow_reply_joins_one_entry(void **state)
{
	struct pkt_spec ab = {
		.family = 4, .proto = 6, .saddr = "10.8.0.1", .daddr = "10.8.0.2",
		.sport = 1000, .dport = 80, .tcp_flags = 0x02, .window = 1111,
	};
	struct pkt_spec ba = {
		.family = 4, .proto = 6, .saddr = "10.8.0.2", .daddr = "10.8.0.1",
		.sport = 80, .dport = 1000, .tcp_flags = 0x12, .window = 2222,
	};
	struct ff_flow_key k;
	struct ff_flow f;

	REQUIRE_BPF();
	assert_int_equal(key_for(&k, 4, 6, ab.saddr, 1000, ab.daddr, 80, false), 0);
	assert_int_equal(send_pkt(H_XDP, &ab, T0_US, NULL), XDP_PASS);
	assert_int_equal(send_pkt(H_XDP, &ba, T0_US + 250, NULL), XDP_PASS);
	assert_int_equal(flow_count(), 1);
	flow_must(&k, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].pkts, 1);
	assert_int_equal(f.dir[FF_DIR_BWD].pkts, 1);
	assert_int_equal(f.initiator_is_b, 0);
	assert_int_equal(f.resp_port, 80);
	assert_int_equal(f.dir[FF_DIR_FWD].init_win, 1111);
	assert_int_equal(f.dir[FF_DIR_BWD].init_win, 2222);
	assert_int_equal(f.first_us, T0_US);
	assert_int_equal(f.last_us, T0_US + 250);
	/* Key fields as stored: host-order ports, IPv4 in the first 4 bytes. */
	assert_int_equal(k.port_a, 1000);
	assert_int_equal(k.addr_a[0], 10);
	assert_int_equal(k.addr_a[3], 1);
	assert_int_equal(k.addr_a[4], 0);
}

static void flow_initiator_is_b(void **state)
{
	/* The initiator has the larger address: it is endpoint b. */
	struct pkt_spec ab = {
		.family = 4, .proto = 17, .saddr = "10.8.1.9", .daddr = "10.8.1.3",
		.sport = 40000, .dport = 53, .payload_len = 30,
	};
	struct pkt_spec ba = {
		.family = 4, .proto = 17, .saddr = "10.8.1.3", .daddr = "10.8.1.9",
		.sport = 53, .dport = 40000, .payload_len = 90,
	};
	struct ff_flow_key k;
	struct ff_flow f;

	REQUIRE_BPF();
	assert_int_equal(key_for(&k, 4, 17, ab.saddr, 40000, ab.daddr, 53, false), 1);
	assert_int_equal(k.port_a, 53);
	send_pkt(H_TC, &ab, T0_US, NULL);
	send_pkt(H_TC, &ba, T0_US + 1, NULL);
	send_pkt(H_TC, &ba, T0_US + 2, NULL);
	assert_int_equal(flow_count(), 1);
	flow_must(&k, &f);
	assert_int_equal(f.initiator_is_b, 1);
	assert_int_equal(f.resp_port, 53);
	assert_int_equal(f.dir[FF_DIR_FWD].pkts, 1);
	assert_int_equal(f.dir[FF_DIR_FWD].len_sum, 30);
	assert_int_equal(f.dir[FF_DIR_BWD].pkts, 2);
	assert_int_equal(f.dir[FF_DIR_BWD].len_sum, 180);
}

static void flow_swapped_ports_two_entries(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "10.8.2.1", .daddr = "10.8.2.2",
		.sport = 1000, .dport = 80, .tcp_flags = 0x02,
	};
	struct ff_flow_key k1, k2;
	struct ff_flow f;

	REQUIRE_BPF();
	send_pkt(H_XDP, &s, T0_US, NULL);
	s.sport = 80;
	s.dport = 1000;
	send_pkt(H_XDP, &s, T0_US + 1, NULL);
	assert_int_equal(flow_count(), 2);
	key_for(&k1, 4, 6, s.saddr, 1000, s.daddr, 80, false);
	key_for(&k2, 4, 6, s.saddr, 80, s.daddr, 1000, false);
	flow_must(&k1, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].pkts, 1);
	assert_int_equal(f.dir[FF_DIR_BWD].pkts, 0);
	assert_int_equal(f.resp_port, 80);
	flow_must(&k2, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].pkts, 1);
	assert_int_equal(f.resp_port, 1000);
}

static void flow_ipv6_one_and_two_entries(void **state)
{
	struct pkt_spec ab = {
		.family = 6, .proto = 6, .saddr = "2001:db8::ff", .daddr = "2001:db8::1:0",
		.sport = 33000, .dport = 443, .tcp_flags = 0x02,
	};
	struct pkt_spec ba = ab;
	struct ff_flow_key k, k2;
	struct ff_flow f;

	REQUIRE_BPF();
	ba.saddr = ab.daddr;
	ba.daddr = ab.saddr;
	ba.sport = 443;
	ba.dport = 33000;
	ba.tcp_flags = 0x12;
	/* ::ff < ::1:0 in byte order */
	assert_int_equal(key_for(&k, 6, 6, ab.saddr, 33000, ab.daddr, 443, false), 0);
	send_pkt(H_SOCK, &ab, T0_US, NULL);
	send_pkt(H_SOCK, &ba, T0_US + 5, NULL);
	assert_int_equal(flow_count(), 1);
	flow_must(&k, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].pkts, 1);
	assert_int_equal(f.dir[FF_DIR_BWD].pkts, 1);
	assert_int_equal(f.initiator_is_b, 0);

	/* Same addresses, ports swapped: another flow. */
	ab.sport = 443;
	ab.dport = 33000;
	send_pkt(H_SOCK, &ab, T0_US + 9, NULL);
	assert_int_equal(flow_count(), 2);
	key_for(&k2, 6, 6, ab.saddr, 443, ab.daddr, 33000, false);
	flow_must(&k2, &f);
	assert_int_equal(ff_flow_pkts(&f), 1);
	assert_int_equal(f.resp_port, 33000);
}

static void flow_same_address_ordered_by_port(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "127.0.0.1", .daddr = "127.0.0.1",
		.sport = 50000, .dport = 8080,
	};
	struct ff_flow_key k;
	struct ff_flow f;

	REQUIRE_BPF();
	assert_int_equal(key_for(&k, 4, 17, s.saddr, 50000, s.daddr, 8080, false), 1);
	assert_int_equal(k.port_a, 8080);
	send_pkt(H_XDP, &s, T0_US, NULL);
	s.sport = 8080;
	s.dport = 50000;
	send_pkt(H_XDP, &s, T0_US + 1, NULL);
	assert_int_equal(flow_count(), 1);
	flow_must(&k, &f);
	assert_int_equal(f.initiator_is_b, 1);
	assert_int_equal(f.dir[FF_DIR_FWD].pkts, 1);
	assert_int_equal(f.dir[FF_DIR_BWD].pkts, 1);
}

static void flow_byte_counts(void **state)
{
	/* IPv4 + 12 bytes of TCP options + 100 bytes payload; reply empty. */
	struct pkt_spec ab = {
		.family = 4, .proto = 6, .saddr = "10.9.0.1", .daddr = "10.9.0.2",
		.sport = 2000, .dport = 22, .tcp_flags = 0x18, .tcp_opts_len = 12,
		.payload_len = 100, .ip_opts_len = 4,
	};
	struct pkt_spec ba = {
		.family = 4, .proto = 6, .saddr = "10.9.0.2", .daddr = "10.9.0.1",
		.sport = 22, .dport = 2000, .tcp_flags = 0x10,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len1, len2, len3;

	REQUIRE_BPF();
	key_for(&k, 4, 6, ab.saddr, 2000, ab.daddr, 22, false);
	send_pkt(H_XDP, &ab, T0_US, &len1);
	ab.payload_len = 10;
	send_pkt(H_TC, &ab, T0_US + 1, &len2);
	send_pkt(H_XDP, &ba, T0_US + 2, &len3);
	flow_must(&k, &f);
	/* wire_bytes: IP total length; len_*: L4 payload; hdr: L4 (CIC). */
	assert_int_equal(f.dir[FF_DIR_FWD].wire_bytes, (24 + 32 + 100) + (24 + 32 + 10));
	assert_int_equal(f.dir[FF_DIR_FWD].len_sum, 110);
	assert_int_equal(f.dir[FF_DIR_FWD].len_sq.lo, 100 * 100 + 10 * 10);
	assert_int_equal(f.dir[FF_DIR_FWD].len_sq.hi, 0);
	assert_int_equal(f.dir[FF_DIR_FWD].len_min, 10);
	assert_int_equal(f.dir[FF_DIR_FWD].len_max, 100);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_sum, 2 * 32);	/* TCP headers (CIC) */
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_min, 32);
	assert_int_equal(ip_l4_hdr(&f), 56);
	assert_int_equal(f.dir[FF_DIR_FWD].data_pkts, 2);
	assert_int_equal(f.dir[FF_DIR_BWD].wire_bytes, 40);
	assert_int_equal(f.dir[FF_DIR_BWD].len_sum, 0);
	assert_int_equal(f.dir[FF_DIR_BWD].len_min, 0);
	assert_int_equal(f.dir[FF_DIR_BWD].data_pkts, 0);
	assert_int_equal(f.dir[FF_DIR_BWD].hdr_min, 20);
	/* FF_C_BYTES counts whole frames. */
	get_counters(&c);
	assert_int_equal(c.c[FF_C_BYTES], len1 + len2 + len3);
	assert_int_equal(len3, 14 + 40);
}

static void flow_tcp_flag_counts(void **state)
{
	static const struct {
		bool from_a;
		__u8 flags;
	} seq[] = {
		{ true, 0x02 | 0x40 | 0x80 },	/* SYN ECE CWR */
		{ false, 0x12 },		/* SYN ACK */
		{ true, 0x10 },			/* ACK */
		{ true, 0x18 },			/* PSH ACK */
		{ false, 0x38 },		/* URG PSH ACK */
		{ true, 0x11 },			/* FIN ACK */
		{ false, 0x04 },		/* RST */
	};
	struct pkt_spec s = { .family = 4, .proto = 6, .window = 100 };
	struct ff_flow_key k;
	struct ff_flow f;
	size_t i;

	REQUIRE_BPF();
	key_for(&k, 4, 6, "10.10.0.1", 3000, "10.10.0.2", 443, false);
	for (i = 0; i < FF_ARRAY_SIZE(seq); i++) {
		s.saddr = seq[i].from_a ? "10.10.0.1" : "10.10.0.2";
		s.daddr = seq[i].from_a ? "10.10.0.2" : "10.10.0.1";
		s.sport = seq[i].from_a ? 3000 : 443;
		s.dport = seq[i].from_a ? 443 : 3000;
		s.tcp_flags = seq[i].flags;
		send_pkt(i % 2 ? H_TC : H_XDP, &s, T0_US + i, NULL);
		if (i == 4) {
			flow_must(&k, &f);
			assert_int_equal(f.ended, 0);
		}
	}
	flow_must(&k, &f);
	assert_int_equal(f.flags[0], 1);	/* FIN */
	assert_int_equal(f.flags[1], 2);	/* SYN */
	assert_int_equal(f.flags[2], 1);	/* RST */
	assert_int_equal(f.flags[3], 2);	/* PSH */
	assert_int_equal(f.flags[4], 5);	/* ACK */
	assert_int_equal(f.flags[5], 1);	/* URG */
	assert_int_equal(f.flags[6], 1);	/* ECE */
	assert_int_equal(f.flags[7], 1);	/* CWR */
	assert_int_equal(f.dir[FF_DIR_FWD].psh, 1);
	assert_int_equal(f.dir[FF_DIR_BWD].psh, 1);
	assert_int_equal(f.dir[FF_DIR_FWD].urg, 0);
	assert_int_equal(f.dir[FF_DIR_BWD].urg, 1);
	assert_int_equal(f.dir[FF_DIR_FWD].rst, 0);
	assert_int_equal(f.dir[FF_DIR_BWD].rst, 1);
	assert_int_equal(f.dir[FF_DIR_FWD].pkts, 4);
	assert_int_equal(f.dir[FF_DIR_BWD].pkts, 3);
	assert_int_equal(f.ended, 1);
}

static void flow_iat_from_replay_clock(void **state)
{
	struct pkt_spec ab = {
		.family = 4, .proto = 17, .saddr = "10.11.0.1", .daddr = "10.11.0.2",
		.sport = 7000, .dport = 7001, .payload_len = 1,
	};
	struct pkt_spec ba = {
		.family = 4, .proto = 17, .saddr = "10.11.0.2", .daddr = "10.11.0.1",
		.sport = 7001, .dport = 7000, .payload_len = 1,
	};
	struct ff_flow_key k;
	struct ff_flow f;
	__u32 zero = 0;
	__u64 ns;

	REQUIRE_BPF();
	key_for(&k, 4, 17, ab.saddr, 7000, ab.daddr, 7001, false);
	send_pkt(H_XDP, &ab, T0_US, NULL);		/* fwd */
	send_pkt(H_XDP, &ba, T0_US + 1000, NULL);	/* bwd, +1000 */
	send_pkt(H_TC, &ab, T0_US + 4000, NULL);	/* fwd, +3000 */
	send_pkt(H_SOCK, &ba, T0_US + 10000, NULL);	/* bwd, +6000 */
	flow_must(&k, &f);
	assert_int_equal(f.first_us, T0_US);
	assert_int_equal(f.last_us, T0_US + 10000);
	assert_int_equal(f.iat_sum, 10000);
	assert_int_equal(f.iat_sq.lo, 1000ULL * 1000 + 3000ULL * 3000 + 6000ULL * 6000);
	assert_int_equal(f.iat_min, 1000);
	assert_int_equal(f.iat_max, 6000);
	assert_int_equal(f.dir[FF_DIR_FWD].iat_sum, 4000);
	assert_int_equal(f.dir[FF_DIR_FWD].iat_min, 4000);
	assert_int_equal(f.dir[FF_DIR_FWD].iat_max, 4000);
	assert_int_equal(f.dir[FF_DIR_FWD].last_us, T0_US + 4000);
	assert_int_equal(f.dir[FF_DIR_BWD].iat_sum, 9000);
	assert_int_equal(f.dir[FF_DIR_BWD].iat_sq.lo, 9000ULL * 9000);
	assert_int_equal(f.dir[FF_DIR_BWD].last_us, T0_US + 10000);

	/* Nanoseconds are floored to microseconds; a clock going backwards
	 * gives an IAT of 0, not a wrapped one. */
	ns = (T0_US + 20000) * 1000 + 999;
	assert_int_equal(bpf_map_update_elem(env.clock_fd, &zero, &ns, BPF_ANY), 0);
	{
		uint8_t frame[128];
		size_t len = pkt_build(&ab, frame, sizeof(frame));

		run_frame(H_XDP, frame, len);
		set_clock_us(T0_US + 5);
		run_frame(H_XDP, frame, len);
	}
	flow_must(&k, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].pkts, 4);
	assert_int_equal(f.iat_max, 10000);
	assert_int_equal(f.iat_min, 0);
	assert_int_equal(f.dir[FF_DIR_FWD].iat_sum, 4000 + 16000 + 0);
	/* the flow's clock stays where it was (issue 10 item 5) */
	assert_int_equal(f.last_us, T0_US + 20000);
	assert_int_equal(f.dir[FF_DIR_FWD].last_us, T0_US + 20000);
	assert_int_equal(f.last_us - f.first_us, 20000);
}

/* ---- context (flowforest/context.h) ------------------------------------ */

/* The context tests' setup: a model that reads every feature, since a
 * checkpoint reads the context rows only for a model that uses them. */
static int ctx_setup(void **state)
{
	int rc = test_setup(state);

	return rc || !env.loaded ? rc : install_reading(NULL, 0);
}

/* The context features of the last checkpoint, as the model saw them. */
static void ctx_read(__u64 *svc_1s, __u64 *half_open, __u64 *bits, __u64 *src_1s)
{
	*svc_1s = scratch_feature(FF_F_CTX_SVC_FLOWS_1S, false);
	*half_open = scratch_feature(FF_F_CTX_SVC_HALF_OPEN_1S, false);
	*bits = scratch_feature(FF_F_CTX_SVC_PEER_BITS_1S, false);
	*src_1s = scratch_feature(FF_F_CTX_SRC_FLOWS_1S, false);
}

/* A spoofed SYN flood, 1,000 SYNs from random sources to one service in
 * half a second: the flow of its last SYN, at its first checkpoint (its
 * first packet), sees 1,000 new half-open flows from many peers; a lone
 * benign SYN to another service sees itself only. */
static void ctx_syn_flood_seen_at_first_checkpoint(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "192.0.2.7", .daddr = "10.9.0.1",
		.sport = 40000, .dport = 80, .tcp_flags = 0x02, .window = 64240,
	};
	__u64 svc, half, bits, src;
	char saddr[32];
	int i;

	REQUIRE_BPF();
	scratch_feature(0, true);
	send_pkt(H_XDP, &s, T0_US, NULL);
	ctx_read(&svc, &half, &bits, &src);
	assert_int_equal(svc, 1);
	assert_int_equal(half, 1);
	assert_int_equal(bits, 1);
	assert_int_equal(src, 1);

	rnd_state = 0x9e3779b97f4a7c15ULL;
	s.daddr = "10.9.0.2";
	s.saddr = saddr;
	for (i = 0; i < 1000; i++) {
		__u64 r = rnd();

		snprintf(saddr, sizeof(saddr), "%u.%u.%u.%u", 11 + (unsigned)(r % 200),
			 (unsigned)(r >> 8) & 255, (unsigned)(r >> 16) & 255,
			 1 + (unsigned)(r >> 24) % 254);
		s.sport = 1024 + (r >> 32) % 60000;
		if (i == 999)
			scratch_feature(0, true);
		assert_int_equal(send_pkt(H_XDP, &s, T0_US + 100000 + 500 * i, NULL), XDP_PASS);
	}
	ctx_read(&svc, &half, &bits, &src);
	assert_int_equal(svc, 1000);
	assert_int_equal(half, 1000);
	assert_true(bits >= 60);	/* 1,000 peers fill the 64 bits */
	assert_true(src <= 2);		/* each source prefix opened one or two */
	assert_int_equal(scratch_feature(FF_F_CTX_SVC_SYN_SHARE, false), 1000);
}

/* A completed handshake is no longer half-open, and a flow with a second
 * packet no longer a one-packet flow of its source prefix. */
static void ctx_handshake_completes(void **state)
{
	struct pkt_spec syn = {
		.family = 4, .proto = 6, .saddr = "192.0.2.8", .daddr = "10.9.0.3",
		.sport = 40001, .dport = 443, .tcp_flags = 0x02,
	};
	struct pkt_spec synack = syn, ack = syn;
	__u64 svc, half, bits, src;

	REQUIRE_BPF();
	synack.saddr = syn.daddr;
	synack.daddr = syn.saddr;
	synack.sport = 443;
	synack.dport = 40001;
	synack.tcp_flags = 0x12;
	ack.tcp_flags = 0x10;
	send_pkt(H_XDP, &syn, T0_US, NULL);
	/* the source prefix's one flow has one packet so far */
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_ONE_PKT_SHARE, false), 1000);
	send_pkt(H_XDP, &synack, T0_US + 100, NULL);	/* checkpoint 2 */
	ctx_read(&svc, &half, &bits, &src);
	assert_int_equal(half, 1);
	/* and now a second: the source's flows are not one-packet flows */
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_ONE_PKT_SHARE, false), 0);
	send_pkt(H_XDP, &ack, T0_US + 200, NULL);
	send_pkt(H_XDP, &ack, T0_US + 300, NULL);	/* checkpoint 4 */
	ctx_read(&svc, &half, &bits, &src);
	assert_int_equal(svc, 1);
	assert_int_equal(half, 0);
}

/* At a hook that sees one direction (XDP ingress) the SYN-ACK never
 * arrives: the client's ACK after its SYN completes the handshake all the
 * same, so a benign client's connection is not half-open there either and
 * its prefix's handshakes count as done; a SYN and a SYN again (a
 * retransmission) complete nothing. */
static void ctx_handshake_completes_one_way(void **state)
{
	struct pkt_spec syn = {
		.family = 4, .proto = 6, .saddr = "192.0.2.9", .daddr = "10.9.0.4",
		.sport = 40002, .dport = 443, .tcp_flags = 0x02,
	};
	struct pkt_spec ack = syn;
	__u64 svc, half, bits, src;

	REQUIRE_BPF();
	ack.tcp_flags = 0x10;
	send_pkt(H_XDP, &syn, T0_US, NULL);
	send_pkt(H_XDP, &syn, T0_US + 100, NULL);	/* checkpoint 2 */
	ctx_read(&svc, &half, &bits, &src);
	assert_int_equal(half, 1);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_DONE_SHARE, false), 0);
	send_pkt(H_XDP, &ack, T0_US + 200, NULL);
	send_pkt(H_XDP, &ack, T0_US + 300, NULL);	/* checkpoint 4 */
	ctx_read(&svc, &half, &bits, &src);
	assert_int_equal(svc, 1);
	assert_int_equal(half, 0);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_DONE_SHARE, false), 1000);
}

/* A model that reads the pair's features only: a checkpoint looks up the
 * pair's entry and no other (track.h, ff_track_ctx_read): the rows of the
 * service, the host and the source prefix stay 0, the pair's count as
 * with a model that reads them all. */
static void ctx_only_the_entries_read(void **state)
{
	const __u32 fids[] = { FF_F_CTX_PAIR_FLOWS_1S };
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "10.1.1.1", .daddr = "10.9.0.9", .dport = 80,
		.tcp_flags = 0x02, .window = 64240,
	};
	int i;

	REQUIRE_BPF();
	assert_int_equal(install_reading(fids, 1), 0);
	scratch_feature(0, true);
	for (i = 0; i < 3; i++) {
		s.sport = 30000 + i;
		send_pkt(H_XDP, &s, T0_US + 1000 * i, NULL);
	}
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_FLOWS_1S, false), 3);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_ONE_PKT_SHARE, false), 1000);
	assert_int_equal(scratch_feature(FF_F_CTX_SVC_FLOWS_1S, false), 0);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FLOWS_1S, false), 0);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_FLOWS_1S, false), 0);
}

/* The pair key (initiator's /24, service) in the kernel: a busy /24 of 20
 * hosts opening 2 flows each to port 80 and one host of another /24
 * opening 40 to it in the same second open as many flows each, the same
 * for their source prefix; only the pair's peers tell them apart. A flow
 * of the flood's /24 to another port is another pair. A flow that sends
 * 1.2 s after its first packet is long-open, once. */
static void ctx_pair_busy_prefix_against_one_host(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .daddr = "10.9.0.9", .dport = 80,
		.tcp_flags = 0x02, .window = 64240,
	};
	char saddr[32];
	int i;

	REQUIRE_BPF();
	s.saddr = saddr;
	for (i = 0; i < 40; i++) {
		snprintf(saddr, sizeof(saddr), "10.1.1.%d", 1 + i % 20);
		s.sport = 30000 + i;
		send_pkt(H_XDP, &s, T0_US + 20000 * i, NULL);
		snprintf(saddr, sizeof(saddr), "10.2.2.7");
		s.sport = 40000 + i;
		scratch_feature(0, true);
		send_pkt(H_XDP, &s, T0_US + 20000 * i + 5000, NULL);
	}
	/* the flood's last SYN, at its first checkpoint */
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_FLOWS_1S, false), 40);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_FLOWS_1S, false), 40);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_PEER_BITS_1S, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_FLOWS_PER_BIT, false), 40);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_ONE_PKT_SHARE, false), 1000);
	/* a busy host's next SYN */
	snprintf(saddr, sizeof(saddr), "10.1.1.3");
	s.sport = 31000;
	scratch_feature(0, true);
	send_pkt(H_XDP, &s, T0_US + 800000, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_FLOWS_1S, false), 41);
	assert_true(scratch_feature(FF_F_CTX_PAIR_PEER_BITS_1S, false) >= 14);
	assert_true(scratch_feature(FF_F_CTX_PAIR_FLOWS_PER_BIT, false) <= 3);
	/* the flood's /24 to another service: a pair of its own */
	snprintf(saddr, sizeof(saddr), "10.2.2.7");
	s.dport = 22;
	s.sport = 41000;
	scratch_feature(0, true);
	send_pkt(H_XDP, &s, T0_US + 810000, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_FLOWS_1S, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_FLOWS_1S, false), 41);
	/* that flow again 1.2 s after its SYN (checkpoint 2), and once more */
	s.tcp_flags = 0x10;
	scratch_feature(0, true);
	send_pkt(H_XDP, &s, T0_US + 2010000, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_OLD_1S, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_ONE_PKT_SHARE, false), 0);
	send_pkt(H_XDP, &s, T0_US + 2020000, NULL);
	scratch_feature(0, true);
	send_pkt(H_XDP, &s, T0_US + 2030000, NULL);	/* checkpoint 4 */
	assert_int_equal(scratch_feature(FF_F_CTX_PAIR_OLD_1S, false), 1);
}

/* A spoofed source: 11-210.x.x.x, random, from rnd(). */
static void spoofed(char *buf, size_t len, __u64 r)
{
	snprintf(buf, len, "%u.%u.%u.%u", 11 + (unsigned)(r % 200), (unsigned)(r >> 8) & 255,
		 (unsigned)(r >> 16) & 255, 1 + (unsigned)(r >> 24) % 254);
}

/* A UDP flood to random ports of one host from spoofed sources, 500
 * one-packet flows in 50 ms: each is the only flow of its service, the
 * host key sees them all (flows, packets, bytes, peers, all one-packet). A
 * DNS query and its answer to another host: one flow, one packet towards
 * the host, and not one-packet any more once answered. */
static void ctx_udp_flood_random_ports_seen_by_host(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .daddr = "10.9.1.1", .payload_len = 100,
	};
	struct pkt_spec q = {
		.family = 4, .proto = 17, .saddr = "192.0.2.50", .daddr = "10.9.1.2",
		.sport = 5353, .dport = 53, .payload_len = 40,
	};
	struct pkt_spec a = q;
	char saddr[32];
	int i;

	REQUIRE_BPF();
	rnd_state = 0x2545F4914F6CDD1DULL;
	s.saddr = saddr;
	for (i = 0; i < 500; i++) {
		__u64 r = rnd();

		spoofed(saddr, sizeof(saddr), r);
		s.sport = 1024 + (r >> 32) % 60000;
		s.dport = 1 + i * 131 % 65000;	/* 500 distinct ports */
		if (i == 499)
			scratch_feature(0, true);
		send_pkt(H_XDP, &s, T0_US + 100 * i, NULL);
	}
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FLOWS_1S, false), 500);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_PKTS_100MS, false), 500);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_BYTES_1S, false), 500 * (20 + 8 + 100));
	assert_true(scratch_feature(FF_F_CTX_HOST_PEER_BITS_1S, false) >= 60);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_ONE_PKT_SHARE, false), 1000);
	assert_int_equal(scratch_feature(FF_F_CTX_SVC_FLOWS_1S, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FAIL_SHARE, false), 0);

	a.saddr = q.daddr, a.daddr = q.saddr, a.sport = q.dport, a.dport = q.sport;
	send_pkt(H_XDP, &q, T0_US + 60000, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FLOWS_1S, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_PKTS_100MS, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_ONE_PKT_SHARE, false), 1000);
	assert_int_equal(scratch_feature(FF_F_CTX_SVC_ONE_PKT_SHARE, false), 1000);
	send_pkt(H_XDP, &a, T0_US + 60100, NULL);	/* checkpoint 2 */
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_PKTS_100MS, false), 1);	/* answers: not towards it */
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_BYTES_1S, false), 20 + 8 + 40);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_ONE_PKT_SHARE, false), 0);
	assert_int_equal(scratch_feature(FF_F_CTX_SVC_ONE_PKT_SHARE, false), 0);
}

/* An ICMP flood of one flow (one echo identifier): every request counts
 * towards the host, the replies do not; at checkpoint 64 the host has seen
 * 64 packets of one flow in 10 ms, none of it one-packet. */
static void ctx_one_flow_flood_packets_and_bytes(void **state)
{
	struct pkt_spec req = {
		.family = 4, .proto = 1, .saddr = "192.0.2.61", .daddr = "10.9.3.1",
		.icmp_type = 8, .icmp_id = 77, .payload_len = 56,
	};
	struct pkt_spec rep = req;
	int i;

	REQUIRE_BPF();
	rep.saddr = req.daddr, rep.daddr = req.saddr, rep.icmp_type = 0;
	send_pkt(H_XDP, &rep, T0_US, NULL);	/* an answer first: its own flow */
	for (i = 0; i < 64; i++) {
		req.icmp_seq = i;
		if (i == 63)
			scratch_feature(0, true);
		send_pkt(H_XDP, &req, T0_US + 1000 + 150 * i, NULL);
		if (i < 63) {
			rep.icmp_seq = i;
			send_pkt(H_XDP, &rep, T0_US + 1000 + 150 * i + 20, NULL);
		}
	}
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_PKTS_100MS, false), 64);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_BYTES_1S, false), 64 * (20 + 8 + 56));
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FLOWS_1S, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_ONE_PKT_SHARE, false), 0);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_PEER_BITS_1S, false), 1);
}

/* Failed connections. A connect scan of 200 ports of one host, each SYN
 * answered by RST-ACK: at the last RST (a checkpoint) the host and the
 * scanner's prefix have failed every flow, and the scanner's sketch counts
 * many services (the ports of one host). A UDP scan answered by ICMP
 * unreachables: the host sent them, the scanner's prefix got them. */
static void ctx_failed_connections(void **state)
{
	struct pkt_spec syn = {
		.family = 4, .proto = 6, .saddr = "203.0.113.9", .daddr = "10.9.2.1",
		.tcp_flags = 0x02, .window = 1024,
	};
	struct pkt_spec rst = syn, u = {
		.family = 4, .proto = 17, .saddr = "198.18.7.7", .daddr = "10.9.2.2",
		.sport = 41000, .payload_len = 0,
	};
	struct pkt_spec icmp = {
		.family = 4, .proto = 1, .saddr = "10.9.2.2", .daddr = "198.18.7.7",
		.icmp_type = 3, .payload_len = 28,
	};
	int i;

	REQUIRE_BPF();
	rst.saddr = syn.daddr, rst.daddr = syn.saddr, rst.tcp_flags = 0x14;
	for (i = 0; i < 200; i++) {
		syn.sport = 40000 + i, syn.dport = 1 + i;
		rst.sport = syn.dport, rst.dport = syn.sport;
		send_pkt(H_XDP, &syn, T0_US + 1000 * i, NULL);
		if (i == 199)
			scratch_feature(0, true);
		send_pkt(H_XDP, &rst, T0_US + 1000 * i + 50, NULL);
	}
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FLOWS_1S, false), 200);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FAIL_SHARE, false), 1000);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_FAIL_SHARE, false), 1000);
	assert_true(scratch_feature(FF_F_CTX_SRC_PEER_BITS_1S, false) >= 50);
	/* an RST after a completed handshake is no refusal */
	syn.saddr = "192.0.2.99", syn.daddr = "10.9.2.3", syn.sport = 50000, syn.dport = 443;
	rst = syn;
	rst.saddr = syn.daddr, rst.daddr = syn.saddr, rst.sport = 443, rst.dport = 50000;
	rst.tcp_flags = 0x12;
	send_pkt(H_XDP, &syn, T0_US + 300000, NULL);
	send_pkt(H_XDP, &rst, T0_US + 300100, NULL);
	syn.tcp_flags = 0x10;
	send_pkt(H_XDP, &syn, T0_US + 300200, NULL);
	rst.tcp_flags = 0x04;
	scratch_feature(0, true);
	send_pkt(H_XDP, &rst, T0_US + 300300, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FLOWS_1S, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FAIL_SHARE, false), 0);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_FAIL_SHARE, false), 0);

	for (i = 0; i < 100; i++) {
		u.dport = 1000 + i;
		send_pkt(H_XDP, &u, T0_US + 400000 + 1000 * i, NULL);
		icmp.icmp_seq = i;
		send_pkt(H_XDP, &icmp, T0_US + 400000 + 1000 * i + 30, NULL);
	}
	u.dport = 2000;		/* a new flow's first checkpoint: 100 of 101 failed */
	send_pkt(H_XDP, &u, T0_US + 600000, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FLOWS_1S, false), 101);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FAIL_SHARE, false), 100 * 1000 / 101);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_FAIL_SHARE, false), 100 * 1000 / 101);
	assert_int_equal(scratch_feature(FF_F_CTX_SVC_ONE_PKT_SHARE, false), 1000);
}

/*
 * A filter that just started has seen no one come back (context.h,
 * ff_ctx_entries): every source reads "never" (60 s), and the table's age
 * (ctx_table_age_us) says how long it has counted, up to FF_CTX_COLD_US:
 * the forest tells a cold table's "never" from a warm one's by it. The
 * table's clock starts with the first flow counted.
 */
static void ctx_table_age_from_the_table_clock(void **state)
{
	struct pkt_spec a = {
		.family = 4, .proto = 6, .saddr = "10.30.1.5", .daddr = "10.9.5.1",
		.sport = 40000, .dport = 80, .tcp_flags = 0x02,
	};
	struct pkt_spec b = a, ack;

	REQUIRE_BPF();
	scratch_feature(0, true);
	send_pkt(H_XDP, &a, T0_US, NULL);	/* the first flow: the clock starts */
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_RETURN_AGE, false), FF_CTX_KEEP_US);
	assert_int_equal(scratch_feature(FF_F_CTX_TABLE_AGE, false), 0);
	b.saddr = "10.30.2.7";			/* a network not seen before */
	scratch_feature(0, true);
	send_pkt(H_XDP, &b, T0_US + 400000, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_RETURN_AGE, false), FF_CTX_KEEP_US);
	assert_int_equal(scratch_feature(FF_F_CTX_TABLE_AGE, false), 400000);
	ack = b;				/* it comes back: its handshake's ACK */
	ack.tcp_flags = 0x10;
	send_pkt(H_XDP, &ack, T0_US + 401000, NULL);
	b.saddr = "10.30.2.9";
	scratch_feature(0, true);
	send_pkt(H_XDP, &b, T0_US + 500000, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_RETURN_AGE, false), 99000);
	/* the table's age: the time counted, then at most FF_CTX_COLD_US */
	b.saddr = "10.30.3.4";
	scratch_feature(0, true);
	send_pkt(H_XDP, &b, T0_US + FF_CTX_COLD_US - 1, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_TABLE_AGE, false), FF_CTX_COLD_US - 1);
	b.sport++;
	scratch_feature(0, true);
	send_pkt(H_XDP, &b, T0_US + FF_CTX_COLD_US + 1, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_RETURN_AGE, false), FF_CTX_KEEP_US);
	assert_int_equal(scratch_feature(FF_F_CTX_TABLE_AGE, false), FF_CTX_COLD_US);
	/* the one that came back reads its own age */
	b.saddr = "10.30.2.11";
	scratch_feature(0, true);
	send_pkt(H_XDP, &b, T0_US + 3401000, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_SRC_RETURN_AGE, false), 3000000);
}

/* Context slots in use (a key written). */
static int ctx_slots_used(void)
{
	int fd = FF_MAP_FD(&env.l, ff_ctx), n = 0;
	struct ff_ctx_slot sl;
	__u32 i;

	for (i = 0; i < FF_CTX_SLOTS; i++) {
		assert_int_equal(bpf_map_lookup_elem(fd, &i, &sl), 0);
		n += sl.key.kind != 0;
	}
	return n;
}

/* The context is counted only while something reads it (track.h,
 * ff_track_ctx_on): under the hand-written model, which splits on no
 * context feature, a SYN flood, completed handshakes and ICMP unreachables
 * leave the table empty; after a swap to a model that reads the context,
 * the windows count from the swap on. */
static void ctx_counted_only_while_read(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "192.0.2.70", .daddr = "10.9.4.1",
		.sport = 40000, .dport = 80, .tcp_flags = 0x02, .window = 64240,
	};
	struct pkt_spec synack = s, ack = s, icmp = {
		.family = 4, .proto = 1, .saddr = "10.9.4.1", .daddr = "198.18.7.8",
		.icmp_type = 3, .payload_len = 28,
	};
	char saddr[32];
	int i;

	REQUIRE_BPF();
	assert_false(env.hw.flags & FF_MODEL_F_CTX);
	synack.saddr = s.daddr, synack.daddr = s.saddr, synack.sport = 80, synack.dport = 40000;
	synack.tcp_flags = 0x12;
	ack.tcp_flags = 0x10;
	send_pkt(H_XDP, &s, T0_US, NULL);
	send_pkt(H_XDP, &synack, T0_US + 100, NULL);
	send_pkt(H_XDP, &ack, T0_US + 200, NULL);
	send_pkt(H_XDP, &icmp, T0_US + 300, NULL);
	rnd_state = 0x51ed270b27a4b2c1ULL;
	s.saddr = saddr;
	for (i = 0; i < 100; i++) {
		__u64 r = rnd();

		spoofed(saddr, sizeof(saddr), r);
		s.sport = 1024 + (r >> 32) % 60000;
		send_pkt(H_XDP, &s, T0_US + 1000 + 100 * i, NULL);
	}
	assert_int_equal(flow_count(), 101 + 1);
	assert_int_equal(ctx_slots_used(), 0);

	assert_int_equal(install_reading(NULL, 0), 0);
	scratch_feature(0, true);
	send_pkt(H_XDP, &s, T0_US + 20000, NULL);	/* the last SYN's flow: packet 2 */
	s.sport++;
	scratch_feature(0, true);
	send_pkt(H_XDP, &s, T0_US + 20100, NULL);	/* a new flow */
	assert_int_equal(scratch_feature(FF_F_CTX_SVC_FLOWS_1S, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_FLOWS_1S, false), 1);
	assert_int_equal(scratch_feature(FF_F_CTX_HOST_PKTS_100MS, false), 2);
	assert_true(ctx_slots_used() > 0);
}

/*
 * The kernel's context counts on the wall clock, as a capture's
 * timestamps do (track.h ff_track_ctx_us, flow.h ctx_clock_us): a
 * classifier on the kernel's own clock (not the replay clock the other
 * tests set) puts a packet into the windows of its wall-clock time. On the
 * monotonic clock alone its windows turned at other instants than those
 * of a capture of the same packets, and live and replay read other counts
 * (run S2: 135 of 352 http_flood flows decided otherwise at packet 1).
 */
static void ctx_windows_on_the_wall_clock_live(void **state)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT, .max_flows = 1024,
				  .export_snapshots = true };	/* the context counts */
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "10.31.0.5", .daddr = "10.9.6.1",
		.sport = 40000, .dport = 80, .tcp_flags = 0x02,
	};
	LIBBPF_OPTS(bpf_test_run_opts, tr, .repeat = 1);
	__u32 i, clock_slot = FF_CTX_SLOTS, n_svc = 0;
	struct ff_ctx_slot sl, clk;
	struct ff_loader l;
	uint8_t frame[128];
	__u64 before, after;
	char err[256];
	int fd;

	REQUIRE_BPF();
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	tr.data_in = frame;
	tr.data_size_in = pkt_build(&s, frame, sizeof(frame));
	before = ff_wall_offset_us() + ff_mono_us();
	assert_int_equal(bpf_prog_test_run_opts(FF_PROG_FD(&l, ff_xdp), &tr), 0);
	after = ff_wall_offset_us() + ff_mono_us();
	fd = FF_MAP_FD(&l, ff_ctx);
	/* the table's clock started with the flow, at its wall-clock time
	 * (a few microseconds either way: the offset is measured at load) */
	assert_int_equal(bpf_map_lookup_elem(fd, &clock_slot, &clk), 0);
	assert_in_range(clk.e.return_us, before - 1000, after + 1000);
	/* and the service's windows are those of that time */
	for (i = 0; i < FF_CTX_SLOTS; i++) {
		assert_int_equal(bpf_map_lookup_elem(fd, &i, &sl), 0);
		if (sl.key.kind != FF_CTX_SVC)
			continue;
		n_svc++;
		assert_int_equal(sl.e.w[0].idx, clk.e.return_us / FF_CTX_SHORT_US);
		assert_int_equal(sl.e.w[1].idx, clk.e.return_us / FF_CTX_LONG_US);
		assert_int_equal(sl.e.w[1].cur[FF_CTX_FLOWS], 1);
	}
	assert_int_equal(n_svc, 1);
	ff_loader_close(&l);
}

/* One CPU's packets for ctx_two_cpus_one_host: `n` test runs of its frame. */
struct cpu_run {
	int cpu, prog;
	__u32 n;
	uint8_t frame[128];
	size_t len;
	int rc;
};

static void *cpu_run_frames(void *arg)
{
	struct cpu_run *r = arg;
	LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = r->frame, .data_size_in = r->len,
		    .repeat = r->n);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	r->rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (!r->rc)
		r->rc = bpf_prog_test_run_opts(r->prog, &tr);
	return NULL;
}

/* The host entry's (FF_CTX_HOST) slot; -1: none. */
static int ctx_host_slot(struct ff_ctx_slot *out)
{
	int fd = FF_MAP_FD(&env.l, ff_ctx);
	__u32 i;

	for (i = 0; i < FF_CTX_SLOTS; i++) {
		assert_int_equal(bpf_map_lookup_elem(fd, &i, out), 0);
		if (out->key.kind == FF_CTX_HOST)
			return (int)i;
	}
	return -1;
}

/*
 * Two CPUs count into one context entry at once: two flows to one host,
 * each CPU sending one of them as fast as test_run goes, the clock still
 * (no window turns). A count may be lost, never invented (context.h), and
 * few are: 0-4 % of 400,000 in eleven runs at load 2.6-25, more when the
 * machine is quiet and the two really overlap (docs/design.md, "The
 * context's clock and CPUs"). Three in four must arrive: fewer would be a
 * loss of its own (a window emptied), not the race.
 */
static void ctx_two_cpus_one_host(void **state)
{
	struct pkt_spec a = {
		.family = 4, .proto = 17, .saddr = "10.32.0.5", .daddr = "10.9.7.1",
		.sport = 5000, .dport = 53, .payload_len = 20,
	};
	struct cpu_run r[2] = {};
	pthread_t th[2];
	struct ff_ctx_slot sl;
	__u64 want, got;
	int i;

	REQUIRE_BPF();
	if (libbpf_num_possible_cpus() < 2)
		skip();
	set_clock_us(T0_US);
	for (i = 0; i < 2; i++) {
		a.sport = 5000 + i;
		r[i].cpu = i;
		r[i].prog = env_prog(H_XDP);
		r[i].n = 200000;
		r[i].len = pkt_build(&a, r[i].frame, sizeof(r[i].frame));
		assert_int_equal(pthread_create(&th[i], NULL, cpu_run_frames, &r[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].rc, 0);
	}
	assert_true(ctx_host_slot(&sl) >= 0);
	want = (__u64)r[0].n + r[1].n;
	got = sl.e.w[0].cur[FF_CTX_PKTS];
	print_message("two CPUs, one host entry: %llu of %llu packets counted (100 ms), %u (1 s), "
		      "bytes %llu of %llu\n", (unsigned long long)got, (unsigned long long)want,
		      sl.e.w[1].cur[FF_CTX_PKTS], (unsigned long long)sl.e.w[0].bytes_cur,
		      (unsigned long long)(want * 48));
	assert_true(got <= want && sl.e.w[1].cur[FF_CTX_PKTS] <= want);
	assert_true(got >= want - want / 4 && sl.e.w[1].cur[FF_CTX_PKTS] >= want - want / 4);
	assert_in_range(sl.e.w[0].cur[FF_CTX_FLOWS], 1, 2);	/* opened at once: may race too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(flow_reply_joins_one_entry, test_setup),
		cmocka_unit_test_setup(flow_initiator_is_b, test_setup),
		cmocka_unit_test_setup(flow_swapped_ports_two_entries, test_setup),
		cmocka_unit_test_setup(flow_ipv6_one_and_two_entries, test_setup),
		cmocka_unit_test_setup(flow_same_address_ordered_by_port, test_setup),
		cmocka_unit_test_setup(flow_byte_counts, test_setup),
		cmocka_unit_test_setup(flow_tcp_flag_counts, test_setup),
		cmocka_unit_test_setup(flow_iat_from_replay_clock, test_setup),
		cmocka_unit_test_setup(ctx_syn_flood_seen_at_first_checkpoint, ctx_setup),
		cmocka_unit_test_setup(ctx_handshake_completes, ctx_setup),
		cmocka_unit_test_setup(ctx_handshake_completes_one_way, ctx_setup),
		cmocka_unit_test_setup(ctx_udp_flood_random_ports_seen_by_host, ctx_setup),
		cmocka_unit_test_setup(ctx_one_flow_flood_packets_and_bytes, ctx_setup),
		cmocka_unit_test_setup(ctx_failed_connections, ctx_setup),
		cmocka_unit_test_setup(ctx_pair_busy_prefix_against_one_host, ctx_setup),
		cmocka_unit_test_setup(ctx_table_age_from_the_table_clock, ctx_setup),
		cmocka_unit_test_setup(ctx_only_the_entries_read, test_setup),
		cmocka_unit_test_setup(ctx_counted_only_while_read, test_setup),
		cmocka_unit_test_setup(ctx_windows_on_the_wall_clock_live, test_setup),
		cmocka_unit_test_setup(ctx_two_cpus_one_host, ctx_setup),
	};

	pin_one_cpu();
	return cmocka_run_group_tests_name("bpf_flow", tests, group_setup, group_teardown);
}
