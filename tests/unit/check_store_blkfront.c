/* Unit tests of encdom/xen/store_blkfront.c: byte ranges on a sector
 * device through one blkfront slot, against a model; and driver-domain
 * loss: stall, reconnect and replay alone, fail over in a group.  The
 * blkfront is a mock over memory with the real slot rules (a slot must be
 * taken to be submitted; a finished one must be put back before it is
 * taken again) and a volatile cache: a lost driver domain forgets every
 * write since the last flush, as one whose disk cache died with it. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_blkfront.h"

#define DEV_BYTES (64u * 1024u)
#define MAX_BYTES 8192u

struct blkfront {
	uint8_t dev[DEV_BYTES];     /* what reads see */
	uint8_t durable[DEV_BYTES]; /* what survives a loss: as of the last flush */
	uint8_t pages[MAX_BYTES];
	struct blkfront_info info;
	enum { FREE, TAKEN, BUSY, DONE } slot_state;
	int last_status;
	unsigned int lose_at; /* lose the connection at this request (0: never) */
	unsigned int refuse;  /* the next opens that fail (not back yet) */
	bool gone;
	unsigned int opens, flushes;
	uint64_t sectors_back; /* sectors of the returning vbd (0: the same) */
};

static struct blkfront fronts[2];
static uint8_t model[DEV_BYTES];
static unsigned int requests, fail_at; /* fail request number fail_at with -EIO (0: never) */
static const struct blkfront_config cfg = {.slots = 1, .timeout_ms = 1000};

struct blkfront *blkfront_open(const char *fe_dir, const struct blkfront_config *c)
{
	struct blkfront *bf = &fronts[fe_dir[4] - '0'];

	(void)c;
	ck_assert(bf->gone);
	if (bf->refuse > 0) {
		bf->refuse--;
		errno = ENOENT;
		return NULL;
	}
	bf->gone = false;
	bf->slot_state = FREE;
	bf->opens++;
	bf->info.backend_id++; /* a driver domain that returns is a new domain */
	if (bf->sectors_back)
		bf->info.sectors = bf->sectors_back;
	return bf;
}

void blkfront_close(struct blkfront *bf)
{
	if (bf != NULL)
		bf->gone = true;
}

const struct blkfront_info *blkfront_info(const struct blkfront *bf)
{
	return &bf->info;
}

int blkfront_get(struct blkfront *bf, uint8_t **p)
{
	ck_assert(!bf->gone);
	if (bf->slot_state != FREE)
		return -EBUSY;
	bf->slot_state = TAKEN;
	*p = bf->pages;
	return 0;
}

void blkfront_put(struct blkfront *bf, unsigned int slot)
{
	ck_assert_uint_eq(slot, 0);
	if (bf->slot_state != BUSY)
		bf->slot_state = FREE;
}

/* The mock's write pool: memory, and the domain it was shared with. */
struct blkfront_pool {
	uint32_t domid;
	size_t len;
	uint8_t mem[];
};
static unsigned int pools_live; /* every pool is freed by bf_store_fini */

struct blkfront_pool *blkfront_pool_new(const struct blkfront *bf, size_t bytes)
{
	struct blkfront_pool *p = calloc(1, sizeof(*p) + bytes);

	ck_assert_ptr_nonnull(p);
	p->domid = bf->info.backend_id;
	p->len = bytes;
	pools_live++;
	return p;
}

void blkfront_pool_free(struct blkfront_pool *p)
{
	pools_live -= p != NULL;
	free(p);
}

uint8_t *blkfront_pool_base(const struct blkfront_pool *p)
{
	return (uint8_t *)p->mem;
}

static int mock_submit(struct blkfront *bf, enum blkfront_op op, uint64_t sector, size_t bytes,
		       const uint8_t *from);

int blkfront_submit(struct blkfront *bf, unsigned int slot, enum blkfront_op op, uint64_t sector,
		    size_t bytes)
{
	ck_assert_uint_eq(slot, 0);
	return mock_submit(bf, op, sector, bytes, bf->pages);
}

