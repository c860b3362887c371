// SPDX-License-Identifier: MIT
/*
 * The model loader under libFuzzer with ASan and UBSan (build/fuzz/
 * fuzz_model, see tests/fuzz/): the kept corpus is replayed and then
 * mutated for a few seconds. Any crash, leak or undefined behaviour fails.
 * `make fuzz` runs the same target for five minutes.
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

static void test_model_loader_fuzz(void **state)
{
	char dir[] = "/tmp/ff-fuzz-XXXXXX", cmd[1024], line[512];
	long runs = -1;
	FILE *p;
	int rc;

	(void)state;
	if (access("build/fuzz/fuzz_model", X_OK)) {
		print_message("build/fuzz/fuzz_model is missing (clang's libFuzzer runtime, "
			      "libclang-rt-14-dev): skipping\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	/* new inputs go to the temporary directory, never into the repository */
	snprintf(cmd, sizeof(cmd),
		 "build/fuzz/fuzz_model -seed=1 -max_total_time=15 -print_final_stats=1 "
		 "-artifact_prefix=%s/ %s tests/fuzz/corpus/model 2>&1", dir, dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "stat::number_of_executed_units: %ld", &runs) == 1)
			continue;
		if (strstr(line, "ERROR") || strstr(line, "runtime error") || strstr(line, "crash-"))
			print_error("%s", line);
	}
	rc = pclose(p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)!system(cmd);
	print_message("[ fuzz    ] model loader: %ld inputs, exit %d\n", runs,
		      WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
	assert_true(runs > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_loader_fuzz),
	};

	return cmocka_run_group_tests_name("model_fuzz", tests, NULL, NULL);
}
