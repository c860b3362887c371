/* SPDX-License-Identifier: MIT */
/*
 * The feature table: every feature is defined exactly once, here, as one
 * FF_FEATURES row:
 *
 *   X(ID, "name", "CICFlowMeter column" or "", unit, direction,
 *     expression over `const struct ff_flow *f`, "note")
 *
 * From it come the feature enum, the name/unit tables that the model loader,
 * the extractor's CSV header and docs/features.md use, and ff_features_compute(),
 * which the BPF programs run at checkpoints and the extractor runs on the
 * same state. All values are unsigned 64-bit integers in the declared unit;
 * means and rates are floored; variances and standard deviations are the
 * floor of the exact value (128-bit sums of squares, no rounding on the
 * way: see ff_moment_stat()), each in the form, population or sample, that
 * its row names. A model's thresholds
 * are integers in the same units, compared with `value <= threshold`.
 */
#ifndef FLOWFOREST_FEATURES_H
#define FLOWFOREST_FEATURES_H

#include "common.h"
#include "flow.h"
#include "context.h"

enum ff_unit {
	FF_UNIT_COUNT,		/* packets or flags */
	FF_UNIT_BYTES,
	FF_UNIT_BYTES2,		/* bytes squared (variance) */
	FF_UNIT_USEC,
	FF_UNIT_PER_SEC,	/* packets per second */
	FF_UNIT_BYTES_PER_SEC,
	FF_UNIT_RATIO,		/* dimensionless, floored */
	FF_UNIT_ID,		/* port, protocol, ICMP type or code */
	FF_UNIT_PERMILLE,	/* a share in thousandths, floored */
	FF_UNIT__MAX,
};

static __always_inline __u64 ff_mean(__u64 sum, __u64 n)
{
	return ff_div(sum, n);
}

/* The divisor of a variance: n (population) or n - 1 (sample). Each
 * feature names its form, so a feature can follow its CIC definition. */
enum ff_var_form {
	FF_VAR_POP = 0,
	FF_VAR_SAMPLE = 1,
};

/* What a variance or standard deviation is computed from. */
struct ff_moments {
	__u64 n;		/* values */
	__u64 sum;		/* of the values */
	struct ff_u128 sq;	/* of their squares */
	__u32 form;		/* enum ff_var_form */
	__u32 std;		/* 1: the standard deviation, 0: the variance */
};

/*
 * floor(var) with var = (n*sq - sum^2) / (n*m), m = n or n - 1, exactly,
 * without forming n*sq (up to 192 bits): with sum^2 = a*n + r and
 * sq - a = b*m + c, var = b + (c*n - r) / (n*m), where the fraction lies
 * in (-1/m, 1) and is negative only when c == 0 and r > 0. The standard
 * deviation is floor(sqrt(var)) = floor(sqrt(floor(var))). The variance
 * saturates at 2^64 - 1; the standard deviation always fits.
 */
FF_GLOBAL __u64 ff_moment_stat(const struct ff_moments *mo)
{
	struct ff_u128 a, b, sq;
	__u64 m, r, c;

	if (!mo || mo->n == 0)
		return 0;
	m = mo->form == FF_VAR_SAMPLE ? mo->n - 1 : mo->n;
	if (m == 0)
		return 0;
	sq.hi = mo->sq.hi;	/* by words (see ff_var) */
	sq.lo = mo->sq.lo;
	/* the usual case, sums below 2^32 and squares below 2^64: the same
	 * steps in 64-bit words (a third of the instructions) */
	if (!(mo->sum >> 32) && !sq.hi) {
		__u64 s2 = mo->sum * mo->sum, a64 = s2 / mo->n, r64 = s2 - a64 * mo->n, b64, c64;

		if (sq.lo >= a64) {
			b64 = (sq.lo - a64) / m;
			c64 = sq.lo - a64 - b64 * m;
			if (c64 == 0 && r64 > 0) {
				if (!b64)
					return 0;	/* inconsistent state (racing CPUs) */
				b64--;
			}
			return mo->std ? ff_isqrt(b64) : b64;
		}
	}
	r = ff_u128_divmod(ff_mul64(mo->sum, mo->sum), mo->n, &a);
	c = ff_u128_divmod(ff_u128_sub(sq, a), m, &b);
	if (c == 0 && r > 0) {
		if (!b.hi && !b.lo)
			return 0;	/* inconsistent state (racing CPUs) */
		b = ff_u128_sub(b, (struct ff_u128){ 0, 1 });
	}
	return mo->std ? ff_isqrt128(b) : ff_u128_sat64(b);
}

/* The statistic of n values with sum `sum` and sum of squares sq_hi:sq_lo,
 * through ff_moment_stat. */
static __always_inline __u64 ff_sq_stat(__u64 sum, __u64 sq_hi, __u64 sq_lo, __u64 n, __u32 form,
					__u32 std)
{
	struct ff_moments mo = { .n = n, .sum = sum, .sq = { sq_hi, sq_lo }, .form = form,
				 .std = std };

	/* too few values: 0, as ff_moment_stat() would say, without the call
	 * (an idle direction, a flow without activity periods) */
	if (n == 0 || (n == 1 && form == FF_VAR_SAMPLE))
		return 0;
	return ff_moment_stat(&mo);
}

/* The variance and the standard deviation of n values with sum `sum` and
 * sum of squares `sq` (a struct ff_u128). Macros, so that the sum of
 * squares goes by its halves: a 16-byte struct passed by value reaches
 * clang's BPF backend as a copy one byte at a time (16 one-byte loads and
 * 30 shifts and ORs for each statistic of a checkpoint). */
#define ff_var(sum, sq, n, form) ff_sq_stat((sum), (sq).hi, (sq).lo, (n), (form), 0)
#define ff_std(sum, sq, n, form) ff_sq_stat((sum), (sq).hi, (sq).lo, (n), (form), 1)

/* Per-second rate of `count` over `dur_us`; 0 for a zero duration. */
static __always_inline __u64 ff_rate(__u64 count, __u64 dur_us)
{
	if (count > (~0ULL) / 1000000ULL)
		return ff_div(count, dur_us) * 1000000ULL;
	return ff_div(count * 1000000ULL, dur_us);
}

static __always_inline __u64 ff_dir_iat_n(const struct ff_dir_stats *d)
{
	return d->pkts > 1 ? d->pkts - 1 : 0;
}

