/* Unit tests of plugins/go/traceback.c, the Go plugin's traceback hook, on
 * tasks built in memory, for what the fixtures of
 * tests/integration/1420-traceback.sh do not reach: the header's minutes,
 * locked, bubble and labels quoted as Go 1.26's printquoted does, invalid UTF-8
 * included, and the target's strings through the host's put_escaped (1.N);
 * which frames the runtime's traceback shows, by release and at --system
 * (2.N); the created-by line by release (3.N); a goroutine without frames
 * (4.N). The wanted texts are the runtime's rules (runtime/traceback.go,
 * print.go of Go 1.19 and 1.26), written out here.
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

const struct insp_plugin *insp_plugin_entry(void); /* plugins/go, linked in */

/* The host's writer as a test double: its own text as it is, the target's
 * strings on one line (a newline as the text \n), as the ui writes them. */
static void
put_raw(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(ctx, fmt, ap);
	va_end(ap);
}

static void
put_escaped(void *ctx, const char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			fputs("\\n", ctx);
		else
			fputc(*s, ctx);
}

/* What the plugin's traceback hook writes for the tasks ts of a target of Go
 * version (NULL: unknown), malloc'd; system: --system (the runtime's level
 * system); max: --stacks=N (0: none). */
/* The target's GODEBUG tracebacklabels as the capture read it (st.tb_labels). */
static int tb_labels;

static char *
goroutines_max(const char *version, struct insp_task **ts, size_t n, bool system, uint32_t max)
{
	static struct gort_state st; /* only its version and tb_labels are read */
	struct insp_err err = INSP_ERR_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	const struct insp_writer w = { out, put_raw, put_escaped };
	const struct insp_plugin *p = insp_plugin_entry();

	assert_non_null(out);
	assert_non_null(p->traceback);
	snprintf(st.version, sizeof(st.version), "%s", version ? version : "");
	st.tb_labels = tb_labels;
	assert_int_equal(
		p->traceback(&st, (const struct insp_task *const *)ts, n, system, max, &w, &err),
		0);
	fclose(out);
	return text;
}

static char *
goroutines_at(const char *version, struct insp_task **ts, size_t n, bool system)
{
	return goroutines_max(version, ts, n, system, 0);
}

static char *
goroutines(const char *version, struct insp_task **ts, size_t n)
{
	return goroutines_at(version, ts, n, false);
}

static void
expect(const char *name, char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("%s: got\n%s\nwant\n%s", name, got, want);
	free(got);
}

static struct insp_frame frame_main = {
	.loc = { "main.work", "/src/main.go", 10, 0x401000 },
};

static struct insp_task
task(uint64_t id, const char *state, const char *reason)
{
	return (struct insp_task){ .id = id,
				   .state = state,
				   .reason = reason,
				   .wait_ns = -1,
				   .frames = &frame_main,
				   .nframes = 1 };
}

/* 1.0: minutes only from one up, the whole minutes; locked; a bubble. */
static void
test_1_0_header(void **state)
{
	struct insp_task a = task(7, "waiting", "chan receive"), b = task(8, "syscall", NULL),
			 c = task(9, "waiting", "select (durable)");
	struct insp_task *ts[] = { &a, &b, &c };

	(void)state;
	a.wait_ns = INT64_C(750000000000); /* 12.5 minutes */
	a.flags = INSP_TASK_LOCKED;
	b.wait_ns = INT64_C(59000000000); /* 59 s: no minutes */
	c.sandbox = "synctest bubble";
	c.sandbox_id = 3;
	expect("1.0", goroutines("go1.26.8", ts, 3),
	       "goroutine 7 [chan receive, 12 minutes, locked to thread]:\n"
	       "main.work(...)\n\t/src/main.go:10\n\n"
	       "goroutine 8 [syscall]:\n"
	       "main.work(...)\n\t/src/main.go:10\n\n"
	       "goroutine 9 [select (durable), synctest bubble 3]:\n"
	       "main.work(...)\n\t/src/main.go:10\n");
}

/* 1.1: labels when the target's runtime prints them (tracebacklabels=1: the
 * capture's reading), as printquoted quotes them: printable ASCII as is, \n \r \t \\ \"
 * escaped, other runes below 127 as \xNN, then \uNNNN and \UNNNNNNNN; a byte that
 * is no UTF-8 (a lone continuation, an overlong form, a surrogate, a sequence cut
 * by the end) is U+FFFD per byte, as Go's range decodes it. A cut set ends in
 * ", ...". */
