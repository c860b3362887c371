/* SPDX-License-Identifier: MIT */
/*
 * What a trained model leans on: per kernel feature, the total impurity
 * decrease of its splits (rf, dt: weighted Gini or entropy decrease; gbdt:
 * loss reduction) and their number, with the features that can identify a
 * tool or a host rather than a behaviour (FF_FINGERPRINT_FEATURES) flagged.
 */
#ifndef FLOWFOREST_IMPORTANCE_H
#define FLOWFOREST_IMPORTANCE_H

#include <stdio.h>
#include <json-c/json.h>
#include "packet_path.h"

struct ff_importance {
	double decrease[FF_MAX_FEATURES];	/* by kernel feature id */
	unsigned long splits[FF_MAX_FEATURES];
};

/* Add one split on kernel feature `fid`. */
static inline void ff_importance_add(struct ff_importance *im, unsigned fid, double decrease)
{
	if (fid < FF_MAX_FEATURES) {
		im->decrease[fid] += decrease > 0 ? decrease : 0;
		im->splits[fid]++;
	}
}

/* Add b to a (the phases of one model). */
void ff_importance_merge(struct ff_importance *a, const struct ff_importance *b);

/* The share of the total decrease on fingerprint features, 0..1. */
double ff_importance_fingerprint_share(const struct ff_importance *im);

/* The text report: the `top` features by share (all with a split if 0),
 * fingerprints marked, and a warning line when the model splits on any. */
void ff_importance_print(const struct ff_importance *im, unsigned top, FILE *out);

/* {"measure", "fingerprint_share", "features": [{feature, class, share,
 * decrease, splits, fingerprint}...]}, by share, features with a split. */
json_object *ff_importance_json(const struct ff_importance *im, const char *measure);

#endif
