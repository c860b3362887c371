// SPDX-License-Identifier: MIT
/*
 * End-to-end tests of `flowforest run` in two network namespaces joined by a
 * veth pair (lab/netns.sh): real traffic from namespace a to b (or b to a for
 * tc-egress), the real ./flowforest binary, its events and counters, what the
 * listeners receive, and what is left attached afterwards.
 *
 * Needs root and `ip netns`; otherwise every test skips. Runs from the
 * repository root (tests/run.sh does that). Each test gets fresh namespaces,
 * named after this process's pid, and its teardown deletes them whatever
 * happened. Every wait is bounded.
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

#define NT_FF "./flowforest"
#define NT_MODEL "lab/models/handwritten.json"
#define NT_LIB "lab/netns.sh"

#define NT_A4 "10.199.0.1"
#define NT_B4 "10.199.0.2"
#define NT_A6 "fd99::1"
#define NT_B6 "fd99::2"

#define NT_RUN_SECS "3"		/* --duration of the traffic runs */
#define NT_MAX_KIDS 16

/* ---- state ----------------------------------------------------------------- */

static const char *nt_skip_reason;	/* set by the group setup: skip every lab test */
static bool nt_have_ff;
static char nt_dir[64];		/* temp dir for this run's files */
static char nt_prefix[24];		/* lab prefix of the current test, "" if none */
static char nt_ns_a[32], nt_ns_b[32], nt_dev_a[32], nt_dev_b[32];
static int nt_test_no;
static volatile pid_t nt_kids[NT_MAX_KIDS];	/* background processes to reap */
static volatile pid_t nt_cmd_pgid;		/* run_cmd's child, for the signal handler */

/* ---- small helpers ------------------------------------------------------- */

static double nt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void nt_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", nt_dir, name);
}

/* The whole file, NUL-terminated, or "" (never NULL). Caller frees. */
static char *nt_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f) {
		for (;;) {
			if (cap - len < 4096) {
				char *nb = realloc(buf, cap + 65536);

				if (!nb)
					break;
				buf = nb;
				cap += 65536;
			}
			n = fread(buf + len, 1, cap - len - 1, f);
			if (n == 0)
				break;
			len += n;
		}
		fclose(f);
	}
	if (!buf)
		return strdup("");
	buf[len] = 0;
	return buf;
}

static bool nt_file_has(const char *path, const char *needle)
{
	char *s = nt_slurp(path);
	bool r = strstr(s, needle) != NULL;

	free(s);
	return r;
}

static bool nt_wait_file_has(const char *path, const char *needle, double secs)
{
	double end = nt_now() + secs;

	do {
		if (nt_file_has(path, needle))
			return true;
		nt_sleep_ms(20);
	} while (nt_now() < end);
	return nt_file_has(path, needle);
}

static void nt_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Wait for `pid` up to `secs`; true and *status when it exited. */
static bool nt_wait_pid(pid_t pid, double secs, int *status)
{
	double end = nt_now() + secs;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			return r == pid;
		if (nt_now() >= end)
			return false;
		nt_sleep_ms(10);
	}
}

static void nt_forget_kid(pid_t pid)
{
	int i;

	for (i = 0; i < NT_MAX_KIDS; i++)
		if (nt_kids[i] == pid)
			nt_kids[i] = 0;
}

static void nt_kill_kids(void)
{
	int i, st;

	for (i = 0; i < NT_MAX_KIDS; i++) {
		pid_t pid = nt_kids[i];

		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			nt_kids[i] = 0;
		}
	}
}

/* Run `bash -c CMD` (stdin /dev/null, own process group), killed after
 * `secs`. Returns its exit status, or -1 on a timeout or a signal. */
