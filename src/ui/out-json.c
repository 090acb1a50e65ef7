/* The ui layer's JSON report (json-c): one document with the process, the pause,
 * every goroutine that passes the filter, and the groups with their sites. Field
 * names are documented in the README ("JSON"); scripts depend on them: add fields
 * freely, but removing or renaming one bumps SCHEMA_VERSION.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "util/esc.h"

#define NS_PER_MIN INT64_C(60000000000)
#define SCHEMA_VERSION 1
/* '/' as it is: paths and function names are full of them */
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Every string: json-c copies bytes as they are, and the target chose most of
 * them. Escaped as in the text report (control characters and bytes that are not
 * UTF-8 as the text \xNN: util/esc.h), the document is valid UTF-8 JSON, and
 * a name reads the same in both. */
json_object *
ui_json_str(const char *s)
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

/* ns as seconds with milliseconds, or null when negative (unknown). */
static json_object *
seconds_json(int64_t ns)
{
	char buf[32];

	if (ns < 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%.3f", (double)ns / 1e9);
	return json_object_new_double_s((double)ns / 1e9, buf);
}

static json_object *
loc_json(const struct insp_loc *loc)
{
	json_object *o;

	if (!loc->func)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "func", ui_json_str(loc->func));
	json_object_object_add(o, "file", loc->file ? ui_json_str(loc->file) : NULL);
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

		json_object_object_add(o, "func", f->loc.func ? ui_json_str(f->loc.func) : NULL);
		json_object_object_add(o, "file", f->loc.file ? ui_json_str(f->loc.file) : NULL);
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

		json_object_object_add(e, "name", ui_json_str(v->vals[i].name));
		json_object_object_add(e, "arg", json_object_new_boolean(v->vals[i].arg));
		if (v->vals[i].shadowed)
			json_object_object_add(e, "shadowed", json_object_new_boolean(true));
		json_object_object_add(e, "value", ui_json_str(v->vals[i].text));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "variables", a);
	if (v->error)
		json_object_object_add(o, "error", ui_json_str(v->error));
	return o;
}

/* {"key": "value"} of a task's labels; keys escaped as values are. */
static json_object *
labels_json(const struct insp_task *t)
{
	json_object *o = json_object_new_object();

	for (uint32_t i = 0; i < t->nlabels; i++) {
		char *k = esc_plain(t->labels[i].key) ? NULL : esc_strdup(t->labels[i].key);

		json_object_object_add(o, k ? k : t->labels[i].key,
				       ui_json_str(t->labels[i].value));
		free(k);
	}
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
	json_object_object_add(o, "status", ui_json_str(t->state));
	json_object_object_add(o, "wait_reason", t->reason ? ui_json_str(t->reason) : NULL);
	json_object_object_add(o, "wait_minutes",
			       t->wait_ns >= 0 ? json_object_new_int64(t->wait_ns / NS_PER_MIN)
					       : NULL);
	json_object_object_add(o, "wait_seconds", seconds_json(t->wait_ns));
	json_object_object_add(o, "top", loc_json(&t->top));
	json_object_object_add(o, "user_top", loc_json(&t->user_top));
	json_object_object_add(o, "go_pc", loc_json(&t->go_pc));
	json_object_object_add(o, "start_func", t->start.func ? ui_json_str(t->start.func) : NULL);
	json_object_object_add(o, "thread", t->tid ? json_object_new_int(t->tid) : NULL);
	json_object_object_add(o, "system", json_object_new_boolean(t->flags & INSP_TASK_SYSTEM));
	json_object_object_add(o, "locked", json_object_new_boolean(t->flags & INSP_TASK_LOCKED));
	json_object_object_add(o, "leaked", json_object_new_boolean(t->flags & INSP_TASK_LEAKED));
	json_object_object_add(o, "durable", json_object_new_boolean(t->flags & INSP_TASK_DURABLE));
	if (t->sandbox)
		json_object_object_add(o, sandbox_key(t->sandbox, key, sizeof(key)),
				       json_object_new_uint64(t->sandbox_id));
	/* the words the report groups by: what inspect diff reads back */
	if (t->words)
		json_object_object_add(o, "wait_words", ui_json_str(t->words));
	json_object_object_add(o, "created_by", created_by_json(t));
	/* only when it has any: most goroutines have none */
	if (t->nlabels)
		json_object_object_add(o, "labels", labels_json(t));
	if (t->labels_cut)
		json_object_object_add(o, "labels_cut", json_object_new_boolean(true));
	if (frames) {
		json_object_object_add(o, "frames", frames_json(t->frames, t->nframes));
		json_object_object_add(o, "frames_cut", json_object_new_boolean(t->frames_cut));
	}
	if (v)
		json_object_object_add(o, "locals", values_json(v));
	if (t->note)
		json_object_object_add(o, "note", ui_json_str(t->note));
	return o;
}

