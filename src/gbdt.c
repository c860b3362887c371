// SPDX-License-Identifier: MIT
/*
 * Gradient-boosted trees (see gbdt.h).
 *
 * Split search, as XGBoost's exact greedy method: every feature's training
 * rows are sorted once by value. A tree grows level by level; at a level,
 * each feature's sorted rows are swept once, left to right, and every row
 * of a node still growing adds its gradient g and hessian h to its node's
 * running left sums GL, HL. At each boundary between two distinct values a
 * < b of a node the split "x <= floor((a + b) / 2)" is scored
 *
 *   GL^2 / (HL + lambda) + GR^2 / (HR + lambda) - G^2 / (H + lambda)
 *
 * (GR = G - GL, HR = H - HL), when both sides weigh at least
 * min_child_weight. A node splits on its best (largest gain; ties to the
 * lower feature, then the lower value) if the gain exceeds 1e-6 and it is
 * above max_depth; otherwise it is a leaf of value -eta * G / (H + lambda).
 * A feature with few distinct values (nodes x values <= rows / 2) is swept
 * from per-node sums of each distinct value instead, filled in row order:
 * the same candidates, read sequentially. Threads take features; each
 * keeps its own sums and bests, merged in a fixed order, so the model does
 * not depend on the number of threads.
 *
 * Loss: softmax cross-entropy, g = p_k - [y = k], h = max(2 p_k (1 - p_k),
 * 1e-16) (XGBoost's multi:softprob), or for two classes the logistic loss
 * on the margin of class 1, g = p - y, h = max(p (1 - p), 1e-16).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "errmsg.h"
#include "gbdt.h"
#include "train.h"

#define RT_EPS 1e-6		/* smallest gain that splits (XGBoost's kRtEps) */
#define NO_RANK 0xffffffffu

void ff_gbdt_params_default(struct ff_gbdt_params *p)
{
	memset(p, 0, sizeof(*p));
	p->rounds = 20;
	p->eta = 0.3;
	p->max_depth = 6;
	p->min_child_weight = 1;
	p->lambda = 1;
	p->subsample = 1;
	p->colsample = 1;
	p->validation = 0.1;
	p->seed = 1;
	p->threads = 1;
}

/* ------------------------------------------------------------- context */

struct gctx {
	const struct ff_dataset *ds;
	const struct ff_gbdt_params *p;
	size_t n, nv;			/* training samples, validation rows */
	size_t *row, *vrow;		/* -> dataset row */
	unsigned F, K, T;		/* features, classes, trees per round */
	__u8 *y;			/* sample -> class */
	__u32 **sidx, **srank;		/* [f][k]: samples by value, their ranks */
	__u32 **rank;			/* [f][sample] */
	__u64 **vals;			/* [f][rank]: distinct values */
	__u32 *ndist;			/* [f]: distinct values */
	double *margin, *vmargin;	/* [sample * K + k] */
	struct gh *gh;			/* [k * n + sample]: this round's */
	unsigned threads;
};

struct gh {				/* a sample's gradient and hessian */
	double g, h;
};

struct split {
	double gain, GL, HL;
	__u32 f, rl, rr;		/* feature, rank of a and of b */
};

struct act {				/* a node growing at this level */
	__u32 node;
	double G, H, parent_score;
};

/* One tree being grown. */
struct grow {
	struct gctx *x;
	const struct gh *gh;
	__s32 *slot;			/* sample -> active node slot, or -1 */
	const unsigned *cols;		/* features this tree may split on */
	unsigned n_cols;
	struct act *act;
	unsigned n_act;
	struct split *best;		/* per slot, merged */
	atomic_uint next;
	pthread_mutex_t lock;
	int failed;
};

static int better(const struct split *a, const struct split *b)
{
	if (a->gain != b->gain)
		return a->gain > b->gain;
	if (a->f != b->f)
		return a->f < b->f;
	return a->rl < b->rl;
}

/* The split candidate between ranks rl < rr of slot s, left sums gl, hl. */
static inline void try_split(const struct grow *gr, unsigned s, unsigned f, __u32 rl, __u32 rr,
		      double gl, double hl, struct split *lb)
{
	const struct act *an = &gr->act[s];
	const double mcw = gr->x->p->min_child_weight, lambda = gr->x->p->lambda;
	double hr = an->H - hl, grr, gain;
	struct split c;

	if (hl < mcw || hr < mcw)
		return;
	grr = an->G - gl;
	gain = gl * gl / (hl + lambda) + grr * grr / (hr + lambda) - an->parent_score;
	c = (struct split){ gain, gl, hl, f, rl, rr };
	if (gain > 0 && better(&c, &lb[s]))
		lb[s] = c;
}

