// SPDX-License-Identifier: MIT
/*
 * The forest as BPF instructions (forest_codegen.h). Layout of the body:
 *
 *   0  if w3 == GENERATION goto 3
 *   1  r0 = 1                       the walk runs
 *   2  exit
 *   3  if r1 == 0 goto 1            (global function: pointers may be NULL)
 *   4  if r2 == 0 goto 1
 *      per phase p: if w4 != p goto +1; gotol PHASE_p
 *      goto 1
 *   PHASE_p: tree, tree, ..., gotol RET0
 *   RET0: r0 = 0; exit
 *
 * A tree, in pre-order like the node array: a split loads the feature into
 * r0 and jumps to its right subtree when r0 > threshold (32-bit immediates
 * below 2^31; mov32 or ld_imm64 into r5 above), falling through to the
 * left one; a leaf adds to the sums in memory and jumps to the tree's end.
 * Offsets beyond 16 bits use gotol (BPF_JMP32 | BPF_JA, kernel 6.4+).
 */
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "forest_codegen.h"

#define R_W 1		/* struct ff_walk * */
#define R_FV 2		/* const struct ff_features * */
#define R_GEN 3
#define R_PHASE 4
#define R_TMP 0		/* the feature value, then a sum */
#define R_THR 5		/* a threshold that needs a register */

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

#define SUM_OFF(c) ((__s16)(offsetof(struct ff_walk, sums) + 8 * (c)))

struct fixup {
	size_t pos;	/* a one-instruction jump */
	size_t label;
};

struct cg {
	const struct ff_model *m;
	struct bpf_insn *insns;
	size_t n, cap, max;
	struct fixup *fix;
	size_t n_fix, cap_fix;
	size_t *labels;
	size_t n_labels;
	const char *why;	/* set on failure */
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 256;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

static int emit(struct cg *g, struct bpf_insn i)
{
	if (g->n >= g->max) {
		g->why = "the model's code would exceed the instruction cap";
		return -1;
	}
	if (grow((void **)&g->insns, &g->cap, g->n + 1, sizeof(i))) {
		g->why = "out of memory";
		return -1;
	}
	g->insns[g->n++] = i;
	return 0;
}

static size_t new_label(struct cg *g)
{
	size_t *l = realloc(g->labels, (g->n_labels + 1) * sizeof(*l));

	if (!l)
		return (size_t)-1;
	g->labels = l;
	l[g->n_labels] = (size_t)-1;
	return g->n_labels++;
}

/* A jump to `label`, resolved by resolve(): ja or gotol, one instruction. */
static int emit_jump(struct cg *g, size_t label)
{
	if (label == (size_t)-1 ||
	    grow((void **)&g->fix, &g->cap_fix, g->n_fix + 1, sizeof(*g->fix))) {
		g->why = "out of memory";
		return -1;
	}
	g->fix[g->n_fix++] = (struct fixup){ g->n, label };
	return emit(g, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
}

static void resolve(struct cg *g)
{
	size_t i;

	for (i = 0; i < g->n_fix; i++) {
		long d = (long)g->labels[g->fix[i].label] - (long)g->fix[i].pos - 1;

		if (d >= -32768 && d <= 32767)
			g->insns[g->fix[i].pos] = INSN(BPF_JMP | BPF_JA, 0, 0, (__s16)d, 0);
		else
			g->insns[g->fix[i].pos] = INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, (__s32)d);
	}
}

static const struct ff_node *node_at(const struct cg *g, __u64 idx)
{
	return &g->m->knodes[idx & (FF_MAX_NODES - 1)];
}

/* The walk's next step at `node` (ff_walk_tree, ff_walk_wide): 1 for a
 * leaf, 0 for a split (threshold and children set), -1 for a node the
 * walk cannot leave (a bad kind: it runs out of depth, an error). */
static int step(const struct cg *g, __u64 node, __u64 *thr, __u64 *left, __u64 *right)
{
	const struct ff_node *n = node_at(g, node);
	__u64 kind = n->kind, fid = kind & FF_KIND_FID_MASK;

	if (kind & FF_KIND_LEAF)
		return 1;
	*right = node + n->right;
	if (kind < FF_MAX_FEATURES) {
		*thr = n->value;
		*left = node + 1;
		return 0;
	}
	if (!(kind & FF_KIND_WIDE) || fid >= FF_MAX_FEATURES)
		return -1;
	*thr = ff_node_u64(node_at(g, node + 1));
	*left = node + 2;
	return 0;
}

/* Instructions to compare r0 with `thr` and jump when greater, given the
 * distance to the right subtree (the left one's size). */
static size_t cmp_size(__u64 thr, size_t left_size)
{
	size_t s = thr <= 0x7fffffff ? 0 : thr <= 0xffffffffULL ? 1 : 2;

	return s + (left_size > 32767 ? 2 : 1);
}

static size_t leaf_size(const struct cg *g, __u64 node)
{
	const struct ff_node *n = node_at(g, node);
	size_t s = 1, c;

	if (!(n->kind & FF_KIND_VEC))
		return n->value ? 4 : 1;
	for (c = 0; c < FF_MAX_CLASSES && c < g->m->n_classes; c++)
		s += node_at(g, node + 1 + c)->value ? 3 : 0;
	return s;
}

/* The size of the code of the subtree at `node`, `depth` splits deep;
 * (size_t)-1 for an error or past the cap. */
static size_t tree_size(struct cg *g, __u64 node, __u32 depth)
{
	__u64 thr, l, r;
	size_t ls, rs;
	int k = step(g, node, &thr, &l, &r);

	if (k == 1)
		return leaf_size(g, node);
	if (k < 0 || depth >= FF_MAX_DEPTH) {
		g->why = "a tree the walk would abandon (no leaf within 32 splits)";
		return (size_t)-1;
	}
	ls = tree_size(g, l, depth + 1);
	if (ls == (size_t)-1)
		return ls;
	rs = tree_size(g, r, depth + 1);
	if (rs == (size_t)-1)
		return rs;
	if (ls + rs + 4 > g->max) {
		g->why = "the model's code would exceed the instruction cap";
		return (size_t)-1;
	}
	return 1 + cmp_size(thr, ls) + ls + rs;
}

/* sums[c] += v, in memory: r0 = sums[c]; r0 += v; sums[c] = r0. */
static int emit_add(struct cg *g, __u32 c, __u32 v)
{
	if (!v)
		return 0;
	if (emit(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, R_TMP, R_W, SUM_OFF(c), 0)) ||
	    emit(g, INSN(BPF_ALU64 | BPF_ADD | BPF_K, R_TMP, 0, 0, (__s32)v)))
		return -1;
	return emit(g, INSN(BPF_STX | BPF_MEM | BPF_DW, R_W, R_TMP, SUM_OFF(c), 0));
}

