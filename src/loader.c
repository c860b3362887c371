// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "errmsg.h"
#include "loader.h"
#include "labels.h"
#include "flowforest.skel.h"

/* tcx links (Linux 6.6+); libbpf 1.1's headers predate them. */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#define BPF_TCX_EGRESS 47
#endif
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

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
	return ff_fail(err, errlen,
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
		return ff_fail(err, errlen, "at most %d checkpoints", FF_MAX_CHECKPOINTS);

	skel = flowforest_bpf__open();
	if (!skel)
		return ff_fail(err, errlen, "cannot open the BPF object: %s", strerror(errno));
	skel->rodata->ff_cfg = o->cfg;
	skel->rodata->ff_replay_clock = o->replay_clock;
	skel->rodata->ff_export = o->export_snapshots;
	if (o->export_snapshots &&
	    bpf_map__set_max_entries(skel->maps.ff_snapshots, 4u << 20)) {
		flowforest_bpf__destroy(skel);
		return ff_fail(err, errlen, "cannot size the snapshot ring buffer");
	}
	if (o->export_evictions) {
		/* Room is made before the LRU map's own eviction could start:
		 * it keeps up to 128 free entries per CPU in reserve. */
		__u32 reserve = libbpf_num_possible_cpus() * 256 + max_flows / 32;

		if (max_flows <= reserve + 64) {
			flowforest_bpf__destroy(skel);
			return ff_fail(err, errlen, "flow table of %u entries is too small (at least %u)",
				    max_flows, reserve + 65);
		}
		skel->rodata->ff_fifo_size = max_flows;
		skel->rodata->ff_evict_at = max_flows - reserve;
		bpf_map__set_max_entries(skel->maps.ff_fifo, max_flows);
	}
	if (bpf_map__set_max_entries(skel->maps.ff_flows, max_flows)) {
		flowforest_bpf__destroy(skel);
		return ff_fail(err, errlen, "bad flow-table size %u", max_flows);
	}
	rc = flowforest_bpf__load(skel);
	if (rc) {
		libbpf_strerror(rc, msg, sizeof(msg));
		flowforest_bpf__destroy(skel);
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
	l->skel = skel;
	l->max_flows = max_flows;
	l->maps = (struct ff_maps){
		.flows = bpf_map__fd(skel->maps.ff_flows),
		.nodes = bpf_map__fd(skel->maps.ff_nodes),
		.meta = bpf_map__fd(skel->maps.ff_meta),
		.active = bpf_map__fd(skel->maps.ff_active),
		.counters = bpf_map__fd(skel->maps.ff_counters),
		.events = bpf_map__fd(skel->maps.ff_events),
		.ctl = bpf_map__fd(skel->maps.ff_ctl),
		.allow = bpf_map__fd(skel->maps.ff_allow),
		.deny = bpf_map__fd(skel->maps.ff_deny),
	};
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int ff_maps_install_model(const struct ff_maps *mp, const struct ff_model *m,
			  const __u32 *actions, bool reclassify, char *err, size_t errlen)
{
	struct ff_model check = *m;	/* validation only writes max_depth */
	struct ff_model_meta *meta, cur;
	__u32 zero = 0, active = 0, slot, gen = 0, i, s2;
	char why[256];
	int rc = -1;

	if (ff_model_validate(&check, why, sizeof(why)))
		return ff_fail(err, errlen, "refusing to install an invalid model: %s", why);
	if (bpf_map_lookup_elem(mp->active, &zero, &active))
		return ff_fail(err, errlen, "cannot read the active model slot: %s", strerror(errno));
	slot = (active & 1) ^ 1;
	for (s2 = 0; s2 < 2; s2++)	/* generations grow across processes */
		if (bpf_map_lookup_elem(mp->meta, &s2, &cur) == 0 && cur.generation > gen)
			gen = cur.generation;
	gen++;
	if (gen == 0)
		gen = 1;

	meta = calloc(1, sizeof(*meta));
	if (!meta)
		return ff_fail(err, errlen, "out of memory");
	/* 1. Mark the slot as being rewritten: a packet still walking it from
	 *    before the last swap sees the generation change and walks again. */
	if (bpf_map_lookup_elem(mp->meta, &slot, meta) == 0) {
		meta->generation = 0;
		if (bpf_map_update_elem(mp->meta, &slot, meta, BPF_ANY)) {
			ff_fail(err, errlen, "cannot write the model header: %s", strerror(errno));
			goto out;
		}
	}
	/* Let walks that started before the last swap finish (they take
	 * microseconds; BPF programs run to completion). */
	sleep_ms(2);
	/* 2. The nodes. */
	for (i = 0; i < m->n_nodes; i++) {
		__u32 key = slot * FF_MAX_NODES + i;

		if (bpf_map_update_elem(mp->nodes, &key, &m->nodes[i], BPF_ANY)) {
			ff_fail(err, errlen, "cannot write model node %u: %s", i, strerror(errno));
			goto out;
		}
	}
	/* 3. The header, with the new generation. */
	memset(meta, 0, sizeof(*meta));
	meta->n_trees = m->n_trees;
	meta->n_nodes = m->n_nodes;
	meta->n_classes = m->n_classes;
	meta->generation = gen;
	for (i = 0; i < m->n_classes; i++) {
		meta->actions[i] = actions ? actions[i] : m->actions[i];
		memcpy(meta->class_names[i], m->class_names[i], FF_CLASS_NAME_LEN);
	}
	memcpy(meta->roots, m->roots, m->n_trees * sizeof(__u32));
	if (bpf_map_update_elem(mp->meta, &slot, meta, BPF_ANY)) {
		ff_fail(err, errlen, "cannot write the model header: %s", strerror(errno));
		goto out;
	}
	/* 4. The swap: one 32-bit write. A packet reads the index once and then
	 *    uses that slot only, so it sees the old model or the new one. */
	if (bpf_map_update_elem(mp->active, &zero, &slot, BPF_ANY)) {
		ff_fail(err, errlen, "cannot activate the model: %s", strerror(errno));
		goto out;
	}
	if (reclassify) {
		struct ff_ctl ctl;

		if (bpf_map_lookup_elem(mp->ctl, &zero, &ctl) == 0) {
			ctl.reclass_gen = gen;
			bpf_map_update_elem(mp->ctl, &zero, &ctl, BPF_ANY);
		}
	}
	rc = (int)gen;
out:
	free(meta);
	return rc;
}

int ff_loader_install_model(struct ff_loader *l, const struct ff_model *m,
			    const __u32 *actions, char *err, size_t errlen)
{
	return ff_maps_install_model(&l->maps, m, actions, false, err, errlen) < 0 ? -1 : 0;
}

int ff_maps_active_meta(const struct ff_maps *mp, struct ff_model_meta *out)
{
	__u32 zero = 0, active;

	if (bpf_map_lookup_elem(mp->active, &zero, &active))
		return -1;
	active &= 1;
	return bpf_map_lookup_elem(mp->meta, &active, out);
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
			return ff_fail(err, errlen,
				    "another XDP program is already attached to this interface "
				    "(see `ip link show`); detach it first");
		if (!generic && (e == EOPNOTSUPP || e == EINVAL))
			return ff_fail(err, errlen,
				    "native XDP is not supported by this interface's driver (%s); "
				    "use --hook xdp-generic", strerror(e));
		return ff_fail(err, errlen, "attaching XDP failed: %s", strerror(e));
	}
	l->link_fd = fd;
	return 0;
}

static int attach_tc_filter(struct ff_loader *l, bool egress, char *err, size_t errlen);

static int attach_tc(struct ff_loader *l, bool egress, char *err, size_t errlen)
{
	int fd;

	/* A tcx link: detached when the last holder goes, even on kill -9. */
	fd = bpf_link_create(bpf_program__fd(l->skel->progs.ff_tc), l->ifindex,
			     egress ? BPF_TCX_EGRESS : BPF_TCX_INGRESS, NULL);
	if (fd >= 0) {
		l->link_fd = fd;
		return 0;
	}
	if (errno != EINVAL && errno != EOPNOTSUPP) {
		if (errno == EEXIST || errno == EBUSY)
			return ff_fail(err, errlen, "a TC program is already attached here: %s",
				    strerror(errno));
		return ff_fail(err, errlen, "attaching at TC failed: %s", strerror(errno));
	}
	/* Older kernels: a clsact filter, removed on exit or by
	 * `flowforest detach` after a kill -9. */
	return attach_tc_filter(l, egress, err, errlen);
}

static int attach_tc_filter(struct ff_loader *l, bool egress, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l->ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FF_TC_HANDLE, .priority = FF_TC_PRIO,
		    .prog_fd = bpf_program__fd(l->skel->progs.ff_tc));
	int rc;

	rc = bpf_tc_hook_create(&hook);
	if (rc && rc != -EEXIST)
		return ff_fail(err, errlen, "cannot create the clsact qdisc: %s", strerror(-rc));
	l->tc_hook_created = rc == 0;
	rc = bpf_tc_attach(&hook, &opts);
	if (rc) {
		if (l->tc_hook_created) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
		if (rc == -EEXIST)
			return ff_fail(err, errlen,
				    "a flowforest TC filter is already attached here; remove it with "
				    "`flowforest detach --iface IF`");
		return ff_fail(err, errlen, "attaching the TC filter failed: %s", strerror(-rc));
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
		return ff_fail(err, errlen, "cannot open a raw socket: %s", strerror(errno));
	/* Attach before bind so that no packet reaches the socket unfiltered. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		int e = errno;

		close(fd);
		return ff_fail(err, errlen, "attaching the socket filter failed: %s", strerror(e));
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
		return ff_fail(err, errlen, "unknown hook");
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
	return ff_maps_counters(&l->maps, out);
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

/* ---- allow and deny lists ---------------------------------------------- */

static int list_fd(const struct ff_maps *mp, bool deny)
{
	return deny ? mp->deny : mp->allow;
}

static void list_count(const struct ff_maps *mp, bool deny, int delta)
{
	struct ff_ctl ctl;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(mp->ctl, &zero, &ctl))
		return;
	if (deny)
		ctl.n_deny = (int)ctl.n_deny + delta < 0 ? 0 : ctl.n_deny + delta;
	else
		ctl.n_allow = (int)ctl.n_allow + delta < 0 ? 0 : ctl.n_allow + delta;
	bpf_map_update_elem(mp->ctl, &zero, &ctl, BPF_ANY);
}

int ff_maps_list_update(const struct ff_maps *mp, bool deny, const char *cidr, bool add,
			char *err, size_t errlen)
{
	struct ff_lpm_key k = {};
	struct ff_cidr c;
	__u64 zero = 0;
	int exists;

	if (ff_cidr_parse(cidr, &c))
		return ff_fail(err, errlen, "'%s' is not an IPv4 or IPv6 prefix (like 10.0.0.0/8 or fd00::/64)",
			    cidr);
	k.prefixlen = 8 + c.plen;
	k.family = c.family;
	memcpy(k.addr, c.addr, 16);
	/* host bits beyond the prefix must be zero for a clean listing */
	for (int bit = c.plen; bit < 128; bit++)
		k.addr[bit / 8] &= ~(0x80 >> (bit % 8));
	exists = bpf_map_lookup_elem(list_fd(mp, deny), &k, &zero) == 0;
	if (add) {
		if (exists)
			return 0;
		zero = 0;
		if (bpf_map_update_elem(list_fd(mp, deny), &k, &zero, BPF_ANY))
			return ff_fail(err, errlen, "cannot add %s: %s", cidr, strerror(errno));
		list_count(mp, deny, 1);
		return 0;
	}
	if (!exists)
		return ff_fail(err, errlen, "%s is not in the %s list", cidr, deny ? "deny" : "allow");
	if (bpf_map_delete_elem(list_fd(mp, deny), &k))
		return ff_fail(err, errlen, "cannot remove %s: %s", cidr, strerror(errno));
	list_count(mp, deny, -1);
	return 0;
}

int ff_maps_list_walk(const struct ff_maps *mp, bool deny,
		      void (*fn)(const char *cidr, __u64 hits, void *ctx), void *ctx)
{
	struct ff_lpm_key k, next;
	char addr[64], buf[80];
	void *prev = NULL;
	__u64 hits;
	int fd = list_fd(mp, deny);

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &hits))
			continue;
		inet_ntop(k.family == 6 ? AF_INET6 : AF_INET, k.addr, addr, sizeof(addr));
		snprintf(buf, sizeof(buf), "%s/%u", addr, k.prefixlen - 8);
		fn(buf, hits, ctx);
	}
	return 0;
}

