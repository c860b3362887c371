/* SPDX-License-Identifier: MIT */
/* User-space flow table: the extractor's stand-in for the kernel's LRU hash
 * map. Open addressing, grows as needed, never evicts. */
#ifndef FLOWFOREST_FLOWTABLE_H
#define FLOWFOREST_FLOWTABLE_H

#include <stddef.h>
#include "packet_path.h"

struct ff_uflow {
	struct ff_flow_key key;
	__u32 used;
	struct ff_flow st;
};

struct ff_flowtable {
	struct ff_uflow *slots;
	size_t cap;		/* power of two */
	size_t count;
};

int ff_flowtable_init(struct ff_flowtable *t, size_t expected);
/* The flow for `key`, created zeroed if missing (*created = 1). NULL when
 * out of memory. Pointers are valid until the next call. */
struct ff_flow *ff_flowtable_get(struct ff_flowtable *t, const struct ff_flow_key *key,
				 int *created);
/* The flow for `key`, or NULL. */
struct ff_flow *ff_flowtable_find(struct ff_flowtable *t, const struct ff_flow_key *key);
void ff_flowtable_free(struct ff_flowtable *t);

#endif
