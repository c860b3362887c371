// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "errmsg.h"
#include "packet_path.h"
#include "model_file.h"
#include "features_info.h"

static const char *const action_names[FF_ACT__MAX] = {
	[FF_ACT_PASS] = "pass",
	[FF_ACT_DROP] = "drop",
	[FF_ACT_ALERT] = "alert",
};

static const char *const combine_names[FF_COMBINE__MAX] = {
	[FF_COMBINE_VOTE] = "vote",
	[FF_COMBINE_SOFTMAX] = "softmax",
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

const char *ff_combine_name(__u32 combine)
{
	return combine < FF_COMBINE__MAX ? combine_names[combine] : "?";
}

void ff_model_free(struct ff_model *m)
{
	free(m->nodes);
	free(m->leafvec);
	free(m->knodes);
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

int ff_min_score_spec_parse(const char *spec, char *cls, size_t clslen, __u32 *permille,
			    char *err, size_t errlen)
{
	const char *eq = strrchr(spec, '=');
	size_t len = eq ? (size_t)(eq - spec) : 0;
	char *end;
	unsigned long v;

	if (!eq || len == 0 || len >= clslen)
		return ff_fail(err, errlen, "--min-score wants CLASS=PERMILLE (a class name of at most %zu characters), got '%s'",
			       clslen - 1, spec);
	v = strtoul(eq + 1, &end, 10);
	if (!eq[1] || *end || eq[1] == '-' || eq[1] == '+' || v > 1000)
		return ff_fail(err, errlen, "--min-score %s: the score is a permille, 0..1000", spec);
	memcpy(cls, spec, len);
	cls[len] = 0;
	*permille = v;
	return 0;
}

int ff_model_min_score_override(struct ff_model *m, const char *spec, char *err, size_t errlen)
{
	char name[FF_NAME_MAX];
	__u32 v;
	int cls;

	if (ff_min_score_spec_parse(spec, name, sizeof(name), &v, err, errlen))
		return -1;
	cls = ff_model_class_lookup(m, name);
	if (cls < 0)
		return ff_fail(err, errlen, "--min-score %s: the model has no class \"%s\"", spec, name);
	m->min_score[cls] = v;
	return 0;
}

int ff_early_spec_parse(const char *spec, __u32 *from, __u32 *pkts, __u32 *permille, char *err,
			size_t errlen)
{
	const char *colon = strchr(spec, ':'), *dash = strchr(spec, '-');
	const char *first = dash && dash < colon ? dash + 1 : spec;
	unsigned long f = 1, n, v;
	char *end;

	/* [digits, a dash,] digits, a colon, digits: strtoul alone takes signs
	 * and spaces */
	if (!colon || colon == first || !colon[1] || (first != spec && dash == spec) ||
	    strspn(spec, "0123456789") != (size_t)((first != spec ? dash : colon) - spec) ||
	    strspn(first, "0123456789") != (size_t)(colon - first) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		goto bad;
	errno = 0;
	if (first != spec)
		f = strtoul(spec, &end, 10);
	n = strtoul(first, &end, 10);
	v = strtoul(colon + 1, &end, 10);
	if (errno || n > UINT32_MAX || v > 1000 || f < 1 || (n && f > n))
		goto bad;
	*from = f;
	*pkts = n;
	*permille = v;
	return 0;
bad:
	return ff_fail(err, errlen, "--early-drop wants [FROM-]PKTS:PERMILLE (packets FROM, 1 by default, "
		       "to PKTS, then 0..1000), got '%s'", spec);
}

int ff_model_early_override(struct ff_model *m, const char *spec, char *err, size_t errlen)
{
	__u32 f, n, v, i;

	if (ff_early_spec_parse(spec, &f, &n, &v, err, errlen))
		return -1;
	for (i = 0; n && i < m->n_phases; i++)
		if (m->phases[i].combine != FF_COMBINE_VOTE)
			return ff_fail(err, errlen, "--early-drop %s: the model's phase %u is %s, not a vote",
				       spec, i, ff_combine_name(m->phases[i].combine));
	m->early_pkts = n;
	m->early_min_share = n ? v : 0;
	m->early_from = n ? f : 0;
	return 0;
}

/* The phase of a vote rule's model that is not a vote, or -1: sums of
 * softmax margins are not votes (ff_verdict_early(), ff_verdict_attack_votes()). */
static int not_a_vote(const struct ff_model *m)
{
	__u32 i;

	for (i = 0; i < m->n_phases; i++)
		if (m->phases[i].combine != FF_COMBINE_VOTE)
			return (int)i;
	return -1;
}

int ff_attack_votes_parse(const char *spec, __u32 *permille, char *err, size_t errlen)
{
	unsigned long v;

	/* digits only: strtoul alone takes signs and spaces */
	if (!*spec || strspn(spec, "0123456789") != strlen(spec) || strlen(spec) > 4 ||
	    (v = strtoul(spec, NULL, 10)) > 1000)
		return ff_fail(err, errlen, "--attack-votes wants a permille 0..1000, got '%s'", spec);
	*permille = (__u32)v;
	return 0;
}

int ff_model_attack_votes_override(struct ff_model *m, const char *spec, char *err, size_t errlen)
{
	__u32 v;
	int p;

	if (ff_attack_votes_parse(spec, &v, err, errlen))
		return -1;
	p = not_a_vote(m);
	if (v && p >= 0)
		return ff_fail(err, errlen, "--attack-votes %s: the model's phase %d is %s, not a vote",
			       spec, p, ff_combine_name(m->phases[p].combine));
	m->attack_min_share = v;
	return 0;
}

json_object *ff_model_attack_votes_json(const struct ff_model *m)
{
	json_object *e;

	if (!m->attack_min_share)
		return NULL;
	e = json_object_new_object();
	json_object_object_add(e, "min_share", json_object_new_int(m->attack_min_share));
	return e;
}

json_object *ff_model_early_json(const struct ff_model *m)
{
	json_object *e;

	if (!m->early_pkts)
		return NULL;
	e = json_object_new_object();
	if (m->early_from > 1)
		json_object_object_add(e, "from_pkts", json_object_new_int64(m->early_from));
	json_object_object_add(e, "until_pkts", json_object_new_int64(m->early_pkts));
	json_object_object_add(e, "min_attack_share", json_object_new_int(m->early_min_share));
	return e;
}

json_object *ff_model_classes_json(const struct ff_model *m)
{
	json_object *arr = json_object_new_array();
	__u32 i;

	for (i = 0; i < m->n_classes; i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "name", json_object_new_string(m->class_names[i]));
		json_object_object_add(c, "action", json_object_new_string(ff_action_name(m->actions[i])));
		if (m->min_score[i])
			json_object_object_add(c, "min_score", json_object_new_int(m->min_score[i]));
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

/* ------------------------------------------------------------ reading */

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

/* A signed integer member within [lo, hi]; 1 if absent, 0 ok, -1 bad. */
static int get_s64(json_object *o, const char *key, __s64 lo, __s64 hi, __s64 *out)
{
	json_object *v;
	__s64 x;

	if (!json_object_object_get_ex(o, key, &v))
		return 1;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	x = json_object_get_int64(v);
	if (errno || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
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
		__u64 ms = 0;
		int a = FF_ACT_PASS;

		if (!name || !name[0] || strlen(name) >= FF_NAME_MAX)
			return ff_fail(err, errlen,
				    "classes[%zu]: \"name\" must be a string of 1..%d characters",
				    i, FF_NAME_MAX - 1);
		/* names end up in CSV, JSON and Prometheus labels: no line breaks
		 * or other control characters that could forge a line there */
		for (j = 0; name[j]; j++)
			if ((unsigned char)name[j] < 0x20 || name[j] == 0x7f)
				return ff_fail(err, errlen,
					    "classes[%zu]: \"name\" holds a control character (0x%02x)",
					    i, (unsigned char)name[j]);
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
		if (get_u64(c, "min_score", &ms, 1) < 0 || ms > 1000)
			return ff_fail(err, errlen,
				    "classes[%zu] \"%s\": \"min_score\" must be an integer in 0..1000 (permille)",
				    i, name);
		strcpy(m->class_names[i], name);
		m->actions[i] = a;
		m->min_score[i] = ms;
	}
	m->n_classes = n;
	return 0;
}

int ff_model_add_leafvec(struct ff_model *m, const __s32 *vals)
{
	__s32 *v = realloc(m->leafvec, (size_t)(m->n_leafvec + 1) * m->n_classes * sizeof(*v));

	if (!v)
		return -1;
	m->leafvec = v;
	memcpy(v + (size_t)m->n_leafvec * m->n_classes, vals, m->n_classes * sizeof(*v));
	return m->n_leafvec++;
}

struct tree_ctx {
	size_t t, i;		/* tree and node, for messages */
	__u32 base, tree_nodes;
	int tree_class;		/* the tree's "class", or -1 */
	__u32 combine;
};

static int parse_leaf(json_object *jn, struct ff_model *m, const struct tree_ctx *c,
		      struct ff_xnode *out, char *err, size_t errlen)
{
	json_object *vals;
	__u64 cls, w = 1;
	__s64 val;
	int rc;

	if (json_object_object_get_ex(jn, "values", &vals)) {
		__s32 v[FF_MAX_CLASSES];
		size_t k;
		int idx;

		if (!json_object_is_type(vals, json_type_array) ||
		    json_object_array_length(vals) != m->n_classes)
			return ff_fail(err, errlen, "trees[%zu].nodes[%zu]: \"values\" must be an array of %u integers (one per class)",
				    c->t, c->i, m->n_classes);
		for (k = 0; k < m->n_classes; k++) {
			json_object *e = json_object_array_get_idx(vals, k);

			errno = 0;
			if (!json_object_is_type(e, json_type_int) ||
			    json_object_get_int64(e) < INT32_MIN || json_object_get_int64(e) > INT32_MAX ||
			    errno)
				return ff_fail(err, errlen, "trees[%zu].nodes[%zu]: values[%zu] is not a 32-bit integer",
					    c->t, c->i, k);
			v[k] = json_object_get_int64(e);
			if (c->combine == FF_COMBINE_VOTE && v[k] < 0)
				return ff_fail(err, errlen, "trees[%zu].nodes[%zu]: a vote cannot be negative",
					    c->t, c->i);
		}
		idx = ff_model_add_leafvec(m, v);
		if (idx < 0)
			return ff_fail(err, errlen, "out of memory");
		out->feature = FF_NODE_LEAFVEC;
		out->vec = idx;
		return 0;
	}
	rc = get_u64(jn, "class", &cls, 1);
	if (rc < 0)
		return ff_fail(err, errlen, "trees[%zu].nodes[%zu]: \"class\" must be a non-negative integer",
			    c->t, c->i);
	if (rc == 1)
		cls = c->tree_class;
	if (cls >= m->n_classes)
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: leaf class %" PRIu64 " out of range (%u classes)",
			    c->t, c->i, (uint64_t)cls, m->n_classes);
	out->feature = FF_NODE_LEAF;
	out->left = cls;
	if (c->combine == FF_COMBINE_VOTE) {
		if (get_u64(jn, "weight", &w, 1) < 0 || w == 0 || w > 0xffff)
			return ff_fail(err, errlen,
				    "trees[%zu].nodes[%zu]: \"weight\" must be an integer in 1..65535",
				    c->t, c->i);
		out->right = w;
		return 0;
	}
	if (get_s64(jn, "value", INT32_MIN, INT32_MAX, &val))
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: a leaf of a %s model needs \"value\", a 32-bit integer",
			    c->t, c->i, ff_combine_name(c->combine));
	out->right = (__u32)(__s32)val;
	return 0;
}

static int is_leaf_json(json_object *jn)
{
	return !json_object_object_get_ex(jn, "feature", NULL);
}

static int parse_node(json_object *jn, struct ff_model *m, const struct tree_ctx *c,
		      struct ff_xnode *out, char *err, size_t errlen)
{
	__u64 f, thr, l, r;

	if (!json_object_is_type(jn, json_type_object))
		return ff_fail(err, errlen, "trees[%zu].nodes[%zu]: not an object", c->t, c->i);
	memset(out, 0, sizeof(*out));
	if (is_leaf_json(jn)) {
		if (!json_object_object_get_ex(jn, "class", NULL) &&
		    !json_object_object_get_ex(jn, "values", NULL) && c->tree_class < 0)
			return ff_fail(err, errlen,
				    "trees[%zu].nodes[%zu]: a node needs \"class\" or \"values\" (leaf) or \"feature\" (split)",
				    c->t, c->i);
		return parse_leaf(jn, m, c, out, err, errlen);
	}
	if (get_u64(jn, "feature", &f, 0))
		return ff_fail(err, errlen, "trees[%zu].nodes[%zu]: \"feature\" must be an index into \"features\"",
			    c->t, c->i);
	if (f >= m->n_features)
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: feature %" PRIu64 " out of range (%u features)",
			    c->t, c->i, (uint64_t)f, m->n_features);
	if (get_u64(jn, "threshold", &thr, 0))
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: \"threshold\" must be an integer in 0..2^64-1",
			    c->t, c->i);
	if (get_u64(jn, "left", &l, 0) || get_u64(jn, "right", &r, 0))
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: \"left\" and \"right\" must be node indices",
			    c->t, c->i);
	if (l >= c->tree_nodes || r >= c->tree_nodes)
		return ff_fail(err, errlen,
			    "trees[%zu].nodes[%zu]: child index out of range (tree has %u nodes)",
			    c->t, c->i, c->tree_nodes);
	out->feature = m->feature_ids[f];
	out->threshold = thr;
	out->left = c->base + l;
	out->right = c->base + r;
	return 0;
}

