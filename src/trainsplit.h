/* SPDX-License-Identifier: MIT */
/*
 * Which rows train and which test: a random fraction (seeded), a file of
 * test row numbers, or separate test files. Row lists are ascending.
 */
#ifndef FLOWFOREST_TRAINSPLIT_H
#define FLOWFOREST_TRAINSPLIT_H

#include <stddef.h>
#include "packet_path.h"

enum ff_split_method { FF_SPLIT_NONE, FF_SPLIT_RANDOM, FF_SPLIT_FILE, FF_SPLIT_TEST_FILES };

struct ff_split {
	enum ff_split_method method;
	size_t *train, *test;	/* row numbers (of the test data for test files) */
	size_t n_train, n_test;
	double fraction;	/* FF_SPLIT_RANDOM */
	__u64 seed;		/* FF_SPLIT_RANDOM */
	const char *file;	/* FF_SPLIT_FILE */
};

/* round(fraction x n) rows (at least one if fraction > 0) test; none:
 * FF_SPLIT_NONE, every row trains. */
int ff_split_random(struct ff_split *s, size_t n, double fraction, __u64 seed, char *err,
		    size_t errlen);
/* Test rows given as 0-based row numbers, one per line (lines.h rules). */
int ff_split_file(struct ff_split *s, size_t n, const char *path, char *err, size_t errlen);
/* Every training row trains, every test-file row tests. */
int ff_split_test_files(struct ff_split *s, size_t n_train, size_t n_test, char *err,
			size_t errlen);
void ff_split_free(struct ff_split *s);

#endif
