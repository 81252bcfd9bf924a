/* libFuzzer target for lib/acm_decision.c: decision and integrity-alert
 * values.  Invariant: whatever parses formats back to exactly the same
 * bytes (one spelling per value). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acm_protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), buf[ACM_DECISION_VALUE_MAX];
	struct acm_decision d;
	struct acm_alert a;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (acm_decision_parse(copy, size, &d) == 0) {
		int n = acm_decision_format(&d, buf);

		if (n < 0 || (size_t)n != size || memcmp(buf, copy, size))
			abort();
	}
	if (acm_alert_parse(copy, size, &a) == 0) {
		int n = acm_alert_format(&a, buf);

		if (n < 0 || (size_t)n != size || memcmp(buf, copy, size))
			abort();
	}
	free(copy);
	return 0;
}
