/* session.h — a WebSocket connection after the handshake: message
 * assembly (ws/rx.h), replies to pings, the close handshake, the hub's own
 * pings and the silent-peer deadline. The application above (core/proto)
 * sees whole text messages and sends whole text messages.
 *
 * Output is bounded by the connection's output buffer. Before reading the
 * next frame the session makes sure WS_REPLY_RESERVE bytes are free, so a
 * direct reply (an answer, a pong, a close) always fits; when they are not,
 * the session stops reading until the peer has taken its output. */
#ifndef FERRY_WS_SESSION_H
#define FERRY_WS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "net/conn.h"

#define WS_REPLY_RESERVE 4096

struct ws_app {
	void (*on_open)(struct conn *c);
	/* One complete, UTF-8-valid text message; msg is borrowed until return. */
	void (*on_message)(struct conn *c, const char *msg, size_t len);
	void (*on_close)(struct conn *c);
};

/* Reserve per-slot state and a --max-message reassembly buffer per slot.
 * cfg and app are borrowed for the life of the process. */
int ws_session_init(const struct config *cfg, const struct ws_app *app);

/* The 101 response has been written: the connection now speaks WebSocket. */
void ws_session_open(struct conn *c);

/* Queue one text message. Returns 0, or -1 when it does not fit in the
 * output buffer or the session is closing (nothing queued). */
int ws_send_text(struct conn *c, const void *msg, size_t len);

/* Start the close handshake with code and a short reason (≤ 123 bytes). */
void ws_close(struct conn *c, uint16_t code, const char *reason);

extern const struct conn_handler ws_handler;

#endif
