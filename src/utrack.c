// SPDX-License-Identifier: MIT
/* User-space storage glue for include/flowforest/track.h (see utrack.h). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "flowcsv.h"
#include "utrack.h"

static __always_inline const volatile struct ff_config *ff_trk_cfg(struct ff_track *t)
{
	return &t->cfg;
}

static __always_inline const struct ff_ctl *ff_trk_ctl(struct ff_track *t)
{
	return &t->ctl;
}

static __always_inline int ff_trk_listed(struct ff_track *t, int deny, const struct ff_pkt *p)
{
	return 0;
}

static __always_inline struct ff_flow *ff_trk_lookup(struct ff_track *t,
						     const struct ff_flow_key *k)
{
	t->cur = ff_flowtable_find(&t->table, k);
	t->cur_key = *k;
	return t->cur;
}

static __always_inline struct ff_flow *ff_trk_create(struct ff_track *t,
						     const struct ff_flow_key *k, __u64 now_us,
						     const struct ff_flow *init, int *created)
{
	t->cur = ff_flowtable_get(&t->table, k, created);
	if (!t->cur)
		t->oom = true;
	else if (init && *created)
		memcpy(t->cur, init, offsetof(struct ff_flow, fifo_pos));
	return t->cur;
}

static __always_inline struct ff_flow *ff_trk_first(struct ff_track *t)
{
	return &t->first;
}

static __always_inline struct ff_first_memo *ff_trk_memo(struct ff_track *t, __u32 slot)
{
	return &t->memo[slot & (FF_FIRST_MEMO_SLOTS - 1)];
}

static __always_inline struct ff_flood_slot *ff_trk_flood(struct ff_track *t, __u32 slot)
{
	return &t->flood[slot & (FF_FLOOD_SLOTS - 1)];
}

static __always_inline __u32 ff_trk_model_gen(struct ff_track *t)
{
	return t->model && t->model->n_trees ? t->generation : 0;
}

/* A model never validated has no feature set: it reads every feature
 * (ff_trk_feature_set), the context too. */
static __always_inline __u32 ff_trk_model_flags(struct ff_track *t)
{
	if (!t->model)
		return 0;
	return t->model->knodes ? t->model->flags : FF_MODEL_F_CTX;
}

/* The frame's capture time, whichever clock is asked for. */
static __always_inline __u64 ff_trk_now(struct ff_track *t, int coarse)
{
	return t->now_us;
}

static __always_inline int ff_trk_ends(struct ff_track *t, const struct ff_flow *f,
				       __u64 now_us)
{
	if (t->ends_before)
		return t->ends_before(t->user, f, now_us);
	return ff_flow_expired(f, now_us, &t->cfg);
}

static __always_inline void ff_trk_restart(struct ff_track *t, const struct ff_flow_key *k,
					   struct ff_flow *f)
{
	if (t->restart)
		t->restart(t->user, k, f);
	else
		ff_flow_reset(f);
}

static __always_inline void ff_trk_count(struct ff_track *t, const __u32 id)
{
	t->cnt.c[id]++;
}

static __always_inline void ff_trk_add(struct ff_track *t, const __u32 id, __u64 n)
{
	t->cnt.c[id] += n;
}

static __always_inline void ff_trk_class_pkt(struct ff_track *t, __u16 cls)
{
	if (cls == FF_CLASS_NONE)
		t->cnt.unclassified_pkts++;
	else
		t->cnt.class_pkts[cls & (FF_MAX_CLASSES - 1)]++;
}

static __always_inline struct ff_features *ff_trk_features(struct ff_track *t)
{
	return &t->fv;
}

static const struct ff_feature_set ff_fset_none, ff_fset_every = FF_FSET_ALL;

static __always_inline const struct ff_feature_set *ff_trk_feature_set(struct ff_track *t)
{
	if (t->export_snapshots || (t->model && !t->model->knodes))	/* never validated */
		return &ff_fset_every;
	return t->model ? &t->model->features : &ff_fset_none;
}

/* The model cannot change during a packet here: its features are there. */
static __always_inline int ff_trk_model(struct ff_track *t, __u32 pkts,
					const struct ff_features *fv, struct ff_verdict *v)
{
	const struct ff_model *m = t->model;

	if (!m || m->n_trees == 0)
		return -1;
	/* with t->actions: what installing with these actions writes */
	ff_model_run_actions(m, t->actions ? t->actions : m->actions, pkts, fv->v, v);
	v->generation = t->generation;
	return 0;
}

static __always_inline void ff_trk_event(struct ff_track *t, const struct ff_flow *f,
					 const struct ff_flow_key *k, __u16 prev, __u64 now_us,
					 __u8 type)
{
	struct ff_event e;

	ff_event_fill(&e, k, f, prev, now_us, type);
	ff_trk_count(t, FF_C_EVENTS);
	if (t->on_event)
		t->on_event(t->user, f, &e);
}

