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

void ff_eval_add_scored(struct ff_eval *e, unsigned true_row, unsigned pred, __u32 score)
{
	size_t at;

	ff_eval_add(e, true_row, pred);
	if (true_row >= e->n_true || pred >= e->n_model)
		return;
	if (!e->by_score) {
		e->by_score = calloc((size_t)e->n_model * FF_EVAL_SCORES, sizeof(__u64));
		e->correct_by_score = calloc((size_t)e->n_model * FF_EVAL_SCORES, sizeof(__u64));
		if (!e->by_score || !e->correct_by_score) {
			free(e->by_score);
			free(e->correct_by_score);
			e->by_score = e->correct_by_score = NULL;
			return;
		}
	}
	at = (size_t)pred * FF_EVAL_SCORES + (score > 1000 ? 1000 : score);
	e->by_score[at]++;
	if (true_row == pred)	/* the model's classes are the first rows */
		e->correct_by_score[at]++;
}

void ff_eval_at(const struct ff_eval *e, unsigned c, __u32 t, double *precision,
		double *recall, __u64 *verdicts)
{
	__u64 n = 0, ok = 0;
	__u32 s;

	for (s = t > 1000 ? 1000 : t; e->by_score && s < FF_EVAL_SCORES; s++) {
		n += e->by_score[(size_t)c * FF_EVAL_SCORES + s];
		ok += e->correct_by_score[(size_t)c * FF_EVAL_SCORES + s];
	}
	*verdicts = n;
	*precision = n ? (double)ok / n : 1.0;
	*recall = e->support && e->support[c] ? (double)ok / e->support[c] : 0;
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
	free(e->by_score);
	free(e->correct_by_score);
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
	if (!e->by_score)
		return;
	fprintf(out, "\nconfidence: verdicts scored at least the class's minimum score (a drop\n"
		"below it is an alert), and at 500 and 900 permille\n");
	fprintf(out, "   # %-28s %5s %9s %9s %9s %9s %9s %9s\n", "class", "min", "precision", "recall",
		"p@500", "r@500", "p@900", "r@900");
	for (i = 0; i < e->n_model; i++) {
		double p, r, p5, r5, p9, r9;
		__u64 n;

		ff_eval_at(e, i, e->min_score[i], &p, &r, &n);
		ff_eval_at(e, i, 500, &p5, &r5, &n);
		ff_eval_at(e, i, 900, &p9, &r9, &n);
		fprintf(out, "%4u %-28.28s %5u %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f\n", i, e->names[i],
			e->min_score[i], p, r, p5, r5, p9, r9);
	}
}

/* Per model class: precision and recall at its minimum score, and the
 * curve over thresholds 0, 50, ..., 1000 and every score that occurs in
 * between in steps of at least 10. */
static json_object *confidence_json(const struct ff_eval *e)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	unsigned c;

	json_object_object_add(o, "score", json_object_new_string(
		"permille: a vote's winner share, or a boosted model's softmax probability"));
	for (c = 0; c < e->n_model; c++) {
		json_object *k = json_object_new_object(), *at = json_object_new_object();
		json_object *curve = json_object_new_array();
		double p, r;
		__u64 n;
		__u32 t;

		json_object_object_add(k, "name", json_object_new_string(e->names[c]));
		json_object_object_add(k, "min_score", json_object_new_int(e->min_score[c]));
		ff_eval_at(e, c, e->min_score[c], &p, &r, &n);
		json_object_object_add(at, "precision", json_object_new_double(p));
		json_object_object_add(at, "recall", json_object_new_double(r));
		json_object_object_add(at, "verdicts", json_object_new_uint64(n));
		json_object_object_add(k, "at_min_score", at);
		for (t = 0; t <= 1000; t += 50) {
			json_object *pt = json_object_new_object();

			ff_eval_at(e, c, t, &p, &r, &n);
			json_object_object_add(pt, "threshold", json_object_new_int(t));
			json_object_object_add(pt, "precision", json_object_new_double(p));
			json_object_object_add(pt, "recall", json_object_new_double(r));
			json_object_object_add(pt, "verdicts", json_object_new_uint64(n));
			json_object_array_add(curve, pt);
		}
		json_object_object_add(k, "pr_curve", curve);
		json_object_array_add(arr, k);
	}
	json_object_object_add(o, "classes", arr);
	return o;
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
	if (e->by_score)
		json_object_object_add(o, "confidence", confidence_json(e));
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
		if (m->nodes[i].feature < FF_NUM_FEATURES &&
		    ff_dataset_col_of(ds, m->nodes[i].feature) < 0)
			return ff_fail(err, errlen, "the data has no column for feature %s, which the model uses",
				    ff_feature_table[m->nodes[i].feature].name);
	for (c = 0; c < m->n_classes; c++)
		names[c] = m->class_names[c];
	if (ff_eval_init(e, names, m->n_classes))
		goto oom;
	memcpy(e->min_score, m->min_score, sizeof(e->min_score));
	if ((m->n_phases > 1 || m->early_pkts) && (ff_dataset_col_of(ds, FF_F_FWD_PKTS) < 0 ||
						    ff_dataset_col_of(ds, FF_F_BWD_PKTS) < 0)) {
		ff_eval_free(e);
		return ff_fail(err, errlen, "the model's %s by the packet count: the data needs the fwd_pkts and bwd_pkts columns",
			       m->n_phases > 1 ? "phase is picked" : "early_drop rule goes");
	}
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
		struct ff_verdict v;

		ff_dataset_row(ds, r, vec);
		ff_model_run(m, m->n_phases > 1 || m->early_pkts ? ff_features_pkts(vec) : UINT32_MAX, vec, &v);
		ff_eval_add_scored(e, row_of[ds->y[r]], v.cls, v.score);
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

