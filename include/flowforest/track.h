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
 *   ff_trk_first, ff_trk_memo, ff_trk_flood, ff_trk_model_gen  one-packet
 *                               flows (first.h): a scratch flow, the
 *                               first-packet memo, the drop aggregates,
 *                               the active model's generation, ff_trk_model_flags
 *                               and flags
 *   ff_trk_now                  the clock, read once a packet needs it
 *   ff_trk_ends, ff_trk_restart  when a flow ends before a packet (the idle
 *                               timeout; CIC's flow timeout offline) and
 *                               how its entry starts over
 *   ff_trk_count, ff_trk_add, ff_trk_class_pkt  counters
 *   ff_trk_features             scratch space for one feature vector
 *   ff_trk_feature_set          the features a checkpoint computes: every
 *                               one when exporting snapshots, else those
 *                               the active model reads
 *   ff_trk_model                the active model's verdict on it
 *   ff_trk_event                an event for flow f (the includer reserves
 *                               the record and fills it with ff_event_fill)
 *   ff_trk_exporting, ff_trk_snapshot  feature snapshots (replay, extract)
 *   ff_trk_ctx_slot             slot idx of the context table (context.h),
 *                               of ff_ctx_slots(cfg->ctx_slots); NULL: none
 *   ff_trk_checkpoint, ff_trk_final_snapshot, ff_trk_ctx_update,
 *   ff_trk_ctx_packet, ff_trk_ctx_read  how ff_track_checkpoint(),
 *                               ff_track_final_snapshot(), ff_track_ctx_update(),
 *                               ff_track_ctx_packet() and ff_track_ctx_read()
 *                               are called: in BPF
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
#include "first.h"

struct ff_track;

/* ---- glue: defined by the includer -------------------------------------- */

static __always_inline const volatile struct ff_config *ff_trk_cfg(struct ff_track *t);
static __always_inline const struct ff_ctl *ff_trk_ctl(struct ff_track *t);
/* 1 when either endpoint of `p` is in the deny (deny = 1) or allow list. */
static __always_inline int ff_trk_listed(struct ff_track *t, int deny, const struct ff_pkt *p);
static __always_inline struct ff_flow *ff_trk_lookup(struct ff_track *t,
						     const struct ff_flow_key *k);
/* Insert a flow, zeroed or (init) a copy of *init up to fifo_pos (making
 * room first if the includer evicts); the entry, or NULL when there is
 * none. *created: this call inserted it. */
static __always_inline struct ff_flow *ff_trk_create(struct ff_track *t,
						     const struct ff_flow_key *k, __u64 now_us,
						     const struct ff_flow *init, int *created);
/* The scratch flow of a packet that opens a flow; NULL: no fast path. */
static __always_inline struct ff_flow *ff_trk_first(struct ff_track *t);
static __always_inline struct ff_first_memo *ff_trk_memo(struct ff_track *t, __u32 slot);
static __always_inline struct ff_flood_slot *ff_trk_flood(struct ff_track *t, __u32 slot);
/* The generation of the active model; 0: none. */
static __always_inline __u32 ff_trk_model_gen(struct ff_track *t);
/* The active model's FF_MODEL_F_* (model.h). */
static __always_inline __u32 ff_trk_model_flags(struct ff_track *t);
/* The packet's time in microseconds; coarse: a clock that may lag by up to
 * a tick (4 ms at HZ 250) and costs less (the kernel's coarse clock), for
 * what needs no finer time. Offline both are the packet's capture time. */
static __always_inline __u64 ff_trk_now(struct ff_track *t, int coarse);
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
static __always_inline const struct ff_feature_set *ff_trk_feature_set(struct ff_track *t);
/* The verdict on `fv` for a flow of `pkts` packets: 0, or -1 for none
 * (also when the model that runs reads a feature that was not computed:
 * swapped in since ff_trk_feature_set()). */
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
static __always_inline struct ff_ctx_slot *ff_trk_ctx_slot(struct ff_track *t, __u32 idx);
static __always_inline void ff_trk_ctx_update(struct ff_track *t, const struct ff_flow_key *k,
					      __u32 init_b, __u32 mask, __u32 bytes, __u64 now_us);
/* ff_track_ctx_packet() for a packet of flow f, before its update. */
static __always_inline void ff_trk_ctx_packet(struct ff_track *t, struct ff_flow *f,
					      const struct ff_flow_key *k, const struct ff_pkt *p,
					      __u32 from_b, __u64 now_us);
/* The context rows of the scratch vector (ff_trk_features) for a flow. */
static __always_inline void ff_trk_ctx_read(struct ff_track *t, const struct ff_flow_key *k,
					    __u32 init_b, __u64 now_us);

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

/* ---- context (context.h) ------------------------------------------------ */

/* The address of endpoint b (b) or a of key `k`, 8-aligned as the key is:
 * copied and hashed in words, not bytes. */
static __always_inline const __u8 *ff_track_addr(const struct ff_flow_key *k, __u32 b)
{
	return __builtin_assume_aligned(b ? k->addr_b : k->addr_a, 8);
}

/* The initiator's prefix (/24, /64) of family `family` from its address
 * `ia` into `to` (8 bytes, zeroed). */
static __always_inline void ff_track_ctx_prefix(__u8 family, const __u8 *ia, __u32 *to)
{
	if (family == 4)
		__builtin_memcpy((__u8 *)to, ia, 3);	/* /24 */
	else
		__builtin_memcpy((__u8 *)to, ia, 8);	/* /64 */
}

/* The context key `kind` of a flow with key `k` opened by endpoint b
 * (init_b) or a. */
static __always_inline void ff_track_ctx_key(const struct ff_flow_key *k, __u32 init_b,
					     __u8 kind, struct ff_ctx_key *ck)
{
	const __u8 *ia = ff_track_addr(k, init_b);

	__builtin_memset(ck, 0, sizeof(*ck));
	ck->kind = kind;
	if (kind == FF_CTX_SRC) {
		ff_track_ctx_prefix(k->family, ia, ck->addr);
		return;
	}
	if (kind == FF_CTX_PAIR)
		ff_track_ctx_prefix(k->family, ia, ck->pfx);
	__builtin_memcpy((__u8 *)ck->addr, ff_track_addr(k, !init_b), 16);
	if (kind == FF_CTX_HOST)
		return;
	ck->port = init_b ? k->port_a : k->port_b;
	ck->proto = k->proto;
}

/* The entry of key `k`, or (create) a new one; NULL. */
static __always_inline struct ff_ctx_entry *ff_track_ctx_get(struct ff_track *t,
							     const struct ff_ctx_key *k, int create)
{
	__u32 set = ff_ctx_set(k, ff_ctx_slots(ff_trk_cfg(t)->ctx_slots));
	struct ff_ctx_slot *a = ff_trk_ctx_slot(t, set), *b = ff_trk_ctx_slot(t, set + 1);

	if (!a || !b)
		return NULL;
	return ff_ctx_find(a, b, k, create);
}

/* The table's clock (context.h, ff_ctx_entries): its slot's entry, or NULL. */
static __always_inline struct ff_ctx_entry *ff_track_ctx_clock(struct ff_track *t)
{
	struct ff_ctx_slot *s = ff_trk_ctx_slot(t, ff_ctx_slots(ff_trk_cfg(t)->ctx_slots));

	return s ? &s->e : NULL;
}

/* Count what key `kind` keeps of `mask` (ff_ctx_kind_mask()), with peer
 * bit `peer` for an opening flow; a key with nothing to count is not
 * looked up. */
static __always_inline void ff_track_ctx_one(struct ff_track *t, const struct ff_flow_key *k,
					     __u32 init_b, __u8 kind, __u32 mask, __u32 bytes,
					     __u64 peer, __u64 now_us)
{
	struct ff_ctx_entry *e;
	struct ff_ctx_key ck;

	mask = ff_ctx_kind_mask(kind, mask);
	if (!mask)
		return;
	ff_track_ctx_key(k, init_b, kind, &ck);
	e = ff_track_ctx_get(t, &ck, 1);
	if (!e)
		return;
	peer = (mask & FF_CTX_BIT(FF_CTX_FLOWS)) ? peer : 0;
	ff_ctx_add(e, now_us, mask, bytes, peer);
	if (ff_ctx_kind_slow(kind))
		ff_ctx_slow_add(&e->slow, now_us, (mask >> FF_CTX_FLOWS) & 1, peer);
}

/*
 * Is the context counted? Only while something reads it: the active model
 * splits on a context feature (FF_MODEL_F_CTX), or snapshots carry every
 * feature (exporting: extract, replay). Otherwise no packet touches the
 * context table: a flood's dropped SYN would pay three slot-pair updates
 * (27 ns of a 100 ns memo drop in test_run) for counts nobody reads. The
 * rule is the same offline and in the kernel, and the model's verdicts do
 * not depend on it (ff_track_ctx_read reads nothing for such a model), so
 * kernel == twin == extract holds. A flow's own record of what it counted
 * (ctx_flags) is kept either way: its state is the same whether or not.
 * After a swap to a model that reads context, the windows count from the
 * swap on (a long window, 1 s, until they hold everything again).
 */
static __always_inline int ff_track_ctx_on(struct ff_track *t)
{
	return ff_trk_exporting(t) || (ff_trk_model_flags(t) & FF_MODEL_F_CTX);
}

/* The context's time of a packet at `now_us` (the flow's clock): the wall
 * clock's, as a capture's timestamps are (struct ff_config ctx_clock_us).
 * The windows turn at multiples of their width of this time: on the
 * kernel's monotonic clock they turned at other instants than a capture's,
 * and the same packets read other counts (run S2: 135 of 352 http_flood
 * flows decided otherwise at packet 1 live than replayed). */
static __always_inline __u64 ff_track_ctx_us(struct ff_track *t, __u64 now_us)
{
	return now_us + ff_trk_cfg(t)->ctx_clock_us;
}

/* When the table began counting, at its first flow counted (at the
 * context's time `ctx_us`; 0 is "not yet", so 1 at 0): a warm table's
 * (FF_CP_CTX_WARM) FF_CTX_COLD_US before, so that its age reads full
 * (ff_ctx_table_age) from the first flow on. */
static __always_inline __u64 ff_track_ctx_start(struct ff_track *t, __u64 ctx_us)
{
	if (ff_trk_cfg(t)->cp_flags & FF_CP_CTX_WARM)
		ctx_us = ctx_us > FF_CTX_COLD_US ? ctx_us - FF_CTX_COLD_US : 0;
	return ctx_us ? ctx_us : 1;
}

/* ff_track_ctx_update() at the context's time `ctx_us`. */
static __always_inline void ff_track_ctx_count(struct ff_track *t, const struct ff_flow_key *k,
					       __u32 init_b, __u32 mask, __u32 bytes, __u64 ctx_us)
{
	__u64 ipeer = 0, rpeer = 0;

	if (mask & FF_CTX_BIT(FF_CTX_FLOWS)) {
		struct ff_ctx_entry *clock = ff_track_ctx_clock(t);

		if (clock && !clock->return_us)
			clock->return_us = ff_track_ctx_start(t, ctx_us);
		ipeer = ff_ctx_peer_bit(ff_track_addr(k, init_b));
		rpeer = ff_ctx_svc_bit(ff_track_addr(k, !init_b),
				       init_b ? k->port_a : k->port_b, k->proto);
	}
	ff_track_ctx_one(t, k, init_b, FF_CTX_HOST, mask, bytes, ipeer, ctx_us);
	ff_track_ctx_one(t, k, init_b, FF_CTX_SVC, mask, 0, ipeer, ctx_us);
	ff_track_ctx_one(t, k, init_b, FF_CTX_SRC, mask, 0, rpeer, ctx_us);
	ff_track_ctx_one(t, k, init_b, FF_CTX_PAIR, mask, 0, ipeer, ctx_us);
}

/* Count the counters in `mask` (FF_CTX_BIT(enum ff_ctx_counter), maybe
 * FF_CTX_NO_SVC) of a flow opened by b (init_b) or a, `bytes` with
 * FF_CTX_PKTS, for each key that keeps them, at the packet's time
 * `now_us`. The peer of the service and the host is the initiator's
 * address, that of the source the responder's service. */
static __always_inline void ff_track_ctx_update(struct ff_track *t, const struct ff_flow_key *k,
						__u32 init_b, __u32 mask, __u32 bytes,
						__u64 now_us)
{
	if (ff_track_ctx_on(t))
		ff_track_ctx_count(t, k, init_b, mask, bytes, ff_track_ctx_us(t, now_us));
}

/* What a packet of flow `f` (not yet updated with it) from b (from_b) or
 * a counts in the context: the opening of the flow (its first packet: a
 * new flow or one that starts over in its entry), a packet from the
 * initiator (its host's packets and bytes), the flow's second packet, the
 * responder's RST before the handshake completed (a refused connection,
 * once per flow: f->ctx_flags), its first packet FF_CTX_OLD_US or more
 * after its first (long-open, once per flow). The handshake's completion
 * is counted after the update, which decides it. */
static __always_inline __u32 ff_track_ctx_mask(struct ff_flow *f, const struct ff_pkt *p,
					       __u32 from_b, __u64 now_us)
{
	__u64 n = ff_flow_pkts(f);
	__u32 m = 0;

	if (n == 0)
		return FF_CTX_OPEN_MASK(ff_pkt_bare_syn(p));
	if (from_b == f->initiator_is_b)
		m |= FF_CTX_BIT(FF_CTX_PKTS);
	if (n == 1)
		m |= FF_CTX_BIT(FF_CTX_MORE);
	if (from_b != f->initiator_is_b && p->proto == FF_IPPROTO_TCP &&
	    (p->tcp_flags & FF_TCP_RST) && !(f->ctx_flags & (FF_FLOW_CTX_DONE | FF_FLOW_CTX_FAIL))) {
		f->ctx_flags |= FF_FLOW_CTX_FAIL;
		m |= FF_CTX_BIT(FF_CTX_FAIL);
	}
	if (!(f->ctx_flags & FF_FLOW_CTX_OLD) && now_us >= f->first_us + FF_CTX_OLD_US) {
		f->ctx_flags |= FF_FLOW_CTX_OLD;
		m |= FF_CTX_BIT(FF_CTX_OLD);
	}
	return m;
}

/* The initiator of flow `f` (key `k`) came back (ff_track_ctx_came_back):
 * so did its source prefix (struct ff_ctx_entry return_us). Its entry
 * only, and only while it is in the table (the packet that opened the flow created it): once per flow, a
 * slot pair's lookup, apart from the counters' masks, whose constants the
 * verifier follows path by path. */
static __always_inline void ff_track_ctx_return(struct ff_track *t, const struct ff_flow_key *k,
						__u32 init_b, __u64 now_us)
{
	struct ff_ctx_entry *e;
	struct ff_ctx_key ck;

	ff_track_ctx_key(k, init_b, FF_CTX_SRC, &ck);
	e = ff_track_ctx_get(t, &ck, 0);
	if (e)
		e->return_us = now_us;
}

/* Whether this packet of flow `f` (not yet updated with it) from b
 * (from_b) or a is its initiator coming back: the first packet after its
 * first that is not a bare SYN (once per flow: f->ctx_flags). A SYN again
 * shows nothing came back: a client's retransmission, or, at flood rates
 * several times a second, a spoofed flood's random source port drawn
 * twice, which made its whole /24 read as a real client's network for
 * the rest of the flood (ctx_src_return_age_us near 0). */
static __always_inline __u32 ff_track_ctx_came_back(struct ff_flow *f, const struct ff_pkt *p,
						    __u32 from_b)
{
	if (from_b != f->initiator_is_b || !f->dir[FF_DIR_FWD].pkts ||
	    (f->ctx_flags & FF_FLOW_CTX_BACK))
		return 0;
	if (ff_pkt_bare_syn(p))
		return 0;
	f->ctx_flags |= FF_FLOW_CTX_BACK;
	return 1;
}

/* The context of a packet from b (from_b) or a of flow `f`, before the
 * flow is updated with it. */
static __always_inline void ff_track_ctx_packet(struct ff_track *t, struct ff_flow *f,
						const struct ff_flow_key *k, const struct ff_pkt *p,
						__u32 from_b, __u64 now_us)
{
	__u32 m = ff_track_ctx_mask(f, p, from_b, now_us);	/* the flow's clock */
	__u64 ctx_us;

	if (!ff_track_ctx_on(t))
		return;
	ctx_us = ff_track_ctx_us(t, now_us);
	if (ff_track_ctx_came_back(f, p, from_b))
		ff_track_ctx_return(t, k, f->initiator_is_b, ctx_us);
	if (!m)
		return;
	/* most packets: one from the initiator inside its flow, its host's
	 * packets and bytes alone */
	if (m == FF_CTX_BIT(FF_CTX_PKTS))
		ff_track_ctx_one(t, k, f->initiator_is_b, FF_CTX_HOST, m, p->l3_len, 0, ctx_us);
	else
		ff_track_ctx_count(t, k, ff_flow_pkts(f) ? f->initiator_is_b : from_b, m,
				   p->l3_len, ctx_us);
}

/* The entry of key `kind` of a flow (key `k`, opened by b: init_b) when
 * `kinds` (FF_MODEL_F_CTX_KIND() bits) asks for it, without creating it;
 * NULL when not asked for or not there. */
static __always_inline const struct ff_ctx_entry *
ff_track_ctx_peek(struct ff_track *t, const struct ff_flow_key *k, __u32 init_b, __u32 kinds,
		  __u8 kind)
{
	struct ff_ctx_key ck;

	if (!(kinds & FF_MODEL_F_CTX_KIND(kind)))
		return NULL;
	ff_track_ctx_key(k, init_b, kind, &ck);
	return ff_track_ctx_get(t, &ck, 0);
}

/* The context features of a flow (key `k`, opened by b: init_b) at
 * `now_us` into `fv`: the entries read (FF_MODEL_F_CTX_KIND() of each), 0
 * when none is wanted (ff_trk_feature_set). Only the entries the model's
 * features read are looked up (every one when exporting); the features
 * of the others read none (0) and the model does not read them. */
static __always_inline __u32 ff_track_ctx_read(struct ff_track *t, const struct ff_flow_key *k,
					       __u32 init_b, __u64 now_us, struct ff_features *fv)
{
	const struct ff_feature_set *want = ff_trk_feature_set(t);
	struct ff_ctx_view v = {};
	__u32 kinds;

	if (!want || !ff_fset_has_ctx(want))
		return 0;	/* the model reads none: four table lookups saved */
	v.now_us = ff_track_ctx_us(t, now_us);
	kinds = ff_trk_exporting(t) ? FF_MODEL_F_CTX_KINDS :
				      ff_model_ctx_kinds(ff_trk_model_flags(t));
	v.svc = ff_track_ctx_peek(t, k, init_b, kinds, FF_CTX_SVC);
	v.src = ff_track_ctx_peek(t, k, init_b, kinds, FF_CTX_SRC);
	if (kinds & FF_MODEL_F_CTX_KIND(FF_CTX_SRC)) {	/* the table's age */
		const struct ff_ctx_entry *clock = ff_track_ctx_clock(t);

		v.start_us = clock ? clock->return_us : 0;
	}
	v.host = ff_track_ctx_peek(t, k, init_b, kinds, FF_CTX_HOST);
	v.pair = ff_track_ctx_peek(t, k, init_b, kinds, FF_CTX_PAIR);
	ff_ctx_view_flows(&v);
	ff_features_ctx(&v, fv);
	return kinds;
}

/* A checkpoint: the features of `f` that the model reads, every one when
 * exporting (the context rows are read before, by
 * ff_trk_ctx_read(): in BPF its stack is then not on the path to the
 * walk), the model's verdict cached in `f`, an event when the class changes (not with FF_TRK_QUIET in `reason`: the
 * scratch flow of a first packet), a snapshot when exporting. A drop holds
 * (FF_CP_DROPS_HOLD): the cached verdict stands, no model run, unless the
 * operator asked for new verdicts since (reclassify) or it was decided at
 * the flow's first packet (tentative, see FF_CP_FIRST_HOLDS). */
#define FF_TRK_QUIET 0x100
static __always_inline void ff_track_checkpoint(struct ff_track *t, struct ff_flow *f,
						const struct ff_flow_key *k, __u64 now_us,
						__u32 reason)
{
	const volatile struct ff_config *cfg = ff_trk_cfg(t);
	const struct ff_ctl *ctl = ff_trk_ctl(t);
	struct ff_features *fv = ff_trk_features(t);
	const struct ff_feature_set *want = ff_trk_feature_set(t);
	struct ff_verdict v = {};
	__u16 prev;

	if (!fv || !cfg || !ctl || !want)
		return;
	ff_features_compute_set(f, fv, want);	/* the context rows: read before */
	if (ff_verdict_holds(cfg, f->action == FF_ACT_DROP, f->model_gen < ctl->reclass_gen,
			     f->decided_pkts))
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
		if (prev != v.cls && !(reason & FF_TRK_QUIET))
			ff_trk_event(t, f, k, prev, now_us,
				     prev == FF_CLASS_NONE ? FF_EV_CLASSIFIED : FF_EV_CHANGED);
	}
	if (ff_trk_exporting(t))
		ff_trk_snapshot(t, f, k, fv, reason & 0xff, now_us);
}

