/* acm_decision.c - the protocol values acdom and the backends exchange
 * through XenStore (acm_protocol.h): decision and integrity-alert values,
 * format and strict parse; labels, UUIDs, path keys. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "acm_protocol.h"
#include "xs_value.h"

bool acm_label_valid(const char *label)
{
	size_t n = strnlen(label, ACM_LABEL_MAX);

	if (n == 0 || n >= ACM_LABEL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = label[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

bool acm_uuid_valid(const char *v, size_t len)
{
	if (len != ACM_UUID_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? v[i] != '-'
			 : !((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
			return false;
	}
	return true;
}

static bool reason_valid(const char *r)
{
	size_t n = strnlen(r, ACM_REASON_MAX);

	if (n == 0 || n >= ACM_REASON_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || r[i] == '-'))
			return false;
	return true;
}

static bool policy_valid(const char *p)
{
	if (strnlen(p, ACM_POLICY_ID_LEN + 1) != ACM_POLICY_ID_LEN)
		return false;
	for (unsigned int i = 0; i < ACM_POLICY_ID_LEN; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

/* "-", "uuid-<uuid>", or "path-<key>" with a key that acm_path_key writes
 * (even length, lower-case hex, of 1 .. ACM_BACKING_PATH_MAX - 1 bytes). */
static bool rid_valid(const char *r)
{
	size_t n = strnlen(r, ACM_RID_MAX);

	if (n >= ACM_RID_MAX)
		return false;
	if (!strcmp(r, "-"))
		return true;
	if (!strncmp(r, "uuid-", 5))
		return acm_uuid_valid(r + 5, n - 5);
	if (strncmp(r, "path-", 5) || n == 5 || (n - 5) % 2)
		return false;
	for (size_t i = 5; i < n; i++)
		if (!((r[i] >= '0' && r[i] <= '9') || (r[i] >= 'a' && r[i] <= 'f')))
			return false;
	return true;
}

int acm_label_path_node(const char *domain, const char *path, char node[static ACM_LABEL_NODE_MAX])
{
	char name_key[2 * ACM_BACKING_PATH_MAX + 1], path_key[2 * ACM_BACKING_PATH_MAX + 1];

	if (strnlen(domain, ACM_DOMNAME_MAX) >= ACM_DOMNAME_MAX || acm_path_key(domain, name_key) ||
	    acm_path_key(path, path_key))
		return -1;
	snprintf(node, ACM_LABEL_NODE_MAX, ACM_XS_LABEL_PATH_DIR "/%.*s/%s",
		 (int)(2 * ACM_DOMNAME_MAX), name_key, path_key);
	return 0;
}

int acm_rid_of_path(const char *path, char rid[static ACM_RID_MAX])
{
	memcpy(rid, "path-", 5);
	return acm_path_key(path, rid + 5);
}

int acm_rid_of_uuid(const char *uuid, char rid[static ACM_RID_MAX])
{
	size_t n = strnlen(uuid, ACM_UUID_LEN + 1);

	if (!acm_uuid_valid(uuid, n))
		return -1;
	snprintf(rid, ACM_RID_MAX, "uuid-%s", uuid);
	return 0;
}

int acm_decision_format(const struct acm_decision *d, char buf[static ACM_DECISION_VALUE_MAX])
{
	int n;

	if (d->frontend > XS_VALUE_DOMID_MAX || d->backend > XS_VALUE_DOMID_MAX ||
	    (strcmp(d->resource, "-") && !acm_label_valid(d->resource)) || !rid_valid(d->rid) ||
	    !policy_valid(d->policy) || !reason_valid(d->reason))
		return -1;
	n = snprintf(buf, ACM_DECISION_VALUE_MAX,
		     "v=2 fe=%u devid=%u be=%u resource=%s rid=%s policy=%s decision=%s reason=%s",
		     d->frontend, d->devid, d->backend, d->resource, d->rid, d->policy,
		     d->allow ? "allow" : "deny", d->reason);
	return n > 0 && n < (int)ACM_DECISION_VALUE_MAX ? n : -1;
}

/* Take "key=" then the value up to the next space (or the end) from
 * *p..end; the value goes to out[0..cap). */
