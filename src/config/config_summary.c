/* config_summary.c — the short human summary `liter-llm check-config`
 * prints: what the gateway will serve, never a secret value. */
#include "config/config_private.h"
#include "base/err.h"
#include <stdio.h>
#include <string.h>

#define PR(s, b) config_printable((s), strlen(s), 120, (b), sizeof(b))

static const char *stage_names(unsigned st, char *b, size_t cap)
{
	b[0] = '\0';
	const char *names[] = { "input", "output", "output_chunk" };
	for (int i = 0; i < 3; i++)
		if (st & (1u << i)) {
			size_t o = strlen(b);
			snprintf(b + o, cap - o, "%s%s", o ? ", " : "", names[i]);
		}
	if (!b[0])
		snprintf(b, cap, "no stage");
	return b;
}

int config_summary(const config *c, buf *out)
{
	char b1[512], b2[512];
	int rc = 0;
	rc |= buf_printf(out, "models: %zu %s, %zu %s\n", c->n_models, c->n_models == 1 ? "entry" : "entries", c->n_pools,
			 c->n_pools == 1 ? "name" : "names");
	for (size_t p = 0; p < c->n_pools; p++) {
		const config_pool *pl = &c->pools[p];
		if (pl->n == 1) {
			const config_model *m = &c->models[pl->models[0]];
			rc |= buf_printf(out, "  %s -> %s%s\n", PR(m->name, b1), PR(m->provider_model, b2),
					 m->base_url ? " (base_url set)" : "");
			continue;
		}
		rc |= buf_printf(out, "  %s (pool of %zu, %s):\n", PR(pl->name, b1), pl->n,
				 config_strategy_name(c->routing.strategy));
		for (size_t i = 0; i < pl->n; i++) {
			const config_model *m = &c->models[pl->models[i]];
			rc |= buf_printf(out, "    [%zu] %s%s\n", i, PR(m->provider_model, b2), m->base_url ? " (base_url set)" : "");
		}
	}
	rc |= buf_printf(out, "aliases: %zu\n", c->n_aliases);
	for (size_t i = 0; i < c->n_aliases; i++)
		rc |= buf_printf(out, "  %s\n", PR(c->aliases[i].pattern, b1));
	rc |= buf_printf(out, "keys: %zu\n", c->n_keys);
	for (size_t i = 0; i < c->n_keys; i++) {
		const config_key *k = &c->keys[i];
		rc |= buf_printf(out, "  %s (tenant %s%s", k->description ? PR(k->description, b1) : "<no description>",
				 PR(k->tenant_id, b2), k->tenant_derived ? ", derived" : "");
		if (k->models.n) {
			rc |= buf_puts(out, "; models ");
			for (size_t j = 0; j < k->models.n; j++)
				rc |= buf_printf(out, "%s%s", j ? ", " : "", PR(k->models.v[j], b1));
		}
		if (k->rpm_set)
			rc |= buf_printf(out, "; rpm %u", k->rpm);
		if (k->tpm_set)
			rc |= buf_printf(out, "; tpm %llu", (unsigned long long)k->tpm);
		if (k->budget_limit_set)
			rc |= buf_printf(out, "; budget $%.2f", k->budget_limit);
		if (k->n_creds)
			rc |= buf_printf(out, "; %zu provider credential%s", k->n_creds, k->n_creds == 1 ? "" : "s");
		rc |= buf_puts(out, ")\n");
	}
	rc |= buf_printf(out, "master key: %s\n", c->general.master_key ? "set" : "not set");
	rc |= buf_printf(out, "routing: %s", config_strategy_name(c->routing.strategy));
	if (c->routing.strategy == CONFIG_ROUTE_WEIGHTED) {
		rc |= buf_puts(out, " (weights");
		for (size_t i = 0; i < c->routing.n_weights; i++)
			rc |= buf_printf(out, "%s%g", i ? ", " : " ", c->routing.weights[i]);
		rc |= buf_puts(out, ")");
	} else if (c->routing.strategy == CONFIG_ROUTE_SEMANTIC) {
		rc |= buf_printf(out, " (%s classifier)",
				 c->routing.classifier.kind == CONFIG_CLASSIFIER_EMBEDDING ? "embedding" : "keyword");
	}
	rc |= buf_puts(out, "\n");
	struct { const char *name; bool on; } t[] = {
		{ "rate_limit", c->rate_limit.present }, { "budget", c->budget.present }, { "cache", c->cache.present },
		{ "files", c->files.present }, { "health", c->health.present }, { "cooldown", c->cooldown.present },
		{ "routing", c->routing.present },
	};
	rc |= buf_puts(out, "optional tables on:");
	int any = 0;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].on) {
			rc |= buf_printf(out, " %s", t[i].name);
			any = 1;
		}
	rc |= buf_puts(out, any ? "\n" : " none\n");
	rc |= buf_printf(out, "security: outbound_policy %s\n", config_outbound_name(c->security.outbound_policy));
	rc |= buf_printf(out, "guardrails: %zu\n", c->n_guardrails);
	for (size_t i = 0; i < c->n_guardrails; i++) {
		const config_guardrail *g = &c->guardrails[i];
		rc |= buf_printf(out, "  %s %s (%s)\n", config_guard_type_name(g->type), g->name ? PR(g->name, b1) : "?",
				 stage_names(g->type == CONFIG_GUARD_PROMPT_INJECTION ? CONFIG_STAGE_INPUT : g->stages, b2,
					     sizeof b2));
	}
	return rc < 0 ? ERR_NOMEM : 0;
}
