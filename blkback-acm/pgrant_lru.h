/* pgrant_lru.h - the daemon-wide budget of persistently mapped grants and
 * the order in which idle ones are unmapped to make room.
 *
 * Each persistent grant is its own one-page gntdev mapping, one VMA of the
 * daemon, and Linux refuses every mmap past vm.max_map_count (65530 by
 * default): 16 busy vbds of 4096 grants each would exceed it, and then
 * every vbd's next mapping (rings, io_uring, buffers) fails.  So the whole
 * daemon keeps at most `budget` of them, whatever vbd they belong to.
 *
 * Invariants (pgrant_lru_check() verifies them, for the tests):
 *   - mapped <= budget, always: a mapping is added only after
 *     pgrant_lru_room() said yes;
 *   - a node with users > 0 (in use by I/O in flight) is not on the idle
 *     list and is never offered as a victim;
 *   - the idle list holds exactly the mapped nodes with users == 0, least
 *     recently used first.
 * Pure bookkeeping: no mapping, no allocation; the caller maps, unmaps and
 * owns the nodes (embedded in its own records). */
#ifndef XACM_BLKBACK_PGRANT_LRU_H
#define XACM_BLKBACK_PGRANT_LRU_H

#include <stdbool.h>
#include <stdint.h>

struct pgrant_lru_node {
	struct pgrant_lru_node *prev, *next; /* on the idle list iff users == 0 */
	unsigned int users;                  /* I/O in flight using the page */
};

struct pgrant_lru {
	struct pgrant_lru_node idle; /* list head: idle.next is the LRU one */
	unsigned int mapped, budget;
	uint64_t evictions; /* idle mappings removed to make room */
};

/* The default budget when vm.max_map_count is max_map_count: what is left
 * after a quarter of it (at least 1024) for everything else the daemon
 * maps (rings, shadows, io_uring, libraries, malloc); at least 1. */
unsigned int pgrant_lru_default_budget(unsigned long max_map_count);

void pgrant_lru_init(struct pgrant_lru *l, unsigned int budget);
/* Before mapping one more: true if it fits now.  Otherwise *victim is the
 * least recently used idle node (the caller unmaps it, calls
 * pgrant_lru_remove() and asks again), or NULL when every mapped node is
 * in use: then the caller does without (grant copy). */
bool pgrant_lru_room(const struct pgrant_lru *l, struct pgrant_lru_node **victim);
/* A new mapping, counted; in use once (users = 1). */
void pgrant_lru_add(struct pgrant_lru *l, struct pgrant_lru_node *n);
/* One more user of a mapped node: off the idle list. */
void pgrant_lru_get(struct pgrant_lru *l, struct pgrant_lru_node *n);
/* One user less; the last one puts it at the most recent end. */
void pgrant_lru_put(struct pgrant_lru *l, struct pgrant_lru_node *n);
/* Unmapped (idle, users == 0): no longer counted.  evicted: to make room
 * (counted in l->evictions), not at disconnect. */
void pgrant_lru_remove(struct pgrant_lru *l, struct pgrant_lru_node *n, bool evicted);
/* The invariants above, walking the idle list: 0, or -1. */
int pgrant_lru_check(const struct pgrant_lru *l);

#endif
