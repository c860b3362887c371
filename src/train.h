/* SPDX-License-Identifier: MIT */
/*
 * CART decision trees and random forests on integer feature values, grown
 * for the kernel's forest walk: a split sends a sample left when
 * value <= threshold with an integer threshold, a leaf votes for its
 * majority class with weight 1.
 *
 * Every tree is grown from its own random stream, seeded from (seed, tree
 * index), so a forest depends on the seed only: not on the number of threads
 * nor on their scheduling.
 */
#ifndef FLOWFOREST_TRAIN_H
#define FLOWFOREST_TRAIN_H

#include <stddef.h>
#include <stdio.h>
#include "packet_path.h"
#include "dataset.h"
#include "model_file.h"
#include "importance.h"

#define FF_TRAINER_NAME "flowforest train"
#define FF_TRAINER_VERSION "0.1"

enum ff_train_kind { FF_TRAIN_DT, FF_TRAIN_RF, FF_TRAIN_GBDT /* gbdt.h */ };
enum ff_criterion { FF_CRIT_GINI, FF_CRIT_ENTROPY };
enum ff_leaf_weight {
	FF_LEAF_ONE,		/* every leaf votes with weight 1 (default) */
	FF_LEAF_CONFIDENCE,	/* weight round(100 x the leaf's majority share) */
};

enum ff_max_features {
	FF_MF_DEFAULT,		/* sqrt for a forest, all for a tree */
	FF_MF_SQRT,
	FF_MF_LOG2,
	FF_MF_ALL,
	FF_MF_INT,		/* max_features_arg features */
	FF_MF_FRAC,		/* max_features_arg x number of features */
};

struct ff_ranking;

struct ff_train_params {
	int kind;			/* enum ff_train_kind */
	unsigned n_trees;		/* forest size (a tree: 1) */
	unsigned max_depth;		/* 1..FF_MAX_DEPTH */
	unsigned min_samples_leaf;	/* >= 1 */
	int max_features;		/* enum ff_max_features */
	double max_features_arg;
	int criterion;			/* enum ff_criterion */
	int balanced;			/* class weights n / (k x n_c) */
	int bootstrap;			/* -1: yes for a forest, no for a tree */
	__u64 seed;
	unsigned threads;		/* 0: 1 */
	unsigned max_nodes;		/* 0: FF_MAX_NODES */
	int leaf_weight;		/* enum ff_leaf_weight */
	__u64 time_resolution_us;	/* features in us split only at thresholds
					 * of at least this (0: anywhere) */
	const struct ff_ranking *ranking; /* the data's columns ranked once
					 * (ff_rank_columns), or NULL: ranked here */
	int sorted_scan;		/* every split searched by sorting the node's
					 * samples (tests: the counted search, which
					 * gini with unit weights takes, finds the
					 * same splits) */
	FILE *log;			/* progress, or NULL */
};

void ff_train_params_default(struct ff_train_params *p, int kind);

/* A random permutation of 0..n-1 drawn from `seed` (the --test-split
 * shuffle; a stream of its own, apart from the trees'). */
void ff_random_permutation(size_t *perm, size_t n, __u64 seed);

/* Helpers the trainers share (train.c). */
struct ff_rng {		/* xoshiro256** seeded through splitmix64 */
	__u64 s[4];
};

