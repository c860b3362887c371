// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "flowforest.skel.h"

/* Our TC filter's identity, so cleanup removes only what we attached. */
#define FF_TC_HANDLE 0xff
#define FF_TC_PRIO 0xff

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

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* CapEff from /proc/self/status; 0 if unreadable. */
static unsigned long long cap_effective(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

int ff_check_privileges(char *err, size_t errlen)
{
	unsigned long long caps = cap_effective();
	const unsigned long long sys_admin = 1ULL << 21, net_admin = 1ULL << 12,
				 bpf = 1ULL << 39;

	if (caps & sys_admin)
		return 0;
	if ((caps & bpf) && (caps & net_admin))
		return 0;
	return fail(err, errlen,
		    "not enough privileges: loading and attaching BPF programs needs root "
		    "(or CAP_BPF and CAP_NET_ADMIN); try: sudo flowforest ...");
}

int ff_loader_open(struct ff_loader *l, const struct ff_load_opts *o,
		   char *err, size_t errlen)
{
	struct flowforest_bpf *skel;
	__u32 max_flows = o->max_flows ? o->max_flows : 65536;
	char msg[128];
	int rc;

	memset(l, 0, sizeof(*l));
	l->link_fd = -1;
	l->sock_fd = -1;
	l->hook = FF_HOOK_NONE;

	if (o->cfg.n_checkpoints > FF_MAX_CHECKPOINTS)
		return fail(err, errlen, "at most %d checkpoints", FF_MAX_CHECKPOINTS);

	skel = flowforest_bpf__open();
	if (!skel)
		return fail(err, errlen, "cannot open the BPF object: %s", strerror(errno));
	skel->rodata->ff_cfg = o->cfg;
	skel->rodata->ff_replay_clock = o->replay_clock;
	skel->rodata->ff_export = o->export_snapshots;
	if (o->export_snapshots &&
	    bpf_map__set_max_entries(skel->maps.ff_snapshots, 4u << 20)) {
		flowforest_bpf__destroy(skel);
		return fail(err, errlen, "cannot size the snapshot ring buffer");
	}
	if (bpf_map__set_max_entries(skel->maps.ff_flows, max_flows)) {
		flowforest_bpf__destroy(skel);
		return fail(err, errlen, "bad flow-table size %u", max_flows);
	}
	rc = flowforest_bpf__load(skel);
	if (rc) {
		libbpf_strerror(rc, msg, sizeof(msg));
		flowforest_bpf__destroy(skel);
		if (rc == -EPERM || rc == -EACCES)
			return fail(err, errlen,
				    "the kernel refused to load the BPF programs (%s): run as root "
				    "(or with CAP_BPF and CAP_NET_ADMIN)", msg);
		if (rc == -ENOMEM || rc == -E2BIG)
			return fail(err, errlen,
				    "cannot allocate the BPF maps (%s): is the flow table (%u entries) too large?",
				    msg, max_flows);
		return fail(err, errlen, "loading the BPF programs failed: %s", msg);
	}
	l->skel = skel;
	return 0;
}

int ff_loader_install_model(struct ff_loader *l, const struct ff_model *m,
			    const __u32 *actions, char *err, size_t errlen)
{
	struct ff_model_meta *meta;
	__u32 zero = 0, active = 0, slot, i;
	int nodes_fd = bpf_map__fd(l->skel->maps.ff_nodes);
	int meta_fd = bpf_map__fd(l->skel->maps.ff_meta);
	int active_fd = bpf_map__fd(l->skel->maps.ff_active);

	struct ff_model check = *m;	/* validation only writes max_depth */
	char why[256];

	if (ff_model_validate(&check, why, sizeof(why)))
		return fail(err, errlen, "refusing to install an invalid model: %s", why);
	if (bpf_map_lookup_elem(active_fd, &zero, &active))
		return fail(err, errlen, "cannot read the active model slot: %s", strerror(errno));
	slot = (active & 1) ^ 1;

	/* Nodes first, in one batch where the kernel allows it. */
	for (i = 0; i < m->n_nodes; i++) {
		__u32 key = slot * FF_MAX_NODES + i;

		if (bpf_map_update_elem(nodes_fd, &key, &m->nodes[i], BPF_ANY))
			return fail(err, errlen, "cannot write model node %u: %s", i, strerror(errno));
	}
	meta = calloc(1, sizeof(*meta));
	if (!meta)
		return fail(err, errlen, "out of memory");
	meta->n_trees = m->n_trees;
	meta->n_nodes = m->n_nodes;
	meta->n_classes = m->n_classes;
	meta->generation = ++l->generation;
	for (i = 0; i < m->n_classes; i++)
		meta->actions[i] = actions ? actions[i] : m->actions[i];
	memcpy(meta->roots, m->roots, m->n_trees * sizeof(__u32));
	if (bpf_map_update_elem(meta_fd, &slot, meta, BPF_ANY)) {
		free(meta);
		return fail(err, errlen, "cannot write the model header: %s", strerror(errno));
	}
	free(meta);
	/* The swap: one 32-bit write. A packet reads the index once and then
	 * uses that slot only, so it sees the old model or the new one. */
	if (bpf_map_update_elem(active_fd, &zero, &slot, BPF_ANY))
		return fail(err, errlen, "cannot activate the model: %s", strerror(errno));
	return 0;
}

static int attach_xdp(struct ff_loader *l, bool generic, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd;

	opts.flags = generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(bpf_program__fd(l->skel->progs.ff_xdp), l->ifindex,
			     BPF_XDP, &opts);
	if (fd < 0) {
		int e = errno;

		if (e == EBUSY || e == EEXIST)
			return fail(err, errlen,
				    "another XDP program is already attached to this interface "
				    "(see `ip link show`); detach it first");
		if (!generic && (e == EOPNOTSUPP || e == EINVAL))
			return fail(err, errlen,
				    "native XDP is not supported by this interface's driver (%s); "
				    "use --hook xdp-generic", strerror(e));
		return fail(err, errlen, "attaching XDP failed: %s", strerror(e));
	}
	l->link_fd = fd;
	return 0;
}

static int attach_tc(struct ff_loader *l, bool egress, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l->ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FF_TC_HANDLE, .priority = FF_TC_PRIO,
		    .prog_fd = bpf_program__fd(l->skel->progs.ff_tc));
	int rc;

	rc = bpf_tc_hook_create(&hook);
	if (rc && rc != -EEXIST)
		return fail(err, errlen, "cannot create the clsact qdisc: %s", strerror(-rc));
	l->tc_hook_created = rc == 0;
	rc = bpf_tc_attach(&hook, &opts);
	if (rc) {
		if (l->tc_hook_created) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
		if (rc == -EEXIST)
			return fail(err, errlen,
				    "a flowforest TC filter is already attached here; remove it with "
				    "`flowforest detach --iface IF`");
		return fail(err, errlen, "attaching the TC filter failed: %s", strerror(-rc));
	}
	l->tc_attached = true;
	return 0;
}

