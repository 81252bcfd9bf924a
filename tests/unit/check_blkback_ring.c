/* Unit tests of blkback-acm/blkif_ring.c on in-memory rings.  The frontend
 * side is Xen's own ring.h macros (FRONT_RING_*), so both ends use the
 * protocol as published, and blkif_ring.c is checked against it. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkif_ring.h"
#include "blkif_request.h"

/* ring.h's frontend macros need the barriers of the caller's environment. */
#define xen_mb() __sync_synchronize()
#define xen_rmb() __sync_synchronize()
#define xen_wmb() __sync_synchronize()

struct pair {
	blkif_sring_t *sring; /* exactly 4096 << order bytes, so ASan sees overruns */
	blkif_front_ring_t front;
	struct blkb_ring back;
};

static void pair_init_at(struct pair *p, unsigned int order, RING_IDX start)
{
	size_t size = 4096UL << order;

	p->sring = malloc(size);
	ck_assert_ptr_nonnull(p->sring);
	memset(p->sring, 0xa5, size); /* stale contents: must not matter */
	SHARED_RING_INIT(p->sring);
	p->sring->req_prod = p->sring->rsp_prod = start;
	p->sring->req_event = p->sring->rsp_event = start + 1;
	FRONT_RING_ATTACH(&p->front, p->sring, start, size);
	ck_assert_int_eq(
		blkb_ring_attach_at(&p->back, p->sring, order, BLKB_RING_MAX_PAGE_ORDER, start), 0);
	ck_assert_uint_eq(p->back.nr_ents, p->front.nr_ents);
}

static void pair_init(struct pair *p, unsigned int order)
{
	pair_init_at(p, order, 0);
}

static void pair_free(struct pair *p)
{
	free(p->sring);
}

/* The frontend queues a read with id and one segment; not yet pushed. */
static void front_queue(struct pair *p, uint64_t id)
{
	blkif_request_t *req;

	ck_assert(!RING_FULL(&p->front));
	req = RING_GET_REQUEST(&p->front, p->front.req_prod_pvt);
	memset(req, 0, sizeof(*req));
	req->operation = BLKIF_OP_READ;
	req->nr_segments = 1;
	req->id = id;
	req->sector_number = id % 64;
	req->seg[0].gref = (grant_ref_t)id;
	req->seg[0].last_sect = 7;
	p->front.req_prod_pvt++;
}

static int front_push(struct pair *p)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&p->front, notify);
	return notify;
}

/* The frontend takes one response; 0 if there is none. */
static int front_take(struct pair *p, blkif_response_t *rsp)
{
	if (p->front.rsp_cons == p->sring->rsp_prod)
		return 0;
	RING_COPY_RESPONSE(&p->front, p->front.rsp_cons, rsp);
	p->front.rsp_cons++;
	return 1;
}

START_TEST(normal_flow)
{
	struct pair p;
	struct blkif_request req;
	blkif_response_t rsp;
	bool more;

	pair_init(&p, 0);
	ck_assert_uint_eq(p.back.nr_ents, 32);
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 0);
	for (uint64_t id = 1; id <= 3; id++)
		front_queue(&p, id);
	ck_assert_int_eq(front_push(&p), 1); /* req_event starts at 1 */
	for (uint64_t id = 1; id <= 3; id++) {
		ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 1);
		ck_assert_uint_eq(req.id, id);
		ck_assert_uint_eq(req.operation, BLKIF_OP_READ);
		ck_assert_uint_eq(req.seg[0].gref, id);
	}
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 0);
	ck_assert_uint_eq(blkb_ring_in_flight(&p.back), 3);
	/* Responses in any order; unpublished until pushed. */
	ck_assert_int_eq(blkb_ring_respond(&p.back, 3, BLKIF_OP_READ, BLKIF_RSP_OKAY), 0);
	ck_assert_int_eq(blkb_ring_respond(&p.back, 1, BLKIF_OP_READ, BLKIF_RSP_ERROR), 0);
	ck_assert_int_eq(front_take(&p, &rsp), 0);
	ck_assert(blkb_ring_push_responses(&p.back)); /* rsp_event starts at 1 */
	ck_assert_int_eq(front_take(&p, &rsp), 1);
	ck_assert_uint_eq(rsp.id, 3);
	ck_assert_int_eq(rsp.status, BLKIF_RSP_OKAY);
	ck_assert_int_eq(front_take(&p, &rsp), 1);
	ck_assert_uint_eq(rsp.id, 1);
	ck_assert_int_eq(rsp.status, BLKIF_RSP_ERROR);
	ck_assert_uint_eq(rsp.operation, BLKIF_OP_READ);
	ck_assert_int_eq(blkb_ring_respond(&p.back, 2, BLKIF_OP_READ, BLKIF_RSP_OKAY), 0);
	/* The frontend did not re-arm rsp_event: no notification. */
	ck_assert(!blkb_ring_push_responses(&p.back));
	ck_assert_int_eq(front_take(&p, &rsp), 1);
	ck_assert_uint_eq(rsp.id, 2);
	ck_assert_uint_eq(blkb_ring_in_flight(&p.back), 0);
	/* Nothing pending: the final check arms req_event for the next one. */
	more = blkb_ring_final_check(&p.back);
	ck_assert(!more);
	ck_assert_uint_eq(p.sring->req_event, 4);
	front_queue(&p, 4);
	ck_assert_int_eq(front_push(&p), 1);
	front_queue(&p, 5);
	ck_assert_int_eq(front_push(&p), 0); /* already told */
	ck_assert(blkb_ring_final_check(&p.back));
	pair_free(&p);
}
END_TEST

