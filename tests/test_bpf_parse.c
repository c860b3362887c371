// SPDX-License-Identifier: MIT
/* BPF tests, parsing: every hook, good and bad frames, the user-space parser on random frames. Harness and conventions: tests/bpfenv/bpf_env.h. */
#include "bpf_env.h"

/* ---- 1. parsing ------------------------------------------------------ */

static const int err_counters[] = {
	FF_C_NOT_IP, FF_C_TRUNCATED, FF_C_MALFORMED, FF_C_UNSUPPORTED,
};

/*
 * Run `frame` through every hook (XDP and TC only when it is at least an
 * Ethernet header long: test_run refuses shorter input) and require that
 * each run counts one packet, one `counter` and no other parse error,
 * passes the frame, and creates no flow.
 */
static void expect_parse_error(const uint8_t *frame, size_t len, int counter)
{
	struct ff_counters a, b;
	size_t i;
	int h;

	for (h = 0; h < H__N; h++) {
		if (!hook_accepts(h, frame, len))
			continue;
		get_counters(&a);
		set_clock_us(T0_US);
		assert_int_equal(run_frame(h, frame, len), pass_ret(h, len));
		get_counters(&b);
		assert_int_equal(b.c[FF_C_PACKETS] - a.c[FF_C_PACKETS], 1);
		assert_int_equal(b.c[FF_C_BYTES] - a.c[FF_C_BYTES], len);
		for (i = 0; i < FF_ARRAY_SIZE(err_counters); i++) {
			int c = err_counters[i];

			if (b.c[c] - a.c[c] != (c == counter)) {
				fail_msg("%s: counter %s moved by %llu, expected %d",
					 hook_prog[h], ff_counter_names[c],
					 (unsigned long long)(b.c[c] - a.c[c]),
					 c == counter);
			}
		}
		assert_int_equal(b.c[FF_C_FLOWS_CREATED], a.c[FF_C_FLOWS_CREATED]);
		assert_int_equal(b.unclassified_pkts, a.unclassified_pkts);
	}
	assert_int_equal(flow_count(), 0);
}

/*
 * Run `frame` through every hook and require that it parses: no parse
 * error counted, FF_C_FRAG_LATER as given, and every hook's packet lands
 * in the one flow with key `k`.
 */
static void expect_parse_ok(const uint8_t *frame, size_t len,
			    const struct ff_flow_key *k, int frag_later,
			    struct ff_flow *f)
{
	struct ff_counters a, b;
	size_t i;
	int h;

	for (h = 0; h < H__N; h++) {
		get_counters(&a);
		set_clock_us(T0_US + h);
		run_frame(h, frame, len);
		get_counters(&b);
		assert_int_equal(b.c[FF_C_PACKETS] - a.c[FF_C_PACKETS], 1);
		for (i = 0; i < FF_ARRAY_SIZE(err_counters); i++) {
			int c = err_counters[i];

			if (b.c[c] != a.c[c])
				fail_msg("%s: parse error counted in %s",
					 hook_prog[h], ff_counter_names[c]);
		}
		assert_int_equal(b.c[FF_C_FRAG_LATER] - a.c[FF_C_FRAG_LATER],
				 frag_later);
		assert_int_equal(b.c[FF_C_FLOWS_CREATED] - a.c[FF_C_FLOWS_CREATED],
				 h == 0);
		flow_must(k, f);
		assert_int_equal(ff_flow_pkts(f), h + 1);
	}
	assert_int_equal(flow_count(), 1);
}

static void parse_ipv4_tcp(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "10.1.0.1", .daddr = "10.1.0.2",
		.sport = 1000, .dport = 80, .tcp_flags = 0x02, .window = 64240,
	};
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	REQUIRE_BPF();
	len = pkt_build(&s, frame, sizeof(frame));
	assert_int_equal(len, 14 + 20 + 20);
	key_for(&k, 4, 6, s.saddr, 1000, s.daddr, 80, false);
	expect_parse_ok(frame, len, &k, 0, &f);
	assert_int_equal(f.proto, 6);
	assert_int_equal(f.resp_port, 80);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_sum, 3 * 20);	/* TCP headers (CIC) */
	assert_int_equal(ip_l4_hdr(&f), 40);
	assert_int_equal(f.dir[FF_DIR_FWD].init_win, 64240);
	assert_int_equal(f.flags[1], 3);	/* SYN */
}

