/* served.h - one encdom volume as the guest-facing backend serves it. */
#ifndef XACM_ENCDOM_SERVED_H
#define XACM_ENCDOM_SERVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "encdom.h"

/* A guest vbd's v->priv while it is served (vbd.h: open_store). */
struct served {
	const char *name;       /* the volume's name: the guest vbd's params */
	struct encdom_vol *vol; /* open while encdom runs */
	uint8_t *buf;           /* one request's data, private; buf_len bytes */
	size_t buf_len;
	bool in_use;     /* by one guest vbd at most */
	uint64_t alerts; /* the last alert number on the vbd served (acm_protocol.h) */
};

#endif
