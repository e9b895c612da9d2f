/* mcp_stdio.c — newline-delimited JSON-RPC over stdin/stdout on an event
 * loop: lines go to the core as they complete, answers are queued and
 * written in the before-sleep hook (coalesced, non-blocking), an over-long
 * line is skipped to its newline and answered "message too large". */
#include "mcp/mcp_stdio.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define STDIO_READ_CHUNK   (64u << 10)
#define STDIO_HEAD_KEEP    4096u          /* start of an oversize line kept for its id */
#define STDIO_OUT_HIGH     (8u << 20)     /* stop reading input while this much output waits */

typedef struct mcp_stdio {
	const mcp_stdio_config *sc;
	loop *l;
	mcp_core *core;
	size_t max;                   /* max message bytes */
	char *in;                     /* pending partial line */
	size_t in_len, in_cap;
	bool discarding;              /* inside an oversize line */
	size_t disc_total;
	char head[STDIO_HEAD_KEEP];
	size_t head_n;
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

/* ---- input --------------------------------------------------------------------------- */

static void handle_line(mcp_stdio *s, char *p, size_t n)
{
	if (n && p[n - 1] == '\r')
		n--;
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
		i++;
	if (i == n)
		return;   /* blank line */
	mcp_core_recv(s->core, p, n, NULL);
}

static void oversize_done(mcp_stdio *s)
{
	log_warn("mcp stdio: message of %zu bytes exceeds max_message_bytes (%zu): refused", s->disc_total, s->max);
	mcp_core_recv_oversize(s->core, s->head, s->head_n, s->disc_total, NULL);
	s->discarding = false;
	s->disc_total = 0;
	s->head_n = 0;
}

/* Complete lines in s->in: hand them over, keep the rest. */
static void process(mcp_stdio *s)
{
	size_t start = 0;
	for (;;) {
		char *nl = s->in_len > start ? memchr(s->in + start, '\n', s->in_len - start) : NULL;
		if (!nl)
			break;
		size_t end = (size_t)(nl - s->in);
		if (s->discarding) {
			s->disc_total += end - start;
			oversize_done(s);
		} else if (end - start > s->max) {
			s->head_n = end - start < STDIO_HEAD_KEEP ? end - start : STDIO_HEAD_KEEP;
			memcpy(s->head, s->in + start, s->head_n);
			s->disc_total = end - start;
			oversize_done(s);
		} else
			handle_line(s, s->in + start, end - start);
		start = end + 1;
		if (s->stop)
			break;
	}
	if (start) {
		memmove(s->in, s->in + start, s->in_len - start);
		s->in_len -= start;
	}
	if (s->discarding) {
		s->disc_total += s->in_len;
		s->in_len = 0;
	} else if (s->in_len > s->max) {
		s->discarding = true;
		s->head_n = s->in_len < STDIO_HEAD_KEEP ? s->in_len : STDIO_HEAD_KEEP;
		memcpy(s->head, s->in, s->head_n);
		s->disc_total = s->in_len;
		s->in_len = 0;
	}
}

static void end_of_input(mcp_stdio *s)
{
	s->eof = true;
	if (s->discarding)
		oversize_done(s);
	else if (s->in_len) {
		if (s->in_len > s->max) {
			s->head_n = s->in_len < STDIO_HEAD_KEEP ? s->in_len : STDIO_HEAD_KEEP;
			memcpy(s->head, s->in, s->head_n);
			s->disc_total = s->in_len;
			oversize_done(s);
		} else
			handle_line(s, s->in, s->in_len);
	}
	s->in_len = 0;
	s->stop = true;
	loop_stop(s->l);
}

/* Read what is there (one chunk per call keeps the loop fair). */
static void read_some(mcp_stdio *s)
{
	if (s->eof || s->stop)
		return;
	size_t want = STDIO_READ_CHUNK;
	if (s->in_cap - s->in_len < want) {
		size_t ncap = s->in_cap ? s->in_cap : STDIO_READ_CHUNK;
		while (ncap - s->in_len < want)
			ncap *= 2;
		char *p = realloc(s->in, ncap);
		if (!p) {
			log_error("mcp stdio: out of memory reading input");
			s->stop = true;
			loop_stop(s->l);
			return;
		}
		s->in = p;
		s->in_cap = ncap;
	}
	ssize_t r = read(s->sc->in_fd, s->in + s->in_len, want);
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
	s->in_len += (size_t)r;
	process(s);
	/* keep memory bounded while a long line is being skipped */
	if (s->in_cap > 4 * STDIO_READ_CHUNK && s->in_len < STDIO_READ_CHUNK && s->discarding) {
		char *p = realloc(s->in, STDIO_READ_CHUNK);
		if (p) {
			s->in = p;
			s->in_cap = STDIO_READ_CHUNK;
		}
	}
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
	free(s->in);
	return rc;
}
