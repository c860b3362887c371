// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "errmsg.h"

int ff_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}
