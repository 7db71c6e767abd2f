/* main.c — start-up: flags, memory, the data dir, the listener; then the
 * loop until a signal; then a clean exit.
 *
 * Every table and buffer is taken from the arena here, before the arena is
 * sealed; from then on the hub allocates nothing (core/arena.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/log.h"
#include "core/proto.h"
#include "http/routes.h"
#include "http/server.h"
#include "net/loop.h"
#include "net/sock.h"
#include "ws/session.h"

static int data_dir_ready(const char *dir)
{
	if (mkdir(dir, 0700) == 0)
		return 0;
	struct stat st;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "ferry: cannot use data dir '%s': %s\n", dir,
	        errno == EEXIST ? "not a directory" : strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	struct config cfg;
	config_defaults(&cfg);
	int r = config_parse(&cfg, argc, argv);
	if (r != 0)
		return r > 0 ? 0 : 2;
	log_level = cfg.log_level;

	if (data_dir_ready(cfg.data_dir) != 0)
		return 1;
	/* Slack covers the small per-slot protocol tables and alignment. */
	size_t budget = config_total_bytes(&cfg) + (size_t)cfg.max_clients * 1024 + (1u << 20);
	if (arena_init(budget) != 0) {
		fprintf(stderr, "ferry: cannot reserve %zu KiB of memory: %s\n", budget / 1024,
		        strerror(errno));
		return 1;
	}

	char err[160];
	uint16_t port;
	int lfd = sock_listen(cfg.bind, (uint16_t)cfg.port, &port, err, sizeof err);
	if (lfd < 0) {
		fprintf(stderr, "ferry: %s (port %u)\n", err, cfg.port);
		return 1;
	}
	struct loop_config lc = {
	    .max_conns = cfg.max_clients,
	    .in_cap = CONN_IN_CAP,
	    .out_cap = CONN_OUT_CAP,
	    .initial_handler = &http_handler,
	    .max_per_address =
	        cfg.max_per_address < cfg.max_clients ? cfg.max_per_address : cfg.max_clients,
	    .over_limit_reply = "HTTP/1.1 503 Service Unavailable\r\n"
	                        "Content-Type: text/plain; charset=utf-8\r\n"
	                        "Content-Length: 49\r\nConnection: close\r\nRetry-After: 5\r\n\r\n"
	                        "This device has too many connections to the hub.\n",
	};
	if (loop_init(&lc, lfd) != 0 || http_routes_init(&cfg) != 0 ||
	    ws_session_init(&cfg, &proto_app) != 0 || proto_init(&cfg) != 0) {
		fprintf(stderr, "ferry: start-up failed: %s\n", strerror(errno));
		return 1;
	}
	arena_seal();

	sock_print_urls(cfg.bind, port, "http");
	fflush(stdout);
	LOG_INFO("ferry %s: %u connections, %zu KiB reserved", FERRY_VERSION, cfg.max_clients,
	         arena_used() / 1024);

	if (loop_run() != 0)
		return 1;
	LOG_INFO("stopped");
	return 0;
}
