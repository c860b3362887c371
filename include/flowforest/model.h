/* SPDX-License-Identifier: MIT */
/*
 * Model layout and the tree walk, shared by the BPF programs and user space
 * (the trainers' checks, eval, imports, the user-space twin).
 *
 * A model slot holds up to FF_MAX_PHASES models ("phases", chosen by the
 * flow's packet count) whose trees, FF_MAX_TREES in all, sit in one flat
 * array of at most FF_MAX_NODES 8-byte nodes (struct ff_node). Every model
 * is a sum of trees: each leaf adds an integer to one class's sum (or, a
 * vector leaf, one integer to every class's sum); the class with the largest
 * sum wins, ties go to the lower class index. A random forest's vote is such
 * a sum (leaf value = vote weight); a boosted model's margin is another
 * (leaf value = round(leaf x 2^scale_bits), sums start at the class bias).
 * Only the score differs: the winner's share of the votes, or its softmax
 * probability (see ff_walk_result()). docs/model-format.md has the details.
 *
 * The walk is one function that walks one tree over a small state, so that
 * the kernel can run it from bpf_loop() once per tree (verified once,
 * whatever the model size) and user space from a plain loop. It reads
 * nodes, roots and features through three pointers (struct ff_walk_mem)
 * that the includer looks up once per call: BPF map values (a model
 * slot's node array is one value) or user-space arrays.
 */
#ifndef FLOWFOREST_MODEL_H
#define FLOWFOREST_MODEL_H

#include "common.h"
#include "model_exp.h"

#define FF_MAX_TREES 1024	/* all phases of a model */
#define FF_MAX_NODES 131072	/* all phases, wide thresholds and leaf vectors included */
#define FF_MAX_TREE_NODES 65535	/* one tree: right-child offsets are 16 bits */
#define FF_MAX_DEPTH 32		/* edges from root to the deepest leaf */
#define FF_MAX_CLASSES 16
#define FF_MAX_PHASES 8
#define FF_CLASS_NAME_LEN 64	/* with the terminating NUL */
#define FF_SCALE_BITS_MAX 32

enum ff_action {
	FF_ACT_PASS = 0,
	FF_ACT_DROP = 1,
	FF_ACT_ALERT = 2,	/* pass, and count/report as an alert */
	FF_ACT__MAX,
};

/* How a model's class sums become a score (the class is always the argmax). */
enum ff_combine {
	FF_COMBINE_VOTE = 0,	/* score: the winner's share of all votes, permille */
	FF_COMBINE_SOFTMAX = 1,	/* sums are margins x 2^scale_bits; score: softmax, permille */
	FF_COMBINE__MAX,
};

/*
 * The node, 8 bytes. Trees are laid out in pre-order: a split's left child
 * is the next node (the node after next for a wide split), its right child
 * `right` nodes further on.
 *
 *   kind                 node
 *   0x0000 | fid         split: left when feature fid <= value
 *   0x1000 | fid         wide split: the threshold is the next node's 8 bytes
 *                        (ff_node_u64()), for thresholds of 2^32 and more
 *   0x8000 | cls         leaf: adds (__s32)value to class cls
 *   0xc000               vector leaf: the next n_classes nodes' (__s32)value
 *                        are added to classes 0, 1, ...
 */
struct ff_node {
	__u32 value;
	__u16 kind;
	__u16 right;
};

#define FF_KIND_FID_MASK 0x0fff
#define FF_KIND_WIDE 0x1000
#define FF_KIND_LEAF 0x8000
#define FF_KIND_VEC 0x4000	/* with FF_KIND_LEAF */
#define FF_KIND_CLASS_MASK 0x00ff

/* A wide threshold stored in a node's 8 bytes. */
static __always_inline __u64 ff_node_u64(const struct ff_node *n)
{
	return (__u64)n->value | ((__u64)n->kind << 32) | ((__u64)n->right << 48);
}

/* One model of a slot: the trees of a range of packet counts. */
struct ff_phase {
	__u32 from_pkts;	/* used from this packet count on, up to the next phase's */
	__u32 first_tree;	/* its trees: roots[first_tree .. first_tree + n_trees) */
	__u32 n_trees;
	__u16 combine;		/* enum ff_combine */
	__u16 scale_bits;	/* softmax: leaf values and biases are x * 2^scale_bits */
	__s64 bias[FF_MAX_CLASSES];	/* initial class sums */
};

