/* handshake.h — the server's half of the WebSocket opening handshake
 * (RFC 6455 §4.2): checking Sec-WebSocket-Key and computing
 * Sec-WebSocket-Accept, with the strict base64 (RFC 4648 §4) it needs.
 * The HTTP side (method, Upgrade, Connection, Sec-WebSocket-Version: 13)
 * is checked by the HTTP server. */
#ifndef FERRY_WS_HANDSHAKE_H
#define FERRY_WS_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

/* Validates a Sec-WebSocket-Key value, key[0..key_len) with surrounding
 * whitespace already trimmed (no NUL terminator needed): it must be the
 * canonical base64 of exactly 16 bytes, i.e. 24 characters ending in "=="
 * with the unused low bits of the last data character zero. On success
 * writes the 28-character Sec-WebSocket-Accept value and a NUL into out
 * (29 bytes) and returns 0; returns -1 for an invalid key, leaving out
 * untouched. key is borrowed for the call; out is the caller's. */
int ws_handshake_accept(const char *key, size_t key_len, char out[29]);

/* Writes the padded base64 of src[0..n) into out (no NUL) and returns its
 * length, 4 * ceil(n / 3). With out NULL only returns the length. */
size_t ws_base64_encode(const uint8_t *src, size_t n, char *out);

/* Decodes canonical padded base64 src[0..n) into out (cap bytes) and returns
 * the number of bytes written; -1 when the input is not canonical base64
 * (length not a multiple of 4, a character outside A-Z a-z 0-9 + /, '='
 * other than as the final padding, non-zero unused bits) or the result would
 * not fit in cap. Whitespace is not skipped. */
int ws_base64_decode(const char *src, size_t n, uint8_t *out, size_t cap);

#endif
