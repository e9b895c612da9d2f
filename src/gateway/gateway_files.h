/* gateway_files.h — `[files] mode = "local"`: the file operations served from
 * the gateway's own store (gateway/files_store.h) instead of the provider,
 * hooked into gateway_master_start so REST and MCP get the same behaviour.
 *
 *  - create_file: JSON {file: base64, purpose, filename?} or multipart/
 *    form-data (a "file" part and a "purpose" field, what the SDKs send);
 *    purpose one of assistants, batch, fine-tune, vision (422 otherwise, as
 *    on the proxied path); at most [server].body_limit_bytes of file (400);
 *    a full store (disk full, memory cap) is 503, other store failures 500;
 *    answers the FileObject {"id":"file-lc-…","object":"file","bytes",
 *    "created_at","filename","purpose","status":"processed"}.
 *  - list_files: the local files, newest first, with OpenAI's query
 *    parameters purpose, limit (1..10000, default 10000), after (an id),
 *    order (desc | asc): {"object":"list","data":[...],"has_more":bool}.
 *  - retrieve_file, file_content, delete_file: ids starting with "file-lc-"
 *    are local (404 NotFound "not found: No such File object: <id>" when the
 *    store does not have them); any other id falls through to the provider
 *    (a provider-made batch output file stays reachable).
 *  - create_batch whose input_file_id is local: the file is uploaded to the
 *    provider first (multipart, purpose "batch", through the proxied
 *    create_file), then the batch is created with the provider's file id;
 *    the provider's answer (or error) is the answer.
 *
 * Runtime: the memory backend works inline (a mutex); the fs backend's disk
 * work (write + fsync + rename, read, unlink, the start-up directory scan)
 * runs on one store thread, FIFO, the scan first (calls wait behind it), and
 * completes on the calling loop through gateway_upstream.post (NULL post:
 * inline, blocking). Store results always come through post when there is
 * one (never from inside gateway_master_start; request errors are answered
 * at once, as on the proxied path). A running local operation is
 * the gateway_call's upstream handle: gateway_call_cancel() reaches it; a
 * completion that arrives after a cancel is dropped without touching the
 * call (whose arena is gone by then). */
#ifndef GATEWAY_GATEWAY_FILES_H
#define GATEWAY_GATEWAY_FILES_H
#include "config/config.h"
#include "gateway/gateway.h"

typedef struct gateway_files gateway_files;

/* Build the store of c->files (mode local; memory or fs): fs creates and
 * opens its directory now and starts the store thread with the scan queued.
 * 0, or < 0 with the start-up message in err ("failed to build storage
 * operator for 'fs': ..."). */
int gateway_files_new(gateway_files **out, const config *c, char *err, size_t errlen);
/* After every call was finished or cancelled (the surfaces are stopped):
 * stops and joins the store thread. NULL-safe. */
void gateway_files_free(gateway_files *f);

/* The hook of gateway_master_start (the principal is master). Returns 0:
 * not a local operation (proxy it); -1: answered (sink's respond() was
 * called, the arena may be gone: touch nothing); 1: running, with *h the
 * operation and cup->cancel / pause / resume set to act on it (cup is the
 * call's copy of the surface's upstream; the original functions are kept for
 * the operation's own provider calls). */
int gateway_files_start(gateway *g, const gateway_principal *p, const gateway_mreq *m, arena *a,
			const gateway_sink *sink, gateway_upstream *cup, void **h);

#endif
