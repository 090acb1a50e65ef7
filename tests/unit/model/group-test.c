/* Unit tests of src/model/group.c: mdl_group on snapshots built by hand, tasks in
 * every rotation of their order. By reason (1.N): groups biggest first then by key,
 * sites biggest first then by frame and creator, examples the smallest ids,
 * max_wait_ns, each site's newest and oldest wait (1.8), shown and hidden, tasks without a user
 * frame under their top frame, tasks that do not wait under their state. By function (2.N), by
 * stack and mdl_stack_cmp (3.N). By a label's value (5.N). qsort is replaced by one that reverses
 * ties (4.N). SPDX-License-Identifier: MIT */
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

/* 4.N: qsort need not be stable. This one (an insertion sort) puts elements that
 * compare equal in the reverse of their order, so an order that group.c leaves to
 * the order of qsort's input shows up here; group.c's calls bind to it. */
void
qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	unsigned char *b = base;

	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && cmp(b + (j - 1) * size, b + j * size) >= 0; j--) {
			unsigned char *x = b + (j - 1) * size, *y = b + j * size;

			for (size_t k = 0; k < size; k++) {
				unsigned char c = x[k];

				x[k] = y[k];
				y[k] = c;
			}
		}
	}
}

static const struct insp_reason_name test_reasons[] = {
	{ "chan-recv", "receive from a channel", false, { "chan receive" } },
	{ "mutex",
	  "sync.Mutex.Lock (semacquire before Go 1.20)",
	  false,
	  { "sync.Mutex.Lock", "semacquire" } },
	{ "gc",
	  "any of the garbage collector's own waits",
	  true,
	  { "GC worker (idle)", "finalizer wait" } },
	{ NULL, NULL, false, { NULL } },
};

static const struct insp_plugin test_plugin = {
	.abi = INSP_ABI_VERSION,
	.name = "test",
	.summary = "reason names for the grouping tests",
	.reasons = test_reasons,
};

static struct rt_plugin_set plugins = { .plugins = { &test_plugin }, .n = 1 };

#define SYS INSP_TASK_SYSTEM
#define ONT INSP_TASK_ON_THREAD
#define MIN 60000000000ll

struct loc {
	const char *func;
	uint32_t line;
};

/* A task that does not wait has its state as key (flag STATE). */
#define STATE (1u << 8)
#define GP    (&gopark)

static const struct loc gopark = { "runtime.gopark", 1 };
static const struct loc gopark400 = { "runtime.gopark", 400 };
static const struct loc mcall = { "runtime.mcall", 5 };

static const struct tdef {
	uint64_t id;
	const char *key;       /* the wait reason, or the state with STATE */
	struct loc user;       /* user_top; func NULL: none */
	const struct loc *top; /* top */
	struct loc go;         /* go_pc; func NULL: none */
	int64_t wait_ns;
	unsigned flags;
} tdefs[] = {
	/* IO wait: 6 at main.io, 3 at main.io2. */
	{ 55, "IO wait", { "main.io", 30 }, GP, { "main.main", 100 }, -1, 0 },
	{ 50, "IO wait", { "main.io", 30 }, GP, { "main.main", 100 }, -1, 0 },
	{ 60, "IO wait", { "main.io2", 31 }, GP, { "main.main", 101 }, -1, 0 },
	{ 53, "IO wait", { "main.io", 30 }, GP, { "main.main", 100 }, 70 * MIN, 0 },
	{ 51, "IO wait", { "main.io", 30 }, GP, { "main.main", 100 }, -1, 0 },
	{ 62, "IO wait", { "main.io2", 31 }, GP, { "main.main", 101 }, 2 * MIN, 0 },
	{ 54, "IO wait", { "main.io", 30 }, GP, { "main.main", 100 }, -1, 0 },
	{ 61, "IO wait", { "main.io2", 31 }, GP, { "main.main", 101 }, -1, 0 },
	{ 52, "IO wait", { "main.io", 30 }, GP, { "main.main", 100 }, -1, 0 },
	/* chan receive: 5 at main.recv created by main.main, 2 there by main.spawn. */
	{ 40, "chan receive", { "main.recv", 10 }, GP, { "main.main", 50 }, 5 * MIN, 0 },
	{ 90, "chan receive", { "main.recv", 10 }, GP, { "main.spawn", 60 }, -1, 0 },
	{ 12, "chan receive", { "main.recv", 10 }, GP, { "main.main", 50 }, 3 * MIN, 0 },
	{ 7, "chan receive", { "main.recv", 10 }, GP, { "main.main", 50 }, -1, 0 },
	{ 33, "chan receive", { "main.recv", 10 }, GP, { "main.main", 50 }, 0, 0 },
	{ 3, "chan receive", { "main.recv", 10 }, GP, { "main.spawn", 60 }, -1, 0 },
	{ 21, "chan receive", { "main.recv", 10 }, GP, { "main.main", 50 }, -1, 0 },
	/* select: 3 and 3 at main.mux from two go statements, one with no user frame. */
	{ 82, "select", { "main.mux", 40 }, GP, { "main.main", 53 }, -1, 0 },
	{ 71, "select", { "main.mux", 40 }, GP, { "main.main", 52 }, -1, 0 },
	{ 91, "select", { NULL, 0 }, &gopark400, { "runtime.init", 9 }, -1, 0 },
	{ 80, "select", { "main.mux", 40 }, GP, { "main.main", 53 }, -1, 0 },
	{ 70, "select", { "main.mux", 40 }, GP, { "main.main", 52 }, -1, 0 },
	{ 81, "select", { "main.mux", 40 }, GP, { "main.main", 53 }, -1, 0 },
	{ 72, "select", { "main.mux", 40 }, GP, { "main.main", 52 }, -1, 0 },
	/* Not waiting: grouped by state. */
	{ 5, "running", { "main.spin", 20 }, GP, { "main.main", 70 }, -1, ONT | STATE },
	{ 9, "runnable", { NULL, 0 }, &mcall, { NULL, 0 }, -1, STATE },
	{ 8, "runnable", { "main.w", 77 }, GP, { "main.main", 71 }, -1, STATE },
	/* The runtime's own. */
	{ 101, "GC worker (idle)", { NULL, 0 }, GP, { "runtime.gcStart", 3 }, -1, SYS },
	{ 100, "GC worker (idle)", { NULL, 0 }, GP, { "runtime.gcStart", 3 }, -1, SYS },
	{ 103, "finalizer wait", { NULL, 0 }, GP, { "runtime.createfing", 4 }, 9 * MIN, SYS },
	{ 102, "GC worker (idle)", { NULL, 0 }, GP, { "runtime.gcStart", 3 }, -1, SYS },
};

