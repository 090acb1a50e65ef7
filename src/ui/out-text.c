/* The ui layer's text report: the header, then one block per group (wait reason,
 * stack or function), biggest first, and in it the frames goroutines stand at, with
 * counts, creators and a few ids; with stacks, the stack of each site's first
 * goroutine. Aligned columns, no colour: it is pasted into incident tickets.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <inttypes.h>
#include <string.h>

#include "model/model.h"

struct widths {
	int count, label, where, creator, sfunc;
	bool waits; /* some site's wait is known: each shows its waits */
};

static void
where_of(const struct insp_loc *loc, char *buf, size_t size)
{
	if (loc->func && loc->file && loc->line)
		snprintf(buf, size, "%s:%u", ui_line(ui_basename(loc->file)), loc->line);
	else if (loc->func && loc->file)
		snprintf(buf, size, "%s", ui_line(ui_basename(loc->file))); /* no lines */
	else if (loc->pc)
		snprintf(buf, size, "0x%" PRIx64, loc->pc);
	else
		snprintf(buf, size, "?");
}

static void
creator_of(const struct insp_task *t, char *buf, size_t size)
{
	char where[256];

	if (!t->go_pc.func) {
		buf[0] = '\0';
		return;
	}
	where_of(&t->go_pc, where, sizeof(where));
	snprintf(buf, size, "created by %s %s", ui_line(t->go_pc.func), where);
}

/* The site's first column: its function, or under --group func (where the group
 * names the function) its wait reason. */
static const char *
label_of(const struct mdl_grouping *g, const struct mdl_site *site)
{
	if (g->by == MDL_GROUP_FUNC)
		return ui_line(mdl_task_key(site->first));
	return site->frame->func ? ui_line(site->frame->func) : "?";
}

static int
max_int(int a, int b)
{
	return a > b ? a : b;
}

static int
frames_shown(const struct insp_task *t, unsigned max)
{
	return (int)(t->nframes < max ? t->nframes : max);
}

static void
measure(const struct mdl_grouping *g, unsigned stacks, struct widths *w)
{
	char buf[512];

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < g->ngroups; i++) {
		const struct mdl_group *gr = &g->groups[i];

		w->count = max_int(w->count, (int)strlen(ui_count(gr->count, buf, sizeof(buf))));
		for (size_t j = 0; j < gr->nsites; j++) {
			const struct mdl_site *site = &gr->sites[j];
			const struct insp_task *t = site->first;

			w->label = max_int(w->label, (int)strlen(label_of(g, site)));
			where_of(site->frame, buf, sizeof(buf));
			w->where = max_int(w->where, (int)strlen(buf));
			creator_of(t, buf, sizeof(buf));
			w->creator = max_int(w->creator, (int)strlen(buf));
			w->waits = w->waits || site->wait_oldest_ns >= 0;
			for (int k = 0; k < frames_shown(t, stacks); k++)
				if (t->frames[k].loc.func)
					w->sfunc = max_int(w->sfunc,
							   (int)strlen(t->frames[k].loc.func));
		}
	}
}

static void
print_header(FILE *out, const struct mdl_snapshot *s, const struct mdl_grouping *g)
{
	const char *version = mdl_info(s, "go_version");
	char a[32], b[32], sources[256];

	fprintf(out, "process %d  %s", (int)s->pid, ui_line(s->exe));
	if (s->runtime_lib)
		fprintf(out, " (runtime in %s)", ui_line(s->runtime_lib));
	if (s->debug_file)
		fprintf(out, " (debug: %s)", ui_line(s->debug_file));
	fprintf(out, "  %s", version ? ui_line(version) : "?");
	if (s->started_ns && s->captured_ns > s->started_ns) /* wait times read against it */
		fprintf(out, "  up %s", ui_uptime(s->captured_ns - s->started_ns, a, sizeof(a)));
	fprintf(out, "  %s goroutines", ui_count(g->shown, a, sizeof(a)));
	if (g->shown + g->hidden != s->ntasks)
		fprintf(out, " (of %s)", ui_count(s->ntasks, b, sizeof(b)));
	if (s->proc) /* inspect attach: it is still stopped */
		fprintf(out, "  %zu threads  stopped for %.1f s\n", s->nthreads,
			mdl_snapshot_stopped_ms(s) / 1000);
	else
		fprintf(out, "  %zu threads  paused %.1f ms\n", s->nthreads, s->pause_ms);
	/* Facts that did not come from DWARF are said: a stripped binary's layouts
	 * are a table's, its registry found through code. */
	if (ui_sources(s, sources, sizeof(sources)))
		fprintf(out, "sources: %s\n", sources);
}