int blkfront_submit_pool(struct blkfront *bf, unsigned int slot, uint64_t sector, size_t bytes,
			 const struct blkfront_pool *p, size_t off)
{
	ck_assert_uint_eq(slot, 0);
	if (p->domid != bf->info.backend_id || off % 4096 || off > p->len || bytes > p->len - off)
		return -EXDEV;
	return mock_submit(bf, BLKFRONT_WRITE, sector, bytes, p->mem + off);
}

static int mock_submit(struct blkfront *bf, enum blkfront_op op, uint64_t sector, size_t bytes,
		       const uint8_t *from)
{
	ck_assert_int_eq(bf->slot_state, TAKEN);
	requests++;
	if (bf->lose_at != 0 && requests >= bf->lose_at) {
		/* the driver domain dies: its unflushed writes with it */
		bf->lose_at = 0;
		memcpy(bf->dev, bf->durable, DEV_BYTES);
		return -ENOTCONN;
	}
	if (op != BLKFRONT_FLUSH) {
		const struct blkfront_info *in = &bf->info;

		ck_assert(bytes > 0 && bytes <= in->max_bytes && bytes % in->sector_size == 0);
		ck_assert(sector * 512 % in->sector_size == 0);
		ck_assert(sector * 512 + bytes <= DEV_BYTES);
		if (op == BLKFRONT_READ)
			memcpy(bf->pages, bf->dev + sector * 512, bytes);
		else
			memcpy(bf->dev + sector * 512, from, bytes);
	} else if (requests != fail_at) {
		memcpy(bf->durable, bf->dev, DEV_BYTES);
		bf->flushes++;
	}
	bf->last_status = requests == fail_at ? -EIO : 0;
	bf->slot_state = BUSY;
	return 0;
}

int blkfront_wait(struct blkfront *bf, struct blkfront_done *done, unsigned int max, int ms)
{
	(void)max;
	(void)ms;
	ck_assert_int_eq(bf->slot_state, BUSY);
	bf->slot_state = DONE;
	done[0] = (struct blkfront_done){.slot = 0, .status = bf->last_status};
	return 1;
}

static void setup(unsigned int sector_size)
{
	memset(fronts, 0, sizeof(fronts));
	for (unsigned int f = 0; f < 2; f++) {
		fronts[f].info = (struct blkfront_info){.sectors = DEV_BYTES / 512,
							.sector_size = sector_size,
							.max_bytes = MAX_BYTES};
		for (unsigned int i = 0; i < DEV_BYTES; i++)
			fronts[f].dev[i] = fronts[f].durable[i] = model[i] = (uint8_t)(i * 7 + 3);
	}
	requests = fail_at = 0;
}

static void store(struct encdom_store *st, struct bf_store *s, unsigned int f, struct bf_group *g)
{
	static const char *const names[] = {"mock0", "mock1"};

	*s = (struct bf_store){.bf = &fronts[f], .name = names[f], .cfg = &cfg, .timeout_ms = 1000};
	if (g != NULL) {
		s->group = g;
		g->m[g->n++] = s;
	}
	bf_store_init(st, s);
}

/* A random write to st (and the model). */
static void random_write(struct encdom_store *st, size_t maxlen)
{
	static uint8_t buf[3 * MAX_BYTES];
	size_t len = 1 + (size_t)rand() % maxlen;
	uint64_t off = (uint64_t)rand() % (DEV_BYTES - len + 1);

	for (size_t j = 0; j < len; j++)
		buf[j] = (uint8_t)rand();
	ck_assert_int_eq(st->write(st->ctx, buf, len, off), 0);
	memcpy(model + off, buf, len);
}