START_TEST(respond_needs_a_consumed_request)
{
	struct pair p;
	struct blkif_request req;

	pair_init(&p, 0);
	ck_assert_int_eq(blkb_ring_respond(&p.back, 9, 0, 0), -ENOSPC);
	ck_assert_uint_eq(p.back.rsp_prod_pvt, 0);
	front_queue(&p, 1);
	front_push(&p);
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 1);
	ck_assert_int_eq(blkb_ring_respond(&p.back, 1, 0, 0), 0);
	ck_assert_int_eq(blkb_ring_respond(&p.back, 1, 0, 0), -ENOSPC);
	ck_assert(blkb_ring_push_responses(&p.back));
	ck_assert_uint_eq(p.sring->rsp_prod, 1);
	pair_free(&p);
}
END_TEST

START_TEST(notification_follows_rsp_event)
{
	struct pair p;
	struct blkif_request req;
	blkif_response_t rsp;
	int more;

	pair_init(&p, 0);
	for (uint64_t id = 0; id < 10; id++)
		front_queue(&p, id);
	front_push(&p);
	while (blkb_ring_next_request(&p.back, &req) == 1)
		;
	/* The frontend wants to hear only once 5 responses are there. */
	p.sring->rsp_event = 5;
	for (uint64_t id = 0; id < 4; id++)
		ck_assert_int_eq(blkb_ring_respond(&p.back, id, 0, 0), 0);
	ck_assert(!blkb_ring_push_responses(&p.back));
	ck_assert_int_eq(blkb_ring_respond(&p.back, 4, 0, 0), 0);
	ck_assert(blkb_ring_push_responses(&p.back));
	ck_assert_int_eq(blkb_ring_respond(&p.back, 5, 0, 0), 0);
	ck_assert(!blkb_ring_push_responses(&p.back));
	/* The frontend drains and re-arms with its own final check. */
	while (front_take(&p, &rsp))
		;
	RING_FINAL_CHECK_FOR_RESPONSES(&p.front, more);
	ck_assert_int_eq(more, 0);
	ck_assert_int_eq(blkb_ring_respond(&p.back, 6, 0, 0), 0);
	ck_assert(blkb_ring_push_responses(&p.back));
	/* A push with nothing new never notifies. */
	ck_assert(!blkb_ring_push_responses(&p.back));
	pair_free(&p);
}
END_TEST

