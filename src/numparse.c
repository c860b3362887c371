// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

int ff_parse_uint(const char *s, unsigned long long min, unsigned long long max,
		  unsigned long long *out)
{
	unsigned long long v;
	char *end;

	/* strtoull skips spaces and takes a sign ("-1" is ULLONG_MAX) */
	if (!s[0] || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int ff_parse_real(const char *s, double min, double max, double *out)
{
	double v;
	char *end;

	/* only what a decimal number is made of: strtod also reads "nan",
	 * "inf", "0x1p3" and leading spaces */
	if (!s[0] || strspn(s, "0123456789.eE+-") != strlen(s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || !(v >= min && v <= max))
		return -1;
	*out = v;
	return 0;
}
