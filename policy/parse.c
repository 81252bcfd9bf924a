/* parse.c - lexer, parser and checker of the xacm policy language.
 *
 * Grammar (docs/policy.md):
 *   policy    := { statement }
 *   statement := "policy" NAME ";"
 *              | "type" NAME { "," NAME } ";"
 *              | "conflict" NAME "{" NAME "," NAME { "," NAME } "}" ";"
 *              | "domain" NAME "role" ROLE [ "types" typeset ] ";"
 *              | "resource" NAME "types" typeset ";"
 *              | "channel" NAME "<->" NAME ";"
 *   typeset   := "{" NAME { "," NAME } "}"
 * Names are declared before use.  After an error the parser skips to the
 * next ';' and goes on, so one run reports up to XP_MAX_ERRORS errors. */
#include "policy.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum tok_kind { T_EOF, T_NAME, T_SEMI, T_COMMA, T_LBRACE, T_RBRACE, T_ARROW, T_BAD };

struct token {
	enum tok_kind kind;
	struct xp_loc loc;
	size_t len;
	char text[XACM_NAME_MAX + 1]; /* a name, or the offending characters */
};

struct parser {
	struct xp_policy *p;
	const char *src;
	size_t len, pos;
	struct xp_loc loc;
	struct token tok;
	bool have_toolstack;
};

/* FLASK types of Xen's base policy that a domain statement may not reuse. */
static const char *const reserved_names[] = {
	"domU_t",      "dm_dom_t",    "isolated_domU_t", "prot_domU_t",   "nomigrate_t",
	"nic_dev_t",   "xen_t",       "domxen_t",        "domio_t",       "xenboot_t",
	"xenstore_t",  "domain_type", "event_type",      "resource_type", "xacm_guest",
	"xacm_encdom", "xacm_driver", "xacm_acdom",
};

__attribute__((format(printf, 3, 4))) static void error_at(struct parser *ps, struct xp_loc loc,
							   const char *fmt, ...)
{
	struct xp_policy *p = ps->p;
	va_list ap;

	if (p->nerrors++ >= XP_MAX_ERRORS || p->diag == NULL)
		return;
	fprintf(p->diag, "%s:%u:%u: error: ", p->file, loc.line, loc.col);
	va_start(ap, fmt);
	vfprintf(p->diag, fmt, ap);
	va_end(ap);
	fputc('\n', p->diag);
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void advance(struct parser *ps)
{
	if (ps->src[ps->pos] == '\n') {
		ps->loc.line++;
		ps->loc.col = 1;
	} else {
		ps->loc.col++;
	}
	ps->pos++;
}

static void next(struct parser *ps)
{
	struct token *t = &ps->tok;
	char c;

	for (;;) { /* blanks and comments */
		if (ps->pos >= ps->len)
			break;
		c = ps->src[ps->pos];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			advance(ps);
		} else if (c == '#') {
			while (ps->pos < ps->len && ps->src[ps->pos] != '\n')
				advance(ps);
		} else {
			break;
		}
	}
	t->loc = ps->loc;
	t->len = 0;
	t->text[0] = '\0';
	if (ps->pos >= ps->len) {
		t->kind = T_EOF;
		strcpy(t->text, "end of file");
		return;
	}
	c = ps->src[ps->pos];
	if (is_alpha(c)) {
		t->kind = T_NAME;
		while (ps->pos < ps->len &&
		       (is_alpha(ps->src[ps->pos]) || is_digit(ps->src[ps->pos]))) {
			if (t->len < XACM_NAME_MAX)
				t->text[t->len] = ps->src[ps->pos];
			t->len++;
			advance(ps);
		}
		t->text[t->len < XACM_NAME_MAX ? t->len : XACM_NAME_MAX] = '\0';
		return;
	}
	if (c == '<' && ps->len - ps->pos >= 3 && !memcmp(ps->src + ps->pos, "<->", 3)) {
		t->kind = T_ARROW;
		strcpy(t->text, "<->");
		advance(ps);
		advance(ps);
		advance(ps);
		return;
	}
	switch (c) {
	case ';':
		t->kind = T_SEMI;
		break;
	case ',':
		t->kind = T_COMMA;
		break;
	case '{':
		t->kind = T_LBRACE;
		break;
	case '}':
		t->kind = T_RBRACE;
		break;
	default:
		t->kind = T_BAD;
		break;
	}
	if (c >= 0x20 && c < 0x7f)
		snprintf(t->text, sizeof(t->text), "'%c'", c);
	else
		snprintf(t->text, sizeof(t->text), "byte 0x%02x", (unsigned char)c);
	advance(ps);
}

