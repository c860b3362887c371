/* SPDX-License-Identifier: MIT */
/*
 * The command line, parsed one way: argp for every command and sub-command,
 * shared argp children for the options several commands take, one strict
 * number parser and one action parser. A usage error exits 2 with a message
 * that names the option or argument.
 */
#ifndef FLOWFOREST_ARGS_H
#define FLOWFOREST_ARGS_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include "packet_path.h"

/* ---- strict numbers: argp_error (exit 2) naming the option on failure -- */

/* A decimal integer in [min, max]. */
unsigned long long cli_uint(struct argp_state *state, int key, const char *arg,
			    unsigned long long min, unsigned long long max);
/* A finite decimal number in [min, max]. */
double cli_real(struct argp_state *state, int key, const char *arg, double min, double max);
/* A fraction in (0, 1], or in (0, 1) if below_one. */
double cli_fraction(struct argp_state *state, int key, const char *arg, bool below_one);
/* One of a NULL-terminated list of words; its index. Anything else is a
 * usage error that lists them: "--sort wants pkts or bytes, got 'x'". */
unsigned cli_word(struct argp_state *state, int key, const char *arg, const char *const *words);
/* Seconds as microseconds; 0 stays 0, but a positive time that would round
 * to 0 (which means "never" for a timeout) is refused. */
__u64 cli_usecs(struct argp_state *state, int key, const char *arg);
/* Seconds as a double, 0 to ~31 years. */
double cli_secs(struct argp_state *state, int key, const char *arg);

/* ---- shared children; each takes a pointer to its field as input ------- */

/* -i/--iface IF, required, checked by ff_ifname_check. Input: const char **. */
extern const struct argp cli_iface_argp;
/* The whole command line of a command whose only option is --iface
 * (stop, detach); doc as for argp. Returns the interface. */
const char *cli_iface_only(int argc, char **argv, const char *doc);

/* -c/--checkpoints, -e/--every, -F/--no-fin, -T/--idle-timeout: when a flow
 * is classified and when it ends. Input: struct ff_config * (set it to
 * FF_CONFIG_DEFAULT first). */
extern const struct argp cli_sched_argp;

/* -a/--action CLASS=ACT and --min-score CLASS=PERMILLE (a drop verdict
 * scored below it becomes an alert), repeatable, and --early-drop
 * [FROM-]PKTS:PERMILLE (ff_verdict_early()) and --attack-votes PERMILLE
 * (ff_verdict_attack_votes()), syntax checked here, the
 * class against the model later. Input: struct cli_actions *. */
#define CLI_MAX_ACTIONS 64
struct cli_actions {
	const char *spec[CLI_MAX_ACTIONS];
	unsigned n;
	const char *min_spec[CLI_MAX_ACTIONS];
	unsigned n_min;
	const char *early;	/* --early-drop [FROM-]PKTS:PERMILLE */
	const char *attack;	/* --attack-votes PERMILLE */
};
extern const struct argp cli_action_argp;
/* The model's actions overridden by the list, its minimum scores by
 * --min-score, its early rule by --early-drop and its attack votes by
 * --attack-votes; -1 with a message if a
 * class does not exist or the model cannot have the rule. */
struct ff_model;
int cli_actions_resolve(const struct cli_actions *a, struct ff_model *m, __u32 *actions,
			const char *cmd);

/* -c/--csv FILE (repeatable; extra arguments are CSVs too, one at least)
 * and --label-column NAME: the labelled data of train and eval. Input:
 * struct cli_data *. */
#define CLI_MAX_FILES 1024
struct cli_data {
	const char *csv[CLI_MAX_FILES];
	unsigned n_csv;
	const char *label_column;	/* NULL: the dataset loader's default */
};
extern const struct argp cli_data_argp;

/* What `run` and `twin` share: --iface, --model, --flows, the schedule,
 * --action, --duration and --interval. Input: struct cli_classifier *. */
struct cli_classifier {
	const char *iface;
	const char *model;
	__u32 flows;		/* 0: the default */
	struct ff_config cfg;
	struct cli_actions actions;
	double duration;	/* 0: until a signal */
	double interval;
	bool model_optional;	/* run --pin follows without one */
};
extern const struct argp cli_classifier_argp;
void cli_classifier_init(struct cli_classifier *c, double interval);

/* Give every child of the parser being initialised (ARGP_KEY_INIT) its
 * input, in the order of the children array. */
void cli_child_inputs(struct argp_state *state, ...);

/* The default case of a parser that takes no positional argument: a
 * stray one is a usage error that names it; any other key is not ours. */
error_t cli_no_args(int key, char *arg, struct argp_state *state);

/* Parse argv with argp; usage errors exit 2. */
void cli_parse(const struct argp *argp, int argc, char **argv, void *input);

/* ---- commands with sub-commands ---------------------------------------- */

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

/* `PROG COMMAND [ARG...]`: --help lists the commands (doc before, examples
 * after), an unknown command is an error that names it. The command runs
 * with argv[0] = "PROG COMMAND" so its messages say where they come from. */
int cli_dispatch(int argc, char **argv, const struct cli_command *cmds, size_t n,
		 const char *doc, const char *examples);

#endif
