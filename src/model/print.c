/* The model layer's print: the values of a frame's variables and of Go
 * expressions, through the plugin, while inspect attach keeps the process stopped.
 * SPDX-License-Identifier: MIT */
#include "model/model-int.h"

#include <string.h>

#include "image/image.h"

void
mdl_scope_of(const struct insp_frame *frames, uint32_t i, struct insp_scope *sc)
{
	const struct insp_frame *f = &frames[i];
	uint32_t depth = 0;

	/* Calls inlined at one pc come innermost first, each marked inlined. */
	while (depth < i && frames[i - depth - 1].inlined &&
	       frames[i - depth - 1].loc.pc == f->loc.pc)
		depth++;
	*sc = (struct insp_scope){ f->loc.pc, f->call_site, depth, f->cfa };
}

static int
ready(struct mdl_snapshot *s, struct insp_host *h, struct mdl_host_ctx *c, struct insp_err *err)
{
	if (!s->plugin || !s->plugin->print || !s->plugin->frame_values)
		return insp_err_set(err, INSP_E_USAGE, "the %s plugin cannot print values",
				    s->plugin ? s->plugin->name : "runtime");
	if (!s->proc)
		return insp_err_set(err, INSP_E_USAGE,
				    "print reads the process while it is stopped: after the "
				    "detach there is nothing to read");
	if (!img_has_dwarf(s->img))
		return insp_err_set(err, INSP_E_LAYOUT,
				    "print needs DWARF, the types and variables it reads: '%s' "
				    "has none (built with -ldflags=-w or -s?), and no separate "
				    "debug file of this build was found (%s)",
				    s->exe, img_debug_search(s->img));
	*c = (struct mdl_host_ctx){ .s = s, .img = s->img, .proc = s->proc };
	mdl_host_init(h, c);
	h->max_frames = s->max_frames;
	return 0;
}

int
mdl_print(struct mdl_snapshot *s, const struct insp_scope *sc, const char *expr,
	  const struct insp_print_opts *o, const char **text, struct insp_err *err)
{
	struct mdl_host_ctx c;
	struct insp_host h;

	if (ready(s, &h, &c, err) < 0)
		return -1;
	return s->plugin->print(s->plugin_state, &h, sc, expr, o, text, err);
}

int
mdl_frame_values(struct mdl_snapshot *s, const struct insp_scope *sc,
		 const struct insp_print_opts *o, struct insp_value **vals, size_t *n,
		 struct insp_err *err)
{
	struct mdl_host_ctx c;
	struct insp_host h;

	if (ready(s, &h, &c, err) < 0)
		return -1;
	return s->plugin->frame_values(s->plugin_state, &h, sc, o, vals, n, err);
}

/* The frame a report shows for t: its user frame, else its innermost. */
static uint32_t
user_frame(const struct insp_task *t)
{
	for (uint32_t i = 0; i < t->nframes; i++)
		if (t->frames[i].loc.pc == t->user_top.pc && t->frames[i].loc.func &&
		    t->user_top.func && strcmp(t->frames[i].loc.func, t->user_top.func) == 0)
			return i;
	return 0;
}

int
mdl_site_values(struct mdl_snapshot *s, const struct mdl_grouping *g,
		const struct insp_print_opts *o, struct insp_err *err)
{
	struct mdl_host_ctx c;
	struct insp_host h;
	size_t n = 0, k = 0;

	/* A stripped binary's report is still worth having: without values. */
	if (s->proc && !img_has_dwarf(s->img)) {
		c = (struct mdl_host_ctx){ .s = s, .img = s->img, .proc = s->proc };
		mdl_host_init(&h, &c);
		h.note(h.ctx, "--locals: no values, the executable has no DWARF");
		return 0;
	}
	if (ready(s, &h, &c, err) < 0)
		return -1;
	for (size_t i = 0; i < g->ngroups; i++)
		n += g->groups[i].nsites;
	s->nvalues = 0;
	if (!n)
		return 0;
	if (!(s->values = arena_alloc(&s->arena, n * sizeof(*s->values))))
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	for (size_t i = 0; i < g->ngroups; i++) {
		for (size_t j = 0; j < g->groups[i].nsites; j++) {
			const struct insp_task *t = g->groups[i].sites[j].first;
			struct mdl_task_values *v = &s->values[k++];
			struct insp_err e = INSP_ERR_INIT;
			struct insp_scope sc;

			*v = (struct mdl_task_values){ .task = t, .frame = user_frame(t) };
			if (!t->nframes) {
				v->error = "its frames were not kept";
				continue;
			}
			mdl_scope_of(t->frames, v->frame, &sc);
			/* A frame DWARF does not describe (assembly) is one task's
			 * problem; the checks of ready() fail them all, before. */
			if (s->plugin->frame_values(s->plugin_state, &h, &sc, o, &v->vals, &v->n,
						    &e) < 0)
				v->error = arena_strdup(&s->arena, e.msg);
		}
	}
	s->nvalues = k;
	return 0;
}

const struct mdl_task_values *
mdl_task_values(const struct mdl_snapshot *s, const struct insp_task *t)
{
	for (size_t i = 0; i < s->nvalues; i++)
		if (s->values[i].task == t)
			return &s->values[i];
	return NULL;
}
