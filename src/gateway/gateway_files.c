/* gateway_files.c — [files] mode = "local" (gateway_files.h): uploads (JSON +
 * base64 or multipart/form-data) and list queries read here, the store work
 * as jobs (inline for memory, on the store thread for fs, completed on the
 * caller's loop through gateway_upstream.post), FileObject answers, and
 * create_batch from a local file (upload to the provider, then the batch)
 * over gateway_master_proxy. */
#include "gateway/gateway_files.h"
#include "gateway/files_store.h"
#include "gateway/gateway_private.h"
#include "base/b64.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/log.h"
#include "http/multipart.h"
#include "json/json.h"
#include "json/json_write.h"
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LIST_LIMIT_MAX 10000
#define POST_TRIES 50                 /* a failed post (no memory) is retried this often, 2 ms apart */

struct gateway_files {
	files_store *st;
	bool threaded;                /* fs: the store thread runs the jobs */
	bool th_started;
	pthread_t th;
	pthread_mutex_t mu;           /* the queue and every job's state */
	pthread_cond_t cv;
	struct fjob *head, *tail;
	bool stop;
	size_t max_file;              /* [server].body_limit_bytes */
};

/* ---- jobs ------------------------------------------------------------------------------------ */

typedef enum jkind { J_LOAD, J_PUT, J_GET, J_READ, J_DELETE, J_LIST } jkind;
/* Where a job is: QUEUED/RUNNING (the runner owns it; a cancel sets
 * `cancelled` and the runner frees it), POSTED (its completion is queued on
 * the loop; a cancel sets `dropped` and the completion frees it), UNPOSTED
 * (the post failed: nobody holds it but the operation; a cancel frees it). */
typedef enum jstate { JS_QUEUED = 0, JS_RUNNING, JS_POSTED, JS_UNPOSTED } jstate;

struct fop;

typedef struct fjob {
	struct fjob *next;
	gateway_files *f;
	struct fop *op;
	gateway_upstream up;          /* its post */
	jkind kind;
	jstate state;                 /* under f->mu */
	bool cancelled, dropped;      /* under f->mu */
	/* in */
	char id[FILES_ID_LEN + 1];    /* "" when the client's id is not well-formed (not found) */
	char purpose[FILES_PURPOSE_MAX + 1];
	buf name;                     /* put: the filename */
	buf data;                     /* put: the bytes (the job's own copy) */
	int64_t now_s;
	uint64_t now_ns;
	/* out */
	int rc;
	files_err e;
	files_meta meta;
	buf out;                      /* read: the bytes */
	files_meta *list;
	size_t nlist;
} fjob;

static void job_free(fjob *j)
{
	if (!j)
		return;
	buf_free(&j->name);
	buf_free(&j->data);
	buf_free(&j->out);
	files_meta_clear(&j->meta);
	files_list_free(j->list, j->nlist);
	free(j);
}

static void job_run(fjob *j)
{
	files_store *st = j->f->st;
	str id = str_from(j->id);
	switch (j->kind) {
	case J_LOAD: {
		files_load_info li;
		uint64_t t0 = clock_mono_ms();
		j->rc = files_store_load(st, &li);
		if (j->rc < 0)
			log_error("files: cannot read the store directory %s: %s", files_store_dir(st), err_str(j->rc));
		else
			log_info("files: local store at %s: %zu files (loaded in %llu ms%s%s)", files_store_dir(st), li.files,
				 (unsigned long long)(clock_mono_ms() - t0), li.removed ? ", leftovers removed" : "",
				 li.owner ? "" : "; another process owns the directory: no clean-up");
		break;
	}
	case J_PUT:
		j->rc = files_store_put(st, str_from(j->purpose), str_make(j->name.data ? j->name.data : "", j->name.len),
					str_make(j->data.data ? j->data.data : "", j->data.len), j->now_s, j->now_ns,
					&j->meta, &j->e);
		buf_free(&j->data);
		break;
	case J_GET:
		j->rc = files_store_get(st, id, &j->meta);
		break;
	case J_READ:
		buf_init(&j->out, 0);
		j->rc = files_store_read(st, id, &j->meta, &j->out, &j->e);
		break;
	case J_DELETE:
		j->rc = files_store_delete(st, id, &j->e);
		break;
	case J_LIST:
		j->rc = files_store_list(st, &j->list, &j->nlist);
		break;
	}
}

