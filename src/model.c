// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "errmsg.h"
#include "glue.h"
#include "model.h"
#include "features_info.h"

static const char *const action_names[FF_ACT__MAX] = {
	[FF_ACT_PASS] = "pass",
	[FF_ACT_DROP] = "drop",
	[FF_ACT_ALERT] = "alert",
};

const char *ff_action_name(__u32 action)
{
	return action < FF_ACT__MAX ? action_names[action] : "?";
}

int ff_action_parse(const char *s)
{
	int i;

	for (i = 0; i < FF_ACT__MAX; i++)
		if (!strcmp(s, action_names[i]))
			return i;
	return -1;
}


void ff_model_free(struct ff_model *m)
{
	free(m->nodes);
	free(m->provenance);
	memset(m, 0, sizeof(*m));
}

int ff_action_spec_parse(const char *spec, char *cls, size_t clslen, int *act, char *err,
			 size_t errlen)
{
	const char *eq = strrchr(spec, '=');
	size_t len = eq ? (size_t)(eq - spec) : 0;

	if (!eq || len == 0)
		return ff_fail(err, errlen, "--action wants CLASS=ACTION, got '%s'", spec);
	if (len >= clslen)
		return ff_fail(err, errlen, "--action %s: a class name has at most %zu characters",
			       spec, clslen - 1);
	*act = ff_action_parse(eq + 1);
	if (*act < 0)
		return ff_fail(err, errlen, "--action %s: '%s' is not pass, drop or alert", spec, eq + 1);
	memcpy(cls, spec, len);
	cls[len] = 0;
	return 0;
}

int ff_model_action_override(const struct ff_model *m, __u32 *actions, const char *spec,
			      char *err, size_t errlen)
{
	char name[FF_NAME_MAX];
	int cls, act, k, n;

	if (ff_action_spec_parse(spec, name, sizeof(name), &act, err, errlen))
		return -1;
	cls = ff_model_class_lookup(m, name);
	if (cls < 0) {
		n = snprintf(err, errlen, "--action %s: the model has no class \"%s\"; its classes are:",
			     spec, name);
		for (k = 0; k < (int)m->n_classes && n > 0 && (size_t)n < errlen; k++)
			n += snprintf(err + n, errlen - n, "%s \"%s\"", k ? "," : "", m->class_names[k]);
		return -1;
	}
	actions[cls] = act;
	return 0;
}

json_object *ff_model_classes_json(const struct ff_model *m)
{
	json_object *arr = json_object_new_array();
	__u32 i;

	for (i = 0; i < m->n_classes; i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "name", json_object_new_string(m->class_names[i]));
		json_object_object_add(c, "action", json_object_new_string(ff_action_name(m->actions[i])));
		json_object_array_add(arr, c);
	}
	return arr;
}

int ff_model_class_lookup(const struct ff_model *m, const char *name)
{
	__u32 i;

	for (i = 0; i < m->n_classes; i++)
		if (!strcmp(m->class_names[i], name))
			return i;
	return -1;
}

