/* The ui layer's JSON report (json-c): one document with the process, the pause,
 * every goroutine that passes the filter, and the groups. Field names are
 * documented in the README; scripts depend on them, so only ever add fields.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "util/esc.h"

#define NS_PER_MIN INT64_C(60000000000)

/* Every string: json-c copies bytes as they are, and the target chose most of
 * them. Escaped as in the text report (control characters and bytes that are not
 * UTF-8 as the text \xNN: util/esc.h), the document is valid UTF-8 JSON, and
 * a name reads the same in both. */
static json_object *
jstr(const char *s)
{
	char *e;
	json_object *o;

	if (esc_plain(s))
		return json_object_new_string(s);
	e = esc_strdup(s);
	o = e ? json_object_new_string(e) : NULL;
	free(e);
	return o;
}

static json_object *
loc_json(const struct insp_loc *loc)
{
	json_object *o;

	if (!loc->func)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "func", jstr(loc->func));
	json_object_object_add(o, "file", loc->file ? jstr(loc->file) : NULL);
	json_object_object_add(o, "line", json_object_new_int64(loc->line));
	return o;
}

static json_object *
frames_json(const struct insp_frame *frames, uint32_t n)
{
	json_object *a = json_object_new_array_ext((int)n);

	for (uint32_t i = 0; i < n; i++) {
		const struct insp_frame *f = &frames[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "func", f->loc.func ? jstr(f->loc.func) : NULL);
		json_object_object_add(o, "file", f->loc.file ? jstr(f->loc.file) : NULL);
		json_object_object_add(o, "line", json_object_new_int64(f->loc.line));
		json_object_object_add(o, "pc", json_object_new_uint64(f->loc.pc));
		json_object_object_add(o, "inlined", json_object_new_boolean(f->inlined));
		if (f->wrapper)
			json_object_object_add(o, "wrapper", json_object_new_boolean(true));
		if (f->native)
			json_object_object_add(o, "native", json_object_new_boolean(true));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *
created_by_json(const struct insp_task *t)
{
	json_object *o = loc_json(&t->go_pc);

	if (o)
		json_object_object_add(o, "goid",
				       t->parent_id ? json_object_new_uint64(t->parent_id) : NULL);
	return o;
}

/* --locals: [{"name", "arg", ["shadowed",] "value"}] of the frame kept for t. */
static json_object *
values_json(const struct mdl_task_values *v)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "frame", json_object_new_int64(v->frame));
	for (size_t i = 0; i < v->n; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "name", jstr(v->vals[i].name));
		json_object_object_add(e, "arg", json_object_new_boolean(v->vals[i].arg));
		if (v->vals[i].shadowed)
			json_object_object_add(e, "shadowed", json_object_new_boolean(true));
		json_object_object_add(e, "value", jstr(v->vals[i].text));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "variables", a);
	if (v->error)
		json_object_object_add(o, "error", jstr(v->error));
	return o;
}

/* The JSON name of a sandbox: its words with '_' for ' ' ("synctest_bubble"). */
static const char *
sandbox_key(const char *words, char *buf, size_t size)
{
	size_t i;

	for (i = 0; words[i] && i + 1 < size; i++)
		buf[i] = words[i] == ' ' ? '_' : words[i];
	buf[i] = '\0';
	return buf;
}

static json_object *
task_json(const struct mdl_snapshot *s, const struct insp_task *t, bool frames)
{
	json_object *o = json_object_new_object();
	const struct mdl_task_values *v = mdl_task_values(s, t);
	char key[64];

	json_object_object_add(o, "id", json_object_new_uint64(t->id));
	json_object_object_add(o, "status", jstr(t->state));
	json_object_object_add(o, "wait_reason", t->reason ? jstr(t->reason) : NULL);
	json_object_object_add(o, "wait_minutes",
			       t->wait_ns >= 0 ? json_object_new_int64(t->wait_ns / NS_PER_MIN)
					       : NULL);
	json_object_object_add(o, "top", loc_json(&t->top));
	json_object_object_add(o, "user_top", loc_json(&t->user_top));
	json_object_object_add(o, "go_pc", loc_json(&t->go_pc));
	json_object_object_add(o, "start_func", t->start.func ? jstr(t->start.func) : NULL);
	json_object_object_add(o, "thread", t->tid ? json_object_new_int(t->tid) : NULL);
	json_object_object_add(o, "system", json_object_new_boolean(t->flags & INSP_TASK_SYSTEM));
	json_object_object_add(o, "locked", json_object_new_boolean(t->flags & INSP_TASK_LOCKED));
	json_object_object_add(o, "leaked", json_object_new_boolean(t->flags & INSP_TASK_LEAKED));
	json_object_object_add(o, "durable", json_object_new_boolean(t->flags & INSP_TASK_DURABLE));
	if (t->sandbox)
		json_object_object_add(o, sandbox_key(t->sandbox, key, sizeof(key)),
				       json_object_new_uint64(t->sandbox_id));
	json_object_object_add(o, "created_by", created_by_json(t));
	if (frames) {
		json_object_object_add(o, "frames", frames_json(t->frames, t->nframes));
		json_object_object_add(o, "frames_cut", json_object_new_boolean(t->frames_cut));
	}
	if (v)
		json_object_object_add(o, "locals", values_json(v));
	if (t->note)
		json_object_object_add(o, "note", jstr(t->note));
	return o;
}

