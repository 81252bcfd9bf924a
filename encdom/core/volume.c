/* volume.c - the encdom core: authenticated, versioned block store.
 * Design and ordering rules: docs/encdom-core.md. */
#include "encdom.h"
#include "merkle.h"
#include "vol_format.h"
#include "xc_crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LEASE ((uint64_t)1 << 16) /* counters per durable lease */
#define BATCH 32u                 /* blocks per I/O batch, and queued writes */
#define EPB VOL_JENT_PER_BLOCK
#define GAP 8u /* checkpoint: unchanged 512-byte units a run may bridge */

struct encdom_vol {
	struct vol_layout l;
	unsigned int nrep;
	struct encdom_store st[ENCDOM_MAX_REPLICAS];
	int fd[ENCDOM_MAX_REPLICAS]; /* files opened by encdom_open/format */
	const char *name[ENCDOM_MAX_REPLICAS];
	char namebuf[ENCDOM_MAX_REPLICAS][16];
	uint8_t uuid[ENCDOM_UUID_LEN];
	uint8_t mac_key[32];
	struct xc_gcm *gcm;
	struct encdom_anchor anchor;
	struct merkle m;
	struct vol_commit cm; /* last commit, as in the anchor */
	uint64_t next_ctr, lease_hwm, jpos, jcur, pending_ckpt;
	int dirty, readonly, broken, ckpt_always;
	struct uset place; /* committed chunks and nodes not yet written in place */
	uint8_t *bad;      /* per chunk: failed the Merkle check */
	encdom_hook hook;
	void *hook_ctx;
	uint64_t repaired, recovered, bad_chunks;
	/* Sealed writes not yet on the replicas (see drain()): their entries
	 * (block, counter, tag) and ciphertexts, in the order written. */
	struct vol_jentry wq[BATCH];
	uint32_t nwq;
	int draining;
	uint8_t *wct, wct_own[BATCH * ENCDOM_BLOCK]; /* wct: replica 0's wbuf, or wct_own */
	uint8_t jbuf[ENCDOM_BLOCK];
	uint8_t ct[BATCH * ENCDOM_BLOCK];
	uint8_t rct[ENCDOM_MAX_REPLICAS * ENCDOM_BLOCK]; /* one block's copies */
	uint8_t pt[ENCDOM_BLOCK];
	char err[ENCDOM_ERRLEN];
};

static __attribute__((format(printf, 3, 4))) int say(char *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ENCDOM_ERRLEN, fmt, ap);
	va_end(ap);
	return code;
}

/* Tell the hook; count repairs. */
static void event(struct encdom_vol *v, enum encdom_event ev, uint64_t a, uint64_t b)
{
	if (ev == ENCDOM_EV_REPAIR)
		v->repaired++;
	if (v->hook)
		v->hook(v->hook_ctx, ev, a, b);
}

const char *encdom_strerror(int code)
{
	static const char *const msg[] = {"success",
					  "I/O error",
					  "out of memory",
					  "invalid argument",
					  "corrupted volume header",
					  "wrong key",
					  "wrong volume",
					  "volume rolled back",
					  "integrity check failed",
					  "store truncated",
					  "volume is read-only",
					  "crypto library error",
					  "trust anchor missing or corrupted",
					  "trust anchor refused a sequence that does not increase"};

	return code <= 0 && code >= -13 ? msg[-code] : "unknown error";
}

/* ---- I/O on one replica --------------------------------------------------- */
static int fd_io(int fd, uint8_t *p, size_t len, uint64_t off, int out)
{
	while (len > 0) {
		ssize_t n = out ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 && !out ? ENCDOM_ERR_TRUNCATED : ENCDOM_ERR_IO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int rd(const struct encdom_vol *v, unsigned int r, void *buf, size_t len, uint64_t off)
{
	return v->st[r].read(v->st[r].ctx, buf, len, off);
}

static int wr(const struct encdom_vol *v, unsigned int r, const void *buf, size_t len, uint64_t off)
{
	return v->st[r].write(v->st[r].ctx, buf, len, off);
}

/* Write to every replica. */
static int put(struct encdom_vol *v, const void *buf, size_t len, uint64_t off)
{
	for (unsigned int r = 0; r < v->nrep; r++)
		if (wr(v, r, buf, len, off) != 0) {
			v->broken = 1;
			return say(v->err, ENCDOM_ERR_IO, "replica %u: write at %" PRIu64 " failed",
				   r, off);
		}
	return 0;
}

/* The file (or block device) store; ctx points to the descriptor. */
static int file_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	return fd_io(*(int *)ctx, buf, len, off, 0);
}

static int file_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	return fd_io(*(int *)ctx, (uint8_t *)(uintptr_t)buf, len, off, 1);
}

static int file_sync(void *ctx)
{
	return fsync(*(int *)ctx) == 0 ? 0 : ENCDOM_ERR_IO;
}

static uint64_t file_size(void *ctx)
{
	off_t end = lseek(*(int *)ctx, 0, SEEK_END);

	return end < 0 ? 0 : (uint64_t)end;
}

/* ---- keys and per-block crypto --------------------------------------------- */
/* The MAC key and the data key of volume v->uuid, each HKDF(key, uuid, purpose):
 * no two volumes share a key stream, whatever key file they share. */
static int vol_keys(struct encdom_vol *v, const uint8_t key[static 32])
{
	uint8_t dk[32];
	int rc = xc_hkdf(key, v->uuid, "xacm-volume-mac/1", v->mac_key);

	xc_gcm_free(v->gcm); /* of another replica's header, tried before */
	v->gcm = NULL;
	if (rc == 0 && (rc = xc_hkdf(key, v->uuid, "xacm-volume-data/1", dk)) == 0)
		rc = xc_gcm_new(&v->gcm, dk);
	xc_cleanse(dk, sizeof(dk));
	return rc;
}

static void nonce_aad(const struct encdom_vol *v, uint64_t block, uint64_t ctr,
		      uint8_t iv[static XC_IV_LEN], uint8_t aad[static 32])
{
	memset(iv, 0, XC_IV_LEN);
	vol_put64(iv + 4, ctr);
	memcpy(aad, v->uuid, ENCDOM_UUID_LEN);
	vol_put64(aad + 16, block);
	vol_put64(aad + 24, ctr);
}

