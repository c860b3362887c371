// SPDX-License-Identifier: MIT
/* flowforest eval: a model's metrics on labelled flow CSVs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "args.h"
#include "commands.h"
#include "dataset.h"
#include "eval.h"
#include "outfile.h"
#include "features_info.h"
#include "model_file.h"


struct eval_args {
	const char *model;
	struct cli_data data;	/* --csv, --label-column */
	int json;
	int quiet;
	const char *min[FF_MAX_CLASSES * 4];	/* --min-score specs */
	const char *html;
	unsigned n_min;
};

enum { OPT_MIN_SCORE = 1000, OPT_HTML };

static const char doc[] =
	"Evaluate a model on labelled flow CSVs.\v"
	"Runs the model with the kernel's own forest walk on every row (features\n"
	"converted to kernel units as `train` does; see docs/training.md) and\n"
	"prints accuracy, per-class precision, recall, F1 and support, macro-F1\n"
	"(mean over the classes present or predicted) and the confusion matrix.\n"
	"Classes in the CSV that the model does not have are reported; their rows\n"
	"count as errors. Extra arguments are more CSV files.\n"
	"\n"
	"Confidence: every verdict has a score (permille: a vote's winner share, or\n"
	"a boosted model's probability); precision and recall of each class's\n"
	"verdicts scored at least its minimum score (the model's, or --min-score:\n"
	"below it a drop is only an alert) and at 500 and 900; --json adds each\n"
	"class's precision-recall curve over thresholds 0, 50, ..., 1000, and --html\n"
	"writes them as a chart.\n"
	"\n"
	"EXAMPLES:\n"
	"  flowforest eval --model cic.json --csv ../shared/data/cicids2017-improved-sample/*.csv\n"
	"  flowforest eval -m unsw.json --csv test.csv --label-column attack_cat --json\n"
	"  flowforest eval -m gbdt.json --csv test.csv --min-score DDoS=900 --html report.html";

static const struct argp_option options[] = {
	{ "model", 'm', "FILE", 0, "Model file (required)" },
	{ "min-score", OPT_MIN_SCORE, "CLASS=PERMILLE", 0, "The threshold at which precision and recall of CLASS are reported (repeatable; default: the model's minimum score)" },
	{ "json", 'j', NULL, 0, "Metrics as one JSON object, with the precision-recall curve of each class" },
	{ "html", OPT_HTML, "FILE", 0, "Also write an HTML report: metrics and the precision-recall curves as a chart" },
	{ "quiet", 'q', NULL, 0, "No progress on stderr" },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct eval_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, &a->data, NULL);
		break;
	case 'm':
		a->model = arg;
		break;
	case 'j':
		a->json = 1;
		break;
	case OPT_HTML:
		a->html = arg;
		break;
	case OPT_MIN_SCORE: {
		char cls[FF_NAME_MAX], err[256];
		__u32 v;

		if (ff_min_score_spec_parse(arg, cls, sizeof(cls), &v, err, sizeof(err)))
			argp_error(state, "%s", err);
		if (a->n_min == FF_MAX_CLASSES * 4)
			argp_error(state, "too many --min-score options");
		a->min[a->n_min++] = arg;
		break;
	}
	case 'q':
		a->quiet = 1;
		break;
	case ARGP_KEY_END:
		if (!a->model)
			argp_error(state, "--model FILE is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cmd_eval(int argc, char **argv)
{
	static const struct argp_child children[] = { { &cli_data_argp }, {} };
	static const struct argp argp = { options, parse_opt, "[FILE...]", doc, children };
	struct eval_args a = { 0 };
	struct ff_dataset_opts lo = { 0 };
	struct ff_dataset ds = { 0 };
	struct ff_model m = { 0 };
	struct ff_eval ev = { 0 };
	__u16 ids[FF_MAX_FEATURES];
	unsigned n_ids = 0;
	char err[1024];
	int rc = 1;

	cli_parse(&argp, argc, argv, &a);
	if (ff_model_load(a.model, &m, err, sizeof(err))) {
		fprintf(stderr, "eval: %s\n", err);
		return 1;
	}
	for (n_ids = 0; n_ids < a.n_min; n_ids++)
		if (ff_model_min_score_override(&m, a.min[n_ids], err, sizeof(err))) {
			fprintf(stderr, "eval: %s\n", err);
			ff_model_free(&m);
			return 2;
		}
	n_ids = 0;
	/* the features the trees split on (all declared ones if none) */
	{
		int used[FF_NUM_FEATURES] = { 0 };
		__u32 i;

		for (i = 0; i < m.n_nodes; i++)
			if (m.nodes[i].feature < FF_NUM_FEATURES)
				used[m.nodes[i].feature] = 1;
		if (m.n_phases > 1 || m.early_pkts)	/* the packet count picks the phase, early_drop */
			used[FF_F_FWD_PKTS] = used[FF_F_BWD_PKTS] = 1;
		for (i = 0; i < FF_NUM_FEATURES; i++)
			if (used[i])
				ids[n_ids++] = i;
		if (!n_ids)
			for (i = 0; i < m.n_features; i++)
				ids[n_ids++] = m.feature_ids[i];
	}
	lo.label_column = a.data.label_column;
	lo.feature_ids = ids;
	lo.n_feature_ids = n_ids;
	lo.log = a.quiet ? NULL : stderr;
	if (ff_dataset_load(&ds, a.data.csv, a.data.n_csv, &lo, err, sizeof(err))) {
		fprintf(stderr, "eval: %s\n", err);
		goto out;
	}
	if (ff_eval_model(&m, &ds, NULL, 0, &ev, err, sizeof(err))) {
		fprintf(stderr, "eval: %s\n", err);
		goto out;
	}
	ff_eval_print_unknown(&ev, stderr, "eval", "rows (counted as errors)");
	if (a.html) {
		struct ff_outfile of;
		char title[600];

		snprintf(title, sizeof(title), "flowforest eval: %s", a.model);
		if (ff_outfile_open(&of, a.html, err, sizeof(err))) {
			fprintf(stderr, "eval: %s\n", err);
			goto out;
		}
		ff_eval_write_html(&ev, title, of.f);
		if (ff_outfile_commit(&of, err, sizeof(err))) {
			fprintf(stderr, "eval: %s\n", err);
			goto out;
		}
	}
	if (a.json) {
		json_object *o = ff_eval_json(&ev);

		json_object_object_add(o, "model_file", json_object_new_string(a.model));
		json_object_object_add(o, "label_column", json_object_new_string(ds.label_column));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else {
		printf("%s on %zu rows (label column \"%s\"):\n", a.model, ds.n_rows, ds.label_column);
		ff_eval_print(&ev, stdout);
	}
	rc = 0;
out:
	ff_eval_free(&ev);
	ff_dataset_free(&ds);
	ff_model_free(&m);
	return rc;
}
