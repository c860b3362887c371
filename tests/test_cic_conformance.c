// SPDX-License-Identifier: MIT
/*
 * Conformance with CICFlowMeter on the dataset itself: every row of the
 * CIC-IDS2017 (improved) sample small enough to pin its packets down is
 * rebuilt as packets, `extract --format cic` runs over them, and every
 * column is compared (tests/cic_conformance.py). Passes when at least
 * 99 % of the rebuilt rows agree on every mapped column. The report goes
 * to build/cic_conformance.md (docs/features.md carries it). Skips when
 * ../shared/data (or $FLOWFOREST_DATA) or python3 is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static void test_conformance(void **state)
{
	const char *env = getenv("FLOWFOREST_DATA"), *bin = getenv("FLOWFOREST_BIN");
	const char *data = env ? env : "../shared/data";
	char sample[600], cmd[1200];
	int rc;

	(void)state;
	snprintf(sample, sizeof(sample), "%s/cicids2017-improved-sample", data);
	if (access(sample, R_OK)) {
		print_message("no %s: skipping the CIC conformance test\n", sample);
		skip();
	}
	if (system("command -v python3 >/dev/null 2>&1")) {
		print_message("no python3: skipping the CIC conformance test\n");
		skip();
	}
	snprintf(cmd, sizeof(cmd),
		 "python3 tests/cic_conformance.py --flowforest '%s' --data '%s' "
		 "--report build/cic_conformance.md", bin ? bin : "./flowforest", data);
	rc = system(cmd);
	assert_true(WIFEXITED(rc));
	if (WEXITSTATUS(rc) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(rc), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
