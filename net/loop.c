/* loop.c — see loop.h for the shape of a turn.
 *
 * pfds[0] is the signal self-pipe, pfds[1] the listener, pfds[2 + i] the
 * socket of slot i (fd -1 when the slot is free, which poll() ignores). */
#include "net/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/log.h"
#include "net/sock.h"

#define PFD_SIGNAL 0
#define PFD_LISTEN 1
#define PFD_FIRST  2

/* A handler that stopped for lack of output room is called again after the
 * output drains; this bounds how often per turn, so one busy connection
 * cannot starve the others. */
#define REDRIVE_MAX 8

static struct conn *conns;
static struct pollfd *pfds;
static uint32_t nconns;
static uint32_t *free_slots; /* stack of free slot numbers */
static uint32_t nfree;
static const struct conn_handler *initial_handler;
static uint32_t max_per_address;
static const char *over_limit_reply;
static int listen_fd = -1;
static int sig_pipe[2] = {-1, -1};
static int64_t now_ms;
static volatile sig_atomic_t got_signal;
static int shutting_down;
static int64_t shutdown_deadline;
static uint64_t next_id = 1;
static struct loop_stats stats;

static int64_t clock_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t loop_now(void)
{
	return now_ms;
}

int loop_shutting_down(void)
{
	return shutting_down;
}

uint32_t loop_capacity(void)
{
	return nconns;
}

struct conn *loop_conn(struct conn_ref ref)
{
	if (ref.slot >= nconns)
		return NULL;
	struct conn *c = &conns[ref.slot];
	if (c->gen != ref.gen || c->state == CONN_FREE || c->state == CONN_DEAD)
		return NULL;
	return c;
}

void loop_get_stats(struct loop_stats *st)
{
	*st = stats;
	for (uint32_t i = 0; i < nconns; i++) {
		if (conns[i].state != CONN_FREE) {
			st->bytes_in += conns[i].bytes_in;
			st->bytes_out += conns[i].bytes_out;
		}
	}
}

static void flush(struct conn *c);

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
	int saved = errno;
	ssize_t r = write(sig_pipe[1], "x", 1);
	(void)r;
	errno = saved;
}

int loop_init(const struct loop_config *cfg, int lfd)
{
	nconns = cfg->max_conns;
	initial_handler = cfg->initial_handler;
	max_per_address = cfg->max_per_address ? cfg->max_per_address : cfg->max_conns;
	over_limit_reply = cfg->over_limit_reply;
	listen_fd = lfd;
	conns = arena_alloc(sizeof *conns * nconns);
	pfds = arena_alloc(sizeof *pfds * (PFD_FIRST + nconns));
	free_slots = arena_alloc(sizeof *free_slots * nconns);
	for (uint32_t i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];
		c->fd = -1;
		c->slot = i;
		c->in = arena_alloc(cfg->in_cap);
		c->in_cap = cfg->in_cap;
		c->out = arena_alloc(cfg->out_cap);
		c->out_cap = cfg->out_cap;
		pfds[PFD_FIRST + i].fd = -1;
		/* Hand out low slots first: a small hub touches few pages. */
		free_slots[nconns - 1 - i] = i;
	}
	nfree = nconns;
	if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return -1;
	pfds[PFD_SIGNAL].fd = sig_pipe[0];
	pfds[PFD_SIGNAL].events = POLLIN;
	pfds[PFD_LISTEN].fd = listen_fd;
	pfds[PFD_LISTEN].events = POLLIN;

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	now_ms = clock_ms();
	return 0;
}

/* Open connections from addr (the new one included). A scan of the table:
 * it happens once per accept, and the table is small. */
static uint32_t count_from(const uint8_t addr[16])
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < nconns; i++)
		if ((conns[i].state == CONN_OPEN || conns[i].state == CONN_LINGER) &&
		    memcmp(conns[i].addr, addr, 16) == 0)
			n++;
	return n;
}

