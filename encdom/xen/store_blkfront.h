/* store_blkfront.h - an encdom core replica (struct encdom_store) on a vbd
 * of a driver domain, through the userspace blkfront (blkfront.h).
 *
 * Synchronous: each call takes the one slot, copies into or out of its
 * granted pages, submits and waits (bounded by timeout_ms per request).
 * Bytes read come out of the shared pages with one copy; the core then
 * verifies that private copy.  Any byte range works: a write that covers
 * a sector only in part reads it first (the core appends journal entries
 * of a few dozen bytes).  A backend that fails a request, breaks the ring
 * or leaves Connected gives ENCDOM_ERR_IO (logged); reconnecting is for
 * later. */
#ifndef XACM_ENCDOM_STORE_BLKFRONT_H
#define XACM_ENCDOM_STORE_BLKFRONT_H

#include "blkfront.h"
#include "encdom.h"

struct bf_store {
	struct blkfront *bf;
	const char *name; /* for log lines: the frontend directory */
	int timeout_ms;
};

/* st's operations on s (which the caller keeps alive and closes); s->bf
 * must have been opened with one slot. */
void bf_store_init(struct encdom_store *st, struct bf_store *s);

#endif
