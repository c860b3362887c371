// SPDX-License-Identifier: MIT
/*
 * Issue 14 item 3, evaluated: a forest turned into BPF code against the
 * data-driven walk flowforest runs (ff_infer: the active model on a
 * feature vector). Both get the same forest: TREES comb trees of DEPTH
 * splits with 32-bit thresholds, each walked to its full depth.
 *
 * The generated side is C compiled by clang here (the best code a load-time
 * generator could hope to emit; flowforest itself would write instructions,
 * no compiler at run time). Per tree: nested comparisons on the features,
 * the leaf's vote added in a per-CPU map value (a stack array would make
 * every path through every tree a different verifier state).
 *
 *   codegen_eval TREES DEPTH [REPEAT]
 *
 * Prints one JSON line, for both: ns per model run (BPF_PROG_TEST_RUN,
 * median of 5) and the verified instructions of the program (flowforest's:
 * ff_xdp, the same for every model; generated: grows with the forest, and
 * null when the verifier refuses it). Needs root and clang.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "flowforest.skel.h"
#include "forest.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The median of `times` test runs of `rep` repeats (ns per run). */
static double run_ns(int prog, unsigned rep, int times)
{
	static __u8 pkt[64];
	double v[5];
	int i;

	for (i = 0; i < times; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = rep);

		if (bpf_prog_test_run_opts(prog, &tr)) {
			fprintf(stderr, "codegen_eval: test run: %s\n", strerror(errno));
			exit(1);
		}
		v[i] = tr.duration;
	}
	qsort(v, times, sizeof(v[0]), cmp_d);
	return v[times / 2];
}

static __u32 verified(int prog)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(prog, &info, &len) ? 0 : info.verified_insns;
}

/* Node `idx` of tree `t` as nested C. */
static void emit(FILE *f, const struct ff_model *m, __u32 idx, int ind)
{
	const struct ff_xnode *n = &m->nodes[idx];

	if (n->feature == FF_NODE_LEAF) {
		fprintf(f, "%*sv->votes[%u]++;\n", ind, "", n->left & 3);
		return;
	}
	fprintf(f, "%*sif (x->v[%u] <= %lluULL) {\n", ind, "", n->feature,
		(unsigned long long)n->threshold);
	emit(f, m, n->left, ind + 1);
	fprintf(f, "%*s} else {\n", ind, "");
	emit(f, m, n->right, ind + 1);
	fprintf(f, "%*s}\n", ind, "");
}

static int generated(const struct ff_model *m, unsigned rep, double *ns, __u32 *insns)
{
	char c_path[] = "/tmp/ff-codegen-XXXXXX", o_path[64], cmd[512];
	struct bpf_object *obj;
	struct bpf_program *p;
	FILE *f;
	int fd, t;

	fd = mkstemp(c_path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -1;
	fprintf(f, "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
		"struct fv { __u64 v[%d]; };\nstruct votes { __u32 votes[4]; };\n"
		"struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1);\n"
		"  __type(key, __u32); __type(value, struct fv); } fvm SEC(\".maps\");\n"
		"struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1);\n"
		"  __type(key, __u32); __type(value, struct votes); } vm SEC(\".maps\");\n"
		"SEC(\"xdp\") int gen_forest(struct xdp_md *ctx)\n{\n"
		" __u32 zero = 0, i, best = 0;\n struct fv *x = bpf_map_lookup_elem(&fvm, &zero);\n"
		" struct votes *v = bpf_map_lookup_elem(&vm, &zero);\n"
		" if (!x || !v) return XDP_ABORTED;\n"
		" for (i = 0; i < 4; i++) v->votes[i] = 0;\n", FF_NUM_FEATURES);
	for (t = 0; t < (int)m->n_trees; t++)
		emit(f, m, m->roots[t], 1);
	fprintf(f, " for (i = 1; i < 4; i++) if (v->votes[i] > v->votes[best]) best = i;\n"
		" return best == 9 ? XDP_DROP : XDP_PASS;\n}\n"
		"char LICENSE[] SEC(\"license\") = \"GPL\";\n");
	fclose(f);
	snprintf(o_path, sizeof(o_path), "%s.o", c_path);
	snprintf(cmd, sizeof(cmd), "clang -O2 -g -target bpf -I/usr/include/$(uname -m)-linux-gnu -x c -c %s -o %s", c_path, o_path);
	if (system(cmd)) {
		unlink(c_path);
		return -1;
	}
	unlink(c_path);
	obj = bpf_object__open_file(o_path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "codegen_eval: the generated program does not load\n");
		unlink(o_path);
		return -1;
	}
	unlink(o_path);
	p = bpf_object__find_program_by_name(obj, "gen_forest");
	*ns = run_ns(bpf_program__fd(p), rep, 5);
	*insns = verified(bpf_program__fd(p));
	bpf_object__close(obj);
	return 0;
}

