/* Tamper matrix on a file-backed store: every case is detected, no wrong
 * plaintext is returned (the buffer comes back zeroed) and the error names
 * the block (or the header, journal or store for whole-volume attacks). */
#include "check_encdom_util.h"
#include "merkle.h"
#include "vol_format.h"

#define NB 64u
#define JB 8u

static struct vol_layout L;

/* A volume whose blocks 0..NB-1 hold pattern(b, 1); closed cleanly. */
static void setup(struct tvol *t)
{
	struct encdom_vol *v;
	uint8_t *buf = malloc(NB * ENCDOM_BLOCK);

	ck_assert_int_eq(vol_layout_init(&L, NB, JB), 0);
	tvol_make(t, 1, NB, JB);
	v = tvol_open(t);
	for (uint64_t b = 0; b < NB; b++)
		pattern(buf + b * ENCDOM_BLOCK, b, 1);
	ck_assert_int_eq(encdom_write(v, 0, NB, buf), 0);
	ck_assert_int_eq(encdom_close(v), 0);
	free(buf);
}

/* Rewrite block b with version ver and close. */
static void rewrite(struct tvol *t, uint64_t b, uint32_t ver)
{
	struct encdom_vol *v = tvol_open(t);
	uint8_t buf[ENCDOM_BLOCK];

	pattern(buf, b, ver);
	ck_assert_int_eq(encdom_write(v, b, 1, buf), 0);
	ck_assert_int_eq(encdom_close(v), 0);
}

/* Reading block b fails, names it, and returns zeros; block ok reads fine. */
static void expect_bad_block(struct encdom_vol *v, uint64_t b, uint64_t ok)
{
	uint8_t buf[ENCDOM_BLOCK], zero[ENCDOM_BLOCK] = {0}, want[ENCDOM_BLOCK];
	char name[64];

	memset(buf, 0x5a, sizeof(buf));
	ck_assert_int_eq(encdom_read(v, b, 1, buf), ENCDOM_ERR_INTEGRITY);
	snprintf(name, sizeof(name), "block %llu:", (unsigned long long)b);
	ck_assert_msg(strstr(encdom_errmsg(v), name) != NULL, "error \"%s\" does not name %s",
		      encdom_errmsg(v), name);
	ck_assert_mem_eq(buf, zero, sizeof(buf));
	/* A multi-block read that covers b fails as a whole and leaks nothing. */
	if (b > 0) {
		uint8_t two[2 * ENCDOM_BLOCK], zero2[2 * ENCDOM_BLOCK] = {0};

		ck_assert_int_eq(encdom_read(v, b - 1, 2, two), ENCDOM_ERR_INTEGRITY);
		ck_assert_mem_eq(two, zero2, sizeof(two));
	}
	pattern(want, ok, 1);
	ck_assert_int_eq(encdom_read(v, ok, 1, buf), 0);
	ck_assert_mem_eq(buf, want, sizeof(buf));
}

START_TEST(flipped_bit_in_data)
{
	struct tvol t = {0};
	struct encdom_vol *v;

	setup(&t);
	flip_bit(t.path[0], L.data_off + 5 * ENCDOM_BLOCK + 1000, 3);
	v = tvol_open(&t);
	expect_bad_block(v, 5, 6);
	ck_assert_int_eq(encdom_close(v), 0);
	tvol_rm(&t);
}
END_TEST

