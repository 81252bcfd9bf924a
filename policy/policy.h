/* policy.h - the xacm label policy: its parsed form, the parser and the
 * checker.  The language is documented in docs/policy.md.
 *
 * Policy text is untrusted input: xp_parse() never reads past len, bounds
 * every count by the limits of acdom/rules.h, and reports each error as
 * "file:line:col: error: what is wrong; what to write instead". */
#ifndef XACM_POLICY_H
#define XACM_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rules.h"

#define XP_MAX_ERRORS 20u

struct xp_loc {
	unsigned int line, col;
};

struct xp_type {
	char name[XACM_NAME_MAX];
	struct xp_loc loc;
};

struct xp_conflict {
	char name[XACM_NAME_MAX];
	uint64_t types;
	struct xp_loc loc;
};

struct xp_domain {
	char name[XACM_NAME_MAX];
	enum xacm_role role;
	uint64_t types;
	struct xp_loc loc;
};

struct xp_resource {
	char name[XACM_NAME_MAX];
	uint64_t types;
	struct xp_loc loc;
};

struct xp_channel {
	uint32_t a, b; /* indices into domains[] */
	struct xp_loc loc;
};

struct xp_policy {
	const char *file; /* for messages */
	char name[XACM_NAME_MAX];
	uint32_t ntypes, nconflicts, ndomains, nresources, nchannels;
	struct xp_type types[XACM_MAX_TYPES];
	struct xp_conflict conflicts[XACM_MAX_CONFLICTS];
	struct xp_domain *domains;
	struct xp_resource *resources;
	struct xp_channel *channels;
	uint32_t cap_domains, cap_resources, cap_channels;
	unsigned int nerrors;
	FILE *diag; /* where errors go; NULL = nowhere */
};

/* Parse and check text[0..len).  Returns a policy (free with
 * xp_policy_free) whether or not it had errors, or NULL when out of memory;
 * the caller must test p->nerrors.  file names the text in messages. */
struct xp_policy *xp_parse(const char *file, const char *text, size_t len, FILE *diag)
	__attribute__((warn_unused_result));
void xp_policy_free(struct xp_policy *p);

/* Index of the named entity, or -1. */
int xp_find_type(const struct xp_policy *p, const char *name);
int xp_find_domain(const struct xp_policy *p, const char *name);
int xp_find_resource(const struct xp_policy *p, const char *name);
int xp_find_channel(const struct xp_policy *p, uint32_t a, uint32_t b);

/* The rules file for acdom (format: docs/policy.md).  Returns a malloc'd
 * NUL-terminated text, or NULL when out of memory.  p must have no errors. */
char *xp_emit_rules(const struct xp_policy *p, size_t *len);

/* The FLASK module (a .te file) for the policy, written to out. */
int xp_emit_flask(const struct xp_policy *p, FILE *out);

#endif
