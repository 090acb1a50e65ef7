/* Unit tests of src/model/filter.c: mdl_filter_add parsing reason=NAME, the
 * runtime's words bare or quoted (exact), lists of values, func=SUBSTRING,
 * running, leaked and user, and its errors with what is near (1.N); and
 * mdl_filter_match on a snapshot built by hand, with a plugin whose reason names
 * have a fallback (mutex) and an any-of name (gc), under three runtimes' reason
 * lists, tasks whose words the runtime decorates (durable, leaked, a synctest
 * bubble) among them (2.N).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

/* The shape of plugins/go/reasons.c. */
static const struct insp_reason_name test_reasons[] = {
	{ "chan-recv", "receive from a channel", false, { "chan receive" } },
	{ "select", "select with cases", false, { "select" } },
	{ "leaked", "found leaked by the GC", false, { "leaked" } },
	{ "mutex",
	  "sync.Mutex.Lock (semacquire before Go 1.20)",
	  false,
	  { "sync.Mutex.Lock", "semacquire" } },
	{ "semacquire", "any other runtime semaphore", false, { "semacquire" } },
	{ "gc",
	  "any of the garbage collector's own waits",
	  true,
	  { "GC assist wait", "GC worker (idle)", "finalizer wait" } },
	{ "running", "running on a thread", false, { "running" } },
	{ "runnable", "ready, waiting for a thread", false, { "runnable" } },
	{ "syscall", "in a system call", false, { "syscall" } },
	{ NULL, NULL, false, { NULL } },
};

static const struct insp_plugin test_plugin = {
	.abi = INSP_ABI_VERSION,
	.name = "test",
	.summary = "reason names for the filter tests",
	.reasons = test_reasons,
};

static struct rt_plugin_set plugins = { .plugins = { &test_plugin }, .n = 1 };

/* ---- 1.N: parsing ---- */

#define USE "use reason=NAME, func=SUBSTRING, running, leaked or user"

