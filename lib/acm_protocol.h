/* acm_protocol.h - the XenStore wire format between acdom, the toolstack
 * (xacm-label) and the backends (blkback-acm, encdom).  Every path and value
 * format that crosses a trust boundary is defined here and nowhere else.
 *
 * Resource labels, written by the toolstack (xacm-label) only:
 *   /xacm/label/path/<hex of the backend domain's name>/<hex of the path>
 *                                                = "<resource label>"
 *   /xacm/label/uuid/<volume uuid>               = "<resource label>"
 * A path label binds (backend domain, backing path): the same path in
 * another domain is another resource.  A label node counts only if the
 * toolstack (domain 0) owns it and no other domain may write it (acdom
 * checks with xs_get_permissions).
 *
 * Where acdom takes a vbd's resource from (docs/acdom.md has the table of
 * who writes what): never from the backend's own directory, which the
 * backend domain owns and may rewrite at any time, except for a volume
 * UUID that a backend running in the toolstack domain published:
 *   1. /local/domain/<BE>/backend/vbd/<FE>/<devid>/xacm-volume-uuid =
 *      "<uuid>", written by a trusted backend (encdom), if that node is
 *      owned by the toolstack and writable by no other domain;
 *   2. else the toolstack's own record of the disk, which libxl keeps
 *      out of every guest's and driver domain's reach:
 *        /libxl/<FE>/device/vbd/<devid>/params   = the backing path
 *        /libxl/<FE>/device/vbd/<devid>/backend  must name
 *           /local/domain/<BE>/backend/vbd/<FE>/<devid>
 *      with the backend domain's name from /local/domain/<BE>/name, all
 *      owned by the toolstack and writable by no other domain.
 * Anything else (a missing, foreign-owned or malformed node) leaves the
 * vbd unlabelled, which every policy denies.
 *
 * Decisions, written by acdom only, readable by the backend and frontend:
 *   /xacm/decision/<backend domid>/<frontend domid>/<devid> =
 *     "v=2 fe=<domid> devid=<devid> be=<domid> resource=<label|-> \
 *      rid=<resource id> policy=<16 hex> decision=allow|deny \
 *      reason=<reason id>"
 * rid names the resource the decision was made for: "uuid-<volume uuid>",
 * "path-<hex of the backing path>" (in the backend domain be), or "-"
 * (none found).  A backend obeys an allow only if rid names the resource it
 * is about to serve (acm_rid_of_uuid, acm_rid_of_path), so that a decision
 * left for an earlier disk on a reused devid is never obeyed.
 * No node means no decision: a backend must not connect.  A rewrite to
 * "deny" revokes: the backend must disconnect that vbd.
 *
 * A blkif extension, written by blkback-acm into a vbd's backend directory
 * before InitWait:
 *   /local/domain/<BE>/backend/vbd/<FE>/<devid>/xacm-persistent-readonly = "1"
 * With feature-persistent, this backend maps a grant that the frontend
 * made read-only read-only (and uses it for writes only), where Linux's
 * blkback maps every persistent grant writable and fails on it.  encdom's
 * blkfront, which writes from a read-only pool, offers feature-persistent
 * only to a backend that says so.  A false "1" costs only failed writes. */
#ifndef XACM_ACM_PROTOCOL_H
#define XACM_ACM_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACM_XS_ROOT "/xacm"
#define ACM_XS_LABELS ACM_XS_ROOT "/label"
#define ACM_XS_DECISIONS ACM_XS_ROOT "/decision"
#define ACM_XS_LABEL_PATH_DIR ACM_XS_LABELS "/path"
#define ACM_XS_LABEL_UUID_DIR ACM_XS_LABELS "/uuid"
#define ACM_XS_VBD_VOLUME_UUID "xacm-volume-uuid"
#define ACM_XS_VBD_PERSISTENT_RO "xacm-persistent-readonly"
#define ACM_UUID_LEN 36u /* 8-4-4-4-12 lower-case hex */

#define ACM_LABEL_MAX 64u                           /* resource label, with its NUL */
#define ACM_REASON_MAX 32u                          /* reason id, with its NUL */
#define ACM_POLICY_ID_LEN 16u                       /* first 16 hex digits of the rules hash */
#define ACM_BACKING_PATH_MAX 1024u                  /* longest backing path a label binds to */
#define ACM_RID_MAX (6u + 2 * ACM_BACKING_PATH_MAX) /* resource id, with its NUL */
#define ACM_DECISION_VALUE_MAX (256u + ACM_RID_MAX) /* longest decision value */
#define ACM_DOMNAME_MAX 64u /* longest backend domain name a path label binds to */

