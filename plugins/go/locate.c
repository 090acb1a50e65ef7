/* The Go plugin's addresses: runtime.allglen, allgptr, allm and waitReasonStrings.
 * A binary with symbols names them. A stripped one (-ldflags=-s) has no name for
 * data, so they are found through the code that uses them: the runtime functions
 * that write the registry, found by name in the pclntab, and the addresses their
 * RIP-relative instructions refer to. Every candidate is checked against the
 * runtime's invariants before it is used: a wrong guess must never print wrong
 * goroutines, so none passing is an error that says what was tried.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CANDS 128
#define CHECK_GS  16 /* g structs read to check a registry */

struct cands {
	uint64_t addr[MAX_CANDS];
	uint64_t word[MAX_CANDS]; /* the word at addr when read */
	bool ok[MAX_CANDS];
	size_t n;
};

const uint8_t *
gort_func_code(const struct gort_state *st, const struct insp_host *h, const char *name,
	       struct gort_func *f)
{
	const uint8_t *text;
	size_t n;
	uint64_t base;

	if (!st->pcln || gort_pclntab_lookup(st->pcln, name, f) < 0 ||
	    h->section(h->ctx, ".text", &text, &n, &base, NULL) < 0 || f->entry < base ||
	    f->end > base + n || f->end <= f->entry)
		return NULL;
	return text + (f->entry - base);
}

/* The data addresses the instructions of the function called name refer to
 * RIP-relatively. Every byte offset is tried as the start of a REX.W
 * mov/lea/cmp/xchg with a disp32(%rip) operand, so no instruction decoder is
 * needed; a stray match is one more candidate for the checks to throw away.
 * -1 with tried saying why if the function or its code is not there. */
static int
rip_targets(const struct gort_state *st, const struct insp_host *h, const char *name,
	    struct cands *c, char *tried, size_t size)
{
	struct gort_func f;
	const uint8_t *code = gort_func_code(st, h, name, &f);

	c->n = 0;
	if (!code) {
		snprintf(tried, size, "the code of %s is not in the pclntab and .text", name);
		return -1;
	}
	for (uint64_t pc = f.entry; pc + 7 <= f.end && c->n < MAX_CANDS; pc++) {
		const uint8_t *i = code + (pc - f.entry);
		uint8_t op = i[1];
		uint64_t target;
		size_t k;

		if ((i[0] & 0xf8) != 0x48 || (i[2] & 0xc7) != 0x05 ||
		    (op != 0x8b && op != 0x89 && op != 0x8d && op != 0x39 && op != 0x3b &&
		     op != 0x87))
			continue;
		target = pc + 7 + (uint64_t)(int64_t)(int32_t)gort_u32(i + 3);
		for (k = 0; k < c->n && c->addr[k] != target; k++)
			;
		if (k == c->n && target % 8 == 0)
			c->addr[c->n++] = target;
	}
	return 0;
}

static void
read_words(const struct insp_host *h, struct cands *c)
{
	for (size_t i = 0; i < c->n; i++)
		c->ok[i] = h->read(h->ctx, c->addr[i], &c->word[i], 8, NULL) == 0;
}

static const uint64_t *
word_at(const struct cands *c, uint64_t addr)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->addr[i] == addr && c->ok[i])
			return &c->word[i];
	return NULL;
}

/* A package variable of the module lies where moduledata says they do; a word
 * elsewhere (a type descriptor's size in .rodata that an instruction of
 * allgadd also refers to) is none. Without moduledata's account, any word. */
static bool
is_var(const struct gort_state *st, uint64_t addr)
{
	bool known = false;

	for (size_t i = 0; i < sizeof(st->vars) / sizeof(st->vars[0]); i++) {
		if (addr >= st->vars[i].lo && addr < st->vars[i].hi)
			return true;
		known = known || st->vars[i].hi;
	}
	return !known;
}

/* The one candidate variable, outside the slice header at s, that holds want; 0
 * if none or more than one do. */
static uint64_t
holding(const struct gort_state *st, const struct cands *c, uint64_t s, uint64_t want)
{
	uint64_t found = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (!c->ok[i] || c->word[i] != want || (c->addr[i] >= s && c->addr[i] < s + 24) ||
		    !is_var(st, c->addr[i]))
			continue;
		if (found)
			return 0;
		found = c->addr[i];
	}
	return found;
}

/* The registry's invariants: the first CHECK_GS have a known status, a live one
 * has a stack, and no two share a goroutine id (an id is handed out once, and a g
 * keeps it when it dies; one newproc1 has just made is 0 until it numbers it).
 * The first is runtime.main's g, goroutine 1; but a library's runtime.main
 * (c-shared, c-archive) returns after the library's init: its g is then dead,
 * still goroutine 1, or reused by a later goroutine with a later id, and is
 * never 0 again. */