/* Skip to just after the next ';' (or to the end). */
static void recover(struct parser *ps)
{
	while (ps->tok.kind != T_EOF && ps->tok.kind != T_SEMI)
		next(ps);
	if (ps->tok.kind == T_SEMI)
		next(ps);
}

static bool is_word(const struct parser *ps, const char *word)
{
	return ps->tok.kind == T_NAME && !strcmp(ps->tok.text, word);
}

/* Take a name token into out; false (with an error) otherwise. */
static bool take_name(struct parser *ps, const char *what, char out[static XACM_NAME_MAX],
		      struct xp_loc *loc)
{
	if (ps->tok.kind != T_NAME) {
		error_at(ps, ps->tok.loc,
			 "expected %s, found %s; names are letters, digits and '_'", what,
			 ps->tok.text);
		return false;
	}
	if (ps->tok.len >= XACM_NAME_MAX) {
		error_at(ps, ps->tok.loc, "%s \"%.20s...\" is %zu characters long; use at most %u",
			 what, ps->tok.text, ps->tok.len, XACM_NAME_MAX - 1);
		return false;
	}
	memcpy(out, ps->tok.text, ps->tok.len + 1);
	if (loc)
		*loc = ps->tok.loc;
	next(ps);
	return true;
}

static bool take(struct parser *ps, enum tok_kind kind, const char *spelling, const char *after)
{
	if (ps->tok.kind != kind) {
		error_at(ps, ps->tok.loc, "expected '%s' %s, found %s", spelling, after,
			 ps->tok.text);
		return false;
	}
	next(ps);
	return true;
}

static bool take_word(struct parser *ps, const char *word, const char *after)
{
	if (!is_word(ps, word)) {
		error_at(ps, ps->tok.loc, "expected '%s' %s, found %s", word, after, ps->tok.text);
		return false;
	}
	next(ps);
	return true;
}

int xp_find_type(const struct xp_policy *p, const char *name)
{
	for (uint32_t i = 0; i < p->ntypes; i++)
		if (!strcmp(p->types[i].name, name))
			return (int)i;
	return -1;
}

int xp_find_domain(const struct xp_policy *p, const char *name)
{
	for (uint32_t i = 0; i < p->ndomains; i++)
		if (!strcmp(p->domains[i].name, name))
			return (int)i;
	return -1;
}

int xp_find_resource(const struct xp_policy *p, const char *name)
{
	for (uint32_t i = 0; i < p->nresources; i++)
		if (!strcmp(p->resources[i].name, name))
			return (int)i;
	return -1;
}

int xp_find_channel(const struct xp_policy *p, uint32_t a, uint32_t b)
{
	for (uint32_t i = 0; i < p->nchannels; i++)
		if ((p->channels[i].a == a && p->channels[i].b == b) ||
		    (p->channels[i].a == b && p->channels[i].b == a))
			return (int)i;
	return -1;
}

/* typeset := "{" NAME { "," NAME } "}" */
static bool parse_typeset(struct parser *ps, const char *owner, uint64_t *mask)
{
	*mask = 0;
	if (!take(ps, T_LBRACE, "{", "to open the list of types"))
		return false;
	for (;;) {
		char name[XACM_NAME_MAX];
		struct xp_loc loc;
		int t;

		if (!take_name(ps, "a type name", name, &loc))
			return false;
		t = xp_find_type(ps->p, name);
		if (t < 0) {
			error_at(ps, loc,
				 "unknown type \"%s\" in %s; declare it first with 'type %s;'",
				 name, owner, name);
			return false;
		}
		if (*mask & (1ull << t)) {
			error_at(ps, loc, "type \"%s\" is listed twice in %s; list it once", name,
				 owner);
			return false;
		}
		*mask |= 1ull << t;
		if (ps->tok.kind == T_RBRACE) {
			next(ps);
			return true;
		}
		if (!take(ps, T_COMMA, ",", "or '}' in the list of types"))
			return false;
	}
}

/* Two types of one conflict set in mask: the set's index, or -1. */
static int conflict_within(const struct xp_policy *p, uint64_t mask)
{
	for (uint32_t c = 0; c < p->nconflicts; c++) {
		uint64_t m = mask & p->conflicts[c].types;

		if (m & (m - 1))
			return (int)c;
	}
	return -1;
}

