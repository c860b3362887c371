// SPDX-License-Identifier: MIT
/*
 * The kernel agrees with the trainer: forests and boosted trees trained on
 * real data (the
 * CIC-IDS2017 sample and UNSW-NB15 when ../shared/data is here, and a
 * synthetic dataset always) are installed in the kernel, and every test row
 * goes through the BPF inference code itself (ff_infer, BPF_PROG_TEST_RUN).
 * The kernel's class and score must equal ff_model_predict() and the
 * trainer's own float-threshold vote on 100 % of the rows.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataset.h"
#include "gbdt.h"
#include "loader.h"
#include "flowforest.skel.h"
#include "model_file.h"
#include "train.h"

static const char *data_dir(void)
{
	static char dir[512];
	const char *env = getenv("FLOWFOREST_DATA");

	snprintf(dir, sizeof(dir), "%s", env ? env : "../shared/data");
	return access(dir, R_OK) == 0 ? dir : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The trainer's own decision for dataset row r. */
typedef __u32 (*trainer_fn)(const void *t, const struct ff_dataset *ds, size_t r);

static __u32 forest_pred(const void *t, const struct ff_dataset *ds, size_t r)
{
	return ff_forest_predict_float(t, ds, r);
}

static __u32 gbdt_pred(const void *t, const struct ff_dataset *ds, size_t r)
{
	return ff_gbdt_predict_float(t, ds, r);
}

/* Every listed row through the kernel (ff_infer): its class and score
 * equal user space's walk, and its class the trainer's. Then the cost of
 * one model run in the kernel, measured (BPF_PROG_TEST_RUN, 1000 runs). */
