/* SPDX-License-Identifier: MIT */
/*
 * The user-space twin: live packets from an AF_PACKET socket with a
 * TPACKET_V3 receive ring, through exactly the code the kernel runs (the
 * shared parser, flow key, flow update, checkpoints, features and forest
 * walk from include/flowforest/, with the user-space flow table), so that
 * the kernel hooks can be compared with the classic user-space design on
 * the same traffic. It only observes: the ring gets a copy of every frame.
 */
#ifndef FLOWFOREST_TWIN_H
#define FLOWFOREST_TWIN_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include "packet_path.h"
#include "model_file.h"

struct ff_twin_stats;

struct ff_twin_opts {
	const char *iface;
	const struct ff_model *model;
	const __u32 *actions;		/* per class; NULL: the model's */
	struct ff_config cfg;		/* checkpoints, as the kernel's */
	__u32 flows;			/* initial flow-table size (0: 65,536) */
	double duration;		/* seconds, 0 = until *stop */
	double interval;		/* progress callback period, 0 = none */
	__u32 block_size;		/* ring geometry; 0: defaults */
	__u32 block_nr;
	volatile sig_atomic_t *stop;	/* set by a signal handler */
	/* called every `interval` seconds with the stats so far */
	void (*progress)(const struct ff_twin_opts *o, const struct ff_twin_stats *st);
	/* called when a flow is first classified or changes class */
	void (*event)(const struct ff_twin_opts *o, const struct ff_event *ev);
	void *user;
};

struct ff_twin_stats {
	__u64 packets;			/* frames taken from the ring and processed */
	__u64 bytes;
	__u64 ring_packets;		/* PACKET_STATISTICS tp_packets (incl. drops) */
	__u64 ring_drops;		/* tp_drops: frames the full ring lost */
	__u64 ring_freeze;		/* tp_freeze_q_cnt */
	__u64 parse_fail[FF_PARSE__MAX];	/* by enum ff_parse_result */
	__u64 frag_later;
	__u64 flows;			/* flows created (incl. idle restarts) */
	__u64 classifications;
	__u64 events;
	__u64 dropped;			/* packets whose verdict says drop (would drop) */
	__u64 alerted;
	__u64 class_pkts[FF_MAX_CLASSES];
	__u64 unclassified_pkts;
	__u64 blocks;			/* ring blocks consumed */
	double t_start;			/* CLOCK_MONOTONIC seconds */
	double seconds;			/* wall time of the receive loop */
	double cpu_user, cpu_sys;	/* CPU seconds of the process in the loop */
	size_t table_bytes;		/* memory of the user-space flow table */
};

/* The classifier itself, without the ring: what ff_twin_run() runs for
 * every frame (the benchmarks also time it on frames in memory). */
struct ff_twin;
struct ff_twin *ff_twin_new(const struct ff_twin_opts *o, struct ff_twin_stats *st);
/* One Ethernet frame at `now_us`; 0, or -1 when the flow table is out of
 * memory. */
int ff_twin_packet(struct ff_twin *t, const __u8 *data, __u32 len, __u32 wire_len,
		   __u64 now_us);
size_t ff_twin_flows(const struct ff_twin *t);
/* The counters so far, as the kernel's ff_counters would hold them. */
void ff_twin_counters(const struct ff_twin *t, struct ff_counters *out);
size_t ff_twin_table_bytes(const struct ff_twin *t);
void ff_twin_free(struct ff_twin *t);

/* Open the ring on o->iface and classify until o->duration or *o->stop.
 * 0, or -1 with a reason in err. */
int ff_twin_run(const struct ff_twin_opts *o, struct ff_twin_stats *st,
		char *err, size_t errlen);

void ff_twin_stats_json(FILE *out, const struct ff_twin_stats *st,
			const struct ff_model *m, bool final);

#endif