static void parse_ipv4_options(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "10.1.0.1", .daddr = "10.1.0.2",
		.sport = 1001, .dport = 443, .tcp_flags = 0x10, .ip_opts_len = 12,
		.payload_len = 7,
	};
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	REQUIRE_BPF();
	len = pkt_build(&s, frame, sizeof(frame));
	assert_int_equal(frame[14], 0x48);	/* IHL 8 */
	/* The ports are read after the options, or the key would not match. */
	key_for(&k, 4, 6, s.saddr, 1001, s.daddr, 443, false);
	expect_parse_ok(frame, len, &k, 0, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_min, 20);
	assert_int_equal(ip_l4_hdr(&f), 32 + 20);
	assert_int_equal(f.dir[FF_DIR_FWD].len_max, 7);
	assert_int_equal(f.dir[FF_DIR_FWD].wire_bytes, 3 * (32 + 20 + 7));
}

static void parse_ipv6_ext_chain(void **state)
{
	struct pkt_spec s = {
		.family = 6, .proto = 17, .saddr = "2001:db8::1", .daddr = "2001:db8::2",
		.sport = 5353, .dport = 53, .payload_len = 20,
		.ext_hdrs = { { PKT_EXT_HOP, 0 }, { PKT_EXT_DSTOPTS, 1 },
			      { PKT_EXT_ROUTING, 2 } },
		.n_ext = 3,
	};
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	REQUIRE_BPF();
	len = pkt_build(&s, frame, sizeof(frame));
	assert_int_equal(len, 14 + 40 + 8 + 16 + 24 + 8 + 20);
	key_for(&k, 6, 17, s.saddr, 5353, s.daddr, 53, false);
	expect_parse_ok(frame, len, &k, 0, &f);
	assert_int_equal(f.proto, 17);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_min, 8);
	assert_int_equal(ip_l4_hdr(&f), 40 + 48 + 8);
	assert_int_equal(f.dir[FF_DIR_FWD].len_min, 20);
	assert_int_equal(f.dir[FF_DIR_FWD].wire_bytes, 3 * (40 + 48 + 8 + 20));
}

static void parse_ipv6_fragments(void **state)
{
	struct pkt_spec s = {
		.family = 6, .proto = 17, .saddr = "2001:db8::1", .daddr = "2001:db8::2",
		.sport = 4000, .dport = 4001, .payload_len = 64,
		.ext_hdrs = { { PKT_EXT_FRAG, 0 } }, .n_ext = 1, .more_frags = true,
	};
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	REQUIRE_BPF();
	/* First fragment: the UDP header is there, the ports are keyed. */
	len = pkt_build(&s, frame, sizeof(frame));
	key_for(&k, 6, 17, s.saddr, 4000, s.daddr, 4001, false);
	expect_parse_ok(frame, len, &k, 0, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_min, 8);
	assert_int_equal(ip_l4_hdr(&f), 40 + 8 + 8);

	/* A later fragment: no L4 header, a port-less flow of its own. */
	clear_flows();
	s.frag_off = 9;		/* 72 bytes in */
	s.more_frags = false;
	len = pkt_build(&s, frame, sizeof(frame));
	key_for(&k, 6, 17, s.saddr, 0, s.daddr, 0, true);
	expect_parse_ok(frame, len, &k, 1, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_min, 0);	/* no L4 header */
	assert_int_equal(ip_l4_hdr(&f), 40 + 8);
	assert_int_equal(f.dir[FF_DIR_FWD].len_min, 64);
	assert_int_equal(f.resp_port, 0);

	/* The lowest and the highest offset bits. */
	clear_flows();
	s.frag_off = 1;
	s.more_frags = true;
	len = pkt_build(&s, frame, sizeof(frame));
	expect_parse_ok(frame, len, &k, 1, &f);
	clear_flows();
	s.frag_off = 0x1000;
	len = pkt_build(&s, frame, sizeof(frame));
	expect_parse_ok(frame, len, &k, 1, &f);
}

/*
 * issue 10 item 8: later fragments of one datagram whose fragmentable part
 * starts with destination options. Their payload used to be walked as
 * extension headers and scattered them over a UDP flow, a TCP flow and
 * "unparseable"; now all land in the one port-less flow of protocol 60.
 */
