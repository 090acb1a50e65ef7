/* Go channels for print: len/cap as Go code sees them (0/0 for a timer channel of
 * Go 1.23+), the buffered elements in the order they will be received, whether
 * it is closed, and the goroutines queued to receive and to send.
 * Part of plugins/go; it only reads, and the queue walks are bounded.
 * SPDX-License-Identifier: MIT */
#include "value.h"

#include <dwarf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/*
 * A channel is a *hchan<T>, a copy of runtime.hchan the linker writes for each
 * channel type (cmd/link dwarf.go synthesizechantypes): qcount, dataqsiz, buf,
 * elemsize, closed, sendx, recvx, recvq and sendq (waitq<T>: first, last
 * *sudog<T>). Element i of the queue is at buf + (recvx + i) % dataqsiz * elemsize
 * (runtime/chan.go chanbuf). A waiter is a sudog: g is its goroutine, next the
 * one queued after it.
 *
 * Timer channels (Go 1.23+): time.NewTimer, NewTicker and After make a channel
 * of capacity 1 and, unless GODEBUG asynctimerchan=1 when they are made (set by
 * GODEBUG, or by default when the main module's go.mod says go 1.22 or older;
 * time/sleep.go syncTimer), hand it to the runtime, which sets hchan.timer. Go
 * code then sees len and cap 0 (runtime/chan.go chanlen, chancap: 0 when timer
 * is set and runtime.debug.asynctimerchan is 0), while the runtime may hold a
 * value in the buffer it hides. asynctimerchan=2 keeps hchan.timer but len and
 * cap are the buffer's. Before Go 1.23 hchan has no timer: an ordinary channel.
 */

#define MAX_HCHAN   512
#define MAX_WAITERS 10000

struct clay {
	Dwarf_Die elem;
	uint64_t size; /* of hchan */
	struct gfield qcount, dataqsiz, buf, elemsize, closed, recvx, recvq, sendq;
	struct gfield sg_g, sg_next;
	struct gfield timer; /* len 0: no timer field (before Go 1.23) */
};

struct chan {
	uint64_t qcount, dataqsiz, buf, elemsize, closed, recvx, recvq, sendq, timer;
};

/* The layout of channel type t: NULL, or why not. */
static const char *
resolve(const Dwarf_Die *t, struct clay *l)
{
	Dwarf_Die h, wq, sg;
	struct gfield first;
	uint64_t off;

	if (gtype_ref_through(t, DW_AT_go_elem, &l->elem) < 0)
		return "the channel type in DWARF has no element type";
	if (gtype_target(t, DW_TAG_pointer_type, &h) < 0 ||
	    dwarf_tag(&h) != DW_TAG_structure_type || (l->size = gtype_size(&h)) > MAX_HCHAN)
		return "the channel type in DWARF has no runtime.hchan";
	if (gtype_int_field(&h, "qcount", &l->qcount) < 0 ||
	    gtype_int_field(&h, "dataqsiz", &l->dataqsiz) < 0 ||
	    gtype_int_field(&h, "buf", &l->buf) < 0 ||
	    gtype_int_field(&h, "elemsize", &l->elemsize) < 0 ||
	    gtype_int_field(&h, "closed", &l->closed) < 0 ||
	    gtype_int_field(&h, "recvx", &l->recvx) < 0)
		return "runtime.hchan in DWARF lacks a field print needs";
	/* recvq and sendq are waitq<T>; first is at the same offset in both. */
	if (gtype_field(&h, "recvq", &wq, &l->recvq.off) < 0 ||
	    gtype_field(&h, "sendq", &wq, &l->sendq.off) < 0 ||
	    gtype_int_field(&wq, "first", &first) < 0 || gtype_field(&wq, "first", &sg, &off) < 0 ||
	    gtype_target(&sg, DW_TAG_pointer_type, &sg) < 0 ||
	    gtype_int_field(&sg, "g", &l->sg_g) < 0 ||
	    gtype_int_field(&sg, "next", &l->sg_next) < 0)
		return "runtime.waitq or runtime.sudog in DWARF lacks a field print needs";
	if (gtype_int_field(&h, "timer", &l->timer) < 0)
		l->timer = (struct gfield){ 0, 0 };
	l->recvq.off += first.off;
	l->sendq.off += first.off;
	l->recvq.len = l->sendq.len = 8;
	if (l->recvq.off + 8 > l->size || l->sendq.off + 8 > l->size)
		return "runtime.hchan in DWARF is inconsistent";
	return NULL;
}

