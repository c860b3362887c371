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
	expect(0, "Examples", "./flowforest model --help");
	expect(-1, "--iface is required", "./flowforest run -m lab/models/handwritten.json");
	expect(-1, "unknown hook", "./flowforest run -i lo -H nope -m lab/models/handwritten.json");
	expect(-1, "--checkpoints wants", "./flowforest run -i lo -m x.json -c 4,2");
	expect(-1, "--flows wants", "./flowforest run -i lo -m x.json --flows -3");
	expect(-1, "which capture", "./flowforest extract");
	expect(-1, "--idle-timeout wants", "./flowforest extract x.pcap --idle-timeout soon");
	expect(-1, "is not pass, drop or alert",
	       "./flowforest run -i lo -m lab/models/handwritten.json -a benign=zap");
	expect(-1, "no class \"nope\"",
	       "./flowforest run -i lo -m lab/models/handwritten.json -a nope=drop");
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
		cmocka_unit_test(test_bad_captures_leave_nothing),
		cmocka_unit_test(test_bad_models_and_csvs),
	};

	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
