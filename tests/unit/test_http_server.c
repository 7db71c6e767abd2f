/* test_http_server.c — the HTTP connection handler without sockets.
 *
 * A connection slot is built by hand, bytes are put into c->in the way the
 * plain transport would, and http_handler.on_data runs as the loop would run
 * it; what lands in c->out is the transcript. Routes are the test's own, so
 * the body mechanics (sinks, 100-continue, dropping unread bodies,
 * backpressure) are checked independently of the hub's endpoints. Every
 * scenario is fed whole, one byte at a time, and in uneven pieces. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/arena.h"
#include "core/config.h"
#include "http/response.h"
#include "http/server.h"

#define OUT_CAP (64 * 1024)

static uint8_t in_buf[CONN_IN_CAP];
static uint8_t out_buf[OUT_CAP];
static char transcript[1 << 20];
static size_t transcript_len;

/* What the test sink saw. */
static struct {
	uint8_t data[512 * 1024];
	size_t len, pieces, max_piece;
	int done, done_flags;
	size_t refuse_at; /* refuse once this many bytes arrived; 0: never */
	size_t transcript_at_first_piece;
} sk;

static int t_piece(struct conn *c, const uint8_t *p, size_t n)
{
	if (sk.pieces++ == 0)
		sk.transcript_at_first_piece = transcript_len + (c->out_len - c->out_off);
	if (n > sk.max_piece)
		sk.max_piece = n;
	if (sk.len + n > sizeof sk.data)
		return -1;
	memcpy(sk.data + sk.len, p, n);
	sk.len += n;
	if (sk.refuse_at && sk.len >= sk.refuse_at) {
		http_respond_text(c, 413, "Enough.", NULL, HTTP_RESP_CLOSE);
		return -1;
	}
	return 0;
}

static void t_done(struct conn *c, int flags)
{
	sk.done++;
	sk.done_flags = flags;
	http_respond(c, 200, "text/plain", NULL, "got\n", 4, flags);
}

static const struct http_body_sink t_sink = {t_piece, t_done};

static void route_take(struct conn *c, struct http_exchange *x)
{
	http_body_accept(c, x, &t_sink);
}

static void route_refuse(struct conn *c, struct http_exchange *x)
{
	http_reply(c, x, 409, "Not wanted.", NULL);
}

static void route_get(struct conn *c, struct http_exchange *x)
{
	http_respond(c, 200, "text/plain", NULL, "hi\n", 3, x->flags);
}

static const struct http_route test_routes[] = {
    {"/take", 0, HTTP_PUT, "PUT", route_take},
    {"/refuse", 0, HTTP_PUT, "PUT", route_refuse},
    {"/get", 0, HTTP_GET | HTTP_HEAD, "GET, HEAD", route_get},
};

static struct conn conn;

static void conn_reset(void)
{
	memset(&conn, 0, sizeof conn);
	conn.fd = -1;
	conn.state = CONN_OPEN;
	conn.handler = &http_handler;
	conn.in = in_buf;
	conn.in_cap = sizeof in_buf;
	conn.out = out_buf;
	conn.out_cap = sizeof out_buf;
	transcript_len = 0;
	memset(&sk, 0, sizeof sk);
	http_handler.on_close(&conn); /* clears the slot's HTTP state */
}

/* Move what the handler wrote into the transcript, as a peer reading. */
static void drain(void)
{
	size_t n = conn.out_len - conn.out_off;
	if (transcript_len + n + conn.tail_len > sizeof transcript)
		abort();
	memcpy(transcript + transcript_len, conn.out + conn.out_off, n);
	transcript_len += n;
	if (conn.tail_len) {
		memcpy(transcript + transcript_len, conn.tail, conn.tail_len);
		transcript_len += conn.tail_len;
	}
	conn.out_off = conn.out_len = 0;
	conn.tail = NULL;
	conn.tail_len = 0;
}

/* Deliver bytes the way the plain transport does, step bytes at a time at
 * most, running the handler after each delivery. */
