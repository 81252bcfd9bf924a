/* vbd_io.c - the data path of one vbd: requests from its rings to
 * asynchronous I/O on the backing store, and responses back.
 *
 * Per request: copy out of the ring into a shadow record (ring_shadow.h),
 * validate that copy (blkif_request.h), then one io_uring operation, no
 * thread; answer when it completes.  The data moves one of two ways:
 *   zero copy, when the frontend uses feature-persistent: each grant is
 *     mapped once, at its first use, and stays mapped until disconnect
 *     (at most VBD_PGRANTS per vbd), or until the daemon's budget
 *     (pgrant_lru.h, all vbds together) needs room and it is the least
 *     recently used grant no I/O holds; the I/O goes straight to or from the mapped
 *     pages (readv/writev).  Only the data moves through them: nothing
 *     read from them is interpreted, except indirect segment lists, which
 *     are copied out once and then validated;
 *   grant copy, otherwise (or for a grant past the limit): through a
 *     private page-aligned buffer, filled before a write and emptied after
 *     a read.
 * So no grant is mapped per I/O in steady state, nothing is read from
 * shared memory twice, and a write is answered only after the backing
 * store took it (and, for a flush, after fdatasync), which is what makes
 * a restart lose nothing.
 *
 * Flush ordering (blkif.h): a FLUSH_DISKCACHE makes durable every write
 * completed before it was issued.  Those writes were answered, so their
 * pwrite had completed here; its data is written first, then fdatasync.
 *
 * A vbd has at most VBD_IO_DEPTH requests and VBD_IO_BYTES of buffers in
 * I/O; past that its queues wait ("starved") until completions free room. */
#include "vbd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <xen/grant_table.h>

#include "discard_piece.h"
#include "xacm_log.h"

#define VBD_KICK_BUDGET 64u /* requests taken per queue before yielding */

/* Test hook for the restart test (tests/system/t-blkback-restart.sh): with
 * XACM_TEST_KILL_AFTER=N in the environment, the daemon SIGKILLs itself
 * right after its Nth submission of I/O, so that it dies with requests
 * taken from a ring and not answered, the case a restart must redo.  0
 * (unset): never. */
static unsigned long kill_after, submissions;

int vbd_io_fd(const struct vbd *v)
{
	return v->uring_ready ? v->uring.ring_fd : -1;
}

/* Completions the kernel holds as task work until the daemon enters it
 * (IORING_SETUP_TASKRUN_FLAG). */
static bool task_work_pending(const struct vbd *v)
{
	return IO_URING_READ_ONCE(*v->uring.sq.kflags) & IORING_SQ_TASKRUN;
}

bool vbd_io_ready(const struct vbd *v)
{
	if (!v->uring_ready)
		return false;
	if (io_uring_cq_ready(&v->uring) || task_work_pending(v))
		return true;
	for (unsigned int q = 0; q < v->nr_queues; q++)
		if (!v->queue[q].starved && blkb_ring_pending(&v->queue[q].ring))
			return true;
	return false;
}

