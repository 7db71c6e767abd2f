/* test_ws.c — unit tests for ws/: utf8, frame, rx, handshake.
 *
 * Every parser input is also fed one byte at a time and from the end of a
 * guard page, and every rx stream in several chunkings, which must all give
 * the same events. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tests/unit/guard.h"
#include "ws/frame.h"
#include "ws/handshake.h"
#include "ws/rx.h"
#include "ws/utf8.h"
#include "tests/unit/utf8_ref.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- utf8 ------------------------------------------------------------------ */

static size_t enc_utf8(uint32_t c, uint8_t *o)
{
	if (c < 0x80) {
		o[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (uint8_t)(0xC0 | c >> 6), o[1] = (uint8_t)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (uint8_t)(0xE0 | c >> 12), o[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (uint8_t)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (uint8_t)(0xF0 | c >> 18), o[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F)), o[3] = (uint8_t)(0x80 | (c & 0x3F));
	return 4;
}

struct utf8_case {
	const char *name;
	const char *s;
	int valid;
};

static const struct utf8_case utf8_cases[] = {
    {"empty", "", 1},
    {"ascii", "hello, {\"type\":1}", 1},
    {"kosme", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 1},
    {"U+0001", "\x01", 1},
    {"U+007F", "\x7f", 1},
    {"U+0080", "\xc2\x80", 1},
    {"U+07FF", "\xdf\xbf", 1},
    {"U+0800", "\xe0\xa0\x80", 1},
    {"U+D7FF", "\xed\x9f\xbf", 1},
    {"U+E000", "\xee\x80\x80", 1},
    {"U+FFFD", "\xef\xbf\xbd", 1},
    {"U+FFFE noncharacter", "\xef\xbf\xbe", 1},
    {"U+FFFF", "\xef\xbf\xbf", 1},
    {"U+10000", "\xf0\x90\x80\x80", 1},
    {"U+1F600", "\xf0\x9f\x98\x80", 1},
    {"U+10FFFF", "\xf4\x8f\xbf\xbf", 1},
    {"long ascii then 2-byte", "0123456789abcdefghij\xc3\xa9xyz", 1},
    {"lone continuation 80", "\x80", 0},
    {"lone continuation BF", "\xbf", 0},
    {"two continuations", "\x80\xbf", 0},
    {"continuation after ascii run", "01234567890123456789\x80", 0},
    {"all continuation bytes", "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e", 0},
    {"lonely 2-byte start", "\xc2 ", 0},
    {"lonely 3-byte start", "\xe1 ", 0},
    {"lonely 4-byte start", "\xf1 ", 0},
    {"truncated 2", "\xc2", 0},
    {"truncated 3", "\xe0\xa0", 0},
    {"truncated 4", "\xf0\x90\x80", 0},
    {"truncated 4 after one", "\xf4", 0},
    {"impossible FE", "\xfe", 0},
    {"impossible FF", "\xff", 0},
    {"impossible FEFEFFFF", "\xfe\xfe\xff\xff", 0},
    {"overlong slash 2", "\xc0\xaf", 0},
    {"overlong slash 3", "\xe0\x80\xaf", 0},
    {"overlong slash 4", "\xf0\x80\x80\xaf", 0},
    {"overlong slash 5", "\xf8\x80\x80\x80\xaf", 0},
    {"overlong slash 6", "\xfc\x80\x80\x80\x80\xaf", 0},
    {"max overlong 2", "\xc1\xbf", 0},
    {"max overlong 3", "\xe0\x9f\xbf", 0},
    {"max overlong 4", "\xf0\x8f\xbf\xbf", 0},
    {"overlong NUL", "\xc0\x80", 0},
    {"surrogate D800", "\xed\xa0\x80", 0},
    {"surrogate DB7F", "\xed\xad\xbf", 0},
    {"surrogate DB80", "\xed\xae\x80", 0},
    {"surrogate DBFF", "\xed\xaf\xbf", 0},
    {"surrogate DC00", "\xed\xb0\x80", 0},
    {"surrogate DF80", "\xed\xbe\x80", 0},
    {"surrogate DFFF", "\xed\xbf\xbf", 0},
    {"surrogate pair", "\xed\xa0\x80\xed\xb0\x80", 0},
    {"U+110000", "\xf4\x90\x80\x80", 0},
    {"F5 lead", "\xf5\x80\x80\x80", 0},
    {"F7 max", "\xf7\xbf\xbf\xbf", 0},
    {"2-byte then ascii as continuation", "\xdf\x41", 0},
    {"valid then invalid", "\xc3\xa9\xc3", 0},
};

static void test_utf8_table(void)
{
	for (size_t i = 0; i < LEN(utf8_cases); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		const uint8_t *s = (const uint8_t *)c->s;
		size_t n = strlen(c->s);
		struct guard g;
		const uint8_t *gs = guard_copy(&g, s, n);
		uint32_t st = ws_utf8_feed(WS_UTF8_ACCEPT, gs, n);
		CHECKF((st == WS_UTF8_ACCEPT) == c->valid, "%s: whole state %u", c->name, st);
		CHECKF(utf8_ref_valid(s, n) == c->valid, "%s: reference", c->name);
		/* One byte at a time, each byte alone before a guard page. */
		st = WS_UTF8_ACCEPT;
		for (size_t j = 0; j < n; j++) {
			struct guard g1;
			st = ws_utf8_feed(st, guard_copy(&g1, s + j, 1), 1);
			guard_release(&g1);
		}
		CHECKF((st == WS_UTF8_ACCEPT) == c->valid, "%s: bytewise", c->name);
		/* Every split into two feeds. */
		for (size_t j = 0; j <= n; j++) {
			st = ws_utf8_feed(ws_utf8_feed(WS_UTF8_ACCEPT, gs, j), gs + j, n - j);
			CHECKF((st == WS_UTF8_ACCEPT) == c->valid, "%s: split at %zu", c->name, j);
		}
		guard_release(&g);
	}
}

static void test_utf8_states(void)
{
	const uint8_t e9[] = {0xE2, 0x82, 0xAC}; /* U+20AC */
	uint32_t st = ws_utf8_feed(WS_UTF8_ACCEPT, e9, 1);
	CHECK(st != WS_UTF8_ACCEPT && st != WS_UTF8_REJECT);
	st = ws_utf8_feed(st, e9 + 1, 1);
	CHECK(st != WS_UTF8_ACCEPT && st != WS_UTF8_REJECT);
	CHECK(ws_utf8_feed(st, e9 + 2, 1) == WS_UTF8_ACCEPT);
	/* Sticky reject, and n == 0 changes nothing. */
	st = ws_utf8_feed(WS_UTF8_ACCEPT, (const uint8_t *)"\xff", 1);
	CHECK(st == WS_UTF8_REJECT);
	CHECK(ws_utf8_feed(st, (const uint8_t *)"abc", 3) == WS_UTF8_REJECT);
	CHECK(ws_utf8_feed(WS_UTF8_ACCEPT, NULL, 0) == WS_UTF8_ACCEPT);
	CHECK(ws_utf8_feed(99, (const uint8_t *)"a", 1) == WS_UTF8_REJECT);
}

/* Exhaustive agreement with the reference: every code point's encoding, all
 * 1- and 2-byte strings, all 3-byte strings with an E0..EF lead, and 4-byte
 * strings with an F0..F7 lead over a grid of the continuation bytes. */
static void test_utf8_exhaustive(void)
{
	uint8_t b[4];
	long bad = 0;
	for (uint32_t c = 0; c <= 0x10FFFF; c++) {
		size_t n = enc_utf8(c, b);
		int want = !(c >= 0xD800 && c <= 0xDFFF);
		bad += (ws_utf8_feed(WS_UTF8_ACCEPT, b, n) == WS_UTF8_ACCEPT) != want;
	}
	CHECK_EQ_LL(bad, 0);
	bad = 0;
	for (unsigned x = 0; x < 0x10000; x++) {
		b[0] = (uint8_t)(x >> 8), b[1] = (uint8_t)x;
		bad +=
		    (ws_utf8_feed(WS_UTF8_ACCEPT, b, 1) == WS_UTF8_ACCEPT) != utf8_ref_valid(b, 1);
		bad +=
		    (ws_utf8_feed(WS_UTF8_ACCEPT, b, 2) == WS_UTF8_ACCEPT) != utf8_ref_valid(b, 2);
	}
	CHECK_EQ_LL(bad, 0);
	bad = 0;
	for (unsigned x = 0; x < 0x100000; x++) {
		b[0] = (uint8_t)(0xE0 | x >> 16), b[1] = (uint8_t)(x >> 8), b[2] = (uint8_t)x;
		bad +=
		    (ws_utf8_feed(WS_UTF8_ACCEPT, b, 3) == WS_UTF8_ACCEPT) != utf8_ref_valid(b, 3);
	}
	CHECK_EQ_LL(bad, 0);
	bad = 0;
	static const uint8_t grid[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90,
	                               0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
	for (unsigned l = 0xF0; l <= 0xFF; l++)
		for (size_t i = 0; i < LEN(grid); i++)
			for (size_t j = 0; j < LEN(grid); j++)
				for (size_t k = 0; k < LEN(grid); k++) {
					b[0] = (uint8_t)l, b[1] = grid[i], b[2] = grid[j],
					b[3] = grid[k];
					uint32_t st = ws_utf8_feed(WS_UTF8_ACCEPT, b, 4);
					bad += (st == WS_UTF8_ACCEPT) != utf8_ref_valid(b, 4);
				}
	CHECK_EQ_LL(bad, 0);
}

/* ---- frame ----------------------------------------------------------------- */

#define M 0x11, 0x22, 0x33, 0x44 /* a masking key */

struct hdr_case {
	const char *name;
	uint8_t b[WS_FRAME_HDR_MAX];
	size_t n;      /* bytes in b */
	int want;      /* header length, or -1 */
	size_t detect; /* -1 cases: the prefix length that first gives -1 */
	uint8_t fin, op;
	uint64_t len;
};

/* Bytes count of a brace-less byte list. */
#define NB(...) sizeof((const uint8_t[]){__VA_ARGS__})
#define HOK(name, fin, op, len, ...)                                                               \
	{                                                                                          \
		name, {__VA_ARGS__}, NB(__VA_ARGS__), (int)NB(__VA_ARGS__), 0, fin, op, len        \
	}
#define HBAD(name, detect, ...)                                                                    \
	{                                                                                          \
		name, {__VA_ARGS__}, NB(__VA_ARGS__), -1, detect, 0, 0, 0                          \
	}

static const struct hdr_case hdr_cases[] = {
    HOK("text 0", 1, WS_OP_TEXT, 0, 0x81, 0x80, M),
    HOK("text 5", 1, WS_OP_TEXT, 5, 0x81, 0x85, M),
    HOK("text 125", 1, WS_OP_TEXT, 125, 0x81, 0xFD, M),
    HOK("text 126 (16-bit)", 1, WS_OP_TEXT, 126, 0x81, 0xFE, 0x00, 0x7E, M),
    HOK("text 65535 (16-bit)", 1, WS_OP_TEXT, 65535, 0x81, 0xFE, 0xFF, 0xFF, M),
    HOK("text 5 non-minimal 16-bit", 1, WS_OP_TEXT, 5, 0x81, 0xFE, 0x00, 0x05, M),
    HOK("text 65536 (64-bit)", 1, WS_OP_TEXT, 65536, 0x81, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, M),
    HOK("text 2^63-1", 1, WS_OP_TEXT, INT64_MAX, 0x81, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, M),
    HOK("text not fin 64-bit", 0, WS_OP_TEXT, UINT64_C(0x0102030405060708), 0x01, 0xFF, 1, 2, 3, 4,
        5, 6, 7, 8, M),
    HOK("continuation not fin", 0, WS_OP_CONT, 3, 0x00, 0x83, M),
    HOK("binary", 1, WS_OP_BINARY, 0, 0x82, 0x80, M),
    HOK("close 0", 1, WS_OP_CLOSE, 0, 0x88, 0x80, M),
    HOK("ping 125", 1, WS_OP_PING, 125, 0x89, 0xFD, M),
    HOK("pong 1", 1, WS_OP_PONG, 1, 0x8A, 0x81, M),
    HBAD("rsv1", 1, 0xC1, 0x80, M),
    HBAD("rsv2", 1, 0xA1, 0x80, M),
    HBAD("rsv3", 1, 0x91, 0x80, M),
    HBAD("rsv on control", 1, 0xC9, 0x80, M),
    HBAD("opcode 3", 1, 0x83, 0x80, M),
    HBAD("opcode 7", 1, 0x87, 0x80, M),
    HBAD("opcode B", 1, 0x8B, 0x80, M),
    HBAD("opcode F", 1, 0x8F, 0x80, M),
    HBAD("ping not fin", 1, 0x09, 0x80, M),
    HBAD("close not fin", 1, 0x08, 0x80, M),
    HBAD("pong not fin", 1, 0x0A, 0x80, M),
    HBAD("ping 126", 2, 0x89, 0xFE, 0x00, 0x7E, M),
    HBAD("close 125 in 16 bits", 2, 0x88, 0xFE, 0x00, 0x7D, M),
    HBAD("pong 64-bit", 2, 0x8A, 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, M),
    HBAD("unmasked text", 2, 0x81, 0x05, 'h', 'e', 'l', 'l', 'o'),
    HBAD("unmasked close", 2, 0x88, 0x00),
    HBAD("64-bit top bit", 3, 0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, M),
    HBAD("64-bit all ones", 3, 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, M),
};

static void test_frame_parse_table(void)
{
	for (size_t i = 0; i < LEN(hdr_cases); i++) {
		const struct hdr_case *c = &hdr_cases[i];
		size_t complete = c->want > 0 ? (size_t)c->want : c->detect;
		/* Growing prefixes, each at the end of a guard page. */
		for (size_t p = 0; p <= c->n; p++) {
			struct guard g;
			const uint8_t *b = guard_copy(&g, c->b, p);
			struct ws_frame_hdr h;
			uint16_t code = 0;
			const char *why = NULL;
			int r = ws_frame_parse_why(b, p, &h, &code, &why);
			guard_release(&g);
			if (p < complete) {
				CHECKF(r == -2, "%s: prefix %zu gave %d", c->name, p, r);
			} else if (c->want < 0) {
				CHECKF(r == -1 && code == 1002 && why, "%s: prefix %zu gave %d",
				       c->name, p, r);
			} else {
				CHECKF(r == c->want, "%s: prefix %zu gave %d", c->name, p, r);
				if (r != c->want)
					continue;
				CHECKF(h.fin == c->fin && h.opcode == c->op && h.len == c->len &&
				           h.masked == 1 && h.rsv == 0 && h.hdr_len == r &&
				           memcmp(h.mask, "\x11\x22\x33\x44", 4) == 0,
				       "%s: fields", c->name);
			}
		}
		/* The plain entry point agrees. */
		struct ws_frame_hdr h;
		uint16_t code = 0;
		CHECKF(ws_frame_parse(c->b, c->n, &h, &code) == c->want, "%s: ws_frame_parse",
		       c->name);
	}
}

static void test_frame_opcodes(void)
{
	/* Every opcode with FIN: only 0-2 and 8-A parse. */
	for (unsigned op = 0; op < 16; op++) {
		uint8_t b[6] = {(uint8_t)(0x80 | op), 0x80, M};
		struct ws_frame_hdr h;
		uint16_t code = 0;
		int ok = op <= 2 || (op >= 8 && op <= 10);
		int r = ws_frame_parse(b, sizeof b, &h, &code);
		CHECKF(ok ? r == 6 : (r == -1 && code == 1002), "opcode %u gave %d", op, r);
	}
}

static void test_frame_write(void)
{
	static const uint64_t lens[] = {0,   1,     125,   126,
	                                127, 65535, 65536, UINT64_C(0x7FFFFFFFFFFFFFFF)};
	static const size_t want[] = {2, 2, 2, 4, 4, 4, 10, 10};
	for (size_t i = 0; i < LEN(lens); i++) {
		uint8_t out[WS_FRAME_HDR_MAX];
		size_t n = ws_frame_header_write(out, (int)(i & 1), WS_OP_TEXT, lens[i]);
		CHECK_EQ_LL(n, want[i]);
		/* Mask it as a client would, and parse it back. */
		out[1] |= 0x80;
		memcpy(out + n, "\x11\x22\x33\x44", 4);
		struct ws_frame_hdr h;
		uint16_t code;
		CHECK_EQ_LL(ws_frame_parse(out, n + 4, &h, &code), n + 4);
		CHECK(h.len == lens[i] && h.fin == (i & 1) && h.opcode == WS_OP_TEXT);
	}
	uint8_t out[10];
	CHECK_EQ_LL(ws_frame_header_write(out, 1, WS_OP_CLOSE, 2), 2);
	CHECK(out[0] == 0x88 && out[1] == 0x02);
	CHECK_EQ_LL(ws_frame_header_write(out, 1, WS_OP_TEXT, 300), 4);
	CHECK(memcmp(out, "\x81\x7e\x01\x2c", 4) == 0);
}

static void test_mask(void)
{
	const uint8_t key[4] = {0x37, 0xFA, 0x21, 0x3D}; /* RFC 6455 §5.7 */
	const uint8_t masked[5] = {0x7F, 0x9F, 0x4D, 0x51, 0x58};
	uint8_t out[5];
	ws_mask_copy(out, masked, 5, key, 0);
	CHECK(memcmp(out, "Hello", 5) == 0);
	/* In pieces at every offset, and in place. */
	for (size_t cut = 0; cut <= 5; cut++) {
		memcpy(out, masked, 5);
		ws_mask_copy(out, out, cut, key, 0);
		ws_mask_copy(out + cut, out + cut, 5 - cut, key, cut);
		CHECKF(memcmp(out, "Hello", 5) == 0, "cut %zu", cut);
	}
	/* A long run against the definition, with a large offset. */
	uint8_t src[257], dst[257];
	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	uint64_t off = UINT64_C(0x100000003);
	ws_mask_copy(dst, src, sizeof src, key, off);
	int bad = 0;
	for (size_t i = 0; i < sizeof src; i++)
		bad += dst[i] != (src[i] ^ key[(off + i) & 3]);
	CHECK_EQ_LL(bad, 0);
}

static void test_close_codes(void)
{
	static const unsigned ok[] = {1000, 1001, 1002, 1003, 1007, 1008,
	                              1009, 1010, 1011, 3000, 4000, 4999};
	static const unsigned no[] = {0,    999,  1004, 1005, 1006, 1012,
	                              1015, 1016, 2999, 5000, 65535};
	for (size_t i = 0; i < LEN(ok); i++)
		CHECKF(ws_close_code_valid(ok[i]), "%u", ok[i]);
	for (size_t i = 0; i < LEN(no); i++)
		CHECKF(!ws_close_code_valid(no[i]), "%u", no[i]);
}

/* ---- rx: a test-side frame builder ------------------------------------------ */

#define FIN        0x80
#define STREAM_MAX (1 << 18)

struct stream {
	uint8_t b[STREAM_MAX];
	size_t n;
	unsigned frames;
};

static struct stream st;

static void s_reset(void)
{
	st.n = 0;
	st.frames = 0;
}

static void s_raw(const void *p, size_t n)
{
	if (st.n + n > STREAM_MAX)
		abort();
	memcpy(st.b + st.n, p, n);
	st.n += n;
}

/* Appends a masked frame: b0 is FIN | RSV | opcode as on the wire; width
 * 0 picks the minimal length encoding, 16 or 64 force one. The key differs
 * per frame and has zero bytes in some frames. */
static void s_frame_w(unsigned b0, int width, const void *payload, size_t n)
{
	uint8_t h[WS_FRAME_HDR_MAX];
	size_t k = 0;
	h[k++] = (uint8_t)b0;
	if (width == 0)
		width = n < 126 ? 7 : n <= 0xFFFF ? 16 : 64;
	if (width == 7) {
		h[k++] = (uint8_t)(0x80 | n);
	} else if (width == 16) {
		h[k++] = 0x80 | 126;
		h[k++] = (uint8_t)(n >> 8), h[k++] = (uint8_t)n;
	} else {
		h[k++] = 0x80 | 127;
		for (int i = 0; i < 8; i++)
			h[k++] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
	}
	uint8_t key[4] = {(uint8_t)(0x5A + st.frames * 17), (uint8_t)(st.frames * 3),
	                  (uint8_t)(0xC3 ^ st.frames), 0x00};
	st.frames++;
	memcpy(h + k, key, 4);
	s_raw(h, k + 4);
	const uint8_t *p = payload;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i] ^ key[i & 3];
		s_raw(&c, 1);
	}
}

static void s_frame(unsigned b0, const void *payload, size_t n)
{
	s_frame_w(b0, 0, payload, n);
}

static void s_text(unsigned b0, const char *s)
{
	s_frame(b0, s, strlen(s));
}

/* A masked header only, claiming len payload bytes that never follow. */
static void s_header(unsigned b0, uint64_t len)
{
	uint8_t h[WS_FRAME_HDR_MAX];
	size_t k = ws_frame_header_write(h, 0, 0, len);
	h[0] = (uint8_t)b0;
	h[1] |= 0x80;
	memcpy(h + k, "\x01\x02\x03\x04", 4);
	s_raw(h, k + 4);
}

static void s_close(unsigned code, const char *reason, size_t rlen)
{
	uint8_t p[WS_FRAME_CONTROL_MAX + 2];
	p[0] = (uint8_t)(code >> 8), p[1] = (uint8_t)code;
	memcpy(p + 2, reason, rlen);
	s_frame(FIN | WS_OP_CLOSE, p, rlen + 2);
}

/* ---- rx: running a stream in several chunkings ------------------------------ */

#define EV_MAX 16

struct rec {
	int type;
	uint16_t code;
	const char *why;
	size_t len;
	uint8_t *data; /* a copy, malloc'd */
};

struct run {
	int n;
	struct rec ev[EV_MAX];
	int stuck;   /* a call consumed nothing and produced nothing */
	int bad_ptr; /* event data outside rx's buffers */
	int bad_ev;  /* malformed event fields */
};

enum { MODE_WHOLE, MODE_GUARD, MODE_BYTES, MODE_CHUNKS, MODE_COUNT };
static const char *const mode_names[] = {"whole", "guard page", "one byte at a time",
                                         "uneven chunks"};

/* Compared as integers: p and base may belong to different objects. */
static int in_range(const uint8_t *p, size_t n, const void *base, size_t cap)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
	return a >= b && a - b <= cap && n <= cap - (a - b);
}

