/* Mirroring: N replicas hold the same ciphertext; a copy that fails
 * verification is served from another replica, rewritten and reported. */
#include "check_encdom_util.h"
#include "vol_format.h"

#define NB 48u

static struct vol_layout L;
static uint64_t repairs[ENCDOM_MAX_REPLICAS], last_block;
static void on_event(void *ctx, enum encdom_event ev, uint64_t a, uint64_t b)
{
	(void)ctx;
	if (ev == ENCDOM_EV_REPAIR) {
		repairs[a]++;
		last_block = b;
	}
}

static struct encdom_vol *open_hooked(struct tvol *t)
{
	struct encdom_vol *v = NULL;
	int rc = encdom_open(&v, t->paths, t->n, t->key, &t->anchor, on_event, NULL, t->err);

	ck_assert_msg(rc == 0, "open: %s", t->err);
	return v;
}

static void setup(struct tvol *t, unsigned int n)
{
	struct encdom_vol *v;
	uint8_t *buf = malloc(NB * ENCDOM_BLOCK);

	memset(repairs, 0, sizeof(repairs));
	ck_assert_int_eq(vol_layout_init(&L, NB, vol_default_jblocks(NB)), 0);
	tvol_make(t, n, NB, 0);
	v = tvol_open(t);
	for (uint64_t b = 0; b < NB; b++)
		pattern(buf + b * ENCDOM_BLOCK, b, 1);
	ck_assert_int_eq(encdom_write(v, 0, NB, buf), 0);
	ck_assert_int_eq(encdom_close(v), 0);
	free(buf);
}

static int same_range(const char *a, const char *b, uint64_t off, size_t len)
{
	uint8_t x[ENCDOM_BLOCK], y[ENCDOM_BLOCK];
	int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY), same;

	ck_assert(len <= sizeof(x) && fa >= 0 && fb >= 0);
	ck_assert_int_eq(pread(fa, x, len, (off_t)off), (ssize_t)len);
	ck_assert_int_eq(pread(fb, y, len, (off_t)off), (ssize_t)len);
	same = memcmp(x, y, len) == 0;
	close(fa);
	close(fb);
	return same;
}

START_TEST(replicas_hold_the_same_ciphertext)
{
	struct tvol t = {0};

	setup(&t, 3);
	for (uint64_t b = 0; b < NB; b++) {
		ck_assert(same_range(t.path[0], t.path[1], L.data_off + b * ENCDOM_BLOCK,
				     ENCDOM_BLOCK));
		ck_assert(same_range(t.path[0], t.path[2], L.data_off + b * ENCDOM_BLOCK,
				     ENCDOM_BLOCK));
	}
	tvol_rm(&t);
}
END_TEST

START_TEST(bad_data_copy_is_served_from_another_and_repaired)
{
	struct tvol t = {0};
	struct encdom_vol *v;
	uint8_t buf[ENCDOM_BLOCK], want[ENCDOM_BLOCK];
	struct encdom_info info;

	setup(&t, 2);
	flip_bit(t.path[0], L.data_off + 5 * ENCDOM_BLOCK + 17, 6);
	ck_assert(!same_range(t.path[0], t.path[1], L.data_off + 5 * ENCDOM_BLOCK, ENCDOM_BLOCK));
	v = open_hooked(&t);
	pattern(want, 5, 1);
	ck_assert_int_eq(encdom_read(v, 5, 1, buf), 0);
	ck_assert_mem_eq(buf, want, sizeof(buf));
	ck_assert_uint_eq(repairs[0], 1);
	ck_assert_uint_eq(last_block, 5);
	encdom_get_info(v, &info);
	ck_assert_uint_eq(info.repaired, 1);
	ck_assert_int_eq(encdom_close(v), 0);
	ck_assert(same_range(t.path[0], t.path[1], L.data_off + 5 * ENCDOM_BLOCK, ENCDOM_BLOCK));
	/* Replica 0 alone is whole again. */
	t.n = 1;
	v = tvol_open(&t);
	ck_assert_int_eq(encdom_read(v, 5, 1, buf), 0);
	ck_assert_mem_eq(buf, want, sizeof(buf));
	ck_assert_int_eq(encdom_close(v), 0);
	tvol_rm(&t);
}
END_TEST

