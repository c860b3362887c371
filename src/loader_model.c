// SPDX-License-Identifier: MIT
/*
 * Model install and swap: two slots, written while the other one serves,
 * then one 32-bit write of the active index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "errmsg.h"
#include "loader.h"
#include "loader_maps.h"

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int ff_maps_install_model(struct ff_maps *mp, const struct ff_model *m,
			  const __u32 *actions, bool reclassify, char *err, size_t errlen)
{
	struct ff_model check = *m;	/* validation builds its own kernel layout */
	struct ff_model_meta *meta, cur;
	__u32 zero = 0, active = 0, slot, gen = 0, i, s2;
	char why[256];
	int rc = -1;

	check.knodes = NULL;
	if (ff_model_validate(&check, why, sizeof(why)))
		return ff_fail(err, errlen, "refusing to install an invalid model: %s", why);
	if (bpf_map_lookup_elem(mp->active, &zero, &active)) {
		free(check.knodes);
		return ff_fail(err, errlen, "cannot read the active model slot: %s", strerror(errno));
	}
	slot = (active & 1) ^ 1;
	for (s2 = 0; s2 < 2; s2++)	/* generations grow across processes */
		if (bpf_map_lookup_elem(mp->meta, &s2, &cur) == 0 && cur.generation > gen)
			gen = cur.generation;
	gen++;
	if (gen == 0)
		gen = 1;

	meta = calloc(1, sizeof(*meta));
	if (!meta) {
		free(check.knodes);
		return ff_fail(err, errlen, "out of memory");
	}
	/* 1. Mark the slot as being rewritten: a packet still walking it from
	 *    before the last swap sees the generation change and walks again. */
	if (bpf_map_lookup_elem(mp->meta, &slot, meta) == 0) {
		meta->generation = 0;
		if (bpf_map_update_elem(mp->meta, &slot, meta, BPF_ANY)) {
			ff_fail(err, errlen, "cannot write the model header: %s", strerror(errno));
			goto out;
		}
	}
	/* Let walks that started before the last swap finish (they take
	 * microseconds; BPF programs run to completion). */
	sleep_ms(2);
	/* 2. The nodes, in the kernel's layout: the slot's whole array
	 *    (FF_MAX_NODES, zeroes past the model's) in one write. */
	if (bpf_map_update_elem(mp->nodes, &slot, check.knodes, BPF_ANY)) {
		ff_fail(err, errlen, "cannot write the model's nodes: %s", strerror(errno));
		goto out;
	}
	/* 3. The header, with the new generation. */
	memset(meta, 0, sizeof(*meta));
	meta->n_trees = check.n_trees;
	meta->n_nodes = check.n_knodes;
	meta->n_classes = check.n_classes;
	meta->n_phases = check.n_phases;
	meta->flags = check.flags;
	meta->features = check.features;
	memcpy(meta->phases, check.phases, sizeof(meta->phases));
	meta->early_pkts = check.early_pkts;
	meta->early_min_share = check.early_min_share;
	meta->early_from = check.early_from;
	meta->attack_min_share = check.attack_min_share;
	meta->generation = gen;
	for (i = 0; i < check.n_classes; i++) {
		meta->actions[i] = actions ? actions[i] : check.actions[i];
		meta->min_score[i] = check.min_score[i];
		memcpy(meta->class_names[i], check.class_names[i], FF_CLASS_NAME_LEN);
	}
	memcpy(meta->roots, check.kroots, check.n_trees * sizeof(__u32));
	if (bpf_map_update_elem(mp->meta, &slot, meta, BPF_ANY)) {
		ff_fail(err, errlen, "cannot write the model header: %s", strerror(errno));
		goto out;
	}
	/* 4. The swap: one 32-bit write. A packet reads the index once and then
	 *    uses that slot only, so it sees the old model or the new one. */
	if (bpf_map_update_elem(mp->active, &zero, &slot, BPF_ANY)) {
		ff_fail(err, errlen, "cannot activate the model: %s", strerror(errno));
		goto out;
	}
	if (reclassify) {
		/* one store to one field: the list counts stay as they are */
		struct ff_ctl *ctl = ff_ctl_map(mp, err, errlen);

		if (!ctl)
			goto out;
		__atomic_store_n(&ctl->reclass_gen, gen, __ATOMIC_SEQ_CST);
		ff_ctl_unmap(ctl);
	}
	/* After the swap: until the new code is in place, the old code sees
	 * a generation it was not compiled for and the walk runs. */
	if (mp->loader)
		ff_loader_native_install(mp->loader, &check, gen);
	else if (mp->iface[0])
		ff_pinned_native_install(mp, &check, gen);
	rc = (int)gen;
out:
	free(check.knodes);
	free(meta);
	return rc;
}

int ff_loader_install_model(struct ff_loader *l, const struct ff_model *m,
			    const __u32 *actions, char *err, size_t errlen)
{
	return ff_maps_install_model(&l->maps, m, actions, false, err, errlen) < 0 ? -1 : 0;
}

int ff_maps_slot_meta(const struct ff_maps *mp, __u32 slot, struct ff_model_meta *out)
{
	struct ff_model_meta *again = malloc(sizeof(*again));
	int tries, rc = -1;

	if (!again)
		return -1;
	/* A header being rewritten by an install can be read half old, half
	 * new: read until two reads agree. */
	for (tries = 0; tries < 8 && rc; tries++) {
		if (bpf_map_lookup_elem(mp->meta, &slot, out) ||
		    bpf_map_lookup_elem(mp->meta, &slot, again))
			break;
		if (!memcmp(out, again, sizeof(*out)))
			rc = 0;
	}
	free(again);
	return rc;
}

int ff_maps_active_meta(const struct ff_maps *mp, struct ff_model_meta *out)
{
	__u32 zero = 0, active;

	if (bpf_map_lookup_elem(mp->active, &zero, &active))
		return -1;
	return ff_maps_slot_meta(mp, active & 1, out);
}

