/* store_blkfront.h - an encdom core replica (struct encdom_store) on a vbd
 * of a driver domain, through the userspace blkfront (blkfront.h).
 *
 * Synchronous: each call takes the one slot, copies into or out of its
 * granted pages, submits and waits (bounded by timeout_ms per request).
 * Bytes read come out of the shared pages with one copy; the core then
 * verifies that private copy.  Offsets and lengths must be multiples of
 * the vbd's sector-size (the core writes 512-byte units; a driver domain
 * that offers 4096-byte sectors is refused by the store with an I/O
 * error, logged).  A backend that fails a request, breaks the ring or
 * leaves Connected gives ENCDOM_ERR_IO; reconnecting is for later. */
#ifndef XACM_ENCDOM_STORE_BLKFRONT_H
#define XACM_ENCDOM_STORE_BLKFRONT_H

#include "blkfront.h"
#include "encdom.h"

struct bf_store {
	struct blkfront *bf;
	const char *name; /* for log lines: the frontend directory */
	int timeout_ms;
};

/* st's operations on s (which the caller keeps alive and closes). */
void bf_store_init(struct encdom_store *st, struct bf_store *s);

#endif