static __always_inline __u64 ff_iat_min0(__u64 v)
{
	return v == ~0ULL ? 0 : v;
}

static __always_inline __u64 ff_len_min_all(const struct ff_flow *f)
{
	if (f->dir[0].pkts == 0)
		return f->dir[1].len_min;
	if (f->dir[1].pkts == 0)
		return f->dir[0].len_min;
	return ff_min64(f->dir[0].len_min, f->dir[1].len_min);
}

static __always_inline int ff_is_icmp(__u8 proto)
{
	return proto == FF_IPPROTO_ICMP || proto == FF_IPPROTO_ICMPV6;
}

/* CIC's Dst Port: ICMP has none (flowforest keys pings by their id). */
static __always_inline __u64 ff_cic_port(const struct ff_flow *f)
{
	return ff_is_icmp(f->proto) ? 0 : f->resp_port;
}

/* CIC writes -1 for "not ICMP": the feature is CIC's value + 1, unsigned. */
static __always_inline __u64 ff_icmp1(const struct ff_flow *f, __u8 v)
{
	return ff_is_icmp(f->proto) ? (__u64)v + 1 : 0;
}

#define FF_FWD (&f->dir[FF_DIR_FWD])
#define FF_BWD (&f->dir[FF_DIR_BWD])
#define FF_NPKT (ff_flow_pkts(f))
#define FF_DUR (f->last_us - f->first_us)
#define FF_LEN_SUM (FF_FWD->len_sum + FF_BWD->len_sum)
#define FF_LEN_SQ (ff_u128_add_at(&FF_FWD->len_sq, &FF_BWD->len_sq))
#define FF_FLOW_IAT_N (FF_NPKT > 1 ? FF_NPKT - 1 : 0)

/* CICFlowMeter's activity, subflow, bulk and connection columns (state in
 * struct ff_cic, include/flowforest/cic.h, and the flow's bulk and
 * fwd_data). Appended after the older rows
 * so that feature ids of existing models stay what they were. */
#define FF_ACT (&f->cic.active)
#define FF_IDLE (&f->cic.idle)
#define FF_BULK_F (&f->bulk[FF_DIR_FWD])
#define FF_BULK_B (&f->bulk[FF_DIR_BWD])
#define FF_CIC_FEATURES(X)                                                               \
	X(ACTIVE_MEAN, "active_mean", "Active Mean", FF_UNIT_USEC, "flow",                  \
	  ff_mean(FF_ACT->sum, f->cic.active_n), "active periods: see docs/cic-definitions.md")  \
	X(ACTIVE_STD, "active_std", "Active Std", FF_UNIT_USEC, "flow",                     \
	  ff_std(FF_ACT->sum, FF_ACT->sq, f->cic.active_n, FF_VAR_SAMPLE), "sample std")          \
	X(ACTIVE_MAX, "active_max", "Active Max", FF_UNIT_USEC, "flow", FF_ACT->max, "")    \
	X(ACTIVE_MIN, "active_min", "Active Min", FF_UNIT_USEC, "flow", FF_ACT->min, "")    \
	X(IDLE_MEAN, "idle_mean", "Idle Mean", FF_UNIT_USEC, "flow",                        \
	  ff_mean(FF_IDLE->sum, f->cic.idle_n), "gaps longer than the activity timeout")      \
	X(IDLE_STD, "idle_std", "Idle Std", FF_UNIT_USEC, "flow",                           \
	  ff_std(FF_IDLE->sum, FF_IDLE->sq, f->cic.idle_n, FF_VAR_SAMPLE), "sample std")       \
	X(IDLE_MAX, "idle_max", "Idle Max", FF_UNIT_USEC, "flow", FF_IDLE->max, "")         \
	X(IDLE_MIN, "idle_min", "Idle Min", FF_UNIT_USEC, "flow", FF_IDLE->min, "")         \
	X(SUBFLOW_FWD_PKTS, "subflow_fwd_pkts", "Subflow Fwd Packets", FF_UNIT_COUNT, "fwd",\
	  ff_div(FF_FWD->pkts, FF_NPKT), "CIC's: fwd packets / all packets, floored")       \
	X(SUBFLOW_FWD_BYTES, "subflow_fwd_bytes", "Subflow Fwd Bytes", FF_UNIT_BYTES, "fwd",\
	  ff_div(FF_FWD->len_sum, FF_NPKT), "CIC's: fwd payload / all packets, floored")    \
	X(SUBFLOW_BWD_PKTS, "subflow_bwd_pkts", "Subflow Bwd Packets", FF_UNIT_COUNT, "bwd",\
	  ff_div(FF_BWD->pkts, FF_NPKT), "CIC's: bwd packets / all packets, floored")       \
	X(SUBFLOW_BWD_BYTES, "subflow_bwd_bytes", "Subflow Bwd Bytes", FF_UNIT_BYTES, "bwd",\
	  ff_div(FF_BWD->len_sum, FF_NPKT), "CIC's: bwd payload / all packets, floored")    \
	X(FWD_BULK_BYTES, "fwd_bulk_bytes", "Fwd Bytes/Bulk Avg", FF_UNIT_BYTES, "fwd",     \
	  ff_div(FF_BULK_F->bytes, FF_BULK_F->bulks), "payload per bulk, floored")          \
	X(FWD_BULK_PKTS, "fwd_bulk_pkts", "Fwd Packet/Bulk Avg", FF_UNIT_COUNT, "fwd",      \
	  ff_div(FF_BULK_F->pkts, FF_BULK_F->bulks), "packets per bulk, floored")           \
	X(FWD_BULK_RATE, "fwd_bulk_rate", "Fwd Bulk Rate Avg", FF_UNIT_BYTES_PER_SEC, "fwd",\
	  ff_rate(FF_BULK_F->bytes, FF_BULK_F->dur_us), "bulk payload per bulk second")     \
	X(BWD_BULK_BYTES, "bwd_bulk_bytes", "Bwd Bytes/Bulk Avg", FF_UNIT_BYTES, "bwd",     \
	  ff_div(FF_BULK_B->bytes, FF_BULK_B->bulks), "payload per bulk, floored")          \
	X(BWD_BULK_PKTS, "bwd_bulk_pkts", "Bwd Packet/Bulk Avg", FF_UNIT_COUNT, "bwd",      \
	  ff_div(FF_BULK_B->pkts, FF_BULK_B->bulks), "packets per bulk, floored")           \
	X(BWD_BULK_RATE, "bwd_bulk_rate", "Bwd Bulk Rate Avg", FF_UNIT_BYTES_PER_SEC, "bwd",\
	  ff_rate(FF_BULK_B->bytes, FF_BULK_B->dur_us), "bulk payload per bulk second")     \
	X(TCP_FLOW_TIME, "tcp_flow_time", "Total TCP Flow Time", FF_UNIT_USEC, "flow",      \
	  f->proto == FF_IPPROTO_TCP ? f->last_us - f->cic.conn_first_us : 0,                \
	  "TCP: last packet minus the connection's first; 0 otherwise")

