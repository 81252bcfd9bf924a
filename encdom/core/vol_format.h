/* vol_format.h - on-disk structures of an encdom volume and their parsers.
 * Described in docs/volume-format.md.  All integers little-endian.
 *
 * Every byte read from a replica is untrusted.  Each parser takes a fixed-
 * size buffer, never reads outside it, accepts one canonical encoding only
 * (reserved bytes zero), fills *out only on success, and returns 0 or a
 * negative ENCDOM_ERR_* code:
 *   header  ENCDOM_ERR_HEADER     (not a volume, corrupted, unsupported)
 *   record  ENCDOM_ERR_INTEGRITY  (non-canonical record)
 *   journal ENCDOM_ERR_INTEGRITY  (wrong magic, volume or position)
 *   commit  ENCDOM_ERR_INTEGRITY  (malformed commit block or anchor)
 * Keyed checks (key check, MACs) are separate, in the *_verify functions. */
#ifndef XACM_VOL_FORMAT_H
#define XACM_VOL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "encdom.h"

#define VOL_VERSION 2u     /* header: 2 derives the volume keys with HKDF */
#define VOL_CMT_VERSION 1u /* commit block and anchor */
#define VOL_RECORD 32u     /* per-block metadata record */
#define VOL_CHUNK 512u     /* Merkle leaf: 16 records */
#define VOL_ARITY 16u      /* 16 hashes of 32 bytes per node */
#define VOL_REC_PER_CHUNK (VOL_CHUNK / VOL_RECORD)
#define VOL_JENT 32u                                              /* journal entry */
#define VOL_JHDR 32u                                              /* journal block header */
#define VOL_JENT_PER_BLOCK ((ENCDOM_BLOCK - VOL_JHDR) / VOL_JENT) /* 127 */
#define VOL_COMMIT_LEN ENCDOM_ANCHOR_LEN                          /* commit block and anchor */
#define VOL_MAX_BLOCKS ((uint64_t)1 << 40)                        /* 4 PiB */
#define VOL_MAX_LEVELS 12u
#define VOL_DEFAULT_JBLOCKS 64u /* the most the default gives */
#define VOL_MIN_JBLOCKS 8u
#define VOL_MAX_JBLOCKS 65536u

struct vol_layout {
	uint64_t nblocks;
	uint32_t jblocks;
	uint64_t nchunks;
	unsigned int levels;                  /* tree levels above the chunks */
	uint64_t level_first[VOL_MAX_LEVELS]; /* first node of each level */
	uint64_t level_nodes[VOL_MAX_LEVELS];
	uint64_t nnodes;
	uint64_t commit_off, journal_off, meta_off, tree_off, data_off, size; /* bytes */
};

/* Default journal: one block per 64 MiB of capacity, 8 to 64 blocks. */
uint32_t vol_default_jblocks(uint64_t nblocks);
/* 0, or ENCDOM_ERR_INVAL for a geometry out of range. */
int vol_layout_init(struct vol_layout *l, uint64_t nblocks, uint32_t jblocks)
	__attribute__((warn_unused_result));

struct vol_header {
	uint32_t version; /* 1..VOL_VERSION */
	uint8_t uuid[ENCDOM_UUID_LEN];
	uint64_t nblocks;
	uint32_t journal_blocks;
	uint8_t keycheck[32];
	uint8_t mac[32];
};
void vol_header_encode(const struct vol_header *h, uint8_t out[static ENCDOM_BLOCK]);
int vol_header_parse(const uint8_t in[static ENCDOM_BLOCK], struct vol_header *out)
	__attribute__((warn_unused_result));
/* Bytes covered by the header MAC. */
#define VOL_HDR_MAC_OFF 80u

struct vol_record {
	uint64_t counter; /* 0: never written */
	uint8_t tag[16];
};
void vol_record_encode(const struct vol_record *r, uint8_t out[static VOL_RECORD]);
int vol_record_parse(const uint8_t in[static VOL_RECORD], struct vol_record *out)
	__attribute__((warn_unused_result));

struct vol_jentry {
	uint64_t block;
	struct vol_record rec;
};
/* Journal block header: magic, uuid and absolute block index. */
void vol_journal_init(uint8_t out[static ENCDOM_BLOCK], const uint8_t uuid[static ENCDOM_UUID_LEN],
		      uint64_t index);
int vol_journal_parse(const uint8_t in[static ENCDOM_BLOCK],
		      const uint8_t uuid[static ENCDOM_UUID_LEN], uint64_t index)
	__attribute__((warn_unused_result));
void vol_jentry_encode(const struct vol_jentry *e, uint8_t out[static VOL_JENT]);
/* 1 for an empty slot, 0 with *out set, ENCDOM_ERR_INTEGRITY if malformed
 * or block >= nblocks. */
int vol_jentry_parse(const uint8_t in[static VOL_JENT], uint64_t nblocks, struct vol_jentry *out)
	__attribute__((warn_unused_result));

enum vol_commit_kind { VOL_COMMIT_BLOCK, VOL_COMMIT_ANCHOR };
struct vol_commit {
	uint8_t uuid[ENCDOM_UUID_LEN];
	uint64_t seq;
	uint8_t root[32];
	uint64_t ctr_commit;  /* next counter when committed */
	uint64_t lease_hwm;   /* counters below it may have been used */
	uint64_t commit_jpos; /* journal entries before it are committed */
	uint64_t ckpt_jpos;   /* ... and before it also written in place */
};
#define VOL_COMMIT_MAC_OFF 104u
void vol_commit_encode(const struct vol_commit *c, enum vol_commit_kind kind,
		       const uint8_t mac_key[static 32], uint8_t out[static VOL_COMMIT_LEN]);
int vol_commit_parse(const uint8_t in[static VOL_COMMIT_LEN], enum vol_commit_kind kind,
		     struct vol_commit *out) __attribute__((warn_unused_result));
/* 0, or ENCDOM_ERR_INTEGRITY if the MAC does not verify. */
int vol_commit_verify(const uint8_t in[static VOL_COMMIT_LEN], const uint8_t mac_key[static 32])
	__attribute__((warn_unused_result));

/* Little-endian helpers. */
static inline void vol_put64(uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t vol_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}
static inline void vol_put32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t vol_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
/* 1 if len bytes at p are all zero. */
static inline int vol_is_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

#endif
