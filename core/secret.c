/* secret.c — see secret.h. */
#include "core/secret.h"

#include <bearssl.h>
#include <string.h>

int secret_equal(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;
	/* volatile: every iteration must load, combine and store acc, so the
	 * compiler can neither stop at the first difference nor prove acc is
	 * already non-zero and skip the rest. */
	volatile unsigned char acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= (unsigned char)(pa[i] ^ pb[i]);
	/* acc is 0..255, and acc - 1 has bit 8 set only when acc is 0 (it wraps
	 * to all ones): 1/0 by arithmetic, with no comparison written here for
	 * the compiler to turn into a branch. */
	return (int)((((unsigned)acc - 1u) >> 8) & 1u);
}

void secret_hash(const char *secret, size_t n, uint8_t out[SECRET_HASH_LEN])
{
	br_sha256_context ctx;

	br_sha256_init(&ctx);
	br_sha256_update(&ctx, secret, n);
	br_sha256_out(&ctx, out);
	explicit_bzero(&ctx, sizeof ctx); /* its buffer holds secret bytes */
}

void secret_hash_hex(const uint8_t h[SECRET_HASH_LEN], char out[SECRET_HASH_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < SECRET_HASH_LEN; i++) {
		out[2 * i] = hex[h[i] >> 4];
		out[2 * i + 1] = hex[h[i] & 15];
	}
	out[SECRET_HASH_HEX_LEN] = '\0';
}

/* 0..15 for a lowercase hex digit, else -1. */
static int secret_nibble_parse(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int secret_hash_parse(const char *hex, size_t n, uint8_t out[SECRET_HASH_LEN])
{
	uint8_t h[SECRET_HASH_LEN];

	if (n != SECRET_HASH_HEX_LEN)
		return SECRET_ERR_FORMAT;
	for (size_t i = 0; i < SECRET_HASH_LEN; i++) {
		int hi = secret_nibble_parse(hex[2 * i]);
		int lo = secret_nibble_parse(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return SECRET_ERR_FORMAT;
		h[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, h, sizeof h);
	return 0;
}

int secret_check(const char *secret, size_t n, const uint8_t stored[SECRET_HASH_LEN])
{
	uint8_t h[SECRET_HASH_LEN];

	secret_hash(secret, n, h);
	int equal = secret_equal(h, stored, sizeof h);
	explicit_bzero(h, sizeof h);
	return equal;
}
