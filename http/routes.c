/* routes.c — the hub's HTTP endpoints (SPEC §6). The mechanics of HTTP —
 * parsing, keep-alive, bodies, deadlines — are in server.c; this file only
 * says what each path answers. */
#include "http/routes.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/metrics.h"
#include "http/response.h"
#include "http/static.h"
#include "net/loop.h"
#include "ws/handshake.h"
#include "ws/session.h"

static const struct config *route_config;

static void route_healthz(struct conn *c, struct http_exchange *x)
{
	metrics_http_status(200);
	http_respond(c, 200, "text/plain; charset=utf-8", "Cache-Control: no-store\r\n", "ok\n", 3,
	             x->flags);
}

static void route_metrics(struct conn *c, struct http_exchange *x)
{
	struct loop_stats st;
	loop_get_stats(&st);
	char body[2048];
	int n = snprintf(
	    body, sizeof body,
	    "# TYPE ferry_connections gauge\nferry_connections %u\n"
	    "# TYPE ferry_connections_capacity gauge\nferry_connections_capacity %u\n"
	    "# TYPE ferry_connections_accepted_total counter\nferry_connections_accepted_total "
	    "%llu\n"
	    "# TYPE ferry_connections_refused_total counter\nferry_connections_refused_total %llu\n"
	    "# TYPE ferry_bytes_in_total counter\nferry_bytes_in_total %llu\n"
	    "# TYPE ferry_bytes_out_total counter\nferry_bytes_out_total %llu\n"
	    "# TYPE ferry_http_requests_total counter\nferry_http_requests_total %llu\n"
	    "# TYPE ferry_http_responses_total counter\n"
	    "ferry_http_responses_total{class=\"1xx\"} "
	    "%llu\nferry_http_responses_total{class=\"2xx\"} %llu\n"
	    "ferry_http_responses_total{class=\"3xx\"} "
	    "%llu\nferry_http_responses_total{class=\"4xx\"} %llu\n"
	    "ferry_http_responses_total{class=\"5xx\"} %llu\n"
	    "# TYPE ferry_ws_opened_total counter\nferry_ws_opened_total %llu\n"
	    "# TYPE ferry_ws_messages_in_total counter\nferry_ws_messages_in_total %llu\n"
	    "# TYPE ferry_ws_messages_out_total counter\nferry_ws_messages_out_total %llu\n"
	    "# TYPE ferry_ws_protocol_errors_total counter\nferry_ws_protocol_errors_total %llu\n"
	    "# TYPE ferry_memory_reserved_bytes gauge\nferry_memory_reserved_bytes %zu\n",
	    st.open, loop_capacity(), (unsigned long long)st.accepted,
	    (unsigned long long)st.refused, (unsigned long long)st.bytes_in,
	    (unsigned long long)st.bytes_out, (unsigned long long)metrics.http_requests,
	    (unsigned long long)metrics.http_status[1], (unsigned long long)metrics.http_status[2],
	    (unsigned long long)metrics.http_status[3], (unsigned long long)metrics.http_status[4],
	    (unsigned long long)metrics.http_status[5], (unsigned long long)metrics.ws_opened,
	    (unsigned long long)metrics.ws_messages_in, (unsigned long long)metrics.ws_messages_out,
	    (unsigned long long)metrics.ws_protocol_errors, arena_used());
	metrics_http_status(200);
	http_respond(c, 200, "text/plain; version=0.0.4; charset=utf-8",
	             "Cache-Control: no-store\r\n", body, (size_t)n, x->flags);
}

/* Chunk relay arrives with the hub's core; until then no chunk was ever
 * asked for, so every PUT is one nobody requested and every GET misses. */
