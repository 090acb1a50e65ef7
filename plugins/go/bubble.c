/* The Go plugin's synctest bubbles (Go 1.25+): while every thread is stopped, read
 * the id of each bubble a live goroutine is in (g.bubble, a *synctestBubble; the
 * runtime's traceback prints "synctest bubble <id>"). One 8-byte read per distinct
 * bubble, at most GORT_MAX_BUBBLES of them; never a write, never a failure.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdlib.h>

static int
cmp_addr(const void *pa, const void *pb)
{
	const struct gort_bubble *a = pa, *b = pb;

	return (a->addr > b->addr) - (a->addr < b->addr);
}

const struct gort_bubble *
gort_bubble_find(const struct gort_state *st, uint64_t addr)
{
	struct gort_bubble key = { .addr = addr };
	const struct gort_bubble *b;

	b = bsearch(&key, st->bubbles, st->nbubbles, sizeof(key), cmp_addr);
	return b && b->ok ? b : NULL;
}

/* Is addr among the bubbles kept? From the last: a bubble's goroutines come in runs. */
static bool
seen(const struct gort_state *st, uint64_t addr)
{
	for (size_t k = st->nbubbles; k-- > 0;)
		if (st->bubbles[k].addr == addr)
			return true;
	return false;
}

void
gort_bubbles_capture(struct gort_state *st, const struct insp_host *h)
{
	struct insp_read reads[GORT_MAX_BUBBLES];
	const struct gort_layout *l = &st->l;

	st->nbubbles = 0;
	if (l->g_bubble == GORT_NONE || l->bubble_id == GORT_NONE)
		return;
	for (uint64_t i = 0; i < st->nallg; i++) {
		const uint8_t *g = st->gbytes + i * l->g_size;
		uint64_t addr;

		if (!st->gok[i] || !gort_g_exists(gort_g_status(l, g)))
			continue;
		addr = gort_u64(g + l->g_bubble);
		/* past the cap, a goroutine's bubble is noted as unread */
		if (!addr || seen(st, addr) || st->nbubbles == GORT_MAX_BUBBLES)
			continue;
		st->bubbles[st->nbubbles++] = (struct gort_bubble){ .addr = addr };
	}
	for (size_t k = 0; k < st->nbubbles; k++)
		reads[k] = (struct insp_read){ st->bubbles[k].addr + l->bubble_id,
					       &st->bubbles[k].id, 8, false };
	/* A failed read leaves ok false: decode notes the bubble as unread. */
	if (st->nbubbles && h->readv(h->ctx, reads, st->nbubbles, NULL) == 0)
		for (size_t k = 0; k < st->nbubbles; k++)
			st->bubbles[k].ok = reads[k].ok;
	qsort(st->bubbles, st->nbubbles, sizeof(st->bubbles[0]), cmp_addr);
}
