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
	FF_MAP_PRIVATE(ff_fifo, FF_SIZE_FIFO),
	FF_MAP_PRIVATE(ff_fifo_state, FF_SIZE_OBJECT),
	FF_MAP_PRIVATE(ff_snapshots, FF_SIZE_SNAPSHOTS),
};
const size_t ff_map_table_len = sizeof(ff_map_table) / sizeof(ff_map_table[0]);

static size_t ctl_map_len(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 ? (size_t)page : 4096;
}

struct ff_ctl *ff_ctl_map(const struct ff_maps *mp, char *err, size_t errlen)
{
	void *p = mmap(NULL, ctl_map_len(), PROT_READ | PROT_WRITE, MAP_SHARED, mp->ctl, 0);

	if (p == MAP_FAILED) {
		ff_fail(err, errlen, "cannot map the classifier's control state (%s): "
			"restart a classifier started by an older flowforest", strerror(errno));
		return NULL;
	}
	return p;
}

void ff_ctl_unmap(struct ff_ctl *ctl)
{
	if (ctl)
		munmap(ctl, ctl_map_len());
}

void ff_ctl_add(__u32 *field, int delta)
{
	__u32 old = __atomic_load_n(field, __ATOMIC_RELAXED), val;

	do {
		val = delta < 0 && old < (__u32)-delta ? 0 : old + delta;
	} while (!__atomic_compare_exchange_n(field, &old, val, false, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
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
