/* Unit tests of encdom/xen/blkfront_ring.c on in-memory rings.  The backend
 * side is played here by writing responses and rsp_prod into the shared area
 * directly, as a (possibly hostile) backend may. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkfront_ring.h"

struct fix {
	blkif_sring_t *sring; /* exactly 4096 << order bytes, so ASan sees overruns */
	struct bfr_ring r;
	RING_IDX rsp_prod; /* the backend's private producer */
};

static void fix_init(struct fix *f, unsigned int order, unsigned int slots)
{
	f->sring = malloc(4096UL << order);
	ck_assert_ptr_nonnull(f->sring);
	memset(f->sring, 0xa5, 4096UL << order); /* stale contents: must not matter */
	ck_assert_int_eq(bfr_init(&f->r, f->sring, order, slots), 0);
	f->rsp_prod = 0;
}

/* Start every index at start, as after 2^32 - n requests. */
static void fix_at(struct fix *f, RING_IDX start)
{
	f->r.req_prod_pvt = f->r.req_pushed = f->r.rsp_cons = f->r.rsp_prod = start;
	f->sring->req_prod = f->sring->rsp_prod = start;
	f->rsp_prod = start;
}

static union bfr_request rw(uint8_t op, uint64_t id)
{
	union bfr_request q;

	memset(&q, 0, sizeof(q));
	q.rw.operation = op;
	q.rw.nr_segments = 1;
	q.rw.id = id;
	return q;
}

static union bfr_request indirect(uint8_t sub, uint64_t id)
{
	union bfr_request q;

	memset(&q, 0, sizeof(q));
	q.ind.operation = BLKIF_OP_INDIRECT;
	q.ind.indirect_op = sub;
	q.ind.nr_segments = 100;
	q.ind.id = id;
	return q;
}

static void put(struct fix *f, union bfr_request q)
{
	ck_assert_int_eq(bfr_put(&f->r, &q), 0);
}

/* The backend writes one response (not yet published). */
static void respond(struct fix *f, uint64_t id, uint8_t op, int16_t status)
{
	blkif_response_t *rsp = &f->sring->ring[f->rsp_prod++ & (f->r.nr_ents - 1)].rsp;

	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
}

static void publish(struct fix *f)
{
	f->sring->rsp_prod = f->rsp_prod;
}

static int next(struct fix *f, struct bfr_done *d)
{
	return bfr_next(&f->r, d);
}

START_TEST(test_normal_flow)
{
	struct fix f;
	struct bfr_done d;

	fix_init(&f, 0, 8);
	ck_assert_uint_eq(f.r.nr_ents, 32);
	put(&f, rw(BLKIF_OP_READ, 0));
	put(&f, rw(BLKIF_OP_WRITE, 1));
	put(&f, rw(BLKIF_OP_FLUSH_DISKCACHE, 2));
	ck_assert_uint_eq(f.sring->req_prod, 0); /* not published yet */
	ck_assert(bfr_push(&f.r));               /* req_event 1: notify */
	ck_assert_uint_eq(f.sring->req_prod, 3);
	ck_assert_uint_eq(f.sring->ring[1].req.operation, BLKIF_OP_WRITE);
	ck_assert(!bfr_push(&f.r)); /* nothing new */
	ck_assert_int_eq(next(&f, &d), 0);
	respond(&f, 2, BLKIF_OP_FLUSH_DISKCACHE, BLKIF_RSP_OKAY); /* out of order */
	respond(&f, 0, BLKIF_OP_READ, BLKIF_RSP_ERROR);
	publish(&f);
	ck_assert_int_eq(next(&f, &d), 1);
	ck_assert_uint_eq(d.id, 2);
	ck_assert_int_eq(d.status, 0);
	ck_assert_int_eq(next(&f, &d), 1);
	ck_assert_uint_eq(d.id, 0);
	ck_assert_int_eq(d.status, -EIO);
	ck_assert_int_eq(next(&f, &d), 0);
	ck_assert(!bfr_final_check(&f.r));
	ck_assert_uint_eq(f.sring->rsp_event, 3); /* an event on the next one */
	put(&f, rw(BLKIF_OP_READ, 0));            /* id 0 is free again */
	ck_assert(!bfr_push(&f.r));               /* req_event 1: the backend is awake */
	put(&f, rw(BLKIF_OP_READ, 2));
	f.sring->req_event = 5; /* the backend sleeps: an event on request 5 */
	ck_assert(bfr_push(&f.r));
	respond(&f, 1, BLKIF_OP_WRITE, BLKIF_RSP_EOPNOTSUPP);
	publish(&f);
	ck_assert(bfr_final_check(&f.r));
	ck_assert_int_eq(next(&f, &d), 1);
	ck_assert_int_eq(d.status, -EOPNOTSUPP);
	respond(&f, 0, BLKIF_OP_READ, 77); /* an unknown status is an error */
	publish(&f);
	ck_assert_int_eq(next(&f, &d), 1);
	ck_assert_int_eq(d.status, -EIO);
	respond(&f, 2, BLKIF_OP_READ, BLKIF_RSP_OKAY);
	publish(&f);
	ck_assert_int_eq(next(&f, &d), 1);
	ck_assert_int_eq(next(&f, &d), 0);
	ck_assert(!f.r.broken);
	free(f.sring);
}
END_TEST

