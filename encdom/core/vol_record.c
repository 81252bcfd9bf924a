/* vol_record.c - the 32-byte per-block metadata record (untrusted bytes). */
#include "vol_format.h"

#include <string.h>

void vol_record_encode(const struct vol_record *r, uint8_t out[static VOL_RECORD])
{
	memset(out, 0, VOL_RECORD);
	vol_put64(out, r->counter);
	memcpy(out + 8, r->tag, 16);
}

int vol_record_parse(const uint8_t in[static VOL_RECORD], struct vol_record *out)
{
	uint64_t ctr = vol_get64(in);

	/* Reserved bytes zero; a never-written block has an all-zero record. */
	if (!vol_is_zero(in + 24, 8) || (ctr == 0 && !vol_is_zero(in + 8, 16)))
		return ENCDOM_ERR_INTEGRITY;
	out->counter = ctr;
	memcpy(out->tag, in + 8, 16);
	return 0;
}
