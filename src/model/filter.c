/* The model layer's filters: --with/--without conditions on tasks, by wait reason
 * (a short name, the runtime's words, or those in quotes, exact), by function,
 * running, leaked or user; one parser for `inspect dump` and the REPL's `tasks`.
 * All conditions must hold (Delve's goroutines -with does the same); any one
 * value of a condition may (reason=mutex,select).
 * SPDX-License-Identifier: MIT */
#include "model/model.h"

#include <stdio.h>
#include <string.h>

#include "util/suggest.h"

#define USE "use reason=NAME, func=SUBSTRING, running, leaked or user"

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

/* ---- parsing ---- */

/* Walk the plugins' reason names and, with strings, the runtime strings they
 * stand for: fn returns true to stop; returns that. */
static bool
each_reason_word(const struct rt_plugin_set *plugins, bool strings,
		 bool (*fn)(void *ctx, const struct insp_reason_name *r, const char *word),
		 void *ctx)
{
	for (size_t i = 0; plugins && i < plugins->n; i++)
		for (const struct insp_reason_name *r = plugins->plugins[i]->reasons; r && r->name;
		     r++) {
			size_t max = sizeof(r->strings) / sizeof(r->strings[0]);

			if (fn(ctx, r, r->name))
				return true;
			for (size_t k = 0; strings && k < max && r->strings[k]; k++)
				if (fn(ctx, r, r->strings[k]))
					return true;
		}
	return false;
}

struct lookup {
	const char *text;
	size_t len;
	const struct insp_reason_name *found;
};

static bool
same_word(void *ctx, const struct insp_reason_name *r, const char *word)
{
	struct lookup *l = ctx;

	if (strlen(word) != l->len || strncmp(word, l->text, l->len) != 0)
		return false;
	l->found = r;
	return true;
}

/* Is the text a runtime string with what the traceback adds to it ("select
 * (durable)", "chan receive (leaked)", "sleep, synctest bubble 2")? */
static bool
decorated(void *ctx, const struct insp_reason_name *r, const char *word)
{
	struct lookup *l = ctx;
	size_t len = strlen(word);

	(void)r;
	return len + 2 < l->len && strncmp(l->text, word, len) == 0 &&
	       (strncmp(l->text + len, " (", 2) == 0 || strncmp(l->text + len, ", ", 2) == 0);
}

/* Is the text the first word of the runtime's words ("chan" of "chan send")?
 * A shell or the REPL split reason=chan send at the blank. */
static bool
first_word(void *ctx, const struct insp_reason_name *r, const char *word)
{
	struct suggest *sg = ctx;

	(void)r;
	if (strncmp(word, sg->typed, sg->len) == 0 && word[sg->len] == ' ' &&
	    sg->n < SUGGEST_MAX) {
		for (size_t i = 0; i < sg->n; i++)
			if (strcmp(sg->names[i], word) == 0)
				return false;
		sg->names[sg->n++] = word;
	}
	return false;
}

static bool
offer(void *ctx, const struct insp_reason_name *r, const char *word)
{
	(void)r;
	suggest_add(ctx, word);
	return false;
}

/* "did you mean 'a' or 'b'?" into buf, suffix after each name; "" if nothing
 * is near. */
static const char *
did_you_mean(const struct suggest *sg, const char *suffix, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sg->n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s'%s%s'",
					i ? " or " : "did you mean ", sg->names[i], suffix);
	if (sg->n && len < size)
		snprintf(buf + len, size - len, "?");
	return buf;
}

/* A reason value that is not quoted: a short name, or the runtime's words. */
static int
reason_value(struct mdl_value *v, const struct rt_plugin_set *plugins, struct insp_err *err)
{
	struct lookup l = { v->text, v->len, NULL };
	struct suggest sg;
	char near[256];

	if (each_reason_word(plugins, false, same_word, &l)) {
		v->name = l.found;
		return 0;
	}
	/* words the report prints: "chan send", "select (durable)" */
	if (each_reason_word(plugins, true, same_word, &l) ||
	    each_reason_word(plugins, true, decorated, &l))
		return 0;
	suggest_init(&sg, v->text, v->len);
	each_reason_word(plugins, true, first_word, &sg);
	if (sg.n) {
		size_t len = 0;

		for (size_t i = 0; i < sg.n && len < sizeof(near); i++)
			len += (size_t)snprintf(near + len, sizeof(near) - len, "%sreason=\"%s\"",
						i ? " or " : "", sg.names[i]);
		return insp_err_set(err, INSP_E_USAGE,
				    "unknown reason name '%.*s': the words have a blank, quote "
				    "them whole: %s",
				    (int)v->len, v->text, near);
	}
	each_reason_word(plugins, true, offer, &sg);
	if (sg.n)
		return insp_err_set(err, INSP_E_USAGE, "unknown reason name '%.*s' (%s)",
				    (int)v->len, v->text,
				    did_you_mean(&sg, "", near, sizeof(near)));
	/* The runtime has strings the names do not list ("trace reader
	 * (blocked)"): words, not a name, are taken as they are. */
	if (memchr(v->text, ' ', v->len) || memchr(v->text, '(', v->len))
		return 0;
	return insp_err_set(err, INSP_E_USAGE,
			    "unknown reason name '%.*s' (see 'inspect dump --help'; quote the "
			    "runtime's exact string: reason='\"%.*s\"')",
			    (int)v->len, v->text, (int)v->len, v->text);
}

/* The values after '=': separated by commas (not by ", ", which the runtime's
 * words have), each bare or in quotes. */
