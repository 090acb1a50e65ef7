/* The ui layer's reader of goroutine profiles: a profile.proto of sample type
 * goroutine/count, gzipped or plain, as `inspect dump --format pprof` writes it
 * (out-pprof.c) and as the Go runtime does (pprof.Lookup("goroutine").WriteTo(w,
 * 0), net/http/pprof's /debug/pprof/goroutine), read back into a snapshot that
 * the model groups as it groups a live one. zlib inflates it (bounded),
 * protobuf-c decodes it; every index and id is checked before it is followed,
 * so that a hostile file is refused with what is wrong, never half read. A
 * sample is one task that stands for its value's goroutines (insp_task.weight).
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Label Label;

#define NS_PER_MIN INT64_C(60000000000)
/* A profile of 100,000 distinct stacks is a few tens of MB unpacked. */
#define PPROF_MAX (256L * 1024 * 1024)
/* Frames kept per sample (inlined calls counted); the runtime's own profile
 * keeps fewer (its maxStack). More: frames_cut. */
#define MAX_FRAMES 1024
/* More goroutines than any process holds: a count no runtime wrote. */
#define MAX_GOROUTINES (INT64_C(1) << 40)
/* Memory: a sample's task and its frames take far more than its bytes in the
 * file (a location of many lines named by many samples), so their numbers are
 * bounded, past what a real process's profile holds (100,000 distinct stacks
 * of 30 frames), and so is the snapshot. */
#define MAX_SAMPLES    (1L << 20)
#define MAX_ALL_FRAMES (1L << 22)
#define LOADED_MAX     ((size_t)1 << 30)

/* gz (len bytes, a gzip stream) inflated into *out (malloc'd), *n; at most
 * PPROF_MAX bytes. */
static int
gunzip(const char *path, const unsigned char *gz, size_t len, unsigned char **out, size_t *n,
       struct insp_err *err)
{
	z_stream z = { 0 };
	unsigned char *buf = NULL;
	size_t cap = 0, used = 0;
	int ret = Z_OK;

	/* windowBits 15 + 16: a gzip stream only */
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return insp_err_set(err, INSP_E_SYS, "cannot start zlib for '%s'", path);
	z.next_in = (Bytef *)gz;
	while (ret != Z_STREAM_END) {
		/* zlib counts in uInt: feed the input in parts */
		if (z.avail_in == 0 && len) {
			z.avail_in = len > (1u << 30) ? 1u << 30 : (uInt)len;
			len -= z.avail_in;
		}
		if (used == cap) {
			unsigned char *p = NULL;

			cap = cap ? 2 * cap : 1 << 20;
			if (cap > (size_t)PPROF_MAX + 1)
				cap = (size_t)PPROF_MAX + 1;
			if (used < cap)
				p = realloc(buf, cap);
			if (!p) {
				insp_err_set(err, used < cap ? INSP_E_SYS : INSP_E_USAGE,
					     used < cap
						     ? "out of memory reading '%s'"
						     : "'%s' inflates to more than a profile can "
						       "be (%ld MiB)",
					     path, PPROF_MAX >> 20);
				goto fail;
			}
			buf = p;
		}
		z.next_out = buf + used;
		z.avail_out = (uInt)(cap - used);
		ret = inflate(&z, Z_NO_FLUSH);
		used = cap - z.avail_out;
		if (ret == Z_BUF_ERROR && z.avail_in == 0 && !len) {
			insp_err_set(err, INSP_E_USAGE,
				     "'%s' is cut short: its gzip stream ends early", path);
			goto fail;
		}
		if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) {
			insp_err_set(err, INSP_E_USAGE, "'%s' is not a valid gzip stream: %s", path,
				     z.msg ? z.msg : "zlib");
			goto fail;
		}
	}
	inflateEnd(&z);
	*out = buf;
	*n = used;
	return 0;
fail:
	inflateEnd(&z);
	free(buf);
	return -1;
}

/* An id and the index of what it names, for bsearch. */
struct id_ix {
	uint64_t id;
	size_t ix;
};

static int
cmp_id(const void *pa, const void *pb)
{
	const struct id_ix *a = pa, *b = pb;

	return (a->id > b->id) - (a->id < b->id);
}

