/* xs_util.h - small XenStore helpers shared by the xacm daemons.
 *
 * Error contract: 0 on success; a negative errno otherwise (-ENOENT for a
 * missing node, -ENAMETOOLONG for a path that does not fit, and the
 * xs_value.h codes for a malformed value).  Outputs are untouched on error. */
#ifndef XACM_XS_UTIL_H
#define XACM_XS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>

/* XenStore's own limit on an absolute path (XENSTORE_ABS_PATH_MAX). */
#define XACM_XS_PATH_MAX 3072u

/* snprintf() into path[XACM_XS_PATH_MAX]; -ENAMETOOLONG if it would not fit. */
int xacm_xs_path(char path[static XACM_XS_PATH_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3), warn_unused_result));

/* Read the node at path and parse it with xs_value_parse_uint(). */
int xacm_xs_read_uint(struct xs_handle *xs, xs_transaction_t t, const char *path, uint64_t max,
		      uint64_t *out) __attribute__((warn_unused_result));

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t xacm_now_ms(void);

#endif
