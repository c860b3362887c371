// SPDX-License-Identifier: MIT
/* flowforest model show|validate|load */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "args.h"
#include "commands.h"
#include "features_info.h"
#include "loader.h"
#include "model_file.h"
#include "pinned.h"

/* "1-3", "32+": the packet counts a phase covers. */
static void phase_range(const struct ff_model *m, __u32 i, char *buf, size_t len)
{
	__u32 from = i ? m->phases[i].from_pkts : 0;

	if (i + 1 < m->n_phases)
		snprintf(buf, len, "%u-%u", from, m->phases[i + 1].from_pkts - 1);
	else
		snprintf(buf, len, "%u+", from);
}

static json_object *phases_json(const struct ff_model *m)
{
	json_object *arr = json_object_new_array();
	char range[32];
	__u32 i;

	for (i = 0; i < m->n_phases; i++) {
		const struct ff_phase *ph = &m->phases[i];
		json_object *p = json_object_new_object();

		phase_range(m, i, range, sizeof(range));
		json_object_object_add(p, "from_pkts", json_object_new_int64(ph->from_pkts));
		json_object_object_add(p, "pkts", json_object_new_string(range));
		json_object_object_add(p, "combine", json_object_new_string(ff_combine_name(ph->combine)));
		if (ph->combine == FF_COMBINE_SOFTMAX)
			json_object_object_add(p, "scale_bits", json_object_new_int(ph->scale_bits));
		json_object_object_add(p, "trees", json_object_new_int(ph->n_trees));
		json_object_array_add(arr, p);
	}
	return arr;
}