/* Reads an integer member; 1 if absent (and optional), 0 ok, -1 bad. */
static int get_u64(json_object *o, const char *key, __u64 *out, int optional)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return optional ? 1 : -1;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	if (json_object_get_int64(v) < 0) {
		/* json-c keeps large values as uint64 */
		return -1;
	}
	*out = json_object_get_uint64(v);
	return errno ? -1 : 0;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int parse_features(json_object *root, struct ff_model *m, char *err,
			  size_t errlen)
{
	json_object *arr;
	size_t i, n;

	if (!json_object_object_get_ex(root, "features", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return ff_fail(err, errlen, "\"features\" must be an array");
	n = json_object_array_length(arr);
	if (n == 0 || n > FF_MAX_FEATURES)
		return ff_fail(err, errlen, "\"features\" has %zu entries (1..%d allowed)",
			    n, FF_MAX_FEATURES);
	for (i = 0; i < n; i++) {
		json_object *f = json_object_array_get_idx(arr, i);
		const char *name = get_str(f, "name"), *unit = get_str(f, "unit");
		int id;

		if (!name)
			return ff_fail(err, errlen, "features[%zu]: missing \"name\"", i);
		id = ff_feature_lookup(name);
		if (id < 0)
			return ff_fail(err, errlen,
				    "features[%zu]: unknown feature \"%s\" (see `flowforest features`)",
				    i, name);
		if (strcmp(name, ff_feature_table[id].name))
			return ff_fail(err, errlen,
				    "features[%zu]: use the feature name \"%s\", not \"%s\"",
				    i, ff_feature_table[id].name, name);
		if (!unit || strcmp(unit, ff_unit_name(ff_feature_table[id].unit)))
			return ff_fail(err, errlen,
				    "features[%zu] \"%s\": unit \"%s\" does not match the kernel's \"%s\"",
				    i, name, unit ? unit : "(missing)",
				    ff_unit_name(ff_feature_table[id].unit));
		m->feature_ids[i] = id;
	}
	m->n_features = n;
	return 0;
}

static int parse_classes(json_object *root, struct ff_model *m, char *err,
			 size_t errlen)
{
	json_object *arr;
	size_t i, j, n;

	if (!json_object_object_get_ex(root, "classes", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return ff_fail(err, errlen, "\"classes\" must be an array");
	n = json_object_array_length(arr);
	if (n == 0 || n > FF_MAX_CLASSES)
		return ff_fail(err, errlen, "\"classes\" has %zu entries (1..%d allowed)",
			    n, FF_MAX_CLASSES);
	for (i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(arr, i);
		const char *name = get_str(c, "name"), *act = get_str(c, "action");
		int a = FF_ACT_PASS;

		if (!name || !name[0] || strlen(name) >= FF_NAME_MAX)
			return ff_fail(err, errlen,
				    "classes[%zu]: \"name\" must be a string of 1..%d characters",
				    i, FF_NAME_MAX - 1);
		for (j = 0; j < i; j++)
			if (!strcmp(m->class_names[j], name))
				return ff_fail(err, errlen, "classes[%zu]: duplicate class \"%s\"",
					    i, name);
		if (act) {
			a = ff_action_parse(act);
			if (a < 0)
				return ff_fail(err, errlen,
					    "classes[%zu] \"%s\": action \"%s\" is not pass, drop or alert",
					    i, name, act);
		}
		strcpy(m->class_names[i], name);
		m->actions[i] = a;
	}
	m->n_classes = n;
	return 0;
}

static int parse_node(json_object *jn, struct ff_model *m, size_t t, size_t i,
		      __u32 base, __u32 tree_nodes, struct ff_node *out,
		      char *err, size_t errlen)
{
	__u64 cls, w = 1, f, thr, l, r;
	int rc;

	if (!json_object_is_type(jn, json_type_object))
		return ff_fail(err, errlen, "trees[%zu].nodes[%zu]: not an object", t, i);
	memset(out, 0, sizeof(*out));
	rc = get_u64(jn, "class", &cls, 1);
	if (rc == 0) {
		if (cls >= m->n_classes)
			return ff_fail(err, errlen,
				    "trees[%zu].nodes[%zu]: leaf class %" PRIu64 " out of range (%u classes)",
				    t, i, (uint64_t)cls, m->n_classes);
		if (get_u64(jn, "weight", &w, 1) < 0 || w == 0 || w > 0xffff)
			return ff_fail(err, errlen,
				    "trees[%zu].nodes[%zu]: \"weight\" must be an integer in 1..65535",
				    t, i);
		out->feature = FF_NODE_LEAF;
		out->left = cls;
		out->right = w;
		return 0;
	}
	if (rc < 0)
		return ff_fail(err, errlen, "trees[%zu].nodes[%zu]: \"class\" must be a non-negative integer",
			    t, i);
	if (get_u64(jn, "feature", &f, 0))
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: a node needs \"class\" (leaf) or \"feature\" (split)",
			    t, i);
	if (f >= m->n_features)
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: feature %" PRIu64 " out of range (%u features)",
			    t, i, (uint64_t)f, m->n_features);
	if (get_u64(jn, "threshold", &thr, 0))
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: \"threshold\" must be an integer in 0..2^64-1",
			    t, i);
	if (get_u64(jn, "left", &l, 0) || get_u64(jn, "right", &r, 0))
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: \"left\" and \"right\" must be node indices",
			    t, i);
	if (l >= tree_nodes || r >= tree_nodes)
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: child index out of range (tree has %u nodes)",
			    t, i, tree_nodes);
	out->feature = m->feature_ids[f];
	out->threshold = thr;
	out->left = base + l;
	out->right = base + r;
	return 0;
}

