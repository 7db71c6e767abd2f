/* test_names.c — NFC normalization and validation of names (SPEC §3).
 *
 * Every case, from the tables and from the generated families (each
 * control and bidi character, lengths at each limit with multibyte
 * characters straddling it, names that NFC makes longer or shorter), is run
 * from a guard-page copy of its input, into a large buffer, into NULL (the
 * length-only query), into a guard-page buffer of exactly the size needed
 * and one of one byte less; errors must leave "" in dst and never turn into
 * NAMES_ERR_SPACE. Then every code point of Unicode in a name (against
 * utf8proc_map, the allocating NFC, and an independent list of forbidden
 * characters), and the two bounds names.h rests on: no code point
 * decomposes into more than 4, and no NFC form is shorter than
 * 1 / NAMES_INPUT_FACTOR of its longest canonically equivalent spelling. */
#include "core/names.h"
#include "tests/unit/check.h"
#include "tests/unit/guard.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define KIND_PATH 99 /* test-only: names_normalize_path() */
#define BIG       (4 * NAMES_INPUT_FACTOR * NAMES_PATH_MAX + 64)

static char big_in[BIG], big_out[BIG], want_out[BIG];

static int call(int kind, const char *src, size_t n, char *dst, size_t cap)
{
	if (kind == KIND_PATH)
		return names_normalize_path(src, n, dst, cap);
	return names_normalize((enum names_kind)kind, src, n, dst, cap);
}

/* n writable bytes ending at a guard page (n may be 0). */
static char *guard_buf(struct guard *g, size_t n)
{
	char *zero = calloc(1, n + 1);
	char *buf = guard_copy(g, zero, n);
	free(zero);
	return buf;
}

/* One case in every mode. want: the NFC length or an error; out: the NFC
 * form (NUL-terminated; out NULL: the input itself). */
static void run(const char *label, int kind, const char *in, size_t n, int want, const char *out)
{
	struct guard gs, gd;
	const char *src = guard_copy(&gs, in, n);
	char *dst;
	int r;

	if (out == NULL)
		out = in;
	memset(big_out, 'X', sizeof big_out);
	r = call(kind, src, n, big_out, sizeof big_out);
	CHECKF(r == want, "%s: got %d (%s), want %d", label, r, names_strerror(r), want);
	if (want >= 0 && r == want)
		CHECKF(memcmp(big_out, out, (size_t)want) == 0 && big_out[want] == '\0',
		       "%s: wrong NFC bytes", label);
	if (want < 0)
		CHECKF(big_out[0] == '\0', "%s: dst not emptied on error", label);

	r = call(kind, src, n, NULL, 0);
	CHECKF(r == want, "%s: length only: got %d, want %d", label, r, want);

	if (want >= 0) {
		dst = guard_buf(&gd, (size_t)want + 1);
		r = call(kind, src, n, dst, (size_t)want + 1);
		CHECKF(r == want && memcmp(dst, out, (size_t)want + 1) == 0,
		       "%s: exact capacity: got %d", label, r);
		guard_release(&gd);

		dst = guard_buf(&gd, (size_t)want);
		r = call(kind, src, n, dst, (size_t)want);
		CHECKF(r == NAMES_ERR_SPACE && (want == 0 || dst[0] == '\0'),
		       "%s: capacity one short: got %d", label, r);
		guard_release(&gd);
	} else {
		/* A small dst does not hide the real error behind ERR_SPACE. */
		dst = guard_buf(&gd, 1);
		r = call(kind, src, n, dst, 1);
		CHECKF(r == want && dst[0] == '\0', "%s: 1-byte dst: got %d", label, r);
		guard_release(&gd);
		dst = guard_buf(&gd, 0);
		r = call(kind, src, n, dst, 0);
		CHECKF(r == want, "%s: 0-byte dst: got %d", label, r);
		guard_release(&gd);
	}
	guard_release(&gs);
}

struct tcase {
	int kind;
	const char *in;
	size_t n;
	int want;
	const char *out; /* NULL: same as in */
};

