#include "ring_shadow.h"

#include <errno.h>
#include <string.h>

/* The shadow lives in a file mapping: a SIGKILL leaves every store done so
 * far in it, in program order as long as the compiler keeps that order. */
#define step() __atomic_signal_fence(__ATOMIC_SEQ_CST)

size_t shadow_size(unsigned int nr_ents)
{
	return sizeof(struct shadow_hdr) + (size_t)nr_ents * sizeof(struct shadow_rec);
}

static RING_IDX published_rsp_prod(const struct blkb_ring *r)
{
	return __atomic_load_n(&r->sring->rsp_prod, __ATOMIC_RELAXED);
}

static void start_fresh(struct ring_shadow *s, const struct shadow_id *id, struct blkb_ring *r)
{
	RING_IDX p = published_rsp_prod(r);

	memset(s->hdr, 0, shadow_size(s->nr_ents));
	s->hdr->version = SHADOW_VERSION;
	s->hdr->nr_ents = s->nr_ents;
	s->hdr->id = *id;
	s->hdr->req_cons = s->hdr->rsp_prod_pvt = s->hdr->rsp_pushed = p;
	step();
	s->hdr->magic = SHADOW_MAGIC;
	blkb_ring_set_indices(r, p, p);
	for (unsigned int i = 0; i < s->nr_ents; i++)
		s->free[i] = (uint16_t)(s->nr_ents - 1 - i);
	s->nr_free = s->nr_ents;
}

int shadow_resume(struct ring_shadow *s, void *area, const struct shadow_id *id,
		  struct blkb_ring *r)
{
	struct shadow_hdr *h = area;
	RING_IDX p, cons, pushed, pvt;

	memset(s, 0, sizeof(*s));
	s->hdr = h;
	s->rec = (struct shadow_rec *)(h + 1);
	s->nr_ents = r->nr_ents;
	if (h->magic != SHADOW_MAGIC || h->version != SHADOW_VERSION || h->nr_ents != r->nr_ents ||
	    memcmp(&h->id, id, sizeof(*id)) != 0) {
		start_fresh(s, id, r);
		return 0;
	}
	/* One read of the frontend's view; everything is checked against it. */
	p = published_rsp_prod(r);
	cons = h->req_cons;
	pushed = h->rsp_pushed;
	pvt = h->rsp_prod_pvt;
	if ((RING_IDX)(pvt - pushed) > s->nr_ents || (RING_IDX)(cons - pvt) > s->nr_ents ||
	    (RING_IDX)(p - pushed) > (RING_IDX)(pvt - pushed) || (RING_IDX)(cons - p) > s->nr_ents)
		return -EPROTO;
	for (unsigned int i = 0; i < s->nr_ents; i++) {
		struct shadow_rec *rec = &s->rec[i];
		/* consumed: before hdr.req_cons (a record marked IN_FLIGHT at
		 * exactly req_cons was being consumed when the daemon died).  Its
		 * age is not bounded by nr_ents: later requests may have been
		 * answered while it was in I/O. */
		bool consumed = (RING_IDX)(cons - 1 - rec->req_idx) < 0x80000000u;
		bool redo;

		if (rec->state == SHADOW_IN_FLIGHT)
			redo = consumed;
		else if (rec->state == SHADOW_ANSWERED)
			redo = consumed &&
			       (RING_IDX)(rec->rsp_idx - pushed) >= (RING_IDX)(p - pushed);
		else if (rec->state == SHADOW_FREE)
			redo = false;
		else
			return -EPROTO;
		if (redo) {
			rec->state = SHADOW_IN_FLIGHT;
			s->redo[s->nr_redo++] = (uint16_t)i;
		} else {
			rec->state = SHADOW_FREE;
			s->free[s->nr_free++] = (uint16_t)i;
		}
	}
	/* every consumed request without a published response, exactly once */
	if (s->nr_redo != (RING_IDX)(cons - p))
		return -EPROTO;
	for (unsigned int i = 1; i < s->nr_redo; i++) /* oldest first (insertion sort) */
		for (unsigned int j = i;
		     j > 0 && (RING_IDX)(s->rec[s->redo[j]].req_idx - p) <
				      (RING_IDX)(s->rec[s->redo[j - 1]].req_idx - p);
		     j--) {
			uint16_t t = s->redo[j];

			s->redo[j] = s->redo[j - 1];
			s->redo[j - 1] = t;
		}
	h->rsp_prod_pvt = p;
	step();
	h->rsp_pushed = p;
	blkb_ring_set_indices(r, cons, p);
	return 1;
}

int shadow_consume(struct ring_shadow *s, struct blkb_ring *r, unsigned int *recno)
{
	struct shadow_rec *rec;
	RING_IDX idx = r->req_cons;
	int rc;

	if (s->nr_free == 0) /* cannot happen: records == ring entries */
		return 0;
	rec = &s->rec[s->free[s->nr_free - 1]];
	rc = blkb_ring_next_request(r, &rec->req);
	if (rc != 1)
		return rc;
	*recno = s->free[--s->nr_free];
	rec->req_idx = idx;
	step();
	rec->state = SHADOW_IN_FLIGHT;
	step();
	s->hdr->req_cons = r->req_cons;
	return 1;
}

bool shadow_next_redo(struct ring_shadow *s, unsigned int *recno)
{
	if (s->redo_next == s->nr_redo)
		return false;
	*recno = s->redo[s->redo_next++];
	return true;
}

const struct blkif_request *shadow_request(const struct ring_shadow *s, unsigned int recno)
{
	return &s->rec[recno].req;
}

int shadow_respond(struct ring_shadow *s, struct blkb_ring *r, unsigned int recno, uint64_t id,
		   uint8_t operation, int16_t status)
{
	struct shadow_rec *rec;
	RING_IDX at = r->rsp_prod_pvt;
	int rc;

	if (recno >= s->nr_ents || s->rec[recno].state != SHADOW_IN_FLIGHT)
		return -EINVAL;
	rec = &s->rec[recno];
	rc = blkb_ring_respond(r, id, operation, status);
	if (rc)
		return rc;
	rec->rsp_idx = at;
	step();
	rec->state = SHADOW_ANSWERED;
	step();
	s->hdr->rsp_prod_pvt = r->rsp_prod_pvt;
	s->answered[at % s->nr_ents] = (uint16_t)recno;
	return 0;
}

bool shadow_push(struct ring_shadow *s, struct blkb_ring *r)
{
	RING_IDX from = r->rsp_pushed;
	bool notify = blkb_ring_push_responses(r);

	step();
	for (RING_IDX i = from; i != r->rsp_pushed; i++) {
		unsigned int recno = s->answered[i % s->nr_ents];

		s->rec[recno].state = SHADOW_FREE;
		s->free[s->nr_free++] = (uint16_t)recno;
	}
	step();
	s->hdr->rsp_pushed = r->rsp_pushed;
	return notify;
}
