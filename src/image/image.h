/* The image layer: the target's executable as ELF (libelf) and DWARF (libdw).
 * Symbols, sections and type layouts, with the load bias applied to addresses.
 * Read-only, on the file (opened through /proc/PID/exe); never touches the process.
 * Strings and bytes it returns belong to the image and live until img_close().
 * SPDX-License-Identifier: MIT */
#ifndef IMAGE_IMAGE_H
#define IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inspect/err.h"
#include "inspect/plugin.h"

struct img;

/* elf.c */
/* Open an ELF executable; DWARF is optional (img_has_dwarf). */
int img_open(struct img **out, const char *path, const char *display_name, struct insp_err *err);
void img_close(struct img *img);
/* The lowest PT_LOAD address, page aligned: the file's view of the mapping at offset 0. */
uint64_t img_link_base(const struct img *img);
/* Runtime = link-time address + bias; 0 for a non-PIE executable. */
void img_set_bias(struct img *img, uint64_t bias);
bool img_is_pie(const struct img *img);
bool img_has_dwarf(const struct img *img);
int img_symbol(struct img *img, const char *name, uint64_t *addr, uint64_t *size,
	       struct insp_err *err);
int img_section(struct img *img, const char *name, const uint8_t **data, size_t *size,
		uint64_t *addr, struct insp_err *err);

/* types.c: layouts from DWARF */
int img_type_size(struct img *img, const char *type, uint64_t *size, struct insp_err *err);
int img_field(struct img *img, const char *type, const char *path, struct insp_field *out,
	      struct insp_err *err);

#endif