static void job_deliver(void *arg);

/* The store thread: jobs in order, the load scan first. */
static void *store_main(void *arg)
{
	gateway_files *f = arg;
	pthread_mutex_lock(&f->mu);
	for (;;) {
		while (!f->head && !f->stop)
			pthread_cond_wait(&f->cv, &f->mu);
		if (f->stop)
			break;
		fjob *j = f->head;
		f->head = j->next;
		if (!f->head)
			f->tail = NULL;
		if (j->cancelled) {
			job_free(j);
			continue;
		}
		j->state = JS_RUNNING;
		pthread_mutex_unlock(&f->mu);
		job_run(j);
		pthread_mutex_lock(&f->mu);
		if (!j->up.post) { /* the load job: nobody waits for it */
			job_free(j);
			continue;
		}
		/* post under the lock: a cancel (on the loop thread, before its
		 * loop can go away) either comes first and we free, or after
		 * and the completion frees; never a post to a freed loop */
		for (int i = 0;; i++) {
			if (j->cancelled) {
				job_free(j);
				break;
			}
			if (j->up.post(j->up.ud, job_deliver, j) == 0) {
				j->state = JS_POSTED;
				break;
			}
			if (i == POST_TRIES) {
				j->state = JS_UNPOSTED;
				log_error("files: cannot complete a store operation on its loop (out of memory)");
				break;
			}
			pthread_mutex_unlock(&f->mu);
			nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
			pthread_mutex_lock(&f->mu);
		}
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

static void job_cancel(fjob *j)
{
	gateway_files *f = j->f;
	bool free_now = false;
	pthread_mutex_lock(&f->mu);
	if (j->state == JS_POSTED)
		j->dropped = true;
	else if (j->state == JS_UNPOSTED)
		free_now = true;
	else
		j->cancelled = true;
	pthread_mutex_unlock(&f->mu);
	if (free_now)
		job_free(j);
}

/* ---- the local operation ---------------------------------------------------------------------- */

/* A flag on the stack of a function that called into the operation: set
 * when the operation answered (its arena may be gone: touch nothing). */
typedef struct watch {
	bool gone;
	struct watch *up;
} watch;

typedef struct fop {
	gateway *g;
	gateway_files *f;
	gateway_upstream up;          /* the surface's: post, and the provider calls */
	gateway_sink sink;            /* the client's */
	gateway_principal p;
	arena *a;
	gateway_mop mop;
	str id;                       /* the file id as the client gave it */
	fjob *job;                    /* store job in flight */
	gateway_call *inner;          /* provider call in flight (create_batch) */
	unsigned inner_gen;
	watch *watch;
	/* list_files */
	str purpose;
	bool has_purpose, asc;
	uint64_t limit;
	str after;
	/* create_batch: the client's body and its input_file_id value [start, end) */
	str body;
	size_t id_start, id_end;
} fop;

static void op_answer(fop *op, int status, const char *ctype, const char *body, size_t n, int retry_after)
{
	for (watch *w = op->watch; w; w = w->up)
		w->gone = true;
	gateway_sink s = op->sink;
	s.respond(s.ud, status, ctype, body ? body : "", n, retry_after);
}

static void answer_error(const gateway_sink *s, const gateway_error *e)
{
	buf b = { 0 };
	b.cap = 4096;
	static const char oom[] = "{\"error\":{\"message\":\"internal error\",\"type\":\"InternalError\","
				  "\"param\":null,\"code\":null}}";
	if (gateway_error_json(&b, e->kind, e->msg, strlen(e->msg)) < 0)
		s->respond(s->ud, 500, "application/json", oom, sizeof oom - 1, -1);
	else
		s->respond(s->ud, gateway_kind_status(e->kind), "application/json", b.data, b.len, e->retry_after);
	buf_free(&b);
}

static void op_fail(fop *op, const gateway_error *e)
{
	for (watch *w = op->watch; w; w = w->up)
		w->gone = true;
	gateway_sink s = op->sink;
	answer_error(&s, e);
}

static void op_failf(fop *op, gateway_kind k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void op_failf(fop *op, gateway_kind k, const char *fmt, ...)
{
	gateway_error e;
	va_list ap;
	e.kind = k;
	e.retry_after = -1;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	op_fail(op, &e);
}

static void op_answer_json(fop *op, buf *b)
{
	op_answer(op, 200, "application/json", b->data, b->len, -1);
}

/* The FileObject of m. */
static void write_file_object(json_writer *w, const files_meta *m)
{
	json_write_obj_begin(w);
	json_write_kv_str(w, "id", m->id);
	json_write_kv_str(w, "object", "file");
	json_write_kv_u64(w, "bytes", m->bytes);
	json_write_kv_i64(w, "created_at", m->created_at);
	json_write_kv_strn(w, "filename", m->filename ? m->filename : "", m->filename_len);
	json_write_kv_str(w, "purpose", m->purpose);
	json_write_kv_str(w, "status", "processed");
	json_write_obj_end(w);
}

/* A store failure as the client sees it. */
static void store_fail(fop *op, const fjob *j)
{
	switch (j->rc) {
	case ERR_NOTFOUND:
		op_failf(op, GATEWAY_NOT_FOUND, "not found: No such File object: " STR_FMT,
			 (int)(op->id.n > 100 ? 100 : op->id.n), op->id.p ? op->id.p : "");
		return;
	case ERR_TOOBIG:
	case ERR_INVAL:
		op_failf(op, GATEWAY_BAD_REQUEST, "bad request: %s", j->e.msg);
		return;
	case ERR_NOMEM:
		op_failf(op, GATEWAY_INTERNAL, "internal error: out of memory");
		return;
	default:
		log_error("files: %s", j->e.msg[0] ? j->e.msg : err_str(j->rc));
		if (j->e.full)
			op_failf(op, GATEWAY_SERVICE_UNAVAILABLE,
				 "service unavailable: the files store is full (%s); nothing was stored",
				 j->e.sys ? strerror(j->e.sys) : "memory cap reached");
		else
			op_failf(op, GATEWAY_INTERNAL, "internal error: files store: %s",
				 j->e.sys ? strerror(j->e.sys) : "I/O error");
		return;
	}
}

static void batch_upload(fop *op, fjob *j);

static void list_answer(fop *op, const fjob *j)
{
	buf b = { 0 };
	buf_init(&b, LIMIT_UPSTREAM_BODY_BYTES);
	json_writer w;
	json_write_init(&w, &b, 0);
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "object", "list");
	json_write_key(&w, "data");
	json_write_arr_begin(&w);
	bool started = !op->after.n, more = false;
	uint64_t taken = 0;
	for (size_t k = 0; k < j->nlist; k++) {
		const files_meta *m = &j->list[op->asc ? j->nlist - 1 - k : k];
		if (op->has_purpose && !str_eq_cstr(op->purpose, m->purpose))
			continue;
		if (!started) {
			started = str_eq_cstr(op->after, m->id);
			continue;
		}
		if (taken == op->limit) {
			more = true;
			break;
		}
		write_file_object(&w, m);
		taken++;
	}
	json_write_arr_end(&w);
	json_write_kv_bool(&w, "has_more", more);
	json_write_obj_end(&w);
	if (json_write_finish(&w) < 0)
		op_failf(op, GATEWAY_INTERNAL, "internal error: file list too large");
	else
		op_answer_json(op, &b);
	buf_free(&b);
}

/* A store job's result, on the loop thread. Frees j. */
static void job_done(fop *op, fjob *j)
{
	if (j->rc < 0) {
		store_fail(op, j);
		job_free(j);
		return;
	}
	buf b = { 0 };
	json_writer w;
	json_write_init(&w, &b, 0);
	switch (op->mop) {
	case GATEWAY_M_CREATE_FILE:
	case GATEWAY_M_RETRIEVE_FILE:
		if (op->mop == GATEWAY_M_CREATE_FILE)
			log_debug("files: stored %s (%llu bytes)", j->meta.id, (unsigned long long)j->meta.bytes);
		write_file_object(&w, &j->meta);
		if (json_write_finish(&w) < 0)
			op_failf(op, GATEWAY_INTERNAL, "internal error: out of memory");
		else
			op_answer_json(op, &b);
		break;
	case GATEWAY_M_DELETE_FILE:
		json_write_obj_begin(&w);
		json_write_kv_str(&w, "id", j->id);
		json_write_kv_str(&w, "object", "file");
		json_write_kv_bool(&w, "deleted", true);
		json_write_obj_end(&w);
		if (json_write_finish(&w) < 0)
			op_failf(op, GATEWAY_INTERNAL, "internal error: out of memory");
		else
			op_answer_json(op, &b);
		break;
	case GATEWAY_M_FILE_CONTENT:
		op_answer(op, 200, "application/octet-stream", j->out.data, j->out.len, -1);
		break;
	case GATEWAY_M_LIST_FILES:
		list_answer(op, j);
		break;
	case GATEWAY_M_CREATE_BATCH:
		batch_upload(op, j);
		break;
	default:
		op_failf(op, GATEWAY_INTERNAL, "internal error: unknown operation");
		break;
	}
	buf_free(&b);
	job_free(j);
}

/* A completion on the loop thread (posted), or inline without a loop. */
static void job_deliver(void *arg)
{
	fjob *j = arg;
	gateway_files *f = j->f;
	pthread_mutex_lock(&f->mu);
	bool dropped = j->dropped;
	pthread_mutex_unlock(&f->mu);
	if (dropped) { /* the call was cancelled meanwhile */
		job_free(j);
		return;
	}
	fop *op = j->op;
	op->job = NULL;
	job_done(op, j);
}

/* Hand j to the store: the fs thread (completion posted to the loop), or
 * run here (memory; fs without a loop) and complete through post when
 * there is one, else at once. */
static void job_submit(fop *op, fjob *j)
{
	gateway_files *f = op->f;
	j->f = f;
	j->op = op;
	j->up = op->up;
	op->job = j;
	if (f->threaded && j->up.post) {
		pthread_mutex_lock(&f->mu);
		if (f->tail)
			f->tail->next = j;
		else
			f->head = j;
		f->tail = j;
		pthread_cond_signal(&f->cv);
		pthread_mutex_unlock(&f->mu);
		return;
	}
	job_run(j);
	if (j->up.post) {
		pthread_mutex_lock(&f->mu);
		int rc = j->up.post(j->up.ud, job_deliver, j);
		j->state = rc == 0 ? JS_POSTED : JS_UNPOSTED;
		pthread_mutex_unlock(&f->mu);
		if (rc == 0)
			return;
	}
	job_deliver(j);
}

static fjob *job_new(fop *op, jkind k)
{
	fjob *j = calloc(1, sizeof *j);
	if (!j) {
		op_failf(op, GATEWAY_INTERNAL, "internal error: out of memory");
		return NULL;
	}
	j->kind = k;
	if (files_store_id_valid(op->id)) {
		memcpy(j->id, op->id.p, FILES_ID_LEN);
		j->id[FILES_ID_LEN] = 0;
	}
	return j;
}

/* ---- create_batch from a local file ------------------------------------------------------------ */

static void cap_respond(void *ud, int status, const char *ctype, const char *body, size_t n, int retry_after);
static void fwd_respond(void *ud, int status, const char *ctype, const char *body, size_t n, int retry_after);

static int no_begin(void *ud, int status, const char *ctype)
{
	(void)ud;
	(void)status;
	(void)ctype;
	return -1;
}

static int no_write(void *ud, const char *p, size_t n)
{
	(void)ud;
	(void)p;
	(void)n;
	return -1;
}

static void no_end(void *ud)
{
	(void)ud;
}

/* A proxied management call on the operation's behalf; its answer comes
 * to respond (with ud = op). */
static void inner_start(fop *op, const gateway_mreq *m,
			void (*respond)(void *, int, const char *, const char *, size_t, int))
{
	gateway_sink sk = { respond, no_begin, no_write, no_end, op };
	watch w = { false, op->watch };
	op->watch = &w;
	unsigned gen = ++op->inner_gen;
	gateway_call *ic = gateway_master_proxy(op->g, &op->up, &op->p, m, op->a, &sk);
	if (w.gone)
		return;
	op->watch = w.up;
	if (ic && op->inner_gen == gen)
		op->inner = ic;
}

/* The local file is read: upload it (multipart, purpose "batch"). */
static void batch_upload(fop *op, fjob *j)
{
	char bnd[GATEWAY_BOUNDARY_SIZE];
	str data = str_make(j->out.data ? j->out.data : "", j->out.len);
	buf form = { 0 }, fname = { 0 };
	buf_init(&form, data.n + 4096 + LIMIT_FILES_NAME_BYTES);
	char *ct = arena_alloc(op->a, 128);
	int rc = ct && gateway_form_boundary(bnd, data) == 0 ? 0 : ERR_IO;
	if (!rc)
		rc = gateway_form_safe_name(&fname, str_make(j->meta.filename ? j->meta.filename : "", j->meta.filename_len));
	if (!rc) {
		multipart_writer w;
		multipart_writer_init(&w, &form, str_from(bnd));
		multipart_write_field(&w, STR_LIT("purpose"), STR_LIT("batch"));
		multipart_write_file(&w, STR_LIT("file"), str_make(fname.data ? fname.data : "", fname.len), STR_NULL, data);
		rc = multipart_write_end(&w);
	}
	if (!rc && multipart_content_type(str_from(bnd), ct, 128) < 0)
		rc = ERR_TOOBIG;
	buf_free(&fname);
	buf_free(&j->out); /* the form holds the bytes now */
	if (rc < 0) {
		buf_free(&form);
		op_failf(op, GATEWAY_INTERNAL, "internal error: cannot build the upload of %s", j->id);
		return;
	}
	log_debug("files: create_batch from %s: uploading it to the provider first", j->id);
	gateway_mreq m = { .op = GATEWAY_M_CREATE_FILE, .id = STR_LIT(""), .query = STR_NULL,
			   .body = str_make(form.data, form.len), .content_type = str_from(ct) };
	inner_start(op, &m, cap_respond);
	buf_free(&form);
}

/* The provider's answer to the upload: its file id goes into the batch. */
static void cap_respond(void *ud, int status, const char *ctype, const char *body, size_t n, int retry_after)
{
	fop *op = ud;
	op->inner = NULL;
	op->inner_gen++;
	if (status < 200 || status >= 300) {
		op_answer(op, status, ctype, body, n, retry_after);
		return;
	}
	json_doc d;
	json_tok toks[256];
	str pid = STR_NULL;
	if (json_parse(&d, body ? body : "", n, toks, sizeof toks / sizeof toks[0], NULL, NULL) > 0) {
		int v = json_get(&d, 0, "id");
		if (v >= 0 && json_typeof(&d, v) == JSON_STRING)
			json_str_dup(&d, v, op->a, &pid);
	}
	if (!pid.n) {
		op_failf(op, GATEWAY_SERIALIZATION, "serialization error: the provider's file object has no `id`");
		return;
	}
	log_debug("files: the provider stored it as " STR_FMT, STR_ARG(pid));
	buf nb = { 0 };
	buf_init(&nb, op->body.n + pid.n * 6 + 64);
	int rc = buf_append(&nb, op->body.p, op->id_start);
	if (!rc)
		rc = json_escape_buf(&nb, pid.p, pid.n, 0);
	if (!rc)
		rc = buf_append(&nb, op->body.p + op->id_end, op->body.n - op->id_end);
	if (rc < 0) {
		buf_free(&nb);
		op_failf(op, GATEWAY_INTERNAL, "internal error: out of memory");
		return;
	}
	gateway_mreq m = { .op = GATEWAY_M_CREATE_BATCH, .id = STR_LIT(""), .query = STR_NULL,
			   .body = str_make(nb.data, nb.len), .content_type = STR_LIT("application/json") };
	inner_start(op, &m, fwd_respond);
	buf_free(&nb);
}

/* The provider's answer to the batch: the client's answer. */
static void fwd_respond(void *ud, int status, const char *ctype, const char *body, size_t n, int retry_after)
{
	fop *op = ud;
	op->inner = NULL;
	op->inner_gen++;
	op_answer(op, status, ctype, body, n, retry_after);
}

/* Is this create_batch for a local input file? Sets op's body and the
 * position of the id's value. false: leave it to the proxied path (which
 * also reports every body error). */
static bool batch_claim(const gateway_mreq *m, arena *a, str *id, size_t *start, size_t *end)
{
	str mt, rest;
	str_cut(m->content_type, ';', &mt, &rest);
	if (!str_eq_nocase(str_trim(mt), STR_LIT("application/json")) || !m->body.n)
		return false;
	json_doc d;
	if (json_parse_arena(&d, a, m->body.p, m->body.n, NULL, NULL) < 0 || json_typeof(&d, 0) != JSON_OBJECT)
		return false;
	int v = json_get(&d, 0, "input_file_id");
	int e = json_get(&d, 0, "endpoint"), w = json_get(&d, 0, "completion_window");
	if (v < 0 || json_typeof(&d, v) != JSON_STRING || e < 0 || json_typeof(&d, e) != JSON_STRING || w < 0 ||
	    json_typeof(&d, w) != JSON_STRING || json_str(&d, v, a, id) < 0 ||
	    !str_starts_with(*id, STR_LIT(FILES_ID_PREFIX)))
		return false;
	str raw = json_raw(&d, v);
	*start = (size_t)(raw.p - m->body.p);
	*end = *start + raw.n;
	return true;
}

/* ---- requests ------------------------------------------------------------------------------------ */

static void begin_upload(fop *op, const gateway_mreq *m)
{
	gateway_upload u;
	gateway_error e;
	if (gateway_upload_read(m, op->a, &u, &e) < 0) {
		buf_free(&u.raw);
		op_fail(op, &e);
		return;
	}
	str filename = u.filename, data = u.data, purpose = u.purpose;
	buf raw = u.raw; /* the JSON form's decoded bytes (data points into them) */
	if (filename.n > LIMIT_FILES_NAME_BYTES) {
		op_failf(op, GATEWAY_BAD_REQUEST, "bad request: filename longer than %u bytes", LIMIT_FILES_NAME_BYTES);
		goto out;
	}
	if (data.n > op->f->max_file) {
		op_failf(op, GATEWAY_BAD_REQUEST, "bad request: file of %zu bytes is over the %zu-byte limit", data.n,
			 op->f->max_file);
		goto out;
	}
	fjob *j = job_new(op, J_PUT);
	if (!j)
		goto out;
	memcpy(j->purpose, purpose.p, purpose.n);
	buf_init(&j->name, LIMIT_FILES_NAME_BYTES + 1);
	buf_init(&j->data, data.n + 1);
	if (raw.data) { /* the decoded bytes become the job's */
		j->data = raw;
		raw = (buf){ 0 };
	} else if (buf_append(&j->data, data.p ? data.p : "", data.n) < 0) {
		job_free(j);
		op_failf(op, GATEWAY_INTERNAL, "internal error: out of memory");
		goto out;
	}
	if (buf_append(&j->name, filename.p ? filename.p : "", filename.n) < 0) {
		job_free(j);
		op_failf(op, GATEWAY_INTERNAL, "internal error: out of memory");
		goto out;
	}
	j->now_s = clock_wall_s();
	j->now_ns = (uint64_t)clock_wall_ms() * 1000000u;
	job_submit(op, j);
out:
	buf_free(&raw);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A query value, percent-decoded ('+' is a space) into a. */
static str query_value(arena *a, str v)
{
	char *d = arena_alloc(a, v.n + 1);
	size_t o = 0;
	if (!d)
		return STR_NULL;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] == '%' && i + 2 < v.n && hexval(v.p[i + 1]) >= 0 && hexval(v.p[i + 2]) >= 0) {
			d[o++] = (char)(hexval(v.p[i + 1]) * 16 + hexval(v.p[i + 2]));
			i += 2;
		} else {
			d[o++] = v.p[i] == '+' ? ' ' : v.p[i];
		}
	}
	d[o] = 0;
	return str_make(d, o);
}