#define FF_FLOW_FEATURES(X)                                                             \
	X(DST_PORT, "dst_port", "Dst Port", FF_UNIT_ID, "flow", ff_cic_port(f),              \
	  "responder's port: the destination port of the first packet; 0 for ICMP")        \
	X(PROTOCOL, "protocol", "Protocol", FF_UNIT_ID, "flow", f->proto,                   \
	  "IP protocol after IPv6 extension headers")                                      \
	X(FLOW_DURATION, "flow_duration", "Flow Duration", FF_UNIT_USEC, "flow", FF_DUR,    \
	  "last packet time minus first packet time")                                      \
	X(FWD_PKTS, "fwd_pkts", "Total Fwd Packet", FF_UNIT_COUNT, "fwd", FF_FWD->pkts, "") \
	X(BWD_PKTS, "bwd_pkts", "Total Bwd packets", FF_UNIT_COUNT, "bwd", FF_BWD->pkts, "") \
	X(FWD_BYTES, "fwd_bytes", "Total Length of Fwd Packet", FF_UNIT_BYTES, "fwd",       \
	  FF_FWD->len_sum, "sum of L4 payload lengths")                                    \
	X(BWD_BYTES, "bwd_bytes", "Total Length of Bwd Packet", FF_UNIT_BYTES, "bwd",       \
	  FF_BWD->len_sum, "sum of L4 payload lengths")                                    \
	X(FWD_LEN_MAX, "fwd_len_max", "Fwd Packet Length Max", FF_UNIT_BYTES, "fwd",        \
	  FF_FWD->len_max, "payload length")                                               \
	X(FWD_LEN_MIN, "fwd_len_min", "Fwd Packet Length Min", FF_UNIT_BYTES, "fwd",        \
	  FF_FWD->len_min, "payload length")                                               \
	X(FWD_LEN_MEAN, "fwd_len_mean", "Fwd Packet Length Mean", FF_UNIT_BYTES, "fwd",     \
	  ff_mean(FF_FWD->len_sum, FF_FWD->pkts), "floored")                               \
	X(FWD_LEN_STD, "fwd_len_std", "Fwd Packet Length Std", FF_UNIT_BYTES, "fwd",        \
	  ff_std(FF_FWD->len_sum, FF_FWD->len_sq, FF_FWD->pkts, FF_VAR_SAMPLE),            \
	  "sample std (n - 1), floored")                                                   \
	X(BWD_LEN_MAX, "bwd_len_max", "Bwd Packet Length Max", FF_UNIT_BYTES, "bwd",        \
	  FF_BWD->len_max, "payload length")                                               \
	X(BWD_LEN_MIN, "bwd_len_min", "Bwd Packet Length Min", FF_UNIT_BYTES, "bwd",        \
	  FF_BWD->len_min, "payload length")                                               \
	X(BWD_LEN_MEAN, "bwd_len_mean", "Bwd Packet Length Mean", FF_UNIT_BYTES, "bwd",     \
	  ff_mean(FF_BWD->len_sum, FF_BWD->pkts), "floored")                               \
	X(BWD_LEN_STD, "bwd_len_std", "Bwd Packet Length Std", FF_UNIT_BYTES, "bwd",        \
	  ff_std(FF_BWD->len_sum, FF_BWD->len_sq, FF_BWD->pkts, FF_VAR_SAMPLE),            \
	  "sample std (n - 1), floored")                                                   \
	X(FLOW_BYTES_PER_S, "flow_bytes_per_s", "Flow Bytes/s", FF_UNIT_BYTES_PER_SEC,      \
	  "flow", ff_rate(FF_LEN_SUM, FF_DUR), "payload bytes per second; 0 if duration 0") \
	X(FLOW_PKTS_PER_S, "flow_pkts_per_s", "Flow Packets/s", FF_UNIT_PER_SEC, "flow",    \
	  ff_rate(FF_NPKT, FF_DUR), "0 if duration 0")                                     \
	X(FLOW_IAT_MEAN, "flow_iat_mean", "Flow IAT Mean", FF_UNIT_USEC, "flow",            \
	  ff_mean(f->iat_sum, FF_FLOW_IAT_N), "")                                          \
	X(FLOW_IAT_STD, "flow_iat_std", "Flow IAT Std", FF_UNIT_USEC, "flow",               \
	  ff_std(f->iat_sum, f->iat_sq, FF_FLOW_IAT_N, FF_VAR_SAMPLE), "")                 \
	X(FLOW_IAT_MAX, "flow_iat_max", "Flow IAT Max", FF_UNIT_USEC, "flow",               \
	  f->iat_max, "")                                                                  \
	X(FLOW_IAT_MIN, "flow_iat_min", "Flow IAT Min", FF_UNIT_USEC, "flow",               \
	  ff_iat_min0(f->iat_min), "0 until two packets")                                  \
	X(FWD_IAT_TOTAL, "fwd_iat_total", "Fwd IAT Total", FF_UNIT_USEC, "fwd",             \
	  FF_FWD->iat_sum, "")                                                             \
	X(FWD_IAT_MEAN, "fwd_iat_mean", "Fwd IAT Mean", FF_UNIT_USEC, "fwd",                \
	  ff_mean(FF_FWD->iat_sum, ff_dir_iat_n(FF_FWD)), "")                              \
	X(FWD_IAT_STD, "fwd_iat_std", "Fwd IAT Std", FF_UNIT_USEC, "fwd",                   \
	  ff_std(FF_FWD->iat_sum, FF_FWD->iat_sq, ff_dir_iat_n(FF_FWD), FF_VAR_SAMPLE), "") \
	X(FWD_IAT_MAX, "fwd_iat_max", "Fwd IAT Max", FF_UNIT_USEC, "fwd",                   \
	  FF_FWD->iat_max, "")                                                             \
	X(FWD_IAT_MIN, "fwd_iat_min", "Fwd IAT Min", FF_UNIT_USEC, "fwd",                   \
	  ff_iat_min0(FF_FWD->iat_min), "0 until two packets")                             \
	X(BWD_IAT_TOTAL, "bwd_iat_total", "Bwd IAT Total", FF_UNIT_USEC, "bwd",             \
	  FF_BWD->iat_sum, "")                                                             \
	X(BWD_IAT_MEAN, "bwd_iat_mean", "Bwd IAT Mean", FF_UNIT_USEC, "bwd",                \
	  ff_mean(FF_BWD->iat_sum, ff_dir_iat_n(FF_BWD)), "")                              \
	X(BWD_IAT_STD, "bwd_iat_std", "Bwd IAT Std", FF_UNIT_USEC, "bwd",                   \
	  ff_std(FF_BWD->iat_sum, FF_BWD->iat_sq, ff_dir_iat_n(FF_BWD), FF_VAR_SAMPLE), "") \
	X(BWD_IAT_MAX, "bwd_iat_max", "Bwd IAT Max", FF_UNIT_USEC, "bwd",                   \
	  FF_BWD->iat_max, "")                                                             \
	X(BWD_IAT_MIN, "bwd_iat_min", "Bwd IAT Min", FF_UNIT_USEC, "bwd",                   \
	  ff_iat_min0(FF_BWD->iat_min), "0 until two packets")                             \
	X(FWD_PSH_FLAGS, "fwd_psh_flags", "Fwd PSH Flags", FF_UNIT_COUNT, "fwd",            \
	  FF_FWD->psh, "packets with PSH")                                                 \
	X(BWD_PSH_FLAGS, "bwd_psh_flags", "Bwd PSH Flags", FF_UNIT_COUNT, "bwd",            \
	  FF_BWD->psh, "packets with PSH")                                                 \
	X(FWD_URG_FLAGS, "fwd_urg_flags", "Fwd URG Flags", FF_UNIT_COUNT, "fwd",            \
	  FF_FWD->urg, "packets with URG")                                                 \
	X(BWD_URG_FLAGS, "bwd_urg_flags", "Bwd URG Flags", FF_UNIT_COUNT, "bwd",            \
	  FF_BWD->urg, "packets with URG")                                                 \
	X(FWD_RST_FLAGS, "fwd_rst_flags", "Fwd RST Flags", FF_UNIT_COUNT, "fwd",            \
	  FF_FWD->rst, "packets with RST")                                                 \
	X(BWD_RST_FLAGS, "bwd_rst_flags", "Bwd RST Flags", FF_UNIT_COUNT, "bwd",            \
	  FF_BWD->rst, "packets with RST")                                                 \
	X(FWD_HDR_LEN, "fwd_hdr_len", "Fwd Header Length", FF_UNIT_BYTES, "fwd",            \
	  FF_FWD->hdr_sum, "sum of L4 (TCP, UDP, ICMP) header bytes")                      \
	X(BWD_HDR_LEN, "bwd_hdr_len", "Bwd Header Length", FF_UNIT_BYTES, "bwd",            \
	  FF_BWD->hdr_sum, "sum of L4 (TCP, UDP, ICMP) header bytes")                      \
	X(FWD_PKTS_PER_S, "fwd_pkts_per_s", "Fwd Packets/s", FF_UNIT_PER_SEC, "fwd",        \
	  ff_rate(FF_FWD->pkts, FF_DUR), "over the flow's duration")                      \
	X(BWD_PKTS_PER_S, "bwd_pkts_per_s", "Bwd Packets/s", FF_UNIT_PER_SEC, "bwd",        \
	  ff_rate(FF_BWD->pkts, FF_DUR), "over the flow's duration")                      \
	X(PKT_LEN_MIN, "pkt_len_min", "Packet Length Min", FF_UNIT_BYTES, "both",           \
	  ff_len_min_all(f), "payload length")                                             \
	X(PKT_LEN_MAX, "pkt_len_max", "Packet Length Max", FF_UNIT_BYTES, "both",           \
	  ff_max64(FF_FWD->len_max, FF_BWD->len_max), "payload length")                    \
	X(PKT_LEN_MEAN, "pkt_len_mean", "Packet Length Mean", FF_UNIT_BYTES, "both",        \
	  ff_mean(FF_LEN_SUM, FF_NPKT), "floored")                                         \
	X(PKT_LEN_STD, "pkt_len_std", "Packet Length Std", FF_UNIT_BYTES, "both",           \
	  ff_std(FF_LEN_SUM, FF_LEN_SQ, FF_NPKT, FF_VAR_SAMPLE), "sample std (n - 1), floored")     \
	X(PKT_LEN_VAR, "pkt_len_var", "Packet Length Variance", FF_UNIT_BYTES2, "both",     \
	  ff_var(FF_LEN_SUM, FF_LEN_SQ, FF_NPKT, FF_VAR_SAMPLE), "sample variance (n - 1), floored")  \
	X(FIN_COUNT, "fin_count", "FIN Flag Count", FF_UNIT_COUNT, "both", f->flags[0], "") \
	X(SYN_COUNT, "syn_count", "SYN Flag Count", FF_UNIT_COUNT, "both", f->flags[1], "") \
	X(RST_COUNT, "rst_count", "RST Flag Count", FF_UNIT_COUNT, "both", f->flags[2], "") \
	X(PSH_COUNT, "psh_count", "PSH Flag Count", FF_UNIT_COUNT, "both", f->flags[3], "") \
	X(ACK_COUNT, "ack_count", "ACK Flag Count", FF_UNIT_COUNT, "both", f->flags[4], "") \
	X(URG_COUNT, "urg_count", "URG Flag Count", FF_UNIT_COUNT, "both", f->flags[5], "") \
	X(ECE_COUNT, "ece_count", "ECE Flag Count", FF_UNIT_COUNT, "both", f->flags[6], "") \
	X(CWR_COUNT, "cwr_count", "CWR Flag Count", FF_UNIT_COUNT, "both", f->flags[7], "") \
	X(DOWN_UP_RATIO, "down_up_ratio", "Down/Up Ratio", FF_UNIT_RATIO, "both",           \
	  ff_div(FF_BWD->pkts, FF_FWD->pkts), "bwd packets / fwd packets, floored")        \
	X(AVG_PKT_SIZE, "avg_pkt_size", "Average Packet Size", FF_UNIT_BYTES, "both",       \
	  ff_mean(FF_LEN_SUM, FF_NPKT), "payload bytes per packet, floored")               \
	X(FWD_SEG_AVG, "fwd_seg_avg", "Fwd Segment Size Avg", FF_UNIT_BYTES, "fwd",         \
	  ff_mean(FF_FWD->len_sum, FF_FWD->pkts), "floored")                               \
	X(BWD_SEG_AVG, "bwd_seg_avg", "Bwd Segment Size Avg", FF_UNIT_BYTES, "bwd",         \
	  ff_mean(FF_BWD->len_sum, FF_BWD->pkts), "floored")                               \
	X(FWD_INIT_WIN, "fwd_init_win", "FWD Init Win Bytes", FF_UNIT_BYTES, "fwd",         \
	  FF_FWD->init_win, "TCP window of the first fwd packet, unscaled; 0 if none")      \
	X(BWD_INIT_WIN, "bwd_init_win", "Bwd Init Win Bytes", FF_UNIT_BYTES, "bwd",         \
	  FF_BWD->init_win, "TCP window of the first bwd packet, unscaled; 0 if none")      \
	X(FWD_ACT_DATA_PKTS, "fwd_act_data_pkts", "Fwd Act Data Pkts", FF_UNIT_COUNT,       \
	  "fwd", f->fwd_data,                                                  \
	  "fwd packets with payload, not counting the flow's first packet (as CIC)")       \
	X(FWD_SEG_MIN, "fwd_seg_min", "Fwd Seg Size Min", FF_UNIT_BYTES, "fwd",             \
	  FF_FWD->hdr_min, "smallest L4 header in fwd (CIC's name; not a segment size)")    \
	X(ICMP_CODE, "icmp_code1", "ICMP Code", FF_UNIT_ID, "flow", ff_icmp1(f, f->icmp_code), \
	  "ICMP code of the first packet + 1; 0 for a flow that is not ICMP (CIC: -1)")    \
	X(ICMP_TYPE, "icmp_type1", "ICMP Type", FF_UNIT_ID, "flow", ff_icmp1(f, f->icmp_type), \
	  "ICMP type of the first packet + 1; 0 for a flow that is not ICMP (CIC: -1)")    \
	X(FWD_WIRE_BYTES, "fwd_wire_bytes", "", FF_UNIT_BYTES, "fwd",                       \
	  FF_FWD->wire_bytes, "sum of IP packet lengths (flowforest's own)")              \
	X(BWD_WIRE_BYTES, "bwd_wire_bytes", "", FF_UNIT_BYTES, "bwd",                       \
	  FF_BWD->wire_bytes, "sum of IP packet lengths (flowforest's own)")              \
	X(FWD_TTL, "fwd_ttl", "", FF_UNIT_COUNT, "fwd", FF_FWD->ttl,                        \
	  "TTL or hop limit of the first fwd packet (UNSW-NB15 sttl)")                     \
	X(BWD_TTL, "bwd_ttl", "", FF_UNIT_COUNT, "bwd", FF_BWD->ttl,                        \
	  "TTL or hop limit of the first bwd packet, 0 if none (UNSW-NB15 dttl)")          \
	X(TCP_SYNACK, "tcp_synack_us", "", FF_UNIT_USEC, "flow",                            \
	  f->synack_us ? f->synack_us - f->syn_us : 0,                                     \
	  "SYN to SYN-ACK time, 0 if not seen (UNSW-NB15 synack)")                         \
	X(TCP_ACKDAT, "tcp_ackdat_us", "", FF_UNIT_USEC, "flow",                            \
	  f->ack_us ? f->ack_us - f->synack_us : 0,                                        \
	  "SYN-ACK to ACK time, 0 if not seen (UNSW-NB15 ackdat)")                         \
	FF_CIC_FEATURES(X)