START_TEST(flipped_bit_in_metadata_record)
{
	/* In the counter, the tag and a reserved byte of three records. */
	static const unsigned int where[][2] = {{7, 0}, {21, 12}, {40, 30}};

	for (unsigned int i = 0; i < 3; i++) {
		struct tvol t = {0};
		struct encdom_vol *v;
		struct encdom_info info;
		uint8_t buf[ENCDOM_BLOCK];
		uint64_t b = where[i][0];

		setup(&t);
		flip_bit(t.path[0], L.meta_off + b * VOL_RECORD + where[i][1], 1);
		v = tvol_open(&t);
		ck_assert_ptr_nonnull(strstr(t.err, "does not match the trust anchor"));
		encdom_get_info(v, &info);
		ck_assert_uint_eq(info.bad_chunks, 1);
		expect_bad_block(v, b, (b + 16) % NB);
		ck_assert_ptr_null(strstr(encdom_errmsg(v), "rolled back"));
		pattern(buf, 0, 2);
		ck_assert_int_eq(encdom_write(v, (b + 16) % NB, 1, buf), ENCDOM_ERR_READONLY);
		ck_assert_int_eq(encdom_close(v), 0);
		tvol_rm(&t);
	}
}
END_TEST

START_TEST(flipped_bit_in_header)
{
	/* uuid, geometry, key check, MAC, checksum, padding */
	static const unsigned int off[] = {20, 33, 41, 50, 90, 120, 2000};

	for (unsigned int i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		struct tvol t = {0};
		struct encdom_vol *v = NULL;

		setup(&t);
		flip_bit(t.path[0], off[i], 4);
		ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
				 ENCDOM_ERR_HEADER);
		ck_assert_ptr_null(v);
		ck_assert_ptr_nonnull(strstr(t.err, "header"));
		tvol_rm(&t);
	}
}
END_TEST

static void swap_range(const char *path, uint64_t a, uint64_t b, size_t len)
{
	uint8_t x[ENCDOM_BLOCK], y[ENCDOM_BLOCK];
	int d = open(path, O_RDWR);

	ck_assert_int_eq(pread(d, x, len, (off_t)a), (ssize_t)len);
	ck_assert_int_eq(pread(d, y, len, (off_t)b), (ssize_t)len);
	ck_assert_int_eq(pwrite(d, y, len, (off_t)a), (ssize_t)len);
	ck_assert_int_eq(pwrite(d, x, len, (off_t)b), (ssize_t)len);
	close(d);
}

START_TEST(two_blocks_swapped)
{
	struct tvol t = {0};
	struct encdom_vol *v;

	setup(&t);
	/* Ciphertext only: each fails its own block number in the AAD. */
	swap_range(t.path[0], L.data_off + 3 * ENCDOM_BLOCK, L.data_off + 4 * ENCDOM_BLOCK,
		   ENCDOM_BLOCK);
	v = tvol_open(&t);
	expect_bad_block(v, 3, 9);
	expect_bad_block(v, 4, 9);
	ck_assert_int_eq(encdom_close(v), 0);
	/* Swap the records as well: the Merkle tree catches it. */
	swap_range(t.path[0], L.meta_off + 3 * VOL_RECORD, L.meta_off + 4 * VOL_RECORD, VOL_RECORD);
	v = tvol_open(&t);
	expect_bad_block(v, 3, 20);
	expect_bad_block(v, 4, 20);
	ck_assert_int_eq(encdom_close(v), 0);
	tvol_rm(&t);
}
END_TEST

START_TEST(one_block_rolled_back)
{
	struct tvol t = {0};
	struct encdom_vol *v;
	char old[320];

	setup(&t);
	snprintf(old, sizeof(old), "%s/old", t.dir);
	copy_file(t.path[0], old);
	rewrite(&t, 9, 2);
	/* The old ciphertext alone: its counter is not the recorded one. */
	copy_range(old, t.path[0], L.data_off + 9 * ENCDOM_BLOCK, ENCDOM_BLOCK);
	v = tvol_open(&t);
	expect_bad_block(v, 9, 8);
	ck_assert_int_eq(encdom_close(v), 0);
	/* Old ciphertext and old record: consistent, but not fresh. */
	copy_range(old, t.path[0], L.meta_off + 9 * VOL_RECORD, VOL_RECORD);
	v = tvol_open(&t);
	expect_bad_block(v, 9, 40);
	ck_assert_int_eq(encdom_close(v), 0);
	tvol_rm(&t);
}
END_TEST

