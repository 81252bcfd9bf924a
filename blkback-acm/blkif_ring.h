/* blkif_ring.h - the back end of one blkif shared ring.
 *
 * The shared area is memory the frontend writes at any time: the caller maps
 * it (grant pages in the daemon, malloc'd memory in the tests) and passes it
 * here.  This code reads the producer index once per snapshot, checks it,
 * copies each request out with a single read, and writes responses.  It never
 * reads or writes outside the XEN_PAGE_SIZE << order bytes it was given, and
 * never validates anything in place: the copy goes to blkif_request.h.
 *
 * A ring whose producer index is impossible (more requests outstanding than
 * the ring holds, or behind what was already consumed) is broken: every later
 * call fails with -EPROTO and the caller must disconnect that device.  One
 * ring's state never affects another's.
 *
 * Not thread-safe: one thread drives one ring.
 */
#ifndef XACM_BLKIF_RING_H
#define XACM_BLKIF_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/io/blkif.h>

/* Largest ring: 16 pages (max-ring-page-order 4, as Linux blkback). */
#define BLKB_RING_MAX_PAGE_ORDER 4u
/* Entries in a ring of 1 << order pages: 32 for one page, 512 for 16. */
#define BLKB_RING_ENTRIES(order) ((unsigned int)__CONST_RING_SIZE(blkif, 4096UL << (order)))

struct blkb_ring {
	struct blkif_sring *sring; /* shared, hostile */
	unsigned int nr_ents;
	RING_IDX req_cons;     /* next request to copy out */
	RING_IDX req_prod;     /* the checked snapshot of sring->req_prod */
	RING_IDX rsp_prod_pvt; /* next response slot */
	RING_IDX rsp_pushed;   /* rsp_prod as last published (not re-read) */
	bool broken;
};

/* Attach to the shared area of 4096 << order bytes at shared, as a fresh
 * connection (indices start at 0; the frontend initialised the area).
 * Returns 0, or -EINVAL if order > max_order, max_order > BLKB_RING_MAX_PAGE_ORDER
 * or shared is NULL. */
int blkb_ring_attach(struct blkb_ring *r, void *shared, unsigned int order, unsigned int max_order)
	__attribute__((warn_unused_result));
/* The same with every index starting at start (BACK_RING_ATTACH): for a ring
 * whose indices are already in use; start is what both ends agree on. */
int blkb_ring_attach_at(struct blkb_ring *r, void *shared, unsigned int order,
			unsigned int max_order, RING_IDX start) __attribute__((warn_unused_result));

/* Take up a ring in use: the next request to copy out is req_cons, and
 * responses go from rsp_prod on (the published one).  The caller knows that
 * req_cons - rsp_prod requests were consumed and are unanswered
 * (ring_shadow.h), at most nr_ents. */
void blkb_ring_set_indices(struct blkb_ring *r, RING_IDX req_cons, RING_IDX rsp_prod);

/* Copy the next request out of the ring into *req (private memory).
 * When every request of the current snapshot is consumed, it takes a new one:
 * reads req_prod once, then a read barrier, then checks it.
 * Returns 1 with *req set, 0 when there is no request, or -EPROTO when the
 * producer index is impossible: disconnect the device.  It also returns 0
 * while nr_ents requests are consumed and unanswered (respond first). */
int blkb_ring_next_request(struct blkb_ring *r, struct blkif_request *req)
	__attribute__((warn_unused_result));

/* Queue the response to one consumed request (any order), unpublished until
 * blkb_ring_push_responses().  Returns 0; -ENOSPC if every consumed request is
 * already answered (a caller bug: nothing is written); -EPROTO if broken. */
int blkb_ring_respond(struct blkb_ring *r, uint64_t id, uint8_t operation, int16_t status)
	__attribute__((warn_unused_result));

/* Publish queued responses (write barrier, then rsp_prod) and say whether the
 * frontend asked to be notified about them (its rsp_event lies in the range
 * just published): RING_PUSH_RESPONSES_AND_CHECK_NOTIFY.  false if broken. */
bool blkb_ring_push_responses(struct blkb_ring *r) __attribute__((warn_unused_result));

/* Before sleeping: RING_FINAL_CHECK_FOR_REQUESTS.  If no request is pending,
 * sets req_event so the frontend notifies on the next one, then checks again.
 * true: requests are pending (call blkb_ring_next_request()); false: sleep
 * until the event channel fires.  false if broken. */
bool blkb_ring_final_check(struct blkb_ring *r) __attribute__((warn_unused_result));

/* Whether requests wait on the ring (one fresh read of req_prod), without
 * consuming or checking them: a hint for polling, never false when the
 * frontend published one and the ring has room.  false if broken. */
bool blkb_ring_pending(const struct blkb_ring *r);

/* The frontend's "protocol" node, as (bytes, len) read from XenStore; NULL
 * or len 0 when the node is absent.  Returns 0 for the layout this code
 * serves (absent, or exactly "x86_64-abi"), -EPROTONOSUPPORT for
 * "x86_32-abi" (a different request layout and ring stride), -EINVAL for
 * anything else.  The connection must be refused unless it returns 0. */
int blkb_ring_protocol_check(const char *value, size_t len) __attribute__((warn_unused_result));

/* Requests consumed and not yet answered. */
unsigned int blkb_ring_in_flight(const struct blkb_ring *r);

#endif
