// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * flowforest's BPF side: maps, clock and storage glue, and one packet
 * pipeline behind thin per-hook adapters (XDP, TC, socket filter). Parsing,
 * flow update, features and the forest walk come from the shared headers in
 * include/flowforest/, which user space runs too.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "flowforest/parse.h"
#include "flowforest/flow.h"
#include "flowforest/features.h"
#include "flowforest/model.h"
#include "flowforest/events.h"
#include "flowforest/ctl.h"
#include "flowforest/first.h"

/* Where the parser reads bytes from. */
enum ff_src_kind {
	FF_SRC_XDP = 0,	/* direct packet access */
	FF_SRC_SKB = 1,	/* bpf_skb_load_bytes: TC and socket filters */
};

static __always_inline int ff_load(void *src, const int kind, __u32 off,
				   void *dst, __u32 len)
{
	if (kind == FF_SRC_XDP) {
		struct xdp_md *x = src;
		void *data = (void *)(long)x->data;
		void *end = (void *)(long)x->data_end;

		/* Bound the offset so the verifier can track data + off. */
		if (off > FF_MAX_L4_OFF + FF_MAX_L3_OFF)
			return -1;
		if (data + off + len > end)
			return -1;
		/* Headers start at even offsets; x86-64 and arm64 load from any
		 * address (the verifier's strict alignment mode is off there),
		 * so tell the compiler it may use wide loads. */
		__builtin_memcpy(dst, __builtin_assume_aligned(data + off, 8), len);
		return 0;
	}
	return bpf_skb_load_bytes(src, off, dst, len) ? -1 : 0;
}

static __always_inline __u32 ff_replay_wire_len(void);

static __always_inline __u32 ff_frame_len(void *src, const int kind)
{
	__u32 replay = ff_replay_wire_len();

	if (replay)
		return replay;
	if (kind == FF_SRC_XDP) {
		struct xdp_md *x = src;

		return x->data_end - x->data;
	}
	return ((struct __sk_buff *)src)->len;
}

/* ---- configuration, fixed at load time ---------------------------------- */

const volatile struct ff_config ff_cfg = FF_CONFIG_DEFAULT;
/* 1: take the clock from ff_clock (replay of a capture) instead of the
 * kernel's monotonic clock. */
const volatile __u8 ff_replay_clock = 0;
/* 1: send each checkpoint's features to ff_snapshots (replay). */
const volatile __u8 ff_export = 0;
/* Eviction queue size (= flow-table size) and the number of live flows
 * above which flowforest makes room itself, exporting the flow it removes,
 * before the LRU map would evict one silently. 0: off. */
const volatile __u32 ff_fifo_size = 0;
const volatile __u32 ff_evict_at = 0;

/* Every feature (a global in .rodata: clang puts a static one in a
 * mergeable section that the BTF cannot describe). */
const volatile struct ff_feature_set ff_fset_all_rodata = FF_FSET_ALL;
#define ff_fset_every (*(const struct ff_feature_set *)&ff_fset_all_rodata)

/* ---- maps ---------------------------------------------------------------- */

/* An array map indexed by __u32 (per-CPU or not). */
#define FF_ARRAY_MAP(name, kind, n, value_t)                                   \
	struct {                                                               \
		__uint(type, kind);                                            \
		__uint(max_entries, n);                                        \
		__type(key, __u32);                                            \
		__type(value, value_t);                                        \
	} name SEC(".maps")

/* A list of prefixes (LPM trie), the value a hit count. */
#define FF_LPM_LIST(name)                                                      \
	struct {                                                               \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);                           \
		__uint(max_entries, 16384);                                    \
		__uint(map_flags, BPF_F_NO_PREALLOC);                          \
		__type(key, struct ff_lpm_key);                                \
		__type(value, __u64);                                          \
	} name SEC(".maps")

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);	/* set by the loader (--flows) */
	__type(key, struct ff_flow_key);
	__type(value, struct ff_flow);
} ff_flows SEC(".maps");

/* A zeroed flow, the initial value of every new entry (too large for the
 * stack). Never written. */
FF_ARRAY_MAP(ff_zero_flow, BPF_MAP_TYPE_ARRAY, 1, struct ff_flow);

/* Two model slots, each one value: a walk looks its slot's nodes up once
 * per tree, not once per node. */
FF_ARRAY_MAP(ff_nodes, BPF_MAP_TYPE_ARRAY, 2, struct ff_node_slot);

FF_ARRAY_MAP(ff_meta, BPF_MAP_TYPE_ARRAY, 2, struct ff_model_meta);

/* Entry 0: the active model slot (0 or 1). Flipping it is the swap. */
FF_ARRAY_MAP(ff_active, BPF_MAP_TYPE_ARRAY, 1, __u32);

FF_ARRAY_MAP(ff_scratch, BPF_MAP_TYPE_PERCPU_ARRAY, 1, struct ff_features);

