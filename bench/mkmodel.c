// SPDX-License-Identifier: MIT
/*
 * Write a synthetic forest (bench/forest.h) as a model file, for the live
 * benchmarks and the user-space twin:
 *
 *   mkmodel TREES DEPTH FILE
 */
#include <stdio.h>
#include <stdlib.h>

#include "forest.h"

int main(int argc, char **argv)
{
	struct ff_model m;
	char err[512];

	if (argc != 4) {
		fprintf(stderr, "usage: mkmodel TREES DEPTH FILE\n");
		return 2;
	}
	if (comb_forest(&m, atoi(argv[1]), atoi(argv[2]))) {
		fprintf(stderr, "mkmodel: %s trees of depth %s do not fit\n", argv[1], argv[2]);
		return 1;
	}
	if (ff_model_save(&m, argv[3], err, sizeof(err))) {
		fprintf(stderr, "mkmodel: %s\n", err);
		return 1;
	}
	ff_model_free(&m);
	return 0;
}
