/* Unit tests of the encdom core volume API: format, open, read, write,
 * flush, reopen, keys and the distinct open errors. */
#include "check_encdom_util.h"
#include "vol_format.h"
#include "xc_crypto.h"

START_TEST(unwritten_blocks_read_as_zeros)
{
	struct tvol t = {0};
	struct encdom_vol *v;
	uint8_t buf[4 * ENCDOM_BLOCK], zero[4 * ENCDOM_BLOCK] = {0};

	tvol_make(&t, 1, 100, 0);
	v = tvol_open(&t);
	memset(buf, 0xaa, sizeof(buf));
	ck_assert_int_eq(encdom_read(v, 96, 4, buf), 0);
	ck_assert_mem_eq(buf, zero, sizeof(buf));
	ck_assert_int_eq(encdom_read(v, 97, 4, buf), ENCDOM_ERR_INVAL);
	ck_assert_int_eq(encdom_close(v), 0);
	tvol_rm(&t);
}
END_TEST

START_TEST(write_read_flush_reopen)
{
	struct tvol t = {0};
	struct encdom_vol *v;
	uint8_t *buf = malloc(70 * ENCDOM_BLOCK), *got = malloc(70 * ENCDOM_BLOCK);
	struct encdom_info info;

	tvol_make(&t, 1, 300, 0);
	v = tvol_open(&t);
	for (uint64_t b = 0; b < 70; b++)
		pattern(buf + b * ENCDOM_BLOCK, b + 200, 1);
	ck_assert_int_eq(encdom_write(v, 200, 70, buf), 0); /* crosses batches */
	ck_assert_int_eq(encdom_read(v, 200, 70, got), 0);
	ck_assert_mem_eq(buf, got, 70 * ENCDOM_BLOCK);
	ck_assert_int_eq(encdom_flush(v), 0);
	encdom_get_info(v, &info);
	ck_assert_uint_ge(info.seq, 2);
	ck_assert_int_eq(encdom_close(v), 0);
	v = tvol_open(&t);
	memset(got, 0, 70 * ENCDOM_BLOCK);
	ck_assert_int_eq(encdom_read(v, 200, 70, got), 0);
	ck_assert_mem_eq(buf, got, 70 * ENCDOM_BLOCK);
	encdom_get_info(v, &info);
	ck_assert_uint_eq(info.bad_chunks, 0);
	ck_assert_uint_eq(info.nblocks, 300);
	/* The data area holds no plaintext. */
	ck_assert_int_eq(encdom_close(v), 0);
	{
		FILE *f = fopen(t.path[0], "rb");
		struct vol_layout l;
		uint8_t ct[ENCDOM_BLOCK];

		ck_assert_int_eq(vol_layout_init(&l, 300, vol_default_jblocks(300)), 0);
		ck_assert_ptr_nonnull(f);
		ck_assert_int_eq(fseek(f, (long)(l.data_off + 200 * ENCDOM_BLOCK), SEEK_SET), 0);
		ck_assert_uint_eq(fread(ct, 1, sizeof(ct), f), sizeof(ct));
		ck_assert(memcmp(ct, buf, ENCDOM_BLOCK) != 0);
		fclose(f);
	}
	free(buf);
	free(got);
	tvol_rm(&t);
}
END_TEST

static uint64_t *nonces;
static size_t nnonces;
static void record_nonce(void *ctx, enum encdom_event ev, uint64_t a, uint64_t b)
{
	(void)ctx;
	(void)b;
	if (ev == ENCDOM_EV_NONCE && nnonces < 100000)
		nonces[nnonces++] = a;
}

