/* Unit tests of blkback-acm/blkif_request.c: validation of copied requests. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkif_request.h"

#define DEV_SECTORS 1000u

static struct blkb_limits lim;
static struct blkb_request *out;

static void setup(void)
{
	memset(&lim, 0, sizeof(lim));
	lim.nr_sectors = DEV_SECTORS;
	lim.sector_size = 512;
	lim.max_indirect_segments = BLKB_MAX_INDIRECT_SEGMENTS;
	lim.flush = true;
	lim.barrier = true;
	lim.discard = true;
	ck_assert_int_eq(blkb_limits_check(&lim), 0);
	out = calloc(1, sizeof(*out));
	ck_assert_ptr_nonnull(out);
}

static void teardown(void)
{
	free(out);
}

/* A direct request with n segments, each a full 4 KiB page of 512-byte sectors. */
static struct blkif_request rw(uint8_t op, unsigned int n, uint64_t sector)
{
	struct blkif_request r;
	unsigned int i;

	memset(&r, 0, sizeof(r));
	r.operation = op;
	r.nr_segments = (uint8_t)n;
	r.id = 0x1122334455667788ULL;
	r.sector_number = sector;
	for (i = 0; i < n && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		r.seg[i].gref = 100 + i;
		r.seg[i].first_sect = 0;
		r.seg[i].last_sect = 7;
	}
	return r;
}

static int parse(const struct blkif_request *r)
{
	return blkb_request_parse(&lim, r, NULL, NULL, out);
}

START_TEST(read_and_write_accepted)
{
	struct blkif_request r = rw(BLKIF_OP_READ, 11, 10);

	r.seg[3].first_sect = 2;
	r.seg[3].last_sect = 2;
	ck_assert_int_eq(parse(&r), 0);
	ck_assert_uint_eq(out->id, 0x1122334455667788ULL);
	ck_assert_uint_eq(out->op, BLKIF_OP_READ);
	ck_assert_uint_eq(out->rsp_operation, BLKIF_OP_READ);
	ck_assert(!out->indirect);
	ck_assert_uint_eq(out->nr_segments, 11);
	ck_assert_uint_eq(out->sector_number, 10);
	ck_assert_uint_eq(out->nr_sectors, 10 * 8 + 1);
	ck_assert_uint_eq(out->seg[10].gref, 110);
	ck_assert_uint_eq(out->seg[3].first_sect, 2);

	r = rw(BLKIF_OP_WRITE, 1, 0);
	r.seg[0].first_sect = 7;
	ck_assert_int_eq(parse(&r), 0);
	ck_assert_uint_eq(out->op, BLKIF_OP_WRITE);
	ck_assert_uint_eq(out->nr_sectors, 1);
	ck_assert_int_eq(blkb_request_status(0), BLKIF_RSP_OKAY);
}
END_TEST

