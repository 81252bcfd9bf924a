/* keyfile.c - volume key files: 32 raw bytes, or wrapped (128 bytes):
 *   0 "XACMKEY1"  8 u32 version  12 u8 log2(scrypt N)  13..15 zero
 *  16 salt[16]   32 volume uuid[16]  48 iv[12]  60 wrapped key[32]
 *  92 tag[16]   108..127 zero.   AAD = bytes 0..47. */
#include "encdom.h"
#include "vol_format.h"
#include "xc_crypto.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KF_LEN 128u
#define KF_DEFAULT_LOG_N 15u
static const uint8_t kf_magic[8] = {'X', 'A', 'C', 'M', 'K', 'E', 'Y', '1'};

static int fail(char *err, int code, const char *msg, const char *path)
{
	snprintf(err, ENCDOM_ERRLEN, "%s: %s", path, msg);
	return code;
}

static int unwrap(const uint8_t f[static KF_LEN], const char *pass, uint8_t key[static 32])
{
	uint8_t kek[32];
	int rc = xc_scrypt(pass, strlen(pass), f + 16, f[12], kek);

	if (rc == 0)
		rc = xc_key_unwrap(kek, f + 48, f, f + 60, key, f + 92);
	xc_cleanse(kek, sizeof(kek));
	return rc;
}

int encdom_key_load(const char *path, const char *pass, const uint8_t *uuid,
		    uint8_t key[static ENCDOM_KEY_LEN], char err[static ENCDOM_ERRLEN])
{
	uint8_t f[KF_LEN + 1];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return fail(err, ENCDOM_ERR_IO, "cannot open key file", path);
	n = read(fd, f, sizeof(f));
	close(fd);
	if (n == ENCDOM_KEY_LEN) {
		memcpy(key, f, ENCDOM_KEY_LEN);
		xc_cleanse(f, sizeof(f));
		return 0;
	}
	if (n != KF_LEN || memcmp(f, kf_magic, 8) != 0 || vol_get32(f + 8) != 1 ||
	    !vol_is_zero(f + 13, 3) || !vol_is_zero(f + 108, KF_LEN - 108))
		return fail(err, ENCDOM_ERR_INVAL, "not a key file (32 raw bytes or wrapped key)",
			    path);
	if (uuid != NULL && memcmp(uuid, f + 32, ENCDOM_UUID_LEN) != 0)
		return fail(err, ENCDOM_ERR_VOLUME, "key file belongs to another volume", path);
	if (pass == NULL)
		return fail(err, ENCDOM_ERR_INVAL, "key file is wrapped: a passphrase is needed",
			    path);
	rc = unwrap(f, pass, key);
	if (rc == ENCDOM_ERR_INTEGRITY)
		return fail(err, ENCDOM_ERR_KEY, "wrong passphrase", path);
	if (rc != 0)
		return fail(err, rc, "cannot unwrap key", path);
	return 0;
}

int encdom_key_save(const char *path, const uint8_t key[static ENCDOM_KEY_LEN], const char *pass,
		    const uint8_t uuid[static ENCDOM_UUID_LEN], unsigned int log_n,
		    char err[static ENCDOM_ERRLEN])
{
	uint8_t f[KF_LEN], kek[32];
	const uint8_t *out = key;
	size_t len = ENCDOM_KEY_LEN;
	int fd, rc = 0;

	memset(f, 0, sizeof(f));
	if (pass != NULL) {
		memcpy(f, kf_magic, 8);
		vol_put32(f + 8, 1);
		f[12] = (uint8_t)(log_n ? log_n : KF_DEFAULT_LOG_N);
		memcpy(f + 32, uuid, ENCDOM_UUID_LEN);
		rc = xc_random(f + 16, 16);
		if (rc == 0)
			rc = xc_random(f + 48, XC_IV_LEN);
		if (rc == 0)
			rc = xc_scrypt(pass, strlen(pass), f + 16, f[12], kek);
		if (rc == 0)
			rc = xc_key_wrap(kek, f + 48, f, key, f + 60, f + 92);
		xc_cleanse(kek, sizeof(kek));
		out = f;
		len = KF_LEN;
	}
	if (rc != 0)
		return fail(err, rc, "cannot wrap key", path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(err, ENCDOM_ERR_IO, "cannot create key file", path);
	if (write(fd, out, len) != (ssize_t)len || fsync(fd) != 0)
		rc = ENCDOM_ERR_IO;
	if (close(fd) != 0)
		rc = ENCDOM_ERR_IO;
	xc_cleanse(f, sizeof(f));
	return rc == 0 ? 0 : fail(err, rc, "cannot write key file", path);
}