/* Every sample in value order (XGBoost's exact enumeration). */
static void scan_sorted(struct grow *gr, unsigned f, struct gh *sum, __u32 *last,
			struct split *lb)
{
	struct gctx *x = gr->x;
	const __u32 *si = x->sidx[f], *sr = x->srank[f];
	const struct gh *gh = gr->gh;
	const __s32 *slot = gr->slot;
	size_t k;
	unsigned a;

	for (a = 0; a < gr->n_act; a++) {
		sum[a].g = sum[a].h = 0;
		last[a] = NO_RANK;
	}
	for (k = 0; k < x->n; k++) {
		__u32 i = si[k], r;
		__s32 s = slot[i];

		if (s < 0)
			continue;
		r = sr[k];
		if (last[s] != r) {
			if (last[s] != NO_RANK)
				try_split(gr, s, f, last[s], r, sum[s].g, sum[s].h, lb);
			last[s] = r;
		}
		sum[s].g += gh[i].g;
		sum[s].h += gh[i].h;
	}
}

/* The same candidates from per-node sums of every distinct value, filled
 * in sample order: for features with few distinct values, cheaper than
 * the sorted sweep (sequential reads). A value is present in a node when
 * its hessian sum is positive (every hessian is at least 1e-16). */
static void scan_hist(struct grow *gr, unsigned f, struct gh *hist, __u32 D, struct split *lb)
{
	struct gctx *x = gr->x;
	const __u32 *rank = x->rank[f];
	const struct gh *gh = gr->gh;
	const __s32 *slot = gr->slot;
	size_t i;
	unsigned a;

	memset(hist, 0, (size_t)gr->n_act * D * sizeof(*hist));
	for (i = 0; i < x->n; i++) {
		__s32 s = slot[i];
		struct gh *b;

		if (s < 0)
			continue;
		b = &hist[(size_t)s * D + rank[i]];
		b->g += gh[i].g;
		b->h += gh[i].h;
	}
	for (a = 0; a < gr->n_act; a++) {
		const struct gh *hs = &hist[(size_t)a * D];
		double gl = 0, hl = 0;
		__u32 r, last = NO_RANK;

		for (r = 0; r < D; r++) {
			if (!(hs[r].h > 0))
				continue;
			if (last != NO_RANK)
				try_split(gr, a, f, last, r, gl, hl, lb);
			gl += hs[r].g;
			hl += hs[r].h;
			last = r;
		}
	}
}

/* Whether feature f is swept by histogram at this level. */
static int use_hist(const struct grow *gr, unsigned f)
{
	return (size_t)gr->n_act * gr->x->ndist[f] <= gr->x->n / 2;
}

static void scan_feature(struct grow *gr, unsigned f, struct gh *sum, __u32 *last,
			 struct gh *hist, struct split *lb)
{
	if (gr->x->ndist[f] < 2)
		return;		/* one value: nothing to split */
	if (hist && use_hist(gr, f))
		scan_hist(gr, f, hist, gr->x->ndist[f], lb);
	else
		scan_sorted(gr, f, sum, last, lb);
}

static void *level_worker(void *arg)
{
	struct grow *gr = arg;
	unsigned n = gr->n_act, a;
	struct gh *sum = malloc(n * sizeof(*sum));
	struct gh *hist = malloc((gr->x->n / 2 + 1) * sizeof(*hist));
	__u32 *last = malloc(n * sizeof(*last));
	struct split *lb = malloc(n * sizeof(*lb));

	if (!sum || !last || !lb) {
		pthread_mutex_lock(&gr->lock);
		gr->failed = 1;
		pthread_mutex_unlock(&gr->lock);
		goto out;
	}
	for (a = 0; a < n; a++)
		lb[a] = (struct split){ 0, 0, 0, NO_RANK, 0, 0 };
	for (;;) {
		unsigned j = atomic_fetch_add(&gr->next, 1);

		if (j >= gr->n_cols)
			break;
		scan_feature(gr, gr->cols[j], sum, last, hist, lb);
	}
	pthread_mutex_lock(&gr->lock);
	for (a = 0; a < n; a++)
		if (lb[a].f != NO_RANK && better(&lb[a], &gr->best[a]))
			gr->best[a] = lb[a];
	pthread_mutex_unlock(&gr->lock);
out:
	free(sum);
	free(hist);
	free(last);
	free(lb);
	return NULL;
}

static int push_node(struct ff_gtree *t, size_t *cap)
{
	if (t->n_nodes == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct ff_gnode *nn = realloc(t->nodes, nc * sizeof(*nn));

		if (!nn)
			return -1;
		t->nodes = nn;
		*cap = nc;
	}
	memset(&t->nodes[t->n_nodes], 0, sizeof(t->nodes[0]));
	t->nodes[t->n_nodes].col = FF_GNODE_LEAF;
	return t->n_nodes++;
}

