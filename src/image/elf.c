/* The image layer's ELF side: open the executable, find sections and symbols, and
 * turn link-time addresses into runtime ones with the load bias (PIE).
 * SPDX-License-Identifier: MIT */
#include "image/image-int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *shdr);

int
img_open(struct img **out, const char *path, const char *display_name, const char *root,
	 struct insp_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return insp_err_set(err, errno == EACCES ? INSP_E_PERM : INSP_E_SYS,
				    "cannot open '%s': %s", display_name, strerror(errno));
	return img_open_fd(out, fd, display_name, root, err);
}

int
img_open_fd(struct img **out, int fd, const char *display_name, const char *root,
	    struct insp_err *err)
{
	struct img *img;
	GElf_Ehdr ehdr;
	size_t nph;

	elf_version(EV_CURRENT);
	img = calloc(1, sizeof(*img));
	if (!img) {
		close(fd);
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	}
	img->debug_fd = -1;
	img->fd = fd;
	img->name = strdup(display_name);
	img->elf = elf_begin(img->fd, ELF_C_READ_MMAP, NULL);
	if (!img->name || !img->elf || elf_kind(img->elf) != ELF_K_ELF ||
	    !gelf_getehdr(img->elf, &ehdr)) {
		insp_err_set(err, INSP_E_NOTGO, "'%s' is not an ELF executable", display_name);
		goto fail;
	}
	if (ehdr.e_ident[EI_CLASS] != ELFCLASS64 || ehdr.e_machine != EM_X86_64) {
		insp_err_set(err, INSP_E_LAYOUT,
			     "'%s' is not an x86-64 executable (not supported yet)", display_name);
		goto fail;
	}
	img->pie = ehdr.e_type == ET_DYN;
	img->link_base = UINT64_MAX;
	if (elf_getphdrnum(img->elf, &nph) == 0) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(img->elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
			    ph.p_vaddr < img->link_base)
				img->link_base = ph.p_vaddr & ~(uint64_t)0xfff;
		}
	}
	if (img->link_base == UINT64_MAX)
		img->link_base = 0;
	/* No DWARF is not an error here: the caller decides what it needs. */
	img->dwarf = dwarf_begin_elf(img->elf, DWARF_C_READ, NULL);
	if (!img->dwarf || !find_section(img->elf, ".symtab", &(GElf_Shdr){ 0 }))
		img_find_debug_file(img, display_name, root);
	*out = img;
	return 0;
fail:
	img_close(img);
	return -1;
}

void
img_close(struct img *img)
{
	if (!img)
		return;
	if (img->dwarf)
		dwarf_end(img->dwarf);
	if (img->elf)
		elf_end(img->elf);
	if (img->fd >= 0)
		close(img->fd);
	if (img->debug_elf)
		elf_end(img->debug_elf);
	if (img->debug_fd >= 0)
		close(img->debug_fd);
	free(img->debug_path);
	free(img->funcs);
	free(img->name);
	free(img);
}

uint64_t
img_link_base(const struct img *img)
{
	return img->link_base;
}

uint64_t
img_bias(const struct img *img)
{
	return img->bias;
}

void
img_set_bias(struct img *img, uint64_t bias)
{
	img->bias = bias;
}

bool
img_is_pie(const struct img *img)
{
	return img->pie;
}

bool
img_has_dwarf(const struct img *img)
{
	return img->dwarf != NULL;
}

static Elf_Scn *
find_section(Elf *elf, const char *name, GElf_Shdr *shdr)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, shdr))
			continue;
		n = elf_strptr(elf, shstrndx, shdr->sh_name);
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

int
img_section(struct img *img, const char *name, const uint8_t **data, size_t *size, uint64_t *addr,
	    struct insp_err *err)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_section(img->elf, name, &shdr);
	Elf_Data *d;

	if (!scn || shdr.sh_type == SHT_NOBITS)
		return insp_err_set(err, INSP_E_LAYOUT, "'%s' has no section %s", img->name, name);
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf)
		return insp_err_set(err, INSP_E_CORRUPT, "cannot read section %s of '%s': %s", name,
				    img->name, elf_errmsg(-1));
	*data = d->d_buf;
	*size = d->d_size;
	if (addr)
		*addr = shdr.sh_addr + img->bias;
	return 0;
}

int
img_symbol(struct img *img, const char *name, uint64_t *addr, uint64_t *size, struct insp_err *err)
{
	GElf_Shdr shdr;
	/* a stripped executable's symbols are in its debug file */
	Elf *elf = find_section(img->elf, ".symtab", &shdr) || !img->debug_elf ? img->elf
									       : img->debug_elf;
	Elf_Scn *scn = find_section(elf, ".symtab", &shdr);
	Elf_Data *d;
	size_t n;

	if (!scn)
		return insp_err_set(err, INSP_E_LAYOUT,
				    "'%s' has no symbol table (stripped), so %s cannot be found",
				    img->name, name);
	d = elf_getdata(scn, NULL);
	n = shdr.sh_entsize ? shdr.sh_size / shdr.sh_entsize : 0;
	for (size_t i = 0; d && i < n; i++) {
		GElf_Sym sym;
		const char *s;

		if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
			continue;
		s = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (s && strcmp(s, name) == 0) {
			*addr = sym.st_value + img->bias;
			if (size)
				*size = sym.st_size;
			return 0;
		}
	}
	return insp_err_set(err, INSP_E_LAYOUT, "'%s' has no symbol %s", img->name, name);
}
