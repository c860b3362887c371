// SPDX-License-Identifier: MIT
/*
 * BPF unit tests: hand-built frames (tests/pkt.h) through ff_xdp, ff_tc and
 * ff_socket with BPF_PROG_TEST_RUN, then the counters, the flow table, the
 * ring buffer and the verdicts are checked against expectations written out
 * by hand. ff_infer checks the in-kernel forest walk against the user-space
 * one. Needs root; as a normal user every test is skipped.
 *
 * Time comes from the replay clock (map ff_clock), set before each packet.
 * Before every test the flow table, the counters and the ring buffer are
 * emptied and the hand-written model (lab/models/handwritten.json) is
 * installed again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "flowforest.skel.h"
#include "model_file.h"
#include "pkt.h"

enum hook { H_XDP, H_TC, H_SOCK, H__N };


/* IP and L4 header bytes of one forward packet of `f`, whose forward
 * packets all have the same headers: what the parser walked (the header
 * statistics count the L4 header alone, as CICFlowMeter does). */
static __u64 ip_l4_hdr(const struct ff_flow *f)
{
	const struct ff_dir_stats *d = &f->dir[FF_DIR_FWD];

	return d->pkts ? (d->wire_bytes - d->len_sum) / d->pkts : 0;
}
static const char *const hook_prog[H__N] = { "ff_xdp", "ff_tc", "ff_socket" };

#define MAX_EVENTS 64
#define T0_US 1000000ULL	/* replay clock of a test's first packet */

static struct {
	bool loaded;
	struct ff_loader l;
	struct ff_model hw;		/* lab/models/handwritten.json */
	int prog[H__N];
	int infer_fd;
	int flows_fd, clock_fd, counters_fd, in_fd, out_fd, meta_fd, active_fd;
	struct ring_buffer *rb;
	struct ff_event ev[MAX_EVENTS];
	int n_ev;
	int ev_dropped;
} env;

/* Classes of the hand-written model. */
#define CLS_BENIGN 0
#define CLS_UDP_PROBE 1
#define CLS_PING_FLOOD 2

#define REQUIRE_BPF()                                                         \
	do {                                                                  \
		if (!env.loaded) {                                            \
			print_message("[   SKIP   ] %s: the BPF tests need root "  \
				      "(geteuid() != 0)\n", __func__);         \
			skip();                                               \
		}                                                             \
	} while (0)

/* ---- helpers --------------------------------------------------------- */

static int on_event(void *ctx, void *data, size_t size)
{
	if (size < sizeof(struct ff_event) || env.n_ev >= MAX_EVENTS) {
		env.ev_dropped++;
		return 0;
	}
	memcpy(&env.ev[env.n_ev++], data, sizeof(struct ff_event));
	return 0;
}

/* Collect whatever the ring buffer holds into env.ev. */
static int poll_events(void)
{
	int n = ring_buffer__consume(env.rb);

	assert_true(n >= 0);
	return env.n_ev;
}

static void set_clock_us(__u64 us)
{
	__u32 zero = 0;
	__u64 ns = us * 1000;

	assert_int_equal(bpf_map_update_elem(env.clock_fd, &zero, &ns, BPF_ANY), 0);
}

/* The replay's original frame length (ff_clock[1]); 0: the frame's own. */
static void set_wire_len(__u64 len)
{
	__u32 one = 1;

	assert_int_equal(bpf_map_update_elem(env.clock_fd, &one, &len, BPF_ANY), 0);
}

/*
 * skb test_run (tc) wants a whole IP header behind an IP ethertype and an
 * Ethernet header in any case; XDP only the Ethernet header. Shorter
 * frames go through the socket path, which the 0x88b5 prefix frees.
 */
static bool tc_accepts(const uint8_t *frame, size_t len)
{
	uint16_t type;

	if (len < 14)
		return false;
	type = frame[12] << 8 | frame[13];
	if (type == PKT_ETHERTYPE_IP)
		return len >= 14 + 20;
	if (type == PKT_ETHERTYPE_IPV6)
		return len >= 14 + 40;
	return true;
}

static bool hook_accepts(enum hook h, const uint8_t *frame, size_t len)
{
	if (h == H_XDP)
		return len >= 14;
	if (h == H_TC)
		return tc_accepts(frame, len);
	return true;
}

static __u32 run_frame(enum hook h, const uint8_t *frame, size_t len)
{
	static uint8_t buf[PKT_MAX_FRAME + 14];
	LIBBPF_OPTS(bpf_test_run_opts, o, .repeat = 1);

	assert_true(len <= PKT_MAX_FRAME);
	if (h == H_TC && !tc_accepts(frame, len))
		fail_msg("test_run refuses this %zu-byte frame for tc", len);
	if (h == H_SOCK) {
		/*
		 * For a socket filter, BPF_PROG_TEST_RUN strips an Ethernet
		 * header (eth_type_trans) and runs the program on the rest,
		 * while a real SOCK_RAW packet socket hands it the whole
		 * frame. Give test_run a header to strip; its ethertype is
		 * not IP, so test_run does not require an IP header after.
		 */
		pkt_eth(buf, 14, NULL, NULL, 0x88b5);
		memcpy(buf + 14, frame, len);
		o.data_in = buf;
		o.data_size_in = len + 14;
	} else {
		o.data_in = frame;
		o.data_size_in = len;
	}
	assert_int_equal(bpf_prog_test_run_opts(env.prog[h], &o), 0);
	return o.retval;
}

/* What each hook returns for a packet it lets through. */
static __u32 pass_ret(enum hook h, size_t len)
{
	return h == H_XDP ? XDP_PASS : h == H_TC ? TC_ACT_OK : (__u32)len;
}

static __u32 drop_ret(enum hook h)
{
	return h == H_XDP ? XDP_DROP : h == H_TC ? TC_ACT_SHOT : 0;
}

/* Build `s`, set the clock, run it through hook `h`. */
static __u32 send_pkt(enum hook h, const struct pkt_spec *s, __u64 t_us,
		      size_t *len_out)
{
	uint8_t frame[PKT_MAX_FRAME];
	size_t len = pkt_build(s, frame, sizeof(frame));

	assert_true(len > 0);
	set_clock_us(t_us);
	if (len_out)
		*len_out = len;
	return run_frame(h, frame, len);
}

static void get_counters(struct ff_counters *c)
{
	assert_int_equal(ff_loader_counters(&env.l, c), 0);
}

static int flow_get(const struct ff_flow_key *k, struct ff_flow *f)
{
	return bpf_map_lookup_elem(env.flows_fd, k, f);
}

static void flow_must(const struct ff_flow_key *k, struct ff_flow *f)
{
	if (flow_get(k, f)) {
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		int af = k->family == 4 ? AF_INET : AF_INET6;

		inet_ntop(af, k->addr_a, a, sizeof(a));
		inet_ntop(af, k->addr_b, b, sizeof(b));
		fail_msg("no flow entry for %s:%u <-> %s:%u proto %u frag_later %u",
			 a, k->port_a, b, k->port_b, k->proto, k->frag_later);
	}
}

static int flow_count(void)
{
	struct ff_flow_key k, next;
	int n = 0;

	if (bpf_map_get_next_key(env.flows_fd, NULL, &next))
		return 0;
	do {
		k = next;
		n++;
	} while (!bpf_map_get_next_key(env.flows_fd, &k, &next));
	return n;
}

