/* loop.h — the single-threaded poll() loop and its connection table.
 *
 * One process, one thread, one poll() per turn. The table has a fixed number
 * of slots (--max-clients) and a pollfd array beside it, index for index, so
 * building the poll set is a pass over two arrays and nothing else. While
 * the table is full the listener is not polled: new connections wait in the
 * kernel's backlog instead of costing us anything.
 *
 * A turn: poll → read the clock once → accept → for each ready slot: read,
 * let the handler process, write at once → run expired deadlines → free the
 * slots marked dead (two-step close, so no handler sees a slot vanish under
 * it mid-turn) → recompute poll interest. See docs/architecture.md. */
#ifndef FERRY_NET_LOOP_H
#define FERRY_NET_LOOP_H

#include <stdint.h>

#include "net/conn.h"

struct loop_config {
	uint32_t max_conns;
	uint32_t in_cap, out_cap;                   /* per connection */
	const struct conn_handler *initial_handler; /* handler of a new connection (HTTP) */
	/* Connections one address may hold; one more gets over_limit_reply
	 * (borrowed, static) and is closed, so one device cannot take every
	 * slot. */
	uint32_t max_per_address;
	const char *over_limit_reply;
};

/* Reserve the table and every buffer from the arena. lfd is the listening
 * socket (kept, closed by loop_run's end). Returns 0 or -1. */
int loop_init(const struct loop_config *cfg, int lfd);

/* Run until a shutdown completes. Installs SIGINT/SIGTERM handlers (a
 * self-pipe) and ignores SIGPIPE. Returns 0 after a clean shutdown. */
int loop_run(void);

/* The monotonic clock in ms, as read once at the start of this turn. */
int64_t loop_now(void);

/* 1 once SIGINT/SIGTERM arrived. */
int loop_shutting_down(void);

/* The connection a handle names, or NULL if that connection is gone. */
struct conn *loop_conn(struct conn_ref ref);

/* Slots in the table (--max-clients). */
uint32_t loop_capacity(void);

/* Counters for /metrics. */
struct loop_stats {
	uint32_t open;                /* connections in the table now */
	uint64_t accepted;            /* since start */
	uint64_t refused;             /* over --max-per-address */
	uint64_t bytes_in, bytes_out; /* of closed connections + open ones */
};
void loop_get_stats(struct loop_stats *st);

#endif
