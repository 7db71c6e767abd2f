/* rx.c — the receive state machine.
 *
 * Two states: gathering a frame header (hdr[], which may take several
 * calls), then its payload (done of fh.len bytes). Everything the header
 * alone decides (opcode, fragmentation, size) is decided when it is
 * complete, so such a frame is refused before any payload is buffered; UTF-8
 * is checked as the payload is unmasked, so a bad byte fails at once. A text
 * message lives in msg from its first frame to its FIN frame; control
 * frames use ctl, so they can interleave without touching it. */
#include "ws/rx.h"

#include <string.h>

#include "ws/utf8.h"

void ws_rx_init(struct ws_rx *rx, uint8_t *msg, size_t msg_cap)
{
	memset(rx, 0, sizeof *rx);
	rx->msg = msg;
	rx->msg_cap = msg_cap;
	rx->utf8 = WS_UTF8_ACCEPT;
}

/* Each helper below returns 1 when it produced an event, else 0. */

static int rx_event(struct ws_event *ev, int type, const uint8_t *data, size_t len)
{
	ev->type = type;
	ev->data = data;
	ev->len = len;
	return 1;
}

static int rx_fail(struct ws_rx *rx, struct ws_event *ev, uint16_t code, const char *why)
{
	rx->terminal = 1;
	ev->type = WS_EV_ERROR;
	ev->code = code;
	ev->why = why;
	return 1;
}

static int rx_close(struct ws_rx *rx, struct ws_event *ev)
{
	size_t n = (size_t)rx->fh.len;
	if (n == 0) {
		rx->terminal = 1;
		ev->code = 1005;
		return rx_event(ev, WS_EV_CLOSE, rx->ctl, 0);
	}
	/* A 1-byte payload was refused at header time. */
	unsigned code = (unsigned)rx->ctl[0] << 8 | rx->ctl[1];
	if (!ws_close_code_valid(code))
		return rx_fail(rx, ev, 1002, "invalid close code");
	if (ws_utf8_feed(WS_UTF8_ACCEPT, rx->ctl + 2, n - 2) != WS_UTF8_ACCEPT)
		return rx_fail(rx, ev, 1007, "invalid UTF-8 in close reason");
	rx->terminal = 1;
	ev->code = (uint16_t)code;
	return rx_event(ev, WS_EV_CLOSE, rx->ctl + 2, n - 2);
}

/* The current frame's payload is complete. */
static int rx_frame_end(struct ws_rx *rx, struct ws_event *ev)
{
	rx->in_payload = 0;
	switch (rx->fh.opcode) {
	case WS_OP_PING:
		return rx_event(ev, WS_EV_PING, rx->ctl, (size_t)rx->fh.len);
	case WS_OP_PONG:
		return rx_event(ev, WS_EV_PONG, rx->ctl, (size_t)rx->fh.len);
	case WS_OP_CLOSE:
		return rx_close(rx, ev);
	}
	if (!rx->fh.fin)
		return 0;
	rx->msg_active = 0;
	if (rx->utf8 != WS_UTF8_ACCEPT)
		return rx_fail(rx, ev, 1007, "invalid UTF-8 in text message");
	return rx_event(ev, WS_EV_TEXT, rx->msg, rx->msg_len);
}

/* The current frame's header is complete: accept or refuse the frame. */
static int rx_frame_begin(struct ws_rx *rx, struct ws_event *ev)
{
	const struct ws_frame_hdr *h = &rx->fh;

	rx->done = 0;
	if (h->opcode == WS_OP_CLOSE && h->len == 1)
		return rx_fail(rx, ev, 1002, "close frame with a 1-byte payload");
	if (h->opcode == WS_OP_CONT && !rx->msg_active)
		return rx_fail(rx, ev, 1002, "continuation frame outside a message");
	if ((h->opcode == WS_OP_TEXT || h->opcode == WS_OP_BINARY) && rx->msg_active)
		return rx_fail(rx, ev, 1002, "new message inside a fragmented message");
	if (h->opcode == WS_OP_BINARY)
		return rx_fail(rx, ev, 1003, "binary messages are not supported");
	if (h->opcode == WS_OP_TEXT) {
		rx->msg_active = 1;
		rx->msg_len = 0;
		rx->utf8 = WS_UTF8_ACCEPT;
	}
	/* msg_len <= msg_cap always holds, so the subtraction cannot wrap; a
	 * length near 2^63 simply fails here. */
	if (h->opcode < WS_OP_CLOSE && h->len > (uint64_t)(rx->msg_cap - rx->msg_len))
		return rx_fail(rx, ev, 1009, "message larger than the limit");
	rx->in_payload = 1;
	if (h->len == 0)
		return rx_frame_end(rx, ev);
	return 0;
}

/* Copies up to n payload bytes from p, unmasking; sets *used. */
static int rx_payload(struct ws_rx *rx, const uint8_t *p, size_t n, size_t *used,
                      struct ws_event *ev)
{
	const struct ws_frame_hdr *h = &rx->fh;
	uint64_t left = h->len - rx->done;
	size_t k = left < n ? (size_t)left : n;

	*used = k;
	if (h->opcode >= WS_OP_CLOSE) {
		ws_mask_copy(rx->ctl + rx->done, p, k, h->mask, rx->done);
	} else {
		uint8_t *dst = rx->msg + rx->msg_len;
		ws_mask_copy(dst, p, k, h->mask, rx->done);
		rx->msg_len += k;
		rx->utf8 = ws_utf8_feed(rx->utf8, dst, k);
		if (rx->utf8 == WS_UTF8_REJECT)
			return rx_fail(rx, ev, 1007, "invalid UTF-8 in text message");
	}
	rx->done += k;
	return rx->done == h->len ? rx_frame_end(rx, ev) : 0;
}

/* Gathers header bytes from p[0..n); sets *used. */
static int rx_header(struct ws_rx *rx, const uint8_t *p, size_t n, size_t *used,
                     struct ws_event *ev)
{
	size_t have = rx->hdr_have, k = sizeof rx->hdr - have;
	uint16_t code;
	const char *why;

	if (k > n)
		k = n;
	memcpy(rx->hdr + have, p, k);
	int r = ws_frame_parse_why(rx->hdr, have + k, &rx->fh, &code, &why);
	if (r == -2) {
		/* k == n here: fourteen bytes always make a header. */
		rx->hdr_have = (uint8_t)(have + k);
		*used = k;
		return 0;
	}
	if (r < 0) {
		*used = k;
		return rx_fail(rx, ev, code, why);
	}
	rx->hdr_have = 0;
	*used = (size_t)r - have;
	return rx_frame_begin(rx, ev);
}

size_t ws_rx_feed(struct ws_rx *rx, const uint8_t *in, size_t len, struct ws_event *ev)
{
	size_t pos = 0;

	memset(ev, 0, sizeof *ev);
	if (rx->terminal)
		return len;
	while (pos < len) {
		size_t used;
		int got = rx->in_payload ? rx_payload(rx, in + pos, len - pos, &used, ev)
		                         : rx_header(rx, in + pos, len - pos, &used, ev);
		pos += used;
		if (got)
			break;
	}
	return pos;
}