/* clang-format off */
#define F(s, w, o)   {NAMES_FILE, s, sizeof(s) - 1, w, o}
#define D(s, w, o)   {NAMES_DEVICE, s, sizeof(s) - 1, w, o}
#define P(s, w, o)   {KIND_PATH, s, sizeof(s) - 1, w, o}
#define FOK(s)       F(s, (int)sizeof(s) - 1, NULL)
#define POK(s)       P(s, (int)sizeof(s) - 1, NULL)
#define UTF8         NAMES_ERR_UTF8
#define EMPTY        NAMES_ERR_EMPTY
#define DOT          NAMES_ERR_DOT
#define CHAR         NAMES_ERR_CHAR
#define LONG         NAMES_ERR_LONG
/* clang-format on */

static const struct tcase cases[] = {
    /* NFD in, NFC out */
    F(u8"e\u0301", 2, u8"\u00e9"),
    F(u8"A\u030A", 2, u8"\u00c5"),
    F(u8"\u212B", 2, u8"\u00c5"),             /* ANGSTROM SIGN, a singleton */
    F(u8"\u2126", 2, u8"\u03a9"),             /* OHM SIGN */
    F(u8"\u212A", 1, "K"),                    /* KELVIN SIGN */
    F(u8"\u1100\u1161\u11A8", 3, u8"\uac01"), /* Hangul jamo L V T */
    F(u8"\u1112\u1161\u11AB\u1100\u1173\u11AF", 6, u8"\ud55c\uae00"),
    F(u8"\uAC00\u11A8", 3, u8"\uac01"),         /* LV syllable + T */
    F(u8"a\u0323\u0302", 3, u8"\u1ead"),        /* marks in canonical order */
    F(u8"a\u0302\u0323", 3, u8"\u1ead"),        /* and not */
    F(u8"q\u0307\u0323", 5, u8"q\u0323\u0307"), /* reordered, nothing to compose */
    F(u8"\u03b1\u0313\u0300\u0345", 3, u8"\u1f82"),
    F(u8"\u1FBE\u0308\u0301", 2, u8"\u0390"), /* 7 bytes become 2 */
    F(u8"\u0CC6\u0CC2\u0CD5", 3, u8"\u0ccb"),
    F(u8"Cafe\u0301 A\u030Angstro\u0308m.txt", 20, u8"Caf\u00e9 \u00c5ngstr\u00f6m.txt"),
    /* NFC longer than the input */
    F(u8"\u0344", 4, u8"\u0308\u0301"),
    F(u8"\U0001D160", 12, u8"\U0001D158\U0001D165\U0001D16E"),
    F(u8"\uFB2C", 6, u8"\u05e9\u05bc\u05c1"),
    /* already NFC: unchanged */
    FOK(u8"r\u00e9sum\u00e9.pdf"),
    FOK(u8"\u65e5\u672c\u8a9e.txt"),
    FOK(u8"\U0001F600 smile"),
    FOK("a"),
    FOK(" "),
    FOK(" .."),
    FOK(".. "),
    FOK("..."),
    FOK(".a"),
    FOK(".hidden"),
    FOK("a.b"),
    FOK("~$#%&*:;<>?|\"'"),
    /* allowed neighbours of what is refused */
    FOK(u8"a\u00a0b"), /* NBSP, Zs */
    FOK(u8"a\u200eb"), /* LRM: a mark, not an override */
    FOK(u8"a\u200fb"), /* RLM */
    FOK(u8"a\u061cb"), /* ALM */
    FOK(u8"a\u200bb"), /* ZWSP, Cf */
    FOK(u8"a\u2028b"), /* LINE SEPARATOR is Zl, not Cc */
    FOK(u8"a\u2029b"),
    FOK(u8"a\u2065b"), /* unassigned, between the two bidi ranges */
    FOK(u8"a\u206ab"),
    FOK(u8"a\u2029b\u2060"),
    FOK(u8"a\u202fb"), /* NNBSP, just after the overrides */
    FOK(u8"\ufeff"),   /* BOM / ZWNBSP */
    FOK(u8"\uffff"),   /* noncharacters are valid UTF-8 */
    FOK(u8"\U0010FFFF"),
    FOK(u8"\ue000"), /* private use */
    FOK(u8"\u2215"), /* DIVISION SLASH: only NFKC would make it '/' */
    FOK(u8"\uff3c"), /* FULLWIDTH REVERSE SOLIDUS, likewise */
    /* refused */
    F("", EMPTY, NULL),
    F(".", DOT, NULL),
    F("..", DOT, NULL),
    F("/", CHAR, NULL),
    F("\\", CHAR, NULL),
    F("a/b", CHAR, NULL),
    F("a\\b", CHAR, NULL),
    F("\0", CHAR, NULL),
    F("a\0", CHAR, NULL),
    F("a\0b", CHAR, NULL),
    F("\t", CHAR, NULL),
    F("a\n", CHAR, NULL),
    F(u8"e\u0301\u202e", CHAR, NULL),
    /* invalid UTF-8 */
    F("\x80", UTF8, NULL),
    F("a\xbf", UTF8, NULL),
    F("\xc0\xaf", UTF8, NULL), /* overlong '/' */
    F("\xc1\xbf", UTF8, NULL),
    F("\xe0\x80\xaf", UTF8, NULL),
    F("\xe0\x9f\xbf", UTF8, NULL),
    F("\xf0\x80\x80\xaf", UTF8, NULL),
    F("\xf0\x8f\xbf\xbf", UTF8, NULL),
    F("\xed\xa0\x80", UTF8, NULL),             /* U+D800 */
    F("\xed\xbf\xbf", UTF8, NULL),             /* U+DFFF */
    F("\xed\xa0\xbd\xed\xb8\x80", UTF8, NULL), /* CESU-8 pair */
    F("\xf4\x90\x80\x80", UTF8, NULL),         /* U+110000 */
    F("\xf5\x80\x80\x80", UTF8, NULL),
    F("\xf8\x88\x80\x80\x80", UTF8, NULL),
    F("\xfe", UTF8, NULL),
    F("\xff", UTF8, NULL),
    F("\xc3", UTF8, NULL), /* truncated, at the guard page */
    F("a\xe2\x82", UTF8, NULL),
    F("\xf0\x9f\x98", UTF8, NULL),
    F("\xc3(", UTF8, NULL),
    F("\xe2\x28\xa1", UTF8, NULL),
    /* device names: the same rules */
    D(u8"Ana's phone", 11, NULL),
    D(u8"Jose\u0301", 5, u8"Jos\u00e9"),
    D("", EMPTY, NULL),
    D(".", DOT, NULL),
    D("..", DOT, NULL),
    D("a/b", CHAR, NULL),
    D(u8"\u2066x", CHAR, NULL),
    D("\xc3", UTF8, NULL),
    /* paths */
    P("", 0, ""),
    POK("a"),
    POK("a/b/c"),
    POK(" ../. /..."),
    POK(u8"\u00e9/\u00c5"),
    P(u8"e\u0301/A\u030A/\u1100\u1161", 9, u8"\u00e9/\u00c5/\uac00"),
    P("/", EMPTY, NULL),
    P("/a", EMPTY, NULL),
    P("a/", EMPTY, NULL),
    P("a//b", EMPTY, NULL),
    P("a/b/", EMPTY, NULL),
    P("//", EMPTY, NULL),
    P(".", DOT, NULL),
    P("..", DOT, NULL),
    P("./a", DOT, NULL),
    P("a/.", DOT, NULL),
    P("a/./b", DOT, NULL),
    P("a/../b", DOT, NULL),
    P("a\\b", CHAR, NULL),
    P("a/b\0", CHAR, NULL),
    P("a/\0/b", CHAR, NULL),
    P(u8"a/b\u202a", CHAR, NULL),
    P("a/\xc3", UTF8, NULL),
    P("a\xc3/b", UTF8, NULL),  /* the '/' ends the sequence early */
    P("\xc0\xaf", UTF8, NULL), /* an overlong '/' is no separator */
    P("a/\xe0\x80\xaf", UTF8, NULL),
};

