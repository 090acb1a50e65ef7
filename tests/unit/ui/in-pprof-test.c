/* Unit tests of src/ui/in-pprof.c: inspect's own profile (out-pprof.c) of a
 * snapshot made in memory, read back: a sample per stack and label set, its
 * goroutines as the task's weight, frames innermost first with the inlined
 * call before its frame, inspect's labels as reason, state and wait, the
 * frame shown from the plugin's hook (1.0); a profile without inspect's
 * labels, as the runtime writes it, plain (1.1). Broken and hostile files,
 * each refused with INSP_E_USAGE and a message naming the file: a cut or
 * corrupt gzip stream, bytes that are no protocol buffer, another sample
 * type, strings, locations and counts out of range, a stream that inflates
 * past the limit (2.N); more samples or frames than a profile can have, which
 * would take memory out of proportion to the file (2.4).
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
#include "target/target.h"
#include "ui/ui.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__ValueType ValueType;

#define MIN_NS INT64_C(60000000000)

/* runtime.gopark <- main.inl inlined into main.work <- the start function's
 * wrapper <- runtime.goexit */
static const struct insp_frame stack[] = {
	{ .loc = { "runtime.gopark", "proc.go", 462, 0x1001 }, .call_site = true },
	{ .loc = { "main.inl", "x.go", 5, 0x2001 }, .inlined = true, .call_site = true },
	{ .loc = { "main.work", "x.go", 10, 0x2001 }, .call_site = true },
	{ .loc = { "main.main.gowrap1", "x.go", 20, 0x3001 }, .wrapper = true, .call_site = true },
	{ .loc = { "runtime.goexit", "asm.s", 1700, 0x4001 }, .call_site = true },
};
static const struct insp_label acme[] = { { "tenant", "acme" } };

/* The plugin's hook, as a stand-in: the first frame of main. */
static void
shown(struct insp_task *t)
{
	for (uint32_t i = 0; i < t->nframes; i++)
		if (t->frames[i].loc.func && strncmp(t->frames[i].loc.func, "main.", 5) == 0) {
			t->user_top = t->frames[i].loc;
			return;
		}
}

static const struct insp_plugin plugin = { .name = "go", .frame_shown = shown };

static struct insp_task
parked(uint64_t id, const char *reason)
{
	return (struct insp_task){ .id = id,
				   .state = "waiting",
				   .reason = reason,
				   .wait_ns = 3 * MIN_NS + 5,
				   .start = { "main.main.gowrap1", "x.go", 20, 0x3000 },
				   .frames = stack,
				   .nframes = 5,
				   .labels = acme,
				   .nlabels = 1 };
}

/* The task of s whose reason is r (NULL: state running). */
static const struct insp_task *
task_of(const struct mdl_snapshot *s, const char *r)
{
	for (size_t i = 0; i < s->ntasks; i++)
		if (r ? s->tasks[i]->reason && strcmp(s->tasks[i]->reason, r) == 0
		      : strcmp(s->tasks[i]->state, "running") == 0)
			return s->tasks[i];
	fail_msg("no task of %s", r ? r : "running");
	return NULL;
}

/* 1.0 inspect's profile of 3 goroutines in chan receive (one sample), 1 in
 * select, 1 running without frames, read back. */
