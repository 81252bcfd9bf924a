/* vbd.h - one virtual block device served by blkback-acm: the xenbus
 * backend state machine, the acdom gate, the shared ring and the I/O.
 *
 * Each vbd has its own ring, event channel and backing file; a frontend
 * that breaks the protocol gets its vbd closed and touches no other one. */
#ifndef XACM_BLKBACK_VBD_H
#define XACM_BLKBACK_VBD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <liburing.h>
#include <sys/uio.h>
#include <xenstore.h>

#include "acm_protocol.h"
#include "blkif_request.h"
#include "blkif_ring.h"
#include "pgrant_lru.h"
#include "ring_shadow.h"

#define BLKB_MAX_QUEUES 8u /* multi-queue-max-queues at most */
/* Requests of one vbd in asynchronous I/O at once, over all its queues,
 * and the bytes of private buffer they may hold: a frontend cannot make
 * the daemon allocate more than this. */
#define VBD_IO_DEPTH 128u
#define VBD_IO_BYTES (16u << 20)
/* Persistent grants kept mapped per vbd (Linux's blkfront uses 1056 per
 * queue), and by the whole daemon at most ctx->pgrants.budget (pgrant_lru.h);
 * a segment past either goes through grant copy instead. */
#define VBD_PGRANTS 4096u
#define VBD_PGRANT_SLOTS (2 * VBD_PGRANTS) /* hash table, at most half full */
/* The shadow file of a queue's ring in the state directory: fe, devid, queue. */
#define VBD_SHADOW_NAME "vbd-%u-%u-q%u"
/* A discard is done in pieces of at most this many bytes (aligned to it),
 * one per kick of its queue, so that a whole-disk discard does not hold
 * the single thread: every other ring is served in between. */
#define VBD_DISCARD_PIECE (16ull << 20)

struct vbd;

/* What the daemon shares with every vbd. */
struct blkb_ctx {
	struct xs_handle *xs;
	xengnttab_handle *gt;
	uint32_t self;   /* our domid */
	bool acdom_gate; /* connect only on acdom's allow */
	unsigned int max_ring_order;
	unsigned int max_indirect_segments;
	unsigned int max_queues;  /* 1..BLKB_MAX_QUEUES */
	unsigned int sector_size; /* logical sector offered: 512 or 4096 */
	bool discard;             /* offer feature-discard */
	bool persistent;          /* offer feature-persistent (vbd_io.c maps them) */
	const char *state_dir;    /* the rings' shadow files (ring_shadow.h) */
	unsigned int poll_us;     /* before sleeping, poll this long for work */
	/* Persistent grants: the budget of them all (0: derived from
	 * vm.max_map_count), and their LRU bookkeeping (vbd_io.c). */
	unsigned int max_persistent;
	struct pgrant_lru pgrants;
	/* The store a vbd's "params" names.  NULL: a file or block device,
	 * opened into v->fd.  Otherwise called by vbd_open() before anything
	 * is written: sets *bytes (the store's size), v->rid (the resource id
	 * acdom's allow must name) and may set v->priv;
	 * returns 0, > 0 for a vbd that is not this daemon's (ignored without
	 * a word, nothing written), or < 0 (logged) to refuse it. */
	int (*open_store)(struct vbd *v, const char *params, uint64_t *bytes);
};

/* One request in asynchronous I/O: the validated copy and its buffer. */
struct vbd_io {
	unsigned int queue, recno; /* the ring and shadow record it came from */
	struct blkb_request req;
	uint8_t *buf; /* private, page-aligned; len bytes */
	size_t len, done;
	int16_t status;
	bool synced; /* a flush: its fdatasync is submitted (or was) */
	bool busy;
	/* Zero copy: the segments are persistently mapped frontend pages and
	 * the I/O goes straight to or from them (iov, one entry per segment);
	 * else buf is a private bounce buffer filled or emptied by grant copy. */
	struct iovec *iov;
	unsigned int iov_first; /* after a short transfer: first iovec not done */
	/* with iov: the persistent grants it holds (never unmapped meanwhile) */
	struct vbd_pgrant **held;
	unsigned int nr_held;
};

/* A frontend page mapped persistently (feature-persistent): until the vbd
 * disconnects, or until the daemon's budget needs room and it is the least
 * recently used idle one (lru.users == 0). */
struct vbd_pgrant {
	struct pgrant_lru_node lru; /* first: a victim is a struct vbd_pgrant */
	struct vbd *v;              /* whose table holds it */
	grant_ref_t gref;
	void *page;
	bool readonly; /* granted read-only (ACM_XS_VBD_PERSISTENT_RO): writes only */
};

