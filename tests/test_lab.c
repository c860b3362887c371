// SPDX-License-Identifier: MIT
/*
 * The traffic lab (lab/lab.sh) and the end-to-end demo (lab/demo.sh), run
 * for real:
 *
 *   lab_up_down       the lab's 12 namespaces come up, answer, and are all
 *                     removed by `lab.sh down`
 *   lab_quick_run     `lab/demo.sh --quick --no-baseline --floods subnet`: records the
 *                     training mix, trains, attaches the model at XDP and
 *                     runs a fresh mix. Then, from its files:
 *                       - every attack tool sent traffic (packets per
 *                         attacker address in the training capture, counted
 *                         by tcpdump)
 *                       - the SYN flood and the scan were dropped at XDP
 *                         (events with action drop, kernel drop counters,
 *                         and per-flow detection in the report)
 *                       - curl to nginx kept working during the attacks
 *                       - the events name each attacker's own class (the
 *                         first attack verdict of most of its flows), and
 *                         no benign client was flagged
 *                       - nothing is left: namespaces, XDP programs
 *                       - `lab/demo.sh --from` rebuilds its model from its
 *                         recordings, tree for tree
 *   report_renders    headless Chromium renders the HTML report (the quick
 *                     run's, or one made by lab/report.py from a small
 *                     synthetic run when the quick run did not happen): the
 *                     screenshot is a non-empty PNG
 *
 * Needs root and the lab's tools (scripts/install-deps.sh installs them);
 * otherwise the lab tests skip with the reason. The render test skips
 * without chromium (not in install-deps: it is big; `apt-get install
 * chromium` to run it). Every command is bounded by a time limit that only
 * guards against a hang; no assertion depends on timing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "scratch.h"

#define LT_FF "./flowforest"
#define LT_LAB "lab/lab.sh"
#define LT_DEMO "lab/demo.sh"

static const char *lt_skip_reason;	/* no root, no tools: skip the lab tests */
static char lt_dir[64];			/* temp dir of this run */
static char lt_out[PATH_MAX];		/* the quick run's output dir */
static char lt_prefix[16];		/* the quick run's namespace prefix */
static char lt_updown_prefix[16];
static bool lt_quick_ran;		/* the quick run finished (any status) */
static volatile pid_t lt_pgid;		/* running command, for the signal handler */

/* ---- helpers ---------------------------------------------------------------- */

static double lt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run `bash -c CMD` in its own process group, stdin /dev/null; killed (the
 * whole group) after `secs`, a guard against hangs. Its exit status, or -1. */
static int lt_run(double secs, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	double end;
	pid_t pid, r;
	int st = 0, fd;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	lt_pgid = pid;
	end = lt_now() + secs;
	for (;;) {
		r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			break;
		if (lt_now() > end) {
			/* SIGTERM first: the demo cleans up on it */
			kill(-pid, SIGTERM);
			end = lt_now() + 20;
			while (waitpid(pid, &st, WNOHANG) == 0 && lt_now() < end)
				usleep(100000);
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			lt_pgid = 0;
			print_message("[ lab     ] hung, stopped after %.0fs: %s\n", secs, cmd);
			return -1;
		}
		usleep(20000);
	}
	lt_pgid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* stdout of a command, NUL-terminated (never NULL). Caller frees. */
static char *lt_capture(double secs, const char *fmt, ...)
{
	char cmd[4096], path[PATH_MAX], *buf;
	va_list ap;
	FILE *f;
	long n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/capture.txt", lt_dir);
	lt_run(secs, "{ %s ; } > '%s' 2>/dev/null", cmd, path);
	f = fopen(path, "r");
	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, n + 1);
	if (buf && n > 0 && fread(buf, 1, n, f) != (size_t)n)
		buf[0] = 0;
	fclose(f);
	return buf ? buf : strdup("");
}

static long lt_count(const char *fmt_cmd, const char *arg)
{
	char *s = lt_capture(60, fmt_cmd, arg);
	long v = strtol(s, NULL, 10);

	free(s);
	return v;
}

static bool lt_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void lt_cleanup_all(void)
{
	if (lt_updown_prefix[0])
		lt_run(30, "bash '%s' down '%s' >/dev/null 2>&1", LT_LAB, lt_updown_prefix);
	if (lt_prefix[0])
		lt_run(30, "bash '%s' down '%s' >/dev/null 2>&1", LT_LAB, lt_prefix);
}

static void lt_on_signal(int sig)
{
	if (lt_pgid > 0)
		kill(-lt_pgid, SIGTERM);
	sleep(2);
	if (lt_pgid > 0)
		kill(-lt_pgid, SIGKILL);
	lt_cleanup_all();
	if (lt_dir[0])
		lt_run(10, "rm -rf '%s'", lt_dir);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int lt_group_setup(void **state)
{
	static char reason[512];
	static const char *tools[] = {
		"ip", "tcpdump", "nginx", "sshd", "ssh", "sshpass", "iperf3", "dnsmasq", "dig",
		"curl", "wget", "nmap", "masscan", "hping3", "slowhttptest", "hydra", "t50",
		"ab", "medusa", "ncrack", "python3", "perl", "ss", NULL,
	};
	char missing[256] = "";
	int i;

	(void)state;
	scratch_enter_repo(LT_DEMO);
	snprintf(lt_dir, sizeof(lt_dir), "/tmp/ff-lab-test.XXXXXX");
	if (!mkdtemp(lt_dir)) {
		lt_dir[0] = 0;
		lt_skip_reason = "cannot create a temporary directory";
		return 0;
	}
	chmod(lt_dir, 0755);
	snprintf(lt_out, sizeof(lt_out), "%s/out", lt_dir);
	snprintf(lt_prefix, sizeof(lt_prefix), "flt%d", (int)getpid() % 100000);
	signal(SIGINT, lt_on_signal);
	signal(SIGTERM, lt_on_signal);
	signal(SIGHUP, lt_on_signal);

	if (access(LT_FF, X_OK) || access(LT_DEMO, R_OK) || access(LT_LAB, R_OK)) {
		lt_skip_reason = "./flowforest or lab/ not found: run `make all` from the repository root";
		return 0;
	}
	if (geteuid() != 0) {
		lt_skip_reason = "needs root (network namespaces, BPF): sudo make test";
		return 0;
	}
	if (lt_run(10, LT_FF " train --help >/dev/null 2>&1") != 0) {
		lt_skip_reason = "this ./flowforest has no 'train' command";
		return 0;
	}
	for (i = 0; tools[i]; i++)
		if (lt_run(10, "command -v %s >/dev/null 2>&1 || [ -x /usr/sbin/%s ]", tools[i], tools[i]) != 0)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), " %s", tools[i]);
	if (missing[0]) {
		snprintf(reason, sizeof(reason),
			 "lab tools missing:%s (sudo bash scripts/install-deps.sh)", missing);
		lt_skip_reason = reason;
		return 0;
	}
	if (lt_run(10, "ip netns list >/dev/null 2>&1") != 0) {
		lt_skip_reason = "`ip netns` does not work here";
		return 0;
	}
	return 0;
}

static int lt_group_teardown(void **state)
{
	(void)state;
	lt_cleanup_all();
	if (lt_dir[0])
		lt_run(30, "rm -rf '%s'", lt_dir);
	return 0;
}

static void lt_need_lab(void)
{
	if (lt_skip_reason) {
		print_message("[ SKIP    ] %s\n", lt_skip_reason);
		skip();
	}
}

/* Namespaces whose name starts with "PREFIX-". */
static long lt_namespaces(const char *prefix)
{
	return lt_count("ip netns list | grep -c '^%s-' || true", prefix);
}

/* ---- 1: up and down ----------------------------------------------------------- */

