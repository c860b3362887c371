/* SPDX-License-Identifier: MIT */
/*
 * Model layout and the forest walk, shared by the BPF programs and user
 * space (the trainer's checks, eval, the user-space twin).
 *
 * A model is a forest of up to FF_MAX_TREES trees whose nodes sit in one flat
 * array of at most FF_MAX_NODES entries. Node indices are model-relative.
 * An internal node sends a sample left when feature <= threshold (the
 * scikit-learn convention, on integer features and integer thresholds). A
 * leaf votes for its class with its weight; the class with the largest sum
 * wins, ties go to the lower class index.
 *
 * The walk is one function that walks one tree over a small state, so that
 * the kernel can run it from bpf_loop() once per tree (verified once,
 * whatever the model size) and user space from a plain loop. Where nodes, roots and feature values are stored
 * differs, so the includer defines the three glue functions declared below.
 */
#ifndef FLOWFOREST_MODEL_H
#define FLOWFOREST_MODEL_H

#include "common.h"

#define FF_MAX_TREES 256
#define FF_MAX_NODES 65536
#define FF_MAX_DEPTH 32		/* edges from root to the deepest leaf */
#define FF_MAX_CLASSES 16
#define FF_NODE_LEAF 0xffff
#define FF_CLASS_NAME_LEN 64	/* with the terminating NUL */

enum ff_action {
	FF_ACT_PASS = 0,
	FF_ACT_DROP = 1,
	FF_ACT_ALERT = 2,	/* pass, and count/report as an alert */
	FF_ACT__MAX,
};

struct ff_node {
	__u64 threshold;	/* internal: go left when feature <= threshold */
	__u32 left;		/* internal: child index; leaf: class */
	__u32 right;		/* internal: child index; leaf: vote weight */
	__u16 feature;		/* kernel feature id, or FF_NODE_LEAF */
	__u16 pad16;
	__u32 pad32;
};

/* One model slot's header; the kernel keeps two slots and an active index. */
struct ff_model_meta {
	__u32 n_trees;		/* 0: no model, flows are not classified */
	__u32 n_nodes;
	__u32 n_classes;
	__u32 generation;	/* bumped by every load; reported in events */
	__u32 actions[FF_MAX_CLASSES];	/* enum ff_action per class */
	__u32 roots[FF_MAX_TREES];
	/* For other processes (stats, flows); the kernel does not read them. */
	char class_names[FF_MAX_CLASSES][FF_CLASS_NAME_LEN];
};

struct ff_walk {
	__u32 n_trees;
	__u32 n_nodes;
	__u32 tree;		/* next tree to walk */
	__u32 errors;		/* trees abandoned (bad index, too deep) */
	__u32 votes[FF_MAX_CLASSES];
	__u64 user;		/* includer's handle: slot (BPF), arrays (user) */
};

/* Glue, defined by the includer. Node `idx` of the model (NULL if out of
 * range); the root of `tree`; the value of feature `fid`. 0 on success. */
static __always_inline const struct ff_node *ff_walk_node(struct ff_walk *w,
							  __u32 idx);
static __always_inline int ff_walk_root(struct ff_walk *w, __u32 tree,
					__u32 *root);
static __always_inline int ff_walk_feature(struct ff_walk *w, __u32 fid,
					   __u64 *val);

static __always_inline void ff_walk_init(struct ff_walk *w, __u32 n_trees,
					 __u32 n_nodes)
{
	int i;

	w->n_trees = n_trees;
	w->n_nodes = n_nodes;
	w->tree = 0;
	w->errors = 0;
	for (i = 0; i < FF_MAX_CLASSES; i++)
		w->votes[i] = 0;
}

/* Walk the next tree from its root to a leaf and count the leaf's vote.
 * Returns 1 when every tree has voted. A tree whose walk leaves the node
 * array or goes deeper than FF_MAX_DEPTH (impossible for a validated model)
 * is abandoned and counted in w->errors. */
static __always_inline int ff_walk_tree(struct ff_walk *w)
{
	const struct ff_node *n;
	__u32 node, d;
	__u64 val;

	if (w->tree >= w->n_trees || w->tree >= FF_MAX_TREES)
		return 1;
	if (ff_walk_root(w, w->tree, &node)) {
		w->errors++;
		goto next;
	}
	for (d = 0; d <= FF_MAX_DEPTH; d++) {
		n = node < w->n_nodes ? ff_walk_node(w, node) : 0;
		if (!n) {
			w->errors++;
			goto next;
		}
		if (n->feature == FF_NODE_LEAF) {
			if (n->left < FF_MAX_CLASSES)
				w->votes[n->left & (FF_MAX_CLASSES - 1)] += n->right;
			else
				w->errors++;
			goto next;
		}
		if (ff_walk_feature(w, n->feature, &val)) {
			w->errors++;
			goto next;
		}
		node = val <= n->threshold ? n->left : n->right;
	}
	w->errors++;		/* deeper than FF_MAX_DEPTH */
next:
	w->tree++;
	return w->tree >= w->n_trees;
}

/* The winning class and its share of the votes in permille. The best count
 * is carried in a variable, never re-read by index, which keeps the BPF
 * verifier from tracking every branch of this loop. */
static __always_inline __u32 ff_walk_result(const struct ff_walk *w,
					    __u32 n_classes, __u32 *score)
{
	__u32 best = 0, best_votes = w->votes[0], total = 0, i;

	for (i = 0; i < FF_MAX_CLASSES; i++) {
		__u32 v = w->votes[i];

		total += v;
		if (i < n_classes && v > best_votes) {
			best = i;
			best_votes = v;
		}
	}
	*score = total ? (__u32)(((__u64)best_votes * 1000) / total) : 0;
	return best;
}

#endif /* FLOWFOREST_MODEL_H */
