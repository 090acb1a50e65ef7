/* `inspect attach PID`: capture the process and keep it stopped for a REPL session
 * (commands from the terminal, from -x FILE, from --batch 'cmd; cmd', or piped
 * in), then detach: after detach or quit, at the end of the commands, and on
 * SIGTERM or SIGHUP.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/target.h"

/* Frames kept per goroutine for bt. */
#define ATTACH_FRAMES 1000

static void
usage(FILE *out)
{
	fputs("usage: inspect attach [-x FILE | --batch 'CMD; CMD...'] <pid>\n"
	      "\n"
	      "Stop a running Go process and look around: tasks, task N, bt, frame N,\n"
	      "threads, info, dump, help. The process stays stopped until detach or quit\n"
	      "(or Ctrl-D, the end of the commands, SIGTERM, SIGHUP; SIGINT too when not\n"
	      "on a terminal).\n"
	      "\n"
	      "  -x FILE           run the commands in FILE (read before the process is\n"
	      "                    stopped: at most 1 MiB, lines of at most 16 KiB),\n"
	      "                    echoed after the prompt, and detach\n"
	      "  --batch 'CMDS'    the same for commands separated by ';' (not inside quotes)\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 detached; 2 a command failed in a session without a terminal\n"
	      "(-x, --batch, piped: the others still ran, and it detached); 8 the process\n"
	      "exited while attached; 64 bad usage, or a command line refused (longer than\n"
	      "16 KiB, or not text); 128+N inspect got signal N (it detached first); the\n"
	      "attach's own failures as for 'inspect dump' (3 to 9, 1).\n",
	      out);
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
	char *batch = NULL, *commands = NULL;
	bool tty = false;
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
	if (script && batch) {
		fputs("inspect: -x and --batch: one or the other\n", stderr);
		status = ui_exit_status(INSP_E_USAGE);
		goto out;
	}
	/* Read before the stop: an endless or huge file must not hold the process. */
	if (script && ui_script_load(script, &commands, &err) < 0) {
		status = ui_error(&err);
		goto out;
	}
	if (batch && !batch[strspn(batch, " \t;")]) {
		fputs("inspect: --batch has no command\n", stderr);
		status = ui_exit_status(INSP_E_USAGE);
		goto out;
	}
	if (batch && !(commands = strdup(batch))) {
		status = 1;
		goto out;
	}
	tty = !commands && isatty(fileno(stdin));
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
		(int)snap.pid, ui_line(snap.exe), version ? ui_line(version) : "?",
		ui_count(snap.ntasks, count, sizeof(count)), snap.nthreads);
	fflush(stdout); /* a script waits for it on a pipe before it sends a command */
	if (commands)
		ui_script_run(&s, commands, batch ? ';' : '\n');
	else
		status = ui_repl(&s, stdin, tty);
	if (tgt_signals_pending())
		status = 128 + tgt_signals_pending();
	else if (!status && s.failed && !tty)
		status = UI_EXIT_CMD_FAILED;
	/* Exited while held: 8, whatever else happened (it could not be detached). */
	if (mdl_snapshot_detach(&snap, &err) < 0)
		status = ui_error(&err);
	else
		fprintf(stdout, "detached from process %d after %.1f s\n", (int)snap.pid,
			snap.pause_ms / 1000);
out:
	free(commands);
	mdl_snapshot_release(&snap);
	rt_plugins_unload(&plugins);
	return status;
}

const struct ui_cli_cmd ui_cli_attach = {
	.name = "attach",
	.summary = "stop the process and look around in a REPL until detach",
	.run = run_attach,
};
