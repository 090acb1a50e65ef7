/* Errors shared by the core and the plugins: one code list, one message buffer.
 * Part of the plugin ABI. Nothing here allocates or exits: a failing call fills
 * a caller's struct insp_err and returns -1 (git's caller-handled errors).
 * SPDX-License-Identifier: MIT */
#ifndef INSPECT_ERR_H
#define INSPECT_ERR_H

#include <stdarg.h>
#include <stdio.h>

/* X(code, exit status, what it means). The exit statuses are documented in the
 * README and in `inspect --help`; keep the three in step. */
#define INSP_ERRORS                                                                                \
	X(INSP_E_OK, 0, "success")                                                                 \
	X(INSP_E_USAGE, 64, "bad command line")                                                    \
	X(INSP_E_NOPROC, 3, "no such process")                                                     \
	X(INSP_E_PERM, 4, "permission denied")                                                     \
	X(INSP_E_TRACED, 5, "process already traced")                                              \
	X(INSP_E_NOTGO, 6, "not a program of a known runtime")                                     \
	X(INSP_E_LAYOUT, 7, "unsupported runtime layout or version")                               \
	X(INSP_E_EXITED, 8, "process exited while attached")                                       \
	X(INSP_E_CORRUPT, 9, "target memory unreadable or inconsistent")                           \
	X(INSP_E_INTR, 130, "interrupted by a signal (the CLI exits 128+signal)")                  \
	X(INSP_E_SYS, 1, "system error")

enum insp_errcode {
#define X(code, status, what) code,
	INSP_ERRORS
#undef X
};

struct insp_err {
	enum insp_errcode code;
	/* Room for two paths and a list of places looked in (the no-DWARF message). */
	char msg[512];
};

#define INSP_ERR_INIT                                                                              \
	{                                                                                          \
		INSP_E_OK, ""                                                                      \
	}

/* Fill err (may be NULL) and return -1, so that `return insp_err_set(...)` reads
 * naturally. The message is lower case, names what failed, then the fix. */
static inline __attribute__((format(printf, 3, 4))) int
insp_err_set(struct insp_err *err, enum insp_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

#endif
