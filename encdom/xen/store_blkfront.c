/* store_blkfront.c - an encdom_store over a driver domain's vbd; a lost
 * driver domain stalls and reconnects, or fails over (store_blkfront.h). */
#include "store_blkfront.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xacm_log.h"

#define SECTOR 512u /* blkif request units (no feature-large-sector-size) */
#define REC 16u     /* log record header: offset, length (8 bytes each) */
#define LOST(rc) ((rc) == -ENOTCONN || (rc) == -EPROTO || (rc) == -ETIMEDOUT)

/* Wait for slot's answer: 0, or a negative errno. */
static int wait_slot(struct bf_store *s, unsigned int slot)
{
	struct blkfront_done done[4];
	time_t end = time(NULL) + (s->timeout_ms + 999) / 1000;

	while (time(NULL) <= end) {
		int n = blkfront_wait(s->bf, done, 4, s->timeout_ms);

		if (n < 0)
			return n;
		/* one request in flight at a time: any answer is slot's */
		for (int i = 0; i < n; i++)
			if (done[i].slot == slot)
				return done[i].status;
	}
	return -ETIMEDOUT;
}

/* One request on the slot's pages: a write sends buf[0, span); a read
 * copies its bytes [head, head + n) to buf.  0 or a negative errno. */
static int request(struct bf_store *s, enum blkfront_op op, uint64_t start, size_t span,
		   uint8_t *buf, size_t head, size_t n)
{
	uint8_t *pages;
	int slot = s->bf ? blkfront_get(s->bf, &pages) : -ENODEV, rc = -EXDEV;

	if (slot < 0)
		return slot;
	/* sealed straight into the pool: sent from there, if buf is in it and
	 * the pool is the backend's (else -EXDEV: a copy) */
	if (op == BLKFRONT_WRITE && s->pool)
		rc = blkfront_submit_pool(
			s->bf, (unsigned int)slot, start / SECTOR, span, s->pool,
			(size_t)((uintptr_t)buf - (uintptr_t)blkfront_pool_base(s->pool)));
	s->sent_direct += rc == 0 ? span : 0;
	if (rc == -EXDEV) {
		if (op == BLKFRONT_WRITE)
			memcpy(pages, buf, span);
		s->sent_copied += op == BLKFRONT_WRITE ? span : 0;
		rc = blkfront_submit(s->bf, (unsigned int)slot, op, start / SECTOR, span);
	}
	if (rc == 0)
		rc = wait_slot(s, (unsigned int)slot);
	if (rc == 0 && op == BLKFRONT_READ)
		memcpy(buf, pages + head, n);
	blkfront_put(s->bf, (unsigned int)slot);
	return rc;
}

/* Write every logged record again, in order: 0 or a negative errno. */
static int replay(struct bf_store *s)
{
	int rc = 0;

	for (size_t p = 0; rc == 0 && p < s->log_len;) {
		uint64_t hdr[2];

		memcpy(hdr, s->log + p, REC);
		rc = request(s, BLKFRONT_WRITE, hdr[0], hdr[1], s->log + p + REC, 0, 0);
		p += REC + hdr[1];
	}
	return rc;
}

static bool peer_present(const struct bf_store *s)
{
	for (unsigned int i = 0; s->group && i < s->group->n; i++)
		if (s->group->m[i] != s && !s->group->m[i]->absent && s->group->m[i]->bf)
			return true;
	return false;
}

static void disconnect(struct bf_store *s)
{
	blkfront_close(s->bf);
	s->bf = NULL;
	free(s->log);
	s->log = NULL;
	s->log_len = 0;
}

/* The connection failed with rc.  0: reconnected and the log replayed
 * (re-issue the request); 1: s is absent now; or ENCDOM_ERR_IO. */
static int recover(struct bf_store *s, int rc)
{
	struct blkfront_config cfg = *s->cfg;
	long ms = 100;

	if (peer_present(s)) {
		xacm_err("store %s: %s: failing over to the other replica(s); this one stays out "
			 "until encdom restarts",
			 s->name, strerror(-rc));
		disconnect(s); /* its pool stays: the core's write queue lives there */
		s->absent = true;
		return 1;
	}
	if (!LOST(rc))
		return ENCDOM_ERR_IO;
	xacm_err("store %s: driver domain gone (%s), waiting for it to return; I/O stalls", s->name,
		 strerror(-rc));
	cfg.timeout_ms = cfg.timeout_ms < 10000 ? cfg.timeout_ms : 10000;
	for (unsigned int tries = 1;; tries++) {
		struct timespec ts = {ms / 1000, ms % 1000 * 1000000};

		blkfront_close(s->bf);
		nanosleep(&ts, NULL);
		ms = ms * 2 < 2000 ? ms * 2 : 2000; /* bounded backoff */
		s->bf = blkfront_open(s->name, &cfg);
		if (s->bf == NULL)
			continue;
		if (blkfront_info(s->bf)->sectors != s->sectors ||
		    blkfront_info(s->bf)->sector_size != s->sector_size ||
		    blkfront_info(s->bf)->max_bytes != s->max_bytes) {
			xacm_err("store %s: the returned vbd differs in size, sector size or "
				 "request size: refused",
				 s->name);
			blkfront_close(s->bf);
			s->bf = NULL; /* fail closed: every later request fails */
			return ENCDOM_ERR_IO;
		}
		if ((rc = replay(s)) == 0) {
			xacm_info("store %s: reconnected to domain %u (attempt %u); %zu bytes of "
				  "unflushed writes replayed",
				  s->name, blkfront_info(s->bf)->backend_id, tries, s->log_len);
			return 0;
		}
		xacm_err("store %s: replay failed: %s", s->name, strerror(-rc));
	}
}

