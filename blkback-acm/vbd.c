/* vbd.c - one vbd: xenbus backend states, the acdom gate, ring and I/O.
 *
 * States (xen/io/xenbus.h), as Linux blkback drives them:
 *   open: features written, InitWait (2);
 *   frontend Initialised (3) or Connected (4) and acdom allows: map the ring,
 *     bind the event channel, Connected (4);
 *   acdom denies: Closed (6) with an "xacm-error" node saying why;
 *   frontend Closing (5) / Closed (6), a revocation or a broken ring:
 *     unmap, Closing (5) then Closed (6);
 *   frontend back at Initialising (1) after Closed: InitWait again.
 * Data moves by grant copy through a private bounce buffer, so no grant is
 * mapped per I/O and nothing is read from shared memory twice.
 *
 * Restart: a connection survives the daemon.  A new daemon finds the
 * frontend Connected, maps the same ring and takes up at the ring's
 * published rsp_prod: requests after it were never answered, so they run
 * again (reads and writes are idempotent) and nothing acknowledged is lost,
 * since a write is answered only after pwrite() (and, for a flush,
 * fdatasync()) returned. */
#include "vbd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xen/grant_table.h>
#include <xen/io/xenbus.h>

#include "acm_client.h"
#include "xacm_log.h"
#include "xs_util.h"
#include "xs_value.h"

#define SECTOR 512u /* blkif's unit unless feature-large-sector-size */
#define DIRECT_SEGMENTS BLKIF_MAX_SEGMENTS_PER_REQUEST
#define VBD_KICK_BUDGET 64u /* requests served per queue before yielding */

static char *read_node(struct vbd *v, const char *dir, const char *node, unsigned int *len)
{
	char path[XACM_XS_PATH_MAX];

	if (xacm_xs_path(path, "%s/%s", dir, node))
		return NULL;
	return xs_read(v->ctx->xs, XBT_NULL, path, len);
}

static int read_uint(struct vbd *v, const char *dir, const char *node, uint64_t max, uint64_t *out)
{
	char path[XACM_XS_PATH_MAX];

	if (xacm_xs_path(path, "%s/%s", dir, node))
		return -ENAMETOOLONG;
	return xacm_xs_read_uint(v->ctx->xs, XBT_NULL, path, max, out);
}