/* ------------------------------------------------------------ HTML report */

static void html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '"')
			fputs("&quot;", out);
		else
			fputc(*s, out);
	}
}

/* One precision-recall curve per class (thresholds 0, 50, ..., 1000) as an
 * inline SVG; a dot marks the class's minimum score. */
static void html_pr_chart(const struct ff_eval *e, FILE *out)
{
	static const char *const colors[] = {
		"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
		"#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
	};
	const int W = 560, H = 420, L = 50, T = 15, PW = 480, PH = 360;
	unsigned c, k;
	__u32 t;

	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"role=\"img\" aria-label=\"precision-recall curves\">\n", W + 260, H + 10);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n",
		L, T, PW, PH);
	for (k = 0; k <= 10; k += 2) {
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%.1f</text>\n",
			L + PW * (int)k / 10, T + PH + 15, k / 10.0);
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.1f</text>\n",
			L - 5, T + PH - PH * (int)k / 10 + 4, k / 10.0);
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">recall</text>\n",
		L + PW / 2, T + PH + 32);
	fprintf(out, "<text x=\"12\" y=\"%d\" font-size=\"12\" transform=\"rotate(-90 12 %d)\" "
		"text-anchor=\"middle\">precision</text>\n", T + PH / 2, T + PH / 2);
	for (c = 0; c < e->n_model; c++) {
		const char *col = colors[c % FF_ARRAY_SIZE(colors)];
		double p, r;
		__u64 n;

		fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", col);
		for (t = 0; t <= 1000; t += 50) {
			ff_eval_at(e, c, t, &p, &r, &n);
			fprintf(out, "%.1f,%.1f ", L + r * PW, T + (1 - p) * PH);
		}
		fputs("\"/>\n", out);
		ff_eval_at(e, c, e->min_score[c], &p, &r, &n);
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", L + r * PW,
			T + (1 - p) * PH, col);
		fprintf(out, "<rect x=\"%d\" y=\"%u\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%u\" font-size=\"12\">", L + PW + 20, T + 18 * c, col,
			L + PW + 38, T + 18 * c + 10);
		html_text(out, e->names[c]);
		fputs("</text>\n", out);
	}
	fputs("</svg>\n", out);
}

void ff_eval_write_html(const struct ff_eval *e, const char *title, FILE *out)
{
	unsigned i;

	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", out);
	html_text(out, title);
	fputs("</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 10px;"
	      "text-align:right}td:nth-child(2),th:nth-child(2){text-align:left}</style></head><body>\n<h1>",
	      out);
	html_text(out, title);
	fprintf(out, "</h1>\n<p>%zu rows: accuracy %.4f, macro-F1 %.4f.</p>\n", e->rows, e->accuracy,
		e->macro_f1);
	fputs("<table><tr><th>#</th><th>class</th><th>precision</th><th>recall</th><th>F1</th>"
	      "<th>support</th><th>min score</th><th>precision at it</th><th>recall at it</th></tr>\n",
	      out);
	for (i = 0; i < e->n_true; i++) {
		double p = 0, r = 0;
		__u64 n;

		if (i < e->n_model)
			ff_eval_at(e, i, e->min_score[i], &p, &r, &n);
		fprintf(out, "<tr><td>%u</td><td>", i);
		html_text(out, e->names[i]);
		fprintf(out, "</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%llu</td>", e->precision[i],
			e->recall[i], e->f1[i], (unsigned long long)e->support[i]);
		if (i < e->n_model && e->by_score)
			fprintf(out, "<td>%u</td><td>%.4f</td><td>%.4f</td></tr>\n", e->min_score[i], p, r);
		else
			fputs("<td></td><td></td><td></td></tr>\n", out);
	}
	fputs("</table>\n<h2>Precision and recall by score threshold</h2>\n<p>The verdicts of each "
	      "class scored at least a threshold (0, 50, ..., 1000 permille: a vote's winner share or a "
	      "boosted model's probability); the dot is the class's minimum score, below which a drop is "
	      "only an alert.</p>\n", out);
	if (e->by_score)
		html_pr_chart(e, out);
	fputs("</body></html>\n", out);
}