#define NTASKS (sizeof(tdefs) / sizeof(tdefs[0]))

static void
set_loc(struct insp_loc *l, const struct loc *d)
{
	l->func = d->func;
	l->file = d->func ? (strncmp(d->func, "runtime.", 8) == 0 ? "proc.go" : "main.go") : NULL;
	l->line = d->line;
	l->pc = 0x401000 + d->line;
}

/* The tasks in the order of tdefs, rotated by rot (the result must not depend on it). */
static void
build(struct mdl_snapshot *s, size_t ntasks, size_t rot)
{
	*s = (struct mdl_snapshot)MDL_SNAPSHOT_INIT;
	s->plugin = &test_plugin;
	s->tasks = calloc(ntasks + 1, sizeof(*s->tasks));
	assert_non_null(s->tasks);
	for (size_t i = 0; i < ntasks; i++) {
		const struct tdef *d = &tdefs[(i + rot) % ntasks];
		struct insp_task *t = arena_alloc(&s->arena, sizeof(*t));

		assert_non_null(t);
		t->id = d->id;
		t->state = d->flags & STATE ? d->key : "waiting";
		t->reason = d->flags & STATE ? NULL : d->key;
		t->wait_ns = d->wait_ns;
		set_loc(&t->user_top, &d->user);
		set_loc(&t->top, d->top);
		set_loc(&t->go_pc, &d->go);
		t->flags = d->flags & ~STATE;
		t->tid = d->flags & ONT ? 4242 : 0;
		s->tasks[s->ntasks++] = t;
	}
}

/* ---- the groupings expected ---- */

struct want_site {
	struct loc frame, creator;
	size_t count;
	uint64_t ex[MDL_EXAMPLES];
	int32_t tid; /* of the first task */
};

struct want_group {
	const char *key;
	size_t count;
	int64_t max_wait_ns;
	size_t nsites;
	struct want_site sites[4];
};

struct want {
	size_t ngroups, shown, hidden;
	struct want_group groups[8];
};

