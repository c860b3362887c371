// SPDX-License-Identifier: MIT
/* BPF tests, the native forest (src/forest_codegen.c, forest_native.c,
 * loader_native.c): the generated code against the walk, bit for bit, on
 * random forests with every leaf and threshold kind, phases and
 * combinations; the generation check; the cap. Harness:
 * tests/bpfenv/bpf_env.h. */
#include <sched.h>
#include "bpf_env.h"
#include "forest_codegen.h"
#include "forest_native.h"

/* Thresholds of every encoding: imm32, mov32 (2^31..2^32-1), ld_imm64. */
static const __u64 thr_pool[] = {
	0, 1, 17, 1000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	0x100000000ULL, 0x100000005ULL, ~0ULL - 1, 0x8000000000000000ULL,
};

static __u64 pick_thr(void)
{
	return rnd_below(4) ? thr_pool[rnd_below(FF_ARRAY_SIZE(thr_pool))] : rnd();
}

static __u32 gen_leaf(struct ff_model *m, __u32 combine)
{
	struct ff_xnode *n = &m->nodes[m->n_nodes];
	__u32 idx = m->n_nodes++;

	memset(n, 0, sizeof(*n));
	if (rnd_below(3) == 0) {
		__s32 v[FF_MAX_CLASSES];
		__u32 c;

		for (c = 0; c < m->n_classes; c++)
			v[c] = combine == FF_COMBINE_VOTE ? (__s32)rnd_below(50) :
				(__s32)rnd_below(2000001) - 1000000;
		n->feature = FF_NODE_LEAFVEC;
		n->vec = ff_model_add_leafvec(m, v);
		return idx;
	}
	n->feature = FF_NODE_LEAF;
	n->left = rnd_below(m->n_classes);
	n->right = combine == FF_COMBINE_VOTE ? 1 + rnd_below(1000) :
		(__u32)((__s32)rnd_below(2000001) - 1000000);
	return idx;
}

static __u32 gen_node(struct ff_model *m, __u32 depth, __u32 max_depth, __u32 combine)
{
	__u32 idx, l, r;

	if (depth == max_depth || (depth > 0 && rnd_below(5) == 0))
		return gen_leaf(m, combine);
	idx = m->n_nodes++;
	memset(&m->nodes[idx], 0, sizeof(m->nodes[idx]));
	m->nodes[idx].feature = rnd_below(FF_NUM_FEATURES);
	m->nodes[idx].threshold = pick_thr();
	l = gen_node(m, depth + 1, max_depth, combine);
	r = gen_node(m, depth + 1, max_depth, combine);
	m->nodes[idx].left = l;
	m->nodes[idx].right = r;
	return idx;
}

/* An empty model of n_classes classes named c0, c1, ..., every feature
 * readable, room for FF_MAX_NODES nodes. */
static void model_start(struct ff_model *m, __u32 n_classes)
{
	__u32 c;

	memset(m, 0, sizeof(*m));
	m->nodes = calloc(FF_MAX_NODES, sizeof(*m->nodes));
	assert_non_null(m->nodes);
	m->n_features = FF_NUM_FEATURES;
	for (c = 0; c < FF_NUM_FEATURES; c++)
		m->feature_ids[c] = c;
	m->n_classes = n_classes;
	for (c = 0; c < m->n_classes; c++)
		snprintf(m->class_names[c], FF_NAME_MAX, "c%u", c);
}

/* 1..3 phases of 1..6 trees each, vote or softmax at random. */
static void gen_model(struct ff_model *m, __u32 max_depth)
{
	__u32 p, t, c;
	char err[256];

	model_start(m, 2 + rnd_below(FF_MAX_CLASSES - 1));
	m->n_phases = 1 + rnd_below(3);
	for (p = 0; p < m->n_phases; p++) {
		struct ff_phase *ph = &m->phases[p];

		ph->from_pkts = p * 4;
		ph->first_tree = m->n_trees;
		ph->n_trees = 1 + rnd_below(6);
		ph->combine = rnd_below(2) ? FF_COMBINE_SOFTMAX : FF_COMBINE_VOTE;
		ph->scale_bits = ph->combine == FF_COMBINE_SOFTMAX ? 10 : 0;
		for (c = 0; c < m->n_classes && ph->combine == FF_COMBINE_SOFTMAX; c++)
			ph->bias[c] = (__s64)rnd_below(1 << 20) - (1 << 19);
		for (t = 0; t < ph->n_trees; t++) {
			m->roots[m->n_trees++] = m->n_nodes;
			gen_node(m, 0, 1 + rnd_below(max_depth), ph->combine);
		}
	}
	if (ff_model_validate(m, err, sizeof(err)))
		fail_msg("random model does not validate: %s", err);
}

static void random_vector(__u64 *v)
{
	size_t i;

	for (i = 0; i < FF_MAX_FEATURES; i++) {
		__u64 t = thr_pool[rnd_below(FF_ARRAY_SIZE(thr_pool))];

		switch (rnd_below(4)) {
		case 0:
			v[i] = t;
			break;
		case 1:
			v[i] = t + 1;
			break;
		case 2:
			v[i] = t - 1;
			break;
		default:
			v[i] = rnd();
		}
	}
}

