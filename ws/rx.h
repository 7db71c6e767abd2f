/* rx.h — the receive side of one WebSocket connection: bytes in, events out.
 *
 * Pure: no I/O, no allocation, no clock. The connection hands over whatever
 * it read, in pieces of any size; rx collects frame headers across calls,
 * unmasks payloads, reassembles fragmented text messages into a buffer the
 * caller lends it, validates UTF-8 as bytes arrive, and enforces every
 * framing rule of RFC 6455 a server must (close codes 1002, 1003, 1007,
 * 1009). Sending (pongs, the close reply) is the caller's job. */
#ifndef FERRY_WS_RX_H
#define FERRY_WS_RX_H

#include <stddef.h>
#include <stdint.h>

#include "ws/frame.h"

enum ws_event_type { WS_EV_NONE = 0, WS_EV_TEXT, WS_EV_PING, WS_EV_PONG, WS_EV_CLOSE, WS_EV_ERROR };

/* What one ws_rx_feed call produced. data points into rx's own buffers (the
 * borrowed msg buffer or rx's control buffer, never into `in`) and stays valid
 * until the next ws_rx_feed or ws_rx_init on that rx. */
struct ws_event {
	int type;            /* enum ws_event_type */
	const uint8_t *data; /* TEXT: the whole reassembled message, valid UTF-8;
	                      * PING/PONG: the payload (≤ 125 bytes); CLOSE: the reason
	                      * (valid UTF-8, ≤ 123 bytes); else NULL */
	size_t len;          /* bytes at data */
	uint16_t code;       /* CLOSE: the peer's code, 1005 when it sent none;
	                      * ERROR: the code to close with (1002, 1003, 1007, 1009) */
	const char *why;     /* ERROR: a short static English sentence for logs and the
	                      * close reason (< 64 bytes); else NULL */
};

/* Per-connection state. Embed it in the connection's slot and never copy it
 * while in use. The fields are private to rx.c. */
struct ws_rx {
	uint8_t *msg;                      /* borrowed reassembly buffer, msg_cap bytes */
	size_t msg_cap;                    /* the message size limit (--max-message) */
	size_t msg_len;                    /* bytes of the current text message so far */
	uint64_t done;                     /* payload bytes of the current frame handled */
	struct ws_frame_hdr fh;            /* the current frame's header (while in_payload) */
	uint32_t utf8;                     /* ws_utf8_feed state of the current message */
	uint8_t hdr[WS_FRAME_HDR_MAX];     /* header bytes gathered across calls */
	uint8_t hdr_have;                  /* how many of them */
	uint8_t in_payload;                /* 1: reading fh's payload; 0: a header */
	uint8_t msg_active;                /* 1: a text message awaits its FIN frame */
	uint8_t terminal;                  /* 1: after CLOSE or ERROR */
	uint8_t ctl[WS_FRAME_CONTROL_MAX]; /* the current control frame's payload */
};

/* Prepares rx for a new connection. msg is borrowed for the life of rx: the
 * reassembly buffer of msg_cap bytes, msg_cap being the largest message
 * accepted (a text message of exactly msg_cap bytes is fine, one more is
 * 1009). msg may be NULL when msg_cap is 0. */
void ws_rx_init(struct ws_rx *rx, uint8_t *msg, size_t msg_cap);

/* Consumes bytes from in[0..len) until one event happens or the input is used
 * up, and returns how many bytes it consumed. *ev says what happened;
 * WS_EV_NONE means every byte was consumed and more are needed. The caller
 * handles the event and calls again with the rest of its input.
 *
 * in is borrowed for the call only and never written: payload bytes are
 * unmasked while copied into the msg buffer (text) or rx's control buffer
 * (ping, pong, close), so the caller may reuse its read buffer at once.
 *
 * Control frames between the fragments of a message come out as their own
 * events and leave the message alone. Errors are found as early as the bytes
 * allow: a bad header on the byte that makes it bad; a binary (1003) or
 * too-long (1009) message as soon as its frame header is complete, before
 * any payload; invalid UTF-8 (1007) on the first bad byte, mid-frame.
 * After WS_EV_CLOSE or WS_EV_ERROR rx is terminal: later calls consume all
 * their input and return WS_EV_NONE. */
size_t ws_rx_feed(struct ws_rx *rx, const uint8_t *in, size_t len, struct ws_event *ev);

#endif
