/* Unit tests of src/util/keymap.c: indices in first-seen order that stay put
 * while the table grows (1.N); keys told apart by every byte and by length, ""
 * and keys with NUL bytes among them, and the map's NUL-terminated copy (2.N); a
 * map released and used again (3.0).
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/keymap.h"

#define NKEYS 20000 /* many doublings */

static uint64_t
index_of(struct keymap *m, const void *key, size_t len, bool *added)
{
	uint64_t i = UINT64_MAX;

	assert_int_equal(keymap_index(m, key, len, &i, added, NULL), 0);
	return i;
}

/* 1.0: new keys get 0, 1, 2, ...; each is found again with its own index after
 * every later key (and every growth of the table). */
static void
test_1_0_first_seen_order(void **state)
{
	struct keymap m = KEYMAP_INIT;
	char key[32];
	bool added;

	(void)state;
	for (uint64_t i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "key-%llu", (unsigned long long)i);
		assert_int_equal(index_of(&m, key, strlen(key), &added), i);
		assert_true(added);
	}
	assert_int_equal(m.n, NKEYS);
	for (uint64_t i = 0; i < NKEYS; i++) {
		snprintf(key, sizeof(key), "key-%llu", (unsigned long long)i);
		assert_int_equal(index_of(&m, key, strlen(key), &added), i);
		assert_false(added);
	}
	assert_int_equal(m.n, NKEYS);
	keymap_release(&m);
}

/* 2.0: a prefix, a key one byte longer, "" and keys with NUL bytes are all
 * different keys; binary keys compare by their bytes, not as strings. */
static void
test_2_0_bytes_and_lengths(void **state)
{
	struct keymap m = KEYMAP_INIT;
	static const char a[] = "ab\0c", b[] = "ab\0d";
	bool added;

	(void)state;
	assert_int_equal(index_of(&m, "", 0, &added), 0);
	assert_int_equal(index_of(&m, "ab", 2, &added), 1);
	assert_int_equal(index_of(&m, "abc", 3, &added), 2);
	assert_int_equal(index_of(&m, a, 4, &added), 3);
	assert_true(added);
	assert_int_equal(index_of(&m, b, 4, &added), 4);
	assert_true(added);
	assert_int_equal(index_of(&m, "ab", 3, &added), 5); /* "ab\0" */
	assert_int_equal(index_of(&m, "", 0, &added), 0);
	assert_false(added);
	assert_int_equal(index_of(&m, a, 4, &added), 3);
	assert_false(added);
	keymap_release(&m);
}

/* 2.1: the copy is the key's bytes and a NUL, the same copy each time, not the
 * caller's buffer. */
static void
test_2_1_copy(void **state)
{
	struct keymap m = KEYMAP_INIT;
	char key[] = "tenant";
	const char *c1 = NULL, *c2 = NULL;
	uint64_t i;

	(void)state;
	assert_int_equal(keymap_index(&m, key, 3, &i, NULL, &c1), 0);
	assert_non_null(c1);
	assert_ptr_not_equal(c1, key);
	assert_string_equal(c1, "ten");
	key[0] = 'T';
	assert_int_equal(keymap_index(&m, "ten", 3, &i, NULL, &c2), 0);
	assert_ptr_equal(c1, c2);
	assert_int_equal(i, 0);
	keymap_release(&m);
}

/* 3.0: released, the map is empty and counts from 0 again. */
static void
test_3_0_release_reuse(void **state)
{
	struct keymap m = KEYMAP_INIT;
	bool added;

	(void)state;
	index_of(&m, "x", 1, &added);
	index_of(&m, "y", 1, &added);
	keymap_release(&m);
	assert_int_equal(m.n, 0);
	assert_int_equal(index_of(&m, "y", 1, &added), 0);
	assert_true(added);
	keymap_release(&m);
	keymap_release(&m); /* twice is fine */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1_0_first_seen_order),
		cmocka_unit_test(test_2_0_bytes_and_lengths),
		cmocka_unit_test(test_2_1_copy),
		cmocka_unit_test(test_3_0_release_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