static double leaf_value(const struct gctx *x, double G, double H)
{
	return -x->p->eta * G / (H + x->p->lambda);
}

/* Grow one tree on gradients g, h over the samples with slot[i] == 0. */
static int grow_tree(struct gctx *x, const struct gh *gh, __s32 *slot,
		     const unsigned *cols, unsigned n_cols, struct ff_gtree *t)
{
	struct grow gr = { .x = x, .gh = gh, .slot = slot, .cols = cols, .n_cols = n_cols };
	const double lambda = x->p->lambda;
	struct act *next_act = NULL;
	size_t cap = 0, i;
	unsigned depth, a;
	double G = 0, H = 0;
	int rc = -1;

	pthread_mutex_init(&gr.lock, NULL);
	for (i = 0; i < x->n; i++)
		if (slot[i] == 0) {
			G += gh[i].g;
			H += gh[i].h;
		}
	if (push_node(t, &cap) < 0)
		goto out;
	gr.act = malloc(sizeof(*gr.act));
	if (!gr.act)
		goto out;
	gr.act[0] = (struct act){ 0, G, H, G * G / (H + lambda) };
	gr.n_act = 1;
	for (depth = 0; gr.n_act; depth++) {
		unsigned n_next = 0;

		if (depth >= x->p->max_depth) {
			for (a = 0; a < gr.n_act; a++)
				t->nodes[gr.act[a].node].value = leaf_value(x, gr.act[a].G, gr.act[a].H);
			break;
		}
		gr.best = malloc(gr.n_act * sizeof(*gr.best));
		next_act = malloc(2 * gr.n_act * sizeof(*next_act));
		if (!gr.best || !next_act)
			goto out;
		for (a = 0; a < gr.n_act; a++)
			gr.best[a] = (struct split){ 0, 0, 0, NO_RANK, 0, 0 };
		atomic_init(&gr.next, 0);
		ff_run_threads(x->threads < n_cols ? x->threads : n_cols, level_worker, &gr);
		if (gr.failed)
			goto out;
		/* split or close every node; new slots for the children */
		for (a = 0; a < gr.n_act; a++) {
			struct act *an = &gr.act[a];
			const struct split *b = &gr.best[a];
			int l, r;
			__u64 va, vb;

			if (b->f == NO_RANK || !(b->gain > RT_EPS)) {
				t->nodes[an->node].value = leaf_value(x, an->G, an->H);
				continue;
			}
			l = push_node(t, &cap);
			r = l < 0 ? -1 : push_node(t, &cap);
			if (r < 0)
				goto out;
			va = x->vals[b->f][b->rl];
			vb = x->vals[b->f][b->rr];
			t->nodes[an->node].col = b->f;
			t->nodes[an->node].thr = va + (vb - va) / 2;
			t->nodes[an->node].gain = b->gain;
			t->nodes[an->node].left = l;
			t->nodes[an->node].right = r;
			next_act[n_next++] = (struct act){ l, b->GL, b->HL,
				b->GL * b->GL / (b->HL + lambda) };
			next_act[n_next++] = (struct act){ r, an->G - b->GL, an->H - b->HL,
				(an->G - b->GL) * (an->G - b->GL) / (an->H - b->HL + lambda) };
		}
		/* move the samples to their children's slots */
		{
			__u32 *child = malloc(gr.n_act * sizeof(*child));
			unsigned k = 0;

			if (!child)
				goto out;
			for (a = 0; a < gr.n_act; a++) {
				child[a] = NO_RANK;
				if (t->nodes[gr.act[a].node].col != FF_GNODE_LEAF) {
					child[a] = k;
					k += 2;
				}
			}
			for (i = 0; i < x->n; i++) {
				__s32 s = slot[i];
				const struct split *b;

				if (s < 0)
					continue;
				if (child[s] == NO_RANK) {
					slot[i] = -1;
					continue;
				}
				b = &gr.best[s];
				slot[i] = child[s] + (x->rank[b->f][i] <= b->rl ? 0 : 1);
			}
			free(child);
		}
		free(gr.act);
		free(gr.best);
		gr.best = NULL;
		gr.act = next_act;
		next_act = NULL;
		gr.n_act = n_next;
	}
	rc = 0;
out:
	free(gr.act);
	free(gr.best);
	free(next_act);
	pthread_mutex_destroy(&gr.lock);
	return rc;
}

/* ----------------------------------------------------------- presorting */

struct sort_job {
	struct gctx *x;
	atomic_uint next;
	atomic_int failed;
};

