/* files_store.c — the local files store: an index of metadata under one
 * mutex (plus the bytes for the memory backend), and for fs the crash-safe
 * on-disk layout of files_store.h (tmp + fsync + rename + directory fsync,
 * data before metadata, a scan at load that keeps only complete files). */
#include "gateway/files_store.h"
#include "base/err.h"
#include "base/limits.h"
#include "base/rand.h"
#include "json/json.h"
#include "json/json_write.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME_PREFIX_MAX 200           /* keeps every file name under NAME_MAX */
#define NAME_BUF 256
#define META_MAX_BYTES (LIMIT_FILES_NAME_BYTES * 6 + 1024) /* a sidecar: escaped filename + fields */
#define LOCK_NAME "file-lc.lock"

typedef struct entry {
	files_meta m;
	char *data;                   /* memory backend: the bytes (malloc'd) */
} entry;

struct files_store {
	files_backend backend;
	size_t max_file, max_total;
	ssize_t (*wr)(int fd, const void *p, size_t n);
	char *dir;                    /* fs: the directory */
	char *np;                     /* fs: the name prefix inside it */
	size_t np_len;
	int dirfd;                    /* fs: the directory, for *at() and fsync */
	int lockfd;
	bool owner;                   /* holds the lock: cleans up at load */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool loaded;
	entry *v;
	size_t n, cap;
	uint64_t total;
	uint64_t last_seq;
};

/* ---- small helpers ------------------------------------------------------------------- */

bool files_store_id_valid(str id)
{
	if (id.n != FILES_ID_LEN || !id.p || memcmp(id.p, FILES_ID_PREFIX, 8) != 0)
		return false;
	for (size_t i = 8; i < id.n; i++) {
		char c = id.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

void files_meta_clear(files_meta *m)
{
	if (!m)
		return;
	free(m->filename);
	m->filename = NULL;
	m->filename_len = 0;
}

void files_list_free(files_meta *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		files_meta_clear(&v[i]);
	free(v);
}

static int meta_copy(files_meta *dst, const files_meta *src)
{
	*dst = *src;
	dst->filename = malloc(src->filename_len + 1);
	if (!dst->filename) {
		dst->filename_len = 0;
		return ERR_NOMEM;
	}
	memcpy(dst->filename, src->filename, src->filename_len);
	dst->filename[src->filename_len] = 0;
	return 0;
}

/* A malloc'd copy of s with invalid UTF-8 replaced by U+FFFD (as every JSON
 * writer would show it), so the name kept is the name shown. */
static char *utf8_clean_dup(str s, size_t *len)
{
	char *d = malloc(s.n * 3 + 1);
	size_t o = 0, i = 0;
	if (!d)
		return NULL;
	while (i < s.n) {
		int l = json_utf8_seq((const unsigned char *)s.p + i, s.n - i);
		if (l > 0) {
			memcpy(d + o, s.p + i, (size_t)l);
			o += (size_t)l;
			i += (size_t)l;
		} else {
			memcpy(d + o, "\xef\xbf\xbd", 3);
			o += 3;
			i += (size_t)-l;
		}
	}
	d[o] = 0;
	*len = o;
	return d;
}

static int sys_fail(files_err *e, const char *what, const char *name)
{
	int er = errno;
	if (e) {
		e->sys = er;
		e->full = er == ENOSPC || er == EDQUOT || er == EFBIG;
		snprintf(e->msg, sizeof e->msg, "%s %s: %s", what, name, strerror(er));
	}
	errno = er;
	return ERR_IO;
}

static void err_clear(files_err *e)
{
	if (e) {
		e->sys = 0;
		e->full = false;
		e->msg[0] = 0;
	}
}

static void fname(const files_store *s, const char *id, const char *suffix, char dst[NAME_BUF])
{
	snprintf(dst, NAME_BUF, "%s%s%s", s->np, id, suffix);
}

static entry *find(files_store *s, str id)
{
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->v[i].m.id, id.p, FILES_ID_LEN) == 0)
			return &s->v[i];
	return NULL;
}

static int add_entry(files_store *s, const files_meta *m, char *data)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		entry *nv = realloc(s->v, nc * sizeof *nv);
		if (!nv)
			return ERR_NOMEM;
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n].m = *m;
	s->v[s->n].data = data;
	s->n++;
	s->total += m->bytes;
	if (m->seq > s->last_seq)
		s->last_seq = m->seq;
	return 0;
}

