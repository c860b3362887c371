/* SPDX-License-Identifier: MIT */
/*
 * The per-packet sequence, once, for the BPF programs and user space
 * (extract, the twin): account the parse result; deny list; look up or
 * create the flow; idle restart (an `ended` event, a final snapshot); flow
 * update; checkpoint decision (schedule, FIN/RST, operator's reclassify);
 * at a checkpoint: features, the model, the verdict cached in the flow, a
 * `classified`/`changed` event, a snapshot; then the cached verdict, with
 * the allow list overriding a drop.
 *
 * The includer supplies storage and clock only, as the static inline
 * functions declared below (as parse.h asks for ff_load and model.h for
 * the walk's nodes), around its own `struct ff_track`:
 *
 *   ff_trk_cfg, ff_trk_ctl      the schedule and the operator's state
 *   ff_trk_listed               is an endpoint in the allow or deny list
 *   ff_trk_lookup, ff_trk_create  the flow table
 *   ff_trk_ends, ff_trk_restart  when a flow ends before a packet (the idle
 *                               timeout; CIC's flow timeout offline) and
 *                               how its entry starts over
 *   ff_trk_count, ff_trk_add, ff_trk_class_pkt  counters
 *   ff_trk_features             scratch space for one feature vector
 *   ff_trk_model                the active model's verdict on it
 *   ff_trk_event                an event for flow f (the includer reserves
 *                               the record and fills it with ff_event_fill)
 *   ff_trk_exporting, ff_trk_snapshot  feature snapshots (replay, extract)
 *   ff_trk_checkpoint, ff_trk_final_snapshot  how ff_track_checkpoint() and
 *                               ff_track_final_snapshot() are called: in BPF
 *                               through global functions, which the verifier
 *                               checks once each, in user space directly.
 */
#ifndef FLOWFOREST_TRACK_H
#define FLOWFOREST_TRACK_H

#include "common.h"
#include "parse.h"
#include "flow.h"
#include "features.h"
#include "model.h"
#include "events.h"
#include "ctl.h"

struct ff_track;

/* ---- glue: defined by the includer -------------------------------------- */

static __always_inline const volatile struct ff_config *ff_trk_cfg(struct ff_track *t);
static __always_inline const struct ff_ctl *ff_trk_ctl(struct ff_track *t);
/* 1 when either endpoint of `p` is in the deny (deny = 1) or allow list. */
static __always_inline int ff_trk_listed(struct ff_track *t, int deny, const struct ff_pkt *p);
static __always_inline struct ff_flow *ff_trk_lookup(struct ff_track *t,
						     const struct ff_flow_key *k);
/* Insert a zeroed flow (making room first if the includer evicts); the
 * entry, or NULL when there is none. *created: this call inserted it. */
static __always_inline struct ff_flow *ff_trk_create(struct ff_track *t,
						     const struct ff_flow_key *k, __u64 now_us,
						     int *created);
/* 1 when flow `f` ends before the packet at `now_us`, which then starts a
 * new flow in the same entry. */
static __always_inline int ff_trk_ends(struct ff_track *t, const struct ff_flow *f,
				       __u64 now_us);
/* Start the entry over for a new flow (ff_flow_reset(), and whatever the
 * includer carries over). */
static __always_inline void ff_trk_restart(struct ff_track *t, const struct ff_flow_key *k,
					   struct ff_flow *f);
/* `id` is a constant FF_C_* at every call site. */
static __always_inline void ff_trk_count(struct ff_track *t, const __u32 id);
static __always_inline void ff_trk_add(struct ff_track *t, const __u32 id, __u64 n);
/* A tracked packet of class `cls` (FF_CLASS_NONE: not classified yet). */
static __always_inline void ff_trk_class_pkt(struct ff_track *t, __u16 cls);
static __always_inline struct ff_features *ff_trk_features(struct ff_track *t);
/* The verdict on `fv` for a flow of `pkts` packets: 0, or -1 for none. */
static __always_inline int ff_trk_model(struct ff_track *t, __u32 pkts,
					const struct ff_features *fv, struct ff_verdict *v);
static __always_inline void ff_trk_event(struct ff_track *t, const struct ff_flow *f,
					 const struct ff_flow_key *k, __u16 prev, __u64 now_us,
					 __u8 type);
static __always_inline int ff_trk_exporting(struct ff_track *t);
static __always_inline void ff_trk_snapshot(struct ff_track *t, const struct ff_flow *f,
					    const struct ff_flow_key *k,
					    const struct ff_features *fv, __u8 reason, __u64 ts_us);
static __always_inline void ff_trk_checkpoint(struct ff_track *t, struct ff_flow *f,
					      const struct ff_flow_key *k, __u64 now_us,
					      __u32 reason);
static __always_inline void ff_trk_final_snapshot(struct ff_track *t, const struct ff_flow *f,
						  const struct ff_flow_key *k, __u32 reason);

/* ---- the sequence ------------------------------------------------------- */

/* Count a frame and its parse result; 0 when the packet is to be tracked. */
static __always_inline int ff_track_account(struct ff_track *t, int parse_result,
					    __u32 frame_len)
{
	ff_trk_count(t, FF_C_PACKETS);
	ff_trk_add(t, FF_C_BYTES, frame_len);
	switch (parse_result) {
	case FF_PARSE_OK:
		return 0;
	case FF_PARSE_NOT_IP:
		ff_trk_count(t, FF_C_NOT_IP);
		break;
	case FF_PARSE_TRUNCATED:
		ff_trk_count(t, FF_C_TRUNCATED);
		break;
	case FF_PARSE_UNSUPPORTED:
		ff_trk_count(t, FF_C_UNSUPPORTED);
		break;
	default:
		ff_trk_count(t, FF_C_MALFORMED);
		break;
	}
	return -1;
}

