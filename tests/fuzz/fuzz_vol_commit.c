/* libFuzzer target for encdom/core/vol_commit.c (commit block and anchor).
 * Build and run: make fuzz-run.  Invariants: an accepted record has
 * consistent fields and re-encodes to the same bytes apart from the MAC; a
 * record only verifies under the key that made it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vol_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = calloc(1, VOL_COMMIT_LEN), out[VOL_COMMIT_LEN], key[32];
	struct vol_commit c;

	if (in == NULL)
		abort();
	memset(key, 0x42, sizeof(key));
	memcpy(in, data, size < VOL_COMMIT_LEN ? size : VOL_COMMIT_LEN);
	for (int kind = 0; kind < 2; kind++) {
		if (vol_commit_parse(in, (enum vol_commit_kind)kind, &c) != 0)
			continue;
		if (c.ckpt_jpos > c.commit_jpos || c.ctr_commit == 0 || c.ctr_commit > c.lease_hwm)
			abort();
		vol_commit_encode(&c, (enum vol_commit_kind)kind, key, out);
		if (memcmp(in, out, VOL_COMMIT_MAC_OFF) != 0 ||
		    memcmp(in + VOL_COMMIT_MAC_OFF + 32, out + VOL_COMMIT_MAC_OFF + 32,
			   VOL_COMMIT_LEN - VOL_COMMIT_MAC_OFF - 32) != 0)
			abort();
		if (vol_commit_verify(out, key) != 0)
			abort();
		key[0] ^= 1;
		if (vol_commit_verify(out, key) == 0)
			abort();
		key[0] ^= 1;
	}
	free(in);
	return 0;
}
