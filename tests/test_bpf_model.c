// SPDX-License-Identifier: MIT
/* BPF tests, the kernel's forest walk (ff_infer) against the user-space one, hot swaps, phases and scores. Harness and conventions: tests/bpfenv/bpf_env.h. */
#include "bpf_env.h"

/* ---- 5. ff_infer against the user-space walk -------------------------- */

static struct ff_infer_result infer(const __u64 *v)
{
	static uint8_t frame[64];
	struct ff_features in;
	struct ff_infer_result out;
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 1);

	memcpy(in.v, v, sizeof(in.v));
	assert_int_equal(bpf_map_update_elem(env.in_fd, &zero, &in, BPF_ANY), 0);
	memset(&out, 0xee, sizeof(out));
	assert_int_equal(bpf_map_update_elem(env.out_fd, &zero, &out, BPF_ANY), 0);
	assert_int_equal(bpf_prog_test_run_opts(env_infer(), &o), 0);
	assert_int_equal(o.retval, XDP_PASS);
	assert_int_equal(bpf_map_lookup_elem(env.out_fd, &zero, &out), 0);
	return out;
}

static void infer_handwritten(void **state)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_infer_result o;

	REQUIRE_BPF();
	v[FF_F_PROTOCOL] = 17;
	v[FF_F_DST_PORT] = 9999;
	o = infer(v);
	assert_int_equal(o.n_trees, 1);	/* "a model answered", see report */
	assert_int_equal(o.cls, CLS_UDP_PROBE);
	assert_int_equal(o.score, 1000);
	assert_int_equal(o.errors, 0);
	v[FF_F_DST_PORT] = 10000;
	assert_int_equal(infer(v).cls, CLS_BENIGN);
	v[FF_F_PROTOCOL] = 1;
	v[FF_F_FWD_PKTS] = 20;
	assert_int_equal(infer(v).cls, CLS_BENIGN);
	v[FF_F_FWD_PKTS] = 21;
	assert_int_equal(infer(v).cls, CLS_PING_FLOOD);
}

/* A random forest: trees of random shape up to `max_depth`. */
struct forest {
	struct ff_model m;
	__u64 pool[24];		/* thresholds, and values near them */
};

static __u64 pick_threshold(const struct forest *g)
{
	return g->pool[rnd_below(FF_ARRAY_SIZE(g->pool))];
}

static __u32 gen_leaf(struct forest *g)
{
	struct ff_model *m = &g->m;
	__u32 idx = m->n_nodes++;

	assert_true(idx < FF_MAX_NODES);
	memset(&m->nodes[idx], 0, sizeof(m->nodes[idx]));
	m->nodes[idx].feature = FF_NODE_LEAF;
	m->nodes[idx].left = rnd_below(m->n_classes);
	/* Small weights often tie; ties go to the lower class. */
	m->nodes[idx].right = rnd_below(4) ? 1 + rnd_below(3) : 1 + rnd_below(1000);
	return idx;
}

/* A split node; its children are filled in by the caller. */
static __u32 gen_split(struct forest *g)
{
	struct ff_model *m = &g->m;
	__u32 idx = m->n_nodes++;

	assert_true(idx < FF_MAX_NODES);
	memset(&m->nodes[idx], 0, sizeof(m->nodes[idx]));
	m->nodes[idx].feature = rnd_below(FF_NUM_FEATURES);
	m->nodes[idx].threshold = pick_threshold(g);
	return idx;
}

/* A tree of random shape, at most `max_depth` deep. */
static __u32 gen_node(struct forest *g, __u32 depth, __u32 max_depth,
		      bool deep_first)
{
	__u32 idx, l, r;

	if (depth == max_depth ||
	    (depth > 0 && !deep_first && rnd_below(4) == 0))
		return gen_leaf(g);
	idx = gen_split(g);
	l = gen_node(g, depth + 1, max_depth, deep_first);
	r = gen_node(g, depth + 1, max_depth, false);
	g->m.nodes[idx].left = l;
	g->m.nodes[idx].right = r;
	return idx;
}

/* A balanced tree of exactly `n` nodes (n odd). */
static __u32 gen_sized(struct forest *g, __u32 n)
{
	__u32 idx, nl, l, r;

	if (n == 1)
		return gen_leaf(g);
	idx = gen_split(g);
	nl = ((n - 1) / 2) | 1;
	l = gen_sized(g, nl);
	r = gen_sized(g, n - 1 - nl);
	g->m.nodes[idx].left = l;
	g->m.nodes[idx].right = r;
	return idx;
}

static void forest_init(struct forest *g, __u32 n_classes)
{
	size_t i;

	memset(g, 0, sizeof(*g));
	g->m.nodes = calloc(FF_MAX_NODES, sizeof(struct ff_xnode));
	assert_non_null(g->m.nodes);
	g->m.n_features = FF_NUM_FEATURES;
	for (i = 0; i < FF_NUM_FEATURES; i++)
		g->m.feature_ids[i] = i;
	g->m.n_classes = n_classes;
	for (i = 0; i < n_classes; i++)
		snprintf(g->m.class_names[i], FF_NAME_MAX, "c%zu", i);
	for (i = 0; i < FF_ARRAY_SIZE(g->pool); i++) {
		switch (i % 4) {
		case 0:
		case 1:
			g->pool[i] = rnd_below(2000);
			break;
		case 2:
			g->pool[i] = (1ULL << 32) + rnd_below(1000);	/* 64-bit compares */
			break;
		default:
			g->pool[i] = rnd();
			break;
		}
	}
	g->pool[0] = 0;
	g->pool[1] = ~0ULL - 1;
}

static void forest_gen(struct forest *g, __u32 n_trees, __u32 max_depth)
{
	char err[256];
	__u32 t;

	for (t = 0; t < n_trees; t++) {
		g->m.roots[t] = g->m.n_nodes;
		/* Tree 0 reaches max_depth on its leftmost path. */
		gen_node(g, 0, t == 0 ? max_depth : 1 + rnd_below(max_depth),
			 t == 0);
	}
	g->m.n_trees = n_trees;
	if (ff_model_validate(&g->m, err, sizeof(err)))
		fail_msg("random model does not validate: %s", err);
	assert_true(g->m.max_depth <= max_depth);
}

static void random_vector(const struct forest *g, __u64 *v)
{
	size_t i;

	for (i = 0; i < FF_MAX_FEATURES; i++) {
		__u64 t = pick_threshold(g);

		switch (rnd_below(8)) {
		case 0:
		case 1:
			v[i] = t;		/* equal: goes left */
			break;
		case 2:
			v[i] = t + 1;
			break;
		case 3:
			v[i] = t - 1;
			break;
		case 4:
		case 5:
			v[i] = rnd_below(2001);
			break;
		case 6:
			v[i] = rnd();
			break;
		default:
			v[i] = rnd_below(2) ? 0 : ~0ULL;
			break;
		}
	}
}

