/* vol_commit.c - the commit block and the trust anchor record (same
 * layout, different magic).  The commit block is untrusted bytes; the
 * anchor lives on trusted storage but is parsed just as strictly. */
#include "vol_format.h"
#include "xc_crypto.h"

#include <string.h>

static const uint8_t cmt_magic[2][8] = {{'X', 'A', 'C', 'M', 'C', 'M', 'T', '1'},
					{'X', 'A', 'C', 'M', 'A', 'N', 'C', '1'}};
#define CMT_END (VOL_COMMIT_MAC_OFF + 32u)

void vol_commit_encode(const struct vol_commit *c, enum vol_commit_kind kind,
		       const uint8_t mac_key[static 32], uint8_t out[static VOL_COMMIT_LEN])
{
	memset(out, 0, VOL_COMMIT_LEN);
	memcpy(out, cmt_magic[kind], 8);
	vol_put32(out + 8, VOL_CMT_VERSION);
	memcpy(out + 16, c->uuid, ENCDOM_UUID_LEN);
	vol_put64(out + 32, c->seq);
	memcpy(out + 40, c->root, 32);
	vol_put64(out + 72, c->ctr_commit);
	vol_put64(out + 80, c->lease_hwm);
	vol_put64(out + 88, c->commit_jpos);
	vol_put64(out + 96, c->ckpt_jpos);
	/* A failed MAC leaves zeros, which never verify. */
	if (xc_hmac(mac_key, out, VOL_COMMIT_MAC_OFF, out + VOL_COMMIT_MAC_OFF) != 0)
		memset(out + VOL_COMMIT_MAC_OFF, 0, 32);
}

int vol_commit_parse(const uint8_t in[static VOL_COMMIT_LEN], enum vol_commit_kind kind,
		     struct vol_commit *out)
{
	struct vol_commit c;

	if (memcmp(in, cmt_magic[kind], 8) != 0 || vol_get32(in + 8) != VOL_CMT_VERSION ||
	    vol_get32(in + 12) != 0 || !vol_is_zero(in + CMT_END, VOL_COMMIT_LEN - CMT_END))
		return ENCDOM_ERR_INTEGRITY;
	memcpy(c.uuid, in + 16, ENCDOM_UUID_LEN);
	c.seq = vol_get64(in + 32);
	memcpy(c.root, in + 40, 32);
	c.ctr_commit = vol_get64(in + 72);
	c.lease_hwm = vol_get64(in + 80);
	c.commit_jpos = vol_get64(in + 88);
	c.ckpt_jpos = vol_get64(in + 96);
	if (c.ctr_commit == 0 || c.ctr_commit > c.lease_hwm || c.lease_hwm >= ((uint64_t)1 << 62) ||
	    c.ckpt_jpos > c.commit_jpos || c.commit_jpos >= ((uint64_t)1 << 62))
		return ENCDOM_ERR_INTEGRITY;
	*out = c;
	return 0;
}

int vol_commit_verify(const uint8_t in[static VOL_COMMIT_LEN], const uint8_t mac_key[static 32])
{
	return xc_hmac_verify(mac_key, in, VOL_COMMIT_MAC_OFF, in + VOL_COMMIT_MAC_OFF) == 0
		       ? 0
		       : ENCDOM_ERR_INTEGRITY;
}