static void random_ops(unsigned int sector_size)
{
	struct bf_store s;
	struct encdom_store st;
	static uint8_t buf[3 * MAX_BYTES];

	setup(sector_size);
	store(&st, &s, 0, NULL);
	ck_assert_uint_eq(st.size(st.ctx), DEV_BYTES);
	srand(sector_size);
	for (unsigned int i = 0; i < 2000; i++) {
		size_t len = 1 + (size_t)rand() % (i % 4 ? 200 : sizeof(buf));
		uint64_t off = (uint64_t)rand() % (DEV_BYTES - len + 1);

		if (i % 3 == 0) {
			ck_assert_int_eq(st.read(st.ctx, buf, len, off), 0);
			ck_assert(memcmp(buf, model + off, len) == 0);
		} else {
			random_write(&st, i % 4 ? 200 : sizeof(buf));
			ck_assert(memcmp(fronts[0].dev, model, DEV_BYTES) == 0);
		}
		ck_assert_int_eq(fronts[0].slot_state, FREE); /* every call gives the slot back */
	}
	ck_assert_int_eq(st.sync(st.ctx), 0);
	bf_store_fini(&s);
}

START_TEST(any_byte_range_512)
{
	random_ops(512);
}
END_TEST

START_TEST(any_byte_range_4096)
{
	random_ops(4096);
}
END_TEST

START_TEST(errors_and_bounds)
{
	struct bf_store s;
	struct encdom_store st;
	uint8_t buf[100];

	setup(512);
	store(&st, &s, 0, NULL);
	ck_assert_int_eq(st.read(st.ctx, buf, sizeof(buf), DEV_BYTES - 50), ENCDOM_ERR_TRUNCATED);
	ck_assert_int_eq(st.read(st.ctx, buf, 1, DEV_BYTES + 1), ENCDOM_ERR_TRUNCATED);
	/* a failed read of a partial write: nothing is written; a failed
	 * request (not a lost connection) does not reconnect */
	fail_at = requests + 1;
	memset(buf, 0xee, sizeof(buf));
	ck_assert_int_eq(st.write(st.ctx, buf, sizeof(buf), 700), ENCDOM_ERR_IO);
	ck_assert(memcmp(fronts[0].dev, model, DEV_BYTES) == 0);
	fronts[0].slot_state = FREE; /* a failed request's slot is the blkfront's business */
	fail_at = requests + 1;
	ck_assert_int_eq(st.sync(st.ctx), ENCDOM_ERR_IO);
	ck_assert_uint_eq(fronts[0].opens, 0);
	bf_store_fini(&s);
}
END_TEST

/* Alone: the driver domain dies at random requests (reads, writes, the
 * reads of read-modify-writes, flushes) and forgets its unflushed writes;
 * it comes back after a few refused attempts.  Every call still succeeds,
 * and after every sync the durable image is the model: no flushed write is
 * lost. */
START_TEST(stall_reconnect_replay)
{
	struct bf_store s;
	struct encdom_store st;
	static uint8_t buf[3 * MAX_BYTES];
	unsigned int losses = 0;

	setup(512);
	store(&st, &s, 0, NULL);
	srand(7);
	for (unsigned int i = 0; i < 600; i++) {
		if (i % 100 == 10) {
			fronts[0].lose_at = requests + 1 + (unsigned int)rand() % 20;
			fronts[0].refuse = (unsigned int)rand() % 2;
			losses++;
		}
		if (i % 7 == 0) {
			size_t len = 1 + (size_t)rand() % sizeof(buf);
			uint64_t off = (uint64_t)rand() % (DEV_BYTES - len + 1);

			ck_assert_int_eq(st.read(st.ctx, buf, len, off), 0);
			ck_assert(memcmp(buf, model + off, len) == 0);
		} else if (i % 11 == 0) {
			ck_assert_int_eq(st.sync(st.ctx), 0);
			ck_assert(memcmp(fronts[0].durable, model, DEV_BYTES) == 0);
			ck_assert_uint_eq(s.log_len, 0);
		} else {
			random_write(&st, i % 3 ? 300 : sizeof(buf));
		}
	}
	ck_assert_int_eq(st.sync(st.ctx), 0);
	ck_assert(memcmp(fronts[0].durable, model, DEV_BYTES) == 0);
	ck_assert_uint_eq(fronts[0].opens, losses); /* each loss hit a request */
	ck_assert(!s.absent);
	bf_store_fini(&s);
}
END_TEST

