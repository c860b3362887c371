// SPDX-License-Identifier: MIT
/* flowforest: machine-learning flow classification in the kernel. */
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "commands.h"
#include "log.h"

const char *argp_program_version = "flowforest 0.1";

static const struct cli_command commands[] = {
	{ "run", cmd_run, "load a model, attach to an interface, stream events" },
	{ "extract", cmd_extract, "flow features from captures (CSV), as the kernel computes them" },
	{ "replay", cmd_replay, "a capture through the real BPF program; the same CSV as extract" },
	{ "train", cmd_train, "train a tree, a forest or boosted trees from labelled flow CSVs" },
	{ "eval", cmd_eval, "a model's accuracy, per-class F1 and confusion matrix on CSVs" },
	{ "model", cmd_model, "show, validate or import a model file; load it into a classifier" },
	{ "features", cmd_features, "list the flow features (or write docs/features.md)" },
	{ "stats", cmd_stats, "counters of a pinned classifier" },
	{ "flows", cmd_flows, "top flows of a pinned classifier, with verdicts" },
	{ "allow", cmd_allow, "allowlist of a pinned classifier: never dropped" },
	{ "deny", cmd_deny, "denylist of a pinned classifier: dropped before the model" },
	{ "stop", cmd_stop, "detach and unpin a pinned classifier" },
	{ "detach", cmd_detach, "remove a flowforest TC filter left on an interface" },
	{ "twin", cmd_twin, "the classifier in user space on live packets (benchmark baseline)" },
};

static const char doc[] =
	"Traffic classification with decision trees and forests inside the kernel\n"
	"(XDP, TC, socket filter), with the same flow features offline.";

static const char examples[] =
	"  sudo flowforest run --iface eth0 --hook xdp --model model.json\n"
	"  sudo flowforest -v run --iface eth0 --model model.json   (libbpf debug output)\n"
	"  flowforest model show model.json\n"
	"  flowforest features";

int main(int argc, char **argv)
{
	static char name[] = "flowforest";

	ff_log_init();	/* libbpf warnings to stderr; debug output with -v */
	argp_err_exit_status = 2;	/* usage errors, as before argp */
	argv[0] = name;
	return cli_dispatch(argc, argv, commands, sizeof(commands) / sizeof(commands[0]), doc,
			    examples);
}
