/* Unit tests of src/model/delta.c (and loaded.c's mdl_snapshot_add_task): buckets
 * of groupings of snapshots built by hand. Sites as buckets (1.N), groups as
 * buckets and stacks told apart, by their ids too (2.N), mdl_diff: matched, appeared, disappeared,
 * biggest growth first (3.N), mdl_bucket_copy outlives its snapshot (4.N).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

static const struct mdl_filter all = { .system = true };

/* A waiting task at func:line created at creator:1, with frames top (func) and
 * below (main.main) for --group stack. */
static void
add(struct mdl_snapshot *s, uint64_t id, const char *reason, const char *func, uint32_t line,
    const char *creator, const char *below)
{
	struct insp_task *t = mdl_snapshot_add_task(s);
	struct insp_frame *f = arena_alloc(&s->arena, 2 * sizeof(*f));

	assert_non_null(t);
	assert_non_null(f);
	assert_int_equal(t->wait_ns, -1);
	t->id = id;
	t->state = "waiting";
	t->reason = reason;
	t->top = (struct insp_loc){ func, "main.go", line, 0 };
	t->user_top = t->top;
	t->go_pc = (struct insp_loc){ creator, "main.go", 1, 0 };
	f[0].loc = t->top;
	f[1].loc = (struct insp_loc){ below, "main.go", 2, 0 };
	t->frames = f;
	t->nframes = 2;
}

/* leak: n senders, 4 workers, and an extra site of chan send. */
static void
build(struct mdl_snapshot *s, int n, bool extra)
{
	for (int i = 0; i < n; i++)
		add(s, 100 + i, "chan send", "main.compute", 75, "main.serve", "main.serve");
	for (int i = 0; i < 4; i++)
		add(s, 10 + i, "select", "main.worker", 103, "main.main", "main.main");
	if (extra)
		add(s, 9, "chan send", "main.other", 9, "main.main", "main.main");
}

static void
buckets_of(struct mdl_snapshot *s, enum mdl_group_by by, bool sites, struct mdl_grouping *g,
	   struct mdl_bucket **b, size_t *n)
{
	struct insp_err err = INSP_ERR_INIT;

	assert_int_equal(mdl_group(s, &all, by, g, &err), 0);
	assert_int_equal(mdl_buckets(g, sites, b, n, &err), 0);
}

/* 1.0 sites: one bucket per line of the report, biggest first (not by group). */
static void
test_sites(void **state)
{
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct mdl_grouping g;
	struct mdl_bucket *b;
	size_t n;

	(void)state;
	build(&s, 5, true);
	buckets_of(&s, MDL_GROUP_REASON, true, &g, &b, &n);
	assert_int_equal(n, 3);
	assert_string_equal(b[0].key, "chan send");
	assert_string_equal(b[0].frame->func, "main.compute");
	assert_string_equal(b[0].creator->func, "main.serve");
	assert_int_equal(b[0].count, 5);
	/* biggest first across groups: the workers' 4 before the other sender */
	assert_string_equal(b[1].key, "select");
	assert_int_equal(b[1].count, 4);
	assert_string_equal(b[2].frame->func, "main.other");
	assert_int_equal(b[2].count, 1);
	assert_null(b[0].stack);
	free(b);
	mdl_snapshot_release(&s);
}

/* 2.0 groups: one bucket per reason, no frame; 2.1 by stack: two stacks of one
 * reason and top frame are two buckets. */
static void
test_groups(void **state)
{
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT;
	struct mdl_grouping g;
	struct mdl_bucket *b;
	size_t n;

	(void)state;
	build(&s, 5, true);
	buckets_of(&s, MDL_GROUP_REASON, false, &g, &b, &n);
	assert_int_equal(n, 2);
	assert_string_equal(b[0].key, "chan send");
	assert_int_equal(b[0].count, 6);
	assert_null(b[0].frame);
	assert_null(b[0].creator);
	free(b);
	add(&s, 50, "select", "main.worker", 103, "main.main", "main.elsewhere");
	buckets_of(&s, MDL_GROUP_STACK, false, &g, &b, &n);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(b[i].stack);
		assert_non_null(b[i].frame);
		for (size_t j = 0; j < i; j++) {
			assert_int_not_equal(mdl_bucket_cmp(&b[i], &b[j]), 0);
			/* the id text shows tells different stacks apart (main.worker
			 * 103 over main.main and over main.elsewhere) */
			if (mdl_stack_cmp(b[i].stack, b[j].stack))
				assert_int_not_equal(mdl_stack_id(b[i].stack),
						     mdl_stack_id(b[j].stack));
			else
				assert_int_equal(mdl_stack_id(b[i].stack),
						 mdl_stack_id(b[j].stack));
		}
	}
	free(b);
	mdl_snapshot_release(&s);
}

