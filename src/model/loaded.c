/* The model layer's loaded snapshots: a snapshot read back from a saved capture
 * (inspect diff) rather than taken from a process. Its readers, in ui, add the
 * tasks here; it has no plugin, image or threads, and never touches a process.
 * SPDX-License-Identifier: MIT */
#include "model/model.h"

#include <stdlib.h>

struct insp_task *
mdl_snapshot_add_task(struct mdl_snapshot *s)
{
	struct insp_task *t;

	if (s->ntasks == s->tasks_cap) {
		size_t cap = s->tasks_cap ? 2 * s->tasks_cap : 64;
		struct insp_task **p = realloc(s->tasks, cap * sizeof(*p));

		if (!p)
			return NULL;
		s->tasks = p;
		s->tasks_cap = cap;
	}
	t = arena_alloc(&s->arena, sizeof(*t));
	if (!t)
		return NULL;
	t->wait_ns = -1;
	s->tasks[s->ntasks++] = t;
	return t;
}