static void test_table(void)
{
	char label[128];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tcase *c = &cases[i];
		int k = snprintf(label, sizeof label, "case %zu \"", i);
		for (size_t j = 0; j < c->n && k < 100; j++) {
			unsigned char b = (unsigned char)c->in[j];
			k += snprintf(label + k, sizeof label - (size_t)k,
			              b >= 0x20 && b < 0x7F ? "%c" : "\\x%02x", b);
		}
		snprintf(label + k, sizeof label - (size_t)k, "\"");
		run(label, c->kind, c->in, c->n, c->want, c->out);
	}
}

/* UTF-8 of c at p; returns the length. */
static size_t put_cp(char *p, int32_t c)
{
	return (size_t)utf8proc_encode_char(c, (utf8proc_uint8_t *)p);
}

/* Each Cc and each bidi override or isolate: alone, inside a name, inside a
 * path component, in NFD company. Neighbours pass. */
static void test_forbidden(void)
{
	static const int32_t bidi[] = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
	                               0x2066, 0x2067, 0x2068, 0x2069};
	int32_t bad[32 + 1 + 32 + 9];
	size_t nbad = 0;
	char label[64], s[32];
	size_t n;

	for (int32_t c = 0; c <= 0x1F; c++)
		bad[nbad++] = c;
	bad[nbad++] = 0x7F;
	for (int32_t c = 0x80; c <= 0x9F; c++)
		bad[nbad++] = c;
	for (size_t i = 0; i < sizeof bidi / sizeof bidi[0]; i++)
		bad[nbad++] = bidi[i];
	CHECK_EQ_LL(nbad, sizeof bad / sizeof bad[0]);

	for (size_t i = 0; i < nbad; i++) {
		int32_t c = bad[i];
		snprintf(label, sizeof label, "U+%04X alone", (unsigned)c);
		n = put_cp(s, c);
		run(label, NAMES_FILE, s, n, NAMES_ERR_CHAR, NULL);
		run(label, NAMES_DEVICE, s, n, NAMES_ERR_CHAR, NULL);
		snprintf(label, sizeof label, "U+%04X inside", (unsigned)c);
		n = 0;
		n += put_cp(s + n, 'e');
		n += put_cp(s + n, 0x301);
		n += put_cp(s + n, c);
		n += put_cp(s + n, 'z');
		run(label, NAMES_FILE, s, n, NAMES_ERR_CHAR, NULL);
		snprintf(label, sizeof label, "U+%04X in a path", (unsigned)c);
		memcpy(s, "ab/", 3);
		n = 3 + put_cp(s + 3, c);
		memcpy(s + n, "/cd", 3);
		run(label, KIND_PATH, s, n + 3, NAMES_ERR_CHAR, NULL);
	}
	/* Just outside the ranges. */
	static const int32_t good[] = {0x20, 0x7E, 0xA0, 0x2029, 0x202F, 0x2065, 0x206A};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(label, sizeof label, "U+%04X allowed", (unsigned)good[i]);
		n = put_cp(s, 'x');
		n += put_cp(s + n, good[i]);
		s[n] = '\0';
		run(label, NAMES_FILE, s, n, (int)n, NULL);
	}
}

