/* SPDX-License-Identifier: MIT */
/*
 * Model files: load, validate, save, and predict in user space with the
 * shared forest walk. The format is documented in docs/model-format.md.
 */
#ifndef FLOWFOREST_MODEL_FILE_H
#define FLOWFOREST_MODEL_FILE_H

#include <stddef.h>
#include "glue.h"

#define FF_MODEL_FORMAT "flowforest-model"
#define FF_MODEL_VERSION 1
#define FF_NAME_MAX FF_CLASS_NAME_LEN

struct ff_model {
	__u32 n_features;			/* the model's own feature list */
	__u16 feature_ids[FF_MAX_FEATURES];	/* -> kernel feature id */
	__u32 n_classes;
	char class_names[FF_MAX_CLASSES][FF_NAME_MAX];
	__u32 actions[FF_MAX_CLASSES];		/* enum ff_action */
	__u32 n_trees;
	__u32 roots[FF_MAX_TREES];		/* model-wide node index */
	__u32 n_nodes;
	struct ff_node *nodes;			/* feature = kernel feature id */
	__u32 max_depth;			/* computed by validation */
	char *provenance;			/* JSON text of "provenance", or NULL */
};

/* Every function taking `err` writes a one-line reason there on failure. */
int ff_model_load(const char *path, struct ff_model *m, char *err, size_t errlen);
int ff_model_parse(const char *json, size_t len, struct ff_model *m, char *err,
		   size_t errlen);
int ff_model_save(const struct ff_model *m, const char *path, char *err,
		  size_t errlen);
/* Structure check: sizes, indices in range, every tree a tree (no cycle, no
 * shared node), depth within FF_MAX_DEPTH. Sets m->max_depth. */
int ff_model_validate(struct ff_model *m, char *err, size_t errlen);
void ff_model_free(struct ff_model *m);

/* Predict from a vector indexed by kernel feature id; returns the class and
 * sets *score (permille). The same walk the kernel runs. */
__u32 ff_model_predict(const struct ff_model *m, const __u64 *features,
		       __u32 *score);

int ff_model_class_lookup(const struct ff_model *m, const char *name);
/* The one parser of "CLASS=pass|drop|alert": the class name into cls (at
 * most clslen - 1 characters), the action into *act. */
int ff_action_spec_parse(const char *spec, char *cls, size_t clslen, int *act, char *err,
			 size_t errlen);
/* Apply "CLASS=pass|drop|alert" to actions[] (indexed by class). */
int ff_model_action_override(const struct ff_model *m, __u32 *actions, const char *spec,
			     char *err, size_t errlen);
/* [{"name": ..., "action": ...}, ...] */
struct json_object;
struct json_object *ff_model_classes_json(const struct ff_model *m);

const char *ff_action_name(__u32 action);
int ff_action_parse(const char *s);	/* -1 if unknown */

#endif