static void rec_event(struct run *r, const struct ws_rx *rx, const uint8_t *msg, size_t cap,
                      const struct ws_event *ev)
{
	if (ev->data && !in_range(ev->data, ev->len, msg, cap) &&
	    !in_range(ev->data, ev->len, rx->ctl, sizeof rx->ctl))
		r->bad_ptr++;
	if (!ev->data && ev->len)
		r->bad_ptr++;
	if ((ev->type == WS_EV_ERROR) != (ev->why != NULL))
		r->bad_ev++;
	if (r->n == EV_MAX)
		return;
	struct rec *e = &r->ev[r->n++];
	e->type = ev->type, e->code = ev->code, e->why = ev->why, e->len = ev->len;
	e->data = malloc(ev->len + 1);
	if (ev->len)
		memcpy(e->data, ev->data, ev->len);
}

/* Feeds s[0..n) to a fresh rx with a msg buffer of exactly cap heap bytes
 * (so ASan sees any overflow) and records its events. In MODE_BYTES each
 * byte sits in its own 1-byte allocation, freed right after the call: rx
 * must neither read past what it was given nor keep pointers into it. */
static void rx_run(const uint8_t *s, size_t n, size_t cap, int mode, struct run *r)
{
	struct ws_rx rx;
	struct ws_event ev;
	struct guard g = {NULL, 0};
	uint8_t *msg = malloc(cap ? cap : 1);
	const uint8_t *in = s;
	unsigned seed = 12345;

	memset(r, 0, sizeof *r);
	ws_rx_init(&rx, msg, cap);
	if (mode == MODE_GUARD)
		in = guard_copy(&g, s, n);
	for (size_t pos = 0; pos < n;) {
		size_t piece = n - pos, used;
		if (mode == MODE_BYTES) {
			piece = 1;
		} else if (mode == MODE_CHUNKS) {
			seed = seed * 1103515245 + 12345;
			piece = 1 + (seed >> 16) % 23;
			if (piece > n - pos)
				piece = n - pos;
		}
		if (mode == MODE_BYTES) {
			uint8_t *one = malloc(1);
			*one = s[pos];
			used = ws_rx_feed(&rx, one, 1, &ev);
			free(one);
		} else {
			used = ws_rx_feed(&rx, in + pos, piece, &ev);
		}
		if (ev.type != WS_EV_NONE)
			rec_event(r, &rx, msg, cap, &ev);
		else if (used != piece)
			r->stuck++;
		if (used == 0 && ev.type == WS_EV_NONE)
			break;
		pos += used;
	}
	/* Terminal after CLOSE/ERROR: more input is swallowed silently. */
	if (r->n && (r->ev[r->n - 1].type == WS_EV_CLOSE || r->ev[r->n - 1].type == WS_EV_ERROR)) {
		static const uint8_t more[] = {0x81, 0x80, 1, 2, 3, 4};
		if (ws_rx_feed(&rx, more, sizeof more, &ev) != sizeof more || ev.type != WS_EV_NONE)
			r->bad_ev++;
	}
	if (mode == MODE_GUARD)
		guard_release(&g);
	free(msg);
}