static void test_lab_up_down(void **state)
{
	char *st;

	(void)state;
	lt_need_lab();
	snprintf(lt_updown_prefix, sizeof(lt_updown_prefix), "flu%d", (int)getpid() % 100000);
	assert_int_equal(lt_run(60, "bash '%s' up '%s'", LT_LAB, lt_updown_prefix), 0);
	/* the bridge, the server, 2 clients, 8 attackers */
	assert_int_equal(lt_namespaces(lt_updown_prefix), 12);
	st = lt_capture(30, "bash '%s' status '%s'", LT_LAB, lt_updown_prefix);
	print_message("%s", st);
	assert_non_null(strstr(st, "10.199.0.10/16"));
	assert_non_null(strstr(st, "10.199.11.21/16"));
	/* lab/benign.py's clients: in one /24, and each in a /24 of its own */
	assert_non_null(strstr(st, "10.199.3.20/16"));
	assert_non_null(strstr(st, "10.199.60.3/16"));
	/* its browsers that send no DNS to the server (lab_page_sources) */
	assert_non_null(strstr(st, "10.199.5.20/16"));
	assert_non_null(strstr(st, "10.199.7.20/16"));
	assert_non_null(strstr(st, "10.199.70.3/16"));
	/* its clients that only send DNS (lab_dns_sources) */
	assert_non_null(strstr(st, "10.199.71.2/16"));
	assert_non_null(strstr(st, "10.199.80.3/16"));
	free(st);
	/* an attacker reaches the server, from its live address too */
	assert_int_equal(lt_run(20, "ip netns exec '%s-t50' ping -n -q -c1 -W2 -I 10.199.15.21 10.199.0.10 "
				    ">/dev/null", lt_updown_prefix), 0);
	/* the services: nginx (a worker per core), sshd, dnsmasq and iperf3 at
	 * nice -10 (sharing two cores with every client and attack tool, one
	 * nginx worker at nice 0 waited for a CPU 0.5-1 s of every second under
	 * attack); sshd
	 * takes 5 of 5 logins while 25 connections that never authenticate
	 * (brute-force ones dropped at XDP) hold its slots (with OpenSSH's
	 * MaxStartups 10:30:60 it refuses about half) */
	st = lt_capture(90, "bash -c '. %s && d=$(mktemp -d /tmp/fflab-t.XXXXXX) && chmod 755 $d && "
			"lab_services_start %s $d/srv > /dev/null 2>&1; "
			"for p in $(ip netns pids %s-srv); do ps -o ni=,args= -p $p; done | "
			"grep -cE \"^ *-10 (nginx: worker|sshd|/usr/sbin/sshd|dnsmasq|iperf3)\"; "
			"for i in $(seq 25); do "
			"ip netns exec %s-brute timeout 12 bash -c \"exec 3<>/dev/tcp/$LAB_SRV4/22; "
			"sleep 11\" & done; sleep 1; LAB_RESULTS=$d/r lab_ssh_logins %s c1 5 100 200; "
			"grep -c \"^ssh ok\" $d/r; wait; lab_services_stop %s; rm -rf $d'",
			LT_LAB, lt_updown_prefix, lt_updown_prefix, lt_updown_prefix, lt_updown_prefix,
			lt_updown_prefix);
	print_message("[ lab     ] services at nice -10 (2 nginx workers, sshd, dnsmasq, "
		      "iperf3), ssh logins ok amid 25 held connections:\n%s", st);
	assert_non_null(strstr(st, "5\n5\n"));
	free(st);
	assert_int_equal(lt_run(60, "bash '%s' down '%s'", LT_LAB, lt_updown_prefix), 0);
	assert_int_equal(lt_namespaces(lt_updown_prefix), 0);
	/* down is idempotent */
	assert_int_equal(lt_run(60, "bash '%s' down '%s'", LT_LAB, lt_updown_prefix), 0);
	lt_updown_prefix[0] = 0;
}

/* ---- 2: the quick end-to-end run ------------------------------------------------- */

static void lt_quick_run(void)
{
	int rc;

	if (lt_quick_ran)
		return;
	lt_quick_ran = true;
	/* --floods subnet: the quick run trains on 16 s, too little for the
	 * default's floods in segments (each tool at a few source spreads);
	 * the floods in their /24 are learnt every time, and the tests below
	 * name their sources. The full demo measures the default. */
	print_message("[ lab     ] bash lab/demo.sh --quick --no-baseline --floods subnet (about 3 minutes)\n");
	rc = lt_run(400, "bash '%s' --quick --no-baseline --floods subnet --prefix '%s' --out '%s' > '%s/demo.log' 2>&1",
		    LT_DEMO, lt_prefix, lt_out, lt_dir);
	if (rc != 0) {
		char *log = lt_capture(10, "tail -n 40 '%s/demo.log'", lt_dir);

		print_message("%s\n", log);
		free(log);
		fail_msg("lab/demo.sh --quick exited with %d", rc);
	}
}

static json_object *lt_json_file(const char *path)
{
	json_object *o = json_object_from_file(path);

	if (!o)
		fail_msg("cannot read %s", path);
	return o;
}

static json_object *lt_get(json_object *o, const char *path)
{
	char buf[256], *tok, *save = NULL;
	json_object *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		if (!v || !json_object_object_get_ex(v, tok, &v))
			return NULL;
	return v;
}

/* Per source address and class: events (classified or changed), of them
 * with action drop, and flows whose first verdict of an attack class was
 * that class (a flow's later class changes are not counted there). */
struct lt_ev_count {
	char src[48], cls[32];
	long n, dropped, flows_first;
};

#define LT_FLOW_SET (1 << 18)
/* (source, class) pairs of a run's events: every spoofed source of a flood
 * is one (a quick run has about 450) */
#define LT_EV_MAX 65536

static int lt_events(const char *path, struct lt_ev_count *c, int max)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	uint64_t *seen;	/* flows that already had an attack verdict */
	int n = 0, i;

	if (!f)
		fail_msg("no events file %s", path);
	seen = calloc(LT_FLOW_SET, sizeof(*seen));
	assert_non_null(seen);
	while (fgets(line, sizeof(line), f)) {
		json_object *e = json_tokener_parse(line), *v;
		const char *src, *cls, *type, *act;
		uint64_t id, h;
		bool first = false;

		if (!e)
			continue;
		type = json_object_object_get_ex(e, "event", &v) ? json_object_get_string(v) : "";
		src = json_object_object_get_ex(e, "src", &v) ? json_object_get_string(v) : "";
		cls = json_object_object_get_ex(e, "class", &v) && v ? json_object_get_string(v) : "";
		act = json_object_object_get_ex(e, "action", &v) ? json_object_get_string(v) : "";
		id = json_object_object_get_ex(e, "flow_id", &v) ? (uint64_t)json_object_get_int64(v) : 0;
		if (strcmp(type, "classified") && strcmp(type, "changed")) {
			json_object_put(e);
			continue;
		}
		if (strcmp(cls, "benign")) {
			/* the first attack verdict of this flow? (id 0 is never stored) */
			for (h = (id * 0x9E3779B97F4A7C15ULL) >> 46; ; h = (h + 1) & (LT_FLOW_SET - 1)) {
				if (seen[h] == id + 1)
					break;
				if (!seen[h]) {
					seen[h] = id + 1;
					first = true;
					break;
				}
			}
		}
		for (i = 0; i < n; i++)
			if (!strcmp(c[i].src, src) && !strcmp(c[i].cls, cls))
				break;
		if (i == n && n == max)	/* dropping pairs would miss a source */
			fail_msg("%s: more than %d (source, class) pairs", path, max);
		if (i == n) {
			snprintf(c[n].src, sizeof(c[n].src), "%s", src);
			snprintf(c[n].cls, sizeof(c[n].cls), "%s", cls);
			c[n].n = c[n].dropped = c[n].flows_first = 0;
			n++;
		}
		if (i < n) {
			c[i].n++;
			c[i].dropped += !strcmp(act, "drop");
			c[i].flows_first += first;
		}
		json_object_put(e);
	}
	fclose(f);
	free(seen);
	return n;
}

/* src is want, or starts with want when want ends with '.' (a subnet) */
static bool lt_src_is(const char *src, const char *want)
{
	size_t n = strlen(want);

	return n && want[n - 1] == '.' ? !strncmp(src, want, n) : !strcmp(src, want);
}

/* The attack class that most flows from src (an address, or a prefix
 * ending in '.') got first ("" if none), and in how many flows. */
static const char *lt_top_attack_class(struct lt_ev_count *c, int n, const char *src, long *count)
{
	static char best[32];
	long bn = 0, by[16] = { 0 };
	char names[16][32];
	int i, j, k = 0;

	best[0] = 0;
	for (i = 0; i < n; i++) {
		if (!lt_src_is(c[i].src, src) || !strcmp(c[i].cls, "benign"))
			continue;
		for (j = 0; j < k && strcmp(names[j], c[i].cls); j++)
			;
		if (j == k && k < 16)
			snprintf(names[k++], sizeof(names[0]), "%s", c[i].cls);
		if (j < k)
			by[j] += c[i].flows_first;
	}
	for (j = 0; j < k; j++)
		if (by[j] > bn) {
			memcpy(best, names[j], sizeof(best));
			bn = by[j];
		}
	if (count)
		*count = bn;
	return best;
}

