/* vbd_copy.c - grant copy between a frontend's pages and private memory,
 * for both data paths (blkback-acm's vbd_io.c, encdom's encdom_io.c).
 *
 * Invariant: the frontend's pages are never mapped here; each byte moves
 * once, by the hypervisor, into or out of memory only this daemon can
 * write, so what is validated or encrypted afterwards cannot change. */
#include "vbd.h"

#include <errno.h>
#include <xen/grant_table.h>

bool vbd_grant_copy(struct vbd *v, xengnttab_grant_copy_segment_t *segs, unsigned int n)
{
	if (n == 0)
		return true;
	v->stats.copy_calls++;
	v->stats.copy_segs += n;
	if (xengnttab_grant_copy(v->ctx->gt, n, segs) != 0)
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (segs[i].status != GNTST_okay)
			return false;
	return true;
}

int vbd_copy_indirect(struct vbd *v, const grant_ref_t *grefs, unsigned int nr_pages, void *dst,
		      size_t len)
{
	xengnttab_grant_copy_segment_t segs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];

	if (nr_pages > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
		return -EINVAL;
	for (unsigned int i = 0; i < nr_pages; i++) {
		size_t chunk = len - (size_t)i * BLKB_PAGE_SIZE;

		segs[i] = (xengnttab_grant_copy_segment_t){
			.source.foreign = {.ref = grefs[i], .offset = 0, .domid = (uint16_t)v->fe},
			.dest.virt = (uint8_t *)dst + (size_t)i * BLKB_PAGE_SIZE,
			.len = (uint16_t)(chunk > BLKB_PAGE_SIZE ? BLKB_PAGE_SIZE : chunk),
			.flags = GNTCOPY_source_gref,
		};
	}
	return vbd_grant_copy(v, segs, nr_pages) ? 0 : -EIO;
}

bool vbd_copy_request(struct vbd *v, const struct blkb_request *r, uint8_t *buf, bool to_frontend)
{
	static xengnttab_grant_copy_segment_t segs[BLKB_MAX_INDIRECT_SEGMENTS]; /* one thread */
	const unsigned int unit = v->lim.sector_size;

	for (unsigned int i = 0; i < r->nr_segments; i++) {
		const struct blkif_request_segment *s = &r->seg[i];
		uint16_t len = (uint16_t)((s->last_sect - s->first_sect + 1) * unit);
		union xengnttab_copy_ptr frontend = {
			.foreign = {.ref = s->gref,
				    .offset = (uint16_t)(s->first_sect * unit),
				    .domid = (uint16_t)v->fe}};
		union xengnttab_copy_ptr local = {.virt = buf};

		segs[i] = (xengnttab_grant_copy_segment_t){
			.source = to_frontend ? local : frontend,
			.dest = to_frontend ? frontend : local,
			.len = len,
			.flags = to_frontend ? GNTCOPY_dest_gref : GNTCOPY_source_gref,
		};
		buf += len;
	}
	return vbd_grant_copy(v, segs, r->nr_segments);
}