/* Which rows of the scratch vector this checkpoint computed: the flow's
 * of the set ff_trk_feature_set() gave last; the context rows of the
 * entries in ctx_read (FF_MODEL_F_CTX_KIND() bits: read only for a model
 * that uses them, those it uses). Kept here, not passed
 * along: the call chain to the walk is at the verifier's stack limit. */
struct ff_scratch_have {
	struct ff_feature_set flow;
	__u32 ctx_read;
	__u32 pad;
};

FF_ARRAY_MAP(ff_scratch_have, BPF_MAP_TYPE_PERCPU_ARRAY, 1, struct ff_scratch_have);

/* One-packet flows (flowforest/first.h): the scratch flow of a packet that
 * opens a flow, the first-packet memo, the drop aggregates. Per CPU: no
 * CPU waits for another on a flood. */
FF_ARRAY_MAP(ff_first, BPF_MAP_TYPE_PERCPU_ARRAY, 1, struct ff_flow);

FF_ARRAY_MAP(ff_memo, BPF_MAP_TYPE_PERCPU_ARRAY, FF_FIRST_MEMO_SLOTS, struct ff_first_memo);

FF_ARRAY_MAP(ff_flood, BPF_MAP_TYPE_PERCPU_ARRAY, FF_FLOOD_SLOTS, struct ff_flood_slot);

FF_ARRAY_MAP(ff_counters, BPF_MAP_TYPE_PERCPU_ARRAY, 1, struct ff_counters);

/* Context (flowforest/context.h): services and source prefixes, shared by
 * the CPUs (per CPU, a flood spread over CPUs would be seen in parts). */
FF_ARRAY_MAP(ff_ctx, BPF_MAP_TYPE_ARRAY, FF_CTX_SLOTS + 1, struct ff_ctx_slot);	/* + its clock */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} ff_events SEC(".maps");

/* Operator state: written by user space only, atomically per field through
 * a shared mapping (ctl.h); read here. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ff_ctl);
} ff_ctl SEC(".maps");

/* The eviction queue's positions and the live-flow count: written here
 * only (ctl.h). */
FF_ARRAY_MAP(ff_fifo_state, BPF_MAP_TYPE_ARRAY, 1, struct ff_fifo_state);

/* Allow and deny lists: prefixes of either endpoint. Allowed traffic is
 * never dropped; denied traffic is dropped before flow tracking. */
FF_LPM_LIST(ff_allow);

FF_LPM_LIST(ff_deny);

/* Which /16s the lists' prefixes touch (ctl.h): written by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ff_list_cover);
} ff_cover SEC(".maps");

/* Flow keys in the order they entered the table (sized by the loader). */
FF_ARRAY_MAP(ff_fifo, BPF_MAP_TYPE_ARRAY, 1, struct ff_fifo_entry);

/* Feature snapshots for replay; sized by the loader (tiny when unused). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 12);
} ff_snapshots SEC(".maps");

/* The flow ff_snapshot reports on (test_run, end of a replay). */
FF_ARRAY_MAP(ff_snap_key, BPF_MAP_TYPE_ARRAY, 1, struct ff_flow_key);

/* The forest walk's state. It lives in a map, not on the stack, so that
 * the verifier checks the bpf_loop callback against unknown values once,
 * instead of following the walk's counters through every iteration. */
FF_ARRAY_MAP(ff_walk_state, BPF_MAP_TYPE_PERCPU_ARRAY, 1, struct ff_walk);

/* Replay, written by user space before each packet: entry 0 is the clock in
 * nanoseconds, entry 1 the frame's original length (the capture's, before
 * any snap length; 0: the frame's own). */
#define FF_CLOCK_NS 0
#define FF_CLOCK_WIRE_LEN 1
FF_ARRAY_MAP(ff_clock, BPF_MAP_TYPE_ARRAY, 2, __u64);

/* Test-only inference: a feature vector in, a verdict out (ff_infer). */

FF_ARRAY_MAP(ff_infer_in, BPF_MAP_TYPE_ARRAY, 1, struct ff_features);

FF_ARRAY_MAP(ff_infer_out, BPF_MAP_TYPE_ARRAY, 1, struct ff_infer_result);

/* ---- forest walk glue ---------------------------------------------------- */

/* One tree: its slot's nodes and roots (w->user holds the slot) and the
 * feature vector, each looked up once (walking several trees per step
 * measured no faster, at several times the verifier's work). */
static long ff_walk_cb(__u32 i, void *ctx)
{
	struct ff_walk_mem mem;
	struct ff_node_slot *ns;
	struct ff_model_meta *m;
	struct ff_features *fv;
	struct ff_walk *w;
	__u32 zero = 0, slot;

	w = bpf_map_lookup_elem(&ff_walk_state, &zero);
	if (!w)
		return 1;
	slot = w->user & 1;
	ns = bpf_map_lookup_elem(&ff_nodes, &slot);
	m = bpf_map_lookup_elem(&ff_meta, &slot);
	fv = bpf_map_lookup_elem(&ff_scratch, &zero);
	if (!ns || !m || !fv) {
		w->errors++;
		return 1;
	}
	mem.nodes = ns->n;
	mem.roots = m->roots;
	mem.fv = fv->v;
	return ff_walk_tree(w, &mem);
}