/*
 * The canonical key, written out independently of ff_flow_key_make():
 * endpoint a is the smaller (address, port) pair, addresses compared as
 * 16 bytes in memcmp order, then ports as numbers. Returns 1 when the
 * sender (src) is endpoint b.
 */
static int key_for(struct ff_flow_key *k, int family, __u8 proto,
		   const char *src, __u16 sport, const char *dst, __u16 dport,
		   bool frag_later)
{
	__u8 s[16] = { 0 }, d[16] = { 0 };
	int af = family == 4 ? AF_INET : AF_INET6, cmp;

	assert_int_equal(inet_pton(af, src, s), 1);
	assert_int_equal(inet_pton(af, dst, d), 1);
	memset(k, 0, sizeof(*k));
	cmp = memcmp(s, d, 16);
	if (cmp == 0)
		cmp = sport < dport ? -1 : sport > dport;
	if (cmp <= 0) {
		memcpy(k->addr_a, s, 16);
		memcpy(k->addr_b, d, 16);
		k->port_a = sport;
		k->port_b = dport;
	} else {
		memcpy(k->addr_a, d, 16);
		memcpy(k->addr_b, s, 16);
		k->port_a = dport;
		k->port_b = sport;
	}
	k->proto = proto;
	k->family = family;
	k->frag_later = frag_later;
	return cmp > 0;
}

static void clear_flows(void)
{
	struct ff_flow_key k;

	while (!bpf_map_get_next_key(env.flows_fd, NULL, &k))
		assert_int_equal(bpf_map_delete_elem(env.flows_fd, &k), 0);
}

static int zero_counters(void)
{
	int ncpu = libbpf_num_possible_cpus(), rc;
	__u32 zero = 0;
	void *z;

	if (ncpu <= 0)
		return -1;
	z = calloc(ncpu, sizeof(struct ff_counters));
	if (!z)
		return -1;
	rc = bpf_map_update_elem(env.counters_fd, &zero, z, BPF_ANY);
	free(z);
	return rc;
}

/* The generation of the active model, as the kernel sees it. */
static __u32 cur_gen(void)
{
	struct ff_model_meta meta;

	if (ff_maps_active_meta(&env.l.maps, &meta))
		return 0;
	return meta.generation;
}

static int install(const struct ff_model *m)
{
	char err[256];

	if (ff_loader_install_model(&env.l, m, NULL, err, sizeof(err))) {
		print_error("install model: %s\n", err);
		return -1;
	}
	return 0;
}

/* Per-test state: empty flows, counters and events, the hand-written model. */
static int reset_state(void)
{
	struct ff_flow_key k;

	while (!bpf_map_get_next_key(env.flows_fd, NULL, &k))
		if (bpf_map_delete_elem(env.flows_fd, &k))
			return -1;
	if (zero_counters())
		return -1;
	if (ring_buffer__consume(env.rb) < 0)
		return -1;
	env.n_ev = 0;
	env.ev_dropped = 0;
	{
		__u32 one = 1;
		__u64 no_len = 0;

		if (bpf_map_update_elem(env.clock_fd, &one, &no_len, BPF_ANY))
			return -1;
	}
	return install(&env.hw);
}

static int test_setup(void **state)
{
	if (!env.loaded)
		return 0;
	return reset_state();
}

static int load_handwritten(struct ff_model *m)
{
	static const char *const rel[] = {
		"lab/models/handwritten.json",
		"../lab/models/handwritten.json",
		"../../lab/models/handwritten.json",
	};
	static const char from_bin[] = "/../../lab/models/handwritten.json";
	char path[PATH_MAX], err[256];
	const char *found = NULL;
	ssize_t n;
	size_t i;

	for (i = 0; i < FF_ARRAY_SIZE(rel) && !found; i++)
		if (!access(rel[i], R_OK))
			found = rel[i];
	if (!found) {
		/* Relative to the binary, build/tests/test_bpf. */
		n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(from_bin));
		if (n > 0) {
			path[n] = 0;
			*strrchr(path, '/') = 0;
			strcat(path, from_bin);
			if (!access(path, R_OK))
				found = path;
		}
	}
	if (!found) {
		print_error("cannot find lab/models/handwritten.json (run from the repo root)\n");
		return -1;
	}
	if (ff_model_load(found, m, err, sizeof(err))) {
		print_error("%s\n", err);
		return -1;
	}
	return 0;
}

static int group_setup(void **state)
{
	struct ff_load_opts o = {
		.cfg = FF_CONFIG_DEFAULT,
		.replay_clock = true,
	};
	char err[256];

	memset(&env, 0, sizeof(env));
	if (geteuid() != 0) {
		print_message("test_bpf: not root, every BPF test is skipped\n");
		return 0;
	}
	if (load_handwritten(&env.hw))
		return -1;
	if (ff_loader_open(&env.l, &o, err, sizeof(err))) {
		print_error("ff_loader_open: %s\n", err);
		return -1;
	}
	env.prog[H_XDP] = FF_PROG_FD(&env.l, ff_xdp);
	env.prog[H_TC] = FF_PROG_FD(&env.l, ff_tc);
	env.prog[H_SOCK] = FF_PROG_FD(&env.l, ff_socket);
	env.infer_fd = FF_PROG_FD(&env.l, ff_infer);
	env.flows_fd = FF_MAP_FD(&env.l, ff_flows);
	env.clock_fd = FF_MAP_FD(&env.l, ff_clock);
	env.counters_fd = FF_MAP_FD(&env.l, ff_counters);
	env.in_fd = FF_MAP_FD(&env.l, ff_infer_in);
	env.out_fd = FF_MAP_FD(&env.l, ff_infer_out);
	env.meta_fd = FF_MAP_FD(&env.l, ff_meta);
	env.active_fd = FF_MAP_FD(&env.l, ff_active);
	if (env.prog[H_XDP] < 0 || env.prog[H_TC] < 0 || env.prog[H_SOCK] < 0 ||
	    env.infer_fd < 0 || env.flows_fd < 0 || env.clock_fd < 0 ||
	    env.counters_fd < 0 || env.in_fd < 0 || env.out_fd < 0 ||
	    env.meta_fd < 0 || env.active_fd < 0) {
		print_error("a program or map is missing from the BPF object\n");
		ff_loader_close(&env.l);
		return -1;
	}
	env.rb = ring_buffer__new(FF_MAP_FD(&env.l, ff_events), on_event,
				  NULL, NULL);
	if (!env.rb) {
		print_error("ring_buffer__new: %s\n", strerror(errno));
		ff_loader_close(&env.l);
		return -1;
	}
	env.loaded = true;
	return 0;
}

static int group_teardown(void **state)
{
	if (env.rb)
		ring_buffer__free(env.rb);
	if (env.loaded)
		ff_loader_close(&env.l);
	ff_model_free(&env.hw);
	env.loaded = false;
	return 0;
}

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

/* ---- xorshift, for the random tests (fixed seeds: reproducible) ---- */

static __u64 rnd_state;

static __u64 rnd(void)
{
	__u64 x = rnd_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rnd_state = x;
	return x;
}