START_TEST(test_put_rules)
{
	struct fix f;
	union bfr_request q;

	fix_init(&f, 0, 4);
	put(&f, rw(BLKIF_OP_READ, 3));
	q = rw(BLKIF_OP_WRITE, 3);
	ck_assert_int_eq(bfr_put(&f.r, &q), -EBUSY); /* id in flight */
	q = rw(BLKIF_OP_READ, 4);
	ck_assert_int_eq(bfr_put(&f.r, &q), -EINVAL); /* id past the slots */
	q = rw(BLKIF_OP_DISCARD, 0);
	ck_assert_int_eq(bfr_put(&f.r, &q), -EINVAL);
	q = rw(BLKIF_OP_INDIRECT, 0);
	q.ind.indirect_op = BLKIF_OP_FLUSH_DISKCACHE;
	ck_assert_int_eq(bfr_put(&f.r, &q), -EINVAL);
	put(&f, rw(BLKIF_OP_WRITE_BARRIER, 0));
	put(&f, indirect(BLKIF_OP_READ, 1));
	put(&f, indirect(BLKIF_OP_WRITE, 2));
	ck_assert_int_eq(bfr_init(&f.r, f.sring, 0, 33), -EINVAL);
	ck_assert_int_eq(bfr_init(&f.r, f.sring, 0, 0), -EINVAL);
	ck_assert_int_eq(bfr_init(&f.r, f.sring, 5, 1), -EINVAL);
	free(f.sring);
}
END_TEST

/* Each hostile response breaks the ring, for good. */
static void expect_broken(struct fix *f)
{
	struct bfr_done d;
	union bfr_request q = rw(BLKIF_OP_READ, 7);

	ck_assert_int_eq(next(f, &d), -EPROTO);
	ck_assert(f->r.broken);
	ck_assert_int_eq(next(f, &d), -EPROTO);
	ck_assert_int_eq(bfr_put(&f->r, &q), -EPROTO);
	ck_assert(!bfr_push(&f->r));
	ck_assert(!bfr_final_check(&f->r));
	free(f->sring);
}

static void two_in_flight(struct fix *f)
{
	fix_init(f, 0, 8);
	put(f, rw(BLKIF_OP_READ, 0));
	put(f, indirect(BLKIF_OP_WRITE, 1));
	bfr_push(&f->r);
}

START_TEST(test_unknown_id)
{
	struct fix f;

	two_in_flight(&f);
	respond(&f, 5, BLKIF_OP_READ, 0); /* a slot with nothing in flight */
	publish(&f);
	expect_broken(&f);
	two_in_flight(&f);
	respond(&f, 8, BLKIF_OP_READ, 0); /* past the slots */
	publish(&f);
	expect_broken(&f);
	two_in_flight(&f);
	respond(&f, 1ull << 40, BLKIF_OP_READ, 0);
	publish(&f);
	expect_broken(&f);
}
END_TEST

START_TEST(test_double_completion)
{
	struct fix f;
	struct bfr_done d;

	two_in_flight(&f);
	respond(&f, 0, BLKIF_OP_READ, 0);
	respond(&f, 0, BLKIF_OP_READ, 0);
	publish(&f);
	ck_assert_int_eq(next(&f, &d), 1);
	expect_broken(&f);
}
END_TEST