START_TEST(counters_never_repeat_across_reopen_and_journal_wrap)
{
	struct tvol t = {0};
	struct encdom_vol *v;
	uint8_t buf[ENCDOM_BLOCK];

	nonces = calloc(100000, sizeof(*nonces));
	nnonces = 0;
	tvol_make(&t, 1, 64, 8); /* 8 journal blocks: wraps often */
	for (int round = 0; round < 3; round++) {
		int rc = encdom_open(&v, t.paths, 1, t.key, &t.anchor, record_nonce, NULL, t.err);

		ck_assert_msg(rc == 0, "%s", t.err);
		for (uint32_t i = 0; i < 2000; i++) {
			pattern(buf, i % 64, i);
			ck_assert_int_eq(encdom_write(v, i % 64, 1, buf), 0);
			if (i % 300 == 0)
				ck_assert_int_eq(encdom_flush(v), 0);
		}
		ck_assert_int_eq(encdom_close(v), 0);
	}
	ck_assert_uint_eq(nnonces, 6000);
	for (size_t i = 1; i < nnonces; i++)
		ck_assert_uint_gt(nonces[i], nonces[i - 1]);
	v = tvol_open(&t);
	for (uint64_t b = 0; b < 64; b++) {
		uint8_t want[ENCDOM_BLOCK];

		pattern(want, b, (b < 2000 % 64 ? 1984 : 1920) + (uint32_t)b);
		ck_assert_int_eq(encdom_read(v, b, 1, buf), 0);
		ck_assert_mem_eq(buf, want, ENCDOM_BLOCK);
	}
	ck_assert_int_eq(encdom_close(v), 0);
	free(nonces);
	tvol_rm(&t);
}
END_TEST

START_TEST(lease_is_renewed_durably_before_use)
{
	struct tvol t = {0};
	struct encdom_vol *v;
	struct encdom_info info;
	uint8_t *buf = calloc(256, ENCDOM_BLOCK), ab[ENCDOM_ANCHOR_LEN];
	struct vol_commit anc;
	int rc;

	nonces = calloc(100000, sizeof(*nonces));
	nnonces = 0;
	tvol_make(&t, 1, 1024, 0);
	rc = encdom_open(&v, t.paths, 1, t.key, &t.anchor, record_nonce, NULL, t.err);
	ck_assert_msg(rc == 0, "%s", t.err);
	/* 70,000 blocks without a FLUSH: more than one lease of 65,536. */
	for (int i = 0; i < 274; i++)
		ck_assert_int_eq(encdom_write(v, (uint64_t)(i % 4) * 256, 256, buf), 0);
	encdom_get_info(v, &info);
	/* The anchor on disk already covers every counter handed out. */
	ck_assert_int_eq(t.anchor.load(t.anchor.ctx, ab), 0);
	ck_assert_int_eq(vol_commit_parse(ab, VOL_COMMIT_ANCHOR, &anc), 0);
	ck_assert_uint_eq(nnonces, 274 * 256);
	ck_assert_uint_lt(nonces[nnonces - 1], anc.lease_hwm);
	ck_assert_uint_eq(anc.lease_hwm, info.lease_hwm);
	ck_assert_uint_gt(anc.lease_hwm, 65536 + 1);
	for (size_t i = 1; i < nnonces; i++)
		ck_assert_uint_eq(nonces[i], nonces[i - 1] + 1);
	ck_assert_int_eq(encdom_close(v), 0);
	free(nonces);
	free(buf);
	tvol_rm(&t);
}
END_TEST