static void run_free(struct run *r)
{
	for (int i = 0; i < r->n; i++)
		free(r->ev[i].data);
}

struct want {
	int type;
	uint16_t code;
	const void *data; /* NULL: do not compare the bytes, only len */
	size_t len;
};

#define W_TEXT(s)                                                                                  \
	{                                                                                          \
		WS_EV_TEXT, 0, s, sizeof(s) - 1                                                    \
	}
#define W_PING(s)                                                                                  \
	{                                                                                          \
		WS_EV_PING, 0, s, sizeof(s) - 1                                                    \
	}
#define W_PONG(s)                                                                                  \
	{                                                                                          \
		WS_EV_PONG, 0, s, sizeof(s) - 1                                                    \
	}
#define W_CLOSE(c, s)                                                                              \
	{                                                                                          \
		WS_EV_CLOSE, c, s, sizeof(s) - 1                                                   \
	}
#define W_ERR(c)                                                                                   \
	{                                                                                          \
		WS_EV_ERROR, c, NULL, 0                                                            \
	}

/* Runs the current stream in every mode and compares with want[0..nw). */
static void expect(const char *name, size_t cap, const struct want *w, int nw)
{
	for (int mode = 0; mode < MODE_COUNT; mode++) {
		struct run r;
		rx_run(st.b, st.n, cap, mode, &r);
		const char *m = mode_names[mode];
		CHECKF(r.n == nw, "%s (%s): %d events, want %d", name, m, r.n, nw);
		CHECKF(!r.stuck && !r.bad_ptr && !r.bad_ev,
		       "%s (%s): stuck %d bad_ptr %d bad_ev %d", name, m, r.stuck, r.bad_ptr,
		       r.bad_ev);
		for (int i = 0; i < r.n && i < nw; i++) {
			const struct rec *e = &r.ev[i];
			CHECKF(e->type == w[i].type, "%s (%s): event %d type %d, want %d", name, m,
			       i, e->type, w[i].type);
			if (w[i].type == WS_EV_CLOSE || w[i].type == WS_EV_ERROR)
				CHECKF(e->code == w[i].code,
				       "%s (%s): event %d code %u, want %u (%s)", name, m, i,
				       e->code, w[i].code, e->why ? e->why : "");
			if (w[i].type != WS_EV_ERROR)
				CHECKF(e->len == w[i].len &&
				           (!w[i].data || memcmp(e->data, w[i].data, e->len) == 0),
				       "%s (%s): event %d data (len %zu, want %zu)", name, m, i,
				       e->len, w[i].len);
		}
		run_free(&r);
	}
}

