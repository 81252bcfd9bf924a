/* ref_decide.h - a naive reference evaluator of the attach decision, for
 * differential tests of acdom/decide.c.  Works on the parsed policy by name,
 * with string sets and linear search, written straight from the prose in
 * docs/policy.md rather than from decide.c. */
#ifndef XACM_REF_DECIDE_H
#define XACM_REF_DECIDE_H

#include <stddef.h>

#include "policy.h"

/* Returns the reason id ("allow", "deny-...") as xacm_reason_id() spells it.
 * active[] names the types already active. */
const char *ref_decide(const struct xp_policy *p, const char *frontend, const char *backend,
		       const char *resource, const char *const *active, size_t nactive);

#endif