static int parse_trees(json_object *trees_arr, struct ff_model *m, __u32 combine,
		       size_t t0, char *err, size_t errlen)
{
	size_t t, n = json_object_array_length(trees_arr), total = m->n_nodes;
	struct ff_xnode *nodes;

	if (m->n_trees + n > FF_MAX_TREES)
		return ff_fail(err, errlen, "the model has more than %d trees", FF_MAX_TREES);
	for (t = 0; t < n; t++) {
		json_object *tree = json_object_array_get_idx(trees_arr, t), *jn;

		if (!json_object_is_type(tree, json_type_object) ||
		    !json_object_object_get_ex(tree, "nodes", &jn) ||
		    !json_object_is_type(jn, json_type_array) ||
		    json_object_array_length(jn) == 0)
			return ff_fail(err, errlen, "trees[%zu]: \"nodes\" must be a non-empty array", t0 + t);
		total += json_object_array_length(jn);
		if (total > FF_MAX_NODES)
			return ff_fail(err, errlen, "model has more than %d nodes", FF_MAX_NODES);
	}
	nodes = realloc(m->nodes, (total ? total : 1) * sizeof(*nodes));
	if (!nodes)
		return ff_fail(err, errlen, "out of memory for %zu nodes", total);
	m->nodes = nodes;
	for (t = 0; t < n; t++) {
		json_object *tree = json_object_array_get_idx(trees_arr, t), *jn;
		struct tree_ctx c = { .t = t0 + t, .base = m->n_nodes, .tree_class = -1,
				      .combine = combine };
		__u64 tc;
		size_t i;

		json_object_object_get_ex(tree, "nodes", &jn);
		c.tree_nodes = json_object_array_length(jn);
		if (get_u64(tree, "class", &tc, 1) == 0) {
			if (tc >= m->n_classes)
				return ff_fail(err, errlen, "trees[%zu]: class %" PRIu64 " out of range (%u classes)",
					    c.t, (uint64_t)tc, m->n_classes);
			c.tree_class = tc;
		}
		m->roots[m->n_trees] = m->n_nodes;
		for (i = 0; i < c.tree_nodes; i++) {
			c.i = i;
			if (parse_node(json_object_array_get_idx(jn, i), m, &c,
				       &m->nodes[c.base + i], err, errlen))
				return -1;
		}
		m->n_nodes += c.tree_nodes;
		m->n_trees++;
	}
	return 0;
}

