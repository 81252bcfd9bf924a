/* libFuzzer target for blkback-acm/ring_shadow.c: a restart on a shadow
 * area and a shared ring that hold anything (a corrupted file, a hostile
 * frontend's indices).  Build and run: make fuzz-run.
 * Input: byte 0 the ring order, bytes 1..8 the ring's rsp_prod and req_prod,
 * byte 9 whether the header names this connection, then the shadow area.
 * Invariants: no access outside either area (exact-size heap blocks for
 * ASan); resume returns 0, 1 or -EPROTO; on 1, the records to run again
 * are distinct, as many as hdr.req_cons - rsp_prod, and the rest are free;
 * then consuming, answering and pushing never hand out a record twice. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkif_ring.h"
#include "ring_shadow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ring_shadow s;
	struct shadow_id id = {.fe = 1, .devid = 2, .port = 3};
	struct blkb_ring r;
	unsigned int order, recno;
	size_t area_len, ring_len;
	uint8_t seen[SHADOW_MAX_ENTS] = {0};
	struct shadow_hdr *h;
	blkif_sring_t *sring;
	int rc;

	if (size < 10)
		return 0;
	order = data[0] % (BLKB_RING_MAX_PAGE_ORDER + 1);
	id.order = order;
	ring_len = 4096UL << order;
	sring = calloc(1, ring_len);
	memcpy((uint8_t *)&sring->rsp_prod, data + 1, 4);
	memcpy((uint8_t *)&sring->req_prod, data + 5, 4);
	if (blkb_ring_attach(&r, sring, order, BLKB_RING_MAX_PAGE_ORDER) != 0)
		abort();
	area_len = shadow_size(r.nr_ents);
	h = calloc(1, area_len);
	memcpy(h, data + 10, size - 10 < area_len ? size - 10 : area_len);
	if (data[9] & 1) { /* a header of this connection, the rest as given */
		h->magic = SHADOW_MAGIC;
		h->version = SHADOW_VERSION;
		h->nr_ents = r.nr_ents;
		h->id = id;
	}
	rc = shadow_resume(&s, h, &id, &r);
	if (rc != 0 && rc != 1 && rc != -EPROTO)
		abort();
	if (rc == 1) {
		if (s.nr_redo != (RING_IDX)(r.req_cons - r.rsp_prod_pvt) ||
		    s.nr_redo + s.nr_free != r.nr_ents)
			abort();
		for (unsigned int i = 0; i < s.nr_redo; i++)
			if (s.redo[i] >= r.nr_ents || seen[s.redo[i]]++)
				abort();
	}
	if (rc >= 0) {
		/* serve whatever the ring holds: every record handed out once */
		memset(seen, 0, sizeof(seen));
		for (int i = 0; i < 2 * (int)r.nr_ents; i++) {
			const struct blkif_request *req;

			if (!shadow_next_redo(&s, &recno) && shadow_consume(&s, &r, &recno) != 1)
				break;
			if (recno >= r.nr_ents || seen[recno]++)
				abort();
			req = shadow_request(&s, recno);
			if (shadow_respond(&s, &r, recno, req->id, req->operation, 0) != 0)
				break;
		}
		if (shadow_push(&s, &r) && r.broken)
			abort();
	}
	free(h);
	free(sring);
	return 0;
}
