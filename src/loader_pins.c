// SPDX-License-Identifier: MIT
/*
 * Pins under FF_PIN_ROOT/IFACE: the operator maps (the map table's pinned
 * entries) and the link, so that later commands (`stats`, `model load`,
 * `allow`, `stop`) reach a running classifier; and the bpffs they live on.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "errmsg.h"
#include "ifname.h"
#include "loader_maps.h"
#include "flowforest.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

int ff_pin_dir(const char *ifname, char *buf, size_t len)
{
	/* the CLI checked already; no caller builds a path from a name
	 * that is not one path component ("..": the bpffs root) */
	if (ff_ifname_check(ifname, NULL, 0))
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
	for (i = 0; i < ff_map_table_len; i++) {
		const struct ff_map_desc *d = &ff_map_table[i];

		if (d->fd_off < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->name);
		if (bpf_map__pin(ff_map_handle(l->skel, d), path)) {
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
	char dir[256], path[320];
	size_t i;

	ff_maps_init(mp);
	if (ff_pin_dir(ifname, dir, sizeof(dir)))
		return ff_fail(err, errlen, "bad interface name '%s'", ifname);
	if (!ff_pinned_exists(ifname))
		return ff_fail(err, errlen,
			    "no pinned flowforest on %s (start one with `flowforest run --iface %s "
			    "--pin ...`)", ifname, ifname);
	for (i = 0; i < ff_map_table_len; i++) {
		const struct ff_map_desc *d = &ff_map_table[i];
		int *fd;

		if (d->fd_off < 0)
			continue;
		fd = ff_map_fd_slot(mp, d);
		snprintf(path, sizeof(path), "%s/%s", dir, d->name);
		*fd = bpf_obj_get(path);
		if (*fd < 0) {
			ff_fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
			ff_maps_close(mp);
			return -1;
		}
	}
	snprintf(mp->iface, sizeof(mp->iface), "%s", ifname);
	return 0;
}

int ff_pinned_prog_fd(const char *ifname)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char dir[256], path[320];
	int link, fd = -1;

	if (ff_pin_dir(ifname, dir, sizeof(dir)))
		return -1;
	snprintf(path, sizeof(path), "%s/link", dir);
	link = bpf_obj_get(path);
	if (link < 0)
		return -1;
	if (!bpf_obj_get_info_by_fd(link, &info, &len))
		fd = bpf_prog_get_fd_by_id(info.prog_id);
	close(link);
	return fd;
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
	for (i = 0; i < ff_map_table_len; i++) {
		if (ff_map_table[i].fd_off < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, ff_map_table[i].name);
		unlink(path);
	}
	if (rmdir(dir) && err)
		return ff_fail(err, errlen, "cannot remove %s: %s", dir, strerror(errno));
	rmdir(FF_PIN_ROOT);	/* only if empty */
	return 0;
}
