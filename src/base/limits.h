/* limits.h — every default size and time cap, in one place.
 * Each can be raised from config where the config names it; call sites choose
 * the cap they pass down, these are the defaults. */
#ifndef BASE_LIMITS_H
#define BASE_LIMITS_H

/* JSON */
#define LIMIT_JSON_DEPTH            128        /* max nesting of arrays/objects */
#define LIMIT_JSON_TOKENS           (1u << 20) /* max jsmn tokens per document */
/* TOML / config */
#define LIMIT_TOML_DEPTH            64         /* max nesting of arrays/inline tables */
#define LIMIT_CONFIG_BYTES          (4u << 20) /* max config file size after ${VAR} */
/* HTTP server */
#define LIMIT_HTTP_HEADER_BYTES     (16u << 10)/* request line + headers -> 431 */
#define LIMIT_HTTP_HEADERS          100        /* header count -> 431 */
#define LIMIT_HTTP_URI_BYTES        8192       /* request-target -> 414 */
#define LIMIT_HTTP_CHUNK_LINE_BYTES 4096       /* chunk-size line incl. extensions -> 400 */
#define LIMIT_HTTP_BODY_BYTES       (10u << 20)/* [server].body_limit_bytes default -> 413 */
#define LIMIT_HTTP_HEADER_TIMEOUT_MS 10000     /* slowloris: headers must arrive in this -> 408 */
#define LIMIT_HTTP_IDLE_TIMEOUT_MS  75000      /* idle keep-alive connection */
#define LIMIT_HTTP_MAX_CONNS        16384      /* per worker */
#define LIMIT_HTTP_CONN_BUF         (16u << 10)/* per-connection read buffer */
/* HTTP client */
#define LIMIT_UPSTREAM_HEADER_BYTES (64u << 10)
#define LIMIT_UPSTREAM_BODY_BYTES   (64u << 20)/* buffered (non-streaming) upstream body */
#define LIMIT_CONNECT_TIMEOUT_MS    10000
#define LIMIT_POOL_IDLE_MS          60000
#define LIMIT_POOL_PER_ORIGIN       64
/* multipart/form-data (http/multipart) */
#define LIMIT_MULTIPART_PARTS       256        /* parts per body -> 400 */
#define LIMIT_MULTIPART_HEADER_BYTES 8192      /* one part's header block -> 400 */
#define LIMIT_MULTIPART_HEADERS     16         /* header lines per part -> 400 */
/* Local files store ([files] mode = "local") */
#define LIMIT_FILES_MEMORY_BYTES    (256u << 20)/* memory backend: all files together -> 503 */
#define LIMIT_FILES_NAME_BYTES      1024       /* an uploaded file's filename -> 400 */
/* SSE */
#define LIMIT_SSE_EVENT_BYTES       (1u << 20)
/* Server request wall clock ([server].request_timeout_secs) */
#define LIMIT_REQUEST_TIMEOUT_S     600
#define LIMIT_UPSTREAM_TIMEOUT_S    120        /* [general].default_timeout_secs */
/* MCP */
#define LIMIT_MCP_MESSAGE_BYTES     (16u << 20)/* [mcp].max_message_bytes default */
#define LIMIT_MCP_SESSION_IDLE_S    3600
/* Shutdown */
#define LIMIT_DRAIN_S               30
/* DNS cache */
#define LIMIT_DNS_TTL_S             60
#define LIMIT_DNS_ENTRIES           256
/* Logging */
#define LIMIT_LOG_LINE              4096
#define LIMIT_LOG_SECRETS           1024       /* registered secrets to redact */

#endif
