/* libFuzzer target for lib/xs_value.c.  Build and run: make fuzz-run.
 * Invariant checked: an accepted value is canonical, so printing the parsed
 * number gives back exactly the input bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private heap copy, so ASan catches any read past size. */
	char *copy = malloc(size ? size : 1);
	char printed[32];
	uint64_t v;
	uint32_t domid;
	unsigned int state;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (xs_value_parse_uint(copy, size, UINT64_MAX, &v) == 0) {
		int n = snprintf(printed, sizeof(printed), "%llu", (unsigned long long)v);

		if ((size_t)n != size || memcmp(printed, copy, size) != 0)
			abort();
	}
	if (xs_value_parse_domid(copy, size, &domid) == 0 && domid > XS_VALUE_DOMID_MAX)
		abort();
	if (xs_value_parse_state(copy, size, &state) == 0 && state > XS_VALUE_STATE_MAX)
		abort();
	free(copy);
	return 0;
}