/* --group's word: "reason", "stack", "func", "creator" or "label=KEY". */
static json_object *
group_by_json(const struct mdl_grouping *g)
{
	static const char *const words[] = {
		[MDL_GROUP_REASON] = "reason",
		[MDL_GROUP_STACK] = "stack",
		[MDL_GROUP_FUNC] = "func",
		[MDL_GROUP_CREATOR] = "creator",
	};
	char *by;
	json_object *o;

	if (g->by != MDL_GROUP_LABEL)
		return json_object_new_string(words[g->by]);
	if (asprintf(&by, "label=%s", g->label) < 0)
		return NULL;
	o = ui_json_str(by);
	free(by);
	return o;
}

/* A line of the text report: where its goroutines stand, who created them, how
 * many, a few ids, and how long they have waited. */
static json_object *
site_json(const struct mdl_site *site)
{
	json_object *o = json_object_new_object(), *ids = json_object_new_array();

	json_object_object_add(o, "frame", loc_json(site->frame));
	json_object_object_add(o, "reason", ui_json_str(mdl_task_key(site->first)));
	json_object_object_add(o, "created_by", loc_json(site->creator));
	json_object_object_add(o, "count", json_object_new_int64((int64_t)site->count));
	for (size_t k = 0; k < site->count && k < MDL_EXAMPLES; k++)
		json_object_array_add(ids, json_object_new_uint64(site->examples[k]));
	json_object_object_add(o, "examples", ids);
	json_object_object_add(o, "thread",
			       site->first->tid ? json_object_new_int(site->first->tid) : NULL);
	json_object_object_add(o, "wait_newest_seconds", seconds_json(site->wait_newest_ns));
	json_object_object_add(o, "wait_oldest_seconds", seconds_json(site->wait_oldest_ns));
	json_object_object_add(o, "wait_unknown",
			       json_object_new_int64((int64_t)site->wait_unknown));
	return o;
}

