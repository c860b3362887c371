// SPDX-License-Identifier: MIT
/* flowforest features [--markdown|--json] */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "commands.h"
#include "features_info.h"

int cmd_features(int argc, char **argv)
{
	int i;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: flowforest features [--markdown|--json]\n\n"
		       "List the flow features the kernel computes: name, CICFlowMeter column,\n"
		       "unit, direction. --markdown writes the table of docs/features.md.\n\n"
		       "Examples:\n  flowforest features\n  flowforest features --markdown > docs/features.md\n");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--markdown")) {
		ff_features_write_markdown(stdout);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--json")) {
		json_object *arr = json_object_new_array();

		for (i = 0; i < FF_NUM_FEATURES; i++) {
			const struct ff_feature_info *f = &ff_feature_table[i];
			json_object *o = json_object_new_object();

			json_object_object_add(o, "id", json_object_new_int(i));
			json_object_object_add(o, "name", json_object_new_string(f->name));
			json_object_object_add(o, "cic", json_object_new_string(f->cic));
			json_object_object_add(o, "unit", json_object_new_string(ff_unit_name(f->unit)));
			json_object_object_add(o, "dir", json_object_new_string(f->dir));
			json_object_array_add(arr, o);
		}
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
		json_object_put(arr);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "flowforest features: unknown option '%s'\n", argv[1]);
		return 2;
	}
	for (i = 0; i < FF_NUM_FEATURES; i++) {
		const struct ff_feature_info *f = &ff_feature_table[i];

		printf("%2d %-20s %-8s %-5s %s\n", i, f->name, ff_unit_name(f->unit), f->dir,
		       f->cic[0] ? f->cic : "-");
	}
	return 0;
}
