/* gen-gotables: the Go plugin's table of one release, for binaries without DWARF,
 * from the DWARF and symbols of an unstripped, non-PIE build by that release.
 *
 *   gen-gotables reasons BIN   its runtime.waitReasonStrings as a C array
 *   gen-gotables entry BIN     its struct gort_table initializer
 *
 * The offsets come from plugins/go/layout.c itself, through a host over the image
 * layer, so the table holds what the plugin would read from DWARF. tools/gen-gotables.sh
 * writes plugins/go/tables.c from these; test 1010 checks the file against them.
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gort.h"
#include "image/image.h"

static int
host_symbol(void *ctx, const char *name, uint64_t *addr, uint64_t *size, struct insp_err *err)
{
	return img_symbol(ctx, name, addr, size, err);
}

static int
host_section(void *ctx, const char *name, const uint8_t **data, size_t *size, uint64_t *addr,
	     struct insp_err *err)
{
	return img_section(ctx, name, data, size, addr, err);
}

static int
host_type_size(void *ctx, const char *type, uint64_t *size, struct insp_err *err)
{
	return img_type_size(ctx, type, size, err);
}

static int
host_field(void *ctx, const char *type, const char *path, struct insp_field *out,
	   struct insp_err *err)
{
	return img_field(ctx, type, path, out, err);
}

/* len bytes at a link-time address, from the file's .data or .rodata. */
static const uint8_t *
file_bytes(struct img *img, uint64_t addr, uint64_t len)
{
	static const char *const sections[] = { ".data", ".rodata", ".noptrdata" };

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		const uint8_t *d;
		size_t n;
		uint64_t at;

		if (img_section(img, sections[i], &d, &n, &at, NULL) == 0 && addr >= at &&
		    addr - at <= n && len <= n - (addr - at))
			return d + (addr - at);
	}
	return NULL;
}

/* "go1.22.12" as a C identifier part: "go1_22_12". */
static void
ident(const char *version, char *out, size_t size)
{
	size_t i;

	for (i = 0; version[i] && i + 1 < size; i++)
		out[i] = (version[i] >= 'a' && version[i] <= 'z') ||
					 (version[i] >= '0' && version[i] <= '9')
				 ? version[i]
				 : '_';
	out[i] = '\0';
}

static int
print_reasons(struct img *img, const char *version)
{
	uint64_t addr, size;
	const uint8_t *table;
	char id[64];
	struct insp_err err = INSP_ERR_INIT;

	if (img_symbol(img, "runtime.waitReasonStrings", &addr, &size, &err) < 0) {
		fprintf(stderr, "gen-gotables: %s\n", err.msg);
		return -1;
	}
	if (!(table = file_bytes(img, addr, size))) {
		fprintf(stderr, "gen-gotables: runtime.waitReasonStrings is not in .data\n");
		return -1;
	}
	ident(version, id, sizeof(id));
	printf("static const char *const reasons_%s[] = {\n", id);
	for (uint64_t i = 0; i < size / 16; i++) {
		uint64_t ptr = gort_u64(table + i * 16), len = gort_u64(table + i * 16 + 8);
		const uint8_t *s = len ? file_bytes(img, ptr, len) : (const uint8_t *)"";

		if (!s || len > 64) {
			fprintf(stderr, "gen-gotables: wait reason %llu is not a string\n",
				(unsigned long long)i);
			return -1;
		}
		printf("\t\"");
		for (uint64_t k = 0; k < len; k++) {
			if (s[k] < 0x20 || s[k] > 0x7e || s[k] == '"' || s[k] == '\\') {
				fprintf(stderr, "gen-gotables: wait reason %llu has byte 0x%02x\n",
					(unsigned long long)i, s[k]);
				return -1;
			}
			putchar(s[k]);
		}
		printf("\",\n");
	}
	printf("};\n");
	return 0;
}

static void
print_offset(const char *name, uint64_t value)
{
	if (value == GORT_NONE)
		printf("\t\t\t.%s = GORT_NONE,\n", name);
	else
		printf("\t\t\t.%s = %llu,\n", name, (unsigned long long)value);
}

static int
print_entry(const struct insp_host *h, const char *version)
{
	struct gort_layout l = { 0 };
	struct insp_err err = INSP_ERR_INIT;
	uint64_t addr, size;
	char id[64];

	if (gort_layout_resolve(&l, h, &err) < 0 ||
	    h->symbol(h->ctx, "runtime.waitReasonStrings", &addr, &size, &err) < 0) {
		fprintf(stderr, "gen-gotables: %s\n", err.msg);
		return -1;
	}
	ident(version, id, sizeof(id));
	printf("\t{\n\t\t.version = \"%s\",\n\t\t.l = {\n", version);
#define PRINT_OFFSET(name) print_offset(#name, l.name);
	GORT_OFFSETS(PRINT_OFFSET)
#undef PRINT_OFFSET
	printf("\t\t},\n\t\t.nreasons = %llu,\n\t\t.reasons = reasons_%s,\n\t},\n",
	       (unsigned long long)(size / 16), id);
	return 0;
}

int
main(int argc, char **argv)
{
	struct insp_err err = INSP_ERR_INIT;
	struct insp_host h = { 0 };
	struct img *img;
	char version[32];
	int minor, ret;

	if (argc != 3 || (strcmp(argv[1], "reasons") != 0 && strcmp(argv[1], "entry") != 0)) {
		fprintf(stderr, "usage: gen-gotables reasons|entry BINARY\n");
		return 64;
	}
	if (img_open(&img, argv[2], argv[2], "", &err) < 0) {
		fprintf(stderr, "gen-gotables: %s\n", err.msg);
		return 1;
	}
	h = (struct insp_host){
		.ctx = img,
		.exe_path = argv[2],
		.has_dwarf = img_has_dwarf(img),
		.symbol = host_symbol,
		.section = host_section,
		.type_size = host_type_size,
		.field = host_field,
	};
	if (!h.has_dwarf || img_is_pie(img) ||
	    gort_buildinfo_version(&h, version, sizeof(version), &minor, &err) < 0) {
		fprintf(stderr, "gen-gotables: %s: %s\n", argv[2],
			err.msg[0] ? err.msg : "needs a non-PIE build with DWARF");
		img_close(img);
		return 1;
	}
	ret = strcmp(argv[1], "reasons") == 0 ? print_reasons(img, version)
					      : print_entry(&h, version);
	img_close(img);
	return ret < 0 ? 1 : 0;
}
