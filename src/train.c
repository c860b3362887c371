// SPDX-License-Identifier: MIT
/*
 * CART trees and random forests on integer features (see train.h).
 *
 * Split search: every training column is ranked once (dense ranks of its
 * distinct values). At a node, for each candidate feature, the node's
 * samples are sorted by rank with a radix or counting sort on the rank range
 * present in the node, then swept once, left to right, keeping the class
 * weight sums of both sides up to date, so each boundary between two
 * distinct values is scored in O(1) (Gini) or O(1) amortised (entropy).
 *
 * Thresholds: the candidate thresholds between two consecutive distinct
 * values a < b of a node are the midpoints m = (a + b) / 2, as in
 * scikit-learn. The model stores t = floor(m) and sends a sample left when
 * x <= t. For every integer x, x <= m holds exactly when x <= floor(m)
 * (floor(m) is the largest integer not above m), so the integer decision
 * equals the float decision for every integer sample, training or unseen:
 * no rounding of the threshold can move a sample to the other side. In
 * particular a <= t < b, so the training samples split as the trainer chose.
 * (This holds as long as the double midpoint is exact, i.e. values below
 * 2^52; ff_forest_verify() checks it on real rows anyway.)
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "errmsg.h"
#include "train.h"
#include "features_info.h"


/* -------------------------------------------------------------- random */

