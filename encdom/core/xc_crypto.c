#include "xc_crypto.h"
#include "encdom.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct xc_gcm {
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec;
};

void xc_cleanse(void *buf, size_t len)
{
	OPENSSL_cleanse(buf, len);
}

int xc_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

int xc_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : ENCDOM_ERR_CRYPTO;
}

/* SHA-256 and HMAC fetched once: SHA256() and EVP_Q_mac() would fetch them
 * (locks, name lookups) at every call, and the Merkle tree hashes a lot of
 * 512-byte nodes, every FLUSH computes two or three MACs. */
static EVP_MD *sha256_md;
static EVP_MAC *hmac_mac;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

void xc_sha256(const void *msg, size_t len, uint8_t out[static XC_HASH_LEN])
{
	EVP_MD_CTX *ctx;
	int ok;

	pthread_once(&fetch_once, fetch);
	ctx = EVP_MD_CTX_new();
	ok = sha256_md != NULL && ctx != NULL && EVP_DigestInit_ex2(ctx, sha256_md, NULL) == 1 &&
	     EVP_DigestUpdate(ctx, msg, len) == 1 && EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		abort(); /* fail-stop: a wrong hash must never be used */
}

int xc_gcm_new(struct xc_gcm **out, const uint8_t key[static XC_KEY_LEN])
{
	struct xc_gcm *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (g == NULL)
		return ENCDOM_ERR_NOMEM;
	g->enc = EVP_CIPHER_CTX_new();
	g->dec = EVP_CIPHER_CTX_new();
	if (g->enc == NULL || g->dec == NULL ||
	    EVP_EncryptInit_ex(g->enc, EVP_aes_256_gcm(), NULL, key, NULL) != 1 ||
	    EVP_DecryptInit_ex(g->dec, EVP_aes_256_gcm(), NULL, key, NULL) != 1) {
		xc_gcm_free(g);
		return ENCDOM_ERR_CRYPTO;
	}
	*out = g;
	return 0;
}

void xc_gcm_free(struct xc_gcm *g)
{
	if (g == NULL)
		return;
	EVP_CIPHER_CTX_free(g->enc); /* cleanses the key schedule */
	EVP_CIPHER_CTX_free(g->dec);
	free(g);
}

static int seal(struct xc_gcm *g, const uint8_t iv[static XC_IV_LEN], const uint8_t *aad,
		size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		uint8_t tag[static XC_TAG_LEN])
{
	/* Tags through params: EVP_CIPHER_CTX_ctrl() translates to them by name. */
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, XC_TAG_LEN),
		OSSL_PARAM_construct_end()};
	int n;

	if (EVP_EncryptInit_ex(g->enc, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(g->enc, NULL, &n, aad, (int)aad_len) != 1 ||
	    EVP_EncryptUpdate(g->enc, out, &n, in, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(g->enc, out + n, &n) != 1 ||
	    EVP_CIPHER_CTX_get_params(g->enc, p) != 1) {
		xc_cleanse(out, len);
		return ENCDOM_ERR_CRYPTO;
	}
	return 0;
}

/* Decrypts into out and cleanses it unless the tag verifies. */
static int unseal(struct xc_gcm *g, const uint8_t iv[static XC_IV_LEN], const uint8_t *aad,
		  size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
		  const uint8_t tag[static XC_TAG_LEN])
{
	uint8_t t[XC_TAG_LEN];
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, t, XC_TAG_LEN),
		OSSL_PARAM_construct_end()};
	int n, rc = ENCDOM_ERR_CRYPTO;

	memcpy(t, tag, sizeof(t));
	if (EVP_DecryptInit_ex(g->dec, NULL, NULL, NULL, iv) == 1 &&
	    EVP_DecryptUpdate(g->dec, NULL, &n, aad, (int)aad_len) == 1 &&
	    EVP_DecryptUpdate(g->dec, out, &n, in, (int)len) == 1 &&
	    EVP_CIPHER_CTX_set_params(g->dec, p) == 1)
		rc = EVP_DecryptFinal_ex(g->dec, out + n, &n) == 1 ? 0 : ENCDOM_ERR_INTEGRITY;
	if (rc != 0)
		xc_cleanse(out, len);
	return rc;
}

int xc_gcm_seal_block(struct xc_gcm *g, const uint8_t iv[static XC_IV_LEN],
		      const uint8_t aad[static XC_BLOCK_AAD_LEN],
		      const uint8_t in[static XC_BLOCK_LEN], uint8_t out[static XC_BLOCK_LEN],
		      uint8_t tag[static XC_TAG_LEN])
{
	return seal(g, iv, aad, XC_BLOCK_AAD_LEN, in, XC_BLOCK_LEN, out, tag);
}