/* Kernel and user space agree on class and score for `n` random vectors. */
static void compare_random(const struct forest *g, int n)
{
	__u64 v[FF_MAX_FEATURES];
	int i, seen[FF_MAX_CLASSES] = { 0 }, distinct = 0;

	for (i = 0; i < n; i++) {
		struct ff_infer_result o;
		__u32 score, cls;

		random_vector(g, v);
		cls = ff_model_predict(&g->m, v, &score);
		o = infer(v);
		if (o.cls != cls || o.score != score || o.errors || !o.n_trees)
			fail_msg("vector %d: kernel class %u score %u errors %u, user space class %u score %u",
				 i, o.cls, o.score, o.errors, cls, score);
		if (!seen[cls & (FF_MAX_CLASSES - 1)]++)
			distinct++;
	}
	/* The vectors must exercise the model, not one leaf. */
	assert_true(distinct >= 2);
}

static void infer_random_forest_matches_user_space(void **state)
{
	struct forest *g;

	REQUIRE_BPF();
	g = malloc(sizeof(*g));
	assert_non_null(g);
	rnd_state = 0x243f6a8885a308d3ULL;
	forest_init(g, 5);
	forest_gen(g, 16, 10);
	assert_int_equal(g->m.max_depth, 10);
	assert_int_equal(install(&g->m), 0);
	compare_random(g, 2000);
	ff_model_free(&g->m);
	free(g);
}

static void infer_max_trees(void **state)
{
	struct forest *g;

	REQUIRE_BPF();
	g = malloc(sizeof(*g));
	assert_non_null(g);
	rnd_state = 0x13198a2e03707344ULL;
	forest_init(g, 16);
	forest_gen(g, FF_MAX_TREES, 6);
	assert_int_equal(g->m.n_trees, 1024);
	assert_int_equal(install(&g->m), 0);
	compare_random(g, 300);
	ff_model_free(&g->m);
	free(g);
}

/*
 * A model that fills the kernel's node table: FF_MAX_TREES - 2 balanced
 * trees of 127 nodes, one of the nodes left but one, then a one-leaf tree at
 * node FF_MAX_NODES - 1, which the kernel must reach. Thresholds below 2^32
 * only, so that every node is one node of the kernel's layout.
 */
static void infer_full_node_table(void **state)
{
	struct forest *g;
	char err[256];
	__u32 t, i;

	REQUIRE_BPF();
	g = malloc(sizeof(*g));
	assert_non_null(g);
	rnd_state = 0xa4093822299f31d0ULL;
	forest_init(g, 5);
	for (i = 0; i < FF_ARRAY_SIZE(g->pool); i++)
		g->pool[i] &= 0xffffffffULL;
	for (t = 0; t + 2 < FF_MAX_TREES; t++) {
		g->m.roots[t] = g->m.n_nodes;
		gen_sized(g, 127);
	}
	g->m.roots[t++] = g->m.n_nodes;
	gen_sized(g, FF_MAX_NODES - 1 - g->m.n_nodes);
	g->m.roots[t] = g->m.n_nodes;
	gen_leaf(g);
	g->m.n_trees = FF_MAX_TREES;
	assert_int_equal(g->m.n_nodes, FF_MAX_NODES);
	assert_int_equal(g->m.roots[FF_MAX_TREES - 1], FF_MAX_NODES - 1);
	if (ff_model_validate(&g->m, err, sizeof(err)))
		fail_msg("full model does not validate: %s", err);
	assert_int_equal(g->m.n_knodes, FF_MAX_NODES);
	assert_int_equal(g->m.kroots[FF_MAX_TREES - 1], FF_MAX_NODES - 1);
	assert_true(g->m.max_depth <= FF_MAX_DEPTH);
	assert_int_equal(install(&g->m), 0);
	compare_random(g, 200);
	ff_model_free(&g->m);
	free(g);
}

/*
 * One chain tree `depth` deep: internal node d tests feature d against 100
 * and leaves to the right with class d % 4; the deepest leaf is class 4
 * with weight `deep_w`. Appended to m at m->n_nodes.
 */
static void chain_tree(struct ff_model *m, __u32 depth, __u32 deep_w)
{
	__u32 d, base = m->n_nodes;

	m->roots[m->n_trees++] = base;
	for (d = 0; d < depth; d++) {
		struct ff_xnode *in = &m->nodes[base + 2 * d];
		struct ff_xnode *leaf = &m->nodes[base + 2 * d + 1];

		memset(in, 0, sizeof(*in));
		in->feature = d % FF_NUM_FEATURES;
		in->threshold = 100;
		in->left = base + 2 * d + 2;
		in->right = base + 2 * d + 1;
		memset(leaf, 0, sizeof(*leaf));
		leaf->feature = FF_NODE_LEAF;
		leaf->left = d % 4;
		leaf->right = 1;
	}
	memset(&m->nodes[base + 2 * depth], 0, sizeof(struct ff_xnode));
	m->nodes[base + 2 * depth].feature = FF_NODE_LEAF;
	m->nodes[base + 2 * depth].left = 4;
	m->nodes[base + 2 * depth].right = deep_w;
	m->n_nodes = base + 2 * depth + 1;
}

static void model_init(struct ff_model *m, __u32 n_classes, __u32 max_nodes)
{
	__u32 i;

	memset(m, 0, sizeof(*m));
	m->nodes = calloc(max_nodes, sizeof(struct ff_xnode));
	assert_non_null(m->nodes);
	m->n_features = FF_NUM_FEATURES;
	for (i = 0; i < FF_NUM_FEATURES; i++)
		m->feature_ids[i] = i;
	m->n_classes = n_classes;
	for (i = 0; i < n_classes; i++)
		snprintf(m->class_names[i], FF_NAME_MAX, "c%u", i);
}

static void infer_depth_32_tree(void **state)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_model *m;
	struct ff_infer_result o;
	__u32 d, score;
	char err[256];

	REQUIRE_BPF();
	m = malloc(sizeof(*m));
	assert_non_null(m);
	assert_true(FF_NUM_FEATURES > FF_MAX_DEPTH);	/* distinct features */
	model_init(m, 5, 2 * FF_MAX_DEPTH + 8);
	chain_tree(m, FF_MAX_DEPTH, 1);
	assert_int_equal(ff_model_validate(m, err, sizeof(err)), 0);
	assert_int_equal(m->max_depth, FF_MAX_DEPTH);
	assert_int_equal(install(m), 0);

	o = infer(v);			/* all the way down */
	assert_int_equal(o.cls, 4);
	assert_int_equal(o.score, 1000);
	assert_int_equal(o.errors, 0);
	for (d = 0; d < FF_MAX_DEPTH; d++) {	/* out at depth d */
		memset(v, 0, sizeof(v));
		v[d] = 101;
		o = infer(v);
		assert_int_equal(o.cls, d % 4);
		assert_int_equal(o.errors, 0);
		assert_int_equal(o.cls, ff_model_predict(m, v, &score));
	}

	/* One deeper does not validate, and the loader refuses it. */
	m->n_nodes = 0;
	m->n_trees = 0;
	chain_tree(m, FF_MAX_DEPTH + 1, 1);
	assert_int_not_equal(ff_model_validate(m, err, sizeof(err)), 0);
	{
		struct ff_loader *l = &env.l;
		char why[256];

		assert_int_not_equal(ff_loader_install_model(l, m, NULL, why, sizeof(why)), 0);
		assert_non_null(strstr(why, "deeper"));
	}
	ff_model_free(m);
	free(m);
}

