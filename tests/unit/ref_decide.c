#include "ref_decide.h"

#include <stdbool.h>
#include <string.h>

static const struct xp_domain *domain(const struct xp_policy *p, const char *name)
{
	for (uint32_t i = 0; i < p->ndomains; i++)
		if (strcmp(p->domains[i].name, name) == 0)
			return &p->domains[i];
	return NULL;
}

static const struct xp_resource *resource(const struct xp_policy *p, const char *name)
{
	for (uint32_t i = 0; i < p->nresources; i++)
		if (strcmp(p->resources[i].name, name) == 0)
			return &p->resources[i];
	return NULL;
}

static bool has(uint64_t set, uint32_t t)
{
	return (set >> t) & 1;
}

static bool shares_type(const struct xp_policy *p, uint64_t a, uint64_t b)
{
	for (uint32_t t = 0; t < p->ntypes; t++)
		if (has(a, t) && has(b, t))
			return true;
	return false;
}

static bool linked(const struct xp_policy *p, const struct xp_domain *a, const struct xp_domain *b)
{
	for (uint32_t i = 0; i < p->nchannels; i++) {
		const char *x = p->domains[p->channels[i].a].name,
			   *y = p->domains[p->channels[i].b].name;

		if ((!strcmp(x, a->name) && !strcmp(y, b->name)) ||
		    (!strcmp(x, b->name) && !strcmp(y, a->name)))
			return true;
	}
	return false;
}

static bool is_active(const char *const *active, size_t n, const char *type)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(active[i], type) == 0)
			return true;
	return false;
}

const char *ref_decide(const struct xp_policy *p, const char *fe_name, const char *be_name,
		       const char *res_name, const char *const *active, size_t nactive)
{
	const struct xp_domain *fe = domain(p, fe_name), *be = domain(p, be_name);
	const struct xp_resource *res = resource(p, res_name);
	bool fe_tool, be_tool;

	if (!fe)
		return "deny-unknown-frontend";
	if (!be)
		return "deny-unknown-backend";
	if (!res)
		return "deny-unknown-resource";
	fe_tool = fe->role == XACM_ROLE_TOOLSTACK;
	be_tool = be->role == XACM_ROLE_TOOLSTACK;
	/* only an encdom, a driver domain or the toolstack serves disks */
	if (!(be->role == XACM_ROLE_ENCDOM || be->role == XACM_ROLE_DRIVER || be_tool))
		return "deny-backend-role";
	if (!fe_tool && !be_tool && !linked(p, fe, be))
		return "deny-no-channel";
	if (!fe_tool && !shares_type(p, fe->types, res->types))
		return "deny-ste-frontend";
	if (!be_tool && !shares_type(p, be->types, res->types))
		return "deny-ste-backend";
	/* Chinese Wall: for each conflict set, a type the attach would make
	 * active may not sit beside a different active type of that set. */
	for (uint32_t c = 0; c < p->nconflicts; c++) {
		for (uint32_t w = 0; w < p->ntypes; w++) {
			bool wanted = has(res->types, w) ||
				      (fe->role == XACM_ROLE_GUEST && has(fe->types, w));

			if (!wanted || !has(p->conflicts[c].types, w))
				continue;
			for (uint32_t o = 0; o < p->ntypes; o++) {
				bool o_wanted = has(res->types, o) ||
						(fe->role == XACM_ROLE_GUEST && has(fe->types, o));

				if (has(p->conflicts[c].types, o) && !o_wanted &&
				    is_active(active, nactive, p->types[o].name))
					return "deny-chinese-wall";
			}
		}
	}
	return "allow";
}
