/* encdom_io.c - encdom's data path toward the guest: the vbd_io functions
 * of vbd.h over an encdom volume (served.h), for the xenbus backend that
 * encdom shares with blkback-acm (blkback-acm/vbd.c, vbd_serve.c).
 *
 * Synchronous (version 0): each request is consumed into its shadow
 * record, validated (blkif_request.h), performed on the volume and
 * answered before the next one.  Data moves by grant copy between the
 * guest's pages and a private buffer, so the volume never sees memory the
 * guest can change, and a read's plaintext reaches the guest only after
 * encdom_read() verified every block of it.
 *
 * Units: the vbd offers 4096-byte logical sectors (ctx.sector_size), so a
 * request in 512-byte units must cover whole 4 KiB volume blocks; any
 * other is refused (no read-modify-write).  Ordering: a write is answered
 * after encdom_write() returned; a flush writes its data, then
 * encdom_flush() (commit + anchor), then answers, so every write answered
 * before the flush was issued is durable and fresh when it is answered.
 * A discard writes zeros over the whole volume blocks it covers (see
 * discard_blocks), so the driver domain learns no map of free space; it
 * is done in pieces of ENCDOM_DISCARD_PIECE bytes, one per kick of its
 * queue, and answered after the last: a whole-disk discard (mkfs) would
 * otherwise hold the single thread, and every other guest, for minutes. */
#include "vbd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "acm_protocol.h"
#include "discard_piece.h"
#include "served.h"
#include "xacm_log.h"

#define KICK_BUDGET 64u /* requests per kick before the main loop comes back */
/* Bytes of a discard rewritten per kick (whole volume blocks) */
#define ENCDOM_DISCARD_PIECE (1ull << 20)
_Static_assert(ENCDOM_DISCARD_PIECE % ENCDOM_BLOCK == 0, "pieces of whole blocks");

int vbd_io_init(struct vbd *v)
{
	(void)v;
	return 0;
}

void vbd_io_drain(struct vbd *v)
{
	(void)v; /* nothing is in flight between two calls */
}

/* The guest vbd is gone: make its writes durable, free the volume. */
void vbd_io_fini(struct vbd *v)
{
	struct served *sv = v->priv;

	if (sv == NULL)
		return;
	if (encdom_flush(sv->vol) != 0)
		xacm_err("volume %s: flush at disconnect failed: %s", sv->name,
			 encdom_errmsg(sv->vol));
	sv->in_use = false;
	v->priv = NULL;
}

int vbd_io_fd(const struct vbd *v)
{
	(void)v;
	return -1; /* no asynchronous I/O */
}

bool vbd_io_ready(const struct vbd *v)
{
	(void)v;
	return false; /* encdom does not poll (ctx->poll_us is 0) */
}

void vbd_complete(struct vbd *v)
{
	(void)v;
}

/* blkb_fetch_indirect_fn: the segment list of an indirect request. */
static int fetch_indirect(void *opaque, const grant_ref_t *grefs, unsigned int nr_pages, void *dst,
			  size_t len)
{
	return vbd_copy_indirect(opaque, grefs, nr_pages, dst, len);
}

/* A discard of [off, off + len) bytes: the whole volume blocks inside it
 * become encrypted zeros (reads of the partial blocks at its ends keep
 * their data, as blkif allows: discard-zeroes-data is not offered).  No
 * space is given back to the driver domain: a hole there would tell it
 * which blocks the guest no longer uses, and could not be authenticated.
 * Costs as much as writing the range; a discard of the whole disk (mkfs)
 * rewrites it. */
static int discard_blocks(struct served *sv, uint64_t off, uint64_t len)
{
	const uint32_t per_write = (uint32_t)(sv->buf_len / ENCDOM_BLOCK);
	uint64_t block = (off + ENCDOM_BLOCK - 1) / ENCDOM_BLOCK;
	const uint64_t end = (off + len) / ENCDOM_BLOCK;
	int rc = 0;

	memset(sv->buf, 0, sv->buf_len);
	while (rc == 0 && block < end) {
		const uint32_t n = end - block < per_write ? (uint32_t)(end - block) : per_write;

		rc = encdom_write(sv->vol, block, n, sv->buf);
		block += n;
	}
	return rc;
}

/* A read refused because blocks failed verification: say so in the log
 * and in the vbd's alert node, which acdom copies into its audit log. */
static void alert(struct vbd *v, struct served *sv, uint64_t block, uint64_t count)
{
	const struct acm_alert a = {
		.count = ++sv->alerts, .first = block, .last = block + count - 1};
	char value[ACM_ALERT_VALUE_MAX], node[64];

	xacm_err("INTEGRITY ALERT: volume %s (guest %u, vbd %u): read of blocks %llu..%llu "
		 "refused: %s",
		 sv->name, v->fe, v->devid, (unsigned long long)a.first, (unsigned long long)a.last,
		 encdom_errmsg(sv->vol));
	if (acm_alert_format(&a, value) < 0 ||
	    snprintf(node, sizeof(node), ACM_XS_VBD_INTEGRITY_ALERT "/%u",
		     (unsigned int)(a.count % ACM_ALERT_SLOTS)) < 0 ||
	    !vbd_write_node(v, node, "%s", value))
		xacm_err("volume %s: cannot publish the integrity alert for acdom", sv->name);
}

