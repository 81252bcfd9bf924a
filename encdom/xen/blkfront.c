/* blkfront.c - the xenbus handshake (frontend side of xen/io/blkif.h), the
 * shared pages and the request path.  The ring itself is blkfront_ring.c.
 *
 * Handshake: backend InitWait -> read max-ring-page-order -> share the ring,
 * bind an unbound event channel, write ring-ref*, ring-page-order,
 * event-channel, protocol -> Initialised -> backend Connected -> read
 * sectors, info, sector-size, feature-* -> share the data pool -> Connected.
 * A backend left Connected by an earlier frontend is taken over first
 * (Closing, Closed, Initialising), as blkback expects of a restarted frontend.
 *
 * Invariants: slot s owns data pages [s * max_segments, (s + 1) * max_segments)
 * and indirect pages [s * nr_ind, (s + 1) * nr_ind), granted once at connect;
 * a slot is FREE -> TAKEN (blkfront_get) -> BUSY (submit) -> DONE (its one
 * valid response) -> FREE (blkfront_put); request id == slot. */
#include "blkfront.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>

#include "acm_protocol.h"
#include "blkfront_ring.h"
#include "xacm_log.h"
#include "xs_util.h"
#include "xs_value.h"

#define PAGE 4096u
#define SEGS_PER_PAGE (PAGE / sizeof(struct blkif_request_segment))
#define MAX_SEGMENTS (BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * SEGS_PER_PAGE)
#define STATE(s) (1u << (s))

enum slot_state { SLOT_FREE, SLOT_TAKEN, SLOT_BUSY, SLOT_DONE };

struct blkfront {
	struct blkfront_info info;
	struct xs_handle *xs;
	xengntshr_handle *shr;
	xenevtchn_handle *evt;
	evtchn_port_t port;
	uint16_t handle; /* the devid, as Linux's blkfront puts it in requests */
	bool gone;       /* the backend left Connected */
	unsigned int nr_ind;
	char fe[XACM_XS_PATH_MAX], be[XACM_XS_PATH_MAX], be_state[XACM_XS_PATH_MAX];
	uint8_t *ring_area, *data, *ind; /* shared with the backend */
	uint32_t ring_refs[1u << BFR_MAX_ORDER], *data_refs, *ind_refs;
	uint8_t slot[BFR_MAX_SLOTS];
	struct bfr_ring ring;
};

