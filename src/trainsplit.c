// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "lines.h"
#include "numparse.h"
#include "train.h"
#include "trainsplit.h"

static int alloc_lists(struct ff_split *s, size_t n_train, size_t n_test, char *err,
		       size_t errlen)
{
	s->n_train = n_train;
	s->n_test = n_test;
	s->train = malloc((n_train ? n_train : 1) * sizeof(size_t));
	s->test = malloc((n_test ? n_test : 1) * sizeof(size_t));
	if (s->train && s->test)
		return 0;
	ff_split_free(s);
	return ff_fail(err, errlen, "out of memory");
}

/* Rows marked in is_test test, the others train, both ascending. */
static int from_marks(struct ff_split *s, const unsigned char *is_test, size_t n, char *err,
		      size_t errlen)
{
	size_t i, a = 0, b = 0, n_test = 0;

	for (i = 0; i < n; i++)
		n_test += is_test[i];
	if (alloc_lists(s, n - n_test, n_test, err, errlen))
		return -1;
	for (i = 0; i < n; i++)
		if (is_test[i])
			s->test[b++] = i;
		else
			s->train[a++] = i;
	return 0;
}

int ff_split_random(struct ff_split *s, size_t n, double fraction, __u64 seed, char *err,
		    size_t errlen)
{
	unsigned char *is_test = calloc(n ? n : 1, 1);
	size_t *perm = malloc((n ? n : 1) * sizeof(size_t));
	size_t n_test = (size_t)llround(fraction * n), i;
	int rc;

	memset(s, 0, sizeof(*s));
	s->method = fraction > 0 ? FF_SPLIT_RANDOM : FF_SPLIT_NONE;
	s->fraction = fraction;
	s->seed = seed;
	if (!is_test || !perm) {
		free(is_test);
		free(perm);
		return ff_fail(err, errlen, "out of memory");
	}
	if (fraction > 0 && n_test == 0)
		n_test = 1;
	if (n_test > n)
		n_test = n;
	/* the first n_test of a seeded permutation test */
	ff_random_permutation(perm, n, seed);
	for (i = 0; i < n_test; i++)
		is_test[perm[i]] = 1;
	rc = from_marks(s, is_test, n, err, errlen);
	free(is_test);
	free(perm);
	return rc;
}

int ff_split_file(struct ff_split *s, size_t n, const char *path, char *err, size_t errlen)
{
	unsigned char *is_test;
	unsigned long long v;
	struct ff_lines in;
	char *line;
	int r;

	memset(s, 0, sizeof(*s));
	s->method = FF_SPLIT_FILE;
	s->file = path;
	if (ff_lines_open(&in, path, err, errlen))
		return -1;
	is_test = calloc(n ? n : 1, 1);
	if (!is_test) {
		ff_lines_close(&in);
		return ff_fail(err, errlen, "out of memory");
	}
	while ((r = ff_lines_next(&in, &line, err, errlen)) == 1) {
		if (ff_parse_uint(line, 0, ~0ULL, &v)) {
			r = ff_fail(err, errlen, "%s:%u: not a row number", path, in.lineno);
			break;
		}
		if (v >= n) {
			r = ff_fail(err, errlen, "%s:%u: row %llu, but the data has %zu rows", path,
				    in.lineno, v, n);
			break;
		}
		is_test[v] = 1;
	}
	ff_lines_close(&in);
	if (r == 0)
		r = from_marks(s, is_test, n, err, errlen);
	free(is_test);
	return r;
}

int ff_split_test_files(struct ff_split *s, size_t n_train, size_t n_test, char *err,
			size_t errlen)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->method = FF_SPLIT_TEST_FILES;
	if (alloc_lists(s, n_train, n_test, err, errlen))
		return -1;
	for (i = 0; i < n_train; i++)
		s->train[i] = i;
	for (i = 0; i < n_test; i++)
		s->test[i] = i;
	return 0;
}

void ff_split_free(struct ff_split *s)
{
	free(s->train);
	free(s->test);
	s->train = s->test = NULL;
	s->n_train = s->n_test = 0;
}