static void feed(const void *data, size_t n, size_t step)
{
	const uint8_t *p = data;
	while (n && conn.state == CONN_OPEN && !conn.close_after_flush) {
		if (conn.in_off == conn.in_len) {
			conn.in_off = conn.in_len = 0;
		} else if (conn.in_off > 0 && conn.in_len == conn.in_cap) {
			memmove(conn.in, conn.in + conn.in_off, conn.in_len - conn.in_off);
			conn.in_len -= conn.in_off;
			conn.in_off = 0;
		}
		size_t k = conn.in_cap - conn.in_len;
		if (k > step)
			k = step;
		if (k > n)
			k = n;
		if (k == 0) {
			fprintf(stderr, "feed: input full and the handler does not consume it\n");
			abort();
		}
		memcpy(conn.in + conn.in_len, p, k);
		conn.in_len += (uint32_t)k;
		p += k;
		n -= k;
		http_handler.on_data(&conn);
		drain();
	}
}

static size_t count(const char *needle)
{
	size_t n = 0, l = strlen(needle);
	for (size_t i = 0; i + l <= transcript_len; i++)
		if (memcmp(transcript + i, needle, l) == 0)
			n++;
	return n;
}

static const char *find(const char *needle)
{
	size_t l = strlen(needle);
	for (size_t i = 0; i + l <= transcript_len; i++)
		if (memcmp(transcript + i, needle, l) == 0)
			return transcript + i;
	return NULL;
}

/* Build "PUT path" with a body of n bytes (byte i = i*7 mod 251), optionally
 * Expect: 100-continue, followed by `after`. */
static size_t build(char *out, size_t cap, const char *path, size_t n, int expect,
                    const char *after)
{
	int h = snprintf(out, cap, "PUT %s HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n%s\r\n",
	                 path, n, expect ? "Expect: 100-continue\r\n" : "");
	size_t len = (size_t)h;
	for (size_t i = 0; i < n; i++)
		out[len++] = (char)(i * 7 % 251);
	size_t a = strlen(after);
	memcpy(out + len, after, a);
	return len + a;
}

static char req[600 * 1024];
static const size_t steps[] = {1, 7, 1000, 4096, CONN_IN_CAP};

static void test_sink_gets_body_in_pieces(void)
{
	const size_t body = 200 * 1024;
	size_t n = build(req, sizeof req, "/take", body, 0, "GET /get HTTP/1.1\r\nHost: t\r\n\r\n");
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		conn_reset();
		feed(req, n, steps[s]);
		CHECKF(sk.done == 1, "step %zu", steps[s]);
		CHECKF(sk.len == body, "step %zu: %zu bytes", steps[s], sk.len);
		int same = 1;
		for (size_t i = 0; i < sk.len; i++)
			same &= sk.data[i] == (uint8_t)(i * 7 % 251);
		CHECKF(same, "step %zu: body bytes differ", steps[s]);
		/* Never buffered whole: no piece is larger than the input buffer. */
		CHECKF(sk.max_piece <= CONN_IN_CAP, "step %zu: piece of %zu", steps[s], sk.max_piece);
		CHECKF(sk.pieces >= body / CONN_IN_CAP, "step %zu: %zu pieces", steps[s], sk.pieces);
		/* The answer comes after the body, then the pipelined GET's. */
		const char *ok = find("got\n"), *hi = find("hi\n");
		CHECKF(ok && hi && ok < hi, "step %zu: answers out of order", steps[s]);
		CHECKF(count("HTTP/1.1 200 OK") == 2, "step %zu", steps[s]);
		CHECKF(count("100 Continue") == 0, "step %zu: 100 without Expect", steps[s]);
		CHECKF(!conn.close_after_flush, "step %zu: keep-alive lost", steps[s]);
		CHECK(sk.done_flags == 0);
	}
}

static void test_expect_continue(void)
{
	const size_t body = 50 * 1024;
	size_t n = build(req, sizeof req, "/take", body, 1, "");
	size_t head = (size_t)(strstr(req, "\r\n\r\n") - req) + 4;
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		conn_reset();
		/* The head alone: the client now waits for 100 Continue. */
		feed(req, head, steps[s]);
		CHECKF(transcript_len == 25 &&
		           memcmp(transcript, "HTTP/1.1 100 Continue\r\n\r\n", 25) == 0,
		       "step %zu: no 100 Continue before the body", steps[s]);
		CHECK(sk.pieces == 0);
		feed(req + head, n - head, steps[s]);
		CHECKF(sk.done == 1 && sk.len == body, "step %zu", steps[s]);
		CHECK(sk.transcript_at_first_piece == 25);
		CHECK(count("HTTP/1.1 200 OK") == 1);
		CHECK(!conn.close_after_flush);
	}
}