static void test_quick_tools_made_traffic(void **state)
{
	/* the floods' spoofing tools send from their /24 or, with
	 * LAB_FLOODS=segments (`seg`), in segments, each from a source spread
	 * drawn for it: their /24, their class's /11 (lab.sh lab_spread) or,
	 * over IPv6, its /32 (lab_spread6) */
	static const struct { const char *tool, *net; long min; int pages, seg; } t[] = {
		/* packets each class's tools send in the quick training mix, at least */
		{ "portscan: nmap -sS/-sT, masscan, nping", "10.199.10.0/24", 400 },
		{ "syn_flood: hping3, t50, nping, rawflood.py, trafgen",
		  "10.199.11.0/24 or src net 10.128.0.0/11 or src net fd99:11::/32", 2000 },
		{ "udp_flood: hping3, nping, t50, rawflood.py, trafgen",
		  "10.199.12.0/24 or src net 10.160.0.0/11 or src net fd99:12::/32", 2000 },
		{ "syn_flood spread over its /11", "10.128.0.0/11", 500, 0, 1 },
		{ "udp_flood spread over its /11", "10.160.0.0/11", 500, 0, 1 },
		{ "icmp_flood spread over its /11", "10.96.0.0/11", 500, 0, 1 },
		/* IPv6 floods (rawflood.py, nping -6) teach them */
		{ "syn_flood over IPv6: rawflood.py, nping -6", "fd99:11::/32", 200, 0, 1 },
		{ "udp_flood over IPv6: rawflood.py, nping -6", "fd99:12::/32", 200, 0, 1 },
		{ "icmp_flood over IPv6 (ICMPv6): rawflood.py, nping -6", "fd99:15::/32", 200, 0, 1 },
		{ "slow_http: slowhttptest -H/-B/-X, appattack.py", "10.199.13.0/24", 30 },
		{ "ssh_bruteforce: hydra, sshpass, medusa, ncrack", "10.199.14.0/24", 20 },
		{ "icmp_flood: t50, hping3, nping, ping -f, rawflood.py, trafgen",
		  "10.199.15.0/24 or src net 10.96.0.0/11 or src net fd99:15::/32", 1000 },
		{ "http_flood: curl, ab, appattack.py", "10.199.16.0/24", 200 },
		{ "benign client c1", "10.199.1.11/32", 50 },
		{ "benign client c2", "10.199.1.12/32", 50 },
		{ "benign clients of benign.py", "10.199.2.0/24", 1000 },
		{ "DNS-only clients of benign.py", "10.199.71.0/24 or src net 10.199.80.0/24", 20 },
		/* browsers without DNS to the server, busy /24s of their own: with
		 * the browsers on (lab_mix's default; LAB_PAGE_BROWSERS=0 turns them off) */
		{ "browsers of benign.py, one scheme, no DNS", "10.199.4.0/24", 500, 1 },
		{ "browsers of benign.py, mixed, no DNS", "10.199.6.0/24", 500, 1 },
	};
	static const char *classes[] = { "portscan", "syn_flood", "udp_flood", "slow_http",
					 "ssh_bruteforce", "icmp_flood", "http_flood" };
	char pcap[PATH_MAX + 32], cmd[PATH_MAX + 200];
	size_t i;

	(void)state;
	lt_need_lab();
	lt_quick_run();
	snprintf(pcap, sizeof(pcap), "%s/train/capture.pcap", lt_out);
	assert_true(lt_exists(pcap));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *pb = getenv("LAB_PAGE_BROWSERS"), *fl = getenv("LAB_FLOODS");
		long n;

		if (t[i].pages && pb && strcmp(pb, "1"))
			continue;
		if (t[i].seg && (!fl || strcmp(fl, "segments")))
			continue;
		snprintf(cmd, sizeof(cmd), "tcpdump -nr '%s' 'src net %%s' 2>/dev/null | wc -l", pcap);
		n = lt_count(cmd, t[i].net);
		print_message("[ lab     ] %-44s %-40s %6ld packets in the training capture\n",
			      t[i].tool, t[i].net, n);
		if (n < t[i].min)
			fail_msg("%s (%s): %ld packets, expected at least %ld", t[i].tool, t[i].net, n,
				 t[i].min);
	}
	/* every attack class from at least three tools or parameter sets */
	snprintf(cmd, sizeof(cmd), "awk '$2 == \"%%s\" { print $1 }' '%s/train/schedule.txt' | "
		 "sort -u | wc -l", lt_out);
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		long n = lt_count(cmd, classes[i]);

		print_message("[ lab     ] %-15s %ld tools in the training mix\n", classes[i], n);
		if (n < 3)
			fail_msg("%s: %ld tools in the training mix, expected at least 3", classes[i], n);
	}
}

static int lt_syn_class(const char *cls)
{
	return !strcmp(cls, "syn_flood") || !strcmp(cls, "portscan");
}

static void test_quick_xdp_drops_flood_and_scan(void **state)
{
	char path[PATH_MAX + 64];
	static struct lt_ev_count c[LT_EV_MAX];	/* static: 6.8 MB */
	json_object *r, *v;
	const char *syn_cls, *scan_cls;
	long n_syn, n_scan, port_drops;
	int n, i;

	(void)state;
	lt_need_lab();
	lt_quick_run();
	snprintf(path, sizeof(path), "%s/protected/events.jsonl", lt_out);
	n = lt_events(path, c, LT_EV_MAX);
	/* events: the flood's and the scanner's flows classified, action drop.
	 * Lone SYNs of a spoofed flood and of a SYN scan look alike without
	 * context features: either SYN class is accepted for either source
	 * (test_quick_events_name_classes prints which). */
	syn_cls = lt_top_attack_class(c, n, "10.199.11.", &n_syn);
	scan_cls = lt_top_attack_class(c, n, "10.199.10.", &n_scan);
	if (!lt_syn_class(syn_cls) || !lt_syn_class(scan_cls))
		fail_msg("SYN flood named '%s', SYN scan named '%s'", syn_cls, scan_cls);
	for (i = 0; i < n; i++)
		if ((lt_src_is(c[i].src, "10.199.11.") || lt_src_is(c[i].src, "10.199.10.")) &&
		    lt_syn_class(c[i].cls))
			assert_int_equal(c[i].dropped, c[i].n);
	print_message("[ lab     ] syn_flood flows %ld, portscan flows %ld (all their events: action drop)\n",
		      n_syn, n_scan);
	/* the report: per flow of the live capture, detected and dropped. The
	 * floods whose every flow carries evidence: UDP and ICMP. A spoofed SYN
	 * with Linux's options (lab/rawflood.py) is a browser's SYN, and a
	 * connect scan's probe a short connection, until the context features
	 * exist: syn_flood and portscan are reported (and measured by the
	 * demo), their drops checked above. */
	snprintf(path, sizeof(path), "%s/report.json", lt_out);
	r = lt_json_file(path);
	for (i = 0; i < 4; i++) {
		static const char *classes[] = { "udp_flood", "icmp_flood", "syn_flood", "portscan" };
		const char *cls = classes[i];
		char key[128];
		long flows, detected, pkts, passed, dropped;

		snprintf(key, sizeof(key), "protected.per_class.%s.flows", cls);
		flows = (v = lt_get(r, key)) ? json_object_get_int64(v) : 0;
		snprintf(key, sizeof(key), "protected.per_class.%s.detected", cls);
		detected = (v = lt_get(r, key)) ? json_object_get_int64(v) : 0;
		snprintf(key, sizeof(key), "protected.per_class.%s.pkts", cls);
		pkts = (v = lt_get(r, key)) ? json_object_get_int64(v) : 0;
		snprintf(key, sizeof(key), "protected.per_class.%s.pkts_passed", cls);
		passed = (v = lt_get(r, key)) ? json_object_get_int64(v) : -1;
		snprintf(key, sizeof(key), "protected.counters.class_pkts.%s", cls);
		dropped = (v = lt_get(r, key)) ? json_object_get_int64(v) : 0;
		print_message("[ lab     ] %-10s flows %ld, detected %ld, packets %ld, reached the server %ld, "
			      "kernel: %ld packets with this verdict\n", cls, flows, detected, pkts, passed, dropped);
		if (i >= 2)
			continue;	/* reported */
		assert_true(flows >= 500);
		/* at least 99 % of the flows detected */
		assert_true(detected * 100 >= flows * 99);
		/* at most 1 % of the packets through: a flow once dropped stays
		 * dropped (ICMP floods of one flow, as hping3, nping and ping -f
		 * make, were let through again at later checkpoints before) */
		assert_true(passed >= 0 && passed * 100 <= pkts);
		assert_true(dropped * 100 >= pkts * 99);
	}
	v = lt_get(r, "protected.counters.dropped");
	assert_non_null(v);
	assert_true(json_object_get_int64(v) > 0);
	/* what the bridge port dropped before XDP is measured, so that a flow
	 * no program saw is told from one the model missed */
	v = lt_get(r, "protected.port_drops");
	assert_true(v && json_object_is_type(v, json_type_int));
	port_drops = json_object_get_int64(v);
	v = lt_get(r, "protected.attack_flows_without_event");
	print_message("[ lab     ] the bridge port dropped %ld packets before XDP, %ld attack flows "
		      "without an event\n", port_drops, v ? (long)json_object_get_int64(v) : -1L);
	json_object_put(r);
}

static void test_quick_curl_keeps_working(void **state)
{
	char path[PATH_MAX + 64], line[256];
	long ok = 0, total = 0;
	FILE *f;

	(void)state;
	lt_need_lab();
	lt_quick_run();
	snprintf(path, sizeof(path), "%s/protected/results.txt", lt_out);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "http ", 5)) {
			total++;
			ok += !strncmp(line, "http ok", 7);
		}
	fclose(f);
	print_message("[ lab     ] curl/wget to nginx during the attacks, classifier attached: %ld of %ld ok\n",
		      ok, total);
	assert_true(total >= 20);
	/* the target is 99 %; a test on a busy machine allows 95 % */
	assert_true(ok * 100 >= total * 95);
}

