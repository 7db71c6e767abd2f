/* rand.c — see rand.h. */
#include "core/rand.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

int rand_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		/* Flags 0: the urandom pool, blocking only until it is first
		 * seeded. Requests over 256 bytes may return short when a signal
		 * arrives, hence the loop. */
		ssize_t got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (got == 0) { /* not documented to happen; never spin on it */
			errno = EIO;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int rand_public_id(char out[RAND_PUBLIC_ID_LEN + 1])
{
	static const char alphabet[] = RAND_PUBLIC_ID_ALPHABET;
	unsigned char raw[RAND_PUBLIC_ID_LEN];

	_Static_assert(sizeof alphabet - 1 == 32, "Crockford base32 has 32 symbols");
	out[0] = '\0';
	if (rand_bytes(raw, sizeof raw) < 0)
		return -1;
	for (size_t i = 0; i < RAND_PUBLIC_ID_LEN; i++)
		out[i] = alphabet[raw[i] & 31];
	out[RAND_PUBLIC_ID_LEN] = '\0';
	return 0;
}

int rand_hex_secret(char out[RAND_HEX_SECRET_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[RAND_HEX_SECRET_LEN / 2];

	out[0] = '\0';
	if (rand_bytes(raw, sizeof raw) < 0)
		return -1;
	for (size_t i = 0; i < sizeof raw; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[RAND_HEX_SECRET_LEN] = '\0';
	explicit_bzero(raw, sizeof raw);
	return 0;
}

int rand_public_id_valid(const char *s, size_t n)
{
	if (n != RAND_PUBLIC_ID_LEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		/* memchr over the 32 symbols, not strchr, which would also match
		 * the alphabet's NUL terminator. */
		if (!memchr(RAND_PUBLIC_ID_ALPHABET, c, 32))
			return 0;
	}
	return 1;
}

int rand_hex_secret_valid(const char *s, size_t n)
{
	if (n != RAND_HEX_SECRET_LEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return 1;
}
