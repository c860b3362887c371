// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdio.h>
#include <time.h>
#include <json-c/json.h>

#include "provenance.h"

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

const char *ff_train_kind_name(int kind)
{
	return kind == FF_TRAIN_GBDT ? "gbdt" : kind == FF_TRAIN_RF ? "rf" : "dt";
}

json_object *ff_forest_hp(const struct ff_train_params *p, const struct ff_forest *f)
{
	json_object *hp = json_object_new_object();
	char buf[64];

	json_object_object_add(hp, "model", json_object_new_string(ff_train_kind_name(p->kind)));
	json_object_object_add(hp, "trees", json_object_new_int(f->n_trees));
	json_object_object_add(hp, "max_depth", json_object_new_int(p->max_depth));
	json_object_object_add(hp, "min_samples_leaf", json_object_new_int(p->min_samples_leaf));
	json_object_object_add(hp, "max_features", json_object_new_string(mf_name(p, buf, sizeof(buf))));
	json_object_object_add(hp, "features_per_split", json_object_new_int(f->mtry));
	json_object_object_add(hp, "criterion", json_object_new_string(p->criterion == FF_CRIT_ENTROPY ? "entropy" : "gini"));
	json_object_object_add(hp, "class_weight", json_object_new_string(p->balanced ? "balanced" : "none"));
	json_object_object_add(hp, "bootstrap", json_object_new_boolean(p->bootstrap < 0 ? p->kind == FF_TRAIN_RF : p->bootstrap));
	json_object_object_add(hp, "leaf_weight", json_object_new_string(p->leaf_weight == FF_LEAF_CONFIDENCE ? "confidence" : "one"));
	json_object_object_add(hp, "time_resolution_us", json_object_new_int64((int64_t)p->time_resolution_us));
	json_object_object_add(hp, "vote", json_object_new_string(p->leaf_weight == FF_LEAF_CONFIDENCE
		? "majority class per leaf, weight round(100 x its share)" : "majority class per leaf, weight 1"));
	return hp;
}

json_object *ff_gbdt_hp(const struct ff_gbdt_params *p, const struct ff_gbdt *g,
			const struct ff_model *m)
{
	json_object *hp = json_object_new_object();

	json_object_object_add(hp, "model", json_object_new_string("gbdt"));
	json_object_object_add(hp, "objective", json_object_new_string(g->binary ? "binary logistic" : "multi-class softmax"));
	json_object_object_add(hp, "rounds", json_object_new_int(p->rounds));
	json_object_object_add(hp, "rounds_kept", json_object_new_int(g->rounds));
	json_object_object_add(hp, "trees", json_object_new_int(g->n_trees));
	json_object_object_add(hp, "learning_rate", json_object_new_double(p->eta));
	json_object_object_add(hp, "max_depth", json_object_new_int(p->max_depth));
	json_object_object_add(hp, "min_child_weight", json_object_new_double(p->min_child_weight));
	json_object_object_add(hp, "lambda", json_object_new_double(p->lambda));
	json_object_object_add(hp, "subsample", json_object_new_double(p->subsample));
	json_object_object_add(hp, "colsample", json_object_new_double(p->colsample));
	json_object_object_add(hp, "split_finding", json_object_new_string("exact greedy, depth-wise"));
	if (p->early_stopping) {
		json_object_object_add(hp, "early_stopping", json_object_new_int(p->early_stopping));
		json_object_object_add(hp, "validation", json_object_new_double(p->validation));
		json_object_object_add(hp, "validation_rows", json_object_new_uint64(g->valid_rows));
		json_object_object_add(hp, "best_validation_loss", json_object_new_double(g->best_valid_loss));
	}
	json_object_object_add(hp, "scale_bits", json_object_new_int(m->phases[0].scale_bits));
	return hp;
}

static json_object *files_json(const struct ff_dataset *ds, int with_unlabelled)
{
	json_object *files = json_object_new_array();
	unsigned i;

	for (i = 0; i < ds->n_files; i++) {
		json_object *fo = json_object_new_object();

		json_object_object_add(fo, "path", json_object_new_string(ds->files[i].path));
		json_object_object_add(fo, "rows", json_object_new_uint64(ds->files[i].rows));
		if (with_unlabelled && ds->files[i].unlabelled)
			json_object_object_add(fo, "unlabelled_rows_skipped",
					       json_object_new_uint64(ds->files[i].unlabelled));
		json_object_array_add(files, fo);
	}
	return files;
}

static json_object *split_json(const struct ff_split *s)
{
	static const char *const methods[] = {
		[FF_SPLIT_NONE] = "none", [FF_SPLIT_RANDOM] = "random",
		[FF_SPLIT_FILE] = "split file", [FF_SPLIT_TEST_FILES] = "test files",
	};
	json_object *split = json_object_new_object();

	json_object_object_add(split, "method", json_object_new_string(methods[s->method]));
	if (s->method == FF_SPLIT_FILE)
		json_object_object_add(split, "file", json_object_new_string(s->file));
	if (s->method == FF_SPLIT_RANDOM) {
		json_object_object_add(split, "test_fraction", json_object_new_double(s->fraction));
		json_object_object_add(split, "seed", json_object_new_uint64(s->seed));
	}
	return split;
}

json_object *ff_train_provenance(const struct ff_train_params *p, struct ff_trained *tr,
				 const struct ff_dataset *ds, const struct ff_dataset *tds,
				 const struct ff_split *split, const struct ff_eval *ev)
{
	json_object *o = json_object_new_object();
	json_object *data = json_object_new_object(), *test = json_object_new_object();
	json_object *nodes = json_object_new_object();
	char when[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "trainer", json_object_new_string(FF_TRAINER_NAME));
	json_object_object_add(o, "version", json_object_new_string(FF_TRAINER_VERSION));
	json_object_object_add(o, "created", json_object_new_string(when));
	json_object_object_add(o, "train_seconds", json_object_new_double(round(tr->seconds * 1000) / 1000));
	json_object_object_add(o, "hyperparameters", tr->hp);
	tr->hp = NULL;
	json_object_object_add(o, "seed", json_object_new_uint64(p->seed));
	json_object_object_add(o, "threads", json_object_new_int(p->threads));

	json_object_object_add(data, "files", files_json(ds, 1));
	if (tds != ds)
		json_object_object_add(data, "test_files", files_json(tds, 0));
	json_object_object_add(data, "label_column", json_object_new_string(ds->label_column));
	json_object_object_add(data, "rows", json_object_new_uint64(ds->n_rows));
	json_object_object_add(data, "train_rows", json_object_new_uint64(split->n_train));
	json_object_object_add(data, "test_rows", json_object_new_uint64(split->n_test));
	if (ds->left_out)
		json_object_object_add(data, "columns_left_out", json_object_new_string(ds->left_out));
	json_object_object_add(o, "data", data);

	json_object_object_add(o, "split", split_json(split));

	json_object_object_add(test, "on", json_object_new_string(!split->n_test ? "training rows" : "test rows"));
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
