// SPDX-License-Identifier: MIT
/* Classification metrics: see eval.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "errmsg.h"
#include "eval.h"
#include "features_info.h"


int ff_eval_init(struct ff_eval *e, const char *const *model_classes, unsigned n)
{
	unsigned i;

	memset(e, 0, sizeof(*e));
	e->n_model = n;
	for (i = 0; i < n; i++)
		if (ff_eval_true_row(e, model_classes[i]) < 0)
			return -1;
	return 0;
}

int ff_eval_true_row(struct ff_eval *e, const char *name)
{
	unsigned i, r;
	char **names;
	__u64 *cm;

	for (i = 0; i < e->n_true; i++)
		if (!strcmp(e->names[i], name))
			return i;
	r = e->n_true;
	names = realloc(e->names, (r + 1) * sizeof(*names));
	if (!names)
		return -1;
	e->names = names;
	cm = realloc(e->cm, (size_t)(r + 1) * (e->n_model ? e->n_model : 1) * sizeof(*cm));
	if (!cm)
		return -1;
	e->cm = cm;
	memset(cm + (size_t)r * e->n_model, 0, e->n_model * sizeof(*cm));
	names[r] = strdup(name);
	if (!names[r])
		return -1;
	e->n_true++;
	return r;
}

void ff_eval_add(struct ff_eval *e, unsigned true_row, unsigned pred)
{
	if (true_row >= e->n_true || pred >= e->n_model)
		return;
	e->cm[(size_t)true_row * e->n_model + pred]++;
}

void ff_eval_finish(struct ff_eval *e)
{
	unsigned i, j;
	double sum = 0;

	free(e->support);
	free(e->predicted);
	free(e->precision);
	free(e->recall);
	free(e->f1);
	e->support = calloc(e->n_true, sizeof(__u64));
	e->predicted = calloc(e->n_true, sizeof(__u64));
	e->precision = calloc(e->n_true, sizeof(double));
	e->recall = calloc(e->n_true, sizeof(double));
	e->f1 = calloc(e->n_true, sizeof(double));
	if (!e->support || !e->predicted || !e->precision || !e->recall || !e->f1)
		return;
	e->rows = e->correct = e->unknown_rows = 0;
	for (i = 0; i < e->n_true; i++)
		for (j = 0; j < e->n_model; j++) {
			__u64 v = e->cm[(size_t)i * e->n_model + j];

			e->support[i] += v;
			e->predicted[j] += v;
			e->rows += v;
			if (i == j)
				e->correct += v;
			if (i >= e->n_model)
				e->unknown_rows += v;
		}
	e->n_macro = 0;
	for (i = 0; i < e->n_true; i++) {
		__u64 tp = i < e->n_model ? e->cm[(size_t)i * e->n_model + i] : 0;

		e->precision[i] = e->predicted[i] ? (double)tp / e->predicted[i] : 0;
		e->recall[i] = e->support[i] ? (double)tp / e->support[i] : 0;
		e->f1[i] = e->precision[i] + e->recall[i] > 0
			? 2 * e->precision[i] * e->recall[i] / (e->precision[i] + e->recall[i]) : 0;
		if (e->support[i] || e->predicted[i]) {
			sum += e->f1[i];
			e->n_macro++;
		}
	}
	e->accuracy = e->rows ? (double)e->correct / e->rows : 0;
	e->macro_f1 = e->n_macro ? sum / e->n_macro : 0;
}

void ff_eval_free(struct ff_eval *e)
{
	unsigned i;

	for (i = 0; i < e->n_true; i++)
		free(e->names[i]);
	free(e->names);
	free(e->cm);
	free(e->support);
	free(e->predicted);
	free(e->precision);
	free(e->recall);
	free(e->f1);
	memset(e, 0, sizeof(*e));
}

void ff_eval_print(const struct ff_eval *e, FILE *out)
{
	unsigned i, j, w = 5;

	if (!e->support)
		return;
	fprintf(out, "accuracy  %.4f  (%zu of %zu rows)\n", e->accuracy, e->correct, e->rows);
	fprintf(out, "macro-F1  %.4f  (mean over %u classes present or predicted)\n",
		e->macro_f1, e->n_macro);
	if (e->unknown_rows)
		fprintf(out, "unknown   %zu rows of classes the model does not have (counted as errors)\n",
			e->unknown_rows);
	fprintf(out, "\n   # %-28s %9s %9s %9s %9s\n", "class", "precision", "recall", "F1", "support");
	for (i = 0; i < e->n_true; i++)
		fprintf(out, "%4u %-28.28s %9.4f %9.4f %9.4f %9llu%s\n", i, e->names[i],
			e->precision[i], e->recall[i], e->f1[i],
			(unsigned long long)e->support[i], i >= e->n_model ? "  (not in the model)" : "");
	for (i = 0; i < e->n_true; i++)
		for (j = 0; j < e->n_model; j++) {
			unsigned long long v = e->cm[(size_t)i * e->n_model + j];
			unsigned d = 1;

			while (v >= 10) {
				v /= 10;
				d++;
			}
			if (d + 1 > w)
				w = d + 1;
		}
	fprintf(out, "\nconfusion matrix (rows: true class #, columns: predicted class #)\n     ");
	for (j = 0; j < e->n_model; j++)
		fprintf(out, "%*u", w, j);
	fputc('\n', out);
	for (i = 0; i < e->n_true; i++) {
		fprintf(out, "%4u ", i);
		for (j = 0; j < e->n_model; j++)
			fprintf(out, "%*llu", w, (unsigned long long)e->cm[(size_t)i * e->n_model + j]);
		fputc('\n', out);
	}
}

struct json_object *ff_eval_json(const struct ff_eval *e)
{
	json_object *o = json_object_new_object(), *arr, *cm;
	unsigned i, j;

	if (!e->support)
		return o;
	json_object_object_add(o, "rows", json_object_new_uint64(e->rows));
	json_object_object_add(o, "accuracy", json_object_new_double(e->accuracy));
	json_object_object_add(o, "macro_f1", json_object_new_double(e->macro_f1));
	json_object_object_add(o, "unknown_rows", json_object_new_uint64(e->unknown_rows));
	arr = json_object_new_array();
	for (i = 0; i < e->n_true; i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "name", json_object_new_string(e->names[i]));
		json_object_object_add(c, "in_model", json_object_new_boolean(i < e->n_model));
		json_object_object_add(c, "precision", json_object_new_double(e->precision[i]));
		json_object_object_add(c, "recall", json_object_new_double(e->recall[i]));
		json_object_object_add(c, "f1", json_object_new_double(e->f1[i]));
		json_object_object_add(c, "support", json_object_new_uint64(e->support[i]));
		json_object_array_add(arr, c);
	}
	json_object_object_add(o, "classes", arr);
	cm = json_object_new_array();
	for (i = 0; i < e->n_true; i++) {
		json_object *row = json_object_new_array();

		for (j = 0; j < e->n_model; j++)
			json_object_array_add(row, json_object_new_uint64(e->cm[(size_t)i * e->n_model + j]));
		json_object_array_add(cm, row);
	}
	json_object_object_add(o, "confusion", cm);
	return o;
}

int ff_eval_model(const struct ff_model *m, const struct ff_dataset *ds,
		  const size_t *rows, size_t n_rows, struct ff_eval *e, char *err,
		  size_t errlen)
{
	const char *names[FF_MAX_CLASSES];
	int *row_of = NULL;
	__u64 vec[FF_MAX_FEATURES];
	unsigned c;
	size_t k;
	__u32 i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < m->n_nodes; i++)
		if (m->nodes[i].feature != FF_NODE_LEAF &&
		    ff_dataset_col_of(ds, m->nodes[i].feature) < 0)
			return ff_fail(err, errlen, "the data has no column for feature %s, which the model uses",
				    ff_feature_table[m->nodes[i].feature].name);
	for (c = 0; c < m->n_classes; c++)
		names[c] = m->class_names[c];
	if (ff_eval_init(e, names, m->n_classes))
		goto oom;
	row_of = malloc((ds->n_classes ? ds->n_classes : 1) * sizeof(*row_of));
	if (!row_of)
		goto oom;
	for (c = 0; c < ds->n_classes; c++) {
		row_of[c] = ff_eval_true_row(e, ds->class_names[c]);
		if (row_of[c] < 0)
			goto oom;
	}
	if (!rows)
		n_rows = ds->n_rows;
	for (k = 0; k < n_rows; k++) {
		size_t r = rows ? rows[k] : k;
		__u32 score;

		ff_dataset_row(ds, r, vec);
		ff_eval_add(e, row_of[ds->y[r]], ff_model_predict(m, vec, &score));
	}
	free(row_of);
	ff_eval_finish(e);
	if (!e->support)
		goto oom;
	return 0;
oom:
	free(row_of);
	ff_eval_free(e);
	return ff_fail(err, errlen, "out of memory");
}

void ff_eval_print_unknown(const struct ff_eval *e, FILE *out, const char *cmd, const char *rows)
{
	unsigned k;

	if (!e->unknown_rows)
		return;
	fprintf(out, "%s: %zu %s have classes the model does not know:", cmd, e->unknown_rows, rows);
	for (k = e->n_model; k < e->n_true; k++)
		if (e->support[k])
			fprintf(out, " \"%s\" (%llu)", e->names[k], (unsigned long long)e->support[k]);
	fputc('\n', out);
}
