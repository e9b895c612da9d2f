/* test_files_store.c — the local files store (gateway/files_store): memory
 * and fs backends (put/get/read/list/delete, order, caps), restart reload,
 * leftovers of crashes (tmp files, orphans, size mismatches, bad metadata)
 * ignored and cleaned, a full disk (injected write(2) failures and
 * RLIMIT_FSIZE) leaving no visible file, prefixes with directories, two
 * stores sharing a directory, load on another thread. Then the gateway side
 * ([files] mode = "local" through gateway_master_start, gateway_files.c)
 * with a fake upstream and a fake loop post queue: answers come through
 * post, a cancel before or after the store finished drops the completion
 * (the call's arena is freed at once, as the server does: ASan watches),
 * inline answers without post, provider-id fall-through, create_batch from
 * a local file (upload, then the batch with the provider's id; cancel
 * mid-upload). */
#include "t.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "gateway/files_store.h"
#include "gateway/gateway.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmproot[256];

static void mk_tmproot(void)
{
	if (tmproot[0])
		return;
	snprintf(tmproot, sizeof tmproot, "%s/test_files_store.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmproot))
		tmproot[0] = 0;
}

static void rm_rf(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		unlink(path);
		return;
	}
	struct dirent *de;
	char p[1024];
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", path, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_rf(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(path);
}

/* A fresh directory under the temp root. */
static void fresh_dir(const char *name, char *out, size_t cap)
{
	mk_tmproot();
	snprintf(out, cap, "%s/%s", tmproot, name);
	rm_rf(out);
}

/* Entries of dir (not . and ..), excluding the lock file. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && !strstr(de->d_name, "file-lc.lock"))
			n++;
	closedir(d);
	return n;
}

static bool file_exists(const char *dir, const char *name)
{
	char p[1024];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

static void write_file(const char *dir, const char *name, const char *content)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static files_store *open_fs(const char *root, const char *prefix, ssize_t (*wr)(int, const void *, size_t))
{
	files_store_config c = { .backend = FILES_FS, .root = root, .prefix = prefix, .write_fn = wr };
	files_store *s = NULL;
	char err[256];
	if (files_store_open(&s, &c, err, sizeof err) < 0) {
		printf("  open: %s\n", err);
		return NULL;
	}
	return s;
}

static files_store *open_mem(size_t max_total, size_t max_file)
{
	files_store_config c = { .backend = FILES_MEMORY, .max_total_bytes = max_total, .max_file_bytes = max_file };
	files_store *s = NULL;
	char err[256];
	return files_store_open(&s, &c, err, sizeof err) < 0 ? NULL : s;
}

static int put(files_store *s, const char *purpose, const char *name, const char *data, size_t n, uint64_t ns,
	       files_meta *m, files_err *e)
{
	return files_store_put(s, str_from(purpose), str_from(name), str_make(data, n), (int64_t)(ns / 1000000000u), ns,
			       m, e);
}

TEST(id_valid)
{
	CHECK(files_store_id_valid(STR_LIT("file-lc-0123456789abcdef01234567")));
	CHECK(!files_store_id_valid(STR_LIT("file-lc-0123456789abcdef0123456")));
	CHECK(!files_store_id_valid(STR_LIT("file-lc-0123456789abcdef012345678")));
	CHECK(!files_store_id_valid(STR_LIT("file-lc-0123456789ABCDEF01234567")));
	CHECK(!files_store_id_valid(STR_LIT("file-lc-../../../../etc/passwd....")));
	CHECK(!files_store_id_valid(STR_LIT("file-abc")));
	CHECK(!files_store_id_valid(STR_NULL));
}

/* The common operation checks on either backend. */
static void basic_ops(files_store *s)
{
	files_meta a, b, m;
	files_err e;
	CHECK_EQ_INT(put(s, "batch", "a.jsonl", "hello", 5, 1000000000000000000ull, &a, &e), 0);
	CHECK(files_store_id_valid(str_from(a.id)));
	CHECK_EQ_INT(a.bytes, 5);
	CHECK_EQ_INT(a.created_at, 1000000000);
	CHECK_EQ_STR(a.purpose, "batch");
	CHECK_EQ_STR(a.filename, "a.jsonl");
	/* same clock: seq still strictly grows */
	CHECK_EQ_INT(put(s, "assistants", "b\xff.txt", "", 0, 1000000000000000000ull, &b, &e), 0);
	CHECK(b.seq > a.seq);
	CHECK_EQ_STR(b.filename, "b\xef\xbf\xbd.txt"); /* invalid UTF-8 replaced, as shown */
	CHECK(strcmp(a.id, b.id) != 0);

	CHECK_EQ_INT(files_store_get(s, str_from(a.id), &m), 0);
	CHECK_EQ_STR(m.filename, "a.jsonl");
	CHECK_EQ_INT(m.bytes, 5);
	files_meta_clear(&m);
	CHECK_EQ_INT(files_store_get(s, STR_LIT("file-lc-000000000000000000000000"), &m), ERR_NOTFOUND);
	CHECK_EQ_INT(files_store_get(s, STR_LIT("nope"), &m), ERR_NOTFOUND);

	buf d = { 0 };
	CHECK_EQ_INT(files_store_read(s, str_from(a.id), &m, &d, &e), 0);
	CHECK_EQ_MEM(d.data, d.len, "hello", 5);
	files_meta_clear(&m);
	buf_reset(&d);
	CHECK_EQ_INT(files_store_read(s, str_from(b.id), &m, &d, &e), 0);
	CHECK_EQ_INT(d.len, 0);
	files_meta_clear(&m);
	buf_free(&d);

	files_meta *v;
	size_t n;
	CHECK_EQ_INT(files_store_list(s, &v, &n), 0);
	CHECK_EQ_INT(n, 2);
	if (n == 2) { /* newest first */
		CHECK_EQ_STR(v[0].id, b.id);
		CHECK_EQ_STR(v[1].id, a.id);
	}
	files_list_free(v, n);

	CHECK_EQ_INT(files_store_delete(s, str_from(a.id), &e), 0);
	CHECK_EQ_INT(files_store_delete(s, str_from(a.id), &e), ERR_NOTFOUND);
	CHECK_EQ_INT(files_store_get(s, str_from(a.id), &m), ERR_NOTFOUND);
	size_t nf;
	uint64_t nb;
	files_store_stats(s, &nf, &nb);
	CHECK_EQ_INT(nf, 1);
	CHECK_EQ_INT(nb, 0);
	CHECK_EQ_INT(files_store_delete(s, str_from(b.id), &e), 0);
	files_meta_clear(&a);
	files_meta_clear(&b);
}