static void drop_entry(files_store *s, entry *x)
{
	s->total -= x->m.bytes;
	files_meta_clear(&x->m);
	free(x->data);
	*x = s->v[--s->n];
}

/* Calls wait until load has run. */
static void lock_loaded(files_store *s)
{
	pthread_mutex_lock(&s->mu);
	while (!s->loaded)
		pthread_cond_wait(&s->cv, &s->mu);
}

/* ---- open / free -------------------------------------------------------------------------- */

static int mkdir_p(char *path, char *err, size_t errlen)
{
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = 0;
		int rc = mkdir(path, 0700);
		int er = errno;
		*p = c;
		if (rc < 0 && er != EEXIST) {
			snprintf(err, errlen, "cannot create directory %s: %s", path, strerror(er));
			return ERR_IO;
		}
		if (!c)
			return 0;
	}
}

static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == 0 || s[2] == '/'))
			return true;
	return false;
}

static int open_fs(files_store *s, const files_store_config *c, char *err, size_t errlen)
{
	const char *prefix = c->prefix ? c->prefix : "";
	if (!c->root || !c->root[0]) {
		snprintf(err, errlen, "root is not set (add root = \"/path\" under [files.backend_config])");
		return ERR_INVAL;
	}
	if (prefix[0] == '/' || has_dotdot(prefix)) {
		snprintf(err, errlen, "prefix '%s' must stay under root (no leading '/', no '..')", prefix);
		return ERR_INVAL;
	}
	size_t rl = strlen(c->root), pl = strlen(prefix);
	char *full = malloc(rl + pl + 2);
	if (!full)
		return ERR_NOMEM;
	snprintf(full, rl + pl + 2, "%s/%s", c->root, prefix);
	char *slash = strrchr(full, '/');
	const char *np = slash + 1;
	if (strlen(np) > NAME_PREFIX_MAX) {
		snprintf(err, errlen, "prefix '%s' is too long", prefix);
		free(full);
		return ERR_INVAL;
	}
	s->np = strdup(np);
	*slash = 0;
	while (slash > full && slash[-1] == '/' && slash - 1 > full)
		*--slash = 0;
	s->dir = strdup(full[0] ? full : "/");
	free(full);
	if (!s->np || !s->dir)
		return ERR_NOMEM;
	s->np_len = strlen(s->np);
	if (mkdir_p(s->dir, err, errlen) < 0)
		return ERR_IO;
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		snprintf(err, errlen, "cannot open directory %s: %s", s->dir, strerror(errno));
		return ERR_IO;
	}
	char ln[NAME_BUF];
	snprintf(ln, sizeof ln, "%s%s", s->np, LOCK_NAME);
	s->lockfd = openat(s->dirfd, ln, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lockfd < 0) {
		snprintf(err, errlen, "cannot write in directory %s: %s", s->dir, strerror(errno));
		return ERR_IO;
	}
	s->owner = flock(s->lockfd, LOCK_EX | LOCK_NB) == 0;
	/* a file size limit must fail the write (EFBIG), not kill the process */
	signal(SIGXFSZ, SIG_IGN);
	return 0;
}

int files_store_open(files_store **out, const files_store_config *c, char *err, size_t errlen)
{
	*out = NULL;
	if (errlen)
		err[0] = 0;
	files_store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return ERR_NOMEM;
	}
	s->backend = c->backend;
	s->max_file = c->max_file_bytes ? c->max_file_bytes : LIMIT_HTTP_BODY_BYTES;
	s->max_total = c->max_total_bytes ? c->max_total_bytes : LIMIT_FILES_MEMORY_BYTES;
	s->wr = c->write_fn ? c->write_fn : write;
	s->dirfd = -1;
	s->lockfd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->np = NULL;
	if (c->backend == FILES_FS) {
		int rc = open_fs(s, c, err, errlen);
		if (rc < 0) {
			if (rc == ERR_NOMEM)
				snprintf(err, errlen, "out of memory");
			files_store_free(s);
			return rc;
		}
	} else if (c->backend != FILES_MEMORY) {
		snprintf(err, errlen, "unknown backend");
		files_store_free(s);
		return ERR_INVAL;
	} else {
		s->loaded = true;
	}
	*out = s;
	return 0;
}

void files_store_free(files_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		files_meta_clear(&s->v[i].m);
		free(s->v[i].data);
	}
	free(s->v);
	if (s->lockfd >= 0)
		close(s->lockfd); /* releases the lock */
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s->dir);
	free(s->np);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

const char *files_store_dir(const files_store *s)
{
	return s && s->backend == FILES_FS ? s->dir : NULL;
}