static const struct want_group io_wait = {
	"IO wait",
	9,
	70 * MIN,
	2,
	{ { { "main.io", 30 }, { "main.main", 100 }, 6, { 50, 51, 52 }, 0 },
	  { { "main.io2", 31 }, { "main.main", 101 }, 3, { 60, 61, 62 }, 0 } }
};
static const struct want_group chan_recv = {
	"chan receive",
	7,
	5 * MIN,
	2,
	{ { { "main.recv", 10 }, { "main.main", 50 }, 5, { 7, 12, 21 }, 0 },
	  { { "main.recv", 10 }, { "main.spawn", 60 }, 2, { 3, 90, 0 }, 0 } }
};
/* Two sites of 3 at the same frame: the one created first in the source first. */
static const struct want_group select_ = {
	"select",
	7,
	-1,
	3,
	{ { { "main.mux", 40 }, { "main.main", 52 }, 3, { 70, 71, 72 }, 0 },
	  { { "main.mux", 40 }, { "main.main", 53 }, 3, { 80, 81, 82 }, 0 },
	  { { "runtime.gopark", 400 }, { "runtime.init", 9 }, 1, { 91, 0, 0 }, 0 } }
};
static const struct want_group runnable = {
	"runnable",
	2,
	-1,
	2,
	{ { { "main.w", 77 }, { "main.main", 71 }, 1, { 8, 0, 0 }, 0 },
	  { { "runtime.mcall", 5 }, { NULL, 0 }, 1, { 9, 0, 0 }, 0 } }
};
static const struct want_group running = {
	"running", 1, -1, 1, { { { "main.spin", 20 }, { "main.main", 70 }, 1, { 5, 0, 0 }, 4242 } }
};
static const struct want_group gc_worker = {
	"GC worker (idle)",
	3,
	-1,
	1,
	{ { { "runtime.gopark", 1 }, { "runtime.gcStart", 3 }, 3, { 100, 101, 102 }, 0 } }
};
static const struct want_group finalizer = {
	"finalizer wait",
	1,
	9 * MIN,
	1,
	{ { { "runtime.gopark", 1 }, { "runtime.createfing", 4 }, 1, { 103, 0, 0 }, 0 } }
};

static bool
loc_is(const struct insp_loc *l, const struct loc *w)
{
	if (!w->func)
		return !l->func;
	return l->func && strcmp(l->func, w->func) == 0 && l->line == w->line;
}

static void
check_site(const char *label, const char *key, size_t j, const struct mdl_site *s,
	   const struct want_site *ws)
{
	if (!loc_is(s->frame, &ws->frame) || !loc_is(s->creator, &ws->creator))
		fail_msg("%s: '%s' site %zu is at %s:%u created by %s:%u; want %s:%u by %s:%u",
			 label, key, j, s->frame->func ? s->frame->func : "?", s->frame->line,
			 s->creator->func ? s->creator->func : "?", s->creator->line,
			 ws->frame.func ? ws->frame.func : "?", ws->frame.line,
			 ws->creator.func ? ws->creator.func : "?", ws->creator.line);
	if (s->count != ws->count || memcmp(s->examples, ws->ex, sizeof(s->examples)) != 0)
		fail_msg("%s: '%s' site %zu: count %zu e.g. %llu %llu %llu; want %zu e.g. %llu "
			 "%llu %llu",
			 label, key, j, s->count, (unsigned long long)s->examples[0],
			 (unsigned long long)s->examples[1], (unsigned long long)s->examples[2],
			 ws->count, (unsigned long long)ws->ex[0], (unsigned long long)ws->ex[1],
			 (unsigned long long)ws->ex[2]);
	/* The first task is the example with the smallest id, and stands there. */
	if (!s->first || s->first->id != ws->ex[0] || s->first->tid != ws->tid ||
	    mdl_task_frame(s->first) != s->frame || &s->first->go_pc != s->creator)
		fail_msg("%s: '%s' site %zu: first task %llu on thread %d; want %llu on %d", label,
			 key, j, s->first ? (unsigned long long)s->first->id : 0ull,
			 s->first ? (int)s->first->tid : 0, (unsigned long long)ws->ex[0],
			 (int)ws->tid);
}

static void
check(const char *label, const struct mdl_grouping *g, enum mdl_group_by by, const struct want *w)
{
	if (g->by != by || g->ngroups != w->ngroups || g->shown != w->shown ||
	    g->hidden != w->hidden)
		fail_msg("%s: by %d, %zu groups, %zu shown, %zu hidden; want %d, %zu, %zu, %zu",
			 label, g->by, g->ngroups, g->shown, g->hidden, by, w->ngroups, w->shown,
			 w->hidden);
	for (size_t i = 0; i < w->ngroups; i++) {
		const struct mdl_group *gr = &g->groups[i];
		const struct want_group *wg = &w->groups[i];

		if (strcmp(gr->key, wg->key) != 0 || gr->count != wg->count ||
		    gr->max_wait_ns != wg->max_wait_ns || gr->nsites != wg->nsites)
			fail_msg("%s: group %zu is '%s' count %zu max_wait %lld, %zu sites; want "
				 "'%s' %zu %lld, %zu",
				 label, i, gr->key, gr->count, (long long)gr->max_wait_ns,
				 gr->nsites, wg->key, wg->count, (long long)wg->max_wait_ns,
				 wg->nsites);
		for (size_t j = 0; j < wg->nsites; j++)
			check_site(label, wg->key, j, &gr->sites[j], &wg->sites[j]);
	}
}