TEST(memory_ops)
{
	files_store *s = open_mem(0, 0);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(files_store_dir(s) == NULL);
	basic_ops(s);
	files_store_free(s);
}

TEST(memory_caps)
{
	files_store *s = open_mem(10, 8);
	files_meta m;
	files_err e;
	CHECK_EQ_INT(put(s, "batch", "x", "123456789", 9, 1, &m, &e), ERR_TOOBIG); /* per file */
	CHECK_EQ_INT(put(s, "batch", "x", "123456", 6, 1, &m, &e), 0);
	files_meta_clear(&m);
	CHECK_EQ_INT(put(s, "batch", "x", "12345", 5, 2, &m, &e), ERR_IO); /* total */
	CHECK(e.full);
	CHECK(strstr(e.msg, "full") != NULL);
	CHECK_EQ_INT(put(s, "batch", "x", "1234", 4, 3, &m, &e), 0);
	files_meta_clear(&m);
	CHECK_EQ_INT(put(s, "", "x", "1", 1, 4, &m, &e), ERR_INVAL);
	size_t nf;
	files_store_stats(s, &nf, NULL);
	CHECK_EQ_INT(nf, 2);
	files_store_free(s);
}

typedef struct put_arg {
	files_store *s;
	int ok;
} put_arg;

static void *put_thread(void *p)
{
	put_arg *a = p;
	for (int i = 0; i < 200; i++) {
		files_meta m;
		if (put(a->s, "batch", "t", "abc", 3, 5, &m, NULL) == 0)
			a->ok++;
		files_meta_clear(&m);
	}
	return NULL;
}

