/* config.c — the command line: one table of flags, their defaults, bounds
 * and help text, so `--help` cannot drift from what is parsed. */
#include "core/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

enum flag_kind { FLAG_U32, FLAG_STR, FLAG_BOOL, FLAG_LOG };

struct flag {
	const char *name;
	enum flag_kind kind;
	size_t offset; /* into struct config */
	uint32_t min, max;
	const char *arg, *help;
};

#define U32(name, field, min, max, arg, help)                                                      \
	{                                                                                          \
		name, FLAG_U32, offsetof(struct config, field), min, max, arg, help                \
	}
#define STR(name, field, arg, help)                                                                \
	{                                                                                          \
		name, FLAG_STR, offsetof(struct config, field), 0, 0, arg, help                    \
	}

static const struct flag flags[] = {
    U32("--port", port, 0, 65535, "N", "TCP port; 0 picks a free one"),
    STR("--bind", bind, "ADDR", "IPv4 or IPv6 address to listen on"),
    STR("--data-dir", data_dir, "DIR", "where the hub keeps its state"),
    {"--tls", FLAG_BOOL, offsetof(struct config, tls), 0, 0, NULL,
     "serve HTTPS/WSS (not yet implemented)"},
    STR("--tls-cert", tls_cert, "PEM", "certificate chain for --tls"),
    STR("--tls-key", tls_key, "PEM", "private key for --tls"),
    U32("--chunk-size", chunk_size, 64u * 1024, 16u * 1024 * 1024, "BYTES", "bytes per chunk"),
    U32("--cache-mb", cache_mb, 1, 4096, "N",
        "chunk cache size in MiB (file relay: not yet in use)"),
    U32("--max-clients", max_clients, 1, 65536, "N", "connections held at once"),
    U32("--max-per-address", max_per_address, 1, 65536, "N",
        "connections one address may hold (at most --max-clients)"),
    U32("--max-files", max_files, 1, 1u << 24, "N", "files in the catalog (not yet in use)"),
    U32("--max-message", max_message, 1024, 16u * 1024 * 1024, "BYTES",
        "largest WebSocket message after reassembly"),
    U32("--max-inflight", max_inflight, 1, 1024, "N",
        "chunk requests in flight per device (not yet in use)"),
    U32("--sync-timeout", sync_timeout_s, 1, 86400, "S",
        "seconds the master has to accept files (not yet in use)"),
    U32("--upload-timeout", upload_timeout_s, 1, 86400, "S",
        "seconds an owner has to upload a chunk (not yet in use)"),
    U32("--chunk-ttl", chunk_ttl_s, 1, 86400, "S",
        "seconds a ready chunk stays cached (not yet in use)"),
    U32("--head-timeout", head_timeout_s, 1, 3600, "S",
        "seconds an HTTP request head may take from its first byte"),
    U32("--keepalive-timeout", keepalive_timeout_s, 1, 86400, "S",
        "seconds an idle HTTP connection is kept"),
    U32("--ping-interval", ping_interval_s, 1, 3600, "S", "seconds between WebSocket pings"),
    U32("--peer-timeout", peer_timeout_s, 1, 86400, "S",
        "seconds of silence after which a WebSocket peer is dropped"),
    {"--log-level", FLAG_LOG, offsetof(struct config, log_level), 0, 0, "L",
     "error, warn, info or debug"},
};

#define NFLAGS (sizeof flags / sizeof flags[0])

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->port = 8080;
	cfg->data_dir = "./ferry-data";
	cfg->chunk_size = 1024 * 1024;
	cfg->cache_mb = 16;
	cfg->max_clients = 128;
	cfg->max_per_address = 64;
	cfg->max_files = 10000;
	cfg->max_message = 64 * 1024;
	cfg->max_inflight = 8;
	cfg->sync_timeout_s = 30;
	cfg->upload_timeout_s = 30;
	cfg->chunk_ttl_s = 60;
	cfg->head_timeout_s = 10;
	cfg->keepalive_timeout_s = 60;
	cfg->ping_interval_s = 20;
	cfg->peer_timeout_s = 60;
	cfg->log_level = LOG_LEVEL_INFO;
}

size_t config_conn_bytes(const struct config *cfg)
{
	return CONN_IN_CAP + CONN_OUT_CAP + cfg->max_message;
}

