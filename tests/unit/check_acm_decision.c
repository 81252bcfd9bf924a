/* Unit tests of lib/acm_decision.c: the decision node's value. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acm_protocol.h"

static const char good[] = "v=2 fe=5 devid=51712 be=0 resource=bank_a_disk "
			   "rid=uuid-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 "
			   "policy=9a9f98eb6989b5fe decision=allow reason=allow";

START_TEST(round_trip)
{
	struct acm_decision d, e;
	char buf[ACM_DECISION_VALUE_MAX];
	int n;

	ck_assert_int_eq(acm_decision_parse(good, strlen(good), &d), 0);
	ck_assert_uint_eq(d.frontend, 5);
	ck_assert_uint_eq(d.devid, 51712);
	ck_assert_uint_eq(d.backend, 0);
	ck_assert_str_eq(d.resource, "bank_a_disk");
	ck_assert_str_eq(d.rid, "uuid-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	ck_assert(d.allow);
	n = acm_decision_format(&d, buf);
	ck_assert_int_eq(n, (int)strlen(good));
	ck_assert_str_eq(buf, good);
	d.allow = false;
	strcpy(d.reason, "deny-chinese-wall");
	strcpy(d.resource, "-");
	strcpy(d.rid, "-");
	n = acm_decision_format(&d, buf);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(acm_decision_parse(buf, (size_t)n, &e), 0);
	ck_assert(!e.allow);
	ck_assert_str_eq(e.reason, "deny-chinese-wall");
	ck_assert_str_eq(e.resource, "-");
}
END_TEST

static const char *const bad[] = {
	"",
	"v=1 fe=5 devid=51712 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=51712 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow ",
	"v=2  fe=5 devid=51712 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=05 devid=51712 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=32752 devid=1 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=4294967296 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=- policy=9a9f98eb6989b5f decision=allow reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=- policy=9A9F98EB6989B5FE decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=9r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=maybe "
	"reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=deny-no-channel",
	"v=2 fe=5 devid=1 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=deny reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=deny reason=Deny",
	"v=2 devid=1 fe=5 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow x=1",
	/* the resource id: missing, of an unknown kind, or not what acm_rid_of_* write */
	"v=2 fe=5 devid=1 be=0 resource=r policy=9a9f98eb6989b5fe decision=allow reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=disk-1 policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=path- policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=path-2f7 policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=path-2F74 policy=9a9f98eb6989b5fe decision=allow "
	"reason=allow",
	"v=2 fe=5 devid=1 be=0 resource=r rid=uuid-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f "
	"policy=9a9f98eb6989b5fe decision=allow reason=allow",
};

START_TEST(rejects_malformed)
{
	struct acm_decision d = {.frontend = 77};

	ck_assert_msg(acm_decision_parse(bad[_i], strlen(bad[_i]), &d) == -EINVAL, "accepted: %s",
		      bad[_i]);
	ck_assert_uint_eq(d.frontend, 77);
}
END_TEST

START_TEST(rejects_embedded_nul_and_overlong)
{
	char buf[ACM_DECISION_VALUE_MAX + 8];
	struct acm_decision d;

	memcpy(buf, good, sizeof(good));
	buf[10] = '\0';
	ck_assert_int_eq(acm_decision_parse(buf, strlen(good), &d), -EINVAL);
	memset(buf, 'a', sizeof(buf));
	ck_assert_int_eq(acm_decision_parse(buf, sizeof(buf), &d), -EINVAL);
	/* truncated: "reason=allo" does not match decision=allow */
	ck_assert_int_eq(acm_decision_parse(good, strlen(good) - 1, &d), -EINVAL);
}
END_TEST

START_TEST(path_keys_and_labels)
{
	char key[2 * ACM_BACKING_PATH_MAX + 1];

	ck_assert_int_eq(acm_path_key("/tmp/a.img", key), 0);
	ck_assert_str_eq(key, "2f746d702f612e696d67");
	ck_assert_int_eq(acm_path_key("", key), -1);
	{
		char rid[ACM_RID_MAX];

		ck_assert_int_eq(acm_rid_of_path("/tmp/a.img", rid), 0);
		ck_assert_str_eq(rid, "path-2f746d702f612e696d67");
		ck_assert_int_eq(acm_rid_of_uuid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", rid), 0);
		ck_assert_str_eq(rid, "uuid-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
		ck_assert_int_eq(acm_rid_of_uuid("0f1e2d3c", rid), -1);
		ck_assert_int_eq(acm_rid_of_path("", rid), -1);
	}
	ck_assert(acm_label_valid("bank_a_disk"));
	ck_assert(!acm_label_valid("bank-a"));
	ck_assert(!acm_label_valid("1disk"));
	ck_assert(!acm_label_valid(""));
	ck_assert(acm_uuid_valid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", 36));
	ck_assert(!acm_uuid_valid("0F1E2D3C-4b5a-6978-8796-a5b4c3d2e1f0", 36));
	ck_assert(!acm_uuid_valid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f", 35));
	ck_assert(!acm_uuid_valid("0f1e2d3c04b5a-6978-8796-a5b4c3d2e1f0", 36));
	ck_assert(!acm_uuid_valid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1g0", 36));
}
END_TEST

START_TEST(alert_values)
{
	static const char *const bad_alert[] = {
		"",
		"count=0 first=1 last=1",                    /* no alert */
		"count=1 first=2 last=1",                    /* empty range */
		"count=1 first=1",                           /* missing field */
		"count=1 first=1 last=1 ",                   /* trailing space */
		"count=1  first=1 last=1",                   /* two spaces */
		"count=01 first=1 last=1",                   /* not canonical */
		"count=-1 first=1 last=1",                   /* sign */
		"first=1 count=1 last=1",                    /* order */
		"count=1 first=1 last=18446744073709551616", /* above 2^64 - 1 */
		"count=1 first=1 last=1 extra=1",
	};
	const char good_alert[] = "count=3 first=1000 last=1007";
	struct acm_alert a = {.count = 9, .first = 9, .last = 9}, b;
	char buf[ACM_ALERT_VALUE_MAX];

	ck_assert_int_eq(acm_alert_parse(good_alert, strlen(good_alert), &b), 0);
	ck_assert(b.count == 3 && b.first == 1000 && b.last == 1007);
	ck_assert_int_eq(acm_alert_format(&b, buf), (int)strlen(good_alert));
	ck_assert_str_eq(buf, good_alert);
	for (size_t i = 0; i < sizeof(bad_alert) / sizeof(bad_alert[0]); i++) {
		ck_assert_msg(acm_alert_parse(bad_alert[i], strlen(bad_alert[i]), &a) == -EINVAL,
			      "accepted: %s", bad_alert[i]);
		ck_assert(a.count == 9 && a.first == 9 && a.last == 9); /* untouched */
	}
	ck_assert_int_eq(acm_alert_parse("count=1 first=1 last=1\0", 23, &a), -EINVAL);
	a = (struct acm_alert){.count = 0, .first = 1, .last = 1};
	ck_assert_int_eq(acm_alert_format(&a, buf), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acm_decision");
	TCase *tc = tcase_create("decision");

	tcase_add_test(tc, round_trip);
	tcase_add_loop_test(tc, rejects_malformed, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, rejects_embedded_nul_and_overlong);
	tcase_add_test(tc, path_keys_and_labels);
	tcase_add_test(tc, alert_values);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
