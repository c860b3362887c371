// SPDX-License-Identifier: MIT
#include "dataset_dump.h"
#include "features_info.h"
#include "flowcsv.h"
#include "outfile.h"

static void dump_rows(FILE *out, const struct ff_dataset *ds, const size_t *rows, size_t n,
		      const char *split)
{
	size_t k;
	unsigned c;

	for (k = 0; k < n; k++) {
		size_t r = rows[k];

		fprintf(out, "%zu,%s,", r, split);
		ff_csv_field(out, ds->class_names[ds->y[r]]);
		for (c = 0; c < ds->n_cols; c++)
			fprintf(out, ",%llu", (unsigned long long)ds->col[c][r]);
		fputc('\n', out);
	}
}

int ff_dataset_dump(const char *path, const struct ff_dataset *ds, const struct ff_dataset *tds,
		    const struct ff_split *split, char *err, size_t errlen)
{
	struct ff_outfile o;
	unsigned c;

	if (ff_outfile_open(&o, path, err, errlen))
		return -1;
	fputs("row,split,label", o.f);
	for (c = 0; c < ds->n_cols; c++)
		fprintf(o.f, ",%s", ff_feature_table[ds->feat[c]].name);
	fputc('\n', o.f);
	dump_rows(o.f, ds, split->train, split->n_train, "train");
	dump_rows(o.f, tds, split->test, split->n_test, "test");
	return ff_outfile_commit(&o, err, errlen);
}