/* The features of a flow's last state (idle restart, end of a capture);
 * the caller reads its context rows at f->last_us before (ff_trk_ctx_read). */
static __always_inline void ff_track_final_snapshot(struct ff_track *t, const struct ff_flow *f,
						    const struct ff_flow_key *k, __u32 reason)
{
	struct ff_features *fv = ff_trk_features(t);

	if (!fv)
		return;
	ff_features_compute(f, fv);	/* the context rows: read before */
	ff_trk_snapshot(t, f, k, fv, reason, f->last_us);
}

/* Is the deny list's drop overridden by the allow list? The lists are
 * looked up only while they hold entries. */
static __always_inline int ff_track_denied(struct ff_track *t, const struct ff_ctl *ctl,
					   const struct ff_pkt *p)
{
	return ctl->n_deny && ff_trk_listed(t, 1, p) && !(ctl->n_allow && ff_trk_listed(t, 0, p));
}

/* ---- one-packet flows (first.h) ------------------------------------------ */

/* The memo's verdict on first packets like `p` under model `gen`, or NULL.
 * (The key is computed where it is used, twice at most per packet: it
 * stays off the sequence's stack, which the BPF stack limit bounds.) */
static __always_inline struct ff_first_memo *ff_track_memo_find(struct ff_track *t,
								const struct ff_pkt *p,
								__u32 gen)
{
	struct ff_first_memo *m;
	__u64 k[3];

	ff_first_key(p, k);
	m = ff_trk_memo(t, ff_first_memo_slot(k));

	if (!m || m->generation != gen || m->k[0] != k[0] || m->k[1] != k[1] ||
	    m->k[2] != k[2])
		return NULL;
	return m;
}