/* One model: "combine", "scale_bits", "bias" and "trees" of `o` (the file's
 * root, or an entry of "phases"). */
static int parse_phase(json_object *o, struct ff_model *m, struct ff_phase *ph,
		       const char *where, char *err, size_t errlen)
{
	const char *comb = get_str(o, "combine");
	json_object *trees, *bias;
	__u64 sb = 0;
	size_t k;

	memset(ph, 0, sizeof(*ph));
	ph->combine = FF_COMBINE_VOTE;
	if (comb) {
		for (k = 0; k < FF_COMBINE__MAX; k++)
			if (!strcmp(comb, combine_names[k]))
				break;
		if (k == FF_COMBINE__MAX)
			return ff_fail(err, errlen, "%s\"combine\" must be \"vote\" or \"softmax\", got \"%s\"",
				    where, comb);
		ph->combine = k;
	}
	if (get_u64(o, "scale_bits", &sb, 1) < 0 || sb > FF_SCALE_BITS_MAX)
		return ff_fail(err, errlen, "%s\"scale_bits\" must be an integer in 0..%d", where,
			    FF_SCALE_BITS_MAX);
	ph->scale_bits = sb;
	if (json_object_object_get_ex(o, "bias", &bias)) {
		if (!json_object_is_type(bias, json_type_array) ||
		    json_object_array_length(bias) != m->n_classes)
			return ff_fail(err, errlen, "%s\"bias\" must be an array of %u integers (one per class)",
				    where, m->n_classes);
		for (k = 0; k < m->n_classes; k++) {
			json_object *e = json_object_array_get_idx(bias, k);
			__s64 b;

			errno = 0;
			b = json_object_get_int64(e);
			if (!json_object_is_type(e, json_type_int) || errno ||
			    b < -(1LL << 47) || b > (1LL << 47))
				return ff_fail(err, errlen, "%sbias[%zu] must be an integer within +-2^47",
					    where, k);
			ph->bias[k] = b;
		}
	}
	if (!json_object_object_get_ex(o, "trees", &trees) ||
	    !json_object_is_type(trees, json_type_array) || json_object_array_length(trees) == 0)
		return ff_fail(err, errlen, "%s\"trees\" must be a non-empty array", where);
	ph->first_tree = m->n_trees;
	if (parse_trees(trees, m, ph->combine, 0, err, errlen))
		return -1;
	ph->n_trees = m->n_trees - ph->first_tree;
	return 0;
}

