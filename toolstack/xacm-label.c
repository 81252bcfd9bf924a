/* xacm-label - set, get, remove and list resource labels (toolstack only).
 *
 * A label binds to a volume's UUID (encdom volumes carry an authenticated
 * one) or, as a fallback, to a backing path in one backend domain, named
 * as xl names it (Domain-0 by default).  Label nodes are written owned by
 * the toolstack with no access for other domains; acdom ignores any label
 * node that another domain could write (acm_protocol.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "acm_protocol.h"
#include "xs_util.h"

static const char usage[] =
	"usage: xacm-label set (--path PATH [--backend DOMAIN] | --uuid UUID) LABEL\n"
	"       xacm-label get (--path PATH [--backend DOMAIN] | --uuid UUID)\n"
	"       xacm-label rm  (--path PATH [--backend DOMAIN] | --uuid UUID)\n"
	"       xacm-label list\n"
	"Resource labels for acdom, in XenStore under " ACM_XS_LABELS ".  LABEL is a\n"
	"resource label of the policy (see 'xacm-policy check').  A path label\n"
	"binds the path as the disk's target names it (xl's target=, kept in\n"
	"libxl's own record of the disk) in the backend domain DOMAIN, by its\n"
	"name (default Domain-0): the same path in another driver domain is\n"
	"another resource.  A path in Domain-0 is made absolute.  Prefer --uuid\n"
	"where the volume has one: paths break on moves.\n";

static int node_path(const char *kind, const char *what, const char *backend,
		     char path[static XACM_XS_PATH_MAX])
{
	char node[ACM_LABEL_NODE_MAX], abs[PATH_MAX];

	if (!strcmp(kind, "--uuid")) {
		if (backend) {
			fputs("xacm-label: --backend goes with --path, not --uuid\n", stderr);
			return -1;
		}
		for (const char *c = what; *c; c++)
			if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') || *c == '-')) {
				fprintf(stderr, "xacm-label: \"%s\" is not a lower-case UUID\n",
					what);
				return -1;
			}
		return xacm_xs_path(path, ACM_XS_LABEL_UUID_DIR "/%s", what) ? -1 : 0;
	}
	if (strcmp(kind, "--path")) {
		fputs(usage, stderr);
		return -1;
	}
	if (backend == NULL)
		backend = "Domain-0";
	/* a path of this domain's as the toolstack writes it into "params" */
	if (!strcmp(backend, "Domain-0") && what[0] != '/' && realpath(what, abs))
		what = abs;
	if (acm_label_path_node(backend, what, node) || strlen(node) >= XACM_XS_PATH_MAX) {
		fprintf(stderr,
			"xacm-label: the path is empty or longer than %u bytes, or the backend "
			"name is empty or longer than %u\n",
			ACM_BACKING_PATH_MAX - 1, ACM_DOMNAME_MAX - 1);
		return -1;
	}
	strcpy(path, node);
	return 0;
}

static void unhex(const char *key, char *out, size_t cap)
{
	size_t n = 0;

	for (; key[0] && key[1] && n + 1 < cap; key += 2) {
		unsigned int byte;

		if (sscanf(key, "%2x", &byte) != 1)
			break;
		out[n++] = (char)byte;
	}
	out[n] = '\0';
}

static void show(struct xs_handle *xs, const char *path, const char *kind, const char *what)
{
	unsigned int len;
	char *label = xs_read(xs, XBT_NULL, path, &len);

	printf("%s %s %s\n", kind, what, label ? label : "?");
	free(label);
}

