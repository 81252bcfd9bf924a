/* store_blkfront.c - an encdom_store over a driver domain's vbd. */
#include "store_blkfront.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "xacm_log.h"

#define SECTOR 512u /* blkif request units (no feature-large-sector-size) */

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

/* One request on slot, then the slot taken again (with its pages and
 * their contents) for the next one: 0 or a negative errno.  The store's
 * blkfront has one slot, so it is the same one. */
static int bf_request(struct bf_store *s, unsigned int slot, enum blkfront_op op, uint64_t off,
		      size_t len)
{
	uint8_t *pages;
	int rc = blkfront_submit(s->bf, slot, op, off / SECTOR, len);

	if (rc == 0)
		rc = wait_slot(s, slot);
	if (rc == 0) {
		blkfront_put(s->bf, slot);
		if (blkfront_get(s->bf, &pages) != (int)slot)
			rc = -EIO;
	}
	return rc;
}

/* The core addresses bytes; the vbd, whole sectors.  Each step covers the
 * sectors of [off, off + n): a write that does not cover them whole reads
 * them first (read-modify-write; single-threaded, so nothing else changes
 * them meanwhile).  Bytes read come out of the shared pages with one copy. */
static int bf_io(struct bf_store *s, enum blkfront_op op, uint8_t *buf, size_t len, uint64_t off)
{
	const struct blkfront_info *in = blkfront_info(s->bf);
	const size_t ss = in->sector_size;

	while (len > 0) {
		const size_t head = (size_t)(off % ss);
		const uint64_t start = off - head;
		size_t span = (head + len + ss - 1) / ss * ss;
		size_t n;
		uint8_t *pages;
		int slot = blkfront_get(s->bf, &pages), rc = 0;

		if (span > in->max_bytes)
			span = in->max_bytes; /* a multiple of 4096, so of ss */
		n = span - head < len ? span - head : len;
		if (slot < 0)
			return ENCDOM_ERR_IO;
		if (op == BLKFRONT_READ || head != 0 || (head + n) % ss != 0)
			rc = bf_request(s, (unsigned int)slot, BLKFRONT_READ, start, span);
		if (rc == 0 && op == BLKFRONT_WRITE) {
			memcpy(pages + head, buf, n);
			rc = bf_request(s, (unsigned int)slot, BLKFRONT_WRITE, start, span);
		} else if (rc == 0) {
			memcpy(buf, pages + head, n);
		}
		blkfront_put(s->bf, (unsigned int)slot);
		if (rc != 0) {
			xacm_err("store %s: %s of %zu bytes at %llu failed: %s", s->name,
				 op == BLKFRONT_READ ? "read" : "write", span,
				 (unsigned long long)start, strerror(-rc));
			return ENCDOM_ERR_IO;
		}
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

static uint64_t bf_size(void *ctx)
{
	return blkfront_info(((struct bf_store *)ctx)->bf)->sectors * SECTOR;
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

/* A flush covers every write completed before it: all of them, here. */
static int bf_sync(void *ctx)
{
	struct bf_store *s = ctx;
	uint8_t *pages;
	int slot = blkfront_get(s->bf, &pages), rc;

	if (slot < 0)
		return ENCDOM_ERR_IO;
	rc = bf_request(s, (unsigned int)slot, BLKFRONT_FLUSH, 0, 0);
	blkfront_put(s->bf, (unsigned int)slot);
	if (rc != 0)
		xacm_err("store %s: flush failed: %s", s->name, strerror(-rc));
	return rc == 0 ? 0 : ENCDOM_ERR_IO;
}

void bf_store_init(struct encdom_store *st, struct bf_store *s)
{
	*st = (struct encdom_store){
		.read = bf_read, .write = bf_write, .sync = bf_sync, .size = bf_size, .ctx = s};
}
