// SPDX-License-Identifier: MIT
/* flowforest: machine-learning flow classification in the kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "commands.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "load a model, attach to an interface, stream events" },
	{ "extract", cmd_extract, "flow features from captures (CSV), as the kernel computes them" },
	{ "replay", cmd_replay, "a capture through the real BPF program; the same CSV as extract" },
	{ "train", cmd_train, "train a decision tree or random forest from labelled flow CSVs" },
	{ "eval", cmd_eval, "a model's accuracy, per-class F1 and confusion matrix on labelled CSVs" },
	{ "model", cmd_model, "show or validate a model file; load it into a running classifier" },
	{ "features", cmd_features, "list the flow features (or write docs/features.md)" },
	{ "stats", cmd_stats, "counters of a pinned classifier" },
	{ "flows", cmd_flows, "top flows of a pinned classifier, with verdicts" },
	{ "allow", cmd_allow, "allowlist of a pinned classifier: never dropped" },
	{ "deny", cmd_deny, "denylist of a pinned classifier: dropped before the model" },
	{ "stop", cmd_stop, "detach and unpin a pinned classifier" },
	{ "detach", cmd_detach, "remove a flowforest TC filter left on an interface" },
	{ "twin", cmd_twin, "the classifier in user space on live packets (benchmark baseline)" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: flowforest COMMAND [OPTION...]\n\n"
		"Traffic classification with decision trees and forests inside the kernel\n"
		"(XDP, TC, socket filter), with the same flow features offline.\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"\n`flowforest COMMAND --help` describes each command.\n\n"
		"Examples:\n"
		"  sudo flowforest run --iface eth0 --hook xdp --model model.json\n"
		"  flowforest model show model.json\n"
		"  flowforest features\n");
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("FLOWFOREST_DEBUG") == NULL)
		return 0;
	if (level == LIBBPF_DEBUG && getenv("FLOWFOREST_DEBUG") == NULL)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	size_t i;

	libbpf_set_print(libbpf_quiet);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("flowforest 0.1\n");
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			char name[64];

			/* "flowforest run" in usage lines and errors */
			snprintf(name, sizeof(name), "flowforest %s", commands[i].name);
			argv[1] = name;
			return commands[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "flowforest: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
