/* encdom - the trusted encryption domain's daemon (issue 7).
 *
 * Toward each guest, a blkif backend (the xenbus state machine, acdom gate
 * and ring code shared with blkback-acm: blkback-acm/vbd.c, vbd_serve.c,
 * libblkback-core); toward the driver domains, userspace blkfronts
 * (blkfront.h).  Each guest vbd whose "params" names a configured volume is
 * served from that encdom core volume, whose replicas are vbds of driver
 * domains (store_blkfront.h): the driver domains see only ciphertext, and
 * whatever they return is verified before a guest sees it.
 *
 * Fail closed: a volume that does not open stops the daemon; a vbd of a
 * volume already in use is refused; dom0's kernel blkback must not be able
 * to claim a vbd (checked at start). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acm_client.h"
#include "acm_protocol.h"
#include "served.h"
#include "store_blkfront.h"
#include "vbd.h"
#include "vol_config.h"
#include "vol_format.h"
#include "xacm_log.h"

#define MAX_VOLUMES 16u
#define SERVE_SEGMENTS 32u /* feature-max-indirect-segments toward guests */

struct volume {
	struct volconf conf;
	struct served sv;
	struct bf_store bs[ENCDOM_MAX_REPLICAS];
	struct bf_group group; /* bs: a lost replica fails over (store_blkfront.h) */
	struct encdom_store st[ENCDOM_MAX_REPLICAS];
	struct encdom_anchor anchor;
	char uuid[ACM_UUID_LEN + 1];
};

static struct volume volumes[MAX_VOLUMES];
static unsigned int nvolumes;

static const struct blkfront_config store_cfg = {.max_ring_order = 2,
						 .slots = 1,
						 .max_segments = 64,
						 .timeout_ms = 30000,
						 .write_pool = true};

static void format_uuid(const uint8_t u[static ENCDOM_UUID_LEN], char out[static ACM_UUID_LEN + 1])
{
	for (unsigned int i = 0, o = 0; i < ENCDOM_UUID_LEN; i++)
		o += (unsigned int)sprintf(out + o, "%02x%s", u[i],
					   i == 3 || i == 5 || i == 7 || i == 9 ? "-" : "");
}

/* Connect to every replica of vol; exits on failure. */
static void connect_stores(struct volume *vol)
{
	for (unsigned int i = 0; i < vol->conf.nstores; i++) {
		struct bf_store *s = &vol->bs[i];

		s->name = vol->conf.store[i];
		s->cfg = &store_cfg;
		s->timeout_ms = (int)store_cfg.timeout_ms;
		s->group = &vol->group;
		vol->group.m[i] = s;
		s->bf = blkfront_open(s->name, &store_cfg);
		if (s->bf == NULL)
			xacm_die("volume %s: cannot connect to the driver domain's vbd %s: %s",
				 vol->conf.name, s->name, strerror(errno));
		bf_store_init(&vol->st[i], s);
	}
	vol->group.n = vol->conf.nstores;
}

static void disconnect_stores(struct volume *vol)
{
	for (unsigned int i = 0; i < vol->conf.nstores; i++) {
		xacm_info("volume %s: store %s: %" PRIu64 " bytes written straight from the "
			  "read-only write pool, %" PRIu64 " through a copy",
			  vol->conf.name, vol->bs[i].name, vol->bs[i].sent_direct,
			  vol->bs[i].sent_copied);
		bf_store_fini(&vol->bs[i]);
	}
}

static void on_event(void *ctx, enum encdom_event ev, uint64_t a, uint64_t b)
{
	const struct volume *vol = ctx;

	/* an absent replica's copies are stale: "repairs" of them are dropped */
	if (ev == ENCDOM_EV_REPAIR && !(a < ENCDOM_MAX_REPLICAS && vol->bs[a].absent))
		xacm_warn("volume %s: replica %" PRIu64 " of block %" PRIu64
			  " failed verification and was rewritten from a good copy",
			  vol->conf.name, a, b);
	else if (ev == ENCDOM_EV_RECOVER)
		xacm_info("volume %s: block %" PRIu64
			  " recovered from the journal (counter %" PRIu64 ")",
			  vol->conf.name, b, a);
}