static __u32 rnd_below(__u32 n)
{
	return n ? (__u32)(rnd() % n) : 0;
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

/* ---- 3. classification with the hand-written model ------------------- */

static void classify_udp_probe_dropped(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.12.0.1", .daddr = "10.12.0.2",
		.sport = 31337, .dport = 9999, .payload_len = 12,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;
	int h;

	REQUIRE_BPF();
	key_for(&k, 4, 17, s.saddr, 31337, s.daddr, 9999, false);
	for (h = 0; h < H__N; h++) {
		assert_int_equal(reset_state(), 0);
		assert_int_equal(send_pkt(h, &s, T0_US, &len), drop_ret(h));
		flow_must(&k, &f);
		assert_int_equal(f.cls, CLS_UDP_PROBE);
		assert_int_equal(f.action, FF_ACT_DROP);
		assert_int_equal(f.decided_pkts, 1);
		assert_int_equal(f.score, 1000);
		assert_int_equal(f.decided_us, T0_US);
		assert_int_equal(f.model_gen, cur_gen());
		get_counters(&c);
		assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 1);
		assert_int_equal(c.c[FF_C_DROPPED], 1);
		assert_int_equal(c.class_pkts[CLS_UDP_PROBE], 1);
		assert_int_equal(c.class_pkts[CLS_BENIGN], 0);
		assert_int_equal(c.unclassified_pkts, 0);
		/* The next packet (a checkpoint too) is dropped as well. */
		assert_int_equal(send_pkt(h, &s, T0_US + 10, NULL), drop_ret(h));
		get_counters(&c);
		assert_int_equal(c.c[FF_C_DROPPED], 2);
		assert_int_equal(c.class_pkts[CLS_UDP_PROBE], 2);
	}
	/* Neighbouring ports are not probes. */
	assert_int_equal(reset_state(), 0);
	s.dport = 9998;
	assert_int_equal(send_pkt(H_XDP, &s, T0_US, NULL), XDP_PASS);
	s.dport = 10000;
	assert_int_equal(send_pkt(H_XDP, &s, T0_US, NULL), XDP_PASS);
	/* TCP to 9999 is not a UDP probe. */
	s.proto = 6;
	s.dport = 9999;
	assert_int_equal(send_pkt(H_XDP, &s, T0_US, NULL), XDP_PASS);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_DROPPED], 0);
	assert_int_equal(c.class_pkts[CLS_BENIGN], 3);
}

static void classify_udp_benign_passes(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.12.1.1", .daddr = "10.12.1.2",
		.sport = 31337, .dport = 5000, .payload_len = 12,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;
	int h;

	REQUIRE_BPF();
	key_for(&k, 4, 17, s.saddr, 31337, s.daddr, 5000, false);
	for (h = 0; h < H__N; h++) {
		assert_int_equal(reset_state(), 0);
		assert_int_equal(send_pkt(h, &s, T0_US, &len), pass_ret(h, len));
		flow_must(&k, &f);
		assert_int_equal(f.cls, CLS_BENIGN);
		assert_int_equal(f.action, FF_ACT_PASS);
		assert_int_equal(f.decided_pkts, 1);
		get_counters(&c);
		assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 1);
		assert_int_equal(c.c[FF_C_DROPPED], 0);
		assert_int_equal(c.class_pkts[CLS_BENIGN], 1);
	}
	assert_int_equal(pass_ret(H_SOCK, len), 14 + 20 + 8 + 12);
}

static void classify_ping_flood_after_32(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 1, .saddr = "10.13.0.1", .daddr = "10.13.0.2",
		.icmp_type = 8, .icmp_id = 0x4242, .payload_len = 56,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	int i;

	REQUIRE_BPF();
	key_for(&k, 4, 1, s.saddr, 0x4242, s.daddr, 0x4242, false);
	for (i = 1; i <= 33; i++) {
		__u32 want = i < 32 ? XDP_PASS : XDP_DROP;

		s.icmp_seq = i;
		if (send_pkt(H_XDP, &s, T0_US + 1000ULL * i, NULL) != want)
			fail_msg("ping %d: expected %s", i, i < 32 ? "XDP_PASS" : "XDP_DROP");
		flow_must(&k, &f);
		if (i == 16 || i == 31) {
			assert_int_equal(f.cls, CLS_BENIGN);
			assert_int_equal(f.decided_pkts, 16);
		}
	}
	flow_must(&k, &f);
	assert_int_equal(f.cls, CLS_PING_FLOOD);
	assert_int_equal(f.action, FF_ACT_DROP);
	assert_int_equal(f.decided_pkts, 32);
	assert_int_equal(f.decided_us, T0_US + 32000);
	assert_int_equal(f.cp_due, 64);
	get_counters(&c);
	/* checkpoints 1, 2, 4, 8, 16, 32 */
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 6);
	assert_int_equal(c.c[FF_C_DROPPED], 2);
	assert_int_equal(c.class_pkts[CLS_BENIGN], 31);
	assert_int_equal(c.class_pkts[CLS_PING_FLOOD], 2);
	assert_int_equal(c.unclassified_pkts, 0);
	/* The cached verdict holds in the other hooks too. */
	assert_int_equal(send_pkt(H_TC, &s, T0_US + 34000, NULL), TC_ACT_SHOT);
	assert_int_equal(send_pkt(H_SOCK, &s, T0_US + 35000, NULL), 0);
}

/* A FIN or RST is a checkpoint of its own (FF_CP_ON_FIN_RST). */
static void classify_on_fin(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "10.13.1.1", .daddr = "10.13.1.2",
		.sport = 999, .dport = 80, .tcp_flags = 0x10,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;

	REQUIRE_BPF();
	key_for(&k, 4, 6, s.saddr, 999, s.daddr, 80, false);
	send_pkt(H_XDP, &s, T0_US, NULL);	/* 1: checkpoint */
	send_pkt(H_XDP, &s, T0_US + 1, NULL);	/* 2: checkpoint */
	send_pkt(H_XDP, &s, T0_US + 2, NULL);	/* 3: none */
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 2);
	s.tcp_flags = 0x11;
	send_pkt(H_XDP, &s, T0_US + 3, NULL);	/* 4: checkpoint and FIN */
	s.tcp_flags = 0x11;
	send_pkt(H_XDP, &s, T0_US + 4, NULL);	/* 5: FIN */
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 4);
	flow_must(&k, &f);
	assert_int_equal(f.decided_pkts, 5);
	assert_int_equal(f.ended, 1);
}

/* The default schedule: 1, 2, 4, ..., 1024, then every 1024 packets. */
static void classify_checkpoint_schedule(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.13.2.1", .daddr = "10.13.2.2",
		.sport = 100, .dport = 200,
	};
	uint8_t frame[128];
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	size_t len;
	int i, want = 0;

	REQUIRE_BPF();
	key_for(&k, 4, 17, s.saddr, 100, s.daddr, 200, false);
	len = pkt_build(&s, frame, sizeof(frame));
	for (i = 1; i <= 3072; i++) {
		set_clock_us(T0_US + i);
		run_frame(H_XDP, frame, len);
		if ((i <= 1024 && !(i & (i - 1))) || i % 1024 == 0)
			want++;
		if (i == 1023 || i == 1024 || i == 2047 || i == 2048 || i == 3072) {
			get_counters(&c);
			if (c.c[FF_C_CLASSIFICATIONS] != (__u64)want)
				fail_msg("after %d packets: %llu classifications, expected %d",
					 i, (unsigned long long)c.c[FF_C_CLASSIFICATIONS], want);
		}
	}
	assert_int_equal(want, 11 + 2);
	flow_must(&k, &f);
	assert_int_equal(f.decided_pkts, 3072);
	assert_int_equal(f.cp_due, 4096);
}

