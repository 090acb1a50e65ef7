/* The Go plugin's wait reasons: the runtime's own strings, read from the target's
 * runtime.waitReasonStrings ([N]string: 16-byte {ptr, len} pairs, not NUL-terminated).
 * The enum is renumbered between releases (1.26 reordered it all), so a number
 * means nothing without this table (research/goruntime.md 4).
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REASONS 256

/* Without the target's array, or when it is corrupt (why says how): the strings
 * of the release's table (the exact release's, else its minor release's). */
static int
from_table(struct gort_state *st, const struct insp_host *h, const char *why, struct insp_err *err)
{
	const struct gort_table *t = st->table;
	bool exact = st->table_exact;
	char source[64];

	if (!t && why)
		t = gort_table_find(st->version, &exact);
	if (!t && why)
		return insp_err_set(err, INSP_E_CORRUPT,
				    "%s, and inspect has no table of the wait reasons of %s", why,
				    st->version);
	if (!t)
		return insp_err_set(err, INSP_E_LAYOUT,
				    "the wait reasons of '%s' were not found (no symbol "
				    "runtime.waitReasonStrings)",
				    h->exe_path);
	if (why)
		h->note(h->ctx, "%s: the wait reasons are %s's, from inspect's table", why,
			t->version);
	st->reasons = t->reasons;
	st->nreasons = t->nreasons;
	for (size_t i = 1; i < st->nreasons; i++)
		h->add_reason(h->ctx, st->reasons[i]);
	snprintf(source, sizeof(source), "table %s%s", t->version, exact ? "" : " (nearest)");
	h->set_info(h->ctx, "wait_reasons", source);
	return 0;
}

int
gort_waitreasons_read(struct gort_state *st, const struct insp_host *h, struct insp_err *err)
{
	size_t n = st->l.nreasons;
	uint8_t table[MAX_REASONS * 16];
	struct insp_read reads[MAX_REASONS];
	const char **reasons;
	char *bufs;

	char why[160];

	if (!st->l.reasons_addr)
		return from_table(st, h, NULL, err);
	if (n == 0 || n > MAX_REASONS)
		return insp_err_set(err, INSP_E_LAYOUT,
				    "runtime.waitReasonStrings in '%s' has %zu entries: an unknown "
				    "Go layout",
				    h->exe_path, n);
	/* Static data: read while the process runs, outside the pause. */
	if (h->read(h->ctx, st->l.reasons_addr, table, n * 16, err) < 0)
		return -1;
	bufs = h->alloc(h->ctx, n * (GORT_MAX_REASON_LEN + 1));
	reasons = h->alloc(h->ctx, n * sizeof(*reasons));
	if (!bufs || !reasons)
		return insp_err_set(err, INSP_E_CORRUPT, "the wait reasons of '%s' do not fit",
				    h->exe_path);
	for (size_t i = 0; i < n; i++) {
		uint64_t len = gort_u64(table + i * 16 + 8);

		reads[i].addr = gort_u64(table + i * 16);
		reads[i].buf = bufs + i * (GORT_MAX_REASON_LEN + 1);
		reads[i].len = len <= GORT_MAX_REASON_LEN ? len : 0;
		if (len > GORT_MAX_REASON_LEN || (len && !reads[i].addr)) {
			snprintf(why, sizeof(why),
				 "runtime.waitReasonStrings is corrupt (entry %zu is not a string)",
				 i);
			return from_table(st, h, why, err);
		}
	}
	if (h->readv(h->ctx, reads, n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!reads[i].ok) {
			snprintf(why, sizeof(why),
				 "runtime.waitReasonStrings is corrupt (entry %zu cannot be read)",
				 i);
			return from_table(st, h, why, err);
		}
		/* Bytes from the target reach a terminal: nothing but printable ASCII. */
		for (size_t k = 0; k < reads[i].len; k++) {
			char *c = (char *)reads[i].buf + k;

			if (*c < 0x20 || *c > 0x7e)
				*c = '?';
		}
		reasons[i] = reads[i].buf;
		if (i > 0)
			h->add_reason(h->ctx, reasons[i]);
	}
	st->reasons = reasons;
	st->nreasons = n;
	h->set_info(h->ctx, "wait_reasons", "target");
	return 0;
}