static bool write_node(struct vbd *v, const char *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool write_node(struct vbd *v, const char *node, const char *fmt, ...)
{
	char path[XACM_XS_PATH_MAX], value[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return !xacm_xs_path(path, "%s/%s", v->be_path, node) &&
	       xs_write(v->ctx->xs, XBT_NULL, path, value, strlen(value));
}

static void set_state(struct vbd *v, int state)
{
	if (v->be_state == state)
		return;
	if (!write_node(v, "state", "%d", state))
		xacm_warn("%s: cannot write state %d", v->be_path, state);
	v->be_state = state;
	xacm_info("vbd %u/%u: backend state %d", v->fe, v->devid, state);
}

bool vbd_more(const struct vbd *v, unsigned int q)
{
	return q < v->nr_queues && v->queue[q].more;
}

int vbd_fd(const struct vbd *v, unsigned int q)
{
	return q < v->nr_queues ? xenevtchn_fd(v->queue[q].evtchn) : -1;
}

/* Copy n grant segments; true if every one succeeded. */
static bool grant_copy(struct vbd *v, xengnttab_grant_copy_segment_t *segs, unsigned int n)
{
	if (n == 0)
		return true;
	v->stats.copy_calls++;
	v->stats.copy_segs += n;
	if (xengnttab_grant_copy(v->ctx->gt, n, segs) != 0)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (segs[i].status != GNTST_okay)
			return false;
	return true;
}

/* blkb_fetch_indirect_fn: the indirect segment pages, by grant copy. */
static int fetch_indirect(void *opaque, const grant_ref_t *grefs, unsigned int nr_pages, void *dst,
			  size_t len)
{
	struct vbd *v = opaque;
	xengnttab_grant_copy_segment_t segs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];

	for (unsigned int i = 0; i < nr_pages; i++) {
		size_t chunk = len - (size_t)i * BLKB_PAGE_SIZE;

		segs[i] = (xengnttab_grant_copy_segment_t){
			.source.foreign = {.ref = grefs[i], .offset = 0, .domid = (uint16_t)v->fe},
			.dest.virt = (uint8_t *)dst + (size_t)i * BLKB_PAGE_SIZE,
			.len = (uint16_t)(chunk > BLKB_PAGE_SIZE ? BLKB_PAGE_SIZE : chunk),
			.flags = GNTCOPY_source_gref,
		};
	}
	return grant_copy(v, segs, nr_pages) ? 0 : -EIO;
}

/* Copy every segment between the frontend's pages and the bounce buffer. */
static bool copy_segments(struct vbd *v, bool to_frontend)
{
	static xengnttab_grant_copy_segment_t segs[BLKB_MAX_INDIRECT_SEGMENTS];
	const struct blkb_request *r = v->req;
	const unsigned int unit = v->lim.sector_size;
	size_t off = 0;

	for (unsigned int i = 0; i < r->nr_segments; i++) {
		const struct blkif_request_segment *s = &r->seg[i];
		uint16_t len = (uint16_t)((s->last_sect - s->first_sect + 1) * unit);
		union xengnttab_copy_ptr frontend = {
			.foreign = {.ref = s->gref,
				    .offset = (uint16_t)(s->first_sect * unit),
				    .domid = (uint16_t)v->fe}};
		union xengnttab_copy_ptr local = {.virt = v->buf + off};

		segs[i] = (xengnttab_grant_copy_segment_t){
			.source = to_frontend ? local : frontend,
			.dest = to_frontend ? frontend : local,
			.len = len,
			.flags = to_frontend ? GNTCOPY_dest_gref : GNTCOPY_source_gref,
		};
		off += len;
	}
	return grant_copy(v, segs, r->nr_segments);
}

static bool full_io(int fd, bool write, uint8_t *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return false;
		}
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return true;
}

/* Give the sectors back to the backing store: a hole in a file, a discard
 * on a device.  Reads of discarded sectors return zeros on files and
 * whatever the device returns on devices (discard-zeroes-data is not
 * offered). */
static int16_t discard(struct vbd *v, off_t off, off_t len)
{
	if (v->is_blkdev) {
		uint64_t range[2] = {(uint64_t)off, (uint64_t)len};

		if (ioctl(v->fd, BLKDISCARD, range) == 0)
			return BLKIF_RSP_OKAY;
	} else if (fallocate(v->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) == 0) {
		return BLKIF_RSP_OKAY;
	}
	return errno == EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR;
}

/* With a 4096-byte logical sector in 512-byte units (a frontend without
 * feature-large-sector-size), every transfer must cover whole sectors. */
static bool aligned(const struct vbd *v, const struct blkb_request *r)
{
	const uint64_t per = v->logical_sector / v->lim.sector_size;

	return r->sector_number % per == 0 && r->nr_sectors % per == 0;
}

/* Perform a validated request; the response status. */
static int16_t perform(struct vbd *v)
{
	const struct blkb_request *r = v->req;
	size_t bytes = (size_t)r->nr_sectors * v->lim.sector_size;
	off_t off = (off_t)(r->sector_number * v->lim.sector_size);

	if (!aligned(v, r))
		return BLKIF_RSP_ERROR;
	switch (r->op) {
	case BLKIF_OP_READ:
		if (!full_io(v->fd, false, v->buf, bytes, off) || !copy_segments(v, true))
			return BLKIF_RSP_ERROR;
		return BLKIF_RSP_OKAY;
	case BLKIF_OP_WRITE:
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (r->nr_segments &&
		    (!copy_segments(v, false) || !full_io(v->fd, true, v->buf, bytes, off)))
			return BLKIF_RSP_ERROR;
		if (r->op == BLKIF_OP_FLUSH_DISKCACHE && fdatasync(v->fd) != 0)
			return BLKIF_RSP_ERROR;
		return BLKIF_RSP_OKAY;
	case BLKIF_OP_DISCARD:
		return discard(v, off, (off_t)bytes);
	default:
		return BLKIF_RSP_EOPNOTSUPP;
	}
}