START_TEST(bad_segment_counts_rejected)
{
	struct blkif_request r = rw(BLKIF_OP_READ, 0, 0);

	ck_assert_int_eq(parse(&r), -EINVAL);
	ck_assert_uint_eq(out->id, r.id);
	r = rw(BLKIF_OP_WRITE, 0, 0);
	ck_assert_int_eq(parse(&r), -EINVAL);
	r = rw(BLKIF_OP_READ, 11, 0);
	r.nr_segments = 12;
	ck_assert_int_eq(parse(&r), -EINVAL);
	r.nr_segments = 255;
	ck_assert_int_eq(parse(&r), -EINVAL);
	ck_assert_int_eq(blkb_request_status(-EINVAL), BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(bad_segment_sectors_rejected)
{
	struct blkif_request r = rw(BLKIF_OP_READ, 3, 0);

	r.seg[2].last_sect = 8; /* past the 4 KiB page */
	ck_assert_int_eq(parse(&r), -EINVAL);
	r.seg[2].last_sect = 255;
	ck_assert_int_eq(parse(&r), -EINVAL);
	r = rw(BLKIF_OP_READ, 3, 0);
	r.seg[1].first_sect = 5;
	r.seg[1].last_sect = 4;
	ck_assert_int_eq(parse(&r), -EINVAL);
	ck_assert_uint_eq(out->id, r.id);
}
END_TEST

START_TEST(large_sectors_are_whole_pages)
{
	struct blkif_request r = rw(BLKIF_OP_WRITE, 4, 996);

	lim.sector_size = 4096;
	ck_assert_int_eq(blkb_limits_check(&lim), 0);
	ck_assert_int_eq(parse(&r), -EINVAL); /* last_sect 7 is not in a 4 KiB page */
	for (unsigned int i = 0; i < 4; i++)
		r.seg[i].last_sect = 0;
	ck_assert_int_eq(parse(&r), 0);
	ck_assert_uint_eq(out->nr_sectors, 4); /* in 4096-byte units */
	r.sector_number = 997;
	ck_assert_int_eq(parse(&r), -ERANGE);
	r.sector_number = 0;
	r.seg[0].first_sect = 1;
	r.seg[0].last_sect = 1;
	ck_assert_int_eq(parse(&r), -EINVAL);
}
END_TEST

START_TEST(sectors_outside_device_rejected)
{
	struct blkif_request r = rw(BLKIF_OP_READ, 2, DEV_SECTORS - 16);

	ck_assert_int_eq(parse(&r), 0); /* ends exactly at the end */
	r.sector_number++;
	ck_assert_int_eq(parse(&r), -ERANGE);
	r.sector_number = DEV_SECTORS;
	ck_assert_int_eq(parse(&r), -ERANGE);
	r.sector_number = UINT64_MAX - 3; /* sector + count wraps */
	ck_assert_int_eq(parse(&r), -ERANGE);
	r.sector_number = UINT64_MAX;
	ck_assert_int_eq(parse(&r), -ERANGE);
	ck_assert_int_eq(blkb_request_status(-ERANGE), BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(unknown_and_unoffered_operations)
{
	static const uint8_t unknown[] = {BLKIF_OP_RESERVED_1, 7, 8, 0x80, 255};
	struct blkif_request r;

	for (size_t i = 0; i < sizeof(unknown); i++) {
		r = rw(unknown[i], 1, 0);
		ck_assert_int_eq(parse(&r), -EOPNOTSUPP);
		ck_assert_uint_eq(out->id, r.id);
		ck_assert_uint_eq(out->rsp_operation, unknown[i]);
	}
	ck_assert_int_eq(blkb_request_status(-EOPNOTSUPP), BLKIF_RSP_EOPNOTSUPP);
	lim.flush = lim.barrier = lim.discard = false;
	lim.max_indirect_segments = 0;
	r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
	ck_assert_int_eq(parse(&r), -EOPNOTSUPP);
	r.operation = BLKIF_OP_WRITE_BARRIER;
	ck_assert_int_eq(parse(&r), -EOPNOTSUPP);
	r.operation = BLKIF_OP_DISCARD;
	ck_assert_int_eq(parse(&r), -EOPNOTSUPP);
	r.operation = BLKIF_OP_INDIRECT;
	ck_assert_int_eq(parse(&r), -EOPNOTSUPP);
	ck_assert_uint_eq(out->rsp_operation, BLKIF_OP_INDIRECT);
}
END_TEST

START_TEST(flush_and_barrier)
{
	struct blkif_request r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, UINT64_MAX);

	/* Without data: no sector range, so sector_number does not matter. */
	ck_assert_int_eq(parse(&r), 0);
	ck_assert_uint_eq(out->op, BLKIF_OP_FLUSH_DISKCACHE);
	ck_assert_uint_eq(out->nr_segments, 0);
	ck_assert_uint_eq(out->nr_sectors, 0);
	/* With data: a write, checked like one. */
	r = rw(BLKIF_OP_FLUSH_DISKCACHE, 2, 8);
	ck_assert_int_eq(parse(&r), 0);
	ck_assert_uint_eq(out->nr_sectors, 16);
	r.sector_number = DEV_SECTORS - 8;
	ck_assert_int_eq(parse(&r), -ERANGE);
	r = rw(BLKIF_OP_WRITE_BARRIER, 0, 0);
	ck_assert_int_eq(parse(&r), 0);
	ck_assert_uint_eq(out->op, BLKIF_OP_WRITE_BARRIER);
	r = rw(BLKIF_OP_WRITE_BARRIER, 12, 0);
	ck_assert_int_eq(parse(&r), -EINVAL);
}
END_TEST

START_TEST(readonly_device)
{
	struct blkif_request r = rw(BLKIF_OP_READ, 1, 0);

	lim.readonly = true;
	ck_assert_int_eq(parse(&r), 0);
	r.operation = BLKIF_OP_WRITE;
	ck_assert_int_eq(parse(&r), -EROFS);
	ck_assert_int_eq(blkb_request_status(-EROFS), BLKIF_RSP_ERROR);
	r.operation = BLKIF_OP_FLUSH_DISKCACHE; /* with data */
	ck_assert_int_eq(parse(&r), -EROFS);
	r.operation = BLKIF_OP_DISCARD;
	ck_assert_int_eq(parse(&r), -EROFS);
	r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0); /* changes nothing */
	ck_assert_int_eq(parse(&r), 0);
}
END_TEST

static struct blkif_request discard(uint64_t sector, uint64_t n, uint8_t flag)
{
	struct blkif_request r;
	struct blkif_request_discard d;

	memset(&r, 0, sizeof(r));
	memset(&d, 0, sizeof(d));
	d.operation = BLKIF_OP_DISCARD;
	d.flag = flag;
	d.id = 77;
	d.sector_number = sector;
	d.nr_sectors = n;
	memcpy(&r, &d, sizeof(d));
	return r;
}

START_TEST(discard_ranges)
{
	struct blkif_request r = discard(10, DEV_SECTORS - 10, BLKIF_DISCARD_SECURE);

	ck_assert_int_eq(parse(&r), 0);
	ck_assert_uint_eq(out->id, 77);
	ck_assert_uint_eq(out->op, BLKIF_OP_DISCARD);
	ck_assert_uint_eq(out->sector_number, 10);
	ck_assert_uint_eq(out->nr_sectors, DEV_SECTORS - 10);
	ck_assert(!out->discard_secure); /* not offered: ignored */
	lim.discard_secure = true;
	ck_assert_int_eq(parse(&r), 0);
	ck_assert(out->discard_secure);
	r = discard(10, DEV_SECTORS - 9, 0);
	ck_assert_int_eq(parse(&r), -ERANGE);
	r = discard(1, UINT64_MAX, 0);
	ck_assert_int_eq(parse(&r), -ERANGE);
	r = discard(DEV_SECTORS + 1, 0, 0);
	ck_assert_int_eq(parse(&r), -EINVAL);
	r = discard(0, 0, 0);
	ck_assert_int_eq(parse(&r), -EINVAL);
	r = discard(0, 1, 0xfe); /* unknown flag bits are ignored */
	ck_assert_int_eq(parse(&r), 0);
	ck_assert(!out->discard_secure);
}
END_TEST

/* ---- indirect requests: pages held in memory, indexed by grant ref -------- */
#define NR_PAGES 16
static struct blkif_request_segment pages[NR_PAGES][BLKB_SEGS_PER_INDIRECT_PAGE];
static unsigned int fetch_calls;
static unsigned int fetch_last_nr_pages;
static size_t fetch_last_len;

static int fetch_mem(void *opaque, const grant_ref_t *grefs, unsigned int nr_pages, void *dst,
		     size_t len)
{
	unsigned char *d = dst;
	unsigned int i;

	fetch_calls++;
	fetch_last_nr_pages = nr_pages;
	fetch_last_len = len;
	ck_assert(nr_pages >= 1 && nr_pages <= BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST);
	ck_assert(len > (nr_pages - 1) * BLKB_PAGE_SIZE && len <= nr_pages * BLKB_PAGE_SIZE);
	for (i = 0; i < nr_pages; i++) {
		size_t n = len - i * BLKB_PAGE_SIZE;

		if (grefs[i] >= NR_PAGES)
			return -EFAULT; /* the grant does not map */
		memcpy(d + i * BLKB_PAGE_SIZE, pages[grefs[i]],
		       n < BLKB_PAGE_SIZE ? n : BLKB_PAGE_SIZE);
	}
	return 0;
}

/* An indirect request of n segments in pages 3, 4, ...; segment i has gref
 * 1000 + i and covers sector (i % 8) of its page. */
static struct blkif_request indirect(uint8_t op, uint16_t n, uint64_t sector)
{
	struct blkif_request r;
	struct blkif_request_indirect ind;
	unsigned int i;

	memset(&ind, 0, sizeof(ind));
	ind.operation = BLKIF_OP_INDIRECT;
	ind.indirect_op = op;
	ind.nr_segments = n;
	ind.id = 4242;
	ind.sector_number = sector;
	for (i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
		ind.indirect_grefs[i] = 3 + i;
	for (i = 0; i < BLKB_MAX_INDIRECT_SEGMENTS; i++) {
		struct blkif_request_segment *s = &pages[3 + i / BLKB_SEGS_PER_INDIRECT_PAGE]
							[i % BLKB_SEGS_PER_INDIRECT_PAGE];

		s->gref = 1000 + i;
		s->first_sect = s->last_sect = (uint8_t)(i % 8);
	}
	memset(&r, 0, sizeof(r));
	memcpy(&r, &ind, sizeof(ind));
	fetch_calls = 0;
	return r;
}

static int parse_ind(const struct blkif_request *r)
{
	return blkb_request_parse(&lim, r, fetch_mem, NULL, out);
}

START_TEST(indirect_accepted)
{
	struct blkif_request r = indirect(BLKIF_OP_WRITE, 1000, 0); /* to the very end */

	ck_assert_int_eq(parse_ind(&r), 0);
	ck_assert_uint_eq(fetch_calls, 1);
	ck_assert_uint_eq(fetch_last_nr_pages, 2);
	ck_assert_uint_eq(fetch_last_len, 1000 * 8);
	ck_assert(out->indirect);
	ck_assert_uint_eq(out->op, BLKIF_OP_WRITE);
	ck_assert_uint_eq(out->rsp_operation, BLKIF_OP_WRITE);
	ck_assert_uint_eq(out->id, 4242);
	ck_assert_uint_eq(out->nr_segments, 1000);
	ck_assert_uint_eq(out->nr_sectors, 1000);
	ck_assert_uint_eq(out->seg[999].gref, 1999);
	ck_assert_uint_eq(out->seg[513].first_sect, 1);

	/* Small indirect requests are fine; the largest uses all 8 pages. */
	r = indirect(BLKIF_OP_READ, 1, 0);
	ck_assert_int_eq(parse_ind(&r), 0);
	ck_assert_uint_eq(fetch_last_nr_pages, 1);
	ck_assert_uint_eq(out->op, BLKIF_OP_READ);
	r = indirect(BLKIF_OP_READ, BLKB_MAX_INDIRECT_SEGMENTS, 0);
	lim.nr_sectors = BLKB_MAX_INDIRECT_SEGMENTS;
	ck_assert_int_eq(parse_ind(&r), 0);
	ck_assert_uint_eq(out->nr_sectors, BLKB_MAX_INDIRECT_SEGMENTS);
	ck_assert_uint_eq(fetch_last_nr_pages, 8);
	ck_assert_uint_eq(out->seg[BLKB_MAX_INDIRECT_SEGMENTS - 1].gref,
			  1000 + BLKB_MAX_INDIRECT_SEGMENTS - 1);
	/* A page exactly full does not pull in the next one. */
	r = indirect(BLKIF_OP_READ, 512, 0);
	ck_assert_int_eq(parse_ind(&r), 0);
	ck_assert_uint_eq(fetch_last_nr_pages, 1);
}
END_TEST

START_TEST(indirect_rejected)
{
	struct blkif_request r = indirect(BLKIF_OP_READ, 0, 0);

	ck_assert_int_eq(parse_ind(&r), -EINVAL);
	ck_assert_uint_eq(fetch_calls, 0);
	ck_assert_uint_eq(out->id, 4242);
	lim.max_indirect_segments = 256;
	r = indirect(BLKIF_OP_READ, 257, 0);
	ck_assert_int_eq(parse_ind(&r), -EINVAL);
	ck_assert_uint_eq(fetch_calls, 0);
	r = indirect(BLKIF_OP_READ, 256, 0);
	ck_assert_int_eq(parse_ind(&r), 0);
	/* Sub-operations other than read and write. */
	r = indirect(BLKIF_OP_FLUSH_DISKCACHE, 8, 0);
	ck_assert_int_eq(parse_ind(&r), -EINVAL);
	ck_assert_uint_eq(out->rsp_operation, BLKIF_OP_INDIRECT);
	r = indirect(BLKIF_OP_INDIRECT, 8, 0);
	ck_assert_int_eq(parse_ind(&r), -EINVAL);
	/* A bad segment on the second page, read after the copy. */
	lim.max_indirect_segments = 1024;
	r = indirect(BLKIF_OP_WRITE, 600, 0);
	pages[4][50].last_sect = 8;
	ck_assert_int_eq(parse_ind(&r), -EINVAL);
	ck_assert_uint_eq(fetch_calls, 1);
	r = indirect(BLKIF_OP_WRITE, 600, 0);
	pages[4][50].first_sect = 7;
	pages[4][50].last_sect = 6;
	ck_assert_int_eq(parse_ind(&r), -EINVAL);
	/* Out of the device. */
	r = indirect(BLKIF_OP_WRITE, 600, DEV_SECTORS - 599);
	ck_assert_int_eq(parse_ind(&r), -ERANGE);
	r = indirect(BLKIF_OP_WRITE, 600, UINT64_MAX - 10);
	ck_assert_int_eq(parse_ind(&r), -ERANGE);
	/* Read-only. */
	lim.readonly = true;
	r = indirect(BLKIF_OP_WRITE, 10, 0);
	ck_assert_int_eq(parse_ind(&r), -EROFS);
	ck_assert_uint_eq(fetch_calls, 0);
}
END_TEST

START_TEST(indirect_unreadable_list)
{
	struct blkif_request r = indirect(BLKIF_OP_READ, 600, 0);
	struct blkif_request_indirect ind;

	memcpy(&ind, &r, sizeof(ind));
	ind.indirect_grefs[1] = 9999; /* the second page's grant does not map */
	memcpy(&r, &ind, sizeof(ind));
	ck_assert_int_eq(parse_ind(&r), -EIO);
	ck_assert_int_eq(blkb_request_status(-EIO), BLKIF_RSP_ERROR);
	ck_assert_uint_eq(out->id, 4242);
	/* Grant refs past the pages the segment count needs are never used. */
	r = indirect(BLKIF_OP_READ, 512, 0);
	memcpy(&ind, &r, sizeof(ind));
	for (unsigned int i = 1; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
		ind.indirect_grefs[i] = 9999;
	memcpy(&r, &ind, sizeof(ind));
	ck_assert_int_eq(parse_ind(&r), 0);
	/* No callback: indirect cannot be served. */
	ck_assert_int_eq(blkb_request_parse(&lim, &r, NULL, NULL, out), -EOPNOTSUPP);
}
END_TEST

START_TEST(limits_checked)
{
	struct blkb_limits l = lim;

	ck_assert_int_eq(blkb_limits_check(NULL), -EINVAL);
	l.sector_size = 1024;
	ck_assert_int_eq(blkb_limits_check(&l), -EINVAL);
	l.sector_size = 0;
	ck_assert_int_eq(blkb_limits_check(&l), -EINVAL);
	l.sector_size = 4096;
	ck_assert_int_eq(blkb_limits_check(&l), 0);
	l.max_indirect_segments = BLKB_MAX_INDIRECT_SEGMENTS + 1;
	ck_assert_int_eq(blkb_limits_check(&l), -EINVAL);
	l.max_indirect_segments = 0;
	l.nr_sectors = UINT64_MAX / 4096;
	ck_assert_int_eq(blkb_limits_check(&l), 0);
	l.nr_sectors++;
	ck_assert_int_eq(blkb_limits_check(&l), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blkback_request");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, read_and_write_accepted);
	tcase_add_test(tc, bad_segment_counts_rejected);
	tcase_add_test(tc, bad_segment_sectors_rejected);
	tcase_add_test(tc, large_sectors_are_whole_pages);
	tcase_add_test(tc, sectors_outside_device_rejected);
	tcase_add_test(tc, unknown_and_unoffered_operations);
	tcase_add_test(tc, flush_and_barrier);
	tcase_add_test(tc, readonly_device);
	tcase_add_test(tc, discard_ranges);
	tcase_add_test(tc, indirect_accepted);
	tcase_add_test(tc, indirect_rejected);
	tcase_add_test(tc, indirect_unreadable_list);
	tcase_add_test(tc, limits_checked);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
