/* Unit tests of encdom/core/xc_crypto.c and merkle.c. */
#include "check_encdom_util.h"
#include "merkle.h"
#include "xc_crypto.h"

START_TEST(gcm_round_trip_and_tamper_zeroes_output)
{
	uint8_t key[XC_KEY_LEN], iv[XC_IV_LEN] = {1}, aad[32] = {2}, tag[XC_TAG_LEN];
	static uint8_t pt[4096], ct[4096], out[4096], zero[4096];
	struct xc_gcm *g;

	memset(key, 9, sizeof(key));
	for (unsigned int i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 31);
	ck_assert_int_eq(xc_gcm_new(&g, key), 0);
	ck_assert_int_eq(xc_gcm_seal_block(g, iv, aad, pt, ct, tag), 0);
	ck_assert(memcmp(pt, ct, sizeof(pt)) != 0);
	ck_assert_int_eq(xc_gcm_open_block(g, iv, aad, ct, out, tag), 0);
	ck_assert_mem_eq(out, pt, sizeof(pt));
	/* ciphertext, tag, aad, iv: each change fails and zeroes the output */
	ct[100] ^= 1;
	memset(out, 0xee, sizeof(out));
	ck_assert_int_eq(xc_gcm_open_block(g, iv, aad, ct, out, tag), ENCDOM_ERR_INTEGRITY);
	ck_assert_mem_eq(out, zero, sizeof(out));
	ct[100] ^= 1;
	tag[15] ^= 0x80;
	ck_assert_int_eq(xc_gcm_open_block(g, iv, aad, ct, out, tag), ENCDOM_ERR_INTEGRITY);
	tag[15] ^= 0x80;
	aad[31] = 1;
	ck_assert_int_eq(xc_gcm_open_block(g, iv, aad, ct, out, tag), ENCDOM_ERR_INTEGRITY);
	aad[31] = 0;
	iv[11] = 1;
	ck_assert_int_eq(xc_gcm_open_block(g, iv, aad, ct, out, tag), ENCDOM_ERR_INTEGRITY);
	ck_assert_mem_eq(out, zero, sizeof(out));
	/* key wrapping: round trip; a wrong kek or AAD fails and zeroes */
	{
		uint8_t kek[32] = {5}, k[32], w[32], back[32], wa[XC_WRAP_AAD_LEN] = {0},
			z[32] = {0};

		memset(k, 0x3c, sizeof(k));
		ck_assert_int_eq(xc_key_wrap(kek, iv, wa, k, w, tag), 0);
		ck_assert_int_eq(xc_key_unwrap(kek, iv, wa, w, back, tag), 0);
		ck_assert_mem_eq(back, k, 32);
		wa[47] = 1;
		ck_assert_int_eq(xc_key_unwrap(kek, iv, wa, w, back, tag), ENCDOM_ERR_INTEGRITY);
		ck_assert_mem_eq(back, z, 32);
		wa[47] = 0;
		kek[31] = 1;
		ck_assert_int_eq(xc_key_unwrap(kek, iv, wa, w, back, tag), ENCDOM_ERR_INTEGRITY);
	}
	xc_gcm_free(g);
	xc_gcm_free(NULL);
}
END_TEST

START_TEST(hmac_hash_equal_scrypt)
{
	uint8_t key[XC_KEY_LEN] = {0}, mac[XC_HASH_LEN], h1[32], h2[32], salt[16] = {0};

	ck_assert_int_eq(xc_hmac(key, "abc", 3, mac), 0);
	ck_assert_int_eq(xc_hmac_verify(key, "abc", 3, mac), 0);
	ck_assert_int_eq(xc_hmac_verify(key, "abd", 3, mac), ENCDOM_ERR_INTEGRITY);
	xc_sha256("abc", 3, h1);
	/* SHA-256("abc") */
	ck_assert_uint_eq(h1[0], 0xba);
	ck_assert_uint_eq(h1[31], 0xad);
	ck_assert(xc_equal(h1, h1, 32));
	memcpy(h2, h1, 32);
	h2[31] ^= 1;
	ck_assert(!xc_equal(h1, h2, 32));
	ck_assert_int_eq(xc_scrypt("pw", 2, salt, 10, h1), 0);
	ck_assert_int_eq(xc_scrypt("pw", 2, salt, 10, h2), 0);
	ck_assert_mem_eq(h1, h2, 32);
	ck_assert_int_eq(xc_scrypt("pw", 2, salt, 9, h1), ENCDOM_ERR_INVAL);
	ck_assert_int_eq(xc_scrypt("pw", 2, salt, 21, h1), ENCDOM_ERR_INVAL);
	ck_assert_int_eq(xc_random(h1, 32), 0);
	xc_cleanse(h1, 32);
	ck_assert(vol_is_zero(h1, 32));
}
END_TEST

