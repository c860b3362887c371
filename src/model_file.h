/* SPDX-License-Identifier: MIT */
/*
 * Model files: load, validate, save, and predict in user space with the
 * shared tree walk. The format is documented in docs/model-format.md.
 *
 * In memory a model keeps its trees as the file and the trainers describe
 * them (struct ff_xnode: explicit children, model-wide indices) and, built
 * by ff_model_validate(), in the kernel's layout (struct ff_node, pre-order,
 * include/flowforest/model.h), which the loader installs and
 * ff_model_predict() walks: user space runs the kernel's walk on the
 * kernel's nodes.
 */
#ifndef FLOWFOREST_MODEL_FILE_H
#define FLOWFOREST_MODEL_FILE_H

#include <stddef.h>
#include "packet_path.h"

#define FF_MODEL_FORMAT "flowforest-model"
#define FF_MODEL_VERSION 2	/* written; 1 and 2 are read */
#define FF_NAME_MAX FF_CLASS_NAME_LEN

#define FF_NODE_LEAF 0xffff	/* xnode.feature of a leaf */
#define FF_NODE_LEAFVEC 0xfffe	/* xnode.feature of a vector leaf */

struct ff_xnode {
	__u64 threshold;	/* split: left when feature <= threshold */
	__u32 left;		/* split: child (model-wide index); leaf: class */
	__u32 right;		/* split: child; leaf: value as __s32 (a vote's weight) */
	__u16 feature;		/* kernel feature id, FF_NODE_LEAF or FF_NODE_LEAFVEC */
	__u16 pad16;
	__u32 vec;		/* vector leaf: values at leafvec[vec * n_classes] */
};

struct ff_model {
	__u32 n_features;			/* the model's own feature list */
	__u16 feature_ids[FF_MAX_FEATURES];	/* -> kernel feature id */
	__u32 n_classes;
	char class_names[FF_MAX_CLASSES][FF_NAME_MAX];
	__u32 actions[FF_MAX_CLASSES];		/* enum ff_action */
	__u32 min_score[FF_MAX_CLASSES];	/* permille; a drop below it alerts */
	__u32 early_pkts;			/* "early_drop": ff_verdict_early() */
	__u32 early_min_share;			/* permille */
	__u32 early_from;			/* first packet of the rule, 1.. */
	__u32 attack_min_share;			/* "attack_votes": ff_verdict_attack_votes() */
	__u32 n_phases;				/* 1..FF_MAX_PHASES */
	struct ff_phase phases[FF_MAX_PHASES];	/* first_tree, n_trees index roots[] */
	__u32 n_trees;				/* all phases */
	__u32 roots[FF_MAX_TREES];		/* model-wide node index */
	__u32 n_nodes;
	struct ff_xnode *nodes;			/* feature = kernel feature id */
	__u32 n_leafvec;			/* vectors of n_classes values */
	__s32 *leafvec;
	__u32 max_depth;			/* computed by validation */
	__u32 flags;				/* FF_MODEL_F_*, computed by validation */
	char *provenance;			/* JSON text of "provenance", or NULL */
	/* The kernel's layout, built by ff_model_validate(). */
	struct ff_feature_set features;		/* what the splits read */
	__u32 n_knodes;
	struct ff_node *knodes;			/* FF_MAX_NODES, zeroes past n_knodes */
	__u32 kroots[FF_MAX_TREES];
};

/* Every function taking `err` writes a one-line reason there on failure. */
int ff_model_load(const char *path, struct ff_model *m, char *err, size_t errlen);
int ff_model_parse(const char *json, size_t len, struct ff_model *m, char *err,
		   size_t errlen);
int ff_model_save(const struct ff_model *m, const char *path, char *err,
		  size_t errlen);
/* Structure check: sizes, indices in range, every tree a tree (no cycle, no
 * shared node), depth within FF_MAX_DEPTH, phases and leaf values that fit
 * their combination. Sets m->max_depth and (re)builds the kernel layout
 * (m->knodes, m->kroots) and the set of features its splits read
 * (m->features). A model with n_phases 0 gets one phase over all
 * its trees (a vote). */
int ff_model_validate(struct ff_model *m, char *err, size_t errlen);
void ff_model_free(struct ff_model *m);

