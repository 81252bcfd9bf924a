/* Unit tests of encdom/xen/store_blkfront.c: byte ranges on a sector
 * device through one blkfront slot, against a model.  The blkfront is a
 * mock over memory with the real slot rules (a slot must be taken to be
 * submitted; a finished one must be put back before it is taken again). */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_blkfront.h"

#define DEV_BYTES (64u * 1024u)
#define MAX_BYTES 8192u

static uint8_t dev[DEV_BYTES], model[DEV_BYTES], pages[MAX_BYTES];
static struct blkfront_info info;
static enum { FREE, TAKEN, BUSY, DONE } slot_state;
static unsigned int requests, fail_at; /* fail request number fail_at (0: never) */
static int last_status;

const struct blkfront_info *blkfront_info(const struct blkfront *bf)
{
	(void)bf;
	return &info;
}

int blkfront_get(struct blkfront *bf, uint8_t **p)
{
	(void)bf;
	if (slot_state != FREE)
		return -EBUSY;
	slot_state = TAKEN;
	*p = pages;
	return 0;
}

void blkfront_put(struct blkfront *bf, unsigned int slot)
{
	(void)bf;
	ck_assert_uint_eq(slot, 0);
	if (slot_state != BUSY)
		slot_state = FREE;
}

int blkfront_submit(struct blkfront *bf, unsigned int slot, enum blkfront_op op, uint64_t sector,
		    size_t bytes)
{
	(void)bf;
	ck_assert_uint_eq(slot, 0);
	ck_assert_int_eq(slot_state, TAKEN);
	if (op != BLKFRONT_FLUSH) {
		ck_assert(bytes > 0 && bytes <= info.max_bytes && bytes % info.sector_size == 0);
		ck_assert(sector * 512 % info.sector_size == 0);
		ck_assert(sector * 512 + bytes <= DEV_BYTES);
		if (op == BLKFRONT_READ)
			memcpy(pages, dev + sector * 512, bytes);
		else
			memcpy(dev + sector * 512, pages, bytes);
	}
	last_status = ++requests == fail_at ? -EIO : 0;
	slot_state = BUSY;
	return 0;
}

int blkfront_wait(struct blkfront *bf, struct blkfront_done *done, unsigned int max, int ms)
{
	(void)bf;
	(void)max;
	(void)ms;
	ck_assert_int_eq(slot_state, BUSY);
	slot_state = DONE;
	done[0] = (struct blkfront_done){.slot = 0, .status = last_status};
	return 1;
}

static void setup(unsigned int sector_size)
{
	info = (struct blkfront_info){
		.sectors = DEV_BYTES / 512, .sector_size = sector_size, .max_bytes = MAX_BYTES};
	for (unsigned int i = 0; i < DEV_BYTES; i++)
		dev[i] = model[i] = (uint8_t)(i * 7 + 3);
	slot_state = FREE;
	requests = fail_at = 0;
}

static void random_ops(unsigned int sector_size)
{
	struct bf_store s = {.name = "mock", .timeout_ms = 1000};
	struct encdom_store st;
	static uint8_t buf[3 * MAX_BYTES];

	setup(sector_size);
	bf_store_init(&st, &s);
	ck_assert_uint_eq(st.size(st.ctx), DEV_BYTES);
	srand(sector_size);
	for (unsigned int i = 0; i < 2000; i++) {
		size_t len = 1 + (size_t)rand() % (i % 4 ? 200 : sizeof(buf));
		uint64_t off = (uint64_t)rand() % (DEV_BYTES - len + 1);

		if (i % 3 == 0) {
			ck_assert_int_eq(st.read(st.ctx, buf, len, off), 0);
			ck_assert(memcmp(buf, model + off, len) == 0);
		} else {
			for (size_t j = 0; j < len; j++)
				buf[j] = (uint8_t)rand();
			ck_assert_int_eq(st.write(st.ctx, buf, len, off), 0);
			memcpy(model + off, buf, len);
			ck_assert(memcmp(dev, model, DEV_BYTES) == 0);
		}
		ck_assert_int_eq(slot_state, FREE); /* every call gives the slot back */
	}
	ck_assert_int_eq(st.sync(st.ctx), 0);
}

START_TEST(any_byte_range_512)
{
	random_ops(512);
}
END_TEST

START_TEST(any_byte_range_4096)
{
	random_ops(4096);
}
END_TEST

START_TEST(errors_and_bounds)
{
	struct bf_store s = {.name = "mock", .timeout_ms = 1000};
	struct encdom_store st;
	uint8_t buf[100];

	setup(512);
	bf_store_init(&st, &s);
	ck_assert_int_eq(st.read(st.ctx, buf, sizeof(buf), DEV_BYTES - 50), ENCDOM_ERR_TRUNCATED);
	ck_assert_int_eq(st.read(st.ctx, buf, 1, DEV_BYTES + 1), ENCDOM_ERR_TRUNCATED);
	/* a failed read of a partial write: nothing is written */
	fail_at = requests + 1;
	memset(buf, 0xee, sizeof(buf));
	ck_assert_int_eq(st.write(st.ctx, buf, sizeof(buf), 700), ENCDOM_ERR_IO);
	ck_assert(memcmp(dev, model, DEV_BYTES) == 0);
	slot_state = FREE; /* a failed request's slot is the blkfront's business */
	fail_at = requests + 1;
	ck_assert_int_eq(st.sync(st.ctx), ENCDOM_ERR_IO);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {any_byte_range_512, any_byte_range_4096, errors_and_bounds};

	return xacm_check_tests("store_blkfront", tests, sizeof(tests) / sizeof(tests[0]));
}
