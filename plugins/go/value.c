/* Printing Go values as Delve prints them (so that the two can be compared), with
 * Go's own representation of each kind read from the target: a string is a
 * pointer and a length, a slice adds a capacity, an interface is a type word and
 * a data word. Maps and channels are in gomap.c and gochan.c.
 * SPDX-License-Identifier: MIT */
#include "value.h"

#include <dwarf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes read for one scalar or header at most; larger values are read in parts. */
#define MAX_READ 4096

void
gp_puts(struct gpr *p, const char *s)
{
	size_t n = strlen(s);

	if (p->oom)
		return;
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 256;
		char *b;

		while (cap < p->len + n + 1)
			cap *= 2;
		if (!(b = realloc(p->buf, cap))) {
			p->oom = true;
			return;
		}
		p->buf = b;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, s, n + 1);
	p->len += n;
}

void
gp_printf(struct gpr *p, const char *fmt, ...)
{
	char small[256], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		gp_puts(p, small);
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&big, fmt, ap) >= 0)
		gp_puts(p, big);
	va_end(ap);
	free(big);
}

void
gval_unreadable(struct gpr *p, const char *why)
{
	gp_printf(p, "<unreadable: %s>", why);
}

struct gval
gval_at(const Dwarf_Die *t, uint64_t addr)
{
	return (struct gval){ .type = *t, .addr = addr, .size = gtype_size(t) };
}

int
gval_read(struct gpr *p, const struct gval *v, uint64_t off, void *buf, size_t len)
{
	if (v->bytes) {
		if (off > v->size || len > v->size - off)
			return -1;
		memcpy(buf, v->bytes + off, len);
		return 0;
	}
	if (!v->addr || off + len < off)
		return -1;
	return p->h->read(p->h->ctx, v->addr + off, buf, len, NULL);
}

int
gval_uint(struct gpr *p, const struct gval *v, uint64_t off, size_t len, uint64_t *out)
{
	uint8_t b[8];

	*out = 0;
	if (len > 8 || gval_read(p, v, off, b, len) < 0)
		return -1;
	for (size_t i = len; i-- > 0;)
		*out = *out << 8 | b[i];
	return 0;
}

/* Go's strconv.FormatFloat(f, 'g', -1, bits): the shortest digits that read back
 * as f, in %e form when the exponent is < -4 or >= 21. */
static void
print_float(struct gpr *p, double f, bool single)
{
	char digits[64], out[96];
	int prec, exp;

	if (isnan(f) || isinf(f)) {
		gp_puts(p, isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, f);
		if (single ? strtof(digits, NULL) == (float)f : strtod(digits, NULL) == f)
			break;
	}
	exp = atoi(strchr(digits, 'e') + 1);
	if (exp < -4 || exp >= 21) {
		/* Go writes e+06 as e+06 and e+100 as e+100: two digits at least. */
		char *e = strchr(digits, 'e');

		*e = 0;
		snprintf(out, sizeof(out), "%se%c%02d", digits, exp < 0 ? '-' : '+', abs(exp));
	} else {
		snprintf(out, sizeof(out), "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, f);
	}
	gp_puts(p, out);
}

/* Go's strconv.Quote for the bytes of a string: printable ASCII as is, the
 * usual escapes, valid UTF-8 as is, other bytes as \x. */
static void
print_quoted(struct gpr *p, const uint8_t *s, size_t n)
{
	gp_puts(p, "\"");
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		char e[8] = { 0 };

		switch (c) {
		case '"':
			gp_puts(p, "\\\"");
			continue;
		case '\\':
			gp_puts(p, "\\\\");
			continue;
		case '\n':
			gp_puts(p, "\\n");
			continue;
		case '\t':
			gp_puts(p, "\\t");
			continue;
		case '\r':
			gp_puts(p, "\\r");
			continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			e[0] = (char)c;
		} else if (c >= 0xc2 && c <= 0xf4) {
			/* a whole, valid UTF-8 sequence passes through */
			size_t len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, k = 1;

			while (k < len && i + k < n && (s[i + k] & 0xc0) == 0x80)
				k++;
			if (k == len) {
				memcpy(e, s + i, len);
				gp_puts(p, e);
				i += len - 1;
				continue;
			}
			snprintf(e, sizeof(e), "\\x%02x", c);
		} else {
			snprintf(e, sizeof(e), "\\x%02x", c);
		}
		gp_puts(p, e);
	}
	gp_puts(p, "\"");
}