static bool write_fe(struct blkfront *bf, const char *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool write_fe(struct blkfront *bf, const char *node, const char *fmt, ...)
{
	char path[XACM_XS_PATH_MAX], value[32];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return n > 0 && (size_t)n < sizeof(value) && !xacm_xs_path(path, "%s/%s", bf->fe, node) &&
	       xs_write(bf->xs, XBT_NULL, path, value, (unsigned int)n);
}

/* A backend node as a number <= max; an absent optional node leaves *out.
 * The backend is hostile: anything else is a refusal, logged. */
static int read_be(struct blkfront *bf, const char *node, uint64_t max, bool required,
		   uint64_t *out)
{
	char path[XACM_XS_PATH_MAX];
	int rc = xacm_xs_path(path, "%s/%s", bf->be, node);

	if (!rc)
		rc = xacm_xs_read_uint(bf->xs, XBT_NULL, path, max, out);
	if (rc == -ENOENT && !required)
		return 0;
	if (rc)
		xacm_err("blkfront %s: backend node %s: %s", bf->fe, node,
			 rc == -ENOENT ? "missing" : "malformed or out of range");
	return rc ? -EINVAL : 0;
}

/* The backend's state, or -1 if absent or malformed (treated as gone). */
static int backend_state(struct blkfront *bf)
{
	uint64_t st;

	return xacm_xs_read_uint(bf->xs, XBT_NULL, bf->be_state, XS_VALUE_STATE_MAX, &st) ? -1
											  : (int)st;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drain_watch(struct blkfront *bf)
{
	char **ev;

	while ((ev = xs_check_watch(bf->xs)) != NULL)
		free(ev);
}

/* Wait (bounded) until the backend's state is in want: the state, or
 * -ENOTCONN as soon as it is in stop, or -ETIMEDOUT.  An absent or
 * malformed state node counts as Closed (the backend is gone). */
static int wait_backend(struct blkfront *bf, unsigned int want, unsigned int stop,
			unsigned int timeout_ms)
{
	long long end = now_ms() + timeout_ms;

	for (;;) {
		int st = backend_state(bf);
		long long left = end - now_ms();
		struct pollfd p = {.fd = xs_fileno(bf->xs), .events = POLLIN};

		if (st < 0)
			st = XenbusStateClosed;
		if (want & STATE(st))
			return st;
		if (stop & STATE(st)) {
			xacm_err("blkfront %s: the backend closed (state %d)", bf->fe, st);
			return -ENOTCONN;
		}
		if (left <= 0) {
			xacm_err("blkfront %s: the backend stays in state %d", bf->fe, st);
			return -ETIMEDOUT;
		}
		if (poll(&p, 1, (int)left) > 0)
			drain_watch(bf);
	}
}

/* Parse fe_dir's backend-id and backend; the backend must be a vbd backend
 * for this frontend in the backend domain's own tree. */
static int find_backend(struct blkfront *bf, const char *fe_dir)
{
	const char *last = strrchr(fe_dir, '/');
	char path[XACM_XS_PATH_MAX], prefix[64], *be;
	uint64_t v, devid;
	unsigned int len;

	if (last == NULL || strlen(fe_dir) >= sizeof(bf->fe) ||
	    xs_value_parse_uint(last + 1, strlen(last + 1), UINT32_MAX, &devid))
		return -EINVAL;
	strcpy(bf->fe, fe_dir);
	bf->handle = (uint16_t)devid;
	if (xacm_xs_path(path, "%s/backend-id", fe_dir) ||
	    xacm_xs_read_uint(bf->xs, XBT_NULL, path, XS_VALUE_DOMID_MAX, &v) ||
	    xacm_xs_path(path, "%s/backend", fe_dir))
		return -EINVAL;
	bf->info.backend_id = (uint32_t)v;
	snprintf(prefix, sizeof(prefix), "/local/domain/%u/backend/vbd/", bf->info.backend_id);
	be = xs_read(bf->xs, XBT_NULL, path, &len);
	if (be == NULL || len >= sizeof(bf->be) || memchr(be, '\0', len) ||
	    strncmp(be, prefix, strlen(prefix)) || strstr(be, "..")) {
		free(be);
		return -EINVAL;
	}
	memcpy(bf->be, be, len + 1);
	free(be);
	return xacm_xs_path(bf->be_state, "%s/state", bf->be) ? -EINVAL : 0;
}

/* Take over a vbd an earlier frontend left connected, then Initialising. */
static int reset_frontend(struct blkfront *bf, unsigned int timeout_ms)
{
	const unsigned int closed = STATE(XenbusStateClosing) | STATE(XenbusStateClosed);
	int st = backend_state(bf);

	if (st >= XenbusStateInitialised && st != XenbusStateClosed &&
	    (!write_fe(bf, "state", "%d", XenbusStateClosing) ||
	     (st = wait_backend(bf, closed, 0, timeout_ms)) < 0))
		return st < 0 ? st : -EIO;
	if (st >= XenbusStateClosing &&
	    (!write_fe(bf, "state", "%d", XenbusStateClosed) ||
	     (st = wait_backend(bf, STATE(XenbusStateClosed), 0, timeout_ms)) < 0))
		return st < 0 ? st : -EIO;
	return write_fe(bf, "state", "%d", XenbusStateInitialising) ? 0 : -EIO;
}

/* Ring, event channel and the nodes that name them (before Initialised). */
static int connect_ring(struct blkfront *bf, unsigned int order)
{
	char node[16];
	int port;

	bf->ring_area =
		xengntshr_share_pages(bf->shr, bf->info.backend_id, 1 << order, bf->ring_refs, 1);
	if (bf->ring_area == NULL || bfr_init(&bf->ring, bf->ring_area, order, bf->info.slots))
		return -ENOMEM;
	port = xenevtchn_bind_unbound_port(bf->evt, bf->info.backend_id);
	if (port < 0)
		return -errno;
	bf->port = (evtchn_port_t)port;
	for (unsigned int i = 0; i < 1u << order; i++) {
		snprintf(node, sizeof(node), order ? "ring-ref%u" : "ring-ref", i);
		if (!write_fe(bf, node, "%u", bf->ring_refs[i]))
			return -EIO;
	}
	if ((order && !write_fe(bf, "ring-page-order", "%u", order)) ||
	    !write_fe(bf, "event-channel", "%u", bf->port) ||
	    !write_fe(bf, "protocol", "%s", XEN_IO_PROTO_ABI_X86_64) ||
	    (bf->info.persistent && !write_fe(bf, "feature-persistent", "1")))
		return -EIO;
	return 0;
}

/* The backend's Connected-time nodes: validated, then the negotiation. */
static int read_features(struct blkfront *bf, const struct blkfront_config *cfg)
{
	uint64_t sectors, info, ssize, flush = 0, barrier = 0, ind = 0;
	struct blkfront_info *i = &bf->info;

	if (read_be(bf, "sectors", UINT64_MAX / 512, true, &sectors) ||
	    read_be(bf, "info", UINT32_MAX, true, &info) ||
	    read_be(bf, "sector-size", 4096, true, &ssize) ||
	    read_be(bf, "feature-flush-cache", 1, false, &flush) ||
	    read_be(bf, "feature-barrier", 1, false, &barrier) ||
	    read_be(bf, "feature-max-indirect-segments", UINT32_MAX, false, &ind))
		return -EINVAL;
	if (ssize < 512 || (ssize & (ssize - 1)) || sectors == 0) {
		xacm_err("blkfront %s: backend sector-size %llu or sectors %llu refused", bf->fe,
			 (unsigned long long)ssize, (unsigned long long)sectors);
		return -EINVAL;
	}
	i->sectors = sectors;
	i->sector_size = (uint32_t)ssize;
	i->vdisk_info = (uint32_t)info;
	i->readonly = info & VDISK_READONLY;
	i->flush = flush     ? BLKFRONT_FLUSH_DISKCACHE
		   : barrier ? BLKFRONT_FLUSH_BARRIER
			     : BLKFRONT_FLUSH_NONE;
	i->indirect = ind > BLKIF_MAX_SEGMENTS_PER_REQUEST ? (unsigned int)ind : 0;
	i->max_segments = cfg->max_segments;
	if (i->max_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		unsigned int cap = i->indirect < MAX_SEGMENTS ? i->indirect : MAX_SEGMENTS;

		if (i->max_segments > cap)
			i->max_segments = cap > BLKIF_MAX_SEGMENTS_PER_REQUEST
						  ? cap
						  : BLKIF_MAX_SEGMENTS_PER_REQUEST;
	}
	i->max_bytes = (size_t)i->max_segments * PAGE;
	if (i->max_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		bf->nr_ind = (i->max_segments + SEGS_PER_PAGE - 1) / SEGS_PER_PAGE;
	return 0;
}

/* The slots' data pages (writable: reads land there) and the indirect
 * pages, shared once for the whole connection (the backend maps them once
 * if feature-persistent is offered, else per request).  The indirect pages
 * are writable too, because Linux's blkback maps every persistent grant
 * writable; what a backend writes there harms no one, as they are only
 * ever written, never read back, here. */
static int share_pool(struct blkfront *bf)
{
	unsigned int nd = bf->info.slots * bf->info.max_segments, ni = bf->info.slots * bf->nr_ind;

	bf->data_refs = calloc(nd, sizeof(uint32_t));
	bf->ind_refs = calloc(ni ? ni : 1, sizeof(uint32_t));
	if (bf->data_refs == NULL || bf->ind_refs == NULL)
		return -ENOMEM;
	bf->data = xengntshr_share_pages(bf->shr, bf->info.backend_id, (int)nd, bf->data_refs, 1);
	if (bf->data == NULL)
		return -errno;
	if (ni)
		bf->ind = xengntshr_share_pages(bf->shr, bf->info.backend_id, (int)ni, bf->ind_refs,
						1);
	return ni && bf->ind == NULL ? -errno : 0;
}

static int handshake(struct blkfront *bf, const struct blkfront_config *cfg)
{
	const unsigned int stop = STATE(XenbusStateClosing) | STATE(XenbusStateClosed);
	uint64_t order = 0, ro = 0;
	int rc;

	/* a backend still Closed from an earlier connection needs time to see
	 * Initialising: only the timeout ends this wait */
	if ((rc = reset_frontend(bf, cfg->timeout_ms)) ||
	    (rc = wait_backend(bf, STATE(XenbusStateInitWait), 0, cfg->timeout_ms)) < 0 ||
	    (rc = read_be(bf, "max-ring-page-order", UINT32_MAX, false, &order)))
		return rc;
	if ((rc = read_be(bf, ACM_XS_VBD_PERSISTENT_RO, 1, false, &ro)))
		return rc;
	bf->info.persistent_ro = ro;
	bf->info.persistent = cfg->persistent || (cfg->write_pool && ro);
	bf->info.ring_order =
		order < cfg->max_ring_order ? (unsigned int)order : cfg->max_ring_order;
	bf->info.slots = cfg->slots < BFR_ENTRIES(bf->info.ring_order)
				 ? cfg->slots
				 : BFR_ENTRIES(bf->info.ring_order);
	if ((rc = connect_ring(bf, bf->info.ring_order)))
		return rc;
	if (!write_fe(bf, "state", "%d", XenbusStateInitialised))
		return -EIO;
	if ((rc = wait_backend(bf, STATE(XenbusStateConnected), stop, cfg->timeout_ms)) < 0 ||
	    (rc = read_features(bf, cfg)) || (rc = share_pool(bf)))
		return rc;
	return write_fe(bf, "state", "%d", XenbusStateConnected) ? 0 : -EIO;
}

struct blkfront *blkfront_open(const char *fe_dir, const struct blkfront_config *cfg)
{
	struct blkfront *bf;
	int rc = -EINVAL;

	if (cfg->max_ring_order > BFR_MAX_ORDER || cfg->slots == 0 || cfg->max_segments == 0 ||
	    (bf = calloc(1, sizeof(*bf))) == NULL) {
		errno = EINVAL;
		return NULL;
	}
	bf->xs = xs_open(0);
	bf->shr = xengntshr_open(NULL, 0);
	bf->evt = xenevtchn_open(NULL, 0);
	if (bf->xs == NULL || bf->shr == NULL || bf->evt == NULL)
		rc = -errno;
	else if (find_backend(bf, fe_dir))
		xacm_err("blkfront %s: no valid backend-id/backend nodes", fe_dir);
	else if (!xs_watch(bf->xs, bf->be_state, "be"))
		rc = -errno;
	else
		rc = handshake(bf, cfg);
	if (rc) {
		blkfront_close(bf);
		errno = -rc;
		return NULL;
	}
	return bf;
}

void blkfront_close(struct blkfront *bf)
{
	unsigned int nd, ni;

	if (bf == NULL)
		return;
	if (bf->xs && bf->be[0] && write_fe(bf, "state", "%d", XenbusStateClosing)) {
		wait_backend(bf, STATE(XenbusStateClosing) | STATE(XenbusStateClosed), 0, 5000);
		write_fe(bf, "state", "%d", XenbusStateClosed);
	}
	nd = bf->info.slots * bf->info.max_segments;
	ni = bf->info.slots * bf->nr_ind;
	if (bf->ring_area)
		xengntshr_unshare(bf->shr, bf->ring_area, 1u << bf->info.ring_order);
	if (bf->data)
		xengntshr_unshare(bf->shr, bf->data, nd);
	if (bf->ind)
		xengntshr_unshare(bf->shr, bf->ind, ni);
	xengntshr_close(bf->shr);
	xenevtchn_close(bf->evt);
	if (bf->xs)
		xs_close(bf->xs);
	free(bf->data_refs);
	free(bf->ind_refs);
	free(bf);
}

const struct blkfront_info *blkfront_info(const struct blkfront *bf)
{
	return &bf->info;
}

int blkfront_evtchn_fd(const struct blkfront *bf)
{
	return xenevtchn_fd(bf->evt);
}

int blkfront_xs_fd(const struct blkfront *bf)
{
	return xs_fileno(bf->xs);
}

int blkfront_get(struct blkfront *bf, uint8_t **pages)
{
	for (unsigned int s = 0; s < bf->info.slots; s++)
		if (bf->slot[s] == SLOT_FREE) {
			bf->slot[s] = SLOT_TAKEN;
			*pages = bf->data + (size_t)s * bf->info.max_bytes;
			return (int)s;
		}
	return -EBUSY;
}

void blkfront_put(struct blkfront *bf, unsigned int slot)
{
	/* a BUSY slot's pages may still be written by the backend: never reuse */
	if (slot < bf->info.slots && bf->slot[slot] != SLOT_BUSY)
		bf->slot[slot] = SLOT_FREE;
}

/* Fill req with the segments of bytes of the pages granted as refs[]
 * (slot's indirect pages hold the list if it needs them). */
static void fill_segments(struct blkfront *bf, unsigned int slot, const uint32_t *refs,
			  size_t bytes, union bfr_request *req)
{
	unsigned int n = (unsigned int)((bytes + PAGE - 1) / PAGE);
	struct blkif_request_segment *seg = req->rw.seg;

	if (n > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
		seg = (struct blkif_request_segment *)(bf->ind + (size_t)slot * bf->nr_ind * PAGE);
		for (unsigned int p = 0; p < (n + SEGS_PER_PAGE - 1) / SEGS_PER_PAGE; p++)
			req->ind.indirect_grefs[p] = bf->ind_refs[slot * bf->nr_ind + p];
		req->ind.nr_segments = (uint16_t)n;
	} else {
		req->rw.nr_segments = (uint8_t)n;
	}
	for (unsigned int i = 0; i < n; i++) {
		size_t len = bytes - (size_t)i * PAGE < PAGE ? bytes - (size_t)i * PAGE : PAGE;

		seg[i] = (struct blkif_request_segment){
			.gref = refs[i], .first_sect = 0, .last_sect = (uint8_t)(len / 512 - 1)};
	}
}

static int submit(struct blkfront *bf, unsigned int slot, enum blkfront_op op, uint64_t sector,
		  size_t bytes, const uint32_t *refs)
{
	const struct blkfront_info *i = &bf->info;
	union bfr_request req;
	uint8_t bop = op == BLKFRONT_READ ? BLKIF_OP_READ : BLKIF_OP_WRITE;
	int rc;

	if (slot >= i->slots || bf->slot[slot] != SLOT_TAKEN)
		return -EINVAL;
	if (bf->gone || bf->ring.broken)
		return bf->gone ? -ENOTCONN : -EPROTO;
	memset(&req, 0, sizeof(req));
	if (op == BLKFRONT_FLUSH) {
		if (i->flush == BLKFRONT_FLUSH_NONE)
			return -EOPNOTSUPP;
		if (bytes)
			return -EINVAL;
		req.rw.operation = i->flush == BLKFRONT_FLUSH_DISKCACHE ? BLKIF_OP_FLUSH_DISKCACHE
									: BLKIF_OP_WRITE_BARRIER;
	} else {
		if (bytes == 0 || bytes > i->max_bytes || bytes % i->sector_size ||
		    (sector * 512) % i->sector_size || sector > i->sectors ||
		    bytes / 512 > i->sectors - sector)
			return -EINVAL;
		if (op == BLKFRONT_WRITE && i->readonly)
			return -EROFS;
		fill_segments(bf, slot, refs, bytes, &req);
		req.rw.operation = bop;
		if (bytes > BLKIF_MAX_SEGMENTS_PER_REQUEST * PAGE) {
			req.ind.operation = BLKIF_OP_INDIRECT;
			req.ind.indirect_op = bop;
		}
	}
	/* id, sector_number and handle sit at the same offsets in both forms */
	req.rw.id = slot;
	req.rw.sector_number = sector;
	if (req.rw.operation == BLKIF_OP_INDIRECT)
		req.ind.handle = bf->handle;
	else
		req.rw.handle = bf->handle;
	if ((rc = bfr_put(&bf->ring, &req)))
		return rc;
	bf->slot[slot] = SLOT_BUSY;
	if (bfr_push(&bf->ring))
		xenevtchn_notify(bf->evt, bf->port);
	return 0;
}

int blkfront_submit(struct blkfront *bf, unsigned int slot, enum blkfront_op op, uint64_t sector,
		    size_t bytes)
{
	if (slot >= bf->info.slots)
		return -EINVAL;
	return submit(bf, slot, op, sector, bytes,
		      bf->data_refs + (size_t)slot * bf->info.max_segments);
}

struct blkfront_pool {
	xengntshr_handle *shr;
	uint32_t domid;
	unsigned int pages;
	uint8_t *base;
	uint32_t refs[];
};

struct blkfront_pool *blkfront_pool_new(const struct blkfront *bf, size_t bytes)
{
	unsigned int pages = (unsigned int)((bytes + PAGE - 1) / PAGE);
	struct blkfront_pool *p;

	if ((bf->info.persistent && !bf->info.persistent_ro) || bytes == 0 || bytes > 64u << 20) {
		errno = EINVAL;
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p) + pages * sizeof(uint32_t))) == NULL)
		return NULL;
	p->domid = bf->info.backend_id;
	p->pages = pages;
	p->shr = xengntshr_open(NULL, 0);
	if (p->shr) /* the last argument: not writable by the backend */
		p->base = xengntshr_share_pages(p->shr, p->domid, (int)pages, p->refs, 0);
	if (p->base == NULL) {
		blkfront_pool_free(p);
		return NULL;
	}
	xacm_info("blkfront %s: write pool of %u pages shared read-only with domain %u, first "
		  "grant ref %u",
		  bf->fe, pages, p->domid, p->refs[0]);
	return p;
}

