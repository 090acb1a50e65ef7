/* The ui layer: the command line, the report formatters, and how errors become
 * messages and exit statuses. The only layer that prints or exits.
 * SPDX-License-Identifier: MIT */
#ifndef UI_UI_H
#define UI_UI_H

#include <stdio.h>

#include "inspect/err.h"
#include "model/model.h"

/* A subcommand of the CLI, git-style: main.c looks it up in its table. */
struct ui_cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* returns the exit status */
};

extern const struct ui_cli_cmd ui_cmd_dump;
extern const struct ui_cli_cmd ui_cmd_plugins;

/* common.c */
/* Print "inspect: MSG" on stderr; return the exit status for err. */
int ui_error(const struct insp_err *err);
/* Exit status of an error code, from the INSP_ERRORS table. */
int ui_exit_status(enum insp_errcode code);
/* n with thousands separators ("17,500") into buf. */
const char *ui_count(size_t n, char *buf, size_t size);
/* The last part of a path. */
const char *ui_basename(const char *path);
/* Load the plugins, or print why not and return an exit status > 0. */
int ui_load_plugins(struct rt_plugin_set *set);

/* The report of a snapshot, shared by `inspect dump` and (later) the REPL's dump. */
/* out-text.c: stacks is the number of frames to show under each site (0: none). */
int ui_report_text(FILE *out, struct mdl_snapshot *s, const struct mdl_grouping *g,
		   unsigned stacks);
/* out-json.c */
int ui_report_json(FILE *out, struct mdl_snapshot *s, const struct mdl_filter *f,
		   const struct mdl_grouping *g);

#endif
