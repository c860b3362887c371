// SPDX-License-Identifier: MIT
/* The map table, and what works on struct ff_maps as a whole. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "errmsg.h"
#include "loader_maps.h"
#include "flowforest.skel.h"

#define FF_MAP(nm, field, sz) \
	{ #nm, offsetof(struct flowforest_bpf, maps.nm), offsetof(struct ff_maps, field), sz }
#define FF_MAP_PRIVATE(nm, sz) \
	{ #nm, offsetof(struct flowforest_bpf, maps.nm), -1, sz }

const struct ff_map_desc ff_map_table[] = {
	FF_MAP(ff_flows, flows, FF_SIZE_FLOWS),
	FF_MAP(ff_nodes, nodes, FF_SIZE_OBJECT),
	FF_MAP(ff_meta, meta, FF_SIZE_OBJECT),
	FF_MAP(ff_active, active, FF_SIZE_OBJECT),
	FF_MAP(ff_counters, counters, FF_SIZE_OBJECT),
	FF_MAP(ff_events, events, FF_SIZE_OBJECT),
	FF_MAP(ff_ctl, ctl, FF_SIZE_OBJECT),
	FF_MAP(ff_allow, allow, FF_SIZE_OBJECT),
	FF_MAP(ff_deny, deny, FF_SIZE_OBJECT),
	FF_MAP(ff_cover, cover, FF_SIZE_OBJECT),
	FF_MAP_PRIVATE(ff_fifo, FF_SIZE_FIFO),
	FF_MAP_PRIVATE(ff_fifo_state, FF_SIZE_OBJECT),
	FF_MAP_PRIVATE(ff_snapshots, FF_SIZE_SNAPSHOTS),
};
const size_t ff_map_table_len = sizeof(ff_map_table) / sizeof(ff_map_table[0]);

/* The length to map of a one-entry map whose value has `size` bytes. */
static size_t map_len(size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t p = page > 0 ? (size_t)page : 4096;

	return (size + p - 1) / p * p;
}

static void *map_value(int fd, size_t size, char *err, size_t errlen)
{
	void *p = mmap(NULL, map_len(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		ff_fail(err, errlen, "cannot map the classifier's control state (%s): "
			"restart a classifier started by an older flowforest", strerror(errno));
		return NULL;
	}
	return p;
}

struct ff_ctl *ff_ctl_map(const struct ff_maps *mp, char *err, size_t errlen)
{
	return map_value(mp->ctl, sizeof(struct ff_ctl), err, errlen);
}

void ff_ctl_unmap(struct ff_ctl *ctl)
{
	if (ctl)
		munmap(ctl, map_len(sizeof(*ctl)));
}

struct ff_list_cover *ff_cover_map(const struct ff_maps *mp, char *err, size_t errlen)
{
	return map_value(mp->cover, sizeof(struct ff_list_cover), err, errlen);
}

void ff_cover_unmap(struct ff_list_cover *c)
{
	if (c)
		munmap(c, map_len(sizeof(*c)));
}

/* *field += delta, never below 0, as one atomic operation. */
#define FF_CTL_ADD(field, delta)                                                            \
	do {                                                                                \
		__typeof__(*(field)) old_ = __atomic_load_n(field, __ATOMIC_RELAXED), val_; \
                                                                                            \
		do {                                                                        \
			val_ = (delta) < 0 && old_ < (__typeof__(old_))-(delta) ? 0 :       \
								       old_ + (delta);      \
		} while (!__atomic_compare_exchange_n(field, &old_, val_, false,            \
						      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)); \
	} while (0)

void ff_ctl_add(__u32 *field, int delta)
{
	FF_CTL_ADD(field, delta);
}

void ff_ctl_add16(__u16 *field, int delta)
{
	FF_CTL_ADD(field, delta);
}

struct bpf_map *ff_map_handle(struct flowforest_bpf *skel, const struct ff_map_desc *d)
{
	return *(struct bpf_map **)((char *)skel + d->skel_off);
}

int *ff_map_fd_slot(struct ff_maps *mp, const struct ff_map_desc *d)
{
	return (int *)((char *)mp + d->fd_off);
}

void ff_maps_init(struct ff_maps *mp)
{
	size_t i;

	for (i = 0; i < ff_map_table_len; i++)
		if (ff_map_table[i].fd_off >= 0)
			*ff_map_fd_slot(mp, &ff_map_table[i]) = -1;
	mp->loader = NULL;
	mp->iface[0] = 0;
	mp->no_native = false;
	mp->native_note[0] = 0;
}

void ff_maps_close(struct ff_maps *mp)
{
	size_t i;

	for (i = 0; i < ff_map_table_len; i++) {
		int *fd;

		if (ff_map_table[i].fd_off < 0)
			continue;
		fd = ff_map_fd_slot(mp, &ff_map_table[i]);
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

int ff_maps_counters(const struct ff_maps *mp, struct ff_counters *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	size_t k, nwords = sizeof(*out) / sizeof(__u64);
	struct ff_counters *per;
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0)
		return -1;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -1;
	if (bpf_map_lookup_elem(mp->counters, &zero, per)) {
		free(per);
		return -1;
	}
	for (i = 0; i < ncpu; i++)
		for (k = 0; k < nwords; k++)
			((__u64 *)out)[k] += ((__u64 *)&per[i])[k];
	free(per);
	return 0;
}
