/* conn.c — buffers of one connection and the plain-TCP transport. */
#include "net/conn.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

size_t conn_out_room(struct conn *c)
{
	if (c->tail_len)
		return 0;
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
	} else if (c->out_off > 0 && c->out_cap - c->out_len < c->out_cap / 4) {
		/* Compact only when the tail is getting short: most writes go
		 * out at once and leave the buffer empty anyway. */
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	return c->out_cap - c->out_len;
}

int conn_out_append(struct conn *c, const void *p, size_t n)
{
	if (conn_out_room(c) < n)
		return -1;
	memcpy(c->out + c->out_len, p, n);
	c->out_len += (uint32_t)n;
	return 0;
}

void conn_out_borrow(struct conn *c, const void *body, size_t n)
{
	c->tail = body;
	c->tail_len = n;
}

void conn_close_after_flush(struct conn *c)
{
	if (c->state == CONN_OPEN)
		c->close_after_flush = 1;
}

void conn_close_now(struct conn *c)
{
	if (c->state != CONN_FREE)
		c->state = CONN_DEAD;
}

struct conn_ref conn_ref_of(const struct conn *c)
{
	struct conn_ref r = {c->slot, c->gen};
	return r;
}

static int plain_read(struct conn *c)
{
	if (c->in_off == c->in_len) {
		c->in_off = c->in_len = 0;
	} else if (c->in_off > 0 && c->in_len == c->in_cap) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	size_t room = c->in_cap - c->in_len;
	if (room == 0)
		return 0;
	ssize_t n = recv(c->fd, c->in + c->in_len, room, 0);
	if (n > 0) {
		c->in_len += (uint32_t)n;
		c->bytes_in += (uint64_t)n;
		return (int)n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n == 0)
		c->peer_eof = 1;
	return -1;
}

/* Send the buffered bytes and the borrowed tail in one system call where
 * both are waiting (headers and body in one segment). */
static int plain_write(struct conn *c)
{
	while (conn_out_pending(c)) {
		struct iovec iov[2];
		int n_iov = 0;
		size_t buffered = c->out_len - c->out_off;
		if (buffered) {
			iov[n_iov].iov_base = c->out + c->out_off;
			iov[n_iov++].iov_len = buffered;
		}
		if (c->tail_len) {
			iov[n_iov].iov_base = (void *)c->tail;
			iov[n_iov++].iov_len = c->tail_len;
		}
		struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n_iov};
		ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c->bytes_out += (uint64_t)n;
		size_t sent = (size_t)n, from_buf = sent < buffered ? sent : buffered;
		c->out_off += (uint32_t)from_buf;
		sent -= from_buf;
		c->tail += sent;
		c->tail_len -= sent;
	}
	c->out_off = c->out_len = 0;
	c->tail = NULL;
	return 0;
}

static short plain_interest(const struct conn *c, int want_read)
{
	short ev = 0;
	if (want_read)
		ev |= POLLIN;
	if (conn_out_pending(c))
		ev |= POLLOUT;
	return ev;
}

const struct conn_transport conn_plain_transport = {
    .read = plain_read,
    .write = plain_write,
    .interest = plain_interest,
};
