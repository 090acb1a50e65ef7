/* The Go plugin's layout of pprof labels: where the label set a goroutine's
 * g.labels points at keeps its keys and values, from DWARF's types by name, or
 * without DWARF from what each release is known to use. Runs in prepare.
 * SPDX-License-Identifier: MIT */
#include "gort.h"

#include <string.h>

/*
 * g.labels (an unsafe.Pointer, nil: none) points at a runtime/pprof labelMap;
 * runtime.newproc1 copies the creator's pointer, so a goroutine started under
 * labels shares its creator's set. runtime/pprof/label.go of each release:
 *
 *   Go 1.19-1.23  type labelMap map[string]string: the pointer is at a word
 *                 holding the *hmap: count int @0, flags @8, B uint8 @9,
 *                 buckets @16, oldbuckets @24 (48 bytes); a bucket<string,string>
 *                 is tophash [8]uint8 @0, keys [8]string @8, values (elems from
 *                 1.20) [8]string @136, overflow @264 (272 bytes). A slot is
 *                 full when its tophash >= minTopHash (5); an evacuated one
 *                 (2, 3, 4) is not, so reading old and new buckets alike gives
 *                 each entry once while the map grows.
 *   Go 1.24-1.25  type labelMap struct{ LabelSet }, LabelSet{ list []label },
 *                 label{ key, value string }: a slice @0 of 32-byte pairs
 *                 (key @0, value @16), sorted by key.
 *   Go 1.26       the same through internal/runtime/pprof/label: labelMap{
 *                 label.Set }, Set{ List []Label }, Label{ Key, Value string }.
 *
 * With DWARF these offsets come from the types by name; without, from the
 * release (the layouts above are the same for every release of a range).
 */

static bool
field(const struct insp_host *h, const char *type, const char *path, uint64_t *off)
{
	struct insp_field f;

	if (h->field(h->ctx, type, path, &f, NULL) < 0)
		return false;
	*off = f.offset;
	return true;
}

static bool
dwarf_slice(struct gort_labels_layout *l, const struct insp_host *h)
{
	const char *pair = "runtime/pprof.label", *k = "key", *v = "value";

	if (field(h, "runtime/pprof.labelMap", "Set.List", &l->list)) {
		pair = "internal/runtime/pprof/label.Label"; /* Go 1.26 */
		k = "Key";
		v = "Value";
	} else if (!field(h, "runtime/pprof.labelMap", "LabelSet.list", &l->list)) {
		return false;
	}
	return h->type_size(h->ctx, pair, &l->pair_size, NULL) == 0 && field(h, pair, k, &l->key) &&
	       field(h, pair, v, &l->value);
}

static bool
dwarf_map(struct gort_labels_layout *l, const struct insp_host *h)
{
	const char *hm = "hash<string,string>", *b = "bucket<string,string>";
	uint64_t tophash;

	/* the slots' tophash bytes come first: capture reads them at 0 */
	return field(h, b, "tophash", &tophash) && tophash == 0 &&
	       h->type_size(h->ctx, hm, &l->hmap_size, NULL) == 0 &&
	       field(h, hm, "count", &l->count) && field(h, hm, "flags", &l->flags) &&
	       field(h, hm, "B", &l->B) && field(h, hm, "buckets", &l->buckets) &&
	       field(h, hm, "oldbuckets", &l->oldbuckets) &&
	       h->type_size(h->ctx, b, &l->bucket_size, NULL) == 0 &&
	       field(h, b, "keys", &l->keys) &&
	       (field(h, b, "elems", &l->elems) || field(h, b, "values", &l->elems)) &&
	       field(h, b, "overflow", &l->overflow);
}

static void
release_layout(struct gort_labels_layout *l, int minor)
{
	if (minor >= 24)
		*l = (struct gort_labels_layout){ .kind = GORT_LABELS_SLICE,
						  .pair_size = 32,
						  .value = 16 };
	else
		*l = (struct gort_labels_layout){ .kind = GORT_LABELS_MAP,
						  .hmap_size = 48,
						  .flags = 8,
						  .B = 9,
						  .buckets = 16,
						  .oldbuckets = 24,
						  .bucket_size = 272,
						  .keys = 8,
						  .elems = 136,
						  .overflow = 264 };
}

/* Does every offset fit what is read: a header of HDR bytes, 8-slot buckets of
 * 16-byte strings? */
static bool
sane(const struct gort_labels_layout *l)
{
	if (l->kind == GORT_LABELS_SLICE)
		return l->list + 24 <= GORT_LABELS_HDR && l->pair_size >= 32 &&
		       l->pair_size <= 256 && l->key + 16 <= l->pair_size &&
		       l->value + 16 <= l->pair_size;
	return l->hmap_size <= GORT_LABELS_HDR && l->count + 8 <= l->hmap_size &&
	       l->B < l->hmap_size && l->flags < l->hmap_size && l->buckets + 8 <= l->hmap_size &&
	       l->oldbuckets + 8 <= l->hmap_size && l->bucket_size <= 1024 &&
	       l->keys + 8 * 16 <= l->bucket_size && l->elems + 8 * 16 <= l->bucket_size &&
	       l->overflow + 8 <= l->bucket_size;
}

void
gort_labels_resolve(struct gort_state *st, const struct insp_host *h)
{
	struct gort_labels_layout *l = &st->lab;
	struct gort_func fn;

	memset(l, 0, sizeof(*l));
	/* Only runtime/pprof sets g.labels (through this linkname of the runtime's
	 * setter); without it no goroutine has labels, and no type is looked for. */
	if (gort_pclntab_lookup(st->pcln, "runtime/pprof.runtime_setProfLabel", &fn) < 0)
		return;
	if (h->has_dwarf) {
		l->kind = GORT_LABELS_SLICE;
		if (!dwarf_slice(l, h)) {
			memset(l, 0, sizeof(*l));
			l->kind = GORT_LABELS_MAP;
			if (!dwarf_map(l, h))
				l->kind = GORT_LABELS_NONE;
		}
	} else if (st->minor) {
		release_layout(l, st->minor);
	}
	if (l->kind == GORT_LABELS_NONE || !sane(l)) {
		l->kind = GORT_LABELS_NONE;
		h->note(h->ctx,
			"the layout of runtime/pprof's labels in %s is unknown: labels "
			"are not shown",
			st->version);
	}
}
