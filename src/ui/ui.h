/* The ui layer: the command line, the report formatters, and how errors become
 * messages and exit statuses. The only layer that prints or exits.
 * SPDX-License-Identifier: MIT */
#ifndef UI_UI_H
#define UI_UI_H

#include <signal.h>
#include <stdio.h>

#include "inspect/err.h"
#include "model/model.h"

/* inspect's version: `inspect --version`, and inspect_version in JSON. */
#define INSPECT_VERSION "0.1.0"

/* A subcommand of the CLI, git-style: main.c looks it up in its table. */
struct ui_cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* returns the exit status */
};

extern const struct ui_cli_cmd ui_cli_attach;
extern const struct ui_cli_cmd ui_cli_dump;
extern const struct ui_cli_cmd ui_cli_plugins;
extern const struct ui_cli_cmd ui_cli_diff;
extern const struct ui_cli_cmd ui_cli_watch;

/* in-capture.c: read the capture file path (what inspect dump wrote: JSON, or
 * a goroutine profile, inspect's or the Go runtime's) into s, an empty snapshot
 * (MDL_SNAPSHOT_INIT), as a loaded snapshot (model.h loaded.c). plugin (may be
 * NULL) tells a profile's tasks their frame shown (insp_plugin.frame_shown).
 * *runtime_profile: the file is a profile without inspect's labels (the
 * runtime's own): no wait reasons, no creators. -1 with err: INSP_E_SYS when it
 * cannot be read, INSP_E_USAGE when it is not a capture: neither JSON nor a
 * profile by its first bytes (told before reading on), past UI_CAPTURE_MAX, not
 * JSON, no "goroutines" array, a schema_version this inspect does not know, not
 * a goroutine profile, a corrupt one. The message names the file. */
/* The largest capture file read: twice the ~60 MB of 30,000 goroutines with
 * their stacks; json-c's tree of a document is ~7.5 times its bytes, so a side
 * of diff stays under ~1 GiB. */
#define UI_CAPTURE_MAX (128L << 20)
/* -1 with INSP_E_USAGE: path is past UI_CAPTURE_MAX, and how to take a smaller. */
int ui_capture_too_large(const char *path, struct insp_err *err);
int ui_load_capture(const char *path, const struct insp_plugin *plugin, struct mdl_snapshot *s,
		    bool *runtime_profile, struct insp_err *err);
/* in-pprof.c: the same from the len bytes of data, a profile.proto of sample
 * type goroutine/count, gzipped (inflated up to 256 MiB) or not. */
int ui_load_pprof(const char *path, const unsigned char *data, size_t len,
		  const struct insp_plugin *plugin, struct mdl_snapshot *s, bool *runtime_profile,
		  struct insp_err *err);
/* in-json.c: the same from a JSON capture: the nhead bytes of head, then what
 * rest (may be NULL) holds to its end, streamed (a broken document is refused
 * at its first bad byte; past UI_CAPTURE_MAX in all, refused; a field of a
 * wrong type, refused naming it); path only names it in messages. plugin (may
 * be NULL) gives the runtime's words (insp_plugin.loaded_words) to captures
 * written before they were saved (wait_words). */
int ui_load_json(const char *path, const char *head, size_t nhead, FILE *rest,
		 const struct insp_plugin *plugin, struct mdl_snapshot *s, struct insp_err *err);

/* The REPL of `inspect attach`: a session on one snapshot, the process stopped. */
struct ui_session {
	struct mdl_snapshot *snap;
	const struct rt_plugin_set *plugins;
	const struct insp_task *task;    /* selected by task N (or by thread TID) */
	const struct mdl_thread *thread; /* selected by thread TID */
	uint32_t frame;                  /* selected frame of the selection's stack */
	struct insp_print_opts print;    /* limits of print, locals, args (config) */
	bool done;                       /* detach or quit */
	unsigned failed;                 /* commands that failed (a script exits 2) */
	FILE *out;
};

#define UI_PROMPT "(inspect) "
/* Exit status of a session without a terminal in which a command failed. */
#define UI_EXIT_CMD_FAILED 2

enum ui_needs {
	UI_NEEDS_NOTHING,
	UI_NEEDS_TASK, /* a task or a thread selected: "no task selected: use 'task N' first" */
};