static void
test_1_0_inspect(void **state)
{
	struct insp_task tasks[5];
	struct insp_task *ptrs[5];
	struct mdl_snapshot in = MDL_SNAPSHOT_INIT, s = MDL_SNAPSHOT_INIT;
	struct mdl_grouping g;
	static const struct mdl_filter all = { .system = true };
	struct ui_dump_opts o;
	struct insp_err err = INSP_ERR_INIT;
	static unsigned char gz[1 << 16];
	const struct insp_task *t;
	FILE *f = tmpfile();
	bool rt = true;
	size_t n;

	(void)state;
	for (int i = 0; i < 3; i++)
		tasks[i] = parked((uint64_t)i + 1, "chan receive");
	tasks[3] = parked(4, "select");
	tasks[4] = (struct insp_task){ .id = 5,
				       .state = "running",
				       .wait_ns = -1,
				       .top = { "main.spin", "x.go", 30, 0x5000 } };
	for (int i = 0; i < 5; i++)
		ptrs[i] = &tasks[i];
	in.tasks = ptrs;
	in.ntasks = 5;
	in.stop_ns = tgt_now_ns();
	memset(&o, 0, sizeof(o));
	assert_non_null(f);
	assert_int_equal(ui_write_pprof(f, &in, &o, NULL, &err), 0);
	rewind(f);
	n = fread(gz, 1, sizeof(gz), f);
	fclose(f);
	assert_int_equal(ui_load_pprof("a.pb.gz", gz, n, &plugin, &s, &rt, &err), 0);
	assert_false(rt);
	assert_int_equal(s.ntasks, 3);
	t = task_of(&s, "chan receive");
	assert_int_equal(t->weight, 3);
	assert_string_equal(t->state, "waiting");
	assert_int_equal(t->wait_ns, 3 * MIN_NS);
	assert_int_equal(t->nlabels, 1);
	assert_string_equal(t->labels[0].key, "tenant");
	assert_string_equal(t->labels[0].value, "acme");
	/* the wrapper and goexit left out by the writer */
	assert_int_equal(t->nframes, 3);
	assert_string_equal(t->frames[0].loc.func, "runtime.gopark");
	assert_string_equal(t->frames[1].loc.func, "main.inl");
	assert_true(t->frames[1].inlined);
	assert_string_equal(t->frames[2].loc.func, "main.work");
	assert_false(t->frames[2].inlined);
	assert_int_equal(t->frames[2].loc.line, 10);
	assert_string_equal(t->top.func, "runtime.gopark");
	assert_string_equal(mdl_task_frame(t)->func, "main.inl");
	assert_int_equal(task_of(&s, "select")->weight, 1);
	t = task_of(&s, NULL);
	assert_int_equal(t->wait_ns, -1);
	assert_string_equal(mdl_task_frame(t)->func, "main.spin");
	/* grouped, the weights count */
	assert_int_equal(mdl_group(&s, &all, MDL_GROUP_REASON, &g, &err), 0);
	assert_int_equal(g.shown, 5);
	assert_string_equal(g.groups[0].key, "chan receive");
	assert_int_equal(g.groups[0].count, 3);
	assert_int_equal(g.groups[0].sites[0].count, 3);
	mdl_snapshot_release(&s);
}

/* A small profile built field by field, for the runtime's shape and for
 * breaking it. */
struct mini {
	char *strings[12];
	ValueType type, *types[1];
	Function fn[2], *fns[2];
	Line line[2], *lines[2];
	Location loc, *locs[1];
	uint64_t loc_ids[1];
	int64_t values[1];
	Label label, *labels[1];
	Sample sample, *samples[1];
	Profile p;
};

static void
mini_init(struct mini *m)
{
	static const char *const strs[] = { "",     "goroutine",  "count",  "main.work",
					    "x.go", "main.inl",   "tenant", "acme",
					    "cpu",  "nanoseconds" };

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		m->strings[i] = (char *)strs[i];
	perftools__profiles__profile__init(&m->p);
	perftools__profiles__value_type__init(&m->type);
	m->type.type = 1;
	m->type.unit = 2;
	m->types[0] = &m->type;
	for (int i = 0; i < 2; i++) {
		perftools__profiles__function__init(&m->fn[i]);
		m->fn[i].id = (uint64_t)i + 1;
		m->fn[i].name = i ? 5 : 3;
		m->fn[i].filename = 4;
		m->fns[i] = &m->fn[i];
		perftools__profiles__line__init(&m->line[i]);
		m->lines[i] = &m->line[i];
	}
	/* main.inl (line 5) inlined into main.work (line 10) */
	m->line[0].function_id = 2;
	m->line[0].line = 5;
	m->line[1].function_id = 1;
	m->line[1].line = 10;
	perftools__profiles__location__init(&m->loc);
	m->loc.id = 7;
	m->loc.address = 0x2000;
	m->loc.n_line = 2;
	m->loc.line = m->lines;
	m->locs[0] = &m->loc;
	perftools__profiles__label__init(&m->label);
	m->label.key = 6;
	m->label.str = 7;
	m->labels[0] = &m->label;
	perftools__profiles__sample__init(&m->sample);
	m->loc_ids[0] = 7;
	m->values[0] = 4;
	m->sample.n_location_id = 1;
	m->sample.location_id = m->loc_ids;
	m->sample.n_value = 1;
	m->sample.value = m->values;
	m->sample.n_label = 1;
	m->sample.label = m->labels;
	m->samples[0] = &m->sample;
	m->p.n_string_table = 10;
	m->p.string_table = m->strings;
	m->p.n_sample_type = 1;
	m->p.sample_type = m->types;
	m->p.n_function = 2;
	m->p.function = m->fns;
	m->p.n_location = 1;
	m->p.location = m->locs;
	m->p.n_sample = 1;
	m->p.sample = m->samples;
}