/* One stream per (seed, stream): trees, rounds, splits draw from their own. */
void ff_rng_seed(struct ff_rng *r, __u64 seed, __u64 stream);
__u64 ff_rng_next(struct ff_rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
__u64 ff_rng_below(struct ff_rng *r, __u64 n);
/* Sort values ascending with their payload (LSD radix); -1 out of memory. */
int ff_sort_values(__u64 *v, __u32 *idx, size_t n);
/* Run fn(arg) on n threads (the caller's one of them) and wait for all. */
int ff_run_threads(unsigned n, void *(*fn)(void *), void *arg);
/* Run fn on each of n jobs (an array of elements of size bytes), a thread
 * each, and wait for all; a job that gets no thread runs on the caller's. */
void ff_run_jobs(void *jobs, size_t size, unsigned n, void *(*fn)(void *));

/* The trainers' node limits: a split whose threshold is 2^32 or more takes
 * two nodes of the kernel's layout, and fewer than half of a tree's nodes
 * are splits, so 2/3 of the kernel's limits always fit. */
#define FF_TRAIN_MAX_NODES (FF_MAX_NODES / 3 * 2)
#define FF_TRAIN_MAX_TREE_NODES (FF_MAX_TREE_NODES / 3 * 2)

#define FF_TNODE_LEAF 0xffff

struct ff_tnode {
	double mid;		/* the trainer's threshold, (a + b) / 2 */
	__u64 thr;		/* the model's threshold, floor((a + b) / 2) */
	double wimp;		/* weight x impurity of the node's samples */
	double gain;		/* split: wimp minus the children's wimp */
	__u32 left, right;	/* children, tree-local */
	__u32 parent;		/* tree-local; the root is its own parent */
	__u32 n;		/* training samples (distinct rows) */
	__u16 col;		/* dataset column, or FF_TNODE_LEAF */
	__u16 cls;		/* majority class (the vote when a leaf) */
	__u16 weight;		/* the vote's weight when a leaf */
	__u32 depth;
};

struct ff_tree {
	struct ff_tnode *nodes;	/* nodes[0] is the root; children after parents */
	__u32 n_nodes;
	__u32 depth;
	int capped;		/* stopped at the per-tree node limit */
};

struct ff_forest {
	unsigned n_trees;
	struct ff_tree *trees;
	unsigned n_classes;
	unsigned n_cols;	/* dataset columns the trees index */
	__u16 feat[FF_MAX_FEATURES];	/* column -> kernel feature id */
	unsigned mtry;		/* features tried per split */
	size_t total_nodes;
	size_t nodes_grown;	/* before pruning to max_nodes */
	size_t pruned_splits;
	unsigned capped_trees;
	double seconds;		/* wall time of training */
};

/*
 * Train on the dataset rows listed in `rows` (all rows if NULL). Classes are
 * the dataset's (at most FF_MAX_CLASSES). If the forest has more than
 * max_nodes nodes, the splits with the smallest weighted impurity decrease
 * are undone (across all trees) until it fits, and the log says so.
 */
int ff_train_forest(const struct ff_dataset *ds, const size_t *rows, size_t n_rows,
		    const struct ff_train_params *p, struct ff_forest *f, char *err,
		    size_t errlen);

/*
 * A dataset's columns ranked over all its rows (dense ranks of the distinct
 * values), for several forests on subsets of the rows (train --folds): a
 * subset's ranks gathered from these keep the order of its own, and the
 * values between which thresholds fall are the same, so the trees are the
 * same as when the subset is ranked alone; only the sort is not repeated.
 */
struct ff_ranking {
	__u32 **rank;		/* rank[column][row] */
	__u64 **vals;		/* vals[column][rank]: the distinct values */
	unsigned n_cols;
	size_t n_rows;
};

int ff_rank_columns(const struct ff_dataset *ds, unsigned threads, struct ff_ranking *rk,
		    char *err, size_t errlen);
void ff_ranking_free(struct ff_ranking *rk);
void ff_forest_free(struct ff_forest *f);

/* Add every split of the forest (as pruned) to `im`. */
void ff_forest_importance(const struct ff_forest *f, struct ff_importance *im);

/* The trainer's own decision (double thresholds) for dataset row `r`: the
 * leaf class of one tree, and the forest's vote (leaf weights summed, ties to
 * the lower class, as the kernel does). */
__u32 ff_tree_predict_float(const struct ff_tree *t, const struct ff_dataset *ds, size_t r);
__u32 ff_forest_predict_float(const struct ff_forest *f, const struct ff_dataset *ds, size_t r);

/* Build a model: the dataset's columns as features, its classes (with
 * action pass; the caller sets actions), integer thresholds. */
int ff_forest_to_model(const struct ff_forest *f, const struct ff_dataset *ds,
		       struct ff_model *m, char *err, size_t errlen);

/*
 * Exact quantization check: for every listed row (all if `rows` is NULL),
 * each integer tree of the model reaches the same leaf (same class, same
 * weight) as the float tree, and ff_model_predict() equals the float
 * forest's vote. 0 if all agree; -1 and the first disagreeing row (in row
 * order, whatever the threads) and tree in `err` otherwise.
 */
int ff_forest_verify(const struct ff_forest *f, const struct ff_model *m,
		     const struct ff_dataset *ds, const size_t *rows, size_t n_rows,
		     unsigned threads, char *err, size_t errlen);

#endif
