/* files_store.h — the files store behind `[files] mode = "local"`: file bytes
 * and their metadata under ids "file-lc-<24 hex>" (96 random bits, never an
 * upstream provider's id), in one of two backends:
 *
 *  - memory: per process, shared by every thread (one mutex), capped in total
 *    bytes; everything is lost when the process ends.
 *  - fs: <dir>/<name><id>.data (the bytes) and <dir>/<name><id>.json beside it
 *    (the FileObject fields + an ordering key), where <dir>/<name> is
 *    root + "/" + prefix split at its last '/' (prefix "liter-llm-files/"
 *    -> directory <root>/liter-llm-files, no name prefix). Each file is
 *    written to "<final>.tmp", fsynced, renamed over <final>, and the
 *    directory fsynced: data first, metadata second. A file exists for the
 *    store only when its .json exists and its .data has the recorded size,
 *    so neither a crash (kill -9, power loss) nor a failed write (full disk)
 *    ever shows a half file; files_store_load() removes what such events
 *    leave behind (tmp files, data without metadata, size mismatches).
 *    Delete removes the .json first. The metadata of every file is kept in
 *    memory (loaded at start); the bytes are read from disk on demand.
 *
 * Every call is synchronous and thread-safe (one mutex). The fs calls block
 * on disk I/O (write + fsync + rename): run them on a helper thread, never on
 * a loop thread (gateway_files.c does). Calls made before files_store_load()
 * finished wait for it (so load may run on another thread right after open).
 *
 * Several processes may share one fs directory (an `api` and an `mcp` on the
 * same config): the first takes an advisory lock (flock on
 * <dir>/<name>file-lc.lock) and is the only one that cleans up at load;
 * an id that is not in a process's memory index is looked up on disk, so a
 * file written by another process can be read, retrieved and deleted by id;
 * listings show what the process loaded at start plus what it wrote since. */
#ifndef GATEWAY_FILES_STORE_H
#define GATEWAY_FILES_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "base/buf.h"
#include "base/str.h"

#define FILES_ID_PREFIX "file-lc-"
#define FILES_ID_HEX 24                       /* 96 random bits */
#define FILES_ID_LEN (8 + FILES_ID_HEX)       /* "file-lc-" + hex */
#define FILES_PURPOSE_MAX 32

typedef enum files_backend { FILES_MEMORY = 0, FILES_FS } files_backend;

typedef struct files_store_config {
	files_backend backend;
	const char *root;             /* fs: the root directory (created when missing) */
	const char *prefix;           /* object name prefix (NULL = ""); no ".." segment */
	size_t max_file_bytes;        /* largest file; 0 = LIMIT_HTTP_BODY_BYTES */
	size_t max_total_bytes;       /* memory: all files together; 0 = LIMIT_FILES_MEMORY_BYTES */
	/* Tests: replaces write(2) for the data and metadata files (to simulate
	 * a full disk). NULL = write(2). */
	ssize_t (*write_fn)(int fd, const void *p, size_t n);
} files_store_config;

/* One file's metadata (the FileObject fields). */
typedef struct files_meta {
	char id[FILES_ID_LEN + 1];
	uint64_t bytes;
	int64_t created_at;           /* unix seconds */
	uint64_t seq;                 /* order of creation (newest = largest), unique per store */
	char purpose[FILES_PURPOSE_MAX + 1];
	char *filename;               /* malloc'd, NUL-terminated; owned by the holder: files_meta_clear */
	size_t filename_len;
} files_meta;

/* Why a call failed (besides its err_t). */
typedef struct files_err {
	int sys;                      /* errno of the failed system call, 0 = none */
	bool full;                    /* no room: ENOSPC / EDQUOT / EFBIG, or the memory cap */
	char msg[160];                /* what failed ("write file-lc-….data: No space left on device") */
} files_err;

typedef struct files_store files_store;

/* Open a store. fs: creates the directory (mkdir -p, mode 0700), opens it
 * and tries the lock; it does not read the directory (files_store_load).
 * Also ignores SIGXFSZ for the process, so a file size limit (RLIMIT_FSIZE)
 * makes a write fail with EFBIG (a full store) instead of killing it.
 * 0, or ERR_INVAL (bad config) / ERR_IO / ERR_NOMEM with a reason in err. */
int files_store_open(files_store **out, const files_store_config *c, char *err, size_t errlen);
/* Close (NULL-safe). No call may be running. */
void files_store_free(files_store *s);

/* What files_store_load found. */
typedef struct files_load_info {
	size_t files;                 /* files now in the store */
	size_t removed;               /* leftovers removed (tmp, orphans, mismatches) */
	bool owner;                   /* this process holds the directory lock */
} files_load_info;

/* fs: read the directory once (metadata of every file; a few thousand files
 * take milliseconds), removing leftovers when this process holds the lock.
 * memory: nothing. Marks the store loaded (waiting calls go on). 0 or ERR_IO
 * (the directory could not be read: the store stays empty but usable). info
 * may be NULL. */
int files_store_load(files_store *s, files_load_info *info);

/* Is id a well-formed local id ("file-lc-" + 24 lower-case hex digits)? */
bool files_store_id_valid(str id);

/* Store a new file under a fresh id: purpose (1..FILES_PURPOSE_MAX bytes),
 * filename (any bytes), the data; now_s / now_ns the wall clock (created_at,
 * and the base of seq). On success *out holds its metadata (files_meta_clear
 * it). Returns 0; ERR_TOOBIG (data over max_file_bytes), ERR_INVAL (purpose),
 * ERR_NOMEM, or ERR_IO with e->full for a full disk or memory cap; nothing of
 * the file is visible after an error. */
int files_store_put(files_store *s, str purpose, str filename, str data, int64_t now_s, uint64_t now_ns,
		    files_meta *out, files_err *e);
/* Metadata of id: 0 with *out (files_meta_clear it), ERR_NOTFOUND (also for
 * ids that are not well-formed), ERR_NOMEM. */
int files_store_get(files_store *s, str id, files_meta *out);
/* Metadata and bytes of id (appended to data, whose cap is raised to fit):
 * 0, ERR_NOTFOUND, ERR_NOMEM, ERR_IO (e: unreadable, or the data no longer
 * has the recorded size). */
int files_store_read(files_store *s, str id, files_meta *meta, buf *data, files_err *e);
/* Delete id: 0, ERR_NOTFOUND, ERR_IO. */
int files_store_delete(files_store *s, str id, files_err *e);
/* Every file, newest first (by seq): 0 with *out (files_list_free) and *n,
 * or ERR_NOMEM. */
int files_store_list(files_store *s, files_meta **out, size_t *n);
/* Files and bytes held now (either may be NULL). */
void files_store_stats(files_store *s, size_t *files, uint64_t *bytes);
/* fs: the directory the files are in (NULL for memory). */
const char *files_store_dir(const files_store *s);

void files_meta_clear(files_meta *m);          /* frees filename; NULL-safe */
void files_list_free(files_meta *v, size_t n); /* NULL-safe */

#endif