static void *sort_worker(void *arg)
{
	struct sort_job *j = arg;
	struct gctx *x = j->x;
	__u64 *v = malloc((x->n ? x->n : 1) * sizeof(*v));

	if (!v) {
		j->failed = 1;
		return NULL;
	}
	for (;;) {
		unsigned f = atomic_fetch_add(&j->next, 1);
		const __u64 *col;
		size_t i, nd = 0;

		if (f >= x->F)
			break;
		col = x->ds->col[f];
		x->sidx[f] = malloc(x->n * sizeof(__u32));
		x->srank[f] = malloc(x->n * sizeof(__u32));
		x->rank[f] = malloc(x->n * sizeof(__u32));
		x->vals[f] = malloc(x->n * sizeof(__u64));
		if (!x->sidx[f] || !x->srank[f] || !x->rank[f] || !x->vals[f]) {
			j->failed = 1;
			break;
		}
		for (i = 0; i < x->n; i++) {
			v[i] = col[x->row[i]];
			x->sidx[f][i] = i;
		}
		if (ff_sort_values(v, x->sidx[f], x->n)) {
			j->failed = 1;
			break;
		}
		for (i = 0; i < x->n; i++) {
			if (i == 0 || v[i] != v[i - 1])
				x->vals[f][nd++] = v[i];
			x->srank[f][i] = nd - 1;
			x->rank[f][x->sidx[f][i]] = nd - 1;
		}
		x->ndist[f] = nd;
	}
	free(v);
	return NULL;
}

/* ------------------------------------------------------------- the loss */

static void softmax(const double *m, unsigned K, double *p)
{
	double mx = m[0], s = 0;
	unsigned k;

	for (k = 1; k < K; k++)
		if (m[k] > mx)
			mx = m[k];
	for (k = 0; k < K; k++) {
		p[k] = exp(m[k] - mx);
		s += p[k];
	}
	for (k = 0; k < K; k++)
		p[k] /= s;
}

/* The round's gradients of every sample, for every tree of the round. */
static void gradients(struct gctx *x)
{
	double p[FF_MAX_CLASSES];
	size_t i;
	unsigned k;

	for (i = 0; i < x->n; i++) {
		const double *m = &x->margin[i * x->K];

		if (x->T == 1) {	/* logistic on class 1's margin */
			double q = 1.0 / (1.0 + exp(-(m[1] - m[0])));
			double hh = q * (1 - q);

			x->gh[i].g = q - (x->y[i] == 1);
			x->gh[i].h = hh > 1e-16 ? hh : 1e-16;
			continue;
		}
		softmax(m, x->K, p);
		for (k = 0; k < x->K; k++) {
			double hh = 2.0 * p[k] * (1 - p[k]);

			x->gh[k * x->n + i].g = p[k] - (x->y[i] == k);
			x->gh[k * x->n + i].h = hh > 1e-16 ? hh : 1e-16;
		}
	}
}

/* Mean cross-entropy of the validation rows. */
static double valid_loss(const struct gctx *x)
{
	double p[FF_MAX_CLASSES], sum = 0;
	size_t i;

	for (i = 0; i < x->nv; i++) {
		softmax(&x->vmargin[i * x->K], x->K, p);
		sum -= log(p[x->ds->y[x->vrow[i]]] > 1e-15 ? p[x->ds->y[x->vrow[i]]] : 1e-15);
	}
	return x->nv ? sum / x->nv : 0;
}

static double tree_leaf(const struct ff_gtree *t, const struct ff_dataset *ds, size_t r)
{
	__u32 i = 0;

	while (t->nodes[i].col != FF_GNODE_LEAF)
		i = ds->col[t->nodes[i].col][r] <= t->nodes[i].thr ? t->nodes[i].left
								   : t->nodes[i].right;
	return t->nodes[i].value;
}

/* ------------------------------------------------------------- training */

static void ctx_free(struct gctx *x)
{
	unsigned f;

	for (f = 0; f < x->F; f++) {
		if (x->sidx)
			free(x->sidx[f]);
		if (x->srank)
			free(x->srank[f]);
		if (x->rank)
			free(x->rank[f]);
		if (x->vals)
			free(x->vals[f]);
	}
	free(x->sidx);
	free(x->srank);
	free(x->rank);
	free(x->vals);
	free(x->row);
	free(x->vrow);
	free(x->y);
	free(x->margin);
	free(x->vmargin);
	free(x->gh);
	free(x->ndist);
}

/* Training and validation rows: a seeded draw of the validation fraction
 * when early stopping is on. */