/* Global functions return unknown scalars: the verifier checks each body
 * once instead of following the caller with every value it could return
 * (8 phases here; the 16 classes' softmax terms: ff_softmax_term, model.h). */
__noinline __u32 ff_phase_of(const struct ff_model_meta *m, __u32 pkts)
{
	if (!m)
		return 0;
	return ff_phase_pick(m->phases, m->n_phases, pkts);
}

/* A global function, so the winning class comes back as one unknown scalar
 * and the verifier does not follow every branch of the vote count. */
__noinline __u32 ff_best(const struct ff_walk *w)
{
	return w ? ff_walk_best(w) : 0;
}

/* The class (from ff_best: one unknown value, so that the score's loops
 * are checked once, not once per possible winner) and its score. */
__noinline int ff_vote(const struct ff_walk *w, const struct ff_phase *ph, __u32 *score)
{
	__u32 best;

	if (!w || !ph || !score)
		return 0;
	best = ff_best(w) & (FF_MAX_CLASSES - 1);
	*score = ff_walk_score(w, best, ph->combine, ph->scale_bits);
	return best;
}

/* The split attack votes rule on the verdict (ff_verdict_attack_votes()).
 * Global: its loop's stack is not on top of ff_run_model_once's, which is
 * at the verifier's limit. */
__noinline int ff_attack_votes(const struct ff_walk *w, const struct ff_model_meta *m,
			       struct ff_verdict *v)
{
	if (!w || !m || !v)
		return 0;
	ff_verdict_attack_votes(w, m->actions, m->attack_min_share, v);
	return 0;
}

/* Were the features model `m` reads computed for this checkpoint? Not
 * when the model was swapped in since ff_trk_feature_set(). Global: its
 * stack is not on top of the caller's. */
__noinline int ff_features_ready(const struct ff_model_meta *m)
{
	__u32 zero = 0;
	struct ff_scratch_have *h = bpf_map_lookup_elem(&ff_scratch_have, &zero);

	if (!m || !h || !ff_fset_covers(&h->flow, &m->features))
		return 0;
	return !(ff_model_ctx_kinds(m->flags) & ~h->ctx_read);
}

/* The native forest (src/forest_native.c). flowforest compiles the active
 * model to instructions at install time and loads a copy of the hook's
 * program whose ff_forest_native() body is that code: it adds phase
 * `phase`'s trees to w->sums (initialised by ff_walk_init) from the vector
 * `fv`, and returns 0 when `generation` is the model it was compiled for.
 * This body, or another model's code during a swap, returns 1: the walk
 * runs. A global function, so the verifier checks the generated body once
 * on its own; pointers, not map lookups, so that it needs no stack (the
 * call chain to here is at the 512-byte limit). The asm keeps clang from
 * folding the constant into the caller. generation and phase are 64-bit
 * here so that the stub stays two instructions (forest_native.c replaces
 * exactly those): a __u32 parameter used as a register is zero-extended
 * first with 32-bit ALU instructions (-mcpu=v3). */
__noinline int ff_forest_native(struct ff_walk *w, const struct ff_features *fv,
				__u64 generation, __u64 phase)
{
	int r = 1;

	asm volatile("" : "+r"(r) : "r"(w), "r"(fv), "r"(generation), "r"(phase));
	return r;
}

/* The active model slot's header, and its index in *slot (NULL: none).
 * *slot is the first lookup's key too: the walk's call chain is at the
 * verifier's 512-byte stack limit, no room for another local. */
static __always_inline struct ff_model_meta *ff_active_meta(__u32 *slot)
{
	__u32 *active;

	*slot = 0;
	active = bpf_map_lookup_elem(&ff_active, slot);
	if (!active)
		return NULL;
	*slot = *active & 1;
	return bpf_map_lookup_elem(&ff_meta, slot);
}

/* One walk of the active model's phase for a flow of `pkts` packets, on
 * the vector in ff_scratch (ff_scratch_have: its rows computed). Returns 0
 * with a verdict, 1 when the slot was rewritten during the walk (the
 * caller tries again), 2 when the model reads features this checkpoint did
 * not compute (swapped in since), -1 for no model. Global: verified once,
 * not once per call site. */
