/* Unit tests of acdom's own logic: where a vbd's resource comes from
 * (acdom/labels.c, XenStore behind an in-memory double), the Chinese Wall
 * deciding order (acdom/vbdset.c) and the integrity-alert budget. */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_rules.h"
#include "labels.h"
#include "policy.h"
#include "vbdset.h"

/* ---- an in-memory XenStore: path, value, permissions --------------------- */
#define MAX_NODES 64
struct node {
	char path[XACM_XS_PATH_MAX];
	char value[256];
	struct xs_permissions perms[2];
	unsigned int nperms;
};
static struct node store[MAX_NODES];
static unsigned int nstore;

static struct node *lookup(const char *path)
{
	for (unsigned int i = 0; i < nstore; i++)
		if (!strcmp(store[i].path, path))
			return &store[i];
	return NULL;
}

/* put(path, value, owner, other domain with write or -1) */
static void put(const char *path, const char *value, unsigned int owner, int writer)
{
	struct node *n = lookup(path);

	if (n == NULL) {
		ck_assert_uint_lt(nstore, MAX_NODES);
		n = &store[nstore++];
	}
	snprintf(n->path, sizeof(n->path), "%s", path);
	snprintf(n->value, sizeof(n->value), "%s", value);
	n->perms[0] = (struct xs_permissions){.id = owner, .perms = XS_PERM_NONE};
	n->nperms = 1;
	if (writer >= 0)
		n->perms[n->nperms++] =
			(struct xs_permissions){.id = (unsigned int)writer, .perms = XS_PERM_WRITE};
}

static void del(const char *path)
{
	struct node *n = lookup(path);

	if (n)
		*n = store[--nstore];
}

static char *mem_read(void *ctx, const char *path, unsigned int *len)
{
	struct node *n = lookup(path);

	(void)ctx;
	if (n == NULL)
		return NULL;
	*len = (unsigned int)strlen(n->value);
	return strdup(n->value);
}

static struct xs_permissions *mem_perms(void *ctx, const char *path, unsigned int *np)
{
	struct node *n = lookup(path);
	struct xs_permissions *p;

	(void)ctx;
	if (n == NULL)
		return NULL;
	p = malloc(sizeof(n->perms));
	memcpy(p, n->perms, sizeof(n->perms));
	*np = n->nperms;
	return p;
}

static const struct acdom_xs view = {.read = mem_read, .perms = mem_perms};

static void path_label(const char *domain, const char *path, const char *label)
{
	char node[ACM_LABEL_NODE_MAX];

	ck_assert_int_eq(acm_label_path_node(domain, path, node), 0);
	put(node, label, 0, -1);
}

/* A guest (domid 5) with disk 51712 served by driver domain 7 ("drv"),
 * as xl block-attach leaves it. */
#define BE_DIR "/local/domain/7/backend/vbd/5/51712"
#define RECORD "/libxl/5/device/vbd/51712"
static void setup_store(void)
{
	nstore = 0;
	put("/local/domain/7/name", "drv", 0, -1);
	put(BE_DIR "/params", "/dev/xvda", 7, -1); /* the driver domain's own */
	put(RECORD "/params", "/dev/xvda", 0, -1);
	put(RECORD "/backend", BE_DIR, 0, -1);
	path_label("drv", "/dev/xvda", "va");
	path_label("drv", "/dev/xvdb", "vb");
	path_label("other", "/dev/xvdb", "vc");
}

static enum acdom_label_status resource(struct acdom_resource *r)
{
	return acdom_resource_of(&view, 7, 5, 51712, r);
}

