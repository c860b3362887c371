/* SPDX-License-Identifier: MIT */
/*
 * Interface names become paths (/sys/fs/bpf/flowforest/IF): one check,
 * made before any path is built from a name.
 */
#ifndef FLOWFOREST_IFNAME_H
#define FLOWFOREST_IFNAME_H

#include <stddef.h>

/* 0 if name can be an interface name and a single path component; -1
 * with the reason in err otherwise. */
int ff_ifname_check(const char *name, char *err, size_t errlen);

#endif