#define EXPECT(name, cap, ...)                                                                     \
	do {                                                                                       \
		static const struct want w_[] = {__VA_ARGS__};                                     \
		expect(name, cap, w_, (int)LEN(w_));                                               \
	} while (0)

/* ---- rx cases ----------------------------------------------------------------- */

static void test_rx_text(void)
{
	s_reset();
	s_text(FIN | WS_OP_TEXT, "{\"type\":\"PING\"}");
	EXPECT("single text", 64, W_TEXT("{\"type\":\"PING\"}"));

	s_reset();
	s_text(WS_OP_TEXT, "Hel");
	s_text(FIN | WS_OP_PING, "p1");
	s_text(WS_OP_CONT, "lo, ");
	s_text(FIN | WS_OP_PONG, "");
	s_text(FIN | WS_OP_CONT, "w\xc3\xb6rld");
	s_text(FIN | WS_OP_TEXT, "next");
	EXPECT("fragmented text with ping and pong between", 64, W_PING("p1"), W_PONG(""),
	       W_TEXT("Hello, w\xc3\xb6rld"), W_TEXT("next"));

	s_reset();
	s_text(FIN | WS_OP_TEXT, "");
	s_text(WS_OP_TEXT, "");
	s_text(WS_OP_CONT, "");
	s_text(FIN | WS_OP_CONT, "");
	EXPECT("0-length text, and 0-length fragments", 8, W_TEXT(""), W_TEXT(""));

	s_reset();
	s_text(FIN | WS_OP_TEXT, "");
	EXPECT("0-length text with cap 0", 0, W_TEXT(""));

	s_reset();
	s_frame_w(FIN | WS_OP_TEXT, 64, "sixty-four", 10);
	s_frame_w(FIN | WS_OP_TEXT, 16, "sixteen", 7);
	EXPECT("64- and 16-bit lengths for short payloads", 16, W_TEXT("sixty-four"),
	       W_TEXT("sixteen"));

	static uint8_t big[70000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)('a' + i % 26);
	s_reset();
	s_frame(FIN | WS_OP_TEXT, big, sizeof big);
	struct want w = {WS_EV_TEXT, 0, big, sizeof big};
	expect("70000-byte text (64-bit length), exactly cap", sizeof big, &w, 1);

	s_reset();
	s_frame(WS_OP_TEXT, big, 40000);
	s_text(FIN | WS_OP_PING, "");
	s_frame(FIN | WS_OP_CONT, big + 40000, 30000);
	struct want w2[] = {{WS_EV_PING, 0, "", 0}, {WS_EV_TEXT, 0, big, sizeof big}};
	expect("70000-byte text in two frames, exactly cap", sizeof big, w2, 2);
}

