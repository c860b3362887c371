// SPDX-License-Identifier: MIT
/* The shared pieces of every command line; see args.h. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "ifname.h"
#include "log.h"
#include "model_file.h"
#include "numparse.h"

/* ---- strict numbers ---------------------------------------------------- */

static int option_is_end(const struct argp_option *o)
{
	return !o->key && !o->name && !o->doc && !o->group;
}

static const char *find_option(const struct argp *a, int key)
{
	const struct argp_option *o;
	const struct argp_child *c;
	const char *name;

	for (o = a->options; o && !option_is_end(o); o++)
		if (o->key == key && o->name)
			return o->name;
	for (c = a->children; c && c->argp; c++)
		if ((name = find_option(c->argp, key)))
			return name;
	return NULL;
}

/* "--flows" for the key of the option being parsed, so that no message
 * can name the wrong option. */
static const char *opt_name(struct argp_state *state, int key, char *buf, size_t len)
{
	const char *name = find_option(state->root_argp, key);

	if (name)
		snprintf(buf, len, "--%s", name);
	else
		snprintf(buf, len, "-%c", key);
	return buf;
}

unsigned long long cli_uint(struct argp_state *state, int key, const char *arg,
			    unsigned long long min, unsigned long long max)
{
	unsigned long long v = 0;
	char name[64];

	if (ff_parse_uint(arg, min, max, &v))
		argp_error(state, "%s wants a whole number from %llu to %llu, got '%s'",
			   opt_name(state, key, name, sizeof(name)), min, max, arg);
	return v;
}

double cli_real(struct argp_state *state, int key, const char *arg, double min, double max)
{
	double v = 0;
	char name[64];

	if (ff_parse_real(arg, min, max, &v))
		argp_error(state, "%s wants a number from %g to %g, got '%s'",
			   opt_name(state, key, name, sizeof(name)), min, max, arg);
	return v;
}

double cli_fraction(struct argp_state *state, int key, const char *arg, bool below_one)
{
	double v = 0;
	char name[64];

	if (ff_parse_real(arg, 0, 1, &v) || v == 0 || (below_one && v == 1))
		argp_error(state, "%s wants a fraction in (0, 1%c, got '%s'",
			   opt_name(state, key, name, sizeof(name)), below_one ? ')' : ']', arg);
	return v;
}

unsigned cli_word(struct argp_state *state, int key, const char *arg, const char *const *words)
{
	char name[64], list[256] = "";
	size_t len = 0;
	unsigned i, n;

	for (n = 0; words[n]; n++)
		if (!strcmp(arg, words[n]))
			return n;
	for (i = 0; i < n && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
				!i ? "" : i + 1 < n ? ", " : " or ", words[i]);
	argp_error(state, "%s wants %s, got '%s'", opt_name(state, key, name, sizeof(name)), list, arg);
	return 0;
}

#define CLI_MAX_SECS 1e9	/* ~31 years: any longer is a typo */

double cli_secs(struct argp_state *state, int key, const char *arg)
{
	double v = 0;
	char name[64];

	if (ff_parse_real(arg, 0, CLI_MAX_SECS, &v))
		argp_error(state, "%s wants seconds from 0 to %g, got '%s'",
			   opt_name(state, key, name, sizeof(name)), CLI_MAX_SECS, arg);
	return v;
}

__u64 cli_usecs(struct argp_state *state, int key, const char *arg)
{
	double v = cli_secs(state, key, arg);
	__u64 us = (__u64)(v * 1e6);
	char name[64];

	if (v > 0 && us == 0)
		argp_error(state, "%s %s: below one microsecond, which would mean never (0)",
			   opt_name(state, key, name, sizeof(name)), arg);
	return us;
}

/* ---- --iface ----------------------------------------------------------- */

static const struct argp_option iface_options[] = {
	{ "iface", 'i', "IF", 0, "Network interface (required)" },
	{},
};