int vbd_io_init(struct vbd *v)
{
	int rc;
	const char *kill_env = getenv("XACM_TEST_KILL_AFTER");

	if (kill_env)
		kill_after = strtoul(kill_env, NULL, 10);
	/* the daemon's budget of persistent grants, set by the first vbd */
	if (v->ctx->pgrants.idle.next == NULL) {
		unsigned long max_map_count = 65530; /* Linux's default */
		FILE *f = fopen("/proc/sys/vm/max_map_count", "re");

		if (f && fscanf(f, "%lu", &max_map_count) != 1)
			max_map_count = 65530;
		if (f)
			fclose(f);
		pgrant_lru_init(&v->ctx->pgrants,
				v->ctx->max_persistent ? v->ctx->max_persistent
						       : pgrant_lru_default_budget(max_map_count));
		if (v->ctx->persistent)
			xacm_info("persistent grants: at most %u mapped (vm.max_map_count %lu)",
				  v->ctx->pgrants.budget, max_map_count);
	}
	v->io = calloc(VBD_IO_DEPTH, sizeof(*v->io));
	v->pgrant = calloc(VBD_PGRANT_SLOTS, sizeof(*v->pgrant));
	if (v->io == NULL || v->pgrant == NULL)
		return -ENOMEM;
	/* two entries per slot: a flush's write, then its fdatasync.
	 * COOP_TASKRUN: a completion does not interrupt the daemon with an
	 * IPI (a hypercall in a PV domain) while it runs; it is delivered at
	 * its next system call, and the loop makes one before it sleeps.
	 * TASKRUN_FLAG: the kernel also says so in the SQ flags, for
	 * vbd_io_ready().  Kernels before 5.19 refuse both: then neither. */
	rc = io_uring_queue_init(2 * VBD_IO_DEPTH, &v->uring,
				 IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG);
	if (rc == -EINVAL)
		rc = io_uring_queue_init(2 * VBD_IO_DEPTH, &v->uring, 0);
	if (rc < 0) {
		xacm_err("io_uring_queue_init: %s (a kernel with io_uring is needed)",
			 strerror(-rc));
		return rc;
	}
	v->uring_ready = true;
	return 0;
}

void vbd_io_fini(struct vbd *v)
{
	vbd_io_drain(v);
	if (v->uring_ready)
		io_uring_queue_exit(&v->uring);
	v->uring_ready = false;
	free(v->io);
	free(v->pgrant);
	v->io = NULL;
	v->pgrant = NULL;
}

static unsigned int pgrant_home(grant_ref_t gref)
{
	return (gref * 2654435761u) & (VBD_PGRANT_SLOTS - 1);
}

/* Take p out of its vbd's table: backward-shift deletion, so that linear
 * probing still finds every other entry (no tombstones). */
