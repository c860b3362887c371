// SPDX-License-Identifier: MIT
/*
 * Open, size and load the BPF object; close it. The other rooms of the
 * loader: loader_attach.c (hooks), loader_model.c (model install and swap),
 * loader_lists.c (allow and deny lists), loader_pins.c (pins and bpffs),
 * loader_privs.c (privileges), loader_maps.c (the one table of the maps).
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "errmsg.h"
#include "loader_maps.h"
#include "flowforest.skel.h"

#define FF_DEFAULT_FLOWS 65536
#define FF_SNAPSHOT_RING (4u << 20)

const char *const ff_counter_names[FF_C__FIXED] = {
#define FF_X_CNAME(id, name) [FF_C_##id] = name,
	FF_COUNTERS(FF_X_CNAME)
#undef FF_X_CNAME
};

static const char *const hook_names[] = {
	[FF_HOOK_XDP] = "xdp",
	[FF_HOOK_XDP_GENERIC] = "xdp-generic",
	[FF_HOOK_TC_INGRESS] = "tc-ingress",
	[FF_HOOK_TC_EGRESS] = "tc-egress",
	[FF_HOOK_SOCKET] = "socket",
	[FF_HOOK_NONE] = "none",
};

const char *ff_hook_name(enum ff_hook h)
{
	return (unsigned)h <= FF_HOOK_NONE ? hook_names[h] : "?";
}

int ff_hook_parse(const char *s)
{
	int i;

	for (i = 0; i < FF_HOOK_NONE; i++)
		if (!strcmp(s, hook_names[i]))
			return i;
	return -1;
}

/*
 * The flow-table entries eviction keeps free. The LRU hash starts evicting
 * on its own (silently) once its global free list is empty, and each CPU
 * that inserts parks up to 128 free entries on a local list (the kernel's
 * LOCAL_FREE_TARGET): with n CPUs up to n x 128 entries can be free and
 * still unusable. Wanted, then: twice that per CPU, so that our eviction
 * (which reports what it evicts) runs first; and flows/64 for large tables,
 * so that bursts from several CPUs between two evictions still find room.
 * Capped at flows/8: possible CPUs overstate the CPUs that see packets (a
 * 512-CPU host with a 65,536-flow table would otherwise keep the whole
 * table in reserve), and past 1/8 the memory lost to the reserve costs more
 * than the rare silent eviction it prevents.
 */
__u32 ff_evict_reserve(__u32 ncpus, __u32 max_flows)
{
	__u64 want = (__u64)ncpus * FF_EVICT_SLACK_PER_CPU;

	if (want < max_flows / 64)
		want = max_flows / 64;
	if (want > max_flows / 8)
		want = max_flows / 8;
	return (__u32)want;
}

int ff_evict_at(__u32 ncpus, __u32 max_flows, __u32 *evict_at)
{
	__u32 reserve = ff_evict_reserve(ncpus, max_flows);

	if (max_flows < FF_MIN_FLOWS || !reserve)
		return -1;
	*evict_at = max_flows - reserve;
	return 0;
}

/* The size a table entry gets for these options; 0 keeps the object's. */
static __u32 map_size(const struct ff_map_desc *d, const struct ff_load_opts *o,
		      __u32 max_flows)
{
	switch (d->size) {
	case FF_SIZE_FLOWS:
		return max_flows;
	case FF_SIZE_FIFO:
		return o->export_evictions ? max_flows : 0;
	case FF_SIZE_SNAPSHOTS:
		return o->export_snapshots ? FF_SNAPSHOT_RING : 0;
	case FF_SIZE_OBJECT:
		break;
	}
	return 0;
}