static bool
registry_holds(const struct gort_state *st, const struct insp_host *h, uint64_t gptr, uint64_t n)
{
	const struct gort_layout *l = &st->l;
	uint64_t gs[CHECK_GS], ids[CHECK_GS];
	uint8_t *g = malloc(l->g_size);
	bool ok = g && n > 0;

	if (n > CHECK_GS)
		n = CHECK_GS;
	ok = ok && h->read(h->ctx, gptr, gs, n * 8, NULL) == 0;
	for (uint64_t i = 0; ok && i < n; i++) {
		uint32_t status;

		ok = gs[i] && h->read(h->ctx, gs[i], g, l->g_size, NULL) == 0;
		if (!ok)
			break;
		status = gort_g_status(l, g);
		ids[i] = gort_u64(g + l->g_goid);
		ok = status <= GORT_G_LAST &&
		     (i > 0 || ids[0] == 1 || (h->image_is_lib && ids[0] > 1)) &&
		     (status == GORT_G_DEAD || status == GORT_G_IDLE ||
		      gort_u64(g + l->g_stack_lo) < gort_u64(g + l->g_stack_hi));
		for (uint64_t k = 0; ok && ids[i] && k < i; k++)
			ok = ids[k] != ids[i];
	}
	free(g);
	return ok;
}

/* allgs is the slice header whose three words runtime.allgadd reads and writes;
 * allgptr holds its data pointer, allglen its length. The process runs: a
 * goroutine started between two reads changes them, so try again. */
static int
find_registry(struct gort_state *st, const struct insp_host *h, char *tried, size_t size)
{
	struct cands c;

	if (rip_targets(st, h, "runtime.allgadd", &c, tried, size) < 0)
		return -1;
	for (int attempt = 0; attempt < 3; attempt++) {
		read_words(h, &c);
		for (size_t i = 0; i < c.n; i++) {
			uint64_t s = c.addr[i], ptr = c.word[i], len, gptr, glen;
			const uint64_t *w1 = word_at(&c, s + 8), *w2 = word_at(&c, s + 16);

			if (!c.ok[i] || !w1 || !w2 || *w1 == 0 || *w1 > *w2 ||
			    *w1 > GORT_MAX_GOROUTINES || !is_var(st, s))
				continue;
			len = *w1;
			gptr = holding(st, &c, s, ptr);
			glen = holding(st, &c, s, len);
			if (!gptr || !glen || gptr == glen || !registry_holds(st, h, ptr, len))
				continue;
			st->l.allgptr = gptr;
			st->l.allglen = glen;
			return 0;
		}
	}
	snprintf(tried, size,
		 "none of the %zu addresses runtime.allgadd uses held a slice of goroutines "
		 "starting with %s, with a pointer and a length in package variables beside it",
		 c.n,
		 h->image_is_lib ? "runtime.main's (goroutine 1, or in a library a later one)"
				 : "goroutine 1");
	return -1;
}

/* Each M's g0 is a g whose m points back at it, down to the end of the list:
 * the number of Ms, or 0 if the list does not hold. */
static size_t
m_list_holds(const struct gort_state *st, const struct insp_host *h, uint64_t m)
{
	const struct gort_layout *l = &st->l;
	size_t n = 0;

	for (; m && n < GORT_MAX_MS; n++) {
		uint64_t g0, back;

		if (h->read(h->ctx, m + l->m_g0, &g0, 8, NULL) < 0 || !g0 ||
		    h->read(h->ctx, g0 + l->g_m, &back, 8, NULL) < 0 || back != m ||
		    h->read(h->ctx, m + l->m_alllink, &m, 8, NULL) < 0)
			return 0;
	}
	return m ? 0 : n;
}

/* The M list from head holds with the table's m.alllink, or, when the table is
 * its minor's, with an offset near it: a patch release can move it (Go 1.23.12
 * and 1.24.6 added a field before it, research/goruntime.md 2.3). A word that
 * is 0 ends a list of one M at any offset, and schedlink links the idle Ms: the
 * offset whose list is the longest is alllink, the table's on a tie with it;
 * another tie is refused. Sets l.m_alllink; false if no list holds. */
static bool
m_list_fits(struct gort_state *st, const struct insp_host *h, uint64_t head)
{
	uint64_t table = st->l.m_alllink, found = table;
	size_t longest = m_list_holds(st, h, head);
	bool tie = false;

	if (!st->table || st->table_exact)
		return longest > 0;
	for (uint64_t off = table > 64 ? table - 64 : 8; off <= table + 64; off += 8) {
		size_t n;

		st->l.m_alllink = off;
		if (off + 8 > st->l.m_size || off == table || !(n = m_list_holds(st, h, head)))
			continue;
		if (n > longest) {
			longest = n;
			found = off;
			tie = false;
		} else if (n == longest && found != table) {
			tie = true;
		}
	}
	st->l.m_alllink = tie ? table : found;
	if (!longest || tie)
		return false;
	if (found != table)
		h->note(h->ctx, "runtime.m.alllink is at %llu here, not at %llu as in %s's table",
			(unsigned long long)found, (unsigned long long)table, st->table->version);
	return true;
}