/* Group the tasks of tdefs (the first ntasks) in every rotation of their order. */
static void
group_all_rotations(const char *label, bool system, const char *with, enum mdl_group_by by,
		    const struct want *w)
{
	for (size_t rot = 0; rot < NTASKS; rot++) {
		struct mdl_filter f = { .system = system };
		struct insp_err err = INSP_ERR_INIT;
		struct mdl_grouping g;
		struct mdl_snapshot s;
		char l[96];

		snprintf(l, sizeof(l), "%s, rotated %zu", label, rot);
		if (with && mdl_filter_add(&f, false, with, &plugins, &err) < 0)
			fail_msg("%s: %s", l, err.msg);
		build(&s, NTASKS, rot);
		if (mdl_group(&s, &f, by, &g, &err) < 0)
			fail_msg("%s: %s", l, err.msg);
		check(l, &g, by, w);
		mdl_snapshot_release(&s); /* s.img is NULL */
	}
}

/* 1.0: by reason, no filter: the runtime's tasks hidden. */
static void
test_1_0_reason(void **state)
{
	const struct want w = { 5, 26, 4, { io_wait, chan_recv, select_, runnable, running } };

	(void)state;
	group_all_rotations("1.0", false, NULL, MDL_GROUP_REASON, &w);
}

/* 1.1: with --system: nothing hidden, the runtime's groups in their place. */
static void
test_1_1_reason_system(void **state)
{
	const struct want w = {
		7, 30, 0, { io_wait, chan_recv, select_, gc_worker, runnable, finalizer, running }
	};

	(void)state;
	group_all_rotations("1.1", true, NULL, MDL_GROUP_REASON, &w);
}

/* 1.2 - 1.5: with a filter. hidden counts the runtime's tasks left out for want of
 * --system that meet the conditions, so that --system would show them (JSON
 * hidden_system); with --system none is hidden. */
static void
test_1_2_reason_filtered(void **state)
{
	const struct want w2 = { 1, 7, 0, { chan_recv } };
	const struct want w3 = { 0, 0, 4, { { NULL } } };
	const struct want w4 = { 2, 4, 0, { gc_worker, finalizer } };
	const struct want w5 = { 1, 7, 0, { chan_recv } };

	(void)state;
	group_all_rotations("1.2", false, "reason=chan-recv", MDL_GROUP_REASON, &w2);
	group_all_rotations("1.3", false, "reason=gc", MDL_GROUP_REASON, &w3);
	group_all_rotations("1.4", true, "reason=gc", MDL_GROUP_REASON, &w4);
	group_all_rotations("1.5", true, "reason=chan-recv", MDL_GROUP_REASON, &w5);
}

/* 1.6: an empty snapshot: no group, nothing shown or hidden. */
static void
test_1_6_empty(void **state)
{
	struct mdl_filter f = { 0 };
	struct insp_err err = INSP_ERR_INIT;
	struct mdl_grouping g;
	struct mdl_snapshot s;

	(void)state;
	for (int by = MDL_GROUP_REASON; by <= MDL_GROUP_FUNC; by++) {
		build(&s, 0, 0);
		assert_int_equal(mdl_group(&s, &f, by, &g, &err), 0);
		assert_int_equal(g.ngroups, 0);
		assert_int_equal(g.shown, 0);
		assert_int_equal(g.hidden, 0);
		mdl_snapshot_release(&s);
	}
}

