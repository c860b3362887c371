/* SPDX-License-Identifier: MIT */
/* Records the kernel hands to user space: ring-buffer events, feature
 * snapshots and per-CPU counters. Fixed-width fields only, no pointers.
 * The control plane's structs (lists, operator state, eviction queue) are
 * in ctl.h. */
#ifndef FLOWFOREST_EVENTS_H
#define FLOWFOREST_EVENTS_H

#include "common.h"
#include "flow.h"
#include "model.h"
#include "parse.h"
#include "features.h"

enum ff_event_type {
	FF_EV_CLASSIFIED = 1,	/* a flow's first verdict */
	FF_EV_CHANGED = 2,	/* a later checkpoint changed the class */
	FF_EV_EVICTED = 3,	/* removed to make room in a full table */
	FF_EV_ENDED = 4,	/* silent past the idle timeout; a new flow starts */
	FF_EV_FLOOD = 5,	/* one-packet flows to one responder dropped in an
				 * interval without entering the table (first.h):
				 * pkts and bytes are theirs, the key the first's */
};

struct ff_event {
	__u64 ts_us;		/* clock of the packet that decided */
	__u64 first_us;
	__u64 last_us;
	__u64 pkts;
	__u64 bytes;		/* wire bytes, both directions */
	struct ff_flow_key key;
	__u16 cls;
	__u16 prev_cls;		/* FF_CLASS_NONE for FF_EV_CLASSIFIED */
	__u16 score;		/* permille */
	__u8 type;		/* enum ff_event_type */
	__u8 action;		/* enum ff_action */
	__u8 initiator_is_b;
	__u8 tcp_flags;		/* FF_TCP_* bits seen in the flow, either direction */
	__u8 pad[2];
	__u32 model_gen;
	__u32 pad2[2];		/* no hole before resp_pkts: every byte is set */
	__u64 resp_pkts;	/* of pkts, sent by the responder */
	__u64 resp_bytes;	/* of bytes, sent by the responder */
};

_Static_assert(__builtin_offsetof(struct ff_event, resp_pkts) ==
	       __builtin_offsetof(struct ff_event, pad2) + 2 * sizeof(__u32),
	       "struct ff_event has a hole that ff_event_fill() would leave unset");

/* The OR of the TCP flags a flow has carried (flow exporters' tcpControlBits). */
static __always_inline __u8 ff_flow_tcp_flags(const struct ff_flow *f)
{
	__u8 bits = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (f->flags[i])
			bits |= 1u << i;
	return bits;
}

/* Fill every field of `e` (ring-buffer memory is not zeroed) for flow `f`
 * with key `k`: the one event fill of the kernel and of user space. */
static __always_inline void ff_event_fill(struct ff_event *e, const struct ff_flow_key *k,
					  const struct ff_flow *f, __u16 prev, __u64 now_us,
					  __u8 type)
{
	e->ts_us = now_us;
	e->first_us = f->first_us;
	e->last_us = f->last_us;
	e->pkts = ff_flow_pkts(f);
	e->bytes = f->dir[0].wire_bytes + f->dir[1].wire_bytes;
	__builtin_memcpy(&e->key, k, sizeof(*k));
	e->cls = f->cls;
	e->prev_cls = prev;
	e->score = f->score;
	e->type = type;
	e->action = f->action;
	e->initiator_is_b = f->initiator_is_b;
	e->tcp_flags = ff_flow_tcp_flags(f);
	e->pad[0] = 0;
	e->pad[1] = 0;
	e->model_gen = f->model_gen;
	e->pad2[0] = 0;
	e->pad2[1] = 0;
	e->resp_pkts = f->dir[FF_DIR_BWD].pkts;
	e->resp_bytes = f->dir[FF_DIR_BWD].wire_bytes;
}

/* Why a snapshot was taken. */
enum ff_snap_reason {
	FF_SNAP_CHECKPOINT = 1,	/* packet-count checkpoint */
	FF_SNAP_FIN = 2,	/* FIN or RST checkpoint */
	FF_SNAP_IDLE = 3,	/* the flow's last state before an idle restart */
	FF_SNAP_END = 4,	/* end of capture */
};

/* A flow's features at a checkpoint, as the kernel computed them: exported
 * in replay mode so that offline extraction can be compared bit for bit. */
struct ff_snapshot {
	__u64 ts_us;
	__u64 first_us;
	struct ff_flow_key key;
	__u8 reason;		/* enum ff_snap_reason */
	__u8 initiator_is_b;
	__u16 cls;		/* verdict after this checkpoint, FF_CLASS_NONE if none */
	__u16 score;
	__u16 pad;
	__u64 features[FF_NUM_FEATURES];
};

/* Fill every field of `s` from flow `f` and its features `fv`. */
static __always_inline void ff_snapshot_fill_fv(struct ff_snapshot *s,
						const struct ff_flow_key *k,
						const struct ff_flow *f,
						const struct ff_features *fv, __u8 reason,
						__u64 ts_us)
{
	s->ts_us = ts_us;
	s->first_us = f->first_us;
	__builtin_memcpy(&s->key, k, sizeof(*k));
	s->reason = reason;
	s->initiator_is_b = f->initiator_is_b;
	s->cls = f->cls;
	s->score = f->score;
	s->pad = 0;
	__builtin_memcpy(s->features, fv->v, sizeof(s->features));
}

/* Counter indices of the per-CPU counter array (one __u64 each). */
#define FF_COUNTERS(X)                                                        \
	X(PACKETS, "packets")                                                 \
	X(BYTES, "bytes")                                                     \
	X(NOT_IP, "not_ip")                                                   \
	X(TRUNCATED, "truncated")                                             \
	X(MALFORMED, "malformed")                                             \
	X(UNSUPPORTED, "unsupported")                                         \
	X(FRAG_LATER, "frag_later")                                           \
	X(FLOWS_CREATED, "flows_created")                                     \
	X(FLOW_ALLOC_FAIL, "flow_alloc_fail")                                 \
	X(CLASSIFICATIONS, "classifications")                                 \
	X(WALK_ERRORS, "walk_errors")                                         \
	X(EVENTS, "events")                                                   \
	X(EVENTS_LOST, "events_lost")                                         \
	X(DROPPED, "dropped")                                                 \
	X(ALERTED, "alerted")                                                 \
	X(SNAPSHOTS_LOST, "snapshots_lost")                                   \
	X(DENIED, "denied")                                                   \
	X(ALLOWED, "allowed")                                                 \
	X(EVICTED, "evicted")                                                 \
	X(EVICT_STALE, "evict_stale")                                         \
	X(SWAP_RETRIES, "swap_retries")                                       \
	X(RECLASSIFIED, "reclassified")                                       \
	X(HELD, "drops_held")                                                 \
	X(FIRST_DROPS, "first_drops")                                         \
	X(FIRST_MEMO, "first_memo")

enum ff_counter_id {
#define FF_X_CNT(id, name) FF_C_##id,
	FF_COUNTERS(FF_X_CNT)
#undef FF_X_CNT
	FF_C__FIXED,
};

struct ff_counters {
	__u64 c[FF_C__FIXED];
	__u64 class_pkts[FF_MAX_CLASSES];	/* packets by cached verdict */
	__u64 unclassified_pkts;
};

#endif /* FLOWFOREST_EVENTS_H */
