// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "capture.h"
#include "cicout.h"
#include "extract.h"
#include "utrack.h"

static void on_snapshot(void *user, const struct ff_snapshot *s)
{
	const struct ff_extract_opts *o = user;

	ff_csv_row(o->csv, s);
}

/* The kernel's events: verdicts and ended flows for flow export; an ended
 * flow is CIC's row in CIC mode. */
static void on_event(void *user, const struct ff_flow *f, const struct ff_event *e)
{
	const struct ff_extract_opts *o = user;

	if (e->type == FF_EV_ENDED && o->cic)
		ff_cic_row(o->cic, &e->key, f);
	if (!o->exporter)
		return;
	if (e->type == FF_EV_ENDED)
		ff_export_flow(o->exporter, &e->key, f, e->ts_us, false);
	else
		ff_export_event(o->exporter, e);
}

/*
 * CIC's flow termination: at its flow timeout (from the flow's first
 * packet) the flow ends before the packet counts, and the next flow
 * carries the TCP connection's start on (Total TCP Flow Time).
 */
static int cic_ends_before(void *user, const struct ff_flow *f, __u64 now_us)
{
	const struct ff_extract_opts *o = user;

	return ff_cic_ends_before(o->cic, f, now_us);
}

static void cic_restart(void *user, const struct ff_flow_key *k, struct ff_flow *f)
{
	__u64 conn = f->cic.conn_first_us;

	ff_flow_reset(f);
	if (k->proto == FF_IPPROTO_TCP)
		f->cic.conn_first_us = conn;
}

static int cmp_first(const void *a, const void *b)
{
	const struct ff_uflow *x = *(const struct ff_uflow *const *)a;
	const struct ff_uflow *y = *(const struct ff_uflow *const *)b;

	if (x->st.first_us != y->st.first_us)
		return x->st.first_us < y->st.first_us ? -1 : 1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/* CIC's rows for the flows still open at the end, by first packet time. */
static int cic_end_rows(const struct ff_extract_opts *o, struct ff_flowtable *t)
{
	struct ff_uflow **all;
	size_t i, n = 0;

	if (t->count == 0)
		return 0;
	all = malloc(t->count * sizeof(*all));
	if (!all)
		return -1;
	for (i = 0; i < t->cap; i++)
		if (t->slots[i].used)
			all[n++] = &t->slots[i];
	qsort(all, n, sizeof(*all), cmp_first);
	for (i = 0; i < n; i++)
		ff_cic_row(o->cic, &all[i]->key, &all[i]->st);
	free(all);
	return 0;
}

void ff_extract_stats_from_counters(struct ff_extract_stats *st, const struct ff_counters *c)
{
	st->frames = c->c[FF_C_PACKETS];
	ff_parse_fail_from_counters(st->parse_fail, c);
	st->flows = c->c[FF_C_FLOWS_CREATED];
}

/* The end of the captures ends every flow: export, then one row each. */
static int end_flows(const struct ff_extract_opts *o, struct ff_track *t)
{
	size_t i;

	if (o->exporter)
		for (i = 0; i < t->table.cap; i++)
			if (t->table.slots[i].used)
				ff_export_flow(o->exporter, &t->table.slots[i].key,
					       &t->table.slots[i].st, t->table.slots[i].st.last_us,
					       true);
	if (o->cic)
		return cic_end_rows(o, &t->table);
	return ff_utrack_end(t);
}

static void progress(const char *path, const struct ff_track *t, __u64 pos, __u64 total,
		     double seconds)
{
	__u64 frames = t->cnt.c[FF_C_PACKETS];

	fprintf(stderr, "extract: %s: %llu packets, %zu flows, %.1f Mpps", path,
		(unsigned long long)frames, t->table.count, frames / seconds / 1e6);
	if (total)
		fprintf(stderr, ", %.0f%%", 100.0 * pos / total);
	fputc('\n', stderr);
}

int ff_extract(const char *const *paths, int n_paths, const struct ff_extract_opts *o,
	       struct ff_extract_stats *st, char *err, size_t errlen)
{
	struct ff_capture *cap;
	struct ff_track *t;
	double start = ff_mono_s(), next_report = start + 1;
	__u64 total_size = 0, done_size = 0;
	int i, rc = -1;

	memset(st, 0, sizeof(*st));
	cap = malloc(sizeof(*cap));
	t = malloc(sizeof(*t));
	if (!cap || !t || ff_utrack_init(t, 4096)) {
		free(cap);
		free(t);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->cfg = o->cfg;
	t->model = o->model;
	t->export_snapshots = o->csv != NULL;
	t->on_snapshot = o->csv ? on_snapshot : NULL;
	t->on_event = o->exporter || o->cic ? on_event : NULL;
	if (o->cic) {
		t->ends_before = cic_ends_before;
		t->restart = cic_restart;
	}
	t->user = (void *)o;
	if (o->progress)
		for (i = 0; i < n_paths; i++) {
			FILE *f = fopen(paths[i], "rb");

			if (f) {
				fseek(f, 0, SEEK_END);
				total_size += ftell(f);
				fclose(f);
			}
		}

	for (i = 0; i < n_paths; i++) {
		const __u8 *frame;
		__u32 len;
		__u64 now_us;
		int r;

		if (ff_capture_open(cap, paths[i], err, errlen))
			goto out;
		while ((r = ff_capture_next(cap, &frame, &len, &now_us, err, errlen)) == 1) {
			if (ff_utrack_frame(t, frame, len, cap->wire_len, now_us) < 0) {
				snprintf(err, errlen, "out of memory after %zu flows", t->table.count);
				ff_capture_close(cap);
				goto out;
			}
			if (o->exporter && t->cur)	/* the active timeout */
				ff_export_flow(o->exporter, &t->cur_key, t->cur, now_us, false);
			if (o->progress && (t->cnt.c[FF_C_PACKETS] & 0xffff) == 0 &&
			    ff_mono_s() >= next_report) {
				progress(paths[i], t, done_size + ff_capture_offset(cap), total_size,
					 ff_mono_s() - start);
				next_report = ff_mono_s() + 1;
			}
		}
		done_size += cap->size;
		ff_capture_close(cap);
		if (r < 0)
			goto out;
		if (cap->cut_short && !st->cut_short++)
			memcpy(st->cut_msg, cap->cut_msg, sizeof(st->cut_msg));
	}
	if (end_flows(o, t)) {
		snprintf(err, errlen, "out of memory writing %zu end-of-capture rows",
			 t->table.count);
		goto out;
	}
	rc = 0;
out:
	ff_extract_stats_from_counters(st, &t->cnt);
	st->rows = o->cic ? o->cic->rows : o->csv ? o->csv->rows : 0;
	st->seconds = ff_mono_s() - start;
	ff_utrack_free(t);
	free(t);
	free(cap);
	return rc;
}