START_TEST(full_ring)
{
	struct pair p;
	struct blkif_request req;
	blkif_response_t rsp;

	pair_init(&p, 0);
	for (uint64_t id = 0; id < 32; id++)
		front_queue(&p, id);
	ck_assert(RING_FULL(&p.front));
	front_push(&p);
	for (uint64_t id = 0; id < 32; id++) {
		ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 1);
		ck_assert_uint_eq(req.id, id);
	}
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 0);
	ck_assert_uint_eq(blkb_ring_in_flight(&p.back), 32);
	ck_assert(!blkb_ring_final_check(&p.back));
	/* One answer frees one slot; the frontend reuses it. */
	ck_assert_int_eq(blkb_ring_respond(&p.back, 0, 0, 0), 0);
	ck_assert(blkb_ring_push_responses(&p.back));
	ck_assert_int_eq(front_take(&p, &rsp), 1);
	ck_assert_uint_eq(rsp.id, 0);
	ck_assert(!RING_FULL(&p.front));
	front_queue(&p, 32);
	ck_assert(RING_FULL(&p.front));
	front_push(&p);
	ck_assert(blkb_ring_final_check(&p.back));
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 1);
	ck_assert_uint_eq(req.id, 32);
	pair_free(&p);
}
END_TEST

START_TEST(indices_wrap_around)
{
	struct pair p;
	struct blkif_request req;
	blkif_response_t rsp;
	uint64_t next_id = 0, next_rsp = 0;
	int more;

	pair_init_at(&p, 0, UINT32_MAX - 40);
	/* 300 requests in batches of 7..23 cross 2^32 on every index. */
	for (unsigned int round = 0; next_id < 300; round++) {
		unsigned int batch = 7 + round % 17;

		for (unsigned int i = 0; i < batch && !RING_FULL(&p.front); i++)
			front_queue(&p, next_id++);
		front_push(&p);
		while (blkb_ring_next_request(&p.back, &req) == 1)
			ck_assert_int_eq(blkb_ring_respond(&p.back, req.id, req.operation, 0), 0);
		/* The frontend re-armed rsp_event after its last drain. */
		ck_assert(blkb_ring_push_responses(&p.back));
		while (front_take(&p, &rsp)) {
			ck_assert_uint_eq(rsp.id, next_rsp);
			next_rsp++;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&p.front, more);
		ck_assert_int_eq(more, 0);
	}
	ck_assert_uint_eq(next_rsp, next_id);
	ck_assert_uint_lt(p.back.req_cons, 1000); /* it did wrap */
	pair_free(&p);
}
END_TEST

/* The polling hint (--poll-us): it reads req_prod and nothing else. */
START_TEST(pending_is_a_hint_that_consumes_nothing)
{
	struct pair p;
	struct blkif_request req;

	pair_init(&p, 0);
	ck_assert(!blkb_ring_pending(&p.back));
	front_queue(&p, 7);
	ck_assert(!blkb_ring_pending(&p.back)); /* queued, not yet published */
	front_push(&p);
	ck_assert(blkb_ring_pending(&p.back));
	ck_assert(blkb_ring_pending(&p.back)); /* asking twice takes nothing */
	ck_assert_uint_eq(p.back.req_cons, 0);
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 1);
	ck_assert_uint_eq(req.id, 7);
	ck_assert(!blkb_ring_pending(&p.back));
	pair_free(&p);

	/* 32 consumed and unanswered: nothing more can be taken, so nothing
	 * is pending whatever req_prod says */
	pair_init(&p, 0);
	p.sring->req_prod = 32;
	for (int i = 0; i < 32; i++)
		ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 1);
	p.sring->req_prod = 40;
	ck_assert(!blkb_ring_pending(&p.back));
	pair_free(&p);

	/* An impossible index is only a hint here: taking it disconnects, and
	 * a broken ring is never pending again */
	pair_init(&p, 0);
	p.sring->req_prod = UINT32_MAX;
	ck_assert(blkb_ring_pending(&p.back));
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), -EPROTO);
	ck_assert(!blkb_ring_pending(&p.back));
	pair_free(&p);
}
END_TEST