struct run {
	struct ff_infer_result out;
	__s64 sums[FF_MAX_CLASSES];
	__u32 errors;
};

/* One ff_infer run of program `fd`, and the walk state's sums on this CPU
 * (the test runs on CPU 0 only). */
static struct run run_infer(int fd, const __u64 *v, __u32 pkts)
{
	static uint8_t frame[64];
	int ncpu = libbpf_num_possible_cpus();
	struct ff_walk *w = calloc(ncpu, sizeof(*w));
	struct ff_features in;
	struct run r;
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = 1);

	assert_non_null(w);
	memcpy(in.v, v, sizeof(in.v));
	memset(&r, 0, sizeof(r));
	r.out.pkts = pkts;
	assert_int_equal(bpf_map_update_elem(env.in_fd, &zero, &in, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(env.out_fd, &zero, &r.out, BPF_ANY), 0);
	assert_int_equal(bpf_prog_test_run_opts(fd, &o), 0);
	assert_int_equal(bpf_map_lookup_elem(env.out_fd, &zero, &r.out), 0);
	assert_int_equal(bpf_map_lookup_elem(FF_MAP_FD(&env.l, ff_walk_state), &zero, w), 0);
	memcpy(r.sums, w[0].sums, sizeof(r.sums));
	r.errors = w[0].errors;
	free(w);
	return r;
}

static void pin_cpu0(void)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(0, &s);
	assert_int_equal(sched_setaffinity(0, sizeof(s), &s), 0);
}

/* Program `a` and program `b` leave the same verdict and the same sums. */
static void compare_progs(int a, int b, int n_vectors)
{
	__u64 v[FF_MAX_FEATURES];
	int i;

	for (i = 0; i < n_vectors; i++) {
		__u32 pkts = rnd_below(16);
		struct run x, y;

		random_vector(v);
		x = run_infer(a, v, pkts);
		y = run_infer(b, v, pkts);
		assert_int_equal(x.out.n_trees, 1);
		assert_memory_equal(&x.out, &y.out, sizeof(x.out));
		assert_memory_equal(x.sums, y.sums, sizeof(x.sums));
		assert_int_equal(x.errors, 0);
	}
}

/* The emitted code equals the walk on random forests: thresholds of every
 * width, vector leaves, phases, vote and softmax. */
static void native_equals_walk(void **state)
{
	struct ff_model m;
	int k;

	REQUIRE_BPF();
	pin_cpu0();
	rnd_state = 0x452821e638d01377ULL;
	for (k = 0; k < 12; k++) {
		int walk = FF_SKEL_PROG_FD(&env.l, ff_infer), nat;

		gen_model(&m, 2 + rnd_below(12));
		assert_int_equal(install(&m), 0);
		nat = env_infer();
		if (nat == walk)
			fail_msg("no native forest: %s", env.l.native.why);
		assert_true(env.l.native.n_body > 0);
		compare_progs(walk, nat, 200);
		ff_model_free(&m);
	}
}

/* A native copy compiled for another generation walks: after a swap, the
 * old code answers as the new model's walk, not as the old model. */
static void native_generation_mismatch_walks(void **state)
{
	struct ff_model a, b;
	struct bpf_insn *body;
	struct ff_native_prog np;
	char err[256];
	size_t n;
	__u32 gen_a;

	REQUIRE_BPF();
	pin_cpu0();
	rnd_state = 0xbe5466cf34e90c6cULL;
	gen_model(&a, 8);
	gen_model(&b, 8);
	assert_int_equal(install(&a), 0);
	gen_a = env.l.native.generation;
	assert_int_not_equal(gen_a, 0);
	assert_int_equal(ff_codegen_forest(&a, gen_a, FF_NATIVE_MAX_INSNS, &body, &n, err,
					   sizeof(err)), 0);
	assert_int_equal(ff_native_load(env.l.skel->progs.ff_infer, body, n, &np, err,
					sizeof(err)), 0);
	free(body);
	/* under a: the copy is a's code */
	compare_progs(FF_SKEL_PROG_FD(&env.l, ff_infer), np.fd, 50);
	assert_int_equal(install(&b), 0);
	/* under b: the walk of b, although the code is a's (without the
	 * check, a's sums: the models differ, biases and all) */
	compare_progs(FF_SKEL_PROG_FD(&env.l, ff_infer), np.fd, 200);
	close(np.fd);
	ff_model_free(&a);
	ff_model_free(&b);
}

/* A model over the instruction cap, or with a tree the walk would abandon,
 * gets no code: the walk runs. */