static int open_block(struct encdom_vol *v, uint64_t block, const struct vol_record *rec,
		      const uint8_t *ct, uint8_t *out)
{
	uint8_t iv[XC_IV_LEN], aad[32];

	nonce_aad(v, block, rec->counter, iv, aad);
	return xc_gcm_open_block(v->gcm, iv, aad, ct, out, rec->tag);
}

static uint8_t *rec_at(struct encdom_vol *v, uint64_t block)
{
	return v->m.meta + block * VOL_RECORD;
}

/* Set the record of block in trusted memory; its Merkle path is now dirty. */
static void set_record(struct encdom_vol *v, uint64_t block, const struct vol_record *rec)
{
	vol_record_encode(rec, rec_at(v, block));
	merkle_mark(&v->m, block);
}

/* ---- the anchor ---------------------------------------------------------- */
/* Every record stored has a higher sequence than the last: v->cm. */
static int anchor_put(struct encdom_vol *v, const struct vol_commit *c)
{
	uint8_t buf[VOL_COMMIT_LEN];
	int rc = ENCDOM_ERR_ANCHOR_SEQ;

	vol_commit_encode(c, VOL_COMMIT_ANCHOR, v->mac_key, buf);
	if (c->seq > v->cm.seq && (rc = v->anchor.store(v->anchor.ctx, buf)) == 0) {
		v->cm = *c;
		return 0;
	}
	v->broken = 1;
	return say(v->err, rc, "trust anchor update to commit %" PRIu64 ": %s", c->seq,
		   encdom_strerror(rc));
}

/* Make a new range of counters durable before any of it is used: a new
 * sequence with the same root. */
static int lease(struct encdom_vol *v)
{
	struct vol_commit c = v->cm;
	int rc;

	c.seq++;
	c.lease_hwm = v->lease_hwm + LEASE;
	rc = anchor_put(v, &c);
	if (rc == 0)
		v->lease_hwm = c.lease_hwm;
	return rc;
}

/* ---- FLUSH ----------------------------------------------------------------- */
static int cmp64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Write the committed records and tree nodes in place, in runs of adjacent
 * 512-byte units (chunks at meta_off, nodes at tree_off).  Only right after
 * a commit, when memory holds exactly the committed state.  They become
 * durable with the next backend flush, whose commit then moves the
 * checkpoint to upto. */
static int checkpoint(struct encdom_vol *v, uint64_t upto)
{
	const uint64_t nc = v->l.nchunks, *list = v->place.list;
	int rc = 0;

	qsort(v->place.list, v->place.n, sizeof(uint64_t), cmp64);
	for (uint64_t i = 0, j; rc == 0 && i < v->place.n; i = j) {
		uint64_t u = v->place.list[i];
		int node = u >= nc;
		const uint8_t *src =
			node ? v->m.nodes + (u - nc) * VOL_CHUNK : v->m.meta + u * VOL_CHUNK;
		uint64_t off =
			node ? v->l.tree_off + (u - nc) * VOL_CHUNK : v->l.meta_off + u * VOL_CHUNK;

		/* A run may bridge gaps of up to GAP units: they hold the
		 * committed state too, and rewriting them costs less than a
		 * system call. */
		uint64_t end = u + 1;

		for (j = i + 1; j < v->place.n && list[j] - (end - 1) <= GAP + 1 &&
				(list[j] >= nc) == node && list[j] - u < 512;
		     j++)
			end = list[j] + 1;
		rc = put(v, src, (end - u) * VOL_CHUNK, off);
	}
	uset_clear(&v->place);
	if (rc == 0)
		v->pending_ckpt = upto;
	return rc;
}

static int drain(struct encdom_vol *v);

/* Queued writes are drained first (entries, then data). Data writes are
 * then complete (synchronous pwrite) and their journal entries
 * were written before them.  Order: commit block -> one backend flush ->
 * anchor -> acknowledge.  The records go in place lazily, when the journal
 * is half full (or at close), see checkpoint(). */
static int commit(struct encdom_vol *v, int force)
{
	struct vol_commit c;
	uint8_t buf[ENCDOM_BLOCK];
	const struct merkle *m = &v->m;
	int rc;

	if (v->broken)
		return say(v->err, ENCDOM_ERR_IO, "volume failed earlier; reopen it");
	if (v->readonly)
		return 0;
	if (!v->draining && (rc = drain(v)) != 0)
		return rc;
	if (!v->dirty && !force)
		return 0;
	merkle_update(&v->m);
	c = v->cm; /* after drain(), whose commits advance v->cm */
	c.seq++;
	memcpy(c.root, m->root, 32);
	c.ctr_commit = v->next_ctr;
	/* Writes still queued (a commit made from drain() to free the journal)
	 * go out after this commit: recovery must accept their counters. */
	for (uint32_t i = 0; i < v->nwq; i++)
		if (v->wq[i].rec.counter < c.ctr_commit)
			c.ctr_commit = v->wq[i].rec.counter;
	c.lease_hwm = v->lease_hwm;
	c.commit_jpos = v->jpos;
	c.ckpt_jpos = v->pending_ckpt;
	memset(buf, 0, sizeof(buf));
	vol_commit_encode(&c, VOL_COMMIT_BLOCK, v->mac_key, buf);
	rc = put(v, buf, sizeof(buf), v->l.commit_off);
	for (unsigned int r = 0; rc == 0 && r < v->nrep; r++)
		if (v->st[r].sync(v->st[r].ctx) != 0) {
			v->broken = 1;
			rc = say(v->err, ENCDOM_ERR_IO, "replica %u: flush failed", r);
		}
	if (rc == 0)
		rc = anchor_put(v, &c);
	if (rc != 0)
		return rc;
	v->dirty = 0;
	for (uint64_t i = 0; i < m->dirty.n; i++)
		uset_add(&v->place, m->dirty.list[i]);
	merkle_clean(&v->m);
	if (v->ckpt_always || (v->jpos / EPB - c.ckpt_jpos / EPB) * 2 >= v->l.jblocks)
		rc = checkpoint(v, c.commit_jpos);
	return rc;
}

int encdom_flush(struct encdom_vol *v)
{
	return commit(v, 0);
}

/* ---- journal --------------------------------------------------------------- */
/* Keep every entry after the anchor's checkpoint: a ring slot may be reused
 * only when its entries are in place and durable. */
