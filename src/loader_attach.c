// SPDX-License-Identifier: MIT
/*
 * Attach and detach: native or generic XDP (a link), TC (a tcx link, or a
 * clsact filter on kernels without tcx), or a socket filter on a raw
 * AF_PACKET socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "errmsg.h"
#include "loader.h"
#include "log.h"
#include "flowforest.skel.h"

/* tcx links (Linux 6.6+); libbpf 1.1's headers predate them. */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS 46
#define BPF_TCX_EGRESS 47
#endif

/* Our TC filter's identity, so cleanup removes only what we attached. */
#define FF_TC_HANDLE 0xff
#define FF_TC_PRIO 0xff

static int attach_xdp(struct ff_loader *l, bool generic, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	int fd;

	opts.flags = generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	fd = bpf_link_create(FF_PROG_FD(l, ff_xdp), l->ifindex,
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
	fd = bpf_link_create(FF_PROG_FD(l, ff_tc), l->ifindex,
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
	int fd, prog = FF_PROG_FD(l, ff_socket);

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
	int rc;

	ff_log_mute(1);		/* "no such qdisc or filter" is an answer here */
	rc = bpf_tc_detach(&hook, &opts);
	ff_log_mute(0);
	return rc;
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

