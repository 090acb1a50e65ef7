/* The ui layer's text report: the header, then one block per wait reason, biggest
 * first, and in it the frames goroutines stand at, with counts, creators and a few
 * ids. Aligned columns, no colour: it is pasted into incident tickets.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <inttypes.h>
#include <string.h>

#include "model/model.h"

#define NS_PER_MIN INT64_C(60000000000)

struct widths {
	int count, key, func, where, creator;
};

static void
where_of(const struct insp_loc *loc, char *buf, size_t size)
{
	if (loc->func && loc->file)
		snprintf(buf, size, "%s:%u", ui_basename(loc->file), loc->line);
	else if (loc->pc)
		snprintf(buf, size, "0x%" PRIx64, loc->pc);
	else
		snprintf(buf, size, "?");
}

static void
creator_of(const struct insp_loc *loc, char *buf, size_t size)
{
	char where[256];

	if (!loc->func) {
		buf[0] = '\0';
		return;
	}
	where_of(loc, where, sizeof(where));
	snprintf(buf, size, "created by %s %s", loc->func, where);
}

static int
max_int(int a, int b)
{
	return a > b ? a : b;
}

static void
measure(const struct mdl_grouping *g, struct widths *w)
{
	char buf[512];

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < g->ngroups; i++) {
		const struct mdl_group *gr = &g->groups[i];

		w->count = max_int(w->count, (int)strlen(ui_count(gr->count, buf, sizeof(buf))));
		w->key = max_int(w->key, (int)strlen(gr->key));
		for (size_t j = 0; j < gr->nsites; j++) {
			const struct mdl_site *site = &gr->sites[j];

			w->func = max_int(w->func, (int)strlen(site->frame->func ? site->frame->func
										 : "?"));
			where_of(site->frame, buf, sizeof(buf));
			w->where = max_int(w->where, (int)strlen(buf));
			creator_of(site->creator, buf, sizeof(buf));
			w->creator = max_int(w->creator, (int)strlen(buf));
		}
	}
}

static void
print_header(FILE *out, const struct mdl_snapshot *s, const struct mdl_grouping *g)
{
	const char *version = mdl_info(s, "go_version");
	char a[32], b[32];

	fprintf(out, "process %d  %s  %s  %s goroutines", (int)s->pid, s->exe,
		version ? version : "?", ui_count(g->shown, a, sizeof(a)));
	if (g->shown + g->hidden != s->ntasks)
		fprintf(out, " (of %s)", ui_count(s->ntasks, b, sizeof(b)));
	fprintf(out, "  %zu threads  paused %.1f ms\n", s->nthreads, s->pause_ms);
}

static void
print_site(FILE *out, const struct mdl_site *site, const struct widths *w)
{
	char count[32], where[256], creator[512];

	where_of(site->frame, where, sizeof(where));
	creator_of(site->creator, creator, sizeof(creator));
	fprintf(out, "  %*s  %*s  %-*s  %-*s", w->count, "", w->count,
		ui_count(site->count, count, sizeof(count)), w->func,
		site->frame->func ? site->frame->func : "?", w->where, where);
	if (w->creator)
		fprintf(out, "  %-*s", w->creator, creator);
	fprintf(out, "  e.g.");
	for (size_t k = 0; k < site->count && k < MDL_EXAMPLES; k++)
		fprintf(out, " %" PRIu64, site->examples[k]);
	if (site->tid)
		fprintf(out, "  on thread %d", (int)site->tid);
	fputc('\n', out);
}

int
ui_report_text(FILE *out, struct mdl_snapshot *s, const struct mdl_grouping *g)
{
	struct widths w;
	char count[32];
	bool waits = false;

	measure(g, &w);
	print_header(out, s, g);
	for (size_t i = 0; i < g->ngroups; i++) {
		const struct mdl_group *gr = &g->groups[i];

		fprintf(out, "\n  %*s  ", w.count, ui_count(gr->count, count, sizeof(count)));
		if (gr->max_wait_ns >= NS_PER_MIN)
			fprintf(out, "%-*s  waiting >= %" PRId64 " min", w.key, gr->key,
				gr->max_wait_ns / NS_PER_MIN);
		else
			fputs(gr->key, out);
		fputc('\n', out);
		waits = waits || gr->max_wait_ns >= 0;
		for (size_t j = 0; j < gr->nsites; j++)
			print_site(out, &gr->sites[j], &w);
	}
	if (g->hidden)
		fprintf(out, "\n  %s runtime goroutines (GC, finalizers) not shown: --system shows them\n",
			ui_count(g->hidden, count, sizeof(count)));
	if (waits)
		fprintf(out, "\n  wait times are lower bounds: the runtime stamps them only during a "
			     "GC cycle\n");
	for (size_t i = 0; i < s->nnotes; i++)
		fprintf(out, "note: %s\n", s->notes[i]);
	return 0;
}