TEST(memory_threads)
{
	files_store *s = open_mem(0, 0);
	pthread_t th[4];
	put_arg a[4];
	for (int i = 0; i < 4; i++) {
		a[i] = (put_arg){ s, 0 };
		pthread_create(&th[i], NULL, put_thread, &a[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	size_t nf;
	files_store_stats(s, &nf, NULL);
	CHECK_EQ_INT(nf, 800);
	CHECK_EQ_INT(a[0].ok + a[1].ok + a[2].ok + a[3].ok, 800);
	files_meta *v;
	size_t n;
	CHECK_EQ_INT(files_store_list(s, &v, &n), 0);
	bool ordered = true;
	for (size_t i = 1; i < n; i++)
		if (v[i - 1].seq <= v[i].seq)
			ordered = false;
	CHECK(ordered);
	files_list_free(v, n);
	files_store_free(s);
}

TEST(fs_ops_and_restart)
{
	char root[512], dir[600];
	fresh_dir("ops", root, sizeof root);
	files_store *s = open_fs(root, "liter-llm-files/", NULL);
	CHECK(s != NULL);
	if (!s)
		return;
	snprintf(dir, sizeof dir, "%s/liter-llm-files", root);
	CHECK_EQ_STR(files_store_dir(s), dir);
	files_load_info li;
	CHECK_EQ_INT(files_store_load(s, &li), 0);
	CHECK(li.owner);
	CHECK_EQ_INT(li.files, 0);
	basic_ops(s);
	CHECK_EQ_INT(count_entries(dir), 0);

	/* three files, then a restart */
	files_meta m[3];
	files_err e;
	char big[70000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);
	CHECK_EQ_INT(put(s, "batch", "one.jsonl", "1", 1, 2000000000000000000ull, &m[0], &e), 0);
	CHECK_EQ_INT(put(s, "fine-tune", "two \"quoted\" \\ name", big, sizeof big, 2000000000000000001ull, &m[1], &e), 0);
	CHECK_EQ_INT(put(s, "vision", "three.png", "333", 3, 2000000000000000002ull, &m[2], &e), 0);
	char nm[128];
	snprintf(nm, sizeof nm, "%s.data", m[1].id);
	CHECK(file_exists(dir, nm));
	snprintf(nm, sizeof nm, "%s.json", m[1].id);
	CHECK(file_exists(dir, nm));
	CHECK_EQ_INT(count_entries(dir), 6);
	files_store_free(s);

	s = open_fs(root, "liter-llm-files/", NULL);
	CHECK_EQ_INT(files_store_load(s, &li), 0);
	CHECK_EQ_INT(li.files, 3);
	CHECK_EQ_INT(li.removed, 0);
	files_meta *v;
	size_t n;
	CHECK_EQ_INT(files_store_list(s, &v, &n), 0);
	CHECK_EQ_INT(n, 3);
	if (n == 3) {
		CHECK_EQ_STR(v[0].id, m[2].id);
		CHECK_EQ_STR(v[1].id, m[1].id);
		CHECK_EQ_STR(v[2].id, m[0].id);
		CHECK_EQ_STR(v[1].filename, "two \"quoted\" \\ name");
		CHECK_EQ_STR(v[1].purpose, "fine-tune");
		CHECK_EQ_INT(v[1].bytes, sizeof big);
		CHECK_EQ_INT(v[1].created_at, 2000000000);
	}
	files_list_free(v, n);
	buf d = { 0 };
	files_meta r;
	CHECK_EQ_INT(files_store_read(s, str_from(m[1].id), &r, &d, &e), 0);
	CHECK_EQ_MEM(d.data, d.len, big, sizeof big);
	files_meta_clear(&r);
	buf_free(&d);
	/* a new file after the restart is still the newest */
	files_meta m4;
	CHECK_EQ_INT(put(s, "batch", "four", "4", 1, 5, &m4, &e), 0);
	CHECK(m4.seq > m[2].seq);
	files_meta_clear(&m4);
	CHECK_EQ_INT(files_store_delete(s, str_from(m[0].id), &e), 0);
	snprintf(nm, sizeof nm, "%s.json", m[0].id);
	CHECK(!file_exists(dir, nm));
	snprintf(nm, sizeof nm, "%s.data", m[0].id);
	CHECK(!file_exists(dir, nm));
	files_store_free(s);
	for (int i = 0; i < 3; i++)
		files_meta_clear(&m[i]);
	rm_rf(root);
}

TEST(fs_leftovers_cleaned)
{
	char root[512];
	fresh_dir("leftovers", root, sizeof root);
	files_store *s = open_fs(root, "", NULL);
	files_load_info li;
	files_store_load(s, &li);
	files_meta good;
	files_err e;
	CHECK_EQ_INT(put(s, "batch", "good", "good!", 5, 7, &good, &e), 0);
	files_store_free(s);
	/* what a crash or a torn write leaves behind */
	write_file(root, "file-lc-aaaaaaaaaaaaaaaaaaaaaaaa.data.tmp", "half");          /* torn data */
	write_file(root, "file-lc-bbbbbbbbbbbbbbbbbbbbbbbb.data", "data");              /* no metadata */
	write_file(root, "file-lc-bbbbbbbbbbbbbbbbbbbbbbbb.json.tmp", "{\"id\":");    /* torn metadata */
	write_file(root, "file-lc-cccccccccccccccccccccccc.data", "abc");               /* size mismatch */
	write_file(root, "file-lc-cccccccccccccccccccccccc.json",
		   "{\"id\":\"file-lc-cccccccccccccccccccccccc\",\"object\":\"file\",\"bytes\":99,\"created_at\":1,"
		   "\"filename\":\"c\",\"purpose\":\"batch\",\"status\":\"processed\",\"seq\":1}");
	write_file(root, "file-lc-dddddddddddddddddddddddd.json", "not json");          /* bad metadata */
	write_file(root, "file-lc-dddddddddddddddddddddddd.data", "d");
	write_file(root, "file-lc-eeeeeeeeeeeeeeeeeeeeeeee.json",                         /* metadata, no data */
		   "{\"id\":\"file-lc-eeeeeeeeeeeeeeeeeeeeeeee\",\"bytes\":0,\"created_at\":1,"
		   "\"filename\":\"e\",\"purpose\":\"batch\"}");
	write_file(root, "file-lc-ffffffffffffffffffffffff.json",                         /* id not its name */
		   "{\"id\":\"file-lc-000000000000000000000000\",\"bytes\":1,\"created_at\":1,"
		   "\"filename\":\"f\",\"purpose\":\"batch\"}");
	write_file(root, "file-lc-ffffffffffffffffffffffff.data", "f");
	write_file(root, "unrelated.txt", "keep me");
	write_file(root, "file-lc-aaaaaaaaaaaaaaaaaaaaaaaa.data.bak", "keep me too");
	s = open_fs(root, "", NULL);
	CHECK_EQ_INT(files_store_load(s, &li), 0);
	CHECK_EQ_INT(li.files, 1);
	CHECK_EQ_INT(li.removed, 7);
	files_meta *v;
	size_t n;
	CHECK_EQ_INT(files_store_list(s, &v, &n), 0);
	CHECK_EQ_INT(n, 1);
	if (n == 1)
		CHECK_EQ_STR(v[0].id, good.id);
	files_list_free(v, n);
	files_meta m;
	CHECK_EQ_INT(files_store_get(s, STR_LIT("file-lc-cccccccccccccccccccccccc"), &m), ERR_NOTFOUND);
	CHECK_EQ_INT(count_entries(root), 4); /* good (2), unrelated.txt, the .bak */
	CHECK(file_exists(root, "unrelated.txt"));
	CHECK(file_exists(root, "file-lc-aaaaaaaaaaaaaaaaaaaaaaaa.data.bak"));
	CHECK(!file_exists(root, "file-lc-bbbbbbbbbbbbbbbbbbbbbbbb.data"));
	files_store_free(s);
	files_meta_clear(&good);
	rm_rf(root);
}

/* write(2) that fails with ENOSPC once `room` bytes were written in total. */
static size_t room;
static ssize_t full_write(int fd, const void *p, size_t n)
{
	if (room == 0) {
		errno = ENOSPC;
		return -1;
	}
	size_t k = n < room ? n : room;
	ssize_t w = write(fd, p, k);
	if (w > 0)
		room -= (size_t)w;
	return w;
}

TEST(fs_full_disk_injected)
{
	char root[512];
	fresh_dir("full", root, sizeof root);
	files_store *s = open_fs(root, "p-", full_write);
	files_store_load(s, NULL);
	files_meta m;
	files_err e;
	/* the data does not fit: partial write, then ENOSPC */
	room = 10;
	CHECK_EQ_INT(put(s, "batch", "big", "0123456789abcdef", 16, 1, &m, &e), ERR_IO);
	CHECK(e.full);
	CHECK_EQ_INT(e.sys, ENOSPC);
	CHECK(strstr(e.msg, "No space left") != NULL);
	CHECK_EQ_INT(count_entries(root), 0);
	/* the data fits, the metadata does not: the data goes too */
	room = 20;
	CHECK_EQ_INT(put(s, "batch", "big", "0123456789abcdef", 16, 2, &m, &e), ERR_IO);
	CHECK(e.full);
	CHECK_EQ_INT(count_entries(root), 0);
	files_meta *v;
	size_t n;
	CHECK_EQ_INT(files_store_list(s, &v, &n), 0);
	CHECK_EQ_INT(n, 0);
	files_list_free(v, n);
	/* room again: works */
	room = 100000;
	CHECK_EQ_INT(put(s, "batch", "big", "0123456789abcdef", 16, 3, &m, &e), 0);
	files_meta_clear(&m);
	CHECK_EQ_INT(count_entries(root), 2);
	files_store_free(s);
	/* and a restart sees only the good one */
	s = open_fs(root, "p-", NULL);
	files_load_info li;
	files_store_load(s, &li);
	CHECK_EQ_INT(li.files, 1);
	CHECK_EQ_INT(li.removed, 0);
	files_store_free(s);
	rm_rf(root);
}

TEST(fs_full_disk_rlimit)
{
	char root[512];
	fresh_dir("rlimit", root, sizeof root);
	files_store *s = open_fs(root, "", NULL); /* ignores SIGXFSZ */
	files_store_load(s, NULL);
	struct rlimit old, lim;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 4096;
	CHECK_EQ_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
	static char big[10000];
	memset(big, 'x', sizeof big);
	files_meta m;
	files_err e;
	int rc = put(s, "batch", "big", big, sizeof big, 1, &m, &e);
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK_EQ_INT(rc, ERR_IO);
	CHECK(e.full);
	CHECK_EQ_INT(e.sys, EFBIG);
	CHECK_EQ_INT(count_entries(root), 0);
	CHECK_EQ_INT(put(s, "batch", "small", "ok", 2, 2, &m, &e), 0);
	files_meta_clear(&m);
	files_store_free(s);
	rm_rf(root);
}

TEST(fs_prefix_dirs)
{
	char root[512], dir[600];
	fresh_dir("prefix", root, sizeof root);
	files_store *s = open_fs(root, "a/b/pfx-", NULL);
	CHECK(s != NULL);
	if (!s)
		return;
	snprintf(dir, sizeof dir, "%s/a/b", root);
	CHECK_EQ_STR(files_store_dir(s), dir);
	files_store_load(s, NULL);
	files_meta m;
	CHECK_EQ_INT(put(s, "batch", "x", "x", 1, 1, &m, NULL), 0);
	char nm[128];
	snprintf(nm, sizeof nm, "pfx-%s.data", m.id);
	CHECK(file_exists(dir, nm));
	snprintf(nm, sizeof nm, "pfx-%s.json", m.id);
	CHECK(file_exists(dir, nm));
	files_meta_clear(&m);
	files_store_free(s);
	/* a file without the name prefix is not ours */
	write_file(dir, "file-lc-aaaaaaaaaaaaaaaaaaaaaaaa.data", "x");
	s = open_fs(root, "a/b/pfx-", NULL);
	files_load_info li;
	files_store_load(s, &li);
	CHECK_EQ_INT(li.files, 1);
	CHECK_EQ_INT(li.removed, 0);
	CHECK(file_exists(dir, "file-lc-aaaaaaaaaaaaaaaaaaaaaaaa.data"));
	files_store_free(s);

	files_store_config c = { .backend = FILES_FS, .root = root, .prefix = "../escape/" };
	char err[256];
	CHECK_EQ_INT(files_store_open(&s, &c, err, sizeof err), ERR_INVAL);
	CHECK(strstr(err, "..") != NULL);
	c.prefix = "x";
	c.root = NULL;
	CHECK_EQ_INT(files_store_open(&s, &c, err, sizeof err), ERR_INVAL);
	c.root = "/proc/no-such-dir/x";
	CHECK(files_store_open(&s, &c, err, sizeof err) < 0);
	CHECK(strstr(err, "cannot create directory") != NULL);
	rm_rf(root);
}

TEST(fs_shared_dir)
{
	char root[512];
	fresh_dir("shared", root, sizeof root);
	files_store *a = open_fs(root, "", NULL), *b = open_fs(root, "", NULL);
	files_load_info la, lb;
	files_store_load(a, &la);
	files_store_load(b, &lb);
	CHECK(la.owner);
	CHECK(!lb.owner);
	files_meta m, g;
	CHECK_EQ_INT(put(a, "batch", "from-a", "AAA", 3, 1, &m, NULL), 0);
	/* b did not load it, but finds it by id */
	CHECK_EQ_INT(files_store_get(b, str_from(m.id), &g), 0);
	CHECK_EQ_STR(g.filename, "from-a");
	files_meta_clear(&g);
	buf d = { 0 };
	CHECK_EQ_INT(files_store_read(b, str_from(m.id), &g, &d, NULL), 0);
	CHECK_EQ_MEM(d.data, d.len, "AAA", 3);
	files_meta_clear(&g);
	buf_free(&d);
	/* a tmp file of a live writer is left alone by a non-owner */
	write_file(root, "file-lc-aaaaaaaaaaaaaaaaaaaaaaaa.data.tmp", "in flight");
	files_store_free(b);
	b = open_fs(root, "", NULL);
	files_store_load(b, &lb);
	CHECK(!lb.owner);
	CHECK_EQ_INT(lb.removed, 0);
	CHECK(file_exists(root, "file-lc-aaaaaaaaaaaaaaaaaaaaaaaa.data.tmp"));
	CHECK_EQ_INT(files_store_delete(b, str_from(m.id), NULL), 0);
	files_store_free(b);
	files_store_free(a);
	/* the owner is gone: the next one cleans */
	b = open_fs(root, "", NULL);
	files_store_load(b, &lb);
	CHECK(lb.owner);
	CHECK_EQ_INT(lb.files, 0);
	CHECK_EQ_INT(lb.removed, 1);
	files_store_free(b);
	files_meta_clear(&m);
	rm_rf(root);
}

static void *load_thread(void *p)
{
	usleep(50000);
	files_store_load(p, NULL);
	return NULL;
}

TEST(fs_calls_wait_for_load)
{
	char root[512];
	fresh_dir("wait", root, sizeof root);
	files_store *s = open_fs(root, "", NULL);
	files_store_load(s, NULL);
	files_meta m;
	put(s, "batch", "x", "x", 1, 1, &m, NULL);
	files_store_free(s);
	s = open_fs(root, "", NULL);
	pthread_t th;
	pthread_create(&th, NULL, load_thread, s);
	files_meta *v;
	size_t n;
	CHECK_EQ_INT(files_store_list(s, &v, &n), 0); /* waits for the scan */
	CHECK_EQ_INT(n, 1);
	files_list_free(v, n);
	pthread_join(th, NULL);
	files_store_free(s);
	files_meta_clear(&m);
	rm_rf(root);
}

TEST(fs_many_files_load)
{
	char root[512];
	fresh_dir("many", root, sizeof root);
	files_store *s = open_fs(root, "", NULL);
	files_store_load(s, NULL);
	files_store_free(s);
	/* 2000 complete files written directly (no fsync: this is about the scan) */
	for (int i = 0; i < 2000; i++) {
		char id[40], nm[64], js[256];
		snprintf(id, sizeof id, "file-lc-%024x", i);
		snprintf(nm, sizeof nm, "%s.data", id);
		write_file(root, nm, "xy");
		snprintf(nm, sizeof nm, "%s.json", id);
		snprintf(js, sizeof js,
			 "{\"id\":\"%s\",\"object\":\"file\",\"bytes\":2,\"created_at\":%d,\"filename\":\"f%d\","
			 "\"purpose\":\"batch\",\"status\":\"processed\",\"seq\":%d}", id, i, i, i);
		write_file(root, nm, js);
	}
	s = open_fs(root, "", NULL);
	files_load_info li;
	CHECK_EQ_INT(files_store_load(s, &li), 0);
	CHECK_EQ_INT(li.files, 2000);
	files_meta *v;
	size_t n;
	files_store_list(s, &v, &n);
	CHECK_EQ_INT(n, 2000);
	if (n == 2000) {
		CHECK_EQ_STR(v[0].filename, "f1999");
		CHECK_EQ_STR(v[1999].filename, "f0");
	}
	files_list_free(v, n);
	files_store_free(s);
	rm_rf(root);
}

/* ---- the gateway side ---------------------------------------------------------------------- */

static const char *env_none(void *ud, const char *name)
{
	(void)ud;
	(void)name;
	return NULL;
}

static config *load_cfg(const char *backend, const char *root)
{
	char text[2048];
	snprintf(text, sizeof text,
		 "[general]\nmaster_key = \"sk-m\"\nmax_retries = 0\n"
		 "[[models]]\nname = \"m\"\nprovider_model = \"openai/m\"\nbase_url = \"http://127.0.0.1:9/v1\"\n"
		 "api_key = \"sk-p\"\n"
		 "[files]\nmode = \"local\"\nbackend = \"%s\"\n%s%s%s",
		 backend, root ? "[files.backend_config]\nroot = \"" : "", root ? root : "", root ? "\"\n" : "");
	config *c = NULL;
	config_errors e = { 0 };
	if (config_load_text("t.toml", text, strlen(text), NULL, NULL, &c, &e) < 0)
		printf("config: %s\n", e.n ? e.v[0].text : "?");
	config_errors_free(&e);
	return c;
}

/* The fake world: one loop's post queue (filled from the store thread), the
 * provider (requests recorded, answered by hand), the sink. */
typedef struct fw {
	pthread_mutex_t mu;
	struct { void (*fn)(void *); void *arg; } q[64];
	int nq;
	/* provider */
	int requests, cancels;
	http_client_spec spec;
	char method[16], url[512], ctype[256];
	buf body;
	/* sink: the call's arena is freed on respond, like the server does */
	arena *a;
	int responded, status;
	buf out;
} fw;

static int fw_post(void *ud, void (*fn)(void *), void *arg)
{
	fw *w = ud;
	pthread_mutex_lock(&w->mu);
	int rc = w->nq < 64 ? 0 : ERR_NOMEM;
	if (!rc) {
		w->q[w->nq].fn = fn;
		w->q[w->nq].arg = arg;
		w->nq++;
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static int fw_queued(fw *w)
{
	pthread_mutex_lock(&w->mu);
	int n = w->nq;
	pthread_mutex_unlock(&w->mu);
	return n;
}

/* Wait (up to 5 s) until n completions are queued. */
static bool fw_wait(fw *w, int n)
{
	for (int i = 0; i < 5000 && fw_queued(w) < n; i++)
		usleep(1000);
	return fw_queued(w) >= n;
}

/* Run the queued completions (the loop's next iteration). */
static void fw_drain(fw *w)
{
	for (;;) {
		pthread_mutex_lock(&w->mu);
		if (!w->nq) {
			pthread_mutex_unlock(&w->mu);
			return;
		}
		void (*fn)(void *) = w->q[0].fn;
		void *arg = w->q[0].arg;
		memmove(w->q, w->q + 1, (size_t)(--w->nq) * sizeof w->q[0]);
		pthread_mutex_unlock(&w->mu);
		fn(arg);
	}
}

static int fw_request(void *ud, const http_client_spec *s, void **h, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	fw *w = ud;
	w->requests++;
	w->spec = *s;
	snprintf(w->method, sizeof w->method, "%.*s", (int)s->method.n, s->method.p);
	snprintf(w->url, sizeof w->url, "%.*s", (int)s->url.n, s->url.p);
	w->ctype[0] = 0;
	for (size_t i = 0; i < s->nheaders; i++)
		if (str_eq_nocase(s->headers[i].name, STR_LIT("content-type")))
			snprintf(w->ctype, sizeof w->ctype, "%.*s", (int)s->headers[i].value.n, s->headers[i].value.p);
	buf_reset(&w->body);
	buf_append(&w->body, s->body.p ? s->body.p : "", s->body.n);
	*h = w;
	return 0;
}
static void fw_nop(void *h) { (void)h; }
static void fw_cancel(void *h) { ((fw *)h)->cancels++; }

/* The provider answers the request in flight. */
static void fw_answer(fw *w, int status, const char *body)
{
	http_header hd[1] = { { STR_LIT("Content-Type"), STR_LIT("application/json") } };
	http_client_resp resp = { .status = status, .headers = hd, .nheaders = 1, .content_length = -1 };
	http_client_spec s = w->spec;
	s.cb.on_head(NULL, &resp, s.ud);
	s.cb.on_data(NULL, body, strlen(body), s.ud);
	s.cb.on_done(NULL, 0, "", s.ud);
}

static void fw_respond(void *ud, int status, const char *ct, const char *body, size_t n, int ra)
{
	(void)ct;
	(void)ra;
	fw *w = ud;
	w->responded++;
	w->status = status;
	buf_reset(&w->out);
	buf_append(&w->out, body, n);
	arena_free(w->a); /* the request is over: its arena goes now */
	free(w->a);
	w->a = NULL;
}
static int fw_begin(void *ud, int st, const char *ct) { (void)ud; (void)st; (void)ct; return -1; }
static int fw_write(void *ud, const char *p, size_t n) { (void)ud; (void)p; (void)n; return -1; }
static void fw_end(void *ud) { (void)ud; }

typedef struct env {
	config *c;
	gateway *g;
	fw w;
	gateway_upstream up;
	gateway_sink sink;
	gateway_principal master;
} env;

static bool env_open(env *e, const char *backend, const char *root, bool post)
{
	memset(e, 0, sizeof *e);
	pthread_mutex_init(&e->w.mu, NULL);
	e->c = load_cfg(backend, root);
	char err[512];
	if (!e->c || gateway_new(&e->g, e->c, (provider_env){ env_none, NULL }, err, sizeof err) < 0) {
		printf("  gateway_new: %s\n", e->c ? err : "config");
		return false;
	}
	e->up = (gateway_upstream){ fw_request, fw_nop, fw_nop, fw_cancel, &e->w, NULL, NULL, NULL, post ? fw_post : NULL };
	e->sink = (gateway_sink){ fw_respond, fw_begin, fw_write, fw_end, &e->w };
	e->master.master = true;
	return true;
}

static void env_close(env *e)
{
	fw_drain(&e->w);
	gateway_free(e->g);
	config_free(e->c);
	buf_free(&e->w.body);
	buf_free(&e->w.out);
	if (e->w.a) {
		arena_free(e->w.a);
		free(e->w.a);
	}
	pthread_mutex_destroy(&e->w.mu);
}

/* Start a management op in a fresh (heap) arena. */
static gateway_call *start(env *e, gateway_mop op, const char *id, const char *query, const char *body,
			   const char *ctype)
{
	e->w.a = calloc(1, sizeof *e->w.a);
	gateway_mreq m = { .op = op, .id = str_from(id), .query = str_from(query), .body = str_from(body),
			   .content_type = str_from(ctype) };
	return gateway_master_start(e->g, &e->up, &e->master, &m, e->w.a, &e->sink);
}

/* The id of a FileObject answer. */
static void out_id(env *e, char id[64])
{
	const char *p = e->w.out.data ? strstr(e->w.out.data, "\"id\":\"") : NULL;
	snprintf(id, 64, "%.*s", p ? (int)strcspn(p + 6, "\"") : 0, p ? p + 6 : "");
}

/* Start, let the store finish, run the completion: the answer. */
static int roundtrip(env *e, gateway_mop op, const char *id, const char *query, const char *body, const char *ctype)
{
	int before = e->w.responded;
	gateway_call *c = start(e, op, id, query, body, ctype);
	if (c && e->w.responded == before) {
		fw_wait(&e->w, 1);
		fw_drain(&e->w);
	}
	return e->w.responded == before + 1 ? e->w.status : -1;
}

#define JSON "application/json"

TEST(gw_fs_through_post)
{
	char root[512];
	fresh_dir("gw", root, sizeof root);
	env e;
	if (!env_open(&e, "fs", root, true))
		return;
	/* the answer never comes from inside gateway_master_start */
	gateway_call *c = start(&e, GATEWAY_M_CREATE_FILE, "", "", "{\"file\":\"aGVsbG8=\",\"purpose\":\"batch\",\"filename\":\"h.txt\"}", JSON);
	CHECK(c != NULL);
	CHECK_EQ_INT(e.w.responded, 0);
	CHECK(fw_wait(&e.w, 1));
	fw_drain(&e.w);
	CHECK_EQ_INT(e.w.responded, 1);
	CHECK_EQ_INT(e.w.status, 200);
	CHECK(strstr(e.w.out.data, "\"bytes\":5,") && strstr(e.w.out.data, "\"filename\":\"h.txt\",\"purpose\":\"batch\",\"status\":\"processed\"}"));
	char id[64];
	out_id(&e, id);
	CHECK(files_store_id_valid(str_from(id)));
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_FILE_CONTENT, id, "", "", ""), 200);
	CHECK_EQ_MEM(e.w.out.data, e.w.out.len, "hello", 5);
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_RETRIEVE_FILE, id, "", "", ""), 200);
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_LIST_FILES, "", "limit=5&purpose=batch", "", ""), 200);
	CHECK(strstr(e.w.out.data, id) && strstr(e.w.out.data, "\"has_more\":false}"));
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_LIST_FILES, "", "limit=0", "", ""), 400);
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_DELETE_FILE, id, "", "", ""), 200);
	CHECK(strstr(e.w.out.data, "\"deleted\":true"));
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_RETRIEVE_FILE, id, "", "", ""), 404);
	CHECK(strstr(e.w.out.data, "\"type\":\"NotFound\""));
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_RETRIEVE_FILE, "file-lc-../../etc/passwd", "", "", ""), 404);
	/* request errors are answered at once */
	CHECK(start(&e, GATEWAY_M_CREATE_FILE, "", "", "{\"file\":\"aGk=\",\"purpose\":\"x\"}", JSON) == NULL);
	CHECK_EQ_INT(e.w.status, 422);
	CHECK(start(&e, GATEWAY_M_CREATE_FILE, "", "", "x", "text/plain") == NULL);
	CHECK_EQ_INT(e.w.status, 415);
	CHECK_EQ_INT(e.w.requests, 0); /* the provider was never asked */
	/* a virtual key: 403 before anything */
	gateway_principal vk = { .master = false, .key_id = "vk-0000000000000000" };
	e.w.a = calloc(1, sizeof *e.w.a);
	gateway_mreq m = { .op = GATEWAY_M_LIST_FILES, .id = STR_LIT(""), .query = STR_LIT(""), .body = STR_LIT(""),
			   .content_type = STR_LIT("") };
	CHECK(gateway_master_start(e.g, &e.up, &vk, &m, e.w.a, &e.sink) == NULL);
	CHECK_EQ_INT(e.w.status, 403);
	env_close(&e);
	rm_rf(root);
}

