/* fuzz_http.c — libFuzzer harness for http/parse.
 *
 * For each input the harness parses, with a header capacity derived from the
 * input's hash:
 *   - the input as is, and, when it holds 0xFE markers, an expanded copy in
 *     which "\xFE k" stands for (k + 1) * 64 repeats of the byte before it, so
 *     that small inputs reach the 8 KiB and 16 KiB limits;
 *   - whole (last_len 0); one byte at a time with last_len; and in pieces of
 *     sizes drawn from the hash, each piece's prefix copied to a heap block of
 *     exactly its length so that ASan sees any read past it.
 * It aborts when the incremental answers differ from the whole one (first
 * non-INCOMPLETE answer, head length and every field), when a returned
 * pointer leaves the head, or when a head it accepts breaks a rule that the
 * harness checks on its own (CRLF only, no control bytes, no obs-fold, the
 * limits, the header count). Accepted heads also go through the helpers. */
#include "http/parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CAP_MAX    64
#define FUZZ_EXPAND_MAX 40000
#define FUZZ_PIECES_MAX 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
	int r;
	struct http_request req;
	struct http_header hdrs[FUZZ_CAP_MAX];
};

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64: splits need only be varied and reproducible. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void parse(const char *buf, size_t len, size_t last_len, size_t cap, struct outcome *o)
{
	memset(&o->req, 0, sizeof(o->req));
	o->req.headers = o->hdrs;
	o->req.num_headers = cap;
	o->r = http_request_parse(buf, len, last_len, &o->req);
}

static int in_head(const char *base, int r, const char *p, size_t n)
{
	return p >= base && n <= (size_t)r && (size_t)(p - base) <= (size_t)r - n;
}

/* The same answer, and for a head the same fields at the same offsets. */
static void same_or_abort(const struct outcome *a, const char *abase, const struct outcome *b,
                          const char *bbase)
{
	if (a->r != b->r)
		abort();
	if (a->r <= 0)
		return;
	if (a->req.method - abase != b->req.method - bbase ||
	    a->req.method_len != b->req.method_len ||
	    a->req.target - abase != b->req.target - bbase ||
	    a->req.target_len != b->req.target_len ||
	    a->req.minor_version != b->req.minor_version ||
	    a->req.num_headers != b->req.num_headers)
		abort();
	for (size_t i = 0; i < a->req.num_headers; i++) {
		const struct http_header *x = &a->hdrs[i], *y = &b->hdrs[i];

		if (x->name - abase != y->name - bbase || x->name_len != y->name_len ||
		    x->value - abase != y->value - bbase || x->value_len != y->value_len)
			abort();
	}
}

/* Checks an accepted head buf[0..r) against the rules, independently of the
 * parser's code, then runs the helpers on it. */
