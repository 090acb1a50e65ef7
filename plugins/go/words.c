/* The Go plugin's words for a goroutine's state, as the runtime's traceback
 * (runtime/traceback.go goroutineheader, Go 1.25 and 1.26) prints them between
 * the brackets of "goroutine 7 [chan receive (leaked)]:": the wait reason (the
 * runtime's string), " (leaked)" for status leaked, " (durable)" for a durable
 * wait in a synctest bubble whose string does not say so already, then
 * ", synctest bubble N". Its ", N minutes" and ", locked to thread" are the
 * report's own columns (wait_ns, INSP_TASK_LOCKED).
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdio.h>
#include <string.h>

#define DURABLE         " (durable)"
#define SYNCTEST_BUBBLE "synctest bubble"

/* runtime2.go isIdleInSynctest (the same in 1.25 and 1.26), by string: the waits
 * synctest.Wait counts as durably blocked. */
static const char *const idle_in_synctest[] = {
	"chan receive (nil chan)",
	"chan send (nil chan)",
	"select (no cases)",
	"sleep",
	"sync.Cond.Wait",
	"sync.WaitGroup.Wait (durable)",
	"coroutine",
	"synctest.Run",
	"synctest.Wait",
	"chan receive (durable)",
	"chan send (durable)",
	"select (durable)",
};

static bool
idle_in_bubble(const char *reason)
{
	for (size_t i = 0; i < sizeof(idle_in_synctest) / sizeof(idle_in_synctest[0]); i++)
		if (strcmp(reason, idle_in_synctest[i]) == 0)
			return true;
	return false;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A copy of text in snapshot memory, or NULL. */
static const char *
keep(const struct insp_host *h, const char *text)
{
	char *copy = h->alloc(h->ctx, strlen(text) + 1);

	return copy ? strcpy(copy, text) : NULL;
}

static const char *
reason_string(const struct gort_state *st, const struct insp_host *h, uint8_t r)
{
	char buf[48];

	if (r < st->nreasons)
		return st->reasons[r];
	snprintf(buf, sizeof(buf), "unknown wait reason %u", r);
	return keep(h, buf);
}

int
gort_words(const struct gort_state *st, const struct insp_host *h, uint64_t i, uint32_t status,
	   struct insp_task *t)
{
	const struct gort_layout *l = &st->l;
	const uint8_t *g = st->gbytes + i * l->g_size;
	uint64_t bubble = l->g_bubble != GORT_NONE ? gort_u64(g + l->g_bubble) : 0;
	const struct gort_bubble *b = bubble ? gort_bubble_find(st, bubble) : NULL;
	const char *reason = NULL;
	char buf[GORT_MAX_REASON_LEN + 64];

	/* The runtime's string, and the same without the suffix its synctest
	 * variants carry ("chan receive (durable)"): what short names match. */
	if (status == GORT_G_WAITING || status == GORT_G_LEAKED) {
		if (!(reason = reason_string(st, h, g[l->g_waitreason])))
			return -1;
		t->reason = t->reason_plain = reason;
		if (ends_with(reason, DURABLE)) {
			snprintf(buf, sizeof(buf), "%.*s", (int)(strlen(reason) - strlen(DURABLE)),
				 reason);
			if (!(t->reason_plain = keep(h, buf)))
				return -1;
		}
	}
	if (status == GORT_G_LEAKED) {
		t->flags |= INSP_TASK_LEAKED;
		snprintf(buf, sizeof(buf), "%s (leaked)", reason);
		if (!(t->reason = keep(h, buf)))
			return -1;
	}
	/* Go 1.26 adds " (durable)" to waiting goroutines only; 1.25 also to a
	 * runnable one whose last reason was such a wait, a stale word not copied. */
	if (bubble && status == GORT_G_WAITING && idle_in_bubble(reason)) {
		t->flags |= INSP_TASK_DURABLE;
		if (!ends_with(reason, DURABLE)) {
			snprintf(buf, sizeof(buf), "%s" DURABLE, reason);
			if (!(t->reason = keep(h, buf)))
				return -1;
		}
	}
	if (!bubble)
		return 0;
	if (!b) { /* past GORT_MAX_BUBBLES, or a pointer that did not read */
		t->note = "its synctest bubble could not be read";
		return 0;
	}
	t->sandbox = SYNCTEST_BUBBLE;
	t->sandbox_id = b->id;
	gort_loaded_words(t, buf, sizeof(buf));
	return (t->words = keep(h, buf)) ? 0 : -1;
}

int
gort_loaded_words(const struct insp_task *t, char *buf, size_t size)
{
	if (!t->sandbox || strcmp(t->sandbox, SYNCTEST_BUBBLE) != 0)
		return -1;
	snprintf(buf, size, "%s, " SYNCTEST_BUBBLE " %llu", t->reason ? t->reason : t->state,
		 (unsigned long long)t->sandbox_id);
	return 0;
}