static void begin_list(fop *op, const gateway_mreq *m)
{
	op->limit = LIST_LIMIT_MAX;
	str q = m->query;
	while (q.p && q.n) {
		str pair, k, v;
		if (!str_cut(q, '&', &pair, &q))
			q = STR_NULL;
		if (!str_cut(pair, '=', &k, &v))
			v = STR_LIT("");
		v = query_value(op->a, v);
		if (!v.p) {
			op_failf(op, GATEWAY_INTERNAL, "internal error: out of memory");
			return;
		}
		if (str_eq_cstr(k, "purpose")) {
			op->purpose = v;
			op->has_purpose = true;
		} else if (str_eq_cstr(k, "after")) {
			op->after = v;
		} else if (str_eq_cstr(k, "limit")) {
			uint64_t n;
			if (!str_to_u64(v, &n) || n < 1 || n > LIST_LIMIT_MAX) {
				op_failf(op, GATEWAY_BAD_REQUEST, "bad request: invalid `limit` '" STR_FMT "' (expected 1 to %d)",
					 (int)(v.n > 32 ? 32 : v.n), v.p, LIST_LIMIT_MAX);
				return;
			}
			op->limit = n;
		} else if (str_eq_cstr(k, "order")) {
			if (!str_eq_cstr(v, "asc") && !str_eq_cstr(v, "desc")) {
				op_failf(op, GATEWAY_BAD_REQUEST, "bad request: invalid `order` '" STR_FMT "' (expected asc or desc)",
					 (int)(v.n > 32 ? 32 : v.n), v.p);
				return;
			}
			op->asc = str_eq_cstr(v, "asc");
		}
	}
	fjob *j = job_new(op, J_LIST);
	if (j)
		job_submit(op, j);
}

