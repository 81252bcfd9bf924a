/* xacm-label - set, get, remove and list resource labels (toolstack only).
 *
 * A label binds to a volume's UUID (encdom volumes carry an authenticated
 * one) or, as a fallback, to a backing path.  Label nodes are written owned
 * by the toolstack with no access for other domains; acdom ignores any label
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
	"usage: xacm-label set (--path PATH | --uuid UUID) LABEL\n"
	"       xacm-label get (--path PATH | --uuid UUID)\n"
	"       xacm-label rm  (--path PATH | --uuid UUID)\n"
	"       xacm-label list\n"
	"Resource labels for acdom, in XenStore under " ACM_XS_LABELS ".  LABEL is a\n"
	"resource label of the policy (see 'xacm-policy check').  A path is made\n"
	"absolute; prefer --uuid where the volume has one: paths break on moves.\n";

static int node_path(const char *kind, const char *what, char path[static XACM_XS_PATH_MAX])
{
	char key[2 * ACM_BACKING_PATH_MAX + 1], abs[PATH_MAX];

	if (!strcmp(kind, "--uuid")) {
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
	/* the path as the toolstack writes it into the vbd's "params" */
	if (what[0] != '/' && realpath(what, abs))
		what = abs;
	if (acm_path_key(what, key)) {
		fprintf(stderr, "xacm-label: path is empty or longer than %u bytes\n",
			ACM_BACKING_PATH_MAX - 1);
		return -1;
	}
	return xacm_xs_path(path, ACM_XS_LABEL_PATH_DIR "/%s", key) ? -1 : 0;
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

static int list(struct xs_handle *xs)
{
	static const char *const kinds[] = {"path", "uuid"};

	for (int k = 0; k < 2; k++) {
		char dir[XACM_XS_PATH_MAX], path[XACM_XS_PATH_MAX], shown[ACM_BACKING_PATH_MAX];
		unsigned int n = 0, len;
		char **keys;

		snprintf(dir, sizeof(dir), ACM_XS_LABELS "/%s", kinds[k]);
		keys = xs_directory(xs, XBT_NULL, dir, &n);
		for (unsigned int i = 0; keys && i < n; i++) {
			char *label;

			if (xacm_xs_path(path, "%s/%s", dir, keys[i]))
				continue;
			label = xs_read(xs, XBT_NULL, path, &len);
			if (k == 0)
				unhex(keys[i], shown, sizeof(shown));
			printf("%s %s %s\n", kinds[k], k == 0 ? shown : keys[i],
			       label ? label : "?");
			free(label);
		}
		free(keys);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	char path[XACM_XS_PATH_MAX];
	unsigned int len;
	char *value;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2 || !((!strcmp(argv[1], "set") && argc == 5) ||
			  ((!strcmp(argv[1], "get") || !strcmp(argv[1], "rm")) && argc == 4) ||
			  (!strcmp(argv[1], "list") && argc == 2))) {
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
	if (node_path(argv[2], argv[3], path))
		return 2;
	if (!strcmp(argv[1], "get")) {
		value = xs_read(xs, XBT_NULL, path, &len);
		if (value == NULL) {
			fprintf(stderr, "xacm-label: %s has no label\n", argv[3]);
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
	if (!acm_label_valid(argv[4])) {
		fprintf(stderr, "xacm-label: \"%s\" is not a label name (letters, digits, '_')\n",
			argv[4]);
		return 2;
	}
	{
		struct xs_permissions toolstack_only = {.id = 0, .perms = XS_PERM_NONE};
		xs_transaction_t t = xs_transaction_start(xs);

		if (t == XBT_NULL || !xs_write(xs, t, path, argv[4], strlen(argv[4])) ||
		    !xs_set_permissions(xs, t, path, &toolstack_only, 1) ||
		    !xs_transaction_end(xs, t, false)) {
			fprintf(stderr, "xacm-label: cannot write %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	return 0;
}
