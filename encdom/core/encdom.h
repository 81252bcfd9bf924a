/* encdom.h - authenticated, versioned block store (the encdom core).
 *
 * A volume is N replicas (files or block devices) with the same layout and
 * the same ciphertext, a 32-byte volume key, and a trust anchor that holds
 * the Merkle root, the commit sequence and the write-counter lease.  See
 * docs/encdom-core.md and docs/volume-format.md.
 *
 * Error contract: every int function returns 0 or one negative ENCDOM_ERR_*
 * code; encdom_errmsg() (or the err buffer of format/open) then says what
 * happened, naming the block for integrity errors.  encdom_read() never
 * leaves unverified plaintext in buf: on error buf is zeroed. */
#ifndef XACM_ENCDOM_H
#define XACM_ENCDOM_H

#include <stddef.h>
#include <stdint.h>

#define ENCDOM_BLOCK 4096u
#define ENCDOM_KEY_LEN 32u
#define ENCDOM_UUID_LEN 16u
#define ENCDOM_ERRLEN 256u
#define ENCDOM_MAX_REPLICAS 4u
#define ENCDOM_ANCHOR_LEN 256u

#define ENCDOM_ERR_IO (-1)
#define ENCDOM_ERR_NOMEM (-2)
#define ENCDOM_ERR_INVAL (-3)
#define ENCDOM_ERR_HEADER (-4)    /* header corrupted or forged */
#define ENCDOM_ERR_KEY (-5)       /* wrong key or passphrase */
#define ENCDOM_ERR_VOLUME (-6)    /* key, anchor or replica of another volume */
#define ENCDOM_ERR_ROLLBACK (-7)  /* store older than the trust anchor */
#define ENCDOM_ERR_INTEGRITY (-8) /* a block or record failed verification */
#define ENCDOM_ERR_TRUNCATED (-9) /* store shorter than its geometry */
#define ENCDOM_ERR_READONLY (-10) /* damaged metadata: volume opened read-only */
#define ENCDOM_ERR_CRYPTO (-11)
#define ENCDOM_ERR_ANCHOR (-12)     /* trust anchor missing or corrupted */
#define ENCDOM_ERR_ANCHOR_SEQ (-13) /* anchor update whose sequence does not increase */

#define ENCDOM_WUR __attribute__((warn_unused_result))

/* The trust anchor: 256 bytes kept where the untrusted side cannot write.
 * load returns 0, ENCDOM_ERR_IO or ENCDOM_ERR_ANCHOR (missing);
 * store must be atomic and durable before it returns 0, and must refuse
 * (ENCDOM_ERR_ANCHOR_SEQ) a record of the volume it holds whose sequence
 * (bytes 32..39, see docs/volume-format.md) is not higher. */
struct encdom_anchor {
	int (*load)(void *ctx, uint8_t buf[static ENCDOM_ANCHOR_LEN]);
	int (*store)(void *ctx, const uint8_t buf[static ENCDOM_ANCHOR_LEN]);
	void *ctx;
};
/* Default anchor: a file on the trusted domain's own storage, two slots
 * written alternately in place, fdatasync per update (see anchor.c). */
void encdom_anchor_file(struct encdom_anchor *a, const char *path);
/* The same file anchor, kept open between updates (one hash, one pwrite
 * and one fdatasync per update instead of opening and re-reading the
 * file): for a long-lived volume.  Only this process may write the file
 * meanwhile.  0 or ENCDOM_ERR_NOMEM; release with
 * encdom_anchor_file_close() after the last volume using it is closed. */
int encdom_anchor_file_open(struct encdom_anchor *a, const char *path) ENCDOM_WUR;
void encdom_anchor_file_close(struct encdom_anchor *a);

/* A replica: any byte-addressed store (the default is a file or block
 * device; the Xen front end is another).  read returns 0,
 * ENCDOM_ERR_IO or ENCDOM_ERR_TRUNCATED (short); write and sync 0 or
 * ENCDOM_ERR_IO; sync makes every completed write durable.  wbuf (may be
 * NULL; replica 0's is asked) gives len bytes that only the caller can
 * write, kept until the store ends, for the queued ciphertext: the store's
 * write can send them without a copy.  NULL: the volume uses its own. */
struct encdom_store {
	int (*read)(void *ctx, void *buf, size_t len, uint64_t off);
	int (*write)(void *ctx, const void *buf, size_t len, uint64_t off);
	int (*sync)(void *ctx);
	uint64_t (*size)(void *ctx);
	void *ctx;
	void *(*wbuf)(void *ctx, size_t len);
};

struct encdom_geometry {
	uint64_t nblocks;        /* data blocks of 4096 bytes */
	uint32_t journal_blocks; /* 0: default */
};

/* Events for observers (tests, the tool): NONCE before counter a is used
 * for block b; REPAIR when replica a of block b was rewritten from a good
 * copy (b = UINT64_MAX: its header or metadata); RECOVER when a record of
 * block b with counter a was accepted from the journal after a crash; BAD
 * when scrub finds replica a of block b bad (and not repairable, or repair
 * not asked); PROGRESS during scrub: a of b blocks done. */
