/* The escaper of bytes from the target for terminals and JSON (esc.h says what is
 * escaped and how), and a stdio stream that escapes all that goes through it.
 * Pure byte work: no knowledge of what the bytes name.
 * SPDX-License-Identifier: MIT */
#include "util/esc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CUT SIZE_MAX /* a valid start, cut by the end of the bytes */

/* The length of the valid UTF-8 sequence at s (RFC 3629 section 4), 0 if none
 * starts there, CUT if the n bytes end inside one that may still be valid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	/* the second byte's range rules out overlong forms, surrogates, > U+10FFFF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (size_t i = 1; i < len; i++) {
		if (i >= n)
			return CUT;
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return len;
}

/* A control character: shown escaped even though it is valid UTF-8. */
static bool
control(const unsigned char *s, size_t len)
{
	if (len == 1)
		return (s[0] < 0x20 && s[0] != '\n' && s[0] != '\t') || s[0] == 0x7f;
	return len == 2 && s[0] == 0xc2 && s[1] < 0xa0; /* C1: U+0080-U+009F */
}

size_t
esc_mem(char *out, const char *str, size_t n, bool final, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, o = 0;

	while (i < n) {
		size_t len;

		/* most bytes: printable ASCII, copied without more ado */
		if ((s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\n' || s[i] == '\t') {
			out[o++] = (char)s[i++];
			continue;
		}
		len = utf8_len(s + i, n - i);

		if (len == CUT && !final)
			break;
		if (len == CUT || len == 0)
			len = 1; /* this byte alone, escaped; the next starts afresh */
		else if (!control(s + i, len)) {
			memcpy(out + o, s + i, len);
			o += len;
			i += len;
			continue;
		}
		for (size_t k = 0; k < len; k++, i++) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 15];
		}
	}
	out[o] = '\0';
	if (used)
		*used = i;
	return o;
}

bool
esc_plain(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p >= 0x7f)
			return false;
	return true;
}

char *
esc_strdup(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(ESC_ROOM(n));

	if (out)
		esc_mem(out, s, n, true, NULL);
	return out;
}

/* The stream: bytes of a sequence cut between two writes wait in pend. */
struct esc_cookie {
	FILE *raw;
	char pend[4];
	size_t npend;
};

#define CHUNK 4096

static ssize_t
cookie_write(void *cookie, const char *buf, size_t size)
{
	struct esc_cookie *c = cookie;
	char in[CHUNK + 4], out[ESC_ROOM(CHUNK + 4)];
	size_t done = 0;

	while (done < size) {
		size_t take = size - done < CHUNK ? size - done : CHUNK, n, used, len;

		memcpy(in, c->pend, c->npend);
		memcpy(in + c->npend, buf + done, take);
		n = c->npend + take;
		done += take;
		len = esc_mem(out, in, n, false, &used);
		/* at most 3 bytes wait: a longer cut sequence is no valid start */
		c->npend = n - used;
		memcpy(c->pend, in + used, c->npend);
		if (len && fwrite(out, 1, len, c->raw) != len)
			return 0;
	}
	return fflush(c->raw) == 0 ? (ssize_t)size : 0;
}

static int
cookie_close(void *cookie)
{
	struct esc_cookie *c = cookie;
	char out[ESC_ROOM(4)];
	size_t len = esc_mem(out, c->pend, c->npend, true, NULL);
	int ret = len && fwrite(out, 1, len, c->raw) != len ? -1 : 0;

	if (fflush(c->raw) != 0)
		ret = -1;
	free(c);
	return ret;
}

FILE *
esc_stream(FILE *raw)
{
	struct esc_cookie *c = calloc(1, sizeof(*c));
	cookie_io_functions_t io = { .write = cookie_write, .close = cookie_close };
	int fd = fileno(raw), mode = _IOFBF;
	FILE *f;

	if (!c)
		return NULL;
	c->raw = raw;
	f = fopencookie(c, "w", io);
	if (!f) {
		free(c);
		return NULL;
	}
	if (raw == stderr)
		mode = _IONBF;
	else if (fd >= 0 && isatty(fd))
		mode = _IOLBF;
	setvbuf(f, NULL, mode, mode == _IONBF ? 0 : BUFSIZ);
	return f;
}
