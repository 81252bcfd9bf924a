/* vol_journal.c - journal blocks and their entries (untrusted bytes). */
#include "vol_format.h"

#include <string.h>

static const uint8_t jnl_magic[8] = {'X', 'A', 'C', 'M', 'J', 'N', 'L', '1'};

void vol_journal_init(uint8_t out[static ENCDOM_BLOCK], const uint8_t uuid[static ENCDOM_UUID_LEN],
		      uint64_t index)
{
	memset(out, 0, ENCDOM_BLOCK);
	memcpy(out, jnl_magic, 8);
	vol_put64(out + 8, index);
	memcpy(out + 16, uuid, ENCDOM_UUID_LEN);
}

int vol_journal_parse(const uint8_t in[static ENCDOM_BLOCK],
		      const uint8_t uuid[static ENCDOM_UUID_LEN], uint64_t index)
{
	if (memcmp(in, jnl_magic, 8) != 0 || vol_get64(in + 8) != index ||
	    memcmp(in + 16, uuid, ENCDOM_UUID_LEN) != 0)
		return ENCDOM_ERR_INTEGRITY;
	return 0;
}

void vol_jentry_encode(const struct vol_jentry *e, uint8_t out[static VOL_JENT])
{
	vol_put64(out, e->block);
	vol_put64(out + 8, e->rec.counter);
	memcpy(out + 16, e->rec.tag, 16);
}

int vol_jentry_parse(const uint8_t in[static VOL_JENT], uint64_t nblocks, struct vol_jentry *out)
{
	uint64_t block = vol_get64(in), ctr = vol_get64(in + 8);

	if (ctr == 0)
		return vol_is_zero(in, VOL_JENT) ? 1 : ENCDOM_ERR_INTEGRITY;
	if (block >= nblocks)
		return ENCDOM_ERR_INTEGRITY;
	out->block = block;
	out->rec.counter = ctr;
	memcpy(out->rec.tag, in + 16, 16);
	return 0;
}