static void unmap_queue(struct vbd *v, struct vbd_queue *q)
{
	if (q->evtchn) {
		xenevtchn_unbind(q->evtchn, q->port);
		xenevtchn_close(q->evtchn);
	}
	if (q->ring_area)
		xengnttab_unmap(v->ctx->gt, q->ring_area, 1u << q->order);
	*q = (struct vbd_queue){0};
}

static void disconnect(struct vbd *v)
{
	for (unsigned int q = 0; q < BLKB_MAX_QUEUES; q++)
		unmap_queue(v, &v->queue[q]);
	v->nr_queues = 0;
}

/* Close the vbd toward the frontend, saying why in xacm-error. */
static void shut(struct vbd *v, const char *why)
{
	if (why) {
		xacm_warn("vbd %u/%u: %s", v->fe, v->devid, why);
		write_node(v, "xacm-error", "%s", why);
	}
	disconnect(v);
	set_state(v, XenbusStateClosing);
	set_state(v, XenbusStateClosed);
}

/* Map one queue's ring and bind its event channel; dir holds its ring-ref*
 * and event-channel nodes (the frontend's directory, or its queue-N). */
static int map_queue(struct vbd *v, struct vbd_queue *q, const char *dir, unsigned int order)
{
	uint32_t refs[1u << BLKB_RING_MAX_PAGE_ORDER];
	uint64_t port, ref;
	int rc;

	for (unsigned int i = 0; i < 1u << order; i++) {
		char node[16];

		snprintf(node, sizeof(node), order ? "ring-ref%u" : "ring-ref", i);
		if (read_uint(v, dir, node, UINT32_MAX, &ref))
			return -EINVAL;
		refs[i] = (uint32_t)ref;
	}
	if (read_uint(v, dir, "event-channel", UINT32_MAX, &port))
		return -EINVAL;
	q->order = order;
	v->stats.ring_maps++;
	q->ring_area = xengnttab_map_domain_grant_refs(v->ctx->gt, 1u << order, v->fe, refs,
						       PROT_READ | PROT_WRITE);
	if (q->ring_area == NULL)
		return -errno;
	q->evtchn = xenevtchn_open(NULL, 0);
	rc = q->evtchn ? xenevtchn_bind_interdomain(q->evtchn, v->fe, (evtchn_port_t)port) : -1;
	if (rc < 0)
		return -EIO;
	q->port = (evtchn_port_t)rc;
	/* A fresh ring has rsp_prod 0; after a daemon restart, requests past the
	 * published rsp_prod are the unanswered ones (see the top). */
	return blkb_ring_attach_at(
		&q->ring, q->ring_area, order, v->ctx->max_ring_order,
		__atomic_load_n(&((blkif_sring_t *)q->ring_area)->rsp_prod, __ATOMIC_RELAXED));
}

