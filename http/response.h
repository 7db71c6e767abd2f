/* response.h — writing HTTP/1.1 responses into a connection's output. */
#ifndef FERRY_HTTP_RESPONSE_H
#define FERRY_HTTP_RESPONSE_H

#include <stddef.h>

#include "net/conn.h"

enum {
	HTTP_RESP_HEAD = 1,  /* a HEAD request: headers only, Content-Length as for GET */
	HTTP_RESP_CLOSE = 2, /* add Connection: close and close once sent */
	HTTP_RESP_BORROW =
	    4 /* body is borrowed (static, or pinned by the caller) and sent without a copy */
};

/* The reason phrase of a status code ("Not Found"). */
const char *http_status_reason(int status);

/* Write a complete response: status line, Content-Type (when type is not
 * NULL), Content-Length, the caller's extra header lines (each ending in
 * CRLF, may be NULL), then the body (copied unless HTTP_RESP_BORROW).
 * Returns 0, or -1 when the output buffer has no room (nothing written). */
int http_respond(struct conn *c, int status, const char *type, const char *extra, const void *body,
                 size_t body_len, int flags);

/* A text/plain response whose body is `sentence` and a newline. */
int http_respond_text(struct conn *c, int status, const char *sentence, const char *extra,
                      int flags);

/* Room needed in the output buffer for a small response of ours. */
#define HTTP_RESPONSE_RESERVE 1024

#endif