/* Random writes, reads, flushes and reopens against a model of the volume. */
START_TEST(random_operations_match_a_model)
{
	enum { NBLK = 300 };
	struct tvol t = {0};
	struct encdom_vol *v;
	uint32_t *model = calloc(NBLK, sizeof(uint32_t)), ver = 0;
	uint8_t *buf = malloc(40 * ENCDOM_BLOCK), *want = malloc(40 * ENCDOM_BLOCK);
	unsigned int seed = 42;

	tvol_make(&t, 2, NBLK, 8);
	v = tvol_open(&t);
	for (int op = 0; op < 3000; op++) {
		unsigned int kind = (unsigned int)rand_r(&seed) % 100;
		uint32_t n = 1 + (uint32_t)rand_r(&seed) % 40;
		uint64_t b = (uint64_t)rand_r(&seed) % (NBLK - n + 1);

		if (kind < 45) {
			for (uint32_t i = 0; i < n; i++) {
				pattern(buf + i * ENCDOM_BLOCK, b + i, ++ver);
				model[b + i] = ver;
			}
			ck_assert_int_eq(encdom_write(v, b, n, buf), 0);
		} else if (kind < 90) {
			for (uint32_t i = 0; i < n; i++)
				if (model[b + i])
					pattern(want + i * ENCDOM_BLOCK, b + i, model[b + i]);
				else
					memset(want + i * ENCDOM_BLOCK, 0, ENCDOM_BLOCK);
			ck_assert_msg(encdom_read(v, b, n, buf) == 0, "op %d: %s", op,
				      encdom_errmsg(v));
			ck_assert_mem_eq(buf, want, n * ENCDOM_BLOCK);
		} else if (kind < 97) {
			ck_assert_int_eq(encdom_flush(v), 0);
		} else {
			ck_assert_int_eq(encdom_close(v), 0);
			v = tvol_open(&t);
		}
	}
	ck_assert_int_eq(encdom_close(v), 0);
	free(model);
	free(buf);
	free(want);
	tvol_rm(&t);
}
END_TEST

/* A store in memory, through the store interface. */
struct mem {
	uint8_t *p;
	size_t size;
	int syncs;
	uint8_t *wq; /* what mem_wbuf gave (NULL: none) */
	size_t wq_len;
	size_t from_wq; /* bytes written straight from it */
};
static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct mem *m = ctx;

	if (off > m->size || len > m->size - off)
		return ENCDOM_ERR_TRUNCATED;
	memcpy(buf, m->p + off, len);
	return 0;
}
static int mem_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct mem *m = ctx;

	if (off > m->size || len > m->size - off)
		return ENCDOM_ERR_IO;
	if (m->wq && (const uint8_t *)buf >= m->wq && (const uint8_t *)buf < m->wq + m->wq_len)
		m->from_wq += len;
	memcpy(m->p + off, buf, len);
	return 0;
}
static void *mem_wbuf(void *ctx, size_t len)
{
	struct mem *m = ctx;

	if (m->wq == NULL)
		m->wq = malloc(len);
	m->wq_len = len;
	return m->wq;
}
static int mem_sync(void *ctx)
{
	((struct mem *)ctx)->syncs++;
	return 0;
}
static uint64_t mem_size(void *ctx)
{
	return ((struct mem *)ctx)->size;
}