/* ---- the hook ------------------------------------------------------------------------------------ */

static void op_cancel_h(void *h)
{
	fop *op = h;
	if (op->job) {
		fjob *j = op->job;
		op->job = NULL;
		job_cancel(j);
	}
	if (op->inner) {
		gateway_call *ic = op->inner;
		op->inner = NULL;
		gateway_call_cancel(ic);
	}
}

static void op_nop_h(void *h)
{
	(void)h;
}

int gateway_files_start(gateway *g, const gateway_principal *p, const gateway_mreq *m, arena *a,
			const gateway_sink *sink, gateway_upstream *cup, void **h)
{
	gateway_files *f = g->files;
	str bid = STR_NULL;
	size_t bstart = 0, bend = 0;
	if (!f)
		return 0;
	switch (m->op) {
	case GATEWAY_M_CREATE_FILE:
	case GATEWAY_M_LIST_FILES:
		break;
	case GATEWAY_M_RETRIEVE_FILE:
	case GATEWAY_M_DELETE_FILE:
	case GATEWAY_M_FILE_CONTENT:
		if (!str_starts_with(m->id, STR_LIT(FILES_ID_PREFIX)))
			return 0; /* the provider's */
		break;
	case GATEWAY_M_CREATE_BATCH:
		if (!batch_claim(m, a, &bid, &bstart, &bend))
			return 0;
		break;
	default:
		return 0;
	}
	fop *op = arena_calloc(a, 1, sizeof *op);
	if (!op) {
		gateway_error e;
		gateway_fail(&e, GATEWAY_INTERNAL, "internal error: out of memory");
		answer_error(sink, &e);
		return -1;
	}
	op->g = g;
	op->f = f;
	op->up = *cup;
	op->sink = *sink;
	op->p = *p;
	op->a = a;
	op->mop = m->op;
	op->id = m->op == GATEWAY_M_CREATE_BATCH ? bid : m->id;
	op->body = m->body;
	op->id_start = bstart;
	op->id_end = bend;
	watch w = { false, NULL };
	op->watch = &w;
	fjob *j = NULL;
	switch (m->op) {
	case GATEWAY_M_CREATE_FILE:
		begin_upload(op, m);
		break;
	case GATEWAY_M_LIST_FILES:
		begin_list(op, m);
		break;
	case GATEWAY_M_RETRIEVE_FILE:
		j = job_new(op, J_GET);
		break;
	case GATEWAY_M_DELETE_FILE:
		j = job_new(op, J_DELETE);
		break;
	default: /* file_content, create_batch */
		j = job_new(op, J_READ);
		break;
	}
	if (j)
		job_submit(op, j);
	if (w.gone)
		return -1;
	op->watch = NULL;
	cup->cancel = op_cancel_h;
	cup->pause = op_nop_h;
	cup->resume = op_nop_h;
	*h = op;
	return 1;
}