static void parse_ipv6_later_fragments_not_walked(void **state)
{
	struct pkt_spec s = {
		.family = 6, .proto = 17, .saddr = "2001:db8::5", .daddr = "2001:db8::6",
		.sport = 4000, .dport = 4001, .payload_len = 64, .frag_off = 9,
		.ext_hdrs = { { PKT_EXT_FRAG, 0 }, { PKT_EXT_DSTOPTS, 0 } }, .n_ext = 2,
	};
	static const uint8_t looks_like[3][2] = { { 17, 0 }, { 6, 0 }, { 43, 255 } };
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;
	int i, h;

	REQUIRE_BPF();
	len = pkt_build(&s, frame, sizeof(frame));
	key_for(&k, 6, 60, s.saddr, 0, s.daddr, 0, true);
	for (i = 0; i < 3; i++) {
		/* the 8 bytes after the fragment header: payload that reads
		 * as an options header naming UDP, TCP, or a huge routing
		 * header */
		frame[14 + 48] = looks_like[i][0];
		frame[14 + 48 + 1] = looks_like[i][1];
		for (h = 0; h < H__N; h++) {
			set_clock_us(T0_US + i * 10 + h);
			run_frame(h, frame, len);
		}
	}
	flow_must(&k, &f);
	assert_int_equal(ff_flow_pkts(&f), 3 * H__N);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_min, 0);	/* no L4 header */
	assert_int_equal(ip_l4_hdr(&f), 40 + 8);
	assert_int_equal(flow_count(), 1);
}

/* issue 10 item 7: an IPv4 total length beyond the frame is malformed in
 * every hook (byte features cannot be inflated for free). */
static void parse_ip_length_beyond_frame(void **state)
{
	struct pkt_spec s4 = { .family = 4, .proto = 6, .saddr = "10.0.9.1",
			       .daddr = "10.0.9.2", .sport = 1, .dport = 2 };
	struct pkt_spec s6 = { .family = 6, .proto = 17, .saddr = "2001:db8::9",
			       .daddr = "2001:db8::a", .sport = 1, .dport = 2,
			       .payload_len = 8 };
	uint8_t frame[256];
	size_t len;

	REQUIRE_BPF();
	len = pkt_build(&s4, frame, sizeof(frame));
	frame[16] = 0xff;	/* tot_len 65535 in a 54-byte frame */
	frame[17] = 0xff;
	expect_parse_error(frame, len, FF_C_MALFORMED);
	frame[16] = 0;		/* one byte more than there is */
	frame[17] = 41;
	expect_parse_error(frame, len, FF_C_MALFORMED);
	len = pkt_build(&s6, frame, sizeof(frame));
	frame[19] += 1;		/* payload length one beyond */
	expect_parse_error(frame, len, FF_C_MALFORMED);
}

/* In replay, the frame's original length comes from ff_clock[1]: a capture
 * snapped at 54 bytes of a 65,549-byte frame counts what the wire carried,
 * as extract does; and an IPv6 length past 65,495 does not wrap. */
static void parse_replay_original_length(void **state)
{
	struct pkt_spec s4 = { .family = 4, .proto = 6, .saddr = "10.0.9.3",
			       .daddr = "10.0.9.4", .sport = 1, .dport = 2 };
	struct pkt_spec s6 = { .family = 6, .proto = 17, .saddr = "2001:db8::b",
			       .daddr = "2001:db8::c", .sport = 1, .dport = 2,
			       .payload_len = 8 };
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	REQUIRE_BPF();
	len = pkt_build(&s4, frame, sizeof(frame));
	frame[16] = 0xff;
	frame[17] = 0xff;
	set_wire_len(14 + 65535);
	set_clock_us(T0_US);
	run_frame(H_XDP, frame, len);
	key_for(&k, 4, 6, s4.saddr, 1, s4.daddr, 2, false);
	flow_must(&k, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].wire_bytes, 65535);
	assert_int_equal(f.dir[FF_DIR_FWD].len_sum, 65535 - 40);

	len = pkt_build(&s6, frame, sizeof(frame));
	frame[18] = 65500 >> 8;
	frame[19] = 65500 & 0xff;
	set_wire_len(14 + 40 + 65500);
	run_frame(H_XDP, frame, len);
	set_wire_len(0);
	key_for(&k, 6, 17, s6.saddr, 1, s6.daddr, 2, false);
	flow_must(&k, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].wire_bytes, 65540);
	assert_int_equal(f.dir[FF_DIR_FWD].len_sum, 65540 - 48);
}