/* A block of the text report: its key as the text shows it, and its sites. */
static json_object *
group_json(const struct mdl_grouping *g, const struct mdl_group *gr)
{
	json_object *o = json_object_new_object(), *sites = json_object_new_array();

	json_object_object_add(o, "key", ui_json_str(gr->key));
	if (g->by == MDL_GROUP_LABEL) {
		/* --group label=KEY: the value, null for those without it */
		json_object_object_add(o, "label", ui_json_str(g->label));
		json_object_object_add(o, "value",
				       gr->label_value ? ui_json_str(gr->label_value) : NULL);
	} else if (g->by == MDL_GROUP_REASON || g->by == MDL_GROUP_STACK) {
		json_object_object_add(o, "reason", ui_json_str(gr->key));
	}
	json_object_object_add(o, "count", json_object_new_int64((int64_t)gr->count));
	for (size_t j = 0; j < gr->nsites; j++)
		json_object_array_add(sites, site_json(&gr->sites[j]));
	json_object_object_add(o, "sites", sites);
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
		json_object_object_add(o, "name", ui_json_str(th->thread->name));
		json_object_object_add(o, "state", ui_json_str(state));
		json_object_object_add(o, "goroutine",
				       th->task ? json_object_new_uint64(th->task->id) : NULL);
		json_object_object_add(o, "frames", frames_json(th->frames, th->nframes));
		if (th->why)
			json_object_object_add(o, "note", ui_json_str(th->why));
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
		fputs(json_object_to_json_string_ext(o, JSON_FLAGS), out);
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
	const char *version = mdl_info(s, "go_version"), *head, *gc;
	char when[64];
	size_t len;
	int ret = 0;

	json_object_object_add(root, "schema_version", json_object_new_int(SCHEMA_VERSION));
	json_object_object_add(root, "inspect_version", json_object_new_string(INSPECT_VERSION));
	json_object_object_add(
		root, "captured_at",
		json_object_new_string(ui_rfc3339(s->captured_ns, when, sizeof(when))));
	json_object_object_add(root, "pid", json_object_new_int(s->pid));
	json_object_object_add(root, "started_at",
			       s->started_ns ? json_object_new_string(ui_rfc3339(
						       s->started_ns, when, sizeof(when)))
					     : NULL);
	json_object_object_add(root, "uptime_seconds",
			       seconds_json(s->started_ns ? s->captured_ns - s->started_ns : -1));
	json_object_object_add(root, "exe", ui_json_str(s->exe));
	json_object_object_add(root, "runtime_lib",
			       s->runtime_lib ? ui_json_str(s->runtime_lib) : NULL);
	json_object_object_add(root, "debug_file",
			       s->debug_file ? ui_json_str(s->debug_file) : NULL);
	json_object_object_add(root, "runtime", ui_json_str(s->plugin->name));
	json_object_object_add(root, "go_version", version ? ui_json_str(version) : NULL);
	sources = json_object_new_object();
	for (size_t i = 0; ui_source_keys[i]; i++)
		if (mdl_info(s, ui_source_keys[i]))
			json_object_object_add(sources, ui_source_keys[i],
					       ui_json_str(mdl_info(s, ui_source_keys[i])));
	json_object_object_add(root, "sources", sources);
	json_object_object_add(root, "pause_ms", json_object_new_double(s->pause_ms));
	/* what the runtime's wait times rest on (README: Wait times) */
	gc = mdl_info(s, "gc_cycles");
	json_object_object_add(root, "gc_cycles", gc ? json_object_new_int64(atoll(gc)) : NULL);
	gc = mdl_info(s, "gc_started");
	json_object_object_add(root, "gc_started",
			       gc ? json_object_new_boolean(strcmp(gc, "yes") == 0) : NULL);
	json_object_object_add(root, "threads", json_object_new_int64((int64_t)s->nthreads));
	json_object_object_add(root, "hidden_system", json_object_new_int64((int64_t)g->hidden));
	json_object_object_add(root, "group_by", group_by_json(g));
	groups = json_object_new_array();
	for (size_t i = 0; i < g->ngroups; i++)
		json_object_array_add(groups, group_json(g, &g->groups[i]));
	json_object_object_add(root, "groups", groups);
	if (s->native && s->threads_wanted)
		json_object_object_add(root, "os_threads", threads_json(s));
	notes = json_object_new_array();
	for (size_t i = 0; i < s->nnotes; i++)
		json_object_array_add(notes, ui_json_str(s->notes[i]));
	json_object_object_add(root, "notes", notes);
	/* The document is root's fields, then the goroutines: root without its
	 * closing brace, a comma, and the array. */
	head = json_object_to_json_string_ext(root, JSON_FLAGS);
	len = strlen(head);
	if (fwrite(head, 1, len - 1, out) != len - 1 || fputc(',', out) < 0 ||
	    print_tasks(out, s, f) < 0)
		ret = -1;
	json_object_put(root);
	return ret;
}
