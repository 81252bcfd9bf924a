/* libFuzzer target for encdom/core/vol_header.c.  Build and run: make fuzz-run.
 * Invariant: an accepted header is canonical (re-encoding it gives back the
 * same 4096 bytes) and its geometry is valid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vol_format.h"
#include "xc_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = calloc(1, ENCDOM_BLOCK), *out = malloc(ENCDOM_BLOCK);
	struct vol_header h;
	struct vol_layout l;

	if (in == NULL || out == NULL)
		abort();
	memcpy(in, data, size < ENCDOM_BLOCK ? size : ENCDOM_BLOCK);
	/* Half the time give the input the magic and a valid checksum, so that
	 * the fuzzer explores the fields behind them. */
	if (size > 0 && (data[size - 1] & 1)) {
		memcpy(in, "XACMVOL1", 8);
		xc_sha256(in, 112, in + 112);
	}
	if (vol_header_parse(in, &h) == 0) {
		vol_header_encode(&h, out);
		if (memcmp(in, out, ENCDOM_BLOCK) != 0 ||
		    vol_layout_init(&l, h.nblocks, h.journal_blocks) != 0 || l.size <= l.data_off)
			abort();
	}
	free(in);
	free(out);
	return 0;
}
