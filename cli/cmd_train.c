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
#include "dataset_dump.h"
#include "lines.h"
#include "outfile.h"
#include "provenance.h"
#include "train.h"
#include "trainsplit.h"

#define MAX_FILES 1024

struct train_args {
	struct cli_data data;	/* --csv, --label-column */
	const char *test[MAX_FILES];
	unsigned n_test;
	const char *output;
	const char *features;
	const char *exclude;	/* --exclude-features */
	struct ff_train_params p;
	struct ff_gbdt_params gp;
	__u32 phases[FF_MAX_PHASES];	/* --phases: first packet count of each */
	unsigned n_phases;
	int kind_set, trees_set, max_features_set, threads_set, depth_set, boost_set, forest_set;
	double test_split;
	int test_split_set;
	const char *split_file;
	const char *folds;	/* --folds FILE */
	struct cli_actions actions;
	int drop_attacks;
	const char *json_report;
	const char *dump_data;
	int quiet;
};

enum {
	OPT_SPLIT_FILE = 1000,
	OPT_FOLDS,
	OPT_DROP_ATTACKS,
	OPT_JSON_REPORT,
	OPT_DUMP_DATA,
	OPT_NO_BOOTSTRAP,
	OPT_CRITERION,
	OPT_MIN_LEAF,
	OPT_MAX_FEATURES,
	OPT_CLASS_WEIGHT,
	OPT_TEST_SPLIT,
	OPT_LEAF_WEIGHT,
	OPT_ROUNDS,
	OPT_ETA,
	OPT_MIN_CHILD_WEIGHT,
	OPT_LAMBDA,
	OPT_SUBSAMPLE,
	OPT_COLSAMPLE,
	OPT_EARLY_STOPPING,
	OPT_VALIDATION,
	OPT_PHASES,
	OPT_EXCLUDE_FEATURES,
	OPT_TIME_RES,
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
	"\n"
	"The report gives each feature's share of the total impurity decrease\n"
	"(gbdt: of the gain) and its splits, and warns when the model leans on\n"
	"features that can identify a tool or a host rather than a behaviour\n"
	"(ports used as ids, exact sizes, TTLs, TCP windows and options: the\n"
	"fingerprint class of `flowforest features`): a model that learned the\n"
	"tools of its training data misses the same attack sent otherwise.\n"
	"`--features behaviour` trains on the other features only.\n"
	"See docs/training.md.\n"
	"\n"
	"EXAMPLES:\n"
	"  flowforest train --csv cic/*.csv -o cic.json\n"
	"  flowforest train --csv flows.csv --model dt --max-depth 8 -o tree.json\n"
	"  flowforest train --csv unsw.csv --label-column attack_cat --trees 64 \\\n"
	"      --class-weight balanced --drop-attacks -o unsw.json\n"
	"  flowforest train --csv train.csv --test test.csv -a Portscan=drop -o m.json\n"
	"  printf 'out-a.rows\\tfold-a.json\\nout-b.rows\\tfold-b.json\\n' > folds.txt\n"
	"  flowforest train --csv flows.csv --folds folds.txt --drop-attacks\n"
	"  flowforest train --csv cic/*.csv --model gbdt --rounds 20 --learning-rate 0.3 \\\n"
	"      --max-depth 6 -o gbdt.json\n"
	"  flowforest train --csv flows.csv --model gbdt --rounds 200 --early-stopping 10 \\\n"
	"      --subsample 0.8 --colsample 0.8 -o gbdt.json\n"
	"  flowforest train --csv checkpoints.csv --phases 1,2,4,8,32 -o phased.json\n"
	"  flowforest train --csv flows.csv --features behaviour -o behaviour.json\n"
	"  flowforest train --csv flows.csv --exclude-features fingerprint,flow_duration -o m.json\n"
	"  flowforest train --csv cic/*.csv --exclude-features dst_port,fwd_init_win -o cic.json";

static const struct argp_option options[] = {
	{ "output", 'o', "FILE", 0, "Model file to write (required)" },
	{ "features", 'f', "LIST", 0, "Comma-separated kernel features (flowforest or CIC names) and classes (behaviour: every feature that describes what a flow does; fingerprint: those that can identify a tool or host, see `flowforest features`), or auto (default): all that the CSVs have" },
	{ "exclude-features", OPT_EXCLUDE_FEATURES, "LIST", 0, "Leave out these features and classes (as --features), e.g. fingerprint or dst_port,fwd_ttl" },
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
	{ "time-resolution", OPT_TIME_RES, "US", 0, "Timing resolution: features in microseconds (gaps, durations, delays) split only at US or more, packets per second only at one packet per US or less: shorter times are one value to the trees, as on clocks that jitter by about US (default 0: anywhere)" },
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
	{ 0, 0, 0, 0, "Phases:" },
	{ "phases", OPT_PHASES, "LIST", 0, "One model per phase of a flow, by packet count: 1,2,4,8,32 trains a model on the rows of 1 packet, of 2-3, 4-7, 8-31 and 32 or more (fwd_pkts + bwd_pkts), all in one file; up to 8" },
	{ 0, 0, 0, 0, "Evaluation:" },
	{ "test-split", OPT_TEST_SPLIT, "FRACTION", 0, "Hold out this random fraction of the rows for testing (default 0.3; 0: none, metrics on the training rows)" },
	{ "test", 'T', "FILE", 0, "Test on this CSV instead of a split (repeatable)" },
	{ "split-file", OPT_SPLIT_FILE, "FILE", 0, "Test rows given as 0-based row numbers (over the training CSVs in order, one per line)" },
	{ "folds", OPT_FOLDS, "FILE", 0, "Several models from data loaded once: each line of FILE is SPLIT<tab>MODEL[<tab>DUMP], the model of --split-file SPLIT -o MODEL [--dump-data DUMP] (the same model, tree for tree); instead of -o" },
	{ 0, 0, 0, 0, "Classes:" },
	{ "drop-attacks", OPT_DROP_ATTACKS, NULL, 0, "Classes other than benign/normal drop instead of alert" },
	{ 0, 0, 0, 0, "Output:" },
	{ "json-report", OPT_JSON_REPORT, "FILE", 0, "Write metrics and timings as JSON (- for stdout)" },
	{ "dump-data", OPT_DUMP_DATA, "FILE", 0, "Write the integer matrix trained on as CSV: row (number in the data, or in the --test data), split (train/test), label, features" },
	{ "quiet", 'q', NULL, 0, "No progress on stderr" },
	{},
};

/* --phases 1,2,4,8,32: ascending packet counts. */
static void parse_phases(struct argp_state *state, struct train_args *a, const char *arg)
{
	const char *p = arg;
	char *end;

	a->n_phases = 0;
	while (*p) {
		unsigned long v;

		if (a->n_phases == FF_MAX_PHASES)
			argp_error(state, "--phases: at most %d phases", FF_MAX_PHASES);
		if (*p < '0' || *p > '9')
			argp_error(state, "--phases wants ascending packet counts like 1,2,4,8,32, got '%s'", arg);
		v = strtoul(p, &end, 10);
		if (v < 1 || v > UINT32_MAX || (a->n_phases && v <= a->phases[a->n_phases - 1]) ||
		    (*end && *end != ','))
			argp_error(state, "--phases wants ascending packet counts like 1,2,4,8,32, got '%s'", arg);
		a->phases[a->n_phases++] = v;
		p = *end ? end + 1 : end;
	}
	if (!a->n_phases)
		argp_error(state, "--phases wants ascending packet counts like 1,2,4,8,32");
}

/* --max-features sqrt|log2|all|COUNT|FRACTION */
static void parse_max_features(struct argp_state *state, struct train_args *a, const char *arg)
{
	static const char *const words[] = { "sqrt", "log2", "all", NULL };
	static const int kinds[] = { FF_MF_SQRT, FF_MF_LOG2, FF_MF_ALL };
	unsigned long long v;
	double d = 0;
	unsigned i;

	for (i = 0; words[i]; i++)
		if (!strcmp(arg, words[i])) {
			a->p.max_features = kinds[i];
			return;
		}
	if (!ff_parse_uint(arg, 1, FF_MAX_FEATURES, &v)) {
		a->p.max_features = FF_MF_INT;
		a->p.max_features_arg = v;
		return;
	}
	if (ff_parse_real(arg, 0, 1, &d) || d == 0 || !strchr(arg, '.'))
		argp_error(state, "--max-features wants sqrt, log2, all, a count 1..%d or a fraction like 0.5, got '%s'",
			   FF_MAX_FEATURES, arg);
	a->p.max_features = FF_MF_FRAC;
	a->p.max_features_arg = d;
}

/* The options of --model gbdt; ARGP_ERR_UNKNOWN for any other. */
static error_t parse_boost_opt(int key, char *arg, struct argp_state *state)
{
	struct train_args *a = state->input;

	switch (key) {
	case OPT_ROUNDS:
		a->gp.rounds = cli_uint(state, key, arg, 1, FF_MAX_TREES);
		break;
	case OPT_ETA:
		a->gp.eta = cli_fraction(state, key, arg, false);
		break;
	case OPT_MIN_CHILD_WEIGHT:
		a->gp.min_child_weight = cli_real(state, key, arg, 0, 1e12);
		break;
	case OPT_LAMBDA:
		a->gp.lambda = cli_real(state, key, arg, 0, 1e12);
		break;
	case OPT_SUBSAMPLE:
		a->gp.subsample = cli_fraction(state, key, arg, false);
		break;
	case OPT_COLSAMPLE:
		a->gp.colsample = cli_fraction(state, key, arg, false);
		break;
	case OPT_EARLY_STOPPING:
		a->gp.early_stopping = cli_uint(state, key, arg, 1, FF_MAX_TREES);
		break;
	case OPT_VALIDATION:
		a->gp.validation = cli_fraction(state, key, arg, true);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	a->boost_set = 1;
	return 0;
}

/* The options of --model rf and dt; ARGP_ERR_UNKNOWN for any other. The
 * words are in their enums' order. */
static error_t parse_forest_opt(int key, char *arg, struct argp_state *state)
{
	struct train_args *a = state->input;

	switch (key) {
	case OPT_MIN_LEAF:
		a->p.min_samples_leaf = cli_uint(state, key, arg, 1, UINT_MAX / 2);
		break;
	case OPT_MAX_FEATURES:
		parse_max_features(state, a, arg);
		a->max_features_set = 1;
		break;
	case OPT_CRITERION:
		a->p.criterion = cli_word(state, key, arg, (const char *const[]){ "gini", "entropy", NULL });
		break;
	case OPT_CLASS_WEIGHT:
		a->p.balanced = !cli_word(state, key, arg, (const char *const[]){ "balanced", "none", NULL });
		break;
	case OPT_LEAF_WEIGHT:
		a->p.leaf_weight = cli_word(state, key, arg, (const char *const[]){ "one", "confidence", NULL });
		break;
	case OPT_NO_BOOTSTRAP:
		a->p.bootstrap = 0;
		break;
	case OPT_TIME_RES:
		a->p.time_resolution_us = cli_uint(state, key, arg, 0, 60000000);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	a->forest_set = 1;
	return 0;
}

/* Options that only make sense together, checked once all are read. */
static void check_combinations(struct argp_state *state, const struct train_args *a)
{
	if (a->folds && (a->output || a->n_test || a->split_file || a->test_split_set ||
			 a->json_report || a->dump_data))
		argp_error(state, "--folds names each fold's split, model and dump: not with -o, --test, --split-file, --test-split, --json-report or --dump-data");
	if (!a->output && !a->folds)
		argp_error(state, "-o/--output FILE is required");
	if (!!a->n_test + !!a->split_file + a->test_split_set > 1)
		argp_error(state, "use one of --test, --split-file and --test-split");
	if (a->trees_set && a->p.kind == FF_TRAIN_DT && a->p.n_trees != 1)
		argp_error(state, "--trees is for --model rf; a dt is one tree");
	if (a->boost_set && a->p.kind != FF_TRAIN_GBDT)
		argp_error(state, "--rounds, --learning-rate, --min-child-weight, --lambda, --subsample, --colsample, --early-stopping and --validation are for --model gbdt");
	if (a->p.kind == FF_TRAIN_GBDT && (a->trees_set || a->forest_set))
		argp_error(state, "--model gbdt grows --rounds of trees; --trees, --min-samples-leaf, --max-features, --criterion, --class-weight, --leaf-weight, --no-bootstrap and --time-resolution are for rf and dt");
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct train_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, &a->data, &a->actions, NULL);
		break;
	case 'T':
		if (a->n_test == MAX_FILES)
			argp_error(state, "too many --test files (at most %d)", MAX_FILES);
		a->test[a->n_test++] = arg;
		break;
	case 'o':
		a->output = arg;
		break;
	case OPT_EXCLUDE_FEATURES:
		if (!arg[0])
			argp_error(state, "--exclude-features wants a list of features or classes");
		a->exclude = arg;
		break;
	case 'f':
		if (!arg[0])
			argp_error(state, "--features wants a list of features or auto");
		a->features = arg;
		break;
	case 'm':	/* in enum ff_train_kind's order */
		a->p.kind = cli_word(state, key, arg, (const char *const[]){ "dt", "rf", "gbdt", NULL });
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
	case OPT_PHASES:
		parse_phases(state, a, arg);
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
	case OPT_FOLDS:
		a->folds = arg;
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
		check_combinations(state, a);
		break;
	default:
		if (parse_boost_opt(key, arg, state) == 0)
			return 0;
		return parse_forest_opt(key, arg, state);
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

static const char *kind_title(int kind)
{
	return kind == FF_TRAIN_GBDT ? "gradient-boosted trees" :
	       kind == FF_TRAIN_RF ? "random forest" : "decision tree";
}

/* A tree or forest: trained, built, and its integer thresholds checked
 * against the float ones on every training and test row. */
static int train_forest_model(const struct train_args *a, const struct ff_dataset *ds,
			      const struct ff_dataset *tds, const size_t *train, size_t n_train,
			      struct ff_model *model, struct ff_trained *tr, FILE *log)
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
	ff_forest_importance(&forest, &tr->imp);
	tr->seconds = forest.seconds;
	tr->n_trees = forest.n_trees;
	tr->nodes = forest.total_nodes;
	tr->nodes_grown = forest.nodes_grown;
	tr->pruned_splits = forest.pruned_splits;
	tr->hp = ff_forest_hp(&a->p, &forest);
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
			    struct ff_model *model, struct ff_trained *tr, FILE *log)
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
	ff_gbdt_importance(&g, &tr->imp);
	tr->seconds = g.seconds;
	tr->n_trees = g.n_trees;
	tr->nodes_grown = tr->nodes;
	tr->hp = ff_gbdt_hp(&a->gp, &g, model);
	tr->check = "passed: at the model's scale, the integer model's class equals the float model's on every training and test row";
	rc = 0;
out:
	ff_gbdt_free(&g);
	return rc;
}

/* Everything one training run holds, released by run_free(). */
struct train_run {
	struct train_args *a;
	FILE *log;			/* progress, or NULL */
	struct ff_dataset ds;		/* training data */
	struct ff_dataset test_store;
	struct ff_dataset *tds;		/* &ds, or &test_store with --test */
	struct ff_split split;
	struct ff_model model;
	struct ff_trained tr;
	struct ff_eval ev;
	double t_load;
};

/* --test files, in the training data's feature columns */
static int load_test_files(struct train_run *r, struct ff_dataset_opts *lo, char *err,
			   size_t errlen)
{
	struct ff_dataset *ds = &r->ds;

	lo->label_column = ds->label_column;
	lo->features = NULL;
	lo->exclude = NULL;
	lo->feature_ids = ds->feat;
	lo->n_feature_ids = ds->n_cols;
	if (ff_dataset_load(&r->test_store, r->a->test, r->a->n_test, lo, err, errlen)) {
		fprintf(stderr, "train: test data: %s\n", err);
		return -1;
	}
	r->tds = &r->test_store;
	if (r->tds->n_cols != ds->n_cols ||
	    memcmp(r->tds->feat, ds->feat, ds->n_cols * sizeof(ds->feat[0]))) {
		fprintf(stderr, "train: the test data's feature columns differ from the training data's\n");
		return -1;
	}
	return ff_split_test_files(&r->split, ds->n_rows, r->tds->n_rows, err, errlen);
}

/* The training data, its classes checked. */
static int load_dataset(struct train_run *r, struct ff_dataset_opts *lo)
{
	const struct train_args *a = r->a;
	char err[1024];

	lo->label_column = a->data.label_column;
	lo->features = a->features;
	lo->exclude = a->exclude;
	lo->log = r->log;
	if (ff_dataset_load(&r->ds, a->data.csv, a->data.n_csv, lo, err, sizeof(err))) {
		fprintf(stderr, "train: %s\n", err);
		return -1;
	}
	if (r->ds.n_classes > FF_MAX_CLASSES) {
		fprintf(stderr, "train: the label column \"%s\" has %u classes; a model holds at most %d\n",
			r->ds.label_column, r->ds.n_classes, FF_MAX_CLASSES);
		return -1;
	}
	return 0;
}

/* The test data and the split of the loaded data (--dump-data too). */
static int split_data(struct train_run *r, struct ff_dataset_opts *lo)
{
	const struct train_args *a = r->a;
	char err[1024];
	int rc;

	if (check_early(a, &r->ds))
		return -1;
	if (a->n_test)
		rc = load_test_files(r, lo, err, sizeof(err));
	else if (a->split_file)
		rc = ff_split_file(&r->split, r->ds.n_rows, a->split_file, err, sizeof(err));
	else
		rc = ff_split_random(&r->split, r->ds.n_rows, a->test_split, a->p.seed, err,
				     sizeof(err));
	if (rc) {
		fprintf(stderr, "train: %s\n", err);
		return -1;
	}
	if (r->split.n_train == 0) {
		fprintf(stderr, "train: no training rows left after the split\n");
		return -1;
	}
	if (r->log)
		fprintf(r->log, "data: %zu rows, %u features, %u classes, label column \"%s\"; %zu train, %zu test rows\n",
			r->ds.n_rows, r->ds.n_cols, r->ds.n_classes, r->ds.label_column,
			r->split.n_train, r->split.n_test);
	if (a->dump_data &&
	    ff_dataset_dump(a->dump_data, &r->ds, r->tds, &r->split, err, sizeof(err))) {
		fprintf(stderr, "train: %s\n", err);
		return -1;
	}
	return 0;
}

/* The data, the test data and the split. */
static int load_data(struct train_run *r)
{
	struct ff_dataset_opts lo = { 0 };

	r->t_load = ff_mono_s();
	if (load_dataset(r, &lo) || split_data(r, &lo))
		return -1;
	r->t_load = ff_mono_s() - r->t_load;
	return 0;
}

typedef int (*train_fn)(const struct train_args *a, const struct ff_dataset *ds,
			const struct ff_dataset *tds, const size_t *train, size_t n_train,
			struct ff_model *model, struct ff_trained *tr, FILE *log);

/*
 * --phases: one model per range of packet counts, each trained on the
 * training rows whose fwd_pkts + bwd_pkts (the flow's count at the
 * checkpoint that wrote the row, which also picks the kernel's phase) fall
 * in its range, and put together in one model file.
 */
static int train_phases(const struct train_args *a, const struct ff_dataset *ds,
			const struct ff_dataset *tds, const size_t *train, size_t n_train,
			struct ff_model *model, struct ff_trained *tr, FILE *log, train_fn fn)
{
	int cf = ff_dataset_col_of(ds, FF_F_FWD_PKTS), cb = ff_dataset_col_of(ds, FF_F_BWD_PKTS);
	json_object *list = json_object_new_array();
	size_t *sub = malloc((n_train ? n_train : 1) * sizeof(*sub)), k;
	char err[512];
	unsigned i;
	int rc = -1;

