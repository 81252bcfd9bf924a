/* vol_config.h - encdom's volume table: which guest vbds it serves, and
 * from what.  One specification per volume (a --volume option):
 *
 *   name=NAME,store=FE_DIR[,store=FE_DIR...],key=FILE,anchor=FILE
 *
 * NAME is what a guest's disk line gives as its target (the vbd's
 * "params"): [A-Za-z0-9_.-], at most 63 bytes, not starting with '.' or
 * '-', so never a path.  Each FE_DIR is the frontend directory of a vbd
 * toward a driver domain whose frontend is this domain
 * (/local/domain/<self>/device/vbd/<devid>), replicas in that order (1 to
 * ENCDOM_MAX_REPLICAS; more than one is a mirror).  FILE paths are
 * absolute: the raw key file and the trust anchor, on this domain's own
 * storage.  The administrator writes the specification; it is still
 * checked in full, so that a typo fails at start, not at the first I/O. */
#ifndef XACM_ENCDOM_VOL_CONFIG_H
#define XACM_ENCDOM_VOL_CONFIG_H

#include "encdom.h"

#define VOLCONF_NAME_MAX 64u
#define VOLCONF_PATH_MAX 256u
#define VOLCONF_ERRLEN 128u

struct volconf {
	char name[VOLCONF_NAME_MAX];
	char store[ENCDOM_MAX_REPLICAS][VOLCONF_PATH_MAX];
	unsigned int nstores;
	char key[VOLCONF_PATH_MAX];
	char anchor[VOLCONF_PATH_MAX];
};

/* Parse spec into *out: 0, or -EINVAL with err saying what is wrong (then
 * *out is unspecified). */
int volconf_parse(const char *spec, struct volconf *out, char err[static VOLCONF_ERRLEN])
	__attribute__((warn_unused_result));

#endif
