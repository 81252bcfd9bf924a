/* Unit tests of blkback-acm/ring_shadow.c: a backend killed at any point
 * and restarted on the same shared ring and shadow area answers every
 * request the frontend sent exactly once.  The frontend is Xen's ring.h
 * (FRONT_RING_*); the shadow area is plain memory, as the daemon's file
 * mapping is to a process killed with SIGKILL. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkif_ring.h"
#include "ring_shadow.h"

#define xen_mb() __sync_synchronize()
#define xen_rmb() __sync_synchronize()
#define xen_wmb() __sync_synchronize()

#define MAX_IDS 4096

struct world {
	blkif_sring_t *sring;
	blkif_front_ring_t front;
	void *area;            /* the shadow file */
	struct blkb_ring back; /* the daemon's memory: lost at a kill */
	struct ring_shadow shadow;
	struct shadow_id id;
	uint64_t next_id;
	unsigned int answered[MAX_IDS];              /* responses the frontend got, by id */
	unsigned int held[SHADOW_MAX_ENTS], nr_held; /* records "in I/O" */
};

static void world_init(struct world *w, unsigned int order)
{
	size_t size = 4096UL << order;

	memset(w, 0, sizeof(*w));
	w->sring = malloc(size);
	ck_assert_ptr_nonnull(w->sring);
	SHARED_RING_INIT(w->sring);
	FRONT_RING_INIT(&w->front, w->sring, size);
	w->id = (struct shadow_id){.fe = 7, .devid = 51712, .order = order, .port = 9};
	w->id.ring_ref[0] = 8;
	w->area = calloc(1, shadow_size(BLKB_RING_ENTRIES(order)));
	ck_assert_ptr_nonnull(w->area);
}

static void world_free(struct world *w)
{
	free(w->sring);
	free(w->area);
}

/* (Re)start the daemon on the ring and the shadow area. */
static int daemon_start(struct world *w)
{
	ck_assert_int_eq(blkb_ring_attach(&w->back, w->sring, w->id.order, 4), 0);
	w->nr_held = 0;
	return shadow_resume(&w->shadow, w->area, &w->id, &w->back);
}

