/* The model layer's grouping: tasks that pass a filter, bucketed by wait reason
 * (or state), by identical stack, by function, creator or label value, and inside each bucket by
 * the frame they stand at and where they were created, biggest first: how a leak shows itself.
 * SPDX-License-Identifier: MIT */
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return a == b ? 0 : strcmp(a, b);
}

static int
cmp_loc(const struct insp_loc *a, const struct insp_loc *b)
{
	int c = cmp_str(a->func, b->func);

	if (!c)
		c = cmp_str(a->file, b->file);
	if (!c)
		c = (a->line > b->line) - (a->line < b->line);
	return c;
}

/* The same for delta.c, which matches buckets across captures. */
int
mdl_loc_cmp(const struct insp_loc *a, const struct insp_loc *b)
{
	return cmp_loc(a, b);
}

int
mdl_stack_cmp(const struct insp_task *a, const struct insp_task *b)
{
	for (uint32_t i = 0; i < a->nframes && i < b->nframes; i++) {
		int c = cmp_loc(&a->frames[i].loc, &b->frames[i].loc);

		if (c)
			return c;
	}
	if (a->nframes != b->nframes)
		return a->nframes < b->nframes ? -1 : 1;
	return (a->frames_cut > b->frames_cut) - (a->frames_cut < b->frames_cut);
}

static const char *
func_key(const struct insp_task *t)
{
	const char *f = mdl_task_frame(t)->func;

	return f ? f : "?";
}

static const char *
creator_key(const struct insp_task *t)
{
	return t->go_pc.func ? t->go_pc.func : "(no go statement)";
}

/* qsort has no context argument: the mode of the sort in progress, and the
 * label key of MDL_GROUP_LABEL. */
static enum mdl_group_by sort_by;
static const char *sort_label;

static const char *
label_value(const struct insp_task *t)
{
	return mdl_task_label(t, sort_label, strlen(sort_label));
}

/* "KEY=VALUE", or "(no KEY label)", in snapshot memory; NULL when it is full. */
static const char *
label_key(struct mdl_snapshot *s, const char *value)
{
	size_t len = strlen(sort_label) + (value ? strlen(value) : 0) + 16;
	char *k = arena_alloc(&s->arena, len);

	if (k && value)
		snprintf(k, len, "%s=%s", sort_label, value);
	else if (k)
		snprintf(k, len, "(no %s label)", sort_label);
	return k;
}

/* Same group? */
static int
cmp_group(const struct insp_task *a, const struct insp_task *b)
{
	switch (sort_by) {
	case MDL_GROUP_STACK:
		return mdl_stack_cmp(a, b);
	case MDL_GROUP_FUNC:
		return strcmp(func_key(a), func_key(b));
	case MDL_GROUP_CREATOR:
		return cmp_loc(&a->go_pc, &b->go_pc);
	case MDL_GROUP_LABEL:
		return cmp_str(label_value(a), label_value(b));
	case MDL_GROUP_REASON:
		break;
	}
	return strcmp(mdl_task_key(a), mdl_task_key(b));
}

static int
cmp_tasks(const void *pa, const void *pb)
{
	const struct insp_task *a = *(const struct insp_task *const *)pa;
	const struct insp_task *b = *(const struct insp_task *const *)pb;
	int c = cmp_group(a, b);

	if (!c)
		c = cmp_loc(mdl_task_frame(a), mdl_task_frame(b));
	if (!c)
		c = cmp_loc(&a->go_pc, &b->go_pc);
	if (!c)
		c = (a->id > b->id) - (a->id < b->id);
	return c;
}

static bool
same_labels(const struct insp_task *a, const struct insp_task *b)
{
	if (a->labels == b->labels)
		return a->nlabels == b->nlabels && a->labels_cut == b->labels_cut;
	if (a->nlabels != b->nlabels || a->labels_cut != b->labels_cut)
		return false;
	for (uint32_t i = 0; i < a->nlabels; i++)
		if (strcmp(a->labels[i].key, b->labels[i].key) ||
		    strcmp(a->labels[i].value, b->labels[i].value))
			return false;
	return true;
}

static int
cmp_sites(const void *pa, const void *pb)
{
	const struct mdl_site *a = pa, *b = pb;
	int c;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	/* qsort is not stable: break every tie, or the order of equal sites changes
	 * with the C library. */
	c = cmp_loc(a->frame, b->frame);
	return c ? c : cmp_loc(a->creator, b->creator);
}

static int
cmp_groups(const void *pa, const void *pb)
{
	const struct mdl_group *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->sites[0].first && b->sites[0].first && sort_by == MDL_GROUP_STACK) {
		int c = cmp_loc(a->sites[0].frame, b->sites[0].frame);

		/* Keys repeat here (the reason): two stacks differ somewhere. */
		return c ? c : mdl_stack_cmp(a->sites[0].first, b->sites[0].first);
	}
	return strcmp(a->key, b->key);
}