/* 1.7: every task at a frame of its own: as many sites as tasks, in frame order. */
static void
test_1_7_one_per_site(void **state)
{
	static char funcs[40][16];
	struct mdl_filter f = { 0 };
	struct insp_err err = INSP_ERR_INIT;
	struct mdl_grouping g;
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;

	(void)state;
	s.tasks = calloc(40, sizeof(*s.tasks));
	assert_non_null(s.tasks);
	for (size_t i = 0; i < 40; i++) {
		struct insp_task *t = arena_alloc(&s.arena, sizeof(*t));

		assert_non_null(t);
		snprintf(funcs[i], sizeof(funcs[i]), "main.f%02zu", (i * 17) % 40);
		t->id = 1000 - i;
		t->state = "waiting";
		t->reason = "sleep";
		t->wait_ns = (int64_t)i;
		t->user_top.func = funcs[i];
		t->user_top.line = 1;
		s.tasks[s.ntasks++] = t;
	}
	assert_int_equal(mdl_group(&s, &f, MDL_GROUP_REASON, &g, &err), 0);
	assert_int_equal(g.ngroups, 1);
	assert_string_equal(g.groups[0].key, "sleep");
	assert_int_equal(g.groups[0].count, 40);
	assert_int_equal(g.groups[0].max_wait_ns, 39);
	assert_int_equal(g.groups[0].nsites, 40);
	for (size_t j = 0; j < 40; j++) {
		const struct mdl_site *site = &g.groups[0].sites[j];
		char want[16];

		snprintf(want, sizeof(want), "main.f%02zu", j);
		if (site->count != 1 || strcmp(site->frame->func, want) != 0 ||
		    site->examples[1] != 0 || site->creator->func != NULL)
			fail_msg("1.7: site %zu is %s count %zu, want %s count 1", j,
				 site->frame->func, site->count, want);
	}
	mdl_snapshot_release(&s);
}

/* 1.8: a site's waits are its own tasks' newest and oldest known wait, and the
 * count of its waiting tasks whose wait is unknown; a running task's unknown
 * wait is not counted; a site with none known has -1. */
static void
test_1_8_site_waits(void **state)
{
	static const struct {
		const char *func, *reason;
		int64_t wait;
	} tasks[] = {
		{ "main.a", "sleep", 30 }, { "main.a", "sleep", 10 }, { "main.a", "sleep", -1 },
		{ "main.a", "sleep", 20 }, { "main.b", "sleep", -1 }, { "main.b", "sleep", -1 },
		{ "main.c", "sleep", 7 },  { "main.d", NULL, -1 },
	};
	static const struct {
		const char *func;
		int64_t newest, oldest;
		size_t unknown;
	} want[] = {
		{ "main.a", 10, 30, 1 },
		{ "main.b", -1, -1, 2 },
		{ "main.c", 7, 7, 0 },
		{ "main.d", -1, -1, 0 },
	};
	struct mdl_filter f = { 0 };
	struct insp_err err = INSP_ERR_INIT;
	struct mdl_grouping g;
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	size_t n = sizeof(tasks) / sizeof(tasks[0]), found = 0;

	(void)state;
	s.tasks = calloc(n, sizeof(*s.tasks));
	assert_non_null(s.tasks);
	for (size_t i = 0; i < n; i++) {
		struct insp_task *t = arena_alloc(&s.arena, sizeof(*t));

		assert_non_null(t);
		t->id = i + 1;
		t->state = tasks[i].reason ? "waiting" : "running";
		t->reason = tasks[i].reason;
		t->wait_ns = tasks[i].wait;
		t->user_top.func = tasks[i].func;
		t->user_top.line = 1;
		s.tasks[s.ntasks++] = t;
	}
	assert_int_equal(mdl_group(&s, &f, MDL_GROUP_FUNC, &g, &err), 0);
	for (size_t i = 0; i < g.ngroups; i++)
		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
			const struct mdl_site *site = &g.groups[i].sites[0];

			if (strcmp(g.groups[i].key, want[k].func) != 0)
				continue;
			found++;
			if (g.groups[i].nsites != 1 || site->wait_newest_ns != want[k].newest ||
			    site->wait_oldest_ns != want[k].oldest ||
			    site->wait_unknown != want[k].unknown)
				fail_msg("1.8: %s: %zu sites, waits %lld-%lld, %zu unknown; want "
					 "%lld-%lld, %zu unknown",
					 want[k].func, g.groups[i].nsites,
					 (long long)site->wait_newest_ns,
					 (long long)site->wait_oldest_ns, site->wait_unknown,
					 (long long)want[k].newest, (long long)want[k].oldest,
					 want[k].unknown);
		}
	assert_int_equal(found, 4);
	mdl_snapshot_release(&s);
}

/* 2.0: by function (of the frame shown): groups biggest first then by name; the
 * sites of a group are its lines and creators. */
static void
test_2_0_func(void **state)
{
	const struct want w = {
		8,
		26,
		4,
		{ { "main.recv", 7, 5 * MIN, 2, { chan_recv.sites[0], chan_recv.sites[1] } },
		  { "main.io", 6, 70 * MIN, 1, { io_wait.sites[0] } },
		  { "main.mux", 6, -1, 2, { select_.sites[0], select_.sites[1] } },
		  { "main.io2", 3, 2 * MIN, 1, { io_wait.sites[1] } },
		  { "main.spin", 1, -1, 1, { running.sites[0] } },
		  { "main.w", 1, -1, 1, { runnable.sites[0] } },
		  { "runtime.gopark", 1, -1, 1, { select_.sites[2] } },
		  { "runtime.mcall", 1, -1, 1, { runnable.sites[1] } } },
	};

	(void)state;
	group_all_rotations("2.0", false, NULL, MDL_GROUP_FUNC, &w);
}

