/* libFuzzer harness of the image layer (src/image): the input is an executable's
 * file. It is opened as the target's would be (ELF header, program headers, DWARF,
 * the GNU build-id note and .gnu_debuglink of the search for a debug file), then
 * asked for what the Go plugin asks: sections, symbols, type layouts, package
 * variables. Any answer or -1; never a crash. The debug file search looks under
 * a folder that does not exist, and debuginfod is off.
 * SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sections[] = { ".go.buildinfo", ".gopclntab", ".data.rel.ro.gopclntab",
					".go.module",    ".rodata",    ".note.gnu.build-id",
					".gnu_debuglink" };
static const char *const symbols[] = { "runtime.allglen", "runtime.allgptr", "runtime.text",
				       "main.main" };

static void
ask(struct img *img)
{
	struct insp_err err = INSP_ERR_INIT;
	struct insp_field f;
	struct img_var v;
	const uint8_t *d;
	uint64_t a, s;
	size_t n;

	(void)img_link_base(img);
	(void)img_is_pie(img);
	(void)img_has_dwarf(img);
	(void)img_debug_search(img);
	(void)img_debug_rejected(img);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (img_section(img, sections[i], &d, &n, &a, &err) == 0 && n)
			(void)(volatile uint8_t)(d[0] ^ d[n - 1]); /* ASan checks the bounds */
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++)
		(void)img_symbol(img, symbols[i], &a, &s, &err);
	(void)img_type_size(img, "runtime.g", &s, &err);
	(void)img_field(img, "runtime.g", "sched.pc", &f, &err);
	(void)img_global_var(img, "main.Config", &v, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct insp_err err = INSP_ERR_INIT;
	struct img *img;
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC), fd2;

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	(void)img_fd_has_section(fd, ".gopclntab");
	fd2 = dup(fd);
	close(fd);
	if (fd2 < 0)
		abort();
	if (img_open_fd(&img, fd2, "/nonexistent/inspect-fuzz/exe", "", &err) == 0) {
		ask(img);
		img_close(img);
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsetenv("DEBUGINFOD_URLS");
	setenv("INSPECT_DEBUG_ROOT", "/nonexistent/inspect-fuzz", 1);
	return 0;
}