static void check_head(const char *buf, size_t len, size_t cap, const struct outcome *o)
{
	const struct http_request *req = &o->req;
	size_t r = (size_t)o->r, p = 0, lines = 0, line_start, reqline_end = 0;
	uint64_t cl;

	if (r < 4 || r > len || memcmp(buf + r - 4, "\r\n\r\n", 4) != 0)
		abort();
	while (p + 1 < r && buf[p] == '\r' && buf[p + 1] == '\n')
		p += 2;
	if (p > 2 * HTTP_MAX_EMPTY_LINES)
		abort();
	line_start = p;
	for (; p < r; p++) {
		unsigned char c = (unsigned char)buf[p];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			abort();
		if (c == '\r' && buf[p + 1] != '\n')
			abort();
		if (c == '\n' && (p == 0 || buf[p - 1] != '\r'))
			abort();
		if (c == '\n') {
			if (lines == 0)
				reqline_end = p - 1;
			lines++;
			if (p + 1 < r && (buf[p + 1] == ' ' || buf[p + 1] == '\t'))
				abort();
		}
	}
	/* lines: the request line, each header line, the blank line. */
	if (lines < 2 || req->num_headers != lines - 2 || req->num_headers > cap)
		abort();
	if (reqline_end - line_start > HTTP_MAX_REQUEST_LINE ||
	    r - (reqline_end + 2) > HTTP_MAX_HEADER_BLOCK)
		abort();
	if (req->method_len == 0 || req->target_len == 0 || req->minor_version < 0 ||
	    req->minor_version > 1 || !in_head(buf, o->r, req->method, req->method_len) ||
	    !in_head(buf, o->r, req->target, req->target_len))
		abort();
	for (size_t i = 0; i < req->num_headers; i++) {
		const struct http_header *h = &req->headers[i];
		const struct http_header *f;

		if (h->name_len == 0 || !in_head(buf, o->r, h->name, h->name_len) ||
		    !in_head(buf, o->r, h->value, h->value_len))
			abort();
		if (h->value_len &&
		    (h->value[0] == ' ' || h->value[0] == '\t' ||
		     h->value[h->value_len - 1] == ' ' || h->value[h->value_len - 1] == '\t' ||
		     memchr(h->value, '\r', h->value_len)))
			abort();
		/* header_find needs a NUL-terminated name. */
		if (h->name_len < 64) {
			char name[64];

			memcpy(name, h->name, h->name_len);
			name[h->name_len] = '\0';
			f = http_header_find(req, name);
			if (f == NULL || f > h || !http_token_eq(f->name, f->name_len, name))
				abort();
		}
		(void)http_header_has_token(h, "keep-alive");
	}
	if (http_content_length(req, &cl) == 1 && cl > HTTP_MAX_CONTENT_LENGTH)
		abort();
	(void)http_request_has_token(req, "connection", "upgrade");
	(void)http_request_has_token(req, "upgrade", "websocket");
}

/* Whole, byte by byte and in pieces; all must agree. */
static void run(const char *buf, size_t len, size_t cap)
{
	static struct outcome whole, step;
	size_t last = 0, pieces = 0;

	parse(buf, len, 0, cap, &whole);
	if (whole.r > 0)
		check_head(buf, len, cap, &whole);
	else if (whole.r < HTTP_PARSE_HEADERS_TOO_LARGE)
		abort();

	for (size_t k = 1; k <= len; k++) {
		parse(buf, k, k - 1, cap, &step);
		if (step.r != HTTP_PARSE_INCOMPLETE || k == len) {
			same_or_abort(&whole, buf, &step, buf);
			if (step.r > 0 && (size_t)step.r != k)
				abort();
			break;
		}
	}

	for (size_t k = 0; k < len;) {
		uint64_t x = rng_next();
		size_t n = ++pieces >= FUZZ_PIECES_MAX ? len - k
		           : (x & 1)                   ? 1 + (x >> 1) % 8
		                                       : 1 + (x >> 1) % (len / 4 + 1);
		char *copy;

		k = k + n < len ? k + n : len;
		copy = malloc(k);
		if (copy == NULL)
			abort();
		memcpy(copy, buf, k);
		parse(copy, k, last, cap, &step);
		last = k;
		if (step.r != HTTP_PARSE_INCOMPLETE || k == len) {
			same_or_abort(&whole, buf, &step, copy);
			free(copy);
			break;
		}
		free(copy);
	}
}

/* "\xFE k" → (k + 1) * 64 repeats of the previous byte ('a' at the start). */
static size_t expand(const uint8_t *data, size_t size, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < size && n < FUZZ_EXPAND_MAX; i++) {
		if (data[i] == 0xFE && i + 1 < size) {
			size_t count = ((size_t)data[i + 1] + 1) * 64;
			char c = n ? out[n - 1] : 'a';

			if (count > FUZZ_EXPAND_MAX - n)
				count = FUZZ_EXPAND_MAX - n;
			memset(out + n, c, count);
			n += count;
			i++;
		} else {
			out[n++] = (char)data[i];
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char big[FUZZ_EXPAND_MAX];
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	size_t cap, n;
	char *copy;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 1099511628211u;
	rng_state = h | 1;
	cap = (size_t)(h >> 32) % (FUZZ_CAP_MAX + 1);

	run((const char *)data, size, cap);
	if (memchr(data, 0xFE, size) == NULL)
		return 0;
	n = expand(data, size, big);
	copy = malloc(n ? n : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, big, n);
	run(copy, n, cap);
	free(copy);
	return 0;
}
