/* vbdset.h - the vbds acdom knows, the order it decides them in, and the
 * budget of integrity-alert lines each may put into the audit log.  Pure:
 * no XenStore, no clock of its own, so the unit tests drive it directly.
 *
 * Chinese Wall order.  An incumbent is a vbd that is allowed and whose
 * labels (frontend, backend, resource, rid) are those it was last allowed
 * with.  The active set that a vbd is checked against is made of the
 * types of the OTHER allowed vbds, each by the labels it was last allowed
 * with, never by its current ones.  Incumbents are decided first, in
 * (backend, frontend, devid) order; then every other vbd (new, previously
 * denied, or relabelled since its allow) as a newcomer, in the same order.
 * So a vbd relabelled into a conflict loses its own place and cannot push
 * out one that did not change. */
#ifndef XACM_ACDOM_VBDSET_H
#define XACM_ACDOM_VBDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acm_protocol.h"
#include "decide.h"
#include "rules.h"

/* Integrity alerts: at most ACDOM_ALERT_BURST audit lines per vbd in any
 * ACDOM_ALERT_WINDOW_MS; the rest are counted and audited as one
 * "suppressed" line when the window ends, when the vbd goes, or at stop. */
#define ACDOM_ALERT_BURST 16u
#define ACDOM_ALERT_WINDOW_MS 60000u

struct acdom_labels {
	char fe[XACM_NAME_MAX], be[XACM_NAME_MAX]; /* FLASK types, or "-" */
	char resource[ACM_LABEL_MAX];              /* resource label, or "-" */
	char rid[ACM_RID_MAX];                     /* acm_protocol.h rid, or "-" */
};

struct acdom_vbd {
	uint32_t be, fe, devid;
	bool seen;
	bool allowed;                       /* the decision node says allow */
	bool label_rejected;                /* reported once until the label node changes */
	bool newcomer;                      /* acdom_evaluate: decided after the incumbents */
	struct acdom_labels now;            /* as read in this scan */
	struct acdom_labels grant;          /* while allowed: the labels of that allow
					     * ("" fields: unknown, adopted from an
					     * earlier run's node) */
	char value[ACM_DECISION_VALUE_MAX]; /* the decision node as we wrote it */
	/* integrity alerts */
	uint64_t alerts;                 /* audited or suppressed: 1..alerts */
	uint64_t window_ms;              /* start of the current budget window */
	unsigned int window_lines;       /* alert lines audited in it */
	uint64_t suppressed, supp_first; /* alerts not audited one by one */
};

/* Called once per vbd with its decision, in deciding order; the callee
 * publishes it and returns whether the vbd is now allowed. */
typedef bool (*acdom_decided_fn)(void *ctx, struct acdom_vbd *v, const struct xacm_decision *d);

/* Decide every vbd of v[0..n) in Chinese Wall order (above).  Sorts v. */
void acdom_evaluate(const struct xacm_rules *rules, struct acdom_vbd *v, size_t n,
		    acdom_decided_fn decided, void *ctx);

/* Integrity alert number count of vbd v arrived at now_ms: true if it gets
 * its own audit line, false if it is counted as suppressed. */
bool acdom_alert_admit(struct acdom_vbd *v, uint64_t count, uint64_t now_ms);

/* Suppressed alerts that are due to be audited (the window ended, or
 * force): true with *n and *first set, and the count cleared. */
bool acdom_alert_flush(struct acdom_vbd *v, uint64_t now_ms, bool force, uint64_t *n,
		       uint64_t *first);

#endif
