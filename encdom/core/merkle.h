/* merkle.h - the Merkle tree over the metadata records, in trusted memory.
 *
 * Leaves are 512-byte chunks of 16 records; each node holds 16 SHA-256
 * hashes (512 bytes); the root is SHA-256 of the top node.  The tree is
 * stored on the replicas too, so that damage can be located.
 * Error contract: merkle_init returns 0 or ENCDOM_ERR_NOMEM. */
#ifndef XACM_MERKLE_H
#define XACM_MERKLE_H

#include "vol_format.h"

/* A set of units (chunk c is unit c, node n is unit nchunks + n): one byte
 * per unit, and the list of its members in the order added. */
struct uset {
	uint8_t *in;
	uint64_t *list, n;
};

/* 0 or ENCDOM_ERR_NOMEM. */
int uset_init(struct uset *s, uint64_t units) __attribute__((warn_unused_result));
void uset_free(struct uset *s);
void uset_add(struct uset *s, uint64_t unit);
void uset_clear(struct uset *s);

struct merkle {
	const struct vol_layout *l;
	uint8_t *meta;     /* nchunks * 512: the records */
	uint8_t *nodes;    /* nnodes * 512, level 0 first */
	struct uset dirty; /* changed since merkle_clean() */
	uint8_t root[32];
};

int merkle_init(struct merkle *m, const struct vol_layout *l) __attribute__((warn_unused_result));
void merkle_free(struct merkle *m);
/* Hash every chunk and node; marks nothing dirty. */
void merkle_build(struct merkle *m);
/* The record of block changed. */
void merkle_mark(struct merkle *m, uint64_t block);
/* Rehash the dirty chunks and their paths; updates root. */
void merkle_update(struct merkle *m);
/* Forget the dirty sets (after they were written in place). */
void merkle_clean(struct merkle *m);
/* With the computed tree in m and the stored tree (nnodes * 512 bytes read
 * from a replica) whose top node must hash to root, mark in bad[] (one byte
 * per chunk) every chunk whose records differ from what root commits to.
 * Returns the number of bad chunks, or -1 if the stored tree itself does
 * not verify against root (the damage cannot be located). */
int64_t merkle_locate(const struct merkle *m, const uint8_t *stored, const uint8_t root[static 32],
		      uint8_t *bad) __attribute__((warn_unused_result));

#endif