static int nt_run(double secs, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	pid_t pid;
	int st, fd;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
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
	nt_cmd_pgid = pid;
	if (!nt_wait_pid(pid, secs, &st)) {
		kill(-pid, SIGKILL);
		waitpid(pid, &st, 0);
		nt_cmd_pgid = 0;
		print_message("[ netns   ] timed out after %.1fs: %s\n", secs, cmd);
		return -1;
	}
	nt_cmd_pgid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Like nt_run, stdout (and stderr) into a malloc'd string. */
static char *nt_capture(double secs, int *rc, const char *fmt, ...)
{
	char cmd[4096], out[PATH_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	nt_path(out, sizeof(out), "capture.txt");
	r = nt_run(secs, "{ %s ; } > '%s' 2>&1", cmd, out);
	if (rc)
		*rc = r;
	return nt_slurp(out);
}

/* Start argv in the background, stdout and stderr to files (NULL:
 * /dev/null). With `ip netns exec NS CMD`, ip execs CMD: the pid is CMD's. */
static pid_t nt_spawn(const char *out, const char *err, char *const argv[])
{
	pid_t pid;
	int i, fd;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 1);
		fd = open(err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	for (i = 0; i < NT_MAX_KIDS; i++)
		if (!nt_kids[i]) {
			nt_kids[i] = pid;
			break;
		}
	return pid;
}

/* ---- the lab ------------------------------------------------------------------ */

static int nt_lab_cmd(const char *fn, const char *prefix)
{
	return nt_run(30, ". '%s' && %s '%s' >/dev/null", NT_LIB, fn, prefix);
}

static void nt_lab_down(void)
{
	if (!nt_prefix[0])
		return;
	nt_kill_kids();
	nt_lab_cmd("ff_lab_down", nt_prefix);
	nt_prefix[0] = 0;
}

/* Ctrl-C, a kill or a closed output pipe: do not leave namespaces or files
 * behind. */
static void nt_on_signal(int sig)
{
	pid_t pid;
	int i;

	if (nt_cmd_pgid > 0)
		kill(-nt_cmd_pgid, SIGKILL);
	for (i = 0; i < NT_MAX_KIDS; i++)
		if (nt_kids[i] > 0)
			kill(nt_kids[i], SIGKILL);
	pid = fork();
	if (pid == 0) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'; [ -z '%s' ] || { . '%s' && ff_lab_down '%s'; }",
			 nt_dir, nt_prefix, NT_LIB, nt_prefix);
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int nt_group_setup(void **state)
{
	char probe[16];

	(void)state;
	scratch_enter_repo(NT_FF);
	nt_have_ff = access(NT_FF, X_OK) == 0 && access(NT_MODEL, R_OK) == 0 &&
		     access(NT_LIB, R_OK) == 0;
	snprintf(nt_dir, sizeof(nt_dir), "/tmp/ff-netns-test.XXXXXX");
	if (!mkdtemp(nt_dir)) {
		nt_skip_reason = "cannot create a temporary directory";
		return 0;
	}
	signal(SIGINT, nt_on_signal);
	signal(SIGTERM, nt_on_signal);
	signal(SIGHUP, nt_on_signal);
	signal(SIGQUIT, nt_on_signal);
	signal(SIGPIPE, nt_on_signal);	/* e.g. the output piped into head */

	if (!nt_have_ff) {
		nt_skip_reason = "./flowforest, " NT_MODEL " or " NT_LIB
				 " not found: run `make all` and run from the repository root";
		return 0;
	}
	if (geteuid() != 0) {
		nt_skip_reason = "needs root (network namespaces, BPF)";
		return 0;
	}
	if (nt_run(10, "ip netns list >/dev/null 2>&1") != 0) {
		nt_skip_reason = "`ip netns` does not work here";
		return 0;
	}
	snprintf(probe, sizeof(probe), "ff%dp", (int)getpid());
	if (nt_lab_cmd("ff_lab_up", probe) != 0) {
		nt_lab_cmd("ff_lab_down", probe);
		nt_skip_reason = "cannot create network namespaces with a veth pair "
				 "(ip netns add / ip link add type veth failed)";
		return 0;
	}
	nt_lab_cmd("ff_lab_down", probe);
	return 0;
}

static int nt_group_teardown(void **state)
{
	(void)state;
	nt_lab_down();
	if (nt_dir[0])
		nt_run(10, "rm -rf '%s'", nt_dir);
	return 0;
}

static int nt_setup(void **state)
{
	(void)state;
	nt_prefix[0] = 0;
	if (nt_skip_reason)
		return 0;
	snprintf(nt_prefix, sizeof(nt_prefix), "ff%dt%d", (int)getpid() % 10000000, ++nt_test_no);
	snprintf(nt_ns_a, sizeof(nt_ns_a), "%s-a", nt_prefix);
	snprintf(nt_ns_b, sizeof(nt_ns_b), "%s-b", nt_prefix);
	snprintf(nt_dev_a, sizeof(nt_dev_a), "%sa", nt_prefix);
	snprintf(nt_dev_b, sizeof(nt_dev_b), "%sb", nt_prefix);
	if (nt_lab_cmd("ff_lab_up", nt_prefix) != 0) {
		print_message("[ netns   ] ff_lab_up %s failed\n", nt_prefix);
		nt_lab_cmd("ff_lab_down", nt_prefix);
		nt_prefix[0] = 0;
	}
	return 0;
}

static int nt_teardown(void **state)
{
	(void)state;
	nt_lab_down();
	return 0;
}

/* Every lab test starts with this. */
static void nt_need_lab(void)
{
	if (nt_skip_reason) {
		print_message("[ SKIP    ] %s\n", nt_skip_reason);
		skip();
	}
	if (!nt_prefix[0])
		fail_msg("the namespaces could not be set up (ff_lab_up)");
}

/* ---- flowforest runs ------------------------------------------------------------ */

struct nt_run {
	char out[PATH_MAX], err[PATH_MAX];
	pid_t pid;
};

/* Start `flowforest run` in namespace b on b's veth, and wait until it says
 * it is attached. */
static void nt_ff_start(struct nt_run *r, const char *hook, const char *duration, const char *tag)
{
	char name[64];
	char *argv[] = { "ip", "netns", "exec", nt_ns_b, NT_FF, "run", "--iface", nt_dev_b,
			 "--hook", (char *)hook, "--model", NT_MODEL, "--duration", (char *)duration,
			 "--json", "--interval", "0", NULL };
	int st;

	snprintf(name, sizeof(name), "%s.events", tag);
	nt_path(r->out, sizeof(r->out), name);
	snprintf(name, sizeof(name), "%s.stderr", tag);
	nt_path(r->err, sizeof(r->err), name);
	r->pid = nt_spawn(r->out, r->err, argv);
	if (!nt_wait_file_has(r->err, "attached to", 15)) {
		char *e = nt_slurp(r->err);

		if (nt_wait_pid(r->pid, 0, &st))
			nt_forget_kid(r->pid);
		fail_msg("flowforest run --hook %s did not attach within 15s; stderr:\n%s", hook, e);
	}
}

/* Wait for the run to end by itself (--duration) or after a signal; its
 * exit status, or fail. */
static int nt_ff_wait(struct nt_run *r, double secs)
{
	int st;

	if (!nt_wait_pid(r->pid, secs, &st))
		fail_msg("flowforest (pid %d) still runs after %.0fs", (int)r->pid, secs);
	nt_forget_kid(r->pid);
	if (!WIFEXITED(st))
		fail_msg("flowforest died of signal %d", WTERMSIG(st));
	return WEXITSTATUS(st);
}

/* The last JSON line of stderr: the final counters. */
static json_object *nt_final_counters(const char *err)
{
	char *s = nt_slurp(err), *line, *save = NULL, *last = NULL, *det;
	json_object *o = NULL;

	det = strstr(s, "flowforest: detaching");
	if (!det) {
		print_message("[ netns   ] stderr has no 'detaching' line:\n%s\n", s);
		free(s);
		return NULL;
	}
	for (line = strtok_r(det, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (line[0] == '{')
			last = line;
	if (last)
		o = json_tokener_parse(last);
	free(s);
	return o;
}

static uint64_t nt_counter(json_object *c, const char *name)
{
	json_object *v;

	if (!json_object_object_get_ex(c, name, &v))
		fail_msg("final counters have no '%s'", name);
	return json_object_get_uint64(v);
}

static const char *nt_jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : "";
}

static int nt_jint(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int(v) : -1;
}

/* Events matching class, action, proto, src, dst and dport. */
static int nt_count_events(const char *events, const char *cls, const char *action,
			   const char *proto, const char *src, const char *dst, int dport)
{
	char *s = nt_slurp(events), *line, *save = NULL;
	int n = 0;

	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line);

		if (!o) {
			print_message("[ netns   ] not JSON on stdout: %s\n", line);
			continue;
		}
		if (!strcmp(nt_jstr(o, "class"), cls) && !strcmp(nt_jstr(o, "action"), action) &&
		    !strcmp(nt_jstr(o, "proto"), proto) && !strcmp(nt_jstr(o, "src"), src) &&
		    !strcmp(nt_jstr(o, "dst"), dst) && nt_jint(o, "dport") == dport)
			n++;
		json_object_put(o);
	}
	free(s);
	return n;
}

static void nt_dump(const char *what, const char *path)
{
	char *s = nt_slurp(path);

	print_message("[ netns   ] %s (%s):\n%s\n", what, path, s);
	free(s);
}

/* ---- listeners ----------------------------------------------------------------- */

struct nt_listener {
	char file[PATH_MAX];
	pid_t pid;
	int port;
	bool v6;
};

/* True when /proc/PID/net/udp{,6} (the namespace of PID) has a socket
 * bound to `port`. */
static bool nt_udp_bound(pid_t pid, int port, bool v6)
{
	char path[64], line[512];
	unsigned int lport;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, v6 ? "udp6" : "udp");
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x", &lport) == 1 && (int)lport == port)
			found = true;
	fclose(f);
	return found;
}

