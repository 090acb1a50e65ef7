/* Unit tests of src/ui/out-openmetrics.c: ui_om_put_label, a label value the target
 * chose written as OpenMetrics wants it (1.N). The report itself is tested on live
 * fixtures by tests/integration/1430-openmetrics.sh.
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "ui/ui.h"

/* s through ui_om_put_label, into a string the caller frees. */
static char *
label(const char *s)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);

	assert_non_null(out);
	ui_om_put_label(out, s);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static void
want(const char *in, const char *out)
{
	char *got = label(in);

	assert_string_equal(got, out);
	free(got);
}

/* 1.0: plain names as they are; tab and valid UTF-8 too (the spec allows them). */
static void
test_1_0_plain(void **state)
{
	(void)state;
	want("main.(*Box[...]).Hold", "main.(*Box[...]).Hold");
	want("", "");
	want("a\tb \xc3\xa9\xe2\x82\xac", "a\tb \xc3\xa9\xe2\x82\xac");
}

/* 1.1: the spec's three escapes: backslash, double quote, newline. */
static void
test_1_1_escapes(void **state)
{
	(void)state;
	want("a\\b", "a\\\\b");
	want("say \"hi\"", "say \\\"hi\\\"");
	want("Nl\n  9  note: forged", "Nl\\n  9  note: forged");
	want("\\n", "\\\\n"); /* the text \n is not a newline */
}

/* 1.2: control characters and bytes that are no UTF-8 as the text \xNN (util/esc.h),
 * whose backslash is escaped: the value reads \xNN, as the JSON report's string. */
static void
test_1_2_hostile(void **state)
{
	(void)state;
	want("\x1b]0;pwned\x07", "\\\\x1b]0;pwned\\\\x07");
	want("bad\xff\xfe\xc0\xaf\xc2\x9b", "bad\\\\xff\\\\xfe\\\\xc0\\\\xaf\\\\xc2\\\\x9b");
	want("\"\x1b\n", "\\\"\\\\x1b\\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_plain),
		cmocka_unit_test(test_1_1_escapes),
		cmocka_unit_test(test_1_2_hostile),
	};

	return cmocka_run_group_tests_name("out-openmetrics", tests, NULL, NULL) ? 1 : 0;
}