/* allm: the head of the M list that runtime.mcommoninit pushes each new M on. */
static int
find_allm(struct gort_state *st, const struct insp_host *h, char *tried, size_t size)
{
	struct cands c;

	if (rip_targets(st, h, "runtime.mcommoninit", &c, tried, size) < 0)
		return -1;
	read_words(h, &c);
	for (size_t i = 0; i < c.n; i++)
		if (c.ok[i] && c.word[i] && m_list_fits(st, h, c.word[i])) {
			st->l.allm = c.addr[i];
			return 0;
		}
	snprintf(tried, size,
		 "none of the %zu addresses runtime.mcommoninit uses held a list of Ms whose "
		 "g0 points back at them",
		 c.n);
	return -1;
}

static bool
is_string(const struct insp_host *h, uint64_t ptr, uint64_t len, const char *want)
{
	char buf[GORT_MAX_REASON_LEN];

	if (len == 0 || len >= sizeof(buf) || !ptr || h->read(h->ctx, ptr, buf, len, NULL) < 0)
		return false;
	if (want)
		return len == strlen(want) && memcmp(buf, want, len) == 0;
	for (uint64_t i = 0; i < len; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			return false;
	return true;
}

/* waitReasonStrings: in .data, the [N]string array that starts "", "GC assist
 * marking", "IO wait" in every release since 1.19 (research/goruntime.md 4). Its
 * length is not in the data: count the entries that are strings, up to the
 * table's count for this release. 0 if not found. */
static void
find_reasons(struct gort_state *st, const struct insp_host *h, size_t most)
{
	const uint8_t *d;
	uint8_t *copy;
	uint64_t sa;
	size_t n;

	if (h->section(h->ctx, ".data", &d, &n, &sa, NULL) < 0 || !(copy = malloc(n)))
		return;
	if (h->read(h->ctx, sa, copy, n, NULL) < 0)
		n = 0; /* the scan below finds nothing */
	for (size_t off = 0; off + 48 <= n; off += 8) {
		const uint8_t *e = copy + off;
		size_t k = 3;

		if (gort_u64(e + 8) != 0 || gort_u64(e + 24) != 17 || gort_u64(e + 40) != 7 ||
		    !is_string(h, gort_u64(e + 16), 17, "GC assist marking") ||
		    !is_string(h, gort_u64(e + 32), 7, "IO wait"))
			continue;
		while (k < most && off + (k + 1) * 16 <= n &&
		       is_string(h, gort_u64(e + k * 16), gort_u64(e + k * 16 + 8), NULL))
			k++;
		st->l.reasons_addr = sa + off;
		st->l.nreasons = k;
		break;
	}
	free(copy);
}

int
gort_locate(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	char tried[256];
	uint64_t size;

	if (h->symbol(h->ctx, "runtime.waitReasonStrings", &st->l.reasons_addr, &size, NULL) == 0)
		st->l.nreasons = size / 16;
	else if (st->table)
		find_reasons(st, h, st->table->nreasons);
	if (h->symbol(h->ctx, "runtime.allglen", &st->l.allglen, NULL, NULL) == 0 &&
	    h->symbol(h->ctx, "runtime.allgptr", &st->l.allgptr, NULL, NULL) == 0 &&
	    h->symbol(h->ctx, "runtime.allm", &st->l.allm, NULL, NULL) == 0) {
		uint64_t head;

		h->set_info(h->ctx, "registry", "by name");
		/* DWARF gave the layout, or a table did and its M must fit. */
		if (!st->table ||
		    (h->read(h->ctx, st->l.allm, &head, 8, NULL) == 0 && m_list_fits(st, h, head)))
			return 0;
		return insp_err_set(err, INSP_E_LAYOUT,
				    "the Ms of '%s' do not fit the layout of %s's table (each M's "
				    "g0 pointing back at it, down the list)",
				    h->exe_path, st->table->version);
	}
	if (find_registry(st, h, tried, sizeof(tried)) < 0 ||
	    find_allm(st, h, tried, sizeof(tried)) < 0)
		return insp_err_set(err, INSP_E_LAYOUT,
				    "could not locate the goroutine registry of '%s': it has no "
				    "symbols, and %s",
				    h->exe_path, tried);
	h->set_info(h->ctx, "registry", "code of runtime.allgadd and mcommoninit");
	return 0;
}
