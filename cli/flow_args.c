// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "capture.h"
#include "flow_args.h"
#include "loader.h"
#include "replay.h"

static const struct argp_option options[] = {
	{ "pcap", 'p', "FILE", 0, "Capture to read, pcap or pcapng (repeatable; also as arguments)" },
	{ "output", 'o', "FILE", 0, "CSV output (default: stdout)" },
	{ "label", 'l', "RULE", 0, "Label rule LABEL:COND,... (repeatable, first match wins)" },
	{ "labels", 'L', "FILE", 0, "Label rules, one per line" },
	{ "default-label", 'D', "NAME", 0, "Label of flows no rule matches (default benign)" },
	{ "model", 'm', "FILE", 0, "Also classify each snapshot (adds class and score columns)" },
	{ "format", 'f', "FMT", 0, "snapshots (default: a row per checkpoint) or cic (extract only: "
	  "CICFlowMeter's columns and flow termination, a row per flow)" },
	{ "flow-timeout", 'W', "SEC", 0, "--format cic: a flow ends this long after its first packet "
	  "(default 120, as in CIC-IDS2017)" },
	{ "progress", 'P', NULL, 0, "Progress on stderr (default when stderr is a terminal)" },
	{ "quiet", 'q', NULL, 0, "No progress and no summary" },
	{ "strict", 'S', NULL, 0, "Exit 1 if a capture is cut short (its complete records are still used)" },
	{},
};

static int add_pcap(struct flow_args *a, const char *p)
{
	const char **np = realloc(a->pcaps, (a->n_pcaps + 1) * sizeof(*np));

	if (!np)
		return -1;
	a->pcaps = np;
	a->pcaps[a->n_pcaps++] = p;
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct flow_args *a = state->input;
	const char **nr;
	char err[128];

	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, &a->cfg, NULL);
		break;
	case 'p':
	case ARGP_KEY_ARG:
		if (add_pcap(a, arg))
			argp_failure(state, 1, ENOMEM, "out of memory");
		break;
	case 'o':
		a->output = arg;
		break;
	case 'l':
		nr = realloc(a->label_rules, (a->n_label_rules + 1) * sizeof(*nr));
		if (!nr)
			argp_failure(state, 1, ENOMEM, "out of memory");
		a->label_rules = nr;
		a->label_rules[a->n_label_rules++] = arg;
		break;
	case 'L':
		a->labels_file = arg;
		break;
	case 'D':
		if (ff_label_check(arg, err, sizeof(err)))
			argp_error(state, "--default-label: %s", err);
		a->default_label = arg;
		break;
	case 'm':
		a->model_path = arg;
		break;
	case 'f':
		a->cic = cli_word(state, key, arg, (const char *const[]){ "snapshots", "cic", NULL });
		break;
	case 'W':
		a->cicout.flow_timeout_us = cli_usecs(state, key, arg);
		if (!a->cicout.flow_timeout_us)
			argp_error(state, "--flow-timeout wants a positive number of seconds");
		break;
	case 'P':
		a->progress = 1;
		break;
	case 'q':
		a->quiet = true;
		break;
	case 'S':
		a->strict = true;
		break;
	case ARGP_KEY_END:
		if (a->n_pcaps == 0)
			argp_error(state, "which capture? give --pcap FILE");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = { { &cli_sched_argp }, {} };

const struct argp flow_args_argp = { options, parse_opt, NULL, NULL, children };

void flow_args_init(struct flow_args *a)
{
	struct ff_config def = FF_CONFIG_DEFAULT;

	memset(a, 0, sizeof(*a));
	a->cfg = def;
	a->progress = -1;
	cli_export_init(&a->exp);
	a->cicout.flow_timeout_us = FF_CIC_FLOW_TIMEOUT_US;
}

