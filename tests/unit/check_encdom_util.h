/* check_encdom_util.h - helpers shared by the encdom check suites. */
#ifndef XACM_CHECK_ENCDOM_UTIL_H
#define XACM_CHECK_ENCDOM_UTIL_H

#include <check.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "encdom.h"

struct tvol {
	char dir[256];
	char path[ENCDOM_MAX_REPLICAS][300];
	const char *paths[ENCDOM_MAX_REPLICAS];
	char anchor_path[300];
	struct encdom_anchor anchor;
	unsigned int n;
	uint8_t key[ENCDOM_KEY_LEN];
	char err[ENCDOM_ERRLEN];
};

static inline void tvol_paths(struct tvol *t, unsigned int n)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(t->dir, sizeof(t->dir), "%s/encdomXXXXXX", tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	t->n = n;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(t->path[i], sizeof(t->path[i]), "%s/replica%u", t->dir, i);
		t->paths[i] = t->path[i];
	}
	snprintf(t->anchor_path, sizeof(t->anchor_path), "%s/anchor", t->dir);
	encdom_anchor_file(&t->anchor, t->anchor_path);
	for (unsigned int i = 0; i < ENCDOM_KEY_LEN; i++)
		t->key[i] = (uint8_t)(i * 7 + 1);
}

/* A fresh volume of nblocks with n replicas and a journal of jblocks. */
static inline void tvol_make(struct tvol *t, unsigned int n, uint64_t nblocks, uint32_t jblocks)
{
	struct encdom_geometry g = {.nblocks = nblocks, .journal_blocks = jblocks};
	int rc;

	tvol_paths(t, n);
	rc = encdom_format(t->paths, n, &g, t->key, NULL, &t->anchor, t->err);
	ck_assert_msg(rc == 0, "format: %s", t->err);
}

static inline struct encdom_vol *tvol_open(struct tvol *t)
{
	struct encdom_vol *v = NULL;
	int rc = encdom_open(&v, t->paths, t->n, t->key, &t->anchor, NULL, NULL, t->err);

	ck_assert_msg(rc == 0, "open: %s (%s)", t->err, encdom_strerror(rc));
	return v;
}

static inline void tvol_rm(struct tvol *t)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Block contents that name the block and a version. */
static inline void pattern(uint8_t *buf, uint64_t block, uint32_t version)
{
	for (unsigned int i = 0; i < ENCDOM_BLOCK; i += 16) {
		memcpy(buf + i, &block, 8);
		memcpy(buf + i + 8, &version, 4);
		memcpy(buf + i + 12, &i, 4);
	}
}

/* Copy len bytes at off from file a to file b (off in both). */
static inline void copy_range(const char *from, const char *to, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len);
	int f = open(from, O_RDONLY), t = open(to, O_WRONLY);

	ck_assert(buf != NULL && f >= 0 && t >= 0);
	ck_assert_int_eq(pread(f, buf, len, (off_t)off), (ssize_t)len);
	ck_assert_int_eq(pwrite(t, buf, len, (off_t)off), (ssize_t)len);
	close(f);
	close(t);
	free(buf);
}

static inline void flip_bit(const char *path, uint64_t off, unsigned int bit)
{
	int fd = open(path, O_RDWR);
	uint8_t b;

	ck_assert(fd >= 0);
	ck_assert_int_eq(pread(fd, &b, 1, (off_t)off), 1);
	b ^= (uint8_t)(1u << bit);
	ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

static inline void copy_file(const char *from, const char *to)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	ck_assert_int_eq(system(cmd), 0);
}

static inline int vol_is_zero_block(const uint8_t *p)
{
	static const uint8_t zero[ENCDOM_BLOCK];

	return memcmp(p, zero, ENCDOM_BLOCK) == 0;
}

#endif