/* ---- fs: the sidecar -------------------------------------------------------------------- */

static int meta_json(const files_meta *m, buf *b)
{
	json_writer w;
	json_write_init(&w, b, 0);
	json_write_obj_begin(&w);
	json_write_kv_str(&w, "id", m->id);
	json_write_kv_str(&w, "object", "file");
	json_write_kv_u64(&w, "bytes", m->bytes);
	json_write_kv_i64(&w, "created_at", m->created_at);
	json_write_kv_strn(&w, "filename", m->filename, m->filename_len);
	json_write_kv_str(&w, "purpose", m->purpose);
	json_write_kv_str(&w, "status", "processed");
	json_write_kv_u64(&w, "seq", m->seq);
	json_write_obj_end(&w);
	return json_write_finish(&w);
}

/* Read the sidecar of id into *m (filename malloc'd). 0, ERR_NOTFOUND (no
 * .json), ERR_INVAL (unreadable or not ours), ERR_NOMEM. */
static int meta_load(files_store *s, const char *id, files_meta *m)
{
	char nm[NAME_BUF];
	fname(s, id, ".json", nm);
	int fd = openat(s->dirfd, nm, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? ERR_NOTFOUND : ERR_INVAL;
	char *js = malloc(META_MAX_BYTES);
	size_t n = 0;
	int rc = ERR_INVAL;
	if (!js) {
		close(fd);
		return ERR_NOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, js + n, META_MAX_BYTES - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == META_MAX_BYTES)
			break;
	}
	close(fd);
	json_doc d;
	json_tok toks[64];
	memset(m, 0, sizeof *m);
	if (n == META_MAX_BYTES || json_parse(&d, js, n, toks, sizeof toks / sizeof toks[0], NULL, NULL) < 0 ||
	    json_typeof(&d, 0) != JSON_OBJECT)
		goto out;
	int vi = json_get(&d, 0, "id"), vb = json_get(&d, 0, "bytes"), vc = json_get(&d, 0, "created_at");
	int vf = json_get(&d, 0, "filename"), vp = json_get(&d, 0, "purpose"), vs = json_get(&d, 0, "seq");
	if (vi < 0 || !json_str_eq(&d, vi, str_from(id)) || vb < 0 || json_u64(&d, vb, &m->bytes) < 0 || vc < 0 ||
	    json_i64(&d, vc, &m->created_at) < 0 || vp < 0 ||
	    json_str_copy(&d, vp, m->purpose, sizeof m->purpose) < 0 || vf < 0 || json_typeof(&d, vf) != JSON_STRING)
		goto out;
	if (vs < 0 || json_u64(&d, vs, &m->seq) < 0)
		m->seq = (uint64_t)(m->created_at > 0 ? m->created_at : 0) * 1000000000u;
	buf fb = { 0 };
	fb.cap = META_MAX_BYTES;
	if (json_str_buf(&d, vf, &fb) < 0) {
		buf_free(&fb);
		rc = ERR_NOMEM;
		goto out;
	}
	size_t fl = fb.len;
	m->filename = buf_steal(&fb, &fl);
	if (!m->filename && !(m->filename = calloc(1, 1))) {
		rc = ERR_NOMEM;
		goto out;
	}
	m->filename_len = fl;
	memcpy(m->id, id, FILES_ID_LEN);
	m->id[FILES_ID_LEN] = 0;
	rc = 0;
out:
	free(js);
	if (rc < 0)
		files_meta_clear(m);
	return rc;
}

