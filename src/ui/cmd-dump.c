/* `inspect dump PID`: attach, capture, detach, then report, for runbooks. Options
 * are parsed and checked before the process is touched.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "target/target.h"

static void
usage(FILE *out, const struct rt_plugin_set *plugins)
{
	fputs("usage: inspect dump [options] <pid>\n"
	      "\n"
	      "Attach to a running Go process, copy its goroutines while it is paused (a few\n"
	      "ms), let it go, and print them grouped by why they wait.\n"
	      "\n"
	      "  --with COND       keep goroutines for which COND holds (repeatable: all must "
	      "hold)\n"
	      "  --without COND    drop goroutines for which COND holds (repeatable)\n"
	      "  --format FMT      text (default); json; openmetrics (gauges for\n"
	      "                    node_exporter's textfile collector: README); pprof (a\n"
	      "                    gzipped goroutine profile for go tool pprof, one sample\n"
	      "                    per stack and label set: > goroutines.pb.gz); traceback\n"
	      "                    (the Go runtime's SIGQUIT text, debug=2: every\n"
	      "                    goroutine's stack, for pp)\n"
	      "  --group BY        reason (default), stack (identical stacks), func (the\n"
	      "                    function shown), creator (the go statement), or\n"
	      "                    label=KEY (a block per value of the pprof label KEY,\n"
	      "                    and one of the goroutines without it)\n"
	      "  --stacks[=N]      print each site's stack, N frames at most (default 100);\n"
	      "                    JSON has every goroutine's frames, N at most\n"
	      "  --locals          the arguments and locals of each site's example goroutine\n"
	      "                    (its user frame), read through DWARF before the process\n"
	      "                    goes on: the pause includes the decoding\n"
	      "  --top N           openmetrics: the N largest buckets of reason and frame\n"
	      "                    shown (default 20), the rest summed in one\n"
	      "  --system          include the runtime's own goroutines (GC workers, finalizers)\n"
	      "  --threads         every OS thread: name, state, goroutine, native stack\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Conditions:\n"
	      "  reason=NAME       waits for NAME, a short name below; it also matches what\n"
	      "                    the runtime adds: reason=select is \"select (durable)\" and\n"
	      "                    \"select (leaked)\" too\n"
	      "  reason=\"WORDS\"    the runtime's words as the report prints them (what the\n"
	      "                    shell's quotes leave: chan send), also with what the\n"
	      "                    runtime adds, as a name: \"chan receive (leaked)\" too\n"
	      "  reason='\"TEXT\"'   waits for the runtime's exact reason string TEXT, in quotes,\n"
	      "                    as shown (\"sleep (durable)\"), with or without its\n"
	      "                    \", synctest bubble N\"\n"
	      "  reason=A,B        any of them (reason=mutex,select); a comma followed by a\n"
	      "                    blank is part of the words\n"
	      "  func=SUBSTRING    its innermost user frame's function contains SUBSTRING\n"
	      "                    (func=A,B: any of them)\n"
	      "  label:KEY         has the pprof label KEY (runtime/pprof.Do)\n"
	      "  label:KEY=V       its label KEY is V, exactly (label:KEY=A,B: any of them)\n"
	      "  running           runs on an OS thread now\n"
	      "  leaked            the runtime found it can never wake (Go 1.26 built with\n"
	      "                    GOEXPERIMENT=goroutineleakprofile, after the goroutineleak\n"
	      "                    profile ran); the same as reason=leaked\n"
	      "\n"
	      "Reason names:\n",
	      out);
	for (size_t i = 0; plugins && i < plugins->n; i++)
		for (const struct insp_reason_name *r = plugins->plugins[i]->reasons; r && r->name;
		     r++)
			fprintf(out, "  %-17s %s\n", r->name, r->help);
	fputs("\nExit status: 0 report printed; 3 no such process; 4 permission denied;\n"
	      "5 already traced; 6 not a Go program; 7 unsupported Go version or layout;\n"
	      "8 process exited while attached; 9 unreadable target memory; 64 bad usage;\n"
	      "128+N inspect got signal N (the process was detached first); 1 other errors.\n",
	      out);
}

static int
write_text(FILE *out, struct mdl_snapshot *s, const struct ui_dump_opts *o,
	   const struct mdl_grouping *g, struct insp_err *err)
{
	(void)err;
	return ui_report_text(out, s, g,
			      o->stacks || o->by != MDL_GROUP_STACK ? o->stacks : UI_DEFAULT_STACKS,
			      o->limit);
}

static int
write_json(FILE *out, struct mdl_snapshot *s, const struct ui_dump_opts *o,
	   const struct mdl_grouping *g, struct insp_err *err)
{
	(void)err;
	return ui_report_json(out, s, &o->filter, g);
}

static int
write_openmetrics(FILE *out, struct mdl_snapshot *s, const struct ui_dump_opts *o,
		  const struct mdl_grouping *g, struct insp_err *err)
{
	return ui_report_openmetrics(out, s, &o->filter, g, o->top, err);
}

static int
write_traceback(FILE *out, struct mdl_snapshot *s, const struct ui_dump_opts *o,
		const struct mdl_grouping *g, struct insp_err *err)
{
	(void)g;
	return ui_report_traceback(out, s, &o->filter, o->stacks, err);
}

/* --format's table: one line per format, the first the default. */
static const struct ui_format formats[] = {
	{ "text", false, write_text, 0 },
	{ "json", true, write_json, 0 },
	{ "openmetrics", false, write_openmetrics, 0 },
	{ "pprof", true, ui_write_pprof, 0 },
	/* the runtime hides its own frames and wrappers: a parked goroutine's
	 * first few (gopark, chansend...), goexit last, one per method value */
	{ "traceback", true, write_traceback, 32 },
};