int flow_args_prepare(struct flow_args *a, const char *cmd)
{
	char err[512];
	int i;

	if (a->quiet)
		a->progress = 0;
	else if (a->progress < 0)
		a->progress = isatty(STDERR_FILENO);
	a->labels.default_label = a->default_label ? a->default_label : "benign";
	if (a->labels_file && ff_labels_load(&a->labels, a->labels_file, err, sizeof(err))) {
		fprintf(stderr, "%s: bad labels: %s\n", cmd, err);
		return -1;
	}
	for (i = 0; i < a->n_label_rules; i++)
		if (ff_labels_add(&a->labels, a->label_rules[i], err, sizeof(err))) {
			fprintf(stderr, "%s: bad --label: %s\n", cmd, err);
			return -1;
		}
	if (a->model_path) {
		if (ff_model_load(a->model_path, &a->model, err, sizeof(err))) {
			fprintf(stderr, "%s: bad model: %s\n", cmd, err);
			return -1;
		}
		a->have_model = true;
	}
	/* Every capture must open before anything is written. */
	for (i = 0; i < a->n_pcaps; i++) {
		struct ff_capture *cap = malloc(sizeof(*cap));

		if (!cap || ff_capture_open(cap, a->pcaps[i], err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", cmd, cap ? err : "out of memory");
			free(cap);
			return -1;
		}
		ff_capture_close(cap);
		free(cap);
	}
	/* A failed run never leaves half a CSV or destroys an older one. */
	if (ff_outfile_open(&a->out, a->output ? a->output : "-", err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return -1;
	}
	if (a->cic) {
		a->cicout.out = a->out.f;
		a->cicout.labels = &a->labels;
		ff_cic_header(&a->cicout);
		return 0;
	}
	a->csv.out = a->out.f;
	a->csv.labels = &a->labels;
	a->csv.model = a->have_model ? &a->model : NULL;
	ff_csv_header(&a->csv);
	return 0;
}

void flow_args_summary(const struct flow_args *a, const char *cmd,
		       const struct ff_extract_stats *st)
{
	__u64 bad = 0;
	int i;

	if (a->quiet)
		return;
	for (i = FF_PARSE_TRUNCATED; i < FF_PARSE__MAX; i++)
		bad += st->parse_fail[i];
	fprintf(stderr,
		"%s: %llu packets, %llu flows, %llu rows, %llu not IP, %llu unparseable, %.2f s (%.2f Mpps)\n",
		cmd, (unsigned long long)st->frames, (unsigned long long)st->flows,
		(unsigned long long)st->rows, (unsigned long long)st->parse_fail[FF_PARSE_NOT_IP],
		(unsigned long long)bad, st->seconds,
		st->seconds > 0 ? st->frames / st->seconds / 1e6 : 0.0);
}

int flow_args_finish(struct flow_args *a, const char *cmd)
{
	char err[512];

	if (ff_outfile_commit(&a->out, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

void flow_args_free(struct flow_args *a)
{
	ff_outfile_abort(&a->out);	/* after a failure: leaves nothing */
	ff_labels_free(&a->labels);
	if (a->have_model)
		ff_model_free(&a->model);
	free(a->pcaps);
	free(a->label_rules);
}

static error_t parent_opt(int key, char *arg, struct argp_state *state)
{
	struct flow_args *a = state->input;

	if (key == ARGP_KEY_INIT)
		cli_child_inputs(state, a, &a->exp, NULL);
	return ARGP_ERR_UNKNOWN;
}

/* extract --ipfix/--eve: the exporter, on the capture's clock. */
static struct ff_exporter *open_exporter(struct flow_args *a, const char *cmd)
{
	struct ff_export_opts o;
	struct ff_exporter *x;
	char err[512];

	if (!cli_export_wanted(&a->exp))
		return NULL;
	cli_export_opts(&a->exp, &o, 0);
	o.idle_timeout_us = a->cfg.idle_timeout_us;
	o.wall_offset_us = 0;	/* capture timestamps are wall-clock already */
	if (a->have_model) {
		o.class_names = (const char (*)[FF_NAME_MAX])a->model.class_names;
		o.n_classes = a->model.n_classes;
	}
	x = ff_export_open(&o, err, sizeof(err));
	if (!x)
		fprintf(stderr, "%s: %s\n", cmd, err);
	return x;
}

int flow_args_main(int argc, char **argv, const char *doc, const char *cmd, bool kernel)
{
	static const struct argp_child children[] = { { &flow_args_argp }, { &cli_export_argp },
						      {} };
	static const struct argp_child kernel_children[] = { { &flow_args_argp }, {} };
	struct argp argp = { NULL, parent_opt, "[FILE...]", doc,
			     kernel ? kernel_children : children };
	struct ff_exporter *exporter = NULL;
	struct ff_extract_stats st;
	struct flow_args a;
	char err[512];
	int rc = 1;

	flow_args_init(&a);
	cli_parse(&argp, argc, argv, &a);
	if (kernel && ff_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		goto out;
	}
	if (a.cic && (kernel || a.model_path)) {
		fprintf(stderr, "%s: --format cic is for extract, without --model\n", cmd);
		rc = 2;
		goto out;
	}
	if (flow_args_prepare(&a, cmd))
		goto out;
	if (kernel) {
		struct ff_replay_opts o = { .cfg = a.cfg, .csv = &a.csv,
					    .model = a.have_model ? &a.model : NULL,
					    .progress = a.progress };

		rc = ff_replay(a.pcaps, a.n_pcaps, &o, &st, err, sizeof(err));
	} else {
		struct ff_extract_opts o = { .cfg = a.cfg, .csv = a.cic ? NULL : &a.csv,
					     .cic = a.cic ? &a.cicout : NULL,
					     .model = a.have_model ? &a.model : NULL,
					     .progress = a.progress };

		exporter = open_exporter(&a, cmd);
		if (cli_export_wanted(&a.exp) && !exporter)
			goto out;
		o.exporter = exporter;
		rc = ff_extract(a.pcaps, a.n_pcaps, &o, &st, err, sizeof(err));
		ff_export_finish(exporter);
		if (exporter && !a.quiet)
			cli_export_summary(cmd, ff_export_stats(exporter));
	}
	if (rc) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		rc = 1;
		goto out;
	}
	if (flow_args_finish(&a, cmd)) {
		rc = 1;
		goto out;
	}
	flow_args_summary(&a, cmd, &st);
	if (st.cut_short) {
		fprintf(stderr, "%s: warning: %s\n", cmd, st.cut_msg);
		if (st.cut_short > 1)
			fprintf(stderr, "%s: warning: %u captures in all appear cut short\n", cmd,
				st.cut_short);
		rc = a.strict;
	}
out:
	ff_export_close(exporter);
	flow_args_free(&a);
	return rc;
}
