/* xacm-volume - create and look after encdom volumes: format, info, check,
 * scrub, rekey.  See man/xacm-volume.1. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encdom.h"
#include "vol_format.h"

#define EXIT_BAD 1   /* integrity problems found */
#define EXIT_USAGE 2 /* bad command line */
#define EXIT_FAIL 3  /* could not do it */

static const char usage[] =
	"usage: xacm-volume COMMAND [OPTIONS] STORE...\n"
	"\n"
	"STORE... are the replicas (files or block devices) of one volume.\n"
	"\n"
	"commands:\n"
	"  format  create a volume, a new key file and the trust anchor\n"
	"          --size BYTES[K|M|G|T] --key-file F --anchor A [--passphrase-file P]\n"
	"          [--journal BLOCKS]\n"
	"  info    show the geometry (no key needed); with --key-file and --anchor\n"
	"          also the commit sequence and write counters\n"
	"  check   verify every block on every replica; repair nothing\n"
	"          --key-file F --anchor A [--passphrase-file P]\n"
	"  scrub   like check, and rewrite bad copies from a good replica\n"
	"  rekey   rewrap the key file under a new passphrase (or as a raw key)\n"
	"          --key-file F [--passphrase-file OLD] (--new-passphrase-file NEW | --raw)\n"
	"\n"
	"options:\n"
	"  -k, --key-file F             the volume key: 32 raw bytes or wrapped\n"
	"  -p, --passphrase-file P      passphrase of a wrapped key file ('-': stdin)\n"
	"  -a, --anchor A               trust anchor file on trusted storage\n"
	"  -s, --size BYTES             data capacity (format)\n"
	"  -j, --journal BLOCKS         journal size in 4 KiB blocks (format; default one\n"
	"                               per 64 MiB of capacity, 8 to 64)\n"
	"  -n, --new-passphrase-file P  new passphrase (rekey)\n"
	"  -r, --raw                    store the key unwrapped (rekey)\n"
	"  -q, --quiet                  no progress output\n"
	"  -h, --help                   this text\n"
	"\n"
	"exit status: 0 ok, 1 integrity problems found, 2 usage, 3 failure\n";

static struct {
	const char *key_file, *pass_file, *anchor, *new_pass_file;
	uint64_t size;
	uint32_t journal;
	int raw, quiet;
} opt;