/* count copies of piece, then tail: into big_in; returns the length. */
static size_t build(const char *piece, size_t count, const char *tail)
{
	size_t n = 0, p = strlen(piece), t = strlen(tail);
	for (size_t i = 0; i < count; i++, n += p)
		memcpy(big_in + n, piece, p);
	memcpy(big_in + n, tail, t + 1);
	return n + t;
}

/* The same for the expected NFC form, into want_out. */
static const char *build_want(const char *piece, size_t count, const char *tail)
{
	size_t n = 0, p = strlen(piece);
	for (size_t i = 0; i < count; i++, n += p)
		memcpy(want_out + n, piece, p);
	strcpy(want_out + n, tail);
	return want_out;
}

struct lcase {
	const char *label;
	int kind;
	const char *piece; /* input: count x piece + tail */
	size_t count;
	const char *tail;
	const char *nfc_piece; /* NFC: count x nfc_piece + nfc_tail; NULL: same as input */
	const char *nfc_tail;
	int want; /* length, or error */
};

static const struct lcase lcases[] = {
    {"255 ASCII", NAMES_FILE, "a", 255, "", NULL, NULL, 255},
    {"256 ASCII", NAMES_FILE, "a", 256, "", NULL, NULL, LONG},
    {"127 x 2-byte + 1", NAMES_FILE, u8"\u00e9", 127, "a", NULL, NULL, 255},
    {"128 x 2-byte", NAMES_FILE, u8"\u00e9", 128, "", NULL, NULL, LONG},
    {"127 x 2-byte + 2-byte straddling", NAMES_FILE, u8"\u00e9", 127, u8"\u00e9", NULL, NULL, LONG},
    {"85 x 3-byte", NAMES_FILE, u8"\u20ac", 85, "", NULL, NULL, 255},
    {"84 x 3-byte + a + 3-byte straddling", NAMES_FILE, u8"\u20ac", 84, u8"a\u20ac", NULL, NULL,
     LONG},
    {"84 x 3-byte + 2-byte", NAMES_FILE, u8"\u20ac", 84, u8"\u00e9a", NULL, NULL, 255},
    {"63 x 4-byte + 3", NAMES_FILE, u8"\U0001F600", 63, "abc", NULL, NULL, 255},
    {"63 x 4-byte + 4-byte straddling", NAMES_FILE, u8"\U0001F600", 63, u8"a\U0001F600", NULL, NULL,
     LONG},
    {"64 x 4-byte", NAMES_FILE, u8"\U0001F600", 64, "", NULL, NULL, LONG},
    /* NFD in: the limit is on the NFC form */
    {"127 x NFD e-acute + a", NAMES_FILE, u8"e\u0301", 127, "a", u8"\u00e9", "a", 255},
    {"128 x NFD e-acute", NAMES_FILE, u8"e\u0301", 128, "", u8"\u00e9", "", LONG},
    {"85 x Hangul LVT jamo", NAMES_FILE, u8"\u1100\u1161\u11A8", 85, "", u8"\uac01", "", 255},
    {"86 x Hangul LVT jamo", NAMES_FILE, u8"\u1100\u1161\u11A8", 86, "", u8"\uac01", "", LONG},
    /* too long before NFC, fits after */
    {"255 x KELVIN (765 bytes)", NAMES_FILE, u8"\u212A", 255, "", "K", "", 255},
    {"256 x KELVIN", NAMES_FILE, u8"\u212A", 256, "", "K", "", LONG},
    {"127 x 7-byte iota (890 bytes > 3x)", NAMES_FILE, u8"\u1FBE\u0308\u0301", 127, "a", u8"\u0390",
     "a", 255},
    {"340 x KELVIN (1020 bytes, the input bound)", NAMES_FILE, u8"\u212A", 340, "", "K", "", LONG},
    {"1021 bytes: over the input bound", NAMES_FILE, u8"\u212A", 340, "a", "K", "a", LONG},
    {"1021 ASCII", NAMES_FILE, "a", 1021, "", NULL, NULL, LONG},
    {"4096 ASCII", NAMES_FILE, "a", 4096, "", NULL, NULL, LONG},
    /* fits before NFC, too long after */
    {"63 x U+0344 (126 -> 252)", NAMES_FILE, u8"\u0344", 63, "", u8"\u0308\u0301", "", 252},
    {"64 x U+0344 (128 -> 256)", NAMES_FILE, u8"\u0344", 64, "", u8"\u0308\u0301", "", LONG},
    {"21 x U+1D160 (84 -> 252)", NAMES_FILE, u8"\U0001D160", 21, "",
     u8"\U0001D158\U0001D165\U0001D16E", "", 252},
    {"22 x U+1D160 (88 -> 264)", NAMES_FILE, u8"\U0001D160", 22, "",
     u8"\U0001D158\U0001D165\U0001D16E", "", LONG},
    {"85 x U+1D160 (340 bytes in)", NAMES_FILE, u8"\U0001D160", 85, "",
     u8"\U0001D158\U0001D165\U0001D16E", "", LONG},
    /* more code points in NFD than the scratch holds: 2 bytes become 3 */
    {"340 x U+01D5 (680 bytes, 1020 in NFD)", NAMES_FILE, u8"\u01D5", 340, "", NULL, NULL, LONG},
    {"341 x U+01D5 (682 bytes, 1023 in NFD)", NAMES_FILE, u8"\u01D5", 341, "", NULL, NULL, LONG},
    {"510 x U+01D5 (1020 bytes, 1530 in NFD)", NAMES_FILE, u8"\u01D5", 510, "", NULL, NULL, LONG},
    {"127 x U+01D5 + a (255 bytes, 381 in NFD)", NAMES_FILE, u8"\u01D5", 127, "a", NULL, NULL, 255},
    /* a long run of marks: canonical ordering stays bounded */
    {"a + 254 marks", NAMES_FILE, u8"\u0301\u0323", 127, "", u8"\u0323\u0301", "", LONG},
    {"a + 510 marks", NAMES_FILE, u8"\u0323\u0301", 255, "", NULL, NULL, LONG},
    /* device names */
    {"64 ASCII device", NAMES_DEVICE, "a", 64, "", NULL, NULL, 64},
    {"65 ASCII device", NAMES_DEVICE, "a", 65, "", NULL, NULL, LONG},
    {"21 x 3-byte + 1 device", NAMES_DEVICE, u8"\u20ac", 21, "a", NULL, NULL, 64},
    {"21 x 3-byte + 2-byte device", NAMES_DEVICE, u8"\u20ac", 21, u8"\u00e9", NULL, NULL, LONG},
    {"16 x 4-byte device", NAMES_DEVICE, u8"\U0001F600", 16, "", NULL, NULL, 64},
    {"15 x 4-byte + a + 4-byte device", NAMES_DEVICE, u8"\U0001F600", 15, u8"a\U0001F600", NULL,
     NULL, LONG},
    {"32 x NFD device (96 bytes in)", NAMES_DEVICE, u8"e\u0301", 32, "", u8"\u00e9", "", 64},
    {"64 x KELVIN device (192 bytes in)", NAMES_DEVICE, u8"\u212A", 64, "", "K", "", 64},
    {"65 x KELVIN device", NAMES_DEVICE, u8"\u212A", 65, "", "K", "", LONG},
    {"255 ASCII device", NAMES_DEVICE, "a", 255, "", NULL, NULL, LONG},
};

