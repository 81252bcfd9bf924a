#include "xs_value.h"

#include <errno.h>

int xs_value_parse_uint(const char *value, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (value == NULL || len == 0 || len > XS_VALUE_NUMBER_MAX_LEN)
		return -EINVAL;
	/* Canonical form only: one spelling per number, so "007" != "7". */
	if (value[0] == '0' && len > 1)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (value[i] < '0' || value[i] > '9')
			return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned int digit = (unsigned int)(value[i] - '0');

		if (n > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		n = n * 10 + digit;
	}
	if (n > max)
		return -ERANGE;
	*out = n;
	return 0;
}

int xs_value_parse_domid(const char *value, size_t len, uint32_t *out)
{
	uint64_t n;
	int rc = xs_value_parse_uint(value, len, XS_VALUE_DOMID_MAX, &n);

	if (rc == 0)
		*out = (uint32_t)n;
	return rc;
}

int xs_value_parse_state(const char *value, size_t len, unsigned int *out)
{
	uint64_t n;
	int rc = xs_value_parse_uint(value, len, XS_VALUE_STATE_MAX, &n);

	if (rc == 0)
		*out = (unsigned int)n;
	return rc;
}
