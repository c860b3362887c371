// SPDX-License-Identifier: MIT
/* Feature importance of a trained model and the fingerprint warning
 * (importance.h). */
#include <stdlib.h>

#include "features_info.h"
#include "importance.h"

void ff_importance_merge(struct ff_importance *a, const struct ff_importance *b)
{
	unsigned i;

	for (i = 0; i < FF_MAX_FEATURES; i++) {
		a->decrease[i] += b->decrease[i];
		a->splits[i] += b->splits[i];
	}
}

static double total(const struct ff_importance *im)
{
	double t = 0;
	unsigned i;

	for (i = 0; i < FF_NUM_FEATURES; i++)
		t += im->decrease[i];
	return t;
}

static double share(const struct ff_importance *im, unsigned fid)
{
	double t = total(im);

	return t > 0 ? im->decrease[fid] / t : 0;
}

double ff_importance_fingerprint_share(const struct ff_importance *im)
{
	double s = 0;
	unsigned i;

	for (i = 0; i < FF_NUM_FEATURES; i++)
		if (ff_feature_fingerprint(i))
			s += share(im, i);
	return s;
}

/* Feature ids with a split, by decrease (then splits, then id). */
static unsigned ranked(const struct ff_importance *im, unsigned *ids)
{
	unsigned n = 0, i, j;

	for (i = 0; i < FF_NUM_FEATURES; i++) {
		if (!im->splits[i])
			continue;
		for (j = n; j > 0; j--) {
			unsigned p = ids[j - 1];

			if (im->decrease[p] > im->decrease[i] ||
			    (im->decrease[p] == im->decrease[i] && im->splits[p] >= im->splits[i]))
				break;
			ids[j] = p;
		}
		ids[j] = i;
		n++;
	}
	return n;
}

void ff_importance_print(const struct ff_importance *im, unsigned top, FILE *out)
{
	unsigned ids[FF_NUM_FEATURES], n = ranked(im, ids), i, k = 0;
	double fp = ff_importance_fingerprint_share(im);

	if (!n)
		return;
	fprintf(out, "feature importance (share of the total impurity decrease, splits):\n");
	for (i = 0; i < n && (!top || i < top); i++)
		fprintf(out, "  %-30s %6.2f %% %7lu%s%s\n", ff_feature_table[ids[i]].name,
			100 * share(im, ids[i]), im->splits[ids[i]],
			ff_feature_fingerprint(ids[i]) ? "  (!) fingerprint: " : "",
			ff_feature_fingerprint(ids[i]) ? ff_feature_fingerprint(ids[i]) : "");
	if (i < n)
		fprintf(out, "  ... %u more feature%s with splits (--json-report lists all)\n", n - i,
			n - i == 1 ? "" : "s");
	if (fp <= 0)
		return;
	fprintf(out, "warning: %.1f %% of the model's impurity decrease is on features that can "
		"identify a tool or a host rather than a behaviour:", 100 * fp);
	for (i = 0; i < n; i++) {
		if (!ff_feature_fingerprint(ids[i]))
			continue;
		if (k++ == 6) {
			fprintf(out, ", ...");
			break;
		}
		fprintf(out, "%s %s %.1f %%", k > 1 ? "," : "", ff_feature_table[ids[i]].name,
			100 * share(im, ids[i]));
	}
	fprintf(out, "; a flow from another tool or host may escape (train with --features "
		"behaviour, or --exclude-features LIST)\n");
}

json_object *ff_importance_json(const struct ff_importance *im, const char *measure)
{
	unsigned ids[FF_NUM_FEATURES], n = ranked(im, ids), i;
	json_object *o = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(o, "measure", json_object_new_string(measure));
	json_object_object_add(o, "fingerprint_share",
			       json_object_new_double(ff_importance_fingerprint_share(im)));
	for (i = 0; i < n; i++) {
		json_object *f = json_object_new_object();
		const char *why = ff_feature_fingerprint(ids[i]);

		json_object_object_add(f, "feature", json_object_new_string(ff_feature_table[ids[i]].name));
		json_object_object_add(f, "class", json_object_new_string(ff_feature_class_name(ids[i])));
		json_object_object_add(f, "share", json_object_new_double(share(im, ids[i])));
		json_object_object_add(f, "decrease", json_object_new_double(im->decrease[ids[i]]));
		json_object_object_add(f, "splits", json_object_new_uint64(im->splits[ids[i]]));
		json_object_object_add(f, "fingerprint", why ? json_object_new_string(why) : NULL);
		json_object_array_add(arr, f);
	}
	json_object_object_add(o, "features", arr);
	return o;
}