static int parse_phases(json_object *root, struct ff_model *m, char *err, size_t errlen)
{
	json_object *arr;
	size_t i, n;

	if (!json_object_object_get_ex(root, "phases", &arr)) {
		m->n_phases = 1;
		return parse_phase(root, m, &m->phases[0], "", err, errlen);
	}
	if (json_object_object_get_ex(root, "trees", NULL))
		return ff_fail(err, errlen, "a model has \"trees\" or \"phases\", not both");
	if (!json_object_is_type(arr, json_type_array))
		return ff_fail(err, errlen, "\"phases\" must be an array");
	n = json_object_array_length(arr);
	if (n == 0 || n > FF_MAX_PHASES)
		return ff_fail(err, errlen, "\"phases\" has %zu entries (1..%d allowed)", n, FF_MAX_PHASES);
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(arr, i);
		char where[48];
		__u64 from;

		snprintf(where, sizeof(where), "phases[%zu]: ", i);
		if (!json_object_is_type(p, json_type_object))
			return ff_fail(err, errlen, "phases[%zu]: not an object", i);
		if (get_u64(p, "from_pkts", &from, 0) || from > UINT32_MAX)
			return ff_fail(err, errlen, "phases[%zu]: \"from_pkts\" must be a packet count", i);
		if (parse_phase(p, m, &m->phases[i], where, err, errlen))
			return -1;
		m->phases[i].from_pkts = from;
		m->n_phases = i + 1;
	}
	return 0;
}

/* "early_drop": {["from_pkts": F,] "until_pkts": N, "min_attack_share":
 * PERMILLE}, optional (ff_verdict_early()); F 1 by default. */
static int parse_early(json_object *root, struct ff_model *m, char *err, size_t errlen)
{
	json_object *e;
	__u64 f = 1, n, share;

	if (!json_object_object_get_ex(root, "early_drop", &e))
		return 0;
	if (!json_object_is_type(e, json_type_object) || get_u64(e, "from_pkts", &f, 1) < 0 ||
	    get_u64(e, "until_pkts", &n, 0) || get_u64(e, "min_attack_share", &share, 0) ||
	    n < 1 || n > UINT32_MAX || share > 1000 || f < 1 || f > n)
		return ff_fail(err, errlen, "\"early_drop\" must be {\"from_pkts\": 1..until_pkts "
			       "(optional, 1), \"until_pkts\": 1.., \"min_attack_share\": 0..1000 "
			       "(permille)}");
	m->early_pkts = n;
	m->early_min_share = share;
	m->early_from = f;
	return 0;
}