int ff_maps_list_load(const struct ff_maps *mp, bool deny, const char *path, char *err,
		      size_t errlen)
{
	char line[256], sub[200];
	FILE *f = fopen(path, "r");
	int lineno = 0;

	if (!f)
		return ff_fail(err, errlen, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		e = strchr(s, '#');
		if (e)
			*e = 0;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (!*s)
			continue;
		if (ff_maps_list_update(mp, deny, s, true, sub, sizeof(sub))) {
			fclose(f);
			return ff_fail(err, errlen, "%s:%d: %s", path, lineno, sub);
		}
	}
	fclose(f);
	return 0;
}

/* ---- pinning ------------------------------------------------------------ */

static const char *const pinned_maps[] = {
	"ff_flows", "ff_nodes", "ff_meta", "ff_active", "ff_counters", "ff_events",
	"ff_ctl", "ff_allow", "ff_deny",
};

int ff_pin_dir(const char *ifname, char *buf, size_t len)
{
	if (!ifname[0] || strchr(ifname, '/') || strlen(ifname) >= IF_NAMESIZE)
		return -1;
	snprintf(buf, len, "%s/%s", FF_PIN_ROOT, ifname);
	return 0;
}

bool ff_pinned_exists(const char *ifname)
{
	char dir[256], path[320];

	if (ff_pin_dir(ifname, dir, sizeof(dir)))
		return false;
	snprintf(path, sizeof(path), "%s/ff_meta", dir);
	return access(path, F_OK) == 0;
}

