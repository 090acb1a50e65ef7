/* Unit tests of src/ui/common.c: ui_count with thousands separators, and cut short
 * in buffers too small, never past them (1.N); ui_basename (2.N); ui_exit_status
 * of every INSP_E_* code, written out here as README documents them and checked
 * against the INSP_ERRORS table of include/inspect/err.h, and ui_error (3.N);
 * ui_line (4.N).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/ui.h"

static const struct {
	size_t n;
	const char *want;
} counts[] = {
	{ 0, "0" },
	{ 7, "7" },
	{ 999, "999" },
	{ 1000, "1,000" },
	{ 17500, "17,500" },
	{ 100000, "100,000" },
	{ 999999, "999,999" },
	{ 1000000, "1,000,000" },
	{ 12345678, "12,345,678" },
	{ SIZE_MAX, "18,446,744,073,709,551,615" },
};

/* 1.0: a buffer big enough: the number with a comma every three digits. */
static void
test_1_0_count(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		char buf[32];
		const char *got = ui_count(counts[i].n, buf, sizeof(buf));

		if (got != buf || strcmp(got, counts[i].want) != 0)
			fail_msg("1.0.%zu: ui_count(%zu) is '%s', want '%s'", i, counts[i].n, got,
				 counts[i].want);
	}
}

/* 1.1: every buffer size from 0 to 32: nothing written past size; from 1, a
 * NUL-terminated start of the number that does not end in a comma, and the whole
 * number as soon as it fits (strlen + 1). */
static void
test_1_1_count_sizes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		size_t full = strlen(counts[i].want);

		for (size_t size = 0; size <= 32; size++) {
			char buf[48];
			size_t len;

			memset(buf, '#', sizeof(buf));
			ui_count(counts[i].n, buf, size);
			len = strnlen(buf, size);
			if (size && len == size)
				fail_msg("1.1.%zu: size %zu: not terminated", i, size);
			for (size_t k = size; k < sizeof(buf); k++)
				if (buf[k] != '#')
					fail_msg("1.1.%zu: size %zu: byte %zu written", i, size, k);
			if (strncmp(buf, counts[i].want, len) != 0 || (len && buf[len - 1] == ','))
				fail_msg("1.1.%zu: size %zu: '%s' is not a start of '%s'", i, size,
					 buf, counts[i].want);
			if (size > full && len != full)
				fail_msg("1.1.%zu: size %zu: '%s', want '%s'", i, size, buf,
					 counts[i].want);
		}
	}
}