static void test_lengths(void)
{
	for (size_t i = 0; i < sizeof lcases / sizeof lcases[0]; i++) {
		const struct lcase *c = &lcases[i];
		size_t n = build(c->piece, c->count, c->tail);
		const char *out = NULL;
		if (c->nfc_piece != NULL)
			out = build_want(c->nfc_piece, c->count, c->nfc_tail);
		run(c->label, c->kind, big_in, n, c->want, out);
		/* A file name is also a one-component path. */
		if (c->kind == NAMES_FILE)
			run(c->label, KIND_PATH, big_in, n, c->want, out);
	}
}

/* A path of k components of the given lengths, joined by '/', into big_in:
 * component i is lens[i] copies of piece, or of the letter 'a' + i. */
static size_t build_path(const size_t *lens, size_t k, const char *piece)
{
	size_t n = 0;
	for (size_t i = 0; i < k; i++) {
		char letter[2] = {(char)('a' + i), '\0'};
		const char *p = piece != NULL ? piece : letter;
		size_t plen = strlen(p);
		if (i > 0)
			big_in[n++] = '/';
		for (size_t j = 0; j < lens[i]; j++, n += plen)
			memcpy(big_in + n, p, plen);
	}
	big_in[n] = '\0';
	return n;
}

static void test_path_lengths(void)
{
	static const size_t l1024[] = {255, 255, 255, 254, 1};  /* + 4 '/' = 1024 */
	static const size_t l1025[] = {255, 255, 255, 255, 1};  /* 1025 */
	static const size_t l1023[] = {255, 255, 255, 255};     /* 1023 */
	static const size_t l1023b[] = {255, 255, 255, 253, 1}; /* 1023 */
	static const size_t lcomp[] = {10, 256, 10};            /* one component too long */
	static const size_t lmany[] = {1, 1, 1, 1, 1, 1, 1, 1};
	static const size_t ljamo[] = {85, 85, 85, 85};
	size_t n;

	n = build_path(l1024, 5, NULL);
	run("path 1024", KIND_PATH, big_in, n, 1024, NULL);
	memcpy(big_in + n - 1, u8"\u00e9", 3); /* the last 1-byte component becomes 2 */
	run("path 1025, a 2-byte character straddling", KIND_PATH, big_in, n + 1, LONG, NULL);
	n = build_path(l1025, 5, NULL);
	run("path 1025", KIND_PATH, big_in, n, LONG, NULL);
	n = build_path(l1023, 4, NULL);
	run("path 1023", KIND_PATH, big_in, n, 1023, NULL);
	n = build_path(l1023b, 5, NULL);
	run("path 1023 ending in a 1-byte component", KIND_PATH, big_in, n, 1023, NULL);
	memcpy(big_in + n - 1, u8"\u00e9", 3);
	run("path 1024 ending in a 2-byte character", KIND_PATH, big_in, n + 1, 1024, NULL);
	n = build_path(lcomp, 3, NULL);
	run("path with a 256-byte component", KIND_PATH, big_in, n, LONG, NULL);
	n = build_path(lmany, 8, NULL);
	run("path a/b/c/d/e/f/g/h", KIND_PATH, big_in, n, (int)n, NULL);

	/* NFD components: 3063 bytes in, 1023 out; one more "/a" makes 1025. */
	n = build_path(ljamo, 4, u8"\u1100\u1161\u11A8");
	CHECK_EQ_LL(n, 4 * 85 * 9 + 3);
	build_want(u8"\uac01", 85, "/");
	for (int i = 1; i < 4; i++)
		memcpy(want_out + i * 256, want_out, 256);
	want_out[1023] = '\0';
	run("path of 4 x 85 Hangul jamo", KIND_PATH, big_in, n, 1023, want_out);
	memcpy(big_in + n, "/a", 3);
	run("path of 4 x 85 Hangul jamo + /a", KIND_PATH, big_in, n + 2, LONG, NULL);

	/* The input bound is 4 x 1024 bytes. */
	n = build(u8"\u212A/", 1023, "K"); /* 4093 bytes in, 2047 out */
	run("path of 4093 bytes, 2047 in NFC", KIND_PATH, big_in, n, LONG, NULL);
	n = build("a/", 2048, "a"); /* 4097 bytes */
	run("path of 4097 bytes", KIND_PATH, big_in, n, LONG, NULL);
	n = build(u8"\u212A\u212A\u212A/", 255, "K"); /* 2551 bytes in, 1021 out */
	run("path of KELVINs", KIND_PATH, big_in, n, 1021, build_want("KKK/", 255, "K"));
}