static int journal_room(struct encdom_vol *v, uint64_t n)
{
	for (int i = 0, rc; i < 3; i++)
		if ((v->jpos + n) / EPB - v->cm.ckpt_jpos / EPB + 1 < v->l.jblocks)
			return 0;
		else if ((rc = commit(v, 1)) != 0)
			return rc;
	return say(v->err, ENCDOM_ERR_INVAL, "journal too small");
}

static int journal_append(struct encdom_vol *v, const struct vol_jentry *e, uint32_t n)
{
	uint32_t i = 0;

	while (i < n) {
		uint64_t b = v->jpos / EPB, slot0 = v->jpos % EPB, slot = slot0;
		uint64_t off = v->l.journal_off + (b % v->l.jblocks) * ENCDOM_BLOCK, from;
		int rc, fresh = b != v->jcur;

		if (fresh) { /* a new block goes out whole, with its entries */
			vol_journal_init(v->jbuf, v->uuid, b);
			v->jcur = b;
		}
		for (; i < n && slot < EPB; i++, slot++)
			vol_jentry_encode(&e[i], v->jbuf + VOL_JHDR + slot * VOL_JENT);
		from = fresh ? 0 : VOL_JHDR + slot0 * VOL_JENT;
		rc = put(v, v->jbuf + from, fresh ? ENCDOM_BLOCK : (slot - slot0) * VOL_JENT,
			 off + from);
		if (rc != 0)
			return rc;
		v->jpos += slot - slot0;
	}
	return 0;
}

/* ---- WRITE ------------------------------------------------------------------ */
/* Writes are sealed at once (counter taken, nonce reported) and queued, up
 * to BATCH blocks; a rewrite of a queued block replaces its copy, which
 * then never reaches a replica.  drain() writes the queue out: all entries
 * (one journal write), then the data, in runs of adjacent blocks, once;
 * only then do the records in trusted memory change, so a commit never
 * covers data that is not on the replicas.  Reads of queued blocks are
 * served from the queue.  FLUSH, close and scrub drain first. */
static int drain(struct encdom_vol *v)
{
	uint32_t n = v->nwq;
	int rc;

	if (n == 0 || v->broken)
		return v->broken ? say(v->err, ENCDOM_ERR_IO, "volume failed earlier; reopen it")
				 : 0;
	v->draining = 1; /* journal_room() may commit: not this queue */
	rc = journal_room(v, n);
	v->draining = 0;
	/* Entries first, then data: after a crash every new ciphertext has a
	 * journal entry that recovery can verify it against. */
	if (rc == 0)
		rc = journal_append(v, v->wq, n);
	for (uint32_t i = 0, j; rc == 0 && i < n; i = j) {
		for (j = i + 1; j < n && v->wq[j].block == v->wq[j - 1].block + 1; j++)
			;
		rc = put(v, v->wct + (size_t)i * ENCDOM_BLOCK, (size_t)(j - i) * ENCDOM_BLOCK,
			 v->l.data_off + v->wq[i].block * ENCDOM_BLOCK);
	}
	if (rc != 0)
		return rc;
	for (uint32_t i = 0; i < n; i++)
		set_record(v, v->wq[i].block, &v->wq[i].rec);
	v->nwq = 0;
	v->dirty = 1;
	return 0;
}

/* The queue slot of block, or nwq. */
static uint32_t queued(const struct encdom_vol *v, uint64_t block)
{
	uint32_t i = 0;

	while (i < v->nwq && v->wq[i].block != block)
		i++;
	return i;
}

static int write_one(struct encdom_vol *v, uint64_t block, const uint8_t *buf)
{
	uint8_t iv[XC_IV_LEN], aad[32];
	struct vol_jentry *e;
	uint32_t i = queued(v, block);
	int rc = 0;

	if (i == v->nwq && v->nwq == BATCH) {
		rc = drain(v);
		i = 0;
	}
	if (rc == 0 && v->next_ctr >= v->lease_hwm)
		rc = lease(v);
	if (rc != 0)
		return rc;
	e = &v->wq[i];
	e->block = block;
	e->rec.counter = v->next_ctr++;
	event(v, ENCDOM_EV_NONCE, e->rec.counter, block);
	nonce_aad(v, block, e->rec.counter, iv, aad);
	rc = xc_gcm_seal_block(v->gcm, iv, aad, buf, v->wct + (size_t)i * ENCDOM_BLOCK, e->rec.tag);
	if (rc != 0) {
		v->broken = 1; /* the slot may have held a queued write */
		return say(v->err, rc, "block %" PRIu64 ": encryption failed", block);
	}
	if (i == v->nwq)
		v->nwq++;
	return 0;
}

int encdom_write(struct encdom_vol *v, uint64_t block, uint32_t count, const uint8_t *buf)
{
	int rc = 0;

	if (v->broken)
		return say(v->err, ENCDOM_ERR_IO, "volume failed earlier; reopen it");
	if (v->readonly)
		return say(v->err, ENCDOM_ERR_READONLY, "volume is read-only: metadata is damaged");
	if (block >= v->l.nblocks || count > v->l.nblocks - block)
		return say(v->err, ENCDOM_ERR_INVAL, "write beyond the end of the volume");
	for (; rc == 0 && count > 0; count--, block++, buf += ENCDOM_BLOCK)
		rc = write_one(v, block, buf);
	return rc;
}

/* ---- READ ------------------------------------------------------------------- */
/* Verify the copies of block against rec, decrypting into out: up to the
 * first that verifies, or all of them with all.  Bad copies are rewritten
 * from the good one if repair (REPAIR), else reported if all (BAD).  0, or
 * ENCDOM_ERR_INTEGRITY if no copy verifies. */
static int check_copies(struct encdom_vol *v, uint64_t block, const struct vol_record *rec,
			uint8_t *out, int all, int repair)
{
	uint64_t off = v->l.data_off + block * ENCDOM_BLOCK;
	unsigned int bad[ENCDOM_MAX_REPLICAS], nbad = 0, good = v->nrep;

	for (unsigned int r = 0; r < v->nrep && (all || good == v->nrep); r++) {
		uint8_t *ct = v->rct + (size_t)r * ENCDOM_BLOCK;

		if (rd(v, r, ct, ENCDOM_BLOCK, off) != 0 || open_block(v, block, rec, ct, out) != 0)
			bad[nbad++] = r;
		else if (good == v->nrep)
			good = r;
	}
	for (unsigned int i = 0; i < nbad; i++)
		if (repair && good < v->nrep &&
		    wr(v, bad[i], v->rct + (size_t)good * ENCDOM_BLOCK, ENCDOM_BLOCK, off) == 0)
			event(v, ENCDOM_EV_REPAIR, bad[i], block);
		else if (all)
			event(v, ENCDOM_EV_BAD, bad[i], block);
	return good < v->nrep ? 0 : ENCDOM_ERR_INTEGRITY;
}

