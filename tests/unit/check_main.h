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

#endif
