/* Unit tests of src/util/esc.c: printable ASCII and valid UTF-8 pass as they are,
 * newline and tab too (1.N); control characters (C0, DEL, C1) become \xNN (2.N);
 * bytes that are not valid UTF-8 (lone continuation bytes, overlong forms,
 * surrogates, past U+10FFFF, a cut sequence) become \xNN one byte at a time, and
 * the byte after them starts afresh (3.N); a sequence cut at the end waits unless
 * final (4.N); the stream escapes what is written to it, also a sequence cut
 * between two writes, and writes through at once (5.N).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/esc.h"

static void
check(const char *in, size_t n, const char *want)
{
	char *out = malloc(ESC_ROOM(n));
	size_t used = 0, len = esc_mem(out, in, n, true, &used);

	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(used, n);
	free(out);
}

#define CHECK(in, want) check(in, sizeof(in) - 1, want)

/* 1.0-1.3: text as it is; esc_plain on what needs nothing (1.3). */
static void
test_1_passes(void **state)
{
	(void)state;
	CHECK("main.main", "main.main");                            /* 1.0 */
	CHECK("a\tb\nc \\x1b", "a\tb\nc \\x1b");                    /* 1.1 */
	CHECK("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0", /* 1.2: é € 😀 nbsp */
	      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0");
	assert_true(esc_plain("main.main\tx\n")); /* 1.3: plain, and not */
	assert_false(esc_plain("caf\xc3\xa9"));
	assert_false(esc_plain("a\x1b"));
	assert_false(esc_plain("a\x7f"));
}

/* 2.0-2.3: control characters. */
static void
test_2_controls(void **state)
{
	(void)state;
	CHECK("main.\x1b]0;pwned\x07", "main.\\x1b]0;pwned\\x07"); /* 2.0: OSC title */
	CHECK("\x1b[2J\r\x08\x7f", "\\x1b[2J\\x0d\\x08\\x7f");     /* 2.1: CSI, CR, BS, DEL */
	CHECK("a\xc2\x9b"
	      "31m",
	      "a\\xc2\\x9b31m");     /* 2.2: C1 CSI as UTF-8 */
	check("a\0b", 3, "a\\x00b"); /* 2.3: NUL inside */
}

/* 3.0-3.6: not UTF-8. */
static void
test_3_invalid(void **state)
{
	(void)state;
	CHECK("bad\xff\xfe", "bad\\xff\\xfe");                      /* 3.0 */
	CHECK("\x80x\xbf", "\\x80x\\xbf");                          /* 3.1: lone continuations */
	CHECK("\xc0\xaf\xe0\x80\xaf", "\\xc0\\xaf\\xe0\\x80\\xaf"); /* 3.2: overlong '/' */
	CHECK("\xed\xa0\x80", "\\xed\\xa0\\x80");                   /* 3.3: surrogate U+D800 */
	CHECK("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");          /* 3.4: U+110000 */
	CHECK("\xe2\x82z", "\\xe2\\x82z");                          /* 3.5: cut, then ASCII */
	CHECK("\xe2\xe2\x82\xac", "\\xe2\xe2\x82\xac");             /* 3.6: cut, then valid */
}

/* 4.0-4.1: a sequence cut by the end of the bytes. */
static void
test_4_cut(void **state)
{
	char out[ESC_ROOM(8)];
	size_t used;

	(void)state;
	esc_mem(out, "ab\xf0\x9f\x98", 5, false, &used); /* 4.0: waits */
	assert_string_equal(out, "ab");
	assert_int_equal(used, 2);
	esc_mem(out, "ab\xf0\x9f\x98", 5, true, &used); /* 4.1: final: escaped */
	assert_string_equal(out, "ab\\xf0\\x9f\\x98");
	assert_int_equal(used, 5);
}

/* 5.0-5.2: the stream. */
static void
test_5_stream(void **state)
{
	char *buf = NULL, big[5000];
	size_t size = 0;
	FILE *raw = open_memstream(&buf, &size), *f;

	(void)state;
	assert_non_null(raw);
	f = esc_stream(raw);
	assert_non_null(f);
	fprintf(f, "%s %d\n", "main.\x1b]0;x\x07", 7);
	fflush(f);
	assert_string_equal(buf, "main.\\x1b]0;x\\x07 7\n"); /* 5.0: escaped, written through */
	fputs("\xe2\x82", f);                                /* 5.1: € cut between writes */
	fflush(f);
	fputs("\xac\xff", f);
	fflush(f);
	assert_string_equal(buf, "main.\\x1b]0;x\\x07 7\n\xe2\x82\xac\\xff");
	memset(big, '\x1b', sizeof(big)); /* 5.2: more than one chunk */
	fwrite(big, 1, sizeof(big), f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(size,
			 strlen("main.\\x1b]0;x\\x07 7\n\xe2\x82\xac\\xff") + 4 * sizeof(big));
	fclose(raw);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_passes),  cmocka_unit_test(test_2_controls),
		cmocka_unit_test(test_3_invalid), cmocka_unit_test(test_4_cut),
		cmocka_unit_test(test_5_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
