/* A map from byte strings to the order they were first seen in (0, 1, 2, ...):
 * the interning of tables that are written as indices (pprof's string table,
 * functions, locations and samples). Keys are copied; nothing is ever removed.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_KEYMAP_H
#define UTIL_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

struct keymap_slot;

struct keymap {
	struct keymap_slot *slots;
	size_t cap; /* slots, a power of two; 0 before the first key */
	size_t n;   /* keys, and the index the next new one gets */
	struct arena keys;
};

#define KEYMAP_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0, ARENA_INIT                                                             \
	}

/* The index of key (len bytes) into *index: the one it got when first seen, or
 * n for a new key (then *added is true, if added is not NULL). *copy, if copy
 * is not NULL, is the map's copy of the key, NUL-terminated after len bytes,
 * living until keymap_release. 0, or -1 when memory runs out. */
int keymap_index(struct keymap *m, const void *key, size_t len, uint64_t *index, bool *added,
		 const char **copy);
/* Free everything; the map is empty and usable again. */
void keymap_release(struct keymap *m);

#endif
