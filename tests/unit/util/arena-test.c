/* Unit tests of src/util/arena.c: every allocation aligned for any type and zeroed
 * (also when the memory under it was used before), strdup and strndup, allocations
 * bigger than a block between small ones, the byte cap, and an arena released and
 * used again.
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define ALIGN      alignof(max_align_t)
#define BLOCK_SIZE (256 * 1024) /* arena.c's */

static bool
aligned(const void *p)
{
	return (uintptr_t)p % ALIGN == 0;
}

static bool
all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Sizes that cross every alignment boundary, and enough of them to fill blocks. */
static size_t
size_of(size_t i)
{
	static const size_t sizes[] = {
		1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000, 4095, 4097
	};

	return sizes[i % (sizeof(sizes) / sizeof(sizes[0]))];
}

#define NALLOCS 2000 /* about 2.5 blocks */

/* 1.0: every allocation is aligned for max_align_t, zeroed, and apart from the
 * others; over several blocks. */
static void
test_1_0_aligned_zeroed(void **state)
{
	struct arena a = ARENA_INIT;
	static unsigned char *p[NALLOCS];

	(void)state;
	for (size_t i = 0; i < NALLOCS; i++) {
		p[i] = arena_alloc(&a, size_of(i));
		if (!p[i] || !aligned(p[i]) || !all_zero(p[i], size_of(i)))
			fail_msg("1.0: allocation %zu of %zu bytes: %p, not aligned or not zeroed",
				 i, size_of(i), (void *)p[i]);
		memset(p[i], (int)(i % 255) + 1, size_of(i));
	}
	/* No allocation overlaps another: each still holds its own bytes. */
	for (size_t i = 0; i < NALLOCS; i++)
		for (size_t b = 0; b < size_of(i); b++)
			if (p[i][b] != (unsigned char)(i % 255 + 1))
				fail_msg("1.0: allocation %zu was overwritten at byte %zu", i, b);
	assert_true(a.used >= NALLOCS);
	arena_release(&a);
}

/* 1.1: memory is zeroed even when it was written before: five rounds of filling
 * the arena with 0xff and releasing it, so malloc hands back used memory. */
static void
test_1_1_zeroed_reused(void **state)
{
	struct arena a = ARENA_INIT;

	(void)state;
	for (int round = 0; round < 5; round++) {
		for (size_t i = 0; i < NALLOCS; i++) {
			unsigned char *q = arena_alloc(&a, size_of(i));

			assert_non_null(q);
			if (!all_zero(q, size_of(i)))
				fail_msg("1.1: round %d, allocation %zu is not zeroed", round, i);
			memset(q, 0xff, size_of(i));
		}
		arena_release(&a);
	}
}

/* 1.2: strdup and strndup copy into the arena and terminate. */
static void
test_1_2_strdup(void **state)
{
	static const struct {
		const char *s;
		size_t n; /* (size_t)-1: arena_strdup */
		const char *want;
	} t[] = {
		{ "", (size_t)-1, "" },
		{ "hello", (size_t)-1, "hello" },
		{ "a longer string, longer than sixteen bytes", (size_t)-1,
		  "a longer string, longer than sixteen bytes" },
		{ "hello world", 5, "hello" },
		{ "hello world", 0, "" },
		{ "hello world", 11, "hello world" },
		{ "0123456789abcdef", 16, "0123456789abcdef" },
		{ "0123456789abcdefX", 16, "0123456789abcdef" },
	};
	struct arena a = ARENA_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *c = t[i].n == (size_t)-1 ? arena_strdup(&a, t[i].s)
					       : arena_strndup(&a, t[i].s, t[i].n);

		if (!c || c == t[i].s || !aligned(c) || strcmp(c, t[i].want) != 0)
			fail_msg("1.2.%zu: got '%s', want '%s' in a copy", i, c ? c : "(null)",
				 t[i].want);
		memset(c, 'x', strlen(c)); /* the copy is ours to write */
	}
	arena_release(&a);
}

/* 1.3: an allocation bigger than a block, first or between small ones: it is whole
 * and zeroed, and the small ones after it go on in the current block. */
