/* The choice of a layout table (plugins/go/tables-find.c) over the generated
 * tables.c: the exact release, else the newest patch of its minor, else none.
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gort.h"

/* The newest patch release of minor in the table, or NULL. */
static const char *
newest_of(int minor)
{
	char prefix[16];
	const char *best = NULL;
	long best_patch = -1;

	snprintf(prefix, sizeof(prefix), "go1.%d.", minor);
	for (size_t i = 0; i < gort_ntables; i++)
		if (strncmp(gort_tables[i].version, prefix, strlen(prefix)) == 0 &&
		    strtol(gort_tables[i].version + strlen(prefix), NULL, 10) > best_patch) {
			best = gort_tables[i].version;
			best_patch = strtol(best + strlen(prefix), NULL, 10);
		}
	return best;
}

/* 1.x: every release of the table finds itself; a patch release that is not in
 * it finds the newest of its minor */
static void
test_find(void **state)
{
	bool exact;

	(void)state;
	assert_true(gort_ntables >= 2);
	for (size_t i = 0; i < gort_ntables; i++) {
		const struct gort_table *t = gort_table_find(gort_tables[i].version, &exact);
		char other[40];
		int minor;

		/* 1.1 itself, exactly */
		assert_ptr_equal(t, &gort_tables[i]);
		assert_true(exact);
		assert_true(t->nreasons > 2 && strcmp(t->reasons[1], "GC assist marking") == 0);
		/* 1.2 go1.N.0, unless in the table, is the newest go1.N.x's */
		minor = (int)strtol(t->version + 4, NULL, 10);
		snprintf(other, sizeof(other), "go1.%d.0", minor);
		t = gort_table_find(other, &exact);
		assert_non_null(t);
		if (!exact)
			assert_string_equal(t->version, newest_of(minor));
	}
}

/* 2.x: nothing for an unknown minor, a devel build or garbage */
static void
test_none(void **state)
{
	bool exact = true;

	(void)state;
	assert_null(gort_table_find("go1.99.1", &exact));
	assert_false(exact);
	assert_null(gort_table_find("devel go1.27-abcdef", &exact));
	assert_null(gort_table_find("go1.", &exact));
	assert_null(gort_table_find("", &exact));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests_name("tables-find", tests, NULL, NULL) ? 1 : 0;
}
