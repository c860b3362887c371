// SPDX-License-Identifier: MIT
/* flowforest train: a decision tree, a random forest or gradient-boosted trees from
 * labelled flow CSVs. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "clock.h"
#include "args.h"
#include "commands.h"
#include "dataset.h"
#include "eval.h"
#include "features_info.h"
#include "gbdt.h"
#include "model_file.h"
#include "numparse.h"
#include "train.h"

#define MAX_FILES 1024

struct train_args {
	const char *csv[MAX_FILES];
	unsigned n_csv;
	const char *test[MAX_FILES];
	unsigned n_test;
	const char *output;
	const char *label_column;
	const char *features;
	struct ff_train_params p;
	struct ff_gbdt_params gp;
	int kind_set, trees_set, max_features_set, threads_set, depth_set, boost_set, forest_set;
	double test_split;
	int test_split_set;
	const char *split_file;
	struct cli_actions actions;
	int drop_attacks;
	const char *json_report;
	const char *dump_data;
	int quiet;
};

enum {
	OPT_SPLIT_FILE = 1000,
	OPT_DROP_ATTACKS,
	OPT_JSON_REPORT,
	OPT_DUMP_DATA,
	OPT_NO_BOOTSTRAP,
	OPT_CRITERION,
	OPT_MIN_LEAF,
	OPT_MAX_FEATURES,
	OPT_CLASS_WEIGHT,
	OPT_TEST_SPLIT,
	OPT_LABEL_COLUMN,
	OPT_LEAF_WEIGHT,
	OPT_ROUNDS,
	OPT_ETA,
	OPT_MIN_CHILD_WEIGHT,
	OPT_LAMBDA,
	OPT_SUBSAMPLE,
	OPT_COLSAMPLE,
	OPT_EARLY_STOPPING,
	OPT_VALIDATION,
};

static const char doc[] =
	"Train a decision tree, a random forest or gradient-boosted trees for the\n"
	"kernel classifier.\v"
	"Reads labelled flow CSVs: flowforest's own (`extract`, `replay`),\n"
	"CICFlowMeter's (CIC-IDS2017/2018) and UNSW-NB15's, matching columns to the\n"
	"kernel's features by name and converting every value to the kernel's\n"
	"integer unit (floored; empty, NaN, Infinity and negative values become 0).\n"
	"Identifying columns (id, Flow ID, Src IP, Src Port, Dst IP, Timestamp, ...)\n"
	"are never used; columns with no kernel feature are listed and left out.\n"
	"Extra arguments are more CSV files, so `--csv dir/*.csv` works.\n"
	"\n"
	"Thresholds are integers: the trainer's midpoint m between two values is\n"
	"stored as floor(m), which decides every integer value exactly as m does.\n"
	"Before writing, every row is checked: the integer model (the kernel's walk)\n"
	"must agree with the trainer's float thresholds, or nothing is written.\n"
	"\n"
	"Gradient-boosted trees (--model gbdt): softmax with one tree per class per\n"
	"round (two classes: logistic, one tree per round), exact greedy splits with\n"
	"second-order gains as XGBoost's tree_method=exact. The kernel sums the\n"
	"leaves in fixed point; the scale is chosen so that the integer model's\n"
	"class equals the float model's on every training and test row, else\n"
	"nothing is written and the row is named.\n"
	"\n"
	"Default actions: a class named benign or normal (any case) passes; every\n"
	"other class alerts (drops with --drop-attacks). --action overrides one.\n"
	"The same --seed gives the same model whatever --threads.\n"
	"See docs/training.md.\n"
	"\n"
	"EXAMPLES:\n"
	"  flowforest train --csv cic/*.csv -o cic.json\n"
	"  flowforest train --csv flows.csv --model dt --max-depth 8 -o tree.json\n"
	"  flowforest train --csv unsw.csv --label-column attack_cat --trees 64 \\\n"
	"      --class-weight balanced --drop-attacks -o unsw.json\n"
	"  flowforest train --csv train.csv --test test.csv -a Portscan=drop -o m.json\n"
	"  flowforest train --csv cic/*.csv --model gbdt --rounds 20 --learning-rate 0.3 \\\n"
	"      --max-depth 6 -o gbdt.json\n"
	"  flowforest train --csv flows.csv --model gbdt --rounds 200 --early-stopping 10 \\\n"
	"      --subsample 0.8 --colsample 0.8 -o gbdt.json";

static const struct argp_option options[] = {
	{ "csv", 'c', "FILE", 0, "Training CSV (repeatable; extra arguments are CSVs too)" },
	{ "output", 'o', "FILE", 0, "Model file to write (required)" },
	{ "label-column", OPT_LABEL_COLUMN, "NAME", 0, "Label column (default: Label, else attack_cat, else label)" },
	{ "features", 'f', "LIST", 0, "Comma-separated kernel features (flowforest or CIC names), or auto (default): all that the CSVs have" },
	{ 0, 0, 0, 0, "Model:" },
	{ "model", 'm', "KIND", 0, "rf (random forest, default), dt (one decision tree) or gbdt (gradient-boosted trees)" },
	{ "trees", 'n', "N", 0, "Trees in the forest (default 32, at most 1024)" },
	{ "max-depth", 'd', "N", 0, "Maximum depth, 1..32 (default 12; gbdt: 6)" },
	{ "min-samples-leaf", OPT_MIN_LEAF, "N", 0, "Minimum training rows per leaf (default 1)" },
	{ "max-features", OPT_MAX_FEATURES, "K", 0, "Features tried per split: sqrt (rf default), log2, all (dt default), a count, or a fraction in (0,1]" },
	{ "criterion", OPT_CRITERION, "C", 0, "gini (default) or entropy" },
	{ "class-weight", OPT_CLASS_WEIGHT, "W", 0, "balanced (weight n/(k*n_class)) or none (default)" },
	{ "leaf-weight", OPT_LEAF_WEIGHT, "W", 0, "A leaf's vote: one (weight 1, default) or confidence (weight 1..100, its majority share in percent; closer to averaging probabilities)" },
	{ "no-bootstrap", OPT_NO_BOOTSTRAP, NULL, 0, "Forest trees see every row instead of a bootstrap sample" },
	{ "seed", 's', "N", 0, "Random seed (default 1): bootstrap, feature draws, the test split" },
	{ "threads", 'j', "N", 0, "Training threads (default: online CPUs); does not change the model" },
	{ 0, 0, 0, 0, "Boosting (--model gbdt):" },
	{ "rounds", OPT_ROUNDS, "N", 0, "Boosting rounds (default 20); a round adds one tree per class (two classes: one tree)" },
	{ "learning-rate", OPT_ETA, "X", 0, "Shrinkage of every tree, (0, 1] (default 0.3)" },
	{ "eta", OPT_ETA, "X", OPTION_ALIAS, NULL },
	{ "min-child-weight", OPT_MIN_CHILD_WEIGHT, "W", 0, "Minimum hessian sum of a child (default 1)" },
	{ "lambda", OPT_LAMBDA, "L", 0, "L2 regularisation of the leaf values (default 1)" },
	{ "subsample", OPT_SUBSAMPLE, "F", 0, "Fraction of the training rows each tree sees, (0, 1] (default 1)" },
	{ "colsample", OPT_COLSAMPLE, "F", 0, "Fraction of the features each tree may split on, (0, 1] (default 1)" },
	{ "early-stopping", OPT_EARLY_STOPPING, "N", 0, "Stop after N rounds without a better loss on the validation rows and keep the best round (default: off)" },
	{ "validation", OPT_VALIDATION, "F", 0, "Fraction of the training rows held out for --early-stopping (default 0.1)" },
	{ 0, 0, 0, 0, "Evaluation:" },
	{ "test-split", OPT_TEST_SPLIT, "FRACTION", 0, "Hold out this random fraction of the rows for testing (default 0.3; 0: none, metrics on the training rows)" },
	{ "test", 'T', "FILE", 0, "Test on this CSV instead of a split (repeatable)" },
	{ "split-file", OPT_SPLIT_FILE, "FILE", 0, "Test rows given as 0-based row numbers (over the training CSVs in order, one per line)" },
	{ 0, 0, 0, 0, "Classes:" },
	{ "drop-attacks", OPT_DROP_ATTACKS, NULL, 0, "Classes other than benign/normal drop instead of alert" },
	{ 0, 0, 0, 0, "Output:" },
	{ "json-report", OPT_JSON_REPORT, "FILE", 0, "Write metrics and timings as JSON (- for stdout)" },
	{ "dump-data", OPT_DUMP_DATA, "FILE", 0, "Write the integer matrix trained on as CSV: row (number in the data, or in the --test data), split (train/test), label, features" },
	{ "quiet", 'q', NULL, 0, "No progress on stderr" },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct train_args *a = state->input;
	unsigned long long v;

	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, &a->actions, NULL);
		break;
	case 'c':
	case ARGP_KEY_ARG:
		if (a->n_csv == MAX_FILES)
			argp_error(state, "too many CSV files (at most %d)", MAX_FILES);
		a->csv[a->n_csv++] = arg;
		break;
	case 'T':
		if (a->n_test == MAX_FILES)
			argp_error(state, "too many --test files (at most %d)", MAX_FILES);
		a->test[a->n_test++] = arg;
		break;
	case 'o':
		a->output = arg;
		break;
	case OPT_LABEL_COLUMN:
		if (!arg[0])
			argp_error(state, "--label-column wants a column name");
		a->label_column = arg;
		break;
	case 'f':
		if (!arg[0])
			argp_error(state, "--features wants a list of features or auto");
		a->features = arg;
		break;
	case 'm':
		if (!strcmp(arg, "rf"))
			a->p.kind = FF_TRAIN_RF;
		else if (!strcmp(arg, "dt"))
			a->p.kind = FF_TRAIN_DT;
		else if (!strcmp(arg, "gbdt"))
			a->p.kind = FF_TRAIN_GBDT;
		else
			argp_error(state, "--model wants rf, dt or gbdt, got '%s'", arg);
		a->kind_set = 1;
		break;
	case 'n':
		a->p.n_trees = cli_uint(state, key, arg, 1, FF_MAX_TREES);
		a->trees_set = 1;
		break;
	case 'd':
		a->p.max_depth = cli_uint(state, key, arg, 1, FF_MAX_DEPTH);
		a->depth_set = 1;
		break;
	case OPT_ROUNDS:
		a->gp.rounds = cli_uint(state, key, arg, 1, FF_MAX_TREES);
		a->boost_set = 1;
		break;
	case OPT_ETA:
		a->gp.eta = cli_real(state, key, arg, 0, 1);
		if (a->gp.eta == 0)
			argp_error(state, "--learning-rate wants a number in (0, 1], got '%s'", arg);
		a->boost_set = 1;
		break;
	case OPT_MIN_CHILD_WEIGHT:
		a->gp.min_child_weight = cli_real(state, key, arg, 0, 1e12);
		a->boost_set = 1;
		break;
	case OPT_LAMBDA:
		a->gp.lambda = cli_real(state, key, arg, 0, 1e12);
		a->boost_set = 1;
		break;
	case OPT_SUBSAMPLE:
	case OPT_COLSAMPLE: {
		double f = cli_real(state, key, arg, 0, 1);

		if (f == 0)
			argp_error(state, "--%s wants a fraction in (0, 1], got '%s'",
				   key == OPT_SUBSAMPLE ? "subsample" : "colsample", arg);
		*(key == OPT_SUBSAMPLE ? &a->gp.subsample : &a->gp.colsample) = f;
		a->boost_set = 1;
		break;
	}
	case OPT_EARLY_STOPPING:
		a->gp.early_stopping = cli_uint(state, key, arg, 1, FF_MAX_TREES);
		a->boost_set = 1;
		break;
	case OPT_VALIDATION:
		a->gp.validation = cli_real(state, key, arg, 0, 1);
		if (a->gp.validation == 0 || a->gp.validation == 1)
			argp_error(state, "--validation wants a fraction in (0, 1), got '%s'", arg);
		a->boost_set = 1;
		break;
	case OPT_MIN_LEAF:
		a->forest_set = 1;
		a->p.min_samples_leaf = cli_uint(state, key, arg, 1, UINT_MAX / 2);
		break;
	case OPT_MAX_FEATURES:
		a->max_features_set = 1;
		a->forest_set = 1;
		if (!strcmp(arg, "sqrt")) {
			a->p.max_features = FF_MF_SQRT;
		} else if (!strcmp(arg, "log2")) {
			a->p.max_features = FF_MF_LOG2;
		} else if (!strcmp(arg, "all")) {
			a->p.max_features = FF_MF_ALL;
		} else if (!ff_parse_uint(arg, 1, FF_MAX_FEATURES, &v)) {
			a->p.max_features = FF_MF_INT;
			a->p.max_features_arg = v;
		} else {
			double d = 0;

			if (ff_parse_real(arg, 0, 1, &d) || d == 0 || !strchr(arg, '.'))
				argp_error(state, "--max-features wants sqrt, log2, all, a count 1..%d or a fraction like 0.5, got '%s'",
					   FF_MAX_FEATURES, arg);
			a->p.max_features = FF_MF_FRAC;
			a->p.max_features_arg = d;
		}
		break;
	case OPT_CRITERION:
		a->forest_set = 1;
		if (!strcmp(arg, "gini"))
			a->p.criterion = FF_CRIT_GINI;
		else if (!strcmp(arg, "entropy"))
			a->p.criterion = FF_CRIT_ENTROPY;
		else
			argp_error(state, "--criterion wants gini or entropy, got '%s'", arg);
		break;
	case OPT_CLASS_WEIGHT:
		a->forest_set = 1;
		if (!strcmp(arg, "balanced"))
			a->p.balanced = 1;
		else if (!strcmp(arg, "none"))
			a->p.balanced = 0;
		else
			argp_error(state, "--class-weight wants balanced or none, got '%s'", arg);
		break;
	case OPT_LEAF_WEIGHT:
		a->forest_set = 1;
		if (!strcmp(arg, "one"))
			a->p.leaf_weight = FF_LEAF_ONE;
		else if (!strcmp(arg, "confidence"))
			a->p.leaf_weight = FF_LEAF_CONFIDENCE;
		else
			argp_error(state, "--leaf-weight wants one or confidence, got '%s'", arg);
		break;
	case OPT_NO_BOOTSTRAP:
		a->forest_set = 1;
		a->p.bootstrap = 0;
		break;
	case 's':
		a->p.seed = cli_uint(state, key, arg, 0, ULLONG_MAX);
		break;
	case 'j':
		a->p.threads = cli_uint(state, key, arg, 1, 256);
		a->threads_set = 1;
		break;
	case OPT_TEST_SPLIT:
		if (ff_parse_real(arg, 0, 1, &a->test_split) || a->test_split == 1)
			argp_error(state, "--test-split wants a fraction in [0, 1), got '%s'", arg);
		a->test_split_set = 1;
		break;
	case OPT_SPLIT_FILE:
		a->split_file = arg;
		break;
	case OPT_DROP_ATTACKS:
		a->drop_attacks = 1;
		break;
	case OPT_JSON_REPORT:
		a->json_report = arg;
		break;
	case OPT_DUMP_DATA:
		a->dump_data = arg;
		break;
	case 'q':
		a->quiet = 1;
		break;
	case ARGP_KEY_END:
		if (!a->n_csv)
			argp_error(state, "--csv FILE is required");
		if (!a->output)
			argp_error(state, "-o/--output FILE is required");
		if (!!a->n_test + !!a->split_file + a->test_split_set > 1)
			argp_error(state, "use one of --test, --split-file and --test-split");
		if (a->trees_set && a->p.kind == FF_TRAIN_DT && a->p.n_trees != 1)
			argp_error(state, "--trees is for --model rf; a dt is one tree");
		if (a->boost_set && a->p.kind != FF_TRAIN_GBDT)
			argp_error(state, "--rounds, --learning-rate, --min-child-weight, --lambda, --subsample, --colsample, --early-stopping and --validation are for --model gbdt");
		if (a->p.kind == FF_TRAIN_GBDT && (a->trees_set || a->forest_set))
			argp_error(state, "--model gbdt grows --rounds of trees; --trees, --min-samples-leaf, --max-features, --criterion, --class-weight, --leaf-weight and --no-bootstrap are for rf and dt");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int is_benign(const char *name)
{
	return !strcasecmp(name, "benign") || !strcasecmp(name, "normal");
}

static int set_actions(const struct train_args *a, struct ff_model *m)
{
	unsigned i, benign = 0;

	for (i = 0; i < m->n_classes; i++) {
		if (is_benign(m->class_names[i])) {
			m->actions[i] = FF_ACT_PASS;
			benign++;
		} else {
			m->actions[i] = a->drop_attacks ? FF_ACT_DROP : FF_ACT_ALERT;
		}
	}
	if (!benign && !a->quiet)
		fprintf(stderr, "train: no class is named benign or normal: every class gets %s unless --action says otherwise\n",
			a->drop_attacks ? "drop" : "alert");
	return cli_actions_resolve(&a->actions, m, m->actions, "train");
}

/* --action names a class of the data, and the output can be written: check
 * both before spending time on training. */
