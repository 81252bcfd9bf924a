/* Unit tests of blkback-acm/vbd.c, the xenbus side of a vbd, over a fake
 * XenStore and fake grant and event-channel calls (defined here, so the
 * Xen libraries are not linked): what a frontend writes before it connects
 * and what the connect does when a step of it fails.
 *
 *   - ring-page-order and multi-queue-num-queues: missing keeps the
 *     default (order 0, one queue); present, they must be a canonical
 *     number in range, or the vbd is refused (Closed, xacm-error naming
 *     the node), never read as 0 or 1;
 *   - a failed event-channel bind leaves no unbind of a port never bound
 *     (port 0 once was);
 *   - a shadow file that cannot be sized (ftruncate fails: here
 *     RLIMIT_FSIZE) is removed, not left in the state directory. */
#include <check.h>

#include "check_main.h"
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "acm_client.h"
#include "vbd.h"

/* ---- a fake XenStore ---------------------------------------------------- */
#define NODES 64
static struct {
	char path[256], value[256];
} node[NODES];
static unsigned int nodes;

static void fake_reset(void)
{
	nodes = 0;
}

static void put(const char *path, const char *value)
{
	for (unsigned int i = 0; i < nodes; i++)
		if (!strcmp(node[i].path, path)) {
			snprintf(node[i].value, sizeof(node[i].value), "%s", value);
			return;
		}
	ck_assert_uint_lt(nodes, NODES);
	snprintf(node[nodes].path, sizeof(node[nodes].path), "%s", path);
	snprintf(node[nodes].value, sizeof(node[nodes].value), "%s", value);
	nodes++;
}

static const char *get(const char *path)
{
	for (unsigned int i = 0; i < nodes; i++)
		if (!strcmp(node[i].path, path))
			return node[i].value;
	return NULL;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	const char *v = get(path);

	(void)h;
	(void)t;
	if (v == NULL) {
		errno = ENOENT;
		return NULL;
	}
	if (len)
		*len = (unsigned int)strlen(v);
	return strdup(v);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
	      unsigned int len)
{
	char v[256];

	(void)h;
	(void)t;
	snprintf(v, sizeof(v), "%.*s", (int)len, (const char *)data);
	put(path, v);
	return true;
}

/* ---- fake grants and event channels ------------------------------------ */
static int bind_result; /* what xenevtchn_bind_interdomain returns */
static unsigned int ring_maps, unbinds, unbinds_of_unbound, binds;
static char evtchn_dummy;

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid,
				      uint32_t *refs, int prot)
{
	(void)xgt;
	(void)domid;
	(void)refs;
	(void)prot;
	ring_maps++;
	return calloc(count, 4096);
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start, uint32_t count)
{
	(void)xgt;
	(void)count;
	free(start);
	return 0;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	(void)logger;
	(void)flags;
	return (xenevtchn_handle *)&evtchn_dummy;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote)
{
	(void)xce;
	(void)domid;
	(void)remote;
	if (bind_result >= 0)
		binds++;
	return bind_result;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	unbinds++;
	if (binds == 0 || port != (evtchn_port_t)bind_result)
		unbinds_of_unbound++;
	return 0;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	(void)xce;
	return 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	(void)xce;
	return -1;
}

/* ---- the data path and acdom: not under test --------------------------- */
int vbd_io_init(struct vbd *v)
{
	(void)v;
	return 0;
}

void vbd_io_drain(struct vbd *v)
{
	(void)v;
}

void vbd_io_fini(struct vbd *v)
{
	(void)v;
}

void vbd_kick(struct vbd *v, unsigned int q)
{
	(void)v;
	(void)q;
}

/* acdom's decision for the vbd, as the test sets it (-ENOENT: none) */
static struct acm_decision decision;
static int decision_rc = -ENOENT;