/* request(), through losses: 0, 1 if s is absent, or ENCDOM_ERR_IO. */
static int reliable(struct bf_store *s, enum blkfront_op op, uint64_t start, size_t span,
		    uint8_t *buf, size_t head, size_t n)
{
	int rc = 0;

	while (rc == 0 && !s->absent) {
		int r = request(s, op, start, span, buf, head, n);

		if (r == 0)
			return 0;
		xacm_err("store %s: %s of %zu bytes at %llu failed: %s", s->name,
			 op == BLKFRONT_READ    ? "read"
			 : op == BLKFRONT_WRITE ? "write"
						: "flush",
			 span, (unsigned long long)start, strerror(-r));
		rc = recover(s, r);
	}
	return s->absent ? 1 : rc;
}

/* A flush; the log empties when it succeeds. */
static int flush(struct bf_store *s)
{
	int rc = reliable(s, BLKFRONT_FLUSH, 0, 0, NULL, 0, 0);

	if (rc == 0)
		s->log_len = 0;
	return rc;
}

/* Log a completed write (a full log is flushed first). */
static int log_write(struct bf_store *s, uint64_t start, const uint8_t *buf, size_t span)
{
	uint64_t hdr[2] = {start, span};
	int rc = 0;

	if (s->log == NULL && (s->log = malloc(BF_LOG_MAX)) == NULL)
		return flush(s); /* no log: each write is flushed */
	if (s->log_len + REC + span > BF_LOG_MAX)
		rc = flush(s);
	if (rc == 0 && !s->absent) {
		memcpy(s->log + s->log_len, hdr, REC);
		memcpy(s->log + s->log_len + REC, buf, span);
		s->log_len += REC + span;
	}
	return rc;
}

/* The core addresses bytes; the vbd, whole sectors.  Each step covers the
 * sectors of [off, off + n): a write that does not cover them whole reads
 * them first (read-modify-write; single-threaded, so nothing else changes
 * them meanwhile). */
static int bf_io(struct bf_store *s, enum blkfront_op op, uint8_t *buf, size_t len, uint64_t off)
{
	const size_t ss = s->sector_size, max = s->max_bytes;
	uint8_t *tmp = NULL;
	int rc = 0;

	if (s->bf == NULL && !s->absent)
		return ENCDOM_ERR_IO; /* failed for good */

	while (rc == 0 && len > 0 && !s->absent) {
		const size_t head = (size_t)(off % ss);
		const uint64_t start = off - head;
		size_t span = (head + len + ss - 1) / ss * ss, n;

		if (span > max)
			span = max; /* a multiple of 4096, so of ss */
		n = span - head < len ? span - head : len;
		if (op == BLKFRONT_READ) {
			rc = reliable(s, op, start, span, buf, head, n);
		} else {
			uint8_t *src = buf;

			if (head != 0 || n != span) { /* read-modify-write */
				src = tmp = tmp ? tmp : malloc(max);
				rc = tmp ? reliable(s, BLKFRONT_READ, start, span, tmp, 0, span)
					 : ENCDOM_ERR_NOMEM;
				if (rc == 0)
					memcpy(tmp + head, buf, n);
			}
			if (rc == 0)
				rc = reliable(s, op, start, span, src, 0, 0);
			if (rc == 0)
				rc = log_write(s, start, src, span);
		}
		if (rc == 0) {
			buf += n;
			off += n;
			len -= n;
		}
	}
	free(tmp);
	return s->absent ? (op == BLKFRONT_READ ? ENCDOM_ERR_IO : 0) : rc < 0 ? ENCDOM_ERR_IO : 0;
}

static uint64_t bf_size(void *ctx)
{
	return ((struct bf_store *)ctx)->sectors * SECTOR;
}

static int bf_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	if (off > bf_size(ctx) || len > bf_size(ctx) - off)
		return ENCDOM_ERR_TRUNCATED;
	return bf_io(ctx, BLKFRONT_READ, buf, len, off);
}

static int bf_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	return bf_io(ctx, BLKFRONT_WRITE, (uint8_t *)buf, len, off);
}

/* A flush covers every write completed before it: all of them, here (and
 * the log's, replayed after a reconnection).  An absent store's flush is
 * dropped: a present peer's covers every write. */
static int bf_sync(void *ctx)
{
	struct bf_store *s = ctx;

	return s->absent || flush(s) >= 0 ? 0 : ENCDOM_ERR_IO;
}

/* The core's write queue: in a pool shared read-only with the backend. */
static void *bf_wbuf(void *ctx, size_t len)
{
	struct bf_store *s = ctx;

	if (s->pool == NULL && s->bf && (s->pool = blkfront_pool_new(s->bf, len)) == NULL)
		xacm_warn("store %s: no write pool (%s): writes are copied", s->name,
			  strerror(errno));
	return s->pool ? blkfront_pool_base(s->pool) : NULL;
}

void bf_store_init(struct encdom_store *st, struct bf_store *s)
{
	s->sectors = blkfront_info(s->bf)->sectors;
	s->sector_size = blkfront_info(s->bf)->sector_size;
	s->max_bytes = blkfront_info(s->bf)->max_bytes;
	*st = (struct encdom_store){.read = bf_read,
				    .write = bf_write,
				    .sync = bf_sync,
				    .size = bf_size,
				    .ctx = s,
				    .wbuf = bf_wbuf};
}

void bf_store_fini(struct bf_store *s)
{
	disconnect(s);
	blkfront_pool_free(s->pool);
	s->pool = NULL;
}