/* A REPL command (tmux's cmd_entry). src/ui/cmd.c lists them. */
struct ui_cmd {
	const char *name;
	const char *alias;
	const char *usage;
	const char *summary;
	const char *help;           /* more lines for `help CMD`, or NULL */
	const char *const *options; /* for completion, or NULL */
	enum ui_needs needs;
	int min_args, max_args; /* words after the name; max -1: any */
	bool raw;               /* argv[1] is the rest of the line, as typed */
	/* argv[0] is the name; returns 0, or -1 after printing a one-line message. */
	int (*run)(struct ui_session *s, int argc, char **argv);
};

/* cmd.c */
extern const struct ui_cmd *const ui_cmds[];
extern const struct ui_cmd ui_cmd_tasks, ui_cmd_task, ui_cmd_threads, ui_cmd_thread, ui_cmd_bt,
	ui_cmd_frame, ui_cmd_up, ui_cmd_down, ui_cmd_info, ui_cmd_dump, ui_cmd_print, ui_cmd_locals,
	ui_cmd_args, ui_cmd_config, ui_cmd_help, ui_cmd_detach, ui_cmd_quit;
/* By alias, exact name or unique prefix; NULL with a message in err. */
const struct ui_cmd *ui_cmd_find(const char *name, struct insp_err *err);
/* Split line into words (quotes group, backslash escapes), run the command. */
int ui_cmd_run_line(struct ui_session *s, const char *line);
/* Set by SIGINT during a command: long listings stop and return to the prompt. */
extern volatile sig_atomic_t ui_interrupted;
/* The stack the session shows: the selected task's, or the selected thread's. */
const struct insp_frame *ui_session_frames(const struct ui_session *s, uint32_t *n);
/* cmd-print.c: the variables of frame i of the selection's stack, one per line
 * with indent, args or locals or both; 0, or -1 after printing why. */
int ui_print_frame_vars(struct ui_session *s, uint32_t i, bool args, bool locals,
			const char *indent);
/* Print one frame line, '>' marking the selected one. */
void ui_print_frame(FILE *out, uint32_t i, const struct insp_frame *f, bool selected, int width);

/* script.c: commands that do not come from a terminal. */
#define UI_LINE_MAX   16384     /* bytes in a command line */
#define UI_SCRIPT_MAX (1 << 20) /* bytes in a -x FILE */
enum { UI_LINE_END = -1, UI_LINE_LONG = -2, UI_LINE_NUL = -3 };
/* A line of in, without its newline (or CR LF), into buf (size bytes, with the
 * NUL): its length, or UI_LINE_END at the end of in, UI_LINE_LONG past size - 1
 * bytes, UI_LINE_NUL at a NUL byte (not text). Retries a read a signal cut short
 * unless a guarded signal is pending (tgt_signals_pending): then UI_LINE_END. */
int ui_script_line(FILE *in, char *buf, size_t size);
/* Read the commands of -x FILE, before the process is stopped: *text (malloc'd,
 * NUL-terminated), or -1 with INSP_E_USAGE when it cannot be read, is larger than
 * UI_SCRIPT_MAX, has a line longer than UI_LINE_MAX or a NUL byte. */
int ui_script_load(const char *path, char **text, struct insp_err *err);
/* Run each command of cmds, echoed after the prompt: one a line (sep '\n'), or
 * separated by sep (--batch's ';') where it is outside quotes ('', "", ``) and not
 * escaped by a backslash. Stops at detach, quit or a guarded signal. Writes cmds. */
void ui_script_run(struct ui_session *s, char *cmds, char sep);

/* repl.c: read commands from the terminal (readline) or from in, until EOF,
 * detach or quit, or SIGTERM/SIGHUP (and SIGINT when not a terminal: on one, it
 * stops a listing or clears the line). Not a terminal: each command is echoed after
 * the prompt. Returns 0; 128+signal; 64 after a line it refused (too long, not
 * text), which ends the session. */
int ui_repl(struct ui_session *s, FILE *in, bool tty);

/* streams.c: make stdout and stderr escape what they print (control characters
 * and invalid UTF-8 as \xNN: util/esc.h), first thing in main. ui_terminal and
 * ui_terminal_err are the stdout and stderr that were, for readline's own terminal
 * control; NULL before. */
void ui_streams_escape(void);
extern FILE *ui_terminal, *ui_terminal_err;

