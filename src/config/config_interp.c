/* config_interp.c — ${VAR} interpolation of the raw config text (cli.md) and
 * the map that turns positions in the interpolated text back into positions
 * in the file the user wrote. */
#include "config/config_private.h"
#include "base/err.h"
#include <stdlib.h>
#include <string.h>

const char *config_env_getenv(void *ud, const char *name)
{
	(void)ud;
	return getenv(name);
}

static int sub_push(config_srcmap *m, config_sub s)
{
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 16;
		config_sub *v = realloc(m->subs, nc * sizeof *v);
		if (!v)
			return ERR_NOMEM;
		m->subs = v;
		m->cap = nc;
	}
	m->subs[m->n++] = s;
	return 0;
}

static int lines_of(const char *t, size_t n, size_t **out, size_t *nout)
{
	size_t cnt = 1;
	for (size_t i = 0; i < n; i++)
		if (t[i] == '\n')
			cnt++;
	size_t *v = malloc(cnt * sizeof *v);
	if (!v)
		return ERR_NOMEM;
	size_t k = 0;
	v[k++] = 0;
	for (size_t i = 0; i < n; i++)
		if (t[i] == '\n')
			v[k++] = i + 1;
	*out = v;
	*nout = cnt;
	return 0;
}

/* produced + a + b <= cap, without overflow */
static bool fits(size_t produced, size_t a, size_t b, size_t cap)
{
	return produced <= cap && a <= cap - produced && b <= cap - produced - a;
}

/* Value of the variable text[a..b) or "" (unset, empty name, '=' or NUL inside). */
static const char *lookup(const char *name, size_t n, config_env_fn env, void *ud)
{
	if (!env || n == 0 || memchr(name, '=', n) || memchr(name, '\0', n))
		return "";
	char small[256];
	char *nm = n < sizeof small ? small : malloc(n + 1);
	if (!nm)
		return "";
	memcpy(nm, name, n);
	nm[n] = '\0';
	const char *v = env(ud, nm);
	if (nm != small)
		free(nm);
	return v ? v : "";
}

int config_interp_map(const char *text, size_t len, config_env_fn env, void *env_ud, size_t cap,
		      buf *out, config_srcmap *map)
{
	size_t base = out->len;
	int subs = 0, rc;
	size_t i = 0, lit = 0;   /* lit: start of the pending literal run */
	while (i + 1 < len) {
		if (text[i] != '$' || text[i + 1] != '{') {
			i++;
			continue;
		}
		const char *close = memchr(text + i + 2, '}', len - (i + 2));
		if (!close)
			break;   /* unterminated: the rest is copied literally */
		size_t nlen = (size_t)(close - (text + i + 2));
		const char *val = lookup(text + i + 2, nlen, env, env_ud);
		size_t vlen = strlen(val);
		size_t lit_n = i - lit;
		if (!fits(out->len - base, lit_n, vlen, cap))
			return ERR_TOOBIG;
		if ((rc = buf_append(out, text + lit, lit_n)) < 0)
			return rc;
		size_t out_off = out->len - base;
		if ((rc = buf_append(out, val, vlen)) < 0)
			return rc;
		if (map && (rc = sub_push(map, (config_sub){ out_off, vlen, i, nlen + 3 })) < 0)
			return rc;
		subs++;
		i += nlen + 3;
		lit = i;
	}
	if (!fits(out->len - base, len - lit, 0, cap))
		return ERR_TOOBIG;
	if ((rc = buf_append(out, text + lit, len - lit)) < 0)
		return rc;
	if (map && subs) {
		map->in_len = len;
		map->out_len = out->len - base;
		if ((rc = lines_of(text, len, &map->in_lines, &map->n_in)) < 0)
			return rc;
		if ((rc = lines_of(out->data + base, out->len - base, &map->out_lines, &map->n_out)) < 0)
			return rc;
	}
	return subs;
}

int config_interpolate(const char *text, size_t len, config_env_fn env, void *env_ud, size_t cap, buf *out)
{
	return config_interp_map(text, len, env, env_ud, cap, out, NULL);
}

config_pos config_srcmap_pos(const config_srcmap *m, uint32_t line, uint32_t col)
{
	config_pos p = { line, col };
	if (!m || m->n == 0 || !m->out_lines || line == 0 || col == 0)
		return p;
	/* interpolated line:col -> offset */
	size_t li = line - 1 < m->n_out ? line - 1 : m->n_out - 1;
	size_t off = m->out_lines[li] + (col - 1);
	if (off > m->out_len)
		off = m->out_len;
	/* last substitution starting at or before off */
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->subs[mid].out_off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t in_off;
	if (lo == 0) {
		in_off = off;
	} else {
		const config_sub *s = &m->subs[lo - 1];
		if (off < s->out_off + s->out_len)
			in_off = s->in_off;
		else
			in_off = s->in_off + s->in_len + (off - (s->out_off + s->out_len));
	}
	if (in_off > m->in_len)
		in_off = m->in_len;
	/* offset -> original line:col */
	lo = 0;
	hi = m->n_in;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->in_lines[mid] <= in_off)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t ln = lo ? lo - 1 : 0;
	p.line = (uint32_t)(ln + 1);
	p.col = (uint32_t)(in_off - m->in_lines[ln] + 1);
	return p;
}

void config_srcmap_free(config_srcmap *m)
{
	if (!m)
		return;
	free(m->subs);
	free(m->in_lines);
	free(m->out_lines);
	memset(m, 0, sizeof *m);
}
