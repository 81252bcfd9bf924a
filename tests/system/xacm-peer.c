/* xacm-peer - runs inside test domUs: tries to set up a grant mapping and
 * an event channel with another domain, and reports exactly what the
 * hypervisor allowed.  Used by t-policy.sh to show FLASK allowing the
 * guest<->encdom and encdom<->driver edges and refusing guest<->driver.
 *
 *   xacm-peer offer TAG PEER     share a page and offer an unbound event
 *                                channel to the domain whose id dom0 wrote
 *                                at xacm-test/PEER; publish them at
 *                                data/xacm-TAG; wait for the peer's ack
 *   xacm-peer accept TAG PEER    read the peer's data/xacm-TAG, map the
 *                                grant, write an ack, bind and notify
 *   xacm-peer offer-evtchn TAG PEER   only offer an event channel
 *
 * Each prints one line "RESULT TAG key=value ...", where a refused
 * operation reads "denied(ERRNO)".  Exit status 0 unless the tool itself
 * failed (a refusal is a result, not a failure).  All waits are bounded. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#define WAIT_SECONDS 60
#define ACK "xacm-ack-from-peer"

static struct xs_handle *xs;

static void die(const char *what)
{
	fprintf(stderr, "xacm-peer: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Read path, polling until it exists or WAIT_SECONDS pass. */
static char *wait_read(const char *path)
{
	for (int i = 0; i < WAIT_SECONDS * 10; i++) {
		unsigned int len;
		char *v = xs_read(xs, XBT_NULL, path, &len);

		if (v)
			return v;
		usleep(100000);
	}
	fprintf(stderr, "xacm-peer: %s never appeared\n", path);
	exit(2);
}

static unsigned int my_domid(void)
{
	char *v = wait_read("domid");
	unsigned int id = (unsigned int)strtoul(v, NULL, 10);

	free(v);
	return id;
}

static unsigned int peer_domid(const char *peer)
{
	char path[128], *v;
	unsigned int id;

	snprintf(path, sizeof(path), "xacm-test/%s", peer);
	v = wait_read(path);
	id = (unsigned int)strtoul(v, NULL, 10);
	free(v);
	return id;
}

static void outcome(char *buf, size_t len, int ok)
{
	if (ok)
		snprintf(buf, len, "ok");
	else
		snprintf(buf, len, "denied(%d)", errno);
}

static bool wait_event(xenevtchn_handle *e, int seconds)
{
	struct pollfd pfd = {.fd = xenevtchn_fd(e), .events = POLLIN};

	if (poll(&pfd, 1, seconds * 1000) != 1)
		return false;
	xenevtchn_unmask(e, xenevtchn_pending(e));
	return true;
}

static int offer(const char *tag, const char *peer, bool evtchn_only)
{
	unsigned int self = my_domid(), to = peer_domid(peer);
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xenevtchn_handle *e = xenevtchn_open(NULL, 0);
	uint32_t gref = 0;
	char *page = NULL, path[128], value[64], evt[32];
	int port;
	bool acked = false, notified = false;
	struct xs_permissions perms[2] = {{.id = self, .perms = XS_PERM_NONE},
					  {.id = to, .perms = XS_PERM_READ}};

	if (!shr || !e)
		die("open gntshr/evtchn");
	if (!evtchn_only) {
		page = xengntshr_share_pages(shr, to, 1, &gref, 1);
		if (page == NULL)
			die("share a page"); /* writing a grant entry is never refused */
		memset(page, 0, 4096);
	}
	port = xenevtchn_bind_unbound_port(e, to);
	outcome(evt, sizeof(evt), port >= 0);
	if (evtchn_only) {
		printf("RESULT %s to=%u offer-evtchn=%s\n", tag, to, evt);
		return 0;
	}
	snprintf(path, sizeof(path), "data/xacm-%s", tag);
	snprintf(value, sizeof(value), "%u %d", gref, port);
	if (!xs_write(xs, XBT_NULL, path, value, strlen(value)))
		die("publish the offer");
	snprintf(path, sizeof(path), "/local/domain/%u/data/xacm-%s", self, tag);
	if (!xs_set_permissions(xs, XBT_NULL, path, perms, 2))
		die("set the offer's permissions");
	/* the peer writes its ack into the page, then notifies */
	for (int i = 0; i < 200 && !acked; i++) {
		acked = !memcmp(page, ACK, sizeof(ACK));
		if (!acked)
			usleep(100000);
	}
	if (port >= 0)
		notified = wait_event(e, acked ? 10 : 1);
	printf("RESULT %s to=%u grant=%u offer-evtchn=%s acked=%s notified=%s\n", tag, to, gref,
	       evt, acked ? "yes" : "no", notified ? "yes" : "no");
	return 0;
}

static int accept_offer(const char *tag, const char *peer)
{
	unsigned int from = peer_domid(peer);
	xengnttab_handle *gt = xengnttab_open(NULL, 0);
	xenevtchn_handle *e = xenevtchn_open(NULL, 0);
	char path[128], map[32], bind[32] = "none", *v;
	unsigned int gref;
	int port, local = -1;
	char *page;

	if (!gt || !e)
		die("open gnttab/evtchn");
	snprintf(path, sizeof(path), "/local/domain/%u/data/xacm-%s", from, tag);
	v = wait_read(path);
	if (sscanf(v, "%u %d", &gref, &port) != 2) {
		fprintf(stderr, "xacm-peer: malformed offer \"%s\"\n", v);
		return 2;
	}
	free(v);
	page = xengnttab_map_grant_ref(gt, from, gref, PROT_READ | PROT_WRITE);
	outcome(map, sizeof(map), page != NULL);
	if (page) {
		memcpy(page, ACK, sizeof(ACK));
		xengnttab_unmap(gt, page, 1);
	}
	if (port >= 0) {
		local = xenevtchn_bind_interdomain(e, from, (evtchn_port_t)port);
		outcome(bind, sizeof(bind), local >= 0);
		if (local >= 0)
			xenevtchn_notify(e, (evtchn_port_t)local);
	}
	printf("RESULT %s from=%u map=%s bind=%s\n", tag, from, map, bind);
	sleep(1); /* keep the channel up while the offerer sees the notification */
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 4) {
		fprintf(stderr, "usage: xacm-peer offer|accept|offer-evtchn TAG PEER\n");
		return 2;
	}
	xs = xs_open(0);
	if (xs == NULL)
		die("xs_open");
	if (!strcmp(argv[1], "offer"))
		return offer(argv[2], argv[3], false);
	if (!strcmp(argv[1], "offer-evtchn"))
		return offer(argv[2], argv[3], true);
	if (!strcmp(argv[1], "accept"))
		return accept_offer(argv[2], argv[3]);
	fprintf(stderr, "xacm-peer: unknown command %s\n", argv[1]);
	return 2;
}
