// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "capture.h"
#include "cicout.h"
#include "extract.h"
#include "flowtable.h"

static void emit(const struct ff_extract_opts *o, const struct ff_flow_key *k,
		 const struct ff_flow *f, __u8 reason, __u64 ts)
{
	struct ff_snapshot s;

	if (!o->csv)
		return;
	ff_snapshot_fill(&s, k, f, reason, ts);
	ff_csv_row(o->csv, &s);
}

/* The kernel's checkpoint, in user space: verdict cached in the flow. */
static void checkpoint(const struct ff_extract_opts *o, const struct ff_flow_key *k,
		       struct ff_flow *f, int cp, __u64 now_us)
{
	if (o->model) {
		struct ff_features fv;
		struct ff_verdict v;
		__u16 prev = f->cls;

		ff_features_compute(f, &fv);
		ff_model_run(o->model, ff_flow_pkts(f), fv.v, &v);
		f->cls = v.cls;
		f->score = v.score;
		f->action = v.action;
		f->decided_pkts = ff_flow_pkts(f);
		f->decided_us = now_us;
		if (o->exporter && prev != f->cls) {	/* the kernel's event, for export */
			struct ff_event e;

			ff_export_event_fill(&e, k, f, prev, now_us,
					     prev == FF_CLASS_NONE ? FF_EV_CLASSIFIED : FF_EV_CHANGED);
			ff_export_event(o->exporter, &e);
		}
	}
	emit(o, k, f, (cp & FF_CP_FIN) ? FF_SNAP_FIN : FF_SNAP_CHECKPOINT, now_us);
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

/*
 * CIC's flow termination, before the packet counts: at its flow timeout
 * the flow's row is written and the packet starts the next flow, which
 * carries the TCP connection's start on (Total TCP Flow Time).
 */
static int cic_split(const struct ff_extract_opts *o, const struct ff_flow_key *k,
		     struct ff_flow *f, __u64 now_us)
{
	__u64 conn = f->cic.conn_first_us;

	if (!ff_cic_ends_before(o->cic, f, now_us))
		return 0;
	ff_cic_row(o->cic, k, f);
	memset(f, 0, sizeof(*f));
	if (k->proto == FF_IPPROTO_TCP)
		f->cic.conn_first_us = conn;
	return 1;
}

static int end_rows(const struct ff_extract_opts *o, struct ff_flowtable *t)
{
	if (o->cic)
		return cic_end_rows(o, t);
	struct ff_snapshot *all;
	size_t i, n = 0;

	if (o->exporter)	/* the capture ends: so does every flow */
		for (i = 0; i < t->cap; i++)
			if (t->slots[i].used)
				ff_export_flow(o->exporter, &t->slots[i].key, &t->slots[i].st,
					       t->slots[i].st.last_us, true);
	if (!o->csv || t->count == 0)
		return 0;
	all = malloc(t->count * sizeof(*all));
	if (!all)
		return -1;
	for (i = 0; i < t->cap; i++)
		if (t->slots[i].used)
			ff_snapshot_fill(&all[n++], &t->slots[i].key, &t->slots[i].st,
					 FF_SNAP_END, t->slots[i].st.last_us);
	qsort(all, n, sizeof(*all), ff_snapshot_cmp);
	for (i = 0; i < n; i++)
		ff_csv_row(o->csv, &all[i]);
	free(all);
	return 0;
}

int ff_extract(const char *const *paths, int n_paths, const struct ff_extract_opts *o,
	       struct ff_extract_stats *st, char *err, size_t errlen)
{
	struct ff_capture *cap;
	struct ff_flowtable t;
	double start = ff_mono_s(), next_report = start + 1;
	__u64 total_size = 0, done_size = 0;
	int i, rc = -1;

	memset(st, 0, sizeof(*st));
	cap = malloc(sizeof(*cap));
	if (!cap || ff_flowtable_init(&t, 4096)) {
		free(cap);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
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
			struct ff_frame fr = { frame, len, cap->wire_len };
			struct ff_pkt pkt;
			struct ff_flow_key key;
			struct ff_flow *f;
			int from_b, created, cp, pr;

			st->frames++;
			memset(&pkt, 0, sizeof(pkt));
			pr = ff_parse(&fr, 0, &pkt);
			if (pr != FF_PARSE_OK) {
				if (pr > 0 && pr < FF_PARSE__MAX)
					st->parse_fail[pr]++;
				continue;
			}
			from_b = ff_flow_key_make(&pkt, &key);
			f = ff_flowtable_get(&t, &key, &created);
			if (!f) {
				snprintf(err, errlen, "out of memory after %zu flows", t.count);
				ff_capture_close(cap);
				goto out;
			}
			if (!created && o->cic) {
				st->flows += cic_split(o, &key, f, now_us);
			} else if (!created && ff_flow_expired(f, now_us, &o->cfg)) {
				emit(o, &key, f, FF_SNAP_IDLE, f->last_us);
				if (o->exporter)
					ff_export_flow(o->exporter, &key, f, now_us, false);
				memset(f, 0, sizeof(*f));
				st->flows++;
			}
			st->flows += created;
			cp = ff_flow_update(f, &pkt, from_b, now_us, &o->cfg);
			if (cp)
				checkpoint(o, &key, f, cp, now_us);
			if (o->exporter)	/* the active timeout */
				ff_export_flow(o->exporter, &key, f, now_us, false);

			if (o->progress && (st->frames & 0xffff) == 0 && ff_mono_s() >= next_report) {
				double t_now = ff_mono_s();
				__u64 pos = done_size + ff_capture_offset(cap);

				fprintf(stderr, "extract: %s: %llu packets, %zu flows, %.1f Mpps",
					paths[i], (unsigned long long)st->frames, t.count,
					st->frames / (t_now - start) / 1e6);
				if (total_size)
					fprintf(stderr, ", %.0f%%", 100.0 * pos / total_size);
				fputc('\n', stderr);
				next_report = t_now + 1;
			}
		}
		done_size += cap->size;
		ff_capture_close(cap);
		if (r < 0)
			goto out;
		if (cap->cut_short && !st->cut_short++)
			memcpy(st->cut_msg, cap->cut_msg, sizeof(st->cut_msg));
	}
	if (end_rows(o, &t)) {
		snprintf(err, errlen, "out of memory writing %zu end-of-capture rows", t.count);
		goto out;
	}
	rc = 0;
out:
	st->rows = o->cic ? o->cic->rows : o->csv ? o->csv->rows : 0;
	st->seconds = ff_mono_s() - start;
	ff_flowtable_free(&t);
	free(cap);
	return rc;
}