/* The memo's verdict, decided at `now_us`, into the scratch flow `s`. */
static __always_inline void ff_track_memo_apply(struct ff_flow *s, const struct ff_first_memo *m,
						__u64 now_us)
{
	s->cls = m->cls;
	s->score = m->score;
	s->action = m->action;
	s->decided_pkts = 1;
	s->decided_us = now_us;
	s->model_gen = m->generation;
}

static __always_inline void ff_track_memo_put(struct ff_track *t, const struct ff_flow *s,
					      const struct ff_pkt *p)
{
	struct ff_first_memo *m;
	__u64 k[3];

	/* a verdict that depends on the context is not the packet's (a
	 * model swapped since decided with its own generation, which no
	 * lookup under another model matches) */
	if (s->cls == FF_CLASS_NONE || (ff_trk_model_flags(t) & FF_MODEL_F_CTX))
		return;
	ff_first_key(p, k);
	m = ff_trk_memo(t, ff_first_memo_slot(k));
	if (!m)
		return;
	m->k[0] = k[0];
	m->k[1] = k[1];
	m->k[2] = k[2];
	m->generation = s->model_gen;
	m->cls = s->cls;
	m->score = s->score;
	m->action = s->action;
}

/* The FF_EV_FLOOD event of aggregate `a`, its counts in the scratch flow
 * `s` (which it overwrites): first_us..last_us the interval, pkts and
 * bytes the dropped one-packet flows' packets and wire bytes, the key that
 * of the interval's first dropped flow. */
