/* libFuzzer target for blkback-acm/blkif_request.c.  Build and run: make fuzz-run.
 * Input: 16 bytes of limits, a 112-byte request, then the bytes of the
 * indirect pages.  Invariants checked: the id is always echoed; an accepted
 * request satisfies every rule in the header (segments inside their page,
 * sectors inside the device, operation offered, nothing written to a
 * read-only device); the fetch callback is asked for a sane length only. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkif_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct pages {
	const uint8_t *data;
	size_t size;
};

static int fetch(void *opaque, const grant_ref_t *grefs, unsigned int nr_pages, void *dst,
		 size_t len)
{
	const struct pages *p = opaque;
	unsigned int i;

	if (nr_pages < 1 || nr_pages > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST ||
	    len <= (nr_pages - 1) * BLKB_PAGE_SIZE || len > nr_pages * BLKB_PAGE_SIZE)
		abort();
	for (i = 0; i < nr_pages; i++)
		if (grefs[i] & 0x80000000u)
			return -EFAULT; /* a grant that does not map */
	/* The pages are the input's tail, zero-filled past its end. */
	memset(dst, 0, len);
	memcpy(dst, p->data, p->size < len ? p->size : len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct blkb_request out;
	struct blkb_limits lim;
	struct blkif_request req;
	struct pages pages;
	uint64_t sum = 0;
	unsigned int i, spp;
	int rc;

	if (size < 16 + sizeof(req))
		return 0;
	memset(&lim, 0, sizeof(lim));
	memcpy(&lim.nr_sectors, data, 8);
	lim.nr_sectors >>= data[8] & 63; /* small devices too */
	lim.sector_size = (data[9] & 1) ? 4096 : 512;
	lim.max_indirect_segments = (uint32_t)((data[10] | data[11] << 8) % 4098);
	lim.readonly = data[12] & 1;
	lim.flush = data[12] & 2;
	lim.barrier = data[12] & 4;
	lim.discard = data[12] & 8;
	lim.discard_secure = data[12] & 16;
	if (blkb_limits_check(&lim) != 0)
		return 0;
	memcpy(&req, data + 16, sizeof(req));
	pages.data = data + 16 + sizeof(req);
	pages.size = size - 16 - sizeof(req);

	memset(&out, 0xee, sizeof(out));
	rc = blkb_request_parse(&lim, &req, (data[13] & 1) ? NULL : fetch, &pages, &out);
	if (out.id != req.id)
		abort();
	if (rc != 0 && rc != -EOPNOTSUPP && rc != -EINVAL && rc != -ERANGE && rc != -EROFS &&
	    rc != -EIO)
		abort();
	if ((blkb_request_status(rc) == BLKIF_RSP_OKAY) != (rc == 0))
		abort();
	if (rc != 0)
		return 0;

	switch (out.op) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		if (out.nr_segments == 0)
			abort();
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (!lim.flush || out.indirect)
			abort();
		break;
	case BLKIF_OP_WRITE_BARRIER:
		if (!lim.barrier || out.indirect)
			abort();
		break;
	case BLKIF_OP_DISCARD:
		if (!lim.discard || lim.readonly || out.nr_segments != 0 || out.nr_sectors == 0 ||
		    out.indirect || (out.discard_secure && !lim.discard_secure))
			abort();
		break;
	default:
		abort();
	}
	if (out.indirect ? (lim.max_indirect_segments == 0 ||
			    out.nr_segments > lim.max_indirect_segments)
			 : out.nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		abort();
	if (lim.readonly && out.op != BLKIF_OP_READ && out.nr_segments != 0)
		abort();
	spp = BLKB_PAGE_SIZE / lim.sector_size;
	for (i = 0; i < out.nr_segments; i++) {
		if (out.seg[i].first_sect > out.seg[i].last_sect || out.seg[i].last_sect >= spp)
			abort();
		sum += out.seg[i].last_sect - out.seg[i].first_sect + 1u;
	}
	if (out.op != BLKIF_OP_DISCARD && sum != out.nr_sectors)
		abort();
	if (out.nr_sectors != 0 && (out.sector_number > lim.nr_sectors ||
				    out.nr_sectors > lim.nr_sectors - out.sector_number))
		abort();
	return 0;
}