START_TEST(memory_stores)
{
	struct tvol t = {0};
	struct mem m[2] = {{.p = calloc(1, 2u << 20), .size = 2u << 20},
			   {.p = calloc(1, 2u << 20), .size = 2u << 20}};
	/* replica 0 offers memory for the write queue (wbuf), replica 1 not */
	struct encdom_store st[2] = {{mem_read, mem_write, mem_sync, mem_size, &m[0], mem_wbuf},
				     {mem_read, mem_write, mem_sync, mem_size, &m[1], NULL}};
	struct encdom_geometry g = {.nblocks = 400, .journal_blocks = 8};
	struct encdom_vol *v;
	uint8_t buf[ENCDOM_BLOCK], want[ENCDOM_BLOCK];

	tvol_paths(&t, 1);
	ck_assert_int_eq(encdom_format_stores(st, 2, &g, t.key, NULL, &t.anchor, t.err), 0);
	ck_assert_int_eq(encdom_open_stores(&v, st, 2, t.key, &t.anchor, NULL, NULL, t.err), 0);
	pattern(want, 399, 5);
	ck_assert_int_eq(encdom_write(v, 399, 1, want), 0);
	ck_assert_int_eq(encdom_read(v, 399, 1, buf), 0); /* from the queue */
	ck_assert_mem_eq(buf, want, sizeof(buf));
	ck_assert_uint_eq(m[0].from_wq, 0);
	ck_assert_int_eq(encdom_flush(v), 0);
	ck_assert_int_ge(m[0].syncs, 2);
	/* the sealed block went out of replica 0's own memory (copied for 1) */
	ck_assert_uint_eq(m[0].from_wq, ENCDOM_BLOCK);
	ck_assert_ptr_nonnull(memmem(m[1].p, m[1].size, m[0].wq, ENCDOM_BLOCK));
	ck_assert_int_eq(encdom_close(v), 0);
	ck_assert_mem_eq(m[0].p, m[1].p, 2u << 20);
	ck_assert_int_eq(encdom_open_stores(&v, st, 2, t.key, &t.anchor, NULL, NULL, t.err), 0);
	ck_assert_int_eq(encdom_read(v, 399, 1, buf), 0);
	ck_assert_mem_eq(buf, want, sizeof(buf));
	ck_assert_int_eq(encdom_close(v), 0);
	/* Too small a store: named by its index. */
	m[1].size = 4096 * 300;
	ck_assert_int_eq(encdom_open_stores(&v, st, 2, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(t.err, "replica 1"));
	free(m[0].p);
	free(m[1].p);
	free(m[0].wq);
	tvol_rm(&t);
}
END_TEST

/* The file anchor: two slots written alternately; a torn slot leaves the
 * previous record; nothing valid is an error.  Run on the plain file anchor
 * and on the kept-open one (which must re-read the file after a load). */
static void anchor_slots(struct tvol *tp, const struct encdom_anchor *an)
{
	struct tvol t = *tp;
	struct encdom_anchor anc = *an;
	uint8_t a[ENCDOM_ANCHOR_LEN], b[ENCDOM_ANCHOR_LEN], got[ENCDOM_ANCHOR_LEN];
	struct stat st;

	t.anchor = anc;
	memset(a, 0xa1, sizeof(a));
	memset(b, 0xb2, sizeof(b));
	ck_assert_int_eq(t.anchor.load(t.anchor.ctx, got), ENCDOM_ERR_ANCHOR);
	ck_assert_int_eq(t.anchor.store(t.anchor.ctx, a), 0);
	ck_assert_int_eq(t.anchor.load(t.anchor.ctx, got), 0);
	ck_assert_mem_eq(got, a, sizeof(a));
	ck_assert_int_eq(t.anchor.store(t.anchor.ctx, b), 0);
	ck_assert_int_eq(t.anchor.load(t.anchor.ctx, got), 0);
	ck_assert_mem_eq(got, b, sizeof(b));
	ck_assert_int_eq(stat(t.anchor_path, &st), 0);
	ck_assert_int_eq(st.st_size, 1024);
	/* b went to slot 1; tear it: a comes back.  Then a third store goes to
	 * slot 1 again (slot 0 holds the newest valid record). */
	flip_bit(t.anchor_path, 512 + 100, 0);
	ck_assert_int_eq(t.anchor.load(t.anchor.ctx, got), 0);
	ck_assert_mem_eq(got, a, sizeof(a));
	ck_assert_int_eq(t.anchor.store(t.anchor.ctx, b), 0);
	ck_assert_int_eq(t.anchor.load(t.anchor.ctx, got), 0);
	ck_assert_mem_eq(got, b, sizeof(b));
	flip_bit(t.anchor_path, 10, 0);
	ck_assert_int_eq(t.anchor.load(t.anchor.ctx, got), 0);
	ck_assert_mem_eq(got, b, sizeof(b));
	flip_bit(t.anchor_path, 512 + 300, 0); /* the generation */
	ck_assert_int_eq(t.anchor.load(t.anchor.ctx, got), ENCDOM_ERR_ANCHOR);
}

START_TEST(anchor_file_slots)
{
	struct tvol t = {0};

	tvol_paths(&t, 1);
	anchor_slots(&t, &t.anchor);
	tvol_rm(&t);
}
END_TEST

/* The kept-open anchor: same slots; many updates without re-reading
 * alternate slots; a volume runs on it across close and reopen. */
START_TEST(anchor_file_kept_open)
{
	struct tvol t = {0};
	struct encdom_anchor k;
	uint8_t a[ENCDOM_ANCHOR_LEN], got[ENCDOM_ANCHOR_LEN], buf[ENCDOM_BLOCK];
	struct encdom_vol *v;

	tvol_paths(&t, 1);
	ck_assert_int_eq(encdom_anchor_file_open(&k, t.anchor_path), 0);
	anchor_slots(&t, &k);
	for (int i = 0; i < 5; i++) {
		memset(a, i, sizeof(a));
		ck_assert_int_eq(k.store(k.ctx, a), 0);
	}
	ck_assert_int_eq(t.anchor.load(t.anchor.ctx, got), 0); /* the plain reader */
	ck_assert_mem_eq(got, a, sizeof(a));
	encdom_anchor_file_close(&k);
	unlink(t.anchor_path);
	ck_assert_int_eq(encdom_anchor_file_open(&t.anchor, t.anchor_path), 0);
	{
		struct encdom_geometry g = {.nblocks = 64, .journal_blocks = 8};

		ck_assert_int_eq(encdom_format(t.paths, 1, &g, t.key, NULL, &t.anchor, t.err), 0);
	}
	v = tvol_open(&t);
	for (uint64_t b = 0; b < 64; b++) {
		memset(buf, (int)b, sizeof(buf));
		ck_assert_int_eq(encdom_write(v, b, 1, buf), 0);
		if (b % 3 == 0)
			ck_assert_int_eq(encdom_flush(v), 0);
	}
	ck_assert_int_eq(encdom_close(v), 0);
	v = tvol_open(&t);
	for (uint64_t b = 0; b < 64; b++) {
		ck_assert_int_eq(encdom_read(v, b, 1, buf), 0);
		ck_assert_int_eq(buf[4095], (uint8_t)b);
	}
	ck_assert_int_eq(encdom_close(v), 0);
	encdom_anchor_file_close(&t.anchor);
	tvol_rm(&t);
}
END_TEST

START_TEST(distinct_open_errors)
{
	struct tvol t = {0}, other = {0};
	struct encdom_vol *v = NULL;
	uint8_t bad_key[ENCDOM_KEY_LEN];

	tvol_make(&t, 1, 32, 0);
	tvol_make(&other, 1, 32, 0);
	memcpy(bad_key, t.key, sizeof(bad_key));
	bad_key[5] ^= 1;
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, bad_key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_KEY);
	ck_assert_ptr_null(v);
	ck_assert_ptr_nonnull(strstr(t.err, "wrong key"));
	/* The anchor of another volume. */
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &other.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_VOLUME);
	ck_assert_ptr_nonnull(strstr(t.err, "another volume"));
	/* A replica of another volume next to a good one. */
	{
		const char *mixed[2] = {t.path[0], other.path[0]};

		ck_assert_int_eq(encdom_open(&v, mixed, 2, t.key, &t.anchor, NULL, NULL, t.err),
				 ENCDOM_ERR_VOLUME);
	}
	/* No anchor. */
	unlink(other.anchor_path);
	ck_assert_int_eq(
		encdom_open(&v, other.paths, 1, other.key, &other.anchor, NULL, NULL, t.err),
		ENCDOM_ERR_ANCHOR);
	/* A corrupted header. */
	flip_bit(t.path[0], 33, 2);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_HEADER);
	ck_assert_ptr_nonnull(strstr(t.err, "header"));
	flip_bit(t.path[0], 33, 2);
	/* Not a volume at all. */
	flip_bit(t.path[0], 0, 0);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_HEADER);
	flip_bit(t.path[0], 0, 0);
	v = tvol_open(&t);
	ck_assert_int_eq(encdom_close(v), 0);
	ck_assert_str_eq(encdom_strerror(ENCDOM_ERR_ROLLBACK), "volume rolled back");
	tvol_rm(&t);
	tvol_rm(&other);
}
END_TEST