/* Did the attacker at `src` (one address, not a prefix) send nothing in
 * the quick run's live capture, or fewer than LT_FEW_FLOWS flows? Its tool
 * did not run there (once in CI, nmap's whole live scan was missing: 669
 * scan flows, all masscan's), or its slot of the quick mix (lab.sh
 * _lab_slot) ended after a few probes, which the model is taught to let
 * pass (a scan's first 8 probes at a sender of few services:
 * handshake-benign.awk portscan:few8); a model is not judged on traffic it
 * never saw, nor on a scan too short to be one. */
#define LT_FEW_FLOWS 10
static bool lt_live_silent(const char *src)
{
	char cmd[PATH_MAX + 160];

	if (!*src || src[strlen(src) - 1] == '.')
		return false;
	/* its flows: distinct source and destination (address and port) */
	snprintf(cmd, sizeof(cmd), "tcpdump -nr '%s/protected/capture.pcap' 'src host %%s' 2>/dev/null | "
		 "awk '{ print $3, $5 }' | sort -u | wc -l", lt_out);
	return lt_count(cmd, src) < LT_FEW_FLOWS;
}

static void test_quick_events_name_classes(void **state)
{
	/* The quick run trains on about a minute of traffic: the floods and
	 * scans are learnt every time and must be named right; the
	 * application-layer attacks (whose handshakes look benign, and of which
	 * the quick run records a few flows) are reported, and judged by the
	 * full demo. */
	/* `alt`: a spoofed SYN flood and a SYN scan are both lone SYNs, one
	 * flow each; without context features (how many ports, how many
	 * sources) the quick model may name one as the other. Both are
	 * dropped; the name the run gave is printed. */
	static const struct { const char *src, *cls, *alt; int required; } want[] = {
		{ "10.199.10.21", "portscan", "syn_flood", 1 },	/* nmap, nping, live address */
		{ "10.199.10.22", "portscan", "syn_flood", 1 },	/* masscan */
		{ "10.199.11.", "syn_flood", "portscan", 1 },	/* hping3, t50, nping, rawflood: spoofed */
		{ "10.199.12.", "udp_flood", NULL, 1 },		/* hping3, nping, t50, reflections */
		{ "10.199.13.21", "slow_http", NULL, 0 },	/* slowhttptest, appattack.py */
		{ "10.199.14.21", "ssh_bruteforce", NULL, 0 },	/* hydra, sshpass, medusa, ncrack */
		{ "10.199.15.", "icmp_flood", NULL, 1 },	/* t50, hping3, nping, ping -f, rawflood */
		{ "10.199.16.21", "http_flood", NULL, 0 },	/* curl, ab, appattack.py */
	};
	char path[PATH_MAX + 64];
	static struct lt_ev_count c[LT_EV_MAX];	/* static: 6.8 MB */
	size_t i;
	int n, j;

	(void)state;
	lt_need_lab();
	lt_quick_run();
	snprintf(path, sizeof(path), "%s/protected/events.jsonl", lt_out);
	n = lt_events(path, c, LT_EV_MAX);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		long cnt;
		const char *got = lt_top_attack_class(c, n, want[i].src, &cnt);

		print_message("[ lab     ] %-14s -> %s (first attack verdict of %ld flows)\n", want[i].src,
			      got, cnt);
		if (strcmp(got, want[i].cls) && want[i].alt && !strcmp(got, want[i].alt)) {
			print_message("[ lab     ]   (a SYN class: %s expected, %s accepted)\n",
				      want[i].cls, got);
			continue;
		}
		if (!cnt && lt_live_silent(want[i].src)) {
			print_message("[ lab     ]   %s sent fewer than %d flows in the live mix (its tool "
				      "did not run or was cut short: the run's demo.log): not judged\n",
				      want[i].src, LT_FEW_FLOWS);
			continue;
		}
		if (strcmp(got, want[i].cls) && !want[i].required) {
			print_message("[ lab     ]   (not required in the quick run: %s expected)\n",
				      want[i].cls);
			continue;
		}
		if (strcmp(got, want[i].cls)) {
			for (j = 0; j < n; j++)
				if (lt_src_is(c[j].src, want[i].src))
					print_message("[ lab     ]   %s: %ld events, first attack verdict of %ld flows\n",
						      c[j].cls, c[j].n, c[j].flows_first);
			fail_msg("events from %s: most flows first named '%s', expected '%s'", want[i].src,
				 got, want[i].cls);
		}
	}
	/* The benign clients: almost never an attack class. The full demo
	 * measures the false alarms over its benign flows with their upper
	 * bound (lab/evaluate.py); this run trains on ~1 minute of traffic with
	 * what naive detectors flag (keep-alive, HTTPS, slow downloads, ssh
	 * logins), so a few false alarms are reported, and more than 5 % of
	 * the clients' events fails the test. */
	{
		long benign = 0, flagged = 0;

		for (j = 0; j < n; j++) {
			unsigned o3 = 0;

			/* c1, c2 and lab/benign.py's clients (10.199.3.x, 10.199.41-60.3)
			 * browsers without DNS (10.199.5.x, 10.199.7.x, 10.199.61-70.3)
			 * and DNS-only clients (10.199.71-80.3) */
			sscanf(c[j].src, "10.199.%u.", &o3);
			if (strncmp(c[j].src, "10.199.1.", 9) && strncmp(c[j].src, "fd99::1:", 8) &&
			    o3 != 3 && o3 != 5 && o3 != 7 && (o3 < 41 || o3 > 80))
				continue;
			if (strcmp(c[j].cls, "benign")) {
				flagged += c[j].n;
				print_message("[ lab     ] benign client %s flagged %s (%ld events)\n",
					      c[j].src, c[j].cls, c[j].n);
			} else {
				benign += c[j].n;
			}
		}
		print_message("[ lab     ] benign clients: %ld events benign, %ld flagged\n", benign,
			      flagged);
		assert_true(benign >= 20);
		if (flagged * 100 > (benign + flagged) * 5)
			fail_msg("benign clients flagged in %ld of %ld events", flagged, benign + flagged);
	}
}

/* lab/evaluate.py in the quick run: for each tool of the floods, a forest
 * trained as the demo's (behaviour features, the sender's context) without
 * it and tested on its flows. Fails when the SYN or the ICMP flood's flows
 * are flagged below 90 % once their tool is left out (a model that learned
 * its tools rather than what a flood does), or when fewer than half of the
 * floods' tools are. The UDP flood's figure is printed, not required: the
 * reflection fold of the quick run (16 s of training) varied from 33 % to
 * 96 % between runs of the same code; the full demo's is 99.7 %. */
static void test_quick_leave_one_tool_out_floods(void **state)
{
	static const struct { const char *cls; bool required; } floods[] = {
		{ "syn_flood", true }, { "udp_flood", false }, { "icmp_flood", true },
	};
	char path[PATH_MAX + 64], key[128];
	long n_tools = 0, n_general = 0;
	json_object *r, *v, *tools;
	int missed = 0;
	size_t i, j;

	(void)state;
	lt_need_lab();
	lt_quick_run();
	snprintf(path, sizeof(path), "%s/evaluation.json", lt_out);
	r = lt_json_file(path);
	tools = lt_get(r, "leave_one_tool_out.tools");
	assert_non_null(tools);
	for (j = 0; j < json_object_array_length(tools); j++) {
		json_object *t = json_object_array_get_idx(tools, j);
		long flows = (v = lt_get(t, "flows")) ? json_object_get_int64(v) : 0;
		long flagged = (v = lt_get(t, "flagged")) ? json_object_get_int64(v) : 0;
		bool general = flows > 0 && flagged * 100 >= flows * 90;

		print_message("[ lab     ] leave-one-tool-out %-10s %-12s %ld of %ld flows flagged%s\n",
			      json_object_get_string(lt_get(t, "class")),
			      json_object_get_string(lt_get(t, "tool")), flagged, flows,
			      general ? "" : " (< 90 %)");
		n_tools++;
		n_general += general;
	}
	for (i = 0; i < sizeof(floods) / sizeof(floods[0]); i++) {
		long flows, flagged;

		snprintf(key, sizeof(key), "leave_one_tool_out.per_class.%s.flows", floods[i].cls);
		flows = (v = lt_get(r, key)) ? json_object_get_int64(v) : 0;
		snprintf(key, sizeof(key), "leave_one_tool_out.per_class.%s.flagged", floods[i].cls);
		flagged = (v = lt_get(r, key)) ? json_object_get_int64(v) : 0;
		print_message("[ lab     ] leave-one-tool-out %-10s %ld of %ld flows flagged: target 90 %% %s%s\n",
			      floods[i].cls, flagged, flows, flagged * 100 >= flows * 90 ? "met" : "MISSED",
			      floods[i].required ? "" : " (reported)");
		assert_true(flows >= 100);
		missed += floods[i].required && flagged * 100 < flows * 90;
	}
	print_message("[ lab     ] leave-one-tool-out: %ld of the floods' %ld tools flagged in >= 90 %% "
		      "of their flows\n", n_general, n_tools);
	assert_true(n_tools >= 9);	/* three to five tools per flood class */
	if (missed)
		fail_msg("leave-one-tool-out of the SYN or ICMP flood below 90 %% (see above)");
	if (n_general * 2 < n_tools)
		fail_msg("the floods' tools left out: %ld of %ld flagged in >= 90 %% of their flows "
			 "(< half)", n_general, n_tools);
	json_object_put(r);
}

