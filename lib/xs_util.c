#include "xs_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "xs_value.h"

int xacm_xs_path(char path[static XACM_XS_PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, XACM_XS_PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= XACM_XS_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int xacm_xs_read_uint(struct xs_handle *xs, xs_transaction_t t, const char *path, uint64_t max,
		      uint64_t *out)
{
	unsigned int len;
	char *value = xs_read(xs, t, path, &len);
	int rc;

	if (value == NULL)
		return errno ? -errno : -ENOENT;
	rc = xs_value_parse_uint(value, len, max, out);
	free(value);
	return rc;
}

uint64_t xacm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
