/* Bytes an attacker shapes (names, paths and strings of the target), made safe for
 * a terminal and for JSON: valid UTF-8 stays as it is, but for control characters
 * (C0 except newline and tab, DEL, C1: U+0080-U+009F, which start terminal escape
 * sequences: clear screen, window title, hyperlinks), and every byte that is not
 * part of valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF) becomes the four characters \xNN, lower case hex. A backslash stays as
 * it is: "\x1b" in a name the target chose reads the same as an escaped ESC.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_ESC_H
#define UTIL_ESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Room esc_mem needs for n bytes: each may become four, and the NUL. */
#define ESC_ROOM(n) (4 * (n) + 1)

/* Escape n bytes of s into out (ESC_ROOM(n) bytes), NUL-terminated; returns the
 * length written. final false: bytes at the end that may be the start of a valid
 * sequence cut by the end of s are left; *used (may be NULL) gets the bytes
 * consumed, n when final. */
size_t esc_mem(char *out, const char *s, size_t n, bool final, size_t *used);
/* Whether s needs no escaping because it is printable ASCII, newline and tab only
 * (the common case, checked fast; false says nothing more). */
bool esc_plain(const char *s);
/* s escaped, malloc'd (the caller frees it); NULL when memory runs out. */
char *esc_strdup(const char *s);
/* A stream that escapes every byte written to it, then writes it to raw and
 * flushes raw (so that writes to raw elsewhere keep their order). Buffered as raw
 * is: line-buffered on a terminal, unbuffered for stderr, else fully. Closing it
 * leaves raw open. NULL when memory runs out. */
FILE *esc_stream(FILE *raw);

#endif
