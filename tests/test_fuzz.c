// SPDX-License-Identifier: MIT
/*
 * Packet fuzzing through the real BPF program: random and mutated frames
 * (truncations, bad lengths, bad IHL, bad extension-header chains, VLAN
 * stacks, every TCP flag combination, garbage) with BPF_PROG_TEST_RUN, and
 * invariants checked after every batch: counters add up, the parse-failure
 * counters match what the user-space parser says of the frames sent, and no
 * flow entry holds impossible values.
 *
 * FF_FUZZ_PACKETS sets the count (default 1,000,000; `make fuzz` runs 10
 * million). FF_FUZZ_SEED sets the seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "packet_path.h"
#include "loader.h"
#include "flowforest.skel.h"
#include "model_file.h"
#include "pkt.h"

#define BATCH 100000

static __u64 rng;

static __u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const v4[] = { "10.0.0.1", "10.0.0.2", "192.0.2.7", "10.9.8.7" };
static const char *const v6[] = { "fd00::1", "fd00::2", "2001:db8::7", "fe80::1" };

/* One random frame, valid or not; returns its length. */
static size_t make_frame(__u8 *buf, size_t cap)
{
	struct pkt_spec s = { 0 };
	size_t len, i;
	unsigned kind = rnd() % 100;

	if (kind < 5) {		/* pure garbage */
		len = rnd() % 200;
		for (i = 0; i < len; i++)
			buf[i] = rnd();
		return len;
	}
	s.family = (rnd() & 1) ? 6 : 4;
	s.saddr = s.family == 4 ? v4[rnd() % 4] : v6[rnd() % 4];
	s.daddr = s.family == 4 ? v4[rnd() % 4] : v6[rnd() % 4];
	s.proto = (__u8[]){ 6, 6, 6, 17, 17, 1, 58, 47, 132 }[rnd() % 9];
	if (s.family == 4 && s.proto == 58)
		s.proto = 1;
	if (s.family == 6 && s.proto == 1)
		s.proto = 58;
	s.sport = rnd() % 4 ? 1024 + rnd() % 64 : rnd();
	s.dport = (uint16_t[]){ 80, 443, 53, 22, 9999 }[rnd() % 5];
	s.tcp_flags = rnd();		/* every combination over the run */
	s.window = rnd();
	s.tcp_opts_len = 4 * (rnd() % 11);
	s.payload_len = rnd() % 3 ? rnd() % 200 : rnd() % 1400;
	s.vlans = rnd() % 8 == 0 ? 1 + rnd() % 3 : 0;
	s.icmp_type = (__u8[]){ 8, 0, 3, 128, 129, 135 }[rnd() % 6];
	s.icmp_id = rnd();
	s.ttl = rnd();
	if (s.family == 4) {
		s.ip_opts_len = rnd() % 4 == 0 ? 4 * (rnd() % 11) : 0;
		if (rnd() % 10 == 0) {
			s.more_frags = rnd() & 1;
			s.frag_off = rnd() % 3 ? 0 : rnd() % 200;
		}
	} else if (rnd() % 3 == 0) {
		s.n_ext = rnd() % 11;
		for (i = 0; i < (size_t)s.n_ext; i++) {
			s.ext_hdrs[i].type = (__u8[]){ PKT_EXT_HOP, PKT_EXT_ROUTING, PKT_EXT_DSTOPTS,
						       PKT_EXT_FRAG }[rnd() % 4];
			s.ext_hdrs[i].len8 = rnd() % 4;
			if (s.ext_hdrs[i].type == PKT_EXT_FRAG) {
				s.ext_hdrs[i].len8 = 0;
				s.more_frags = rnd() & 1;
				s.frag_off = rnd() % 3 ? 0 : rnd() % 200;
			}
		}
	}
	len = pkt_build(&s, buf, cap);
	if (len == 0) {
		buf[0] = 0;
		return 1;
	}
	switch (rnd() % 8) {	/* mutations */
	case 0:			/* truncate anywhere */
		len = rnd() % (len + 1);
		break;
	case 1:			/* flip bytes in the headers */
		for (i = 0; i < 1 + rnd() % 4; i++)
			buf[rnd() % (len < 80 ? len : 80)] ^= 1 << (rnd() % 8);
		break;
	case 2: {		/* bad IHL or version or IPv6 payload length */
		size_t l3 = pkt_l3_off(&s);

		if (l3 + 6 < len) {
			if (s.family == 4)
				buf[l3] = (rnd() & 0xf0) | (rnd() & 0x0f);
			else {
				buf[l3 + 4] = rnd();
				buf[l3 + 5] = rnd();
			}
		}
		break;
	}
	case 3: {		/* bad IPv4 total length */
		size_t l3 = pkt_l3_off(&s);

		if (s.family == 4 && l3 + 4 < len) {
			buf[l3 + 2] = rnd();
			buf[l3 + 3] = rnd();
		}
		break;
	}
	default:
		break;
	}
	return len;
}

