/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>

#include "scratch.h"

int scratch_make(char *buf, size_t size, const char *tag)
{
	int n = snprintf(buf, size, "/tmp/ff-test-%s-XXXXXX", tag);

	if (n < 0 || (size_t)n >= size)
		return -1;
	return mkdtemp(buf) ? 0 : -1;
}

int scratch_remove(const char *dir)
{
	char cmd[4200];
	int n = snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);

	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}