int xc_gcm_open_block(struct xc_gcm *g, const uint8_t iv[static XC_IV_LEN],
		      const uint8_t aad[static XC_BLOCK_AAD_LEN],
		      const uint8_t in[static XC_BLOCK_LEN], uint8_t out[static XC_BLOCK_LEN],
		      const uint8_t tag[static XC_TAG_LEN])
{
	return unseal(g, iv, aad, XC_BLOCK_AAD_LEN, in, XC_BLOCK_LEN, out, tag);
}

int xc_key_wrap(const uint8_t kek[static XC_KEY_LEN], const uint8_t iv[static XC_IV_LEN],
		const uint8_t aad[static XC_WRAP_AAD_LEN], const uint8_t key[static XC_KEY_LEN],
		uint8_t out[static XC_KEY_LEN], uint8_t tag[static XC_TAG_LEN])
{
	struct xc_gcm *g;
	int rc = xc_gcm_new(&g, kek);

	if (rc == 0)
		rc = seal(g, iv, aad, XC_WRAP_AAD_LEN, key, XC_KEY_LEN, out, tag);
	xc_gcm_free(g);
	return rc;
}

int xc_key_unwrap(const uint8_t kek[static XC_KEY_LEN], const uint8_t iv[static XC_IV_LEN],
		  const uint8_t aad[static XC_WRAP_AAD_LEN], const uint8_t in[static XC_KEY_LEN],
		  uint8_t key[static XC_KEY_LEN], const uint8_t tag[static XC_TAG_LEN])
{
	struct xc_gcm *g;
	int rc = xc_gcm_new(&g, kek);

	if (rc == 0)
		rc = unseal(g, iv, aad, XC_WRAP_AAD_LEN, in, XC_KEY_LEN, key, tag);
	xc_gcm_free(g);
	if (rc != 0)
		xc_cleanse(key, XC_KEY_LEN);
	return rc;
}

int xc_hmac(const uint8_t key[static XC_KEY_LEN], const void *msg, size_t len,
	    uint8_t out[static XC_HASH_LEN])
{
	OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
			  OSSL_PARAM_construct_end()};
	EVP_MAC_CTX *ctx;
	size_t outlen = 0;
	int ok;

	pthread_once(&fetch_once, fetch);
	ctx = hmac_mac != NULL ? EVP_MAC_CTX_new(hmac_mac) : NULL;
	ok = ctx != NULL && EVP_MAC_init(ctx, key, XC_KEY_LEN, p) == 1 &&
	     EVP_MAC_update(ctx, msg, len) == 1 &&
	     EVP_MAC_final(ctx, out, &outlen, XC_HASH_LEN) == 1 && outlen == XC_HASH_LEN;
	EVP_MAC_CTX_free(ctx); /* cleanses the key schedule */
	if (!ok) {
		xc_cleanse(out, XC_HASH_LEN);
		return ENCDOM_ERR_CRYPTO;
	}
	return 0;
}

int xc_hkdf(const uint8_t key[static XC_KEY_LEN], const uint8_t salt[static 16], const char *info,
	    uint8_t out[static XC_KEY_LEN])
{
	EVP_PKEY_CTX *p = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t n = XC_KEY_LEN;
	int ok = p != NULL && EVP_PKEY_derive_init(p) == 1 &&
		 EVP_PKEY_CTX_set_hkdf_md(p, EVP_sha256()) == 1 &&
		 EVP_PKEY_CTX_set1_hkdf_salt(p, salt, 16) == 1 &&
		 EVP_PKEY_CTX_set1_hkdf_key(p, key, XC_KEY_LEN) == 1 &&
		 EVP_PKEY_CTX_add1_hkdf_info(p, (const uint8_t *)info, (int)strlen(info)) == 1 &&
		 EVP_PKEY_derive(p, out, &n) == 1 && n == XC_KEY_LEN;

	EVP_PKEY_CTX_free(p); /* cleanses its copy of the key */
	if (!ok)
		xc_cleanse(out, XC_KEY_LEN);
	return ok ? 0 : ENCDOM_ERR_CRYPTO;
}

int xc_hmac_verify(const uint8_t key[static XC_KEY_LEN], const void *msg, size_t len,
		   const uint8_t mac[static XC_HASH_LEN])
{
	uint8_t m[XC_HASH_LEN];
	int rc = xc_hmac(key, msg, len, m);

	if (rc == 0 && !xc_equal(m, mac, XC_HASH_LEN))
		rc = ENCDOM_ERR_INTEGRITY;
	xc_cleanse(m, sizeof(m));
	return rc;
}

int xc_scrypt(const char *pass, size_t pass_len, const uint8_t salt[static 16], unsigned int log_n,
	      uint8_t out[static XC_KEY_LEN])
{
	if (log_n < 10 || log_n > 20)
		return ENCDOM_ERR_INVAL;
	if (EVP_PBE_scrypt(pass, pass_len, salt, 16, (uint64_t)1 << log_n, 8, 1,
			   (uint64_t)1100 << log_n, out, XC_KEY_LEN) != 1) {
		xc_cleanse(out, XC_KEY_LEN);
		return ENCDOM_ERR_CRYPTO;
	}
	return 0;
}
