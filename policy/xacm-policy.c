/* xacm-policy - check, compile and explain an xacm label policy. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decide.h"
#include "policy.h"

#ifndef XACM_FLASK_BASE_DEFAULT
#define XACM_FLASK_BASE_DEFAULT "/usr/local/share/xacm/flask"
#endif

static const char usage_text[] =
	"usage: xacm-policy check FILE\n"
	"       xacm-policy compile FILE -o DIR [--flask-base DIR | --no-binary] [--local-te TE]\n"
	"       xacm-policy explain FILE LABEL LABEL [RESOURCE] [--active TYPE,...]\n"
	"\n"
	"check    report every error as FILE:LINE:COL.\n"
	"compile  write DIR/xacm.rules (acdom's rules), DIR/xacm.te (the FLASK module)\n"
	"         and DIR/xenpolicy, the binary FLASK policy for 'xl loadpolicy', built\n"
	"         with checkpolicy -t Xen -c 30 on the FLASK base of the Xen tree the\n"
	"         hypervisor comes from: --flask-base DIR, else $XACM_FLASK_BASE, else\n"
	"         " XACM_FLASK_BASE_DEFAULT ".  --no-binary skips xenpolicy.\n"
	"         --local-te appends site-local FLASK rules (e.g. for device\n"
	"         passthrough) to the module; the neverallow rules still apply.\n"
	"explain  with two domain labels: may they share grants and event channels,\n"
	"         and which rule says so.  With a RESOURCE: the attach decision for\n"
	"         frontend LABEL, backend LABEL, as acdom makes it; --active lists the\n"
	"         types already active (Chinese Wall).  Exit 0 allow, 1 deny.\n"
	"Labels are FLASK types (guest_a_t) or contexts (system_u:system_r:guest_a_t).\n";

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL) {
		fprintf(stderr, "xacm-policy: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			char *b;

			cap = cap ? cap * 2 : 65536;
			b = realloc(buf, cap + 1);
			if (b == NULL) {
				free(buf);
				fclose(f);
				fprintf(stderr, "xacm-policy: out of memory reading %s\n", path);
				return NULL;
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "xacm-policy: cannot read %s\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static struct xp_policy *load_policy(const char *path)
{
	size_t len;
	char *text = read_file(path, &len);
	struct xp_policy *p;

	if (text == NULL)
		return NULL;
	p = xp_parse(path, text, len, stderr);
	free(text);
	if (p == NULL) {
		fprintf(stderr, "xacm-policy: out of memory\n");
		return NULL;
	}
	if (p->nerrors) {
		fprintf(stderr, "xacm-policy: %s: %u error%s\n", path, p->nerrors,
			p->nerrors == 1 ? "" : "s");
		xp_policy_free(p);
		return NULL;
	}
	return p;
}

/* Run argv, wait; its output goes to log (or stays on ours if NULL). */
static int run(char *const argv[], const char *log)
{
	pid_t pid;
	int status;

	fflush(NULL); /* or the child would print our buffered output again */
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (log && !freopen(log, "w", stdout))
			_exit(127);
		if (log)
			dup2(STDOUT_FILENO, STDERR_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "xacm-policy: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "xacm-policy: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Build DIR/xenpolicy from Xen's FLASK base plus DIR/xacm.te. */
static int build_binary(const char *base, const char *dir)
{
	/* dir and base are at most PATH_MAX; every buffer leaves room for a suffix */
	char tmpl[] = "/tmp/xacm-policy.XXXXXX", path[4300], conf[4300], out[4300], log[4300];
	char fbd[4300], pfn[4300];
	const char *tmp = mkdtemp(tmpl);
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/tools/flask/policy/Makefile.common", base);
	if (access(path, R_OK) != 0) {
		fprintf(stderr,
			"xacm-policy: no FLASK base at %s (missing "
			"tools/flask/policy/Makefile.common)."
			"\n  Pass --flask-base with the 'flask' directory that "
			"tests/testbed/build-xen.sh writes, or --no-binary.\n",
			base);
		return -1;
	}
	if (tmp == NULL)
		return -1;
	{
		char src_tools[4200], src_xen[4200];

		snprintf(src_tools, sizeof(src_tools), "%s/tools", base);
		snprintf(src_xen, sizeof(src_xen), "%s/xen", base);
		char *cp[] = {"cp", "-a", src_tools, src_xen, (char *)tmp, NULL};
		if (run(cp, NULL) != 0) {
			fprintf(stderr, "xacm-policy: cannot copy the FLASK base from %s\n", base);
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/xacm.te", dir);
	snprintf(out, sizeof(out), "%s/tools/flask/policy/modules/xacm.te", tmp);
	{
		char *cp[] = {"cp", path, out, NULL};
		if (run(cp, NULL) != 0)
			return -1;
	}
	snprintf(conf, sizeof(conf), "%s/tools/flask/policy/modules/modules.conf", tmp);
	f = fopen(conf, "a");
	if (f == NULL || fputs("\n# added by xacm-policy\nxacm = on\n", f) < 0 || fclose(f)) {
		fprintf(stderr, "xacm-policy: cannot update %s\n", conf);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/tools/flask/policy", tmp);
	snprintf(fbd, sizeof(fbd), "%s/build", tmp);
	if (mkdir(fbd, 0755) != 0)
		return -1;
	snprintf(fbd, sizeof(fbd), "FLASK_BUILD_DIR=%s/build", tmp);
	snprintf(pfn, sizeof(pfn), "POLICY_FILENAME=%s/xenpolicy", dir);
	snprintf(log, sizeof(log), "%s/checkpolicy.log", dir);
	char *make[] = {"make",
			"-s",
			"-f",
			"Makefile.common",
			"-C",
			path,
			fbd,
			pfn,
			"CHECKPOLICY=checkpolicy",
			"M4=m4",
			"OUTPUT_POLICY=30",
			NULL};
	rc = run(make, log);
	if (rc != 0) {
		size_t len;
		char *text = read_file(log, &len);

		fprintf(stderr, "xacm-policy: checkpolicy rejected the FLASK policy:\n%s",
			text ? text : "");
		free(text);
	} else {
		char src[4200];

		snprintf(src, sizeof(src), "%s/build/policy.conf", tmp);
		char *cp[] = {"cp", src, (char *)dir, NULL};
		rc = run(cp, NULL);
		unlink(log);
	}
	char *rm[] = {"rm", "-rf", (char *)tmp, NULL};
	run(rm, NULL);
	return rc == 0 ? 0 : -1;
}

/* Append the file at path to out. */
static int append_file(FILE *out, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);

	if (text == NULL)
		return -1;
	fprintf(out, "\n# site-local rules from %s\n", path);
	fwrite(text, 1, len, out);
	free(text);
	return ferror(out) ? -1 : 0;
}

static int cmd_compile(const char *file, const char *dir, const char *base, bool binary,
		       const char *local_te)
{
	struct xp_policy *p = load_policy(file);
	size_t len = 0;
	char *rules;
	char path[4096];
	FILE *te;
	int rc = 1;

	if (p == NULL)
		return 1;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "xacm-policy: cannot create %s: %s\n", dir, strerror(errno));
		goto out;
	}
	rules = xp_emit_rules(p, &len);
	if (rules == NULL || write_file(dir, "xacm.rules", rules, len) != 0) {
		free(rules);
		goto out;
	}
	printf("wrote %s/xacm.rules (%zu bytes, %.71s)\n", dir, len, rules + 13);
	free(rules);
	snprintf(path, sizeof(path), "%s/xacm.te", dir);
	te = fopen(path, "w");
	if (te == NULL || xp_emit_flask(p, te) != 0 || (local_te && append_file(te, local_te)) ||
	    fclose(te) != 0) {
		fprintf(stderr, "xacm-policy: cannot write %s\n", path);
		goto out;
	}
	printf("wrote %s\n", path);
	if (binary) {
		char abs[4096];

		/* make runs in a copy of the FLASK base: it needs absolute paths */
		if (realpath(dir, abs) == NULL || build_binary(base, abs) != 0)
			goto out;
		printf("wrote %s/xenpolicy (load with: xl loadpolicy %s/xenpolicy)\n", dir, dir);
	}
	rc = 0;
out:
	xp_policy_free(p);
	return rc;
}

static const char *flask_type(const char *label)
{
	const char *colon = strrchr(label, ':');

	return colon ? colon + 1 : label;
}

static int explain_pair(const struct xp_policy *p, const char *an, const char *bn)
{
	int ai = xp_find_domain(p, an), bi = xp_find_domain(p, bn), c;
	const struct xp_domain *a, *b;

	if (ai < 0 || bi < 0) {
		printf("deny: %s has no domain statement in %s; FLASK has no rule for it\n",
		       ai < 0 ? an : bn, p->file);
		return 1;
	}
	a = &p->domains[ai];
	b = &p->domains[bi];
	printf("%s: role %s (%s:%u)\n%s: role %s (%s:%u)\n", an, xacm_role_name(a->role), p->file,
	       a->loc.line, bn, xacm_role_name(b->role), p->file, b->loc.line);
	if (a->role == XACM_ROLE_TOOLSTACK || b->role == XACM_ROLE_TOOLSTACK) {
		printf("allow: the toolstack builds, manages and talks to every domain "
		       "(FLASK: create_domain, manage_domain, domain_comms with dom0_t)\n");
		return 0;
	}
	if ((a->role == XACM_ROLE_GUEST && b->role == XACM_ROLE_DRIVER) ||
	    (a->role == XACM_ROLE_DRIVER && b->role == XACM_ROLE_GUEST)) {
		printf("deny: a guest and a driver domain never share grants or event channels "
		       "(FLASK: neverallow xacm_guest xacm_driver, both ways)\n");
		return 1;
	}
	c = xp_find_channel(p, (uint32_t)ai, (uint32_t)bi);
	if (c >= 0) {
		printf("allow: 'channel' at %s:%u (FLASK: domain_comms(%s, %s): grant map/copy and "
		       "event channels both ways)\n",
		       p->file, p->channels[c].loc.line, an, bn);
		return 0;
	}
	printf("deny: no channel joins %s and %s, so FLASK allows them no grant or event "
	       "channel; to allow it write 'channel %s <-> %s;' (guest-encdom or encdom-driver)\n",
	       an, bn, an, bn);
	return 1;
}

static int cmd_explain(const char *file, const char *fe, const char *be, const char *res,
		       const char *active_list)
{
	struct xp_policy *p = load_policy(file);
	struct xacm_rules *rules = NULL;
	struct xacm_decision d;
	char err[256], why[512], *text = NULL;
	uint64_t active = 0;
	size_t len;
	int rc = 2;

	if (p == NULL)
		return 2;
	fe = flask_type(fe);
	be = flask_type(be);
	if (res == NULL) {
		rc = explain_pair(p, fe, be);
		goto out;
	}
	if (active_list) {
		char *list = strdup(active_list), *save = NULL;

		for (char *t = list ? strtok_r(list, ",", &save) : NULL; t;
		     t = strtok_r(NULL, ",", &save)) {
			int i = xp_find_type(p, t);

			if (i < 0) {
				fprintf(stderr, "xacm-policy: --active: unknown type \"%s\"\n", t);
				free(list);
				goto out;
			}
			active |= 1ull << i;
		}
		free(list);
	}
	/* The same path acdom takes: compiled rules, loaded and decided. */
	text = xp_emit_rules(p, &len);
	if (text == NULL || xacm_rules_parse(text, len, &rules, err, sizeof(err)) != 0) {
		fprintf(stderr, "xacm-policy: internal error: compiled rules do not load: %s\n",
			err);
		goto out;
	}
	xacm_decide(rules, fe, be, res, active, &d);
	xacm_decision_explain(rules, &d, why, sizeof(why));
	printf("%s (%s): %s\n", d.allow ? "allow" : "deny", xacm_reason_id(d.reason), why);
	if (d.frontend >= 0)
		printf("  frontend: domain %s at %s:%u\n", fe, file,
		       p->domains[xp_find_domain(p, fe)].loc.line);
	if (d.backend >= 0)
		printf("  backend:  domain %s at %s:%u\n", be, file,
		       p->domains[xp_find_domain(p, be)].loc.line);
	if (d.resource >= 0)
		printf("  resource: %s at %s:%u\n", res, file,
		       p->resources[xp_find_resource(p, res)].loc.line);
	if (d.conflict >= 0)
		printf("  conflict: %s at %s:%u\n", rules->conflicts[d.conflict].name, file,
		       p->conflicts[d.conflict].loc.line);
	printf("  rules: sha256 %s\n", rules->hash);
	rc = d.allow ? 0 : 1;
out:
	free(text);
	xacm_rules_free(rules);
	xp_policy_free(p);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"flask-base", required_argument, NULL, 'b'},
		{"no-binary", no_argument, NULL, 'n'},
		{"active", required_argument, NULL, 'a'},
		{"local-te", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *base = getenv("XACM_FLASK_BASE"), *active = NULL, *cmd;
	const char *local_te = NULL;
	bool binary = true;
	int c;

	/* the subcommand first, then its options and operands in any order */
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'b':
			base = optarg;
			break;
		case 'n':
			binary = false;
			break;
		case 'a':
			active = optarg;
			break;
		case 'l':
			local_te = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "check") && argc == 1) {
		struct xp_policy *p = load_policy(argv[0]);

		if (p == NULL)
			return 1;
		printf("%s: policy %s is valid: %u types, %u conflict sets, %u domains, "
		       "%u resources, %u channels\n",
		       argv[0], p->name, p->ntypes, p->nconflicts, p->ndomains, p->nresources,
		       p->nchannels);
		xp_policy_free(p);
		return 0;
	}
	if (!strcmp(cmd, "compile") && argc == 1 && out)
		return cmd_compile(argv[0], out, base ? base : XACM_FLASK_BASE_DEFAULT, binary,
				   local_te);
	if (!strcmp(cmd, "explain") && (argc == 3 || argc == 4))
		return cmd_explain(argv[0], argv[1], argv[2], argc == 4 ? argv[3] : NULL, active);
	fprintf(stderr, "xacm-policy: bad command line\n%s", usage_text);
	return 2;
}