static void kernel_agrees(const struct ff_dataset *ds, const struct ff_model *m,
			  const size_t *rows, size_t n, trainer_fn fn, const void *t,
			  const char *what)
{
	struct ff_load_opts lo = { .cfg = FF_CONFIG_DEFAULT };
	struct ff_loader l;
	size_t i, agree_rows = 0;
	char err[512];
	__u32 zero = 0, ns = 0;
	int prog, in_fd, out_fd;
	__u8 pkt[64] = {};

	if (ff_loader_open(&l, &lo, err, sizeof(err)) ||
	    ff_loader_install_model(&l, m, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	prog = FF_PROG_FD(&l, ff_infer);
	in_fd = FF_MAP_FD(&l, ff_infer_in);
	out_fd = FF_MAP_FD(&l, ff_infer_out);
	for (i = 0; i < n; i++) {
		struct ff_features v = {};
		struct ff_infer_result o;
		__u32 user_score, user, trainer;
		LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = i + 1 == n ? 1000 : 1);

		ff_dataset_row(ds, rows[i], v.v);
		assert_int_equal(bpf_map_update_elem(in_fd, &zero, &v, BPF_ANY), 0);
		assert_int_equal(bpf_prog_test_run_opts(prog, &tr), 0);
		assert_int_equal(bpf_map_lookup_elem(out_fd, &zero, &o), 0);
		ns = tr.duration;
		user = ff_model_predict(m, v.v, &user_score);
		trainer = fn(t, ds, rows[i]);
		if (o.cls != user || o.score != user_score || o.cls != trainer || o.errors ||
		    !o.n_trees) {
			char where[256];

			ff_dataset_row_origin(ds, rows[i], where, sizeof(where));
			fail_msg("%s: kernel class %u (score %u, errors %u), user space %u (score %u), "
				 "trainer %u", where, o.cls, o.score, o.errors, user, user_score, trainer);
		}
		agree_rows++;
	}
	print_message("[ agree   ] %s, %s: %u tree(s) of depth <= %u (%u nodes): kernel == user space == "
		      "trainer on %zu of %zu test rows; one run in the kernel: %u ns\n",
		      ds->files ? ds->files[0].path : "synthetic", what, m->n_trees, m->max_depth,
		      m->n_knodes, agree_rows, n, ns);
	assert_int_equal(agree_rows, n);
	ff_loader_close(&l);
}

/* 70/30 split (seed 7); `perm` gets the order, the first 30 % are tested. */
static size_t split(const struct ff_dataset *ds, size_t **perm)
{
	*perm = malloc(ds->n_rows * sizeof(**perm));
	assert_non_null(*perm);
	ff_random_permutation(*perm, ds->n_rows, 7);
	return ds->n_rows * 3 / 10;
}

/* Train on 70 %, then every one of the other 30 % through the kernel. */
static void agree(const struct ff_dataset *ds, int kind, unsigned trees, unsigned depth)
{
	struct ff_train_params p;
	struct ff_forest f;
	struct ff_model m;
	size_t *perm, n_test = split(ds, &perm);
	char err[512];

	ff_train_params_default(&p, kind);
	p.n_trees = trees;
	p.max_depth = depth;
	p.threads = 2;
	if (ff_train_forest(ds, perm + n_test, ds->n_rows - n_test, &p, &f, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(ff_forest_to_model(&f, ds, &m, err, sizeof(err)), 0);
	kernel_agrees(ds, &m, perm, n_test, forest_pred, &f, kind == FF_TRAIN_RF ? "forest" : "tree");
	ff_model_free(&m);
	ff_forest_free(&f);
	free(perm);
}

/* The same for boosted trees, with the trainer's float margins. */
static void agree_gbdt(const struct ff_dataset *ds, unsigned rounds, unsigned depth)
{
	struct ff_gbdt_params p;
	struct ff_gbdt g;
	struct ff_model m;
	struct ff_gbdt_check c = { ds, NULL, 0 };
	size_t *perm, n_test = split(ds, &perm);
	char err[512];

	ff_gbdt_params_default(&p);
	p.rounds = rounds;
	p.max_depth = depth;
	p.threads = 2;
	if (ff_gbdt_train(ds, perm + n_test, ds->n_rows - n_test, &p, &g, err, sizeof(err)))
		fail_msg("%s", err);
	if (ff_gbdt_to_model(&g, ds, &c, 1, 2, &m, err, sizeof(err)))
		fail_msg("%s", err);
	kernel_agrees(ds, &m, perm, n_test, gbdt_pred, &g, "boosted");
	ff_model_free(&m);
	ff_gbdt_free(&g);
	free(perm);
}

static void need_root(void)
{
	if (geteuid() != 0) {
		print_message("not root: skipping (BPF needs root)\n");
		skip();
	}
}

static void test_agree_synthetic(void **state)
{
	char path[] = "/tmp/ff-agree-XXXXXX.csv";
	const char *paths[1] = { path };
	struct ff_dataset_opts o = {};
	struct ff_dataset ds;
	char err[512];
	FILE *f;
	int fd, i;
	__u64 x = 88172645463325252ULL;

	(void)state;
	need_root();
	fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "Dst Port,Total Fwd Packet,Flow Duration,Fwd Packet Length Mean,Label\n");
	for (i = 0; i < 6000; i++) {
		__u64 port, pkts, dur, mean;
		const char *label;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		port = (__u64[]){ 22, 53, 80, 443, 8080 }[x % 5];
		pkts = 1 + (x >> 8) % 500;
		dur = (x >> 20) % 10000000;
		mean = (x >> 40) % 1400;
		label = pkts > 300 && mean < 100 ? "flood" : port == 22 && dur < 200000 ? "brute" :
			mean > 1000 ? "bulk" : "benign";
		fprintf(f, "%llu,%llu,%llu,%llu.%llu,%s\n", (unsigned long long)port,
			(unsigned long long)pkts, (unsigned long long)dur, (unsigned long long)mean,
			(unsigned long long)(x % 10), label);
	}
	fclose(f);
	if (ff_dataset_load(&ds, paths, 1, &o, err, sizeof(err)))
		fail_msg("%s", err);
	agree(&ds, FF_TRAIN_DT, 1, 16);
	agree(&ds, FF_TRAIN_RF, 64, 12);
	/* 4 classes x 80 rounds: 320 trees, more than the old limit of 256 */
	agree_gbdt(&ds, 80, 4);
	ff_dataset_free(&ds);
	unlink(path);
}

static void test_agree_cic(void **state)
{
	const char *dir = data_dir();
	char sub[600], *paths[64];
	struct ff_dataset_opts o = {};
	struct ff_dataset ds;
	char err[512];
	unsigned n = 0, i;
	struct dirent *de;
	DIR *d;

	(void)state;
	need_root();
	if (!dir) {
		print_message("no ../shared/data: skipping the CIC-IDS2017 agreement test\n");
		skip();
		return;
	}
	snprintf(sub, sizeof(sub), "%s/cicids2017-improved-sample", dir);
	d = opendir(sub);
	if (!d) {
		print_message("no %s: skipping\n", sub);
		skip();
		return;
	}
	while ((de = readdir(d)) && n < 64) {
		size_t len = strlen(de->d_name);

		if (len > 4 && !strcmp(de->d_name + len - 4, ".csv") &&
		    strcmp(de->d_name, "data_header_reference.csv")) {
			paths[n] = malloc(strlen(sub) + len + 2);
			sprintf(paths[n++], "%s/%s", sub, de->d_name);
		}
	}
	closedir(d);
	qsort(paths, n, sizeof(paths[0]), cmp_str);
	if (ff_dataset_load(&ds, (const char *const *)paths, n, &o, err, sizeof(err)))
		fail_msg("%s", err);
	agree(&ds, FF_TRAIN_DT, 1, 12);
	agree(&ds, FF_TRAIN_RF, 32, 12);
	ff_dataset_free(&ds);
	for (i = 0; i < n; i++)
		free(paths[i]);
}

/*
 * The boosted model of the done-when check: the CIC sample's 11 classes
 * with at least 100 rows (the file names carry the counts), 20 rounds of
 * depth 6: 220 trees, every test row through the kernel.
 */
static void test_agree_cic_gbdt(void **state)
{
	const char *dir = data_dir();
	char sub[600], *paths[64];
	struct ff_dataset_opts o = {};
	struct ff_dataset ds;
	char err[512];
	unsigned n = 0, i;
	struct dirent *de;
	DIR *d;

	(void)state;
	need_root();
	if (!dir) {
		print_message("no ../shared/data: skipping the CIC-IDS2017 boosted agreement test\n");
		skip();
		return;
	}
	snprintf(sub, sizeof(sub), "%s/cicids2017-improved-sample", dir);
	d = opendir(sub);
	if (!d) {
		print_message("no %s: skipping\n", sub);
		skip();
		return;
	}
	while ((de = readdir(d)) && n < 64) {
		size_t len = strlen(de->d_name);
		const char *us = strrchr(de->d_name, '_');

		if (len > 4 && !strcmp(de->d_name + len - 4, ".csv") && us && atoi(us + 1) >= 100) {
			paths[n] = malloc(strlen(sub) + len + 2);
			sprintf(paths[n++], "%s/%s", sub, de->d_name);
		}
	}
	closedir(d);
	qsort(paths, n, sizeof(paths[0]), cmp_str);
	assert_int_equal(n, 11);
	if (ff_dataset_load(&ds, (const char *const *)paths, n, &o, err, sizeof(err)))
		fail_msg("%s", err);
	agree_gbdt(&ds, 20, 6);
	ff_dataset_free(&ds);
	for (i = 0; i < n; i++)
		free(paths[i]);
}

static void test_agree_unsw(void **state)
{
	const char *dir = data_dir();
	char path[600];
	const char *paths[1] = { path };
	struct ff_dataset_opts o = { .label_column = "attack_cat" };
	struct ff_dataset ds;
	char err[512];

	(void)state;
	need_root();
	if (!dir) {
		print_message("no ../shared/data: skipping the UNSW-NB15 agreement test\n");
		skip();
		return;
	}
	snprintf(path, sizeof(path), "%s/unsw-nb15/UNSW_NB15_training-set.csv", dir);
	if (access(path, R_OK)) {
		print_message("no %s: skipping\n", path);
		skip();
		return;
	}
	if (ff_dataset_load(&ds, paths, 1, &o, err, sizeof(err)))
		fail_msg("%s", err);
	agree(&ds, FF_TRAIN_RF, 32, 12);
	ff_dataset_free(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agree_synthetic),
		cmocka_unit_test(test_agree_cic),
		cmocka_unit_test(test_agree_cic_gbdt),
		cmocka_unit_test(test_agree_unsw),
	};

	return cmocka_run_group_tests_name("agreement", tests, NULL, NULL);
}
