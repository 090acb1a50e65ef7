/* The ui layer's standard streams: everything inspect prints goes through the
 * escaper (util/esc.h), because names, paths and strings of the target (function,
 * file and package names, thread names, the executable's path, values, and the
 * error messages that quote them) are the target author's bytes, and a terminal
 * obeys the escape sequences in them. One place, so that no command can forget.
 * readline alone writes to the terminal itself: its own control sequences.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <stdlib.h>

#include "util/esc.h"

FILE *ui_terminal, *ui_terminal_err;

/* At exit, before stdio's own flush: the escaping streams write what they hold
 * (a sequence cut at the very end too) and go. */
static void
restore(void)
{
	if (ui_terminal && stdout != ui_terminal) {
		fclose(stdout);
		stdout = ui_terminal;
	}
	if (ui_terminal_err && stderr != ui_terminal_err) {
		fclose(stderr);
		stderr = ui_terminal_err;
	}
}

void
ui_streams_escape(void)
{
	FILE *out = esc_stream(stdout), *err = esc_stream(stderr);

	ui_terminal = stdout;
	ui_terminal_err = stderr;
	/* glibc's stdout and stderr are variables one may set (glibc manual,
	 * "Standard Streams"); if memory runs out, they stay as they were. */
	if (out)
		stdout = out;
	if (err)
		stderr = err;
	atexit(restore);
}
