/* Go expressions for print, parsed and evaluated in one pass over the text:
 *
 *   expr    = "*" expr | "&" expr | postfix
 *   postfix = primary { "." name | "[" expr "]" | "[" [num] ":" [num] "]" }
 *   primary = name | num | string | "(" expr ")" | "(" "*" type ")" "(" num ")"
 *           | ("len" | "cap") "(" expr ")" | '"' path '"' "." name
 *
 * A name is a variable of the frame, else a package variable or constant by its
 * full name ("main.Config", "net/http.DefaultClient",
 * github.com/x/some-svc/v2/server.gitCommit: the longest dotted prefix that names
 * one), its path quoted as Delve writes it ("github.com/x/some-svc/v2/server".
 * gitCommit), or by its package's own name (server.gitCommit) when one package of
 * that name has it. Every error points at the place in the text where it was found.
 * SPDX-License-Identifier: MIT */
#include "value.h"

#include <ctype.h>
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 256
#define MAX_NEST 32 /* parentheses and operators, so that "((((..." cannot recurse deep */

struct parser {
	struct gpr *p;
	const struct insp_var *vars;
	size_t nvars;
	const char *text, *at;
	struct insp_err *err;
	int nest;
	/* A variable of the frame whose name begins what looks like an import
	 * path (github.com/x/y.v): where the path starts and ends, for the hint on
	 * the field after it. */
	const char *path_start, *path_end;
};

static int fail(struct parser *ps, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct parser *ps, const char *where, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	int col = (int)(where - ps->text);

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	/* why may quote the target's names: it stays one line, above the caret */
	for (char *c = why; *c; c++)
		if (*c == '\n' || *c == '\t' || *c == '\r')
			*c = ' ';
	if (strlen(ps->text) > 80)
		return insp_err_set(ps->err, INSP_E_USAGE, "%s (at column %d)", why, col + 1);
	return insp_err_set(ps->err, INSP_E_USAGE, "%s\n  %s\n  %*s^", why, ps->text, col, "");
}

static void
skip_space(struct parser *ps)
{
	while (isspace((unsigned char)*ps->at))
		ps->at++;
}

static bool
eat(struct parser *ps, char c)
{
	skip_space(ps);
	if (*ps->at != c)
		return false;
	ps->at++;
	return true;
}

static bool
is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '/' || (unsigned char)c >= 0x80;
}

/* A name into buf: letters, digits, _ and / (package paths). */
static int
name(struct parser *ps, char *buf)
{
	size_t n = 0;

	skip_space(ps);
	if (!(isalpha((unsigned char)*ps->at) || *ps->at == '_' || (unsigned char)*ps->at >= 0x80))
		return fail(ps, ps->at, "a name was expected here");
	while (is_name_char(*ps->at) && n < MAX_NAME - 1)
		buf[n++] = *ps->at++;
	buf[n] = 0;
	return 0;
}

static int
number(struct parser *ps, uint64_t *v)
{
	char *end;

	skip_space(ps);
	if (!isdigit((unsigned char)*ps->at))
		return fail(ps, ps->at, "a number was expected here");
	*v = strtoull(ps->at, &end, 0);
	ps->at = end;
	return 0;
}

/* Bytes that live as long as the printer: values an expression makes. */
static uint8_t *
scratch(struct parser *ps, size_t n)
{
	struct gpr *p = ps->p;
	uint8_t *b;

	if (p->nscratch == sizeof(p->scratch) / sizeof(p->scratch[0]) || !(b = calloc(1, n)))
		return NULL;
	return p->scratch[p->nscratch++] = b;
}

/* A value of the named type made of n bytes. */
static int
make_value(struct parser *ps, const char *where, const char *type, const void *bytes, size_t n,
	   struct gval *out)
{
	uint8_t *b;

	if (gtype_by_name(ps->p->dw, type, &out->type) < 0)
		return fail(ps, where, "the binary's DWARF has no type %s to hold the result",
			    type);
	if (!(b = scratch(ps, n)))
		return fail(ps, where, "the expression is too complex");
	memcpy(b, bytes, n);
	out->bytes = b;
	out->addr = 0;
	out->size = n;
	return 0;
}

