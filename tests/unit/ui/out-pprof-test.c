/* Unit tests of src/ui/out-pprof.c on a snapshot made in memory, read back with
 * zlib and protobuf-c's decoder of the same profile.proto: the header (string
 * table with "" first, goroutine/count, the mapping symbolized, the time and the
 * comment) (1.N); samples merged per stack and label set, system goroutines left
 * out, inlined calls in their frame's location, wrappers and the frame below the
 * start function left out, a return address as its call's (2.N); the labels,
 * wait_minutes a number in minutes and absent when unknown, an empty value a
 * string (3.N); the target's strings escaped, the program's labels of our
 * names winning over ours (4.N).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"
#include "ui/ui.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;

#define MIN_NS      INT64_C(60000000000)
#define CAPTURED_NS INT64_C(1795000000123456789)

/* runtime.gopark <- main.inl inlined into main.work <- the wrapper the go
 * statement made (its start function) <- runtime.goexit */
static const struct insp_frame stack[] = {
	{ .loc = { "runtime.gopark", "proc.go", 462, 0x1001 }, .call_site = true },
	{ .loc = { "main.inl", "x.go", 5, 0x2001 }, .inlined = true, .call_site = true },
	{ .loc = { "main.work", "x.go", 10, 0x2001 }, .call_site = true },
	{ .loc = { "main.main.gowrap1", "x.go", 20, 0x3001 }, .wrapper = true, .call_site = true },
	{ .loc = { "runtime.goexit", "asm.s", 1700, 0x4001 }, .call_site = true },
};
static const struct insp_label acme[] = { { "tenant", "acme" } },
			       globex[] = { { "empty", "" }, { "tenant", "globex" } };
/* a terminal's escape, a newline, a tab, a byte that is no UTF-8, and UTF-8 */
static const struct insp_label bad[] = { { "tenant", "bad" },
					 { "note", "\x1b[31m\n\t\xff caf\xc3\xa9" } };
/* the names of inspect's own labels */
static const struct insp_label clash[] = {
	{ "tenant", "clash" },      { "state", "mine" },      { "wait_reason", "mine" },
	{ "wait_minutes", "mine" }, { "labels_cut", "mine" },
};
/* a function (ESC ] 0;x BEL: a window title) and a file the target shaped */
static const struct insp_frame bad_stack[] = {
	{ .loc = { "main.\x1b]0;x\acaf\xc3\xa9", "/src/\xff\n.go", 7, 0x6001 } },
};

static struct insp_task
parked(uint64_t id, const struct insp_label *labels)
{
	return (struct insp_task){ .id = id,
				   .state = "waiting",
				   .reason = "chan receive",
				   .wait_ns = 3 * MIN_NS + 5,
				   .start = { "main.main.gowrap1", "x.go", 20, 0x3000 },
				   .frames = stack,
				   .nframes = 5,
				   .labels = labels,
				   .nlabels = 1 };
}

#define NTASKS 7
static struct insp_task tasks[NTASKS];
static struct insp_task *ptrs[NTASKS];
static Profile *prof;

/* The profile of 2 acme goroutines, 1 globex, 1 of the runtime's own and one
 * running without frames, read back. */
static int
setup(void **state)
{
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct ui_dump_opts o;
	struct insp_err err = INSP_ERR_INIT;
	FILE *f = tmpfile();
	static unsigned char gz[1 << 16], raw[1 << 18];
	size_t n;
	z_stream z = { 0 };

	(void)state;
	tasks[0] = parked(1, acme);
	tasks[1] = parked(2, acme);
	tasks[2] = parked(3, globex);
	tasks[2].nlabels = 2;
	tasks[3] = parked(4, NULL);
	tasks[3].flags = INSP_TASK_SYSTEM;
	tasks[4] = (struct insp_task){ .id = 5,
				       .state = "running",
				       .wait_ns = -1,
				       .top = { "main.spin", "x.go", 30, 0x5000 } };
	tasks[5] = parked(6, bad);
	tasks[5].nlabels = 2;
	tasks[5].frames = bad_stack;
	tasks[5].nframes = 1;
	tasks[6] = parked(7, clash);
	tasks[6].nlabels = 5;
	tasks[6].labels_cut = true;
	for (int i = 0; i < NTASKS; i++)
		ptrs[i] = &tasks[i];
	s.tasks = ptrs;
	s.ntasks = NTASKS;
	s.pid = 42;
	s.exe = "/srv/api";
	s.pause_ms = 1.5;
	s.stop_ns = 1000;
	s.captured_ns = CAPTURED_NS;
	memset(&o, 0, sizeof(o));
	if (!f || ui_write_pprof(f, &s, &o, NULL, &err) < 0)
		return fprintf(stderr, "%s\n", err.msg), -1;
	rewind(f);
	n = fread(gz, 1, sizeof(gz), f);
	fclose(f);
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = gz;
	z.avail_in = (uInt)n;
	z.next_out = raw;
	z.avail_out = sizeof(raw);
	if (inflate(&z, Z_FINISH) != Z_STREAM_END)
		return fprintf(stderr, "not one whole gzip stream\n"), -1;
	prof = perftools__profiles__profile__unpack(NULL, sizeof(raw) - z.avail_out, raw);
	inflateEnd(&z);
	return prof ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	perftools__profiles__profile__free_unpacked(prof, NULL);
	return 0;
}

