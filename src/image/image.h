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

#include <elfutils/libdw.h>

struct img;

/* elf.c */
/* Open an ELF executable at path; DWARF is optional (img_has_dwarf). display_name is
 * its path as the process sees it (messages, the .gnu_debuglink search); root is
 * where that path starts from here ("/proc/PID/root"; "" for our own root). */
int img_open(struct img **out, const char *path, const char *display_name, const char *root,
	     struct insp_err *err);
/* The same on fd, open on the file: the image owns it from then on, also when
 * this fails. */
int img_open_fd(struct img **out, int fd, const char *display_name, const char *root,
		struct insp_err *err);
void img_close(struct img *img);
/* The lowest PT_LOAD address, page aligned: the file's view of the mapping at offset 0. */
uint64_t img_link_base(const struct img *img);
/* Runtime = link-time address + bias; 0 for a non-PIE executable. */
void img_set_bias(struct img *img, uint64_t bias);
uint64_t img_bias(const struct img *img);
bool img_is_pie(const struct img *img);
bool img_has_dwarf(const struct img *img);
/* sections.c: the ELF file open on fd has a section of that name: 1, else 0 (also
 * when it is no ELF). fd stays the caller's; no image is made. */
int img_fd_has_section(int fd, const char *name);
/* The separate debug file of another ELF than the image's (a shared library the
 * native unwinder reads), found and checked as the executable's own (build-id,
 * .gnu_debuglink and its CRC; only a regular file of a bounded size), without
 * debuginfod: an fd open on it (the caller closes it) and *found, its path
 * (malloc'd); -1 and *found NULL if none. path: the file as the process sees it;
 * root: where that path starts from here ("" or "/proc/PID/root"). */
int img_debug_fd_for(Elf *elf, const char *path, const char *root, char **found);
/* The separate debug file the DWARF and symbols come from, or NULL (debugfile.c):
 * a path in libdebuginfod's cache when a debuginfod server sent it. */
const char *img_debug_file(const struct img *img);
/* Where the image looked for a debug file and, for debuginfod, what it answered:
 * "by build-id under ...; debuginfod at URL had none", for a message; "" if the
 * executable needed none (it has DWARF and .symtab). Never NULL. */
const char *img_debug_search(const struct img *img);
/* A debug file found but refused, and why ("debug file P not used: its CRC 0x...
 * differs from the .gnu_debuglink's 0x..."), for a note; NULL if none was. */
const char *img_debug_rejected(const struct img *img);
/* The executable's GNU build-id (its NT_GNU_BUILD_ID note) in lower-case hex
 * into hex (size bytes with the NUL; 129 hold any): hex, "" when it has none
 * (Go 1.19's linker writes none) or size is too small. */
const char *img_build_id(const struct img *img, char *hex, size_t size);
int img_symbol(struct img *img, const char *name, uint64_t *addr, uint64_t *size,
	       struct insp_err *err);
int img_section(struct img *img, const char *name, const uint8_t **data, size_t *size,
		uint64_t *addr, struct insp_err *err);

/* types.c: layouts from DWARF */
int img_type_size(struct img *img, const char *type, uint64_t *size, struct insp_err *err);
int img_field(struct img *img, const char *type, const char *path, struct insp_field *out,
	      struct insp_err *err);

/* vars.c: the variables of a frame and of packages, located through DWARF.
 * Locations only: the image never reads the process; the model reads the pieces. */
enum img_piece_kind {
	IMG_PIECE_MEM,   /* in the target's memory at addr */
	IMG_PIECE_REG,   /* in DWARF register reg, which a parked frame no longer has */
	IMG_PIECE_VALUE, /* the value itself (DW_OP_stack_value, implicit_value): value */
	IMG_PIECE_LOST,  /* a piece DWARF gives no location for (DW_OP_piece alone) */
	/* in the target's memory at the address stored at addr (a location ending
	 * in DW_OP_deref: Go's -N -l result moved to the heap, "fbreg -40; deref") */
	IMG_PIECE_MEM_DEREF,
};

struct img_piece {
	enum img_piece_kind kind;
	uint64_t size; /* bytes; 0: the whole value (a location without DW_OP_piece) */
	uint64_t addr; /* MEM, MEM_DEREF: runtime address (load bias applied) */
	unsigned reg;  /* REG */
	uint64_t value;
};

#define IMG_MAX_PIECES 16

struct img_var {
	const char *name; /* as DWARF names it: "&x" for a variable moved to the heap */
	bool arg;         /* a formal parameter (a result too: Go lists them as such) */
	uint64_t type;    /* the DWARF offset of its type's DIE (dwarf_offdie) */
	uint32_t decl_line;
	/* Where it is at this pc; 0 pieces: nowhere (optimized out). */
	size_t npieces;
	struct img_piece pieces[IMG_MAX_PIECES];
};

/* The scope of one logical frame: its pc (a return address less one for a caller),
 * which of the calls inlined at pc (0: the innermost), its canonical frame
 * address (the caller's sp before the call), which Go's frame base is, and for a
 * caller, its return address (0 for the frame that runs): where a variable is at
 * pc in a register, its location there if wholly in memory. */
struct img_scope {
	uint64_t pc;
	uint32_t inline_depth;
	uint64_t cfa;
	uint64_t ret;
};

/* The parameters, then the locals in scope at sc, in DWARF order (outer blocks
 * first). *vars is malloc'd (free it), names point into the image. INSP_E_LAYOUT:
 * no DWARF or no function at pc. */
int img_frame_vars(struct img *img, const struct img_scope *sc, struct img_var **vars, size_t *n,
		   struct insp_err *err);
/* A package variable by its full name ("main.Config", "net/http.DefaultClient"). */
int img_global_var(struct img *img, const char *name, struct img_var *out, struct insp_err *err);
/* The libdw handle for types, or NULL without DWARF. */
Dwarf *img_dwarf(struct img *img);

/* debuginfod.c */
/* First thing in main: when inspect runs with privileges the user lacks (setcap,
 * setuid: AT_SECURE), remove every DEBUGINFOD_* variable from the environment.
 * libdebuginfod reads them with getenv (the servers, its cache folder, which it
 * writes, headers), and libdw's native walk asks the servers itself. A dump then
 * notes "debuginfod not asked" where DEBUGINFOD_URLS was set. */
void img_debuginfod_secure(void);

#endif