/* 2.1: tasks with no frame at all: by function under "?", by reason under their
 * reason, at a site whose frame is unknown. */
static void
test_2_1_no_frame(void **state)
{
	static const struct {
		enum mdl_group_by by;
		const char *keys[2];
		size_t counts[2];
	} t[] = {
		{ MDL_GROUP_FUNC, { "?", "main.x" }, { 2, 1 } },
		{ MDL_GROUP_REASON, { "sleep", NULL }, { 3, 0 } },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct mdl_filter f = { 0 };
		struct insp_err err = INSP_ERR_INIT;
		struct mdl_grouping g;
		struct mdl_snapshot s = MDL_SNAPSHOT_INIT;

		s.tasks = calloc(3, sizeof(*s.tasks));
		assert_non_null(s.tasks);
		for (size_t k = 0; k < 3; k++) {
			struct insp_task *task = arena_alloc(&s.arena, sizeof(*task));

			assert_non_null(task);
			task->id = 3 - k;
			task->state = "waiting";
			task->reason = "sleep";
			task->wait_ns = -1;
			task->top.func = k == 1 ? "main.x" : NULL;
			s.tasks[s.ntasks++] = task;
		}
		assert_int_equal(mdl_group(&s, &f, t[i].by, &g, &err), 0);
		for (size_t j = 0; j < 2 && t[i].keys[j]; j++) {
			if (j >= g.ngroups || strcmp(g.groups[j].key, t[i].keys[j]) != 0 ||
			    g.groups[j].count != t[i].counts[j])
				fail_msg("2.1.%zu: group %zu is not '%s' of %zu", i, j,
					 t[i].keys[j], t[i].counts[j]);
		}
		assert_int_equal(g.ngroups, t[i].keys[1] ? 2 : 1);
		/* The tasks with no frame share a site, ids 1 and 3. */
		assert_null(g.groups[0].sites[0].frame->func);
		assert_int_equal(g.groups[0].sites[0].examples[0], 1);
		assert_int_equal(g.groups[0].sites[0].examples[1], 3);
		mdl_snapshot_release(&s);
	}
}

/* ---- by stack ---- */

#define GOPARK                                                                                     \
	{                                                                                          \
		.loc = { "runtime.gopark", "proc.go", 1, 0 }                                       \
	}
#define FRAME(f, l)                                                                                \
	{                                                                                          \
		.loc = { f, "main.go", l, 0 }                                                      \
	}

static const struct insp_frame st_a[] = { GOPARK, FRAME("main.recv", 10), FRAME("main.a", 20) };
static const struct insp_frame st_b[] = { GOPARK, FRAME("main.recv", 10), FRAME("main.b", 30) };
static const struct insp_frame st_c[] = { GOPARK, FRAME("main.sel", 5), FRAME("main.c", 9) };
static const struct insp_frame st_d[] = { GOPARK, FRAME("main.recv", 11), FRAME("main.a", 20) };

static const struct sdef {
	uint64_t id;
	const char *reason;
	const struct insp_frame *frames;
	uint32_t nframes;
	bool cut;
	uint32_t go_line; /* created by main.main at this line */
} sdefs[] = {
	{ 11, "select", st_c, 3, false, 2 },
	{ 1, "chan receive", st_a, 3, false, 1 },
	{ 4, "chan receive", st_b, 3, false, 1 },
	{ 9, "select", st_c, 3, false, 1 },
	{ 7, "chan receive", st_a, 2, false, 1 }, /* a's first two frames */
	{ 2, "chan receive", st_a, 3, false, 1 },
	{ 12, "select", st_c, 3, false, 2 },
	{ 5, "chan receive", st_b, 3, false, 1 },
	{ 8, "chan receive", st_a, 3, true, 1 }, /* a, and more frames not kept */
	{ 3, "chan receive", st_a, 3, false, 1 },
	{ 10, "select", st_c, 3, false, 1 },
	{ 6, "chan receive", st_b, 3, false, 1 },
	{ 13, "chan receive", st_d, 3, false, 1 },
};

#define NSTACKS (sizeof(sdefs) / sizeof(sdefs[0]))

