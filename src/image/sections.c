/* The image layer's look at a file that is not (yet) the image: does it have a
 * named section? For a runtime plugin's probe of the libraries a process maps,
 * without the cost of opening each as an image (DWARF, a debug file search).
 * SPDX-License-Identifier: MIT */
#include "image/image-int.h"

#include <string.h>

int
img_fd_has_section(int fd, const char *name)
{
	Elf_Scn *scn = NULL;
	bool found = false;
	size_t shstrndx;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && elf_getshdrstrndx(elf, &shstrndx) == 0) {
		while (!found && (scn = elf_nextscn(elf, scn))) {
			GElf_Shdr shdr;
			const char *n;

			found = gelf_getshdr(scn, &shdr) &&
				(n = elf_strptr(elf, shstrndx, shdr.sh_name)) &&
				strcmp(n, name) == 0;
		}
	}
	if (elf)
		elf_end(elf);
	return found ? 1 : 0;
}