const char *
gexpr_var_value(struct gpr *p, const struct insp_var *vars, size_t n, const struct insp_var *v,
		struct gval *out)
{
	Dwarf_Die t;

	if (!dwarf_offdie(p->dw, v->type, &t))
		return "its type is not in the DWARF";
	*out = (struct gval){ .type = t, .addr = v->addr, .bytes = v->bytes, .size = v->size };
	if (!v->addr && !v->bytes)
		return v->why ? v->why : "no location at this pc";
	/* "&x": x was moved to the heap, and this is its address */
	if (v->name[0] == '&') {
		uint64_t ptr;
		Dwarf_Die et;

		if (gval_uint(p, out, 0, 8, &ptr) < 0 || !ptr)
			return "its heap address could not be read";
		if (gtype_pointee(&t, &et) < 0)
			return "its type is not in the DWARF";
		*out = gval_at(&et, ptr);
	}
	/* A generic function's variable: its real type, not its shape (of the
	 * same size: the location still holds), or why it keeps the shape. */
	p->shape_why = gshape_resolve(p, vars, n, &out->type) ?: p->shape_why;
	return NULL;
}

/* What an import path may hold, and the dots before a member and its fields:
 * "github.com/nats-io/nats-server/v2/server.gitCommit". */
static bool
is_path_char(char c)
{
	return is_name_char(c) || c == '.' || c == '-' || c == '~';
}

/* The value of a package variable or constant found in the DWARF. */
static int
package_value(struct parser *ps, const char *start, const struct gpkg_name *g, struct gval *out)
{
	static const char *const ints[] = { "int",   "int8",   "int16",  "int32",  "int64",  "uint",
					    "uint8", "uint16", "uint32", "uint64", "uintptr" };
	struct insp_var gv;
	const char *why;
	enum gkind k;
	Dwarf_Die t;

	if (!g->constant) {
		if (ps->p->h->global_var(ps->p->h->ctx, g->dwarf_name, &gv, NULL) < 0)
			return fail(ps, start, "%s has no location in the DWARF", g->full);
		if ((why = gexpr_var_value(ps->p, NULL, 0, &gv, out)))
			return fail(ps, start, "%s is unreadable: %s", g->full, why);
		return 0;
	}
	/* A constant prints as its number, as Delve prints one: as the
	 * predeclared integer of its kind, not the named type (a DW_TAG_base_type
	 * of its own in Go's DWARF) whose constants would name it. */
	if (!dwarf_offdie(ps->p->dw, g->type, &t))
		return fail(ps, start, "%s has no type in the DWARF", g->full);
	k = gtype_kind(&t);
	if (k < GK_INT || k > GK_UINTPTR)
		return fail(ps, start, "%s is a constant of kind %d", g->full, (int)k);
	return make_value(ps, start, ints[k - GK_INT], &g->value, gtype_size(&t), out);
}

/* A package variable or constant named prefix + [from, e) for the last e in
 * (from, end] at a dot or at end that names one exactly (the dots after it are
 * fields, for the caller); else, with by_package, "pkg.member" at from by the
 * package's own name ("server.gitCommit"), when one package of that name has
 * it. 1 with *out and ps->at at e; 0 if none; -1 on error. */