/*
 * The longest walk the kernel allows: FF_MAX_TREES trees, each 32 deep, every
 * vector to the bottom. The last tree carries a heavy vote, so a walk cut
 * short (bpf_loop's bound) would give another class.
 */
static void infer_max_trees_depth_32(void **state)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_model *m;
	struct ff_infer_result o;
	__u32 t, score;
	char err[256];

	REQUIRE_BPF();
	m = malloc(sizeof(*m));
	assert_non_null(m);
	model_init(m, 5, FF_MAX_TREES * (2 * FF_MAX_DEPTH + 1));
	for (t = 0; t < FF_MAX_TREES; t++)
		chain_tree(m, FF_MAX_DEPTH, t == FF_MAX_TREES - 1 ? 60000 : 1);
	/* Every tree but the last votes class 3 at the bottom instead. */
	for (t = 0; t + 1 < FF_MAX_TREES; t++)
		m->nodes[m->roots[t] + 2 * FF_MAX_DEPTH].left = 3;
	assert_int_equal(ff_model_validate(m, err, sizeof(err)), 0);
	assert_int_equal(install(m), 0);
	o = infer(v);
	assert_int_equal(o.errors, 0);
	assert_int_equal(o.cls, 4);
	assert_int_equal(o.score, 60000ULL * 1000 / (60000 + FF_MAX_TREES - 1));
	assert_int_equal(o.cls, ff_model_predict(m, v, &score));
	assert_int_equal(o.score, score);
	ff_model_free(m);
	free(m);
}

/* ---- 6. hot swap ----------------------------------------------------- */

/* A model of one leaf: every flow is class `cls`. */
static void const_model(struct ff_model *m, struct ff_xnode *leaf, __u32 cls,
			__u32 action)
{
	__u32 i;

	memset(m, 0, sizeof(*m));
	memset(leaf, 0, sizeof(*leaf));
	leaf->feature = FF_NODE_LEAF;
	leaf->left = cls;
	leaf->right = 1;
	m->nodes = leaf;
	m->n_nodes = 1;
	m->n_trees = 1;
	m->n_classes = 3;
	m->n_features = 1;
	for (i = 0; i < m->n_classes; i++)
		snprintf(m->class_names[i], FF_NAME_MAX, "k%u", i);
	m->actions[cls] = action;
}

static __u32 active_slot(void)
{
	__u32 zero = 0, a = 99;

	assert_int_equal(bpf_map_lookup_elem(env.active_fd, &zero, &a), 0);
	return a;
}

static __u32 slot_generation(__u32 slot)
{
	struct ff_model_meta meta;

	assert_int_equal(bpf_map_lookup_elem(env.meta_fd, &slot, &meta), 0);
	return meta.generation;
}

static void swap_model_a_then_b(void **state)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_model a, b;
	struct ff_xnode la, lb;
	__u32 s0, s1, g0, g1, g2;
	char err[256];

	REQUIRE_BPF();
	const_model(&a, &la, 0, FF_ACT_PASS);
	const_model(&b, &lb, 1, FF_ACT_DROP);
	assert_int_equal(ff_model_validate(&a, err, sizeof(err)), 0);
	assert_int_equal(ff_model_validate(&b, err, sizeof(err)), 0);

	assert_int_equal(install(&a), 0);
	s0 = active_slot();
	g0 = slot_generation(s0);
	assert_int_equal(g0, cur_gen());
	assert_int_equal(infer(v).cls, 0);

	assert_int_equal(install(&b), 0);
	s1 = active_slot();
	g1 = slot_generation(s1);
	assert_int_equal(s1, s0 ^ 1);
	assert_true(g1 > g0);
	assert_int_equal(slot_generation(s0), g0);	/* A untouched */
	assert_int_equal(infer(v).cls, 1);

	assert_int_equal(install(&a), 0);
	assert_int_equal(active_slot(), s0);
	g2 = slot_generation(s0);
	assert_true(g2 > g1);
	assert_int_equal(infer(v).cls, 0);
}

/*
 * A flow keeps its cached verdict until its next checkpoint, which then
 * runs the new model: an FF_EV_CHANGED event with the new generation.
 */
static void swap_model_flow_follows_at_checkpoint(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.15.0.1", .daddr = "10.15.0.2",
		.sport = 1, .dport = 2,
	};
	struct ff_model a, b;
	struct ff_xnode la, lb;
	struct ff_flow_key k;
	struct ff_flow f;
	__u32 gen_a;
	int i;

	REQUIRE_BPF();
	const_model(&a, &la, 0, FF_ACT_PASS);
	const_model(&b, &lb, 2, FF_ACT_DROP);
	key_for(&k, 4, 17, s.saddr, 1, s.daddr, 2, false);
	assert_int_equal(install(&a), 0);
	gen_a = cur_gen();
	for (i = 1; i <= 2; i++)
		assert_int_equal(send_pkt(H_XDP, &s, T0_US + i, NULL), XDP_PASS);
	assert_int_equal(install(&b), 0);
	/* Packet 3 is no checkpoint: the old verdict stands. */
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 3, NULL), XDP_PASS);
	flow_must(&k, &f);
	assert_int_equal(f.model_gen, gen_a);
	/* Packet 4 is one: model B decides. */
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 4, NULL), XDP_DROP);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 2);
	assert_int_equal(f.model_gen, cur_gen());
	assert_int_equal(poll_events(), 2);
	assert_int_equal(env.ev[1].type, FF_EV_CHANGED);
	assert_int_equal(env.ev[1].prev_cls, 0);
	assert_int_equal(env.ev[1].cls, 2);
	assert_int_equal(env.ev[1].model_gen, cur_gen());
	assert_int_equal(env.ev[1].pkts, 4);
}

/*
 * Confidence: a drop verdict scored below its class's minimum score is an
 * alert. One vector leaf gives class 1 a 600-permille share; with a minimum
 * of 700 the flow passes as an alert, with 600 it is dropped; ff_infer says
 * the same, and a boosted (softmax) model's probability works alike.
 */
/* An empty model of three classes, benign, flood and scan, over one
 * feature: the score and verdict tests add their leaves to it. */
static void benign_flood_scan(struct ff_model *m)
{
	memset(m, 0, sizeof(*m));
	m->n_classes = 3;
	m->n_features = 1;
	snprintf(m->class_names[0], FF_NAME_MAX, "benign");
	snprintf(m->class_names[1], FF_NAME_MAX, "flood");
	snprintf(m->class_names[2], FF_NAME_MAX, "scan");
}

