// SPDX-License-Identifier: MIT
/* flowforest model import: a model from XGBoost or scikit-learn, and how
 * often its verdicts differ from the original's on a CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <json-c/json.h>

#include "args.h"
#include "commands.h"
#include "dataset.h"
#include "import.h"
#include "model_file.h"

struct import_args {
	const char *in, *out, *features, *classes, *check, *check_column;
	int from;
	bool from_set, json;
	struct cli_actions actions;
};

enum { OPT_FROM = 1000, OPT_CLASSES, OPT_CHECK, OPT_CHECK_COLUMN };

static const struct argp_option import_options[] = {
	{ "from", OPT_FROM, "LIB", 0, "xgboost (Booster.save_model(\"m.json\")) or sklearn (scripts/sklearn2json.py's JSON); required" },
	{ "output", 'o', "FILE", 0, "The flowforest model to write; required" },
	{ "features", 'f', "LIST", 0, "Names of the model's features in its column order (flowforest or CIC names), when the file has none or they differ" },
	{ "classes", OPT_CLASSES, "LIST", 0, "Class names in the model's class order (XGBoost's default: 0, 1, ...)" },
	{ "check", OPT_CHECK, "CSV", 0, "Rows with the original's predictions (column --check-column): report how often the imported model's class differs" },
	{ "check-column", OPT_CHECK_COLUMN, "NAME", 0, "The predictions' column in --check (default: predicted)" },
	{ "json", 'j', NULL, 0, "The report as one JSON object" },
	{},
};

static error_t import_opt(int key, char *arg, struct argp_state *state)
{
	struct import_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, &a->actions, NULL);
		break;
	case OPT_FROM:
		/* in enum ff_import_from's order */
		a->from = cli_word(state, key, arg, (const char *const[]){ "xgboost", "sklearn", NULL });
		a->from_set = true;
		break;
	case 'o':
		a->out = arg;
		break;
	case 'f':
		a->features = arg;
		break;
	case OPT_CLASSES:
		a->classes = arg;
		break;
	case OPT_CHECK:
		a->check = arg;
		break;
	case OPT_CHECK_COLUMN:
		a->check_column = arg;
		break;
	case 'j':
		a->json = true;
		break;
	case ARGP_KEY_ARG:
		if (a->in)
			argp_error(state, "unexpected argument '%s'", arg);
		a->in = arg;
		break;
	case ARGP_KEY_END:
		if (!a->in)
			argp_error(state, "which model file IN?");
		if (!a->from_set)
			argp_error(state, "--from xgboost|sklearn is required");
		if (!a->out)
			argp_error(state, "-o/--output FILE is required");
		if (a->check_column && !a->check)
			argp_error(state, "--check-column goes with --check");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct check {
	size_t rows, differ;
	char first[300];		/* the first differing row, described */
};

/* The imported model on every row of the CSV against the original's
 * predictions in its check column. */
static int run_check(const struct import_args *a, const struct ff_model *m, struct check *c)
{
	struct ff_dataset_opts o = { .label_column = a->check_column ? a->check_column : "predicted",
				     .feature_ids = m->feature_ids, .n_feature_ids = m->n_features };
	const char *paths[1] = { a->check };
	struct ff_dataset ds;
	__u64 v[FF_MAX_FEATURES];
	char err[512];
	size_t r;

	memset(c, 0, sizeof(*c));
	if (ff_dataset_load(&ds, paths, 1, &o, err, sizeof(err))) {
		fprintf(stderr, "flowforest model import: --check: %s\n", err);
		return -1;
	}
	for (r = 0; r < ds.n_rows; r++) {
		const char *orig = ds.class_names[ds.y[r]];
		__u32 score, cls;

		ff_dataset_row(&ds, r, v);
		cls = ff_model_predict(m, v, &score);
		c->rows++;
		if (!strcmp(m->class_names[cls], orig))
			continue;
		if (!c->differ++) {
			char where[256];

			ff_dataset_row_origin(&ds, r, where, sizeof(where));
			snprintf(c->first, sizeof(c->first), "%s: the original predicts \"%s\", the import \"%s\"",
				 where, orig, m->class_names[cls]);
		}
	}
	ff_dataset_free(&ds);
	return 0;
}