static int user_category(const __u8 *buf, size_t len)
{
	struct ff_frame fr = { buf, (__u32)len };
	struct ff_pkt p;

	memset(&p, 0, sizeof(p));
	return ff_parse(&fr, 0, &p);
}

/* Every entry of the flow table: values that cannot happen must not. */
static __u64 check_flows(int fd, __u32 n_classes)
{
	struct ff_flow_key k, next;
	struct ff_flow f;
	void *prev = NULL;
	__u64 pkts = 0;
	int d;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &f))
			continue;
		assert_true(k.family == 4 || k.family == 6);
		if (k.frag_later) {
			assert_int_equal(k.port_a, 0);
			assert_int_equal(k.port_b, 0);
		}
		assert_true(ff_flow_pkts(&f) > 0);
		assert_true(f.first_us <= f.last_us);
		assert_true(f.cls == FF_CLASS_NONE || f.cls < n_classes);
		assert_true(f.dir[0].pkts > 0);		/* the initiator sent first */
		for (d = 0; d < 2; d++) {
			const struct ff_dir_stats *ds = &f.dir[d];

			if (!ds->pkts)
				continue;
			assert_true(ds->len_min <= ds->len_max);
			assert_true(ds->data_pkts <= ds->pkts);
			assert_true(ds->psh <= ds->pkts && ds->urg <= ds->pkts && ds->rst <= ds->pkts);
			assert_true(ds->len_sum >= (__u64)ds->len_min * ds->pkts);
			assert_true(ds->len_sum <= (__u64)ds->len_max * ds->pkts);
			/* L4 header: TCP 20+, UDP and ICMP 8, others 0 */
			assert_true(ds->hdr_min >= 8 || ds->hdr_min == 0);
		}
		for (d = 0; d < 8; d++)
			assert_true(f.flags[d] <= ff_flow_pkts(&f));
		pkts += ff_flow_pkts(&f);
	}
	return pkts;
}

