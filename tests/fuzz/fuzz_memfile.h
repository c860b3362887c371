/* SPDX-License-Identifier: MIT */
/* The fuzz input as a file path, for readers that open files: an anonymous
 * memory file (memfd) named by /proc/self/fd/N; nothing touches the disk. */
#ifndef FLOWFOREST_FUZZ_MEMFILE_H
#define FLOWFOREST_FUZZ_MEMFILE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* -1, or an fd whose path is in path (close it after use). */
static inline int fuzz_memfile(const void *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
