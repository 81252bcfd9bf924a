/* libFuzzer target for acdom/audit.c's verifier (the log file is evidence an
 * attacker may have edited). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), err[256];
	uint64_t records;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (acm_audit_verify(copy, size, &records, err, sizeof(err)) == 0 && records > size)
		abort();
	free(copy);
	return 0;
}