static int field(const char **p, const char *end, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key), n = 0;

	if ((size_t)(end - *p) < klen + 1 || memcmp(*p, key, klen) || (*p)[klen] != '=')
		return -EINVAL;
	*p += klen + 1;
	while (*p + n < end && (*p)[n] != ' ')
		n++;
	if (n == 0 || n >= cap)
		return -EINVAL;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	if (*p < end) { /* exactly one space between fields */
		if (**p != ' ' || *p + 1 == end)
			return -EINVAL;
		(*p)++;
	}
	return 0;
}

static int number(const char *s, uint64_t max, uint32_t *out)
{
	uint64_t v;

	if (xs_value_parse_uint(s, strlen(s), max, &v))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int acm_decision_parse(const char *value, size_t len, struct acm_decision *out)
{
	const char *p = value, *end = value + len;
	char ver[4], fe[8], devid[12], be[8], decision[8];
	struct acm_decision d;

	if (value == NULL || len == 0 || len >= ACM_DECISION_VALUE_MAX || memchr(value, '\0', len))
		return -EINVAL;
	if (field(&p, end, "v", ver, sizeof(ver)) || strcmp(ver, "2") ||
	    field(&p, end, "fe", fe, sizeof(fe)) || field(&p, end, "devid", devid, sizeof(devid)) ||
	    field(&p, end, "be", be, sizeof(be)) ||
	    field(&p, end, "resource", d.resource, sizeof(d.resource)) ||
	    field(&p, end, "rid", d.rid, sizeof(d.rid)) ||
	    field(&p, end, "policy", d.policy, sizeof(d.policy)) ||
	    field(&p, end, "decision", decision, sizeof(decision)) ||
	    field(&p, end, "reason", d.reason, sizeof(d.reason)) || p != end)
		return -EINVAL;
	if (number(fe, XS_VALUE_DOMID_MAX, &d.frontend) ||
	    number(be, XS_VALUE_DOMID_MAX, &d.backend) || number(devid, UINT32_MAX, &d.devid))
		return -EINVAL;
	if ((strcmp(d.resource, "-") && !acm_label_valid(d.resource)) || !rid_valid(d.rid) ||
	    !policy_valid(d.policy) || !reason_valid(d.reason))
		return -EINVAL;
	if (!strcmp(decision, "allow"))
		d.allow = true;
	else if (!strcmp(decision, "deny"))
		d.allow = false;
	else
		return -EINVAL;
	if (d.allow != !strcmp(d.reason, "allow"))
		return -EINVAL;
	*out = d;
	return 0;
}

int acm_alert_format(const struct acm_alert *a, char buf[static ACM_ALERT_VALUE_MAX])
{
	if (a->count == 0 || a->first > a->last)
		return -1;
	return snprintf(buf, ACM_ALERT_VALUE_MAX,
			"count=%" PRIu64 " first=%" PRIu64 " last=%" PRIu64, a->count, a->first,
			a->last);
}

int acm_alert_parse(const char *value, size_t len, struct acm_alert *out)
{
	const char *p = value, *end = value + len;
	char count[24], first[24], last[24];
	struct acm_alert a;

	if (value == NULL || len == 0 || len >= ACM_ALERT_VALUE_MAX || memchr(value, '\0', len) ||
	    field(&p, end, "count", count, sizeof(count)) ||
	    field(&p, end, "first", first, sizeof(first)) ||
	    field(&p, end, "last", last, sizeof(last)) || p != end ||
	    xs_value_parse_uint(count, strlen(count), UINT64_MAX, &a.count) ||
	    xs_value_parse_uint(first, strlen(first), UINT64_MAX, &a.first) ||
	    xs_value_parse_uint(last, strlen(last), UINT64_MAX, &a.last) || a.count == 0 ||
	    a.first > a.last)
		return -EINVAL;
	*out = a;
	return 0;
}

int acm_path_key(const char *path, char key[static 2 * ACM_BACKING_PATH_MAX + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strnlen(path, ACM_BACKING_PATH_MAX);

	if (n == 0 || n >= ACM_BACKING_PATH_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		key[2 * i] = hex[(unsigned char)path[i] >> 4];
		key[2 * i + 1] = hex[(unsigned char)path[i] & 15];
	}
	key[2 * n] = '\0';
	return 0;
}
