/* The unwind layer's native unwinder: libdwfl over the copied thread stacks.
 * dwfl_attach_state takes our callbacks for threads, registers and memory, so the
 * walk reads only what was copied during the stop (a read outside the copies ends
 * the walk there) and never touches the live process.
 * SPDX-License-Identifier: MIT */
#include "unwind/unwind.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/image.h"
#include "target/target.h"

/* Files whose ELF could not be opened, for the caller's notes. */
#define MAX_MISSING 8

struct uw_native {
	Dwfl *dwfl;
	int exe_fd; /* the executable, whose ELF tells libdwfl the architecture */
	Elf *exe_elf;
	const struct insp_thread *threads;
	size_t nthreads;
	pid_t pid;
	/* the walk in progress */
	struct uw_frame *out;
	int max, n;
	/* a walk from a given state instead of a thread's registers */
	struct insp_thread from;
	bool use_from;
	char missing[MAX_MISSING][1024];
	size_t nmissing;
};

/* A module's debug file, by the image layer's search (img_debug_fd_for), not
 * libdwfl's: that one opens whatever sits at the .gnu_debuglink's name beside the
 * file, in a folder a container owns (a FIFO blocks it, a sparse file makes it
 * read gigabytes for the CRC), and would ask debuginfod for every library, each
 * with libdebuginfod's 90 s timeout. Native frames need only the files' CFI and
 * symbols; the image layer already asked debuginfod, once and bounded, for the
 * executable's. */
static int
find_debuginfo_checked(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		       const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		       char **debuginfo_file_name)
{
	struct uw_native *u = *userdata; /* set by lend_self */
	char path[4096], root[64];
	Dwarf_Addr bias;
	Elf *elf;

	(void)base, (void)file_name, (void)debuglink_file, (void)debuglink_crc;
	if (!u || modname[0] != '/' || !(elf = dwfl_module_getelf(mod, &bias)))
		return -1;
	snprintf(path, sizeof(path), "%s", modname);
	tgt_path_strip_deleted(path);
	tgt_proc_root(u->pid, root, sizeof(root));
	return img_debug_fd_for(elf, path, root, debuginfo_file_name);
}

/* The file of a module, opened through the process (tgt_open_mapped), never by the
 * name /proc/PID/maps gives it, which dwfl_linux_proc_find_elf opens: that name may
 * be a deleted file (a deploy), which it then builds from the process's memory,
 * failing for a static executable ("Couldn't find architecture of any ELF"), or
 * another file than the one mapped (a container's path seen from the host), whose
 * symbols would name frames wrongly. [vdso] and the like keep libdwfl's way. */
static int
find_elf_mapped(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		char **file_name, Elf **elfp)
{
	struct uw_native *u = *userdata; /* set by lend_self */
	char why[400], path[4096], seen[4200];
	Dwarf_Addr lo;
	int fd;

	if (modname[0] != '/' || !u)
		return dwfl_linux_proc_find_elf(mod, userdata, modname, base, file_name, elfp);
	dwfl_module_info(mod, NULL, &lo, NULL, NULL, NULL, NULL, NULL);
	snprintf(path, sizeof(path), "%s", modname);
	tgt_path_strip_deleted(path);
	fd = tgt_open_mapped(u->pid, lo, why, sizeof(why));
	if (fd < 0) {
		if (u->nmissing < MAX_MISSING)
			snprintf(u->missing[u->nmissing++], sizeof(u->missing[0]),
				 "%.600s (%.400s)", path, why);
		return -1;
	}
	*elfp = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!*elfp) {
		close(fd);
		return -1;
	}
	/* Its name, for libdwfl's messages: the file as the process sees it,
	 * from here. */
	free(*file_name);
	*file_name = NULL;
	if (tgt_proc_root_path(u->pid, path, seen, sizeof(seen)) == 0)
		*file_name = strdup(seen);
	return fd;
}

/* Each module's userdata is the unwinder, for find_elf_mapped. */
static int
lend_self(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start, void *arg)
{
	(void)mod, (void)name, (void)start;
	*userdata = arg;
	return DWARF_CB_OK;
}

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = find_elf_mapped,
	.find_debuginfo = find_debuginfo_checked,
};

/* The thread argument libdwfl hands back is the struct insp_thread itself. */
static pid_t
next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct uw_native *u = arg;
	const struct insp_thread *t = *thread_argp;
	size_t i = t ? (size_t)(t - u->threads) + 1 : 0;

	(void)dwfl;
	while (i < u->nthreads && !u->threads[i].regs_ok)
		i++;
	if (i >= u->nthreads)
		return 0;
	*thread_argp = (void *)&u->threads[i];
	return u->threads[i].tid;
}

static bool
get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct uw_native *u = arg;

	(void)dwfl;
	if (u->use_from) {
		*thread_argp = &u->from;
		return true;
	}
	for (size_t i = 0; i < u->nthreads; i++) {
		if (u->threads[i].tid == tid && u->threads[i].regs_ok) {
			*thread_argp = (void *)&u->threads[i];
			return true;
		}
	}
	return false;
}

/* A word of any thread's stack copy; anything else ends the walk. */
static bool
memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct uw_native *u = arg;

	(void)dwfl;
	for (size_t i = 0; i < u->nthreads; i++) {
		const struct insp_thread *t = &u->threads[i];

		if (t->stack && addr >= t->stack_addr && addr - t->stack_addr <= t->stack_len - 8 &&
		    t->stack_len >= 8) {
			memcpy(result, t->stack + (addr - t->stack_addr), 8);
			return true;
		}
	}
	return false;
}

