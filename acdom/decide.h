/* decide.h - the access decision: may this frontend use this resource
 * through this backend?  The only implementation of the semantics; acdom
 * and "xacm-policy explain" both call it.
 *
 * Simple Type Enforcement: the frontend and the backend must each share a
 * type with the resource (the toolstack role is exempt), and the two
 * domains must have a channel (or one of them is the toolstack).
 * Chinese Wall: the attach activates the resource's types (and a guest
 * frontend's own types); it is denied if that would make two types of one
 * conflict set active at once.  "active" is the set of types already active
 * through other running domains and attached vbds, excluding this vbd.
 *
 * Pure and deterministic: no I/O, no allocation, no global state. */
#ifndef XACM_ACDOM_DECIDE_H
#define XACM_ACDOM_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "rules.h"

enum xacm_reason {
	XACM_ALLOW_STE,             /* allowed: shared types, channel, no wall conflict */
	XACM_DENY_UNKNOWN_FRONTEND, /* the frontend's FLASK type has no label */
	XACM_DENY_UNKNOWN_BACKEND,
	XACM_DENY_UNKNOWN_RESOURCE,
	XACM_DENY_BACKEND_ROLE, /* the backend's role cannot serve disks */
	XACM_DENY_NO_CHANNEL,   /* the two domains may not talk */
	XACM_DENY_STE_FRONTEND, /* frontend and resource share no type */
	XACM_DENY_STE_BACKEND,  /* backend and resource share no type */
	XACM_DENY_CHINESE_WALL, /* a conflicting type is active */
	XACM_REASON_COUNT
};

struct xacm_decision {
	bool allow;
	enum xacm_reason reason;
	int frontend, backend, resource; /* indices in the rules, -1 if unknown */
	/* XACM_DENY_CHINESE_WALL: the conflict set, the type the attach wants
	 * and the active type it conflicts with.  -1 otherwise. */
	int conflict, wanted_type, active_type;
};

/* Never fails: an unknown label is a deny with its reason. */
void xacm_decide(const struct xacm_rules *rules, const char *frontend, const char *backend,
		 const char *resource, uint64_t active, struct xacm_decision *out);

/* Short stable identifier of a reason, e.g. "deny-chinese-wall". */
const char *xacm_reason_id(enum xacm_reason reason);
/* One sentence that names the labels involved, into buf[0..len). */
void xacm_decision_explain(const struct xacm_rules *rules, const struct xacm_decision *d, char *buf,
			   size_t len);

#endif