/* What a sample's ids and indexes are checked against. */
struct pf {
	const char *path;
	const Profile *p;
	struct id_ix *locs, *funcs; /* sorted by id */
	struct mdl_snapshot *s;
	void (*frame_shown)(struct insp_task *t);
	bool has_state;     /* some sample has inspect's state label */
	const char **kept;  /* the strings copied into the snapshot, by index */
	size_t frames_left; /* of MAX_ALL_FRAMES */
};

static int
index_ids(struct pf *f, struct insp_err *err)
{
	const Profile *p = f->p;

	f->locs = malloc((p->n_location + 1) * sizeof(*f->locs));
	f->funcs = malloc((p->n_function + 1) * sizeof(*f->funcs));
	f->kept = calloc(p->n_string_table, sizeof(*f->kept));
	if (!f->locs || !f->funcs || !f->kept)
		return insp_err_set(err, INSP_E_SYS, "out of memory reading '%s'", f->path);
	for (size_t i = 0; i < p->n_location; i++)
		f->locs[i] = (struct id_ix){ p->location[i]->id, i };
	for (size_t i = 0; i < p->n_function; i++)
		f->funcs[i] = (struct id_ix){ p->function[i]->id, i };
	qsort(f->locs, p->n_location, sizeof(*f->locs), cmp_id);
	qsort(f->funcs, p->n_function, sizeof(*f->funcs), cmp_id);
	return 0;
}

static const struct id_ix *
find_id(const struct id_ix *v, size_t n, uint64_t id)
{
	struct id_ix key = { id, 0 };

	return id ? bsearch(&key, v, n, sizeof(*v), cmp_id) : NULL;
}

/* String i of the table, or NULL when i is out of it. */
static const char *
string_at(const Profile *p, int64_t i)
{
	return i >= 0 && (uint64_t)i < p->n_string_table ? p->string_table[i] : NULL;
}

static int
corrupt(const struct pf *f, size_t sample, const char *what, uint64_t v, struct insp_err *err)
{
	return insp_err_set(err, INSP_E_USAGE, "'%s' is not a valid profile: sample %zu %s %llu",
			    f->path, sample, what, (unsigned long long)v);
}

/* String i of the profile (in the table) in the snapshot, copied once; ""
 * stays NULL (unknown). */
static int
keep_string(struct pf *f, int64_t i, const char **out)
{
	const char *v = f->p->string_table[i];

	*out = NULL;
	if (!*v)
		return 0;
	if (!f->kept[i] && !(f->kept[i] = arena_strdup(&f->s->arena, v)))
		return -1;
	*out = f->kept[i];
	return 0;
}

/* The frames of sample m, innermost first, each location's lines expanded
 * (the calls inlined into it come before it). */
static int
sample_frames(struct pf *f, size_t k, const Sample *m, struct insp_task *t, struct insp_err *err)
{
	size_t n = 0;
	struct insp_frame *fr;

	for (size_t i = 0; i < m->n_location_id && n <= MAX_FRAMES; i++) {
		const struct id_ix *l = find_id(f->locs, f->p->n_location, m->location_id[i]);

		if (!l)
			return corrupt(f, k, "names a location the profile lacks, id",
				       m->location_id[i], err);
		n += f->p->location[l->ix]->n_line ? f->p->location[l->ix]->n_line : 1;
	}
	if (n > MAX_FRAMES) {
		n = MAX_FRAMES;
		t->frames_cut = true;
	}
	if (n > f->frames_left)
		return insp_err_set(err, INSP_E_USAGE,
				    "'%s' has more frames than a profile can (%ld in all)", f->path,
				    MAX_ALL_FRAMES);
	f->frames_left -= n;
	if (!(fr = arena_alloc(&f->s->arena, (n + 1) * sizeof(*fr))))
		return insp_err_set(err, INSP_E_SYS, "out of memory reading '%s'", f->path);
	t->frames = fr;
	for (size_t i = 0; i < m->n_location_id && t->nframes < n; i++) {
		const Location *l =
			f->p->location[find_id(f->locs, f->p->n_location, m->location_id[i])->ix];

		if (!l->n_line)
			fr[t->nframes++].loc.pc = l->address; /* not symbolized */
		for (size_t j = 0; j < l->n_line && t->nframes < n; j++) {
			const struct id_ix *fn =
				find_id(f->funcs, f->p->n_function, l->line[j]->function_id);
			struct insp_frame *x = &fr[t->nframes++];
			const Function *func;

			x->inlined = j + 1 < l->n_line;
			x->loc.pc = l->address;
			x->loc.line = l->line[j]->line > 0 && l->line[j]->line <= UINT32_MAX
					      ? (uint32_t)l->line[j]->line
					      : 0;
			if (!fn)
				continue; /* no function: an unknown frame */
			func = f->p->function[fn->ix];
			if (!string_at(f->p, func->name) || !string_at(f->p, func->filename))
				return corrupt(f, k, "names a string out of the table in function",
					       func->id, err);
			if (keep_string(f, func->name, &x->loc.func) < 0 ||
			    keep_string(f, func->filename, &x->loc.file) < 0)
				return insp_err_set(err, INSP_E_SYS, "out of memory reading '%s'",
						    f->path);
			if (!x->loc.func) { /* no name: unknown, as insp_loc has it */
				x->loc.file = NULL;
				x->loc.line = 0;
			}
		}
	}
	return 0;
}

