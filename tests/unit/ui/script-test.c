/* Unit tests of src/ui/script.c: ui_script_line reads bounded lines of text (1.N);
 * ui_script_load reads a -x file whole and refuses what is not a short script
 * (2.N); ui_script_run splits --batch's list at ';' outside quotes and a file's
 * text at newlines, echoing each command as it runs it (3.N). No process: the
 * session's snapshot is empty, and the commands are `help` and unknown names,
 * which fail.
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

/* The lines of text, read with a buffer of size bytes: each result and line. */
static void
read_lines(const char *text, size_t len, size_t size, const int *want_n, const char *const *want,
	   size_t n)
{
	FILE *in = fmemopen((void *)text, len, "r");
	char buf[64];

	assert_non_null(in);
	assert_true(size <= sizeof(buf));
	for (size_t i = 0; i < n; i++) {
		int got = ui_script_line(in, buf, size);

		if (got != want_n[i] || (got >= 0 && strcmp(buf, want[i]) != 0))
			fail_msg("line %zu: %d '%s', want %d '%s'", i, got, got >= 0 ? buf : "",
				 want_n[i], want[i] ? want[i] : "");
	}
	fclose(in);
}

/* 1.0: lines without their newline or CR LF; an empty line; a last line without a
 * newline; then the end, again and again. */
static void
test_1_0_lines(void **state)
{
	static const char text[] = "info\ntasks -with x\r\n\nbt";
	static const int n[] = { 4, 13, 0, 2, UI_LINE_END, UI_LINE_END };
	static const char *const want[] = { "info", "tasks -with x", "", "bt", NULL, NULL };

	(void)state;
	read_lines(text, sizeof(text) - 1, 64, n, want, 6);
}

/* 1.1: a line of size - 1 bytes fits; one byte more is UI_LINE_LONG. */
static void
test_1_1_long(void **state)
{
	static const char fits[] = "abcdefg\n", over[] = "abcdefgh\n";
	static const int n_fits[] = { 7 }, n_over[] = { UI_LINE_LONG };
	static const char *const want[] = { "abcdefg" };

	(void)state;
	read_lines(fits, sizeof(fits) - 1, 8, n_fits, want, 1);
	read_lines(over, sizeof(over) - 1, 8, n_over, want, 1);
}

/* 1.2: a NUL byte is not text: UI_LINE_NUL, wherever it is in the line. */
static void
test_1_2_nul(void **state)
{
	static const char text[] = "info\nta\0sks\n";
	static const int n[] = { 4, UI_LINE_NUL };
	static const char *const want[] = { "info", NULL };

	(void)state;
	read_lines(text, sizeof(text) - 1, 64, n, want, 2);
}

