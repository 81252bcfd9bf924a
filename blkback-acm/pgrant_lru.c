/* pgrant_lru.c - see pgrant_lru.h. */
#include "pgrant_lru.h"

#include <stddef.h>

unsigned int pgrant_lru_default_budget(unsigned long max_map_count)
{
	unsigned long headroom = max_map_count / 4 < 1024 ? 1024 : max_map_count / 4;

	if (max_map_count <= headroom)
		return 1;
	return max_map_count - headroom > UINT32_MAX ? UINT32_MAX
						     : (unsigned int)(max_map_count - headroom);
}

void pgrant_lru_init(struct pgrant_lru *l, unsigned int budget)
{
	l->idle.prev = l->idle.next = &l->idle;
	l->idle.users = 0;
	l->mapped = 0;
	l->budget = budget;
	l->evictions = 0;
}

static void unlink_node(struct pgrant_lru_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = NULL;
}

bool pgrant_lru_room(const struct pgrant_lru *l, struct pgrant_lru_node **victim)
{
	*victim = NULL;
	if (l->mapped < l->budget)
		return true;
	if (l->idle.next != &l->idle)
		*victim = l->idle.next;
	return false;
}

void pgrant_lru_add(struct pgrant_lru *l, struct pgrant_lru_node *n)
{
	n->prev = n->next = NULL;
	n->users = 1;
	l->mapped++;
}

void pgrant_lru_get(struct pgrant_lru *l, struct pgrant_lru_node *n)
{
	(void)l;
	if (n->users++ == 0)
		unlink_node(n);
}

void pgrant_lru_put(struct pgrant_lru *l, struct pgrant_lru_node *n)
{
	if (n->users == 0 || --n->users > 0)
		return;
	n->prev = l->idle.prev;
	n->next = &l->idle;
	l->idle.prev->next = n;
	l->idle.prev = n;
}

void pgrant_lru_remove(struct pgrant_lru *l, struct pgrant_lru_node *n, bool evicted)
{
	if (n->prev)
		unlink_node(n);
	l->mapped--;
	l->evictions += evicted;
}

int pgrant_lru_check(const struct pgrant_lru *l)
{
	unsigned int idle = 0;

	if (l->mapped > l->budget)
		return -1;
	for (const struct pgrant_lru_node *n = l->idle.next; n != &l->idle; n = n->next) {
		if (n->users != 0 || n->next->prev != n || ++idle > l->mapped)
			return -1;
	}
	return 0;
}