static int
parse_values(struct mdl_cond *c, const char *spec, const char *p,
	     const struct rt_plugin_set *plugins, struct insp_err *err)
{
	for (;;) {
		struct mdl_value *v = &c->vals[c->nvals];

		if (c->nvals == MDL_MAX_VALUES)
			return insp_err_set(err, INSP_E_USAGE,
					    "too many values in '%s' (at most %d)", spec,
					    MDL_MAX_VALUES);
		memset(v, 0, sizeof(*v));
		if (*p == '"' || *p == '\'') {
			const char *end = strchr(p + 1, *p);

			if (!end)
				return insp_err_set(err, INSP_E_USAGE,
						    "bad filter '%s': a quote is not closed", spec);
			v->text = p + 1;
			v->len = (size_t)(end - p - 1);
			v->exact = true;
			p = end + 1;
			/* ", " is part of the runtime's words, never between values */
			if (*p && (*p != ',' || p[1] == ' ' || !p[1]))
				return insp_err_set(err, INSP_E_USAGE,
						    "bad filter '%s': after a quoted value comes "
						    "the end or a comma and the next value (the "
						    "runtime's words with \", \" go whole in the "
						    "quotes)",
						    spec);
		} else {
			const char *end = p;

			while (*end && !(end[0] == ',' && end[1] != ' '))
				end++;
			v->text = p;
			v->len = (size_t)(end - p);
			p = end;
			if (!v->len)
				return insp_err_set(err, INSP_E_USAGE,
						    "bad filter '%s': a value is empty", spec);
		}
		if (c->kind == MDL_COND_REASON && !v->exact && reason_value(v, plugins, err) < 0)
			return -1;
		c->nvals++;
		if (!*p)
			return 0;
		p++; /* the comma */
	}
}

/* Neither a field nor a flag: say what is near. */
static int
bad_filter(const char *spec, const char *eq, const struct rt_plugin_set *plugins,
	   struct insp_err *err)
{
	static const char *const fields[] = { "reason", "func", NULL };
	static const char *const flags[] = { "running", "leaked", "user", NULL };
	size_t len = eq ? (size_t)(eq - spec) : strlen(spec);
	struct suggest sg;
	char near[256];

	suggest_init(&sg, spec, len);
	for (const char *const *w = eq ? fields : flags; *w; w++)
		suggest_add(&sg, *w);
	if (sg.n)
		return insp_err_set(err, INSP_E_USAGE, "bad filter '%s': %s (%s)", spec,
				    did_you_mean(&sg, eq ? eq : "", near, sizeof(near)), USE);
	/* A reason without its field: --with select */
	if (!eq) {
		struct lookup l = { spec, len, NULL };

		if (each_reason_word(plugins, true, same_word, &l))
			return insp_err_set(err, INSP_E_USAGE,
					    "bad filter '%s': did you mean 'reason=%s'? (%s)", spec,
					    spec, USE);
	}
	return insp_err_set(err, INSP_E_USAGE, "bad filter '%s': " USE, spec);
}

int
mdl_filter_add(struct mdl_filter *f, bool without, const char *spec,
	       const struct rt_plugin_set *plugins, struct insp_err *err)
{
	struct mdl_cond *c;
	const char *eq = strchr(spec, '=');
	size_t field = eq ? (size_t)(eq - spec) : strlen(spec);

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
	} else if (field == 5 && strncmp(spec, "label", 5) == 0) {
		return insp_err_set(err, INSP_E_USAGE, "labels are not read yet");
	} else if (eq && ((field == 4 && strncmp(spec, "func", 4) == 0) ||
			  (field == 6 && strncmp(spec, "reason", 6) == 0))) {
		c->kind = field == 4 ? MDL_COND_FUNC : MDL_COND_REASON;
		if (parse_values(c, spec, eq + 1, plugins, err) < 0)
			return -1;
	} else {
		return bad_filter(spec, eq, plugins, err);
	}
	f->n++;
	return 0;
}

/* ---- matching ---- */

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

/* Is key, whole, the value's text? */
static bool
is_text(const char *key, const struct mdl_value *v)
{
	return key && strlen(key) == v->len && strncmp(key, v->text, v->len) == 0;
}

static bool
value_holds(const struct mdl_cond *c, const struct mdl_value *v, const struct mdl_snapshot *s,
	    const struct insp_task *t)
{
	const struct insp_loc *frame;

	if (c->kind == MDL_COND_FUNC) {
		frame = mdl_task_frame(t);
		return frame->func && memmem(frame->func, strlen(frame->func), v->text, v->len);
	}
	/* A short name stands for the runtime's string whatever the traceback adds
	 * to it ("select" for "select (durable)"), or for a state word ("running",
	 * "leaked"). */
	if (v->name)
		return name_matches(v->name, s, plain_key(t)) ||
		       (t->reason && name_matches(v->name, s, t->state));
	/* The words shown, with or without the sandbox; not exact, also the
	 * runtime's string without what the traceback adds. */
	return is_text(mdl_task_key(t), v) || is_text(t->reason, v) ||
	       (!v->exact && is_text(plain_key(t), v));
}

static bool
cond_holds(const struct mdl_cond *c, const struct mdl_snapshot *s, const struct insp_task *t)
{
	switch (c->kind) {
	case MDL_COND_RUNNING:
		return (t->flags & INSP_TASK_ON_THREAD) || strcmp(t->state, "running") == 0;
	case MDL_COND_LEAKED:
		return t->flags & INSP_TASK_LEAKED;
	case MDL_COND_USER:
		return !(t->flags & INSP_TASK_SYSTEM);
	case MDL_COND_FUNC:
	case MDL_COND_REASON:
		for (size_t i = 0; i < c->nvals; i++)
			if (value_holds(c, &c->vals[i], s, t))
				return true;
		return false;
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
