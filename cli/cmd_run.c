// SPDX-License-Identifier: MIT
/* flowforest run: load a model, attach at a hook, stream events. */
#include <errno.h>
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

#include "clock.h"
#include "args.h"
#include "class_names.h"
#include "commands.h"
#include "config_args.h"
#include "export_args.h"
#include "forest_native.h"
#include "loader.h"
#include "metrics.h"
#include "model_file.h"
#include "output.h"
#include "pinned.h"

static struct run_args {
	struct cli_classifier c;	/* iface, model, flows, schedule, actions, ... */
	struct cli_export exp;		/* --ipfix, --eve */
	int hook;
	bool takeover;
	bool json;
	bool quiet;
	bool pin;
	bool reclassify;
	bool no_native;
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
	"  sudo flowforest run -i eth0 -m model.json --pin --allow mgmt.txt --metrics 127.0.0.1:9464\n"
	"  sudo flowforest run -i eth0 -m model.json --ipfix 192.0.2.9:4739 --eve /var/log/flowforest/eve.json\n"
	"  sudo flowforest run --config /etc/flowforest/eth0.conf --iface eth0 --pin --takeover\n"
	"  sudo flowforest run -i eth0 -m model.json --no-native-forest\n"
	"\n"
	"The model runs as BPF instructions that flowforest generates from it at\n"
	"every load (the native forest, docs/design.md), in a copy of the hook's\n"
	"program that replaces it; a model over the size cap, or\n"
	"--no-native-forest, runs as the data-driven walk (same verdicts).\n"
	"--ipfix sends a record when a flow ends (idle timeout, eviction, agent stop),\n"
	"when its verdict changes, and every --active-timeout for long flows\n"
	"(docs/ipfix.md). --eve writes a Suricata alert for each drop or alert\n"
	"verdict (docs/eve.md). --config reads `option = value` lines (docs/fleet.md);\n"
	"the command line overrides them.";

static const struct argp_option options[] = {
	{ "hook", 'H', "HOOK", 0, "xdp (default), xdp-generic, tc-ingress, tc-egress, socket" },
	{ "json", 'j', NULL, 0, "Counters as JSON lines" },
	{ "quiet", 'q', NULL, 0, "No periodic counters" },
	{ "pin", 'P', NULL, 0, "Pin maps and link under /sys/fs/bpf/flowforest/IF (outlives this process)" },
	{ "allow", 'A', "FILE", 0, "Allowlist: CIDRs (one per line) never dropped" },
	{ "deny", 'D', "FILE", 0, "Denylist: CIDRs dropped before the model runs" },
	{ "metrics", 'M', "ADDR:PORT", 0, "Serve Prometheus metrics, e.g. 127.0.0.1:9464" },
	{ "reclassify", 'R', NULL, 0, "On SIGHUP reload, decide every flow again" },
	{ "takeover", 0x1200, NULL, 0,
	  "With --pin: if a pinned classifier runs on IF, take it over (swap in --model, follow it)" },
	{ "config", 'C', "FILE", 0, "Settings from FILE: one `option = value` per line (docs/fleet.md)" },
	{ "no-native-forest", 0x1201, NULL, 0,
	  "Run the model as the data-driven walk only, not compiled to BPF instructions" },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, &args.c, &args.exp, NULL);
		break;
	case 0x1200:
		args.takeover = true;
		break;
	case 0x1201:
		args.no_native = true;
		break;
	case 'C':	/* read before argp (cli_config_expand); never reached */
		break;
	case 'H':
		args.hook = ff_hook_parse(arg);
		if (args.hook < 0)
			argp_error(state, "--hook: unknown hook '%s' (xdp, xdp-generic, tc-ingress, tc-egress, socket)", arg);
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
	case ARGP_KEY_END:
		if (!args.c.model && !args.pin)
			argp_error(state, "--model is required (without it, --pin follows a pinned instance)");
		break;
	default:
		return cli_no_args(key, arg, state);
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

/* Everything one run holds, released by run_close(). */
struct run {
	struct ff_loader l;
	struct ff_maps pinned;
	struct ff_maps *mp;		/* &l.maps, or &pinned when following */
	struct ff_model m;		/* or just the class names when following */
	bool follow;
	struct ring_buffer *rb;
	struct ff_metrics *metrics;
	struct ff_exporter *exp;	/* --ipfix, --eve */
	struct ff_class_book book;	/* class names by model generation */
	int ifindex;
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct run *r = ctx;
	const struct ff_event *e = data;

