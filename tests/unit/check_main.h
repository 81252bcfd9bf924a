/* check_main.h - the end of every check suite's main(). */
#ifndef XACM_CHECK_MAIN_H
#define XACM_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/* Run every test of s, print check's summary, and turn it into an exit
 * status (EXIT_SUCCESS only if nothing failed). */
static inline int xacm_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A suite of one test case named like the suite, holding tests[0..n-1]:
 * run it as xacm_check_run() does. */
static inline int xacm_check_tests(const char *name, const TTest *const *tests, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);

	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}

#endif