static void
print_string(struct gpr *p, const struct gval *v)
{
	uint64_t ptr, len, shown;
	uint8_t *b;

	if (gval_uint(p, v, 0, 8, &ptr) < 0 || gval_uint(p, v, 8, 8, &len) < 0)
		return gval_unreadable(p, "string header");
	shown = len < p->o->max_string ? len : p->o->max_string;
	if (len && !ptr)
		return gval_unreadable(p, "nil data with a length");
	b = malloc(shown + 1);
	if (!b || (shown && p->h->read(p->h->ctx, ptr, b, shown, NULL) < 0)) {
		free(b);
		return gp_printf(p, "<unreadable: %llu bytes at 0x%llx>", (unsigned long long)len,
				 (unsigned long long)ptr);
	}
	if (shown < len) {
		/* Delve's cut: the bytes shown, then how many more, in the quotes */
		print_quoted(p, b, shown);
		p->len--, p->buf[p->len] = 0;
		gp_printf(p, "...+%llu more\"", (unsigned long long)(len - shown));
	} else {
		print_quoted(p, b, shown);
	}
	free(b);
}

static void
print_scalar(struct gpr *p, const struct gval *v, enum gkind k)
{
	static const uint8_t sizes[] = {
		[GK_BOOL] = 1,    [GK_INT] = 8,     [GK_INT8] = 1,           [GK_INT16] = 2,
		[GK_INT32] = 4,   [GK_INT64] = 8,   [GK_UINT] = 8,           [GK_UINT8] = 1,
		[GK_UINT16] = 2,  [GK_UINT32] = 4,  [GK_UINT64] = 8,         [GK_UINTPTR] = 8,
		[GK_FLOAT32] = 4, [GK_FLOAT64] = 8, [GK_UNSAFE_POINTER] = 8,
	};
	unsigned n = sizes[k];
	uint64_t u;

	if (gval_uint(p, v, 0, n, &u) < 0)
		return gval_unreadable(p, "its bytes");
	switch (k) {
	case GK_BOOL:
		gp_puts(p, u == 1 ? "true" : u == 0 ? "false" : "<corrupt bool>");
		break;
	case GK_INT:
	case GK_INT8:
	case GK_INT16:
	case GK_INT32:
	case GK_INT64: {
		int shift = 64 - 8 * (int)n;
		int64_t i = (int64_t)(u << shift) >> shift;

		/* a named type's constant first, as Delve: "InvalidLevel (6)" */
		gp_printf(p, gpkg_describe(p, &v->type, i) ? " (%lld)" : "%lld", (long long)i);
		break;
	}
	case GK_FLOAT32: {
		uint32_t w = (uint32_t)u;
		float f;

		memcpy(&f, &w, 4);
		print_float(p, f, true);
		break;
	}
	case GK_FLOAT64: {
		double f;

		memcpy(&f, &u, 8);
		print_float(p, f, false);
		break;
	}
	case GK_UNSAFE_POINTER:
		gp_printf(p, "unsafe.Pointer(0x%llx)", (unsigned long long)u);
		break;
	default: /* the unsigned integers, as the signed ones */
		gp_printf(p, gpkg_describe(p, &v->type, (int64_t)u) ? " (%llu)" : "%llu",
			  (unsigned long long)u);
		break;
	}
}

static void
print_complex(struct gpr *p, const struct gval *v, bool c64)
{
	unsigned half = c64 ? 4 : 8;
	uint64_t re, im;
	double r, i;

	if (gval_uint(p, v, 0, half, &re) < 0 || gval_uint(p, v, half, half, &im) < 0)
		return gval_unreadable(p, "its bytes");
	if (c64) {
		uint32_t a = (uint32_t)re, b = (uint32_t)im;
		float fa, fb;

		memcpy(&fa, &a, 4), memcpy(&fb, &b, 4);
		r = fa, i = fb;
	} else {
		memcpy(&r, &re, 8), memcpy(&i, &im, 8);
	}
	gp_puts(p, "(");
	print_float(p, r, c64);
	gp_puts(p, " + ");
	print_float(p, i, c64);
	gp_puts(p, "i)");
}

