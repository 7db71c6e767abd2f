#include "http/static.h"

#include <string.h>

const struct static_asset *static_asset_find(const char *p, size_t n)
{
	if (n == 1 && p[0] == '/') {
		p = "/index.html";
		n = strlen(p);
	}
	for (unsigned i = 0; i < static_asset_count; i++)
		if (strlen(static_assets[i].path) == n && memcmp(static_assets[i].path, p, n) == 0)
			return &static_assets[i];
	return NULL;
}
