/* SPDX-License-Identifier: MIT */
/*
 * The integer matrix a model is trained on, as CSV (train --dump-data):
 * row (its number in its data), split (train/test), label, then one column
 * per feature in kernel units, so that another trainer can be fed exactly
 * the same numbers.
 */
#ifndef FLOWFOREST_DATASET_DUMP_H
#define FLOWFOREST_DATASET_DUMP_H

#include "dataset.h"
#include "trainsplit.h"

/* tds is ds unless the test rows come from test files. 0, or -1 with the
 * reason (the file is written whole or not at all). */
int ff_dataset_dump(const char *path, const struct ff_dataset *ds, const struct ff_dataset *tds,
		    const struct ff_split *split, char *err, size_t errlen);

#endif
