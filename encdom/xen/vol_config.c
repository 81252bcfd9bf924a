/* vol_config.c - the volume specification parser (vol_config.h). */
#include "vol_config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= VOLCONF_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    s[i]))
			return false;
	return true;
}

/* An absolute path (commas cannot occur: they separate the fields). */
static bool path_ok(const char *s, size_t n)
{
	return n > 1 && n < VOLCONF_PATH_MAX && s[0] == '/';
}

/* No ".." path element. */
static bool no_dotdot(const char *s)
{
	return strstr(s, "/../") == NULL && (strlen(s) < 3 || strcmp(s + strlen(s) - 3, "/.."));
}

int volconf_parse(const char *spec, struct volconf *out, char err[static VOLCONF_ERRLEN])
{
	const char *p = spec;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *eq = strchr(p, '='), *end = strchr(p, ',');
		size_t klen, vlen;
		char *dst = NULL;

		if (end == NULL)
			end = p + strlen(p);
		if (eq == NULL || eq > end) {
			snprintf(err, VOLCONF_ERRLEN, "expected key=value at \"%.*s\"",
				 (int)(end - p), p);
			return -EINVAL;
		}
		klen = (size_t)(eq - p);
		vlen = (size_t)(end - eq - 1);
		if (klen == 4 && !memcmp(p, "name", 4) && !out->name[0]) {
			if (!name_ok(eq + 1, vlen))
				goto bad_value;
			dst = out->name;
		} else if (klen == 5 && !memcmp(p, "store", 5)) {
			if (out->nstores == ENCDOM_MAX_REPLICAS || !path_ok(eq + 1, vlen) ||
			    strncmp(eq + 1, "/local/domain/", 14))
				goto bad_value;
			dst = out->store[out->nstores++];
		} else if (klen == 3 && !memcmp(p, "key", 3) && !out->key[0]) {
			if (!path_ok(eq + 1, vlen))
				goto bad_value;
			dst = out->key;
		} else if (klen == 6 && !memcmp(p, "anchor", 6) && !out->anchor[0]) {
			if (!path_ok(eq + 1, vlen))
				goto bad_value;
			dst = out->anchor;
		} else {
			snprintf(err, VOLCONF_ERRLEN, "unknown or repeated key \"%.*s\"", (int)klen,
				 p);
			return -EINVAL;
		}
		memcpy(dst, eq + 1, vlen);
		dst[vlen] = '\0';
		if (dst != out->name && !no_dotdot(dst))
			goto bad_value;
		p = *end ? end + 1 : end;
		continue;
	bad_value:
		snprintf(err, VOLCONF_ERRLEN, "bad value for %.*s: \"%.*s\"", (int)klen, p,
			 (int)vlen, eq + 1);
		return -EINVAL;
	}
	if (!out->name[0] || !out->nstores || !out->key[0] || !out->anchor[0]) {
		snprintf(err, VOLCONF_ERRLEN, "a volume needs name=, store=, key= and anchor=");
		return -EINVAL;
	}
	return 0;
}