static int die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("xacm-volume: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long n;
	unsigned int shift = 0;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	switch (*end) {
	case 'T':
		shift += 10;
		/* fall through */
	case 'G':
		shift += 10;
		/* fall through */
	case 'M':
		shift += 10;
		/* fall through */
	case 'K':
		shift += 10;
		end++;
		break;
	default:
		break;
	}
	if (*end != 0 || n > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

/* First line of a file ('-': stdin), at most 1023 bytes. */
static int read_pass(const char *path, char pass[static 1024])
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t n;

	if (f == NULL || fgets(pass, 1024, f) == NULL) {
		if (f != NULL && f != stdin)
			fclose(f);
		return die(-1, "%s: cannot read the passphrase", path);
	}
	if (f != stdin)
		fclose(f);
	n = strcspn(pass, "\r\n");
	pass[n] = 0;
	if (n == 0)
		return die(-1, "%s: empty passphrase", path);
	return 0;
}

static int load_key(const uint8_t *uuid, uint8_t key[static ENCDOM_KEY_LEN])
{
	char pass[1024], err[ENCDOM_ERRLEN];
	int rc;

	if (opt.key_file == NULL)
		return die(-1, "--key-file is needed");
	if (opt.pass_file != NULL && read_pass(opt.pass_file, pass) != 0)
		return -1;
	rc = encdom_key_load(opt.key_file, opt.pass_file ? pass : NULL, uuid, key, err);
	OPENSSL_cleanse(pass, sizeof(pass));
	if (rc != 0)
		return die(-1, "%s (%s)", err, encdom_strerror(rc));
	return 0;
}

static uint64_t bad_copies;

static void progress(void *ctx, enum encdom_event ev, uint64_t a, uint64_t b)
{
	static int last = -1;
	const char *what = ctx;

	switch (ev) {
	case ENCDOM_EV_PROGRESS: {
		int pct = b ? (int)(a * 100 / b) : 100;

		if (!opt.quiet && (pct / 10 != last / 10 || pct == 100) && pct != last) {
			fprintf(stderr, "%s: %3d%% (%" PRIu64 " of %" PRIu64 " blocks)\n", what,
				pct, a, b);
			last = pct;
		}
		break;
	}
	case ENCDOM_EV_BAD:
		bad_copies++;
		printf("bad: replica %" PRIu64 " block %" PRIu64 "\n", a, b);
		break;
	case ENCDOM_EV_REPAIR:
		if (b == UINT64_MAX)
			printf("repaired: replica %" PRIu64 " header or metadata\n", a);
		else
			printf("repaired: replica %" PRIu64 " block %" PRIu64 "\n", a, b);
		break;
	case ENCDOM_EV_RECOVER:
		printf("recovered: block %" PRIu64 " (counter %" PRIu64 ") from the journal\n", b,
		       a);
		break;
	default:
		break;
	}
}

/* The geometry from the header of a store, without a key. */
static int peek(const char *path, struct encdom_info *info, char err[static ENCDOM_ERRLEN])
{
	uint8_t hb[ENCDOM_BLOCK];
	struct vol_header h;
	struct vol_layout l;
	FILE *f = fopen(path, "rb");
	int rc = 0;

	memset(info, 0, sizeof(*info));
	if (f == NULL) {
		snprintf(err, ENCDOM_ERRLEN, "%s: %s", path, strerror(errno));
		return ENCDOM_ERR_IO;
	}
	if (fread(hb, 1, sizeof(hb), f) != sizeof(hb))
		rc = ENCDOM_ERR_TRUNCATED;
	else if (vol_header_parse(hb, &h) != 0 ||
		 vol_layout_init(&l, h.nblocks, h.journal_blocks) != 0)
		rc = ENCDOM_ERR_HEADER;
	if (rc == 0) {
		memcpy(info->uuid, h.uuid, ENCDOM_UUID_LEN);
		info->nblocks = h.nblocks;
		info->journal_blocks = h.journal_blocks;
		info->meta_bytes = l.data_off;
		if (fseeko(f, 0, SEEK_END) == 0)
			info->store_size = (uint64_t)ftello(f);
	}
	fclose(f);
	if (rc != 0)
		snprintf(err, ENCDOM_ERRLEN, "%s: %s", path, encdom_strerror(rc));
	return rc;
}

static void print_uuid(const uint8_t *u)
{
	for (unsigned int i = 0; i < ENCDOM_UUID_LEN; i++)
		printf("%02x%s", u[i], i == 3 || i == 5 || i == 7 || i == 9 ? "-" : "");
}

static int cmd_format(char **stores, unsigned int n)
{
	uint8_t key[ENCDOM_KEY_LEN], uuid[ENCDOM_UUID_LEN];
	char err[ENCDOM_ERRLEN], pass[1024] = "";
	struct encdom_geometry g = {.journal_blocks = opt.journal};
	struct encdom_anchor a;
	int rc;

	if (opt.size == 0 || opt.size % ENCDOM_BLOCK != 0 || opt.key_file == NULL ||
	    opt.anchor == NULL)
		return die(EXIT_USAGE, "format needs --size (a multiple of 4096), --key-file, "
				       "--anchor");
	if (access(opt.key_file, F_OK) == 0)
		return die(EXIT_FAIL, "%s exists: not overwriting a key", opt.key_file);
	if (opt.pass_file != NULL && read_pass(opt.pass_file, pass) != 0)
		return EXIT_FAIL;
	g.nblocks = opt.size / ENCDOM_BLOCK;
	if (encdom_random(key, sizeof(key)) != 0 || encdom_random(uuid, sizeof(uuid)) != 0)
		return die(EXIT_FAIL, "no randomness");
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
	rc = encdom_key_save(opt.key_file, key, opt.pass_file ? pass : NULL, uuid, 0, err);
	OPENSSL_cleanse(pass, sizeof(pass));
	if (rc == 0) {
		encdom_anchor_file(&a, opt.anchor);
		if (!opt.quiet)
			fprintf(stderr, "format: writing %u replica(s)\n", n);
		rc = encdom_format((const char *const *)stores, n, &g, key, uuid, &a, err);
	}
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != 0)
		return die(EXIT_FAIL, "%s (%s)", err, encdom_strerror(rc));
	printf("formatted ");
	print_uuid(uuid);
	printf(": %" PRIu64 " blocks of 4096 bytes on %u replica(s)\n", g.nblocks, n);
	return 0;
}