/* lab/pcaprewrite.py, the perturbation's rewriter, on the quick run's live
 * capture: the UDP flood's packets padded by 6 bytes and given TTL 99, every
 * IP and UDP checksum right after the change of lengths (tcpdump -vv), the
 * other sources' packets left out (--only), the capture still one flowforest
 * reads. */
static void test_quick_rewriter(void **state)
{
	char in[PATH_MAX + 64], out[PATH_MAX + 64];
	long n_in, n_out, n_ttl, n_ok, n_bad;

	(void)state;
	lt_need_lab();
	lt_quick_run();
	snprintf(in, sizeof(in), "%s/protected/capture.pcap", lt_out);
	snprintf(out, sizeof(out), "%s/rewritten.pcap", lt_dir);
	assert_int_equal(lt_run(120, "python3 lab/pcaprewrite.py -q --only --src 10.199.12.0/24 "
				     "--pad 6-6 --ttl 99-99 '%s' '%s'", in, out), 0);
	/* one line per packet: -q; the headers' lines only: "ttl N," */
	n_in = lt_count("tcpdump -q -nr '%s' 'src net 10.199.12.0/24 and udp' 2>/dev/null | wc -l", in);
	n_out = lt_count("tcpdump -q -nr '%s' 2>/dev/null | wc -l", out);
	n_ttl = lt_count("tcpdump -v -nr '%s' 2>/dev/null | grep -c 'ttl 99,'", out);
	n_ok = lt_count("tcpdump -vv -nr '%s' 2>/dev/null | grep -c 'udp sum ok'", out);
	n_bad = lt_count("tcpdump -vv -nr '%s' 2>/dev/null | grep -ci 'bad [a-z]* *cksum'", out);
	print_message("[ lab     ] pcaprewrite: %ld UDP flood packets in, %ld out, %ld with TTL 99, "
		      "%ld UDP checksums right, %ld bad\n", n_in, n_out, n_ttl, n_ok, n_bad);
	assert_true(n_in >= 500);
	assert_true(n_out >= n_in);
	assert_int_equal(n_ttl, n_out);
	assert_int_equal(n_ok, n_in);
	assert_int_equal(n_bad, 0);
	assert_int_equal(lt_run(60, "./flowforest extract -q -o /dev/null '%s'", out), 0);
}

/* lab/demo.sh --from: the quick run's model rebuilt from its recordings,
 * without a lab, tree for tree (the same code and seed); a --from that
 * would delete its own recordings, or that misses the run's options, is
 * refused before anything is written. */
static void test_quick_from_run(void **state)
{
	char cap[PATH_MAX + 64];
	long same;
	int rc;

	(void)state;
	lt_need_lab();
	lt_quick_run();
	rc = lt_run(300, "bash '%s' --from '%s' --quick --floods subnet --no-eval --out '%s/from' "
		    "> '%s/from.log' 2>&1", LT_DEMO, lt_out, lt_dir, lt_dir);
	if (rc != 0) {
		char *log = lt_capture(10, "tail -n 20 '%s/from.log'", lt_dir);

		print_message("%s\n", log);
		free(log);
	}
	assert_int_equal(rc, 0);
	same = lt_count("python3 -c 'import json, sys; a, b = (json.load(open(f))[\"trees\"] "
			"for f in sys.argv[1:]); print(int(a == b and len(a) > 0))' "
			"'%1$s/model.json' '%1$s/../from/model.json'", lt_out);
	assert_int_equal(same, 1);
	/* refused: --out is the run itself; the options differ from the run's */
	assert_int_equal(lt_run(60, "bash '%s' --from '%s' --quick --floods subnet --no-eval "
				    "--out '%s' > /dev/null 2>&1", LT_DEMO, lt_out, lt_out), 1);
	snprintf(cap, sizeof(cap), "%s/train/capture.pcap", lt_out);
	assert_true(lt_exists(cap));
	assert_int_equal(lt_count("bash lab/demo.sh --from '%s' --no-eval --out /nonexistent/x 2>&1 | "
				  "grep -c 'recorded with --quick --floods subnet'", lt_out), 1);
}

static void test_quick_leaves_nothing(void **state)
{
	char path[PATH_MAX + 64];

	(void)state;
	lt_need_lab();
	lt_quick_run();
	assert_int_equal(lt_namespaces(lt_prefix), 0);
	/* no process of the run left (they all ran in its namespaces, or were
	 * its children) */
	assert_int_equal(lt_count("ps -eo args | grep -F -- '%s' | grep -v grep | wc -l", lt_out), 0);
	snprintf(path, sizeof(path), "%s/report.html", lt_out);
	assert_true(lt_exists(path));
	snprintf(path, sizeof(path), "%s/report.json", lt_out);
	assert_true(lt_exists(path));
}

/* ---- 3: the HTML report renders --------------------------------------------------- */

/* A small synthetic run for lab/report.py, when the quick run did not happen. */
static void lt_synthetic_run(const char *d)
{
	int rc = lt_run(30,
		"set -e; d='%s'; mkdir -p \"$d/protected\" \"$d/train\"; "
		"echo 'nmap portscan nmap 10.199.10.11 10.199.10.21' > \"$d/nodes.txt\"; "
		"echo '1000.0 10.0' > \"$d/protected/t0\"; "
		"echo 'nmap portscan 1001.0 1004.0' > \"$d/protected/schedule.txt\"; "
		"for i in 1 2 3 4 5; do echo \"http ok 0.01 100$i.5\"; done > \"$d/protected/results.txt\"; "
		"for i in 1 2 3; do echo \"{\\\"ts_us\\\":1200000$i,\\\"event\\\":\\\"classified\\\",\\\"proto\\\":\\\"tcp\\\","
		"\\\"src\\\":\\\"10.199.10.21\\\",\\\"sport\\\":4000$i,\\\"dst\\\":\\\"10.199.0.10\\\",\\\"dport\\\":$i,"
		"\\\"class\\\":\\\"portscan\\\",\\\"prev_class\\\":null,\\\"action\\\":\\\"drop\\\",\\\"pkts\\\":1,"
		"\\\"first_us\\\":1200000$i}\"; done > \"$d/protected/events.jsonl\"; "
		"echo '{\"dropped\":3,\"class_pkts\":{\"benign\":0,\"portscan\":3}}' > \"$d/protected/ff.stderr\"; "
		"python3 lab/report.py --quiet \"$d\"", d);

	assert_int_equal(rc, 0);
}

static void test_report_renders(void **state)
{
	char html[PATH_MAX + 32], png[PATH_MAX + 32], synth[PATH_MAX];
	unsigned char sig[8];
	struct stat st;
	FILE *f;
	int rc;

	(void)state;
	if (lt_run(10, "command -v chromium >/dev/null 2>&1") != 0) {
		print_message("[ SKIP    ] chromium not installed (apt-get install chromium to run this check; "
			      "it is not in scripts/install-deps.sh: it is big)\n");
		skip();
	}
	if (lt_run(10, "command -v python3 >/dev/null 2>&1") != 0) {
		print_message("[ SKIP    ] python3 not installed\n");
		skip();
	}
	if (!lt_dir[0])
		fail_msg("no temporary directory");
	snprintf(html, sizeof(html), "%s/report.html", lt_out);
	if (!lt_exists(html)) {
		snprintf(synth, sizeof(synth), "%s/synthetic", lt_dir);
		lt_synthetic_run(synth);
		snprintf(html, sizeof(html), "%s/report.html", synth);
	}
	assert_true(lt_exists(html));
	snprintf(png, sizeof(png), "%s/report.png", lt_dir);
	rc = lt_run(120,
		    "d=$(mktemp -d) && chromium --headless --no-sandbox --disable-gpu "
		    "--disable-background-networking --disable-component-update --disable-sync "
		    "--no-first-run --user-data-dir=\"$d\" --screenshot='%s' --window-size=1200,1600 "
		    "'file://%s' >/dev/null 2>&1; r=$?; rm -rf \"$d\"; exit $r",
		    png, html);
	assert_int_equal(rc, 0);
	assert_int_equal(stat(png, &st), 0);
	print_message("[ lab     ] %s rendered: %s, %lld bytes\n", html, png, (long long)st.st_size);
	assert_true(st.st_size > 0);
	f = fopen(png, "rb");
	assert_non_null(f);
	assert_int_equal(fread(sig, 1, 8, f), 8);
	fclose(f);
	assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
}

