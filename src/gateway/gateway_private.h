/* gateway_private.h — the gateway object, shared by the gateway_*.c files. */
#ifndef GATEWAY_GATEWAY_PRIVATE_H
#define GATEWAY_GATEWAY_PRIVATE_H
#include <stdatomic.h>
#include "gateway/gateway.h"

struct gateway {
	const config *cfg;            /* borrowed, immutable */
	provider_env env;
	bool zero;                    /* no [[models]]: zero-config routing */
	provider_target *targets;     /* one per config.models entry */
	atomic_size_t *rr;            /* round-robin counter per pool */
};

#endif