/* Over the per-address limit: answer with the canned reply and close; the
 * slot lingers only as long as the peer takes to read it. */
static void refuse(struct conn *c)
{
	stats.refused++;
	if (over_limit_reply)
		conn_out_append(c, over_limit_reply, strlen(over_limit_reply));
	conn_close_after_flush(c);
	flush(c);
}

static void accept_all(void)
{
	while (nfree > 0) {
		char peer[64];
		uint8_t addr[16];
		int fd = sock_accept(listen_fd, addr, peer, sizeof peer);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				LOG_WARN("accept: %s", strerror(errno));
			return;
		}
		struct conn *c = &conns[free_slots[--nfree]];
		uint32_t gen = c->gen;
		uint8_t *in = c->in, *out = c->out;
		uint32_t in_cap = c->in_cap, out_cap = c->out_cap, slot = c->slot;
		memset(c, 0, sizeof *c);
		c->slot = slot;
		c->gen = gen;
		c->in = in;
		c->in_cap = in_cap;
		c->out = out;
		c->out_cap = out_cap;
		c->fd = fd;
		c->id = next_id++;
		c->state = CONN_OPEN;
		c->tp = &conn_plain_transport;
		c->handler = initial_handler;
		memcpy(c->peer, peer, sizeof c->peer);
		memcpy(c->addr, addr, sizeof c->addr);
		pfds[PFD_FIRST + slot].fd = fd;
		stats.open++;
		stats.accepted++;
		LOG_DEBUG("conn %llu from %s in slot %u", (unsigned long long)c->id, c->peer, slot);
		if (count_from(addr) > max_per_address)
			refuse(c);
	}
}

static void free_slot(struct conn *c)
{
	if (c->handler && c->handler->on_close)
		c->handler->on_close(c);
	close(c->fd);
	stats.bytes_in += c->bytes_in;
	stats.bytes_out += c->bytes_out;
	stats.open--;
	pfds[PFD_FIRST + c->slot].fd = -1;
	pfds[PFD_FIRST + c->slot].revents = 0;
	c->fd = -1;
	c->gen++;
	c->state = CONN_FREE;
	free_slots[nfree++] = c->slot;
}

/* Our last bytes are out: stop writing, keep reading (and dropping) until the
 * peer closes or a short deadline, so unread input does not make the kernel
 * answer with a reset that destroys the response we just sent. */
static void start_linger(struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_LINGER;
	c->linger_until = now_ms + CONN_LINGER_MS;
}

static void linger_read(struct conn *c)
{
	for (int i = 0; i < 4; i++) {
		c->in_off = c->in_len = 0;
		int r = c->tp->read(c);
		if (r < 0) {
			conn_close_now(c);
			return;
		}
		if (r == 0)
			return;
	}
}

/* Write at once; when everything is out and a close was asked for, start
 * lingering. */
static void flush(struct conn *c)
{
	if (c->state != CONN_OPEN)
		return;
	if (conn_out_pending(c) && c->tp->write(c) < 0) {
		conn_close_now(c);
		return;
	}
	if (c->close_after_flush && conn_out_pending(c) == 0)
		start_linger(c);
}

/* Let the handler work, write, and call it again while it had stopped only
 * for want of output room that is now free. */
static void drive(struct conn *c)
{
	for (int i = 0; i < REDRIVE_MAX && c->state == CONN_OPEN; i++) {
		c->blocked = 0;
		c->handler->on_data(c);
		flush(c);
		if (!c->blocked || conn_out_pending(c) != 0)
			break;
	}
}