/* `nc -u -l ADDR PORT` in namespace `ns`, printing what it receives into a
 * file; returns once the socket is bound. */
static void nt_listen(struct nt_listener *l, const char *ns, const char *addr, int port,
		      const char *tag)
{
	char name[64], portstr[8];
	char *argv[] = { "ip", "netns", "exec", (char *)ns, "nc", "-d", "-u", "-l",
			 (char *)addr, portstr, NULL };
	double end = nt_now() + 5;

	l->port = port;
	l->v6 = strchr(addr, ':') != NULL;
	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(name, sizeof(name), "%s.rx-%s-%d", tag, l->v6 ? "v6" : "v4", port);
	nt_path(l->file, sizeof(l->file), name);
	l->pid = nt_spawn(l->file, NULL, argv);
	while (!nt_udp_bound(l->pid, port, l->v6)) {
		if (nt_now() > end)
			fail_msg("nc -u -l %s %d in %s did not bind within 5s", addr, port, ns);
		nt_sleep_ms(10);
	}
}

static void nt_listen_stop(struct nt_listener *l)
{
	int st;

	if (l->pid <= 0)
		return;
	kill(l->pid, SIGTERM);
	if (!nt_wait_pid(l->pid, 2, &st)) {
		kill(l->pid, SIGKILL);
		waitpid(l->pid, &st, 0);
	}
	nt_forget_kid(l->pid);
	l->pid = 0;
}