/* ---- set-up ------------------------------------------------------------------------------------- */

int gateway_files_new(gateway_files **out, const config *c, char *err, size_t errlen)
{
	*out = NULL;
	const config_files *fc = &c->files;
	const char *backend = fc->backend ? fc->backend : "memory";
	files_store_config sc = { .prefix = fc->prefix };
	if (strcmp(backend, "memory") == 0) {
		sc.backend = FILES_MEMORY;
	} else if (strcmp(backend, "fs") == 0) {
		sc.backend = FILES_FS;
		sc.root = config_strmap_get(&fc->backend_config, "root");
	} else {
		snprintf(err, errlen, "failed to build storage operator for '%s': unknown storage scheme (supported: memory, fs)",
			 backend);
		return ERR_INVAL;
	}
	sc.max_file_bytes = c->server.body_limit_bytes ? c->server.body_limit_bytes : LIMIT_HTTP_BODY_BYTES;
	gateway_files *f = calloc(1, sizeof *f);
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return ERR_NOMEM;
	}
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->max_file = sc.max_file_bytes;
	char why[400];
	int rc = files_store_open(&f->st, &sc, why, sizeof why);
	if (rc < 0) {
		snprintf(err, errlen, "failed to build storage operator for '%s': %s", backend, why);
		gateway_files_free(f);
		return rc;
	}
	if (sc.backend == FILES_FS) {
		fjob *j = calloc(1, sizeof *j);
		if (!j) {
			snprintf(err, errlen, "out of memory");
			gateway_files_free(f);
			return ERR_NOMEM;
		}
		j->f = f;
		j->kind = J_LOAD;
		f->head = f->tail = j; /* the scan first; every call waits behind it */
		f->threaded = true;
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old); /* the store thread never takes a signal */
		f->th_started = pthread_create(&f->th, NULL, store_main, f) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!f->th_started) {
			snprintf(err, errlen, "failed to build storage operator for 'fs': cannot start the store thread");
			gateway_files_free(f);
			return ERR_IO;
		}
	} else {
		log_debug("files: local store in memory (lost on restart; at most %u bytes)", LIMIT_FILES_MEMORY_BYTES);
	}
	*out = f;
	return 0;
}

void gateway_files_free(gateway_files *f)
{
	if (!f)
		return;
	if (f->th_started) {
		pthread_mutex_lock(&f->mu);
		f->stop = true;
		pthread_cond_signal(&f->cv);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->th, NULL);
	}
	while (f->head) { /* cancelled calls' jobs (every surface is stopped) */
		fjob *j = f->head;
		f->head = j->next;
		job_free(j);
	}
	files_store_free(f->st);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f);
}
