/* routes.h — the hub's HTTP endpoints, handed to the HTTP server. */
#ifndef FERRY_HTTP_ROUTES_H
#define FERRY_HTTP_ROUTES_H

#include "core/config.h"
#include "http/server.h"

/* Start the HTTP server (http_server_init) with the hub's routes. cfg is
 * borrowed for the life of the process. */
int http_routes_init(const struct config *cfg);

#endif