TEST(gw_cancel_races)
{
	char root[512];
	fresh_dir("gwc", root, sizeof root);
	env e;
	if (!env_open(&e, "fs", root, true))
		return;
	static char body[300000];
	/* cancel while the store thread works (or before it started): the runner frees the job */
	for (int i = 0; i < 20; i++) {
		size_t k = 4000 * (size_t)(i + 1);
		memcpy(body, "{\"file\":\"", 9);
		memset(body + 9, 'A', k);
		strcpy(body + 9 + k, "\",\"purpose\":\"batch\"}");
		gateway_call *c = start(&e, GATEWAY_M_CREATE_FILE, "", "", body, JSON);
		CHECK(c != NULL);
		gateway_call_cancel(c);
		arena_free(e.w.a); /* the surface frees the request right after the cancel */
		free(e.w.a);
		e.w.a = NULL;
	}
	/* cancel after the completion was posted: the completion frees the job */
	gateway_call *c = start(&e, GATEWAY_M_LIST_FILES, "", "", "", "");
	CHECK(fw_wait(&e.w, 1));
	gateway_call_cancel(c);
	arena_free(e.w.a);
	free(e.w.a);
	e.w.a = NULL;
	usleep(100000); /* let the store thread finish whatever it still had */
	fw_drain(&e.w);
	CHECK_EQ_INT(e.w.responded, 0);
	/* cancelled uploads may or may not have been stored, never half */
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_LIST_FILES, "", "", "", ""), 200);
	env_close(&e);
	rm_rf(root);
}

