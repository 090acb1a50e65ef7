/* The Go plugin's print and frame_values: a frame's variables (located by the
 * host through DWARF) and Go expressions over them, printed as Go values.
 * SPDX-License-Identifier: MIT */
#include "value.h"

#include <stdlib.h>
#include <string.h>

static int
open_printer(struct gpr *p, struct gort_state *st, const struct insp_host *h,
	     const struct insp_print_opts *o, struct insp_err *err)
{
	*p = (struct gpr){ .h = h, .st = st, .o = o, .dw = h->dwarf ? h->dwarf(h->ctx) : NULL };
	if (!p->dw)
		/* the host says why, before asking */
		return insp_err_set(err, INSP_E_LAYOUT, "'%s' has no DWARF", h->exe_path);
	return 0;
}

/* The text in snapshot memory; the printer's own memory freed. */
static const char *
close_printer(struct gpr *p, struct insp_err *err)
{
	char *text = NULL;

	if (!p->oom && p->buf && (text = p->h->alloc(p->h->ctx, p->len + 1)))
		memcpy(text, p->buf, p->len + 1);
	else if (!p->oom && !p->buf && (text = p->h->alloc(p->h->ctx, 1)))
		text[0] = 0;
	if (!text)
		insp_err_set(err, INSP_E_SYS, "out of memory for the value's text");
	free(p->buf);
	gtype_index_free(p->rtypes);
	gpkg_index_free(p->pkgnames);
	for (size_t i = 0; i < p->nscratch; i++)
		free(p->scratch[i]);
	return text;
}

static int
frame_vars(const struct insp_host *h, const struct insp_scope *sc, struct insp_var **vars,
	   size_t *n, struct insp_err *err)
{
	*vars = NULL;
	*n = 0;
	return sc ? h->frame_vars(h->ctx, sc, vars, n, err) : 0;
}

/* The frame of sc in p: that there is one, and its function's package ("" if
 * unknown: no pclntab, or an inlined call whose name the tree does not give). */
static void
frame_package(struct gpr *p, const struct insp_scope *sc)
{
	struct gort_srcframe f[64];
	int n;

	p->frame = sc != NULL;
	if (!sc || !p->st || !p->st->pcln ||
	    (n = gort_pclntab_frames(p->st->pcln, sc->pc, sc->call_site, f, 64)) <= 0 ||
	    sc->inline_depth >= (uint32_t)n || !f[sc->inline_depth].func ||
	    !gpkg_of_func(f[sc->inline_depth].func, p->frame_pkg, sizeof(p->frame_pkg)))
		p->frame_pkg[0] = 0;
}

int
gort_print(void *state, const struct insp_host *h, const struct insp_scope *sc, const char *expr,
	   const struct insp_print_opts *o, const char **text, struct insp_err *err)
{
	struct insp_var *vars;
	struct gval v;
	struct gpr p;
	size_t n;
	int ret;

	if (open_printer(&p, state, h, o, err) < 0 || frame_vars(h, sc, &vars, &n, err) < 0)
		return -1;
	frame_package(&p, sc);
	ret = gexpr_eval(&p, vars, n, expr, &v, err);
	if (ret == 0)
		gval_print(&p, &v, 0, true);
	*text = close_printer(&p, err);
	return ret < 0 || !*text ? -1 : 0;
}

/* A later variable of the list has v's name (heap-moved "&x" as x): the
 * compiler lists a frame's variables outer first (image/vars.c), and Delve
 * marks each one a later one of the same name hides. */
static bool
shadowed(const struct insp_var *vars, size_t n, size_t i, const char *name)
{
	for (size_t j = i + 1; j < n; j++) {
		const char *vn = vars[j].name[0] == '&' ? vars[j].name + 1 : vars[j].name;

		if (strcmp(vn, name) == 0)
			return true;
	}
	return false;
}

int
gort_frame_values(void *state, const struct insp_host *h, const struct insp_scope *sc,
		  const struct insp_print_opts *o, struct insp_value **vals, size_t *nvals,
		  struct insp_err *err)
{
	struct insp_var *vars;
	size_t n;

	*vals = NULL;
	*nvals = 0;
	if (frame_vars(h, sc, &vars, &n, err) < 0)
		return -1;
	if (n && !(*vals = h->alloc(h->ctx, n * sizeof(**vals))))
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct insp_value *out = &(*vals)[*nvals];
		struct gpr p;
		struct gval v;
		const char *why, *name = vars[i].name[0] == '&' ? vars[i].name + 1 : vars[i].name;

		/* the compiler's temporaries, which no source names: .autotmp_N, and
		 * #yieldN, #stateN of a range over a function (Go 1.23+) */
		if (name[0] == '.' || name[0] == '#')
			continue;
		if (open_printer(&p, state, h, o, err) < 0)
			return -1;
		if ((why = gexpr_var_value(&p, vars, n, &vars[i], &v)))
			gp_printf(&p, "<optimized out: %s>", why);
		else
			gval_print(&p, &v, 0, true);
		out->name = name;
		out->arg = vars[i].arg;
		out->shadowed = shadowed(vars, n, i, name);
		if (!(out->text = close_printer(&p, err)))
			return -1;
		(*nvals)++;
	}
	return 0;
}
