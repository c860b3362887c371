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
#include "pkt.h"
#include "scratch.h"

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
	if (strstr(*out, "Sanitizer") || strstr(*out, "runtime error:"))
		fail_msg("`%s`: a sanitizer report:\n%s", cmd, *out);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Skip the test, saying so, unless every command of `tools` (separated by
 * spaces) is on the PATH. */
static void need_tools(const char *tools)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "for t in %s; do command -v $t > /dev/null 2>&1 || exit 1; done",
		 tools);
	if (system(cmd)) {
		print_message("no %s: skipping\n", tools);
		skip();
	}
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

/* $FF, the binary under test: ./flowforest, or the sanitizer build that
 * tests/run.sh names in FLOWFOREST_BIN. */
static int setup(void **state)
{
	const char *bin = getenv("FLOWFOREST_BIN");
	char path[4096];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	if (!realpath(bin ? bin : "./flowforest", path))
		return bin ? -1 : 0;	/* need_binary() skips */
	return setenv("FF", path, 1);
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

static void need_binary(void)
{
	const char *ff = getenv("FF");

	if (!ff || access(ff, X_OK)) {
		print_message("./flowforest not built: skipping\n");
		skip();
	}
}

static void test_usage_errors(void **state)
{
	(void)state;
	need_binary();
	expect(2, "unknown command", "$FF frobnicate");
	expect(2, "Usage", "$FF");
	expect(0, "EXAMPLES", "$FF run --help");
	expect(0, "EXAMPLES", "$FF extract --help");
	expect(0, "EXAMPLES", "$FF model --help");
	expect(-1, "--iface is required", "$FF run -m lab/models/handwritten.json");
	expect(-1, "unknown hook", "$FF run -i lo -H nope -m lab/models/handwritten.json");
	expect(-1, "--checkpoints wants", "$FF run -i lo -m x.json -c 4,2");
	expect(-1, "--flows wants", "$FF run -i lo -m x.json --flows -3");
	/* a word option names itself and lists its words */
	expect(2, "--model wants dt, rf or gbdt, got 'svm'", "$FF train --csv a.csv -o m.json -m svm");
	expect(2, "--criterion wants gini or entropy", "$FF train --csv a.csv -o m.json --criterion x");
	expect(2, "--validation wants a fraction in (0, 1), got '1'",
	       "$FF train --csv a.csv -o m.json -m gbdt --validation 1");
	expect(2, "--format wants snapshots or cic", "$FF extract x.pcap --format csv");
	expect(2, "--from wants xgboost or sklearn", "$FF model import --from lgbm -o m.json x");
	expect(-1, "which capture", "$FF extract");
	expect(-1, "--idle-timeout wants", "$FF extract x.pcap --idle-timeout soon");
	expect(2, "--action", "$FF run -i lo -m x.json -a =drop");
	expect(2, "--action", "$FF model load -i lo -a benign x.json");
	expect(2, "--action", "$FF train --csv a.csv -o m.json -a benign=zap");
	expect(-1, "is not pass, drop or alert",
	       "$FF run -i lo -m lab/models/handwritten.json -a benign=zap");
	expect(-1, "no class \"nope\"",
	       "$FF run -i lo -m lab/models/handwritten.json -a nope=drop");
}

/* The commands listed in `CMD --help`'s "Commands:" section, one per line
 * in *names (NULL if the command has no sub-commands). */
static char *list_commands(const char *cmd)
{
	char *out, *p, *names = calloc(1, 1);
	size_t len = 0;

	assert_int_equal(run(&out, "$FF %s --help", cmd), 0);
	p = strstr(out, "\nCommands:\n");
	if (!p) {
		free(out);
		free(names);
		return NULL;
	}
	/* to the blank line; a wrapped help text continues unindented */
	for (p = strchr(p + 1, '\n') + 1; *p && *p != '\n'; p = strchr(p, '\n') + 1) {
		char word[64];

		if (p[0] != ' ' || p[1] != ' ' || p[2] == ' ')
			continue;
		assert_int_equal(sscanf(p, " %63s", word), 1);
		names = realloc(names, len + strlen(word) + 2);
		len += sprintf(names + len, "%s\n", word);
	}
	free(out);
	return names;
}

/* Every command and sub-command, as --help lists them (so new ones are
 * covered), answers --help with exit 0, a usage line and examples. */
static void test_help_everywhere(void **state)
{
	char *cmds, *cmd, *save = NULL;
	int n = 0;

	(void)state;
	need_binary();
	expect(0, "EXAMPLES", "$FF --help");
	cmds = list_commands("");
	assert_non_null(cmds);
	for (cmd = strtok_r(cmds, "\n", &save); cmd; cmd = strtok_r(NULL, "\n", &save)) {
		char *subs = list_commands(cmd), *sub, *save2 = NULL;

		expect(0, "EXAMPLE", "$FF %s --help", cmd);
		expect(0, "Usage: flowforest", "$FF %s --help", cmd);
		n++;
		for (sub = subs ? strtok_r(subs, "\n", &save2) : NULL; sub;
		     sub = strtok_r(NULL, "\n", &save2)) {
			expect(0, "EXAMPLE", "$FF %s %s --help", cmd, sub);
			expect(0, "Usage: flowforest", "$FF %s %s --help", cmd, sub);
			n++;
		}
		free(subs);
	}
	free(cmds);
	print_message("[ help    ] %d commands and sub-commands\n", n);
	assert_true(n >= 25);
}

/* Unknown options and stray arguments are errors that name them. */
static void test_unknown_options_named(void **state)
{
	(void)state;
	need_binary();
	expect(2, "'--jsno'", "$FF stats --jsno -i lo");
	expect(2, "'--jsno'", "$FF flows -i lo --jsno");
	expect(2, "'--force'", "$FF stop -i lo --force");
	expect(2, "'--jsno'", "$FF model load --jsno -i lo x.json");
	expect(2, "'--jsno'", "$FF model show --jsno x.json");
	expect(2, "'--jsno'", "$FF features --jsno");
	expect(2, "'--jsno'", "$FF allow list -i lo --jsno");
	expect(2, "'--jsno'", "$FF detach -i lo --jsno");
	expect(2, "unexpected argument 'extra'", "$FF stats -i lo extra");
	expect(2, "unexpected argument 'extra'", "$FF flows -i lo extra");
	expect(2, "unexpected argument 'extra'", "$FF deny list -i lo extra");
	expect(2, "unexpected argument 'b.json'", "$FF model validate a.json b.json");
	expect(2, "unknown command 'frob'", "$FF model frob");
	expect(2, "unknown command 'frob'", "$FF allow frob -i lo");
	expect(2, "--iface is required", "$FF stats");
	expect(2, "--iface is required", "$FF model load x.json");
}

/* One strict number parser: the message names the option. */
static void test_bad_numbers(void **state)
{
	(void)state;
	need_binary();
	expect(2, "--idle-timeout", "$FF extract x.pcap -T nan");
	expect(2, "--idle-timeout", "$FF extract x.pcap -T inf");
	expect(2, "--idle-timeout", "$FF extract x.pcap -T 1e-7");
	expect(2, "--idle-timeout", "$FF extract x.pcap -T 1e99");
	expect(2, "--idle-timeout", "$FF extract x.pcap -T ' 5'");
	expect(2, "--idle-timeout", "$FF extract x.pcap -T 0x10");
	expect(2, "--idle-timeout", "$FF run -i lo -m x.json -T -1");
	expect(2, "--idle-timeout", "$FF twin -i lo -m x.json -T 1e-9");
	expect(2, "--top", "$FF flows -i lo --top abc");
	expect(2, "--top", "$FF flows -i lo --top 1e99");
	expect(2, "--top", "$FF flows -i lo --top ''");
	expect(2, "--flows", "$FF run -i lo -m x.json --flows 1e99");
	expect(2, "--flows", "$FF twin -i lo -m x.json --flows 12abc");
	expect(2, "--flows", "$FF run -i lo -m x.json --flows 99999999999");
	expect(2, "--every", "$FF extract x.pcap --every -1");
	expect(2, "--every", "$FF run -i lo -m x.json -e 4x");
	expect(2, "--duration", "$FF run -i lo -m x.json --duration nan");
	expect(2, "--interval", "$FF twin -i lo -m x.json --interval inf");
	expect(2, "--ring-mb", "$FF twin -i lo -m x.json --ring-mb 0");
	expect(2, "--checkpoints", "$FF run -i lo -m x.json -c 1,2,x");
	expect(2, "--trees", "$FF train --csv a.csv -o m.json --trees 2.5");
	expect(2, "--seed", "$FF train --csv a.csv -o m.json --seed -1");
	expect(2, "--test-split", "$FF train --csv a.csv -o m.json --test-split nan");
	expect(2, "--threads", "$FF train --csv a.csv -o m.json -j +4");
}

/* Interface names become paths under /sys/fs/bpf: checked before use. */
static void test_iface_names(void **state)
{
	(void)state;
	need_binary();
	expect(2, "--iface", "$FF stop -i ..");
	expect(2, "--iface", "$FF stop --iface .");
	expect(2, "--iface", "$FF stats -i ../../etc");
	expect(2, "--iface", "$FF flows -i 'a b'");
	expect(2, "--iface", "$FF model load -i \"$(printf 'e\\tx')\" x.json");
	expect(2, "--iface", "$FF run -i abcdefghijklmnopq -m x.json");
	expect(2, "--iface", "$FF twin -i '' -m x.json");
	expect(2, "--iface", "$FF allow add -i .. 10.0.0.0/8");
	expect(2, "--iface", "$FF detach -i ..");
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
	expect(1, "unknown file format", "$FF extract %s -o %s", pcap, out);
	assert_int_not_equal(stat(out, &st), 0);
	expect(1, "No such file", "$FF extract %s/none.pcap -o %s", dir, out);
	/* an existing output is not destroyed by a failed run */
	expect(0, NULL, "echo precious > %s", out);
	expect(1, "unknown file format", "$FF extract %s -o %s", pcap, out);
	assert_int_equal(run(&s, "cat %s", out), 0);
	assert_string_equal(s, "precious\n");
	free(s);
	expect(1, "bad --label", "$FF extract %s -l 'x:dport=99999' -o %s", pcap, out);
	expect(1, "bad model", "$FF extract %s -m %s -o %s", pcap, pcap, out);
	assert_int_equal(run(&s, "ls %s", dir), 0);
	assert_null(strstr(s, ".tmp."));	/* no temporary left either */
	free(s);
	/* a device stays a device: /dev/null is written to, not replaced */
	expect(0, NULL, "$FF extract -q ../shared/data/pcaps/sgr_hs-icmpScan.pcap "
	       "-o /dev/null 2>/dev/null || $FF extract -q %s -o /dev/null; "
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
	expect(2, "--default-label", "$FF extract -q -D \"$(head -c 5000 /dev/zero | "
	       "tr '\\0' A)\" %s -o /dev/null", pcap);
	expect(2, "--default-label", "$FF extract -q -D 'a,b' %s -o /dev/null", pcap);
	expect(2, "--default-label", "$FF extract -q -D \"$(printf 'a\\nb')\" %s", pcap);
	expect(1, "control characters",
	       "$FF extract -q -l \"$(printf 'x\\ty'):dport=80\" %s -o /dev/null", pcap);
	expect(0, NULL, "$FF extract -q -D 'DoS Hulk' %s | grep -q ',DoS Hulk$'", pcap);
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
	expect(0, NULL, "cd %s && sh -c 'ln -s victim out.csv.tmp.$$ && exec \"$FF\" "
	       "extract -q %s -o out.csv'", dir, pcap);
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
	expect(0, "appears cut short", "$FF extract -q %s -o %s/cut.csv", cut, dir);
	expect(1, "appears cut short", "$FF extract -q --strict %s -o %s/strict.csv",
	       cut, dir);
	/* the same rows as the whole capture minus its last frame's effect:
	 * at least every flow is there */
	assert_int_equal(run(&full, "$FF extract -q %s | cut -d, -f1 | sort -u | wc -l",
			     pcap), 0);
	assert_int_equal(run(&part, "cut -d, -f1 %s/cut.csv | sort -u | wc -l", dir), 0);
	assert_true(atoi(part) > 1);
	assert_true(atoi(full) - atoi(part) <= 1);
	free(full);
	free(part);
	expect(0, NULL, "test -s %s/strict.csv", dir);
	/* replay reads captures the same way and writes the same rows */
	if (geteuid() == 0) {
		expect(0, "appears cut short", "$FF replay -q %s -o %s/replay.csv", cut, dir);
		expect(0, NULL, "cmp %s/cut.csv %s/replay.csv", dir, dir);
		expect(1, "appears cut short", "$FF replay -q --strict %s -o /dev/null", cut);
	}
}

/* Issue 10 item 16: libbpf's debug output (the object's parsing, the
 * verifier's log) comes with -v, and only with it. replay loads the BPF
 * program, so it needs root. */
static void test_verbose_libbpf(void **state)
{
	char pcap[256], *out;

	(void)state;
	need_binary();
	if (geteuid() != 0)
		skip();
	make_capture(pcap, sizeof(pcap), "verbose.pcap");
	expect(0, "libbpf: ", "$FF -v replay -q %s -o /dev/null", pcap);
	assert_int_equal(run(&out, "$FF replay -q %s -o /dev/null", pcap), 0);
	if (strstr(out, "libbpf: "))
		fail_msg("libbpf debug output without -v:\n%s", out);
	free(out);
	expect(2, "--verbose", "$FF replay --verbose -q %s -o /dev/null", pcap);
}

static void test_bad_models_and_csvs(void **state)
{
	char f[256];

	(void)state;
	need_binary();
	snprintf(f, sizeof(f), "%s/m.json", dir);
	expect(0, NULL, "echo '{\"format\":\"flowforest-model\",\"version\":1}' > %s", f);
	expect(1, "\"features\" must be an array", "$FF model validate %s", f);
	expect(0, "ok (1 trees", "$FF model validate lab/models/handwritten.json");
	snprintf(f, sizeof(f), "%s/bad.csv", dir);
	expect(0, NULL, "printf 'Dst Port,Protocol,Label\\n80,6,a\\n80,6\\n' > %s", f);
	expect(-1, "bad.csv:3", "$FF train --csv %s -o %s/x.json", f, dir);
	expect(-1, "no label column \"nope\"", "$FF train --csv lab/models/handwritten.json "
	       "--label-column nope -o %s/x.json", dir);
}

/*
 * eval with an early_drop model: the rule goes by each row's packet count,
 * so eval reads fwd_pkts and bwd_pkts although no tree splits on them. The
 * one tree (Flow Duration <= 10: votes benign 450, flood 550) names flood;
 * with "early_drop" 1:600, a row of 3 packets is still flood, a row of 1
 * packet benign: 2 of 2 right. Without the packet columns every row read as
 * 0 packets (both benign, 1 of 2); without Total Fwd Packet, a clear error.
 */
static void test_eval_early_drop_counts_packets(void **state)
{
	char m[256], c[256], c2[256];

	(void)state;
	need_binary();
	snprintf(m, sizeof(m), "%s/early.json", dir);
	snprintf(c, sizeof(c), "%s/early.csv", dir);
	snprintf(c2, sizeof(c2), "%s/early2.csv", dir);
	expect(0, NULL, "echo '{\"format\":\"flowforest-model\",\"version\":2,"
	       "\"features\":[{\"name\":\"flow_duration\",\"unit\":\"us\"}],"
	       "\"classes\":[{\"name\":\"benign\"},{\"name\":\"flood\",\"action\":\"drop\"}],"
	       "\"early_drop\":{\"until_pkts\":1,\"min_attack_share\":600},"
	       "\"trees\":[{\"nodes\":[{\"feature\":0,\"threshold\":10,\"left\":1,\"right\":2},"
	       "{\"values\":[450,550]},{\"class\":0}]}]}' > %s", m);
	expect(0, NULL, "printf 'Flow Duration,Total Fwd Packet,Total Bwd packets,Label\\n"
	       "5,3,0,flood\\n5,1,0,benign\\n' > %s", c);
	expect(0, "\"accuracy\":1", "$FF eval -m %s --csv %s --json | tr -d ' '", m, c);
	expect(0, NULL, "printf 'Flow Duration,Total Bwd packets,Label\\n5,0,flood\\n' > %s", c2);
	expect(-1, "no column for feature fwd_pkts", "$FF eval -m %s --csv %s", m, c2);
}

/*
 * "attack_votes" (--attack-votes): the one tree votes benign 450, flood
 * 300, scan 250 for every row. Without the rule the row labelled flood is
 * benign to eval (0 of 1); with min_share 550 the attacks' 550 together
 * name flood (1 of 1). `model show` says so, a min_share above 1000 in the
 * file is a clear error, and train writes the rule from --attack-votes
 * (a permille 0..1000: 1001 is refused).
 */
static void test_attack_votes_rule(void **state)
{
	static const char tree[] = "\"features\":[{\"name\":\"flow_duration\",\"unit\":\"us\"}],"
		"\"classes\":[{\"name\":\"benign\"},{\"name\":\"flood\",\"action\":\"drop\"},"
		"{\"name\":\"scan\",\"action\":\"drop\"}],"
		"\"trees\":[{\"nodes\":[{\"values\":[450,300,250]}]}]";
	char m[256], m2[256], bad[256], c[256];

	(void)state;
	need_binary();
	snprintf(m, sizeof(m), "%s/votes.json", dir);
	snprintf(m2, sizeof(m2), "%s/votes2.json", dir);
	snprintf(bad, sizeof(bad), "%s/votes3.json", dir);
	snprintf(c, sizeof(c), "%s/votes.csv", dir);
	expect(0, NULL, "echo '{\"format\":\"flowforest-model\",\"version\":2,%s}' > %s", tree, m);
	expect(0, NULL, "echo '{\"format\":\"flowforest-model\",\"version\":2,"
	       "\"attack_votes\":{\"min_share\":550},%s}' > %s", tree, m2);
	expect(0, NULL, "echo '{\"format\":\"flowforest-model\",\"version\":2,"
	       "\"attack_votes\":{\"min_share\":1001},%s}' > %s", tree, bad);
	expect(0, NULL, "printf 'Flow Duration,Label\\n5,flood\\n' > %s", c);
	expect(0, "\"accuracy\":0", "$FF eval -m %s --csv %s --json | tr -d ' '", m, c);
	expect(0, "\"accuracy\":1", "$FF eval -m %s --csv %s --json | tr -d ' '", m2, c);
	expect(0, "hold 550 permille of the votes together", "$FF model show %s", m2);
	expect(-1, "\"attack_votes\" must be", "$FF model show %s", bad);
	expect(0, NULL, "printf 'Flow Duration,Label\\n5,benign\\n9,flood\\n' > %s", c);
	expect(0, "\"min_share\":550", "$FF train --csv %s -o %s/tv.json --model dt --test-split 0 "
	       "--attack-votes 550 -q && tr -d ' \\n' < %s/tv.json", c, dir, dir);
	expect(-1, "--attack-votes wants a permille", "$FF train --csv %s -o %s/tv.json "
	       "--attack-votes 1001 -q", c, dir);
}

/* A CSV whose classes a fingerprint (dst_port) separates exactly and a
 * behaviour (fwd_pkts) only in part: the report names the fingerprint with
 * its share and warns; --features behaviour and --exclude-features leave
 * it out (nothing splits on it, no warning). */
static void test_train_fingerprint_report(void **state)
{
	char csv[256], *out;
	int i, rc;
	FILE *f;

	(void)state;
	need_binary();
	snprintf(csv, sizeof(csv), "%s/fp.csv", dir);
	f = fopen(csv, "w");
	assert_non_null(f);
	fprintf(f, "dst_port,fwd_pkts,flow_duration,Label\n");
	for (i = 0; i < 400; i++)	/* fwd_pkts overlaps between the classes */
		fprintf(f, "%d,%d,%d,%s\n", i % 2 ? 9999 : 80, 1 + (i * 7) % 13 + (i % 2) * 3,
			(i * 37) % 1000, i % 2 ? "flood" : "benign");
	fclose(f);

	rc = run(&out, "$FF train --csv %s -o %s/fp.json --model dt --test-split 0 "
		 "--json-report %s/fp.rep.json -q", csv, dir, dir);
	assert_int_equal(rc, 0);
	if (!strstr(out, "feature importance (share of the total impurity decrease, splits)") ||
	    !strstr(out, "dst_port") || !strstr(out, "(!) fingerprint: a port used as an id") ||
	    !strstr(out, "warning: ") || !strstr(out, "identify a tool or a host"))
		fail_msg("no importance or fingerprint warning:\n%s", out);
	free(out);
	expect(0, "\"fingerprint_share\"", "cat %s/fp.rep.json", dir);
	expect(0, "\"class\":\"fingerprint\"", "cat %s/fp.rep.json", dir);

	/* the same data on behaviours only: dst_port is not a feature of the model */
	rc = run(&out, "$FF train --csv %s -o %s/fb.json --model dt --test-split 0 "
		 "--features behaviour -q && grep -c dst_port %s/fb.json", csv, dir, dir);
	if (rc != 1 || strstr(out, "warning: ") || !strstr(out, "fwd_pkts") ||
	    strstr(out, "(!) fingerprint"))
		fail_msg("--features behaviour: exit %d (grep finds no dst_port: 1):\n%s", rc, out);
	free(out);
	rc = run(&out, "$FF train --csv %s -o %s/fe.json --model dt --test-split 0 "
		 "--exclude-features fingerprint -q && grep -c dst_port %s/fe.json", csv, dir, dir);
	if (rc != 1 || strstr(out, "warning: "))
		fail_msg("--exclude-features fingerprint: exit %d:\n%s", rc, out);
	free(out);
	rc = run(&out, "$FF train --csv %s -o %s/fe.json --model dt --test-split 0 "
		 "--exclude-features Dst\\ Port,flow_duration -q && grep -c 'dst_port\\|flow_duration' "
		 "%s/fe.json", csv, dir, dir);
	if (rc != 1)
		fail_msg("--exclude-features by name: exit %d:\n%s", rc, out);
	free(out);
	expect(1, "--exclude-features: unknown feature \"bogus\"",
	       "$FF train --csv %s -o %s/fx.json --exclude-features bogus", csv, dir);
	expect(1, "no column matches a kernel feature that is not excluded",
	       "$FF train --csv %s -o %s/fx.json --exclude-features dst_port,behaviour", csv, dir);
	expect(0, "--features behaviour -o", "$FF train --help | grep -A20 EXAMPLES");
	/* the class is the feature table's: the listing, JSON and docs show it */
	expect(0, "fingerprint", "$FF features | grep -w fwd_ttl");
	expect(0, "\"class\":\"behaviour\"", "$FF features --json | tr -d ' \n' | "
	       "grep -o '\"name\":\"syn_count\"[^}]*'");
	expect(0, "| fingerprint: a TCP stack's or a tool's window |",
	       "$FF features --markdown | grep init_win");
}

/* --folds: the data parsed once, each fold the model --split-file and -o
 * write (provenance aside: its time), and its --dump-data; a bad line, an
 * empty list and -o with it are errors. */
static void test_train_folds(void **state)
{
	char csv[256], *out;
	int i, rc;
	FILE *f;

	(void)state;
	need_binary();
	snprintf(csv, sizeof(csv), "%s/folds.csv", dir);
	f = fopen(csv, "w");
	assert_non_null(f);
	fprintf(f, "fwd_pkts,flow_duration,Label\n");
	for (i = 0; i < 300; i++)
		fprintf(f, "%d,%d,%s\n", 1 + (i * 7) % 13, (i * 37) % 1000,
			(i * 7) % 13 > 6 ? "flood" : i % 5 ? "benign" : "scan");
	fclose(f);
	expect(0, NULL, "seq 0 3 120 > %s/fa.rows && seq 200 299 > %s/fb.rows && "
	       "printf '%s/fa.rows\\t%s/fa.json\\n# a comment\\n%s/fb.rows\\t%s/fb.json\\t%s/fb.dump.csv\\n' "
	       "> %s/folds.txt", dir, dir, dir, dir, dir, dir, dir, dir);
	rc = run(&out, "$FF train --csv %s --folds %s/folds.txt --trees 4 --seed 3 -q", csv, dir);
	if (rc || !strstr(out, "fold ") || !strstr(out, "fb.json") || !strstr(out, "test-set metrics"))
		fail_msg("--folds: exit %d:\n%s", rc, out);
	free(out);
	expect(0, NULL, "$FF train --csv %s --split-file %s/fa.rows -o %s/sa.json --trees 4 --seed 3 -q && "
	       "$FF train --csv %s --split-file %s/fb.rows -o %s/sb.json --trees 4 --seed 3 -q "
	       "--dump-data %s/sb.dump.csv", csv, dir, dir, csv, dir, dir, dir);
	expect(0, "same same", "python3 -c \"import json, sys\n"
	       "def m(p):\n    j = json.load(open(p)); pr = j.pop('provenance')\n"
	       "    pr.pop('created'); pr.pop('train_seconds'); return j, pr\n"
	       "print(*('same' if m(a) == m(b) else 'differ' for a, b in "
	       "(('%s/fa.json', '%s/sa.json'), ('%s/fb.json', '%s/sb.json'))))\"",
	       dir, dir, dir, dir);
	expect(0, NULL, "cmp %s/fb.dump.csv %s/sb.dump.csv", dir, dir);
	expect(1, "bad.txt:1: wants SPLIT-FILE<tab>MODEL-FILE", "echo '%s/fa.rows' > %s/bad.txt && "
	       "$FF train --csv %s --folds %s/bad.txt -q", dir, dir, csv, dir);
	expect(1, "names no fold", "echo '# none' > %s/none.txt && $FF train --csv %s --folds %s/none.txt",
	       dir, csv, dir);
	expect(1, "nope.rows: No such file", "printf '%s/nope.rows\\t%s/x.json\\n' > %s/nope.txt && "
	       "$FF train --csv %s --folds %s/nope.txt -q", dir, dir, dir, csv, dir);
	expect(2, "--folds names each fold's split, model and dump",
	       "$FF train --csv %s --folds %s/none.txt -o %s/x.json", csv, dir, dir);
	expect(0, "--folds folds.txt", "$FF train --help | grep -A30 EXAMPLES");
}

/* A capture of flows to 10.0.0.2, 1 ms between packets: one UDP packet
 * FROM -> PORT each, or (PORT 0) an ICMP echo flow of 25 packets. */
static void holdout_capture(const char *path, int n, const char *const *from, const int *port)
{
	static const uint32_t head[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	uint8_t frame[PKT_MAX_FRAME];
	uint32_t rec[4], t = 0;
	FILE *f = fopen(path, "wb");
	int i, k;

	assert_non_null(f);
	assert_int_equal(fwrite(head, sizeof(head), 1, f), 1);
	for (i = 0; i < n; i++)
		for (k = 0; k < (port[i] ? 1 : 25); k++) {
			struct pkt_spec sp = { .family = 4, .proto = port[i] ? 17 : 1,
					       .saddr = from[i], .daddr = "10.0.0.2",
					       .sport = 40000 + i, .dport = port[i],
					       .icmp_type = 8, .icmp_id = 7, .icmp_seq = k,
					       .payload_len = 32 };
			size_t len = pkt_build(&sp, frame, sizeof(frame));

			rec[0] = 1700000000;
			rec[1] = 1000 * t++;
			rec[2] = rec[3] = len;
			assert_int_equal(fwrite(rec, sizeof(rec), 1, f), 1);
			assert_int_equal(fwrite(frame, len, 1, f), 1);
		}
	assert_int_equal(fclose(f), 0);
}

/* a.pcap of the two evaluate.py tests below: seven one-packet UDP flows,
 * their sources and destination ports. */
static const char *const holdout_a_src[] = { "198.51.100.1", "198.51.100.2", "10.0.1.5",
					     "198.51.100.3", "10.0.1.6", "198.51.100.4",
					     "10.0.1.5" };
static const int holdout_a_port[] = { 9999, 9999, 53, 9999, 9999, 53, 123 };

/* lab/evaluate.py --holdout counts per capture and label, reading each
 * capture's own rules: with the hand-written model (UDP to port 9999 is
 * udp_probe; an ICMP flow of more than 20 packets ping_flood), a.pcap holds
 * 4 flows labelled udp_probe/x (3 to 9999: 3 of 4 flagged) and 3 benign
 * (one to 9999: 1 of 3 flagged, a false alarm); b.pcap one udp_probe
 * (flagged), 2 benign, and an ICMP flow of 25 packets labelled
 * ping_flood/z that no checkpoint calls ping_flood (16 packets, then 32:
 * not flagged); c.pcap has no rules and is skipped. */
static void test_evaluate_holdout_counts(void **state)
{
	static const char *const fb[] = { "10.0.1.7", "203.0.113.9", "10.0.1.7", "198.51.100.9" };
	static const int pb[] = { 53, 9999, 80, 0 };
	char path[256], *out;
	int rc;

	(void)state;
	need_binary();
	need_tools("python3");
	expect(0, NULL, "mkdir -p %s/ho", dir);
	snprintf(path, sizeof(path), "%s/ho/a.pcap", dir);
	holdout_capture(path, 7, holdout_a_src, holdout_a_port);
	snprintf(path, sizeof(path), "%s/ho/b.pcap", dir);
	holdout_capture(path, 4, fb, pb);
	snprintf(path, sizeof(path), "%s/ho/c.pcap", dir);
	holdout_capture(path, 3, fb, pb);
	expect(0, NULL, "printf 'benign:src=10.0.1.0/24\nudp_probe/x:dst=10.0.0.2/32,proto=udp\n' "
	       "> %s/ho/a.rules && printf '# b\nbenign:src=10.0.1.0/24\nudp_probe:sport=40001\n"
	       "ping_flood/z:proto=icmp\n' "
	       "> %s/ho/b.rules", dir, dir);
	rc = run(&out, "python3 lab/evaluate.py --ff \"$FF\" --out %s/ev --holdout %s/ho "
		 "--model lab/models/handwritten.json --holdout-md %s/R.md", dir, dir, dir);
	if (rc || !strstr(out, "held-out c.pcap: no c.rules beside it, skipped") ||
	    !strstr(out, "| a | udp_probe/x | 4 | 3 | 75.00 % | 3 | udp_probe 3 | 1 |") ||
	    !strstr(out, "| a | benign | 3 | 1 | 33.33 % | 95 % upper bound"))
		fail_msg("evaluate.py --holdout: exit %d:\n%s", rc, out);
	free(out);
	expect(0, "a benign 1/3 udp_probe/x 3/4 own 3; b benign 0/2 ping_flood/z 0/1 own 0 "
	       "udp_probe 1/1 own 1; attack 4/6 benign 1/5 class udp_probe 4/5",
	       "python3 -c \"import json; h = json.load(open('%s/ev/evaluation.json'))['holdout']; "
	       "t = h['total']; print('; '.join(x['scenario'] + ' ' + ' '.join("
	       "k + ' %%d/%%d' %% (v['flagged'], v['flows']) + (' own %%d' %% v['right_class'] "
	       "if 'right_class' in v else '') for k, v in sorted(x['labels'].items())) "
	       "for x in h['scenarios']) + '; attack %%d/%%d benign %%d/%%d' %% (t['attack_flagged'], "
	       "t['attack_flows'], t['benign_flagged'], t['benign_flows']) + ' class udp_probe %%d/%%d' "
	       "%% (h['per_class']['udp_probe']['flagged'], h['per_class']['udp_probe']['flows']))\"",
	       dir);
	expect(0, "handwritten.json (sha256 ", "cat %s/R.md", dir);
	expect(2, "--holdout-md needs --holdout", "python3 lab/evaluate.py --out %s/ev "
	       "--model lab/models/handwritten.json --holdout-md %s/R.md", dir, dir);
}

/* lab/evaluate.py --public: a UDP amplification capture's attack is its
 * UDP flows (replies, their later fragments) and the ICMP that comes with
 * them; its TCP flows are the victim's own traffic (the DNS RRSIG capture
 * holds 299 of 415: ssh sessions, HTTPS, internet scanners' SYNs), counted
 * apart, neither as the flood's misses nor as its hits. Three DNS replies
 * and two SYNs: the capture's attack is 3 flows, 2 are "not the attack". */
static void test_evaluate_public_other(void **state)
{
	const char *rf = "python3 lab/rawflood.py";

	(void)state;
	need_binary();
	need_tools("python3 mergecap");
	expect(0, NULL, "mkdir -p %s/pub && %s reflect 10.0.0.2 --sport 53 --count 3 --pps 10 "
	       "--spoof 198.51.100.0/24 --write %s/u.pcap && %s syn 10.0.0.2 --count 2 --pps 10 "
	       "--spoof 203.0.113.0/24 --write %s/s.pcap && mergecap -F pcap "
	       "-w %s/pub/stopddos_amp.dns.x.pcap %s/u.pcap %s/s.pcap", dir, rf, dir, rf, dir, dir,
	       dir, dir);
	expect(0, "0.00 %  - (not the attack: 2 flows of IP protocol 6, 0 flagged)",
	       "python3 lab/evaluate.py --ff \"$FF\" --out %s/pubev --public %s/pub "
	       "--model lab/models/handwritten.json 2> /dev/null", dir, dir);
	expect(0, "3 2 ['6']", "python3 -c \"import json; c = json.load(open('%s/pubev/"
	       "evaluation.json'))['public']['captures'][0]; print(c['flows'], c['other']['flows'], "
	       "c['other']['protocols'])\"", dir);
}

/* DIR/SUB/a.pcap (holdout_capture()'s 7 flows) and its tool rules
 * DIR/SUB/tools.rules: udp_probe/x, the flows from 198.51.100.0/24;
 * udp_probe/y, the one to port 53. */
static void udp_probe_setup(const char *sub)
{
	char path[256];

	expect(0, NULL, "mkdir -p %s/%s", dir, sub);
	snprintf(path, sizeof(path), "%s/%s/a.pcap", dir, sub);
	holdout_capture(path, 7, holdout_a_src, holdout_a_port);
	expect(0, NULL, "printf 'udp_probe/x:src=198.51.100.0/24\nudp_probe/y:dport=53\n' "
	       "> %s/%s/tools.rules", dir, sub);
}

/* lab/evaluate.py's leave-one-tool-out extracts each --train capture on
 * its own clock (and keeps its folds for lab/foldwhy.py when asked): a.pcap given twice (the same packets at the same times,
 * as a round and its benign traffic alone are) holds twice the rows of
 * a.pcap once (each one-packet flow a checkpoint and a final row), not one
 * stream where the copy's packets continue the first copy's flows (3 rows
 * a flow). udp_probe/x: the 4 flows from 198.51.100.0/24; udp_probe/y: the
 * one to port 53 from 10.0.1.5; the other two benign. */
static void test_evaluate_loto_own_clocks(void **state)
{
	static const char *const rows =
		"python3 -c \"import json; t = json.load(open('%s/lo/evaluation.json'))"
		"['leave_one_tool_out']['tools']; print(' '.join('%%s %%d' %% (x['tool'], "
		"x['training_rows_left_out']) for x in t))\"";
	(void)state;
	need_binary();
	need_tools("python3");
	udp_probe_setup("lo");
	expect(0, NULL, "python3 lab/evaluate.py --ff \"$FF\" --out %s/lo --tools %s/lo/tools.rules "
	       "--train %s/lo/a.pcap --train-option=--trees=2", dir, dir, dir);
	expect(0, "x 8 y 2", rows, dir);
	expect(0, NULL, "python3 lab/evaluate.py --ff \"$FF\" --out %s/lo --tools %s/lo/tools.rules "
	       "--train %s/lo/a.pcap %s/lo/a.pcap --loto-test %s/lo/a.pcap --train-option=--trees=2",
	       dir, dir, dir, dir, dir);
	expect(0, "x 16 y 4", rows, dir);
	/* --keep-folds: each fold's forest, its integer rows and its tool's
	 * flows scored, which lab/foldwhy.py walks: x's 8 test rows */
	expect(0, NULL, "python3 lab/evaluate.py --ff \"$FF\" --out %s/lo --tools %s/lo/tools.rules "
	       "--train %s/lo/a.pcap --train-option=--trees=2 --keep-folds %s/lo/folds",
	       dir, dir, dir, dir);
	expect(0, "udp_probe_x.json udp_probe_x.rows.csv udp_probe_x.scored.csv udp_probe_y.json",
	       "cd %s/lo/folds && echo *", dir);
	expect(0, "of 8 udp_probe rows of the left-out tool called benign",
	       "python3 lab/foldwhy.py %s/lo/folds/udp_probe_x", dir);
	expect(0, "\"tool_rows\": 8", "python3 lab/foldwhy.py --json %s/lo/folds/udp_probe_x", dir);
	expect(2, "--keep-folds needs --train", "python3 lab/evaluate.py --out %s/lo "
	       "--keep-folds %s/lo/folds", dir, dir);
}

/* lab/evaluate.py --jobs 2 (the default: the folds in one process, the
 * parts that test --model in another) writes what --jobs 1 (one after
 * the other) writes, the times aside; a failing part fails the run. */
static void test_evaluate_jobs_same(void **state)
{
	static const char *const ev =
		"python3 lab/evaluate.py --ff \"$FF\" --out %s/jb/%s --tools %s/jb/tools.rules "
		"--train %s/jb/a.pcap --train-option=--trees=2 --model %s/jb/m.json --benign %s/jb/%s "
		"--jitter 8 --perturb %s/jb/a.pcap --attack-src 198.51.100.0/24 --quick --jobs %d";
	(void)state;
	need_binary();
	need_tools("python3");
	udp_probe_setup("jb");
	expect(0, NULL, "$FF extract -q --labels %s/jb/tools.rules -o %s/jb/a.csv %s/jb/a.pcap && "
	       "$FF train --csv %s/jb/a.csv --trees 2 --test-split 0 -q -o %s/jb/m.json",
	       dir, dir, dir, dir, dir);
	expect(0, NULL, ev, dir, "one", dir, dir, dir, dir, "a.pcap", dir, 1);
	expect(0, NULL, ev, dir, "two", dir, dir, dir, dir, "a.pcap", dir, 2);
	expect(0, "same ['leave_one_tool_out', 'perturbation', 'in_lab', 'false_alarms', 'jitter']",
	       "python3 -c \"import json\n"
	       "def r(p):\n    e = json.load(open(p)); e.pop('generated')\n"
	       "    for v in e.values():\n        isinstance(v, dict) and v.pop('seconds', 0)\n"
	       "    return e\n"
	       "a, b = r('%s/jb/one/evaluation.json'), r('%s/jb/two/evaluation.json')\n"
	       "print('same' if a == b and list(a) == list(b) else 'differ', "
	       "[k for k in a if k in ('leave_one_tool_out', 'perturbation', 'in_lab', "
	       "'false_alarms', 'jitter')])\"", dir, dir);
	expect(1, "failed", ev, dir, "bad", dir, dir, dir, dir, "nope.pcap", dir, 2);
}

/* lab/pcaprewrite.py --dport and --icmp-id (lab/demo.sh's service views):
 * lab/rawflood.py's UDP flood to random ports (60 packets, 20 a source:
 * 60 flows to 60 ports) goes to port 7331 alone, still 60 flows; its ICMP
 * flood with an id per packet (60 flows) becomes one flow per source (3),
 * every checksum right (tcpdump -vv). */
static void test_rewrite_one_service(void **state)
{
	static const char *const flows =
		"$FF extract -q -o - %s/one/%s.pcap | python3 -c \"import csv, sys; "
		"r = list(csv.DictReader(sys.stdin)); print(len({x['Flow ID'] for x in r}), 'flows', "
		"sorted({x['Dst Port'] for x in r})[:2])\"";

	(void)state;
	need_binary();
	need_tools("python3 tcpdump");
	expect(0, NULL, "mkdir -p %s/one && "
	       "python3 lab/rawflood.py udp 10.199.0.10 --count 60 --pps 1000 --spoof 10.160.0.0/16 "
	       "--burst 20 --dport 0 --seed 3 --write %s/one/udp.pcap && "
	       "python3 lab/rawflood.py icmp 10.199.0.10 --count 60 --pps 1000 --spoof 10.96.0.0/16 "
	       "--burst 20 --seed 3 --write %s/one/icmp.pcap", dir, dir, dir);
	expect(0, "60 flows ['1", flows, dir, "udp");
	expect(0, "60 flows ['0']", flows, dir, "icmp");
	expect(0, NULL, "for p in udp icmp; do python3 lab/pcaprewrite.py -q --only --src 10.160.0.0/11 "
	       "--src 10.96.0.0/11 --dport 7331 --icmp-id 4242 %s/one/$p.pcap %s/one/$p.1.pcap "
	       "|| exit 1; done", dir, dir);
	expect(0, "60 flows ['7331']", flows, dir, "udp.1");
	expect(0, "3 flows ['0']", flows, dir, "icmp.1");
	expect(0, "60 60", "echo $(tcpdump -vv -nr %s/one/udp.1.pcap 2>/dev/null | grep -c 'udp sum ok') "
	       "$(tcpdump -vv -nr %s/one/icmp.1.pcap 2>/dev/null | grep -c 'id 4242,')", dir, dir);
	expect(2, "--dport: 0..65535", "python3 lab/pcaprewrite.py --src 10.0.0.0/8 --dport 65536 "
	       "%s/one/udp.pcap %s/one/x.pcap", dir, dir);
}

/* lab/pcaprewrite.py --from-port (lab/demo.sh's one-flow views): lab/rawflood.py's
 * SYN flood (40 SYNs to port 80, 20 a source: 40 one-packet flows) and UDP
 * flood to random ports (60, 20 a source), every packet from source port 4242
 * (UDP to port 7331 too), become one flow of 20 packets per source (2 and
 * 3), every checksum right (tcpdump -vv). lab/evaluate.py --train-later
 * trains the folds on such a view's rows after a flow's first packet
 * (lab/later-rows.awk): the UDP tool's fold leaves out its 60 flows' 120
 * rows (a checkpoint and a final row each) and of the view's 3 flows 27
 * (checkpoints 2-16 and the final row; 30 with their first packets). */
static void test_rewrite_one_flow(void **state)
{
	static const char *const flows =
		"$FF extract -q -o - %s/of/%s.pcap | python3 -c \"import csv, sys; "
		"r = list(csv.DictReader(sys.stdin)); print(len({x['Flow ID'] for x in r}), 'flows', "
		"sorted({x['Src Port'] for x in r})[:2], max(int(x['Total Fwd Packet']) for x in r))\"";

	(void)state;
	need_binary();
	need_tools("python3 tcpdump");
	expect(0, NULL, "mkdir -p %s/of && "
	       "python3 lab/rawflood.py syn 10.199.0.10 --count 40 --pps 1000 --spoof 10.130.0.0/16 "
	       "--burst 20 --port 80 --seed 3 --write %s/of/syn.pcap && "
	       "python3 lab/rawflood.py udp 10.199.0.10 --count 60 --pps 1000 --spoof 10.160.0.0/16 "
	       "--burst 20 --dport 0 --seed 3 --write %s/of/udp.pcap", dir, dir, dir);
	expect(0, "40 flows", flows, dir, "syn");
	expect(0, "60 flows", flows, dir, "udp");
	expect(0, NULL, "for p in syn udp; do python3 lab/pcaprewrite.py -q --only --src 10.130.0.0/16 "
	       "--src 10.160.0.0/16 --from-port 4242 --dport 7331 %s/of/$p.pcap %s/of/$p.1.pcap "
	       "|| exit 1; done", dir, dir);
	expect(0, "2 flows ['4242'] 20", flows, dir, "syn.1");
	expect(0, "3 flows ['4242'] 20", flows, dir, "udp.1");
	expect(0, "40 60", "echo $(tcpdump -vv -nr %s/of/syn.1.pcap 2>/dev/null | grep -c 'cksum.*correct') "
	       "$(tcpdump -vv -nr %s/of/udp.1.pcap 2>/dev/null | grep -c 'udp sum ok')", dir, dir);
	expect(2, "--from-port: 0..65535", "python3 lab/pcaprewrite.py --src 10.0.0.0/8 --from-port -1 "
	       "%s/of/udp.pcap %s/of/x.pcap", dir, dir);
	expect(0, NULL, "printf 'udp_flood/a:src=10.160.0.0/16\nsyn_flood/b:src=10.130.0.0/16\n' "
	       "> %s/of/tools.rules", dir);
	expect(0, NULL, "python3 lab/evaluate.py --ff \"$FF\" --out %s/of --tools %s/of/tools.rules "
	       "--train %s/of/syn.pcap %s/of/udp.pcap --train-later %s/of/udp.1.pcap "
	       "--train-option=--trees=2", dir, dir, dir, dir, dir);
	expect(0, "b 80 a 147", "python3 -c \"import json; t = json.load(open('%s/of/evaluation.json'))"
	       "['leave_one_tool_out']['tools']; print(' '.join('%%s %%d' %% (x['tool'], "
	       "x['training_rows_left_out']) for x in t))\"", dir);
}

/* lab/pcaprewrite.py --spread PREFIX@A-B (lab/demo.sh's burst views): 60
 * SYNs from one address, over IPv4 and IPv6, each its own flow, become 60
 * flows from addresses of the wide prefix, exactly 5 an address with @5
 * (12 addresses), 2-4 an address with @2-4 (but the last), every checksum
 * right (tcpdump -vv); a burst range upside down, or an IPv4 source spread
 * over an IPv6 prefix, is refused. */
static void test_rewrite_bursts(void **state)
{
	static const char *const srcs =
		"$FF extract -q -o - %s/sb/%s.pcap | python3 -c \"import collections, csv, ipaddress, sys; "
		"r = {x['Flow ID']: x for x in csv.DictReader(sys.stdin)}; "
		"n = collections.Counter(x['Src IP'] for x in r.values()); "
		"v = list(n.values()); print(len(r), 'flows', len(n), 'sources', min(v[:-1]), max(v), "
		"all(ipaddress.ip_address(a) in ipaddress.ip_network('%s') for a in n))\"";

	(void)state;
	need_binary();
	need_tools("python3 tcpdump");
	expect(0, NULL, "mkdir -p %s/sb && "
	       "python3 lab/rawflood.py syn 10.199.0.10 --count 60 --pps 1000 --spoof 10.199.11.7/32 "
	       "--port 80 --seed 3 --write %s/sb/v4.pcap && "
	       "python3 lab/rawflood.py syn fd99::10 --count 60 --pps 1000 --spoof fd99:11::7/128 "
	       "--port 80 --seed 3 --write %s/sb/v6.pcap", dir, dir, dir);
	expect(0, NULL, "python3 lab/pcaprewrite.py -q --only --src 10.199.11.0/24 --src fd99:11::/32 "
	       "--spread 10.199.11.0/24=10.128.0.0/11@5 --spread fd99:11::/32=fd99:11::/32@5 "
	       "%s/sb/v4.pcap %s/sb/v4.5.pcap && "
	       "python3 lab/pcaprewrite.py -q --only --src 10.199.11.0/24 --src fd99:11::/32 "
	       "--spread 10.199.11.0/24=10.128.0.0/11@5 --spread fd99:11::/32=fd99:11::/32@5 "
	       "%s/sb/v6.pcap %s/sb/v6.5.pcap && "
	       "python3 lab/pcaprewrite.py -q --only --src 10.199.11.0/24 "
	       "--spread 10.199.11.0/24=10.128.0.0/11@2-4 %s/sb/v4.pcap %s/sb/v4.24.pcap",
	       dir, dir, dir, dir, dir, dir);
	expect(0, "60 flows 12 sources 5 5 True", srcs, dir, "v4.5", "10.128.0.0/11");
	expect(0, "60 flows 12 sources 5 5 True", srcs, dir, "v6.5", "fd99:11::/32");
	expect(0, " 4 True", srcs, dir, "v4.24", "10.128.0.0/11");
	expect(0, "min 2 True", "$FF extract -q -o - %s/sb/v4.24.pcap | python3 -c \"import collections, "
	       "csv, sys; n = collections.Counter(x['Src IP'] for x in "
	       "{x['Flow ID']: x for x in csv.DictReader(sys.stdin)}.values()); "
	       "v = list(n.values())[:-1]; print('min', min(v), 15 <= len(n) <= 30)\"", dir);
	expect(0, "60 60", "echo $(tcpdump -vv -nr %s/sb/v4.5.pcap 2>/dev/null | grep -c 'cksum.*correct') "
	       "$(tcpdump -vv -nr %s/sb/v6.5.pcap 2>/dev/null | grep -c 'cksum.*correct')", dir, dir);
	expect(2, "A <= B", "python3 lab/pcaprewrite.py --src 10.0.0.0/8 --spread 10.0.0.0/8=10.0.0.0/8@5-2 "
	       "%s/sb/v4.pcap %s/sb/x.pcap", dir, dir);
	expect(2, "one IP version", "python3 lab/pcaprewrite.py --src 10.0.0.0/8 --spread 10.0.0.0/8=fd99::/32 "
	       "%s/sb/v4.pcap %s/sb/x.pcap", dir, dir);
}

/* lab/pcaprewrite.py --echo (lab/demo.sh's ping views): 20 UDP queries to
 * port 53 from a /28, and 20 over IPv6, become ICMP and ICMPv6 echo
 * requests of the same lengths, the source port the identifier, sequence
 * 1, every checksum right (tcpdump -vv); extracted, 40 flows of protocols
 * 1 and 58. Packets of other sources stay as they were. */
static void test_rewrite_echo(void **state)
{
	(void)state;
	need_binary();
	need_tools("python3 tcpdump");
	expect(0, NULL, "mkdir -p %s/echo && "
	       "python3 lab/rawflood.py udp 10.199.0.10 --count 20 --pps 1000 --spoof 10.199.1.0/28 "
	       "--dport 53 --seed 3 --write %s/echo/u4.pcap 2>/dev/null && "
	       "python3 lab/rawflood.py udp fd99::10 --count 20 --pps 1000 --spoof fd00:1::/64 "
	       "--dport 53 --seed 3 --write %s/echo/u6.pcap 2>/dev/null", dir, dir, dir);
	expect(0, NULL, "for v in 4 6; do python3 lab/pcaprewrite.py -q --echo --src 10.199.1.0/28 "
	       "--src fd00:1::/64 %s/echo/u$v.pcap %s/echo/e$v.pcap || exit 1; done", dir, dir);
	expect(0, "20 0 20 1,",
	       "echo $(tcpdump -vv -nr %s/echo/e4.pcap 2>/dev/null | grep -c 'ICMP echo request, id [0-9]*, seq 1,') "
	       "$(tcpdump -vv -nr %s/echo/e4.pcap 2>/dev/null | grep -c wrong) "
	       "$(tcpdump -vv -nr %s/echo/e6.pcap 2>/dev/null | grep -c 'icmp6 sum ok.*echo request, id [0-9]*, seq 1') "
	       "$(cmp -l %s/echo/u4.pcap %s/echo/e4.pcap | wc -l | awk '$1 > 0 { print 1 }'),",
	       dir, dir, dir, dir, dir);
	expect(0, "40 ['1', '58']", "$FF extract -q -o - %s/echo/e4.pcap %s/echo/e6.pcap | "
	       "python3 -c \"import csv, sys; r = list(csv.DictReader(sys.stdin)); "
	       "print(len({x['Flow ID'] for x in r}), sorted({x['Protocol'] for x in r}))\"", dir, dir);
	expect(0, "others kept", "python3 lab/pcaprewrite.py -q --echo --src 10.199.2.0/24 "
	       "%s/echo/u4.pcap %s/echo/x.pcap && cmp %s/echo/u4.pcap %s/echo/x.pcap && echo others kept",
	       dir, dir, dir, dir);
}

/* lab/pcaprewrite.py --tcp-flags and --reflect (lab/demo.sh's SYN-ACK
 * views): a SYN flood of 40 flows to port 80 becomes a SYN-ACK flood at the
 * service (every segment SYN-ACK, its ports kept), and with --reflect
 * 80,443 SYN-ACKs from port 80 or 443 to random ports above 1023 (a web
 * server's replies reflected at the victim); the checksums are right and
 * the benign packets (not --src) stay as they were. */
static void test_rewrite_synack(void **state)
{
	static const char *const seen =
		"tcpdump -vv -nr %s/sa/%s.pcap 2>/dev/null | python3 -c \"import re, sys; "
		"t = sys.stdin.read(); "
		"f = re.findall(r'> [0-9.]+\\.([0-9]+): Flags \\[([^]]*)\\]', t); "
		"s = re.findall(r'[0-9.]+\\.([0-9]+) > ', t); "
		"print(len(f), sorted({x[1] for x in f}), sorted({p for p in s if int(p) < 1024}), "
		"min(int(x[0]) for x in f) > 1023, t.count('cksum') - t.count('(correct)'))\"";

	(void)state;
	need_binary();
	need_tools("python3 tcpdump");
	expect(0, NULL, "mkdir -p %s/sa && "
	       "python3 lab/rawflood.py syn 10.199.0.10 --count 40 --pps 1000 --spoof 10.130.0.0/16 "
	       "--port 80 --seed 3 --write %s/sa/syn.pcap", dir, dir);
	expect(0, "40 ['S'] [] False 0", seen, dir, "syn");
	expect(0, NULL, "python3 lab/pcaprewrite.py -q --src 10.130.0.0/16 --tcp-flags SA "
	       "%s/sa/syn.pcap %s/sa/sa.pcap", dir, dir);
	expect(0, "40 ['S.'] [] False 0", seen, dir, "sa");
	expect(0, NULL, "python3 lab/pcaprewrite.py -q --src 10.130.0.0/16 --tcp-flags SA "
	       "--reflect 80,443 %s/sa/syn.pcap %s/sa/refl.pcap", dir, dir);
	expect(0, "40 ['S.'] ['443', '80'] True 0", seen, dir, "refl");
	expect(0, "others kept", "python3 lab/pcaprewrite.py -q --src 10.131.0.0/16 --tcp-flags SA "
	       "--reflect 80 %s/sa/syn.pcap %s/sa/none.pcap && cmp %s/sa/syn.pcap %s/sa/none.pcap && "
	       "echo others kept", dir, dir, dir, dir);
	expect(2, "letters of FSRPAUEC", "python3 lab/pcaprewrite.py --src 10.0.0.0/8 --tcp-flags SX "
	       "%s/sa/syn.pcap %s/sa/x.pcap", dir, dir);
	expect(2, "ports 1..65535", "python3 lab/pcaprewrite.py --src 10.0.0.0/8 --reflect 80,0 "
	       "%s/sa/syn.pcap %s/sa/x.pcap", dir, dir);
}

/* lab/pcaprewrite.py --jitter and lab/evaluate.py --jitter: another
 * clock's stamps of the same packets (the kernel's sit 8-12 us from
 * tcpdump's) must not decide a flow. Two ICMP floods of 3 flows each (one
 * id a source): "slow" at 1,000 us gaps, "fast" at 50 us. The rewrite
 * keeps every frame, moves every stamp by at most 300 us, and keeps each
 * flow's order where 300 us would swap the fast flows' packets
 * (tests/jitter_check.py). A hand-written model flags a flow whose gaps
 * reach 990 us or less (flow_iat_min): 10 us from the slow flows' gaps,
 * so at +-4 us no verdict changes and at +-300 us all three slow flows
 * are flagged (the fast ones always are). `flowforest train
 * --time-resolution` refused where it does not apply. */
static void test_jitter_verdicts(void **state)
{
	static const char *const ev = "python3 lab/evaluate.py --ff \"$FF\" --out %s/ji/ev "
		"--model %s/ji/gap.json --tools %s/ji/tools.rules --benign %s/ji/m.pcap --jitter %d";

	(void)state;
	need_binary();
	need_tools("python3 mergecap");
	expect(0, NULL, "mkdir -p %s/ji && python3 lab/rawflood.py icmp 10.199.0.10 --count 60 "
	       "--pps 1000 --same-id --spoof 10.96.0.0/16 --burst 20 --seed 3 --write %s/ji/slow.pcap "
	       "&& python3 lab/rawflood.py icmp 10.199.0.10 --count 60 --pps 20000 --same-id "
	       "--spoof 10.97.0.0/16 --burst 20 --seed 4 --write %s/ji/fast.pcap && "
	       "mergecap -F pcap -w %s/ji/m.pcap %s/ji/slow.pcap %s/ji/fast.pcap", dir, dir, dir, dir,
	       dir, dir);
	expect(0, NULL, "printf 'ping_flood/slow:src=10.96.0.0/16\\nping_flood/fast:src=10.97.0.0/16\\n' "
	       "> %s/ji/tools.rules && printf '%%s' '{ \"format\": \"flowforest-model\", "
	       "\"version\": 1, \"features\": [ { \"name\": \"fwd_pkts\", \"unit\": \"count\" }, "
	       "{ \"name\": \"flow_iat_min\", \"unit\": \"us\" } ], \"classes\": [ "
	       "{ \"name\": \"benign\", \"action\": \"pass\" }, "
	       "{ \"name\": \"ping_flood\", \"action\": \"drop\" } ], \"combine\": \"vote\", "
	       "\"trees\": [ { \"nodes\": [ { \"feature\": 0, \"threshold\": 1, \"left\": 1, "
	       "\"right\": 2 }, { \"class\": 0 }, { \"feature\": 1, \"threshold\": 990, "
	       "\"left\": 3, \"right\": 4 }, { \"class\": 1 }, { \"class\": 0 } ] } ] }' "
	       "> %s/ji/gap.json", dir, dir);
	expect(0, NULL, "python3 lab/pcaprewrite.py -q --src 0.0.0.0/0 --src ::/0 --jitter 300 "
	       "%s/ji/m.pcap %s/ji/j.pcap", dir, dir);
	expect(0, "jitter ok: 120 packets", "python3 tests/jitter_check.py %s/ji/m.pcap %s/ji/j.pcap 300",
	       dir, dir);
	expect(0, "ping_flood           0 of 6      (0 / 0 / 0; flagged 3 -> 3)", ev, dir, dir, dir,
	       dir, 4);
	expect(0, "ping_flood           3 of 6      (0 / 3 / 0; flagged 3 -> 6)", ev, dir, dir, dir,
	       dir, 300);
	expect(0, "3 3 0", "python3 -c \"import json; j = json.load(open('%s/ji/ev/evaluation.json'))"
	       "['jitter']['attack']; print(j['changed'], j['newly_flagged'], j['unmatched'])\"", dir);
	expect(2, "--jitter needs --benign", "python3 lab/evaluate.py --out %s/ji/ev "
	       "--model %s/ji/gap.json --jitter 8", dir, dir);
	expect(2, "--jitter: 0..10000000", "python3 lab/pcaprewrite.py --src 10.0.0.0/8 --jitter -1 "
	       "%s/ji/m.pcap %s/ji/x.pcap", dir, dir);
	/* the trainer's side (tests/test_train.c:test_time_resolution): a
	 * whole number of us, for rf and dt */
	expect(2, "--time-resolution are for rf and dt", "$FF train --csv /dev/null -o %s/ji/x.json "
	       "--model gbdt --time-resolution 100", dir);
	expect(2, "--time-resolution wants a whole number", "$FF train --csv /dev/null "
	       "-o %s/ji/x.json --time-resolution 1e3", dir);
}

/* lab/pcaprewrite.py --tcp-dport PORT --merge PCAP (lab/demo.sh's flooded
 * views): every TCP packet of the rewritten sources to PORT, checksums
 * right, the merged capture's packets unchanged amid them in time order; a
 * bad port refused. */
static void test_rewrite_flooded_service(void **state)
{
	(void)state;
	need_binary();
	need_tools("python3 tcpdump");
	expect(0, NULL, "mkdir -p %s/fl && "
	       "python3 lab/rawflood.py syn 10.199.0.10 --count 40 --pps 100 --spoof 10.160.0.0/16 "
	       "--port 0 --seed 3 --write %s/fl/syn.pcap && "
	       "python3 lab/rawflood.py udp 10.199.0.10 --count 30 --pps 60 --spoof 10.96.0.0/16 "
	       "--seed 4 --write %s/fl/udp.pcap", dir, dir, dir);
	expect(0, NULL, "python3 lab/pcaprewrite.py -q --only --src 10.160.0.0/11 --tcp-dport 22 "
	       "--merge %s/fl/udp.pcap %s/fl/syn.pcap %s/fl/out.pcap", dir, dir, dir);
	expect(0, "\n40\n40\n30\n70\nsorted\n",
	       "echo; tcpdump -nr %s/fl/out.pcap 'tcp dst port 22' 2>/dev/null | wc -l; "
	       "tcpdump -vvnr %s/fl/out.pcap tcp 2>/dev/null | grep -c '(correct)'; "
	       "tcpdump -nr %s/fl/out.pcap 'src net 10.96.0.0/16 and udp' 2>/dev/null | wc -l; "
	       "tcpdump -nr %s/fl/out.pcap 2>/dev/null | wc -l; "
	       "tcpdump -tt -nr %s/fl/out.pcap 2>/dev/null | cut -d' ' -f1 | sort -c -n && echo sorted",
	       dir, dir, dir, dir, dir);
	expect(0, "same", "tcpdump -xx -nr %s/fl/udp.pcap > %s/fl/a.txt 2>/dev/null && "
	       "tcpdump -xx -nr %s/fl/out.pcap udp > %s/fl/b.txt 2>/dev/null && "
	       "cmp -s %s/fl/a.txt %s/fl/b.txt && echo same", dir, dir, dir, dir, dir, dir);
	expect(2, "--tcp-dport: 0..65535", "python3 lab/pcaprewrite.py --src 10.0.0.0/8 --tcp-dport 65536 "
	       "%s/fl/syn.pcap %s/fl/x.pcap", dir, dir);
}

/* lab/holdout.sh answers --help with examples, lists its scenarios, each
 * with the function that records it, and refuses an unknown option or
 * scenario before it needs root, the lab lock or a namespace. */
static void test_holdout_script_args(void **state)
{
	(void)state;
	expect(0, "Examples:", "bash lab/holdout.sh --help");
	expect(0, "usage:", "python3 lab/holdout_send.py --help");
	expect(0, "24", "bash lab/holdout.sh --list | wc -l");
	expect(0, "benign-busy", "bash lab/holdout.sh --list");
	expect(0, "ssh_bruteforce/nmap-ssh-brute", "bash lab/holdout.sh --list");
	expect(0, "all recorded", "bash lab/holdout.sh --list | while read -r n _; do "
	       "grep -q \"^sc_$n() {\" lab/holdout.sh || echo \"no sc_$n\"; done | grep . || "
	       "echo all recorded");
	expect(2, "unknown option '--bogus'", "bash lab/holdout.sh --bogus");
	expect(2, "unknown scenario 'nope'", "FF_LAB_LOCKED=1 bash lab/holdout.sh --only amp-dns,nope");
	expect(2, "--seed: not a number", "bash lab/holdout.sh --seed x");
}

/* lab/holdout_send.py --write: its frames read back by tcpdump with every
 * TCP, UDP and ICMPv6 checksum right, IPv4 and IPv6; no source in an
 * --exclude range (the held-out captures' label rules rest on it: of 8,000
 * sources drawn from 172.0.0.0/8, about 31 would be in 172.31.0.0/16); the
 * DNS replies a flow each, the NTP ones a flow per reflector. */
static void test_holdout_send_frames(void **state)
{
	const char *hs = "python3 lab/holdout_send.py";

	(void)state;
	need_binary();
	need_tools("python3 tcpdump");
	expect(0, NULL, "%s syn --write %s/s4.pcap --dst 10.0.0.2 --sources 172.0.0.0/8 "
	       "--exclude 172.31.0.0/16 --count 8000", hs, dir);
	expect(0, "\n0\n8000\n8000\n",
	       "echo; tcpdump -nr %s/s4.pcap 'src net 172.31.0.0/16' 2>/dev/null | wc -l; "
	       "tcpdump -nr %s/s4.pcap 'src net 172.0.0.0/8 and tcp[13] == 2' 2>/dev/null | wc -l; "
	       "tcpdump -vvnr %s/s4.pcap 2>/dev/null | grep -c 'cksum 0x[0-9a-f]* (correct)'",
	       dir, dir, dir);
	expect(0, NULL, "%s syn --write %s/s6.pcap --dst fd00::2 --sources 2000::/3 --count 50 && "
	       "%s icmp --write %s/i6.pcap --dst fd00::2 --sources 2000::/3 --count 50 "
	       "--sizes 64,1232 && %s dns --write %s/d.pcap --dst 10.0.0.2 --sources 0.0.0.0/0 "
	       "--count 200 && %s ntp --write %s/n.pcap --dst 10.0.0.2 --sources 0.0.0.0/0 "
	       "--reflectors 10 --per-reflector 5", hs, dir, hs, dir, hs, dir, hs, dir);
	expect(0, "\n50\n50\n200\n50\n",
	       "echo; tcpdump -vvnr %s/s6.pcap 2>/dev/null | grep -c '(correct)'; "
	       "tcpdump -vvnr %s/i6.pcap 2>/dev/null | grep -c 'icmp6 sum ok'; "
	       "tcpdump -vvnr %s/d.pcap 'udp src port 53' 2>/dev/null | grep -c 'udp sum ok'; "
	       "tcpdump -vvnr %s/n.pcap 'udp src port 123' 2>/dev/null | grep -c 'udp sum ok'",
	       dir, dir, dir, dir);
	expect(0, "\n200\n10\n",
	       "echo; for f in d n; do $FF extract -q %s/$f.pcap | grep -c ',end,'; done", dir);
}

/* lab/plan.py: which flood tool and how spread its sources are drawn
 * apart. Over 12 plans (both scales), every corner of the source context
 * (one real address, one spoofed, a /24, a /16, the class's /11, a source
 * per packet or bursts, IPv6 one address, a /64, a /48, a /32) comes from
 * two tools or more in every flood class, so that leaving one tool out
 * leaves each corner in; and every source lies in a range whose label rule
 * is the class's (tests/plan_corners.py). `--floods subnet`, the lab before,
 * covers neither the spread nor IPv6. */
static void test_plan_flood_corners(void **state)
{
	const char *plan = "python3 lab/plan.py --src nmap=10.199.10.11 --src mscan=10.199.10.12 "
			   "--src udpf=10.199.12.11 --src t50=10.199.15.11 --src synf=10.199.11.11 "
			   "--floods segments";
	const char *own = "syn_flood=10.199.11.11 udp_flood=10.199.12.11 icmp_flood=10.199.15.11";

	(void)state;
	need_tools("python3");
	expect(0, NULL, "bash -c '. lab/lab.sh && lab_labels' > %s/labels.rules", dir);
	expect(0, "\n12\n", "echo; for s in $(seq 1 12); do %s --seed $s --scale $((s %% 2 + 1)) | "
	       "python3 tests/plan_corners.py %s/labels.rules %s || exit 1; done | "
	       "grep -c '^every corner from two tools$'", plan, dir, own);
	expect(1, "corner 11/1 from 0", "%s --seed 1 --floods subnet | "
	       "python3 tests/plan_corners.py %s/labels.rules %s", plan, dir, own);
	/* the same seed, the same plan */
	expect(0, "same", "%s --seed 7 > %s/p1 && %s --seed 7 > %s/p2 && cmp %s/p1 %s/p2 && echo same",
	       plan, dir, plan, dir, dir, dir);
}

/* lab/plan.py, the application-layer classes (tests/plan_app.py): over 12
 * demo-scale plans, every HTTP flood that opens a connection per request
 * runs 32 connections or more at once (with 4-16 and the lab's server
 * answering in up to 1.7 s, run K's ab-close sent 46 requests in 8 s: a
 * browser's rate); every ssh brute-force tool makes 20 connections or more
 * (run K: sshpass 8, hydra 7), and runs at two paces in every plan, one
 * connection at a time with pauses and several at once without (run L: each
 * tool at one pace, and a forest without sshpass, at 2-4 connections a
 * second, flagged 17 of its 38 connections: only hydra's 5 had its pace);
 * guesses per connection are drawn from one to several. */
static void test_plan_app_layer(void **state)
{
	const char *plan = "python3 lab/plan.py --src nmap=10.199.10.11 --src mscan=10.199.10.12 "
			   "--src udpf=10.199.12.11 --src t50=10.199.15.11 --scale 2";

	(void)state;
	need_tools("python3");
	expect(0, "app plans ok", "for s in $(seq 1 12); do %s --seed $s; done | "
	       "python3 tests/plan_app.py", plan);
}

/* lab/plan.py, the port scans (tests/plan_scan.py): over 12 plans (both
 * scales) every scan tool runs at two paces in each, slow (10-100 probes a
 * second) and fast (200 or more asked), from under 20 a second to over
 * 1,000 over the plans (run G: each tool at one pace, and a forest without
 * nping, at 66-90 a second, flagged 52 of its 621 flows); nmap scans in its
 * random port order and in sequence (lab.sh lab_attack_nmap ORDER seq: -r;
 * lab_exec stubbed: the call is written down), at the drawn pace whether its
 * probes are answered or dropped. */
static void test_plan_scan_paces(void **state)
{
	const char *plan = "python3 lab/plan.py --src nmap=10.199.10.11 --src mscan=10.199.10.12 "
			   "--src udpf=10.199.12.11 --src t50=10.199.15.11";
	const char *sh = "bash -c '. lab/lab.sh; lab_exec() { echo \"$*\" > %s/nmap; }; "
			 "lab_attack_nmap P sS 1-10 20 10.199.10.11 %s; grep -c -- \" -r \" %s/nmap'";

	(void)state;
	need_tools("python3");
	expect(0, "scan plans ok", "for s in $(seq 1 12); do %s --seed $s --scale $((s %% 2 + 1)); "
	       "done | python3 tests/plan_scan.py", plan);
	expect(0, "1\n", sh, dir, "seq", dir);
	expect(1, "0\n", sh, dir, "random", dir);
	/* at its drawn pace, its probes dropped or not (--min-rate: run G's
	 * live nmap -sS slowed from 2,773 probes a second to about 80) */
	expect(0, "--min-rate 20 --max-rate 20 ", "bash -c '. lab/lab.sh; "
	       "lab_exec() { echo \"$*\" > %s/rate; }; lab_attack_nmap P sT 1-10 20 10.199.10.11; "
	       "cat %s/rate'", dir, dir);
}

/* lab/appattack.py slow body: the body it announces stays within what the
 * lab's nginx takes (client_max_body_size, 1 MB by default): a larger one
 * is refused at once with 413 and the connection closed, no slow attack
 * (run K: 13 of py-slowbody's 93 live connections, closed within 0.5 s,
 * were missed, and taught as slow_http in training they are noise). */
static void test_appattack_body_size(void **state)
{
	(void)state;
	need_tools("python3");
	expect(0, "largest body True True", "cd lab && python3 -c '"
	       "import random, re, types, appattack as A\n"
	       "a = types.SimpleNamespace(url=\"http://127.0.0.1/\", mode=\"body\")\n"
	       "n = [int(re.search(\"Content-Length: ([0-9]+)\", A.Slow(a, random.Random(s)).first())[1])"
	       " for s in range(300)]\n"
	       "print(\"largest body\", max(n) <= 1 << 20, min(n) >= 10000)'");
}

/* lab/lab.sh lab_attack_sshguess: COUNT connections over PARALLEL senders,
 * PROMPTS guesses each, and none started after $LAB_MIX_END (run K's went
 * on after the classifier had stopped: flows without a verdict, counted as
 * missed) or $LAB_TOOL_SECONDS after the first. lab_exec and the pauses are stubbed: the calls are counted. */
static void test_lab_sshguess_bounded(void **state)
{
	const char *sh = "bash -c '. lab/lab.sh; lab_exec() { echo \"$*\" >> %s/calls; }; "
			 "_lab_pause() { :; }; : > %s/calls; LAB_MIX_END=%s lab_attack_sshguess P 10 50 3 2; "
			 "echo; grep -c NumberOfPasswordPrompts=2 %s/calls'";

	(void)state;
	expect(0, "\n10\n", sh, dir, dir, "$((SECONDS + 100))", dir);
	expect(1, "\n0\n", sh, dir, dir, "$SECONDS", dir);
	/* and none LAB_TOOL_SECONDS after it began (each ssh tool a bounded
	 * time, so that all of them fit the mix on a loaded machine) */
	expect(1, "\n0\n", sh, dir, dir, "$((SECONDS + 100)) LAB_TOOL_SECONDS=0", dir);
}

/* lab/lab.sh, the ssh tools' paces (lab/plan.py draws a slow and a fast one
 * for each): medusa slow makes one connection at a time (a medusa for each
 * 3 words, its guesses on one connection), ncrack waits DELAY_MS between
 * its connections, hydra waits 1 s for an answer (with -w 5 each task sat
 * 5 s after every disconnect: run L, 5 connections in 12 s), and the OpenSSH
 * client's guessing waits for its own senders, not for its caller's other
 * children (a tool line runs both paces in one shell). lab_exec and the
 * pauses are stubbed: the calls are counted. */
static void test_lab_ssh_paces(void **state)
{
	const char *sh = "bash -c '. lab/lab.sh; lab_exec() { echo \"$*\" >> %s/p; }; "
			 "_lab_pause() { :; }; : > %s/p; LAB_MIX_END=$((SECONDS + 100)); %s; "
			 "echo; grep -c -- \"%s\" %s/p'";

	(void)state;
	expect(0, "\n4\n", sh, dir, dir, "lab_attack_medusa P 10 1 200", "-M ssh -t 1", dir);
	expect(0, "\n1\n", sh, dir, dir, "lab_attack_medusa P 10 3", "-M ssh -t 3", dir);
	expect(0, "\n1\n", sh, dir, dir, "lab_attack_ncrack P 5 1 1 250", "to=10s,cd=250ms", dir);
	expect(0, "\n1\n", sh, dir, dir, "lab_attack_hydra P 5 2", "-t 2 -w 1 ", dir);
	expect(0, "own\n\n2\n", sh, dir, dir,
	       "sleep 4 > /dev/null 2>&1 & t=$SECONDS; lab_attack_sshguess P 2 0 1 1; "
	       "[ $((SECONDS - t)) -lt 3 ] && echo own", "sshpass", dir);
}

/* lab/lab.sh: the benign ssh logins and the OpenSSH client's guesses draw
 * their algorithms from the same sets (_lab_ssh_algos): with the client's
 * defaults alone, a key exchange's bytes told the OpenSSH client (benign)
 * from the other brute-force tools (run K: sshpass left out, 1 of 8). */
static void test_lab_ssh_algos(void **state)
{
	const char *sh = "bash -c '. lab/lab.sh; lab_exec() { echo \"$*\" >> %s/%s; }; "
			 "_lab_pause() { :; }; _lab_result() { :; }; : > %s/%s; %s; "
			 "echo; grep -o \"KexAlgorithms=[^ ]*\" %s/%s | sort -u | wc -l'";

	(void)state;
	expect(0, "\n3\n", sh, dir, "g", dir, "g", "lab_attack_sshguess P 40 50 2 1", dir, "g");
	expect(0, "\n3\n", sh, dir, "l", dir, "l", "lab_ssh_logins P c1 40 1 2", dir, "l");
}

/* lab/benign.py --part: the clients' HTTP alone or their DNS alone (the
 * lab runs a process of each: in one, the DNS queries waited on the HTTP
 * threads, 1,600 a run instead of 7,100 once the server answered faster).
 * Against nothing on 127.0.0.1 every request fails, and is counted. */
static void test_benign_parts(void **state)
{
	const char *b = "python3 lab/benign.py --server 127.0.0.1 --sources 127.0.0.1 --seconds 1 "
			"--http-rate 20 --dns-rate 20";

	(void)state;
	need_tools("python3");
	expect(0, "http ok 0, http fail 0, dns ok 0, dns fail ", "%s --part dns", b);
	expect(0, ", dns ok 0, dns fail 0", "%s --part http", b);
	expect(1, "\n0\n", "%s --part http --results %s/b.txt 2>/dev/null; echo; grep -c '^dns' %s/b.txt",
	       b, dir, dir);
	/* each line names its client, port 0 for a connection never opened */
	expect(0, "named", "grep -qE '^http fail [0-9.]+ [0-9.]+ 127[.]0[.]0[.]1 0 (80|443)$' %s/b.txt "
	       "&& echo named", dir);
	/* --dns-sources: clients that only ask DNS, from their own addresses,
	 * with no --sources at all; an unanswered query is a failure */
	expect(0, "dnsonly", "python3 lab/benign.py --server 127.0.0.1 --dns-sources 127.0.0.2 "
	       "--seconds 1 --dns-rate 20 --part dns --results %s/d.txt 2>/dev/null; "
	       "grep -qE '^dns fail [0-9.]+ [0-9.]+ 127[.]0[.]0[.]2 [0-9]+ 53$' %s/d.txt && "
	       "! grep -qv ' 127[.]0[.]0[.]2 ' %s/d.txt && echo dnsonly", dir, dir, dir);
}

/* The services measurement (tests/services_check.py): lab/benign.py's
 * lines name each request's client; a curl page's URLs queued behind a
 * stalled connection wait from the page's start (runs G and J wrote them
 * as 0.000 s); lab/report.py counts the failures that met a drop of the
 * classifier (their connection, or their client's flow to the service
 * while they waited: every HTTP failure of runs G and J) apart from the
 * rest, and hides none. */
static void test_services_measure(void **state)
{
	(void)state;
	need_tools("python3");
	expect(0, "services_check: ok", "python3 tests/services_check.py");
}

/* lab/rawflood.py --write: IPv6 floods (ICMPv6 echo, SYN, UDP) as valid
 * frames (every checksum right: tcpdump -vv), from sources of --spoof only;
 * --burst K keeps each source for K packets in a row, each packet still a
 * flow of its own (flowforest extract). */
static void test_rawflood_frames(void **state)
{
	const char *rf = "python3 lab/rawflood.py";

	(void)state;
	need_binary();
	need_tools("python3 tcpdump");
	expect(0, "Examples:", "%s --help", rf);
	expect(0, NULL, "%s icmp fd99::10 --count 60 --pps 100 --spoof fd99:15:7::/48 --burst 6 "
	       "--size 8-1200 --write %s/i6.pcap && "
	       "%s syn fd99::10 --count 30 --pps 100 --spoof fd99:11::/32 --linux-options "
	       "--payload 5 --write %s/s6.pcap && "
	       "%s udp fd99::10 --count 30 --pps 100 --spoof fd99:12::1/128 --write %s/u6.pcap && "
	       "%s syn 10.199.0.10 --count 40 --pps 100 --spoof 10.128.0.0/11 --burst 4 "
	       "--write %s/s4.pcap", rf, dir, rf, dir, rf, dir, rf, dir);
	/* ICMPv6 echo requests, checksums right, all from the /48, 10 sources */
	expect(0, "\n60\n60\n10\n",
	       "echo; tcpdump -vvnr %s/i6.pcap 'icmp6 and ip6[40] == 128' 2>/dev/null | "
	       "grep -c 'icmp6 sum ok'; tcpdump -nr %s/i6.pcap 'src net fd99:15:7::/48' 2>/dev/null | "
	       "wc -l; tcpdump -nr %s/i6.pcap 2>/dev/null | awk '{ print $3 }' | sort -u | wc -l",
	       dir, dir, dir);
	expect(0, "\n30\n30\n40\n",
	       "echo; tcpdump -vvnr %s/s6.pcap 'ip6 and tcp' 2>/dev/null | "
	       "grep -c 'Flags \\[S\\], cksum 0x[0-9a-f]* (correct)'; "
	       "tcpdump -vvnr %s/u6.pcap 'src host fd99:12::1' 2>/dev/null | grep -c 'udp sum ok'; "
	       "tcpdump -vvnr %s/s4.pcap 'src net 10.128.0.0/11' 2>/dev/null | grep -c '(correct)'",
	       dir, dir, dir);
	/* bursts of 4: 10 sources; a flow per packet (60 ICMPv6 ids, 40 SYN ports) */
	expect(0, "\n10\n60\n40\n",
	       "echo; tcpdump -nr %s/s4.pcap 2>/dev/null | awk '{ print $3 }' | cut -d. -f1-4 | "
	       "sort -u | wc -l; for f in i6 s4; do $FF extract -q %s/$f.pcap | grep -c ',end,'; done",
	       dir, dir);
	expect(2, "different IP versions", "%s icmp fd99::10 --count 1 --pps 1 --spoof 10.0.0.0/8 "
	       "--write %s/x.pcap", rf, dir);
}

/* The SYN floods' shapes (lab/plan.py --syn-shapes, tests/plan_syn.py):
 * over 12 plans (both scales) the SYN flood segments make plain SYNs,
 * SYN-ACKs at the service, SYN-ACK reflection (from port 80 or 443 to random
 * ports), SYNs with ECE and CWR and SYNs from one source port, each in
 * every plan; the plain SYNs stay a fifth or more. Without --syn-shapes (the
 * default) plain SYNs only, the plan as before; --syn-shapes needs
 * --floods segments (plan.py and demo.sh say so). A forest trained on bare
 * SYNs only let 7,000 of a public SYN-ACK reflection capture's 7,834 flows
 * pass. The shapes as lab/rawflood.py writes them: SYN-ACKs from port 443
 * with an acknowledgement number, each to a port of its own (a flow each),
 * checksums right; SYNs with ECE and CWR from one source port; a flag it
 * does not know refused. */
static void test_plan_syn_shapes(void **state)
{
	const char *plan = "python3 lab/plan.py --src nmap=10.199.10.11 --src mscan=10.199.10.12 "
			   "--src udpf=10.199.12.11 --src t50=10.199.15.11 --floods segments";
	const char *rf = "python3 lab/rawflood.py";

	(void)state;
	need_binary();
	need_tools("python3 tcpdump");
	expect(0, "syn plans ok", "for s in $(seq 1 12); do %s --syn-shapes --seed $s "
	       "--scale $((s %% 2 + 1)); done | python3 tests/plan_syn.py", plan);
	expect(1, "names no flags and source port", "%s --seed 1 | python3 tests/plan_syn.py", plan);
	expect(2, "--syn-shapes needs --floods segments", "%s --seed 1 --floods subnet --syn-shapes",
	       plan);
	expect(2, "--syn-shapes needs --floods segments",
	       "bash lab/demo.sh --floods subnet --syn-shapes");
	expect(0, NULL, "%s syn 10.199.0.10 --port 0 --from-port 443 --flags SA --count 30 --pps 100 "
	       "--spoof 10.128.0.0/11 --write %s/sa.pcap && %s syn 10.199.0.10 --port 21 "
	       "--from-port 21 --flags SEC --count 5 --pps 100 --spoof 10.128.0.0/11 "
	       "--write %s/sec.pcap", rf, dir, rf, dir);
	expect(0, "\n30\n30\n5\n",
	       "echo; tcpdump -vvnr %s/sa.pcap 'src port 443 and tcp[13] == 0x12 and tcp[8:4] != 0' "
	       "2>/dev/null | grep -c '(correct)'; $FF extract -q %s/sa.pcap | grep -c ',end,'; "
	       "tcpdump -nr %s/sec.pcap 'src port 21 and dst port 21 and tcp[13] == 0xc2' "
	       "2>/dev/null | wc -l", dir, dir, dir);
	expect(2, "letters of SAEC", "%s syn 10.199.0.10 --flags A --count 1 --pps 1 "
	       "--spoof 10.0.0.0/8 --write %s/x.pcap", rf, dir);
}

/* lab/lab.sh's source draws for the floods' segments: _lab_rand_addr gives
 * addresses of the prefix (IPv4 /11 to /32, IPv6 /32 to /64), and trafgen's
 * run-time draws (_lab_trafgen_sa) stay in the prefix: the label rules rest
 * on both. */
static void test_lab_source_draws(void **state)
{
	(void)state;
	need_tools("python3");
	expect(0, "\n320\n",
	       "echo; bash -c '. lab/lab.sh; for i in $(seq 40); do for p in 10.128.0.0/11 10.131.0.0/16 "
	       "10.199.11.128/25 10.140.7.0/24 10.199.12.77/32 fd99:11::/32 fd99:15:7::/48 "
	       "fd99:12:1:2::/64; do echo $p $(_lab_rand_addr $p); done; done' | "
	       "python3 -c 'import sys, ipaddress as I; print(sum(I.ip_address(a) in I.ip_network(p) "
	       "for p, a in (l.split() for l in sys.stdin)))'");
	expect(0, "sa=10.128.0.0, sa[1]=drnd(128, 159), sa[2]=drnd(0, 255), sa[3]=drnd(1, 254)\n"
	       "sa=10.199.11.128, sa[3]=drnd(128, 255)\nsa=10.137.0.0, sa[2]=drnd(0, 255), "
	       "sa[3]=drnd(1, 254)\nsa=10.199.15.7\n",
	       "bash -c '. lab/lab.sh; for p in 10.128.0.0/11 10.199.11.128/25 10.137.0.0/16 "
	       "10.199.15.7/32; do _lab_trafgen_sa $p; echo; done'");
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
		cmocka_unit_test(test_eval_early_drop_counts_packets),
		cmocka_unit_test(test_attack_votes_rule),
		cmocka_unit_test(test_hostile_labels),
		cmocka_unit_test(test_output_planted_symlink),
		cmocka_unit_test(test_capture_cut_short),
		cmocka_unit_test(test_verbose_libbpf),
		cmocka_unit_test(test_train_fingerprint_report),
		cmocka_unit_test(test_train_folds),
		cmocka_unit_test(test_evaluate_holdout_counts),
		cmocka_unit_test(test_evaluate_loto_own_clocks),
		cmocka_unit_test(test_evaluate_jobs_same),
		cmocka_unit_test(test_rewrite_one_service),
		cmocka_unit_test(test_rewrite_one_flow),
		cmocka_unit_test(test_rewrite_bursts),
		cmocka_unit_test(test_rewrite_echo),
		cmocka_unit_test(test_rewrite_synack),
		cmocka_unit_test(test_jitter_verdicts),
		cmocka_unit_test(test_rewrite_flooded_service),
		cmocka_unit_test(test_holdout_script_args),
		cmocka_unit_test(test_holdout_send_frames),
		cmocka_unit_test(test_plan_flood_corners),
		cmocka_unit_test(test_plan_app_layer),
		cmocka_unit_test(test_plan_scan_paces),
		cmocka_unit_test(test_appattack_body_size),
		cmocka_unit_test(test_lab_sshguess_bounded),
		cmocka_unit_test(test_lab_ssh_paces),
		cmocka_unit_test(test_lab_ssh_algos),
		cmocka_unit_test(test_benign_parts),
		cmocka_unit_test(test_services_measure),
		cmocka_unit_test(test_rawflood_frames),
		cmocka_unit_test(test_plan_syn_shapes),
		cmocka_unit_test(test_evaluate_public_other),
		cmocka_unit_test(test_lab_source_draws),
	};

	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