/* common.c */
/* Print "inspect: MSG" on stderr; return the exit status for err. */
int ui_error(const struct insp_err *err);
/* Exit status of an error code, from the INSP_ERRORS table. */
int ui_exit_status(enum insp_errcode code);
/* n with thousands separators ("17,500") into buf. */
const char *ui_count(size_t n, char *buf, size_t size);
/* Where the plugin's facts came from ("symbols: pclntab; layout: table
 * go1.22.12; ...") into buf, or NULL when they all came from DWARF and symbols. */
const char *ui_sources(const struct mdl_snapshot *s, char *buf, size_t size);
/* The keys of those facts, for JSON; ends with NULL. */
extern const char *const ui_source_keys[];
/* s for one line of text output: s itself, or, when s holds a newline or tab
 * (names, paths and labels are the target's bytes: a newline in them would
 * forge report lines), a copy with those as the text \n or \t; the stream
 * escapes the rest (JSON escapes by itself: it takes the bytes as they are).
 * The copy lives until UI_LINE_SLOTS more calls, enough for the fields of one
 * printf; NULL stays NULL; "?" if memory runs out. */
#define UI_LINE_SLOTS 16
const char *ui_line(const char *s);
/* ui_line(s) written to out. */
void ui_put_oneline(FILE *out, const char *s);
/* A task's labels, "k=v, k=v", on one line ("..." after them when cut). */
void ui_print_labels(FILE *out, const struct insp_task *t);
/* A wait of ns (>= 0) as the report shows it, rounded down as the runtime's
 * traceback does: "N s" under a minute, else "N min". */
const char *ui_wait(int64_t ns, char *buf, size_t size);
/* A site's waits: "", "?" (none known), "12 min", "3-12 min", "40 s-12 min",
 * "?-12 min" ("?": some began after the last GC, which stamps waits). */
const char *ui_site_waits(const struct mdl_site *site, char *buf, size_t size);
/* How long a process has run: "N s", "N min", "N h M min", "N d H h". */
const char *ui_uptime(int64_t ns, char *buf, size_t size);
/* Unix ns as RFC 3339 in UTC with milliseconds ("2026-11-30T01:45:31.123Z"). */
const char *ui_rfc3339(int64_t unix_ns, char *buf, size_t size);
/* The last part of a path. */
const char *ui_basename(const char *path);
/* Load the plugins, or print why not and return an exit status > 0. */
int ui_load_plugins(struct rt_plugin_set *set);
/* A process id: 0, or -1 if s is not one. */
int ui_parse_pid(const char *s, pid_t *pid);
/* out-json.c: s as a JSON string, escaped as the text report escapes it
 * (util/esc.h: control characters and bytes that are not UTF-8 as \xNN);
 * NULL when memory runs out. */
struct json_object *ui_json_str(const char *s);
/* common.c: s as printed (ui_line, then the escaping of the streams), and its
 * length in bytes: what a column's width is measured on. */
size_t ui_shown_len(const char *s);
/* s, then blanks up to width bytes of it as printed. */
void ui_put_padded(FILE *out, const char *s, int width);
/* After getopt_long (opterr 0, optstring starting with ':') returned c, '?' or
 * ':': -1 with INSP_E_USAGE naming the option it refused, or the one whose
 * argument is missing ("option '--top' needs an argument"). */
int ui_option_error(int c, char **argv, struct insp_err *err);
/* Where loc is, for text: "main.go:80" (the file's last part), the file without a
 * line, the pc in hex, or "?" (loc NULL or unknown); into buf. */
void ui_where(const struct insp_loc *loc, char *buf, size_t size);

/* cmd-dump.c: the dump's options and report, shared by `inspect dump` and the
 * REPL's `dump`. */
#define UI_DEFAULT_STACKS 100 /* frames shown and kept unless --stacks=N */
#define UI_DEFAULT_TOP    20  /* openmetrics' frame buckets unless --top N */

struct ui_dump_opts;

/* One --format of dump: its name; whether it shows every goroutine's frames
 * (then the capture walks every stack); its writer, which returns 0 or -1 with
 * err set (a write error of out is the caller's to find, by ferror). */
struct ui_format {
	const char *name;
	bool frames;
	int (*write)(FILE *out, struct mdl_snapshot *s, const struct ui_dump_opts *o,
		     const struct mdl_grouping *g, struct insp_err *err);
	/* Frames the capture keeps beyond --stacks=N, for a format that hides
	 * some and counts only those it shows (traceback). */
	uint32_t hidden;
};
/* The format called name, or NULL. */
const struct ui_format *ui_find_format(const char *name);