/* ---- attachment checks ---------------------------------------------------------- */

static bool nt_xdp_attached(void)
{
	char *s = nt_capture(10, NULL, "ip -n '%s' link show dev '%s'", nt_ns_b, nt_dev_b);
	bool r = strstr(s, "xdp") != NULL;

	free(s);
	return r;
}

static bool nt_wait_xdp_gone(double secs)
{
	double end = nt_now() + secs;

	while (nt_xdp_attached()) {
		if (nt_now() > end)
			return false;
		nt_sleep_ms(50);
	}
	return true;
}

/* Any filter at all in `dir` (ingress/egress) of b's veth, and whether the
 * clsact qdisc is there. */
static bool nt_tc_filter(const char *dir)
{
	char *s = nt_capture(10, NULL, "tc -n '%s' filter show dev '%s' %s", nt_ns_b, nt_dev_b, dir);
	bool r = strstr(s, "filter") != NULL || strstr(s, "bpf") != NULL;

	free(s);
	return r;
}

/*
 * flowforest's TC program attached: as a tcx link (Linux 6.6+; `tc` does
 * not list those) or as a legacy clsact filter. A tcx-attached program stays
 * loaded exactly as long as it is attached or held by its process, so the
 * test remembers which ff_tc programs its own run loaded (ids that were not
 * there before) and watches those ids, whatever else runs on the machine.
 */