static const struct pcase {
	const char *spec;
	bool without;
	enum mdl_cond_kind kind;
	/* The values, '|' between them: N:short name, W:the runtime's words,
	 * E:exact (quoted), T:func text; "" for none. */
	const char *vals;
	const char *msg; /* NULL: accepted */
} pcases[] = {
	{ "reason=chan-recv", false, MDL_COND_REASON, "N:chan-recv", NULL },
	{ "reason=mutex", true, MDL_COND_REASON, "N:mutex", NULL },
	{ "reason=gc", false, MDL_COND_REASON, "N:gc", NULL },
	{ "reason=\"chan receive\"", false, MDL_COND_REASON, "E:chan receive", NULL },
	{ "reason='chan receive'", false, MDL_COND_REASON, "E:chan receive", NULL },
	{ "reason=\"no such reason\"", true, MDL_COND_REASON, "E:no such reason", NULL },
	{ "reason=\"\"", false, MDL_COND_REASON, "E:", NULL },
	/* 1.0.7: the words the report prints, as a shell or the REPL leaves them */
	{ "reason=chan receive", false, MDL_COND_REASON, "W:chan receive", NULL },
	{ "reason=sync.Mutex.Lock", false, MDL_COND_REASON, "W:sync.Mutex.Lock", NULL },
	{ "reason=select (durable), synctest bubble 2", false, MDL_COND_REASON,
	  "W:select (durable), synctest bubble 2", NULL },
	{ "reason=trace reader (blocked)", false, MDL_COND_REASON, "W:trace reader (blocked)",
	  NULL },
	{ "reason=chan receive (leaked)", false, MDL_COND_REASON, "W:chan receive (leaked)", NULL },
	{ "reason=select (no cases)", false, MDL_COND_REASON, "W:select (no cases)", NULL },
	{ "reason=select, synctest bubble 2", false, MDL_COND_REASON, "W:select, synctest bubble 2",
	  NULL },
	/* 1.0.14: lists */
	{ "reason=mutex,select", false, MDL_COND_REASON, "N:mutex|N:select", NULL },
	{ "reason=mutex,\"chan receive\",chan receive,gc", true, MDL_COND_REASON,
	  "N:mutex|E:chan receive|W:chan receive|N:gc", NULL },
	{ "func=main.worker", false, MDL_COND_FUNC, "T:main.worker", NULL },
	{ "func=a=b", true, MDL_COND_FUNC, "T:a=b", NULL },
	{ "func=main.a,main.b", false, MDL_COND_FUNC, "T:main.a|T:main.b", NULL },
	{ "running", true, MDL_COND_RUNNING, "", NULL },
	{ "leaked", false, MDL_COND_LEAKED, "", NULL },
	{ "user", false, MDL_COND_USER, "", NULL },
	{ "reason=leaked", false, MDL_COND_REASON, "N:leaked", NULL },
	/* 1.0.23: errors, and what is near */
	{ "reason=nosuch", false, 0, NULL,
	  "unknown reason name 'nosuch' (see 'inspect dump --help'; quote the runtime's "
	  "exact string: reason='\"nosuch\"')" },
	{ "reason=Mutex", false, 0, NULL, "unknown reason name 'Mutex' (did you mean 'mutex'?)" },
	{ "reason=chan-recieve", false, 0, NULL,
	  "unknown reason name 'chan-recieve' (did you mean 'chan receive'?)" },
	{ "reason=select,slect", false, 0, NULL,
	  "unknown reason name 'slect' (did you mean 'select'?)" },
	{ "reason=chan recieve", false, 0, NULL,
	  "unknown reason name 'chan recieve' (did you mean 'chan receive'?)" },
	{ "reason=\"", false, 0, NULL, "bad filter 'reason=\"': a quote is not closed" },
#define AFTER_QUOTE                                                                        \
	"after a quoted value comes the end or a comma and the next value (the runtime's " \
	"words with \", \" go whole in the quotes)"
	{ "reason=\"a\"b", false, 0, NULL, "bad filter 'reason=\"a\"b': " AFTER_QUOTE },
	{ "reason=\"sleep\", synctest bubble 2", false, 0, NULL,
	  "bad filter 'reason=\"sleep\", synctest bubble 2': " AFTER_QUOTE },
	{ "reason=\"sleep\",", false, 0, NULL, "bad filter 'reason=\"sleep\",': " AFTER_QUOTE },
	{ "reason=chan", false, 0, NULL,
	  "unknown reason name 'chan': the words have a blank, quote them whole: "
	  "reason=\"chan receive\"" },
	{ "reason=mutex,,gc", false, 0, NULL, "bad filter 'reason=mutex,,gc': a value is empty" },
	{ "reason=mutex,", false, 0, NULL, "bad filter 'reason=mutex,': a value is empty" },
	{ "reason=", false, 0, NULL, "bad filter 'reason=': a value is empty" },
	{ "func=", false, 0, NULL, "bad filter 'func=': a value is empty" },
	{ "func", false, 0, NULL, "bad filter 'func': " USE },
	{ "reasons=gc", false, 0, NULL,
	  "bad filter 'reasons=gc': did you mean 'reason=gc'? (" USE ")" },
	{ "resaon=select", false, 0, NULL,
	  "bad filter 'resaon=select': did you mean 'reason=select'? (" USE ")" },
	{ "funcs=x", false, 0, NULL, "bad filter 'funcs=x': did you mean 'func=x'? (" USE ")" },
	{ "running=1", false, 0, NULL, "bad filter 'running=1': " USE },
	{ "Running", false, 0, NULL, "bad filter 'Running': did you mean 'running'? (" USE ")" },
	{ "runing", false, 0, NULL, "bad filter 'runing': did you mean 'running'? (" USE ")" },
	{ "", false, 0, NULL, "bad filter '': " USE },
	{ "=gc", false, 0, NULL, "bad filter '=gc': " USE },
	{ "gc", false, 0, NULL, "bad filter 'gc': did you mean 'reason=gc'? (" USE ")" },
	{ "label=k", false, 0, NULL, "labels are not read yet" },
	{ "reason=gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc", false, 0, NULL,
	  "too many values in 'reason=gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc,gc' (at "
	  "most 16)" },
};

/* The values of c as pcase writes them. */
static void
describe(const struct mdl_cond *c, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->nvals && len < size; i++) {
		const struct mdl_value *v = &c->vals[i];
		char kind = c->kind == MDL_COND_FUNC ? 'T' : v->exact ? 'E' : v->name ? 'N' : 'W';

		if (v->name)
			len += snprintf(buf + len, size - len, "%s%c:%s", i ? "|" : "", kind,
					v->name->name);
		else
			len += snprintf(buf + len, size - len, "%s%c:%.*s", i ? "|" : "", kind,
					(int)v->len, v->text);
	}
}

