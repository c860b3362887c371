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

static double run_ns(int prog, unsigned rep)
{
	static __u8 pkt[64];
	double v[5];
	int i;

	for (i = 0; i < 5; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = rep);

		if (bpf_prog_test_run_opts(prog, &tr)) {
			fprintf(stderr, "codegen_eval: test run: %s\n", strerror(errno));
			exit(1);
		}
		v[i] = tr.duration;
	}
	qsort(v, 5, sizeof(v[0]), cmp_d);
	return v[2];
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
	*ns = run_ns(bpf_program__fd(p), rep);
	*insns = verified(bpf_program__fd(p));
	bpf_object__close(obj);
	return 0;
}

static int walked(const struct ff_model *m, unsigned rep, double *ns, __u32 *insns)
{
	struct ff_load_opts o = { .cfg = FF_CONFIG_DEFAULT, .max_flows = 65536 };
	struct ff_infer_result res = { .pkts = 1 };
	struct ff_features zero_fv = {};
	struct ff_loader l;
	char err[512];
	__u32 zero = 0;

	if (ff_loader_open(&l, &o, err, sizeof(err)) ||
	    ff_loader_install_model(&l, m, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "codegen_eval: %s\n", err);
		return -1;
	}
	bpf_map_update_elem(FF_MAP_FD(&l, ff_infer_in), &zero, &zero_fv, BPF_ANY);
	bpf_map_update_elem(FF_MAP_FD(&l, ff_infer_out), &zero, &res, BPF_ANY);
	*ns = run_ns(FF_PROG_FD(&l, ff_infer), rep);
	*insns = verified(FF_PROG_FD(&l, ff_xdp));
	ff_loader_close(&l);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned rep = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000;
	struct ff_model m;
	double gns, wns;
	__u32 gi, wi, i;

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
	if (walked(&m, rep, &wns, &wi))
		return 1;
	printf("{\"trees\":%s,\"depth\":%s,\"walk_ns\":%.1f,\"walk_verified_insns\":%u,",
	       argv[1], argv[2], wns, wi);
	if (generated(&m, rep, &gns, &gi))	/* the verifier refused it */
		printf("\"generated_ns\":null,\"generated_verified_insns\":null,"
		       "\"generated_loads\":false}\n");
	else
		printf("\"generated_ns\":%.1f,\"generated_verified_insns\":%u,"
		       "\"generated_loads\":true}\n", gns, gi);
	ff_model_free(&m);
	return 0;
}