static void parse_ipv4_fragments(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.2.0.1", .daddr = "10.2.0.2",
		.sport = 4000, .dport = 4001, .payload_len = 64, .more_frags = true,
	};
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;
	int i;

	REQUIRE_BPF();
	len = pkt_build(&s, frame, sizeof(frame));
	assert_int_equal(frame[14 + 6], 0x20);	/* MF */
	key_for(&k, 4, 17, s.saddr, 4000, s.daddr, 4001, false);
	expect_parse_ok(frame, len, &k, 0, &f);

	clear_flows();
	s.frag_off = 9;
	len = pkt_build(&s, frame, sizeof(frame));
	key_for(&k, 4, 17, s.saddr, 0, s.daddr, 0, true);
	expect_parse_ok(frame, len, &k, 1, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_min, 0);	/* no L4 header */
	assert_int_equal(ip_l4_hdr(&f), 20);
	assert_int_equal(f.dir[FF_DIR_FWD].len_min, 64);

	/* The last fragment (offset set, MF clear) is a later one too, and
	 * so are the lowest and the highest offset bits. */
	for (i = 0; i < 3; i++) {
		clear_flows();
		s.more_frags = i != 0;
		s.frag_off = i == 0 ? 9 : i == 1 ? 1 : 0x1000;
		len = pkt_build(&s, frame, sizeof(frame));
		expect_parse_ok(frame, len, &k, 1, &f);
	}
	/* DF alone is no fragment. */
	clear_flows();
	s.frag_off = 0;
	s.more_frags = false;
	len = pkt_build(&s, frame, sizeof(frame));
	frame[14 + 6] = 0x40;
	key_for(&k, 4, 17, s.saddr, 4000, s.daddr, 4001, false);
	expect_parse_ok(frame, len, &k, 0, &f);
}

static void parse_vlan_single_and_qinq(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.3.0.1", .daddr = "10.3.0.2",
		.sport = 1234, .dport = 5678, .payload_len = 4, .vlans = 1,
	};
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	REQUIRE_BPF();
	key_for(&k, 4, 17, s.saddr, 1234, s.daddr, 5678, false);
	len = pkt_build(&s, frame, sizeof(frame));
	assert_int_equal(frame[12] << 8 | frame[13], PKT_TPID_8021Q);
	expect_parse_ok(frame, len, &k, 0, &f);

	clear_flows();
	s.vlans = 2;		/* 0x88a8 outer, 0x8100 inner */
	len = pkt_build(&s, frame, sizeof(frame));
	assert_int_equal(frame[12] << 8 | frame[13], PKT_TPID_8021AD);
	assert_int_equal(frame[16] << 8 | frame[17], PKT_TPID_8021Q);
	expect_parse_ok(frame, len, &k, 0, &f);

	clear_flows();
	s.family = 6;		/* IPv6 behind two 802.1Q tags */
	s.saddr = "fd00::1";
	s.daddr = "fd00::2";
	s.vlan_tpid[0] = PKT_TPID_8021Q;
	key_for(&k, 6, 17, s.saddr, 1234, s.daddr, 5678, false);
	len = pkt_build(&s, frame, sizeof(frame));
	expect_parse_ok(frame, len, &k, 0, &f);
}

static void parse_vlan_three_tags_unsupported(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.3.0.1", .daddr = "10.3.0.2",
		.sport = 1234, .dport = 5678, .vlans = 3,
	};
	uint8_t frame[256];
	size_t len;

	REQUIRE_BPF();
	len = pkt_build(&s, frame, sizeof(frame));
	assert_true(len > 0);
	expect_parse_error(frame, len, FF_C_UNSUPPORTED);
}

static void parse_icmp_echo(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 1, .saddr = "10.4.0.1", .daddr = "10.4.0.2",
		.icmp_type = 8, .icmp_id = 0x4242, .payload_len = 56,
	};
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	REQUIRE_BPF();
	/* The identifier stands in for both ports. */
	key_for(&k, 4, 1, s.saddr, 0x4242, s.daddr, 0x4242, false);
	len = pkt_build(&s, frame, sizeof(frame));
	expect_parse_ok(frame, len, &k, 0, &f);
	assert_int_equal(f.icmp_type, 8);
	assert_int_equal(f.dir[FF_DIR_FWD].len_max, 56);

	/* The reply joins the same flow, backwards. */
	s.icmp_type = 0;
	s.saddr = "10.4.0.2";
	s.daddr = "10.4.0.1";
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 10, NULL), XDP_PASS);
	flow_must(&k, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].pkts, 3);
	assert_int_equal(f.dir[FF_DIR_BWD].pkts, 1);
	assert_int_equal(flow_count(), 1);
}

