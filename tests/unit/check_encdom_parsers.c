/* Unit tests of the parsers of untrusted bytes: header, metadata record,
 * journal block and entry, commit block / anchor; and of the geometry. */
#include "check_encdom_util.h"
#include "vol_format.h"
#include "xc_crypto.h"

static const uint8_t uuid[ENCDOM_UUID_LEN] = {0xde, 0xad, 0xbe, 0xef, 1, 2,  3,  4,
					      5,    6,    7,    8,    9, 10, 11, 12};

static void good_header(uint8_t *hb)
{
	struct vol_header h;

	memset(&h, 0, sizeof(h));
	h.version = VOL_VERSION;
	memcpy(h.uuid, uuid, sizeof(uuid));
	h.nblocks = 1000;
	h.journal_blocks = 16;
	memset(h.keycheck, 0x11, 32);
	memset(h.mac, 0x22, 32);
	vol_header_encode(&h, hb);
}

START_TEST(header_round_trip_and_every_bit_matters)
{
	uint8_t hb[ENCDOM_BLOCK];
	struct vol_header h;

	good_header(hb);
	ck_assert_int_eq(vol_header_parse(hb, &h), 0);
	ck_assert_uint_eq(h.nblocks, 1000);
	ck_assert_uint_eq(h.journal_blocks, 16);
	ck_assert_mem_eq(h.uuid, uuid, sizeof(uuid));
	/* Any single flipped bit of the block is rejected (checksum, padding). */
	for (unsigned int i = 0; i < ENCDOM_BLOCK; i += 7) {
		struct vol_header o = {.nblocks = 42};

		hb[i] ^= 0x10;
		ck_assert_msg(vol_header_parse(hb, &o) == ENCDOM_ERR_HEADER, "byte %u", i);
		ck_assert_uint_eq(o.nblocks, 42);
		hb[i] ^= 0x10;
	}
}
END_TEST

START_TEST(header_rejects_bad_geometry_even_with_good_checksum)
{
	uint8_t hb[ENCDOM_BLOCK];
	struct vol_header h;
	static const uint64_t nb[] = {0, VOL_MAX_BLOCKS + 1, UINT64_MAX};

	for (unsigned int i = 0; i < 3; i++) {
		good_header(hb);
		vol_put64(hb + 32, nb[i]);
		xc_sha256(hb, 112, hb + 112);
		ck_assert_int_eq(vol_header_parse(hb, &h), ENCDOM_ERR_HEADER);
	}
	good_header(hb);
	vol_put32(hb + 40, VOL_MIN_JBLOCKS - 1);
	xc_sha256(hb, 112, hb + 112);
	ck_assert_int_eq(vol_header_parse(hb, &h), ENCDOM_ERR_HEADER);
	good_header(hb);
	for (uint32_t ver = 0; ver <= VOL_VERSION + 1; ver++) { /* 1 parses: open refuses it */
		vol_put32(hb + 8, ver);
		xc_sha256(hb, 112, hb + 112);
		ck_assert_int_eq(vol_header_parse(hb, &h),
				 ver == 0 || ver > VOL_VERSION ? ENCDOM_ERR_HEADER : 0);
		ck_assert(ver == 0 || ver > VOL_VERSION || h.version == ver);
	}
	good_header(hb);
	vol_put32(hb + 12, 512); /* block size */
	xc_sha256(hb, 112, hb + 112);
	ck_assert_int_eq(vol_header_parse(hb, &h), ENCDOM_ERR_HEADER);
	good_header(hb);
	hb[44] = 1; /* reserved */
	xc_sha256(hb, 112, hb + 112);
	ck_assert_int_eq(vol_header_parse(hb, &h), ENCDOM_ERR_HEADER);
}
END_TEST

