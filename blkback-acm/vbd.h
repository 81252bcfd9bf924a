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
#include <xenstore.h>

#include "blkif_request.h"
#include "blkif_ring.h"

#define BLKB_MAX_QUEUES 8u /* multi-queue-max-queues at most */

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
};

struct vbd {
	struct blkb_ctx *ctx;
	uint32_t fe, devid;
	char be_path[256], fe_path[256];
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
		bool more; /* requests left when the last kick used its budget */
	} queue[BLKB_MAX_QUEUES];
	uint8_t *buf;             /* bounce buffer for one request */
	struct blkb_request *req; /* the validated copy */
	uint64_t requests, errors;
	struct {
		uint64_t indirect, copy_calls, copy_segs, ring_maps, notifies;
		time_t published;
	} stats;
	bool seen;
};

/* Open the vbd whose backend directory is be_path; NULL (logged) on error. */
struct vbd *vbd_open(struct blkb_ctx *ctx, uint32_t fe, uint32_t devid);
/* Advance the state machine after any XenStore change. */
void vbd_step(struct vbd *v);
/* Serve queue q's ring after its event channel fired. */
void vbd_kick(struct vbd *v, unsigned int q);
/* Disconnect and free; writes Closed unless the directory is gone. */
void vbd_close(struct vbd *v, bool gone);
/* Whether queue q has requests left that the last vbd_kick() did not serve. */
bool vbd_more(const struct vbd *v, unsigned int q);
/* Queue q's event channel fd, or -1 when q is not connected. */
int vbd_fd(const struct vbd *v, unsigned int q);

#endif