static void test_rx_limits(void)
{
	s_reset();
	s_text(FIN | WS_OP_TEXT, "12345678");
	EXPECT("exactly cap in one frame", 8, W_TEXT("12345678"));

	s_reset();
	s_text(FIN | WS_OP_TEXT, "123456789");
	EXPECT("cap + 1 in one frame", 8, W_ERR(1009));

	s_reset();
	s_text(WS_OP_TEXT, "1234");
	s_text(WS_OP_CONT, "5678");
	s_text(FIN | WS_OP_CONT, "");
	EXPECT("exactly cap via fragments", 8, W_TEXT("12345678"));

	s_reset();
	s_text(WS_OP_TEXT, "1234");
	s_text(FIN | WS_OP_PING, "ping");
	s_text(WS_OP_CONT, "5678");
	s_text(FIN | WS_OP_CONT, "9");
	EXPECT("cap + 1 via fragments", 8, W_PING("ping"), W_ERR(1009));

	s_reset();
	s_header(FIN | WS_OP_TEXT, 1000);
	EXPECT("too long: refused at header time, payload never sent", 8, W_ERR(1009));

	s_reset();
	s_text(WS_OP_TEXT, "1234");
	s_header(FIN | WS_OP_CONT, UINT64_C(0x7FFFFFFFFFFFFFFF));
	EXPECT("2^63-1 continuation after 4 bytes (no overflow)", 8, W_ERR(1009));

	s_reset();
	s_header(FIN | WS_OP_TEXT, UINT64_C(0x7FFFFFFFFFFFFFFF));
	EXPECT("2^63-1 text", 8, W_ERR(1009));

	s_reset();
	s_text(FIN | WS_OP_PING, "a control frame is not limited by cap");
	EXPECT("ping longer than cap", 4, W_PING("a control frame is not limited by cap"));
}

