/* SPDX-License-Identifier: MIT */
/*
 * Flow export for `run` and `extract`: IPFIX records when a flow ends, is
 * evicted, changes verdict, or has run for the active timeout; EVE alerts
 * when a flow is decided to be dropped or alerted. The same rules for the
 * kernel's events (run) and the extractor's flows (extract), so that a
 * capture and the live traffic it holds give the same records.
 */
#ifndef FLOWFOREST_EXPORT_H
#define FLOWFOREST_EXPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "packet_path.h"
#include "ipfix.h"
#include "model_file.h"

struct ff_export_opts {
	const char *ipfix;		/* [udp://|tcp://]HOST:PORT, NULL: none */
	__u32 pen;			/* enterprise number of our elements */
	__u32 domain;			/* observation domain id */
	double template_refresh;	/* UDP: templates again after this many seconds */
	__u64 active_timeout_us;	/* interim records of long flows, 0: never */
	__u64 idle_timeout_us;		/* the classifier's (run: scans end flows by it) */
	bool aggregate;			/* fold dropped flows per class and destination */
	const char *eve;		/* EVE alert file, "-" for stdout, NULL: none */
	const char *iface;		/* EVE in_iface, may be NULL */
	__s64 wall_offset_us;		/* flow clock + this = microseconds since 1970 */
	const char (*class_names)[FF_NAME_MAX];	/* may be NULL */
	__u32 n_classes;
	/* Names by model generation (run: the pinned slots' headers); when
	 * set, it answers first. NULL from it: unknown. */
	const char *(*name_of)(void *ctx, __u32 gen, __u16 cls);
	void *name_ctx;
};

struct ff_export_stats {
	__u64 records, messages, send_errors, alerts;
	__u64 aggregated;	/* flows reported inside aggregate records */
};

struct ff_exporter;

/* The target string: [udp://|tcp://]HOST:PORT, IPv6 in brackets. */
int ff_export_parse_target(const char *s, bool *tcp, char *host, size_t hostlen, char *port,
			   size_t portlen);

/* Opens the socket (TCP: connects) and the EVE file; NULL with a message. */
struct ff_exporter *ff_export_open(const struct ff_export_opts *o, char *err, size_t errlen);
/* Class names can change with a reloaded model. */
void ff_export_set_classes(struct ff_exporter *x, const char (*names)[FF_NAME_MAX], __u32 n);

/* A kernel event (run), or one the extractor made the same way. */
void ff_export_event(struct ff_exporter *x, const struct ff_event *e);

/* A flow as it is now (a scan of the kernel's table, or the extractor's
 * flow after a packet), at time `now_us` on the flow clock: an interim
 * record when the active timeout is due, a final one when the flow has been
 * idle past the idle timeout, or with `force` (agent stops, capture ends). */
void ff_export_flow(struct ff_exporter *x, const struct ff_flow_key *k, const struct ff_flow *f,
		    __u64 now_us, bool force);

/* A scan of the whole table is a sequence of ff_export_flow() calls between
 * these two; flows that were known and were not seen again left the table
 * without an event: their remainder goes out as evicted. With `baseline`,
 * the scan only learns what was counted so far (a takeover: the previous
 * agent exported it). */
void ff_export_scan_begin(struct ff_exporter *x, bool baseline);
void ff_export_scan_end(struct ff_exporter *x);

/* One scan of the kernel's flow table (map fd `flows_fd`) at `now_us`;
 * with `force`, every flow ends (the agent stops). -errno on failure. */
int ff_export_scan_map(struct ff_exporter *x, int flows_fd, __u64 now_us, bool baseline,
		       bool force);

/* The end of the export (agent stops, capture ends): aggregates go out
 * now, then everything buffered. */
void ff_export_finish(struct ff_exporter *x);

/* Send what is buffered (call after each batch of work). */
void ff_export_flush(struct ff_exporter *x);
const struct ff_export_stats *ff_export_stats(const struct ff_exporter *x);
/* Flush and close; NULL is fine. */
void ff_export_close(struct ff_exporter *x);

/* The user-space twin of the kernel's event fill (for scans and extract). */
void ff_export_event_fill(struct ff_event *e, const struct ff_flow_key *k, const struct ff_flow *f,
			  __u16 prev, __u64 now_us, __u8 type);

#endif