static int connect(struct vbd *v)
{
	uint64_t order = 0, large = 0, nq = 1;
	unsigned int len;
	char *proto;
	int rc;

	if (read_uint(v, v->fe_path, "ring-page-order", v->ctx->max_ring_order, &order) ==
		    -ERANGE ||
	    read_uint(v, v->fe_path, "multi-queue-num-queues", v->ctx->max_queues, &nq) ==
		    -ERANGE ||
	    nq == 0)
		return -EINVAL;
	proto = read_node(v, v->fe_path, "protocol", &len);
	rc = blkb_ring_protocol_check(proto, proto ? len : 0);
	free(proto);
	if (rc)
		return rc;
	/* blkif.h: sector quantities are in sector-size units only if the
	 * frontend says so; Linux's blkfront keeps 512-byte units. */
	if (read_uint(v, v->fe_path, "feature-large-sector-size", 1, &large) == -ERANGE)
		return -EINVAL;
	v->lim.sector_size = large ? v->logical_sector : SECTOR;
	v->lim.nr_sectors = v->bytes / v->lim.sector_size;
	/* "sectors" in the same unit (Linux blkback does so for 512-unit fronts) */
	if (!write_node(v, "sectors", "%llu", (unsigned long long)v->lim.nr_sectors))
		return -EIO;
	/* one queue: its nodes in the frontend's directory; more: queue-N/ */
	for (unsigned int q = 0; q < nq; q++) {
		char dir[XACM_XS_PATH_MAX];

		if (nq > 1 ? xacm_xs_path(dir, "%s/queue-%u", v->fe_path, q)
			   : xacm_xs_path(dir, "%s", v->fe_path))
			rc = -ENAMETOOLONG;
		else
			rc = map_queue(v, &v->queue[q], dir, (unsigned int)order);
		if (rc) {
			disconnect(v);
			return rc;
		}
	}
	v->nr_queues = (unsigned int)nq;
	xacm_info("vbd %u/%u: connected, %u queue(s) of %u ring page(s), queue 0 starting at %u",
		  v->fe, v->devid, v->nr_queues, 1u << order, v->queue[0].ring.req_cons);
	return 0;
}

/* The counters, for benchmarks: in the backend node xacm-stats, at most
 * once a second.  Ring maps happen at connect only; no grant is mapped per
 * I/O (data moves by grant copy). */
static void publish_stats(struct vbd *v)
{
	time_t now = time(NULL);

	if (now == v->stats.published)
		return;
	v->stats.published = now;
	write_node(
		v, "xacm-stats",
		"requests=%llu indirect=%llu errors=%llu grant-copy-calls=%llu "
		"grant-copy-segments=%llu grant-maps=%llu grant-maps-per-io=0 notifications=%llu",
		(unsigned long long)v->requests, (unsigned long long)v->stats.indirect,
		(unsigned long long)v->errors, (unsigned long long)v->stats.copy_calls,
		(unsigned long long)v->stats.copy_segs, (unsigned long long)v->stats.ring_maps,
		(unsigned long long)v->stats.notifies);
}

void vbd_kick(struct vbd *v, unsigned int qi)
{
	struct vbd_queue *q = &v->queue[qi];
	struct blkif_request copy;
	unsigned int budget = VBD_KICK_BUDGET;
	int rc = 0;

	if (qi >= v->nr_queues)
		return;
	rc = xenevtchn_pending(q->evtchn);
	if (rc >= 0)
		xenevtchn_unmask(q->evtchn, (evtchn_port_t)rc);
	q->more = false;
	do {
		/* a budget per kick, so that a busy ring cannot starve the
		 * others or XenStore: the main loop comes back while q->more */
		if (budget == 0) {
			q->more = true;
			break;
		}
		while (budget > 0 && (rc = blkb_ring_next_request(&q->ring, &copy)) == 1) {
			budget--;
			int prc = blkb_request_parse(&v->lim, &copy, fetch_indirect, v, v->req);
			int16_t status = prc ? blkb_request_status(prc) : perform(v);

			v->requests++;
			v->stats.indirect += v->req->indirect;
			v->errors += status != BLKIF_RSP_OKAY;
			if (blkb_ring_respond(&q->ring, v->req->id, v->req->rsp_operation, status))
				rc = -EPROTO;
			if (rc < 0)
				break;
		}
		if (rc < 0) {
			shut(v, "the frontend broke the ring protocol; disconnected");
			return;
		}
		if (blkb_ring_push_responses(&q->ring)) {
			xenevtchn_notify(q->evtchn, q->port);
			v->stats.notifies++;
		}
	} while (blkb_ring_final_check(&q->ring));
	publish_stats(v);
}