static error_t iface_opt(int key, char *arg, struct argp_state *state)
{
	const char **iface = state->input;
	char err[128];

	switch (key) {
	case 'i':
		if (ff_ifname_check(arg, err, sizeof(err)))
			argp_error(state, "--iface: %s", err);
		*iface = arg;
		break;
	case ARGP_KEY_END:
		if (!*iface)
			argp_error(state, "--iface is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cli_iface_argp = { iface_options, iface_opt };

static error_t iface_only_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, state->input, NULL);
		break;
	default:
		return cli_no_args(key, arg, state);
	}
	return 0;
}

const char *cli_iface_only(int argc, char **argv, const char *doc)
{
	static const struct argp_child children[] = { { &cli_iface_argp }, {} };
	const struct argp argp = { NULL, iface_only_opt, NULL, doc, children };
	const char *iface = NULL;

	cli_parse(&argp, argc, argv, &iface);
	return iface;
}

/* ---- the schedule ------------------------------------------------------ */

/* long-only options of the schedule group */
#define CLI_OPT_NO_STICKY 0x1001
#define CLI_OPT_FAST_FIRST 0x1002
#define CLI_OPT_FLOOD_EVENTS 0x1003
#define CLI_OPT_CTX_SLOTS 0x1004
#define CLI_OPT_CTX_WARM 0x1006
#define CLI_OPT_HOLD_FIRST 0x1005

static const struct argp_option sched_options[] = {
	{ "checkpoints", 'c', "LIST", 0, "Packet counts at which flows are classified (default 1,2,4,...,1024)" },
	{ "every", 'e', "N", 0, "After the last checkpoint, classify every N packets (default 1024, 0 = never)" },
	{ "no-fin", 'F', NULL, 0, "Do not classify on TCP FIN/RST" },
	{ "idle-timeout", 'T', "SEC", 0, "Silence that ends a flow (default 120, 0 = never)" },
	{ "activity-timeout", 'A', "SEC", 0, "A longer gap ends an active period and counts as idle "
	  "(CIC's Active/Idle features; default 5)" },
	{ "no-sticky-drops", CLI_OPT_NO_STICKY, NULL, 0, "A dropped flow may be decided again (and let "
	  "through) at its later checkpoints; by default a drop holds until an allowlist entry or "
	  "`model load --reclassify` releases it" },
	{ "hold-first-drops", CLI_OPT_HOLD_FIRST, NULL, 0, "A drop decided at a flow's first packet "
	  "holds too; by default it is tentative: the flow's next checkpoint decides again (a new "
	  "client's SYN to a flooded service looks like the flood's own at its first packet)" },
	{ "fast-first", CLI_OPT_FAST_FIRST, NULL, 0, "A flow whose first packet the model drops never "
	  "enters the flow table: a flood of one-packet flows costs no insert, no eviction, and "
	  "identical first packets one model run (docs/operations.md, One-packet flows)" },
	{ "flood-events", CLI_OPT_FLOOD_EVENTS, "N", 0, "With --fast-first: per responder and second, "
	  "the first N dropped one-packet flows get their own `classified` event, the rest only the "
	  "second's `flood` event with counts (default: every flow its own)" },
	{ "context-slots", CLI_OPT_CTX_SLOTS, "N", 0, "Slots of the context table (services, hosts "
	  "and source prefixes, the ctx_* features), a power of two (default 32768, 264 bytes "
	  "each); extract and replay agree when given the same" },
	{ "context-warm", CLI_OPT_CTX_WARM, NULL, 0, "The context starts warm: ctx_table_age_us "
	  "reads full (2 s) from the first packet on, as if the table had counted before; by "
	  "default it counts from the first flow (a cold start, docs/operations.md). For a capture "
	  "cut out of longer traffic" },
	{},
};