static void route_chunks(struct conn *c, struct http_exchange *x)
{
	if (x->method == HTTP_GET) {
		http_reply(c, x, 404, "That chunk is not in the cache.", NULL);
		return;
	}
	if (!x->has_content_length) {
		http_reply(c, x, 411, "A chunk upload needs a Content-Length.", NULL);
		return;
	}
	if (x->content_length > route_config->chunk_size) {
		x->flags |= HTTP_RESP_CLOSE;
		http_reply(c, x, 413, "A chunk upload is longer than the chunk size.", NULL);
		return;
	}
	http_reply(c, x, 409, "Nobody asked for this chunk.", NULL);
}

static void route_files(struct conn *c, struct http_exchange *x)
{
	http_reply(c, x, 404, "There is no such file.", NULL);
}

static void route_ws(struct conn *c, struct http_exchange *x)
{
	const struct http_request *r = &x->r;
	if (!http_request_has_token(r, "Upgrade", "websocket") ||
	    !http_request_has_token(r, "Connection", "upgrade") || r->minor_version != 1) {
		http_reply(c, x, 400, "/ws takes a WebSocket handshake (Upgrade: websocket).",
		           NULL);
		return;
	}
	const struct http_header *v = http_header_find(r, "Sec-WebSocket-Version");
	if (!v || !(v->value_len == 2 && memcmp(v->value, "13", 2) == 0)) {
		http_reply(c, x, 426, "This hub speaks WebSocket version 13 only.",
		           "Sec-WebSocket-Version: 13\r\n");
		return;
	}
	const struct http_header *k = http_header_find(r, "Sec-WebSocket-Key");
	char accept[29];
	if (!k || ws_handshake_accept(k->value, k->value_len, accept) != 0) {
		http_reply(c, x, 400, "Sec-WebSocket-Key is missing or malformed.", NULL);
		return;
	}
	if (x->content_length > 0) {
		x->flags |= HTTP_RESP_CLOSE;
		http_reply(c, x, 400, "A WebSocket handshake has no body.", NULL);
		return;
	}
	if (loop_shutting_down()) {
		http_reply(c, x, 503, "The hub is shutting down.", NULL);
		return;
	}
	char head[256];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	                 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
	                 accept);
	metrics_http_status(101);
	conn_out_append(c, head, (size_t)n);
	ws_session_open(c);
}

static void route_static(struct conn *c, struct http_exchange *x)
{
	const struct static_asset *a = static_asset_find(x->path, x->path_len);
	if (!a) {
		http_reply(c, x, 404, "Nothing here.", NULL);
		return;
	}
	if (!(x->method & (HTTP_GET | HTTP_HEAD))) {
		http_reply(c, x, 405, "That method is not allowed here.", "Allow: GET, HEAD\r\n");
		return;
	}
	char extra[160];
	const struct http_header *inm = http_header_find(&x->r, "If-None-Match");
	snprintf(extra, sizeof extra, "ETag: %s\r\nCache-Control: no-cache\r\n", a->etag);
	if (inm && inm->value_len == strlen(a->etag) &&
	    memcmp(inm->value, a->etag, inm->value_len) == 0) {
		metrics_http_status(304);
		/* 304 carries no body; its Content-Length, if any, must be the
		 * 200's (RFC 9110 §8.6), so it is written as for a HEAD. */
		http_respond(c, 304, NULL, extra, a->data, a->len, x->flags | HTTP_RESP_HEAD);
		return;
	}
	metrics_http_status(200);
	http_respond(c, 200, a->type, extra, a->data, a->len, x->flags | HTTP_RESP_BORROW);
}

static const struct http_route routes[] = {
    {"/healthz", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", route_healthz},
    {"/metrics", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", route_metrics},
    {"/ws", 0, HTTP_GET, "GET", route_ws},
    {"/chunks/", 1, HTTP_GET | HTTP_PUT, "GET, PUT", route_chunks},
    {"/files/", 1, HTTP_GET | HTTP_HEAD, "GET, HEAD", route_files},
    /* Everything else: the embedded web app, or 404. */
    {"/", 1, ~0u, "GET, HEAD", route_static},
};

int http_routes_init(const struct config *cfg)
{
	route_config = cfg;
	return http_server_init(cfg, routes, sizeof routes / sizeof routes[0]);
}
