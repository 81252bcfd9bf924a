/* Unit tests of acdom/rules_parse.c: the loader of acdom's rules file. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rules.h"

/* A rules file with a correct hash over body. */
static char *with_hash(const char *body)
{
	unsigned char md[32];
	unsigned int mdlen;
	size_t n = strlen(body);
	char *out = malloc(n + 100), *p;

	EVP_Digest(body, n, md, &mdlen, EVP_sha256(), NULL);
	p = out + sprintf(out, "xacm-rules 1\nsha256 ");
	for (unsigned int i = 0; i < 32; i++)
		p += sprintf(p, "%02x", md[i]);
	sprintf(p, "\n%s", body);
	return out;
}

static int load(const char *body, char *err, struct xacm_rules **r)
{
	char *text = with_hash(body);
	int rc = xacm_rules_parse(text, strlen(text), r, err, 256);

	free(text);
	return rc;
}

#define GOOD_BODY                                                                              \
	"policy p\ntype a\ntype b\nconflict ab a b\ndomain drv_t driver a b\n"                 \
	"domain enc_t encdom a b\ndomain ga_t guest a\nresource disk_a a\nresource disk_b b\n" \
	"channel drv_t enc_t\nchannel enc_t ga_t\nend\n"

START_TEST(loads_a_valid_file)
{
	struct xacm_rules *r;
	char err[256];

	ck_assert_int_eq(load(GOOD_BODY, err, &r), 0);
	ck_assert_str_eq(r->policy_name, "p");
	ck_assert_uint_eq(r->ntypes, 2);
	ck_assert_uint_eq(r->ndomains, 3);
	ck_assert_uint_eq(r->nresources, 2);
	ck_assert_uint_eq(r->nchannels, 2);
	ck_assert_int_eq(xacm_rules_find_domain(r, "ga_t"), 2);
	ck_assert_int_eq(xacm_rules_find_domain(r, "gz_t"), -1);
	ck_assert_int_eq(xacm_rules_find_resource(r, "disk_b"), 1);
	ck_assert(xacm_rules_has_channel(r, 2, 1));
	ck_assert(!xacm_rules_has_channel(r, 0, 2));
	ck_assert_uint_eq(r->domains[0].types, 3);
	xacm_rules_free(r);
}
END_TEST

START_TEST(round_trip_from_the_compiler)
{
	static const char src[] = "policy rt;\ntype x, y;\ndomain z_t role guest types { x };\n"
				  "domain e_t role encdom types { x, y };\nchannel z_t <-> e_t;\n"
				  "resource b types { y };\nresource a types { x };\n";
	struct xp_policy *p = xp_parse("rt.xp", src, strlen(src), stderr);
	struct xacm_rules *r;
	char err[256], *text;
	size_t len;

	text = xp_emit_rules(p, &len);
	ck_assert_int_eq(xacm_rules_parse(text, len, &r, err, sizeof(err)), 0);
	ck_assert_str_eq(r->resources[0].name, "a"); /* sorted */
	ck_assert_str_eq(r->domains[0].name, "dom0_t");
	ck_assert_int_eq(r->domains[0].role, XACM_ROLE_TOOLSTACK);
	xacm_rules_free(r);
	/* a damaged copy is refused by its hash */
	text[len - 6] ^= 1;
	ck_assert_int_eq(xacm_rules_parse(text, len, &r, err, sizeof(err)), -EBADMSG);
	ck_assert_ptr_null(r);
	free(text);
	xp_policy_free(p);
}
END_TEST

