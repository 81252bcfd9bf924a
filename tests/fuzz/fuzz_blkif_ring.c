/* libFuzzer target for blkback-acm/blkif_ring.c (with blkif_request.c), acting
 * as a hostile frontend.  Build and run: make fuzz-run.
 * Input: byte 0 the ring's page order, bytes 1..4 the starting index, then a
 * script of actions: write bytes into the shared area, set req_prod, consume
 * (copy + validate; bad requests answered at once, good ones held as "in
 * I/O"), complete held requests, push, final check.
 * Invariants checked: the shared area is an exact-size heap block, so ASan
 * catches any access outside it; each copy equals its slot; a request is
 * consumed only while fewer than nr_ents are unanswered; -EPROTO comes exactly
 * when the producer index is impossible, and stays; the ring never accepts
 * more responses than requests consumed; at the end, unless disconnected,
 * every consumed request was answered exactly once (rsp_prod == req_cons). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkif_request.h"
#include "blkif_ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HELD 512

static int fetch(void *opaque, const grant_ref_t *grefs, unsigned int nr_pages, void *dst,
		 size_t len)
{
	/* Indirect pages: the grant ref's low byte, repeated. */
	memset(dst, (int)(grefs[0] & 0xff), len);
	return (grefs[0] & 0x100) ? -EFAULT : 0;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct blkb_request out;
	static uint64_t held[MAX_HELD];
	struct blkb_limits lim = {.nr_sectors = 1 << 20,
				  .sector_size = 512,
				  .max_indirect_segments = 1024,
				  .flush = true,
				  .discard = true};
	struct blkb_ring r;
	struct blkif_request req;
	unsigned int order, nheld = 0;
	size_t area, pos = 5;
	RING_IDX start, consumed = 0, answered = 0;
	uint8_t *shared;
	bool broken = false;

	if (size < 5)
		return 0;
	order = data[0] % (BLKB_RING_MAX_PAGE_ORDER + 1);
	start = get32(data + 1);
	area = 4096UL << order;
	shared = calloc(1, area);
	if (shared == NULL)
		return 0;
	if (blkb_ring_attach_at(&r, shared, order, BLKB_RING_MAX_PAGE_ORDER, start) != 0)
		abort();
	((struct blkif_sring *)shared)->req_prod = start;

	while (pos < size) {
		uint8_t op = data[pos++];
		RING_IDX prod = ((struct blkif_sring *)shared)->req_prod;
		int rc;

		switch (op % 6) {
		case 0: { /* the frontend writes n bytes at offset off */
			size_t off, n;

			if (size - pos < 4)
				goto out;
			off = (data[pos] | data[pos + 1] << 8 | (size_t)data[pos + 2] << 16) % area;
			n = data[pos + 3];
			pos += 4;
			if (n > size - pos)
				n = size - pos;
			if (n > area - off)
				n = area - off;
			memcpy(shared + off, data + pos, n);
			pos += n;
			break;
		}
		case 1: /* req_prod moves by a small or arbitrary amount */
			if (size - pos < 1)
				goto out;
			if (data[pos] & 0x80) {
				if (size - pos < 5)
					goto out;
				((struct blkif_sring *)shared)->req_prod = get32(data + pos + 1);
				pos += 5;
			} else {
				((struct blkif_sring *)shared)->req_prod = prod + data[pos++];
			}
			break;
		case 2: { /* consume one */
			RING_IDX before = r.req_cons, snap = r.req_prod;
			bool fresh = before == snap;
			RING_IDX outstanding = prod - r.rsp_prod_pvt;
			bool impossible =
				outstanding > r.nr_ents || outstanding < blkb_ring_in_flight(&r);

			rc = blkb_ring_next_request(&r, &req);
			if (broken) {
				if (rc != -EPROTO)
					abort();
				break;
			}
			if (rc == -EPROTO) {
				if (!fresh || !impossible)
					abort();
				broken = true;
				break;
			}
			if (fresh && impossible)
				abort();
			if (rc == 0) {
				if (r.req_cons != before || (r.req_cons != r.req_prod &&
							     blkb_ring_in_flight(&r) < r.nr_ents))
					abort();
				break;
			}
			if (rc != 1 || r.req_cons != before + 1 ||
			    blkb_ring_in_flight(&r) > r.nr_ents)
				abort();
			if (memcmp(&req,
				   &((struct blkif_sring *)shared)->ring[before & (r.nr_ents - 1)],
				   sizeof(req)) != 0)
				abort();
			consumed++;
			rc = blkb_request_parse(&lim, &req, fetch, NULL, &out);
			if (out.id != req.id)
				abort();
			if (rc == 0 && nheld < MAX_HELD) {
				held[nheld++] = out.id; /* "in I/O" */
				break;
			}
			if (blkb_ring_respond(&r, out.id, out.rsp_operation,
					      blkb_request_status(rc)) != 0)
				abort();
			answered++;
			break;
		}
		case 3: /* a held request completes */
			if (nheld == 0) {
				/* All consumed requests are answered: no room for more. */
				if (!broken && blkb_ring_respond(&r, 0, 0, 0) != -ENOSPC)
					abort();
				break;
			}
			rc = blkb_ring_respond(&r, held[--nheld], BLKIF_OP_READ, BLKIF_RSP_OKAY);
			if (rc != (broken ? -EPROTO : 0))
				abort();
			answered++;
			break;
		case 4:
			if (blkb_ring_push_responses(&r) && broken)
				abort();
			break;
		case 5:
			/* the polling hint too: never work on a broken ring */
			if (blkb_ring_pending(&r) && broken)
				abort();
			if (blkb_ring_final_check(&r) && broken)
				abort();
			break;
		}
	}
out:
	if (!broken) {
		while (nheld > 0) {
			if (blkb_ring_respond(&r, held[--nheld], BLKIF_OP_READ, BLKIF_RSP_OKAY) !=
			    0)
				abort();
			answered++;
		}
		if (blkb_ring_respond(&r, 0, 0, 0) != -ENOSPC)
			abort();
		(void)!blkb_ring_push_responses(&r);
		if (answered != consumed ||
		    ((struct blkif_sring *)shared)->rsp_prod != start + consumed ||
		    r.req_cons != start + consumed)
			abort();
	}
	free(shared);
	return 0;
}
