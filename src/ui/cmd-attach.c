/* `inspect attach PID`: capture the process and keep it stopped for a REPL session
 * (commands from the terminal, from -x FILE, from --batch 'cmd; cmd', or piped
 * in), then detach: after detach or quit, at the end of the commands, and on
 * SIGTERM or SIGHUP.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "target/target.h"

/* Frames kept per goroutine for bt. */
#define ATTACH_FRAMES 1000

static void
usage(FILE *out)
{
	fputs("usage: inspect attach [-x FILE] [--batch 'CMD; CMD...'] <pid>\n"
	      "\n"
	      "Stop a running Go process and look around: tasks, task N, bt, frame N,\n"
	      "threads, info, dump, help. The process stays stopped until detach or quit\n"
	      "(or Ctrl-D, the end of the commands, SIGTERM, SIGHUP).\n"
	      "\n"
	      "  -x FILE           run the commands in FILE, echoed after the prompt, and detach\n"
	      "  --batch 'CMDS'    the same for commands separated by ';'\n"
	      "  -h, --help        this help\n",
	      out);
}

/* --batch: each command on its own, as if typed. */
static void
run_batch(struct ui_session *s, char *cmds)
{
	char *save = NULL;

	for (char *c = strtok_r(cmds, ";", &save); c && !s->done && !tgt_signals_pending();
	     c = strtok_r(NULL, ";", &save)) {
		c += strspn(c, " \t");
		fprintf(s->out, "(inspect) %s\n", c);
		ui_cmd_run_line(s, c);
	}
}

static int
run_attach(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rt_plugin_set plugins;
	struct mdl_snapshot snap = MDL_SNAPSHOT_INIT;
	struct insp_err err = INSP_ERR_INIT;
	struct ui_session s = {
		.snap = &snap, .plugins = &plugins, .out = stdout, .print = MDL_PRINT_DEFAULTS
	};
	const char *script = NULL, *version;
	char count[32];
	char *batch = NULL;
	FILE *in = stdin;
	pid_t pid;
	int c, status;

	status = ui_load_plugins(&plugins);
	if (status)
		return status;
	optind = 0;
	while ((c = getopt_long(argc, argv, "hx:", longopts, NULL)) != -1) {
		switch (c) {
		case 'x':
			script = optarg;
			break;
		case 'b':
			batch = optarg;
			break;
		case 'h':
			usage(stdout);
			goto out;
		default:
			fputs("inspect: see 'inspect attach --help'\n", stderr);
			status = ui_exit_status(INSP_E_USAGE);
			goto out;
		}
	}
	if (optind != argc - 1 || ui_parse_pid(argv[optind], &pid) < 0) {
		fprintf(stderr, "inspect: %s\nusage: inspect attach [options] <pid>\n",
			optind == argc ? "no pid given" : "expected one process id");
		status = ui_exit_status(INSP_E_USAGE);
		goto out;
	}
	if (script && !(in = fopen(script, "r"))) {
		perror(script);
		status = ui_exit_status(INSP_E_USAGE);
		goto out;
	}
	snap.max_frames = ATTACH_FRAMES;
	snap.threads_wanted = true;
	snap.keep_stopped = true;
	if (mdl_snapshot_capture(&snap, pid, &plugins, &err) < 0) {
		status = ui_error(&err);
		if (err.code == INSP_E_INTR)
			status = 128 + tgt_signals_pending();
		goto out;
	}
	version = mdl_info(&snap, "go_version");
	/* pid may have named one of its threads: `info` shows the note. */
	fprintf(stdout,
		"attached to process %d (%s, %s): %s goroutines, %zu threads; it stays stopped "
		"until detach\n",
		(int)snap.pid, snap.exe, version ? version : "?",
		ui_count(snap.ntasks, count, sizeof(count)), snap.nthreads);
	if (batch)
		run_batch(&s, batch);
	else
		status = ui_repl(&s, in, !script && isatty(fileno(stdin)));
	if (tgt_signals_pending())
		status = 128 + tgt_signals_pending();
	if (mdl_snapshot_detach(&snap, &err) < 0)
		status = ui_error(&err);
	else
		fprintf(stdout, "detached from process %d after %.1f s\n", (int)snap.pid,
			snap.pause_ms / 1000);
out:
	if (in && in != stdin)
		fclose(in);
	mdl_snapshot_release(&snap);
	rt_plugins_unload(&plugins);
	return status;
}

const struct ui_cli_cmd ui_cli_attach = {
	.name = "attach",
	.summary = "stop the process and look around in a REPL until detach",
	.run = run_attach,
};
