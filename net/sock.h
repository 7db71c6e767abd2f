/* sock.h — listening sockets and addresses. */
#ifndef FERRY_NET_SOCK_H
#define FERRY_NET_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Open a non-blocking listening socket on bind_addr (an IPv4 or IPv6
 * literal; NULL means every interface, IPv6 dual-stack when available) and
 * port (0: the kernel picks). Returns the fd, or -1 with a message in
 * err[errcap]. *bound_port gets the port actually bound. */
int sock_listen(const char *bind_addr, uint16_t port, uint16_t *bound_port, char *err,
                size_t errcap);

/* Accept one connection, non-blocking and close-on-exec, with TCP_NODELAY.
 * Returns the fd, or -1 (errno EAGAIN when none is waiting). The peer's
 * address goes to addr[16] (IPv4 as IPv4-mapped IPv6, so one address has
 * one form) and, printable with its port, to peer[peercap]. */
int sock_accept(int lfd, uint8_t addr[16], char *peer, size_t peercap);

/* Print the "listening on" lines for this bind address: one per local IPv4
 * address when bound to every interface. `scheme` is "http" or "https". */
void sock_print_urls(const char *bind_addr, uint16_t port, const char *scheme);

#endif
