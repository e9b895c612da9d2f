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

/* The default provider account (management operations): the first
 * [[models]] entry, or in zero-config the first provider configured in the
 * environment. 0, or -1 with e = 503 "no models configured". */
int gateway_default_target(gateway *g, gateway_route *out, gateway_error *e);

/* Azure chat answers (providers.md): a choice with finish_reason
 * "content_filter", a content_filter_results object and no message gets
 * message {"role":"assistant","content":null,"refusal":"Content filtered by
 * Azure content safety."}. body is rewritten in place (same cap) only when
 * such a choice is there; scratch memory from a. 0, or a buf error (body
 * unchanged). */
int gateway_azure_fix(buf *body, arena *a);

#endif
