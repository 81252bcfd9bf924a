/* blkback-acm - a userspace blkif backend for an untrusted driver domain.
 *
 * Serves every vbd whose backend directory is in this domain's XenStore
 * tree (xl writes them for disks with backend=<this domain>), from the file
 * or block device named by the vbd's "params".  With the acdom gate on (the
 * default), a vbd connects only on acdom's allow for exactly that vbd, and
 * a revocation disconnects it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm_protocol.h"
#include "vbd.h"
#include "xacm_log.h"
#include "xs_value.h"

static const char usage[] =
	"usage: blkback-acm [--no-acdom] [--max-ring-order N] [--max-indirect N] [--max-queues N]\n"
	"                   [--sector-size 512|4096] [--no-discard] [--state-dir DIR]\n"
	"                   [--poll-us N] [--max-persistent N] [--verbose]\n"
	"Serves the vbds whose backend is this domain, from the file or device in\n"
	"each vbd's \"params\".  A vbd connects only on acdom's allow for it\n"
	"(" ACM_XS_DECISIONS "/<this domain>/<frontend>/<devid>); --no-acdom serves\n"
	"without that gate (testing only).  Defaults: ring order 4, 256 indirect\n"
	"segments, 4 queues, 512-byte sectors, discard offered (holes in files, BLKDISCARD on\n"
	"devices), state directory /run/blkback-acm.  I/O is asynchronous (io_uring).\n"
	"--poll-us N: before sleeping, poll the rings and completions for up to N\n"
	"microseconds (default 0: never); faster at low queue depth, at the price\n"
	"of up to a vCPU of the driver domain while it serves I/O.\n"
	"--max-persistent N: persistent grants mapped at once, all vbds together\n"
	"(default: vm.max_map_count less a quarter, at least 1024, for the rest);\n"
	"past it the least recently used idle one is unmapped.\n"
	"Stopped or killed, it leaves connected vbds as they are; started again, it\n"
	"takes each ring up from its shadow file in the state directory (keep it on\n"
	"tmpfs), running again what was not answered: no acknowledged write is lost.\n";

/* The value of a numeric option: a decimal number from min to max, or a
 * message that says which option wants what, and exit status 2. */
static unsigned int number(const char *opt, const char *arg, unsigned int min, unsigned int max)
{
	uint64_t n;

	if (xs_value_parse_uint(arg, strlen(arg), max, &n) != 0 || n < min) {
		fprintf(stderr, "blkback-acm: --%s takes a number from %u to %u, not \"%s\"\n", opt,
			min, max, arg);
		exit(2);
	}
	return (unsigned int)n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"no-acdom", no_argument, NULL, 'n'},
		{"max-ring-order", required_argument, NULL, 'r'},
		{"max-indirect", required_argument, NULL, 'i'},
		{"sector-size", required_argument, NULL, 's'},
		{"max-queues", required_argument, NULL, 'q'},
		{"no-discard", no_argument, NULL, 'd'},
		{"state-dir", required_argument, NULL, 'S'},
		{"poll-us", required_argument, NULL, 'p'},
		{"max-persistent", required_argument, NULL, 'm'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct blkb_ctx ctx = {
		.acdom_gate = true,
		.max_ring_order = 4,
		.max_indirect_segments = 256,
		.max_queues = 4,
		.sector_size = 512,
		.discard = true,
		.persistent = true,
		.state_dir = "/run/blkback-acm",
	};
	enum xacm_log_level level = XACM_LOG_INFO;
	int c;

	while ((c = getopt_long(argc, argv, "nr:i:s:q:dS:p:m:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			ctx.acdom_gate = false;
			break;
		case 'r':
			ctx.max_ring_order =
				number("max-ring-order", optarg, 0, BLKB_RING_MAX_PAGE_ORDER);
			break;
		case 'i':
			ctx.max_indirect_segments =
				number("max-indirect", optarg, 0, BLKB_MAX_INDIRECT_SEGMENTS);
			break;
		case 's':
			ctx.sector_size = number("sector-size", optarg, 512, 4096);
			if (ctx.sector_size != 512 && ctx.sector_size != 4096) {
				fputs("blkback-acm: --sector-size takes 512 or 4096\n", stderr);
				return 2;
			}
			break;
		case 'q':
			ctx.max_queues = number("max-queues", optarg, 1, BLKB_MAX_QUEUES);
			break;
		case 'd':
			ctx.discard = false;
			break;
		case 'S':
			ctx.state_dir = optarg;
			break;
		case 'p':
			ctx.poll_us = number("poll-us", optarg, 0, 1000000);
			break;
		case 'm':
			ctx.max_persistent = number("max-persistent", optarg, 1, 1u << 24);
			break;
		case 'v':
			level = XACM_LOG_DEBUG;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	xacm_log_open("blkback-acm", level, false);
	if (optind != argc) {
		fprintf(stderr, "blkback-acm: unexpected argument \"%s\"\n%s", argv[optind], usage);
		return 2;
	}
	return vbd_serve(&ctx);
}
