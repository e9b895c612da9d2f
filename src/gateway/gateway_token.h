/* gateway_token.h — credentials that must be minted before the upstream
 * request (internal to the gateway layer):
 *   - Vertex AI without an api_key (PROVIDER_CRED_GOOGLE_ADC): an OAuth 2.0
 *     access token from the Google credentials file named by
 *     GOOGLE_APPLICATION_CREDENTIALS: a service-account key (RS256 JWT-bearer
 *     grant, RFC 7523: POST token_uri with grant_type=urn:ietf:params:oauth:
 *     grant-type:jwt-bearer&assertion=<JWT>, scope cloud-platform) or an
 *     "authorized_user" file (refresh_token grant);
 *   - GitHub Copilot (PROVIDER_CRED_GITHUB_TOKEN): GET the target's
 *     token_url with "Authorization: token <GitHub token>" -> {"token",
 *     "expires_at"}.
 * Either way the call continues with "Authorization: Bearer <token>".
 *
 * Files are read once, at start-up (gateway_tokens_init, called by
 * gateway_new): never on a loop thread. The exchange goes through the
 * calling surface's injected upstream (gateway_upstream.request), so the
 * same outbound policy, proxy and TLS apply as for provider calls.
 *
 * Cache: one entry per credential (key file path; GitHub token + token URL),
 * shared by every worker thread behind one mutex. A token is used until its
 * expiry; from refresh_at (expiry - min(5 min, lifetime / 2)) the first call
 * starts a background refresh and still uses the current token. Calls that
 * find no valid token wait for the one exchange in flight (started by the
 * first of them) instead of minting their own. A failed exchange is not
 * cached: its waiters get the error; a background refresh is retried no
 * sooner than 10 s later.
 *
 * Waiting across threads: a waiter on the thread that runs the exchange is
 * called back from the exchange's completion; a waiter on another worker
 * polls the entry with a timer of its own upstream (GATEWAY_TOKEN_POLL_MS),
 * so nothing is ever called on a foreign loop. Upstreams without timers must
 * be single-threaded (unit tests). Callbacks never run inside
 * gateway_token_begin.
 *
 * Secrets (private keys, refresh tokens, GitHub tokens, minted tokens) are
 * never logged and are wiped when freed. */
#ifndef GATEWAY_GATEWAY_TOKEN_H
#define GATEWAY_GATEWAY_TOKEN_H
#include <stdint.h>
#include "gateway/gateway.h"

#define GATEWAY_TOKEN_MAX 8192           /* bytes of a minted token */
#define GATEWAY_TOKEN_FILE_MAX (64u << 10) /* a Google credentials file */
#define GATEWAY_TOKEN_TIMEOUT_MS 30000u  /* one token exchange, connect to last byte */
#define GATEWAY_TOKEN_POLL_MS 10u        /* a waiter on another thread looks again after */
#define GATEWAY_TOKEN_REFRESH_S 300      /* refresh this long before expiry (at most lifetime / 2) */
#define GATEWAY_TOKEN_RETRY_MS 10000u    /* no background refresh sooner after a failed one */
#define GATEWAY_TOKEN_ENTRIES_MAX 64     /* distinct credentials cached */
#define GATEWAY_GOOGLE_TOKEN_URI "https://oauth2.googleapis.com/token"
#define GATEWAY_GOOGLE_SCOPE "https://www.googleapis.com/auth/cloud-platform"

typedef struct gateway_tokens gateway_tokens;
typedef struct gateway_token_wait gateway_token_wait;

/* Create g->tokens and load the Google credentials file of every
 * [[models]] target that needs one (a failure stops start-up: "failed to
 * build client for model '<m>': authentication failed: Google credentials
 * file <path> (GOOGLE_APPLICATION_CREDENTIALS): <reason>"). In zero-config
 * or with [[aliases]], the file named by GOOGLE_APPLICATION_CREDENTIALS is
 * loaded too when set, but a failure is only kept for the calls that need
 * it (401 with the same text). 0, ERR_NOMEM, or the load error with err. */
int gateway_tokens_init(gateway *g, char *err, size_t errlen);
/* Free the cache (after every call ended; exchanges still in flight are
 * dropped without touching their upstream). NULL-safe. */
void gateway_tokens_free(gateway_tokens *ts);

/* A call's hold on a minted credential (zero-initialised = empty). */
typedef struct gateway_token_use {
	gateway_token_wait *wait;   /* pending, or NULL */
	char *value;                /* "Bearer <token>" (malloc'd, wiped when freed), or NULL */
	size_t len;
} gateway_token_use;

/* Called on the waiting call's thread when its token is there (e == NULL,
 * u->value set) or the exchange failed (e: 401 Authentication "authentication
 * failed: token exchange at <url> failed: <reason>", or InternalError). */
typedef void (*gateway_token_fn)(void *ud, const gateway_error *e);

/* Get the credential target t needs before its request, through upstream
 * up (borrowed until fn runs or gateway_token_end). Returns
 *   0   ready: u->value is the Authorization header value, or NULL when t
 *       needs no minted credential (any cred other than GOOGLE_ADC and
 *       GITHUB_TOKEN);
 *   1   pending: fn(ud, ...) follows later on this thread;
 *   -1  failed at once, with e.
 * u must be empty (zeroed) and stay where it is until gateway_token_end. */
int gateway_token_begin(gateway_tokens *ts, const provider_target *t, const gateway_upstream *up,
			gateway_token_use *u, gateway_token_fn fn, void *ud, gateway_error *e);

/* Release u: cancel a pending wait (fn is not called afterwards) and wipe
 * the value. Idempotent; on the thread that called begin. */
void gateway_token_end(gateway_token_use *u);

/* Exchanges that succeeded so far for t's credential (tests, logs); 0 when
 * t has none. */
uint64_t gateway_tokens_minted(gateway_tokens *ts, const provider_target *t);

#endif
