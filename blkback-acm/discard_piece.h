/* discard_piece.h - the next piece of a discard done in pieces. */
#ifndef XACM_BLKBACK_DISCARD_PIECE_H
#define XACM_BLKBACK_DISCARD_PIECE_H

#include <stdint.h>

/* Of the bytes [next, end) still to discard, the length of the next piece:
 * up to the next multiple of max (so pieces after the first are aligned to
 * max) or end, whichever comes first; 0 when next >= end or max is 0. */
static inline uint64_t discard_piece(uint64_t next, uint64_t end, uint64_t max)
{
	uint64_t room;

	if (next >= end || max == 0)
		return 0;
	room = max - next % max;
	return end - next < room ? end - next : room;
}

#endif
