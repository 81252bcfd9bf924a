/* libFuzzer target for encdom/xen/blkfront_ring.c, against a hostile
 * backend.  Build and run: make fuzz-run.
 * Input: byte 0 the ring's page order, byte 1 the number of slots, then a
 * script of actions: queue a request (id, kind), push, write bytes into the
 * shared area (responses, rsp_prod, req_event), take a response, final check.
 * Invariants checked: the shared area is an exact-size heap block, so ASan
 * catches any access outside it; a response is returned only for an id this
 * side has in flight (queued: its request is in the ring), with a status of 0, -EIO or -EOPNOTSUPP,
 * and at most once per request; a put succeeds exactly for an idle id; once
 * -EPROTO is returned, every later call fails. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkfront_ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t ops[] = {BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_WRITE_BARRIER,
			      BLKIF_OP_FLUSH_DISKCACHE, BLKIF_OP_INDIRECT};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bfr_ring r;
	/* per id: 0 idle, 1 queued, 2 published */
	static uint8_t model[BFR_MAX_SLOTS];
	unsigned int order, slots;
	size_t area, i = 2;
	uint8_t *shared;
	bool broken = false;

	if (size < 2)
		return 0;
	order = data[0] % (BFR_MAX_ORDER + 1);
	slots = 1 + data[1] % BFR_ENTRIES(order);
	area = 4096UL << order;
	shared = malloc(area);
	if (shared == NULL || bfr_init(&r, shared, order, slots))
		abort();
	memset(model, 0, sizeof(model));
	while (i + 2 <= size) {
		uint8_t act = data[i] % 6, arg = data[i + 1];
		struct bfr_done d;
		int rc;

		i += 2;
		switch (act) {
		case 0: { /* queue a request: id arg % (slots + 2), kind from the next byte */
			union bfr_request q;
			unsigned int id = arg % (slots + 2);
			uint8_t kind = i < size ? data[i++] : 0;

			memset(&q, 0, sizeof(q));
			q.rw.operation = ops[kind % 5];
			if (q.rw.operation == BLKIF_OP_INDIRECT)
				q.ind.indirect_op = (kind >> 4) % 3; /* read, write, barrier */
			q.rw.id = id;
			rc = bfr_put(&r, &q);
			if (broken) {
				if (rc != -EPROTO)
					abort();
			} else if (id >= slots || (q.rw.operation == BLKIF_OP_INDIRECT &&
						   q.ind.indirect_op > BLKIF_OP_WRITE)) {
				if (rc != -EINVAL)
					abort();
			} else if ((model[id] != 0) != (rc == -EBUSY) ||
				   (rc != 0 && rc != -EBUSY)) {
				abort();
			} else if (rc == 0) {
				model[id] = 1;
			}
			break;
		}
		case 1:
			bfr_push(&r);
			for (unsigned int k = 0; k < slots && !broken; k++)
				model[k] = model[k] ? 2 : 0;
			break;
		case 2: { /* the backend writes len bytes at an offset */
			size_t off = ((size_t)arg << 5) % area, len = i < size ? data[i++] % 17 : 0;

			if (len > size - i)
				len = size - i;
			if (len > area - off)
				len = area - off;
			memcpy(shared + off, data + i, len);
			i += len;
			break;
		}
		case 3: { /* the backend sets rsp_prod relative to what it saw */
			RING_IDX prod = r.rsp_cons + (RING_IDX)(int8_t)arg;

			memcpy(shared + 8, &prod, sizeof(prod)); /* sring->rsp_prod */
			break;
		}
		case 4:
			rc = bfr_next(&r, &d);
			if (broken && rc != -EPROTO)
				abort();
			if (rc == -EPROTO)
				broken = true;
			else if (rc == 1 &&
				 (d.id >= slots || model[d.id] == 0 ||
				  (d.status != 0 && d.status != -EIO && d.status != -EOPNOTSUPP)))
				abort();
			else if (rc == 1)
				model[d.id] = 0;
			else if (rc != 0)
				abort();
			break;
		default:
			if (bfr_final_check(&r) && broken)
				abort();
			break;
		}
	}
	free(shared);
	return 0;
}
