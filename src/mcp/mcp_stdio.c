/* mcp_stdio.c — newline-delimited JSON-RPC over stdin/stdout on an event
 * loop: lines go to the core as they complete, answers are queued and
 * written in the before-sleep hook (coalesced, non-blocking), an over-long
 * line is skipped to its newline and answered "message too large". The line
 * framing is a pure struct (mcp_stdio_frame_*, fuzzed by fuzz_mcp_stdio). */
#include "mcp/mcp_stdio.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define STDIO_OUT_HIGH     (8u << 20)     /* stop reading input while this much output waits */

typedef struct mcp_stdio {
	const mcp_stdio_config *sc;
	loop *l;
	mcp_core *core;
	size_t max;                   /* max message bytes */
	mcp_stdio_frame fr;           /* input line framing */
	bool eof, stop, out_gone;
	bool in_polled;               /* in_fd cannot be watched (regular file): read on a timer */
	bool in_registered, out_registered, reading;
	loop_timer in_timer;
	buf out;
	int sfd;
	int in_flags, out_flags;
} mcp_stdio;

/* ---- output ------------------------------------------------------------------------ */

static void out_flush(mcp_stdio *s);

static void on_out(loop *l, int fd, int ev, void *ud)
{
	(void)l;
	(void)fd;
	(void)ev;
	out_flush(ud);
}

static void update_read(mcp_stdio *s);

static void out_flush(mcp_stdio *s)
{
	while (s->out.len && !s->out_gone) {
		ssize_t w = write(s->sc->out_fd, s->out.data, s->out.len);
		if (w > 0) {
			buf_consume(&s->out, (size_t)w);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			if (!s->out_registered) {
				if (loop_fd_add(s->l, s->sc->out_fd, LOOP_WRITE, on_out, s) == 0)
					s->out_registered = true;
			} else
				loop_fd_mod(s->l, s->sc->out_fd, LOOP_WRITE);
			update_read(s);
			return;
		}
		/* EPIPE or another error: the client is gone */
		s->out_gone = true;
		s->stop = true;
		buf_reset(&s->out);
		loop_stop(s->l);
	}
	if (s->out_registered)
		loop_fd_mod(s->l, s->sc->out_fd, 0);
	update_read(s);
}

static void before_sleep(loop *l, void *ud)
{
	(void)l;
	mcp_stdio *s = ud;
	if (s->out.len)
		out_flush(s);
}

static void t_send(void *ud, void *origin, const char *msg, size_t n)
{
	(void)origin;
	mcp_stdio *s = ud;
	if (s->out_gone)
		return;
	if (buf_reserve(&s->out, n + 1) < 0) {
		log_error("mcp stdio: output buffer full, message of %zu bytes dropped", n);
		return;
	}
	buf_append(&s->out, msg, n);
	buf_putc(&s->out, '\n');
}

/* ---- line framing ------------------------------------------------------------------ */

void mcp_stdio_frame_init(mcp_stdio_frame *f, size_t max)
{
	memset(f, 0, offsetof(mcp_stdio_frame, head));
	if (!max)
		max = LIMIT_MCP_MESSAGE_BYTES;
	f->max = max < SIZE_MAX / 4 ? max : SIZE_MAX / 4;
}

void mcp_stdio_frame_free(mcp_stdio_frame *f)
{
	if (!f)
		return;
	free(f->in);
	mcp_stdio_frame_init(f, f->max);
}

int mcp_stdio_frame_room(mcp_stdio_frame *f, char **p, size_t *n)
{
	*p = NULL;
	*n = 0;
	if (f->eof || f->off || f->scan != f->len)
		return ERR_STATE;
	/* a long line is being skipped: give back what reading it took */
	if (f->discarding && f->cap > 4 * MCP_STDIO_READ_CHUNK) {
		char *q = realloc(f->in, MCP_STDIO_READ_CHUNK);
		if (q) {
			f->in = q;
			f->cap = MCP_STDIO_READ_CHUNK;
		}
	}
	if (f->cap - f->len < MCP_STDIO_READ_CHUNK) {
		size_t ncap = f->cap ? f->cap : MCP_STDIO_READ_CHUNK;
		while (ncap - f->len < MCP_STDIO_READ_CHUNK)
			ncap *= 2;
		char *q = realloc(f->in, ncap);
		if (!q)
			return ERR_NOMEM;
		f->in = q;
		f->cap = ncap;
	}
	*p = f->in + f->len;
	*n = MCP_STDIO_READ_CHUNK;
	return 0;
}

void mcp_stdio_frame_wrote(mcp_stdio_frame *f, size_t n)
{
	if (n > f->cap - f->len)
		n = f->cap - f->len;
	f->len += n;
}

void mcp_stdio_frame_eof(mcp_stdio_frame *f)
{
	f->eof = true;
}

