/* xacm-front-io - drives encdom's userspace blkfront (encdom/xen/blkfront.h)
 * against a driver domain's backend, in dom0 on the testbed
 * (t-encdom-front.sh):
 *
 *   xacm-front-io --fe FRONTEND_DIR --marker STRING [--slots N] [--segments N]
 *                 [--ring-order N] [--until-gone]
 *
 * Connects, prints the negotiated features (FEATURES line), writes patterns
 * with several requests in flight (64 x 4 KiB, then 4 x 1 MiB, which needs
 * indirect descriptors), flushes, reads everything back and compares, checks
 * that bad requests are refused before they reach the ring, writes a 4 KiB
 * block starting with STRING at 4 MiB and flushes (for dom0 to find in the
 * driver domain's backing file), and disconnects.  With --until-gone it
 * instead leaves a read in flight, prints "WAITING for the backend to go",
 * and waits (at most 120 s) for blkfront_complete to report -ENOTCONN (dom0
 * destroys the driver domain meanwhile).  Before any I/O it checks that
 * blkfront_wait with nothing in flight returns 0 only after its time limit,
 * though a watch fires meanwhile (a child rewrites the backend's state with
 * its own value).  One line per check:
 *   RESULT name=CASE ok|BAD [detail]
 * Exit 0 only if every check passed; 2 if it could not connect. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "blkfront.h"
#include "xacm_log.h"

#define KIB 1024u
#define MIB (1024u * 1024u)

struct job {
	uint64_t sector;
	size_t bytes;
};

static unsigned int failures;
static uint64_t seed;

static void result(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void result(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("RESULT name=%s %s ", name, ok ? "ok" : "BAD");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failures += !ok;
}

/* The pattern of the 8-byte word w of 512-byte sector s. */
static uint64_t pattern(uint64_t s, unsigned int w)
{
	return (s * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)w << 48) ^ seed;
}

static void fill(uint8_t *p, uint64_t sector, size_t bytes)
{
	for (size_t off = 0; off < bytes; off += 8) {
		uint64_t v = pattern(sector + off / 512, (unsigned int)(off % 512) / 8);

		memcpy(p + off, &v, 8);
	}
}

/* Compare a read's data, read once from the shared pages into a copy. */
static size_t check(const uint8_t *shared, uint64_t sector, size_t bytes, uint8_t *copy)
{
	size_t bad = 0;

	memcpy(copy, shared, bytes);
	for (size_t off = 0; off < bytes; off += 8) {
		uint64_t v = pattern(sector + off / 512, (unsigned int)(off % 512) / 8), got;

		memcpy(&got, copy + off, 8);
		bad += got != v;
	}
	return bad;
}

/* Run jobs with as many in flight as there are slots.  Returns the number
 * of failed requests (or mismatching reads); *peak gets the most in flight. */
static unsigned int run(struct blkfront *bf, enum blkfront_op op, const struct job *jobs,
			unsigned int n, unsigned int *peak)
{
	unsigned int next = 0, busy = 0, bad = 0;
	struct job in_flight[512];
	uint8_t *pages[512], *copy = malloc(blkfront_info(bf)->max_bytes);
	unsigned char mine[512] = {0}; /* a late answer to an earlier run is not ours */

	*peak = 0;
	while ((next < n || busy > 0) && copy) {
		struct blkfront_done done[16];
		uint8_t *p;
		int s, k;

		while (next < n && (s = blkfront_get(bf, &p)) >= 0) {
			pages[s] = p;
			in_flight[s] = jobs[next];
			mine[s] = 1;
			if (op == BLKFRONT_WRITE)
				fill(pages[s], jobs[next].sector, jobs[next].bytes);
			if (blkfront_submit(bf, (unsigned int)s, op, jobs[next].sector,
					    jobs[next].bytes)) {
				blkfront_put(bf, (unsigned int)s);
				return n;
			}
			next++;
			if (++busy > *peak)
				*peak = busy;
		}
		k = blkfront_wait(bf, done, 16, 15000);
		if (k <= 0) {
			fprintf(stderr, "xacm-front-io: wait: %s\n", k ? strerror(-k) : "timeout");
			free(copy);
			return n;
		}
		for (int j = 0; j < k; j++) {
			const struct job *jb = &in_flight[done[j].slot];

			if (!mine[done[j].slot]) {
				blkfront_put(bf, done[j].slot);
				continue;
			}
			mine[done[j].slot] = 0;
			if (done[j].status ||
			    (op == BLKFRONT_READ &&
			     check(pages[done[j].slot], jb->sector, jb->bytes, copy))) {
				fprintf(stderr,
					"xacm-front-io: request at sector %" PRIu64 ": %s\n",
					jb->sector,
					done[j].status ? strerror(-done[j].status)
						       : "data differs");
				bad++;
			}
			blkfront_put(bf, done[j].slot);
			busy--;
		}
	}
	free(copy);
	return bad;
}

