/* anchor.c - the default trust anchor: a file on trusted storage.
 *
 * It protects against a rollback of the untrusted replicas.  It does not
 * protect against a rollback of the trusted domain's own storage: whoever
 * can restore an old anchor file together with old replicas wins.  A vTPM
 * NV counter or a key broker plugs in through struct encdom_anchor. */
#include "encdom.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int file_load(void *ctx, uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	int fd = open(ctx, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	uint8_t extra;

	if (fd < 0)
		return errno == ENOENT ? ENCDOM_ERR_ANCHOR : ENCDOM_ERR_IO;
	n = read(fd, buf, ENCDOM_ANCHOR_LEN);
	if (n == (ssize_t)ENCDOM_ANCHOR_LEN && read(fd, &extra, 1) != 0)
		n = -1;
	close(fd);
	return n == (ssize_t)ENCDOM_ANCHOR_LEN ? 0 : ENCDOM_ERR_ANCHOR;
}

static int file_store(void *ctx, const uint8_t buf[static ENCDOM_ANCHOR_LEN])
{
	const char *path = ctx;
	char tmp[4096], dir[4096];
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return ENCDOM_ERR_INVAL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return ENCDOM_ERR_IO;
	ok = write(fd, buf, ENCDOM_ANCHOR_LEN) == (ssize_t)ENCDOM_ANCHOR_LEN && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return ENCDOM_ERR_IO;
	}
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ENCDOM_ERR_IO;
	ok = fsync(fd) == 0;
	close(fd);
	return ok ? 0 : ENCDOM_ERR_IO;
}

void encdom_anchor_file(struct encdom_anchor *a, const char *path)
{
	a->load = file_load;
	a->store = file_store;
	a->ctx = (void *)(uintptr_t)path;
}