__noinline int ff_run_model_once(__u32 pkts, struct ff_verdict *v)
{
	struct ff_features *fv;
	struct ff_model_meta *m;
	struct ff_phase *ph;
	struct ff_walk *w;
	__u32 zero = 0, slot, g, p, cls;

	w = bpf_map_lookup_elem(&ff_walk_state, &zero);
	if (!w || !v)
		return -1;
	m = ff_active_meta(&slot);
	if (!m)
		return -1;
	g = *(volatile __u32 *)&m->generation;
	if (g == 0 || m->n_trees == 0)
		return g == 0 && m->n_trees ? 1 : -1;
	if (!ff_features_ready(m))
		return 2;

	p = ff_phase_of(m, pkts) & (FF_MAX_PHASES - 1);
	ph = &m->phases[p];
	ff_walk_init(w, ph, m->n_classes);
	w->user = slot;
	fv = bpf_map_lookup_elem(&ff_scratch, &zero);
	if (!fv || ff_forest_native(w, fv, g, p))
		bpf_loop(FF_MAX_TREES, ff_walk_cb, NULL, 0);
	v->cls = ff_vote(w, ph, &v->score) & (FF_MAX_CLASSES - 1);
	ff_attack_votes(w, m, v);
	cls = v->cls & (FF_MAX_CLASSES - 1);
	v->action = ff_verdict_action(m->actions[cls], v->score, m->min_score[cls]);
	ff_verdict_early(w, m->actions, pkts, m->early_from, m->early_pkts, m->early_min_share, v);
	v->generation = g;
	v->phase = p;
	v->errors = w->errors;
	/* The loader zeroes a slot's generation before it rewrites the slot:
	 * a changed generation means this walk may have seen two models. */
	return *(volatile __u32 *)&m->generation == g ? 0 : 1;
}

/* Run the active model on the feature vector in ff_scratch for a flow of
 * `pkts` packets: the verdict of exactly one model, or -1. */
static __always_inline int ff_run_model(__u32 pkts, struct ff_verdict *v)
{
	int r = ff_run_model_once(pkts, v);

	if (r == 1 || r == 2) {
		__u32 zero = 0;
		struct ff_counters *cnt = bpf_map_lookup_elem(&ff_counters, &zero);

		if (cnt)
			cnt->c[FF_C_SWAP_RETRIES]++;
		if (r == 1)
			r = ff_run_model_once(pkts, v);
	}
	return r == 0 ? 0 : -1;
}

static __always_inline __u32 ff_replay_wire_len(void)
{
	__u32 key = FF_CLOCK_WIRE_LEN;
	__u64 *len;

	if (!ff_replay_clock)
		return 0;
	len = bpf_map_lookup_elem(&ff_clock, &key);
	return len ? (__u32)*len : 0;
}

/* The monotonic clock, or (coarse) its value at the last tick: 24 ns less
 * per packet in test_run on this VM (kvm-clock). */
static __always_inline __u64 ff_now_us(int coarse)
{
	if (ff_replay_clock) {
		__u32 key = FF_CLOCK_NS;
		__u64 *ns = bpf_map_lookup_elem(&ff_clock, &key);

		return ns ? *ns / 1000 : 0;
	}
	return (coarse ? bpf_ktime_get_coarse_ns() : bpf_ktime_get_ns()) / 1000;
}

/*
 * Wake the event reader for a record that leaves `avail` bytes unread?
 * Waking costs an interrupt (a self-IPI, a VM exit on a guest: with the
 * ring past the mark and every event waking, the realistic mix of
 * bench_pipeline took 210 ns per packet). `run` polls every 100 ms anyway,
 * so wake it only while the ring fills up: once past 256 KiB unread, and
 * again at each further 64 KiB (a crossing that two CPUs' records hide
 * from each other is caught at the next one). The record with its 8-byte
 * header is what `avail` grew by.
 */
static __always_inline int ff_events_wake(__u64 avail)
{
	__u64 before = avail - (sizeof(struct ff_event) + 8);

	return avail > (1 << 18) && (avail >> 16) != (before >> 16);
}