/* issue 10 item 4: a count that steps over a checkpoint (another CPU's
 * packet in between) still classifies, and the schedule goes on. */
static void classify_count_jumps_checkpoint(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.13.3.1", .daddr = "10.13.3.2",
		.sport = 100, .dport = 200,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	int i;

	REQUIRE_BPF();
	key_for(&k, 4, 17, s.saddr, 100, s.daddr, 200, false);
	for (i = 1; i <= 3; i++)
		send_pkt(H_XDP, &s, T0_US + i, NULL);		/* 1, 2: checkpoints */
	flow_must(&k, &f);
	f.dir[FF_DIR_BWD].pkts++;				/* 3 -> 5 next */
	assert_int_equal(bpf_map_update_elem(env.flows_fd, &k, &f, BPF_EXIST), 0);
	send_pkt(H_XDP, &s, T0_US + 4, NULL);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 3);
	flow_must(&k, &f);
	assert_int_equal(f.decided_pkts, 5);
	assert_int_equal(f.cp_due, 8);
	for (i = 5; i <= 7; i++)
		send_pkt(H_XDP, &s, T0_US + i, NULL);		/* 6, 7, 8 */
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 4);
}

/* ---- 4. events ------------------------------------------------------- */

static void events_udp_probe_classified_once(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.14.0.9", .daddr = "10.14.0.2",
		.sport = 31337, .dport = 9999, .payload_len = 12,
	};
	struct ff_counters c;
	struct ff_flow_key k;
	const struct ff_event *e;

	REQUIRE_BPF();
	assert_int_equal(key_for(&k, 4, 17, s.saddr, 31337, s.daddr, 9999, false), 1);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 77, NULL), XDP_DROP);
	assert_int_equal(poll_events(), 1);
	e = &env.ev[0];
	assert_int_equal(e->type, FF_EV_CLASSIFIED);
	assert_int_equal(e->cls, CLS_UDP_PROBE);
	assert_int_equal(e->prev_cls, FF_CLASS_NONE);
	assert_int_equal(e->action, FF_ACT_DROP);
	assert_int_equal(e->score, 1000);
	assert_int_equal(e->pkts, 1);
	assert_int_equal(e->bytes, 20 + 8 + 12);
	assert_int_equal(e->ts_us, T0_US + 77);
	assert_int_equal(e->first_us, T0_US + 77);
	assert_int_equal(e->last_us, T0_US + 77);
	assert_int_equal(e->initiator_is_b, 1);
	assert_int_equal(e->model_gen, cur_gen());
	assert_memory_equal(&e->key, &k, sizeof(k));

	/* Same class at the next checkpoint: no new event. */
	assert_int_equal(send_pkt(H_TC, &s, T0_US + 78, NULL), TC_ACT_SHOT);
	assert_int_equal(poll_events(), 1);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], 2);
	assert_int_equal(c.c[FF_C_EVENTS], 1);
	assert_int_equal(c.c[FF_C_EVENTS_LOST], 0);
	assert_int_equal(env.ev_dropped, 0);
}

static void events_ping_flood_changed(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 1, .saddr = "10.14.1.1", .daddr = "10.14.1.2",
		.icmp_type = 8, .icmp_id = 99, .payload_len = 16,
	};
	struct ff_flow_key k;
	const struct ff_event *e;
	int i;

	REQUIRE_BPF();
	key_for(&k, 4, 1, s.saddr, 99, s.daddr, 99, false);
	for (i = 1; i <= 32; i++)
		send_pkt(H_XDP, &s, T0_US + 100ULL * i, NULL);
	assert_int_equal(poll_events(), 2);
	e = &env.ev[0];
	assert_int_equal(e->type, FF_EV_CLASSIFIED);
	assert_int_equal(e->cls, CLS_BENIGN);
	assert_int_equal(e->prev_cls, FF_CLASS_NONE);
	assert_int_equal(e->pkts, 1);
	assert_int_equal(e->action, FF_ACT_PASS);
	e = &env.ev[1];
	assert_int_equal(e->type, FF_EV_CHANGED);
	assert_int_equal(e->cls, CLS_PING_FLOOD);
	assert_int_equal(e->prev_cls, CLS_BENIGN);
	assert_int_equal(e->pkts, 32);
	assert_int_equal(e->bytes, 32 * (20 + 8 + 16));
	assert_int_equal(e->action, FF_ACT_DROP);
	assert_int_equal(e->ts_us, T0_US + 3200);
	assert_int_equal(e->first_us, T0_US + 100);
	assert_memory_equal(&e->key, &k, sizeof(k));
}

/* An event carries each direction's share and the TCP flags seen (what an
 * IPFIX exporter reports): a handshake, then silence past the idle
 * timeout; the next packet ends the flow with an `ended` event. */
static void events_ended_carry_directions_and_flags(void **state)
{
	struct pkt_spec ab = {
		.family = 4, .proto = 6, .saddr = "10.14.4.1", .daddr = "10.14.4.2",
		.sport = 40000, .dport = 80, .tcp_flags = 0x02, .payload_len = 0,
	};
	struct pkt_spec ba = ab;
	const struct ff_event *e = NULL;
	int i;

	REQUIRE_BPF();
	ba.saddr = ab.daddr;
	ba.daddr = ab.saddr;
	ba.sport = ab.dport;
	ba.dport = ab.sport;
	ba.tcp_flags = 0x12;
	ba.payload_len = 100;
	send_pkt(H_XDP, &ab, T0_US + 10, NULL);
	send_pkt(H_XDP, &ba, T0_US + 20, NULL);
	send_pkt(H_XDP, &ba, T0_US + 30, NULL);
	ab.tcp_flags = 0x10;
	send_pkt(H_XDP, &ab, T0_US + 40, NULL);
	/* past the default idle timeout of 120 s */
	send_pkt(H_XDP, &ab, T0_US + 200000000ULL, NULL);
	poll_events();
	for (i = 0; i < env.n_ev; i++)
		if (env.ev[i].type == FF_EV_ENDED)
			e = &env.ev[i];
	assert_non_null(e);
	assert_int_equal(e->pkts, 4);
	assert_int_equal(e->bytes, 2 * (20 + 20) + 2 * (20 + 20 + 100));
	assert_int_equal(e->resp_pkts, 2);
	assert_int_equal(e->resp_bytes, 2 * (20 + 20 + 100));
	assert_int_equal(e->tcp_flags, 0x12);
	assert_int_equal(e->initiator_is_b, 0);
}

/*
 * With nobody reading, the 1 MiB ring fills up; every verdict is then
 * either delivered or counted in FF_C_EVENTS_LOST, never both, never
 * neither.
 */
static void events_ring_full_counted_lost(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.14.2.1", .daddr = "10.14.2.2",
		.dport = 9999,
	};
	uint8_t frame[128];
	struct ff_counters c;
	size_t len;
	int i, n = 12000;

	REQUIRE_BPF();
	len = pkt_build(&s, frame, sizeof(frame));
	set_clock_us(T0_US);
	for (i = 0; i < n; i++) {
		frame[14 + 20] = (i >> 8) & 0xff;	/* UDP source port */
		frame[14 + 20 + 1] = i & 0xff;
		assert_int_equal(run_frame(H_XDP, frame, len), XDP_DROP);
	}
	get_counters(&c);
	assert_int_equal(c.c[FF_C_FLOWS_CREATED], n);
	assert_int_equal(c.c[FF_C_CLASSIFICATIONS], n);
	assert_int_equal(c.c[FF_C_EVENTS] + c.c[FF_C_EVENTS_LOST], n);
	assert_true(c.c[FF_C_EVENTS_LOST] > 0);
	poll_events();
	assert_int_equal(env.n_ev + env.ev_dropped, c.c[FF_C_EVENTS]);
	/* Drained, the ring takes events again. */
	s.sport = 1;
	s.saddr = "10.14.3.1";
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 1, NULL), XDP_DROP);
	env.n_ev = 0;
	env.ev_dropped = 0;
	assert_int_equal(poll_events(), 1);
	assert_int_equal(env.ev[0].type, FF_EV_CLASSIFIED);
}