/* "1,2,4,8": ascending positive packet counts. */
static int parse_checkpoints(const char *s, struct ff_config *cfg)
{
	char buf[256], *tok, *save = NULL;
	unsigned long long v, prev = 0;
	__u32 n = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == FF_MAX_CHECKPOINTS || ff_parse_uint(tok, prev + 1, UINT_MAX, &v))
			return -1;
		cfg->checkpoints[n++] = prev = v;
	}
	if (n == 0)
		return -1;
	cfg->n_checkpoints = n;
	return 0;
}

static error_t sched_opt(int key, char *arg, struct argp_state *state)
{
	struct ff_config *cfg = state->input;

	switch (key) {
	case 'c':
		if (parse_checkpoints(arg, cfg))
			argp_error(state, "--checkpoints wants up to %d ascending positive counts like 1,2,4,8, got '%s'",
				   FF_MAX_CHECKPOINTS, arg);
		break;
	case 'e':
		cfg->cp_every = cli_uint(state, key, arg, 0, UINT_MAX);
		break;
	case 'F':
		cfg->cp_flags &= ~FF_CP_ON_FIN_RST;
		break;
	case 'A':
		cfg->activity_us = cli_usecs(state, key, arg);
		break;
	case 'T':
		cfg->idle_timeout_us = cli_usecs(state, key, arg);
		break;
	case CLI_OPT_NO_STICKY:
		cfg->cp_flags &= ~FF_CP_DROPS_HOLD;
		break;
	case CLI_OPT_HOLD_FIRST:
		cfg->cp_flags |= FF_CP_FIRST_HOLDS;
		break;
	case CLI_OPT_FAST_FIRST:
		cfg->first_fast = 1;
		break;
	case CLI_OPT_FLOOD_EVENTS:
		cfg->flood_events = cli_uint(state, key, arg, 0, UINT_MAX);
		break;
	case CLI_OPT_CTX_WARM:
		cfg->cp_flags |= FF_CP_CTX_WARM;
		break;
	case CLI_OPT_CTX_SLOTS:
		cfg->ctx_slots = cli_uint(state, key, arg, 2, FF_CTX_SLOTS_MAX);
		if (cfg->ctx_slots & (cfg->ctx_slots - 1))
			argp_error(state, "--context-slots wants a power of two from 2 to %u, got '%s'",
				   FF_CTX_SLOTS_MAX, arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cli_sched_argp = { sched_options, sched_opt };

/* ---- --action ---------------------------------------------------------- */

#define OPT_MIN_SCORE 0x1100
#define OPT_EARLY_DROP 0x1101
#define OPT_ATTACK_VOTES 0x1102

static const struct argp_option action_options[] = {
	{ "action", 'a', "CLASS=ACT", 0, "A class's action: pass, drop or alert (repeatable)" },
	{ "min-score", OPT_MIN_SCORE, "CLASS=PERMILLE", 0, "A drop verdict of CLASS whose score is below PERMILLE (0..1000) alerts instead: not sure enough to drop (repeatable; default: the model's)" },
	{ "early-drop", OPT_EARLY_DROP, "[FROM-]PKTS:PERMILLE", 0, "At a flow's packets FROM (default 1) to PKTS, a verdict that does not pass needs PERMILLE (0..1000) of the votes on the classes that do not pass together, else the flow passes as the passing class with the most votes (vote models; 0:0 turns it off; default: the model's)" },
	{ "attack-votes", OPT_ATTACK_VOTES, "PERMILLE", 0, "A verdict of a passing class while the classes that do not pass hold PERMILLE (1..1000) of the votes together is the one of them with the most votes: attack votes split between similar classes still say attack (vote models; 0 turns it off; default: the model's)" },
	{},
};

static error_t action_opt(int key, char *arg, struct argp_state *state)
{
	struct cli_actions *a = state->input;
	char cls[FF_NAME_MAX], err[512];
	__u32 permille;
	int act;

	if (key == OPT_EARLY_DROP) {
		__u32 f, n;

		if (ff_early_spec_parse(arg, &f, &n, &permille, err, sizeof(err)))
			argp_error(state, "%s", err);
		a->early = arg;
		return 0;
	}
	if (key == OPT_ATTACK_VOTES) {
		if (ff_attack_votes_parse(arg, &permille, err, sizeof(err)))
			argp_error(state, "%s", err);
		a->attack = arg;
		return 0;
	}
	if (key == OPT_MIN_SCORE) {
		if (ff_min_score_spec_parse(arg, cls, sizeof(cls), &permille, err, sizeof(err)))
			argp_error(state, "%s", err);
		if (a->n_min == CLI_MAX_ACTIONS)
			argp_error(state, "--min-score: at most %d", CLI_MAX_ACTIONS);
		a->min_spec[a->n_min++] = arg;
		return 0;
	}
	if (key != 'a')
		return ARGP_ERR_UNKNOWN;
	if (ff_action_spec_parse(arg, cls, sizeof(cls), &act, err, sizeof(err)))
		argp_error(state, "%s", err);
	if (a->n == CLI_MAX_ACTIONS)
		argp_error(state, "--action: at most %d", CLI_MAX_ACTIONS);
	a->spec[a->n++] = arg;
	return 0;
}

const struct argp cli_action_argp = { action_options, action_opt };

int cli_actions_resolve(const struct cli_actions *a, struct ff_model *m, __u32 *actions,
			const char *cmd)
{
	char err[1024];
	unsigned i;

	if (actions != m->actions)
		memcpy(actions, m->actions, sizeof(m->actions));
	for (i = 0; i < a->n; i++)
		if (ff_model_action_override(m, actions, a->spec[i], err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", cmd, err);
			return -1;
		}
	for (i = 0; i < a->n_min; i++)
		if (ff_model_min_score_override(m, a->min_spec[i], err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", cmd, err);
			return -1;
		}
	if (a->early && ff_model_early_override(m, a->early, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return -1;
	}
	if (a->attack && ff_model_attack_votes_override(m, a->attack, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

/* ---- labelled data (train, eval) ------------------------------------- */

enum { KEY_LABEL_COLUMN = 0x2001 };

static const struct argp_option data_options[] = {
	{ "csv", 'c', "FILE", 0, "Labelled flow CSV (repeatable; extra arguments are CSVs too)" },
	{ "label-column", KEY_LABEL_COLUMN, "NAME", 0, "Label column (default: Label, else attack_cat, else label)" },
	{},
};

static error_t data_opt(int key, char *arg, struct argp_state *state)
{
	struct cli_data *d = state->input;

	switch (key) {
	case 'c':
	case ARGP_KEY_ARG:
		if (d->n_csv == CLI_MAX_FILES)
			argp_error(state, "too many CSV files (at most %d)", CLI_MAX_FILES);
		d->csv[d->n_csv++] = arg;
		break;
	case KEY_LABEL_COLUMN:
		if (!arg[0])
			argp_error(state, "--label-column wants a column name");
		d->label_column = arg;
		break;
	case ARGP_KEY_END:
		if (!d->n_csv)
			argp_error(state, "--csv FILE is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cli_data_argp = { data_options, data_opt };

/* ---- the classifier (run, twin) ---------------------------------------- */

static const struct argp_option classifier_options[] = {
	{ "model", 'm', "FILE", 0, "Model file (required)" },
	{ "flows", 'f', "N", 0, "Flow-table size (default 65536)" },
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds (default: at SIGINT/SIGTERM)" },
	{ "interval", 'I', "SEC", 0, "Counters every SEC seconds (0 = only at exit)" },
	{},
};

static error_t classifier_opt(int key, char *arg, struct argp_state *state)
{
	struct cli_classifier *c = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, &c->iface, &c->cfg, &c->actions, NULL);
		break;
	case 'm':
		c->model = arg;
		break;
	case 'f':
		c->flows = cli_uint(state, key, arg, 1, UINT_MAX);
		break;
	case 'd':
		c->duration = cli_secs(state, key, arg);
		break;
	case 'I':
		c->interval = cli_secs(state, key, arg);
		break;
	case ARGP_KEY_END:
		if (!c->model && !c->model_optional)
			argp_error(state, "--model is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child classifier_children[] = {
	{ &cli_iface_argp },
	{ &cli_sched_argp },
	{ &cli_action_argp },
	{},
};

const struct argp cli_classifier_argp = { classifier_options, classifier_opt, NULL, NULL,
					  classifier_children };

void cli_classifier_init(struct cli_classifier *c, double interval)
{
	struct ff_config def = FF_CONFIG_DEFAULT;

	memset(c, 0, sizeof(*c));
	c->cfg = def;
	c->interval = interval;
}

/* ---- parsing ----------------------------------------------------------- */

void cli_child_inputs(struct argp_state *state, ...)
{
	va_list ap;
	void *p;
	int i = 0;

	va_start(ap, state);
	while ((p = va_arg(ap, void *)))
		state->child_inputs[i++] = p;
	va_end(ap);
}

error_t cli_no_args(int key, char *arg, struct argp_state *state)
{
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	argp_error(state, "unexpected argument '%s'", arg);
	return 0;
}

void cli_parse(const struct argp *argp, int argc, char **argv, void *input)
{
	if (argp_parse(argp, argc, argv, 0, NULL, input))
		exit(2);
}

/* ---- sub-commands ------------------------------------------------------ */

struct dispatch {
	const struct cli_command *cmds;
	size_t n;
	const struct cli_command *cmd;
	int first;	/* argv index of the command */
};

static error_t dispatch_opt(int key, char *arg, struct argp_state *state)
{
	struct dispatch *d = state->input;
	size_t i;

	switch (key) {
	case 'v':	/* libbpf's debug output, the verifier's log among it */
		ff_log_set_verbose(1);
		break;
	case ARGP_KEY_ARG:
		for (i = 0; i < d->n; i++)
			if (!strcmp(arg, d->cmds[i].name))
				d->cmd = &d->cmds[i];
		if (!d->cmd)
			argp_error(state, "unknown command '%s'", arg);
		d->first = state->next - 1;
		state->next = state->argc;	/* the rest is the command's */
		break;
	case ARGP_KEY_NO_ARGS:	/* the whole help, with the list of commands */
		argp_state_help(state, stderr, (ARGP_HELP_STD_HELP & ~ARGP_HELP_EXIT_OK) | ARGP_HELP_EXIT_ERR);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cli_dispatch(int argc, char **argv, const struct cli_command *cmds, size_t n,
		 const char *doc, const char *examples)
{
	struct dispatch d = { cmds, n, NULL, 0 };
	static const struct argp_option options[] = {
		{ "verbose", 'v', NULL, 0,
		  "Debug output of libbpf on stderr (warnings, which carry the verifier's log, are always shown)" },
		{ 0 }
	};
	struct argp argp = { options, dispatch_opt, "COMMAND [OPTION...]" };
	char *full_doc, *name;
	size_t i, len = strlen(doc) + strlen(examples) + 256;
	int rc, off;

	for (i = 0; i < n; i++)
		len += strlen(cmds[i].name) + strlen(cmds[i].help) + 16;
	full_doc = malloc(len);
	if (!full_doc)
		return 1;
	off = snprintf(full_doc, len, "%s\vCommands:\n", doc);
	for (i = 0; i < n; i++)
		off += snprintf(full_doc + off, len - off, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	snprintf(full_doc + off, len - off,
		 "\n`%s COMMAND --help` describes each command.\n\nEXAMPLES:\n%s", argv[0], examples);
	argp.doc = full_doc;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &d)) {
		free(full_doc);
		return 2;
	}
	free(full_doc);
	/* "flowforest model load" in the command's usage lines and errors */
	if (asprintf(&name, "%s %s", argv[0], d.cmd->name) < 0)
		return 1;
	argv[d.first] = name;
	rc = d.cmd->fn(argc - d.first, argv + d.first);
	free(name);
	return rc;
}
