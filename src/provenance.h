/* SPDX-License-Identifier: MIT */
/*
 * The "provenance" object a trained model carries: trainer and version,
 * when, hyperparameters, seed, the data files and rows, the split, the
 * held-out metrics, the node counts and what the quantization check
 * verified (docs/model-format.md).
 */
#ifndef FLOWFOREST_PROVENANCE_H
#define FLOWFOREST_PROVENANCE_H

#include "dataset.h"
#include "eval.h"
#include "gbdt.h"
#include "model_file.h"
#include "train.h"
#include "importance.h"
#include "trainsplit.h"

struct json_object;

/* What a trainer reports, whatever the kind of model. */
struct ff_trained {
	double seconds;
	unsigned n_trees;
	size_t nodes, nodes_grown, pruned_splits;
	struct json_object *hp;	/* hyperparameters (ff_forest_hp, ff_gbdt_hp) */
	const char *check;	/* what the quantization check verified */
	struct ff_importance imp;	/* what the model splits on */
};

const char *ff_train_kind_name(int kind);	/* "rf", "dt", "gbdt" */
struct json_object *ff_forest_hp(const struct ff_train_params *p, const struct ff_forest *f);
struct json_object *ff_gbdt_hp(const struct ff_gbdt_params *p, const struct ff_gbdt *g,
			       const struct ff_model *m);

/* tds is ds when the test rows come from the training data; ev holds the
 * metrics on the split's test rows (on the training rows if none). Takes
 * tr->hp. */
struct json_object *ff_train_provenance(const struct ff_train_params *p, struct ff_trained *tr,
					const struct ff_dataset *ds,
					const struct ff_dataset *tds,
					const struct ff_split *split,
					const struct ff_eval *ev);

#endif
