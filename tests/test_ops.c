// SPDX-License-Identifier: MIT
/*
 * Operating it safely: a flood of spoofed flows into a small table
 * (evictions exported, a long-lived flow keeps its verdict), model swaps
 * under load (every verdict from exactly one model, packet counts add up),
 * and the pinned lifecycle from other processes. Needs root.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "clock.h"
#include "flowforest/first.h"
#include "loader.h"
#include "log.h"
#include "flowforest.skel.h"
#include "metrics.h"
#include "model_file.h"
#include "pkt.h"
#include "../bench/forest.h"

static void need_root(void)
{
	if (geteuid() != 0) {
		print_message("not root: skipping (BPF and namespaces need root)\n");
		skip();
	}
}

/* ---- flood ---------------------------------------------------------------- */

struct flood_ctx {
	__u64 evicted_events, other_events, long_evicted;
	struct ff_flow_key long_key;
};

static int on_flood_event(void *ctx, void *data, size_t len)
{
	struct flood_ctx *fc = ctx;
	const struct ff_event *e = data;

	if (len < sizeof(*e))
		return 0;
	if (e->type == FF_EV_EVICTED) {
		fc->evicted_events++;
		if (!memcmp(&e->key, &fc->long_key, sizeof(e->key)))
			fc->long_evicted++;
	} else {
		fc->other_events++;
	}
	return 0;
}

static void test_flood_one_million_flows(void **state)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT, .max_flows = 65536,
				  .replay_clock = true, .export_evictions = true };
	struct pkt_spec syn = { .family = 4, .proto = 6, .daddr = "10.250.0.2", .dport = 80,
				.tcp_flags = 0x02, .window = 1024 };
	struct pkt_spec keep = { .family = 4, .proto = 17, .saddr = "10.250.0.1",
				 .daddr = "10.250.0.2", .sport = 4000, .dport = 9999,
				 .payload_len = 10 };
	struct flood_ctx fc = {};
	struct ff_loader l;
	struct ff_model m;
	struct ff_counters c;
	struct ff_flow lf;
	struct ring_buffer *rb;
	__u8 buf[256], kbuf[256];
	char err[512], src[32];
	__u64 now_ns = 1000000000ULL, entries = 0, first_us;
	struct ff_flow_key k, next;
	void *prev = NULL;
	size_t klen;
	int prog, clock_fd, i, n = 1000000;
	__u32 zero = 0;
	double t0;

	(void)state;
	need_root();
	assert_int_equal(ff_model_load("lab/models/handwritten.json", &m, err, sizeof(err)), 0);
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(ff_loader_install_model(&l, &m, NULL, err, sizeof(err)), 0);
	prog = FF_PROG_FD(&l, ff_xdp);
	clock_fd = FF_MAP_FD(&l, ff_clock);
	rb = ring_buffer__new(l.maps.events, on_flood_event, &fc, NULL);
	assert_non_null(rb);

	klen = pkt_build(&keep, kbuf, sizeof(kbuf));
	/* the long-lived flow's key, written out by hand */
	memset(&fc.long_key, 0, sizeof(fc.long_key));
	fc.long_key.addr_a[0] = 10, fc.long_key.addr_a[1] = 250, fc.long_key.addr_a[3] = 1;
	fc.long_key.addr_b[0] = 10, fc.long_key.addr_b[1] = 250, fc.long_key.addr_b[3] = 2;
	fc.long_key.port_a = 4000;
	fc.long_key.port_b = 9999;
	fc.long_key.proto = 17;
	fc.long_key.family = 4;

	syn.saddr = src;
	t0 = ff_mono_s();
	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, tr, .repeat = 1);
		size_t len;

		if (i % 1000 == 0) {	/* the long-lived flow keeps sending */
			LIBBPF_OPTS(bpf_test_run_opts, kt, .data_in = kbuf, .data_size_in = klen,
				    .repeat = 1);

			bpf_map_update_elem(clock_fd, &zero, &now_ns, BPF_ANY);
			assert_int_equal(bpf_prog_test_run_opts(prog, &kt), 0);
			assert_int_equal(kt.retval, 1);	/* XDP_DROP: udp_probe */
		}
		snprintf(src, sizeof(src), "10.%u.%u.%u", 1 + (i >> 16), (i >> 8) & 255, i & 255);
		syn.sport = 1024 + i % 60000;
		len = pkt_build(&syn, buf, sizeof(buf));
		tr.data_in = buf;
		tr.data_size_in = len;
		now_ns += 1000;
		bpf_map_update_elem(clock_fd, &zero, &now_ns, BPF_ANY);
		assert_int_equal(bpf_prog_test_run_opts(prog, &tr), 0);
		if ((i & 1023) == 0)
			ring_buffer__consume(rb);
	}
	ring_buffer__consume(rb);
	assert_int_equal(ff_loader_counters(&l, &c), 0);
	while (bpf_map_get_next_key(l.maps.flows, prev, &next) == 0) {
		k = next;
		prev = &k;
		entries++;
	}
	print_message("[ flood   ] %d spoofed flows in %.1f s: created %llu, evicted and exported "
		      "%llu (events %llu), stale %llu, in table %llu, lost events %llu\n", n,
		      ff_mono_s() - t0, (unsigned long long)c.c[FF_C_FLOWS_CREATED],
		      (unsigned long long)c.c[FF_C_EVICTED], (unsigned long long)fc.evicted_events,
		      (unsigned long long)c.c[FF_C_EVICT_STALE], (unsigned long long)entries,
		      (unsigned long long)c.c[FF_C_EVENTS_LOST]);
	assert_int_equal(c.c[FF_C_FLOW_ALLOC_FAIL], 0);
	assert_int_equal(c.c[FF_C_EVENTS_LOST], 0);
	assert_int_equal(c.c[FF_C_FLOWS_CREATED], n + 1);
	assert_true(c.c[FF_C_EVICTED] >= (__u64)n + 1 - 65536);
	assert_int_equal(fc.evicted_events, c.c[FF_C_EVICTED]);
	/* no flow disappeared unseen: created = evicted (exported) + present */
	assert_int_equal(c.c[FF_C_FLOWS_CREATED], c.c[FF_C_EVICTED] + entries);
	assert_true(entries <= 65536);
	/* the long-lived flow kept its entry and its verdict */
	assert_int_equal(fc.long_evicted, 0);
	assert_int_equal(bpf_map_lookup_elem(l.maps.flows, &fc.long_key, &lf), 0);
	first_us = 1000000000ULL / 1000;
	assert_int_equal(lf.first_us, first_us);
	assert_int_equal(ff_flow_pkts(&lf), n / 1000);
	assert_int_equal(lf.cls, ff_model_class_lookup(&m, "udp_probe"));
	ring_buffer__free(rb);
	ff_loader_close(&l);
	ff_model_free(&m);
}

/*
 * The fast path for one-packet flows (flowforest/track.h, first.h): a flood
 * of spoofed one-packet flows that the model drops at their first packet
 * (UDP to port 9999: udp_probe) into a table of 4096 entries, while 300
 * established flows (UDP to port 53: benign) keep sending. Not one flood
 * packet enters the table: nothing is evicted, the established flows keep
 * their entries, every packet and their verdicts; the flood's events are a
 * few aggregates, not one per packet; identical first packets run the
 * model once per CPU.
 */
struct fast_ctx {
	__u64 classified, flood, flood_pkts, other;
};

static int on_fast_event(void *ctx, void *data, size_t len)
{
	struct fast_ctx *fc = ctx;
	const struct ff_event *e = data;

	if (len < sizeof(*e))
		return 0;
	if (e->type == FF_EV_CLASSIFIED)
		fc->classified++;
	else if (e->type == FF_EV_FLOOD)
		fc->flood++, fc->flood_pkts += e->pkts;
	else
		fc->other++;
	return 0;
}

