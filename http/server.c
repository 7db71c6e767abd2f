/* server.c — HTTP/1.1 connections: see server.h.
 *
 * Life of a request on one connection:
 *   1. Bytes accumulate in c->in. The first byte of a head starts its total
 *      deadline (--head-timeout): a client trickling bytes cannot hold a slot
 *      longer than that. Each re-parse passes how much was already scanned,
 *      so the parser only looks at new bytes for the end of the head.
 *   2. A complete head is routed and answered at once, before its body is
 *      read: a response never waits for bytes nobody will use.
 *   3. A body nobody consumes is read and dropped (up to --chunk-size) so the
 *      next pipelined request can be found; with Expect: 100-continue, or when
 *      larger, the answer closes the connection instead of reading it.
 *   4. With no request pending, the keep-alive deadline runs.
 * The handler stops whenever c->out lacks room for a response; the loop calls
 * it again when the output drains. That is the whole of the backpressure. */
#include "http/server.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/parse.h"
#include "http/response.h"
#include "http/static.h"
#include "net/loop.h"
#include "ws/handshake.h"
#include "ws/session.h"

struct http_session {
	size_t parsed;        /* bytes of the current head already scanned */
	int64_t head_started; /* loop time of the current head's first byte; 0: none */
	uint64_t body_left;   /* bytes of a body still to read and drop */
};

enum { M_GET = 1, M_HEAD = 2, M_PUT = 4, M_POST = 8, M_OTHER = 16 };

struct request {
	struct http_request r;
	struct http_header headers[HTTP_MAX_HEADERS];
	unsigned method;
	const char *path;
	size_t path_len;
	uint64_t content_length;
	int flags; /* HTTP_RESP_* for the answer: HEAD, CLOSE */
};

struct route {
	const char *path;
	int prefix; /* path is a prefix ("/chunks/") rather than the whole path */
	unsigned methods;
	const char *allow;
	void (*fn)(struct conn *c, struct request *rq);
};

static struct http_session *sessions;
static const struct config *config;

static void reply(struct conn *c, struct request *rq, int status, const char *sentence,
                  const char *extra)
{
	metrics_http_status(status);
	http_respond_text(c, status, sentence, extra, rq ? rq->flags : HTTP_RESP_CLOSE);
}

static void route_healthz(struct conn *c, struct request *rq)
{
	metrics_http_status(200);
	http_respond(c, 200, "text/plain; charset=utf-8", "Cache-Control: no-store\r\n", "ok\n", 3,
	             rq->flags);
}

static void route_metrics(struct conn *c, struct request *rq)
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
	    (unsigned long long)st.bytes_in, (unsigned long long)st.bytes_out,
	    (unsigned long long)metrics.http_requests, (unsigned long long)metrics.http_status[1],
	    (unsigned long long)metrics.http_status[2], (unsigned long long)metrics.http_status[3],
	    (unsigned long long)metrics.http_status[4], (unsigned long long)metrics.http_status[5],
	    (unsigned long long)metrics.ws_opened, (unsigned long long)metrics.ws_messages_in,
	    (unsigned long long)metrics.ws_messages_out,
	    (unsigned long long)metrics.ws_protocol_errors, arena_used());
	metrics_http_status(200);
	http_respond(c, 200, "text/plain; version=0.0.4; charset=utf-8",
	             "Cache-Control: no-store\r\n", body, (size_t)n, rq->flags);
}

/* Chunk relay arrives with the hub's core; until then no chunk was ever
 * asked for, so every PUT is one nobody requested and every GET misses. */
static void route_chunks(struct conn *c, struct request *rq)
{
	if (rq->method == M_GET) {
		reply(c, rq, 404, "That chunk is not in the cache.", NULL);
		return;
	}
	if (!http_header_find(&rq->r, "Content-Length")) {
		reply(c, rq, 411, "A chunk upload needs a Content-Length.", NULL);
		return;
	}
	if (rq->content_length > config->chunk_size) {
		rq->flags |= HTTP_RESP_CLOSE;
		reply(c, rq, 413, "A chunk upload is longer than the chunk size.", NULL);
		return;
	}
	reply(c, rq, 409, "Nobody asked for this chunk.", NULL);
}

static void route_files(struct conn *c, struct request *rq)
{
	reply(c, rq, 404, "There is no such file.", NULL);
}