TEST(gw_inline_without_post)
{
	char root[512];
	fresh_dir("gwi", root, sizeof root);
	env e;
	if (!env_open(&e, "fs", root, false))
		return;
	CHECK(start(&e, GATEWAY_M_CREATE_FILE, "", "", "{\"file\":\"eHl6\",\"purpose\":\"vision\"}", JSON) == NULL);
	CHECK_EQ_INT(e.w.responded, 1);
	CHECK_EQ_INT(e.w.status, 200);
	CHECK(strstr(e.w.out.data, "\"filename\":\"upload\""));
	env_close(&e);
	/* memory with post: still through the post */
	if (!env_open(&e, "memory", NULL, true))
		return;
	gateway_call *c = start(&e, GATEWAY_M_CREATE_FILE, "", "", "{\"file\":\"eHl6\",\"purpose\":\"vision\"}", JSON);
	CHECK(c != NULL && e.w.responded == 0 && fw_queued(&e.w) == 1);
	fw_drain(&e.w);
	CHECK_EQ_INT(e.w.status, 200);
	/* memory: the upload's memory cap is LIMIT_FILES_MEMORY_BYTES (tested in memory_caps) */
	env_close(&e);
	rm_rf(root);
}

TEST(gw_multipart_upload)
{
	env e;
	if (!env_open(&e, "memory", NULL, true))
		return;
	const char *form = "--XyZ\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n"
			   "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"d\xc3\xa9.jsonl\"\r\n"
			   "Content-Type: application/octet-stream\r\n\r\n{\"a\":1}\n\r\n--XyZ--\r\n";
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_CREATE_FILE, "", "", form, "multipart/form-data; boundary=XyZ"), 200);
	CHECK(strstr(e.w.out.data, "\"bytes\":8,") && strstr(e.w.out.data, "\"filename\":\"d\xc3\xa9.jsonl\",\"purpose\":\"fine-tune\""));
	const char *nopurpose = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nx\r\n--XyZ--\r\n";
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_CREATE_FILE, "", "", nopurpose, "multipart/form-data; boundary=XyZ"), 422);
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_CREATE_FILE, "", "", "garbage", "multipart/form-data; boundary=XyZ"), 400);
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_CREATE_FILE, "", "", "x", "multipart/form-data"), 400);
	env_close(&e);
}

