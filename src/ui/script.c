/* Commands that do not come from a terminal: lines read from a pipe, bounded; a
 * -x FILE read whole and checked before the process is stopped; --batch's list,
 * split at each ';' outside quotes. A script never holds the process stopped while
 * inspect reads an endless line (`-x /dev/zero`).
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "target/target.h"

int
ui_script_line(FILE *in, char *buf, size_t size)
{
	size_t n = 0;
	int c;

	for (;;) {
		c = getc(in);
		if (c == EOF) {
			/* A signal (no SA_RESTART) ends a read: the caller looks at it. */
			if (ferror(in) && errno == EINTR && !tgt_signals_pending()) {
				clearerr(in);
				continue;
			}
			if (n == 0)
				return UI_LINE_END;
			break; /* a last line without its newline */
		}
		if (c == '\n')
			break;
		if (c == '\0')
			return UI_LINE_NUL;
		if (n + 1 >= size)
			return UI_LINE_LONG;
		buf[n++] = (char)c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (int)n;
}

int
ui_script_load(const char *path, char **text, struct insp_err *err)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, line = 1, col = 0;
	int ret = -1;

	*text = NULL;
	if (!f)
		return insp_err_set(err, INSP_E_USAGE, "cannot open %s: %s", path, strerror(errno));
	/* One byte past the bound tells a script that is too large (or endless). */
	buf = malloc(UI_SCRIPT_MAX + 2);
	if (!buf) {
		insp_err_set(err, INSP_E_SYS, "out of memory");
		goto out;
	}
	len = fread(buf, 1, UI_SCRIPT_MAX + 1, f);
	if (ferror(f)) {
		insp_err_set(err, INSP_E_USAGE, "cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < len; i++, col++) {
		if (buf[i] == '\n') {
			line++;
			col = 0;
		} else if (buf[i] == '\0') {
			insp_err_set(err, INSP_E_USAGE,
				     "%s: line %zu has a NUL byte: not a text file of commands",
				     path, line);
			goto out;
		} else if (col >= UI_LINE_MAX) {
			insp_err_set(err, INSP_E_USAGE,
				     "%s: line %zu is longer than %d bytes: not a command", path,
				     line, UI_LINE_MAX);
			goto out;
		}
	}
	if (len > UI_SCRIPT_MAX) {
		insp_err_set(err, INSP_E_USAGE, "%s is larger than %d KiB: not a command script",
			     path, UI_SCRIPT_MAX >> 10);
		goto out;
	}
	buf[len] = '\0';
	*text = buf;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	fclose(f);
	return ret;
}

/* The end of the command that starts at p: sep, outside quotes ('...', "...",
 * `...`, a backslash escaping the next character, as split() in cmd.c and Go's
 * literals read them), or the end. */
static char *
command_end(char *p, char sep)
{
	char quote = 0;

	for (; *p; p++) {
		if (*p == '\\' && quote != '`' && p[1])
			p++;
		else if (quote && *p == quote)
			quote = 0;
		else if (!quote && (*p == '\'' || *p == '"' || *p == '`'))
			quote = *p;
		else if (!quote && *p == sep)
			break;
	}
	return p;
}

void
ui_script_run(struct ui_session *s, char *cmds, char sep)
{
	char *c = cmds;

	while (*c && !s->done && !tgt_signals_pending()) {
		char *end = sep == '\n' ? c + strcspn(c, "\n") : command_end(c, sep);
		bool last = !*end;

		*end = '\0';
		if (sep != '\n')
			c += strspn(c, " \t");
		if (end > c && end[-1] == '\r')
			end[-1] = '\0';
		if (sep == '\n' || *c) { /* 'a;;b' has two commands */
			fprintf(s->out, UI_PROMPT "%s\n", c);
			ui_cmd_run_line(s, c);
		}
		if (last)
			break;
		c = end + 1;
	}
}