static int attach_socket(struct ff_loader *l, char *err, size_t errlen)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = l->ifindex,
	};
	int fd, prog = bpf_program__fd(l->skel->progs.ff_socket);

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return fail(err, errlen, "cannot open a raw socket: %s", strerror(errno));
	/* Attach before bind so that no packet reaches the socket unfiltered. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		int e = errno;

		close(fd);
		return fail(err, errlen, "attaching the socket filter failed: %s", strerror(e));
	}
	l->sock_fd = fd;
	return 0;
}

int ff_loader_attach(struct ff_loader *l, enum ff_hook hook, int ifindex,
		     char *err, size_t errlen)
{
	int rc;

	l->ifindex = ifindex;
	switch (hook) {
	case FF_HOOK_XDP:
	case FF_HOOK_XDP_GENERIC:
		rc = attach_xdp(l, hook == FF_HOOK_XDP_GENERIC, err, errlen);
		break;
	case FF_HOOK_TC_INGRESS:
	case FF_HOOK_TC_EGRESS:
		rc = attach_tc(l, hook == FF_HOOK_TC_EGRESS, err, errlen);
		break;
	case FF_HOOK_SOCKET:
		rc = attach_socket(l, err, errlen);
		break;
	default:
		return fail(err, errlen, "unknown hook");
	}
	if (!rc)
		l->hook = hook;
	return rc;
}

int ff_tc_cleanup(int ifindex, bool egress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FF_TC_HANDLE, .priority = FF_TC_PRIO);

	return bpf_tc_detach(&hook, &opts);
}

void ff_loader_detach(struct ff_loader *l)
{
	if (l->link_fd >= 0) {
		close(l->link_fd);	/* the link goes, and the XDP program with it */
		l->link_fd = -1;
	}
	if (l->sock_fd >= 0) {
		close(l->sock_fd);
		l->sock_fd = -1;
	}
	if (l->tc_attached) {
		ff_tc_cleanup(l->ifindex, l->hook == FF_HOOK_TC_EGRESS);
		l->tc_attached = false;
		if (l->tc_hook_created) {
			LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l->ifindex,
				    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

			bpf_tc_hook_destroy(&hook);
			l->tc_hook_created = false;
		}
	}
	l->hook = FF_HOOK_NONE;
}

void ff_loader_close(struct ff_loader *l)
{
	ff_loader_detach(l);
	if (l->skel)
		flowforest_bpf__destroy(l->skel);
	l->skel = NULL;
}

int ff_loader_counters(struct ff_loader *l, struct ff_counters *out)
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
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.ff_counters), &zero, per)) {
		free(per);
		return -1;
	}
	for (i = 0; i < ncpu; i++)
		for (k = 0; k < nwords; k++)
			((__u64 *)out)[k] += ((__u64 *)&per[i])[k];
	free(per);
	return 0;
}

int ff_loader_prog_fd(struct ff_loader *l, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(l->skel->obj, name);

	return p ? bpf_program__fd(p) : -1;
}

int ff_loader_map_fd(struct ff_loader *l, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(l->skel->obj, name);

	return m ? bpf_map__fd(m) : -1;
}

__u32 ff_loader_verified_insns(struct ff_loader *l, const char *prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = ff_loader_prog_fd(l, prog);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.verified_insns;
}
