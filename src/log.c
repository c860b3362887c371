// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "log.h"

static int verbose, muted;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose && (level == LIBBPF_DEBUG || muted))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void ff_log_init(void)
{
	libbpf_set_print(libbpf_print);
}

void ff_log_set_verbose(int level)
{
	verbose = level;
}

void ff_log_mute(int on)
{
	muted = on;
}
