/* check_rules.h - a policy text compiled and loaded as acdom loads it, for
 * the check suites of the decision code. */
#ifndef XACM_CHECK_RULES_H
#define XACM_CHECK_RULES_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rules.h"

/* Parse text, compile and load the rules: the path acdom takes.  The parsed
 * policy goes to *policy if policy is not NULL (the caller frees it). */
static inline struct xacm_rules *check_load_rules(const char *text, struct xp_policy **policy)
{
	struct xacm_rules *rules = NULL;
	struct xp_policy *p = xp_parse("test.xp", text, strlen(text), stderr);
	char err[256];
	size_t len;
	char *compiled;

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nerrors, 0);
	compiled = xp_emit_rules(p, &len);
	ck_assert_ptr_nonnull(compiled);
	ck_assert_msg(xacm_rules_parse(compiled, len, &rules, err, sizeof(err)) == 0, "%s", err);
	free(compiled);
	if (policy)
		*policy = p;
	else
		xp_policy_free(p);
	return rules;
}

#endif