/* The replay log is bounded: writes beyond BF_LOG_MAX without a sync
 * flush first; a loss after that still loses nothing. */
START_TEST(log_bounded)
{
	struct bf_store s;
	struct encdom_store st;
	uint64_t written = 0;

	setup(4096);
	store(&st, &s, 0, NULL);
	srand(3);
	while (written < 3 * (uint64_t)BF_LOG_MAX) {
		random_write(&st, 2 * MAX_BYTES);
		ck_assert_uint_le(s.log_len, BF_LOG_MAX);
		written += 2 * MAX_BYTES; /* at least what the log takes, roughly */
	}
	ck_assert_uint_ge(fronts[0].flushes, 1);
	fronts[0].lose_at = requests + 1;
	random_write(&st, 100);
	ck_assert_int_eq(st.sync(st.ctx), 0);
	ck_assert(memcmp(fronts[0].durable, model, DEV_BYTES) == 0);
	ck_assert_uint_eq(fronts[0].opens, 1);
	bf_store_fini(&s);
}
END_TEST

/* A returning vbd of another size is refused, and the store fails closed. */
START_TEST(other_size_refused)
{
	struct bf_store s;
	struct encdom_store st;
	uint8_t buf[512];

	setup(512);
	store(&st, &s, 0, NULL);
	fronts[0].sectors_back = DEV_BYTES / 512 - 8;
	fronts[0].lose_at = requests + 1;
	ck_assert_int_eq(st.write(st.ctx, buf, sizeof(buf), 0), ENCDOM_ERR_IO);
	ck_assert_int_eq(st.read(st.ctx, buf, sizeof(buf), 0), ENCDOM_ERR_IO);
	ck_assert_int_eq(st.sync(st.ctx), ENCDOM_ERR_IO);
	ck_assert_uint_eq(fronts[0].opens, 1);
	bf_store_fini(&s);
}
END_TEST

/* A group of two: the first lost replica drops out (no reconnection);
 * its reads fail, its writes and flushes are dropped and succeed; the
 * peer has every write.  The peer, now the last one present, stalls and
 * reconnects instead of dropping out. */
START_TEST(group_failover)
{
	struct bf_group g = {0};
	struct bf_store s[2];
	struct encdom_store st[2];
	uint8_t buf[600], old[DEV_BYTES];

	setup(512);
	store(&st[0], &s[0], 0, &g);
	store(&st[1], &s[1], 1, &g);
	srand(11);
	for (unsigned int i = 0; i < 20; i++)
		for (unsigned int r = 0; r < 2; r++) {
			memset(buf, (int)i, sizeof(buf));
			ck_assert_int_eq(st[r].write(st[r].ctx, buf, sizeof(buf), i * 700), 0);
		}
	for (unsigned int i = 0; i < 20; i++)
		memset(model + i * 700, (int)i, sizeof(buf));
	fronts[0].lose_at = requests + 1;
	memset(buf, 0x5a, sizeof(buf));
	for (unsigned int r = 0; r < 2; r++)
		ck_assert_int_eq(st[r].write(st[r].ctx, buf, sizeof(buf), 100), 0);
	memcpy(model + 100, buf, sizeof(buf));
	ck_assert(s[0].absent && !s[1].absent);
	ck_assert_uint_eq(fronts[0].opens, 0);
	memcpy(old, fronts[0].dev, DEV_BYTES);
	ck_assert_int_eq(st[0].read(st[0].ctx, buf, sizeof(buf), 0), ENCDOM_ERR_IO);
	ck_assert_int_eq(st[0].write(st[0].ctx, buf, sizeof(buf), 0), 0);
	ck_assert(memcmp(old, fronts[0].dev, DEV_BYTES) == 0); /* dropped */
	memcpy(model, buf, sizeof(buf));
	ck_assert_int_eq(st[1].write(st[1].ctx, buf, sizeof(buf), 0), 0);
	for (unsigned int r = 0; r < 2; r++)
		ck_assert_int_eq(st[r].sync(st[r].ctx), 0);
	ck_assert(memcmp(fronts[1].durable, model, DEV_BYTES) == 0);
	/* the last present replica is lost: it stalls and comes back */
	fronts[1].lose_at = requests + 1;
	fronts[1].refuse = 2;
	random_write(&st[1], 2000);
	ck_assert(!s[1].absent);
	ck_assert_uint_eq(fronts[1].opens, 1);
	ck_assert_int_eq(st[1].sync(st[1].ctx), 0);
	ck_assert(memcmp(fronts[1].durable, model, DEV_BYTES) == 0);
	bf_store_fini(&s[0]);
	bf_store_fini(&s[1]);
}
END_TEST