static bool grow(void **array, uint32_t *cap, uint32_t count, size_t elem)
{
	uint32_t n;
	void *q;

	if (count < *cap)
		return true;
	n = *cap ? *cap * 2 : 16;
	q = realloc(*array, (size_t)n * elem);
	if (q == NULL)
		return false;
	*array = q;
	*cap = n;
	return true;
}

static bool stmt_policy(struct parser *ps)
{
	struct xp_loc loc = ps->tok.loc;
	char name[XACM_NAME_MAX];

	next(ps);
	if (!take_name(ps, "the policy's name", name, NULL))
		return false;
	if (ps->p->name[0]) {
		error_at(ps, loc, "a second 'policy' statement; name the policy once");
		return false;
	}
	memcpy(ps->p->name, name, sizeof(name));
	return true;
}

static bool stmt_type(struct parser *ps)
{
	struct xp_policy *p = ps->p;

	next(ps);
	for (;;) {
		struct xp_type t;

		if (!take_name(ps, "a type name", t.name, &t.loc))
			return false;
		if (xp_find_type(p, t.name) >= 0) {
			error_at(ps, t.loc, "type \"%s\" is declared twice; remove one", t.name);
			return false;
		}
		if (p->ntypes >= XACM_MAX_TYPES) {
			error_at(ps, t.loc, "more than %u types; merge some types", XACM_MAX_TYPES);
			return false;
		}
		p->types[p->ntypes++] = t;
		if (ps->tok.kind != T_COMMA)
			return true;
		next(ps);
	}
}

static bool stmt_conflict(struct parser *ps)
{
	struct xp_policy *p = ps->p;
	struct xp_conflict c;

	next(ps);
	if (!take_name(ps, "the conflict set's name", c.name, &c.loc))
		return false;
	for (uint32_t i = 0; i < p->nconflicts; i++)
		if (!strcmp(p->conflicts[i].name, c.name)) {
			error_at(ps, c.loc, "conflict set \"%s\" is declared twice; remove one",
				 c.name);
			return false;
		}
	if (!parse_typeset(ps, "the conflict set", &c.types))
		return false;
	if (!(c.types & (c.types - 1))) {
		error_at(ps, c.loc,
			 "conflict set \"%s\" has one type; a conflict needs at least two", c.name);
		return false;
	}
	if (p->nconflicts >= XACM_MAX_CONFLICTS) {
		error_at(ps, c.loc, "more than %u conflict sets", XACM_MAX_CONFLICTS);
		return false;
	}
	p->conflicts[p->nconflicts++] = c;
	return true;
}

static bool reserved(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++)
		if (!strcmp(name, reserved_names[i]))
			return true;
	/* declare_domain() derives NAME_self and NAME_channel */
	return (n > 5 && !strcmp(name + n - 5, "_self")) ||
	       (n > 8 && !strcmp(name + n - 8, "_channel"));
}

