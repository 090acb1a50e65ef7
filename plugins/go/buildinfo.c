/* The Go plugin's reader of the .go.buildinfo section every Go binary since 1.13
 * carries, stripped or not: the Go version and the module paths. Since Go 1.18 it
 * holds two varint-prefixed strings after a 32-byte header (research/goruntime.md
 * 5.6): the version, then the module information that `go version -m` prints.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC       "\xff Go buildinf:"
#define MAGIC_LEN   14
#define FLAG_INLINE 2
#define SENTINEL    16 /* bytes of the markers around the module information */

/* The section's bytes, checked for the Go 1.18+ header. */
static int
section(const struct insp_host *h, const uint8_t **d, size_t *n, struct insp_err *err)
{
	if (h->section(h->ctx, ".go.buildinfo", d, n, NULL, err) < 0)
		return -1;
	if (*n < 33 || memcmp(*d, MAGIC, MAGIC_LEN) != 0)
		return insp_err_set(err, INSP_E_LAYOUT, "'%s': .go.buildinfo has no Go header",
				    h->exe_path);
	if (!((*d)[15] & FLAG_INLINE))
		return insp_err_set(err, INSP_E_LAYOUT,
				    "'%s' was built by a Go older than 1.18; inspect reads Go "
				    "1.19 and newer",
				    h->exe_path);
	return 0;
}

/* The varint-prefixed string at *pos: 0 with *s and *len, and *pos past it;
 * -1 if it does not fit in the n bytes. */
static int
string_at(const uint8_t *d, size_t n, size_t *pos, const uint8_t **s, uint64_t *len)
{
	int shift = 0;

	*len = 0;
	do {
		if (*pos >= n || shift > 28)
			return -1;
		*len |= (uint64_t)(d[*pos] & 0x7f) << shift;
		shift += 7;
	} while (d[(*pos)++] & 0x80);
	if (*len > n - *pos)
		return -1;
	*s = d + *pos;
	*pos += *len;
	return 0;
}

int
gort_buildinfo_version(const struct insp_host *h, char *version, size_t size, int *minor,
		       struct insp_err *err)
{
	const uint8_t *d, *s;
	size_t n, pos = 32;
	uint64_t len;

	if (section(h, &d, &n, err) < 0)
		return -1;
	if (string_at(d, n, &pos, &s, &len) < 0 || len == 0 || len >= size)
		return insp_err_set(err, INSP_E_CORRUPT, "'%s': bad Go version in .go.buildinfo",
				    h->exe_path);
	memcpy(version, s, len);
	version[len] = '\0';
	*minor = 0;
	if (strncmp(version, "go1.", 4) == 0)
		*minor = (int)strtol(version + 4, NULL, 10);
	return 0;
}

/* Does the module path at p (len bytes) have a dot in its first element? */
static bool
dotted(const char *p, size_t len)
{
	const char *slash = memchr(p, '/', len);

	return memchr(p, '.', slash ? (size_t)(slash - p) : len) != NULL;
}

int
gort_buildinfo_modules(const struct insp_host *h, struct gort_modules *m, struct insp_err *err)
{
	const uint8_t *d, *s;
	size_t size, pos = 32, used = 0;
	uint64_t len;
	const char *line, *end;
	char *out;

	*m = (struct gort_modules){ 0 };
	if (section(h, &d, &size, err) < 0)
		return -1;
	if (string_at(d, size, &pos, &s, &len) < 0 || string_at(d, size, &pos, &s, &len) < 0)
		return insp_err_set(err, INSP_E_CORRUPT, "'%s': bad module information in %s",
				    h->exe_path, ".go.buildinfo");
	/* No modules (GOPATH mode, or go build FILE.go): nothing to list. The
	 * text ends with a newline before the end marker (debug/buildinfo). */
	if (len < 2 * SENTINEL + 1 || s[len - SENTINEL - 1] != '\n')
		return 0;
	line = (const char *)s + SENTINEL;
	end = (const char *)s + len - SENTINEL;
	out = malloc(end - line + 1);
	if (!out)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	/* "mod\tPATH\tVERSION\tSUM\n", "dep\tPATH\t..."; a replacement's line
	 * ("=>\tDIR\t...") names a directory, not the path functions are named by. */
	while (line < end) {
		const char *nl = memchr(line, '\n', end - line), *path, *tab;

		if (!nl)
			nl = end;
		if ((nl - line > 4 && memcmp(line, "mod\t", 4) == 0) ||
		    (nl - line > 4 && memcmp(line, "dep\t", 4) == 0)) {
			m->main |= line[0] == 'm';
			path = line + 4;
			tab = memchr(path, '\t', nl - path);
			len = (tab ? tab : nl) - path;
			if (len && !dotted(path, len)) {
				memcpy(out + used, path, len);
				used += len;
				out[used++] = '\0';
				m->ndotless++;
			}
		}
		line = nl + 1;
	}
	if (!m->ndotless)
		free(out);
	else
		m->dotless = out;
	return 0;
}
