/* The ui layer's shared helpers: error messages and exit statuses, number and path
 * formatting, plugin loading for the subcommands.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/esc.h"

int
ui_exit_status(enum insp_errcode code)
{
	switch (code) {
#define X(c, status, what)                                                                         \
	case c:                                                                                    \
		return status;
		INSP_ERRORS
#undef X
	}
	return 1;
}

int
ui_error(const struct insp_err *err)
{
	/* one line: a message may quote the target's names and paths */
	fprintf(stderr, "inspect: %s\n", err->msg[0] ? ui_line(err->msg) : "unknown error");
	return ui_exit_status(err->code);
}

const char *const ui_source_keys[] = { "symbols", "layout", "registry", "wait_reasons", NULL };

const char *
ui_sources(const struct mdl_snapshot *s, char *buf, size_t size)
{
	const char *layout = mdl_info(s, "layout"), *registry = mdl_info(s, "registry");
	size_t len = 0;

	if ((!layout || strcmp(layout, "DWARF") == 0) &&
	    (!registry || strcmp(registry, "by name") == 0))
		return NULL;
	buf[0] = '\0';
	for (size_t i = 0; ui_source_keys[i] && len < size; i++) {
		const char *v = mdl_info(s, ui_source_keys[i]);

		if (v)
			len += snprintf(buf + len, size - len, "%s%s: %s", len ? "; " : "",
					ui_source_keys[i], v);
	}
	return buf;
}

const char *
ui_count(size_t n, char *buf, size_t size)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%zu", n);
	size_t j = 0;

	if (size == 0)
		return buf;
	for (int i = 0; i < len; i++) {
		size_t comma = i > 0 && (len - i) % 3 == 0;

		/* This digit, its comma and the NUL must fit. */
		if (j + comma + 1 >= size)
			break;
		if (comma)
			buf[j++] = ',';
		buf[j++] = digits[i];
	}
	buf[j] = '\0';
	return buf;
}

const char *
ui_basename(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path;
}

int
ui_load_plugins(struct rt_plugin_set *set)
{
	struct insp_err err = INSP_ERR_INIT;
	int ret = rt_plugins_load(set, &err);

	if (set->warning[0])
		fprintf(stderr, "inspect: %s\n", set->warning);
	return ret < 0 ? ui_error(&err) : 0;
}

int
ui_parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v <= 0 || v > 0x3fffffff)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

const char *
ui_line(const char *s)
{
	static char *slot[UI_LINE_SLOTS];
	static unsigned next;
	size_t n = 0;
	char *copy, *o;

	if (!s || !s[strcspn(s, "\n\t")])
		return s; /* the usual case: nothing to copy */
	for (const char *p = s; *p; p++)
		n += *p == '\n' || *p == '\t' ? 2 : 1;
	if (!(copy = malloc(n + 1)))
		return "?";
	for (o = copy; *s; s++) {
		if (*s == '\n' || *s == '\t') {
			*o++ = '\\';
			*o++ = *s == '\n' ? 'n' : 't';
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	free(slot[next]);
	slot[next] = copy;
	next = (next + 1) % UI_LINE_SLOTS;
	return copy;
}

size_t
ui_shown_len(const char *s)
{
	const char *line = ui_line(s);
	char *e;
	size_t n;

	if (esc_plain(line))
		return strlen(line);
	e = esc_strdup(line);
	n = e ? strlen(e) : strlen(line);
	free(e);
	return n;
}

void
ui_put_padded(FILE *out, const char *s, int width)
{
	fputs(ui_line(s), out);
	for (int n = (int)ui_shown_len(s); n < width; n++)
		fputc(' ', out);
}

void
ui_put_oneline(FILE *out, const char *s)
{
	fputs(ui_line(s), out);
}

void
ui_print_labels(FILE *out, const struct insp_task *t)
{
	for (uint32_t i = 0; i < t->nlabels; i++) {
		if (i)
			fputs(", ", out);
		ui_put_oneline(out, t->labels[i].key);
		fputc('=', out);
		ui_put_oneline(out, t->labels[i].value);
	}
	if (t->labels_cut)
		fputs(t->nlabels ? ", ..." : "...", out);
}

int
ui_option_error(int c, char **argv, struct insp_err *err)
{
	/* ':' (optstring ":..."): the option at the end of the line, its value
	 * missing; getopt's optopt would name it by its short letter, which a
	 * long-only option does not have */
	if (c == ':')
		return insp_err_set(err, INSP_E_USAGE, "option '%s' needs an argument",
				    argv[optind - 1]);
	/* a short option names itself in optopt; a long one is the argument
	 * getopt has just passed */
	if (optopt)
		return insp_err_set(err, INSP_E_USAGE, "unknown option '-%c' (see --help)", optopt);
	return insp_err_set(err, INSP_E_USAGE, "unknown option '%s' (see --help)",
			    argv[optind - 1]);
}

void
ui_where(const struct insp_loc *loc, char *buf, size_t size)
{
	if (loc && loc->func && loc->file && loc->line)
		snprintf(buf, size, "%s:%u", ui_line(ui_basename(loc->file)), loc->line);
	else if (loc && loc->func && loc->file)
		snprintf(buf, size, "%s", ui_line(ui_basename(loc->file))); /* no lines */
	else if (loc && loc->pc)
		snprintf(buf, size, "0x%" PRIx64, loc->pc);
	else
		snprintf(buf, size, "?");
}