/* The core's write queue (wbuf) lives in the store's read-only pool: its
 * writes go out without a copy; other buffers are copied.  After a
 * reconnection to a new driver domain the pool is not that domain's: its
 * writes are copied, and nothing is lost.  A failed-over store keeps its
 * pool until bf_store_fini (the core still holds it). */
START_TEST(write_pool)
{
	struct bf_group g = {0};
	struct bf_store s[2];
	struct encdom_store st[2];
	uint8_t *q, other[4096];

	setup(512);
	store(&st[0], &s[0], 0, &g);
	store(&st[1], &s[1], 1, &g);
	q = st[0].wbuf(st[0].ctx, 4 * 4096);
	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_eq(st[0].wbuf(st[0].ctx, 4 * 4096), q); /* the same on a reopen */
	memset(q, 0xc3, 4 * 4096);
	memset(model + 8192, 0xc3, 4 * 4096);
	ck_assert_int_eq(st[0].write(st[0].ctx, q, 4 * 4096, 8192), 0);
	ck_assert_uint_eq(s[0].sent_direct, 4 * 4096);
	ck_assert_uint_eq(s[0].sent_copied, 0);
	ck_assert_int_eq(st[1].write(st[1].ctx, q, 4 * 4096, 8192), 0); /* not st[1]'s pool */
	ck_assert_uint_eq(s[1].sent_direct, 0);
	ck_assert_uint_eq(s[1].sent_copied, 4 * 4096);
	memset(other, 0x3c, sizeof(other));
	memcpy(model, other, sizeof(other));
	ck_assert_int_eq(st[0].write(st[0].ctx, other, sizeof(other), 0), 0);
	ck_assert_uint_eq(s[0].sent_copied, sizeof(other));
	ck_assert(memcmp(fronts[0].dev, model, DEV_BYTES) == 0);
	/* replica 1, alone after replica 0 fails over, is lost: the new
	 * driver domain gets the pool's writes through a copy */
	fronts[0].lose_at = requests + 1;
	ck_assert_int_eq(st[0].write(st[0].ctx, q, 4096, 0), 0);
	ck_assert(s[0].absent);
	memset(q, 0x77, 4096); /* the absent store's pool is still there */
	ck_assert_ptr_nonnull(st[1].wbuf(st[1].ctx, 4096));
	q = st[1].wbuf(st[1].ctx, 4096);
	memset(q, 0x99, 4096);
	memset(model + 4096, 0x99, 4096);
	fronts[1].lose_at = requests + 1;
	ck_assert_int_eq(st[1].write(st[1].ctx, q, 4096, 4096), 0);
	ck_assert_uint_eq(fronts[1].opens, 1);
	ck_assert_uint_ge(s[1].sent_copied, 4 * 4096 + 4096);
	ck_assert_int_eq(st[1].sync(st[1].ctx), 0);
	memcpy(model, fronts[1].durable, 4096); /* block 0 went only to replica 0 */
	ck_assert(memcmp(fronts[1].durable, model, DEV_BYTES) == 0);
	bf_store_fini(&s[0]);
	bf_store_fini(&s[1]);
	ck_assert_uint_eq(pools_live, 0);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		any_byte_range_512, any_byte_range_4096, errors_and_bounds, stall_reconnect_replay,
		log_bounded,        other_size_refused,  group_failover,    write_pool};

	return xacm_check_tests("store_blkfront", tests, sizeof(tests) / sizeof(tests[0]));
}