START_TEST(scrub_finds_and_repairs_every_bad_copy)
{
	struct tvol t = {0};
	struct encdom_vol *v;
	uint64_t nbad = 99;

	setup(&t, 3);
	flip_bit(t.path[1], L.data_off + 7 * ENCDOM_BLOCK, 0);
	flip_bit(t.path[2], L.data_off + 30 * ENCDOM_BLOCK + 4095, 7);
	v = open_hooked(&t);
	ck_assert_int_eq(encdom_scrub(v, 0, &nbad), 0);
	ck_assert_uint_eq(nbad, 0);
	ck_assert_uint_eq(repairs[1] + repairs[2], 0);
	ck_assert_int_eq(encdom_scrub(v, 1, &nbad), 0);
	ck_assert_uint_eq(repairs[1], 1);
	ck_assert_uint_eq(repairs[2], 1);
	ck_assert_int_eq(encdom_close(v), 0);
	ck_assert(same_range(t.path[0], t.path[1], L.data_off + 7 * ENCDOM_BLOCK, ENCDOM_BLOCK));
	ck_assert(same_range(t.path[0], t.path[2], L.data_off + 30 * ENCDOM_BLOCK, ENCDOM_BLOCK));
	/* Every copy bad: reported, named, not repairable. */
	for (unsigned int r = 0; r < 3; r++)
		flip_bit(t.path[r], L.data_off + 11 * ENCDOM_BLOCK + 9, 1);
	v = open_hooked(&t);
	ck_assert_int_eq(encdom_scrub(v, 1, &nbad), ENCDOM_ERR_INTEGRITY);
	ck_assert_uint_eq(nbad, 1);
	{
		uint8_t buf[ENCDOM_BLOCK];

		ck_assert_int_eq(encdom_read(v, 11, 1, buf), ENCDOM_ERR_INTEGRITY);
		ck_assert_ptr_nonnull(strstr(encdom_errmsg(v), "block 11:"));
		ck_assert_ptr_nonnull(strstr(encdom_errmsg(v), "3 of 3 replica"));
	}
	ck_assert_int_eq(encdom_close(v), 0);
	tvol_rm(&t);
}
END_TEST

START_TEST(bad_metadata_or_header_on_one_replica_is_rewritten)
{
	struct tvol t = {0};
	struct encdom_vol *v;
	uint8_t buf[ENCDOM_BLOCK], want[ENCDOM_BLOCK];

	setup(&t, 2);
	flip_bit(t.path[0], L.meta_off + 20 * VOL_RECORD + 3, 2);
	flip_bit(t.path[0], 60, 2); /* header key check */
	v = open_hooked(&t);
	ck_assert_uint_ge(repairs[0], 1);
	pattern(want, 20, 1);
	ck_assert_int_eq(encdom_read(v, 20, 1, buf), 0);
	ck_assert_mem_eq(buf, want, sizeof(buf));
	ck_assert_int_eq(encdom_close(v), 0);
	ck_assert(same_range(t.path[0], t.path[1], 0, ENCDOM_BLOCK));
	ck_assert(same_range(t.path[0], t.path[1], L.meta_off, ENCDOM_BLOCK));
	t.n = 1;
	v = tvol_open(&t);
	ck_assert_int_eq(encdom_read(v, 20, 1, buf), 0);
	ck_assert_mem_eq(buf, want, sizeof(buf));
	ck_assert_int_eq(encdom_close(v), 0);
	tvol_rm(&t);
}
END_TEST

/* Bad copies inside one read of two batches (32 + 16 blocks), at both ends
 * of a batch and on two replicas: every block reads back right, and
 * exactly the bad copies are repaired (the fallback has its own buffers). */
START_TEST(bad_copies_in_a_multi_block_read_leave_the_batch_intact)
{
	static const uint64_t bad0[] = {0, 1, 2, 31, 32, 47};
	struct tvol t = {0};
	struct encdom_vol *v;
	uint8_t *buf = malloc(NB * ENCDOM_BLOCK), want[ENCDOM_BLOCK];

	setup(&t, 3);
	for (unsigned int i = 0; i < sizeof(bad0) / sizeof(bad0[0]); i++)
		flip_bit(t.path[0], L.data_off + bad0[i] * ENCDOM_BLOCK + 100 * i, i);
	flip_bit(t.path[1], L.data_off + 1 * ENCDOM_BLOCK + 4000, 3);
	v = open_hooked(&t);
	ck_assert_int_eq(encdom_read(v, 0, NB, buf), 0);
	for (uint64_t b = 0; b < NB; b++) {
		pattern(want, b, 1);
		ck_assert_mem_eq(buf + b * ENCDOM_BLOCK, want, ENCDOM_BLOCK);
	}
	ck_assert_uint_eq(repairs[0], 6);
	ck_assert_uint_eq(repairs[1], 1);
	ck_assert_uint_eq(repairs[2], 0);
	ck_assert_int_eq(encdom_close(v), 0);
	for (unsigned int r = 1; r < 3; r++)
		for (uint64_t b = 0; b < NB; b++)
			ck_assert(same_range(t.path[0], t.path[r], L.data_off + b * ENCDOM_BLOCK,
					     ENCDOM_BLOCK));
	free(buf);
	tvol_rm(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("encdom_mirror");
	TCase *tc = tcase_create("mirror");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, replicas_hold_the_same_ciphertext);
	tcase_add_test(tc, bad_data_copy_is_served_from_another_and_repaired);
	tcase_add_test(tc, scrub_finds_and_repairs_every_bad_copy);
	tcase_add_test(tc, bad_copies_in_a_multi_block_read_leave_the_batch_intact);
	tcase_add_test(tc, bad_metadata_or_header_on_one_replica_is_rewritten);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
