/* encdom-bench - throughput of the encdom core path, one thread (one core).
 * usage: encdom-bench DIR [MiB] [FLUSH_EVERY] [file|mem]
 * file: the volume is a file in DIR (page cache through pread/pwrite);
 * mem: the volume is in memory behind the store interface (no system call
 * per block, as with grant-mapped rings); the anchor is a file in DIR.
 * Prints "name value unit" lines that bench/run.sh turns into
 * docs/performance.md.  Not part of make check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "encdom.h"
#include "vol_format.h"
#include "xc_crypto.h"

#define REPS 5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "encdom-bench: %s: %s\n", what, encdom_strerror(rc));
		exit(1);
	}
}

/* bytes per second, or bytes in secs */
static void report(const char *name, double bytes, double secs)
{
	printf("%s %.1f MB/s\n", name, bytes / secs / 1e6);
	fflush(stdout);
}

/* Cost of one Merkle path update for a tree of n chunks with node size s. */
static void arity(uint64_t nchunks)
{
	static uint8_t node[4096];
	uint8_t h[32];

	for (unsigned int k = 2; k <= 128; k *= 2) {
		unsigned int levels = 0;
		double t0, per;
		int reps = 200000 / (int)k;

		for (uint64_t n = nchunks; n > 1; n = (n + k - 1) / k)
			levels++;
		t0 = now();
		for (int i = 0; i < reps; i++) {
			node[0] = (uint8_t)i;
			xc_sha256(node, k * 32, h);
		}
		per = (now() - t0) / reps;
		printf("arity%u %.2f us (%u levels x %u-byte nodes)\n", k, per * levels * 1e6,
		       levels, k * 32);
	}
}

struct mem {
	uint8_t *p;
	uint64_t size;
};

static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct mem *m = ctx;

	if (off > m->size || len > m->size - off)
		return ENCDOM_ERR_TRUNCATED;
	memcpy(buf, m->p + off, len);
	return 0;
}

static int mem_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct mem *m = ctx;

	if (off > m->size || len > m->size - off)
		return ENCDOM_ERR_IO;
	memcpy(m->p + off, buf, len);
	return 0;
}

static int mem_sync(void *ctx)
{
	return 0;
}

static uint64_t mem_size(void *ctx)
{
	return ((struct mem *)ctx)->size;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 10) : 256;
	unsigned int every = argc > 3 ? (unsigned int)atoi(argv[3]) : 64;
	uint64_t nb = mib * 256, n;
	char path[512], apath[512], err[ENCDOM_ERRLEN];
	const char *paths[1] = {path};
	struct encdom_geometry g = {.nblocks = nb};
	struct encdom_anchor a;
	struct encdom_vol *v;
	struct encdom_info info;
	uint8_t key[32], *buf = malloc(1 << 20);
	double t0;
	unsigned int seed = 1;
	struct vol_layout l;
	struct mem mem = {NULL, 0};
	struct encdom_store st = {mem_read, mem_write, mem_sync, mem_size, &mem};

	snprintf(path, sizeof(path), "%s/encdom-bench.vol", dir);
	snprintf(apath, sizeof(apath), "%s/encdom-bench.anchor", dir);
	memset(key, 7, sizeof(key));
	for (size_t i = 0; i < (1 << 20); i++)
		buf[i] = (uint8_t)(i * 131);
	/* The kept-open file anchor, as a long-lived volume would use. */
	check(encdom_anchor_file_open(&a, apath), "anchor");
	if (argc > 4 && strcmp(argv[4], "mem") == 0) {
		if (vol_layout_init(&l, nb, vol_default_jblocks(nb)) != 0)
			return 1;
		mem.size = l.size;
		mem.p = calloc(1, l.size);
		if (mem.p == NULL)
			return 1;
		check(encdom_format_stores(&st, 1, &g, key, NULL, &a, err), err);
		check(encdom_open_stores(&v, &st, 1, key, &a, NULL, NULL, err), err);
	} else {
		check(encdom_format(paths, 1, &g, key, NULL, &a, err), err);
		check(encdom_open(&v, paths, 1, key, &a, NULL, NULL, err), err);
	}
	encdom_get_info(v, &info);
	printf("volume %llu MiB\n", (unsigned long long)mib);
	printf("metadata %.3f %%\n", 100.0 * (double)info.meta_bytes / (double)(nb * 4096));
	/* Overhead by capacity, default journal: 1 GiB, 4 GiB, 64 GiB, 1 TiB */
	for (unsigned int lg = 18; lg <= 28; lg += lg < 20 ? 2 : 4)
		if (vol_layout_init(&l, (uint64_t)1 << lg,
				    vol_default_jblocks((uint64_t)1 << lg)) == 0)
			printf("metadata_%ugib %.3f %%\n", 1u << (lg - 18),
			       100.0 * (double)l.data_off / (double)(l.size - l.data_off));

	/* Untimed: allocate every block of the store (as on a block device). */
	for (uint64_t b = 0; b + 256 <= nb; b += 256)
		check(encdom_write(v, b, 256, buf), "write");
	check(encdom_flush(v), "flush");
	/* Each figure is the best of REPS runs (the machine may be shared). */
	for (unsigned int bs = 16; bs <= 256; bs *= 16) {
		double w = 0, r = 0, t;
		char name[64];

		for (int rep = 0; rep < REPS; rep++) {
			t0 = now();
			for (uint64_t b = 0; b + bs <= nb; b += bs)
				check(encdom_write(v, b, bs, buf), "write");
			check(encdom_flush(v), "flush");
			t = (double)nb * 4096 / (now() - t0);
			w = t > w ? t : w;
			t0 = now();
			for (uint64_t b = 0; b + bs <= nb; b += bs)
				check(encdom_read(v, b, bs, buf), "read");
			t = (double)nb * 4096 / (now() - t0);
			r = t > r ? t : r;
		}
		snprintf(name, sizeof(name), "seq_write_%uk", bs * 4);
		report(name, w, 1);
		snprintf(name, sizeof(name), "seq_read_%uk", bs * 4);
		report(name, r, 1);
	}
	n = nb < 40000 ? nb : 40000;
	{
		double w = 0, r = 0, t;

		for (int rep = 0; rep < REPS; rep++) {
			t0 = now();
			for (uint64_t i = 0; i < n; i++) {
				check(encdom_write(v, (uint64_t)rand_r(&seed) % nb, 1, buf),
				      "write");
				if ((i + 1) % every == 0)
					check(encdom_flush(v), "flush");
			}
			check(encdom_flush(v), "flush");
			t = (double)n * 4096 / (now() - t0);
			w = t > w ? t : w;
			t0 = now();
			for (uint64_t i = 0; i < 2 * n; i++)
				check(encdom_read(v, (uint64_t)rand_r(&seed) % nb, 1, buf), "read");
			t = (double)n * 2 * 4096 / (now() - t0);
			r = t > r ? t : r;
		}
		report("rand_write_4k", w, 1);
		report("rand_read_4k", r, 1);
	}
	printf("flush_every %u\n", every);
	check(encdom_close(v), "close");
	encdom_anchor_file_close(&a);
	arity((nb + 15) / 16);
	unlink(path);
	unlink(apath);
	free(mem.p);
	free(buf);
	return 0;
}