static int forbidden(int32_t c)
{
	return c <= 0x1F || (c >= 0x7F && c <= 0x9F) || c == '/' || c == '\\' ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* "x" + c for every scalar value c, against utf8proc_map's NFC and the
 * forbidden list above; and c followed by U+0301. */
static void test_every_code_point(void)
{
	long wrong = 0, checked = 0;
	char s[16], out[64];

	for (int32_t c = 0; c <= 0x10FFFF; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		for (int form = 0; form < 2; form++) {
			size_t n = 0;
			if (form == 0)
				n += put_cp(s, 'x');
			n += put_cp(s + n, c);
			if (form == 1)
				n += put_cp(s + n, 0x301);
			int r = names_normalize(NAMES_FILE, s, n, out, sizeof out);
			checked++;
			if (forbidden(c)) {
				if (r != NAMES_ERR_CHAR)
					wrong++;
				continue;
			}
			utf8proc_uint8_t *nfc = NULL;
			utf8proc_ssize_t m =
			    utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &nfc,
			                 UTF8PROC_COMPOSE | UTF8PROC_STABLE);
			if (m < 0 || r != (int)m || memcmp(out, nfc, (size_t)m + 1) != 0) {
				if (wrong < 5)
					fprintf(stderr, "U+%04X form %d: got %d, utf8proc_map %d\n",
					        (unsigned)c, form, r, (int)m);
				wrong++;
			}
			free(nfc);
		}
	}
	CHECK_EQ_LL(checked, 2 * (0x110000 - 0x800));
	CHECK_EQ_LL(wrong, 0);
}