/* An anchor that records every (sequence, root) stored, over the file
 * anchor. */
struct seq_anchor {
	struct encdom_anchor file;
	uint64_t seq[4096];
	uint8_t root[4096][32];
	size_t n;
};

static int seq_load(void *ctx, uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	struct seq_anchor *a = ctx;

	return a->file.load(a->file.ctx, buf);
}

static int seq_store(void *ctx, const uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	struct seq_anchor *a = ctx;
	struct vol_commit c;

	ck_assert_int_eq(vol_commit_parse(buf, VOL_COMMIT_ANCHOR, &c), 0);
	ck_assert_uint_lt(a->n, 4096);
	a->seq[a->n] = c.seq;
	memcpy(a->root[a->n++], c.root, 32);
	return a->file.store(a->file.ctx, buf);
}

/* An 8-block journal and 300 writes per FLUSH: draining the queue makes
 * commits of its own to free the journal, inside the FLUSH's commit. */
START_TEST(anchor_sequence_strictly_increases)
{
	static struct seq_anchor sa;
	struct tvol t = {0};
	struct encdom_vol *v;
	uint8_t buf[ENCDOM_BLOCK];

	tvol_paths(&t, 1);
	sa.file = t.anchor;
	sa.n = 0;
	t.anchor = (struct encdom_anchor){seq_load, seq_store, &sa};
	{
		struct encdom_geometry g = {.nblocks = 64, .journal_blocks = 8};

		ck_assert_int_eq(encdom_format(t.paths, 1, &g, t.key, NULL, &t.anchor, t.err), 0);
	}
	for (int round = 0; round < 2; round++) {
		v = tvol_open(&t);
		for (uint32_t i = 0; i < 2000; i++) {
			pattern(buf, i % 64, i);
			ck_assert_int_eq(encdom_write(v, i % 64, 1, buf), 0);
			if (i % 300 == 299)
				ck_assert_msg(encdom_flush(v) == 0, "%s", encdom_errmsg(v));
		}
		ck_assert_int_eq(encdom_close(v), 0);
	}
	ck_assert_uint_gt(sa.n, 20);
	for (size_t i = 1; i < sa.n; i++)
		ck_assert_msg(sa.seq[i] > sa.seq[i - 1],
			      "store %zu: sequence %llu after %llu (roots %s)", i,
			      (unsigned long long)sa.seq[i], (unsigned long long)sa.seq[i - 1],
			      memcmp(sa.root[i], sa.root[i - 1], 32) ? "differ" : "equal");
	tvol_rm(&t);
}
END_TEST