static char nt_tc_ids_before[4096], nt_tc_ids_run[4096];

static void nt_tc_ids(char *out, size_t len)
{
	char *s = nt_capture(10, NULL, "bpftool prog show name ff_tc 2>/dev/null | "
			     "sed -n 's/^\\([0-9]*\\):.*/ \\1 /p' | tr -d '\\n'");

	snprintf(out, len, "%s", s);
	free(s);
}

static void nt_tc_ids_mark_before(void)
{
	nt_tc_ids(nt_tc_ids_before, sizeof(nt_tc_ids_before));
}

/* ids loaded since nt_tc_ids_mark_before() */
static void nt_tc_ids_mark_run(void)
{
	char now[4096], *tok, *save = NULL, id[32];

	nt_tc_ids(now, sizeof(now));
	nt_tc_ids_run[0] = 0;
	for (tok = strtok_r(now, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		snprintf(id, sizeof(id), " %s ", tok);
		if (!strstr(nt_tc_ids_before, id))
			strncat(nt_tc_ids_run, id, sizeof(nt_tc_ids_run) - strlen(nt_tc_ids_run) - 1);
	}
}

static bool nt_tc_prog_loaded(void)
{
	char now[4096], copy[4096], *tok, *save = NULL, id[32];

	nt_tc_ids(now, sizeof(now));
	snprintf(copy, sizeof(copy), "%s", nt_tc_ids_run);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		snprintf(id, sizeof(id), " %s ", tok);
		if (strstr(now, id))
			return true;
	}
	return false;
}

static bool nt_tc_attached(void)
{
	return nt_tc_filter("ingress") || nt_tc_prog_loaded();
}

static bool nt_clsact(void)
{
	char *s = nt_capture(10, NULL, "tc -n '%s' qdisc show dev '%s'", nt_ns_b, nt_dev_b);
	bool r = strstr(s, "clsact") != NULL;

	free(s);
	return r;
}

/* ---- traffic through each hook ------------------------------------------------------ */

struct nt_hook_case {
	const char *hook;
	bool from_b;	/* traffic sent by b (egress of b's veth), received by a */
	bool drops;	/* verdicts really drop host traffic */
};