/* p packed (malloc'd), gzipped when gzip. */
static unsigned char *
pack(const Profile *p, bool gzip, size_t *n)
{
	size_t len = perftools__profiles__profile__get_packed_size(p);
	unsigned char *raw = malloc(len + 1), *gz;
	z_stream z = { 0 };

	assert_non_null(raw);
	perftools__profiles__profile__pack(p, raw);
	if (!gzip) {
		*n = len;
		return raw;
	}
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	gz = malloc(deflateBound(&z, len) + 64);
	assert_non_null(gz);
	z.next_in = raw;
	z.avail_in = (uInt)len;
	z.next_out = gz;
	z.avail_out = (uInt)(deflateBound(&z, len) + 64);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*n = z.total_out;
	deflateEnd(&z);
	free(raw);
	return gz;
}

/* 1.1 the runtime's shape (no inspect labels), plain and gzipped alike. */
static void
test_1_1_runtime(void **state)
{
	struct mini m;
	struct insp_err err = INSP_ERR_INIT;

	(void)state;
	mini_init(&m);
	for (int gzip = 0; gzip < 2; gzip++) {
		struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
		size_t n;
		unsigned char *b = pack(&m.p, gzip, &n);
		const struct insp_task *t;
		bool rt = false;

		assert_int_equal(ui_load_pprof("rt.pb", b, n, NULL, &s, &rt, &err), 0);
		assert_true(rt);
		assert_int_equal(s.ntasks, 1);
		t = s.tasks[0];
		assert_int_equal(t->weight, 4);
		assert_string_equal(t->state, "?");
		assert_null(t->reason);
		assert_int_equal(t->wait_ns, -1);
		assert_int_equal(t->nframes, 2);
		assert_string_equal(t->frames[0].loc.func, "main.inl");
		assert_true(t->frames[0].inlined);
		assert_string_equal(t->frames[1].loc.func, "main.work");
		assert_int_equal(t->frames[1].loc.line, 10);
		/* no plugin: the innermost frame is shown */
		assert_string_equal(mdl_task_frame(t)->func, "main.inl");
		assert_string_equal(mdl_task_label(t, "tenant", 6), "acme");
		mdl_snapshot_release(&s);
		free(b);
	}
}

static void
refused(const unsigned char *b, size_t n, const char *msg)
{
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;
	bool rt = false;

	assert_int_equal(ui_load_pprof("bad.pb.gz", b, n, &plugin, &s, &rt, &err), -1);
	assert_int_equal(err.code, INSP_E_USAGE);
	if (!strstr(err.msg, "'bad.pb.gz'") || !strstr(err.msg, msg))
		fail_msg("message '%s', want '%s'", err.msg, msg);
	mdl_snapshot_release(&s);
}

/* p, packed (gzipped when gzip), refused with msg. */
static void
refused_profile(const Profile *p, bool gzip, const char *msg)
{
	size_t n;
	unsigned char *b = pack(p, gzip, &n);

	refused(b, n, msg);
	free(b);
}

/* 2.0 a gzip stream cut short, a corrupt one, bytes that are no profile */
static void
test_2_0_gzip(void **state)
{
	struct mini m;
	size_t n;
	unsigned char *b;
	static const unsigned char junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2 };

	(void)state;
	mini_init(&m);
	b = pack(&m.p, true, &n);
	refused(b, n / 2, "cut short");
	refused(b, 2, "cut short");
	b[12] ^= 0xff;
	b[13] ^= 0xff;
	b[n - 5] ^= 0xff; /* the CRC, if the data still inflates */
	refused(b, n, "not a valid gzip stream");
	free(b);
	refused(junk, sizeof(junk), "does not decode");
}

/* 2.1 another sample type; none; a string table without "" first */
static void
test_2_1_types(void **state)
{
	struct mini m;

	(void)state;
	mini_init(&m);
	m.type.type = 8;
	m.type.unit = 9;
	refused_profile(&m.p, true, "is a profile of cpu/nanoseconds, not of goroutines");
	m.p.n_sample_type = 0;
	refused_profile(&m.p, true, "no sample type");
	mini_init(&m);
	m.strings[0] = "x";
	refused_profile(&m.p, true, "string table");
	mini_init(&m);
	m.type.unit = 99;
	refused_profile(&m.p, true, "out of the table");
}