static void
test_1_1_labels(void **state)
{
	static const struct insp_label labels[] = {
		{ "k\"\\", "a\nb\rc\td" },
		{ "ctl", "\x01\x1b[0m\x7f" },
		{ "utf8", "\xc3\xa9\xf0\x9f\x98\x80" },
		{ "bad", "\xff\xc0\x80\xed\xa0\x80\xe2\x82" },
	};
	struct insp_task a = task(5, "waiting", "sleep");
	struct insp_task *ts[] = { &a };

	(void)state;
	a.labels = labels;
	a.nlabels = 4;
	a.labels_cut = true;
	tb_labels = 1;
	expect("1.1", goroutines("go1.26.8", ts, 1),
	       "goroutine 5 [sleep labels:{\"k\\\"\\\\\": \"a\\nb\\rc\\td\", "
	       "\"ctl\": \"\\x01\\x1b[0m\\u007f\", \"utf8\": \"\\u00e9\\U0001f600\", "
	       "\"bad\": \"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\", ...}]:\n"
	       "main.work(...)\n\t/src/main.go:10\n");
	/* the runtime's default (0) and one it could not read (-1): none */
	for (tb_labels = -1; tb_labels <= 0; tb_labels++)
		expect("1.1 off", goroutines("go1.26.8", ts, 1),
		       "goroutine 5 [sleep]:\nmain.work(...)\n\t/src/main.go:10\n");
}

/* 1.2: what the target chose (the reason, the bubble's word, function and file
 * names, the creator's) goes through the host's put_escaped, never raw: a
 * newline in it cannot forge a line of the traceback. */
static void
test_1_2_escaped(void **state)
{
	static const struct insp_frame frames[] = {
		{ .loc = { "main.f\ngoroutine 99 [x]:", "/src/a\nb.go", 3, 1 } },
	};
	struct insp_task a = task(4, "waiting", "chan\nreceive");
	struct insp_task *ts[] = { &a };

	(void)state;
	a.frames = frames;
	a.sandbox = "synctest\nbubble";
	a.sandbox_id = 2;
	a.go_pc = (struct insp_loc){ "main.g\n", "/src/c\n.go", 5, 0 };
	expect("1.2", goroutines("go1.26.8", ts, 1),
	       "goroutine 4 [chan\\nreceive, synctest\\nbubble 2]:\n"
	       "main.f\\ngoroutine 99 [x]:(...)\n\t/src/a\\nb.go:3\n"
	       "created by main.g\\n\n\t/src/c\\n.go:5\n");
}

/* 2.0: hidden: the runtime's unexported functions, a name without a dot, a
 * wrapper (but one that called a panic), a native frame; shown: exported
 * runtime functions, runtime.gopanic below another frame as "panic"; an unknown
 * file is "??"; " +0x" and pc - entry where the entry is known, but for an
 * inlined call; a cut stack says so. Go 1.23+ also asks an exported receiver:
 * runtime.(*Func).Name is shown there, and runtime.(*Func).Name hidden before
 * (its first letter is '('). */
static void
test_2_0_frames(void **state)
{
	static const struct insp_frame frames[] = {
		{ .loc = { "runtime.gopark", "/go/src/runtime/proc.go", 1, 1 } },
		{ .loc = { "runtime.(*Func).Name", "/go/src/runtime/symtab.go", 2, 2 } },
		{ .loc = { "main.(*T).M-fm", "<autogenerated>", 1, 3 }, .wrapper = true },
		{ .loc = { "runtime.gopanic", "/go/src/runtime/panic.go", 3, 4 } },
		{ .loc = { "main.(*T).M-fm", "<autogenerated>", 1, 5 }, .wrapper = true },
		{ .loc = { "cfunc", NULL, 0, 6 }, .native = true },
		{ .loc = { "nodot", "/x.c", 4, 7 } },
		{ .loc = { "runtime.Goexit", "/go/src/runtime/panic.go", 5, 0x1010 },
		  .entry = 0x1000 },
		{ .loc = { "main.f", NULL, 6, 0x2020 }, .inlined = true, .entry = 0x2000 },
		{ .loc = { "main.g", "/src/g.go", 7, 0x2020 }, .entry = 0x2000 },
	};
	struct insp_task a = task(3, "running", NULL);
	struct insp_task *ts[] = { &a };

	(void)state;
	a.frames = frames;
	a.nframes = sizeof(frames) / sizeof(frames[0]);
	a.frames_cut = true;
	expect("2.0 go1.26", goroutines("go1.26.1", ts, 1),
	       "goroutine 3 [running]:\n"
	       "runtime.(*Func).Name(...)\n\t/go/src/runtime/symtab.go:2\n"
	       "panic(...)\n\t/go/src/runtime/panic.go:3\n"
	       "main.(*T).M-fm(...)\n\t<autogenerated>:1\n"
	       "runtime.Goexit(...)\n\t/go/src/runtime/panic.go:5 +0x10\n"
	       "main.f(...)\n\t??:6\n"
	       "main.g(...)\n\t/src/g.go:7 +0x20\n"
	       "...additional frames elided...\n");
	expect("2.0 go1.22", goroutines("go1.22.12", ts, 1),
	       "goroutine 3 [running]:\n"
	       "panic(...)\n\t/go/src/runtime/panic.go:3\n"
	       "main.(*T).M-fm(...)\n\t<autogenerated>:1\n"
	       "runtime.Goexit(...)\n\t/go/src/runtime/panic.go:5 +0x10\n"
	       "main.f(...)\n\t??:6\n"
	       "main.g(...)\n\t/src/g.go:7 +0x20\n"
	       "...additional frames elided...\n");
}

