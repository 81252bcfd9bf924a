#include "decide.h"

#include <stdio.h>
#include <string.h>

static const char *const reason_ids[XACM_REASON_COUNT] = {
	[XACM_ALLOW_STE] = "allow",
	[XACM_DENY_UNKNOWN_FRONTEND] = "deny-unknown-frontend",
	[XACM_DENY_UNKNOWN_BACKEND] = "deny-unknown-backend",
	[XACM_DENY_UNKNOWN_RESOURCE] = "deny-unknown-resource",
	[XACM_DENY_BACKEND_ROLE] = "deny-backend-role",
	[XACM_DENY_NO_CHANNEL] = "deny-no-channel",
	[XACM_DENY_STE_FRONTEND] = "deny-ste-frontend",
	[XACM_DENY_STE_BACKEND] = "deny-ste-backend",
	[XACM_DENY_CHINESE_WALL] = "deny-chinese-wall",
};

const char *xacm_reason_id(enum xacm_reason reason)
{
	return (unsigned int)reason < XACM_REASON_COUNT ? reason_ids[reason] : "deny-invalid";
}

static int lowest_bit(uint64_t mask)
{
	return mask ? __builtin_ctzll(mask) : -1;
}

static void deny(struct xacm_decision *out, enum xacm_reason reason)
{
	out->allow = false;
	out->reason = reason;
}

void xacm_decide(const struct xacm_rules *rules, const char *frontend, const char *backend,
		 const char *resource, uint64_t active, struct xacm_decision *out)
{
	const struct xacm_rule_domain *fe, *be;
	uint64_t res_types, wanted;

	*out = (struct xacm_decision){.frontend = -1,
				      .backend = -1,
				      .resource = -1,
				      .conflict = -1,
				      .wanted_type = -1,
				      .active_type = -1};
	out->frontend = xacm_rules_find_domain(rules, frontend);
	out->backend = xacm_rules_find_domain(rules, backend);
	out->resource = xacm_rules_find_resource(rules, resource);
	if (out->frontend < 0) {
		deny(out, XACM_DENY_UNKNOWN_FRONTEND);
		return;
	}
	if (out->backend < 0) {
		deny(out, XACM_DENY_UNKNOWN_BACKEND);
		return;
	}
	if (out->resource < 0) {
		deny(out, XACM_DENY_UNKNOWN_RESOURCE);
		return;
	}
	fe = &rules->domains[out->frontend];
	be = &rules->domains[out->backend];
	res_types = rules->resources[out->resource].types;

	if (be->role != XACM_ROLE_ENCDOM && be->role != XACM_ROLE_DRIVER &&
	    be->role != XACM_ROLE_TOOLSTACK) {
		deny(out, XACM_DENY_BACKEND_ROLE);
		return;
	}
	if (fe->role != XACM_ROLE_TOOLSTACK && be->role != XACM_ROLE_TOOLSTACK &&
	    !xacm_rules_has_channel(rules, (uint32_t)out->frontend, (uint32_t)out->backend)) {
		deny(out, XACM_DENY_NO_CHANNEL);
		return;
	}
	if (fe->role != XACM_ROLE_TOOLSTACK && !(fe->types & res_types)) {
		deny(out, XACM_DENY_STE_FRONTEND);
		return;
	}
	if (be->role != XACM_ROLE_TOOLSTACK && !(be->types & res_types)) {
		deny(out, XACM_DENY_STE_BACKEND);
		return;
	}

	wanted = res_types | (fe->role == XACM_ROLE_GUEST ? fe->types : 0);
	for (uint32_t c = 0; c < rules->nconflicts; c++) {
		uint64_t set = rules->conflicts[c].types;
		uint64_t want = wanted & set, other = active & set & ~want;

		if (want && other) {
			out->conflict = (int)c;
			out->wanted_type = lowest_bit(want);
			out->active_type = lowest_bit(other);
			{
				deny(out, XACM_DENY_CHINESE_WALL);
				return;
			}
		}
	}
	out->allow = true;
	out->reason = XACM_ALLOW_STE;
}

static const char *type_name(const struct xacm_rules *r, int t)
{
	return t >= 0 && (uint32_t)t < r->ntypes ? r->types[t].name : "?";
}

void xacm_decision_explain(const struct xacm_rules *r, const struct xacm_decision *d, char *buf,
			   size_t len)
{
	const char *fe = d->frontend >= 0 ? r->domains[d->frontend].name : "?";
	const char *be = d->backend >= 0 ? r->domains[d->backend].name : "?";
	const char *res = d->resource >= 0 ? r->resources[d->resource].name : "?";

	switch (d->reason) {
	case XACM_ALLOW_STE:
		snprintf(buf, len,
			 "%s may use %s through %s: they share a type and no conflict is active",
			 fe, res, be);
		break;
	case XACM_DENY_UNKNOWN_FRONTEND:
		snprintf(buf, len, "the frontend's label has no domain statement in the policy");
		break;
	case XACM_DENY_UNKNOWN_BACKEND:
		snprintf(buf, len, "the backend's label has no domain statement in the policy");
		break;
	case XACM_DENY_UNKNOWN_RESOURCE:
		snprintf(buf, len, "the resource has no label in the policy");
		break;
	case XACM_DENY_BACKEND_ROLE:
		snprintf(buf, len, "%s has role %s, which cannot serve disks", be,
			 xacm_role_name(r->domains[d->backend].role));
		break;
	case XACM_DENY_NO_CHANNEL:
		snprintf(buf, len, "%s and %s have no channel", fe, be);
		break;
	case XACM_DENY_STE_FRONTEND:
		snprintf(buf, len, "%s shares no type with resource %s", fe, res);
		break;
	case XACM_DENY_STE_BACKEND:
		snprintf(buf, len, "%s shares no type with resource %s", be, res);
		break;
	case XACM_DENY_CHINESE_WALL:
		snprintf(buf, len, "Chinese Wall %s: %s would be active while %s is",
			 d->conflict >= 0 ? r->conflicts[d->conflict].name : "?",
			 type_name(r, d->wanted_type), type_name(r, d->active_type));
		break;
	default:
		snprintf(buf, len, "invalid decision");
		break;
	}
}