/* A checkpoint: features of `f`, the model's verdict cached in `f`, an
 * event when the class changes, a snapshot when exporting. A drop holds
 * (FF_CP_DROPS_HOLD): the cached verdict stands, no model run, unless the
 * operator asked for new verdicts since (reclassify). */
static __always_inline void ff_track_checkpoint(struct ff_track *t, struct ff_flow *f,
						const struct ff_flow_key *k, __u64 now_us,
						__u32 reason)
{
	const volatile struct ff_config *cfg = ff_trk_cfg(t);
	const struct ff_ctl *ctl = ff_trk_ctl(t);
	struct ff_features *fv = ff_trk_features(t);
	struct ff_verdict v = {};
	__u16 prev;

	if (!fv || !cfg || !ctl)
		return;
	ff_features_compute(f, fv);
	if (ff_verdict_holds(cfg, f->action == FF_ACT_DROP, f->model_gen < ctl->reclass_gen))
		ff_trk_count(t, FF_C_HELD);
	else if (ff_trk_model(t, ff_flow_pkts(f), fv, &v) == 0) {
		prev = f->cls;
		ff_trk_count(t, FF_C_CLASSIFICATIONS);
		if (v.errors)
			ff_trk_add(t, FF_C_WALK_ERRORS, v.errors);
		f->cls = v.cls;
		f->score = v.score;
		f->action = v.action < FF_ACT__MAX ? v.action : FF_ACT_PASS;
		f->decided_pkts = ff_flow_pkts(f);
		f->decided_us = now_us;
		f->model_gen = v.generation;
		if (prev != v.cls)
			ff_trk_event(t, f, k, prev, now_us,
				     prev == FF_CLASS_NONE ? FF_EV_CLASSIFIED : FF_EV_CHANGED);
	}
	if (ff_trk_exporting(t))
		ff_trk_snapshot(t, f, k, fv, reason, now_us);
}

/* The features of a flow's last state (idle restart, end of a capture). */
static __always_inline void ff_track_final_snapshot(struct ff_track *t, const struct ff_flow *f,
						    const struct ff_flow_key *k, __u32 reason)
{
	struct ff_features *fv = ff_trk_features(t);

	if (!fv)
		return;
	ff_features_compute(f, fv);
	ff_trk_snapshot(t, f, k, fv, reason, f->last_us);
}

/* Is the deny list's drop overridden by the allow list? The lists are
 * looked up only while they hold entries. */
static __always_inline int ff_track_denied(struct ff_track *t, const struct ff_ctl *ctl,
					   const struct ff_pkt *p)
{
	return ctl->n_deny && ff_trk_listed(t, 1, p) && !(ctl->n_allow && ff_trk_listed(t, 0, p));
}

/*
 * Everything after parsing, for one packet at `now_us`. Returns the enum
 * ff_action to apply.
 */
static __always_inline int ff_track_packet(struct ff_track *t, const struct ff_pkt *p,
					   __u64 now_us)
{
	const volatile struct ff_config *cfg = ff_trk_cfg(t);
	const struct ff_ctl *ctl = ff_trk_ctl(t);
	struct ff_flow_key key;
	struct ff_flow *f;
	int from_b, created = 0, cp, action;

	if (!cfg || !ctl)
		return FF_ACT_PASS;
	if (ff_track_denied(t, ctl, p)) {
		ff_trk_count(t, FF_C_DENIED);
		ff_trk_count(t, FF_C_DROPPED);
		return FF_ACT_DROP;
	}
	if (p->frag == FF_FRAG_LATER)
		ff_trk_count(t, FF_C_FRAG_LATER);

	from_b = ff_flow_key_make(p, &key);
	f = ff_trk_lookup(t, &key);
	if (!f) {
		f = ff_trk_create(t, &key, now_us, &created);
		if (!f) {
			ff_trk_count(t, FF_C_FLOW_ALLOC_FAIL);
			return FF_ACT_PASS;
		}
		if (created)
			ff_trk_count(t, FF_C_FLOWS_CREATED);
	}
	if (ff_trk_ends(t, f, now_us)) {
		/* the old flow ends here; this packet starts a new one */
		if (ff_trk_exporting(t))
			ff_trk_final_snapshot(t, f, &key, FF_SNAP_IDLE);
		ff_trk_event(t, f, &key, f->cls, now_us, FF_EV_ENDED);
		ff_trk_restart(t, &key, f);
		ff_trk_count(t, FF_C_FLOWS_CREATED);
	}

	cp = ff_flow_update(f, p, from_b, now_us, cfg);
	if (!cp && f->cls != FF_CLASS_NONE && f->model_gen < ctl->reclass_gen) {
		/* decided by an older model and the operator asked for a new
		 * verdict: this packet is a checkpoint */
		cp = FF_CP_COUNT;
		ff_trk_count(t, FF_C_RECLASSIFIED);
	}
	if (cp)
		ff_trk_checkpoint(t, f, &key, now_us,
				  (cp & FF_CP_FIN) ? FF_SNAP_FIN : FF_SNAP_CHECKPOINT);

	ff_trk_class_pkt(t, f->cls);
	if (f->cls == FF_CLASS_NONE)
		return FF_ACT_PASS;
	action = f->action;
	if (action == FF_ACT_DROP && ctl->n_allow && ff_trk_listed(t, 0, p)) {
		ff_trk_count(t, FF_C_ALLOWED);
		return FF_ACT_PASS;
	}
	if (action == FF_ACT_DROP)
		ff_trk_count(t, FF_C_DROPPED);
	else if (action == FF_ACT_ALERT)
		ff_trk_count(t, FF_C_ALERTED);
	return action;
}

#endif /* FLOWFOREST_TRACK_H */
