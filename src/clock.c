// SPDX-License-Identifier: MIT
#include <time.h>

#include "clock.h"

__u64 ff_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__s64 ff_wall_offset_us(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((__s64)rt.tv_sec - mono.tv_sec) * 1000000 + (rt.tv_nsec - mono.tv_nsec) / 1000;
}
