/* The REPL's print (alias p), locals, args and config: Go values of the selected
 * frame's variables and of package variables, through DWARF, while the process is
 * stopped.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The scope of the selected frame; NULL when no goroutine is selected (package
 * variables only) or the frame is native. */
static const struct insp_scope *
selected_scope(struct ui_session *s, uint32_t i, struct insp_scope *sc)
{
	uint32_t n;
	const struct insp_frame *f = ui_session_frames(s, &n);

	if (!s->task || s->thread || i >= n || f[i].native)
		return NULL;
	mdl_scope_of(f, i, sc);
	return sc;
}

static int
run_print(struct ui_session *s, int argc, char **argv)
{
	struct insp_err err = INSP_ERR_INIT;
	struct insp_scope sc;
	const char *text;

	(void)argc;
	if (mdl_print(s->snap, selected_scope(s, s->frame, &sc), argv[1], &s->print, &text, &err) <
	    0)
		/* an expression's error is its line, the expression and a caret under
		 * it; others are one line, which may quote the target's names */
		return fprintf(s->out, "%s\n", err.code == INSP_E_USAGE ? err.msg : ui_line(err.msg)),
		       -1;
	fprintf(s->out, "%s\n", ui_line(text));
	return 0;
}

int
ui_print_frame_vars(struct ui_session *s, uint32_t i, bool args, bool locals, const char *indent)
{
	struct insp_err err = INSP_ERR_INIT;
	struct insp_value *v;
	struct insp_scope sc;
	size_t n, shown = 0;

	if (!selected_scope(s, i, &sc))
		return fprintf(s->out, "%sno variables: a native frame, or no goroutine\n", indent),
		       -1;
	if (mdl_frame_values(s->snap, &sc, &s->print, &v, &n, &err) < 0)
		return fprintf(s->out, "%s%s\n", indent, ui_line(err.msg)), -1;
	for (size_t k = 0; k < n && !ui_interrupted; k++) {
		if (v[k].arg ? !args : !locals)
			continue;
		fprintf(s->out, v[k].shadowed ? "%s(%s) = %s\n" : "%s%s = %s\n", indent,
			ui_line(v[k].name), ui_line(v[k].text));
		shown++;
	}
	if (!shown)
		fprintf(s->out, "%s(no %s)\n", indent,
			args && locals ? "variables"
			: args         ? "args"
				       : "locals");
	return 0;
}

static int
run_vars(struct ui_session *s, int argc, char **argv)
{
	bool args = strcmp(argv[0], "args") == 0;

	(void)argc;
	return ui_print_frame_vars(s, s->frame, args, !args, "");
}

/* config [max-string N] [max-elems N] [max-depth N]: show or set print's limits. */
static int
run_config(struct ui_session *s, int argc, char **argv)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
		{ "max-string", offsetof(struct insp_print_opts, max_string) },
		{ "max-elems", offsetof(struct insp_print_opts, max_elems) },
		{ "max-depth", offsetof(struct insp_print_opts, max_depth) },
	};

	if (argc % 2 == 0)
		return fprintf(s->out, "usage: %s\n", ui_cmd_config.usage), -1;
	for (int i = 1; i < argc; i += 2) {
		size_t k = 0;
		char *end;
		unsigned long v = strtoul(argv[i + 1], &end, 10);

		while (k < 3 && strcmp(keys[k].name, argv[i]) != 0)
			k++;
		if (k == 3)
			return fprintf(s->out,
				       "unknown setting '%s': max-string, max-elems or max-depth\n",
				       argv[i]),
			       -1;
		if (!*argv[i + 1] || *end || v < 1 || v > 1000000)
			return fprintf(s->out, "%s: a number from 1 to 1000000 was expected\n",
				       argv[i]),
			       -1;
		*(uint32_t *)((char *)&s->print + keys[k].off) = (uint32_t)v;
	}
	for (size_t k = 0; k < 3; k++)
		fprintf(s->out, "%-10s  %u\n", keys[k].name,
			*(const uint32_t *)((const char *)&s->print + keys[k].off));
	return 0;
}

const struct ui_cmd ui_cmd_print = {
	.name = "print",
	.alias = "p",
	.usage = "print EXPR",
	.summary = "print a Go expression in the selected frame, or a package variable",
	.help = "  x  x.f  *p  p.f  a[i]  s[i:j]  m[\"k\"]  m[3]  len(x)  cap(x)  &x  "
		"(*T)(0xADDR)\n"
		"  main.Config  net/http.DefaultClient   (package variables, no goroutine needed)\n"
		"  Limits of strings, elements and depth: config.",
	.min_args = 1,
	.max_args = 1,
	.raw = true,
	.run = run_print,
};

const struct ui_cmd ui_cmd_locals = {
	.name = "locals",
	.usage = "locals",
	.summary = "print the local variables of the selected frame",
	.needs = UI_NEEDS_TASK,
	.max_args = 0,
	.run = run_vars,
};

const struct ui_cmd ui_cmd_args = {
	.name = "args",
	.usage = "args",
	.summary = "print the arguments of the selected frame",
	.needs = UI_NEEDS_TASK,
	.max_args = 0,
	.run = run_vars,
};

static const char *const config_options[] = { "max-string", "max-elems", "max-depth", NULL };

const struct ui_cmd ui_cmd_config = {
	.name = "config",
	.usage = "config [max-string N] [max-elems N] [max-depth N]",
	.summary = "show or set the limits of print: string bytes, elements, nesting",
	.options = config_options,
	.max_args = 6,
	.run = run_config,
};
