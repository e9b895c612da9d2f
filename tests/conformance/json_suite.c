/* json_suite.c — JSONTestSuite driver for src/json (built by jsontestsuite.sh).
 * Usage: json_suite DIR — parses every file in DIR: y_* must be accepted,
 * n_* rejected, i_* only must not crash (the verdict is printed). Accepted
 * documents are walked completely (every string unescaped, every number
 * converted) and re-serialized through the writer, which must parse again.
 * Prints one line per failure and ends with "N passed, N failed". */
#include "json/json.h"
#include "json/json_write.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "../json_emit.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *p = malloc(cap);
	for (;;) {
		if (len == cap)
			p = realloc(p, cap *= 2);
		size_t r = fread(p + len, 1, cap - len, f);
		if (r == 0)
			break;
		len += r;
	}
	fclose(f);
	/* an exact-size copy, so ASan catches any read past the end */
	char *q = malloc(len ? len : 1);
	memcpy(q, p, len);
	free(p);
	*n = len;
	return q;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	DIR *dir = opendir(argv[1]);
	if (!dir) {
		perror(argv[1]);
		return 2;
	}
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] != 'y' && de->d_name[0] != 'n' && de->d_name[0] != 'i')
			continue;
		names = realloc(names, (nn + 1) * sizeof *names);
		names[nn++] = strdup(de->d_name);
	}
	closedir(dir);
	qsort(names, nn, sizeof *names, cmp);

	int passed = 0, failed = 0;
	int y_ok = 0, y_n = 0, n_ok = 0, n_n = 0, i_acc = 0, i_rej = 0;
	for (size_t k = 0; k < nn; k++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[1], names[k]);
		size_t len;
		char *js = slurp(path, &len);
		if (!js) {
			printf("FAIL %s: cannot read\n", names[k]);
			failed++;
			continue;
		}
		arena a = { 0 };
		json_doc d;
		json_err e = { 0 };
		int rc = json_parse_arena(&d, &a, js, len, NULL, &e);
		int walk = 0;
		if (rc > 0) {
			buf b = { 0 };
			json_writer w = { .out = &b };
			json_doc d2;
			walk = json_emit(&d, 0, &w, &a, true);
			if (!walk)
				walk = json_write_finish(&w);
			if (!walk && json_parse_arena(&d2, &a, b.data, b.len, NULL, NULL) != rc)
				walk = ERR_STATE;
			buf_free(&b);
		}
		char kind = names[k][0];
		if (kind == 'y') {
			y_n++;
			if (rc > 0 && !walk) {
				y_ok++;
				passed++;
			} else {
				failed++;
				if (rc > 0)
					printf("FAIL %s: accepted but walk/round trip failed: %s\n", names[k], err_str(walk));
				else
					printf("FAIL %s: rejected (%s: %s)\n", names[k], err_str(rc), e.msg);
			}
		} else if (kind == 'n') {
			n_n++;
			if (rc < 0) {
				n_ok++;
				passed++;
			} else {
				failed++;
				printf("FAIL %s: accepted\n", names[k]);
			}
		} else {
			if (rc > 0)
				i_acc++;
			else
				i_rej++;
			if (rc > 0 && walk) {
				failed++;
				printf("FAIL %s: accepted but walk/round trip failed: %s\n", names[k], err_str(walk));
			} else {
				passed++;
				if (rc > 0)
					printf("  %s: accepted\n", names[k]);
				else
					printf("  %s: rejected (%s: %s)\n", names[k], err_str(rc), e.msg);
			}
		}
		arena_free(&a);
		free(js);
		free(names[k]);
	}
	free(names);
	printf("y_: %d/%d accepted; n_: %d/%d rejected; i_: %d accepted, %d rejected\n",
		y_ok, y_n, n_ok, n_n, i_acc, i_rej);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