static void native_refuses_over_cap_and_bad_trees(void **state)
{
	struct ff_model m;
	struct bpf_insn *body;
	char err[256];
	size_t n;

	REQUIRE_BPF();
	rnd_state = 0xc0ac29b7c97c50ddULL;
	gen_model(&m, 10);
	assert_int_equal(ff_codegen_forest(&m, 7, FF_NATIVE_MAX_INSNS, &body, &n, err,
					   sizeof(err)), 0);
	free(body);
	assert_int_equal(ff_codegen_forest(&m, 7, n - 1, &body, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cap"));
	/* a split whose kind is no feature: the walk never leaves it */
	m.knodes[m.kroots[0]].kind = 0x0fff;
	assert_int_equal(ff_codegen_forest(&m, 7, FF_NATIVE_MAX_INSNS, &body, &n, err,
					   sizeof(err)), -1);
	assert_non_null(strstr(err, "abandon"));
	ff_model_free(&m);
}

/* Through the loader: a model over the cap runs as the walk, everywhere. */
static void native_over_cap_walks(void **state)
{
	struct ff_model m;

	REQUIRE_BPF();
	pin_cpu0();
	rnd_state = 0x3f84d5b5b5470917ULL;
	gen_model(&m, 10);
	env.l.native.max_insns = 20;
	assert_int_equal(install(&m), 0);
	env.l.native.max_insns = 0;
	assert_int_equal(env_infer(), FF_SKEL_PROG_FD(&env.l, ff_infer));
	assert_int_equal(env_prog(H_XDP), FF_SKEL_PROG_FD(&env.l, ff_xdp));
	assert_null(env.l.native.body);
	assert_non_null(strstr(env.l.native.why, "cap"));
	ff_model_free(&m);
}

/* A full tree of `depth` splits under root `i`, scalar leaves. */
static __u32 gen_full(struct ff_model *m, __u32 depth, __u64 thr)
{
	__u32 idx = m->n_nodes++, l, r;
	struct ff_xnode *n = &m->nodes[idx];

	memset(n, 0, sizeof(*n));
	if (!depth) {
		n->feature = FF_NODE_LEAF;
		n->left = rnd_below(m->n_classes);
		n->right = 1 + rnd_below(1000);
		return idx;
	}
	n->feature = rnd_below(FF_NUM_FEATURES);
	n->threshold = thr ? thr : pick_thr();
	l = gen_full(m, depth - 1, thr);
	r = gen_full(m, depth - 1, thr);
	m->nodes[idx].left = l;
	m->nodes[idx].right = r;
	return idx;
}

static void gen_full_model(struct ff_model *m, __u32 trees, __u32 depth, __u64 thr)
{
	char err[256];
	__u32 t;

	model_start(m, 4);
	for (t = 0; t < trees; t++) {
		m->roots[t] = m->n_nodes;
		gen_full(m, depth, thr);
	}
	m->n_trees = trees;
	if (ff_model_validate(m, err, sizeof(err)))
		fail_msg("full model does not validate: %s", err);
}

/* Trees whose subtrees span more than a 16-bit jump: the far compare
 * (if r0 <= thr skip; gotol right) and gotol to the tree's end. */
static void native_far_jumps(void **state)
{
	struct ff_model m;

	REQUIRE_BPF();
	pin_cpu0();
	rnd_state = 0x9216d5d98979fb1bULL;
	gen_full_model(&m, 2, 14, 0);
	assert_int_equal(install(&m), 0);
	assert_true(env.l.native.n_body > 2 * 32768);
	if (env_infer() == FF_SKEL_PROG_FD(&env.l, ff_infer))
		fail_msg("no native forest: %s", env.l.native.why);
	compare_progs(FF_SKEL_PROG_FD(&env.l, ff_infer), env_infer(), 300);
	ff_model_free(&m);
}

/* The largest code the cap lets through loads in a copy of ff_xdp, the
 * largest program: the verifier's work stays inside its limit. */
static void native_at_cap_loads(void **state)
{
	struct ff_model m;

	REQUIRE_BPF();
	rnd_state = 0x636920d871574e69ULL;
	/* 64 full trees of depth 10: 131,008 nodes, ~393,000 instructions */
	gen_full_model(&m, 64, 10, 1000);
	assert_int_equal(install(&m), 0);
	assert_true(env.l.native.n_body > FF_NATIVE_MAX_INSNS * 95 / 100);
	if (env_prog(H_XDP) == FF_SKEL_PROG_FD(&env.l, ff_xdp))
		fail_msg("the copy of ff_xdp at the cap does not load: %s", env.l.native.why);
	print_message("[ cap     ] %zu instructions of code: ff_xdp's copy verified %u "
		      "instructions\n", env.l.native.n_body, env.l.native.verified[0]);
	ff_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(native_equals_walk, test_setup),
		cmocka_unit_test_setup(native_generation_mismatch_walks, test_setup),
		cmocka_unit_test_setup(native_refuses_over_cap_and_bad_trees, test_setup),
		cmocka_unit_test_setup(native_over_cap_walks, test_setup),
		cmocka_unit_test_setup(native_far_jumps, test_setup),
		cmocka_unit_test_setup(native_at_cap_loads, test_setup),
	};

	return cmocka_run_group_tests_name("bpf_native", tests, group_setup, group_teardown);
}