static void nt_hook_traffic(const struct nt_hook_case *hc)
{
	const char *tx_ns = hc->from_b ? nt_ns_b : nt_ns_a;
	const char *rx_ns = hc->from_b ? nt_ns_a : nt_ns_b;
	const char *src4 = hc->from_b ? NT_B4 : NT_A4, *dst4 = hc->from_b ? NT_A4 : NT_B4;
	const char *src6 = hc->from_b ? NT_B6 : NT_A6, *dst6 = hc->from_b ? NT_A6 : NT_B6;
	struct nt_listener l4_5000, l4_9999, l6_5000, l6_9999;
	bool got4_5000, got6_5000, got4_9999, got6_9999;
	struct nt_run r;
	json_object *c;
	int rc;

	nt_need_lab();
	nt_ff_start(&r, hc->hook, NT_RUN_SECS, hc->hook);

	nt_listen(&l4_5000, rx_ns, dst4, 5000, hc->hook);
	nt_listen(&l4_9999, rx_ns, dst4, 9999, hc->hook);
	nt_listen(&l6_5000, rx_ns, dst6, 5000, hc->hook);
	nt_listen(&l6_9999, rx_ns, dst6, 9999, hc->hook);

	rc = nt_run(10, "ip netns exec '%s' ping -n -q -c 3 -i 0.2 -W 1 %s >/dev/null", tx_ns, dst4);
	assert_int_equal(rc, 0);
	/* Three datagrams per destination, from one socket (one flow each);
	 * the 9999 ones first, so they had every chance to arrive by the time
	 * the 5000 ones do. */
	rc = nt_run(10,
		    "ip netns exec '%s' bash -c '"
		    "exec 3>/dev/udp/%s/9999 4>/dev/udp/%s/9999 5>/dev/udp/%s/5000 6>/dev/udp/%s/5000 || exit 1; "
		    "for i in 1 2 3; do printf ff-v4-9999 >&3; printf ff-v6-9999 >&4; done; "
		    "for i in 1 2 3; do printf ff-v4-5000 >&5; printf ff-v6-5000 >&6; done'",
		    tx_ns, dst4, dst6, dst4, dst6);
	assert_int_equal(rc, 0);

	got4_5000 = nt_wait_file_has(l4_5000.file, "ff-v4-5000", 3);
	got6_5000 = nt_wait_file_has(l6_5000.file, "ff-v6-5000", 3);
	if (hc->drops) {
		nt_sleep_ms(300);
		got4_9999 = nt_file_has(l4_9999.file, "ff-v4-9999");
		got6_9999 = nt_file_has(l6_9999.file, "ff-v6-9999");
	} else {
		got4_9999 = nt_wait_file_has(l4_9999.file, "ff-v4-9999", 3);
		got6_9999 = nt_wait_file_has(l6_9999.file, "ff-v6-9999", 3);
	}
	nt_listen_stop(&l4_5000);
	nt_listen_stop(&l4_9999);
	nt_listen_stop(&l6_5000);
	nt_listen_stop(&l6_9999);

	rc = nt_ff_wait(&r, 15);
	if (rc != 0)
		nt_dump("flowforest stderr", r.err);
	assert_int_equal(rc, 0);

	/* Counters. */
	c = nt_final_counters(r.err);
	if (!c)
		nt_dump("flowforest stderr", r.err);
	assert_non_null(c);
	print_message("[ netns   ] %s: packets %llu flows %llu classifications %llu dropped %llu\n",
		      hc->hook, (unsigned long long)nt_counter(c, "packets"),
		      (unsigned long long)nt_counter(c, "flows_created"),
		      (unsigned long long)nt_counter(c, "classifications"),
		      (unsigned long long)nt_counter(c, "dropped"));
	assert_true(nt_counter(c, "packets") > 0);
	assert_true(nt_counter(c, "flows_created") >= 2);
	assert_true(nt_counter(c, "classifications") >= 2);
	assert_true(nt_counter(c, "dropped") >= 1);
	json_object_put(c);

	/* Events: the probe in both families, the benign flows. */
	if (nt_count_events(r.out, "udp_probe", "drop", "udp", src4, dst4, 9999) < 1 ||
	    nt_count_events(r.out, "udp_probe", "drop", "udp", src6, dst6, 9999) < 1 ||
	    nt_count_events(r.out, "benign", "pass", "udp", src4, dst4, 5000) < 1 ||
	    nt_count_events(r.out, "benign", "pass", "udp", src6, dst6, 5000) < 1) {
		nt_dump("events", r.out);
		fail_msg("--hook %s: missing udp_probe/drop event for %s and %s port 9999, "
			 "or benign/pass event for port 5000", hc->hook, dst4, dst6);
	}
	assert_int_equal(nt_count_events(r.out, "udp_probe", "drop", "udp", src4, dst4, 5000), 0);

	/* What the listeners got. */
	if (!got4_5000 || !got6_5000)
		fail_msg("--hook %s: the port 5000 payload did not arrive (v4 %d, v6 %d)", hc->hook,
			 got4_5000, got6_5000);
	if (hc->drops && (got4_9999 || got6_9999))
		fail_msg("--hook %s: the port 9999 payload arrived although its flow is dropped "
			 "(v4 %d, v6 %d)", hc->hook, got4_9999, got6_9999);
	if (!hc->drops && (!got4_9999 || !got6_9999))
		fail_msg("--hook %s: the port 9999 payload did not arrive, but this hook must not "
			 "drop host traffic (v4 %d, v6 %d)", hc->hook, got4_9999, got6_9999);

	/* Nothing left attached. */
	assert_false(nt_xdp_attached());
	assert_false(nt_tc_filter("ingress"));
	assert_false(nt_tc_filter("egress"));
}

static void test_hook_xdp(void **state)
{
	static const struct nt_hook_case hc = { "xdp", false, true };

	(void)state;
	nt_hook_traffic(&hc);
}

static void test_hook_xdp_generic(void **state)
{
	static const struct nt_hook_case hc = { "xdp-generic", false, true };

	(void)state;
	nt_hook_traffic(&hc);
}

