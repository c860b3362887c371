// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "capture.h"
#include "loader.h"
#include "flowforest.skel.h"
#include "replay.h"

struct replay_state {
	struct ff_csv *csv;
	bool collect;			/* end phase: gather, sort, then write */
	struct ff_snapshot *end;
	size_t n_end, cap_end;
	int oom;
};

static int on_snapshot(void *ctx, void *data, size_t len)
{
	struct replay_state *rs = ctx;
	const struct ff_snapshot *s = data;

	if (len < sizeof(*s))
		return 0;
	if (!rs->collect) {
		if (rs->csv)
			ff_csv_row(rs->csv, s);
		return 0;
	}
	if (rs->n_end == rs->cap_end) {
		size_t nc = rs->cap_end ? rs->cap_end * 2 : 1024;
		struct ff_snapshot *ne = realloc(rs->end, nc * sizeof(*ne));

		if (!ne) {
			rs->oom = 1;
			return -ENOMEM;
		}
		rs->end = ne;
		rs->cap_end = nc;
	}
	rs->end[rs->n_end++] = *s;
	return 0;
}

/* Export every flow left in the table, in a stable order. */
static int end_phase(struct ff_loader *l, struct ring_buffer *rb, struct replay_state *rs,
		     char *err, size_t errlen)
{
	int flows_fd = FF_MAP_FD(l, ff_flows);
	int key_fd = FF_MAP_FD(l, ff_snap_key);
	int prog_fd = FF_PROG_FD(l, ff_snapshot);
	struct ff_flow_key key, next;
	__u8 pkt[64] = {};
	__u32 zero = 0;
	void *prev = NULL;
	size_t i;

	rs->collect = true;
	while (bpf_map_get_next_key(flows_fd, prev, &next) == 0) {
		LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = 1);

		key = next;
		prev = &key;
		if (bpf_map_update_elem(key_fd, &zero, &key, BPF_ANY) ||
		    bpf_prog_test_run_opts(prog_fd, &tr)) {
			snprintf(err, errlen, "exporting a flow failed: %s", strerror(errno));
			return -1;
		}
		ring_buffer__consume(rb);
		if (rs->oom) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	qsort(rs->end, rs->n_end, sizeof(*rs->end), ff_snapshot_cmp);
	for (i = 0; rs->csv && i < rs->n_end; i++)
		ff_csv_row(rs->csv, &rs->end[i]);
	return 0;
}

int ff_replay_pin(cpu_set_t *saved)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (sched_getaffinity(0, sizeof(*saved), saved) || cpu < 0)
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

void ff_replay_unpin(const cpu_set_t *saved)
{
	sched_setaffinity(0, sizeof(*saved), saved);
}

int ff_replay(const char *const *paths, int n_paths, const struct ff_replay_opts *o,
	      struct ff_extract_stats *st, char *err, size_t errlen)
{
	cpu_set_t cpus;
	int pinned = 0;
	struct ff_extract_opts scan = { .cfg = o->cfg };
	struct ff_extract_stats scan_st;
	struct ff_load_opts lo = { .cfg = o->cfg, .replay_clock = true,
				   .export_snapshots = true };
	struct replay_state rs = { .csv = o->csv };
	struct ff_loader l = {};
	struct ring_buffer *rb = NULL;
	struct ff_capture *cap = NULL;
	struct ff_counters cnt;
	double start = ff_mono_s(), next_report = start + 1;
	__u32 zero = 0;
	int i, r, prog_fd, clock_fd, rc = -1;

	memset(st, 0, sizeof(*st));
	/* Size the kernel's table from a dry run so that nothing is evicted:
	 * an eviction would make the kernel forget what extract remembers. */
	if (ff_extract(paths, n_paths, &scan, &scan_st, err, errlen))
		return -1;
	lo.max_flows = scan_st.flows * 2 + 4096;

	if (ff_loader_open(&l, &lo, err, errlen))
		return -1;
	if (o->model && ff_loader_install_model(&l, o->model, NULL, err, errlen))
		goto out;
	rb = ring_buffer__new(FF_MAP_FD(&l, ff_snapshots), on_snapshot, &rs, NULL);
	cap = malloc(sizeof(*cap));
	if (!rb || !cap) {
		snprintf(err, errlen, "cannot set up the snapshot ring buffer");
		goto out;
	}
	prog_fd = FF_PROG_FD(&l, ff_xdp);
	clock_fd = FF_MAP_FD(&l, ff_clock);
	pinned = ff_replay_pin(&cpus) == 0;

	for (i = 0; i < n_paths; i++) {
		const __u8 *frame;
		__u32 len;
		__u64 ts_us;

		if (ff_capture_open(cap, paths[i], err, errlen))
			goto out;
		while ((r = ff_capture_next(cap, &frame, &len, &ts_us, err, errlen)) == 1) {
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = frame, .repeat = 1);
			__u64 ns = ts_us * 1000, wire = cap->wire_len;
			__u32 one = 1;

			st->frames++;
			if (len < 14) {
				/* too short for an XDP test run; the parser
				 * would call it truncated */
				st->parse_fail[FF_PARSE_TRUNCATED]++;
				continue;
			}
			tr.data_size_in = len > FF_REPLAY_SNAPLEN ? FF_REPLAY_SNAPLEN : len;
			/* The clock, and the length the frame had before the
			 * capture's snap length (and ours) cut it. */
			if (bpf_map_update_elem(clock_fd, &zero, &ns, BPF_ANY) ||
			    bpf_map_update_elem(clock_fd, &one, &wire, BPF_ANY) ||
			    bpf_prog_test_run_opts(prog_fd, &tr)) {
				snprintf(err, errlen, "%s: test run of frame %llu failed: %s",
					 paths[i], (unsigned long long)cap->frames, strerror(errno));
				ff_capture_close(cap);
				goto out;
			}
			ring_buffer__consume(rb);
			if (o->progress && (st->frames & 0x3fff) == 0 && ff_mono_s() >= next_report) {
				fprintf(stderr, "replay: %s: %llu packets, %.0f kpps\n", paths[i],
					(unsigned long long)st->frames,
					st->frames / (ff_mono_s() - start) / 1e3);
				next_report = ff_mono_s() + 1;
			}
		}
		ff_capture_close(cap);
		if (r < 0)
			goto out;
		if (cap->cut_short && !st->cut_short++)
			memcpy(st->cut_msg, cap->cut_msg, sizeof(st->cut_msg));
	}
	if (end_phase(&l, rb, &rs, err, errlen))
		goto out;
	if (ff_loader_counters(&l, &cnt) == 0) {
		/* frames too short for a test run never reached the kernel */
		__u64 frames = st->frames, too_short = st->parse_fail[FF_PARSE_TRUNCATED];

		ff_extract_stats_from_counters(st, &cnt);
		st->frames = frames;
		st->parse_fail[FF_PARSE_TRUNCATED] += too_short;
		if (cnt.c[FF_C_SNAPSHOTS_LOST]) {
			snprintf(err, errlen, "the kernel lost %llu snapshots (ring buffer full)",
				 (unsigned long long)cnt.c[FF_C_SNAPSHOTS_LOST]);
			goto out;
		}
	}
	rc = 0;
out:
	if (pinned)
		ff_replay_unpin(&cpus);
	st->rows = o->csv ? o->csv->rows : 0;
	st->seconds = ff_mono_s() - start;
	free(rs.end);
	free(cap);
	ring_buffer__free(rb);
	ff_loader_close(&l);
	return rc;
}