static void classify_low_score_alerts(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.16.0.1", .daddr = "10.16.0.2",
		.sport = 1, .dport = 2,
	};
	__u64 v[FF_MAX_FEATURES] = { 0 };
	__s32 vals[3] = { 100, 600, 300 };
	struct ff_xnode leaf = { .feature = FF_NODE_LEAFVEC };
	struct ff_model m;
	struct ff_flow_key k;
	struct ff_flow f;
	struct ff_infer_result o;
	char err[256];

	REQUIRE_BPF();
	benign_flood_scan(&m);
	m.actions[1] = FF_ACT_DROP;
	m.min_score[1] = 700;
	assert_int_equal(ff_model_add_leafvec(&m, vals), 0);
	assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
	assert_int_equal(install(&m), 0);
	o = infer(v);
	assert_int_equal(o.cls, 1);
	assert_int_equal(o.score, 600);
	assert_int_equal(o.action, FF_ACT_ALERT);
	key_for(&k, 4, 17, s.saddr, 1, s.daddr, 2, false);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 1, NULL), XDP_PASS);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 1);
	assert_int_equal(f.score, 600);
	assert_int_equal(f.action, FF_ACT_ALERT);

	m.min_score[1] = 600;		/* sure enough now */
	assert_int_equal(install(&m), 0);
	assert_int_equal(infer(v).action, FF_ACT_DROP);
	s.sport = 3;
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 2, NULL), XDP_DROP);

	/* softmax: margins 0, 2^20 x ln 3, 0 in fixed point: p = 3/5 = 600 */
	ff_model_free(&m);
	benign_flood_scan(&m);
	m.actions[1] = FF_ACT_DROP;
	m.min_score[1] = 601;
	m.n_phases = 1;
	m.phases[0].combine = FF_COMBINE_SOFTMAX;
	m.phases[0].scale_bits = 20;
	m.phases[0].bias[1] = 1151970;	/* round(2^20 x ln 3) */
	leaf = (struct ff_xnode){ .feature = FF_NODE_LEAF, .left = 0, .right = 0 };
	assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
	m.phases[0].n_trees = 1;
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
	assert_int_equal(install(&m), 0);
	o = infer(v);
	assert_int_equal(o.cls, 1);
	assert_int_equal(o.score, 599);	/* floor(599.99...): the table's rounding */
	assert_int_equal(o.action, FF_ACT_ALERT);
	ff_model_free(&m);
}

/* IPv6 neighbour discovery (ICMPv6 133-137) is never dropped, whatever its
 * flow is named: a model that drops everything still lets a neighbour's
 * solicitations and advertisements through (classified, counted as allowed),
 * and drops an echo request. Run Y's live capture: a neighbour's NS/NA
 * exchange with the server was named icmp_flood at its 2nd packet. */
static void classify_neighbour_discovery_passes(void **state)
{
	struct pkt_spec s = {
		.family = 6, .proto = 58, .saddr = "fe80::1", .daddr = "fe80::2",
		.payload_len = 24,
	};
	static const __u8 types[] = { 133, 134, 135, 136, 137 };
	__s32 vals[3] = { 0, 1000, 0 };
	struct ff_xnode leaf = { .feature = FF_NODE_LEAFVEC };
	struct ff_counters c;
	struct ff_flow_key k;
	struct ff_flow f;
	struct ff_model m;
	char err[256];
	size_t len, i;
	int h;

	REQUIRE_BPF();
	benign_flood_scan(&m);
	m.actions[1] = FF_ACT_DROP;
	assert_int_equal(ff_model_add_leafvec(&m, vals), 0);
	assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
	key_for(&k, 6, 58, s.saddr, 0, s.daddr, 0, false);
	for (h = 0; h < H__N; h++) {
		assert_int_equal(reset_state(), 0);
		assert_int_equal(install(&m), 0);
		for (i = 0; i < sizeof(types); i++) {
			s.icmp_type = types[i];
			if (send_pkt(h, &s, T0_US + i, &len) != pass_ret(h, len))
				fail_msg("hook %d: ICMPv6 type %u dropped", h, types[i]);
		}
		flow_must(&k, &f);
		assert_int_equal(f.cls, 1);
		assert_int_equal(f.action, FF_ACT_DROP);
		s.icmp_type = 128;	/* an echo request: dropped */
		s.icmp_id = 7;
		assert_int_equal(send_pkt(h, &s, T0_US + 10, NULL), drop_ret(h));
		s.icmp_id = 0;
		get_counters(&c);
		assert_int_equal(c.c[FF_C_ALLOWED], sizeof(types));
		assert_int_equal(c.c[FF_C_DROPPED], 1);
	}
	ff_model_free(&m);
}

/* Instructions the verifier processed for one of our programs. */
static __u32 verified_insns(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	return info.verified_insns;
}

/*
 * The verifier's work does not depend on the model: the walk is one tree
 * per bpf_loop() step, verified once, whatever FF_MAX_TREES, the number of
 * phases, classes or nodes. A walk unrolled over the trees (or the phases,
 * or the nodes) would multiply it, and so would a loop whose branches the
 * verifier follows with every value (phases, classes: measured 213,000
 * before ff_phase_of, ff_best and ff_softmax_term were global functions,
 * 15,500 after); the bound catches that.
 */
static void verified_insns_independent_of_model(void **state)
{
	__u32 infer, xdp;

	REQUIRE_BPF();
	infer = verified_insns(env.infer_fd);
	xdp = verified_insns(env.prog[H_XDP]);
	print_message("[ verifier] ff_infer %u, ff_xdp %u verified instructions (FF_MAX_TREES %d, "
		      "FF_MAX_NODES %d, FF_MAX_PHASES %d)\n", infer, xdp, FF_MAX_TREES,
		      FF_MAX_NODES, FF_MAX_PHASES);
	assert_true(infer > 0 && infer < 30000);
	assert_true(xdp > 0);
}

/* ff_infer for a flow of `pkts` packets (the phase's model). */
static struct ff_infer_result infer_at(const __u64 *v, __u32 pkts)
{
	static uint8_t frame[64];
	struct ff_features in;
	struct ff_infer_result out;
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
		    .data_size_in = sizeof(frame), .repeat = 1);

	memcpy(in.v, v, sizeof(in.v));
	assert_int_equal(bpf_map_update_elem(env.in_fd, &zero, &in, BPF_ANY), 0);
	memset(&out, 0, sizeof(out));
	out.pkts = pkts;
	assert_int_equal(bpf_map_update_elem(env.out_fd, &zero, &out, BPF_ANY), 0);
	assert_int_equal(bpf_prog_test_run_opts(env_infer(), &o), 0);
	assert_int_equal(bpf_map_lookup_elem(env.out_fd, &zero, &out), 0);
	return out;
}