static void test_hook_tc_ingress(void **state)
{
	static const struct nt_hook_case hc = { "tc-ingress", false, true };

	(void)state;
	nt_hook_traffic(&hc);
}

static void test_hook_tc_egress(void **state)
{
	static const struct nt_hook_case hc = { "tc-egress", true, true };

	(void)state;
	nt_hook_traffic(&hc);
}

static void test_hook_socket(void **state)
{
	static const struct nt_hook_case hc = { "socket", false, false };

	(void)state;
	nt_hook_traffic(&hc);
}

/* ---- detaching --------------------------------------------------------------------- */

/* kill -9: the XDP link dies with the process. */
static void test_kill9_xdp_leaves_nothing(void **state)
{
	struct nt_run r;
	int st;

	(void)state;
	nt_need_lab();
	nt_ff_start(&r, "xdp", "30", "kill9-xdp");
	assert_true(nt_xdp_attached());
	assert_int_equal(kill(r.pid, SIGKILL), 0);
	assert_true(nt_wait_pid(r.pid, 5, &st));
	nt_forget_kid(r.pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	if (!nt_wait_xdp_gone(3))
		fail_msg("an XDP program is still attached to %s 3s after kill -9", nt_dev_b);
}

/* kill -9 at TC: a tcx link dies with the process; a legacy clsact filter
 * (kernels without tcx) stays until `flowforest detach` removes it. */
static void test_kill9_tc_then_detach(void **state)
{
	struct nt_run r;
	char *out;
	int st, rc, i;

	(void)state;
	nt_need_lab();
	nt_tc_ids_mark_before();
	nt_ff_start(&r, "tc-ingress", "30", "kill9-tc");
	nt_tc_ids_mark_run();
	assert_true(nt_tc_attached());
	assert_int_equal(kill(r.pid, SIGKILL), 0);
	assert_true(nt_wait_pid(r.pid, 5, &st));
	nt_forget_kid(r.pid);
	out = nt_capture(10, &rc, "ip netns exec '%s' '%s' detach --iface '%s'", nt_ns_b, NT_FF,
			 nt_dev_b);
	print_message("[ netns   ] detach: %s", out);
	free(out);
	assert_int_equal(rc, 0);
	for (i = 0; i < 30 && nt_tc_attached(); i++)
		usleep(100000);	/* the link goes when the kernel frees the fd */
	assert_false(nt_tc_filter("ingress"));
	assert_false(nt_tc_prog_loaded());
}

/* SIGINT and SIGTERM: exit 0, nothing left attached. */
static void nt_signal_case(const char *hook, int sig, const char *tag)
{
	struct nt_run r;
	bool xdp = !strncmp(hook, "xdp", 3);
	int rc;

	nt_tc_ids_mark_before();
	nt_ff_start(&r, hook, "30", tag);
	nt_tc_ids_mark_run();
	if (xdp)
		assert_true(nt_xdp_attached());
	else
		assert_true(nt_tc_attached());
	assert_int_equal(kill(r.pid, sig), 0);
	rc = nt_ff_wait(&r, 5);
	if (rc != 0 || !nt_file_has(r.err, "flowforest: detaching"))
		nt_dump("flowforest stderr", r.err);
	assert_int_equal(rc, 0);
	assert_true(nt_file_has(r.err, "flowforest: detaching"));
	if (xdp) {
		if (!nt_wait_xdp_gone(2))
			fail_msg("XDP still attached to %s after %s", nt_dev_b, strsignal(sig));
	} else {
		int i;

		for (i = 0; i < 30 && nt_tc_attached(); i++)
			usleep(100000);
		if (nt_tc_attached())
			fail_msg("flowforest's TC program is still attached on %s after %s", nt_dev_b,
				 strsignal(sig));
		if (nt_clsact())
			fail_msg("the clsact qdisc flowforest created is still on %s after %s",
				 nt_dev_b, strsignal(sig));
	}
}

static void test_signals_xdp(void **state)
{
	(void)state;
	nt_need_lab();
	nt_signal_case("xdp", SIGINT, "sigint-xdp");
	nt_signal_case("xdp", SIGTERM, "sigterm-xdp");
}

static void test_signals_tc_ingress(void **state)
{
	(void)state;
	nt_need_lab();
	nt_signal_case("tc-ingress", SIGINT, "sigint-tc");
	nt_signal_case("tc-ingress", SIGTERM, "sigterm-tc");
}

/* ---- errors (no namespaces needed) ---------------------------------------------- */

static void nt_need_ff(void)
{
	if (!nt_have_ff) {
		print_message("[ SKIP    ] ./flowforest or " NT_MODEL
			      " not found: run `make all` and run from the repository root\n");
		skip();
	}
}

static void test_error_no_such_interface(void **state)
{
	char *out;
	int rc;

	(void)state;
	nt_need_ff();
	out = nt_capture(10, &rc, "'%s' run --iface ffnosuch%d --model '%s' --duration 1",
			 NT_FF, (int)getpid() % 100000, NT_MODEL);
	if (rc == 0 || !strstr(out, "no such interface"))
		print_message("[ netns   ] exit %d, output:\n%s\n", rc, out);
	assert_true(rc > 0);
	assert_non_null(strstr(out, "no such interface"));
	free(out);
}

static void test_error_bad_model(void **state)
{
	static const char *const bad[] = {
		"{ \"format\": \"flowforest-model\", \"version\": 1, \"trees\": [",
		"{ \"format\": \"flowforest-model\", \"version\": 1, \"classes\": [], \"trees\": [] }",
		"[1, 2, 3]\n",
		"",
	};
	char path[PATH_MAX], *out;
	size_t i;
	int rc;

	(void)state;
	nt_need_ff();
	nt_path(path, sizeof(path), "bad-model.json");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nt_write_file(path, bad[i]);
		out = nt_capture(10, &rc, "'%s' run --iface lo --model '%s' --duration 1", NT_FF, path);
		if (rc == 0 || !strstr(out, "bad model"))
			print_message("[ netns   ] model '%s': exit %d, output:\n%s\n", bad[i], rc, out);
		assert_true(rc > 0);
		assert_non_null(strstr(out, "bad model"));
		free(out);
	}
	out = nt_capture(10, &rc, "'%s' run --iface lo --model '%s/does-not-exist.json' --duration 1",
			 NT_FF, nt_dir);
	assert_true(rc > 0);
	assert_non_null(strstr(out, "bad model"));
	free(out);
}