static bool stmt_domain(struct parser *ps)
{
	struct xp_policy *p = ps->p;
	struct xp_domain d = {.types = 0};
	char role[XACM_NAME_MAX];
	struct xp_loc role_loc;
	int r, c;

	next(ps);
	if (!take_name(ps, "the domain's FLASK type (e.g. guest_a_t)", d.name, &d.loc))
		return false;
	if (!take_word(ps, "role", "after the domain's name"))
		return false;
	if (!take_name(ps, "a role", role, &role_loc))
		return false;
	r = xacm_role_from_name(role);
	if (r < 0) {
		error_at(
			ps, role_loc,
			"unknown role \"%s\"; write one of guest, encdom, driver, acdom, toolstack",
			role);
		return false;
	}
	d.role = (enum xacm_role)r;
	if (is_word(ps, "types")) {
		next(ps);
		if (!parse_typeset(ps, "the domain", &d.types))
			return false;
	}
	if (xp_find_domain(p, d.name) >= 0) {
		error_at(ps, d.loc, "domain \"%s\" is declared twice; remove one", d.name);
		return false;
	}
	if (d.role == XACM_ROLE_TOOLSTACK) {
		if (strcmp(d.name, "dom0_t")) {
			error_at(ps, d.loc,
				 "the toolstack is dom0, FLASK type dom0_t; write 'domain dom0_t "
				 "role "
				 "toolstack;'");
			return false;
		}
	} else if (!strcmp(d.name, "dom0_t")) {
		error_at(ps, d.loc,
			 "dom0_t is the toolstack; write 'domain dom0_t role toolstack;'");
		return false;
	} else if (reserved(d.name)) {
		error_at(ps, d.loc,
			 "\"%s\" is a name Xen's FLASK policy uses or derives; choose another, "
			 "e.g. %.40s_dom_t",
			 d.name, d.name);
		return false;
	}
	if ((d.role == XACM_ROLE_TOOLSTACK || d.role == XACM_ROLE_ACDOM) && d.types) {
		error_at(ps, d.loc, "a %s domain takes no types; remove 'types { ... }'",
			 xacm_role_name(d.role));
		return false;
	}
	if ((d.role == XACM_ROLE_GUEST || d.role == XACM_ROLE_ENCDOM ||
	     d.role == XACM_ROLE_DRIVER) &&
	    !d.types) {
		error_at(ps, d.loc, "a %s domain needs types; add 'types { TYPE, ... }'",
			 xacm_role_name(d.role));
		return false;
	}
	c = d.role == XACM_ROLE_GUEST ? conflict_within(p, d.types) : -1;
	if (c >= 0) {
		error_at(ps, d.loc,
			 "guest \"%s\" holds two types of conflict set \"%s\"; a guest may hold at "
			 "most one",
			 d.name, p->conflicts[c].name);
		return false;
	}
	if (p->ndomains >= XACM_MAX_DOMAINS) {
		error_at(ps, d.loc, "more than %u domains", XACM_MAX_DOMAINS);
		return false;
	}
	if (!grow((void **)&p->domains, &p->cap_domains, p->ndomains, sizeof(d))) {
		error_at(ps, d.loc, "out of memory");
		return false;
	}
	if (d.role == XACM_ROLE_TOOLSTACK)
		ps->have_toolstack = true;
	p->domains[p->ndomains++] = d;
	return true;
}

static bool stmt_resource(struct parser *ps)
{
	struct xp_policy *p = ps->p;
	struct xp_resource res;
	int c;

	next(ps);
	if (!take_name(ps, "the resource's label", res.name, &res.loc))
		return false;
	if (!take_word(ps, "types", "after the resource's label"))
		return false;
	if (!parse_typeset(ps, "the resource", &res.types))
		return false;
	if (xp_find_resource(p, res.name) >= 0) {
		error_at(ps, res.loc, "resource \"%s\" is declared twice; remove one", res.name);
		return false;
	}
	c = conflict_within(p, res.types);
	if (c >= 0) {
		error_at(ps, res.loc,
			 "resource \"%s\" holds two types of conflict set \"%s\"; it may hold at "
			 "most "
			 "one",
			 res.name, p->conflicts[c].name);
		return false;
	}
	if (p->nresources >= XACM_MAX_RESOURCES) {
		error_at(ps, res.loc, "more than %u resources", XACM_MAX_RESOURCES);
		return false;
	}
	if (!grow((void **)&p->resources, &p->cap_resources, p->nresources, sizeof(res))) {
		error_at(ps, res.loc, "out of memory");
		return false;
	}
	p->resources[p->nresources++] = res;
	return true;
}