struct ui_dump_opts {
	struct mdl_filter filter;
	enum mdl_group_by by;
	const char *label; /* --group label=KEY: the key, in argv */
	unsigned stacks; /* frames to show under each site; 0: none */
	const struct ui_format *format; /* --format; text by default */
	bool threads, help;
	bool locals; /* the variables of each site's example, read while stopped */
	size_t limit; /* groups shown at most, biggest first (tasks -group -limit); 0: all */
	size_t top;   /* --top: openmetrics' frame buckets at most (UI_DEFAULT_TOP) */
	char **args; /* what follows the options */
	int nargs;
};

/* Empty options: every goroutine but the runtime's, grouped by reason, as text. */
void ui_dump_opts_init(struct ui_dump_opts *o);
/* Parse the options of dump (argv[0] is the command's name). */
int ui_dump_parse(int argc, char **argv, const struct rt_plugin_set *plugins,
		  struct ui_dump_opts *o, struct insp_err *err);
/* Frames to keep per goroutine for such a report. */
uint32_t ui_dump_frames(const struct ui_dump_opts *o);
/* detach: let a process kept stopped for --locals go before the report is written. */
int ui_dump_report(FILE *out, struct mdl_snapshot *s, const struct ui_dump_opts *o, bool detach,
		   struct insp_err *err);
/* "reason", "stack", "func", "creator" or "label=KEY" (*label: KEY, in s): 0,
 * or -1. */
int ui_parse_group(const char *s, enum mdl_group_by *by, const char **label);
/* ui_parse_group for an option's argument: 0, or -1 with INSP_E_USAGE naming the
 * groupings. */
int ui_group_arg(const char *s, enum mdl_group_by *by, const char **label, struct insp_err *err);
/* "--stacks", "-t": NULL is the default, else 1 to a million frames. */
int ui_parse_frames(const char *s, unsigned *n);

/* The report of a snapshot, shared by `inspect dump` and (later) the REPL's dump. */
/* out-text.c: stacks is the number of frames to show under each site (0: none);
 * limit the groups shown at most (0: all), a line says what the rest hold. */
int ui_report_text(FILE *out, struct mdl_snapshot *s, const struct mdl_grouping *g, unsigned stacks,
		   size_t limit);
/* out-json.c */
int ui_report_json(FILE *out, struct mdl_snapshot *s, const struct mdl_filter *f,
		   const struct mdl_grouping *g);
/* out-openmetrics.c: OpenMetrics text of the goroutines that pass f, counted by
 * reason whatever g's grouping (g is used when it is by reason), at most top
 * buckets of frames; 0, or -1 with err (out of memory). */
int ui_report_openmetrics(FILE *out, struct mdl_snapshot *s, const struct mdl_filter *f,
			  const struct mdl_grouping *g, size_t top, struct insp_err *err);
/* s as an OpenMetrics label value, without its quotes: control characters and
 * bytes that are no UTF-8 as the text \xNN (util/esc.h), then \, \" and \n
 * escaped as the spec says. */
void ui_om_put_label(FILE *out, const char *s);
/* out-pprof.c: a gzipped profile.proto of the goroutines that pass o's filter,
 * goroutine/count, one sample per stack and label set; INSP_E_USAGE when out is
 * a terminal. */
int ui_write_pprof(FILE *out, struct mdl_snapshot *s, const struct ui_dump_opts *o,
		   const struct mdl_grouping *g, struct insp_err *err);
/* A binary format (pprof) to a terminal: -1 with INSP_E_USAGE, before anything
 * is captured; else 0. */
int ui_format_refused(const struct ui_format *f, FILE *out, struct insp_err *err);
/* out-traceback.c: the tasks that pass f as their runtime writes them (the
 * plugin's traceback hook: Go's debug=2 and SIGQUIT text, every frame with
 * f->system), max frames shown of each stack (as the runtime counts them; 0:
 * all kept); then inspect's own lines. 0, or -1 with err: INSP_E_USAGE when
 * the snapshot's plugin has no such text (naming it), or the hook's error. */
int ui_report_traceback(FILE *out, struct mdl_snapshot *s, const struct mdl_filter *f, uint32_t max,
			struct insp_err *err);

#endif
