// SPDX-License-Identifier: MIT
/*
 * Offline equals in-kernel, bit for bit: `extract` (shared code in user
 * space) and `replay` (the same captures through the loaded BPF program with
 * BPF_PROG_TEST_RUN) must write byte-identical CSVs, with and without a
 * model. And an external oracle: per-conversation packets, bytes and
 * durations agree with tshark's `-z conv,tcp -z conv,udp`.
 *
 * The twin's code path (ff_twin_packet, what `flowforest twin` runs on live
 * packets) is held to the kernel too: the same events, field for field,
 * and the same counters, over the same captures.
 *
 * Captures: one this test generates (always), and every capture in
 * ../shared/data/pcaps (or $FLOWFOREST_DATA/pcaps) when present.
 */
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capgen.h"
#include "pkt.h"
#include "capture.h"
#include "extract.h"
#include "loader.h"
#include "replay.h"
#include "model_file.h"
#include "features_info.h"
#include "dataset.h"
#include "twin.h"
#include "flowforest.skel.h"

static char gen_path[64];

static const char *data_dir(void)
{
	static char dir[512];
	const char *env = getenv("FLOWFOREST_DATA");

	snprintf(dir, sizeof(dir), "%s/pcaps", env ? env : "../shared/data");
	return access(dir, R_OK) == 0 ? dir : NULL;
}