/* lab/handshake-benign.awk: which rows of an application-layer attack the
 * forest is taught as the attack. CLASS:N: rows before packet N benign
 * (benign/CLASS/TOOL for a fold's CLASS/TOOL: left out with the tool);
 * CLASS:N:open: not once the flow has ended (an ssh connection closed after
 * one wrong password); CLASS:N:M:K: rows before M benign too unless the
 * sender opened K flows or more in the last second (a flood's first
 * connections and a keep-alive flood's few are a browser's until M);
 * :pairP, :burstB and :paceQ keep the label amid a flood from one host
 * (:tenT: and a pace held over 10 s), the demo's http_flood rule a page
 * browser's connections benign until packet 8; CLASS:quietK leaves out a flood's first packets at
 * a quiet host; CLASS:fewK a scan's rows at a sender of few services. No
 * root needed. */
static void test_handshake_relabel(void **state)
{
	char csv[PATH_MAX + 32], out[PATH_MAX + 64];
	int rc;

	(void)state;
	if (!lt_dir[0])
		fail_msg("no temporary directory");
	snprintf(csv, sizeof(csv), "%s/relabel.csv", lt_dir);
	snprintf(out, sizeof(out), "%s/relabel.out", lt_dir);
	/* s: a one-guess ssh connection (FIN at 11); c: a one-request HTTP
	 * connection amid hundreds a second; q: the first one of a flood; k: a
	 * keep-alive flood's connection */
	rc = lt_run(10, "printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_src_new_flows_1s,ctx_pair_flows_per_peer_bit_1s,Label' "
		    "'s,1,checkpoint,8,0,4,0,0,3,1,ssh_bruteforce' 's,1,fin,11,0,7,1,0,3,1,ssh_bruteforce' "
		    "'s,1,checkpoint,12,0,7,1,0,3,1,ssh_bruteforce' 's,1,end,12,0,7,1,0,3,1,ssh_bruteforce' "
		    "'c,2,checkpoint,3,0,1,0,0,300,1,http_flood' 'c,2,checkpoint,5,0,1,1,0,300,1,http_flood' "
		    "'c,2,end,5,0,1,1,0,300,1,http_flood' "
		    "'q,3,checkpoint,5,0,1,0,0,2,1,http_flood' 'q,3,checkpoint,16,0,6,0,0,2,1,http_flood' "
		    "'k,4,checkpoint,5,0,2,0,0,3,1,http_flood' 'k,4,checkpoint,12,0,6,0,0,3,1,http_flood' "
		    "'k,4,checkpoint,16,0,8,0,0,3,1,http_flood' 'k,4,checkpoint,32,0,16,0,0,3,1,http_flood' "
		    "'t,5,checkpoint,3,0,0,0,0,300,1,http_flood/curl' "
		    "'t,5,checkpoint,16,0,6,0,0,300,1,http_flood/curl' "
		    "'p,6,checkpoint,1,0,0,0,0,600,40,http_flood' 'p,6,checkpoint,3,0,0,0,0,600,19,http_flood' "
		    "'p,6,checkpoint,5,0,1,0,0,600,20,http_flood' "
		    "> '%s' && awk -F, -v classes=ssh_bruteforce:12:open,http_flood:5:16:50:pair20 "
		    "-f lab/handshake-benign.awk '%s' 2>/dev/null | cut -d, -f1,4,11 | tr '\\n' ' ' > '%s'",
		    csv, csv, out);
	assert_int_equal(rc, 0);
	rc = lt_run(10, "cat '%s'; echo; grep -qx 'Flow ID,Total Fwd Packet,Label "
		    "s,8,benign s,11,ssh_bruteforce s,12,ssh_bruteforce c,3,benign c,5,http_flood "
		    "q,5,benign q,16,http_flood k,5,benign k,12,benign k,16,http_flood k,32,http_flood "
		    "t,3,benign/http_flood/curl t,16,http_flood/curl p,1,http_flood p,3,benign "
		    "p,5,http_flood ' '%s'",
		    out, out);
	assert_int_equal(rc, 0);
	/* :burst10: a row keeps its label when the sender's prefix opened 10
	 * flows or more to the service in 100 ms per host (b: 12 from one
	 * host, its first packet and its request); not 9 (w), not 30 from 20
	 * hosts (m), not another class (x) */
	rc = lt_run(10, "printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_src_new_flows_1s,ctx_pair_flows_per_peer_bit_1s,"
		    "ctx_pair_new_flows_100ms,ctx_pair_peer_bits_1s,Label' "
		    "'b,1,checkpoint,1,0,0,0,0,12,12,12,1,http_flood' "
		    "'b,1,checkpoint,3,0,1,0,0,12,12,12,1,http_flood' "
		    "'w,2,checkpoint,1,0,0,0,0,9,9,9,1,http_flood' "
		    "'m,3,checkpoint,1,0,0,0,0,30,1,30,20,http_flood' "
		    "'x,4,checkpoint,1,0,0,0,0,12,12,12,1,slow_http' "
		    "| awk -F, -v classes=slow_http:5:pair20,http_flood:5:pair20:burst10 "
		    "-f lab/handshake-benign.awk 2>/dev/null | cut -d, -f1,4,13 | tr '\\n' ' ' | "
		    "grep -qx 'Flow ID,Total Fwd Packet,Label b,1,http_flood b,3,http_flood w,1,benign "
		    "m,1,benign x,1,benign '");
	assert_int_equal(rc, 0);
	/* :to8:pace50: a request from packet N to 7 is benign too unless the
	 * sender's prefix opened 50 flows or more to the service in 10 s per
	 * host (f), not 49 (g); before N (e) and a handshake (h) stay benign
	 * at any pace; the column is required */
	rc = lt_run(10, "printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_pair_flows_per_peer_bit_1s,"
		    "ctx_pair_flows_per_peer_bit_10s,Label' "
		    "'f,1,checkpoint,6,0,1,0,0,12,50,http_flood' "
		    "'g,2,checkpoint,6,0,1,0,0,12,49,http_flood' "
		    "'h,3,checkpoint,2,0,0,0,0,12,60,http_flood' "
		    "'e,4,checkpoint,3,0,1,0,0,12,60,http_flood' "
		    "'f,1,checkpoint,8,0,1,0,0,12,10,http_flood' "
		    "| awk -F, -v classes=http_flood:5:pair20:to8:pace50 "
		    "-f lab/handshake-benign.awk 2>/dev/null | cut -d, -f1,4,11 | tr '\\n' ' ' | "
		    "grep -qx 'Flow ID,Total Fwd Packet,Label f,6,http_flood g,6,benign h,2,benign "
		    "e,3,benign f,8,http_flood '");
	assert_int_equal(rc, 0);
	rc = lt_run(10, "printf '%%s\\n' 'Flow ID,reason,Total Fwd Packet,Total Bwd packets,"
		    "Fwd Act Data Pkts,FIN Flag Count,RST Flag Count,ctx_pair_flows_per_peer_bit_1s,Label' "
		    "| awk -F, -v classes=http_flood:5:pair20:to8:pace50 -f lab/handshake-benign.awk "
		    "> /dev/null 2>&1");
	assert_int_not_equal(rc, 0);
	/* :hold50: a row the rules would teach benign is left out while the
	 * sender's prefix opened 50 flows or more per host to the service in
	 * 10 s: a wave's first connection of a flood (w: its handshake and
	 * request at a 1 s rate of 3, 190 in 10 s; its close at packet 6 is
	 * taught by :pace50), a fold's row too (u); at 49 taught benign (v);
	 * a row the pair context keeps (x) and benign rows (b) as before; the
	 * column is required */
	rc = lt_run(10, "printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_pair_flows_per_peer_bit_1s,"
		    "ctx_pair_flows_per_peer_bit_10s,ctx_pair_new_flows_100ms,ctx_pair_peer_bits_1s,Label' "
		    "'w,1,checkpoint,1,0,0,0,0,3,190,1,1,http_flood' "
		    "'w,1,checkpoint,3,0,1,0,0,3,190,1,1,http_flood' "
		    "'w,1,fin,6,0,1,1,0,3,190,1,1,http_flood' "
		    "'u,2,checkpoint,3,0,1,0,0,3,50,1,1,http_flood/py-close' "
		    "'v,3,checkpoint,3,0,1,0,0,3,49,1,1,http_flood' "
		    "'x,4,checkpoint,3,0,1,0,0,25,190,1,1,http_flood' "
		    "'b,5,checkpoint,3,0,1,0,0,3,190,1,1,benign' "
		    "| awk -F, -v classes=http_flood:5:pair20:burst10:to8:pace50:hold50 "
		    "-f lab/handshake-benign.awk 2>/dev/null | cut -d, -f1,4,13 | tr '\\n' ' ' | "
		    "grep -qx 'Flow ID,Total Fwd Packet,Label w,6,http_flood v,3,benign "
		    "x,3,http_flood b,3,benign '");
	assert_int_equal(rc, 0);
	rc = lt_run(10, "printf '%%s\\n' 'Flow ID,reason,Total Fwd Packet,Total Bwd packets,"
		    "Fwd Act Data Pkts,FIN Flag Count,RST Flag Count,Label' "
		    "| awk -F, -v classes=http_flood:5:hold50 -f lab/handshake-benign.awk "
		    "> /dev/null 2>&1");
	assert_int_not_equal(rc, 0);
	/* :to8:age1000: a request from packet N to 7 keeps its label when its
	 * flow has lasted 1 s or more (i: a slowloris trickle), not 999 ms
	 * (j); the column is required */
	rc = lt_run(10, "printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_pair_flows_per_peer_bit_1s,Flow Duration,Label' "
		    "'i,1,checkpoint,5,0,2,0,0,1,1000000,slow_http' "
		    "'j,2,checkpoint,5,0,2,0,0,1,999999,slow_http' "
		    "| awk -F, -v classes=slow_http:5:pair20:to8:age1000 "
		    "-f lab/handshake-benign.awk 2>/dev/null | cut -d, -f1,4,11 | tr '\\n' ' ' | "
		    "grep -qx 'Flow ID,Total Fwd Packet,Label i,5,slow_http j,5,benign '");
	assert_int_equal(rc, 0);
	rc = lt_run(10, "printf '%%s\\n' 'Flow ID,reason,Total Fwd Packet,Total Bwd packets,"
		    "Fwd Act Data Pkts,FIN Flag Count,RST Flag Count,ctx_pair_flows_per_peer_bit_1s,Label' "
		    "| awk -F, -v classes=slow_http:5:pair20:to8:age1000 -f lab/handshake-benign.awk "
		    "> /dev/null 2>&1");
	assert_int_not_equal(rc, 0);
	/* the demo's rule (lab/demo.sh HANDSHAKE_CLASSES): run T's page
	 * browser, one host's 12 connections a second to :80 (6 in 100 ms, 37
	 * in 10 s), was named http_flood at its connections' packets 5 and 6,
	 * where a flood's rows at that pace (its first connections, or a
	 * stalled one) were taught as the flood. Such rows are taught benign
	 * before packet 8 (a), from packet 8 as labelled; a flood's keep
	 * their label at its pace held over 10 s (p: 60 per host) or its 1 s
	 * rate (r: 25). Its HTTPS page browser (14-16 a second) was named
	 * slow_http at packets 5-6, 50-250 ms old: a slow attack's rows are
	 * taught benign there too (b), not once the connection is 1 s old (l:
	 * a slowloris trickle). Run W's py-close came in waves, each wave's
	 * first connections at a browser's 1 s rate amid 190 in 10 s: their
	 * early rows are left out (z at packet 3, a slow tool's y), not taught
	 * benign; z's close at packet 6 is the flood's */
	rc = lt_run(10, "c=$(sed -n 's/^HANDSHAKE_CLASSES=//p' lab/demo.sh) && printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_pair_flows_per_peer_bit_1s,"
		    "ctx_pair_flows_per_peer_bit_10s,ctx_pair_new_flows_100ms,ctx_pair_peer_bits_1s,"
		    "ctx_src_peer_bits_1s,ctx_src_peer_bits_10s,Flow Duration,Label' "
		    "'a,1,checkpoint,5,0,1,0,0,12,37,6,1,1,2,16808,http_flood' "
		    "'a,1,checkpoint,6,0,1,0,0,12,37,6,1,1,2,10435,http_flood' "
		    "'a,1,checkpoint,8,0,1,0,0,12,37,6,1,1,2,10444,http_flood' "
		    "'p,2,checkpoint,6,0,1,0,0,12,60,6,1,1,2,10435,http_flood' "
		    "'r,3,checkpoint,6,0,1,0,0,25,30,6,1,1,2,50000,http_flood' "
		    "'b,4,checkpoint,5,0,2,0,0,14,35,2,1,1,2,49875,slow_http' "
		    "'b,4,checkpoint,6,0,3,0,0,14,35,2,1,1,2,254799,slow_http' "
		    "'l,5,checkpoint,5,0,2,0,0,2,8,1,1,1,2,3000000,slow_http' "
		    "'z,6,checkpoint,3,0,1,0,0,3,190,1,1,1,2,150,http_flood' "
		    "'z,6,fin,6,0,1,1,0,3,190,1,1,1,2,540,http_flood' "
		    "'y,7,checkpoint,3,0,1,0,0,2,60,1,1,1,2,20000,slow_http' "
		    "| awk -F, -v classes=\"$c\" -f lab/handshake-benign.awk 2>/dev/null | "
		    "cut -d, -f1,4,16 | tr '\\n' ' ' | grep -qx 'Flow ID,Total Fwd Packet,Label "
		    "a,5,benign a,6,benign a,8,http_flood p,6,http_flood r,6,http_flood "
		    "b,5,benign b,6,benign l,5,slow_http z,6,http_flood '");
	assert_int_equal(rc, 0);
	/* CLASS:quietK: a flood's row at its flow's first packet is left out
	 * while the receiving host saw fewer than K flows opened in the last
	 * second (a, and c in a fold), not at its second packet (a), not at a
	 * busy host (b: 16), not benign (d) or another class (e); the
	 * application-layer rules still apply beside it (h) */
	rc = lt_run(10, "printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_host_new_flows_1s,Label' "
		    "'a,1,checkpoint,1,0,0,0,0,3,syn_flood' 'a,1,checkpoint,2,0,0,0,0,3,syn_flood' "
		    "'b,2,checkpoint,1,0,0,0,0,16,syn_flood' 'c,3,checkpoint,1,0,0,0,0,15,udp_flood/rawudp' "
		    "'d,4,checkpoint,1,0,0,0,0,3,benign' 'e,5,checkpoint,1,0,0,0,0,3,icmp_flood' "
		    "'h,6,checkpoint,3,0,1,0,0,3,http_flood' "
		    "| awk -F, -v classes=http_flood:5,syn_flood:quiet16,udp_flood:quiet16 "
		    "-f lab/handshake-benign.awk 2>/dev/null | cut -d, -f1,4,10 | tr '\\n' ' ' | "
		    "grep -qx 'Flow ID,Total Fwd Packet,Label a,2,syn_flood b,1,syn_flood d,1,benign "
		    "e,1,icmp_flood h,3,benign '");
	assert_int_equal(rc, 0);
	/* CLASS:quietK:svcS: left out too while the flow's service shows fewer
	 * than S permille of one-packet flows (a busy host flooded elsewhere,
	 * this service not: a new client's first SYN is all it can be; f), not
	 * at S (g: the service is flooded), nor at its second packet (i); the
	 * host rule still applies (j); another flood class keeps quietK alone
	 * (u) */
	rc = lt_run(10, "printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_host_new_flows_1s,ctx_svc_one_pkt_share_permille,"
		    "Label' "
		    "'f,1,checkpoint,1,0,0,0,0,900,399,syn_flood' "
		    "'g,2,checkpoint,1,0,0,0,0,900,400,syn_flood/rawsyn' "
		    "'i,3,checkpoint,2,0,0,0,0,900,10,syn_flood' "
		    "'j,4,checkpoint,1,0,0,0,0,15,1000,syn_flood' "
		    "'u,5,checkpoint,1,0,0,0,0,900,10,udp_flood' "
		    "| awk -F, -v classes=syn_flood:quiet16:svc400,udp_flood:quiet16 "
		    "-f lab/handshake-benign.awk 2>/dev/null | cut -d, -f1,4,11 | tr '\\n' ' ' | "
		    "grep -qx 'Flow ID,Total Fwd Packet,Label g,1,syn_flood/rawsyn i,2,syn_flood "
		    "u,1,udp_flood '");
	assert_int_equal(rc, 0);
	/* without the share column, svcS is an error, not a rule that never fires */
	rc = lt_run(10, "printf '%%s\\n' 'Flow ID,reason,Total Fwd Packet,Total Bwd packets,"
		    "Fwd Act Data Pkts,FIN Flag Count,RST Flag Count,ctx_host_new_flows_1s,Label' "
		    "| awk -F, -v classes=syn_flood:quiet16:svc400 -f lab/handshake-benign.awk "
		    "> /dev/null 2>&1");
	assert_int_not_equal(rc, 0);
	/* CLASS:fewK: a scan's rows are left out while its sender shows fewer
	 * than K services in both windows (a, d in a fold, g at its second
	 * packet: a scanner's own RST), not from K in the last second (b) or
	 * in the last 10 s (c: a slow scan); benign (e) and other classes (f)
	 * keep theirs */
	rc = lt_run(10, "printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_src_peer_bits_1s,ctx_src_peer_bits_10s,Label' "
		    "'a,1,checkpoint,1,0,0,0,0,3,3,portscan' 'b,2,checkpoint,1,0,0,0,0,8,3,portscan' "
		    "'c,3,checkpoint,1,0,0,0,0,2,20,portscan' "
		    "'d,4,checkpoint,1,0,0,0,0,7,7,portscan/nmap-sS' "
		    "'e,5,checkpoint,1,0,0,0,0,3,3,benign' 'f,6,checkpoint,1,0,0,0,0,3,3,syn_flood' "
		    "'g,7,checkpoint,2,0,0,0,1,7,7,portscan' "
		    "| awk -F, -v classes=portscan:few8,http_flood:5 "
		    "-f lab/handshake-benign.awk 2>/dev/null | cut -d, -f1,4,11 | tr '\\n' ' ' | "
		    "grep -qx 'Flow ID,Total Fwd Packet,Label b,1,portscan c,1,portscan e,1,benign "
		    "f,1,syn_flood '");
	assert_int_equal(rc, 0);
	/* without the services columns, fewK is an error, not a rule that never fires */
	rc = lt_run(10, "printf '%%s\\n' 'Flow ID,reason,Total Fwd Packet,Total Bwd packets,"
		    "Fwd Act Data Pkts,FIN Flag Count,RST Flag Count,ctx_src_peer_bits_1s,Label' "
		    "| awk -F, -v classes=portscan:few8 -f lab/handshake-benign.awk "
		    "> /dev/null 2>&1");
	assert_int_not_equal(rc, 0);
	/* :pair4:ten10: pairP keeps an early row's label only when the pace
	 * held over 10 s too (b: 12 flows per host; a: 3, a fresh sender's
	 * burst), and the rows from packet 12 (c) or of an ended flow (e) keep
	 * theirs whatever the pace */
	rc = lt_run(10, "printf '%%s\\n' "
		    "'Flow ID,first_us,reason,Total Fwd Packet,Total Bwd packets,Fwd Act Data Pkts,"
		    "FIN Flag Count,RST Flag Count,ctx_pair_flows_per_peer_bit_1s,"
		    "ctx_pair_flows_per_peer_bit_10s,Label' "
		    "'a,1,checkpoint,5,0,2,0,0,6,3,ssh_bruteforce' "
		    "'b,2,checkpoint,5,0,2,0,0,6,12,ssh_bruteforce' "
		    "'c,3,checkpoint,12,0,8,0,0,6,3,ssh_bruteforce' "
		    "'d,4,checkpoint,5,0,2,0,0,2,30,ssh_bruteforce' "
		    "'e,5,fin,9,0,6,1,0,1,1,ssh_bruteforce' "
		    "| awk -F, -v classes=ssh_bruteforce:12:open:pair4:ten10 "
		    "-f lab/handshake-benign.awk 2>/dev/null | cut -d, -f1,4,11 | tr '\\n' ' ' | "
		    "grep -qx 'Flow ID,Total Fwd Packet,Label a,5,benign b,5,ssh_bruteforce "
		    "c,12,ssh_bruteforce d,5,benign e,9,ssh_bruteforce '");
	assert_int_equal(rc, 0);
}