/* The flood of `probe` packets (the model drops them at packet 1) beside
 * established flows of `est` packets (class `benign`, passed). */
static void fast_flood(const struct ff_model *m, const __u32 *actions, struct pkt_spec probe,
		       struct pkt_spec est, int benign)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT, .max_flows = 4096,
				  .replay_clock = true, .export_evictions = true };
	enum { N_EST = 300, ROUNDS = 20, PER_ROUND = 10000 };
	struct fast_ctx fc = {};
	struct ff_loader l;
	struct ff_counters c;
	struct ring_buffer *rb;
	__u8 buf[256];
	char err[512], src[32];
	__u64 now_ns = 1000000000ULL;
	int prog, clock_fd, r, i, n = 0;
	__u32 zero = 0;
	__u16 est_dport = est.dport;

	o.cfg.first_fast = 1;
	o.cfg.flood_events = 0;
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(ff_loader_install_model(&l, m, actions, err, sizeof(err)), 0);
	prog = FF_PROG_FD(&l, ff_xdp);
	clock_fd = FF_MAP_FD(&l, ff_clock);
	rb = ring_buffer__new(l.maps.events, on_fast_event, &fc, NULL);
	assert_non_null(rb);

	for (r = 0; r < ROUNDS; r++) {
		est.saddr = src;
		for (i = 0; i < N_EST; i++) {	/* every established flow sends */
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = buf, .repeat = 1);

			snprintf(src, sizeof(src), "10.252.%u.%u", i >> 8, i & 255);
			est.sport = 2000 + i;
			if (est.proto == 6)	/* a connection: SYN, then ACKs */
				est.tcp_flags = r ? 0x10 : 0x02;
			tr.data_size_in = pkt_build(&est, buf, sizeof(buf));
			now_ns += 1000;
			bpf_map_update_elem(clock_fd, &zero, &now_ns, BPF_ANY);
			assert_int_equal(bpf_prog_test_run_opts(prog, &tr), 0);
			assert_int_equal(tr.retval, XDP_PASS);
		}
		probe.saddr = src;
		for (i = 0; i < PER_ROUND; i++, n++) {	/* then the flood */
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = buf, .repeat = 1);

			snprintf(src, sizeof(src), "10.%u.%u.%u", 1 + (n >> 16), (n >> 8) & 255,
				 n & 255);
			probe.sport = 1024 + n % 60000;
			tr.data_size_in = pkt_build(&probe, buf, sizeof(buf));
			now_ns += 10000;
			bpf_map_update_elem(clock_fd, &zero, &now_ns, BPF_ANY);
			assert_int_equal(bpf_prog_test_run_opts(prog, &tr), 0);
			assert_int_equal(tr.retval, XDP_DROP);
		}
		ring_buffer__consume(rb);
	}
	assert_int_equal(ff_loader_counters(&l, &c), 0);
	print_message("[ fast    ] %d spoofed one-packet flows, %d established: created %llu, "
		      "evicted %llu, fast drops %llu, memo hits %llu, model runs %llu, events: "
		      "%llu classified, %llu flood (%llu packets)\n", n, N_EST,
		      (unsigned long long)c.c[FF_C_FLOWS_CREATED],
		      (unsigned long long)c.c[FF_C_EVICTED],
		      (unsigned long long)c.c[FF_C_FIRST_DROPS],
		      (unsigned long long)c.c[FF_C_FIRST_MEMO],
		      (unsigned long long)c.c[FF_C_CLASSIFICATIONS],
		      (unsigned long long)fc.classified, (unsigned long long)fc.flood,
		      (unsigned long long)fc.flood_pkts);
	/* the flood never entered the table */
	assert_int_equal(c.c[FF_C_FLOWS_CREATED], N_EST);
	assert_int_equal(c.c[FF_C_EVICTED], 0);
	assert_int_equal(c.c[FF_C_FIRST_DROPS], n);
	assert_int_equal(c.c[FF_C_DROPPED], n);
	assert_int_equal(c.c[FF_C_EVENTS_LOST], 0);
	/* events: each established flow's verdict, and aggregates: one per
	 * responder and second (the flood lasted 2 s of replay clock; the
	 * last second's is still open) */
	assert_int_equal(fc.classified, N_EST);
	assert_int_equal(fc.other, 0);
	assert_true(fc.flood >= 1 && fc.flood <= 2 * (__u64)libbpf_num_possible_cpus());
	assert_true(fc.flood_pkts >= 50000 && fc.flood_pkts < (__u64)n);
	/* identical first packets: the model ran for few of them (once per
	 * CPU the test runs on, and for the established flows' checkpoints) */
	assert_true(c.c[FF_C_FIRST_MEMO] + libbpf_num_possible_cpus() >= (__u64)n);
	assert_true(c.c[FF_C_CLASSIFICATIONS] < (__u64)N_EST * 8);
	/* every established flow kept its entry, its packets and its verdict */
	est.saddr = src;
	for (i = 0; i < N_EST; i++) {
		struct ff_flow_key k = { .proto = est.proto, .family = 4 };
		struct ff_flow f;

		k.addr_a[0] = 10, k.addr_a[1] = 251, k.addr_a[3] = 2;
		k.addr_b[0] = 10, k.addr_b[1] = 252, k.addr_b[2] = i >> 8, k.addr_b[3] = i & 255;
		/* canonical order: a is the smaller endpoint */
		k.port_a = est_dport, k.port_b = 2000 + i;
		assert_int_equal(bpf_map_lookup_elem(l.maps.flows, &k, &f), 0);
		assert_int_equal(ff_flow_pkts(&f), ROUNDS);
		assert_int_equal(f.cls, benign);
		assert_int_equal(f.action, FF_ACT_PASS);
	}
	ring_buffer__free(rb);
	ff_loader_close(&l);
}


static void test_flood_fast_path_keeps_established(void **state)
{
	struct pkt_spec probe = { .family = 4, .proto = 17, .daddr = "10.251.0.2",
				  .dport = 9999, .payload_len = 10 };
	struct pkt_spec est = { .family = 4, .proto = 17, .daddr = "10.251.0.2", .dport = 53,
				.payload_len = 40 };
	struct ff_model m;
	char err[512];

	(void)state;
	need_root();
	assert_int_equal(ff_model_load("lab/models/handwritten.json", &m, err, sizeof(err)), 0);
	fast_flood(&m, NULL, probe, est, ff_model_class_lookup(&m, "benign"));
	ff_model_free(&m);
}

/* A spoofed SYN flood (to port 80: livegen --flood's forest and actions),
 * which the memo drops before the flow table is looked up, beside
 * established TCP connections (to port 5001). */
static void test_syn_flood_fast_path_keeps_established(void **state)
{
	struct pkt_spec syn = { .family = 4, .proto = 6, .daddr = "10.251.0.2", .dport = 80,
				.tcp_flags = 0x02, .window = 1024 };
	struct pkt_spec est = { .family = 4, .proto = 6, .daddr = "10.251.0.2", .dport = 5001,
				.window = 4096, .payload_len = 100 };
	__u32 actions[FF_MAX_CLASSES] = { [1] = FF_ACT_DROP };
	struct ff_model m;

	(void)state;
	need_root();
	assert_int_equal(flood_forest(&m, 32, 12, 80), 0);
	fast_flood(&m, actions, syn, est, 0);
	ff_model_free(&m);
}

/* The kernel's clock for a SYN the memo drops is the coarse one (track.h,
 * ff_track_memo_drop): only the flood aggregate's interval reads it. On one
 * CPU, one test run of 2,001 identical SYNs (some 100 microseconds) to a
 * responder: the first opens its aggregate (from the model's verdict, or
 * the memo's for the next responders), the 2,000 memo drops after it leave
 * the aggregate's last drop time at its start, since the coarse clock
 * stays at the last tick's time, unless a tick falls within the run (tried
 * with up to 5 responders). With the monotonic clock every run moves it
 * on by tens of microseconds. */