/* The bounds in names.h. (1) No code point decomposes canonically into more
 * than 4 (NAMES_SCRATCH). (2) For every code point X, its decomposition
 * spelled in the longest way (each part by its longest singleton, e.g.
 * U+1FBE for U+03B9) is at most NAMES_INPUT_FACTOR times the NFC bytes
 * (the worst is 3.5: U+1FBE U+0308 U+0301 -> U+0390). */
static void test_bounds(void)
{
	static unsigned char longest[0x110000];
	int maxdecomp = 0;
	long over = 0;
	int32_t d[8];
	int bc = 0;

	for (int32_t c = 0; c <= 0x10FFFF; c++)
		longest[c] = (unsigned char)(c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4);
	for (int32_t c = 0; c <= 0x10FFFF; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		utf8proc_ssize_t k = utf8proc_decompose_char(c, d, 8, UTF8PROC_DECOMPOSE, &bc);
		if (k > maxdecomp)
			maxdecomp = (int)k;
		if (k == 1 && d[0] != c && longest[c] > longest[d[0]])
			longest[d[0]] = longest[c];
	}
	CHECK(maxdecomp <= 4);
	for (int32_t c = 0; c <= 0x10FFFF; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		utf8proc_ssize_t k = utf8proc_decompose_char(c, d, 8, UTF8PROC_DECOMPOSE, &bc);
		size_t in = 0, out = 0;
		char buf[64];
		for (utf8proc_ssize_t i = 0; i < k; i++) {
			in += longest[d[i]];
			out += put_cp(buf + out, d[i]);
		}
		int r = names_normalize(NAMES_FILE, buf, out, NULL, 0);
		if (r > 0 && in > (size_t)NAMES_INPUT_FACTOR * (size_t)r)
			over++;
	}
	CHECK_EQ_LL(over, 0);
}

