/* Unit tests of acdom/decide.c: fixed cases on a small policy, and a
 * randomized differential test against the naive reference evaluator
 * (ref_decide.c) on generated policies. */
#include <check.h>

#include "check_main.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "policy.h"
#include "check_rules.h"
#include "ref_decide.h"

static const char example[] = "policy t;\n"
			      "type a, b, c;\n"
			      "conflict ab { a, b };\n"
			      "domain ga_t role guest types { a };\n"
			      "domain gb_t role guest types { b };\n"
			      "domain gc_t role guest types { c };\n"
			      "domain enc_t role encdom types { a, b };\n"
			      "domain drv_t role driver types { a, b, c };\n"
			      "domain acm_t role acdom;\n"
			      "channel ga_t <-> enc_t;\n"
			      "channel gb_t <-> enc_t;\n"
			      "channel enc_t <-> drv_t;\n"
			      "resource va types { a };\n"
			      "resource vb types { b };\n"
			      "resource vc types { c };\n";

static const char *decide(const struct xacm_rules *r, const char *fe, const char *be,
			  const char *res, uint64_t active)
{
	struct xacm_decision d;

	xacm_decide(r, fe, be, res, active, &d);
	ck_assert_int_eq(d.allow, d.reason == XACM_ALLOW_STE);
	return xacm_reason_id(d.reason);
}

START_TEST(fixed_cases)
{
	struct xacm_rules *r = check_load_rules(example, NULL);
	const uint64_t A = 1, B = 2;

	ck_assert_str_eq(decide(r, "ga_t", "enc_t", "va", 0), "allow");
	ck_assert_str_eq(decide(r, "ga_t", "enc_t", "va", A), "allow");
	ck_assert_str_eq(decide(r, "ga_t", "enc_t", "vb", 0), "deny-ste-frontend");
	ck_assert_str_eq(decide(r, "ga_t", "enc_t", "va", B), "deny-chinese-wall");
	ck_assert_str_eq(decide(r, "enc_t", "drv_t", "va", 0), "allow");
	ck_assert_str_eq(decide(r, "enc_t", "drv_t", "vc", 0), "deny-ste-frontend");
	ck_assert_str_eq(decide(r, "ga_t", "drv_t", "va", 0), "deny-no-channel");
	ck_assert_str_eq(decide(r, "gc_t", "enc_t", "vc", 0), "deny-no-channel");
	ck_assert_str_eq(decide(r, "dom0_t", "drv_t", "vc", 0), "allow");
	ck_assert_str_eq(decide(r, "dom0_t", "enc_t", "vc", 0), "deny-ste-backend");
	ck_assert_str_eq(decide(r, "ga_t", "gb_t", "va", 0), "deny-backend-role");
	ck_assert_str_eq(decide(r, "ga_t", "acm_t", "va", 0), "deny-backend-role");
	ck_assert_str_eq(decide(r, "nobody_t", "enc_t", "va", 0), "deny-unknown-frontend");
	ck_assert_str_eq(decide(r, "ga_t", "nobody_t", "va", 0), "deny-unknown-backend");
	ck_assert_str_eq(decide(r, "ga_t", "enc_t", "nothing", 0), "deny-unknown-resource");
	xacm_rules_free(r);
}
END_TEST

START_TEST(wall_names_the_conflict)
{
	struct xacm_rules *r = check_load_rules(example, NULL);
	struct xacm_decision d;
	char why[256];

	xacm_decide(r, "gb_t", "enc_t", "vb", 1 /* a active */, &d);
	ck_assert(!d.allow);
	ck_assert_int_eq(d.reason, XACM_DENY_CHINESE_WALL);
	xacm_decision_explain(r, &d, why, sizeof(why));
	ck_assert_str_eq(why, "Chinese Wall ab: b would be active while a is");
	xacm_rules_free(r);
}
END_TEST

/* ---- differential test ----------------------------------------------------- */

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return (unsigned int)(rand_r(seed) % (int)n);
}

static void typeset(char *buf, size_t len, unsigned int *seed, unsigned int ntypes)
{
	unsigned int n = 1 + rnd(seed, 3);
	size_t off = (size_t)snprintf(buf, len, "{ ");

	for (unsigned int i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, len - off, "%st%u", i ? ", " : "",
					rnd(seed, ntypes));
	snprintf(buf + off, len - off, " }");
}

/* A random policy text.  Most are valid by construction; a few break a
 * rule on purpose (conflicting guest types, bad channels), and the checker
 * must reject those. */