static void test_memo_drop_coarse_clock(void **state)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT, .max_flows = 4096 };
	struct pkt_spec syn = { .family = 4, .proto = 6, .saddr = "11.0.0.1", .dport = 80,
				.sport = 1024, .tcp_flags = 0x02, .window = 1024 };
	__u32 actions[FF_MAX_CLASSES] = { [1] = FF_ACT_DROP };
	int ncpu = libbpf_num_possible_cpus(), prog, fd, still = 0, i, c;
	struct ff_flood_slot *v = calloc(ncpu, sizeof(*v));
	struct ff_counters cnt;
	struct ff_loader l;
	struct ff_model m;
	cpu_set_t one, prev;
	__u8 buf[256];
	char err[512], dst[32];

	(void)state;
	need_root();
	assert_non_null(v);
	assert_int_equal(flood_forest(&m, 4, 4, 80), 0);
	o.cfg.first_fast = 1;
	o.cfg.flood_events = 0;
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(ff_loader_install_model(&l, &m, actions, err, sizeof(err)), 0);
	prog = FF_PROG_FD(&l, ff_xdp);
	fd = FF_MAP_FD(&l, ff_flood);
	assert_int_equal(sched_getaffinity(0, sizeof(prev), &prev), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	for (i = 0; i < 5 && !still; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, flood, .data_in = buf, .repeat = 2001);
		__u64 t0 = 0, t1 = 0;
		__u32 slot;

		snprintf(dst, sizeof(dst), "10.251.%d.2", i);
		syn.daddr = dst;
		flood.data_size_in = pkt_build(&syn, buf, sizeof(buf));
		assert_int_equal(bpf_prog_test_run_opts(prog, &flood), 0);
		assert_int_equal(flood.retval, XDP_DROP);
		for (slot = 0; slot < FF_FLOOD_SLOTS && !t1; slot++) {
			assert_int_equal(bpf_map_lookup_elem(fd, &slot, v), 0);
			for (c = 0; c < ncpu; c++)
				if (v[c].pkts == 2001 && !memcmp(v[c].resp, &buf[14 + 16], 4))
					t0 = v[c].start_us, t1 = v[c].last_us;
		}
		print_message("[ clock   ] responder %s: first drop at %llu, last of 2,001 at "
			      "%llu\n", dst, (unsigned long long)t0, (unsigned long long)t1);
		assert_true(t0 > 0 && t1 >= t0);
		still = t1 == t0;
	}
	assert_int_equal(sched_setaffinity(0, sizeof(prev), &prev), 0);
	assert_int_equal(ff_loader_counters(&l, &cnt), 0);
	assert_true(cnt.c[FF_C_FIRST_MEMO] >= 2000);
	assert_true(still);
	ff_loader_close(&l);
	ff_model_free(&m);
	free(v);
}

/* ---- swap under load ------------------------------------------------------ */

/* Model "A" answers class 0 for everything with one single-leaf tree;
 * model "B" answers class 1 with three trees of three nodes. A walk mixing
 * A's header with B's nodes (or the reverse) would leave the node array or
 * vote for class 2, so a mixture cannot hide. */
static void make_model(struct ff_model *m, int which)
{
	__u32 t;

	memset(m, 0, sizeof(*m));
	m->n_features = 1;
	m->feature_ids[0] = FF_F_DST_PORT;
	m->n_classes = 3;
	strcpy(m->class_names[0], "a");
	strcpy(m->class_names[1], "b");
	strcpy(m->class_names[2], "mixed");
	if (which == 0) {
		m->n_trees = 1;
		m->n_nodes = 1;
		m->nodes = calloc(1, sizeof(*m->nodes));
		m->nodes[0] = (struct ff_xnode){ .feature = FF_NODE_LEAF, .left = 0, .right = 1 };
		return;
	}
	m->n_trees = 3;
	m->n_nodes = 9;
	m->nodes = calloc(9, sizeof(*m->nodes));
	for (t = 0; t < 3; t++) {
		__u32 b = 3 * t;

		m->roots[t] = b;
		m->nodes[b] = (struct ff_xnode){ .feature = FF_F_DST_PORT, .threshold = ~0ULL,
						.left = b + 1, .right = b + 2 };
		m->nodes[b + 1] = (struct ff_xnode){ .feature = FF_NODE_LEAF, .left = 1, .right = 1 };
		m->nodes[b + 2] = (struct ff_xnode){ .feature = FF_NODE_LEAF, .left = 2, .right = 1 };
	}
}

struct load_ctx {
	int prog;
	volatile int stop;
	__u64 sent;
	double seconds;
};

static void *load_thread(void *arg)
{
	struct load_ctx *lc = arg;
	__u8 frames[64][128];
	size_t lens[64];
	double t0 = ff_mono_s();
	int i;

	for (i = 0; i < 64; i++) {
		char src[32];
		struct pkt_spec s = { .family = 4, .proto = 17, .saddr = src, .daddr = "10.251.0.2",
				      .sport = 2000 + i, .dport = 53, .payload_len = 18 };

		snprintf(src, sizeof(src), "10.251.1.%d", i + 1);
		lens[i] = pkt_build(&s, frames[i], sizeof(frames[i]));
	}
	/* Long repeats: an XDP test run with repeat > 1 installs the program
	 * in the XDP dispatcher, which costs milliseconds per call. */
	for (i = 0; !lc->stop; i = (i + 1) % 64) {
		LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = frames[i], .data_size_in = lens[i],
			    .repeat = 50000);

		if (bpf_prog_test_run_opts(lc->prog, &tr))
			break;
		lc->sent += 50000;
	}
	lc->seconds = ff_mono_s() - t0;
	return NULL;
}

struct swap_ctx {
	__u32 gen_model[4096];	/* generation -> 0 (A) or 1 (B), 2 unknown */
	__u64 events, wrong;
};

static int on_swap_event(void *ctx, void *data, size_t len)
{
	struct swap_ctx *sc = ctx;
	const struct ff_event *e = data;

	if (len < sizeof(*e))
		return 0;
	sc->events++;
	if (e->model_gen >= 4096 || e->cls != sc->gen_model[e->model_gen])
		sc->wrong++;
	return 0;
}

