// SPDX-License-Identifier: MIT
#include <time.h>

#include "clock.h"

__u64 ff_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
