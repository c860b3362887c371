// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the model loader: any byte string must either load
 * as a valid model or be rejected with a message; never crash, leak or hit
 * undefined behaviour (built with ASan and UBSan). A loaded model is also
 * walked and written back, and what is written must load again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_model m, again;
	__u64 v[FF_MAX_FEATURES];
	char err[512], path[64];
	__u32 score, cls;
	size_t i;

	if (ff_model_parse((const char *)data, size, &m, err, sizeof(err))) {
		if (!err[0])
			abort();	/* a rejection must say why */
		return 0;
	}
	for (i = 0; i < FF_MAX_FEATURES; i++)
		v[i] = size * (i + 1) * 2654435761u;
	cls = ff_model_predict(&m, v, &score);
	if (cls >= m.n_classes || score > 1000)
		abort();
	snprintf(path, sizeof(path), "/tmp/ff-fuzz-model-%d.json", getpid());
	if (ff_model_save(&m, path, err, sizeof(err)) == 0) {
		if (ff_model_load(path, &again, err, sizeof(err)))
			abort();	/* what we write, we read */
		if (again.n_nodes != m.n_nodes ||
		    memcmp(again.nodes, m.nodes, m.n_nodes * sizeof(*m.nodes)))
			abort();
		ff_model_free(&again);
		unlink(path);
	}
	ff_model_free(&m);
	return 0;
}