/* 1.0: each spec alone: the condition it makes, or INSP_E_USAGE and the message
 * with nothing added. */
static void
test_1_0_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		const struct pcase *c = &pcases[i];
		struct mdl_filter f = { 0 };
		struct insp_err err = INSP_ERR_INIT;
		int rc = mdl_filter_add(&f, c->without, c->spec, &plugins, &err);
		char got[512];

		if (c->msg) {
			if (rc != -1 || err.code != INSP_E_USAGE || strcmp(err.msg, c->msg) != 0 ||
			    f.n != 0)
				fail_msg(
					"1.0.%zu '%s': rc %d, n %zu, error %d '%s'; want -1, 0, %d "
					"'%s'",
					i, c->spec, rc, f.n, err.code, err.msg, INSP_E_USAGE,
					c->msg);
			continue;
		}
		if (rc != 0 || f.n != 1)
			fail_msg("1.0.%zu '%s': rc %d (%s), n %zu", i, c->spec, rc, err.msg, f.n);
		if (f.conds[0].kind != c->kind || f.conds[0].without != c->without)
			fail_msg("1.0.%zu '%s': kind %d without %d, want %d %d", i, c->spec,
				 f.conds[0].kind, f.conds[0].without, c->kind, c->without);
		describe(&f.conds[0], got, sizeof(got));
		if (strcmp(got, c->vals) != 0)
			fail_msg("1.0.%zu '%s': values '%s', want '%s'", i, c->spec, got, c->vals);
	}
}

/* 1.1: conditions add up in order; a bad one in between changes nothing; the
 * 33rd is refused. */
static void
test_1_1_many(void **state)
{
	struct mdl_filter f = { 0 };
	struct insp_err err = INSP_ERR_INIT;

	(void)state;
	assert_int_equal(mdl_filter_add(&f, false, "reason=gc", &plugins, &err), 0);
	assert_int_equal(mdl_filter_add(&f, true, "nonsense", &plugins, &err), -1);
	assert_int_equal(mdl_filter_add(&f, true, "func=main.", &plugins, &err), 0);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.conds[0].kind, MDL_COND_REASON);
	assert_false(f.conds[0].without);
	assert_int_equal(f.conds[1].kind, MDL_COND_FUNC);
	assert_true(f.conds[1].without);
	while (f.n < MDL_MAX_CONDS)
		assert_int_equal(mdl_filter_add(&f, false, "running", &plugins, &err), 0);
	assert_int_equal(mdl_filter_add(&f, false, "running", &plugins, &err), -1);
	assert_int_equal(err.code, INSP_E_USAGE);
	assert_string_equal(err.msg, "too many filters (at most 32)");
	assert_int_equal(f.n, MDL_MAX_CONDS);
}

/* ---- 2.N: matching ---- */

#define SYS INSP_TASK_SYSTEM
#define ONT INSP_TASK_ON_THREAD
#define LKD INSP_TASK_LEAKED
#define DUR INSP_TASK_DURABLE