/* The model's trees split on a context feature (features.h, direction
 * "ctx"): a verdict depends on more than the flow, so the first-packet
 * memo (first.h) must not answer for it. */
#define FF_MODEL_F_CTX 1
/* Which context entries its context features read (enum ff_ctx_kind k:
 * FF_MODEL_F_CTX_KIND(k)): the others are not looked up (track.h). */
#define FF_MODEL_F_CTX_KIND(k) (1u << (k))
#define FF_MODEL_F_CTX_KINDS 0x1eu	/* kinds 1 to 4 */

/* The context entries a model of `flags` reads; every one for a model that
 * reads context without saying which (flags from before the kinds). */
static __always_inline __u32 ff_model_ctx_kinds(__u32 flags)
{
	__u32 k = flags & FF_MODEL_F_CTX_KINDS;

	return (flags & FF_MODEL_F_CTX) && !k ? FF_MODEL_F_CTX_KINDS : k;
}

/* One model slot's header; the kernel keeps two slots and an active index. */
struct ff_model_meta {
	__u32 n_trees;		/* all phases; 0: no model, flows are not classified */
	__u32 n_nodes;
	__u32 n_classes;
	__u32 generation;	/* bumped by every load; reported in events */
	__u32 n_phases;		/* 1..FF_MAX_PHASES, ascending from_pkts */
	__u32 flags;		/* FF_MODEL_F_*, computed by the loader from the trees */
	/* The features the splits of all phases read (set by the loader from
	 * the trees): a checkpoint computes these only (track.h). */
	struct ff_feature_set features;
	__u32 actions[FF_MAX_CLASSES];	/* enum ff_action per class */
	/* A drop verdict whose score (permille) is below its class's minimum
	 * becomes an alert: not sure enough to drop. 0: always drop. */
	__u32 min_score[FF_MAX_CLASSES];
	/* Early verdicts (ff_verdict_early()): at a flow's packets
	 * early_from..early_pkts a verdict that does not pass needs
	 * early_min_share permille of the votes on the classes that do not
	 * pass. early_pkts 0: no such rule. */
	__u32 early_pkts;
	__u32 early_min_share;
	__u32 early_from;	/* 1..early_pkts (0 reads as 1) */
	/* Split attack votes (ff_verdict_attack_votes()): a passing verdict
	 * while the classes that do not pass hold attack_min_share permille
	 * of the votes together is the one of them with the most votes. 0:
	 * no such rule. */
	__u32 attack_min_share;
	struct ff_phase phases[FF_MAX_PHASES];
	__u32 roots[FF_MAX_TREES];
	/* For other processes (stats, flows); the kernel does not read them. */
	char class_names[FF_MAX_CLASSES][FF_CLASS_NAME_LEN];
};

/* What one model run decides: the interface between the model and the
 * per-packet sequence. */
struct ff_verdict {
	__u32 cls;
	__u32 score;		/* permille, in the model's scale (enum ff_combine) */
	__u32 action;		/* enum ff_action, after the class's min_score */
	__u32 generation;	/* the model's */
	__u32 phase;		/* index of the phase that decided */
	__u32 errors;		/* trees abandoned (0 for a valid model) */
};

/* The test entry point ff_infer's result map: one model run on the vector
 * in ff_infer_in, for a flow of `pkts` packets (an input: picks the phase). */
struct ff_infer_result {
	__u32 cls;
	__u32 score;
	__u32 errors;
	__u32 n_trees;		/* 1: a model decided */
	__u32 action;
	__u32 phase;
	__u32 pkts;
	__u32 pad;
};

struct ff_walk {
	__u32 tree;		/* next tree to walk */
	__u32 end;		/* one past the last tree of the phase */
	__u32 n_classes;
	__u32 errors;		/* trees abandoned (bad index, too deep) */
	__s64 sums[FF_MAX_CLASSES];
	__u64 user;		/* includer's handle: the slot (BPF) */
};

