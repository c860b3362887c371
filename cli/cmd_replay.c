// SPDX-License-Identifier: MIT
/* flowforest replay: a capture through the real BPF program. */
#include <stdio.h>

#include "commands.h"
#include "flow_args.h"
#include "loader.h"
#include "replay.h"

static const char doc[] =
	"Push a capture through the loaded BPF program and write what the kernel computed.\v"
	"Every frame goes through the XDP program with BPF_PROG_TEST_RUN, in capture\n"
	"order, with the kernel's clock replaced by the capture's timestamps. The\n"
	"kernel exports the features of each checkpoint and, at the end, of every\n"
	"flow; the CSV has the same rows and columns as `flowforest extract`, so the\n"
	"two can be compared byte for byte (tests/ do). With --model the class and\n"
	"score columns are the kernel's verdicts. Needs root (loads BPF programs).\n"
	"\n"
	"EXAMPLES:\n"
	"  sudo flowforest replay --pcap day1.pcap -o kernel.csv\n"
	"  sudo flowforest replay --pcap lab.pcap --model m.json -o kernel.csv\n"
	"  flowforest extract --pcap x.pcap -o a.csv && sudo flowforest replay --pcap x.pcap -o b.csv && cmp a.csv b.csv";

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	if (key == ARGP_KEY_INIT)
		state->child_inputs[0] = state->input;
	return ARGP_ERR_UNKNOWN;
}

int cmd_replay(int argc, char **argv)
{
	static const struct argp_child children[] = { { &flow_args_argp }, {} };
	static const struct argp argp = { NULL, parse_opt, "[FILE...]", doc, children };
	struct ff_extract_stats st;
	struct ff_replay_opts o = {};
	struct flow_args a;
	char err[512];
	int rc = 1;

	flow_args_init(&a);
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	if (ff_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "replay: %s\n", err);
		goto out;
	}
	if (flow_args_prepare(&a, "replay"))
		goto out;
	o.cfg = a.cfg;
	o.csv = &a.csv;
	o.model = a.have_model ? &a.model : NULL;
	o.progress = a.progress;
	if (ff_replay(a.pcaps, a.n_pcaps, &o, &st, err, sizeof(err))) {
		fprintf(stderr, "replay: %s\n", err);
		goto out;
	}
	if (flow_args_finish(&a, "replay"))
		goto out;
	flow_args_summary(&a, "replay", &st);
	rc = 0;
out:
	flow_args_free(&a);
	return rc;
}