int acm_read_decision(struct xs_handle *xs, uint32_t be, uint32_t fe, uint32_t devid,
		      struct acm_decision *d)
{
	(void)xs;
	(void)be;
	(void)fe;
	(void)devid;
	if (decision_rc == 0)
		*d = decision;
	return decision_rc;
}

/* ---- the world: backend 0 serves frontend 5's vbd 51712 ------------------ */
#define BE "/local/domain/0/backend/vbd/5/51712"
#define FE "/local/domain/5/device/vbd/51712"

static char state_dir[64], backing[96];
static struct blkb_ctx ctx;

static void world(void)
{
	FILE *f;

	fake_reset();
	decision_rc = -ENOENT;
	ring_maps = unbinds = unbinds_of_unbound = binds = 0;
	bind_result = 7;
	snprintf(state_dir, sizeof(state_dir), "/tmp/check_blkback_vbd.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
	snprintf(backing, sizeof(backing), "%s/disk", state_dir);
	f = fopen(backing, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), 1 << 20), 0);
	fclose(f);
	ctx = (struct blkb_ctx){.max_ring_order = 4,
				.max_indirect_segments = 256,
				.max_queues = 4,
				.sector_size = 512,
				.state_dir = state_dir};
	put(BE "/frontend", FE);
	put(BE "/params", backing);
	put(BE "/mode", "w");
	put(FE "/ring-ref", "8");
	put(FE "/event-channel", "9");
	put(FE "/state", "3"); /* Initialised */
}