/* Create the volume: a new raw key file, the anchor, the replicas' metadata.
 * The replicas must read as zeros (a fresh disk). */
static int format_volume(struct volume *vol, uint64_t size)
{
	uint8_t key[ENCDOM_KEY_LEN], uuid[ENCDOM_UUID_LEN];
	struct encdom_geometry g = {.nblocks = size / ENCDOM_BLOCK};
	struct vol_layout l;
	char err[ENCDOM_ERRLEN];
	int rc;

	if (size == 0 || size % ENCDOM_BLOCK ||
	    vol_layout_init(&l, g.nblocks, vol_default_jblocks(g.nblocks)) != 0)
		xacm_die("--size must be a positive multiple of 4096");
	if (access(vol->conf.key, F_OK) == 0)
		xacm_die("%s exists: not overwriting a key", vol->conf.key);
	connect_stores(vol);
	for (unsigned int i = 0; i < vol->conf.nstores; i++)
		if (vol->st[i].size(vol->st[i].ctx) < l.size)
			xacm_die("volume %s: the vbd %s holds %" PRIu64 " bytes, %" PRIu64
				 " are needed",
				 vol->conf.name, vol->conf.store[i],
				 vol->st[i].size(vol->st[i].ctx), l.size);
	if (encdom_random(key, sizeof(key)) != 0 || encdom_random(uuid, sizeof(uuid)) != 0)
		xacm_die("no randomness");
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
	rc = encdom_key_save(vol->conf.key, key, NULL, uuid, 0, err);
	if (rc == 0) {
		encdom_anchor_file(&vol->anchor, vol->conf.anchor);
		rc = encdom_format_stores(vol->st, vol->conf.nstores, &g, key, uuid, &vol->anchor,
					  err);
	}
	OPENSSL_cleanse(key, sizeof(key));
	disconnect_stores(vol);
	if (rc != 0)
		xacm_die("volume %s: format failed: %s (%s)", vol->conf.name, err,
			 encdom_strerror(rc));
	format_uuid(uuid, vol->uuid);
	printf("formatted %s: uuid %s, %" PRIu64 " blocks of 4096 bytes, data at byte %" PRIu64
	       " of %u replica(s)\n",
	       vol->conf.name, vol->uuid, g.nblocks, l.data_off, vol->conf.nstores);
	return 0;
}

static void open_volume(struct volume *vol)
{
	uint8_t key[ENCDOM_KEY_LEN];
	struct encdom_info info;
	char err[ENCDOM_ERRLEN];
	int rc;

	rc = encdom_key_load(vol->conf.key, NULL, NULL, key, err);
	if (rc != 0)
		xacm_die("volume %s: %s", vol->conf.name, err);
	connect_stores(vol);
	if (encdom_anchor_file_open(&vol->anchor, vol->conf.anchor) != 0)
		xacm_die("out of memory");
	rc = encdom_open_stores(&vol->sv.vol, vol->st, vol->conf.nstores, key, &vol->anchor,
				on_event, vol, err);
	/* Mirrors may differ (a replica absent before this start missed writes):
	 * scrub rewrites every stale data copy from one that verifies; close
	 * writes the committed metadata in place on every replica; then reopen. */
	if (rc == 0 && vol->conf.nstores > 1) {
		uint64_t nbad;

		if (encdom_scrub(vol->sv.vol, 1, &nbad) != 0)
			xacm_err("volume %s: %s", vol->conf.name, encdom_errmsg(vol->sv.vol));
		encdom_get_info(vol->sv.vol, &info);
		xacm_info("volume %s: replicas resynchronised (%" PRIu64 " copies rewritten)",
			  vol->conf.name, info.repaired);
		rc = encdom_close(vol->sv.vol);
		if (rc == 0)
			rc = encdom_open_stores(&vol->sv.vol, vol->st, vol->conf.nstores, key,
						&vol->anchor, on_event, vol, err);
		else
			snprintf(err, sizeof(err), "the resynchronising close failed");
	}
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != 0)
		xacm_die("volume %s: cannot open: %s (%s)", vol->conf.name, err,
			 encdom_strerror(rc));
	encdom_get_info(vol->sv.vol, &info);
	format_uuid(info.uuid, vol->uuid);
	vol->sv.name = vol->conf.name;
	vol->sv.buf_len = (size_t)SERVE_SEGMENTS * ENCDOM_BLOCK;
	vol->sv.buf = malloc(vol->sv.buf_len);
	if (vol->sv.buf == NULL)
		xacm_die("out of memory");
	xacm_info("volume %s: uuid %s, %" PRIu64 " blocks of 4096 bytes, data at byte %" PRIu64
		  " of %u replica(s)",
		  vol->conf.name, vol->uuid, info.nblocks, info.meta_bytes, info.replicas);
}