TEST(gw_fall_through_and_batch)
{
	env e;
	if (!env_open(&e, "memory", NULL, true))
		return;
	/* a provider id goes to the provider */
	gateway_call *c = start(&e, GATEWAY_M_RETRIEVE_FILE, "file-abc", "", "", "");
	CHECK(c != NULL);
	CHECK_EQ_INT(e.w.requests, 1);
	CHECK_EQ_STR(e.w.url, "http://127.0.0.1:9/v1/files/file-abc");
	fw_answer(&e.w, 200, "{\"id\":\"file-abc\",\"object\":\"file\"}");
	CHECK_EQ_INT(e.w.status, 200);

	/* create_batch from a local file */
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_CREATE_FILE, "", "", "{\"file\":\"eyJ4IjoxfQo=\",\"purpose\":\"batch\",\"filename\":\"in.jsonl\"}", JSON), 200);
	char id[64], body[512];
	out_id(&e, id);
	snprintf(body, sizeof body,
		 "{\"metadata\":{\"k\":\"v\"},\"input_file_id\":\"%s\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}", id);
	c = start(&e, GATEWAY_M_CREATE_BATCH, "", "", body, JSON);
	CHECK(c != NULL);
	CHECK(fw_wait(&e.w, 1));
	fw_drain(&e.w); /* the local read is done: the upload goes out */
	CHECK_EQ_INT(e.w.requests, 2);
	CHECK_EQ_STR(e.w.method, "POST");
	CHECK_EQ_STR(e.w.url, "http://127.0.0.1:9/v1/files");
	CHECK(strncmp(e.w.ctype, "multipart/form-data; boundary=", 30) == 0);
	CHECK(strstr(e.w.body.data, "name=\"purpose\"\r\n\r\nbatch\r\n") != NULL);
	CHECK(strstr(e.w.body.data, "filename=\"in.jsonl\"") && strstr(e.w.body.data, "\r\n\r\n{\"x\":1}\n\r\n--"));
	fw_answer(&e.w, 200, "{\"id\":\"file-up-1\",\"object\":\"file\"}");
	CHECK_EQ_INT(e.w.responded, 2); /* not yet */
	CHECK_EQ_INT(e.w.requests, 3);
	CHECK_EQ_STR(e.w.url, "http://127.0.0.1:9/v1/batches");
	CHECK_EQ_STR(e.w.body.data, "{\"metadata\":{\"k\":\"v\"},\"input_file_id\":\"file-up-1\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
	fw_answer(&e.w, 200, "{\"id\":\"batch_9\",\"input_file_id\":\"file-up-1\"}");
	CHECK_EQ_INT(e.w.responded, 3);
	CHECK_EQ_STR(e.w.out.data, "{\"id\":\"batch_9\",\"input_file_id\":\"file-up-1\"}");

	/* the provider refuses the upload: its error is the answer, no batch */
	c = start(&e, GATEWAY_M_CREATE_BATCH, "", "", body, JSON);
	fw_wait(&e.w, 1);
	fw_drain(&e.w);
	CHECK_EQ_INT(e.w.requests, 4);
	fw_answer(&e.w, 413, "{\"error\":{\"message\":\"too big\"}}");
	CHECK_EQ_INT(e.w.status, 400);
	CHECK(strstr(e.w.out.data, "bad request: too big") != NULL);
	CHECK_EQ_INT(e.w.requests, 4);

	/* cancel during the upload: the provider call is cancelled too */
	c = start(&e, GATEWAY_M_CREATE_BATCH, "", "", body, JSON);
	fw_wait(&e.w, 1);
	fw_drain(&e.w);
	CHECK_EQ_INT(e.w.requests, 5);
	int resp = e.w.responded;
	gateway_call_cancel(c);
	CHECK_EQ_INT(e.w.cancels, 1);
	arena_free(e.w.a);
	free(e.w.a);
	e.w.a = NULL;
	CHECK_EQ_INT(e.w.responded, resp);

	/* an unknown local input file: 404, the provider is not asked */
	CHECK_EQ_INT(roundtrip(&e, GATEWAY_M_CREATE_BATCH, "", "",
			       "{\"input_file_id\":\"file-lc-000000000000000000000000\",\"endpoint\":\"e\",\"completion_window\":\"24h\"}", JSON), 404);
	CHECK_EQ_INT(e.w.requests, 5);
	/* a provider input file: proxied as it is */
	c = start(&e, GATEWAY_M_CREATE_BATCH, "", "", "{\"input_file_id\":\"file-p\",\"endpoint\":\"e\",\"completion_window\":\"24h\"}", JSON);
	CHECK_EQ_INT(e.w.requests, 6);
	CHECK_EQ_STR(e.w.url, "http://127.0.0.1:9/v1/batches");
	fw_answer(&e.w, 200, "{}");
	env_close(&e);
}

int main(void)
{
	RUN(id_valid);
	RUN(memory_ops);
	RUN(memory_caps);
	RUN(memory_threads);
	RUN(fs_ops_and_restart);
	RUN(fs_leftovers_cleaned);
	RUN(fs_full_disk_injected);
	RUN(fs_full_disk_rlimit);
	RUN(fs_prefix_dirs);
	RUN(fs_shared_dir);
	RUN(fs_calls_wait_for_load);
	RUN(fs_many_files_load);
	RUN(gw_fs_through_post);
	RUN(gw_cancel_races);
	RUN(gw_inline_without_post);
	RUN(gw_multipart_upload);
	RUN(gw_fall_through_and_batch);
	if (tmproot[0])
		rm_rf(tmproot);
	return t_done();
}
