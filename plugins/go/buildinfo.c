/* The Go plugin's version reader: the .go.buildinfo section every Go binary since
 * 1.13 carries, stripped or not. Since Go 1.18 it holds the version inline as a
 * varint-prefixed string after a 32-byte header (research/goruntime.md 5.6).
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC       "\xff Go buildinf:"
#define MAGIC_LEN   14
#define FLAG_INLINE 2

int
gort_buildinfo_version(const struct insp_host *h, char *version, size_t size, int *minor,
		       struct insp_err *err)
{
	const uint8_t *d;
	size_t n, pos = 32;
	uint64_t len = 0;
	int shift = 0;

	if (h->section(h->ctx, ".go.buildinfo", &d, &n, NULL, err) < 0)
		return -1;
	if (n < 33 || memcmp(d, MAGIC, MAGIC_LEN) != 0)
		return insp_err_set(err, INSP_E_LAYOUT, "'%s': .go.buildinfo has no Go header",
				    h->exe_path);
	if (!(d[15] & FLAG_INLINE))
		return insp_err_set(err, INSP_E_LAYOUT,
				    "'%s' was built by a Go older than 1.18; inspect reads Go "
				    "1.19 and newer",
				    h->exe_path);
	do {
		if (pos >= n || shift > 28)
			return insp_err_set(err, INSP_E_CORRUPT, "'%s': bad .go.buildinfo",
					    h->exe_path);
		len |= (uint64_t)(d[pos] & 0x7f) << shift;
		shift += 7;
	} while (d[pos++] & 0x80);
	if (len == 0 || len >= size || pos + len > n)
		return insp_err_set(err, INSP_E_CORRUPT, "'%s': bad Go version in .go.buildinfo",
				    h->exe_path);
	memcpy(version, d + pos, len);
	version[len] = '\0';
	*minor = 0;
	if (strncmp(version, "go1.", 4) == 0)
		*minor = (int)strtol(version + 4, NULL, 10);
	return 0;
}