static __always_inline void ff_track_flood_event(struct ff_track *t, struct ff_flow *s,
						 const struct ff_flood_slot *a, __u64 now_us)
{
	ff_flow_reset(s);
	s->first_us = a->start_us;
	s->last_us = a->last_us;
	s->dir[FF_DIR_FWD].pkts = a->pkts;
	s->dir[FF_DIR_FWD].wire_bytes = a->bytes;
	s->proto = a->proto;
	s->initiator_is_b = a->pad[0];
	s->cls = a->cls;
	s->score = a->score;
	s->action = a->action;
	s->model_gen = a->generation;
	ff_trk_event(t, s, &a->key, FF_CLASS_NONE, now_us, FF_EV_FLOOD);
}

/* Count a fast drop in its responder's aggregate; the aggregate of the
 * slot's previous interval (or responder) goes out as one event. The first
 * cfg->flood_events drops of an interval also get their own event. */
static __always_inline void ff_track_flood(struct ff_track *t, struct ff_flow *s,
					   const struct ff_flow_key *k, const struct ff_pkt *p,
					   __u64 now_us, __u32 per_flow)
{
	struct ff_flood_slot *a = ff_trk_flood(t, ff_flood_slot_of(p));
	__u16 cls = s->cls, score = s->score;
	__u32 action = s->action, gen = s->model_gen;
	__u8 init_b = s->initiator_is_b;

	if (!a)
		return;
	if (ff_flood_same(a, p, cls) && now_us < a->start_us + FF_FLOOD_INTERVAL_US) {
		if (a->pkts < per_flow)
			ff_trk_event(t, s, k, FF_CLASS_NONE, now_us, FF_EV_CLASSIFIED);
		a->pkts++;
		a->bytes += p->l3_len;
		if (now_us > a->last_us)
			a->last_us = now_us;
		return;
	}
	if (per_flow)
		ff_trk_event(t, s, k, FF_CLASS_NONE, now_us, FF_EV_CLASSIFIED);
	if (a->start_us)
		ff_track_flood_event(t, s, a, now_us);
	__builtin_memcpy(&a->key, k, sizeof(*k));
	__builtin_memcpy(a->resp, p->daddr, 16);
	a->start_us = now_us ? now_us : 1;
	a->last_us = a->start_us;
	a->pkts = 1;
	a->bytes = p->l3_len;
	a->cls = cls;
	a->score = score;
	a->generation = gen;
	a->action = action;
	a->proto = p->proto;
	a->pad[0] = init_b;
}

