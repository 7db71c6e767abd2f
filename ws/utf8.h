/* utf8.h — streaming UTF-8 validator (RFC 3629).
 *
 * The state is one integer the caller keeps, so a text that arrives in
 * pieces (WebSocket fragments, short reads) is validated as it arrives and
 * an invalid byte is seen at once, without buffering or re-scanning.
 * Overlong forms, UTF-16 surrogates (U+D800..U+DFFF) and code points above
 * U+10FFFF are invalid. Noncharacters such as U+FFFE are valid, as RFC 3629
 * says. */
#ifndef FERRY_WS_UTF8_H
#define FERRY_WS_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Between whole characters: the start state, and the end state of a valid text. */
#define WS_UTF8_ACCEPT 0
/* An invalid byte was seen. Sticky: feeding more bytes never leaves it. */
#define WS_UTF8_REJECT 1
/* Any other value (2..8) means "inside a multi-byte sequence": a text that
 * ends in such a state is truncated, hence invalid. */

/* Feeds s[0..n) to the validator in state `state` and returns the new state.
 * s is borrowed for the call only; n may be 0 (s may then be NULL). */
uint32_t ws_utf8_feed(uint32_t state, const uint8_t *s, size_t n);

#endif