/* n blocks with one read from replica 0; a block that fails there is
 * served by check_copies(). */
static int read_batch(struct encdom_vol *v, uint64_t block, uint32_t n, uint8_t *buf)
{
	int rc;

	__builtin_prefetch(rec_at(v, block)); /* while the ciphertext is fetched */
	rc = rd(v, 0, v->ct, (size_t)n * ENCDOM_BLOCK, v->l.data_off + block * ENCDOM_BLOCK);
	for (uint32_t i = 0; i < n; i++) {
		struct vol_record rec;
		uint64_t b = block + i;
		uint8_t *out = buf + (size_t)i * ENCDOM_BLOCK;
		uint32_t q = queued(v, b);

		if (v->bad != NULL && v->bad[b / VOL_REC_PER_CHUNK])
			return say(v->err, ENCDOM_ERR_INTEGRITY,
				   "block %" PRIu64 ": metadata record does not match the trust "
				   "anchor (corrupted or tampered)",
				   b);
		if (vol_record_parse(rec_at(v, b), &rec) != 0)
			return say(v->err, ENCDOM_ERR_INTEGRITY,
				   "block %" PRIu64 ": malformed metadata record", b);
		if (q < v->nwq) {
			if (open_block(v, b, &v->wq[q].rec, v->wct + (size_t)q * ENCDOM_BLOCK, out))
				return say(v->err, ENCDOM_ERR_INTEGRITY,
					   "block %" PRIu64 ": queued write failed to verify", b);
		} else if (rec.counter == 0) {
			memset(out, 0, ENCDOM_BLOCK);
		} else if ((rc != 0 ||
			    open_block(v, b, &rec, v->ct + (size_t)i * ENCDOM_BLOCK, out)) &&
			   check_copies(v, b, &rec, out, 0, 1) != 0) {
			return say(v->err, ENCDOM_ERR_INTEGRITY,
				   "block %" PRIu64
				   ": authentication failed on %u of %u replica(s) "
				   "(forged, swapped or stale data, or a damaged record)",
				   b, v->nrep, v->nrep);
		}
	}
	return 0;
}

int encdom_scrub(struct encdom_vol *v, int repair, uint64_t *nbad)
{
	uint64_t step = v->l.nblocks / 100 + 1;
	struct vol_record rec;
	int rc;

	*nbad = 0;
	if (!v->readonly && (rc = drain(v)) != 0)
		return rc;
	for (uint64_t b = 0; b < v->l.nblocks; b++) {
		if (b % step == 0)
			event(v, ENCDOM_EV_PROGRESS, b, v->l.nblocks);
		if (v->bad != NULL && v->bad[b / VOL_REC_PER_CHUNK]) {
			(*nbad)++;
			event(v, ENCDOM_EV_BAD, 0, b);
		} else if (vol_record_parse(rec_at(v, b), &rec) == 0 && rec.counter != 0 &&
			   check_copies(v, b, &rec, v->pt, 1, repair && !v->readonly) != 0) {
			(*nbad)++;
		}
	}
	xc_cleanse(v->pt, ENCDOM_BLOCK);
	event(v, ENCDOM_EV_PROGRESS, v->l.nblocks, v->l.nblocks);
	if (*nbad > 0)
		return say(v->err, ENCDOM_ERR_INTEGRITY,
			   "%" PRIu64 " block(s) have no copy that verifies", *nbad);
	return 0;
}

int encdom_read(struct encdom_vol *v, uint64_t block, uint32_t count, uint8_t *buf)
{
	int rc = 0;

	if (block >= v->l.nblocks || count > v->l.nblocks - block)
		return say(v->err, ENCDOM_ERR_INVAL, "read beyond the end of the volume");
	for (uint32_t i = 0, n; rc == 0 && i < count; i += n) {
		n = count - i < BATCH ? count - i : BATCH;
		rc = read_batch(v, block + i, n, buf + (size_t)i * ENCDOM_BLOCK);
	}
	if (rc != 0)
		xc_cleanse(buf, (size_t)count * ENCDOM_BLOCK);
	return rc;
}

/* ---- open, recovery ------------------------------------------------------ */
/* Journal block k of replica r into jbuf: 0 if it is there. */
static int read_jblock(struct encdom_vol *v, unsigned int r, uint64_t k)
{
	int rc = rd(v, r, v->jbuf, ENCDOM_BLOCK,
		    v->l.journal_off + (k % v->l.jblocks) * ENCDOM_BLOCK);

	return rc != 0 ? rc : vol_journal_parse(v->jbuf, v->uuid, k);
}

/* Load the records of replica r and replay the committed journal range: 0 if
 * the result matches the anchored root, 1 if not, or an error.  disk_seq:
 * the sequence of its authenticated commit block if that has another root
 * (a lease advances the anchor's sequence alone), else UINT64_MAX. */
