/* server.h — HTTP/1.1 on a connection: keep-alive, pipelining, bodies,
 * deadlines, routing, and the upgrade to WebSocket at /ws.
 *
 * A connection starts with http_handler. Requests are parsed from c->in with
 * http/parse.h and answered in order into c->out. The handler stops (and
 * the loop stops reading) when the output buffer lacks room for a response,
 * so a client that pipelines without reading costs one buffer, never more. */
#ifndef FERRY_HTTP_SERVER_H
#define FERRY_HTTP_SERVER_H

#include "core/config.h"
#include "net/conn.h"

/* Reserve per-slot HTTP state from the arena. Keeps cfg (borrowed). */
int http_server_init(const struct config *cfg);

extern const struct conn_handler http_handler;

#endif