const struct ui_format *
ui_find_format(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

/* "text, json, ...": for the error of an unknown format. */
static const char *
format_names(void)
{
	static char names[256];
	size_t len = 0;

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]) && len < sizeof(names); i++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
					formats[i].name);
	return names;
}

void
ui_dump_opts_init(struct ui_dump_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = &formats[0];
	o->top = UI_DEFAULT_TOP;
}

int
ui_parse_group(const char *s, enum mdl_group_by *by, const char **label)
{
	if (strncmp(s, "label=", 6) == 0 && s[6]) {
		*by = MDL_GROUP_LABEL;
		*label = s + 6;
	} else if (strcmp(s, "reason") == 0)
		*by = MDL_GROUP_REASON;
	else if (strcmp(s, "stack") == 0)
		*by = MDL_GROUP_STACK;
	else if (strcmp(s, "func") == 0)
		*by = MDL_GROUP_FUNC;
	else if (strcmp(s, "creator") == 0)
		*by = MDL_GROUP_CREATOR;
	else
		return -1;
	return 0;
}

int
ui_group_arg(const char *s, enum mdl_group_by *by, const char **label, struct insp_err *err)
{
	if (ui_parse_group(s, by, label) < 0)
		return insp_err_set(
			err, INSP_E_USAGE,
			"unknown grouping '%s' (reason, stack, func, creator or label=KEY)", s);
	return 0;
}