static int split_rows(struct gctx *x, const size_t *rows, size_t n_rows)
{
	const struct ff_gbdt_params *p = x->p;
	size_t *perm, i, nv = 0;
	__u8 *is_v;

	x->row = malloc((n_rows ? n_rows : 1) * sizeof(size_t));
	x->vrow = malloc((n_rows ? n_rows : 1) * sizeof(size_t));
	is_v = calloc(n_rows ? n_rows : 1, 1);
	if (!x->row || !x->vrow || !is_v) {
		free(is_v);
		return -1;
	}
	if (p->early_stopping) {
		perm = malloc(n_rows * sizeof(*perm));
		if (!perm) {
			free(is_v);
			return -1;
		}
		ff_random_permutation(perm, n_rows, p->seed ^ 0x76616c6964ULL);
		nv = (size_t)llround(p->validation * n_rows);
		if (nv == 0)
			nv = 1;
		if (nv >= n_rows)
			nv = n_rows - 1;
		for (i = 0; i < nv; i++)
			is_v[perm[i]] = 1;
		free(perm);
	}
	for (i = 0; i < n_rows; i++) {
		size_t r = rows ? rows[i] : i;

		if (is_v[i])
			x->vrow[x->nv++] = r;
		else
			x->row[x->n++] = r;
	}
	free(is_v);
	return 0;
}

static int check_params(const struct ff_gbdt_params *p, char *err, size_t errlen)
{
	if (p->rounds < 1 || p->rounds > FF_MAX_TREES)
		return ff_fail(err, errlen, "%u rounds: 1..%d allowed", p->rounds, FF_MAX_TREES);
	if (!(p->eta > 0 && p->eta <= 1))
		return ff_fail(err, errlen, "learning rate %g: (0, 1] allowed", p->eta);
	if (p->max_depth < 1 || p->max_depth > FF_MAX_DEPTH)
		return ff_fail(err, errlen, "max depth %u: 1..%d allowed", p->max_depth, FF_MAX_DEPTH);
	if (!(p->min_child_weight >= 0) || !(p->lambda >= 0))
		return ff_fail(err, errlen, "min child weight and lambda must not be negative");
	if (!(p->subsample > 0 && p->subsample <= 1) || !(p->colsample > 0 && p->colsample <= 1))
		return ff_fail(err, errlen, "subsample and colsample must be in (0, 1]");
	if (p->early_stopping && !(p->validation > 0 && p->validation < 1))
		return ff_fail(err, errlen, "the validation fraction must be in (0, 1)");
	return 0;
}

/* This tree's rows (slot 0) and features, from its own random stream. */
static unsigned draw_tree(struct gctx *x, unsigned round, unsigned k, __s32 *slot,
			  unsigned *cols)
{
	const struct ff_gbdt_params *p = x->p;
	struct ff_rng r;
	unsigned nc = x->F, j;
	size_t i;

	ff_rng_seed(&r, p->seed, 0x6264740000000000ULL + (__u64)round * FF_MAX_CLASSES + k);
	for (i = 0; i < x->n; i++)
		slot[i] = p->subsample >= 1 ||
			  (double)(ff_rng_next(&r) >> 11) * 0x1p-53 < p->subsample ? 0 : -1;
	for (j = 0; j < x->F; j++)
		cols[j] = j;
	if (p->colsample < 1) {
		nc = (unsigned)floor(p->colsample * x->F);
		if (nc < 1)
			nc = 1;
		for (j = 0; j < nc; j++) {	/* partial Fisher-Yates */
			unsigned o = j + ff_rng_below(&r, x->F - j), t = cols[j];

			cols[j] = cols[o];
			cols[o] = t;
		}
		/* ascending, so that ties between features go the same way */
		for (j = 1; j < nc; j++) {
			unsigned v = cols[j], q = j;

			while (q > 0 && cols[q - 1] > v) {
				cols[q] = cols[q - 1];
				q--;
			}
			cols[q] = v;
		}
	}
	return nc;
}

static void add_round(struct gctx *x, const struct ff_gbdt *g, unsigned round)
{
	size_t i;
	unsigned k;

	for (k = 0; k < x->T; k++) {
		const struct ff_gtree *t = &g->trees[round * x->T + k];

		for (i = 0; i < x->n; i++)
			x->margin[i * x->K + t->cls] += tree_leaf(t, x->ds, x->row[i]);
		for (i = 0; i < x->nv; i++)
			x->vmargin[i * x->K + t->cls] += tree_leaf(t, x->ds, x->vrow[i]);
	}
}