/* 2.3: --stacks=N counts the frames the runtime shows, not those it hides:
 * the first N shown, then the cut as the runtime marks it: Go 1.21+ with the
 * number of shown frames left, older releases and a stack whose capture was
 * cut too (the number unknown) "additional"; N or more: no mark. */
static void
test_2_3_max(void **state)
{
	static const struct insp_frame frames[] = {
		{ .loc = { "runtime.gopark", "/go/src/runtime/proc.go", 1, 1 } },
		{ .loc = { "runtime.chansend", "/go/src/runtime/chan.go", 2, 2 } },
		{ .loc = { "main.a", "/src/a.go", 3, 3 } },
		{ .loc = { "main.(*T).M-fm", "<autogenerated>", 1, 4 }, .wrapper = true },
		{ .loc = { "main.b", "/src/a.go", 4, 5 } },
		{ .loc = { "main.c", "/src/a.go", 5, 6 } },
		{ .loc = { "runtime.goexit", "/go/src/runtime/asm_amd64.s", 6, 7 } },
	};
	static const char two[] = "goroutine 3 [chan send]:\n"
				  "main.a(...)\n\t/src/a.go:3\n"
				  "main.b(...)\n\t/src/a.go:4\n";
	struct insp_task a = task(3, "waiting", "chan send");
	struct insp_task *ts[] = { &a };
	char want[512];

	(void)state;
	a.frames = frames;
	a.nframes = sizeof(frames) / sizeof(frames[0]);
	snprintf(want, sizeof(want), "%s...1 frames elided...\n", two);
	expect("2.3 go1.26", goroutines_max("go1.26.1", ts, 1, false, 2), want);
	expect("2.3 go1.21", goroutines_max("go1.21.0", ts, 1, false, 2), want);
	snprintf(want, sizeof(want), "%s...additional frames elided...\n", two);
	expect("2.3 go1.20", goroutines_max("go1.20.14", ts, 1, false, 2), want);
	a.frames_cut = true;
	expect("2.3 cut go1.26", goroutines_max("go1.26.1", ts, 1, false, 2), want);
	a.frames_cut = false;
	snprintf(want, sizeof(want), "%smain.c(...)\n\t/src/a.go:5\n", two);
	expect("2.3 all shown", goroutines_max("go1.26.1", ts, 1, false, 3), want);
}

/* 2.1: a stack of the runtime's own functions only: all of them, as the
 * runtime's second walk shows them (but the native ones). */
static void
test_2_1_runtime_only(void **state)
{
	static const struct insp_frame frames[] = {
		{ .loc = { "runtime.gopark", "/go/src/runtime/proc.go", 1, 1 } },
		{ .loc = { "runtime.bgsweep", "/go/src/runtime/mgcsweep.go", 2, 2 } },
	};
	struct insp_task a = task(4, "waiting", "GC sweep wait");
	struct insp_task *ts[] = { &a };

	(void)state;
	a.frames = frames;
	a.nframes = 2;
	expect("2.1", goroutines("go1.26.1", ts, 1),
	       "goroutine 4 [GC sweep wait]:\n"
	       "runtime.gopark(...)\n\t/go/src/runtime/proc.go:1\n"
	       "runtime.bgsweep(...)\n\t/go/src/runtime/mgcsweep.go:2\n");
}

/* 2.2: --system, the runtime's level system: every frame but the native ones,
 * wrappers and the runtime's own included, and a creator in the runtime. */