static const struct tdef {
	uint64_t id;
	const char *state, *reason;
	const char *user, *top; /* user_top.func (NULL: none) and top.func */
	unsigned flags;
	const char *plain, *words; /* reason_plain, words (NULL: none) */
} tdefs[] = {
	{ 1, "waiting", "chan receive", "main.recv", "runtime.gopark", 0, NULL, NULL },
	{ 2, "waiting", "sync.Mutex.Lock", "main.lock", "runtime.gopark", 0, NULL, NULL },
	{ 3, "waiting", "semacquire", "main.sem", "runtime.gopark", 0, NULL, NULL },
	{ 4, "waiting", "GC assist wait", "main.alloc", "runtime.gopark", 0, NULL, NULL },
	{ 5, "waiting", "GC worker (idle)", NULL, "runtime.gcBgMarkWorker", SYS, NULL, NULL },
	{ 6, "running", NULL, "main.spin", "main.spin", ONT, NULL, NULL },
	{ 7, "syscall", NULL, "main.read", "syscall.Syscall", ONT, NULL, NULL },
	{ 8, "runnable", NULL, "main.worker", "main.worker", 0, NULL, NULL },
	{ 9, "waiting", "finalizer wait", NULL, "runtime.runfinq", SYS, NULL, NULL },
	/* all in runtime; running without the thread flag */
	{ 10, "waiting", "chan receive", NULL, "runtime.gopark", 0, NULL, NULL },
	{ 11, "running", NULL, "main.tight", "main.tight", 0, NULL, NULL },
	{ 12, "waiting", "select", "main.mux", "runtime.gopark", 0, NULL, NULL },
	/* what plugins/go/words.c gives a durable wait in a bubble, a leaked one,
	 * and a wait in a bubble that is not durable */
	{ 13, "waiting", "select (durable)", "main.bubbled", "runtime.gopark", DUR, "select",
	  "select (durable), synctest bubble 1" },
	{ 14, "leaked", "chan receive (leaked)", "main.leak", "runtime.gopark", LKD, "chan receive",
	  NULL },
	{ 15, "waiting", "sync.Mutex.Lock", "main.locker", "runtime.gopark", 0, "sync.Mutex.Lock",
	  "sync.Mutex.Lock, synctest bubble 2" },
};

#define NTASKS (sizeof(tdefs) / sizeof(tdefs[0]))
#define T(id)  (1u << (id))
#define ALL    0xfffeu /* ids 1 to 15 */
#define SYSTEM (T(5) | T(9))

/* The reason lists of three runtimes: one with sync.Mutex.Lock (Go 1.20 on), one
 * without (Go 1.19), and none at all. */
enum { R_NEW, R_OLD, R_NONE };

static const char *const reasons_new[] = {
	"",       "chan receive",   "sync.Mutex.Lock",  "semacquire",
	"select", "GC assist wait", "GC worker (idle)", "finalizer wait",
};
static const char *const reasons_old[] = {
	"", "chan receive", "semacquire", "select", "GC assist wait", "GC worker (idle)",
};

static void
build(struct mdl_snapshot *s, int reasons)
{
	const char *const *r = reasons == R_NEW ? reasons_new : reasons_old;
	size_t nr = reasons == R_NEW   ? sizeof(reasons_new) / sizeof(reasons_new[0])
		    : reasons == R_OLD ? sizeof(reasons_old) / sizeof(reasons_old[0])
				       : 0;

	*s = (struct mdl_snapshot)MDL_SNAPSHOT_INIT;
	s->plugin = &test_plugin;
	s->tasks = calloc(NTASKS, sizeof(*s->tasks));
	s->reasons = calloc(nr + 1, sizeof(*s->reasons));
	assert_non_null(s->tasks);
	assert_non_null(s->reasons);
	for (size_t i = 0; i < nr; i++)
		s->reasons[s->nreasons++] = r[i];
	for (size_t i = 0; i < NTASKS; i++) {
		struct insp_task *t = arena_alloc(&s->arena, sizeof(*t));

		assert_non_null(t);
		t->id = tdefs[i].id;
		t->state = tdefs[i].state;
		t->reason = tdefs[i].reason;
		t->reason_plain = tdefs[i].plain;
		t->words = tdefs[i].words;
		t->wait_ns = -1;
		t->top.func = tdefs[i].top;
		t->user_top.func = tdefs[i].user;
		t->flags = tdefs[i].flags;
		t->tid = tdefs[i].flags & ONT ? (int32_t)(1000 + t->id) : 0;
		s->tasks[s->ntasks++] = t;
	}
}