static void test_swap_under_load(void **state)
{
	struct ff_config every = FF_CONFIG_DEFAULT;
	struct ff_load_opts o = {};
	struct load_ctx lc = {};
	struct swap_ctx *sc = calloc(1, sizeof(*sc));
	struct ff_model a, b;
	struct ff_loader l;
	struct ff_counters c;
	struct ring_buffer *rb;
	pthread_t th;
	char err[512];
	int i, swaps = 200, gen;

	(void)state;
	need_root();
	every.n_checkpoints = 1;
	every.checkpoints[0] = 1;
	every.cp_every = 1;	/* the model runs on every packet */
	o.cfg = every;
	make_model(&a, 0);
	make_model(&b, 1);
	memset(sc->gen_model, 2, sizeof(sc->gen_model));
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	gen = ff_maps_install_model(&l.maps, &a, NULL, false, err, sizeof(err));
	assert_true(gen > 0);
	sc->gen_model[gen] = 0;
	rb = ring_buffer__new(l.maps.events, on_swap_event, sc, NULL);
	assert_non_null(rb);
	/* model a's native forest, kept across the swaps (an install closes
	 * the loader's copies): from the first swap on it walks, as a hook's
	 * program does until its replacement is in place */
	lc.prog = dup(FF_PROG_FD(&l, ff_xdp));
	assert_true(lc.prog >= 0);
	assert_true(l.native.n_body > 0);
	assert_int_equal(pthread_create(&th, NULL, load_thread, &lc), 0);
	for (i = 0; i < swaps; i++) {
		const struct ff_model *m = (i & 1) ? &a : &b;

		gen = ff_maps_install_model(&l.maps, m, NULL, false, err, sizeof(err));
		if (gen <= 0 || gen >= 4096)
			fail_msg("swap %d: %s", i, err);
		sc->gen_model[gen] = (i & 1) ? 0 : 1;
		ring_buffer__consume(rb);
	}
	lc.stop = 1;
	pthread_join(th, NULL);
	ring_buffer__consume(rb);
	assert_int_equal(ff_loader_counters(&l, &c), 0);
	print_message("[ swap    ] %d swaps while %llu packets ran (%.2f Mpps in test runs); "
		      "class a %llu, b %llu, mixed %llu, walk errors %llu, retried walks %llu, "
		      "events %llu (%llu lost)\n", swaps, (unsigned long long)lc.sent,
		      lc.sent / lc.seconds / 1e6, (unsigned long long)c.class_pkts[0],
		      (unsigned long long)c.class_pkts[1], (unsigned long long)c.class_pkts[2],
		      (unsigned long long)c.c[FF_C_WALK_ERRORS],
		      (unsigned long long)c.c[FF_C_SWAP_RETRIES], (unsigned long long)sc->events,
		      (unsigned long long)c.c[FF_C_EVENTS_LOST]);
	assert_true(lc.sent > 100000);
	/* every packet counted once, classified by exactly one model */
	assert_int_equal(c.c[FF_C_PACKETS], lc.sent);
	assert_int_equal(c.class_pkts[0] + c.class_pkts[1], lc.sent);
	assert_int_equal(c.class_pkts[2], 0);
	assert_int_equal(c.unclassified_pkts, 0);
	assert_int_equal(c.c[FF_C_WALK_ERRORS], 0);
	assert_true(c.class_pkts[0] > 0 && c.class_pkts[1] > 0);
	assert_true(sc->events > 0);
	assert_int_equal(sc->wrong, 0);
	ring_buffer__free(rb);
	close(lc.prog);
	ff_loader_close(&l);
	ff_model_free(&a);
	ff_model_free(&b);
	free(sc);
}

/* ---- pinned lifecycle ----------------------------------------------------- */

static char ns[32], dev[16];

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int lab_up(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(ns, sizeof(ns), "ffops%d", getpid() % 100000);
	snprintf(dev, sizeof(dev), "ffo%d", getpid() % 100000);
	sh("ip netns add %s && ip -n %s link add %s type veth peer name %sp && "
	   "ip -n %s link set %s up && ip -n %s link set %sp up", ns, ns, dev, dev, ns, dev, ns, dev);
	return 0;
}

static int lab_down(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	sh("nsenter --net=/run/netns/%s ./flowforest stop -i %s >/dev/null 2>&1", ns, dev);
	sh("ip netns del %s 2>/dev/null; ip netns del %sb 2>/dev/null", ns, ns);
	return 0;
}

static void test_pinned_lifecycle(void **state)
{
	char pin[256];
	struct stat st;

	(void)state;
	need_root();
	if (access("./flowforest", X_OK))
		skip();
	snprintf(pin, sizeof(pin), "%s/%s", FF_PIN_ROOT, dev);
	/* nsenter, not `ip netns exec`: that one remounts /sys without the
	 * BPF filesystem */
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest run -i %s "
			    "-m lab/models/handwritten.json --pin --duration 0.5 -q 2>/dev/null",
			    ns, dev), 0);
	/* the agent is gone, the classifier stays */
	assert_int_equal(sh("ip -n %s link show %s | grep -q 'prog/xdp'", ns, dev), 0);
	assert_int_equal(stat(pin, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	{
		char f[300];

		snprintf(f, sizeof(f), "%s/ff_flows", pin);
		assert_int_equal(stat(f, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	/* other processes see it */
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest stats -i %s --json | "
			    "grep -q '\"packets\"'", ns, dev), 0);
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest model load -i %s "
			    "lab/models/handwritten.json | grep -q 'generation 2'", ns, dev), 0);
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest deny add -i %s 192.0.2.0/24 && "
			    "nsenter --net=/run/netns/%s ./flowforest deny list -i %s | grep -q 192.0.2.0/24",
			    ns, dev, ns, dev), 0);
	assert_int_not_equal(sh("nsenter --net=/run/netns/%s ./flowforest deny add -i %s 300.1.2.3/8 "
				"2>/dev/null", ns, dev), 0);
	/* a second instance is refused with a clear message */
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest run -i %s "
			    "-m lab/models/handwritten.json --pin 2>&1 | grep -q 'already running'",
			    ns, dev), 0);
	/* the agent can come back and follow it */
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest run -i %s --pin "
			    "--duration 0.3 -q 2>&1 | grep -q following", ns, dev), 0);
	/* stop removes everything */
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest stop -i %s >/dev/null",
			    ns, dev), 0);
	assert_int_not_equal(sh("ip -n %s link show %s | grep -q 'prog/xdp'", ns, dev), 0);
	assert_int_not_equal(stat(pin, &st), 0);
	assert_int_not_equal(sh("nsenter --net=/run/netns/%s ./flowforest stats -i %s 2>/dev/null",
				ns, dev), 0);
}

/* kill -9 of a pinned agent: the classifier stays; of an unpinned one:
 * nothing stays (XDP link). */
static void test_kill9_pinned_survives(void **state)
{
	(void)state;
	need_root();
	if (access("./flowforest", X_OK))
		skip();
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest run -i %s "
			    "-m lab/models/handwritten.json --pin -q >/dev/null 2>&1 & pid=$!; "
			    "for i in $(seq 50); do ip -n %s link show %s | grep -q prog/xdp && break; "
			    "sleep 0.1; done; sleep 0.2; kill -9 $pid; wait $pid 2>/dev/null; sleep 0.3; "
			    "ip -n %s link show %s | grep -q prog/xdp", ns, dev, ns, dev, ns, dev), 0);
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest stop -i %s >/dev/null",
			    ns, dev), 0);
	assert_int_not_equal(sh("ip -n %s link show %s | grep -q 'prog/xdp'", ns, dev), 0);
}

/* ---- metrics ---------------------------------------------------------------- */

static int tcp_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { .tv_sec = 30 };	/* a hung server fails the test, not CI */
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* One whole scrape: request, then everything until the server closes. */
static void scrape(int port, char *buf, size_t len)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
	int fd = tcp_connect(port);
	size_t got = 0;
	ssize_t r;

	assert_true(send(fd, req, sizeof(req) - 1, 0) == (ssize_t)sizeof(req) - 1);
	while (got < len - 1 && (r = recv(fd, buf + got, len - 1 - got, 0)) > 0)
		got += r;
	buf[got] = 0;
	close(fd);
}

/* A model whose class names are the handwritten model's with `suffix`, or
 * whose first class is named `first`. */
static void write_model(const char *path, const char *suffix, const char *first)
{
	json_object *root = json_object_from_file("lab/models/handwritten.json"), *cls;
	size_t i;

	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "classes", &cls));
	for (i = 0; i < json_object_array_length(cls); i++) {
		json_object *c = json_object_array_get_idx(cls, i), *n;
		char name[256];

		assert_true(json_object_object_get_ex(c, "name", &n));
		snprintf(name, sizeof(name), "%s%s", i == 0 && first ? first : json_object_get_string(n),
			 suffix ? suffix : "");
		json_object_object_add(c, "name", json_object_new_string(name));
	}
	assert_int_equal(json_object_to_file(path, root), 0);
	json_object_put(root);
}

