/* The plugin's struct insp_host: the image, the stopped process's memory and the
 * snapshot's memory, as the plugin ABI offers them, during a capture and, for
 * print, while inspect attach keeps the process stopped.
 * SPDX-License-Identifier: MIT */
#include "model/model-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "target/target.h"

static int
grow(void *arrp, size_t *cap, size_t n, size_t elem)
{
	void **arr = arrp;
	size_t want;
	void *p;

	if (n < *cap)
		return 0;
	want = *cap ? *cap * 2 : 64;
	p = realloc(*arr, want * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = want;
	return 0;
}

static int
host_symbol(void *ctx, const char *name, uint64_t *addr, uint64_t *size, struct insp_err *err)
{
	return img_symbol(((struct mdl_host_ctx *)ctx)->img, name, addr, size, err);
}

static int
host_section(void *ctx, const char *name, const uint8_t **data, size_t *size, uint64_t *addr,
	     struct insp_err *err)
{
	return img_section(((struct mdl_host_ctx *)ctx)->img, name, data, size, addr, err);
}

static int
host_type_size(void *ctx, const char *type, uint64_t *size, struct insp_err *err)
{
	return img_type_size(((struct mdl_host_ctx *)ctx)->img, type, size, err);
}

static int
host_field(void *ctx, const char *type, const char *path, struct insp_field *out,
	   struct insp_err *err)
{
	return img_field(((struct mdl_host_ctx *)ctx)->img, type, path, out, err);
}

static int
host_read(void *ctx, uint64_t addr, void *buf, size_t len, struct insp_err *err)
{
	struct mdl_host_ctx *c = ctx;

	if (!c->proc)
		return insp_err_set(err, INSP_E_EXITED, "the process is no longer stopped");
	return tgt_read(c->proc, addr, buf, len, err);
}

static int
host_readv(void *ctx, struct insp_read *reads, size_t n, struct insp_err *err)
{
	struct mdl_host_ctx *c = ctx;

	if (!c->proc)
		return insp_err_set(err, INSP_E_EXITED, "the process is no longer stopped");
	return tgt_readv(c->proc, reads, n, err);
}

static int
host_readable(void *ctx, uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	struct mdl_host_ctx *c = ctx;

	return c->maps ? tgt_maps_readable(c->maps, addr, lo, hi) : -1;
}

static void *
host_alloc(void *ctx, size_t size)
{
	struct mdl_snapshot *s = ((struct mdl_host_ctx *)ctx)->s;
	void *p = arena_alloc(&s->arena, size);

	if (!p)
		s->alloc_failed = true;
	return p;
}

static struct insp_task *
host_add_task(void *ctx)
{
	struct mdl_snapshot *s = ((struct mdl_host_ctx *)ctx)->s;
	struct insp_task *t;

	if (grow(&s->tasks, &s->tasks_cap, s->ntasks, sizeof(*s->tasks)) < 0)
		return NULL;
	t = host_alloc(ctx, sizeof(*t));
	if (t) {
		t->wait_ns = -1;
		s->tasks[s->ntasks++] = t;
	}
	return t;
}

static void
host_add_reason(void *ctx, const char *reason)
{
	struct mdl_snapshot *s = ((struct mdl_host_ctx *)ctx)->s;

	if (grow(&s->reasons, &s->reasons_cap, s->nreasons, sizeof(*s->reasons)) == 0)
		s->reasons[s->nreasons++] = reason;
}

static void
host_set_info(void *ctx, const char *key, const char *value)
{
	struct mdl_snapshot *s = ((struct mdl_host_ctx *)ctx)->s;
	char *v = arena_strdup(&s->arena, value);

	for (size_t i = 0; i < s->ninfo; i++) {
		if (strcmp(s->info[i].key, key) == 0) {
			s->info[i].value = v;
			return;
		}
	}
	if (v && s->ninfo < MDL_MAX_INFO) {
		s->info[s->ninfo].key = key;
		s->info[s->ninfo++].value = v;
	}
}

/* The format attributes here let clang's -Wformat-nonliteral (the fuzz build)
 * see that fmt is checked at the callers. */
static void __attribute__((format(printf, 2, 0)))
vnote(struct mdl_snapshot *s, const char *fmt, va_list ap)
{
	char buf[512];
	char *copy;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	copy = arena_strdup(&s->arena, buf);
	if (copy && grow(&s->notes, &s->notes_cap, s->nnotes, sizeof(*s->notes)) == 0)
		s->notes[s->nnotes++] = copy;
}

void
mdl_note(struct mdl_snapshot *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(s, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
host_note(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vnote(((struct mdl_host_ctx *)ctx)->s, fmt, ap);
	va_end(ap);
}

static void *
host_dwarf(void *ctx)
{
	return img_dwarf(((struct mdl_host_ctx *)ctx)->img);
}

/* The address stored at addr (a DW_OP_deref location): 0, or -1 if unreadable
 * or nil. */
static int
deref(struct mdl_host_ctx *c, uint64_t addr, uint64_t *out)
{
	uint64_t word;

	if (host_read(c, addr, &word, sizeof(word), NULL) < 0 || !word)
		return -1;
	*out = word;
	return 0;
}

/* Read a located variable: in memory as a whole, its address is enough (the
 * plugin reads what it prints); from pieces, its bytes are put together here,
 * and a piece in a register or nowhere makes it <optimized out>. */
static int
read_var(struct mdl_host_ctx *c, const struct img_var *iv, struct insp_var *v, struct insp_err *err)
{
	Dwarf *dw = img_dwarf(c->img);
	Dwarf_Die type;
	Dwarf_Word size = 0;
	uint8_t *bytes;
	uint64_t off = 0, at;

	*v = (struct insp_var){ .name = iv->name, .arg = iv->arg, .type = iv->type };
	if (dw && dwarf_offdie(dw, iv->type, &type) && dwarf_aggregate_size(&type, &size) == 0)
		v->size = size;
	if (iv->npieces == 0) {
		v->why = "no location at this pc";
		return 0;
	}
	if (iv->npieces == 1 && iv->pieces[0].kind == IMG_PIECE_MEM) {
		v->addr = iv->pieces[0].addr;
		return 0;
	}
	if (iv->npieces == 1 && iv->pieces[0].kind == IMG_PIECE_MEM_DEREF) {
		if (deref(c, iv->pieces[0].addr, &v->addr) < 0)
			v->why = "the address of it could not be read";
		return 0;
	}
	if (!v->size || v->size > 1 << 20)
		return v->why = "pieces of unknown size", 0;
	bytes = host_alloc(c, v->size);
	if (!bytes)
		return insp_err_set(err, INSP_E_SYS, "out of memory");
	for (size_t i = 0; i < iv->npieces; i++) {
		const struct img_piece *p = &iv->pieces[i];
		uint64_t len = p->size ? p->size : v->size;

		if (len > v->size - off)
			return v->why = "its pieces are larger than its type", 0;
		switch (p->kind) {
		case IMG_PIECE_MEM:
			if (host_read(c, p->addr, bytes + off, len, NULL) < 0)
				return v->why = "a piece of it could not be read", 0;
			break;
		case IMG_PIECE_MEM_DEREF:
			if (deref(c, p->addr, &at) < 0 ||
			    host_read(c, at, bytes + off, len, NULL) < 0)
				return v->why = "a piece of it could not be read", 0;
			break;
		case IMG_PIECE_VALUE:
			memcpy(bytes + off, &p->value, len < 8 ? len : 8);
			break;
		case IMG_PIECE_REG:
			return v->why = "part of it is in a register", 0;
		case IMG_PIECE_LOST:
			return v->why = "part of it has no location at this pc", 0;
		}
		off += len;
	}
	v->bytes = bytes;
	return 0;
}

static int
host_frame_vars(void *ctx, const struct insp_scope *sc, struct insp_var **vars, size_t *n,
		struct insp_err *err)
{
	struct mdl_host_ctx *c = ctx;
	struct img_scope is = { sc->call_site ? sc->pc - 1 : sc->pc, sc->inline_depth, sc->cfa,
				sc->call_site ? sc->pc : 0 };
	struct img_var *iv = NULL;
	size_t ni = 0;
	int ret = 0;

	*vars = NULL;
	*n = 0;
	if (img_frame_vars(c->img, &is, &iv, &ni, err) < 0)
		return -1;
	if (ni && !(*vars = host_alloc(c, ni * sizeof(**vars))))
		ret = insp_err_set(err, INSP_E_SYS, "out of memory");
	for (size_t i = 0; ret == 0 && i < ni; i++)
		ret = read_var(c, &iv[i], &(*vars)[i], err);
	if (ret == 0)
		*n = ni;
	free(iv);
	return ret;
}

static int
host_global_var(void *ctx, const char *name, struct insp_var *out, struct insp_err *err)
{
	struct mdl_host_ctx *c = ctx;
	struct img_var iv;

	if (img_global_var(c->img, name, &iv, err) < 0)
		return -1;
	return read_var(c, &iv, out, err);
}

void
mdl_host_init(struct insp_host *h, struct mdl_host_ctx *c)
{
	*h = (struct insp_host){
		.ctx = c,
		.symbol = host_symbol,
		.section = host_section,
		.type_size = host_type_size,
		.field = host_field,
		.read = host_read,
		.readv = host_readv,
		.alloc = host_alloc,
		.add_task = host_add_task,
		.add_reason = host_add_reason,
		.set_info = host_set_info,
		.note = host_note,
		.dwarf = host_dwarf,
		.frame_vars = host_frame_vars,
		.global_var = host_global_var,
	};
	if (c->maps)
		h->readable = host_readable;
	if (c->img) {
		h->exe_path = c->s->runtime_lib ? c->s->runtime_lib : c->s->exe;
		h->has_dwarf = img_has_dwarf(c->img);
		h->debug_search = img_debug_search(c->img);
		h->load_bias = img_bias(c->img);
		h->image_is_lib = c->s->runtime_lib != NULL;
	}
}
