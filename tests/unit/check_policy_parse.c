/* Unit tests of policy/parse.c: a valid policy, and every grammar and
 * checking error with its position and its advice. */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

#define HEAD "policy p;\ntype a, b, c;\n"

/* Parse text; return the diagnostics (malloc'd) and the error count. */
static char *diagnose(const char *text, unsigned int *nerrors)
{
	char *out = NULL;
	size_t len = 0;
	FILE *diag = open_memstream(&out, &len);
	struct xp_policy *p;

	ck_assert_ptr_nonnull(diag);
	p = xp_parse("t.xp", text, strlen(text), diag);
	fclose(diag);
	ck_assert_ptr_nonnull(p);
	*nerrors = p->nerrors;
	xp_policy_free(p);
	return out;
}

START_TEST(valid_policy)
{
	static const char text[] =
		"# a comment\npolicy ok;\ntype a, b;\nconflict ab { a, b };\n"
		"domain ga_t role guest types { a };\ndomain enc_t role encdom types { a, b };\n"
		"domain drv_t role driver types { a, b };\ndomain acm_t role acdom;\n"
		"domain dom0_t role toolstack;\nchannel ga_t <-> enc_t;\nchannel drv_t <-> enc_t;\n"
		"resource disk_a types { a };\n";
	struct xp_policy *p = xp_parse("ok.xp", text, strlen(text), stderr);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nerrors, 0);
	ck_assert_str_eq(p->name, "ok");
	ck_assert_uint_eq(p->ntypes, 2);
	ck_assert_uint_eq(p->nconflicts, 1);
	ck_assert_uint_eq(p->conflicts[0].types, 3);
	ck_assert_uint_eq(p->ndomains, 5);
	ck_assert_uint_eq(p->nchannels, 2);
	ck_assert_uint_eq(p->nresources, 1);
	ck_assert_uint_eq(p->domains[0].loc.line, 5);
	ck_assert_uint_eq(p->domains[0].loc.col, 8);
	xp_policy_free(p);
}
END_TEST

START_TEST(toolstack_is_implicit)
{
	static const char text[] = "policy p;\n";
	struct xp_policy *p = xp_parse("t.xp", text, strlen(text), NULL);

	ck_assert_uint_eq(p->nerrors, 0);
	ck_assert_int_ge(xp_find_domain(p, "dom0_t"), 0);
	xp_policy_free(p);
}
END_TEST

static const struct {
	const char *text;
	const char *want; /* "line:col: error: <start of message>" */
} errors[] = {
	{"type a;\n", "1:1: error: the policy has no name; add 'policy NAME;'"},
	{"policy p;\npolicy q;\n", "2:1: error: a second 'policy' statement"},
	{"policy p\ntype a;\n", "2:1: error: expected ';' to end the statement, found type"},
	{"policy p;\nbogus x;\n", "2:1: error: expected a statement (policy, type, conflict"},
	{"policy p;\ntype a, ;\n", "2:9: error: expected a type name, found ';'"},
	{"policy p;\ntype a;\ntype a;\n", "3:6: error: type \"a\" is declared twice"},
	{"policy p;\ntype 9a;\n", "2:6: error: expected a type name, found '9'"},
	{"policy p;\ntype a$;\n", "2:7: error: expected ';' to end the statement, found '$'"},
	{"policy p;\ntype a\x01;\n",
	 "2:7: error: expected ';' to end the statement, found byte 0x01"},
	{HEAD "conflict x { a };\n", "3:10: error: conflict set \"x\" has one type"},
	{HEAD "conflict x { a, zz };\n",
	 "3:17: error: unknown type \"zz\" in the conflict set; declare it first with 'type zz;'"},
	{HEAD "conflict x { a, a };\n", "3:17: error: type \"a\" is listed twice"},
	{HEAD "conflict x a, b;\n", "3:12: error: expected '{' to open the list of types, found a"},
	{HEAD "conflict x { a b };\n",
	 "3:16: error: expected ',' or '}' in the list of types, found b"},
	{HEAD "conflict x { a, b };\nconflict x { a, c };\n",
	 "4:10: error: conflict set \"x\" is declared twice"},
	{HEAD "domain g_t guest;\n",
	 "3:12: error: expected 'role' after the domain's name, found guest"},
	{HEAD "domain g_t role king types { a };\n",
	 "3:17: error: unknown role \"king\"; write one of guest, encdom, driver, acdom, "
	 "toolstack"},
	{HEAD "domain g_t role guest;\n",
	 "3:8: error: a guest domain needs types; add 'types { TYPE, ... }'"},
	{HEAD "domain a_t role acdom types { a };\n", "3:8: error: a acdom domain takes no types"},
	{HEAD "domain x_t role toolstack;\n",
	 "3:8: error: the toolstack is dom0, FLASK type dom0_t"},
	{HEAD "domain dom0_t role guest types { a };\n", "3:8: error: dom0_t is the toolstack"},
	{HEAD "domain domU_t role guest types { a };\n",
	 "3:8: error: \"domU_t\" is a name Xen's FLASK policy uses or derives"},
	{HEAD "domain g_channel role guest types { a };\n",
	 "3:8: error: \"g_channel\" is a name Xen's FLASK policy uses or derives"},
	{HEAD "domain g_t role guest types { a };\ndomain g_t role guest types { b };\n",
	 "4:8: error: domain \"g_t\" is declared twice"},
	{HEAD "conflict ab { a, b };\ndomain g_t role guest types { a, b };\n",
	 "4:8: error: guest \"g_t\" holds two types of conflict set \"ab\""},
	{HEAD "resource r { a };\n",
	 "3:12: error: expected 'types' after the resource's label, found '{'"},
	{HEAD "resource r types { q };\n", "3:20: error: unknown type \"q\" in the resource"},
	{HEAD "conflict ab { a, b };\nresource r types { a, b };\n",
	 "4:10: error: resource \"r\" holds two types of conflict set \"ab\""},
	{HEAD "resource r types { a };\nresource r types { b };\n",
	 "4:10: error: resource \"r\" is declared twice"},
	{HEAD "domain g_t role guest types { a };\ndomain d_t role driver types { a };\nchannel "
	      "g_t <-> d_t;\n",
	 "5:1: error: a guest never talks to a driver domain directly; route it through an encdom: "
	 "'channel g_t <-> ENC; channel ENC <-> d_t;'"},
	{HEAD "domain g_t role guest types { a };\ndomain h_t role guest types { a };\nchannel g_t "
	      "<-> h_t;\n",
	 "5:1: error: channel g_t <-> h_t joins roles guest and guest"},
	{HEAD "domain g_t role guest types { a };\ndomain e_t role encdom types { b };\nchannel "
	      "g_t <-> e_t;\n",
	 "5:1: error: g_t and e_t share no type; add a common type to both"},
	{HEAD "domain g_t role guest types { a };\nchannel g_t <-> e_t;\n",
	 "4:17: error: unknown domain \"e_t\""},
	{HEAD "domain g_t role guest types { a };\nchannel g_t -> g_t;\n",
	 "4:13: error: expected '<->' between the domains, found '-'"},
	{HEAD "domain g_t role guest types { a };\nchannel g_t <-> g_t;\n",
	 "4:1: error: a channel joins two different domains"},
	{HEAD "domain g_t role guest types { a };\ndomain e_t role encdom types { a };\nchannel "
	      "g_t <-> e_t;\nchannel e_t <-> g_t;\n",
	 "6:1: error: channel e_t <-> g_t is declared twice"},
	{"policy p;\ntype aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;\n",
	 "2:6: error: a type name \"aaaaaaaaaaaaaaaaaaaa...\" is 64 characters long; use at most "
	 "63"},
};

