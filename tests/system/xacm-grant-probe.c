/* xacm-grant-probe DOMID REF - run in a driver domain: may it write the page
 * that domain DOMID granted it as REF?  encdom's write pool (blkfront.h:
 * blkfront_pool_new) must be read-only to the driver domain, so that it
 * cannot change a ciphertext while encdom authenticates it: a writable
 * mapping must be refused (by Xen, for a read-only grant) and a read-only
 * one must work (else the test proves nothing).  Prints what happened;
 * exit 0 only if both hold, 1 if not, 2 on bad usage. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xengnttab.h>

static int number(const char *s, unsigned long max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	xengnttab_handle *gt;
	uint32_t domid, ref;
	uint8_t *rw, *ro;
	int rw_err;

	if (argc != 3 || number(argv[1], 0x7fef, &domid) || number(argv[2], UINT32_MAX, &ref)) {
		fprintf(stderr, "usage: xacm-grant-probe DOMID REF\n");
		return 2;
	}
	gt = xengnttab_open(NULL, 0);
	if (gt == NULL) {
		fprintf(stderr, "xacm-grant-probe: cannot open gntdev: %s\n", strerror(errno));
		return 1;
	}
	rw = xengnttab_map_grant_ref(gt, domid, ref, PROT_READ | PROT_WRITE);
	rw_err = errno;
	ro = xengnttab_map_grant_ref(gt, domid, ref, PROT_READ);
	printf("GUEST: grant %u of domain %u: writable mapping %s%s%s; read-only mapping %s", ref,
	       domid, rw ? "MADE" : "refused (", rw ? "" : strerror(rw_err), rw ? "" : ")",
	       ro ? "made" : "refused");
	if (ro)
		printf(", first bytes %02x%02x%02x%02x", ro[0], ro[1], ro[2], ro[3]);
	putchar('\n');
	if (rw)
		xengnttab_unmap(gt, rw, 1);
	if (ro)
		xengnttab_unmap(gt, ro, 1);
	xengnttab_close(gt);
	return rw == NULL && ro != NULL ? 0 : 1;
}