/* /sys/fs/bpf must be a BPF filesystem; mount it if nothing is there. */
static int bpffs_ready(char *err, size_t errlen)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") == 0) {
		/* `ip netns exec` remounts /sys without it: pins made here
		 * vanish with this mount namespace */
		fprintf(stderr, "flowforest: note: mounted a BPF filesystem on /sys/fs/bpf; if this "
			"runs under `ip netns exec`, pins live only in its mount namespace (use "
			"`nsenter --net=/run/netns/NS` instead)\n");
		return 0;
	}
	return ff_fail(err, errlen,
		    "the BPF filesystem is not mounted at /sys/fs/bpf and mounting it failed (%s); "
		    "try: mount -t bpf bpf /sys/fs/bpf", strerror(errno));
}

int ff_loader_pin(struct ff_loader *l, const char *ifname, char *err, size_t errlen)
{
	char dir[256], path[320];
	size_t i;

	if (bpffs_ready(err, errlen))
		return -1;
	if (ff_pin_dir(ifname, dir, sizeof(dir)))
		return ff_fail(err, errlen, "bad interface name '%s'", ifname);
	if (ff_pinned_exists(ifname))
		return ff_fail(err, errlen,
			    "a pinned flowforest is already present on %s (%s); stop it with "
			    "`flowforest stop --iface %s`", ifname, dir, ifname);
	if ((mkdir(FF_PIN_ROOT, 0700) && errno != EEXIST) || (mkdir(dir, 0700) && errno != EEXIST))
		return ff_fail(err, errlen, "cannot create %s: %s", dir, strerror(errno));
	for (i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(l->skel->obj, pinned_maps[i]);

		snprintf(path, sizeof(path), "%s/%s", dir, pinned_maps[i]);
		if (!m || bpf_map__pin(m, path)) {
			ff_fail(err, errlen, "cannot pin %s: %s", path, strerror(errno));
			goto undo;
		}
		chmod(path, 0600);
	}
	if (l->link_fd >= 0) {
		snprintf(path, sizeof(path), "%s/link", dir);
		if (bpf_obj_pin(l->link_fd, path)) {
			ff_fail(err, errlen, "cannot pin the link at %s: %s", path, strerror(errno));
			goto undo;
		}
		chmod(path, 0600);
	} else if (l->tc_attached) {
		/* a legacy filter stays when this process exits; `flowforest
		 * detach` removes it */
		l->tc_attached = false;
		l->tc_hook_created = false;
	} else {
		ff_fail(err, errlen, "only XDP and TC attachments can be pinned (the socket hook lives "
			 "with its socket)");
		goto undo;
	}
	return 0;
undo:
	ff_pinned_stop(ifname, NULL, 0);
	return -1;
}

