/* fuzz_config.c — libFuzzer entry: arbitrary text through the whole config
 * loader (${VAR} interpolation, TOML parse, schema mapping, every check),
 * then the start-up checks and the summary on what loads. Must never crash
 * or leak. */
#include "base/buf.h"
#include "config/config.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_env(void *ud, const char *name)
{
	(void)ud;
	if (strcmp(name, "KEY") == 0)
		return "vk-fuzz-token";
	if (strcmp(name, "EMPTY") == 0)
		return "";
	if (strcmp(name, "NL") == 0)
		return "\n[server]\n";
	if (strcmp(name, "Q") == 0)
		return "a\"b";
	if (strcmp(name, "N") == 0)
		return "42";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	config *c = NULL;
	config_errors e = { 0 };
	int rc = config_load_text("fuzz.toml", (const char *)data, size, fuzz_env, NULL, &c, &e);
	if (rc == 0) {
		if (!c || e.n)
			__builtin_trap();
		config_check_security(c, &e);
		config_check_files(c, &e);
		config_check_routing(c, &e);
		config_check_stdio_key(c, &e);
		buf b = { 0 };
		config_summary(c, &b);
		buf_free(&b);
		for (size_t i = 0; i < c->n_keys; i++)
			if (config_find_key(c, c->keys[i].key, c->keys[i].key_len) == NULL)
				__builtin_trap();
		config_free(c);
	} else if (c || e.n == 0) {
		__builtin_trap();   /* a failure always explains itself */
	}
	config_errors_free(&e);
	return 0;
}
