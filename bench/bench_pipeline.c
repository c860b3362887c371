// SPDX-License-Identifier: MIT
/*
 * Per-packet cost of the pipeline with BPF_PROG_TEST_RUN, against programs
 * that only pass; the model's cost as it grows (trees x depth: ns/packet,
 * load time, verified instructions); a realistic mix of flows, also through
 * the user-space twin's code; the flow table from 64k to 4M entries (load
 * time, memory, ns/packet with the table half full); memory of the maps.
 *
 *   bench_pipeline [--json FILE] [--repeat N] [--runs N] [--quick] [--shape TxD] [--only SECTION]
 *
 * --shape 32x12: of the model grid, that trees x depth only (A/B runs).
 * --only stages: a random flow's packet stage by stage (A/B runs).
 *
 * Every timing is the median of --runs runs (default 5) with min and max.
 * A run's figure is the kernel's test_run duration: the average over
 * `repeat` runs of the program on one packet, timed inside the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "loader.h"
#include "model_file.h"
#include "twin.h"
#include "pkt.h"
#include "forest.h"
#include "flowforest.skel.h"
#include "bench/empty.skel.h"
#include "bench/lookup.skel.h"

#define MAX_RUNS 15

static unsigned repeat = 1000000;
static int runs = 5, quick;
static int shape_trees, shape_depth;	/* --shape TxD: that grid point only */
static FILE *jf;
static int jfirst;

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double med, min, max;
};

static struct stat3 stat3_of(double *v, int n)
{
	struct stat3 s;

	qsort(v, n, sizeof(v[0]), cmp_d);
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

/* ---- JSON output: one array of records, each a flat object ------------- */

static void jbegin(const char *section, const char *name)
{
	if (!jf)
		return;
	fprintf(jf, "%s\n{\"section\":\"%s\",\"name\":\"%s\"", jfirst ? "" : ",", section, name);
	jfirst = 0;
}

static void jnum(const char *k, double v)
{
	if (jf)
		fprintf(jf, ",\"%s\":%.12g", k, v);
}

static void jstat(const char *k, struct stat3 s)
{
	if (jf)
		fprintf(jf, ",\"%s\":{\"median\":%.1f,\"min\":%.1f,\"max\":%.1f}", k, s.med, s.min, s.max);
}

static void jend(void)
{
	if (jf)
		fprintf(jf, "}");
}

/* ---- measurements -------------------------------------------------------- */

static void die(const char *what)
{
	fprintf(stderr, "bench_pipeline: %s\n", what);
	exit(1);
}

/* ns per run of `prog` on `pkt`, median/min/max of `runs` runs */
static struct stat3 measure(int prog, const void *pkt, __u32 len, unsigned rep)
{
	double v[MAX_RUNS];
	int i;

	for (i = 0; i < runs; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .data_size_in = len,
			    .repeat = rep);

		if (bpf_prog_test_run_opts(prog, &tr)) {
			fprintf(stderr, "test run failed: %s\n", strerror(errno));
			exit(1);
		}
		v[i] = tr.duration;
	}
	return stat3_of(v, runs);
}

/* Programs a and b, run after run in turn (both see the same load). */
static void measure_ab(int a, int b, const void *pkt, __u32 len, unsigned rep,
		       struct stat3 *sa, struct stat3 *sb)
{
	double va[MAX_RUNS], vb[MAX_RUNS];
	int i, saved = runs;

	runs = 1;
	for (i = 0; i < saved; i++) {
		va[i] = measure(a, pkt, len, rep).med;
		vb[i] = measure(b, pkt, len, rep).med;
	}
	runs = saved;
	*sa = stat3_of(va, runs);
	*sb = stat3_of(vb, runs);
}

static void print_row(const char *name, struct stat3 s, double base)
{
	printf("  %-60s %9.1f ns  (min %.1f, max %.1f)", name, s.med, s.min, s.max);
	if (base > 0)
		printf("  %6.2fx", s.med / base);
	printf("\n");
	fflush(stdout);
}

static void per_packet_row(const char *id, const char *name, struct stat3 s, double base,
			   const char *hook)
{
	print_row(name, s, base);
	jbegin("per_packet", id);
	if (jf)
		fprintf(jf, ",\"label\":\"%s\",\"hook\":\"%s\"", name, hook);
	jstat("ns_per_pkt", s);
	jnum("ratio_to_empty", base > 0 ? s.med / base : 1);
	jend();
}

static double load_ms_last;

/*
 * Every BPF_PROG_TEST_RUN of an XDP program adds it to the kernel's XDP
 * dispatcher and removes it afterwards, and each change waits for an RCU
 * grace period (milliseconds): thousands of short test runs would spend
 * minutes asleep. A program attached somewhere stays in the dispatcher, so
 * with --keep-devs DEV1,DEV2 (run.sh runs this in a network namespace of its
 * own, with two idle devices there) the empty XDP program is attached to
 * DEV1 and each loaded ff_xdp to DEV2, in generic mode, where no traffic
 * flows. Never done in the initial namespace.
 */
