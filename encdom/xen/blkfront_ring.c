#include "blkfront_ring.h"

#include <errno.h>
#include <string.h>

/* Barriers between this process and the backend's vCPUs (xen_rmb etc.). */
#define bfr_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define bfr_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define bfr_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define load_shared(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define store_shared(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

int bfr_init(struct bfr_ring *r, void *shared, unsigned int order, unsigned int nr_slots)
{
	if (shared == NULL || order > BFR_MAX_ORDER || nr_slots == 0 ||
	    nr_slots > BFR_ENTRIES(order))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	memset(r->pending, BFR_IDLE, sizeof(r->pending));
	r->sring = shared;
	r->nr_ents = BFR_ENTRIES(order);
	r->nr_slots = nr_slots;
	memset(shared, 0, 4096UL << order);
	/* SHARED_RING_INIT: indices 0, events on the first message */
	r->sring->req_event = 1;
	r->sring->rsp_event = 1;
	return 0;
}

int bfr_put(struct bfr_ring *r, const union bfr_request *req)
{
	uint64_t id = req->rw.id;
	uint8_t op = req->rw.operation, mark = op;

	if (r->broken)
		return -EPROTO;
	if (op == BLKIF_OP_INDIRECT)
		mark = req->ind.indirect_op | BFR_INDIRECT;
	if (id >= r->nr_slots ||
	    (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE && op != BLKIF_OP_WRITE_BARRIER &&
	     op != BLKIF_OP_FLUSH_DISKCACHE && mark != (BLKIF_OP_READ | BFR_INDIRECT) &&
	     mark != (BLKIF_OP_WRITE | BFR_INDIRECT)))
		return -EINVAL;
	if (r->pending[id] != BFR_IDLE)
		return -EBUSY;
	/* Invariant: slots in flight <= nr_slots <= nr_ents, so this cannot fail */
	if (r->req_prod_pvt - r->rsp_cons >= r->nr_ents)
		return -EBUSY;
	memcpy(&r->sring->ring[r->req_prod_pvt & (r->nr_ents - 1)].req, req, sizeof(*req));
	r->pending[id] = mark;
	r->req_prod_pvt++;
	return 0;
}

/* RING_PUSH_REQUESTS_AND_CHECK_NOTIFY */
bool bfr_push(struct bfr_ring *r)
{
	RING_IDX old = r->req_pushed, now = r->req_prod_pvt;

	if (r->broken || old == now)
		return false;
	bfr_wmb(); /* the backend sees the requests before the index */
	store_shared(&r->sring->req_prod, now);
	r->req_pushed = now;
	bfr_mb(); /* the index is visible before req_event is read */
	return (RING_IDX)(now - load_shared(&r->sring->req_event)) < (RING_IDX)(now - old);
}

int bfr_next(struct bfr_ring *r, struct bfr_done *done)
{
	struct blkif_response rsp;
	uint8_t sent;

	if (r->broken)
		return -EPROTO;
	if (r->rsp_cons == r->rsp_prod) {
		RING_IDX prod = load_shared(&r->sring->rsp_prod);

		bfr_rmb(); /* read responses only after the index that covers them */
		/* responses can exist only for published requests not yet answered */
		if (prod - r->rsp_cons > r->req_pushed - r->rsp_cons)
			goto broken;
		r->rsp_prod = prod;
		if (prod == r->rsp_cons)
			return 0;
	}
	memcpy(&rsp, (const void *)&r->sring->ring[r->rsp_cons & (r->nr_ents - 1)].rsp,
	       sizeof(rsp)); /* one read of the shared slot: only the copy is used */
	r->rsp_cons++;
	if (rsp.id >= r->nr_slots || r->pending[rsp.id] == BFR_IDLE)
		goto broken; /* unknown id, or a second answer */
	sent = r->pending[rsp.id];
	/* Linux blkback answers an indirect request with its sub-operation,
	 * blkback-acm (for a rejected one) with BLKIF_OP_INDIRECT: either. */
	if (rsp.operation != (sent & ~BFR_INDIRECT) &&
	    !((sent & BFR_INDIRECT) && rsp.operation == BLKIF_OP_INDIRECT))
		goto broken;
	r->pending[rsp.id] = BFR_IDLE;
	done->id = (unsigned int)rsp.id;
	done->status = rsp.status == BLKIF_RSP_OKAY         ? 0
		       : rsp.status == BLKIF_RSP_EOPNOTSUPP ? -EOPNOTSUPP
							    : -EIO;
	return 1;
broken:
	r->broken = true;
	return -EPROTO;
}

/* RING_FINAL_CHECK_FOR_RESPONSES */
bool bfr_final_check(struct bfr_ring *r)
{
	if (r->broken)
		return false;
	if (r->rsp_cons != r->rsp_prod || load_shared(&r->sring->rsp_prod) != r->rsp_cons)
		return true;
	store_shared(&r->sring->rsp_event, r->rsp_cons + 1);
	bfr_mb(); /* rsp_event is visible before rsp_prod is read again */
	return load_shared(&r->sring->rsp_prod) != r->rsp_cons;
}
