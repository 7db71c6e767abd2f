/* parse.h — pure, incremental, strict HTTP/1.1 request-head parser (RFC 9112).
 *
 * A parser in the picohttpparser mould: a function from (buf, len) to "bytes
 * consumed" or a negative code, with no state kept between calls, no I/O, no
 * allocation and no reliance on a NUL terminator. It reads buf[0..len) and
 * never a byte outside it.
 *
 * Ownership: buf is borrowed for the call. Every pointer the parser stores in
 * *req (method, target, headers[i].name, headers[i].value) points into buf and
 * is borrowed from the caller: it stays valid only while the caller keeps
 * those bytes where they are, unchanged. req->headers is the caller's array;
 * the parser writes at most the capacity it is given and keeps nothing.
 *
 * Strictness (anything else is HTTP_PARSE_INVALID, i.e. 400): lines end in
 * CRLF only (a bare LF, or a CR followed by anything but LF, is invalid);
 * obs-fold is invalid; no whitespace between a field name and its colon;
 * field values are HTAB, SP, VCHAR and obs-text; exactly one SP between the
 * parts of the request line; the version is HTTP/1.0 or HTTP/1.1. */
#ifndef FERRY_HTTP_PARSE_H
#define FERRY_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the request line, its CRLF excluded: more → 414. */
#define HTTP_MAX_REQUEST_LINE 8192
/* Bytes after the request line's CRLF up to and including the blank line's
 * CRLF: more → 431. */
#define HTTP_MAX_HEADER_BLOCK 16384
/* Empty lines (CRLF) tolerated before the request line (RFC 9112 §2.2); they
 * count toward no other limit, so they have their own: more → 400. */
#define HTTP_MAX_EMPTY_LINES 4
/* Largest Content-Length accepted (2^62): more → 400. */
#define HTTP_MAX_CONTENT_LENGTH ((uint64_t)1 << 62)

/* One header line. name and value point into the parsed buffer (borrowed).
 * value has its leading and trailing OWS removed and may be empty (it then
 * points at the line's CR, still inside the buffer). */
struct http_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct http_request {
	const char *method; /* borrowed from buf */
	size_t method_len;
	const char *target; /* borrowed from buf, not decoded */
	size_t target_len;
	int minor_version;           /* 0 or 1 */
	struct http_header *headers; /* the caller's array (borrowed) */
	size_t num_headers;          /* in: capacity of headers; out: count */
};

enum {
	HTTP_PARSE_INVALID = -1,           /* 400 */
	HTTP_PARSE_INCOMPLETE = -2,        /* read more, then call again */
	HTTP_PARSE_URI_TOO_LONG = -3,      /* 414 */
	HTTP_PARSE_HEADERS_TOO_LARGE = -4, /* 431, also more headers than capacity */
};

/* Parse the request head at buf[0..len).
 *
 * Returns the head's length (bytes consumed, leading empty lines and the blank
 * line's CRLF included; bytes after it, a body or a pipelined request, are
 * not looked at) or a negative code. On a negative return *req is unspecified.
 *
 * Errors are reported as early as they can be known: a control byte, a bare
 * LF, a CR followed by anything but LF, an obs-fold, too many empty lines, and
 * both limits (8193 bytes of request line with no CR yet → URI_TOO_LONG; a
 * header block past 16384 bytes with no blank line yet → HEADERS_TOO_LARGE)
 * as soon as the offending byte arrives; the grammar of each line (method,
 * target, version, field names, header count) once the blank line has
 * arrived. The answers are prefix-consistent: once a prefix of a byte stream
 * gets an answer other than INCOMPLETE, every longer prefix gets the same one.
 *
 * last_len makes re-parsing cheap against a client that sends a byte at a
 * time (slowloris): pass 0 the first time, then the len of the previous call,
 * which must have returned INCOMPLETE on the same bytes buf[0..last_len). The
 * parser then scans for the blank line and for bad bytes only from
 * last_len - 3 (a "\r\n\r\n" may straddle the old end), and checks the header
 * block limit by searching only as many old bytes as there are new ones; the
 * one exception is a single search of the request line's first 8193 bytes in
 * the call that first goes beyond them. Feeding a head in any number of
 * pieces therefore costs O(head) in total, and the final answer equals the
 * answer for the whole buffer with last_len 0. A last_len that breaks the
 * promise never makes the parser read outside buf[0..len), but its answer may
 * differ from a fresh parse; last_len > len is taken as 0. */
int http_request_parse(const char *buf, size_t len, size_t last_len, struct http_request *req);

/* First header named `name` (NUL-terminated, ASCII case-insensitive), or NULL.
 * The result points into req->headers (borrowed). */
const struct http_header *http_header_find(const struct http_request *req, const char *name);

/* Content-Length of the request: returns 0 when absent (*out set to 0), 1 with
 * *out set, HTTP_PARSE_INVALID when malformed: an empty value or element,
 * anything but DIGITs (no sign, no inner space), a value beyond
 * HTTP_MAX_CONTENT_LENGTH, or several values (repeated headers or a comma
 * list) that differ; identical repeats are accepted (RFC 9110 §8.6). */
int http_content_length(const struct http_request *req, uint64_t *out);

/* 1 when the header's value, a comma-separated list, has an element equal to
 * `token` (NUL-terminated, ASCII case-insensitive, OWS around elements
 * ignored), else 0. E.g. "Connection: keep-alive, Upgrade" has "upgrade". */
int http_header_has_token(const struct http_header *h, const char *token);

/* 1 when any header named `name` has the element `token` (headers may
 * repeat, e.g. two Connection lines), else 0. */
int http_request_has_token(const struct http_request *req, const char *name, const char *token);

/* ASCII case-insensitive compare of a[0..n) with the NUL-terminated s:
 * 1 when equal (same length too), else 0. */
int http_token_eq(const char *a, size_t n, const char *s);

#endif