/* 2.2 indexes and counts out of range */
static void
test_2_2_indexes(void **state)
{
	struct mini m;
	size_t n;
	unsigned char *b;

	(void)state;
	mini_init(&m);
	m.fn[0].name = 10; /* one past the table */
	refused_profile(&m.p, true, "out of the table in function");
	mini_init(&m);
	m.label.str = -1;
	refused_profile(&m.p, true, "label with a string out of the table");
	mini_init(&m);
	m.loc_ids[0] = 8;
	refused_profile(&m.p, true, "names a location the profile lacks, id 8");
	mini_init(&m);
	m.values[0] = -1;
	refused_profile(&m.p, true, "counts goroutines past any");
	mini_init(&m);
	m.values[0] = INT64_MAX;
	refused_profile(&m.p, true, "counts goroutines past any");
	mini_init(&m);
	m.sample.n_value = 0;
	refused_profile(&m.p, true, "number of values");
	/* a function id no function has: a frame of unknown function */
	mini_init(&m);
	m.line[1].function_id = 42;
	{
		struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
		struct insp_err err = INSP_ERR_INIT;
		bool rt;

		b = pack(&m.p, false, &n);
		assert_int_equal(ui_load_pprof("f.pb", b, n, NULL, &s, &rt, &err), 0);
		assert_null(s.tasks[0]->frames[1].loc.func);
		mdl_snapshot_release(&s);
		free(b);
	}
}

/* 2.3 a stream that inflates past 256 MiB (zeros: 300 MiB in ~300 KB) */
static void
test_2_3_bomb(void **state)
{
	static unsigned char zeros[1 << 20];
	z_stream z = { 0 };
	size_t cap = 4 << 20;
	unsigned char *gz = malloc(cap);

	(void)state;
	assert_non_null(gz);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_out = gz;
	z.avail_out = (uInt)cap;
	for (int i = 0; i < 300; i++) {
		z.next_in = zeros;
		z.avail_in = sizeof(zeros);
		assert_int_equal(deflate(&z, i == 299 ? Z_FINISH : Z_NO_FLUSH),
				 i == 299 ? Z_STREAM_END : Z_OK);
		assert_int_equal(z.avail_in, 0);
	}
	refused(gz, z.total_out, "inflates to more than a profile can be (256 MiB)");
	deflateEnd(&z);
	free(gz);
}

/* 2.4 a million samples and more; a location of 1,024 lines in 4,097
 * samples (4,195,328 frames); an empty label value is a string */
static void
test_2_4_memory(void **state)
{
	struct mini m;
	size_t n, big = (1u << 20) + 1;
	unsigned char *b;
	Sample **many = malloc(big * sizeof(*many));
	Line *lines = calloc(1024, sizeof(*lines));
	Line **pl = calloc(1024, sizeof(*pl));
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;
	bool rt;

	(void)state;
	assert_non_null(many);
	assert_non_null(lines);
	assert_non_null(pl);
	mini_init(&m);
	for (size_t i = 0; i < big; i++)
		many[i] = &m.sample;
	m.p.sample = many;
	m.p.n_sample = big;
	refused_profile(&m.p, false, "more samples than a profile can");
	for (int i = 0; i < 1024; i++) {
		perftools__profiles__line__init(&lines[i]);
		lines[i].function_id = 1;
		lines[i].line = i + 1;
		pl[i] = &lines[i];
	}
	m.loc.line = pl;
	m.loc.n_line = 1024;
	m.p.n_sample = 4097;
	refused_profile(&m.p, true, "more frames than a profile can");
	mini_init(&m);
	m.strings[10] = ""; /* a second "" */
	m.p.n_string_table = 11;
	m.label.str = 10;
	b = pack(&m.p, false, &n);
	assert_int_equal(ui_load_pprof("e.pb", b, n, NULL, &s, &rt, &err), 0);
	assert_string_equal(mdl_task_label(s.tasks[0], "tenant", 6), "");
	mdl_snapshot_release(&s);
	free(b);
	free(many);
	free(lines);
	free(pl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_inspect), cmocka_unit_test(test_1_1_runtime),
		cmocka_unit_test(test_2_0_gzip),    cmocka_unit_test(test_2_1_types),
		cmocka_unit_test(test_2_2_indexes), cmocka_unit_test(test_2_3_bomb),
		cmocka_unit_test(test_2_4_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
