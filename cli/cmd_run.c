// SPDX-License-Identifier: MIT
/* flowforest run: load a model, attach at a hook, stream events. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "commands.h"
#include "loader.h"
#include "model.h"
#include "output.h"

#define MAX_ACTION_ARGS 32

static struct run_args {
	const char *iface;
	const char *model;
	int hook;
	__u32 flows;
	struct ff_config cfg;
	const char *actions[MAX_ACTION_ARGS];
	int n_actions;
	double interval;
	double duration;
	bool json;
	bool quiet;
} args;

static const char doc[] =
	"Load a model, attach the classifier to an interface and stream events.\v"
	"Events (a flow first classified, or changing class) go to stdout as JSON\n"
	"lines; counters go to stderr every --interval seconds. SIGINT or SIGTERM\n"
	"detaches cleanly. XDP is attached through a bpf_link, so even kill -9\n"
	"leaves nothing attached; TC filters are removed on exit, and after a\n"
	"kill -9 by `flowforest detach --iface IF`. The socket hook only decides\n"
	"what its own raw socket sees (monitoring): it never drops host traffic.\n"
	"\n"
	"Hooks: xdp, xdp-generic, tc-ingress, tc-egress, socket.\n"
	"\n"
	"EXAMPLES:\n"
	"  sudo flowforest run -i eth0 -m model.json\n"
	"  sudo flowforest run -i eth0 -H tc-ingress -m model.json -a syn_flood=drop\n"
	"  sudo flowforest run -i eth0 -m model.json -c 1,4,16 --flows 1000000\n"
	"  sudo flowforest run -i veth0 -H socket -m model.json --duration 10 --json";

static const struct argp_option options[] = {
	{ "iface", 'i', "IF", 0, "Interface to attach to (required)" },
	{ "hook", 'H', "HOOK", 0, "xdp (default), xdp-generic, tc-ingress, tc-egress, socket" },
	{ "model", 'm', "FILE", 0, "Model file (required)" },
	{ "action", 'a', "CLASS=ACT", 0, "Override a class's action: pass, drop or alert (repeatable)" },
	{ "flows", 'f', "N", 0, "Flow-table size (default 65536)" },
	{ "checkpoints", 'c', "LIST", 0, "Packet counts at which flows are classified (default 1,2,4,...,1024)" },
	{ "every", 'e', "N", 0, "After the last checkpoint, classify every N packets (default 1024, 0 = never)" },
	{ "no-fin", 'F', NULL, 0, "Do not classify on TCP FIN/RST" },
	{ "interval", 'I', "SEC", 0, "Counters on stderr every SEC seconds (default 1, 0 = only at exit)" },
	{ "duration", 'd', "SEC", 0, "Detach and exit after SEC seconds" },
	{ "json", 'j', NULL, 0, "Counters as JSON lines" },
	{ "quiet", 'q', NULL, 0, "No periodic counters" },
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

int parse_checkpoints(const char *s, struct ff_config *cfg)
{
	char buf[256], *tok, *save = NULL;
	__u32 n = 0, v, prev = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == FF_MAX_CHECKPOINTS || parse_u32(tok, &v) || v == 0 || v <= prev)
			return -1;
		cfg->checkpoints[n++] = prev = v;
	}
	if (n == 0)
		return -1;
	cfg->n_checkpoints = n;
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'i':
		args.iface = arg;
		break;
	case 'H':
		args.hook = ff_hook_parse(arg);
		if (args.hook < 0)
			argp_error(state, "unknown hook '%s' (xdp, xdp-generic, tc-ingress, tc-egress, socket)", arg);
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
	case 'I':
		if (parse_secs(arg, &args.interval))
			argp_error(state, "--interval wants seconds, got '%s'", arg);
		break;
	case 'd':
		if (parse_secs(arg, &args.duration))
			argp_error(state, "--duration wants seconds, got '%s'", arg);
		break;
	case 'j':
		args.json = true;
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

static const struct ff_model *event_model;

static int on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	if (len < sizeof(struct ff_event))
		return 0;
	ff_event_print_json(stdout, data, event_model);
	fflush(stdout);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_counters(struct ff_loader *l, const struct ff_model *m)
{
	struct ff_counters c;

	if (ff_loader_counters(l, &c))
		return;
	if (args.json)
		ff_counters_print_json(stderr, &c, m);
	else
		ff_counters_print_text(stderr, &c, m);
}

int cmd_run(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, NULL, doc };
	struct ff_config defcfg = FF_CONFIG_DEFAULT;
	struct ff_load_opts lo = {};
	struct ff_loader l = {};
	struct ring_buffer *rb = NULL;
	struct ff_model m = {};
	__u32 actions[FF_MAX_CLASSES];
	char err[512], buf[2048];
	struct pollfd pfd[2];
	double start, next_print;
	int ifindex, i, rc = 1;

	memset(&args, 0, sizeof(args));
	args.hook = FF_HOOK_XDP;
	args.cfg = defcfg;
	args.interval = 1;
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

	ifindex = if_nametoindex(args.iface);
	if (!ifindex) {
		fprintf(stderr, "flowforest: no such interface: %s\n", args.iface);
		goto out;
	}
	if (ff_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "flowforest: %s\n", err);
		goto out;
	}

	lo.max_flows = args.flows;
	lo.cfg = args.cfg;
	if (ff_loader_open(&l, &lo, err, sizeof(err)) ||
	    ff_loader_install_model(&l, &m, actions, err, sizeof(err)) ||
	    ff_loader_attach(&l, args.hook, ifindex, err, sizeof(err))) {
		fprintf(stderr, "flowforest: %s\n", err);
		goto out;
	}
	event_model = &m;
	rb = ring_buffer__new(ff_loader_map_fd(&l, "ff_events"), on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "flowforest: cannot open the event ring buffer: %s\n", strerror(errno));
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "flowforest: %s attached to %s (%u trees, %u classes, %u flows); Ctrl-C to stop\n",
		ff_hook_name(args.hook), args.iface, m.n_trees, m.n_classes,
		args.flows ? args.flows : 65536);

	pfd[0].fd = ring_buffer__epoll_fd(rb);
	pfd[0].events = POLLIN;
	pfd[1].fd = l.sock_fd;
	pfd[1].events = POLLIN;
	start = now_s();
	next_print = start + args.interval;
	while (!stop) {
		double t;

		if (poll(pfd, l.sock_fd >= 0 ? 2 : 1, 100) < 0 && errno != EINTR) {
			fprintf(stderr, "flowforest: poll: %s\n", strerror(errno));
			break;
		}
		ring_buffer__consume(rb);
		/* The socket hook: read what the filter let through, so the
		 * socket's queue never fills. */
		if (l.sock_fd >= 0)
			while (recv(l.sock_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
		t = now_s();
		if (!args.quiet && args.interval > 0 && t >= next_print) {
			print_counters(&l, &m);
			next_print = t + args.interval;
		}
		if (args.duration > 0 && t - start >= args.duration)
			break;
	}
	ring_buffer__consume(rb);
	rc = 0;
	fprintf(stderr, "flowforest: detaching from %s\n", args.iface);
	print_counters(&l, &m);
out:
	ring_buffer__free(rb);
	ff_loader_close(&l);
	ff_model_free(&m);
	return rc;
}