/* Captures in the shared data folder, sorted; NULL-terminated. */
static char **shared_pcaps(void)
{
	const char *dir = data_dir();
	struct dirent **ents;
	char **out;
	int n, i, k = 0;

	if (!dir)
		return NULL;
	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return NULL;
	out = calloc(n + 1, sizeof(*out));
	for (i = 0; i < n; i++) {
		const char *e = strrchr(ents[i]->d_name, '.');

		if (e && (!strcmp(e, ".pcap") || !strcmp(e, ".pcapng"))) {
			out[k] = malloc(strlen(dir) + strlen(ents[i]->d_name) + 2);
			sprintf(out[k++], "%s/%s", dir, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
	return out;
}

static void free_list(char **l)
{
	for (int i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

static int group_setup(void **state)
{
	struct capgen_stats st;

	(void)state;
	snprintf(gen_path, sizeof(gen_path), "/tmp/ff-parity-%d.pcap", getpid());
	return capgen_write(gen_path, 3000, 42, &st);
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(gen_path);
	return 0;
}

static size_t compared_rows;

/* Run extract or replay on one capture into a string. */
static struct ff_config run_cfg = FF_CONFIG_DEFAULT;

static char *run_csv(const char *path, int kernel, const struct ff_model *m, size_t *len)
{
	const char *paths[1] = { path };
	struct ff_labels labels = { .default_label = "benign" };
	struct ff_extract_stats st;
	struct ff_csv csv = { .labels = &labels, .model = m };
	char *buf = NULL, err[512];
	FILE *f = open_memstream(&buf, len);
	int rc;

	assert_non_null(f);
	assert_int_equal(ff_labels_add(&labels, "scan:proto=tcp,dport=80", err, sizeof(err)), 0);
	csv.out = f;
	ff_csv_header(&csv);
	if (kernel) {
		struct ff_replay_opts o = { .cfg = run_cfg, .csv = &csv, .model = m };

		rc = ff_replay(paths, 1, &o, &st, err, sizeof(err));
	} else {
		struct ff_extract_opts o = { .cfg = run_cfg, .csv = &csv, .model = m };

		rc = ff_extract(paths, 1, &o, &st, err, sizeof(err));
	}
	fclose(f);
	ff_labels_free(&labels);
	if (rc)
		fail_msg("%s of %s failed: %s", kernel ? "replay" : "extract", path, err);
	return buf;
}

static void compare_one(const char *path, const struct ff_model *m)
{
	size_t la, lb, i, line = 1;
	char *a = run_csv(path, 0, m, &la), *b = run_csv(path, 1, m, &lb);

	for (i = 0; i < la && i < lb && a[i] == b[i]; i++)
		if (a[i] == '\n')
			line++;
	if (la != lb || i != la) {
		print_error("%s: extract and replay differ at CSV line %zu (%zu vs %zu bytes)\n",
			    path, line, la, lb);
		free(a);
		free(b);
		fail();
	}
	compared_rows += line - 2;
	free(a);
	free(b);
}

/* Drop the last `n` fields of every line of `csv` (in place). */
static void drop_last_fields(char *csv, int n)
{
	char *in = csv, *out = csv, *eol, *cut;
	int k;

	while (*in) {
		eol = strchr(in, '\n');
		if (!eol)
			eol = in + strlen(in);
		for (cut = eol, k = 0; k < n && cut > in; k++)
			while (--cut > in && *cut != ',')
				;
		memmove(out, in, cut - in);
		out += cut - in;
		*out++ = '\n';
		in = *eol ? eol + 1 : eol;
	}
	*out = 0;
}

/*
 * Rows carry every feature, whatever the model reads: with the hand-written
 * model (4 features) extract and replay write the same feature columns as
 * without a model (the checkpoints of a model compute its features only,
 * except when rows or snapshots are written).
 */
static void rows_have_every_feature(const char *path, const struct ff_model *m)
{
	int kernel;

	for (kernel = 0; kernel < 2; kernel++) {
		size_t la, lb;
		char *a = run_csv(path, kernel, NULL, &la), *b = run_csv(path, kernel, m, &lb);

		drop_last_fields(b, 2);		/* class, score */
		if (strcmp(a, b))
			fail_msg("%s: %s rows with a model of %u features differ from rows without",
				 path, kernel ? "replay" : "extract", m->n_features);
		free(a);
		free(b);
	}
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* The rows of CSV `csv` whose column `name` holds a value in [lo, hi) (-1:
 * no such column). */
static long rows_in(const char *csv, const char *name, unsigned long long lo,
		    unsigned long long hi)
{
	const char *p = csv, *eol;
	long col = -1, c = 0, rows = 0, k;
	size_t nl = strlen(name);
	unsigned long long v;

	for (eol = strchr(p, '\n'); p < eol; c++) {	/* the header */
		const char *e = memchr(p, ',', eol - p);

		e = e ? e : eol;
		if ((size_t)(e - p) == nl && !memcmp(p, name, nl))
			col = c;
		p = e + 1;
	}
	if (col < 0)
		return -1;
	for (p = eol + 1; *p; p = *eol ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		eol = eol ? eol : p + strlen(p);
		for (k = 0; k < col && p < eol; k++)
			p = memchr(p, ',', eol - p) + 1;
		v = strtoull(p, NULL, 10);
		rows += v >= lo && v < hi;
	}
	return rows;
}

/* The rows of CSV `csv` whose column `name` is not 0 (-1: no such column). */
static long rows_nonzero(const char *csv, const char *name)
{
	return rows_in(csv, name, 1, ULLONG_MAX);
}

static void test_parity_generated(void **state)
{
	struct ff_model m;
	char err[512];

	(void)state;
	need_root();
	compared_rows = 0;
	compare_one(gen_path, NULL);
	assert_true(compared_rows > 3000);
	{	/* the pair key (context.h) is exercised, not only equal */
		size_t len;
		char *csv = run_csv(gen_path, 1, NULL, &len);

		assert_true(rows_nonzero(csv, "ctx_pair_new_flows_1s") > 1000);
		assert_true(rows_nonzero(csv, "ctx_pair_flows_per_peer_bit_1s") > 100);
		assert_true(rows_nonzero(csv, "ctx_pair_peer_bits_1s") > 100);
		assert_true(rows_nonzero(csv, "ctx_pair_long_open_1s") > 0);
		/* the slow window (10 s) of the source and the pair */
		assert_true(rows_nonzero(csv, "ctx_src_new_flows_10s") > 1000);
		assert_true(rows_nonzero(csv, "ctx_src_peer_bits_10s") > 1000);
		assert_true(rows_nonzero(csv, "ctx_pair_new_flows_10s") > 1000);
		assert_true(rows_nonzero(csv, "ctx_pair_flows_per_peer_bit_10s") > 100);
		/* sources that came back, and some that did not yet */
		assert_true(rows_in(csv, "ctx_src_return_age_us", 0, FF_CTX_KEEP_US) > 100);
		assert_true(rows_in(csv, "ctx_src_return_age_us", FF_CTX_KEEP_US, ULLONG_MAX) > 10);
		free(csv);
	}
	assert_int_equal(ff_model_load("lab/models/handwritten.json", &m, err, sizeof(err)), 0);
	compare_one(gen_path, &m);
	rows_have_every_feature(gen_path, &m);
	/* the fast path for one-packet flows (track.h): the same rows in
	 * extract and replay, dropped first packets included */
	run_cfg.first_fast = 1;
	compare_one(gen_path, &m);
	run_cfg = (struct ff_config)FF_CONFIG_DEFAULT;
	ff_model_free(&m);
}

/*
 * A model of four phases (by packet count), trained by `flowforest train
 * --phases` on extract's own checkpoint rows of the generated capture: the
 * kernel picks the same phase at every checkpoint as extract does, so the
 * CSVs, verdicts and scores included, are byte-identical. And the phases
 * matter: on some rows the phase's verdict is not the last phase's.
 */
static void test_parity_phases(void **state)
{
	char csv[] = "/tmp/ff-parity-phases-XXXXXX", model[64], cmd[512], err[512];
	struct ff_dataset_opts o = { .label_column = "Label" };
	const char *paths[1] = { csv };
	struct ff_dataset ds;
	struct ff_model m;
	size_t len, r, differ = 0;
	char *text;
	FILE *f;
	int fd;

	(void)state;
	need_root();
	fd = mkstemp(csv);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	text = run_csv(gen_path, 0, NULL, &len);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	free(text);
	snprintf(model, sizeof(model), "%s.model.json", csv);
	snprintf(cmd, sizeof(cmd), "./flowforest train --csv %s --model gbdt --rounds 5 --max-depth 4 "
		 "--phases 1,2,4,8 --test-split 0 -o %s --quiet > /dev/null", csv, model);
	assert_int_equal(system(cmd), 0);
	if (ff_model_load(model, &m, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(m.n_phases, 4);
	assert_int_equal(m.phases[2].from_pkts, 4);
	compare_one(gen_path, &m);
	if (ff_dataset_load(&ds, paths, 1, &o, err, sizeof(err)))
		fail_msg("%s", err);
	for (r = 0; r < ds.n_rows; r++) {
		__u64 v[FF_MAX_FEATURES];
		struct ff_verdict a, b;

		ff_dataset_row(&ds, r, v);
		ff_model_run(&m, ff_features_pkts(v), v, &a);
		ff_model_run(&m, UINT32_MAX, v, &b);
		differ += a.cls != b.cls || a.score != b.score;
	}
	print_message("[ phases  ] 4 phases: extract == replay; the phase's verdict differs from the last phase's on %zu of %zu rows\n",
		      differ, ds.n_rows);
	assert_true(differ > 0);
	ff_dataset_free(&ds);
	ff_model_free(&m);
	unlink(csv);
	unlink(model);
}

/* The kernel honours a non-default schedule exactly as extract does. */
static void test_parity_custom_schedule(void **state)
{
	struct ff_config def = FF_CONFIG_DEFAULT, cfg = FF_CONFIG_DEFAULT;
	size_t la, lb, rows = 0, i;
	char *a, *b;

	(void)state;
	need_root();
	cfg.n_checkpoints = 3;
	cfg.checkpoints[0] = 1;
	cfg.checkpoints[1] = 3;
	cfg.checkpoints[2] = 5;
	cfg.cp_every = 2;
	cfg.cp_flags = 0;
	cfg.idle_timeout_us = 500000;
	run_cfg = cfg;
	compare_one(gen_path, NULL);
	/* and the schedule changed the rows: not the default's CSV */
	a = run_csv(gen_path, 1, NULL, &la);
	run_cfg = def;
	b = run_csv(gen_path, 1, NULL, &lb);
	for (i = 0; i < la; i++)
		rows += a[i] == '\n';
	assert_true(la != lb || memcmp(a, b, la));
	assert_true(strstr(a, ",idle,") != NULL);
	assert_true(rows > 3000);
	free(a);
	free(b);
}

/* A context table of 16 slots overflows on every capture: its evictions
 * are decided by the same code offline and in the kernel (an LRU hash
 * map's were not: extract and replay differed on a spoofed SYN flood). */
static void test_parity_small_context(void **state)
{
	struct ff_config def = FF_CONFIG_DEFAULT, cfg = FF_CONFIG_DEFAULT;
	size_t la, lb;
	char *a, *b;

	(void)state;
	need_root();
	cfg.ctx_slots = 16;
	run_cfg = cfg;
	compare_one(gen_path, NULL);
	/* the evictions changed the context rows: not the default's CSV */
	a = run_csv(gen_path, 1, NULL, &la);
	run_cfg = def;
	b = run_csv(gen_path, 1, NULL, &lb);
	assert_true(la != lb || memcmp(a, b, la));
	free(a);
	free(b);
}

static void test_parity_shared_pcaps(void **state)
{
	char **list = shared_pcaps();
	struct ff_model m;
	char err[512];
	int i;

	(void)state;
	need_root();
	if (!list || !list[0]) {
		print_message("no ../shared/data/pcaps here: skipping the real captures\n");
		free_list(list);
		skip();
		return;
	}
	compared_rows = 0;
	assert_int_equal(ff_model_load("lab/models/handwritten.json", &m, err, sizeof(err)), 0);
	for (i = 0; list[i]; i++) {
		compare_one(list[i], NULL);
		compare_one(list[i], &m);
	}
	print_message("extract == replay on %d shared captures, %zu rows\n", i, compared_rows);
	assert_true(compared_rows > 1000);
	ff_model_free(&m);
	free_list(list);
}

/* ---- the twin's code path against the kernel's ---- */

struct evlist {
	struct ff_event *e;
	size_t n, cap;
};

static void ev_push(struct evlist *l, const struct ff_event *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		assert_non_null(l->e);
	}
	l->e[l->n++] = *e;
}

static void twin_event(const struct ff_twin_opts *o, const struct ff_event *e)
{
	ev_push(o->user, e);
}

static int kernel_event(void *ctx, void *data, size_t len)
{
	if (len >= sizeof(struct ff_event))
		ev_push(ctx, data);
	return 0;
}

/* Every frame of `path` through the twin's per-frame entry point. */
static void twin_run(const char *path, const struct ff_model *m, const struct ff_config *cfg,
		     struct evlist *ev, struct ff_counters *cnt, size_t *flows)
{
	struct ff_twin_opts to = { .model = m, .cfg = *cfg, .event = twin_event, .user = ev };
	struct ff_capture *cap = malloc(sizeof(*cap));
	struct ff_twin_stats st;
	struct ff_twin *tw = ff_twin_new(&to, &st);
	const __u8 *frame;
	char err[512];
	__u32 len;
	__u64 ts;
	int r;

	assert_non_null(cap);
	assert_non_null(tw);
	if (ff_capture_open(cap, path, err, sizeof(err)))
		fail_msg("%s", err);
	while ((r = ff_capture_next(cap, &frame, &len, &ts, err, sizeof(err))) == 1)
		assert_int_equal(ff_twin_packet(tw, frame, len, cap->wire_len, ts), 0);
	assert_int_equal(r, 0);
	ff_capture_close(cap);
	ff_twin_counters(tw, cnt);
	*flows = ff_twin_flows(tw);
	ff_twin_free(tw);
	free(cap);
}

/* The same frames through the loaded ff_xdp, as replay feeds them. */
static void kernel_run(const char *path, const struct ff_model *m, const struct ff_config *cfg,
		       size_t flows, struct evlist *ev, struct ff_counters *cnt)
{
	struct ff_load_opts lo = { .cfg = *cfg, .replay_clock = true,
				   .max_flows = flows * 2 + 4096 };
	struct ff_capture *cap = malloc(sizeof(*cap));
	struct ring_buffer *rb;
	struct ff_loader l;
	const __u8 *frame;
	char err[512];
	__u32 len, zero = 0, one = 1;
	__u64 ts;
	cpu_set_t cpus;
	int r;

	assert_non_null(cap);
	assert_int_equal(ff_replay_pin(&cpus), 0);	/* one CPU's per-CPU state */
	if (ff_loader_open(&l, &lo, err, sizeof(err)) ||
	    ff_loader_install_model(&l, m, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	rb = ring_buffer__new(l.maps.events, kernel_event, ev, NULL);
	assert_non_null(rb);
	if (ff_capture_open(cap, path, err, sizeof(err)))
		fail_msg("%s", err);
	while ((r = ff_capture_next(cap, &frame, &len, &ts, err, sizeof(err))) == 1) {
		LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = frame, .repeat = 1);
		__u64 ns = ts * 1000, wire = cap->wire_len;

		if (len < 14)
			continue;	/* test_run refuses it; the twin counts it */
		tr.data_size_in = len > FF_REPLAY_SNAPLEN ? FF_REPLAY_SNAPLEN : len;
		assert_int_equal(bpf_map_update_elem(FF_MAP_FD(&l, ff_clock), &zero, &ns, 0), 0);
		assert_int_equal(bpf_map_update_elem(FF_MAP_FD(&l, ff_clock), &one, &wire, 0), 0);
		assert_int_equal(bpf_prog_test_run_opts(FF_PROG_FD(&l, ff_xdp), &tr), 0);
		ring_buffer__consume(rb);
	}
	assert_int_equal(r, 0);
	ff_capture_close(cap);
	assert_int_equal(ff_loader_counters(&l, cnt), 0);
	ring_buffer__free(rb);
	ff_loader_close(&l);
	free(cap);
	ff_replay_unpin(&cpus);
}

static size_t twin_events_compared;

#define CLS_BENIGN 0	/* of lab/models/handwritten.json */

static __u64 first_drops_seen;	/* fast-path drops in the kernel runs */
static __u64 classifications_seen;	/* model runs in the kernel runs */

static void twin_vs_kernel(const char *path, const struct ff_model *m,
			   const struct ff_config *cfg)
{
	static const int same[] = {
		FF_C_FRAG_LATER, FF_C_FLOWS_CREATED, FF_C_CLASSIFICATIONS, FF_C_WALK_ERRORS,
		FF_C_EVENTS, FF_C_DROPPED, FF_C_ALERTED, FF_C_RECLASSIFIED, FF_C_FIRST_DROPS,
		FF_C_FIRST_MEMO, FF_C_HELD,
	};
	struct evlist et = {}, ek = {};
	struct ff_counters ct, ck;
	size_t flows, i;

	twin_run(path, m, cfg, &et, &ct, &flows);
	kernel_run(path, m, cfg, flows, &ek, &ck);
	for (i = 0; i < et.n && i < ek.n; i++)
		if (memcmp(&et.e[i], &ek.e[i], sizeof(et.e[i])))
			fail_msg("%s: event %zu differs: twin type %u class %u->%u at %llu us, "
				 "kernel type %u class %u->%u at %llu us (generation %u vs %u, action %u vs %u, score %u vs %u)", path, i,
				 et.e[i].type, et.e[i].prev_cls, et.e[i].cls,
				 (unsigned long long)et.e[i].ts_us, ek.e[i].type,
				 ek.e[i].prev_cls, ek.e[i].cls, (unsigned long long)ek.e[i].ts_us,
				 et.e[i].model_gen, ek.e[i].model_gen, et.e[i].action, ek.e[i].action,
				 et.e[i].score, ek.e[i].score);
	if (et.n != ek.n)
		fail_msg("%s: the twin emitted %zu events, the kernel %zu", path, et.n, ek.n);
	for (i = 0; i < FF_ARRAY_SIZE(same); i++)
		if (ct.c[same[i]] != ck.c[same[i]])
			fail_msg("%s: counter %s: twin %llu, kernel %llu", path,
				 ff_counter_names[same[i]], (unsigned long long)ct.c[same[i]],
				 (unsigned long long)ck.c[same[i]]);
	assert_memory_equal(ct.class_pkts, ck.class_pkts, sizeof(ct.class_pkts));
	assert_int_equal(ct.unclassified_pkts, ck.unclassified_pkts);
	twin_events_compared += et.n;
	first_drops_seen += ck.c[FF_C_FIRST_DROPS];
	classifications_seen += ck.c[FF_C_CLASSIFICATIONS];
	free(et.e);
	free(ek.e);
}

/* On the generated capture, with idle restarts (ended events) and a
 * schedule with periodic checkpoints, then on the shared captures. */
static void test_twin_equals_kernel(void **state)
{
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	char **list = shared_pcaps();
	struct ff_model m;
	char err[512];
	int i;

	(void)state;
	need_root();
	assert_int_equal(ff_model_load("lab/models/handwritten.json", &m, err, sizeof(err)), 0);
	twin_events_compared = 0;
	twin_vs_kernel(gen_path, &m, &cfg);
	cfg.idle_timeout_us = 500000;
	cfg.cp_every = 2;
	twin_vs_kernel(gen_path, &m, &cfg);
	assert_true(twin_events_compared > 100);
	/* the fast path for one-packet flows, with every dropped flow's event
	 * and with only the aggregates */
	cfg = (struct ff_config)FF_CONFIG_DEFAULT;
	cfg.first_fast = 1;
	first_drops_seen = 0;
	twin_vs_kernel(gen_path, &m, &cfg);	/* every flow admitted */
	m.actions[CLS_BENIGN] = FF_ACT_DROP;	/* most flows dropped at packet 1 */
	twin_vs_kernel(gen_path, &m, &cfg);
	assert_true(first_drops_seen > 1000);
	cfg.flood_events = 0;
	twin_vs_kernel(gen_path, &m, &cfg);
	m.actions[CLS_BENIGN] = FF_ACT_PASS;
	cfg = (struct ff_config)FF_CONFIG_DEFAULT;
	for (i = 0; list && list[i]; i++)
		twin_vs_kernel(list[i], &m, &cfg);
	print_message("twin == kernel: %zu events on the generated capture and %d shared ones\n",
		      twin_events_compared, i);
	ff_model_free(&m);
	free_list(list);
}

/* ---- a model that reads the context, with the one-packet fast path ---- */

/* Lone SYNs of one signature (port, window, TTL, options: only the source
 * and its port vary) to one service: 10 a second apart, then 300 in 30 ms,
 * then 10 a second apart again. */
static void write_syn_waves(const char *path)
{
	/* a classic pcap by hand: pcap.h's struct bpf_insn clashes with
	 * linux/bpf.h's here */
	const uint32_t hdr[6] = { 0xa1b2c3d4, 2 | 4u << 16, 0, 0, 65535, 1 /* Ethernet */ };
	FILE *f = fopen(path, "wb");
	struct pkt_spec s = {
		.family = 4, .proto = 6, .daddr = "10.7.0.1", .dport = 80,
		.tcp_flags = 0x02, .window = 64240, .tcp_opts_len = 20,
	};
	char saddr[32];
	uint8_t frame[256];
	__u64 t = 1000000;
	int i;

	assert_non_null(f);
	assert_int_equal(fwrite(hdr, sizeof(hdr), 1, f), 1);
	s.saddr = saddr;
	for (i = 0; i < 320; i++) {
		uint32_t rec[4];

		t += (i <= 10 || i >= 310) ? 1000000 : 100;
		snprintf(saddr, sizeof(saddr), "172.%u.%u.%u", 16 + i % 16, i / 16 % 256, 1 + i % 250);
		s.sport = 30000 + i;
		rec[0] = t / 1000000;
		rec[1] = t % 1000000;
		rec[2] = rec[3] = pkt_build(&s, frame, sizeof(frame));
		assert_int_equal(fwrite(rec, sizeof(rec), 1, f), 1);
		assert_int_equal(fwrite(frame, rec[2], 1, f), 1);
	}
	assert_int_equal(fclose(f), 0);
}

/* Flood when more than 20 flows opened to the service in 100 ms. */
static void ctx_model(struct ff_model *m)
{
	struct ff_xnode t[3] = {
		{ .feature = FF_F_CTX_SVC_FLOWS_100MS, .threshold = 20, .left = 1, .right = 2 },
		{ .feature = FF_NODE_LEAF, .left = 0, .right = 1 },
		{ .feature = FF_NODE_LEAF, .left = 1, .right = 1 },
	};
	char err[256];

	memset(m, 0, sizeof(*m));
	m->n_classes = 2;
	m->n_features = 1;
	m->feature_ids[0] = FF_F_CTX_SVC_FLOWS_100MS;
	snprintf(m->class_names[0], FF_NAME_MAX, "benign");
	snprintf(m->class_names[1], FF_NAME_MAX, "syn_flood");
	m->actions[1] = FF_ACT_DROP;
	assert_int_equal(ff_model_add_tree(m, t, 3, err, sizeof(err)), 0);
	assert_int_equal(ff_model_validate(m, err, sizeof(err)), 0);
}

/* A chain over every context feature: at link i, a flow whose feature is
 * above a threshold of its unit is class i % 2 (drop), else the next link;
 * the last link's left is benign. Every ctx row is read and decides. */
static void ctx_chain_model(struct ff_model *m)
{
	struct ff_xnode t[2 * FF_MAX_FEATURES + 1];
	char err[256];
	__u32 n = 0, fid;

	memset(m, 0, sizeof(*m));
	m->n_classes = 2;
	snprintf(m->class_names[0], FF_NAME_MAX, "benign");
	snprintf(m->class_names[1], FF_NAME_MAX, "crowd");
	m->actions[1] = FF_ACT_DROP;
	for (fid = FF_NUM_FLOW_FEATURES; fid < FF_NUM_FEATURES; fid++) {
		enum ff_unit u = ff_feature_table[fid].unit;

		m->feature_ids[m->n_features++] = fid;
		t[n] = (struct ff_xnode){ .feature = fid, .left = n + 2, .right = n + 1,
					  .threshold = u == FF_UNIT_PERMILLE ? 500 :
						       u == FF_UNIT_BYTES ? 20000 : 3 };
		t[n + 1] = (struct ff_xnode){ .feature = FF_NODE_LEAF, .left = fid % 2,
					      .right = 1 };
		n += 2;
	}
	t[n++] = (struct ff_xnode){ .feature = FF_NODE_LEAF, .left = 0, .right = 1 };
	assert_int_equal(ff_model_add_tree(m, t, n, err, sizeof(err)), 0);
	assert_int_equal(ff_model_validate(m, err, sizeof(err)), 0);
}

/*
 * The same SYN signature under another context gets another verdict with
 * --fast-first: the first-packet memo does not answer for a model that
 * splits on a ctx feature (FF_MODEL_F_CTX, from its trees), so the quiet
 * SYNs pass, the flood's drop from its 21st SYN on, the quiet ones after
 * it pass again; twin == kernel (events, counters, no memo answer) and
 * extract == replay. A model on the flow's own features keeps the memo.
 */
static void test_fast_first_context_model(void **state)
{
	char path[64];
	struct ff_config cfg = FF_CONFIG_DEFAULT;
	struct evlist ev = {};
	struct ff_counters cnt;
	struct ff_model m, hw;
	size_t flows, i, pass_before = 0, drops = 0, pass_after = 0;
	char err[512];

	(void)state;
	need_root();
	snprintf(path, sizeof(path), "/tmp/ff-parity-ctx-%d.pcap", getpid());
	write_syn_waves(path);
	ctx_model(&m);
	assert_true(m.flags & FF_MODEL_F_CTX);
	cfg.first_fast = 1;
	twin_run(path, &m, &cfg, &ev, &cnt, &flows);
	for (i = 0; i < ev.n; i++) {
		if (ev.e[i].type != FF_EV_CLASSIFIED)
			continue;
		if (ev.e[i].cls == 1)
			drops++;
		else if (ev.e[i].ts_us < 13000000)
			pass_before++;
		else
			pass_after++;
	}
	print_message("[ ctx     ] one SYN signature: %zu quiet passed, %zu of the flood's 300 "
		      "dropped, %zu quiet after it passed\n", pass_before, drops, pass_after);
	assert_int_equal(pass_before, 10 + 20);	/* the flood's first 20 too */
	assert_int_equal(drops, 280);
	assert_int_equal(pass_after, 10);
	assert_int_equal(cnt.c[FF_C_FIRST_MEMO], 0);
	assert_int_equal(cnt.c[FF_C_FIRST_DROPS], 280);
	twin_vs_kernel(path, &m, &cfg);
	cfg.flood_events = 0;	/* the memo's drop before the flow lookup: not either */
	twin_vs_kernel(path, &m, &cfg);
	/* every context row read and deciding, on varied traffic: twin ==
	 * kernel with and without the fast path */
	ff_model_free(&m);
	ctx_chain_model(&m);
	assert_true(m.flags & FF_MODEL_F_CTX);
	first_drops_seen = 0;
	twin_vs_kernel(gen_path, &m, &cfg);
	print_message("[ ctx     ] chain: %llu first drops\n", (unsigned long long)first_drops_seen);
	assert_true(first_drops_seen > 100);	/* the chain decides, both ways */
	cfg = (struct ff_config)FF_CONFIG_DEFAULT;
	classifications_seen = 0;
	twin_vs_kernel(gen_path, &m, &cfg);
	/* a drop at a flow's first packet: tentative (the default: the next
	 * checkpoint asks the model again) or held (FF_CP_FIRST_HOLDS, fewer
	 * model runs); twin == kernel both ways */
	{
		__u64 tentative = classifications_seen;

		classifications_seen = 0;
		cfg.cp_flags |= FF_CP_FIRST_HOLDS;
		twin_vs_kernel(gen_path, &m, &cfg);
		print_message("[ ctx     ] chain: %llu model runs with tentative first drops, %llu "
			      "with held ones\n", (unsigned long long)tentative,
			      (unsigned long long)classifications_seen);
		assert_true(classifications_seen < tentative);
		cfg.cp_flags &= ~FF_CP_FIRST_HOLDS;
	}
	cfg.first_fast = 1;
	ff_model_free(&m);
	ctx_model(&m);
	run_cfg.first_fast = 1;
	compare_one(path, &m);
	run_cfg = (struct ff_config)FF_CONFIG_DEFAULT;
	/* without ctx splits the memo answers (all but the first SYN) */
	assert_int_equal(ff_model_load("lab/models/handwritten.json", &hw, err, sizeof(err)), 0);
	assert_false(hw.flags & FF_MODEL_F_CTX);
	free(ev.e);
	memset(&ev, 0, sizeof(ev));
	cfg.flood_events = FF_FLOOD_EVENTS_ALL;
	twin_run(path, &hw, &cfg, &ev, &cnt, &flows);
	assert_int_equal(cnt.c[FF_C_FIRST_MEMO], 319);
	free(ev.e);
	ff_model_free(&hw);
	ff_model_free(&m);
	unlink(path);
}

/* ---- tshark oracle ---- */

struct conv {
	char a[80], b[80];	/* "addr:port", a < b */
	int proto;
	unsigned long long pkts, bytes;
	double start, end;	/* seconds */
	int approx_bytes;	/* tshark printed kB/MB */
};

struct convs {
	struct conv *c;
	size_t n, cap;
	size_t *idx;		/* open-addressing index into c, (size_t)-1 empty */
	size_t idx_cap;
};

static size_t conv_hash(const char *a, const char *b, int proto)
{
	size_t h = 1469598103934665603ULL ^ proto;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ULL;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ULL;
	return h;
}

static void conv_reindex(struct convs *cs)
{
	size_t i, j;

	free(cs->idx);
	cs->idx_cap = cs->idx_cap ? cs->idx_cap * 2 : 1024;
	cs->idx = malloc(cs->idx_cap * sizeof(*cs->idx));
	assert_non_null(cs->idx);
	memset(cs->idx, 0xff, cs->idx_cap * sizeof(*cs->idx));
	for (i = 0; i < cs->n; i++) {
		j = conv_hash(cs->c[i].a, cs->c[i].b, cs->c[i].proto) & (cs->idx_cap - 1);
		while (cs->idx[j] != (size_t)-1)
			j = (j + 1) & (cs->idx_cap - 1);
		cs->idx[j] = i;
	}
}

static struct conv *conv_find(struct convs *cs, const char *a, const char *b, int proto,
			      size_t *slot)
{
	size_t j;

	if (!cs->idx_cap)
		conv_reindex(cs);
	j = conv_hash(a, b, proto) & (cs->idx_cap - 1);
	for (; cs->idx[j] != (size_t)-1; j = (j + 1) & (cs->idx_cap - 1)) {
		struct conv *c = &cs->c[cs->idx[j]];

		if (c->proto == proto && !strcmp(c->a, a) && !strcmp(c->b, b))
			return c;
	}
	*slot = j;
	return NULL;
}

static struct conv *conv_get(struct convs *cs, const char *x, const char *y, int proto)
{
	const char *a = strcmp(x, y) <= 0 ? x : y, *b = a == x ? y : x;
	struct conv *c;
	size_t slot;

	c = conv_find(cs, a, b, proto, &slot);
	if (c)
		return c;
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 256;
		cs->c = realloc(cs->c, cs->cap * sizeof(*cs->c));
		assert_non_null(cs->c);
	}
	c = &cs->c[cs->n];
	memset(c, 0, sizeof(*c));
	snprintf(c->a, sizeof(c->a), "%s", a);
	snprintf(c->b, sizeof(c->b), "%s", b);
	c->proto = proto;
	c->start = 1e18;
	cs->idx[slot] = cs->n++;
	if (cs->n * 2 > cs->idx_cap)
		conv_reindex(cs);
	return c;
}

/* "10.0.0.1:80" or "[fd00::1]:80" -> "10.0.0.1:80" / "fd00::1:80" */
static void endpoint(const char *in, char *out, size_t n)
{
	char tmp[80];

	snprintf(tmp, sizeof(tmp), "%s", in);
	if (tmp[0] == '[') {
		char *close = strchr(tmp, ']');

		if (close) {
			*close = 0;
			snprintf(out, n, "%s%s", tmp + 1, close + 1);
			return;
		}
	}
	snprintf(out, n, "%s", tmp);
}

static double unit_mult(const char *u, int *approx)
{
	*approx = 1;
	if (!strcmp(u, "kB"))
		return 1e3;
	if (!strcmp(u, "MB"))
		return 1e6;
	*approx = 0;
	return 1;
}

static void tshark_convs(const char *path, struct convs *cs)
{
	char cmd[1024], line[1024];
	int proto = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "tshark -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE "
		 "--disable-protocol gre --disable-protocol vxlan -r '%s' -q "
		 "-z conv,tcp -z conv,udp 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char x[100], y[100], ea[80], eb[80], u1[8], u2[8], u3[8];
		unsigned long long f1, b1, f2, b2, ft, bt;
		double start, dur, m;
		struct conv *c;
		int approx;

		if (strstr(line, "TCP Conversations"))
			proto = 6;
		else if (strstr(line, "UDP Conversations"))
			proto = 17;
		if (sscanf(line, "%99s <-> %99s %llu %llu %7s %llu %llu %7s %llu %llu %7s %lf %lf",
			   x, y, &f1, &b1, u1, &f2, &b2, u2, &ft, &bt, u3, &start, &dur) != 13)
			continue;
		endpoint(x, ea, sizeof(ea));
		endpoint(y, eb, sizeof(eb));
		c = conv_get(cs, ea, eb, proto);
		m = unit_mult(u3, &approx);
		c->approx_bytes |= approx;
		c->pkts += ft;
		c->bytes += (unsigned long long)(bt * m);
		if (start < c->start)
			c->start = start;
		if (start + dur > c->end)
			c->end = start + dur;
	}
	pclose(p);
}

/* Column index by header name in a CSV header line. */
static int col_of(char **hdr, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(hdr[i], name))
			return i;
	fail_msg("no column '%s' in the CSV", name);
	return -1;
}

static int split(char *line, char **f, int max)
{
	int n = 0;

	while (line && n < max) {
		f[n++] = line;
		line = strchr(line, ',');
		if (line)
			*line++ = 0;
	}
	return n;
}

/* Our view: end-of-capture and idle rows of the extract CSV, summed per
 * conversation (tshark does not split a conversation on idle time). */
static void our_convs(const char *path, struct convs *cs, double *t0)
{
	size_t len;
	char *csv = run_csv(path, 0, NULL, &len), *line, *save = NULL;
	char *hdr[128], *f[128];
	int nh, c_reason, c_first, c_ts, c_src, c_sport, c_dst, c_dport, c_proto, c_fp, c_bp,
		c_fw, c_bw, c_id;

	line = strtok_r(csv, "\n", &save);
	nh = split(line, hdr, 128);
	c_id = col_of(hdr, nh, "Flow ID");
	c_reason = col_of(hdr, nh, "reason");
	c_first = col_of(hdr, nh, "first_us");
	c_ts = col_of(hdr, nh, "ts_us");
	c_src = col_of(hdr, nh, "Src IP");
	c_sport = col_of(hdr, nh, "Src Port");
	c_dst = col_of(hdr, nh, "Dst IP");
	c_dport = col_of(hdr, nh, "Dst Port");
	c_proto = col_of(hdr, nh, "Protocol");
	c_fp = col_of(hdr, nh, "Total Fwd Packet");
	c_bp = col_of(hdr, nh, "Total Bwd packets");
	c_fw = col_of(hdr, nh, "fwd_wire_bytes");
	c_bw = col_of(hdr, nh, "bwd_wire_bytes");
	*t0 = 1e18;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char ea[80], eb[80];
		double first, ts;
		struct conv *c;
		int proto;

		if (split(line, f, 128) != nh)
			fail_msg("bad CSV row");
		if (strcmp(f[c_reason], "end") && strcmp(f[c_reason], "idle"))
			continue;
		first = strtoull(f[c_first], NULL, 10) / 1e6;
		ts = strtoull(f[c_ts], NULL, 10) / 1e6;
		if (first < *t0)
			*t0 = first;
		proto = atoi(f[c_proto]);
		/* later fragments: tshark files them under IP, not UDP */
		if ((proto != 6 && proto != 17) || strstr(f[c_id], "-frag"))
			continue;
		snprintf(ea, sizeof(ea), "%s:%s", f[c_src], f[c_sport]);
		snprintf(eb, sizeof(eb), "%s:%s", f[c_dst], f[c_dport]);
		c = conv_get(cs, ea, eb, proto);
		c->pkts += strtoull(f[c_fp], NULL, 10) + strtoull(f[c_bp], NULL, 10);
		c->bytes += strtoull(f[c_fw], NULL, 10) + strtoull(f[c_bw], NULL, 10);
		if (first < c->start)
			c->start = first;
		if (ts > c->end)
			c->end = ts;
	}
	free(csv);
}

/*
 * Definitions differ in known ways, which the checks allow for:
 * - tshark counts Ethernet frame bytes (header, VLAN tags, padding to 60);
 *   flowforest counts IP packet bytes. Per packet the difference is 14 to
 *   14 + 8 + 46 bytes; tshark prints kB/MB (rounded) for large totals.
 * - tshark's durations are rounded to 0.1 ms.
 * - tshark looks inside tunnels (GRE, VXLAN) and reassembles fragments;
 *   flowforest keys a tunnel by its outer header and files later fragments
 *   in a port-less flow. Both are turned off in tshark for the comparison.
 * - tshark files a conversation's TCP streams separately when ports are
 *   reused; both sides are summed per address/port pair here.
 */
static int oracle_one(const char *path)
{
	struct convs ours = {}, theirs = {};
	double t0;
	size_t i, matched = 0;

	our_convs(path, &ours, &t0);
	tshark_convs(path, &theirs);
	for (i = 0; i < theirs.n; i++) {
		struct conv *t = &theirs.c[i], *o;
		double d_ours, d_theirs;
		size_t slot;

		o = conv_find(&ours, t->a, t->b, t->proto, &slot);
		if (!o) {
			print_error("%s: tshark has %s %s <-> %s, flowforest does not\n", path,
				    t->proto == 6 ? "tcp" : "udp", t->a, t->b);
			return -1;
		}
		if (o->pkts != t->pkts) {
			print_error("%s: %s <-> %s: %llu packets, tshark %llu\n", path, t->a, t->b,
				    o->pkts, t->pkts);
			return -1;
		}
		if (!t->approx_bytes &&
		    (t->bytes < o->bytes + 14 * o->pkts || t->bytes > o->bytes + 68 * o->pkts)) {
			print_error("%s: %s <-> %s: %llu IP bytes, tshark %llu frame bytes\n", path,
				    t->a, t->b, o->bytes, t->bytes);
			return -1;
		}
		d_ours = o->end - o->start;
		d_theirs = t->end - t->start;
		if (fabs(d_ours - d_theirs) > 0.00011) {
			print_error("%s: %s <-> %s: duration %.6f s, tshark %.4f s\n", path, t->a,
				    t->b, d_ours, d_theirs);
			return -1;
		}
		matched++;
	}
	/* and nothing of ours is missing from tshark */
	if (ours.n != theirs.n) {
		print_error("%s: flowforest has %zu TCP/UDP conversations, tshark %zu\n", path,
			    ours.n, theirs.n);
		return -1;
	}
	free(ours.c);
	free(theirs.c);
	free(ours.idx);
	free(theirs.idx);
	return (int)matched;
}

static void need_tshark(void)
{
	if (system("command -v tshark >/dev/null 2>&1")) {
		print_message("tshark is not installed (scripts/install-deps.sh installs it)\n");
		skip();
	}
}

static void test_tshark_generated(void **state)
{
	(void)state;
	need_tshark();
	assert_true(oracle_one(gen_path) > 100);
}

static void test_tshark_shared_pcaps(void **state)
{
	char **list = shared_pcaps();
	int i, total = 0, n;

	(void)state;
	need_tshark();
	if (!list || !list[0]) {
		print_message("no ../shared/data/pcaps here: skipping the real captures\n");
		free_list(list);
		skip();
		return;
	}
	for (i = 0; list[i]; i++) {
		n = oracle_one(list[i]);
		assert_true(n >= 0);
		total += n;
	}
	print_message("%d conversations in %d captures agree with tshark\n", total, i);
	free_list(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parity_generated),
		cmocka_unit_test(test_parity_custom_schedule),
		cmocka_unit_test(test_parity_phases),
		cmocka_unit_test(test_parity_small_context),
		cmocka_unit_test(test_parity_shared_pcaps),
		cmocka_unit_test(test_twin_equals_kernel),
		cmocka_unit_test(test_fast_first_context_model),
		cmocka_unit_test(test_tshark_generated),
		cmocka_unit_test(test_tshark_shared_pcaps),
	};

	return cmocka_run_group_tests_name("parity", tests, group_setup, group_teardown);
}
