/* test_http_parse.c — http/parse: the request-head grammar, its limits at
 * their boundaries, incremental parsing, and the header helpers.
 *
 * Every parse case runs three ways: whole, from a guard-page buffer; one byte
 * at a time as growing prefixes with last_len, each prefix itself ending at a
 * guard page (the answer must be INCOMPLETE until the prefix where the final
 * answer is due, and then equal the whole-buffer answer); and in two pieces
 * split at many points. */
#include "http/parse.h"
#include "tests/unit/check.h"
#include "tests/unit/guard.h"

#include <stdint.h>
#include <stdlib.h>

#define S(lit)      lit, sizeof(lit) - 1
#define MAX_HDRS    8
#define CAP_DEFAULT 16

struct hdr_want {
	const char *name, *value;
};

struct parse_case {
	const char *in;
	size_t in_len;
	int want; /* > 0: head length; 0: the whole input is the head; < 0: a code */
	/* Prefix length at which the answer first appears; 0: the head length
	 * for a head, the whole input for a code. */
	size_t at;
	size_t cap; /* header capacity; 0: CAP_DEFAULT; SIZE_MAX: none */
	const char *method, *target;
	int minor;
	size_t nhdrs;
	struct hdr_want hdrs[MAX_HDRS];
};

/* clang-format 14 spreads a braced initializer in a macro over one line per
 * brace; these read better whole. */
// clang-format off
/* A head of `want` bytes (0: all of lit) with n headers {name, value}. */
#define HEAD(lit, want, cap, method, target, minor, n, ...) \
	{S(lit), want, 0, cap, method, target, minor, n, {__VA_ARGS__}}
#define OK(lit, method, target, minor, n, ...) HEAD(lit, 0, 0, method, target, minor, n, __VA_ARGS__)
/* An error `code`, first reported by the prefix of `at` bytes (0: all of lit). */
#define BAD(lit, code, at)      {S(lit), code, at, 0, NULL, NULL, 0, 0, {{0}}}
#define BAD_CAP(lit, code, cap) {S(lit), code, 0, cap, NULL, NULL, 0, 0, {{0}}}
#define WAIT(lit)               BAD(lit, HTTP_PARSE_INCOMPLETE, 0)
#define NONE                    {0}
// clang-format on

#define GET11 "GET / HTTP/1.1\r\n"
#define PIPE1 "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
#define PUT1  "PUT /chunks/f1/0 HTTP/1.1\r\nContent-Length: 3\r\n\r\n"

