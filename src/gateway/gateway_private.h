/* gateway_private.h — the gateway object, shared by the gateway_*.c files. */
#ifndef GATEWAY_GATEWAY_PRIVATE_H
#define GATEWAY_GATEWAY_PRIVATE_H
#include <stdatomic.h>
#include "gateway/gateway.h"
#include "gateway/gateway_token.h"

struct gateway {
	const config *cfg;            /* borrowed, immutable */
	provider_env env;
	bool zero;                    /* no [[models]]: zero-config routing */
	provider_target *targets;     /* one per config.models entry */
	atomic_size_t *rr;            /* round-robin counter per pool */
	gateway_tokens *tokens;       /* minted credentials (Vertex ADC, Copilot): gateway_token.h */
	struct gateway_files *files;  /* [files] mode = "local": gateway_files.h (NULL: proxy) */
};

/* The default provider account (management operations): the first
 * [[models]] entry, or in zero-config the first provider configured in the
 * environment. 0, or -1 with e = 503 "no models configured". */
int gateway_default_target(gateway *g, gateway_route *out, gateway_error *e);

/* gateway_master_start without the local files store: always the provider
 * (gateway_files.c uploads a local file for create_batch through it). */
gateway_call *gateway_master_proxy(gateway *g, const gateway_upstream *up, const gateway_principal *p,
				   const gateway_mreq *m, arena *a, const gateway_sink *sink);

/* Upstream forms (gateway_body.c). A fresh boundary "liter-llm-<32 random
 * hex>" (NUL-terminated) that data can carry (multipart_data_ok; drawn again
 * on the rare collision): 0, or -1 when randomness failed or it kept
 * colliding. */
#define GATEWAY_BOUNDARY_SIZE 48
int gateway_form_boundary(char dst[GATEWAY_BOUNDARY_SIZE], str data);
/* Append s to b with '"', '\' and control characters replaced by '_' (a
 * filename any upstream form parser reads back as sent). 0 or a buf error. */
int gateway_form_safe_name(buf *b, str s);

/* Azure chat answers (providers.md): a choice with finish_reason
 * "content_filter", a content_filter_results object and no message gets
 * message {"role":"assistant","content":null,"refusal":"Content filtered by
 * Azure content safety."}. body is rewritten in place (same cap) only when
 * such a choice is there; scratch memory from a. 0, or a buf error (body
 * unchanged). */
int gateway_azure_fix(buf *body, arena *a);

#endif