/* A file holding len bytes of text (repeated to fill it); its path in path. */
static void
make_file(char *path, const char *text, size_t len)
{
	size_t tlen = strlen(text);
	int fd;
	FILE *f;

	strcpy(path, "/tmp/script-test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (size_t i = 0; i < len; i++)
		fputc(tlen ? text[i % tlen] : 0, f);
	fclose(f);
}

/* load path: 0 and the text, or -1 and a message containing want. */
static void
load(const char *path, const char *want_text, const char *want_msg)
{
	struct insp_err err = INSP_ERR_INIT;
	char *text = (char *)"unset";
	int ret = ui_script_load(path, &text, &err);

	if (want_msg) {
		if (ret != -1 || err.code != INSP_E_USAGE || !strstr(err.msg, want_msg) || text)
			fail_msg("%s: %d, code %d '%s'; want -1, usage, '...%s...'", path, ret,
				 err.code, err.msg, want_msg);
		return;
	}
	if (ret != 0 || !text || strcmp(text, want_text) != 0)
		fail_msg("%s: %d '%s' (%s)", path, ret, text ? text : "(null)", err.msg);
	free(text);
}

/* 2.0: a script of commands is read whole; an empty file is no command. */
static void
test_2_0_load(void **state)
{
	char path[64];

	(void)state;
	make_file(path, "info\nbt\n", 8);
	load(path, "info\nbt\n", NULL);
	unlink(path);
	make_file(path, "", 0);
	load(path, "", NULL);
	unlink(path);
}

/* 2.1: refused: a missing file, a NUL byte (/dev/zero, endless), a line longer than
 * UI_LINE_MAX, more than UI_SCRIPT_MAX bytes (of short lines), each saying so; a
 * line of exactly UI_LINE_MAX bytes and a file of exactly UI_SCRIPT_MAX are read. */
static void
test_2_1_refused(void **state)
{
	char path[64], *line = malloc(UI_LINE_MAX + 2);

	(void)state;
	assert_non_null(line);
	load("/nonexistent/script", NULL, "cannot open /nonexistent/script: No such file");
	load("/dev/zero", NULL, "/dev/zero: line 1 has a NUL byte: not a text file");
	memset(line, 'x', UI_LINE_MAX + 1);
	line[UI_LINE_MAX + 1] = '\0';
	make_file(path, line, UI_LINE_MAX + 1);
	load(path, NULL, "line 1 is longer than 16384 bytes");
	unlink(path);
	line[UI_LINE_MAX] = '\0';
	make_file(path, line, UI_LINE_MAX);
	load(path, line, NULL);
	unlink(path);
	make_file(path, "info\n", UI_SCRIPT_MAX + 1);
	load(path, NULL, "is larger than 1024 KiB");
	unlink(path);
	make_file(path, "info\n", UI_SCRIPT_MAX);
	{
		struct insp_err err = INSP_ERR_INIT;
		char *text = NULL;

		assert_int_equal(ui_script_load(path, &text, &err), 0);
		assert_int_equal(strlen(text), UI_SCRIPT_MAX);
		free(text);
	}
	unlink(path);
	free(line);
}

/* Run cmds (sep) in a session without a process: the commands it echoed, each
 * followed by a newline, and how many failed. */
static void
run(const char *cmds, char sep, const char *want, unsigned want_failed)
{
	struct mdl_snapshot snap = MDL_SNAPSHOT_INIT;
	struct rt_plugin_set plugins = { 0 };
	struct ui_session s = { .snap = &snap, .plugins = &plugins };
	char *copy = strdup(cmds), *out = NULL, echoed[1024] = "";
	size_t len = 0, n = 0;

	assert_non_null(copy);
	s.out = open_memstream(&out, &len);
	assert_non_null(s.out);
	ui_script_run(&s, copy, sep);
	fclose(s.out);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, UI_PROMPT, strlen(UI_PROMPT)) == 0)
			n += snprintf(echoed + n, sizeof(echoed) - n, "%s\n",
				      line + strlen(UI_PROMPT));
	if (strcmp(echoed, want) != 0 || s.failed != want_failed)
		fail_msg("'%s': ran\n%s(%u failed); want\n%s(%u failed)", cmds, echoed, s.failed,
			 want, want_failed);
	free(out);
	free(copy);
}

/* 3.0: --batch: ';' splits outside quotes only ("...", '...', `...`, a backslash
 * escaping the next character); blanks before a command go; a trailing ';' adds no
 * command. Each command is echoed, then run: unknown names fail. */
static void
test_3_0_batch(void **state)
{
	(void)state;
	run("a1; a2;a3;", ';', "a1\na2\na3\n", 3);
	run("zz \"x;y\"; zz 'x;y'; zz `x;y`; zz \\;x", ';',
	    "zz \"x;y\"\nzz 'x;y'\nzz `x;y`\nzz \\;x\n", 4);
	/* an escaped quote does not close; a backslash in backquotes is plain */
	run("zz \"a\\\";b\"; zz `a\\`;yy", ';', "zz \"a\\\";b\"\nzz `a\\`\nyy\n", 3);
	/* an unclosed quote runs to the end: one command */
	run("zz \"a;b", ';', "zz \"a;b\n", 1);
	/* help runs and does not fail */
	run("help; zz", ';', "help\nzz\n", 1);
}

/* 3.1: a file: one command a line, CR LF too, quotes never span lines, ';' is
 * no separator; a blank line is echoed and runs nothing. */
static void
test_3_1_lines(void **state)
{
	(void)state;
	run("a1 \"x\r\na2;a3\n\nhelp\n", '\n', "a1 \"x\na2;a3\n\nhelp\n", 2);
}

/* 3.2: detach stops the list: what follows is not run. */
static void
test_3_2_detach(void **state)
{
	(void)state;
	run("a1; detach; a2", ';', "a1\ndetach\n", 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_lines),   cmocka_unit_test(test_1_1_long),
		cmocka_unit_test(test_1_2_nul),     cmocka_unit_test(test_2_0_load),
		cmocka_unit_test(test_2_1_refused), cmocka_unit_test(test_3_0_batch),
		cmocka_unit_test(test_3_1_lines),   cmocka_unit_test(test_3_2_detach),
	};

	return cmocka_run_group_tests_name("script", tests, NULL, NULL) ? 1 : 0;
}
