/* Crash matrix: a writer process is killed with SIGKILL at random points.
 * After each kill the volume is reopened (recovery) and checked:
 *  - every write acknowledged by a completed FLUSH reads back (a block may
 *    also hold a newer, unflushed version, never an older one);
 *  - no integrity alarm: open finds no damage and every block verifies;
 *  - write counters never repeat: the writer logs each nonce before use
 *    and all of them, across every kill, are distinct. */
#include <signal.h>
#include <time.h>

#include "check_encdom_util.h"

#define NB 192u
#define JB 12u

struct ack {
	uint64_t seq;
	uint32_t ver[NB];
	uint64_t sum;
};

static uint64_t ack_sum(const struct ack *a)
{
	const uint8_t *p = (const uint8_t *)a;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < offsetof(struct ack, sum); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static int nonce_fd;
static void log_nonce(void *ctx, enum encdom_event ev, uint64_t a, uint64_t b)
{
	(void)ctx;
	(void)b;
	if (ev == ENCDOM_EV_NONCE && write(nonce_fd, &a, sizeof(a)) != (ssize_t)sizeof(a))
		_exit(3);
}

static uint64_t recovered;
static void count_recovered(void *ctx, enum encdom_event ev, uint64_t a, uint64_t b)
{
	(void)ctx;
	(void)a;
	(void)b;
	if (ev == ENCDOM_EV_RECOVER)
		recovered++;
}

static uint32_t version_of(const uint8_t *buf, uint64_t block)
{
	uint8_t want[ENCDOM_BLOCK];
	uint32_t ver;

	memcpy(&ver, buf + 8, 4);
	pattern(want, block, ver);
	return memcmp(want, buf, ENCDOM_BLOCK) == 0 ? ver : UINT32_MAX;
}

/* Deterministic crash points: the writer dies (SIGKILL to itself) just
 * before or just after its crash_at-th anchor update: after the commit
 * block is durable but before the anchor, or after the anchor but before
 * the FLUSH returns and anything goes in place. */
static int crash_at, crash_after;
static struct encdom_anchor file_anchor;

static int crashing_load(void *ctx, uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	return file_anchor.load(file_anchor.ctx, buf);
}

static int crashing_store(void *ctx, const uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	int rc;

	if (--crash_at == 0 && !crash_after)
		raise(SIGKILL);
	rc = file_anchor.store(file_anchor.ctx, buf);
	if (crash_at == 0)
		raise(SIGKILL);
	return rc;
}

/* The writer: opens (recovering the last crash if it was not verified),
 * reads every block to learn its state, then random writes of 1..8 blocks
 * with a FLUSH every 1..12 writes; after each completed FLUSH the versions
 * it covers go to the ack file. */
static void writer(struct tvol *t, uint32_t base, int ack_fd, unsigned int seed)
{
	struct encdom_vol *v = NULL;
	struct ack a = {0};
	uint8_t *buf = malloc(NB * ENCDOM_BLOCK);
	uint32_t next = base;
	struct encdom_anchor crashing = {crashing_load, crashing_store, NULL};

	file_anchor = t->anchor;
	if (buf == NULL ||
	    encdom_open(&v, t->paths, t->n, t->key, crash_at > 0 ? &crashing : &t->anchor,
			log_nonce, NULL, t->err) != 0)
		_exit(2);
	if (encdom_read(v, 0, NB, buf) != 0)
		_exit(7); /* a false alarm after a crash */
	for (uint64_t b = 0; b < NB; b++) {
		const uint8_t *p = buf + b * ENCDOM_BLOCK;

		a.ver[b] = vol_is_zero_block(p) ? 0 : version_of(p, b);
		if (a.ver[b] == UINT32_MAX)
			_exit(8); /* garbage */
	}
	srand(seed);
	for (;;) {
		unsigned int nw = 1 + (unsigned int)rand() % 12;

		for (unsigned int w = 0; w < nw; w++) {
			uint32_t n = 1 + (uint32_t)rand() % 8;
			uint64_t b = (uint64_t)rand() % (NB - n + 1);

			for (uint32_t i = 0; i < n; i++)
				pattern(buf + i * ENCDOM_BLOCK, b + i, ++next);
			if (encdom_write(v, b, n, buf) != 0)
				_exit(4);
			for (uint32_t i = 0; i < n; i++)
				a.ver[b + i] = next - n + 1 + i;
		}
		if (encdom_flush(v) != 0)
			_exit(5);
		a.seq++;
		a.sum = ack_sum(&a);
		if (pwrite(ack_fd, &a, sizeof(a), (off_t)((a.seq % 2) * sizeof(a))) !=
		    (ssize_t)sizeof(a))
			_exit(6);
	}
}

/* Acknowledged versions: the newest valid ack slot, else the old state. */
static void read_ack(int fd, uint32_t *acked)
{
	struct ack a[2];
	int best = -1;

	memset(a, 0, sizeof(a));
	if (pread(fd, a, sizeof(a), 0) < 0)
		return;
	for (int i = 0; i < 2; i++)
		if (a[i].seq > 0 && a[i].sum == ack_sum(&a[i]) &&
		    (best < 0 || a[i].seq > a[best].seq))
			best = i;
	if (best >= 0)
		memcpy(acked, a[best].ver, sizeof(a[best].ver));
}

/* skip_some: 1 = not every kill is checked; 2 = deterministic crash points
 * instead of timed kills. */
static void crash_matrix(unsigned int replicas, unsigned int kills, int skip_some)
{
	struct tvol t = {0};
	uint32_t acked[NB] = {0};
	unsigned int verified = 0;
	uint8_t *buf = malloc(NB * ENCDOM_BLOCK);
	char path[320];
	uint64_t *nonces, nn;
	struct stat st;
	unsigned int seed = (unsigned int)time(NULL);

	printf("crash matrix: %u replica(s), %u kills%s, seed %u\n", replicas, kills,
	       skip_some == 1   ? ", some during recovery"
	       : skip_some == 2 ? " before and after anchor updates"
				: "",
	       seed);
	tvol_make(&t, replicas, NB, JB);
	snprintf(path, sizeof(path), "%s/nonces", t.dir);
	nonce_fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0600);
	ck_assert_int_ge(nonce_fd, 0);
	recovered = 0;
	for (unsigned int k = 0; k < kills; k++) {
		struct encdom_vol *v = NULL;
		struct encdom_info info;
		int ack_fd, status, rc;
		pid_t pid;

		snprintf(path, sizeof(path), "%s/ack", t.dir);
		ack_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		ck_assert_int_ge(ack_fd, 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			if (skip_some == 2) {
				crash_at = 1 + (int)(k / 2) % 25;
				crash_after = k % 2;
			}
			writer(&t, (k + 1) * 1000000u, ack_fd, seed + k);
		}
		if (skip_some != 2) {
			usleep((useconds_t)(rand_r(&seed) % 25000));
			ck_assert_int_eq(kill(pid, SIGKILL), 0);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status), "kill %u: writer exited early with %d", k,
			      WEXITSTATUS(status));
		read_ack(ack_fd, acked);
		close(ack_fd);
		/* With skip_some, about every other time the next writer recovers
		 * the crash itself, so that kills also land in a recovery; it
		 * still checks for false alarms (exit 7 or 8). */
		if (skip_some == 1 && rand_r(&seed) % 2 == 0 && k + 1 < kills)
			continue;
		verified++;

		rc = encdom_open(&v, t.paths, t.n, t.key, &t.anchor, count_recovered, NULL, t.err);
		ck_assert_msg(rc == 0, "kill %u: open after crash: %s", k, t.err);
		encdom_get_info(v, &info);
		ck_assert_msg(info.bad_chunks == 0, "kill %u: false alarm: %s", k, t.err);
		rc = encdom_read(v, 0, NB, buf);
		ck_assert_msg(rc == 0, "kill %u: false alarm: %s", k, encdom_errmsg(v));
		for (uint64_t b = 0; b < NB; b++) {
			const uint8_t *p = buf + b * ENCDOM_BLOCK;
			uint32_t ver = vol_is_zero_block(p) ? 0 : version_of(p, b);

			ck_assert_msg(ver != UINT32_MAX, "kill %u: block %llu holds garbage", k,
				      (unsigned long long)b);
			ck_assert_msg(ver >= acked[b],
				      "kill %u: block %llu lost an acknowledged write "
				      "(has version %u, flushed %u)",
				      k, (unsigned long long)b, ver, acked[b]);
		}
		ck_assert_int_eq(encdom_close(v), 0);
	}
	ck_assert_int_eq(fstat(nonce_fd, &st), 0);
	nn = (uint64_t)st.st_size / 8;
	nonces = malloc(nn * 8 + 8);
	ck_assert_int_eq(pread(nonce_fd, nonces, nn * 8, 0), (ssize_t)(nn * 8));
	for (uint64_t i = 1; i < nn; i++)
		ck_assert_msg(nonces[i] > nonces[i - 1], "counter %llu used twice or went back",
			      (unsigned long long)nonces[i]);
	printf("crash matrix: %u checks after a kill; %llu counters used, all distinct; "
	       "%llu records recovered from the journal\n",
	       verified, (unsigned long long)nn, (unsigned long long)recovered);
	ck_assert_uint_gt(nn, kills);
	close(nonce_fd);
	free(nonces);
	free(buf);
	tvol_rm(&t);
}

START_TEST(sigkill_single_replica)
{
	crash_matrix(1, 100, 0);
}
END_TEST

START_TEST(sigkill_two_replicas)
{
	crash_matrix(2, 30, 0);
}
END_TEST

START_TEST(crash_around_anchor_updates)
{
	crash_matrix(2, 50, 2);
}
END_TEST

START_TEST(sigkill_during_recovery)
{
	crash_matrix(1, 40, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("encdom_crash");
	TCase *tc = tcase_create("crash");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, sigkill_single_replica);
	tcase_add_test(tc, sigkill_two_replicas);
	tcase_add_test(tc, sigkill_during_recovery);
	tcase_add_test(tc, crash_around_anchor_updates);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