START_TEST(label_from_toolstack_record)
{
	struct acdom_resource r;

	setup_store();
	ck_assert_int_eq(resource(&r), ACDOM_LABELLED);
	ck_assert_str_eq(r.label, "va");
	ck_assert_str_eq(r.rid, "path-2f6465762f78766461");
	/* The driver domain rewrites params in its own directory: nothing
	 * changes (12a1bb8 read this node and gave the vbd vb's label). */
	put(BE_DIR "/params", "/dev/xvdb", 7, -1);
	ck_assert_int_eq(resource(&r), ACDOM_LABELLED);
	ck_assert_str_eq(r.label, "va");
	/* The toolstack's record changes (a new disk on the devid): relabelled */
	put(RECORD "/params", "/dev/xvdb", 0, -1);
	ck_assert_int_eq(resource(&r), ACDOM_LABELLED);
	ck_assert_str_eq(r.label, "vb");
	ck_assert_str_eq(r.rid, "path-2f6465762f78766462");
}
END_TEST

START_TEST(untrusted_sources_leave_it_unlabelled)
{
	struct acdom_resource r;

	/* no record at all: the backend's params are never used */
	setup_store();
	del(RECORD "/params");
	del(RECORD "/backend");
	ck_assert_int_eq(resource(&r), ACDOM_UNLABELLED);
	ck_assert_str_eq(r.label, "-");
	ck_assert_str_eq(r.rid, "-");
	/* a record some domain other than the toolstack can write */
	setup_store();
	put(RECORD "/params", "/dev/xvda", 0, 7);
	ck_assert_int_eq(resource(&r), ACDOM_UNLABELLED);
	setup_store();
	put(RECORD "/params", "/dev/xvda", 5, -1);
	ck_assert_int_eq(resource(&r), ACDOM_UNLABELLED);
	/* a record made for another backend's vbd on the same (fe, devid) */
	setup_store();
	put(RECORD "/backend", "/local/domain/8/backend/vbd/5/51712", 0, -1);
	ck_assert_int_eq(resource(&r), ACDOM_UNLABELLED);
	/* the record's backend node is foreign-owned */
	setup_store();
	put(RECORD "/backend", BE_DIR, 7, -1);
	ck_assert_int_eq(resource(&r), ACDOM_UNLABELLED);
	/* the backend domain's name must be the toolstack's too */
	setup_store();
	put("/local/domain/7/name", "other", 7, -1);
	ck_assert_int_eq(resource(&r), ACDOM_UNLABELLED);
	/* the same path in another domain is another resource */
	setup_store();
	put("/local/domain/7/name", "other", 0, -1);
	put(RECORD "/params", "/dev/xvdb", 0, -1);
	ck_assert_int_eq(resource(&r), ACDOM_LABELLED);
	ck_assert_str_eq(r.label, "vc");
	/* a record without its backend node binds to no backend */
	setup_store();
	del(RECORD "/backend");
	ck_assert_int_eq(resource(&r), ACDOM_UNLABELLED);
}
END_TEST