/* The size of id's data file, or -1 (missing, not a regular file). */
static long long data_size(files_store *s, const char *id)
{
	char nm[NAME_BUF];
	struct stat st;
	fname(s, id, ".data", nm);
	if (fstatat(s->dirfd, nm, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return (long long)st.st_size;
}

static bool name_exists(files_store *s, const char *id, const char *suffix)
{
	char nm[NAME_BUF];
	struct stat st;
	fname(s, id, suffix, nm);
	return fstatat(s->dirfd, nm, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void unlink_name(files_store *s, const char *id, const char *suffix)
{
	char nm[NAME_BUF];
	fname(s, id, suffix, nm);
	unlinkat(s->dirfd, nm, 0);
}

/* An id that is not in the index: another process may have written it. */
static entry *disk_lookup(files_store *s, str id)
{
	if (s->backend != FILES_FS)
		return NULL;
	char idz[FILES_ID_LEN + 1];
	memcpy(idz, id.p, FILES_ID_LEN);
	idz[FILES_ID_LEN] = 0;
	files_meta m;
	if (meta_load(s, idz, &m) < 0)
		return NULL;
	long long sz = data_size(s, idz);
	if (sz < 0 || (uint64_t)sz != m.bytes || add_entry(s, &m, NULL) < 0) {
		files_meta_clear(&m);
		return NULL;
	}
	return &s->v[s->n - 1];
}

static entry *lookup(files_store *s, str id)
{
	if (!files_store_id_valid(id))
		return NULL;
	entry *x = find(s, id);
	return x ? x : disk_lookup(s, id);
}

/* ---- fs: load ------------------------------------------------------------------------------ */

typedef struct idlist {
	char (*v)[FILES_ID_LEN + 1];
	size_t n, cap;
} idlist;

static int idlist_add(idlist *l, const char *id)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		void *nv = realloc(l->v, nc * sizeof *l->v);
		if (!nv)
			return ERR_NOMEM;
		l->v = nv;
		l->cap = nc;
	}
	memcpy(l->v[l->n], id, FILES_ID_LEN);
	l->v[l->n][FILES_ID_LEN] = 0;
	l->n++;
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, FILES_ID_LEN);
}

int files_store_load(files_store *s, files_load_info *info)
{
	files_load_info li = { 0 };
	int rc = 0;
	pthread_mutex_lock(&s->mu);
	if (s->backend != FILES_FS || s->loaded)
		goto done;
	li.owner = s->owner;
	int dfd = dup(s->dirfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		rc = ERR_IO;
		goto done;
	}
	rewinddir(d);
	idlist js = { 0 }, ds = { 0 };
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *nm = de->d_name;
		if (strncmp(nm, s->np, s->np_len) != 0)
			continue;
		const char *rest = nm + s->np_len;
		if (!files_store_id_valid(str_make(rest, strlen(rest) < FILES_ID_LEN ? strlen(rest) : FILES_ID_LEN)))
			continue;
		const char *suf = rest + FILES_ID_LEN;
		if (strcmp(suf, ".data.tmp") == 0 || strcmp(suf, ".json.tmp") == 0) {
			if (s->owner && unlinkat(s->dirfd, nm, 0) == 0)
				li.removed++;
		} else if (strcmp(suf, ".json") == 0) {
			if (idlist_add(&js, rest) < 0)
				rc = ERR_NOMEM;
		} else if (strcmp(suf, ".data") == 0) {
			if (idlist_add(&ds, rest) < 0)
				rc = ERR_NOMEM;
		}
	}
	closedir(d);
	if (js.n)
		qsort(js.v, js.n, sizeof *js.v, id_cmp);
	for (size_t i = 0; i < js.n; i++) {
		files_meta m;
		int mr = meta_load(s, js.v[i], &m);
		long long sz = mr == 0 ? data_size(s, js.v[i]) : -1;
		if (mr == 0 && sz >= 0 && (uint64_t)sz == m.bytes && add_entry(s, &m, NULL) == 0)
			continue;
		if (mr == 0)
			files_meta_clear(&m);
		if (mr == ERR_NOMEM) {
			rc = ERR_NOMEM;
			continue;
		}
		/* not a complete file: metadata first, so it never shows */
		if (s->owner) {
			unlink_name(s, js.v[i], ".json");
			unlink_name(s, js.v[i], ".data");
			li.removed++;
		}
	}
	for (size_t i = 0; i < ds.n; i++) {
		if (js.n && bsearch(ds.v[i], js.v, js.n, sizeof *js.v, id_cmp))
			continue;
		if (s->owner) { /* data whose metadata never came (a crash in between) */
			unlink_name(s, ds.v[i], ".data");
			li.removed++;
		}
	}
	free(js.v);
	free(ds.v);
	if (li.removed)
		fsync(s->dirfd);
done:
	li.files = s->n;
	s->loaded = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (info)
		*info = li;
	return rc;
}

/* ---- fs: durable writes ---------------------------------------------------------------------- */