/* --metrics: a scrape gets Prometheus text with the counters; class names
 * come from the active model, escaped. */
static void test_metrics_endpoint(void **state)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT };
	struct ff_metrics *mt;
	struct ff_loader l;
	struct ff_model m, q;
	char err[512], buf[65536], where[64], path[] = "/tmp/ff-quote-XXXXXX";
	int port = 20000 + getpid() % 20000, tmp;

	(void)state;
	need_root();
	assert_int_equal(ff_model_load("lab/models/handwritten.json", &m, err, sizeof(err)), 0);
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(ff_loader_install_model(&l, &m, NULL, err, sizeof(err)), 0);
	assert_null(ff_metrics_start("localhost:1", &l.maps, "x", err, sizeof(err)));
	assert_non_null(strstr(err, "not an IP address"));
	snprintf(where, sizeof(where), "127.0.0.1:%d", port);
	mt = ff_metrics_start(where, &l.maps, "lo", err, sizeof(err));
	if (!mt)
		fail_msg("%s", err);
	scrape(port, buf, sizeof(buf));
	assert_non_null(strstr(buf, "HTTP/1.0 200 OK"));
	assert_non_null(strstr(buf, "flowforest_packets_total{iface=\"lo\"} 0"));
	assert_non_null(strstr(buf, "flowforest_class_packets_total{iface=\"lo\",class=\"udp_probe\"} 0"));

	/* A quote and a brace (no control character: the parser allows it)
	 * stay inside the label value. */
	tmp = mkstemp(path);
	assert_true(tmp >= 0);
	close(tmp);
	write_model(path, NULL, "q\"} 7 \\");
	assert_int_equal(ff_model_load(path, &q, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(ff_loader_install_model(&l, &q, NULL, err, sizeof(err)), 0);
	scrape(port, buf, sizeof(buf));
	assert_non_null(strstr(buf, "{iface=\"lo\",class=\"q\\\"} 7 \\\\\"} 0\n"));
	ff_metrics_stop(mt);
	ff_loader_close(&l);
	ff_model_free(&m);
	ff_model_free(&q);
}

/* One client connects and sends nothing: another scrape is answered while
 * the idle one is still waiting (the server used to wait on the idle
 * client, then answer it, and only then the next). */
static void test_metrics_idle_client(void **state)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT };
	struct ff_metrics *mt;
	struct ff_loader l;
	char err[512], buf[65536], where[64];
	int port = 20000 + (getpid() + 1) % 20000, idle[3], i;

	(void)state;
	need_root();
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(where, sizeof(where), "127.0.0.1:%d", port);
	mt = ff_metrics_start(where, &l.maps, "lo", err, sizeof(err));
	if (!mt)
		fail_msg("%s", err);
	for (i = 0; i < 3; i++)
		idle[i] = tcp_connect(port);
	for (i = 0; i < 3; i++) {
		scrape(port, buf, sizeof(buf));
		assert_non_null(strstr(buf, "HTTP/1.0 200 OK"));
		/* no model yet: classes are numbered */
		assert_non_null(strstr(buf, "class=\"(none)\"} 0"));
	}
	for (i = 0; i < 3; i++) {
		/* still connected, still unanswered */
		assert_int_equal(recv(idle[i], buf, sizeof(buf), MSG_DONTWAIT), -1);
		assert_int_equal(errno, EAGAIN);
		close(idle[i]);
	}
	ff_metrics_stop(mt);
	ff_loader_close(&l);
}

/* Label values escaped per the exposition format; a class name with a
 * line break is refused where the model file is read. */
static void test_prom_label_injection(void **state)
{
	const char *evil = "x\"} 1\nflowforest_packets_total{iface=\"eth0\"} 999\\";
	char out[256], small[8], path[] = "/tmp/ff-evil-XXXXXX", err[512];
	struct ff_model m;
	int fd;

	(void)state;
	assert_int_equal(ff_prom_escape(evil, out, sizeof(out)), 0);
	assert_string_equal(out, "x\\\"} 1\\nflowforest_packets_total{iface=\\\"eth0\\\"} 999\\\\");
	assert_null(strchr(out, '\n'));
	assert_int_equal(ff_prom_escape("a\"b", small, 4), -1);	/* a\"b needs 5 */
	assert_int_equal(ff_prom_escape("a\"b", small, 5), 0);
	assert_string_equal(small, "a\\\"b");

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_model(path, NULL, evil);
	assert_int_equal(ff_model_load(path, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "control character"));
	write_model(path, NULL, "tab\there");
	assert_int_equal(ff_model_load(path, &m, err, sizeof(err)), -1);
	unlink(path);
}

/* ---- control plane: concurrent writers, eviction bookkeeping -------------- */

static __u32 ctl_count(const struct ff_loader *l, bool deny)
{
	struct ff_ctl ctl;
	__u32 zero = 0;

	assert_int_equal(bpf_map_lookup_elem(l->maps.ctl, &zero, &ctl), 0);
	return deny ? ctl.n_deny : ctl.n_allow;
}

static int list_entries(const struct ff_loader *l, bool deny)
{
	struct ff_lpm_key k, next;
	int fd = deny ? l->maps.deny : l->maps.allow, n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

/* The allow (deny) list's cover count of IPv4 /16 a.b (ctl.h). */
static unsigned cover_count(const struct ff_loader *l, bool deny, int a, int b)
{
	struct ff_list_cover *c = malloc(sizeof(*c));
	__u32 zero = 0;
	unsigned n;

	assert_non_null(c);
	assert_int_equal(bpf_map_lookup_elem(l->maps.cover, &zero, c), 0);
	n = c->n[deny][0][a << 8 | b];
	free(c);
	return n;
}

/* In a child: add or delete 10.<net>.x.y/32 for i in [0, n); exit 0 when
 * every call behaved (a delete of what is gone may fail). */
static void list_child(struct ff_loader *l, int net, int n, bool add, bool deny)
{
	char cidr[32], err[256];
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		snprintf(cidr, sizeof(cidr), "10.%d.%d.%d/32", net, i >> 8, i & 255);
		if (ff_maps_list_update(&l->maps, deny, cidr, add, err, sizeof(err)) && add)
			bad++;
	}
	_exit(bad ? 1 : 0);
}

