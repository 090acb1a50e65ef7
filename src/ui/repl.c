/* The REPL's loop: GNU readline on a terminal (prompt, history in ~/.inspect_history,
 * completion of commands, reason names and goroutine ids), plain lines otherwise,
 * each echoed after the prompt so that a runbook's transcript reads as a session.
 * On a terminal Ctrl-C stops a listing (or clears the line) and never detaches;
 * EOF, detach, quit, SIGTERM and SIGHUP end the session, and SIGINT too without a
 * terminal (there is no line to clear, and the README's Safety section promises
 * it); the caller detaches.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <errno.h>
#include <inttypes.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include "target/target.h"

#define HISTORY_MAX 1000

/* readline's callbacks take no argument: the session being read. */
static struct ui_session *session;

static void
on_sigint(int sig)
{
	(void)sig;
	ui_interrupted = 1;
}

static void
catch_sigint(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: a wait returns to look */
}

/* Completion: each generator is called with state 0 first, then to go on. */
static char *
gen_command(const char *text, int state)
{
	static size_t i;
	size_t len = strlen(text);

	if (!state)
		i = 0;
	while (ui_cmds[i]) {
		const struct ui_cmd *c = ui_cmds[i++];

		if (strncmp(c->name, text, len) == 0)
			return strdup(c->name);
	}
	return NULL;
}

static char *
gen_reason(const char *text, int state)
{
	static size_t p, r;
	const char *name = text + 7; /* after "reason=" */
	size_t len = strlen(name);
	char buf[128];

	if (!state)
		p = r = 0;
	for (; p < session->plugins->n; p++, r = 0) {
		const struct insp_reason_name *names = session->plugins->plugins[p]->reasons;

		while (names && names[r].name) {
			const char *n = names[r++].name;

			if (strncmp(n, name, len) == 0) {
				snprintf(buf, sizeof(buf), "reason=%s", n);
				return strdup(buf);
			}
		}
	}
	return NULL;
}

/* Goroutine ids, or (numbers_of_threads) thread ids. */
static bool numbers_of_threads;

static char *
gen_number(const char *text, int state)
{
	const struct mdl_snapshot *snap = session->snap;
	size_t n = numbers_of_threads ? snap->nthreads : snap->ntasks, len = strlen(text);
	static size_t i;
	char buf[32];

	if (!state)
		i = 0;
	while (i < n) {
		uint64_t v =
			numbers_of_threads ? (uint64_t)snap->threads[i].tid : snap->tasks[i]->id;

		i++;
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
		if (strncmp(buf, text, len) == 0)
			return strdup(buf);
	}
	return NULL;
}

/* The words a generator offers: a command's options, or a fixed choice. */
static const char *const *offered;

static char *
gen_word(const char *text, int state)
{
	static size_t i;
	size_t len = strlen(text);

	if (!state)
		i = 0;
	while (offered && offered[i])
		if (strncmp(offered[i++], text, len) == 0)
			return strdup(offered[i - 1]);
	return NULL;
}

/* The word before the one being completed (its first len bytes), or "". */
static size_t
previous_word(const char *line, int start, const char **word)
{
	int end = start;

	while (end > 0 && line[end - 1] == ' ')
		end--;
	start = end;
	while (start > 0 && line[start - 1] != ' ')
		start--;
	*word = line + start;
	return (size_t)(end - start);
}

static char **
complete(const char *text, int start, int end)
{
	static const char *const groups[] = { "reason", "stack", "func", "creator", NULL };
	static const char *const formats[] = { "text", "json", NULL };
	const char *line = rl_line_buffer, *prev;
	size_t first, plen;
	const struct ui_cmd *c;
	char name[32];

	(void)end;
	rl_attempted_completion_over = 1; /* never file names */
	line += strspn(line, " ");
	if (start <= (int)(line - rl_line_buffer))
		return rl_completion_matches(text, gen_command);
	first = strcspn(line, " ");
	snprintf(name, sizeof(name), "%.*s", (int)(first < 31 ? first : 31), line);
	c = ui_cmd_find(name, NULL);
	plen = previous_word(rl_line_buffer, start, &prev);
	if (strncmp(text, "reason=", 7) == 0)
		return rl_completion_matches(text, gen_reason);
	if (plen && prev[0] == '-' && memmem(prev, plen, "group", 5))
		offered = groups;
	else if (plen && prev[0] == '-' && memmem(prev, plen, "format", 6))
		offered = formats;
	else if (text[0] == '-' && c)
		offered = c->options;
	else if (c == &ui_cmd_task || c == &ui_cmd_thread) {
		numbers_of_threads = c == &ui_cmd_thread;
		return rl_completion_matches(text, gen_number);
	} else
		return NULL;
	return rl_completion_matches(text, gen_word);
}

static const char *
history_path(char *buf, size_t size)
{
	/* not as setuid root into a folder the user names */
	const char *home = secure_getenv("HOME");

	if (!home || !*home)
		return NULL;
	snprintf(buf, size, "%s/.inspect_history", home);
	return buf;
}