static __always_inline int ff_trk_exporting(struct ff_track *t)
{
	return t->export_snapshots;
}

static __always_inline void ff_trk_snapshot(struct ff_track *t, const struct ff_flow *f,
					    const struct ff_flow_key *k,
					    const struct ff_features *fv, __u8 reason, __u64 ts_us)
{
	struct ff_snapshot s;

	ff_snapshot_fill_fv(&s, k, f, fv, reason, ts_us);
	if (t->on_snapshot)
		t->on_snapshot(t->user, &s);
}

/* The table is allocated at its first use: the caller sets cfg after
 * ff_utrack_init(). */
static __always_inline struct ff_ctx_slot *ff_trk_ctx_slot(struct ff_track *t, __u32 idx)
{
	if (!t->ctx) {
		t->ctx_n = ff_ctx_entries(t->cfg.ctx_slots);	/* the clock's too */
		t->ctx = calloc(t->ctx_n, sizeof(*t->ctx));
		if (!t->ctx) {
			t->oom = true;
			return NULL;
		}
	}
	return idx < t->ctx_n ? &t->ctx[idx] : NULL;
}

#include "flowforest/track.h"

static __always_inline void ff_trk_ctx_update(struct ff_track *t, const struct ff_flow_key *k,
					      __u32 init_b, __u32 mask, __u32 bytes, __u64 now_us)
{
	ff_track_ctx_update(t, k, init_b, mask, bytes, now_us);
}

static __always_inline void ff_trk_ctx_packet(struct ff_track *t, struct ff_flow *f,
					      const struct ff_flow_key *k, const struct ff_pkt *p,
					      __u32 from_b, __u64 now_us)
{
	ff_track_ctx_packet(t, f, k, p, from_b, now_us);
}

static __always_inline void ff_trk_ctx_read(struct ff_track *t, const struct ff_flow_key *k,
					    __u32 init_b, __u64 now_us)
{
	(void)ff_track_ctx_read(t, k, init_b, now_us, &t->fv);
}

static __always_inline void ff_trk_checkpoint(struct ff_track *t, struct ff_flow *f,
					      const struct ff_flow_key *k, __u64 now_us,
					      __u32 reason)
{
	ff_track_checkpoint(t, f, k, now_us, reason);
}

static __always_inline void ff_trk_final_snapshot(struct ff_track *t, const struct ff_flow *f,
						  const struct ff_flow_key *k, __u32 reason)
{
	ff_track_final_snapshot(t, f, k, reason);
}

int ff_utrack_init(struct ff_track *t, size_t expected)
{
	memset(t, 0, sizeof(*t));
	t->generation = 1;
	return ff_flowtable_init(&t->table, expected);
}

void ff_utrack_free(struct ff_track *t)
{
	ff_flowtable_free(&t->table);
	free(t->ctx);
	t->ctx = NULL;
}

int ff_utrack_frame(struct ff_track *t, const __u8 *data, __u32 len, __u32 wire_len,
		    __u64 now_us)
{
	struct ff_frame fr = { data, len, wire_len };
	struct ff_pkt pkt;
	int action;

	memset(&pkt, 0, sizeof(pkt));
	t->cur = NULL;
	if (ff_track_account(t, ff_parse(&fr, 0, &pkt), len))
		return FF_ACT_PASS;
	t->now_us = now_us;
	action = ff_track_packet(t, &pkt);
	return t->oom ? -1 : action;
}

void ff_parse_fail_from_counters(__u64 *parse_fail, const struct ff_counters *c)
{
	parse_fail[FF_PARSE_NOT_IP] = c->c[FF_C_NOT_IP];
	parse_fail[FF_PARSE_TRUNCATED] = c->c[FF_C_TRUNCATED];
	parse_fail[FF_PARSE_MALFORMED] = c->c[FF_C_MALFORMED];
	parse_fail[FF_PARSE_UNSUPPORTED] = c->c[FF_C_UNSUPPORTED];
}

int ff_utrack_end(struct ff_track *t)
{
	struct ff_flowtable *tb = &t->table;
	struct ff_snapshot *all;
	size_t i, n = 0;

	ff_track_flood_flush(t);
	if (!t->export_snapshots || !t->on_snapshot || tb->count == 0)
		return 0;
	all = malloc(tb->count * sizeof(*all));
	if (!all)
		return -1;
	for (i = 0; i < tb->cap; i++) {
		const struct ff_uflow *u = &tb->slots[i];

		if (!u->used)
			continue;
		ff_features_compute(&u->st, &t->fv);
		ff_track_ctx_read(t, &u->key, u->st.initiator_is_b, u->st.last_us, &t->fv);
		ff_snapshot_fill_fv(&all[n++], &u->key, &u->st, &t->fv, FF_SNAP_END,
				    u->st.last_us);
	}
	qsort(all, n, sizeof(*all), ff_snapshot_cmp);
	for (i = 0; i < n; i++)
		t->on_snapshot(t->user, &all[i]);
	free(all);
	return 0;
}