static void wait_children(pid_t *pids, int n)
{
	int i, st;

	for (i = 0; i < n; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
}

/*
 * issue 10 item 10: two processes add 2,000 prefixes each, and 1,000 the
 * same ones: the count is exact (it drifted to 3,298 for 4,000 when each
 * rewrote the whole ff_ctl). Deleting everything from both brings it to 0;
 * a model swap with --reclassify at the same time changes none of it.
 */
static void test_lists_concurrent_writers(void **state)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT };
	struct ff_loader l;
	struct ff_model m;
	char err[512];
	pid_t pids[3];
	int i;

	(void)state;
	need_root();
	assert_int_equal(ff_model_load("lab/models/handwritten.json", &m, err, sizeof(err)), 0);
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char cidr[32], e[256];
			int j;

			/* a shared block first, then each its own */
			for (j = 0; j < 1000; j++) {
				snprintf(cidr, sizeof(cidr), "10.3.%d.%d/32", j >> 8, j & 255);
				if (ff_maps_list_update(&l.maps, false, cidr, true, e, sizeof(e)))
					_exit(1);
			}
			list_child(&l, 1 + i, 2000, true, false);
		}
	}
	pids[2] = fork();
	assert_true(pids[2] >= 0);
	if (pids[2] == 0) {	/* model swaps that ask for reclassification */
		for (i = 0; i < 50; i++)
			if (ff_maps_install_model(&l.maps, &m, NULL, true, err, sizeof(err)) < 0)
				_exit(1);
		_exit(0);
	}
	wait_children(pids, 3);
	assert_int_equal(list_entries(&l, false), 5000);
	assert_int_equal(ctl_count(&l, false), 5000);
	assert_int_equal(ctl_count(&l, true), 0);
	/* and so is each /16's cover */
	assert_int_equal(cover_count(&l, false, 10, 1), 2000);
	assert_int_equal(cover_count(&l, false, 10, 2), 2000);
	assert_int_equal(cover_count(&l, false, 10, 3), 1000);
	assert_int_equal(cover_count(&l, true, 10, 3), 0);

	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			char cidr[32], e[256];
			int j;

			for (j = 0; j < 1000; j++) {	/* both delete the shared block */
				snprintf(cidr, sizeof(cidr), "10.3.%d.%d/32", j >> 8, j & 255);
				ff_maps_list_update(&l.maps, false, cidr, false, e, sizeof(e));
			}
			list_child(&l, 1 + i, i ? 2000 : 1999, false, false);
		}
	}
	wait_children(pids, 2);
	/* one prefix left: the count says so, and the kernel does not skip it */
	assert_int_equal(list_entries(&l, false), 1);
	assert_int_equal(ctl_count(&l, false), 1);
	assert_int_equal(cover_count(&l, false, 10, 1), 1);
	assert_int_equal(cover_count(&l, false, 10, 2) + cover_count(&l, false, 10, 3), 0);
	assert_int_equal(ff_maps_list_update(&l.maps, false, "10.1.7.207/32", false, err,
					     sizeof(err)), 0);
	assert_int_equal(ctl_count(&l, false), 0);
	assert_int_equal(cover_count(&l, false, 10, 1), 0);
	/* removing what is not there fails and changes nothing */
	assert_int_equal(ff_maps_list_update(&l.maps, false, "10.1.7.207/32", false, err,
					     sizeof(err)), -1);
	assert_int_equal(ctl_count(&l, false), 0);
	ff_loader_close(&l);
	ff_model_free(&m);
}

/* ff_xdp's verdict on one UDP packet from `src` to `dst`. */
static __u32 list_verdict(const struct ff_loader *l, const char *src, const char *dst)
{
	struct pkt_spec s = { .family = strchr(src, ':') ? 6 : 4, .proto = 17, .saddr = src,
			      .daddr = dst, .sport = 1000, .dport = 53 };
	LIBBPF_OPTS(bpf_test_run_opts, tr, .repeat = 1);
	__u8 buf[128];

	tr.data_in = buf;
	tr.data_size_in = pkt_build(&s, buf, sizeof(buf));
	assert_int_equal(bpf_prog_test_run_opts(FF_SKEL_PROG_FD(l, ff_xdp), &tr), 0);
	return tr.retval;
}

/*
 * The lists' cover (ctl.h): the kernel looks an address up only when a
 * prefix of the list touches its /16; prefixes shorter than /16 touch
 * many. Everything denied (0.0.0.0/0, ::/0) but what the allow list holds:
 * a /11, a /24 and, for IPv6, an /8 and a /32; each address passes
 * exactly when a prefix holds it, before and after removals.
 */
static void test_lists_cover_decides(void **state)
{
	static const char *const allow[] = { "10.128.0.0/11", "192.0.2.0/24", "fd00::/8",
					     "2001:db8::/32" };
	static const struct {
		const char *src, *dst;
		int allowed;	/* bit i: while allow[i] is listed */
	} pk[] = {
		{ "10.130.1.1", "10.199.0.2", 1 }, { "11.0.0.1", "10.159.255.255", 1 },
		{ "10.160.0.1", "10.199.0.2", 0 }, { "10.127.255.255", "9.9.9.9", 0 },
		{ "192.0.2.77", "10.199.0.2", 2 }, { "192.0.3.1", "10.199.0.2", 0 },
		{ "fd12:3456::1", "2001:db9::1", 4 }, { "fe80::1", "fdff:ffff::2", 4 },
		{ "fc00::1", "2001:db9::1", 0 }, { "2001:db8:7::1", "fe80::2", 8 },
		{ "2001:db9::1", "fe80::2", 0 },
	};
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT };
	struct ff_loader l;
	char err[512];
	unsigned i, listed = 0xf, k;

	(void)state;
	need_root();
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(ff_maps_list_update(&l.maps, true, "0.0.0.0/0", true, err, sizeof(err)), 0);
	assert_int_equal(ff_maps_list_update(&l.maps, true, "::/0", true, err, sizeof(err)), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(ff_maps_list_update(&l.maps, false, allow[i], true, err,
						     sizeof(err)), 0);
	assert_int_equal(cover_count(&l, true, 0, 0) + cover_count(&l, true, 255, 255), 2);
	assert_int_equal(cover_count(&l, false, 10, 128) + cover_count(&l, false, 10, 159), 2);
	assert_int_equal(cover_count(&l, false, 10, 127) + cover_count(&l, false, 10, 160), 0);
	for (k = 0; k <= 4; k++) {
		for (i = 0; i < sizeof(pk) / sizeof(pk[0]); i++) {
			__u32 want = (pk[i].allowed & listed) ? XDP_PASS : XDP_DROP;

			if (list_verdict(&l, pk[i].src, pk[i].dst) != want)
				fail_msg("%s -> %s: %s with allow list 0x%x", pk[i].src, pk[i].dst,
					 want == XDP_PASS ? "dropped" : "passed", listed);
		}
		if (k < 4) {	/* take one prefix out */
			assert_int_equal(ff_maps_list_update(&l.maps, false, allow[k], false, err,
							     sizeof(err)), 0);
			listed &= ~(1U << k);
		}
	}
	assert_int_equal(cover_count(&l, false, 10, 130), 0);
	ff_loader_close(&l);
}

/* Run one UDP packet from 10.<a>.<b>.<c> through ff_xdp at `now_ns`. */
static void flood_one(struct ff_loader *l, int i, __u64 now_ns)
{
	struct pkt_spec s = { .family = 4, .proto = 17, .daddr = "10.250.0.2", .dport = 53,
			      .sport = 1000 };
	LIBBPF_OPTS(bpf_test_run_opts, tr, .repeat = 1);
	char src[32];
	__u8 buf[128];
	__u32 zero = 0;

	snprintf(src, sizeof(src), "10.%d.%d.%d", 1 + (i >> 16), (i >> 8) & 255, i & 255);
	s.saddr = src;
	tr.data_in = buf;
	tr.data_size_in = pkt_build(&s, buf, sizeof(buf));
	assert_int_equal(bpf_map_update_elem(FF_MAP_FD(l, ff_clock), &zero, &now_ns, BPF_ANY), 0);
	assert_int_equal(bpf_prog_test_run_opts(FF_SKEL_PROG_FD(l, ff_xdp), &tr), 0);
}

/*
 * issue 10 item 9: flows that leave the table unseen (here: deleted, as
 * the LRU map would) leave stale queue entries. Popping one takes the flow
 * out of the live count; before, the count only grew, and eviction started
 * early, for good.
 */
