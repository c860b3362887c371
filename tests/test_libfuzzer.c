// SPDX-License-Identifier: MIT
/*
 * The readers of untrusted files under libFuzzer with ASan and UBSan
 * (build/fuzz/fuzz_NAME from tests/fuzz/fuzz_NAME.c): each kept corpus
 * (tests/fuzz/corpus/NAME) is replayed and then mutated for a few seconds.
 * Any crash, leak, timeout or undefined behaviour fails. `make fuzz` runs
 * the same targets for minutes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "scratch.h"

struct target {
	const char *name;	/* build/fuzz/fuzz_NAME, tests/fuzz/corpus/NAME */
	const char *what;
	int seconds;
	long min_runs;		/* fewer means the target barely ran */
	int generated;		/* seeds written by tests/fuzz/mkcorpus.py, not kept */
};

static void run_target(const struct target *t)
{
	char dir[] = "/tmp/ff-fuzz-XXXXXX", bin[128], cmd[1024], line[512], seeds[128];
	long runs = -1;
	FILE *p;
	int rc;

	snprintf(bin, sizeof(bin), "build/fuzz/fuzz_%s", t->name);
	if (access(bin, X_OK)) {
		print_message("%s is missing (`make asan` builds it; clang's libFuzzer runtime, "
			      "libclang-rt-14-dev): skipping\n", bin);
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(seeds, sizeof(seeds), "tests/fuzz/corpus/%s", t->name);
	if (t->generated) {
		snprintf(seeds, sizeof(seeds), "%s/seeds", dir);
		snprintf(cmd, sizeof(cmd), "python3 tests/fuzz/mkcorpus.py '%s'", seeds);
		assert_int_equal(system(cmd), 0);
	}
	/* new inputs go to the temporary directory, never into the repository */
	snprintf(cmd, sizeof(cmd),
		 "%s -seed=1 -max_total_time=%d -timeout=10 -print_final_stats=1 "
		 "-artifact_prefix=%s/ %s %s 2>&1", bin, t->seconds, dir, dir, seeds);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "stat::number_of_executed_units: %ld", &runs) == 1)
			continue;
		if (strstr(line, "ERROR") || strstr(line, "runtime error") || strstr(line, "crash-") ||
		    strstr(line, "SUMMARY"))
			print_error("%s", line);
	}
	rc = pclose(p);
	(void)!scratch_remove(dir);
	print_message("[ fuzz    ] %s: %ld inputs, exit %d\n", t->what, runs,
		      WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
	assert_true(runs > t->min_runs);
}

static void test_model_loader_fuzz(void **state)
{
	static const struct target t = { "model", "model loader", 15, 1000 };

	(void)state;
	run_target(&t);
}

static void test_csv_reader_fuzz(void **state)
{
	static const struct target t = { "csv", "CSV readers (flowforest, CIC, UNSW)", 5, 200 };

	(void)state;
	run_target(&t);
}

static void test_label_rules_fuzz(void **state)
{
	static const struct target t = { "labels", "label rules", 4, 1000 };

	(void)state;
	run_target(&t);
}

static void test_capture_reader_fuzz(void **state)
{
	static const struct target t = { "capture", "capture reader and extract", 5, 200, 1 };

	(void)state;
	run_target(&t);
}

static void test_ipfix_fuzz(void **state)
{
	static const struct target t = { "ipfix", "IPFIX encoder and reader", 4, 1000 };

	(void)state;
	run_target(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_loader_fuzz),
		cmocka_unit_test(test_csv_reader_fuzz),
		cmocka_unit_test(test_label_rules_fuzz),
		cmocka_unit_test(test_capture_reader_fuzz),
		cmocka_unit_test(test_ipfix_fuzz),
	};

	return cmocka_run_group_tests_name("libfuzzer", tests, NULL, NULL);
}