/* ---- 5. ff_infer against the user-space walk -------------------------- */

static struct ff_infer_result infer(const __u64 *v)
{
	static uint8_t frame[64];
	struct ff_features in;
	struct ff_infer_result out;
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 1);

	memcpy(in.v, v, sizeof(in.v));
	assert_int_equal(bpf_map_update_elem(env.in_fd, &zero, &in, BPF_ANY), 0);
	memset(&out, 0xee, sizeof(out));
	assert_int_equal(bpf_map_update_elem(env.out_fd, &zero, &out, BPF_ANY), 0);
	assert_int_equal(bpf_prog_test_run_opts(env.infer_fd, &o), 0);
	assert_int_equal(o.retval, XDP_PASS);
	assert_int_equal(bpf_map_lookup_elem(env.out_fd, &zero, &out), 0);
	return out;
}

static void infer_handwritten(void **state)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_infer_result o;

	REQUIRE_BPF();
	v[FF_F_PROTOCOL] = 17;
	v[FF_F_DST_PORT] = 9999;
	o = infer(v);
	assert_int_equal(o.n_trees, 1);	/* "a model answered", see report */
	assert_int_equal(o.cls, CLS_UDP_PROBE);
	assert_int_equal(o.score, 1000);
	assert_int_equal(o.errors, 0);
	v[FF_F_DST_PORT] = 10000;
	assert_int_equal(infer(v).cls, CLS_BENIGN);
	v[FF_F_PROTOCOL] = 1;
	v[FF_F_FWD_PKTS] = 20;
	assert_int_equal(infer(v).cls, CLS_BENIGN);
	v[FF_F_FWD_PKTS] = 21;
	assert_int_equal(infer(v).cls, CLS_PING_FLOOD);
}

/* A random forest: trees of random shape up to `max_depth`. */
struct forest {
	struct ff_model m;
	__u64 pool[24];		/* thresholds, and values near them */
};

static __u64 pick_threshold(const struct forest *g)
{
	return g->pool[rnd_below(FF_ARRAY_SIZE(g->pool))];
}

static __u32 gen_leaf(struct forest *g)
{
	struct ff_model *m = &g->m;
	__u32 idx = m->n_nodes++;

	assert_true(idx < FF_MAX_NODES);
	memset(&m->nodes[idx], 0, sizeof(m->nodes[idx]));
	m->nodes[idx].feature = FF_NODE_LEAF;
	m->nodes[idx].left = rnd_below(m->n_classes);
	/* Small weights often tie; ties go to the lower class. */
	m->nodes[idx].right = rnd_below(4) ? 1 + rnd_below(3) : 1 + rnd_below(1000);
	return idx;
}

/* A split node; its children are filled in by the caller. */
static __u32 gen_split(struct forest *g)
{
	struct ff_model *m = &g->m;
	__u32 idx = m->n_nodes++;

	assert_true(idx < FF_MAX_NODES);
	memset(&m->nodes[idx], 0, sizeof(m->nodes[idx]));
	m->nodes[idx].feature = rnd_below(FF_NUM_FEATURES);
	m->nodes[idx].threshold = pick_threshold(g);
	return idx;
}

/* A tree of random shape, at most `max_depth` deep. */
static __u32 gen_node(struct forest *g, __u32 depth, __u32 max_depth,
		      bool deep_first)
{
	__u32 idx, l, r;

	if (depth == max_depth ||
	    (depth > 0 && !deep_first && rnd_below(4) == 0))
		return gen_leaf(g);
	idx = gen_split(g);
	l = gen_node(g, depth + 1, max_depth, deep_first);
	r = gen_node(g, depth + 1, max_depth, false);
	g->m.nodes[idx].left = l;
	g->m.nodes[idx].right = r;
	return idx;
}

/* A balanced tree of exactly `n` nodes (n odd). */
static __u32 gen_sized(struct forest *g, __u32 n)
{
	__u32 idx, nl, l, r;

	if (n == 1)
		return gen_leaf(g);
	idx = gen_split(g);
	nl = ((n - 1) / 2) | 1;
	l = gen_sized(g, nl);
	r = gen_sized(g, n - 1 - nl);
	g->m.nodes[idx].left = l;
	g->m.nodes[idx].right = r;
	return idx;
}

static void forest_init(struct forest *g, __u32 n_classes)
{
	size_t i;

	memset(g, 0, sizeof(*g));
	g->m.nodes = calloc(FF_MAX_NODES, sizeof(struct ff_xnode));
	assert_non_null(g->m.nodes);
	g->m.n_features = FF_NUM_FEATURES;
	for (i = 0; i < FF_NUM_FEATURES; i++)
		g->m.feature_ids[i] = i;
	g->m.n_classes = n_classes;
	for (i = 0; i < n_classes; i++)
		snprintf(g->m.class_names[i], FF_NAME_MAX, "c%zu", i);
	for (i = 0; i < FF_ARRAY_SIZE(g->pool); i++) {
		switch (i % 4) {
		case 0:
		case 1:
			g->pool[i] = rnd_below(2000);
			break;
		case 2:
			g->pool[i] = (1ULL << 32) + rnd_below(1000);	/* 64-bit compares */
			break;
		default:
			g->pool[i] = rnd();
			break;
		}
	}
	g->pool[0] = 0;
	g->pool[1] = ~0ULL - 1;
}

static void forest_gen(struct forest *g, __u32 n_trees, __u32 max_depth)
{
	char err[256];
	__u32 t;

	for (t = 0; t < n_trees; t++) {
		g->m.roots[t] = g->m.n_nodes;
		/* Tree 0 reaches max_depth on its leftmost path. */
		gen_node(g, 0, t == 0 ? max_depth : 1 + rnd_below(max_depth),
			 t == 0);
	}
	g->m.n_trees = n_trees;
	if (ff_model_validate(&g->m, err, sizeof(err)))
		fail_msg("random model does not validate: %s", err);
	assert_true(g->m.max_depth <= max_depth);
}

static void random_vector(const struct forest *g, __u64 *v)
{
	size_t i;

	for (i = 0; i < FF_MAX_FEATURES; i++) {
		__u64 t = pick_threshold(g);

		switch (rnd_below(8)) {
		case 0:
		case 1:
			v[i] = t;		/* equal: goes left */
			break;
		case 2:
			v[i] = t + 1;
			break;
		case 3:
			v[i] = t - 1;
			break;
		case 4:
		case 5:
			v[i] = rnd_below(2001);
			break;
		case 6:
			v[i] = rnd();
			break;
		default:
			v[i] = rnd_below(2) ? 0 : ~0ULL;
			break;
		}
	}
}

