/* vol_header.c - volume geometry and the header block (untrusted bytes). */
#include "vol_format.h"
#include "xc_crypto.h"

#include <string.h>

static const uint8_t hdr_magic[8] = {'X', 'A', 'C', 'M', 'V', 'O', 'L', '1'};
#define HDR_SUM_OFF 112u /* SHA-256 of bytes 0..111: catches plain corruption */
#define HDR_END 144u

uint32_t vol_default_jblocks(uint64_t nblocks)
{
	uint64_t j = nblocks / 16384;

	return j < VOL_MIN_JBLOCKS       ? VOL_MIN_JBLOCKS
	       : j > VOL_DEFAULT_JBLOCKS ? VOL_DEFAULT_JBLOCKS
					 : (uint32_t)j;
}

int vol_layout_init(struct vol_layout *l, uint64_t nblocks, uint32_t jblocks)
{
	uint64_t n, off;

	if (nblocks == 0 || nblocks > VOL_MAX_BLOCKS || jblocks < VOL_MIN_JBLOCKS ||
	    jblocks > VOL_MAX_JBLOCKS)
		return ENCDOM_ERR_INVAL;
	memset(l, 0, sizeof(*l));
	l->nblocks = nblocks;
	l->jblocks = jblocks;
	l->nchunks = (nblocks + VOL_REC_PER_CHUNK - 1) / VOL_REC_PER_CHUNK;
	n = l->nchunks;
	do {
		n = (n + VOL_ARITY - 1) / VOL_ARITY;
		l->level_first[l->levels] = l->nnodes;
		l->level_nodes[l->levels] = n;
		l->nnodes += n;
		l->levels++;
	} while (n > 1);
	l->commit_off = ENCDOM_BLOCK;
	l->journal_off = 2 * ENCDOM_BLOCK;
	l->meta_off = l->journal_off + (uint64_t)jblocks * ENCDOM_BLOCK;
	off = l->meta_off + l->nchunks * VOL_CHUNK;
	l->tree_off = (off + ENCDOM_BLOCK - 1) / ENCDOM_BLOCK * ENCDOM_BLOCK;
	off = l->tree_off + l->nnodes * VOL_CHUNK;
	l->data_off = (off + ENCDOM_BLOCK - 1) / ENCDOM_BLOCK * ENCDOM_BLOCK;
	l->size = l->data_off + nblocks * ENCDOM_BLOCK;
	return 0;
}

void vol_header_encode(const struct vol_header *h, uint8_t out[static ENCDOM_BLOCK])
{
	memset(out, 0, ENCDOM_BLOCK);
	memcpy(out, hdr_magic, 8);
	vol_put32(out + 8, h->version);
	vol_put32(out + 12, ENCDOM_BLOCK);
	memcpy(out + 16, h->uuid, ENCDOM_UUID_LEN);
	vol_put64(out + 32, h->nblocks);
	vol_put32(out + 40, h->journal_blocks);
	memcpy(out + 48, h->keycheck, 32);
	memcpy(out + VOL_HDR_MAC_OFF, h->mac, 32);
	xc_sha256(out, HDR_SUM_OFF, out + HDR_SUM_OFF);
}

int vol_header_parse(const uint8_t in[static ENCDOM_BLOCK], struct vol_header *out)
{
	uint8_t sum[32];
	struct vol_layout l;
	struct vol_header h;

	if (memcmp(in, hdr_magic, 8) != 0)
		return ENCDOM_ERR_HEADER;
	xc_sha256(in, HDR_SUM_OFF, sum);
	if (!xc_equal(sum, in + HDR_SUM_OFF, 32) ||
	    !vol_is_zero(in + HDR_END, ENCDOM_BLOCK - HDR_END))
		return ENCDOM_ERR_HEADER;
	h.version = vol_get32(in + 8);
	if (h.version < 1 || h.version > VOL_VERSION || vol_get32(in + 12) != ENCDOM_BLOCK ||
	    vol_get32(in + 44) != 0)
		return ENCDOM_ERR_HEADER;
	memcpy(h.uuid, in + 16, ENCDOM_UUID_LEN);
	h.nblocks = vol_get64(in + 32);
	h.journal_blocks = vol_get32(in + 40);
	if (vol_layout_init(&l, h.nblocks, h.journal_blocks) != 0)
		return ENCDOM_ERR_HEADER;
	memcpy(h.keycheck, in + 48, 32);
	memcpy(h.mac, in + VOL_HDR_MAC_OFF, 32);
	*out = h;
	return 0;
}