static int load_replica(struct encdom_vol *v, unsigned int r, const struct vol_commit *anc,
			uint8_t *stored, uint64_t *disk_seq)
{
	const struct vol_layout *l = &v->l;
	uint8_t cb[VOL_COMMIT_LEN];
	struct vol_commit dc;
	uint64_t cur = UINT64_MAX;
	int rc;

	*disk_seq = UINT64_MAX;
	if (rd(v, r, cb, sizeof(cb), l->commit_off) == 0 &&
	    vol_commit_parse(cb, VOL_COMMIT_BLOCK, &dc) == 0 &&
	    vol_commit_verify(cb, v->mac_key) == 0 && !xc_equal(dc.root, anc->root, 32))
		*disk_seq = dc.seq;
	rc = rd(v, r, v->m.meta, l->nchunks * VOL_CHUNK, l->meta_off);
	if (rc == 0)
		rc = rd(v, r, stored, l->nnodes * VOL_CHUNK, l->tree_off);
	if (rc != 0)
		return say(v->err, rc, "replica %u: cannot read metadata", r);
	for (uint64_t pos = anc->ckpt_jpos; pos < anc->commit_jpos; pos++) {
		struct vol_jentry e;

		if (pos / EPB != cur && (rc = read_jblock(v, r, cur = pos / EPB)) != 0) {
			/* Stale: an older block of this journal, or the slot as it
			 * was before its first lap. */
			uint64_t old = vol_get64(v->jbuf + 8);
			int stale = rc == ENCDOM_ERR_INTEGRITY &&
				    (vol_is_zero(v->jbuf, VOL_JHDR)
					     ? cur < l->jblocks
					     : vol_journal_parse(v->jbuf, v->uuid, old) == 0 &&
						       old < cur);

			return say(v->err, stale ? ENCDOM_ERR_ROLLBACK : rc,
				   "replica %u: journal block %" PRIu64 " is %s", r, cur,
				   stale ? "stale: rolled back (old journal replayed)"
					 : "corrupted");
		}
		rc = vol_jentry_parse(v->jbuf + VOL_JHDR + (pos % EPB) * VOL_JENT, l->nblocks, &e);
		if (rc < 0)
			return say(v->err, ENCDOM_ERR_INTEGRITY,
				   "replica %u: journal entry %" PRIu64 " is malformed", r, pos);
		if (rc == 0)
			set_record(v, e.block, &e.rec);
	}
	merkle_build(&v->m);
	return xc_equal(v->m.root, anc->root, 32) ? 0 : 1;
}

struct cand {
	uint64_t pos;
	struct vol_jentry e;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return x->e.block != y->e.block ? (x->e.block > y->e.block) - (x->e.block < y->e.block)
					: (x->pos > y->pos) - (x->pos < y->pos);
}

/* Settle one block written after the commit: the newest entry whose
 * ciphertext verifies on some replica wins; other replicas get that copy;
 * every other entry is zeroed so that a later replay cannot apply it. */
static int settle(struct encdom_vol *v, struct cand *c, size_t n)
{
	uint64_t block = c[0].e.block, off = v->l.data_off + block * ENCDOM_BLOCK;
	uint8_t zero[VOL_JENT] = {0};
	size_t best = n;
	int rc = 0;

	for (unsigned int r = 0; r < v->nrep; r++) {
		if (rd(v, r, v->rct, ENCDOM_BLOCK, off) != 0)
			continue;
		for (size_t k = n; k-- > 0 && (best == n || k > best);)
			if (open_block(v, block, &c[k].e.rec, v->rct, v->pt) == 0) {
				best = k;
				break;
			}
	}
	if (best < n) {
		set_record(v, block, &c[best].e.rec);
		v->recovered++;
		event(v, ENCDOM_EV_RECOVER, c[best].e.rec.counter, block);
		(void)check_copies(v, block, &c[best].e.rec, v->pt, 1, 1);
	}
	xc_cleanse(v->pt, ENCDOM_BLOCK);
	for (size_t k = 0; rc == 0 && k < n; k++)
		if (k != best)
			rc = put(v, zero, VOL_JENT,
				 v->l.journal_off + (c[k].pos / EPB % v->l.jblocks) * ENCDOM_BLOCK +
					 VOL_JHDR + (c[k].pos % EPB) * VOL_JENT);
	return rc;
}

/* Entries after the commit: accept those that verify and whose counters lie
 * in [committed counter, lease high-water mark). */
static int recover(struct encdom_vol *v, unsigned int g, const struct vol_commit *anc)
{
	const struct vol_layout *l = &v->l;
	struct cand *c = NULL;
	size_t n = 0, cap = 0;
	uint64_t end = anc->commit_jpos, first = anc->commit_jpos / EPB;
	int rc = 0;

	for (uint64_t b = first; rc == 0 && b < first + l->jblocks - 1; b++) {
		if (read_jblock(v, g, b) != 0)
			break;
		for (uint64_t s = b == first ? anc->commit_jpos % EPB : 0; rc == 0 && s < EPB;
		     s++) {
			struct vol_jentry e;
			int p = vol_jentry_parse(v->jbuf + VOL_JHDR + s * VOL_JENT, l->nblocks, &e);

			if (p == 1)
				continue;
			if (p < 0) {
				rc = say(v->err, ENCDOM_ERR_INTEGRITY,
					 "journal entry %" PRIu64 " is malformed", b * EPB + s);
				break;
			}
			if (e.rec.counter < anc->ctr_commit || e.rec.counter >= anc->lease_hwm) {
				rc = say(v->err, ENCDOM_ERR_INTEGRITY,
					 "block %" PRIu64 ": journal entry with counter %" PRIu64
					 " outside the lease [%" PRIu64 ", %" PRIu64 "): %s",
					 e.block, e.rec.counter, anc->ctr_commit, anc->lease_hwm,
					 e.rec.counter < anc->ctr_commit ? "old journal replayed"
									 : "corrupted");
				break;
			}
			if (n == cap) {
				struct cand *nc = realloc(c, (cap = cap * 2 + 64) * sizeof(*c));

				if (nc == NULL) {
					rc = ENCDOM_ERR_NOMEM;
					break;
				}
				c = nc;
			}
			c[n].pos = b * EPB + s;
			c[n++].e = e;
			end = b * EPB + s + 1;
		}
	}
	if (rc == 0 && n > 0) {
		qsort(c, n, sizeof(*c), cand_cmp);
		for (size_t i = 0, j; rc == 0 && i < n; i = j) {
			for (j = i + 1; j < n && c[j].e.block == c[i].e.block; j++)
				;
			rc = settle(v, c + i, j - i);
		}
	}
	free(c);
	v->jpos = (end + EPB - 1) / EPB * EPB;
	return rc;
}

