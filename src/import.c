// SPDX-License-Identifier: MIT
/* Models from XGBoost and scikit-learn (see import.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "errmsg.h"
#include "features_info.h"
#include "import.h"

/* A tree as the other library has it: float thresholds, float leaves. */
struct inode {
	int leaf;
	int feature;		/* index into the file's features */
	double thr;
	int left, right;
	int cls;		/* scalar leaf: its class; -1: a vector leaf */
	double value;		/* scalar leaf */
	double *vec;		/* vector leaf: n_classes values */
};

struct itree {
	struct inode *n;
	int n_nodes;
	int cls;		/* the class of its scalar leaves */
};

struct imodel {
	int lt;			/* splits: left when x < thr (XGBoost), else x <= thr */
	int combine;		/* FF_COMBINE_VOTE (vector leaves) or FF_COMBINE_SOFTMAX */
	unsigned n_features, n_classes, n_trees;
	char **features, **classes;
	double bias[FF_MAX_CLASSES];
	struct itree *trees;
};

static void imodel_free(struct imodel *im)
{
	unsigned i;
	int k;

	for (i = 0; i < im->n_features; i++)
		free(im->features ? im->features[i] : NULL);
	for (i = 0; i < im->n_classes; i++)
		free(im->classes ? im->classes[i] : NULL);
	for (i = 0; i < im->n_trees && im->trees; i++) {
		for (k = 0; k < im->trees[i].n_nodes; k++)
			free(im->trees[i].n[k].vec);
		free(im->trees[i].n);
	}
	free(im->features);
	free(im->classes);
	free(im->trees);
	memset(im, 0, sizeof(*im));
}

/* ------------------------------------------------------- JSON helpers */

static json_object *get(json_object *o, const char *path)
{
	char key[64];
	const char *p = path, *dot;

	while (o && *p) {
		dot = strchr(p, '.');
		snprintf(key, sizeof(key), "%.*s", dot ? (int)(dot - p) : (int)strlen(p), p);
		if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &o))
			return NULL;
		p = dot ? dot + 1 : p + strlen(p);
	}
	return o;
}

/* A number, also given as a string ("5E-1", as XGBoost writes some). */
static int num(json_object *v, double *out)
{
	char *end;

	if (!v)
		return -1;
	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) {
		*out = json_object_get_double(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		errno = 0;
		*out = strtod(s, &end);
		return errno || end == s || *end ? -1 : 0;
	}
	return -1;
}

static json_object *array(json_object *o, const char *key, size_t n)
{
	json_object *a = get(o, key);

	if (!a || !json_object_is_type(a, json_type_array) ||
	    (n != (size_t)-1 && json_object_array_length(a) != n))
		return NULL;
	return a;
}

static int num_at(json_object *a, size_t i, double *out)
{
	return num(json_object_array_get_idx(a, i), out);
}

static int int_at(json_object *a, size_t i, int *out)
{
	double d;

	if (num_at(a, i, &d) || d != floor(d) || d < -2 || d > 1e9)
		return -1;
	*out = (int)d;
	return 0;
}

/* A list of names: from a comma-separated option, or a JSON array. */
static int names_from_list(const char *list, char ***out, unsigned *n)
{
	const char *p = list;
	unsigned k = 0, cap = 1;

	for (; *p; p++)
		cap += *p == ',';
	*out = calloc(cap, sizeof(char *));
	if (!*out)
		return -1;
	for (p = list;; ) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		(*out)[k] = strndup(p, len);
		if (!(*out)[k++])
			return -1;
		if (!c)
			break;
		p = c + 1;
	}
	*n = k;
	return 0;
}

static int names_from_json(json_object *a, char ***out, unsigned *n)
{
	size_t i, len = json_object_array_length(a);

	*out = calloc(len ? len : 1, sizeof(char *));
	if (!*out)
		return -1;
	for (i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(a, i);
		char buf[64];
		const char *s;

		if (json_object_is_type(e, json_type_string)) {
			s = json_object_get_string(e);
		} else {	/* integer class labels */
			snprintf(buf, sizeof(buf), "%s", json_object_to_json_string(e));
			s = buf;
		}
		(*out)[i] = strdup(s);
		if (!(*out)[i])
			return -1;
	}
	*n = len;
	return 0;
}