/* Context (context.h): what the flows around this one do, read at the
 * checkpoint from the state of its service (responder address, port,
 * protocol), its host (the responder's address) and its source prefix
 * (/24, /64), with the packet's clock. Expressions over
 * `const struct ff_ctx_view *c`. Appended last: the ids of older features
 * stay. */
#define FF_CTX_FEATURES(X)                                                               \
	X(CTX_SVC_FLOWS_100MS, "ctx_svc_new_flows_100ms", "", FF_UNIT_COUNT, "ctx",          \
	  ff_ctx_n(c->svc, 0, FF_CTX_FLOWS, c->now_us), "flows opened to this service in the last 100 ms (sliding window)") \
	X(CTX_SVC_FLOWS_1S, "ctx_svc_new_flows_1s", "", FF_UNIT_COUNT, "ctx",                \
	  c->svc_flows, "flows opened to this service in the last 1 s (sliding window)")   \
	X(CTX_SVC_HALF_OPEN_1S, "ctx_svc_half_open_1s", "", FF_UNIT_COUNT, "ctx",            \
	  ff_ctx_half_open(c->svc, c->now_us), "TCP SYNs to this service minus completed handshakes (the initiator's first ACK after its SYN, seen with or without the SYN-ACK), last 1 s") \
	X(CTX_SVC_SYN_SHARE, "ctx_svc_syn_share_permille", "", FF_UNIT_PERMILLE, "ctx",         \
	  ff_ctx_syn_permille(c->svc, c->svc_flows, c->now_us),                             \
	  "permille of the service's new flows (1 s) opened by a bare SYN")                \
	X(CTX_SVC_PEER_BITS_1S, "ctx_svc_peer_bits_1s", "", FF_UNIT_COUNT, "ctx",            \
	  ff_ctx_bits(c->svc, c->now_us), "bits set of 64 by the service's initiators, 1 to 2 s: "   \
	  "distinct peers ~ 64 ln(64 / (64 - bits)) (linear counting)")                   \
	X(CTX_SRC_FLOWS_100MS, "ctx_src_new_flows_100ms", "", FF_UNIT_COUNT, "ctx",          \
	  ff_ctx_n(c->src, 0, FF_CTX_FLOWS, c->now_us), "flows opened by this source's /24 or /64 in the last 100 ms")    \
	X(CTX_SRC_FLOWS_1S, "ctx_src_new_flows_1s", "", FF_UNIT_COUNT, "ctx",                \
	  c->src_flows, "flows opened by this source's /24 or /64 in the last 1 s")        \
	X(CTX_SRC_PEER_BITS_1S, "ctx_src_peer_bits_1s", "", FF_UNIT_COUNT, "ctx",            \
	  ff_ctx_bits(c->src, c->now_us), "bits set of 64 by the services (responder address, "    \
	  "port, protocol) the source prefix opened flows to, 1 to 2 s: a port scan of one "      \
	  "host sets many (linear counting, as ctx_svc_peer_bits_1s)")                           \
	X(CTX_HOST_FLOWS_1S, "ctx_host_new_flows_1s", "", FF_UNIT_COUNT, "ctx",              \
	  c->host_flows,                                   \
	  "flows opened to this host (the responder's address, any port or protocol) in the last 1 s") \
	X(CTX_HOST_PKTS_100MS, "ctx_host_pkts_100ms", "", FF_UNIT_COUNT, "ctx",              \
	  ff_ctx_n(c->host, 0, FF_CTX_PKTS, c->now_us),                                    \
	  "packets sent to this host by the initiators of its flows in the last 100 ms")   \
	X(CTX_HOST_BYTES_1S, "ctx_host_bytes_1s", "", FF_UNIT_BYTES, "ctx",                  \
	  ff_ctx_bytes(c->host, 1, c->now_us),                                             \
	  "IP bytes of those packets in the last 1 s")                                     \
	X(CTX_HOST_PEER_BITS_1S, "ctx_host_peer_bits_1s", "", FF_UNIT_COUNT, "ctx",          \
	  ff_ctx_bits(c->host, c->now_us),                                                 \
	  "bits set of 64 by the host's initiators, 1 to 2 s (linear counting, as "        \
	  "ctx_svc_peer_bits_1s)")                                                         \
	X(CTX_HOST_ONE_PKT_SHARE, "ctx_host_one_pkt_share_permille", "", FF_UNIT_PERMILLE, "ctx", \
	  ff_ctx_one_pkt_permille(c->host, c->host_flows, c->now_us),                                     \
	  "permille of the host's new flows (1 s) without a second packet so far (flows "  \
	  "opened minus flows that saw one; 0 without flows)")                              \
	X(CTX_HOST_FAIL_SHARE, "ctx_host_fail_share_permille", "", FF_UNIT_PERMILLE, "ctx",    \
	  ff_ctx_share(c->host, FF_CTX_FAIL, c->host_flows, c->now_us),                                   \
	  "failed connections of the host (1 s: its RSTs before a handshake completed, "   \
	  "ICMP unreachables it sent) per thousand new flows to it, at most 1000")          \
	X(CTX_SVC_ONE_PKT_SHARE, "ctx_svc_one_pkt_share_permille", "", FF_UNIT_PERMILLE, "ctx", \
	  ff_ctx_one_pkt_permille(c->svc, c->svc_flows, c->now_us),                                      \
	  "permille of the service's new flows (1 s) without a second packet so far")       \
	X(CTX_SRC_FAIL_SHARE, "ctx_src_fail_share_permille", "", FF_UNIT_PERMILLE, "ctx",      \
	  ff_ctx_share(c->src, FF_CTX_FAIL, c->src_flows, c->now_us),                                    \
	  "failed connections of the source prefix (1 s: RSTs before a handshake, ICMP "   \
	  "unreachables back to it) per thousand flows it opened, at most 1000")           \
	X(CTX_SRC_ONE_PKT_SHARE, "ctx_src_one_pkt_share_permille", "", FF_UNIT_PERMILLE, "ctx", \
	  ff_ctx_one_pkt_permille(c->src, c->src_flows, c->now_us),                                      \
	  "permille of the source prefix's new flows (1 s) without a second packet so far: " \
	  "what a sender's flows do, seen from the receiving side alone (a spoofed flood's "  \
	  "never answer, a client's send their handshake's ACK)")                           \
	X(CTX_PAIR_FLOWS_100MS, "ctx_pair_new_flows_100ms", "", FF_UNIT_COUNT, "ctx",        \
	  ff_ctx_n(c->pair, 0, FF_CTX_FLOWS, c->now_us),                                   \
	  "flows opened by this source's /24 or /64 to this service in the last 100 ms")   \
	X(CTX_PAIR_FLOWS_1S, "ctx_pair_new_flows_1s", "", FF_UNIT_COUNT, "ctx",              \
	  c->pair_flows,                                   \
	  "flows opened by this source's /24 or /64 to this service in the last 1 s")      \
	X(CTX_PAIR_PEER_BITS_1S, "ctx_pair_peer_bits_1s", "", FF_UNIT_COUNT, "ctx",          \
	  ff_ctx_bits(c->pair, c->now_us),                                                 \
	  "bits set of 64 by the source hosts (full addresses) of the prefix that opened "  \
	  "flows to this service, 1 to 2 s (linear counting, as ctx_svc_peer_bits_1s)")    \
	X(CTX_PAIR_FLOWS_PER_BIT, "ctx_pair_flows_per_peer_bit_1s", "", FF_UNIT_COUNT, "ctx", \
	  ff_ctx_flows_per_bit(c->pair, c->pair_flows, c->now_us),                                        \
	  "ctx_pair_new_flows_1s per ctx_pair_peer_bits_1s, floored (0 without bits): "    \
	  "flows per distinct source host while they are few")                              \
	X(CTX_PAIR_DONE_SHARE, "ctx_pair_done_share_permille", "", FF_UNIT_PERMILLE, "ctx",  \
	  ff_ctx_share(c->pair, FF_CTX_DONE, c->pair_flows, c->now_us),                                   \
	  "TCP handshakes completed (the initiator's ACK after its SYN) per thousand flows " \
	  "the prefix opened to this service " \
	  "(1 s), at most 1000")                                                           \
	X(CTX_PAIR_ONE_PKT_SHARE, "ctx_pair_one_pkt_share_permille", "", FF_UNIT_PERMILLE, "ctx", \
	  ff_ctx_one_pkt_permille(c->pair, c->pair_flows, c->now_us),                                     \
	  "permille of the prefix's new flows to this service (1 s) without a second "     \
	  "packet so far")                                                                 \
	X(CTX_PAIR_FAIL_SHARE, "ctx_pair_fail_share_permille", "", FF_UNIT_PERMILLE, "ctx",  \
	  ff_ctx_share(c->pair, FF_CTX_FAIL, c->pair_flows, c->now_us),                                   \
	  "failed connections (the service's RSTs before a handshake completed) per "      \
	  "thousand flows the prefix opened to it (1 s), at most 1000")                    \
	X(CTX_PAIR_OLD_1S, "ctx_pair_long_open_1s", "", FF_UNIT_COUNT, "ctx",                \
	  ff_ctx_n(c->pair, 1, FF_CTX_OLD, c->now_us),                                     \
	  "flows of the prefix to this service that were still sending 1 s or more after " \
	  "they began, counted at that packet, in the last 1 s (slow attacks keep theirs " \
	  "open)")                                                                         \
	X(CTX_SRC_RETURN_AGE, "ctx_src_return_age_us", "", FF_UNIT_USEC, "ctx",              \
	  ff_ctx_return_age(c->src, c->now_us),                                            \
	  "time since a host of this source's /24 or /64 last came back (sent a packet " \
	  "after the first of one of its flows, not a bare SYN: a handshake's ACK, a " \
	  "request; a SYN again is a retransmission or a flood's source port drawn " \
	  "twice), at most 60 s (also never, or forgotten, and at a filter just started, " \
	  "which has seen no one come back yet: ctx_table_age_us): real clients come "     \
	  "back, a spoofed flood's sources never")                                         \
	X(CTX_SRC_FLOWS_10S, "ctx_src_new_flows_10s", "", FF_UNIT_COUNT, "ctx",              \
	  ff_ctx_slow_flows(c->src, c->now_us),                                            \
	  "flows opened by this source's /24 or /64 in the last 10 s (sliding window)")    \
	X(CTX_SRC_PEER_BITS_10S, "ctx_src_peer_bits_10s", "", FF_UNIT_COUNT, "ctx",          \
	  ff_ctx_slow_bits(c->src, c->now_us),                                             \
	  "bits set of 64 by the services the source prefix opened flows to, 10 to 20 s: " \
	  "a slow scan's many (as ctx_src_peer_bits_1s)")                                  \
	X(CTX_PAIR_FLOWS_10S, "ctx_pair_new_flows_10s", "", FF_UNIT_COUNT, "ctx",            \
	  c->pair_flows_10s,                                                               \
	  "flows opened by this source's /24 or /64 to this service in the last 10 s")     \
	X(CTX_PAIR_PEER_BITS_10S, "ctx_pair_peer_bits_10s", "", FF_UNIT_COUNT, "ctx",        \
	  ff_ctx_slow_bits(c->pair, c->now_us),                                            \
	  "bits set of 64 by the source hosts of the prefix that opened flows to this "    \
	  "service, 10 to 20 s (as ctx_pair_peer_bits_1s)")                                \
	X(CTX_PAIR_FLOWS_PER_BIT_10S, "ctx_pair_flows_per_peer_bit_10s", "", FF_UNIT_COUNT, "ctx", \
	  ff_div(c->pair_flows_10s, ff_ctx_slow_bits(c->pair, c->now_us)),                 \
	  "ctx_pair_new_flows_10s per ctx_pair_peer_bits_10s, floored (0 without bits): "  \
	  "a slow brute force's few hosts, many connections each")                         \
	X(CTX_TABLE_AGE, "ctx_table_age_us", "", FF_UNIT_USEC, "ctx",                      \
	  ff_ctx_table_age(c->now_us, c->start_us),                                        \
	  "time the context has counted (since the first flow it counted), at most 2 s: "  \
	  "below 2 s a filter just started, which has seen no network come back yet "      \
	  "(ctx_src_return_age_us never) and whose windows are not full; 2 s: any later "  \
	  "time")