static void parse_icmpv6_echo(void **state)
{
	struct pkt_spec s = {
		.family = 6, .proto = 58, .saddr = "fd00::a", .daddr = "fd00::b",
		.icmp_type = 128, .icmp_id = 7, .payload_len = 8,
	};
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	REQUIRE_BPF();
	key_for(&k, 6, 58, s.saddr, 7, s.daddr, 7, false);
	len = pkt_build(&s, frame, sizeof(frame));
	expect_parse_ok(frame, len, &k, 0, &f);
	assert_int_equal(f.icmp_type, 128);

	s.icmp_type = 129;
	s.saddr = "fd00::b";
	s.daddr = "fd00::a";
	assert_int_equal(send_pkt(H_TC, &s, T0_US + 10, NULL), TC_ACT_OK);
	flow_must(&k, &f);
	assert_int_equal(f.dir[FF_DIR_BWD].pkts, 1);
	assert_int_equal(flow_count(), 1);
}

static void parse_arp_not_ip(void **state)
{
	uint8_t frame[64];
	size_t len;

	REQUIRE_BPF();
	len = pkt_arp(frame, sizeof(frame));
	assert_int_equal(len, 42);
	expect_parse_error(frame, len, FF_C_NOT_IP);
}

static void parse_truncated(void **state)
{
	struct pkt_spec tcp = {
		.family = 4, .proto = 6, .saddr = "10.5.0.1", .daddr = "10.5.0.2",
		.sport = 1, .dport = 2, .tcp_flags = 0x02,
	};
	struct pkt_spec v6 = {
		.family = 6, .proto = 17, .saddr = "fd00::1", .daddr = "fd00::2",
		.sport = 1, .dport = 2,
		.ext_hdrs = { { PKT_EXT_HOP, 0 } }, .n_ext = 1,
	};
	struct pkt_spec vlan = tcp;
	uint8_t frame[256];
	size_t len;

	REQUIRE_BPF();
	len = pkt_build(&tcp, frame, sizeof(frame));
	assert_int_equal(len, 54);
	/* Inside the Ethernet header: only the socket path can take it. */
	expect_parse_error(frame, 10, FF_C_TRUNCATED);
	/* Inside the IPv4 header, then inside the TCP header. */
	expect_parse_error(frame, 14 + 12, FF_C_TRUNCATED);
	expect_parse_error(frame, 14 + 20 + 10, FF_C_TRUNCATED);
	/* Inside a VLAN tag. */
	vlan.vlans = 1;
	len = pkt_build(&vlan, frame, sizeof(frame));
	expect_parse_error(frame, 14 + 2, FF_C_TRUNCATED);
	/* Inside the IPv6 header, an extension header, the UDP header. */
	len = pkt_build(&v6, frame, sizeof(frame));
	assert_int_equal(len, 14 + 40 + 8 + 8);
	expect_parse_error(frame, 14 + 39, FF_C_TRUNCATED);
	expect_parse_error(frame, 14 + 40 + 4, FF_C_TRUNCATED);
	expect_parse_error(frame, 14 + 48 + 6, FF_C_TRUNCATED);
}

static void parse_bad_ihl_and_version(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "10.6.0.1", .daddr = "10.6.0.2",
		.sport = 1, .dport = 2, .tcp_flags = 0x02,
	};
	struct pkt_spec s6 = {
		.family = 6, .proto = 17, .saddr = "fd00::1", .daddr = "fd00::2",
		.sport = 1, .dport = 2,
	};
	uint8_t frame[256];
	size_t len;

	REQUIRE_BPF();
	len = pkt_build(&s, frame, sizeof(frame));
	frame[14] = 0x44;		/* IHL 4 */
	expect_parse_error(frame, len, FF_C_MALFORMED);
	frame[14] = 0x40;		/* IHL 0 */
	expect_parse_error(frame, len, FF_C_MALFORMED);
	frame[14] = 0x65;		/* version 6 behind the IPv4 ethertype */
	expect_parse_error(frame, len, FF_C_MALFORMED);
	frame[14] = 0x45;
	frame[16] = 0;			/* tot_len 19 < IHL */
	frame[17] = 19;
	expect_parse_error(frame, len, FF_C_MALFORMED);
	frame[17] = 30;			/* tot_len too short for the TCP header */
	expect_parse_error(frame, len, FF_C_MALFORMED);

	/* TCP data offset below 5, or past the IP packet's end. */
	len = pkt_build(&s, frame, sizeof(frame));
	frame[14 + 20 + 12] = 4 << 4;
	expect_parse_error(frame, len, FF_C_MALFORMED);
	frame[14 + 20 + 12] = 15 << 4;
	expect_parse_error(frame, len, FF_C_MALFORMED);

	len = pkt_build(&s6, frame, sizeof(frame));
	frame[14] = 0x40;		/* version 4 behind the IPv6 ethertype */
	expect_parse_error(frame, len, FF_C_MALFORMED);

	/* IPv6 payload length shorter than the extension headers. */
	s6.ext_hdrs[0].type = PKT_EXT_DSTOPTS;
	s6.ext_hdrs[0].len8 = 2;
	s6.n_ext = 1;
	len = pkt_build(&s6, frame, sizeof(frame));
	frame[14 + 4] = 0;
	frame[14 + 5] = 16;
	expect_parse_error(frame, len, FF_C_MALFORMED);
}

