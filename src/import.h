/* SPDX-License-Identifier: MIT */
/*
 * Models trained elsewhere, turned into flowforest models: XGBoost's JSON
 * (Booster.save_model("m.json"); binary:logistic, multi:softprob,
 * multi:softmax; gbtree) and scikit-learn trees, forests and gradient
 * boosting through the JSON that scripts/sklearn2json.py writes
 * (docs/model-format.md, "Imports").
 *
 * Feature names map onto kernel features by flowforest or CIC name; a
 * feature a split uses that the kernel does not compute is refused.
 * Thresholds become exact integer thresholds: scikit-learn's `x <= t` is
 * `x <= floor(t)` on integers, XGBoost's `x < t` is `x <= ceil(t) - 1`; a
 * split no integer can take one way is replaced by the other child. Leaf
 * values become fixed point at the largest scale that fits 32 bits.
 */
#ifndef FLOWFOREST_IMPORT_H
#define FLOWFOREST_IMPORT_H

#include <stddef.h>
#include "packet_path.h"
#include "model_file.h"

enum ff_import_from { FF_IMPORT_XGBOOST, FF_IMPORT_SKLEARN };

struct ff_import_opts {
	int from;			/* enum ff_import_from */
	const char *features;		/* comma-separated names for the model's
					 * feature indices, or NULL: the file's */
	const char *classes;		/* comma-separated class names, or NULL: the
					 * file's (XGBoost: "0", "1", ...) */
};

/* What the import did, for the report. */
struct ff_import_info {
	char kind[96];			/* e.g. "XGBoost 1.7.4 multi:softprob, 220 trees" */
	unsigned n_trees, n_features_used;
	unsigned splits_pruned;		/* splits no integer takes one way */
	unsigned features_unused;	/* named in the file, used by no split */
};

int ff_import(const char *path, const struct ff_import_opts *o, struct ff_model *m,
	      struct ff_import_info *info, char *err, size_t errlen);

#endif
