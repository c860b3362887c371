// SPDX-License-Identifier: MIT
/*
 * Extraction speed of the library on one core: ff_extract() over captures
 * without writing CSV (parse, flow table, flow update; with --model also the
 * features and the forest at every checkpoint), median of --runs runs.
 * `flowforest extract` itself (with its CSV) is timed by bench/run.sh.
 *
 *   bench_extract [--runs N] [--model FILE] [--json] FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "model_file.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct ff_config def = FF_CONFIG_DEFAULT;
	struct ff_extract_opts o = { .cfg = def };
	struct ff_extract_stats st;
	struct ff_model m;
	const char *files[16];
	double v[32];
	int runs = 3, n = 0, json = 0, i;
	char err[512];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--model") && i + 1 < argc) {
			if (ff_model_load(argv[++i], &m, err, sizeof(err))) {
				fprintf(stderr, "bench_extract: %s\n", err);
				return 1;
			}
			o.model = &m;
		} else if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] != '-' && n < 16)
			files[n++] = argv[i];
		else {
			fprintf(stderr, "usage: bench_extract [--runs N] [--model FILE] [--json] FILE...\n");
			return 2;
		}
	}
	if (!n || runs < 1 || runs > 32) {
		fprintf(stderr, "usage: bench_extract [--runs N] [--model FILE] [--json] FILE...\n");
		return 2;
	}
	for (i = 0; i < runs; i++) {
		if (ff_extract(files, n, &o, &st, err, sizeof(err))) {
			fprintf(stderr, "bench_extract: %s\n", err);
			return 1;
		}
		v[i] = st.frames / st.seconds;
	}
	qsort(v, runs, sizeof(v[0]), cmp_d);
	if (json)
		printf("{\"packets\":%llu,\"flows\":%llu,\"model\":%s,\"runs\":%d,"
		       "\"pps\":{\"median\":%.0f,\"min\":%.0f,\"max\":%.0f}}\n",
		       (unsigned long long)st.frames, (unsigned long long)st.flows,
		       o.model ? "true" : "false", runs, v[runs / 2], v[0], v[runs - 1]);
	else
		printf("%llu packets, %llu flows: %.2f Mpps (min %.2f, max %.2f)\n",
		       (unsigned long long)st.frames, (unsigned long long)st.flows, v[runs / 2] / 1e6,
		       v[0] / 1e6, v[runs - 1] / 1e6);
	if (o.model)
		ff_model_free(&m);
	return 0;
}