static int
cmp_label(const void *pa, const void *pb)
{
	return strcmp(((const struct insp_label *)pa)->key, ((const struct insp_label *)pb)->key);
}

/* Sample m's labels: inspect's own (wait_reason, state, wait_minutes,
 * labels_cut) into the task's fields, the program's string labels into its
 * labels, sorted by key, one value of a repeated key kept (no runtime
 * writes one twice). */
static int
sample_labels(struct pf *f, size_t k, const Sample *m, struct insp_task *t, struct insp_err *err)
{
	struct insp_label *ls = arena_alloc(&f->s->arena, (m->n_label + 1) * sizeof(*ls));
	uint32_t n = 0;

	if (!ls)
		return insp_err_set(err, INSP_E_SYS, "out of memory reading '%s'", f->path);
	for (size_t i = 0; i < m->n_label; i++) {
		const Label *l = m->label[i];
		const char *key = string_at(f->p, l->key), *v = string_at(f->p, l->str);
		const char *copy;

		if (!key || !v)
			return corrupt(f, k, "has a label with a string out of the table, index",
				       (uint64_t)(key ? l->str : l->key), err);
		if (!l->str) {
			/* a number: only inspect's wait in minutes is read */
			if (strcmp(key, "wait_minutes") == 0 && l->num >= 0 &&
			    l->num <= INT64_MAX / NS_PER_MIN)
				t->wait_ns = l->num * NS_PER_MIN;
			continue;
		}
		if (strcmp(key, "labels_cut") == 0) {
			t->labels_cut = true;
			continue;
		}
		if (keep_string(f, l->str, &copy) < 0)
			return insp_err_set(err, INSP_E_SYS, "out of memory reading '%s'", f->path);
		if (!copy)
			copy = ""; /* an empty value, yet a string */
		if (strcmp(key, "wait_reason") == 0) {
			t->reason = copy;
		} else if (strcmp(key, "state") == 0) {
			t->state = copy;
		} else {
			ls[n].value = copy;
			if (keep_string(f, l->key, &ls[n].key) < 0)
				return insp_err_set(err, INSP_E_SYS, "out of memory reading '%s'",
						    f->path);
			if (ls[n].key) /* a label without a key is none */
				n++;
		}
	}
	qsort(ls, n, sizeof(*ls), cmp_label);
	t->nlabels = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!t->nlabels || strcmp(ls[t->nlabels - 1].key, ls[i].key) != 0)
			ls[t->nlabels++] = ls[i];
	t->labels = t->nlabels ? ls : NULL;
	return 0;
}

