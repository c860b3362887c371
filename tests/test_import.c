// SPDX-License-Identifier: MIT
/*
 * Imported models: exact integer thresholds from scikit-learn's x <= t and
 * XGBoost's x < t, refusal of features the kernel does not compute, and
 * models trained by python3-xgboost and python3-sklearn (tree, forest, extra
 * trees, gradient boosting; binary and multi-class) that, imported, agree
 * with their own predict() on every test row of integer inputs in
 * flowforest's units: in user space and, as root, in the kernel (ff_infer).
 * The Python part skips with a message when xgboost or sklearn is missing
 * (scripts/install-deps.sh installs them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataset.h"
#include "features_info.h"
#include "import.h"
#include "loader.h"
#include "flowforest.skel.h"
#include "model_file.h"
#include "scratch.h"

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int import(const char *path, int from, const char *features, const char *classes,
		  struct ff_model *m, char *err, size_t errlen)
{
	struct ff_import_opts o = { .from = from, .features = features, .classes = classes };
	struct ff_import_info info;

	return ff_import(path, &o, m, &info, err, errlen);
}

static __u32 predict1(const struct ff_model *m, __u64 pkts)
{
	__u64 v[FF_MAX_FEATURES] = { 0 };
	__u32 score;

	v[FF_F_FWD_PKTS] = pkts;
	return ff_model_predict(m, v, &score);
}

/* x <= 2.5 is x <= 2; x < 2.5 and x < 3 are x <= 2; a split no integer
 * takes one way is its other child; unknown features are refused. */
