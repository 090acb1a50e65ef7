/* The ui layer's OpenMetrics report (dump --format openmetrics), for node_exporter's
 * textfile collector: gauges of one capture, the goroutines by state, by wait reason
 * and by the frame shown (its largest --top N buckets, the rest summed in one, so the
 * series stay bounded), the oldest wait per reason, the pause, the capture's time.
 * Names and labels are documented in the README; label values are the target's
 * bytes and are escaped here, never written raw.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/esc.h"

/* The bucket that sums the frames past --top: each of its labels says so. */
#define OTHER "(other)"

/* Goroutines of one reason standing at one frame (whatever created them); no
 * string is NULL. */
struct bucket {
	const char *reason, *func, *file;
	uint32_t line;
	size_t count;
};

/* A count per state word. */
struct state_count {
	const char *state;
	size_t count;
};

void
ui_om_put_label(FILE *out, const char *s)
{
	/* Bytes that are no UTF-8 and control characters first become the text
	 * \xNN, as in the text and JSON reports (util/esc.h): OpenMetrics wants UTF-8
	 * and has no escape for them. Then the spec's three escapes (ABNF
	 * escaped-string: \\, \", \n), which also cover the backslash of \xNN, so a
	 * parser reads back the JSON report's string. */
	char *e = esc_plain(s) ? NULL : esc_strdup(s);

	for (const char *p = e ? e : s; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', out);
		if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	free(e);
}

/* # TYPE, # UNIT (when unit), # HELP of a gauge: name ends in _unit, as
 * OpenMetrics requires of a family with a unit. */
static void
family(FILE *out, const char *name, const char *unit, const char *help)
{
	fprintf(out, "# TYPE %s gauge\n", name);
	if (unit)
		fprintf(out, "# UNIT %s %s\n", name, unit);
	fprintf(out, "# HELP %s %s\n", name, help);
}

/* name{key="value"} count */
static void
sample1(FILE *out, const char *name, const char *key, const char *value, size_t count)
{
	fprintf(out, "%s{%s=\"", name, key);
	ui_om_put_label(out, value);
	fprintf(out, "\"} %zu\n", count);
}

static int
cmp_where(const void *pa, const void *pb)
{
	const struct bucket *a = pa, *b = pb;
	int c = strcmp(a->reason, b->reason);

	if (!c)
		c = strcmp(a->func, b->func);
	if (!c)
		c = strcmp(a->file, b->file);
	if (!c)
		c = (a->line > b->line) - (a->line < b->line);
	return c;
}

/* Biggest first; ties in a fixed order, so two captures list them alike. */
static int
cmp_count(const void *pa, const void *pb)
{
	const struct bucket *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return cmp_where(a, b);
}

static int
cmp_state(const void *pa, const void *pb)
{
	return strcmp(((const struct state_count *)pa)->state,
		      ((const struct state_count *)pb)->state);
}

/* The grouping's sites by reason and frame, the sites of one frame with different
 * creators summed: *n buckets, malloc'd, biggest first; NULL when memory runs out. */
static struct bucket *
frame_buckets(const struct mdl_grouping *g, size_t *n)
{
	struct bucket *b;
	size_t all = 0, k = 0;

	for (size_t i = 0; i < g->ngroups; i++)
		all += g->groups[i].nsites;
	b = malloc((all + 1) * sizeof(*b));
	if (!b)
		return NULL;
	for (size_t i = 0; i < g->ngroups; i++)
		for (size_t j = 0; j < g->groups[i].nsites; j++) {
			const struct mdl_site *site = &g->groups[i].sites[j];

			/* the text report's column: the function, the file's last
			 * part and the line */
			b[k++] = (struct bucket){
				.reason = g->groups[i].key,
				.func = site->frame->func ? site->frame->func : "?",
				.file = site->frame->file ? ui_basename(site->frame->file) : "?",
				.line = site->frame->line,
				.count = site->count,
			};
		}
	qsort(b, all, sizeof(*b), cmp_where);
	k = 0;
	for (size_t i = 0; i < all; i++) {
		if (k && cmp_where(&b[k - 1], &b[i]) == 0)
			b[k - 1].count += b[i].count;
		else
			b[k++] = b[i];
	}
	qsort(b, k, sizeof(*b), cmp_count);
	*n = k;
	return b;
}

/* The shown goroutines per state word, sorted by the word: *n, malloc'd. */
static struct state_count *
state_counts(const struct mdl_snapshot *s, const struct mdl_filter *f, size_t *n)
{
	struct state_count *c = malloc((s->ntasks + 1) * sizeof(*c));

	*n = 0;
	if (!c)
		return NULL;
	for (size_t i = 0; i < s->ntasks; i++) {
		const struct insp_task *t = s->tasks[i];
		const char *word = t->state ? t->state : "?";
		size_t j = 0;

		if (!mdl_filter_match(f, s, t))
			continue;
		while (j < *n && strcmp(c[j].state, word) != 0)
			j++;
		if (j == *n)
			c[(*n)++] = (struct state_count){ .state = word };
		c[j].count++;
	}
	qsort(c, *n, sizeof(*c), cmp_state);
	return c;
}

static void
write_frames(FILE *out, const struct bucket *b, size_t n, size_t top)
{
	static const char *const name = "inspect_goroutines_by_frame";
	size_t rest = 0;

	family(out, name, NULL,
	       "Goroutines by wait reason and the frame the text report shows (function, file, "
	       "line), the largest --top buckets; the rest summed in one with every label "
	       "(other).");
	for (size_t i = 0; i < n; i++) {
		if (i >= top) {
			rest += b[i].count;
			continue;
		}
		fprintf(out, "%s{reason=\"", name);
		ui_om_put_label(out, b[i].reason);
		fputs("\",func=\"", out);
		ui_om_put_label(out, b[i].func);
		fputs("\",file=\"", out);
		ui_om_put_label(out, b[i].file);
		fprintf(out, "\",line=\"%" PRIu32 "\"} %zu\n", b[i].line, b[i].count);
	}
	if (n > top)
		fprintf(out,
			"%s{reason=\"" OTHER "\",func=\"" OTHER "\",file=\"" OTHER
			"\",line=\"" OTHER "\"} %zu\n",
			name, rest);
}

int
ui_report_openmetrics(FILE *out, struct mdl_snapshot *s, const struct mdl_filter *f,
		      const struct mdl_grouping *given, size_t top, struct insp_err *err)
{
	struct mdl_grouping own;
	const struct mdl_grouping *g = given;
	struct bucket *b = NULL;
	struct state_count *st = NULL;
	size_t nb = 0, nst = 0;
	int ret = 0;

	/* By reason whatever --group says: the metrics' names say what they count. */
	if (given->by != MDL_GROUP_REASON) {
		if (mdl_group(s, f, MDL_GROUP_REASON, &own, err) < 0)
			return -1;
		g = &own;
	}
	b = frame_buckets(g, &nb);
	st = state_counts(s, f, &nst);
	if (!b || !st) {
		ret = insp_err_set(err, INSP_E_SYS, "out of memory");
		goto out;
	}
	family(out, "inspect_goroutines", NULL,
	       "Goroutines in the report (the runtime's own only with --system).");
	fprintf(out, "inspect_goroutines %zu\n", g->shown);
	family(out, "inspect_goroutines_hidden", NULL,
	       "The runtime's own goroutines (GC workers, finalizers) left out; --system counts "
	       "them.");
	fprintf(out, "inspect_goroutines_hidden %zu\n", g->hidden);
	family(out, "inspect_goroutines_by_state", NULL,
	       "Goroutines by the runtime's state (waiting, runnable, running, syscall...).");
	for (size_t i = 0; i < nst; i++)
		sample1(out, "inspect_goroutines_by_state", "state", st[i].state, st[i].count);
	family(out, "inspect_goroutines_by_reason", NULL,
	       "Goroutines by wait reason in the runtime's words, as the text report's blocks "
	       "(the state for those not waiting).");
	for (size_t i = 0; i < g->ngroups; i++)
		sample1(out, "inspect_goroutines_by_reason", "reason", g->groups[i].key,
			g->groups[i].count);
	write_frames(out, b, nb, top);
	/* The same waits as the text and JSON reports', in the unit OpenMetrics
	 * wants. */
	{
		/* how the runtime counts waits is the plugin's to say (info waits_how) */
		const char *how = mdl_info(s, "waits_how");
		char help[256];

		snprintf(help, sizeof(help),
			 "The longest wait per reason, as the runtime counts it%s%s.",
			 how ? ": " : "", how ? how : "");
		family(out, "inspect_goroutines_oldest_wait_seconds", "seconds", help);
	}
	for (size_t i = 0; i < g->ngroups; i++) {
		if (g->groups[i].max_wait_ns < 0)
			continue;
		fputs("inspect_goroutines_oldest_wait_seconds{reason=\"", out);
		ui_om_put_label(out, g->groups[i].key);
		fprintf(out, "\"} %.3f\n", (double)g->groups[i].max_wait_ns / 1e9);
	}
	family(out, "inspect_threads", NULL, "OS threads of the process.");
	fprintf(out, "inspect_threads %zu\n", s->nthreads);
	family(out, "inspect_pause_seconds", "seconds",
	       "How long the capture kept the process stopped (in inspect attach: so far).");
	fprintf(out, "inspect_pause_seconds %.6f\n", mdl_snapshot_stopped_ms(s) / 1e3);
	family(out, "inspect_capture_timestamp_seconds", "seconds",
	       "When the process was stopped for the capture, in seconds since the Unix epoch.");
	fprintf(out, "inspect_capture_timestamp_seconds %.3f\n", (double)s->captured_ns / 1e9);
	fputs("# EOF\n", out);
out:
	free(b);
	free(st);
	return ret;
}