static int emit_leaf(struct cg *g, __u64 node, size_t end)
{
	const struct ff_node *n = node_at(g, node);
	__u32 c;

	if (!(n->kind & FF_KIND_VEC)) {
		if (emit_add(g, n->kind & (FF_MAX_CLASSES - 1), n->value))
			return -1;
	} else {
		for (c = 0; c < FF_MAX_CLASSES && c < g->m->n_classes; c++)
			if (emit_add(g, c, node_at(g, node + 1 + c)->value))
				return -1;
	}
	return emit_jump(g, end);
}

/* if r0 > thr goto +dist (dist: the left subtree's size). */
static int emit_cmp(struct cg *g, __u64 thr, size_t dist)
{
	int src = BPF_K, wide = dist > 32767;

	if (thr > 0xffffffffULL) {
		if (emit(g, INSN(BPF_LD | BPF_DW | BPF_IMM, R_THR, 0, 0, (__u32)thr)) ||
		    emit(g, INSN(0, 0, 0, 0, (__u32)(thr >> 32))))
			return -1;
		src = BPF_X;
	} else if (thr > 0x7fffffff) {
		/* mov32 zero-extends: r5 = thr exactly (an imm would be sign-extended) */
		if (emit(g, INSN(BPF_ALU | BPF_MOV | BPF_K, R_THR, 0, 0, (__s32)(__u32)thr)))
			return -1;
		src = BPF_X;
	}
	if (!wide)
		return emit(g, INSN(BPF_JMP | BPF_JGT | src, R_TMP, src == BPF_X ? R_THR : 0,
				    (__s16)dist, src == BPF_X ? 0 : (__s32)thr));
	/* far: if r0 <= thr skip the gotol over the left subtree */
	if (emit(g, INSN(BPF_JMP | BPF_JLE | src, R_TMP, src == BPF_X ? R_THR : 0, 1,
			 src == BPF_X ? 0 : (__s32)thr)))
		return -1;
	return emit(g, INSN(BPF_JMP32 | BPF_JA, 0, 0, 0, (__s32)dist));
}

