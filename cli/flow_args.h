/* SPDX-License-Identifier: MIT */
/* Options that `extract` and `replay` share: captures, output, labels,
 * checkpoints, model. One argp child parser for both. */
#ifndef FLOWFOREST_FLOW_ARGS_H
#define FLOWFOREST_FLOW_ARGS_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>
#include "packet_path.h"
#include "labels.h"
#include "model_file.h"
#include "flowcsv.h"
#include "extract.h"
#include "outfile.h"
#include "export_args.h"

struct flow_args {
	const char **pcaps;
	int n_pcaps;
	const char *output;
	const char *model_path;
	const char *labels_file;
	const char **label_rules;
	int n_label_rules;
	const char *default_label;
	struct ff_config cfg;
	int progress;		/* -1: when stderr is a terminal */
	bool cic;		/* --format cic */
	bool quiet;
	bool strict;		/* a capture cut short is an error */
	struct cli_export exp;	/* extract: --ipfix, --eve */
	/* filled by flow_args_prepare() */
	struct ff_labels labels;
	struct ff_model model;
	bool have_model;
	struct ff_outfile out;
	struct ff_csv csv;
	struct ff_cic_out cicout;
};

extern const struct argp flow_args_argp;

void flow_args_init(struct flow_args *a);
/* Load model and labels, open the output, write the CSV header. */
int flow_args_prepare(struct flow_args *a, const char *cmd);
void flow_args_summary(const struct flow_args *a, const char *cmd,
		       const struct ff_extract_stats *st);
/* Flush and move the output into place; -1 with a message on failure. */
int flow_args_finish(struct flow_args *a, const char *cmd);
void flow_args_free(struct flow_args *a);

/* The whole of `extract` (kernel = false) and `replay` (kernel = true). */
int flow_args_main(int argc, char **argv, const char *doc, const char *cmd, bool kernel);

#endif