	if (cf < 0 || cb < 0) {
		fprintf(stderr, "train: --phases picks rows by packet count: the data needs the fwd_pkts and bwd_pkts columns\n");
		goto out;
	}
	if (!sub)
		goto out;
	memset(model, 0, sizeof(*model));
	for (i = 0; i < a->n_phases; i++) {
		__u64 lo = i ? a->phases[i] : 0, hi = i + 1 < a->n_phases ? a->phases[i + 1] : ~0ULL;
		struct ff_trained pt = { 0 };
		struct ff_model pm = { 0 };
		json_object *po;
		size_t n = 0;

		for (k = 0; k < n_train; k++) {
			__u64 p = ds->col[cf][train[k]] + ds->col[cb][train[k]];

			if (p >= lo && p < hi)
				sub[n++] = train[k];
		}
		if (log) {
			if (hi == ~0ULL)
				fprintf(log, "phase %u: %llu packets or more: %zu training rows\n", i,
					(unsigned long long)lo, n);
			else
				fprintf(log, "phase %u: %llu to %llu packets: %zu training rows\n", i,
					(unsigned long long)lo, (unsigned long long)hi - 1, n);
		}
		if (!n) {
			fprintf(stderr, "train: phase %u (from %u packets) has no training rows; choose other --phases\n",
				i, a->phases[i]);
			goto out;
		}
		if (fn(a, ds, tds, sub, n, &pm, &pt, log))
			goto out;
		if (ff_model_append_phase(model, &pm, a->phases[i], err, sizeof(err))) {
			fprintf(stderr, "train: %s\n", err);
			ff_model_free(&pm);
			json_object_put(pt.hp);
			goto out;
		}
		tr->seconds += pt.seconds;
		tr->n_trees += pt.n_trees;
		tr->nodes += pt.nodes;
		tr->nodes_grown += pt.nodes_grown;
		tr->pruned_splits += pt.pruned_splits;
		ff_importance_merge(&tr->imp, &pt.imp);
		tr->check = pt.check;
		po = json_object_new_object();
		json_object_object_add(po, "from_pkts", json_object_new_int64(a->phases[i]));
		json_object_object_add(po, "train_rows", json_object_new_uint64(n));
		json_object_object_add(po, "hyperparameters", pt.hp);
		json_object_array_add(list, po);
		ff_model_free(&pm);
	}
	if (ff_model_validate(model, err, sizeof(err))) {
		fprintf(stderr, "train: the phases together: %s\n", err);
		goto out;
	}
	tr->hp = json_object_new_object();
	json_object_object_add(tr->hp, "model", json_object_new_string(ff_train_kind_name(a->p.kind)));
	json_object_object_add(tr->hp, "phases", list);
	list = NULL;
	rc = 0;
out:
	json_object_put(list);
	free(sub);
	return rc;
}

static int build_model(struct train_run *r)
{
	const struct train_args *a = r->a;
	int rc;

	train_fn fn = a->p.kind == FF_TRAIN_GBDT ? train_gbdt_model : train_forest_model;

	if (a->n_phases)
		rc = train_phases(a, &r->ds, r->tds, r->split.train, r->split.n_train, &r->model,
				  &r->tr, r->log, fn);
	else
		rc = fn(a, &r->ds, r->tds, r->split.train, r->split.n_train, &r->model, &r->tr,
			r->log);
	return rc || set_actions(a, &r->model) ? -1 : 0;
}

/* Metrics on the test rows (on the training rows without a split). */
static int evaluate(struct train_run *r)
{
	const struct ff_split *sp = &r->split;
	FILE *out = r->a->json_report && !strcmp(r->a->json_report, "-") ? stderr : stdout;
	char err[1024];
	int rc;

	if (sp->n_test)
		rc = ff_eval_model(&r->model, r->tds, sp->test, sp->n_test, &r->ev, err, sizeof(err));
	else
		rc = ff_eval_model(&r->model, &r->ds, sp->train, sp->n_train, &r->ev, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "train: %s\n", err);
		return -1;
	}
	ff_eval_print_unknown(&r->ev, stderr, "train", "test rows");
	fprintf(out, "%s metrics (%s, %zu rows):\n", sp->n_test ? "test-set" : "training-set",
		kind_title(r->a->p.kind), r->ev.rows);
	ff_eval_print(&r->ev, out);
	ff_importance_print(&r->tr.imp, 15, out);
	return 0;
}

