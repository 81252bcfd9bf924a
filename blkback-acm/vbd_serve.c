/* vbd_serve.c - the main loop of a userspace blkif backend: find the vbds
 * whose backend directory is in this domain's XenStore tree, step their
 * state machines on every XenStore change, and serve their rings and I/O
 * completions.  Shared by blkback-acm and encdom; what differs (the store
 * behind a vbd and its data path) is in ctx->open_store and the vbd_io
 * functions (vbd.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acm_protocol.h"
#include "vbd.h"
#include "xacm_log.h"
#include "xs_util.h"
#include "xs_value.h"

#define MAX_VBDS 256u

static struct vbd *vbds[MAX_VBDS];
static unsigned int nvbds;
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static struct vbd *find(uint32_t fe, uint32_t devid)
{
	for (unsigned int i = 0; i < nvbds; i++)
		if (vbds[i]->fe == fe && vbds[i]->devid == devid)
			return vbds[i];
	return NULL;
}

/* Match the vbds to the backend directories in XenStore, then step each. */
static void rescan(struct blkb_ctx *ctx)
{
	char path[XACM_XS_PATH_MAX];
	unsigned int nf = 0, i;
	char **fes;

	for (i = 0; i < nvbds; i++)
		vbds[i]->seen = false;
	snprintf(path, sizeof(path), "/local/domain/%u/backend/vbd", ctx->self);
	fes = xs_directory(ctx->xs, XBT_NULL, path, &nf);
	for (unsigned int f = 0; fes && f < nf; f++) {
		uint32_t fe;
		unsigned int nd = 0;
		char **devs;

		if (xs_value_parse_domid(fes[f], strlen(fes[f]), &fe) ||
		    xacm_xs_path(path, "/local/domain/%u/backend/vbd/%u", ctx->self, fe))
			continue;
		devs = xs_directory(ctx->xs, XBT_NULL, path, &nd);
		for (unsigned int d = 0; devs && d < nd; d++) {
			uint64_t devid;
			struct vbd *v;

			if (xs_value_parse_uint(devs[d], strlen(devs[d]), UINT32_MAX, &devid))
				continue;
			v = find(fe, (uint32_t)devid);
			if (v == NULL && nvbds < MAX_VBDS) {
				char token[64];

				v = vbd_open(ctx, fe, (uint32_t)devid);
				if (v == NULL)
					continue;
				vbds[nvbds++] = v;
				snprintf(token, sizeof(token), "fe-%u-%u", fe, (uint32_t)devid);
				xs_watch(ctx->xs, v->fe_path, token);
			}
			if (v)
				v->seen = true;
		}
		free(devs);
	}
	free(fes);
	for (i = 0; i < nvbds;) {
		if (!vbds[i]->seen) { /* the toolstack removed it */
			xacm_info("vbd %u/%u: removed", vbds[i]->fe, vbds[i]->devid);
			char token[64];

			snprintf(token, sizeof(token), "fe-%u-%u", vbds[i]->fe, vbds[i]->devid);
			xs_unwatch(ctx->xs, vbds[i]->fe_path, token);
			vbd_close(vbds[i], true);
			vbds[i] = vbds[--nvbds];
			continue;
		}
		vbd_step(vbds[i]);
		i++;
	}
}

/* At start: remove the shadow files (VBD_SHADOW_NAME in the state
 * directory) of vbds that were removed while no daemon ran, those whose
 * backend node is gone from XenStore.  A vbd that still exists keeps its
 * shadow, served or not; while the daemon runs, closing a vbd removes its
 * own. */
static void remove_stale_shadows(const struct blkb_ctx *ctx)
{
	DIR *d = opendir(ctx->state_dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char path[XACM_XS_PATH_MAX], rest;
		unsigned int fe, devid, q;
		void *node;

		if (sscanf(e->d_name, VBD_SHADOW_NAME "%c", &fe, &devid, &q, &rest) != 3 ||
		    xacm_xs_path(path, "/local/domain/%u/backend/vbd/%u/%u", ctx->self, fe, devid))
			continue;
		node = xs_read(ctx->xs, XBT_NULL, path, NULL);
		if (node != NULL || errno != ENOENT) {
			free(node);
			continue;
		}
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			xacm_info("removed the shadow %s/%s: its vbd is gone", ctx->state_dir,
				  e->d_name);
	}
	if (d)
		closedir(d);
}

/* ctx->poll_us: watch for work for up to poll_us microseconds before
 * sleeping, by reading the rings' producer indexes and the io_uring flags.
 * A driver domain with a vCPU to spare then takes a request and its
 * completion without the wake-ups (of its vCPU from Xen, of this process)
 * and the event-channel system calls each costs otherwise.  While it polls,
 * the ports that fired stay masked, so the frontends' notifications cost
 * this domain nothing; the next sleep takes and unmasks them.
 * true: a vbd has work. */
static bool poll_for_work(unsigned int poll_us)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* the clock is a system call in a PV domain: look often
		 * between two readings */
		for (unsigned int spin = 0; spin < 64; spin++) {
			for (unsigned int i = 0; i < nvbds; i++)
				if (vbd_io_ready(vbds[i]))
					return true;
#if defined(__x86_64__) || defined(__i386__)
			__builtin_ia32_pause();
#endif
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000 + (t.tv_nsec - t0.tv_nsec) / 1000 < poll_us);
	return false;
}