static void route_ws(struct conn *c, struct request *rq)
{
	const struct http_request *r = &rq->r;
	if (!http_request_has_token(r, "Upgrade", "websocket") ||
	    !http_request_has_token(r, "Connection", "upgrade") || r->minor_version != 1) {
		reply(c, rq, 400, "/ws takes a WebSocket handshake (Upgrade: websocket).", NULL);
		return;
	}
	const struct http_header *v = http_header_find(r, "Sec-WebSocket-Version");
	if (!v || !(v->value_len == 2 && memcmp(v->value, "13", 2) == 0)) {
		reply(c, rq, 426, "This hub speaks WebSocket version 13 only.",
		      "Sec-WebSocket-Version: 13\r\n");
		return;
	}
	const struct http_header *k = http_header_find(r, "Sec-WebSocket-Key");
	char accept[29];
	if (!k || ws_handshake_accept(k->value, k->value_len, accept) != 0) {
		reply(c, rq, 400, "Sec-WebSocket-Key is missing or malformed.", NULL);
		return;
	}
	if (rq->content_length > 0) {
		rq->flags |= HTTP_RESP_CLOSE;
		reply(c, rq, 400, "A WebSocket handshake has no body.", NULL);
		return;
	}
	if (loop_shutting_down()) {
		reply(c, rq, 503, "The hub is shutting down.", NULL);
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

static void route_static(struct conn *c, struct request *rq, const struct static_asset *a)
{
	char extra[160];
	const struct http_header *inm = http_header_find(&rq->r, "If-None-Match");
	snprintf(extra, sizeof extra, "ETag: %s\r\nCache-Control: no-cache\r\n", a->etag);
	if (inm && inm->value_len == strlen(a->etag) &&
	    memcmp(inm->value, a->etag, inm->value_len) == 0) {
		metrics_http_status(304);
		/* 304 carries no body; Content-Length 0 is harmless and keeps the
		 * writer to one shape. */
		http_respond(c, 304, NULL, extra, NULL, 0, rq->flags | HTTP_RESP_HEAD);
		return;
	}
	metrics_http_status(200);
	http_respond(c, 200, a->type, extra, a->data, a->len, rq->flags | HTTP_RESP_BORROW);
}

static const struct route routes[] = {
    {"/healthz", 0, M_GET | M_HEAD, "GET, HEAD", route_healthz},
    {"/metrics", 0, M_GET | M_HEAD, "GET, HEAD", route_metrics},
    {"/ws", 0, M_GET, "GET", route_ws},
    {"/chunks/", 1, M_GET | M_PUT, "GET, PUT", route_chunks},
    {"/files/", 1, M_GET | M_HEAD, "GET, HEAD", route_files},
};

static unsigned method_of(const struct http_request *r)
{
	/* Methods are case-sensitive (RFC 9110 §9.1). */
	if (r->method_len == 3 && memcmp(r->method, "GET", 3) == 0)
		return M_GET;
	if (r->method_len == 4 && memcmp(r->method, "HEAD", 4) == 0)
		return M_HEAD;
	if (r->method_len == 3 && memcmp(r->method, "PUT", 3) == 0)
		return M_PUT;
	if (r->method_len == 4 && memcmp(r->method, "POST", 4) == 0)
		return M_POST;
	return M_OTHER;
}

static void dispatch(struct conn *c, struct request *rq)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const struct route *rt = &routes[i];
		size_t n = strlen(rt->path);
		int match = rt->prefix ? rq->path_len >= n && memcmp(rq->path, rt->path, n) == 0
		                       : rq->path_len == n && memcmp(rq->path, rt->path, n) == 0;
		if (!match)
			continue;
		if (!(rt->methods & rq->method)) {
			char allow[64];
			snprintf(allow, sizeof allow, "Allow: %s\r\n", rt->allow);
			reply(c, rq, 405, "That method is not allowed here.", allow);
			return;
		}
		rt->fn(c, rq);
		return;
	}
	const struct static_asset *a = static_asset_find(rq->path, rq->path_len);
	if (a) {
		if (rq->method & (M_GET | M_HEAD))
			route_static(c, rq, a);
		else
			reply(c, rq, 405, "That method is not allowed here.",
			      "Allow: GET, HEAD\r\n");
		return;
	}
	reply(c, rq, 404, "Nothing here.", NULL);
}

/* A complete head: check what every request must satisfy, then route. */
static void handle(struct conn *c, struct http_session *s, struct request *rq)
{
	const struct http_request *r = &rq->r;
	metrics.http_requests++;
	rq->method = method_of(r);
	int keep = r->minor_version == 1 ? !http_request_has_token(r, "Connection", "close")
	                                 : http_request_has_token(r, "Connection", "keep-alive");
	rq->flags = (keep && !loop_shutting_down()) ? 0 : HTTP_RESP_CLOSE;
	if (rq->method == M_HEAD)
		rq->flags |= HTTP_RESP_HEAD;

	/* Framing errors: we cannot tell where the next request starts, so
	 * every one of these closes the connection. */
	if (http_header_find(r, "Transfer-Encoding")) {
		rq->flags |= HTTP_RESP_CLOSE;
		reply(c, rq, 411,
		      "This hub needs a Content-Length; chunked bodies are not accepted.", NULL);
		return;
	}
	uint64_t cl = 0;
	int has_cl = http_content_length(r, &cl);
	if (has_cl < 0) {
		rq->flags |= HTTP_RESP_CLOSE;
		reply(c, rq, 400, "Content-Length is malformed.", NULL);
		return;
	}
	rq->content_length = cl;
	if (r->minor_version == 1 && !http_header_find(r, "Host")) {
		rq->flags |= HTTP_RESP_CLOSE;
		reply(c, rq, 400, "An HTTP/1.1 request needs a Host header.", NULL);
		return;
	}
	if (r->target_len == 0 || r->target[0] != '/') {
		rq->flags |= HTTP_RESP_CLOSE;
		reply(c, rq, 400, "The request target must be a path.", NULL);
		return;
	}
	const char *q = memchr(r->target, '?', r->target_len);
	rq->path = r->target;
	rq->path_len = q ? (size_t)(q - r->target) : r->target_len;

	/* No route reads a body yet: drop it so the next request can be found,
	 * unless the client waits for our go-ahead (Expect: 100-continue), or it
	 * is too large to be worth reading — then the answer closes. */
	if (cl > 0) {
		const struct http_header *e = http_header_find(r, "Expect");
		if (e || cl > config->chunk_size)
			rq->flags |= HTTP_RESP_CLOSE;
		else
			s->body_left = cl;
	}
	dispatch(c, rq);
}