/* How many tasks t stands for: a loaded profile's sample counts them once. */
static size_t
weight(const struct insp_task *t)
{
	return t->weight ? (size_t)t->weight : 1;
}

/* t's wait into its site's range: each line of a report says how long its
 * goroutines have waited, the newest and the oldest, not its block's longest. */
static void
add_wait(struct mdl_site *site, const struct insp_task *t)
{
	if (t->wait_ns < 0) {
		if (t->reason)
			site->wait_unknown += weight(t);
		return;
	}
	if (site->wait_newest_ns < 0 || t->wait_ns < site->wait_newest_ns)
		site->wait_newest_ns = t->wait_ns;
	if (t->wait_ns > site->wait_oldest_ns)
		site->wait_oldest_ns = t->wait_ns;
}

static int
group(struct mdl_snapshot *s, const struct mdl_filter *f, enum mdl_group_by by, const char *label,
      struct mdl_grouping *out, struct insp_err *err)
{
	struct insp_task **shown;
	struct mdl_group *g = NULL;
	struct mdl_site *site = NULL, *sites;
	struct mdl_filter with_system = *f;
	size_t n = 0, nsites = 0;

	memset(out, 0, sizeof(*out));
	out->by = by;
	out->label = label;
	with_system.system = true;
	shown = malloc((s->ntasks + 1) * sizeof(*shown));
	/* At most one group and one site per task; a group's sites are the run of
	 * this array its tasks produced, as the tasks are sorted by group. */
	out->groups = arena_alloc(&s->arena, (s->ntasks + 1) * sizeof(*out->groups));
	sites = arena_alloc(&s->arena, (s->ntasks + 1) * sizeof(*sites));
	if (!shown || !out->groups || !sites) {
		free(shown);
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	}
	for (size_t i = 0; i < s->ntasks; i++) {
		if (mdl_filter_match(f, s, s->tasks[i])) {
			shown[n++] = s->tasks[i];
			out->shown += weight(s->tasks[i]);
		} else if (s->tasks[i]->flags & INSP_TASK_SYSTEM && !f->system &&
			   mdl_filter_match(&with_system, s, s->tasks[i])) {
			out->hidden += weight(s->tasks[i]); /* --system would show it */
		}
	}
	sort_by = by;
	sort_label = label;
	qsort(shown, n, sizeof(*shown), cmp_tasks);
	for (size_t i = 0; i < n; i++) {
		struct insp_task *t = shown[i];
		const struct insp_loc *frame = mdl_task_frame(t);

		if (!g || cmp_group(g->sites[0].first, t) != 0) {
			g = &out->groups[out->ngroups++];
			g->key = by == MDL_GROUP_FUNC      ? func_key(t)
				 : by == MDL_GROUP_CREATOR ? creator_key(t)
				 : by == MDL_GROUP_LABEL   ? label_key(s, label_value(t))
							   : mdl_task_key(t);
			if (!g->key) {
				free(shown);
				return insp_err_set(err, INSP_E_SYS, "out of memory");
			}
			if (by == MDL_GROUP_LABEL)
				g->label_value = label_value(t);
			g->max_wait_ns = -1;
			g->sites = sites + nsites;
			site = NULL;
		}
		g->count += weight(t);
		if (t->wait_ns > g->max_wait_ns)
			g->max_wait_ns = t->wait_ns;
		if (!site || cmp_loc(site->frame, frame) || cmp_loc(site->creator, &t->go_pc)) {
			site = &g->sites[g->nsites++];
			nsites++;
			site->frame = frame;
			site->creator = &t->go_pc;
			site->first = t;
			site->wait_newest_ns = site->wait_oldest_ns = -1;
		}
		add_wait(site, t);
		/* a loaded profile's sample has no id: none to give as an example */
		if (site->count < MDL_EXAMPLES && !t->weight)
			site->examples[site->count] = t->id;
		if (!site->labels_differ && !same_labels(site->first, t))
			site->labels_differ = true;
		site->count += weight(t);
	}
	for (size_t i = 0; i < out->ngroups; i++)
		qsort(out->groups[i].sites, out->groups[i].nsites, sizeof(struct mdl_site),
		      cmp_sites);
	qsort(out->groups, out->ngroups, sizeof(*out->groups), cmp_groups);
	free(shown);
	return 0;
}

int
mdl_group(struct mdl_snapshot *s, const struct mdl_filter *f, enum mdl_group_by by,
	  struct mdl_grouping *out, struct insp_err *err)
{
	return group(s, f, by == MDL_GROUP_LABEL ? MDL_GROUP_REASON : by, NULL, out, err);
}

int
mdl_group_label(struct mdl_snapshot *s, const struct mdl_filter *f, const char *key,
		struct mdl_grouping *out, struct insp_err *err)
{
	return group(s, f, MDL_GROUP_LABEL, key, out, err);
}