struct walk_vs_native {
	double walk_ns, native_ns;
	__u32 xdp_verified, infer_verified, native_verified, native_insns;
	double code_ms, load_ms;
	const char *why;	/* no native forest: why */
};

/* The walk (the object's ff_infer) and the native forest (its copy with the
 * model's code), timed in alternation so that both see the same load. */
static int walked(const struct ff_model *m, unsigned rep, struct walk_vs_native *r)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT, .max_flows = 65536 };
	struct ff_infer_result res = { .pkts = 1 };
	struct ff_features zero_fv = {};
	static char why[256];
	struct ff_loader l;
	double w[5], n[5], t0;
	char err[512];
	__u32 zero = 0;
	int i, walk, nat;

	if (ff_loader_open(&l, &o, err, sizeof(err)) ||
	    ff_loader_install_model(&l, m, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "codegen_eval: %s\n", err);
		return -1;
	}
	bpf_map_update_elem(FF_MAP_FD(&l, ff_infer_in), &zero, &zero_fv, BPF_ANY);
	bpf_map_update_elem(FF_MAP_FD(&l, ff_infer_out), &zero, &res, BPF_ANY);
	walk = FF_SKEL_PROG_FD(&l, ff_infer);
	t0 = now_ms();
	nat = FF_PROG_FD(&l, ff_infer);	/* built here: the load's time */
	r->load_ms = now_ms() - t0;
	r->code_ms = l.native.code_ms;
	snprintf(why, sizeof(why), "%s", l.native.why);
	r->why = nat == walk ? why : NULL;
	for (i = 0; i < 5; i++) {
		w[i] = run_ns(walk, rep / 5 + 1, 1);
		n[i] = run_ns(nat, rep / 5 + 1, 1);
	}
	qsort(w, 5, sizeof(w[0]), cmp_d);
	qsort(n, 5, sizeof(n[0]), cmp_d);
	r->walk_ns = w[2];
	r->native_ns = n[2];
	r->xdp_verified = verified(FF_SKEL_PROG_FD(&l, ff_xdp));
	r->infer_verified = verified(walk);
	r->native_verified = nat == walk ? 0 : verified(nat);
	r->native_insns = (__u32)l.native.n_body;
	ff_loader_close(&l);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned rep = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000;
	struct ff_model m;
	struct walk_vs_native r;
	double gns;
	__u32 gi, i;

	if (argc < 3) {
		fprintf(stderr, "usage: codegen_eval TREES DEPTH [REPEAT]\n");
		return 2;
	}
	if (!getenv("CODEGEN_VERBOSE"))
		libbpf_set_print(NULL);
	if (comb_forest(&m, atoi(argv[1]), atoi(argv[2]))) {
		fprintf(stderr, "codegen_eval: that forest does not fit\n");
		return 1;
	}
	/* thresholds every zero feature passes: each tree walked to its depth */
	for (i = 0; i < m.n_nodes; i++)
		if (m.nodes[i].feature != FF_NODE_LEAF)
			m.nodes[i].threshold = 1 + (forest_rnd() & 0x7fffffff);
	if (walked(&m, rep, &r))
		return 1;
	printf("{\"trees\":%s,\"depth\":%s,\"walk_ns\":%.1f,\"walk_verified_insns\":%u,"
	       "\"infer_verified_insns\":%u,\"native_ns\":%.1f,\"native_insns\":%u,"
	       "\"native_verified_insns\":%u,\"native_code_ms\":%.2f,\"native_load_ms\":%.1f,"
	       "\"native_refused\":",
	       argv[1], argv[2], r.walk_ns, r.xdp_verified, r.infer_verified, r.native_ns,
	       r.native_insns, r.native_verified, r.code_ms, r.load_ms);
	if (r.why)
		printf("\"%s\",", r.why);
	else
		printf("null,");
	if (getenv("CODEGEN_NO_CLANG"))
		printf("\"generated_ns\":null,\"generated_verified_insns\":null,"
		       "\"generated_loads\":null}\n");
	else if (generated(&m, rep, &gns, &gi))	/* the verifier refused it */
		printf("\"generated_ns\":null,\"generated_verified_insns\":null,"
		       "\"generated_loads\":false}\n");
	else
		printf("\"generated_ns\":%.1f,\"generated_verified_insns\":%u,"
		       "\"generated_loads\":true}\n", gns, gi);
	ff_model_free(&m);
	return 0;
}