static json_object *read_json(const char *path, char *err, size_t errlen)
{
	json_object *root = json_object_from_file(path);

	if (!root)
		ff_fail(err, errlen, "%s: not a readable JSON file (%s)", path, json_util_get_last_err());
	return root;
}

/* ------------------------------------------ shared by both importers */

/* The tree's n nodes, zeroed. */
static int nodes_alloc(struct itree *t, size_t n, char *err, size_t errlen)
{
	t->n = calloc(n, sizeof(*t->n));
	if (!t->n)
		return ff_fail(err, errlen, "out of memory");
	t->n_nodes = n;
	return 0;
}

/* Node i's children, feature and threshold from the tree's parallel arrays
 * (a leaf has a negative left child), checked against its n nodes. */
static int node_at(json_object *lc, json_object *rc, json_object *fe, json_object *th, size_t i,
		   size_t n, struct inode *d, char *err, size_t errlen)
{
	if (int_at(lc, i, &d->left) || int_at(rc, i, &d->right) || int_at(fe, i, &d->feature) ||
	    num_at(th, i, &d->thr))
		return ff_fail(err, errlen, "node %zu: not numbers", i);
	d->leaf = d->left < 0;
	if (!d->leaf && (d->left >= (int)n || d->right >= (int)n || d->right < 0 || d->feature < 0))
		return ff_fail(err, errlen, "node %zu: child or feature out of range", i);
	return 0;
}

/* im->trees for the JSON array trees, zeroed, within the kernel's limit. */
static int trees_alloc(struct imodel *im, json_object *trees, char *err, size_t errlen)
{
	im->n_trees = json_object_array_length(trees);
	if (im->n_trees > FF_MAX_TREES)
		return ff_fail(err, errlen, "%u trees; a model holds at most %d", im->n_trees, FF_MAX_TREES);
	im->trees = calloc(im->n_trees, sizeof(*im->trees));
	if (!im->trees)
		return ff_fail(err, errlen, "out of memory");
	return 0;
}

/* Prefix the error of tree t with where it is. */
static int tree_fail(size_t t, char *err, size_t errlen)
{
	char sub[512];

	snprintf(sub, sizeof(sub), "%.400s", err);
	return ff_fail(err, errlen, "trees[%zu]: %s", t, sub);
}

/* The model's own feature names (fn), unless --features gives them; without
 * either, fail with why_none. */
static int features_from(json_object *fn, const struct ff_import_opts *o, struct imodel *im,
			 const char *why_none, char *err, size_t errlen)
{
	if (!o->features && fn && json_object_array_length(fn)) {
		if (names_from_json(fn, &im->features, &im->n_features))
			return ff_fail(err, errlen, "out of memory");
	} else if (!o->features) {
		return ff_fail(err, errlen, "%s", why_none);
	}
	return 0;
}

/* ------------------------------------------------------------ XGBoost */

static int xgb_tree(json_object *jt, struct itree *t, char *err, size_t errlen)
{
	json_object *lc, *rc, *si, *sc;
	size_t n, i;

	lc = array(jt, "left_children", (size_t)-1);
	n = lc ? json_object_array_length(lc) : 0;
	rc = array(jt, "right_children", n);
	si = array(jt, "split_indices", n);
	sc = array(jt, "split_conditions", n);
	if (!lc || !rc || !si || !sc || n == 0)
		return ff_fail(err, errlen, "a tree lacks left_children, right_children, split_indices or split_conditions of one length");
	if (array(jt, "split_type", n)) {
		json_object *st = array(jt, "split_type", n);

		for (i = 0; i < n; i++) {
			double v;

			if (num_at(st, i, &v) == 0 && v != 0)
				return ff_fail(err, errlen, "a tree has a categorical split, which the kernel does not have");
		}
	}
	if (nodes_alloc(t, n, err, errlen))
		return -1;
	for (i = 0; i < n; i++) {
		struct inode *d = &t->n[i];

		if (node_at(lc, rc, si, sc, i, n, d, err, errlen))
			return -1;
		if (d->leaf) {
			d->value = d->thr;	/* a leaf's split condition is its value */
			d->cls = t->cls;
		}
	}
	return 0;
}

