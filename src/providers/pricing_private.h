/* pricing_private.h — the generated pricing tables (pricing_gen.c) shared
 * with pricing.c. Not for other modules: use pricing.h. */
#ifndef PROVIDERS_PRICING_PRIVATE_H
#define PROVIDERS_PRICING_PRIVATE_H
#include "providers/pricing.h"

typedef struct pricing_key {
	const char *key;        /* "provider/model", or the bare model id */
	uint16_t entry;         /* index into pricing_entries */
} pricing_key;

extern const size_t pricing_n_entries;
extern const size_t pricing_n_keys;
extern const pricing_entry pricing_entries[]; /* sorted by (provider, model), strcmp order */
extern const pricing_key pricing_keys[];      /* sorted by key, strcmp order */

#endif