static bool
set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	const struct insp_thread *t = thread_arg;
	Dwarf_Word regs[INSP_NREGS];

	for (size_t r = 0; r < INSP_NREGS; r++)
		regs[r] = t->regs[r];
	if (!dwfl_thread_state_registers(thread, 0, INSP_NREGS, regs))
		return false;
	dwfl_thread_state_register_pc(thread, t->pc);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

int
uw_native_open(struct uw_native **out, pid_t pid, const struct insp_thread *threads,
	       size_t nthreads, struct insp_err *err)
{
	struct uw_native *u = calloc(1, sizeof(*u));
	char exe[64];
	int rc;

	if (!u)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	u->exe_fd = -1;
	u->threads = threads;
	u->nthreads = nthreads;
	u->pid = pid;
	u->dwfl = dwfl_begin(&proc_callbacks);
	if (!u->dwfl) {
		insp_err_set(err, INSP_E_SYS, "cannot start libdwfl: %s", dwfl_errmsg(-1));
		goto fail;
	}
	dwfl_report_begin(u->dwfl);
	/* dwfl_linux_proc_report returns an errno (reading /proc/PID/maps), or -1
	 * with libdwfl's own error */
	rc = dwfl_linux_proc_report(u->dwfl, pid);
	if (rc == 0 && dwfl_report_end(u->dwfl, NULL, NULL) != 0)
		rc = -1;
	if (rc != 0) {
		/* EACCES: /proc/PID/maps is not ours to read, the process is there */
		insp_err_set(err, rc == EACCES || rc == EPERM ? INSP_E_PERM : INSP_E_NOPROC,
			     "cannot read the modules of process %d: %s", (int)pid,
			     rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
		goto fail;
	}
	dwfl_getmodules(u->dwfl, lend_self, u, 0);
	/* libdwfl takes the architecture from the first module it can read, but
	 * skips those named " (deleted)": a static executable replaced on disk left
	 * it none ("Couldn't find architecture of any ELF"). Give it the executable. */
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	u->exe_fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (u->exe_fd >= 0)
		u->exe_elf = elf_begin(u->exe_fd, ELF_C_READ_MMAP, NULL);
	if (!dwfl_attach_state(u->dwfl, u->exe_elf, pid, &thread_callbacks, u)) {
		insp_err_set(err, INSP_E_SYS, "cannot unwind process %d: %s", (int)pid,
			     dwfl_errmsg(-1));
		goto fail;
	}
	*out = u;
	return 0;
fail:
	uw_native_close(u);
	return -1;
}

void
uw_native_close(struct uw_native *u)
{
	if (!u)
		return;
	if (u->dwfl)
		dwfl_end(u->dwfl);
	if (u->exe_elf)
		elf_end(u->exe_elf);
	if (u->exe_fd >= 0)
		close(u->exe_fd);
	free(u);
}

const char *
uw_native_missing(const struct uw_native *u, size_t i)
{
	return i < u->nmissing ? u->missing[i] : NULL;
}

static int
on_frame(Dwfl_Frame *frame, void *arg)
{
	struct uw_native *u = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(frame, &pc, &activation))
		return DWARF_CB_ABORT;
	u->out[u->n].pc = pc;
	u->out[u->n].call_site = !activation;
	return ++u->n < u->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

int
uw_native_frames(struct uw_native *u, pid_t tid, struct uw_frame *out, int max, const char **why)
{
	int r, e;

	*why = NULL;
	u->out = out;
	u->max = max;
	u->n = 0;
	if (max < 1)
		return 0;
	r = dwfl_getthread_frames(u->dwfl, tid, on_frame, u);
	e = dwfl_errno();
	if (u->n == max)
		*why = "frame limit";
	else if (r != 0 && e != 0)
		*why = dwfl_errmsg(e);
	return u->n;
}

int
uw_native_frames_from(struct uw_native *u, uint64_t pc, uint64_t sp, uint64_t fp,
		      struct uw_frame *out, int max, const char **why)
{
	int n;

	memset(&u->from, 0, sizeof(u->from));
	u->from.tid = u->pid; /* any thread will do: the registers are these */
	u->from.pc = pc;
	u->from.regs[6] = fp;  /* rbp */
	u->from.regs[7] = sp;  /* rsp */
	u->from.regs[16] = pc; /* rip */
	u->from.regs_ok = true;
	u->use_from = true;
	n = uw_native_frames(u, u->pid, out, max, why);
	u->use_from = false;
	if (n > 0)
		out[0].call_site = true; /* a return address, though the walk starts there */
	return n;
}

int
uw_native_symbol(struct uw_native *u, const struct uw_frame *f, const char **func,
		 const char **module, const char **file, int *line)
{
	Dwarf_Addr pc = f->call_site ? f->pc - 1 : f->pc;
	Dwfl_Module *mod = dwfl_addrmodule(u->dwfl, pc);
	const char *path;
	Dwfl_Line *l;

	*func = NULL;
	*file = NULL;
	*line = 0;
	if (!mod)
		return -1;
	path = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	*module = path;
	*func = dwfl_module_addrname(mod, pc);
	l = dwfl_module_getsrc(mod, pc);
	if (l)
		*file = dwfl_lineinfo(l, NULL, line, NULL, NULL, NULL);
	return 0;
}
