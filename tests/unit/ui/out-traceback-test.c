/* Unit tests of src/ui/out-traceback.c, the ui's part of --format traceback, with
 * a stub plugin whose hook lists the tasks it is given: which tasks the filter
 * passes it, in order, the limit of frames (--stacks=N), and the lines inspect adds after a blank
 * line (1.N); the writer it lends, the target's strings on one line (1.2); the format refused when
 * the plugin has no hook, and the hook's error passed on (2.N). The Go plugin's text is tested in
 * tests/unit/go/traceback-test.c. SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/ui.h"

/* The stub's hook: "task ID [REASON]" per task, the reason through the host's
 * put_escaped; state non-NULL: it fails. */
static int
stub_traceback(void *state, const struct insp_task *const *tasks, size_t n, bool system,
	       uint32_t max, const struct insp_writer *w, struct insp_err *err)
{
	if (state)
		return insp_err_set(err, INSP_E_CORRUPT, "stub failed");
	for (size_t i = 0; i < n; i++) {
		w->put_raw(w->ctx, "task %llu%s [", (unsigned long long)tasks[i]->id,
			   system ? " system" : "");
		if (max)
			w->put_raw(w->ctx, "max %u ", max);
		w->put_escaped(w->ctx, tasks[i]->reason);
		w->put_raw(w->ctx, "]\n");
	}
	return 0;
}

static const struct insp_plugin stub = { .name = "stub", .traceback = stub_traceback };
static const struct insp_plugin bare = { .name = "threads" };

/* The report of the tasks ts through plugin p (its state: state), malloc'd;
 * *ret its return. */
static char *
render(const struct insp_plugin *p, void *state, struct insp_task **ts, size_t n, bool system,
       uint32_t max, struct insp_err *err, int *ret)
{
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct mdl_filter f = { .system = system };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	s.pid = 42;
	s.exe = "/srv/app";
	s.pause_ms = 1.25;
	s.tasks = ts;
	s.ntasks = n;
	s.plugin = p;
	s.plugin_state = state;
	s.info[0].key = "go_version";
	s.info[0].value = "go1.26.8";
	s.ninfo = 1;
	*ret = ui_report_traceback(out, &s, &f, max, err);
	fclose(out);
	return text;
}

static void
expect(const char *name, char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("%s: got\n%s\nwant\n%s", name, got, want);
	free(got);
}

/* 1.0: the runtime's own tasks only with --system; none shown: no text from
 * the hook, and the count says 0. */
static void
test_1_0_system(void **state)
{
	struct insp_task a = { .id = 2, .reason = "force gc (idle)", .flags = INSP_TASK_SYSTEM };
	struct insp_task *ts[] = { &a };
	struct insp_err err = INSP_ERR_INIT;
	int ret;

	(void)state;
	expect("1.0 hidden", render(&stub, NULL, ts, 1, false, 0, &err, &ret),
	       "\ninspect: process 42  /srv/app  go1.26.8  0 goroutines  paused 1.2 ms\n");
	assert_int_equal(ret, 0);
	expect("1.0 system", render(&stub, NULL, ts, 1, true, 0, &err, &ret),
	       "task 2 system [force gc (idle)]\n"
	       "\ninspect: process 42  /srv/app  go1.26.8  1 goroutines  paused 1.2 ms\n");
	/* --stacks=N reaches the hook as its limit */
	expect("1.0 max", render(&stub, NULL, ts, 1, true, 12, &err, &ret),
	       "task 2 system [max 12 force gc (idle)]\n"
	       "\ninspect: process 42  /srv/app  go1.26.8  1 goroutines  paused 1.2 ms\n");
}

/* 1.1: the hook gets the tasks the filter passes, in the snapshot's order;
 * after a blank line, the process, the pause and the notes of those tasks. */
static void
test_1_1_tasks_and_trailer(void **state)
{
	struct insp_task a = { .id = 9,
			       .reason = "chan send",
			       .note = "its stack could not be read" },
			 b = { .id = 3,
			       .reason = "GC worker (idle)",
			       .flags = INSP_TASK_SYSTEM,
			       .note = "hidden" },
			 c = { .id = 5, .reason = "select" };
	struct insp_task *ts[] = { &a, &b, &c };
	struct insp_err err = INSP_ERR_INIT;
	int ret;

	(void)state;
	expect("1.1", render(&stub, NULL, ts, 3, false, 0, &err, &ret),
	       "task 9 [chan send]\n"
	       "task 5 [select]\n"
	       "\n"
	       "inspect: process 42  /srv/app  go1.26.8  2 goroutines  paused 1.2 ms\n"
	       "inspect: goroutine 9: its stack could not be read\n");
	assert_int_equal(ret, 0);
}

/* 1.2: the writer's put_escaped keeps the target's string on one line: a
 * newline or tab is the text \n, \t. */
static void
test_1_2_escaped(void **state)
{
	struct insp_task a = { .id = 4, .reason = "chan\nreceive\t" };
	struct insp_task *ts[] = { &a };
	struct insp_err err = INSP_ERR_INIT;
	int ret;
	char *text = render(&stub, NULL, ts, 1, false, 0, &err, &ret);

	(void)state;
	*strstr(text, "\n\ninspect: ") = '\0';
	expect("1.2", text, "task 4 [chan\\nreceive\\t]");
}

/* 2.0: a plugin without the hook (or none): the format is refused, naming the
 * runtime, as bad usage (exit 64), and nothing is written. */
static void
test_2_0_no_hook(void **state)
{
	struct insp_task a = { .id = 1, .reason = "select" };
	struct insp_task *ts[] = { &a };
	struct insp_err err = INSP_ERR_INIT;
	int ret;

	(void)state;
	expect("2.0", render(&bare, NULL, ts, 1, false, 0, &err, &ret), "");
	assert_int_equal(ret, -1);
	assert_int_equal(err.code, INSP_E_USAGE);
	assert_string_equal(err.msg, "no traceback format for the threads runtime (its plugin has "
				     "no traceback hook)");
	assert_int_equal(ui_exit_status(err.code), 64);
	expect("2.0 none", render(NULL, NULL, ts, 1, false, 0, &err, &ret), "");
	assert_string_equal(err.msg, "no traceback format for the snapshot's runtime (its plugin "
				     "has no traceback hook)");
}

/* 2.1: the hook's error is the report's, without inspect's lines. */
static void
test_2_1_hook_error(void **state)
{
	struct insp_task a = { .id = 1, .reason = "select" };
	struct insp_task *ts[] = { &a };
	struct insp_err err = INSP_ERR_INIT;
	int ret, fail = 1;

	(void)state;
	expect("2.1", render(&stub, &fail, ts, 1, false, 0, &err, &ret), "");
	assert_int_equal(ret, -1);
	assert_int_equal(err.code, INSP_E_CORRUPT);
	assert_string_equal(err.msg, "stub failed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_system),     cmocka_unit_test(test_1_1_tasks_and_trailer),
		cmocka_unit_test(test_1_2_escaped),    cmocka_unit_test(test_2_0_no_hook),
		cmocka_unit_test(test_2_1_hook_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
