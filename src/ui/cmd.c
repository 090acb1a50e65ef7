/* The REPL's command table and dispatcher (tmux cmd.c, git git.c): find a command
 * by alias, name or unique prefix, check what it needs, run it, flush.
 *
 * Adding a command:
 *  1. src/ui/cmd-NAME.c with one `const struct ui_cmd ui_cmd_NAME` (usage, summary,
 *     needs, argument counts, run); related commands share a file and run function.
 *  2. Its line in ui_cmds[] below, and its extern in ui.h.
 *  3. help and completion read the table: nothing more to list.
 *  4. A case in tests/integration/0600-repl.sh.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const struct ui_cmd *const ui_cmds[] = {
	&ui_cmd_tasks, &ui_cmd_task,   &ui_cmd_threads, &ui_cmd_thread,
	&ui_cmd_bt,    &ui_cmd_frame,  &ui_cmd_up,      &ui_cmd_down,
	&ui_cmd_info,  &ui_cmd_dump,   &ui_cmd_print,   &ui_cmd_locals,
	&ui_cmd_args,  &ui_cmd_config, &ui_cmd_help,    &ui_cmd_detach,
	&ui_cmd_quit,  NULL,
};

volatile sig_atomic_t ui_interrupted;

#define MAX_WORDS 64

const struct ui_cmd *
ui_cmd_find(const char *name, struct insp_err *err)
{
	const struct ui_cmd *found = NULL;
	char could[256] = "";
	size_t len = strlen(name);
	int matches = 0;

	for (size_t i = 0; ui_cmds[i]; i++) {
		const struct ui_cmd *c = ui_cmds[i];

		if (strcmp(c->name, name) == 0 || (c->alias && strcmp(c->alias, name) == 0))
			return c;
	}
	for (size_t i = 0; ui_cmds[i]; i++) {
		if (strncmp(ui_cmds[i]->name, name, len) != 0)
			continue;
		found = ui_cmds[i];
		snprintf(could + strlen(could), sizeof(could) - strlen(could), "%s%s",
			 matches++ ? ", " : "", found->name);
	}
	if (matches == 1)
		return found;
	if (matches > 1)
		insp_err_set(err, INSP_E_USAGE, "ambiguous command: %s, could be: %s", name, could);
	else
		insp_err_set(err, INSP_E_USAGE, "unknown command '%s' (try 'help')", name);
	return NULL;
}

/* Words of line into buf (same size as line), quotes grouping, backslash escaping. */
static int
split(const char *line, char *buf, char **words, int max)
{
	int n = 0;

	while (*line) {
		char quote = 0;

		while (isspace((unsigned char)*line))
			line++;
		if (!*line)
			break;
		if (n == max)
			return -1;
		words[n++] = buf;
		for (; *line && (quote || !isspace((unsigned char)*line)); line++) {
			if (!quote && (*line == '\'' || *line == '"'))
				quote = *line;
			else if (quote && *line == quote)
				quote = 0;
			else if (*line == '\\' && line[1])
				*buf++ = *++line;
			else
				*buf++ = *line;
		}
		*buf++ = '\0';
	}
	return n;
}

int
ui_cmd_run_line(struct ui_session *s, const char *line)
{
	char *buf = malloc(strlen(line) + 1), *words[MAX_WORDS], *raw = NULL;
	struct insp_err err = INSP_ERR_INIT;
	const struct ui_cmd *c;
	int n, ret = -1;

	if (!buf)
		return -1;
	/* a comment, as in a runbook's -x file (Delve's source skips them too) */
	if (line[strspn(line, " \t")] == '#') {
		ret = 0;
		goto out;
	}
	n = split(line, buf, words, MAX_WORDS);
	if (n == 0) {
		ret = 0; /* an empty line repeats nothing */
		goto out;
	}
	/* Dead (a SIGKILL while held): nothing more is read or shown as if it lived;
	 * the session ends, and the detach says so (exit 8). */
	if (mdl_snapshot_held(s->snap, &err) < 0) {
		s->done = true;
		goto out;
	}
	if (n < 0) {
		fprintf(s->out, "too many words (at most %d)\n", MAX_WORDS);
		goto out;
	}
	c = ui_cmd_find(words[0], &err);
	if (!c) {
		fprintf(s->out, "%s\n", err.msg);
		goto out;
	}
	/* print's expression is Go: its quotes and spaces are its own */
	if (c->raw) {
		const char *rest = line + strspn(line, " \t");

		rest += strcspn(rest, " \t");
		rest += strspn(rest, " \t");
		if (!(raw = strdup(rest)))
			goto out;
		for (size_t k = strlen(raw); k > 0 && isspace((unsigned char)raw[k - 1]); k--)
			raw[k - 1] = 0;
		words[1] = raw;
		n = *raw ? 2 : 1;
	}
	if (n - 1 < c->min_args || (c->max_args >= 0 && n - 1 > c->max_args)) {
		fprintf(s->out, "usage: %s\n", c->usage);
		goto out;
	}
	if (c->needs == UI_NEEDS_TASK && !s->task && !s->thread) {
		fprintf(s->out, "no task selected: use 'task N' or 'thread TID' first\n");
		goto out;
	}
	ui_interrupted = 0;
	ret = c->run(s, n, words);
	if (ui_interrupted)
		fprintf(s->out, "(interrupted)\n");
	ui_interrupted = 0;
out:
	if (fflush(s->out) != 0)
		ret = -1;
	if (ret < 0)
		s->failed++;
	free(buf);
	free(raw);
	return ret;
}

const struct insp_frame *
ui_session_frames(const struct ui_session *s, uint32_t *n)
{
	if (s->thread) {
		*n = s->thread->nframes;
		return s->thread->frames;
	}
	if (s->task) {
		*n = s->task->nframes;
		return s->task->frames;
	}
	*n = 0;
	return NULL;
}

void
ui_print_frame(FILE *out, uint32_t i, const struct insp_frame *f, bool selected, int width)
{
	fprintf(out, "%c %3u  %-*s  %s:%u%s\n", selected ? '>' : ' ', i, width,
		f->loc.func ? ui_line(f->loc.func) : "?", f->loc.file ? ui_line(f->loc.file) : "?",
		f->loc.line, f->inlined ? "  (inlined)" : "");
}
