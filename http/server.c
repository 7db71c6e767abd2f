/* server.c — HTTP/1.1 connections: see server.h.
 *
 * Life of a request on one connection:
 *   1. Bytes accumulate in c->in. The first byte of a head starts its total
 *      deadline (--head-timeout): a client trickling bytes cannot hold a slot
 *      longer than that. Each re-parse passes how much was already scanned,
 *      so the parser only looks at new bytes for the end of the head.
 *   2. A complete head is routed at once. Most routes answer before the body
 *      is read: a response never waits for bytes nobody will use.
 *   3. A route that wants the body gets it through a sink, piece by piece as
 *      it arrives (after 100 Continue when the client asked for it), and
 *      answers when it is complete. A body nobody takes is read and dropped
 *      (up to --chunk-size) so the next pipelined request can be found; with
 *      Expect: 100-continue, or when larger, the answer closes instead.
 *   4. With no request pending, the keep-alive deadline runs.
 * The handler stops whenever c->out lacks room for a response; the loop calls
 * it again when the output drains. That is the whole of the backpressure. */
#include "http/server.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/response.h"
#include "net/loop.h"

struct http_session {
	size_t parsed;                     /* bytes of the current head already scanned */
	int64_t head_started;              /* loop time of the current head's first byte; 0: none */
	uint64_t body_left;                /* bytes of the current body still to come */
	const struct http_body_sink *sink; /* where they go; NULL: dropped */
	int body_flags;                    /* HTTP_RESP_* for the sink's answer */
};

static struct http_session *sessions;
static const struct config *config;
static const struct http_route *routes;
static size_t nroutes;

void http_reply(struct conn *c, struct http_exchange *x, int status, const char *sentence,
                const char *extra)
{
	metrics_http_status(status);
	http_respond_text(c, status, sentence, extra, x ? x->flags : HTTP_RESP_CLOSE);
}

void http_body_accept(struct conn *c, struct http_exchange *x, const struct http_body_sink *sink)
{
	struct http_session *s = &sessions[c->slot];
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	/* handle() pre-set Connection: close for a body it would not read; the
	 * body is read now, so only the client's own wish decides. */
	if (x->keep_alive)
		x->flags &= ~HTTP_RESP_CLOSE;
	if (x->content_length == 0) {
		sink->done(c, x->flags);
		return;
	}
	if (x->expect_continue) {
		metrics_http_status(100);
		conn_out_append(c, cont, sizeof cont - 1);
	}
	s->sink = sink;
	s->body_flags = x->flags;
	s->body_left = x->content_length;
}

