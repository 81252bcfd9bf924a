/* rules_parse.c - the loader of acdom's rules file (format: docs/policy.md).
 *
 * The file is compiled by xacm-policy, but acdom treats it as input to
 * validate: one canonical spelling (single spaces, '\n' line ends, sorted
 * and unique names), every limit checked, the body hash verified, and the
 * policy invariants of rules.h re-checked. */
#include "rules.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 4096u
#define MAX_TOKENS (XACM_MAX_TYPES + 3u)

static const char *const role_names[XACM_ROLE_COUNT] = {
	[XACM_ROLE_GUEST] = "guest",         [XACM_ROLE_ENCDOM] = "encdom",
	[XACM_ROLE_DRIVER] = "driver",       [XACM_ROLE_ACDOM] = "acdom",
	[XACM_ROLE_TOOLSTACK] = "toolstack",
};

const char *xacm_role_name(enum xacm_role role)
{
	return (unsigned int)role < XACM_ROLE_COUNT ? role_names[role] : "?";
}

int xacm_role_from_name(const char *name)
{
	for (int i = 0; i < (int)XACM_ROLE_COUNT; i++)
		if (!strcmp(name, role_names[i]))
			return i;
	return -1;
}

struct loader {
	struct xacm_rules *r;
	unsigned int lineno;
	char *err;
	size_t errlen;
	uint32_t cap_domains, cap_resources, cap_channels;
};