START_TEST(test_impossible_rsp_prod)
{
	struct fix f;
	struct bfr_done d;

	two_in_flight(&f);
	f.sring->rsp_prod = 3; /* three responses to two requests */
	expect_broken(&f);
	two_in_flight(&f);
	f.sring->rsp_prod = (RING_IDX)-1; /* backwards */
	expect_broken(&f);
	/* responses for requests queued but not yet published */
	fix_init(&f, 0, 8);
	put(&f, rw(BLKIF_OP_READ, 0));
	respond(&f, 0, BLKIF_OP_READ, 0);
	publish(&f);
	ck_assert_int_eq(next(&f, &d), -EPROTO);
	free(f.sring);
}
END_TEST

START_TEST(test_wrong_operation)
{
	struct fix f;
	struct bfr_done d;

	two_in_flight(&f);
	respond(&f, 0, BLKIF_OP_WRITE, 0); /* a read answered as a write */
	publish(&f);
	expect_broken(&f);
	two_in_flight(&f);
	respond(&f, 0, BLKIF_OP_INDIRECT, 0); /* a direct read answered as indirect */
	publish(&f);
	expect_broken(&f);
	two_in_flight(&f);
	respond(&f, 1, BLKIF_OP_READ, 0); /* an indirect write answered as a read */
	publish(&f);
	expect_broken(&f);
	/* an indirect request: its sub-operation or BLKIF_OP_INDIRECT */
	two_in_flight(&f);
	respond(&f, 1, BLKIF_OP_WRITE, 0);
	publish(&f);
	ck_assert_int_eq(next(&f, &d), 1);
	put(&f, indirect(BLKIF_OP_WRITE, 1));
	bfr_push(&f.r);
	respond(&f, 1, BLKIF_OP_INDIRECT, BLKIF_RSP_ERROR);
	publish(&f);
	ck_assert_int_eq(next(&f, &d), 1);
	ck_assert_int_eq(d.status, -EIO);
	free(f.sring);
}
END_TEST

/* Every order: fill all slots, answer all, twice, indices wrapping 2^32. */
START_TEST(test_orders_and_wrap)
{
	for (unsigned int order = 0; order <= BFR_MAX_ORDER; order++) {
		struct fix f;
		struct bfr_done d;
		unsigned int n = BFR_ENTRIES(order);

		fix_init(&f, order, n);
		fix_at(&f, (RING_IDX)0 - n / 2);
		for (unsigned int round = 0; round < 2; round++) {
			union bfr_request extra = rw(BLKIF_OP_READ, 0);

			for (unsigned int id = 0; id < n; id++)
				put(&f, rw(id % 2 ? BLKIF_OP_WRITE : BLKIF_OP_READ, id));
			ck_assert_int_eq(bfr_put(&f.r, &extra), -EBUSY);
			bfr_push(&f.r);
			for (unsigned int id = n; id-- > 0;)
				respond(&f, id, id % 2 ? BLKIF_OP_WRITE : BLKIF_OP_READ, 0);
			publish(&f);
			for (unsigned int k = 0; k < n; k++) {
				ck_assert_int_eq(next(&f, &d), 1);
				ck_assert_uint_eq(d.id, n - 1 - k);
			}
			ck_assert_int_eq(next(&f, &d), 0);
		}
		ck_assert(!f.r.broken);
		free(f.sring);
	}
}
END_TEST

/* The backend holds events off: no notification until req_event is reached. */
START_TEST(test_notify_hold_off)
{
	struct fix f;

	fix_init(&f, 0, 8);
	f.sring->req_event = 3;
	put(&f, rw(BLKIF_OP_READ, 0));
	ck_assert(!bfr_push(&f.r));
	put(&f, rw(BLKIF_OP_READ, 1));
	put(&f, rw(BLKIF_OP_READ, 2));
	ck_assert(bfr_push(&f.r));
	free(f.sring);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("blkfront_ring");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_normal_flow);
	tcase_add_test(tc, test_put_rules);
	tcase_add_test(tc, test_unknown_id);
	tcase_add_test(tc, test_double_completion);
	tcase_add_test(tc, test_impossible_rsp_prod);
	tcase_add_test(tc, test_wrong_operation);
	tcase_add_test(tc, test_orders_and_wrap);
	tcase_add_test(tc, test_notify_hold_off);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return xacm_check_run(suite());
}