/* Every aggregate still open, as events at its last drop (the end of a
 * capture). */
static __always_inline void ff_track_flood_flush(struct ff_track *t)
{
	struct ff_flow *s = ff_trk_first(t);
	struct ff_flood_slot *a;
	__u32 i;

	if (!s)
		return;
	for (i = 0; i < FF_FLOOD_SLOTS; i++) {
		a = ff_trk_flood(t, i);
		if (a && a->start_us) {
			ff_track_flood_event(t, s, a, a->last_us);
			a->start_us = 0;
		}
	}
}

/* Is `p` in the allow list, or IPv6 neighbour discovery (never dropped:
 * ff_pkt_neighbour_discovery)? Looked up once per packet (*allowed: -1 not
 * yet), and only while the list holds entries. */
static __always_inline int ff_track_allowed(struct ff_track *t, const struct ff_ctl *ctl,
					    const struct ff_pkt *p, int *allowed)
{
	if (*allowed < 0)
		*allowed = ff_pkt_neighbour_discovery(p) || (ctl->n_allow && ff_trk_listed(t, 0, p));
	return *allowed;
}

/* Drop the first packet whose scratch flow `s` holds a drop verdict: 1
 * (counted, aggregated), or 0 when it is to be admitted. */
static __always_inline int ff_track_first_drop(struct ff_track *t, const struct ff_ctl *ctl,
					       const volatile struct ff_config *cfg,
					       struct ff_flow *s, const struct ff_flow_key *k,
					       const struct ff_pkt *p, __u64 now_us, int *allowed)
{
	if (s->cls == FF_CLASS_NONE || s->action != FF_ACT_DROP ||
	    ff_track_allowed(t, ctl, p, allowed))
		return 0;
	ff_trk_class_pkt(t, s->cls);
	ff_trk_count(t, FF_C_FIRST_DROPS);
	ff_trk_count(t, FF_C_DROPPED);
	ff_track_flood(t, s, k, p, now_us, cfg->flood_events);
	return 1;
}