/* Kernel and user space agree on class and score for `n` random vectors. */
static void compare_random(const struct forest *g, int n)
{
	__u64 v[FF_MAX_FEATURES];
	int i, seen[FF_MAX_CLASSES] = { 0 }, distinct = 0;

	for (i = 0; i < n; i++) {
		struct ff_infer_result o;
		__u32 score, cls;

		random_vector(g, v);
		cls = ff_model_predict(&g->m, v, &score);
		o = infer(v);
		if (o.cls != cls || o.score != score || o.errors || !o.n_trees)
			fail_msg("vector %d: kernel class %u score %u errors %u, user space class %u score %u",
				 i, o.cls, o.score, o.errors, cls, score);
		if (!seen[cls & (FF_MAX_CLASSES - 1)]++)
			distinct++;
	}
	/* The vectors must exercise the model, not one leaf. */
	assert_true(distinct >= 2);
}

static void infer_random_forest_matches_user_space(void **state)
{
	struct forest *g;

	REQUIRE_BPF();
	g = malloc(sizeof(*g));
	assert_non_null(g);
	rnd_state = 0x243f6a8885a308d3ULL;
	forest_init(g, 5);
	forest_gen(g, 16, 10);
	assert_int_equal(g->m.max_depth, 10);
	assert_int_equal(install(&g->m), 0);
	compare_random(g, 2000);
	ff_model_free(&g->m);
	free(g);
}

static void infer_max_trees(void **state)
{
	struct forest *g;

	REQUIRE_BPF();
	g = malloc(sizeof(*g));
	assert_non_null(g);
	rnd_state = 0x13198a2e03707344ULL;
	forest_init(g, 16);
	forest_gen(g, FF_MAX_TREES, 6);
	assert_int_equal(g->m.n_trees, 1024);
	assert_int_equal(install(&g->m), 0);
	compare_random(g, 300);
	ff_model_free(&g->m);
	free(g);
}

/*
 * A model that fills the kernel's node table: FF_MAX_TREES - 2 balanced
 * trees of 127 nodes, one of the nodes left but one, then a one-leaf tree at
 * node FF_MAX_NODES - 1, which the kernel must reach. Thresholds below 2^32
 * only, so that every node is one node of the kernel's layout.
 */
static void infer_full_node_table(void **state)
{
	struct forest *g;
	char err[256];
	__u32 t, i;

	REQUIRE_BPF();
	g = malloc(sizeof(*g));
	assert_non_null(g);
	rnd_state = 0xa4093822299f31d0ULL;
	forest_init(g, 5);
	for (i = 0; i < FF_ARRAY_SIZE(g->pool); i++)
		g->pool[i] &= 0xffffffffULL;
	for (t = 0; t + 2 < FF_MAX_TREES; t++) {
		g->m.roots[t] = g->m.n_nodes;
		gen_sized(g, 127);
	}
	g->m.roots[t++] = g->m.n_nodes;
	gen_sized(g, FF_MAX_NODES - 1 - g->m.n_nodes);
	g->m.roots[t] = g->m.n_nodes;
	gen_leaf(g);
	g->m.n_trees = FF_MAX_TREES;
	assert_int_equal(g->m.n_nodes, FF_MAX_NODES);
	assert_int_equal(g->m.roots[FF_MAX_TREES - 1], FF_MAX_NODES - 1);
	if (ff_model_validate(&g->m, err, sizeof(err)))
		fail_msg("full model does not validate: %s", err);
	assert_int_equal(g->m.n_knodes, FF_MAX_NODES);
	assert_int_equal(g->m.kroots[FF_MAX_TREES - 1], FF_MAX_NODES - 1);
	assert_true(g->m.max_depth <= FF_MAX_DEPTH);
	assert_int_equal(install(&g->m), 0);
	compare_random(g, 200);
	ff_model_free(&g->m);
	free(g);
}

/*
 * One chain tree `depth` deep: internal node d tests feature d against 100
 * and leaves to the right with class d % 4; the deepest leaf is class 4
 * with weight `deep_w`. Appended to m at m->n_nodes.
 */
static void chain_tree(struct ff_model *m, __u32 depth, __u32 deep_w)
{
	__u32 d, base = m->n_nodes;

	m->roots[m->n_trees++] = base;
	for (d = 0; d < depth; d++) {
		struct ff_xnode *in = &m->nodes[base + 2 * d];
		struct ff_xnode *leaf = &m->nodes[base + 2 * d + 1];

		memset(in, 0, sizeof(*in));
		in->feature = d % FF_NUM_FEATURES;
		in->threshold = 100;
		in->left = base + 2 * d + 2;
		in->right = base + 2 * d + 1;
		memset(leaf, 0, sizeof(*leaf));
		leaf->feature = FF_NODE_LEAF;
		leaf->left = d % 4;
		leaf->right = 1;
	}
	memset(&m->nodes[base + 2 * depth], 0, sizeof(struct ff_xnode));
	m->nodes[base + 2 * depth].feature = FF_NODE_LEAF;
	m->nodes[base + 2 * depth].left = 4;
	m->nodes[base + 2 * depth].right = deep_w;
	m->n_nodes = base + 2 * depth + 1;
}

static void model_init(struct ff_model *m, __u32 n_classes, __u32 max_nodes)
{
	__u32 i;

	memset(m, 0, sizeof(*m));
	m->nodes = calloc(max_nodes, sizeof(struct ff_xnode));
	assert_non_null(m->nodes);
	m->n_features = FF_NUM_FEATURES;
	for (i = 0; i < FF_NUM_FEATURES; i++)
		m->feature_ids[i] = i;
	m->n_classes = n_classes;
	for (i = 0; i < n_classes; i++)
		snprintf(m->class_names[i], FF_NAME_MAX, "c%u", i);
}

static void infer_depth_32_tree(void **state)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_model *m;
	struct ff_infer_result o;
	__u32 d, score;
	char err[256];

	REQUIRE_BPF();
	m = malloc(sizeof(*m));
	assert_non_null(m);
	assert_true(FF_NUM_FEATURES > FF_MAX_DEPTH);	/* distinct features */
	model_init(m, 5, 2 * FF_MAX_DEPTH + 8);
	chain_tree(m, FF_MAX_DEPTH, 1);
	assert_int_equal(ff_model_validate(m, err, sizeof(err)), 0);
	assert_int_equal(m->max_depth, FF_MAX_DEPTH);
	assert_int_equal(install(m), 0);

	o = infer(v);			/* all the way down */
	assert_int_equal(o.cls, 4);
	assert_int_equal(o.score, 1000);
	assert_int_equal(o.errors, 0);
	for (d = 0; d < FF_MAX_DEPTH; d++) {	/* out at depth d */
		memset(v, 0, sizeof(v));
		v[d] = 101;
		o = infer(v);
		assert_int_equal(o.cls, d % 4);
		assert_int_equal(o.errors, 0);
		assert_int_equal(o.cls, ff_model_predict(m, v, &score));
	}

	/* One deeper does not validate, and the loader refuses it. */
	m->n_nodes = 0;
	m->n_trees = 0;
	chain_tree(m, FF_MAX_DEPTH + 1, 1);
	assert_int_not_equal(ff_model_validate(m, err, sizeof(err)), 0);
	{
		struct ff_loader *l = &env.l;
		char why[256];

		assert_int_not_equal(ff_loader_install_model(l, m, NULL, why, sizeof(why)), 0);
		assert_non_null(strstr(why, "deeper"));
	}
	ff_model_free(m);
	free(m);
}