static void test_evict_stale_pops_keep_live(void **state)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT, .max_flows = 4096,
				  .replay_clock = true, .export_evictions = true };
	struct ff_fifo_state st;
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_loader l;
	char err[512];
	__u32 at, zero = 0;
	__u64 now = 1000000000ULL;
	int i, n = 0;

	(void)state;
	need_root();
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(ff_evict_at(libbpf_num_possible_cpus(), o.max_flows, &at), 0);
	for (i = 0; i < (int)at; i++)
		flood_one(&l, n++, now += 1000);
	while (!bpf_map_get_next_key(l.maps.flows, NULL, &k))	/* gone unseen */
		assert_int_equal(bpf_map_delete_elem(l.maps.flows, &k), 0);
	for (i = 0; i < (int)at / 2; i++)
		flood_one(&l, n++, now += 1000);
	assert_int_equal(ff_loader_counters(&l, &c), 0);
	assert_int_equal(bpf_map_lookup_elem(FF_MAP_FD(&l, ff_fifo_state), &zero, &st), 0);
	print_message("[ stale   ] evict at %u: live %lld, evicted %llu, stale pops %llu\n", at,
		      (long long)st.live, (unsigned long long)c.c[FF_C_EVICTED],
		      (unsigned long long)c.c[FF_C_EVICT_STALE]);
	assert_int_equal(c.c[FF_C_EVICTED], 0);	/* the table is half empty */
	assert_true(c.c[FF_C_EVICT_STALE] > 0);
	/* every stale entry popped so far left the count; the others wait */
	assert_int_equal(st.live, (__s64)(at / 2 + at) - (__s64)c.c[FF_C_EVICT_STALE]);
	assert_int_equal(st.head - st.tail, (__u64)st.live);
	ff_loader_close(&l);
}

struct flood_thread {
	struct ff_loader *l;
	int cpu, base, n;
};

static void *flood_thread_run(void *arg)
{
	struct flood_thread *ft = arg;
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	CPU_SET(ft->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (i = 0; i < ft->n; i++)
		flood_one(ft->l, ft->base + i, 1000000000ULL + 1000ULL * i);
	return NULL;
}

/*
 * issue 10 item 9: two CPUs creating flows into a full table at once take
 * entries from the eviction queue concurrently. A slot is taken by one
 * CPU only (compare-and-swap on tail), never past head, and the books
 * balance: head - tail = live, every eviction has its event.
 */
static void test_evict_two_cpus(void **state)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT, .max_flows = 4096,
				  .replay_clock = true, .export_evictions = true };
	struct flood_thread ft[2];
	struct flood_ctx fc = {};
	struct ff_fifo_state st;
	struct ff_counters c;
	struct ff_flow_key k, next;
	struct ring_buffer *rb;
	struct ff_loader l;
	pthread_t th[2];
	char err[512];
	void *prev = NULL;
	__u64 entries = 0;
	__u32 zero = 0;
	int i;

	(void)state;
	need_root();
	if (libbpf_num_possible_cpus() < 2 || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		print_message("one CPU: nothing runs concurrently\n");
		skip();
	}
	if (ff_loader_open(&l, &o, err, sizeof(err)))
		fail_msg("%s", err);
	rb = ring_buffer__new(l.maps.events, on_flood_event, &fc, NULL);
	assert_non_null(rb);
	for (i = 0; i < 2; i++) {
		ft[i] = (struct flood_thread){ &l, i, i * 100000, 60000 };
		assert_int_equal(pthread_create(&th[i], NULL, flood_thread_run, &ft[i]), 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	ring_buffer__consume(rb);
	while (bpf_map_get_next_key(l.maps.flows, prev, &next) == 0) {
		k = next;
		prev = &k;
		entries++;
	}
	assert_int_equal(ff_loader_counters(&l, &c), 0);
	assert_int_equal(bpf_map_lookup_elem(FF_MAP_FD(&l, ff_fifo_state), &zero, &st), 0);
	print_message("[ 2 cpus  ] created %llu, evicted %llu (events %llu), stale %llu, in table "
		      "%llu, live %lld, queue %llu\n", (unsigned long long)c.c[FF_C_FLOWS_CREATED],
		      (unsigned long long)c.c[FF_C_EVICTED], (unsigned long long)fc.evicted_events,
		      (unsigned long long)c.c[FF_C_EVICT_STALE], (unsigned long long)entries,
		      (long long)st.live, (unsigned long long)(st.head - st.tail));
	assert_true(st.tail <= st.head);
	assert_int_equal(st.head - st.tail, (__u64)st.live);
	assert_int_equal(fc.evicted_events + c.c[FF_C_EVENTS_LOST], c.c[FF_C_EVICTED]);
	assert_true(c.c[FF_C_EVICTED] > 0);
	/* every flow is in the table, was evicted and exported, or left
	 * unseen and was found stale */
	assert_true((__u64)st.live >= entries);
	assert_int_equal(c.c[FF_C_FLOWS_CREATED], c.c[FF_C_EVICTED] + entries);
	ring_buffer__free(rb);
	ff_loader_close(&l);
}

/* ---- eviction reserve ---------------------------------------------------- */

/* From 1 to 512 possible CPUs and 1 k to 16 M flows: a start is never
 * refused, the reserve is never more than 1/8 of the table, it keeps the
 * per-CPU slack whenever that cap allows, and 1/64 of large tables. */
static void test_evict_reserve_grid(void **state)
{
	static const __u32 flows[] = { 1000, 1024, 1500, 4096, 10000, 65536, 100000, 262144,
				       1000000, 1u << 20, 10000000, 1u << 24 };
	__u32 c, at, r, prev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		__u32 f = flows[i];

		prev = 0;
		for (c = 1; c <= 512; c++) {
			__u64 slack = (__u64)c * FF_EVICT_SLACK_PER_CPU;

			r = ff_evict_reserve(c, f);
			if (ff_evict_at(c, f, &at))
				fail_msg("%u CPUs, %u flows: refused", c, f);
			assert_int_equal(at + r, f);
			assert_true(r >= 1);
			assert_true(r <= f / 8);
			assert_true(r >= f / 64);
			assert_true(r >= (slack < f / 8 ? slack : f / 8));
			assert_true(r >= prev);	/* more CPUs never less room */
			prev = r;
		}
	}
	assert_int_equal(ff_evict_at(4, FF_MIN_FLOWS - 1, &at), -1);
	assert_int_equal(ff_evict_at(512, FF_MIN_FLOWS, &at), 0);
	/* 64 CPUs, the default table: 1/8, where it was 28 % */
	assert_int_equal(ff_evict_reserve(64, 65536), 8192);
}

/* ---- libbpf's messages ---------------------------------------------------- */

/* A map the kernel refuses: libbpf's warning reaches stderr by default
 * (it used to be hidden unless an undocumented variable was set); its debug
 * output does not. */
static void test_libbpf_warning_shown(void **state)
{
	(void)state;
	need_root();
	if (access("./flowforest", X_OK))
		skip();
	assert_int_equal(sh("./flowforest run -i lo -m lab/models/handwritten.json --flows 4000000000 "
			    "--duration 0.1 2>&1 >/dev/null | grep -q \"^libbpf: map 'ff_.*failed to create\""),
			 0);
	assert_int_not_equal(sh("./flowforest run -i lo -m lab/models/handwritten.json "
				"--flows 4000000000 --duration 0.1 2>&1 >/dev/null | grep -q '^libbpf: elf:'"),
			     0);
}

/* ff_log_set_verbose(1) (what -v sets) lets libbpf's debug output through. */
static void test_libbpf_debug_verbose(void **state)
{
	char path[] = "/tmp/ff-log-XXXXXX", *text;
	struct flowforest_bpf *skel;
	int fd = mkstemp(path), saved = dup(2);
	FILE *f;
	long n;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	ff_log_init();
	ff_log_set_verbose(1);
	fflush(stderr);
	dup2(fd, 2);
	skel = flowforest_bpf__open();	/* parsing the object: debug lines */
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ff_log_set_verbose(0);
	assert_non_null(skel);
	flowforest_bpf__destroy(skel);
	f = fdopen(fd, "r");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, n + 1);
	assert_int_equal(fread(text, 1, n, f), n);
	fclose(f);
	unlink(path);
	assert_non_null(strstr(text, "libbpf: "));
	free(text);
}