/* The sample type's index: goroutine/count; -1 with err when there is none. */
static int
goroutine_type(const struct pf *f, size_t *ix, struct insp_err *err)
{
	const Profile *p = f->p;
	const char *type = "?", *unit = "?";

	for (size_t i = 0; i < p->n_sample_type; i++) {
		type = string_at(p, p->sample_type[i]->type);
		unit = string_at(p, p->sample_type[i]->unit);
		if (!type || !unit)
			return insp_err_set(err, INSP_E_USAGE,
					    "'%s' is not a valid profile: sample type %zu names a "
					    "string out of the table",
					    f->path, i);
		if (strcmp(type, "goroutine") == 0 && strcmp(unit, "count") == 0) {
			*ix = i;
			return 0;
		}
	}
	if (!p->n_sample_type)
		return insp_err_set(err, INSP_E_USAGE,
				    "'%s' is not a pprof profile: it has no sample type", f->path);
	return insp_err_set(err, INSP_E_USAGE,
			    "'%s' is a profile of %s/%s, not of goroutines (goroutine/count: "
			    "inspect dump --format pprof, or the runtime's goroutine profile)",
			    f->path, ui_line(type), ui_line(unit));
}

static int
load(struct pf *f, struct insp_err *err)
{
	const Profile *p = f->p;
	int64_t total = 0;
	size_t ti = 0;

	if (!p->n_string_table || p->string_table[0][0])
		return insp_err_set(err, INSP_E_USAGE,
				    "'%s' is not a pprof profile: its string table does not "
				    "start with \"\"",
				    f->path);
	if (goroutine_type(f, &ti, err) < 0 || index_ids(f, err) < 0)
		return -1;
	if (p->n_sample > MAX_SAMPLES)
		return insp_err_set(err, INSP_E_USAGE,
				    "'%s' has more samples than a profile can (%zu, past %ld)",
				    f->path, p->n_sample, MAX_SAMPLES);
	f->frames_left = MAX_ALL_FRAMES;
	for (size_t k = 0; k < p->n_sample; k++) {
		const Sample *m = p->sample[k];
		struct insp_task *t;
		int64_t v;

		if (m->n_value != p->n_sample_type)
			return corrupt(f, k, "has a number of values unlike the sample types:",
				       m->n_value, err);
		v = m->value[ti];
		if (v < 0 || v > MAX_GOROUTINES - total)
			return corrupt(f, k, "counts goroutines past any process's:", (uint64_t)v,
				       err);
		if (!v)
			continue;
		total += v;
		if (!(t = mdl_snapshot_add_task(f->s)))
			return insp_err_set(err, INSP_E_SYS, "out of memory reading '%s'", f->path);
		t->weight = (uint64_t)v;
		if (sample_frames(f, k, m, t, err) < 0 || sample_labels(f, k, m, t, err) < 0)
			return -1;
		if (t->state)
			f->has_state = true;
		else
			t->state = "?";
		if (t->nframes)
			t->top = t->frames[0].loc;
		if (f->frame_shown)
			f->frame_shown(t);
	}
	return 0;
}

int
ui_load_pprof(const char *path, const unsigned char *data, size_t len,
	      const struct insp_plugin *plugin, struct mdl_snapshot *s, bool *runtime_profile,
	      struct insp_err *err)
{
	unsigned char *plain = NULL;
	struct pf f = { .path = path, .s = s };
	Profile *p;
	int ret = -1;

	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if (gunzip(path, data, len, &plain, &len, err) < 0)
			return -1;
		data = plain;
	} else if (len > PPROF_MAX) {
		return insp_err_set(err, INSP_E_USAGE, "'%s' is larger than a profile can be",
				    path);
	}
	p = perftools__profiles__profile__unpack(NULL, len, data);
	if (!p) {
		insp_err_set(err, INSP_E_USAGE,
			     "'%s' is not a pprof profile: its protocol buffer does not decode",
			     path);
		goto out;
	}
	if (!s->arena.cap)
		s->arena.cap = LOADED_MAX;
	f.p = p;
	f.frame_shown = plugin ? plugin->frame_shown : NULL;
	ret = load(&f, err);
	*runtime_profile = ret == 0 && !f.has_state;
	perftools__profiles__profile__free_unpacked(p, NULL);
out:
	free(f.locs);
	free(f.funcs);
	free(f.kept);
	free(plain);
	return ret;
}
