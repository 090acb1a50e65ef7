/* The ui layer's reader of saved captures: the document `inspect dump --format json`
 * writes (out-json.c), read back into a snapshot that the model groups as it groups
 * a live one. Only the per-goroutine fields grouping reads are taken; a file that is
 * not such a document is refused with what is wrong, never half read.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_MIN INT64_C(60000000000)
/* The schema versions this reader knows. A capture without schema_version is
 * one written before the field existed (issue 14): version 1's fields. */
#define SCHEMA_MAX 1

static json_object *
field(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* A string field into s's arena; NULL when absent, null or not a string. */
static const char *
str_field(struct mdl_snapshot *s, json_object *o, const char *key, bool *oom)
{
	json_object *v = field(o, key);
	const char *p;

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	p = arena_strndup(&s->arena, json_object_get_string(v),
			  (size_t)json_object_get_string_len(v));
	if (!p)
		*oom = true;
	return p;
}

static bool
bool_field(json_object *o, const char *key)
{
	json_object *v = field(o, key);

	return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* {"func", "file", "line"} (out-json.c's loc_json), or absent/null: unknown. */
static void
loc_field(struct mdl_snapshot *s, json_object *o, const char *key, struct insp_loc *loc, bool *oom)
{
	json_object *v = field(o, key), *line;

	if (!v || !json_object_is_type(v, json_type_object))
		return;
	loc->func = str_field(s, v, "func", oom);
	loc->file = loc->func ? str_field(s, v, "file", oom) : NULL;
	line = field(v, "line");
	if (loc->func && line && json_object_is_type(line, json_type_int))
		loc->line = (uint32_t)json_object_get_int64(line);
}

/* "frames": [{"func", "file", "line", "inlined"}], for --group stack. */
static void
frames_field(struct mdl_snapshot *s, json_object *o, struct insp_task *t, bool *oom)
{
	json_object *a = field(o, "frames");
	struct insp_frame *f;
	size_t n;

	if (!a || !json_object_is_type(a, json_type_array))
		return;
	n = json_object_array_length(a);
	f = arena_alloc(&s->arena, (n + 1) * sizeof(*f));
	if (!f) {
		*oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i), *line;

		if (!e || !json_object_is_type(e, json_type_object))
			continue;
		f[i].loc.func = str_field(s, e, "func", oom);
		f[i].loc.file = str_field(s, e, "file", oom);
		line = field(e, "line");
		if (line && json_object_is_type(line, json_type_int))
			f[i].loc.line = (uint32_t)json_object_get_int64(line);
		f[i].inlined = bool_field(e, "inlined");
	}
	t->frames = f;
	t->nframes = (uint32_t)n;
	t->frames_cut = bool_field(o, "frames_cut");
}

/* {"key": "value"} into the sorted array the model expects (json-c keeps the
 * document's order, which out-json.c wrote sorted). */
static void
labels_field(struct mdl_snapshot *s, json_object *o, struct insp_task *t, bool *oom)
{
	json_object *l = field(o, "labels");
	struct insp_label *labels;
	uint32_t n = 0;

	if (!l || !json_object_is_type(l, json_type_object))
		return;
	labels = arena_alloc(&s->arena,
			     ((size_t)json_object_object_length(l) + 1) * sizeof(*labels));
	if (!labels) {
		*oom = true;
		return;
	}
	json_object_object_foreach(l, k, v)
	{
		if (!v || !json_object_is_type(v, json_type_string))
			continue;
		labels[n].key = arena_strdup(&s->arena, k);
		labels[n].value = arena_strndup(&s->arena, json_object_get_string(v),
						(size_t)json_object_get_string_len(v));
		if (!labels[n].key || !labels[n].value)
			*oom = true;
		else
			n++;
	}
	t->labels = labels;
	t->nlabels = n;
	t->labels_cut = bool_field(o, "labels_cut");
}

/* One goroutine object into a task of s. */
static int
task_from(struct mdl_snapshot *s, json_object *o, struct insp_err *err)
{
	struct insp_task *t = mdl_snapshot_add_task(s);
	json_object *v;
	bool oom = false;

	if (!t)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	if ((v = field(o, "id")) && json_object_is_type(v, json_type_int))
		t->id = json_object_get_uint64(v);
	t->state = str_field(s, o, "status", &oom);
	if (!t->state)
		t->state = "?";
	t->reason = str_field(s, o, "wait_reason", &oom);
	/* wait_seconds (schema 1) where it is, else the minutes of captures before it */
	if ((v = field(o, "wait_seconds")) &&
	    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		t->wait_ns = (int64_t)(json_object_get_double(v) * 1e9);
	else if ((v = field(o, "wait_minutes")) && json_object_is_type(v, json_type_int))
		t->wait_ns = json_object_get_int64(v) * NS_PER_MIN;
	loc_field(s, o, "top", &t->top, &oom);
	loc_field(s, o, "user_top", &t->user_top, &oom);
	loc_field(s, o, "go_pc", &t->go_pc, &oom);
	t->start.func = str_field(s, o, "start_func", &oom);
	if ((v = field(o, "thread")) && json_object_is_type(v, json_type_int)) {
		t->tid = json_object_get_int(v);
		t->flags |= INSP_TASK_ON_THREAD;
	}
	t->flags |= (bool_field(o, "system") ? INSP_TASK_SYSTEM : 0) |
		    (bool_field(o, "locked") ? INSP_TASK_LOCKED : 0) |
		    (bool_field(o, "leaked") ? INSP_TASK_LEAKED : 0) |
		    (bool_field(o, "durable") ? INSP_TASK_DURABLE : 0);
	/* The runtime's words the report groups by: the reason and its bubble,
	 * as plugins/go/words.c writes them. */
	if ((v = field(o, "synctest_bubble")) && json_object_is_type(v, json_type_int)) {
		char buf[512];

		t->sandbox = "synctest bubble";
		t->sandbox_id = json_object_get_uint64(v);
		snprintf(buf, sizeof(buf), "%s, synctest bubble %llu",
			 t->reason ? t->reason : t->state, (unsigned long long)t->sandbox_id);
		if (!(t->words = arena_strdup(&s->arena, buf)))
			oom = true;
	}
	labels_field(s, o, t, &oom);
	frames_field(s, o, t, &oom);
	return oom ? insp_err_set(err, INSP_E_SYS, "out of memory") : 0;
}

/* Is root a capture whose version this reader knows? */
static int
check_capture(const char *path, json_object *root, json_object **tasks, struct insp_err *err)
{
	json_object *v;

	if (!json_object_is_type(root, json_type_object) || !(v = field(root, "goroutines")) ||
	    !json_object_is_type(v, json_type_array))
		return insp_err_set(
			err, INSP_E_USAGE,
			"'%s' is not a capture: no \"goroutines\" array (write one with "
			"inspect dump --format json PID)",
			path);
	*tasks = v;
	v = field(root, "schema_version");
	if (v && (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1 ||
		  json_object_get_int64(v) > SCHEMA_MAX))
		return insp_err_set(err, INSP_E_USAGE,
				    "'%s' has schema_version %s, which this inspect does not read "
				    "(it reads up to %d): a newer inspect wrote it",
				    path, json_object_to_json_string(v), SCHEMA_MAX);
	return 0;
}

/* Where the bytes of buf[0..n) may be cut for json-c: before an incomplete
 * UTF-8 sequence at the end (it validates each call's bytes alone). */
static size_t
utf8_whole(const char *buf, size_t n)
{
	for (size_t i = n; i > 0 && n - i < 4; i--) {
		unsigned char c = (unsigned char)buf[i - 1];

		if ((c & 0xc0) == 0x80)
			continue; /* a continuation byte: its lead is before */
		if (c < 0xc0)
			return n;
		return i - 1 + (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2) > n ? i - 1 : n;
	}
	return n;
}

/* The next bytes of the document into buf: head's first, then rest's. */
static size_t
next_bytes(const char **head, size_t *nhead, FILE *rest, char *buf, size_t size)
{
	size_t n = *nhead < size ? *nhead : size;

	if (n) {
		memcpy(buf, *head, n);
		*head += n;
		*nhead -= n;
		return n;
	}
	return rest ? fread(buf, 1, size, rest) : 0;
}

static bool
blanks(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!p[i] || !strchr(" \t\r\n", p[i]))
			return false;
	return true;
}

/* The document of head and rest, fed to tok a chunk at a time, into *root;
 * nothing but blanks after it. */
static int
parse_stream(const char *path, const char *head, size_t nhead, FILE *rest, json_tokener *tok,
	     json_object **root, struct insp_err *err)
{
	enum { CHUNK = 65536 };
	char *buf = malloc(CHUNK + 4);
	size_t carry = 0, fed = 0, got, n, whole, end;
	enum json_tokener_error jerr = json_tokener_continue;
	int ret = -1;

	if (!buf)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	for (;;) {
		got = next_bytes(&head, &nhead, rest, buf + carry, CHUNK);
		n = carry + got;
		if (fed + n > (size_t)UI_CAPTURE_MAX) {
			ui_capture_too_large(path, err);
			goto out;
		}
		whole = got ? utf8_whole(buf, n) : n;
		*root = json_tokener_parse_ex(tok, buf, (int)whole);
		jerr = json_tokener_get_error(tok);
		if (jerr != json_tokener_continue || !got)
			break;
		fed += whole;
		carry = n - whole;
		memmove(buf, buf + whole, carry);
	}
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_success && !*root) {
		insp_err_set(err, INSP_E_USAGE, "'%s' is not a capture: it is null", path);
		goto out;
	}
	if (jerr != json_tokener_success) {
		insp_err_set(err, INSP_E_USAGE, "'%s' is not JSON: %s at byte %zu", path,
			     jerr == json_tokener_continue ? "it ends too early"
							   : json_tokener_error_desc(jerr),
			     fed + end);
		goto out;
	}
	/* after the document: blanks to the end, bounded as the document */
	while (blanks(buf + end, n - end)) {
		fed += n;
		if (fed > (size_t)UI_CAPTURE_MAX) {
			ui_capture_too_large(path, err);
			goto out;
		}
		if (!(n = next_bytes(&head, &nhead, rest, buf, CHUNK))) {
			ret = rest && ferror(rest)
				      ? insp_err_set(err, INSP_E_SYS, "cannot read '%s': %s", path,
						     strerror(errno))
				      : 0;
			goto out;
		}
		end = 0;
	}
	while (blanks(buf + end, 1))
		end++;
	insp_err_set(err, INSP_E_USAGE, "'%s' is not JSON: more after the document, at byte %zu",
		     path, fed + end);
out:
	free(buf);
	return ret;
}

int
ui_load_json(const char *path, const char *head, size_t nhead, FILE *rest, struct mdl_snapshot *s,
	     struct insp_err *err)
{
	json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	json_object *root = NULL, *tasks = NULL;
	int ret = -1;

	if (!tok)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	/* its strings are printed as they are: text only */
	json_tokener_set_flags(tok, JSON_TOKENER_VALIDATE_UTF8);
	if (parse_stream(path, head, nhead, rest, tok, &root, err) < 0)
		goto out;
	if (check_capture(path, root, &tasks, err) < 0)
		goto out;
	for (size_t i = 0; i < json_object_array_length(tasks); i++) {
		json_object *o = json_object_array_get_idx(tasks, i);

		if (!o || !json_object_is_type(o, json_type_object)) {
			insp_err_set(err, INSP_E_USAGE,
				     "'%s' is not a capture: goroutine %zu is not an object", path,
				     i);
			goto out;
		}
		if (task_from(s, o, err) < 0)
			goto out;
	}
	if ((tasks = field(root, "pause_ms")) && json_object_is_type(tasks, json_type_double))
		s->pause_ms = json_object_get_double(tasks);
	if ((tasks = field(root, "pid")) && json_object_is_type(tasks, json_type_int))
		s->pid = (pid_t)json_object_get_int(tasks);
	ret = 0;
out:
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
}