START_TEST(whole_volume_rolled_back_across_reopen)
{
	struct tvol t = {0};
	struct encdom_vol *v = NULL;
	char old[320];

	setup(&t);
	snprintf(old, sizeof(old), "%s/old", t.dir);
	copy_file(t.path[0], old);
	rewrite(&t, 12, 2);
	copy_file(old, t.path[0]);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_ROLLBACK);
	ck_assert_ptr_null(v);
	ck_assert_ptr_nonnull(strstr(t.err, "rolled back"));
	tvol_rm(&t);
}
END_TEST

/* Relabel journal block `from` of file old as absolute block `to`, in place
 * of the live journal. */
static void replay_journal_block(const char *old, const char *live, uint64_t from, uint64_t to)
{
	uint8_t jb[ENCDOM_BLOCK];
	int f = open(old, O_RDONLY), d = open(live, O_WRONLY);

	ck_assert_int_eq(pread(f, jb, sizeof(jb), L.journal_off + (from % JB) * ENCDOM_BLOCK),
			 ENCDOM_BLOCK);
	vol_put64(jb + 8, to);
	ck_assert_int_eq(pwrite(d, jb, sizeof(jb), L.journal_off + (to % JB) * ENCDOM_BLOCK),
			 ENCDOM_BLOCK);
	close(f);
	close(d);
}

static uint64_t anchor_jpos(const struct tvol *t, int commit)
{
	uint8_t ab[ENCDOM_ANCHOR_LEN];
	struct vol_commit c;

	ck_assert_int_eq(t->anchor.load(t->anchor.ctx, ab), 0);
	ck_assert_int_eq(vol_commit_parse(ab, VOL_COMMIT_ANCHOR, &c), 0);
	return commit ? c.commit_jpos : c.ckpt_jpos;
}

START_TEST(old_journal_replayed)
{
	struct tvol t = {0};
	struct encdom_vol *v = NULL;
	char old[320];
	uint64_t jpos;

	setup(&t); /* entries 0..63 hold blocks 0..63 at counters 1..64 */
	snprintf(old, sizeof(old), "%s/old", t.dir);
	copy_file(t.path[0], old);
	rewrite(&t, 30, 2);
	/* After the commit: old entries presented as if written since. */
	jpos = anchor_jpos(&t, 1);
	replay_journal_block(old, t.path[0], 0, jpos / VOL_JENT_PER_BLOCK);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_INTEGRITY);
	ck_assert_ptr_nonnull(strstr(t.err, "old journal replayed"));
	ck_assert_ptr_nonnull(strstr(t.err, "block "));
	tvol_rm(&t);
}
END_TEST

START_TEST(old_journal_in_committed_range)
{
	struct tvol t = {0};
	struct encdom_vol *v = NULL;
	char old[320];
	pid_t pid;
	int status;

	setup(&t);
	snprintf(old, sizeof(old), "%s/old", t.dir);
	copy_file(t.path[0], old);
	/* A writer that flushes and dies before checkpointing. */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		uint8_t buf[ENCDOM_BLOCK];

		v = tvol_open(&t);
		pattern(buf, 33, 3);
		if (encdom_write(v, 33, 1, buf) != 0 || encdom_flush(v) != 0)
			_exit(1);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_lt(anchor_jpos(&t, 0), anchor_jpos(&t, 1));
	/* The journal block the anchor says to replay, replaced by an old one. */
	copy_range(old, t.path[0], L.journal_off, JB * ENCDOM_BLOCK);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_ROLLBACK);
	ck_assert_ptr_nonnull(strstr(t.err, "journal block"));
	ck_assert_ptr_nonnull(strstr(t.err, "rolled back"));
	tvol_rm(&t);
}
END_TEST

/* A writer that flushes block 33 and dies before checkpointing: the anchor
 * then has a committed journal range to replay. */
static void flush_without_checkpoint(struct tvol *t)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct encdom_vol *v = tvol_open(t);
		uint8_t buf[ENCDOM_BLOCK];

		pattern(buf, 33, 3);
		if (encdom_write(v, 33, 1, buf) != 0 || encdom_flush(v) != 0)
			_exit(1);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_lt(anchor_jpos(t, 0), anchor_jpos(t, 1));
}