static void test_unread_body_dropped(void)
{
	const size_t body = 100 * 1024;
	size_t n = build(req, sizeof req, "/refuse", body, 0, "GET /get HTTP/1.1\r\nHost: t\r\n\r\n");
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		conn_reset();
		feed(req, n, steps[s]);
		/* Answered at once, body read and dropped, the next request found. */
		const char *no = find("409 Conflict"), *hi = find("hi\n");
		CHECKF(no && hi && no < hi, "step %zu", steps[s]);
		CHECK(sk.pieces == 0);
		CHECK(!conn.close_after_flush);
		CHECK(conn.in_off == conn.in_len);
	}
}

static void test_unread_body_with_expect_closes(void)
{
	size_t n = build(req, sizeof req, "/refuse", 10000, 1, "");
	size_t head = (size_t)(strstr(req, "\r\n\r\n") - req) + 4;
	conn_reset();
	feed(req, head, 4096);
	(void)n;
	CHECK(find("409 Conflict") != NULL);
	CHECK(find("Connection: close") != NULL);
	CHECK(count("100 Continue") == 0);
	CHECK(conn.close_after_flush);
}

static void test_sink_refuses(void)
{
	size_t n = build(req, sizeof req, "/take", 100000, 0, "GET /get HTTP/1.1\r\nHost: t\r\n\r\n");
	conn_reset();
	sk.refuse_at = 5000;
	feed(req, n, 1000);
	CHECK(sk.done == 0);
	CHECK(find("413") != NULL);
	CHECK(find("hi\n") == NULL);
	CHECK(conn.close_after_flush);
}

static void test_empty_body_and_http10(void)
{
	const char *a = "PUT /take HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n";
	conn_reset();
	feed(a, strlen(a), 4096);
	CHECK(sk.done == 1 && sk.len == 0 && sk.pieces == 0);
	CHECK(count("HTTP/1.1 200 OK") == 1);
	CHECK(!conn.close_after_flush);

	/* HTTP/1.0 without keep-alive: the answer after the body closes. */
	char b[200];
	int bl = snprintf(b, sizeof b, "PUT /take HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello");
	conn_reset();
	feed(b, (size_t)bl, 3);
	CHECK(sk.done == 1 && sk.len == 5 && memcmp(sk.data, "hello", 5) == 0);
	CHECK(find("Connection: close") != NULL);
	CHECK(conn.close_after_flush);
}

/* A client that pipelines without reading: the handler stops when the
 * output buffer lacks room, and goes on once it drains. */
static void test_backpressure(void)
{
	static char many[40000 * 30];
	size_t n = 0;
	const char *one = "GET /get HTTP/1.1\r\nHost: t\r\n\r\n";
	size_t ol = strlen(one), reqs = 0;
	while (n + ol <= CONN_IN_CAP) {
		memcpy(many + n, one, ol);
		n += ol;
		reqs++;
	}
	conn_reset();
	memcpy(conn.in, many, n);
	conn.in_len = (uint32_t)n;
	/* Leave the output nearly full: nothing may be parsed. */
	conn.out_len = OUT_CAP - HTTP_RESPONSE_RESERVE / 2;
	http_handler.on_data(&conn);
	CHECK(conn.blocked);
	CHECK(conn.in_off == 0);
	CHECK(conn.out_len == OUT_CAP - HTTP_RESPONSE_RESERVE / 2);
	/* The peer reads; the handler answers everything, in rounds. */
	conn.out_len = 0;
	transcript_len = 0;
	for (int round = 0; round < 1000 && conn.in_off < conn.in_len; round++) {
		conn.blocked = 0;
		http_handler.on_data(&conn);
		CHECK(conn.out_len <= OUT_CAP);
		drain();
	}
	CHECK_EQ_LL(count("hi\n"), reqs);
}

int main(void)
{
	if (arena_init(1 << 20) != 0)
		return 1;
	static struct config cfg;
	config_defaults(&cfg);
	cfg.max_clients = 1;
	http_server_init(&cfg, test_routes, sizeof test_routes / sizeof test_routes[0]);
	test_sink_gets_body_in_pieces();
	test_expect_continue();
	test_unread_body_dropped();
	test_unread_body_with_expect_closes();
	test_sink_refuses();
	test_empty_body_and_http10();
	test_backpressure();
	return check_exit("test_http_server");
}