static const struct mcase {
	int reasons;
	bool system;
	const char *with[3], *without[3];
	unsigned want; /* T(id) of the tasks that pass */
} mcases[] = {
	/* 2.0 - 2.1: no condition: every task but the runtime's, unless system. */
	{ R_NEW, false, { NULL }, { NULL }, ALL & ~SYSTEM },
	{ R_NEW, true, { NULL }, { NULL }, ALL },
	/* 2.2: a plain name. */
	{ R_NEW, false, { "reason=chan-recv" }, { NULL }, T(1) | T(10) | T(14) },
	/* 2.3 - 2.6: mutex is sync.Mutex.Lock where the runtime has it, semacquire
	 * where it does not; with no list at all, the first string. */
	{ R_NEW, false, { "reason=mutex" }, { NULL }, T(2) | T(15) },
	{ R_OLD, false, { "reason=mutex" }, { NULL }, T(3) },
	{ R_NONE, false, { "reason=mutex" }, { NULL }, T(2) | T(15) },
	{ R_NEW, false, { "reason=semacquire" }, { NULL }, T(3) },
	/* 2.7 - 2.9: gc is any of its strings; the runtime's own only with system. */
	{ R_NEW, false, { "reason=gc" }, { NULL }, T(4) },
	{ R_NEW, true, { "reason=gc" }, { NULL }, T(4) | T(5) | T(9) },
	{ R_OLD, true, { "reason=gc" }, { NULL }, T(4) | T(5) | T(9) },
	/* 2.10 - 2.15: exact strings, whole and case-sensitive. */
	{ R_NEW, false, { "reason=\"chan receive\"" }, { NULL }, T(1) | T(10) },
	{ R_NEW, true, { "reason=\"GC worker (idle)\"" }, { NULL }, T(5) },
	{ R_NEW, true, { "reason=\"GC worker\"" }, { NULL }, 0 },
	{ R_NEW, false, { "reason=\"chan receive (nil chan)\"" }, { NULL }, 0 },
	{ R_NEW, false, { "reason=\"Chan receive\"" }, { NULL }, 0 },
	{ R_OLD, false, { "reason=\"sync.Mutex.Lock\"" }, { NULL }, T(2) | T(15) },
	/* 2.16 - 2.18: state words: a task that does not wait is its state. */
	{ R_NEW, false, { "reason=running" }, { NULL }, T(6) | T(11) },
	{ R_OLD, false, { "reason=syscall" }, { NULL }, T(7) },
	{ R_NEW, false, { "reason=\"runnable\"" }, { NULL }, T(8) },
	/* 2.19 - 2.22: func= looks at the frame shown: the user frame, else the top. */
	{ R_NEW, false, { "func=main." }, { NULL }, ALL & ~SYSTEM & ~T(10) },
	{ R_NEW, false, { "func=gopark" }, { NULL }, T(10) },
	{ R_NEW, true, { "func=gcBgMark" }, { NULL }, T(5) },
	{ R_NEW, false, { "func=main.recv" }, { NULL }, T(1) },
	/* 2.23 - 2.24: running: on a thread, or in state running. */
	{ R_NEW, false, { "running" }, { NULL }, T(6) | T(7) | T(11) },
	{ R_NEW, false, { NULL }, { "running" }, ALL & ~SYSTEM & ~(T(6) | T(7) | T(11)) },
	/* 2.25 - 2.30: --without negates; all conditions must hold. */
	{ R_NEW, false, { "reason=chan-recv" }, { "func=main.recv" }, T(10) | T(14) },
	{ R_NEW, true, { NULL }, { "reason=gc" }, ALL & ~(T(4) | T(5) | T(9)) },
	{ R_NEW, false, { "reason=chan-recv", "func=main.recv" }, { NULL }, T(1) },
	{ R_OLD, false, { "reason=mutex", "reason=semacquire" }, { NULL }, T(3) },
	{ R_NEW, false, { "reason=mutex", "reason=semacquire" }, { NULL }, 0 },
	{ R_NEW, true, { NULL }, { "reason=gc", "running", "func=main." }, T(10) },
	/* 2.31 - 2.34: a short name matches the decorated words: the durable and
	 * leaked variants, whatever the bubble, on any runtime's list */
	{ R_NEW, false, { "reason=select" }, { NULL }, T(12) | T(13) },
	{ R_OLD, false, { "reason=chan-recv" }, { NULL }, T(1) | T(10) | T(14) },
	{ R_NEW, false, { "reason=leaked" }, { NULL }, T(14) },
	{ R_NONE, false, { "reason=leaked" }, { NULL }, T(14) },
	/* 2.35 - 2.36: leaked is the leaked flag */
	{ R_NEW, false, { "leaked" }, { NULL }, T(14) },
	{ R_NEW, false, { NULL }, { "leaked" }, ALL & ~SYSTEM & ~T(14) },
	/* 2.37 - 2.41: an exact string is the words shown, with or without the
	 * bubble; the runtime's undecorated string is not the decorated one */
	{ R_NEW, false, { "reason=\"select (durable)\"" }, { NULL }, T(13) },
	{ R_NEW, false, { "reason=\"select (durable), synctest bubble 1\"" }, { NULL }, T(13) },
	{ R_NEW, false, { "reason=\"select (durable), synctest bubble 2\"" }, { NULL }, 0 },
	{ R_NEW, false, { "reason=\"select\"" }, { NULL }, T(12) },
	{ R_NEW, false, { "reason=\"chan receive (leaked)\"" }, { NULL }, T(14) },
	/* 2.42 - 2.47: the runtime's words unquoted are the words shown, or the
	 * runtime's string without what the traceback adds; as they are, whatever
	 * the runtime's list */
	{ R_NEW, false, { "reason=chan receive" }, { NULL }, T(1) | T(10) | T(14) },
	{ R_NEW, false, { "reason=select (durable)" }, { NULL }, T(13) },
	{ R_NEW, false, { "reason=select (durable), synctest bubble 1" }, { NULL }, T(13) },
	{ R_OLD, false, { "reason=sync.Mutex.Lock" }, { NULL }, T(2) | T(15) },
	{ R_NEW, false, { "reason='select'" }, { NULL }, T(12) },
	{ R_NEW, false, { "reason=select" }, { NULL }, T(12) | T(13) },
	/* 2.48 - 2.52: any value of a list */
	{ R_NEW, false, { "reason=mutex,select" }, { NULL }, T(2) | T(15) | T(12) | T(13) },
	{ R_OLD, false, { "reason=mutex,\"chan receive\"" }, { NULL }, T(3) | T(1) | T(10) },
	{ R_NEW,
	  true,
	  { NULL },
	  { "reason=chan-recv,gc" },
	  ALL & ~(T(1) | T(10) | T(14) | T(4) | T(5) | T(9)) },
	{ R_NEW, false, { "func=main.recv,main.spin" }, { NULL }, T(1) | T(6) },
	{ R_NEW, false, { "func=main.recv,main.spin", "reason=running" }, { NULL }, T(6) },
};