static int load_xgboost(json_object *root, const struct ff_import_opts *o, struct imodel *im,
			struct ff_import_info *info, char *err, size_t errlen)
{
	json_object *learner = get(root, "learner"), *trees, *tinfo, *ver, *fn;
	const char *obj, *booster;
	double base = 0.5, nc = 0, nf = 0;
	size_t t;
	unsigned k;

	if (!learner)
		return ff_fail(err, errlen, "not an XGBoost JSON model (no \"learner\"; save it with Booster.save_model(\"m.json\"))");
	booster = json_object_get_string(get(learner, "gradient_booster.name"));
	obj = json_object_get_string(get(learner, "objective.name"));
	if (!booster || strcmp(booster, "gbtree"))
		return ff_fail(err, errlen, "booster \"%s\": only gbtree models have trees", booster ? booster : "?");
	if (!obj || (strcmp(obj, "binary:logistic") && strcmp(obj, "multi:softprob") &&
		     strcmp(obj, "multi:softmax")))
		return ff_fail(err, errlen, "objective \"%s\": binary:logistic, multi:softprob and multi:softmax are supported",
			    obj ? obj : "?");
	num(get(learner, "learner_model_param.base_score"), &base);
	num(get(learner, "learner_model_param.num_class"), &nc);
	num(get(learner, "learner_model_param.num_feature"), &nf);
	trees = array(learner, "gradient_booster.model.trees", (size_t)-1);
	tinfo = array(learner, "gradient_booster.model.tree_info", trees ? json_object_array_length(trees) : 0);
	if (!trees || !tinfo || json_object_array_length(trees) == 0)
		return ff_fail(err, errlen, "no trees (gradient_booster.model.trees and tree_info)");
	im->lt = 1;
	im->combine = FF_COMBINE_SOFTMAX;
	im->n_classes = !strcmp(obj, "binary:logistic") ? 2 : (unsigned)nc;
	if (im->n_classes < 2 || im->n_classes > FF_MAX_CLASSES)
		return ff_fail(err, errlen, "%u classes: 2..%d allowed", im->n_classes, FF_MAX_CLASSES);
	if (!strcmp(obj, "binary:logistic")) {
		if (!(base > 0 && base < 1))
			return ff_fail(err, errlen, "base_score %g is not a probability", base);
		im->bias[1] = log(base / (1 - base));
	} else {
		for (k = 0; k < im->n_classes; k++)
			im->bias[k] = base;
	}
	if (trees_alloc(im, trees, err, errlen))
		return -1;
	for (t = 0; t < im->n_trees; t++) {
		int cls;

		if (int_at(tinfo, t, &cls) || cls < 0 || (unsigned)cls >= im->n_classes)
			return ff_fail(err, errlen, "tree_info[%zu]: class out of range", t);
		im->trees[t].cls = !strcmp(obj, "binary:logistic") ? 1 : cls;
		if (xgb_tree(json_object_array_get_idx(trees, t), &im->trees[t], err, errlen))
			return tree_fail(t, err, errlen);
	}
	fn = array(learner, "feature_names", (size_t)-1);
	if (features_from(fn, o, im,
			  "the model has no feature names (trained on a matrix): give them with --features a,b,... in the model's column order",
			  err, errlen))
		return -1;
	if (o->classes) {
		if (names_from_list(o->classes, &im->classes, &k) || k != im->n_classes)
			return ff_fail(err, errlen, "--classes names %u classes, the model has %u", k, im->n_classes);
	} else {
		im->classes = calloc(im->n_classes, sizeof(char *));
		if (!im->classes)
			return ff_fail(err, errlen, "out of memory");
		for (k = 0; k < im->n_classes; k++)
			if (asprintf(&im->classes[k], "%u", k) < 0)
				return ff_fail(err, errlen, "out of memory");
	}
	ver = array(root, "version", (size_t)-1);
	snprintf(info->kind, sizeof(info->kind), "XGBoost %s%s%s %s, %u trees",
		 ver ? json_object_to_json_string(json_object_array_get_idx(ver, 0)) : "?",
		 ver ? "." : "", ver ? json_object_to_json_string(json_object_array_get_idx(ver, 1)) : "",
		 obj, im->n_trees);
	(void)nf;
	return 0;
}

