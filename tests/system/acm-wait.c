/* acm-wait - a backend's view of acdom, for the system tests: wait for the
 * decision on one vbd with the backends' client library (lib/acm_client.c).
 *
 *   acm-wait BACKEND FRONTEND DEVID SECONDS [allow|deny]
 *
 * Prints the decision and exits 0 when one (of the wanted kind) arrives,
 * 1 on timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm_client.h"

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	struct acm_decision d;
	int want = -1;

	if (argc != 5 && argc != 6) {
		fputs("usage: acm-wait BACKEND FRONTEND DEVID SECONDS [allow|deny]\n", stderr);
		return 2;
	}
	if (argc == 6)
		want = !strcmp(argv[5], "allow") ? 1 : 0;
	xs = xs_open(0);
	if (xs == NULL) {
		perror("xs_open");
		return 2;
	}
	if (acm_wait_decision(xs, (uint32_t)atoi(argv[1]), (uint32_t)atoi(argv[2]),
			      (uint32_t)atoi(argv[3]), want, atoi(argv[4]) * 1000, &d) != 0) {
		printf("no %sdecision for vbd %s/%s/%s within %s s\n",
		       want < 0 ? "" : (want ? "allow " : "deny "), argv[1], argv[2], argv[3],
		       argv[4]);
		return 1;
	}
	printf("decision %s resource=%s reason=%s policy=%s\n", d.allow ? "allow" : "deny",
	       d.resource, d.reason, d.policy);
	return 0;
}
