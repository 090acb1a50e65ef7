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

/* One goroutine's reading: where its strings go, and what went wrong: memory
 * ran out, or the first field of a wrong type (its name, what it is, what it
 * should be). */
struct rd {
	struct mdl_snapshot *s;
	bool oom;
	const char *bad, *bad_is, *bad_want;
};

/* o's key when it is of type want (a number: an integer too); NULL when absent
 * or null (unknown), or of another type (rd->bad). */
static json_object *
typed(struct rd *rd, json_object *o, const char *key, json_type want)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	if (json_object_is_type(v, want) ||
	    (want == json_type_double && json_object_is_type(v, json_type_int)))
		return v;
	if (!rd->bad) {
		rd->bad = key;
		rd->bad_is = json_type_to_name(json_object_get_type(v));
		rd->bad_want = json_type_to_name(want);
	}
	return NULL;
}

/* A string field into the snapshot's arena; NULL when absent or null. */
static const char *
str_field(struct rd *rd, json_object *o, const char *key)
{
	json_object *v = typed(rd, o, key, json_type_string);
	const char *p;

	if (!v)
		return NULL;
	p = arena_strndup(&rd->s->arena, json_object_get_string(v),
			  (size_t)json_object_get_string_len(v));
	if (!p)
		rd->oom = true;
	return p;
}

static bool
bool_field(struct rd *rd, json_object *o, const char *key)
{
	json_object *v = typed(rd, o, key, json_type_boolean);

	return v && json_object_get_boolean(v);
}

/* A line number: 0 (unknown) when absent; past 32 bits, wrong. */
static uint32_t
line_field(struct rd *rd, json_object *o)
{
	json_object *v = typed(rd, o, "line", json_type_int);
	int64_t line = v ? json_object_get_int64(v) : 0;

	if (line >= 0 && line <= UINT32_MAX)
		return (uint32_t)line;
	if (!rd->bad) {
		rd->bad = "line";
		rd->bad_is = "number out of range";
		rd->bad_want = "line number";
	}
	return 0;
}

/* {"func", "file", "line"} (out-json.c's loc_json), or absent/null: unknown. */
static void
loc_field(struct rd *rd, json_object *o, const char *key, struct insp_loc *loc)
{
	json_object *v = typed(rd, o, key, json_type_object);

	if (!v)
		return;
	loc->func = str_field(rd, v, "func");
	loc->file = loc->func ? str_field(rd, v, "file") : NULL;
	loc->line = loc->func ? line_field(rd, v) : 0;
}

/* "frames": [{"func", "file", "line", "inlined"}], for --group stack. */
static void
frames_field(struct rd *rd, json_object *o, struct insp_task *t)
{
	json_object *a = typed(rd, o, "frames", json_type_array);
	struct insp_frame *f;
	size_t n;

	if (!a)
		return;
	n = json_object_array_length(a);
	f = arena_alloc(&rd->s->arena, (n + 1) * sizeof(*f));
	if (!f) {
		rd->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (!json_object_is_type(e, json_type_object)) {
			if (!rd->bad) {
				rd->bad = "frames";
				rd->bad_is = "array with a non-object";
				rd->bad_want = "array of objects";
			}
			return;
		}
		f[i].loc.func = str_field(rd, e, "func");
		f[i].loc.file = str_field(rd, e, "file");
		f[i].loc.line = line_field(rd, e);
		f[i].inlined = bool_field(rd, e, "inlined");
	}
	t->frames = f;
	t->nframes = (uint32_t)n;
	t->frames_cut = bool_field(rd, o, "frames_cut");
}

/* {"key": "value"} into the sorted array the model expects (json-c keeps the
 * document's order, which out-json.c wrote sorted). */
static void
labels_field(struct rd *rd, json_object *o, struct insp_task *t)
{
	json_object *l = typed(rd, o, "labels", json_type_object);
	struct insp_label *labels;
	uint32_t n = 0;

	if (!l)
		return;
	labels = arena_alloc(&rd->s->arena,
			     ((size_t)json_object_object_length(l) + 1) * sizeof(*labels));
	if (!labels) {
		rd->oom = true;
		return;
	}
	json_object_object_foreach(l, k, v)
	{
		if (!json_object_is_type(v, json_type_string)) {
			if (!rd->bad) {
				rd->bad = "labels";
				rd->bad_is = "object with a value not a string";
				rd->bad_want = "object of strings";
			}
			return;
		}
		labels[n].key = arena_strdup(&rd->s->arena, k);
		labels[n].value = arena_strndup(&rd->s->arena, json_object_get_string(v),
						(size_t)json_object_get_string_len(v));
		if (!labels[n].key || !labels[n].value)
			rd->oom = true;
		else
			n++;
	}
	t->labels = labels;
	t->nlabels = n;
	t->labels_cut = bool_field(rd, o, "labels_cut");
}

/* How long it waited: wait_seconds (schema 1) where it is, else the minutes
 * of captures before it; past int64 ns (292 years), the most it holds. */
