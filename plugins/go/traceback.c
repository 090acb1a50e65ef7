/* The Go plugin's traceback hook (dump --format traceback): the text the Go
 * runtime writes for a debug=2 goroutine profile and for SIGQUIT at
 * GOTRACEBACK=all, or system (runtime/traceback.go goroutineheader, traceback2,
 * printcreatedby), in the words of the target's Go release, so that what reads
 * those (panicparse's pp, people) reads ours. What inspect cannot know
 * honestly, the argument words, is "...". It writes the decoded tasks through
 * the host's writer; it never reads the target nor writes the target's bytes raw.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_MIN INT64_C(60000000000)

/* The plugin's own text, printf-style; the target's goes through esc(). */
#define PUT(w, ...) (w)->put_raw((w)->ctx, __VA_ARGS__)

static void
esc(const struct insp_writer *w, const char *s)
{
	w->put_escaped(w->ctx, s);
}

/* What the runtime's traceback decides by: the target's release and its
 * GOTRACEBACK level, all (1) or system (2, --system: the runtime's goroutines and
 * every frame, runtime.go:gotraceback). */
struct level {
	int minor;
	bool system;
};

int
gort_minor(const struct gort_state *st)
{
	const char *p = st ? strstr(st->version, "go1.") : NULL;
	long n;

	if (!p)
		return 1000;
	n = strtol(p + 4, NULL, 10);
	return n > 0 && n < 1000 ? (int)n : 1000;
}

/* runtime/traceback.go isExportedRuntime: runtime.X with X exported; Go 1.23+
 * also asks a method's receiver type to be exported (runtime.(*Func).Entry). */
static bool
exported_runtime(const char *name, int minor)
{
	const char *dot, *f;

	name += strlen("runtime.");
	if (minor < 23)
		return *name >= 'A' && *name <= 'Z';
	dot = strrchr(name, '.');
	f = dot ? dot + 1 : name;
	if (dot && name[0] == '(' && name[1] == '*')
		name += 2; /* (*T).M: T */
	return *f >= 'A' && *f <= 'Z' && (!dot || (*name >= 'A' && *name <= 'Z'));
}

/* A function the runtime's traceback shows by its name (showfuncinfo): any at
 * GOTRACEBACK=system; at all, not one without a dot, nor the runtime's
 * unexported ones but for runtime.gopanic below another frame (inner) and the
 * finalizer and cleanup runners (Go 1.25). */
static bool
shown_name(const char *name, bool inner, struct level lv)
{
	if (lv.system)
		return true;
	if (strcmp(name, "runtime.runFinalizers") == 0 || strcmp(name, "runtime.runCleanups") == 0)
		return true;
	if (strcmp(name, "runtime.gopanic") == 0 && inner)
		return true;
	if (!strchr(name, '.'))
		return false;
	return strncmp(name, "runtime.", 8) != 0 || exported_runtime(name, lv.minor);
}

/* Frame i of t as that traceback shows it: wrappers hidden at all unless they
 * called a panic; native frames (C, from the thread's stack) are not the goroutine's. */
static bool
shown(const struct insp_task *t, uint32_t i, struct level lv)
{
	const struct insp_frame *f = &t->frames[i];
	const char *callee = i ? t->frames[i - 1].loc.func : NULL;

	if (f->native || !f->loc.func)
		return false;
	if (f->wrapper && !lv.system)
		return callee && (strcmp(callee, "runtime.gopanic") == 0 ||
				  strcmp(callee, "runtime.sigpanic") == 0 ||
				  strcmp(callee, "runtime.panicwrap") == 0);
	return shown_name(f->loc.func, i > 0, lv);
}

/* One rune of s as Go's range over a string decodes it: *r, and the bytes it
 * took; a byte that starts no valid UTF-8 is U+FFFD of one byte. */
static size_t
rune(const unsigned char *s, uint32_t *r)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n = 0; /* the bytes its first byte says, 0: it starts none */
	uint32_t v;

	if (s[0] < 0x80)
		n = 1;
	else if (s[0] >= 0xc2 && s[0] < 0xe0)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] < 0xf0)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] < 0xf5)
		n = 4;
	if (n == 1)
		return *r = s[0], 1;
	if (n == 0)
		return *r = 0xfffd, 1;
	v = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return *r = 0xfffd, 1;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return *r = 0xfffd, 1;
	*r = v;
	return n;
}

/* s in quotes as the runtime's printquoted writes a label (Go 1.26 print.go):
 * printable ASCII as it is, \n \r \t \\ \" escaped, any other rune as \xNN,
 * \uNNNN or \UNNNNNNNN. The output is ASCII: the plugin's own text, though the
 * target chose s. */
static void
put_quoted(const struct insp_writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t r;

	PUT(w, "\"");
	while (*p) {
		p += rune(p, &r);
		if (r == '\n' || r == '\r' || r == '\t')
			PUT(w, "\\%c", r == '\n' ? 'n' : r == '\r' ? 'r' : 't');
		else if (r == '\\' || r == '"')
			PUT(w, "\\%c", (int)r);
		else if (r >= ' ' && r <= '~')
			PUT(w, "%c", (int)r);
		else if (r < 127)
			PUT(w, "\\x%02x", (unsigned)r);
		else if (r < 0x10000)
			PUT(w, "\\u%04x", (unsigned)r);
		else
			PUT(w, "\\U%08x", (unsigned)r);
	}
	PUT(w, "\"");
}

