/* The REPL's `tasks` (alias goroutines): list or group the goroutines, with the
 * dump's filters, Delve's spelling of options (-with, -t [N]) accepted.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* With -group, the options of the dump's report (one report for both). */
struct tasks_opts {
	struct ui_dump_opts report;
	bool grouped;
};

static int
parse(struct ui_session *s, int argc, char **argv, struct tasks_opts *o)
{
	static const struct option longopts[] = {
		{ "with", required_argument, NULL, 'w' },
		{ "without", required_argument, NULL, 'W' },
		{ "group", required_argument, NULL, 'g' },
		{ "limit", required_argument, NULL, 'l' },
		{ "system", no_argument, NULL, 's' },
		{ "threads", no_argument, NULL, 'T' },
		{ "t", optional_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct insp_err err = INSP_ERR_INIT;
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->report.format = ui_find_format("text"); /* -group's report (NULL crashed it) */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
		case 'W':
			if (mdl_filter_add(&o->report.filter, c == 'W', optarg, s->plugins, &err) <
			    0)
				return fprintf(s->out, "%s\n", err.msg), -1;
			break;
		case 'g':
			o->grouped = true;
			if (ui_parse_group(optarg, &o->report.by, &o->report.label) < 0)
				return fprintf(s->out,
					       "-group takes reason, stack, func, creator or "
					       "label=KEY\n"),
				       -1;
			break;
		case 'l':
			/* strtoul takes a sign and saturates: digits only, in range */
			errno = 0;
			o->report.limit = strtoul(optarg, &end, 10);
			if (!isdigit((unsigned char)optarg[0]) || *end || errno || !o->report.limit)
				return fprintf(s->out, "-limit takes a count from 1 up, not '%s'\n",
					       optarg),
				       -1;
			break;
		case 's':
			o->report.filter.system = true;
			break;
		case 'T':
			o->report.threads = true;
			break;
		case 't':
			/* Delve's -t [N]: the depth may be the next word. */
			if (!optarg && optind < argc && argv[optind][0] >= '0' &&
			    argv[optind][0] <= '9')
				optarg = argv[optind++];
			if (ui_parse_frames(optarg, &o->report.stacks) < 0)
				return fprintf(s->out, "-t takes a number of frames\n"), -1;
			break;
		default:
			return fprintf(s->out, "unknown option '%s'; usage: %s\n", argv[optind - 1],
				       ui_cmd_tasks.usage),
			       -1;
		}
	}
	if (optind < argc)
		return fprintf(s->out, "usage: %s\n", ui_cmd_tasks.usage), -1;
	if (o->report.threads && !o->grouped)
		return fprintf(s->out, "-threads goes with -group ('threads' lists the threads)\n"),
		       -1;
	return 0;
}

static int
cmp_ids(const void *a, const void *b)
{
	uint64_t x = (*(const struct insp_task *const *)a)->id;
	uint64_t y = (*(const struct insp_task *const *)b)->id;

	return (x > y) - (x < y);
}

static void
print_task(FILE *out, const struct insp_task *t, unsigned stacks)
{
	const struct insp_loc *f = mdl_task_frame(t);

	fprintf(out, "  %8" PRIu64 "  %-24s  %s %s:%u", t->id, ui_line(mdl_task_key(t)),
		f->func ? ui_line(f->func) : "?", f->file ? ui_line(ui_basename(f->file)) : "?",
		f->line);
	if (t->tid)
		fprintf(out, "  (thread %d)", (int)t->tid);
	fputc('\n', out);
	if (stacks && (t->nlabels || t->labels_cut)) {
		fputs("              labels: ", out);
		ui_print_labels(out, t);
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < t->nframes && i < stacks && !ui_interrupted; i++)
		fprintf(out, "              %s  %s:%u%s\n",
			t->frames[i].loc.func ? ui_line(t->frames[i].loc.func) : "?",
			t->frames[i].loc.file ? ui_line(ui_basename(t->frames[i].loc.file)) : "?",
			t->frames[i].loc.line, t->frames[i].inlined ? "  (inlined)" : "");
}

static int
run_tasks(struct ui_session *s, int argc, char **argv)
{
	struct mdl_snapshot *snap = s->snap;
	struct insp_err err = INSP_ERR_INIT;
	struct tasks_opts o;
	struct insp_task **shown;
	size_t n = 0, limit;

	if (parse(s, argc, argv, &o) < 0)
		return -1;
	/* The dump's report, as `dump` prints it: threads only when asked. */
	if (o.grouped) {
		if (ui_dump_report(s->out, snap, &o.report, false, &err) < 0)
			return fprintf(s->out, "%s\n", ui_line(err.msg)), -1;
		return 0;
	}
	limit = o.report.limit;
	shown = malloc((snap->ntasks + 1) * sizeof(*shown));
	if (!shown)
		return fprintf(s->out, "out of memory\n"), -1;
	for (size_t i = 0; i < snap->ntasks; i++)
		if (mdl_filter_match(&o.report.filter, snap, snap->tasks[i]))
			shown[n++] = snap->tasks[i];
	qsort(shown, n, sizeof(*shown), cmp_ids);
	for (size_t i = 0; i < n && !ui_interrupted; i++) {
		if (limit && i == limit) {
			fprintf(s->out, "  ... %zu more (-limit %zu)\n", n - i, limit);
			break;
		}
		print_task(s->out, shown[i], o.report.stacks);
	}
	fprintf(s->out, "[%zu goroutines]\n", n);
	free(shown);
	return 0;
}

static const char *const options[] = { "-with", "-without", "-group",   "-limit",
				       "-t",    "-system",  "-threads", NULL };

const struct ui_cmd ui_cmd_tasks = {
	.name = "tasks",
	.options = options,
	.alias = "goroutines",
	.usage = "tasks [-with COND]... [-without COND]... "
		 "[-group reason|stack|func|creator|label=KEY] "
		 "[-limit N] [-t [N]] [-system] [-threads]",
	.summary = "list the goroutines, or group them",
	.help = "COND, as dump's --with takes it ('dump --help' lists the reason names):\n"
		"  reason=NAME     a short name (chan-send), or the runtime's words as the report\n"
		"                  prints them: reason=\"chan send\" or reason='chan send'\n"
		"  reason='\"TEXT\"' those words exactly (not \"chan send (leaked)\")\n"
		"  reason=A,B      any of them (reason=mutex,select); func= takes a list too\n"
		"  label:KEY       has the pprof label KEY; label:KEY=V[,V]: its value is V\n"
		"  func=SUBSTRING, running, leaked, user\n"
		"-t [N] shows N frames of each (default 100).\n"
		"-group prints the dump's report; -threads adds the OS threads to it.\n"
		"-limit N lists N goroutines at most, the lowest ids; with -group, the N\n"
		"biggest groups, and a line says how many groups and goroutines are left out.",
	.min_args = 0,
	.max_args = -1,
	.run = run_tasks,
};