START_TEST(impossible_producer_disconnects)
{
	struct pair p;
	struct blkif_request req;

	pair_init(&p, 0);
	p.sring->req_prod = 33; /* one more than the ring holds */
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), -EPROTO);
	ck_assert(p.back.broken);
	/* Broken for good, even if the index looks sane again. */
	p.sring->req_prod = 1;
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), -EPROTO);
	ck_assert_int_eq(blkb_ring_respond(&p.back, 1, 0, 0), -EPROTO);
	ck_assert(!blkb_ring_push_responses(&p.back));
	ck_assert(!blkb_ring_final_check(&p.back));
	pair_free(&p);

	/* Huge: far ahead (or "negative"). */
	pair_init(&p, 0);
	p.sring->req_prod = UINT32_MAX;
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), -EPROTO);
	pair_free(&p);

	/* Exactly a ring's worth of garbage is legal, and gets copied out. */
	pair_init(&p, 0);
	p.sring->req_prod = 32;
	for (int i = 0; i < 32; i++)
		ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 1);
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 0);
	/* With 32 unanswered, one more is impossible. */
	p.sring->req_prod = 33;
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), -EPROTO);
	pair_free(&p);

	/* Moving backwards, behind what was consumed. */
	pair_init(&p, 0);
	for (uint64_t id = 0; id < 5; id++)
		front_queue(&p, id);
	front_push(&p);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 1);
	p.sring->req_prod = 2;
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), -EPROTO);
	pair_free(&p);
}
END_TEST

START_TEST(requests_are_copied_once)
{
	struct pair p;
	struct blkif_request req;
	blkif_request_t *slot;

	pair_init(&p, 0);
	front_queue(&p, 7);
	front_push(&p);
	slot = RING_GET_REQUEST(&p.front, 0);
	ck_assert_int_eq(blkb_ring_next_request(&p.back, &req), 1);
	/* The frontend rewrites the slot after the copy: the copy holds. */
	slot->nr_segments = 200;
	slot->seg[0].last_sect = 200;
	slot->id = 8;
	ck_assert_uint_eq(req.id, 7);
	ck_assert_uint_eq(req.nr_segments, 1);
	ck_assert_uint_eq(req.seg[0].last_sect, 7);
	pair_free(&p);
}
END_TEST

START_TEST(multi_page_rings)
{
	static const unsigned int ents[] = {32, 64, 128, 256, 512};
	struct blkb_ring r;
	char dummy[1];

	for (unsigned int order = 0; order <= BLKB_RING_MAX_PAGE_ORDER; order++) {
		struct pair p;
		struct blkif_request req;
		blkif_response_t rsp;
		uint64_t seen = 0, queued = 0;
		int more;

		pair_init(&p, order);
		ck_assert_uint_eq(p.back.nr_ents, ents[order]);
		ck_assert_uint_eq(BLKB_RING_ENTRIES(order), ents[order]);
		/* Fill it, drain it, twice: every slot, the last one included. */
		for (int pass = 0; pass < 2; pass++) {
			while (!RING_FULL(&p.front))
				front_queue(&p, queued++);
			front_push(&p);
			while (blkb_ring_next_request(&p.back, &req) == 1) {
				ck_assert_uint_eq(req.id, seen);
				seen++;
				ck_assert_int_eq(blkb_ring_respond(&p.back, req.id, 0, 0), 0);
			}
			ck_assert(blkb_ring_push_responses(&p.back));
			while (front_take(&p, &rsp))
				;
			RING_FINAL_CHECK_FOR_RESPONSES(&p.front, more);
			ck_assert_int_eq(more, 0);
		}
		ck_assert_uint_eq(seen, 2 * ents[order]);
		pair_free(&p);
	}
	ck_assert_int_eq(blkb_ring_attach(&r, dummy, 3, 2), -EINVAL);
	ck_assert_int_eq(blkb_ring_attach(&r, dummy, 0, BLKB_RING_MAX_PAGE_ORDER + 1), -EINVAL);
	ck_assert_int_eq(blkb_ring_attach(&r, NULL, 0, 0), -EINVAL);
}
END_TEST

START_TEST(broken_ring_leaves_others_alone)
{
	struct pair good, bad;
	struct blkif_request req;
	blkif_response_t rsp;

	pair_init(&good, 1);
	pair_init(&bad, 1);
	front_queue(&good, 1);
	front_push(&good);
	bad.sring->req_prod = 1000;
	ck_assert_int_eq(blkb_ring_next_request(&bad.back, &req), -EPROTO);
	ck_assert_int_eq(blkb_ring_next_request(&good.back, &req), 1);
	ck_assert_uint_eq(req.id, 1);
	ck_assert_int_eq(blkb_ring_respond(&good.back, 1, 0, 0), 0);
	ck_assert(blkb_ring_push_responses(&good.back));
	ck_assert_int_eq(front_take(&good, &rsp), 1);
	ck_assert_uint_eq(rsp.id, 1);
	ck_assert(!good.back.broken);
	pair_free(&good);
	pair_free(&bad);
}
END_TEST