size_t config_total_bytes(const struct config *cfg)
{
	/* The connection table plus the JSON token array (one token per two
	 * bytes of the largest message, 20 bytes each). */
	return (size_t)cfg->max_clients * config_conn_bytes(cfg) + (size_t)cfg->max_message * 10;
}

static void flag_default(const struct flag *f, const struct config *d, char *out, size_t cap)
{
	const char *base = (const char *)d + f->offset;
	switch (f->kind) {
	case FLAG_U32: snprintf(out, cap, "%u", *(const uint32_t *)(const void *)base); break;
	case FLAG_STR: {
		const char *s = *(const char *const *)(const void *)base;
		snprintf(out, cap, "%s",
		         s                                            ? s
		         : f->offset == offsetof(struct config, bind) ? "all interfaces"
		                                                      : "none");
		break;
	}
	case FLAG_BOOL: snprintf(out, cap, "off"); break;
	case FLAG_LOG: snprintf(out, cap, "info"); break;
	}
}

static void usage(FILE *to)
{
	struct config d;
	config_defaults(&d);
	fprintf(to, "usage: ferry [flags]\n\nA file-sharing hub for one local network.\n\nflags "
	            "(default in brackets):\n");
	for (size_t i = 0; i < NFLAGS; i++) {
		char def[64], lhs[48];
		flag_default(&flags[i], &d, def, sizeof def);
		snprintf(lhs, sizeof lhs, "%s%s%s", flags[i].name, flags[i].arg ? " " : "",
		         flags[i].arg ? flags[i].arg : "");
		fprintf(to, "  %-26s %s [%s]\n", lhs, flags[i].help, def);
	}
	fprintf(to, "  %-26s %s\n  %-26s %s\n", "--version", "print the version", "--help",
	        "print this help");
	fprintf(
	    to,
	    "\nmemory reserved at start with these limits:\n"
	    "  per connection: %zu KiB (input %u KiB, output %u KiB, WebSocket message %u KiB)\n"
	    "  connection table (--max-clients %u): %zu KiB\n"
	    "  JSON tokens (from --max-message): %zu KiB\n"
	    "  total: %zu KiB\n",
	    config_conn_bytes(&d) / 1024, CONN_IN_CAP / 1024, CONN_OUT_CAP / 1024,
	    d.max_message / 1024, d.max_clients,
	    (size_t)d.max_clients * config_conn_bytes(&d) / 1024, (size_t)d.max_message * 10 / 1024,
	    config_total_bytes(&d) / 1024);
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int config_parse(struct config *cfg, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 1;
		}
		if (strcmp(a, "--version") == 0) {
			printf("ferry %s\n", FERRY_VERSION);
			return 1;
		}
		const struct flag *f = NULL;
		for (size_t k = 0; k < NFLAGS; k++)
			if (strcmp(a, flags[k].name) == 0)
				f = &flags[k];
		if (!f) {
			fprintf(stderr, "ferry: unknown flag '%s' (see --help)\n", a);
			return -1;
		}
		char *base = (char *)cfg + f->offset;
		if (f->kind == FLAG_BOOL) {
			*(int *)(void *)base = 1;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "ferry: %s needs a value (%s)\n", a, f->arg);
			return -1;
		}
		const char *v = argv[++i];
		if (f->kind == FLAG_STR) {
			*(const char **)(void *)base = v;
		} else if (f->kind == FLAG_LOG) {
			int lvl = log_level_parse(v);
			if (lvl < 0) {
				fprintf(stderr, "ferry: %s must be error, warn, info or debug\n",
				        a);
				return -1;
			}
			*(int *)(void *)base = lvl;
		} else {
			uint32_t n;
			if (parse_u32(v, f->min, f->max, &n) != 0) {
				fprintf(
				    stderr,
				    "ferry: %s must be a whole number from %u to %u, not '%s'\n", a,
				    f->min, f->max, v);
				return -1;
			}
			*(uint32_t *)(void *)base = n;
		}
	}
	if (cfg->tls) {
		fprintf(stderr, "ferry: --tls is not available in this version yet\n");
		return -1;
	}
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
		fprintf(stderr, "ferry: --tls-cert and --tls-key go together\n");
		return -1;
	}
	return 0;
}
