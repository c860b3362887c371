/* SPDX-License-Identifier: MIT */
/*
 * Where a test works: its scratch folder under /tmp, made by its setup and
 * removed with everything in it by its teardown (or by the test itself),
 * and the repository root as its working folder.
 */
#ifndef FF_TESTS_SCRATCH_H
#define FF_TESTS_SCRATCH_H

#include <stddef.h>

/* Make /tmp/ff-test-TAG-XXXXXX into buf. Returns 0, or -1 (nothing made). */
int scratch_make(char *buf, size_t size, const char *tag);

/* Remove dir and what it holds. Returns 0, or -1 when rm failed. */
int scratch_remove(const char *dir);

/* Make the repository the working folder when `marker` (a path relative to
 * it) is not here: the tests run from the root or as build/tests/NAME. */
void scratch_enter_repo(const char *marker);

#endif