static void test_rx_protocol(void)
{
	s_reset();
	s_text(FIN | WS_OP_BINARY, "bin");
	EXPECT("binary", 64, W_ERR(1003));

	s_reset();
	s_header(FIN | WS_OP_BINARY, 100);
	EXPECT("binary refused at header time", 64, W_ERR(1003));

	s_reset();
	s_text(WS_OP_BINARY, "bin");
	EXPECT("binary first fragment", 64, W_ERR(1003));

	s_reset();
	s_text(FIN | WS_OP_CONT, "x");
	EXPECT("continuation without start", 64, W_ERR(1002));

	s_reset();
	s_text(FIN | WS_OP_TEXT, "done");
	s_text(FIN | WS_OP_CONT, "x");
	EXPECT("continuation after a finished message", 64, W_TEXT("done"), W_ERR(1002));

	s_reset();
	s_text(WS_OP_TEXT, "a");
	s_text(FIN | WS_OP_TEXT, "b");
	EXPECT("text during fragmented message", 64, W_ERR(1002));

	s_reset();
	s_text(WS_OP_TEXT, "a");
	s_text(FIN | WS_OP_BINARY, "b");
	EXPECT("binary during fragmented message", 64, W_ERR(1002));

	s_reset();
	s_raw("\x81\x05hello", 7);
	EXPECT("unmasked", 64, W_ERR(1002));

	s_reset();
	s_text(FIN | WS_OP_TEXT, "ok");
	s_raw("\x89\x00", 2);
	EXPECT("unmasked ping after a good frame", 64, W_TEXT("ok"), W_ERR(1002));

	static const unsigned rsv[] = {0x40, 0x20, 0x10};
	for (size_t i = 0; i < LEN(rsv); i++) {
		s_reset();
		s_text(FIN | rsv[i] | WS_OP_TEXT, "x");
		EXPECT("RSV bit", 64, W_ERR(1002));
	}
	static const unsigned reserved[] = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF};
	for (size_t i = 0; i < LEN(reserved); i++) {
		s_reset();
		s_text(FIN | reserved[i], "");
		EXPECT("reserved opcode", 64, W_ERR(1002));
	}
	static const unsigned ctl[] = {WS_OP_CLOSE, WS_OP_PING, WS_OP_PONG};
	for (size_t i = 0; i < LEN(ctl); i++) {
		s_reset();
		s_text(ctl[i], "");
		EXPECT("control not FIN", 64, W_ERR(1002));
		s_reset();
		s_header(FIN | ctl[i], 126);
		EXPECT("control > 125", 64, W_ERR(1002));
	}

	s_reset();
	static const char p125[126] = "0123456789012345678901234567890123456789012345678901234567"
	                              "8901234567890123456789012345678901234567890123456789012345"
	                              "678901234";
	s_frame(FIN | WS_OP_PING, p125, 125);
	struct want w = {WS_EV_PING, 0, p125, 125};
	expect("ping of 125", 4, &w, 1);
}

