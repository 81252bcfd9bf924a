/* labels.h - where acdom takes a vbd's resource from: its label and the
 * resource id that the decision names (acm_protocol.h has the node list,
 * docs/acdom.md the table of who can write each node).
 *
 * Invariant: nothing the backend or the frontend domain can write decides
 * the result.  Every node read is checked with toolstack_only() (owned by
 * domain 0, writable by no other domain); a node that fails the check, is
 * missing or does not parse leaves the vbd unlabelled ("-"), which every
 * policy denies.  XenStore is reached through struct acdom_xs only, so the
 * lookup runs unchanged against an in-memory double in the unit tests. */
#ifndef XACM_ACDOM_LABELS_H
#define XACM_ACDOM_LABELS_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>

#include "acm_protocol.h"
#include "xs_util.h"

/* The two XenStore reads acdom makes (xs_read, xs_get_permissions). */
struct acdom_xs {
	void *ctx;
	char *(*read)(void *ctx, const char *path, unsigned int *len);
	struct xs_permissions *(*perms)(void *ctx, const char *path, unsigned int *n);
};

/* Is path owned by domain 0 with write access for no other domain?  *owner
 * is its owner (0 if unreadable). */
bool acdom_toolstack_only(const struct acdom_xs *xs, const char *path, unsigned int *owner);

enum acdom_label_status {
	ACDOM_LABELLED,   /* label and rid set */
	ACDOM_UNLABELLED, /* no trusted source, or no label node: label "-" */
	ACDOM_REJECTED,   /* a label node exists but another domain could write it */
};

struct acdom_resource {
	char label[ACM_LABEL_MAX];   /* "-" unless ACDOM_LABELLED */
	char rid[ACM_RID_MAX];       /* "-" when no trusted source names one */
	char node[XACM_XS_PATH_MAX]; /* the label node consulted, or "" */
	unsigned int owner;          /* ACDOM_REJECTED: the node's owner */
};

/* The resource of vbd (be, fe, devid): by the volume UUID a toolstack-owned
 * backend directory node names, else by the toolstack's record of the disk
 * (libxl's /libxl/<fe>/device/vbd/<devid>) bound to the backend domain's
 * name.  Never fails: the status says what was found. */
enum acdom_label_status acdom_resource_of(const struct acdom_xs *xs, uint32_t be, uint32_t fe,
					  uint32_t devid, struct acdom_resource *out);

#endif