static const char *
str(int64_t i)
{
	assert_true(i >= 0 && (size_t)i < prof->n_string_table);
	return prof->string_table[i];
}

/* 1.0: "" first; goroutine/count as sample and period type, period 1. */
static void
test_1_0_types(void **state)
{
	(void)state;
	assert_string_equal(prof->string_table[0], "");
	assert_int_equal(prof->n_sample_type, 1);
	assert_string_equal(str(prof->sample_type[0]->type), "goroutine");
	assert_string_equal(str(prof->sample_type[0]->unit), "count");
	assert_string_equal(str(prof->period_type->type), "goroutine");
	assert_string_equal(str(prof->period_type->unit), "count");
	assert_int_equal(prof->period, 1);
}

/* 1.1: one mapping, the executable, that says it is symbolized; the capture's
 * time (the snapshot's captured_ns, as the JSON's captured_at); the comment with the pid and the
 * pause. */
static void
test_1_1_mapping_time_comment(void **state)
{
	(void)state;
	assert_int_equal(prof->n_mapping, 1);
	assert_int_equal(prof->mapping[0]->id, 1);
	assert_string_equal(str(prof->mapping[0]->filename), "/srv/api");
	assert_string_equal(str(prof->mapping[0]->build_id), "");
	assert_true(prof->mapping[0]->has_functions && prof->mapping[0]->has_filenames &&
		    prof->mapping[0]->has_line_numbers && prof->mapping[0]->has_inline_frames);
	assert_int_equal(prof->time_nanos, CAPTURED_NS);
	assert_int_equal(prof->n_comment, 1);
	assert_string_equal(str(prof->comment[0]), "inspect dump of process 42, paused 1.5 ms");
}

static const Sample *
sample_of(const char *tenant)
{
	for (size_t i = 0; i < prof->n_sample; i++)
		for (size_t j = 0; j < prof->sample[i]->n_label; j++)
			if (strcmp(str(prof->sample[i]->label[j]->key), "tenant") == 0 &&
			    strcmp(str(prof->sample[i]->label[j]->str), tenant) == 0)
				return prof->sample[i];
	return NULL;
}

/* 2.0: acme's two goroutines are one sample of 2, globex's its own of 1, the
 * running one 1, bad's and clash's 1 each; the system goroutine is not there. */
static void
test_2_0_samples(void **state)
{
	int64_t total = 0;

	(void)state;
	assert_int_equal(prof->n_sample, 5);
	assert_non_null(sample_of("acme"));
	assert_int_equal(sample_of("acme")->n_value, 1);
	assert_int_equal(sample_of("acme")->value[0], 2);
	assert_int_equal(sample_of("globex")->value[0], 1);
	for (size_t i = 0; i < prof->n_sample; i++)
		total += prof->sample[i]->value[0];
	assert_int_equal(total, 6);
}

/* 2.1: the parked stack is two locations: gopark, then main.inl inlined into
 * main.work (innermost line first); no wrapper, no goexit; a return address is
 * its call's, pc - 1, as the runtime's profile records it. */
static void
test_2_1_locations(void **state)
{
	const Sample *s = sample_of("acme");
	const Perftools__Profiles__Location *l[2];

	(void)state;
	assert_int_equal(s->n_location_id, 2);
	for (int i = 0; i < 2; i++) {
		assert_true(s->location_id[i] >= 1 && s->location_id[i] <= prof->n_location);
		l[i] = prof->location[s->location_id[i] - 1];
		assert_int_equal(l[i]->id, s->location_id[i]);
		assert_int_equal(l[i]->mapping_id, 1);
	}
	assert_int_equal(l[0]->address, 0x1000);
	assert_int_equal(l[0]->n_line, 1);
	assert_string_equal(str(prof->function[l[0]->line[0]->function_id - 1]->name),
			    "runtime.gopark");
	assert_int_equal(l[0]->line[0]->line, 462);
	assert_int_equal(l[1]->address, 0x2000);
	assert_int_equal(l[1]->n_line, 2);
	assert_string_equal(str(prof->function[l[1]->line[0]->function_id - 1]->name), "main.inl");
	assert_string_equal(str(prof->function[l[1]->line[0]->function_id - 1]->filename), "x.go");
	assert_int_equal(l[1]->line[0]->line, 5);
	assert_string_equal(str(prof->function[l[1]->line[1]->function_id - 1]->name), "main.work");
	assert_int_equal(l[1]->line[1]->line, 10);
	/* globex's shares them */
	assert_memory_equal(sample_of("globex")->location_id, s->location_id, 2 * sizeof(uint64_t));
	for (size_t i = 0; i < prof->n_function; i++) {
		assert_int_equal(prof->function[i]->id, i + 1);
		assert_string_not_equal(str(prof->function[i]->name), "runtime.goexit");
		assert_string_not_equal(str(prof->function[i]->name), "main.main.gowrap1");
	}
}