/* -------------------------------------------------------- scikit-learn */

static int skl_tree(json_object *jt, const struct imodel *im, struct itree *t, int vector,
		    char *err, size_t errlen)
{
	json_object *lc, *rc, *fe, *th, *va;
	size_t n, i, k;

	lc = array(jt, "children_left", (size_t)-1);
	n = lc ? json_object_array_length(lc) : 0;
	rc = array(jt, "children_right", n);
	fe = array(jt, "feature", n);
	th = array(jt, "threshold", n);
	va = array(jt, "value", n);
	if (!lc || !rc || !fe || !th || !va || n == 0)
		return ff_fail(err, errlen, "a tree lacks children_left, children_right, feature, threshold or value of one length");
	if (nodes_alloc(t, n, err, errlen))
		return -1;
	for (i = 0; i < n; i++) {
		struct inode *d = &t->n[i];
		json_object *v = json_object_array_get_idx(va, i);

		if (node_at(lc, rc, fe, th, i, n, d, err, errlen))
			return -1;
		if (!d->leaf)
			continue;
		if (!json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) != (vector ? im->n_classes : 1))
			return ff_fail(err, errlen, "node %zu: \"value\" must hold %u number(s)", i,
				    vector ? im->n_classes : 1);
		if (!vector) {
			d->cls = t->cls;
			if (num_at(v, 0, &d->value))
				return ff_fail(err, errlen, "node %zu: value is not a number", i);
			continue;
		}
		d->cls = -1;
		d->vec = calloc(im->n_classes, sizeof(double));
		if (!d->vec)
			return ff_fail(err, errlen, "out of memory");
		for (k = 0; k < im->n_classes; k++)
			if (num_at(v, k, &d->vec[k]) || d->vec[k] < 0 || d->vec[k] > 1)
				return ff_fail(err, errlen, "node %zu: class probabilities must lie in [0, 1]", i);
	}
	return 0;
}

static int load_sklearn(json_object *root, const struct ff_import_opts *o, struct imodel *im,
			struct ff_import_info *info, char *err, size_t errlen)
{
	json_object *trees, *cls, *fn, *init;
	const char *fmt = json_object_get_string(get(root, "format"));
	const char *comb = json_object_get_string(get(root, "combine"));
	const char *est = json_object_get_string(get(root, "estimator"));
	size_t t;
	unsigned k;
	int vector;