struct acm_decision {
	uint32_t frontend, devid, backend;
	char resource[ACM_LABEL_MAX]; /* "-" when the resource had no label */
	char rid[ACM_RID_MAX];        /* what was decided on: "-", uuid-..., path-... */
	char policy[ACM_POLICY_ID_LEN + 1];
	bool allow;
	char reason[ACM_REASON_MAX];
};

/* Format d into buf[ACM_DECISION_VALUE_MAX]; returns the length, or -1 if a
 * field is out of range. */
int acm_decision_format(const struct acm_decision *d, char buf[static ACM_DECISION_VALUE_MAX]);

/* Parse a decision value (untrusted bytes value[0..len)).  Accepts only
 * what acm_decision_format writes.  0 on success; -EINVAL otherwise, with
 * *d untouched. */
int acm_decision_parse(const char *value, size_t len, struct acm_decision *d)
	__attribute__((warn_unused_result));

/* A trusted backend's integrity alerts on one vbd (encdom: reads it
 * refused because a block failed verification), in the vbd's backend
 * directory: alert number N (1, 2, ... per vbd; a restarted backend goes
 * on from the highest number left in the directory) is
 * node "xacm-integrity-alert/<N % ACM_ALERT_SLOTS>" = "count=N first=B
 * last=B", B..B the 4 KiB volume blocks of that refused read.  One node
 * per alert, so that alerts in quick succession are not overwritten
 * before acdom reads them (it reads after a watch fires, and watch events
 * coalesce); after ACM_ALERT_SLOTS unread alerts the oldest are lost, and
 * acdom audits the gap.  acdom copies each new alert into its audit log,
 * with the backend's label: the backend domain writes the nodes, so the
 * record says who reported it. */
#define ACM_XS_VBD_INTEGRITY_ALERT "xacm-integrity-alert"
#define ACM_ALERT_SLOTS 32u
#define ACM_ALERT_VALUE_MAX 96u
struct acm_alert {
	uint64_t count, first, last;
};
/* Format a into buf: the length, or -1 (count 0 or first > last). */
int acm_alert_format(const struct acm_alert *a, char buf[static ACM_ALERT_VALUE_MAX]);
/* Parse untrusted value[0..len): only what acm_alert_format writes.  0, or
 * -EINVAL with *a untouched. */
int acm_alert_parse(const char *value, size_t len, struct acm_alert *a)
	__attribute__((warn_unused_result));

/* The label node key of a backing path: lower-case hex of its bytes, into
 * key[2 * ACM_BACKING_PATH_MAX + 1].  -1 if the path is empty or too long. */
int acm_path_key(const char *path, char key[static 2 * ACM_BACKING_PATH_MAX + 1]);

/* The label node of backing path in the backend domain named domain:
 * ACM_XS_LABEL_PATH_DIR "/<hex of domain>/<hex of path>", into
 * node[ACM_LABEL_NODE_MAX].  -1 if the name or path is empty or too long. */
#define ACM_LABEL_NODE_MAX \
	(sizeof(ACM_XS_LABEL_PATH_DIR) + 2 * ACM_DOMNAME_MAX + 2 * ACM_BACKING_PATH_MAX + 2)
int acm_label_path_node(const char *domain, const char *path, char node[static ACM_LABEL_NODE_MAX]);

/* The resource ids of a decision (rid=): of a backing path, "path-" and its
 * key; of a volume, "uuid-" and its UUID.  0, or -1 if the path or UUID is
 * not one a label can bind to. */
int acm_rid_of_path(const char *path, char rid[static ACM_RID_MAX]);
int acm_rid_of_uuid(const char *uuid, char rid[static ACM_RID_MAX]);

/* A volume UUID as it appears in a node name: 8-4-4-4-12 lower-case hex. */
bool acm_uuid_valid(const char *value, size_t len);

/* A resource label: [A-Za-z_][A-Za-z0-9_]* shorter than ACM_LABEL_MAX. */
bool acm_label_valid(const char *label);

#endif