/* "attack_votes": {"min_share": PERMILLE}, optional
 * (ff_verdict_attack_votes()). */
static int parse_attack_votes(json_object *root, struct ff_model *m, char *err, size_t errlen)
{
	json_object *e;
	__u64 share;

	if (!json_object_object_get_ex(root, "attack_votes", &e))
		return 0;
	if (!json_object_is_type(e, json_type_object) || get_u64(e, "min_share", &share, 0) ||
	    share < 1 || share > 1000)
		return ff_fail(err, errlen, "\"attack_votes\" must be {\"min_share\": 1..1000 (permille)}");
	m->attack_min_share = share;
	return 0;
}

/* ---------------------------------------------------------- validation */

static int check_phases(struct ff_model *m, char *err, size_t errlen)
{
	__u32 i, next = 0, c;

	if (m->n_phases == 0) {		/* built in memory: one vote over all trees */
		memset(&m->phases[0], 0, sizeof(m->phases[0]));
		m->phases[0].n_trees = m->n_trees;
		m->n_phases = 1;
	}
	if (m->n_phases > FF_MAX_PHASES)
		return ff_fail(err, errlen, "model has %u phases (1..%d allowed)", m->n_phases, FF_MAX_PHASES);
	for (i = 0; i < m->n_phases; i++) {
		const struct ff_phase *ph = &m->phases[i];

		if (ph->first_tree != next || ph->n_trees == 0)
			return ff_fail(err, errlen, "phase %u: its trees must follow the previous phase's (and be at least one)", i);
		next += ph->n_trees;
		if (i > 0 && ph->from_pkts <= m->phases[i - 1].from_pkts)
			return ff_fail(err, errlen, "phase %u: from_pkts %u does not follow %u", i,
				    ph->from_pkts, m->phases[i - 1].from_pkts);
		if (ph->combine >= FF_COMBINE__MAX || ph->scale_bits > FF_SCALE_BITS_MAX)
			return ff_fail(err, errlen, "phase %u: bad combination or scale", i);
		for (c = 0; c < FF_MAX_CLASSES; c++) {
			if ((c >= m->n_classes || ph->combine == FF_COMBINE_VOTE) && ph->bias[c])
				return ff_fail(err, errlen, "phase %u: class %u has a bias, which only softmax models of that many classes have", i, c);
			if (ph->bias[c] < -(1LL << 47) || ph->bias[c] > (1LL << 47))
				return ff_fail(err, errlen, "phase %u: bias of class %u beyond +-2^47", i, c);
		}
	}
	if (next != m->n_trees)
		return ff_fail(err, errlen, "the phases hold %u trees, the model %u", next, m->n_trees);
	if (m->early_min_share > 1000)
		return ff_fail(err, errlen, "early_drop: min_attack_share %u is above 1000",
			       m->early_min_share);
	for (i = 0; m->early_pkts && i < m->n_phases; i++)
		if (m->phases[i].combine != FF_COMBINE_VOTE)
			return ff_fail(err, errlen, "early_drop needs a vote in every phase (phase %u is %s)",
				       i, ff_combine_name(m->phases[i].combine));
	if (m->attack_min_share > 1000)
		return ff_fail(err, errlen, "attack_votes: min_share %u is above 1000",
			       m->attack_min_share);
	if (m->attack_min_share && not_a_vote(m) >= 0)
		return ff_fail(err, errlen, "attack_votes needs a vote in every phase (phase %d is %s)",
			       not_a_vote(m), ff_combine_name(m->phases[not_a_vote(m)].combine));
	return 0;
}

static int phase_of_tree(const struct ff_model *m, __u32 t)
{
	__u32 i;

	for (i = 0; i < m->n_phases; i++)
		if (t >= m->phases[i].first_tree && t < m->phases[i].first_tree + m->phases[i].n_trees)
			return i;
	return 0;
}

static int check_leaf(const struct ff_model *m, const struct ff_xnode *n, __u32 combine)
{
	__u32 c;

	if (n->feature == FF_NODE_LEAFVEC) {
		if (n->vec >= m->n_leafvec)
			return -1;
		for (c = 0; c < m->n_classes && combine == FF_COMBINE_VOTE; c++)
			if (m->leafvec[(size_t)n->vec * m->n_classes + c] < 0)
				return -1;
		return 0;
	}
	if (n->left >= m->n_classes)
		return -1;
	if (combine == FF_COMBINE_VOTE && (n->right == 0 || n->right > 0xffff))
		return -1;
	return 0;
}

/* The kernel's layout of one tree, pre-order from xnode `idx`. Returns the
 * next free knode, or -1 (with err) if the tree does not fit. */