static void parse_garbage(void **state)
{
	uint8_t frame[128];

	REQUIRE_BPF();
	/* An unknown ethertype with random bytes behind it. */
	memset(frame, 0x5a, sizeof(frame));
	expect_parse_error(frame, sizeof(frame), FF_C_NOT_IP);
	/* IPv4 ethertype, then 0xff: version 15. */
	memset(frame, 0xff, sizeof(frame));
	frame[12] = 0x08;
	frame[13] = 0x00;
	expect_parse_error(frame, sizeof(frame), FF_C_MALFORMED);
	/* IPv6 ethertype, then zeroes: version 0. */
	memset(frame, 0, sizeof(frame));
	frame[12] = 0x86;
	frame[13] = 0xdd;
	expect_parse_error(frame, sizeof(frame), FF_C_MALFORMED);
	/* Exactly an Ethernet header, IPv4 ethertype, nothing behind. */
	frame[12] = 0x08;
	frame[13] = 0x00;
	expect_parse_error(frame, 14, FF_C_TRUNCATED);
}

static struct pkt_spec ext_chain_spec(int n)
{
	struct pkt_spec s = {
		.family = 6, .proto = 17, .saddr = "fd00::1", .daddr = "fd00::2",
		.sport = 10, .dport = 20, .payload_len = 4, .n_ext = n,
	};
	int i;

	for (i = 0; i < n; i++)
		s.ext_hdrs[i].type = i == 0 ? PKT_EXT_HOP : PKT_EXT_DSTOPTS;
	return s;
}

static void parse_ipv6_too_many_ext(void **state)
{
	struct pkt_spec s = ext_chain_spec(9);
	uint8_t frame[256];
	size_t len;

	REQUIRE_BPF();
	len = pkt_build(&s, frame, sizeof(frame));
	assert_true(len > 0);
	expect_parse_error(frame, len, FF_C_UNSUPPORTED);
	s = ext_chain_spec(12);
	len = pkt_build(&s, frame, sizeof(frame));
	expect_parse_error(frame, len, FF_C_UNSUPPORTED);
}

/*
 * An extension chain that pushes the L4 header past FF_MAX_L4_OFF: the
 * XDP path (direct access, bounded offsets) and the skb path
 * (bpf_skb_load_bytes) must both call it unsupported.
 */
static void parse_ipv6_long_ext_unsupported(void **state)
{
	struct pkt_spec s = {
		.family = 6, .proto = 17, .saddr = "fd00::1", .daddr = "fd00::2",
		.sport = 10, .dport = 20, .payload_len = 4,
		.ext_hdrs = { { PKT_EXT_HOP, 130 } }, .n_ext = 1,	/* 1048 bytes */
	};
	uint8_t *frame = malloc(PKT_MAX_FRAME);
	size_t len;

	REQUIRE_BPF();
	assert_non_null(frame);
	len = pkt_build(&s, frame, PKT_MAX_FRAME);
	assert_int_equal(len, 14 + 40 + 1048 + 8 + 4);
	expect_parse_error(frame, len, FF_C_UNSUPPORTED);
	free(frame);
}

