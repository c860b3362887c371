// SPDX-License-Identifier: MIT
/* flowforest twin: the classifier in user space, on live packets from a
 * TPACKET_V3 ring; the baseline the kernel hooks are measured against. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "model.h"
#include "output.h"
#include "twin.h"

#define MAX_ACTION_ARGS 32

static struct twin_args {
	const char *iface;
	const char *model;
	__u32 flows;
	struct ff_config cfg;
	const char *actions[MAX_ACTION_ARGS];
	int n_actions;
	double duration;
	double interval;
	__u32 ring_mb;
	bool json;
	bool events;
	bool quiet;
} args;

static const char doc[] =
	"Classify live traffic in user space with the kernel's own code.\v"
	"Receives every frame of an interface on an AF_PACKET socket with a\n"
	"TPACKET_V3 receive ring and runs exactly what the BPF programs run: the\n"
	"shared parser, flow key, flow update, checkpoints, features and forest\n"
	"walk (include/flowforest/), with a user-space flow table. It only\n"
	"observes: nothing is dropped for the host, \"dropped\" counts packets whose\n"
	"verdict says drop. Reports packets processed, frames the ring lost\n"
	"(tp_drops, from PACKET_STATISTICS) and the CPU time it used; this is the\n"
	"user-space design that `make bench` compares with the XDP, TC and\n"
	"socket-filter hooks on the same traffic.\n"
	"\n"
	"EXAMPLES:\n"
	"  sudo flowforest twin -i eth0 -m model.json --duration 10\n"
	"  sudo flowforest twin -i veth0 -m model.json --json --interval 1 --flows 1000000\n"
	"  sudo flowforest twin -i eth0 -m model.json --events -c 1,4,16";

static const struct argp_option options[] = {
	{ "iface", 'i', "IF", 0, "Interface to receive from (required)" },
	{ "model", 'm', "FILE", 0, "Model file (required)" },
	{ "action", 'a', "CLASS=ACT", 0, "Override a class's action: pass, drop or alert (repeatable)" },
	{ "flows", 'f', "N", 0, "Initial flow-table size (default 65536; the table grows)" },
	{ "checkpoints", 'c', "LIST", 0, "Packet counts at which flows are classified (default 1,2,4,...,1024)" },
	{ "every", 'e', "N", 0, "After the last checkpoint, classify every N packets (default 1024, 0 = never)" },
	{ "no-fin", 'F', NULL, 0, "Do not classify on TCP FIN/RST" },
	{ "duration", 'd', "SEC", 0, "Stop after SEC seconds (default: until SIGINT/SIGTERM)" },
	{ "interval", 'I', "SEC", 0, "Statistics every SEC seconds (default 0: only at exit)" },
	{ "ring-mb", 'r', "MB", 0, "Receive ring size in MiB, 1 MiB blocks (default 64)" },
	{ "json", 'j', NULL, 0, "Statistics as JSON on stdout" },
	{ "events", 'E', NULL, 0, "Print an event (JSON line) when a flow is classified or changes class" },
	{ "quiet", 'q', NULL, 0, "No summary on stderr" },
	{},
};

static int parse_u32(const char *s, __u32 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > UINT_MAX || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static int parse_secs(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out < 0 ? -1 : 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'i':
		args.iface = arg;
		break;
	case 'm':
		args.model = arg;
		break;
	case 'a':
		if (args.n_actions == MAX_ACTION_ARGS)
			argp_error(state, "too many --action options");
		if (!strchr(arg, '='))
			argp_error(state, "--action wants CLASS=ACTION, got '%s'", arg);
		args.actions[args.n_actions++] = arg;
		break;
	case 'f':
		if (parse_u32(arg, &args.flows) || args.flows == 0)
			argp_error(state, "--flows wants a positive number, got '%s'", arg);
		break;
	case 'c':
		if (parse_checkpoints(arg, &args.cfg))
			argp_error(state, "--checkpoints wants up to %d ascending positive counts like 1,2,4,8, got '%s'",
				   FF_MAX_CHECKPOINTS, arg);
		break;
	case 'e':
		if (parse_u32(arg, &args.cfg.cp_every))
			argp_error(state, "--every wants a number, got '%s'", arg);
		break;
	case 'F':
		args.cfg.cp_flags &= ~FF_CP_ON_FIN_RST;
		break;
	case 'd':
		if (parse_secs(arg, &args.duration))
			argp_error(state, "--duration wants seconds, got '%s'", arg);
		break;
	case 'I':
		if (parse_secs(arg, &args.interval))
			argp_error(state, "--interval wants seconds, got '%s'", arg);
		break;
	case 'r':
		if (parse_u32(arg, &args.ring_mb) || args.ring_mb == 0 || args.ring_mb > 4096)
			argp_error(state, "--ring-mb wants 1 to 4096, got '%s'", arg);
		break;
	case 'j':
		args.json = true;
		break;
	case 'E':
		args.events = true;
		break;
	case 'q':
		args.quiet = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!args.iface)
			argp_error(state, "--iface is required");
		if (!args.model)
			argp_error(state, "--model is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_event(const struct ff_twin_opts *o, const struct ff_event *ev)
{
	ff_event_print_json(stdout, ev, o->model);
}

static void print_text(FILE *out, const struct ff_twin_stats *st)
{
	double cpu = st->cpu_user + st->cpu_sys;

	fprintf(out,
		"twin: %llu packets in %.2f s (%.3f Mpps), ring: %llu seen, %llu dropped; "
		"CPU %.2f s user + %.2f s sys (%.0f ns/packet); %llu flows, %llu classifications, "
		"%llu packets with a drop verdict\n",
		(unsigned long long)st->packets, st->seconds,
		st->seconds > 0 ? st->packets / st->seconds / 1e6 : 0.0,
		(unsigned long long)st->ring_packets, (unsigned long long)st->ring_drops,
		st->cpu_user, st->cpu_sys, st->packets ? cpu * 1e9 / st->packets : 0.0,
		(unsigned long long)st->flows, (unsigned long long)st->classifications,
		(unsigned long long)st->dropped);
}

static void on_progress(const struct ff_twin_opts *o, const struct ff_twin_stats *st)
{
	if (args.json)
		ff_twin_stats_json(stdout, st, o->model, false);
	else
		print_text(stderr, st);
}

int cmd_twin(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, NULL, doc };
	struct ff_config defcfg = FF_CONFIG_DEFAULT;
	struct ff_twin_opts to = {};
	struct ff_twin_stats st;
	struct ff_model m = {};
	__u32 actions[FF_MAX_CLASSES];
	char err[512];
	int i, rc = 1;

	memset(&args, 0, sizeof(args));
	args.cfg = defcfg;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;

	if (ff_model_load(args.model, &m, err, sizeof(err))) {
		fprintf(stderr, "flowforest: bad model: %s\n", err);
		return 1;
	}
	memcpy(actions, m.actions, sizeof(actions));
	for (i = 0; i < args.n_actions; i++) {
		char name[FF_NAME_MAX + 16], *eq;
		int cls, act;

		snprintf(name, sizeof(name), "%s", args.actions[i]);
		eq = strchr(name, '=');
		*eq = 0;
		cls = ff_model_class_lookup(&m, name);
		act = ff_action_parse(eq + 1);
		if (cls < 0) {
			fprintf(stderr, "flowforest: --action: the model has no class '%s'\n", name);
			goto out;
		}
		if (act < 0) {
			fprintf(stderr, "flowforest: --action: '%s' is not pass, drop or alert\n", eq + 1);
			goto out;
		}
		actions[cls] = act;
	}

	to.iface = args.iface;
	to.model = &m;
	to.actions = actions;
	to.cfg = args.cfg;
	to.flows = args.flows;
	to.duration = args.duration;
	to.interval = args.interval;
	to.block_nr = args.ring_mb;
	to.stop = &stop;
	to.progress = on_progress;
	to.event = args.events ? on_event : NULL;
	if (!if_nametoindex(args.iface)) {
		fprintf(stderr, "flowforest: no such interface: %s\n", args.iface);
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!args.quiet)
		fprintf(stderr, "flowforest: twin receiving on %s (%u trees, %u classes); Ctrl-C to stop\n",
			args.iface, m.n_trees, m.n_classes);
	if (ff_twin_run(&to, &st, err, sizeof(err))) {
		fprintf(stderr, "flowforest: twin: %s\n", err);
		goto out;
	}
	if (args.json)
		ff_twin_stats_json(stdout, &st, &m, true);
	if (!args.quiet)
		print_text(stderr, &st);
	rc = 0;
out:
	ff_model_free(&m);
	return rc;
}
