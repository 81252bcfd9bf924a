/* acdom - the access-control daemon.  Watches XenStore for vbd backends,
 * decides for each (frontend, backend, resource) with the compiled policy
 * (decide.c), publishes the decision under /xacm/decision (acm_protocol.h),
 * and writes the hash-chained audit log (audit.h).
 *
 * Fail closed: a vbd gets a decision node only from here; no node means no
 * connect.  Labels come from places an attacker cannot write: domain labels
 * from the hypervisor (FLASK contexts via libxenctrl), resource labels from
 * toolstack-owned nodes whose permissions are checked on every read. */
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenstore.h>

#include "acm_client.h"
#include "audit.h"
#include "decide.h"
#include "labels.h"
#include "vbdset.h"
#include "xacm_log.h"
#include "xs_util.h"
#include "xs_value.h"

#define RULES_MAX_BYTES (16u << 20)

struct acdom {
	struct xs_handle *xs;
	xc_interface *xc;
	struct xacm_rules *rules;
	const char *rules_path;
	struct acm_audit *audit;
	char policy_id[ACM_POLICY_ID_LEN + 1];
	struct acdom_xs view; /* labels.h: the reads of resource lookups */
	struct acdom_vbd *vbds;
	size_t nvbds, cap;
};

static void audit(struct acdom *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void audit(struct acdom *a, const char *fmt, ...)
{
	char fields[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(fields, sizeof(fields), fmt, ap);
	va_end(ap);
	rc = acm_audit_append(a->audit, fields);
	if (rc)
		xacm_err("cannot write the audit log (%s): %s", strerror(-rc), fields);
}

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(RULES_MAX_BYTES + 1) : NULL;

	*len = buf ? fread(buf, 1, RULES_MAX_BYTES + 1, f) : 0;
	if (f)
		fclose(f);
	if (buf && *len > RULES_MAX_BYTES) {
		free(buf);
		buf = NULL;
		errno = EFBIG;
	}
	return buf;
}

/* Load (or reload) the rules.  On failure the old rules stay in force. */
static int load_rules(struct acdom *a)
{
	struct xacm_rules *rules;
	char err[256];
	size_t len;
	char *text = read_whole(a->rules_path, &len);
	int rc;

	if (text == NULL) {
		xacm_err("cannot read rules %s: %s", a->rules_path, strerror(errno));
		return -1;
	}
	rc = xacm_rules_parse(text, len, &rules, err, sizeof(err));
	free(text);
	if (rc) {
		xacm_err("%s: %s; keeping the rules in force", a->rules_path, err);
		audit(a, "\"event\":\"policy-rejected\",\"error\":%d", -rc);
		return -1;
	}
	xacm_rules_free(a->rules);
	a->rules = rules;
	memcpy(a->policy_id, rules->hash, ACM_POLICY_ID_LEN);
	a->policy_id[ACM_POLICY_ID_LEN] = '\0';
	xacm_info("loaded policy %s (rules sha256 %s)", rules->policy_name, rules->hash);
	audit(a, "\"event\":\"policy-load\",\"policy\":\"%s\",\"sha256\":\"%s\"",
	      rules->policy_name, rules->hash);
	return 0;
}

/* The FLASK type of a domain (the last field of its context). */
static int domain_label(struct acdom *a, uint32_t domid, char out[static XACM_NAME_MAX])
{
	xc_domaininfo_t info;
	char ctx[256], *type;

	if (xc_domain_getinfolist(a->xc, domid, 1, &info) != 1 || info.domain != domid)
		return -ENOENT;
	if (xc_flask_sid_to_context(a->xc, (int)info.ssidref, ctx, sizeof(ctx)) != 0)
		return -EIO;
	ctx[sizeof(ctx) - 1] = '\0';
	type = strrchr(ctx, ':');
	type = type ? type + 1 : ctx;
	if (strlen(type) >= XACM_NAME_MAX)
		return -ENAMETOOLONG;
	strcpy(out, type);
	return 0;
}

static char *view_read(void *ctx, const char *path, unsigned int *len)
{
	return xs_read(ctx, XBT_NULL, path, len);
}

static struct xs_permissions *view_perms(void *ctx, const char *path, unsigned int *n)
{
	return xs_get_permissions(ctx, XBT_NULL, path, n);
}

/* The vbd's resource label and id (labels.h); a label node that another
 * domain could write is audited once until it changes. */
static void resource_label(struct acdom *a, struct acdom_vbd *v)
{
	struct acdom_resource r;
	enum acdom_label_status st = acdom_resource_of(&a->view, v->be, v->fe, v->devid, &r);

	strcpy(v->now.resource, r.label);
	strcpy(v->now.rid, r.rid);
	if (st != ACDOM_REJECTED || v->label_rejected) {
		v->label_rejected = st == ACDOM_REJECTED;
		return;
	}
	v->label_rejected = true;
	xacm_warn("ignoring label node %s: owned or writable by domain %u, not the toolstack",
		  r.node, r.owner);
	audit(a,
	      "\"event\":\"label-rejected\",\"fe\":%u,\"be\":%u,\"devid\":%u,"
	      "\"owner\":%u,\"why\":\"label node writable by a domain other than the "
	      "toolstack\"",
	      v->fe, v->be, v->devid, r.owner);
}

struct alert_ctx {
	struct acdom *a;
	struct acdom_vbd *v;
};

/* Suppressed alerts of v that are due (or all of them, with force). */
static void alerts_suppressed(struct acdom *a, struct acdom_vbd *v, bool force)
{
	uint64_t n, first;

	if (acdom_alert_flush(v, xacm_now_ms(), force, &n, &first))
		audit(a,
		      "\"event\":\"integrity-alerts-suppressed\",\"fe\":%u,\"be\":%u,"
		      "\"devid\":%u,\"be_label\":\"%s\",\"resource\":\"%s\",\"suppressed\":%" PRIu64
		      ",\"first_count\":%" PRIu64 ",\"last_count\":%" PRIu64
		      ",\"why\":\"more than %u "
		      "alert lines in %u s\"",
		      v->fe, v->be, v->devid, v->now.be, v->now.resource, n, first, v->alerts,
		      ACDOM_ALERT_BURST, ACDOM_ALERT_WINDOW_MS / 1000);
}

/* An alert node that does not parse: audited (within the budget), then
 * removed. */
static void malformed_alert(void *ctx, const char *node)
{
	const struct alert_ctx *c = ctx;

	if (acdom_alert_admit(c->v, 0, xacm_now_ms()))
		audit(c->a,
		      "\"event\":\"integrity-alert-malformed\",\"fe\":%u,\"be\":%u,\"devid\":%u",
		      c->v->fe, c->v->be, c->v->devid);
	xs_rm(c->a->xs, XBT_NULL, node);
}

/* New integrity alerts in the vbd's backend directory (acm_protocol.h):
 * into the audit log in their order, with the backend's domain and label
 * (it wrote the nodes).  A gap in the numbers (more alerts than slots
 * between two reads) and a value that does not parse are audited too.
 * The backend domain writes these nodes at will: past the budget
 * (vbdset.h) they are counted, and the count is audited, never dropped. */
static void integrity_alerts(struct acdom *a, struct acdom_vbd *v)
{
	struct acm_alert al[ACM_ALERT_SLOTS];
	struct alert_ctx c = {a, v};
	char dir[XACM_XS_PATH_MAX];
	unsigned int got;
	uint64_t next = v->alerts + 1;

	alerts_suppressed(a, v, false);
	if (xacm_xs_path(dir, "/local/domain/%u/backend/vbd/%u/%u", v->be, v->fe, v->devid))
		return;
	got = acm_read_alerts(a->xs, dir, v->alerts, al, malformed_alert, &c);
	for (unsigned int i = 0; i < got; next = al[i++].count + 1) {
		v->alerts = al[i].count;
		if (acdom_alert_admit(v, al[i].count, xacm_now_ms()))
			audit(a,
			      "\"event\":\"integrity-alert\",\"fe\":%u,\"be\":%u,\"devid\":%u,"
			      "\"be_label\":\"%s\",\"resource\":\"%s\",\"count\":%" PRIu64
			      ",\"first_block\":%" PRIu64 ",\"last_block\":%" PRIu64
			      ",\"lost_before\":%" PRIu64,
			      v->fe, v->be, v->devid, v->now.be, v->now.resource, al[i].count,
			      al[i].first, al[i].last, al[i].count - next);
	}
}

static struct acdom_vbd *find_or_add(struct acdom *a, uint32_t be, uint32_t fe, uint32_t devid)
{
	for (size_t i = 0; i < a->nvbds; i++)
		if (a->vbds[i].be == be && a->vbds[i].fe == fe && a->vbds[i].devid == devid)
			return &a->vbds[i];
	if (a->nvbds == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		struct acdom_vbd *v = realloc(a->vbds, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		a->vbds = v;
		a->cap = cap;
	}
	a->vbds[a->nvbds] = (struct acdom_vbd){.be = be, .fe = fe, .devid = devid};
	return &a->vbds[a->nvbds++];
}

/* Parse a XenStore directory entry as a number, or -1. */
static int64_t entry_number(const char *s, uint64_t max)
{
	uint64_t v;

	return xs_value_parse_uint(s, strlen(s), max, &v) ? -1 : (int64_t)v;
}

/* Call fn(a, X, Y, Z, path) for every path root/X<mid>/Y/Z in XenStore whose
 * X and Y are domids and Z a devid (other entries are skipped).  With
 * watch, each root/X<mid> gets a watch, present or not: the only nodes
 * under /local/domain that can change a decision or carry an alert are in
 * backend directories, so a guest writing its own tree wakes nobody. */
static void walk(struct acdom *a, const char *root, const char *mid, bool watch,
		 void (*fn)(struct acdom *, uint32_t, uint32_t, uint32_t, const char *))
{
	char path[XACM_XS_PATH_MAX];
	unsigned int n1 = 0, n2, n3;
	char **l1 = xs_directory(a->xs, XBT_NULL, root, &n1), **l2, **l3;

	for (unsigned int i = 0; l1 && i < n1; i++) {
		int64_t x = entry_number(l1[i], XS_VALUE_DOMID_MAX);

		if (x < 0 || xacm_xs_path(path, "%s/%s%s", root, l1[i], mid))
			continue;
		if (watch) /* set once: EEXIST after that */
			xs_watch(a->xs, path, "vbd");
		l2 = xs_directory(a->xs, XBT_NULL, path, &n2);
		for (unsigned int j = 0; l2 && j < n2; j++) {
			int64_t y = entry_number(l2[j], XS_VALUE_DOMID_MAX);

			l3 = y < 0 || xacm_xs_path(path, "%s/%s%s/%s", root, l1[i], mid, l2[j])
				     ? NULL
				     : xs_directory(a->xs, XBT_NULL, path, &n3);
			for (unsigned int k = 0; l3 && k < n3; k++) {
				int64_t z = entry_number(l3[k], UINT32_MAX);

				if (z >= 0 && !xacm_xs_path(path, "%s/%s%s/%s/%s", root, l1[i], mid,
							    l2[j], l3[k]))
					fn(a, (uint32_t)x, (uint32_t)y, (uint32_t)z, path);
			}
			free(l3);
		}
		free(l2);
	}
	free(l1);
}

static void seen(struct acdom *a, uint32_t be, uint32_t fe, uint32_t devid,
		 const char *path __attribute__((unused)))
{
	struct acdom_vbd *v = find_or_add(a, be, fe, devid);

	if (v)
		v->seen = true;
}

/* Find every vbd backend in XenStore; mark the ones seen. */
static void discover(struct acdom *a)
{
	for (size_t i = 0; i < a->nvbds; i++)
		a->vbds[i].seen = false;
	walk(a, "/local/domain", "/backend/vbd", true, seen);
}

/* acdom_decided_fn: publish d for v; true if v is now allowed.  A node
 * that cannot be written is removed (no node, no connect). */
static bool write_decision(void *ctx, struct acdom_vbd *v, const struct xacm_decision *d)
{
	struct acdom *a = ctx;
	struct acm_decision out = {
		.frontend = v->fe, .devid = v->devid, .backend = v->be, .allow = d->allow};
	struct xs_permissions perms[3] = {{.id = 0, .perms = XS_PERM_NONE},
					  {.id = v->be, .perms = XS_PERM_READ},
					  {.id = v->fe, .perms = XS_PERM_READ}};
	char path[XACM_XS_PATH_MAX], value[ACM_DECISION_VALUE_MAX], why[512];
	unsigned int nperms = 1;

	snprintf(out.resource, sizeof(out.resource), "%s", v->now.resource);
	snprintf(out.rid, sizeof(out.rid), "%s", v->now.rid);
	memcpy(out.policy, a->policy_id, sizeof(out.policy));
	snprintf(out.reason, sizeof(out.reason), "%s", xacm_reason_id(d->reason));
	if (acm_decision_format(&out, value) < 0 ||
	    xacm_xs_path(path, ACM_XS_DECISIONS "/%u/%u/%u", v->be, v->fe, v->devid))
		return false;
	if (!strcmp(value, v->value))
		return d->allow;
	if (v->be != 0)
		perms[nperms++] = perms[1];
	if (v->fe != 0 && v->fe != v->be)
		perms[nperms++] = perms[2];
	if (!xs_write(a->xs, XBT_NULL, path, value, strlen(value)) ||
	    !xs_set_permissions(a->xs, XBT_NULL, path, perms, nperms)) {
		xacm_err("cannot write %s: %s", path, strerror(errno));
		xs_rm(a->xs, XBT_NULL, path); /* fail closed: no node, no connect */
		v->value[0] = '\0';
		return false;
	}
	xacm_decision_explain(a->rules, d, why, sizeof(why));
	xacm_info("%s: %s (%s)", path, d->allow ? "allow" : "deny", why);
	audit(a,
	      "\"event\":\"decision\",\"fe\":%u,\"be\":%u,\"devid\":%u,\"fe_label\":\"%s\","
	      "\"be_label\":\"%s\",\"resource\":\"%s\",\"rid\":\"%.80s\",\"decision\":\"%s\","
	      "\"reason\":\"%s\",\"policy\":\"%s\",\"previous\":\"%s\"",
	      v->fe, v->be, v->devid, v->now.fe, v->now.be, v->now.resource, v->now.rid,
	      d->allow ? "allow" : "deny", out.reason, a->policy_id,
	      v->value[0] ? (strstr(v->value, "decision=allow") ? "allow" : "deny") : "none");
	strcpy(v->value, value);
	return d->allow;
}

/* Re-read every vbd's labels and alerts, then decide them all in Chinese
 * Wall order (vbdset.h). */
static void evaluate(struct acdom *a)
{
	char path[XACM_XS_PATH_MAX];
	size_t kept = 0;

	for (size_t i = 0; i < a->nvbds; i++) {
		struct acdom_vbd *v = &a->vbds[i];

		if (!v->seen) {
			if (!xacm_xs_path(path, ACM_XS_DECISIONS "/%u/%u/%u", v->be, v->fe,
					  v->devid))
				xs_rm(a->xs, XBT_NULL, path);
			alerts_suppressed(a, v, true);
			audit(a, "\"event\":\"vbd-gone\",\"fe\":%u,\"be\":%u,\"devid\":%u", v->fe,
			      v->be, v->devid);
			continue;
		}
		if (domain_label(a, v->fe, v->now.fe))
			strcpy(v->now.fe, "-");
		if (domain_label(a, v->be, v->now.be))
			strcpy(v->now.be, "-");
		resource_label(a, v);
		integrity_alerts(a, v);
		a->vbds[kept++] = *v;
	}
	a->nvbds = kept;
	acdom_evaluate(a->rules, a->vbds, a->nvbds, write_decision, a);
}

/* A decision left by an earlier run: remember whether the vbd was allowed,
 * and on which resource (the domain labels of that allow are unknown). */
static void adopt(struct acdom *a, uint32_t be, uint32_t fe, uint32_t devid, const char *path)
{
	struct acm_decision d;
	unsigned int len;
	char *val = xs_read(a->xs, XBT_NULL, path, &len);
	struct acdom_vbd *v;

	if (val && acm_decision_parse(val, len, &d) == 0 && d.backend == be && d.frontend == fe &&
	    d.devid == devid && (v = find_or_add(a, be, fe, devid))) {
		v->allowed = d.allow;
		v->seen = true;
		strcpy(v->grant.resource, d.resource);
		strcpy(v->grant.rid, d.rid);
		memcpy(v->value, val, len + 1);
	}
	free(val);
}

static const char usage[] =
	"usage: acdom --rules FILE [--audit FILE] [--syslog] [--once] [--verbose]\n"
	"  --rules FILE   acdom's rules, from 'xacm-policy compile' (SIGHUP reloads)\n"
	"  --audit FILE   the hash-chained audit log (default /var/log/xacm/audit.log)\n"
	"  --syslog       log to syslog as well as stderr; audit lines go to syslog too\n"
	"  --once         decide every existing vbd once, then exit\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"rules", required_argument, NULL, 'r'},
		{"audit", required_argument, NULL, 'a'},
		{"syslog", no_argument, NULL, 's'},
		{"once", no_argument, NULL, '1'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct acdom a = {0};
	const char *audit_path = "/var/log/xacm/audit.log";
	bool use_syslog = false, once = false;
	enum xacm_log_level level = XACM_LOG_INFO;
	struct pollfd pfd[2];
	sigset_t mask;
	int c;

	while ((c = getopt_long(argc, argv, "r:a:s1vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			a.rules_path = optarg;
			break;
		case 'a':
			audit_path = optarg;
			break;
		case 's':
			use_syslog = true;
			break;
		case '1':
			once = true;
			break;
		case 'v':
			level = XACM_LOG_DEBUG;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	xacm_log_open("acdom", level, use_syslog);
	if (a.rules_path == NULL || optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	a.audit = acm_audit_open(audit_path, use_syslog);
	if (a.audit == NULL)
		xacm_die("cannot open the audit log %s: %s", audit_path, strerror(errno));
	a.xs = xs_open(0);
	a.xc = xc_interface_open(NULL, NULL, 0);
	if (a.xs == NULL || a.xc == NULL)
		xacm_die("cannot open XenStore or the hypervisor interface: %s (run in dom0 as "
			 "root)",
			 strerror(errno));
	if (load_rules(&a) != 0)
		xacm_die("no usable rules: every vbd stays without a decision");
	a.view = (struct acdom_xs){.ctx = a.xs, .read = view_read, .perms = view_perms};
	walk(&a, ACM_XS_DECISIONS, "", false, adopt);
	/* and each domain's backend/vbd directory, as discover() finds it */
	if (!xs_watch(a.xs, "@introduceDomain", "dom") ||
	    !xs_watch(a.xs, "@releaseDomain", "dom") || !xs_watch(a.xs, ACM_XS_LABELS, "label") ||
	    !xs_watch(a.xs, "/libxl", "record"))
		xacm_die("cannot set XenStore watches: %s", strerror(errno));
	audit(&a, "\"event\":\"start\",\"pid\":%d", (int)getpid());
	discover(&a);
	evaluate(&a);
	if (once)
		return 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	pfd[0] = (struct pollfd){.fd = xs_fileno(a.xs), .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = signalfd(-1, &mask, SFD_CLOEXEC), .events = POLLIN};
	xacm_info("watching XenStore for vbds");
	for (;;) {
		bool rescan = false;
		char **ev;
		int timeout = -1;

		/* suppressed integrity alerts are audited when their window ends */
		for (size_t i = 0; i < a.nvbds; i++)
			if (a.vbds[i].suppressed)
				timeout = ACDOM_ALERT_WINDOW_MS / 4;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			xacm_die("poll: %s", strerror(errno));
		for (size_t i = 0; i < a.nvbds; i++)
			alerts_suppressed(&a, &a.vbds[i], false);
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(pfd[1].fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo != SIGHUP) {
					for (size_t i = 0; i < a.nvbds; i++)
						alerts_suppressed(&a, &a.vbds[i], true);
					audit(&a, "\"event\":\"stop\",\"signal\":%u", si.ssi_signo);
					return 0;
				}
				rescan = load_rules(&a) == 0;
			}
		}
		/* drain every pending event, then rescan once */
		while ((ev = xs_check_watch(a.xs)) != NULL) {
			rescan = true;
			free(ev);
		}
		if (rescan) {
			discover(&a);
			evaluate(&a);
		}
	}
}
