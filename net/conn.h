/* conn.h — one connection slot: socket, buffers, deadline, and the two seams.
 *
 * A slot lives in the loop's fixed table (net/loop.h) and is never moved.
 * Its input and output buffers are carved from the arena at start and stay
 * with the slot for the life of the process.
 *
 * Two seams keep the layers apart:
 *  - conn_transport sits under the buffers: it moves bytes between the
 *    socket and c->in / c->out. Plain TCP is net/conn.c; TLS slots in here
 *    without the layers above noticing.
 *  - conn_handler sits above them: the protocol (HTTP, then WebSocket after
 *    an upgrade) consumes c->in and appends to c->out.
 *
 * Protocol state is not kept here: each protocol keeps its own array indexed
 * by c->slot, so net/ depends on nothing above it. */
#ifndef FERRY_NET_CONN_H
#define FERRY_NET_CONN_H

#include <stddef.h>
#include <stdint.h>

struct conn;

struct conn_transport {
	/* Read from the socket into c->in (at c->in_len) while there is room.
	 * Returns bytes added (>0), 0 when the socket had nothing, -1 when the
	 * peer finished sending (c->peer_eof is set) or the socket failed
	 * (c->peer_eof is not set). */
	int (*read)(struct conn *c);
	/* Send c->out[out_off..out_len) as far as the socket takes it. Returns 0,
	 * or -1 when the socket failed. */
	int (*write)(struct conn *c);
	/* poll() events the socket needs, given whether the layers above want
	 * to read. */
	short (*interest)(const struct conn *c, int want_read);
};

struct conn_handler {
	/* Process what is buffered in c->in: called after bytes arrive, after
	 * output drained, and after EOF. Consumes by advancing c->in_off. */
	void (*on_data)(struct conn *c);
	/* c->deadline (monotonic ms) has passed. The handler sets a new one or
	 * closes. */
	void (*on_timer)(struct conn *c);
	/* The hub is shutting down: say goodbye (e.g. close 1001). */
	void (*on_shutdown)(struct conn *c);
	/* The slot is about to be freed: drop every reference to it. */
	void (*on_close)(struct conn *c);
};

enum conn_state {
	CONN_FREE = 0,
	CONN_OPEN,   /* handler in charge */
	CONN_LINGER, /* our last bytes are out; reading and discarding until EOF */
	CONN_DEAD,   /* marked: freed at the end of this loop turn */
};

/* A handle to a slot that cannot reach a later occupant of the same slot. */
struct conn_ref {
	uint32_t slot, gen;
};

struct conn {
	int fd;
	uint32_t slot;
	uint32_t gen;  /* bumped each time the slot is freed */
	uint64_t id;   /* unique for the life of the process; for logs */
	uint8_t state; /* enum conn_state */
	uint8_t peer_eof;
	/* The handler stopped because c->out had no room; the loop calls it
	 * again once output drains. */
	uint8_t blocked;
	/* Close once c->out has drained (lingering so the peer reads it). */
	uint8_t close_after_flush;

	const struct conn_transport *tp;
	const struct conn_handler *handler;

	uint8_t *in; /* unconsumed input is in[in_off..in_len) */
	uint32_t in_off, in_len, in_cap;
	uint8_t *out; /* unsent output is out[out_off..out_len) */
	uint32_t out_off, out_len, out_cap;
	/* Borrowed bytes sent after c->out drains (a static asset, later a
	 * cached chunk), so large bodies go out without a copy. The owner keeps
	 * them valid until tail_len reaches 0. While a tail is pending,
	 * conn_out_room() is 0, which keeps responses in order. */
	const uint8_t *tail;
	size_t tail_len;

	int64_t deadline;     /* handler's deadline, monotonic ms; 0 = none */
	int64_t linger_until; /* CONN_LINGER's own deadline */
	uint64_t bytes_in, bytes_out;
	uint8_t addr[16]; /* peer address (IPv4 mapped into IPv6) */
	char peer[64];    /* printable peer address and port, for logs */
};

/* The plain-TCP transport. */
extern const struct conn_transport conn_plain_transport;

/* Bytes of free space at the end of c->out (after compacting if useful). */
size_t conn_out_room(struct conn *c);

/* Append n bytes to c->out. Returns 0, or -1 (nothing written) when they do
 * not fit; callers check conn_out_room first when they must not fail. */
int conn_out_append(struct conn *c, const void *p, size_t n);

/* Bytes waiting to be sent, the borrowed tail included. */
static inline size_t conn_out_pending(const struct conn *c)
{
	return c->out_len - c->out_off + c->tail_len;
}

/* Send body[0..n) after what c->out holds, without copying it: body is
 * borrowed and must stay valid until sent (or the connection closes). */
void conn_out_borrow(struct conn *c, const void *body, size_t n);

/* Unconsumed input. */
static inline size_t conn_in_pending(const struct conn *c)
{
	return c->in_len - c->in_off;
}

/* Close once the output has drained: the connection lingers so the peer
 * can read our last words, then the slot is freed. */
void conn_close_after_flush(struct conn *c);

/* Close now: the slot is freed at the end of this loop turn, output unsent. */
void conn_close_now(struct conn *c);

/* A handle to c, and the slot it names if still the same connection. */
struct conn_ref conn_ref_of(const struct conn *c);

#endif