static void report(const struct import_args *a, const struct ff_model *m,
		   const struct ff_import_info *info, const struct check *c)
{
	double agree = c && c->rows ? 100.0 * (c->rows - c->differ) / c->rows : 0;

	if (a->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "input", json_object_new_string(a->in));
		json_object_object_add(o, "output", json_object_new_string(a->out));
		json_object_object_add(o, "kind", json_object_new_string(info->kind));
		json_object_object_add(o, "trees", json_object_new_int(info->n_trees));
		json_object_object_add(o, "features_used", json_object_new_int(info->n_features_used));
		json_object_object_add(o, "features_unused", json_object_new_int(info->features_unused));
		json_object_object_add(o, "splits_pruned", json_object_new_int(info->splits_pruned));
		json_object_object_add(o, "combine", json_object_new_string(ff_combine_name(m->phases[0].combine)));
		if (m->phases[0].combine == FF_COMBINE_SOFTMAX)
			json_object_object_add(o, "scale_bits", json_object_new_int(m->phases[0].scale_bits));
		if (c) {
			json_object *k = json_object_new_object();

			json_object_object_add(k, "file", json_object_new_string(a->check));
			json_object_object_add(k, "rows", json_object_new_uint64(c->rows));
			json_object_object_add(k, "differ", json_object_new_uint64(c->differ));
			json_object_object_add(k, "agree_percent", json_object_new_double(agree));
			if (c->differ)
				json_object_object_add(k, "first_difference", json_object_new_string(c->first));
			json_object_object_add(o, "check", k);
		}
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
		return;
	}
	printf("%s: %s -> %s: %u trees, %u features used", a->in, info->kind, a->out, info->n_trees,
	       info->n_features_used);
	if (info->features_unused)
		printf(" (%u named but unused)", info->features_unused);
	if (info->splits_pruned)
		printf(", %u splits that no integer takes one way replaced by their other child",
		       info->splits_pruned);
	if (m->phases[0].combine == FF_COMBINE_SOFTMAX)
		printf(", leaf values x 2^%u", m->phases[0].scale_bits);
	putchar('\n');
	if (c) {
		printf("check: %s: the imported model agrees with the original's predictions on %zu of %zu rows (%.3f %%)\n",
		       a->check, c->rows - c->differ, c->rows, agree);
		if (c->differ)
			printf("check: first difference at %s\n", c->first);
	}
}

int cmd_model_import(int argc, char **argv)
{
	static const struct argp_child children[] = { { &cli_action_argp, 0, "Classes:" }, {} };
	static const struct argp argp = {
		import_options, import_opt, "IN",
		"Turn a model trained with XGBoost or scikit-learn into a flowforest model.\v"
		"XGBoost: the JSON of Booster.save_model(\"m.json\") (or XGBClassifier's\n"
		"save_model), objective binary:logistic, multi:softprob or multi:softmax, gbtree.\n"
		"scikit-learn: DecisionTree-, RandomForest-, ExtraTrees- or\n"
		"GradientBoostingClassifier, saved with joblib and converted by\n"
		"scripts/sklearn2json.py MODEL.joblib -o trees.json.\n\n"
		"Feature names (the file's, or --features) map onto the kernel's features by\n"
		"flowforest or CIC name; a split on a feature the kernel does not compute is\n"
		"refused. Thresholds become exact integer thresholds in the feature's unit:\n"
		"scikit-learn's x <= 2.5 is x <= 2, XGBoost's x < 2.5 is x <= 2. Boosted\n"
		"leaf values become fixed point (softmax scores); forests and trees keep\n"
		"their class probabilities (vote scores). Every class passes unless\n"
		"--action says otherwise. With --check, the model runs on a CSV whose\n"
		"--check-column holds the original's predictions (sklearn2json.py --predict\n"
		"writes one) and the disagreements are counted. See docs/model-format.md.\n\n"
		"EXAMPLES:\n"
		"  flowforest model import --from xgboost m.json -o ff.json --classes benign,scan\n"
		"  scripts/sklearn2json.py rf.joblib -o rf-trees.json --predict test.csv --predict-out checked.csv\n"
		"  flowforest model import --from sklearn rf-trees.json -o ff.json --check checked.csv\n"
		"  flowforest model import --from xgboost m.json -o ff.json -a 1=drop --json",
		children,
	};
	struct import_args a = {};
	struct ff_import_opts o = { 0 };
	struct ff_import_info info;
	struct ff_model m, back;
	struct check c;
	char err[600];
	int rc = 1;

	cli_parse(&argp, argc, argv, &a);
	o.from = a.from;
	o.features = a.features;
	o.classes = a.classes;
	if (ff_import(a.in, &o, &m, &info, err, sizeof(err))) {
		fprintf(stderr, "flowforest model import: %s\n", err);
		return 1;
	}
	if (cli_actions_resolve(&a.actions, &m, m.actions, "flowforest model import")) {
		ff_model_free(&m);
		return 2;
	}
	{
		json_object *p = json_object_new_object();

		json_object_object_add(p, "imported_from", json_object_new_string(a.in));
		json_object_object_add(p, "kind", json_object_new_string(info.kind));
		m.provenance = strdup(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
		json_object_put(p);
	}
	if (a.check && run_check(&a, &m, &c))
		goto out;
	if (ff_model_save(&m, a.out, err, sizeof(err))) {
		fprintf(stderr, "flowforest model import: %s\n", err);
		goto out;
	}
	if (ff_model_load(a.out, &back, err, sizeof(err))) {
		fprintf(stderr, "flowforest model import: the written model does not load: %s\n", err);
		goto out;
	}
	ff_model_free(&back);
	report(&a, &m, &info, a.check ? &c : NULL);
	rc = 0;
out:
	ff_model_free(&m);
	return rc;
}
