/* The ui layer's --format pprof: the goroutines as a gzipped profile.proto of
 * sample type goroutine/count (what `go tool pprof`, Pyroscope and Parca read),
 * one sample per distinct stack and label set, already symbolized, so that it
 * reads without the binary; the target's strings escaped, never raw. protobuf-c
 * encodes it (src/ui/profile.proto), zlib gzips it as it is encoded. Never to a
 * terminal: it is binary.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "profile.pb-c.h"
#include "util/esc.h"
#include "util/keymap.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Label Label;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__ValueType ValueType;

/* The labels a sample carries besides the goroutine's own (of which the
 * plugin keeps 64 at most): labels_cut, wait_reason, state, wait_minutes. */
#define EXTRA_LABELS 4
#define MAX_LABELS   (64 + EXTRA_LABELS)

struct pp {
	struct arena arena; /* the messages */
	struct keymap strings, funcs, locs, samples;
	Profile prof;
	size_t cap_strings, cap_funcs, cap_locs, cap_samples;
	int64_t minutes; /* "minutes", the unit of wait_minutes */
	ValueType type;  /* goroutine/count */
	ValueType *types[1];
	Mapping exe;
	Mapping *mappings[1];
};

/* Room for one more in *v (n used, *cap allocated, of size bytes each). */
static int
reserve(void *v, size_t n, size_t *cap, size_t size)
{
	void **p = v, *q;
	size_t c = *cap ? 2 * *cap : 64;

	if (n < *cap)
		return 0;
	if (c > SIZE_MAX / size || !(q = realloc(*p, c * size)))
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* s as the profile holds it, malloc'd (NULL when memory runs out): escaped as
 * the JSON report escapes the target's bytes (util/esc.h), so that the profile
 * is valid UTF-8, as proto3 wants of a string (decoders that check, as
 * google.golang.org/protobuf does, reject the whole message), and carries no
 * escape sequence for the terminal pprof prints to; and newline and tab as \x0a
 * and \x09 too: pprof prints a name or a label on one line (-traces, -tags,
 * -top), where they would forge lines and columns. */
static char *
escaped(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(ESC_ROOM(n));

	if (!out)
		return NULL;
	/* cut at newlines and tabs only: ASCII, never inside a UTF-8 sequence */
	for (size_t i = 0, len; i <= n; i += len + 1) {
		len = strcspn(s + i, "\n\t");
		o += esc_mem(out + o, s + i, len, true, NULL);
		if (i + len < n)
			o += (size_t)sprintf(out + o, "\\x%02x", (unsigned char)s[i + len]);
	}
	out[o] = '\0';
	return out;
}

/* The index of s (escaped) in the string table, added the first time; -1 when
 * memory runs out. */
static int64_t
str(struct pp *p, const char *s)
{
	uint64_t i;
	bool added;
	const char *copy;
	char *e = NULL;
	int64_t ret = -1;

	if (!esc_plain(s) || strpbrk(s, "\n\t")) {
		if (!(e = escaped(s)))
			return -1;
		s = e;
	}
	if (keymap_index(&p->strings, s, strlen(s), &i, &added, &copy) < 0)
		goto out;
	if (added) {
		if (reserve(&p->prof.string_table, p->prof.n_string_table, &p->cap_strings,
			    sizeof(char *)) < 0)
			goto out;
		p->prof.string_table[p->prof.n_string_table++] = (char *)copy;
	}
	ret = (int64_t)i;
out:
	free(e);
	return ret;
}

/* The id of the function name in file, added the first time; 0 when memory runs out. */
static uint64_t
function(struct pp *p, const char *name, const char *file)
{
	int64_t key[2] = { str(p, name), str(p, file ? file : "") };
	uint64_t i;
	bool added;
	Function *f;

	if (key[0] < 0 || key[1] < 0 ||
	    keymap_index(&p->funcs, key, sizeof(key), &i, &added, NULL) < 0)
		return 0;
	if (added) {
		if (reserve(&p->prof.function, p->prof.n_function, &p->cap_funcs, sizeof(f)) < 0 ||
		    !(f = arena_alloc(&p->arena, sizeof(*f))))
			return 0;
		perftools__profiles__function__init(f);
		f->id = i + 1;
		f->name = f->system_name = key[0];
		f->filename = key[1];
		p->prof.function[p->prof.n_function++] = f;
	}
	return i + 1;
}

/* The id of the location of frames[0..n), the calls inlined into frames[n-1]
 * then frames[n-1] itself (insp_frame: an inlined frame comes before the one it
 * is inlined into); 0 when memory runs out. *none: the location would have no
 * line (a lone wrapper): not a location. A wrapper's line is left out, as the
 * runtime's own profile writer does (runtime/traceback.go tracebackPCs: "ignore
 * wrappers"). */
static uint64_t
location(struct pp *p, const struct insp_frame *frames, uint32_t n, bool *none)
{
	/* address, mapping, then a (function, line) pair per line */
	uint64_t key[2 + 2 * 64];
	size_t nk = 2, nlines;
	uint64_t i;
	bool added;
	Location *l;
	Line *lines;

	*none = false;
	/* a return address as the call instruction's, as the runtime's own
	 * profile records a caller (its pc - 1: runtime/traceback.go symPC) */
	key[0] = frames[n - 1].loc.pc - (frames[n - 1].call_site && frames[n - 1].loc.pc);
	/* Native code (C, from the thread's stack) is not the executable's: we
	 * do not know its library's mapping. */
	key[1] = frames[n - 1].native ? 0 : 1;
	for (uint32_t j = 0; j < n && nk + 2 <= sizeof(key) / sizeof(key[0]); j++) {
		if (frames[j].wrapper || !frames[j].loc.func)
			continue;
		key[nk++] = function(p, frames[j].loc.func, frames[j].loc.file);
		key[nk++] = frames[j].loc.line;
		if (!key[nk - 2])
			return 0;
	}
	nlines = (nk - 2) / 2;
	if (nlines == 0 && frames[n - 1].loc.func) {
		*none = true; /* only wrappers */
		return 0;
	}
	if (keymap_index(&p->locs, key, nk * sizeof(key[0]), &i, &added, NULL) < 0)
		return 0;
	if (!added)
		return i + 1;
	if (reserve(&p->prof.location, p->prof.n_location, &p->cap_locs, sizeof(l)) < 0 ||
	    !(l = arena_alloc(&p->arena, sizeof(*l))) ||
	    !(lines = arena_alloc(&p->arena, nlines * sizeof(*lines))))
		return 0;
	perftools__profiles__location__init(l);
	l->id = i + 1;
	l->mapping_id = key[1];
	l->address = key[0];
	l->line = arena_alloc(&p->arena, nlines * sizeof(*l->line));
	if (!l->line)
		return 0;
	for (size_t j = 0; j < nlines; j++) {
		perftools__profiles__line__init(&lines[j]);
		lines[j].function_id = key[2 + 2 * j];
		lines[j].line = (int64_t)key[3 + 2 * j];
		l->line[l->n_line++] = &lines[j];
	}
	p->prof.location[p->prof.n_location++] = l;
	return i + 1;
}

/* The frames a sample shows: the task's stack without what the runtime's own
 * goroutine profile leaves out; the stack's one frame (the innermost) when it
 * has none (frames were not walked). */
static uint32_t
task_frames(const struct insp_task *t, const struct insp_frame **frames, struct insp_frame *one)
{
	uint32_t n = t->nframes;

	*frames = t->frames;
	if (!n) {
		*one = (struct insp_frame){ .loc = t->top };
		*frames = one;
		return t->top.func ? 1 : 0;
	}
	/* Below the task's start function are only the runtime's trampoline into
	 * it (Go: runtime.goexit, where newproc makes the start function return
	 * to), no code of the task: the runtime's own profile writer leaves it out
	 * (runtime/pprof/proto.go appendLocsForStack stops at runtime.goexit). The
	 * outermost frame of the start function: it may recurse. */
	for (uint32_t i = n; !t->frames_cut && t->start.func && i-- > 1;)
		if (t->frames[i - 1].loc.func &&
		    strcmp(t->frames[i - 1].loc.func, t->start.func) == 0) {
			n = i;
			break;
		}
	return n;
}

/* A sample's labels as string indices: (key, str, num, num_unit) each, a
 * string label with num and num_unit 0, a numeric one with str 0. */
struct label_set {
	int64_t v[4 * MAX_LABELS];
	size_t n;
};

static int
add_label(struct pp *p, struct label_set *ls, const char *key, const char *s, int64_t num,
	  int64_t unit)
{
	int64_t k = str(p, key), v = s ? str(p, s) : 0;

	if (k < 0 || v < 0)
		return -1;
	if (ls->n + 4 > sizeof(ls->v) / sizeof(ls->v[0]))
		return 0; /* more than the plugin keeps */
	ls->v[ls->n++] = k;
	ls->v[ls->n++] = v;
	ls->v[ls->n++] = s ? 0 : num;
	ls->v[ls->n++] = s ? 0 : unit;
	return 0;
}

/* Whether one of t's own labels is named key: then the program's label is the
 * sample's, and ours of that name is left out (README, "pprof"): two values
 * under one key would read as one label set to neither side. */
static bool
own_label(const struct insp_task *t, const char *key)
{
	for (uint32_t i = 0; i < t->nlabels; i++)
		if (strcmp(t->labels[i].key, key) == 0)
			return true;
	return false;
}

/* One of ours: a string label, or (s NULL) a number in unit. */
static int
add_ours(struct pp *p, const struct insp_task *t, struct label_set *ls, const char *key,
	 const char *s, int64_t num, int64_t unit)
{
	return own_label(t, key) ? 0 : add_label(p, ls, key, s, num, unit);
}

/* The labels of a task's sample: its own (pprof.Do's), then ours. */
static int
task_labels(struct pp *p, const struct insp_task *t, struct label_set *ls)
{
	ls->n = 0;
	for (uint32_t i = 0; i < t->nlabels; i++)
		if (add_label(p, ls, t->labels[i].key, t->labels[i].value, 0, 0) < 0)
			return -1;
	/* its own set is not whole: say so, rather than let it pass for another set */
	if (t->labels_cut && add_ours(p, t, ls, "labels_cut", "true", 0, 0) < 0)
		return -1;
	if (t->reason &&
	    add_ours(p, t, ls, "wait_reason", t->words ? t->words : t->reason, 0, 0) < 0)
		return -1;
	if (t->state && add_ours(p, t, ls, "state", t->state, 0, 0) < 0)
		return -1;
	/* A number, not a string: pprof's -tagfocus takes a range only for a
	 * numeric label (internal/driver/driver_focus.go compileTagFilter, its
	 * parseTagFilterRange), so -tagfocus=wait_minutes=10: keeps those waiting
	 * 10 minutes or more; a string would match as a regexp only. Its unit is
	 * none pprof scales ("minutes": measurement.go knows s and hrs), so a range
	 * is written in minutes, as the name says. Absent when the runtime has not
	 * stamped the wait (no GC since): unknown is not 0. */
	if (t->wait_ns >= 0 && add_ours(p, t, ls, "wait_minutes", NULL,
					t->wait_ns / INT64_C(60000000000), p->minutes) < 0)
		return -1;
	return 0;
}

/* Count t in the sample of its stack and labels, made the first time. */
static int
add_task(struct pp *p, const struct insp_task *t)
{
	struct insp_frame one;
	const struct insp_frame *frames;
	uint32_t nf = task_frames(t, &frames, &one);
	/* the key: the location ids, 0, then the labels' indices */
	uint64_t *key = malloc((nf + 1 + 4 * MAX_LABELS) * sizeof(*key));
	struct label_set ls;
	size_t nk = 0, nlocs;
	uint64_t i;
	bool added, none;
	Sample *sm;
	int ret = -1;

	if (!key)
		return -1;
	for (uint32_t j = 0, first = 0; j < nf; j++) {
		if (frames[j].inlined && j + 1 < nf)
			continue;
		key[nk] = location(p, frames + first, j + 1 - first, &none);
		first = j + 1;
		if (none)
			continue;
		if (!key[nk++])
			goto out;
	}
	nlocs = nk;
	key[nk++] = 0;
	if (task_labels(p, t, &ls) < 0)
		goto out;
	for (size_t j = 0; j < ls.n; j++)
		key[nk++] = (uint64_t)ls.v[j];
	if (keymap_index(&p->samples, key, nk * sizeof(*key), &i, &added, NULL) < 0)
		goto out;
	if (!added) {
		p->prof.sample[i]->value[0]++;
		ret = 0;
		goto out;
	}
	if (reserve(&p->prof.sample, p->prof.n_sample, &p->cap_samples, sizeof(sm)) < 0 ||
	    !(sm = arena_alloc(&p->arena, sizeof(*sm))))
		goto out;
	perftools__profiles__sample__init(sm);
	sm->location_id = arena_alloc(&p->arena, nlocs * sizeof(*sm->location_id));
	sm->value = arena_alloc(&p->arena, sizeof(*sm->value));
	sm->label = arena_alloc(&p->arena, ls.n / 4 * sizeof(*sm->label));
	if (!sm->location_id || !sm->value || !sm->label)
		goto out;
	memcpy(sm->location_id, key, nlocs * sizeof(*key));
	sm->n_location_id = nlocs;
	sm->value[0] = 1;
	sm->n_value = 1;
	for (size_t j = 0; j < ls.n; j += 4) {
		Label *l = arena_alloc(&p->arena, sizeof(*l));

		if (!l)
			goto out;
		perftools__profiles__label__init(l);
		l->key = ls.v[j];
		l->str = ls.v[j + 1];
		l->num = ls.v[j + 2];
		l->num_unit = ls.v[j + 3];
		sm->label[sm->n_label++] = l;
	}
	p->prof.sample[p->prof.n_sample++] = sm;
	ret = 0;
out:
	free(key);
	return ret;
}

/* The profile's types, the executable's mapping, and a comment with the
 * process and the pause (pprof -comments). */
static int
header(struct pp *p, const struct mdl_snapshot *s)
{
	ValueType *type = &p->type;
	Mapping *exe = &p->exe;
	const char *version = mdl_info(s, "go_version");
	char buf[512], id[129];
	int64_t *comment = arena_alloc(&p->arena, sizeof(*comment));

	if (str(p, "") != 0 || !comment)
		return -1;
	/* as the runtime's own goroutine profile: goroutine/count, period 1 */
	perftools__profiles__value_type__init(type);
	type->type = str(p, "goroutine");
	type->unit = str(p, "count");
	p->types[0] = type;
	p->prof.n_sample_type = 1;
	p->prof.sample_type = p->types;
	p->prof.period_type = type;
	p->prof.period = 1;
	p->minutes = str(p, "minutes");
	/* Symbolized here: pprof must not look for the binary (it may be
	 * elsewhere, or gone); it reads the names, files and lines as they are.
	 * No address range: the locations carry the pcs, symbolized already. */
	perftools__profiles__mapping__init(exe);
	exe->id = 1;
	exe->filename = str(p, s->exe ? s->exe : "");
	exe->build_id = str(p, mdl_build_id(s, id, sizeof(id)));
	exe->has_functions = exe->has_filenames = exe->has_line_numbers = exe->has_inline_frames =
		1;
	p->mappings[0] = exe;
	p->prof.mapping = p->mappings;
	p->prof.n_mapping = 1;
	snprintf(buf, sizeof(buf), "inspect dump of process %d%s%s, paused %.1f ms", (int)s->pid,
		 version ? " " : "", version ? version : "", s->pause_ms);
	*comment = str(p, buf);
	p->prof.comment = comment;
	p->prof.n_comment = 1;
	if (type->type < 0 || type->unit < 0 || p->minutes < 0 || exe->filename < 0 ||
	    exe->build_id < 0 || *comment < 0)
		return -1;
	return 0;
}

/* A ProtobufCBuffer that gzips what protobuf-c appends into out. */
struct gz {
	ProtobufCBuffer base;
	z_stream z;
	FILE *out;
	bool failed;
	unsigned char chunk[1 << 16];
};

static void
gz_run(struct gz *g, int flush)
{
	int ret;

	do {
		g->z.next_out = g->chunk;
		g->z.avail_out = sizeof(g->chunk);
		ret = deflate(&g->z, flush);
		if (ret == Z_STREAM_ERROR) {
			g->failed = true;
			return;
		}
		fwrite(g->chunk, 1, sizeof(g->chunk) - g->z.avail_out, g->out);
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
}

static void
gz_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	struct gz *g = (struct gz *)b;

	while (len && !g->failed) {
		uInt n = len > (1u << 30) ? 1u << 30 : (uInt)len;

		g->z.next_in = (Bytef *)data;
		g->z.avail_in = n;
		gz_run(g, Z_NO_FLUSH);
		data += n;
		len -= n;
	}
}

static int
write_gzipped(FILE *out, const Profile *prof, struct insp_err *err)
{
	struct gz *g = calloc(1, sizeof(*g));
	int ret = -1;

	if (!g)
		return insp_err_set(err, INSP_E_SYS, "out of memory writing the profile");
	g->base.append = gz_append;
	g->out = out;
	/* windowBits 15 + 16: a gzip stream (a header and a CRC), as pprof reads */
	if (deflateInit2(&g->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		insp_err_set(err, INSP_E_SYS, "cannot start gzip: %s",
			     g->z.msg ? g->z.msg : "zlib");
		free(g);
		return -1;
	}
	protobuf_c_message_pack_to_buffer(&prof->base, &g->base);
	if (!g->failed)
		gz_run(g, Z_FINISH);
	if (g->failed)
		insp_err_set(err, INSP_E_SYS, "cannot gzip the profile");
	else
		ret = 0;
	deflateEnd(&g->z);
	free(g);
	return ret;
}

/* stdout escapes what a terminal would obey (streams.c), which would corrupt
 * binary: the bytes go to the stream under it. */
static FILE *
raw_stream(FILE *out)
{
	return out == stdout && ui_terminal ? ui_terminal : out;
}

/* Binary is for a file or a pipe: never a terminal (nor a stream whose
 * descriptor cannot say it is none). */
static int
refuse_terminal(FILE *out, struct insp_err *err)
{
	int fd = fileno(raw_stream(out));

	if (fd >= 0 && !isatty(fd))
		return 0;
	return insp_err_set(err, INSP_E_USAGE,
			    "a pprof profile is binary: not written to a terminal (redirect it: "
			    "inspect dump --format pprof PID > goroutines.pb.gz)");
}

int
ui_format_refused(const struct ui_format *f, FILE *out, struct insp_err *err)
{
	return f->write == ui_write_pprof ? refuse_terminal(out, err) : 0;
}

int
ui_write_pprof(FILE *out, struct mdl_snapshot *s, const struct ui_dump_opts *o,
	       const struct mdl_grouping *g, struct insp_err *err)
{
	struct pp p = { .arena = ARENA_INIT,
			.strings = KEYMAP_INIT,
			.funcs = KEYMAP_INIT,
			.locs = KEYMAP_INIT,
			.samples = KEYMAP_INIT,
			.prof = PERFTOOLS__PROFILES__PROFILE__INIT };
	FILE *raw = raw_stream(out);
	int ret = -1;

	(void)g;
	if (refuse_terminal(out, err) < 0)
		return -1;
	if (fflush(out) != 0)
		return insp_err_set(err, INSP_E_SYS, "cannot write the profile: %s",
				    strerror(errno));
	if (header(&p, s) < 0)
		goto oom;
	p.prof.time_nanos = s->captured_ns; /* the JSON's captured_at */
	for (size_t i = 0; i < s->ntasks; i++)
		if (mdl_filter_match(&o->filter, s, s->tasks[i]) && add_task(&p, s->tasks[i]) < 0)
			goto oom;
	ret = write_gzipped(raw, &p.prof, err);
	if (ret == 0 && (fflush(raw) != 0 || ferror(raw)))
		ret = insp_err_set(err, INSP_E_SYS, "cannot write the profile: %s",
				   strerror(errno));
	goto out;
oom:
	insp_err_set(err, INSP_E_SYS, "out of memory building the profile");
out:
	free(p.prof.string_table);
	free(p.prof.function);
	free(p.prof.location);
	free(p.prof.sample);
	keymap_release(&p.strings);
	keymap_release(&p.funcs);
	keymap_release(&p.locs);
	keymap_release(&p.samples);
	arena_release(&p.arena);
	return ret;
}