static bool frame_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* The line p[0..n) (LF removed) is complete: classify it. */
static mcp_stdio_ev frame_line(const mcp_stdio_frame *f, const char *p, size_t n, mcp_stdio_msg *m)
{
	if (n && p[n - 1] == '\r')
		n--;
	if (n > f->max) {
		m->p = p;
		m->n = n < MCP_STDIO_HEAD_KEEP ? n : MCP_STDIO_HEAD_KEEP;
		m->total = n;
		return MCP_STDIO_OVERSIZE;
	}
	if (frame_blank(p, n))
		return MCP_STDIO_NEED;   /* skipped */
	m->p = p;
	m->n = n;
	m->total = n;
	return MCP_STDIO_LINE;
}

/* Bytes of the oversize line being skipped: keep its start, count them. */
static void frame_disc_add(mcp_stdio_frame *f, const char *p, size_t n)
{
	size_t k = MCP_STDIO_HEAD_KEEP - f->head_n;
	if (k > n)
		k = n;
	if (k) {
		memcpy(f->head + f->head_n, p, k);
		f->head_n += k;
	}
	f->disc_total += n;
	if (n)
		f->disc_cr = p[n - 1] == '\r';
}

/* The end of the oversize line being skipped: its last n bytes are p[0..n). */
static mcp_stdio_ev frame_disc_end(mcp_stdio_frame *f, const char *p, size_t n, mcp_stdio_msg *m)
{
	frame_disc_add(f, p, n);
	size_t total = f->disc_total - (f->disc_cr ? 1 : 0);
	f->discarding = false;
	m->p = f->head;
	m->n = f->head_n < total ? f->head_n : total;
	m->total = total;
	f->disc_total = f->head_n = 0;
	f->disc_cr = false;
	return MCP_STDIO_OVERSIZE;
}

mcp_stdio_ev mcp_stdio_frame_next(mcp_stdio_frame *f, mcp_stdio_msg *m)
{
	*m = (mcp_stdio_msg){ "", 0, 0 };
	for (;;) {
		if (f->off == f->len)
			f->off = f->len = f->scan = 0;
		char *nl = f->scan < f->len ? memchr(f->in + f->scan, '\n', f->len - f->scan) : NULL;
		if (nl) {
			size_t end = (size_t)(nl - f->in);
			char *p = f->in + f->off;
			size_t n = end - f->off;
			f->off = f->scan = end + 1;
			if (f->discarding)
				return frame_disc_end(f, p, n, m);
			mcp_stdio_ev ev = frame_line(f, p, n, m);
			if (ev != MCP_STDIO_NEED)
				return ev;
			continue;   /* a blank line */
		}
		f->scan = f->len;
		/* no LF: [off, len) starts a line; keep it compact and bounded */
		size_t part = f->len - f->off;
		if (f->discarding || part > f->max + 1 || (part == f->max + 1 && f->in[f->len - 1] != '\r')) {
			/* too long whatever follows: drop it (keeping its start) */
			if (!f->discarding) {
				f->discarding = true;
				f->disc_total = f->head_n = 0;
			}
			if (part)
				frame_disc_add(f, f->in + f->off, part);
			f->off = f->len = f->scan = 0;
		} else if (f->off) {
			memmove(f->in, f->in + f->off, part);
			f->len = f->scan = part;
			f->off = 0;
		}
		if (!f->eof)
			return MCP_STDIO_NEED;
		if (f->discarding)
			return frame_disc_end(f, NULL, 0, m);
		if (f->len) {   /* the last line, without LF */
			char *p = f->in;
			size_t n = f->len;
			f->off = f->scan = f->len;
			mcp_stdio_ev ev = frame_line(f, p, n, m);
			if (ev != MCP_STDIO_NEED)
				return ev;
			continue;
		}
		return MCP_STDIO_END;
	}
}

/* ---- input --------------------------------------------------------------------------- */

/* Hand the complete messages to the core. */
static void process(mcp_stdio *s)
{
	mcp_stdio_msg m;
	while (!s->stop) {
		mcp_stdio_ev ev = mcp_stdio_frame_next(&s->fr, &m);
		if (ev == MCP_STDIO_LINE) {
			mcp_core_recv(s->core, m.p, m.n, NULL);
		} else if (ev == MCP_STDIO_OVERSIZE) {
			log_warn("mcp stdio: message of %zu bytes exceeds max_message_bytes (%zu): refused", m.total, s->max);
			mcp_core_recv_oversize(s->core, m.p, m.n, m.total, NULL);
		} else {
			break;
		}
	}
}

static void end_of_input(mcp_stdio *s)
{
	s->eof = true;
	mcp_stdio_frame_eof(&s->fr);
	process(s);
	s->stop = true;
	loop_stop(s->l);
}

/* Read what is there (one chunk per call keeps the loop fair). */
static void read_some(mcp_stdio *s)
{
	if (s->eof || s->stop)
		return;
	char *p;
	size_t want;
	if (mcp_stdio_frame_room(&s->fr, &p, &want) != 0) {
		log_error("mcp stdio: out of memory reading input");
		s->stop = true;
		loop_stop(s->l);
		return;
	}
	ssize_t r = read(s->sc->in_fd, p, want);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		log_error("mcp stdio: read error on stdin: %s", strerror(errno));
		end_of_input(s);
		return;
	}
	if (r == 0) {
		end_of_input(s);
		return;
	}
	mcp_stdio_frame_wrote(&s->fr, (size_t)r);
	process(s);
}