	if (len < sizeof(*e))
		return 0;
	/* named by the model that decided it, even after a swap */
	ff_event_print_json(stdout, e, ff_class_book_gen(&r->book, e->model_gen));
	fflush(stdout);
	if (r->exp)
		ff_export_event(r->exp, data);
	return 0;
}

/* IPFIX: flows that went idle or are due an interim record, by a scan of
 * the kernel's table (the kernel reports an idle flow only when its next
 * packet comes). */
static void export_scan(struct run *r, bool baseline, bool force)
{
	int rc;

	if (!r->exp || !args.exp.ipfix)
		return;
	rc = ff_export_scan_map(r->exp, r->mp->flows, ff_mono_us(), baseline, force);
	if (rc)
		fprintf(stderr, "flowforest: IPFIX: scanning the flow table: %s\n", strerror(-rc));
}

/* With --json, what runs the model at the hook (the native forest or the
 * walk), read back from the kernel: the pinned link's program, or this
 * process's. */
static int native_now(const struct run *r, struct ff_native_info *n)
{
	int fd, rc;

	if (r->follow || args.pin) {
		fd = ff_pinned_prog_fd(args.c.iface);
		if (fd < 0)
			return -1;
		rc = ff_native_probe(fd, n);
		close(fd);
		return rc;
	}
	return ff_native_probe(ff_loader_hook_prog_fd(&r->l), n);
}

static void print_counters(const struct run *r, const struct ff_model *m)
{
	struct ff_native_info n;
	struct ff_counters c;

	if (ff_maps_counters(r->mp, &c))
		return;
	if (args.json)
		ff_counters_print_json(stderr, &c, m, native_now(r, &n) ? NULL : &n);
	else
		ff_counters_print_text(stderr, &c, m);
}

/* SIGHUP: the model file again, swapped in atomically. */
static void reload_model(struct ff_maps *mp, struct ff_model *m, struct ff_exporter *x)
{
	struct ff_model fresh;
	__u32 actions[FF_MAX_CLASSES];
	char err[512];
	int gen;

	if (ff_model_load(args.c.model, &fresh, err, sizeof(err))) {
		fprintf(stderr, "flowforest: reload: bad model, keeping the current one: %s\n", err);
		return;
	}
	if (cli_actions_resolve(&args.c.actions, &fresh, actions, "flowforest")) {
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
	if (x)
		ff_export_set_classes(x, (const char (*)[FF_NAME_MAX])m->class_names, m->n_classes);
	fprintf(stderr, "flowforest: reloaded %s (generation %d, %u trees)%s\n", args.c.model, gen,
		m->n_trees, args.reclassify ? ", reclassifying flows" : "");
}

static int load_lists(const struct ff_maps *mp)
{
	char err[512];

	if ((args.allow_file && ff_maps_list_load(mp, false, args.allow_file, err, sizeof(err))) ||
	    (args.deny_file && ff_maps_list_load(mp, true, args.deny_file, err, sizeof(err)))) {
		fprintf(stderr, "flowforest: bad list: %s\n", err);
		return -1;
	}
	return 0;
}

/* Load the programs, install the model and lists, attach, maybe pin. */
static int start_fresh(struct run *r, const __u32 *actions)
{
	struct ff_load_opts lo = {};
	char err[512];

	lo.max_flows = args.c.flows;
	lo.cfg = args.c.cfg;
	lo.export_evictions = true;
	lo.no_native_forest = args.no_native;
	if (ff_loader_open(&r->l, &lo, err, sizeof(err)) ||
	    ff_maps_install_model(&r->l.maps, &r->m, actions, false, err, sizeof(err)) < 0) {
		fprintf(stderr, "flowforest: %s\n", err);
		return -1;
	}
	if (load_lists(&r->l.maps))
		return -1;
	if (ff_loader_attach(&r->l, args.hook, r->ifindex, err, sizeof(err)) ||
	    (args.pin && ff_loader_pin(&r->l, args.c.iface, err, sizeof(err)))) {
		fprintf(stderr, "flowforest: %s\n", err);
		return -1;
	}
	if (r->l.native.why[0])
		fprintf(stderr, "flowforest: note: the model runs as the walk: %s\n", r->l.native.why);
	r->mp = &r->l.maps;
	return 0;
}

/* --pin without --model: follow the pinned instance's events. */
static int start_follow(struct run *r)
{
	const char *i = args.c.iface;

	if (args.c.model && args.takeover) {
		__u32 actions[FF_MAX_CLASSES];
		char err[512];
		int gen;

		if (cli_open_pinned(i, &r->pinned, "flowforest") || load_lists(&r->pinned))
			return -1;
		if (cli_actions_resolve(&args.c.actions, &r->m, actions, "flowforest"))
			return -1;
		/* The running classifier keeps deciding while the model is
		 * swapped in: no gap in protection. */
		r->pinned.no_native = args.no_native;
		gen = ff_maps_install_model(&r->pinned, &r->m, actions, args.reclassify, err,
					    sizeof(err));
		if (gen > 0 && r->pinned.native_note[0])
			fprintf(stderr, "flowforest: %s\n", r->pinned.native_note);
		if (gen < 0) {
			fprintf(stderr, "flowforest: takeover: %s\n", err);
			return -1;
		}
		fprintf(stderr, "flowforest: took over the pinned classifier on %s (model generation %d)\n",
			i, gen);
		r->mp = &r->pinned;
		r->follow = true;
		return 0;
	}
	if (args.c.model) {
		fprintf(stderr,
			"flowforest: a pinned flowforest is already running on %s; swap its model with "
			"`flowforest model load --iface %s FILE`, follow it with `flowforest run --iface %s "
			"--pin`, or remove it with `flowforest stop --iface %s`\n", i, i, i, i);
		return -1;
	}
	if (cli_open_pinned(i, &r->pinned, "flowforest") || load_lists(&r->pinned))
		return -1;
	r->mp = &r->pinned;
	r->follow = true;
	cli_active_classes(r->mp, &r->m);	/* class names for events */
	return 0;
}

static int start(struct run *r)
{
	__u32 actions[FF_MAX_CLASSES];
	char err[512];

	if (args.c.model) {
		if (ff_model_load(args.c.model, &r->m, err, sizeof(err))) {
			fprintf(stderr, "flowforest: bad model: %s\n", err);
			return -1;
		}
		if (cli_actions_resolve(&args.c.actions, &r->m, actions, "flowforest"))
			return -1;
	}
	r->ifindex = if_nametoindex(args.c.iface);
	if (!r->ifindex) {
		fprintf(stderr, "flowforest: no such interface: %s\n", args.c.iface);
		return -1;
	}
	if (ff_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "flowforest: %s\n", err);
		return -1;
	}
	if (args.pin && ff_pinned_exists(args.c.iface))
		return start_follow(r);
	if (!args.c.model) {
		fprintf(stderr, "flowforest: no pinned flowforest on %s to follow; give --model\n",
			args.c.iface);
		return -1;
	}
	return start_fresh(r, actions);
}

/* Event timestamps in wall-clock time: the kernel stamps them monotonic. */
static __s64 set_clock_offset(void)
{
	__s64 off = ff_wall_offset_us();

	ff_output_set_clock_offset(off);
	return off;
}

/* The exporter's class names: those of the model generation that decided. */
static const char *book_name(void *ctx, __u32 gen, __u16 cls)
{
	const struct ff_model *m = ff_class_book_gen(ctx, gen);

	return m && cls < m->n_classes ? m->class_names[cls] : NULL;
}

static int open_exporter(struct run *r, __s64 wall_offset_us)
{
	struct ff_export_opts o;
	char err[512];

	if (!cli_export_wanted(&args.exp))
		return 0;
	cli_export_opts(&args.exp, &o, r->ifindex);
	o.idle_timeout_us = args.c.cfg.idle_timeout_us;
	o.wall_offset_us = wall_offset_us;
	o.iface = args.c.iface;
	o.name_of = book_name;
	o.name_ctx = &r->book;
	if (r->m.n_classes) {
		o.class_names = (const char (*)[FF_NAME_MAX])r->m.class_names;
		o.n_classes = r->m.n_classes;
	}
	r->exp = ff_export_open(&o, err, sizeof(err));
	if (!r->exp) {
		fprintf(stderr, "flowforest: %s\n", err);
		return -1;
	}
	/* A classifier we follow or took over: what it counted so far was
	 * exported by the agent before us. */
	export_scan(r, r->follow, false);
	return 0;
}

/* The event ring buffer and the metrics endpoint. */
static int open_outputs(struct run *r)
{
	char err[512];

	ff_class_book_init(&r->book, r->mp);
	if (open_exporter(r, set_clock_offset()))
		return -1;
	r->rb = ring_buffer__new(r->mp->events, on_event, r, NULL);
	if (!r->rb) {
		fprintf(stderr, "flowforest: cannot open the event ring buffer: %s\n", strerror(errno));
		return -1;
	}
	if (args.metrics) {
		r->metrics = ff_metrics_start(args.metrics, r->mp, args.c.iface, err, sizeof(err));
		if (!r->metrics) {
			fprintf(stderr, "flowforest: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static void say_started(const struct run *r)
{
	if (r->follow)
		fprintf(stderr, "flowforest: following the pinned classifier on %s; Ctrl-C to stop "
			"following (it keeps running)\n", args.c.iface);
	else
		fprintf(stderr, "flowforest: %s attached to %s (%u trees, %u classes, %u flows)%s; "
			"Ctrl-C to stop\n", ff_hook_name(args.hook), args.c.iface, r->m.n_trees,
			r->m.n_classes, r->l.max_flows, args.pin ? ", pinned" : "");
}

/* Events, counters, SIGHUP reloads, until a signal or --duration. */
static void event_loop(struct run *r)
{
	struct pollfd pfd[2];
	double start, next_print, next_scan;
	char buf[2048];

	pfd[0].fd = ring_buffer__epoll_fd(r->rb);
	pfd[0].events = POLLIN;
	pfd[1].fd = r->l.sock_fd;
	pfd[1].events = POLLIN;
	start = ff_mono_s();
	next_print = start + args.c.interval;
	next_scan = start + 1;
	while (!stop) {
		double t;

		if (poll(pfd, r->l.sock_fd >= 0 ? 2 : 1, 100) < 0 && errno != EINTR) {
			fprintf(stderr, "flowforest: poll: %s\n", strerror(errno));
			break;
		}
		ring_buffer__consume(r->rb);
		/* The socket hook: read what the filter let through, so the
		 * socket's queue never fills. */
		if (r->l.sock_fd >= 0)
			while (recv(r->l.sock_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				;
		if (reload) {
			reload = 0;
			if (args.c.model)
				reload_model(r->mp, &r->m, r->exp);
			else
				fprintf(stderr, "flowforest: SIGHUP: following only; use `flowforest model load`\n");
		}
		t = ff_mono_s();
		if (!args.quiet && args.c.interval > 0 && t >= next_print) {
			print_counters(r, ff_class_book_active(&r->book));
			next_print = t + args.c.interval;
		}
		if (t >= next_scan) {
			export_scan(r, false, false);
			next_scan = t + 1;
		}
		ff_export_flush(r->exp);
		if (args.c.duration > 0 && t - start >= args.c.duration)
			break;
	}
	ring_buffer__consume(r->rb);
	/* Stopping ends every flow as far as the collector knows; an agent
	 * that takes over later starts from what is counted then. */
	export_scan(r, false, true);
}

static void run_close(struct run *r, int rc)
{
	ff_export_finish(r->exp);
	if (r->exp && !args.quiet)
		cli_export_summary("flowforest", ff_export_stats(r->exp));
	ff_export_close(r->exp);
	ff_metrics_stop(r->metrics);
	ring_buffer__free(r->rb);
	if (rc && args.pin && !r->follow && r->l.skel)
		ff_pinned_stop(args.c.iface, NULL, 0);	/* undo a half-made pin */
	ff_loader_close(&r->l);
	ff_maps_close(&r->pinned);
	ff_model_free(&r->m);
}

int cmd_run(int argc, char **argv)
{
	static const struct argp_child children[] = { { &cli_classifier_argp }, { &cli_export_argp },
						      {} };
	static const struct argp argp = { options, parse_opt, NULL, doc, children };
	struct run r = {};
	int rc = 1;

	ff_maps_init(&r.pinned);
	memset(&args, 0, sizeof(args));
	cli_classifier_init(&args.c, 1);
	args.c.model_optional = true;
	args.hook = FF_HOOK_XDP;
	cli_export_init(&args.exp);
	r.l.link_fd = r.l.sock_fd = -1;
	/* --config FILE: its settings go in front of the command line, which
	 * thus overrides them. */
	if (cli_config_expand(&argp, &argc, &argv, "flowforest run"))
		return 2;
	cli_parse(&argp, argc, argv, NULL);

	if (start(&r) || open_outputs(&r))
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	say_started(&r);
	event_loop(&r);
	rc = 0;
	if (r.follow || args.pin)
		fprintf(stderr, "flowforest: leaving the classifier pinned on %s; "
			"`flowforest stop --iface %s` removes it\n", args.c.iface, args.c.iface);
	else
		fprintf(stderr, "flowforest: detaching from %s\n", args.c.iface);
	print_counters(&r, ff_class_book_active(&r.book));
out:
	run_close(&r, rc);
	return rc;
}