/* Elements [0, n) of type et from addr, at most max_elems, Delve's way: "[a,b,c]". */
static void
print_elems(struct gpr *p, Dwarf_Die *et, uint64_t addr, const uint8_t *bytes, uint64_t n,
	    uint32_t depth)
{
	uint64_t esize = gtype_size(et), shown = n < p->o->max_elems ? n : p->o->max_elems;

	gp_puts(p, "[");
	for (uint64_t i = 0; i < shown && !p->oom; i++) {
		struct gval e = { .type = *et, .size = esize };

		if (bytes)
			e.bytes = bytes + i * esize;
		else
			e.addr = addr + i * esize;
		if (i)
			gp_puts(p, ",");
		gval_print(p, &e, depth + 1, false);
	}
	if (shown < n)
		gp_printf(p, "%s...+%llu more", shown ? "," : "", (unsigned long long)(n - shown));
	gp_puts(p, "]");
}

static void
print_array(struct gpr *p, const struct gval *v, uint32_t depth, bool type)
{
	Dwarf_Die t, et;
	uint64_t esize, n;

	gtype_peel(&v->type, &t);
	if (type)
		gp_printf(p, "%s ", gtype_name(&v->type));
	if (gtype_ref(&t, DW_AT_type, &et) < 0)
		return gval_unreadable(p, "no element type");
	esize = gtype_size(&et);
	n = esize ? v->size / esize : 0;
	if (depth >= p->o->max_depth && n)
		return gp_puts(p, "[...]");
	print_elems(p, &et, v->addr, v->bytes, n, depth);
}

static void
print_slice(struct gpr *p, const struct gval *v, uint32_t depth, bool type)
{
	uint64_t ptr, len, cap;
	Dwarf_Die et;

	if (type)
		gp_printf(p, "%s ", gtype_name(&v->type));
	if (gval_uint(p, v, 0, 8, &ptr) < 0 || gval_uint(p, v, 8, 8, &len) < 0 ||
	    gval_uint(p, v, 16, 8, &cap) < 0)
		return gval_unreadable(p, "slice header");
	gp_printf(p, "len: %llu, cap: %llu, ", (unsigned long long)len, (unsigned long long)cap);
	if (!ptr)
		return gp_puts(p, "nil");
	if (gtype_ref_through(&v->type, DW_AT_go_elem, &et) < 0)
		return gval_unreadable(p, "no element type");
	if (depth >= p->o->max_depth && len)
		return gp_puts(p, "[...]");
	print_elems(p, &et, ptr, NULL, len, depth);
}

static void
print_struct(struct gpr *p, const struct gval *v, uint32_t depth, bool type)
{
	Dwarf_Die t, m;
	bool first = true;

	gtype_peel(&v->type, &t);
	if (type)
		gp_printf(p, "%s ", gtype_name(&v->type));
	if (depth >= p->o->max_depth)
		return gp_puts(p, "{...}");
	gp_puts(p, "{");
	if (dwarf_child(&t, &m) == 0) {
		do {
			Dwarf_Attribute a;
			Dwarf_Word off;
			struct gval f;

			if (dwarf_tag(&m) != DW_TAG_member)
				continue;
			if (!dwarf_attr(&m, DW_AT_data_member_location, &a) ||
			    dwarf_formudata(&a, &off) != 0 ||
			    gtype_ref(&m, DW_AT_type, &f.type) < 0)
				continue;
			f.size = gtype_size(&f.type);
			f.addr = v->bytes ? 0 : v->addr + off;
			f.bytes = v->bytes && off + f.size <= v->size ? v->bytes + off : NULL;
			gp_printf(p, "%s%s: ", first ? "" : ", ", dwarf_diename(&m) ?: "?");
			first = false;
			gval_print(p, &f, depth + 1, true);
		} while (dwarf_siblingof(&m, &m) == 0 && !p->oom);
	}
	gp_puts(p, "}");
}

/* Delve: "*main.Point {X: 3, Y: 4}" for the value print was asked for; deeper,
 * the address; nil as "*main.Point nil". We add the address at the top too. */
