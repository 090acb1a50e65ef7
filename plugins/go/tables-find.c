/* The Go plugin's choice of a table (tables.c) for a binary without DWARF.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdlib.h>
#include <string.h>

/* 22 for "go1.22.12"; -1 if not a release. */
static int
minor_of(const char *version, long *patch)
{
	char *end;
	long minor;

	if (strncmp(version, "go1.", 4) != 0)
		return -1;
	minor = strtol(version + 4, &end, 10);
	*patch = *end == '.' ? strtol(end + 1, NULL, 10) : 0;
	return end == version + 4 ? -1 : (int)minor;
}

const struct gort_table *
gort_table_find(const char *version, bool *exact)
{
	const struct gort_table *best = NULL;
	long patch, best_patch = -1;
	int minor = minor_of(version, &patch);

	*exact = false;
	for (size_t i = 0; i < gort_ntables; i++) {
		const struct gort_table *t = &gort_tables[i];
		long p;

		if (strcmp(t->version, version) == 0) {
			*exact = true;
			return t;
		}
		/* Same minor release: runtime.g keeps its layout; m may not, which
		 * locate.c's checks of the M list catch. The newest patch is nearest
		 * to what is deployed. */
		if (minor >= 0 && minor_of(t->version, &p) == minor && p > best_patch) {
			best = t;
			best_patch = p;
		}
	}
	return best;
}