static void
test_1_3_big(void **state)
{
	static const size_t bigs[] = { BLOCK_SIZE + 1, 4 * BLOCK_SIZE, BLOCK_SIZE * 3 / 2 + 7 };
	struct arena a = ARENA_INIT;
	unsigned char *first, *before, *after, *big;

	(void)state;
	/* First thing in an empty arena. */
	big = arena_alloc(&a, 2 * BLOCK_SIZE);
	assert_non_null(big);
	assert_true(aligned(big) && all_zero(big, 2 * BLOCK_SIZE));
	memset(big, 0xee, 2 * BLOCK_SIZE);
	first = arena_alloc(&a, 16);
	assert_non_null(first);
	assert_true(all_zero(first, 16));
	for (size_t i = 0; i < sizeof(bigs) / sizeof(bigs[0]); i++) {
		before = arena_alloc(&a, 16);
		big = arena_alloc(&a, bigs[i]);
		after = arena_alloc(&a, 16);
		if (!before || !big || !after || !aligned(big) || !all_zero(big, bigs[i]))
			fail_msg("1.3.%zu: big allocation of %zu bytes failed or not zeroed", i,
				 bigs[i]);
		memset(big, 0xee, bigs[i]);
		if (!all_zero(after, 16))
			fail_msg("1.3.%zu: the allocation after the big one overlaps it", i);
		/* The current block kept serving: after follows before. */
		if (after != before + 16)
			fail_msg("1.3.%zu: the small allocation after a big one is %td bytes "
				 "from the one before, want 16",
				 i, after - before);
	}
	arena_release(&a);
}

/* 1.4: the byte cap counts rounded sizes and gives NULL past it, without
 * spending anything; absurd sizes give NULL. */
static void
test_1_4_cap(void **state)
{
	static const char text[200] = "0123456789";
	struct arena a = ARENA_INIT;
	size_t n = 0;

	(void)state;
	a.cap = 1000;
	while (arena_alloc(&a, 1))
		n++;
	assert_int_equal(n, 1000 / ALIGN);
	assert_int_equal(a.used, n * ALIGN);
	assert_null(arena_strdup(&a, ""));
	arena_release(&a);

	/* A big request past the cap fails; smaller ones that fit still work. */
	a.cap = 4096;
	assert_non_null(arena_alloc(&a, 4000));
	assert_null(arena_alloc(&a, 200));
	assert_null(arena_alloc(&a, (size_t)1 << 40));
	assert_null(arena_strndup(&a, text, 96)); /* 97 bytes with the NUL */
	assert_non_null(arena_alloc(&a, 96));
	assert_int_equal(a.used, 4096);
	assert_null(arena_alloc(&a, 1));
	arena_release(&a);

	/* Without a cap: sizes that overflow when rounded up, or absurd. */
	a.cap = 0;
	assert_null(arena_alloc(&a, SIZE_MAX));
	assert_null(arena_alloc(&a, SIZE_MAX - ALIGN + 2));
	assert_null(arena_alloc(&a, SIZE_MAX / 2 + 1));
	assert_non_null(arena_alloc(&a, 1));
	assert_int_equal(a.used, ALIGN);
	arena_release(&a);
}

/* 1.5: release frees everything and leaves an empty arena, cap kept, that works
 * again. */
static void
test_1_5_release_reuse(void **state)
{
	struct arena a = ARENA_INIT;

	(void)state;
	a.cap = 3 * BLOCK_SIZE;
	for (int round = 0; round < 3; round++) {
		size_t n = 0;
		char *s;

		for (size_t i = 0; i < NALLOCS; i++) {
			void *q = arena_alloc(&a, size_of(i));

			if (!q)
				break;
			n++;
		}
		assert_true(n > 100);
		assert_null(arena_alloc(&a, BLOCK_SIZE)); /* the cap was nearly reached */
		arena_release(&a);
		assert_null(a.head);
		assert_int_equal(a.used, 0);
		assert_int_equal(a.cap, 3 * BLOCK_SIZE);
		s = arena_strdup(&a, "again");
		assert_non_null(s);
		assert_string_equal(s, "again");
		arena_release(&a);
	}
	arena_release(&a); /* twice is fine */
	assert_null(a.head);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_aligned_zeroed),
		cmocka_unit_test(test_1_1_zeroed_reused),
		cmocka_unit_test(test_1_2_strdup),
		cmocka_unit_test(test_1_3_big),
		cmocka_unit_test(test_1_4_cap),
		cmocka_unit_test(test_1_5_release_reuse),
	};

	return cmocka_run_group_tests_name("arena", tests, NULL, NULL) ? 1 : 0;
}
