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

static int bf_io(struct bf_store *s, enum blkfront_op op, uint8_t *buf, size_t len, uint64_t off)
{
	const struct blkfront_info *in = blkfront_info(s->bf);

	if (off % in->sector_size || len % in->sector_size) {
		xacm_err("store %s: %zu bytes at %llu are not in %u-byte sectors", s->name, len,
			 (unsigned long long)off, in->sector_size);
		return ENCDOM_ERR_IO;
	}
	while (len > 0) {
		size_t n = len < in->max_bytes ? len : in->max_bytes;
		uint8_t *pages;
		int slot = blkfront_get(s->bf, &pages), rc;

		if (slot < 0)
			return ENCDOM_ERR_IO;
		if (op == BLKFRONT_WRITE)
			memcpy(pages, buf, n);
		rc = blkfront_submit(s->bf, (unsigned int)slot, op, off / SECTOR, n);
		if (rc == 0)
			rc = wait_slot(s, (unsigned int)slot);
		if (rc == 0 && op == BLKFRONT_READ)
			memcpy(buf, pages, n); /* one read of the shared pages */
		blkfront_put(s->bf, (unsigned int)slot);
		if (rc != 0) {
			xacm_err("store %s: %s of %zu bytes at %llu failed: %s", s->name,
				 op == BLKFRONT_READ ? "read" : "write", n, (unsigned long long)off,
				 strerror(-rc));
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
	rc = blkfront_submit(s->bf, (unsigned int)slot, BLKFRONT_FLUSH, 0, 0);
	if (rc == 0)
		rc = wait_slot(s, (unsigned int)slot);
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