static int
package_member(struct parser *ps, const char *start, const char *prefix, const char *from,
	       const char *end, bool by_package, struct gval *out)
{
	char full[MAX_NAME * 2], pkg[MAX_NAME], member[MAX_NAME];
	size_t pl = strlen(prefix);
	struct gpkg_name g, other;
	const char *e, *dot;
	int r;

	for (e = end; e > from; e--) {
		if ((e != end && *e != '.') || e[-1] == '.' ||
		    pl + (size_t)(e - from) >= sizeof(full))
			continue;
		snprintf(full, sizeof(full), "%s%.*s", prefix, (int)(e - from), from);
		if ((r = gpkg_exact(ps->p, full, &g)) < 0)
			return fail(ps, start, "out of memory for the package names");
		if (r == 1) {
			ps->at = e;
			return package_value(ps, start, &g, out) < 0 ? -1 : 1;
		}
	}
	if (!by_package || !(dot = memchr(from, '.', (size_t)(end - from))) ||
	    (size_t)(dot - from) >= sizeof(pkg) || memchr(from, '/', (size_t)(dot - from)) ||
	    memchr(from, '-', (size_t)(dot - from)))
		return 0;
	for (e = dot + 1; e < end && *e != '.'; e++)
		;
	if (e == dot + 1 || (size_t)(e - dot) > sizeof(member))
		return 0;
	snprintf(pkg, sizeof(pkg), "%.*s", (int)(dot - from), from);
	snprintf(member, sizeof(member), "%.*s", (int)(e - dot - 1), dot + 1);
	if ((r = gpkg_short(ps->p, pkg, member, &g, &other)) < 0)
		return fail(ps, start, "out of memory for the package names");
	if (r == 0)
		return 0;
	if (r > 1)
		return fail(ps, start, "%s.%s is ambiguous: \"%.*s\".%s or \"%.*s\".%s%s", pkg,
			    member, (int)(strlen(g.full) - strlen(member) - 1), g.full, member,
			    (int)(strlen(other.full) - strlen(member) - 1), other.full, member,
			    r > 2 ? " or more" : "");
	ps->at = e;
	return package_value(ps, start, &g, out) < 0 ? -1 : 1;
}

/* After a field that is not one (or the variable unreadable), where a frame
 * variable hid a package path:
 * "; a package path? quote it: "PATH".member" into buf (else ""). */
static const char *
path_hint(struct parser *ps, const char *where, char *buf, size_t size)
{
	const char *s = ps->path_start, *e = ps->path_end, *slash, *dot, *mend;

	buf[0] = 0;
	if (!s || where < s || where >= e)
		return buf;
	slash = memrchr(s, '/', (size_t)(e - s));
	if (!(dot = memchr(slash, '.', (size_t)(e - slash))))
		return buf;
	for (mend = dot + 1; mend < e && *mend != '.'; mend++)
		;
	snprintf(buf, size, "; a package path? quote it: \"%.*s\".%.*s", (int)(dot - s), s,
		 (int)(mend - dot - 1), dot + 1);
	return buf;
}

/* The end of the run of path characters at start, without trailing dots. */
static const char *
path_run(const char *start)
{
	const char *end = start;

	while (is_path_char(*end))
		end++;
	while (end > start && end[-1] == '.')
		end--;
	return end;
}

/* Why nm, no variable of the frame, names no package member either (nm has no
 * dot): where it was looked for, and the package variable of that name that
 * the user may have meant. */
static int
no_variable(struct parser *ps, const char *start, const char *nm)
{
	struct gpkg_name g, other;
	char hint[MAX_NAME * 2] = "";
	int r = gpkg_short(ps->p, NULL, nm, &g, &other);

	if (r > 0)
		snprintf(hint, sizeof(hint), "; a package variable of that name: %s%s", g.full,
			 r > 1 ? " (and more)" : "");
	if (!ps->p->frame)
		return fail(ps, start,
			    "no frame is selected (task N; frame K) and no package variable is "
			    "named %s alone: name it with its package (pkg.%s)%s",
			    nm, nm, hint);
	if (ps->p->frame_pkg[0])
		return fail(ps, start, "no variable %s in this frame or its package (%s.%s)%s", nm,
			    ps->p->frame_pkg, nm, hint);
	return fail(ps, start, "no variable %s in this frame%s", nm, hint);
}

/* A variable of the frame, else of its function's package (x is PKG.x in the
 * code of PKG, as Delve looks it up), else a package variable or constant: by
 * its full name, the longest that names one, its package path unquoted
 * ("github.com/x/some-svc/v2/server.gitCommit") where no variable of the
 * frame has the name before its first dot; else by its package's own name
 * ("server.gitCommit"). The rest of the dots are fields (done by the caller). */
