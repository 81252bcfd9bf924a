#include "blkif_request.h"

#include <errno.h>

/* The native x86_64 layout, which the frontend and this code must share.  An
 * x86_32 frontend lays requests out differently (id at offset 4): refused. */
_Static_assert(sizeof(struct blkif_request) == 112, "x86_64 blkif_request layout");
_Static_assert(offsetof(struct blkif_request, id) == 8, "x86_64 blkif_request layout");
_Static_assert(offsetof(struct blkif_request, seg) == 24, "x86_64 blkif_request layout");
_Static_assert(sizeof(struct blkif_request_segment) == 8, "blkif segment layout");
_Static_assert(sizeof(struct blkif_request_indirect) == 64, "x86_64 indirect layout");
_Static_assert(offsetof(struct blkif_request_indirect, indirect_grefs) == 28,
	       "x86_64 indirect layout");
_Static_assert(sizeof(struct blkif_request_discard) == 32, "x86_64 discard layout");
_Static_assert(sizeof(struct blkif_response) == 16, "x86_64 blkif_response layout");

int blkb_limits_check(const struct blkb_limits *lim)
{
	if (lim == NULL || (lim->sector_size != 512 && lim->sector_size != 4096))
		return -EINVAL;
	if (lim->max_indirect_segments > BLKB_MAX_INDIRECT_SEGMENTS)
		return -EINVAL;
	if (lim->nr_sectors > UINT64_MAX / lim->sector_size)
		return -EINVAL;
	return 0;
}

int16_t blkb_request_status(int parse_rc)
{
	if (parse_rc == 0)
		return BLKIF_RSP_OKAY;
	if (parse_rc == -EOPNOTSUPP)
		return BLKIF_RSP_EOPNOTSUPP;
	return BLKIF_RSP_ERROR;
}

/* [sector, sector + count) lies inside the device, without wrapping. */
static bool in_device(const struct blkb_limits *lim, uint64_t sector, uint64_t count)
{
	return sector <= lim->nr_sectors && count <= lim->nr_sectors - sector;
}

/* Check out->seg[0..nr_segments-1] and the sector range they cover. */
static int check_segments(const struct blkb_limits *lim, struct blkb_request *out)
{
	unsigned int sectors_per_page = BLKB_PAGE_SIZE / lim->sector_size;
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < out->nr_segments; i++) {
		const struct blkif_request_segment *s = &out->seg[i];

		if (s->last_sect >= sectors_per_page || s->first_sect > s->last_sect)
			return -EINVAL;
		total += (unsigned int)(s->last_sect - s->first_sect) + 1;
	}
	out->nr_sectors = total;
	if (!in_device(lim, out->sector_number, total))
		return -ERANGE;
	return 0;
}

static int parse_discard(const struct blkb_limits *lim, const struct blkif_request *req,
			 struct blkb_request *out)
{
	struct blkif_request_discard d;

	memcpy(&d, req, sizeof(d));
	if (!lim->discard)
		return -EOPNOTSUPP;
	if (lim->readonly)
		return -EROFS;
	out->sector_number = d.sector_number;
	out->nr_sectors = d.nr_sectors;
	/* blkif.h: the secure flag is ignored unless discard-secure is offered. */
	out->discard_secure = (d.flag & BLKIF_DISCARD_SECURE) && lim->discard_secure;
	if (d.nr_sectors == 0)
		return -EINVAL;
	if (!in_device(lim, d.sector_number, d.nr_sectors))
		return -ERANGE;
	return 0;
}

static int parse_indirect(const struct blkb_limits *lim, const struct blkif_request *req,
			  blkb_fetch_indirect_fn fetch, void *opaque, struct blkb_request *out)
{
	struct blkif_request_indirect ind;
	unsigned int nr_pages;

	memcpy(&ind, req, sizeof(ind));
	if (lim->max_indirect_segments == 0 || fetch == NULL)
		return -EOPNOTSUPP;
	/* Linux blkback answers with the sub-operation; Linux blkfront accepts it. */
	if (ind.indirect_op != BLKIF_OP_READ && ind.indirect_op != BLKIF_OP_WRITE)
		return -EINVAL;
	out->rsp_operation = ind.indirect_op;
	out->op = ind.indirect_op;
	out->sector_number = ind.sector_number;
	if (ind.nr_segments == 0 || ind.nr_segments > lim->max_indirect_segments)
		return -EINVAL;
	if (out->op == BLKIF_OP_WRITE && lim->readonly)
		return -EROFS;
	out->nr_segments = ind.nr_segments;
	nr_pages =
		(ind.nr_segments + BLKB_SEGS_PER_INDIRECT_PAGE - 1) / BLKB_SEGS_PER_INDIRECT_PAGE;
	/* Copied first, into private memory; validated after. */
	if (fetch(opaque, ind.indirect_grefs, nr_pages, out->seg,
		  ind.nr_segments * sizeof(out->seg[0])) != 0)
		return -EIO;
	return check_segments(lim, out);
}

int blkb_request_parse(const struct blkb_limits *lim, const struct blkif_request *req,
		       blkb_fetch_indirect_fn fetch, void *opaque, struct blkb_request *out)
{
	unsigned int i;

	out->id = req->id;
	out->rsp_operation = req->operation;
	out->op = req->operation;
	out->indirect = false;
	out->discard_secure = false;
	out->nr_segments = 0;
	out->sector_number = 0;
	out->nr_sectors = 0;

	switch (req->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (!lim->flush)
			return -EOPNOTSUPP;
		break;
	case BLKIF_OP_WRITE_BARRIER:
		if (!lim->barrier)
			return -EOPNOTSUPP;
		break;
	case BLKIF_OP_DISCARD:
		return parse_discard(lim, req, out);
	case BLKIF_OP_INDIRECT:
		out->indirect = true;
		return parse_indirect(lim, req, fetch, opaque, out);
	default:
		return -EOPNOTSUPP;
	}

	if (req->nr_segments == 0) {
		/* Only a flush or barrier may carry no data. */
		if (req->operation == BLKIF_OP_READ || req->operation == BLKIF_OP_WRITE)
			return -EINVAL;
		return 0;
	}
	if (req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return -EINVAL;
	if (req->operation != BLKIF_OP_READ && lim->readonly)
		return -EROFS;
	out->sector_number = req->sector_number;
	out->nr_segments = req->nr_segments;
	for (i = 0; i < req->nr_segments; i++)
		out->seg[i] = req->seg[i];
	return check_segments(lim, out);
}