static void
print_examples(FILE *out, const struct mdl_site *site, bool waits)
{
	char buf[64];

	fprintf(out, "  e.g.");
	for (size_t k = 0; k < site->count && k < MDL_EXAMPLES; k++)
		fprintf(out, " %" PRIu64, site->examples[k]);
	if (waits && *ui_site_waits(site, buf, sizeof(buf)))
		fprintf(out, "  waiting %s", buf);
	if (site->first->tid)
		fprintf(out, "  on thread %d", (int)site->first->tid);
}

static void
print_site(FILE *out, const struct mdl_grouping *g, const struct mdl_site *site,
	   const struct widths *w)
{
	char count[32], where[256], creator[512];

	where_of(site->frame, where, sizeof(where));
	creator_of(site->first, creator, sizeof(creator));
	fprintf(out, "  %*s  %*s  %-*s  %-*s", w->count, "", w->count,
		ui_count(site->count, count, sizeof(count)), w->label, label_of(g, site), w->where,
		where);
	if (w->creator)
		fprintf(out, "  %-*s", w->creator, creator);
	print_examples(out, site, w->waits);
	fputc('\n', out);
}

/* A stack, indented under its site, at most max frames. */
static void
print_stack(FILE *out, const struct insp_task *t, unsigned max, int indent, int width)
{
	int n = frames_shown(t, max);
	char where[256], creator[512];

	for (int k = 0; k < n; k++) {
		const struct insp_frame *f = &t->frames[k];

		where_of(&f->loc, where, sizeof(where));
		fprintf(out, "%*s%-*s  %s%s\n", indent, "", width,
			f->loc.func ? ui_line(f->loc.func) : "?", where,
			f->inlined ? "  (inlined)" : "");
	}
	if ((uint32_t)n < t->nframes)
		fprintf(out, "%*s... %u more frames (--stacks=N, in the REPL -t N, shows N)\n", indent, "",
			t->nframes - (uint32_t)n);
	else if (t->frames_cut)
		fprintf(out, "%*s... more frames (--stacks=N, in the REPL -t N, keeps N)\n", indent, "");
	else if (t->note)
		fprintf(out, "%*s... the walk ended early: %s\n", indent, "", ui_line(t->note));
	if (t->go_pc.func) {
		creator_of(t, creator, sizeof(creator));
		fprintf(out, "%*s%s", indent, "", creator);
		if (t->parent_id)
			fprintf(out, " in goroutine %" PRIu64, t->parent_id);
		fputc('\n', out);
	}
}

/* With stacks: the labels of the site's example, whose stack is shown; when the
 * site's goroutines do not all have them, whose they are. */
static void
print_site_labels(FILE *out, const struct mdl_site *site, int indent)
{
	const struct insp_task *t = site->first;

	if (!t->nlabels && !t->labels_cut && !site->labels_differ)
		return;
	fprintf(out, "%*slabels: ", indent, "");
	if (t->nlabels || t->labels_cut)
		ui_print_labels(out, t);
	else
		fputs("(none)", out);
	if (site->labels_differ)
		fprintf(out, "  (goroutine %" PRIu64 "'s; others here have other labels)", t->id);
	fputc('\n', out);
}

/* --locals: the variables of the site's example, under its line. */
static void
print_values(FILE *out, const struct mdl_snapshot *s, const struct insp_task *t, int indent)
{
	const struct mdl_task_values *v = mdl_task_values(s, t);
	const struct insp_frame *f;

	if (!v)
		return;
	f = v->frame < t->nframes ? &t->frames[v->frame] : NULL;
	fprintf(out, "%*sgoroutine %" PRIu64 ", frame %u %s:\n", indent, "", t->id, v->frame,
		f && f->loc.func ? ui_line(f->loc.func) : "?");
	if (v->error)
		fprintf(out, "%*s  %s\n", indent, "", ui_line(v->error));
	else if (!v->n)
		fprintf(out, "%*s  (no variables)\n", indent, "");
	for (size_t i = 0; i < v->n; i++)
		fprintf(out, v->vals[i].shadowed ? "%*s  %s(%s) = %s\n" : "%*s  %s%s = %s\n",
			indent, "", v->vals[i].arg ? "arg " : "", ui_line(v->vals[i].name),
			ui_line(v->vals[i].text));
}

