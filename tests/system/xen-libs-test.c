/* xen-libs-test - run in dom0 on the testbed: proves that the four Xen
 * libraries xacm is built on work against the real hypervisor with FLASK
 * enforcing.  Each check prints "ok" or "FAIL"; the exit status is the number
 * of failures (0 = all passed).  Every wait is bounded. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#define WAIT_MS 5000

static int passed, failed;

static bool check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
	return ok;
}

static bool readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, WAIT_MS) == 1;
}

/* Next watch event with the given token, or false after WAIT_MS. */
static bool watch_event(struct xs_handle *xs, const char *token, const char *path)
{
	for (;;) {
		unsigned int n;
		char **ev;
		bool match;

		if (!readable(xs_fileno(xs)))
			return false;
		ev = xs_read_watch(xs, &n);
		if (ev == NULL)
			return false;
		match = !strcmp(ev[XS_WATCH_TOKEN], token) && !strcmp(ev[XS_WATCH_PATH], path);
		free(ev);
		if (match)
			return true;
	}
}

static void test_xenstore(void)
{
	static const char path[] = "/xacm-test/watched";
	struct xs_handle *xs = xs_open(0);
	unsigned int len;
	char *value;

	if (!check(xs != NULL, "xenstore: xs_open"))
		return;
	check(xs_write(xs, XBT_NULL, path, "one", 3), "xenstore: write a node");
	check(xs_watch(xs, path, "xacm-token"), "xenstore: set a watch");
	check(watch_event(xs, "xacm-token", path), "xenstore: the watch fires on registration");
	check(xs_write(xs, XBT_NULL, path, "two", 3), "xenstore: rewrite the node");
	check(watch_event(xs, "xacm-token", path), "xenstore: the watch fires on the change");
	value = xs_read(xs, XBT_NULL, path, &len);
	check(value != NULL && len == 3 && !memcmp(value, "two", 3),
	      "xenstore: read back the new value");
	free(value);
	xs_unwatch(xs, path, "xacm-token");
	xs_rm(xs, XBT_NULL, "/xacm-test");
	xs_close(xs);
}

static void test_evtchn(void)
{
	xenevtchn_handle *a = xenevtchn_open(NULL, 0), *b = xenevtchn_open(NULL, 0);
	xenevtchn_port_or_error_t unbound, bound, pending;

	if (!check(a != NULL && b != NULL, "evtchn: open two handles"))
		goto out;
	unbound = xenevtchn_bind_unbound_port(a, 0);
	if (!check(unbound >= 0, "evtchn: allocate an unbound port for domain 0"))
		goto out;
	bound = xenevtchn_bind_interdomain(b, 0, unbound);
	if (!check(bound >= 0, "evtchn: interdomain bind to it"))
		goto out;
	check(xenevtchn_notify(b, bound) == 0, "evtchn: notify");
	if (check(readable(xenevtchn_fd(a)), "evtchn: the notification arrives")) {
		pending = xenevtchn_pending(a);
		check(pending == unbound, "evtchn: on the bound port");
		xenevtchn_unmask(a, pending);
	}
	xenevtchn_unbind(b, bound);
	xenevtchn_unbind(a, unbound);
out:
	xenevtchn_close(a);
	xenevtchn_close(b);
}

static void test_gnttab(void)
{
	static const char pattern[] = "xacm-granted-page";
	xengntshr_handle *shr = xengntshr_open(NULL, 0);
	xengnttab_handle *tab = xengnttab_open(NULL, 0);
	uint32_t ref;
	char *shared = NULL, *mapped = NULL;

	if (!check(shr != NULL && tab != NULL, "gnttab: open gntshr and gnttab"))
		goto out;
	shared = xengntshr_share_pages(shr, 0, 1, &ref, 1);
	if (!check(shared != NULL, "gnttab: share a page with domain 0"))
		goto out;
	for (size_t i = 0; i < 4096; i++)
		shared[i] = (char)(i * 7 + 3);
	memcpy(shared, pattern, sizeof(pattern));
	mapped = xengnttab_map_grant_ref(tab, 0, ref, PROT_READ | PROT_WRITE);
	if (!check(mapped != NULL, "gnttab: map the grant"))
		goto out;
	check(memcmp(mapped, shared, 4096) == 0,
	      "gnttab: the mapped page holds the shared contents");
	mapped[4095] = 'Z';
	check(shared[4095] == 'Z',
	      "gnttab: a write through the mapping shows on the sharer's side");
	xengnttab_unmap(tab, mapped, 1);
out:
	if (shared != NULL)
		xengntshr_unshare(shr, shared, 1);
	xengntshr_close(shr);
	xengnttab_close(tab);
}

static void test_xenctrl(void)
{
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	xc_domaininfo_t info[64];
	char label[256] = "";
	int n, found = -1;

	if (!check(xc != NULL, "xenctrl: open"))
		return;
	n = xc_domain_getinfolist(xc, 0, 64, info);
	check(n >= 1, "xenctrl: read the domain list");
	for (int i = 0; i < n; i++)
		if (info[i].domain == 0)
			found = i;
	if (check(found >= 0, "xenctrl: domain 0 is in the list")) {
		int rc =
			xc_flask_sid_to_context(xc, (int)info[found].ssidref, label, sizeof(label));

		check(rc == 0, "xenctrl: read domain 0's FLASK label");
		printf("domain 0 FLASK label: %s\n", label);
		check(strstr(label, ":dom0_t") != NULL, "xenctrl: domain 0 is labelled dom0_t");
	}
	check(xc_flask_getenforce(xc) == 1, "xenctrl: FLASK is enforcing");
	xc_interface_close(xc);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_xenctrl();
	test_xenstore();
	test_evtchn();
	test_gnttab();
	printf("xen-libs-test: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
