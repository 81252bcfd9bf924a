/* rules.h - acdom's compiled rules: the data the decision engine runs on.
 *
 * Produced by "xacm-policy compile" as a text file (format in
 * docs/policy.md, "The rules file") and read back by xacm_rules_parse(),
 * which is all acdom links: never the policy parser.
 *
 * Invariants of a struct xacm_rules that xacm_rules_parse() returned:
 *  - at most XACM_MAX_TYPES types; every mask uses only bits < ntypes;
 *  - names are unique per kind, [A-Za-z_][A-Za-z0-9_]*, < XACM_NAME_MAX;
 *  - domains[] and resources[] are sorted by name (binary search);
 *  - channels[] hold domain indices, each pair stored once with a < b;
 *  - no guest<->driver channel; no guest domain or resource holds two
 *    types of one conflict set. */
#ifndef XACM_ACDOM_RULES_H
#define XACM_ACDOM_RULES_H

#include <stddef.h>
#include <stdint.h>

#define XACM_RULES_FORMAT 1
#define XACM_MAX_TYPES 64u
#define XACM_MAX_CONFLICTS 64u
#define XACM_MAX_DOMAINS 1024u
#define XACM_MAX_RESOURCES 65536u
#define XACM_MAX_CHANNELS 4096u
#define XACM_NAME_MAX 64u
#define XACM_HASH_HEX_LEN 64u /* SHA-256 */

enum xacm_role {
	XACM_ROLE_GUEST,
	XACM_ROLE_ENCDOM,
	XACM_ROLE_DRIVER,
	XACM_ROLE_ACDOM,
	XACM_ROLE_TOOLSTACK,
	XACM_ROLE_COUNT
};

struct xacm_rule_type {
	char name[XACM_NAME_MAX];
};

struct xacm_rule_conflict {
	char name[XACM_NAME_MAX];
	uint64_t types;
};

struct xacm_rule_domain {
	char name[XACM_NAME_MAX]; /* the FLASK type, e.g. "guest_a_t" */
	enum xacm_role role;
	uint64_t types;
};

struct xacm_rule_resource {
	char name[XACM_NAME_MAX];
	uint64_t types;
};

struct xacm_rule_channel {
	uint32_t a, b; /* domain indices, a < b */
};

struct xacm_rules {
	char policy_name[XACM_NAME_MAX];
	char hash[XACM_HASH_HEX_LEN + 1]; /* SHA-256 of the body, lower-case hex */
	uint32_t ntypes, nconflicts, ndomains, nresources, nchannels;
	struct xacm_rule_type types[XACM_MAX_TYPES];
	struct xacm_rule_conflict conflicts[XACM_MAX_CONFLICTS];
	struct xacm_rule_domain *domains;
	struct xacm_rule_resource *resources;
	struct xacm_rule_channel *channels;
};

const char *xacm_role_name(enum xacm_role role);
/* The role called name, or -1. */
int xacm_role_from_name(const char *name);

/* Parse a rules file held in text[0..len).  On success returns 0 and a new
 * rules object in *out (free with xacm_rules_free).  On error returns
 * -EINVAL (malformed), -EBADMSG (hash mismatch), -E2BIG (over a limit) or
 * -ENOMEM, leaves *out NULL, and writes a message naming the line into
 * err[0..errlen). */
int xacm_rules_parse(const char *text, size_t len, struct xacm_rules **out, char *err,
		     size_t errlen) __attribute__((warn_unused_result));
void xacm_rules_free(struct xacm_rules *rules);

/* Lookups; -1 if absent.  O(log n). */
int xacm_rules_find_domain(const struct xacm_rules *rules, const char *name);
int xacm_rules_find_resource(const struct xacm_rules *rules, const char *name);
/* Nonzero if domains a and b have a channel. */
int xacm_rules_has_channel(const struct xacm_rules *rules, uint32_t a, uint32_t b);

#endif