/* HKDF-SHA256 against its definition: PRK = HMAC(salt, key), out =
 * HMAC(PRK, info || 1) (a 16-byte HMAC key is the same key zero-padded
 * to 32 bytes); other info or salt, other output. */
START_TEST(hkdf_matches_its_definition)
{
	uint8_t key[XC_KEY_LEN], salt[32] = {0}, prk[32], want[32], got[32], other[32];
	char msg[32];

	for (unsigned int i = 0; i < 32; i++)
		key[i] = (uint8_t)(3 * i + 1);
	memset(salt, 0x5c, 16);
	ck_assert_int_eq(xc_hmac(salt, key, sizeof(key), prk), 0);
	snprintf(msg, sizeof(msg), "xacm-volume-data/1%c", 1);
	ck_assert_int_eq(xc_hmac(prk, msg, strlen(msg), want), 0);
	ck_assert_int_eq(xc_hkdf(key, salt, "xacm-volume-data/1", got), 0);
	ck_assert_mem_eq(got, want, 32);
	ck_assert_int_eq(xc_hkdf(key, salt, "xacm-volume-mac/1", other), 0);
	ck_assert(memcmp(got, other, 32) != 0);
	salt[15] ^= 1;
	ck_assert_int_eq(xc_hkdf(key, salt, "xacm-volume-data/1", other), 0);
	ck_assert(memcmp(got, other, 32) != 0);
}
END_TEST

START_TEST(merkle_incremental_equals_full_build)
{
	struct vol_layout l;
	struct merkle a, b;
	unsigned int seed = 7;

	ck_assert_int_eq(vol_layout_init(&l, 5000, 16), 0); /* 313 chunks, 3 levels */
	ck_assert_uint_eq(l.levels, 3);
	ck_assert_int_eq(merkle_init(&a, &l), 0);
	ck_assert_int_eq(merkle_init(&b, &l), 0);
	merkle_build(&a);
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 30; i++) {
			uint64_t blk = (uint64_t)rand_r(&seed) % 5000;

			a.meta[blk * VOL_RECORD + (unsigned int)rand_r(&seed) % 24] ^= 1;
			merkle_mark(&a, blk);
		}
		merkle_update(&a);
		if (round % 3 != 0)
			merkle_clean(&a);
		memcpy(b.meta, a.meta, l.nchunks * VOL_CHUNK);
		merkle_build(&b);
		ck_assert_mem_eq(a.root, b.root, 32);
		ck_assert_mem_eq(a.nodes, b.nodes, l.nnodes * VOL_CHUNK);
	}
	merkle_free(&a);
	merkle_free(&b);
}
END_TEST

START_TEST(merkle_locates_damage)
{
	struct vol_layout l;
	struct merkle m;
	uint8_t *stored, root[32], *bad;

	ck_assert_int_eq(vol_layout_init(&l, 5000, 16), 0);
	ck_assert_int_eq(merkle_init(&m, &l), 0);
	stored = malloc(l.nnodes * VOL_CHUNK);
	bad = calloc(l.nchunks, 1);
	for (uint64_t i = 0; i < l.nchunks * VOL_CHUNK; i++)
		m.meta[i] = (uint8_t)i;
	merkle_build(&m);
	memcpy(root, m.root, 32);
	memcpy(stored, m.nodes, l.nnodes * VOL_CHUNK);
	ck_assert_int_eq(merkle_locate(&m, stored, root, bad), 0);
	/* Damage to the records of chunk 200 is located exactly. */
	m.meta[200 * VOL_CHUNK + 5] ^= 1;
	merkle_build(&m);
	ck_assert_int_eq(merkle_locate(&m, stored, root, bad), 1);
	ck_assert_uint_eq(bad[200], 1);
	/* A stored level-0 node that lies hides only its 16 chunks. */
	memset(bad, 0, l.nchunks);
	stored[(200 / 16) * VOL_CHUNK] ^= 1;
	ck_assert_int_eq(merkle_locate(&m, stored, root, bad), 16);
	ck_assert_uint_eq(bad[192], 1);
	ck_assert_uint_eq(bad[207], 1);
	ck_assert_uint_eq(bad[208], 0);
	/* A stored tree that does not match the root locates nothing. */
	stored[(l.nnodes - 1) * VOL_CHUNK] ^= 1;
	ck_assert_int_eq(merkle_locate(&m, stored, root, bad), -1);
	free(stored);
	free(bad);
	merkle_free(&m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("encdom_crypto_merkle");
	TCase *tc = tcase_create("crypto");

	tcase_add_test(tc, gcm_round_trip_and_tamper_zeroes_output);
	tcase_add_test(tc, hkdf_matches_its_definition);
	tcase_add_test(tc, hmac_hash_equal_scrypt);
	tcase_add_test(tc, merkle_incremental_equals_full_build);
	tcase_add_test(tc, merkle_locates_damage);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