/* An anchor record of volume uuid byte u at sequence seq. */
static void anchor_rec(uint8_t rec[static ENCDOM_ANCHOR_LEN], uint8_t u, uint64_t seq)
{
	struct vol_commit c = {.seq = seq, .ctr_commit = 1, .lease_hwm = 1};
	uint8_t mk[32] = {0};

	memset(c.uuid, u, sizeof(c.uuid));
	vol_commit_encode(&c, VOL_COMMIT_ANCHOR, mk, rec);
}

/* The file anchor, plain and kept open, refuses a record of the same
 * volume whose sequence does not increase; another volume's starts anew. */
static void refuses_old_sequence(struct encdom_anchor *a, const char *path)
{
	uint8_t rec[ENCDOM_ANCHOR_LEN], got[ENCDOM_ANCHOR_LEN];

	unlink(path);
	anchor_rec(rec, 1, 5);
	ck_assert_int_eq(a->store(a->ctx, rec), 0);
	anchor_rec(rec, 1, 5);
	ck_assert_int_eq(a->store(a->ctx, rec), ENCDOM_ERR_ANCHOR_SEQ);
	anchor_rec(rec, 1, 4);
	ck_assert_int_eq(a->store(a->ctx, rec), ENCDOM_ERR_ANCHOR_SEQ);
	ck_assert_int_eq(a->load(a->ctx, got), 0);
	ck_assert_uint_eq(vol_get64(got + 32), 5);
	anchor_rec(rec, 1, 6);
	ck_assert_int_eq(a->store(a->ctx, rec), 0);
	anchor_rec(rec, 1, 6);
	ck_assert_int_eq(a->store(a->ctx, rec), ENCDOM_ERR_ANCHOR_SEQ);
	anchor_rec(rec, 2, 1);
	ck_assert_int_eq(a->store(a->ctx, rec), 0);
	ck_assert_str_eq(encdom_strerror(ENCDOM_ERR_ANCHOR_SEQ),
			 "trust anchor refused a sequence that does not increase");
}