/*
 * The longest walk the kernel allows: FF_MAX_TREES trees, each 32 deep, every
 * vector to the bottom. The last tree carries a heavy vote, so a walk cut
 * short (bpf_loop's bound) would give another class.
 */
static void infer_max_trees_depth_32(void **state)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_model *m;
	struct ff_infer_result o;
	__u32 t, score;
	char err[256];

	REQUIRE_BPF();
	m = malloc(sizeof(*m));
	assert_non_null(m);
	model_init(m, 5, FF_MAX_TREES * (2 * FF_MAX_DEPTH + 1));
	for (t = 0; t < FF_MAX_TREES; t++)
		chain_tree(m, FF_MAX_DEPTH, t == FF_MAX_TREES - 1 ? 60000 : 1);
	/* Every tree but the last votes class 3 at the bottom instead. */
	for (t = 0; t + 1 < FF_MAX_TREES; t++)
		m->nodes[m->roots[t] + 2 * FF_MAX_DEPTH].left = 3;
	assert_int_equal(ff_model_validate(m, err, sizeof(err)), 0);
	assert_int_equal(install(m), 0);
	o = infer(v);
	assert_int_equal(o.errors, 0);
	assert_int_equal(o.cls, 4);
	assert_int_equal(o.score, 60000ULL * 1000 / (60000 + FF_MAX_TREES - 1));
	assert_int_equal(o.cls, ff_model_predict(m, v, &score));
	assert_int_equal(o.score, score);
	ff_model_free(m);
	free(m);
}

/* ---- 6. hot swap ----------------------------------------------------- */

/* A model of one leaf: every flow is class `cls`. */
static void const_model(struct ff_model *m, struct ff_xnode *leaf, __u32 cls,
			__u32 action)
{
	__u32 i;

	memset(m, 0, sizeof(*m));
	memset(leaf, 0, sizeof(*leaf));
	leaf->feature = FF_NODE_LEAF;
	leaf->left = cls;
	leaf->right = 1;
	m->nodes = leaf;
	m->n_nodes = 1;
	m->n_trees = 1;
	m->n_classes = 3;
	m->n_features = 1;
	for (i = 0; i < m->n_classes; i++)
		snprintf(m->class_names[i], FF_NAME_MAX, "k%u", i);
	m->actions[cls] = action;
}

static __u32 active_slot(void)
{
	__u32 zero = 0, a = 99;

	assert_int_equal(bpf_map_lookup_elem(env.active_fd, &zero, &a), 0);
	return a;
}

static __u32 slot_generation(__u32 slot)
{
	struct ff_model_meta meta;

	assert_int_equal(bpf_map_lookup_elem(env.meta_fd, &slot, &meta), 0);
	return meta.generation;
}

static void swap_model_a_then_b(void **state)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_model a, b;
	struct ff_xnode la, lb;
	__u32 s0, s1, g0, g1, g2;
	char err[256];

	REQUIRE_BPF();
	const_model(&a, &la, 0, FF_ACT_PASS);
	const_model(&b, &lb, 1, FF_ACT_DROP);
	assert_int_equal(ff_model_validate(&a, err, sizeof(err)), 0);
	assert_int_equal(ff_model_validate(&b, err, sizeof(err)), 0);

	assert_int_equal(install(&a), 0);
	s0 = active_slot();
	g0 = slot_generation(s0);
	assert_int_equal(g0, cur_gen());
	assert_int_equal(infer(v).cls, 0);

	assert_int_equal(install(&b), 0);
	s1 = active_slot();
	g1 = slot_generation(s1);
	assert_int_equal(s1, s0 ^ 1);
	assert_true(g1 > g0);
	assert_int_equal(slot_generation(s0), g0);	/* A untouched */
	assert_int_equal(infer(v).cls, 1);

	assert_int_equal(install(&a), 0);
	assert_int_equal(active_slot(), s0);
	g2 = slot_generation(s0);
	assert_true(g2 > g1);
	assert_int_equal(infer(v).cls, 0);
}

/*
 * A flow keeps its cached verdict until its next checkpoint, which then
 * runs the new model: an FF_EV_CHANGED event with the new generation.
 */
static void swap_model_flow_follows_at_checkpoint(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.15.0.1", .daddr = "10.15.0.2",
		.sport = 1, .dport = 2,
	};
	struct ff_model a, b;
	struct ff_xnode la, lb;
	struct ff_flow_key k;
	struct ff_flow f;
	__u32 gen_a;
	int i;

	REQUIRE_BPF();
	const_model(&a, &la, 0, FF_ACT_PASS);
	const_model(&b, &lb, 2, FF_ACT_DROP);
	key_for(&k, 4, 17, s.saddr, 1, s.daddr, 2, false);
	assert_int_equal(install(&a), 0);
	gen_a = cur_gen();
	for (i = 1; i <= 2; i++)
		assert_int_equal(send_pkt(H_XDP, &s, T0_US + i, NULL), XDP_PASS);
	assert_int_equal(install(&b), 0);
	/* Packet 3 is no checkpoint: the old verdict stands. */
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 3, NULL), XDP_PASS);
	flow_must(&k, &f);
	assert_int_equal(f.model_gen, gen_a);
	/* Packet 4 is one: model B decides. */
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 4, NULL), XDP_DROP);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 2);
	assert_int_equal(f.model_gen, cur_gen());
	assert_int_equal(poll_events(), 2);
	assert_int_equal(env.ev[1].type, FF_EV_CHANGED);
	assert_int_equal(env.ev[1].prev_cls, 0);
	assert_int_equal(env.ev[1].cls, 2);
	assert_int_equal(env.ev[1].model_gen, cur_gen());
	assert_int_equal(env.ev[1].pkts, 4);
}

/*
 * Confidence: a drop verdict scored below its class's minimum score is an
 * alert. One vector leaf gives class 1 a 600-permille share; with a minimum
 * of 700 the flow passes as an alert, with 600 it is dropped; ff_infer says
 * the same, and a boosted (softmax) model's probability works alike.
 */