/*
 * The scratch flow of a packet that opens a flow, or NULL for the table
 * (no model, or the first checkpoint is not the first packet: nothing is
 * decided before the flow is in the table). *memo_gen: the model
 * generation the first-packet memo answers for, or 0 when it may not
 * answer: the model's trees split on a context feature (FF_MODEL_F_CTX,
 * decided when the model was loaded), and the memo keys on the packet's
 * own fields, while the same packet in another context may get another
 * verdict.
 */
static __always_inline struct ff_flow *ff_track_first(struct ff_track *t,
						      const volatile struct ff_config *cfg,
						      __u32 *memo_gen)
{
	__u32 gen;

	if (!cfg->first_fast)
		return NULL;
	gen = ff_trk_model_gen(t);
	*memo_gen = (ff_trk_model_flags(t) & FF_MODEL_F_CTX) ? 0 : gen;
	if (!gen || ff_cp_due_after(cfg, 0) != 1)
		return NULL;
	return ff_trk_first(t);	/* not zeroed yet */
}

/*
 * A first packet the memo knows as a drop, with the flood's events in the
 * aggregate only (cfg->flood_events 0), not exporting: dropped and counted
 * without any flow state. 1 when dropped. Its time (`now_us`) is the
 * coarse clock's: only the flood aggregate's interval (a second) and the
 * context read it, and the context is never counted when the memo answers
 * (for a model that reads no context, not exporting: ff_track_ctx_on).
 */
