/* xs_value.h - parsers for values read from XenStore.
 *
 * Every XenStore value is written by some domain and is untrusted: a
 * frontend writes its ring-ref and state, a backend its sector count.  These
 * functions take the value as (bytes, length) exactly as xs_read() returned
 * it, accept only the canonical spelling, and never read past len.
 *
 * Error contract: 0 on success with *out set; -EINVAL for a malformed value,
 * -ERANGE for a well-formed number above max.  *out is untouched on error. */
#ifndef XACM_XS_VALUE_H
#define XACM_XS_VALUE_H

#include <stddef.h>
#include <stdint.h>

/* Longest value any parser here accepts (a 64-bit number has 20 digits). */
#define XS_VALUE_NUMBER_MAX_LEN 20u
/* Highest domid a real domain can have (DOMID_FIRST_RESERVED - 1). */
#define XS_VALUE_DOMID_MAX 0x7fefu
/* Highest XenbusState (XenbusStateReconfigured). */
#define XS_VALUE_STATE_MAX 8u

/* Decimal unsigned integer: "0" or [1-9][0-9]*, no sign, space or newline. */
int xs_value_parse_uint(const char *value, size_t len, uint64_t max, uint64_t *out)
	__attribute__((warn_unused_result));
int xs_value_parse_domid(const char *value, size_t len, uint32_t *out)
	__attribute__((warn_unused_result));
/* A xenbus state number, 0 (Unknown) .. 8 (Reconfigured). */
int xs_value_parse_state(const char *value, size_t len, unsigned int *out)
	__attribute__((warn_unused_result));

#endif
