/* The model layer's filters: --with/--without conditions on tasks, by wait reason
 * (short name or the runtime's exact string), by function, running, or leaked.
 * All conditions must hold (Delve's goroutines -with does the same).
 * SPDX-License-Identifier: MIT */
#include "model/model.h"

#include <string.h>

const char *
mdl_task_key(const struct insp_task *t)
{
	return t->words ? t->words : t->reason ? t->reason : t->state;
}

const struct insp_loc *
mdl_task_frame(const struct insp_task *t)
{
	return t->user_top.func ? &t->user_top : &t->top;
}

int
mdl_filter_add(struct mdl_filter *f, bool without, const char *spec,
	       const struct rt_plugin_set *plugins, struct insp_err *err)
{
	struct mdl_cond *c;
	const char *eq = strchr(spec, '=');

	if (f->n == MDL_MAX_CONDS)
		return insp_err_set(err, INSP_E_USAGE, "too many filters (at most %d)",
				    MDL_MAX_CONDS);
	c = &f->conds[f->n];
	memset(c, 0, sizeof(*c));
	c->without = without;
	if (strcmp(spec, "running") == 0) {
		c->kind = MDL_COND_RUNNING;
	} else if (strcmp(spec, "leaked") == 0) {
		c->kind = MDL_COND_LEAKED;
	} else if (strcmp(spec, "user") == 0) {
		c->kind = MDL_COND_USER;
	} else if (eq && (size_t)(eq - spec) == 4 && strncmp(spec, "func", 4) == 0 && eq[1]) {
		c->kind = MDL_COND_FUNC;
		c->arg = eq + 1;
	} else if (eq && (size_t)(eq - spec) == 6 && strncmp(spec, "reason", 6) == 0 && eq[1]) {
		size_t len = strlen(eq + 1);
		bool quoted;

		c->kind = MDL_COND_REASON;
		c->arg = eq + 1;
		quoted = len >= 2 && c->arg[0] == '"' && c->arg[len - 1] == '"';

		/* Quoted: the runtime's exact string, matched without its quotes. */
		if (!quoted && !(c->name = rt_reason_name(plugins, c->arg)))
			return insp_err_set(err, INSP_E_USAGE,
					    "unknown reason name '%s' (see 'inspect dump --help'; "
					    "quote the runtime's exact string: reason='\"%s\"')",
					    c->arg, c->arg);
	} else {
		return insp_err_set(
			err, INSP_E_USAGE,
			"bad filter '%s': use reason=NAME, func=SUBSTRING, running, leaked or user",
			spec);
	}
	f->n++;
	return 0;
}

static bool
runtime_knows(const struct mdl_snapshot *s, const char *reason)
{
	for (size_t i = 0; i < s->nreasons; i++)
		if (strcmp(s->reasons[i], reason) == 0)
			return true;
	return false;
}

/* Does key stand for the short name n in this snapshot's runtime? */
static bool
name_matches(const struct insp_reason_name *n, const struct mdl_snapshot *s, const char *key)
{
	for (size_t i = 0; n->strings[i]; i++) {
		if (n->any) {
			if (strcmp(n->strings[i], key) == 0)
				return true;
			continue;
		}
		/* Not a wait reason of this runtime (Go 1.19 has no "sync.Mutex.Lock"):
		 * the next, less specific string stands in for it. A state word
		 * ("running") is never in the table and matches as it is. */
		if (runtime_knows(s, n->strings[i]) || !n->strings[i + 1] || s->nreasons == 0)
			return strcmp(n->strings[i], key) == 0;
	}
	return false;
}

/* What short names match: the runtime's plain string, else the state word. */
static const char *
plain_key(const struct insp_task *t)
{
	if (t->reason_plain)
		return t->reason_plain;
	return t->reason ? t->reason : t->state;
}

/* Is key the text of quoted ("TEXT")? */
static bool
exact(const char *key, const char *quoted)
{
	size_t len = strlen(key);

	return len == strlen(quoted) - 2 && strncmp(key, quoted + 1, len) == 0;
}

static bool
cond_holds(const struct mdl_cond *c, const struct mdl_snapshot *s, const struct insp_task *t)
{
	const struct insp_loc *frame;

	switch (c->kind) {
	case MDL_COND_RUNNING:
		return (t->flags & INSP_TASK_ON_THREAD) || strcmp(t->state, "running") == 0;
	case MDL_COND_LEAKED:
		return t->flags & INSP_TASK_LEAKED;
	case MDL_COND_USER:
		return !(t->flags & INSP_TASK_SYSTEM);
	case MDL_COND_FUNC:
		frame = mdl_task_frame(t);
		return frame->func && strstr(frame->func, c->arg);
	case MDL_COND_REASON:
		/* A short name stands for the runtime's string whatever the traceback
		 * adds to it ("select" for "select (durable)"), or for a state word
		 * ("running", "leaked"). */
		if (c->name)
			return name_matches(c->name, s, plain_key(t)) ||
			       (t->reason && name_matches(c->name, s, t->state));
		/* The exact string: the words shown, with or without the sandbox. */
		return exact(mdl_task_key(t), c->arg) || (t->reason && exact(t->reason, c->arg));
	}
	return false;
}

bool
mdl_filter_match(const struct mdl_filter *f, const struct mdl_snapshot *s,
		 const struct insp_task *t)
{
	if (!f->system && (t->flags & INSP_TASK_SYSTEM))
		return false;
	for (size_t i = 0; i < f->n; i++)
		if (cond_holds(&f->conds[i], s, t) == f->conds[i].without)
			return false;
	return true;
}