/* The loop the daemon runs: copy, validate, answer bad requests at once. */
START_TEST(every_bad_request_gets_its_error)
{
	struct blkb_limits lim = {.nr_sectors = 64, .sector_size = 512};
	struct blkb_request *out = malloc(sizeof(*out));
	struct pair p;
	struct blkif_request req;
	blkif_response_t rsp;
	unsigned int ok = 0, answered = 0;

	ck_assert_ptr_nonnull(out);
	pair_init(&p, 0);
	for (uint64_t id = 0; id < 6; id++)
		front_queue(&p, id);
	RING_GET_REQUEST(&p.front, 1)->operation = 99;             /* unknown */
	RING_GET_REQUEST(&p.front, 2)->nr_segments = 12;           /* too many */
	RING_GET_REQUEST(&p.front, 3)->seg[0].first_sect = 8;      /* beyond the page */
	RING_GET_REQUEST(&p.front, 4)->sector_number = UINT64_MAX; /* beyond the disk */
	front_push(&p);
	while (blkb_ring_next_request(&p.back, &req) == 1) {
		int rc = blkb_request_parse(&lim, &req, NULL, NULL, out);

		if (rc == 0) {
			ok++;
			continue; /* would be submitted; answered below */
		}
		ck_assert_int_eq(blkb_ring_respond(&p.back, out->id, out->rsp_operation,
						   blkb_request_status(rc)),
				 0);
	}
	ck_assert_uint_eq(ok, 2);
	ck_assert_int_eq(blkb_ring_respond(&p.back, 0, 0, 0), 0);
	ck_assert_int_eq(blkb_ring_respond(&p.back, 5, 0, 0), 0);
	ck_assert(blkb_ring_push_responses(&p.back));
	while (front_take(&p, &rsp)) {
		int16_t want = rsp.id == 1                    ? BLKIF_RSP_EOPNOTSUPP
			       : (rsp.id == 0 || rsp.id == 5) ? BLKIF_RSP_OKAY
							      : BLKIF_RSP_ERROR;

		ck_assert_int_eq(rsp.status, want);
		if (rsp.id == 1)
			ck_assert_uint_eq(rsp.operation, 99);
		answered++;
	}
	ck_assert_uint_eq(answered, 6);
	ck_assert(!p.back.broken);
	pair_free(&p);
	free(out);
}
END_TEST

START_TEST(protocol_node)
{
	ck_assert_int_eq(blkb_ring_protocol_check(NULL, 0), 0);
	ck_assert_int_eq(blkb_ring_protocol_check("", 0), 0);
	ck_assert_int_eq(blkb_ring_protocol_check("x86_64-abi", 10), 0);
	ck_assert_int_eq(blkb_ring_protocol_check("x86_32-abi", 10), -EPROTONOSUPPORT);
	ck_assert_int_eq(blkb_ring_protocol_check("x86_64-abi\n", 11), -EINVAL);
	ck_assert_int_eq(blkb_ring_protocol_check("x86_64-abi", 9), -EINVAL);
	ck_assert_int_eq(blkb_ring_protocol_check("X86_64-ABI", 10), -EINVAL);
	ck_assert_int_eq(blkb_ring_protocol_check("arm-abi", 7), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blkback_ring");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, normal_flow);
	tcase_add_test(tc, respond_needs_a_consumed_request);
	tcase_add_test(tc, notification_follows_rsp_event);
	tcase_add_test(tc, full_ring);
	tcase_add_test(tc, indices_wrap_around);
	tcase_add_test(tc, impossible_producer_disconnects);
	tcase_add_test(tc, pending_is_a_hint_that_consumes_nothing);
	tcase_add_test(tc, requests_are_copied_once);
	tcase_add_test(tc, multi_page_rings);
	tcase_add_test(tc, broken_ring_leaves_others_alone);
	tcase_add_test(tc, every_bad_request_gets_its_error);
	tcase_add_test(tc, protocol_node);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
