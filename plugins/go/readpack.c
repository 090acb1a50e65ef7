/* The Go plugin's packed reads: many small reads of the target as few, a page
 * at a time, for what is copied while the process is stopped (label sets).
 * Read-only; never touches a page the reads themselves would not.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 4096 /* bytes: the smallest unit the kernel maps */

static const struct insp_read *sort_reads; /* qsort has no context argument */

static int
cmp_read(const void *pa, const void *pb)
{
	uint64_t a = sort_reads[*(const size_t *)pa].addr, b = sort_reads[*(const size_t *)pb].addr;

	return (a > b) - (a < b);
}

/* h->readv, a page at a time (gort.h). */
int
gort_readv_packed(const struct insp_host *h, struct insp_read *r, size_t n)
{
	size_t *order = malloc(n * sizeof(*order)), ns = 0, total = 0, off = 0;
	struct insp_read *spans = malloc(n * sizeof(*spans));
	size_t *first = malloc(n * sizeof(*first)); /* the span of each read, in order */
	uint8_t *buf = NULL;
	bool sorted = true;
	int ret = -1;

	if (!n) {
		ret = 0;
		goto out;
	}
	if (!order || !spans || !first)
		goto out;
	for (size_t i = 0; i < n; i++) {
		order[i] = i;
		sorted = sorted && (!i || r[i - 1].addr <= r[i].addr);
	}
	sort_reads = r;
	if (!sorted) /* the sets are in address order, often their parts too */
		qsort(order, n, sizeof(*order), cmp_read);
	for (size_t k = 0; k < n; k++) {
		const struct insp_read *q = &r[order[k]];
		uint64_t end = q->addr + q->len;
		struct insp_read *sp = ns ? &spans[ns - 1] : NULL;

		if (sp && sp->addr / PAGE == q->addr / PAGE &&
		    (end - 1) / PAGE == sp->addr / PAGE) {
			if (end > sp->addr + sp->len)
				sp->len = end - sp->addr;
		} else {
			spans[ns++] = (struct insp_read){ q->addr, NULL, q->len, false };
		}
		first[k] = ns - 1;
	}
	for (size_t i = 0; i < ns; i++)
		total += spans[i].len;
	buf = malloc(total ? total : 1);
	if (!buf)
		goto out;
	for (size_t i = 0; i < ns; i++) {
		spans[i].buf = buf + off;
		off += spans[i].len;
	}
	if (h->readv(h->ctx, spans, ns, NULL) < 0)
		goto out;
	for (size_t k = 0; k < n; k++) {
		struct insp_read *q = &r[order[k]];
		const struct insp_read *sp = &spans[first[k]];

		q->ok = sp->ok;
		if (q->ok)
			memcpy(q->buf, (const uint8_t *)sp->buf + (q->addr - sp->addr), q->len);
	}
	ret = 0;
out:
	free(order);
	free(spans);
	free(first);
	free(buf);
	return ret;
}
