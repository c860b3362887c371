// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the labelled-CSV readers (flowforest's own columns,
 * CICFlowMeter's, UNSW-NB15's: one loader that maps columns by name): any
 * file must load into a consistent table or be rejected with a message,
 * never crash, leak or hit undefined behaviour. The first byte picks the
 * options (label column, feature selection, one file or the same twice),
 * and the decimal converter is fed the input as text too.
 */
#include <stdint.h>
#include <string.h>

#include "dataset.h"
#include "fuzz_memfile.h"

static const char *const label_columns[] = { NULL, "Label", "attack_cat", "label" };
static const char *const feature_lists[] = {
	NULL, "auto", "Flow Duration,Tot Fwd Pkts", "flow_duration,dur,sbytes",
};

static void check(const struct ff_dataset *ds)
{
	size_t r;
	unsigned c;

	for (r = 0; r < ds->n_rows; r++)
		if (ds->y[r] >= ds->n_classes)
			abort();
	for (c = 0; c < ds->n_cols; c++)
		if (ds->feat[c] >= FF_NUM_FEATURES)
			abort();
	for (c = 0; c < ds->n_classes; c++)
		if (!ds->class_names[c])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_dataset_opts o = {};
	struct ff_dataset ds = {};
	const char *paths[2];
	char path[64], err[1024], *text;
	__u64 v;
	int fd, sel = size ? data[0] : 0;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	ff_parse_scaled(text, sel % 10, &v);
	free(text);

	fd = fuzz_memfile(data, size, path, sizeof(path));
	paths[0] = paths[1] = path;
	o.label_column = label_columns[sel & 3];
	o.features = feature_lists[(sel >> 2) & 3];
	if (ff_dataset_load(&ds, paths, (sel & 0x10) ? 2 : 1, &o, err, sizeof(err))) {
		if (!err[0])
			abort();	/* a rejection says why */
	} else {
		check(&ds);
	}
	ff_dataset_free(&ds);
	close(fd);
	return 0;
}