static void
on_line(char *line)
{
	if (!line) {
		session->done = true;         /* Ctrl-D: detach (readline printed the newline) */
		rl_callback_handler_remove(); /* else the terminal stays raw, and no echo */
		return;
	}
	if (*line)
		add_history(line);
	ui_cmd_run_line(session, line);
	free(line);
	if (session->done)
		rl_callback_handler_remove();
}

/* Ctrl-C at the prompt: drop the line, a fresh prompt. Bound to the key ^C
 * itself, which never reaches readline as a key (the terminal turns it into
 * SIGINT): read_key hands it over when the signal came. */
static int
on_interrupt_key(int count, int key)
{
	(void)count;
	(void)key;
	rl_replace_line("", 0);
	rl_crlf();
	rl_on_new_line();
	return 0;
}

#define INTERRUPT_KEY 3 /* ^C */

static sigset_t wait_mask; /* what the prompt waits for besides keys */

/* readline's getc: a key, or ^C when SIGINT came. Never blocks past a signal (a
 * Ctrl-C flushes the keys typed: readline's own getc would then wait for more). */
static int
read_key(FILE *in)
{
	struct pollfd p = { fileno(in), POLLIN, 0 };
	unsigned char c;

	for (;;) {
		if (ui_interrupted) {
			ui_interrupted = 0;
			return INTERRUPT_KEY;
		}
		if (tgt_signals_pending())
			return EOF; /* SIGTERM, SIGHUP: the session ends */
		if (poll(&p, 1, 100) == 1) {
			ssize_t n = read(p.fd, &c, 1);

			if (n == 1)
				return c;
			if (n == 0 || (errno != EINTR && errno != EAGAIN))
				return EOF;
		}
	}
}

static int
repl_tty(struct ui_session *s)
{
	char path[4096];
	const char *history = history_path(path, sizeof(path));
	int fd = fileno(rl_instream ? rl_instream : stdin);
	FILE *err = stderr;

	rl_readline_name = "inspect";
	/* readline's own escape sequences, and its bell (rl_ding writes BEL to
	 * stderr), not through the escaper: the session prints to s->out */
	if (ui_terminal) {
		rl_outstream = ui_terminal;
		stderr = ui_terminal_err;
	}
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = " \t\n"; /* reason=NAME is one word */
	rl_catch_signals = 0; /* ours: SIGINT clears the line, TERM and HUP detach */
	using_history();
	stifle_history(HISTORY_MAX);
	if (history)
		read_history(history);
	rl_getc_function = read_key;
	rl_bind_key(INTERRUPT_KEY, on_interrupt_key);
	rl_callback_handler_install(UI_PROMPT, on_line);
	sigemptyset(&wait_mask);
	sigaddset(&wait_mask, SIGINT);
	sigaddset(&wait_mask, SIGTERM);
	sigaddset(&wait_mask, SIGHUP);
	while (!s->done && !tgt_signals_pending()) {
		struct pollfd p = { fd, POLLIN, 0 };
		sigset_t open;
		int r = 0;

		/* Wait for a key or a signal; the signals are blocked from the look at
		 * the flag until ppoll opens them, so none falls in between unseen. */
		sigprocmask(SIG_BLOCK, &wait_mask, &open);
		if (!ui_interrupted && !tgt_signals_pending())
			r = ppoll(&p, 1, NULL, &open);
		sigprocmask(SIG_SETMASK, &open, NULL);
		/* read_key hands a key, or ^C for the signal, to readline */
		if (r == 1 || ui_interrupted)
			rl_callback_read_char();
	}
	if (!s->done)
		rl_callback_handler_remove();
	if (history)
		write_history(history);
	stderr = err;
	return 0;
}

static int
repl_stream(struct ui_session *s, FILE *in)
{
	char *line = malloc(UI_LINE_MAX + 1);
	int n = 0;

	if (!line)
		return 1;
	while (!s->done && !tgt_signals_pending()) {
		/* What was printed (the banner first) is out before we wait: a script
		 * that waits for it must not deadlock while the process is stopped. */
		fflush(s->out);
		n = ui_script_line(in, line, UI_LINE_MAX + 1);
		if (n < 0)
			break;
		fprintf(s->out, UI_PROMPT "%s\n", line);
		ui_cmd_run_line(s, line);
	}
	free(line);
	if (n == UI_LINE_LONG)
		fprintf(stderr, "inspect: a command line longer than %d bytes: refused\n",
			UI_LINE_MAX);
	else if (n == UI_LINE_NUL)
		fprintf(stderr, "inspect: a command line with a NUL byte: refused (not text)\n");
	return n == UI_LINE_LONG || n == UI_LINE_NUL ? ui_exit_status(INSP_E_USAGE) : 0;
}

int
ui_repl(struct ui_session *s, FILE *in, bool tty)
{
	int status = 0;

	session = s;
	if (tty) {
		catch_sigint();
		repl_tty(s);
	} else
		status = repl_stream(s, in);
	return tgt_signals_pending() ? 128 + tgt_signals_pending() : status;
}