/*
 * Phases: three one-leaf models from 1, 4 and 32 packets, each naming its
 * own class; the kernel and user space pick the phase by packet count at
 * the boundaries (and below the first phase, the first). A flow is decided
 * by the phase of its checkpoint: class 0 at packet 1, class 1 at packet 4.
 */
static void classify_by_phase(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.17.0.1", .daddr = "10.17.0.2",
		.sport = 1, .dport = 2,
	};
	static const __u32 at[] = { 0, 1, 3, 4, 31, 32, 1000 }, want[] = { 0, 0, 0, 1, 1, 2, 2 };
	__u64 v[FF_MAX_FEATURES] = { 0 };
	struct ff_model all, one;
	struct ff_xnode leaf;
	struct ff_flow_key k;
	struct ff_flow f;
	struct ff_verdict vd;
	char err[256];
	__u32 p, i;

	REQUIRE_BPF();
	memset(&all, 0, sizeof(all));
	for (p = 0; p < 3; p++) {
		memset(&one, 0, sizeof(one));
		one.n_classes = 3;
		one.n_features = 1;
		for (i = 0; i < 3; i++)
			snprintf(one.class_names[i], FF_NAME_MAX, "k%u", i);
		leaf = (struct ff_xnode){ .feature = FF_NODE_LEAF, .left = p, .right = 1 };
		assert_int_equal(ff_model_add_tree(&one, &leaf, 1, err, sizeof(err)), 0);
		assert_int_equal(ff_model_validate(&one, err, sizeof(err)), 0);
		assert_int_equal(ff_model_append_phase(&all, &one, (__u32[]){ 1, 4, 32 }[p], err,
						       sizeof(err)), 0);
		ff_model_free(&one);
	}
	assert_int_equal(ff_model_validate(&all, err, sizeof(err)), 0);
	assert_int_equal(all.n_phases, 3);
	assert_int_equal(install(&all), 0);
	for (i = 0; i < FF_ARRAY_SIZE(at); i++) {
		struct ff_infer_result o = infer_at(v, at[i]);

		ff_model_run(&all, at[i], v, &vd);
		assert_int_equal(vd.cls, want[i]);
		assert_int_equal(vd.phase, want[i]);
		assert_int_equal(o.cls, want[i]);
		assert_int_equal(o.phase, want[i]);
	}
	key_for(&k, 4, 17, s.saddr, 1, s.daddr, 2, false);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 1, NULL), XDP_PASS);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 0);
	for (i = 2; i <= 4; i++)
		send_pkt(H_XDP, &s, T0_US + i, NULL);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 1);		/* checkpoint 4: the 4-31 phase */
	ff_model_free(&all);
}

/*
 * Early verdicts (issue 13, item 5): with "early_drop" 1:600, a verdict at a
 * flow's first packet drops only when the classes that do not pass hold
 * 600 permille of the votes together. Votes benign 450, flood 500, scan 50:
 * flood wins (argmax) but attacks hold 550, so at packet 1 the flow passes
 * as benign (score 450) and at packet 2 it is dropped as flood; votes
 * benign 300, flood 400, scan 300 drop at packet 1 too (attacks 700: the
 * attack classes' votes count together). The kernel (ff_infer, and a flow's
 * first packet at XDP) and user space (ff_model_run, and a model file read
 * back) decide alike; without the rule the first packet is dropped.
 */
static void classify_early_needs_attack_share(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.18.0.1", .daddr = "10.18.0.2",
		.sport = 1, .dport = 2,
	};
	__u64 v[FF_MAX_FEATURES] = { 0 };
	__s32 near[3] = { 450, 500, 50 }, split[3] = { 300, 400, 300 };
	struct ff_xnode leaf = { .feature = FF_NODE_LEAFVEC };
	struct ff_model m, back;
	struct ff_infer_result o;
	struct ff_verdict vd;
	char err[256], path[] = "/tmp/ff-early-XXXXXX", path2[] = "/tmp/ff-early-XXXXXX";
	int fd, i;

	REQUIRE_BPF();
	for (i = 0; i < 2; i++) {
		benign_flood_scan(&m);
		m.actions[1] = m.actions[2] = FF_ACT_DROP;
		assert_int_equal(ff_model_add_leafvec(&m, i ? split : near), 0);
		assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
		assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
		assert_int_equal(install(&m), 0);
		assert_int_equal(infer_at(v, 1).action, FF_ACT_DROP);	/* no rule */
		assert_int_equal(ff_model_early_override(&m, "1:600", err, sizeof(err)), 0);
		assert_int_equal(install(&m), 0);
		o = infer_at(v, 1);
		ff_model_run(&m, 1, v, &vd);
		assert_int_equal(o.cls, vd.cls);
		assert_int_equal(o.score, vd.score);
		assert_int_equal(o.action, vd.action);
		if (i) {	/* attacks 700 of 1000 */
			assert_int_equal(o.cls, 1);
			assert_int_equal(o.action, FF_ACT_DROP);
			ff_model_free(&m);
			continue;
		}
		assert_int_equal(o.cls, 0);
		assert_int_equal(o.score, 450);
		assert_int_equal(o.action, FF_ACT_PASS);
		o = infer_at(v, 2);
		assert_int_equal(o.cls, 1);
		assert_int_equal(o.action, FF_ACT_DROP);
		ff_model_run(&m, 2, v, &vd);
		assert_int_equal(vd.action, FF_ACT_DROP);
		/* a flow's first packet at XDP passes; the model file keeps the rule */
		assert_int_equal(send_pkt(H_XDP, &s, T0_US + 1, NULL), XDP_PASS);
		fd = mkstemp(path);
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(ff_model_save(&m, path, err, sizeof(err)), 0);
		assert_int_equal(ff_model_load(path, &back, err, sizeof(err)), 0);
		unlink(path);
		assert_int_equal(back.early_pkts, 1);
		assert_int_equal(back.early_min_share, 600);
		ff_model_run(&back, 1, v, &vd);
		assert_int_equal(vd.action, FF_ACT_PASS);
		ff_model_free(&back);
		ff_model_free(&m);
	}
	/* 2-3:600: the first packet's verdict is the model's (a drop there is
	 * tentative already; a spread flood is one packet a flow), packets 2
	 * and 3 need the attack share (run J's one benign HTTP connection
	 * dropped: http_flood at its 3rd packet with 16 of 32 votes), packet 4
	 * is past the rule; kernel and user space alike, and the file keeps it */
	benign_flood_scan(&m);
	m.actions[1] = m.actions[2] = FF_ACT_DROP;
	assert_int_equal(ff_model_add_leafvec(&m, near), 0);
	assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
	assert_int_equal(ff_model_early_override(&m, "2-3:600", err, sizeof(err)), 0);
	assert_int_equal(install(&m), 0);
	{
		static const __u32 at[] = { 1, 2, 3, 4 };
		static const __u32 want[] = { FF_ACT_DROP, FF_ACT_PASS, FF_ACT_PASS, FF_ACT_DROP };

		for (i = 0; i < 4; i++) {
			o = infer_at(v, at[i]);
			ff_model_run(&m, at[i], v, &vd);
			assert_int_equal(o.action, want[i]);
			assert_int_equal(vd.action, want[i]);
			assert_int_equal(o.cls, vd.cls);
			assert_int_equal(o.score, vd.score);
		}
	}
	fd = mkstemp(path2);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ff_model_save(&m, path2, err, sizeof(err)), 0);
	assert_int_equal(ff_model_load(path2, &back, err, sizeof(err)), 0);
	unlink(path2);
	assert_int_equal(back.early_from, 2);
	assert_int_equal(back.early_pkts, 3);
	ff_model_run(&back, 1, v, &vd);
	assert_int_equal(vd.action, FF_ACT_DROP);
	ff_model_run(&back, 2, v, &vd);
	assert_int_equal(vd.action, FF_ACT_PASS);
	ff_model_free(&back);
	ff_model_free(&m);
	/* [FROM-]PKTS:PERMILLE, digits only, a permille at most 1000, FROM 1..PKTS */
	{
		static const char *const bad[] = { "1", "1:", ":600", "1:1001", "-1:600",
						   "1:+600", " 1:600", "1:600x", "99999999999:1",
						   "3-2:500", "0-2:500", "2-:500", "-2:500", "1-2-3:5",
						   "2- 3:500", "1:-600" };
		__u32 f, n, pm;

		for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++)
			assert_int_equal(ff_early_spec_parse(bad[i], &f, &n, &pm, err, sizeof(err)), -1);
		assert_int_equal(ff_early_spec_parse("3:1000", &f, &n, &pm, err, sizeof(err)), 0);
		assert_int_equal(f, 1);
		assert_int_equal(n, 3);
		assert_int_equal(pm, 1000);
		assert_int_equal(ff_early_spec_parse("2-5:550", &f, &n, &pm, err, sizeof(err)), 0);
		assert_int_equal(f, 2);
		assert_int_equal(n, 5);
		assert_int_equal(pm, 550);
	}
	/* a softmax model's sums are not votes: the rule is refused */
	memset(&m, 0, sizeof(m));
	m.n_classes = 2;
	m.n_features = 1;
	m.n_phases = 1;
	m.phases[0].combine = FF_COMBINE_SOFTMAX;
	leaf = (struct ff_xnode){ .feature = FF_NODE_LEAF };
	assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
	m.phases[0].n_trees = 1;
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
	assert_int_equal(ff_model_early_override(&m, "1:600", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a vote"));
	m.early_pkts = 1;
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), -1);
	ff_model_free(&m);
}