/* The JSON line of `file` whose dport is `port`, or NULL. */
static json_object *line_with_dport(const char *file, int port)
{
	char line[4096];
	FILE *f = fopen(file, "r");
	json_object *found = NULL;

	while (f && !found && fgets(line, sizeof(line), f)) {
		json_object *o = json_tokener_parse(line), *v;

		if (o && json_object_object_get_ex(o, "dport", &v) && json_object_get_int(v) == port)
			found = o;
		else if (o)
			json_object_put(o);
	}
	if (f)
		fclose(f);
	return found;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

/* A running agent, a model swapped in from another process with other
 * class names: events, flows and metrics name each verdict from the class
 * list of the generation that decided it (the agent used to keep the names
 * it started with, and `flows` named every flow after the active model). */
/* `flowforest stats --json` on the test's device into `st`: the native
 * forest attached as `attached` says; the active generation. */
static int native_at_link(const char *st, bool attached)
{
	json_object *o, *n, *v;
	int gen = -1;

	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest stats -i %s --json >%s",
			    ns, dev, st), 0);
	o = json_object_from_file(st);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "native_forest", &n));
	assert_true(json_object_object_get_ex(n, "attached", &v));
	assert_int_equal(json_object_get_boolean(v), attached);
	if (json_object_object_get_ex(n, "generation", &v))
		gen = json_object_get_int(v);
	json_object_put(o);
	if (!attached) {
		struct ff_maps mp;
		struct ff_model_meta meta;

		assert_int_equal(ff_pinned_open(dev, &mp, NULL, 0), 0);
		assert_int_equal(ff_maps_active_meta(&mp, &meta), 0);
		ff_maps_close(&mp);
		gen = (int)meta.generation;
	}
	return gen;
}

static void test_live_swap_class_names(void **state)
{
	char dir[] = "/tmp/ff-swap-XXXXXX", ev[300], fl[300], mb[300], me[300], st[300];
	int port = 20000 + (getpid() + 2) % 20000;
	json_object *o;
	char *text;

	(void)state;
	need_root();
	if (access("./flowforest", X_OK))
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(ev, sizeof(ev), "%s/events", dir);
	snprintf(fl, sizeof(fl), "%s/flows", dir);
	snprintf(mb, sizeof(mb), "%s/b.json", dir);
	snprintf(me, sizeof(me), "%s/metrics", dir);
	snprintf(st, sizeof(st), "%s/stats", dir);
	write_model(mb, "_v2", NULL);
	/* the sender in a second namespace, across the veth pair */
	assert_int_equal(sh("ip netns add %sb && ip -n %s link set %sp netns %sb && "
			    "ip -n %sb link set %sp up && ip -n %sb addr add 10.231.0.2/24 dev %sp && "
			    "ip -n %s addr add 10.231.0.1/24 dev %s && ip -n %s link set lo up",
			    ns, ns, dev, ns, ns, dev, ns, dev, ns, dev, ns), 0);
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest run -i %s "
			    "-m lab/models/handwritten.json --pin -q -M 127.0.0.1:%d >%s 2>%s/err & "
			    "echo $! >%s/pid; for i in $(seq 100); do "
			    "[ -e /sys/fs/bpf/flowforest/%s/ff_meta ] && exit 0; sleep 0.1; done; exit 1",
			    ns, dev, port, ev, dir, dir, dev), 0);
	sleep(1);	/* past the pins: the agent opens its ring buffer, then listens */
	/* a verdict of generation 1 */
	assert_int_equal(sh("nsenter --net=/run/netns/%sb bash -c 'echo a >/dev/udp/10.231.0.1/5001'; "
			    "for i in $(seq 100); do grep -q '\"dport\":5001' %s && exit 0; sleep 0.1; done; "
			    "exit 1", ns, ev), 0);
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest model load -i %s %s "
			    ">/dev/null", ns, dev, mb), 0);
	/* a verdict of generation 2 */
	assert_int_equal(sh("nsenter --net=/run/netns/%sb bash -c 'echo b >/dev/udp/10.231.0.1/5002'; "
			    "for i in $(seq 100); do grep -q '\"dport\":5002' %s && exit 0; sleep 0.1; done; "
			    "exit 1", ns, ev), 0);
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest flows -i %s --json >%s",
			    ns, dev, fl), 0);
	/* the model load from this other process put generation 2's native
	 * forest at the pinned link (the verdict above is its), and
	 * --no-native-forest the walk */
	assert_int_equal(native_at_link(st, 1), 2);
	assert_int_equal(sh("nsenter --net=/run/netns/%s ./flowforest model load -i %s "
			    "--no-native-forest %s >/dev/null 2>&1", ns, dev, mb), 0);
	assert_int_equal(native_at_link(st, 0), 3);
	assert_int_equal(sh("nsenter --net=/run/netns/%s bash -c 'exec 3<>/dev/tcp/127.0.0.1/%d; "
			    "printf \"GET /metrics HTTP/1.0\\r\\n\\r\\n\" >&3; cat <&3' >%s",
			    ns, port, me), 0);
	sh("kill $(cat %s/pid); sleep 0.5", dir);

	o = line_with_dport(ev, 5001);		/* events */
	assert_non_null(o);
	assert_string_equal(jstr(o, "model_gen"), "1");
	assert_false(ends_with(jstr(o, "class"), "_v2"));
	json_object_put(o);
	o = line_with_dport(ev, 5002);
	assert_non_null(o);
	assert_string_equal(jstr(o, "model_gen"), "2");
	if (!ends_with(jstr(o, "class"), "_v2"))
		fail_msg("event of generation 2 named \"%s\"", jstr(o, "class"));
	json_object_put(o);
	o = line_with_dport(fl, 5001);		/* flows */
	assert_non_null(o);
	assert_false(ends_with(jstr(o, "class"), "_v2"));
	json_object_put(o);
	o = line_with_dport(fl, 5002);
	assert_non_null(o);
	assert_true(ends_with(jstr(o, "class"), "_v2"));
	json_object_put(o);
	text = NULL;
	{					/* metrics: the active model's names */
		FILE *f = fopen(me, "r");
		size_t n = 0;

		assert_non_null(f);
		assert_true(getdelim(&text, &n, 0, f) > 0);
		fclose(f);
	}
	assert_non_null(strstr(text, "class=\"benign_v2\""));
	assert_null(strstr(text, "class=\"benign\""));
	free(text);
	sh("rm -rf %s", dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evict_reserve_grid),
		cmocka_unit_test(test_libbpf_warning_shown),
		cmocka_unit_test(test_libbpf_debug_verbose),
		cmocka_unit_test(test_flood_one_million_flows),
		cmocka_unit_test(test_flood_fast_path_keeps_established),
		cmocka_unit_test(test_syn_flood_fast_path_keeps_established),
		cmocka_unit_test(test_memo_drop_coarse_clock),
		cmocka_unit_test(test_lists_concurrent_writers),
		cmocka_unit_test(test_lists_cover_decides),
		cmocka_unit_test(test_evict_stale_pops_keep_live),
		cmocka_unit_test(test_evict_two_cpus),
		cmocka_unit_test(test_swap_under_load),
		cmocka_unit_test(test_metrics_endpoint),
		cmocka_unit_test(test_metrics_idle_client),
		cmocka_unit_test(test_prom_label_injection),
		cmocka_unit_test_setup_teardown(test_pinned_lifecycle, lab_up, lab_down),
		cmocka_unit_test_setup_teardown(test_kill9_pinned_survives, lab_up, lab_down),
		cmocka_unit_test_setup_teardown(test_live_swap_class_names, lab_up, lab_down),
	};

	if (getenv("FF_TEST_FILTER"))	/* one test: FF_TEST_FILTER=NAME */
		cmocka_set_test_filter(getenv("FF_TEST_FILTER"));
	return cmocka_run_group_tests_name("ops", tests, NULL, NULL);
}