/* --threads: every OS thread, what it runs, and its native stack. */
static void
print_threads(FILE *out, const struct mdl_snapshot *s, unsigned max)
{
	int width = 0;

	fprintf(out, "\n  %zu threads\n", s->nthreads);
	for (size_t i = 0; i < s->nthreads; i++)
		for (uint32_t k = 0; k < s->native[i].nframes && k < max; k++)
			if (s->native[i].frames[k].loc.func)
				width = max_int(width,
						(int)strlen(s->native[i].frames[k].loc.func));
	for (size_t i = 0; i < s->nthreads; i++) {
		const struct mdl_thread *th = &s->native[i];
		struct insp_task shown = { .frames = th->frames, .nframes = th->nframes };

		fprintf(out, "\n  %-7d  %-15s  %c", (int)th->thread->tid, ui_line(th->thread->name),
			th->thread->state);
		if (th->task)
			fprintf(out, "  goroutine %" PRIu64 " (%s)", th->task->id,
				ui_line(mdl_task_key(th->task)));
		fputc('\n', out);
		print_stack(out, &shown, max, 11, width);
		if (th->why)
			fprintf(out, "%*s... %s\n", 11, "", ui_line(th->why));
	}
}

int
ui_report_text(FILE *out, struct mdl_snapshot *s, const struct mdl_grouping *g, unsigned stacks,
	       size_t limit)
{
	struct mdl_grouping shown = *g;
	struct widths w;
	char count[32];
	bool unknown = false;
	size_t rest = 0;
	const char *how;

	if (limit && limit < g->ngroups) {
		shown.ngroups = limit;
		for (size_t i = limit; i < g->ngroups; i++)
			rest += g->groups[i].count;
	}
	measure(&shown, stacks, &w);
	print_header(out, s, g);
	for (size_t i = 0; i < shown.ngroups; i++) {
		const struct mdl_group *gr = &g->groups[i];

		fprintf(out, "\n  %*s  ", w.count, ui_count(gr->count, count, sizeof(count)));
		/* a label's value is the target's: on one line */
		ui_put_oneline(out, gr->key);
		fputc('\n', out);
		for (size_t j = 0; j < gr->nsites; j++) {
			unknown = unknown || gr->sites[j].wait_unknown;
			print_site(out, g, &gr->sites[j], &w);
			print_values(out, s, gr->sites[j].first, 2 * w.count + 8);
			/* Under --group stack every site has the same stack: once. */
			if (stacks && (g->by != MDL_GROUP_STACK || j == gr->nsites - 1)) {
				print_site_labels(out, &gr->sites[j], 2 * w.count + 8);
				print_stack(out, gr->sites[j].first, stacks, 2 * w.count + 8,
					    w.sfunc);
			}
		}
	}
	if (rest)
		fprintf(out, "\n  ... %zu more groups, %s goroutines (-limit %zu)\n",
			g->ngroups - limit, ui_count(rest, count, sizeof(count)), limit);
	if (s->native && s->threads_wanted)
		print_threads(out, s, stacks ? stacks : MDL_THREAD_FRAMES);
	if (g->hidden)
		fprintf(out,
			"\n  %s runtime goroutines (GC, finalizers) not shown: --system shows "
			"them\n",
			ui_count(g->hidden, count, sizeof(count)));
	/* How the runtime measures waits, and why none is known, are the plugin's
	 * words (the Go runtime's GC stamps them). */
	how = mdl_info(s, "waits_how");
	if (w.waits)
		fprintf(out,
			"\n  waiting: the newest and the oldest wait on the line, as the "
			"runtime's traceback counts\n  them%s%s; ?: not %s yet\n",
			how ? ": " : "", how ? how : "", how ? "stamped" : "known");
	else if (unknown) {
		const char *why = mdl_info(s, "waits_unknown"), *rule = mdl_info(s, "waits_rule");

		fprintf(out, "\n  no wait time is known%s%s\n", why ? ": " : "", why ? why : "");
		if (rule)
			fprintf(out, "  (%s)\n", rule);
	}
	for (size_t i = 0; i < s->nnotes; i++)
		fprintf(out, "note: %s\n", ui_line(s->notes[i]));
	return 0;
}
