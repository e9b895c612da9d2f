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

/* Parse body as the JSON object a management POST must be: 0, or -1 with
 * e = 400 "Failed to parse the request body as JSON: ..." / 422 "invalid
 * type: <t>, expected a JSON object" (500 when memory ran out). */
int gateway_json_object(str body, arena *a, json_doc *d, gateway_error *e);

/* A create_file upload, read from JSON {file: base64, purpose, filename?}
 * or multipart/form-data (a "file" part, a "purpose" field; the filename
 * from the file part), checked the same way for the proxied and the local
 * store path: 415 for another content type, 400 for a body that does not
 * parse (or a `file` that is not base64), 422 for a missing, duplicated or
 * mistyped field and a purpose other than assistants, batch, fine-tune,
 * vision. data is a slice of m->body (form) or of raw (JSON, decoded);
 * strings live in a or in m->body. Free raw with buf_free, also on error. */
typedef struct gateway_upload {
	bool form;                    /* multipart/form-data */
	str purpose;
	str filename;                 /* "upload" when none was given */
	str data;                     /* the file's bytes */
	buf raw;                      /* JSON form: the decoded bytes */
} gateway_upload;
int gateway_upload_read(const gateway_mreq *m, arena *a, gateway_upload *u, gateway_error *e);

/* The target's request rules remove "stream" (Azure o1 deployments): a
 * client's stream is then made of the whole answer (gateway_body.c). */
bool gateway_stream_dropped(const provider_target *t);

/* Azure chat answers (providers.md): a choice with finish_reason
 * "content_filter", a content_filter_results object and no message gets
 * message {"role":"assistant","content":null,"refusal":"Content filtered by
 * Azure content safety."}. body is rewritten in place (same cap) only when
 * such a choice is there; scratch memory from a. 0, or a buf error (body
 * unchanged). */
int gateway_azure_fix(buf *body, arena *a);

#endif