	if (!fmt || strcmp(fmt, "sklearn-trees"))
		return ff_fail(err, errlen, "not a scikit-learn model converted by scripts/sklearn2json.py (\"format\": \"sklearn-trees\")");
	if (!comb || (strcmp(comb, "average") && strcmp(comb, "sum")))
		return ff_fail(err, errlen, "\"combine\" must be \"average\" or \"sum\"");
	vector = !strcmp(comb, "average");
	cls = array(root, "classes", (size_t)-1);
	if (!cls || json_object_array_length(cls) < 2 || json_object_array_length(cls) > FF_MAX_CLASSES)
		return ff_fail(err, errlen, "\"classes\" must list 2..%d classes", FF_MAX_CLASSES);
	if (names_from_json(cls, &im->classes, &im->n_classes))
		return ff_fail(err, errlen, "out of memory");
	if (o->classes) {
		char **names;
		unsigned n;

		if (names_from_list(o->classes, &names, &n) || n != im->n_classes)
			return ff_fail(err, errlen, "--classes names %u classes, the model has %u", n, im->n_classes);
		for (k = 0; k < n; k++) {
			free(im->classes[k]);
			im->classes[k] = names[k];
		}
		free(names);
	}
	im->lt = 0;
	im->combine = vector ? FF_COMBINE_VOTE : FF_COMBINE_SOFTMAX;
	if (!vector) {
		init = array(root, "init", im->n_classes);
		if (!init)
			return ff_fail(err, errlen, "\"init\" must hold one raw score per class");
		for (k = 0; k < im->n_classes; k++)
			if (num_at(init, k, &im->bias[k]))
				return ff_fail(err, errlen, "init[%u] is not a number", k);
	}
	trees = array(root, "trees", (size_t)-1);
	if (!trees || json_object_array_length(trees) == 0)
		return ff_fail(err, errlen, "\"trees\" must be a non-empty array");
	if (trees_alloc(im, trees, err, errlen))
		return -1;
	for (t = 0; t < im->n_trees; t++) {
		json_object *jt = json_object_array_get_idx(trees, t);
		int c = 0;

		if (!vector) {
			double d;

			if (num(get(jt, "class"), &d) || d < 0 || d >= im->n_classes || d != floor(d))
				return ff_fail(err, errlen, "trees[%zu]: \"class\" out of range", t);
			c = (int)d;
		}
		im->trees[t].cls = c;
		if (skl_tree(jt, im, &im->trees[t], vector, err, errlen))
			return tree_fail(t, err, errlen);
	}
	fn = array(root, "features", (size_t)-1);
	if (features_from(fn, o, im,
			  "the model has no feature names (fit on a matrix, not a DataFrame): give them with --features a,b,... in the model's column order (here or to sklearn2json.py)",
			  err, errlen))
		return -1;
	snprintf(info->kind, sizeof(info->kind), "scikit-learn %s, %u trees", est ? est : "model",
		 im->n_trees);
	return 0;
}

/* ------------------------------------------------------- to the kernel */

struct conv {
	const struct imodel *im;
	int fid[FF_MAX_FEATURES * 4];	/* file feature -> kernel feature, -1 */
	double off[FF_MAX_FEATURES * 4];	/* kernel value - file value (CIC's -1) */
	const char *why[FF_MAX_FEATURES * 4];	/* a CIC column of another definition */
	double scale;
	struct ff_model *m;
	struct ff_import_info *info;
	struct ff_xnode *out;
	__u32 n_out, cap;
	char *err;
	size_t errlen;
};

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Which way integers go: 0 both ways, -1 always right, 1 always left;
 * else *t is the integer threshold (left when x <= *t). */
static int int_threshold(double thr, int lt, __u64 *t)
{
	double f;

	if (isnan(thr))
		return -1;
	if (lt) {		/* x < thr: x <= ceil(thr) - 1 */
		if (thr <= 0)
			return -1;
		f = ceil(thr) - 1;
	} else {		/* x <= thr: x <= floor(thr) */
		if (thr < 0)
			return -1;
		f = floor(thr);
	}
	if (f >= 18446744073709551615.0)
		return 1;
	*t = (__u64)f;
	return 0;
}

static int push(struct conv *c)
{
	if (c->n_out == c->cap) {
		__u32 nc = c->cap ? c->cap * 2 : 256;
		struct ff_xnode *n = realloc(c->out, nc * sizeof(*n));

		if (!n)
			return -1;
		c->out = n;
		c->cap = nc;
	}
	memset(&c->out[c->n_out], 0, sizeof(c->out[0]));
	return c->n_out++;
}