static json_object *
threads_json(const struct mdl_snapshot *s)
{
	json_object *a = json_object_new_array();
	char state[2] = "";

	for (size_t i = 0; i < s->nthreads; i++) {
		const struct mdl_thread *th = &s->native[i];
		json_object *o = json_object_new_object();

		state[0] = th->thread->state;
		json_object_object_add(o, "tid", json_object_new_int(th->thread->tid));
		json_object_object_add(o, "name", jstr(th->thread->name));
		json_object_object_add(o, "state", jstr(state));
		json_object_object_add(o, "goroutine",
				       th->task ? json_object_new_uint64(th->task->id) : NULL);
		json_object_object_add(o, "frames", frames_json(th->frames, th->nframes));
		if (th->why)
			json_object_object_add(o, "note", jstr(th->why));
		json_object_array_add(a, o);
	}
	return a;
}

/* The goroutines are written one object at a time, not as one tree: 30,000 of
 * them as a json-c tree cost more than the rest of the dump. */
static int
print_tasks(FILE *out, const struct mdl_snapshot *s, const struct mdl_filter *f)
{
	bool first = true;

	fputs("\"goroutines\":[", out);
	for (size_t i = 0; i < s->ntasks; i++) {
		json_object *o;

		if (!mdl_filter_match(f, s, s->tasks[i]))
			continue;
		o = task_json(s, s->tasks[i], s->max_frames > 0);
		if (!first)
			fputc(',', out);
		fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), out);
		json_object_put(o);
		first = false;
	}
	return fputs("]}\n", out) < 0 ? -1 : 0;
}

int
ui_report_json(FILE *out, struct mdl_snapshot *s, const struct mdl_filter *f,
	       const struct mdl_grouping *g)
{
	json_object *root = json_object_new_object(), *groups, *notes, *sources;
	const char *version = mdl_info(s, "go_version"), *head;
	size_t len;
	int ret = 0;

	json_object_object_add(root, "pid", json_object_new_int(s->pid));
	json_object_object_add(root, "exe", jstr(s->exe));
	json_object_object_add(root, "runtime_lib", s->runtime_lib ? jstr(s->runtime_lib) : NULL);
	json_object_object_add(root, "debug_file", s->debug_file ? jstr(s->debug_file) : NULL);
	json_object_object_add(root, "runtime", jstr(s->plugin->name));
	json_object_object_add(root, "go_version", version ? jstr(version) : NULL);
	sources = json_object_new_object();
	for (size_t i = 0; ui_source_keys[i]; i++)
		if (mdl_info(s, ui_source_keys[i]))
			json_object_object_add(sources, ui_source_keys[i],
					       jstr(mdl_info(s, ui_source_keys[i])));
	json_object_object_add(root, "sources", sources);
	json_object_object_add(root, "pause_ms", json_object_new_double(s->pause_ms));
	json_object_object_add(root, "threads", json_object_new_int64((int64_t)s->nthreads));
	json_object_object_add(root, "hidden_system", json_object_new_int64((int64_t)g->hidden));
	groups = json_object_new_array();
	for (size_t i = 0; i < g->ngroups; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "reason", jstr(g->groups[i].key));
		json_object_object_add(o, "count",
				       json_object_new_int64((int64_t)g->groups[i].count));
		json_object_array_add(groups, o);
	}
	json_object_object_add(root, "groups", groups);
	if (s->native && s->threads_wanted)
		json_object_object_add(root, "os_threads", threads_json(s));
	notes = json_object_new_array();
	for (size_t i = 0; i < s->nnotes; i++)
		json_object_array_add(notes, jstr(s->notes[i]));
	json_object_object_add(root, "notes", notes);
	/* The document is root's fields, then the goroutines: root without its
	 * closing brace, a comma, and the array. */
	head = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	len = strlen(head);
	if (fwrite(head, 1, len - 1, out) != len - 1 || fputc(',', out) < 0 ||
	    print_tasks(out, s, f) < 0)
		ret = -1;
	json_object_put(root);
	return ret;
}
