/* Unit tests of blkback-acm/vbd_io.c, the data path, included whole (its
 * static functions are under test) over fake grant and event-channel calls
 * defined here, a malloc'd shared ring and a real file on io_uring.
 *
 *   - persistent grants: the daemon as a whole keeps at most its budget
 *     mapped (each is one VMA; vm.max_map_count is per process), however
 *     many vbds map them, by unmapping the least recently used idle one,
 *     of any vbd; a grant held by I/O in flight is never unmapped;
 *   - discard: a large one is served in pieces of at most
 *     VBD_DISCARD_PIECE bytes per kick, answered once all are done, so the
 *     single thread goes back to the other vbds in between. */
#include <check.h>

#include "check_main.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "../../blkback-acm/vbd_io.c"

#ifndef xen_wmb_fixed
#undef xen_mb
#undef xen_rmb
#undef xen_wmb
#define xen_mb() __sync_synchronize()
#define xen_rmb() __sync_synchronize()
#define xen_wmb() __sync_synchronize()
#endif

/* ---- fakes --------------------------------------------------------------- */
static unsigned int live_maps, peak_maps, answered_shut;
static struct {
	uint32_t fe;
	grant_ref_t gref;
} unmapped_last;

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
	uint32_t *page = malloc(4096);

	(void)xgt;
	(void)prot;
	page[0] = domid;
	page[1] = ref;
	if (++live_maps > peak_maps)
		peak_maps = live_maps;
	return page;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start, uint32_t count)
{
	(void)xgt;
	(void)count;
	unmapped_last.fe = ((uint32_t *)start)[0];
	unmapped_last.gref = ((uint32_t *)start)[1];
	free(start);
	live_maps--;
	return 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	(void)xce;
	return -1;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

bool vbd_more(const struct vbd *v, unsigned int q)
{
	return q < v->nr_queues && v->queue[q].more;
}

void vbd_shut(struct vbd *v, const char *why)
{
	(void)v;
	(void)why;
	answered_shut++;
}

bool vbd_write_node(struct vbd *v, const char *node, const char *fmt, ...)
{
	(void)v;
	(void)node;
	(void)fmt;
	return true;
}

int vbd_copy_indirect(struct vbd *v, const grant_ref_t *grefs, unsigned int nr_pages, void *dst,
		      size_t len)
{
	(void)v;
	(void)grefs;
	(void)nr_pages;
	(void)dst;
	(void)len;
	return -EIO;
}

bool vbd_copy_request(struct vbd *v, const struct blkb_request *r, uint8_t *buf, bool to_frontend)
{
	(void)v;
	(void)r;
	(void)buf;
	(void)to_frontend;
	return true;
}

/* ---- persistent grants ------------------------------------------------- */
#define NVBDS 17 /* x VBD_PGRANTS: more than a default vm.max_map_count */

static struct blkb_ctx ctx;
static struct vbd vbd[NVBDS];

static void pg_world(unsigned int budget)
{
	live_maps = peak_maps = 0;
	ctx = (struct blkb_ctx){.persistent = true, .max_persistent = budget};
	for (unsigned int i = 0; i < NVBDS; i++) {
		vbd[i] = (struct vbd){.ctx = &ctx, .fe = i + 1, .persistent = true, .fd = -1};
		ck_assert_int_eq(vbd_io_init(&vbd[i]), 0);
	}
}

static void pg_end(void)
{
	for (unsigned int i = 0; i < NVBDS; i++)
		vbd_io_fini(&vbd[i]);
	ck_assert_uint_eq(live_maps, 0);
}

/* Map gref of v and let it go at once (idle): its page, or NULL. */
static void *touch(struct vbd *v, grant_ref_t gref)
{
	struct vbd_pgrant *held = NULL;
	void *page = pgrant_page(v, gref, false, &held);

	if (held)
		pgrant_release(v, held);
	return page;
}

/* 17 vbds of 4096 busy grants: never more than the default budget derived
 * from Linux's default vm.max_map_count (65530) mapped. */
START_TEST(default_budget_holds)
{
	const unsigned int bound = pgrant_lru_default_budget(65530);

	pg_world(0);
	for (unsigned int i = 0; i < NVBDS; i++)
		for (grant_ref_t g = 0; g < VBD_PGRANTS; g++)
			ck_assert_ptr_nonnull(touch(&vbd[i], g + 100));
	if (peak_maps > bound)
		ck_abort_msg("%u grants mapped at once, more than the bound %u (vm.max_map_count "
			     "65530)",
			     peak_maps, bound);
	pg_end();
}
END_TEST

/* A lowered budget: the least recently used idle grant goes, of any vbd;
 * one held by I/O never does; a grant that finds no room is NULL (copy). */
START_TEST(lru_across_vbds)
{
	struct vbd_pgrant *held = NULL;

	pg_world(4);
	ck_assert_ptr_nonnull(touch(&vbd[0], 1));
	ck_assert_ptr_nonnull(pgrant_page(&vbd[1], 2, false, &held)); /* in I/O */
	ck_assert_ptr_nonnull(touch(&vbd[0], 3));
	ck_assert_ptr_nonnull(touch(&vbd[2], 4));
	ck_assert_uint_eq(live_maps, 4);
	ck_assert_ptr_nonnull(touch(&vbd[0], 1)); /* used again: now the newest */
	ck_assert_ptr_nonnull(touch(&vbd[3], 5)); /* full: vbd 0's gref 3 goes */
	ck_assert_uint_eq(live_maps, 4);
	ck_assert_uint_eq(unmapped_last.fe, 1);
	ck_assert_uint_eq(unmapped_last.gref, 3);
	ck_assert_ptr_nonnull(touch(&vbd[0], 6)); /* vbd 2's gref 4 goes */
	ck_assert_uint_eq(unmapped_last.fe, 3);
	ck_assert_uint_eq(unmapped_last.gref, 4);
	ck_assert_ptr_nonnull(touch(&vbd[0], 7)); /* vbd 0's gref 1 goes, not the held 2 */
	ck_assert_uint_eq(unmapped_last.gref, 1);
	ck_assert_ptr_nonnull(touch(&vbd[0], 8)); /* vbd 3's 5 */
	ck_assert_ptr_nonnull(touch(&vbd[0], 9)); /* vbd 0's 6 */
	ck_assert_uint_eq(ctx.pgrants.evictions, 5);
	/* vbd 0's 7, 8, 9 still mapped and found by lookup after the shifts */
	for (grant_ref_t g = 7; g <= 9; g++)
		ck_assert_ptr_nonnull(touch(&vbd[0], g));
	ck_assert_uint_eq(ctx.pgrants.evictions, 5);
	ck_assert_int_eq(pgrant_lru_check(&ctx.pgrants), 0);
	/* all held: no room, nothing unmapped */
	{
		struct vbd_pgrant *h[3];

		for (grant_ref_t g = 7; g <= 9; g++)
			ck_assert_ptr_nonnull(pgrant_page(&vbd[0], g, false, &h[g - 7]));
		ck_assert_ptr_null(touch(&vbd[4], 10));
		ck_assert_uint_eq(live_maps, 4);
		for (unsigned int i = 0; i < 3; i++)
			pgrant_release(&vbd[0], h[i]);
	}
	pgrant_release(&vbd[1], held);
	ck_assert_ptr_nonnull(touch(&vbd[4], 10));
	ck_assert_uint_eq(ctx.pgrants.evictions, 6);
	/* the held one was let go last: the newest; vbd 0's 7 is the oldest */
	ck_assert_uint_eq(unmapped_last.fe, 1);
	ck_assert_uint_eq(unmapped_last.gref, 7);
	pg_end();
}
END_TEST

/* The table of one vbd stays consistent through many evictions (backward
 * shift deletion under linear probing): every mapped gref is found. */
START_TEST(table_after_evictions)
{
	pg_world(300);
	for (unsigned int round = 0; round < 20; round++)
		for (grant_ref_t g = 0; g < 1000; g += 1 + round % 3)
			ck_assert_ptr_nonnull(touch(&vbd[round % 2], g * 4096 + round));
	ck_assert_uint_le(peak_maps, 300);
	ck_assert_uint_eq(vbd[0].nr_pgrants + vbd[1].nr_pgrants, live_maps);
	for (unsigned int i = 0; i < 2; i++)
		for (unsigned int s = 0; s < VBD_PGRANT_SLOTS; s++)
			if (vbd[i].pgrant[s]) {
				unsigned int before = live_maps;

				ck_assert_ptr_eq(touch(&vbd[i], vbd[i].pgrant[s]->gref),
						 vbd[i].pgrant[s]->page);
				ck_assert_uint_eq(live_maps, before);
			}
	ck_assert_int_eq(pgrant_lru_check(&ctx.pgrants), 0);
	pg_end();
}
END_TEST

/* ---- discard in pieces -------------------------------------------------- */
#define DISK (64ull << 20)

START_TEST(discard_in_pieces)
{
	char path[] = "/tmp/check_blkback_io.XXXXXX";
	size_t ring_size = 4096;
	blkif_sring_t *sring = calloc(1, ring_size);
	blkif_front_ring_t front;
	struct vbd *v = &vbd[0];
	struct vbd_queue *q = &v->queue[0];
	struct shadow_id id = {.fe = 1, .devid = 5, .order = 0, .port = 3};
	struct blkif_request_discard *d;
	unsigned int kicks = 0;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, (off_t)DISK), 0);
	ctx = (struct blkb_ctx){.sector_size = 512};
	*v = (struct vbd){.ctx = &ctx, .fe = 1, .devid = 5, .fd = fd, .bytes = DISK};
	v->logical_sector = 512;
	v->lim =
		(struct blkb_limits){.sector_size = 512, .nr_sectors = DISK / 512, .discard = true};
	ck_assert_int_eq(vbd_io_init(v), 0);
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&front, sring, ring_size);
	ck_assert_int_eq(blkb_ring_attach(&q->ring, sring, 0, 0), 0);
	q->shadow_area = calloc(1, shadow_size(q->ring.nr_ents));
	ck_assert_int_ge(shadow_resume(&q->shadow, q->shadow_area, &id, &q->ring), 0);
	v->nr_queues = 1;

	d = (struct blkif_request_discard *)RING_GET_REQUEST(&front, front.req_prod_pvt);
	*d = (struct blkif_request_discard){.operation = BLKIF_OP_DISCARD,
					    .id = 42,
					    .sector_number = 0,
					    .nr_sectors = DISK / 512};
	front.req_prod_pvt++;
	RING_PUSH_REQUESTS(&front);
	vbd_kick(v, 0);
	if (sring->rsp_prod != 0)
		ck_abort_msg("a %llu MiB discard answered within one kick: the daemon was busy "
			     "with it alone",
			     DISK >> 20);
	for (kicks = 1; sring->rsp_prod == 0 && kicks < 1000; kicks++) {
		ck_assert(vbd_more(v, 0)); /* the main loop must come back */
		vbd_kick(v, 0);
	}
	/* one kick took it, then one per piece */
	ck_assert_uint_eq(kicks, (unsigned int)(DISK / VBD_DISCARD_PIECE) + 1);
	ck_assert_uint_eq(sring->rsp_prod, 1);
	ck_assert_uint_eq(RING_GET_RESPONSE(&front, 0)->id, 42);
	ck_assert_int_eq(RING_GET_RESPONSE(&front, 0)->status, BLKIF_RSP_OKAY);
	ck_assert(!vbd_more(v, 0));
	vbd_io_fini(v);
	free(q->shadow_area);
	free(sring);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blkback_io");
	TCase *tc = tcase_create("blkback_io");

	/* 69632 mappings under ASan on a loaded 2-core machine: past check's
	 * default 4 s */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, default_budget_holds);
	tcase_add_test(tc, lru_across_vbds);
	tcase_add_test(tc, table_after_evictions);
	tcase_add_test(tc, discard_in_pieces);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
