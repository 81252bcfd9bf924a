#include "acm_client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xs_util.h"

static int decision_path(uint32_t be, uint32_t fe, uint32_t devid,
			 char path[static XACM_XS_PATH_MAX])
{
	return xacm_xs_path(path, ACM_XS_DECISIONS "/%u/%u/%u", be, fe, devid);
}

int acm_read_decision(struct xs_handle *xs, uint32_t be, uint32_t fe, uint32_t devid,
		      struct acm_decision *out)
{
	char path[XACM_XS_PATH_MAX], *value;
	struct acm_decision d;
	unsigned int len;
	int rc;

	if (decision_path(be, fe, devid, path))
		return -EINVAL;
	value = xs_read(xs, XBT_NULL, path, &len);
	if (value == NULL)
		return -ENOENT;
	rc = acm_decision_parse(value, len, &d);
	free(value);
	if (rc)
		return rc;
	if (d.backend != be || d.frontend != fe || d.devid != devid)
		return -EINVAL; /* a decision must name the vbd it sits on */
	*out = d;
	return 0;
}

int acm_wait_decision(struct xs_handle *xs, uint32_t be, uint32_t fe, uint32_t devid,
		      int want_allow, int timeout_ms, struct acm_decision *out)
{
	char path[XACM_XS_PATH_MAX], token[64];
	long long deadline = (long long)xacm_now_ms() + timeout_ms;
	int rc = -ETIMEDOUT;

	if (decision_path(be, fe, devid, path))
		return -EINVAL;
	snprintf(token, sizeof(token), "acm-wait-%u-%u-%u", be, fe, devid);
	if (!xs_watch(xs, path, token))
		return -errno;
	for (;;) {
		struct acm_decision d;
		struct pollfd pfd = {.fd = xs_fileno(xs), .events = POLLIN};
		long long left = deadline - (long long)xacm_now_ms();
		char **ev;

		if (acm_read_decision(xs, be, fe, devid, &d) == 0 &&
		    (want_allow < 0 || d.allow == (want_allow == 1))) {
			*out = d;
			rc = 0;
			break;
		}
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		while ((ev = xs_check_watch(xs)) != NULL)
			free(ev);
	}
	xs_unwatch(xs, path, token);
	return rc;
}

static int cmp_alert(const void *x, const void *y)
{
	const struct acm_alert *a = x, *b = y;

	return a->count < b->count ? -1 : a->count > b->count;
}

unsigned int acm_read_alerts(struct xs_handle *xs, const char *be_dir, uint64_t after,
			     struct acm_alert al[static ACM_ALERT_SLOTS],
			     void (*malformed)(void *ctx, const char *path), void *ctx)
{
	char dir[XACM_XS_PATH_MAX], **names;
	unsigned int n = 0, got = 0, len;

	if (xacm_xs_path(dir, "%s/" ACM_XS_VBD_INTEGRITY_ALERT, be_dir) ||
	    (names = xs_directory(xs, XBT_NULL, dir, &n)) == NULL)
		return 0;
	for (unsigned int i = 0; i < n && got < ACM_ALERT_SLOTS; i++) {
		char node[XACM_XS_PATH_MAX], *value;

		if (xacm_xs_path(node, "%s/%s", dir, names[i]) ||
		    (value = xs_read(xs, XBT_NULL, node, &len)) == NULL)
			continue;
		if (acm_alert_parse(value, len, &al[got]) == 0)
			got += al[got].count > after;
		else if (malformed != NULL)
			malformed(ctx, node);
		free(value);
	}
	free(names);
	qsort(al, got, sizeof(al[0]), cmp_alert);
	return got;
}