static void on_in(loop *l, int fd, int ev, void *ud)
{
	(void)l;
	(void)fd;
	(void)ev;
	read_some(ud);
}

static void on_in_timer(loop *l, void *ud)
{
	mcp_stdio *s = ud;
	read_some(s);
	if (!s->eof && !s->stop && s->reading)
		loop_timer_start(l, &s->in_timer, 0);
}

/* Read input unless too much output is waiting (backpressure). */
static void update_read(mcp_stdio *s)
{
	bool want = !s->eof && !s->stop && s->out.len < STDIO_OUT_HIGH;
	if (want == s->reading)
		return;
	s->reading = want;
	if (s->in_polled) {
		if (want)
			loop_timer_start(s->l, &s->in_timer, 0);
		else
			loop_timer_stop(s->l, &s->in_timer);
	} else if (s->in_registered)
		loop_fd_mod(s->l, s->sc->in_fd, want ? LOOP_READ : 0);
}

static void on_signal(loop *l, int fd, int ev, void *ud)
{
	(void)ev;
	mcp_stdio *s = ud;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		log_info("mcp stdio: signal %u received: shutting down", si.ssi_signo);
	s->stop = true;
	loop_stop(l);
}

/* ---- run ------------------------------------------------------------------------------- */

static int set_nonblock(int fd, int *saved)
{
	int fl = fcntl(fd, F_GETFL);
	*saved = fl;
	if (fl < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return 0;   /* regular files never block */
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void write_all_blocking(mcp_stdio *s)
{
	if (s->out_gone || !s->out.len)
		return;
	if (s->out_flags >= 0)
		fcntl(s->sc->out_fd, F_SETFL, s->out_flags & ~O_NONBLOCK);
	while (s->out.len) {
		ssize_t w = write(s->sc->out_fd, s->out.data, s->out.len);
		if (w > 0)
			buf_consume(&s->out, (size_t)w);
		else if (w < 0 && errno == EINTR)
			continue;
		else
			break;
	}
}

int mcp_stdio_run(const mcp_stdio_config *sc, char *err, size_t errlen)
{
	mcp_stdio st = { 0 };
	mcp_stdio *s = &st;
	int rc = 0;
	s->sc = sc;
	s->l = sc->loop;
	s->sfd = -1;
	s->in_flags = s->out_flags = -1;
	s->max = sc->core.max_message_bytes ? sc->core.max_message_bytes : LIMIT_MCP_MESSAGE_BYTES;
	mcp_stdio_frame_init(&s->fr, s->max);
	buf_init(&s->out, MCP_MAX_OUTPUT_DEFAULT + (64u << 20));
	loop_timer_init(&s->in_timer, on_in_timer, s);
	signal(SIGPIPE, SIG_IGN);

	mcp_opts o = sc->core;
	o.transport = (mcp_transport){ t_send, NULL, s };
	if ((rc = mcp_core_new(&s->core, &o)) < 0) {
		snprintf(err, errlen, "cannot create the MCP core: %s", err_str(rc));
		goto out;
	}
	if (sc->handle_signals) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGHUP);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		s->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
		if (s->sfd < 0 || loop_fd_add(s->l, s->sfd, LOOP_READ, on_signal, s) < 0) {
			snprintf(err, errlen, "cannot watch signals: %s", strerror(errno));
			rc = ERR_IO;
			goto out;
		}
	}
	set_nonblock(sc->in_fd, &s->in_flags);
	set_nonblock(sc->out_fd, &s->out_flags);
	if (loop_fd_add(s->l, sc->in_fd, LOOP_READ, on_in, s) == 0) {
		s->in_registered = true;
		s->reading = true;
	} else {
		/* a regular file or /dev/null: epoll refuses it, and it never blocks */
		s->in_polled = true;
		s->reading = true;
		loop_timer_start(s->l, &s->in_timer, 0);
	}
	loop_set_before_sleep(s->l, before_sleep, s);
	while (!s->stop) {
		int r = loop_run(s->l);
		if (r < 0) {
			log_error("mcp stdio: event loop failed: %s", err_str(r));
			break;
		}
	}
	rc = 0;
out:
	/* cancel what is in flight (no output for it), then say what was said */
	mcp_core_free(s->core);
	s->core = NULL;
	loop_set_before_sleep(s->l, NULL, NULL);
	loop_timer_stop(s->l, &s->in_timer);
	if (s->in_registered)
		loop_fd_del(s->l, sc->in_fd);
	if (s->out_registered)
		loop_fd_del(s->l, sc->out_fd);
	write_all_blocking(s);
	if (s->in_flags >= 0)
		fcntl(sc->in_fd, F_SETFL, s->in_flags);
	if (s->out_flags >= 0)
		fcntl(sc->out_fd, F_SETFL, s->out_flags);
	if (s->sfd >= 0) {
		loop_fd_del(s->l, s->sfd);
		close(s->sfd);
	}
	buf_free(&s->out);
	mcp_stdio_frame_free(&s->fr);
	return rc;
}
