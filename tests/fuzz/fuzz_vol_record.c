/* libFuzzer target for encdom/core/vol_record.c.  Build and run: make fuzz-run.
 * Invariant: an accepted record is canonical (re-encodes to the same bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vol_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = calloc(1, VOL_RECORD), out[VOL_RECORD];
	struct vol_record r;

	if (in == NULL)
		abort();
	memcpy(in, data, size < VOL_RECORD ? size : VOL_RECORD);
	if (vol_record_parse(in, &r) == 0) {
		vol_record_encode(&r, out);
		if (memcmp(in, out, VOL_RECORD) != 0)
			abort();
	}
	free(in);
	return 0;
}
