/* pricing.h — the embedded pricing table (governance.md "Cost computation")
 * and the cost formula. Data: tools/pricing.tsv, generated into
 * pricing_gen.c by tools/gen_providers.py (`make regen`).
 *
 * Pure: const tables, no allocation. Rates are USD per token; an absent
 * optional rate is negative (PRICING_ABSENT). */
#ifndef PROVIDERS_PRICING_H
#define PROVIDERS_PRICING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/str.h"

#define PRICING_ABSENT (-1.0)

typedef struct pricing_tier {
	uint64_t min_context_tokens; /* applies when prompt_tokens >= this */
	double input_cost_per_token;
	double output_cost_per_token;
} pricing_tier;

typedef struct pricing_entry {
	const char *provider;        /* providers.tsv name: "openai", "anthropic", "gemini", "groq", ... */
	const char *model;           /* model id as the provider names it */
	double input_cost_per_token;
	double output_cost_per_token;
	double cache_read_input_token_cost;     /* PRICING_ABSENT: cached tokens billed at input rate */
	double cache_creation_input_token_cost; /* PRICING_ABSENT: no separate cache-write rate */
	const pricing_tier *tiers;   /* ascending min_context_tokens; NULL when none */
	uint8_t n_tiers;
} pricing_entry;

/* All entries, sorted by (provider, model). */
size_t pricing_count(void);
const pricing_entry *pricing_at(size_t i);   /* NULL when i >= count */

/* One lookup key: "provider/model", or a bare model id of the openai,
 * anthropic and gemini providers. Exact match first; otherwise cut the key
 * at its last '-' or '.' and retry until a match or nothing is left to cut
 * (gpt-4o-2024-08-06 -> gpt-4o-2024-08 -> gpt-4o-2024 -> gpt-4o).
 * NULL when unknown. */
const pricing_entry *pricing_find(str key);

/* The project's recommended lookup (governance.md, documented deviation):
 * provider_model (e.g. "openai/gpt-4o-2024-08-06"), then the bare upstream
 * model id, then the client-facing name. Empty slices are skipped. */
const pricing_entry *pricing_lookup(str provider_model, str model_id, str name);

/* The entries of one provider (contiguous): returns how many and sets
 * *first (NULL when none). For /v1/models in zero-config mode. */
size_t pricing_models(str provider, const pricing_entry **first);

/* Rates in effect for a prompt of prompt_tokens tokens: the tier with the
 * largest min_context_tokens <= prompt_tokens, else the base rates. */
void pricing_rates(const pricing_entry *p, uint64_t prompt_tokens, double *input, double *output);

/* cost_usd = (prompt - cached) * input + cached * cache_read (input rate
 * when absent) + completion * output, with the tier chosen by prompt_tokens.
 * cached is clamped to prompt. The gateway passes cached = 0. */
double pricing_cost_usd(const pricing_entry *p, uint64_t prompt_tokens, uint64_t cached_tokens,
			uint64_t completion_tokens);

/* USD to integer micro-dollars (the budget counters' unit), rounded to
 * nearest; negative or NaN -> 0, saturating at UINT64_MAX. */
uint64_t pricing_usd_to_micros(double usd);

#endif