static int write_all(files_store *s, int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = s->wr(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* <np><id><suffix> with content p[0..n): written to <name>.tmp, fsynced,
 * renamed over <name>, directory fsynced. On error nothing of it remains. */
static int write_durable(files_store *s, const char *id, const char *suffix, const char *p, size_t n, files_err *e)
{
	char fin[NAME_BUF], tmp[NAME_BUF + 8];
	fname(s, id, suffix, fin);
	snprintf(tmp, sizeof tmp, "%s.tmp", fin);
	int fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return sys_fail(e, "create", tmp);
	bool renamed = false;
	if (write_all(s, fd, p, n) < 0) {
		sys_fail(e, "write", tmp);
		goto fail;
	}
	if (fsync(fd) < 0) {
		sys_fail(e, "fsync", tmp);
		goto fail;
	}
	int cr = close(fd);
	fd = -1;
	if (cr < 0) {
		sys_fail(e, "close", tmp);
		goto fail;
	}
	if (renameat(s->dirfd, tmp, s->dirfd, fin) < 0) {
		sys_fail(e, "rename", tmp);
		goto fail;
	}
	renamed = true;
	if (fsync(s->dirfd) < 0) {
		sys_fail(e, "fsync the directory of", fin);
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlinkat(s->dirfd, renamed ? fin : tmp, 0);
	return ERR_IO;
}

static int put_fs(files_store *s, files_meta *m, str data, files_err *e)
{
	int rc = write_durable(s, m->id, ".data", data.p ? data.p : "", data.n, e);
	if (rc < 0)
		return rc;
	buf mj = { 0 };
	mj.cap = META_MAX_BYTES;
	rc = meta_json(m, &mj);
	if (rc < 0) {
		snprintf(e->msg, sizeof e->msg, "metadata of %s: %s", m->id, err_str(rc));
		rc = rc == ERR_NOMEM ? ERR_NOMEM : ERR_IO;
	} else {
		rc = write_durable(s, m->id, ".json", mj.data, mj.len, e);
	}
	buf_free(&mj);
	if (rc < 0) {
		unlink_name(s, m->id, ".data");
		fsync(s->dirfd);
	}
	return rc;
}

/* ---- the operations ------------------------------------------------------------------------------ */

int files_store_put(files_store *s, str purpose, str filename, str data, int64_t now_s, uint64_t now_ns,
		    files_meta *out, files_err *e)
{
	files_err ebuf;
	if (!e)
		e = &ebuf;
	err_clear(e);
	memset(out, 0, sizeof *out);
	if (!purpose.n || purpose.n > FILES_PURPOSE_MAX || memchr(purpose.p, 0, purpose.n)) {
		snprintf(e->msg, sizeof e->msg, "invalid purpose");
		return ERR_INVAL;
	}
	if (data.n > s->max_file) {
		snprintf(e->msg, sizeof e->msg, "file of %zu bytes is over the %zu-byte limit", data.n, s->max_file);
		return ERR_TOOBIG;
	}
	files_meta m = { 0 };
	m.filename = utf8_clean_dup(filename, &m.filename_len);
	if (!m.filename)
		return ERR_NOMEM;
	memcpy(m.purpose, purpose.p, purpose.n);
	m.bytes = data.n;
	m.created_at = now_s;
	char *copy = NULL;
	int rc = 0;
	lock_loaded(s);
	if (s->backend == FILES_MEMORY) {
		if (data.n > s->max_total || s->total > s->max_total - data.n) {
			e->full = true;
			snprintf(e->msg, sizeof e->msg, "the memory store is full (%zu of %zu bytes used)",
				 (size_t)s->total, s->max_total);
			rc = ERR_IO;
			goto out;
		}
		copy = malloc(data.n ? data.n : 1);
		if (!copy) {
			rc = ERR_NOMEM;
			goto out;
		}
		if (data.n)
			memcpy(copy, data.p, data.n);
	}
	/* a fresh id (a collision of 96 random bits is not expected; checked anyway) */
	memcpy(m.id, FILES_ID_PREFIX, 8);
	for (int tries = 0;; tries++) {
		if (tries == 4 || rand_hex(m.id + 8, FILES_ID_HEX) < 0) {
			snprintf(e->msg, sizeof e->msg, "no randomness for a file id");
			rc = ERR_IO;
			goto out;
		}
		if (!find(s, str_make(m.id, FILES_ID_LEN)) &&
		    (s->backend != FILES_FS || (!name_exists(s, m.id, ".data") && !name_exists(s, m.id, ".json"))))
			break;
	}
	m.seq = now_ns > s->last_seq ? now_ns : s->last_seq + 1;
	if (s->backend == FILES_FS && (rc = put_fs(s, &m, data, e)) < 0)
		goto out;
	if ((rc = meta_copy(out, &m)) < 0)
		goto undo;
	if ((rc = add_entry(s, &m, copy)) < 0) {
		files_meta_clear(out);
		goto undo;
	}
	pthread_mutex_unlock(&s->mu);
	return 0;
undo:
	if (s->backend == FILES_FS) {
		unlink_name(s, m.id, ".json");
		unlink_name(s, m.id, ".data");
		fsync(s->dirfd);
	}
out:
	pthread_mutex_unlock(&s->mu);
	free(copy);
	files_meta_clear(&m);
	return rc;
}

int files_store_get(files_store *s, str id, files_meta *out)
{
	memset(out, 0, sizeof *out);
	lock_loaded(s);
	entry *x = lookup(s, id);
	int rc = x ? meta_copy(out, &x->m) : ERR_NOTFOUND;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int read_fs(files_store *s, const files_meta *m, buf *data, files_err *e)
{
	char nm[NAME_BUF];
	fname(s, m->id, ".data", nm);
	int fd = openat(s->dirfd, nm, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return sys_fail(e, "open", nm);
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0) {
		rc = sys_fail(e, "stat", nm);
		goto out;
	}
	if ((uint64_t)st.st_size != m->bytes) {
		snprintf(e->msg, sizeof e->msg, "%s.data has %lld bytes, its metadata says %llu", m->id, (long long)st.st_size,
			 (unsigned long long)m->bytes);
		rc = ERR_IO;
		goto out;
	}
	if (data->cap < data->len + m->bytes + 1)
		data->cap = data->len + m->bytes + 1;
	if ((rc = buf_reserve(data, m->bytes)) < 0)
		goto out;
	size_t got = 0;
	while (got < m->bytes) {
		ssize_t r = read(fd, data->data + data->len + got, m->bytes - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = sys_fail(e, "read", nm);
			goto out;
		}
		if (r == 0) {
			snprintf(e->msg, sizeof e->msg, "%s.data is shorter than its metadata says", m->id);
			rc = ERR_IO;
			goto out;
		}
		got += (size_t)r;
	}
	data->len += got;
	data->data[data->len] = 0;
out:
	close(fd);
	return rc;
}

int files_store_read(files_store *s, str id, files_meta *meta, buf *data, files_err *e)
{
	files_err ebuf;
	if (!e)
		e = &ebuf;
	err_clear(e);
	memset(meta, 0, sizeof *meta);
	lock_loaded(s);
	entry *x = lookup(s, id);
	int rc = ERR_NOTFOUND;
	if (x) {
		if (s->backend == FILES_MEMORY) {
			if (data->cap < data->len + x->m.bytes + 1)
				data->cap = data->len + x->m.bytes + 1;
			rc = buf_append(data, x->data, x->m.bytes);
		} else {
			rc = read_fs(s, &x->m, data, e);
		}
		if (rc == 0)
			rc = meta_copy(meta, &x->m);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int files_store_delete(files_store *s, str id, files_err *e)
{
	files_err ebuf;
	if (!e)
		e = &ebuf;
	err_clear(e);
	lock_loaded(s);
	entry *x = lookup(s, id);
	int rc = ERR_NOTFOUND;
	if (x) {
		rc = 0;
		if (s->backend == FILES_FS) {
			char nm[NAME_BUF];
			fname(s, x->m.id, ".json", nm);
			/* the metadata first: from here on the file is gone for every reader */
			if (unlinkat(s->dirfd, nm, 0) < 0 && errno != ENOENT)
				rc = sys_fail(e, "unlink", nm);
			if (rc == 0) {
				unlink_name(s, x->m.id, ".data");
				fsync(s->dirfd);
			}
		}
		if (rc == 0)
			drop_entry(s, x);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int seq_desc(const void *a, const void *b)
{
	const files_meta *x = a, *y = b;
	return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

int files_store_list(files_store *s, files_meta **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	lock_loaded(s);
	files_meta *v = calloc(s->n ? s->n : 1, sizeof *v);
	size_t k = 0;
	int rc = v ? 0 : ERR_NOMEM;
	for (size_t i = 0; rc == 0 && i < s->n; i++, k++)
		rc = meta_copy(&v[k], &s->v[i].m);
	pthread_mutex_unlock(&s->mu);
	if (rc < 0) {
		files_list_free(v, k);
		return rc;
	}
	qsort(v, k, sizeof *v, seq_desc);
	*out = v;
	*n = k;
	return 0;
}

void files_store_stats(files_store *s, size_t *files, uint64_t *bytes)
{
	pthread_mutex_lock(&s->mu);
	if (files)
		*files = s->n;
	if (bytes)
		*bytes = s->total;
	pthread_mutex_unlock(&s->mu);
}
