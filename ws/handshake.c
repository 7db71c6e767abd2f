/* handshake.c — Sec-WebSocket-Accept and strict base64. */
#include "ws/handshake.h"

#include <bearssl.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The GUID every server appends to the key (RFC 6455 §1.3). */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

size_t ws_base64_encode(const uint8_t *src, size_t n, char *out)
{
	size_t olen = (n + 2) / 3 * 4;
	if (!out)
		return olen;
	for (size_t i = 0, o = 0; i < n; i += 3, o += 4) {
		size_t left = n - i;
		uint32_t v = (uint32_t)src[i] << 16;
		if (left > 1)
			v |= (uint32_t)src[i + 1] << 8;
		if (left > 2)
			v |= src[i + 2];
		out[o] = b64_alphabet[v >> 18];
		out[o + 1] = b64_alphabet[(v >> 12) & 63];
		out[o + 2] = left > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o + 3] = left > 2 ? b64_alphabet[v & 63] : '=';
	}
	return olen;
}

/* The 6-bit value of a base64 character, or -1. Comparisons rather than a
 * 256-entry table: the handshake decodes one 24-byte key per connection. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int ws_base64_decode(const char *src, size_t n, uint8_t *out, size_t cap)
{
	if (n % 4)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		/* Padding is allowed only in the last group: "xx==" or "xxx=". */
		size_t pad = 0;
		if (i + 4 == n)
			pad = src[i + 3] != '=' ? 0 : src[i + 2] == '=' ? 2 : 1;
		uint32_t v = 0;
		for (size_t j = 0; j < 4 - pad; j++) {
			int d = b64_value((unsigned char)src[i + j]);
			if (d < 0)
				return -1;
			v = v << 6 | (uint32_t)d;
		}
		v <<= 6 * pad;
		/* Canonical form: the bits padding leaves unused must be zero,
		 * so each byte string has exactly one encoding. */
		if ((pad == 1 && (v & 0xFF)) || (pad == 2 && (v & 0xFFFF)))
			return -1;
		size_t k = 3 - pad;
		if (cap - o < k)
			return -1;
		for (size_t j = 0; j < k; j++)
			out[o + j] = (uint8_t)(v >> (16 - 8 * j));
		o += k;
	}
	return o > (size_t)INT32_MAX ? -1 : (int)o;
}

int ws_handshake_accept(const char *key, size_t key_len, char out[29])
{
	uint8_t raw[16], digest[br_sha1_SIZE];
	br_sha1_context sha;

	if (key_len != 24 || ws_base64_decode(key, key_len, raw, sizeof raw) != 16)
		return -1;
	br_sha1_init(&sha);
	br_sha1_update(&sha, key, key_len);
	br_sha1_update(&sha, ws_guid, sizeof ws_guid - 1);
	br_sha1_out(&sha, digest);
	out[ws_base64_encode(digest, sizeof digest, out)] = '\0';
	return 0;
}