/* The frontend sends n reads (ids in order) and pushes them. */
static void front_send(struct world *w, unsigned int n)
{
	for (unsigned int i = 0; i < n && !RING_FULL(&w->front); i++) {
		blkif_request_t *req = RING_GET_REQUEST(&w->front, w->front.req_prod_pvt);

		memset(req, 0, sizeof(*req));
		req->operation = BLKIF_OP_READ;
		req->id = w->next_id++;
		req->nr_segments = 1;
		req->seg[0].last_sect = 7;
		w->front.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS(&w->front);
}

/* The frontend takes every published response. */
static void front_collect(struct world *w)
{
	while (RING_HAS_UNCONSUMED_RESPONSES(&w->front)) {
		blkif_response_t *rsp = RING_GET_RESPONSE(&w->front, w->front.rsp_cons);

		ck_assert_uint_lt(rsp->id, MAX_IDS);
		ck_assert_uint_eq(w->answered[rsp->id], 0); /* never twice */
		w->answered[rsp->id]++;
		w->front.rsp_cons++;
	}
}

/* The daemon takes up to n requests (redo first), holding them "in I/O". */
static void back_take(struct world *w, unsigned int n)
{
	unsigned int recno;

	for (unsigned int i = 0; i < n; i++) {
		if (!shadow_next_redo(&w->shadow, &recno) &&
		    shadow_consume(&w->shadow, &w->back, &recno) != 1)
			return;
		w->held[w->nr_held++] = recno;
	}
}

/* The daemon publishes its answers (whether to notify does not matter). */
static void back_push(struct world *w)
{
	bool notify = shadow_push(&w->shadow, &w->back);

	(void)notify;
}

/* The daemon answers held request k (out of order). */
static void back_answer(struct world *w, unsigned int k)
{
	unsigned int recno = w->held[k];
	const struct blkif_request *req = shadow_request(&w->shadow, recno);

	ck_assert_int_eq(shadow_respond(&w->shadow, &w->back, recno, req->id, req->operation, 0),
			 0);
	w->held[k] = w->held[--w->nr_held];
}

/* Drive everything to the end and check each id was answered once. */
static void finish_all(struct world *w)
{
	for (int round = 0;
	     round < 64 && (w->nr_held || w->front.req_prod_pvt != w->front.rsp_cons); round++) {
		back_take(w, SHADOW_MAX_ENTS);
		while (w->nr_held)
			back_answer(w, 0);
		back_push(w);
		front_collect(w);
	}
	for (uint64_t id = 0; id < w->next_id; id++)
		ck_assert_msg(w->answered[id] == 1, "id %llu answered %u times",
			      (unsigned long long)id, w->answered[id]);
}

START_TEST(fresh_area_starts_at_published_index)
{
	struct world w;

	world_init(&w, 0);
	ck_assert_int_eq(daemon_start(&w), 0);
	ck_assert_uint_eq(w.back.req_cons, 0);
	front_send(&w, 5);
	back_take(&w, 5);
	ck_assert_uint_eq(w.nr_held, 5);
	finish_all(&w);
	world_free(&w);
}
END_TEST

/* The case the old daemon got wrong: out-of-order answers, some published,
 * some written into the ring (over request slots) but not published. */
START_TEST(kill_with_unpublished_out_of_order_answers)
{
	struct world w;

	world_init(&w, 0);
	ck_assert_int_eq(daemon_start(&w), 0);
	front_send(&w, 20);
	back_take(&w, 12);
	back_answer(&w, 5); /* some answered out of order ... */
	back_answer(&w, 0);
	back_push(&w); /* ... and published */
	front_collect(&w);
	back_answer(&w, 3); /* answered, overwriting request slots, unpublished */
	back_answer(&w, 1);
	/* SIGKILL: the daemon's memory is gone; ring and shadow area stay */
	ck_assert_int_eq(daemon_start(&w), 1);
	ck_assert_uint_eq(w.shadow.nr_redo, 10); /* 12 taken, 2 published */
	front_send(&w, 30);
	finish_all(&w);
	world_free(&w);
}
END_TEST

/* Killed between each step of respond and push. */
START_TEST(kill_inside_respond_and_push)
{
	for (int where = 0; where < 4; where++) {
		struct world w;
		const struct blkif_request *req;
		unsigned int recno;

		world_init(&w, 1);
		ck_assert_int_eq(daemon_start(&w), 0);
		front_send(&w, 9);
		back_take(&w, 9);
		recno = w.held[4];
		req = shadow_request(&w.shadow, recno);
		switch (where) {
		case 0: /* response in the ring, not yet in the shadow */
			ck_assert_int_eq(blkb_ring_respond(&w.back, req->id, req->operation, 0), 0);
			break;
		case 1: /* record ANSWERED, hdr.rsp_prod_pvt not yet advanced */
			ck_assert_int_eq(shadow_respond(&w.shadow, &w.back, recno, req->id,
							req->operation, 0),
					 0);
			w.shadow.hdr->rsp_prod_pvt--;
			break;
		case 2: /* rsp_prod published, records not yet freed */
			ck_assert_int_eq(shadow_respond(&w.shadow, &w.back, recno, req->id,
							req->operation, 0),
					 0);
			{
				bool notify = blkb_ring_push_responses(&w.back);
				(void)notify;
			}
			break;
		case 3: /* consumed into a record, not yet marked IN_FLIGHT */
			front_send(&w, 1);
			ck_assert_int_eq(
				blkb_ring_next_request(
					&w.back,
					&w.shadow.rec[w.shadow.free[w.shadow.nr_free - 1]].req),
				1);
			break;
		}
		ck_assert_int_eq(daemon_start(&w), 1);
		front_collect(&w);
		finish_all(&w);
		world_free(&w);
	}
}
END_TEST

/* Many random schedules, each with kills at random points. */
START_TEST(random_schedules_with_kills)
{
	srand(1234);
	for (int run = 0; run < 300; run++) {
		struct world w;

		world_init(&w, (unsigned int)(run % 3));
		ck_assert_int_eq(daemon_start(&w), 0);
		for (int op = 0; op < 200 && w.next_id < MAX_IDS - SHADOW_MAX_ENTS; op++) {
			switch (rand() % 6) {
			case 0:
				front_send(&w, (unsigned int)(rand() % 8));
				break;
			case 1:
				back_take(&w, (unsigned int)(rand() % 8));
				break;
			case 2:
				if (w.nr_held)
					back_answer(&w, (unsigned int)rand() % w.nr_held);
				break;
			case 3:
				back_push(&w);
				break;
			case 4:
				front_collect(&w);
				break;
			case 5:
				if (rand() % 4 == 0)
					ck_assert_int_eq(daemon_start(&w), 1); /* SIGKILL */
				break;
			}
		}
		finish_all(&w);
		world_free(&w);
	}
}
END_TEST

START_TEST(another_connections_shadow_is_ignored)
{
	struct world w;

	world_init(&w, 0);
	ck_assert_int_eq(daemon_start(&w), 0);
	front_send(&w, 4);
	back_take(&w, 4);
	w.id.ring_ref[0] = 99; /* the frontend reconnected with another ring */
	ck_assert_int_eq(daemon_start(&w), 0);
	w.id.ring_ref[0] = 8;
	world_free(&w);
}
END_TEST

START_TEST(contradictions_fail_closed)
{
	struct world w;

	/* the frontend claims responses that were never written */
	world_init(&w, 0);
	ck_assert_int_eq(daemon_start(&w), 0);
	front_send(&w, 6);
	back_take(&w, 6);
	w.sring->rsp_prod = 5;
	ck_assert_int_eq(daemon_start(&w), -EPROTO);
	world_free(&w);
	/* a record in no known state */
	world_init(&w, 0);
	ck_assert_int_eq(daemon_start(&w), 0);
	front_send(&w, 3);
	back_take(&w, 3);
	w.shadow.rec[w.held[1]].state = 77;
	ck_assert_int_eq(daemon_start(&w), -EPROTO);
	world_free(&w);
	/* a request lost from the shadow */
	world_init(&w, 0);
	ck_assert_int_eq(daemon_start(&w), 0);
	front_send(&w, 3);
	back_take(&w, 3);
	w.shadow.rec[w.held[2]].state = SHADOW_FREE;
	ck_assert_int_eq(daemon_start(&w), -EPROTO);
	world_free(&w);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		fresh_area_starts_at_published_index,  kill_with_unpublished_out_of_order_answers,
		kill_inside_respond_and_push,          random_schedules_with_kills,
		another_connections_shadow_is_ignored, contradictions_fail_closed};

	return xacm_check_tests("ring_shadow", tests, sizeof(tests) / sizeof(tests[0]));
}
