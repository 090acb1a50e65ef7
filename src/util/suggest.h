/* "Did you mean": which of the names a user could have typed is nearest to what
 * was typed, by edit distance (git help.c suggests commands the same way).
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_SUGGEST_H
#define UTIL_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

#define SUGGEST_MAX 3  /* names offered at most */
#define SUGGEST_LEN 64 /* longer words are not compared: no suggestion */

/* The best candidates so far for one typed word. */
struct suggest {
	const char *typed;
	size_t len;
	size_t best; /* distance of those kept; SIZE_MAX: none yet */
	const char *names[SUGGEST_MAX];
	size_t n;
};

/* Start looking for typed[0..len). */
void suggest_init(struct suggest *s, const char *typed, size_t len);
/* Consider name (lent: it must outlive s): kept if it is close enough to what was
 * typed (at most 1 + len/4 edits: insertions, deletions, changes and swaps of
 * neighbours, ASCII case ignored) and no farther than those kept; ties are
 * kept up to SUGGEST_MAX, a name already kept once. */
void suggest_add(struct suggest *s, const char *name);
/* The distance of typed[0..alen) and b as above, or SIZE_MAX if either is
 * longer than SUGGEST_LEN. */
size_t suggest_distance(const char *a, size_t alen, const char *b);

#endif
