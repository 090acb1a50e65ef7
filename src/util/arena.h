/* A bump allocator: everything decoded from one capture lives in one arena and dies
 * with it (git mem-pool). A byte cap turns a corrupt count in target memory into a
 * NULL the caller reports, never an out-of-memory.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_ARENA_H
#define UTIL_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used; /* bytes handed out, for the cap */
	size_t cap;  /* 0: no cap */
};

#define ARENA_INIT                                                                                 \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Zeroed memory, aligned for any type (a valid pointer for 0 bytes too); NULL if the
 * cap would be passed or malloc fails. */
void *arena_alloc(struct arena *a, size_t size);
/* A copy of s (NUL-terminated), or of its first n bytes with arena_strndup. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Free every block; the arena is empty and usable again. */
void arena_release(struct arena *a);

#endif
