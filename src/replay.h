/* SPDX-License-Identifier: MIT */
/*
 * Replay: every frame of a capture through the loaded BPF program with
 * BPF_PROG_TEST_RUN, in capture order, on the capture's clock. The kernel
 * exports each checkpoint's features, and at the end each flow's state, so
 * the CSV written here comes from the kernel's own computation and can be
 * compared with `extract` byte for byte.
 */
#ifndef FLOWFOREST_REPLAY_H
#define FLOWFOREST_REPLAY_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdbool.h>
#include "packet_path.h"
#include "flowcsv.h"
#include "extract.h"

struct ff_replay_opts {
	struct ff_config cfg;
	struct ff_csv *csv;
	const struct ff_model *model;
	bool progress;
};

/* Frames longer than this are cut before the test run (headers are all the
 * pipeline reads; lengths come from the IP header). */
#define FF_REPLAY_SNAPLEN 3072

/* Keep the calling thread on the CPU it runs on (*saved: its affinity
 * before) while it feeds test runs: the program's per-CPU state (the
 * one-packet flows' memo and drop aggregates, flowforest/first.h) is then
 * one state, as in extract. 0 or -1. */
int ff_replay_pin(cpu_set_t *saved);
void ff_replay_unpin(const cpu_set_t *saved);

int ff_replay(const char *const *paths, int n_paths, const struct ff_replay_opts *o,
	      struct ff_extract_stats *st, char *err, size_t errlen);

#endif
