/* blkif_request.h - validation of blkif requests copied out of a shared ring.
 *
 * Everything a frontend writes is hostile.  The caller first copies a request
 * out of the shared ring (blkif_ring.h does that), then hands the private copy
 * to blkb_request_parse(), which validates it against the device's limits.
 * For BLKIF_OP_INDIRECT the segment list lives in pages the frontend granted;
 * a caller-supplied callback copies them into the private result before any
 * segment is looked at.  Nothing here touches shared memory.
 *
 * Units: all sector-based quantities (sector_number, first_sect, last_sect,
 * a discard's nr_sectors and the device size) are in units of the connection's
 * sector size, as blkif.h says: 512, or 4096 when the frontend has written
 * feature-large-sector-size=1.  A segment is always within one 4 KiB page, so
 * last_sect < 4096 / sector_size (7 for 512-byte sectors, 0 for 4096).
 *
 * Only the native x86_64 ring layout is supported (the build refuses any
 * other); a frontend using protocol "x86_32-abi" must be refused at connect.
 */
#ifndef XACM_BLKIF_REQUEST_H
#define XACM_BLKIF_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/io/blkif.h>

#define BLKB_PAGE_SIZE 4096u
/* Segments in one indirect page (512). */
#define BLKB_SEGS_PER_INDIRECT_PAGE (BLKB_PAGE_SIZE / sizeof(struct blkif_request_segment))
/* Most segments one indirect request can name (8 pages of 512: 4096). */
#define BLKB_MAX_INDIRECT_SEGMENTS \
	(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * BLKB_SEGS_PER_INDIRECT_PAGE)

/* What this connection offers; fixed while it is connected. */
struct blkb_limits {
	uint64_t nr_sectors;            /* device size, in sector_size units */
	uint32_t sector_size;           /* 512 or 4096 */
	uint32_t max_indirect_segments; /* feature-max-indirect-segments; 0: no indirect */
	bool readonly;
	bool flush;          /* feature-flush-cache */
	bool barrier;        /* feature-barrier */
	bool discard;        /* feature-discard */
	bool discard_secure; /* discard-secure */
};

/* 0 if lim is a configuration this code supports, else -EINVAL: sector_size
 * not 512 or 4096, max_indirect_segments above BLKB_MAX_INDIRECT_SEGMENTS, or
 * nr_sectors so large that its size in bytes overflows 64 bits. */
int blkb_limits_check(const struct blkb_limits *lim) __attribute__((warn_unused_result));

/* Copies len bytes into dst (private memory): the start of the concatenation
 * of the granted pages grefs[0..nr_pages-1].  1 <= nr_pages <= 8 and
 * (nr_pages - 1) * 4096 < len <= nr_pages * 4096.  Returns 0, or a negative
 * errno if a page cannot be read (bad grant): the request then fails. */
typedef int (*blkb_fetch_indirect_fn)(void *opaque, const grant_ref_t *grefs, unsigned int nr_pages,
				      void *dst, size_t len);

/* A validated request, in private memory. */
struct blkb_request {
	uint64_t id;            /* echoed in the response */
	uint8_t rsp_operation;  /* the operation to put in the response */
	uint8_t op;             /* BLKIF_OP_READ, _WRITE, _FLUSH_DISKCACHE, _WRITE_BARRIER,
				 * _DISCARD: never _INDIRECT */
	bool indirect;          /* arrived as BLKIF_OP_INDIRECT */
	bool discard_secure;    /* discard with BLKIF_DISCARD_SECURE, and it is offered */
	uint16_t nr_segments;   /* 0 only for a flush/barrier without data, and discard */
	uint64_t sector_number; /* first sector */
	uint64_t nr_sectors;    /* sectors transferred or discarded; 0 for a pure flush */
	struct blkif_request_segment seg[BLKB_MAX_INDIRECT_SEGMENTS];
};

/* Validate the private copy *req against *lim (which blkb_limits_check()
 * accepted).  For BLKIF_OP_INDIRECT, fetch copies the segment list into
 * out->seg first (fetch may be NULL when lim offers no indirect segments).
 *
 * A flush or barrier with segments writes them and orders/flushes as the
 * operation says; without segments it carries no data and no sector range.
 * The handle field is ignored: one ring serves one vbd.
 *
 * Error contract: out->id and out->rsp_operation are always set, so the
 * caller can answer; the rest of *out is meaningful only on 0.
 *   0            valid: perform it, then respond;
 *   -EOPNOTSUPP  unknown operation, or one this connection does not offer;
 *   -EINVAL      bad segment count, segment sectors or indirect sub-operation;
 *   -ERANGE      sectors outside the device (or overflowing);
 *   -EROFS       a write, discard or flush with data on a read-only device;
 *   -EIO         the indirect segment list could not be fetched.
 * blkb_request_status() turns any of them into the response status. */
int blkb_request_parse(const struct blkb_limits *lim, const struct blkif_request *req,
		       blkb_fetch_indirect_fn fetch, void *opaque, struct blkb_request *out)
	__attribute__((warn_unused_result));

/* BLKIF_RSP_OKAY for 0, BLKIF_RSP_EOPNOTSUPP for -EOPNOTSUPP, else BLKIF_RSP_ERROR. */
int16_t blkb_request_status(int parse_rc);

#endif