static void
build_stacks(struct mdl_snapshot *s, size_t rot)
{
	*s = (struct mdl_snapshot)MDL_SNAPSHOT_INIT;
	s->tasks = calloc(NSTACKS, sizeof(*s->tasks));
	assert_non_null(s->tasks);
	for (size_t i = 0; i < NSTACKS; i++) {
		const struct sdef *d = &sdefs[(i + rot) % NSTACKS];
		struct insp_task *t = arena_alloc(&s->arena, sizeof(*t));

		assert_non_null(t);
		t->id = d->id;
		t->state = "waiting";
		t->reason = d->reason;
		t->wait_ns = -1;
		t->frames = d->frames;
		t->nframes = d->nframes;
		t->frames_cut = d->cut;
		t->top = d->frames[0].loc;
		t->user_top = d->frames[1].loc;
		t->go_pc = (struct insp_loc){ "main.main", "main.go", d->go_line, 0 };
		s->tasks[s->ntasks++] = t;
	}
}

/* 3.0: by stack: one group per distinct stack (frames, their number, and whether
 * it was cut), biggest first; equal counts by the frame shown, then by stack. */
static void
test_3_0_stack(void **state)
{
	static const struct {
		size_t count, nsites;
		uint64_t ids[2][MDL_EXAMPLES]; /* examples of each site */
		const struct insp_frame *stack;
		uint32_t nframes;
		bool cut;
	} want[] = {
		{ 4, 2, { { 9, 10, 0 }, { 11, 12, 0 } }, st_c, 3, false },
		{ 3, 1, { { 1, 2, 3 } }, st_a, 3, false },
		{ 3, 1, { { 4, 5, 6 } }, st_b, 3, false },
		{ 1, 1, { { 7, 0, 0 } }, st_a, 2, false },
		{ 1, 1, { { 8, 0, 0 } }, st_a, 3, true },
		{ 1, 1, { { 13, 0, 0 } }, st_d, 3, false },
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);

	(void)state;
	for (size_t rot = 0; rot < NSTACKS; rot++) {
		struct mdl_filter f = { 0 };
		struct insp_err err = INSP_ERR_INIT;
		struct mdl_grouping g;
		struct mdl_snapshot s;

		build_stacks(&s, rot);
		assert_int_equal(mdl_group(&s, &f, MDL_GROUP_STACK, &g, &err), 0);
		if (g.ngroups != nwant || g.shown != NSTACKS)
			fail_msg("3.0 (rotated %zu): %zu groups, %zu shown; want %zu, %zu", rot,
				 g.ngroups, g.shown, nwant, NSTACKS);
		for (size_t i = 0; i < nwant; i++) {
			const struct mdl_group *gr = &g.groups[i];
			const struct insp_task *first = gr->sites[0].first;

			if (gr->count != want[i].count || gr->nsites != want[i].nsites ||
			    first->frames != want[i].stack || first->nframes != want[i].nframes ||
			    first->frames_cut != want[i].cut || strcmp(gr->key, first->reason) != 0)
				fail_msg("3.0 (rotated %zu): group %zu is task %llu's stack, count "
					 "%zu, %zu sites",
					 rot, i, (unsigned long long)first->id, gr->count,
					 gr->nsites);
			for (size_t j = 0; j < want[i].nsites; j++)
				if (memcmp(gr->sites[j].examples, want[i].ids[j],
					   sizeof(want[i].ids[j])) != 0)
					fail_msg("3.0 (rotated %zu): group %zu site %zu: e.g. %llu",
						 rot, i, j,
						 (unsigned long long)gr->sites[j].examples[0]);
		}
		mdl_snapshot_release(&s);
	}
}

/* 3.1: mdl_stack_cmp: 0 for the same stack, else an order: by frame, the shorter
 * first, the whole one before the cut one; antisymmetric. */
