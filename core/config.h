/* config.h — every limit of the hub, its default, and what it costs in RAM.
 *
 * All memory is reserved at start from these numbers (see core/main.c);
 * nothing grows afterwards. A limit that guards an input path has a name
 * here so `--help` can print it and the code can cite it. */
#ifndef FERRY_CORE_CONFIG_H
#define FERRY_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define FERRY_VERSION "0.1.0"

/* Per-connection buffers. The input buffer holds one whole HTTP request head
 * (8 KiB request line + 16 KiB header block, http/parse.h) with room to
 * spare; the output buffer holds responses and WebSocket messages until the
 * socket takes them. */
#define CONN_IN_CAP  (32u * 1024)
#define CONN_OUT_CAP (32u * 1024)

/* How long a closing connection may linger reading what the peer still
 * sends, so our last response is not destroyed by a TCP reset. */
#define CONN_LINGER_MS 2000
/* How long a shutting-down hub waits for WebSocket close replies. */
#define SHUTDOWN_GRACE_MS 2000

struct config {
	const char *bind; /* NULL: all interfaces */
	uint32_t port;    /* 0: any free port */
	const char *data_dir;
	int tls;
	const char *tls_cert, *tls_key;
	uint32_t chunk_size; /* bytes */
	uint32_t cache_mb;
	uint32_t max_clients;     /* connections in the table */
	uint32_t max_per_address; /* connections one peer address may hold */
	uint32_t max_files;
	uint32_t max_message;  /* WebSocket message bytes after reassembly */
	uint32_t max_inflight; /* chunk requests per device */
	uint32_t sync_timeout_s, upload_timeout_s, chunk_ttl_s;
	uint32_t head_timeout_s; /* an HTTP request head must be complete this long after its first
	                            byte */
	uint32_t keepalive_timeout_s; /* idle HTTP connection */
	uint32_t ping_interval_s;     /* WebSocket ping */
	uint32_t peer_timeout_s;      /* WebSocket peer silent this long is dropped */
	int log_level;
};

/* Fill *cfg with the defaults. */
void config_defaults(struct config *cfg);

/* Parse argv into *cfg. Returns 0 to run, 1 when --help or --version was
 * printed (exit 0), -1 on a bad flag (a message was printed; exit 2).
 * Strings in cfg borrow argv. */
int config_parse(struct config *cfg, int argc, char **argv);

/* Bytes one connection slot reserves, and the whole table. */
size_t config_conn_bytes(const struct config *cfg);
size_t config_total_bytes(const struct config *cfg);

#endif
