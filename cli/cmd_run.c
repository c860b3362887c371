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
#include "metrics.h"
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
	bool pin;
	bool reclassify;
	const char *allow_file;
	const char *deny_file;
	const char *metrics;
} args;

static const char doc[] =
	"Load a model, attach the classifier to an interface and stream events.\v"
	"Events (a flow first classified, or changing class) go to stdout as JSON\n"
	"lines; counters go to stderr every --interval seconds. SIGINT or SIGTERM\n"
	"detaches cleanly. XDP is attached through a bpf_link, so even kill -9\n"
	"leaves nothing attached; TC filters are removed on exit, and after a\n"
	"kill -9 by `flowforest detach --iface IF` (only on kernels without tcx\n"
	"links). The socket hook only decides what its own raw socket sees\n"
	"(monitoring): it never drops host traffic.\n"
	"\n"
	"SIGHUP reloads the model file and swaps it in atomically (with\n"
	"--reclassify, flows decided by the old model are decided again at their\n"
	"next packet). With --pin the maps and the link live under\n"
	"/sys/fs/bpf/flowforest/IF/: the classifier keeps running when this\n"
	"process exits; `flowforest stats|flows|model load|allow|deny|stop` work\n"
	"from other processes, and `flowforest run --iface IF --pin` without\n"
	"--model follows the pinned instance's events again.\n"
	"\n"
	"Hooks: xdp, xdp-generic, tc-ingress, tc-egress, socket.\n"
	"\n"
	"EXAMPLES:\n"
	"  sudo flowforest run -i eth0 -m model.json\n"
	"  sudo flowforest run -i eth0 -H tc-ingress -m model.json -a syn_flood=drop\n"
	"  sudo flowforest run -i eth0 -m model.json -c 1,4,16 --flows 1000000\n"
	"  sudo flowforest run -i veth0 -H socket -m model.json --duration 10 --json\n"
	"  sudo flowforest run -i eth0 -m model.json --pin --allow mgmt.txt --metrics 127.0.0.1:9464";

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
	{ "pin", 'P', NULL, 0, "Pin maps and link under /sys/fs/bpf/flowforest/IF (outlives this process)" },
	{ "allow", 'A', "FILE", 0, "Allowlist: CIDRs (one per line) never dropped" },
	{ "deny", 'D', "FILE", 0, "Denylist: CIDRs dropped before the model runs" },
	{ "metrics", 'M', "ADDR:PORT", 0, "Serve Prometheus metrics, e.g. 127.0.0.1:9464" },
	{ "reclassify", 'R', NULL, 0, "On SIGHUP reload, decide every flow again" },
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
	case 'P':
		args.pin = true;
		break;
	case 'A':
		args.allow_file = arg;
		break;
	case 'D':
		args.deny_file = arg;
		break;
	case 'M':
		args.metrics = arg;
		break;
	case 'R':
		args.reclassify = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!args.iface)
			argp_error(state, "--iface is required");
		if (!args.model && !args.pin)
			argp_error(state, "--model is required (without it, --pin follows a pinned instance)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static volatile sig_atomic_t stop, reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
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

static void print_counters(const struct ff_maps *mp, const struct ff_model *m)
{
	struct ff_counters c;

	if (ff_maps_counters(mp, &c))
		return;
	if (args.json)
		ff_counters_print_json(stderr, &c, m);
	else
		ff_counters_print_text(stderr, &c, m);
}

/* Per-class actions: the model's, overridden by --action. */
static int resolve_actions(const struct ff_model *m, __u32 *actions)
{
	char err[512];
	int i;

	memcpy(actions, m->actions, sizeof(m->actions));
	for (i = 0; i < args.n_actions; i++)
		if (ff_model_action_override(m, actions, args.actions[i], err, sizeof(err))) {
			fprintf(stderr, "flowforest: %s\n", err);
			return -1;
		}
	return 0;
}

/* SIGHUP: the model file again, swapped in atomically. */
static void reload_model(const struct ff_maps *mp, struct ff_model *m)
{
	struct ff_model fresh;
	__u32 actions[FF_MAX_CLASSES];
	char err[512];
	int gen;

	if (ff_model_load(args.model, &fresh, err, sizeof(err))) {
		fprintf(stderr, "flowforest: reload: bad model, keeping the current one: %s\n", err);
		return;
	}
	if (resolve_actions(&fresh, actions)) {
		ff_model_free(&fresh);
		return;
	}
	gen = ff_maps_install_model(mp, &fresh, actions, args.reclassify, err, sizeof(err));
	if (gen < 0) {
		fprintf(stderr, "flowforest: reload failed, keeping the current model: %s\n", err);
		ff_model_free(&fresh);
		return;
	}
	ff_model_free(m);
	*m = fresh;
	fprintf(stderr, "flowforest: reloaded %s (generation %d, %u trees)%s\n", args.model, gen,
		m->n_trees, args.reclassify ? ", reclassifying flows" : "");
}

int cmd_run(int argc, char **argv)
{
	static const struct argp argp = { options, parse_opt, NULL, doc };
	struct ff_config defcfg = FF_CONFIG_DEFAULT;
	struct ff_load_opts lo = {};
	struct ff_loader l = {};
	struct ff_maps pinned = { -1, -1, -1, -1, -1, -1, -1, -1, -1 };
	const struct ff_maps *mp = &l.maps;
	struct ff_metrics *metrics = NULL;
	struct ring_buffer *rb = NULL;
	struct ff_model m = {};
	__u32 actions[FF_MAX_CLASSES];
	char err[512], buf[2048];
	struct pollfd pfd[2];
	double start, next_print;
	bool follow = false;
	int ifindex, rc = 1;

	memset(&args, 0, sizeof(args));
	args.hook = FF_HOOK_XDP;
	args.cfg = defcfg;
	args.interval = 1;
	l.link_fd = l.sock_fd = -1;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;

	if (args.model) {
		if (ff_model_load(args.model, &m, err, sizeof(err))) {
			fprintf(stderr, "flowforest: bad model: %s\n", err);
			return 1;
		}
		if (resolve_actions(&m, actions))
			goto out;
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
	if (args.pin && ff_pinned_exists(args.iface)) {
		if (args.model) {
			fprintf(stderr,
				"flowforest: a pinned flowforest is already running on %s; swap its model with "
				"`flowforest model load --iface %s FILE`, follow it with `flowforest run --iface %s "
				"--pin`, or remove it with `flowforest stop --iface %s`\n",
				args.iface, args.iface, args.iface, args.iface);
			goto out;
		}
		if (ff_pinned_open(args.iface, &pinned, err, sizeof(err))) {
			fprintf(stderr, "flowforest: %s\n", err);
			goto out;
		}
		mp = &pinned;
		follow = true;
	} else if (!args.model) {
		fprintf(stderr, "flowforest: no pinned flowforest on %s to follow; give --model\n",
			args.iface);
		goto out;
	} else {
		lo.max_flows = args.flows;
		lo.cfg = args.cfg;
		lo.export_evictions = true;
		if (ff_loader_open(&l, &lo, err, sizeof(err)) ||
		    ff_maps_install_model(&l.maps, &m, actions, false, err, sizeof(err)) < 0) {
			fprintf(stderr, "flowforest: %s\n", err);
			goto out;
		}
		if ((args.allow_file && ff_maps_list_load(&l.maps, false, args.allow_file, err, sizeof(err))) ||
		    (args.deny_file && ff_maps_list_load(&l.maps, true, args.deny_file, err, sizeof(err)))) {
			fprintf(stderr, "flowforest: bad list: %s\n", err);
			goto out;
		}
		if (ff_loader_attach(&l, args.hook, ifindex, err, sizeof(err)) ||
		    (args.pin && ff_loader_pin(&l, args.iface, err, sizeof(err)))) {
			fprintf(stderr, "flowforest: %s\n", err);
			goto out;
		}
	}
	if (follow && (args.allow_file || args.deny_file)) {
		if ((args.allow_file && ff_maps_list_load(mp, false, args.allow_file, err, sizeof(err))) ||
		    (args.deny_file && ff_maps_list_load(mp, true, args.deny_file, err, sizeof(err)))) {
			fprintf(stderr, "flowforest: bad list: %s\n", err);
			goto out;
		}
	}
	if (follow) {	/* class names from the pinned model's header */
		struct ff_model_meta meta;
		__u32 i;

		if (ff_maps_active_meta(mp, &meta) == 0) {
			m.n_classes = meta.n_classes < FF_MAX_CLASSES ? meta.n_classes : FF_MAX_CLASSES;
			for (i = 0; i < m.n_classes; i++) {
				memcpy(m.class_names[i], meta.class_names[i], FF_CLASS_NAME_LEN);
				m.class_names[i][FF_CLASS_NAME_LEN - 1] = 0;
			}
		}
	}
	event_model = m.n_classes ? &m : NULL;
	{
		struct timespec rt, mono;

		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_MONOTONIC, &mono);
		ff_output_set_clock_offset(((__s64)rt.tv_sec - mono.tv_sec) * 1000000 +
					   (rt.tv_nsec - mono.tv_nsec) / 1000);
	}
	rb = ring_buffer__new(mp->events, on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "flowforest: cannot open the event ring buffer: %s\n", strerror(errno));
		goto out;
	}
	if (args.metrics) {
		metrics = ff_metrics_start(args.metrics, mp, args.iface,
					   m.n_classes ? (const char (*)[FF_NAME_MAX])m.class_names : NULL,
					   &m.n_classes, err, sizeof(err));
		if (!metrics) {
			fprintf(stderr, "flowforest: %s\n", err);
			goto out;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (follow)
		fprintf(stderr, "flowforest: following the pinned classifier on %s; Ctrl-C to stop "
			"following (it keeps running)\n", args.iface);
	else
		fprintf(stderr, "flowforest: %s attached to %s (%u trees, %u classes, %u flows)%s; "
			"Ctrl-C to stop\n", ff_hook_name(args.hook), args.iface, m.n_trees, m.n_classes,
			l.max_flows, args.pin ? ", pinned" : "");

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
		if (reload) {
			reload = 0;
			if (args.model)
				reload_model(mp, &m);
			else
				fprintf(stderr, "flowforest: SIGHUP: following only; use `flowforest model load`\n");
		}
		t = now_s();
		if (!args.quiet && args.interval > 0 && t >= next_print) {
			print_counters(mp, event_model);
			next_print = t + args.interval;
		}
		if (args.duration > 0 && t - start >= args.duration)
			break;
	}
	ring_buffer__consume(rb);
	rc = 0;
	if (follow || args.pin)
		fprintf(stderr, "flowforest: leaving the classifier pinned on %s; "
			"`flowforest stop --iface %s` removes it\n", args.iface, args.iface);
	else
		fprintf(stderr, "flowforest: detaching from %s\n", args.iface);
	print_counters(mp, event_model);
out:
	ff_metrics_stop(metrics);
	ring_buffer__free(rb);
	if (rc && args.pin && !follow && l.skel)
		ff_pinned_stop(args.iface, NULL, 0);	/* undo a half-made pin */
	ff_loader_close(&l);
	ff_maps_close(&pinned);
	ff_model_free(&m);
	return rc;
}