START_TEST(each_error)
{
	unsigned int n;
	char *out = diagnose(errors[_i].text, &n);
	char want[512];

	snprintf(want, sizeof(want), "t.xp:%s", errors[_i].want);
	ck_assert_msg(n >= 1, "no error for case %d", _i);
	ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "case %d:\n got: %s want: %s", _i, out,
		      want);
	free(out);
}
END_TEST

START_TEST(recovers_and_reports_several)
{
	unsigned int n;
	char *out = diagnose("policy p;\ntype a;\nbogus;\ntype a;\ndomain x_t role nope;\n", &n);

	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_nonnull(strstr(out, "t.xp:3:1:"));
	ck_assert_ptr_nonnull(strstr(out, "t.xp:4:6:"));
	ck_assert_ptr_nonnull(strstr(out, "t.xp:5:17:"));
	free(out);
}
END_TEST

START_TEST(stops_after_too_many_errors)
{
	char text[4096] = "policy p;\n";
	unsigned int n;
	char *out;

	for (int i = 0; i < 40; i++)
		strcat(text, "x;\n");
	out = diagnose(text, &n);
	ck_assert_uint_eq(n, XP_MAX_ERRORS);
	ck_assert_ptr_nonnull(strstr(out, "too many errors"));
	free(out);
}
END_TEST

START_TEST(limits)
{
	static char text[1 << 16];
	size_t off = (size_t)snprintf(text, sizeof(text), "policy p;\n");
	unsigned int n;
	char *out;

	for (int i = 0; i < 65; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "type t%d;\n", i);
	out = diagnose(text, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(strstr(out, "t.xp:66:6: error: more than 64 types"));
	free(out);
}
END_TEST

START_TEST(never_reads_past_len)
{
	/* "policy p;" then bytes outside the text: a heap copy without a NUL */
	const char src[] = "policy p;type";
	char *copy = malloc(9);
	struct xp_policy *p;

	memcpy(copy, src, 9);
	p = xp_parse("t.xp", copy, 9, NULL);
	ck_assert_uint_eq(p->nerrors, 0);
	xp_policy_free(p);
	free(copy);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, valid_policy);
	tcase_add_test(tc, toolstack_is_implicit);
	tcase_add_loop_test(tc, each_error, 0, (int)(sizeof(errors) / sizeof(errors[0])));
	tcase_add_test(tc, recovers_and_reports_several);
	tcase_add_test(tc, stops_after_too_many_errors);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, never_reads_past_len);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