/* goroutine N [STATUS, M minutes, locked to thread, synctest bubble B labels:{...}]:
 * the reason carries what the runtime adds to it ("(leaked)", "(durable)").
 * Labels exactly when the target's runtime prints them (labels: its GODEBUG
 * tracebacklabels=1, Go 1.26+), so that readers group ours as they group its
 * own; a set inspect cut ends in ", ...". */
static void
put_header(const struct insp_writer *w, const struct insp_task *t, bool labels)
{
	PUT(w, "goroutine %llu [", (unsigned long long)t->id);
	esc(w, t->reason ? t->reason : t->state);
	if (t->wait_ns >= NS_PER_MIN)
		PUT(w, ", %lld minutes", (long long)(t->wait_ns / NS_PER_MIN));
	if (t->flags & INSP_TASK_LOCKED)
		PUT(w, ", locked to thread");
	if (t->sandbox) {
		PUT(w, ", ");
		esc(w, t->sandbox);
		PUT(w, " %llu", (unsigned long long)t->sandbox_id);
	}
	if (labels && (t->nlabels || t->labels_cut)) {
		PUT(w, " labels:{");
		for (uint32_t i = 0; i < t->nlabels; i++) {
			if (i)
				PUT(w, ", ");
			put_quoted(w, t->labels[i].key);
			PUT(w, ": ");
			put_quoted(w, t->labels[i].value);
		}
		if (t->labels_cut)
			PUT(w, t->nlabels ? ", ..." : "...");
		PUT(w, "}");
	}
	PUT(w, "]:\n");
}

/* " +0xOFF": where pc is in its function, which the runtime prints after
 * file:line but for an inlined call and a pc at the entry (or unknown). */
static void
put_offset(const struct insp_writer *w, uint64_t pc, uint64_t entry)
{
	if (entry && pc > entry)
		PUT(w, " +0x%llx", (unsigned long long)(pc - entry));
}

/* "\tFILE:LINE" of a frame or a go statement; an unknown file is "??", as the
 * runtime's cgo frames print one, so that the line still reads as a frame. */
static void
put_file_line(const struct insp_writer *w, const struct insp_loc *loc)
{
	PUT(w, "\t");
	if (loc->file)
		esc(w, loc->file);
	else
		PUT(w, "??");
	PUT(w, ":%u", loc->line);
}

/* FUNC(...) and its file:line; the runtime names runtime.gopanic "panic". */
static void
put_frame(const struct insp_writer *w, const struct insp_frame *f)
{
	const char *name = f->loc.func ? f->loc.func : "?";

	if (strcmp(name, "runtime.gopanic") == 0)
		name = "panic";
	esc(w, name);
	PUT(w, "(...)\n");
	put_file_line(w, &f->loc);
	if (!f->inlined)
		put_offset(w, f->loc.pc, f->entry);
	PUT(w, "\n");
}

/* The frames the runtime would show, or, when it would show none, all of them
 * (traceback1 repeats the walk with showRuntime), max of them at most (0: no
 * limit): the runtime's limit counts the frames it shows (Go 1.21+
 * traceback2's commitFrame). A cut stack says so as the runtime does: Go 1.21+
 * "...E frames elided..." when E, the shown frames left, is known (all the
 * task's frames were kept), else "...additional frames elided..." (Go 1.20
 * and older, and the runtime's ancestors' tracebacks). */
static void
put_stack(const struct insp_writer *w, const struct insp_task *t, struct level lv, uint32_t max)
{
	bool all = true; /* it would show none: then all */
	uint32_t n = 0, left = 0;

	for (uint32_t i = 0; i < t->nframes && all; i++)
		all = !shown(t, i, lv);
	for (uint32_t i = 0; i < t->nframes; i++) {
		if (!(all ? !t->frames[i].native : shown(t, i, lv)))
			continue;
		if (max && n == max)
			left++;
		else {
			put_frame(w, &t->frames[i]);
			n++;
		}
	}
	/* not even that (its stack could not be copied): its innermost frame,
	 * which the registers give, so that the goroutine still parses */
	if (!n)
		put_frame(w, &(const struct insp_frame){ .loc = t->top });
	if (left && !t->frames_cut && lv.minor >= 21)
		PUT(w, "...%u frames elided...\n", left);
	else if (left || t->frames_cut)
		PUT(w, "...additional frames elided...\n");
}

/* created by F[ in goroutine P]: not for the main goroutine, nor for one the
 * runtime started itself (its creator is a runtime function it hides); Go 1.21
 * added the creator's id. F is the physical function of the go statement. */
static void
put_creator(const struct insp_writer *w, const struct insp_task *t, struct level lv)
{
	const char *name = t->go_func ? t->go_func : t->go_pc.func;

	if (t->id == 1 || !name || !shown_name(name, false, lv))
		return;
	PUT(w, "created by ");
	esc(w, name);
	if (lv.minor >= 21 && t->parent_id)
		PUT(w, " in goroutine %llu", (unsigned long long)t->parent_id);
	PUT(w, "\n");
	put_file_line(w, &t->go_pc);
	put_offset(w, t->go_pc.pc, t->go_entry);
	PUT(w, "\n");
}

int
gort_traceback(void *state, const struct insp_task *const *tasks, size_t n, bool system,
	       uint32_t max, const struct insp_writer *w, struct insp_err *err)
{
	const struct gort_state *st = state;
	struct level lv = { gort_minor(st), system };
	bool labels = st && st->tb_labels == 1;

	(void)err;
	for (size_t i = 0; i < n; i++) {
		if (i)
			PUT(w, "\n");
		put_header(w, tasks[i], labels);
		put_stack(w, tasks[i], lv, max);
		put_creator(w, tasks[i], lv);
	}
	return 0;
}