START_TEST(volume_uuid_only_from_the_toolstack)
{
	static const char uuid[] = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
	struct acdom_resource r;

	/* a driver domain publishing a UUID in its own directory is ignored */
	setup_store();
	put(BE_DIR "/" ACM_XS_VBD_VOLUME_UUID, uuid, 7, -1);
	put(ACM_XS_LABEL_UUID_DIR "/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "vb", 0, -1);
	ck_assert_int_eq(resource(&r), ACDOM_LABELLED);
	ck_assert_str_eq(r.label, "va");
	/* a backend in the toolstack domain (encdom): its UUID comes first */
	put(BE_DIR "/" ACM_XS_VBD_VOLUME_UUID, uuid, 0, -1);
	ck_assert_int_eq(resource(&r), ACDOM_LABELLED);
	ck_assert_str_eq(r.label, "vb");
	ck_assert_str_eq(r.rid, "uuid-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	/* a label node another domain may write: rejected, not used */
	put(ACM_XS_LABEL_UUID_DIR "/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "vb", 0, 7);
	ck_assert_int_eq(resource(&r), ACDOM_REJECTED);
	ck_assert_str_eq(r.label, "-");
	ck_assert_uint_eq(r.owner, 0);
	put(ACM_XS_LABEL_UUID_DIR "/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "not-a-label", 0, -1);
	ck_assert_int_eq(resource(&r), ACDOM_UNLABELLED);
}
END_TEST

/* ---- Chinese Wall order ---------------------------------------------------- */
static const char example[] = "policy t;\n"
			      "type a, b, c;\n"
			      "conflict ab { a, b };\n"
			      "domain ga_t role guest types { a };\n"
			      "domain gb_t role guest types { b };\n"
			      "domain enc_t role encdom types { a, b, c };\n"
			      "domain drv_t role driver types { a, b, c };\n"
			      "channel ga_t <-> enc_t;\n"
			      "channel gb_t <-> enc_t;\n"
			      "channel enc_t <-> drv_t;\n"
			      "resource va types { a };\n"
			      "resource vb types { b };\n"
			      "resource vc types { c };\n";

static unsigned int ndecided;
static char order[16][32];
static bool record(void *ctx, struct acdom_vbd *v, const struct xacm_decision *d)
{
	(void)ctx;
	snprintf(order[ndecided++ % 16], sizeof(order[0]), "%u/%u/%u:%s", v->be, v->fe, v->devid,
		 xacm_reason_id(d->reason));
	return d->allow;
}

static struct acdom_vbd vbd(uint32_t be, uint32_t fe, uint32_t devid, const char *fel,
			    const char *bel, const char *res)
{
	struct acdom_vbd v = {.be = be, .fe = fe, .devid = devid, .seen = true};

	snprintf(v.now.fe, sizeof(v.now.fe), "%s", fel);
	snprintf(v.now.be, sizeof(v.now.be), "%s", bel);
	snprintf(v.now.resource, sizeof(v.now.resource), "%s", res);
	snprintf(v.now.rid, sizeof(v.now.rid), "uuid-00000000-0000-0000-0000-00000000000%u",
		 devid % 10);
	return v;
}

START_TEST(relabelled_vbd_loses_not_the_incumbent)
{
	struct xacm_rules *r = check_load_rules(example, NULL);
	/* [0] a guest's disk through encdom in dom0 (sorts first: be 0);
	 * [1] encdom's store vbd on a driver domain, holding type c */
	struct acdom_vbd v[2] = {vbd(0, 5, 1, "ga_t", "enc_t", "va"),
				 vbd(9, 2, 2, "enc_t", "drv_t", "vc")};

	ndecided = 0;
	acdom_evaluate(r, v, 2, record, NULL);
	ck_assert(v[0].allowed && v[1].allowed);
	/* The store vbd is relabelled into the wall: b conflicts with the
	 * guest's a.  12a1bb8 re-decided 0/5/1 first against 9/2/2's NEW
	 * label, denied the guest and then allowed the relabelled vbd. */
	strcpy(v[1].now.resource, "vb");
	for (int round = 0; round < 3; round++) {
		ndecided = 0;
		acdom_evaluate(r, v, 2, record, NULL);
		ck_assert_str_eq(order[0], "0/5/1:allow");
		ck_assert_str_eq(order[1], "9/2/2:deny-chinese-wall");
		ck_assert(v[0].allowed && !v[1].allowed);
	}
	/* the guest's disk goes: the relabelled vbd is allowed on the next scan */
	v[0] = v[1];
	ndecided = 0;
	acdom_evaluate(r, v, 1, record, NULL);
	ck_assert_str_eq(order[0], "9/2/2:allow");
	xacm_rules_free(r);
}
END_TEST

START_TEST(newcomers_decided_after_incumbents_by_granted_labels)
{
	struct xacm_rules *r = check_load_rules(example, NULL);
	struct acdom_vbd v[3] = {vbd(0, 6, 1, "gb_t", "enc_t", "vb"),
				 vbd(0, 5, 1, "ga_t", "enc_t", "va"),
				 vbd(9, 2, 3, "enc_t", "drv_t", "vc")};

	/* 0/5/1 (type a) is the incumbent; 0/6/1 (type b) and 9/2/3 (c) are
	 * new: they are checked against the incumbent's granted types. */
	v[1].allowed = true;
	v[1].grant = v[1].now;
	ndecided = 0;
	acdom_evaluate(r, v, 3, record, NULL);
	ck_assert_str_eq(order[0], "0/5/1:allow");
	ck_assert_str_eq(order[1], "0/6/1:deny-chinese-wall");
	ck_assert_str_eq(order[2], "9/2/3:allow");
	/* a rid change (another disk on the devid) is a relabel too: the
	 * vbd loses its place and is decided after the incumbent 9/2/3 */
	snprintf(v[0].now.rid, sizeof(v[0].now.rid), "path-2f");
	ndecided = 0;
	acdom_evaluate(r, v, 3, record, NULL);
	ck_assert_uint_eq(ndecided, 3);
	ck_assert_str_eq(order[0], "9/2/3:allow");
	ck_assert_str_eq(order[1], "0/5/1:allow");
	ck_assert_str_eq(order[2], "0/6/1:deny-chinese-wall");
	/* unlabelled after an allow: denied (fail closed), and its type leaves
	 * the wall, so the waiting vbd of the conflicting type gets in */
	strcpy(v[0].now.resource, "-");
	ndecided = 0;
	acdom_evaluate(r, v, 3, record, NULL);
	ck_assert_str_eq(order[0], "9/2/3:allow");
	ck_assert_str_eq(order[1], "0/5/1:deny-unknown-resource");
	ck_assert_str_eq(order[2], "0/6/1:allow");
	ck_assert(!v[0].allowed && v[1].allowed && v[2].allowed);
	xacm_rules_free(r);
}
END_TEST

/* ---- integrity-alert budget ------------------------------------------------ */
START_TEST(alert_flood_is_bounded_and_counted)
{
	struct acdom_vbd v = {.be = 7, .fe = 5, .devid = 1};
	uint64_t n, first, t = 1000000, admitted = 0, suppressed = 0;

	for (uint64_t c = 1; c <= 1000; c++) {
		if (acdom_alert_admit(&v, c, t + c))
			admitted++;
		else
			suppressed++;
	}
	ck_assert_uint_eq(admitted, ACDOM_ALERT_BURST);
	ck_assert(!acdom_alert_flush(&v, t + 1000, false, &n, &first)); /* window not over */
	ck_assert(acdom_alert_flush(&v, t + ACDOM_ALERT_WINDOW_MS + 1, false, &n, &first));
	ck_assert_uint_eq(n, suppressed);
	ck_assert_uint_eq(first, ACDOM_ALERT_BURST + 1);
	ck_assert(!acdom_alert_flush(&v, t + ACDOM_ALERT_WINDOW_MS + 2, true, &n, &first));
	/* the flood goes on: the suppressed line used the new window's first
	 * slot, so at most ACDOM_ALERT_BURST lines per window in all */
	admitted = 0;
	for (uint64_t c = 1001; c <= 1100; c++)
		admitted += acdom_alert_admit(&v, c, t + ACDOM_ALERT_WINDOW_MS + 3);
	ck_assert_uint_eq(admitted, ACDOM_ALERT_BURST - 1);
	/* at the vbd's end or acdom's stop, whatever is pending is audited */
	ck_assert(acdom_alert_flush(&v, t + ACDOM_ALERT_WINDOW_MS + 4, true, &n, &first));
	ck_assert_uint_eq(n, 100 - (ACDOM_ALERT_BURST - 1));
	ck_assert_uint_eq(first, 1001 + ACDOM_ALERT_BURST - 1);
	/* a quiet vbd gets every alert its own line */
	v = (struct acdom_vbd){.be = 0};
	for (uint64_t c = 1; c <= ACDOM_ALERT_BURST; c++)
		ck_assert(acdom_alert_admit(&v, c, c * ACDOM_ALERT_WINDOW_MS));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acdom_eval");
	TCase *tc = tcase_create("acdom_eval");

	tcase_add_test(tc, label_from_toolstack_record);
	tcase_add_test(tc, untrusted_sources_leave_it_unlabelled);
	tcase_add_test(tc, volume_uuid_only_from_the_toolstack);
	tcase_add_test(tc, relabelled_vbd_loses_not_the_incumbent);
	tcase_add_test(tc, newcomers_decided_after_incumbents_by_granted_labels);
	tcase_add_test(tc, alert_flood_is_bounded_and_counted);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