/* acdom first decided the vbd when the toolstack created it, before its
 * volume UUID was there (by the toolstack's record, usually a deny).  Wait
 * up to 2 s for a decision on the volume (its rid), so that the guest,
 * which starts to connect once it sees InitWait, meets the right one. */
static void settle_decision(struct vbd *v)
{
	struct acm_decision d;

	for (int i = 0; i < 100 && v->ctx->acdom_gate; i++) {
		if (acm_read_decision(v->ctx->xs, v->ctx->self, v->fe, v->devid, &d) == 0 &&
		    !strcmp(d.rid, v->rid))
			return;
		usleep(20 * 1000);
	}
}

/* vbd.h open_store: the volume the guest vbd's params names. */
static int open_store(struct vbd *v, const char *params, uint64_t *bytes)
{
	struct acm_alert al[ACM_ALERT_SLOTS];
	struct encdom_info info;
	struct volume *vol = NULL;

	for (unsigned int i = 0; i < nvolumes && vol == NULL; i++)
		if (!strcmp(params, volumes[i].conf.name))
			vol = &volumes[i];
	if (vol == NULL)
		return 1; /* not one of ours */
	if (vol->sv.in_use) {
		xacm_err("vbd %u/%u: volume %s already serves another vbd", v->fe, v->devid,
			 vol->conf.name);
		return -EBUSY;
	}
	/* acdom labels the vbd by this authenticated identity (acm_protocol.h) */
	if (!vbd_write_node(v, ACM_XS_VBD_VOLUME_UUID, "%s", vol->uuid) ||
	    acm_rid_of_uuid(vol->uuid, v->rid))
		return -EIO;
	settle_decision(v);
	/* alert numbers go on from those an earlier run left in this vbd's
	 * directory: acdom audits only numbers above the last it saw */
	vol->sv.alerts = 0;
	for (unsigned int i = 0, n = acm_read_alerts(v->ctx->xs, v->be_path, 0, al, NULL, NULL);
	     i < n; i++)
		vol->sv.alerts = al[i].count > vol->sv.alerts ? al[i].count : vol->sv.alerts;
	encdom_get_info(vol->sv.vol, &info);
	*bytes = info.nblocks * ENCDOM_BLOCK;
	vol->sv.in_use = true;
	v->priv = &vol->sv;
	return 0;
}

/* Whether dom0's kernel blkback could claim a new vbd in our tree. */
static bool kernel_blkback_claims(void)
{
	FILE *f = fopen("/sys/bus/xen-backend/drivers_autoprobe", "r");
	int c = f ? fgetc(f) : '0';

	if (f)
		fclose(f);
	return c != '0' && access("/sys/bus/xen-backend/drivers/vbd", F_OK) == 0;
}