static int emit_tree(struct cg *g, __u64 node, __u32 depth, size_t end)
{
	__u64 thr, l, r, fid;
	size_t ls;
	int k = step(g, node, &thr, &l, &r);

	if (k == 1)
		return emit_leaf(g, node, end);
	if (k < 0 || depth >= FF_MAX_DEPTH) {
		g->why = "a tree the walk would abandon (no leaf within 32 splits)";
		return -1;
	}
	ls = tree_size(g, l, depth + 1);
	if (ls == (size_t)-1)
		return -1;
	fid = node_at(g, node)->kind & FF_KIND_FID_MASK;
	if (emit(g, INSN(BPF_LDX | BPF_MEM | BPF_DW, R_TMP, R_FV,
			 (__s16)(offsetof(struct ff_features, v) + 8 * fid), 0)) ||
	    emit_cmp(g, thr, ls) || emit_tree(g, l, depth + 1, end))
		return -1;
	return emit_tree(g, r, depth + 1, end);
}

/* The trees of one phase, each ending at its own label. */
static int emit_phase(struct cg *g, const struct ff_phase *ph, size_t ret0)
{
	__u32 t;

	for (t = ph->first_tree; t < ph->first_tree + ph->n_trees && t < FF_MAX_TREES; t++) {
		size_t end = new_label(g);

		if (end == (size_t)-1 || emit_tree(g, g->m->kroots[t], 0, end))
			return -1;
		g->labels[end] = g->n;
	}
	return emit_jump(g, ret0);
}

static int emit_body(struct cg *g, __u32 generation)
{
	size_t phase_l[FF_MAX_PHASES], ret0 = new_label(g);
	__u32 p, np = g->m->n_phases < FF_MAX_PHASES ? g->m->n_phases : FF_MAX_PHASES;

	if (emit(g, INSN(BPF_JMP32 | BPF_JEQ | BPF_K, R_GEN, 0, 2, (__s32)generation)) ||
	    emit(g, INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1)) ||
	    emit(g, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)) ||
	    emit(g, INSN(BPF_JMP | BPF_JEQ | BPF_K, R_W, 0, -3, 0)) ||
	    emit(g, INSN(BPF_JMP | BPF_JEQ | BPF_K, R_FV, 0, -4, 0)))
		return -1;
	for (p = 0; p < np; p++) {
		phase_l[p] = new_label(g);
		if (emit(g, INSN(BPF_JMP32 | BPF_JNE | BPF_K, R_PHASE, 0, 1, (__s32)p)) ||
		    emit_jump(g, phase_l[p]))
			return -1;
	}
	/* an unknown phase: back to "r0 = 1" */
	if (emit(g, INSN(BPF_JMP | BPF_JA, 0, 0, (__s16)(0 - (long)g->n), 0)))
		return -1;
	for (p = 0; p < np; p++) {
		g->labels[phase_l[p]] = g->n;
		if (emit_phase(g, &g->m->phases[p], ret0))
			return -1;
	}
	g->labels[ret0] = g->n;
	if (emit(g, INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0)) ||
	    emit(g, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)))
		return -1;
	resolve(g);
	return 0;
}

int ff_codegen_forest(const struct ff_model *m, __u32 generation, size_t max_insns,
		      struct bpf_insn **out, size_t *n, char *err, size_t errlen)
{
	struct cg g = { .m = m, .max = max_insns };
	int rc;

	*out = NULL;
	*n = 0;
	if (!m->knodes)
		return ff_fail(err, errlen, "the model has no kernel layout (not validated)");
	rc = emit_body(&g, generation);
	free(g.fix);
	free(g.labels);
	if (rc) {
		free(g.insns);
		return ff_fail(err, errlen, "no native forest: %s",
			       g.why ? g.why : "out of memory");
	}
	*out = g.insns;
	*n = g.n;
	return 0;
}