static int train_rounds(struct gctx *x, struct ff_gbdt *g, char *err, size_t errlen)
{
	const struct ff_gbdt_params *p = x->p;
	__s32 *slot = malloc(x->n * sizeof(*slot));
	unsigned *cols = malloc(x->F * sizeof(*cols));
	unsigned round, k, best_round = 0;
	double best = INFINITY;
	int rc = -1;

	if (!slot || !cols) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	for (round = 0; round < p->rounds; round++) {
		gradients(x);
		for (k = 0; k < x->T; k++) {
			struct ff_gtree *t = &g->trees[round * x->T + k];
			unsigned nc = draw_tree(x, round, k, slot, cols);
			size_t off = x->T == 1 ? 0 : (size_t)k * x->n;

			t->cls = x->T == 1 ? 1 : k;
			if (grow_tree(x, x->gh + off, slot, cols, nc, t)) {
				ff_fail(err, errlen, "out of memory growing round %u, tree %u", round, k);
				goto out;
			}
		}
		g->rounds = round + 1;
		g->n_trees = g->rounds * x->T;
		add_round(x, g, round);
		if (p->early_stopping) {
			double l = valid_loss(x);

			if (l < best) {
				best = l;
				best_round = round;
			}
			if (p->log)
				fprintf(p->log, "training: round %u: validation loss %.6f%s\n", round + 1, l,
					best_round == round ? " (best)" : "");
			if (round - best_round >= p->early_stopping) {
				g->stopped_early = 1;
				break;
			}
		} else if (p->log && ((round + 1) % 10 == 0 || round + 1 == p->rounds)) {
			fprintf(p->log, "training: %u/%u rounds\n", round + 1, p->rounds);
		}
	}
	if (p->early_stopping) {
		unsigned t;

		for (t = (best_round + 1) * x->T; t < g->n_trees; t++) {
			free(g->trees[t].nodes);
			memset(&g->trees[t], 0, sizeof(g->trees[t]));
		}
		g->rounds = best_round + 1;
		g->n_trees = g->rounds * x->T;
		g->best_valid_loss = best;
		if (p->log)
			fprintf(p->log, "training: kept %u round%s (best validation loss %.6f)%s\n",
				g->rounds, g->rounds == 1 ? "" : "s", best,
				g->stopped_early ? ", stopped early" : "");
	}
	rc = 0;
out:
	free(slot);
	free(cols);
	return rc;
}

int ff_gbdt_train(const struct ff_dataset *ds, const size_t *rows, size_t n_rows,
		  const struct ff_gbdt_params *p, struct ff_gbdt *g, char *err, size_t errlen)
{
	struct gctx x;
	struct sort_job sj;
	size_t i, trees;
	double t0 = ff_mono_s();
	int rc = -1;

	memset(g, 0, sizeof(*g));
	memset(&x, 0, sizeof(x));
	if (!rows)
		n_rows = ds->n_rows;
	if (check_params(p, err, errlen))
		return -1;
	if (n_rows < 2)
		return ff_fail(err, errlen, "too few training rows (%zu)", n_rows);
	if (n_rows >= 0x7fffffff)
		return ff_fail(err, errlen, "too many training rows (%zu)", n_rows);
	if (ds->n_classes < 2 || ds->n_classes > FF_MAX_CLASSES)
		return ff_fail(err, errlen, "the data has %u classes; boosting needs 2..%d",
			    ds->n_classes, FF_MAX_CLASSES);
	x.ds = ds;
	x.p = p;
	x.F = ds->n_cols;
	x.K = ds->n_classes;
	x.T = x.K == 2 ? 1 : x.K;
	x.threads = p->threads ? p->threads : 1;
	trees = (size_t)p->rounds * x.T;
	if (trees > FF_MAX_TREES) {
		ff_fail(err, errlen, "%u rounds of %u trees make %zu trees; a model holds at most %d",
			p->rounds, x.T, trees, FF_MAX_TREES);
		return -1;
	}
	if (split_rows(&x, rows, n_rows)) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	x.y = malloc(x.n);
	x.sidx = calloc(x.F, sizeof(*x.sidx));
	x.srank = calloc(x.F, sizeof(*x.srank));
	x.rank = calloc(x.F, sizeof(*x.rank));
	x.vals = calloc(x.F, sizeof(*x.vals));
	x.margin = calloc(x.n * x.K, sizeof(double));
	x.vmargin = calloc((x.nv ? x.nv : 1) * x.K, sizeof(double));
	x.gh = malloc(x.n * x.T * sizeof(*x.gh));
	x.ndist = calloc(x.F, sizeof(*x.ndist));
	g->trees = calloc(trees, sizeof(*g->trees));
	g->n_alloc = trees;
	if (!x.y || !x.sidx || !x.srank || !x.rank || !x.vals || !x.margin || !x.vmargin ||
	    !x.gh || !x.ndist || !g->trees) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < x.n; i++)
		x.y[i] = ds->y[x.row[i]];
	memset(&sj, 0, sizeof(sj));
	sj.x = &x;
	atomic_init(&sj.next, 0);
	ff_run_threads(x.threads < x.F ? x.threads : x.F, sort_worker, &sj);
	if (sj.failed) {
		ff_fail(err, errlen, "out of memory sorting the features");
		goto out;
	}
	g->n_classes = x.K;
	g->n_cols = x.F;
	g->binary = x.T == 1;
	g->per_round = x.T;
	g->train_rows = x.n;
	g->valid_rows = x.nv;
	memcpy(g->feat, ds->feat, sizeof(g->feat));
	if (p->log)
		fprintf(p->log, "training: gradient-boosted trees (%s), %u rounds x %u tree%s, depth %u, "
			"eta %g, %zu rows (%zu held out for early stopping), %u features, %u classes, %u thread%s\n",
			g->binary ? "logistic" : "softmax", p->rounds, x.T, x.T == 1 ? "" : "s",
			p->max_depth, p->eta, x.n, x.nv, x.F, x.K, x.threads, x.threads == 1 ? "" : "s");
	if (train_rounds(&x, g, err, errlen))
		goto out;
	g->seconds = ff_mono_s() - t0;
	rc = 0;