/* An event for flow `f` into ff_events. */
static __always_inline void ff_emit(struct ff_counters *cnt, const struct ff_flow *f,
				    const struct ff_flow_key *k, __u16 prev, __u64 now_us,
				    __u8 type)
{
	struct ff_event *e = bpf_ringbuf_reserve(&ff_events, sizeof(*e), 0);

	if (!e) {
		cnt->c[FF_C_EVENTS_LOST]++;
		return;
	}
	ff_event_fill(e, k, f, prev, now_us, type);
	bpf_ringbuf_submit(e, ff_events_wake(bpf_ringbuf_query(&ff_events, BPF_RB_AVAIL_DATA)) ?
				      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	cnt->c[FF_C_EVENTS]++;
}

/* Is either endpoint of `pkt` in the LPM trie `map`, whose cover is
 * `cover` (ff_cover)? An address in an uncovered /16 is not looked up. */
static __always_inline int ff_listed(void *map, const __u16 *cover, const struct ff_pkt *pkt)
{
	struct ff_lpm_key k = { .prefixlen = 8 + 128, .family = pkt->family };
	__u64 *hits = NULL;

	if (cover[ff_cover_idx(pkt->saddr)]) {
		__builtin_memcpy(k.addr, pkt->saddr, 16);
		hits = bpf_map_lookup_elem(map, &k);
	}
	if (!hits && cover[ff_cover_idx(pkt->daddr)]) {
		__builtin_memcpy(k.addr, pkt->daddr, 16);
		hits = bpf_map_lookup_elem(map, &k);
	}
	if (!hits)
		return 0;
	__sync_fetch_and_add(hits, 1);
	return 1;
}

/* Queue the flow `f` (key `key`) at the back of the eviction queue. */
static __always_inline void ff_fifo_push(struct ff_fifo_state *st, struct ff_flow *f,
					 const struct ff_flow_key *key, __u64 now_us)
{
	struct ff_fifo_entry *e;
	__u64 pos = __sync_fetch_and_add(&st->head, 1);
	__u32 idx = pos % ff_fifo_size;

	f->fifo_pos = pos;
	e = bpf_map_lookup_elem(&ff_fifo, &idx);
	if (!e)
		return;
	__builtin_memcpy(&e->key, key, sizeof(*key));
	e->queued_us = now_us;
	/* publish: the slot is complete (xchg is a full barrier) */
	__sync_lock_test_and_set(&e->seq, pos + 1);
}

/*
 * Make room in a nearly full flow table before the LRU map evicts a flow
 * without telling anyone: take the oldest queued flow; if it has had a
 * packet since it was queued, give it a second chance at the back of the
 * queue; otherwise report it (FF_EV_EVICTED) and delete it. A few tries per
 * new flow, so the cost is bounded.
 *
 * A slot is taken by moving `tail` from t to t + 1 with a compare-and-swap,
 * and only once its seq says it was written for position t: two CPUs never
 * take one slot or pass `head`. A flow has exactly one queued position
 * (f->fifo_pos); an entry whose flow is gone, or whose flow was created
 * again since, is stale: that flow left the table unseen (LRU), so it
 * leaves the live count here.
 */
__noinline int ff_make_room(__u64 now_us)
{
	struct ff_fifo_entry cand;
	struct ff_fifo_state *st;
	struct ff_counters *cnt;
	__u32 zero = 0, idx, i;

	cnt = bpf_map_lookup_elem(&ff_counters, &zero);
	st = bpf_map_lookup_elem(&ff_fifo_state, &zero);
	if (!cnt || !st || !ff_fifo_size)
		return -1;
	for (i = 0; i < 4; i++) {
		struct ff_fifo_entry *e;
		struct ff_flow *f;
		__u64 t = *(volatile __u64 *)&st->tail;

		if (t >= *(volatile __u64 *)&st->head)
			return -1;
		idx = t % ff_fifo_size;
		e = bpf_map_lookup_elem(&ff_fifo, &idx);
		if (!e)
			return -1;
		if (*(volatile __u64 *)&e->seq < t + 1)
			return -1;	/* still being written: next time */
		if (__sync_val_compare_and_swap(&st->tail, t, t + 1) != t)
			continue;	/* another CPU took it */
		cand = *e;
		if (cand.seq != t + 1) {
			/* overwritten by a later lap of a full queue */
			cnt->c[FF_C_EVICT_STALE]++;
			continue;
		}
		f = bpf_map_lookup_elem(&ff_flows, &cand.key);
		if (!f || f->fifo_pos != t) {
			cnt->c[FF_C_EVICT_STALE]++;
			__sync_fetch_and_add(&st->live, -1);
			continue;
		}
		if (f->last_us > cand.queued_us && i < 3) {
			ff_fifo_push(st, f, &cand.key, now_us);
			continue;
		}
		ff_emit(cnt, f, &cand.key, f->cls, now_us, FF_EV_EVICTED);
		if (bpf_map_delete_elem(&ff_flows, &cand.key) == 0) {
			__sync_fetch_and_add(&st->live, -1);
			cnt->c[FF_C_EVICTED]++;
		}
		return 0;
	}
	return -1;
}

/* A new flow: room first if the table is nearly full, then insert and
 * queue it for eviction. Returns the flow, or NULL. */
static __always_inline struct ff_flow *ff_flow_create(const struct ff_flow_key *key, __u64 now_us,
						      const struct ff_flow *init, int *created)
{
	struct ff_fifo_state *st;
	struct ff_flow *f;
	__u32 zero = 0;

	if (!init)
		init = bpf_map_lookup_elem(&ff_zero_flow, &zero);
	st = bpf_map_lookup_elem(&ff_fifo_state, &zero);
	if (!init || !st)
		return NULL;
	if (ff_fifo_size && st->live >= (__s64)ff_evict_at)
		ff_make_room(now_us);
	if (bpf_map_update_elem(&ff_flows, key, init, BPF_NOEXIST) == 0) {
		*created = 1;
		f = bpf_map_lookup_elem(&ff_flows, key);
		if (f && ff_fifo_size) {
			__sync_fetch_and_add(&st->live, 1);
			ff_fifo_push(st, f, key, now_us);
		}
		return f;
	}
	return bpf_map_lookup_elem(&ff_flows, key);
}

/* ---- the per-packet sequence (flowforest/track.h): storage glue ---------- */

/*
 * The context of one packet: the maps it uses most, looked up once. It
 * lives on the stack of one global function; the global functions below
 * (each checked by the verifier once, on its own, which keeps verification
 * small and independent of the model) build their own.
 */
struct ff_track {
	struct ff_counters *cnt;
	struct ff_ctl *ctl;
};

static __always_inline int ff_track_init(struct ff_track *t)
{
	__u32 zero = 0;

	t->cnt = bpf_map_lookup_elem(&ff_counters, &zero);
	t->ctl = bpf_map_lookup_elem(&ff_ctl, &zero);
	return t->cnt && t->ctl ? 0 : -1;
}

static __always_inline const volatile struct ff_config *ff_trk_cfg(struct ff_track *t)
{
	return &ff_cfg;
}

static __always_inline const struct ff_ctl *ff_trk_ctl(struct ff_track *t)
{
	return t->ctl;
}

/* Global: verified once, not at each of the sequence's list checks. */
__noinline int ff_listed_g(int deny, const struct ff_pkt *p)
{
	__u32 zero = 0;
	struct ff_list_cover *c = bpf_map_lookup_elem(&ff_cover, &zero);

	if (!c || !p)
		return 0;
	if (deny)
		return ff_listed(&ff_deny, c->n[1][p->family == 6], p);
	return ff_listed(&ff_allow, c->n[0][p->family == 6], p);
}

static __always_inline int ff_trk_listed(struct ff_track *t, int deny, const struct ff_pkt *p)
{
	return ff_listed_g(deny, p);
}

static __always_inline struct ff_flow *ff_trk_lookup(struct ff_track *t,
						     const struct ff_flow_key *k)
{
	return bpf_map_lookup_elem(&ff_flows, k);
}

static __always_inline struct ff_flow *ff_trk_create(struct ff_track *t,
						     const struct ff_flow_key *k, __u64 now_us,
						     const struct ff_flow *init, int *created)
{
	return ff_flow_create(k, now_us, init, created);
}

static __always_inline struct ff_flow *ff_trk_first(struct ff_track *t)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ff_first, &zero);
}