static void
test_2_2_system(void **state)
{
	static const struct insp_frame frames[] = {
		{ .loc = { "runtime.gopark", "/go/src/runtime/proc.go", 1, 0x1001 },
		  .entry = 0x1000 },
		{ .loc = { "cfunc", NULL, 0, 6 }, .native = true },
		{ .loc = { "main.(*T).M-fm", "<autogenerated>", 1, 3 }, .wrapper = true },
		{ .loc = { "runtime.goexit", "/go/src/runtime/asm_amd64.s", 9, 0x2001 },
		  .entry = 0x2000 },
	};
	struct insp_task a = task(2, "waiting", "force gc (idle)");
	struct insp_task *ts[] = { &a };

	(void)state;
	a.frames = frames;
	a.nframes = sizeof(frames) / sizeof(frames[0]);
	a.flags = INSP_TASK_SYSTEM;
	a.go_pc = (struct insp_loc){ "runtime.init.6", "/go/src/runtime/proc.go", 7, 0x3010 };
	a.go_entry = 0x3000;
	a.parent_id = 1;
	expect("2.2", goroutines_at("go1.26.1", ts, 1, true),
	       "goroutine 2 [force gc (idle)]:\n"
	       "runtime.gopark(...)\n\t/go/src/runtime/proc.go:1 +0x1\n"
	       "main.(*T).M-fm(...)\n\t<autogenerated>:1\n"
	       "runtime.goexit(...)\n\t/go/src/runtime/asm_amd64.s:9 +0x1\n"
	       "created by runtime.init.6 in goroutine 1\n\t/go/src/runtime/proc.go:7 +0x10\n");
}

/* 3.0: created by the physical function of the go statement (not the call
 * inlined into it), with " in goroutine P" from Go 1.21 when P is known, and its
 * offset; none for goroutine 1, nor for a creator the runtime hides
 * (runtime.gcenable). An unknown version is the newest's wording. */
static void
test_3_0_created_by(void **state)
{
	struct insp_task a = task(6, "waiting", "chan receive"), b = task(1, "waiting", "select"),
			 c = task(2, "waiting", "force gc (idle)");
	struct insp_task *ts[] = { &a, &b, &c };
	static const char *const with_id =
		"goroutine 6 [chan receive]:\n"
		"main.work(...)\n\t/src/main.go:10\n"
		"created by main.main in goroutine 1\n\t/src/main.go:20 +0x40\n\n"
		"goroutine 1 [select]:\n"
		"main.work(...)\n\t/src/main.go:10\n\n"
		"goroutine 2 [force gc (idle)]:\n"
		"main.work(...)\n\t/src/main.go:10\n";

	(void)state;
	a.go_pc = (struct insp_loc){ "main.inlined", "/src/main.go", 20, 0x402040 };
	a.go_func = "main.main";
	a.go_entry = 0x402000;
	a.parent_id = 1;
	b.go_pc = a.go_pc;
	c.go_pc = (struct insp_loc){ "runtime.gcenable", "/go/src/runtime/mgc.go", 9, 1 };
	c.parent_id = 1;
	expect("3.0 go1.21", goroutines("go1.21.0", ts, 3), with_id);
	expect("3.0 unknown", goroutines(NULL, ts, 3), with_id);
	expect("3.0 go1.20", goroutines("go1.20.14", ts, 3),
	       "goroutine 6 [chan receive]:\n"
	       "main.work(...)\n\t/src/main.go:10\n"
	       "created by main.main\n\t/src/main.go:20 +0x40\n\n"
	       "goroutine 1 [select]:\n"
	       "main.work(...)\n\t/src/main.go:10\n\n"
	       "goroutine 2 [force gc (idle)]:\n"
	       "main.work(...)\n\t/src/main.go:10\n");
}

/* 4.0: a goroutine without frames (its stack could not be copied) shows the
 * frame its registers give, so that it still reads as a goroutine. */
static void
test_4_0_no_frames(void **state)
{
	struct insp_task a = task(9, "waiting", "chan send");
	struct insp_task *ts[] = { &a };

	(void)state;
	a.frames = NULL;
	a.nframes = 0;
	a.top = (struct insp_loc){ "runtime.gopark", "/go/src/runtime/proc.go", 460, 1 };
	a.note = "its stack could not be read";
	expect("4.0", goroutines("go1.26.8", ts, 1),
	       "goroutine 9 [chan send]:\n"
	       "runtime.gopark(...)\n\t/go/src/runtime/proc.go:460\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_header),       cmocka_unit_test(test_1_1_labels),
		cmocka_unit_test(test_1_2_escaped),      cmocka_unit_test(test_2_0_frames),
		cmocka_unit_test(test_2_1_runtime_only), cmocka_unit_test(test_2_2_system),
		cmocka_unit_test(test_2_3_max),          cmocka_unit_test(test_3_0_created_by),
		cmocka_unit_test(test_4_0_no_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