/*
 * Split attack votes (ff_verdict_attack_votes(), --attack-votes): votes
 * benign 400, flood 350, scan 250. Without the rule benign has the most
 * and the flow passes; with "attack_votes" 550 the attack classes' 600
 * together make the verdict flood (350, the attack with the most votes)
 * and drop it, at every packet; with 650 benign stands. Votes benign 400,
 * flood 300, scan 300: a tie between the attacks goes to the first. Votes
 * benign 500, flood 450, scan 50: the attacks hold 500 together, below
 * 550, and benign stands; an attack that has the most votes itself is
 * the verdict whatever the rule.
 * With the early rule 2-5:550 too, a drop at packets 2-5 needs the same
 * share, which the split verdict has. Kernel (ff_infer) and user space
 * (ff_model_run, a model file read back) decide alike; the rule is refused
 * for softmax models and outside 0..1000.
 */
static void classify_split_attack_votes(void **state)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	static const struct {
		__s32 votes[3];
		const char *rule;
		__u32 cls, score, action;
	} c[] = {
		{ { 400, 350, 250 }, "0", 0, 400, FF_ACT_PASS },
		{ { 400, 350, 250 }, "550", 1, 350, FF_ACT_DROP },
		{ { 400, 350, 250 }, "600", 1, 350, FF_ACT_DROP },
		{ { 400, 350, 250 }, "650", 0, 400, FF_ACT_PASS },
		{ { 400, 300, 300 }, "550", 1, 300, FF_ACT_DROP },
		{ { 500, 450, 50 }, "550", 0, 500, FF_ACT_PASS },
		{ { 300, 500, 200 }, "900", 1, 500, FF_ACT_DROP },	/* the attack's own win */
	};
	struct ff_xnode leaf = { .feature = FF_NODE_LEAFVEC };
	struct ff_model m, back;
	struct ff_infer_result o;
	struct ff_verdict vd;
	char err[256], path[] = "/tmp/ff-split-XXXXXX";
	__u32 i, p, pm;
	int fd;

	(void)state;
	REQUIRE_BPF();
	for (i = 0; i < FF_ARRAY_SIZE(c); i++) {
		benign_flood_scan(&m);
		m.actions[1] = m.actions[2] = FF_ACT_DROP;
		assert_int_equal(ff_model_add_leafvec(&m, c[i].votes), 0);
		assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
		assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
		assert_int_equal(ff_model_attack_votes_override(&m, c[i].rule, err, sizeof(err)), 0);
		assert_int_equal(install(&m), 0);
		for (p = 1; p <= 8; p *= 2) {
			o = infer_at(v, p);
			ff_model_run(&m, p, v, &vd);
			assert_int_equal(o.cls, c[i].cls);
			assert_int_equal(o.score, c[i].score);
			assert_int_equal(o.action, c[i].action);
			assert_int_equal(vd.cls, c[i].cls);
			assert_int_equal(vd.score, c[i].score);
			assert_int_equal(vd.action, c[i].action);
		}
		if (i == 1) {
			/* the early rule at the same share lets the split verdict drop
			 * at packets 2-5 too; the file keeps both rules */
			assert_int_equal(ff_model_early_override(&m, "2-5:550", err, sizeof(err)), 0);
			assert_int_equal(install(&m), 0);
			assert_int_equal(infer_at(v, 3).action, FF_ACT_DROP);
			fd = mkstemp(path);
			assert_true(fd >= 0);
			close(fd);
			assert_int_equal(ff_model_save(&m, path, err, sizeof(err)), 0);
			assert_int_equal(ff_model_load(path, &back, err, sizeof(err)), 0);
			unlink(path);
			assert_int_equal(back.attack_min_share, 550);
			ff_model_run(&back, 3, v, &vd);
			assert_int_equal(vd.cls, 1);
			assert_int_equal(vd.action, FF_ACT_DROP);
			ff_model_free(&back);
		}
		ff_model_free(&m);
	}
	/* digits only, a permille at most 1000 */
	{
		static const char *const bad[] = { "", "1001", "-5", "+5", " 5", "5x", "55555", "0x10" };

		for (i = 0; i < FF_ARRAY_SIZE(bad); i++)
			assert_int_equal(ff_attack_votes_parse(bad[i], &pm, err, sizeof(err)), -1);
		assert_int_equal(ff_attack_votes_parse("1000", &pm, err, sizeof(err)), 0);
		assert_int_equal(pm, 1000);
	}
	/* a softmax model's sums are not votes: the rule is refused */
	memset(&m, 0, sizeof(m));
	m.n_classes = 2;
	m.n_features = 1;
	m.n_phases = 1;
	m.phases[0].combine = FF_COMBINE_SOFTMAX;
	leaf = (struct ff_xnode){ .feature = FF_NODE_LEAF };
	assert_int_equal(ff_model_add_tree(&m, &leaf, 1, err, sizeof(err)), 0);
	m.phases[0].n_trees = 1;
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), 0);
	assert_int_equal(ff_model_attack_votes_override(&m, "550", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a vote"));
	assert_int_equal(ff_model_attack_votes_override(&m, "0", err, sizeof(err)), 0);
	m.attack_min_share = 550;
	assert_int_equal(ff_model_validate(&m, err, sizeof(err)), -1);
	ff_model_free(&m);
}

/* A dropped flow stays dropped (FF_CP_DROPS_HOLD, the default): at its
 * later checkpoints the drop holds although the model would now call the
 * flow benign (as a model may, on features distorted by the flow's own
 * retransmissions); an operator's --reclassify releases it. The drop is
 * decided at the flow's 2nd packet (one at its first is tentative: below). */
static void drop_verdict_holds(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.16.0.1", .daddr = "10.16.0.2",
		.sport = 1, .dport = 2,
	};
	struct ff_counters c;
	struct ff_model a, b;
	struct ff_xnode la, lb;
	struct ff_flow_key k;
	struct ff_flow f;
	char err[256];
	int i;

	REQUIRE_BPF();
	const_model(&a, &la, 2, FF_ACT_DROP);
	const_model(&b, &lb, 0, FF_ACT_PASS);
	key_for(&k, 4, 17, s.saddr, 1, s.daddr, 2, false);
	assert_int_equal(install(&b), 0);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 1, NULL), XDP_PASS);
	assert_int_equal(install(&a), 0);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 2, NULL), XDP_DROP);
	/* the model now says benign at every checkpoint (4, 8) */
	assert_int_equal(install(&b), 0);
	for (i = 3; i <= 8; i++)
		assert_int_equal(send_pkt(H_XDP, &s, T0_US + i, NULL), XDP_DROP);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 2);
	assert_int_equal(f.action, FF_ACT_DROP);
	assert_int_equal(f.decided_pkts, 2);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_HELD], 2);
	/* released: decided again at its next packet, by model b */
	assert_true(ff_maps_install_model(&env.l.maps, &b, NULL, true, err, sizeof(err)) > 0);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 9, NULL), XDP_PASS);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 0);
}