static unsigned method_of(const struct http_request *r)
{
	/* Methods are case-sensitive (RFC 9110 §9.1). */
	if (r->method_len == 3 && memcmp(r->method, "GET", 3) == 0)
		return HTTP_GET;
	if (r->method_len == 4 && memcmp(r->method, "HEAD", 4) == 0)
		return HTTP_HEAD;
	if (r->method_len == 3 && memcmp(r->method, "PUT", 3) == 0)
		return HTTP_PUT;
	if (r->method_len == 4 && memcmp(r->method, "POST", 4) == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

static void dispatch(struct conn *c, struct http_exchange *x)
{
	for (size_t i = 0; i < nroutes; i++) {
		const struct http_route *rt = &routes[i];
		size_t n = strlen(rt->path);
		int match = rt->prefix ? x->path_len >= n && memcmp(x->path, rt->path, n) == 0
		                       : x->path_len == n && memcmp(x->path, rt->path, n) == 0;
		if (!match)
			continue;
		if (!(rt->methods & x->method)) {
			char allow[64];
			snprintf(allow, sizeof allow, "Allow: %s\r\n", rt->allow);
			http_reply(c, x, 405, "That method is not allowed here.", allow);
			return;
		}
		rt->fn(c, x);
		return;
	}
	http_reply(c, x, 404, "Nothing here.", NULL);
}

/* A complete head: check what every request must satisfy, then route. */
static void handle(struct conn *c, struct http_session *s, struct http_exchange *x)
{
	const struct http_request *r = &x->r;
	metrics.http_requests++;
	x->method = method_of(r);
	int keep = r->minor_version == 1 ? !http_request_has_token(r, "Connection", "close")
	                                 : http_request_has_token(r, "Connection", "keep-alive");
	x->keep_alive = keep && !loop_shutting_down();
	x->flags = x->keep_alive ? 0 : HTTP_RESP_CLOSE;
	if (x->method == HTTP_HEAD)
		x->flags |= HTTP_RESP_HEAD;

	/* Framing errors: we cannot tell where the next request starts, so
	 * every one of these closes the connection. */
	if (http_header_find(r, "Transfer-Encoding")) {
		x->flags |= HTTP_RESP_CLOSE;
		http_reply(c, x, 411,
		           "This hub needs a Content-Length; chunked bodies are not accepted.",
		           NULL);
		return;
	}
	int has_cl = http_content_length(r, &x->content_length);
	if (has_cl < 0) {
		x->flags |= HTTP_RESP_CLOSE;
		http_reply(c, x, 400, "Content-Length is malformed.", NULL);
		return;
	}
	x->has_content_length = has_cl == 1;
	if (!x->has_content_length)
		x->content_length = 0;
	if (r->minor_version == 1 && !http_header_find(r, "Host")) {
		x->flags |= HTTP_RESP_CLOSE;
		http_reply(c, x, 400, "An HTTP/1.1 request needs a Host header.", NULL);
		return;
	}
	if (r->target_len == 0 || r->target[0] != '/') {
		x->flags |= HTTP_RESP_CLOSE;
		http_reply(c, x, 400, "The request target must be a path.", NULL);
		return;
	}
	const char *q = memchr(r->target, '?', r->target_len);
	x->path = r->target;
	x->path_len = q ? (size_t)(q - r->target) : r->target_len;
	const struct http_header *e = http_header_find(r, "Expect");
	x->expect_continue = e && http_token_eq(e->value, e->value_len, "100-continue");

	/* Unless the route takes the body (http_body_accept), it is dropped so
	 * the next request can be found — but not when the client waits for
	 * our go-ahead, nor when it is too large to be worth reading: then the
	 * answer closes the connection instead. */
	uint64_t cl = x->content_length;
	if (cl > 0 && (e || cl > config->chunk_size))
		x->flags |= HTTP_RESP_CLOSE;
	dispatch(c, x);
	if (cl > 0 && !s->sink && !(x->flags & HTTP_RESP_CLOSE))
		s->body_left = cl;
}

static void reply_parse_error(struct conn *c, int code)
{
	switch (code) {
	case HTTP_PARSE_URI_TOO_LONG:
		http_reply(c, NULL, 414, "The request line is longer than 8 KiB.", NULL);
		break;
	case HTTP_PARSE_HEADERS_TOO_LARGE:
		http_reply(c, NULL, 431, "The request headers are larger than 16 KiB or too many.",
		           NULL);
		break;
	default:
		http_reply(
		    c, NULL, 400,
		    "Malformed request (line ends must be CRLF; folded headers are not accepted).",
		    NULL);
		break;
	}
}

/* Hand the next piece of a body to its sink (or drop it). Returns 1 when the
 * body is complete, 0 when more must arrive, -1 when the sink refused. */
static int take_body(struct conn *c, struct http_session *s)
{
	size_t avail = conn_in_pending(c);
	size_t k = avail < s->body_left ? avail : (size_t)s->body_left;
	if (k && s->sink && s->sink->piece(c, c->in + c->in_off, k) != 0) {
		s->sink = NULL;
		s->body_left = 0;
		conn_close_after_flush(c);
		return -1;
	}
	c->in_off += (uint32_t)k;
	s->body_left -= k;
	if (s->body_left)
		return 0;
	if (s->sink) {
		const struct http_body_sink *sink = s->sink;
		s->sink = NULL;
		sink->done(c, s->body_flags);
	}
	return 1;
}

static void http_on_data(struct conn *c)
{
	struct http_session *s = &sessions[c->slot];
	int64_t now = loop_now();
	while (c->state == CONN_OPEN && !c->close_after_flush && c->handler == &http_handler) {
		if (s->body_left) {
			int r = take_body(c, s);
			if (r == 0)
				c->deadline = now + (int64_t)config->keepalive_timeout_s * 1000;
			if (r <= 0)
				return;
			continue;
		}
		size_t avail = conn_in_pending(c);
		if (avail == 0) {
			if (loop_shutting_down())
				conn_close_after_flush(c);
			c->deadline = now + (int64_t)config->keepalive_timeout_s * 1000;
			return;
		}
		if (conn_out_room(c) < HTTP_RESPONSE_RESERVE) {
			/* Waiting for the peer to read. The loop calls again on each
			 * bit of progress, which moves this deadline: only a peer
			 * that stops reading altogether is dropped. */
			c->blocked = 1;
			c->deadline = now + (int64_t)config->keepalive_timeout_s * 1000;
			return;
		}
		if (!s->head_started)
			s->head_started = now;
		struct http_exchange x;
		x.r.headers = x.headers;
		x.r.num_headers = HTTP_MAX_HEADERS;
		int n = http_request_parse((const char *)c->in + c->in_off, avail, s->parsed, &x.r);
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
		handle(c, s, &x);
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
		http_reply(c, NULL, 408, "The request head took too long.", NULL);
		return;
	}
	/* Idle keep-alive, a body that stopped arriving, or a peer that stopped
	 * reading its answers. */
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

int http_server_init(const struct config *cfg, const struct http_route *r, size_t n)
{
	config = cfg;
	routes = r;
	nroutes = n;
	sessions = arena_alloc(sizeof *sessions * cfg->max_clients);
	return 0;
}