__attribute__((format(printf, 3, 4))) static int fail(struct loader *ld, int rc, const char *fmt,
						      ...)
{
	va_list ap;
	int n = snprintf(ld->err, ld->errlen, "rules line %u: ", ld->lineno);

	if (n >= 0 && (size_t)n < ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= XACM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

static int find_type(const struct xacm_rules *r, const char *name)
{
	for (uint32_t i = 0; i < r->ntypes; i++)
		if (!strcmp(r->types[i].name, name))
			return (int)i;
	return -1;
}

/* tok[first..n) are type names; their mask into *mask. */
static int parse_types(struct loader *ld, char **tok, size_t first, size_t n, uint64_t *mask)
{
	*mask = 0;
	for (size_t i = first; i < n; i++) {
		int t = find_type(ld->r, tok[i]);

		if (t < 0)
			return fail(ld, -EINVAL, "unknown type \"%s\"", tok[i]);
		if (*mask & (1ull << t))
			return fail(ld, -EINVAL, "type \"%s\" listed twice", tok[i]);
		*mask |= 1ull << t;
	}
	return 0;
}

static int grow(struct loader *ld, void **array, uint32_t *cap, uint32_t count, uint32_t limit,
		size_t elem)
{
	uint32_t n;
	void *p;

	if (count < *cap)
		return 0;
	if (count >= limit)
		return fail(ld, -E2BIG, "more than %u entries", limit);
	n = *cap ? *cap * 2 : 16;
	if (n > limit)
		n = limit;
	p = realloc(*array, (size_t)n * elem);
	if (p == NULL)
		return -ENOMEM;
	*array = p;
	*cap = n;
	return 0;
}

/* Two types of one conflict set in mask? */
static bool conflicting(const struct xacm_rules *r, uint64_t mask)
{
	for (uint32_t c = 0; c < r->nconflicts; c++) {
		uint64_t m = mask & r->conflicts[c].types;

		if (m & (m - 1))
			return true;
	}
	return false;
}

static int line_domain(struct loader *ld, char **tok, size_t n)
{
	struct xacm_rules *r = ld->r;
	struct xacm_rule_domain *d;
	int role, rc;

	if (n < 3)
		return fail(ld, -EINVAL, "domain needs a name and a role");
	rc = grow(ld, (void **)&r->domains, &ld->cap_domains, r->ndomains, XACM_MAX_DOMAINS,
		  sizeof(*d));
	if (rc)
		return rc;
	if (r->ndomains && strcmp(r->domains[r->ndomains - 1].name, tok[1]) >= 0)
		return fail(ld, -EINVAL, "domain \"%s\" is out of order or repeated", tok[1]);
	role = xacm_role_from_name(tok[2]);
	if (role < 0)
		return fail(ld, -EINVAL, "unknown role \"%s\"", tok[2]);
	d = &r->domains[r->ndomains];
	memset(d, 0, sizeof(*d));
	memcpy(d->name, tok[1], strlen(tok[1]) + 1);
	d->role = (enum xacm_role)role;
	rc = parse_types(ld, tok, 3, n, &d->types);
	if (rc)
		return rc;
	if (d->role == XACM_ROLE_GUEST && conflicting(r, d->types))
		return fail(ld, -EINVAL, "guest domain \"%s\" holds two types of one conflict set",
			    d->name);
	r->ndomains++;
	return 0;
}

static int line_resource(struct loader *ld, char **tok, size_t n)
{
	struct xacm_rules *r = ld->r;
	struct xacm_rule_resource *res;
	int rc;

	if (n < 3)
		return fail(ld, -EINVAL, "resource needs a name and at least one type");
	rc = grow(ld, (void **)&r->resources, &ld->cap_resources, r->nresources, XACM_MAX_RESOURCES,
		  sizeof(*res));
	if (rc)
		return rc;
	if (r->nresources && strcmp(r->resources[r->nresources - 1].name, tok[1]) >= 0)
		return fail(ld, -EINVAL, "resource \"%s\" is out of order or repeated", tok[1]);
	res = &r->resources[r->nresources];
	memset(res, 0, sizeof(*res));
	memcpy(res->name, tok[1], strlen(tok[1]) + 1);
	rc = parse_types(ld, tok, 2, n, &res->types);
	if (rc)
		return rc;
	if (conflicting(r, res->types))
		return fail(ld, -EINVAL, "resource \"%s\" holds two types of one conflict set",
			    res->name);
	r->nresources++;
	return 0;
}

static bool channel_roles_ok(enum xacm_role a, enum xacm_role b)
{
	return (a == XACM_ROLE_GUEST && b == XACM_ROLE_ENCDOM) ||
	       (a == XACM_ROLE_ENCDOM && b == XACM_ROLE_GUEST) ||
	       (a == XACM_ROLE_ENCDOM && b == XACM_ROLE_DRIVER) ||
	       (a == XACM_ROLE_DRIVER && b == XACM_ROLE_ENCDOM);
}

static int line_channel(struct loader *ld, char **tok, size_t n)
{
	struct xacm_rules *r = ld->r;
	struct xacm_rule_channel *ch, *prev;
	int a, b, rc;

	if (n != 3)
		return fail(ld, -EINVAL, "channel needs exactly two domains");
	a = xacm_rules_find_domain(r, tok[1]);
	b = xacm_rules_find_domain(r, tok[2]);
	if (a < 0 || b < 0)
		return fail(ld, -EINVAL, "channel names an unknown domain");
	if (a >= b)
		return fail(ld, -EINVAL, "channel domains must be distinct and in name order");
	if (!channel_roles_ok(r->domains[a].role, r->domains[b].role))
		return fail(ld, -EINVAL, "channel %s <-> %s joins roles %s and %s", tok[1], tok[2],
			    xacm_role_name(r->domains[a].role), xacm_role_name(r->domains[b].role));
	if (!(r->domains[a].types & r->domains[b].types))
		return fail(ld, -EINVAL, "channel %s <-> %s: the domains share no type", tok[1],
			    tok[2]);
	rc = grow(ld, (void **)&r->channels, &ld->cap_channels, r->nchannels, XACM_MAX_CHANNELS,
		  sizeof(*ch));
	if (rc)
		return rc;
	prev = r->nchannels ? &r->channels[r->nchannels - 1] : NULL;
	if (prev && (prev->a > (uint32_t)a || (prev->a == (uint32_t)a && prev->b >= (uint32_t)b)))
		return fail(ld, -EINVAL, "channel is out of order or repeated");
	ch = &r->channels[r->nchannels++];
	ch->a = (uint32_t)a;
	ch->b = (uint32_t)b;
	return 0;
}

static int line_type(struct loader *ld, char **tok, size_t n)
{
	struct xacm_rules *r = ld->r;

	if (n != 2)
		return fail(ld, -EINVAL, "type takes one name");
	if (r->ntypes >= XACM_MAX_TYPES)
		return fail(ld, -E2BIG, "more than %u types", XACM_MAX_TYPES);
	if (find_type(r, tok[1]) >= 0)
		return fail(ld, -EINVAL, "type \"%s\" repeated", tok[1]);
	memcpy(r->types[r->ntypes++].name, tok[1], strlen(tok[1]) + 1);
	return 0;
}

static int line_conflict(struct loader *ld, char **tok, size_t n)
{
	struct xacm_rules *r = ld->r;
	struct xacm_rule_conflict *c;
	int rc;

	if (n < 4)
		return fail(ld, -EINVAL, "conflict needs a name and at least two types");
	if (r->nconflicts >= XACM_MAX_CONFLICTS)
		return fail(ld, -E2BIG, "more than %u conflict sets", XACM_MAX_CONFLICTS);
	for (uint32_t i = 0; i < r->nconflicts; i++)
		if (!strcmp(r->conflicts[i].name, tok[1]))
			return fail(ld, -EINVAL, "conflict \"%s\" repeated", tok[1]);
	c = &r->conflicts[r->nconflicts];
	memcpy(c->name, tok[1], strlen(tok[1]) + 1);
	rc = parse_types(ld, tok, 2, n, &c->types);
	if (rc == 0)
		r->nconflicts++;
	return rc;
}

/* Section order: a keyword may follow only keywords of its rank or lower. */
enum section { S_POLICY, S_TYPE, S_CONFLICT, S_DOMAIN, S_RESOURCE, S_CHANNEL, S_END };

static int parse_body_line(struct loader *ld, char *line, enum section *section)
{
	static const char *const keywords[] = {"policy",   "type",    "conflict", "domain",
					       "resource", "channel", "end"};
	char *tok[MAX_TOKENS];
	size_t n = 0;
	enum section s;
	char *p = line;

	for (;;) {
		char *sp = strchr(p, ' ');

		if (n == MAX_TOKENS)
			return fail(ld, -E2BIG, "too many words");
		tok[n++] = p;
		if (sp == NULL)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	for (size_t i = 0; i < n; i++)
		if (i > 0 && !valid_name(tok[i]))
			return fail(ld, -EINVAL, "\"%s\" is not a valid name", tok[i]);
	for (s = S_POLICY; s <= S_END; s++)
		if (!strcmp(tok[0], keywords[s]))
			break;
	if (s > S_END)
		return fail(ld, -EINVAL, "unknown keyword \"%s\"", tok[0]);
	if (s != S_POLICY && ld->r->policy_name[0] == '\0')
		return fail(ld, -EINVAL, "the body must begin with \"policy NAME\"");
	if (s < *section || (s == S_POLICY && *section == S_POLICY && ld->r->policy_name[0]))
		return fail(ld, -EINVAL, "\"%s\" is out of place", tok[0]);
	*section = s;
	switch (s) {
	case S_POLICY:
		if (n != 2)
			return fail(ld, -EINVAL, "policy takes one name");
		memcpy(ld->r->policy_name, tok[1], strlen(tok[1]) + 1);
		return 0;
	case S_TYPE:
		return line_type(ld, tok, n);
	case S_CONFLICT:
		return line_conflict(ld, tok, n);
	case S_DOMAIN:
		return line_domain(ld, tok, n);
	case S_RESOURCE:
		return line_resource(ld, tok, n);
	case S_CHANNEL:
		return line_channel(ld, tok, n);
	case S_END:
		return n == 1 ? 0 : fail(ld, -EINVAL, "end takes nothing");
	}
	return -EINVAL;
}

static int sha256_hex(const char *data, size_t len, char hex[static XACM_HASH_HEX_LEN + 1])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != sizeof(md))
		return -ENOMEM;
	for (unsigned int i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int xacm_rules_parse(const char *text, size_t len, struct xacm_rules **out, char *err,
		     size_t errlen)
{
	static const char magic[] = "xacm-rules 1\nsha256 ";
	struct loader ld = {.err = err, .errlen = errlen, .lineno = 1};
	enum section section = S_POLICY;
	char line[LINE_MAX_LEN + 1], hash[XACM_HASH_HEX_LEN + 1];
	const char *body, *p, *end = text + len;
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (len < sizeof(magic) - 1 + XACM_HASH_HEX_LEN + 1 ||
	    memcmp(text, magic, sizeof(magic) - 1) != 0)
		return fail(&ld, -EINVAL, "not an xacm rules file of format %d", XACM_RULES_FORMAT);
	ld.r = calloc(1, sizeof(*ld.r));
	if (ld.r == NULL)
		return -ENOMEM;
	p = text + sizeof(magic) - 1;
	ld.lineno = 2;
	for (unsigned int i = 0; i < XACM_HASH_HEX_LEN; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) {
			rc = fail(&ld, -EINVAL, "the hash is not 64 lower-case hex digits");
			goto out;
		}
	if (p[XACM_HASH_HEX_LEN] != '\n') {
		rc = fail(&ld, -EINVAL, "the hash is not 64 lower-case hex digits");
		goto out;
	}
	memcpy(ld.r->hash, p, XACM_HASH_HEX_LEN);
	body = p + XACM_HASH_HEX_LEN + 1;
	rc = sha256_hex(body, (size_t)(end - body), hash);
	if (rc)
		goto out;
	if (CRYPTO_memcmp(hash, ld.r->hash, XACM_HASH_HEX_LEN) != 0) {
		rc = fail(&ld, -EBADMSG,
			  "the body does not match its hash (file damaged or edited)");
		goto out;
	}
	for (p = body; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		ld.lineno++;
		if (section == S_END) {
			rc = fail(&ld, -EINVAL, "text after \"end\"");
			goto out;
		}
		if (nl == NULL) {
			rc = fail(&ld, -EINVAL, "the last line has no newline");
			goto out;
		}
		n = (size_t)(nl - p);
		if (n == 0 || n > LINE_MAX_LEN || memchr(p, '\0', n)) {
			rc = fail(&ld, -EINVAL, "empty, overlong or binary line");
			goto out;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		rc = parse_body_line(&ld, line, &section);
		if (rc)
			goto out;
		p = nl + 1;
	}
	if (section != S_END || ld.r->policy_name[0] == '\0') {
		rc = fail(&ld, -EINVAL, "truncated: no policy name or no \"end\"");
		goto out;
	}
	*out = ld.r;
	return 0;
out:
	xacm_rules_free(ld.r);
	return rc;
}

void xacm_rules_free(struct xacm_rules *rules)
{
	if (rules == NULL)
		return;
	free(rules->domains);
	free(rules->resources);
	free(rules->channels);
	free(rules);
}

#define BSEARCH_BY_NAME(array, count, name)                        \
	do {                                                       \
		uint32_t lo = 0, hi = (count);                     \
		while (lo < hi) {                                  \
			uint32_t mid = lo + (hi - lo) / 2;         \
			int c = strcmp((array)[mid].name, (name)); \
			if (c == 0)                                \
				return (int)mid;                   \
			if (c < 0)                                 \
				lo = mid + 1;                      \
			else                                       \
				hi = mid;                          \
		}                                                  \
		return -1;                                         \
	} while (0)

int xacm_rules_find_domain(const struct xacm_rules *rules, const char *name)
{
	BSEARCH_BY_NAME(rules->domains, rules->ndomains, name);
}

int xacm_rules_find_resource(const struct xacm_rules *rules, const char *name)
{
	BSEARCH_BY_NAME(rules->resources, rules->nresources, name);
}

int xacm_rules_has_channel(const struct xacm_rules *rules, uint32_t a, uint32_t b)
{
	uint32_t lo = 0, hi = rules->nchannels;

	if (a > b) {
		uint32_t t = a;
		a = b;
		b = t;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct xacm_rule_channel *c = &rules->channels[mid];

		if (c->a == a && c->b == b)
			return 1;
		if (c->a < a || (c->a == a && c->b < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}