static int show(const struct ff_model *m, int json)
{
	__u32 uses[FF_NUM_FEATURES] = {}, i, leaves = 0;
	json_object *o, *arr;
	char range[32];

	for (i = 0; i < m->n_nodes; i++) {
		if (m->nodes[i].feature == FF_NODE_LEAF || m->nodes[i].feature == FF_NODE_LEAFVEC)
			leaves++;
		else if (m->nodes[i].feature < FF_NUM_FEATURES)
			uses[m->nodes[i].feature]++;
	}
	if (!json) {
		printf("trees      %u\nnodes      %u (%u leaves; %u in the kernel's layout)\nmax depth  %u\n",
		       m->n_trees, m->n_nodes, leaves, m->n_knodes, m->max_depth);
		printf("phases     %u (by packets: model, score)\n", m->n_phases);
		for (i = 0; i < m->n_phases; i++) {
			const struct ff_phase *ph = &m->phases[i];

			phase_range(m, i, range, sizeof(range));
			printf("  %-10s %u trees, %s", range, ph->n_trees,
			       ph->combine == FF_COMBINE_SOFTMAX ? "softmax (probability permille)"
								 : "vote (share permille)");
			if (ph->combine == FF_COMBINE_SOFTMAX)
				printf(", values x 2^%u", ph->scale_bits);
			putchar('\n');
		}
		printf("classes    %u\n", m->n_classes);
		for (i = 0; i < m->n_classes; i++) {
			printf("  %2u %-24s %s", i, m->class_names[i], ff_action_name(m->actions[i]));
			if (m->min_score[i])
				printf(" (alert below score %u)", m->min_score[i]);
			putchar('\n');
		}
		if (m->early_pkts)
			printf("early      packets %u to %u, a verdict that does not pass needs %u permille of the votes on the classes that do not pass (else the flow passes)\n",
			       m->early_from ? m->early_from : 1, m->early_pkts, m->early_min_share);
		if (m->attack_min_share)
			printf("attack     a passing verdict while the classes that do not pass hold %u permille of the votes together is the one of them with the most votes\n",
			       m->attack_min_share);
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
	json_object_object_add(o, "kernel_nodes", json_object_new_int(m->n_knodes));
	json_object_object_add(o, "max_depth", json_object_new_int(m->max_depth));
	json_object_object_add(o, "phases", phases_json(m));
	json_object_object_add(o, "classes", ff_model_classes_json(m));
	if (m->early_pkts)
		json_object_object_add(o, "early_drop", ff_model_early_json(m));
	if (m->attack_min_share)
		json_object_object_add(o, "attack_votes", ff_model_attack_votes_json(m));
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

/* ---- show, validate ---------------------------------------------------- */

struct file_args {
	const char *file;
	bool json;
	bool json_ok;		/* show takes --json, validate does not */
};

static const struct argp_option show_options[] = {
	{ "json", 'j', NULL, 0, "As one JSON object" },
	{},
};

/* The default case of a sub-command that takes one model FILE: exactly
 * one, named in the error when there is another. */
static error_t model_file_arg(int key, char *arg, struct argp_state *state, const char **file)
{
	switch (key) {
	case ARGP_KEY_ARG:
		if (*file)
			argp_error(state, "unexpected argument '%s'", arg);
		*file = arg;
		break;
	case ARGP_KEY_NO_ARGS:
		argp_error(state, "which model FILE?");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static error_t file_opt(int key, char *arg, struct argp_state *state)
{
	struct file_args *a = state->input;

	switch (key) {
	case 'j':
		a->json = true;
		break;
	default:
		return model_file_arg(key, arg, state, &a->file);
	}
	return 0;
}

static int open_model(const char *file, struct ff_model *m)
{
	char err[512];

	if (ff_model_load(file, m, err, sizeof(err))) {
		fprintf(stderr, "flowforest: bad model: %s\n", err);
		return -1;
	}
	return 0;
}

static int model_show(int argc, char **argv)
{
	static const struct argp argp = {
		show_options, file_opt, "FILE",
		"Show a model: trees, nodes, depth, its phases (packet counts, kind of\n"
		"model and score), classes, actions and minimum scores, the features used\n"
		"(with the number of splits on each) and provenance.\v"
		"EXAMPLES:\n  flowforest model show model.json\n  flowforest model show --json model.json",
	};
	struct file_args a = {};
	struct ff_model m;
	int rc;

	cli_parse(&argp, argc, argv, &a);
	if (open_model(a.file, &m))
		return 1;
	rc = show(&m, a.json);
	ff_model_free(&m);
	return rc;
}

static int model_validate(int argc, char **argv)
{
	static const struct argp argp = {
		NULL, file_opt, "FILE",
		"Check a model file: exit 0 if the kernel would accept it, 1 with the reason\n"
		"if not.\v"
		"EXAMPLE:\n  flowforest model validate model.json && echo ok",
	};
	struct file_args a = {};
	struct ff_model m;

	cli_parse(&argp, argc, argv, &a);
	if (open_model(a.file, &m))
		return 1;
	printf("%s: ok (%u trees, %u nodes, depth %u, %u classes)\n", a.file,
	       m.n_trees, m.n_nodes, m.max_depth, m.n_classes);
	ff_model_free(&m);
	return 0;
}

/* ---- load --------------------------------------------------------------- */

struct load_args {
	const char *iface;
	const char *file;
	struct cli_actions actions;
	bool reclassify;
	bool no_native;
};

static const struct argp_option load_options[] = {
	{ "reclassify", 'R', NULL, 0, "Decide every flow again at its next packet" },
	{ "no-native-forest", 0x1201, NULL, 0,
	  "Run the model as the data-driven walk only, not compiled to BPF instructions" },
	{},
};

static error_t load_opt(int key, char *arg, struct argp_state *state)
{
	struct load_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		cli_child_inputs(state, &a->iface, &a->actions, NULL);
		break;
	case 'R':
		a->reclassify = true;
		break;
	case 0x1201:
		a->no_native = true;
		break;
	default:
		return model_file_arg(key, arg, state, &a->file);
	}
	return 0;
}

static int model_load(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_iface_argp }, { &cli_action_argp }, {},
	};
	static const struct argp argp = {
		load_options, load_opt, "FILE",
		"Swap the model of the pinned classifier on IF atomically while traffic\n"
		"flows: a packet sees the old model or the new one, never a mix.\v"
		"Decided flows keep their verdicts until their next checkpoint, or are\n"
		"decided again at their next packet with --reclassify.\n\n"
		"The model is compiled to BPF instructions (the native forest,\n"
		"docs/design.md) and a copy of the classifier's program with them\n"
		"replaces it at the pinned link; until then, and with\n"
		"--no-native-forest, the data-driven walk decides (same verdicts).\n\n"
		"EXAMPLES:\n  sudo flowforest model load --iface eth0 new.json\n"
		"  sudo flowforest model load -i eth0 --reclassify -a syn_flood=drop new.json\n"
		"  sudo flowforest model load -i eth0 --no-native-forest new.json",
		children,
	};
	struct load_args a = {};
	__u32 actions[FF_MAX_CLASSES];
	struct ff_maps mp;
	struct ff_model m;
	char err[512];
	int gen;

	cli_parse(&argp, argc, argv, &a);
	if (open_model(a.file, &m))
		return 1;
	if (cli_actions_resolve(&a.actions, &m, actions, "flowforest model load")) {
		ff_model_free(&m);
		return 2;
	}
	if (cli_open_pinned(a.iface, &mp, "flowforest")) {
		ff_model_free(&m);
		return 1;
	}
	mp.no_native = a.no_native;
	gen = ff_maps_install_model(&mp, &m, actions, a.reclassify, err, sizeof(err));
	if (gen > 0 && mp.native_note[0])
		fprintf(stderr, "flowforest: %s\n", mp.native_note);
	ff_maps_close(&mp);
	if (gen < 0) {
		fprintf(stderr, "flowforest: %s\n", err);
		ff_model_free(&m);
		return 1;
	}
	printf("%s: %s loaded as generation %d (%u trees, %u classes)%s\n", a.iface, a.file, gen,
	       m.n_trees, m.n_classes, a.reclassify ? "; flows will be decided again" : "");
	ff_model_free(&m);
	return 0;
}

int cmd_model(int argc, char **argv)
{
	static const struct cli_command subs[] = {
		{ "show", model_show, "trees, classes, features and provenance of a model file" },
		{ "validate", model_validate, "exit 0 if the kernel would accept a model file" },
		{ "load", model_load, "swap the model of a pinned classifier atomically" },
		{ "import", cmd_model_import, "a model from XGBoost or scikit-learn" },
	};

	return cli_dispatch(argc, argv, subs, sizeof(subs) / sizeof(subs[0]),
			    "Show or validate a model file; load it into a running classifier; import\n"
			    "one from XGBoost or scikit-learn.",
			    "  sudo flowforest model load --iface eth0 new.json\n"
			    "  flowforest model import --from xgboost m.json -o ff.json\n"
			    "  flowforest model show model.json\n"
			    "  flowforest model validate model.json && echo ok");
}