static __always_inline struct ff_first_memo *ff_trk_memo(struct ff_track *t, __u32 slot)
{
	return bpf_map_lookup_elem(&ff_memo, &slot);
}

static __always_inline struct ff_flood_slot *ff_trk_flood(struct ff_track *t, __u32 slot)
{
	return bpf_map_lookup_elem(&ff_flood, &slot);
}

static __always_inline __u32 ff_trk_model_gen(struct ff_track *t)
{
	__u32 slot;
	struct ff_model_meta *m = ff_active_meta(&slot);

	if (!m || !m->n_trees)
		return 0;
	return *(volatile __u32 *)&m->generation;
}

static __always_inline __u32 ff_trk_model_flags(struct ff_track *t)
{
	__u32 slot;
	struct ff_model_meta *m = ff_active_meta(&slot);

	return m ? m->flags : 0;
}

static __always_inline __u64 ff_trk_now(struct ff_track *t, int coarse)
{
	return ff_now_us(coarse);
}

static __always_inline int ff_trk_ends(struct ff_track *t, const struct ff_flow *f,
				       __u64 now_us)
{
	return ff_flow_expired(f, now_us, &ff_cfg);
}

static __always_inline void ff_trk_restart(struct ff_track *t, const struct ff_flow_key *k,
					   struct ff_flow *f)
{
	ff_flow_reset(f);	/* the eviction queue's bookkeeping stays */
}

static __always_inline void ff_trk_count(struct ff_track *t, const __u32 id)
{
	t->cnt->c[id]++;
}

static __always_inline void ff_trk_add(struct ff_track *t, const __u32 id, __u64 n)
{
	t->cnt->c[id] += n;
}

static __always_inline void ff_trk_class_pkt(struct ff_track *t, __u16 cls)
{
	if (cls == FF_CLASS_NONE)
		t->cnt->unclassified_pkts++;
	else
		t->cnt->class_pkts[cls & (FF_MAX_CLASSES - 1)]++;
}

static __always_inline struct ff_features *ff_trk_features(struct ff_track *t)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&ff_scratch, &zero);
}

/* Every feature when exporting, else the active model's (none: none),
 * noted in ff_scratch_have (the last call is the checkpoint's). A pointer
 * into the slot's header, which no install rewrites while a packet can
 * still be using it (loader_model.c). */
static __always_inline const struct ff_feature_set *ff_trk_feature_set(struct ff_track *t)
{
	const struct ff_feature_set *s = &ff_fset_every;
	struct ff_scratch_have *h;
	struct ff_model_meta *m;
	__u32 zero = 0, slot;

	h = bpf_map_lookup_elem(&ff_scratch_have, &zero);
	if (!ff_export) {
		m = ff_active_meta(&slot);
		if (m)
			s = &m->features;	/* no model: an empty set */
	}
	if (h)
		h->flow = *s;
	return s;
}