out:
	ctx_free(&x);
	if (rc)
		ff_gbdt_free(g);
	return rc;
}

void ff_gbdt_importance(const struct ff_gbdt *g, struct ff_importance *im)
{
	unsigned t;
	__u32 i;

	for (t = 0; t < g->n_trees; t++)
		for (i = 0; i < g->trees[t].n_nodes; i++) {
			const struct ff_gnode *n = &g->trees[t].nodes[i];

			if (n->col != FF_GNODE_LEAF)
				ff_importance_add(im, g->feat[n->col], n->gain);
		}
}

void ff_gbdt_free(struct ff_gbdt *g)
{
	unsigned t;

	for (t = 0; g->trees && t < g->n_alloc; t++)
		free(g->trees[t].nodes);
	free(g->trees);
	memset(g, 0, sizeof(*g));
}

void ff_gbdt_margins(const struct ff_gbdt *g, const struct ff_dataset *ds, size_t r,
		     double *margins)
{
	unsigned t, k;

	for (k = 0; k < g->n_classes; k++)
		margins[k] = g->base[k];
	for (t = 0; t < g->n_trees; t++)
		margins[g->trees[t].cls] += tree_leaf(&g->trees[t], ds, r);
}

static __u32 argmax(const double *m, unsigned n)
{
	unsigned k, best = 0;

	for (k = 1; k < n; k++)
		if (m[k] > m[best])
			best = k;
	return best;
}

__u32 ff_gbdt_predict_float(const struct ff_gbdt *g, const struct ff_dataset *ds, size_t r)
{
	double m[FF_MAX_CLASSES];

	ff_gbdt_margins(g, ds, r, m);
	return argmax(m, g->n_classes);
}

/* ------------------------------------------------------------ the model */

static int tree_to_xnodes(const struct ff_gbdt *g, const struct ff_gtree *t, double scale,
			  struct ff_model *m, char *err, size_t errlen)
{
	struct ff_xnode *xn = calloc(t->n_nodes, sizeof(*xn));
	__u32 i;
	int rc;

	if (!xn)
		return ff_fail(err, errlen, "out of memory");
	for (i = 0; i < t->n_nodes; i++) {
		const struct ff_gnode *n = &t->nodes[i];

		if (n->col == FF_GNODE_LEAF) {
			xn[i].feature = FF_NODE_LEAF;
			xn[i].left = t->cls;
			xn[i].right = (__u32)(__s32)llround(n->value * scale);
		} else {
			xn[i].feature = g->feat[n->col];
			xn[i].threshold = n->thr;
			xn[i].left = n->left;
			xn[i].right = n->right;
		}
	}
	rc = ff_model_add_tree(m, xn, t->n_nodes, err, errlen);
	free(xn);
	return rc;
}

static int build_model(const struct ff_gbdt *g, const struct ff_dataset *ds, unsigned bits,
		       struct ff_model *m, char *err, size_t errlen)
{
	double scale = ldexp(1.0, bits);
	unsigned c, t;

	memset(m, 0, sizeof(*m));
	m->n_features = g->n_cols;
	for (c = 0; c < g->n_cols; c++)
		m->feature_ids[c] = g->feat[c];
	m->n_classes = g->n_classes;
	for (c = 0; c < g->n_classes; c++) {
		if (strlen(ds->class_names[c]) >= FF_NAME_MAX)
			return ff_fail(err, errlen, "class name \"%s\" is longer than %d characters",
				    ds->class_names[c], FF_NAME_MAX - 1);
		strcpy(m->class_names[c], ds->class_names[c]);
		m->phases[0].bias[c] = llround(g->base[c] * scale);
	}
	m->n_phases = 1;
	m->phases[0].combine = FF_COMBINE_SOFTMAX;
	m->phases[0].scale_bits = bits;
	for (t = 0; t < g->n_trees; t++)
		if (tree_to_xnodes(g, &g->trees[t], scale, m, err, errlen)) {
			ff_model_free(m);
			return -1;
		}
	m->phases[0].n_trees = m->n_trees;
	if (ff_model_validate(m, err, errlen)) {
		ff_model_free(m);
		return -1;
	}
	return 0;
}