static bool stmt_channel(struct parser *ps)
{
	struct xp_policy *p = ps->p;
	char an[XACM_NAME_MAX], bn[XACM_NAME_MAX];
	struct xp_loc loc = ps->tok.loc, aloc, bloc;
	struct xp_channel ch = {.loc = loc};
	const struct xp_domain *a, *b;
	int ai, bi;

	next(ps);
	if (!take_name(ps, "a domain", an, &aloc) ||
	    !take(ps, T_ARROW, "<->", "between the domains") ||
	    !take_name(ps, "a domain", bn, &bloc))
		return false;
	ai = xp_find_domain(p, an);
	bi = xp_find_domain(p, bn);
	if (ai < 0 || bi < 0) {
		error_at(ps, ai < 0 ? aloc : bloc,
			 "unknown domain \"%s\"; declare it first with 'domain %s role ...;'",
			 ai < 0 ? an : bn, ai < 0 ? an : bn);
		return false;
	}
	a = &p->domains[ai];
	b = &p->domains[bi];
	if (ai == bi) {
		error_at(ps, loc, "a channel joins two different domains");
		return false;
	}
	if ((a->role == XACM_ROLE_GUEST && b->role == XACM_ROLE_DRIVER) ||
	    (a->role == XACM_ROLE_DRIVER && b->role == XACM_ROLE_GUEST)) {
		error_at(ps, loc,
			 "a guest never talks to a driver domain directly; route it through an "
			 "encdom: 'channel %s <-> ENC; channel ENC <-> %s;'",
			 a->role == XACM_ROLE_GUEST ? an : bn,
			 a->role == XACM_ROLE_GUEST ? bn : an);
		return false;
	}
	if (!((a->role == XACM_ROLE_GUEST && b->role == XACM_ROLE_ENCDOM) ||
	      (a->role == XACM_ROLE_ENCDOM && b->role == XACM_ROLE_GUEST) ||
	      (a->role == XACM_ROLE_ENCDOM && b->role == XACM_ROLE_DRIVER) ||
	      (a->role == XACM_ROLE_DRIVER && b->role == XACM_ROLE_ENCDOM))) {
		error_at(ps, loc,
			 "channel %s <-> %s joins roles %s and %s; channels join a guest and an "
			 "encdom, or an encdom and a driver (the toolstack talks to every domain "
			 "without one)",
			 an, bn, xacm_role_name(a->role), xacm_role_name(b->role));
		return false;
	}
	if (!(a->types & b->types)) {
		error_at(ps, loc, "%s and %s share no type; add a common type to both", an, bn);
		return false;
	}
	if (xp_find_channel(p, (uint32_t)ai, (uint32_t)bi) >= 0) {
		error_at(ps, loc, "channel %s <-> %s is declared twice; remove one", an, bn);
		return false;
	}
	if (p->nchannels >= XACM_MAX_CHANNELS ||
	    !grow((void **)&p->channels, &p->cap_channels, p->nchannels, sizeof(ch))) {
		error_at(ps, loc, "too many channels");
		return false;
	}
	ch.a = (uint32_t)ai;
	ch.b = (uint32_t)bi;
	p->channels[p->nchannels++] = ch;
	return true;
}

static void statement(struct parser *ps)
{
	static const struct {
		const char *keyword;
		bool (*parse)(struct parser *);
	} stmts[] = {
		{"policy", stmt_policy}, {"type", stmt_type},         {"conflict", stmt_conflict},
		{"domain", stmt_domain}, {"resource", stmt_resource}, {"channel", stmt_channel},
	};

	for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		if (!is_word(ps, stmts[i].keyword))
			continue;
		if (!stmts[i].parse(ps)) {
			recover(ps);
			return;
		}
		if (!take(ps, T_SEMI, ";", "to end the statement"))
			recover(ps);
		return;
	}
	error_at(ps, ps->tok.loc,
		 "expected a statement (policy, type, conflict, domain, resource or channel), "
		 "found %s",
		 ps->tok.text);
	recover(ps);
}

struct xp_policy *xp_parse(const char *file, const char *text, size_t len, FILE *diag)
{
	struct xp_policy *p = calloc(1, sizeof(*p));
	struct parser ps = {.p = p, .src = text, .len = len, .loc = {1, 1}};

	if (p == NULL)
		return NULL;
	p->file = file;
	p->diag = diag;
	next(&ps);
	while (ps.tok.kind != T_EOF && p->nerrors < XP_MAX_ERRORS)
		statement(&ps);
	if (p->nerrors == 0 && p->name[0] == '\0')
		error_at(&ps, (struct xp_loc){1, 1},
			 "the policy has no name; add 'policy NAME;' at the top");
	if (p->nerrors == 0 && !ps.have_toolstack) {
		/* dom0 is always the toolstack; make it explicit in the parsed form */
		if (!grow((void **)&p->domains, &p->cap_domains, p->ndomains,
			  sizeof(*p->domains))) {
			xp_policy_free(p);
			return NULL;
		}
		p->domains[p->ndomains++] =
			(struct xp_domain){.name = "dom0_t", .role = XACM_ROLE_TOOLSTACK};
	}
	if (ps.tok.kind != T_EOF && diag)
		fprintf(diag, "%s: too many errors; stopped after %u\n", file, XP_MAX_ERRORS);
	return p;
}

void xp_policy_free(struct xp_policy *p)
{
	if (p == NULL)
		return;
	free(p->domains);
	free(p->resources);
	free(p->channels);
	free(p);
}
