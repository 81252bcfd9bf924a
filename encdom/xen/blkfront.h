/* blkfront.h - a userspace blkif frontend (xen/io/blkif.h) toward one vbd
 * whose backend is a driver domain (untrusted).
 *
 * The toolstack has created the vbd: the frontend directory (in this
 * domain's tree) with backend-id and backend nodes, and the backend directory.
 * blkfront_open connects as a frontend: the ring (1 << order pages) and a data
 * pool are shared with the backend once, with xengntshr; no grant operation
 * happens per I/O.  Each request slot owns max_bytes of granted pages: the
 * caller fills them before a write and finds a read's data there.  Those
 * pages stay shared writable: the backend can change them at any time, so
 * read each byte once (copy or decrypt out, then verify the private
 * result), never trust them after a failure, and never compute anything
 * over them that must not change meanwhile (a MAC: encrypt into a write
 * pool instead, below).
 *
 * Everything the backend writes (XenStore nodes, responses) is validated; a
 * backend that breaks the protocol or leaves Connected makes the vbd unusable
 * (-EPROTO, -ENOTCONN): close it; reconnecting is the caller's decision.
 *
 * Error contract: negative errno values; NULL with errno set from open.
 * Not thread-safe: one thread drives one vbd. */
#ifndef XACM_BLKFRONT_H
#define XACM_BLKFRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blkfront;

struct blkfront_config {
	unsigned int max_ring_order; /* at most this (and the backend's), <= 4 */
	unsigned int slots;          /* requests in flight, >= 1 (capped by the ring) */
	unsigned int max_segments;   /* pages per request (> 11 needs indirect) */
	unsigned int timeout_ms;     /* bound on each handshake wait */
	bool persistent;             /* offer feature-persistent (then no pool, below) */
	bool write_pool;             /* a pool will be used: offer feature-persistent only to a
					backend that maps read-only grants read-only */
};

enum blkfront_flush { BLKFRONT_FLUSH_NONE, BLKFRONT_FLUSH_BARRIER, BLKFRONT_FLUSH_DISKCACHE };

/* What was negotiated; the backend's values are validated and capped. */
struct blkfront_info {
	uint32_t backend_id;
	uint64_t sectors;     /* device size in 512-byte units */
	uint32_t sector_size; /* 512 .. 4096, a power of two: the I/O alignment */
	uint32_t vdisk_info;  /* the backend's info node (VDISK_*) */
	bool readonly;        /* VDISK_READONLY */
	bool persistent;      /* feature-persistent offered (blkfront_config) */
	bool persistent_ro;   /* the backend maps read-only grants read-only */
	unsigned int ring_order;
	unsigned int slots;
	unsigned int max_segments; /* 11, or the indirect maximum offered and asked */
	unsigned int indirect;     /* feature-max-indirect-segments offered (0: none) */
	enum blkfront_flush flush;
	size_t max_bytes; /* per request: max_segments pages */
};

enum blkfront_op { BLKFRONT_READ, BLKFRONT_WRITE, BLKFRONT_FLUSH };

struct blkfront_done {
	unsigned int slot;
	int status; /* 0, -EIO, or -EOPNOTSUPP */
};

/* Connect to the vbd whose frontend directory is fe_dir (e.g.
 * /local/domain/0/device/vbd/51712); blocks, each wait bounded by
 * timeout_ms.  NULL with errno: EINVAL (config, or a malformed or
 * out-of-range backend node: logged), ETIMEDOUT, ENOTCONN (the backend
 * closed), or the error of a Xen library call. */
struct blkfront *blkfront_open(const char *fe_dir, const struct blkfront_config *cfg);
/* Disconnect (Closing, Closed), unshare everything, free.  NULL: no-op. */
void blkfront_close(struct blkfront *bf);

const struct blkfront_info *blkfront_info(const struct blkfront *bf);
/* File descriptors to wait on (readable = call blkfront_complete): the
 * event channel, and the XenStore watch on the backend's state. */
int blkfront_evtchn_fd(const struct blkfront *bf);
int blkfront_xs_fd(const struct blkfront *bf);

/* A free slot (>= 0) with its granted pages in *pages (info.max_bytes
 * bytes, page-aligned), or -EBUSY when every slot is in flight or done
 * and not yet put back. */
int blkfront_get(struct blkfront *bf, uint8_t **pages) __attribute__((warn_unused_result));
/* Submit a slot from blkfront_get: read or write bytes at sector (512-byte
 * units; sector * 512 and bytes multiples of sector_size; 0 < bytes <=
 * max_bytes; within the device), or flush (bytes 0: every write completed
 * before is durable when it completes).  0, or -EINVAL, -EROFS, -EOPNOTSUPP
 * (no flush offered), -EPROTO / -ENOTCONN (vbd unusable). */
int blkfront_submit(struct blkfront *bf, unsigned int slot, enum blkfront_op op, uint64_t sector,
		    size_t bytes) __attribute__((warn_unused_result));
/* Never blocks.  Up to max finished requests into done[]; returns how many,
 * or -EPROTO (the backend broke the ring) / -ENOTCONN (it left Connected).
 * A finished slot stays the caller's until blkfront_put. */
int blkfront_complete(struct blkfront *bf, struct blkfront_done *done, unsigned int max)
	__attribute__((warn_unused_result));
void blkfront_put(struct blkfront *bf, unsigned int slot);
/* blkfront_complete, waiting up to timeout_ms for it to return non-zero:
 * 0 means the time ran out with nothing finished. */
int blkfront_wait(struct blkfront *bf, struct blkfront_done *done, unsigned int max, int timeout_ms)
	__attribute__((warn_unused_result));

/* A write pool: pages shared READ-ONLY with bf's backend, for writes sent
 * without a copy (the caller encrypts straight into them).  The backend
 * can only read them, so nothing it does changes a ciphertext while it is
 * being authenticated (a writable page would let it: AES-GCM reads its
 * output back for GHASH).  A backend that maps every persistent grant
 * writable (Linux's blkback) could not use them: NULL with EINVAL on a
 * connection with feature-persistent, unless the backend said it maps
 * read-only grants read-only (ACM_XS_VBD_PERSISTENT_RO: blkback-acm).  The pool has its own grant
 * handle and outlives bf; after a reconnection it may belong to another domain than the backend. */
struct blkfront_pool;
struct blkfront_pool *blkfront_pool_new(const struct blkfront *bf, size_t bytes);
void blkfront_pool_free(struct blkfront_pool *p);
uint8_t *blkfront_pool_base(const struct blkfront_pool *p);
/* blkfront_submit's write, but of the pool's bytes [off, off + bytes) (off
 * page-aligned) instead of slot's pages (slot still names the request).
 * Its errors, and -EXDEV when p is not shared with bf's backend or the
 * range is not in p: then send a copy through the slot's pages. */
int blkfront_submit_pool(struct blkfront *bf, unsigned int slot, uint64_t sector, size_t bytes,
			 const struct blkfront_pool *p, size_t off)
	__attribute__((warn_unused_result));

#endif
