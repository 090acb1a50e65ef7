/* Function names as the runtime's traceback prints them (plugins/go/funcname.c):
 * a generic's shape becomes "[...]", once per name, for as many names as come.
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

/* 1.x: the shapes of names */
static void
test_print(void **state)
{
	static const char *const cases[][2] = {
		{ "main.Wait[go.shape.int]", "main.Wait[...]" },
		{ "main.(*Box[go.shape.string]).Hold", "main.(*Box[...]).Hold" },
		{ "main.Wait[go.shape.int_0]", "main.Wait[...]" }, /* Go 1.19's DWARF */
		{ "example.com/a.F[go.shape.struct { V int; Tag string }].func1",
		  "example.com/a.F[...].func1" },
		{ "example.com/a.G[go.shape.[]example.com/b.T,go.shape.map[string]int]",
		  "example.com/a.G[...]" },
		{ "type:.eq.[2]interface {}", "type:.eq.[...]interface {}" },
		{ "main.Wait[...]", "main.Wait[...]" },
		{ "main.main", "main.main" },
		{ "main.odd]x[", "main.odd]x[" }, /* no pair: as it is */
	};
	struct gort_names *c = gort_names_new();

	(void)state;
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(gort_name_print(c, cases[i][0]), cases[i][1]);
	/* 1.1 the same name gives the same string; without a cache, the name */
	assert_ptr_equal(gort_name_print(c, cases[0][0]), gort_name_print(c, cases[0][0]));
	assert_ptr_equal(gort_name_print(NULL, cases[0][0]), cases[0][0]);
	assert_null(gort_name_print(c, NULL));
	gort_names_free(c);
	gort_names_free(NULL);
}

/* 2.x: thousands of names (the cache grows), each printed right */
static void
test_many(void **state)
{
	enum { N = 5000 };
	static char names[N][48];
	struct gort_names *c = gort_names_new();
	char want[48];

	(void)state;
	for (int i = 0; i < N; i++)
		snprintf(names[i], sizeof(names[i]), "p%d.F[go.shape.int].func%d", i, i);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < N; i++) {
			snprintf(want, sizeof(want), "p%d.F[...].func%d", i, i);
			assert_string_equal(gort_name_print(c, names[i]), want);
		}
	gort_names_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