/* A model slot's node array, as the kernel stores it (one map value). */
struct ff_node_slot {
	struct ff_node n[FF_MAX_NODES];
};

/* Where a walk reads: the model's nodes (a whole slot, FF_MAX_NODES:
 * in BPF one map value, in user space ff_model.knodes), its tree roots
 * (FF_MAX_TREES) and the feature vector (FF_MAX_FEATURES). Looked up once
 * per call of ff_walk_tree(), never per node. */
struct ff_walk_mem {
	const struct ff_node *nodes;
	const __u32 *roots;
	const __u64 *fv;
};

/* The phase for a flow of `pkts` packets: the last one that starts at or
 * before it (phase 0 covers everything before phase 1). */
static __always_inline __u32 ff_phase_pick(const struct ff_phase *ph, __u32 n_phases,
					   __u32 pkts)
{
	__u32 i, sel = 0;

	for (i = 1; i < FF_MAX_PHASES; i++)
		if (i < n_phases && ph[i].from_pkts <= pkts)
			sel = i;
	return sel;
}

static __always_inline void ff_walk_init(struct ff_walk *w, const struct ff_phase *ph,
					 __u32 n_classes)
{
	__u32 i;

	w->tree = ph->first_tree;
	w->end = ph->first_tree + ph->n_trees;
	w->n_classes = n_classes;
	w->errors = 0;
	/* the classes' sums only: the others are never read */
	for (i = 0; i < FF_MAX_CLASSES; i++) {
		if (i >= n_classes)
			break;
		w->sums[i] = ph->bias[i];
	}
}

/* A vector leaf at `idx`: one value per class in the nodes after it. */
static __always_inline void ff_walk_vec(struct ff_walk *w, const struct ff_node *nodes,
					__u64 idx)
{
	__u32 c;

	for (c = 0; c < FF_MAX_CLASSES; c++) {
		if (c >= w->n_classes)
			break;
		w->sums[c] += (__s32)nodes[(idx + 1 + c) & (FF_MAX_NODES - 1)].value;
	}
}

/* The next node after a split with a wide threshold at `node` (kind at or
 * above FF_MAX_FEATURES, not a leaf): its threshold is the next node. A
 * bad kind goes nowhere: the walk runs out of depth. */
static __always_inline __u64 ff_walk_wide(const struct ff_node *nodes, const __u64 *fv,
					  __u64 node, __u64 kind)
{
	__u64 fid = kind & FF_KIND_FID_MASK;

	if (!(kind & FF_KIND_WIDE) || fid >= FF_MAX_FEATURES)
		return node;
	if (fv[fid] <= ff_node_u64(&nodes[(node + 1) & (FF_MAX_NODES - 1)]))
		return node + 2;
	return node + nodes[node & (FF_MAX_NODES - 1)].right;
}

/*
 * Walk the next tree from its root to a leaf and add the leaf's values.
 * Returns 1 when every tree has been walked.
 *
 * The node array holds FF_MAX_NODES nodes (a kernel slot; user space
 * allocates as many), zeroes past the model's: every index is masked into
 * it, so no read leaves it, whatever the model. A tree that does not reach
 * a leaf within FF_MAX_DEPTH splits (impossible for a validated model: a
 * bad feature id, a cycle, an index past the model's nodes) is abandoned
 * and counted in w->errors. The common split (a 32-bit threshold: kind
 * below FF_MAX_FEATURES is its feature id) costs a few instructions.
 */
static __always_inline int ff_walk_tree(struct ff_walk *w, const struct ff_walk_mem *mem)
{
	const struct ff_node *nodes = mem->nodes, *n;
	const __u64 *fv = mem->fv;
	__u64 node, d, kind, tree = w->tree;

	if (tree >= w->end || tree >= FF_MAX_TREES)
		return 1;
	FF_OPAQUE(tree);	/* the mask stays: the BPF verifier's bound */
	node = mem->roots[tree & (FF_MAX_TREES - 1)];
	for (d = 0; d < FF_MAX_DEPTH; d++) {	/* splits; the node after them must be a leaf */
		n = &nodes[node & (FF_MAX_NODES - 1)];
		kind = n->kind;
		if (kind < FF_MAX_FEATURES) {
			node += fv[kind] <= n->value ? 1 : n->right;
			continue;
		}
		if (kind & FF_KIND_LEAF)
			break;
		node = ff_walk_wide(nodes, fv, node, kind);
	}
	n = &nodes[node & (FF_MAX_NODES - 1)];
	if (!(n->kind & FF_KIND_LEAF))
		w->errors++;
	else if (!(n->kind & FF_KIND_VEC))
		w->sums[n->kind & (FF_MAX_CLASSES - 1)] += (__s32)n->value;
	else
		ff_walk_vec(w, nodes, node);
	w->tree++;
	return w->tree >= w->end;
}