/* The model with its provenance, read back as `run` would. */
static int write_model(struct train_run *r)
{
	const char *path = r->a->output;
	struct ff_model check;
	json_object *prov;
	char err[1024];

	prov = ff_train_provenance(&r->a->p, &r->tr, &r->ds, r->tds, &r->split, &r->ev);
	r->model.provenance = strdup(json_object_to_json_string_ext(prov, JSON_C_TO_STRING_PLAIN));
	json_object_put(prov);
	if (!r->model.provenance) {
		fprintf(stderr, "train: out of memory\n");
		return -1;
	}
	if (ff_model_save(&r->model, path, err, sizeof(err))) {
		fprintf(stderr, "train: %s\n", err);
		return -1;
	}
	if (ff_model_load(path, &check, err, sizeof(err))) {
		fprintf(stderr, "train: the written model does not load: %s\n", err);
		return -1;
	}
	if (r->log)
		fprintf(r->log, "wrote %s: %u trees, %u nodes, depth %u, %u classes, %u features\n", path,
			check.n_trees, check.n_nodes, check.max_depth, check.n_classes, check.n_features);
	ff_model_free(&check);
	return 0;
}

/* --json-report: metrics and timings. */
static int write_report(const struct train_run *r)
{
	const struct train_args *a = r->a;
	struct ff_outfile o;
	json_object *j;
	char err[512];

	if (ff_outfile_open(&o, a->json_report, err, sizeof(err))) {
		fprintf(stderr, "train: %s\n", err);
		return -1;
	}
	j = json_object_new_object();
	json_object_object_add(j, "model_file", json_object_new_string(a->output));
	json_object_object_add(j, "model", json_object_new_string(ff_train_kind_name(a->p.kind)));
	json_object_object_add(j, "load_seconds", json_object_new_double(r->t_load));
	json_object_object_add(j, "train_seconds", json_object_new_double(r->tr.seconds));
	json_object_object_add(j, "threads", json_object_new_int(a->p.threads));
	json_object_object_add(j, "train_rows", json_object_new_uint64(r->split.n_train));
	json_object_object_add(j, "test_rows", json_object_new_uint64(r->split.n_test));
	json_object_object_add(j, "trees", json_object_new_uint64(r->tr.n_trees));
	json_object_object_add(j, "nodes", json_object_new_uint64(r->tr.nodes));
	json_object_object_add(j, "nodes_grown", json_object_new_uint64(r->tr.nodes_grown));
	json_object_object_add(j, "metrics_on", json_object_new_string(r->split.n_test ? "test" : "train"));
	json_object_object_add(j, "metrics", ff_eval_json(&r->ev));
	json_object_object_add(j, "feature_importance",
			       ff_importance_json(&r->tr.imp, a->p.kind == FF_TRAIN_GBDT ?
						  "gain: loss reduction of the splits" :
						  a->p.criterion == FF_CRIT_ENTROPY ?
						  "entropy decrease of the splits, weighted by rows" :
						  "Gini impurity decrease of the splits, weighted by rows"));
	fprintf(o.f, "%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY));
	json_object_put(j);
	if (ff_outfile_commit(&o, err, sizeof(err))) {
		fprintf(stderr, "train: %s\n", err);
		return -1;
	}
	return 0;
}

/* What one model of the loaded data holds: released for the next. */
static void model_free(struct train_run *r)
{
	json_object_put(r->tr.hp);
	ff_eval_free(&r->ev);
	ff_model_free(&r->model);
	ff_split_free(&r->split);
	memset(&r->tr, 0, sizeof(r->tr));
	memset(&r->ev, 0, sizeof(r->ev));
	memset(&r->model, 0, sizeof(r->model));
	memset(&r->split, 0, sizeof(r->split));
}

static void run_free(struct train_run *r)
{
	model_free(r);
	if (r->tds != &r->ds)
		ff_dataset_free(r->tds);
	ff_dataset_free(&r->ds);
}

/*
 * --folds FILE: the data parsed and its columns ranked once, then for each
 * line SPLIT<tab>MODEL[<tab>DUMP] the model that --split-file SPLIT -o
 * MODEL [--dump-data DUMP] writes (the same code on the same rows; the
 * ranks gathered keep the order, ff_rank_columns): a leave-one-out
 * evaluation's folds without parsing and sorting the data again for each
 * (lab/evaluate.py: 39 folds of 388,022 rows).
 */
static int run_folds(struct train_run *r)
{
	struct train_args *a = r->a;
	struct ff_dataset_opts lo = { 0 };
	struct ff_ranking rk;
	struct ff_lines in;
	char err[1024], *line;
	unsigned n = 0;
	int rc;

	if (load_dataset(r, &lo))
		return -1;
	if (ff_lines_open(&in, a->folds, err, sizeof(err))) {
		fprintf(stderr, "train: --folds: %s\n", err);
		return -1;
	}
	if (a->p.kind != FF_TRAIN_GBDT) {	/* the columns sorted once for every fold */
		if (ff_rank_columns(&r->ds, a->p.threads, &rk, err, sizeof(err))) {
			fprintf(stderr, "train: %s\n", err);
			ff_lines_close(&in);
			return -1;
		}
		a->p.ranking = &rk;
	}
	while ((rc = ff_lines_next(&in, &line, err, sizeof(err))) == 1) {
		char *out = strchr(line, '\t'), *dump = out ? strchr(out + 1, '\t') : NULL;

		if (!out || !out[1] || out[1] == '\t' || (dump && (!dump[1] || strchr(dump + 1, '\t')))) {
			fprintf(stderr, "train: %s:%u: wants SPLIT-FILE<tab>MODEL-FILE[<tab>DUMP-FILE]\n",
				a->folds, in.lineno);
			break;
		}
		*out++ = 0;
		if (dump)
			*dump++ = 0;
		a->split_file = line;
		a->output = out;
		a->dump_data = dump;
		printf("fold %s: %s\n", line, out);
		rc = split_data(r, &lo) || build_model(r) || evaluate(r) || write_model(r);
		model_free(r);
		if (rc)
			break;
		n++;
	}
	if (rc < 0)
		fprintf(stderr, "train: --folds: %s\n", err);
	else if (!rc && !n)
		fprintf(stderr, "train: --folds %s names no fold\n", a->folds);
	ff_lines_close(&in);
	if (a->p.ranking)
		ff_ranking_free(&rk);
	a->p.ranking = NULL;
	return rc || !n ? -1 : 0;
}

int cmd_train(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_data_argp }, { &cli_action_argp, 0, "Classes:" }, {},
	};
	static const struct argp argp = { options, parse_opt, "[FILE...]", doc, children };
	struct train_args a;
	struct train_run r = { .a = &a, .tds = &r.ds };
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	memset(&a, 0, sizeof(a));
	ff_train_params_default(&a.p, FF_TRAIN_RF);
	ff_gbdt_params_default(&a.gp);
	a.test_split = 0.3;
	a.p.threads = n > 0 ? (n > 256 ? 256 : n) : 1;
	cli_parse(&argp, argc, argv, &a);
	if (a.p.kind == FF_TRAIN_DT)
		a.p.n_trees = 1;
	r.log = a.quiet ? NULL : stderr;
	a.p.log = r.log;
	a.gp.log = r.log;
	a.gp.seed = a.p.seed;
	a.gp.threads = a.p.threads;
	if (a.depth_set)
		a.gp.max_depth = a.p.max_depth;

	if (a.folds)
		rc = run_folds(&r);
	else
		rc = load_data(&r) || build_model(&r) || evaluate(&r) || write_model(&r) ||
		     (a.json_report && write_report(&r));
	run_free(&r);
	return rc ? 1 : 0;
}