/* The walk reads the vector from ff_scratch, which `fv` is. */
static __always_inline int ff_trk_model(struct ff_track *t, __u32 pkts,
					const struct ff_features *fv, struct ff_verdict *v)
{
	return ff_run_model(pkts, v);
}

static __always_inline void ff_trk_event(struct ff_track *t, const struct ff_flow *f,
					 const struct ff_flow_key *k, __u16 prev, __u64 now_us,
					 __u8 type)
{
	ff_emit(t->cnt, f, k, prev, now_us, type);
}

static __always_inline int ff_trk_exporting(struct ff_track *t)
{
	return ff_export;
}

static __always_inline void ff_trk_snapshot(struct ff_track *t, const struct ff_flow *f,
					    const struct ff_flow_key *k,
					    const struct ff_features *fv, __u8 reason, __u64 ts_us)
{
	struct ff_snapshot *s = bpf_ringbuf_reserve(&ff_snapshots, sizeof(*s), 0);

	if (!s) {
		ff_trk_count(t, FF_C_SNAPSHOTS_LOST);
		return;
	}
	ff_snapshot_fill_fv(s, k, f, fv, reason, ts_us);
	/* The replay reader polls after every packet: no wake-up needed. */
	bpf_ringbuf_submit(s, BPF_RB_NO_WAKEUP);
}

__noinline int ff_checkpoint(struct ff_flow *f, const struct ff_flow_key *key, __u64 now_us,
			     __u32 reason);
__noinline int ff_ctx_update(const struct ff_flow_key *key, __u32 init_b, __u32 mask,
			     __u32 bytes, __u64 now_us);
__noinline int ff_ctx_packet(struct ff_flow *f, const struct ff_flow_key *key,
			     const struct ff_pkt *p, __u32 from_b, __u64 now_us);
__noinline int ff_ctx_read(const struct ff_flow_key *key, __u32 init_b, __u64 now_us);
__noinline int ff_final_snapshot(const struct ff_flow *f, const struct ff_flow_key *key,
				 __u32 reason);

static __always_inline void ff_trk_checkpoint(struct ff_track *t, struct ff_flow *f,
					      const struct ff_flow_key *k, __u64 now_us,
					      __u32 reason)
{
	ff_checkpoint(f, k, now_us, reason);
}

static __always_inline void ff_trk_final_snapshot(struct ff_track *t, const struct ff_flow *f,
						  const struct ff_flow_key *k, __u32 reason)
{
	ff_final_snapshot(f, k, reason);
}

static __always_inline struct ff_ctx_slot *ff_trk_ctx_slot(struct ff_track *t, __u32 idx)
{
	return bpf_map_lookup_elem(&ff_ctx, &idx);
}

static __always_inline void ff_trk_ctx_update(struct ff_track *t, const struct ff_flow_key *k,
					      __u32 init_b, __u32 mask, __u32 bytes, __u64 now_us)
{
	ff_ctx_update(k, init_b, mask, bytes, now_us);
}

/* A global function of its own: what it inlines is not on ff_track's
 * stack, which the call chain to the model walk bounds. */
static __always_inline void ff_trk_ctx_packet(struct ff_track *t, struct ff_flow *f,
					      const struct ff_flow_key *k, const struct ff_pkt *p,
					      __u32 from_b, __u64 now_us)
{
	ff_ctx_packet(f, k, p, from_b, now_us);
}

/* Into the scratch vector (a global function of its own: its stack is not
 * on the checkpoint's path to the model walk). */
static __always_inline void ff_trk_ctx_read(struct ff_track *t, const struct ff_flow_key *k,
					    __u32 init_b, __u64 now_us)
{
	ff_ctx_read(k, init_b, now_us);
}

#include "flowforest/track.h"

__noinline int ff_ctx_update(const struct ff_flow_key *key, __u32 init_b, __u32 mask,
			     __u32 bytes, __u64 now_us)
{
	struct ff_track t = {};

	if (!key)
		return -1;
	ff_track_ctx_update(&t, key, init_b, mask, bytes, now_us);
	return 0;
}

__noinline int ff_ctx_packet(struct ff_flow *f, const struct ff_flow_key *key,
			     const struct ff_pkt *p, __u32 from_b, __u64 now_us)
{
	struct ff_track t = {};

	if (!f || !key || !p)
		return -1;
	ff_track_ctx_packet(&t, f, key, p, from_b, now_us);
	return 0;
}

__noinline int ff_ctx_read(const struct ff_flow_key *key, __u32 init_b, __u64 now_us)
{
	struct ff_track t = {};
	struct ff_features *fv = ff_trk_features(&t);
	__u32 zero = 0;
	struct ff_scratch_have *h = bpf_map_lookup_elem(&ff_scratch_have, &zero);

	if (!key || !fv || !h)
		return -1;
	h->ctx_read = ff_track_ctx_read(&t, key, init_b, now_us, fv);
	return 0;
}