static void
print_pointer(struct gpr *p, const struct gval *v, uint32_t depth, bool type)
{
	uint64_t ptr;
	Dwarf_Die et;

	if (gval_uint(p, v, 0, 8, &ptr) < 0)
		return gval_unreadable(p, "pointer");
	if (!ptr)
		return gp_printf(p, "%s%snil", type ? gtype_name(&v->type) : "", type ? " " : "");
	/* A generic function's shape pointer (go.shape.*uint8) stands for any
	 * pointer: its pointee's type is a placeholder, so it is not followed. */
	if (gshape_is(&v->type)) {
		gp_printf(p, "(%s)(0x%llx)", gtype_name(&v->type), (unsigned long long)ptr);
		if (depth == 0)
			gp_printf(p, " <shape type, the real one unknown: %s>",
				  p->shape_why ? p->shape_why : "no dictionary to read it from");
		return;
	}
	if (depth >= p->o->max_depth || gtype_pointee(&v->type, &et) < 0 || !gtype_size(&et))
		return gp_printf(p, "(%s)(0x%llx)", gtype_name(&v->type), (unsigned long long)ptr);
	struct gval e = gval_at(&et, ptr);

	gp_printf(p, "(%s)(0x%llx) ", gtype_name(&v->type), (unsigned long long)ptr);
	gval_print(p, &e, depth + 1, false);
}

/* An interface: its dynamic type from the type word (an itab's _type for a
 * non-empty one), its value in the data word, directly when pointer-shaped. */
static void
print_interface(struct gpr *p, const struct gval *v, uint32_t depth, bool type)
{
	uint64_t tw, data, rtype;
	Dwarf_Die t, dyn;
	const char *name = gtype_name(&v->type);
	bool eface = strcmp(name, "interface {}") == 0 || strcmp(name, "any") == 0;
	uint8_t word[8];
	struct gval e;
	enum gkind k;

	(void)type;
	gtype_peel(&v->type, &t);
	if (gval_uint(p, v, 0, 8, &tw) < 0 || gval_uint(p, v, 8, 8, &data) < 0)
		return gval_unreadable(p, "interface words");
	if (!tw)
		return gp_printf(p, "%s nil", name);
	rtype = tw;
	/* runtime.itab: inter, then _type (Go 1.19 to 1.26) */
	if (!eface && p->h->read(p->h->ctx, tw + 8, &rtype, 8, NULL) < 0)
		return gval_unreadable(p, "itab");
	if (gtype_of_rtype(p, rtype, &dyn) < 0)
		return gp_printf(p, "%s(<type at 0x%llx>) 0x%llx", name, (unsigned long long)rtype,
				 (unsigned long long)data);
	gp_printf(p, "%s(%s) ", name, gtype_name(&dyn));
	k = gtype_kind(&dyn);
	/* Pointer-shaped values live in the data word itself. */
	if (k == GK_PTR || k == GK_UNSAFE_POINTER || k == GK_MAP || k == GK_CHAN || k == GK_FUNC) {
		memcpy(word, &data, 8);
		e = (struct gval){ .type = dyn, .bytes = word, .size = 8 };
		if (k == GK_PTR) {
			Dwarf_Die et;

			if (!data)
				return gp_puts(p, "nil");
			if (depth >= p->o->max_depth || gtype_pointee(&dyn, &et) < 0)
				return gp_printf(p, "0x%llx", (unsigned long long)data);
			/* Delve: "*{X: 3, Y: 4}" */
			e = gval_at(&et, data);
			gp_puts(p, "*");
			return gval_print(p, &e, depth + 1, false);
		}
		return gval_print(p, &e, depth + 1, false);
	}
	e = gval_at(&dyn, data);
	gval_print(p, &e, depth + 1, false);
}

/* A func value points to a closure whose first word is the code's address. */
static void
print_func(struct gpr *p, const struct gval *v)
{
	struct gort_func f;
	uint64_t fv, pc;

	if (gval_uint(p, v, 0, 8, &fv) < 0)
		return gval_unreadable(p, "func value");
	if (!fv)
		return gp_puts(p, "nil");
	if (p->h->read(p->h->ctx, fv, &pc, 8, NULL) < 0)
		return gval_unreadable(p, "closure");
	if (gort_pclntab_find(p->st->pcln, pc, &f) < 0)
		return gp_printf(p, "func at 0x%llx", (unsigned long long)pc);
	gp_puts(p, gort_name_print(p->st->names, f.name));
}

/* time.Time: Delve's "time.Time(2024-01-02T03:04:05Z){wall: .., ext: .., loc: ..}"
 * shape, the readable part computed from wall and ext (Go's time.go). */