int ff_pinned_open(const char *ifname, struct ff_maps *mp, char *err, size_t errlen)
{
	int *fds[] = { &mp->flows, &mp->nodes, &mp->meta, &mp->active, &mp->counters,
		       &mp->events, &mp->ctl, &mp->allow, &mp->deny };
	char dir[256], path[320];
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		*fds[i] = -1;
	if (ff_pin_dir(ifname, dir, sizeof(dir)))
		return ff_fail(err, errlen, "bad interface name '%s'", ifname);
	if (!ff_pinned_exists(ifname))
		return ff_fail(err, errlen,
			    "no pinned flowforest on %s (start one with `flowforest run --iface %s "
			    "--pin ...`)", ifname, ifname);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pinned_maps[i]);
		*fds[i] = bpf_obj_get(path);
		if (*fds[i] < 0) {
			ff_fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
			ff_maps_close(mp);
			return -1;
		}
	}
	return 0;
}

void ff_maps_close(struct ff_maps *mp)
{
	int *fds[] = { &mp->flows, &mp->nodes, &mp->meta, &mp->active, &mp->counters,
		       &mp->events, &mp->ctl, &mp->allow, &mp->deny };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

int ff_pinned_stop(const char *ifname, char *err, size_t errlen)
{
	char dir[256], path[320];
	size_t i;
	int fd;

	if (ff_pin_dir(ifname, dir, sizeof(dir)))
		return err ? ff_fail(err, errlen, "bad interface name '%s'", ifname) : -1;
	if (access(dir, F_OK))
		return err ? ff_fail(err, errlen, "no pinned flowforest on %s", ifname) : -1;
	snprintf(path, sizeof(path), "%s/link", dir);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		/* Detach now, even if an agent still holds the link. */
		bpf_link_detach(fd);
		close(fd);
	}
	unlink(path);
	for (i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pinned_maps[i]);
		unlink(path);
	}
	if (rmdir(dir) && err)
		return ff_fail(err, errlen, "cannot remove %s: %s", dir, strerror(errno));
	rmdir(FF_PIN_ROOT);	/* only if empty */
	return 0;
}
