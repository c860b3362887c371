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

/* Why feature `fid` can identify a tool or a host rather than a behaviour
 * (FF_FINGERPRINT_FEATURES), or NULL for a behaviour. */
const char *ff_feature_fingerprint(int fid);
/* The class's name: "fingerprint" or "behaviour". */
const char *ff_feature_class_name(int fid);

const char *ff_unit_name(enum ff_unit u);
/* Feature id by flowforest name or CIC column name (case-insensitive), or -1. */
int ff_feature_lookup(const char *name);
/* The context entry (enum ff_ctx_kind, context.h) that context feature
 * `fid` reads, from its name (ctx_svc_, ctx_src_, ctx_host_, ctx_pair_); 0
 * for a flow feature, -1 for a context feature of none of them. */
int ff_feature_ctx_kind(int fid);
/*
 * CICFlowMeter's columns, in CICFlowMeter's order (the corrected tool's,
 * as in CIC-IDS2017 improved). A column is one of: an identifying column
 * (`fid` -1: flow ID, addresses, ports, time, label), a feature with the
 * same definition (`mapped`: `train` reads it into that feature, and
 * `extract --format cic` writes the feature), or a CIC column whose
 * definition flowforest does not reproduce (`why` says why; not read).
 * ICMP Code and Type are written minus one (CIC's -1 for "not ICMP" is the
 * feature's 0).
 */
struct ff_cic_column {
	const char *name;
	int fid;		/* kernel feature, -1 for an identifying column */
	int minus_one;		/* CIC value = feature - 1 */
	int mapped;		/* same definition: train maps it */
	const char *why;	/* when not mapped, or a remark */
};

extern const struct ff_cic_column *const ff_cic_columns;
extern const int ff_cic_n_columns;

/* 1 for a feature written under its CIC name as value - 1 (ICMP Code and
 * Type: CIC's -1 is the feature's 0). */
extern unsigned char ff_feature_cic_minus_one[FF_NUM_FEATURES];

/* A feature's CSV column: CIC's name when the CIC column is mapped (the
 * same definition), flowforest's name otherwise. */
const char *ff_feature_csv_name(int fid);

/* The CIC column named `name` (case-insensitive), or NULL. */
const struct ff_cic_column *ff_cic_column_find(const char *name);

/* Write docs/features.md. */
void ff_features_write_markdown(FILE *out);

#endif