static int check_header(struct encdom_vol *v, const uint8_t *hb, const uint8_t key[static 32],
			char *err)
{
	struct vol_header h;
	uint8_t kc[32];
	int rc = vol_header_parse(hb, &h);

	if (rc != 0)
		return say(err, ENCDOM_ERR_HEADER,
			   "volume header is corrupted or not an xacm volume");
	if (h.version < VOL_VERSION) /* its nonces repeat across volumes of one key */
		return say(err, ENCDOM_ERR_HEADER, "volume format version 1 is refused: %s",
			   "migrate it: format a new volume, copy the data (xacm-volume(1))");
	memcpy(v->uuid, h.uuid, ENCDOM_UUID_LEN);
	rc = xc_hkdf(key, h.uuid, "xacm-volume-keycheck/1", kc);
	if (rc == 0 && !xc_equal(kc, h.keycheck, 32))
		rc = say(err, ENCDOM_ERR_KEY, "wrong key for this volume");
	xc_cleanse(kc, sizeof(kc));
	if (rc == 0)
		rc = vol_keys(v, key);
	if (rc == 0 && xc_hmac_verify(v->mac_key, hb, VOL_HDR_MAC_OFF, h.mac) != 0)
		rc = say(err, ENCDOM_ERR_HEADER, "volume header failed authentication (corrupted)");
	if (rc == 0 && vol_layout_init(&v->l, h.nblocks, h.journal_blocks) != 0)
		rc = say(err, ENCDOM_ERR_HEADER, "volume header has a bad geometry");
	return rc;
}

/* The first replica whose header verifies; the others get its header. */
static int load_header(struct encdom_vol *v, const uint8_t key[static 32], char *err)
{
	uint8_t hb[ENCDOM_BLOCK], ob[ENCDOM_BLOCK] = {0};
	struct vol_header oh;
	unsigned int r = 0;
	int rc;

	do {
		rc = rd(v, r, hb, sizeof(hb), 0);
		rc = rc != 0 ? say(err, rc, "%s: cannot read the volume header", v->name[r])
			     : check_header(v, hb, key, err);
	} while (rc != 0 && rc != ENCDOM_ERR_KEY && ++r < v->nrep);
	for (unsigned int o = 0; rc == 0 && o < v->nrep; o++) {
		if (rd(v, o, ob, sizeof(ob), 0) == 0 && memcmp(ob, hb, sizeof(hb)) == 0)
			continue;
		if (vol_header_parse(ob, &oh) == 0 &&
		    memcmp(oh.uuid, v->uuid, ENCDOM_UUID_LEN) != 0)
			rc = say(err, ENCDOM_ERR_VOLUME, "%s is a replica of another volume",
				 v->name[o]);
		else if (wr(v, o, hb, sizeof(hb), 0) == 0)
			event(v, ENCDOM_EV_REPAIR, o, UINT64_MAX);
	}
	return rc;
}

static int place_init(struct encdom_vol *v)
{
	int rc = uset_init(&v->place, v->l.nchunks + v->l.nnodes);

	return rc != 0 ? rc : merkle_init(&v->m, &v->l);
}

static void vol_free(struct encdom_vol *v)
{
	if (v == NULL)
		return;
	for (unsigned int r = 0; r < v->nrep; r++)
		if (v->fd[r] >= 0)
			close(v->fd[r]);
	xc_gcm_free(v->gcm);
	merkle_free(&v->m);
	free(v->bad);
	uset_free(&v->place);
	xc_cleanse(v, sizeof(*v));
	free(v);
}

/* A new handle on n stores: the files paths (opened with flags) or st.
 * On error *out may still need vol_free(). */
static int vol_new(struct encdom_vol **out, const char *const *paths, const struct encdom_store *st,
		   unsigned int n, int flags, const struct encdom_anchor *anchor, encdom_hook hook,
		   void *hook_ctx, char *err)
{
	struct encdom_vol *v = *out = calloc(1, sizeof(*v));

	err[0] = 0;
	if (v == NULL)
		return say(err, ENCDOM_ERR_NOMEM, "out of memory");
	for (unsigned int r = 0; r < ENCDOM_MAX_REPLICAS; r++)
		v->fd[r] = -1;
	v->anchor = *anchor;
	v->hook = hook;
	v->hook_ctx = hook_ctx;
	v->jcur = UINT64_MAX;
	if (n == 0 || n > ENCDOM_MAX_REPLICAS)
		return say(err, ENCDOM_ERR_INVAL, "1 to %u replicas", ENCDOM_MAX_REPLICAS);
	for (unsigned int r = 0; r < n; r++) {
		v->nrep = r + 1;
		snprintf(v->namebuf[r], sizeof(v->namebuf[r]), "replica %u", r);
		v->name[r] = st != NULL ? v->namebuf[r] : paths[r];
		v->st[r] =
			st != NULL ? st[r] : (struct encdom_store){file_read, file_write, file_sync,
								   file_size, &v->fd[r],  NULL};
		if (st == NULL && (v->fd[r] = open(paths[r], O_RDWR | O_CLOEXEC | flags, 0600)) < 0)
			return say(err, ENCDOM_ERR_IO, "%s: %s", paths[r], strerror(errno));
	}
	v->wct = v->st[0].wbuf ? v->st[0].wbuf(v->st[0].ctx, sizeof(v->wct_own)) : NULL;
	v->wct = v->wct ? v->wct : v->wct_own;
	return 0;
}

/* Pick a replica whose records match the anchor; on none, explain. */
static int choose(struct encdom_vol *v, const struct vol_commit *anc, uint8_t *stored,
		  unsigned int *good, char *err)
{
	uint64_t seq[ENCDOM_MAX_REPLICAS], c = 0;
	char first[ENCDOM_ERRLEN];
	int64_t nbad;
	int rc0 = 0;

	for (unsigned int r = 0; r < v->nrep; r++) {
		int rc = load_replica(v, r, anc, stored, &seq[r]);

		if (rc == 0) {
			*good = r;
			return 0;
		}
		if (r == 0) {
			rc0 = rc;
			memcpy(first, v->err, sizeof(first));
		}
	}
	for (unsigned int r = 0; r < v->nrep; r++)
		if (seq[r] < anc->seq)
			return say(err, ENCDOM_ERR_ROLLBACK,
				   "replica %u is at commit %" PRIu64
				   ", the trust anchor at %" PRIu64 ": the volume was rolled back",
				   r, seq[r], anc->seq);
	if (rc0 < 0)
		return say(err, rc0, "%s", first);
	/* Replica 0 is damaged but its journal replayed: locate the damage. */
	if (load_replica(v, 0, anc, stored, &seq[0]) == 0)
		return 0;
	v->bad = calloc(v->l.nchunks, 1);
	if (v->bad == NULL)
		return say(err, ENCDOM_ERR_NOMEM, "out of memory");
	nbad = merkle_locate(&v->m, stored, anc->root, v->bad);
	if (nbad <= 0)
		return say(err, ENCDOM_ERR_INTEGRITY,
			   "records, tree or committed journal do not match the trust anchor "
			   "(commit %" PRIu64 ") and the damage cannot be located: corrupted",
			   anc->seq);
	while (!v->bad[c])
		c++;
	say(err, 0,
	    "metadata of blocks %" PRIu64 "..%" PRIu64 " (and %" PRId64
	    " more chunk(s)) does not match the trust anchor: opened read-only",
	    c * VOL_REC_PER_CHUNK, c * VOL_REC_PER_CHUNK + VOL_REC_PER_CHUNK - 1, nbad - 1);
	v->bad_chunks = (uint64_t)nbad;
	v->readonly = 1;
	*good = 0;
	return 0;
}

