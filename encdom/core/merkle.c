/* merkle.c - Merkle tree over the metadata records (trusted memory). */
#include "merkle.h"
#include "xc_crypto.h"

#include <stdlib.h>
#include <string.h>

#define NODE(m, n) ((m)->nodes + (uint64_t)(n)*VOL_CHUNK)

int uset_init(struct uset *s, uint64_t units)
{
	s->in = calloc(units, 1);
	s->list = calloc(units, sizeof(uint64_t));
	s->n = 0;
	return s->in && s->list ? 0 : ENCDOM_ERR_NOMEM;
}

void uset_free(struct uset *s)
{
	free(s->in);
	free(s->list);
}

void uset_add(struct uset *s, uint64_t unit)
{
	if (!s->in[unit]) {
		s->in[unit] = 1;
		s->list[s->n++] = unit;
	}
}

void uset_clear(struct uset *s)
{
	for (uint64_t i = 0; i < s->n; i++)
		s->in[s->list[i]] = 0;
	s->n = 0;
}

int merkle_init(struct merkle *m, const struct vol_layout *l)
{
	memset(m, 0, sizeof(*m));
	m->l = l;
	m->meta = calloc(l->nchunks, VOL_CHUNK);
	m->nodes = calloc(l->nnodes, VOL_CHUNK);
	if (uset_init(&m->dirty, l->nchunks + l->nnodes) != 0 || m->meta == NULL ||
	    m->nodes == NULL) {
		merkle_free(m);
		return ENCDOM_ERR_NOMEM;
	}
	return 0;
}

void merkle_free(struct merkle *m)
{
	free(m->meta);
	free(m->nodes);
	uset_free(&m->dirty);
	memset(m, 0, sizeof(*m));
}

/* Hash chunk or node `child` (at level lv: -1 chunk) into its parent slot. */
static uint64_t hash_up(struct merkle *m, int lv, uint64_t child)
{
	const struct vol_layout *l = m->l;
	uint64_t idx = lv < 0 ? child : child - l->level_first[lv];
	uint64_t parent = l->level_first[lv + 1] + idx / VOL_ARITY;
	const uint8_t *src = lv < 0 ? m->meta + child * VOL_CHUNK : NODE(m, child);

	xc_sha256(src, VOL_CHUNK, NODE(m, parent) + (idx % VOL_ARITY) * 32);
	return parent;
}

void merkle_build(struct merkle *m)
{
	const struct vol_layout *l = m->l;

	for (uint64_t c = 0; c < l->nchunks; c++)
		hash_up(m, -1, c);
	for (unsigned int lv = 0; lv + 1 < l->levels; lv++)
		for (uint64_t i = 0; i < l->level_nodes[lv]; i++)
			hash_up(m, (int)lv, l->level_first[lv] + i);
	xc_sha256(NODE(m, l->nnodes - 1), VOL_CHUNK, m->root);
}

void merkle_mark(struct merkle *m, uint64_t block)
{
	uset_add(&m->dirty, block / VOL_REC_PER_CHUNK);
}

void merkle_update(struct merkle *m)
{
	const struct vol_layout *l = m->l;
	const uint64_t nc = l->nchunks;

	/* Chunks, then level by level, so that a parent is hashed after all its
	 * children (the set may hold nodes of an earlier, unfinished update).
	 * The units of level lv are [first, end). */
	for (int lv = -1; lv + 1 < (int)l->levels; lv++) {
		uint64_t first = lv < 0 ? 0 : nc + l->level_first[lv];
		uint64_t end = lv < 0 ? nc : first + l->level_nodes[lv];

		for (uint64_t i = 0; i < m->dirty.n; i++) {
			uint64_t u = m->dirty.list[i];

			if (u >= first && u < end)
				uset_add(&m->dirty, nc + hash_up(m, lv, lv < 0 ? u : u - nc));
		}
	}
	xc_sha256(NODE(m, l->nnodes - 1), VOL_CHUNK, m->root);
}

void merkle_clean(struct merkle *m)
{
	uset_clear(&m->dirty);
}

static void mark_range(const struct vol_layout *l, unsigned int depth, uint64_t idx, uint8_t *bad,
		       int64_t *count)
{
	uint64_t first = idx, n = 1;

	for (; depth > 0; depth--) {
		first *= VOL_ARITY;
		n *= VOL_ARITY;
	}
	for (uint64_t c = first; c < first + n && c < l->nchunks; c++, (*count)++)
		bad[c] = 1;
}

int64_t merkle_locate(const struct merkle *m, const uint8_t *stored, const uint8_t root[static 32],
		      uint8_t *bad)
{
	const struct vol_layout *l = m->l;
	uint8_t h[32];
	int64_t count = 0;
	uint8_t *walk;

	xc_sha256(stored + (l->nnodes - 1) * VOL_CHUNK, VOL_CHUNK, h);
	if (!xc_equal(h, root, 32))
		return -1;
	walk = calloc(l->nnodes, 1);
	if (walk == NULL)
		return -1;
	walk[l->nnodes - 1] = 1;
	/* Walk down level by level: a stored node is trusted once it hashes to
	 * its (trusted) parent slot; a slot that differs from the computed
	 * tree leads to the damage. */
	for (int lv = (int)l->levels - 1; lv >= 0; lv--) {
		for (uint64_t i = 0; i < l->level_nodes[lv]; i++) {
			uint64_t node = l->level_first[lv] + i;
			const uint8_t *s = stored + node * VOL_CHUNK;
			uint64_t nchild = lv == 0 ? l->nchunks : l->level_nodes[lv - 1];

			if (!walk[node])
				continue; /* not on a path to damage */
			for (uint64_t j = 0; j < VOL_ARITY && i * VOL_ARITY + j < nchild; j++) {
				uint64_t c = i * VOL_ARITY + j;

				if (xc_equal(s + j * 32, NODE(m, node) + j * 32, 32))
					continue;
				if (lv > 0)
					xc_sha256(stored + (l->level_first[lv - 1] + c) * VOL_CHUNK,
						  VOL_CHUNK, h);
				if (lv > 0 && xc_equal(h, s + j * 32, 32))
					walk[l->level_first[lv - 1] + c] = 1;
				else
					mark_range(l, (unsigned int)lv, c, bad, &count);
			}
		}
	}
	free(walk);
	return count;
}
