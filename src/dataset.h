/* SPDX-License-Identifier: MIT */
/*
 * Labelled flow tables for training and evaluation: one or more CSV files
 * read into a column-major matrix of kernel-unit integers (one column per
 * selected kernel feature), a label vector and a class-name table.
 *
 * Columns are matched to kernel features by name: flowforest's extract CSV
 * and CICFlowMeter CSVs through ff_feature_lookup(), UNSW-NB15 through a
 * small mapping table with unit conversion (dur in seconds -> flow_duration
 * in microseconds, ...). Every value becomes floor(value x unit factor), the
 * floor taken exactly on the decimal text; empty, NaN, Infinity and negative
 * values become 0. docs/training.md has the whole mapping.
 */
#ifndef FLOWFOREST_DATASET_H
#define FLOWFOREST_DATASET_H

#include <stddef.h>
#include <stdio.h>
#include "packet_path.h"

struct ff_ds_file {
	char *path;
	size_t rows;		/* rows kept */
	size_t unlabelled;	/* rows skipped for an empty label */
};

struct ff_dataset {
	size_t n_rows;
	unsigned n_cols;
	__u16 feat[FF_MAX_FEATURES];	/* column -> kernel feature id */
	__u64 *col[FF_MAX_FEATURES];	/* column-major: col[c][row] */
	__u32 *y;			/* row -> class index */
	__u32 *line;			/* row -> line in its file */
	unsigned n_classes;
	char **class_names;		/* in order of first appearance */
	unsigned n_files;
	struct ff_ds_file *files;
	char label_column[64];
	char *left_out;			/* "a, b, c": columns with no kernel feature */
	size_t cap;			/* allocated rows */
};

struct ff_dataset_opts {
	/* NULL: "Label" if the first file has it, else "attack_cat", else "label". */
	const char *label_column;
	/* NULL or "auto": every kernel feature found in all files; otherwise a
	 * comma-separated list of flowforest or CIC names and classes
	 * ("behaviour", "fingerprint": those of the class that all files have). */
	const char *features;
	/* NULL, or a list as `features` whose features are left out. */
	const char *exclude;
	/* A fixed list of kernel feature ids (eval, a --test file), which
	 * overrides `features`; every one must be present. */
	const __u16 *feature_ids;
	unsigned n_feature_ids;
	/* Progress and the left-out column report; NULL for silence. */
	FILE *log;
};

/* 0 on success; on failure -1 and a one-line reason naming file and line. */
int ff_dataset_load(struct ff_dataset *ds, const char *const *paths,
		    unsigned n_paths, const struct ff_dataset_opts *o, char *err,
		    size_t errlen);
void ff_dataset_free(struct ff_dataset *ds);

/* Class index of `name`, or -1. */
int ff_dataset_class_lookup(const struct ff_dataset *ds, const char *name);
/* Column of kernel feature `fid`, or -1. */
int ff_dataset_col_of(const struct ff_dataset *ds, unsigned fid);
/* "FILE:LINE" of dataset row `r`. */
void ff_dataset_row_origin(const struct ff_dataset *ds, size_t r, char *buf, size_t len);
/* Row `r` as a vector indexed by kernel feature id (others 0). */
void ff_dataset_row(const struct ff_dataset *ds, size_t r, __u64 out[FF_MAX_FEATURES]);

/*
 * floor(text x 10^pow10) for a non-negative decimal number, computed on the
 * decimal digits (no binary rounding: "0.000011" x 10^6 is exactly 11), and
 * saturated at 2^64-1. Empty text, NaN, Infinity and negative numbers give 0.
 * -1 if the text is not a number.
 */
int ff_parse_scaled(const char *s, int pow10, __u64 *out);

/* Whether a column header names an identifying or label column that is never
 * used as a feature (id, Flow ID, Src IP, ..., Label, attack_cat, label). */
int ff_dataset_is_identifying(const char *col);

#endif