static const struct parse_case cases[] = {
    /* Valid heads. */
    OK(GET11 "Host: example.org\r\n\r\n", "GET", "/", 1, 1, {"Host", "example.org"}),
    OK("GET /old HTTP/1.0\r\n\r\n", "GET", "/old", 0, 0, NONE),
    OK("HEAD /files/7 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nX-A: 1\r\n\r\n", "HEAD", "/files/7", 1,
       3, {"Host", "h"}, {"Accept", "*/*"}, {"X-A", "1"}),
    OK(GET11 "A:  a b \t\r\nB:\t\tc\r\nC:d\r\nD: \te\tf\t \r\n\r\n", "GET", "/", 1, 4, {"A", "a b"},
       {"B", "c"}, {"C", "d"}, {"D", "e\tf"}),
    OK(GET11 "Empty:\r\nSpaces:   \r\nTabs:\t\r\n\r\n", "GET", "/", 1, 3, {"Empty", ""},
       {"Spaces", ""}, {"Tabs", ""}),
    OK(GET11 "X: caf\xc3\xa9 \x80\xff\r\n\r\n", "GET", "/", 1, 1, {"X", "caf\xc3\xa9 \x80\xff"}),
    OK(GET11 "V: a:b, c;d=\"e\" (f) [g] {h} ~\r\n\r\n", "GET", "/", 1, 1,
       {"V", "a:b, c;d=\"e\" (f) [g] {h} ~"}),
    OK(GET11 "X-!#$%&'*+-.^_`|~9: v\r\n\r\n", "GET", "/", 1, 1, {"X-!#$%&'*+-.^_`|~9", "v"}),
    OK("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET", "/", 1, 1, {"Host", "a"}),
    OK("\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", "GET", "/", 1, 0, NONE),
    HEAD(PIPE1 "GET /b HTTP/1.1\r\nHost: y\r\n\r\n", sizeof(PIPE1) - 1, 0, "GET", "/a", 1, 1,
         {"Host", "x"}),
    HEAD(PIPE1 "\x01garbage\n", sizeof(PIPE1) - 1, 0, "GET", "/a", 1, 1, {"Host", "x"}),
    HEAD(PUT1 "abc", sizeof(PUT1) - 1, 0, "PUT", "/chunks/f1/0", 1, 1, {"Content-Length", "3"}),
    OK("OPTIONS * HTTP/1.1\r\n\r\n", "OPTIONS", "*", 1, 0, NONE),
    OK("M-SEARCH http://h:80/a?b=c&d=%20#x HTTP/1.1\r\n\r\n", "M-SEARCH",
       "http://h:80/a?b=c&d=%20#x", 1, 0, NONE),
    OK("GET /!$&'()*+,;=:@~[]{}|^`\"<>\\ HTTP/1.1\r\n\r\n", "GET", "/!$&'()*+,;=:@~[]{}|^`\"<>\\",
       1, 0, NONE),
    HEAD(GET11 "a: 1\r\nb: 2\r\nc: 3\r\n\r\n", 0, 3, "GET", "/", 1, 3, {"a", "1"}, {"b", "2"},
         {"c", "3"}),
    HEAD(GET11 "\r\n", 0, SIZE_MAX, "GET", "/", 1, 0, NONE),

    /* Line ends: CRLF only. */
    BAD("GET / HTTP/1.1\nHost: a\r\n\r\n", HTTP_PARSE_INVALID, 15),
    BAD(GET11 "Host: a\nX: b\r\n\r\n", HTTP_PARSE_INVALID, 24),
    BAD(GET11 "Host: a\r\n\n", HTTP_PARSE_INVALID, 0),
    BAD(GET11 "\n", HTTP_PARSE_INVALID, 0),
    BAD("GET / HTTP/1.1\rHost: a\r\n\r\n", HTTP_PARSE_INVALID, 16),
    BAD(GET11 "A: b\rc\r\n\r\n", HTTP_PARSE_INVALID, 22),
    BAD("GET / HTTP/1.1\r\r\n\r\n", HTTP_PARSE_INVALID, 16),
    BAD(GET11 "A: b\r\n\r\r\n", HTTP_PARSE_INVALID, 24),
    BAD("\nGET / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 1),
    BAD("\r\n\nGET / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 3),
    BAD("\rGET / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 2),
    BAD("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 10),

    /* obs-fold and stray whitespace. */
    BAD(GET11 "A: b\r\n c\r\n\r\n", HTTP_PARSE_INVALID, 23),
    BAD(GET11 "A: b\r\n\tc\r\n\r\n", HTTP_PARSE_INVALID, 23),
    BAD(GET11 " A: b\r\n\r\n", HTTP_PARSE_INVALID, 17),
    BAD("\r\n GET / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD(GET11 "Host : a\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD(GET11 "Host\t: a\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD(GET11 ": a\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD(GET11 "Host a\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD(GET11 "Ho\xc3\xa9st: a\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD(GET11 "Ho(st: a\r\n\r\n", HTTP_PARSE_INVALID, 0),

    /* Control bytes, reported as they arrive. */
    BAD(GET11 "A: b\0c\r\n\r\n", HTTP_PARSE_INVALID, 21),
    BAD(GET11 "A: b\x7f\r\n\r\n", HTTP_PARSE_INVALID, 21),
    BAD(GET11 "A: \x01\r\n\r\n", HTTP_PARSE_INVALID, 20),
    BAD(GET11 "A: b\x0b\r\n\r\n", HTTP_PARSE_INVALID, 21),
    BAD(GET11 "A: b\x1f\r\n\r\n", HTTP_PARSE_INVALID, 21),
    BAD(GET11 "A\0: b\r\n\r\n", HTTP_PARSE_INVALID, 18),
    BAD("GET /a\001b HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 7),
    BAD("GET /a\x7f HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 7),
    BAD("G\0T / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 2),

    /* Request line grammar, checked once the head is complete. */
    BAD("GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET  / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET /  HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET / HTTP/1.1 \r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET\t/ HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET /\tx HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD(" GET / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET / http/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET / HTTP/2.0\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET / HTTP/1.2\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET / HTTP/1.10\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET / HTTP/1.\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET / HTTP/1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET /\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET / \r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GET\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("GE(T / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),
    BAD("G\xc3\xa9T / HTTP/1.1\r\n\r\n", HTTP_PARSE_INVALID, 0),

    /* Header count against capacity. */
    BAD_CAP(GET11 "a: 1\r\nb: 2\r\nc: 3\r\n\r\n", HTTP_PARSE_HEADERS_TOO_LARGE, 2),
    BAD_CAP(GET11 "a: 1\r\n\r\n", HTTP_PARSE_HEADERS_TOO_LARGE, SIZE_MAX),

    /* Not yet complete: framing is clean so far, the grammar waits. */
    WAIT(""),
    WAIT("\r\n\r\n"),
    WAIT("\r\n\r\n\r\n\r\n\r"),
    WAIT("GET / HTTP/1.1\r"),
    WAIT(GET11 "Host: a\r\n\r"),
    WAIT(GET11 "Host : a\r\n"),
    WAIT("GET / HTTP/9.9\r\n"),
};

static size_t case_cap(const struct parse_case *c)
{
	if (c->cap == SIZE_MAX)
		return 0;
	return c->cap ? c->cap : CAP_DEFAULT;
}

static int case_want(const struct parse_case *c)
{
	return c->want == 0 ? (int)c->in_len : c->want;
}

static size_t case_at(const struct parse_case *c)
{
	if (c->at)
		return c->at;
	return case_want(c) > 0 ? (size_t)case_want(c) : c->in_len;
}

/* Checks a successful parse of buf against the case: fields, and that every
 * pointer lies inside the head. */
static void check_fields(const struct parse_case *c, const char *buf, int r,
                         const struct http_request *req, const char *how)
{
	const char *end = buf + (r > 0 ? r : 0);

	if (r <= 0 || !c->method)
		return;
	CHECKF(http_token_eq(req->method, req->method_len, c->method) &&
	           memcmp(req->method, c->method, req->method_len) == 0,
	       "%s %s: method %.*s", how, c->method, (int)req->method_len, req->method);
	CHECKF(req->target_len == strlen(c->target) &&
	           memcmp(req->target, c->target, req->target_len) == 0,
	       "%s %s: target %.*s", how, c->target, (int)req->target_len, req->target);
	CHECKF(req->minor_version == c->minor, "%s %s: minor %d", how, c->target,
	       req->minor_version);
	CHECKF(req->method >= buf && req->method + req->method_len <= end, "%s: method ptr", how);
	CHECKF(req->target >= buf && req->target + req->target_len <= end, "%s: target ptr", how);
	CHECKF(req->num_headers == c->nhdrs, "%s %s: %zu headers", how, c->target,
	       req->num_headers);
	for (size_t i = 0; i < c->nhdrs && i < req->num_headers; i++) {
		const struct http_header *h = &req->headers[i];
		size_t vlen = strlen(c->hdrs[i].value);

		CHECKF(h->name_len == strlen(c->hdrs[i].name) &&
		           memcmp(h->name, c->hdrs[i].name, h->name_len) == 0,
		       "%s: header %zu name %.*s", how, i, (int)h->name_len, h->name);
		CHECKF(h->value_len == vlen && memcmp(h->value, c->hdrs[i].value, vlen) == 0,
		       "%s: header %s value [%.*s]", how, c->hdrs[i].name, (int)h->value_len,
		       h->value);
		CHECKF(h->name >= buf && h->name + h->name_len <= end && h->value >= buf &&
		           h->value + h->value_len <= end,
		       "%s: header %zu ptrs", how, i);
	}
}

static int parse_with_cap(const char *buf, size_t len, size_t last_len, size_t cap,
                          struct http_header *hdrs, struct http_request *req)
{
	memset(req, 0, sizeof(*req));
	req->headers = cap ? hdrs : NULL;
	req->num_headers = cap;
	return http_request_parse(buf, len, last_len, req);
}

/* Runs one case whole, byte by byte and in two pieces. Large inputs are split
 * at fewer points, always including the bytes around the answer. */
static void check_case(const struct parse_case *c, const char *label)
{
	static struct http_header hdrs[4096];
	struct http_request req;
	struct guard g, gs;
	size_t cap = case_cap(c), at = case_at(c), last = 0;
	int want = case_want(c), r;
	char *buf, *scratch;

	/* Whole, from the end of a guard page. */
	buf = guard_copy(&g, c->in, c->in_len);
	r = parse_with_cap(buf, c->in_len, 0, cap, hdrs, &req);
	CHECKF(r == want, "%s: whole: got %d, want %d", label, r, want);
	check_fields(c, buf, r, &req, label);

	/* Growing prefixes, each copied so that it ends at a guard page. Copying
	 * costs O(n) a step, so a large input is copied every 64th step and
	 * near the answer only; other steps read a prefix of the whole copy. */
	scratch = guard_copy(&gs, c->in, c->in_len);
	for (size_t n = 1; n <= c->in_len; n++) {
		char *p = buf;

		if (c->in_len <= 4096 || n % 64 == 0 || n + 8 >= at) {
			p = scratch + c->in_len - n;
			memcpy(p, c->in, n);
		}
		r = parse_with_cap(p, n, last, cap, hdrs, &req);
		last = n;
		if (n < at && r != HTTP_PARSE_INCOMPLETE) {
			CHECKF(0, "%s: prefix %zu of %zu: got %d before %zu", label, n, c->in_len,
			       r, at);
			break;
		}
		if (n == at) {
			CHECKF(r == want, "%s: prefix %zu: got %d, want %d", label, n, r, want);
			check_fields(c, p, r, &req, label);
			break;
		}
	}
	guard_release(&gs);
	guard_release(&g);
	if (at > c->in_len)
		CHECKF(0, "%s: case answers at %zu beyond its %zu bytes", label, at, c->in_len);

	/* Two pieces: a first call on in[0..k), then the whole with last_len k. */
	for (size_t k = 1; k < c->in_len; k++) {
		if (c->in_len > 512 && k % 509 != 0 && (k + 8 < at || k > at + 8) &&
		    k + 8 < c->in_len)
			continue;
		r = parse_with_cap(c->in, k, 0, cap, hdrs, &req);
		if (r != HTTP_PARSE_INCOMPLETE)
			continue; /* the answer came in the first piece: done above */
		r = parse_with_cap(c->in, c->in_len, k, cap, hdrs, &req);
		CHECKF(r == want, "%s: split at %zu: got %d, want %d", label, k, r, want);
		check_fields(c, c->in, r, &req, label);
	}
}

static void test_cases(void)
{
	char label[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(label, sizeof(label), "case %zu", i);
		check_case(&cases[i], label);
	}
}

/* A head with a request line of line_len bytes ("GET /aaa… HTTP/1.1") and a
 * header block of block_len bytes (one header "X: vvv…" or none), after
 * `empty` empty lines, followed by 16 bytes of a next request. *len counts
 * them all; the caller frees. */
static char *head_build(size_t empty, size_t line_len, size_t block_len, size_t *len)
{
	size_t n = 2 * empty + line_len + 2 + block_len + 16, p = 0;
	char *s = malloc(n);

	if (!s)
		abort();
	for (size_t i = 0; i < empty; i++, p += 2)
		memcpy(s + p, "\r\n", 2);
	memcpy(s + p, "GET /", 5);
	memset(s + p + 5, 'a', line_len - 14);
	memcpy(s + p + line_len - 9, " HTTP/1.1\r\n", 11);
	p += line_len + 2;
	if (block_len > 2) {
		/* "X: " value "\r\n" then "\r\n": 7 bytes around the value. */
		memcpy(s + p, "X: ", 3);
		memset(s + p + 3, 'v', block_len - 7);
		memcpy(s + p + block_len - 4, "\r\n", 2);
	}
	memcpy(s + p + block_len - 2, "\r\n", 2);
	p += block_len;
	memcpy(s + p, "GET /next HTTP/1.1\r\n", 16);
	*len = p + 16;
	return s;
}

static void check_built(size_t empty, size_t line_len, size_t block_len, int want, size_t at)
{
	struct parse_case c = {0};
	char label[64];
	size_t len, head;

	c.in = head_build(empty, line_len, block_len, &len);
	head = len - 16;
	c.in_len = len;
	c.want = want ? want : (int)head;
	c.at = at;
	snprintf(label, sizeof(label), "built %zu/%zu/%zu", empty, line_len, block_len);
	check_case(&c, label);
	free((char *)c.in);
}

static void test_limits(void)
{
	const size_t L = HTTP_MAX_REQUEST_LINE, B = HTTP_MAX_HEADER_BLOCK;
	struct http_request req;
	struct http_header hdrs[4];
	size_t len;
	char *s;

	check_built(0, 14, 2, 0, 0);
	check_built(0, L, 2, 0, 0);
	check_built(0, L + 1, 2, HTTP_PARSE_URI_TOO_LONG, L + 1);
	check_built(0, L + 100, B + 100, HTTP_PARSE_URI_TOO_LONG, L + 1);
	check_built(4, L, 2, 0, 0);
	check_built(4, L + 1, 2, HTTP_PARSE_URI_TOO_LONG, 8 + L + 1);
	check_built(0, 100, B, 0, 0);
	check_built(0, 100, B + 1, HTTP_PARSE_HEADERS_TOO_LARGE, 102 + B + 1);
	check_built(0, 100, B + 3000, HTTP_PARSE_HEADERS_TOO_LARGE, 102 + B + 1);
	check_built(0, L, B, 0, 0);
	check_built(0, L, B + 1, HTTP_PARSE_HEADERS_TOO_LARGE, L + 2 + B + 1);
	check_built(4, L, B, 0, 0);
	check_built(4, L - 1, B + 1, HTTP_PARSE_HEADERS_TOO_LARGE, 8 + L + 1 + B + 1);

	/* The same boundaries, incomplete: only what has arrived so far. */
	s = head_build(0, L + 1, 2, &len);
	CHECK_EQ_LL(parse_with_cap(s, L, 0, 4, hdrs, &req), HTTP_PARSE_INCOMPLETE);
	CHECK_EQ_LL(parse_with_cap(s, L + 1, 0, 4, hdrs, &req), HTTP_PARSE_URI_TOO_LONG);
	CHECK_EQ_LL(parse_with_cap(s, L + 1, L, 4, hdrs, &req), HTTP_PARSE_URI_TOO_LONG);
	free(s);
	s = head_build(0, L, 2, &len);
	CHECK_EQ_LL(parse_with_cap(s, L + 1, 0, 4, hdrs, &req), HTTP_PARSE_INCOMPLETE); /* CR */
	CHECK_EQ_LL(parse_with_cap(s, L + 1, L, 4, hdrs, &req), HTTP_PARSE_INCOMPLETE);
	s[L + 1] = 'x'; /* CR without LF where the limit falls */
	CHECK_EQ_LL(parse_with_cap(s, L + 2, 0, 4, hdrs, &req), HTTP_PARSE_INVALID);
	free(s);
	s = head_build(0, 100, B + 1, &len);
	CHECK_EQ_LL(parse_with_cap(s, 102 + B, 0, 4, hdrs, &req), HTTP_PARSE_INCOMPLETE);
	CHECK_EQ_LL(parse_with_cap(s, 102 + B + 1, 0, 4, hdrs, &req), HTTP_PARSE_HEADERS_TOO_LARGE);
	CHECK_EQ_LL(parse_with_cap(s, 102 + B + 1, 102 + B, 4, hdrs, &req),
	            HTTP_PARSE_HEADERS_TOO_LARGE);
	CHECK_EQ_LL(parse_with_cap(s, 102 + B + 1, 50, 4, hdrs, &req),
	            HTTP_PARSE_HEADERS_TOO_LARGE);
	CHECK_EQ_LL(parse_with_cap(s, 102 + B + 1, 9000, 4, hdrs, &req),
	            HTTP_PARSE_HEADERS_TOO_LARGE);
	free(s);
}

/* Many short header lines fill a 16 KiB block: a slowloris sending them one
 * byte at a time is served by check_case in linear time (see the next test
 * for why), and the count and last header come out right. */
static void test_many_headers(void)
{
	static char buf[64 + HTTP_MAX_HEADER_BLOCK];
	struct parse_case c = {0};
	size_t p = 0, lines = 0;

	memcpy(buf, GET11, 16);
	p = 16;
	/* Lines of "h:v\r\n" (5 bytes) while there is room for them, a last
	 * line of at least 7 bytes and the blank line. */
	while (p - 16 + 5 + 2 <= HTTP_MAX_HEADER_BLOCK - 7) {
		memcpy(buf + p, "h:v\r\n", 5);
		p += 5;
		lines++;
	}
	/* One last header that makes the block exactly HTTP_MAX_HEADER_BLOCK. */
	{
		size_t last = HTTP_MAX_HEADER_BLOCK - (p - 16) - 2; /* its line, CRLF included */

		memcpy(buf + p, "z:", 2);
		memset(buf + p + 2, 'w', last - 4);
		memcpy(buf + p + last - 2, "\r\n\r\n", 4);
		p += last + 2;
		lines++;
	}
	CHECK_EQ_LL(p - 16, HTTP_MAX_HEADER_BLOCK);
	c.in = buf;
	c.in_len = p;
	c.cap = 4096;
	check_case(&c, "many headers");

	{
		struct http_header hdrs[4096];
		struct http_request req;

		CHECK_EQ_LL(parse_with_cap(buf, p, 0, 4096, hdrs, &req), (long long)p);
		CHECK_EQ_LL(req.num_headers, lines);
		CHECK(http_token_eq(req.headers[lines - 1].name, req.headers[lines - 1].name_len,
		                    "Z"));
		CHECK_EQ_LL(parse_with_cap(buf, p, 0, lines - 1, hdrs, &req),
		            HTTP_PARSE_HEADERS_TOO_LARGE);
	}
}

/* With last_len the parser promises to look for the blank line and for bad
 * bytes only from last_len - 3. Behaviour shows it: bytes before that point
 * are taken as already vetted, so planting a blank line or a NUL there (which
 * breaks the caller's side of the promise) goes unnoticed, while the same
 * bytes at or after last_len - 3 are found. */
static void test_resume_scans_new_bytes_only(void)
{
	static const char head[] = GET11 "A: b\r\n\r\n"
	                                 "XYZ";
	char bad[64];
	struct http_header hdrs[4];
	struct http_request req;
	size_t n = sizeof(head) - 1, end = n - 3;

	CHECK_EQ_LL(parse_with_cap(head, n, 0, 4, hdrs, &req), (long long)end);
	/* The blank line's CRLFCRLF starts at end - 4: seen from last_len
	 * end - 1 (scan from end - 4), not from last_len end (scan from end - 3). */
	CHECK_EQ_LL(parse_with_cap(head, n, end - 1, 4, hdrs, &req), (long long)end);
	CHECK_EQ_LL(parse_with_cap(head, n, end, 4, hdrs, &req), HTTP_PARSE_INCOMPLETE);
	CHECK_EQ_LL(parse_with_cap(head, n, n, 4, hdrs, &req), HTTP_PARSE_INCOMPLETE);

	memcpy(bad, GET11 "A: b\0cccccc", 27);
	CHECK_EQ_LL(parse_with_cap(bad, 27, 0, 4, hdrs, &req), HTTP_PARSE_INVALID);
	CHECK_EQ_LL(parse_with_cap(bad, 27, 24, 4, hdrs, &req), HTTP_PARSE_INCOMPLETE);
	CHECK_EQ_LL(parse_with_cap(bad, 27, 23, 4, hdrs, &req), HTTP_PARSE_INVALID);

	/* last_len beyond len is not a resumption: a fresh parse. */
	CHECK_EQ_LL(parse_with_cap(head, n, n + 1, 4, hdrs, &req), (long long)end);
}

/* Parses GET11 + extra + CRLF and returns the result; hdrs holds 8. */
static int parse_extra(const char *extra, struct http_request *req, struct http_header *hdrs)
{
	static char buf[512];
	size_t n = strlen(extra);

	memcpy(buf, GET11, 16);
	memcpy(buf + 16, extra, n);
	memcpy(buf + 16 + n, "\r\n", 2);
	return parse_with_cap(buf, 18 + n, 0, 8, hdrs, req);
}

static void test_content_length(void)
{
	static const struct {
		const char *headers;
		int want;
		uint64_t value;
	} t[] = {
	    {"Host: a\r\n", 0, 0},
	    {"Content-Length: 0\r\n", 1, 0},
	    {"Content-Length: 123\r\n", 1, 123},
	    {"content-LENGTH:  42 \r\n", 1, 42},
	    {"Content-Length: 007\r\n", 1, 7},
	    {"Content-Length: 4611686018427387904\r\n", 1, (uint64_t)1 << 62},
	    {"Content-Length: 4611686018427387905\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: 18446744073709551616\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: 99999999999999999999\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length:\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: -1\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: +1\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: 1a\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: 0x10\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: 1 2\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: 5\r\nContent-Length: 5\r\n", 1, 5},
	    {"Content-Length: 5\r\nHost: a\r\ncontent-length: 6\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: 5, 5\r\n", 1, 5},
	    {"Content-Length: 5,5 ,\t5\r\n", 1, 5},
	    {"Content-Length: 5, 6\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: 5,\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: ,5\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Length: 5\r\nContent-Length: 5, 6\r\n", HTTP_PARSE_INVALID, 0},
	    {"Content-Lengths: 5\r\n", 0, 0},
	};
	struct http_header hdrs[8];
	struct http_request req;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 77;
		int r = parse_extra(t[i].headers, &req, hdrs);

		CHECKF(r > 0, "content-length case %zu: parse %d", i, r);
		if (r <= 0)
			continue;
		r = http_content_length(&req, &v);
		CHECKF(r == t[i].want, "content-length case %zu: got %d, want %d", i, r, t[i].want);
		if (r >= 0)
			CHECKF(v == t[i].value, "content-length case %zu: value %llu", i,
			       (unsigned long long)v);
	}
}

static void test_tokens(void)
{
	struct http_header hdrs[8];
	struct http_request req;
	const struct http_header *h;

	CHECK(parse_extra("Connection: keep-alive\r\n", &req, hdrs) > 0);
	CHECK(http_request_has_token(&req, "connection", "keep-alive"));
	CHECK(http_request_has_token(&req, "Connection", "Keep-Alive"));
	CHECK(!http_request_has_token(&req, "Connection", "close"));
	CHECK(!http_request_has_token(&req, "Connection", "keep"));
	CHECK(!http_request_has_token(&req, "Upgrade", "keep-alive"));

	CHECK(parse_extra("Connection: Upgrade, keep-alive\r\nUpgrade: websocket\r\n", &req, hdrs) >
	      0);
	CHECK(http_request_has_token(&req, "Connection", "upgrade"));
	CHECK(http_request_has_token(&req, "Connection", "keep-alive"));
	CHECK(http_request_has_token(&req, "upgrade", "WebSocket"));
	h = http_header_find(&req, "UPGRADE");
	CHECK(h != NULL && h == &req.headers[1]);
	CHECK(h && http_header_has_token(h, "websocket"));
	CHECK(h && !http_header_has_token(h, "websockets"));
	CHECK(http_header_find(&req, "Upgrad") == NULL);
	CHECK(http_header_find(&req, "Upgrades") == NULL);

	CHECK(parse_extra("Connection: upgrades\r\nUpgrade: web socket\r\n", &req, hdrs) > 0);
	CHECK(!http_request_has_token(&req, "Connection", "upgrade"));
	CHECK(!http_request_has_token(&req, "Connection", "upgrades,"));
	CHECK(!http_request_has_token(&req, "Upgrade", "web"));
	CHECK(http_request_has_token(&req, "Upgrade", "web socket"));

	CHECK(parse_extra("Connection: keep-alive\r\nHost: h\r\nConnection:  ,\tUpgrade\t,\r\n",
	                  &req, hdrs) > 0);
	CHECK(http_request_has_token(&req, "Connection", "upgrade"));
	CHECK(http_request_has_token(&req, "Connection", "keep-alive"));
	CHECK(!http_request_has_token(&req, "Host", "upgrade"));
	h = http_header_find(&req, "connection");
	CHECK(h == &req.headers[0]);
	CHECK(h && !http_header_has_token(h, "upgrade"));

	CHECK(http_token_eq("Upgrade", 7, "upgrade"));
	CHECK(http_token_eq("", 0, ""));
	CHECK(!http_token_eq("Upgrade", 7, "upgrad"));
	CHECK(!http_token_eq("Upgrad", 6, "upgrade"));
	CHECK(!http_token_eq("[", 1, "{")); /* case folding is for letters only */
	CHECK(!http_token_eq("@", 1, "`"));
}

int main(void)
{
	test_cases();
	test_limits();
	test_many_headers();
	test_resume_scans_new_bytes_only();
	test_content_length();
	test_tokens();
	return check_exit("test_http_parse");
}
