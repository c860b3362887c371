/* SPDX-License-Identifier: MIT */
/*
 * Classification metrics: accuracy, per-class precision, recall, F1 and
 * support, macro-F1 and the confusion matrix.
 *
 * Macro-F1 is the mean F1 over the classes that occur in the true labels or
 * in the predictions (scikit-learn's f1_score(average="macro") default).
 * True classes the model does not know get rows of their own in the matrix:
 * they are never predicted, so they count as errors and as F1 0.
 *
 * Confidence: every verdict's score (permille, the model's scale) is kept
 * per predicted class, so that precision and recall can be told for the
 * verdicts at or above any threshold: at each class's minimum score (the
 * model's, or --min-score: below it a drop is only an alert) and along a
 * precision-recall curve.
 */
#ifndef FLOWFOREST_EVAL_H
#define FLOWFOREST_EVAL_H

#include <stddef.h>
#include <stdio.h>
#include "packet_path.h"
#include "model_file.h"
#include "dataset.h"

struct json_object;

struct ff_eval {
	unsigned n_model;	/* model classes = predicted columns */
	unsigned n_true;	/* matrix rows: the model's classes, then unknown ones */
	char **names;		/* n_true names */
	__u64 *cm;		/* n_true x n_model, [true][predicted] */
	__u64 *support, *predicted;	/* per row / column */
	double *precision, *recall, *f1;	/* per row (0 beyond n_model) */
	size_t rows, correct, unknown_rows;
	unsigned n_macro;	/* classes in the macro average */
	double accuracy, macro_f1;
	/* per predicted class c, per score s (0..1000): [c * 1001 + s] */
	__u64 *by_score, *correct_by_score;
	__u32 min_score[FF_MAX_CLASSES];	/* the thresholds reported */
};

#define FF_EVAL_SCORES 1001

/* A verdict with its score (ff_eval_add() counts only the class). */
void ff_eval_add_scored(struct ff_eval *e, unsigned true_row, unsigned pred, __u32 score);
/* Precision and recall of class c's verdicts scored at least t. */
void ff_eval_at(const struct ff_eval *e, unsigned c, __u32 t, double *precision,
		double *recall, __u64 *verdicts);

int ff_eval_init(struct ff_eval *e, const char *const *model_classes, unsigned n);
/* Matrix row of a true class by name (an unknown name gets a new row), -1 on
 * allocation failure. */
int ff_eval_true_row(struct ff_eval *e, const char *name);
void ff_eval_add(struct ff_eval *e, unsigned true_row, unsigned pred);
void ff_eval_finish(struct ff_eval *e);
void ff_eval_free(struct ff_eval *e);

void ff_eval_print(const struct ff_eval *e, FILE *out);
/* "CMD: N ROWS have classes the model does not know: "a" (n), ..." if any. */
void ff_eval_print_unknown(const struct ff_eval *e, FILE *out, const char *cmd, const char *rows);
struct json_object *ff_eval_json(const struct ff_eval *e);

/* A page with the metrics, each class's precision and recall at its
 * minimum score, and the precision-recall curves as an inline SVG chart. */
void ff_eval_write_html(const struct ff_eval *e, const char *title, FILE *out);

/* Run the model (ff_model_predict, the kernel's walk) on dataset rows
 * (`rows` NULL: all) and fill `e`. The dataset must have every feature the
 * model's trees use. */
int ff_eval_model(const struct ff_model *m, const struct ff_dataset *ds,
		  const size_t *rows, size_t n_rows, struct ff_eval *e, char *err,
		  size_t errlen);

#endif
