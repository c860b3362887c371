/* SPDX-License-Identifier: MIT */
/*
 * Strict numbers from text (command-line options, rule files): the whole
 * string or nothing. No sign, no leading space, no trailing garbage, no
 * hex, no nan or inf, and the value within the caller's range; strtoul
 * and strtod alone accept all of those.
 */
#ifndef FLOWFOREST_NUMPARSE_H
#define FLOWFOREST_NUMPARSE_H

/* A decimal integer in [min, max]: 0, or -1 if s is anything else. */
int ff_parse_uint(const char *s, unsigned long long min, unsigned long long max,
		  unsigned long long *out);
/* A finite decimal number (digits, '.', exponent) in [min, max]. */
int ff_parse_real(const char *s, double min, double max, double *out);

#endif
