/* utf8.c — a table-driven DFA over byte classes.
 *
 * Bytes that behave alike in every state share a class, so the table is
 * 9 states x 12 classes. The special second-byte ranges after E0, ED, F0
 * and F4 are what exclude overlongs, surrogates and > U+10FFFF; every
 * other lead byte only fixes how many 80..BF continuation bytes follow. */
#include "ws/utf8.h"

#include <string.h>

enum utf8_class {
	C_ASCII, /* 00..7F */
	C_C80,   /* 80..8F continuation */
	C_C90,   /* 90..9F continuation */
	C_CA0,   /* A0..BF continuation */
	C_BAD,   /* C0, C1 (always overlong), F5..FF (beyond U+10FFFF) */
	C_L2,    /* C2..DF: one continuation follows */
	C_E0,    /* E0: second byte A0..BF, else overlong */
	C_L3,    /* E1..EC, EE, EF: two continuations follow */
	C_ED,    /* ED: second byte 80..9F, else a surrogate */
	C_F0,    /* F0: second byte 90..BF, else overlong */
	C_L4,    /* F1..F3: three continuations follow */
	C_F4,    /* F4: second byte 80..8F, else > U+10FFFF */
	C_COUNT
};

enum utf8_state {
	S_OK = WS_UTF8_ACCEPT,
	S_NO = WS_UTF8_REJECT,
	S_T1, /* one continuation byte to go */
	S_T2, /* two to go */
	S_T3, /* three to go */
	S_E0, /* after E0 */
	S_ED, /* after ED */
	S_F0, /* after F0 */
	S_F4, /* after F4 */
	S_COUNT
};

static const uint8_t utf8_next[S_COUNT][C_COUNT] = {
    /*        ASCII C80   C90   CA0   BAD   L2    E0    L3    ED    F0    L4    F4 */
    [S_OK] = {S_OK, S_NO, S_NO, S_NO, S_NO, S_T1, S_E0, S_T2, S_ED, S_F0, S_T3, S_F4},
    [S_NO] = {S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO},
    [S_T1] = {S_NO, S_OK, S_OK, S_OK, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO},
    [S_T2] = {S_NO, S_T1, S_T1, S_T1, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO},
    [S_T3] = {S_NO, S_T2, S_T2, S_T2, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO},
    [S_E0] = {S_NO, S_NO, S_NO, S_T1, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO},
    [S_ED] = {S_NO, S_T1, S_T1, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO},
    [S_F0] = {S_NO, S_NO, S_T2, S_T2, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO},
    [S_F4] = {S_NO, S_T2, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO, S_NO},
};

static enum utf8_class utf8_class_of(uint8_t b)
{
	if (b < 0x80)
		return C_ASCII;
	if (b < 0x90)
		return C_C80;
	if (b < 0xA0)
		return C_C90;
	if (b < 0xC0)
		return C_CA0;
	if (b < 0xC2)
		return C_BAD;
	if (b < 0xE0)
		return C_L2;
	if (b == 0xE0)
		return C_E0;
	if (b == 0xED)
		return C_ED;
	if (b < 0xF0)
		return C_L3;
	if (b == 0xF0)
		return C_F0;
	if (b < 0xF4)
		return C_L4;
	if (b == 0xF4)
		return C_F4;
	return C_BAD;
}

uint32_t ws_utf8_feed(uint32_t state, const uint8_t *s, size_t n)
{
	size_t i = 0;

	if (state >= S_COUNT)
		return S_NO;
	while (i < n && state != S_NO) {
		/* Messages are JSON, mostly ASCII: between characters, skip
		 * eight ASCII bytes at a time. */
		if (state == S_OK) {
			uint64_t w;
			while (n - i >= 8) {
				memcpy(&w, s + i, 8);
				if (w & UINT64_C(0x8080808080808080))
					break;
				i += 8;
			}
			if (i == n)
				break;
		}
		state = utf8_next[state][utf8_class_of(s[i])];
		i++;
	}
	return state;
}
