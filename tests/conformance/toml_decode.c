/* toml_decode.c — toml-test decoder: reads a TOML document (file argument or
 * stdin) and prints it as toml-test's tagged JSON on stdout. Exit 0 when the
 * document is valid, 1 with "line:col: message" on stderr when it is
 * rejected, 2 on usage or I/O errors. Anything else is a crash. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "toml/toml.h"

static void put_str(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\b': fputs("\\b", stdout); break;
		case '\f': fputs("\\f", stdout); break;
		default:
			if (c < 0x20 || c == 0x7f)
				printf("\\u%04x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

static void put_time(const toml_datetime *dt)
{
	printf("%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
	if (dt->frac_digits > 0) {
		int nd = dt->frac_digits > 9 ? 9 : dt->frac_digits;
		char f[16];
		snprintf(f, sizeof f, "%09u", (unsigned)dt->nanos);
		printf(".%.*s", nd, f);
	}
}

static void put_scalar(const char *type, const char *fmt_val)
{
	printf("{\"type\":\"%s\",\"value\":\"%s\"}", type, fmt_val);
}

static void put_value(const toml_value *v)
{
	char b[64];
	const toml_datetime *dt = &v->u.dt;
	switch (v->type) {
	case TOML_STRING:
		fputs("{\"type\":\"string\",\"value\":", stdout);
		put_str(v->u.s.p, v->u.s.n);
		putchar('}');
		break;
	case TOML_INTEGER:
		snprintf(b, sizeof b, "%lld", (long long)v->u.i);
		put_scalar("integer", b);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.f))
			snprintf(b, sizeof b, "nan");
		else if (isinf(v->u.f))
			snprintf(b, sizeof b, "%sinf", v->u.f < 0 ? "-" : "");
		else
			snprintf(b, sizeof b, "%.17g", v->u.f);
		put_scalar("float", b);
		break;
	case TOML_BOOL:
		put_scalar("bool", v->u.b ? "true" : "false");
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		printf("{\"type\":\"%s\",\"value\":\"",
		       v->type == TOML_DATETIME ? "datetime" : v->type == TOML_DATETIME_LOCAL ? "datetime-local"
		       : v->type == TOML_DATE_LOCAL ? "date-local" : "time-local");
		if (v->type != TOML_TIME_LOCAL)
			printf("%04d-%02d-%02d", dt->year, dt->month, dt->day);
		if (v->type != TOML_DATE_LOCAL) {
			if (v->type != TOML_TIME_LOCAL)
				putchar('T');
			put_time(dt);
		}
		if (v->type == TOML_DATETIME) {
			if (dt->offset_z)
				putchar('Z');
			else {
				int m = dt->offset_minutes < 0 ? -dt->offset_minutes : dt->offset_minutes;
				printf("%c%02d:%02d", dt->offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
			}
		}
		fputs("\"}", stdout);
		break;
	case TOML_ARRAY:
		putchar('[');
		for (size_t i = 0; i < v->u.arr.n; i++) {
			if (i)
				putchar(',');
			put_value(v->u.arr.items[i]);
		}
		putchar(']');
		break;
	case TOML_TABLE:
		putchar('{');
		for (size_t i = 0; i < v->u.tab.n; i++) {
			if (i)
				putchar(',');
			put_str(v->u.tab.items[i].key, v->u.tab.items[i].key_len);
			putchar(':');
			put_value(v->u.tab.items[i].val);
		}
		putchar('}');
		break;
	}
}

int main(int argc, char **argv)
{
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : stdin;
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	size_t cap = 1 << 16, n = 0;
	char *text = malloc(cap);
	for (;;) {
		if (!text)
			return 2;
		size_t r = fread(text + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		cap *= 2;
		text = realloc(text, cap);
	}
	if (f != stdin)
		fclose(f);

	arena a;
	arena_init(&a, 0, 0);
	toml_value *root = NULL;
	toml_error err;
	int rc = toml_parse(&a, text, n, &root, &err);
	free(text);
	if (rc) {
		fprintf(stderr, "%u:%u: %s (%s)\n", err.pos.line, err.pos.col, err.msg, err_str(rc));
		arena_free(&a);
		return 1;
	}
	put_value(root);
	putchar('\n');
	arena_free(&a);
	return 0;
}