/* The channel v points to: *addr is 0 for a nil channel. */
static int
read_chan(struct gpr *p, const struct gval *v, const struct clay *l, uint64_t *addr, struct chan *c,
	  char *why, size_t size)
{
	struct insp_err err = INSP_ERR_INIT;
	uint8_t b[MAX_HCHAN];

	if (gval_uint(p, v, 0, 8, addr) < 0) {
		snprintf(why, size, "the channel pointer");
		return -1;
	}
	if (!*addr)
		return 0;
	if (p->h->read(p->h->ctx, *addr, b, l->size, &err) < 0) {
		snprintf(why, size, "runtime.hchan at 0x%" PRIx64 ": %s", *addr, err.msg);
		return -1;
	}
	*c = (struct chan){
		gfield_get(b, l->qcount),   gfield_get(b, l->dataqsiz), gfield_get(b, l->buf),
		gfield_get(b, l->elemsize), gfield_get(b, l->closed),   gfield_get(b, l->recvx),
		gfield_get(b, l->recvq),    gfield_get(b, l->sendq),    0
	};
	c->timer = l->timer.len ? gfield_get(b, l->timer) : 0;
	if (c->qcount > c->dataqsiz || (c->dataqsiz && c->recvx >= c->dataqsiz)) {
		snprintf(why, size,
			 "runtime.hchan at 0x%" PRIx64 " has qcount %" PRIu64 ", dataqsiz %" PRIu64
			 ", recvx %" PRIu64,
			 *addr, c->qcount, c->dataqsiz, c->recvx);
		return -1;
	}
	return 0;
}

/* Whether timer channels are asynchronous in the process: runtime.debug.
 * asynctimerchan (an atomic.Int32, runtime/runtime1.go dbgvars) != 0. 0, or -1
 * and why not. */
static int
read_timers_async(struct gpr *p, bool *async, const char **why)
{
	struct insp_err err = INSP_ERR_INIT;
	uint64_t addr = gort_debug_var(p->h, "asynctimerchan", why);
	int32_t v;

	if (!addr)
		return -1;
	if (p->h->read(p->h->ctx, addr, &v, sizeof(v), &err) < 0) {
		*why = "runtime.debug.asynctimerchan could not be read";
		return -1;
	}
	*async = v != 0;
	return 0;
}

/* The same, read once per capture (the process is stopped) when there is one. */
static int
timers_async(struct gpr *p, bool *async, const char **why)
{
	struct gort_state *st = p->st;

	if (!st)
		return read_timers_async(p, async, why);
	if (!st->timers_mode) {
		bool a = false;

		st->timers_mode = read_timers_async(p, &a, &st->timers_why) < 0 ? -1 : a ? 2 : 1;
	}
	*async = st->timers_mode == 2;
	*why = st->timers_why;
	return st->timers_mode < 0 ? -1 : 0;
}

/* len and cap as Go code sees them (runtime/chan.go chanlen, chancap); hidden:
 * the values the runtime holds that len does not count. 0, or -1 and why. */
static int
go_len_cap(struct gpr *p, const struct chan *c, uint64_t *len, uint64_t *cap, uint64_t *hidden,
	   const char **why)
{
	bool async = true;

	*len = c->qcount;
	*cap = c->dataqsiz;
	*hidden = 0;
	if (c->timer && timers_async(p, &async, why) < 0)
		return -1;
	if (c->timer && !async) {
		*hidden = c->qcount;
		*len = *cap = 0;
	}
	return 0;
}

/* "[e1,e2,...]": the buffered elements, oldest first. */
static void
print_elems(struct gpr *p, const struct clay *l, const struct chan *c, uint32_t depth)
{
	uint64_t n = c->qcount < p->o->max_elems ? c->qcount : p->o->max_elems;
	char why[96];

	gp_puts(p, ", [");
	if (c->elemsize != gtype_size(&l->elem)) {
		snprintf(why, sizeof(why), "elemsize %" PRIu64 " is not the size of %s",
			 c->elemsize, gtype_name(&l->elem));
		gval_unreadable(p, why);
		gp_printf(p, ",...+%" PRIu64 " more]", c->qcount);
		return;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t slot = (c->recvx + i) % c->dataqsiz;
		struct gval e = gval_at(&l->elem, c->buf + slot * c->elemsize);

		if (i)
			gp_puts(p, ",");
		gval_print(p, &e, depth + 1, false);
	}
	if (c->qcount > n)
		gp_printf(p, "%s...+%" PRIu64 " more", n ? "," : "", c->qcount - n);
	gp_puts(p, "]");
}

