/* test_files_store.c — the local files store (gateway/files_store): memory
 * and fs backends (put/get/read/list/delete, order, caps), restart reload,
 * leftovers of crashes (tmp files, orphans, size mismatches, bad metadata)
 * ignored and cleaned, a full disk (injected write(2) failures and
 * RLIMIT_FSIZE) leaving no visible file, prefixes with directories, two
 * stores sharing a directory, load on another thread. */
#include "t.h"
#include "base/buf.h"
#include "base/err.h"
#include "gateway/files_store.h"
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
	if (tmproot[0])
		rm_rf(tmproot);
	return t_done();
}
