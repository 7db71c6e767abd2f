/* session.c — see session.h.
 *
 * Deadlines: a session has two clocks, the next ping (--ping-interval) and
 * the silent-peer limit (--peer-timeout since the last byte received); the
 * connection's single deadline is whichever comes first. After we send a
 * close frame a third takes over: the peer has CONN_LINGER_MS to answer. */
#include "ws/session.h"

#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/metrics.h"
#include "net/loop.h"
#include "ws/frame.h"
#include "ws/rx.h"

struct ws_session {
	struct ws_rx rx;
	int64_t last_rx; /* loop time of the last byte received */
	int64_t next_ping;
	uint64_t seen_bytes; /* c->bytes_in when last looked at */
	uint8_t close_sent;  /* our close frame is queued; only its answer matters now */
	int64_t close_deadline;
};

static struct ws_session *sessions;
static uint8_t *msg_bufs; /* max_clients × max_message, slot by slot */
static const struct config *config;
static const struct ws_app *app;

static int send_frame(struct conn *c, int opcode, const void *payload, size_t len)
{
	uint8_t head[10];
	size_t h = ws_frame_header_write(head, 1, opcode, len);
	if (conn_out_room(c) < h + len)
		return -1;
	conn_out_append(c, head, h);
	if (len)
		conn_out_append(c, payload, len);
	return 0;
}

int ws_send_text(struct conn *c, const void *msg, size_t len)
{
	struct ws_session *s = &sessions[c->slot];
	if (c->handler != &ws_handler || s->close_sent || c->state != CONN_OPEN)
		return -1;
	if (send_frame(c, WS_OP_TEXT, msg, len) != 0)
		return -1;
	metrics.ws_messages_out++;
	return 0;
}

static void set_deadline(struct conn *c)
{
	struct ws_session *s = &sessions[c->slot];
	if (s->close_sent) {
		c->deadline = s->close_deadline;
		return;
	}
	int64_t silent = s->last_rx + (int64_t)config->peer_timeout_s * 1000;
	c->deadline = s->next_ping < silent ? s->next_ping : silent;
}

void ws_close(struct conn *c, uint16_t code, const char *reason)
{
	struct ws_session *s = &sessions[c->slot];
	if (s->close_sent)
		return;
	uint8_t payload[125];
	size_t rlen = strlen(reason);
	if (rlen > sizeof payload - 2)
		rlen = sizeof payload - 2;
	payload[0] = (uint8_t)(code >> 8);
	payload[1] = (uint8_t)code;
	memcpy(payload + 2, reason, rlen);
	/* The reserve guarantees room for a close frame on any path that reads;
	 * a timer or shutdown that finds the buffer full closes without one. */
	if (send_frame(c, WS_OP_CLOSE, payload, rlen + 2) != 0) {
		conn_close_now(c);
		return;
	}
	s->close_sent = 1;
	s->close_deadline = loop_now() + CONN_LINGER_MS;
	set_deadline(c);
}

void ws_session_open(struct conn *c)
{
	struct ws_session *s = &sessions[c->slot];
	memset(s, 0, sizeof *s);
	ws_rx_init(&s->rx, msg_bufs + (size_t)c->slot * config->max_message, config->max_message);
	s->last_rx = loop_now();
	s->next_ping = s->last_rx + (int64_t)config->ping_interval_s * 1000;
	s->seen_bytes = c->bytes_in;
	c->handler = &ws_handler;
	metrics.ws_opened++;
	set_deadline(c);
	if (app->on_open)
		app->on_open(c);
}

/* One event from the frame reader. */
static void on_event(struct conn *c, struct ws_session *s, const struct ws_event *ev)
{
	switch (ev->type) {
	case WS_EV_TEXT:
		if (s->close_sent)
			return; /* closing: data is read and dropped (RFC 6455 §5.5.1) */
		metrics.ws_messages_in++;
		app->on_message(c, (const char *)ev->data, ev->len);
		return;
	case WS_EV_PING:
		if (!s->close_sent)
			send_frame(c, WS_OP_PONG, ev->data, ev->len);
		return;
	case WS_EV_PONG: return;
	case WS_EV_CLOSE:
		if (!s->close_sent) {
			/* Echo the peer's code; a close without one gets an empty
			 * close back (1005 must never go on the wire). */
			uint8_t p[2] = {(uint8_t)(ev->code >> 8), (uint8_t)ev->code};
			send_frame(c, WS_OP_CLOSE, p, ev->code == 1005 ? 0 : 2);
			s->close_sent = 1;
		}
		/* Handshake complete: the server closes TCP first (RFC 6455 §7.1.1). */
		conn_close_after_flush(c);
		return;
	case WS_EV_ERROR:
		metrics.ws_protocol_errors++;
		LOG_INFO("conn %llu (%s): websocket closed with %u: %s", (unsigned long long)c->id,
		         c->peer, ev->code, ev->why);
		ws_close(c, ev->code, ev->why);
		conn_close_after_flush(c);
		return;
	}
}

static void ws_on_data(struct conn *c)
{
	struct ws_session *s = &sessions[c->slot];
	if (c->bytes_in != s->seen_bytes) {
		s->seen_bytes = c->bytes_in;
		s->last_rx = loop_now();
	}
	while (c->state == CONN_OPEN && !c->close_after_flush && conn_in_pending(c)) {
		if (conn_out_room(c) < WS_REPLY_RESERVE) {
			c->blocked = 1;
			break;
		}
		struct ws_event ev;
		size_t used = ws_rx_feed(&s->rx, c->in + c->in_off, conn_in_pending(c), &ev);
		c->in_off += (uint32_t)used;
		if (ev.type != WS_EV_NONE)
			on_event(c, s, &ev);
		else if (used == 0)
			break;
	}
	if (c->state == CONN_OPEN && !c->close_after_flush)
		set_deadline(c);
}

static void ws_on_timer(struct conn *c)
{
	struct ws_session *s = &sessions[c->slot];
	int64_t now = loop_now();
	if (s->close_sent) {
		/* The peer never answered our close. */
		conn_close_now(c);
		return;
	}
	if (now >= s->last_rx + (int64_t)config->peer_timeout_s * 1000) {
		LOG_INFO("conn %llu (%s): websocket peer silent for %u s, dropped",
		         (unsigned long long)c->id, c->peer, config->peer_timeout_s);
		ws_close(c, 1001, "peer silent too long");
		conn_close_after_flush(c);
		return;
	}
	if (now >= s->next_ping) {
		/* Skip a ping rather than block when the peer is not reading. */
		send_frame(c, WS_OP_PING, NULL, 0);
		s->next_ping = now + (int64_t)config->ping_interval_s * 1000;
	}
	set_deadline(c);
}

static void ws_on_shutdown(struct conn *c)
{
	ws_close(c, 1001, "hub shutting down");
}

static void ws_on_close(struct conn *c)
{
	if (app->on_close)
		app->on_close(c);
}

const struct conn_handler ws_handler = {
    .on_data = ws_on_data,
    .on_timer = ws_on_timer,
    .on_shutdown = ws_on_shutdown,
    .on_close = ws_on_close,
};

int ws_session_init(const struct config *cfg, const struct ws_app *a)
{
	config = cfg;
	app = a;
	sessions = arena_alloc(sizeof *sessions * cfg->max_clients);
	msg_bufs = arena_alloc((size_t)cfg->max_clients * cfg->max_message);
	return 0;
}
