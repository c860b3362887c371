// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "flowtable.h"

static __u64 key_hash(const struct ff_flow_key *k)
{
	__u64 w[5], h = 0x9e3779b97f4a7c15ULL;
	int i;

	_Static_assert(sizeof(*k) == sizeof(w), "flow key is five words");
	memcpy(w, k, sizeof(w));
	for (i = 0; i < 5; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return h;
}

static int table_alloc(struct ff_flowtable *t, size_t cap)
{
	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots)
		return -1;
	t->cap = cap;
	t->count = 0;
	return 0;
}

int ff_flowtable_init(struct ff_flowtable *t, size_t expected)
{
	size_t cap = 1024;

	while (cap < expected * 2)
		cap <<= 1;
	return table_alloc(t, cap);
}

static struct ff_uflow *find_slot(struct ff_uflow *slots, size_t cap,
				  const struct ff_flow_key *key)
{
	size_t i = key_hash(key) & (cap - 1);

	while (slots[i].used && memcmp(&slots[i].key, key, sizeof(*key)))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct ff_flowtable *t)
{
	struct ff_uflow *old = t->slots;
	size_t oldcap = t->cap, i, n = t->count;

	if (table_alloc(t, oldcap * 2)) {
		t->slots = old;
		t->cap = oldcap;
		return -1;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i].used)
			*find_slot(t->slots, t->cap, &old[i].key) = old[i];
	t->count = n;
	free(old);
	return 0;
}

struct ff_flow *ff_flowtable_find(struct ff_flowtable *t, const struct ff_flow_key *key)
{
	struct ff_uflow *s = find_slot(t->slots, t->cap, key);

	return s->used ? &s->st : NULL;
}

struct ff_flow *ff_flowtable_get(struct ff_flowtable *t, const struct ff_flow_key *key,
				 int *created)
{
	struct ff_uflow *s;

	*created = 0;
	if ((t->count + 1) * 10 > t->cap * 7 && grow(t))
		return NULL;
	s = find_slot(t->slots, t->cap, key);
	if (!s->used) {
		memset(s, 0, sizeof(*s));
		s->key = *key;
		s->used = 1;
		t->count++;
		*created = 1;
	}
	return &s->st;
}

void ff_flowtable_free(struct ff_flowtable *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