static long layout_node(const struct ff_model *m, __u32 idx, struct ff_node *out,
			long at, __u32 tree_start, char *err, size_t errlen)
{
	const struct ff_xnode *n = &m->nodes[idx];
	struct ff_node *k;
	long next, off;
	__u32 c;

	if (at >= FF_MAX_NODES)
		return ff_fail(err, errlen, "the kernel layout needs more than %d nodes", FF_MAX_NODES);
	k = &out[at];
	memset(k, 0, sizeof(*k));
	if (n->feature == FF_NODE_LEAF) {
		k->kind = FF_KIND_LEAF | n->left;
		k->value = n->right;
		return at + 1;
	}
	if (n->feature == FF_NODE_LEAFVEC) {
		if (at + 1 + m->n_classes > FF_MAX_NODES)
			return ff_fail(err, errlen, "the kernel layout needs more than %d nodes", FF_MAX_NODES);
		k->kind = FF_KIND_LEAF | FF_KIND_VEC;
		for (c = 0; c < m->n_classes; c++) {
			memset(&out[at + 1 + c], 0, sizeof(*out));
			out[at + 1 + c].value = (__u32)m->leafvec[(size_t)n->vec * m->n_classes + c];
		}
		return at + 1 + m->n_classes;
	}
	next = at + 1;
	k->kind = n->feature;
	k->value = (__u32)n->threshold;
	if (n->threshold > 0xffffffffULL) {
		struct ff_node *w;

		if (next >= FF_MAX_NODES)
			return ff_fail(err, errlen, "the kernel layout needs more than %d nodes", FF_MAX_NODES);
		w = &out[next++];
		k->kind |= FF_KIND_WIDE;
		k->value = 0;
		w->value = (__u32)n->threshold;
		w->kind = (__u16)(n->threshold >> 32);
		w->right = (__u16)(n->threshold >> 48);
	}
	next = layout_node(m, n->left, out, next, tree_start, err, errlen);
	if (next < 0)
		return -1;
	off = next - at;
	if (off > 0xffff || next - tree_start > FF_MAX_TREE_NODES)
		return ff_fail(err, errlen, "a tree needs more than %d nodes in the kernel's layout",
			    FF_MAX_TREE_NODES);
	k->right = off;
	return layout_node(m, n->right, out, next, tree_start, err, errlen);
}