static void pgrant_unlink(struct vbd *v, const struct vbd_pgrant *p)
{
	unsigned int i = pgrant_home(p->gref), j;

	while (v->pgrant[i] != p)
		i = (i + 1) & (VBD_PGRANT_SLOTS - 1);
	for (j = i;;) {
		unsigned int k;

		j = (j + 1) & (VBD_PGRANT_SLOTS - 1);
		if (v->pgrant[j] == NULL)
			break;
		k = pgrant_home(v->pgrant[j]->gref);
		/* j's entry stays if its home lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		v->pgrant[i] = v->pgrant[j];
		i = j;
	}
	v->pgrant[i] = NULL;
	v->nr_pgrants--;
}

/* Unmap p, idle (no I/O holds it), and forget it. */
static void pgrant_unmap(struct blkb_ctx *ctx, struct vbd_pgrant *p, bool evicted)
{
	xengnttab_unmap(ctx->gt, p->page, 1);
	pgrant_unlink(p->v, p);
	pgrant_lru_remove(&ctx->pgrants, &p->lru, evicted);
	free(p);
}

/* The persistently mapped page of gref, held in *held until
 * pgrant_release() (a held grant is never unmapped), mapping it at its
 * first use: after unmapping the daemon's least recently used idle grants,
 * of any vbd, while its budget is full.  NULL (nothing held) when the
 * grant cannot be mapped or no room can be made: the caller copies
 * instead.  A grant the frontend made read-only is mapped read-only
 * (ACM_XS_VBD_PERSISTENT_RO) and serves only requests that need not write
 * the page (!writable). */
static void *pgrant_page(struct vbd *v, grant_ref_t gref, bool writable, struct vbd_pgrant **held)
{
	struct pgrant_lru *lru = &v->ctx->pgrants;
	struct pgrant_lru_node *victim;
	struct vbd_pgrant *p;
	unsigned int i;
	void *page;
	bool ro = false;

	*held = NULL;
	for (i = pgrant_home(gref); v->pgrant[i]; i = (i + 1) & (VBD_PGRANT_SLOTS - 1))
		if (v->pgrant[i]->gref == gref) {
			p = v->pgrant[i];
			if (writable && p->readonly)
				return NULL;
			pgrant_lru_get(lru, &p->lru);
			*held = p;
			return p->page;
		}
	if (v->nr_pgrants == VBD_PGRANTS)
		return NULL;
	while (!pgrant_lru_room(lru, &victim)) {
		if (victim == NULL)
			return NULL; /* every mapped grant is in I/O */
		pgrant_unmap(v->ctx, (struct vbd_pgrant *)victim, true);
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	page = xengnttab_map_grant_ref(v->ctx->gt, v->fe, gref, PROT_READ | PROT_WRITE);
	if (page == NULL) {
		ro = true;
		page = xengnttab_map_grant_ref(v->ctx->gt, v->fe, gref, PROT_READ);
	}
	if (page == NULL) {
		free(p);
		return NULL;
	}
	*p = (struct vbd_pgrant){.v = v, .gref = gref, .page = page, .readonly = ro};
	/* an eviction above may have shifted this table: probe again */
	for (i = pgrant_home(gref); v->pgrant[i]; i = (i + 1) & (VBD_PGRANT_SLOTS - 1))
		;
	v->pgrant[i] = p;
	v->nr_pgrants++;
	v->stats.pgrant_maps++;
	pgrant_lru_add(lru, &p->lru);
	if (writable && ro) {
		pgrant_lru_put(lru, &p->lru);
		return NULL;
	}
	*held = p;
	return page;
}

static void pgrant_release(struct vbd *v, struct vbd_pgrant *p)
{
	pgrant_lru_put(&v->ctx->pgrants, &p->lru);
}

/* Every grant of v (none held: no I/O is in flight). */
static void unmap_pgrants(struct vbd *v)
{
	for (unsigned int i = 0; v->pgrant && i < VBD_PGRANT_SLOTS; i++)
		while (v->pgrant[i])
			pgrant_unmap(v->ctx, v->pgrant[i], false);
}

/* The grants io holds, let go. */
static void release_segments(struct vbd *v, struct vbd_io *io)
{
	for (unsigned int i = 0; i < io->nr_held; i++)
		pgrant_release(v, io->held[i]);
	free(io->held);
	free(io->iov);
	io->held = NULL;
	io->iov = NULL;
	io->nr_held = 0;
}

/* blkb_fetch_indirect_fn: the indirect segment pages, copied once out of
 * their persistent mappings, or by grant copy. */
static int fetch_indirect(void *opaque, const grant_ref_t *grefs, unsigned int nr_pages, void *dst,
			  size_t len)
{
	struct vbd *v = opaque;
	const void *page[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	struct vbd_pgrant *held[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	unsigned int mapped = 0;
	bool all;

	/* held while copied: mapping a later page must not unmap an earlier */
	while (v->persistent && mapped < nr_pages &&
	       (page[mapped] = pgrant_page(v, grefs[mapped], false, &held[mapped])))
		mapped++;
	all = mapped == nr_pages;
	for (unsigned int i = 0; all && i < nr_pages; i++) {
		size_t chunk = len - (size_t)i * BLKB_PAGE_SIZE;

		memcpy((uint8_t *)dst + (size_t)i * BLKB_PAGE_SIZE, page[i],
		       chunk > BLKB_PAGE_SIZE ? BLKB_PAGE_SIZE : chunk);
	}
	while (mapped > 0)
		pgrant_release(v, held[--mapped]);
	return all ? 0 : vbd_copy_indirect(v, grefs, nr_pages, dst, len);
}

/* Point io->iov at the persistently mapped pages of every segment; false
 * (nothing to undo) when the frontend does not use persistent grants or a
 * page cannot be mapped: then io goes through grant copy. */
static bool map_segments(struct vbd *v, struct vbd_io *io)
{
	const struct blkb_request *r = &io->req;
	const unsigned int unit = v->lim.sector_size;

	if (!v->persistent)
		return false;
	io->iov = calloc(r->nr_segments, sizeof(*io->iov));
	io->held = calloc(r->nr_segments, sizeof(*io->held));
	if (io->iov == NULL || io->held == NULL) {
		release_segments(v, io);
		return false;
	}
	for (unsigned int i = 0; i < r->nr_segments; i++) {
		const struct blkif_request_segment *s = &r->seg[i];
		uint8_t *page = pgrant_page(v, s->gref, r->op == BLKIF_OP_READ, &io->held[i]);

		if (page == NULL) {
			release_segments(v, io);
			return false;
		}
		io->nr_held++;
		io->iov[i] = (struct iovec){.iov_base = page + s->first_sect * unit,
					    .iov_len = (size_t)(s->last_sect - s->first_sect + 1) *
						       unit};
	}
	return true;
}

/* The grant-copy path: a private page-aligned buffer for io, filled from
 * the frontend's pages for a write.  false if either step failed. */
static bool bounce(struct vbd *v, struct vbd_io *io)
{
	if (posix_memalign((void **)&io->buf, BLKB_PAGE_SIZE, io->len) != 0) {
		io->buf = NULL;
		return false;
	}
	v->io_bytes += io->len;
	return io->req.op == BLKIF_OP_READ || vbd_copy_request(v, &io->req, io->buf, false);
}

/* Give the sectors back to the backing store: a hole in a file, a discard
 * on a device.  Reads of discarded sectors return zeros on files and
 * whatever the device returns on devices (discard-zeroes-data is not
 * offered).  Synchronous, so len is one piece (VBD_DISCARD_PIECE): a whole
 * device in one call kept the daemon busy for minutes on some devices. */
static int16_t discard(struct vbd *v, off_t off, off_t len)
{
	if (v->is_blkdev) {
		uint64_t range[2] = {(uint64_t)off, (uint64_t)len};

		if (ioctl(v->fd, BLKDISCARD, range) == 0)
			return BLKIF_RSP_OKAY;
	} else if (fallocate(v->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len) == 0) {
		return BLKIF_RSP_OKAY;
	}
	return errno == EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR;
}

/* With a 4096-byte logical sector in 512-byte units (a frontend without
 * feature-large-sector-size), every transfer must cover whole sectors. */
static bool aligned(const struct vbd *v, const struct blkb_request *r)
{
	const uint64_t per = v->logical_sector / v->lim.sector_size;

	return r->sector_number % per == 0 && r->nr_sectors % per == 0;
}

/* Answer io's request and free its slot; < 0 if the ring is broken. */
static int finish(struct vbd *v, struct vbd_io *io, int16_t status)
{
	struct vbd_queue *q = &v->queue[io->queue];
	int rc = 0;

	if (!v->draining) {
		v->errors += status != BLKIF_RSP_OKAY;
		rc = shadow_respond(&q->shadow, &q->ring, io->recno, io->req.id,
				    io->req.rsp_operation, status);
		q->unpushed = true;
	}
	if (io->buf)
		v->io_bytes -= io->len;
	free(io->buf);
	release_segments(v, io);
	*io = (struct vbd_io){0};
	v->io_busy--;
	return rc;
}

/* Queue io's next operation: the rest of its read or write, else its
 * fdatasync.  false when nothing is left to do. */
static bool submit_next(struct vbd *v, struct vbd_io *io)
{
	struct io_uring_sqe *sqe;
	off_t off = (off_t)(io->req.sector_number * v->lim.sector_size + io->done);

	if (io->done == io->len && (io->req.op != BLKIF_OP_FLUSH_DISKCACHE || io->synced))
		return false;
	sqe = io_uring_get_sqe(&v->uring);
	if (sqe == NULL) { /* cannot happen: 2 entries per slot */
		io->status = BLKIF_RSP_ERROR;
		return false;
	}
	if (io->done < io->len && io->iov && io->req.op == BLKIF_OP_READ)
		io_uring_prep_readv(sqe, v->fd, io->iov + io->iov_first,
				    io->req.nr_segments - io->iov_first, (uint64_t)off);
	else if (io->done < io->len && io->iov)
		io_uring_prep_writev(sqe, v->fd, io->iov + io->iov_first,
				     io->req.nr_segments - io->iov_first, (uint64_t)off);
	else if (io->done < io->len && io->req.op == BLKIF_OP_READ)
		io_uring_prep_read(sqe, v->fd, io->buf + io->done,
				   (unsigned int)(io->len - io->done), (uint64_t)off);
	else if (io->done < io->len)
		io_uring_prep_write(sqe, v->fd, io->buf + io->done,
				    (unsigned int)(io->len - io->done), (uint64_t)off);
	else {
		io_uring_prep_fsync(sqe, v->fd, IORING_FSYNC_DATASYNC);
		io->synced = true;
	}
	io_uring_sqe_set_data(sqe, io);
	return true;
}

/* The I/O of io is over (status says how): deliver a read, then answer. */
static int complete(struct vbd *v, struct vbd_io *io)
{
	if (!v->draining && io->status == BLKIF_RSP_OKAY && io->req.op == BLKIF_OP_READ &&
	    !io->iov && !vbd_copy_request(v, &io->req, io->buf, true))
		io->status = BLKIF_RSP_ERROR;
	return finish(v, io, io->status);
}

/* Start record recno of queue qi: validate, then I/O or an answer at once. */
static int start_request(struct vbd *v, unsigned int qi, unsigned int recno)
{
	struct vbd_io *io = NULL;
	int prc;

	for (unsigned int i = 0; io == NULL; i++)
		if (!v->io[i].busy)
			io = &v->io[i];
	io->busy = true;
	io->queue = qi;
	io->recno = recno;
	v->io_busy++;
	v->requests++;
	prc = blkb_request_parse(&v->lim, shadow_request(&v->queue[qi].shadow, recno),
				 fetch_indirect, v, &io->req);
	v->stats.indirect += io->req.indirect;
	if (prc)
		return finish(v, io, blkb_request_status(prc));
	if (!aligned(v, &io->req))
		return finish(v, io, BLKIF_RSP_ERROR);
	switch (io->req.op) {
	case BLKIF_OP_DISCARD: /* in pieces, by discard_step(); the slot is free */
		v->queue[qi].discard = (struct vbd_discard){
			.on = true,
			.recno = recno,
			.id = io->req.id,
			.rsp_op = io->req.rsp_operation,
			.next = io->req.sector_number * v->lim.sector_size,
			.end = (io->req.sector_number + io->req.nr_sectors) * v->lim.sector_size};
		*io = (struct vbd_io){0};
		v->io_busy--;
		return 0;
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_FLUSH_DISKCACHE:
		break;
	default:
		return finish(v, io, BLKIF_RSP_EOPNOTSUPP);
	}
	io->len = (size_t)io->req.nr_sectors * v->lim.sector_size;
	if (io->len && map_segments(v, io)) {
		v->stats.zero_copy++;
	} else if (io->len && !bounce(v, io)) {
		return finish(v, io, BLKIF_RSP_ERROR);
	}
	io->status = BLKIF_RSP_OKAY;
	if (!submit_next(v, io))
		return complete(v, io);
	return 0;
}

static void push(struct vbd *v, struct vbd_queue *q)
{
	if (!q->unpushed)
		return;
	q->unpushed = false;
	if (shadow_push(&q->shadow, &q->ring)) {
		xenevtchn_notify(q->evtchn, q->port);
		v->stats.notifies++;
	}
}

/* The daemon's threads: 1, plus the io_uring workers the kernel started
 * for I/O it could not issue without blocking. */
static unsigned int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	unsigned int n = 0;

	for (struct dirent *e; d && (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static unsigned long long timeval_ms(struct timeval tv)
{
	return (unsigned long long)tv.tv_sec * 1000 + (unsigned long long)tv.tv_usec / 1000;
}

/* The counters, for benchmarks: in the backend node xacm-stats, at most
 * once a second.  grant-maps counts every map: the ring pages at connect
 * and each persistent grant at its first use, never per I/O. */
static void publish_stats(struct vbd *v)
{
	time_t now = time(NULL);
	struct rusage ru;

	if (now == v->stats.published)
		return;
	v->stats.published = now;
	getrusage(RUSAGE_SELF, &ru); /* the daemon's, all vbds: is it CPU-bound? */
	vbd_write_node(
		v, "xacm-stats",
		"requests=%llu indirect=%llu errors=%llu grant-copy-calls=%llu "
		"grant-copy-segments=%llu grant-maps=%llu persistent-grants=%u zero-copy=%llu "
		"notifications=%llu persistent-mapped=%u persistent-budget=%u "
		"persistent-evictions=%llu "
		"daemon-cpu-ms=%llu daemon-sys-ms=%llu threads=%u",
		(unsigned long long)v->requests, (unsigned long long)v->stats.indirect,
		(unsigned long long)v->errors, (unsigned long long)v->stats.copy_calls,
		(unsigned long long)v->stats.copy_segs,
		(unsigned long long)(v->stats.ring_maps + v->stats.pgrant_maps), v->nr_pgrants,
		(unsigned long long)v->stats.zero_copy, (unsigned long long)v->stats.notifies,
		v->ctx->pgrants.mapped, v->ctx->pgrants.budget,
		(unsigned long long)v->ctx->pgrants.evictions,
		timeval_ms(ru.ru_utime) + timeval_ms(ru.ru_stime), timeval_ms(ru.ru_stime),
		count_threads());
}

/* One piece of queue q's discard, if it has one; answered after the last
 * (or a failed) piece.  < 0 if the ring is broken. */
static int discard_step(struct vbd *v, struct vbd_queue *q)
{
	struct vbd_discard *d = &q->discard;
	const uint64_t len = discard_piece(d->next, d->end, VBD_DISCARD_PIECE);
	int16_t status = BLKIF_RSP_OKAY;

	if (!d->on)
		return 0;
	if (len > 0)
		status = discard(v, (off_t)d->next, (off_t)len);
	d->next += len;
	if (status == BLKIF_RSP_OKAY && d->next < d->end)
		return 0;
	d->on = false;
	v->errors += status != BLKIF_RSP_OKAY;
	q->unpushed = true;
	return shadow_respond(&q->shadow, &q->ring, d->recno, d->id, d->rsp_op, status);
}

void vbd_kick(struct vbd *v, unsigned int qi)
{
	struct vbd_queue *q = &v->queue[qi];
	unsigned int budget = VBD_KICK_BUDGET, recno;
	int rc = 0;

	if (qi >= v->nr_queues)
		return;
	q->more = q->starved = false;
	rc = discard_step(v, q);
	do {
		while (rc >= 0) {
			/* a discard under way: nothing else from this queue
			 * (the other queues and vbds go on meanwhile) */
			if (q->discard.on) {
				q->more = true;
				break;
			}
			/* a budget per kick, so that a busy ring cannot starve
			 * the others or XenStore: the main loop comes back */
			if (budget == 0) {
				q->more = true;
				break;
			}
			if (v->io_busy == VBD_IO_DEPTH || v->io_bytes >= VBD_IO_BYTES) {
				q->starved = true;
				break;
			}
			/* after a restart, what the old daemon left unanswered first */
			if (!shadow_next_redo(&q->shadow, &recno)) {
				rc = shadow_consume(&q->shadow, &q->ring, &recno);
				if (rc != 1)
					break;
			}
			budget--;
			rc = start_request(v, qi, recno);
		}
		if (rc < 0) {
			vbd_shut(v, "the frontend broke the ring protocol; disconnected");
			return;
		}
		if (io_uring_submit(&v->uring) > 0 && ++submissions == kill_after)
			raise(SIGKILL); /* the test hook above */
		push(v, q);
		rc = 0;
	} while (!q->more && !q->starved && blkb_ring_final_check(&q->ring));
	publish_stats(v);
}

void vbd_event(struct vbd *v, unsigned int qi)
{
	/* read only when the fd is readable: xenevtchn_pending() blocks */
	int port = qi < v->nr_queues ? xenevtchn_pending(v->queue[qi].evtchn) : -1;

	if (port >= 0)
		xenevtchn_unmask(v->queue[qi].evtchn, (evtchn_port_t)port);
	vbd_kick(v, qi);
}

/* Handle one completion of io: res is the operation's result. */
static int on_completion(struct vbd *v, struct vbd_io *io, int res)
{
	/* I/O straight on mapped grant pages failed: this request again by
	 * grant copy.  ENOMEM was seen after a restart, while the killed
	 * daemon's mappings were still being torn down; EFAULT would mean a
	 * kernel that cannot do I/O on such pages at all: then grant copy
	 * from now on for this vbd. */
	if (res < 0 && io->iov && !v->draining) {
		xacm_warn("vbd %u/%u: I/O on mapped grants failed (%s); again by grant copy%s",
			  v->fe, v->devid, strerror(-res), res == -EFAULT ? ", from now on" : "");
		if (res == -EFAULT)
			v->persistent = false;
		release_segments(v, io);
		io->done = 0;
		io->iov_first = 0;
		if (!bounce(v, io) || !submit_next(v, io)) {
			io->status = BLKIF_RSP_ERROR;
			return complete(v, io);
		}
		return 0;
	}
	if (res < 0 || (res == 0 && io->done < io->len)) {
		if (!v->draining)
			xacm_warn("vbd %u/%u: I/O at sector %llu failed: %s", v->fe, v->devid,
				  (unsigned long long)io->req.sector_number,
				  res < 0 ? strerror(-res) : "end of file");
		io->status = BLKIF_RSP_ERROR;
		return complete(v, io);
	}
	if (io->done < io->len) {
		io->done += (size_t)res; /* short: the rest is submitted next */
		for (size_t left = (size_t)res; io->iov && left > 0;) {
			struct iovec *iov = &io->iov[io->iov_first];

			if (left >= iov->iov_len) {
				left -= iov->iov_len;
				io->iov_first++;
			} else {
				iov->iov_base = (uint8_t *)iov->iov_base + left;
				iov->iov_len -= left;
				left = 0;
			}
		}
	}
	if (io->status != BLKIF_RSP_OKAY || !submit_next(v, io))
		return complete(v, io);
	return 0;
}

void vbd_complete(struct vbd *v)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;
	int rc = 0;

	if (!v->uring_ready)
		return;
	if (task_work_pending(v))
		io_uring_get_events(&v->uring);
	io_uring_for_each_cqe(&v->uring, head, cqe)
	{
		if (on_completion(v, io_uring_cqe_get_data(cqe), cqe->res) < 0)
			rc = -EPROTO;
		n++;
	}
	io_uring_cq_advance(&v->uring, n);
	if (rc < 0) {
		vbd_shut(v, "the frontend broke the ring protocol; disconnected");
		return;
	}
	io_uring_submit(&v->uring); /* the rests of short transfers, fdatasyncs */
	for (unsigned int q = 0; q < v->nr_queues; q++)
		push(v, &v->queue[q]);
	for (unsigned int q = 0; q < v->nr_queues; q++)
		if (v->queue[q].starved)
			vbd_kick(v, q);
}

void vbd_io_drain(struct vbd *v)
{
	struct io_uring_cqe *cqe;

	if (!v->uring_ready)
		return;
	v->draining = true;
	io_uring_submit(&v->uring);
	while (v->io_busy > 0 && io_uring_wait_cqe(&v->uring, &cqe) == 0) {
		on_completion(v, io_uring_cqe_get_data(cqe), cqe->res);
		io_uring_cqe_seen(&v->uring, cqe);
		io_uring_submit(&v->uring);
	}
	v->draining = false;
	unmap_pgrants(v); /* no I/O uses them any more */
}
