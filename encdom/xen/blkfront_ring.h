/* blkfront_ring.h - the front end of one blkif shared ring (xen/io/blkif.h).
 *
 * The shared area is written by the backend (a driver domain: untrusted) at
 * any time.  This code writes requests from private copies, reads rsp_prod
 * once per snapshot, checks it, copies each response out with one read and
 * validates only the copy: its id must be a request in flight, answered once,
 * with that request's operation.  Anything else (an impossible rsp_prod, an
 * unknown id, a second answer, a wrong operation) breaks the ring: every later
 * call returns -EPROTO and the caller must disconnect the vbd.
 *
 * Request ids are slot numbers 0 .. nr_slots-1, nr_slots <= the ring's
 * entries, so an id in flight always has a ring slot and the ring never
 * overflows.  Not thread-safe: one thread drives one ring. */
#ifndef XACM_BLKFRONT_RING_H
#define XACM_BLKFRONT_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/blkif.h>

/* Largest ring: 16 pages (max-ring-page-order 4), 512 entries. */
#define BFR_MAX_ORDER 4u
#define BFR_ENTRIES(order) ((unsigned int)__CONST_RING_SIZE(blkif, 4096UL << (order)))
#define BFR_MAX_SLOTS BFR_ENTRIES(BFR_MAX_ORDER)
#define BFR_IDLE 0xffu     /* pending[id]: no request with this id in flight */
#define BFR_INDIRECT 0x80u /* pending[id] flag: sent as BLKIF_OP_INDIRECT */

struct bfr_ring {
	struct blkif_sring *sring; /* shared, hostile */
	unsigned int nr_ents;
	unsigned int nr_slots;
	RING_IDX req_prod_pvt; /* next request slot */
	RING_IDX req_pushed;   /* req_prod as last published */
	RING_IDX rsp_cons;     /* next response to copy out */
	RING_IDX rsp_prod;     /* the checked snapshot of sring->rsp_prod */
	bool broken;
	uint8_t pending[BFR_MAX_SLOTS]; /* per id: operation in flight, or BFR_IDLE */
};

/* A request as the frontend builds it, in private memory. */
union bfr_request {
	struct blkif_request rw; /* read, write, barrier, flush */
	struct blkif_request_indirect ind;
};

/* A response, validated: the id (slot) and its status as an errno. */
struct bfr_done {
	unsigned int id;
	int status; /* 0, -EOPNOTSUPP, or -EIO (BLKIF_RSP_ERROR or any other value) */
};

/* Initialise the shared area of 4096 << order bytes (indices 0) and the ring.
 * -EINVAL if order > BFR_MAX_ORDER, nr_slots is 0 or above the ring's entries. */
int bfr_init(struct bfr_ring *r, void *shared, unsigned int order, unsigned int nr_slots)
	__attribute__((warn_unused_result));

/* Copy req into the ring (its id must be a slot not in flight, its operation
 * read, write, barrier, flush or indirect read/write).  Not visible to the
 * backend until bfr_push.  0, -EBUSY (id in flight), -EINVAL (id or
 * operation), -EPROTO (broken). */
int bfr_put(struct bfr_ring *r, const union bfr_request *req) __attribute__((warn_unused_result));

/* Publish queued requests; true if the backend must be notified. */
bool bfr_push(struct bfr_ring *r);

/* Copy out and validate the next response: 1 with *done set (its id, in
 * flight since bfr_put, is idle again), 0 when none, -EPROTO when the backend broke the protocol.
 */
int bfr_next(struct bfr_ring *r, struct bfr_done *done) __attribute__((warn_unused_result));

/* Before sleeping: ask for an event on the next response; true if one is
 * already there (take it instead of sleeping). */
bool bfr_final_check(struct bfr_ring *r);

#endif
