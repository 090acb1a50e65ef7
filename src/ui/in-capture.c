/* The ui layer's capture files: told by their first bytes (JSON, a goroutine
 * profile, or neither, refused before reading on), then read bounded by the
 * reader of their format: JSON streamed to in-json.c, a profile (gzipped or
 * plain profile.proto) whole to in-pprof.c.
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The bytes the format is told by: the blanks before a JSON document fit. */
#define HEAD_MAX 4096

int
ui_capture_too_large(const char *path, struct insp_err *err)
{
	return insp_err_set(err, INSP_E_USAGE,
			    "'%s' is larger than a capture can be (%ld MiB): take a smaller one "
			    "(dump --stacks=N with a smaller N, --with/--without, or --format "
			    "pprof)",
			    path, UI_CAPTURE_MAX >> 20);
}

/* The head bytes, then the rest of f, into *data (malloc'd), *len; at most
 * UI_CAPTURE_MAX bytes in all. */
static int
slurp(const char *path, FILE *f, const char *head, size_t nhead, unsigned char **data, size_t *len,
      struct insp_err *err)
{
	size_t n = nhead, cap = nhead + 65536;
	unsigned char *buf = malloc(cap);

	if (!buf)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	memcpy(buf, head, nhead);
	for (;;) {
		size_t got;

		if (n == cap) {
			unsigned char *p;

			if (cap > (size_t)UI_CAPTURE_MAX) {
				free(buf);
				return ui_capture_too_large(path, err);
			}
			cap = 2 * cap < (size_t)UI_CAPTURE_MAX + 1 ? 2 * cap
								   : (size_t)UI_CAPTURE_MAX + 1;
			if (!(p = realloc(buf, cap))) {
				free(buf);
				return insp_err_set(err, INSP_E_SYS, "out of memory");
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f) || n > (size_t)UI_CAPTURE_MAX) {
		free(buf);
		return ferror(f) ? insp_err_set(err, INSP_E_SYS, "cannot read '%s': %s", path,
						strerror(errno))
				 : ui_capture_too_large(path, err);
	}
	*data = buf;
	*len = n;
	return 0;
}

int
ui_load_capture(const char *path, const struct insp_plugin *plugin, struct mdl_snapshot *s,
		bool *runtime_profile, struct insp_err *err)
{
	/* The capture formats diff reads, told by their first bytes: gzip's magic,
	 * or a plain profile.proto's first field (sample_type, 1, length-delimited:
	 * 0x0a, a newline to JSON, but then no '{' after the blanks), or JSON's
	 * '{' (or '[', to say it is no capture) after blanks. */
	static const unsigned char gzip_magic[] = { 0x1f, 0x8b };
	char head[HEAD_MAX];
	unsigned char *data = NULL;
	size_t n, lead = 0, len = 0;
	FILE *f = fopen(path, "rb");
	int ret;

	*runtime_profile = false;
	if (!f)
		return insp_err_set(err, INSP_E_SYS, "cannot read '%s': %s", path, strerror(errno));
	n = fread(head, 1, sizeof(head), f);
	if (ferror(f)) {
		ret = insp_err_set(err, INSP_E_SYS, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	while (lead < n && strchr(" \t\r\n", head[lead]) && head[lead])
		lead++;
	if ((n >= 2 && memcmp(head, gzip_magic, 2) == 0) ||
	    (n && head[0] == 0x0a && lead < n && head[lead] != '{' && head[lead] != '[')) {
		ret = slurp(path, f, head, n, &data, &len, err);
		if (ret == 0)
			ret = ui_load_pprof(path, data, len, plugin, s, runtime_profile, err);
	} else if (lead == n && n < sizeof(head)) {
		ret = insp_err_set(err, INSP_E_USAGE, "'%s' is empty: not a capture", path);
	} else if (lead == n || head[lead] == '{' || head[lead] == '[') {
		ret = ui_load_json(path, head, n, f, plugin, s, err);
	} else {
		ret = insp_err_set(
			err, INSP_E_USAGE,
			"'%s' is not a capture: neither JSON nor a goroutine profile "
			"(byte %zu is 0x%02x; inspect dump --format json or pprof writes "
			"one)",
			path, lead, (unsigned char)head[lead]);
	}
out:
	free(data);
	fclose(f);
	return ret;
}
