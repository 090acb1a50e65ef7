/* The ui layer's traceback report (dump --format traceback): the runtime's own
 * text for the goroutines the filter keeps, which the process's plugin writes
 * (its traceback hook: Go's SIGQUIT and debug=2 text), then inspect's lines.
 * The ui chooses the tasks, escapes what the target chose, and knows no
 * runtime; it prints the snapshot and never reads the target.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <stdarg.h>
#include <stdlib.h>

/* The plugin's writer on a stream: its own text as it is, the target's on one
 * line (ui_line); the stream escapes the rest, as for the text report. */
static void put_raw(void *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put_raw(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(ctx, fmt, ap);
	va_end(ap);
}

static void
put_escaped(void *ctx, const char *s)
{
	ui_put_oneline(ctx, s);
}

/* After a blank line, where readers of tracebacks stop parsing, what the
 * runtime would not have said: whose goroutines, the pause, the notes. */
static void
put_trailer(FILE *out, const struct mdl_snapshot *s, const struct mdl_filter *f, size_t shown)
{
	const char *version = mdl_info(s, "go_version");

	fprintf(out, "\ninspect: process %d  %s  %s  %zu goroutines", (int)s->pid, ui_line(s->exe),
		version ? ui_line(version) : "?", shown);
	if (s->proc) /* inspect attach: it is still stopped */
		fprintf(out, "  stopped for %.1f s\n", mdl_snapshot_stopped_ms(s) / 1000);
	else
		fprintf(out, "  paused %.1f ms\n", s->pause_ms);
	for (size_t i = 0; i < s->nnotes; i++)
		fprintf(out, "inspect: %s\n", ui_line(s->notes[i]));
	for (size_t i = 0; i < s->ntasks; i++)
		if (s->tasks[i]->note && mdl_filter_match(f, s, s->tasks[i]))
			fprintf(out, "inspect: goroutine %llu: %s\n",
				(unsigned long long)s->tasks[i]->id, ui_line(s->tasks[i]->note));
}

int
ui_report_traceback(FILE *out, struct mdl_snapshot *s, const struct mdl_filter *f, uint32_t max,
		    struct insp_err *err)
{
	const struct insp_writer w = { out, put_raw, put_escaped };
	const struct insp_task **shown;
	size_t n = 0;
	int ret;

	if (!s->plugin || !s->plugin->traceback)
		return insp_err_set(err, INSP_E_USAGE,
				    "no traceback format for the %s runtime (its plugin has no "
				    "traceback hook)",
				    s->plugin ? s->plugin->name : "snapshot's");
	if (!(shown = malloc((s->ntasks ? s->ntasks : 1) * sizeof(*shown))))
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	for (size_t i = 0; i < s->ntasks; i++)
		if (mdl_filter_match(f, s, s->tasks[i]))
			shown[n++] = s->tasks[i];
	ret = s->plugin->traceback(s->plugin_state, shown, n, f->system, max, &w, err);
	if (ret == 0)
		put_trailer(out, s, f, n);
	free(shown);
	return ret;
}
