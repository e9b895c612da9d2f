/* config_discover.c — find liter-llm-proxy.toml by walking up from the
 * current directory (cli.md "Config auto-discovery"). */
#include "config/config_private.h"
#include "base/err.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int config_discover_from(const char *dir, char **path, config_errors *errs)
{
	(void)errs;
	*path = NULL;
	size_t n = strlen(dir);
	size_t fl = sizeof CONFIG_FILE_NAME - 1;
	char *p = malloc(n + fl + 2);
	if (!p)
		return ERR_NOMEM;
	memcpy(p, dir, n);
	while (n > 1 && p[n - 1] == '/')
		n--;
	for (;;) {
		size_t o = n;
		if (!(o == 1 && p[0] == '/'))
			p[o++] = '/';
		memcpy(p + o, CONFIG_FILE_NAME, fl + 1);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			*path = p;
			return 1;
		}
		/* parent: drop the last component */
		if (n == 1 && p[0] == '/')
			break;
		while (n > 0 && p[n - 1] != '/')
			n--;
		if (n == 0)
			break;   /* relative start exhausted */
		while (n > 1 && p[n - 1] == '/')
			n--;
	}
	free(p);
	return 0;
}

int config_discover(char **path, config_errors *errs)
{
	char cwd[PATH_MAX];
	*path = NULL;
	if (!getcwd(cwd, sizeof cwd)) {
		char text[256];
		int e = errno;
		snprintf(text, sizeof text, "failed to get current directory: %s (os error %d)", strerror(e), e);
		config_errors_add(errs, NULL, 0, 0, text, text);
		return ERR_IO;
	}
	return config_discover_from(cwd, path, errs);
}
