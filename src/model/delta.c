/* The model layer's buckets and their change: a grouping cut into buckets (each
 * site of a group, as the text report's lines, or each group), and two groupings'
 * buckets matched, biggest growth first. What inspect diff prints and inspect
 * watch follows over time; both then group exactly as dump does (group.c).
 * SPDX-License-Identifier: MIT */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

static int cmp_biggest(const void *pa, const void *pb);

int
mdl_buckets(const struct mdl_grouping *g, bool sites, struct mdl_bucket **out, size_t *n,
	    struct insp_err *err)
{
	size_t cap = 0, k = 0;
	struct mdl_bucket *b;

	for (size_t i = 0; i < g->ngroups; i++)
		cap += sites ? g->groups[i].nsites : 1;
	b = calloc(cap + 1, sizeof(*b));
	if (!b)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	for (size_t i = 0; i < g->ngroups; i++) {
		const struct mdl_group *gr = &g->groups[i];

		for (size_t j = 0; j < (sites ? gr->nsites : 1); j++) {
			b[k].key = gr->key;
			b[k].stack = g->by == MDL_GROUP_STACK ? gr->sites[0].first : NULL;
			if (sites) {
				b[k].frame = gr->sites[j].frame;
				b[k].creator = gr->sites[j].creator;
			} else if (b[k].stack) {
				/* a stack's group: its frame shown tells it apart */
				b[k].frame = gr->sites[0].frame;
			}
			b[k++].count = sites ? gr->sites[j].count : gr->count;
		}
	}
	qsort(b, k, sizeof(*b), cmp_biggest);
	*out = b;
	*n = k;
	return 0;
}

/* NULL (a whole group's bucket) before any location. */
static int
cmp_opt_loc(const struct insp_loc *a, const struct insp_loc *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return mdl_loc_cmp(a, b);
}

int
mdl_bucket_cmp(const struct mdl_bucket *a, const struct mdl_bucket *b)
{
	int c = strcmp(a->key, b->key);

	if (!c)
		c = cmp_opt_loc(a->frame, b->frame);
	if (!c)
		c = cmp_opt_loc(a->creator, b->creator);
	if (!c && (a->stack || b->stack))
		c = !a->stack || !b->stack ? (a->stack != NULL) - (b->stack != NULL)
					   : mdl_stack_cmp(a->stack, b->stack);
	return c;
}

static int
copy_loc(struct arena *a, const struct insp_loc *from, struct insp_loc *to)
{
	*to = *from;
	to->func = from->func ? arena_strdup(a, from->func) : NULL;
	to->file = from->file ? arena_strdup(a, from->file) : NULL;
	return (from->func && !to->func) || (from->file && !to->file) ? -1 : 0;
}

/* A task that holds only what mdl_stack_cmp reads: the frames' locations. */
static const struct insp_task *
copy_stack(struct arena *a, const struct insp_task *t)
{
	struct insp_task *c = arena_alloc(a, sizeof(*c));
	struct insp_frame *f = c ? arena_alloc(a, (t->nframes + 1) * sizeof(*f)) : NULL;

	if (!f)
		return NULL;
	for (uint32_t i = 0; i < t->nframes; i++)
		if (copy_loc(a, &t->frames[i].loc, &f[i].loc) < 0)
			return NULL;
	c->frames = f;
	c->nframes = t->nframes;
	c->frames_cut = t->frames_cut;
	return c;
}

int
mdl_bucket_copy(struct arena *a, const struct mdl_bucket *b, struct mdl_bucket *out)
{
	struct insp_loc *locs = arena_alloc(a, 2 * sizeof(*locs));

	memset(out, 0, sizeof(*out));
	out->count = b->count;
	out->key = arena_strdup(a, b->key);
	if (!locs || !out->key)
		return -1;
	if (b->frame) {
		if (copy_loc(a, b->frame, &locs[0]) < 0)
			return -1;
		out->frame = &locs[0];
	}
	if (b->creator) {
		if (copy_loc(a, b->creator, &locs[1]) < 0)
			return -1;
		out->creator = &locs[1];
	}
	if (b->stack && !(out->stack = copy_stack(a, b->stack)))
		return -1;
	return 0;
}

static uint32_t
fnv(uint32_t h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const unsigned char *)p)[i]) * 16777619u;
	return h;
}

uint32_t
mdl_stack_id(const struct insp_task *t)
{
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < t->nframes; i++) {
		const struct insp_loc *l = &t->frames[i].loc;

		/* each with its NUL, and NULL apart from "" */
		h = l->func ? fnv(h, l->func, strlen(l->func) + 1) : fnv(h, "\xff", 1);
		h = l->file ? fnv(h, l->file, strlen(l->file) + 1) : fnv(h, "\xff", 1);
		h = fnv(h, &l->line, sizeof(l->line));
	}
	return fnv(h, &t->frames_cut, 1);
}

/* Biggest first; a tie in the buckets' order. */
static int
cmp_biggest(const void *pa, const void *pb)
{
	const struct mdl_bucket *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return mdl_bucket_cmp(a, b);
}

static int
cmp_buckets(const void *pa, const void *pb)
{
	return mdl_bucket_cmp(pa, pb);
}

static const struct mdl_bucket *
either(const struct mdl_change *c)
{
	return c->new ? c->new : c->old;
}

static int
cmp_changes(const void *pa, const void *pb)
{
	const struct mdl_change *a = pa, *b = pb;

	if (a->delta != b->delta)
		return a->delta < b->delta ? 1 : -1;
	return mdl_bucket_cmp(either(a), either(b));
}

int
mdl_diff(struct mdl_bucket *old, size_t nold, struct mdl_bucket *new, size_t nnew,
	 struct mdl_change **out, size_t *n, struct insp_err *err)
{
	struct mdl_change *c = calloc(nold + nnew + 1, sizeof(*c));
	size_t i = 0, j = 0, k = 0;

	if (!c)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	qsort(old, nold, sizeof(*old), cmp_buckets);
	qsort(new, nnew, sizeof(*new), cmp_buckets);
	/* A merge of two sorted lists: a bucket in both is one change. */
	while (i < nold || j < nnew) {
		int d = i == nold ? 1 : j == nnew ? -1 : mdl_bucket_cmp(&old[i], &new[j]);

		if (d <= 0) {
			c[k].old = &old[i];
			c[k].nold = old[i++].count;
		}
		if (d >= 0) {
			c[k].new = &new[j];
			c[k].nnew = new[j++].count;
		}
		c[k].delta = (long long)c[k].nnew - (long long)c[k].nold;
		k++;
	}
	qsort(c, k, sizeof(*c), cmp_changes);
	*out = c;
	*n = k;
	return 0;
}
