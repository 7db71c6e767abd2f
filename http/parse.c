/* parse.c — the request-head parser; the contract is in parse.h.
 *
 * A head is read in two passes, so that the pass that runs on every arrival
 * of bytes stays trivial and resumable without state:
 *
 * 1. Framing (head_frame) classifies each byte with its neighbours only: it
 *    finds the blank line ("\r\n\r\n") and rejects control bytes, bare LFs,
 *    CRs not followed by LF and obs-folds. These are exactly the faults that
 *    make two parsers disagree on where a request ends (request smuggling),
 *    so they are refused the moment they arrive. Because a byte's verdict
 *    depends on at most three bytes around it, a re-parse can resume at
 *    last_len - 3 and still give the answer a full scan would give.
 * 2. Grammar (head_parse) runs once, when the blank line is in. Framing has
 *    guaranteed that every line ends in CRLF and holds no control byte but
 *    HTAB, so this pass only splits lines at CR and checks each line's shape.
 *
 * The limits are applied by truncation: head_limit works out how long the
 * head may grow before a limit is broken, and framing scans no further. A
 * fault whose last byte lies beyond that length is never seen, so a limit and
 * a fault are reported in the order their bytes arrive, whatever the pieces. */
#include "http/parse.h"

#include <string.h>

/* From the request line's CR to the last byte the header block may occupy:
 * the CR, its LF, then the block. */
#define HEAD_BLOCK_SPAN (2 + (size_t)HTTP_MAX_HEADER_BLOCK)

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 9110 §5.6.2 tchar: the bytes of methods and field names. */
static int is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static unsigned char ascii_lower(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 'A' && u <= 'Z' ? (unsigned char)(u + ('a' - 'A')) : u;
}

/* Skips the empty lines a client may send before the request line and sets
 * *start to the request line's first byte. A head that begins with a bare LF
 * is left to framing, which rejects it. */
static int head_skip(const char *buf, size_t len, size_t *start)
{
	size_t p = 0;

	for (int lines = 0;; lines++) {
		if (p == len)
			return HTTP_PARSE_INCOMPLETE;
		if (buf[p] != '\r')
			break;
		if (p + 1 == len)
			return HTTP_PARSE_INCOMPLETE;
		if (buf[p + 1] != '\n' || lines == HTTP_MAX_EMPTY_LINES)
			return HTTP_PARSE_INVALID;
		p += 2;
	}
	*start = p;
	return 0;
}

/* How long the head may grow before a limit is broken, with *code set to the
 * error for growing past it; SIZE_MAX when no limit can be broken yet. The
 * request line's CR must lie within its first 8193 bytes (8192 bytes and the
 * CR), and the blank line must end within 16384 bytes of that CR's LF.
 *
 * Finding the request line's CR means a search from the start; to keep a
 * byte-at-a-time client linear, it happens in one call only, the first whose
 * new bytes reach the place where the CR is due. After that the promise behind
 * last_len does the work: the previous call was not over the header limit,
 * so the CR lies at or after last_len - HEAD_BLOCK_SPAN, and this call is over
 * it only if the CR lies before len - HEAD_BLOCK_SPAN. A window as wide as
 * the new bytes; its first CR, if any, is the request line's. */
static size_t head_limit(const char *buf, size_t len, size_t start, size_t last_len, int *code)
{
	size_t due = start + HTTP_MAX_REQUEST_LINE; /* where the CR must be, at the latest */
	const char *cr;

	if (len <= due)
		return SIZE_MAX; /* the header limit lies further still */
	if (last_len <= due) {
		cr = memchr(buf + start, '\r', due + 1 - start);
		if (cr == NULL) {
			*code = HTTP_PARSE_URI_TOO_LONG;
			return due;
		}
	} else {
		size_t from =
		    last_len > start + HEAD_BLOCK_SPAN ? last_len - HEAD_BLOCK_SPAN : start;
		size_t to = len > HEAD_BLOCK_SPAN ? len - HEAD_BLOCK_SPAN : 0;

		cr = to > from ? memchr(buf + from, '\r', to - from) : NULL;
		if (cr == NULL)
			return SIZE_MAX;
	}
	*code = HTTP_PARSE_HEADERS_TOO_LARGE;
	return (size_t)(cr - buf) + HEAD_BLOCK_SPAN;
}

/* Framing pass over buf[from..len): 1 with *end just past the blank line,
 * HTTP_PARSE_INVALID, or HTTP_PARSE_INCOMPLETE. A byte whose verdict needs a
 * neighbour not yet received is passed over; the next call starts 3 bytes
 * back and looks at it again. */
static int head_frame(const char *buf, size_t len, size_t from, size_t *end)
{
	for (size_t p = from; p < len; p++) {
		unsigned char c = (unsigned char)buf[p];

		if (c == '\r') {
			if (p + 1 < len && buf[p + 1] != '\n')
				return HTTP_PARSE_INVALID;
			/* A header line that starts with whitespace is an
			 * obs-fold (RFC 9112 §5.2): refused, not unfolded. */
			if (p + 2 < len && is_ows(buf[p + 2]))
				return HTTP_PARSE_INVALID;
			if (p + 3 < len && buf[p + 2] == '\r' && buf[p + 3] == '\n') {
				*end = p + 4;
				return 1;
			}
		} else if (c == '\n') {
			/* p == 0 is a bare LF too; and when p is the request line's
			 * first byte, buf[p - 1] is an empty line's LF. */
			if (p == 0 || buf[p - 1] != '\r')
				return HTTP_PARSE_INVALID;
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			return HTTP_PARSE_INVALID;
		}
	}
	return HTTP_PARSE_INCOMPLETE;
}