/* Files left in the state directory besides the backing file. */
static unsigned int shadows_left(void)
{
	DIR *d = opendir(state_dir);
	unsigned int n = 0;

	for (struct dirent *e; d && (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.' && strcmp(e->d_name, "disk") != 0;
	if (d)
		closedir(d);
	return n;
}

static void world_end(struct vbd *v)
{
	char path[128];

	vbd_close(v, true);
	snprintf(path, sizeof(path), "%s/vbd-5-51712-q0", state_dir);
	unlink(path);
	unlink(backing);
	rmdir(state_dir);
}

/* Open the vbd, write the frontend's nodes, step it: its backend state. */
static struct vbd *connect_with(const char *order, const char *queues)
{
	struct vbd *v;

	if (order)
		put(FE "/ring-page-order", order);
	if (queues)
		put(FE "/multi-queue-num-queues", queues);
	v = vbd_open(&ctx, 5, 51712);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(get(BE "/state"), "2");
	vbd_step(v);
	return v;
}

static void assert_refused(struct vbd *v, const char *why)
{
	const char *err = get(BE "/xacm-error");

	ck_assert_str_eq(get(BE "/state"), "6");
	ck_assert_uint_eq(v->nr_queues, 0);
	ck_assert_uint_eq(ring_maps, 0); /* refused before anything is mapped */
	ck_assert_ptr_nonnull(err);
	if (strstr(err, why) == NULL)
		ck_abort_msg("xacm-error \"%s\" does not name %s", err, why);
}

START_TEST(defaults_when_missing)
{
	struct vbd *v;

	world();
	v = connect_with(NULL, NULL);
	ck_assert_str_eq(get(BE "/state"), "4");
	ck_assert_uint_eq(v->nr_queues, 1);
	ck_assert_uint_eq(v->queue[0].order, 0);
	world_end(v);
}
END_TEST

START_TEST(good_values_connect)
{
	struct vbd *v;

	world();
	put(FE "/ring-ref0", "8");
	put(FE "/ring-ref1", "10");
	v = connect_with("1", "1");
	ck_assert_str_eq(get(BE "/state"), "4");
	ck_assert_uint_eq(v->queue[0].order, 1);
	world_end(v);
}
END_TEST

static const char *const malformed[] = {"abc", "-1", "1x", "01", " 1", "", "1\n", "0x1"};

START_TEST(malformed_order_refused)
{
	struct vbd *v;

	world();
	v = connect_with(malformed[_i], NULL);
	assert_refused(v, "ring-page-order");
	world_end(v);
}
END_TEST

START_TEST(malformed_queues_refused)
{
	struct vbd *v;

	world();
	v = connect_with(NULL, malformed[_i]);
	assert_refused(v, "multi-queue-num-queues");
	world_end(v);
}
END_TEST

START_TEST(out_of_range_refused)
{
	struct vbd *v;

	world();
	v = connect_with("5", NULL); /* above --max-ring-order 4 */
	assert_refused(v, "ring-page-order");
	world_end(v);
	world();
	v = connect_with(NULL, "0");
	assert_refused(v, "multi-queue-num-queues");
	world_end(v);
	world();
	v = connect_with(NULL, "5"); /* above --max-queues 4 */
	assert_refused(v, "multi-queue-num-queues");
	world_end(v);
}
END_TEST

START_TEST(failed_bind_unbinds_nothing)
{
	struct vbd *v;

	world();
	bind_result = -1;
	v = connect_with(NULL, NULL);
	ck_assert_str_eq(get(BE "/state"), "6");
	ck_assert_uint_eq(unbinds_of_unbound, 0);
	world_end(v);
}
END_TEST

START_TEST(unsized_shadow_removed)
{
	struct rlimit small = {.rlim_cur = 512, .rlim_max = RLIM_INFINITY}, old;
	struct vbd *v;
	int rc;

	world();
	v = vbd_open(&ctx, 5, 51712);
	ck_assert_ptr_nonnull(v);
	/* ftruncate past the limit: EFBIG (and no SIGXFSZ).  check's own
	 * reports are files too: the limit holds only around the step */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	rc = setrlimit(RLIMIT_FSIZE, &small);
	vbd_step(v);
	setrlimit(RLIMIT_FSIZE, &old);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(get(BE "/state"), "6");
	ck_assert_uint_eq(shadows_left(), 0);
	world_end(v);
}
END_TEST

/* Issue 18: an allow obeys only if its rid names the resource the vbd
 * serves; one made for another disk on this devid is not an allow. */
START_TEST(allow_for_another_resource_not_obeyed)
{
	struct vbd *v;

	world();
	ctx.acdom_gate = true;
	decision = (struct acm_decision){.frontend = 5, .devid = 51712, .allow = true};
	ck_assert_int_eq(acm_rid_of_path("/srv/an-earlier-disk.img", decision.rid), 0);
	decision_rc = 0;
	v = connect_with(NULL, NULL);
	ck_assert_str_eq(get(BE "/state"), "2"); /* waits in InitWait */
	ck_assert_uint_eq(v->nr_queues, 0);
	ck_assert_uint_eq(ring_maps, 0);
	/* the allow for this disk: it connects */
	ck_assert_int_eq(acm_rid_of_path(backing, decision.rid), 0);
	vbd_step(v);
	ck_assert_str_eq(get(BE "/state"), "4");
	ck_assert_uint_eq(v->nr_queues, 1);
	/* acdom's allow moves to another resource: the connected vbd closes */
	strcpy(decision.rid, "uuid-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
	vbd_step(v);
	ck_assert_uint_eq(v->nr_queues, 0);
	world_end(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blkback_vbd");
	TCase *tc = tcase_create("blkback_vbd");
	const int n = (int)(sizeof(malformed) / sizeof(malformed[0]));

	tcase_add_test(tc, defaults_when_missing);
	tcase_add_test(tc, good_values_connect);
	tcase_add_loop_test(tc, malformed_order_refused, 0, n);
	tcase_add_loop_test(tc, malformed_queues_refused, 0, n);
	tcase_add_test(tc, out_of_range_refused);
	tcase_add_test(tc, failed_bind_unbinds_nothing);
	tcase_add_test(tc, unsized_shadow_removed);
	tcase_add_test(tc, allow_for_another_resource_not_obeyed);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