static void
test_2_match(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(mcases) / sizeof(mcases[0]); c++) {
		const struct mcase *m = &mcases[c];
		struct mdl_filter f = { .system = m->system };
		struct insp_err err = INSP_ERR_INIT;
		struct mdl_snapshot s;
		unsigned got = 0;

		for (size_t i = 0; i < 3 && m->with[i]; i++)
			if (mdl_filter_add(&f, false, m->with[i], &plugins, &err) < 0)
				fail_msg("2.%zu: '%s': %s", c, m->with[i], err.msg);
		for (size_t i = 0; i < 3 && m->without[i]; i++)
			if (mdl_filter_add(&f, true, m->without[i], &plugins, &err) < 0)
				fail_msg("2.%zu: '%s': %s", c, m->without[i], err.msg);
		build(&s, m->reasons);
		for (size_t i = 0; i < s.ntasks; i++)
			if (mdl_filter_match(&f, &s, s.tasks[i]))
				got |= T(s.tasks[i]->id);
		mdl_snapshot_release(&s); /* s.img is NULL */
		if (got != m->want)
			fail_msg("2.%zu: tasks 0x%04x pass, want 0x%04x (bit N: task N)", c, got,
				 m->want);
	}
}

/* 3.0: mdl_task_key and mdl_task_frame. */
static void
test_3_0_key_frame(void **state)
{
	struct insp_task t = { .state = "waiting", .reason = "select" };

	(void)state;
	t.top.func = "runtime.gopark";
	assert_string_equal(mdl_task_key(&t), "select");
	assert_ptr_equal(mdl_task_frame(&t), &t.top);
	t.user_top.func = "main.mux";
	assert_ptr_equal(mdl_task_frame(&t), &t.user_top);
	t.reason = NULL;
	t.state = "runnable";
	assert_string_equal(mdl_task_key(&t), "runnable");
	t.words = "runnable, synctest bubble 3";
	assert_string_equal(mdl_task_key(&t), "runnable, synctest bubble 3");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_parse),
		cmocka_unit_test(test_1_1_many),
		cmocka_unit_test(test_2_match),
		cmocka_unit_test(test_3_0_key_frame),
	};

	return cmocka_run_group_tests_name("filter", tests, NULL, NULL) ? 1 : 0;
}
