/* SPDX-License-Identifier: MIT */
/*
 * The monotonic clock: the one the kernel stamps flows and events with
 * (bpf_ktime_get_ns), and the one to measure durations with.
 */
#ifndef FLOWFOREST_CLOCK_H
#define FLOWFOREST_CLOCK_H

#include <linux/types.h>

__u64 ff_mono_ns(void);
/* CLOCK_REALTIME - CLOCK_MONOTONIC in microseconds: the wall-clock time of
 * a monotonic one (event timestamps; the context's clock, flow.h
 * ctx_clock_us). Constant but for steps of the wall clock. */
__s64 ff_wall_offset_us(void);

static inline __u64 ff_mono_us(void)
{
	return ff_mono_ns() / 1000;
}

static inline double ff_mono_s(void)
{
	return ff_mono_ns() / 1e9;
}

static inline double ff_mono_ms(void)
{
	return ff_mono_ns() / 1e6;
}

#endif