static void clear_flows(int fd)
{
	struct ff_flow_key *keys = malloc(2 * BATCH * sizeof(*keys)), k;
	void *prev = NULL;
	size_t n = 0, i;

	assert_non_null(keys);
	while (n < 2 * BATCH && bpf_map_get_next_key(fd, prev, &keys[n]) == 0) {
		k = keys[n++];
		prev = &k;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
}

static void test_fuzz_packets(void **state)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT, .max_flows = 2 * BATCH,
				  .replay_clock = true };
	const char *env = getenv("FF_FUZZ_PACKETS"), *seed = getenv("FF_FUZZ_SEED");
	__u64 total = env ? strtoull(env, NULL, 10) : 1000000, sent = 0;
	__u64 expect[FF_PARSE__MAX] = {}, ns = 1000000000ULL;
	struct ff_counters c, zero_c;
	struct ff_loader l;
	struct ff_model m;
	__u8 buf[PKT_MAX_FRAME];
	char err[512];
	__u32 zero = 0;
	int prog, clock_fd, ncpu = libbpf_num_possible_cpus();
	double t0;
	struct timespec ts;

	(void)state;
	if (geteuid() != 0) {
		print_message("not root: skipping (BPF needs root)\n");
		skip();
	}
	/* no idle restarts: every tracked packet stays in the table */
	o.cfg.idle_timeout_us = 0;
	rng = seed ? strtoull(seed, NULL, 10) : 0x1234567;
	if (!rng)
		rng = 1;
	assert_int_equal(ff_model_load("lab/models/handwritten.json", &m, err, sizeof(err)), 0);
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(ff_loader_install_model(&l, &m, NULL, err, sizeof(err)), 0);
	prog = FF_PROG_FD(&l, ff_xdp);
	clock_fd = FF_MAP_FD(&l, ff_clock);
	memset(&zero_c, 0, sizeof(zero_c));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;

	while (sent < total) {
		__u64 batch_tracked = 0, n = 0, in_table, i;
		struct ff_counters *per = calloc(ncpu, sizeof(*per));

		assert_non_null(per);
		memset(expect, 0, sizeof(expect));
		for (i = 0; i < BATCH && sent < total; i++, sent++, n++) {
			size_t len = make_frame(buf, sizeof(buf));
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = buf, .repeat = 1);
			int cat;

			if (len < 14) {	/* XDP test runs need an Ethernet header */
				memset(buf + len, 0, 14 - len);
				len = 14;
			}
			cat = user_category(buf, len);
			expect[cat]++;
			tr.data_size_in = len;
			ns += 1 + rnd() % 5000000;
			bpf_map_update_elem(clock_fd, &zero, &ns, BPF_ANY);
			if (bpf_prog_test_run_opts(prog, &tr))
				fail_msg("test run failed on frame %llu", (unsigned long long)sent);
			assert_true(tr.retval == 1 || tr.retval == 2);	/* DROP or PASS */
		}
		assert_int_equal(ff_loader_counters(&l, &c), 0);
		/* counters add up */
		assert_int_equal(c.c[FF_C_PACKETS], n);
		assert_int_equal(c.c[FF_C_NOT_IP], expect[FF_PARSE_NOT_IP]);
		assert_int_equal(c.c[FF_C_TRUNCATED], expect[FF_PARSE_TRUNCATED]);
		assert_int_equal(c.c[FF_C_MALFORMED], expect[FF_PARSE_MALFORMED]);
		assert_int_equal(c.c[FF_C_UNSUPPORTED], expect[FF_PARSE_UNSUPPORTED]);
		for (i = 0; i < FF_MAX_CLASSES; i++)
			batch_tracked += c.class_pkts[i];
		batch_tracked += c.unclassified_pkts;
		assert_int_equal(batch_tracked, expect[FF_PARSE_OK]);
		assert_int_equal(c.c[FF_C_FLOW_ALLOC_FAIL], 0);
		assert_int_equal(c.c[FF_C_WALK_ERRORS], 0);
		/* the table holds exactly the tracked packets */
		in_table = check_flows(l.maps.flows, m.n_classes);
		assert_int_equal(in_table, expect[FF_PARSE_OK]);
		/* next batch from zero */
		clear_flows(l.maps.flows);
		bpf_map_update_elem(l.maps.counters, &zero, per, BPF_ANY);
		free(per);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	print_message("[ fuzz    ] %llu frames in %.1f s, invariants held after every batch of %d\n",
		      (unsigned long long)sent, ts.tv_sec + ts.tv_nsec / 1e9 - t0, BATCH);
	ff_loader_close(&l);
	ff_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_packets),
	};

	return cmocka_run_group_tests_name("fuzz", tests, NULL, NULL);
}