void vbd_step(struct vbd *v)
{
	uint64_t fe_state = XenbusStateUnknown;
	struct acm_decision d;
	bool allowed = !v->ctx->acdom_gate, denied = false;
	int rc = 0;

	if (read_uint(v, v->fe_path, "state", XS_VALUE_STATE_MAX, &fe_state))
		fe_state = XenbusStateUnknown;
	if (v->ctx->acdom_gate) {
		rc = acm_read_decision(v->ctx->xs, v->ctx->self, v->fe, v->devid, &d);
		allowed = rc == 0 && d.allow;
		denied = rc == 0 && !d.allow;
		if (rc == -EINVAL)
			denied = true; /* a malformed decision is a deny */
	}
	if (v->nr_queues) {
		if (!allowed) {
			shut(v,
			     denied ? "access revoked by acdom" : "acdom's decision disappeared");
		} else if (fe_state == XenbusStateClosing || fe_state == XenbusStateClosed ||
			   fe_state == XenbusStateUnknown) {
			shut(v, NULL);
		}
		return;
	}
	if (v->be_state == XenbusStateClosed &&
	    (fe_state == XenbusStateInitialising || fe_state == XenbusStateInitWait) && !denied) {
		set_state(v, XenbusStateInitWait); /* the frontend restarted */
		return;
	}
	if (v->be_state != XenbusStateInitWait)
		return;
	/* A denied vbd stays in InitWait (the toolstack waits for that state)
	 * until its frontend tries to connect; then it is closed. */
	if (denied && fe_state != XenbusStateInitialised && fe_state != XenbusStateConnected) {
		write_node(v, "xacm-error", "access denied by acdom: %s", rc == 0 ? d.reason : "?");
		return;
	}
	if (denied) {
		char why[128];

		if (rc == 0)
			snprintf(why, sizeof(why), "access denied by acdom: %s (policy %s)",
				 d.reason, d.policy);
		else
			snprintf(why, sizeof(why), "malformed acdom decision: treated as a deny");
		shut(v, why);
		return;
	}
	if (allowed && (fe_state == XenbusStateInitialised || fe_state == XenbusStateConnected)) {
		rc = connect(v);
		if (rc) {
			shut(v, "cannot connect: bad ring-ref, event-channel or protocol");
			return;
		}
		set_state(v, XenbusStateConnected);
		/* Serve requests queued before we connected, then notify once
		 * anyway: a daemon killed after publishing responses but before
		 * its notification would otherwise leave the frontend waiting
		 * forever for an event about responses already in its ring. */
		for (unsigned int q = 0; q < v->nr_queues; q++) {
			vbd_kick(v, q);
			if (q < v->nr_queues)
				xenevtchn_notify(v->queue[q].evtchn, v->queue[q].port);
		}
	}
}

struct vbd *vbd_open(struct blkb_ctx *ctx, uint32_t fe, uint32_t devid)
{
	struct vbd *v = calloc(1, sizeof(*v));
	char prefix[64], *params = NULL, *fe_path = NULL, *mode = NULL;
	unsigned int len;
	struct stat st;
	uint64_t bytes;