/* Read-only settings and map sizes, before the load. */
static int configure(struct flowforest_bpf *skel, const struct ff_load_opts *o,
		     __u32 max_flows, char *err, size_t errlen)
{
	size_t i;
	int rc;

	skel->rodata->ff_cfg = o->cfg;
	/* the context's windows turn on the wall clock, as a capture's
	 * (flow.h ctx_clock_us); the replay clock is a capture's already */
	if (!o->replay_clock)
		skel->rodata->ff_cfg.ctx_clock_us = (__u64)ff_wall_offset_us();
	skel->rodata->ff_replay_clock = o->replay_clock;
	skel->rodata->ff_export = o->export_snapshots;
	if (o->export_evictions) {
		__u32 evict_at;

		if (ff_evict_at(libbpf_num_possible_cpus(), max_flows, &evict_at))
			return ff_fail(err, errlen,
				    "flow table of %u entries is too small (at least %u)",
				    max_flows, FF_MIN_FLOWS);
		skel->rodata->ff_fifo_size = max_flows;
		skel->rodata->ff_evict_at = evict_at;
	}
	/* its slots and its clock's (context.h) */
	rc = bpf_map__set_max_entries(skel->maps.ff_ctx, ff_ctx_entries(o->cfg.ctx_slots));
	if (rc)
		return ff_fail(err, errlen, "cannot size the context table to %u slots: %s",
			       ff_ctx_slots(o->cfg.ctx_slots), strerror(-rc));
	for (i = 0; i < ff_map_table_len; i++) {
		const struct ff_map_desc *d = &ff_map_table[i];
		__u32 n = map_size(d, o, max_flows);

		if (!n)
			continue;
		rc = bpf_map__set_max_entries(ff_map_handle(skel, d), n);
		if (rc)
			return ff_fail(err, errlen, "cannot size %s to %u entries: %s", d->name,
				    n, strerror(-rc));
	}
	return 0;
}

static int load_failed(int rc, __u32 max_flows, char *err, size_t errlen)
{
	char msg[128];

	libbpf_strerror(rc, msg, sizeof(msg));
	if (rc == -EPERM || rc == -EACCES)
		return ff_fail(err, errlen,
			    "the kernel refused to load the BPF programs (%s): run as root "
			    "(or with CAP_BPF and CAP_NET_ADMIN)", msg);
	if (rc == -ENOMEM || rc == -E2BIG)
		return ff_fail(err, errlen,
			    "cannot allocate the BPF maps (%s): is the flow table (%u entries) too large?",
			    msg, max_flows);
	return ff_fail(err, errlen, "loading the BPF programs failed: %s", msg);
}

int ff_loader_open(struct ff_loader *l, const struct ff_load_opts *o,
		   char *err, size_t errlen)
{
	__u32 max_flows = o->max_flows ? o->max_flows : FF_DEFAULT_FLOWS;
	struct flowforest_bpf *skel;
	size_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	l->link_fd = -1;
	l->sock_fd = -1;
	l->native.off = o->no_native_forest;
	for (i = 0; i < FF_NATIVE_PROGS; i++)
		l->native.fd[i] = -1;
	l->hook = FF_HOOK_NONE;

	if (o->cfg.n_checkpoints > FF_MAX_CHECKPOINTS)
		return ff_fail(err, errlen, "at most %d checkpoints", FF_MAX_CHECKPOINTS);
	skel = flowforest_bpf__open();
	if (!skel)
		return ff_fail(err, errlen, "cannot open the BPF object: %s", strerror(errno));
	if (configure(skel, o, max_flows, err, errlen))
		goto fail;
	rc = flowforest_bpf__load(skel);
	if (rc) {
		load_failed(rc, max_flows, err, errlen);
		goto fail;
	}
	l->skel = skel;
	l->max_flows = max_flows;
	for (i = 0; i < ff_map_table_len; i++)
		if (ff_map_table[i].fd_off >= 0)
			*ff_map_fd_slot(&l->maps, &ff_map_table[i]) =
				bpf_map__fd(ff_map_handle(skel, &ff_map_table[i]));
	l->maps.loader = l;
	return 0;
fail:
	flowforest_bpf__destroy(skel);
	return -1;
}

void ff_loader_close(struct ff_loader *l)
{
	ff_loader_detach(l);
	ff_loader_native_free(l);
	if (l->skel)
		flowforest_bpf__destroy(l->skel);
	l->skel = NULL;
}

int ff_loader_counters(struct ff_loader *l, struct ff_counters *out)
{
	return ff_maps_counters(&l->maps, out);
}

__u32 ff_prog_verified_insns(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return info.verified_insns;
}
