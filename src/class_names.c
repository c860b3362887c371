// SPDX-License-Identifier: MIT
#include <string.h>

#include "class_names.h"

void ff_class_book_init(struct ff_class_book *b, const struct ff_maps *mp)
{
	memset(b, 0, sizeof(*b));
	b->mp = mp;
	ff_class_book_refresh(b);
}

static const struct ff_model *find(const struct ff_class_book *b, __u32 gen)
{
	unsigned i;

	for (i = 0; gen && i < FF_BOOK_GENS; i++)
		if (b->e[i].gen == gen)
			return &b->e[i].names;
	return NULL;
}

void ff_class_names_from_meta(const struct ff_model_meta *meta, struct ff_model *names)
{
	__u32 i;

	memset(names, 0, sizeof(*names));
	names->n_classes = meta->n_classes < FF_MAX_CLASSES ? meta->n_classes : FF_MAX_CLASSES;
	for (i = 0; i < names->n_classes; i++) {
		memcpy(names->class_names[i], meta->class_names[i], FF_CLASS_NAME_LEN);
		names->class_names[i][FF_CLASS_NAME_LEN - 1] = 0;
		names->actions[i] = meta->actions[i];
	}
}

static void remember(struct ff_class_book *b, const struct ff_model_meta *meta)
{
	if (!meta->generation || find(b, meta->generation))
		return;
	ff_class_names_from_meta(meta, &b->e[b->next].names);
	b->e[b->next].gen = meta->generation;
	b->next = (b->next + 1) % FF_BOOK_GENS;
}

void ff_class_book_refresh(struct ff_class_book *b)
{
	struct ff_model_meta meta;
	__u32 slot;

	for (slot = 0; slot < 2; slot++)
		if (ff_maps_slot_meta(b->mp, slot, &meta) == 0)
			remember(b, &meta);
}

const struct ff_model *ff_class_book_gen(struct ff_class_book *b, __u32 gen)
{
	const struct ff_model *m = find(b, gen);

	if (m || !gen)
		return m;
	ff_class_book_refresh(b);
	return find(b, gen);
}

const struct ff_model *ff_class_book_active(struct ff_class_book *b)
{
	struct ff_model_meta meta;

	if (ff_maps_active_meta(b->mp, &meta))
		return NULL;
	return ff_class_book_gen(b, meta.generation);
}

const char *ff_class_book_name(struct ff_class_book *b, __u32 gen, __u16 cls)
{
	const struct ff_model *m;

	if (cls == FF_CLASS_NONE)
		return "-";
	m = ff_class_book_gen(b, gen);
	return m && cls < m->n_classes ? m->class_names[cls] : "?";
}