/* A drop decided at a flow's first packet is tentative (no
 * FF_CP_FIRST_HOLDS, the default): there only the context of other flows
 * speaks, and a new client's SYN to a flooded service is the flood's. The
 * flow's next checkpoint (its retransmission) asks the model again, and a
 * drop decided there holds. */
static void first_drop_is_tentative(void **state)
{
	struct pkt_spec s = {
		.family = 4, .proto = 6, .saddr = "10.16.0.3", .daddr = "10.16.0.2",
		.sport = 40000, .dport = 80, .tcp_flags = 0x02,
	};
	struct ff_counters c;
	struct ff_model a, b;
	struct ff_xnode la, lb;
	struct ff_flow_key k;
	struct ff_flow f;
	int i;

	REQUIRE_BPF();
	const_model(&a, &la, 2, FF_ACT_DROP);
	const_model(&b, &lb, 0, FF_ACT_PASS);
	key_for(&k, 4, 6, s.saddr, 40000, s.daddr, 80, false);
	assert_int_equal(install(&a), 0);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US, NULL), XDP_DROP);
	flow_must(&k, &f);
	assert_int_equal(f.decided_pkts, 1);
	/* the SYN again a second later: decided again, passed */
	assert_int_equal(install(&b), 0);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 1000000, NULL), XDP_PASS);
	flow_must(&k, &f);
	assert_int_equal(f.cls, 0);
	assert_int_equal(f.decided_pkts, 2);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_HELD], 0);
	/* a drop at the 4th packet (the next checkpoint) holds from then on */
	assert_int_equal(install(&a), 0);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 3000000, NULL), XDP_PASS);
	assert_int_equal(send_pkt(H_XDP, &s, T0_US + 4000000, NULL), XDP_DROP);
	assert_int_equal(install(&b), 0);
	for (i = 5; i <= 8; i++)
		assert_int_equal(send_pkt(H_XDP, &s, T0_US + i * 1000000ULL, NULL), XDP_DROP);
	flow_must(&k, &f);
	assert_int_equal(f.decided_pkts, 4);
	get_counters(&c);
	assert_int_equal(c.c[FF_C_HELD], 1);
}

/* ---- 10. a slot no loader wrote --------------------------------------- */

/*
 * The walk reads a slot's node array through masked indices and stops
 * every tree within FF_MAX_DEPTH, whatever the slot holds: a slot written
 * past the loader's validation (a bad feature id, a right child past the
 * model's nodes, a root past them) costs bounded work, each such tree
 * counted as an error, and the kernel and user space (the same walk on the
 * same array) agree on class, score and errors. A leaf after 32 splits
 * counts, after 33 it does not.
 */