/* The id of the goroutine of the sudog at sg, and the next sudog. */
static int
waiter(struct gpr *p, const struct clay *l, uint64_t sg, uint64_t *goid, uint64_t *next)
{
	uint8_t b[8];
	uint64_t g;

	if (p->h->read(p->h->ctx, sg + l->sg_g.off, b, 8, NULL) < 0)
		return -1;
	g = gfield_get(b, (struct gfield){ 0, 8 });
	if (p->h->read(p->h->ctx, sg + l->sg_next.off, b, 8, NULL) < 0)
		return -1;
	*next = gfield_get(b, (struct gfield){ 0, 8 });
	if (!g || p->h->read(p->h->ctx, g + p->st->l.g_goid, b, 8, NULL) < 0)
		return -1;
	*goid = gfield_get(b, (struct gfield){ 0, 8 });
	return 0;
}

/* ", waiting to WHAT: id, id": the queue from its first sudog, in order. Brent's
 * cycle check stops a looped queue. */
static void
print_queue(struct gpr *p, const struct clay *l, const char *what, uint64_t sg)
{
	uint64_t mark = sg, power = 1, steps = 0;
	char why[64];

	if (!sg)
		return;
	gp_printf(p, ", waiting to %s: ", what);
	if (!p->st || p->st->l.g_goid == GORT_NONE) {
		gval_unreadable(p, "no goid in runtime.g");
		return;
	}
	for (uint32_t n = 0; sg; n++) {
		/* past max_elems only counted, as far as MAX_WAITERS */
		uint32_t shown = n < p->o->max_elems ? n : p->o->max_elems;
		const char *sep = shown ? ", " : "";
		uint64_t goid, next;

		if (n == MAX_WAITERS) {
			gp_printf(p, "%s...+%u or more", sep, n - shown);
			return;
		}
		if (waiter(p, l, sg, &goid, &next) < 0) {
			snprintf(why, sizeof(why), "sudog at 0x%" PRIx64, sg);
			gp_puts(p, sep);
			gval_unreadable(p, why);
			return;
		}
		if (n < p->o->max_elems)
			gp_printf(p, "%s%" PRIu64, sep, goid);
		sg = next;
		if (!sg && n >= p->o->max_elems)
			gp_printf(p, "%s...+%u more", sep, n + 1 - shown);
		if (sg == mark) {
			gp_puts(p, p->o->max_elems ? ", " : "");
			gval_unreadable(p, "the queue is a cycle");
			return;
		}
		if (++steps == power) {
			mark = sg;
			power *= 2;
			steps = 0;
		}
	}
}

void
gochan_print(struct gpr *p, const struct gval *v, uint32_t depth)
{
	struct clay l;
	struct chan c;
	uint64_t addr, len, cap, hidden;
	char why[320];
	const char *bad;

	gp_printf(p, "%s ", gtype_name(&v->type));
	if ((bad = resolve(&v->type, &l))) {
		gval_unreadable(p, bad);
		return;
	}
	if (read_chan(p, v, &l, &addr, &c, why, sizeof(why)) < 0) {
		gval_unreadable(p, why);
		return;
	}
	if (!addr) {
		gp_puts(p, "nil");
		return;
	}
	if (go_len_cap(p, &c, &len, &cap, &hidden, &bad) < 0) {
		gp_printf(p, "<timer channel, len and cap unknown: %s>, ", bad);
		gp_printf(p, "%" PRIu64 " of %" PRIu64 " in its buffer", c.qcount, c.dataqsiz);
	} else {
		gp_printf(p, "%" PRIu64 "/%" PRIu64, len, cap);
		if (c.timer && !cap && !hidden)
			gp_puts(p, " (timer channel; the runtime's hidden slot empty)");
		else if (c.timer && !cap)
			gp_printf(p,
				  " (timer channel; %" PRIu64
				  " value in the runtime's hidden slot)",
				  hidden);
		else if (c.timer)
			gp_puts(p, " (timer channel, asynctimerchan=2)");
	}
	if (c.qcount && depth < p->o->max_depth)
		print_elems(p, &l, &c, depth);
	if (c.closed)
		gp_puts(p, ", closed");
	print_queue(p, &l, "receive", c.recvq);
	print_queue(p, &l, "send", c.sendq);
}

int
gochan_len_cap(struct gpr *p, const struct gval *v, uint64_t *len, uint64_t *cap)
{
	struct clay l;
	struct chan c = { 0 };
	uint64_t addr, hidden;
	char why[320];
	const char *bad;

	*len = *cap = 0;
	if (resolve(&v->type, &l) || read_chan(p, v, &l, &addr, &c, why, sizeof(why)))
		return -1;
	return go_len_cap(p, &c, len, cap, &hidden, &bad);
}