static long emit(struct conv *c, const struct itree *t, int i, int depth)
{
	const struct inode *d;
	long at, l, r;
	__u64 thr = 0;
	int way;

	if (i < 0 || i >= t->n_nodes || depth > FF_MAX_DEPTH + 1)
		return ff_fail(c->err, c->errlen, "a tree is deeper than %d or not a tree", FF_MAX_DEPTH);
	d = &t->n[i];
	if (!d->leaf) {
		if ((unsigned)d->feature >= c->im->n_features)
			return ff_fail(c->err, c->errlen, "a split uses feature %d; %u are named", d->feature,
				    c->im->n_features);
		if (c->why[d->feature])
			return ff_fail(c->err, c->errlen,
				    "feature \"%s\" is CIC's, which the kernel does not compute (%s)",
				    trim(c->im->features[d->feature]), c->why[d->feature]);
		way = int_threshold(d->thr + c->off[d->feature], c->im->lt, &thr);
		if (way) {		/* no integer goes one of the ways */
			c->info->splits_pruned++;
			return emit(c, t, way > 0 ? d->left : d->right, depth);
		}
		if (c->fid[d->feature] < 0) {
			char *name = c->im->features[d->feature];

			return ff_fail(c->err, c->errlen,
				    "feature \"%s\" is not one the kernel computes (see `flowforest features`; CIC and flowforest names are known)",
				    name);
		}
	}
	at = push(c);
	if (at < 0)
		return ff_fail(c->err, c->errlen, "out of memory");
	if (d->leaf && d->cls >= 0) {
		c->out[at].feature = FF_NODE_LEAF;
		c->out[at].left = d->cls;
		c->out[at].right = (__u32)(__s32)llround(d->value * c->scale);
		return at;
	}
	if (d->leaf) {
		__s32 v[FF_MAX_CLASSES];
		unsigned k;
		int idx;

		for (k = 0; k < c->im->n_classes; k++)
			v[k] = (__s32)llround(d->vec[k] * c->scale);
		idx = ff_model_add_leafvec(c->m, v);
		if (idx < 0)
			return ff_fail(c->err, c->errlen, "out of memory");
		c->out[at].feature = FF_NODE_LEAFVEC;
		c->out[at].vec = idx;
		return at;
	}
	l = emit(c, t, d->left, depth + 1);
	if (l < 0)
		return -1;
	r = emit(c, t, d->right, depth + 1);
	if (r < 0)
		return -1;
	c->out[at].feature = c->fid[d->feature];
	c->out[at].threshold = thr;
	c->out[at].left = l;
	c->out[at].right = r;
	return at;
}

static double max_abs(const struct imodel *im)
{
	double mx = 0;
	unsigned t, k;
	int i;

	for (k = 0; k < im->n_classes; k++)
		mx = fmax(mx, fabs(im->bias[k]));
	for (t = 0; t < im->n_trees; t++)
		for (i = 0; i < im->trees[t].n_nodes; i++)
			if (im->trees[t].n[i].leaf && im->trees[t].n[i].cls >= 0)
				mx = fmax(mx, fabs(im->trees[t].n[i].value));
	return mx;
}