/* Plain corruption of a committed journal block (its header, or an entry)
 * is corruption, not a rollback: nothing shows an older committed state. */
START_TEST(corrupted_journal_in_committed_range)
{
	for (int hdr = 0; hdr < 2; hdr++) {
		struct tvol t = {0};
		struct encdom_vol *v = NULL;
		uint64_t pos;

		setup(&t);
		flush_without_checkpoint(&t);
		pos = anchor_jpos(&t, 1) - 1; /* the entry of block 33 */
		flip_bit(t.path[0],
			 L.journal_off + (pos / VOL_JENT_PER_BLOCK % JB) * ENCDOM_BLOCK +
				 (hdr ? 2 : VOL_JHDR + (pos % VOL_JENT_PER_BLOCK) * VOL_JENT + 20),
			 3);
		ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
				 ENCDOM_ERR_INTEGRITY);
		ck_assert_msg(strstr(t.err, "corrupted") && !strstr(t.err, "rolled back") &&
				      !strstr(t.err, "replayed"),
			      "%s", t.err);
		tvol_rm(&t);
	}
}
END_TEST

/* Records damaged and the stored tree rebuilt to match them: the damage
 * cannot be located, and nothing shows an older commit: corrupted. */
START_TEST(records_corrupted_with_a_consistent_tree)
{
	struct tvol t = {0};
	struct encdom_vol *v = NULL;
	struct merkle m;
	int fd;

	setup(&t);
	flip_bit(t.path[0], L.meta_off + 9 * VOL_RECORD + 12, 1);
	ck_assert_int_eq(merkle_init(&m, &L), 0);
	fd = open(t.path[0], O_RDWR);
	ck_assert_int_eq(pread(fd, m.meta, L.nchunks * VOL_CHUNK, (off_t)L.meta_off),
			 (ssize_t)(L.nchunks * VOL_CHUNK));
	merkle_build(&m);
	ck_assert_int_eq(pwrite(fd, m.nodes, L.nnodes * VOL_CHUNK, (off_t)L.tree_off),
			 (ssize_t)(L.nnodes * VOL_CHUNK));
	close(fd);
	merkle_free(&m);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_INTEGRITY);
	ck_assert_msg(strstr(t.err, "corrupted") && !strstr(t.err, "rolled back"), "%s", t.err);
	tvol_rm(&t);
}
END_TEST

START_TEST(truncated_store)
{
	struct tvol t = {0};
	struct encdom_vol *v = NULL;

	setup(&t);
	ck_assert_int_eq(truncate(t.path[0], (off_t)(L.data_off + 50 * ENCDOM_BLOCK + 100)), 0);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(t.err, "blocks from 50 on are missing"));
	ck_assert_int_eq(truncate(t.path[0], 100), 0);
	ck_assert_int_eq(encdom_open(&v, t.paths, 1, t.key, &t.anchor, NULL, NULL, t.err),
			 ENCDOM_ERR_TRUNCATED);
	tvol_rm(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("encdom_tamper");
	TCase *tc = tcase_create("tamper");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, flipped_bit_in_data);
	tcase_add_test(tc, flipped_bit_in_metadata_record);
	tcase_add_test(tc, flipped_bit_in_header);
	tcase_add_test(tc, two_blocks_swapped);
	tcase_add_test(tc, one_block_rolled_back);
	tcase_add_test(tc, whole_volume_rolled_back_across_reopen);
	tcase_add_test(tc, old_journal_replayed);
	tcase_add_test(tc, old_journal_in_committed_range);
	tcase_add_test(tc, truncated_store);
	tcase_add_test(tc, corrupted_journal_in_committed_range);
	tcase_add_test(tc, records_corrupted_with_a_consistent_tree);
	suite_add_tcase(s, tc);
	return xacm_check_run(s);
}