START_TEST(layout_is_ordered_and_overhead_small)
{
	struct vol_layout l;

	ck_assert_int_eq(vol_layout_init(&l, 1, VOL_MIN_JBLOCKS), 0);
	ck_assert_uint_eq(l.nchunks, 1);
	ck_assert_uint_eq(l.levels, 1);
	ck_assert_uint_eq(l.nnodes, 1);
	ck_assert_int_eq(vol_layout_init(&l, (uint64_t)1 << 28, VOL_DEFAULT_JBLOCKS),
			 0); /* 1 TiB */
	ck_assert_uint_eq(l.nchunks, (uint64_t)1 << 24);
	ck_assert_uint_eq(l.levels, 6);
	ck_assert(l.commit_off < l.journal_off && l.journal_off < l.meta_off &&
		  l.meta_off < l.tree_off && l.tree_off < l.data_off);
	ck_assert_uint_eq(l.data_off % ENCDOM_BLOCK, 0);
	/* metadata <= 0.85 % of capacity */
	ck_assert_uint_le(l.data_off * 10000, (l.size - l.data_off) * 85);
	ck_assert_int_eq(vol_layout_init(&l, VOL_MAX_BLOCKS, VOL_MAX_JBLOCKS), 0);
	ck_assert_int_eq(vol_layout_init(&l, VOL_MAX_BLOCKS + 1, 16), ENCDOM_ERR_INVAL);
	ck_assert_int_eq(vol_layout_init(&l, 16, VOL_MAX_JBLOCKS + 1), ENCDOM_ERR_INVAL);
}
END_TEST

START_TEST(record_edge_cases)
{
	uint8_t rb[VOL_RECORD];
	struct vol_record r = {.counter = 77}, o;

	memset(r.tag, 0xab, 16);
	vol_record_encode(&r, rb);
	ck_assert_int_eq(vol_record_parse(rb, &o), 0);
	ck_assert_uint_eq(o.counter, 77);
	ck_assert_mem_eq(o.tag, r.tag, 16);
	memset(rb, 0, sizeof(rb)); /* never written */
	ck_assert_int_eq(vol_record_parse(rb, &o), 0);
	ck_assert_uint_eq(o.counter, 0);
	rb[10] = 1; /* counter 0 with a tag */
	o.counter = 5;
	ck_assert_int_eq(vol_record_parse(rb, &o), ENCDOM_ERR_INTEGRITY);
	ck_assert_uint_eq(o.counter, 5);
	vol_record_encode(&r, rb);
	rb[31] = 1; /* reserved */
	ck_assert_int_eq(vol_record_parse(rb, &o), ENCDOM_ERR_INTEGRITY);
	vol_put64(rb, UINT64_MAX);
	rb[31] = 0;
	ck_assert_int_eq(vol_record_parse(rb, &o), 0);
	ck_assert_uint_eq(o.counter, UINT64_MAX);
}
END_TEST

START_TEST(journal_block_and_entries)
{
	uint8_t jb[ENCDOM_BLOCK], other[ENCDOM_UUID_LEN] = {0};
	struct vol_jentry e = {.block = 9, .rec = {.counter = 1234}}, o;

	vol_journal_init(jb, uuid, 77);
	ck_assert_int_eq(vol_journal_parse(jb, uuid, 77), 0);
	ck_assert_int_eq(vol_journal_parse(jb, uuid, 76), ENCDOM_ERR_INTEGRITY);
	ck_assert_int_eq(vol_journal_parse(jb, other, 77), ENCDOM_ERR_INTEGRITY);
	jb[3] ^= 1;
	ck_assert_int_eq(vol_journal_parse(jb, uuid, 77), ENCDOM_ERR_INTEGRITY);
	ck_assert_uint_eq(VOL_JENT_PER_BLOCK, 127);
	/* Entries: empty, valid, out of range, counter 0 with junk. */
	ck_assert_int_eq(vol_jentry_parse(jb + VOL_JHDR, 10, &o), 1);
	memset(e.rec.tag, 0xcd, 16);
	vol_jentry_encode(&e, jb + VOL_JHDR);
	ck_assert_int_eq(vol_jentry_parse(jb + VOL_JHDR, 10, &o), 0);
	ck_assert_uint_eq(o.block, 9);
	ck_assert_uint_eq(o.rec.counter, 1234);
	ck_assert_mem_eq(o.rec.tag, e.rec.tag, 16);
	o.block = 3;
	ck_assert_int_eq(vol_jentry_parse(jb + VOL_JHDR, 9, &o), ENCDOM_ERR_INTEGRITY);
	ck_assert_uint_eq(o.block, 3);
	vol_put64(jb + VOL_JHDR + 8, 0);
	ck_assert_int_eq(vol_jentry_parse(jb + VOL_JHDR, 10, &o), ENCDOM_ERR_INTEGRITY);
}
END_TEST

