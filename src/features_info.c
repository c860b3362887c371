// SPDX-License-Identifier: MIT
#include <string.h>
#include <strings.h>

#include "features_info.h"

const struct ff_feature_info ff_feature_table[FF_NUM_FEATURES] = {
#define FF_X_INFO(id, name, cic, unit, dir, expr, note) \
	[FF_F_##id] = { name, cic, unit, dir, #expr, note },
	FF_FEATURES(FF_X_INFO)
#undef FF_X_INFO
};

static const char *const fingerprint_why[FF_NUM_FEATURES] = {
#define FF_X_FP(id, why) [FF_F_##id] = why,
	FF_FINGERPRINT_FEATURES(FF_X_FP)
#undef FF_X_FP
};

const char *ff_feature_fingerprint(int fid)
{
	return fid >= 0 && fid < FF_NUM_FEATURES ? fingerprint_why[fid] : NULL;
}

const char *ff_feature_class_name(int fid)
{
	return ff_feature_fingerprint(fid) ? "fingerprint" : "behaviour";
}

/* How a CIC column relates to flowforest, by name; see ff_cic_column. */
#define ID(n) { n, -1, 0, 0, "identifies the flow (not a feature)" }
#define MAP(n) { n, 0, 0, 1, NULL }
#define MAP1(n) { n, 0, 1, 1, "written minus one: the feature is CIC's value + 1" }
#define NOT(n, why) { n, 0, 0, 0, why }

/* CIC sets these two from the flow's first packet only when that packet is
 * forward; when it is backward (a flow CIC turned around because it began
 * with a SYN-ACK, or a flow that continues a connection after the flow
 * timeout and begins with the responder's packet) they stay 0 for good. In
 * CIC-IDS2017 (improved) that is 150 of 40,198 TCP rows, 10 of the 11
 * Heartbleed rows among them: a model would learn "0 means Heartbleed", a
 * value the kernel, whose first packet is always forward, never shows. */
#define FIRST_FWD_ONLY "CIC's value is 0 whenever the flow's first packet is backward " \
	"(0.4 % of the TCP rows of CIC-IDS2017 improved, most Heartbleed rows): " \
	"a CIC artefact the kernel never shows; extract --format cic writes flowforest's value"

static struct ff_cic_column cic_columns[] = {
	ID("Flow ID"), ID("Src IP"), ID("Src Port"), ID("Dst IP"),
	MAP("Dst Port"), MAP("Protocol"), ID("Timestamp"), MAP("Flow Duration"),
	MAP("Total Fwd Packet"), MAP("Total Bwd packets"),
	MAP("Total Length of Fwd Packet"), MAP("Total Length of Bwd Packet"),
	MAP("Fwd Packet Length Max"), MAP("Fwd Packet Length Min"),
	MAP("Fwd Packet Length Mean"), MAP("Fwd Packet Length Std"),
	MAP("Bwd Packet Length Max"), MAP("Bwd Packet Length Min"),
	MAP("Bwd Packet Length Mean"), MAP("Bwd Packet Length Std"),
	MAP("Flow Bytes/s"), MAP("Flow Packets/s"),
	MAP("Flow IAT Mean"), MAP("Flow IAT Std"), MAP("Flow IAT Max"), MAP("Flow IAT Min"),
	MAP("Fwd IAT Total"), MAP("Fwd IAT Mean"), MAP("Fwd IAT Std"), MAP("Fwd IAT Max"),
	MAP("Fwd IAT Min"),
	MAP("Bwd IAT Total"), MAP("Bwd IAT Mean"), MAP("Bwd IAT Std"), MAP("Bwd IAT Max"),
	MAP("Bwd IAT Min"),
	MAP("Fwd PSH Flags"), MAP("Bwd PSH Flags"), MAP("Fwd URG Flags"), MAP("Bwd URG Flags"),
	MAP("Fwd RST Flags"), MAP("Bwd RST Flags"),
	MAP("Fwd Header Length"), MAP("Bwd Header Length"),
	MAP("Fwd Packets/s"), MAP("Bwd Packets/s"),
	MAP("Packet Length Min"), MAP("Packet Length Max"), MAP("Packet Length Mean"),
	MAP("Packet Length Std"), MAP("Packet Length Variance"),
	MAP("FIN Flag Count"), MAP("SYN Flag Count"), MAP("RST Flag Count"),
	MAP("PSH Flag Count"), MAP("ACK Flag Count"), MAP("URG Flag Count"),
	MAP("CWR Flag Count"), MAP("ECE Flag Count"),
	MAP("Down/Up Ratio"), MAP("Average Packet Size"),
	MAP("Fwd Segment Size Avg"), MAP("Bwd Segment Size Avg"),
	MAP("Fwd Bytes/Bulk Avg"), MAP("Fwd Packet/Bulk Avg"), MAP("Fwd Bulk Rate Avg"),
	MAP("Bwd Bytes/Bulk Avg"), MAP("Bwd Packet/Bulk Avg"), MAP("Bwd Bulk Rate Avg"),
	MAP("Subflow Fwd Packets"), MAP("Subflow Fwd Bytes"),
	MAP("Subflow Bwd Packets"), MAP("Subflow Bwd Bytes"),
	NOT("FWD Init Win Bytes", FIRST_FWD_ONLY), MAP("Bwd Init Win Bytes"),
	MAP("Fwd Act Data Pkts"), NOT("Fwd Seg Size Min", FIRST_FWD_ONLY),
	MAP("Active Mean"), MAP("Active Std"), MAP("Active Max"), MAP("Active Min"),
	MAP("Idle Mean"), MAP("Idle Std"), MAP("Idle Max"), MAP("Idle Min"),
	MAP1("ICMP Code"), MAP1("ICMP Type"),
	MAP("Total TCP Flow Time"),
	ID("Label"),
};

#undef ID
#undef MAP
#undef MAP1
#undef NOT

const struct ff_cic_column *const ff_cic_columns = cic_columns;
const int ff_cic_n_columns = FF_ARRAY_SIZE(cic_columns);

unsigned char ff_feature_cic_minus_one[FF_NUM_FEATURES];

/* Resolve the feature of every CIC column once, by its CIC name. */
static void __attribute__((constructor)) cic_columns_resolve(void)
{
	size_t i;

	for (i = 0; i < FF_ARRAY_SIZE(cic_columns); i++) {
		struct ff_cic_column *c = &cic_columns[i];
		int j;

		if (c->fid < 0)
			continue;
		c->fid = -1;
		for (j = 0; j < FF_NUM_FEATURES; j++)
			if (!strcmp(ff_feature_table[j].cic, c->name))
				c->fid = j;
		if (c->fid >= 0)
			ff_feature_cic_minus_one[c->fid] = c->minus_one;
	}
}

const char *ff_feature_csv_name(int fid)
{
	const struct ff_feature_info *f = &ff_feature_table[fid];
	const struct ff_cic_column *c = f->cic[0] ? ff_cic_column_find(f->cic) : NULL;

	return c && c->mapped ? f->cic : f->name;
}

const struct ff_cic_column *ff_cic_column_find(const char *name)
{
	int i;

	for (i = 0; i < ff_cic_n_columns; i++)
		if (!strcasecmp(cic_columns[i].name, name))
			return &cic_columns[i];
	return NULL;
}

static const char *const unit_names[FF_UNIT__MAX] = {
	[FF_UNIT_COUNT] = "count",
	[FF_UNIT_BYTES] = "bytes",
	[FF_UNIT_BYTES2] = "bytes^2",
	[FF_UNIT_USEC] = "us",
	[FF_UNIT_PER_SEC] = "1/s",
	[FF_UNIT_BYTES_PER_SEC] = "bytes/s",
	[FF_UNIT_RATIO] = "ratio",
	[FF_UNIT_ID] = "id",
	[FF_UNIT_PERMILLE] = "permille",
};

const char *ff_unit_name(enum ff_unit u)
{
	return (unsigned)u < FF_UNIT__MAX ? unit_names[u] : "?";
}

int ff_feature_ctx_kind(int fid)
{
	static const char *const prefix[] = {
		[FF_CTX_SVC] = "ctx_svc_", [FF_CTX_SRC] = "ctx_src_",
		[FF_CTX_HOST] = "ctx_host_", [FF_CTX_PAIR] = "ctx_pair_",
	};
	int k;

	if (fid < 0 || fid >= FF_NUM_FEATURES || strcmp(ff_feature_table[fid].dir, "ctx"))
		return 0;
	if (fid == FF_F_CTX_TABLE_AGE)	/* the clock, read with the source's entry */
		return FF_CTX_SRC;
	for (k = FF_CTX_SVC; k <= FF_CTX_PAIR; k++)
		if (!strncmp(ff_feature_table[fid].name, prefix[k], strlen(prefix[k])))
			return k;
	return -1;
}

int ff_feature_lookup(const char *name)
{
	int i;

	for (i = 0; i < FF_NUM_FEATURES; i++) {
		const struct ff_feature_info *f = &ff_feature_table[i];

		if (!strcasecmp(name, f->name) ||
		    (f->cic[0] && !strcasecmp(name, f->cic)))
			return i;
	}
	return -1;
}

/* The CIC columns section: every column of CICFlowMeter's CSV and what
 * flowforest does with it. */
static void write_cic_columns(FILE *out)
{
	int i;

	fprintf(out,
		"\n## CICFlowMeter's columns\n\n"
		"Every column of CICFlowMeter's CSV (the corrected tool's, as in\n"
		"CIC-IDS2017 improved), in its order. *mapped*: the kernel feature computes\n"
		"CIC's definition (docs/cic-definitions.md), integers being the floor of\n"
		"CIC's value; `train` reads the column into that feature and `extract\n"
		"--format cic` writes it. *identifying*: written by `extract --format cic`,\n"
		"never a feature. *not mapped*: CIC's definition is not reproduced; `train`\n"
		"leaves the column out and says why. The conformance report below checks\n"
		"each mapped column against the dataset.\n\n"
		"| # | CIC column | status | flowforest feature | remark |\n"
		"|---|------------|--------|--------------------|--------|\n");
	for (i = 0; i < ff_cic_n_columns; i++) {
		const struct ff_cic_column *c = &ff_cic_columns[i];

		fprintf(out, "| %d | %s | %s | %s%s%s | %s |\n", i + 1, c->name,
			c->fid < 0 ? "identifying" : c->mapped ? "mapped" : "not mapped",
			c->fid < 0 ? "" : "`", c->fid < 0 ? "-" : ff_feature_table[c->fid].name,
			c->fid < 0 ? "" : "`", c->fid < 0 ? "" : c->why ? c->why : "");
	}
}

void ff_features_write_markdown(FILE *out)
{
	int i;

	fprintf(out,
		"# Flow features\n\n"
		"Generated by `make docs` (`flowforest features --markdown`, then the\n"
		"conformance report of `tests/cic_conformance.py`) from the `FF_FEATURES`\n"
		"table in `include/flowforest/features.h` and the CIC column table in\n"
		"`src/features_info.c`; do not edit by hand. What each CICFlowMeter column\n"
		"means, in words, is in [cic-definitions.md](cic-definitions.md).\n\n"
		"Every feature is an unsigned 64-bit integer in its declared unit, computed\n"
		"by the same code in the kernel and in user space at each checkpoint.\n"
		"Packet lengths are L4 payload bytes and header lengths L4 header bytes\n"
		"(as in CICFlowMeter); times are microseconds. Means and rates are\n"
		"floored. A variance is the floor of the exact value\n"
		"(n*sum_sq - sum^2) / (n*d), from 128-bit sums of squares that no flow can\n"
		"overflow, with d = n (population) or n - 1 (sample) as the row's `FF_VAR_*`\n"
		"argument says; every CIC column uses the sample form (0 for one value). It\n"
		"saturates at 2^64 - 1. A standard deviation is the floor of the square root\n"
		"of that exact variance. Models compare features with `value <= threshold`\n"
		"on integer thresholds in the same unit.\n\n"
		"Lengths come from the IP header (IPv4 total length, IPv6 40 + payload\n"
		"length), bounded by the frame: a packet whose IP length exceeds its frame\n"
		"is malformed and not counted. For a capture, the frame length is the\n"
		"original length of the record, not the bytes kept under a snap length, so\n"
		"a capture cut to its headers gives the same features as the wire did.\n"
		"A flow's clock never runs backwards: a packet stamped before the flow's\n"
		"last one counts at that last time (inter-arrival time 0).\n\n"
		"Where flowforest differs from CICFlowMeter:\n\n"
		"- integers instead of floats (the floor of CIC's value);\n"
		"- rates are 0 for a flow of zero duration (CICFlowMeter gives Infinity or NaN);\n"
		"- ICMP Code and ICMP Type are CIC's value + 1 (unsigned: 0 is CIC's -1, not\n"
		"  ICMP); CSV columns under CIC's names carry CIC's value;\n"
		"- ICMP flows: CIC counts neither an ICMP header nor its data (lengths 0);\n"
		"  flowforest counts the 8-byte ICMP header and the data after it;\n"
		"- flows are bidirectional by (address, port) endpoint, the initiator being the\n"
		"  sender of the first packet seen (fwd = from the initiator; CIC turns a flow\n"
		"  that starts with a SYN-ACK around); in the kernel a flow restarts after the\n"
		"  idle timeout (120 s by default); `extract --format cic` ends flows as CIC\n"
		"  does instead (a 120 s flow timeout from the first packet);\n"
		"- later IP fragments carry no ports: they form their own port-less flow.\n\n"
		"Features are snapshots taken at checkpoints (by default when a flow reaches\n"
		"1, 2, 4, ..., 1024 packets, then every 1024, and at TCP FIN/RST), which is\n"
		"when the kernel classifies; `flowforest extract` writes the same snapshots.\n\n"
		"In the table, `FF_FWD` and `FF_BWD` are the per-direction statistics\n"
		"(`struct ff_dir_stats` in `include/flowforest/flow.h`), `FF_NPKT` the\n"
		"packets of both directions, `FF_DUR` last minus first packet time,\n"
		"`FF_LEN_SUM`/`FF_LEN_SQ` the payload length sums over both directions,\n"
		"`FF_ACT`/`FF_IDLE` the active and idle periods and `FF_BULK_F`/`FF_BULK_B`\n"
		"the bulk statistics (`struct ff_cic` and `struct ff_bulk` in\n"
		"`include/flowforest/cic.h`).\n\n"
		"The class column says what a feature tells: a *behaviour* (counts, timing,\n"
		"flags, shapes, the context of other flows) or a *fingerprint*: a value that\n"
		"can identify a tool or a host rather than what it does (ports used as ids,\n"
		"exact sizes that padding changes, TTLs, TCP windows and options). `train`\n"
		"reports how much of a model rests on fingerprints and leaves them out with\n"
		"`--features behaviour` (the list is `FF_FINGERPRINT_FEATURES` in\n"
		"`include/flowforest/features.h`).\n\n"
		"| # | name | CICFlowMeter column | unit | direction | class | computed as | note |\n"
		"|---|------|---------------------|------|-----------|-------|-------------|------|\n");
	for (i = 0; i < FF_NUM_FEATURES; i++) {
		const struct ff_feature_info *f = &ff_feature_table[i];
		const char *why = ff_feature_fingerprint(i), *c;

		fprintf(out, "| %d | `%s` | %s | %s | %s | %s%s%s | `", i, f->name,
			f->cic[0] ? f->cic : "(flowforest only)", ff_unit_name(f->unit), f->dir,
			ff_feature_class_name(i), why ? ": " : "", why ? why : "");
		for (c = f->expr; *c; c++)	/* keep the table intact */
			fputc(*c == '|' ? '/' : *c, out);
		fprintf(out, "` | %s |\n", f->note);
	}
	write_cic_columns(out);
}