#define FF_FEATURES(X) FF_FLOW_FEATURES(X) FF_CTX_FEATURES(X)

/*
 * The features that can identify a tool or a host rather than a behaviour,
 * each with why: what a model leans on when it learns the fingerprints of
 * the tools it was shown (a flood sent with another tool, or padded, walks
 * through). Every other row of the table is a behaviour: counts, timing,
 * flags, shapes, context. `train` reports the share of the model on these
 * and leaves them out with `--features behaviour` or
 * `--exclude-features fingerprint`; docs/features.md and the lab's report
 * show the same class. X(ID, "why").
 */
#define FF_SIZE_WHY "an exact size (a tool's payload; padding changes it)"
#define FF_FINGERPRINT_FEATURES(X)                                                      \
	X(DST_PORT, "a port used as an id (a service or a tool's choice)")                \
	X(FWD_TTL, "the sender's TTL (its OS, its distance, a tool's choice)")             \
	X(BWD_TTL, "the responder's TTL (its OS, its distance)")                           \
	X(FWD_INIT_WIN, "a TCP stack's or a tool's window")                                \
	X(BWD_INIT_WIN, "a TCP stack's window")                                            \
	X(FWD_HDR_LEN, "a TCP stack's or a tool's TCP options (header bytes)")              \
	X(BWD_HDR_LEN, "a TCP stack's TCP options (header bytes)")                          \
	X(FWD_SEG_MIN, "a TCP stack's or a tool's TCP options (smallest header)")           \
	X(FWD_LEN_MAX, FF_SIZE_WHY) X(FWD_LEN_MIN, FF_SIZE_WHY) X(FWD_LEN_MEAN, FF_SIZE_WHY) \
	X(BWD_LEN_MAX, FF_SIZE_WHY) X(BWD_LEN_MIN, FF_SIZE_WHY) X(BWD_LEN_MEAN, FF_SIZE_WHY) \
	X(PKT_LEN_MIN, FF_SIZE_WHY) X(PKT_LEN_MAX, FF_SIZE_WHY) X(PKT_LEN_MEAN, FF_SIZE_WHY) \
	X(AVG_PKT_SIZE, FF_SIZE_WHY) X(FWD_SEG_AVG, FF_SIZE_WHY) X(BWD_SEG_AVG, FF_SIZE_WHY) \
	X(SUBFLOW_FWD_BYTES, FF_SIZE_WHY) X(SUBFLOW_BWD_BYTES, FF_SIZE_WHY)                \
	X(FWD_BULK_BYTES, FF_SIZE_WHY) X(BWD_BULK_BYTES, FF_SIZE_WHY)                      \
	X(FWD_BYTES, "exact sizes summed (one packet: its size)")                          \
	X(BWD_BYTES, "exact sizes summed (one packet: its size)")                          \
	X(FWD_WIRE_BYTES, "exact sizes summed (one packet: its size)")                     \
	X(BWD_WIRE_BYTES, "exact sizes summed (one packet: its size)")

