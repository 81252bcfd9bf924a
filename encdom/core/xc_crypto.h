/* xc_crypto.h - the only door from encdom to OpenSSL.
 *
 * Fixed sizes: keys are 32 bytes, GCM nonces 12, tags 16, hashes 32.
 * Error contract: 0 on success, ENCDOM_ERR_CRYPTO (-11) when OpenSSL fails,
 * ENCDOM_ERR_INTEGRITY (-8) when a tag does not verify.  A failed open
 * zeroes its whole output, so no unverified plaintext ever leaves.  Every
 * function cleanses the secrets it copied, on every exit path. */
#ifndef XACM_XC_CRYPTO_H
#define XACM_XC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define XC_KEY_LEN 32u
#define XC_IV_LEN 12u
#define XC_TAG_LEN 16u
#define XC_HASH_LEN 32u

#define XC_WUR __attribute__((warn_unused_result))

#define XC_BLOCK_LEN 4096u
#define XC_BLOCK_AAD_LEN 32u
#define XC_WRAP_AAD_LEN 48u

struct xc_gcm; /* AES-256-GCM context with its key schedule */

int xc_gcm_new(struct xc_gcm **out, const uint8_t key[static XC_KEY_LEN]) XC_WUR;
void xc_gcm_free(struct xc_gcm *g);
/* One 4096-byte block with a 32-byte AAD. */
int xc_gcm_seal_block(struct xc_gcm *g, const uint8_t iv[static XC_IV_LEN],
		      const uint8_t aad[static XC_BLOCK_AAD_LEN],
		      const uint8_t in[static XC_BLOCK_LEN], uint8_t out[static XC_BLOCK_LEN],
		      uint8_t tag[static XC_TAG_LEN]) XC_WUR;
int xc_gcm_open_block(struct xc_gcm *g, const uint8_t iv[static XC_IV_LEN],
		      const uint8_t aad[static XC_BLOCK_AAD_LEN],
		      const uint8_t in[static XC_BLOCK_LEN], uint8_t out[static XC_BLOCK_LEN],
		      const uint8_t tag[static XC_TAG_LEN]) XC_WUR;
/* Wrap (encrypt and authenticate) a 32-byte key under kek, with a 48-byte
 * AAD; unwrap fails with ENCDOM_ERR_INTEGRITY and a zeroed key. */
int xc_key_wrap(const uint8_t kek[static XC_KEY_LEN], const uint8_t iv[static XC_IV_LEN],
		const uint8_t aad[static XC_WRAP_AAD_LEN], const uint8_t key[static XC_KEY_LEN],
		uint8_t out[static XC_KEY_LEN], uint8_t tag[static XC_TAG_LEN]) XC_WUR;
int xc_key_unwrap(const uint8_t kek[static XC_KEY_LEN], const uint8_t iv[static XC_IV_LEN],
		  const uint8_t aad[static XC_WRAP_AAD_LEN], const uint8_t in[static XC_KEY_LEN],
		  uint8_t key[static XC_KEY_LEN], const uint8_t tag[static XC_TAG_LEN]) XC_WUR;

int xc_hmac(const uint8_t key[static XC_KEY_LEN], const void *msg, size_t len,
	    uint8_t out[static XC_HASH_LEN]) XC_WUR;
/* HKDF-SHA256 (RFC 5869) of key with a 16-byte salt and the info string:
 * 32 bytes. */
int xc_hkdf(const uint8_t key[static XC_KEY_LEN], const uint8_t salt[static 16], const char *info,
	    uint8_t out[static XC_KEY_LEN]) XC_WUR;
/* Verify an HMAC in constant time: 0 or ENCDOM_ERR_INTEGRITY. */
int xc_hmac_verify(const uint8_t key[static XC_KEY_LEN], const void *msg, size_t len,
		   const uint8_t mac[static XC_HASH_LEN]) XC_WUR;
/* Cannot fail: aborts if OpenSSL cannot hash (out of memory). */
void xc_sha256(const void *msg, size_t len, uint8_t out[static XC_HASH_LEN]);
/* 1 if equal, in time independent of the contents. */
int xc_equal(const void *a, const void *b, size_t len) XC_WUR;
int xc_random(void *buf, size_t len) XC_WUR;
void xc_cleanse(void *buf, size_t len);
/* scrypt(pass, salt, N = 2^log_n, r = 8, p = 1); log_n in 10..20. */
int xc_scrypt(const char *pass, size_t pass_len, const uint8_t salt[static 16], unsigned int log_n,
	      uint8_t out[static XC_KEY_LEN]) XC_WUR;

#endif