/* The work poll_for_work() found: of each vbd that has some, the
 * completions, then every ring (the others are left alone). */
static void serve_polled(void)
{
	for (unsigned int i = 0; i < nvbds; i++) {
		if (!vbd_io_ready(vbds[i]))
			continue;
		vbd_complete(vbds[i]);
		for (unsigned int q = 0; vbd_fd(vbds[i], q) >= 0; q++)
			vbd_kick(vbds[i], q);
	}
}

int vbd_serve(struct blkb_ctx *ctx)
{
	char path[XACM_XS_PATH_MAX];
	uint64_t self;

	if (mkdir(ctx->state_dir, 0700) != 0 && errno != EEXIST)
		xacm_die("cannot create the state directory %s: %s", ctx->state_dir,
			 strerror(errno));
	ctx->xs = xs_open(0);
	ctx->gt = xengnttab_open(NULL, 0);
	if (ctx->xs == NULL || ctx->gt == NULL)
		xacm_die("cannot open XenStore or gntdev: %s (load xen-gntdev; run as root)",
			 strerror(errno));
	if (xacm_xs_read_uint(ctx->xs, XBT_NULL, "domid", XS_VALUE_DOMID_MAX, &self))
		xacm_die("cannot read this domain's id from XenStore");
	ctx->self = (uint32_t)self;
	/* an unmapped ring for each connection: allow plenty of grant maps */
	xengnttab_set_max_grants(ctx->gt, (MAX_VBDS * BLKB_MAX_QUEUES) << BLKB_RING_MAX_PAGE_ORDER);
	snprintf(path, sizeof(path), "/local/domain/%u/backend/vbd", ctx->self);
	if (!xs_watch(ctx->xs, path, "backend"))
		xacm_die("cannot watch %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), ACM_XS_DECISIONS "/%u", ctx->self);
	if (ctx->acdom_gate && !xs_watch(ctx->xs, path, "decision"))
		xacm_die("cannot watch %s: %s", path, strerror(errno));
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	xacm_info("domain %u: serving vbds%s", ctx->self,
		  ctx->acdom_gate ? " that acdom allows" : " WITHOUT the acdom gate");
	if (ctx->poll_us > 0)
		xacm_info("polling for up to %u us before sleeping", ctx->poll_us);
	remove_stale_shadows(ctx);
	rescan(ctx);
	for (unsigned int polled = 0; !stopping;) {
		bool busy = ctx->poll_us > 0 && poll_for_work(ctx->poll_us);

		/* work found by polling: served at once, but every 16th time
		 * by a full round (XenStore, event channels) without sleeping */
		if (busy && ++polled % 16 != 0) {
			serve_polled();
			continue;
		}
		/* per vbd: its queues' event channels, then its io_uring */
		struct pollfd pfd[MAX_VBDS * (BLKB_MAX_QUEUES + 1) + 1];
		struct vbd *owner[MAX_VBDS * (BLKB_MAX_QUEUES + 1) + 1];
		unsigned int queue[MAX_VBDS * (BLKB_MAX_QUEUES + 1) + 1];
		unsigned int n = 1;
		bool changed = false;
		char **ev;

		pfd[0] = (struct pollfd){.fd = xs_fileno(ctx->xs), .events = POLLIN};
		for (unsigned int i = 0; i < nvbds; i++)
			for (unsigned int q = 0; vbd_fd(vbds[i], q) >= 0; q++) {
				owner[n] = vbds[i];
				queue[n] = q;
				pfd[n++] =
					(struct pollfd){.fd = vbd_fd(vbds[i], q), .events = POLLIN};
			}
		for (unsigned int i = 0; i < nvbds; i++) {
			owner[n] = vbds[i];
			queue[n] = BLKB_MAX_QUEUES; /* not a queue: the io_uring */
			pfd[n++] = (struct pollfd){.fd = vbd_io_fd(vbds[i]), .events = POLLIN};
		}
		for (unsigned int i = 1; i < n; i++)
			busy |= vbd_more(owner[i], queue[i]);
		if (poll(pfd, n, busy ? 0 : 1000) < 0) {
			if (errno == EINTR)
				continue;
			xacm_die("poll: %s", strerror(errno));
		}
		for (unsigned int i = 1; i < n; i++) {
			if (queue[i] == BLKB_MAX_QUEUES) {
				if ((pfd[i].revents & POLLIN) || vbd_io_ready(owner[i]))
					vbd_complete(owner[i]);
			} else if (pfd[i].revents & POLLIN) {
				vbd_event(owner[i], queue[i]);
			} else if (vbd_more(owner[i], queue[i])) {
				vbd_kick(owner[i], queue[i]);
			}
		}
		while ((ev = xs_check_watch(ctx->xs)) != NULL) {
			changed = true;
			free(ev);
		}
		if (changed)
			rescan(ctx);
	}
	xacm_info("stopping; %u vbd(s) stay as they are for a restart", nvbds);
	return 0;
}