static void test_strerror(void)
{
	const char *seen[8];
	int k = 0;
	char num[16];
	for (int e = NAMES_OK; e >= NAMES_ERR_SPACE; e--) {
		const char *m = names_strerror(e);
		CHECKF(m != NULL && strlen(m) > 10, "strerror(%d)", e);
		for (int j = 0; j < k; j++)
			CHECKF(strcmp(seen[j], m) != 0, "strerror(%d) not distinct", e);
		seen[k++] = m;
	}
	CHECK(names_strerror(12345) != NULL);
	CHECK(names_strerror(-12345) != NULL);
	const char *longmsg = names_strerror(NAMES_ERR_LONG);
	snprintf(num, sizeof num, " %d ", NAMES_FILE_MAX);
	CHECK(strstr(longmsg, num) != NULL);
	snprintf(num, sizeof num, " %d,", NAMES_PATH_MAX);
	CHECK(strstr(longmsg, num) != NULL);
	snprintf(num, sizeof num, " %d.", NAMES_DEVICE_MAX);
	CHECK(strstr(longmsg, num) != NULL);
}

/* The static scratch holds nothing from one call to the next. */
static void test_no_carry_over(void)
{
	char out[300];
	size_t n = build(u8"\u0301", 500, "");
	CHECK_EQ_LL(names_normalize(NAMES_FILE, big_in, n, out, sizeof out), LONG);
	CHECK_EQ_LL(names_normalize(NAMES_FILE, "ab", 2, out, sizeof out), 2);
	CHECK(strcmp(out, "ab") == 0);
	CHECK_EQ_LL(names_normalize(NAMES_FILE, "..", 2, out, sizeof out), DOT);
	CHECK_EQ_LL(names_normalize(NAMES_FILE, ".", 1, out, sizeof out), DOT);
	CHECK_EQ_LL(names_normalize(NAMES_FILE, ".x", 1, out, sizeof out), DOT);
	CHECK_EQ_LL(names_normalize((enum names_kind)7, "a", 1, out, sizeof out), LONG);
	CHECK_EQ_LL(names_normalize(NAMES_FILE, NULL, 0, out, sizeof out), EMPTY);
	CHECK_EQ_LL(names_normalize_path(NULL, 0, out, sizeof out), 0);
	CHECK(out[0] == '\0');
}

int main(void)
{
	test_table();
	test_forbidden();
	test_lengths();
	test_path_lengths();
	test_no_carry_over();
	test_strerror();
	test_every_code_point();
	test_bounds();
	return check_exit("test_names");
}