/* "path DOMAIN PATH LABEL" and "uuid UUID LABEL" lines. */
static int list(struct xs_handle *xs)
{
	char path[XACM_XS_PATH_MAX], name[ACM_BACKING_PATH_MAX], shown[ACM_BACKING_PATH_MAX];
	char what[2 * ACM_BACKING_PATH_MAX + 2];
	unsigned int nd = 0, n = 0;
	char **doms = xs_directory(xs, XBT_NULL, ACM_XS_LABEL_PATH_DIR, &nd), **keys;

	for (unsigned int d = 0; doms && d < nd; d++) {
		if (xacm_xs_path(path, ACM_XS_LABEL_PATH_DIR "/%s", doms[d]))
			continue;
		keys = xs_directory(xs, XBT_NULL, path, &n);
		unhex(doms[d], name, sizeof(name));
		for (unsigned int i = 0; keys && i < n; i++) {
			if (xacm_xs_path(path, ACM_XS_LABEL_PATH_DIR "/%s/%s", doms[d], keys[i]))
				continue;
			unhex(keys[i], shown, sizeof(shown));
			snprintf(what, sizeof(what), "%s %s", name, shown);
			show(xs, path, "path", what);
		}
		free(keys);
	}
	free(doms);
	keys = xs_directory(xs, XBT_NULL, ACM_XS_LABEL_UUID_DIR, &n);
	for (unsigned int i = 0; keys && i < n; i++)
		if (!xacm_xs_path(path, ACM_XS_LABEL_UUID_DIR "/%s", keys[i]))
			show(xs, path, "uuid", keys[i]);
	free(keys);
	return 0;
}

int main(int argc, char **argv)
{
	const char *kind = NULL, *what = NULL, *backend = NULL, *label = argv[argc - 1];
	struct xs_handle *xs;
	char path[XACM_XS_PATH_MAX];
	unsigned int len;
	char *value;
	int nopt = 0;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	/* COMMAND [--backend DOMAIN] (--path P | --uuid U) [--backend DOMAIN] [LABEL] */
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--backend") && backend == NULL)
			backend = argv[i + 1];
		else if ((!strcmp(argv[i], "--path") || !strcmp(argv[i], "--uuid")) && !kind) {
			kind = argv[i];
			what = argv[i + 1];
		} else
			break;
		nopt += 2;
	}
	if (argc < 2 || (kind != NULL) != (strcmp(argv[1], "list") != 0) ||
	    argc != 2 + nopt + !strcmp(argv[1], "set") ||
	    (strcmp(argv[1], "set") && strcmp(argv[1], "get") && strcmp(argv[1], "rm") &&
	     strcmp(argv[1], "list"))) {
		fputs(usage, stderr);
		return 2;
	}
	xs = xs_open(0);
	if (xs == NULL) {
		fprintf(stderr, "xacm-label: cannot open XenStore: %s (run in dom0 as root)\n",
			strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "list"))
		return list(xs);
	if (node_path(kind, what, backend, path))
		return 2;
	if (!strcmp(argv[1], "get")) {
		value = xs_read(xs, XBT_NULL, path, &len);
		if (value == NULL) {
			fprintf(stderr, "xacm-label: %s has no label\n", what);
			return 1;
		}
		printf("%s\n", value);
		free(value);
		return 0;
	}
	if (!strcmp(argv[1], "rm")) {
		if (!xs_rm(xs, XBT_NULL, path) && errno != ENOENT) {
			fprintf(stderr, "xacm-label: cannot remove %s: %s\n", path,
				strerror(errno));
			return 1;
		}
		return 0;
	}
	if (!acm_label_valid(label)) {
		fprintf(stderr, "xacm-label: \"%s\" is not a label name (letters, digits, '_')\n",
			label);
		return 2;
	}
	{
		struct xs_permissions toolstack_only = {.id = 0, .perms = XS_PERM_NONE};
		xs_transaction_t t = xs_transaction_start(xs);

		if (t == XBT_NULL || !xs_write(xs, t, path, label, strlen(label)) ||
		    !xs_set_permissions(xs, t, path, &toolstack_only, 1) ||
		    !xs_transaction_end(xs, t, false)) {
			fprintf(stderr, "xacm-label: cannot write %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	return 0;
}