static const char usage[] =
	"usage: encdom [--no-acdom] [--state-dir DIR] [--verbose] --volume SPEC...\n"
	"       encdom --format --size BYTES --volume SPEC\n"
	"SPEC: name=NAME,store=FRONTEND_DIR[,store=...],key=KEYFILE,anchor=ANCHORFILE\n"
	"Serves each guest vbd of this domain whose params is a volume's NAME from\n"
	"that encdom volume, whose replicas are driver-domain vbds with this domain\n"
	"as frontend (FRONTEND_DIR: /local/domain/<self>/device/vbd/<devid>).\n"
	"A vbd connects only on acdom's allow (--no-acdom: testing only).\n"
	"--format creates the volume (a new raw key file, the anchor) on fresh,\n"
	"zeroed replicas and exits.  State directory (ring shadows): /run/encdom.\n";

/* --volume SPEC: 0, or -1 (said why). */
static int add_volume(const char *spec)
{
	char err[VOLCONF_ERRLEN];

	if (nvolumes == MAX_VOLUMES) {
		fprintf(stderr, "encdom: at most %u volumes\n", MAX_VOLUMES);
		return -1;
	}
	if (volconf_parse(spec, &volumes[nvolumes].conf, err) != 0) {
		fprintf(stderr, "encdom: --volume %s: %s\n", spec, err);
		return -1;
	}
	for (unsigned int i = 0; i < nvolumes; i++)
		if (!strcmp(volumes[i].conf.name, volumes[nvolumes].conf.name)) {
			fprintf(stderr, "encdom: two volumes named %s\n", volumes[i].conf.name);
			return -1;
		}
	nvolumes++;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{.name = "help", .val = 'h'},
		{.name = "format", .val = 'f'},
		{.name = "size", .has_arg = required_argument, .val = 's'},
		{.name = "volume", .has_arg = required_argument, .val = 'V'},
		{.name = "state-dir", .has_arg = required_argument, .val = 'S'},
		{.name = "no-acdom", .val = 'n'},
		{.name = "verbose", .val = 'v'},
		{0},
	};
	/* toward guests: 4 KiB sectors (whole volume blocks), up to 4 queues
	 * (one thread serves them all, in turn), discard (encdom_io.c) */
	struct blkb_ctx ctx = {.open_store = open_store,
			       .sector_size = ENCDOM_BLOCK,
			       .max_queues = 4,
			       .discard = true,
			       .max_indirect_segments = SERVE_SEGMENTS,
			       .max_ring_order = 4,
			       .acdom_gate = true,
			       .state_dir = "/run/encdom"};
	enum xacm_log_level level = XACM_LOG_INFO;
	bool format = false;
	uint64_t size = 0;
	char *end;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "hfs:V:S:nv", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (c == 'V')
			rc = add_volume(optarg);
		else if (c == 'f')
			format = true;
		else if (c == 's') {
			errno = 0;
			size = strtoull(optarg, &end, 10);
			rc = errno || *end || optarg[0] == '-' ? -1 : 0;
		} else if (c == 'S')
			ctx.state_dir = optarg;
		else if (c == 'n')
			ctx.acdom_gate = false;
		else if (c == 'v')
			level = XACM_LOG_DEBUG;
		else
			rc = -1;
		if (rc != 0) {
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc || nvolumes == 0 || (format && nvolumes != 1)) {
		fputs(usage, stderr);
		return 2;
	}
	xacm_log_open("encdom", level, false);
	if (format)
		return format_volume(&volumes[0], size);
	if (kernel_blkback_claims())
		xacm_die(
			"dom0's kernel blkback (xen-blkback) would claim guest vbds: unload it, or "
			"echo 0 > /sys/bus/xen-backend/drivers_autoprobe (docs/deploy.md)");
	for (unsigned int i = 0; i < nvolumes; i++)
		open_volume(&volumes[i]);
	rc = vbd_serve(&ctx);
	for (unsigned int i = 0; i < nvolumes; i++) {
		if (encdom_close(volumes[i].sv.vol) != 0)
			xacm_err("volume %s: the last flush failed", volumes[i].conf.name);
		encdom_anchor_file_close(&volumes[i].anchor);
		disconnect_stores(&volumes[i]);
		free(volumes[i].sv.buf);
	}
	return rc;
}