static void test_rx_close(void)
{
	s_reset();
	s_close(1000, "bye", 3);
	s_text(FIN | WS_OP_TEXT, "ignored after close");
	EXPECT("close 1000 with reason", 64, W_CLOSE(1000, "bye"));

	s_reset();
	s_text(FIN | WS_OP_CLOSE, "");
	EXPECT("close without payload", 64, W_CLOSE(1005, ""));

	s_reset();
	s_text(FIN | WS_OP_CLOSE, "x");
	EXPECT("close with 1-byte payload", 64, W_ERR(1002));

	s_reset();
	s_text(WS_OP_TEXT, "par");
	s_close(1001, "", 0);
	EXPECT("close inside a fragmented message", 64, W_CLOSE(1001, ""));

	s_reset();
	s_close(4999, "\xe2\x82\xac", 3);
	EXPECT("close with UTF-8 reason", 64, W_CLOSE(4999, "\xe2\x82\xac"));

	char r123[124];
	memset(r123, 'r', 123);
	s_reset();
	s_close(1000, r123, 123);
	struct want w = {WS_EV_CLOSE, 1000, r123, 123};
	expect("close with 123-byte reason", 64, &w, 1);

	static const unsigned bad[] = {0, 999, 1004, 1005, 1006, 1012, 1015, 2999, 5000, 65535};
	for (size_t i = 0; i < LEN(bad); i++) {
		s_reset();
		s_close(bad[i], "", 0);
		EXPECT("invalid close code", 64, W_ERR(1002));
	}
	static const unsigned good[] = {1000, 1001, 1002, 1003, 1007, 1008,
	                                1009, 1010, 1011, 3000, 4999};
	for (size_t i = 0; i < LEN(good); i++) {
		s_reset();
		s_close(good[i], "ok", 2);
		struct want wg = {WS_EV_CLOSE, (uint16_t)good[i], "ok", 2};
		expect("valid close code", 64, &wg, 1);
	}

	s_reset();
	s_close(1000, "\xc3\x28", 2);
	EXPECT("close reason invalid UTF-8", 64, W_ERR(1007));
	s_reset();
	s_close(1000, "ab\xe2\x82", 4);
	EXPECT("close reason truncated UTF-8", 64, W_ERR(1007));
}

static void test_rx_utf8(void)
{
	s_reset();
	s_frame(WS_OP_TEXT, "a\xf0\x9f", 3);
	s_frame(FIN | WS_OP_CONT, "\x98\x80z", 3);
	EXPECT("4-byte sequence split 2/2", 64, W_TEXT("a\xf0\x9f\x98\x80z"));

	s_reset();
	s_frame(WS_OP_TEXT, "\xf0", 1);
	s_frame(WS_OP_CONT, "\x9f", 1);
	s_text(FIN | WS_OP_PING, "");
	s_frame(WS_OP_CONT, "\x98", 1);
	s_frame(FIN | WS_OP_CONT, "\x80", 1);
	EXPECT("4-byte sequence split 1/1/1/1 around a ping", 64, W_PING(""),
	       W_TEXT("\xf0\x9f\x98\x80"));

	s_reset();
	s_frame(WS_OP_TEXT, "a\xf0\x9f", 3);
	s_frame(FIN | WS_OP_CONT, "\x41\x80", 2);
	EXPECT("invalid sequence split across fragments", 64, W_ERR(1007));

	s_reset();
	s_frame(WS_OP_TEXT, "ok\xf4", 3);
	s_frame(FIN | WS_OP_CONT, "\x90\x80\x80", 3);
	EXPECT("> U+10FFFF split across fragments", 64, W_ERR(1007));

	s_reset();
	s_frame(WS_OP_TEXT, "ok\xe2\x82", 4);
	s_frame(FIN | WS_OP_CONT, "", 0);
	EXPECT("truncated sequence at FIN (empty last fragment)", 64, W_ERR(1007));

	s_reset();
	s_frame(FIN | WS_OP_TEXT, "ok\xe2\x82", 4);
	EXPECT("truncated sequence at FIN", 64, W_ERR(1007));

	s_reset();
	s_frame(FIN | WS_OP_TEXT, "\xc0\xaf", 2);
	EXPECT("overlong", 64, W_ERR(1007));

	s_reset();
	s_frame(FIN | WS_OP_TEXT, "\xed\xa0\x80", 3);
	EXPECT("surrogate", 64, W_ERR(1007));

	s_reset();
	s_frame(FIN | WS_OP_TEXT, "\xf4\x90\x80\x80", 4);
	EXPECT("> U+10FFFF", 64, W_ERR(1007));

	/* Fail fast: the frame claims 100 bytes, only 3 arrive, the 2nd is bad. */
	s_reset();
	s_header(FIN | WS_OP_TEXT, 100);
	uint8_t p[3] = {'a' ^ 1, 0xFF ^ 2, 'c' ^ 3}; /* s_header's key is 01 02 03 04 */
	s_raw(p, 3);
	EXPECT("invalid UTF-8 mid-frame, before the frame ends", 128, W_ERR(1007));

	s_reset();
	s_text(WS_OP_TEXT, "abc");
	s_frame(WS_OP_CONT, "\xc3\xa9", 2);
	s_text(FIN | WS_OP_CONT, "");
	s_frame(FIN | WS_OP_TEXT, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 11);
	EXPECT("valid multi-byte text, twice (state reset per message)", 64, W_TEXT("abc\xc3\xa9"),
	       W_TEXT("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"));
}