static void test_error_unknown_hook(void **state)
{
	char *out;
	int rc;

	(void)state;
	nt_need_ff();
	out = nt_capture(10, &rc, "'%s' run --iface lo --hook bogus --model '%s' --duration 1",
			 NT_FF, NT_MODEL);
	if (rc <= 0 || !strstr(out, "unknown hook"))
		print_message("[ netns   ] exit %d, output:\n%s\n", rc, out);
	assert_true(rc > 0);
	assert_non_null(strstr(out, "unknown hook"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_no_such_interface),
		cmocka_unit_test(test_error_bad_model),
		cmocka_unit_test(test_error_unknown_hook),
		cmocka_unit_test_setup_teardown(test_hook_xdp, nt_setup, nt_teardown),
		cmocka_unit_test_setup_teardown(test_hook_xdp_generic, nt_setup, nt_teardown),
		cmocka_unit_test_setup_teardown(test_hook_tc_ingress, nt_setup, nt_teardown),
		cmocka_unit_test_setup_teardown(test_hook_tc_egress, nt_setup, nt_teardown),
		cmocka_unit_test_setup_teardown(test_hook_socket, nt_setup, nt_teardown),
		cmocka_unit_test_setup_teardown(test_kill9_xdp_leaves_nothing, nt_setup, nt_teardown),
		cmocka_unit_test_setup_teardown(test_kill9_tc_then_detach, nt_setup, nt_teardown),
		cmocka_unit_test_setup_teardown(test_signals_xdp, nt_setup, nt_teardown),
		cmocka_unit_test_setup_teardown(test_signals_tc_ingress, nt_setup, nt_teardown),
	};

	return cmocka_run_group_tests_name("netns", tests, nt_group_setup, nt_group_teardown);
}
