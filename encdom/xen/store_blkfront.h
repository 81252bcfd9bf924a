/* store_blkfront.h - an encdom core replica (struct encdom_store) on a vbd
 * of a driver domain, through the userspace blkfront (blkfront.h).
 *
 * Synchronous: each call takes the one slot, copies into or out of its
 * granted pages, submits and waits (bounded by timeout_ms per request).
 * The exception is the core's write queue (wbuf): it lives in a write pool
 * shared read-only with the driver domain (blkfront_pool_new), so the core
 * encrypts straight into pages the driver domain reads, and their writes
 * go out without a copy (blkfront_config.write_pool: persistent grants
 * only toward a backend that maps read-only grants read-only).  After a
 * reconnection to another domain the pool is not that domain's: its
 * writes are copied, until encdom restarts.
 * Bytes read come out of the shared pages with one copy; the core then
 * verifies that private copy.  Any byte range works: a write that covers
 * a sector only in part reads it first (the core appends journal entries
 * of a few dozen bytes).
 *
 * Driver-domain loss (docs/encdom-daemon.md).  The replicas of a volume
 * form a group.  Invariants:
 *   - a store is either present (connected, or stalled reconnecting) or
 *     absent; an absent store has missed writes and stays out until encdom
 *     restarts; a store becomes absent only while another store of its
 *     group is present, so at least one store is always present;
 *   - a present store has received every write since the volume opened,
 *     and keeps a copy of each write completed since its last successful
 *     flush (the replay log, at most BF_LOG_MAX bytes: a fuller log is
 *     flushed first), so a flush that succeeds covers all of them even if
 *     the driver domain died before it and lost its volatile cache.
 * A present store that fails: with a present peer it becomes absent (its
 * reads fail at once, its writes and flushes are dropped; the core verifies
 * every block it reads, so a stale copy is never returned); alone, a lost
 * connection (-ENOTCONN, -EPROTO, -ETIMEDOUT) stalls the caller while it
 * reconnects to the same frontend directory with a bounded backoff, checks
 * the size, replays the log and re-issues the request; any other failure
 * gives ENCDOM_ERR_IO (logged), as does a new backend of another size. */
#ifndef XACM_ENCDOM_STORE_BLKFRONT_H
#define XACM_ENCDOM_STORE_BLKFRONT_H

#include <stdbool.h>

#include "blkfront.h"
#include "encdom.h"

#define BF_LOG_MAX (4u << 20) /* replay log bytes per store */

struct bf_store;

/* The replicas of one volume. */
struct bf_group {
	struct bf_store *m[ENCDOM_MAX_REPLICAS];
	unsigned int n;
};

struct bf_store {
	struct blkfront *bf;               /* NULL: absent, or failed for good */
	const char *name;                  /* the frontend directory: to reconnect; for logs */
	const struct blkfront_config *cfg; /* to reconnect */
	int timeout_ms;
	struct bf_group *group; /* NULL: alone */
	bool absent;
	uint64_t sectors;              /* these three at the first connection: a new */
	size_t sector_size, max_bytes; /* backend must match them */
	uint8_t *log;                  /* replay log: (offset, length, bytes) records */
	size_t log_len;
	struct blkfront_pool *pool; /* the core's write queue (wbuf), read-only to the backend */
	uint64_t sent_direct, sent_copied; /* bytes written from the pool / through a copy */
};

/* st's operations on s (which the caller keeps alive, then passes to
 * bf_store_fini); s->bf must have been opened with one slot. */
void bf_store_init(struct encdom_store *st, struct bf_store *s);
/* Close s's blkfront, free its log and its pool. */
void bf_store_fini(struct bf_store *s);

#endif