static int open_vol(struct encdom_vol **v, char **stores, unsigned int n, const char *what)
{
	struct encdom_info info;
	struct encdom_anchor a;
	uint8_t key[ENCDOM_KEY_LEN];
	char err[ENCDOM_ERRLEN];
	int rc;

	if (opt.anchor == NULL)
		return die(EXIT_USAGE, "--anchor is needed");
	rc = peek(stores[0], &info, err);
	if (rc != 0)
		return die(rc == ENCDOM_ERR_IO ? EXIT_FAIL : EXIT_BAD, "%s", err);
	if (load_key(info.uuid, key) != 0)
		return EXIT_FAIL;
	encdom_anchor_file(&a, opt.anchor);
	rc = encdom_open(v, (const char *const *)stores, n, key, &a, progress, (void *)what, err);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != 0)
		return die(rc == ENCDOM_ERR_IO || rc == ENCDOM_ERR_NOMEM ? EXIT_FAIL : EXIT_BAD,
			   "%s (%s)", err, encdom_strerror(rc));
	if (err[0] != 0)
		printf("warning: %s\n", err);
	return 0;
}

static int cmd_info(char **stores, unsigned int n)
{
	struct encdom_info info;
	struct encdom_vol *v = NULL;
	char err[ENCDOM_ERRLEN];
	int rc = peek(stores[0], &info, err);

	if (rc != 0)
		return die(rc == ENCDOM_ERR_IO ? EXIT_FAIL : EXIT_BAD, "%s", err);
	printf("uuid:          ");
	print_uuid(info.uuid);
	printf("\ncapacity:      %" PRIu64 " blocks (%" PRIu64 " MiB)\n", info.nblocks,
	       info.nblocks / 256);
	printf("metadata:      %" PRIu64 " bytes (%.3f %% of capacity)\n", info.meta_bytes,
	       100.0 * (double)info.meta_bytes / ((double)info.nblocks * ENCDOM_BLOCK));
	printf("journal:       %u blocks\n", info.journal_blocks);
	printf("store size:    %" PRIu64 " bytes\n", info.store_size);
	if (opt.key_file == NULL)
		return 0;
	rc = open_vol(&v, stores, n, "info");
	if (rc != 0)
		return rc;
	encdom_get_info(v, &info);
	printf("replicas:      %u\ncommit:        %" PRIu64 "\nnext counter:  %" PRIu64
	       "\nlease:         %" PRIu64 "\nrecovered:     %" PRIu64 "\n",
	       info.replicas, info.seq, info.next_ctr, info.lease_hwm, info.recovered);
	rc = encdom_close(v);
	return rc == 0 ? 0 : die(EXIT_FAIL, "close: %s", encdom_strerror(rc));
}

