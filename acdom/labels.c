/* labels.c - a vbd's resource label and id from toolstack-owned nodes only
 * (labels.h).  The backend directory /local/domain/<be>/backend/vbd/... is
 * the backend domain's own: its "params" is never read here. */
#include "labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool acdom_toolstack_only(const struct acdom_xs *xs, const char *path, unsigned int *owner)
{
	unsigned int n = 0;
	struct xs_permissions *perms = xs->perms(xs->ctx, path, &n);
	bool ok = perms && n >= 1 && perms[0].id == 0 && !(perms[0].perms & XS_PERM_WRITE);

	for (unsigned int i = 1; ok && i < n; i++)
		if (perms[i].id != 0 && (perms[i].perms & XS_PERM_WRITE))
			ok = false;
	*owner = perms && n ? perms[0].id : 0;
	free(perms);
	return ok;
}

/* The value at path, if it is a NUL-free string shorter than cap and the
 * node is the toolstack's alone; else NULL. */
static char *trusted_read(const struct acdom_xs *xs, const char *path, size_t cap)
{
	unsigned int len, owner;
	char *v = xs->read(xs->ctx, path, &len);

	if (v && !(len > 0 && len < cap && !memchr(v, '\0', len) &&
		   acdom_toolstack_only(xs, path, &owner))) {
		free(v);
		v = NULL;
	}
	return v;
}

/* 1: the volume UUID a backend in the toolstack domain published. */
static bool by_uuid(const struct acdom_xs *xs, const char *be_dir, struct acdom_resource *r)
{
	char path[XACM_XS_PATH_MAX], *uuid = NULL;
	bool ok;

	if (!xacm_xs_path(path, "%s/" ACM_XS_VBD_VOLUME_UUID, be_dir))
		uuid = trusted_read(xs, path, ACM_UUID_LEN + 1);
	ok = uuid && !acm_rid_of_uuid(uuid, r->rid) &&
	     !xacm_xs_path(r->node, ACM_XS_LABEL_UUID_DIR "/%s", uuid);
	if (!ok)
		strcpy(r->rid, "-");
	free(uuid);
	return ok;
}

/* 2: the toolstack's record of the disk (libxl writes params and backend
 * beside the backend nodes), bound to the backend's name.  A record that
 * names another backend directory is not this vbd's. */
static bool by_record(const struct acdom_xs *xs, const char *be_dir, uint32_t be, uint32_t fe,
		      uint32_t devid, struct acdom_resource *r)
{
	char path[XACM_XS_PATH_MAX], node[ACM_LABEL_NODE_MAX], *named = NULL, *params = NULL,
							       *name = NULL;
	bool ok;

	if (!xacm_xs_path(path, "/libxl/%u/device/vbd/%u/backend", fe, devid))
		named = trusted_read(xs, path, XACM_XS_PATH_MAX);
	if (!xacm_xs_path(path, "/libxl/%u/device/vbd/%u/params", fe, devid))
		params = trusted_read(xs, path, ACM_BACKING_PATH_MAX);
	if (!xacm_xs_path(path, "/local/domain/%u/name", be))
		name = trusted_read(xs, path, ACM_DOMNAME_MAX);
	ok = named && params && name && !strcmp(named, be_dir) &&
	     !acm_rid_of_path(params, r->rid) && !acm_label_path_node(name, params, node) &&
	     strlen(node) < sizeof(r->node);
	if (ok)
		strcpy(r->node, node);
	else
		strcpy(r->rid, "-");
	free(named);
	free(params);
	free(name);
	return ok;
}

enum acdom_label_status acdom_resource_of(const struct acdom_xs *xs, uint32_t be, uint32_t fe,
					  uint32_t devid, struct acdom_resource *r)
{
	char be_dir[XACM_XS_PATH_MAX], *label;
	unsigned int len;
	bool ok;

	strcpy(r->label, "-");
	strcpy(r->rid, "-");
	r->node[0] = '\0';
	r->owner = 0;
	if (xacm_xs_path(be_dir, "/local/domain/%u/backend/vbd/%u/%u", be, fe, devid) ||
	    (!by_uuid(xs, be_dir, r) && !by_record(xs, be_dir, be, fe, devid, r)))
		return ACDOM_UNLABELLED;
	label = xs->read(xs->ctx, r->node, &len);
	if (label == NULL)
		return ACDOM_UNLABELLED;
	if (!acdom_toolstack_only(xs, r->node, &r->owner)) {
		free(label);
		return ACDOM_REJECTED;
	}
	ok = len < ACM_LABEL_MAX && !memchr(label, '\0', len) && acm_label_valid(label);
	if (ok)
		memcpy(r->label, label, len + 1);
	free(label);
	return ok ? ACDOM_LABELLED : ACDOM_UNLABELLED;
}
