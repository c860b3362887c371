// SPDX-License-Identifier: MIT
/* flowforest features [--markdown|--json] */
#include <stdio.h>
#include <json-c/json.h>

#include "args.h"
#include "commands.h"
#include "features_info.h"

enum { AS_TEXT, AS_MARKDOWN, AS_JSON, AS_CIC };

static const struct argp_option options[] = {
	{ "markdown", 'M', NULL, 0, "The table of docs/features.md" },
	{ "json", 'j', NULL, 0, "A JSON array" },
	{ "cic-columns", 'C', NULL, 0, "CICFlowMeter's columns in its order, tab-separated: column, "
	  "mapped / identifying / not-mapped, feature, remark" },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	int *format = state->input;

	switch (key) {
	case 'M':
		*format = AS_MARKDOWN;
		break;
	case 'j':
		*format = AS_JSON;
		break;
	case 'C':
		*format = AS_CIC;
		break;
	default:
		return cli_no_args(key, arg, state);
	}
	return 0;
}

static void print_json(void)
{
	json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < FF_NUM_FEATURES; i++) {
		const struct ff_feature_info *f = &ff_feature_table[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_int(i));
		json_object_object_add(o, "name", json_object_new_string(f->name));
		json_object_object_add(o, "cic", json_object_new_string(f->cic));
		json_object_object_add(o, "unit", json_object_new_string(ff_unit_name(f->unit)));
		json_object_object_add(o, "dir", json_object_new_string(f->dir));
		json_object_object_add(o, "class", json_object_new_string(ff_feature_class_name(i)));
		json_object_object_add(o, "fingerprint", ff_feature_fingerprint(i) ?
				       json_object_new_string(ff_feature_fingerprint(i)) : NULL);
		json_object_array_add(arr, o);
	}
	printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
}

static void print_cic_columns(void)
{
	int i;

	for (i = 0; i < ff_cic_n_columns; i++) {
		const struct ff_cic_column *c = &ff_cic_columns[i];

		printf("%s\t%s\t%s\t%s\n", c->name,
		       c->fid < 0 ? "identifying" : c->mapped ? "mapped" : "not-mapped",
		       c->fid < 0 ? "-" : ff_feature_table[c->fid].name, c->why ? c->why : "");
	}
}

int cmd_features(int argc, char **argv)
{
	static const struct argp argp = {
		options, parse_opt, NULL,
		"List the flow features the kernel computes: name, unit, direction, class\n"
		"and CICFlowMeter column. The class is behaviour, or fingerprint for a\n"
		"feature that can identify a tool or a host rather than what it does (ports\n"
		"as ids, exact sizes, TTLs, TCP windows and options): `train --features\n"
		"behaviour` leaves those out.\v"
		"EXAMPLES:\n  flowforest features\n  flowforest features --json\n"
		"  flowforest features --markdown > docs/features.md\n"
		"  flowforest features | grep fingerprint\n"
		"  flowforest features --cic-columns | grep not-mapped",
	};
	int format = AS_TEXT, i;

	cli_parse(&argp, argc, argv, &format);
	if (format == AS_MARKDOWN) {
		ff_features_write_markdown(stdout);
		return 0;
	}
	if (format == AS_CIC) {
		print_cic_columns();
		return 0;
	}
	if (format == AS_JSON) {
		print_json();
		return 0;
	}
	for (i = 0; i < FF_NUM_FEATURES; i++) {
		const struct ff_feature_info *f = &ff_feature_table[i];

		printf("%2d %-26s %-8s %-5s %-11s %s\n", i, f->name, ff_unit_name(f->unit), f->dir,
		       ff_feature_class_name(i), f->cic[0] ? f->cic : "-");
	}
	return 0;
}
