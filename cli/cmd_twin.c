// SPDX-License-Identifier: MIT
/* flowforest twin: the classifier in user space, on live packets from a
 * TPACKET_V3 ring; the baseline the kernel hooks are measured against. */
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "model_file.h"
#include "output.h"
#include "twin.h"

static struct twin_args {
	struct cli_classifier c;	/* iface, model, flows, schedule, actions, ... */
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
	{ "ring-mb", 'r', "MB", 0, "Receive ring size in MiB, 1 MiB blocks (default 64)" },
	{ "json", 'j', NULL, 0, "Statistics as JSON on stdout" },
	{ "events", 'E', NULL, 0, "Print an event (JSON line) when a flow is classified or changes class" },
	{ "quiet", 'q', NULL, 0, "No summary on stderr" },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, &args.c, NULL);
		break;
	case 'r':
		args.ring_mb = cli_uint(state, key, arg, 1, 4096);
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
	default:
		return cli_no_args(key, arg, state);
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
	static const struct argp_child children[] = { { &cli_classifier_argp }, {} };
	static const struct argp argp = { options, parse_opt, NULL, doc, children };
	struct ff_twin_opts to = {};
	struct ff_twin_stats st;
	struct ff_model m = {};
	__u32 actions[FF_MAX_CLASSES];
	char err[512];
	int rc = 1;

	memset(&args, 0, sizeof(args));
	cli_classifier_init(&args.c, 0);
	cli_parse(&argp, argc, argv, NULL);

	if (ff_model_load(args.c.model, &m, err, sizeof(err))) {
		fprintf(stderr, "flowforest: bad model: %s\n", err);
		return 1;
	}
	if (cli_actions_resolve(&args.c.actions, &m, actions, "flowforest"))
		goto out;
	to.iface = args.c.iface;
	to.model = &m;
	to.actions = actions;
	to.cfg = args.c.cfg;
	to.flows = args.c.flows;
	to.duration = args.c.duration;
	to.interval = args.c.interval;
	to.block_nr = args.ring_mb;
	to.stop = &stop;
	to.progress = on_progress;
	to.event = args.events ? on_event : NULL;
	if (!if_nametoindex(args.c.iface)) {
		fprintf(stderr, "flowforest: no such interface: %s\n", args.c.iface);
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!args.quiet)
		fprintf(stderr, "flowforest: twin receiving on %s (%u trees, %u classes); Ctrl-C to stop\n",
			args.c.iface, m.n_trees, m.n_classes);
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
