/* server.h — HTTP/1.1 on a connection: keep-alive, pipelining, bodies,
 * deadlines, and dispatch to routes.
 *
 * A connection starts with http_handler. Requests are parsed from c->in with
 * http/parse.h and answered in order into c->out. The handler stops (and
 * the loop stops reading) when the output buffer lacks room for a response,
 * so a client that pipelines without reading costs one buffer, never more.
 *
 * Routes (http/routes.c) say what a path answers; this module owns the
 * mechanics. A route is called once per request with the head parsed and
 * HTTP_RESPONSE_RESERVE bytes free in c->out. It answers at once, or takes
 * the body with http_body_accept() and answers when the body is complete. */
#ifndef FERRY_HTTP_SERVER_H
#define FERRY_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "http/parse.h"
#include "net/conn.h"

#define HTTP_MAX_HEADERS 64 /* header lines in one request (more: 431) */

enum { HTTP_GET = 1, HTTP_HEAD = 2, HTTP_PUT = 4, HTTP_POST = 8, HTTP_OTHER = 16 };

/* One request being answered. Its pointers borrow c->in and are valid only
 * during the route call. */
struct http_exchange {
	struct http_request r;
	struct http_header headers[HTTP_MAX_HEADERS];
	unsigned method;  /* HTTP_GET … */
	const char *path; /* the target up to '?' */
	size_t path_len;
	uint64_t content_length; /* 0 when absent */
	int has_content_length;
	int expect_continue; /* the client waits for 100 Continue before its body */
	int keep_alive;      /* the connection may carry another request */
	int flags;           /* HTTP_RESP_* to answer with (HEAD, CLOSE) */
};

/* Where an accepted request body goes: in pieces, in order, as it arrives —
 * never buffered whole. */
struct http_body_sink {
	/* The next n bytes of the body, borrowed until return. Return 0, or -1
	 * to refuse the rest: the sink has answered, the connection closes. */
	int (*piece)(struct conn *c, const uint8_t *p, size_t n);
	/* The body is complete: answer now with these HTTP_RESP_* flags (c->out
	 * has room for a response). */
	void (*done)(struct conn *c, int flags);
};

struct http_route {
	const char *path; /* exact path, or a prefix when prefix != 0 */
	int prefix;
	unsigned methods;  /* HTTP_GET | … that the route takes; others get 405 */
	const char *allow; /* the Allow header's value for that 405 */
	void (*fn)(struct conn *c, struct http_exchange *x);
};

/* Reserve per-slot HTTP state from the arena. cfg and routes are borrowed
 * for the life of the process; the first route that matches a path wins. */
int http_server_init(const struct config *cfg, const struct http_route *routes, size_t nroutes);

/* Answer x with status and a text/plain sentence; extra header lines (each
 * ending in CRLF) may be NULL. */
void http_reply(struct conn *c, struct http_exchange *x, int status, const char *sentence,
                const char *extra);

/* Take x's body through sink (kept until done): sends 100 Continue when the
 * client waits for it. A body of 0 bytes calls done at once. */
void http_body_accept(struct conn *c, struct http_exchange *x, const struct http_body_sink *sink);

extern const struct conn_handler http_handler;

#endif