START_TEST(anchor_refuses_sequence_that_does_not_increase)
{
	struct tvol t = {0};
	struct encdom_anchor k;

	tvol_paths(&t, 1);
	refuses_old_sequence(&t.anchor, t.anchor_path);
	ck_assert_int_eq(encdom_anchor_file_open(&k, t.anchor_path), 0);
	refuses_old_sequence(&k, t.anchor_path);
	encdom_anchor_file_close(&k);
	tvol_rm(&t);
}
END_TEST

static void read_at(const char *path, uint64_t off, uint8_t *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* Two volumes formatted with the same key file, written the same way,
 * use the same counters: their key streams must differ all the same. */
START_TEST(volumes_with_one_key_do_not_share_a_key_stream)
{
	struct tvol t[2];
	uint8_t pt[2][ENCDOM_BLOCK], ct[2][ENCDOM_BLOCK];
	struct encdom_info info[2];
	struct vol_layout l;
	size_t same = 0;

	memset(t, 0, sizeof(t));
	ck_assert_int_eq(vol_layout_init(&l, 64, 8), 0);
	for (int i = 0; i < 2; i++) {
		struct encdom_vol *v;

		tvol_make(&t[i], 1, 64, 8);
		v = tvol_open(&t[i]);
		pattern(pt[i], 7, (uint32_t)i + 1);
		ck_assert_int_eq(encdom_write(v, 7, 1, pt[i]), 0);
		encdom_get_info(v, &info[i]);
		ck_assert_int_eq(encdom_close(v), 0);
		read_at(t[i].path[0], l.data_off + 7 * ENCDOM_BLOCK, ct[i], ENCDOM_BLOCK);
	}
	ck_assert_mem_eq(t[0].key, t[1].key, ENCDOM_KEY_LEN);
	ck_assert_uint_eq(info[0].next_ctr, info[1].next_ctr); /* same counter, same nonce */
	for (size_t j = 0; j < ENCDOM_BLOCK; j++)
		same += (ct[0][j] ^ ct[1][j]) == (pt[0][j] ^ pt[1][j]);
	ck_assert_msg(same < ENCDOM_BLOCK / 16,
		      "%zu of 4096 bytes: ct xor = pt xor (same key stream)", same);
	tvol_rm(&t[0]);
	tvol_rm(&t[1]);
}
END_TEST

/* A format-1 volume (data under the key file's key itself) is refused
 * with what to do, not as a corrupted header. */
START_TEST(format_1_volume_is_refused_with_the_migration)
{
	struct tvol t = {0};
	struct encdom_vol *v = NULL;
	uint8_t hb[ENCDOM_BLOCK];
	int fd;

	tvol_make(&t, 1, 32, 0);
	read_at(t.path[0], 0, hb, sizeof(hb));
	vol_put32(hb + 8, 1);
	xc_sha256(hb, 112, hb + 112);
	fd = open(t.path[0], O_WRONLY);
	ck_assert_int_eq(pwrite(fd, hb, sizeof(hb), 0), (ssize_t)sizeof(hb));
	close(fd);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_HEADER);
	ck_assert_ptr_null(v);
	ck_assert_msg(strstr(t.err, "format version 1") && strstr(t.err, "migrate"), "%s", t.err);
	vol_put32(hb + 8, 3);
	xc_sha256(hb, 112, hb + 112);
	fd = open(t.path[0], O_WRONLY);
	ck_assert_int_eq(pwrite(fd, hb, sizeof(hb), 0), (ssize_t)sizeof(hb));
	close(fd);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_HEADER);
	ck_assert_ptr_nonnull(strstr(t.err, "corrupted or not an xacm volume"));
	tvol_rm(&t);
}
END_TEST

