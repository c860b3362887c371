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
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "forest_codegen.h"
#include "forest_native.h"
#include "loader.h"
#include "flowforest.skel.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

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
	double t0 = now_ms(), t1;

	if (old_hook >= 0)
		n->fd[h] = -1;	/* still at the hook: closed once replaced */
	native_drop(n);
	n->why[0] = 0;
	n->code_ms = n->load_ms = 0;
	if (n->off)
		snprintf(n->why, sizeof(n->why), "turned off (--no-native-forest)");
	else if (!ff_codegen_forest(m, gen, FF_NATIVE_MAX_INSNS, &n->body, &n->n_body, n->why,
				    sizeof(n->why)))
		n->generation = gen;
	t1 = now_ms();
	n->code_ms = t1 - t0;
	if (h >= 0) {
		fd = native_build(l, h);
		n->load_ms = now_ms() - t1;
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
