// SPDX-License-Identifier: MIT
/*
 * Bad input gets a clear error and loses nothing: the CLI on malformed
 * arguments, captures, label rules, models and CSVs. Each case checks the
 * exit status, a message naming the problem, and that no output file is
 * left behind or overwritten. No privileges needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "capgen.h"

static char dir[] = "/tmp/ff-cli-XXXXXX";

/* Run a shell command; its stderr+stdout in *out; exit status returned. */
static int run(char **out, const char *fmt, ...)
{
	char cmd[2048], buf[4096];
	size_t len = 0;
	va_list ap;
	FILE *p;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	assert_non_null(p);
	*out = calloc(1, 1);
	while (fgets(buf, sizeof(buf), p)) {
		*out = realloc(*out, len + strlen(buf) + 1);
		strcpy(*out + len, buf);
		len += strlen(buf);
	}
	rc = pclose(p);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void expect(int want_rc, const char *want_msg, const char *fmt, ...)
{
	char cmd[2048], *out;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = run(&out, "%s", cmd);
	if ((want_rc >= 0 && rc != want_rc) || (want_rc < 0 && rc == 0) ||
	    (want_msg && !strstr(out, want_msg)))
		fail_msg("`%s`: exit %d, output:\n%s\nwanted exit %d and '%s'", cmd, rc, out,
			 want_rc, want_msg ? want_msg : "");
	free(out);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static void need_binary(void)
{
	if (access("./flowforest", X_OK)) {
		print_message("./flowforest not built: skipping\n");
		skip();
	}
}

static void test_usage_errors(void **state)
{
	(void)state;
	need_binary();
	expect(2, "unknown command", "./flowforest frobnicate");
	expect(2, "Usage", "./flowforest");
	expect(0, "EXAMPLES", "./flowforest run --help");
	expect(0, "EXAMPLES", "./flowforest extract --help");
	expect(0, "EXAMPLES", "./flowforest model --help");
	expect(-1, "--iface is required", "./flowforest run -m lab/models/handwritten.json");
	expect(-1, "unknown hook", "./flowforest run -i lo -H nope -m lab/models/handwritten.json");
	expect(-1, "--checkpoints wants", "./flowforest run -i lo -m x.json -c 4,2");
	expect(-1, "--flows wants", "./flowforest run -i lo -m x.json --flows -3");
	expect(-1, "which capture", "./flowforest extract");
	expect(-1, "--idle-timeout wants", "./flowforest extract x.pcap --idle-timeout soon");
	expect(2, "--action", "./flowforest run -i lo -m x.json -a =drop");
	expect(2, "--action", "./flowforest model load -i lo -a benign x.json");
	expect(2, "--action", "./flowforest train --csv a.csv -o m.json -a benign=zap");
	expect(-1, "is not pass, drop or alert",
	       "./flowforest run -i lo -m lab/models/handwritten.json -a benign=zap");
	expect(-1, "no class \"nope\"",
	       "./flowforest run -i lo -m lab/models/handwritten.json -a nope=drop");
}

/* Every command and sub-command answers --help with exit 0 and examples. */
static void test_help_everywhere(void **state)
{
	static const char *const cmds[] = {
		"run", "extract", "replay", "train", "eval", "model", "model show",
		"model validate", "model load", "features", "stats", "flows", "allow",
		"allow add", "allow del", "allow list", "allow load", "deny", "deny add",
		"deny del", "deny list", "deny load", "stop", "detach", "twin",
	};
	size_t i;

	(void)state;
	need_binary();
	expect(0, "EXAMPLES", "./flowforest --help");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		expect(0, "EXAMPLE", "./flowforest %s --help", cmds[i]);
		expect(0, "Usage: flowforest", "./flowforest %s --help", cmds[i]);
	}
}

/* Unknown options and stray arguments are errors that name them. */
static void test_unknown_options_named(void **state)
{
	(void)state;
	need_binary();
	expect(2, "'--jsno'", "./flowforest stats --jsno -i lo");
	expect(2, "'--jsno'", "./flowforest flows -i lo --jsno");
	expect(2, "'--force'", "./flowforest stop -i lo --force");
	expect(2, "'--jsno'", "./flowforest model load --jsno -i lo x.json");
	expect(2, "'--jsno'", "./flowforest model show --jsno x.json");
	expect(2, "'--jsno'", "./flowforest features --jsno");
	expect(2, "'--jsno'", "./flowforest allow list -i lo --jsno");
	expect(2, "'--jsno'", "./flowforest detach -i lo --jsno");
	expect(2, "unexpected argument 'extra'", "./flowforest stats -i lo extra");
	expect(2, "unexpected argument 'extra'", "./flowforest flows -i lo extra");
	expect(2, "unexpected argument 'extra'", "./flowforest deny list -i lo extra");
	expect(2, "unexpected argument 'b.json'", "./flowforest model validate a.json b.json");
	expect(2, "unknown command 'frob'", "./flowforest model frob");
	expect(2, "unknown command 'frob'", "./flowforest allow frob -i lo");
	expect(2, "--iface is required", "./flowforest stats");
	expect(2, "--iface is required", "./flowforest model load x.json");
}

/* One strict number parser: the message names the option. */
static void test_bad_numbers(void **state)
{
	(void)state;
	need_binary();
	expect(2, "--idle-timeout", "./flowforest extract x.pcap -T nan");
	expect(2, "--idle-timeout", "./flowforest extract x.pcap -T inf");
	expect(2, "--idle-timeout", "./flowforest extract x.pcap -T 1e-7");
	expect(2, "--idle-timeout", "./flowforest extract x.pcap -T 1e99");
	expect(2, "--idle-timeout", "./flowforest extract x.pcap -T ' 5'");
	expect(2, "--idle-timeout", "./flowforest extract x.pcap -T 0x10");
	expect(2, "--idle-timeout", "./flowforest run -i lo -m x.json -T -1");
	expect(2, "--idle-timeout", "./flowforest twin -i lo -m x.json -T 1e-9");
	expect(2, "--top", "./flowforest flows -i lo --top abc");
	expect(2, "--top", "./flowforest flows -i lo --top 1e99");
	expect(2, "--top", "./flowforest flows -i lo --top ''");
	expect(2, "--flows", "./flowforest run -i lo -m x.json --flows 1e99");
	expect(2, "--flows", "./flowforest twin -i lo -m x.json --flows 12abc");
	expect(2, "--flows", "./flowforest run -i lo -m x.json --flows 99999999999");
	expect(2, "--every", "./flowforest extract x.pcap --every -1");
	expect(2, "--every", "./flowforest run -i lo -m x.json -e 4x");
	expect(2, "--duration", "./flowforest run -i lo -m x.json --duration nan");
	expect(2, "--interval", "./flowforest twin -i lo -m x.json --interval inf");
	expect(2, "--ring-mb", "./flowforest twin -i lo -m x.json --ring-mb 0");
	expect(2, "--checkpoints", "./flowforest run -i lo -m x.json -c 1,2,x");
	expect(2, "--trees", "./flowforest train --csv a.csv -o m.json --trees 2.5");
	expect(2, "--seed", "./flowforest train --csv a.csv -o m.json --seed -1");
	expect(2, "--test-split", "./flowforest train --csv a.csv -o m.json --test-split nan");
	expect(2, "--threads", "./flowforest train --csv a.csv -o m.json -j +4");
}

/* Interface names become paths under /sys/fs/bpf: checked before use. */
static void test_iface_names(void **state)
{
	(void)state;
	need_binary();
	expect(2, "--iface", "./flowforest stop -i ..");
	expect(2, "--iface", "./flowforest stop --iface .");
	expect(2, "--iface", "./flowforest stats -i ../../etc");
	expect(2, "--iface", "./flowforest flows -i 'a b'");
	expect(2, "--iface", "./flowforest model load -i \"$(printf 'e\\tx')\" x.json");
	expect(2, "--iface", "./flowforest run -i abcdefghijklmnopq -m x.json");
	expect(2, "--iface", "./flowforest twin -i '' -m x.json");
	expect(2, "--iface", "./flowforest allow add -i .. 10.0.0.0/8");
	expect(2, "--iface", "./flowforest detach -i ..");
}

static void test_bad_captures_leave_nothing(void **state)
{
	char out[256], pcap[256], *s;
	struct stat st;

	(void)state;
	need_binary();
	snprintf(pcap, sizeof(pcap), "%s/garbage.pcap", dir);
	snprintf(out, sizeof(out), "%s/out.csv", dir);
	expect(0, NULL, "echo not a capture > %s", pcap);
	expect(1, "unknown file format", "./flowforest extract %s -o %s", pcap, out);
	assert_int_not_equal(stat(out, &st), 0);
	expect(1, "No such file", "./flowforest extract %s/none.pcap -o %s", dir, out);
	/* an existing output is not destroyed by a failed run */
	expect(0, NULL, "echo precious > %s", out);
	expect(1, "unknown file format", "./flowforest extract %s -o %s", pcap, out);
	assert_int_equal(run(&s, "cat %s", out), 0);
	assert_string_equal(s, "precious\n");
	free(s);
	expect(1, "bad --label", "./flowforest extract %s -l 'x:dport=99999' -o %s", pcap, out);
	expect(1, "bad model", "./flowforest extract %s -m %s -o %s", pcap, pcap, out);
	assert_int_equal(run(&s, "ls %s", dir), 0);
	assert_null(strstr(s, ".tmp."));	/* no temporary left either */
	free(s);
	/* a device stays a device: /dev/null is written to, not replaced */
	expect(0, NULL, "./flowforest extract -q ../shared/data/pcaps/sgr_hs-icmpScan.pcap "
	       "-o /dev/null 2>/dev/null || ./flowforest extract -q %s -o /dev/null; "
	       "test -c /dev/null", pcap);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

/* A capture of a few flows in dir; its path in buf. */
static void make_capture(char *buf, size_t len, const char *name)
{
	struct capgen_stats st;

	snprintf(buf, len, "%s/%s", dir, name);
	assert_int_equal(capgen_write(buf, 10, 3, &st), 0);
}

/* Issue 10 item 1: a huge or hostile default label is refused cleanly
 * (the old writer overflowed its stack); a label with a comma cannot
 * shift columns because it cannot be defined. */
static void test_hostile_labels(void **state)
{
	char pcap[256];

	(void)state;
	need_binary();
	make_capture(pcap, sizeof(pcap), "labels.pcap");
	expect(2, "--default-label", "./flowforest extract -q -D \"$(head -c 5000 /dev/zero | "
	       "tr '\\0' A)\" %s -o /dev/null", pcap);
	expect(2, "--default-label", "./flowforest extract -q -D 'a,b' %s -o /dev/null", pcap);
	expect(2, "--default-label", "./flowforest extract -q -D \"$(printf 'a\\nb')\" %s", pcap);
	expect(1, "control characters",
	       "./flowforest extract -q -l \"$(printf 'x\\ty'):dport=80\" %s -o /dev/null", pcap);
	expect(0, NULL, "./flowforest extract -q -D 'DoS Hulk' %s | grep -q ',DoS Hulk$'", pcap);
}

/* Issue 10 item 2: a symlink planted at the old temporary name
 * (OUT.tmp.PID; `exec` keeps the shell's PID) is not followed. */
static void test_output_planted_symlink(void **state)
{
	char pcap[256], *s;

	(void)state;
	need_binary();
	make_capture(pcap, sizeof(pcap), "sym.pcap");
	expect(0, NULL, "echo precious > %s/victim", dir);
	expect(0, NULL, "cd %s && sh -c 'ln -s victim out.csv.tmp.$$ && exec %s/flowforest "
	       "extract -q %s -o out.csv'", dir, getcwd((char[4096]){ 0 }, 4096), pcap);
	assert_int_equal(run(&s, "cat %s/victim", dir), 0);
	assert_string_equal(s, "precious\n");
	free(s);
	expect(0, "Flow ID", "head -1 %s/out.csv", dir);
	expect(0, NULL, "test ! -L %s/out.csv", dir);
	/* nothing but the capture, the victim, the link and the output */
	expect(0, NULL, "test $(ls -A %s | grep -c '^\\.out') = 0", dir);
}

/* Issue 10 item 3: a capture cut inside its last record keeps every
 * complete frame, warns, and exits 0; with --strict it exits 1. */
static void test_capture_cut_short(void **state)
{
	char pcap[256], cut[300], *full, *part;
	struct stat st;

	(void)state;
	need_binary();
	make_capture(pcap, sizeof(pcap), "whole.pcap");
	snprintf(cut, sizeof(cut), "%s/cut.pcap", dir);
	assert_int_equal(stat(pcap, &st), 0);
	expect(0, NULL, "head -c %lld %s > %s", (long long)st.st_size - 3, pcap, cut);
	expect(0, "appears cut short", "./flowforest extract -q %s -o %s/cut.csv", cut, dir);
	expect(1, "appears cut short", "./flowforest extract -q --strict %s -o %s/strict.csv",
	       cut, dir);
	/* the same rows as the whole capture minus its last frame's effect:
	 * at least every flow is there */
	assert_int_equal(run(&full, "./flowforest extract -q %s | cut -d, -f1 | sort -u | wc -l",
			     pcap), 0);
	assert_int_equal(run(&part, "cut -d, -f1 %s/cut.csv | sort -u | wc -l", dir), 0);
	assert_true(atoi(part) > 1);
	assert_true(atoi(full) - atoi(part) <= 1);
	free(full);
	free(part);
	expect(0, NULL, "test -s %s/strict.csv", dir);
}

static void test_bad_models_and_csvs(void **state)
{
	char f[256];

	(void)state;
	need_binary();
	snprintf(f, sizeof(f), "%s/m.json", dir);
	expect(0, NULL, "echo '{\"format\":\"flowforest-model\",\"version\":1}' > %s", f);
	expect(1, "\"features\" must be an array", "./flowforest model validate %s", f);
	expect(0, "ok (1 trees", "./flowforest model validate lab/models/handwritten.json");
	snprintf(f, sizeof(f), "%s/bad.csv", dir);
	expect(0, NULL, "printf 'Dst Port,Protocol,Label\\n80,6,a\\n80,6\\n' > %s", f);
	expect(-1, "bad.csv:3", "./flowforest train --csv %s -o %s/x.json", f, dir);
	expect(-1, "no label column \"nope\"", "./flowforest train --csv lab/models/handwritten.json "
	       "--label-column nope -o %s/x.json", dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_help_everywhere),
		cmocka_unit_test(test_unknown_options_named),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_iface_names),
		cmocka_unit_test(test_bad_captures_leave_nothing),
		cmocka_unit_test(test_bad_models_and_csvs),
		cmocka_unit_test(test_hostile_labels),
		cmocka_unit_test(test_output_planted_symlink),
		cmocka_unit_test(test_capture_cut_short),
	};

	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