struct vbd {
	struct blkb_ctx *ctx;
	void *priv; /* the store of ctx->open_store, or NULL */
	uint32_t fe, devid;
	char be_path[256], fe_path[256];
	/* What this vbd serves, as acdom's decision must name it (acm_protocol.h
	 * rid): the params path, or what ctx->open_store sets. */
	char rid[ACM_RID_MAX];
	int fd; /* the backing file or device */
	bool is_blkdev;
	uint64_t bytes;              /* size served: whole logical sectors */
	unsigned int logical_sector; /* sector-size written to XenStore */
	struct blkb_limits lim;      /* lim.sector_size: the ring's unit (connect) */
	int be_state;                /* the XenbusState we last wrote */
	/* Connected iff nr_queues > 0; then queue[0..nr_queues-1] are mapped. */
	unsigned int nr_queues;
	struct vbd_queue {
		void *ring_area; /* mapped ring pages, or NULL */
		unsigned int order;
		struct blkb_ring ring;
		xenevtchn_handle *evtchn; /* own handle: its fd is per queue */
		evtchn_port_t port;
		bool bound;    /* port is bound on evtchn (unbind it at disconnect) */
		bool more;     /* requests left when the last kick used its budget */
		bool starved;  /* stopped for want of an I/O slot or buffer */
		bool unpushed; /* responses queued and not yet published */
		struct ring_shadow shadow;
		void *shadow_area; /* the mapped shadow file */
		size_t shadow_len;
		char shadow_path[256];
		/* A discard being done in pieces (VBD_DISCARD_PIECE): while on,
		 * the queue takes no other request; answered when next == end. */
		struct vbd_discard {
			bool on;
			unsigned int recno; /* its shadow record */
			uint64_t id;
			uint8_t rsp_op;
			uint64_t next, end; /* bytes of the store still to discard */
		} discard;
	} queue[BLKB_MAX_QUEUES];
	/* Asynchronous I/O: an io_uring of the vbd's own, and its slots. */
	struct io_uring uring;
	bool uring_ready;
	bool draining; /* disconnecting: complete I/O without answering */
	/* feature-persistent, when the frontend uses it: its grants stay
	 * mapped until disconnect (the frontend never revokes them meanwhile)
	 * or eviction under the daemon's budget. */
	bool persistent;
	struct vbd_pgrant **pgrant; /* VBD_PGRANT_SLOTS, linear probing, NULL: empty */
	unsigned int nr_pgrants;
	struct vbd_io *io; /* VBD_IO_DEPTH of them */
	unsigned int io_busy;
	size_t io_bytes;
	uint64_t requests, errors;
	struct {
		uint64_t indirect, copy_calls, copy_segs, ring_maps, notifies;
		uint64_t pgrant_maps, zero_copy; /* grants mapped; requests without copy */
		time_t published;
	} stats;
	bool seen;
};

/* Serve every vbd whose backend directory is in this domain's XenStore
 * tree until SIGTERM or SIGINT: opens XenStore and gntdev into ctx, sets
 * ctx->self, watches the backend tree (and acdom's decisions when gated).
 * Connected vbds are left as they are for a restart.  Returns 0, or exits
 * (xacm_die) when XenStore or gntdev cannot be used. */
int vbd_serve(struct blkb_ctx *ctx);

/* Open the vbd whose backend directory is be_path; NULL (logged) on error. */
struct vbd *vbd_open(struct blkb_ctx *ctx, uint32_t fe, uint32_t devid);
/* Advance the state machine after any XenStore change. */
void vbd_step(struct vbd *v);
/* Queue q's event channel fd is readable: take the event, serve the ring. */
void vbd_event(struct vbd *v, unsigned int q);
/* Serve queue q's ring (no event taken: its fd need not be readable). */
void vbd_kick(struct vbd *v, unsigned int q);
/* Disconnect and free; writes Closed unless the directory is gone. */
void vbd_close(struct vbd *v, bool gone);
/* Whether queue q has requests left that the last vbd_kick() did not serve. */
bool vbd_more(const struct vbd *v, unsigned int q);
/* Queue q's event channel fd, or -1 when q is not connected. */
int vbd_fd(const struct vbd *v, unsigned int q);
/* The fd that is readable when asynchronous I/O completed: vbd_complete(). */
int vbd_io_fd(const struct vbd *v);
/* For polling (ctx->poll_us): whether work waits that the fds may not show
 * yet: completions, task work that posts them at the next system call, or
 * requests on a ring.  Reads shared memory as a hint only; false for a
 * data path that does not poll. */
bool vbd_io_ready(const struct vbd *v);
/* Answer the requests whose I/O completed, then serve starved queues. */
void vbd_complete(struct vbd *v);

/* The data path, one implementation per daemon (blkback-acm: vbd_io.c;
 * encdom: encdom/xen/encdom_io.c), used by vbd.c. */
int vbd_io_init(struct vbd *v);
/* Wait for every request in I/O, none answered, then unmap the persistent
 * grants (disconnecting). */
void vbd_io_drain(struct vbd *v);
void vbd_io_fini(struct vbd *v);

/* Grant copy (vbd_copy.c), counted in v->stats.  vbd_grant_copy: n
 * segments, true if every one succeeded.  vbd_copy_indirect: an indirect
 * request's segment pages into dst (blkb_fetch_indirect_fn's contract).
 * vbd_copy_request: every segment of the validated request r, in order,
 * to or from buf (at least r's byte count). */
bool vbd_grant_copy(struct vbd *v, xengnttab_grant_copy_segment_t *segs, unsigned int n);
int vbd_copy_indirect(struct vbd *v, const grant_ref_t *grefs, unsigned int nr_pages, void *dst,
		      size_t len);
bool vbd_copy_request(struct vbd *v, const struct blkb_request *r, uint8_t *buf, bool to_frontend);

/* Close toward the frontend, saying why in xacm-error (why may be NULL). */
void vbd_shut(struct vbd *v, const char *why);
bool vbd_write_node(struct vbd *v, const char *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