static void
wait_field(struct rd *rd, json_object *o, struct insp_task *t)
{
	json_object *v;
	const char *key = NULL;

	if ((v = typed(rd, o, "wait_seconds", json_type_double))) {
		double d = json_object_get_double(v);

		if (!(d >= 0))
			key = "wait_seconds";
		else
			t->wait_ns = d * 1e9 < 9.2e18 ? (int64_t)(d * 1e9) : INT64_MAX;
	} else if ((v = typed(rd, o, "wait_minutes", json_type_int))) {
		int64_t m = json_object_get_int64(v);

		if (m < 0)
			key = "wait_minutes";
		else
			t->wait_ns = m < INT64_MAX / NS_PER_MIN ? m * NS_PER_MIN : INT64_MAX;
	}
	if (key && !rd->bad) {
		rd->bad = key;
		rd->bad_is = "negative number";
		rd->bad_want = "number >= 0";
	}
}

/* The runtime's words the report groups by (wait_words), or, in a capture
 * written before they were saved, the plugin's for its sandbox. */
static void
words_field(struct rd *rd, json_object *o, const struct insp_plugin *plugin, struct insp_task *t)
{
	json_object *v = typed(rd, o, "synctest_bubble", json_type_int);
	char buf[512];

	if (v) {
		t->sandbox = "synctest bubble"; /* the field's name, README's JSON table */
		t->sandbox_id = json_object_get_uint64(v);
	}
	t->words = str_field(rd, o, "wait_words");
	if (!t->words && t->sandbox && plugin && plugin->loaded_words &&
	    plugin->loaded_words(t, buf, sizeof(buf)) == 0 &&
	    !(t->words = arena_strdup(&rd->s->arena, buf)))
		rd->oom = true;
}

/* Goroutine i, the object o, into a task of s. */
static int
task_from(const char *path, size_t i, const struct insp_plugin *plugin, struct mdl_snapshot *s,
	  json_object *o, struct insp_err *err)
{
	struct insp_task *t = mdl_snapshot_add_task(s);
	struct rd rd = { .s = s };
	json_object *v;

	if (!t)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	if ((v = typed(&rd, o, "id", json_type_int)))
		t->id = json_object_get_uint64(v);
	t->state = str_field(&rd, o, "status");
	if (!t->state)
		t->state = "?";
	t->reason = str_field(&rd, o, "wait_reason");
	wait_field(&rd, o, t);
	loc_field(&rd, o, "top", &t->top);
	loc_field(&rd, o, "user_top", &t->user_top);
	loc_field(&rd, o, "go_pc", &t->go_pc);
	t->start.func = str_field(&rd, o, "start_func");
	if ((v = typed(&rd, o, "thread", json_type_int))) {
		t->tid = json_object_get_int(v);
		t->flags |= INSP_TASK_ON_THREAD;
	}
	t->flags |= (bool_field(&rd, o, "system") ? INSP_TASK_SYSTEM : 0) |
		    (bool_field(&rd, o, "locked") ? INSP_TASK_LOCKED : 0) |
		    (bool_field(&rd, o, "leaked") ? INSP_TASK_LEAKED : 0) |
		    (bool_field(&rd, o, "durable") ? INSP_TASK_DURABLE : 0);
	words_field(&rd, o, plugin, t);
	labels_field(&rd, o, t);
	frames_field(&rd, o, t);
	if (rd.bad)
		return insp_err_set(
			err, INSP_E_USAGE,
			"'%s' is not a capture: goroutine %zu has \"%s\" a %s, not a %s", path, i,
			rd.bad, rd.bad_is, rd.bad_want);
	return rd.oom ? insp_err_set(err, INSP_E_SYS, "out of memory") : 0;
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
		/* at the end, a NUL: what ends a document json-c cannot see the
		 * end of (a bare null, a number) */
		if (!got)
			buf[whole] = '\0';
		*root = json_tokener_parse_ex(tok, buf, (int)whole + !got);
		jerr = json_tokener_get_error(tok);
		if (jerr != json_tokener_continue || !got)
			break;
		fed += whole;
		carry = n - whole;
		memmove(buf, buf + whole, carry);
	}
	end = json_tokener_get_parse_end(tok);
	if (end > n)
		end = n; /* the NUL */
	if (jerr == json_tokener_success && !*root) {
		insp_err_set(err, INSP_E_USAGE, "'%s' is not a capture: it is null", path);
		goto out;
	}
	if (jerr != json_tokener_success) {
		insp_err_set(err, INSP_E_USAGE, "'%s' is not JSON: %s at byte %zu", path,
			     jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof
				     ? "it ends too early"
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
ui_load_json(const char *path, const char *head, size_t nhead, FILE *rest,
	     const struct insp_plugin *plugin, struct mdl_snapshot *s, struct insp_err *err)
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
		if (task_from(path, i, plugin, s, o, err) < 0)
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
