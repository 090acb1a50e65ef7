/* The ui layer's capture files: read one whole, bounded, and hand it to the reader
 * of its format, told by its first bytes: JSON (in-json.c), or a goroutine
 * profile, gzipped or plain profile.proto (in-pprof.c).
 * SPDX-License-Identifier: MIT */
#include "ui/ui.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A capture of 30,000 goroutines with their stacks is about 60 MB. */
#define CAPTURE_MAX (1024L * 1024 * 1024)

/* The bytes of path, NUL-terminated, into *text (malloc'd), *len. */
static int
slurp(const char *path, char **text, size_t *len, struct insp_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return insp_err_set(err, INSP_E_SYS, "cannot read '%s': %s", path, strerror(errno));
	for (;;) {
		size_t got;

		if (n + 65536 + 1 > cap) {
			char *p = NULL;

			cap = cap ? 2 * cap : 1 << 20;
			if (cap <= (size_t)CAPTURE_MAX + 65536 + 1)
				p = realloc(buf, cap);
			if (!p) {
				free(buf);
				fclose(f);
				return insp_err_set(
					err, INSP_E_SYS,
					"'%s' is larger than a capture can be (%ld MiB)", path,
					CAPTURE_MAX >> 20);
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return insp_err_set(err, INSP_E_SYS, "cannot read '%s': %s", path, strerror(errno));
	}
	fclose(f);
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int
ui_load_capture(const char *path, const struct insp_plugin *plugin, struct mdl_snapshot *s,
		bool *runtime_profile, struct insp_err *err)
{
	/* The capture formats diff reads, told by their first bytes: gzip's magic,
	 * or a plain profile.proto's first field (sample_type, 1, length-delimited:
	 * 0x0a, a newline to JSON, but then no '{' after the blanks). */
	static const unsigned char gzip_magic[] = { 0x1f, 0x8b };
	char *text = NULL;
	size_t len = 0, lead;
	int ret;

	*runtime_profile = false;
	if (slurp(path, &text, &len, err) < 0)
		return -1;
	lead = strspn(text, " \t\r\n");
	if ((len >= 2 && memcmp(text, gzip_magic, 2) == 0) ||
	    (len && text[0] == 0x0a && lead < len && text[lead] != '{' && text[lead] != '['))
		ret = ui_load_pprof(path, (const unsigned char *)text, len, plugin, s,
				    runtime_profile, err);
	else if (lead == len)
		ret = insp_err_set(err, INSP_E_USAGE, "'%s' is empty: not a capture", path);
	else
		ret = ui_load_json(path, text, len, s, err);
	free(text);
	return ret;
}
