/* vbdset.c - Chinese Wall deciding order and the alert budget (vbdset.h). */
#include "vbdset.h"

#include <stdlib.h>
#include <string.h>

static int cmp_vbd(const void *x, const void *y)
{
	const struct acdom_vbd *a = x, *b = y;
	uint64_t ka = (uint64_t)a->be << 32 | a->fe, kb = (uint64_t)b->be << 32 | b->fe;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	return a->devid < b->devid ? -1 : a->devid > b->devid;
}

/* A granted field matches when it is unknown ("") or equal. */
static bool same(const char *granted, const char *now)
{
	return granted[0] == '\0' || !strcmp(granted, now);
}

static bool incumbent(const struct acdom_vbd *v)
{
	return v->allowed && same(v->grant.fe, v->now.fe) && same(v->grant.be, v->now.be) &&
	       same(v->grant.resource, v->now.resource) && same(v->grant.rid, v->now.rid);
}

/* The types an allowed vbd activates, by the labels of its allow. */
static uint64_t granted_types(const struct xacm_rules *r, const struct acdom_vbd *v)
{
	const char *fe_label = v->grant.fe[0] ? v->grant.fe : v->now.fe;
	const char *resource = v->grant.resource[0] ? v->grant.resource : v->now.resource;
	int fe = xacm_rules_find_domain(r, fe_label);
	int res = xacm_rules_find_resource(r, resource);
	uint64_t w = res >= 0 ? r->resources[res].types : 0;

	if (fe >= 0 && r->domains[fe].role == XACM_ROLE_GUEST)
		w |= r->domains[fe].types;
	return w;
}

static void decide_one(const struct xacm_rules *r, struct acdom_vbd *v, size_t n, size_t i,
		       acdom_decided_fn decided, void *ctx)
{
	struct acdom_vbd *me = &v[i];
	struct xacm_decision d;
	uint64_t active = 0;

	for (size_t j = 0; j < n; j++)
		if (j != i && v[j].allowed)
			active |= granted_types(r, &v[j]);
	xacm_decide(r, me->now.fe, me->now.be, me->now.resource, active, &d);
	me->allowed = decided(ctx, me, &d);
	if (me->allowed)
		me->grant = me->now;
}

void acdom_evaluate(const struct xacm_rules *rules, struct acdom_vbd *v, size_t n,
		    acdom_decided_fn decided, void *ctx)
{
	qsort(v, n, sizeof(*v), cmp_vbd);
	for (size_t i = 0; i < n; i++) {
		/* a relabelled vbd no longer holds its place in the wall */
		v[i].newcomer = !incumbent(&v[i]);
		v[i].allowed = v[i].allowed && !v[i].newcomer;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++)
			if (v[i].newcomer == (pass == 1))
				decide_one(rules, v, n, i, decided, ctx);
}

bool acdom_alert_admit(struct acdom_vbd *v, uint64_t count, uint64_t now_ms)
{
	if (v->suppressed == 0 &&
	    (v->window_lines == 0 || now_ms - v->window_ms >= ACDOM_ALERT_WINDOW_MS)) {
		v->window_ms = now_ms;
		v->window_lines = 0;
	}
	if (v->suppressed == 0 && v->window_lines < ACDOM_ALERT_BURST) {
		v->window_lines++;
		return true;
	}
	if (v->suppressed++ == 0)
		v->supp_first = count;
	return false;
}

bool acdom_alert_flush(struct acdom_vbd *v, uint64_t now_ms, bool force, uint64_t *n,
		       uint64_t *first)
{
	if (v->suppressed == 0 || (!force && now_ms - v->window_ms < ACDOM_ALERT_WINDOW_MS))
		return false;
	*n = v->suppressed;
	*first = v->supp_first;
	v->suppressed = 0;
	v->window_ms = now_ms; /* a new window: the flood stays bounded */
	v->window_lines = 1;   /* the suppressed line itself */
	return true;
}
