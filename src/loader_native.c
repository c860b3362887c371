// SPDX-License-Identifier: MIT
/*
 * The native forest of a loaded object (struct ff_native): at every model
 * install, the model's code (forest_codegen.c), and copies of the programs
 * that run it with that code inside (forest_native.c); the attached hook's
 * copy replaces the program at the hook (bpf_link_update for XDP and tcx
 * links, SO_ATTACH_BPF again for the socket). A model the emitter refuses,
 * or a copy the kernel refuses, leaves the walk: the object's own program.
 *
 * Correct whichever program runs: the code answers only for the generation
 * it was compiled for, and the walk runs for any other (a swap from
 * another process through the pins: `flowforest model load`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "forest_codegen.h"
#include "clock.h"
#include "forest_native.h"
#include "loader.h"
#include "flowforest.skel.h"

/* The programs with the stub, by index into ff_native.fd. */
static const struct bpf_program *native_prog(const struct ff_loader *l, int i)
{
	switch (i) {
	case 0:
		return l->skel->progs.ff_xdp;
	case 1:
		return l->skel->progs.ff_tc;
	case 2:
		return l->skel->progs.ff_socket;
	case 3:
		return l->skel->progs.ff_infer;
	}
	return NULL;
}

static int native_index(const struct ff_loader *l, const struct bpf_program *p)
{
	int i;

	for (i = 0; i < FF_NATIVE_PROGS; i++)
		if (native_prog(l, i) == p)
			return i;
	return -1;
}

/* The index of the program at the attached hook, or -1. */
static int hook_index(const struct ff_loader *l)
{
	switch (l->hook) {
	case FF_HOOK_XDP:
	case FF_HOOK_XDP_GENERIC:
		return 0;
	case FF_HOOK_TC_INGRESS:
	case FF_HOOK_TC_EGRESS:
		return l->link_fd >= 0 ? 1 : -1;	/* a legacy filter keeps the walk */
	case FF_HOOK_SOCKET:
		return 2;
	default:
		return -1;
	}
}

int ff_loader_hook_prog_fd(const struct ff_loader *l)
{
	int h = hook_index(l);

	if (h < 0)
		return l->hook == FF_HOOK_NONE || !l->skel ? -1 :
			bpf_program__fd(l->skel->progs.ff_tc);	/* a legacy TC filter */
	return l->native.fd[h] >= 0 ? l->native.fd[h] : bpf_program__fd(native_prog(l, h));
}

/* Put program `fd` at the hook in place of what runs there. */
static int hook_replace(struct ff_loader *l, int fd)
{
	if (l->hook == FF_HOOK_SOCKET)
		return setsockopt(l->sock_fd, SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof(fd));
	return bpf_link_update(l->link_fd, fd, NULL);
}

/* Build copy i from the current body (once). */
static int native_build(struct ff_loader *l, int i)
{
	struct ff_native *n = &l->native;
	struct ff_native_prog np;
	char err[240];

	if (n->fd[i] != -1 || !n->body)
		return n->fd[i];
	if (ff_native_load(native_prog(l, i), n->body, n->n_body, &np, err, sizeof(err))) {
		snprintf(n->why, sizeof(n->why), "%s", err);
		n->fd[i] = -2;
		return -2;
	}
	n->fd[i] = np.fd;
	n->verified[i] = np.verified_insns;
	return np.fd;
}

int ff_loader_prog_fd(struct ff_loader *l, const struct bpf_program *prog)
{
	int i = native_index(l, prog), fd;

	if (i < 0)
		return bpf_program__fd(prog);
	fd = native_build(l, i);
	return fd >= 0 ? fd : bpf_program__fd(prog);
}

/* Forget the copies (after the hook runs something else). */
static void native_drop(struct ff_native *n)
{
	int i;

	for (i = 0; i < FF_NATIVE_PROGS; i++) {
		if (n->fd[i] >= 0)
			close(n->fd[i]);
		n->fd[i] = -1;
		n->verified[i] = 0;
	}
	free(n->body);
	n->body = NULL;
	n->n_body = 0;
	n->generation = 0;
}

void ff_loader_native_install(struct ff_loader *l, const struct ff_model *m, __u32 gen)
{
	struct ff_native *n = &l->native;
	int h = hook_index(l), old_hook = h >= 0 ? n->fd[h] : -1, fd = -1;
	double t0 = ff_mono_ms(), t1;

	if (old_hook >= 0)
		n->fd[h] = -1;	/* still at the hook: closed once replaced */
	native_drop(n);
	n->why[0] = 0;
	n->code_ms = n->load_ms = 0;
	if (n->off)
		snprintf(n->why, sizeof(n->why), "turned off (--no-native-forest)");
	else if (!ff_codegen_forest(m, gen, n->max_insns ? n->max_insns : FF_NATIVE_MAX_INSNS,
				    &n->body, &n->n_body, n->why, sizeof(n->why)))
		n->generation = gen;
	t1 = ff_mono_ms();
	n->code_ms = t1 - t0;
	if (h >= 0) {
		fd = native_build(l, h);
		n->load_ms = ff_mono_ms() - t1;
		/* the new copy, or the object's own program (the walk) */
		if (hook_replace(l, fd >= 0 ? fd : bpf_program__fd(native_prog(l, h)))) {
			snprintf(n->why, sizeof(n->why), "cannot replace the program at the hook: %s",
				 strerror(errno));
			if (fd >= 0)
				close(fd);
			n->fd[h] = -2;
			fd = -1;
		}
	}
	if (old_hook >= 0)
		close(old_hook);	/* if still attached, the hook holds its own reference */
}

void ff_loader_native_free(struct ff_loader *l)
{
	native_drop(&l->native);
}