static int
resolve(struct parser *ps, const char *start, const char *nm, struct gval *out)
{
	const char *why, *end = path_run(start), *slash, *dot;
	char full[sizeof(ps->p->frame_pkg) + MAX_NAME], hint[MAX_NAME * 2];
	struct gpkg_name g;
	int r;

	/* the last of that name: an inner block's, or the compiler's later copy,
	 * hides the others (the variables come outer first), as in Delve */
	for (size_t i = ps->nvars; i-- > 0;) {
		const char *vn = ps->vars[i].name;

		if (strcmp(vn, nm) != 0 && !(vn[0] == '&' && strcmp(vn + 1, nm) == 0))
			continue;
		/* "github.com/x/y.gitCommit" with a variable github: the path is
		 * its fields to the parser, and the quoted path the way out */
		slash = memchr(start, '/', (size_t)(end - start));
		if (slash && memchr(start, '.', (size_t)(slash - start))) {
			ps->path_start = start;
			ps->path_end = end;
		}
		if ((why = gexpr_var_value(ps->p, ps->vars, ps->nvars, &ps->vars[i], out)))
			return fail(ps, start, "%s is <optimized out>: %s%s", nm, why,
				    path_hint(ps, ps->at, hint, sizeof(hint)));
		return 0;
	}
	if (ps->p->frame_pkg[0] && !strchr(nm, '/')) {
		snprintf(full, sizeof(full), "%s.%s", ps->p->frame_pkg, nm);
		if ((r = gpkg_exact(ps->p, full, &g)) < 0)
			return fail(ps, start, "out of memory for the package names");
		if (r == 1)
			return package_value(ps, start, &g, out);
	}
	if ((r = package_member(ps, start, "", start, end, true, out)) != 0)
		return r < 0 ? -1 : 0;
	if (!memchr(start, '.', (size_t)(end - start)))
		return no_variable(ps, start, nm);
	/* name what was looked for: the path and the member after it */
	for (slash = dot = start; dot < end; dot++)
		if (*dot == '/')
			slash = dot;
	dot = memchr(slash, '.', (size_t)(end - slash));
	for (dot = dot ? dot + 1 : end; dot < end && *dot != '.'; dot++)
		;
	return fail(ps, start,
		    "%s%s%s package variable or integer constant %.*s (Go's DWARF has no other "
		    "constants)",
		    ps->p->frame ? "no variable " : "", ps->p->frame ? nm : "",
		    ps->p->frame ? " in this frame, nor a" : "no", (int)(dot - start), start);
}

/* "PATH".member: a package variable or constant of the quoted import path, as
 * Delve writes it ("github.com/nats-io/nats-server/v2/server".gitCommit). */
static int
quoted_package(struct parser *ps, const char *start, struct gval *out)
{
	const char *close = strchr(start + 1, '"'), *from, *end;
	char prefix[MAX_NAME + 1];
	int r;

	if (!close)
		return fail(ps, start, "the string has no closing quote");
	if (close[1] != '.' || !is_name_char(close[2]) || isdigit((unsigned char)close[2]))
		return fail(ps, close + 1, "a quoted package path is followed by .NAME");
	if ((size_t)(close - start) >= sizeof(prefix))
		return fail(ps, start, "the package path is too long");
	snprintf(prefix, sizeof(prefix), "%.*s.", (int)(close - start - 1), start + 1);
	from = close + 2;
	for (end = from; is_name_char(*end) || *end == '.'; end++)
		;
	while (end > from && end[-1] == '.')
		end--;
	if ((r = package_member(ps, start, prefix, from, end, false, out)) != 0)
		return r < 0 ? -1 : 0;
	for (end = from; is_name_char(*end); end++)
		;
	return fail(ps, start, "no package variable or integer constant %s%.*s in the DWARF",
		    prefix, (int)(end - from), from);
}

static int expr(struct parser *ps, struct gval *out);

/* Follow a pointer value to what it points at. */
static int
deref(struct parser *ps, const char *where, const struct gval *v, struct gval *out)
{
	Dwarf_Die et;
	uint64_t ptr;

	if (gtype_kind(&v->type) != GK_PTR)
		return fail(ps, where, "%s is not a pointer", gtype_name(&v->type));
	if (gval_uint(ps->p, v, 0, 8, &ptr) < 0)
		return fail(ps, where, "the pointer could not be read");
	if (!ptr)
		return fail(ps, where, "nil pointer dereference");
	/* a shape pointer stands for any pointer: what it points to is unknown */
	if (gshape_is(&v->type))
		return fail(ps, where, "%s is a shape type, the real one unknown: %s",
			    gtype_name(&v->type),
			    ps->p->shape_why ? ps->p->shape_why : "no dictionary to read it from");
	if (gtype_pointee(&v->type, &et) < 0)
		return fail(ps, where, "%s points to no type", gtype_name(&v->type));
	*out = gval_at(&et, ptr);
	return 0;
}

