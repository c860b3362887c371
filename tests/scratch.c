/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

void scratch_enter_repo(const char *marker)
{
	char exe[PATH_MAX], *slash;
	ssize_t n;
	int up;

	if (access(marker, F_OK) == 0)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = 0;
	for (up = 0; up < 3; up++) {	/* ROOT/build/tests/NAME */
		slash = strrchr(exe, '/');
		if (!slash)
			return;
		*slash = 0;
	}
	if (exe[0])
		(void)!chdir(exe);
}