static void parse_ipv6_seven_ext(void **state)
{
	struct pkt_spec s = ext_chain_spec(7);
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	REQUIRE_BPF();
	key_for(&k, 6, 17, s.saddr, 10, s.daddr, 20, false);
	len = pkt_build(&s, frame, sizeof(frame));
	expect_parse_ok(frame, len, &k, 0, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_min, 8);
	assert_int_equal(ip_l4_hdr(&f), 40 + 8 * 7 + 8);
}

/*
 * KNOWN BUG (see the report of this test's author): FF_MAX_EXTHDR is
 * "IPv6 extension headers followed at most" (8), so a chain of exactly 8
 * followed by UDP must parse. ff_parse_ipv6() (include/flowforest/parse.h)
 * follows all 8, leaves the loop with i == FF_MAX_EXTHDR and then returns
 * FF_PARSE_UNSUPPORTED without looking at the next header: it supports 7.
 */
static void parse_ipv6_eight_ext(void **state)
{
	struct pkt_spec s = ext_chain_spec(FF_MAX_EXTHDR);
	uint8_t frame[256];
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;

	struct ff_counters c;

	REQUIRE_BPF();
	key_for(&k, 6, 17, s.saddr, 10, s.daddr, 20, false);
	len = pkt_build(&s, frame, sizeof(frame));
	set_clock_us(T0_US);
	run_frame(H_XDP, frame, len);
	get_counters(&c);
	if (c.c[FF_C_UNSUPPORTED])
		fail_msg("KNOWN BUG: a chain of exactly FF_MAX_EXTHDR (%d) IPv6 extension headers "
			 "is counted unsupported (off by one in ff_parse_ipv6, "
			 "include/flowforest/parse.h)", FF_MAX_EXTHDR);
	clear_flows();
	expect_parse_ok(frame, len, &k, 0, &f);
	assert_int_equal(f.dir[FF_DIR_FWD].hdr_min, 8);
	assert_int_equal(ip_l4_hdr(&f), 40 + 8 * FF_MAX_EXTHDR + 8);
}

static int parse_category(int r)
{
	switch (r) {
	case FF_PARSE_OK:
		return -1;
	case FF_PARSE_NOT_IP:
		return FF_C_NOT_IP;
	case FF_PARSE_TRUNCATED:
		return FF_C_TRUNCATED;
	case FF_PARSE_UNSUPPORTED:
		return FF_C_UNSUPPORTED;
	default:
		return FF_C_MALFORMED;
	}
}

/* Parse errors plus packets tracked, with a verdict or without. */
static __u64 packets_accounted(const struct ff_counters *c)
{
	__u64 sum = c->c[FF_C_NOT_IP] + c->c[FF_C_TRUNCATED] +
		    c->c[FF_C_MALFORMED] + c->c[FF_C_UNSUPPORTED] +
		    c->unclassified_pkts;
	int i;

	for (i = 0; i < FF_MAX_CLASSES; i++)
		sum += c->class_pkts[i];
	return sum;
}

/*
 * Mutated and cut frames: the kernel counts each in the same category as
 * the user-space parser (the same header, other glue), and every frame is
 * counted exactly once: as a parse error or as a tracked packet.
 */