static void reply_parse_error(struct conn *c, int code)
{
	switch (code) {
	case HTTP_PARSE_URI_TOO_LONG:
		reply(c, NULL, 414, "The request line is longer than 8 KiB.", NULL);
		break;
	case HTTP_PARSE_HEADERS_TOO_LARGE:
		reply(c, NULL, 431, "The request headers are larger than 16 KiB or too many.",
		      NULL);
		break;
	default:
		reply(
		    c, NULL, 400,
		    "Malformed request (line ends must be CRLF; folded headers are not accepted).",
		    NULL);
		break;
	}
}

static void http_on_data(struct conn *c)
{
	struct http_session *s = &sessions[c->slot];
	int64_t now = loop_now();
	while (c->state == CONN_OPEN && !c->close_after_flush && c->handler == &http_handler) {
		size_t avail = conn_in_pending(c);
		if (s->body_left) {
			size_t k = avail < s->body_left ? avail : (size_t)s->body_left;
			c->in_off += (uint32_t)k;
			s->body_left -= k;
			if (s->body_left) {
				c->deadline = now + (int64_t)config->keepalive_timeout_s * 1000;
				return;
			}
			continue;
		}
		if (avail == 0) {
			if (loop_shutting_down())
				conn_close_after_flush(c);
			c->deadline = now + (int64_t)config->keepalive_timeout_s * 1000;
			return;
		}
		if (conn_out_room(c) < HTTP_RESPONSE_RESERVE) {
			c->blocked = 1;
			return;
		}
		if (!s->head_started)
			s->head_started = now;
		struct request rq;
		rq.r.headers = rq.headers;
		rq.r.num_headers = HTTP_MAX_HEADERS;
		int n =
		    http_request_parse((const char *)c->in + c->in_off, avail, s->parsed, &rq.r);
		if (n == HTTP_PARSE_INCOMPLETE) {
			if (avail >= c->in_cap) { /* cannot happen within the parser's limits */
				reply_parse_error(c, HTTP_PARSE_HEADERS_TOO_LARGE);
				return;
			}
			s->parsed = avail;
			c->deadline = s->head_started + (int64_t)config->head_timeout_s * 1000;
			return;
		}
		s->parsed = 0;
		s->head_started = 0;
		if (n < 0) {
			LOG_DEBUG("conn %llu: bad request (%d)", (unsigned long long)c->id, n);
			reply_parse_error(c, n);
			return;
		}
		/* The head stays where it is in c->in until the next read, so the
		 * request's pointers remain valid while it is handled. */
		c->in_off += (uint32_t)n;
		handle(c, s, &rq);
	}
	/* Upgraded to WebSocket: bytes after the handshake belong to it. */
	if (c->state == CONN_OPEN && c->handler != &http_handler && conn_in_pending(c))
		c->handler->on_data(c);
}

static void http_on_timer(struct conn *c)
{
	struct http_session *s = &sessions[c->slot];
	if (s->head_started) {
		LOG_DEBUG("conn %llu: request head timed out", (unsigned long long)c->id);
		s->head_started = 0;
		reply(c, NULL, 408, "The request head took too long.", NULL);
		return;
	}
	/* Idle keep-alive, or a body that stopped arriving. */
	conn_close_now(c);
}

static void http_on_shutdown(struct conn *c)
{
	struct http_session *s = &sessions[c->slot];
	/* Idle connections go now; one mid-request gets its answer with
	 * Connection: close (handle() checks loop_shutting_down()). */
	if (!s->head_started && !s->body_left && conn_in_pending(c) == 0 &&
	    conn_out_pending(c) == 0)
		conn_close_now(c);
}

static void http_on_close(struct conn *c)
{
	memset(&sessions[c->slot], 0, sizeof sessions[c->slot]);
}

const struct conn_handler http_handler = {
    .on_data = http_on_data,
    .on_timer = http_on_timer,
    .on_shutdown = http_on_shutdown,
    .on_close = http_on_close,
};

int http_server_init(const struct config *cfg)
{
	config = cfg;
	sessions = arena_alloc(sizeof *sessions * cfg->max_clients);
	return 0;
}