static __always_inline int ff_track_memo_drop(struct ff_track *t, const struct ff_ctl *ctl,
					      const volatile struct ff_config *cfg,
					      const struct ff_pkt *p, const struct ff_flow_key *k,
					      int from_b, __u64 now_us, int *allowed)
{
	struct ff_first_memo *memo;
	struct ff_flow *s;
	__u32 gen = 0;

	if (cfg->flood_events || ff_trk_exporting(t))
		return 0;
	s = ff_track_first(t, cfg, &gen);
	if (!s || !gen)
		return 0;
	memo = ff_track_memo_find(t, p, gen);
	if (!memo || memo->action != FF_ACT_DROP)
		return 0;
	ff_track_memo_apply(s, memo, now_us);
	s->initiator_is_b = from_b;
	if (!ff_track_first_drop(t, ctl, cfg, s, k, p, now_us, allowed))
		return 0;
	ff_trk_count(t, FF_C_FIRST_MEMO);
	/* the context counts every packet that opens a flow, dropped or not */
	ff_trk_ctx_update(t, k, from_b,
			  FF_CTX_OPEN_MASK(ff_pkt_bare_syn(p)),
			  p->l3_len, now_us);
	return 1;
}

/* Admit the first packet's flow `s` into the table: its entry, or NULL. */
static __always_inline struct ff_flow *ff_track_admit(struct ff_track *t,
						      const struct ff_flow_key *k,
						      const struct ff_flow *s, __u64 now_us)
{
	int created = 0;
	struct ff_flow *f = ff_trk_create(t, k, now_us, s, &created);

	if (!f) {
		ff_trk_count(t, FF_C_FLOW_ALLOC_FAIL);
		return NULL;
	}
	/* not created: another CPU inserted the flow since our lookup; this
	 * packet's state is lost to it, its verdict stands */
	if (created) {
		ff_trk_count(t, FF_C_FLOWS_CREATED);
		if (f->cls != FF_CLASS_NONE)
			ff_trk_event(t, f, k, FF_CLASS_NONE, now_us, FF_EV_CLASSIFIED);
	}
	return f;
}

/*
 * Everything after parsing, for one packet. Returns the enum ff_action to
 * apply. The clock is read once the packet needs it: a first packet the
 * memo drops reads only the coarse one (ff_track_memo_drop).
 *
 * A packet that opens a flow runs through the same update and checkpoint
 * in a scratch flow (ff_track_first); decided drop at that checkpoint, it
 * is dropped without entering the table (FF_C_FIRST_DROPS, an FF_EV_FLOOD
 * aggregate), otherwise admitted with that state (ff_track_admit).
 */