static int cmd_scrub(char **stores, unsigned int n, int repair)
{
	const char *what = repair ? "scrub" : "check";
	struct encdom_vol *v = NULL;
	struct encdom_info info;
	uint64_t nbad = 0;
	int rc = open_vol(&v, stores, n, what), rc2;

	if (rc != 0)
		return rc;
	rc = encdom_scrub(v, repair, &nbad);
	encdom_get_info(v, &info);
	printf("%s: %" PRIu64 " blocks without a good copy, %" PRIu64 " copies repaired, %" PRIu64
	       " damaged metadata chunks\n",
	       what, nbad, info.repaired, info.bad_chunks);
	if (rc != 0)
		printf("%s\n", encdom_errmsg(v));
	rc2 = encdom_close(v);
	if (rc2 != 0)
		return die(EXIT_FAIL, "close: %s", encdom_strerror(rc2));
	if (!repair && bad_copies > 0)
		return EXIT_BAD; /* check: any bad copy is a finding */
	return rc != 0 || info.bad_chunks > 0 ? EXIT_BAD : 0;
}

static int cmd_rekey(char **stores)
{
	struct encdom_info info;
	uint8_t key[ENCDOM_KEY_LEN];
	char err[ENCDOM_ERRLEN], pass[1024] = "", tmp[4096];
	int rc = peek(stores[0], &info, err);

	if (rc != 0)
		return die(EXIT_FAIL, "%s (%s)", err, encdom_strerror(rc));
	if ((opt.new_pass_file == NULL) == !opt.raw)
		return die(EXIT_USAGE, "rekey needs --new-passphrase-file or --raw");
	if (load_key(info.uuid, key) != 0)
		return EXIT_FAIL;
	if (opt.new_pass_file != NULL && read_pass(opt.new_pass_file, pass) != 0) {
		OPENSSL_cleanse(key, sizeof(key));
		return EXIT_FAIL;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", opt.key_file);
	rc = encdom_key_save(tmp, key, opt.raw ? NULL : pass, info.uuid, 0, err);
	OPENSSL_cleanse(pass, sizeof(pass));
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != 0)
		return die(EXIT_FAIL, "%s (%s)", err, encdom_strerror(rc));
	if (rename(tmp, opt.key_file) != 0)
		return die(EXIT_FAIL, "%s: %s", opt.key_file, strerror(errno));
	printf("rekeyed %s (%s)\n", opt.key_file, opt.raw ? "raw" : "wrapped");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"key-file", required_argument, NULL, 'k'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"anchor", required_argument, NULL, 'a'},
		{"size", required_argument, NULL, 's'},
		{"journal", required_argument, NULL, 'j'},
		{"new-passphrase-file", required_argument, NULL, 'n'},
		{"raw", no_argument, NULL, 'r'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *cmd;
	unsigned int n;
	int c;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "k:p:a:s:j:n:rqh", longopts, NULL)) != -1) {
		uint64_t j;

		switch (c) {
		case 'k':
			opt.key_file = optarg;
			break;
		case 'p':
			opt.pass_file = optarg;
			break;
		case 'a':
			opt.anchor = optarg;
			break;
		case 's':
			if (parse_size(optarg, &opt.size) != 0)
				return die(EXIT_USAGE, "bad size: %s", optarg);
			break;
		case 'j':
			if (parse_size(optarg, &j) != 0 || j > UINT32_MAX)
				return die(EXIT_USAGE, "bad journal size: %s", optarg);
			opt.journal = (uint32_t)j;
			break;
		case 'n':
			opt.new_pass_file = optarg;
			break;
		case 'r':
			opt.raw = 1;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	n = (unsigned int)(argc - optind);
	if (n == 0 || n > ENCDOM_MAX_REPLICAS)
		return die(EXIT_USAGE, "give 1 to %u STORE arguments (see --help)",
			   ENCDOM_MAX_REPLICAS);
	if (strcmp(cmd, "format") == 0)
		return cmd_format(argv + optind, n);
	if (strcmp(cmd, "info") == 0)
		return cmd_info(argv + optind, n);
	if (strcmp(cmd, "check") == 0)
		return cmd_scrub(argv + optind, n, 0);
	if (strcmp(cmd, "scrub") == 0)
		return cmd_scrub(argv + optind, n, 1);
	if (strcmp(cmd, "rekey") == 0)
		return cmd_rekey(argv + optind);
	return die(EXIT_USAGE, "unknown command %s (see --help)", cmd);
}
