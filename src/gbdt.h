/* SPDX-License-Identifier: MIT */
/*
 * Gradient-boosted trees on integer features, for the kernel's sum-of-trees
 * walk: multi-class softmax (one tree per class per round) or binary
 * logistic (one tree per round for class 1), second-order gains with L2
 * regularisation and a minimum child weight, exact greedy split finding
 * over every distinct value (XGBoost's tree_method="exact", depth-wise),
 * row and column subsampling, early stopping on a validation split.
 *
 * Splits send a sample left when value <= an integer threshold, so the
 * trainer's tree decisions are the kernel's. The leaf values are doubles;
 * the model stores them in fixed point (ff_gbdt_to_model picks the scale
 * and checks that the integer argmax equals the float argmax on every row).
 *
 * Deterministic: the same seed gives the same model whatever --threads
 * (threads split the features of a level; every sum runs in a fixed order).
 */
#ifndef FLOWFOREST_GBDT_H
#define FLOWFOREST_GBDT_H

#include <stddef.h>
#include <stdio.h>
#include "packet_path.h"
#include "dataset.h"
#include "model_file.h"
#include "importance.h"

struct ff_gbdt_params {
	unsigned rounds;		/* boosting rounds (default 20) */
	double eta;			/* learning rate (default 0.3) */
	unsigned max_depth;		/* 1..FF_MAX_DEPTH (default 6) */
	double min_child_weight;	/* minimum hessian sum of a child (default 1) */
	double lambda;			/* L2 regularisation of leaf values (default 1) */
	double subsample;		/* fraction of rows per tree, (0, 1] (default 1) */
	double colsample;		/* fraction of features per tree, (0, 1] (default 1) */
	unsigned early_stopping;	/* stop after this many rounds without a better
					 * validation loss; 0: off (default) */
	double validation;		/* fraction of the training rows held out for
					 * early stopping (default 0.1) */
	__u64 seed;
	unsigned threads;
	FILE *log;
};

struct ff_gnode {
	__u64 thr;		/* split: left when value <= thr */
	double value;		/* leaf: added to its class's margin (eta applied) */
	double gain;		/* split: loss reduction */
	__u32 left, right;	/* split: children, tree-local */
	__u32 col;		/* dataset column, or FF_GNODE_LEAF */
};

#define FF_GNODE_LEAF 0xffffffffu

struct ff_gtree {
	struct ff_gnode *nodes;	/* nodes[0] is the root */
	__u32 n_nodes;
	__u32 cls;		/* the class whose margin its leaves add to */
};

struct ff_gbdt {
	unsigned n_classes, n_cols;
	int binary;		/* logistic: trees for class 1 only */
	unsigned per_round;	/* trees per round: 1 (binary) or n_classes */
	unsigned rounds;	/* kept (after early stopping) */
	unsigned n_trees;
	unsigned n_alloc;	/* trees allocated */
	struct ff_gtree *trees;	/* round-major: round r, class k at r * per_round + k */
	__u16 feat[FF_MAX_FEATURES];	/* column -> kernel feature id */
	double base[FF_MAX_CLASSES];	/* initial margins */
	size_t train_rows, valid_rows;	/* rows grown on, rows held out */
	int stopped_early;
	double best_valid_loss;	/* at the kept round (early stopping) */
	double seconds;
};

void ff_gbdt_params_default(struct ff_gbdt_params *p);

/* Train on the dataset rows listed in `rows` (all if NULL). */
int ff_gbdt_train(const struct ff_dataset *ds, const size_t *rows, size_t n_rows,
		  const struct ff_gbdt_params *p, struct ff_gbdt *g, char *err, size_t errlen);
void ff_gbdt_free(struct ff_gbdt *g);

/* Add every split (its loss reduction) to `im`. */
void ff_gbdt_importance(const struct ff_gbdt *g, struct ff_importance *im);

/* The trainer's own (double) margins of dataset row `r`, and its class:
 * the largest margin, ties to the lower class, as the kernel decides. */
void ff_gbdt_margins(const struct ff_gbdt *g, const struct ff_dataset *ds, size_t r,
		     double *margins);
__u32 ff_gbdt_predict_float(const struct ff_gbdt *g, const struct ff_dataset *ds, size_t r);

/*
 * Build the model (softmax, leaf values in fixed point) and check it: the
 * scale is the largest power of two that keeps every leaf value in 32 bits;
 * the integer model's class (ff_model_predict, the kernel's walk) must equal
 * the float model's on every row of every listed dataset (rows NULL: all),
 * else a smaller scale is tried, and if none agrees, -1 with the first
 * disagreeing row named in `err`.
 */
struct ff_gbdt_check {
	const struct ff_dataset *ds;
	const size_t *rows;	/* NULL: all rows */
	size_t n_rows;
};

int ff_gbdt_to_model(const struct ff_gbdt *g, const struct ff_dataset *ds,
		     const struct ff_gbdt_check *checks, unsigned n_checks, unsigned threads,
		     struct ff_model *m, char *err, size_t errlen);

#endif