__noinline int ff_checkpoint(struct ff_flow *f, const struct ff_flow_key *key, __u64 now_us,
			     __u32 reason)
{
	struct ff_track t;

	if (!f || !key || ff_track_init(&t))
		return -1;
	ff_track_checkpoint(&t, f, key, now_us, reason);
	return 0;
}

__noinline int ff_final_snapshot(const struct ff_flow *f, const struct ff_flow_key *key,
				 __u32 reason)
{
	struct ff_track t;

	if (!f || !key || ff_track_init(&t))
		return -1;
	ff_track_final_snapshot(&t, f, key, reason);
	return 0;
}

/* Everything after parsing (track.h). Returns the enum ff_action to apply. */
__noinline int ff_track(const struct ff_pkt *pkt)
{
	struct ff_track t;

	if (!pkt || ff_track_init(&t))
		return FF_ACT_PASS;
	return ff_track_packet(&t, pkt);
}

/* Count the frame and its parse result; 0 when the frame is ours to track. */
static __always_inline int ff_account(int r, __u32 frame_len)
{
	__u32 zero = 0;
	struct ff_track t = { .cnt = bpf_map_lookup_elem(&ff_counters, &zero) };

	if (!t.cnt)
		return -1;
	return ff_track_account(&t, r, frame_len);
}

__noinline int ff_parse_xdp(struct xdp_md *ctx, struct ff_pkt *p)
{
	if (!ctx || !p)
		return FF_PARSE_MALFORMED;
	return ff_parse(ctx, FF_SRC_XDP, p);
}

__noinline int ff_parse_skb(struct __sk_buff *skb, struct ff_pkt *p)
{
	if (!skb || !p)
		return FF_PARSE_MALFORMED;
	return ff_parse(skb, FF_SRC_SKB, p);
}

/* ---- hooks --------------------------------------------------------------- */

/* A parsed frame's action: 1 to drop it, 0 to let it through. */
static __always_inline int ff_drops(int parse_result, __u32 frame_len, const struct ff_pkt *pkt)
{
	return !ff_account(parse_result, frame_len) && ff_track(pkt) == FF_ACT_DROP;
}

SEC("xdp")
int ff_xdp(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	struct ff_pkt pkt = {};

	return ff_drops(ff_parse_xdp(ctx, &pkt), len, &pkt) ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int ff_tc(struct __sk_buff *skb)
{
	struct ff_pkt pkt = {};

	return ff_drops(ff_parse_skb(skb, &pkt), skb->len, &pkt) ? TC_ACT_SHOT : TC_ACT_OK;
}

/* Socket filter: decides only what the raw socket it is attached to sees
 * (0 = the socket does not get the packet); the host's traffic is never
 * affected. Monitoring mode. */
SEC("socket")
int ff_socket(struct __sk_buff *skb)
{
	struct ff_pkt pkt = {};

	return ff_drops(ff_parse_skb(skb, &pkt), skb->len, &pkt) ? 0 : skb->len;
}

/* Test entry: classify the vector in ff_infer_in with the active model,
 * as a flow of ff_infer_out.pkts packets. */
SEC("xdp")
int ff_infer(struct xdp_md *ctx)
{
	struct ff_features *in, *fv;
	struct ff_infer_result *out;
	struct ff_verdict v = {};
	struct ff_scratch_have *h;
	__u32 zero = 0;

	in = bpf_map_lookup_elem(&ff_infer_in, &zero);
	fv = bpf_map_lookup_elem(&ff_scratch, &zero);
	out = bpf_map_lookup_elem(&ff_infer_out, &zero);
	h = bpf_map_lookup_elem(&ff_scratch_have, &zero);
	if (!in || !fv || !out || !h)
		return XDP_ABORTED;
	__builtin_memcpy(fv, in, sizeof(*fv));
	h->flow = ff_fset_every;	/* every row given */
	h->ctx_read = FF_MODEL_F_CTX_KINDS;
	if (ff_run_model(out->pkts, &v)) {
		out->n_trees = 0;
		return XDP_PASS;
	}
	out->cls = v.cls;
	out->score = v.score;
	out->errors = v.errors;
	out->n_trees = 1;
	out->action = v.action;
	out->phase = v.phase;
	return XDP_PASS;
}

/* Test and replay entry: export the flow named in ff_snap_key. */
SEC("xdp")
int ff_snapshot(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct ff_flow_key *key = bpf_map_lookup_elem(&ff_snap_key, &zero);
	struct ff_flow *f;

	if (!key)
		return XDP_ABORTED;
	f = bpf_map_lookup_elem(&ff_flows, key);
	if (!f)
		return XDP_DROP;	/* no such flow */
	ff_ctx_read(key, f->initiator_is_b, f->last_us);
	ff_final_snapshot(f, key, FF_SNAP_END);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
