/* provider_private.h — the generated registry tables (registry_gen.c) shared
 * with provider.c. Not for other modules: use provider.h. */
#ifndef PROVIDERS_PROVIDER_PRIVATE_H
#define PROVIDERS_PROVIDER_PRIVATE_H
#include "providers/provider.h"

#define PROVIDER_ROWS 165 /* rows of providers.tsv; tools/gen_providers.py checks it */

extern const provider_row provider_rows[PROVIDER_ROWS];
extern const uint8_t provider_by_name[PROVIDER_ROWS]; /* indexes, names in strcmp order */

#endif