static void classify_low_score_alerts(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.16.0.1", .daddr = "10.16.0.2",
		.sport = 1, .dport = 2,
	};
	__u64 v[FF_MAX_FEATURES] = { 0 };
	__s32 vals[3] = { 100, 600, 300 };
	struct ff_xnode leaf = { .feature = FF_NODE_LEAFVEC };
	struct ff_model m;
	struct ff_flow_key k;
	struct ff_flow f;
	struct ff_infer_result o;
	char err[256];

	REQUIRE_BPF();
	memset(&m, 0, sizeof(m));
	m.n_classes = 3;
	m.n_features = 1;
	snprintf(m.class_names[0], FF_NAME_MAX, "benign");
	snprintf(m.class_names[1], FF_NAME_MAX, "flood");
	snprintf(m.class_names[2], FF_NAME_MAX, "scan");
	m.actions[1] = FF_ACT_DROP;
	m.min_score[1] = 700;
	assert_int_equal(ff_model_add_leafvec(&m, vals), 0);
	assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
	assert_int_equal(install(&m), 0);
	o = infer(v);
	assert_int_equal(o.cls, 1);
	assert_int_equal(o.score, 600);
	assert_int_equal(o.action, FF_ACT_ALERT);
	key_for(&k, 4, 17, s.saddr, 1, s.daddr, 2, false);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 1, NULL), XDP_PASS);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 1);
	assert_int_equal(f.score, 600);
	assert_int_equal(f.action, FF_ACT_ALERT);

	m.min_score[1] = 600;		/* sure enough now */
	assert_int_equal(install(&m), 0);
	assert_int_equal(infer(v).action, FF_ACT_DROP);
	s.sport = 3;
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 2, NULL), XDP_DROP);

	/* softmax: margins 0, 2^20 x ln 3, 0 in fixed point: p = 3/5 = 600 */
	ff_model_free(&m);
	memset(&m, 0, sizeof(m));
	m.n_classes = 3;
	m.n_features = 1;
	snprintf(m.class_names[0], FF_NAME_MAX, "benign");
	snprintf(m.class_names[1], FF_NAME_MAX, "flood");
	snprintf(m.class_names[2], FF_NAME_MAX, "scan");
	m.actions[1] = FF_ACT_DROP;
	m.min_score[1] = 601;
	m.n_phases = 1;
	m.phases[0].combine = FF_COMBINE_SOFTMAX;
	m.phases[0].scale_bits = 20;
	m.phases[0].bias[1] = 1151970;	/* round(2^20 x ln 3) */
	leaf = (struct ff_xnode){ .feature = FF_NODE_LEAF, .left = 0, .right = 0 };
	assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
	m.phases[0].n_trees = 1;
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
	assert_int_equal(install(&m), 0);
	o = infer(v);
	assert_int_equal(o.cls, 1);
	assert_int_equal(o.score, 599);	/* floor(599.99...): the table's rounding */
	assert_int_equal(o.action, FF_ACT_ALERT);
	ff_model_free(&m);
}

/* ff_infer for a flow of `pkts` packets (the phase's model). */
static struct ff_infer_result infer_at(const __u64 *v, __u32 pkts)
{
	static uint8_t frame[64];
	struct ff_features in;
	struct ff_infer_result out;
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 1);

	memcpy(in.v, v, sizeof(in.v));
	assert_int_equal(bpf_map_update_elem(env.in_fd, &zero, &in, BPF_ANY), 0);
	memset(&out, 0, sizeof(out));
	out.pkts = pkts;
	assert_int_equal(bpf_map_update_elem(env.out_fd, &zero, &out, BPF_ANY), 0);
	assert_int_equal(bpf_prog_test_run_opts(env.infer_fd, &o), 0);
	assert_int_equal(bpf_map_lookup_elem(env.out_fd, &zero, &out), 0);
	return out;
}

/*
 * Phases: three one-leaf models from 1, 4 and 32 packets, each naming its
 * own class; the kernel and user space pick the phase by packet count at
 * the boundaries (and below the first phase, the first). A flow is decided
 * by the phase of its checkpoint: class 0 at packet 1, class 1 at packet 4.
 */
static void classify_by_phase(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.17.0.1", .daddr = "10.17.0.2",
		.sport = 1, .dport = 2,
	};
	static const __u32 at[] = { 0, 1, 3, 4, 31, 32, 1000 }, want[] = { 0, 0, 0, 1, 1, 2, 2 };
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_model all, one;
	struct ff_xnode leaf;
	struct ff_flow_key k;
	struct ff_flow f;
	struct ff_verdict vd;
	char err[256];
	__u32 p, i;

	REQUIRE_BPF();
	memset(&all, 0, sizeof(all));
	for (p = 0; p < 3; p++) {
		memset(&one, 0, sizeof(one));
		one.n_classes = 3;
		one.n_features = 1;
		for (i = 0; i < 3; i++)
			snprintf(one.class_names[i], FF_NAME_MAX, "k%u", i);
		leaf = (struct ff_xnode){ .feature = FF_NODE_LEAF, .left = p, .right = 1 };
		assert_int_equal(ff_model_add_tree(&one, &leaf, 1, err, sizeof(err)), 0);
		assert_int_equal(ff_model_validate(&one, err, sizeof(err)), 0);
		assert_int_equal(ff_model_append_phase(&all, &one, (__u32[]){ 1, 4, 32 }[p], err,
						       sizeof(err)), 0);
		ff_model_free(&one);
	}
	assert_int_equal(ff_model_validate(&all, err, sizeof(err)), 0);
	assert_int_equal(all.n_phases, 3);
	assert_int_equal(install(&all), 0);
	for (i = 0; i < FF_ARRAY_SIZE(at); i++) {
		struct ff_infer_result o = infer_at(v, at[i]);

		ff_model_run(&all, at[i], v, &vd);
		assert_int_equal(vd.cls, want[i]);
		assert_int_equal(vd.phase, want[i]);
		assert_int_equal(o.cls, want[i]);
		assert_int_equal(o.phase, want[i]);
	}
	key_for(&k, 4, 17, s.saddr, 1, s.daddr, 2, false);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 1, NULL), XDP_PASS);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 0);
	for (i = 2; i <= 4; i++)
		send_pkt(H_XDP, &s, T0_US + i, NULL);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 1);		/* checkpoint 4: the 4-31 phase */
	ff_model_free(&all);
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
		cmocka_unit_test_setup(flow_reply_joins_one_entry, test_setup),
		cmocka_unit_test_setup(flow_initiator_is_b, test_setup),
		cmocka_unit_test_setup(flow_swapped_ports_two_entries, test_setup),
		cmocka_unit_test_setup(flow_ipv6_one_and_two_entries, test_setup),
		cmocka_unit_test_setup(flow_same_address_ordered_by_port, test_setup),
		cmocka_unit_test_setup(flow_byte_counts, test_setup),
		cmocka_unit_test_setup(flow_tcp_flag_counts, test_setup),
		cmocka_unit_test_setup(flow_iat_from_replay_clock, test_setup),
		cmocka_unit_test_setup(classify_udp_probe_dropped, test_setup),
		cmocka_unit_test_setup(classify_udp_benign_passes, test_setup),
		cmocka_unit_test_setup(classify_ping_flood_after_32, test_setup),
		cmocka_unit_test_setup(classify_on_fin, test_setup),
		cmocka_unit_test_setup(classify_checkpoint_schedule, test_setup),
		cmocka_unit_test_setup(classify_count_jumps_checkpoint, test_setup),
		cmocka_unit_test_setup(events_udp_probe_classified_once, test_setup),
		cmocka_unit_test_setup(events_ping_flood_changed, test_setup),
		cmocka_unit_test_setup(events_ring_full_counted_lost, test_setup),
		cmocka_unit_test_setup(events_ended_carry_directions_and_flags, test_setup),
		cmocka_unit_test_setup(infer_handwritten, test_setup),
		cmocka_unit_test_setup(infer_random_forest_matches_user_space, test_setup),
		cmocka_unit_test_setup(infer_max_trees, test_setup),
		cmocka_unit_test_setup(infer_full_node_table, test_setup),
		cmocka_unit_test_setup(infer_depth_32_tree, test_setup),
		cmocka_unit_test_setup(infer_max_trees_depth_32, test_setup),
		cmocka_unit_test_setup(swap_model_a_then_b, test_setup),
		cmocka_unit_test_setup(classify_low_score_alerts, test_setup),
		cmocka_unit_test_setup(classify_by_phase, test_setup),
		cmocka_unit_test_setup(swap_model_flow_follows_at_checkpoint, test_setup),
	};

	return cmocka_run_group_tests_name("bpf", tests, group_setup, group_teardown);
}
