/* SPDX-License-Identifier: MIT */
/*
 * The native forest's code: a validated model (its kernel layout, the one
 * ff_walk_tree() walks) turned into BPF instructions by flowforest itself,
 * no compiler at run time. The code is the body of the BPF function
 *
 *   int ff_forest_native(struct ff_walk *w, const struct ff_features *fv,
 *                        __u32 generation, __u32 phase)
 *
 * (bpf/flowforest.bpf.c): when `generation` is the one it was compiled for,
 * it adds phase `phase`'s trees to w->sums, each tree as nested
 * compare-and-jumps on fv->v[fid] <= threshold ending in leaves that add
 * their value(s) to the sums, and returns 0; otherwise (or a NULL pointer,
 * or an unknown phase) it returns 1 and the caller walks. The sums it
 * leaves are ff_walk_tree()'s, bit for bit: the same unsigned 64-bit
 * comparisons, the same (__s32) leaf values and classes; the emitter
 * follows each tree exactly as the walk does (masked indices, at most
 * FF_MAX_DEPTH splits) and refuses a model in which any tree would end in
 * the walk's error count.
 *
 * Every tree ends in one jump target that all its leaves reach with the
 * same live registers (sums in memory, not in registers): the verifier's
 * states there are equal and it prunes, so it checks about one instruction
 * per instruction of the code, never one per path.
 */
#ifndef FLOWFOREST_FOREST_CODEGEN_H
#define FLOWFOREST_FOREST_CODEGEN_H

#include <stddef.h>
#include <linux/bpf.h>
#include "model_file.h"

/* The largest body emitted (instructions). The verifier processes about
 * this many for it, well inside its 1,000,000 for the whole program (the
 * rest of ff_xdp is ~165,000); a larger model keeps the walk. Documented
 * in docs/design.md. */
#define FF_NATIVE_MAX_INSNS 400000

/* The body for model `m` (validated: m->knodes, m->kroots) compiled for
 * `generation`, at most `max_insns` instructions, in *out (malloc'd; the
 * caller frees) with *n instructions. -1 with a reason in `err` when the
 * model does not fit or has a tree the walk would count as an error. */
int ff_codegen_forest(const struct ff_model *m, __u32 generation, size_t max_insns,
		      struct bpf_insn **out, size_t *n, char *err, size_t errlen);

#endif
