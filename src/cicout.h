/* SPDX-License-Identifier: MIT */
/*
 * `extract --format cic`: CICFlowMeter's CSV, one row per flow, its columns
 * in its order (ff_cic_columns), its flow termination (flow timeout from
 * the flow's first packet) on flowforest's shared per-packet code. See docs/cic-definitions.md.
 */
#ifndef FLOWFOREST_CICOUT_H
#define FLOWFOREST_CICOUT_H

#include <stdio.h>
#include "packet_path.h"
#include "labels.h"

#define FF_CIC_FLOW_TIMEOUT_US 120000000ULL	/* CIC-IDS2017's flow timeout */

struct ff_cic_out {
	FILE *out;
	const struct ff_labels *labels;	/* NULL: Label column empty */
	__u64 flow_timeout_us;		/* from the flow's first packet */
	__u64 rows;
	__u64 single;			/* one-packet flows, not written (as CIC) */
};

void ff_cic_header(struct ff_cic_out *c);
/* Write the flow's row (flows of one packet are counted, not written). */
void ff_cic_row(struct ff_cic_out *c, const struct ff_flow_key *k, const struct ff_flow *f);

/*
 * Before `now_us`'s packet is counted to `f`: 1 when CIC ends the flow
 * first, at its flow timeout (measured from the flow's first packet). The
 * next flow continues the TCP connection (Total TCP Flow Time goes on).
 * FIN and RST do not end a flow: the corrected CICFlowMeter keeps the
 * teardown in the flow, and CIC-IDS2017 (improved) keeps even a new SYN
 * after a RST in it (docs/cic-definitions.md).
 */
int ff_cic_ends_before(const struct ff_cic_out *c, const struct ff_flow *f, __u64 now_us);

#endif
