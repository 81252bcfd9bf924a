/* hostile-front - a user-space blkif frontend that misbehaves on purpose.
 *
 * Runs inside a test domU whose kernel blkfront is not loaded (guest-init's
 * xacm.noblkfront), against a vbd served by blkback-acm (t-blkback-hostile.sh):
 *
 *   hostile-front [--devid N] [--marker STRING] [--hold] [--malformed NODE=VALUE]
 *
 * --marker: sector 0 must begin with STRING; --hold: at the end, wait (at
 * most 120 s) for dom0 to write xacm-test/release in this domain's tree, so
 * that dom0 can look at the closed vbd before the guest goes away.
 * --malformed: write NODE=VALUE in the frontend's directory with the
 * others when connecting (e.g. ring-page-order=1x); the backend must
 * refuse the connection (Closed, not Connected) and name NODE in its
 * xacm-error (cases malformed-refused, malformed-xacm-error); nothing
 * else is tried.
 *
 * It connects like a frontend (ring page shared with gntalloc, an unbound
 * event channel, ring-ref, event-channel, protocol, state Initialised) and
 * then puts, one at a time, a valid read and a series of invalid requests
 * into the ring, each of which must be answered with the documented error
 * status (docs/blkback-acm.md, "Validation rules"), and a valid read again
 * to show the ring still works.  Last, it publishes an impossible producer
 * index: the backend must close the vbd (Closing/Closed) and say why in
 * its xacm-error node.
 *
 * Prints one line per case,
 *   RESULT name=CASE got=WHAT ok|BAD
 * and exits 0 only if every case matched (1 if one did not, 2 if the tool
 * itself could not run).  Every wait is bounded. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#define xen_mb() __sync_synchronize()
#define xen_rmb() __sync_synchronize()
#define xen_wmb() __sync_synchronize()
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>
#include <xen/io/ring.h>
#include <xen/io/xenbus.h>

#define PAGE 4096u
#define CONNECT_SECONDS 60
#define RESPONSE_SECONDS 15
#define CLOSE_SECONDS 30

/* shared pages: the ring, a data page, an indirect segment page */
enum { P_RING, P_DATA, P_INDIRECT, NR_PAGES };

static struct xs_handle *xs;
static xenevtchn_handle *evt;
static evtchn_port_t port;
static blkif_front_ring_t front;
static uint8_t *pages;
static uint32_t refs[NR_PAGES];
static char fe_path[128], be_path[256];
static unsigned int failures;

