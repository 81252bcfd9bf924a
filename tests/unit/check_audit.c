/* Unit tests of acdom/audit.c: the hash-chained audit log. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 16);

	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static char logpath[64];

static void make_log(int records, int reopen_every)
{
	struct acm_audit *a = NULL;

	strcpy(logpath, "/tmp/check_audit.XXXXXX");
	close(mkstemp(logpath));
	unlink(logpath);
	for (int i = 0; i < records; i++) {
		if (a == NULL || (reopen_every && i % reopen_every == 0)) {
			acm_audit_close(a);
			a = acm_audit_open(logpath, false);
			ck_assert_ptr_nonnull(a);
		}
		char fields[64];

		snprintf(fields, sizeof(fields), "\"event\":\"test\",\"n\":%d", i);
		ck_assert_int_eq(acm_audit_append(a, fields), 0);
	}
	acm_audit_close(a);
}

static int verify(const char *text, size_t len, uint64_t *n, char *err)
{
	return acm_audit_verify(text, len, n, err, 256);
}

START_TEST(chain_holds_across_reopens)
{
	uint64_t n = 0;
	size_t len;
	char err[256], *text;

	make_log(10, 3);
	text = slurp(logpath, &len);
	ck_assert_msg(verify(text, len, &n, err) == 0, "%s", err);
	ck_assert_uint_eq(n, 10);
	ck_assert_ptr_nonnull(strstr(text, "\"seq\":9,"));
	free(text);
	unlink(logpath);
}
END_TEST

START_TEST(detects_tampering)
{
	uint64_t n;
	size_t len;
	char err[256], *text, *copy, *line3, *line4;

	make_log(6, 0);
	text = slurp(logpath, &len);
	copy = malloc(len);

	/* an edited byte in line 3 breaks the chain at line 4 */
	memcpy(copy, text, len);
	line3 = strchr(strchr(copy, '\n') + 1, '\n') + 1;
	line3[strlen("{\"prev\":\"") + 64 + 20] ^= 1;
	ck_assert_int_eq(verify(copy, len, &n, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "line 4:"));

	/* a removed line (line 3) breaks it too */
	memcpy(copy, text, len);
	line3 = strchr(strchr(copy, '\n') + 1, '\n') + 1;
	line4 = strchr(line3, '\n') + 1;
	memmove(line3, line4, len - (size_t)(line4 - copy));
	ck_assert_int_eq(verify(copy, len - (size_t)(line4 - line3), &n, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "line 3:"));

	/* a truncated last line */
	ck_assert_int_eq(verify(text, len - 1, &n, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "line 6: no newline"));

	/* garbage */
	ck_assert_int_eq(verify("hello\n", 6, &n, err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err, "line 1: not an audit record"));
	free(copy);
	free(text);
	unlink(logpath);
}
END_TEST

START_TEST(empty_log_is_intact)
{
	uint64_t n = 99;
	char err[256];

	ck_assert_int_eq(verify("", 0, &n, err), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("audit");

	tcase_add_test(tc, chain_holds_across_reopens);
	tcase_add_test(tc, detects_tampering);
	tcase_add_test(tc, empty_log_is_intact);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