static void service(struct conn *c, short revents)
{
	if (c->state == CONN_LINGER) {
		if (revents & (POLLIN | POLLHUP | POLLERR))
			linger_read(c);
		return;
	}
	if (c->state != CONN_OPEN)
		return;
	if (revents & POLLOUT)
		flush(c);
	if ((revents & (POLLIN | POLLHUP | POLLERR)) && c->state == CONN_OPEN) {
		if (c->tp->read(c) < 0 && !c->peer_eof) {
			conn_close_now(c);
			return;
		}
	}
	if (c->state == CONN_OPEN)
		drive(c);
	/* The peer has finished sending (it may still read: a half-close after
	 * pipelined requests). Once the handler has done all it can with the
	 * input — it is not merely waiting for output room — answer and close. */
	if (c->state == CONN_OPEN && c->peer_eof && !c->blocked) {
		if (conn_out_pending(c) == 0)
			conn_close_now(c);
		else
			c->close_after_flush = 1;
	}
}

static void run_timers(void)
{
	for (uint32_t i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];
		if (c->state == CONN_LINGER && now_ms >= c->linger_until) {
			conn_close_now(c);
		} else if (c->state == CONN_OPEN && c->deadline && now_ms >= c->deadline) {
			c->deadline = 0;
			c->handler->on_timer(c);
			flush(c);
		}
	}
}

static void begin_shutdown(void)
{
	shutting_down = 1;
	shutdown_deadline = now_ms + SHUTDOWN_GRACE_MS;
	pfds[PFD_LISTEN].fd = -1;
	close(listen_fd);
	LOG_INFO("shutting down");
	for (uint32_t i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];
		if (c->state == CONN_OPEN) {
			c->handler->on_shutdown(c);
			flush(c);
		}
	}
}

/* One pass over the table before poll(): free the slots marked dead, set
 * each socket's poll interest, and find the earliest deadline. Returns the
 * poll() timeout in ms (-1: none). */
static int reap_and_arm(void)
{
	int64_t first = shutting_down ? shutdown_deadline : INT64_MAX;
	for (uint32_t i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];
		struct pollfd *p = &pfds[PFD_FIRST + i];
		if (c->state == CONN_DEAD)
			free_slot(c);
		if (c->state == CONN_FREE)
			continue;
		if (c->state == CONN_LINGER) {
			p->events = POLLIN;
			if (c->linger_until < first)
				first = c->linger_until;
			continue;
		}
		if (c->deadline && c->deadline < first)
			first = c->deadline;
		/* Read while there is room and the peer has not finished sending. */
		int want_read =
		    !c->peer_eof && c->in_len - c->in_off < c->in_cap && !c->close_after_flush;
		p->events = c->tp->interest(c, want_read);
	}
	/* The listener is polled only while a slot is free. */
	if (!shutting_down)
		pfds[PFD_LISTEN].fd = nfree > 0 ? listen_fd : -1;
	if (first == INT64_MAX)
		return -1;
	int64_t wait = first - now_ms;
	if (wait < 0)
		wait = 0;
	/* +1: poll()'s ms granularity would otherwise wake us just before. */
	return wait > 60000 ? 60000 : (int)wait + 1;
}

int loop_run(void)
{
	for (;;) {
		int timeout = reap_and_arm();
		if (shutting_down && (stats.open == 0 || now_ms >= shutdown_deadline))
			break;
		int n = poll(pfds, PFD_FIRST + nconns, timeout);
		now_ms = clock_ms();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			LOG_ERROR("poll: %s", strerror(errno));
			return -1;
		}
		if (pfds[PFD_SIGNAL].revents & POLLIN) {
			char buf[16];
			while (read(sig_pipe[0], buf, sizeof buf) > 0)
				;
		}
		if (got_signal && !shutting_down)
			begin_shutdown();
		if (!shutting_down && (pfds[PFD_LISTEN].revents & POLLIN))
			accept_all();
		for (uint32_t i = 0; i < nconns; i++) {
			short re = pfds[PFD_FIRST + i].revents;
			if (re && conns[i].state != CONN_FREE)
				service(&conns[i], re);
		}
		run_timers();
	}
	for (uint32_t i = 0; i < nconns; i++)
		if (conns[i].state != CONN_FREE)
			free_slot(&conns[i]);
	return 0;
}