static char keep_dev[2][IF_NAMESIZE];
static int use_keep;

static int keep_attach(int prog, int which)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = XDP_FLAGS_SKB_MODE);
	int ifindex, fd;

	if (!use_keep)
		return -1;
	ifindex = if_nametoindex(keep_dev[which]);
	fd = ifindex ? bpf_link_create(prog, ifindex, BPF_XDP, &lo) : -1;
	if (fd < 0)
		fprintf(stderr, "bench_pipeline: cannot attach to %s: %s (test runs will be slow)\n",
			keep_dev[which], strerror(errno));
	return fd;
}

static int in_init_netns(void)
{
	struct stat a, b;

	/* pid 2 (kthreadd) is always in the initial namespace; pid 1 may
	 * not be readable */
	if (stat("/proc/self/ns/net", &a) || stat("/proc/2/ns/net", &b))
		return 1;
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int lo_link = -1;	/* the loader's ff_xdp on the second device */

static void open_loader(struct ff_loader *l, struct ff_config *cfg, __u32 flows)
{
	struct ff_load_opts o = { .cfg = *cfg, .max_flows = flows };
	char err[512];
	double t0 = ff_mono_ms();

	if (ff_loader_open(l, &o, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	load_ms_last = ff_mono_ms() - t0;
	lo_link = keep_attach(FF_PROG_FD(l, ff_xdp), 1);
}

/* A model's native forest runs in a copy of ff_xdp (FF_PROG_FD builds it
 * on first use): the kept link must hold the copy, or every test run of
 * it goes through the dispatcher's change and an RCU grace period (ms per
 * call: the per-flow and per-packet sections ran out of time). */
static void keep_follow(struct ff_loader *l)
{
	if (lo_link >= 0 && bpf_link_update(lo_link, FF_PROG_FD(l, ff_xdp), NULL))
		fprintf(stderr, "bench_pipeline: cannot move the kept link to the native copy: %s "
			"(test runs will be slow)\n", strerror(errno));
}

static void close_loader(struct ff_loader *l)
{
	if (lo_link >= 0)
		close(lo_link);
	lo_link = -1;
	ff_loader_close(l);
}

static double install(struct ff_loader *l, const struct ff_model *m)
{
	char err[512];
	double t0 = ff_mono_ms();

	if (ff_loader_install_model(l, m, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	return ff_mono_ms() - t0;
}

static size_t udp_packet(__u8 *buf, unsigned i)
{
	char src[32];
	struct pkt_spec s = { .family = 4, .proto = 17, .saddr = src, .daddr = "10.200.0.1",
			      .sport = 1024 + (i % 50000), .dport = 53, .payload_len = 18 };

	snprintf(src, sizeof(src), "10.%u.%u.%u", 1 + (i / 50000) % 250, (i >> 8) & 255, i & 255);
	return pkt_build(&s, buf, PKT_MAX_FRAME);
}

/* Kernel memory of a map: "memlock" in /proc/self/fdinfo/FD. */
static long long map_memlock(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* ---- sections ------------------------------------------------------------ */

static int e_xdp, e_tc, e_sock, e_clock;
static double empty_xdp_ns, empty_tc_ns;

/*
 * A spoofed one-packet flood dropped by the fast path (track.h, first.h):
 * the same TCP SYN to port 80 again and again is, each time, a packet that
 * opens a flow (it never enters the table), decided drop at its first
 * checkpoint from the first-packet memo (livegen --flood's model). Three
 * times: only the flood's class dropping; every class dropping with the
 * established clients of livegen --flood --drop in the allow list (each
 * dropped packet then pays the allow list's lookups); and that with a model
 * that reads a context feature, whose verdicts the memo cannot keep (each
 * packet runs the model). The first also through ff_tc (tc): a packet that
 * opens a flow at either hook.
 */
static void first_drop_row(const char *id, const char *label, int every_class, int ctx, int tc)
{
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	struct pkt_spec syn = { .family = 4, .proto = 6, .saddr = "11.0.0.1", .daddr = "10.199.0.2",
				.sport = 1024, .dport = 80, .tcp_flags = 0x02, .window = 1024 };
	__u32 actions[FF_MAX_CLASSES] = { [1] = FF_ACT_DROP };
	struct ff_counters c;
	struct ff_loader l;
	struct ff_model m;
	__u8 pkt[PKT_MAX_FRAME];
	size_t len = pkt_build(&syn, pkt, sizeof(pkt));
	char err[512];
	int i;

	cfg.first_fast = 1;
	cfg.flood_events = 0;
	for (i = 0; every_class && i < FF_MAX_CLASSES; i++)
		actions[i] = FF_ACT_DROP;
	if (ctx ? flood_forest_ctx(&m, 32, 12, 80) : flood_forest(&m, 32, 12, 80))
		die("forest");
	open_loader(&l, &cfg, 65536);
	if ((every_class &&
	     ff_maps_list_update(&l.maps, false, "10.128.0.0/11", true, err, sizeof(err))) ||
	    ff_loader_install_model(&l, &m, actions, err, sizeof(err)) < 0)
		die(err);
	if (tc)
		per_packet_row(id, label, measure(FF_PROG_FD(&l, ff_tc), pkt, len, repeat),
			       empty_tc_ns, "tc");
	else
		per_packet_row(id, label, measure(FF_PROG_FD(&l, ff_xdp), pkt, len, repeat),
			       empty_xdp_ns, "xdp");
	if (ff_loader_counters(&l, &c) || c.c[FF_C_FIRST_DROPS] < repeat ||
	    c.c[FF_C_FLOWS_CREATED])
		die("the one-packet flood did not take the fast path");
	close_loader(&l);
	ff_model_free(&m);
}

static void section_first_drop(void)
{
	first_drop_row("first_drop_xdp", "ff_xdp: one-packet flood, dropped by the fast path", 0, 0,
		       0);
	first_drop_row("first_drop_tc", "ff_tc: one-packet flood, dropped by the fast path", 0, 0, 1);
	first_drop_row("first_drop_all_xdp",
		       "ff_xdp: the same, every class dropping, an allow list", 1, 0, 0);
	first_drop_row("first_drop_ctx_xdp",
		       "ff_xdp: the same, a model reading a ctx feature (no memo)", 1, 1, 0);
}

static void section_per_packet(void)
{
	struct ff_config never = FF_CONFIG_DEFAULT;
	struct ff_loader l;
	struct ff_model m;
	__u8 pkt[PKT_MAX_FRAME], arp[64];
	size_t len = udp_packet(pkt, 1), al = pkt_arp(arp, sizeof(arp));
	struct stat3 s, etc, esock;

	/* Checkpoint only at the first packet: every later packet takes the
	 * cached verdict. */
	never.n_checkpoints = 1;
	never.checkpoints[0] = 1;
	never.cp_every = 0;
	never.cp_flags = 0;

	printf("Per packet: BPF_PROG_TEST_RUN, %u repeats of one 60-byte UDP/IPv4 frame "
	       "(one flow), median of %d runs\n", repeat, runs);
	s = measure(e_xdp, pkt, len, repeat);
	empty_xdp_ns = s.med;
	per_packet_row("empty_xdp", "empty XDP program (XDP_PASS)", s, empty_xdp_ns, "xdp");
	per_packet_row("clock_xdp", "XDP program that reads the clock (bpf_ktime_get_ns) and passes",
		       measure(e_clock, pkt, len, repeat), empty_xdp_ns, "xdp");

	open_loader(&l, &never, 65536);
	per_packet_row("parse_only", "ff_xdp: parse only (ARP: not IP, counted, passed)",
		       measure(FF_PROG_FD(&l, ff_xdp), arp, al, repeat), empty_xdp_ns, "xdp");
	per_packet_row("parse_flow", "ff_xdp: parse + flow update (no model)",
		       measure(FF_PROG_FD(&l, ff_xdp), pkt, len, repeat), empty_xdp_ns, "xdp");
	close_loader(&l);

	if (comb_forest(&m, 32, 12))
		die("forest");
	open_loader(&l, &never, 65536);
	install(&l, &m);
	per_packet_row("cached_xdp", "ff_xdp: full pipeline, cached verdict (32 trees x 12)",
		       measure(FF_PROG_FD(&l, ff_xdp), pkt, len, repeat), empty_xdp_ns, "xdp");
	etc = measure(e_tc, pkt, len, repeat);
	empty_tc_ns = etc.med;
	per_packet_row("empty_tc", "empty TC program (TC_ACT_OK)", etc, etc.med, "tc");
	per_packet_row("cached_tc", "ff_tc: full pipeline, cached verdict (32 trees x 12)",
		       measure(FF_PROG_FD(&l, ff_tc), pkt, len, repeat), etc.med, "tc");
	esock = measure(e_sock, pkt, len, repeat);
	per_packet_row("empty_socket", "empty socket filter (accept)", esock, esock.med, "socket");
	per_packet_row("cached_socket", "ff_socket: full pipeline, cached verdict (32 trees x 12)",
		       measure(FF_PROG_FD(&l, ff_socket), pkt, len, repeat), esock.med,
		       "socket");
	close_loader(&l);
	ff_model_free(&m);
	section_first_drop();
}

/*
 * What the context costs at the grid's 32 x 12 point: the same comb with
 * its ctx_* splits moved to flow features (comb_forest_no_ctx: no context
 * counted at each packet, none read at each checkpoint), in a loader of its
 * own, run in turn with `fd` (the point's native copy). Into the grid
 * record: noctx_ns_per_pkt, and ctx_ns_per_pkt the point's figure of those
 * same runs.
 */
static void grid_no_ctx(int fd, const void *pkt, __u32 len, unsigned rep,
			const struct ff_config *every)
{
	struct ff_load_opts o = { .cfg = *every, .max_flows = 65536 };
	struct ff_loader l2;
	struct ff_model m2;
	struct stat3 with, without;
	char err[512];

	if (comb_forest_no_ctx(&m2, 32, 12))
		return;
	if (ff_loader_open(&l2, &o, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		ff_model_free(&m2);
		return;
	}
	install(&l2, &m2);
	/* not kept in the dispatcher: each test run pays a grace period
	 * before its timed loop, which the figure does not include */
	measure_ab(FF_PROG_FD(&l2, ff_xdp), fd, pkt, len, rep, &without, &with);
	printf("  32 x 12 reading no context: %.1f ns against %.1f with it (in turn)\n",
	       without.med, with.med);
	jstat("noctx_ns_per_pkt", without);
	jstat("ctx_ns_per_pkt", with);
	ff_loader_close(&l2);
	ff_model_free(&m2);
}

/* The model at every packet: trees x depth. Load time is open + verify +
 * load; install time writes the model into its slot. */
static void section_grid(void)
{
	static const int trees[] = { 1, 8, 32, 128, 256 }, depths[] = { 4, 8, 12, 16, 24 };
	struct ff_config every = FF_CONFIG_DEFAULT;
	__u8 pkt[PKT_MAX_FRAME];
	size_t len = udp_packet(pkt, 1);
	unsigned di, ti;

	every.n_checkpoints = 1;
	every.checkpoints[0] = 1;
	every.cp_every = 1;
	every.cp_flags = 0;

	printf("\nModel at every packet (checkpoint at every packet), comb forests: every walk "
	       "goes the full depth\n");
	printf("  %-7s %-6s %7s %12s %12s %12s %10s %9s %12s %10s\n", "trees", "depth", "nodes",
	       "ns/packet", "min", "max", "load ms", "inst ms", "walk ns/pkt", "native ms");
	for (di = 0; di < FF_ARRAY_SIZE(depths); di++)
		for (ti = 0; ti < FF_ARRAY_SIZE(trees); ti++) {
			struct ff_loader l;
			struct ff_model m;
			struct stat3 s, w;
			double inst_ms, load_ms, nat_ms, t0;
			unsigned rep;
			__u32 vi, nvi;
			int fd, walk;
			char id[64];

			if (shape_trees && (trees[ti] != shape_trees || depths[di] != shape_depth))
				continue;
			if (comb_forest(&m, trees[ti], depths[di]))
				continue;
			open_loader(&l, &every, 65536);
			load_ms = load_ms_last;
			inst_ms = install(&l, &m);
			/* the native forest's copy of ff_xdp (built here: its load
			 * time) against the object's own, the walk */
			walk = FF_SKEL_PROG_FD(&l, ff_xdp);
			t0 = ff_mono_ms();
			fd = FF_PROG_FD(&l, ff_xdp);
			nat_ms = ff_mono_ms() - t0 + l.native.code_ms;
			vi = ff_prog_verified_insns(walk);
			nvi = fd != walk ? ff_prog_verified_insns(fd) : 0;
			keep_follow(&l);
			/* about 0.1 s per run */
			s = measure(fd, pkt, len, 2000);
			rep = (unsigned)(1e8 / (s.med > 1 ? s.med : 1));
			if (quick)
				rep /= 5;
			if (rep < 500)
				rep = 500;
			if (rep > repeat)
				rep = repeat;
			measure_ab(fd, walk, pkt, len, rep, &s, &w);
			printf("  %-7d %-6d %7u %12.1f %12.1f %12.1f %10.1f %9.1f %12.1f %10.1f   "
			       "verified insns %u, native copy %u%s\n",
			       trees[ti], depths[di], m.n_nodes, s.med, s.min, s.max, load_ms, inst_ms,
			       w.med, nat_ms, vi, nvi, fd == walk ? " (no native forest)" : "");
			fflush(stdout);
			snprintf(id, sizeof(id), "t%d_d%d", trees[ti], depths[di]);
			jbegin("grid", id);
			jnum("trees", trees[ti]);
			jnum("depth", depths[di]);
			jnum("nodes", m.n_nodes);
			jnum("repeat", rep);
			jstat("ns_per_pkt", s);
			jnum("ratio_to_empty", s.med / empty_xdp_ns);
			jnum("load_ms", load_ms);
			jnum("install_ms", inst_ms);
			jnum("verified_insns", vi);
			jstat("walk_ns_per_pkt", w);
			jnum("native", fd != walk);
			jnum("native_insns", (double)l.native.n_body);
			jnum("native_verified_insns", nvi);
			jnum("native_ms", nat_ms);
			if (trees[ti] == 32 && depths[di] == 12)
				grid_no_ctx(fd, pkt, len, rep, &every);
			jend();
			close_loader(&l);
			ff_model_free(&m);
		}
}

/*
 * Realistic mix: F flows of 64 packets each, a flow's packets back to back
 * (test_run repeat = 64), default checkpoints 1, 2, 4, ..., 64: 7 model runs
 * per flow (11 % of packets), a new flow every 64 packets. The same frames
 * through the empty program, and through the user-space twin's code
 * (ff_twin_packet: the same parser, flow update, features and walk, with
 * the user-space flow table) on frames in memory.
 */
static void section_mix(void)
{
	struct ff_config def = FF_CONFIG_DEFAULT;
	unsigned flows = getenv("MIXFLOWS") ? atoi(getenv("MIXFLOWS")) : quick ? 2000 : 10000, per = 64, i;
	double vff[MAX_RUNS], vempty[MAX_RUNS], vtwin[MAX_RUNS];
	struct stat3 sff, sempty, stwin;
	__u8 (*frames)[64] = malloc((size_t)flows * 64);
	__u32 *lens = malloc(flows * sizeof(*lens));
	struct ff_model m;
	int r;

	if (!frames || !lens || comb_forest(&m, 32, 12))
		die("out of memory");
	for (i = 0; i < flows; i++) {
		__u8 buf[PKT_MAX_FRAME];

		lens[i] = udp_packet(buf, 1000 + i);
		memcpy(frames[i], buf, lens[i]);
	}
	for (r = 0; r < runs; r++) {
		struct ff_loader l;
		double sum = 0, sum_e = 0, t0;
		int fd;
		struct ff_twin_opts to = { .model = &m, .cfg = def, .flows = flows };
		struct ff_twin_stats ts;
		struct ff_twin *tw;
		__u64 a, b;

		open_loader(&l, &def, 65536);
		install(&l, &m);
		keep_follow(&l);
		fd = FF_PROG_FD(&l, ff_xdp);
		for (i = 0; i < flows; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = frames[i],
				    .data_size_in = lens[i], .repeat = per);

			if (bpf_prog_test_run_opts(fd, &tr))
				die("test run failed");
			sum += tr.duration;
			tr.duration = 0;
			if (bpf_prog_test_run_opts(e_xdp, &tr))
				die("test run failed");
			sum_e += tr.duration;
		}
		vff[r] = sum / flows;
		vempty[r] = sum_e / flows;
		close_loader(&l);

		/* the twin's code, same frames, same order */
		tw = ff_twin_new(&to, &ts);
		if (!tw)
			die("out of memory");
		a = ff_mono_ns();
		t0 = a / 1e3;
		for (i = 0; i < flows; i++)
			for (unsigned k = 0; k < per; k++)
				ff_twin_packet(tw, frames[i], lens[i], 0, (__u64)t0 + i);
		b = ff_mono_ns();
		vtwin[r] = (b - a) / ((double)flows * per);
		ff_twin_free(tw);
	}
	sff = stat3_of(vff, runs);
	sempty = stat3_of(vempty, runs);
	stwin = stat3_of(vtwin, runs);
	printf("\nRealistic mix: %u flows x %u packets (a new flow every %u packets, the model "
	       "at 7 of them: 11 %%), 32 trees x depth 12\n", flows, per, per);
	print_row("empty XDP program, same frames", sempty, sempty.med);
	print_row("ff_xdp, full pipeline", sff, sempty.med);
	print_row("user-space twin code on frames in memory (no ring)", stwin, 0);
	jbegin("mix", "mix");
	jnum("flows", flows);
	jnum("packets_per_flow", per);
	jnum("model_runs_per_flow", 7);
	jnum("trees", 32);
	jnum("depth", 12);
	jstat("empty_ns_per_pkt", sempty);
	jstat("ff_xdp_ns_per_pkt", sff);
	jstat("twin_code_ns_per_pkt", stwin);
	jnum("ratio_to_empty", sff.med / sempty.med);
	jend();
	free(frames);
	free(lens);
	ff_model_free(&m);
}

/* The flow key of udp_packet(i). */
static void flow_key_of(__u32 i, struct ff_flow_key *k)
{
	__u8 pkt[PKT_MAX_FRAME];
	struct ff_frame fr = { pkt, 0 };
	struct ff_pkt p = {};

	fr.len = udp_packet(pkt, i);
	ff_parse(&fr, 0, &p);
	ff_flow_key_make(&p, k);
}

/* Fill flow map `mfd` with `fill` flows (udp_packet(i), i < fill), each in
 * state `tmpl`. */
static void map_fill(int mfd, __u32 fill, const struct ff_flow *tmpl)
{
	__u32 chunk = 65536, done;
	struct ff_flow_key *keys = malloc((size_t)chunk * sizeof(*keys));
	struct ff_flow *vals = malloc((size_t)chunk * sizeof(*vals));

	if (!keys || !vals)
		die("out of memory");
	for (done = 0; done < fill; done += chunk) {
		__u32 n = fill - done < chunk ? fill - done : chunk, j, count = n;
		LIBBPF_OPTS(bpf_map_batch_opts, bo);

		for (j = 0; j < n; j++) {
			flow_key_of(done + j, &keys[j]);
			vals[j] = *tmpl;
		}
		if (bpf_map_update_batch(mfd, keys, vals, &count, &bo) || count != n)
			die("cannot fill the flow table");
	}
	free(keys);
	free(vals);
}

/*
 * Fill the flow table of a loaded `l` with `fill` flows in the state flow
 * 0 has after 100 packets (checkpoints up to 64 done, the next at 128),
 * decided when a model is installed, last seen now.
 */
static void table_fill(struct ff_loader *l, __u32 fill)
{
	int mfd = FF_MAP_FD(l, ff_flows);
	__u8 pkt[PKT_MAX_FRAME];
	size_t len = udp_packet(pkt, 0);
	LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .data_size_in = len, .repeat = 100);
	struct ff_flow tmpl;
	struct ff_flow_key k;

	keep_follow(l);
	if (bpf_prog_test_run_opts(FF_PROG_FD(l, ff_xdp), &tr))
		die("test run failed");
	flow_key_of(0, &k);
	if (bpf_map_lookup_elem(mfd, &k, &tmpl))
		die("template flow missing");
	map_fill(mfd, fill, &tmpl);
}

/* A frame for flow i: the UDP packet ff_xdp parses, or (bench_lookup)
 * the flow's key itself. */
static size_t frame_udp(__u8 *buf, __u32 i)
{
	return udp_packet(buf, i);
}

static size_t frame_key(__u8 *buf, __u32 i)
{
	flow_key_of(i, (struct ff_flow_key *)buf);
	return sizeof(struct ff_flow_key);
}

/* ns per packet of `samples` test runs of `prog`, one per packet: on
 * random flows of the `fill` in the table (v), and on flow 0 again and
 * again (hot), per round; frame(buf, i) makes flow i's frame. */
static void table_measure(int prog, size_t (*frame)(__u8 *, __u32), __u32 fill, int samples,
			  double *v, double *hot)
{
	__u8 pkt[PKT_MAX_FRAME];
	size_t len;
	int r, k;

	for (r = 0; r < runs; r++) {
		double sum = 0, sum_hot = 0;

		for (k = 0; k < samples; k++) {
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .repeat = 1);

			tr.data_size_in = frame(pkt, (__u32)(forest_rnd() % fill));
			if (bpf_prog_test_run_opts(prog, &tr))
				die("test run failed");
			sum += tr.duration;
		}
		/* the same calls on one hot flow: what a call costs when the
		 * entry is in the cache */
		len = frame(pkt, 0);
		for (k = 0; k < samples; k++) {
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .data_size_in = len,
				    .repeat = 1);

			if (bpf_prog_test_run_opts(prog, &tr))
				die("test run failed");
			sum_hot += tr.duration;
		}
		v[r] = sum / samples;
		hot[r] = sum_hot / samples;
	}
}

/* The flow table from 64k to 4M entries: load time, memory, ns/packet on
 * random flows of a half-full table, with one test_run call per packet so
 * that every packet looks up another entry.
 */
static void section_table(void)
{
	static const __u32 sizes[] = { 65536, 262144, 1048576, 4194304 };
	struct ff_config def = FF_CONFIG_DEFAULT;
	struct ff_model m;
	unsigned si;

	if (comb_forest(&m, 32, 12))
		die("forest");
	printf("\nFlow table: LRU hash, preallocated; ns/packet on random flows of a half-full "
	       "table, one test_run per packet (median of %d rounds)\n", runs);
	printf("  %-10s %10s %12s %12s %12s %12s %12s\n", "entries", "load ms", "memory MiB",
	       "bytes/flow", "ns/packet", "min", "max");
	for (si = 0; si < FF_ARRAY_SIZE(sizes); si++) {
		__u32 size = sizes[si], fill = size / 2;
		struct ff_loader l;
		double v[MAX_RUNS], hot[MAX_RUNS], load_ms;
		struct stat3 s, sh;
		long long mem;
		char id[32];

		if (quick && size > 1048576)
			break;
		open_loader(&l, &def, size);
		load_ms = load_ms_last;
		install(&l, &m);
		mem = map_memlock(FF_MAP_FD(&l, ff_flows));
		table_fill(&l, fill);
		table_measure(FF_PROG_FD(&l, ff_xdp), frame_udp, fill, quick ? 5000 : 20000, v, hot);
		s = stat3_of(v, runs);
		sh = stat3_of(hot, runs);
		printf("  %-10u %10.1f %12.1f %12.1f %12.1f %12.1f %12.1f   (one hot flow: %.1f ns)\n",
		       size, load_ms, mem / 1048576.0, (double)mem / size, s.med, s.min, s.max, sh.med);
		fflush(stdout);
		snprintf(id, sizeof(id), "flows_%u", size);
		jbegin("table", id);
		jnum("entries", size);
		jnum("filled", fill);
		jnum("load_ms", load_ms);
		jnum("memlock_bytes", (double)mem);
		jnum("bytes_per_entry", (double)mem / size);
		jstat("ns_per_pkt_random_flow", s);
		jstat("ns_per_pkt_hot_flow", sh);
		jend();
		close_loader(&l);
	}
	ff_model_free(&m);
}

/* One row of section_stages. */
static void stage_row(__u32 size, const char *name, const char *label, double *v,
		      double *hot)
{
	struct stat3 s = stat3_of(v, runs), sh = stat3_of(hot, runs);
	char id[48];

	printf("  %-8u %-62s %8.1f  hot %6.1f\n", size, label, s.med, sh.med);
	fflush(stdout);
	snprintf(id, sizeof(id), "%s_%u", name, size);
	jbegin("stages", id);
	if (jf)
		fprintf(jf, ",\"label\":\"%s\"", label);
	jnum("entries", size);
	jstat("ns_per_pkt_random_flow", s);
	jstat("ns_per_pkt_hot_flow", sh);
	jend();
}

/* The lookup alone (bench/lookup.bpf.c): the same map type, key and value
 * sizes, size and fill as the flow table; the frame is the key. */
static void stage_lookup(__u32 size, int samples)
{
	struct lookup_bpf *lk = lookup_bpf__open();
	double v[MAX_RUNS], hot[MAX_RUNS];
	struct ff_flow zero = {};
	int link;

	if (!lk || bpf_map__set_max_entries(lk->maps.bench_flows, size) || lookup_bpf__load(lk))
		die("cannot load bench/lookup.bpf.c");
	link = keep_attach(bpf_program__fd(lk->progs.bench_lookup), 1);
	map_fill(bpf_map__fd(lk->maps.bench_flows), size / 2, &zero);
	table_measure(bpf_program__fd(lk->progs.bench_lookup), frame_key, size / 2, samples, v,
		      hot);
	stage_row(size, "lookup_only", "flow lookup alone (key given, value not read)", v, hot);
	if (link >= 0)
		close(link);
	lookup_bpf__destroy(lk);
}

/*
 * Where a packet of a random flow spends its time, stage by stage: the
 * same half-full tables as section_table, the flow lookup alone first
 * (stage_lookup), then ff_xdp with a stage more in each row (no model:
 * parse, flow lookup and update; a model that reads
 * no context: the cached verdict; the 32 x 12 comb forest, which reads
 * context features: the packet's context update too; checkpoints at every
 * packet: features, context read and the model each time). Random flows
 * against the same calls on one hot flow: the difference is the cache
 * and TLB misses of the stage.
 */
static void section_stages(void)
{
	static const __u32 sizes[] = { 65536, 1048576 };
	static const char *const names[] = { "lookup_update", "cached_verdict", "ctx_update",
					     "checkpoint_every_pkt" };
	static const char *const labels[] = {
		"parse + flow lookup + flow update (no model)",
		"+ cached verdict (a model reading no context)",
		"+ the packet's context update (32 x 12 comb, reads context)",
		"+ checkpoint at every packet (features, context read, model)",
	};
	int samples = quick ? 5000 : 20000;
	unsigned si, st;

	printf("\nStages: ns/packet, random flows of a half-full table / one hot flow "
	       "(median of %d rounds)\n", runs);
	for (si = 0; si < FF_ARRAY_SIZE(sizes); si++) {
		stage_lookup(sizes[si], samples);
		for (st = 0; st < FF_ARRAY_SIZE(names); st++) {
			__u32 size = sizes[si], fill = size / 2;
			struct ff_config cfg = FF_CONFIG_DEFAULT;
			double v[MAX_RUNS], hot[MAX_RUNS];
			struct ff_loader l;
			struct ff_model m;

			if (st == 3) {	/* the model at every packet */
				cfg.n_checkpoints = 1;
				cfg.checkpoints[0] = 1;
				cfg.cp_every = 1;
			}
			open_loader(&l, &cfg, size);
			if (st == 1 ? flood_forest(&m, 32, 12, 80) : comb_forest(&m, 32, 12))
				die("forest");
			if (st > 0)
				install(&l, &m);
			table_fill(&l, fill);
			table_measure(FF_PROG_FD(&l, ff_xdp), frame_udp, fill, samples, v, hot);
			stage_row(size, names[st], labels[st], v, hot);
			close_loader(&l);
			ff_model_free(&m);
		}
	}
}

/* Kernel memory of every map at the defaults; bytes per flow and per node. */
static void section_memory(void)
{
	struct ff_config def = FF_CONFIG_DEFAULT;
	struct ff_loader l;
	struct bpf_map *map;
	long long total = 0, flows_mem = 0, nodes_mem = 0;
	__u32 flows_n = 0, nodes_n = 0;

	open_loader(&l, &def, 65536);
	printf("\nMemory at the defaults (65,536 flows), kernel's own accounting "
	       "(/proc/self/fdinfo memlock)\n");
	jbegin("memory", "maps");
	if (jf)
		fprintf(jf, ",\"maps\":{");
	{
		int first = 1;

		bpf_object__for_each_map(map, l.skel->obj) {
			int fd = bpf_map__fd(map);
			long long mem = fd >= 0 ? map_memlock(fd) : -1;

			if (mem < 0)
				continue;
			total += mem;
			printf("  %-16s %12lld bytes  (%u entries x %u-byte values)\n",
			       bpf_map__name(map), mem, bpf_map__max_entries(map),
			       bpf_map__value_size(map));
			if (jf)
				fprintf(jf, "%s\"%s\":%lld", first ? "" : ",", bpf_map__name(map), mem);
			first = 0;
			if (!strcmp(bpf_map__name(map), "ff_flows")) {
				flows_mem = mem;
				flows_n = bpf_map__max_entries(map);
			}
			if (!strcmp(bpf_map__name(map), "ff_nodes")) {
				nodes_mem = mem;	/* a slot per entry */
				nodes_n = bpf_map__max_entries(map) * FF_MAX_NODES;
			}
		}
	}
	if (jf)
		fprintf(jf, "}");
	printf("  %-16s %12lld bytes (%.1f MiB)\n", "all maps", total, total / 1048576.0);
	printf("  flow entry: key %zu + value %zu bytes; the map costs %.1f bytes per entry "
	       "(LRU hash element header, bucket, per-CPU extras)\n",
	       sizeof(struct ff_flow_key), sizeof(struct ff_flow),
	       flows_n ? (double)flows_mem / flows_n : 0);
	printf("  tree node: %zu bytes; ff_nodes (2 slots x %d nodes) costs %.1f bytes per node\n",
	       sizeof(struct ff_node), FF_MAX_NODES, nodes_n ? (double)nodes_mem / nodes_n : 0);
	jnum("total_bytes", total);
	jnum("flow_key_bytes", sizeof(struct ff_flow_key));
	jnum("flow_value_bytes", sizeof(struct ff_flow));
	jnum("flow_map_bytes_per_entry", flows_n ? (double)flows_mem / flows_n : 0);
	jnum("node_bytes", sizeof(struct ff_node));
	jnum("node_map_bytes_per_node", nodes_n ? (double)nodes_mem / nodes_n : 0);
	jend();
	close_loader(&l);
}

int main(int argc, char **argv)
{
	const char *json = NULL, *only = NULL;
	struct empty_bpf *empty;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else if (!strcmp(argv[i], "--shape") && i + 1 < argc &&
			 sscanf(argv[i + 1], "%dx%d", &shape_trees, &shape_depth) == 2)
			i++;
		else if (!strcmp(argv[i], "--keep-devs") && i + 1 < argc) {
			char *comma = strchr(argv[++i], ',');

			if (!comma || comma - argv[i] >= IF_NAMESIZE || strlen(comma + 1) >= IF_NAMESIZE) {
				fprintf(stderr, "bench_pipeline: --keep-devs DEV1,DEV2\n");
				return 2;
			}
			memcpy(keep_dev[0], argv[i], comma - argv[i]);
			strcpy(keep_dev[1], comma + 1);
			use_keep = 1;
		}
		else {
			fprintf(stderr, "usage: bench_pipeline [--json FILE] [--repeat N] [--runs N] "
				"[--quick] [--keep-devs DEV1,DEV2] [--only per_packet|grid|mix|table|stages|memory] [--shape TxD]\n");
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS)
		runs = 5;
	if (quick)
		repeat = 100000;
	libbpf_set_print(NULL);

	empty = empty_bpf__open_and_load();
	if (!empty) {
		fprintf(stderr, "bench: cannot load the empty BPF object: %s\n", strerror(errno));
		return 1;
	}
	e_xdp = bpf_program__fd(empty->progs.bench_pass);
	e_tc = bpf_program__fd(empty->progs.bench_pass_tc);
	e_sock = bpf_program__fd(empty->progs.bench_pass_socket);
	e_clock = bpf_program__fd(empty->progs.bench_clock);
	if (use_keep && in_init_netns()) {
		fprintf(stderr, "bench_pipeline: --keep-devs ignored in the initial network namespace\n");
		use_keep = 0;
	}
	keep_attach(e_xdp, 0);

	if (json) {
		jf = fopen(json, "w");
		if (!jf) {
			perror(json);
			return 1;
		}
		fprintf(jf, "{\"unit\":\"ns/packet\",\"runs\":%d,\"repeat\":%u,\"quick\":%s,\"results\":[",
			runs, repeat, quick ? "true" : "false");
		jfirst = 1;
	}
	if (!only || !strcmp(only, "per_packet"))
		section_per_packet();
	else {
		__u8 pkt[PKT_MAX_FRAME];
		size_t len = udp_packet(pkt, 1);

		empty_xdp_ns = measure(e_xdp, pkt, len, repeat).med;
	}
	if (!only || !strcmp(only, "grid"))
		section_grid();
	if (!only || !strcmp(only, "mix"))
		section_mix();
	if (!only || !strcmp(only, "table"))
		section_table();
	if (!only || !strcmp(only, "stages"))
		section_stages();
	if (!only || !strcmp(only, "memory"))
		section_memory();
	if (jf) {
		fprintf(jf, "\n]}\n");
		fclose(jf);
	}
	empty_bpf__destroy(empty);
	return 0;
}