/* Perform the validated request r; the response status. */
static int16_t perform(struct vbd *v, struct served *sv, const struct blkb_request *r)
{
	const uint64_t off = r->sector_number * v->lim.sector_size;
	const uint64_t len = r->nr_sectors * v->lim.sector_size;
	const uint64_t block = off / ENCDOM_BLOCK, count = len / ENCDOM_BLOCK;
	int rc = 0;

	if (off % ENCDOM_BLOCK || len % ENCDOM_BLOCK || len > sv->buf_len)
		return BLKIF_RSP_ERROR;
	switch (r->op) {
	case BLKIF_OP_READ:
		rc = encdom_read(sv->vol, block, (uint32_t)count, sv->buf);
		if (rc == ENCDOM_ERR_INTEGRITY || rc == ENCDOM_ERR_READONLY)
			alert(v, sv, block, count);
		else if (rc != 0)
			xacm_err("volume %s: read of blocks %llu..%llu failed: %s", sv->name,
				 (unsigned long long)block, (unsigned long long)(block + count - 1),
				 encdom_errmsg(sv->vol));
		/* the plaintext leaves only after every block of it verified */
		return rc == 0 && vbd_copy_request(v, r, sv->buf, true) ? BLKIF_RSP_OKAY
									: BLKIF_RSP_ERROR;
	case BLKIF_OP_WRITE:
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (len > 0 && !vbd_copy_request(v, r, sv->buf, false))
			return BLKIF_RSP_ERROR;
		if (len > 0)
			rc = encdom_write(sv->vol, block, (uint32_t)count, sv->buf);
		if (rc == 0 && r->op == BLKIF_OP_FLUSH_DISKCACHE)
			rc = encdom_flush(sv->vol);
		if (rc != 0)
			xacm_err("volume %s: %s at block %llu failed: %s", sv->name,
				 r->op == BLKIF_OP_WRITE ? "write" : "flush",
				 (unsigned long long)block, encdom_errmsg(sv->vol));
		return rc == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
	default: /* barrier is not offered: parse refused it */
		return BLKIF_RSP_EOPNOTSUPP;
	}
}

/* One piece of queue q's discard, if it has one; answered after the last
 * (or a failed) piece.  < 0 if the ring is broken. */
static int discard_step(struct vbd *v, struct vbd_queue *q)
{
	struct served *sv = v->priv;
	struct vbd_discard *d = &q->discard;
	const uint64_t len = discard_piece(d->next, d->end, ENCDOM_DISCARD_PIECE);
	int rc = 0;

	if (!d->on)
		return 0;
	if (len > 0 && (rc = discard_blocks(sv, d->next, len)) != 0)
		xacm_err("volume %s: discard at block %llu failed: %s", sv->name,
			 (unsigned long long)(d->next / ENCDOM_BLOCK), encdom_errmsg(sv->vol));
	d->next += len;
	if (rc == 0 && d->next < d->end)
		return 0;
	d->on = false;
	v->errors += rc != 0;
	return shadow_respond(&q->shadow, &q->ring, d->recno, d->id, d->rsp_op,
			      rc == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR);
}

/* Validate, perform and answer record recno of queue q; a discard is only
 * begun (discard_step() does it and answers). */
static int answer(struct vbd *v, struct vbd_queue *q, unsigned int recno)
{
	static struct blkb_request req; /* large; one thread */
	int rc = blkb_request_parse(&v->lim, shadow_request(&q->shadow, recno), fetch_indirect, v,
				    &req);
	int16_t status;

	if (rc == 0 && req.op == BLKIF_OP_DISCARD) { /* parse checked the range */
		const uint64_t off = req.sector_number * v->lim.sector_size;
		const uint64_t end = off + req.nr_sectors * v->lim.sector_size;

		v->requests++;
		/* discard_blocks() takes the whole volume blocks of each piece:
		 * pieces after the first start at multiples of a block */
		q->discard = (struct vbd_discard){
			.on = true, .recno = recno, .id = req.id, .rsp_op = req.rsp_operation};
		q->discard.next = off;
		q->discard.end = end;
		return 0;
	}
	status = rc ? blkb_request_status(rc) : perform(v, v->priv, &req);
	v->requests++;
	v->errors += status != BLKIF_RSP_OKAY;
	return shadow_respond(&q->shadow, &q->ring, recno, req.id, req.rsp_operation, status);
}

void vbd_kick(struct vbd *v, unsigned int qi)
{
	struct vbd_queue *q = &v->queue[qi];
	unsigned int budget = KICK_BUDGET, recno;
	int rc;

	if (qi >= v->nr_queues || v->priv == NULL)
		return;
	q->more = false;
	if (discard_step(v, q) < 0)
		goto broken;
	do {
		for (;;) {
			/* a discard under way takes nothing else from this queue
			 * (the other queues and guests are served between its
			 * pieces); the budget spent, the main loop comes back */
			if (q->discard.on || budget == 0) {
				q->more = true;
				break;
			}
			/* after a restart, what the old daemon left unanswered first */
			if (!shadow_next_redo(&q->shadow, &recno)) {
				rc = shadow_consume(&q->shadow, &q->ring, &recno);
				if (rc == 0)
					break;
				if (rc < 0)
					goto broken;
			}
			budget--;
			if (answer(v, q, recno) < 0)
				goto broken;
			/* answered at once: the guest need not wait for the batch */
			if (shadow_push(&q->shadow, &q->ring))
				xenevtchn_notify(q->evtchn, q->port);
		}
	} while (!q->more && blkb_ring_final_check(&q->ring));
	if (shadow_push(&q->shadow, &q->ring)) /* a discard answered by discard_step */
		xenevtchn_notify(q->evtchn, q->port);
	return;
broken:
	vbd_shut(v, "the frontend broke the ring protocol; disconnected");
}

void vbd_event(struct vbd *v, unsigned int qi)
{
	/* called only when the fd is readable: xenevtchn_pending() blocks */
	int port = qi < v->nr_queues ? xenevtchn_pending(v->queue[qi].evtchn) : -1;

	if (port >= 0)
		xenevtchn_unmask(v->queue[qi].evtchn, (evtchn_port_t)port);
	vbd_kick(v, qi);
}