static int parse_trees(json_object *root, struct ff_model *m, char *err,
		       size_t errlen)
{
	json_object *arr;
	size_t t, n, total = 0;

	if (!json_object_object_get_ex(root, "trees", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return ff_fail(err, errlen, "\"trees\" must be an array");
	n = json_object_array_length(arr);
	if (n == 0 || n > FF_MAX_TREES)
		return ff_fail(err, errlen, "\"trees\" has %zu entries (1..%d allowed)",
			    n, FF_MAX_TREES);
	for (t = 0; t < n; t++) {
		json_object *tree = json_object_array_get_idx(arr, t), *nodes;

		if (!json_object_is_type(tree, json_type_object) ||
		    !json_object_object_get_ex(tree, "nodes", &nodes) ||
		    !json_object_is_type(nodes, json_type_array) ||
		    json_object_array_length(nodes) == 0)
			return ff_fail(err, errlen, "trees[%zu]: \"nodes\" must be a non-empty array", t);
		total += json_object_array_length(nodes);
		if (total > FF_MAX_NODES)
			return ff_fail(err, errlen, "model has more than %d nodes", FF_MAX_NODES);
	}
	m->nodes = calloc(total, sizeof(*m->nodes));
	if (!m->nodes)
		return ff_fail(err, errlen, "out of memory for %zu nodes", total);
	m->n_nodes = total;
	m->n_trees = n;

	total = 0;
	for (t = 0; t < n; t++) {
		json_object *nodes;
		size_t i, tn;

		json_object_object_get_ex(json_object_array_get_idx(arr, t), "nodes", &nodes);
		tn = json_object_array_length(nodes);
		m->roots[t] = total;
		for (i = 0; i < tn; i++)
			if (parse_node(json_object_array_get_idx(nodes, i), m, t, i,
				       total, tn, &m->nodes[total + i], err, errlen))
				return -1;
		total += tn;
	}
	return 0;
}

int ff_model_validate(struct ff_model *m, char *err, size_t errlen)
{
	__u32 *stack = NULL, *depth = NULL;
	__u8 *seen = NULL;
	__u32 t, i, sp, maxd = 0;
	int rc = -1;

	if (m->n_trees == 0 || m->n_trees > FF_MAX_TREES)
		return ff_fail(err, errlen, "model has %u trees (1..%d allowed)", m->n_trees, FF_MAX_TREES);
	if (m->n_nodes == 0 || m->n_nodes > FF_MAX_NODES || !m->nodes)
		return ff_fail(err, errlen, "model has %u nodes (1..%d allowed)", m->n_nodes, FF_MAX_NODES);
	if (m->n_classes == 0 || m->n_classes > FF_MAX_CLASSES)
		return ff_fail(err, errlen, "model has %u classes (1..%d allowed)", m->n_classes, FF_MAX_CLASSES);
	for (i = 0; i < m->n_classes; i++)
		if (m->actions[i] >= FF_ACT__MAX)
			return ff_fail(err, errlen, "class %u has an unknown action", i);

	seen = calloc(m->n_nodes, 1);
	stack = calloc(m->n_nodes, sizeof(*stack));
	depth = calloc(m->n_nodes, sizeof(*depth));
	if (!seen || !stack || !depth) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	for (t = 0; t < m->n_trees; t++) {
		if (m->roots[t] >= m->n_nodes) {
			ff_fail(err, errlen, "tree %u: root %u out of range", t, m->roots[t]);
			goto out;
		}
		sp = 0;
		stack[sp++] = m->roots[t];
		depth[m->roots[t]] = 0;
		while (sp) {
			__u32 idx = stack[--sp];
			const struct ff_node *n = &m->nodes[idx];

			if (seen[idx]) {
				ff_fail(err, errlen,
				     "tree %u: node %u is reached twice (a cycle or a shared node)",
				     t, idx - m->roots[t]);
				goto out;
			}
			seen[idx] = 1;
			if (depth[idx] > maxd)
				maxd = depth[idx];
			if (depth[idx] > FF_MAX_DEPTH) {
				ff_fail(err, errlen, "tree %u: deeper than %d", t, FF_MAX_DEPTH);
				goto out;
			}
			if (n->feature == FF_NODE_LEAF) {
				if (n->left >= m->n_classes || n->right == 0) {
					ff_fail(err, errlen, "tree %u: node %u is a bad leaf", t,
					     idx - m->roots[t]);
					goto out;
				}
				continue;
			}
			if (n->feature >= FF_NUM_FEATURES) {
				ff_fail(err, errlen, "tree %u: node %u uses unknown feature %u",
				     t, idx - m->roots[t], n->feature);
				goto out;
			}
			if (n->left >= m->n_nodes || n->right >= m->n_nodes) {
				ff_fail(err, errlen, "tree %u: node %u has a child out of range",
				     t, idx - m->roots[t]);
				goto out;
			}
			if (sp + 2 > m->n_nodes) {
				ff_fail(err, errlen, "tree %u: node %u is reached twice (a cycle)", t,
				     idx - m->roots[t]);
				goto out;
			}
			depth[n->left] = depth[idx] + 1;
			depth[n->right] = depth[idx] + 1;
			stack[sp++] = n->left;
			stack[sp++] = n->right;
		}
	}
	for (i = 0; i < m->n_nodes; i++)
		if (!seen[i]) {
			ff_fail(err, errlen, "node %u belongs to no tree", i);
			goto out;
		}
	m->max_depth = maxd;
	rc = 0;
out:
	free(seen);
	free(stack);
	free(depth);
	return rc;
}

int ff_model_parse(const char *json, size_t len, struct ff_model *m, char *err,
		   size_t errlen)
{
	struct json_tokener *tok;
	json_object *root = NULL, *v;
	enum json_tokener_error jerr;
	const char *fmt;
	__u64 ver;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	tok = json_tokener_new();
	if (!tok)
		return ff_fail(err, errlen, "out of memory");
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!root || jerr != json_tokener_success) {
		ff_fail(err, errlen, "not valid JSON (%s, near byte %zu)",
		     jerr == json_tokener_continue ? "unexpected end of file"
						   : json_tokener_error_desc(jerr),
		     json_tokener_get_parse_end(tok));
		goto out;
	}
	if (json_tokener_get_parse_end(tok) < len) {
		size_t k;

		for (k = json_tokener_get_parse_end(tok); k < len; k++)
			if (json[k] != ' ' && json[k] != '\n' && json[k] != '\r' && json[k] != '\t') {
				ff_fail(err, errlen, "trailing data after the JSON object at byte %zu", k);
				goto out;
			}
	}
	if (!json_object_is_type(root, json_type_object)) {
		ff_fail(err, errlen, "the model must be a JSON object");
		goto out;
	}
	fmt = get_str(root, "format");
	if (!fmt || strcmp(fmt, FF_MODEL_FORMAT)) {
		ff_fail(err, errlen, "\"format\" must be \"%s\"", FF_MODEL_FORMAT);
		goto out;
	}
	if (get_u64(root, "version", &ver, 0) || ver != FF_MODEL_VERSION) {
		ff_fail(err, errlen, "unsupported \"version\" (this build reads version %d)",
		     FF_MODEL_VERSION);
		goto out;
	}
	if (parse_features(root, m, err, errlen) || parse_classes(root, m, err, errlen) ||
	    parse_trees(root, m, err, errlen))
		goto out;
	if (json_object_object_get_ex(root, "provenance", &v)) {
		m->provenance = strdup(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		if (!m->provenance) {
			ff_fail(err, errlen, "out of memory");
			goto out;
		}
	}
	rc = ff_model_validate(m, err, errlen);
out:
	if (rc)
		ff_model_free(m);
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

#define FF_MODEL_MAX_FILE (256u << 20)

int ff_model_load(const char *path, struct ff_model *m, char *err, size_t errlen)
{
	char sub[200];
	FILE *f;
	char *buf;
	long sz;
	int rc;

	memset(m, 0, sizeof(*m));
	f = fopen(path, "rb");
	if (!f)
		return ff_fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return ff_fail(err, errlen, "%s: cannot read (not a regular file?)", path);
	}
	if ((unsigned long)sz > FF_MODEL_MAX_FILE) {
		fclose(f);
		return ff_fail(err, errlen, "%s: larger than %u MiB", path, FF_MODEL_MAX_FILE >> 20);
	}
	buf = malloc(sz + 1);
	if (!buf || fread(buf, 1, sz, f) != (size_t)sz) {
		free(buf);
		fclose(f);
		return ff_fail(err, errlen, "%s: read failed", path);
	}
	fclose(f);
	buf[sz] = 0;
	rc = ff_model_parse(buf, sz, m, sub, sizeof(sub));
	free(buf);
	if (rc)
		return ff_fail(err, errlen, "%s: %s", path, sub);
	return 0;
}

static int model_feature_index(const struct ff_model *m, __u16 kid)
{
	__u32 i;

	for (i = 0; i < m->n_features; i++)
		if (m->feature_ids[i] == kid)
			return i;
	return -1;
}

int ff_model_save(const struct ff_model *m, const char *path, char *err,
		  size_t errlen)
{
	json_object *root = json_object_new_object(), *arr, *trees;
	__u32 i, t;
	int rc = -1;

	json_object_object_add(root, "format", json_object_new_string(FF_MODEL_FORMAT));
	json_object_object_add(root, "version", json_object_new_int(FF_MODEL_VERSION));
	arr = json_object_new_array();
	for (i = 0; i < m->n_features; i++) {
		const struct ff_feature_info *fi = &ff_feature_table[m->feature_ids[i]];
		json_object *f = json_object_new_object();

		json_object_object_add(f, "name", json_object_new_string(fi->name));
		json_object_object_add(f, "unit", json_object_new_string(ff_unit_name(fi->unit)));
		json_object_array_add(arr, f);
	}
	json_object_object_add(root, "features", arr);
	json_object_object_add(root, "classes", ff_model_classes_json(m));
	json_object_object_add(root, "combine", json_object_new_string("vote"));
	trees = json_object_new_array();
	for (t = 0; t < m->n_trees; t++) {
		__u32 base = m->roots[t];
		__u32 end = t + 1 < m->n_trees ? m->roots[t + 1] : m->n_nodes;
		json_object *tree = json_object_new_object(), *nodes = json_object_new_array();

		for (i = base; i < end; i++) {
			const struct ff_node *n = &m->nodes[i];
			json_object *jn = json_object_new_object();

			if (n->feature == FF_NODE_LEAF) {
				json_object_object_add(jn, "class", json_object_new_int(n->left));
				if (n->right != 1)
					json_object_object_add(jn, "weight", json_object_new_int(n->right));
			} else {
				json_object_object_add(jn, "feature",
					json_object_new_int(model_feature_index(m, n->feature)));
				json_object_object_add(jn, "threshold", json_object_new_uint64(n->threshold));
				json_object_object_add(jn, "left", json_object_new_int(n->left - base));
				json_object_object_add(jn, "right", json_object_new_int(n->right - base));
			}
			json_object_array_add(nodes, jn);
		}
		json_object_object_add(tree, "nodes", nodes);
		json_object_array_add(trees, tree);
	}
	json_object_object_add(root, "trees", trees);
	if (m->provenance) {
		json_object *p = json_tokener_parse(m->provenance);

		if (p)
			json_object_object_add(root, "provenance", p);
	}
	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_SPACED) < 0)
		ff_fail(err, errlen, "%s: cannot write: %s", path, json_util_get_last_err());
	else
		rc = 0;
	json_object_put(root);
	return rc;
}

__u32 ff_model_predict(const struct ff_model *m, const __u64 *features,
		       __u32 *score)
{
	struct ff_walk_src src = { m->nodes, m->roots, features };
	struct ff_walk w;
	__u32 i;

	ff_walk_init(&w, m->n_trees, m->n_nodes);
	w.user = (__u64)(uintptr_t)&src;
	for (i = 0; i < FF_MAX_TREES; i++)
		if (ff_walk_tree(&w))
			break;
	return ff_walk_result(&w, m->n_classes, score);
}