static __always_inline int ff_track_packet(struct ff_track *t, const struct ff_pkt *p)
{
	const volatile struct ff_config *cfg = ff_trk_cfg(t);
	const struct ff_ctl *ctl = ff_trk_ctl(t);
	struct ff_flow_key key;
	struct ff_flow *f, *first = NULL;
	struct ff_first_memo *memo = NULL;
	__u64 now_us;
	int from_b, created = 0, cp, action, allowed = -1, syn;
	__u32 gen = 0;

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
	/* A TCP SYN (without ACK) opens a connection: one the memo knows as a
	 * drop is dropped before the flow table is looked up, and before the
	 * clock is read (it takes the coarse one). Under a spoofed SYN flood
	 * that lookup (a cache miss on a random bucket) and the clock are the
	 * cost. A flow in the table that sends such a SYN again (its own first
	 * packet was decided otherwise) is not updated by it. */
	syn = ff_pkt_bare_syn(p);
	if (syn && ff_track_memo_drop(t, ctl, cfg, p, &key, from_b, ff_trk_now(t, 1), &allowed))
		return FF_ACT_DROP;
	/* every other packet: the clock before the flow lookup (read after
	 * it, the cached-verdict path took 6 ns more in test_run: more
	 * registers to keep across the helper call) */
	now_us = ff_trk_now(t, 0);
	/* a failed connection, counted for the unreachable's sender (a host)
	 * and its receiver (the initiator), whatever becomes of the packet */
	if (ff_ctx_unreachable(p))
		ff_trk_ctx_update(t, &key, !from_b, FF_CTX_BIT(FF_CTX_FAIL) | FF_CTX_NO_SVC, 0,
				  now_us);
	f = ff_trk_lookup(t, &key);
	if (!f) {
		if (!syn && ff_track_memo_drop(t, ctl, cfg, p, &key, from_b, now_us, &allowed))
			return FF_ACT_DROP;
		f = first = ff_track_first(t, cfg, &gen);
		if (first) {
			/* snapshots need the features: no memo when exporting */
			if (gen && !ff_trk_exporting(t))
				memo = ff_track_memo_find(t, p, gen);
			__builtin_memset(first, 0, sizeof(*first));
		} else {
			f = ff_trk_create(t, &key, now_us, NULL, &created);
		}
		if (!f) {
			ff_trk_count(t, FF_C_FLOW_ALLOC_FAIL);
			return FF_ACT_PASS;
		}
		if (created)
			ff_trk_count(t, FF_C_FLOWS_CREATED);
	}
	if (!first && ff_trk_ends(t, f, now_us)) {
		/* the old flow ends here; this packet starts a new one */
		if (ff_trk_exporting(t)) {
			ff_trk_ctx_read(t, &key, f->initiator_is_b, f->last_us);
			ff_trk_final_snapshot(t, f, &key, FF_SNAP_IDLE);
		}
		ff_trk_event(t, f, &key, f->cls, now_us, FF_EV_ENDED);
		ff_trk_restart(t, &key, f);
		ff_trk_count(t, FF_C_FLOWS_CREATED);
	}

	/* the context of this packet, before the checkpoint reads it */
	ff_trk_ctx_packet(t, f, &key, p, from_b, now_us);
	cp = ff_flow_update(f, p, from_b, now_us, cfg);
	/* the handshake completes: the initiator's first ACK without SYN after
	 * its SYN. Not the SYN-ACK's ACK (f->ack_us): a hook that sees one
	 * direction (XDP ingress) never sees a SYN-ACK, and the count must
	 * mean the same at every hook and offline (syn_us: TCP only; not read
	 * for other packets, it lies past the fields they touch) */
	if (p->proto == FF_IPPROTO_TCP && f->syn_us && from_b == f->initiator_is_b &&
	    (p->tcp_flags & (FF_TCP_SYN | FF_TCP_ACK)) == FF_TCP_ACK &&
	    !(f->ctx_flags & FF_FLOW_CTX_DONE)) {
		f->ctx_flags |= FF_FLOW_CTX_DONE;
		ff_trk_ctx_update(t, &key, f->initiator_is_b, FF_CTX_BIT(FF_CTX_DONE), 0, now_us);
	}
	if (!cp && f->cls != FF_CLASS_NONE && f->model_gen < ctl->reclass_gen) {
		/* decided by an older model and the operator asked for a new
		 * verdict: this packet is a checkpoint */
		cp = FF_CP_COUNT;
		ff_trk_count(t, FF_C_RECLASSIFIED);
	}
	if (first && memo) {
		ff_track_memo_apply(f, memo, now_us);
		ff_trk_count(t, FF_C_FIRST_MEMO);
		cp = 0;
	}
	if (cp)
		ff_trk_ctx_read(t, &key, f->initiator_is_b, now_us);
	if (cp)
		ff_trk_checkpoint(t, f, &key, now_us,
				  ((cp & FF_CP_FIN) ? FF_SNAP_FIN : FF_SNAP_CHECKPOINT) |
					  (first ? FF_TRK_QUIET : 0));
	if (first) {
		if (cp && !ff_trk_exporting(t))
			ff_track_memo_put(t, f, p);
		if (ff_track_first_drop(t, ctl, cfg, f, &key, p, now_us, &allowed))
			return FF_ACT_DROP;
		f = ff_track_admit(t, &key, f, now_us);
		if (!f)
			return FF_ACT_PASS;
	}

	ff_trk_class_pkt(t, f->cls);
	if (f->cls == FF_CLASS_NONE)
		return FF_ACT_PASS;
	action = f->action;
	if (action == FF_ACT_DROP && ff_track_allowed(t, ctl, p, &allowed)) {
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