static void parse_random_frames_match_user_space(void **state)
{
	static const char *const a4[] = { "10.7.0.1", "10.7.0.2" };
	static const char *const a6[] = { "fd00::7:1", "fd00::7:2" };
	static const __u8 protos[] = { 6, 17, 1, 58, 47 };
	uint8_t frame[512];
	struct ff_counters a, b;
	int iter, h;

	REQUIRE_BPF();
	rnd_state = 0x9e3779b97f4a7c15ULL;
	for (iter = 0; iter < 1500; iter++) {
		struct pkt_spec s = {
			.family = rnd_below(2) ? 4 : 6,
			.vlans = rnd_below(4),
			.proto = protos[rnd_below(FF_ARRAY_SIZE(protos))],
			.sport = rnd_below(65536), .dport = rnd_below(65536),
			.tcp_flags = rnd_below(256), .window = rnd_below(65536),
			.tcp_opts_len = 4 * rnd_below(11),
			.payload_len = rnd_below(100),
			.icmp_type = rnd_below(2) ? 8 : 128, .icmp_id = rnd_below(65536),
		};
		struct ff_pkt p = { 0 };
		struct ff_frame fr = { 0 };
		size_t len, i;
		int r, cat, c;

		if (rnd_below(4) == 0) {
			s.frag_off = rnd_below(4);
			s.more_frags = rnd_below(2);
		}
		if (s.family == 4) {
			s.saddr = a4[0];
			s.daddr = a4[1];
			s.ip_opts_len = rnd_below(3) ? 0 : 4 * rnd_below(11);
		} else {
			s.saddr = a6[0];
			s.daddr = a6[1];
			s.n_ext = rnd_below(3) ? rnd_below(4) : rnd_below(11);
			for (i = 0; i < (size_t)s.n_ext; i++) {
				static const __u8 t[] = { PKT_EXT_HOP, PKT_EXT_ROUTING,
							  PKT_EXT_DSTOPTS, PKT_EXT_FRAG };
				s.ext_hdrs[i].type = t[rnd_below(4)];
				s.ext_hdrs[i].len8 = rnd_below(3);
			}
		}
		if (rnd_below(2)) {
			s.saddr = s.family == 4 ? a4[1] : a6[1];
			s.daddr = s.family == 4 ? a4[0] : a6[0];
		}
		len = pkt_build(&s, frame, sizeof(frame));
		assert_true(len > 0);
		/* Flip a few bytes; sometimes cut the frame. */
		for (i = rnd_below(4); i > 0; i--)
			frame[rnd_below(len)] ^= 1u << rnd_below(8);
		if (rnd_below(3) == 0)
			len = 14 + rnd_below(len - 13);

		fr.data = frame;
		fr.len = len;
		r = ff_parse(&fr, 0, &p);
		cat = parse_category(r);

		h = iter % 3;
		if (!hook_accepts(h, frame, len))
			h = H_SOCK;
		get_counters(&a);
		set_clock_us(T0_US + iter);
		run_frame(h, frame, len);
		get_counters(&b);
		assert_int_equal(b.c[FF_C_PACKETS] - a.c[FF_C_PACKETS], 1);
		for (i = 0; i < FF_ARRAY_SIZE(err_counters); i++) {
			c = err_counters[i];
			if (b.c[c] - a.c[c] != (c == cat))
				fail_msg("frame %d (%s, %zu bytes): user space says %s, the kernel counted %s %+lld",
					 iter, hook_prog[h], len,
					 cat < 0 ? "ok" : ff_counter_names[cat],
					 ff_counter_names[c],
					 (long long)(b.c[c] - a.c[c]));
		}
		if (cat < 0) {
			struct ff_flow_key k;
			struct ff_flow f;

			ff_flow_key_make(&p, &k);
			flow_must(&k, &f);
		}
	}
	/* Every packet: a parse error, or tracked with or without a verdict. */
	get_counters(&b);
	assert_int_equal(b.c[FF_C_PACKETS], 1500);
	assert_int_equal(packets_accounted(&b), 1500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(parse_ipv4_tcp, test_setup),
		cmocka_unit_test_setup(parse_ipv4_options, test_setup),
		cmocka_unit_test_setup(parse_ipv6_ext_chain, test_setup),
		cmocka_unit_test_setup(parse_ipv6_fragments, test_setup),
		cmocka_unit_test_setup(parse_ipv6_later_fragments_not_walked, test_setup),
		cmocka_unit_test_setup(parse_ip_length_beyond_frame, test_setup),
		cmocka_unit_test_setup(parse_replay_original_length, test_setup),
		cmocka_unit_test_setup(parse_ipv4_fragments, test_setup),
		cmocka_unit_test_setup(parse_vlan_single_and_qinq, test_setup),
		cmocka_unit_test_setup(parse_vlan_three_tags_unsupported, test_setup),
		cmocka_unit_test_setup(parse_icmp_echo, test_setup),
		cmocka_unit_test_setup(parse_icmpv6_echo, test_setup),
		cmocka_unit_test_setup(parse_arp_not_ip, test_setup),
		cmocka_unit_test_setup(parse_truncated, test_setup),
		cmocka_unit_test_setup(parse_bad_ihl_and_version, test_setup),
		cmocka_unit_test_setup(parse_garbage, test_setup),
		cmocka_unit_test_setup(parse_ipv6_too_many_ext, test_setup),
		cmocka_unit_test_setup(parse_ipv6_long_ext_unsupported, test_setup),
		cmocka_unit_test_setup(parse_ipv6_seven_ext, test_setup),
		cmocka_unit_test_setup(parse_ipv6_eight_ext, test_setup),
		cmocka_unit_test_setup(parse_random_frames_match_user_space, test_setup),
	};

	return cmocka_run_group_tests_name("bpf_parse", tests, group_setup, group_teardown);
}
