/* SPDX-License-Identifier: MIT */
/*
 * Synthetic forests for the benchmarks.
 *
 * comb_forest(): every walk is exactly `depth` splits long. Each tree is a
 * comb (each split has a leaf on the right and the rest of the tree on the
 * left) with the largest threshold, so every sample goes left to the
 * bottom: the most expensive walk a tree of that depth can cost. Features
 * are drawn at random, so walks read the whole vector. Leaves vote for
 * random classes of 4, all with action pass.
 */
#ifndef FLOWFOREST_BENCH_FOREST_H
#define FLOWFOREST_BENCH_FOREST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features_info.h"
#include "model_file.h"

static __u64 forest_rng = 88172645463325252ULL;

static inline __u64 forest_rnd(void)
{
	forest_rng ^= forest_rng << 13;
	forest_rng ^= forest_rng >> 7;
	forest_rng ^= forest_rng << 17;
	return forest_rng;
}

/* Check the model and lay out its kernel nodes once, as loading a model
 * file does: user space's ff_model_run() lays out a model built by hand at
 * every call (a megabyte cleared per run), which is not what it costs. */
static inline int forest_layout(struct ff_model *m)
{
	if (ff_model_validate(m, NULL, 0)) {
		ff_model_free(m);
		return -1;
	}
	return 0;
}

static inline int comb_forest(struct ff_model *m, int trees, int depth)
{
	int t, d, i, per = 2 * depth + 1;

	memset(m, 0, sizeof(*m));
	if ((long)trees * per > FF_MAX_NODES || trees > FF_MAX_TREES)
		return -1;
	m->n_features = FF_NUM_FEATURES;
	for (i = 0; i < FF_NUM_FEATURES; i++)
		m->feature_ids[i] = i;
	m->n_classes = 4;
	for (i = 0; i < 4; i++)
		snprintf(m->class_names[i], FF_NAME_MAX, "c%d", i);
	m->n_trees = trees;
	m->n_nodes = trees * per;
	m->nodes = calloc(m->n_nodes, sizeof(*m->nodes));
	if (!m->nodes)
		return -1;
	for (t = 0; t < trees; t++) {
		__u32 base = t * per;

		m->roots[t] = base;
		for (d = 0; d < depth; d++) {
			struct ff_xnode *n = &m->nodes[base + 2 * d];
			struct ff_xnode *leaf = &m->nodes[base + 2 * d + 1];

			n->feature = forest_rnd() % FF_NUM_FEATURES;
			n->threshold = ~0ULL;
			n->left = base + 2 * d + 2;
			n->right = base + 2 * d + 1;
			leaf->feature = FF_NODE_LEAF;
			leaf->left = forest_rnd() % 4;
			leaf->right = 1;
		}
		m->nodes[base + 2 * depth].feature = FF_NODE_LEAF;
		m->nodes[base + 2 * depth].left = forest_rnd() % 4;
		m->nodes[base + 2 * depth].right = 1;
	}
	return forest_layout(m);
}

/* The splits of `m` on a context feature (ctx_*) moved to flow features
 * drawn at random: the same walks, a model that reads no context. */
static inline void forest_no_ctx(struct ff_model *m)
{
	__u32 t;

	for (t = 0; t < m->n_nodes; t++)
		while (m->nodes[t].feature < FF_NUM_FEATURES &&
		       !strcmp(ff_feature_table[m->nodes[t].feature].dir, "ctx"))
			m->nodes[t].feature = forest_rnd() % FF_NUM_FEATURES;
}

/* comb_forest() reading no context (forest_no_ctx()): what the context,
 * counted at every packet and read at every checkpoint, costs. The random
 * sequence of the other forests is left as it was. */
static inline int comb_forest_no_ctx(struct ff_model *m, int trees, int depth)
{
	__u64 saved = forest_rng;
	int rc = comb_forest(m, trees, depth);

	if (!rc) {
		forest_no_ctx(m);
		rc = forest_layout(m);
	}
	forest_rng = saved;
	return rc;
}

/*
 * The comb forest of the flood benchmark (livegen --flood): every tree's
 * root asks dst_port <= max_attack_port; below it the comb walks all
 * `depth` levels to class 1 (the flood: port 80), above it a leaf of class
 * 0 (the established flows). The flood pays the whole walk. Its splits read
 * the flow's features only, none of the context (ctx_*): its verdict is a
 * function of the packet, as the first-packet memo needs (a model that
 * reads the context runs at every first packet: flood_forest_ctx()).
 */
static inline int flood_forest(struct ff_model *m, int trees, int depth, __u16 max_attack_port)
{
	int t;

	if (comb_forest(m, trees, depth))
		return -1;
	snprintf(m->class_names[0], FF_NAME_MAX, "benign");
	snprintf(m->class_names[1], FF_NAME_MAX, "flood");
	for (t = 0; t < trees; t++) {
		__u32 base = m->roots[t];

		m->nodes[base].feature = FF_F_DST_PORT;
		m->nodes[base].threshold = max_attack_port;
		m->nodes[base + 1].left = 0;		/* dst_port above: benign */
		m->nodes[base + 2 * depth].left = 1;	/* the comb's end: flood */
	}
	forest_no_ctx(m);
	return forest_layout(m);	/* again: the nodes changed */
}

/* The flood forest with one split on a context feature (whose threshold
 * every value passes): the same verdicts, but no first-packet memo. */
static inline int flood_forest_ctx(struct ff_model *m, int trees, int depth,
				   __u16 max_attack_port)
{
	__u32 f;

	if (flood_forest(m, trees, depth, max_attack_port))
		return -1;
	for (f = 0; f < FF_NUM_FEATURES; f++)
		if (!strcmp(ff_feature_table[f].dir, "ctx"))
			break;
	if (f == FF_NUM_FEATURES)
		return 0;
	m->nodes[m->roots[0] + 2].feature = f;	/* a comb split below the root */
	return forest_layout(m);
}

#endif