static int check_early(const struct train_args *a, const struct ff_dataset *ds)
{
	char dir[4096];
	const char *slash = strrchr(a->output, '/');
	unsigned i, k;

	for (i = 0; i < a->actions.n; i++) {
		const char *spec = a->actions.spec[i], *eq = strrchr(spec, '=');
		int found = 0;

		for (k = 0; k < ds->n_classes && !found; k++)
			found = strlen(ds->class_names[k]) == (size_t)(eq - spec) &&
				!strncmp(ds->class_names[k], spec, eq - spec);
		if (!found) {
			fprintf(stderr, "train: --action %s: no such class; the classes are:", spec);
			for (k = 0; k < ds->n_classes; k++)
				fprintf(stderr, "%s \"%s\"", k ? "," : "", ds->class_names[k]);
			fputc('\n', stderr);
			return -1;
		}
	}
	if (slash) {
		size_t n = slash - a->output;

		if (n >= sizeof(dir))
			n = sizeof(dir) - 1;
		memcpy(dir, a->output, n);
		dir[n] = 0;
		if (!n)
			strcpy(dir, "/");
	} else {
		strcpy(dir, ".");
	}
	if (access(dir, W_OK)) {
		fprintf(stderr, "train: cannot write %s: %s: %s\n", a->output, dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Test rows from a file of 0-based row numbers; the rest train. */
static int read_split_file(const char *path, size_t n, size_t **train, size_t *n_train,
			   size_t **test, size_t *n_test)
{
	FILE *f = fopen(path, "r");
	unsigned char *is_test;
	char line[128];
	size_t lineno = 0, i, a = 0, b = 0;

	if (!f) {
		fprintf(stderr, "train: %s: %s\n", path, strerror(errno));
		return -1;
	}
	is_test = calloc(n ? n : 1, 1);
	if (!is_test) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		char *p = line, *end;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
			continue;
		errno = 0;
		v = strtoull(p, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (errno || end == p || *end || *p == '-') {
			fprintf(stderr, "train: %s:%zu: not a row number\n", path, lineno);
			goto bad;
		}
		if (v >= n) {
			fprintf(stderr, "train: %s:%zu: row %llu, but the data has %zu rows\n", path,
				lineno, v, n);
			goto bad;
		}
		is_test[v] = 1;
	}
	fclose(f);
	for (i = 0; i < n; i++)
		b += is_test[i];
	*test = malloc((b ? b : 1) * sizeof(size_t));
	*train = malloc((n - b ? n - b : 1) * sizeof(size_t));
	if (!*test || !*train) {
		free(is_test);
		return -1;
	}
	for (i = 0, b = 0; i < n; i++)
		if (is_test[i])
			(*test)[b++] = i;
		else
			(*train)[a++] = i;
	*n_train = a;
	*n_test = b;
	free(is_test);
	return 0;
bad:
	fclose(f);
	free(is_test);
	return -1;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void csv_quote(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void dump_rows(FILE *out, const struct ff_dataset *ds, const size_t *rows, size_t n,
		      const char *split)
{
	size_t k;
	unsigned c;

	for (k = 0; k < n; k++) {
		size_t r = rows ? rows[k] : k;

		fprintf(out, "%zu,%s,", r, split);
		csv_quote(out, ds->class_names[ds->y[r]]);
		for (c = 0; c < ds->n_cols; c++)
			fprintf(out, ",%llu", (unsigned long long)ds->col[c][r]);
		fputc('\n', out);
	}
}

static int dump_data(const char *path, const struct ff_dataset *ds, const size_t *train,
		     size_t n_train, const struct ff_dataset *tds, const size_t *test,
		     size_t n_test)
{
	FILE *out = fopen(path, "w");
	unsigned c;

	if (!out) {
		fprintf(stderr, "train: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fputs("row,split,label", out);
	for (c = 0; c < ds->n_cols; c++)
		fprintf(out, ",%s", ff_feature_table[ds->feat[c]].name);
	fputc('\n', out);
	dump_rows(out, ds, train, n_train, "train");
	if (n_test)
		dump_rows(out, tds, test, n_test, "test");
	if (fclose(out)) {
		fprintf(stderr, "train: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static const char *mf_name(const struct ff_train_params *p, char *buf, size_t len)
{
	switch (p->max_features) {
	case FF_MF_SQRT: return "sqrt";
	case FF_MF_LOG2: return "log2";
	case FF_MF_ALL: return "all";
	case FF_MF_INT:
		snprintf(buf, len, "%.0f", p->max_features_arg);
		return buf;
	case FF_MF_FRAC:
		snprintf(buf, len, "%g", p->max_features_arg);
		return buf;
	default:
		return p->kind == FF_TRAIN_RF ? "sqrt" : "all";
	}
}

static const char *kind_name(int kind)
{
	return kind == FF_TRAIN_GBDT ? "gbdt" : kind == FF_TRAIN_RF ? "rf" : "dt";
}

static const char *kind_title(int kind)
{
	return kind == FF_TRAIN_GBDT ? "gradient-boosted trees" :
	       kind == FF_TRAIN_RF ? "random forest" : "decision tree";
}

/* What a trainer reports, whatever the kind of model. */
struct trained {
	double seconds;
	unsigned n_trees;
	size_t nodes, nodes_grown, pruned_splits;
	json_object *hp;	/* hyper-parameters, for the provenance */
	const char *check;	/* what the quantization check verified */
};

static json_object *forest_hp(const struct train_args *a, const struct ff_forest *f)
{
	json_object *hp = json_object_new_object();
	char buf[64];

	json_object_object_add(hp, "model", json_object_new_string(kind_name(a->p.kind)));
	json_object_object_add(hp, "trees", json_object_new_int(f->n_trees));
	json_object_object_add(hp, "max_depth", json_object_new_int(a->p.max_depth));
	json_object_object_add(hp, "min_samples_leaf", json_object_new_int(a->p.min_samples_leaf));
	json_object_object_add(hp, "max_features", json_object_new_string(mf_name(&a->p, buf, sizeof(buf))));
	json_object_object_add(hp, "features_per_split", json_object_new_int(f->mtry));
	json_object_object_add(hp, "criterion", json_object_new_string(a->p.criterion == FF_CRIT_ENTROPY ? "entropy" : "gini"));
	json_object_object_add(hp, "class_weight", json_object_new_string(a->p.balanced ? "balanced" : "none"));
	json_object_object_add(hp, "bootstrap", json_object_new_boolean(a->p.bootstrap < 0 ? a->p.kind == FF_TRAIN_RF : a->p.bootstrap));
	json_object_object_add(hp, "leaf_weight", json_object_new_string(a->p.leaf_weight == FF_LEAF_CONFIDENCE ? "confidence" : "one"));
	json_object_object_add(hp, "vote", json_object_new_string(a->p.leaf_weight == FF_LEAF_CONFIDENCE
		? "majority class per leaf, weight round(100 x its share)" : "majority class per leaf, weight 1"));
	return hp;
}

static json_object *gbdt_hp(const struct train_args *a, const struct ff_gbdt *g,
			    const struct ff_model *m)
{
	json_object *hp = json_object_new_object();

	json_object_object_add(hp, "model", json_object_new_string("gbdt"));
	json_object_object_add(hp, "objective", json_object_new_string(g->binary ? "binary logistic" : "multi-class softmax"));
	json_object_object_add(hp, "rounds", json_object_new_int(a->gp.rounds));
	json_object_object_add(hp, "rounds_kept", json_object_new_int(g->rounds));
	json_object_object_add(hp, "trees", json_object_new_int(g->n_trees));
	json_object_object_add(hp, "learning_rate", json_object_new_double(a->gp.eta));
	json_object_object_add(hp, "max_depth", json_object_new_int(a->gp.max_depth));
	json_object_object_add(hp, "min_child_weight", json_object_new_double(a->gp.min_child_weight));
	json_object_object_add(hp, "lambda", json_object_new_double(a->gp.lambda));
	json_object_object_add(hp, "subsample", json_object_new_double(a->gp.subsample));
	json_object_object_add(hp, "colsample", json_object_new_double(a->gp.colsample));
	json_object_object_add(hp, "split_finding", json_object_new_string("exact greedy, depth-wise"));
	if (a->gp.early_stopping) {
		json_object_object_add(hp, "early_stopping", json_object_new_int(a->gp.early_stopping));
		json_object_object_add(hp, "validation", json_object_new_double(a->gp.validation));
		json_object_object_add(hp, "validation_rows", json_object_new_uint64(g->valid_rows));
		json_object_object_add(hp, "best_validation_loss", json_object_new_double(g->best_valid_loss));
	}
	json_object_object_add(hp, "scale_bits", json_object_new_int(m->phases[0].scale_bits));
	return hp;
}

static json_object *provenance(const struct train_args *a, const struct ff_dataset *ds,
			       const struct ff_dataset *tds, struct trained *tr,
			       size_t n_train, size_t n_test, const struct ff_eval *ev,
			       int eval_on_train)
{
	json_object *o = json_object_new_object();
	json_object *data = json_object_new_object(), *files = json_object_new_array();
	json_object *split = json_object_new_object(), *test = json_object_new_object();
	json_object *nodes = json_object_new_object();
	char when[64];
	time_t now = time(NULL);
	struct tm tm;
	unsigned i;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "trainer", json_object_new_string(FF_TRAINER_NAME));
	json_object_object_add(o, "version", json_object_new_string(FF_TRAINER_VERSION));
	json_object_object_add(o, "created", json_object_new_string(when));
	json_object_object_add(o, "train_seconds", json_object_new_double(round(tr->seconds * 1000) / 1000));
	json_object_object_add(o, "hyperparameters", tr->hp);
	tr->hp = NULL;
	json_object_object_add(o, "seed", json_object_new_uint64(a->p.seed));
	json_object_object_add(o, "threads", json_object_new_int(a->p.threads));

	for (i = 0; i < ds->n_files; i++) {
		json_object *fo = json_object_new_object();

		json_object_object_add(fo, "path", json_object_new_string(ds->files[i].path));
		json_object_object_add(fo, "rows", json_object_new_uint64(ds->files[i].rows));
		if (ds->files[i].unlabelled)
			json_object_object_add(fo, "unlabelled_rows_skipped", json_object_new_uint64(ds->files[i].unlabelled));
		json_object_array_add(files, fo);
	}
	json_object_object_add(data, "files", files);
	if (tds != ds) {
		files = json_object_new_array();
		for (i = 0; i < tds->n_files; i++) {
			json_object *fo = json_object_new_object();

			json_object_object_add(fo, "path", json_object_new_string(tds->files[i].path));
			json_object_object_add(fo, "rows", json_object_new_uint64(tds->files[i].rows));
			json_object_array_add(files, fo);
		}
		json_object_object_add(data, "test_files", files);
	}
	json_object_object_add(data, "label_column", json_object_new_string(ds->label_column));
	json_object_object_add(data, "rows", json_object_new_uint64(ds->n_rows));
	json_object_object_add(data, "train_rows", json_object_new_uint64(n_train));
	json_object_object_add(data, "test_rows", json_object_new_uint64(n_test));
	if (ds->left_out)
		json_object_object_add(data, "columns_left_out", json_object_new_string(ds->left_out));
	json_object_object_add(o, "data", data);

	if (a->n_test) {
		json_object_object_add(split, "method", json_object_new_string("test files"));
	} else if (a->split_file) {
		json_object_object_add(split, "method", json_object_new_string("split file"));
		json_object_object_add(split, "file", json_object_new_string(a->split_file));
	} else if (n_test) {
		json_object_object_add(split, "method", json_object_new_string("random"));
		json_object_object_add(split, "test_fraction", json_object_new_double(a->test_split));
		json_object_object_add(split, "seed", json_object_new_uint64(a->p.seed));
	} else {
		json_object_object_add(split, "method", json_object_new_string("none"));
	}
	json_object_object_add(o, "split", split);

	json_object_object_add(test, "on", json_object_new_string(eval_on_train ? "training rows" : "test rows"));
	json_object_object_add(test, "rows", json_object_new_uint64(ev->rows));
	json_object_object_add(test, "accuracy", json_object_new_double(round(ev->accuracy * 1e6) / 1e6));
	json_object_object_add(test, "macro_f1", json_object_new_double(round(ev->macro_f1 * 1e6) / 1e6));
	json_object_object_add(o, "test", test);

	json_object_object_add(nodes, "total", json_object_new_uint64(tr->nodes));
	json_object_object_add(nodes, "grown", json_object_new_uint64(tr->nodes_grown));
	json_object_object_add(nodes, "pruned_splits", json_object_new_uint64(tr->pruned_splits));
	json_object_object_add(o, "nodes", nodes);
	json_object_object_add(o, "quantization_check", json_object_new_string(tr->check));
	return o;
}

/* A tree or forest: trained, built, and its integer thresholds checked
 * against the float ones on every training and test row. */
static int train_forest_model(const struct train_args *a, const struct ff_dataset *ds,
			      const struct ff_dataset *tds, const size_t *train, size_t n_train,
			      struct ff_model *model, struct trained *tr, FILE *log)
{
	struct ff_forest forest = { 0 };
	char err[1024];
	int rc = -1;

	if (ff_train_forest(ds, train, n_train, &a->p, &forest, err, sizeof(err))) {
		fprintf(stderr, "train: %s\n", err);
		return -1;
	}
	if (log)
		fprintf(log, "trained in %.2f s: %u tree%s, %zu nodes\n", forest.seconds, forest.n_trees,
			forest.n_trees == 1 ? "" : "s", forest.total_nodes);
	if (ff_forest_to_model(&forest, ds, model, err, sizeof(err))) {
		fprintf(stderr, "train: building the model: %s\n", err);
		goto out;
	}
	/* exact quantization: the integer model against the float trainer */
	if (ff_forest_verify(&forest, model, ds, NULL, 0, a->p.threads, err, sizeof(err)) ||
	    (tds != ds && ff_forest_verify(&forest, model, tds, NULL, 0, a->p.threads, err, sizeof(err)))) {
		fprintf(stderr, "train: %s; not writing %s\n", err, a->output);
		goto out;
	}
	if (log)
		fprintf(log, "quantization check: the integer model agrees with the float thresholds on all %zu rows\n",
			ds->n_rows + (tds != ds ? tds->n_rows : 0));
	tr->seconds = forest.seconds;
	tr->n_trees = forest.n_trees;
	tr->nodes = forest.total_nodes;
	tr->nodes_grown = forest.nodes_grown;
	tr->pruned_splits = forest.pruned_splits;
	tr->hp = forest_hp(a, &forest);
	tr->check = "passed: the integer model and the float thresholds agree on every training and test row";
	rc = 0;
out:
	ff_forest_free(&forest);
	return rc;
}

/* Boosted trees: trained, and stored in fixed point at a scale at which the
 * integer model's class equals the float model's on every row. */
static int train_gbdt_model(const struct train_args *a, const struct ff_dataset *ds,
			    const struct ff_dataset *tds, const size_t *train, size_t n_train,
			    struct ff_model *model, struct trained *tr, FILE *log)
{
	struct ff_gbdt g = { 0 };
	struct ff_gbdt_check checks[2] = { { ds, NULL, 0 }, { tds, NULL, 0 } };
	char err[1024];
	unsigned t;
	int rc = -1;

	if (ff_gbdt_train(ds, train, n_train, &a->gp, &g, err, sizeof(err))) {
		fprintf(stderr, "train: %s\n", err);
		return -1;
	}
	for (t = 0; t < g.n_trees; t++)
		tr->nodes += g.trees[t].n_nodes;
	if (log)
		fprintf(log, "trained in %.2f s: %u round%s, %u trees, %zu nodes\n", g.seconds, g.rounds,
			g.rounds == 1 ? "" : "s", g.n_trees, tr->nodes);
	if (ff_gbdt_to_model(&g, ds, checks, tds != ds ? 2 : 1, a->gp.threads, model, err,
			     sizeof(err))) {
		fprintf(stderr, "train: %s; not writing %s\n", err, a->output);
		goto out;
	}
	if (log)
		fprintf(log, "quantization check: leaf values x 2^%u; the integer model's class equals the float model's on all %zu rows\n",
			model->phases[0].scale_bits, ds->n_rows + (tds != ds ? tds->n_rows : 0));
	tr->seconds = g.seconds;
	tr->n_trees = g.n_trees;
	tr->nodes_grown = tr->nodes;
	tr->hp = gbdt_hp(a, &g, model);
	tr->check = "passed: at the model's scale, the integer model's class equals the float model's on every training and test row";
	rc = 0;
out:
	ff_gbdt_free(&g);
	return rc;
}

int cmd_train(int argc, char **argv)
{
	static const struct argp_child children[] = { { &cli_action_argp, 0, "Classes:" }, {} };
	static const struct argp argp = { options, parse_opt, "[FILE...]", doc, children };
	struct train_args a;
	struct ff_dataset_opts lo = { 0 };
	struct ff_dataset ds = { 0 }, tds_store = { 0 }, *tds = &ds;
	struct ff_model model = { 0 }, check = { 0 };
	struct trained tr = { 0 };
	struct ff_eval ev = { 0 };
	size_t *train = NULL, *test = NULL, n_train = 0, n_test = 0, i;
	json_object *prov = NULL;
	FILE *log;
	char err[1024];
	double t_load;
	int rc = 1, eval_on_train = 0;

	memset(&a, 0, sizeof(a));
	ff_train_params_default(&a.p, FF_TRAIN_RF);
	ff_gbdt_params_default(&a.gp);
	a.test_split = 0.3;
	{
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		a.p.threads = n > 0 ? (n > 256 ? 256 : n) : 1;
	}
	cli_parse(&argp, argc, argv, &a);
	if (a.p.kind == FF_TRAIN_DT)
		a.p.n_trees = 1;
	log = a.quiet ? NULL : stderr;
	a.p.log = log;
	a.gp.log = log;
	a.gp.seed = a.p.seed;
	a.gp.threads = a.p.threads;
	if (a.depth_set)
		a.gp.max_depth = a.p.max_depth;

	t_load = ff_mono_s();
	lo.label_column = a.label_column;
	lo.features = a.features;
	lo.log = log;
	if (ff_dataset_load(&ds, a.csv, a.n_csv, &lo, err, sizeof(err))) {
		fprintf(stderr, "train: %s\n", err);
		goto out;
	}
	if (ds.n_classes > FF_MAX_CLASSES) {
		fprintf(stderr, "train: the label column \"%s\" has %u classes; a model holds at most %d\n",
			ds.label_column, ds.n_classes, FF_MAX_CLASSES);
		goto out;
	}
	if (check_early(&a, &ds))
		goto out;
	if (a.n_test) {
		lo.label_column = ds.label_column;
		lo.features = NULL;
		lo.feature_ids = ds.feat;
		lo.n_feature_ids = ds.n_cols;
		if (ff_dataset_load(&tds_store, a.test, a.n_test, &lo, err, sizeof(err))) {
			fprintf(stderr, "train: test data: %s\n", err);
			goto out;
		}
		tds = &tds_store;
		if (tds->n_cols != ds.n_cols || memcmp(tds->feat, ds.feat, ds.n_cols * sizeof(ds.feat[0]))) {
			fprintf(stderr, "train: the test data's feature columns differ from the training data's\n");
			goto out;
		}
		n_train = ds.n_rows;
		n_test = tds->n_rows;
		train = malloc(n_train * sizeof(size_t));
		test = malloc(n_test * sizeof(size_t));
		if (!train || !test)
			goto oom;
		for (i = 0; i < n_train; i++)
			train[i] = i;
		for (i = 0; i < n_test; i++)
			test[i] = i;
	} else if (a.split_file) {
		if (read_split_file(a.split_file, ds.n_rows, &train, &n_train, &test, &n_test))
			goto out;
	} else {
		size_t *perm = malloc(ds.n_rows * sizeof(size_t));

		if (!perm)
			goto oom;
		ff_random_permutation(perm, ds.n_rows, a.p.seed);
		n_test = (size_t)llround(a.test_split * ds.n_rows);
		if (a.test_split > 0 && n_test == 0)
			n_test = 1;
		n_train = ds.n_rows - n_test;
		train = malloc((n_train ? n_train : 1) * sizeof(size_t));
		test = malloc((n_test ? n_test : 1) * sizeof(size_t));
		if (!train || !test) {
			free(perm);
			goto oom;
		}
		memcpy(test, perm, n_test * sizeof(size_t));
		memcpy(train, perm + n_test, n_train * sizeof(size_t));
		free(perm);
		qsort(test, n_test, sizeof(size_t), cmp_size);
		qsort(train, n_train, sizeof(size_t), cmp_size);
	}
	if (n_train == 0) {
		fprintf(stderr, "train: no training rows left after the split\n");
		goto out;
	}
	t_load = ff_mono_s() - t_load;
	if (log)
		fprintf(log, "data: %zu rows, %u features, %u classes, label column \"%s\"; %zu train, %zu test rows\n",
			ds.n_rows, ds.n_cols, ds.n_classes, ds.label_column, n_train, n_test);
	if (a.dump_data && dump_data(a.dump_data, &ds, train, n_train, tds, test, n_test))
		goto out;

	if ((a.p.kind == FF_TRAIN_GBDT ? train_gbdt_model : train_forest_model)(&a, &ds, tds, train,
										 n_train, &model, &tr, log))
		goto out;
	if (set_actions(&a, &model))
		goto out;

	if (n_test) {
		if (ff_eval_model(&model, tds, test, n_test, &ev, err, sizeof(err))) {
			fprintf(stderr, "train: %s\n", err);
			goto out;
		}
	} else {
		eval_on_train = 1;
		if (ff_eval_model(&model, &ds, train, n_train, &ev, err, sizeof(err))) {
			fprintf(stderr, "train: %s\n", err);
			goto out;
		}
	}
	if (ev.unknown_rows) {
		unsigned k;

		fprintf(stderr, "train: %zu test rows have classes the model does not know:", ev.unknown_rows);
		for (k = ev.n_model; k < ev.n_true; k++)
			if (ev.support[k])
				fprintf(stderr, " \"%s\" (%llu)", ev.names[k], (unsigned long long)ev.support[k]);
		fputc('\n', stderr);
	}
	{
		FILE *out = a.json_report && !strcmp(a.json_report, "-") ? stderr : stdout;

		fprintf(out, "%s metrics (%s, %zu rows):\n", eval_on_train ? "training-set" : "test-set",
			kind_title(a.p.kind), ev.rows);
		ff_eval_print(&ev, out);
	}

	prov = provenance(&a, &ds, tds, &tr, n_train, n_test, &ev, eval_on_train);
	model.provenance = strdup(json_object_to_json_string_ext(prov, JSON_C_TO_STRING_PLAIN));
	if (!model.provenance)
		goto oom;
	if (ff_model_save(&model, a.output, err, sizeof(err))) {
		fprintf(stderr, "train: %s\n", err);
		goto out;
	}
	/* read it back as `run` would */
	if (ff_model_load(a.output, &check, err, sizeof(err))) {
		fprintf(stderr, "train: the written model does not load: %s\n", err);
		goto out;
	}
	if (log)
		fprintf(log, "wrote %s: %u trees, %u nodes, depth %u, %u classes, %u features\n", a.output,
			check.n_trees, check.n_nodes, check.max_depth, check.n_classes, check.n_features);

	if (a.json_report) {
		json_object *r = json_object_new_object();
		FILE *out = strcmp(a.json_report, "-") ? fopen(a.json_report, "w") : stdout;

		if (!out) {
			fprintf(stderr, "train: %s: %s\n", a.json_report, strerror(errno));
			json_object_put(r);
			goto out;
		}
		json_object_object_add(r, "model_file", json_object_new_string(a.output));
		json_object_object_add(r, "model", json_object_new_string(kind_name(a.p.kind)));
		json_object_object_add(r, "load_seconds", json_object_new_double(t_load));
		json_object_object_add(r, "train_seconds", json_object_new_double(tr.seconds));
		json_object_object_add(r, "threads", json_object_new_int(a.p.threads));
		json_object_object_add(r, "train_rows", json_object_new_uint64(n_train));
		json_object_object_add(r, "test_rows", json_object_new_uint64(n_test));
		json_object_object_add(r, "trees", json_object_new_uint64(tr.n_trees));
		json_object_object_add(r, "nodes", json_object_new_uint64(tr.nodes));
		json_object_object_add(r, "nodes_grown", json_object_new_uint64(tr.nodes_grown));
		json_object_object_add(r, "metrics_on", json_object_new_string(eval_on_train ? "train" : "test"));
		json_object_object_add(r, "metrics", ff_eval_json(&ev));
		fprintf(out, "%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY));
		if (out != stdout)
			fclose(out);
		json_object_put(r);
	}
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "train: out of memory\n");
out:
	json_object_put(prov);
	ff_eval_free(&ev);
	ff_model_free(&model);
	ff_model_free(&check);
	json_object_put(tr.hp);
	if (tds != &ds)
		ff_dataset_free(tds);
	ff_dataset_free(&ds);
	free(train);
	free(test);
	return rc;
}
