/* Unit tests of blkback-acm/pgrant_lru.c (the daemon-wide budget of
 * persistent grants and its LRU order) and discard_piece.h (a discard's
 * pieces). */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>

#include "discard_piece.h"
#include "pgrant_lru.h"

START_TEST(default_budget)
{
	ck_assert_uint_eq(pgrant_lru_default_budget(65530), 65530 - 16382);
	ck_assert_uint_lt(pgrant_lru_default_budget(65530), 65530 - 1000);
	ck_assert_uint_eq(pgrant_lru_default_budget(2048), 1024); /* headroom at least 1024 */
	ck_assert_uint_eq(pgrant_lru_default_budget(1024), 1);
	ck_assert_uint_eq(pgrant_lru_default_budget(0), 1);
}
END_TEST

/* Random get/put/add/evict against a budget: the invariants always hold,
 * and a node in use is never a victim. */
START_TEST(random_ops_keep_invariants)
{
	enum { N = 64 };
	struct pgrant_lru l;
	struct pgrant_lru_node n[N];
	bool mapped[N] = {false};

	srand(7);
	pgrant_lru_init(&l, 16);
	for (unsigned int step = 0; step < 100000; step++) {
		unsigned int i = (unsigned int)rand() % N;
		struct pgrant_lru_node *victim;

		if (!mapped[i]) {
			while (!pgrant_lru_room(&l, &victim)) {
				if (victim == NULL)
					break;
				ck_assert_uint_eq(victim->users, 0);
				pgrant_lru_remove(&l, victim, true);
				mapped[victim - n] = false;
			}
			if (l.mapped < l.budget) {
				pgrant_lru_add(&l, &n[i]);
				mapped[i] = true;
				pgrant_lru_put(&l, &n[i]);
			}
		} else if (rand() % 3 == 0 && n[i].users < 3) {
			pgrant_lru_get(&l, &n[i]); /* held for a while */
		} else if (n[i].users > 0) {
			pgrant_lru_put(&l, &n[i]);
		}
		ck_assert_int_eq(pgrant_lru_check(&l), 0);
	}
	ck_assert_uint_gt(l.evictions, 0);
}
END_TEST

START_TEST(lru_order)
{
	struct pgrant_lru l;
	struct pgrant_lru_node a, b, c, *victim;

	pgrant_lru_init(&l, 3);
	pgrant_lru_add(&l, &a);
	pgrant_lru_add(&l, &b);
	pgrant_lru_add(&l, &c);
	pgrant_lru_put(&l, &b);
	pgrant_lru_put(&l, &a);
	ck_assert(!pgrant_lru_room(&l, &victim));
	ck_assert_ptr_eq(victim, &b); /* idle longest; c is in use */
	pgrant_lru_get(&l, &b);
	pgrant_lru_put(&l, &b); /* used again: a is now the oldest */
	ck_assert(!pgrant_lru_room(&l, &victim));
	ck_assert_ptr_eq(victim, &a);
	pgrant_lru_get(&l, &a);
	pgrant_lru_get(&l, &b);
	ck_assert(!pgrant_lru_room(&l, &victim));
	ck_assert_ptr_null(victim); /* all in use: no room, no victim */
	pgrant_lru_put(&l, &a);
	pgrant_lru_remove(&l, &a, true);
	ck_assert(pgrant_lru_room(&l, &victim));
	ck_assert_uint_eq(l.evictions, 1);
	ck_assert_int_eq(pgrant_lru_check(&l), 0);
}
END_TEST

START_TEST(discard_pieces)
{
	const uint64_t M = 1u << 20;

	ck_assert_uint_eq(discard_piece(0, 64 * M, 16 * M), 16 * M);
	ck_assert_uint_eq(discard_piece(16 * M, 64 * M, 16 * M), 16 * M);
	ck_assert_uint_eq(discard_piece(5, 64 * M, 16 * M), 16 * M - 5); /* to the boundary */
	ck_assert_uint_eq(discard_piece(60 * M, 64 * M, 16 * M), 4 * M); /* the tail */
	ck_assert_uint_eq(discard_piece(64 * M, 64 * M, 16 * M), 0);
	ck_assert_uint_eq(discard_piece(65 * M, 64 * M, 16 * M), 0);
	ck_assert_uint_eq(discard_piece(0, 512, 16 * M), 512);
	ck_assert_uint_eq(discard_piece(0, 512, 0), 0);
	/* near 2^64: no overflow */
	ck_assert_uint_eq(discard_piece(UINT64_MAX - 10, UINT64_MAX, 16 * M), 10);
	/* the pieces cover [next, end) exactly, each at most max */
	for (uint64_t start = 0; start < 3 * M; start += 512 * 1023) {
		uint64_t next = start, end = start + 100 * M + 4096, n = 0, len;

		while ((len = discard_piece(next, end, 16 * M)) > 0) {
			ck_assert_uint_le(len, 16 * M);
			next += len;
			n++;
		}
		ck_assert_uint_eq(next, end);
		ck_assert_uint_le(n, 8);
	}
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {default_budget, random_ops_keep_invariants, lru_order,
				      discard_pieces};

	return xacm_check_tests("blkback_pgrant", tests, sizeof(tests) / sizeof(tests[0]));
}