static int build_layout(struct ff_model *m, char *err, size_t errlen)
{
	struct ff_node *out = calloc(FF_MAX_NODES, sizeof(*out));
	long at = 0;
	__u32 t;

	if (!out)
		return ff_fail(err, errlen, "out of memory");
	memset(&m->features, 0, sizeof(m->features));
	for (t = 0; t < m->n_nodes; t++)	/* every node is in a tree (validated) */
		if (m->nodes[t].feature != FF_NODE_LEAF && m->nodes[t].feature != FF_NODE_LEAFVEC)
			ff_fset_add(&m->features, m->nodes[t].feature);
	for (t = 0; t < m->n_trees; t++) {
		m->kroots[t] = at;
		at = layout_node(m, m->roots[t], out, at, at, err, errlen);
		if (at < 0) {
			char sub[200];

			snprintf(sub, sizeof(sub), "%s", err ? err : "");
			ff_fail(err, errlen, "tree %u: %s", t, sub);
			free(out);
			return -1;
		}
	}
	/* kept whole, zeroes past the model's nodes, as a kernel slot: the
	 * walk masks every index into FF_MAX_NODES (model.h) */
	free(m->knodes);
	m->knodes = out;
	m->n_knodes = at;
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
	for (i = 0; i < m->n_classes; i++) {
		if (m->actions[i] >= FF_ACT__MAX)
			return ff_fail(err, errlen, "class %u has an unknown action", i);
		if (m->min_score[i] > 1000)
			return ff_fail(err, errlen, "class %u: min_score %u is above 1000", i, m->min_score[i]);
	}
	if (check_phases(m, err, errlen))
		return -1;

	seen = calloc(m->n_nodes, 1);
	stack = calloc(m->n_nodes, sizeof(*stack));
	depth = calloc(m->n_nodes, sizeof(*depth));
	if (!seen || !stack || !depth) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	for (t = 0; t < m->n_trees; t++) {
		__u32 combine = m->phases[phase_of_tree(m, t)].combine;

		if (m->roots[t] >= m->n_nodes) {
			ff_fail(err, errlen, "tree %u: root %u out of range", t, m->roots[t]);
			goto out;
		}
		sp = 0;
		stack[sp++] = m->roots[t];
		depth[m->roots[t]] = 0;
		while (sp) {
			__u32 idx = stack[--sp];
			const struct ff_xnode *n = &m->nodes[idx];

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
			if (n->feature == FF_NODE_LEAF || n->feature == FF_NODE_LEAFVEC) {
				if (check_leaf(m, n, combine)) {
					ff_fail(err, errlen, "tree %u: node %u is a bad leaf for a %s model", t,
					     idx - m->roots[t], ff_combine_name(combine));
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
	rc = build_layout(m, err, errlen);
	/* from the features the splits read (build_layout) */
	m->flags = ff_fset_has_ctx(&m->features) ? FF_MODEL_F_CTX : 0;
	for (i = 0; i < FF_NUM_FEATURES; i++) {
		int k = ff_fset_has(&m->features, i) ? ff_feature_ctx_kind((int)i) : 0;

		if (k)	/* -1: a context feature of no known entry reads them all */
			m->flags |= k > 0 ? FF_MODEL_F_CTX_KIND(k) : FF_MODEL_F_CTX_KINDS;
	}
out:
	free(seen);
	free(stack);
	free(depth);
	return rc;
}

int ff_model_add_tree(struct ff_model *m, const struct ff_xnode *nodes, __u32 n,
		      char *err, size_t errlen)
{
	struct ff_xnode *all;
	__u32 i, base = m->n_nodes;

	if (m->n_trees >= FF_MAX_TREES)
		return ff_fail(err, errlen, "more than %d trees", FF_MAX_TREES);
	if (n == 0 || (size_t)base + n > FF_MAX_NODES)
		return ff_fail(err, errlen, "more than %d nodes", FF_MAX_NODES);
	all = realloc(m->nodes, ((size_t)base + n) * sizeof(*all));
	if (!all)
		return ff_fail(err, errlen, "out of memory");
	m->nodes = all;
	for (i = 0; i < n; i++) {
		all[base + i] = nodes[i];
		if (nodes[i].feature != FF_NODE_LEAF && nodes[i].feature != FF_NODE_LEAFVEC) {
			all[base + i].left += base;
			all[base + i].right += base;
		}
	}
	m->roots[m->n_trees++] = base;
	m->n_nodes += n;
	return 0;
}

int ff_model_append_phase(struct ff_model *dst, const struct ff_model *src, __u32 from_pkts,
			  char *err, size_t errlen)
{
	struct ff_phase *ph;
	__u32 t, i, vbase = dst->n_leafvec, first = dst->n_trees;

	if (src->n_phases != 1)
		return ff_fail(err, errlen, "a phase is one model of one phase");
	if (dst->n_phases == 0) {
		dst->n_features = src->n_features;
		memcpy(dst->feature_ids, src->feature_ids, sizeof(dst->feature_ids));
		dst->n_classes = src->n_classes;
		memcpy(dst->class_names, src->class_names, sizeof(dst->class_names));
		memcpy(dst->actions, src->actions, sizeof(dst->actions));
		memcpy(dst->min_score, src->min_score, sizeof(dst->min_score));
	} else if (dst->n_classes != src->n_classes || dst->n_features != src->n_features ||
		   memcmp(dst->class_names, src->class_names, sizeof(dst->class_names)) ||
		   memcmp(dst->feature_ids, src->feature_ids, sizeof(dst->feature_ids))) {
		return ff_fail(err, errlen, "the phases' models must have the same features and classes");
	}
	if (dst->n_phases >= FF_MAX_PHASES)
		return ff_fail(err, errlen, "more than %d phases", FF_MAX_PHASES);
	if (dst->n_phases && from_pkts <= dst->phases[dst->n_phases - 1].from_pkts)
		return ff_fail(err, errlen, "phases must start at increasing packet counts");
	for (i = 0; i < src->n_leafvec; i++)
		if (ff_model_add_leafvec(dst, src->leafvec + (size_t)i * src->n_classes) < 0)
			return ff_fail(err, errlen, "out of memory");
	for (t = 0; t < src->n_trees; t++) {
		__u32 base = src->roots[t];
		__u32 end = t + 1 < src->n_trees ? src->roots[t + 1] : src->n_nodes;
		struct ff_xnode *tree = malloc((end - base) * sizeof(*tree));
		int rc;

		if (!tree)
			return ff_fail(err, errlen, "out of memory");
		for (i = base; i < end; i++) {
			struct ff_xnode n = src->nodes[i];

			if (n.feature == FF_NODE_LEAFVEC) {
				n.vec += vbase;
			} else if (n.feature != FF_NODE_LEAF) {
				n.left -= base;
				n.right -= base;
			}
			tree[i - base] = n;
		}
		rc = ff_model_add_tree(dst, tree, end - base, err, errlen);
		free(tree);
		if (rc)
			return -1;
	}
	ph = &dst->phases[dst->n_phases++];
	*ph = src->phases[0];
	ph->first_tree = first;
	ph->n_trees = src->n_trees;
	ph->from_pkts = from_pkts;
	return 0;
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
	if (get_u64(root, "version", &ver, 0) || ver < 1 || ver > FF_MODEL_VERSION) {
		ff_fail(err, errlen, "unsupported \"version\" (this build reads versions 1 to %d)",
		     FF_MODEL_VERSION);
		goto out;
	}
	if (parse_features(root, m, err, errlen) || parse_classes(root, m, err, errlen) ||
	    parse_phases(root, m, err, errlen) || parse_early(root, m, err, errlen) ||
	    parse_attack_votes(root, m, err, errlen))
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

/* ------------------------------------------------------------ writing */

static int model_feature_index(const struct ff_model *m, __u16 kid)
{
	__u32 i;

	for (i = 0; i < m->n_features; i++)
		if (m->feature_ids[i] == kid)
			return i;
	return -1;
}

static json_object *leaf_json(const struct ff_model *m, const struct ff_xnode *n,
			      __u32 combine)
{
	json_object *jn = json_object_new_object();
	__u32 c;

	if (n->feature == FF_NODE_LEAFVEC) {
		json_object *vals = json_object_new_array();

		for (c = 0; c < m->n_classes; c++)
			json_object_array_add(vals, json_object_new_int(
				m->leafvec[(size_t)n->vec * m->n_classes + c]));
		json_object_object_add(jn, "values", vals);
		return jn;
	}
	json_object_object_add(jn, "class", json_object_new_int(n->left));
	if (combine != FF_COMBINE_VOTE)
		json_object_object_add(jn, "value", json_object_new_int((__s32)n->right));
	else if (n->right != 1)
		json_object_object_add(jn, "weight", json_object_new_int(n->right));
	return jn;
}

/* The nodes of tree t in the file's order (tree-local indices). */
static json_object *tree_json(const struct ff_model *m, __u32 t, __u32 combine)
{
	__u32 base = m->roots[t];
	__u32 end = t + 1 < m->n_trees ? m->roots[t + 1] : m->n_nodes;
	json_object *tree = json_object_new_object(), *nodes = json_object_new_array();
	__u32 i;

	for (i = base; i < end; i++) {
		const struct ff_xnode *n = &m->nodes[i];
		json_object *jn;

		if (n->feature == FF_NODE_LEAF || n->feature == FF_NODE_LEAFVEC) {
			json_object_array_add(nodes, leaf_json(m, n, combine));
			continue;
		}
		jn = json_object_new_object();
		json_object_object_add(jn, "feature",
				       json_object_new_int(model_feature_index(m, n->feature)));
		json_object_object_add(jn, "threshold", json_object_new_uint64(n->threshold));
		json_object_object_add(jn, "left", json_object_new_int(n->left - base));
		json_object_object_add(jn, "right", json_object_new_int(n->right - base));
		json_object_array_add(nodes, jn);
	}
	json_object_object_add(tree, "nodes", nodes);
	return tree;
}

static void phase_json(const struct ff_model *m, const struct ff_phase *ph, json_object *o)
{
	json_object *trees = json_object_new_array();
	__u32 t, c;

	json_object_object_add(o, "combine", json_object_new_string(ff_combine_name(ph->combine)));
	if (ph->combine == FF_COMBINE_SOFTMAX) {
		json_object *bias = json_object_new_array();

		json_object_object_add(o, "scale_bits", json_object_new_int(ph->scale_bits));
		for (c = 0; c < m->n_classes; c++)
			json_object_array_add(bias, json_object_new_int64(ph->bias[c]));
		json_object_object_add(o, "bias", bias);
	}
	for (t = ph->first_tree; t < ph->first_tree + ph->n_trees; t++)
		json_object_array_add(trees, tree_json(m, t, ph->combine));
	json_object_object_add(o, "trees", trees);
}

int ff_model_save(const struct ff_model *m, const char *path, char *err,
		  size_t errlen)
{
	json_object *root = json_object_new_object(), *arr;
	struct ff_phase one = { .n_trees = m->n_trees };
	__u32 i;
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
	if (m->n_phases <= 1) {
		phase_json(m, m->n_phases ? &m->phases[0] : &one, root);
	} else {
		arr = json_object_new_array();
		for (i = 0; i < m->n_phases; i++) {
			json_object *p = json_object_new_object();

			json_object_object_add(p, "from_pkts", json_object_new_int64(m->phases[i].from_pkts));
			phase_json(m, &m->phases[i], p);
			json_object_array_add(arr, p);
		}
		json_object_object_add(root, "phases", arr);
	}
	if (m->early_pkts)
		json_object_object_add(root, "early_drop", ff_model_early_json(m));
	if (m->attack_min_share)
		json_object_object_add(root, "attack_votes", ff_model_attack_votes_json(m));
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

/* --------------------------------------------------------- prediction */

void ff_model_run(const struct ff_model *m, __u32 pkts, const __u64 *features,
		  struct ff_verdict *v)
{
	ff_model_run_actions(m, m->actions, pkts, features, v);
}

void ff_model_run_actions(const struct ff_model *m, const __u32 *actions, __u32 pkts,
			  const __u64 *features, struct ff_verdict *v)
{
	struct ff_walk_mem mem;
	struct ff_model tmp;
	const struct ff_phase *ph;
	struct ff_walk w;
	__u32 i;

	memset(v, 0, sizeof(*v));
	if (!m->knodes) {
		/* built by hand and never validated: lay it out now */
		tmp = *m;
		tmp.knodes = NULL;
		if (ff_model_validate(&tmp, NULL, 0)) {
			v->errors = 1;
			return;
		}
		ff_model_run_actions(&tmp, actions, pkts, features, v);
		free(tmp.knodes);
		return;
	}
	mem = (struct ff_walk_mem){ m->knodes, m->kroots, features };
	v->phase = ff_phase_pick(m->phases, m->n_phases, pkts);
	ph = &m->phases[v->phase];
	ff_walk_init(&w, ph, m->n_classes);
	for (i = 0; i < FF_MAX_TREES; i++)
		if (ff_walk_tree(&w, &mem))
			break;
	v->cls = ff_walk_result(&w, ph->combine, ph->scale_bits, &v->score);
	ff_verdict_attack_votes(&w, actions, m->attack_min_share, v);
	v->action = ff_verdict_action(actions[v->cls], v->score, m->min_score[v->cls]);
	ff_verdict_early(&w, actions, pkts, m->early_from, m->early_pkts, m->early_min_share, v);
	v->errors = w.errors;
}

__u32 ff_features_pkts(const __u64 *features)
{
	__u64 n = features[FF_F_FWD_PKTS] + features[FF_F_BWD_PKTS];

	return n > UINT32_MAX ? UINT32_MAX : (__u32)n;
}

__u32 ff_model_predict(const struct ff_model *m, const __u64 *features,
		       __u32 *score)
{
	struct ff_verdict v;

	ff_model_run(m, UINT32_MAX, features, &v);
	*score = v.score;
	return v.cls;
}