static void
test_3_1_stack_cmp(void **state)
{
	static const struct {
		const struct insp_frame *a;
		uint32_t na;
		bool cut_a;
		const struct insp_frame *b;
		uint32_t nb;
		bool cut_b;
		int want;
	} t[] = {
		{ st_a, 3, false, st_a, 3, false, 0 },  { st_a, 0, false, st_b, 0, false, 0 },
		{ st_a, 2, false, st_b, 2, false, 0 },  { st_a, 3, false, st_b, 3, false, -1 },
		{ st_a, 2, false, st_a, 3, false, -1 }, { st_a, 3, false, st_a, 3, true, -1 },
		{ st_a, 2, true, st_a, 3, false, -1 },  { st_a, 3, false, st_d, 3, false, -1 },
		{ st_c, 1, false, st_a, 1, false, 0 },  { st_b, 3, false, st_c, 3, false, -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct insp_task a = { .frames = t[i].a,
				       .nframes = t[i].na,
				       .frames_cut = t[i].cut_a };
		struct insp_task b = { .frames = t[i].b,
				       .nframes = t[i].nb,
				       .frames_cut = t[i].cut_b };
		int ab = mdl_stack_cmp(&a, &b), ba = mdl_stack_cmp(&b, &a);

		if ((ab > 0) - (ab < 0) != t[i].want || (ba > 0) - (ba < 0) != -t[i].want)
			fail_msg("3.1.%zu: cmp(a, b) %d, cmp(b, a) %d; want the sign %d", i, ab, ba,
				 t[i].want);
	}
}

/* 4.0: the qsort above reverses ties: check it sorts, and does. */
static int
cmp_tens(const void *a, const void *b)
{
	int x = *(const int *)a / 10, y = *(const int *)b / 10;

	return (x > y) - (x < y);
}

static void
test_4_0_qsort(void **state)
{
	int v[] = { 31, 10, 22, 11, 30, 12, 21, 0 };
	const int want[] = { 0, 12, 11, 10, 21, 22, 30, 31 };

	(void)state;
	qsort(v, sizeof(v) / sizeof(v[0]), sizeof(v[0]), cmp_tens);
	assert_memory_equal(v, want, sizeof(want));
}

/* 5.0: --group label=tenant: a group per value, one of the tasks without the
 * label, biggest first, ties by key; a site whose tasks have other labels than
 * its first says so; mdl_group never groups by label. */
static void
test_5_0_label(void **state)
{
	static const struct insp_label acme[] = { { "tenant", "acme" } };
	static const struct insp_label acme_api[] = { { "handler", "/api" }, { "tenant", "acme" } };
	static const struct insp_label globex[] = { { "tenant", "globex" } };
	static const struct {
		const struct insp_label *labels;
		uint32_t n;
	} defs[] = { { acme, 1 }, { globex, 1 }, { NULL, 0 },  { acme_api, 2 },
		     { acme, 1 }, { NULL, 0 },   { globex, 1 } };
	struct mdl_filter f = { 0 };
	struct insp_err err = INSP_ERR_INIT;
	struct mdl_grouping g;
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	size_t n = sizeof(defs) / sizeof(defs[0]);

	(void)state;
	s.tasks = calloc(n, sizeof(*s.tasks));
	assert_non_null(s.tasks);
	for (size_t i = 0; i < n; i++) {
		struct insp_task *t = arena_alloc(&s.arena, sizeof(*t));

		assert_non_null(t);
		t->id = i + 1;
		t->state = "waiting";
		t->reason = "chan receive";
		t->wait_ns = -1;
		t->user_top.func = "main.park";
		t->user_top.line = 1;
		t->labels = defs[i].labels;
		t->nlabels = defs[i].n;
		s.tasks[s.ntasks++] = t;
	}
	assert_int_equal(mdl_group_label(&s, &f, "tenant", &g, &err), 0);
	assert_int_equal(g.by, MDL_GROUP_LABEL);
	assert_string_equal(g.label, "tenant");
	assert_int_equal(g.ngroups, 3);
	assert_string_equal(g.groups[0].key, "tenant=acme");
	assert_string_equal(g.groups[0].label_value, "acme");
	assert_int_equal(g.groups[0].count, 3);
	assert_int_equal(g.groups[0].nsites, 1);
	assert_true(g.groups[0].sites[0].labels_differ); /* one has handler= too */
	assert_string_equal(g.groups[1].key, "(no tenant label)");
	assert_null(g.groups[1].label_value);
	assert_int_equal(g.groups[1].count, 2);
	assert_false(g.groups[1].sites[0].labels_differ);
	assert_string_equal(g.groups[2].key, "tenant=globex");
	assert_int_equal(g.groups[2].count, 2);
	assert_false(g.groups[2].sites[0].labels_differ);
	assert_int_equal(mdl_group(&s, &f, MDL_GROUP_LABEL, &g, &err), 0);
	assert_int_equal(g.by, MDL_GROUP_REASON);
	assert_int_equal(g.ngroups, 1);
	mdl_snapshot_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_reason),
		cmocka_unit_test(test_1_1_reason_system),
		cmocka_unit_test(test_1_2_reason_filtered),
		cmocka_unit_test(test_1_6_empty),
		cmocka_unit_test(test_1_7_one_per_site),
		cmocka_unit_test(test_1_8_site_waits),
		cmocka_unit_test(test_2_0_func),
		cmocka_unit_test(test_2_1_no_frame),
		cmocka_unit_test(test_3_0_stack),
		cmocka_unit_test(test_3_1_stack_cmp),
		cmocka_unit_test(test_4_0_qsort),
		cmocka_unit_test(test_5_0_label),
	};

	return cmocka_run_group_tests_name("group", tests, NULL, NULL) ? 1 : 0;
}
