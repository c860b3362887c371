/* SPDX-License-Identifier: MIT */
/*
 * Offline extraction: captures through the shared parser, flow update and
 * feature code, one CSV row per snapshot. With a model, the user-space twin
 * classifies at each checkpoint exactly as the kernel would.
 */
#ifndef FLOWFOREST_EXTRACT_H
#define FLOWFOREST_EXTRACT_H

#include <stdbool.h>
#include "packet_path.h"
#include "flowcsv.h"
#include "export.h"
#include "cicout.h"

struct ff_extract_stats {
	__u64 frames;
	__u64 parse_fail[FF_PARSE__MAX];	/* by enum ff_parse_result */
	__u64 flows;
	__u64 rows;
	double seconds;
	__u32 cut_short;		/* captures that ended inside a record */
	char cut_msg[512];		/* the first one's warning */
};

struct ff_extract_opts {
	struct ff_config cfg;
	struct ff_csv *csv;		/* NULL: count only (benchmarks) */
	struct ff_cic_out *cic;		/* CICFlowMeter's rows instead (csv NULL) */
	const struct ff_model *model;	/* NULL: no verdicts */
	bool progress;			/* report on stderr about once a second */
	struct ff_exporter *exporter;	/* NULL: no IPFIX records or EVE alerts */
};

int ff_extract(const char *const *paths, int n_paths, const struct ff_extract_opts *o,
	       struct ff_extract_stats *st, char *err, size_t errlen);
/* The statistics that the kernel's (or the user-space) counters give. */
void ff_extract_stats_from_counters(struct ff_extract_stats *st, const struct ff_counters *c);

#endif