START_TEST(commit_block_and_anchor)
{
	uint8_t key[32], cb[VOL_COMMIT_LEN];
	struct vol_commit c = {.seq = 5,
			       .ctr_commit = 100,
			       .lease_hwm = 200,
			       .commit_jpos = 50,
			       .ckpt_jpos = 40},
			  o;

	memset(key, 3, sizeof(key));
	memcpy(c.uuid, uuid, sizeof(uuid));
	memset(c.root, 0x77, 32);
	vol_commit_encode(&c, VOL_COMMIT_BLOCK, key, cb);
	ck_assert_int_eq(vol_commit_parse(cb, VOL_COMMIT_BLOCK, &o), 0);
	ck_assert_int_eq(vol_commit_verify(cb, key), 0);
	ck_assert_uint_eq(o.seq, 5);
	ck_assert_uint_eq(o.ckpt_jpos, 40);
	ck_assert_mem_eq(o.root, c.root, 32);
	/* A commit block is not an anchor, and vice versa. */
	ck_assert_int_eq(vol_commit_parse(cb, VOL_COMMIT_ANCHOR, &o), ENCDOM_ERR_INTEGRITY);
	/* Every bit is covered by the MAC or the syntax check. */
	for (unsigned int i = 0; i < VOL_COMMIT_LEN; i++) {
		cb[i] ^= 4;
		ck_assert_msg(vol_commit_parse(cb, VOL_COMMIT_BLOCK, &o) != 0 ||
				      vol_commit_verify(cb, key) != 0,
			      "byte %u", i);
		cb[i] ^= 4;
	}
	key[0] ^= 1;
	ck_assert_int_eq(vol_commit_verify(cb, key), ENCDOM_ERR_INTEGRITY);
	/* Inconsistent fields, even when MACed. */
	c.ckpt_jpos = 51;
	vol_commit_encode(&c, VOL_COMMIT_ANCHOR, key, cb);
	ck_assert_int_eq(vol_commit_parse(cb, VOL_COMMIT_ANCHOR, &o), ENCDOM_ERR_INTEGRITY);
	c.ckpt_jpos = 40;
	c.ctr_commit = 201;
	vol_commit_encode(&c, VOL_COMMIT_ANCHOR, key, cb);
	ck_assert_int_eq(vol_commit_parse(cb, VOL_COMMIT_ANCHOR, &o), ENCDOM_ERR_INTEGRITY);
	c.ctr_commit = 0;
	vol_commit_encode(&c, VOL_COMMIT_ANCHOR, key, cb);
	ck_assert_int_eq(vol_commit_parse(cb, VOL_COMMIT_ANCHOR, &o), ENCDOM_ERR_INTEGRITY);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("encdom_parsers");
	TCase *tc = tcase_create("parsers");

	tcase_add_test(tc, header_round_trip_and_every_bit_matters);
	tcase_add_test(tc, header_rejects_bad_geometry_even_with_good_checksum);
	tcase_add_test(tc, layout_is_ordered_and_overhead_small);
	tcase_add_test(tc, record_edge_cases);
	tcase_add_test(tc, journal_block_and_entries);
	tcase_add_test(tc, commit_block_and_anchor);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
