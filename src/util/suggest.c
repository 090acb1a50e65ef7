/* "Did you mean": edit distance between a typed word and the names it could
 * have meant, and the nearest few of them. No allocation: words are short.
 * SPDX-License-Identifier: MIT */
#include "util/suggest.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

void
suggest_init(struct suggest *s, const char *typed, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->typed = typed;
	s->len = len;
	s->best = SIZE_MAX;
}

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment distance: Levenshtein plus the swap of two
 * neighbours ("resaon" is one edit from "reason"), rows of a small table. */
size_t
suggest_distance(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b), rows[3][SUGGEST_LEN + 1];

	if (alen > SUGGEST_LEN || blen > SUGGEST_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= blen; j++)
		rows[0][j] = j;
	for (size_t i = 1; i <= alen; i++) {
		size_t *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *prev2 = rows[(i + 1) % 3];
		int ca = tolower((unsigned char)a[i - 1]);

		cur[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			int cb = tolower((unsigned char)b[j - 1]);

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb));
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    cb == tolower((unsigned char)a[i - 2]) && prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
	}
	return rows[alen % 3][blen];
}

void
suggest_add(struct suggest *s, const char *name)
{
	size_t d = suggest_distance(s->typed, s->len, name);

	if (d == SIZE_MAX || d > 1 + s->len / 4 || d > s->best)
		return;
	if (d < s->best) {
		s->best = d;
		s->n = 0;
	}
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return;
	if (s->n < SUGGEST_MAX)
		s->names[s->n++] = name;
}
