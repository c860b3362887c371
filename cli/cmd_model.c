// SPDX-License-Identifier: MIT
/* flowforest model show|validate FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "commands.h"
#include "features_info.h"
#include "loader.h"
#include "model.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flowforest model show [--json] FILE\n"
		"       flowforest model validate FILE\n"
		"       flowforest model load --iface IF [--reclassify] [--action CLASS=ACT]... FILE\n\n"
		"show: trees, nodes, depth, classes and actions, features used (with the\n"
		"number of splits on each) and provenance. validate: check the file and\n"
		"exit 0 if the kernel would accept it, 1 with the reason if not.\n"
		"load: swap the model of the pinned classifier on IF atomically while\n"
		"traffic flows (a packet sees the old model or the new one, never a mix);\n"
		"decided flows keep their verdicts until their next checkpoint, or are\n"
		"decided again at their next packet with --reclassify.\n\n"
		"Examples:\n"
		"  sudo flowforest model load --iface eth0 new.json\n"
		"  flowforest model show model.json\n"
		"  flowforest model validate model.json && echo ok\n");
}

static int show(const struct ff_model *m, int json)
{
	__u32 uses[FF_NUM_FEATURES] = {}, i, leaves = 0;
	json_object *o, *arr;

	for (i = 0; i < m->n_nodes; i++) {
		if (m->nodes[i].feature == FF_NODE_LEAF)
			leaves++;
		else if (m->nodes[i].feature < FF_NUM_FEATURES)
			uses[m->nodes[i].feature]++;
	}
	if (!json) {
		printf("trees      %u\nnodes      %u (%u leaves)\nmax depth  %u\nclasses    %u\n",
		       m->n_trees, m->n_nodes, leaves, m->max_depth, m->n_classes);
		for (i = 0; i < m->n_classes; i++)
			printf("  %2u %-24s %s\n", i, m->class_names[i], ff_action_name(m->actions[i]));
		printf("features   %u declared\n", m->n_features);
		for (i = 0; i < m->n_features; i++) {
			const struct ff_feature_info *f = &ff_feature_table[m->feature_ids[i]];

			printf("  %-22s %-8s %u splits\n", f->name, ff_unit_name(f->unit),
			       uses[m->feature_ids[i]]);
		}
		if (m->provenance)
			printf("provenance %s\n", m->provenance);
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "trees", json_object_new_int(m->n_trees));
	json_object_object_add(o, "nodes", json_object_new_int(m->n_nodes));
	json_object_object_add(o, "leaves", json_object_new_int(leaves));
	json_object_object_add(o, "max_depth", json_object_new_int(m->max_depth));
	json_object_object_add(o, "classes", ff_model_classes_json(m));
	arr = json_object_new_array();
	for (i = 0; i < m->n_features; i++) {
		json_object *f = json_object_new_object();

		json_object_object_add(f, "name", json_object_new_string(ff_feature_table[m->feature_ids[i]].name));
		json_object_object_add(f, "splits", json_object_new_int(uses[m->feature_ids[i]]));
		json_object_array_add(arr, f);
	}
	json_object_object_add(o, "features", arr);
	if (m->provenance)
		json_object_object_add(o, "provenance", json_tokener_parse(m->provenance));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return 0;
}

static int load(int argc, char **argv)
{
	const char *iface = NULL, *file = NULL, *acts[32];
	__u32 actions[FF_MAX_CLASSES];
	struct ff_maps mp;
	struct ff_model m;
	bool reclassify = false;
	char err[512];
	int i, n_acts = 0, gen;

	for (i = 2; i < argc; i++) {
		if ((!strcmp(argv[i], "--iface") || !strcmp(argv[i], "-i")) && i + 1 < argc)
			iface = argv[++i];
		else if (!strcmp(argv[i], "--reclassify"))
			reclassify = true;
		else if ((!strcmp(argv[i], "--action") || !strcmp(argv[i], "-a")) && i + 1 < argc &&
			 n_acts < 32)
			acts[n_acts++] = argv[++i];
		else if (argv[i][0] == '-') {
			fprintf(stderr, "flowforest model load: unknown option '%s'\n", argv[i]);
			return 2;
		} else if (!file)
			file = argv[i];
		else {
			fprintf(stderr, "flowforest model load: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!iface || !file) {
		fprintf(stderr, "flowforest model load: --iface IF and a model FILE are required\n");
		return 2;
	}
	if (ff_model_load(file, &m, err, sizeof(err))) {
		fprintf(stderr, "flowforest: bad model: %s\n", err);
		return 1;
	}
	memcpy(actions, m.actions, sizeof(actions));
	for (i = 0; i < n_acts; i++)
		if (ff_model_action_override(&m, actions, acts[i], err, sizeof(err))) {
			fprintf(stderr, "flowforest model load: %s\n", err);
			ff_model_free(&m);
			return 2;
		}
	if (ff_check_privileges(err, sizeof(err)) || ff_pinned_open(iface, &mp, err, sizeof(err))) {
		fprintf(stderr, "flowforest: %s\n", err);
		ff_model_free(&m);
		return 1;
	}
	gen = ff_maps_install_model(&mp, &m, actions, reclassify, err, sizeof(err));
	ff_maps_close(&mp);
	if (gen < 0) {
		fprintf(stderr, "flowforest: %s\n", err);
		ff_model_free(&m);
		return 1;
	}
	printf("%s: %s loaded as generation %d (%u trees, %u classes)%s\n", iface, file, gen,
	       m.n_trees, m.n_classes, reclassify ? "; flows will be decided again" : "");
	ff_model_free(&m);
	return 0;
}

int cmd_model(int argc, char **argv)
{
	struct ff_model m;
	const char *file = NULL;
	char err[512];
	int json = 0, i, rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "load"))
		return load(argc, argv);
	if (strcmp(argv[1], "show") && strcmp(argv[1], "validate")) {
		fprintf(stderr, "flowforest model: unknown subcommand '%s'\n\n", argv[1]);
		usage(stderr);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!file)
			file = argv[i];
		else {
			fprintf(stderr, "flowforest model: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "flowforest model: which model file?\n");
		return 2;
	}
	if (ff_model_load(file, &m, err, sizeof(err))) {
		fprintf(stderr, "flowforest: bad model: %s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "validate")) {
		printf("%s: ok (%u trees, %u nodes, depth %u, %u classes)\n", file,
		       m.n_trees, m.n_nodes, m.max_depth, m.n_classes);
		rc = 0;
	} else {
		rc = show(&m, json);
	}
	ff_model_free(&m);
	return rc;
}