/* Replicas whose records differ from the good one g get its records at
 * the commit that ends open (all of them if g is not replica 0). */
static int sync_replicas(struct encdom_vol *v, unsigned int g)
{
	size_t len = v->l.nchunks * VOL_CHUNK;
	uint8_t *mine = malloc(len), *theirs = malloc(len);
	int rc = mine && theirs ? 0 : ENCDOM_ERR_NOMEM;

	if (rc == 0)
		rc = rd(v, g, mine, len, v->l.meta_off);
	for (unsigned int r = 0; rc == 0 && r < v->nrep; r++) {
		int differ = 0;

		if (r == g || rd(v, r, theirs, len, v->l.meta_off) != 0)
			continue;
		for (uint64_t c = 0; c < v->l.nchunks; c++)
			if (g != 0 ||
			    memcmp(mine + c * VOL_CHUNK, theirs + c * VOL_CHUNK, VOL_CHUNK) != 0) {
				merkle_mark(&v->m, c * VOL_REC_PER_CHUNK);
				differ = 1;
			}
		if (differ)
			event(v, ENCDOM_EV_REPAIR, r, UINT64_MAX);
	}
	free(mine);
	free(theirs);
	return rc == 0 ? 0 : say(v->err, rc, "cannot compare the replicas' metadata");
}

/* Open the volume on the stores attached to v; 0, or an error with v to
 * be freed by the caller. */
static int vol_open(struct encdom_vol *v, const uint8_t key[static ENCDOM_KEY_LEN], char *err)
{
	uint8_t ab[VOL_COMMIT_LEN], *stored = NULL;
	struct vol_commit anc;
	unsigned int g = 0;
	int rc = load_header(v, key, err);

	for (unsigned int r = 0; rc == 0 && r < v->nrep; r++) {
		uint64_t size = v->st[r].size(v->st[r].ctx), d = v->l.data_off;

		if (size < v->l.size)
			rc = say(err, ENCDOM_ERR_TRUNCATED,
				 "%s: store truncated: blocks from %" PRIu64 " on are missing",
				 v->name[r], size <= d ? 0 : (size - d) / ENCDOM_BLOCK);
	}
	if (rc == 0) {
		rc = v->anchor.load(v->anchor.ctx, ab);
		if (rc != 0 || vol_commit_parse(ab, VOL_COMMIT_ANCHOR, &anc) != 0)
			rc = say(err, rc == ENCDOM_ERR_IO ? rc : ENCDOM_ERR_ANCHOR,
				 "trust anchor is missing or corrupted");
		else if (memcmp(anc.uuid, v->uuid, ENCDOM_UUID_LEN) != 0)
			rc = say(err, ENCDOM_ERR_VOLUME, "trust anchor belongs to another volume");
		else if (vol_commit_verify(ab, v->mac_key) != 0)
			rc = say(err, ENCDOM_ERR_ANCHOR, "trust anchor failed authentication");
	}
	if (rc == 0)
		rc = place_init(v);
	if (rc == 0 && (stored = malloc(v->l.nnodes * VOL_CHUNK)) == NULL)
		rc = ENCDOM_ERR_NOMEM;
	if (rc == ENCDOM_ERR_NOMEM || rc == ENCDOM_ERR_CRYPTO)
		say(err, rc, "%s", encdom_strerror(rc));
	if (rc == 0)
		rc = choose(v, &anc, stored, &g, err);
	free(stored);
	if (rc == 0) {
		v->cm = anc;
		v->next_ctr = anc.lease_hwm; /* never reuse a leased counter */
		v->lease_hwm = anc.lease_hwm + LEASE;
		v->pending_ckpt = anc.ckpt_jpos;
		v->jpos = anc.commit_jpos;
	}
	if (rc == 0 && !v->readonly) {
		rc = sync_replicas(v, g);
		if (rc == 0)
			rc = recover(v, g, &anc);
		if (rc == 0)
			rc = commit(v, 1); /* the recovered state, under a new lease */
		if (rc != 0)
			say(err, rc, "%s", v->err);
	}
	return rc;
}

/* Finish encdom_open*(): open the volume on the stores attached to v. */
static int opened(struct encdom_vol **out, struct encdom_vol *v, int rc,
		  const uint8_t key[static ENCDOM_KEY_LEN], char *err)
{
	if (rc == 0)
		rc = vol_open(v, key, err);
	if (rc != 0)
		vol_free(v);
	*out = rc == 0 ? v : NULL;
	return rc;
}

int encdom_open(struct encdom_vol **out, const char *const *paths, unsigned int n,
		const uint8_t key[static ENCDOM_KEY_LEN], const struct encdom_anchor *anchor,
		encdom_hook hook, void *hook_ctx, char err[static ENCDOM_ERRLEN])
{
	int rc = vol_new(out, paths, NULL, n, 0, anchor, hook, hook_ctx, err);

	return opened(out, *out, rc, key, err);
}

int encdom_open_stores(struct encdom_vol **out, const struct encdom_store *stores, unsigned int n,
		       const uint8_t key[static ENCDOM_KEY_LEN], const struct encdom_anchor *anchor,
		       encdom_hook hook, void *hook_ctx, char err[static ENCDOM_ERRLEN])
{
	int rc = vol_new(out, NULL, stores, n, 0, anchor, hook, hook_ctx, err);

	return opened(out, *out, rc, key, err);
}

int encdom_close(struct encdom_vol *v)
{
	int rc = 0;

	if (v == NULL)
		return 0;
	if (!v->readonly && !v->broken) {
		/* Commit, write everything in place, and commit again so that
		 * the checkpoint reaches the end: nothing to replay at open. */
		v->ckpt_always = 1;
		for (int i = 0; rc == 0 && i < 3; i++)
			rc = commit(v, i > 0);
		for (unsigned int r = 0; rc == 0 && r < v->nrep; r++)
			if (v->st[r].sync(v->st[r].ctx) != 0)
				rc = ENCDOM_ERR_IO;
	}
	vol_free(v);
	return rc;
}