/* One request, waited for: its status, or the submit's error. */
static int one(struct blkfront *bf, enum blkfront_op op, uint64_t sector, size_t bytes,
	       const char *data)
{
	struct blkfront_done done;
	uint8_t *p;
	int s = blkfront_get(bf, &p), rc, k;

	if (s < 0)
		return s;
	if (data) {
		memset(p, 0, bytes);
		memcpy(p, data, strlen(data));
	}
	rc = blkfront_submit(bf, (unsigned int)s, op, sector, bytes);
	if (rc == 0) {
		k = blkfront_wait(bf, &done, 1, 15000);
		rc = k == 1 ? done.status : k < 0 ? k : -ETIMEDOUT;
	}
	blkfront_put(bf, (unsigned int)s);
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Nothing in flight, and 300 ms into a 2 s blkfront_wait a child writes
 * the backend's state node again with the value it holds: the watch fires
 * but nothing finished, so the wait must last the whole 2 s and return 0. */
static void quiet_wait(struct blkfront *bf, const char *fe)
{
	struct blkfront_done done[16];
	long long t0 = now_ms();
	pid_t child = fork();
	int k, status = 1;

	if (child == 0) {
		struct xs_handle *xs = xs_open(0);
		char path[256], *be, *st = NULL;
		unsigned int len;

		usleep(300 * 1000);
		snprintf(path, sizeof(path), "%s/backend", fe);
		be = xs ? xs_read(xs, XBT_NULL, path, &len) : NULL;
		if (be && snprintf(path, sizeof(path), "%s/state", be) < (int)sizeof(path))
			st = xs_read(xs, XBT_NULL, path, &len);
		_exit(st && xs_write(xs, XBT_NULL, path, st, len) ? 0 : 1);
	}
	k = blkfront_wait(bf, done, 16, 2000);
	t0 = now_ms() - t0;
	if (child > 0)
		waitpid(child, &status, 0);
	result("quiet-wait", k == 0 && t0 >= 2000 && status == 0,
	       "returned %d after %lld ms, the backend's state rewritten at 300 ms: %s", k, t0,
	       status == 0 ? "done" : "failed");
}

/* A read in flight, then the backend goes away: -ENOTCONN, no response. */
static void wait_gone(struct blkfront *bf)
{
	struct blkfront_done done[16];
	time_t end = time(NULL) + 120;
	uint8_t *p;
	int s = blkfront_get(bf, &p), rc = -EBUSY, k = 0;

	if (s >= 0)
		rc = blkfront_submit(bf, (unsigned int)s, BLKFRONT_READ, 0, 4 * KIB);
	printf("WAITING for the backend to go\n");
	while (rc == 0 && time(NULL) < end && (k = blkfront_wait(bf, done, 16, 1000)) >= 0)
		if (k > 0) /* the read's answer came first: keep waiting */
			blkfront_put(bf, done[0].slot);
	result("backend-gone", rc == 0 && k == -ENOTCONN, "blkfront_complete: %s",
	       k < 0 ? strerror(-k) : "no error before the time limit");
}

int main(int argc, char **argv)
{
	struct blkfront_config cfg = {.max_ring_order = 4,
				      .slots = 8,
				      .max_segments = 256,
				      .timeout_ms = 30000,
				      .persistent = true};
	const char *fe = NULL, *marker = NULL;
	int until_gone = 0;
	static const char *flush_names[] = {"none", "barrier", "flush-diskcache"};
	const struct blkfront_info *in;
	struct job small[64], big[4];
	struct blkfront *bf;
	unsigned int peak_small, peak_big, peak, bad;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	xacm_log_open("xacm-front-io", XACM_LOG_INFO, false);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fe") && i + 1 < argc)
			fe = argv[++i];
		else if (!strcmp(argv[i], "--marker") && i + 1 < argc)
			marker = argv[++i];
		else if (!strcmp(argv[i], "--slots") && i + 1 < argc)
			cfg.slots = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--segments") && i + 1 < argc)
			cfg.max_segments = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--until-gone"))
			until_gone = 1;
		else if (!strcmp(argv[i], "--ring-order") && i + 1 < argc)
			cfg.max_ring_order = (unsigned int)strtoul(argv[++i], NULL, 10);
		else
			fe = NULL, i = argc;
	}
	if (fe == NULL || marker == NULL || strlen(marker) >= 4 * KIB) {
		fprintf(stderr,
			"usage: xacm-front-io --fe FRONTEND_DIR --marker STRING [--slots N] "
			"[--segments N] [--ring-order N] [--until-gone]\n");
		return 2;
	}
	seed = (uint64_t)time(NULL) * 0x100000001b3ull;
	bf = blkfront_open(fe, &cfg);
	if (bf == NULL) {
		fprintf(stderr, "xacm-front-io: cannot connect to %s: %s\n", fe, strerror(errno));
		return 2;
	}
	in = blkfront_info(bf);
	printf("FEATURES backend=%u sectors=%" PRIu64 " sector-size=%u info=%u ring-order=%u "
	       "slots=%u max-segments=%u indirect=%u flush=%s max-bytes=%zu\n",
	       in->backend_id, in->sectors, in->sector_size, in->vdisk_info, in->ring_order,
	       in->slots, in->max_segments, in->indirect, flush_names[in->flush], in->max_bytes);
	result("connect", 1, "(%s)", fe);
	if (in->sectors < 16 * MIB / 512 || in->max_bytes < MIB || in->slots < 4) {
		result("geometry", 0, "need 16 MiB, 1 MiB requests and 4 slots");
		blkfront_close(bf);
		return 1;
	}
	quiet_wait(bf, fe);
	for (unsigned int i = 0; i < 64; i++) /* 4 KiB blocks, every other one */
		small[i] = (struct job){.sector = (uint64_t)i * 16, .bytes = 4 * KIB};
	for (unsigned int i = 0; i < 4; i++) /* 1 MiB each, from 8 MiB */
		big[i] = (struct job){.sector = (8 + (uint64_t)i) * MIB / 512, .bytes = MIB};

	bad = run(bf, BLKFRONT_WRITE, small, 64, &peak_small);
	result("write-4k", bad == 0 && peak_small > 1, "64 requests, %u bad, up to %u in flight",
	       bad, peak_small);
	bad = run(bf, BLKFRONT_WRITE, big, 4, &peak_big);
	result("write-1m-indirect", bad == 0 && peak_big > 1 && in->indirect >= 256,
	       "4 requests of 256 segments, %u bad, up to %u in flight", bad, peak_big);
	rc = one(bf, BLKFRONT_FLUSH, 0, 0, NULL);
	result("flush", rc == 0, "(%s): %s", flush_names[in->flush], rc ? strerror(-rc) : "done");
	bad = run(bf, BLKFRONT_READ, small, 64, &peak);
	result("read-4k-compare", bad == 0 && peak > 1, "64 requests, %u bad, up to %u in flight",
	       bad, peak);
	bad = run(bf, BLKFRONT_READ, big, 4, &peak);
	result("read-1m-compare", bad == 0 && peak > 1, "4 requests, %u bad, up to %u in flight",
	       bad, peak);

	/* refused here, before the ring: past the end, unaligned, too long */
	rc = one(bf, BLKFRONT_READ, in->sectors - 4, 4 * KIB, NULL);
	result("past-end-refused", rc == -EINVAL, "%s", strerror(-rc));
	rc = one(bf, BLKFRONT_READ, 0, 100, NULL);
	result("unaligned-refused", rc == -EINVAL, "%s", strerror(-rc));
	rc = one(bf, BLKFRONT_READ, 0, in->max_bytes + 4 * KIB, NULL);
	result("too-long-refused", rc == -EINVAL, "%s", strerror(-rc));
	/* the last sector still works */
	rc = one(bf, BLKFRONT_READ, in->sectors - in->sector_size / 512, in->sector_size, NULL);
	result("read-last-sector", rc == 0, "%s", rc ? strerror(-rc) : "done");

	rc = one(bf, BLKFRONT_WRITE, 4 * MIB / 512, 4 * KIB, marker);
	if (rc == 0)
		rc = one(bf, BLKFRONT_FLUSH, 0, 0, NULL);
	result("marker-written", rc == 0, "at 4 MiB, flushed: %s", rc ? strerror(-rc) : "done");
	if (until_gone)
		wait_gone(bf);
	blkfront_close(bf);
	result("closed", 1, "(frontend Closed)");
	printf("xacm-front-io: %u failed\n", failures);
	return failures ? 1 : 0;
}