static int to_model(const struct imodel *im, struct ff_model *m, struct ff_import_info *info,
		    char *err, size_t errlen)
{
	struct conv c = { .im = im, .m = m, .info = info, .err = err, .errlen = errlen };
	__u8 used[FF_NUM_FEATURES] = { 0 };
	unsigned i, k, bits = 24;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (im->n_features > FF_ARRAY_SIZE(c.fid))
		return ff_fail(err, errlen, "%u features named; at most %zu", im->n_features,
			    FF_ARRAY_SIZE(c.fid));
	for (i = 0; i < im->n_features; i++) {
		const char *name = trim(im->features[i]);
		const struct ff_cic_column *cic = ff_cic_column_find(name);

		if (cic && cic->fid >= 0) {	/* CIC's name: CIC's definition */
			c.fid[i] = cic->fid;
			c.off[i] = cic->minus_one ? 1 : 0;
			c.why[i] = cic->mapped ? NULL : cic->why;
		} else {
			c.fid[i] = ff_feature_lookup(name);
		}
	}
	m->n_classes = im->n_classes;
	for (k = 0; k < im->n_classes; k++) {
		if (!im->classes[k][0] || strlen(im->classes[k]) >= FF_NAME_MAX)
			return ff_fail(err, errlen, "class name \"%s\": 1..%d characters", im->classes[k],
				    FF_NAME_MAX - 1);
		strcpy(m->class_names[k], im->classes[k]);
		m->actions[k] = FF_ACT_PASS;
	}
	if (im->combine == FF_COMBINE_SOFTMAX) {
		double mx = max_abs(im);

		for (bits = FF_SCALE_BITS_MAX - 2; bits > 0 && ldexp(mx, bits) >= 2147483647.0; bits--)
			;
		if (ldexp(mx, bits) >= 2147483647.0)
			return ff_fail(err, errlen, "a leaf value of %g does not fit 32-bit fixed point", mx);
	}
	c.scale = ldexp(1.0, bits);
	m->n_phases = 1;
	m->phases[0].combine = im->combine;
	m->phases[0].scale_bits = im->combine == FF_COMBINE_SOFTMAX ? bits : 0;
	for (k = 0; k < im->n_classes && im->combine == FF_COMBINE_SOFTMAX; k++)
		m->phases[0].bias[k] = llround(im->bias[k] * c.scale);
	for (i = 0; i < im->n_trees; i++) {
		c.n_out = 0;
		if (emit(&c, &im->trees[i], 0, 0) < 0)
			goto out;
		if (ff_model_add_tree(m, c.out, c.n_out, err, errlen))
			goto out;
	}
	m->phases[0].n_trees = m->n_trees;
	/* the features the splits use, in kernel order */
	for (i = 0; i < m->n_nodes; i++)
		if (m->nodes[i].feature < FF_NUM_FEATURES)
			used[m->nodes[i].feature] = 1;
	for (i = 0; i < FF_NUM_FEATURES; i++)
		if (used[i])
			m->feature_ids[m->n_features++] = i;
	if (m->n_features == 0)		/* no split at all: any feature will do */
		m->feature_ids[m->n_features++] = 0;
	info->n_trees = m->n_trees;
	info->n_features_used = m->n_features;
	for (i = 0; i < im->n_features; i++) {
		__u32 j, hit = 0;

		for (j = 0; j < im->n_trees && !hit; j++) {
			int q;

			for (q = 0; q < im->trees[j].n_nodes && !hit; q++)
				hit = !im->trees[j].n[q].leaf && im->trees[j].n[q].feature == (int)i;
		}
		info->features_unused += !hit;
	}
	rc = ff_model_validate(m, err, errlen);
out:
	free(c.out);
	if (rc)
		ff_model_free(m);
	return rc;
}

int ff_import(const char *path, const struct ff_import_opts *o, struct ff_model *m,
	      struct ff_import_info *info, char *err, size_t errlen)
{
	struct imodel im = { 0 };
	json_object *root;
	char sub[400];
	int rc;

	memset(info, 0, sizeof(*info));
	root = read_json(path, err, errlen);
	if (!root)
		return -1;
	rc = o->from == FF_IMPORT_XGBOOST ? load_xgboost(root, o, &im, info, sub, sizeof(sub))
					  : load_sklearn(root, o, &im, info, sub, sizeof(sub));
	if (rc == 0 && o->features) {
		char **names;
		unsigned n, i;

		if (names_from_list(o->features, &names, &n)) {
			rc = ff_fail(sub, sizeof(sub), "out of memory");
		} else {
			for (i = 0; i < im.n_features; i++)
				free(im.features[i]);
			free(im.features);
			im.features = names;
			im.n_features = n;
		}
	}
	if (rc == 0)
		rc = to_model(&im, m, info, sub, sizeof(sub));
	if (rc)
		ff_fail(err, errlen, "%s: %s", path, sub);
	imodel_free(&im);
	json_object_put(root);
	return rc;
}