START_TEST(key_files_raw_and_wrapped)
{
	struct tvol t = {0};
	char raw[320], wrapped[320];
	uint8_t key[ENCDOM_KEY_LEN], uuid[ENCDOM_UUID_LEN] = {1, 2, 3},
				     other[ENCDOM_UUID_LEN] = {9};

	tvol_paths(&t, 1);
	snprintf(raw, sizeof(raw), "%s/raw.key", t.dir);
	snprintf(wrapped, sizeof(wrapped), "%s/wrapped.key", t.dir);
	ck_assert_int_eq(encdom_key_save(raw, t.key, NULL, uuid, 0, t.err), 0);
	ck_assert_int_eq(encdom_key_load(raw, NULL, uuid, key, t.err), 0);
	ck_assert_mem_eq(key, t.key, sizeof(key));
	ck_assert_int_eq(encdom_key_save(wrapped, t.key, "secret words", uuid, 10, t.err), 0);
	memset(key, 0, sizeof(key));
	ck_assert_int_eq(encdom_key_load(wrapped, "secret words", uuid, key, t.err), 0);
	ck_assert_mem_eq(key, t.key, sizeof(key));
	ck_assert_int_eq(encdom_key_load(wrapped, "secret wordz", uuid, key, t.err),
			 ENCDOM_ERR_KEY);
	ck_assert_ptr_nonnull(strstr(t.err, "wrong passphrase"));
	ck_assert_int_eq(encdom_key_load(wrapped, "secret words", other, key, t.err),
			 ENCDOM_ERR_VOLUME);
	ck_assert_int_eq(encdom_key_load(wrapped, NULL, uuid, key, t.err), ENCDOM_ERR_INVAL);
	flip_bit(wrapped, 70, 1);
	ck_assert_int_eq(encdom_key_load(wrapped, "secret words", uuid, key, t.err),
			 ENCDOM_ERR_KEY);
	flip_bit(wrapped, 13, 1);
	ck_assert_int_eq(encdom_key_load(wrapped, "secret words", uuid, key, t.err),
			 ENCDOM_ERR_INVAL);
	tvol_rm(&t);
}
END_TEST

START_TEST(format_rejects_bad_geometry)
{
	struct tvol t = {0};
	struct encdom_geometry g = {.nblocks = 0};

	tvol_paths(&t, 1);
	ck_assert_int_eq(encdom_format(t.paths, 1, &g, t.key, NULL, &t.anchor, t.err),
			 ENCDOM_ERR_INVAL);
	g.nblocks = 10;
	g.journal_blocks = 2;
	ck_assert_int_eq(encdom_format(t.paths, 1, &g, t.key, NULL, &t.anchor, t.err),
			 ENCDOM_ERR_INVAL);
	ck_assert_int_eq(encdom_format(t.paths, 0, &g, t.key, NULL, &t.anchor, t.err),
			 ENCDOM_ERR_INVAL);
	tvol_rm(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("encdom_volume");
	TCase *tc = tcase_create("volume");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, unwritten_blocks_read_as_zeros);
	tcase_add_test(tc, write_read_flush_reopen);
	tcase_add_test(tc, counters_never_repeat_across_reopen_and_journal_wrap);
	tcase_add_test(tc, lease_is_renewed_durably_before_use);
	tcase_add_test(tc, random_operations_match_a_model);
	tcase_add_test(tc, memory_stores);
	tcase_add_test(tc, anchor_file_slots);
	tcase_add_test(tc, anchor_file_kept_open);
	tcase_add_test(tc, distinct_open_errors);
	tcase_add_test(tc, key_files_raw_and_wrapped);
	tcase_add_test(tc, format_rejects_bad_geometry);
	tcase_add_test(tc, anchor_sequence_strictly_increases);
	tcase_add_test(tc, anchor_refuses_sequence_that_does_not_increase);
	tcase_add_test(tc, volumes_with_one_key_do_not_share_a_key_stream);
	tcase_add_test(tc, format_1_volume_is_refused_with_the_migration);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
