/* gateway_err.c — the typed errors of the gateway: kind names and statuses,
 * the JSON error envelope, and the mapping of upstream HTTP statuses and
 * transport failures (rest-api.md "Error envelope"). */
#include "gateway/gateway.h"
#include "base/err.h"
#include "json/json.h"
#include "json/json_write.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int status;
} kinds[GATEWAY_KIND__COUNT] = {
	[GATEWAY_OK] = { "Ok", 200 },
	[GATEWAY_AUTHENTICATION] = { "Authentication", 401 },
	[GATEWAY_FORBIDDEN] = { "Forbidden", 403 },
	[GATEWAY_HOOK_REJECTED] = { "HookRejected", 403 },
	[GATEWAY_NOT_FOUND] = { "NotFound", 404 },
	[GATEWAY_BAD_REQUEST] = { "BadRequest", 400 },
	[GATEWAY_UNPROCESSABLE] = { "BadRequest", 422 },
	[GATEWAY_UNSUPPORTED_MEDIA] = { "BadRequest", 415 },
	[GATEWAY_CONTEXT_WINDOW] = { "ContextWindowExceeded", 400 },
	[GATEWAY_CONTENT_POLICY] = { "ContentPolicy", 400 },
	[GATEWAY_SERIALIZATION] = { "Serialization", 400 },
	[GATEWAY_RATE_LIMITED] = { "RateLimited", 429 },
	[GATEWAY_BUDGET_EXCEEDED] = { "BudgetExceeded", 429 },
	[GATEWAY_TIMEOUT] = { "Timeout", 504 },
	[GATEWAY_SERVICE_UNAVAILABLE] = { "ServiceUnavailable", 503 },
	[GATEWAY_SERVER_ERROR] = { "ServerError", 500 },
	[GATEWAY_NETWORK] = { "Network", 502 },
	[GATEWAY_OUTBOUND_FORBIDDEN] = { "OutboundForbidden", 502 },
	[GATEWAY_ENDPOINT_NOT_SUPPORTED] = { "EndpointNotSupported", 501 },
	[GATEWAY_STREAMING] = { "Streaming", 500 },
	[GATEWAY_INTERNAL] = { "InternalError", 500 },
};

const char *gateway_kind_name(gateway_kind k)
{
	return (unsigned)k < GATEWAY_KIND__COUNT ? kinds[k].name : "InternalError";
}

int gateway_kind_status(gateway_kind k)
{
	return (unsigned)k < GATEWAY_KIND__COUNT ? kinds[k].status : 500;
}

int gateway_fail(gateway_error *e, gateway_kind k, const char *fmt, ...)
{
	va_list ap;
	e->kind = k;
	e->retry_after = -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

#define GATEWAY_MSG_CHARS 200

int gateway_error_json(buf *b, gateway_kind k, const char *msg, size_t n)
{
	char clean[GATEWAY_MSG_CHARS * 4 + 1];
	size_t o = 0, chars = 0, i = 0;
	while (i < n && chars < GATEWAY_MSG_CHARS) {
		unsigned char c = (unsigned char)msg[i];
		if (c < 0x80) {
			if ((c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n') {
				clean[o++] = (char)c;
				chars++;
			}
			i++;
			continue;
		}
		int l = json_utf8_seq((const unsigned char *)msg + i, n - i);
		if (l < 0) { /* invalid: drop the maximal subpart */
			i += (size_t)-l;
			continue;
		}
		memcpy(clean + o, msg + i, (size_t)l);
		o += (size_t)l;
		i += (size_t)l;
		chars++;
	}
	json_writer w;
	json_write_init(&w, b, 0);
	json_write_obj_begin(&w);
	json_write_key(&w, "error");
	json_write_obj_begin(&w);
	json_write_kv_strn(&w, "message", clean, o);
	json_write_kv_str(&w, "type", gateway_kind_name(k));
	json_write_kv_null(&w, "param");
	json_write_kv_null(&w, "code");
	json_write_obj_end(&w);
	json_write_obj_end(&w);
	return json_write_finish(&w);
}

static bool contains(str hay, const char *needle)
{
	return str_find(hay, str_from(needle)) >= 0;
}

void gateway_map_upstream(int status, str body, gateway_error *e)
{
	/* detail: error.message when the body is {"error":{"message":...}} */
	str detail = body, code = STR_NULL;
	json_tok toks[256];
	json_doc d;
	char dec[GATEWAY_MSG_MAX];
	if (body.n && json_parse(&d, body.p, body.n, toks, sizeof toks / sizeof toks[0], NULL, NULL) > 0) {
		int m = json_path(&d, 0, "error.message");
		if (m >= 0 && json_typeof(&d, m) == JSON_STRING) {
			int l = json_str_copy(&d, m, dec, sizeof dec);
			if (l >= 0)
				detail = str_make(dec, (size_t)l);
			else
				json_str_raw(&d, m, &detail);
		}
		int c = json_path(&d, 0, "error.code");
		if (c >= 0 && json_typeof(&d, c) == JSON_STRING)
			json_str_raw(&d, c, &code);
	}
	gateway_kind k;
	const char *prefix;
	switch (status) {
	case 401: case 403: k = GATEWAY_AUTHENTICATION; prefix = "authentication failed: "; break;
	case 429: k = GATEWAY_RATE_LIMITED; prefix = "rate limited: "; break;
	case 404: k = GATEWAY_NOT_FOUND; prefix = "not found: "; break;
	case 408: k = GATEWAY_TIMEOUT; prefix = "request timeout"; break;
	case 500: k = GATEWAY_SERVER_ERROR; prefix = "server error: "; break;
	case 502: case 503: case 504: k = GATEWAY_SERVICE_UNAVAILABLE; prefix = "service unavailable: "; break;
	default:
		if (status >= 400 && status < 500) {
			k = GATEWAY_BAD_REQUEST;
			prefix = "bad request: ";
			if (status == 400 || status == 422) {
				if (str_eq_cstr(code, "context_length_exceeded") || contains(detail, "context_length_exceeded") ||
				    contains(detail, "context window") || contains(detail, "maximum context length")) {
					k = GATEWAY_CONTEXT_WINDOW;
					prefix = "context window exceeded: ";
				} else if (str_eq_cstr(code, "content_policy_violation") || str_eq_cstr(code, "content_filter") ||
					   contains(detail, "content_policy") || contains(detail, "content_filter")) {
					k = GATEWAY_CONTENT_POLICY;
					prefix = "content policy violation: ";
				}
			}
		} else {
			k = GATEWAY_SERVER_ERROR;
			prefix = "server error: ";
		}
		break;
	}
	if (k == GATEWAY_TIMEOUT)
		gateway_fail(e, k, "%s", prefix);
	else
		gateway_fail(e, k, "%s" STR_FMT, prefix, (int)(detail.n > 400 ? 400 : detail.n), detail.p ? detail.p : "");
}

void gateway_map_transport(int code, const char *reason, gateway_error *e)
{
	if (!reason || !*reason)
		reason = http_client_err_name(code);
	if (code == HTTP_CLIENT_E_FORBIDDEN)
		gateway_fail(e, GATEWAY_OUTBOUND_FORBIDDEN, "%s", reason);
	else if (code == HTTP_CLIENT_E_NOMEM || code == HTTP_CLIENT_E_INVAL)
		gateway_fail(e, GATEWAY_INTERNAL, "internal error: %s", reason);
	else
		gateway_fail(e, GATEWAY_NETWORK, "%s", reason);
}
