/* Unit tests of lib/xs_value.c: the parsers of untrusted XenStore values. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xs_value.h"

static int parse(const char *s, uint64_t max, uint64_t *out)
{
	return xs_value_parse_uint(s, strlen(s), max, out);
}

START_TEST(accepts_canonical_decimals)
{
	uint64_t v = 99;

	ck_assert_int_eq(parse("0", 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(parse("7", 10, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(parse("18446744073709551615", UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(rejects_non_canonical_spellings)
{
	static const char *const bad[] = {"",    "-1", "+1",  " 1",  "1 ",  "1\n", "0x10",
					  "007", "00", "1e3", "1.0", "abc", "12a"};
	uint64_t v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i], UINT64_MAX, &v) == -EINVAL, "accepted \"%s\"", bad[i]);
		ck_assert_uint_eq(v, 42);
	}
}
END_TEST

START_TEST(rejects_out_of_range)
{
	uint64_t v = 42;

	ck_assert_int_eq(parse("11", 10, &v), -ERANGE);
	ck_assert_int_eq(parse("18446744073709551616", UINT64_MAX, &v), -ERANGE);
	ck_assert_int_eq(parse("99999999999999999999", UINT64_MAX, &v), -ERANGE);
	ck_assert_int_eq(parse("123456789012345678901", UINT64_MAX, &v), -EINVAL); /* 21 digits */
	ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(never_reads_past_len)
{
	/* "12" followed by bytes outside the value: only "1" may be read. */
	const char buf[] = {'1', '2', 'x'};
	uint64_t v = 0;

	ck_assert_int_eq(xs_value_parse_uint(buf, 1, 100, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(xs_value_parse_uint(buf, 0, 100, &v), -EINVAL);
	ck_assert_int_eq(xs_value_parse_uint(NULL, 1, 100, &v), -EINVAL);
	/* An embedded NUL is not a digit. */
	ck_assert_int_eq(xs_value_parse_uint("1\0002", 3, 1000, &v), -EINVAL);
}
END_TEST

START_TEST(domid_and_state_limits)
{
	uint32_t domid = 5;
	unsigned int state = 5;

	ck_assert_int_eq(xs_value_parse_domid("32751", 5, &domid), 0);
	ck_assert_uint_eq(domid, 0x7fef);
	ck_assert_int_eq(xs_value_parse_domid("32752", 5, &domid),
			 -ERANGE); /* DOMID_FIRST_RESERVED */
	ck_assert_int_eq(xs_value_parse_domid("65535", 5, &domid), -ERANGE); /* DOMID_INVALID */
	ck_assert_uint_eq(domid, 0x7fef);
	ck_assert_int_eq(xs_value_parse_state("4", 1, &state), 0);
	ck_assert_uint_eq(state, 4);
	ck_assert_int_eq(xs_value_parse_state("8", 1, &state), 0);
	ck_assert_int_eq(xs_value_parse_state("9", 1, &state), -ERANGE);
	ck_assert_uint_eq(state, 8);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xs_value");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, accepts_canonical_decimals);
	tcase_add_test(tc, rejects_non_canonical_spellings);
	tcase_add_test(tc, rejects_out_of_range);
	tcase_add_test(tc, never_reads_past_len);
	tcase_add_test(tc, domid_and_state_limits);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