static void infer_unvalidated_slot_bounded(void **state)
{
	struct ff_node_slot *ns = calloc(1, sizeof(*ns));
	struct ff_model_meta *meta = calloc(1, sizeof(*meta));
	struct ff_model *m = calloc(1, sizeof(*m));
	__u64 v[FF_MAX_FEATURES] = { 0 };
	__u32 slot = active_slot() ^ 1, zero = 0, i;
	struct ff_infer_result o;
	struct ff_verdict vd;

	REQUIRE_BPF();
	assert_true(ns && meta && m);
	ns->n[0] = (struct ff_node){ .kind = FF_KIND_FID_MASK, .value = 0 };	/* bad feature */
	ns->n[1] = (struct ff_node){ .kind = 1, .value = 5, .right = 60000 };	/* right: past */
	ns->n[2] = (struct ff_node){ .kind = FF_KIND_LEAF | 1, .value = 7 };
	/* 33 splits before a leaf: one too deep; 32: as deep as allowed */
	for (i = 10; i < 43; i++)
		ns->n[i] = (struct ff_node){ .kind = 2, .value = ~0U, .right = 1 };
	ns->n[43] = (struct ff_node){ .kind = FF_KIND_LEAF | 0, .value = 100 };
	for (i = 50; i < 82; i++)
		ns->n[i] = (struct ff_node){ .kind = 2, .value = ~0U, .right = 1 };
	ns->n[82] = (struct ff_node){ .kind = FF_KIND_LEAF | 1, .value = 1 };
	meta->n_trees = 6;
	meta->n_nodes = 83;
	meta->n_classes = 2;
	meta->n_phases = 1;
	meta->phases[0] = (struct ff_phase){ .n_trees = 6, .combine = FF_COMBINE_VOTE };
	meta->roots[0] = 0;
	meta->roots[1] = 1;
	meta->roots[2] = 2;
	meta->roots[3] = 100000;	/* past the nodes */
	meta->roots[4] = 10;
	meta->roots[5] = 50;
	meta->generation = cur_gen() + 1;
	assert_int_equal(bpf_map_update_elem(FF_MAP_FD(&env.l, ff_nodes), &slot, ns, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(env.meta_fd, &slot, meta, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(env.active_fd, &zero, &slot, BPF_ANY), 0);
	v[1] = 10;		/* takes the right child */
	o = infer(v);
	m->knodes = ns->n;
	m->n_knodes = 83;
	m->n_trees = 6;
	m->n_classes = 2;
	m->n_phases = 1;
	m->phases[0] = meta->phases[0];
	memcpy(m->kroots, meta->roots, sizeof(m->kroots));
	ff_model_run(m, 1, v, &vd);
	assert_int_equal(o.n_trees, 1);
	assert_int_equal(o.errors, 4);
	assert_int_equal(o.cls, 1);
	assert_int_equal(o.score, 1000);
	assert_int_equal(vd.errors, o.errors);
	assert_int_equal(vd.cls, o.cls);
	assert_int_equal(vd.score, o.score);
	free(ns);
	free(meta);
	free(m);
}

/* ---- 9. the features a model reads -------------------------------------- */

/* The kernel's verdict on flow `k` (its cached class and score) is the one
 * of the whole vector of its state, computed in user space. */
static void verdict_is_full_vector(const struct ff_model *m, const struct ff_flow_key *k)
{
	struct ff_features all;
	struct ff_verdict vd;
	struct ff_flow f;

	flow_must(k, &f);
	memset(&all, 0, sizeof(all));
	ff_features_compute(&f, &all);
	ff_model_run(m, ff_flow_pkts(&f), all.v, &vd);
	assert_int_equal(f.cls, vd.cls);
	assert_int_equal(f.score, vd.score);
}

/*
 * A model declares the features its splits read (ff_model.features, the
 * slot's ff_model_meta.features); a checkpoint computes those only. Random
 * forests over random subsets of 1 to 6 flow features decide flows as the
 * whole vector does; the scratch vector holds the model's features and
 * never one it does not read (the old code computed all 89 flow features
 * and read the 8 context rows at every checkpoint).
 */
static void classify_feature_subset(void **state)
{
	static const __u32 expensive[] = { FF_F_FLOW_IAT_STD, FF_F_PKT_LEN_VAR, FF_F_FWD_LEN_STD,
					   FF_F_FLOW_BYTES_PER_S, FF_F_IDLE_STD, FF_F_FWD_PKTS };
	struct pkt_spec s = {
		.family = 4, .proto = 17, .saddr = "10.18.0.1", .daddr = "10.18.0.2",
		.dport = 53,
	};
	struct ff_model_meta meta;
	struct ff_flow_key k;
	struct forest g;
	__u32 round, i, n, used, slot;
	__u64 t;

	REQUIRE_BPF();
	rnd_state = 0x51ab5e7ULL;
	for (round = 0; round < 12; round++) {
		forest_init(&g, 3);
		forest_gen(&g, 4, 4);
		/* each split reads one of n features */
		n = 1 + round % FF_ARRAY_SIZE(expensive);
		for (i = 0; i < g.m.n_nodes; i++)
			if (g.m.nodes[i].feature < FF_NUM_FEATURES)
				g.m.nodes[i].feature = expensive[rnd_below(n)];
		assert_int_equal(ff_model_validate(&g.m, NULL, 0), 0);
		for (i = 0, used = 0; i < FF_NUM_FEATURES; i++)
			used += ff_fset_has(&g.m.features, i);
		assert_true(used >= 1 && used <= n);
		assert_int_equal(install(&g.m), 0);
		slot = active_slot();
		assert_int_equal(bpf_map_lookup_elem(env.meta_fd, &slot, &meta), 0);
		assert_memory_equal(&meta.features, &g.m.features, sizeof(meta.features));

		scratch_feature(0, true);
		s.sport = 1000 + round;
		key_for(&k, 4, 17, s.saddr, s.sport, s.daddr, 53, false);
		for (i = 1, t = T0_US; i <= 8; i++) {
			s.payload_len = 10 + 37 * i % 400;
			t += 1000 + 7919 * i * i;
			send_pkt(H_XDP, &s, t, NULL);
			if (i == 1 || i == 2 || i == 4 || i == 8)
				verdict_is_full_vector(&g.m, &k);
		}
		for (i = 0; i < FF_NUM_FEATURES; i++)
			if (!ff_fset_has(&g.m.features, i) && scratch_feature(i, false))
				fail_msg("round %u: feature %u is not read by the model but was computed",
					 round, i);
		assert_int_equal(scratch_feature(FF_F_FWD_BYTES, false), 0);	/* > 0 in the flow */
		ff_model_free(&g.m);
	}
	/* a model reading a context feature gets the context rows */
	assert_int_equal(install_reading((__u32[]){ FF_F_CTX_SVC_FLOWS_1S }, 1), 0);
	scratch_feature(0, true);
	s.daddr = "10.18.0.3";	/* a service of its own */
	send_pkt(H_XDP, &s, T0_US, NULL);
	assert_int_equal(scratch_feature(FF_F_CTX_SVC_FLOWS_1S, false), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(infer_handwritten, test_setup),
		cmocka_unit_test_setup(infer_random_forest_matches_user_space, test_setup),
		cmocka_unit_test_setup(infer_max_trees, test_setup),
		cmocka_unit_test_setup(infer_full_node_table, test_setup),
		cmocka_unit_test_setup(infer_depth_32_tree, test_setup),
		cmocka_unit_test_setup(infer_max_trees_depth_32, test_setup),
		cmocka_unit_test_setup(swap_model_a_then_b, test_setup),
		cmocka_unit_test_setup(classify_low_score_alerts, test_setup),
		cmocka_unit_test_setup(classify_neighbour_discovery_passes, test_setup),
		cmocka_unit_test_setup(classify_by_phase, test_setup),
		cmocka_unit_test_setup(classify_early_needs_attack_share, test_setup),
		cmocka_unit_test_setup(classify_split_attack_votes, test_setup),
		cmocka_unit_test_setup(verified_insns_independent_of_model, test_setup),
		cmocka_unit_test_setup(swap_model_flow_follows_at_checkpoint, test_setup),
		cmocka_unit_test_setup(drop_verdict_holds, test_setup),
		cmocka_unit_test_setup(first_drop_is_tentative, test_setup),
		cmocka_unit_test_setup(classify_feature_subset, test_setup),
		cmocka_unit_test_setup(infer_unvalidated_slot_bounded, test_setup),
	};

	pin_one_cpu();
	return cmocka_run_group_tests_name("bpf_model", tests, group_setup, group_teardown);
}