	if (v == NULL)
		return NULL;
	v->ctx = ctx;
	v->fe = fe;
	v->devid = devid;
	v->fd = -1;
	v->be_state = -1;
	snprintf(v->be_path, sizeof(v->be_path), "/local/domain/%u/backend/vbd/%u/%u", ctx->self,
		 fe, devid);
	/* the frontend must live in the frontend domain's own tree */
	fe_path = read_node(v, v->be_path, "frontend", &len);
	snprintf(prefix, sizeof(prefix), "/local/domain/%u/", fe);
	if (fe_path == NULL || len >= sizeof(v->fe_path) ||
	    strncmp(fe_path, prefix, strlen(prefix)) || strstr(fe_path, "..") ||
	    memchr(fe_path, '\0', len))
		goto fail;
	memcpy(v->fe_path, fe_path, len + 1);
	params = read_node(v, v->be_path, "params", &len);
	mode = read_node(v, v->be_path, "mode", &len);
	if (params == NULL || params[0] != '/')
		goto fail;
	v->lim.readonly = mode && !strcmp(mode, "r");
	v->fd = open(params, (v->lim.readonly ? O_RDONLY : O_RDWR) | O_DIRECT | O_CLOEXEC);
	if (v->fd < 0 && errno == EINVAL) /* tmpfs and friends have no O_DIRECT */
		v->fd = open(params, (v->lim.readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (v->fd < 0 || fstat(v->fd, &st) != 0) {
		xacm_err("vbd %u/%u: cannot open %s: %s", fe, devid, params, strerror(errno));
		goto fail;
	}
	v->is_blkdev = S_ISBLK(st.st_mode);
	if (v->is_blkdev) {
		if (ioctl(v->fd, BLKGETSIZE64, &bytes) != 0)
			goto fail;
	} else {
		bytes = (uint64_t)st.st_size;
	}
	v->logical_sector = ctx->sector_size;
	v->bytes = bytes - bytes % v->logical_sector; /* whole logical sectors */
	v->lim.sector_size = SECTOR;                  /* until the frontend says otherwise */
	v->lim.nr_sectors = v->bytes / SECTOR;
	v->lim.max_indirect_segments = ctx->max_indirect_segments;
	v->lim.flush = true;
	v->lim.discard = ctx->discard && !v->lim.readonly;
	if (blkb_limits_check(&v->lim) ||
	    posix_memalign((void **)&v->buf, 4096,
			   (size_t)BLKB_PAGE_SIZE * (ctx->max_indirect_segments > DIRECT_SEGMENTS
							     ? ctx->max_indirect_segments
							     : DIRECT_SEGMENTS)) ||
	    (v->req = malloc(sizeof(*v->req))) == NULL)
		goto fail;
	if (!write_node(v, "feature-flush-cache", "1") ||
	    !write_node(v, "feature-max-indirect-segments", "%u", ctx->max_indirect_segments) ||
	    !write_node(v, "max-ring-page-order", "%u", ctx->max_ring_order) ||
	    !write_node(v, "multi-queue-max-queues", "%u", ctx->max_queues) ||
	    !write_node(v, "sectors", "%llu", (unsigned long long)(v->bytes / SECTOR)) ||
	    !write_node(v, "sector-size", "%u", v->logical_sector) ||
	    !write_node(v, "physical-sector-size", "%u", v->logical_sector) ||
	    !write_node(v, "feature-discard", "%u", v->lim.discard ? 1u : 0u) ||
	    (v->lim.discard &&
	     (!write_node(v, "discard-granularity", "%u", v->logical_sector) ||
	      !write_node(v, "discard-alignment", "0") || !write_node(v, "discard-secure", "0"))) ||
	    !write_node(v, "info", "%u", v->lim.readonly ? 4u /* VDISK_READONLY */ : 0u) ||
	    !write_node(v, "hotplug-status", "connected"))
		goto fail;
	xacm_info("vbd %u/%u: serving %s (%llu bytes, %u-byte sectors%s%s)", fe, devid, params,
		  (unsigned long long)v->bytes, v->logical_sector,
		  v->lim.readonly ? ", read-only" : "", v->lim.discard ? ", discard" : "");
	free(params);
	free(fe_path);
	free(mode);
	set_state(v, XenbusStateInitWait);
	return v;
fail:
	xacm_err("vbd %u/%u: cannot serve it (bad frontend, params or mode)", fe, devid);
	free(params);
	free(fe_path);
	free(mode);
	vbd_close(v, true);
	return NULL;
}

void vbd_close(struct vbd *v, bool gone)
{
	if (v == NULL)
		return;
	if (!gone)
		shut(v, NULL);
	disconnect(v);
	if (v->fd >= 0)
		close(v->fd);
	free(v->buf);
	free(v->req);
	free(v);
}