/* Run the model for a flow of `pkts` packets on a vector indexed by kernel
 * feature id: the kernel's walk over the kernel's layout, the phase, class,
 * score and action as the kernel decides them (generation 0). */
void ff_model_run(const struct ff_model *m, __u32 pkts, const __u64 *features,
		  struct ff_verdict *v);
/* The same with the classes' actions given (as installed with other
 * actions than the file's): they decide the verdict's action and which
 * classes pass for the early rule (ff_verdict_early()). */
void ff_model_run_actions(const struct ff_model *m, const __u32 *actions, __u32 pkts,
			  const __u64 *features, struct ff_verdict *v);
/* The packet count of a feature vector (fwd_pkts + bwd_pkts): the flow's
 * count at the checkpoint that computed it, which picks the phase. */
__u32 ff_features_pkts(const __u64 *features);
/* The same for the last phase (a flow's final state, or a one-phase model);
 * returns the class and sets *score (permille). */
__u32 ff_model_predict(const struct ff_model *m, const __u64 *features,
		       __u32 *score);

int ff_model_class_lookup(const struct ff_model *m, const char *name);
/* The one parser of "CLASS=pass|drop|alert": the class name into cls (at
 * most clslen - 1 characters), the action into *act. */
/* "CLASS=PERMILLE": a class's minimum score (a drop below it alerts). */
int ff_min_score_spec_parse(const char *spec, char *cls, size_t clslen, __u32 *permille,
			    char *err, size_t errlen);
int ff_model_min_score_override(struct ff_model *m, const char *spec, char *err, size_t errlen);
/* --early-drop [FROM-]PKTS:PERMILLE: at a flow's packets FROM (default 1)
 * to PKTS a verdict that does not pass needs PERMILLE of the votes on the
 * classes that do not pass (ff_verdict_early()); 0:0 turns the model's
 * rule off. Vote models only. */
int ff_early_spec_parse(const char *spec, __u32 *from, __u32 *pkts, __u32 *permille, char *err,
			size_t errlen);
int ff_model_early_override(struct ff_model *m, const char *spec, char *err, size_t errlen);
/* --attack-votes PERMILLE: a passing verdict while the classes that do not
 * pass hold PERMILLE (1..1000) of the votes together is the one of them
 * with the most votes (ff_verdict_attack_votes()); 0 turns the model's
 * rule off. Vote models only. */
int ff_attack_votes_parse(const char *spec, __u32 *permille, char *err, size_t errlen);
int ff_model_attack_votes_override(struct ff_model *m, const char *spec, char *err, size_t errlen);
int ff_action_spec_parse(const char *spec, char *cls, size_t clslen, int *act, char *err,
			 size_t errlen);
/* Apply "CLASS=pass|drop|alert" to actions[] (indexed by class). */
int ff_model_action_override(const struct ff_model *m, __u32 *actions, const char *spec,
			     char *err, size_t errlen);
/* [{"name": ..., "action": ...}, ...] */
struct json_object;
struct json_object *ff_model_classes_json(const struct ff_model *m);
/* The model's "early_drop" object (NULL without the rule). */
struct json_object *ff_model_early_json(const struct ff_model *m);
/* The model's "attack_votes" object (NULL without the rule). */
struct json_object *ff_model_attack_votes_json(const struct ff_model *m);
const char *ff_combine_name(__u32 combine);

const char *ff_action_name(__u32 action);
int ff_action_parse(const char *s);	/* -1 if unknown */

/* A model under construction (trainers, imports): features and classes
 * set by the caller, then trees appended. */
int ff_model_add_tree(struct ff_model *m, const struct ff_xnode *nodes, __u32 n,
		      char *err, size_t errlen);
/* Append the one-phase model src as the phase of dst starting at
 * from_pkts (dst empty: its features and classes are src's; else they
 * must be the same). Validate dst afterwards. */
int ff_model_append_phase(struct ff_model *dst, const struct ff_model *src, __u32 from_pkts,
			  char *err, size_t errlen);
/* A vector leaf's n_classes values; returns the index for xnode.vec, or -1. */
int ff_model_add_leafvec(struct ff_model *m, const __s32 *vals);

#endif
