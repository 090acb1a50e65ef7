/* Byte strings to first-seen indices: open addressing with linear probing,
 * doubled at half full, so a lookup stays a probe or two however many keys
 * (stacks, labels) a snapshot has. The keys live in an arena of the map.
 * SPDX-License-Identifier: MIT */
#include "util/keymap.h"

#include <stdlib.h>
#include <string.h>

struct keymap_slot {
	uint64_t hash;
	const char *key; /* NULL: empty */
	size_t len;
	uint64_t index;
};

/* FNV-1a, 64 bits */
static uint64_t
hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return h;
}

static struct keymap_slot *
probe(struct keymap_slot *slots, size_t cap, uint64_t hash, const void *key, size_t len)
{
	for (size_t i = hash & (cap - 1);; i = (i + 1) & (cap - 1)) {
		struct keymap_slot *s = &slots[i];

		if (!s->key || (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0))
			return s;
	}
}

static int
grow(struct keymap *m)
{
	size_t cap = m->cap ? 2 * m->cap : 64;
	struct keymap_slot *slots;

	if (cap < m->cap || cap > SIZE_MAX / sizeof(*slots))
		return -1;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*probe(slots, cap, m->slots[i].hash, m->slots[i].key, m->slots[i].len) =
				m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int
keymap_index(struct keymap *m, const void *key, size_t len, uint64_t *index, bool *added,
	     const char **copy)
{
	uint64_t hash = hash_bytes(key, len);
	struct keymap_slot *s;
	char *k;

	if (added)
		*added = false;
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	s = probe(m->slots, m->cap, hash, key, len);
	if (!s->key) {
		k = len < SIZE_MAX ? arena_alloc(&m->keys, len + 1) : NULL;
		if (!k)
			return -1;
		memcpy(k, key, len); /* the arena zeroed the NUL after it */
		*s = (struct keymap_slot){ hash, k, len, m->n++ };
		if (added)
			*added = true;
	}
	*index = s->index;
	if (copy)
		*copy = s->key;
	return 0;
}

void
keymap_release(struct keymap *m)
{
	free(m->slots);
	arena_release(&m->keys);
	*m = (struct keymap)KEYMAP_INIT;
}
