/* fuzz_ws.c — libFuzzer harness for ws_rx_feed (and ws_frame_parse,
 * ws_utf8_feed on the way).
 *
 * The input is a client byte stream. It goes to a fresh rx whole, then to a
 * second rx in pieces whose sizes come from the data itself; the two event
 * sequences must be identical. Every event's data must lie inside the msg
 * buffer or rx's control buffer, TEXT and CLOSE reasons must be valid UTF-8
 * by an independent decoder, and the rx must be terminal after CLOSE or
 * ERROR. A small msg_cap makes the 1009 paths reachable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws/frame.h"
#include "ws/rx.h"
#include "ws/utf8.h"
#include "tests/unit/utf8_ref.h"

#define FUZZ_MSG_CAP 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_event {
	int type;
	uint16_t code;
	const char *why;
	size_t len;
	uint32_t hash; /* FNV-1a of the data */
};

static uint32_t fz_hash(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Compared as integers: p and base may belong to different objects. */
static int fz_inside(const uint8_t *p, size_t n, const uint8_t *base, size_t cap)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
	return a >= b && a - b <= cap && n <= cap - (a - b);
}

static void fz_check_event(const struct ws_rx *rx, const uint8_t *msg, const struct ws_event *ev)
{
	if (ev->data && !fz_inside(ev->data, ev->len, msg, FUZZ_MSG_CAP) &&
	    !fz_inside(ev->data, ev->len, rx->ctl, sizeof rx->ctl))
		abort();
	if (!ev->data && ev->len)
		abort();
	switch (ev->type) {
	case WS_EV_TEXT:
		if (ev->len > FUZZ_MSG_CAP || !utf8_ref_valid(ev->data, ev->len))
			abort();
		break;
	case WS_EV_PING:
	case WS_EV_PONG:
		if (ev->len > WS_FRAME_CONTROL_MAX)
			abort();
		break;
	case WS_EV_CLOSE:
		if (ev->len > 123 || !utf8_ref_valid(ev->data, ev->len))
			abort();
		if (ev->code != 1005 ? !ws_close_code_valid(ev->code) : ev->len != 0)
			abort();
		break;
	case WS_EV_ERROR:
		if (!ev->why ||
		    (ev->code != 1002 && ev->code != 1003 && ev->code != 1007 && ev->code != 1009))
			abort();
		break;
	default: abort();
	}
}

/* Feeds data[0..size) to a fresh rx, in pieces when split is set; records up
 * to max events in evs and returns how many there were. */
static size_t fz_run(const uint8_t *data, size_t size, int split, struct fz_event *evs, size_t max)
{
	static uint8_t msg[FUZZ_MSG_CAP];
	struct ws_rx rx;
	struct ws_event ev;
	size_t n = 0, pos = 0, step = 0;
	int ended = 0;

	ws_rx_init(&rx, msg, sizeof msg);
	while (pos < size) {
		size_t piece = size - pos;
		if (split) {
			/* Piece sizes from the data: mostly tiny, sometimes large. */
			uint8_t b = data[(step++ * 7) % size];
			piece = b < 0xC0 ? (size_t)(b % 5) + 1 : (size_t)(b & 0x3F) * 13 + 1;
			if (piece > size - pos)
				piece = size - pos;
		}
		/* A private copy, so any read past the piece is caught by ASan. */
		uint8_t *copy = malloc(piece);
		memcpy(copy, data + pos, piece);
		size_t used = ws_rx_feed(&rx, copy, piece, &ev);
		free(copy);
		if (used > piece)
			abort();
		if (ev.type == WS_EV_NONE) {
			if (used != piece)
				abort();
		} else {
			if (ended)
				abort(); /* an event after CLOSE or ERROR */
			fz_check_event(&rx, msg, &ev);
			ended = ev.type == WS_EV_CLOSE || ev.type == WS_EV_ERROR;
			if (n < max) {
				evs[n].type = ev.type, evs[n].code = ev.code, evs[n].why = ev.why;
				evs[n].len = ev.len, evs[n].hash = fz_hash(ev.data, ev.len);
			}
			n++;
		}
		pos += used;
	}
	return n;
}

/* ws_frame_parse is prefix-consistent: once a prefix gives -1 or a length,
 * every longer prefix gives the same. */
static void fz_check_parse(const uint8_t *data, size_t size)
{
	size_t lim = size < WS_FRAME_HDR_MAX ? size : WS_FRAME_HDR_MAX;
	int first = -2;
	for (size_t p = 0; p <= lim; p++) {
		struct ws_frame_hdr h;
		uint16_t code = 0;
		uint8_t copy[WS_FRAME_HDR_MAX];
		memcpy(copy, data, p);
		int r = ws_frame_parse(copy, p, &h, &code);
		if (r == -1 && code != 1002)
			abort();
		if (r >= 0 && (r != h.hdr_len || (size_t)r > p || h.len >> 63))
			abort();
		if (first != -2 && r != first)
			abort();
		if (r != -2)
			first = r;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Each event takes at least a 6-byte header. */
	size_t max = size / 6 + 1;
	struct fz_event *a = calloc(max, sizeof *a), *b = calloc(max, sizeof *b);

	fz_check_parse(data, size);
	if ((ws_utf8_feed(WS_UTF8_ACCEPT, data, size) == WS_UTF8_ACCEPT) !=
	    utf8_ref_valid(data, size))
		abort();
	size_t na = fz_run(data, size, 0, a, max);
	size_t nb = fz_run(data, size, 1, b, max);
	if (na != nb || na > max)
		abort();
	for (size_t i = 0; i < na; i++)
		if (a[i].type != b[i].type || a[i].code != b[i].code || a[i].why != b[i].why ||
		    a[i].len != b[i].len || a[i].hash != b[i].hash)
			abort();
	free(a);
	free(b);
	return 0;
}