void encdom_get_info(const struct encdom_vol *v, struct encdom_info *info)
{
	memset(info, 0, sizeof(*info));
	memcpy(info->uuid, v->uuid, ENCDOM_UUID_LEN);
	info->nblocks = v->l.nblocks;
	info->journal_blocks = v->l.jblocks;
	info->replicas = v->nrep;
	info->seq = v->cm.seq;
	info->next_ctr = v->next_ctr;
	info->lease_hwm = v->lease_hwm;
	info->store_size = v->l.size;
	info->meta_bytes = v->l.data_off;
	info->repaired = v->repaired;
	info->recovered = v->recovered;
	info->bad_chunks = v->bad_chunks;
}

const char *encdom_errmsg(const struct encdom_vol *v)
{
	return v->err;
}

int encdom_random(void *buf, size_t len)
{
	return xc_random(buf, len);
}

/* ---- format, peek ----------------------------------------------------------- */
/* Format the stores attached to v.  Files are truncated and resized, block
 * devices zeroed over the metadata; other stores must read as zeros there. */
static int vol_format(struct encdom_vol *v, const struct encdom_geometry *geo,
		      const uint8_t key[static ENCDOM_KEY_LEN], const uint8_t *uuid, char *err)
{
	struct vol_header h = {0};
	uint8_t hb[ENCDOM_BLOCK];
	int rc = vol_layout_init(&v->l, geo->nblocks,
				 geo->journal_blocks ? geo->journal_blocks
						     : vol_default_jblocks(geo->nblocks));
	if (rc != 0)
		say(err, rc, "size must be 1..2^40 blocks, journal %u..%u blocks", VOL_MIN_JBLOCKS,
		    VOL_MAX_JBLOCKS);
	if (rc == 0 && uuid != NULL)
		memcpy(h.uuid, uuid, ENCDOM_UUID_LEN);
	else if (rc == 0 && (rc = xc_random(h.uuid, ENCDOM_UUID_LEN)) == 0) {
		h.uuid[6] = (uint8_t)((h.uuid[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
		h.uuid[8] = (uint8_t)((h.uuid[8] & 0x3f) | 0x80);
	}
	memcpy(v->uuid, h.uuid, ENCDOM_UUID_LEN);
	h.version = VOL_VERSION;
	h.nblocks = v->l.nblocks;
	h.journal_blocks = v->l.jblocks;
	if (rc == 0)
		rc = xc_hkdf(key, h.uuid, "xacm-volume-keycheck/1", h.keycheck);
	if (rc == 0)
		rc = vol_keys(v, key);
	if (rc == 0) {
		vol_header_encode(&h, hb);
		rc = xc_hmac(v->mac_key, hb, VOL_HDR_MAC_OFF, h.mac);
		vol_header_encode(&h, hb);
	}
	if (rc == 0 && (rc = place_init(v)) != 0)
		say(err, rc, "out of memory");
	for (unsigned int r = 0; rc == 0 && r < v->nrep; r++) {
		struct stat st;

		if (v->fd[r] >= 0 && fstat(v->fd[r], &st) == 0 && S_ISREG(st.st_mode)) {
			if (ftruncate(v->fd[r], 0) != 0 ||
			    ftruncate(v->fd[r], (off_t)v->l.size) != 0)
				rc = say(err, ENCDOM_ERR_IO, "%s: cannot size the store",
					 v->name[r]);
		} else if (v->st[r].size(v->st[r].ctx) < v->l.size) {
			rc = say(err, ENCDOM_ERR_TRUNCATED,
				 "%s: too small (%" PRIu64 " bytes needed)", v->name[r], v->l.size);
		} else if (v->fd[r] >= 0) {
			memset(v->ct, 0, sizeof(v->ct));
			for (uint64_t off = 0; rc == 0 && off < v->l.data_off; off += sizeof(v->ct))
				rc = wr(v, r, v->ct,
					v->l.data_off - off < sizeof(v->ct) ? v->l.data_off - off
									    : sizeof(v->ct),
					off);
		}
	}
	if (rc == 0) {
		merkle_build(&v->m);
		memcpy(v->cm.uuid, h.uuid, ENCDOM_UUID_LEN); /* seq 0: commit() makes it 1 */
		v->cm.ctr_commit = v->cm.lease_hwm = v->next_ctr = v->lease_hwm = 1;
		rc = put(v, v->m.nodes, v->l.nnodes * VOL_CHUNK, v->l.tree_off);
		if (rc == 0)
			rc = put(v, hb, sizeof(hb), 0);
		if (rc == 0)
			rc = commit(v, 1);
		if (rc != 0)
			say(err, rc, "%s", v->err[0] ? v->err : "cannot write the volume");
	}
	return rc;
}

/* Finish encdom_format*(). */
static int formatted(struct encdom_vol *v, int rc, const struct encdom_geometry *geo,
		     const uint8_t key[static ENCDOM_KEY_LEN], const uint8_t *uuid, char *err)
{
	if (rc == 0)
		rc = vol_format(v, geo, key, uuid, err);
	vol_free(v);
	return rc;
}

int encdom_format(const char *const *paths, unsigned int n, const struct encdom_geometry *geo,
		  const uint8_t key[static ENCDOM_KEY_LEN], const uint8_t *uuid,
		  const struct encdom_anchor *anchor, char err[static ENCDOM_ERRLEN])
{
	struct encdom_vol *v;
	int rc = vol_new(&v, paths, NULL, n, O_CREAT, anchor, NULL, NULL, err);

	return formatted(v, rc, geo, key, uuid, err);
}

int encdom_format_stores(const struct encdom_store *stores, unsigned int n,
			 const struct encdom_geometry *geo,
			 const uint8_t key[static ENCDOM_KEY_LEN], const uint8_t *uuid,
			 const struct encdom_anchor *anchor, char err[static ENCDOM_ERRLEN])
{
	struct encdom_vol *v;
	int rc = vol_new(&v, NULL, stores, n, 0, anchor, NULL, NULL, err);

	return formatted(v, rc, geo, key, uuid, err);
}