/* lab/toolview.py: a round's ssh tools run one after the other from one
 * host; a tool's view (its packets alone, with the capture's first packet
 * for the context's clock) shows its first connections from a fresh
 * sender, as a brute force starts, where the round shows them amid the
 * last tool's (tests/toolview_check.py). No root needed. */
static void test_tool_views(void **state)
{
	(void)state;
	if (!lt_dir[0])
		fail_msg("no temporary directory");
	assert_int_equal(lt_run(60, "mkdir -p '%s/toolview' && python3 tests/toolview_check.py "
				    "'%s/toolview' ./flowforest", lt_dir, lt_dir), 0);
}

/* A mix's tool slots (lab.sh _lab_slot, lab_exec under LAB_TOOL_END): with
 * 59 s left and 5 tools to go the next may run 11 s, the last one all that
 * is left (59 s), 120 s and 3 tools 40 s; past its slot's end a tool's
 * command does not start (124) and a flood sent in bursts stops (10
 * packets in bursts of 5: none, or both before the end). No root needed. */
static void test_tool_slots(void **state)
{
	char out[PATH_MAX + 32];

	(void)state;
	if (!lt_dir[0])
		fail_msg("no temporary directory");
	snprintf(out, sizeof(out), "%s/slots.out", lt_dir);
	assert_int_equal(lt_run(10, "bash -c '. %s; echo $(_lab_slot 59 5) $(_lab_slot 59 1) "
				    "$(_lab_slot 20 5) $(_lab_slot 120 3); SECONDS=100; "
				    "LAB_TOOL_END=100 lab_exec p c1 true; echo $?; "
				    "LAB_TOOL_END=100 _lab_bursts 10 10.0.0.0/24@5 5 echo burst; "
				    "LAB_TOOL_END=999 _lab_bursts 10 10.0.0.0/24@5 5 echo burst' > '%s' 2>&1",
				    LT_LAB, out), 0);
	assert_int_equal(lt_run(10, "cat '%s'; test \"$(tr '\\n' ' ' < '%s')\" = "
				    "'11 59 4 40 124 burst burst '",
				    out, out), 0);
}

