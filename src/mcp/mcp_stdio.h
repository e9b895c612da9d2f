/* mcp_stdio.h — the MCP stdio transport (layer L6): newline-delimited
 * JSON-RPC on two fds (stdin/stdout) driven by one event loop. Reads and
 * writes are non-blocking, so several tool calls are in flight at once and a
 * slow call never blocks ping. A line longer than max_message_bytes is
 * dropped and answered through mcp_core_recv_oversize; the server goes on.
 * The transport is the only writer of out_fd.
 *
 * Ends (mcp_stdio_run returns 0) on end of input (after the last line was
 * handled; calls still in flight are cancelled, pending output flushed), on
 * SIGTERM/SIGINT (when handle_signals), or when out_fd is gone (EPIPE). */
#ifndef MCP_MCP_STDIO_H
#define MCP_MCP_STDIO_H
#include <stdbool.h>
#include <stddef.h>
#include "mcp/mcp.h"
#include "net/loop.h"

typedef struct mcp_stdio_config {
	loop *loop;                 /* borrowed; runs on the calling thread */
	int in_fd;                  /* 0 */
	int out_fd;                 /* 1 */
	bool handle_signals;        /* SIGTERM/SIGINT end the server (signalfd; blocked in this thread) */
	mcp_opts core;              /* the core's options; .transport is filled in by the transport */
} mcp_stdio_config;

/* Create the core (mcp_core_new with this transport), run the loop until the
 * end (see above), free the core (cancelling calls in flight), flush. Restores
 * the fds' blocking mode. 0 on a clean end; a negative err_t when the core
 * or the loop could not be set up (message in err). */
int mcp_stdio_run(const mcp_stdio_config *sc, char *err, size_t errlen);

/* ---- line framing (pure: no I/O, no clock; driven by mcp_stdio_run and by
 * tests/fuzz/fuzz_mcp_stdio.c) -------------------------------------------------
 *
 * Splits the input bytes into messages: one per line ending in LF, a CR
 * right before the LF is dropped, blank lines (spaces, tabs, CRs only) are
 * skipped, a last line without LF counts at the end of input. A message
 * longer than max bytes (the CR not counted) is never buffered whole: as
 * soon as more than max bytes of it are in (a CR at the very end aside), the
 * rest is dropped up to the next LF, only its first MCP_STDIO_HEAD_KEEP
 * bytes are kept (to find the request id), and it is reported once, as
 * MCP_STDIO_OVERSIZE; the messages after it are delivered as usual. Memory:
 * never more than max + 1 + MCP_STDIO_READ_CHUNK bytes buffered.
 *
 * Use: loop { mcp_stdio_frame_room(); read() into it; mcp_stdio_frame_wrote()
 * (or mcp_stdio_frame_eof() on end of input); mcp_stdio_frame_next() until
 * MCP_STDIO_NEED (or MCP_STDIO_END) }. */
#define MCP_STDIO_READ_CHUNK (64u << 10)   /* bytes offered per read */
#define MCP_STDIO_HEAD_KEEP  4096u         /* start of an oversize line kept for its id */

typedef struct mcp_stdio_frame {
	size_t max;               /* message cap (clamped to SIZE_MAX / 4) */
	char *in;                 /* buffered bytes: [off, len) not yet delivered */
	size_t len, cap, off;
	size_t scan;              /* [off, scan) holds no LF */
	bool discarding;          /* inside an oversize line whose start was dropped */
	bool disc_cr;             /* ... and the last byte dropped was a CR */
	bool eof;                 /* mcp_stdio_frame_eof was called */
	size_t disc_total;        /* bytes of it dropped so far */
	size_t head_n;            /* its first bytes, kept */
	char head[MCP_STDIO_HEAD_KEEP];
} mcp_stdio_frame;

typedef enum mcp_stdio_ev {
	MCP_STDIO_NEED = 0,   /* no complete message buffered: read more */
	MCP_STDIO_LINE,       /* p[0..n): one message (no LF, no final CR, not blank) */
	MCP_STDIO_OVERSIZE,   /* a message over max was dropped: total is its size,
	                         p[0..n) its first min(total, MCP_STDIO_HEAD_KEEP) bytes */
	MCP_STDIO_END         /* after mcp_stdio_frame_eof: everything was delivered */
} mcp_stdio_ev;

typedef struct mcp_stdio_msg {
	const char *p;        /* valid until the next mcp_stdio_frame_* call */
	size_t n;
	size_t total;         /* MCP_STDIO_OVERSIZE: the message's size in bytes */
} mcp_stdio_msg;

/* An empty framer for messages of at most max bytes (0 = LIMIT_MCP_MESSAGE_BYTES).
 * Allocates nothing yet. */
void mcp_stdio_frame_init(mcp_stdio_frame *f, size_t max);
/* Release the buffer; f is then an empty framer again. NULL-safe. */
void mcp_stdio_frame_free(mcp_stdio_frame *f);
/* Where the next read goes: *p, up to *n (== MCP_STDIO_READ_CHUNK) bytes.
 * Only after mcp_stdio_frame_next() returned MCP_STDIO_NEED (or before the
 * first bytes). 0, ERR_STATE (messages still buffered, or after eof) or
 * ERR_NOMEM. */
int mcp_stdio_frame_room(mcp_stdio_frame *f, char **p, size_t *n);
/* n bytes (n <= what room offered) were written at the room's pointer. */
void mcp_stdio_frame_wrote(mcp_stdio_frame *f, size_t n);
/* End of input: what is buffered is delivered as the last message. */
void mcp_stdio_frame_eof(mcp_stdio_frame *f);
/* The next event, in input order; each message is delivered exactly once. */
mcp_stdio_ev mcp_stdio_frame_next(mcp_stdio_frame *f, mcp_stdio_msg *m);

#endif