int
ui_parse_frames(const char *s, unsigned *n)
{
	char *end;
	long v;

	if (!s) {
		*n = UI_DEFAULT_STACKS;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (!*s || *end || v < 1 || v > 1000000)
		return -1;
	*n = (unsigned)v;
	return 0;
}

int
ui_dump_parse(int argc, char **argv, const struct rt_plugin_set *plugins, struct ui_dump_opts *o,
	      struct insp_err *err)
{
	static const struct option longopts[] = {
		{ "with", required_argument, NULL, 'w' },
		{ "without", required_argument, NULL, 'W' },
		{ "format", required_argument, NULL, 'f' },
		{ "system", no_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "threads", no_argument, NULL, 't' },
		{ "stacks", optional_argument, NULL, 'S' },
		{ "locals", no_argument, NULL, 'l' },
		{ "top", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned top;
	int c;

	ui_dump_opts_init(o);
	/* -with, as the REPL's tasks spells it: getopt would read -w -i -t -h */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		size_t len = strcspn(argv[i], "=");

		if (argv[i][0] != '-' || argv[i][1] == '-' || len < 3)
			continue;
		for (const struct option *lo = longopts; lo->name; lo++)
			if (strlen(lo->name) == len - 1 && strncmp(lo->name, argv[i] + 1, len - 1) == 0)
				return insp_err_set(err, INSP_E_USAGE,
						    "unknown option '%.*s': dump's options take two "
						    "dashes, --%s",
						    (int)len, argv[i], lo->name);
	}
	optind = 0;
	opterr = 0;
	/* ':' first: a missing argument is ':', not an unknown option named by
	 * the option's value ("unknown option '-T'" for a bare --top) */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
		case 'W':
			if (mdl_filter_add(&o->filter, c == 'W', optarg, plugins, err) < 0)
				return -1;
			break;
		case 'f':
			o->format = ui_find_format(optarg);
			if (!o->format)
				return insp_err_set(err, INSP_E_USAGE, "unknown format '%s' (%s)",
						    optarg, format_names());
			break;
		case 's':
			o->filter.system = true;
			break;
		case 't':
			o->threads = true;
			break;
		case 'g':
			if (ui_group_arg(optarg, &o->by, &o->label, err) < 0)
				return -1;
			break;
		case 'S':
			if (ui_parse_frames(optarg, &o->stacks) < 0)
				return insp_err_set(err, INSP_E_USAGE,
						    "--stacks takes a number of frames, not '%s'",
						    optarg);
			break;
		case 'l':
			o->locals = true;
			break;
		case 'T':
			if (ui_parse_frames(optarg, &top) < 0)
				return insp_err_set(err, INSP_E_USAGE,
						    "--top takes a number of buckets (1 or more), "
						    "not '%s'",
						    optarg);
			o->top = top;
			break;
		case 'h':
			o->help = true;
			break;
		default:
			return ui_option_error(c, argv, err);
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	return 0;
}

uint32_t
ui_dump_frames(const struct ui_dump_opts *o)
{
	/* Stacks cost a full walk of every goroutine, after the detach: only when
	 * something shows them. A format that hides frames keeps more, to show N
	 * and count what it cuts: as many as without --stacks at least. */
	if (o->format->hidden)
		return (o->stacks > UI_DEFAULT_STACKS ? o->stacks : UI_DEFAULT_STACKS) +
		       o->format->hidden;
	if (o->stacks || o->format->frames || o->by == MDL_GROUP_STACK || o->locals)
		return o->stacks ? o->stacks : UI_DEFAULT_STACKS;
	return 0;
}

int
ui_dump_report(FILE *out, struct mdl_snapshot *s, const struct ui_dump_opts *o, bool detach,
	       struct insp_err *err)
{
	/* shorter than print's: a report shows many frames' values */
	static const struct insp_print_opts print_opts = { .max_string = 64,
							   .max_elems = 10,
							   .max_depth = 2 };
	struct mdl_grouping groups;
	bool threads = s->threads_wanted;
	int ret;

	if ((o->by == MDL_GROUP_LABEL ? mdl_group_label(s, &o->filter, o->label, &groups, err)
				      : mdl_group(s, &o->filter, o->by, &groups, err)) < 0)
		return -1;
	/* --locals reads the process: while it is stopped, then it goes on before
	 * the report is written (a slow reader of stdout must not hold it). */
	if (o->locals && mdl_site_values(s, &groups, &print_opts, err) < 0)
		return -1;
	if (o->locals && detach && mdl_snapshot_detach(s, err) < 0)
		return -1;
	s->threads_wanted = o->threads; /* the report shows threads only when asked */
	ret = o->format->write(out, s, o, &groups, err);
	s->threads_wanted = threads;
	return ret;
}

static int
run_dump(int argc, char **argv)
{
	struct rt_plugin_set plugins;
	struct mdl_snapshot snap = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;
	struct ui_dump_opts o;
	pid_t pid;
	int status;

	status = ui_load_plugins(&plugins);
	if (status)
		return status;
	if (ui_dump_parse(argc, argv, &plugins, &o, &err) < 0) {
		status = ui_error(&err);
		goto out;
	}
	if (o.help) {
		usage(stdout, &plugins);
		goto out;
	}
	if (o.nargs != 1 || ui_parse_pid(o.args[0], &pid) < 0) {
		fprintf(stderr, "inspect: %s\nusage: inspect dump [options] <pid>\n",
			o.nargs == 0 ? "no pid given" : "expected one process id");
		status = ui_exit_status(INSP_E_USAGE);
		goto out;
	}
	if (ui_format_refused(o.format, stdout, &err) < 0) {
		status = ui_error(&err);
		goto out;
	}
	snap.max_frames = ui_dump_frames(&o);
	snap.threads_wanted = o.threads;
	snap.keep_stopped = o.locals;
	if (mdl_snapshot_capture(&snap, pid, &plugins, &err) < 0) {
		status = ui_error(&err);
		if (err.code == INSP_E_INTR)
			status = 128 + tgt_signals_pending();
		goto out;
	}
	if (ui_dump_report(stdout, &snap, &o, true, &err) < 0) {
		status = ui_error(&err);
		goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("inspect: cannot write the report");
		status = 1;
	}
out:
	mdl_snapshot_release(&snap);
	rt_plugins_unload(&plugins);
	return status;
}

/* The REPL's dump: the same report, of the snapshot taken at attach. */
static int
run_repl_dump(struct ui_session *s, int argc, char **argv)
{
	struct insp_err err = INSP_ERR_INIT;
	struct ui_dump_opts o;

	if (ui_dump_parse(argc, argv, s->plugins, &o, &err) < 0)
		return fprintf(s->out, "%s\n", err.msg), -1;
	if (o.help) {
		usage(s->out, s->plugins);
		return 0;
	}
	if (o.nargs)
		return fprintf(s->out, "usage: %s\n", ui_cmd_dump.usage), -1;
	if (ui_dump_report(s->out, s->snap, &o, false, &err) < 0)
		return fprintf(s->out, "%s\n", ui_line(err.msg)), -1;
	return 0;
}

static const char *const options[] = { "--with",   "--without", "--group",  "--stacks",
				       "--locals", "--threads", "--system", "--format",
				       "--top",    "--help",    NULL };

const struct ui_cmd ui_cmd_dump = {
	.name = "dump",
	.options = options,
	.usage = "dump [--with COND]... [--without COND]... [--group BY] [--stacks[=N]] "
		 "[--locals] [--threads] [--system] [--format "
		 "text|json|openmetrics|pprof|traceback] [--top N]",
	.summary = "the report of inspect dump, from this session's snapshot",
	.help = "'dump --help' lists the options and reason names.",
	.min_args = 0,
	.max_args = -1,
	.run = run_repl_dump,
};

const struct ui_cli_cmd ui_cli_dump = {
	.name = "dump",
	.summary = "attach, capture, detach, and print the goroutines grouped by wait reason",
	.run = run_dump,
};
