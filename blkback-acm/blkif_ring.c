#include "blkif_ring.h"

#include <errno.h>
#include <xen/io/protocols.h>

/* Barriers between this process and the frontend's vCPUs (xen_rmb etc.). */
#define blkb_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define blkb_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define blkb_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static RING_IDX load_shared(const RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void store_shared(RING_IDX *p, RING_IDX v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

int blkb_ring_attach(struct blkb_ring *r, void *shared, unsigned int order, unsigned int max_order)
{
	return blkb_ring_attach_at(r, shared, order, max_order, 0);
}

int blkb_ring_attach_at(struct blkb_ring *r, void *shared, unsigned int order,
			unsigned int max_order, RING_IDX start)
{
	if (shared == NULL || max_order > BLKB_RING_MAX_PAGE_ORDER || order > max_order)
		return -EINVAL;
	r->sring = shared;
	r->nr_ents = BLKB_RING_ENTRIES(order);
	r->broken = false;
	blkb_ring_set_indices(r, start, start);
	return 0;
}

void blkb_ring_set_indices(struct blkb_ring *r, RING_IDX req_cons, RING_IDX rsp_prod)
{
	r->req_cons = req_cons;
	r->req_prod = req_cons;
	r->rsp_prod_pvt = rsp_prod;
	r->rsp_pushed = rsp_prod;
}

unsigned int blkb_ring_in_flight(const struct blkb_ring *r)
{
	return r->req_cons - r->rsp_prod_pvt;
}

/* Take and check a new snapshot of the producer index. */
static int snapshot(struct blkb_ring *r)
{
	RING_IDX prod = load_shared(&r->sring->req_prod);

	blkb_rmb(); /* read requests only after the index that covers them */
	/* Requests the frontend has outstanding (unanswered) must fit in the
	 * ring, and must include those already consumed: else it lies. */
	if (prod - r->rsp_prod_pvt > r->nr_ents ||
	    prod - r->rsp_prod_pvt < blkb_ring_in_flight(r)) {
		r->broken = true;
		return -EPROTO;
	}
	r->req_prod = prod;
	return 0;
}

int blkb_ring_next_request(struct blkb_ring *r, struct blkif_request *req)
{
	const volatile struct blkif_request *slot;

	if (r->broken)
		return -EPROTO;
	if (r->req_cons == r->req_prod && snapshot(r) != 0)
		return -EPROTO;
	if (r->req_cons == r->req_prod)
		return 0;
	/* RING_REQUEST_CONS_OVERFLOW: the slot still holds an unsent response.
	 * The snapshot check already rules this out; kept as a second line. */
	if (blkb_ring_in_flight(r) >= r->nr_ents)
		return 0;
	slot = &r->sring->ring[r->req_cons & (r->nr_ents - 1)].req;
	*req = *slot; /* one read of the shared slot: only the copy is used */
	r->req_cons++;
	return 1;
}

int blkb_ring_respond(struct blkb_ring *r, uint64_t id, uint8_t operation, int16_t status)
{
	struct blkif_response rsp;

	if (r->broken)
		return -EPROTO;
	if (blkb_ring_in_flight(r) == 0)
		return -ENOSPC;
	memset(&rsp, 0, sizeof(rsp));
	rsp.id = id;
	rsp.operation = operation;
	rsp.status = status;
	memcpy(&r->sring->ring[r->rsp_prod_pvt & (r->nr_ents - 1)].rsp, &rsp, sizeof(rsp));
	r->rsp_prod_pvt++;
	return 0;
}

bool blkb_ring_push_responses(struct blkb_ring *r)
{
	RING_IDX old = r->rsp_pushed, new = r->rsp_prod_pvt;

	if (r->broken)
		return false;
	r->rsp_pushed = new;
	blkb_wmb(); /* the frontend sees responses before the index */
	store_shared(&r->sring->rsp_prod, new);
	blkb_mb(); /* the frontend sees the index before we read rsp_event */
	return (RING_IDX)(new - load_shared(&r->sring->rsp_event)) < (RING_IDX)(new - old);
}

/* RING_HAS_UNCONSUMED_REQUESTS, on a fresh read of req_prod. */
static bool has_unconsumed(const struct blkb_ring *r)
{
	RING_IDX req = load_shared(&r->sring->req_prod) - r->req_cons;
	RING_IDX rsp = r->nr_ents - blkb_ring_in_flight(r);

	return (req < rsp ? req : rsp) != 0;
}

bool blkb_ring_pending(const struct blkb_ring *r)
{
	return !r->broken && has_unconsumed(r);
}

bool blkb_ring_final_check(struct blkb_ring *r)
{
	if (r->broken)
		return false;
	if (has_unconsumed(r))
		return true;
	store_shared(&r->sring->req_event, r->req_cons + 1);
	blkb_mb(); /* the frontend sees req_event before we look again */
	return has_unconsumed(r);
}

int blkb_ring_protocol_check(const char *value, size_t len)
{
	if (value == NULL || len == 0)
		return 0;
	if (len == strlen(XEN_IO_PROTO_ABI_X86_64) &&
	    memcmp(value, XEN_IO_PROTO_ABI_X86_64, len) == 0)
		return 0;
	if (len == strlen(XEN_IO_PROTO_ABI_X86_32) &&
	    memcmp(value, XEN_IO_PROTO_ABI_X86_32, len) == 0)
		return -EPROTONOSUPPORT;
	return -EINVAL;
}
