/* test_json.c — the strict tokenizer and the bounded writer.
 *
 * Every table case is parsed whole, fed as growing prefixes (each prefix
 * copied against a guard page, so a read past len crashes) and parsed from a
 * guard-page copy; the three must agree. Then the JSONTestSuite conformance
 * files, the depth and duplicate-key limits, the string and number helpers,
 * and the writer (escaping, commas, overflow at every capacity, misuse,
 * round trips through the tokenizer). */
#include "json/tok.h"
#include "json/write.h"
#include "tests/unit/check.h"
#include "tests/unit/guard.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTOK 65536
#define DEPTH  32

static struct json_tok toks_a[MAXTOK], toks_b[MAXTOK], toks_c[MAXTOK];

static int parse_once(const char *js, size_t len, int final, unsigned depth, struct json_tok *t,
                      unsigned ntoks)
{
	struct json_parser p;
	json_parser_init(&p, depth);
	return json_parse(&p, js, len, final, t, ntoks);
}

/* parse_once() of a guard-page copy of js[0..len). */
static int parse_guarded(const char *js, size_t len, int final, unsigned depth, struct json_tok *t,
                         unsigned ntoks)
{
	struct guard g;
	const char *copy = guard_copy(&g, js, len);
	int r = parse_once(copy, len, final, depth, t, ntoks);
	guard_release(&g);
	return r;
}

/* n writable bytes ending at a guard page. */
static char *guard_buf(struct guard *g, size_t n)
{
	char *zero = calloc(1, n + 1);
	char *buf = guard_copy(g, zero, n);
	free(zero);
	return buf;
}

static int toks_equal(const struct json_tok *a, const struct json_tok *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].type != b[i].type || a[i].start != b[i].start || a[i].end != b[i].end ||
		    a[i].size != b[i].size || a[i].parent != b[i].parent)
			return 0;
	return 1;
}

/* Feeds js one byte more per call, with final == 0, then once with final.
 * Each prefix may only give PART, the whole document's error, or the count
 * of a prefix that is itself a complete document (the whole's count when
 * the whole is accepted); an error once seen stays. When guarded, each
 * prefix is a guard-page copy and must also give what a fresh parse of it
 * gives. Returns the final result; tokens in t. */
static int parse_growing(const char *name, const char *js, size_t len, unsigned depth,
                         struct json_tok *t, unsigned ntoks, int want, int guarded)
{
	struct json_parser p;
	int r, prev = JSON_ERR_PART;

	json_parser_init(&p, depth);
	for (size_t k = 0; k <= len; k++) {
		struct guard g;
		const char *buf = js;
		if (guarded)
			buf = guard_copy(&g, js, k);
		r = json_parse(&p, buf, k, 0, t, ntoks);
		if (guarded)
			guard_release(&g);
		if (prev < 0 && prev != JSON_ERR_PART)
			CHECKF(r == prev, "%s: prefix %zu: error %d not sticky (%d)", name, k, prev,
			       r);
		if (r >= 0) {
			int (*fresh)(const char *, size_t, int, unsigned, struct json_tok *,
			             unsigned) = guarded ? parse_guarded : parse_once;
			CHECKF(fresh(js, k, 1, depth, toks_c, ntoks) == r &&
			           (want < 0 || want == r),
			       "%s: prefix %zu: count %d but not a whole document", name, k, r);
		} else if (r != JSON_ERR_PART) {
			CHECKF(r == want, "%s: prefix %zu: %d, whole gives %d", name, k, r, want);
		}
		if (guarded)
			CHECKF(parse_guarded(js, k, 0, depth, toks_c, ntoks) == r,
			       "%s: prefix %zu: resumed %d differs from fresh", name, k, r);
		prev = r;
	}
	return json_parse(&p, js, len, 1, t, ntoks);
}

struct tcase {
	const char *js;
	size_t len;
	int want; /* token count, or error */
	unsigned depth;
	unsigned ntoks;
};

/* clang-format off */
#define OK(s, n)              {s, sizeof(s) - 1, n, DEPTH, MAXTOK}
#define BAD(s, e)             {s, sizeof(s) - 1, e, DEPTH, MAXTOK}
#define LIM(s, e, depth, tok) {s, sizeof(s) - 1, e, depth, tok}
#define INVAL                 JSON_ERR_INVAL
#define DUP                   JSON_ERR_DUPKEY
/* clang-format on */