static const struct {
	const char *body;
	int rc;
	const char *msg;
} bad[] = {
	{"type a\nend\n", -EINVAL, "line 3: the body must begin with \"policy NAME\""},
	{"policy p\ntype a\npolicy q\nend\n", -EINVAL, "line 5: \"policy\" is out of place"},
	{"policy p\nend\ntype a\n", -EINVAL, "line 5: text after \"end\""},
	{"policy p\ntype a\n", -EINVAL, "truncated"},
	{"policy p\ntype a\nend", -EINVAL, "line 5: the last line has no newline"},
	{"policy p\n\nend\n", -EINVAL, "line 4: empty, overlong or binary line"},
	{"policy p\ntype  a\nend\n", -EINVAL, "line 4: \"\" is not a valid name"},
	{"policy p\ntype a\ntype a\nend\n", -EINVAL, "line 5: type \"a\" repeated"},
	{"policy p\nfrob a\nend\n", -EINVAL, "unknown keyword \"frob\""},
	{"policy p\ntype a\ndomain g_t guest b\nend\n", -EINVAL, "unknown type \"b\""},
	{"policy p\ntype a\ndomain g_t king a\nend\n", -EINVAL, "unknown role \"king\""},
	{"policy p\ntype a\ndomain h_t guest a\ndomain g_t guest a\nend\n", -EINVAL,
	 "out of order"},
	{"policy p\ntype a\nresource r a\ndomain g_t guest a\nend\n", -EINVAL,
	 "\"domain\" is out of place"},
	{"policy p\ntype a\ntype b\nconflict c a b\ndomain g_t guest a b\nend\n", -EINVAL,
	 "holds two types of one conflict set"},
	{"policy p\ntype a\ndomain d_t driver a\ndomain g_t guest a\nchannel d_t g_t\nend\n",
	 -EINVAL, "joins roles driver and guest"},
	{"policy p\ntype a\ntype b\ndomain e_t encdom a\ndomain g_t guest b\nchannel e_t "
	 "g_t\nend\n",
	 -EINVAL, "share no type"},
	{"policy p\ntype a\ndomain e_t encdom a\ndomain g_t guest a\nchannel g_t e_t\nend\n",
	 -EINVAL, "distinct and in name order"},
	{"policy p\ntype a\ndomain e_t encdom a\nchannel e_t x_t\nend\n", -EINVAL,
	 "unknown domain"},
	{"policy p\ntype a\nresource r a a\nend\n", -EINVAL, "listed twice"},
	{"policy p\nconflict c\nend\n", -EINVAL, "at least two types"},
};

START_TEST(rejects_malformed)
{
	struct xacm_rules *r = (struct xacm_rules *)1;
	char err[256];
	int rc = load(bad[_i].body, err, &r);

	ck_assert_msg(rc == bad[_i].rc, "case %d: rc %d (%s)", _i, rc, err);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, bad[_i].msg) != NULL, "case %d: message \"%s\" lacks \"%s\"", _i,
		      err, bad[_i].msg);
}
END_TEST

START_TEST(rejects_bad_headers)
{
	static const char *const heads[] = {
		"",
		"xacm-rules 2\nsha256 "
		"0000000000000000000000000000000000000000000000000000000000000000\nend\n",
		"xacm-rules 1\nsha256 00\nend\n",
		"xacm-rules 1\nsha256 "
		"000000000000000000000000000000000000000000000000000000000000000G\nend\n",
		"xacm-rules 1\nsha256 "
		"0000000000000000000000000000000000000000000000000000000000000000 end\n",
	};
	struct xacm_rules *r;
	char err[256];

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		ck_assert_int_eq(xacm_rules_parse(heads[i], strlen(heads[i]), &r, err, sizeof(err)),
				 -EINVAL);
		ck_assert_ptr_null(r);
	}
}
END_TEST

START_TEST(type_limit)
{
	char body[8192] = "policy p\n";
	struct xacm_rules *r;
	char err[256];

	for (int i = 0; i < 65; i++)
		sprintf(body + strlen(body), "type t%d\n", i);
	strcat(body, "end\n");
	ck_assert_int_eq(load(body, err, &r), -E2BIG);
	ck_assert_ptr_nonnull(strstr(err, "more than 64 types"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rules_parse");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, loads_a_valid_file);
	tcase_add_test(tc, round_trip_from_the_compiler);
	tcase_add_loop_test(tc, rejects_malformed, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, rejects_bad_headers);
	tcase_add_test(tc, type_limit);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