static int
field(struct parser *ps, struct gval *v)
{
	char hint[MAX_NAME * 2];
	const char *where;
	char nm[MAX_NAME];
	Dwarf_Die ft;
	uint64_t off;

	skip_space(ps);
	where = ps->at;
	if (name(ps, nm) < 0)
		return -1;
	/* p.f through a pointer, as Go does */
	if (gtype_kind(&v->type) == GK_PTR && deref(ps, where, v, v) < 0)
		return -1;
	if (gtype_kind(&v->type) != GK_STRUCT)
		return fail(ps, where, "%s is not a struct: it has no field %s%s",
			    gtype_name(&v->type), nm, path_hint(ps, where, hint, sizeof(hint)));
	if (gtype_field(&v->type, nm, &ft, &off) < 0)
		return fail(ps, where, "%s has no field %s%s", gtype_name(&v->type), nm,
			    path_hint(ps, where, hint, sizeof(hint)));
	if (v->bytes) {
		if (off + gtype_size(&ft) > v->size)
			return fail(ps, where, "field %s lies outside the value", nm);
		v->bytes += off;
		v->size = gtype_size(&ft);
		v->type = ft;
		return 0;
	}
	*v = gval_at(&ft, v->addr + off);
	return 0;
}

/* Base address, length, capacity and element type of an array, slice or string. */
static int
sequence(struct parser *ps, const char *where, const struct gval *v, uint64_t *base, uint64_t *len,
	 uint64_t *cap, Dwarf_Die *et)
{
	enum gkind k = gtype_kind(&v->type);
	Dwarf_Die t;

	switch (k) {
	case GK_ARRAY:
		gtype_peel(&v->type, &t);
		if (gtype_ref(&t, DW_AT_type, et) < 0 || !gtype_size(et) || !v->addr)
			return fail(ps, where, "this array cannot be indexed here");
		*base = v->addr;
		*len = *cap = v->size / gtype_size(et);
		return 0;
	case GK_SLICE:
	case GK_STRING:
		if (gval_uint(ps->p, v, 0, 8, base) < 0 || gval_uint(ps->p, v, 8, 8, len) < 0 ||
		    (k == GK_SLICE && gval_uint(ps->p, v, 16, 8, cap) < 0))
			return fail(ps, where, "its header could not be read");
		if (k == GK_STRING) {
			*cap = *len;
			if (gtype_by_name(ps->p->dw, "uint8", et) < 0)
				return fail(ps, where, "the DWARF has no uint8");
		} else if (gtype_ref_through(&v->type, DW_AT_go_elem, et) < 0) {
			return fail(ps, where, "the slice has no element type");
		}
		return 0;
	default:
		return fail(ps, where, "%s cannot be indexed", gtype_name(&v->type));
	}
}

/* A literal map key, as a value of the map's key type. */
static int
key_literal(struct parser *ps, Dwarf_Die *kt, struct gval *key)
{
	enum gkind k = gtype_kind(kt);
	const char *where;

	skip_space(ps);
	where = ps->at;
	if (*ps->at == '"') {
		const char *end = strchr(ps->at + 1, '"');
		uint64_t hdr[2];
		uint8_t *s;

		if (!end)
			return fail(ps, where, "the string has no closing quote");
		if (k != GK_STRING)
			return fail(ps, where, "the map's keys are %s, not strings",
				    gtype_name(kt));
		if (!(s = scratch(ps, (size_t)(end - ps->at))))
			return fail(ps, where, "the expression is too complex");
		memcpy(s, ps->at + 1, (size_t)(end - ps->at - 1));
		/* A string whose bytes are ours: gomap_index reads them through
		 * gval_read of a value with bytes, never from the target. */
		hdr[0] = (uint64_t)(uintptr_t)s;
		hdr[1] = (uint64_t)(end - ps->at - 1);
		ps->at = end + 1;
		return make_value(ps, where, gtype_name(kt), hdr, sizeof(hdr), key);
	}
	{
		bool neg = eat(ps, '-');
		uint64_t u;
		int64_t i;

		if (number(ps, &u) < 0)
			return -1;
		i = neg ? -(int64_t)u : (int64_t)u;
		if (k < GK_INT || k > GK_UINTPTR)
			return fail(ps, where, "the map's keys are %s, not integers",
				    gtype_name(kt));
		return make_value(ps, where, gtype_name(kt), &i, gtype_size(kt), key);
	}
}

