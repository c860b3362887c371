/* SPDX-License-Identifier: MIT */
/*
 * The flow CSV that `extract` and `replay` both write: one row per snapshot
 * (checkpoint, FIN/RST, idle restart, end of capture). Feature columns use
 * CICFlowMeter's names where one exists, flowforest's names otherwise, so
 * `train` reads these files and CIC's alike.
 */
#ifndef FLOWFOREST_FLOWCSV_H
#define FLOWFOREST_FLOWCSV_H

#include <stdio.h>
#include "packet_path.h"
#include "labels.h"
#include "model_file.h"

struct ff_csv {
	FILE *out;
	const struct ff_labels *labels;
	const struct ff_model *model;	/* adds class and score columns */
	__u64 rows;
};

const char *ff_snap_reason_name(__u8 reason);
void ff_csv_header(struct ff_csv *c);
/* One free-text field, quoted as RFC 4180 says when it must be. */
void ff_csv_field(FILE *out, const char *s);
void ff_csv_row(struct ff_csv *c, const struct ff_snapshot *s);

/* Order of end-of-capture rows: by first packet time, then key bytes. */
int ff_snapshot_cmp(const void *a, const void *b);

#endif