struct qcheck_job {
	const struct ff_gbdt *g;
	const struct ff_model *m;
	const struct ff_gbdt_check *c;
	size_t from, to;
	size_t bad;		/* first disagreeing position, or SIZE_MAX */
};

static void *qcheck_worker(void *arg)
{
	struct qcheck_job *j = arg;
	__u64 vec[FF_MAX_FEATURES];
	size_t k;

	for (k = j->from; k < j->to; k++) {
		size_t r = j->c->rows ? j->c->rows[k] : k;
		__u32 score;

		ff_dataset_row(j->c->ds, r, vec);
		if (ff_model_predict(j->m, vec, &score) != ff_gbdt_predict_float(j->g, j->c->ds, r)) {
			j->bad = k;
			return NULL;
		}
	}
	return NULL;
}

/* The first row (position in c) where the model and the trainer disagree. */
static size_t first_disagreement(const struct ff_gbdt *g, const struct ff_model *m,
				 const struct ff_gbdt_check *c, unsigned threads)
{
	struct qcheck_job jobs[64];
	size_t n = c->rows ? c->n_rows : c->ds->n_rows, chunk, first = SIZE_MAX;
	unsigned i, nt = threads < 1 ? 1 : threads > 64 ? 64 : threads;

	if (n == 0)
		return SIZE_MAX;
	if (nt > n)
		nt = n;
	chunk = (n + nt - 1) / nt;
	for (i = 0; i < nt; i++)
		jobs[i] = (struct qcheck_job){ g, m, c, i * chunk,
					       (i + 1) * chunk < n ? (i + 1) * chunk : n, SIZE_MAX };
	ff_run_jobs(jobs, sizeof(jobs[0]), nt, qcheck_worker);
	for (i = 0; i < nt; i++)
		if (jobs[i].bad < first)
			first = jobs[i].bad;
	return first;
}

int ff_gbdt_to_model(const struct ff_gbdt *g, const struct ff_dataset *ds,
		     const struct ff_gbdt_check *checks, unsigned n_checks, unsigned threads,
		     struct ff_model *m, char *err, size_t errlen)
{
	double max_abs = 0;
	int bits, top, lowest;
	unsigned t, i, c;
	size_t bad_pos = SIZE_MAX;
	unsigned bad_check = 0;

	for (c = 0; c < g->n_classes; c++)
		max_abs = fmax(max_abs, fabs(g->base[c]));
	for (t = 0; t < g->n_trees; t++)
		for (i = 0; i < g->trees[t].n_nodes; i++)
			if (g->trees[t].nodes[i].col == FF_GNODE_LEAF)
				max_abs = fmax(max_abs, fabs(g->trees[t].nodes[i].value));
	/* the largest scale that keeps every leaf value within 32 bits */
	for (top = FF_SCALE_BITS_MAX - 2; top > 0 && ldexp(max_abs, top) >= 2147483647.0; top--)
		;
	if (ldexp(max_abs, top) >= 2147483647.0)
		return ff_fail(err, errlen, "a leaf value of %g does not fit a 32-bit fixed-point value",
			    max_abs);
	lowest = top >= 8 ? top - 8 : 0;
	for (bits = top; bits >= lowest; bits--) {
		size_t pos = SIZE_MAX;

		if (build_model(g, ds, bits, m, err, errlen))
			return -1;
		for (c = 0; c < n_checks && pos == SIZE_MAX; c++) {
			pos = first_disagreement(g, m, &checks[c], threads);
			if (pos != SIZE_MAX && bits == top) {
				bad_pos = pos;
				bad_check = c;
			}
		}
		if (pos == SIZE_MAX)
			return 0;
		ff_model_free(m);
	}
	{
		const struct ff_gbdt_check *bc = &checks[bad_check];
		size_t r = bc->rows ? bc->rows[bad_pos] : bad_pos;
		double mg[FF_MAX_CLASSES];
		char where[300];

		ff_dataset_row_origin(bc->ds, r, where, sizeof(where));
		ff_gbdt_margins(g, bc->ds, r, mg);
		return ff_fail(err, errlen,
			    "quantization check failed: row %zu (%s): the fixed-point model's class differs from the float model's (%u, margin %.9g) at every scale from 2^%d to 2^%d: a near tie",
			    r, where, argmax(mg, g->n_classes), mg[argmax(mg, g->n_classes)], top, lowest);
	}
}