static char *random_policy(unsigned int *seed, unsigned int *ndomains, unsigned int *nres,
			   unsigned int *ntypes)
{
	static const char *const roles[] = {"guest", "encdom", "driver", "acdom"};
	size_t cap = 16384, off = 0;
	char *s = malloc(cap), set[128];
	unsigned int role[16];
	uint64_t types[16];

	*ntypes = 2 + rnd(seed, 6);
	*ndomains = 2 + rnd(seed, 8);
	*nres = 1 + rnd(seed, 6);
	off += (size_t)snprintf(s + off, cap - off, "policy random;\n");
	for (unsigned int t = 0; t < *ntypes; t++)
		off += (size_t)snprintf(s + off, cap - off, "type t%u;\n", t);
	for (unsigned int c = 0, n = rnd(seed, 3); c < n; c++) {
		unsigned int x = rnd(seed, *ntypes), y = (x + 1 + rnd(seed, *ntypes - 1)) % *ntypes;

		off += (size_t)snprintf(s + off, cap - off, "conflict c%u { t%u, t%u };\n", c, x,
					y);
	}
	for (unsigned int d = 0; d < *ndomains; d++) {
		role[d] = rnd(seed, 4);
		types[d] = 0;
		if (role[d] == 3) {
			off += (size_t)snprintf(s + off, cap - off, "domain d%u_t role acdom;\n",
						d);
			continue;
		}
		if (role[d] == 0 && rnd(seed, 10)) { /* a guest: usually one type */
			unsigned int t = rnd(seed, *ntypes);

			types[d] = 1ull << t;
			snprintf(set, sizeof(set), "{ t%u }", t);
		} else {
			typeset(set, sizeof(set), seed, *ntypes);
			for (const char *q = set; (q = strchr(q, 't')) != NULL; q++)
				types[d] |= 1ull << atoi(q + 1);
		}
		off += (size_t)snprintf(s + off, cap - off, "domain d%u_t role %s types %s;\n", d,
					roles[role[d]], set);
	}
	for (unsigned int a = 0; a < *ndomains; a++)
		for (unsigned int b = a + 1; b < *ndomains; b++) {
			bool fits =
				((role[a] == 0 && role[b] == 1) || (role[a] == 1 && role[b] == 0) ||
				 (role[a] == 1 && role[b] == 2) ||
				 (role[a] == 2 && role[b] == 1)) &&
				(types[a] & types[b]);

			if ((fits && rnd(seed, 3)) || rnd(seed, 150) == 0)
				off += (size_t)snprintf(s + off, cap - off,
							"channel d%u_t <-> d%u_t;\n", a, b);
		}
	for (unsigned int r = 0; r < *nres; r++) {
		unsigned int t = rnd(seed, *ntypes);

		if (rnd(seed, 4))
			snprintf(set, sizeof(set), "{ t%u }", t);
		else
			typeset(set, sizeof(set), seed, *ntypes);
		off += (size_t)snprintf(s + off, cap - off, "resource r%u types %s;\n", r, set);
	}
	return s;
}

START_TEST(differential_against_reference)
{
	unsigned int seed = 20261123, compared = 0, valid = 0, allowed = 0;
	FILE *devnull = fopen("/dev/null", "w");

	for (int iter = 0; iter < 3000; iter++) {
		unsigned int nd, nr, nt;
		char *text = random_policy(&seed, &nd, &nr, &nt);
		struct xp_policy *p = xp_parse("random.xp", text, strlen(text), devnull);
		struct xacm_rules *rules = NULL;
		char err[256], *compiled;
		size_t len;

		free(text);
		ck_assert_ptr_nonnull(p);
		if (p->nerrors) {
			xp_policy_free(p);
			continue;
		}
		valid++;
		compiled = xp_emit_rules(p, &len);
		ck_assert_ptr_nonnull(compiled);
		ck_assert_msg(xacm_rules_parse(compiled, len, &rules, err, sizeof(err)) == 0,
			      "%s\n%s", err, compiled);
		free(compiled);
		for (int q = 0; q < 60; q++) {
			char fe[16], be[16], res[16];
			const char *active[8];
			char names[8][16];
			size_t nactive = 0;
			uint64_t mask = 0;
			struct xacm_decision d;
			const char *want;

			/* dom0_t and unknown names are part of the draw */
			snprintf(fe, sizeof(fe), rnd(&seed, 8) ? "d%u_t" : "dom0_t",
				 rnd(&seed, nd + 1));
			snprintf(be, sizeof(be), rnd(&seed, 8) ? "d%u_t" : "dom0_t",
				 rnd(&seed, nd + 1));
			snprintf(res, sizeof(res), "r%u", rnd(&seed, nr + 1));
			for (unsigned int t = 0; t < nt && nactive < 8; t++)
				if (rnd(&seed, 3) == 0) {
					snprintf(names[nactive], sizeof(names[0]), "t%u", t);
					active[nactive] = names[nactive];
					nactive++;
					mask |= 1ull << t;
				}
			xacm_decide(rules, fe, be, res, mask, &d);
			want = ref_decide(p, fe, be, res, active, nactive);
			ck_assert_msg(!strcmp(xacm_reason_id(d.reason), want),
				      "decide(%s, %s, %s) = %s, reference says %s", fe, be, res,
				      xacm_reason_id(d.reason), want);
			compared++;
			allowed += d.allow;
		}
		xacm_rules_free(rules);
		xp_policy_free(p);
	}
	fclose(devnull);
	/* the generator must exercise both outcomes on many valid policies */
	ck_assert_uint_gt(valid, 500);
	ck_assert_uint_gt(allowed, 100);
	ck_assert_uint_gt(compared - allowed, 1000);
	printf("differential: %u valid policies, %u decisions compared, %u allowed\n", valid,
	       compared, allowed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("decide");
	TCase *tc = tcase_create("decide");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fixed_cases);
	tcase_add_test(tc, wall_names_the_conflict);
	tcase_add_test(tc, differential_against_reference);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