enum encdom_event {
	ENCDOM_EV_NONCE,
	ENCDOM_EV_REPAIR,
	ENCDOM_EV_RECOVER,
	ENCDOM_EV_BAD,
	ENCDOM_EV_PROGRESS
};
typedef void (*encdom_hook)(void *ctx, enum encdom_event ev, uint64_t a, uint64_t b);

struct encdom_info {
	uint8_t uuid[ENCDOM_UUID_LEN];
	uint64_t nblocks;
	uint32_t journal_blocks;
	unsigned int replicas;
	uint64_t seq;        /* last commit */
	uint64_t next_ctr;   /* next write counter */
	uint64_t lease_hwm;  /* counters below this are leased */
	uint64_t store_size; /* bytes per replica */
	uint64_t meta_bytes; /* header, commit, journal, records, tree */
	uint64_t repaired;   /* copies rewritten from a good replica */
	uint64_t recovered;  /* journal records accepted after a crash */
	uint64_t bad_chunks; /* metadata chunks that failed the Merkle check */
};

struct encdom_vol;

/* Create the replicas (paths; existing files or block devices are
 * overwritten) and the anchor.  uuid may be NULL (random). */
int encdom_format(const char *const *paths, unsigned int n, const struct encdom_geometry *geo,
		  const uint8_t key[static ENCDOM_KEY_LEN], const uint8_t *uuid,
		  const struct encdom_anchor *anchor, char err[static ENCDOM_ERRLEN]) ENCDOM_WUR;
/* The same on other stores (which must read as zeros where format does not
 * write: the journal, records and tree areas). */
int encdom_format_stores(const struct encdom_store *stores, unsigned int n,
			 const struct encdom_geometry *geo,
			 const uint8_t key[static ENCDOM_KEY_LEN], const uint8_t *uuid,
			 const struct encdom_anchor *anchor,
			 char err[static ENCDOM_ERRLEN]) ENCDOM_WUR;
/* Open, verify the header and the anchor, replay and recover the journal. */
int encdom_open(struct encdom_vol **out, const char *const *paths, unsigned int n,
		const uint8_t key[static ENCDOM_KEY_LEN], const struct encdom_anchor *anchor,
		encdom_hook hook, void *hook_ctx, char err[static ENCDOM_ERRLEN]) ENCDOM_WUR;
int encdom_open_stores(struct encdom_vol **out, const struct encdom_store *stores, unsigned int n,
		       const uint8_t key[static ENCDOM_KEY_LEN], const struct encdom_anchor *anchor,
		       encdom_hook hook, void *hook_ctx, char err[static ENCDOM_ERRLEN]) ENCDOM_WUR;
int encdom_read(struct encdom_vol *v, uint64_t block, uint32_t count, uint8_t *buf) ENCDOM_WUR;
int encdom_write(struct encdom_vol *v, uint64_t block, uint32_t count,
		 const uint8_t *buf) ENCDOM_WUR;
/* Make every completed write durable and fresh (commit + anchor). */
int encdom_flush(struct encdom_vol *v) ENCDOM_WUR;
/* Flush and free; returns the flush result.  v is freed either way. */
int encdom_close(struct encdom_vol *v);
/* Verify every written block on every replica; with repair, rewrite bad
 * copies from a good one.  Returns 0 if every block has a good copy (bad
 * copies may have been found: see info.repaired and the BAD events), else
 * ENCDOM_ERR_INTEGRITY with *nbad blocks that have none. */
int encdom_scrub(struct encdom_vol *v, int repair, uint64_t *nbad) ENCDOM_WUR;
void encdom_get_info(const struct encdom_vol *v, struct encdom_info *info);
const char *encdom_errmsg(const struct encdom_vol *v);
const char *encdom_strerror(int code);

/* Cryptographically strong random bytes (keys, uuids): 0 or
 * ENCDOM_ERR_CRYPTO. */
int encdom_random(void *buf, size_t len) ENCDOM_WUR;

/* Key files: 32 raw bytes, or the key wrapped by scrypt(passphrase).
 * Wrong passphrase -> ENCDOM_ERR_KEY; a wrapped key of another volume ->
 * ENCDOM_ERR_VOLUME (when uuid is given). */
int encdom_key_load(const char *path, const char *pass, const uint8_t *uuid,
		    uint8_t key[static ENCDOM_KEY_LEN], char err[static ENCDOM_ERRLEN]) ENCDOM_WUR;
/* pass NULL: raw key file.  log_n: scrypt cost (0: default 15). */
int encdom_key_save(const char *path, const uint8_t key[static ENCDOM_KEY_LEN], const char *pass,
		    const uint8_t uuid[static ENCDOM_UUID_LEN], unsigned int log_n,
		    char err[static ENCDOM_ERRLEN]) ENCDOM_WUR;

#endif
