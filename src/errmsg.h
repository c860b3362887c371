/* SPDX-License-Identifier: MIT */
/* One-line error messages for a caller's buffer. */
#ifndef FLOWFOREST_ERRMSG_H
#define FLOWFOREST_ERRMSG_H

#include <stddef.h>

/* Format into err (if not NULL) and return -1. */
int ff_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
