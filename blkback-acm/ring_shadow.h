/* ring_shadow.h - what a restarted blkback-acm needs to take up a ring.
 *
 * The problem: a response is written into a ring slot that held a consumed
 * request, and responses complete out of order (asynchronous I/O).  So after
 * the daemon dies, the shared ring alone says neither which requests were
 * answered nor what the unanswered ones asked for.
 *
 * The shadow is a private copy of every request consumed from one ring and
 * not yet answered in a published response, in a file the daemon maps
 * (tmpfs: it survives the process, not the domain).  It is updated in an
 * order that makes every point where SIGKILL can strike recoverable:
 *   consume: copy the request into a free record, then mark it IN_FLIGHT,
 *            then advance hdr.req_cons;
 *   respond: write the response into the ring, then record its index and
 *            mark the record ANSWERED, then advance hdr.rsp_prod_pvt;
 *   push:    publish rsp_prod in the ring, then free the records answered
 *            below it, then advance hdr.rsp_pushed.
 * A restarted daemon reads the ring's published rsp_prod P (the frontend's
 * view, hostile), and runs again exactly the requests consumed before
 * hdr.req_cons whose response is not below P: the IN_FLIGHT ones and the
 * ANSWERED ones at or above P.  There are hdr.req_cons - P of them, or the
 * shadow is inconsistent and the vbd must be closed (fail closed).
 *
 * The shadow file is written only by this daemon (0600, root); the ring is
 * hostile.  Nothing here trusts either: every index is range-checked, and
 * a header that does not match the connection is ignored (a fresh start).
 * Reads and writes are idempotent, so running a request twice is safe;
 * never answering one, or answering one twice, is not.
 *
 * Not thread-safe: one thread drives one ring and its shadow. */
#ifndef XACM_RING_SHADOW_H
#define XACM_RING_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blkif_ring.h"

#define SHADOW_MAGIC 0x78616373u /* "xacs" */
#define SHADOW_VERSION 1u
#define SHADOW_MAX_ENTS BLKB_RING_ENTRIES(BLKB_RING_MAX_PAGE_ORDER)

/* Which connection a shadow belongs to: a header that differs in any field
 * belongs to another one. */
struct shadow_id {
	uint32_t fe, devid, queue, order, port;
	uint32_t ring_ref[1u << BLKB_RING_MAX_PAGE_ORDER]; /* unused entries 0 */
	uint32_t zero; /* keeps the records after the header 8-byte aligned */
};

enum shadow_state { SHADOW_FREE = 0, SHADOW_IN_FLIGHT = 1, SHADOW_ANSWERED = 2 };

struct shadow_rec {
	uint32_t state;   /* enum shadow_state */
	RING_IDX req_idx; /* ring index the request was consumed at */
	RING_IDX rsp_idx; /* ANSWERED: ring index of its response */
	uint32_t pad;
	struct blkif_request req; /* the private copy */
};

struct shadow_hdr {
	uint32_t magic, version, nr_ents, pad;
	struct shadow_id id;
	RING_IDX req_cons, rsp_prod_pvt, rsp_pushed, pad2;
};

_Static_assert(sizeof(struct shadow_hdr) % 8 == 0, "records must stay aligned");

/* The daemon's handle: the mapped area plus in-memory indexes over it. */
struct ring_shadow {
	struct shadow_hdr *hdr;
	struct shadow_rec *rec; /* hdr->nr_ents of them, after the header */
	unsigned int nr_ents;
	unsigned int nr_free;
	uint16_t free[SHADOW_MAX_ENTS];     /* free record numbers (a stack) */
	uint16_t answered[SHADOW_MAX_ENTS]; /* by rsp_idx % nr_ents: unpublished */
	unsigned int nr_redo, redo_next;
	uint16_t redo[SHADOW_MAX_ENTS]; /* records to run again, oldest first */
};

/* Bytes of shadow area for a ring of nr_ents entries. */
size_t shadow_size(unsigned int nr_ents);

/* Take up the ring r (attached to its shared area, any indices) with the
 * shadow in area (shadow_size(r->nr_ents) bytes, zeros when new).
 *   1: area held this connection's shadow and it is consistent with the
 *      ring's published rsp_prod: r is set to resume, and the requests to
 *      run again come from shadow_next_redo();
 *   0: area held no shadow of this connection: it is initialised and r
 *      starts at the ring's published rsp_prod (a new connection has 0);
 *   -EPROTO: this connection's shadow contradicts the ring (or itself):
 *      close the vbd. */
int shadow_resume(struct ring_shadow *s, void *area, const struct shadow_id *id,
		  struct blkb_ring *r) __attribute__((warn_unused_result));

/* blkb_ring_next_request() into a record: 1 with *recno set, 0, or -EPROTO. */
int shadow_consume(struct ring_shadow *s, struct blkb_ring *r, unsigned int *recno)
	__attribute__((warn_unused_result));

/* The next record to run again after a resume: true with *recno set. */
bool shadow_next_redo(struct ring_shadow *s, unsigned int *recno);

/* The private copy of record recno's request. */
const struct blkif_request *shadow_request(const struct ring_shadow *s, unsigned int recno);

/* Answer record recno (IN_FLIGHT) through blkb_ring_respond(): 0, -EINVAL
 * for a record that is not in flight, or blkb_ring_respond()'s error. */
int shadow_respond(struct ring_shadow *s, struct blkb_ring *r, unsigned int recno, uint64_t id,
		   uint8_t operation, int16_t status) __attribute__((warn_unused_result));

/* blkb_ring_push_responses(), then free the records it published. */
bool shadow_push(struct ring_shadow *s, struct blkb_ring *r) __attribute__((warn_unused_result));

#endif