/* ---- a classifier pinned by another process ------------------------------ */

/* The running program's map of each name reused by `skel`: the program
 * loaded again works on the running classifier's state. */
static int reuse_maps(struct flowforest_bpf *skel, int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64], i;
	struct bpf_map *map;
	int rc = 0;

	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) || info.nr_map_ids > 64)
		return -1;
	for (i = 0; i < info.nr_map_ids && !rc; i++) {
		struct bpf_map_info mi = {};
		__u32 ml = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &ml)) {
			rc = -1;
		} else {
			bpf_object__for_each_map(map, skel->obj)
				if (!strncmp(bpf_map__name(map), mi.name, BPF_OBJ_NAME_LEN - 1))
					rc = bpf_map__reuse_fd(map, fd);
		}
		if (fd >= 0)
			close(fd);
	}
	return rc;
}

/* Which of the programs with the stub runs at the link (by name). */
static int prog_index_named(const struct ff_loader *l, const char *name)
{
	int i;

	for (i = 0; i < FF_NATIVE_PROGS; i++)
		if (!strncmp(bpf_program__name(native_prog(l, i)), name, BPF_OBJ_NAME_LEN - 1))
			return i;
	return -1;
}

/* A BTF object's bytes (malloc'd), or NULL. */
static void *btf_bytes(__u32 id, __u32 *size)
{
	struct bpf_btf_info info = {};
	__u32 len = sizeof(info);
	void *buf = NULL;
	int fd = bpf_btf_get_fd_by_id(id);

	if (fd < 0)
		return NULL;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && (buf = malloc(info.btf_size))) {
		*size = info.btf_size;
		memset(&info, 0, sizeof(info));
		info.btf = (__u64)(unsigned long)buf;
		info.btf_size = *size;
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			free(buf);
			buf = NULL;
		}
	}
	close(fd);
	return buf;
}

/* Do two programs come from the same object? Their BTF (types, function
 * names and the source lines of the line info) is the same: the running
 * program may be a native copy, whose instructions (tag) differ. */
static bool same_btf(__u32 a, __u32 b)
{
	__u32 la = 0, lb = 0;
	void *x = btf_bytes(a, &la), *y = btf_bytes(b, &lb);
	bool same = x && y && la == lb && !memcmp(x, y, la);

	free(x);
	free(y);
	return same;
}

/* Load the program running at the link again (only it) on the running
 * maps, into l: the same code, or -1. */
static int reload_running(struct ff_loader *l, int prog_fd, char *why, size_t len)
{
	struct bpf_prog_info a = {}, b = {};
	__u32 la = sizeof(a), lb = sizeof(b);
	struct bpf_program *p;
	int i;

	if (bpf_obj_get_info_by_fd(prog_fd, &a, &la))
		return snprintf(why, len, "cannot read the running program"), -1;
	l->skel = flowforest_bpf__open();
	if (!l->skel)
		return snprintf(why, len, "cannot open the BPF object"), -1;
	i = prog_index_named(l, a.name);
	if (i < 0 || reuse_maps(l->skel, prog_fd))
		return snprintf(why, len, "the running program is not one this flowforest knows"), -1;
	bpf_object__for_each_program(p, l->skel->obj)
		bpf_program__set_autoload(p, p == native_prog(l, i));
	if (flowforest_bpf__load(l->skel))
		return snprintf(why, len, "cannot load the program again: %s", strerror(errno)), -1;
	if (bpf_obj_get_info_by_fd(bpf_program__fd(native_prog(l, i)), &b, &lb) ||
	    !same_btf(a.btf_id, b.btf_id))
		return snprintf(why, len, "the running program is another flowforest's (restart "
				"it to use the native forest)"), -1;
	return i;
}

int ff_pinned_native_install(struct ff_maps *mp, const struct ff_model *m, __u32 gen)
{
	struct ff_loader l = {};
	int prog = ff_pinned_prog_fd(mp->iface), i, fd = -1, rc = -1;
	char dir[256], path[320];

	for (i = 0; i < FF_NATIVE_PROGS; i++)
		l.native.fd[i] = -1;
	l.native.off = mp->no_native;
	l.link_fd = -1;
	mp->native_note[0] = 0;
	if (prog < 0 || ff_pin_dir(mp->iface, dir, sizeof(dir))) {
		snprintf(mp->native_note, sizeof(mp->native_note), "no pinned link");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/link", dir);
	l.link_fd = bpf_obj_get(path);
	i = reload_running(&l, prog, mp->native_note, sizeof(mp->native_note));
	if (i < 0 || l.link_fd < 0)
		goto out;
	if (!l.native.off && !ff_codegen_forest(m, gen, FF_NATIVE_MAX_INSNS, &l.native.body,
						&l.native.n_body, l.native.why,
						sizeof(l.native.why)))
		fd = native_build(&l, i);
	if (bpf_link_update(l.link_fd, fd >= 0 ? fd : bpf_program__fd(native_prog(&l, i)), NULL)) {
		snprintf(mp->native_note, sizeof(mp->native_note),
			 "cannot replace the program at the link: %s", strerror(errno));
		goto out;
	}
	rc = 0;
	if (fd >= 0)
		snprintf(mp->native_note, sizeof(mp->native_note),
			 "native forest: %zu instructions, program verified in %u", l.native.n_body,
			 l.native.verified[i]);
	else
		snprintf(mp->native_note, sizeof(mp->native_note), "the walk runs: %s",
			 l.native.off ? "--no-native-forest" : l.native.why);
out:
	if (prog >= 0)
		close(prog);
	if (l.link_fd >= 0)
		close(l.link_fd);
	native_drop(&l.native);
	if (l.skel)
		flowforest_bpf__destroy(l.skel);
	return rc;
}