static int
index_or_slice(struct parser *ps, const char *where, struct gval *v)
{
	uint64_t base, len, cap, lo = 0, hi;
	bool has_hi = false;
	Dwarf_Die et;

	if (gtype_kind(&v->type) == GK_MAP) {
		Dwarf_Die kt;
		struct gval key;
		int r;

		if (gtype_ref(&v->type, DW_AT_go_key, &kt) < 0)
			return fail(ps, where, "the map has no key type");
		if (key_literal(ps, &kt, &key) < 0)
			return -1;
		if (!eat(ps, ']'))
			return fail(ps, ps->at, "']' was expected here");
		r = gomap_index(ps->p, v, &key, v);
		if (r < 0)
			return fail(ps, where, "the map could not be searched for that key");
		if (r == 0)
			return fail(ps, where, "the map has no such key");
		return 0;
	}
	if (sequence(ps, where, v, &base, &len, &cap, &et) < 0)
		return -1;
	skip_space(ps);
	if (*ps->at != ':' && number(ps, &lo) < 0)
		return -1;
	if (eat(ps, ']')) {
		if (lo >= len)
			return fail(ps, where, "index %llu out of range [0:%llu]",
				    (unsigned long long)lo, (unsigned long long)len);
		*v = gval_at(&et, base + lo * gtype_size(&et));
		return 0;
	}
	if (!eat(ps, ':'))
		return fail(ps, ps->at, "']' or ':' was expected here");
	skip_space(ps);
	if (*ps->at != ']') {
		if (number(ps, &hi) < 0)
			return -1;
		has_hi = true;
	}
	if (!eat(ps, ']'))
		return fail(ps, ps->at, "']' was expected here");
	if (!has_hi)
		hi = len;
	if (lo > hi || hi > cap)
		return fail(ps, where, "slice bounds out of range [%llu:%llu] with capacity %llu",
			    (unsigned long long)lo, (unsigned long long)hi,
			    (unsigned long long)cap);
	{
		uint64_t hdr[3] = { base + lo * gtype_size(&et), hi - lo, cap - lo };
		char tn[MAX_NAME + 4];
		enum gkind k = gtype_kind(&v->type);

		if (k == GK_STRING)
			return make_value(ps, where, "string", hdr, 16, v);
		if (k == GK_SLICE)
			return make_value(ps, where, gtype_name(&v->type), hdr, 24, v);
		snprintf(tn, sizeof(tn), "[]%s", gtype_name(&et));
		return make_value(ps, where, tn, hdr, 24, v);
	}
}

static int
builtin(struct parser *ps, const char *where, const char *fn, struct gval *out)
{
	uint64_t base, len = 0, cap = 0, n;
	Dwarf_Die et;
	struct gval v;
	enum gkind k;

	if (expr(ps, &v) < 0)
		return -1;
	if (!eat(ps, ')'))
		return fail(ps, ps->at, "')' was expected here");
	k = gtype_kind(&v.type);
	if (k == GK_MAP && strcmp(fn, "len") == 0) {
		if (gomap_len(ps->p, &v, &len) < 0)
			return fail(ps, where, "the map could not be read");
	} else if (k == GK_CHAN) {
		if (gochan_len_cap(ps->p, &v, &len, &cap) < 0)
			return fail(ps, where, "the channel could not be read");
	} else if (sequence(ps, where, &v, &base, &len, &cap, &et) < 0) {
		return -1;
	} else if (k == GK_STRING && strcmp(fn, "cap") == 0) {
		return fail(ps, where, "invalid argument: a string has no cap");
	}
	n = strcmp(fn, "len") == 0 ? len : cap;
	return make_value(ps, where, "int", &n, 8, out);
}

