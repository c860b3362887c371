/* SPDX-License-Identifier: MIT */
/* Names, units and documentation of the kernel features, generated from the
 * FF_FEATURES table in include/flowforest/features.h. */
#ifndef FLOWFOREST_FEATURES_INFO_H
#define FLOWFOREST_FEATURES_INFO_H

#include <stdio.h>
#include "packet_path.h"

struct ff_feature_info {
	const char *name;	/* flowforest's name, e.g. "fwd_len_mean" */
	const char *cic;	/* CICFlowMeter column, "" if none */
	enum ff_unit unit;
	const char *dir;	/* fwd, bwd, both, flow */
	const char *expr;	/* the computing expression, as written */
	const char *note;
};

extern const struct ff_feature_info ff_feature_table[FF_NUM_FEATURES];

const char *ff_unit_name(enum ff_unit u);
/* Feature id by flowforest name or CIC column name (case-insensitive), or -1. */
int ff_feature_lookup(const char *name);
/* Write docs/features.md. */
void ff_features_write_markdown(FILE *out);

#endif