/* exp(-d / 2^scale_bits) x 2^24 for d >= 0, linearly interpolated in
 * ff_exp_q24 (steps of 1/64, interpolated in 1/65536). */
static __always_inline __u64 ff_exp_neg_q24(__u64 d, __u32 scale_bits)
{
	__u64 k, frac, a, b;

	if (scale_bits >= 16) {
		d >>= (scale_bits - 16) & 63;
	} else {
		if (d >= (1ULL << 40))
			return 0;
		d <<= (16 - scale_bits) & 15;
	}
	k = d >> 10;
	if (k >= FF_EXP_STEPS)
		return 0;
	frac = d & 1023;
	a = ff_exp_q24[k];
	b = ff_exp_q24[k + 1];
	return a - (((a - b) * frac) >> 10);
}

/* The softmax score's term for a margin `d` below the best: in BPF a
 * global function, checked once by the verifier instead of once per class
 * and branch. */
FF_GLOBAL __u64 ff_softmax_term(__u64 d, __u32 scale_bits)
{
	return ff_exp_neg_q24(d, scale_bits);
}

/* The winning class: the largest sum, ties to the lower class index. The
 * best sum is carried in a variable, never re-read by index, which keeps
 * the BPF verifier from tracking every branch of the loop. */
static __always_inline __u32 ff_walk_best(const struct ff_walk *w)
{
	__u32 best = 0, i;
	__s64 best_sum = w->sums[0];

	for (i = 1; i < FF_MAX_CLASSES; i++) {
		__s64 v;

		if (i >= w->n_classes)
			break;
		v = w->sums[i];
		if (v > best_sum) {
			best = i;
			best_sum = v;
		}
	}
	return best;
}

/*
 * The score of class `best` in permille: for votes, the winner's share of
 * all votes, floor(1000 x best / total); for softmax margins,
 * floor(1000 x 2^24 / sum_c E(best - sum_c)), E(d) = ff_exp_neg_q24(d), the
 * softmax probability of the winner to within a permille.
 */
static __always_inline __u32 ff_walk_score(const struct ff_walk *w, __u32 best,
					   __u32 combine, __u32 scale_bits)
{
	__s64 best_sum = w->sums[best & (FF_MAX_CLASSES - 1)];
	__u64 total = 0;
	__u32 i;

	if (combine == FF_COMBINE_SOFTMAX) {
		for (i = 0; i < FF_MAX_CLASSES; i++) {
			if (i >= w->n_classes)
				break;
			total += ff_softmax_term((__u64)(best_sum - w->sums[i]), scale_bits);
		}
		return total ? (__u32)((1000ULL << 24) / total) : 0;
	}
	for (i = 0; i < FF_MAX_CLASSES; i++) {
		__s64 v = w->sums[i];

		if (i >= w->n_classes)
			break;
		if (v > 0)
			total += (__u64)v;
	}
	return total && best_sum > 0 ? (__u32)(((__u64)best_sum * 1000) / total) : 0;
}

static __always_inline __u32 ff_walk_result(const struct ff_walk *w, __u32 combine,
					    __u32 scale_bits, __u32 *score)
{
	__u32 best = ff_walk_best(w);

	*score = ff_walk_score(w, best, combine, scale_bits);
	return best;
}

