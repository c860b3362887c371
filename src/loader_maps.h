/* SPDX-License-Identifier: MIT */
/*
 * The one table of the BPF object's maps that user space handles: which
 * skeleton handle each is, whether an operator works with it (a field of
 * struct ff_maps, pinned under the interface's directory with the map's own
 * name), and how its size is chosen at load. Opening, pinning, opening from
 * pins, closing and stopping all walk this table, so a new map is one line.
 * Internal to the loader's files.
 */
#ifndef FLOWFOREST_LOADER_MAPS_H
#define FLOWFOREST_LOADER_MAPS_H

#include <stddef.h>
#include "loader.h"

struct bpf_map;

enum ff_map_size {
	FF_SIZE_OBJECT,		/* as the BPF object declares it */
	FF_SIZE_FLOWS,		/* the flow table: --flows */
	FF_SIZE_FIFO,		/* one slot per flow, with --export-evictions */
	FF_SIZE_SNAPSHOTS,	/* 4 MiB ring, with snapshot export (replay) */
};

struct ff_map_desc {
	const char *name;	/* in the object; also the pin's file name */
	size_t skel_off;	/* its struct bpf_map * in struct flowforest_bpf */
	int fd_off;		/* its fd in struct ff_maps; -1: not pinned */
	enum ff_map_size size;
};

extern const struct ff_map_desc ff_map_table[];
extern const size_t ff_map_table_len;

struct flowforest_bpf;

/* The skeleton's handle of a table entry. */
struct bpf_map *ff_map_handle(struct flowforest_bpf *skel, const struct ff_map_desc *d);
/* Where a pinned entry's fd lives in `mp` (d->fd_off >= 0). */
int *ff_map_fd_slot(struct ff_maps *mp, const struct ff_map_desc *d);

/*
 * The operator state (struct ff_ctl) mapped into this process, so that
 * each field is changed with one atomic operation and never rewritten as a
 * whole: concurrent commands and the kernel then never undo each other.
 * NULL with a message when the map cannot be mapped (a classifier started
 * by an older flowforest: restart it). Unmap with ff_ctl_unmap().
 */
struct ff_ctl *ff_ctl_map(const struct ff_maps *mp, char *err, size_t errlen);
void ff_ctl_unmap(struct ff_ctl *ctl);
/* Add `delta` to a counter of the mapped ff_ctl, never below 0. */
void ff_ctl_add(__u32 *field, int delta);
/* The lists' cover (ctl.h) mapped the same way, and a count of it. */
struct ff_list_cover *ff_cover_map(const struct ff_maps *mp, char *err, size_t errlen);
void ff_cover_unmap(struct ff_list_cover *c);
void ff_ctl_add16(__u16 *field, int delta);

#endif
