/* SPDX-License-Identifier: MIT */
/*
 * The native forest in the kernel (forest_native.c): a copy of a loaded
 * hook program with the model's code (forest_codegen.h) as the body of its
 * ff_forest_native() stub.
 */
#ifndef FLOWFOREST_FOREST_NATIVE_H
#define FLOWFOREST_FOREST_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>

#define FF_NATIVE_LOG (1u << 22)	/* verifier log, to say why a load failed */

struct bpf_program;

struct ff_native_prog {
	int fd;			/* the loaded copy, -1: none */
	__u32 insns;		/* the forest's code */
	__u32 verified_insns;	/* the verifier's, for the whole copy */
};

/* Load a copy of `prog` (loaded by libbpf, still open) whose stub body is
 * `body`. 0 with out->fd, or -1 with a reason. */
int ff_native_load(const struct bpf_program *prog, const struct bpf_insn *body, size_t bn,
		   struct ff_native_prog *out, char *err, size_t errlen);

/* What runs in program `prog_fd` (the one at a hook, any process): the
 * native forest (its generation and instructions, as the kernel holds
 * them after verification) or the walk. 0, or -1 if the program has no
 * stub (not flowforest's, or older). */
struct ff_native_info {
	bool attached;
	__u32 generation;	/* of the model compiled in */
	__u32 insns;		/* the forest's code, translated */
	__u32 verified_insns;	/* the whole program's */
};
int ff_native_probe(int prog_fd, struct ff_native_info *out);

#endif
