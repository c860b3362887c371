/* SPDX-License-Identifier: MIT */
/*
 * Class names by model generation. Every verdict, event and flow carries
 * the generation of the model that decided it; after a swap (SIGHUP, or
 * `flowforest model load` from another process) the two model slots hold
 * different class lists, so a name is looked up by (generation, class),
 * never in "the current model". The book keeps the last few generations it
 * has seen in the slots' headers and reads them again when a verdict names
 * a generation it does not know.
 */
#ifndef FLOWFOREST_CLASS_NAMES_H
#define FLOWFOREST_CLASS_NAMES_H

#include "loader.h"
#include "model_file.h"

#define FF_BOOK_GENS 4	/* both slots, and two before them */

struct ff_class_book {
	const struct ff_maps *mp;
	unsigned next;		/* the entry replaced next */
	struct {
		__u32 gen;	/* 0: empty */
		struct ff_model names;	/* n_classes, class_names, actions only */
	} e[FF_BOOK_GENS];
};

/* A model header's class list (names, actions) as a names-only model. */
void ff_class_names_from_meta(const struct ff_model_meta *meta, struct ff_model *names);

void ff_class_book_init(struct ff_class_book *b, const struct ff_maps *mp);
/* Read both slots' headers again (after a swap made here). */
void ff_class_book_refresh(struct ff_class_book *b);
/* The names of generation gen; NULL if gen is 0 or no longer in a slot
 * (callers then print class numbers). */
const struct ff_model *ff_class_book_gen(struct ff_class_book *b, __u32 gen);
/* The active model's names (for counters, which are not per generation). */
const struct ff_model *ff_class_book_active(struct ff_class_book *b);
/* Class cls of generation gen: its name, "-" for no class, "?" unknown. */
const char *ff_class_book_name(struct ff_class_book *b, __u32 gen, __u16 cls);

#endif