static void test_thresholds(void **state)
{
	static const char skl[] =
		"{\"format\":\"sklearn-trees\",\"version\":1,\"estimator\":\"DecisionTreeClassifier\","
		"\"classes\":[\"lo\",\"hi\"],\"features\":[\"Total Fwd Packet\",\"Bogus\"],\"combine\":\"average\","
		"\"trees\":[{\"children_left\":[1,-1,3,-1,-1],\"children_right\":[2,-1,4,-1,-1],"
		"\"feature\":[0,-2,0,-2,-2],\"threshold\":[2.5,-2,-0.5,-2,-2],"
		"\"value\":[[0.5,0.5],[1,0],[0,1],[1,0],[0.25,0.75]]}]}";
	static const char xgb[] =
		"{\"learner\":{\"feature_names\":[\"fwd_pkts\"],\"gradient_booster\":{\"name\":\"gbtree\","
		"\"model\":{\"tree_info\":[0],\"trees\":[{\"left_children\":[1,-1,-1],\"right_children\":[2,-1,-1],"
		"\"split_indices\":[0,0,0],\"split_conditions\":[THR,0.5,-0.5],\"split_type\":[0,0,0]}]}},"
		"\"learner_model_param\":{\"base_score\":\"5E-1\",\"num_class\":\"0\"},"
		"\"objective\":{\"name\":\"binary:logistic\"}},\"version\":[1,7,4]}";
	struct ff_model m;
	char err[512], buf[2048], *p;

	(void)state;
	write_file(tmp_path("skl.json"), skl);
	if (import(tmp_path("skl.json"), FF_IMPORT_SKLEARN, NULL, NULL, &m, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(m.phases[0].combine, FF_COMBINE_VOTE);
	assert_int_equal(m.nodes[m.roots[0]].threshold, 2);	/* x <= 2.5 */
	assert_int_equal(predict1(&m, 2), 0);
	assert_int_equal(predict1(&m, 3), 1);		/* x <= -0.5: never; right leaf */
	assert_int_equal(m.n_nodes, 3);
	ff_model_free(&m);
	/* the same tree splitting on a feature the kernel lacks */
	assert_int_equal(import(tmp_path("skl.json"), FF_IMPORT_SKLEARN, "Bogus,Total Fwd Packet",
				NULL, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "\"Bogus\" is not one the kernel computes"));

	strcpy(buf, xgb);
	p = strstr(buf, "THR");
	memcpy(p, "2.5", 3);
	write_file(tmp_path("xgb.json"), buf);
	if (import(tmp_path("xgb.json"), FF_IMPORT_XGBOOST, NULL, "no,yes", &m, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(m.nodes[m.roots[0]].threshold, 2);	/* x < 2.5 */
	assert_int_equal(predict1(&m, 2), 1);			/* margin +0.5: yes */
	assert_int_equal(predict1(&m, 3), 0);
	assert_string_equal(m.class_names[1], "yes");
	ff_model_free(&m);
	strcpy(buf, xgb);
	p = strstr(buf, "THR");
	memcpy(p, "3.0", 3);
	write_file(tmp_path("xgb.json"), buf);
	if (import(tmp_path("xgb.json"), FF_IMPORT_XGBOOST, NULL, NULL, &m, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(m.nodes[m.roots[0]].threshold, 2);	/* x < 3 */
	assert_string_equal(m.class_names[0], "0");
	ff_model_free(&m);
	memcpy(p, "0.0", 3);		/* x < 0: never */
	write_file(tmp_path("xgb.json"), buf);
	if (import(tmp_path("xgb.json"), FF_IMPORT_XGBOOST, NULL, NULL, &m, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(m.n_nodes, 1);
	assert_int_equal(predict1(&m, 0), 0);
	ff_model_free(&m);
	write_file(tmp_path("bad.json"), "{\"learner\":{\"objective\":{\"name\":\"reg:squarederror\"},"
		   "\"gradient_booster\":{\"name\":\"gbtree\"}}}");
	assert_int_equal(import(tmp_path("bad.json"), FF_IMPORT_XGBOOST, NULL, NULL, &m, err,
				sizeof(err)), -1);
	assert_non_null(strstr(err, "reg:squarederror"));
	assert_int_equal(import(tmp_path("skl.json"), FF_IMPORT_XGBOOST, NULL, NULL, &m, err,
				sizeof(err)), -1);
	assert_non_null(strstr(err, "not an XGBoost JSON model"));
}

/* CIC's names mean CIC's definitions: "ICMP Type" is the feature minus 1
 * (CIC's -1 is "no ICMP"), so x <= 7.5 on CIC's value is feature <= 8;
 * "FWD Init Win Bytes" is not the kernel's fwd_init_win: refused. */
static void test_cic_columns(void **state)
{
	static const char skl[] =
		"{\"format\":\"sklearn-trees\",\"version\":1,\"estimator\":\"DecisionTreeClassifier\","
		"\"classes\":[\"lo\",\"hi\"],\"features\":[\"ICMP Type\",\"FWD Init Win Bytes\"],"
		"\"combine\":\"average\",\"trees\":[{\"children_left\":[1,-1,-1],\"children_right\":[2,-1,-1],"
		"\"feature\":[FEAT,-2,-2],\"threshold\":[7.5,-2,-2],\"value\":[[0.5,0.5],[1,0],[0,1]]}]}";
	struct ff_model m;
	char err[512], buf[1024], *p;
	int fid;

	(void)state;
	strcpy(buf, skl);
	p = strstr(buf, "FEAT");
	memmove(p + 1, p + 4, strlen(p + 4) + 1);
	*p = '0';
	write_file(tmp_path("cic.json"), buf);
	if (import(tmp_path("cic.json"), FF_IMPORT_SKLEARN, NULL, NULL, &m, err, sizeof(err)))
		fail_msg("%s", err);
	fid = ff_cic_column_find("ICMP Type")->fid;
	assert_int_equal(m.nodes[m.roots[0]].feature, fid);
	assert_int_equal(m.nodes[m.roots[0]].threshold, 8);
	ff_model_free(&m);
	*p = '1';
	write_file(tmp_path("cic.json"), buf);
	assert_int_equal(import(tmp_path("cic.json"), FF_IMPORT_SKLEARN, NULL, NULL, &m, err,
				sizeof(err)), -1);
	assert_non_null(strstr(err, "\"FWD Init Win Bytes\" is CIC's, which the kernel does not compute"));
}

/* ---------------------------------------------------- trained in Python */

static const char *const feats = "Dst Port,Flow Duration,Total Fwd Packet,Fwd Packet Length Max";

static __u64 lcg_state;

static __u32 lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return lcg_state >> 33;
}

/* Integers in flowforest's units (below 2^24: exact in float32 too). */
static void write_data(const char *path, unsigned n)
{
	static const char *const cls[4] = { "benign", "flood", "scan", "slow" };
	FILE *f = fopen(path, "w");
	unsigned i;

	assert_non_null(f);
	fprintf(f, "%s,Label\n", feats);
	for (i = 0; i < n; i++) {
		unsigned port = (unsigned[]){ 22, 53, 80, 443, 8080 }[lcg() % 5];
		unsigned dur = lcg() % 5000000, pkts = 1 + lcg() % 300, len = lcg() % 1500, c;

		c = pkts > 200 && len < 200 ? 1 : pkts < 4 ? 2 : dur > 4000000 ? 3 : 0;
		if (lcg() % 25 == 0)
			c = lcg() % 4;
		fprintf(f, "%u,%u,%u,%u,%s\n", port, dur, pkts, len, cls[c]);
	}
	assert_int_equal(fclose(f), 0);
}

static int root_user(void)
{
	return geteuid() == 0;
}

/* Every row of NAME-pred.csv: the imported model's class (user space and,
 * as root, the kernel) against the original's "predicted". */
static void check_agreement(const char *name, const struct ff_model *m)
{
	struct ff_dataset_opts o = { .label_column = "predicted", .feature_ids = m->feature_ids,
				     .n_feature_ids = m->n_features };
	struct ff_load_opts lo = { .cfg = FF_CONFIG_DEFAULT };
	char path[300], err[512];
	const char *paths[1] = { path };
	struct ff_dataset ds;
	struct ff_loader l;
	size_t r, same = 0, kernel = 0;
	__u32 zero = 0;
	__u8 pkt[64] = {};
	int prog = -1, in_fd = -1, out_fd = -1;

	snprintf(path, sizeof(path), "%s/%s-pred.csv", tmpdir, name);
	if (ff_dataset_load(&ds, paths, 1, &o, err, sizeof(err)))
		fail_msg("%s", err);
	if (root_user()) {
		if (ff_loader_open(&l, &lo, err, sizeof(err)) ||
		    ff_loader_install_model(&l, m, NULL, err, sizeof(err)))
			fail_msg("%s", err);
		prog = FF_PROG_FD(&l, ff_infer);
		in_fd = FF_MAP_FD(&l, ff_infer_in);
		out_fd = FF_MAP_FD(&l, ff_infer_out);
	}
	for (r = 0; r < ds.n_rows; r++) {
		struct ff_features v = {};
		__u32 score, cls;

		ff_dataset_row(&ds, r, v.v);
		cls = ff_model_predict(m, v.v, &score);
		if (strcmp(m->class_names[cls], ds.class_names[ds.y[r]])) {
			char where[256];

			ff_dataset_row_origin(&ds, r, where, sizeof(where));
			fail_msg("%s: %s: the original predicts \"%s\", the import \"%s\"", name, where,
				 ds.class_names[ds.y[r]], m->class_names[cls]);
		}
		same++;
		if (prog >= 0) {
			struct ff_infer_result out;
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .data_size_in = sizeof(pkt),
				    .repeat = 1);

			assert_int_equal(bpf_map_update_elem(in_fd, &zero, &v, BPF_ANY), 0);
			assert_int_equal(bpf_prog_test_run_opts(prog, &tr), 0);
			assert_int_equal(bpf_map_lookup_elem(out_fd, &zero, &out), 0);
			assert_int_equal(out.cls, cls);
			assert_int_equal(out.score, score);
			kernel++;
		}
	}
	print_message("[ import  ] %s: %u trees; the import agrees with the original's predict() on "
		      "%zu of %zu test rows%s\n", name, m->n_trees, same, ds.n_rows,
		      prog >= 0 ? ", in the kernel too" : " (not root: user space only)");
	assert_int_equal(same, ds.n_rows);
	if (prog >= 0) {
		assert_int_equal(kernel, ds.n_rows);
		ff_loader_close(&l);
	}
	ff_dataset_free(&ds);
}

static void test_python_models(void **state)
{
	static const struct { const char *name, *file, *classes; int from; } models[] = {
		{ "xgb_multi", "xgb_multi.json", "benign,flood,scan,slow", FF_IMPORT_XGBOOST },
		{ "xgb_binary", "xgb_binary.json", NULL, FF_IMPORT_XGBOOST },
		{ "sk_tree", "sk_tree-trees.json", NULL, FF_IMPORT_SKLEARN },
		{ "sk_forest", "sk_forest-trees.json", NULL, FF_IMPORT_SKLEARN },
		{ "sk_extra", "sk_extra-trees.json", NULL, FF_IMPORT_SKLEARN },
		{ "sk_gb", "sk_gb-trees.json", NULL, FF_IMPORT_SKLEARN },
		{ "sk_gb_binary", "sk_gb_binary-trees.json", NULL, FF_IMPORT_SKLEARN },
	};
	char cmd[1024], err[512];
	size_t i;
	int rc;

	(void)state;
	lcg_state = 77;
	write_data(tmp_path("train.csv"), 4000);
	write_data(tmp_path("test.csv"), 1500);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/import_models.py '%s'", tmpdir);
	rc = system(cmd);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
		print_message("python3-xgboost or python3-sklearn missing (scripts/install-deps.sh installs them): skipping\n");
		skip();
	}
	assert_int_equal(rc, 0);
	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		struct ff_model m;
		char path[300];

		snprintf(path, sizeof(path), "%s/%s", tmpdir, models[i].file);
		/* XGBoost's binary model has no feature names: give them */
		if (import(path, models[i].from, models[i].from == FF_IMPORT_XGBOOST &&
			   !models[i].classes ? feats : NULL, models[i].classes, &m, err, sizeof(err)))
			fail_msg("%s: %s", models[i].name, err);
		check_agreement(models[i].name, &m);
		ff_model_free(&m);
	}
	/* the command, with its own check */
	snprintf(cmd, sizeof(cmd), "./flowforest model import --from sklearn '%s/sk_forest-trees.json' "
		 "-o '%s/ff.json' --check '%s/sk_forest-pred.csv' -a flood=drop | grep -q "
		 "'agrees with the original.s predictions on 1500 of 1500 rows'", tmpdir, tmpdir, tmpdir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	return scratch_make(tmpdir, sizeof(tmpdir), "import");
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_cic_columns),
		cmocka_unit_test(test_python_models),
	};

	return cmocka_run_group_tests_name("import", tests, setup, teardown);
}
