/* libFuzzer target for policy/parse.c (policy text is untrusted input).
 * Whatever parses without errors must compile to rules that acdom's loader
 * accepts, and compiling twice must give the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1);
	struct xp_policy *p;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	p = xp_parse("fuzz.xp", copy, size, NULL);
	if (p && p->nerrors == 0) {
		size_t len1, len2;
		char *a = xp_emit_rules(p, &len1), *b = xp_emit_rules(p, &len2);
		struct xacm_rules *rules = NULL;
		char err[256];

		if (!a || !b || len1 != len2 || memcmp(a, b, len1))
			abort();
		if (xacm_rules_parse(a, len1, &rules, err, sizeof(err)) != 0) {
			fprintf(stderr, "compiled rules rejected: %s\n%s", err, a);
			abort();
		}
		xacm_rules_free(rules);
		free(a);
		free(b);
	}
	xp_policy_free(p);
	free(copy);
	return 0;
}
