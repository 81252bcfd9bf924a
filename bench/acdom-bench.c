/* acdom-bench - decision latency of acdom's engine (acdom/decide.c) on a
 * policy with 10,000 resource labels, against the naive reference evaluator
 * of the tests (tests/unit/ref_decide.c) on the same requests.
 *
 *   acdom-bench [RESOURCES] [REQUESTS]
 *
 * Prints one "key value" line per figure (latencies in nanoseconds). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decide.h"
#include "policy.h"
#include "ref_decide.h"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* 48 tenant types in 12 conflict sets of 4; a guest per type; one encdom
 * and one driver serving all; resources spread over the types. */
static char *make_policy(unsigned int nres)
{
	size_t cap = (size_t)nres * 64 + 65536, off = 0;
	char *s = malloc(cap);

	off += (size_t)snprintf(s + off, cap - off, "policy bench;\n");
	for (int t = 0; t < 48; t++)
		off += (size_t)snprintf(s + off, cap - off, "type t%d;\n", t);
	for (int c = 0; c < 12; c++)
		off += (size_t)snprintf(s + off, cap - off,
					"conflict c%d { t%d, t%d, t%d, t%d };\n", c, 4 * c,
					4 * c + 1, 4 * c + 2, 4 * c + 3);
	off += (size_t)snprintf(s + off, cap - off, "domain enc_t role encdom types { t0");
	for (int t = 1; t < 48; t++)
		off += (size_t)snprintf(s + off, cap - off, ", t%d", t);
	off += (size_t)snprintf(s + off, cap - off, " };\ndomain drv_t role driver types { t0");
	for (int t = 1; t < 48; t++)
		off += (size_t)snprintf(s + off, cap - off, ", t%d", t);
	off += (size_t)snprintf(s + off, cap - off, " };\nchannel enc_t <-> drv_t;\n");
	for (int t = 0; t < 48; t++)
		off += (size_t)snprintf(
			s + off, cap - off,
			"domain g%d_t role guest types { t%d };\nchannel g%d_t <-> enc_t;\n", t, t,
			t);
	for (unsigned int r = 0; r < nres; r++)
		off += (size_t)snprintf(s + off, cap - off, "resource vol%05u types { t%u };\n", r,
					r % 48);
	return s;
}

int main(int argc, char **argv)
{
	unsigned int nres = argc > 1 ? (unsigned int)atoi(argv[1]) : 10000;
	unsigned int nreq = argc > 2 ? (unsigned int)atoi(argv[2]) : 200000, seed = 1;
	unsigned int nref = nreq < 5000 ? nreq : 5000;
	char *text = make_policy(nres), *rules_text, err[256];
	struct xp_policy *p = xp_parse("bench.xp", text, strlen(text), stderr);
	struct xacm_rules *rules;
	long long *lat, t0, total = 0, ref_total = 0;
	unsigned int allowed = 0;
	size_t len;

	if (p == NULL || p->nerrors)
		return 1;
	rules_text = xp_emit_rules(p, &len);
	t0 = now_ns();
	if (xacm_rules_parse(rules_text, len, &rules, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("rules_bytes %zu\nrules_load_ms %.1f\nresources %u\n", len, (now_ns() - t0) / 1e6,
	       rules->nresources);
	lat = malloc(sizeof(long long) * nreq);
	if (lat == NULL) {
		fprintf(stderr, "acdom-bench: out of memory\n");
		return 1;
	}
	for (unsigned int i = 0; i < nreq; i++) {
		char fe[16], res[16];
		uint64_t active = ((uint64_t)rand_r(&seed) << 32 | (uint64_t)rand_r(&seed)) &
				  0x111111111111ull; /* one type of some conflict sets */
		struct xacm_decision d;
		const char *act[48];
		char names[48][8];
		size_t nact = 0;

		unsigned int fe_type = (unsigned int)rand_r(&seed) % 48;
		unsigned int r = (unsigned int)rand_r(&seed) % nres;

		/* half the requests are for a resource of the guest's own type */
		if (rand_r(&seed) % 2)
			r = r / 48 * 48 + fe_type < nres ? r / 48 * 48 + fe_type : fe_type;
		snprintf(fe, sizeof(fe), "g%u_t", fe_type);
		snprintf(res, sizeof(res), "vol%05u", r);
		t0 = now_ns();
		xacm_decide(rules, fe, "enc_t", res, active, &d);
		lat[i] = now_ns() - t0;
		total += lat[i];
		allowed += d.allow;
		if (i < nref) {
			for (int t = 0; t < 48; t++)
				if (active >> t & 1) {
					snprintf(names[nact], sizeof(names[0]), "t%d", t);
					act[nact] = names[nact];
					nact++;
				}
			t0 = now_ns();
			const char *want = ref_decide(p, fe, "enc_t", res, act, nact);
			ref_total += now_ns() - t0;
			if (strcmp(want, xacm_reason_id(d.reason))) {
				fprintf(stderr, "engine and reference disagree on %s %s\n", fe,
					res);
				return 1;
			}
		}
	}
	qsort(lat, nreq, sizeof(*lat), cmp_ll);
	printf("requests %u\nallowed %u\n", nreq, allowed);
	printf("p50_ns %lld\np99_ns %lld\nmax_ns %lld\nmean_ns %.0f\n", lat[nreq / 2],
	       lat[(size_t)nreq * 99 / 100], lat[nreq - 1], (double)total / nreq);
	printf("reference_mean_ns %.0f\nreference_requests %u\n", (double)ref_total / nref, nref);
	xacm_rules_free(rules);
	xp_policy_free(p);
	free(rules_text);
	free(text);
	free(lat);
	return 0;
}