/*
 * Attack votes that split are still attack votes. A flow's class is the one
 * with the most votes; where the trees that see an attack disagree on which
 * (an HTTP request flood's connections: ssh_bruteforce, slow_http and
 * http_flood votes, 20 of 32 in all, against benign's 12), the passing
 * class wins alone what it loses against their sum. With min_share (1..1000
 * permille), a verdict of a passing class stands only while the classes
 * that do not pass (by `actions`) hold less than min_share of the votes
 * together; at min_share or more, the verdict is the one of them with the
 * most votes (the first on a tie), its share as the score. Called on the
 * verdict's class and score (v->cls, v->score) before its action; vote models only
 * (ff_model_validate()). 0: the class with the most votes, as without it.
 */
static __always_inline void ff_verdict_attack_votes(const struct ff_walk *w, const __u32 *actions,
						    __u32 min_share, struct ff_verdict *v)
{
	__s64 attack = 0, total = 0, best_sum = 0;
	__u32 best = 0, i;

	if (!min_share || actions[v->cls & (FF_MAX_CLASSES - 1)] != FF_ACT_PASS)
		return;
	for (i = 0; i < FF_MAX_CLASSES; i++) {
		__s64 s;

		if (i >= w->n_classes)
			break;
		s = w->sums[i];
		if (s <= 0)
			continue;
		total += s;
		if (actions[i] == FF_ACT_PASS)
			continue;
		attack += s;
		if (s > best_sum) {
			best = i;
			best_sum = s;
		}
	}
	if (!best_sum || (__u64)attack * 1000 < (__u64)min_share * (__u64)total)
		return;
	v->cls = best;
	v->score = (__u32)(((__u64)best_sum * 1000) / (__u64)total);
}

/* The action of a verdict: the class's, except that a drop whose score is
 * below the class's minimum becomes an alert. */
static __always_inline __u32 ff_verdict_action(__u32 action, __u32 score, __u32 min_score)
{
	if (action >= FF_ACT__MAX)
		return FF_ACT_PASS;
	if (action == FF_ACT_DROP && score < min_score)
		return FF_ACT_ALERT;
	return action;
}

/*
 * Early verdicts know they are early. A verdict at a flow's first packets
 * rests on little more than its context: the first SYN of a quiet network's
 * client, a lone DNS query, read like one flow of a spread flood. At a flow
 * of `from` to `early_pkts` packets (from 0 reads as 1: a rule from the
 * first packet; from 2 leaves the first packet's verdict, already
 * tentative, to the model), a verdict whose action is not pass stands
 * only when the classes that do not pass (by `actions`) hold at least
 * `min_share` permille of the votes together; otherwise the verdict is the
 * passing class with the most votes, its share as the score: the flow
 * passes, and its next checkpoint decides again. The attack classes'
 * votes are summed, not the winner's alone: a flood's votes split between
 * similar classes (syn_flood and portscan) and still say "attack". Vote
 * models only (ff_model_validate()): softmax sums are not votes.
 * Its vote loop mirrors ff_verdict_attack_votes()'s on purpose: one shared
 * helper for both (a side's sum, its best class, the total) made the
 * verifier process 18 % more instructions for ff_xdp (158,917 -> 188,136)
 * and 2.5 times as many for ff_infer, and at first overflowed the 512-byte
 * stack (clang 14, measured 2026-12-02).
 */
static __always_inline void ff_verdict_early(const struct ff_walk *w, const __u32 *actions,
					     __u32 pkts, __u32 from, __u32 early_pkts,
					     __u32 min_share, struct ff_verdict *v)
{
	__s64 pass = 0, total = 0, best_sum = 0;
	__u32 best = 0, i;

	if (pkts < from || pkts > early_pkts || v->action == FF_ACT_PASS)
		return;
	for (i = 0; i < FF_MAX_CLASSES; i++) {
		__s64 s;

		if (i >= w->n_classes)
			break;
		s = w->sums[i];
		if (s <= 0)
			continue;
		total += s;
		if (actions[i] != FF_ACT_PASS)
			continue;
		pass += s;
		if (s > best_sum) {
			best = i;
			best_sum = s;
		}
	}
	/* no passing class has a vote: every vote is an attack's */
	if (!best_sum || (__u64)(total - pass) * 1000 >= (__u64)min_share * (__u64)total)
		return;
	v->cls = best;
	v->score = (__u32)(((__u64)best_sum * 1000) / (__u64)total);
	v->action = FF_ACT_PASS;
}

#endif /* FLOWFOREST_MODEL_H */
