/* Unit tests of src/ui/times.c: a wait in whole seconds then whole minutes,
 * rounded down as the runtime's traceback rounds (1.N); a site's waits, newest to
 * oldest, one unit where both share it, "?" for waits not stamped (2.N); uptime
 * (3.N); RFC 3339 in UTC with milliseconds (4.N).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ui/ui.h"

#define S   INT64_C(1000000000)
#define MIN (60 * S)

/* 1.0 */
static void
test_1_0_wait(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(ui_wait(0, buf, sizeof(buf)), "0 s");
	assert_string_equal(ui_wait(S - 1, buf, sizeof(buf)), "0 s");
	assert_string_equal(ui_wait(59 * S + S / 2, buf, sizeof(buf)), "59 s");
	assert_string_equal(ui_wait(MIN, buf, sizeof(buf)), "1 min");
	assert_string_equal(ui_wait(2 * MIN - 1, buf, sizeof(buf)), "1 min");
	assert_string_equal(ui_wait(1000 * MIN, buf, sizeof(buf)), "1000 min");
}

/* 2.N: newest, oldest, unknown -> the words. */
static void
test_2_0_site_waits(void **state)
{
	static const struct {
		int64_t newest, oldest;
		size_t unknown;
		const char *want;
	} cases[] = {
		{ -1, -1, 0, "" },
		{ -1, -1, 3, "?" },
		{ 12 * MIN, 12 * MIN + 5 * S, 0, "12 min" },
		{ 3 * MIN, 12 * MIN, 0, "3-12 min" },
		{ 40 * S, 12 * MIN, 0, "40 s-12 min" },
		{ 4 * S, 9 * S + 999, 0, "4-9 s" },
		{ 3 * MIN, 12 * MIN, 2, "?-12 min" },
		{ 9 * S, 9 * S, 1, "?-9 s" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mdl_site site = { .wait_newest_ns = cases[i].newest,
					 .wait_oldest_ns = cases[i].oldest,
					 .wait_unknown = cases[i].unknown };

		if (strcmp(ui_site_waits(&site, buf, sizeof(buf)), cases[i].want) != 0)
			fail_msg("2.%zu: '%s', want '%s'", i, buf, cases[i].want);
	}
}

/* 3.0 */
static void
test_3_0_uptime(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(ui_uptime(59 * S, buf, sizeof(buf)), "59 s");
	assert_string_equal(ui_uptime(61 * MIN + 5 * S, buf, sizeof(buf)), "1 h 1 min");
	assert_string_equal(ui_uptime(59 * MIN, buf, sizeof(buf)), "59 min");
	assert_string_equal(ui_uptime((49 * 60 + 5) * MIN, buf, sizeof(buf)), "2 d 1 h");
}

/* 4.0: 1796003747940123456 ns is 2026-11-30T01:55:47.940Z (date -u -d @1796003747). */
static void
test_4_0_rfc3339(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(ui_rfc3339(INT64_C(1796003747940123456), buf, sizeof(buf)),
			    "2026-11-30T01:55:47.940Z");
	assert_string_equal(ui_rfc3339(INT64_C(1000000000), buf, sizeof(buf)),
			    "1970-01-01T00:00:01.000Z");
	assert_string_equal(ui_rfc3339(0, buf, sizeof(buf)), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_wait),
		cmocka_unit_test(test_2_0_site_waits),
		cmocka_unit_test(test_3_0_uptime),
		cmocka_unit_test(test_4_0_rfc3339),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
