/* Unit tests of src/util/suggest.c: the edit distance (1.N) and which names are
 * offered (2.N).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/suggest.h"

static size_t
dist(const char *a, const char *b)
{
	return suggest_distance(a, strlen(a), b);
}

/* 1.0: insertions, deletions, changes, a swap of neighbours: one each; case is
 * ignored; empty words; too long. */
static void
test_1_0_distance(void **state)
{
	char longw[SUGGEST_LEN + 2];

	(void)state;
	assert_int_equal(dist("reason", "reason"), 0);
	assert_int_equal(dist("resaon", "reason"), 1);
	assert_int_equal(dist("runing", "running"), 1);
	assert_int_equal(dist("runnning", "running"), 1);
	assert_int_equal(dist("selekt", "select"), 1);
	assert_int_equal(dist("Mutex", "mutex"), 0);
	assert_int_equal(dist("IO WAIT", "IO wait"), 0);
	assert_int_equal(dist("chan-recieve", "chan receive"), 2);
	assert_int_equal(dist("", "gc"), 2);
	assert_int_equal(dist("gc", ""), 2);
	assert_int_equal(dist("abc", "ca"), 3); /* OSA: no edit of a swapped pair */
	memset(longw, 'a', sizeof(longw) - 1);
	longw[sizeof(longw) - 1] = '\0';
	assert_true(dist(longw, "a") == SIZE_MAX);
	assert_true(dist("a", longw) == SIZE_MAX);
	longw[SUGGEST_LEN] = '\0';
	assert_int_equal(dist(longw, "a"), SUGGEST_LEN - 1);
}

/* 2.0: the nearest names within 1 + len/4 edits, ties up to SUGGEST_MAX, each
 * once; a nearer one replaces them; nothing near, nothing offered. */
static void
test_2_0_offer(void **state)
{
	static const char *const names[] = { "chan-recv", "chan-send", "chan receive",
					     "chan send", "select",    "sleep",
					     NULL };
	struct suggest s;

	(void)state;
	suggest_init(&s, "chan-recieve", strlen("chan-recieve"));
	for (size_t i = 0; names[i]; i++)
		suggest_add(&s, names[i]);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.names[0], "chan receive");
	assert_int_equal(s.best, 2);

	suggest_init(&s, "slep", 4); /* sleep 1, select 3 (> 1 + 4/4) */
	for (size_t i = 0; names[i]; i++)
		suggest_add(&s, names[i]);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.names[0], "sleep");

	suggest_init(&s, "chan-xend", 9); /* chan-send 1, chan send 2 */
	for (size_t i = 0; names[i]; i++)
		suggest_add(&s, names[i]);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.names[0], "chan-send");

	suggest_init(&s, "abcd", 4);
	suggest_add(&s, "abce");
	suggest_add(&s, "abcf");
	suggest_add(&s, "abce");
	suggest_add(&s, "abcg");
	suggest_add(&s, "abch");
	assert_int_equal(s.n, SUGGEST_MAX);
	assert_string_equal(s.names[0], "abce");
	assert_string_equal(s.names[1], "abcf");
	assert_string_equal(s.names[2], "abcg");
	suggest_add(&s, "abcd");
	assert_int_equal(s.n, 1);
	assert_int_equal(s.best, 0);

	suggest_init(&s, "nosuch", 6);
	for (size_t i = 0; names[i]; i++)
		suggest_add(&s, names[i]);
	assert_int_equal(s.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_distance),
		cmocka_unit_test(test_2_0_offer),
	};

	return cmocka_run_group_tests_name("suggest", tests, NULL, NULL) ? 1 : 0;
}