/* 3.0 the leak grew by 3, a site appeared, one disappeared, the workers are the
 * same: biggest growth first, unchanged ones included. */
static void
test_diff(void **state)
{
	struct mdl_snapshot a = MDL_SNAPSHOT_INIT, b = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;
	struct mdl_grouping ga, gb;
	struct mdl_bucket *ba, *bb;
	struct mdl_change *c;
	size_t na, nb, n;

	(void)state;
	build(&a, 2, true);
	build(&b, 5, false);
	add(&b, 7, "sleep", "main.nap", 3, "main.main", "main.main");
	add(&b, 8, "sleep", "main.nap", 3, "main.main", "main.main");
	buckets_of(&a, MDL_GROUP_REASON, true, &ga, &ba, &na);
	buckets_of(&b, MDL_GROUP_REASON, true, &gb, &bb, &nb);
	assert_int_equal(mdl_diff(ba, na, bb, nb, &c, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(c[0].new->frame->func, "main.compute");
	assert_int_equal(c[0].nold, 2);
	assert_int_equal(c[0].nnew, 5);
	assert_int_equal(c[0].delta, 3);
	assert_null(c[1].old); /* appeared */
	assert_string_equal(c[1].new->frame->func, "main.nap");
	assert_int_equal(c[1].delta, 2);
	assert_int_equal(c[2].delta, 0);
	assert_string_equal(c[2].old->frame->func, "main.worker");
	assert_null(c[3].new); /* disappeared */
	assert_string_equal(c[3].old->frame->func, "main.other");
	assert_int_equal(c[3].delta, -1);
	free(c);
	free(ba);
	free(bb);
	mdl_snapshot_release(&a);
	mdl_snapshot_release(&b);
}

/* 4.0 a copy compares equal to its bucket after the snapshot is gone. */
static void
test_copy(void **state)
{
	struct mdl_snapshot s = MDL_SNAPSHOT_INIT, t = MDL_SNAPSHOT_INIT;
	struct arena keep = ARENA_INIT;
	struct mdl_grouping g;
	struct mdl_bucket *b, copy, stack_copy;
	size_t n;

	(void)state;
	build(&s, 3, false);
	buckets_of(&s, MDL_GROUP_REASON, true, &g, &b, &n);
	assert_int_equal(mdl_bucket_copy(&keep, &b[0], &copy), 0);
	free(b);
	buckets_of(&s, MDL_GROUP_STACK, false, &g, &b, &n);
	assert_int_equal(mdl_bucket_copy(&keep, &b[0], &stack_copy), 0);
	free(b);
	mdl_snapshot_release(&s);
	build(&t, 1, false);
	buckets_of(&t, MDL_GROUP_REASON, true, &g, &b, &n);
	assert_int_equal(mdl_bucket_cmp(&copy, &b[0]), 0);
	assert_int_equal(copy.count, 4);
	assert_string_equal(copy.frame->func, "main.worker");
	assert_int_not_equal(mdl_bucket_cmp(&copy, &b[1]), 0);
	free(b);
	buckets_of(&t, MDL_GROUP_STACK, false, &g, &b, &n);
	assert_int_equal(mdl_bucket_cmp(&stack_copy, &b[0]), 0);
	/* the same stack in another capture: the same id */
	assert_int_equal(mdl_stack_id(stack_copy.stack), mdl_stack_id(b[0].stack));
	free(b);
	mdl_snapshot_release(&t);
	arena_release(&keep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sites),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