/* 2.0: ui_basename. */
static void
test_2_0_basename(void **state)
{
	static const struct {
		const char *path, *want;
	} t[] = {
		{ "/usr/bin/inspect", "inspect" },
		{ "inspect", "inspect" },
		{ "./build/fixtures/go1.26/parked", "parked" },
		{ "/proc/1/exe (deleted)", "exe (deleted)" },
		{ "/", "" },
		{ "dir/", "" },
		{ "", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = ui_basename(t[i].path);

		/* A pointer into path, not a copy. */
		if (!got || got < t[i].path || got > t[i].path + strlen(t[i].path) ||
		    strcmp(got, t[i].want) != 0)
			fail_msg("2.0.%zu: ui_basename('%s') is '%s', want '%s'", i, t[i].path,
				 got ? got : "(null)", t[i].want);
	}
	assert_null(ui_basename(NULL));
}

/* The exit statuses, as README's "Exit status" and `inspect dump --help` give
 * them; INSP_E_INTR's stands for 128+N, which cmd-dump.c computes. */
static const struct {
	enum insp_errcode code;
	int status;
} statuses[] = {
	{ INSP_E_OK, 0 },      { INSP_E_USAGE, 64 },     { INSP_E_NOPROC, 3 }, { INSP_E_PERM, 4 },
	{ INSP_E_TRACED, 5 },  { INSP_E_NOTGO, 6 },      { INSP_E_LAYOUT, 7 }, { INSP_E_EXITED, 8 },
	{ INSP_E_CORRUPT, 9 }, { INSP_E_INTR, 128 + 2 }, { INSP_E_SYS, 1 },
};

/* The INSP_ERRORS table itself. */
static const struct {
	enum insp_errcode code;
	int status;
	const char *name;
} table[] = {
#define X(code, status, what) { code, status, #code },
	INSP_ERRORS
#undef X
};

#define NSTATUSES (sizeof(statuses) / sizeof(statuses[0]))
#define NTABLE    (sizeof(table) / sizeof(table[0]))

/* 3.0: every code of the table has the status written above, and ui_exit_status
 * returns it; the codes are 0 to N-1 and none is missing above. */
static void
test_3_0_exit_status(void **state)
{
	(void)state;
	assert_int_equal(NTABLE, NSTATUSES);
	for (size_t i = 0; i < NTABLE; i++) {
		size_t k = 0;

		while (k < NSTATUSES && statuses[k].code != table[i].code)
			k++;
		if (table[i].code != (enum insp_errcode)i)
			fail_msg("3.0: %s is %d, want %zu", table[i].name, table[i].code, i);
		if (k == NSTATUSES)
			fail_msg("3.0: %s has no documented status here", table[i].name);
		if (table[i].status != statuses[k].status)
			fail_msg("3.0: err.h gives %s status %d, README %d", table[i].name,
				 table[i].status, statuses[k].status);
		if (ui_exit_status(table[i].code) != statuses[k].status)
			fail_msg("3.0: ui_exit_status(%s) is %d, want %d", table[i].name,
				 ui_exit_status(table[i].code), statuses[k].status);
	}
	/* A code past the table: "other errors". */
	assert_int_equal(ui_exit_status((enum insp_errcode)NTABLE), 1);
}

/* 3.1: ui_error prints "inspect: MSG" on stderr and returns the status. */
static void
test_3_1_error(void **state)
{
	static const struct {
		struct insp_err err;
		const char *want;
		int status;
	} t[] = {
		{ { INSP_E_PERM, "cannot attach to process 12: Operation not permitted" },
		  "inspect: cannot attach to process 12: Operation not permitted\n",
		  4 },
		{ { INSP_E_USAGE, "bad filter 'x'" }, "inspect: bad filter 'x'\n", 64 },
		{ { INSP_E_SYS, "" }, "inspect: unknown error\n", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		FILE *tmp = tmpfile();
		int saved, status;
		char got[512] = "";

		assert_non_null(tmp);
		fflush(stderr);
		saved = dup(2);
		assert_true(saved >= 0);
		assert_true(dup2(fileno(tmp), 2) == 2);
		status = ui_error(&t[i].err);
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		rewind(tmp);
		got[fread(got, 1, sizeof(got) - 1, tmp)] = '\0';
		fclose(tmp);
		if (status != t[i].status || strcmp(got, t[i].want) != 0)
			fail_msg("3.1.%zu: status %d, printed '%s'; want %d, '%s'", i, status, got,
				 t[i].status, t[i].want);
	}
}

/* 4.0: newline and tab as \n and \t, the rest as it was; a clean string is
 * itself (no copy), NULL stays NULL; the copies of one printf's fields all hold
 * (UI_LINE_SLOTS of them at once). */
static void
test_4_0_line(void **state)
{
	const char *clean = "main.f", *got[UI_LINE_SLOTS];
	char in[32];

	(void)state;
	assert_ptr_equal(ui_line(clean), clean);
	assert_null(ui_line(NULL));
	assert_string_equal(ui_line("a\nb\tc\r\\"), "a\\nb\\tc\r\\");
	assert_string_equal(ui_line("\n\n"), "\\n\\n");
	for (int i = 0; i < UI_LINE_SLOTS; i++) {
		snprintf(in, sizeof(in), "%d\n", i);
		got[i] = ui_line(in);
	}
	for (int i = 0; i < UI_LINE_SLOTS; i++) {
		snprintf(in, sizeof(in), "%d\\n", i);
		assert_string_equal(got[i], in);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_count),    cmocka_unit_test(test_1_1_count_sizes),
		cmocka_unit_test(test_2_0_basename), cmocka_unit_test(test_3_0_exit_status),
		cmocka_unit_test(test_3_1_error),    cmocka_unit_test(test_4_0_line),
	};

	return cmocka_run_group_tests_name("common", tests, NULL, NULL) ? 1 : 0;
}
