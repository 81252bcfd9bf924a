/* anchor.c - the default trust anchor: a file on trusted storage.
 *
 * It protects against a rollback of the untrusted replicas.  It does not
 * protect against a rollback of the trusted domain's own storage: whoever
 * can restore an old anchor file together with old replicas wins.  A vTPM
 * NV counter or a key broker plugs in through struct encdom_anchor.
 *
 * The file has two 512-byte slots, written alternately in place: record
 * (256 bytes), generation (8), SHA-256 of both (32), zeros.  A store
 * writes the slot not holding the newest record and makes it durable
 * (fdatasync); a torn slot fails its checksum, so a crash leaves the
 * previous record.  One write and one flush per update, no rename.
 * A record of the volume the file holds must have a higher sequence
 * (ENCDOM_ERR_ANCHOR_SEQ otherwise): a commit is never stored twice. */
#include "encdom.h"
#include "vol_format.h"
#include "xc_crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SLOT 512u
#define GEN_OFF ENCDOM_ANCHOR_LEN
#define SUM_OFF (GEN_OFF + 8u)
#define SLOT_END (SUM_OFF + 32u)

/* The slot holding the newest valid record, or -1. */
static int newest(const uint8_t f[static 2 * SLOT], uint64_t *gen)
{
	int best = -1;

	*gen = 0;
	for (int i = 0; i < 2; i++) {
		const uint8_t *s = f + i * SLOT;
		uint8_t sum[32];

		xc_sha256(s, SUM_OFF, sum);
		if (!xc_equal(sum, s + SUM_OFF, 32) || !vol_is_zero(s + SLOT_END, SLOT - SLOT_END))
			continue;
		if (best < 0 || vol_get64(s + GEN_OFF) > *gen) {
			best = i;
			*gen = vol_get64(s + GEN_OFF);
		}
	}
	return best;
}

static int read_slots(int fd, uint8_t f[static 2 * SLOT])
{
	ssize_t n;

	memset(f, 0, 2 * SLOT);
	n = pread(fd, f, 2 * SLOT, 0);
	return n < 0 ? ENCDOM_ERR_IO : 0;
}

static int file_load(void *ctx, uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	uint8_t f[2 * SLOT];
	uint64_t gen;
	int fd = open(ctx, O_RDONLY | O_CLOEXEC), rc, best;

	if (fd < 0)
		return errno == ENOENT ? ENCDOM_ERR_ANCHOR : ENCDOM_ERR_IO;
	rc = read_slots(fd, f);
	close(fd);
	if (rc == 0 && (best = newest(f, &gen)) < 0)
		rc = ENCDOM_ERR_ANCHOR;
	if (rc == 0)
		memcpy(buf, f + best * SLOT, ENCDOM_ANCHOR_LEN);
	return rc;
}

/* A file that had no valid record may be new: make its directory entry
 * durable too. */
static int sync_dir(const char *path)
{
	char dir[4096];
	int fd, ok;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return ENCDOM_ERR_INVAL;
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ENCDOM_ERR_IO;
	ok = fsync(fd) == 0;
	close(fd);
	return ok ? 0 : ENCDOM_ERR_IO;
}

/* Write buf, generation gen + 1, to the slot not holding the newest record
 * (best: that slot, or -1), durably. */
static int put_slot(int fd, int best, uint64_t gen, const uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	uint8_t s[SLOT];

	memset(s, 0, SLOT);
	memcpy(s, buf, ENCDOM_ANCHOR_LEN);
	vol_put64(s + GEN_OFF, gen + 1);
	xc_sha256(s, SUM_OFF, s + SUM_OFF);
	return pwrite(fd, s, SLOT, best == 0 ? SLOT : 0) == (ssize_t)SLOT && fdatasync(fd) == 0
		       ? 0
		       : ENCDOM_ERR_IO;
}

/* The kept-open variant: the descriptor and the newest slot are remembered
 * between updates (re-read after a failed update or a load), so an update
 * is one hash, one pwrite and one fdatasync. */
struct afile {
	const char *path;
	int fd;   /* -1: not open yet */
	int best; /* slot holding the newest record; -1: not known */
	uint64_t gen;
	uint8_t last[ENCDOM_ANCHOR_LEN]; /* the newest record, if best >= 0 */
};

static int afile_load(void *ctx, uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	struct afile *a = ctx;

	a->best = -1;
	return file_load((void *)(uintptr_t)a->path, buf);
}

static int afile_store(void *ctx, const uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	struct afile *a = ctx;
	uint8_t f[2 * SLOT];
	int fresh = 0, rc = 0;

	if (a->fd < 0 && (a->fd = open(a->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return ENCDOM_ERR_IO;
	if (a->best < 0 && (rc = read_slots(a->fd, f)) == 0) {
		fresh = (a->best = newest(f, &a->gen)) < 0;
		memcpy(a->last, f + (fresh ? 0 : a->best) * SLOT, ENCDOM_ANCHOR_LEN);
	}
	/* Bytes 16..31: the volume's UUID; 32..39: the sequence. */
	if (rc == 0 && a->best >= 0 && memcmp(a->last + 16, buf + 16, ENCDOM_UUID_LEN) == 0 &&
	    vol_get64(buf + 32) <= vol_get64(a->last + 32))
		rc = ENCDOM_ERR_ANCHOR_SEQ;
	if (rc == 0)
		rc = put_slot(a->fd, a->best, a->gen, buf);
	if (rc == 0)
		memcpy(a->last, buf, ENCDOM_ANCHOR_LEN);
	if (rc == 0 && fresh)
		rc = sync_dir(a->path);
	a->best = rc != 0 ? -1 : a->best == 0; /* the slot just written */
	a->gen += rc == 0;
	return rc;
}

/* The plain variant: the same update on a descriptor opened for it. */
static int file_store(void *ctx, const uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	struct afile a = {ctx, -1, -1, 0, {0}};
	int rc = afile_store(&a, buf);

	if (a.fd >= 0 && close(a.fd) != 0)
		rc = ENCDOM_ERR_IO;
	return rc;
}

int encdom_anchor_file_open(struct encdom_anchor *a, const char *path)
{
	struct afile *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return ENCDOM_ERR_NOMEM;
	f->path = path;
	f->fd = -1;
	f->best = -1;
	a->load = afile_load;
	a->store = afile_store;
	a->ctx = f;
	return 0;
}

void encdom_anchor_file_close(struct encdom_anchor *a)
{
	struct afile *f = a->ctx;

	if (f != NULL && f->fd >= 0)
		close(f->fd);
	free(f);
	a->ctx = NULL;
}

void encdom_anchor_file(struct encdom_anchor *a, const char *path)
{
	a->load = file_load;
	a->store = file_store;
	a->ctx = (void *)(uintptr_t)path;
}
