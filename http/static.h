/* static.h — the web app's files, embedded in the binary at build time by
 * tools/embed.sh (build/gen/web_assets.c). */
#ifndef FERRY_HTTP_STATIC_H
#define FERRY_HTTP_STATIC_H

#include <stddef.h>

struct static_asset {
	const char *path; /* URL path, e.g. "/index.html" */
	const char *type; /* Content-Type */
	const char *etag; /* strong ETag, quoted, from the content's hash */
	const unsigned char *data;
	unsigned len;
};

extern const struct static_asset static_assets[];
extern const unsigned static_asset_count;

/* The asset at URL path p[0..n) ("/" means "/index.html"), or NULL. */
const struct static_asset *static_asset_find(const char *p, size_t n);

#endif
