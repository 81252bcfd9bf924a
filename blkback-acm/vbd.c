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
 * The data path is in vbd_io.c.
 *
 * Restart: a connection survives the daemon.  A new daemon finds the
 * frontend Connected, maps the same rings and takes each up from its shadow
 * file (ring_shadow.h): the requests the old daemon consumed and did not
 * answer in a published response run again (reads and writes are
 * idempotent), and nothing acknowledged is lost, since a write is answered
 * only after the backing store completed it (and, for a flush, fdatasync). */
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

bool vbd_write_node(struct vbd *v, const char *node, const char *fmt, ...)
{
	/* the longest value is xacm-stats: at most 500 bytes (every counter at its maximum) */
	char path[XACM_XS_PATH_MAX], value[512];
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
	if (!vbd_write_node(v, "state", "%d", state))
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

static void unmap_queue(struct vbd *v, struct vbd_queue *q)
{
	/* the shadow goes with the connection: a reconnect starts afresh */
	if (q->shadow_area) {
		munmap(q->shadow_area, q->shadow_len);
		unlink(q->shadow_path);
	}
	if (q->evtchn) {
		if (q->bound) /* never a port this handle did not bind */
			xenevtchn_unbind(q->evtchn, q->port);
		xenevtchn_close(q->evtchn);
	}
	if (q->ring_area)
		xengnttab_unmap(v->ctx->gt, q->ring_area, 1u << q->order);
	*q = (struct vbd_queue){0};
}

static void disconnect(struct vbd *v)
{
	vbd_io_drain(v); /* the kernel may still write into buffers */
	for (unsigned int q = 0; q < BLKB_MAX_QUEUES; q++)
		unmap_queue(v, &v->queue[q]);
	v->nr_queues = 0;
}

/* Close the vbd toward the frontend, saying why in xacm-error. */
void vbd_shut(struct vbd *v, const char *why)
{
	if (why) {
		xacm_warn("vbd %u/%u: %s", v->fe, v->devid, why);
		vbd_write_node(v, "xacm-error", "%s", why);
	}
	disconnect(v);
	set_state(v, XenbusStateClosing);
	set_state(v, XenbusStateClosed);
}

/* Map queue q's shadow file and take the ring up from it. */
static int take_up(struct vbd *v, unsigned int qi, const struct shadow_id *id)
{
	struct vbd_queue *q = &v->queue[qi];
	bool created;
	int fd, rc;

	if (snprintf(q->shadow_path, sizeof(q->shadow_path), "%s/" VBD_SHADOW_NAME,
		     v->ctx->state_dir, v->fe, v->devid, qi) >= (int)sizeof(q->shadow_path))
		return -ENAMETOOLONG;
	q->shadow_len = shadow_size(q->ring.nr_ents);
	/* created here (O_EXCL), or the old daemon's, kept for its content */
	fd = open(q->shadow_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(q->shadow_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || ftruncate(fd, (off_t)q->shadow_len) != 0 ||
	    (q->shadow_area = mmap(NULL, q->shadow_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
				   0)) == MAP_FAILED) {
		rc = -errno;
		xacm_err("vbd %u/%u: shadow file %s: %s (is --state-dir writable, with room?)",
			 v->fe, v->devid, q->shadow_path, strerror(errno));
		/* a file this call created and could not size or map is
		 * nobody's shadow: leave nothing behind */
		if (created)
			unlink(q->shadow_path);
		if (fd >= 0)
			close(fd);
		q->shadow_area = NULL;
		return rc;
	}
	close(fd);
	rc = shadow_resume(&q->shadow, q->shadow_area, id, &q->ring);
	if (rc == 1)
		xacm_info("vbd %u/%u: queue %u taken up at %u; %u unanswered request(s) run again",
			  v->fe, v->devid, qi, q->ring.rsp_prod_pvt, q->shadow.nr_redo);
	else if (rc < 0)
		xacm_err("vbd %u/%u: queue %u: the shadow contradicts the ring", v->fe, v->devid,
			 qi);
	return rc < 0 ? rc : 0;
}

/* Map one queue's ring and bind its event channel; dir holds its ring-ref*
 * and event-channel nodes (the frontend's directory, or its queue-N). */
static int map_queue(struct vbd *v, unsigned int qi, const char *dir, unsigned int order)
{
	struct vbd_queue *q = &v->queue[qi];
	struct shadow_id id = {.fe = v->fe, .devid = v->devid, .queue = qi, .order = order};
	uint32_t *refs = id.ring_ref;
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
		return -EIO; /* q->bound stays false: unmap_queue unbinds nothing */
	q->port = (evtchn_port_t)rc;
	q->bound = true;
	id.port = (uint32_t)port;
	rc = blkb_ring_attach(&q->ring, q->ring_area, order, v->ctx->max_ring_order);
	return rc ? rc : take_up(v, qi, &id);
}

/* A number the frontend wrote for connecting: *out keeps its default when
 * the node is missing; present, it must be canonical (xs_value.h) and in
 * min..max, else -EINVAL with why saying so (never a silent 0 or 1). */
static int read_fe_uint(struct vbd *v, const char *node, uint64_t min, uint64_t max, uint64_t *out,
			char *why, size_t why_len)
{
	int rc = read_uint(v, v->fe_path, node, max, out);

	if (rc == -ENOENT || (rc == 0 && *out >= min))
		return 0;
	snprintf(why, why_len, "cannot connect: the frontend's %s is %s (wants %llu..%llu)", node,
		 rc == -ERANGE || rc == 0 ? "out of range" : "malformed", (unsigned long long)min,
		 (unsigned long long)max);
	return -EINVAL;
}

static int connect_rings(struct vbd *v, char *why, size_t why_len)
{
	uint64_t order = 0, large = 0, nq = 1, persistent = 0;
	unsigned int len;
	char *proto;
	int rc;

	snprintf(why, why_len,
		 "cannot connect: bad ring-ref, event-channel or protocol, "
		 "or a restart shadow that contradicts the ring");
	/* blkif.h: sector quantities are in sector-size units only if the
	 * frontend says so (feature-large-sector-size); Linux's blkfront
	 * keeps 512-byte units. */
	if (read_fe_uint(v, "ring-page-order", 0, v->ctx->max_ring_order, &order, why, why_len) ||
	    read_fe_uint(v, "multi-queue-num-queues", 1, v->ctx->max_queues, &nq, why, why_len) ||
	    read_fe_uint(v, "feature-large-sector-size", 0, 1, &large, why, why_len) ||
	    read_fe_uint(v, "feature-persistent", 0, 1, &persistent, why, why_len))
		return -EINVAL;
	proto = read_node(v, v->fe_path, "protocol", &len);
	rc = blkb_ring_protocol_check(proto, proto ? len : 0);
	free(proto);
	if (rc)
		return rc;
	/* the frontend keeps its grants: map them once (if we offered it) */
	v->persistent = persistent && v->ctx->persistent;
	v->lim.sector_size = large ? v->logical_sector : SECTOR;
	v->lim.nr_sectors = v->bytes / v->lim.sector_size;
	/* "sectors" in the same unit (Linux blkback does so for 512-unit fronts) */
	if (!vbd_write_node(v, "sectors", "%llu", (unsigned long long)v->lim.nr_sectors))
		return -EIO;
	/* one queue: its nodes in the frontend's directory; more: queue-N/ */
	for (unsigned int q = 0; q < nq; q++) {
		char dir[XACM_XS_PATH_MAX];

		if (nq > 1 ? xacm_xs_path(dir, "%s/queue-%u", v->fe_path, q)
			   : xacm_xs_path(dir, "%s", v->fe_path))
			rc = -ENAMETOOLONG;
		else
			rc = map_queue(v, q, dir, (unsigned int)order);
		if (rc) {
			disconnect(v);
			return rc;
		}
	}
	v->nr_queues = (unsigned int)nq;
	xacm_info("vbd %u/%u: connected, %u queue(s) of %u ring page(s)", v->fe, v->devid,
		  v->nr_queues, 1u << order);
	return 0;
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
		/* an allow made for another resource (a devid reused) is none */
		allowed = rc == 0 && d.allow && !strcmp(d.rid, v->rid);
		denied = rc == 0 && !d.allow;
		if (rc == -EINVAL)
			denied = true; /* a malformed decision is a deny */
	}
	if (v->nr_queues) {
		if (!allowed && denied)
			vbd_shut(v, "access revoked by acdom");
		else if (!allowed)
			vbd_shut(v, rc == 0 ? "acdom's allow names another resource"
					    : "acdom's decision disappeared");
		else if (fe_state == XenbusStateClosing || fe_state == XenbusStateClosed ||
			 fe_state == XenbusStateUnknown)
			vbd_shut(v, NULL);
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
		vbd_write_node(v, "xacm-error", "access denied by acdom: %s",
			       rc == 0 ? d.reason : "?");
		return;
	}
	if (denied) {
		char why[128];

		if (rc == 0)
			snprintf(why, sizeof(why), "access denied by acdom: %s (policy %s)",
				 d.reason, d.policy);
		else
			snprintf(why, sizeof(why), "malformed acdom decision: treated as a deny");
		vbd_shut(v, why);
		return;
	}
	if (allowed && (fe_state == XenbusStateInitialised || fe_state == XenbusStateConnected)) {
		char why[160];

		rc = connect_rings(v, why, sizeof(why));
		if (rc) {
			vbd_shut(v, why);
			return;
		}
		set_state(v, XenbusStateConnected);
		/* Serve requests queued before we connected, then notify once
		 * anyway: a daemon killed after publishing responses but before
		 * its notification would otherwise leave the frontend waiting
		 * forever for an event about responses already in its ring.
		 * (vbd_kick, not vbd_event: no event need be pending.) */
		for (unsigned int q = 0; q < v->nr_queues; q++) {
			vbd_kick(v, q);
			if (q < v->nr_queues)
				xenevtchn_notify(v->queue[q].evtchn, v->queue[q].port);
		}
	}
}

/* ctx->open_store's default: params is a file or block device. */
static int open_file(struct vbd *v, const char *params, uint64_t *bytes)
{
	struct stat st;

	if (params[0] != '/')
		return -EINVAL;
	v->fd = open(params, (v->lim.readonly ? O_RDONLY : O_RDWR) | O_DIRECT | O_CLOEXEC);
	if (v->fd < 0 && errno == EINVAL) /* tmpfs and friends have no O_DIRECT */
		v->fd = open(params, (v->lim.readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (v->fd < 0 || fstat(v->fd, &st) != 0) {
		xacm_err("vbd %u/%u: cannot open %s: %s", v->fe, v->devid, params, strerror(errno));
		return -errno;
	}
	v->is_blkdev = S_ISBLK(st.st_mode);
	if (v->is_blkdev)
		return ioctl(v->fd, BLKGETSIZE64, bytes) == 0 ? 0 : -errno;
	*bytes = (uint64_t)st.st_size;
	return 0;
}

struct vbd *vbd_open(struct blkb_ctx *ctx, uint32_t fe, uint32_t devid)
{
	struct vbd *v = calloc(1, sizeof(*v));
	char prefix[64], *params = NULL, *fe_path = NULL, *mode = NULL;
	unsigned int len;
	uint64_t bytes = 0;
	int rc = -EINVAL;

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
	if (params == NULL)
		goto fail;
	v->lim.readonly = mode && !strcmp(mode, "r");
	strcpy(v->rid, "-"); /* matches no allow */
	if (ctx->open_store)
		rc = ctx->open_store(v, params, &bytes);
	else if ((rc = open_file(v, params, &bytes)) == 0 && acm_rid_of_path(params, v->rid))
		strcpy(v->rid, "-");
	if (rc != 0)
		goto fail;
	v->logical_sector = ctx->sector_size;
	v->bytes = bytes - bytes % v->logical_sector; /* whole logical sectors */
	v->lim.sector_size = SECTOR;                  /* until the frontend says otherwise */
	v->lim.nr_sectors = v->bytes / SECTOR;
	v->lim.max_indirect_segments = ctx->max_indirect_segments;
	v->lim.flush = true;
	v->lim.discard = ctx->discard && !v->lim.readonly;
	if (blkb_limits_check(&v->lim) || vbd_io_init(v) != 0)
		goto fail;
	if (!vbd_write_node(v, "feature-flush-cache", "1") ||
	    !vbd_write_node(v, "feature-persistent", "%u", ctx->persistent ? 1u : 0u) ||
	    (ctx->persistent && !vbd_write_node(v, ACM_XS_VBD_PERSISTENT_RO, "1")) ||
	    !vbd_write_node(v, "feature-max-indirect-segments", "%u", ctx->max_indirect_segments) ||
	    !vbd_write_node(v, "max-ring-page-order", "%u", ctx->max_ring_order) ||
	    !vbd_write_node(v, "multi-queue-max-queues", "%u", ctx->max_queues) ||
	    !vbd_write_node(v, "sectors", "%llu", (unsigned long long)(v->bytes / SECTOR)) ||
	    !vbd_write_node(v, "sector-size", "%u", v->logical_sector) ||
	    !vbd_write_node(v, "physical-sector-size", "%u", v->logical_sector) ||
	    !vbd_write_node(v, "feature-discard", "%u", v->lim.discard ? 1u : 0u) ||
	    (v->lim.discard &&
	     (!vbd_write_node(v, "discard-granularity", "%u", v->logical_sector) ||
	      !vbd_write_node(v, "discard-alignment", "0") ||
	      !vbd_write_node(v, "discard-secure", "0"))) ||
	    !vbd_write_node(v, "info", "%u", v->lim.readonly ? 4u /* VDISK_READONLY */ : 0u) ||
	    !vbd_write_node(v, "hotplug-status", "connected"))
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
	if (rc <= 0) /* > 0: another daemon's vbd */
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
		vbd_shut(v, NULL);
	disconnect(v);
	vbd_io_fini(v);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
}
