/* utf8_ref.h — a reference UTF-8 decoder for tests and fuzz oracles.
 *
 * Written the plain way round (decode a code point, then judge it), so it
 * shares no structure with the DFA in ws/utf8.c or the sequence checker in
 * json/tok.c that it is used to check. */
#ifndef FERRY_TESTS_UTF8_REF_H
#define FERRY_TESTS_UTF8_REF_H

#include <stddef.h>
#include <stdint.h>

/* Decode one code point from s[0..n) (n ≥ 1) into *cp. Returns its length
 * (1–4), or 0 when the bytes there are not valid UTF-8: a stray or missing
 * continuation byte, an overlong form, a surrogate, or more than U+10FFFF. */
static inline size_t utf8_ref_decode(const uint8_t *s, size_t n, int32_t *cp)
{
	uint32_t c = s[0], min;
	size_t k;
	if (c < 0x80) {
		*cp = (int32_t)c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0)
		k = 1, min = 0x80, c &= 0x1F;
	else if ((c & 0xF0) == 0xE0)
		k = 2, min = 0x800, c &= 0x0F;
	else if ((c & 0xF8) == 0xF0)
		k = 3, min = 0x10000, c &= 0x07;
	else
		return 0;
	if (n - 1 < k)
		return 0;
	for (size_t j = 1; j <= k; j++) {
		if ((s[j] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[j] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = (int32_t)c;
	return k + 1;
}

/* 1 when s[0..n) is valid UTF-8. */
static inline int utf8_ref_valid(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		int32_t cp;
		size_t k = utf8_ref_decode(s + i, n - i, &cp);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

#endif