void blkfront_pool_free(struct blkfront_pool *p)
{
	if (p == NULL)
		return;
	if (p->base)
		xengntshr_unshare(p->shr, p->base, p->pages);
	if (p->shr)
		xengntshr_close(p->shr);
	free(p);
}

uint8_t *blkfront_pool_base(const struct blkfront_pool *p)
{
	return p->base;
}

int blkfront_submit_pool(struct blkfront *bf, unsigned int slot, uint64_t sector, size_t bytes,
			 const struct blkfront_pool *p, size_t off)
{
	if (p->domid != bf->info.backend_id || off % PAGE || off > (size_t)p->pages * PAGE ||
	    bytes > (size_t)p->pages * PAGE - off)
		return -EXDEV;
	return submit(bf, slot, BLKFRONT_WRITE, sector, bytes, p->refs + off / PAGE);
}

int blkfront_complete(struct blkfront *bf, struct blkfront_done *done, unsigned int max)
{
	struct pollfd p[2] = {{.fd = xs_fileno(bf->xs), .events = POLLIN},
			      {.fd = xenevtchn_fd(bf->evt), .events = POLLIN}};
	struct bfr_done d;
	unsigned int n = 0;
	int rc, port;

	if (poll(p, 2, 0) > 0) {
		if (p[1].revents && (port = xenevtchn_pending(bf->evt)) >= 0)
			xenevtchn_unmask(bf->evt, (evtchn_port_t)port);
		/* the backend's state is read only when its watch fired */
		if (p[0].revents) {
			drain_watch(bf);
			if (!bf->gone && backend_state(bf) != XenbusStateConnected) {
				bf->gone = true;
				xacm_err("blkfront %s: the backend left Connected", bf->fe);
			}
		}
	}
	while (n < max) {
		rc = bfr_next(&bf->ring, &d);
		if (rc < 0) {
			xacm_err("blkfront %s: the backend broke the ring protocol", bf->fe);
			return -EPROTO;
		}
		if (rc == 0 && bfr_final_check(&bf->ring))
			continue;
		if (rc == 0)
			break;
		bf->slot[d.id] = SLOT_DONE;
		done[n++] = (struct blkfront_done){.slot = d.id, .status = d.status};
	}
	return n == 0 && bf->gone ? -ENOTCONN : (int)n;
}

int blkfront_wait(struct blkfront *bf, struct blkfront_done *done, unsigned int max, int timeout_ms)
{
	struct pollfd p[2] = {{.fd = xs_fileno(bf->xs), .events = POLLIN},
			      {.fd = xenevtchn_fd(bf->evt), .events = POLLIN}};
	long long end = now_ms() + timeout_ms, left;
	int n;

	/* a wakeup can bring nothing (an event for answers already taken, a
	 * watch firing on an unchanged state): 0 only once the time is up */
	while ((n = blkfront_complete(bf, done, max)) == 0 && (left = end - now_ms()) > 0)
		poll(p, 2, (int)left);
	return n;
}
