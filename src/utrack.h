/* SPDX-License-Identifier: MIT */
/*
 * The per-packet sequence of include/flowforest/track.h in user space:
 * the storage glue (the user-space flow table, counters in a struct
 * ff_counters as the kernel keeps them, the model walked with the kernel's
 * code) behind one call per frame. extract and the twin run their packets
 * through it; what they do with events and snapshots is theirs.
 */
#ifndef FLOWFOREST_UTRACK_H
#define FLOWFOREST_UTRACK_H

#include <stdbool.h>
#include "flowtable.h"
#include "model_file.h"
#include "flowforest/first.h"

struct ff_track {
	struct ff_flowtable table;
	struct ff_config cfg;
	struct ff_ctl ctl;		/* no allow or deny lists offline */
	struct ff_counters cnt;		/* the kernel's counters */
	struct ff_features fv;		/* scratch */
	struct ff_flow first;		/* one-packet flows (first.h) */
	struct ff_first_memo memo[FF_FIRST_MEMO_SLOTS];
	struct ff_flood_slot flood[FF_FLOOD_SLOTS];
	struct ff_ctx_slot *ctx;	/* the context table (NULL: not yet) */
	__u32 ctx_n;			/* its entries: ff_ctx_entries(cfg.ctx_slots) */
	const struct ff_model *model;	/* NULL: no verdicts */
	const __u32 *actions;		/* per class; NULL: the model's */
	__u32 generation;		/* the model's, as installing it would give: 1 */
	bool export_snapshots;		/* call on_snapshot at checkpoints and restarts */
	/* an event for flow `f` (before an idle restart resets it) */
	void (*on_event)(void *user, const struct ff_flow *f, const struct ff_event *e);
	void (*on_snapshot)(void *user, const struct ff_snapshot *s);
	/* another rule for when a flow ends (NULL: the idle timeout), and
	 * for how its entry starts over (NULL: ff_flow_reset) */
	int (*ends_before)(void *user, const struct ff_flow *f, __u64 now_us);
	void (*restart)(void *user, const struct ff_flow_key *k, struct ff_flow *f);
	void *user;
	bool oom;			/* the flow table could not grow */
	__u64 now_us;			/* the current frame's time (ff_trk_now) */
	struct ff_flow *cur;		/* the last frame's flow (NULL: none), valid */
	struct ff_flow_key cur_key;	/* until the next frame */
};

/* Zeroed state with a table for about `expected` flows; 0 or -1. The
 * caller sets cfg, model, callbacks afterwards. */
int ff_utrack_init(struct ff_track *t, size_t expected);
void ff_utrack_free(struct ff_track *t);
/* One Ethernet frame of `len` bytes (`wire_len` on the wire, 0: len) at
 * `now_us`: the enum ff_action, or -1 when out of memory. */
int ff_utrack_frame(struct ff_track *t, const __u8 *data, __u32 len, __u32 wire_len,
		    __u64 now_us);
/* parse_fail[enum ff_parse_result] from the counters of those results. */
void ff_parse_fail_from_counters(__u64 *parse_fail, const struct ff_counters *c);
/* The snapshot of every flow left (end of a capture), ordered by
 * ff_snapshot_cmp, into on_snapshot; 0 or -1 when out of memory. */
int ff_utrack_end(struct ff_track *t);

#endif
