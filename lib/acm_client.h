/* acm_client.h - what a backend (blkback-acm, encdom) needs from acdom:
 * wait for the decision on one vbd, and notice when it changes; and the
 * integrity alerts a backend leaves for acdom, as both read them.
 *
 * A backend connects a vbd only after acm_wait_decision() returned 0 with
 * d->allow, and disconnects it when a later read says deny or finds no
 * decision (acdom removed it).  The decision node is parsed and checked
 * against the vbd it is for; anything else counts as no decision. */
#ifndef XACM_ACM_CLIENT_H
#define XACM_ACM_CLIENT_H

#include <stdint.h>
#include <xenstore.h>

#include "acm_protocol.h"

/* The decision for (backend, frontend, devid) as it is now.  0, or -ENOENT
 * (no decision), -EINVAL (malformed or for another vbd). */
int acm_read_decision(struct xs_handle *xs, uint32_t backend, uint32_t frontend, uint32_t devid,
		      struct acm_decision *d) __attribute__((warn_unused_result));

/* Wait up to timeout_ms for a decision, or for one whose allow equals
 * want_allow when want_allow is 0 or 1 (-1: any).  0 with *d set, or
 * -ETIMEDOUT.  Uses a private XenStore watch on the node. */
int acm_wait_decision(struct xs_handle *xs, uint32_t backend, uint32_t frontend, uint32_t devid,
		      int want_allow, int timeout_ms, struct acm_decision *d)
	__attribute__((warn_unused_result));

/* The integrity alerts (acm_protocol.h) in the backend directory be_dir
 * numbered above after: at most ACM_ALERT_SLOTS, into al[] by count;
 * returns how many (0 if there is no alert directory).  A node whose value
 * does not parse is passed to malformed(ctx, its path) when malformed is
 * not NULL, and otherwise skipped. */
unsigned int acm_read_alerts(struct xs_handle *xs, const char *be_dir, uint64_t after,
			     struct acm_alert al[static ACM_ALERT_SLOTS],
			     void (*malformed)(void *ctx, const char *path), void *ctx);

#endif
