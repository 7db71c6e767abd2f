#include "net/sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int listen_on(const struct sockaddr *sa, socklen_t len, int v6only, char *err, size_t errcap)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errcap, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	if (bind(fd, sa, len) != 0 || listen(fd, 128) != 0) {
		snprintf(err, errcap, "cannot listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int sock_listen(const char *bind_addr, uint16_t port, uint16_t *bound_port, char *err,
                size_t errcap)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	int fd;

	if (bind_addr == NULL) {
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_any;
		in6->sin6_port = htons(port);
		fd = listen_on((struct sockaddr *)in6, sizeof *in6, 0, err, errcap);
		if (fd < 0) { /* no IPv6 on this box: IPv4 only */
			memset(&ss, 0, sizeof ss);
			in4->sin_family = AF_INET;
			in4->sin_addr.s_addr = htonl(INADDR_ANY);
			in4->sin_port = htons(port);
			fd = listen_on((struct sockaddr *)in4, sizeof *in4, 0, err, errcap);
		}
	} else if (inet_pton(AF_INET, bind_addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		fd = listen_on((struct sockaddr *)in4, sizeof *in4, 0, err, errcap);
	} else if (inet_pton(AF_INET6, bind_addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		fd = listen_on((struct sockaddr *)in6, sizeof *in6, 1, err, errcap);
	} else {
		snprintf(err, errcap, "--bind '%s' is not an IPv4 or IPv6 address", bind_addr);
		return -1;
	}
	if (fd < 0)
		return -1;
	socklen_t len = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*bound_port = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
	return fd;
}

int sock_accept(int lfd, uint8_t addr[16], char *peer, size_t peercap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	char host[INET6_ADDRSTRLEN] = "?";
	memset(addr, 0, 16);
	unsigned p = 0;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
		p = ntohs(a->sin_port);
		memset(addr, 0, 10);
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &a->sin_addr, 4);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
			inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], host, sizeof host);
		else
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		p = ntohs(a->sin6_port);
		memcpy(addr, &a->sin6_addr, 16);
	}
	snprintf(peer, peercap, "%s:%u", host, p);
	return fd;
}

void sock_print_urls(const char *bind_addr, uint16_t port, const char *scheme)
{
	if (bind_addr) {
		if (strchr(bind_addr, ':'))
			printf("ferry: listening on %s://[%s]:%u\n", scheme, bind_addr, port);
		else
			printf("ferry: listening on %s://%s:%u\n", scheme, bind_addr, port);
		return;
	}
	struct ifaddrs *ifs, *i;
	int printed = 0;
	if (getifaddrs(&ifs) == 0) {
		for (i = ifs; i; i = i->ifa_next) {
			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
			    !(i->ifa_flags & IFF_UP))
				continue;
			char host[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, host,
			          sizeof host);
			printf("ferry: listening on %s://%s:%u\n", scheme, host, port);
			printed++;
		}
		freeifaddrs(ifs);
	}
	if (!printed)
		printf("ferry: listening on %s://0.0.0.0:%u\n", scheme, port);
}