static const Perftools__Profiles__Label *
label(const Sample *s, const char *key)
{
	for (size_t j = 0; j < s->n_label; j++)
		if (strcmp(str(s->label[j]->key), key) == 0)
			return s->label[j];
	return NULL;
}

/* 3.0: a parked goroutine's labels: its own, wait_reason and state as strings,
 * wait_minutes the whole minutes as a number in "minutes". */
static void
test_3_0_labels(void **state)
{
	const Sample *s = sample_of("acme");

	(void)state;
	assert_int_equal(s->n_label, 4);
	assert_string_equal(str(label(s, "wait_reason")->str), "chan receive");
	assert_string_equal(str(label(s, "state")->str), "waiting");
	assert_int_equal(label(s, "wait_minutes")->str, 0);
	assert_int_equal(label(s, "wait_minutes")->num, 3);
	assert_string_equal(str(label(s, "wait_minutes")->num_unit), "minutes");
}

/* 3.1: a label with an empty value is a string label still, not a number
 * (pprof reads a label of str 0 and no unit as an empty string's, and drops it,
 * as it does the runtime's own). */
static void
test_3_1_empty_value(void **state)
{
	const Perftools__Profiles__Label *l = label(sample_of("globex"), "empty");

	(void)state;
	assert_non_null(l);
	assert_int_equal(l->str, 0);
	assert_int_equal(l->num, 0);
	assert_int_equal(l->num_unit, 0);
	assert_int_equal(sample_of("globex")->n_label, 5);
}

/* 3.2: the running goroutine without frames: its innermost frame as its stack,
 * state running, no wait_reason, no wait_minutes (unknown is not 0). */
static void
test_3_2_running(void **state)
{
	const Sample *s = NULL;

	(void)state;
	for (size_t i = 0; i < prof->n_sample; i++)
		if (label(prof->sample[i], "state") &&
		    strcmp(str(label(prof->sample[i], "state")->str), "running") == 0)
			s = prof->sample[i];
	assert_non_null(s);
	assert_int_equal(s->n_label, 1);
	assert_int_equal(s->n_location_id, 1);
	assert_int_equal(prof->location[s->location_id[0] - 1]->address, 0x5000);
	assert_int_equal(s->value[0], 1);
}

/* 4.0: the target's strings escaped as the JSON's (util/esc.h), and newline
 * and tab as \x0a, \x09: a label value, a function and a file; valid UTF-8
 * stays; no string of the table holds a control byte or one that is no UTF-8
 * (none here is non-ASCII but the escaped names' "é"). */
static void
test_4_0_escaped(void **state)
{
	const Sample *s = sample_of("bad");
	const Perftools__Profiles__Function *f;

	(void)state;
	assert_non_null(s);
	assert_string_equal(str(label(s, "note")->str), "\\x1b[31m\\x0a\\x09\\xff caf\xc3\xa9");
	assert_int_equal(s->n_location_id, 1);
	f = prof->function[prof->location[s->location_id[0] - 1]->line[0]->function_id - 1];
	assert_string_equal(str(f->name), "main.\\x1b]0;x\\x07caf\xc3\xa9");
	assert_string_equal(str(f->filename), "/src/\\xff\\x0a.go");
	for (size_t i = 0; i < prof->n_string_table; i++)
		for (const unsigned char *c = (const unsigned char *)prof->string_table[i]; *c; c++)
			assert_true(*c >= 0x20 && *c != 0x7f &&
				    (*c < 0x80 || *c == 0xc3 || *c == 0xa9));
}

/* 4.1: the program's labels of our names win: ours of those names are left
 * out (labels_cut too), so each key is once in the sample. */
static void
test_4_1_clash(void **state)
{
	const Sample *s = sample_of("clash");
	static const char *const keys[] = { "state", "wait_reason", "wait_minutes", "labels_cut" };

	(void)state;
	assert_non_null(s);
	assert_int_equal(s->n_label, 5);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		assert_string_equal(str(label(s, keys[i])->str), "mine");
		assert_int_equal(label(s, keys[i])->num_unit, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_types),   cmocka_unit_test(test_1_1_mapping_time_comment),
		cmocka_unit_test(test_2_0_samples), cmocka_unit_test(test_2_1_locations),
		cmocka_unit_test(test_3_0_labels),  cmocka_unit_test(test_3_1_empty_value),
		cmocka_unit_test(test_3_2_running), cmocka_unit_test(test_4_0_escaped),
		cmocka_unit_test(test_4_1_clash),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