static void die(const char *what)
{
	fprintf(stderr, "hostile-front: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *read_node(const char *dir, const char *node)
{
	char path[384];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	return xs_read(xs, XBT_NULL, path, &len);
}

/* A node's value as a number; fallback if absent or not a number. */
static unsigned long long read_num(const char *dir, const char *node, unsigned long long fallback)
{
	char *v = read_node(dir, node), *end;
	unsigned long long n;

	if (v == NULL)
		return fallback;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v || *end)
		n = fallback;
	free(v);
	return n;
}

static void write_node(const char *node, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void write_node(const char *node, const char *fmt, ...)
{
	char path[256], value[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", fe_path, node);
	if (!xs_write(xs, XBT_NULL, path, value, strlen(value)))
		die(path);
}

static void result(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void result(const char *name, bool ok, const char *fmt, ...)
{
	char got[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	printf("RESULT name=%s got=%s %s\n", name, got, ok ? "ok" : "BAD");
	failures += !ok;
}

/* Wait until the backend's state is one of the states in mask (bit n =
 * state n) or seconds pass; the last state seen (-1 if unreadable). */
static int wait_backend_state(unsigned int mask, int seconds)
{
	double end = now() + seconds;
	int st;

	do {
		st = (int)read_num(be_path, "state", (unsigned long long)-1);
		if (st >= 0 && st < 32 && (mask & (1u << st)))
			return st;
		usleep(50000);
	} while (now() < end);
	return st;
}

/* Find the vbd (the first one unless devid is given) and its backend. */
static unsigned int find_vbd(const char *devid, unsigned int *backend_id)
{
	unsigned int self, n = 0, len;
	char dir[64], **list = NULL, *be, *v;

	v = xs_read(xs, XBT_NULL, "domid", &len);
	if (v == NULL)
		die("read domid");
	self = (unsigned int)strtoul(v, NULL, 10);
	free(v);
	snprintf(dir, sizeof(dir), "/local/domain/%u/device/vbd", self);
	for (int i = 0; i < CONNECT_SECONDS * 10 && !devid; i++) {
		list = xs_directory(xs, XBT_NULL, dir, &n);
		if (list && n > 0)
			break;
		free(list);
		list = NULL;
		usleep(100000);
	}
	if (!devid && (list == NULL || n == 0)) {
		fprintf(stderr, "hostile-front: no vbd under %s\n", dir);
		exit(2);
	}
	snprintf(fe_path, sizeof(fe_path), "%s/%s", dir, devid ? devid : list[0]);
	free(list);
	be = read_node(fe_path, "backend");
	if (be == NULL || strlen(be) >= sizeof(be_path))
		die("read the vbd's backend node");
	strcpy(be_path, be);
	free(be);
	*backend_id = (unsigned int)read_num(fe_path, "backend-id", 0);
	printf("hostile-front: domain %u, vbd %s, backend %s (domain %u)\n", self, fe_path, be_path,
	       *backend_id);
	return self;
}

/* Put one request into the ring as it is (no checks), publish and notify as
 * the ring.h protocol says, and wait for its response.  got receives the
 * response's status, or a word saying what went wrong. */
static bool submit(const void *req, size_t len, uint64_t id, uint8_t op, int alt_op,
		   int16_t *status, char *got, size_t gotlen)
{
	blkif_request_t *slot = RING_GET_REQUEST(&front, front.req_prod_pvt);
	double end = now() + RESPONSE_SECONDS;
	int notify;

	memset(slot, 0, sizeof(*slot));
	memcpy(slot, req, len);
	front.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&front, notify);
	if (notify)
		xenevtchn_notify(evt, port);
	for (;;) {
		struct pollfd pfd = {.fd = xenevtchn_fd(evt), .events = POLLIN};
		int more;

		RING_FINAL_CHECK_FOR_RESPONSES(&front, more);
		if (more)
			break;
		if (now() >= end) {
			snprintf(got, gotlen, "timeout");
			return false;
		}
		if (poll(&pfd, 1, 100) == 1) {
			int p = xenevtchn_pending(evt);

			if (p >= 0)
				xenevtchn_unmask(evt, (evtchn_port_t)p);
		}
	}
	{
		blkif_response_t rsp = *RING_GET_RESPONSE(&front, front.rsp_cons);

		front.rsp_cons++;
		if (front.rsp_cons != front.sring->rsp_prod) {
			snprintf(got, gotlen, "extra-responses(%u)",
				 (unsigned int)(front.sring->rsp_prod - front.rsp_cons));
			front.rsp_cons = front.sring->rsp_prod;
			return false;
		}
		if (rsp.id != id || (rsp.operation != op && rsp.operation != alt_op)) {
			snprintf(got, gotlen, "wrong-response(id=%#" PRIx64 ",op=%u,status=%d)",
				 rsp.id, rsp.operation, rsp.status);
			return false;
		}
		*status = rsp.status;
		snprintf(got, gotlen, "%s",
			 rsp.status == BLKIF_RSP_OKAY         ? "OKAY"
			 : rsp.status == BLKIF_RSP_ERROR      ? "ERROR"
			 : rsp.status == BLKIF_RSP_EOPNOTSUPP ? "EOPNOTSUPP"
							      : "other");
		if (!strcmp(got, "other"))
			snprintf(got, gotlen, "status(%d)", rsp.status);
		return true;
	}
}

/* One case: the request must be answered, once, with its id, the operation
 * rsp_op (or alt_op, if not -1) and the expected status. */
static bool run_case2(const char *name, const void *req, size_t len, uint64_t id, uint8_t rsp_op,
		      int alt_op, int16_t expected)
{
	char got[128];
	int16_t status = 0;
	bool answered = submit(req, len, id, rsp_op, alt_op, &status, got, sizeof(got));
	bool ok = answered && status == expected;

	result(name, ok, "%s", got);
	return ok;
}

static bool run_case(const char *name, const void *req, size_t len, uint64_t id, uint8_t rsp_op,
		     int16_t expected)
{
	return run_case2(name, req, len, id, rsp_op, -1, expected);
}

static blkif_request_t read_req(uint64_t id, blkif_sector_t sector, uint8_t nseg, uint32_t gref,
				uint8_t first, uint8_t last)
{
	blkif_request_t r = {.operation = BLKIF_OP_READ,
			     .nr_segments = nseg,
			     .handle = 0,
			     .id = id,
			     .sector_number = sector};

	for (unsigned int i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		r.seg[i] = (struct blkif_request_segment){
			.gref = gref, .first_sect = first, .last_sect = last};
	return r;
}

/* --hold: wait (at most 120 s) for dom0's xacm-test/release. */
static void hold_until_released(void)
{
	bool released = false;

	printf("hostile-front: holding until dom0 writes xacm-test/release\n");
	for (int i = 0; i < 1200 && !released; i++) {
		unsigned int len;
		char *v = xs_read(xs, XBT_NULL, "xacm-test/release", &len);

		released = v != NULL;
		free(v);
		if (!released)
			usleep(100000);
	}
	printf("hostile-front: %s\n", released ? "released" : "not released in 120 s");
}

int main(int argc, char **argv)
{
	const char *devid = NULL, *marker = NULL;
	char *malformed = NULL, *malformed_value = NULL;
	bool hold = false;
	unsigned long long sectors, max_indirect;
	unsigned int backend_id;
	xengntshr_handle *shr;
	blkif_sring_t *sring;
	int st, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--devid") && i + 1 < argc)
			devid = argv[++i];
		else if (!strcmp(argv[i], "--marker") && i + 1 < argc)
			marker = argv[++i];
		else if (!strcmp(argv[i], "--hold"))
			hold = true;
		else if (!strcmp(argv[i], "--malformed") && i + 1 < argc &&
			 (malformed_value = strchr(argv[i + 1], '=')) != NULL) {
			malformed = argv[++i];
			*malformed_value++ = '\0';
		} else {
			fprintf(stderr,
				"usage: hostile-front [--devid N] [--marker STRING] [--hold] "
				"[--malformed NODE=VALUE]\n");
			return 2;
		}
	}
	xs = xs_open(0);
	if (xs == NULL)
		die("xs_open");
	find_vbd(devid, &backend_id);

	/* 1. connect like a frontend */
	st = wait_backend_state(1u << XenbusStateInitWait, CONNECT_SECONDS);
	if (st != XenbusStateInitWait) {
		fprintf(stderr, "hostile-front: backend never reached InitWait (state %d)\n", st);
		return 2;
	}
	sectors = read_num(be_path, "sectors", 0);
	max_indirect = read_num(be_path, "feature-max-indirect-segments", 0);
	printf("hostile-front: backend offers %llu sectors, %llu indirect segments\n", sectors,
	       max_indirect);
	if (sectors < 16) {
		fprintf(stderr, "hostile-front: the backend's sectors node is missing or tiny\n");
		return 2;
	}
	shr = xengntshr_open(NULL, 0);
	evt = xenevtchn_open(NULL, 0);
	if (shr == NULL || evt == NULL)
		die("open gntalloc/evtchn");
	pages = xengntshr_share_pages(shr, (uint32_t)backend_id, NR_PAGES, refs, 1);
	if (pages == NULL)
		die("share the ring and data pages");
	memset(pages, 0, (size_t)NR_PAGES * PAGE);
	sring = (blkif_sring_t *)(pages + P_RING * PAGE);
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&front, sring, PAGE);
	rc = xenevtchn_bind_unbound_port(evt, backend_id);
	if (rc < 0)
		die("offer an event channel to the backend");
	port = (evtchn_port_t)rc;
	write_node("ring-ref", "%u", refs[P_RING]);
	write_node("event-channel", "%u", port);
	write_node("protocol", "%s", XEN_IO_PROTO_ABI_X86_64);
	if (malformed) {
		char *err;

		write_node(malformed, "%s", malformed_value);
		write_node("state", "%d", XenbusStateInitialised);
		st = wait_backend_state((1u << XenbusStateConnected) | (1u << XenbusStateClosed),
					CONNECT_SECONDS);
		result("malformed-refused", st == XenbusStateClosed, "state%d", st);
		err = read_node(be_path, "xacm-error");
		result("malformed-xacm-error", err && strstr(err, malformed), "%s",
		       err ? err : "(none)");
		free(err);
		if (hold)
			hold_until_released();
		return failures ? 1 : 0;
	}
	write_node("state", "%d", XenbusStateInitialised);
	st = wait_backend_state((1u << XenbusStateConnected) | (1u << XenbusStateClosing) |
					(1u << XenbusStateClosed),
				CONNECT_SECONDS);
	result("connect", st == XenbusStateConnected, "state%d", st);
	if (st != XenbusStateConnected) {
		char *err = read_node(be_path, "xacm-error");

		fprintf(stderr, "hostile-front: not connected; xacm-error: %s\n",
			err ? err : "(none)");
		free(err);
		return 1;
	}
	write_node("state", "%d", XenbusStateConnected);

	/* 2. a valid read of sector 0 */
	{
		blkif_request_t r = read_req(0x100, 0, 1, refs[P_DATA], 0, 7);
		uint8_t *data = pages + P_DATA * PAGE;

		memset(data, 0xa5, PAGE);
		if (run_case("read-sector0", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY) &&
		    marker) {
			bool same = !memcmp(data, marker, strlen(marker));

			result("read-sector0-data", same, "%s", same ? "marker" : "other-data");
		}
	}

	/* 3. invalid requests: each answered with an error, none fatal */
	{
		blkif_request_t r;

		r = read_req(0x201, 0, 1, refs[P_DATA], 0, 7);
		r.operation = 0x77;
		run_case("unknown-operation", &r, sizeof(r), r.id, 0x77, BLKIF_RSP_EOPNOTSUPP);

		/* a slot of 0xff bytes: operation 255, id all ones */
		memset(&r, 0xff, sizeof(r));
		run_case("all-ones-slot", &r, sizeof(r), UINT64_MAX, 0xff, BLKIF_RSP_EOPNOTSUPP);

		r = read_req(0x202, sectors, 1, refs[P_DATA], 0, 0);
		run_case("sector-at-end", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x203, sectors - 4, 1, refs[P_DATA], 0, 7);
		run_case("sectors-across-end", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x204, UINT64_MAX - 3, 1, refs[P_DATA], 0, 7);
		run_case("sector-wraps-64bit", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x205, 0, 0, refs[P_DATA], 0, 7);
		run_case("nr-segments-0", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x206, 0, BLKIF_MAX_SEGMENTS_PER_REQUEST + 1, refs[P_DATA], 0, 0);
		run_case("nr-segments-12", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x207, 0, 255, refs[P_DATA], 0, 0);
		run_case("nr-segments-255", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x208, 0, 1, refs[P_DATA], 5, 2);
		run_case("first-after-last", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x209, 0, 1, refs[P_DATA], 0, 8);
		run_case("last-sect-8", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x20a, 0, 1, 0x7fffffffu, 0, 7);
		run_case("gref-out-of-range", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x20b, 0, 1, refs[NR_PAGES - 1] + 1000, 0, 7);
		run_case("gref-not-granted", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_ERROR);

		r = read_req(0x20c, 0, 1, 0x7fffffffu, 0, 7);
		r.operation = BLKIF_OP_WRITE;
		run_case("write-bad-gref", &r, sizeof(r), r.id, BLKIF_OP_WRITE, BLKIF_RSP_ERROR);

		/* discard is offered: one that runs past the end, and one of
		 * zero sectors, must fail */
		struct blkif_request_discard d = {.operation = BLKIF_OP_DISCARD,
						  .id = 0x20d,
						  .sector_number = sectors - 4,
						  .nr_sectors = 8};

		run_case("discard-past-end", &d, sizeof(d), d.id, BLKIF_OP_DISCARD,
			 BLKIF_RSP_ERROR);
		d.id = 0x20e;
		d.sector_number = 0;
		d.nr_sectors = 0;
		run_case("discard-zero-sectors", &d, sizeof(d), d.id, BLKIF_OP_DISCARD,
			 BLKIF_RSP_ERROR);
	}
	{
		struct blkif_request_segment *ind =
			(struct blkif_request_segment *)(pages + P_INDIRECT * PAGE);
		struct blkif_request_indirect ir = {.operation = BLKIF_OP_INDIRECT,
						    .indirect_op = BLKIF_OP_READ,
						    .sector_number = 0,
						    .handle = 0};

		for (unsigned int i = 0; i < PAGE / sizeof(*ind); i++)
			ind[i] = (struct blkif_request_segment){
				.gref = refs[P_DATA], .first_sect = 0, .last_sect = 7};
		for (unsigned int i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; i++)
			ir.indirect_grefs[i] = refs[P_INDIRECT];

		ir.id = 0x301;
		ir.nr_segments = (uint16_t)(max_indirect + 1);
		run_case("indirect-too-many-segments", &ir, sizeof(ir), ir.id, BLKIF_OP_READ,
			 BLKIF_RSP_ERROR);

		ir.id = 0x302;
		ir.nr_segments = 0xffff;
		run_case("indirect-65535-segments", &ir, sizeof(ir), ir.id, BLKIF_OP_READ,
			 BLKIF_RSP_ERROR);

		ir.id = 0x303;
		ir.nr_segments = 1;
		ir.indirect_grefs[0] = 0x7fffffffu;
		run_case("indirect-bad-page-gref", &ir, sizeof(ir), ir.id, BLKIF_OP_READ,
			 BLKIF_RSP_ERROR);

		ir.id = 0x304;
		ir.indirect_grefs[0] = refs[P_INDIRECT];
		ir.nr_segments = 4;
		ind[3].last_sect = 9; /* garbage inside the indirect page */
		run_case("indirect-bad-segment", &ir, sizeof(ir), ir.id, BLKIF_OP_READ,
			 BLKIF_RSP_ERROR);
		ind[3].last_sect = 7;

		ir.id = 0x305;
		ir.indirect_op = BLKIF_OP_DISCARD;
		/* Linux blkback answers with the sub-operation, blkback-acm with
		 * BLKIF_OP_INDIRECT when the sub-operation is invalid: either. */
		run_case2("indirect-bad-sub-operation", &ir, sizeof(ir), ir.id, BLKIF_OP_DISCARD,
			  BLKIF_OP_INDIRECT, BLKIF_RSP_ERROR);
	}

	/* 4. the ring still works: a valid read of the last sector */
	{
		blkif_request_t r = read_req(0x400, sectors - 1, 1, refs[P_DATA], 0, 0);

		run_case("read-last-sector", &r, sizeof(r), r.id, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	}

	/* 5. an impossible producer index: the backend must disconnect */
	{
		char *err;
		bool said;

		st = (int)read_num(be_path, "state", (unsigned long long)-1);
		if (st != XenbusStateConnected)
			result("still-connected", false, "state%d", st);
		sring->req_prod = sring->rsp_prod + RING_SIZE(&front) + 1000;
		xen_wmb();
		xenevtchn_notify(evt, port);
		st = wait_backend_state((1u << XenbusStateClosing) | (1u << XenbusStateClosed),
					CLOSE_SECONDS);
		result("impossible-req-prod", st == XenbusStateClosing || st == XenbusStateClosed,
		       "state%d", st);
		if (st == XenbusStateClosing)
			st = wait_backend_state(1u << XenbusStateClosed, CLOSE_SECONDS);
		result("backend-closed", st == XenbusStateClosed, "state%d", st);
		err = read_node(be_path, "xacm-error");
		said = err && strstr(err, "broke the ring protocol");
		printf("hostile-front: xacm-error: %s\n", err ? err : "(none)");
		result("xacm-error", said, "%s", err ? (said ? "ring-protocol" : "other") : "none");
		free(err);
		write_node("state", "%d", XenbusStateClosing);
		write_node("state", "%d", XenbusStateClosed);
	}
	printf("hostile-front: %u case(s) BAD\n", failures);
	if (hold)
		hold_until_released();
	return failures ? 1 : 0;
}