static void test_rx_api(void)
{
	/* One event per call; the caller resumes with the rest. */
	uint8_t msg[16];
	struct ws_rx rx;
	struct ws_event ev;
	s_reset();
	s_text(FIN | WS_OP_PING, "a");
	s_text(FIN | WS_OP_TEXT, "b");
	size_t first = st.n - 7;
	ws_rx_init(&rx, msg, sizeof msg);
	CHECK_EQ_LL(ws_rx_feed(&rx, st.b, st.n, &ev), first);
	CHECK(ev.type == WS_EV_PING && ev.len == 1 && ev.data[0] == 'a');
	CHECK_EQ_LL(ws_rx_feed(&rx, st.b + first, st.n - first, &ev), st.n - first);
	CHECK(ev.type == WS_EV_TEXT && ev.len == 1 && ev.data == msg && msg[0] == 'b');
	CHECK_EQ_LL(ws_rx_feed(&rx, st.b, 0, &ev), 0);
	CHECK(ev.type == WS_EV_NONE && ev.data == NULL && ev.why == NULL);
	/* An error names itself. */
	s_reset();
	s_text(FIN | WS_OP_BINARY, "b");
	ws_rx_init(&rx, msg, sizeof msg);
	ws_rx_feed(&rx, st.b, st.n, &ev);
	CHECK(ev.type == WS_EV_ERROR && ev.code == 1003 && ev.why &&
	      strcmp(ev.why, "binary messages are not supported") == 0);
	CHECK(ws_rx_feed(&rx, st.b, st.n, &ev) == st.n && ev.type == WS_EV_NONE);
}

/* ---- handshake ----------------------------------------------------------------- */

static void test_base64(void)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const enc[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
	                                  "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (size_t i = 0; i < LEN(plain); i++) {
		char out[16];
		uint8_t back[16];
		size_t n = ws_base64_encode((const uint8_t *)plain[i], strlen(plain[i]), out);
		CHECKF(n == strlen(enc[i]) && memcmp(out, enc[i], n) == 0, "encode %s", plain[i]);
		CHECK_EQ_LL(ws_base64_encode(NULL, strlen(plain[i]), NULL), strlen(enc[i]));
		int d = ws_base64_decode(enc[i], n, back, sizeof back);
		CHECKF(d == (int)strlen(plain[i]) && memcmp(back, plain[i], (size_t)d) == 0,
		       "decode %s", enc[i]);
	}
	uint8_t o[8];
	CHECK(ws_base64_decode("Zm9vYmFy", 8, o, 5) == -1);    /* cap too small */
	CHECK(ws_base64_decode("Zh==", 4, o, sizeof o) == -1); /* unused bits set */
	CHECK(ws_base64_decode("Zm9=", 4, o, sizeof o) == -1);
	CHECK(ws_base64_decode("Zg=a", 4, o, sizeof o) == -1);
	CHECK(ws_base64_decode("Zg==Zg==", 8, o, sizeof o) == -1); /* padding inside */
	CHECK(ws_base64_decode("Zg", 2, o, sizeof o) == -1);
	/* All 256 byte values round-trip. */
	uint8_t all[256], back[256];
	char e[344];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	for (size_t n = 0; n <= 256; n += 85) {
		size_t k = ws_base64_encode(all + (256 - n), n, e);
		CHECK(ws_base64_decode(e, k, back, sizeof back) == (int)n &&
		      memcmp(back, all + (256 - n), n) == 0);
	}
}

static void test_handshake(void)
{
	static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
	char out[29];
	struct guard g;
	const char *gk = guard_copy(&g, key, 24);
	memset(out, 'x', sizeof out);
	CHECK(ws_handshake_accept(gk, 24, out) == 0);
	CHECK(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
	guard_release(&g);

	static const char *const bad[] = {
	    "",
	    "dGhlIHNhbXBsZSBub25jZQ=",     /* 23 chars */
	    "dGhlIHNhbXBsZSBub25jZQ===",   /* 25 chars */
	    "dGhlIHNhbXBsZSBub25j",        /* 20 chars: 15 bytes */
	    "dGhlIHNhbXBsZSBub25jZQA=",    /* 17 bytes */
	    "dGhlIHNhbXBsZSBub25jZQAA",    /* 18 bytes */
	    "dGhlIHNhbXBsZSBub25jZR==",    /* unused bits set */
	    "dGhlIHNhbXBsZSBub25jZ===",    /* too much padding */
	    "dGhlIHNhbXBsZSBub25jZQ-_",    /* base64url */
	    "dGhlIHNhbXBsZSBub25j-Q==",    /* base64url character */
	    "dGhlIHNhbXBsZSBub25jZ Q=",    /* space */
	    "dGhlIHNhbX=sZSBub25jZQ==",    /* '=' inside */
	    "dGhlIHNhbXBsZSBub25jZQ\x80=", /* high byte */
	    " dGhlIHNhbXBsZSBub25jZQ==",   /* untrimmed */
	    "========================",
	};
	for (size_t i = 0; i < LEN(bad); i++) {
		size_t n = strlen(bad[i]);
		const char *b = guard_copy(&g, bad[i], n);
		memset(out, 'x', sizeof out);
		CHECKF(ws_handshake_accept(b, n, out) == -1 && out[0] == 'x', "bad key %s", bad[i]);
		guard_release(&g);
	}
	/* A NUL inside: the length decides, not the terminator. */
	CHECK(ws_handshake_accept("dGhlIHNhbXBsZSBub25jZQ\0=", 24, out) == -1);
	CHECK(ws_handshake_accept(key, 24, out) == 0);
}

int main(void)
{
	test_utf8_table();
	test_utf8_states();
	test_utf8_exhaustive();
	test_frame_parse_table();
	test_frame_opcodes();
	test_frame_write();
	test_mask();
	test_close_codes();
	test_rx_text();
	test_rx_limits();
	test_rx_protocol();
	test_rx_close();
	test_rx_utf8();
	test_rx_api();
	test_base64();
	test_handshake();
	return check_exit("test_ws");
}