/* lab/demo.sh's scan views: each scan tool's packets alone (lab/toolview.py),
 * its first probes at a sender of few services left out of training
 * (handshake-benign.awk portscan:fewK), its later ones taught; in the round
 * a scan that follows another is taught from its first probe
 * (tests/scanview_check.py). No root needed. */
static void test_scan_views(void **state)
{
	(void)state;
	if (!lt_dir[0])
		fail_msg("no temporary directory");
	assert_int_equal(lt_run(60, "mkdir -p '%s/scanview' && python3 tests/scanview_check.py "
				    "'%s/scanview' ./flowforest", lt_dir, lt_dir), 0);
}

/* lab/demo.sh's service views: a round's flood packets with one UDP port
 * and one ICMP echo id; an echo flood that draws an id per packet from
 * the hosts of a /24 becomes one that keeps one, its hosts coming back.
 * Its ping views: the lone DNS client's queries also as echo requests,
 * taught as benign first echoes (tests/views_check.py). No root needed. */
static void test_service_and_ping_views(void **state)
{
	(void)state;
	if (!lt_dir[0])
		fail_msg("no temporary directory");
	assert_int_equal(lt_run(60, "mkdir -p '%s/views' && python3 tests/views_check.py "
				    "'%s/views' ./flowforest", lt_dir, lt_dir), 0);
}

/* lab/coldview.py: a round's window that starts inside a running flood,
 * with every packet from there and nothing before, so its extract starts
 * a cold context table: the flood's first flow reads a cold table's age
 * (below 2 s), where the round reads a full one; a fast view (--fast-classes)
 * holds the same flood's packets that many times closer together amid the
 * rest at its own times; lab/cold-rows.awk keeps a view's benign, flood and
 * scan rows, not what a cold table cannot tell, and with fast=1 no benign
 * first SYN (tests/coldview_check.py). No root needed. */
static void test_cold_views(void **state)
{
	(void)state;
	if (!lt_dir[0])
		fail_msg("no temporary directory");
	assert_int_equal(lt_run(60, "mkdir -p '%s/coldview' && python3 tests/coldview_check.py "
				    "'%s/coldview' ./flowforest", lt_dir, lt_dir), 0);
}

/* lab/dnsview.sh: a round with its busy DNS clients' queries thinned to
 * one in KEEP by source port, IPv4 and IPv6, every other packet kept (a
 * lone client's queries, other protocols and ports, the attackers');
 * lab/benign-udp-rows.awk keeps a view's benign UDP rows alone
 * (tests/dnsview_check.py). No root needed. */
static void test_dns_views(void **state)
{
	(void)state;
	if (!lt_dir[0])
		fail_msg("no temporary directory");
	assert_int_equal(lt_run(60, "mkdir -p '%s/dnsview' && python3 tests/dnsview_check.py "
				    "'%s/dnsview'", lt_dir, lt_dir), 0);
}

/* lab/quietview.sh: a round's benign traffic with its TCP and UDP flows
 * thinned to one in KEEP by source port, IPv4 and IPv6, nothing else kept
 * (tests/quietview_check.py). No root needed. */
static void test_quiet_views(void **state)
{
	(void)state;
	if (!lt_dir[0])
		fail_msg("no temporary directory");
	assert_int_equal(lt_run(60, "mkdir -p '%s/quietview' && python3 tests/quietview_check.py "
				    "'%s/quietview'", lt_dir, lt_dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_up_down),
		cmocka_unit_test(test_quick_tools_made_traffic),
		cmocka_unit_test(test_quick_xdp_drops_flood_and_scan),
		cmocka_unit_test(test_quick_curl_keeps_working),
		cmocka_unit_test(test_quick_events_name_classes),
		cmocka_unit_test(test_quick_leave_one_tool_out_floods),
		cmocka_unit_test(test_quick_rewriter),
		cmocka_unit_test(test_quick_from_run),
		cmocka_unit_test(test_quick_leaves_nothing),
		cmocka_unit_test(test_report_renders),
		cmocka_unit_test(test_handshake_relabel),
		cmocka_unit_test(test_tool_slots),
		cmocka_unit_test(test_tool_views),
		cmocka_unit_test(test_scan_views),
		cmocka_unit_test(test_service_and_ping_views),
		cmocka_unit_test(test_cold_views),
		cmocka_unit_test(test_dns_views),
		cmocka_unit_test(test_quiet_views),
	};

	return cmocka_run_group_tests_name("lab", tests, lt_group_setup, lt_group_teardown);
}