/* (*T)(0xADDR): the value of type T at an address. */
static int
cast(struct parser *ps, const char *where, struct gval *out)
{
	char tn[MAX_NAME * 2] = "*";
	const char *t = ps->at;
	Dwarf_Die pt;
	uint64_t addr;

	/* the type's package path as the DWARF spells it: dots, dashes */
	while (is_path_char(*ps->at))
		ps->at++;
	if ((size_t)(ps->at - t) + 2 > sizeof(tn))
		return fail(ps, where, "the type name is too long");
	memcpy(tn + 1, t, (size_t)(ps->at - t));
	tn[1 + (ps->at - t)] = 0;
	if (!eat(ps, ')') || !eat(ps, '('))
		return fail(ps, ps->at, "(*T)(0xADDRESS) was expected");
	if (number(ps, &addr) < 0)
		return -1;
	if (!eat(ps, ')'))
		return fail(ps, ps->at, "')' was expected here");
	if (gtype_by_name(ps->p->dw, tn, &pt) < 0)
		return fail(ps, where + 1, "no type %s in the binary's DWARF", tn);
	return make_value(ps, where, tn, &addr, 8, out);
}

static int
primary(struct parser *ps, struct gval *out)
{
	char nm[MAX_NAME];
	const char *where;

	skip_space(ps);
	where = ps->at;
	if (eat(ps, '(')) {
		skip_space(ps);
		if (*ps->at == '*') {
			const char *save = ps->at;

			ps->at++;
			skip_space(ps);
			/* (*T)(addr) when a name and ")(" follow; else (*p) */
			if (isalpha((unsigned char)*ps->at)) {
				const char *q = ps->at;

				while (is_path_char(*q))
					q++;
				if (q[0] == ')' && q[1] == '(')
					return cast(ps, where, out);
			}
			ps->at = save;
		}
		if (expr(ps, out) < 0)
			return -1;
		if (!eat(ps, ')'))
			return fail(ps, ps->at, "')' was expected here");
		return 0;
	}
	if (!*ps->at)
		return fail(ps, ps->at, "an expression was expected");
	if (isdigit((unsigned char)*ps->at))
		return fail(ps, where, "a number alone has no value to print here");
	if (*ps->at == '"')
		return quoted_package(ps, where, out);
	if (name(ps, nm) < 0)
		return -1;
	if ((strcmp(nm, "len") == 0 || strcmp(nm, "cap") == 0) && eat(ps, '('))
		return builtin(ps, where, nm, out);
	return resolve(ps, where, nm, out);
}

static int
postfix(struct parser *ps, struct gval *v)
{
	if (primary(ps, v) < 0)
		return -1;
	for (;;) {
		const char *where;

		skip_space(ps);
		where = ps->at;
		if (eat(ps, '.')) {
			if (field(ps, v) < 0)
				return -1;
		} else if (eat(ps, '[')) {
			if (index_or_slice(ps, where, v) < 0)
				return -1;
		} else {
			return 0;
		}
	}
}

static int
expr(struct parser *ps, struct gval *out)
{
	const char *where;
	int r;

	if (++ps->nest > MAX_NEST)
		return fail(ps, ps->at, "the expression nests too deep");
	skip_space(ps);
	where = ps->at;
	if (eat(ps, '*')) {
		struct gval v;

		r = expr(ps, &v) < 0 ? -1 : deref(ps, where, &v, out);
	} else if (eat(ps, '&')) {
		struct gval v;
		char tn[MAX_NAME + 2];

		r = expr(ps, &v);
		if (r == 0 && !v.addr)
			r = fail(ps, where + 1, "it has no address (not in memory as a whole)");
		if (r == 0) {
			snprintf(tn, sizeof(tn), "*%s", gtype_name(&v.type));
			r = make_value(ps, where, tn, &v.addr, 8, out);
		}
	} else {
		r = postfix(ps, out);
	}
	ps->nest--;
	return r;
}

int
gexpr_eval(struct gpr *p, const struct insp_var *vars, size_t n, const char *text, struct gval *out,
	   struct insp_err *err)
{
	struct parser ps = { p, vars, n, text, text, err, 0, NULL, NULL };

	if (expr(&ps, out) < 0)
		return -1;
	skip_space(&ps);
	if (*ps.at)
		return fail(&ps, ps.at, "unexpected '%c': the expression ends before it", *ps.at);
	return 0;
}