static bool
print_time(struct gpr *p, const struct gval *v, uint32_t depth)
{
	uint64_t wall, ext, loc;
	int64_t sec;
	long long days, rem, y, mo, d, era, doe, yoe, doy, mp;

	if (gval_uint(p, v, 0, 8, &wall) < 0 || gval_uint(p, v, 8, 8, &ext) < 0 ||
	    gval_uint(p, v, 16, 8, &loc) < 0)
		return false;
	if (wall >> 63) /* hasMonotonic: 33 bits of seconds since 1885 */
		sec = (int64_t)((wall << 1) >> 31) + 59453308800LL;
	else
		sec = (int64_t)ext;
	sec -= 62135596800LL; /* from year 1 to 1970 */
	days = sec / 86400;
	rem = sec % 86400;
	if (rem < 0)
		rem += 86400, days--;
	/* civil from days (Howard Hinnant's algorithm) */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	mo = mp < 10 ? mp + 3 : mp - 9;
	y += mo <= 2;
	gp_printf(p, "time.Time(%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", y, mo, d, rem / 3600,
		  rem / 60 % 60, rem % 60);
	if (wall & ((1u << 30) - 1))
		gp_printf(p, ".%09llu", (unsigned long long)(wall & ((1u << 30) - 1)));
	gp_puts(p, loc ? " in its Location)" : "Z)");
	(void)depth;
	gp_printf(p, "{wall: %llu, ext: %lld, loc: ", (unsigned long long)wall, (long long)ext);
	if (loc)
		gp_printf(p, "(*time.Location)(0x%llx)}", (unsigned long long)loc);
	else
		gp_puts(p, "*time.Location nil}");
	return true;
}

/* time.Duration as Go's String prints it: 1.5s, 2m0s, 150ms. */
static void
print_duration(struct gpr *p, int64_t d)
{
	uint64_t u = d < 0 ? -(uint64_t)d : (uint64_t)d;
	const char *sign = d < 0 ? "-" : "";

	if (u == 0)
		return gp_puts(p, "0s");
	if (u < 1000)
		return gp_printf(p, "%s%lluns", sign, (unsigned long long)u);
	if (u < 1000000)
		return gp_printf(p, "%s%gµs", sign, (double)u / 1e3);
	if (u < 1000000000)
		return gp_printf(p, "%s%gms", sign, (double)u / 1e6);
	{
		uint64_t h = u / 3600000000000ULL, m = u / 60000000000ULL % 60;
		double s = (double)(u % 60000000000ULL) / 1e9;

		if (h)
			gp_printf(p, "%s%lluh%llum%.9gs", sign, (unsigned long long)h,
				  (unsigned long long)m, s);
		else if (m)
			gp_printf(p, "%s%llum%.9gs", sign, (unsigned long long)m, s);
		else
			gp_printf(p, "%s%.9gs", sign, s);
	}
}

void
gval_print(struct gpr *p, const struct gval *v, uint32_t depth, bool type)
{
	enum gkind k = gtype_kind(&v->type);
	const char *name = gtype_name(&v->type);

	if (p->oom)
		return;
	if (strcmp(name, "time.Time") == 0 && print_time(p, v, depth))
		return;
	if (strcmp(name, "time.Duration") == 0) {
		uint64_t u;

		if (gval_uint(p, v, 0, 8, &u) < 0)
			return gval_unreadable(p, "its bytes");
		return print_duration(p, (int64_t)u);
	}
	switch (k) {
	case GK_STRING:
		return print_string(p, v);
	case GK_COMPLEX64:
	case GK_COMPLEX128:
		return print_complex(p, v, k == GK_COMPLEX64);
	case GK_ARRAY:
		return print_array(p, v, depth, type);
	case GK_SLICE:
		return print_slice(p, v, depth, type);
	case GK_STRUCT:
		return print_struct(p, v, depth, type);
	case GK_PTR:
		return print_pointer(p, v, depth, type);
	case GK_INTERFACE:
		return print_interface(p, v, depth, type);
	case GK_MAP:
		return gomap_print(p, v, depth);
	case GK_CHAN:
		return gochan_print(p, v, depth);
	case GK_FUNC:
		return print_func(p, v);
	case GK_INVALID:
		return gp_printf(p, "<%s: a type print does not know>", name);
	default:
		return print_scalar(p, v, k);
	}
}
