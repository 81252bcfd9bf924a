/* libFuzzer target for encdom/core/vol_journal.c.  Build and run: make fuzz-run.
 * Input: 8 bytes of nblocks, then a journal block.  Invariants: a block is
 * accepted only with its magic, volume and index; an accepted entry is
 * canonical and names a block below nblocks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vol_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = calloc(1, ENCDOM_BLOCK), out[VOL_JENT];
	uint64_t nblocks;

	if (in == NULL)
		abort();
	if (size < 8) {
		free(in);
		return 0;
	}
	nblocks = vol_get64(data) % (VOL_MAX_BLOCKS + 1);
	memcpy(in, data + 8, size - 8 < ENCDOM_BLOCK ? size - 8 : ENCDOM_BLOCK);
	if (vol_journal_parse(in, in + 16, vol_get64(in + 8)) == 0 &&
	    memcmp(in, "XACMJNL1", 8) != 0)
		abort();
	for (unsigned int i = 0; i < VOL_JENT_PER_BLOCK; i++) {
		struct vol_jentry e;
		const uint8_t *p = in + VOL_JHDR + i * VOL_JENT;
		int rc = vol_jentry_parse(p, nblocks, &e);

		if (rc == 1 && !vol_is_zero(p, VOL_JENT))
			abort();
		if (rc == 0) {
			vol_jentry_encode(&e, out);
			if (memcmp(p, out, VOL_JENT) != 0 || e.block >= nblocks ||
			    e.rec.counter == 0)
				abort();
		}
	}
	free(in);
	return 0;
}
