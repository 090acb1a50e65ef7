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
	      "  --with COND       keep goroutines for which COND holds (repeatable: all must hold)\n"
	      "  --without COND    drop goroutines for which COND holds (repeatable)\n"
	      "  --format FMT      text (default) or json\n"
	      "  --group BY        reason (default), stack (identical stacks) or func (the\n"
	      "                    function shown)\n"
	      "  --stacks[=N]      print each site's stack, N frames at most (default 100);\n"
	      "                    JSON has every goroutine's frames, N at most\n"
	      "  --system          include the runtime's own goroutines (GC workers, finalizers)\n"
	      "  --threads         every OS thread: name, state, goroutine, native stack\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Conditions:\n"
	      "  reason=NAME       waits for NAME, a short name below\n"
	      "  reason='\"TEXT\"'   waits for the runtime's exact reason string TEXT, in quotes\n"
	      "  func=SUBSTRING    its innermost user frame's function contains SUBSTRING\n"
	      "  running           runs on an OS thread now\n"
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
parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v <= 0 || v > 0x3fffffff)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

/* Frames of a stack shown and kept unless --stacks=N says otherwise. */
#define DEFAULT_STACKS 100

static int
parse_group(const char *s, enum mdl_group_by *by)
{
	if (strcmp(s, "reason") == 0)
		*by = MDL_GROUP_REASON;
	else if (strcmp(s, "stack") == 0)
		*by = MDL_GROUP_STACK;
	else if (strcmp(s, "func") == 0)
		*by = MDL_GROUP_FUNC;
	else
		return -1;
	return 0;
}

/* --stacks, --stacks=N: N frames, 1 to a million. */
static int
parse_count(const char *s, unsigned *n)
{
	char *end;
	long v;

	if (!s) {
		*n = DEFAULT_STACKS;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (!*s || *end || v < 1 || v > 1000000)
		return -1;
	*n = (unsigned)v;
	return 0;
}

static int
run_dump(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "with", required_argument, NULL, 'w' },
		{ "without", required_argument, NULL, 'W' },
		{ "format", required_argument, NULL, 'f' },
		{ "system", no_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "threads", no_argument, NULL, 't' },
		{ "stacks", optional_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rt_plugin_set plugins;
	struct mdl_snapshot snap = MDL_SNAPSHOT_INIT;
	struct mdl_filter filter = { .n = 0 };
	struct mdl_grouping groups;
	struct insp_err err = INSP_ERR_INIT;
	enum mdl_group_by by = MDL_GROUP_REASON;
	unsigned stacks = 0;
	bool json = false;
	pid_t pid;
	int c, status;

	status = ui_load_plugins(&plugins);
	if (status)
		return status;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
		case 'W':
			if (mdl_filter_add(&filter, c == 'W', optarg, &plugins, &err) < 0) {
				status = ui_error(&err);
				goto out;
			}
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "inspect: unknown format '%s' (text or json)\n",
					optarg);
				status = ui_exit_status(INSP_E_USAGE);
				goto out;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case 's':
			filter.system = true;
			break;
		case 't':
			snap.threads_wanted = true;
			break;
		case 'g':
			if (parse_group(optarg, &by) < 0) {
				fprintf(stderr,
					"inspect: unknown grouping '%s' (reason, stack or func)\n",
					optarg);
				status = ui_exit_status(INSP_E_USAGE);
				goto out;
			}
			break;
		case 'S':
			if (parse_count(optarg, &stacks) < 0) {
				fprintf(stderr, "inspect: --stacks takes a number of frames, not '%s'\n",
					optarg);
				status = ui_exit_status(INSP_E_USAGE);
				goto out;
			}
			break;
		case 'h':
			usage(stdout, &plugins);
			status = 0;
			goto out;
		default:
			fputs("inspect: see 'inspect dump --help'\n", stderr);
			status = ui_exit_status(INSP_E_USAGE);
			goto out;
		}
	}
	if (optind != argc - 1 || parse_pid(argv[optind], &pid) < 0) {
		fprintf(stderr, "inspect: %s\nusage: inspect dump [options] <pid>\n",
			optind == argc ? "no pid given" : "expected one process id");
		status = ui_exit_status(INSP_E_USAGE);
		goto out;
	}
	/* Stacks cost a full walk of every goroutine, after the detach: only when
	 * something shows them. */
	if (stacks || json || by == MDL_GROUP_STACK)
		snap.max_frames = stacks ? stacks : DEFAULT_STACKS;
	if (mdl_snapshot_capture(&snap, pid, &plugins, &err) < 0) {
		status = ui_error(&err);
		if (err.code == INSP_E_INTR)
			status = 128 + tgt_signals_pending();
		goto out;
	}
	if (mdl_group(&snap, &filter, by, &groups, &err) < 0) {
		status = ui_error(&err);
		goto out;
	}
	if (json)
		ui_report_json(stdout, &snap, &filter, &groups);
	else
		ui_report_text(stdout, &snap, &groups,
			       stacks || by != MDL_GROUP_STACK ? stacks : DEFAULT_STACKS);
	status = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("inspect: cannot write the report");
		status = 1;
	}
out:
	mdl_snapshot_release(&snap);
	rt_plugins_unload(&plugins);
	return status;
}

const struct ui_cli_cmd ui_cmd_dump = {
	.name = "dump",
	.summary = "attach, capture, detach, and print the goroutines grouped by wait reason",
	.run = run_dump,
};