/* request-line = method SP request-target SP HTTP-version, s[0..n) without
 * its CRLF. */
static int request_line_parse(const char *s, size_t n, struct http_request *req)
{
	size_t i = 0, t;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ' ')
		return -1;
	req->method = s;
	req->method_len = i;
	t = ++i;
	while (i < n && (unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f)
		i++;
	if (i == t || i == n || s[i] != ' ')
		return -1;
	req->target = s + t;
	req->target_len = i - t;
	i++;
	if (n - i != 8 || memcmp(s + i, "HTTP/1.", 7) != 0 || (s[i + 7] != '0' && s[i + 7] != '1'))
		return -1;
	req->minor_version = s[i + 7] - '0';
	return 0;
}

/* field-line = field-name ":" OWS field-value OWS, s[0..n) without its CRLF.
 * The value's bytes were vetted by framing: HTAB, SP, VCHAR and obs-text are
 * all that is left once control bytes, DEL, CR and LF are gone. */
static int header_line_parse(const char *s, size_t n, struct http_header *h)
{
	size_t i = 0;

	while (i < n && is_tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i == n || s[i] != ':')
		return -1;
	h->name = s;
	h->name_len = i;
	i++;
	while (i < n && is_ows(s[i]))
		i++;
	while (n > i && is_ows(s[n - 1]))
		n--;
	h->value = s + i;
	h->value_len = n - i;
	return 0;
}

/* Grammar pass over the framed head buf[start..end), end just past the
 * blank line. Framing guarantees a CR before end - 2, so each memchr finds
 * one. */
static int head_parse(const char *buf, size_t start, size_t end, struct http_request *req)
{
	const char *p = buf + start, *blank = buf + end - 2;
	const char *eol = memchr(p, '\r', end - start);
	size_t cap = req->num_headers, n = 0;

	if (request_line_parse(p, (size_t)(eol - p), req) < 0)
		return HTTP_PARSE_INVALID;
	for (p = eol + 2; p < blank; p = eol + 2) {
		eol = memchr(p, '\r', (size_t)(buf + end - p));
		if (n == cap)
			return HTTP_PARSE_HEADERS_TOO_LARGE;
		if (header_line_parse(p, (size_t)(eol - p), &req->headers[n]) < 0)
			return HTTP_PARSE_INVALID;
		n++;
	}
	req->num_headers = n;
	return (int)end;
}

int http_request_parse(const char *buf, size_t len, size_t last_len, struct http_request *req)
{
	size_t start, limit, from, end;
	int code = HTTP_PARSE_INCOMPLETE, r;

	if (last_len > len)
		last_len = 0;
	r = head_skip(buf, len, &start);
	if (r < 0)
		return r;
	limit = head_limit(buf, len, start, last_len, &code);
	from = last_len > start + 3 ? last_len - 3 : start;
	r = head_frame(buf, len < limit ? len : limit, from, &end);
	if (r == 1)
		return head_parse(buf, start, end, req);
	if (r == HTTP_PARSE_INVALID)
		return r;
	return len > limit ? code : HTTP_PARSE_INCOMPLETE;
}

int http_token_eq(const char *a, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\0' || ascii_lower(a[i]) != ascii_lower(s[i]))
			return 0;
	}
	return s[n] == '\0';
}

const struct http_header *http_header_find(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->num_headers; i++) {
		if (http_token_eq(req->headers[i].name, req->headers[i].name_len, name))
			return &req->headers[i];
	}
	return NULL;
}

/* Iterates the elements of a comma-separated list v[0..len): stores the next
 * one, OWS trimmed, and returns 1; returns 0 when none is left. *pos starts at
 * 0. Empty elements ("a,,b", "") are returned, as empty; callers decide. */
static int list_next(const char *v, size_t len, size_t *pos, const char **elem, size_t *elem_len)
{
	size_t i = *pos, j;
	const char *comma;

	if (i > len)
		return 0;
	comma = memchr(v + i, ',', len - i);
	j = comma ? (size_t)(comma - v) : len;
	*pos = j + 1;
	while (i < j && is_ows(v[i]))
		i++;
	while (j > i && is_ows(v[j - 1]))
		j--;
	*elem = v + i;
	*elem_len = j - i;
	return 1;
}

/* 1*DIGIT, at most HTTP_MAX_CONTENT_LENGTH. */
static int decimal_parse(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - (unsigned)'0';

		if (d > 9 || v > (HTTP_MAX_CONTENT_LENGTH - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int http_content_length(const struct http_request *req, uint64_t *out)
{
	uint64_t first = 0, v;
	int found = 0;

	for (size_t i = 0; i < req->num_headers; i++) {
		const struct http_header *h = &req->headers[i];
		const char *e;
		size_t n, pos = 0;

		if (!http_token_eq(h->name, h->name_len, "content-length"))
			continue;
		while (list_next(h->value, h->value_len, &pos, &e, &n)) {
			if (decimal_parse(e, n, &v) < 0 || (found && v != first))
				return HTTP_PARSE_INVALID;
			first = v;
			found = 1;
		}
	}
	*out = first;
	return found;
}

int http_header_has_token(const struct http_header *h, const char *token)
{
	const char *e;
	size_t n, pos = 0;

	while (list_next(h->value, h->value_len, &pos, &e, &n)) {
		if (http_token_eq(e, n, token))
			return 1;
	}
	return 0;
}

int http_request_has_token(const struct http_request *req, const char *name, const char *token)
{
	for (size_t i = 0; i < req->num_headers; i++) {
		const struct http_header *h = &req->headers[i];

		if (http_token_eq(h->name, h->name_len, name) && http_header_has_token(h, token))
			return 1;
	}
	return 0;
}