static const struct tcase cases[] = {
    /* accepted: scalars at top level, numbers per the grammar */
    OK("0", 1),
    OK("-0", 1),
    OK("7", 1),
    OK("-12", 1),
    OK("1.5", 1),
    OK("-0.0e-0", 1),
    OK("1E+2", 1),
    OK("1e-2", 1),
    OK("0e1", 1),
    OK("123456789012345678901234567890", 1),
    OK("true", 1),
    OK("false", 1),
    OK("null", 1),
    OK(" \t\r\n1 \t\r\n", 1),
    OK("\"\"", 1),
    OK("\"a b\"", 1),
    OK("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 1),
    OK("\"\\u0000\"", 1),
    OK("\"\\u00e9\\uD83D\\uDE00\\uffff\"", 1),
    OK("\"\x7f\"", 1),
    OK("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf\"", 1),
    OK("\"\xc2\x80\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\"", 1),
    /* containers */
    OK("[]", 1),
    OK("{}", 1),
    OK("[ ]", 1),
    OK("{ }", 1),
    OK("[1,2,3]", 4),
    OK("[[[]]]", 3),
    OK("{\"a\":1}", 3),
    OK("{\"\":0}", 3),
    OK(" [ 1 , \"x\" , [ ] , { } ] ", 5),
    OK("{\"a\":[1,{\"b\":null}],\"c\":\"d\"}", 9),
    OK("[true,false,null,-1e5]", 5),
    OK("{\"a\":{\"a\":{\"a\":1}}}", 7),
    OK("[{\"a\":1},{\"a\":1}]", 7),
    OK("{\"ab\":1,\"a\":2,\"a\\u0000\":3}", 7),
    OK("{\"a\":\"a\"}", 3),
    /* limits that pass */
    LIM("1", 1, 0, 1),
    LIM("\"x\"", 1, 0, 1),
    LIM("[1]", 2, 1, 2),
    LIM("{\"a\":[]}", 3, 2, 3),

    /* empty, whitespace, trailing bytes */
    BAD("", INVAL),
    BAD(" \n", INVAL),
    BAD("[1] x", INVAL),
    BAD("1 2", INVAL),
    BAD("[]]", INVAL),
    BAD("{}x", INVAL),
    BAD("[1]\0", INVAL),
    BAD("\xef\xbb\xbf{}", INVAL),
    BAD("\x0c[]", INVAL),
    BAD("[1,\v2]", INVAL),
    BAD("/*c*/1", INVAL),
    BAD("1//", INVAL),
    /* structure */
    BAD("[", INVAL),
    BAD("]", INVAL),
    BAD("{", INVAL),
    BAD("}", INVAL),
    BAD("[1", INVAL),
    BAD("[1,", INVAL),
    BAD("[1,]", INVAL),
    BAD("[,1]", INVAL),
    BAD("[,]", INVAL),
    BAD("[1 2]", INVAL),
    BAD("[}", INVAL),
    BAD("{]", INVAL),
    BAD("[1}", INVAL),
    BAD("{\"a\":1]", INVAL),
    BAD("{\"a\"}", INVAL),
    BAD("{\"a\":}", INVAL),
    BAD("{\"a\" 1}", INVAL),
    BAD("{,}", INVAL),
    BAD("{\"a\":1,}", INVAL),
    BAD("{1:1}", INVAL),
    BAD("{\"a\":1 \"b\":2}", INVAL),
    BAD("{\"a\"::1}", INVAL),
    BAD("{\"a\",1}", INVAL),
    BAD("{'a':1}", INVAL),
    BAD("{a:1}", INVAL),
    BAD("[1:2]", INVAL),
    BAD(":", INVAL),
    BAD(",", INVAL),
    BAD("[\"a\":1]", INVAL),
    /* numbers */
    BAD("01", INVAL),
    BAD("-01", INVAL),
    BAD("00", INVAL),
    BAD("-", INVAL),
    BAD("+1", INVAL),
    BAD(".5", INVAL),
    BAD("1.", INVAL),
    BAD("1.e5", INVAL),
    BAD("1e", INVAL),
    BAD("1e+", INVAL),
    BAD("1e+-1", INVAL),
    BAD("1.5.", INVAL),
    BAD("0x10", INVAL),
    BAD("NaN", INVAL),
    BAD("Infinity", INVAL),
    BAD("-Infinity", INVAL),
    BAD("- 1", INVAL),
    BAD("[-]", INVAL),
    BAD("[1.]", INVAL),
    BAD("[01]", INVAL),
    BAD("1e5.0", INVAL),
    BAD("\xd9\xa1", INVAL),
    BAD("1x", INVAL),
    /* literals */
    BAD("tru", INVAL),
    BAD("truex", INVAL),
    BAD("True", INVAL),
    BAD("nul", INVAL),
    BAD("[nulll]", INVAL),
    BAD("[fals]", INVAL),
    BAD("nan", INVAL),
    BAD("t", INVAL),
    /* strings: grammar and escapes */
    BAD("'a'", INVAL),
    BAD("\"abc", INVAL),
    BAD("\"\t\"", INVAL),
    BAD("\"\x01\"", INVAL),
    BAD("\"\x1f\"", INVAL),
    BAD("\"\n\"", INVAL),
    BAD("\"a\0b\"", INVAL),
    BAD("\"\\x\"", INVAL),
    BAD("\"\\'\"", INVAL),
    BAD("\"\\\"", INVAL),
    BAD("\"\\u12\"", INVAL),
    BAD("\"\\u12g4\"", INVAL),
    BAD("\"\\U0041\"", INVAL),
    BAD("\"\\", INVAL),
    BAD("\"\\u00", INVAL),
    /* surrogates: lone high, lone low, reversed, high + non-low */
    BAD("\"\\ud800\"", INVAL),
    BAD("\"\\ud800x\"", INVAL),
    BAD("\"\\ud800\\u0041\"", INVAL),
    BAD("\"\\ud800\\n\"", INVAL),
    BAD("\"\\udc00\"", INVAL),
    BAD("\"\\udfff\"", INVAL),
    BAD("\"\\udc00\\ud800\"", INVAL),
    BAD("\"\\ud800\\ud800\"", INVAL),
    BAD("\"\\ud800\\", INVAL),
    BAD("\"\\ud800\\u", INVAL),
    BAD("\"\\ud800\\udc0", INVAL),
    BAD("\"\\ud800\\uE000\"", INVAL),
    /* raw UTF-8: overlongs, surrogates, beyond U+10FFFF, stray and cut bytes */
    BAD("\"\xc0\x80\"", INVAL),
    BAD("\"\xc1\xbf\"", INVAL),
    BAD("\"\xe0\x80\x80\"", INVAL),
    BAD("\"\xe0\x9f\xbf\"", INVAL),
    BAD("\"\xed\xa0\x80\"", INVAL),
    BAD("\"\xed\xbf\xbf\"", INVAL),
    BAD("\"\xf0\x8f\xbf\xbf\"", INVAL),
    BAD("\"\xf4\x90\x80\x80\"", INVAL),
    BAD("\"\xf5\x80\x80\x80\"", INVAL),
    BAD("\"\xf8\x88\x80\x80\x80\"", INVAL),
    BAD("\"\x80\"", INVAL),
    BAD("\"\xbf\"", INVAL),
    BAD("\"\xe2\x82\"", INVAL),
    BAD("\"\xe2\x82", INVAL),
    BAD("\"\xf0\x9f\x98\"", INVAL),
    BAD("\"\xc3\"", INVAL),
    BAD("\"\xff\"", INVAL),
    BAD("\"\xfe\"", INVAL),
    BAD("\"\xc3\xa9\xc3\"", INVAL),
    BAD("\xc3\xa9", INVAL),
    /* duplicate keys, compared unescaped */
    BAD("{\"a\":1,\"a\":2}", DUP),
    BAD("{\"a\":1,\"a\":1}", DUP),
    BAD("{\"a\":1,\"\\u0061\":2}", DUP),
    BAD("{\"\\u0061\":1,\"a\":2}", DUP),
    BAD("{\"a\":1,\"b\":2,\"a\":3}", DUP),
    BAD("{\"\":1,\"\":2}", DUP),
    BAD("{\"/\":1,\"\\/\":2}", DUP),
    BAD("{\"\\n\":1,\"\\u000a\":2}", DUP),
    BAD("{\"\xc3\xa9\":1,\"\\u00e9\":2}", DUP),
    BAD("{\"\xc3\xa9\":1,\"\\u00E9\":2}", DUP),
    BAD("{\"\xf0\x9f\x98\x80\":1,\"\\ud83d\\ude00\":2}", DUP),
    BAD("{\"a\\u0000\":1,\"a\\u0000\":2}", DUP),
    BAD("{\"a\":{\"b\":1,\"b\":2}}", DUP),
    BAD("[{\"x\":[]},{\"y\":{},\"y\":0}]", DUP),
    BAD("{\"a\":{\"a\":{}},\"a\":0}", DUP),
    /* found through each key's hash of its unescaped bytes: any spelling
     * of the same name, any escape, anywhere in the key */
    BAD("{\"abc\\u0064\":1,\"abcd\":2}", DUP),
    BAD("{\"abcd\":1,\"ab\\u0063d\":2}", DUP),
    BAD("{\"a/b\":1,\"a\\/b\":2}", DUP),
    BAD("{\"\\u0061\\u0062\":1,\"\\u0061b\":2}", DUP),
    BAD("{\"\\t\\u00e9x\":1,\"\\u0009\xc3\xa9\\u0078\":2}", DUP),
    /* names that share a raw prefix, then part: one ends, or an escape differs */
    OK("{\"ab\":1,\"ab\\n\":2}", 5),
    OK("{\"ab\\n\":1,\"ab\":2}", 5),
    OK("{\"ab\\n\":1,\"ab\\r\":2}", 5),
    OK("{\"a\\\\\":1,\"a\\\\\\\\\":2}", 5),
    OK("{\"a\\u0000\":1,\"a\":2,\"a\\u0000\\u0000\":3}", 7),
    /* earlier members' values are stepped over, whatever their size */
    BAD("{\"a\":[1,[2,{\"a\":3}]],\"b\":{\"c\":{\"d\":[]}},\"a\":0}", DUP),
    BAD("{\"a\":{},\"b\":[],\"c\":\"\",\"a\":0}", DUP),
    BAD("{\"a\":0,\"b\":[[[[[[0]]]]]],\"c\":{\"a\":{\"a\":{}}},\"a\":0}", DUP),
    OK("{\"a\":{\"b\":{\"a\":1,\"b\":2}},\"b\":[{\"a\":1}]}", 14),
    /* keys crafted to share one 24-bit hash (000000, zkDS10, gqCT10, ... all
     * fold to d65635, see test_key_collisions): compared by name */
    OK("{\"000000\":1,\"zkDS10\":2}", 5),
    OK("{\"000000\":1,\"\\u007akDS10\":2}", 5),
    BAD("{\"000000\":0,\"zkDS10\":0,\"\\u0030\\u00300000\":0}", DUP),
    BAD("{\"zkDS10\":0,\"000000\":[0],\"zkDS1\\u0030\":0}", DUP),
    /* a duplicate key is reported before what follows it */
    BAD("{\"a\":1,\"a\":", DUP),
    BAD("{\"a\":1,\"a\"x", DUP),
    /* depth and tokens */
    LIM("[]", JSON_ERR_DEPTH, 0, 8),
    LIM("[[1]]", JSON_ERR_DEPTH, 1, 8),
    LIM("{\"a\":{}}", JSON_ERR_DEPTH, 1, 8),
    LIM("[[]", JSON_ERR_DEPTH, 1, 8),
    LIM("[1,2,3]", JSON_ERR_NOMEM, DEPTH, 3),
    LIM("{\"a\":1}", JSON_ERR_NOMEM, DEPTH, 2),
    LIM("{\"a\":1}", JSON_ERR_NOMEM, DEPTH, 1),
    LIM("1", JSON_ERR_NOMEM, DEPTH, 0),
    LIM("[1,2", JSON_ERR_NOMEM, DEPTH, 2),
    LIM("[1,x", JSON_ERR_NOMEM, DEPTH, 1),
    LIM(" ", JSON_ERR_INVAL, DEPTH, 0),
};

static void run_case(const struct tcase *c, int idx)
{
	char name[64];
	int r;

	snprintf(name, sizeof(name), "case %d \"%.30s\"", idx, c->js);
	/* (a) whole */
	r = parse_once(c->js, c->len, 1, c->depth, toks_a, c->ntoks);
	CHECKF(r == c->want, "%s: whole gives %d, want %d", name, r, c->want);
	/* (b) a byte at a time, every prefix against a guard page */
	r = parse_growing(name, c->js, c->len, c->depth, toks_b, c->ntoks, c->want, 1);
	CHECKF(r == c->want, "%s: growing gives %d, want %d", name, r, c->want);
	if (r > 0 && r == c->want)
		CHECKF(toks_equal(toks_a, toks_b, r), "%s: growing gives other tokens", name);
	/* (c) whole, against a guard page */
	r = parse_guarded(c->js, c->len, 1, c->depth, toks_b, c->ntoks);
	CHECKF(r == c->want, "%s: guarded gives %d, want %d", name, r, c->want);
	if (r > 0 && r == c->want)
		CHECKF(toks_equal(toks_a, toks_b, r), "%s: guarded gives other tokens", name);
}

/* An expected token; by field name, as tok.h asks (priv is internal). */
/* clang-format off */
#define TOK(ty, s, e, sz, par) {.type = ty, .start = s, .end = e, .size = sz, .parent = par}
/* clang-format on */

/* Tokens spelled out for a few documents. */
static void test_token_layout(void)
{
	static const char js[] = "{\"a\":[1,{\"b\":null}],\"c\\n\":\"d\"}";
	static const struct json_tok want[] = {
	    TOK(JSON_OBJECT, 0, 30, 2, -1), TOK(JSON_STRING, 2, 3, 1, 0),
	    TOK(JSON_ARRAY, 5, 19, 2, 1),   TOK(JSON_NUMBER, 6, 7, 0, 2),
	    TOK(JSON_OBJECT, 8, 18, 1, 2),  TOK(JSON_STRING, 10, 11, 1, 4),
	    TOK(JSON_NULL, 13, 17, 0, 5),   TOK(JSON_STRING, 21, 24, 1, 0),
	    TOK(JSON_STRING, 27, 28, 0, 7),
	};
	int n = parse_once(js, sizeof(js) - 1, 1, DEPTH, toks_a, MAXTOK);
	CHECK_EQ_LL(n, 9);
	CHECK(n == 9 && toks_equal(toks_a, want, 9));

	static const char js2[] = " [ -1.5e3 , \"\" , true ] ";
	static const struct json_tok want2[] = {
	    TOK(JSON_ARRAY, 1, 23, 3, -1),
	    TOK(JSON_NUMBER, 3, 9, 0, 0),
	    TOK(JSON_STRING, 13, 13, 0, 0),
	    TOK(JSON_TRUE, 17, 21, 0, 0),
	};
	n = parse_once(js2, sizeof(js2) - 1, 1, DEPTH, toks_a, MAXTOK);
	CHECK_EQ_LL(n, 4);
	CHECK(n == 4 && toks_equal(toks_a, want2, 4));

	/* A top-level number needs final: more digits could follow. */
	struct json_parser p;
	json_parser_init(&p, DEPTH);
	CHECK_EQ_LL(json_parse(&p, "12", 2, 0, toks_a, 4), JSON_ERR_PART);
	CHECK_EQ_LL(json_parse(&p, "12 ", 3, 0, toks_a, 4), 1);
	CHECK(toks_a[0].type == JSON_NUMBER && toks_a[0].start == 0 && toks_a[0].end == 2);
	/* A complete container is reported without final; later bytes are
	 * still checked, and the result is sticky. */
	json_parser_init(&p, DEPTH);
	CHECK_EQ_LL(json_parse(&p, "[1]", 3, 0, toks_a, 4), 2);
	CHECK_EQ_LL(json_parse(&p, "[1] ", 4, 0, toks_a, 4), 2);
	CHECK_EQ_LL(json_parse(&p, "[1] ,", 5, 0, toks_a, 4), JSON_ERR_INVAL);
	CHECK_EQ_LL(json_parse(&p, "[1] ,", 5, 1, toks_a, 4), JSON_ERR_INVAL);
	/* A buffer shorter than what was consumed is misuse. */
	json_parser_init(&p, DEPTH);
	CHECK_EQ_LL(json_parse(&p, "[1,", 3, 0, toks_a, 4), JSON_ERR_PART);
	CHECK_EQ_LL(json_parse(&p, "[", 1, 0, toks_a, 4), JSON_ERR_INVAL);
	/* Offsets are uint32_t: longer input is refused without reading it. */
	json_parser_init(&p, DEPTH);
	CHECK_EQ_LL(json_parse(&p, "1", (size_t)UINT32_MAX, 1, toks_a, 4), JSON_ERR_INVAL);
	/* NOMEM is sticky too, even with a bigger array afterwards. */
	json_parser_init(&p, DEPTH);
	CHECK_EQ_LL(json_parse(&p, "[1]", 3, 1, toks_a, 1), JSON_ERR_NOMEM);
	CHECK_EQ_LL(json_parse(&p, "[1]", 3, 1, toks_a, 4), JSON_ERR_NOMEM);
}

/* "[[...1...]]" or {"a":{"a":...1...}} nested d deep. */
static size_t nest(char *buf, int d, int objects)
{
	size_t n = 0;
	for (int i = 0; i < d; i++) {
		if (objects) {
			memcpy(buf + n, "{\"a\":", 5);
			n += 5;
		} else {
			buf[n++] = '[';
		}
	}
	buf[n++] = '1';
	for (int i = 0; i < d; i++)
		buf[n++] = objects ? '}' : ']';
	return n;
}

static void test_depth(void)
{
	static char buf[8192];
	for (int objects = 0; objects <= 1; objects++) {
		size_t n = nest(buf, 32, objects);
		int want = objects ? 65 : 33;
		CHECK_EQ_LL(parse_once(buf, n, 1, 32, toks_a, MAXTOK), want);
		CHECK_EQ_LL(parse_growing("depth 32", buf, n, 32, toks_b, MAXTOK, want, 0), want);
		CHECK_EQ_LL(parse_guarded(buf, n, 1, 32, toks_b, MAXTOK), want);
		n = nest(buf, 33, objects);
		CHECK_EQ_LL(parse_once(buf, n, 1, 32, toks_a, MAXTOK), JSON_ERR_DEPTH);
		CHECK_EQ_LL(parse_once(buf, n, 1, 33, toks_a, MAXTOK), want + (objects ? 2 : 1));
		CHECK_EQ_LL(
		    parse_growing("depth 33", buf, n, 32, toks_b, MAXTOK, JSON_ERR_DEPTH, 0),
		    JSON_ERR_DEPTH);
		CHECK_EQ_LL(parse_guarded(buf, n, 1, 32, toks_b, MAXTOK), JSON_ERR_DEPTH);
		/* Depth is released on close: many siblings at depth 32. */
		n = nest(buf, 31, objects);
		char wide[8192];
		int m = snprintf(wide, sizeof(wide), "[%.*s,%.*s,%.*s]", (int)n, buf, (int)n, buf,
		                 (int)n, buf);
		CHECK_EQ_LL(parse_once(wide, (size_t)m, 1, 32, toks_a, MAXTOK),
		            1 + 3 * (objects ? 2 * 31 + 1 : 31 + 1));
	}
	/* Past the limit the parser stops at once, whatever the length. */
	size_t big = 1 << 20;
	char *deep = malloc(big);
	memset(deep, '[', big);
	CHECK_EQ_LL(parse_once(deep, big, 1, 32, toks_a, MAXTOK), JSON_ERR_DEPTH);
	free(deep);
}

/* Runs a built document like a table case: whole, growing against guard
 * pages, and guarded. */
static void run_built(const char *js, size_t len, int want)
{
	struct tcase c = {js, len, want, DEPTH, MAXTOK};
	run_case(&c, -1);
}

/* {"<key 0>":0,"<key 1>":0,...} from keys[0..n), into buf; returns its length. */
static size_t object_of(char *buf, const char *const *keys, int n)
{
	size_t len = 0;
	buf[len++] = '{';
	for (int i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "%s\"%s\":%d", i ? "," : "", keys[i], i);
	buf[len++] = '}';
	buf[len] = '\0';
	return len;
}

/* Up to JSON_MAX_OBJECT_MEMBERS members pass, each found again, and a late
 * duplicate is found; one member more is NOMEM; nested objects count apart. */
static void test_many_keys(void)
{
	static char buf[64 * JSON_MAX_OBJECT_MEMBERS + 65536];
	const int max = JSON_MAX_OBJECT_MEMBERS, want = 2 * max + 1;
	size_t n = 0, body;
	char key[32];

	buf[n++] = '{';
	for (int i = 0; i < max - 1; i++)
		n += (size_t)sprintf(buf + n, "%s\"k%d\":%d", i ? "," : "", i, i);
	body = n;
	n += (size_t)sprintf(buf + n, ",\"last\":0}");
	run_built(buf, n, want);
	CHECK_EQ_LL(parse_once(buf, n, 1, DEPTH, toks_a, MAXTOK), want);
	for (int i = 0; i < max - 1; i++) {
		snprintf(key, sizeof key, "k%d", i);
		CHECKF(json_object_get(buf, toks_a, want, 0, key) == 2 + 2 * i, "lookup %s", key);
	}
	/* The last member repeats the first, spelled otherwise. */
	n = body + (size_t)sprintf(buf + body, ",\"\\u006b0\":0}");
	run_built(buf, n, JSON_ERR_DUPKEY);
	/* One member too many, even a duplicate: the limit comes first. */
	n = body + (size_t)sprintf(buf + body, ",\"last\":0,\"more\":0}");
	run_built(buf, n, JSON_ERR_NOMEM);
	n = body + (size_t)sprintf(buf + body, ",\"last\":0,\"k0\":0}");
	CHECK_EQ_LL(parse_once(buf, n, 1, DEPTH, toks_a, MAXTOK), JSON_ERR_NOMEM);
	/* The limit is per object: full objects nested in a full object. */
	n = body + (size_t)sprintf(buf + body, ",\"last\":");
	memcpy(buf + n, buf, body);
	n += body;
	n += (size_t)sprintf(buf + n, ",\"last\":[]}}");
	CHECK_EQ_LL(parse_once(buf, n, 1, DEPTH, toks_a, MAXTOK), 2 * want - 1);

	/* Earlier members are stepped over whole, however big or deep. */
	n = (size_t)sprintf(buf, "{\"a\":[0");
	for (int i = 1; i < 3000; i++)
		n += (size_t)sprintf(buf + n, ",%d", i % 10);
	n += (size_t)sprintf(buf + n, "],\"b\":");
	n += nest(buf + n, 30, 0);
	n += (size_t)sprintf(buf + n, ",\"c\":");
	n += nest(buf + n, 30, 1);
	body = n;
	n += (size_t)sprintf(buf + n, ",\"d\":{\"a\":0,\"b\":[]}}");
	run_built(buf, n, 1 + 2 + 3000 + 1 + 31 + 1 + 61 + 1 + 5);
	n = body + (size_t)sprintf(buf + body, ",\"d\":{\"a\":0,\"b\":[]},\"\\u0061\":0}");
	run_built(buf, n, JSON_ERR_DUPKEY);
}

/* Keys that share one 24-bit hash but not their names: the tokenizer
 * compares them by name, up to JSON_MAX_KEY_COLLISIONS such keys before a
 * new one, then refuses with NOMEM. These twelve names all fold FNV-1a to
 * 0xd65635; if the hash in json/tok.c changes, find new ones (a brute-force
 * search over 6-character names takes seconds). */
static void test_key_collisions(void)
{
	static const char *const same[] = {"000000", "zkDS10", "gqCT10", "Au9R20",
	                                   "iH5t50", "vwtN50", "43XD70", "v6kH90",
	                                   "r1F2a0", "oj7cb0", "TMsoc0", "CvnCd0"};
	const char *keys[16];
	static char buf[4096], two[8192];
	const int max = JSON_MAX_KEY_COLLISIONS;
	size_t n;

	CHECKF(max + 3 <= (int)(sizeof same / sizeof same[0]), "find %d colliding names", max + 3);
	if (max + 3 > (int)(sizeof same / sizeof same[0]))
		return;
	/* max + 1 keys: the last meets max others with its hash, accepted. */
	n = object_of(buf, same, max + 1);
	run_built(buf, n, 2 * (max + 1) + 1);
	CHECK_EQ_LL(parse_once(buf, n, 1, DEPTH, toks_a, MAXTOK), 2 * (max + 1) + 1);
	for (int i = 0; i <= max; i++)
		CHECKF(json_object_get(buf, toks_a, 2 * (max + 1) + 1, 0, same[i]) == 2 + 2 * i,
		       "lookup %s", same[i]);
	/* One more: NOMEM. */
	n = object_of(buf, same, max + 2);
	run_built(buf, n, JSON_ERR_NOMEM);
	/* max others, then a duplicate of the first, escaped: DUPKEY. */
	for (int i = 0; i <= max; i++)
		keys[i] = same[i];
	keys[max + 1] = "\\u0030\\u0030\\u0030000";
	n = object_of(buf, keys, max + 2);
	run_built(buf, n, JSON_ERR_DUPKEY);
	/* A duplicate of the newest key is found before any string compare
	 * of the others... */
	keys[max + 1] = same[max];
	n = object_of(buf, keys, max + 2);
	run_built(buf, n, JSON_ERR_DUPKEY);
	/* ...and the count is per key and per object: two objects of max + 1,
	 * one inside the other. */
	n = object_of(buf, same, max + 1);
	size_t m = (size_t)sprintf(two, "{\"000000\":%.*s", (int)n, buf);
	for (int i = 1; i <= max; i++)
		m += (size_t)sprintf(two + m, ",\"%s\":0", same[i]);
	two[m++] = '}';
	run_built(two, m, 4 * (max + 1) + 1);
}

static void test_strings(void)
{
	static const struct {
		const char *js, *want;
		int len;
	} s[] = {
	    {"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4},
	    {"\"\\uD834\\uDD1E\"", "\xf0\x9d\x84\x9e", 4},
	    {"\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4},
	    {"\"\\ud800\\udc00\"", "\xf0\x90\x80\x80", 4},
	    {"\"\\u00e9\\u20AC\"", "\xc3\xa9\xe2\x82\xac", 5},
	    {"\"a\\u0000b\"", "a\0b", 3},
	    {"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8},
	    {"\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"",
	     "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 11},
	    {"\"plain \xc3\xa9\"", "plain \xc3\xa9", 8},
	    {"\"\"", "", 0},
	};
	char dst[64];
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		int n = parse_once(s[i].js, strlen(s[i].js), 1, DEPTH, toks_a, 4);
		CHECK_EQ_LL(n, 1);
		int len = json_string_copy(s[i].js, &toks_a[0], dst, sizeof(dst));
		CHECKF(len == s[i].len && memcmp(dst, s[i].want, (size_t)len) == 0 && !dst[len],
		       "copy of %s", s[i].js);
		CHECK_EQ_LL(json_string_copy(s[i].js, &toks_a[0], NULL, 0), s[i].len);
		CHECK(json_string_eq(s[i].js, &toks_a[0], s[i].want, (size_t)s[i].len));
		/* Exactly len + 1 fits, len does not. */
		char *g;
		struct guard gd;
		g = guard_buf(&gd, (size_t)s[i].len + 1);
		CHECK_EQ_LL(json_string_copy(s[i].js, &toks_a[0], g, (size_t)s[i].len + 1),
		            s[i].len);
		guard_release(&gd);
		g = guard_buf(&gd, (size_t)s[i].len);
		CHECK_EQ_LL(json_string_copy(s[i].js, &toks_a[0], g, (size_t)s[i].len),
		            JSON_ERR_NOMEM);
		if (s[i].len > 0)
			CHECK(g[0] == '\0');
		guard_release(&gd);
	}
	CHECK_EQ_LL(parse_once("[1,\"ab\"]", 8, 1, DEPTH, toks_a, 4), 3);
	CHECK_EQ_LL(json_string_copy("[1,\"ab\"]", &toks_a[1], dst, sizeof(dst)), JSON_ERR_INVAL);
	CHECK_EQ_LL(json_string_copy("[1,\"ab\"]", &toks_a[0], dst, sizeof(dst)), JSON_ERR_INVAL);
	CHECK(json_string_eq("[1,\"ab\"]", &toks_a[2], "ab", 2));
	CHECK(!json_string_eq("[1,\"ab\"]", &toks_a[2], "a", 1));
	CHECK(!json_string_eq("[1,\"ab\"]", &toks_a[2], "abc", 3));
	CHECK(!json_string_eq("[1,\"ab\"]", &toks_a[2], "ac", 2));
	CHECK(!json_string_eq("[1,\"ab\"]", &toks_a[1], "1", 1));
	CHECK_EQ_LL(json_string_copy("[1,\"ab\"]", &toks_a[2], dst, 0), JSON_ERR_NOMEM);
}

static void test_object_get(void)
{
	static const char js[] = "{\"a\":[1,{\"x\":2}],\"b\":{\"c\":{}},\"\\u0064\":\"v\","
	                         "\"e\":null,\"a\\u0000\":0}";
	int n = parse_once(js, sizeof(js) - 1, 1, DEPTH, toks_a, MAXTOK);
	CHECK_EQ_LL(n, 17);
	int a = json_object_get(js, toks_a, n, 0, "a");
	CHECK(a == 2 && toks_a[a].type == JSON_ARRAY);
	int b = json_object_get(js, toks_a, n, 0, "b");
	CHECK(b == 8 && toks_a[b].type == JSON_OBJECT);
	int c = json_object_get(js, toks_a, n, b, "c");
	CHECK(c == 10 && toks_a[c].type == JSON_OBJECT);
	int d = json_object_get(js, toks_a, n, 0, "d");
	CHECK(d == 12 && json_string_eq(js, &toks_a[d], "v", 1));
	CHECK_EQ_LL(json_object_get(js, toks_a, n, 0, "e"), 14);
	CHECK_EQ_LL(json_object_get(js, toks_a, n, 0, "x"), -1); /* nested, not a member */
	CHECK_EQ_LL(json_object_get(js, toks_a, n, 0, ""), -1);
	CHECK_EQ_LL(json_object_get(js, toks_a, n, 0, "c"), -1);
	CHECK_EQ_LL(json_object_get(js, toks_a, n, a, "a"), -1); /* not an object */
	CHECK_EQ_LL(json_object_get(js, toks_a, n, 4, "x"), 6);
	CHECK_EQ_LL(json_object_get(js, toks_a, n, 5, "x"), -1); /* a key, not an object */
	CHECK_EQ_LL(json_object_get(js, toks_a, n, -1, "a"), -1);
	CHECK_EQ_LL(json_object_get(js, toks_a, n, n, "a"), -1);
	/* skip */
	CHECK_EQ_LL(json_tok_skip(toks_a, n, 0), n);
	CHECK_EQ_LL(json_tok_skip(toks_a, n, 1), 7);  /* a key's subtree holds its value */
	CHECK_EQ_LL(json_tok_skip(toks_a, n, 2), 7);  /* [1,{"x":2}] */
	CHECK_EQ_LL(json_tok_skip(toks_a, n, 8), 11); /* {"c":{}} */
	CHECK_EQ_LL(json_tok_skip(toks_a, n, 3), 4);
	CHECK_EQ_LL(json_tok_skip(toks_a, n, -1), n);
	CHECK_EQ_LL(json_tok_skip(toks_a, n, n), n);
}

static void test_int64(void)
{
	static const struct {
		const char *js;
		int ok;
		int64_t v;
	} c[] = {
	    {"0", 1, 0},
	    {"-0", 1, 0},
	    {"42", 1, 42},
	    {"-42", 1, -42},
	    {"9007199254740992", 1, INT64_C(9007199254740992)},
	    {"-9007199254740992", 1, -INT64_C(9007199254740992)},
	    {"9007199254740993", 0, 0},
	    {"-9007199254740993", 0, 0},
	    {"18446744073709551617", 0, 0},
	    {"99999999999999999999999999", 0, 0},
	    {"1.0", 0, 0},
	    {"1e2", 0, 0},
	    {"1E0", 0, 0},
	    {"-0.0", 0, 0},
	    {"\"1\"", 0, 0},
	    {"true", 0, 0},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int64_t v = 12345;
		CHECK_EQ_LL(parse_once(c[i].js, strlen(c[i].js), 1, DEPTH, toks_a, 4), 1);
		int r = json_int64(c[i].js, &toks_a[0], &v);
		CHECKF(r == (c[i].ok ? 0 : JSON_ERR_INVAL), "int64 %s gives %d", c[i].js, r);
		CHECKF(v == (c[i].ok ? c[i].v : 12345), "int64 %s value %lld", c[i].js,
		       (long long)v);
	}
}

/* ---- writer ---------------------------------------------------------------- */

/* Re-encodes the subtree at token i into w; returns the next token. */
static int reencode(struct json_writer *w, const char *js, const struct json_tok *t, int i,
                    char *tmp, size_t tmpcap)
{
	const struct json_tok *k = &t[i];
	uint32_t m;
	int n;

	switch (k->type) {
	case JSON_OBJECT:
		json_writer_object_open(w);
		i++;
		for (m = 0; m < k->size; m++) {
			n = json_string_copy(js, &t[i], tmp, tmpcap);
			json_writer_key_n(w, tmp, n < 0 ? 0 : (size_t)n);
			i = reencode(w, js, t, i + 1, tmp, tmpcap);
		}
		json_writer_object_close(w);
		return i;
	case JSON_ARRAY:
		json_writer_array_open(w);
		i++;
		for (m = 0; m < k->size; m++)
			i = reencode(w, js, t, i, tmp, tmpcap);
		json_writer_array_close(w);
		return i;
	case JSON_STRING:
		n = json_string_copy(js, k, tmp, tmpcap);
		json_writer_string(w, tmp, n < 0 ? 0 : (size_t)n);
		return i + 1;
	default: json_writer_raw(w, js + k->start, k->end - k->start); return i + 1;
	}
}

/* Same structure, same unescaped strings, same number and literal text. */
static int same_doc(const char *ja, const struct json_tok *a, const char *jb,
                    const struct json_tok *b, int n, char *ta, char *tb, size_t cap)
{
	for (int i = 0; i < n; i++) {
		if (a[i].type != b[i].type || a[i].size != b[i].size || a[i].parent != b[i].parent)
			return 0;
		if (a[i].type == JSON_STRING) {
			int la = json_string_copy(ja, &a[i], ta, cap);
			int lb = json_string_copy(jb, &b[i], tb, cap);
			if (la < 0 || la != lb || memcmp(ta, tb, (size_t)la) != 0)
				return 0;
		} else if (a[i].type != JSON_OBJECT && a[i].type != JSON_ARRAY) {
			if (a[i].end - a[i].start != b[i].end - b[i].start ||
			    memcmp(ja + a[i].start, jb + b[i].start, a[i].end - a[i].start) != 0)
				return 0;
		}
	}
	return 1;
}

/* Writes a parsed document back out (measured first, then into an exact
 * guard-page buffer) and parses that again: it must be the same document. */
static void check_roundtrip(const char *name, const char *js, size_t len, int n)
{
	size_t cap = len + 1;
	char *ta = malloc(cap), *tb = malloc(cap);
	struct json_writer w;
	struct guard g;

	json_writer_init(&w, NULL, 0);
	reencode(&w, js, toks_a, 0, ta, cap);
	int out = json_writer_finish(&w);
	CHECKF(out > 0, "%s: re-encoding measures %d", name, out);
	if (out > 0) {
		char *buf = guard_buf(&g, (size_t)out);
		json_writer_init(&w, buf, (size_t)out);
		reencode(&w, js, toks_a, 0, ta, cap);
		CHECKF(json_writer_finish(&w) == out, "%s: re-encoding differs from measure", name);
		int m = parse_once(buf, (size_t)out, 1, DEPTH, toks_c, MAXTOK);
		CHECKF(m == n, "%s: re-encoded parses to %d, not %d", name, m, n);
		/* tb must hold the re-encoded strings, which can be no longer. */
		CHECKF(m == n && same_doc(js, toks_a, buf, toks_c, n, ta, tb, cap),
		       "%s: round trip changed the document", name);
		guard_release(&g);
	}
	free(ta);
	free(tb);
}

static int finish_of(void (*build)(struct json_writer *), char *buf, size_t cap)
{
	struct json_writer w;
	json_writer_init(&w, buf, cap);
	build(&w);
	return json_writer_finish(&w);
}

static void build_nested_ok(struct json_writer *w)
{
	json_writer_object_open(w);
	json_writer_key(w, "a");
	json_writer_array_open(w);
	json_writer_int(w, 1);
	json_writer_array_open(w);
	json_writer_int(w, 2);
	json_writer_int(w, 3);
	json_writer_array_close(w);
	json_writer_object_open(w);
	json_writer_object_close(w);
	json_writer_array_open(w);
	json_writer_array_close(w);
	json_writer_object_open(w);
	json_writer_key(w, "b");
	json_writer_bool(w, 1);
	json_writer_key(w, "c");
	json_writer_null(w);
	json_writer_object_close(w);
	json_writer_array_close(w);
	json_writer_key(w, "d\"q");
	json_writer_cstr(w, "x\ny");
	json_writer_key(w, "e");
	json_writer_int(w, INT64_MIN);
	json_writer_key(w, "f");
	json_writer_raw(w, "[1.5]", 5);
	json_writer_key(w, "g");
	json_writer_bool(w, 0);
	json_writer_key(w, "h");
	json_writer_int(w, INT64_MAX);
	json_writer_object_close(w);
}

static const char nested_want[] =
    "{\"a\":[1,[2,3],{},[],{\"b\":true,\"c\":null}],\"d\\\"q\":\"x\\ny\","
    "\"e\":-9223372036854775808,\"f\":[1.5],\"g\":false,\"h\":9223372036854775807}";

static void test_writer_nested(void)
{
	char buf[256];
	size_t want = sizeof(nested_want) - 1;

	CHECK_EQ_LL(finish_of(build_nested_ok, buf, sizeof(buf)), (long long)want);
	CHECK(strcmp(buf, nested_want) == 0);
	CHECK_EQ_LL(finish_of(build_nested_ok, NULL, 0), (long long)want);
	CHECK_EQ_LL(parse_once(nested_want, want, 1, DEPTH, toks_a, MAXTOK), 25);

	/* Every capacity short of the text overflows, stickily, without
	 * writing past cap (the buffer ends at a guard page) and leaving only
	 * a prefix of the text. */
	for (size_t cap = 0; cap <= want + 1; cap++) {
		struct guard g;
		struct json_writer w;
		char *out = guard_buf(&g, cap);
		json_writer_init(&w, out, cap);
		build_nested_ok(&w);
		int r = json_writer_finish(&w);
		if (cap < want) {
			CHECKF(r == JSON_ERR_NOMEM, "cap %zu: finish %d", cap, r);
			CHECKF(w.len <= cap && memcmp(out, nested_want, w.len) == 0,
			       "cap %zu: not a prefix", cap);
			CHECK_EQ_LL(json_writer_finish(&w), JSON_ERR_NOMEM);
		} else {
			CHECKF(r == (int)want && memcmp(out, nested_want, want) == 0,
			       "cap %zu: finish %d", cap, r);
			if (cap > want)
				CHECK(out[want] == '\0');
		}
		guard_release(&g);
	}
}

/* The writer's output for one string value. */
static int write_string(const char *s, size_t n, char *buf, size_t cap)
{
	struct json_writer w;
	json_writer_init(&w, buf, cap);
	json_writer_string(&w, s, n);
	return json_writer_finish(&w);
}

static void test_writer_escapes(void)
{
	char buf[64], want[64];
	for (int c = 0; c < 0x20; c++) {
		char in = (char)c;
		const char *short_form = NULL;
		switch (c) {
		case '\b': short_form = "b"; break;
		case '\f': short_form = "f"; break;
		case '\n': short_form = "n"; break;
		case '\r': short_form = "r"; break;
		case '\t': short_form = "t"; break;
		}
		if (short_form)
			snprintf(want, sizeof(want), "\"\\%s\"", short_form);
		else
			snprintf(want, sizeof(want), "\"\\u%04x\"", c);
		int r = write_string(&in, 1, buf, sizeof(buf));
		CHECKF(r == (int)strlen(want) && strcmp(buf, want) == 0, "control 0x%02x: %s", c,
		       buf);
	}
	static const struct {
		const char *in, *want;
	} e[] = {
	    {"\"", "\"\\\"\""},
	    {"\\", "\"\\\\\""},
	    {"/", "\"/\""},
	    {"\x7f", "\"\x7f\""},
	    {"a\"b\\c", "\"a\\\"b\\\\c\""},
	    {"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
	    {"\xf4\x8f\xbf\xbf\xef\xbf\xbf", "\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\""},
	    {"", "\"\""},
	};
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		int r = write_string(e[i].in, strlen(e[i].in), buf, sizeof(buf));
		CHECKF(r == (int)strlen(e[i].want) && strcmp(buf, e[i].want) == 0, "escape %zu: %s",
		       i, buf);
	}
	CHECK_EQ_LL(write_string("a\0b", 3, buf, sizeof(buf)), 10);
	CHECK(strcmp(buf, "\"a\\u0000b\"") == 0);
	static const char *bad[] = {
	    "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
	    "\xf5",     "\x80",     "\xe2\x82",     "ok\xff",       "\xf0\x9f\x98"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(write_string(bad[i], strlen(bad[i]), buf, sizeof(buf)) == JSON_ERR_INVAL,
		       "invalid UTF-8 %zu accepted", i);
	/* Integers. */
	static const struct {
		int64_t v;
		const char *want;
	} ints[] = {{0, "0"},
	            {-1, "-1"},
	            {10, "10"},
	            {INT64_C(9007199254740992), "9007199254740992"},
	            {INT64_MAX, "9223372036854775807"},
	            {INT64_MIN, "-9223372036854775808"}};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		struct json_writer w;
		json_writer_init(&w, buf, sizeof(buf));
		json_writer_int(&w, ints[i].v);
		CHECK_EQ_LL(json_writer_finish(&w), (long long)strlen(ints[i].want));
		CHECK(strcmp(buf, ints[i].want) == 0);
	}
}

static void misuse_key_at_top(struct json_writer *w)
{
	json_writer_key(w, "a");
}
static void misuse_key_in_array(struct json_writer *w)
{
	json_writer_array_open(w);
	json_writer_key(w, "a");
	json_writer_int(w, 1);
	json_writer_array_close(w);
}
static void misuse_value_without_key(struct json_writer *w)
{
	json_writer_object_open(w);
	json_writer_int(w, 1);
	json_writer_object_close(w);
}
static void misuse_two_keys(struct json_writer *w)
{
	json_writer_object_open(w);
	json_writer_key(w, "a");
	json_writer_key(w, "b");
	json_writer_int(w, 1);
	json_writer_object_close(w);
}
static void misuse_key_then_close(struct json_writer *w)
{
	json_writer_object_open(w);
	json_writer_key(w, "a");
	json_writer_object_close(w);
}
static void misuse_mismatched_close(struct json_writer *w)
{
	json_writer_object_open(w);
	json_writer_array_close(w);
}
static void misuse_mismatched_close2(struct json_writer *w)
{
	json_writer_array_open(w);
	json_writer_object_close(w);
}
static void misuse_close_at_top(struct json_writer *w)
{
	json_writer_int(w, 1);
	json_writer_array_close(w);
}
static void misuse_unclosed(struct json_writer *w)
{
	json_writer_array_open(w);
	json_writer_array_open(w);
	json_writer_array_close(w);
}
static void misuse_two_values(struct json_writer *w)
{
	json_writer_int(w, 1);
	json_writer_int(w, 2);
}
static void misuse_nothing(struct json_writer *w)
{
	(void)w;
}
static void misuse_too_deep(struct json_writer *w)
{
	for (int i = 0; i < JSON_WRITER_MAX_DEPTH + 1; i++)
		json_writer_array_open(w);
	for (int i = 0; i < JSON_WRITER_MAX_DEPTH + 1; i++)
		json_writer_array_close(w);
}
static void misuse_bad_utf8_key(struct json_writer *w)
{
	json_writer_object_open(w);
	json_writer_key(w, "\xff");
	json_writer_int(w, 1);
	json_writer_object_close(w);
}
static void misuse_empty_raw(struct json_writer *w)
{
	json_writer_array_open(w);
	json_writer_raw(w, "", 0);
	json_writer_array_close(w);
}
static void max_deep(struct json_writer *w)
{
	for (int i = 0; i < JSON_WRITER_MAX_DEPTH; i++)
		json_writer_array_open(w);
	for (int i = 0; i < JSON_WRITER_MAX_DEPTH; i++)
		json_writer_array_close(w);
}
static void max_deep_objects(struct json_writer *w)
{
	for (int i = 0; i < JSON_WRITER_MAX_DEPTH; i++) {
		json_writer_object_open(w);
		json_writer_key(w, "k");
	}
	json_writer_int(w, 1);
	for (int i = 0; i < JSON_WRITER_MAX_DEPTH; i++)
		json_writer_object_close(w);
}

static void test_writer_misuse(void)
{
	static void (*const bad[])(struct json_writer *) = {
	    misuse_key_at_top,        misuse_key_in_array,   misuse_value_without_key,
	    misuse_two_keys,          misuse_key_then_close, misuse_mismatched_close,
	    misuse_mismatched_close2, misuse_close_at_top,   misuse_unclosed,
	    misuse_two_values,        misuse_nothing,        misuse_too_deep,
	    misuse_bad_utf8_key,      misuse_empty_raw,
	};
	char buf[512];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECKF(finish_of(bad[i], buf, sizeof(buf)) == JSON_ERR_INVAL, "misuse %zu passes",
		       i);
		CHECKF(finish_of(bad[i], NULL, 0) == JSON_ERR_INVAL, "misuse %zu measures", i);
	}
	/* 32 levels are fine, and parse back with depth 32. */
	int n = finish_of(max_deep, buf, sizeof(buf));
	CHECK_EQ_LL(n, 64);
	CHECK_EQ_LL(parse_once(buf, (size_t)n, 1, 32, toks_a, MAXTOK), 32);
	n = finish_of(max_deep_objects, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK_EQ_LL(parse_once(buf, (size_t)n, 1, 32, toks_a, MAXTOK), 65);
	/* The first error wins and sticks: overflow, then misuse. */
	struct json_writer w;
	json_writer_init(&w, buf, 3);
	json_writer_cstr(&w, "long");
	json_writer_key(&w, "x");
	CHECK_EQ_LL(json_writer_finish(&w), JSON_ERR_NOMEM);
	/* Misuse, then valid calls: nothing more is written. */
	json_writer_init(&w, buf, sizeof(buf));
	json_writer_key(&w, "x");
	json_writer_int(&w, 1);
	CHECK_EQ_LL(w.len, 0);
	CHECK_EQ_LL(json_writer_finish(&w), JSON_ERR_INVAL);
}

/* Writer output parses back and its strings copy back equal. */
static void test_writer_roundtrip(void)
{
	static char all[256 * 4 + 1];
	static char buf[8192], back[2048];
	size_t n = 0;
	/* Every byte 1..0x7f, then some multi-byte characters. */
	for (int c = 1; c < 0x80; c++)
		all[n++] = (char)c;
	memcpy(all + n, "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
	       18);
	n += 18;
	all[n++] = '\0';

	struct json_writer w;
	json_writer_init(&w, buf, sizeof(buf));
	json_writer_object_open(&w);
	json_writer_key_n(&w, all, n);
	json_writer_array_open(&w);
	json_writer_string(&w, all, n);
	json_writer_string(&w, "", 0);
	json_writer_cstr(&w, "\\u0041");
	json_writer_array_close(&w);
	json_writer_key(&w, "k");
	json_writer_int(&w, -9007199254740992);
	json_writer_object_close(&w);
	int len = json_writer_finish(&w);
	CHECK(len > 0);
	int t = parse_once(buf, (size_t)len, 1, DEPTH, toks_a, MAXTOK);
	CHECK_EQ_LL(t, 8);
	if (t != 8)
		return;
	CHECK(json_string_eq(buf, &toks_a[1], all, n));
	CHECK_EQ_LL(json_string_copy(buf, &toks_a[3], back, sizeof(back)), (long long)n);
	CHECK(memcmp(back, all, n) == 0);
	CHECK_EQ_LL(json_string_copy(buf, &toks_a[4], back, sizeof(back)), 0);
	CHECK(json_string_eq(buf, &toks_a[5], "\\u0041", 6));
	int64_t v = 0;
	CHECK_EQ_LL(json_int64(buf, &toks_a[json_object_get(buf, toks_a, t, 0, "k")], &v), 0);
	CHECK_EQ_LL(v, -9007199254740992);
	check_roundtrip("writer output", buf, (size_t)len, t);
}

/* ---- JSONTestSuite ----------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* What our profile does with a file. y_: accepted, except that duplicate
 * keys, which RFC 8259 merely discourages, are refused here (SPEC §2).
 * n_: refused. i_: the numbers are valid grammar and accepted; every other
 * i_ case is invalid UTF-8, a lone surrogate, a BOM or too deep, and refused. */
static int suite_expect(const char *name)
{
	if (strncmp(name, "y_object_duplicated_key", 23) == 0)
		return JSON_ERR_DUPKEY;
	if (strcmp(name, "n_structure_100000_opening_arrays.json") == 0 ||
	    strcmp(name, "i_structure_500_nested_arrays.json") == 0)
		return JSON_ERR_DEPTH;
	if (name[0] == 'y' || strncmp(name, "i_number_", 9) == 0)
		return 1; /* some count */
	return JSON_ERR_INVAL;
}

static void test_suite(void)
{
	const char *shared = getenv("FERRY_SHARED");
	char dir[4096], path[4096 + 256];
	int files = 0, counts[3] = {0, 0, 0};

	snprintf(dir, sizeof(dir), "%s/conformance/JSONTestSuite/test_parsing",
	         shared && *shared ? shared : "../shared");
	DIR *d = opendir(dir);
	CHECKF(d != NULL,
	       "JSONTestSuite: cannot open %s (set FERRY_SHARED, run from the repo root)", dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		const char *name = e->d_name;
		size_t len = 0;
		if ((name[0] != 'y' && name[0] != 'n' && name[0] != 'i') || name[1] != '_')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		char *js = read_file(path, &len);
		CHECKF(js != NULL, "JSONTestSuite: cannot read %s", path);
		if (!js)
			continue;
		files++;
		counts[name[0] == 'y' ? 0 : name[0] == 'n' ? 1 : 2]++;
		int want = suite_expect(name);
		int r = parse_once(js, len, 1, DEPTH, toks_a, MAXTOK);
		if (want == 1)
			CHECKF(r > 0, "%s: refused with %d", name, r);
		else if (want == JSON_ERR_INVAL)
			CHECKF(r < 0 && r != JSON_ERR_PART && r != JSON_ERR_NOMEM,
			       "%s: gives %d, want a refusal", name, r);
		else
			CHECKF(r == want, "%s: gives %d, want %d", name, r, want);
		int rg = parse_guarded(js, len, 1, DEPTH, toks_b, MAXTOK);
		CHECKF(rg == r && (r <= 0 || toks_equal(toks_a, toks_b, r)),
		       "%s: guarded gives %d, whole %d", name, rg, r);
		int ri = parse_growing(name, js, len, DEPTH, toks_b, MAXTOK, r, 0);
		CHECKF(ri == r && (r <= 0 || toks_equal(toks_a, toks_b, r)),
		       "%s: growing gives %d, whole %d", name, ri, r);
		if (r > 0) {
			/* Every string unescapes to valid UTF-8; the document
			 * survives the writer. */
			char *tmp = malloc(len + 1);
			for (int i = 0; i < r; i++) {
				if (toks_a[i].type != JSON_STRING)
					continue;
				int n = json_string_copy(js, &toks_a[i], tmp, len + 1);
				int valid = n >= 0;
				for (int k = 0; valid && k < n;) {
					int s = json_utf8_seq((unsigned char *)tmp + k,
					                      (size_t)(n - k));
					valid = s > 0;
					k += s;
				}
				CHECKF(valid, "%s: string token %d unescapes badly", name, i);
			}
			free(tmp);
			check_roundtrip(name, js, len, r);
		}
		free(js);
	}
	closedir(d);
	CHECKF(files >= 300, "JSONTestSuite: only %d files in %s, expected 300 or more", files,
	       dir);
	printf("JSONTestSuite: %d files (%d y_, %d n_, %d i_)\n", files, counts[0], counts[1],
	       counts[2]);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], (int)i);
	printf("table: %zu cases\n", sizeof(cases) / sizeof(cases[0]));
	test_token_layout();
	test_depth();
	test_many_keys();
	test_key_collisions();
	test_strings();
	test_object_get();
	test_int64();
	test_writer_nested();
	test_writer_escapes();
	test_writer_misuse();
	test_writer_roundtrip();
	test_suite();
	return check_exit("test_json");
}
