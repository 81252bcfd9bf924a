/* Unit tests of encdom/xen/vol_config.c: encdom's volume specifications. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <string.h>

#include "vol_config.h"

#define FE "/local/domain/0/device/vbd/51728"

static int parse(const char *spec, struct volconf *c)
{
	char err[VOLCONF_ERRLEN] = "";
	int rc = volconf_parse(spec, c, err);

	ck_assert(rc == 0 || err[0] != '\0'); /* every refusal says why */
	return rc;
}

START_TEST(accepts_a_volume)
{
	struct volconf c;

	ck_assert_int_eq(parse("name=vol0,store=" FE ",key=/etc/k,anchor=/var/a", &c), 0);
	ck_assert_str_eq(c.name, "vol0");
	ck_assert_uint_eq(c.nstores, 1);
	ck_assert_str_eq(c.store[0], FE);
	ck_assert_str_eq(c.key, "/etc/k");
	ck_assert_str_eq(c.anchor, "/var/a");
	/* any order; mirrors in the order given */
	ck_assert_int_eq(
		parse("anchor=/a,store=" FE ",key=/k,store=/local/domain/0/x,name=a.b-c_9", &c), 0);
	ck_assert_uint_eq(c.nstores, 2);
	ck_assert_str_eq(c.store[1], "/local/domain/0/x");
	ck_assert_str_eq(c.name, "a.b-c_9");
}
END_TEST

START_TEST(refuses_missing_and_repeated_fields)
{
	struct volconf c;

	ck_assert_int_eq(parse("", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,key=/k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("store=" FE ",key=/k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",key=/k", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,name=w,store=" FE ",key=/k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",key=/k,key=/l,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",key=/k,anchor=/a,anchor=/b", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",key=/k,anchor=/a,colour=red", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",key=/k,anchor=/a,", &c), 0); /* trailing , */
	ck_assert_int_eq(parse("name=v,store=" FE ",key=/k,anchor=/a,,", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",key=/k,anchor", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",store=" FE ",store=" FE ",store=" FE
			       ",store=" FE ",key=/k,anchor=/a",
			       &c),
			 -EINVAL); /* more than ENCDOM_MAX_REPLICAS */
}
END_TEST

START_TEST(refuses_bad_values)
{
	struct volconf c;
	char spec[600];

	/* names: never a path, never empty, a limited alphabet */
	ck_assert_int_eq(parse("name=,store=" FE ",key=/k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=/tmp/x,store=" FE ",key=/k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=.v,store=" FE ",key=/k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=-v,store=" FE ",key=/k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=a b,store=" FE ",key=/k,anchor=/a", &c), -EINVAL);
	memset(spec, 0, sizeof(spec));
	strcpy(spec, "name=");
	memset(spec + 5, 'n', VOLCONF_NAME_MAX);
	strcat(spec, ",store=" FE ",key=/k,anchor=/a");
	ck_assert_int_eq(parse(spec, &c), -EINVAL);
	/* stores: frontend directories in XenStore */
	ck_assert_int_eq(parse("name=v,store=/dev/xvdb,key=/k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=/local/domain/0/../1,key=/k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=/local/domain/0/..,key=/k,anchor=/a", &c), -EINVAL);
	/* files: absolute, no .. */
	ck_assert_int_eq(parse("name=v,store=" FE ",key=k,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",key=/,anchor=/a", &c), -EINVAL);
	ck_assert_int_eq(parse("name=v,store=" FE ",key=/k,anchor=/x/../a", &c), -EINVAL);
	memset(spec, 0, sizeof(spec));
	strcpy(spec, "name=v,store=" FE ",anchor=/a,key=/");
	memset(spec + strlen(spec), 'k', VOLCONF_PATH_MAX);
	ck_assert_int_eq(parse(spec, &c), -EINVAL);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {accepts_a_volume, refuses_missing_and_repeated_fields,
				      refuses_bad_values};

	return xacm_check_tests("encdom_config", tests, sizeof(tests) / sizeof(tests[0]));
}
