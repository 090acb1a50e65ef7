/* The Go plugin's function names as the runtime's traceback prints them: a
 * generic's shape ("main.Wait[go.shape.int]", the instantiation the compiler
 * made per GC shape) shown as "[...]", everywhere a name is shown. The printed
 * names are made once per function and kept for the life of the plugin's state.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdlib.h>
#include <string.h>

/* Open addressing on the name's address: every name lives at one place in the
 * pclntab's bytes. */
struct gort_names {
	const char **raw;
	char **print;
	size_t cap, n; /* cap is a power of two; n < cap / 2 */
};

struct gort_names *
gort_names_new(void)
{
	return calloc(1, sizeof(struct gort_names));
}

void
gort_names_free(struct gort_names *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++)
		free(c->print[i]);
	free(c->raw);
	free(c->print);
	free(c);
}

static size_t
slot(const struct gort_names *c, const char *name)
{
	size_t i = ((uintptr_t)name * 0x9e3779b97f4a7c15u) >> 17 & (c->cap - 1);

	while (c->raw[i] && c->raw[i] != name)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static bool
grow(struct gort_names *c)
{
	struct gort_names bigger = { NULL, NULL, c->cap ? c->cap * 2 : 256, c->n };

	bigger.raw = calloc(bigger.cap, sizeof(*bigger.raw));
	bigger.print = calloc(bigger.cap, sizeof(*bigger.print));
	if (!bigger.raw || !bigger.print) {
		free(bigger.raw);
		free(bigger.print);
		return false;
	}
	for (size_t i = 0; i < c->cap; i++) {
		if (c->raw[i]) {
			size_t j = slot(&bigger, c->raw[i]);

			bigger.raw[j] = c->raw[i];
			bigger.print[j] = c->print[i];
		}
	}
	free(c->raw);
	free(c->print);
	*c = bigger;
	return true;
}

const char *
gort_name_print(struct gort_names *c, const char *name)
{
	const char *open = name ? strchr(name, '[') : NULL, *close;
	size_t i, head, tail;
	char *p;

	if (!open || !c)
		return name;
	close = strrchr(name, ']');
	/* "[...]" already (Go 1.19's linker), or no pair: the runtime prints it so. */
	if (!close || close <= open || (close - open == 4 && memcmp(open, "[...]", 5) == 0))
		return name;
	if (c->n + 1 >= c->cap / 2 && !grow(c))
		return name;
	i = slot(c, name);
	if (c->raw[i])
		return c->print[i];
	head = (size_t)(open - name);
	tail = strlen(close + 1);
	p = malloc(head + 5 + tail + 1);
	if (!p)
		return name;
	memcpy(p, name, head);
	memcpy(p + head, "[...]", 5);
	memcpy(p + head + 5, close + 1, tail + 1);
	c->raw[i] = name;
	c->print[i] = p;
	c->n++;
	return p;
}

int
gort_frames(const struct gort_state *st, uint64_t pc, bool call_site, struct gort_srcframe *out,
	    int max)
{
	int n = gort_pclntab_frames(st->pcln, pc, call_site, out, max);

	for (int i = 0; i < n; i++)
		out[i].func = gort_name_print(st->names, out[i].func);
	return n;
}