/* xoshiro256** seeded through splitmix64; one stream per (seed, stream). */
static __u64 splitmix64(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void ff_rng_seed(struct ff_rng *r, __u64 seed, __u64 stream)
{
	__u64 x = seed;
	__u64 y = stream ^ 0x5851f42d4c957f2dULL;
	int i;

	x ^= splitmix64(&y);
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline __u64 rotl(__u64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

__u64 ff_rng_next(struct ff_rng *r)
{
	__u64 *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n), n > 0, without modulo bias (Lemire's method). */
__u64 ff_rng_below(struct ff_rng *r, __u64 n)
{
	unsigned __int128 m = (unsigned __int128)ff_rng_next(r) * n;
	__u64 lo = (__u64)m;

	if (lo < n) {
		__u64 t = -n % n;

		while (lo < t) {
			m = (unsigned __int128)ff_rng_next(r) * n;
			lo = (__u64)m;
		}
	}
	return (__u64)(m >> 64);
}

void ff_random_permutation(size_t *perm, size_t n, __u64 seed)
{
	struct ff_rng r;
	size_t i;

	ff_rng_seed(&r, seed, 0xffffffffffffULL);	/* not a tree's stream */
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n; i > 1; i--) {
		size_t j = ff_rng_below(&r, i), t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
}

/* ------------------------------------------------------------- sorting */

/* Sort values (with their row payload) ascending: LSD radix, 16-bit digits,
 * skipping digits that are the same for every value. */
int ff_sort_values(__u64 *v, __u32 *idx, size_t n)
{
	__u64 *tv = malloc(n * sizeof(*tv));
	__u32 *ti = malloc(n * sizeof(*ti));
	size_t *count = malloc(65536 * sizeof(*count));
	int shift;

	if (!tv || !ti || !count) {
		free(tv);
		free(ti);
		free(count);
		return -1;
	}
	for (shift = 0; shift < 64; shift += 16) {
		size_t i, sum = 0;
		int skip = 0;

		memset(count, 0, 65536 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(v[i] >> shift) & 0xffff]++;
		for (i = 0; i < 65536; i++) {
			size_t c = count[i];

			if (c == n)
				skip = 1;
			count[i] = sum;
			sum += c;
		}
		if (skip || n == 0)
			continue;
		for (i = 0; i < n; i++) {
			size_t d = count[(v[i] >> shift) & 0xffff]++;

			tv[d] = v[i];
			ti[d] = idx[i];
		}
		memcpy(v, tv, n * sizeof(*v));
		memcpy(idx, ti, n * sizeof(*idx));
	}
	free(tv);
	free(ti);
	free(count);
	return 0;
}

/* Node keys are (rank << 32 | sample). Sort by rank, whose values in this
 * node lie in [lo, hi]; returns the sorted array (a or tmp). */
static __u64 *sort_keys(__u64 *a, __u64 *tmp, __u32 *count, size_t n, __u32 lo, __u32 hi)
{
	__u32 range = hi - lo;
	size_t i;

	if (n <= 48) {
		for (i = 1; i < n; i++) {
			__u64 k = a[i];
			size_t j = i;

			while (j > 0 && (a[j - 1] >> 32) > (k >> 32)) {
				a[j] = a[j - 1];
				j--;
			}
			a[j] = k;
		}
		return a;
	}
	if ((size_t)range < n) {
		__u32 sum = 0, r;

		memset(count, 0, ((size_t)range + 1) * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(a[i] >> 32) - lo]++;
		for (r = 0; r <= range; r++) {
			__u32 c = count[r];

			count[r] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(a[i] >> 32) - lo]++] = a[i];
		return tmp;
	} else {
		int bits = 32 - __builtin_clz(range), passes = (bits + 10) / 11;
		int dbits = (bits + passes - 1) / passes, p;
		__u32 mask = (1u << dbits) - 1;

		for (p = 0; p < passes; p++) {
			int shift = p * dbits;
			__u32 sum = 0, d;
			__u64 *t;

			memset(count, 0, ((size_t)mask + 1) * sizeof(*count));
			for (i = 0; i < n; i++)
				count[((__u32)(a[i] >> 32) - lo) >> shift & mask]++;
			for (d = 0; d <= mask; d++) {
				__u32 c = count[d];

				count[d] = sum;
				sum += c;
			}
			for (i = 0; i < n; i++)
				tmp[count[((__u32)(a[i] >> 32) - lo) >> shift & mask]++] = a[i];
			t = a;
			a = tmp;
			tmp = t;
		}
		return a;
	}
}

/* ------------------------------------------------------------- context */

struct tctx {
	const struct ff_dataset *ds;
	const struct ff_train_params *p;
	size_t m;			/* training samples */
	__u8 *y;			/* sample -> class */
	double cw[FF_MAX_CLASSES];	/* class weights */
	unsigned C, F;
	__u32 **rank;			/* rank[f][sample] */
	__u64 **vals;			/* vals[f][rank]: distinct values */
	unsigned mtry, max_depth, msl;
	int entropy, bootstrap;
	int hist;			/* gini, every class weight 1: scan_hist */
	__u32 node_cap;			/* per tree */
	__u64 min_thr[FF_MAX_FEATURES];	/* a column's thresholds: at least */
	__u64 max_thr[FF_MAX_FEATURES];	/* ... and at most */
	struct ff_forest *f;
	atomic_uint next;
	pthread_mutex_t lock;
	unsigned done;
	double t0;
	atomic_int failed;
	char err[256];
};

struct pend {
	__u32 node, start, end;
	__u32 col, r_left, r_right;
	double gain;
};

struct work {
	__u64 *keys, *tmp;
	__u32 *samples, *stmp, *cnt, *count;
	__u32 *hist;			/* scan_hist: FF_HIST_BUCKETS x (1 + C) */
	double *w;
	struct ff_rng rng;
	struct pend *heap;
	size_t heap_n, heap_cap;
	struct ff_tree *tree;
	size_t node_alloc;
};

static double xlogx(double x)
{
	return x > 0 ? x * log(x) : 0;
}

/* ------------------------------------------------------------ one tree */

static int heap_before(const struct pend *a, const struct pend *b)
{
	if (a->gain != b->gain)
		return a->gain > b->gain;
	return a->node < b->node;
}

static int heap_push(struct work *wk, const struct pend *e)
{
	size_t i;

	if (wk->heap_n == wk->heap_cap) {
		size_t cap = wk->heap_cap ? wk->heap_cap * 2 : 256;
		struct pend *h = realloc(wk->heap, cap * sizeof(*h));

		if (!h)
			return -1;
		wk->heap = h;
		wk->heap_cap = cap;
	}
	i = wk->heap_n++;
	wk->heap[i] = *e;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		struct pend t;

		if (!heap_before(&wk->heap[i], &wk->heap[parent]))
			break;
		t = wk->heap[i];
		wk->heap[i] = wk->heap[parent];
		wk->heap[parent] = t;
		i = parent;
	}
	return 0;
}

static struct pend heap_pop(struct work *wk)
{
	struct pend top = wk->heap[0];
	size_t i = 0, n = --wk->heap_n;

	wk->heap[0] = wk->heap[n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, b = i;
		struct pend t;

		if (l < n && heap_before(&wk->heap[l], &wk->heap[b]))
			b = l;
		if (r < n && heap_before(&wk->heap[r], &wk->heap[b]))
			b = r;
		if (b == i)
			break;
		t = wk->heap[i];
		wk->heap[i] = wk->heap[b];
		wk->heap[b] = t;
		i = b;
	}
	return top;
}

/*
 * The thresholds a split on feature `fid` may have at a timing resolution
 * of `res_us` (0: any): a time in microseconds (gaps, durations, delays)
 * at least res_us; packets per second at most one per res_us (a rate is
 * n x 10^6 / duration: above that, the duration of n >= 1 packets is below
 * res_us). Gaps of a few us are a lab's veth and its tools' own pace, not
 * an attack's behaviour, and below the jitter between the kernel's clock
 * and a capture's (8-12 us): splits there decide on noise
 * (docs/training.md, "Timing resolution").
 */
static void threshold_range(unsigned fid, __u64 res_us, __u64 *lo, __u64 *hi)
{
	enum ff_unit u = fid < FF_NUM_FEATURES ? ff_feature_table[fid].unit : FF_UNIT_COUNT;

	*lo = res_us && u == FF_UNIT_USEC ? res_us : 0;
	*hi = res_us && u == FF_UNIT_PER_SEC ? 1000000 / res_us : UINT64_MAX;
}

/* scan_hist's ranks at most: 2.4 MB of counts a thread with 8 classes */
#define FF_HIST_BUCKETS 65536

/* The best split found so far in a node. */
struct cand {
	double proxy;
	int found;
	unsigned col;
	__u32 r_left, r_right;
};

enum { B_SKIP, B_STOP, B_SCORE };

/* The boundary between ranks rk and rn of feature f, nl of the node's n
 * samples to its left: too few samples on a side (skip, or stop: it only
 * gets worse), a threshold beyond the timing resolution, or one to score. */
static int boundary(const struct tctx *x, unsigned f, __u32 nl, __u32 n, __u32 rk, __u32 rn)
{
	__u64 thr;

	if (nl < x->msl)
		return B_SKIP;
	if (n - nl < x->msl)
		return B_STOP;
	thr = x->vals[f][rk] + (x->vals[f][rn] - x->vals[f][rk]) / 2;
	if (thr > x->max_thr[f])
		return B_STOP;
	return thr < x->min_thr[f] ? B_SKIP : B_SCORE;
}

static void consider(struct cand *b, double proxy, unsigned f, __u32 rk, __u32 rn)
{
	if (proxy > b->proxy) {
		b->proxy = proxy;
		b->found = 1;
		b->col = f;
		b->r_left = rk;
		b->r_right = rn;
	}
}

/* Feature f over the node's n samples sorted by rank (s: keys rank << 32 |
 * sample), one sample at a time. */
static void scan_sorted(const struct tctx *x, const struct work *wk, unsigned f,
			const __u64 *s, __u32 n, const double *tot, double wnode, struct cand *b)
{
	double left[FF_MAX_CLASSES] = { 0 }, right[FF_MAX_CLASSES];
	double lt[FF_MAX_CLASSES] = { 0 }, rt[FF_MAX_CLASSES];
	double wl = 0, wr = wnode, sql = 0, sqr = 0, L = 0, R = 0;
	unsigned i;
	__u32 k;

	for (i = 0; i < x->C; i++) {
		right[i] = tot[i];
		sqr += tot[i] * tot[i];
		rt[i] = xlogx(tot[i]);
		R += rt[i];
	}
	for (k = 0; k + 1 < n; k++) {
		__u32 smp = (__u32)s[k], c = x->y[smp];
		double ww = wk->w[smp];
		__u32 rk = s[k] >> 32, rn = s[k + 1] >> 32;
		int bd;

		if (x->entropy) {
			double nl = xlogx(left[c] + ww), nr = xlogx(right[c] - ww);

			L += nl - lt[c];
			R += nr - rt[c];
			lt[c] = nl;
			rt[c] = nr;
		} else {
			sql += ww * (2 * left[c] + ww);
			sqr += ww * (ww - 2 * right[c]);
		}
		left[c] += ww;
		right[c] -= ww;
		wl += ww;
		wr -= ww;
		if (rk == rn)
			continue;
		bd = boundary(x, f, k + 1, n, rk, rn);
		if (bd == B_STOP)
			break;
		if (bd == B_SCORE)
			consider(b, x->entropy ? (L - xlogx(wl)) + (R - xlogx(wr)) : sql / wl + sqr / wr,
				 f, rk, rn);
	}
}

/*
 * Feature f over the node's n samples (keys: rank << 32 | sample, ranks in
 * [lo, hi], hi - lo < FF_HIST_BUCKETS) counted per rank and class instead
 * of sorted: one pass, and the boundaries between the ranks present
 * scored as scan_sorted does. Only for gini with every class weight 1
 * (x->hist): the weights are then bootstrap counts, every sum below is an
 * integer of at most m^2 < 2^53 held exactly, and a rank's samples added at once give each
 * boundary's proxy to the bit (sum of w(2l + w) over a class's samples is
 * (l + W)^2 - l^2 = W(2l + W)): the same split as scan_sorted, faster.
 */
static void scan_hist(const struct tctx *x, const struct work *wk, unsigned f, __u32 n,
		      __u32 lo, __u32 hi, const double *tot, double wnode, struct cand *b)
{
	unsigned C = x->C, i, stride = C + 1;
	__u32 *h = wk->hist, range = hi - lo, r, prev = 0, nl = 0, k;
	double left[FF_MAX_CLASSES] = { 0 }, right[FF_MAX_CLASSES];
	double wl = 0, wr = wnode, sql = 0, sqr = 0;
	int any = 0;

	memset(h, 0, ((size_t)range + 1) * stride * sizeof(*h));
	for (k = 0; k < n; k++) {
		__u32 smp = (__u32)wk->keys[k];
		__u32 *hb = h + (size_t)((wk->keys[k] >> 32) - lo) * stride;

		hb[0]++;
		hb[1 + x->y[smp]] += wk->cnt[smp];
	}
	for (i = 0; i < C; i++) {
		right[i] = tot[i];
		sqr += tot[i] * tot[i];
	}
	for (r = 0; r <= range; r++) {
		const __u32 *hb = h + (size_t)r * stride;
		double W = 0;

		if (!hb[0])
			continue;
		if (any) {
			int bd = boundary(x, f, nl, n, lo + prev, lo + r);

			if (bd == B_STOP)
				break;
			if (bd == B_SCORE)
				consider(b, sql / wl + sqr / wr, f, lo + prev, lo + r);
		}
		for (i = 0; i < C; i++) {
			double w = hb[1 + i];

			if (!hb[1 + i])
				continue;
			sql += w * (2 * left[i] + w);
			sqr += w * (w - 2 * right[i]);
			left[i] += w;
			right[i] -= w;
			W += w;
		}
		wl += W;
		wr -= W;
		nl += hb[0];
		prev = r;
		any = 1;
	}
}

/*
 * Best split of samples[start, end). Features are drawn at random without
 * replacement; as in scikit-learn, every draw counts towards max_features,
 * constant ones included, but the search goes on until at least one
 * non-constant feature has been evaluated (or none is left).
 */
static int find_split(struct tctx *x, struct work *wk, __u32 start, __u32 end,
		      __u32 depth, const double *tot, double wnode, double wimp,
		      struct pend *out)
{
	unsigned feats[FF_MAX_FEATURES], drawn = 0, visited = 0, nonconst = 0, i;
	__u32 n = end - start;
	struct cand b = { -INFINITY, 0, 0, 0, 0 };

	if (depth >= x->max_depth || n < 2 || n < 2 * x->msl || wimp <= 1e-12 * wnode)
		return 0;
	for (i = 0; i < x->F; i++)
		feats[i] = i;
	while (drawn < x->F && (visited < x->mtry || !nonconst)) {
		unsigned j = drawn + ff_rng_below(&wk->rng, x->F - drawn), f = feats[j];
		const __u32 *rank = x->rank[f];
		__u32 lo = UINT32_MAX, hi = 0, k;

		feats[j] = feats[drawn];
		feats[drawn++] = f;
		visited++;
		for (k = 0; k < n; k++) {
			__u32 smp = wk->samples[start + k], r = rank[smp];

			wk->keys[k] = (__u64)r << 32 | smp;
			if (r < lo)
				lo = r;
			if (r > hi)
				hi = r;
		}
		if (lo == hi || x->vals[f][hi] <= x->min_thr[f] || x->vals[f][lo] > x->max_thr[f])
			continue;	/* constant, or beyond its resolution */
		nonconst = 1;
		if (x->hist && hi - lo < n && hi - lo < FF_HIST_BUCKETS)
			scan_hist(x, wk, f, n, lo, hi, tot, wnode, &b);
		else
			scan_sorted(x, wk, f, sort_keys(wk->keys, wk->tmp, wk->count, n, lo, hi),
				    n, tot, wnode, &b);
	}
	if (!b.found)
		return 0;
	out->col = b.col;
	out->r_left = b.r_left;
	out->r_right = b.r_right;
	/* weighted impurity decrease: the node's minus its children's */
	out->gain = x->entropy ? wimp + b.proxy : wimp - (wnode - b.proxy);
	out->start = start;
	out->end = end;
	return 1;
}

static int tree_add_node(struct work *wk)
{
	struct ff_tree *t = wk->tree;

	if (t->n_nodes == wk->node_alloc) {
		size_t cap = wk->node_alloc ? wk->node_alloc * 2 : 256;
		struct ff_tnode *p = realloc(t->nodes, cap * sizeof(*p));

		if (!p)
			return -1;
		t->nodes = p;
		wk->node_alloc = cap;
	}
	memset(&t->nodes[t->n_nodes], 0, sizeof(t->nodes[0]));
	return t->n_nodes++;
}

/* A new leaf for samples[start, end); queues its best split if any. */
static int make_node(struct tctx *x, struct work *wk, __u32 start, __u32 end,
		     __u32 depth, __u32 parent)
{
	double tot[FF_MAX_CLASSES] = { 0 }, wnode = 0, wimp, best = -1;
	struct ff_tnode *nd;
	struct pend pe;
	unsigned c;
	__u32 k;
	int id = tree_add_node(wk);

	if (id < 0)
		return -1;
	for (k = start; k < end; k++) {
		__u32 s = wk->samples[k];

		tot[x->y[s]] += wk->w[s];
	}
	nd = &wk->tree->nodes[id];
	nd->col = FF_TNODE_LEAF;
	nd->parent = parent;
	nd->depth = depth;
	nd->n = end - start;
	for (c = 0; c < x->C; c++) {
		wnode += tot[c];
		if (tot[c] > best) {
			best = tot[c];
			nd->cls = c;
		}
	}
	if (x->entropy) {
		wimp = xlogx(wnode);
		for (c = 0; c < x->C; c++)
			wimp -= xlogx(tot[c]);
	} else {
		double sq = 0;

		for (c = 0; c < x->C; c++)
			sq += tot[c] * tot[c];
		wimp = wnode > 0 ? wnode - sq / wnode : 0;
	}
	if (wimp < 0)
		wimp = 0;
	nd->wimp = wimp;
	nd->weight = 1;
	if (x->p->leaf_weight == FF_LEAF_CONFIDENCE && wnode > 0) {
		long wt = lround(100.0 * tot[nd->cls] / wnode);

		nd->weight = wt < 1 ? 1 : wt > 100 ? 100 : wt;
	}
	if (find_split(x, wk, start, end, depth, tot, wnode, wimp, &pe)) {
		pe.node = id;
		if (heap_push(wk, &pe))
			return -1;
	}
	return id;
}

static int grow_tree(struct tctx *x, struct work *wk, unsigned t)
{
	struct ff_tree *tree = &x->f->trees[t];
	size_t i, n_in = 0;

	memset(tree, 0, sizeof(*tree));
	wk->tree = tree;
	wk->node_alloc = 0;
	wk->heap_n = 0;
	ff_rng_seed(&wk->rng, x->p->seed, t);
	if (x->bootstrap) {
		memset(wk->cnt, 0, x->m * sizeof(*wk->cnt));
		for (i = 0; i < x->m; i++)
			wk->cnt[ff_rng_below(&wk->rng, x->m)]++;
	} else {
		for (i = 0; i < x->m; i++)
			wk->cnt[i] = 1;
	}
	for (i = 0; i < x->m; i++)
		if (wk->cnt[i]) {
			wk->samples[n_in++] = i;
			wk->w[i] = wk->cnt[i] * x->cw[x->y[i]];
		}
	if (make_node(x, wk, 0, n_in, 0, 0) < 0)
		return -1;
	while (wk->heap_n) {
		struct pend pe;
		struct ff_tnode *nd;
		const __u32 *rank;
		__u32 k, nl = 0, nr = 0, depth;
		__u64 a, b;
		int l, r;

		if (tree->n_nodes + 2 > x->node_cap) {
			tree->capped = 1;
			break;
		}
		pe = heap_pop(wk);
		rank = x->rank[pe.col];
		for (k = pe.start; k < pe.end; k++) {
			__u32 s = wk->samples[k];

			if (rank[s] <= pe.r_left)
				wk->samples[pe.start + nl++] = s;
			else
				wk->stmp[nr++] = s;
		}
		memcpy(wk->samples + pe.start + nl, wk->stmp, nr * sizeof(__u32));
		depth = tree->nodes[pe.node].depth + 1;
		l = make_node(x, wk, pe.start, pe.start + nl, depth, pe.node);
		if (l < 0)
			return -1;
		r = make_node(x, wk, pe.start + nl, pe.end, depth, pe.node);
		if (r < 0)
			return -1;
		nd = &tree->nodes[pe.node];
		a = x->vals[pe.col][pe.r_left];
		b = x->vals[pe.col][pe.r_right];
		nd->col = pe.col;
		nd->thr = a + (b - a) / 2;		/* floor of the midpoint */
		nd->mid = ((double)a + (double)b) / 2.0;
		if (nd->mid >= (double)b)		/* rounding, huge values */
			nd->mid = (double)a;
		nd->left = l;
		nd->right = r;
		nd->gain = nd->wimp - tree->nodes[l].wimp - tree->nodes[r].wimp;
		if (depth > tree->depth)
			tree->depth = depth;
	}
	return 0;
}

static void work_free(struct work *wk)
{
	free(wk->keys);
	free(wk->tmp);
	free(wk->samples);
	free(wk->stmp);
	free(wk->cnt);
	free(wk->count);
	free(wk->w);
	free(wk->hist);
	free(wk->heap);
	memset(wk, 0, sizeof(*wk));
}

static int work_alloc(struct work *wk, size_t m, unsigned C)
{
	size_t cm = m + 1 > 2048 ? m + 1 : 2048;

	memset(wk, 0, sizeof(*wk));
	wk->keys = malloc(m * sizeof(__u64));
	wk->tmp = malloc(m * sizeof(__u64));
	wk->samples = malloc(m * sizeof(__u32));
	wk->stmp = malloc(m * sizeof(__u32));
	wk->cnt = malloc(m * sizeof(__u32));
	wk->count = malloc(cm * sizeof(__u32));
	wk->w = malloc(m * sizeof(double));
	wk->hist = malloc((size_t)FF_HIST_BUCKETS * (C + 1) * sizeof(__u32));
	if (!wk->keys || !wk->tmp || !wk->samples || !wk->stmp || !wk->cnt || !wk->count || !wk->w ||
	    !wk->hist) {
		work_free(wk);
		return -1;
	}
	return 0;
}

static void *tree_worker(void *arg)
{
	struct tctx *x = arg;
	struct work wk;

	if (work_alloc(&wk, x->m, x->C)) {
		pthread_mutex_lock(&x->lock);
		x->failed = 1;
		snprintf(x->err, sizeof(x->err), "out of memory for the split workspace");
		pthread_mutex_unlock(&x->lock);
		return NULL;
	}
	for (;;) {
		unsigned t = atomic_fetch_add(&x->next, 1);
		int rc;

		if (t >= x->f->n_trees || x->failed)
			break;
		rc = grow_tree(x, &wk, t);
		pthread_mutex_lock(&x->lock);
		if (rc) {
			x->failed = 1;
			snprintf(x->err, sizeof(x->err), "out of memory growing tree %u", t);
		} else {
			unsigned every = x->f->n_trees >= 8 ? x->f->n_trees / 8 : 1;

			x->done++;
			if (x->p->log && (x->done % every == 0 || x->done == x->f->n_trees))
				fprintf(x->p->log, "training: %u/%u trees (%.1f s)\n", x->done,
					x->f->n_trees, ff_mono_s() - x->t0);
		}
		pthread_mutex_unlock(&x->lock);
	}
	work_free(&wk);
	return NULL;
}

/* ---------------------------------------------------------- ranking */

struct rank_job {
	struct tctx *x;
	const size_t *rows;
	atomic_uint next;
	atomic_int failed;
};

static void *rank_worker(void *arg)
{
	struct rank_job *j = arg;
	struct tctx *x = j->x;
	__u64 *v = malloc(x->m * sizeof(*v));
	__u32 *idx = malloc(x->m * sizeof(*idx));

	if (!v || !idx) {
		j->failed = 1;
		goto out;
	}
	for (;;) {
		unsigned f = atomic_fetch_add(&j->next, 1);
		const __u64 *col;
		size_t i, nd = 0;

		if (f >= x->F)
			break;
		col = x->ds->col[f];
		for (i = 0; i < x->m; i++) {
			v[i] = col[j->rows ? j->rows[i] : i];
			idx[i] = i;
		}
		if (ff_sort_values(v, idx, x->m)) {
			j->failed = 1;
			break;
		}
		x->rank[f] = malloc(x->m * sizeof(__u32));
		x->vals[f] = malloc((x->m ? x->m : 1) * sizeof(__u64));
		if (!x->rank[f] || !x->vals[f]) {
			j->failed = 1;
			break;
		}
		for (i = 0; i < x->m; i++) {
			if (i == 0 || v[i] != v[i - 1])
				x->vals[f][nd++] = v[i];
			x->rank[f][idx[i]] = nd - 1;
		}
		{
			__u64 *shrunk = realloc(x->vals[f], (nd ? nd : 1) * sizeof(__u64));

			if (shrunk)
				x->vals[f] = shrunk;
		}
	}
out:
	free(v);
	free(idx);
	return NULL;
}

/* The training rows' ranks from the data's (ff_rank_columns); the
 * values are the ranking's, shared. */
static int gather_ranks(struct tctx *x, const struct ff_ranking *rk, const size_t *rows)
{
	unsigned f;
	size_t i;

	if (rk->n_cols != x->F || rk->n_rows != x->ds->n_rows)
		return -1;
	for (f = 0; f < x->F; f++) {
		x->rank[f] = malloc((x->m ? x->m : 1) * sizeof(__u32));
		if (!x->rank[f])
			return -1;
		for (i = 0; i < x->m; i++)
			x->rank[f][i] = rk->rank[f][rows ? rows[i] : i];
		x->vals[f] = rk->vals[f];
	}
	return 0;
}

int ff_rank_columns(const struct ff_dataset *ds, unsigned threads, struct ff_ranking *rk,
		    char *err, size_t errlen)
{
	struct tctx x;
	struct rank_job rj;

	memset(rk, 0, sizeof(*rk));
	memset(&x, 0, sizeof(x));
	memset(&rj, 0, sizeof(rj));
	x.ds = ds;
	x.m = ds->n_rows;
	x.F = ds->n_cols;
	rk->n_cols = x.F;
	rk->n_rows = x.m;
	rk->rank = x.rank = calloc(x.F ? x.F : 1, sizeof(*x.rank));
	rk->vals = x.vals = calloc(x.F ? x.F : 1, sizeof(*x.vals));
	if (!rk->rank || !rk->vals) {
		ff_ranking_free(rk);
		return ff_fail(err, errlen, "out of memory ranking the features");
	}
	rj.x = &x;
	atomic_init(&rj.next, 0);
	threads = threads ? threads : 1;
	ff_run_threads(threads < x.F ? threads : x.F ? x.F : 1, rank_worker, &rj);
	if (rj.failed) {
		ff_ranking_free(rk);
		return ff_fail(err, errlen, "out of memory ranking the features");
	}
	return 0;
}

void ff_ranking_free(struct ff_ranking *rk)
{
	unsigned f;

	for (f = 0; rk->rank && f < rk->n_cols; f++)
		free(rk->rank[f]);
	for (f = 0; rk->vals && f < rk->n_cols; f++)
		free(rk->vals[f]);
	free(rk->rank);
	free(rk->vals);
	memset(rk, 0, sizeof(*rk));
}

int ff_run_threads(unsigned n, void *(*fn)(void *), void *arg)
{
	pthread_t th[256];
	unsigned i, started = 0;

	if (n > 256)
		n = 256;
	for (i = 1; i < n; i++)
		if (pthread_create(&th[i], NULL, fn, arg) == 0)
			started = i;
		else
			break;
	fn(arg);
	for (i = 1; i <= started; i++)
		pthread_join(th[i], NULL);
	return 0;
}

void ff_run_jobs(void *jobs, size_t size, unsigned n, void *(*fn)(void *))
{
	pthread_t th[256];
	char *job = jobs;
	unsigned i, started;

	for (started = 1; started < n && started < 256; started++)
		if (pthread_create(&th[started], NULL, fn, job + started * size))
			break;
	for (i = started; i < n; i++)	/* jobs that got no thread: here */
		fn(job + i * size);
	fn(job);
	for (i = 1; i < started; i++)
		pthread_join(th[i], NULL);
}

/* ---------------------------------------------------------- pruning */

struct prune_ent {
	double gain;
	unsigned tree;
	__u32 node;
};

static int prune_before(const struct prune_ent *a, const struct prune_ent *b)
{
	if (a->gain != b->gain)
		return a->gain < b->gain;
	if (a->tree != b->tree)
		return a->tree > b->tree;	/* later trees give first */
	return a->node > b->node;
}

static void pheap_push(struct prune_ent *h, size_t *n, struct prune_ent e)
{
	size_t i = (*n)++;

	h[i] = e;
	while (i > 0 && prune_before(&h[i], &h[(i - 1) / 2])) {
		struct prune_ent t = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct prune_ent pheap_pop(struct prune_ent *h, size_t *n)
{
	struct prune_ent top = h[0];
	size_t i = 0;

	h[0] = h[--*n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, b = i;
		struct prune_ent t;

		if (l < *n && prune_before(&h[l], &h[b]))
			b = l;
		if (r < *n && prune_before(&h[r], &h[b]))
			b = r;
		if (b == i)
			break;
		t = h[i];
		h[i] = h[b];
		h[b] = t;
		i = b;
	}
	return top;
}

#define DEAD_COL 0xfffe

static int is_leaf(const struct ff_tnode *n)
{
	return n->col == FF_TNODE_LEAF;
}

static int prunable(const struct ff_tree *t, __u32 i)
{
	const struct ff_tnode *n = &t->nodes[i];

	return !is_leaf(n) && is_leaf(&t->nodes[n->left]) && is_leaf(&t->nodes[n->right]);
}

/* Undo the weakest splits until the forest has at most max_nodes nodes;
 * deterministic (ties by tree and node index). */
static int prune_forest(struct ff_forest *f, size_t max_nodes)
{
	struct prune_ent *h;
	size_t total = 0, hn = 0, cap = 0;
	unsigned t;
	__u32 i;

	for (t = 0; t < f->n_trees; t++) {
		total += f->trees[t].n_nodes;
		cap += f->trees[t].n_nodes;
	}
	f->nodes_grown = total;
	if (total <= max_nodes)
		return 0;
	h = malloc(cap * sizeof(*h));
	if (!h)
		return -1;
	for (t = 0; t < f->n_trees; t++)
		for (i = 0; i < f->trees[t].n_nodes; i++)
			if (prunable(&f->trees[t], i))
				pheap_push(h, &hn, (struct prune_ent){ f->trees[t].nodes[i].gain, t, i });
	while (total > max_nodes && hn) {
		struct prune_ent e = pheap_pop(h, &hn);
		struct ff_tree *tr = &f->trees[e.tree];
		struct ff_tnode *n = &tr->nodes[e.node];

		tr->nodes[n->left].col = DEAD_COL;
		tr->nodes[n->right].col = DEAD_COL;
		n->col = FF_TNODE_LEAF;
		total -= 2;
		f->pruned_splits++;
		if (e.node != 0 && prunable(tr, n->parent))
			pheap_push(h, &hn, (struct prune_ent){ tr->nodes[n->parent].gain, e.tree,
							       n->parent });
	}
	free(h);
	/* compact: keep the order, renumber */
	for (t = 0; t < f->n_trees; t++) {
		struct ff_tree *tr = &f->trees[t];
		__u32 *map = malloc(tr->n_nodes * sizeof(*map)), k = 0;

		if (!map)
			return -1;
		for (i = 0; i < tr->n_nodes; i++) {
			int dead = tr->nodes[i].col == DEAD_COL;

			/* children of a collapsed node are dead, and so is all below */
			if (!dead && i > 0 && map[tr->nodes[i].parent] == UINT32_MAX)
				dead = 1;
			if (!dead && i > 0) {
				const struct ff_tnode *p = &tr->nodes[tr->nodes[i].parent];

				if (p->col == FF_TNODE_LEAF || p->col == DEAD_COL)
					dead = 1;
			}
			map[i] = dead ? UINT32_MAX : k++;
		}
		tr->depth = 0;
		for (i = 0; i < tr->n_nodes; i++) {
			struct ff_tnode n = tr->nodes[i];

			if (map[i] == UINT32_MAX)
				continue;
			if (!is_leaf(&n)) {
				n.left = map[n.left];
				n.right = map[n.right];
			}
			n.parent = map[n.parent];
			if (n.depth > tr->depth)
				tr->depth = n.depth;
			tr->nodes[map[i]] = n;
		}
		tr->n_nodes = k;
		free(map);
	}
	return 0;
}

/* ------------------------------------------------------------- training */

void ff_train_params_default(struct ff_train_params *p, int kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->n_trees = kind == FF_TRAIN_RF ? 32 : 1;
	p->max_depth = 12;
	p->min_samples_leaf = 1;
	p->max_features = FF_MF_DEFAULT;
	p->criterion = FF_CRIT_GINI;
	p->bootstrap = -1;
	p->seed = 1;
	p->threads = 1;
}

static unsigned resolve_mtry(const struct ff_train_params *p, unsigned F)
{
	long v;

	switch (p->max_features) {
	case FF_MF_SQRT:
		v = (long)sqrt((double)F);
		break;
	case FF_MF_LOG2:
		v = (long)log2((double)F);
		break;
	case FF_MF_ALL:
		v = F;
		break;
	case FF_MF_INT:
		v = (long)p->max_features_arg;
		break;
	case FF_MF_FRAC:
		v = (long)(p->max_features_arg * F);
		break;
	default:
		v = p->kind == FF_TRAIN_RF ? (long)sqrt((double)F) : (long)F;
	}
	if (v < 1)
		v = 1;
	if (v > (long)F)
		v = F;
	return v;
}

int ff_train_forest(const struct ff_dataset *ds, const size_t *rows, size_t n_rows,
		    const struct ff_train_params *p, struct ff_forest *f, char *err,
		    size_t errlen)
{
	struct tctx x;
	struct rank_job rj;
	size_t count[FF_MAX_CLASSES] = { 0 }, i;
	unsigned c, present = 0, threads;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	memset(&x, 0, sizeof(x));
	if (!rows)
		n_rows = ds->n_rows;
	if (n_rows == 0)
		return ff_fail(err, errlen, "no training rows");
	if (n_rows >= UINT32_MAX)
		return ff_fail(err, errlen, "too many training rows (%zu)", n_rows);
	if (ds->n_classes > FF_MAX_CLASSES)
		return ff_fail(err, errlen,
			    "the data has %u classes; a model holds at most %d (FF_MAX_CLASSES)",
			    ds->n_classes, FF_MAX_CLASSES);
	if (p->n_trees < 1 || p->n_trees > FF_MAX_TREES)
		return ff_fail(err, errlen, "%u trees: 1..%d allowed", p->n_trees, FF_MAX_TREES);
	if (p->max_depth < 1 || p->max_depth > FF_MAX_DEPTH)
		return ff_fail(err, errlen, "max depth %u: 1..%d allowed", p->max_depth, FF_MAX_DEPTH);
	if (p->min_samples_leaf < 1)
		return ff_fail(err, errlen, "min samples per leaf must be at least 1");
	x.ds = ds;
	x.p = p;
	x.m = n_rows;
	x.C = ds->n_classes;
	x.F = ds->n_cols;
	x.mtry = resolve_mtry(p, x.F);
	x.max_depth = p->max_depth;
	x.msl = p->min_samples_leaf;
	x.entropy = p->criterion == FF_CRIT_ENTROPY;
	x.bootstrap = p->bootstrap < 0 ? p->kind == FF_TRAIN_RF : p->bootstrap;
	x.node_cap = p->max_nodes && p->max_nodes < FF_TRAIN_MAX_TREE_NODES ? p->max_nodes
								    : FF_TRAIN_MAX_TREE_NODES;
	for (i = 0; i < x.F; i++)
		threshold_range(ds->feat[i], p->time_resolution_us, &x.min_thr[i], &x.max_thr[i]);
	x.f = f;
	atomic_init(&x.next, 0);
	pthread_mutex_init(&x.lock, NULL);
	x.t0 = ff_mono_s();

	f->n_trees = p->kind == FF_TRAIN_RF ? p->n_trees : 1;
	f->n_classes = x.C;
	f->n_cols = x.F;
	memcpy(f->feat, ds->feat, sizeof(f->feat));
	f->mtry = x.mtry;
	f->trees = calloc(f->n_trees, sizeof(*f->trees));
	x.y = malloc(x.m);
	x.rank = calloc(x.F, sizeof(*x.rank));
	x.vals = calloc(x.F, sizeof(*x.vals));
	if (!f->trees || !x.y || !x.rank || !x.vals) {
		ff_fail(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < x.m; i++) {
		x.y[i] = ds->y[rows ? rows[i] : i];
		count[x.y[i]]++;
	}
	for (c = 0; c < x.C; c++)
		present += count[c] > 0;
	/* scan_hist's sums, at most m^2, exact in a double below 2^53 */
	x.hist = !x.entropy && !p->sorted_scan && x.m <= (1u << 26);
	for (c = 0; c < x.C; c++) {
		x.cw[c] = p->balanced && count[c] ? (double)x.m / ((double)present * count[c]) : 1.0;
		x.hist &= x.cw[c] == 1.0;
	}

	threads = p->threads ? p->threads : 1;
	if (p->ranking) {
		if (gather_ranks(&x, p->ranking, rows)) {
			ff_fail(err, errlen, "out of memory ranking the features");
			goto out;
		}
	} else {
		memset(&rj, 0, sizeof(rj));
		rj.x = &x;
		rj.rows = rows;
		atomic_init(&rj.next, 0);
		ff_run_threads(threads < x.F ? threads : x.F, rank_worker, &rj);
		if (rj.failed) {
			ff_fail(err, errlen, "out of memory ranking the features");
			goto out;
		}
	}
	if (p->log)
		fprintf(p->log, "training: %s, %u tree%s, %zu rows, %u features (%u tried per split), %u classes, %u thread%s\n",
			p->kind == FF_TRAIN_RF ? "random forest" : "decision tree", f->n_trees,
			f->n_trees == 1 ? "" : "s", x.m, x.F, x.mtry, x.C, threads,
			threads == 1 ? "" : "s");
	ff_run_threads(threads < f->n_trees ? threads : f->n_trees, tree_worker, &x);
	if (x.failed) {
		ff_fail(err, errlen, "%s", x.err);
		goto out;
	}
	for (i = 0; i < f->n_trees; i++)
		f->capped_trees += f->trees[i].capped;
	if (prune_forest(f, p->max_nodes && p->max_nodes < FF_TRAIN_MAX_NODES ? p->max_nodes
									     : FF_TRAIN_MAX_NODES)) {
		ff_fail(err, errlen, "out of memory pruning");
		goto out;
	}
	for (i = 0; i < f->n_trees; i++)
		f->total_nodes += f->trees[i].n_nodes;
	if (p->log && f->capped_trees)
		fprintf(p->log, "training: %u tree%s reached the per-tree node limit of %u and stopped growing (grown best-first)\n",
			f->capped_trees, f->capped_trees == 1 ? "" : "s", x.node_cap);
	if (p->log && f->pruned_splits)
		fprintf(p->log, "training: the forest grew %zu nodes, more than the model limit of %u: "
			"undid the %zu splits with the smallest impurity decrease to fit; %zu nodes remain\n",
			f->nodes_grown, p->max_nodes && p->max_nodes < FF_TRAIN_MAX_NODES ? p->max_nodes
									  : FF_TRAIN_MAX_NODES,
			f->pruned_splits, f->total_nodes);
	f->seconds = ff_mono_s() - x.t0;
	rc = 0;
out:
	for (c = 0; x.rank && c < x.F; c++)
		free(x.rank[c]);
	for (c = 0; x.vals && !p->ranking && c < x.F; c++)
		free(x.vals[c]);
	free(x.rank);
	free(x.vals);
	free(x.y);
	pthread_mutex_destroy(&x.lock);
	if (rc)
		ff_forest_free(f);
	return rc;
}

void ff_forest_importance(const struct ff_forest *f, struct ff_importance *im)
{
	unsigned t;
	__u32 i;

	for (t = 0; t < f->n_trees; t++)
		for (i = 0; i < f->trees[t].n_nodes; i++) {
			const struct ff_tnode *n = &f->trees[t].nodes[i];

			if (!is_leaf(n))
				ff_importance_add(im, f->feat[n->col], n->gain);
		}
}

void ff_forest_free(struct ff_forest *f)
{
	unsigned t;

	for (t = 0; f->trees && t < f->n_trees; t++)
		free(f->trees[t].nodes);
	free(f->trees);
	memset(f, 0, sizeof(*f));
}

/* ------------------------------------------------- prediction, export */

static __u32 tree_leaf_float(const struct ff_tree *t, const struct ff_dataset *ds, size_t r)
{
	__u32 i = 0;

	while (t->nodes[i].col != FF_TNODE_LEAF) {
		const struct ff_tnode *n = &t->nodes[i];

		i = (double)ds->col[n->col][r] <= n->mid ? n->left : n->right;
	}
	return i;
}

__u32 ff_tree_predict_float(const struct ff_tree *t, const struct ff_dataset *ds, size_t r)
{
	return t->nodes[tree_leaf_float(t, ds, r)].cls;
}

__u32 ff_forest_predict_float(const struct ff_forest *f, const struct ff_dataset *ds, size_t r)
{
	__u32 votes[FF_MAX_CLASSES] = { 0 }, best = 0, t;

	for (t = 0; t < f->n_trees; t++) {
		const struct ff_tnode *leaf = &f->trees[t].nodes[tree_leaf_float(&f->trees[t], ds, r)];

		votes[leaf->cls] += leaf->weight;
	}
	for (t = 1; t < f->n_classes; t++)
		if (votes[t] > votes[best])
			best = t;
	return best;
}

int ff_forest_to_model(const struct ff_forest *f, const struct ff_dataset *ds,
		       struct ff_model *m, char *err, size_t errlen)
{
	unsigned t, c;
	__u32 base = 0, i;

	memset(m, 0, sizeof(*m));
	if (f->n_trees == 0 || f->n_trees > FF_MAX_TREES)
		return ff_fail(err, errlen, "%u trees (1..%d allowed)", f->n_trees, FF_MAX_TREES);
	if (f->total_nodes > FF_MAX_NODES)
		return ff_fail(err, errlen, "%zu nodes, more than FF_MAX_NODES %d", f->total_nodes,
			    FF_MAX_NODES);
	if (ds->n_classes > FF_MAX_CLASSES)
		return ff_fail(err, errlen, "%u classes, more than FF_MAX_CLASSES %d", ds->n_classes,
			    FF_MAX_CLASSES);
	m->n_features = f->n_cols;
	for (c = 0; c < f->n_cols; c++)
		m->feature_ids[c] = f->feat[c];
	m->n_classes = ds->n_classes;
	for (c = 0; c < ds->n_classes; c++) {
		if (strlen(ds->class_names[c]) >= FF_NAME_MAX)
			return ff_fail(err, errlen, "class name \"%s\" is longer than %d characters",
				    ds->class_names[c], FF_NAME_MAX - 1);
		strcpy(m->class_names[c], ds->class_names[c]);
		m->actions[c] = FF_ACT_PASS;
	}
	m->n_trees = f->n_trees;
	m->n_nodes = f->total_nodes;
	m->nodes = calloc(m->n_nodes, sizeof(*m->nodes));
	if (!m->nodes)
		return ff_fail(err, errlen, "out of memory");
	for (t = 0; t < f->n_trees; t++) {
		const struct ff_tree *tr = &f->trees[t];

		m->roots[t] = base;
		for (i = 0; i < tr->n_nodes; i++) {
			const struct ff_tnode *n = &tr->nodes[i];
			struct ff_xnode *o = &m->nodes[base + i];

			if (n->col == FF_TNODE_LEAF) {
				o->feature = FF_NODE_LEAF;
				o->left = n->cls;
				o->right = n->weight ? n->weight : 1;
			} else {
				o->feature = f->feat[n->col];
				o->threshold = n->thr;
				o->left = base + n->left;
				o->right = base + n->right;
			}
		}
		base += tr->n_nodes;
	}
	if (ff_model_validate(m, err, errlen)) {
		ff_model_free(m);
		return -1;
	}
	return 0;
}

struct verify_job {
	const struct ff_forest *f;
	const struct ff_model *m;
	const struct ff_dataset *ds;
	const size_t *rows;
	size_t from, to;	/* positions in rows */
	size_t bad;		/* first failing position, or SIZE_MAX */
	char err[512];
};

static void *verify_worker(void *arg)
{
	struct verify_job *j = arg;
	const struct ff_forest *f = j->f;
	const struct ff_model *m = j->m;
	__u64 vec[FF_MAX_FEATURES];
	size_t k;
	unsigned t;

	for (k = j->from; k < j->to; k++) {
		size_t r = j->rows ? j->rows[k] : k;
		__u32 votes[FF_MAX_CLASSES] = { 0 }, score, pi, pf = 0;
		char where[300];

		ff_dataset_row(j->ds, r, vec);
		for (t = 0; t < f->n_trees; t++) {
			const struct ff_tnode *leaf;
			__u32 li = m->roots[t], lf = tree_leaf_float(&f->trees[t], j->ds, r), steps = 0;

			while (m->nodes[li].feature != FF_NODE_LEAF && steps++ <= FF_MAX_DEPTH) {
				const struct ff_xnode *n = &m->nodes[li];

				li = vec[n->feature] <= n->threshold ? n->left : n->right;
			}
			leaf = &f->trees[t].nodes[lf];
			if (li - m->roots[t] != lf || m->nodes[li].left != leaf->cls ||
			    m->nodes[li].right != leaf->weight) {
				ff_dataset_row_origin(j->ds, r, where, sizeof(where));
				snprintf(j->err, sizeof(j->err),
					 "quantization check failed: row %zu (%s), tree %u: the integer thresholds reach node %u (class %u), the float thresholds node %u (class %u)",
					 r, where, t, li - m->roots[t], m->nodes[li].left, lf, leaf->cls);
				j->bad = k;
				return NULL;
			}
			votes[leaf->cls] += leaf->weight;
		}
		for (t = 1; t < f->n_classes; t++)
			if (votes[t] > votes[pf])
				pf = t;
		pi = ff_model_predict(m, vec, &score);
		if (pi != pf) {
			ff_dataset_row_origin(j->ds, r, where, sizeof(where));
			snprintf(j->err, sizeof(j->err),
				 "quantization check failed: row %zu (%s): the model predicts class %u, the float forest %u",
				 r, where, pi, pf);
			j->bad = k;
			return NULL;
		}
	}
	return NULL;
}

int ff_forest_verify(const struct ff_forest *f, const struct ff_model *m,
		     const struct ff_dataset *ds, const size_t *rows, size_t n_rows,
		     unsigned threads, char *err, size_t errlen)
{
	struct verify_job jobs[64];
	size_t chunk, first = SIZE_MAX;
	unsigned i, n;

	if (!rows)
		n_rows = ds->n_rows;
	if (m->n_trees != f->n_trees)
		return ff_fail(err, errlen, "the model has %u trees, the forest %u", m->n_trees, f->n_trees);
	if (n_rows == 0)
		return 0;
	n = threads < 1 ? 1 : threads > 64 ? 64 : threads;
	if (n > n_rows)
		n = n_rows;
	chunk = (n_rows + n - 1) / n;
	for (i = 0; i < n; i++) {
		jobs[i] = (struct verify_job){ f, m, ds, rows, i * chunk,
					       (i + 1) * chunk < n_rows ? (i + 1) * chunk : n_rows,
					       SIZE_MAX };
		jobs[i].err[0] = 0;
	}
	ff_run_jobs(jobs, sizeof(jobs[0]), n, verify_worker);
	for (i = 0; i < n; i++)
		if (jobs[i].bad < first) {
			first = jobs[i].bad;
			snprintf(err, errlen, "%s", jobs[i].err);
		}
	return first == SIZE_MAX ? 0 : -1;
}