enum ff_feature_id {
#define FF_X_ENUM(id, name, cic, unit, dir, expr, note) FF_F_##id,
	FF_FEATURES(FF_X_ENUM)
#undef FF_X_ENUM
	FF_NUM_FEATURES,
};

/* The flow's rows come first, the context rows after them. */
enum {
#define FF_X_COUNT(id, name, cic, unit, dir, expr, note) FF_FLOW_COUNT_##id,
	FF_FLOW_FEATURES(FF_X_COUNT)
#undef FF_X_COUNT
	FF_NUM_FLOW_FEATURES,
};

#define FF_MAX_FEATURES 128
_Static_assert(FF_NUM_FEATURES <= FF_MAX_FEATURES, "feature table too large");
_Static_assert(FF_MAX_FEATURES <= 64 * FF_FSET_WORDS, "struct ff_feature_set too small");

struct ff_features {
	__u64 v[FF_MAX_FEATURES];
};

/* Compute every feature of `f` into `out`: the one function both sides run.
 * The context rows are not of `f`: ff_features_ctx() fills them. */
static __always_inline void ff_features_compute(const struct ff_flow *f,
						struct ff_features *out)
{
#define FF_X_COMPUTE(id, name, cic, unit, dir, expr, note) \
	out->v[FF_F_##id] = (__u64)(expr);
	FF_FLOW_FEATURES(FF_X_COMPUTE)
#undef FF_X_COMPUTE
}

/* Rows whose expression is another row's, X(ID, SOURCE): CIC's duplicate
 * columns (tests/test_unit.c checks that the expressions are the same). */
#define FF_SAME_FEATURES(X)                                                             \
	X(AVG_PKT_SIZE, PKT_LEN_MEAN) X(FWD_SEG_AVG, FWD_LEN_MEAN) X(BWD_SEG_AVG, BWD_LEN_MEAN)

/* Is row `id` of `set` derived from another row of `set` instead of
 * computed (ff_features_derive)? A constant for a constant id. */
static __always_inline int ff_fset_derived(const struct ff_feature_set *set, __u32 id)
{
#define FF_X_SAME(a, src) \
	if (id == FF_F_##a)   \
		return ff_fset_has(set, FF_F_##src);
	FF_SAME_FEATURES(FF_X_SAME)
#undef FF_X_SAME
	if (id == FF_F_PKT_LEN_STD)
		return ff_fset_has(set, FF_F_PKT_LEN_VAR);
	return 0;
}

/* The rows ff_fset_derived() left out, from the rows they derive from:
 * a copy of the same expression's value; the packet lengths' standard
 * deviation, floor(sqrt(floor(var))), from their variance (unless that
 * saturated: then the row itself). */
static __always_inline void ff_features_derive(const struct ff_flow *f,
					       struct ff_features *__restrict out,
					       const struct ff_feature_set *set)
{
#define FF_X_COPY(a, src)                                                 \
	if (ff_fset_has(set, FF_F_##a) && ff_fset_has(set, FF_F_##src)) \
		out->v[FF_F_##a] = out->v[FF_F_##src];
	FF_SAME_FEATURES(FF_X_COPY)
#undef FF_X_COPY
#define FF_X_STD_ROW(id, name, cic, unit, dir, expr, note) \
	if (FF_F_##id == FF_F_PKT_LEN_STD)              \
		out->v[FF_F_##id] = (__u64)(expr);
	if (ff_fset_has(set, FF_F_PKT_LEN_STD) && ff_fset_has(set, FF_F_PKT_LEN_VAR)) {
		if (out->v[FF_F_PKT_LEN_VAR] != ~0ULL)
			out->v[FF_F_PKT_LEN_STD] = ff_isqrt(out->v[FF_F_PKT_LEN_VAR]);
		else {
			FF_FLOW_FEATURES(FF_X_STD_ROW)
		}
	}
#undef FF_X_STD_ROW
}

/* The features of `f` in `set` into `out` (a model's, struct ff_model_meta):
 * the others keep whatever they held, which the model does not read. The
 * context rows are not of `f` (ff_features_ctx()). A row that another row
 * of the set gives (ff_fset_derived()) costs no division of its own: the
 * same values as ff_features_compute(). */
static __always_inline void ff_features_compute_set(const struct ff_flow *f,
						    struct ff_features *__restrict out,
						    const struct ff_feature_set *set)
{
#define FF_X_COMPUTE_SET(id, name, cic, unit, dir, expr, note)                    \
	if (ff_fset_has(set, FF_F_##id) && !ff_fset_derived(set, FF_F_##id)) \
		out->v[FF_F_##id] = (__u64)(expr);
	FF_FLOW_FEATURES(FF_X_COMPUTE_SET)
#undef FF_X_COMPUTE_SET
	ff_features_derive(f, out, set);
}

/* Every feature: what snapshots and CSV rows carry. */
#define FF_FSET_LOW(n) ((n) >= 64 ? ~0ULL : (n) <= 0 ? 0ULL : (1ULL << ((n) & 63)) - 1)
#define FF_FSET_ALL { { FF_FSET_LOW(FF_NUM_FEATURES), FF_FSET_LOW(FF_NUM_FEATURES - 64) } }

/* The context rows (FF_CTX_FEATURES, the last ids), read apart from the
 * flow's: word i of their set. */
#define FF_FSET_CTX_W(i) \
	(FF_FSET_LOW(FF_NUM_FEATURES - 64 * (i)) & ~FF_FSET_LOW(FF_NUM_FLOW_FEATURES - 64 * (i)))

static __always_inline int ff_fset_has_ctx(const struct ff_feature_set *s)
{
	return (s->w[0] & FF_FSET_CTX_W(0)) || (s->w[1] & FF_FSET_CTX_W(1));
}

/* The context features of view `c` into `out`. */
static __always_inline void ff_features_ctx(const struct ff_ctx_view *c,
					    struct ff_features *out)
{
#define FF_X_CTX(id, name, cic, unit, dir, expr, note) out->v[FF_F_##id] = (__u64)(expr);
	FF_CTX_FEATURES(FF_X_CTX)
#undef FF_X_CTX
}

#endif /* FLOWFOREST_FEATURES_H */
