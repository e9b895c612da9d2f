/* pricing.c — lookups over the generated pricing table (pricing_gen.c) and
 * the cost formula of governance.md. Pure. */
#include "providers/pricing_private.h"

#include <string.h>

size_t pricing_count(void) { return pricing_n_entries; }

const pricing_entry *pricing_at(size_t i)
{
	return i < pricing_n_entries ? &pricing_entries[i] : NULL;
}

/* strcmp order between a slice and a C string */
static int cmp(str a, const char *b)
{
	size_t bn = strlen(b);
	int c = memcmp(a.p, b, a.n < bn ? a.n : bn);
	if (c)
		return c;
	return a.n < bn ? -1 : a.n > bn;
}

static const pricing_entry *exact(str key)
{
	size_t lo = 0, hi = pricing_n_keys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp(key, pricing_keys[mid].key);
		if (!c)
			return &pricing_entries[pricing_keys[mid].entry];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const pricing_entry *pricing_find(str key)
{
	if (!key.p || !key.n)
		return NULL;
	for (;;) {
		const pricing_entry *p = exact(key);
		if (p)
			return p;
		size_t i = key.n;
		while (i > 0 && key.p[i - 1] != '-' && key.p[i - 1] != '.')
			i--;
		if (i <= 1) /* no separator, or only a leading one: nothing left */
			return NULL;
		key.n = i - 1;
	}
}

const pricing_entry *pricing_lookup(str provider_model, str model_id, str name)
{
	const pricing_entry *p = pricing_find(provider_model);
	if (!p)
		p = pricing_find(model_id);
	if (!p)
		p = pricing_find(name);
	return p;
}

size_t pricing_models(str provider, const pricing_entry **first)
{
	size_t lo = 0, hi = pricing_n_entries, n = 0;
	*first = NULL;
	if (!provider.p || !provider.n)
		return 0;
	/* lower bound of provider in the (provider, model)-sorted entries */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp(provider, pricing_entries[mid].provider) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < pricing_n_entries && !cmp(provider, pricing_entries[lo + n].provider))
		n++;
	if (n)
		*first = &pricing_entries[lo];
	return n;
}

void pricing_rates(const pricing_entry *p, uint64_t prompt_tokens, double *input, double *output)
{
	*input = p->input_cost_per_token;
	*output = p->output_cost_per_token;
	for (size_t i = 0; i < p->n_tiers; i++) {
		if (p->tiers[i].min_context_tokens > prompt_tokens)
			break;
		*input = p->tiers[i].input_cost_per_token;
		*output = p->tiers[i].output_cost_per_token;
	}
}

double pricing_cost_usd(const pricing_entry *p, uint64_t prompt_tokens, uint64_t cached_tokens,
			uint64_t completion_tokens)
{
	double in, out;
	if (!p)
		return 0.0;
	pricing_rates(p, prompt_tokens, &in, &out);
	if (cached_tokens > prompt_tokens)
		cached_tokens = prompt_tokens;
	double cache = p->cache_read_input_token_cost >= 0 ? p->cache_read_input_token_cost : in;
	return (double)(prompt_tokens - cached_tokens) * in + (double)cached_tokens * cache +
	       (double)completion_tokens * out;
}

uint64_t pricing_usd_to_micros(double usd)
{
	double m = usd * 1e6;
	if (!(m > 0))  /* negative, zero, NaN */
		return 0;
	if (m >= 18446744073709551615.0)
		return UINT64_MAX;
	return (uint64_t)(m + 0.5);
}
