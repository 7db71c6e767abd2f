/* tok.h — strict, resumable JSON tokenizer (jsmn's shape, RFC 8259's rules).
 *
 * The caller owns the text and the token array; a token is a type and byte
 * offsets into the text, nothing is copied and nothing is allocated. The
 * parser state is a few integers, so a document that arrives in pieces is
 * scanned once: each call continues where the last one stopped.
 *
 * Unlike jsmn it is always strict: RFC 8259 grammar exactly, valid UTF-8
 * (no overlongs, no UTF-8-encoded surrogates, nothing above U+10FFFF),
 * paired \u surrogates only, no duplicate keys in one object (compared after
 * unescaping) and a nesting limit. String contents are read back through
 * json_string_copy() / json_string_eq(), which unescape. */
#ifndef FERRY_JSON_TOK_H
#define FERRY_JSON_TOK_H

#include <stddef.h>
#include <stdint.h>

enum json_type {
	JSON_UNDEF = 0,
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL
};

struct json_tok {
	uint8_t type;    /* enum json_type */
	uint8_t priv[3]; /* internal to tok.c (the duplicate-key index, in what would be padding):
	                    do not read, set or compare it; initialize tokens by field name */
	uint32_t start;  /* byte offset of the first char; strings: just after the opening quote */
	uint32_t end;    /* one past the last char; strings: offset of the closing quote */
	uint32_t size;   /* object: members; array: elements; a key string: 1; else 0 */
	int32_t parent;  /* parent token; a member value's parent is its KEY token; -1 at top */
};

/* Errors shared by the tokenizer, the string helpers and the writer. */
enum {
	JSON_ERR_INVAL = -1,  /* not JSON (or misuse of an API) */
	JSON_ERR_PART = -2,   /* valid so far, more bytes needed */
	JSON_ERR_NOMEM = -3,  /* the token array or the output buffer is too small, or an
	                         object is past a limit below */
	JSON_ERR_DEPTH = -4,  /* nesting deeper than max_depth */
	JSON_ERR_DUPKEY = -5, /* the same key twice in one object */
};

/* Limits that bound the cost of duplicate-key checks on any input (tok.c
 * says how); past one, json_parse() gives JSON_ERR_NOMEM, as when tokens run
 * out.
 * JSON_MAX_OBJECT_MEMBERS: members of one object. A new key walks the
 *   object's earlier keys, so the costliest document is made of full
 *   objects: 64 KiB of them take ~3 ms of checks at -O2, ~10x a plain parse.
 * JSON_MAX_KEY_COLLISIONS: earlier keys of the same object that share a new
 *   key's 24-bit hash but not its name. Honest keys almost never meet one
 *   (about members / 2^24 per key); keys crafted to collide meet one every
 *   time, and each costs a string comparison as long as the new key. */
#define JSON_MAX_OBJECT_MEMBERS 512
#define JSON_MAX_KEY_COLLISIONS 8

/* Resumable state; treat as opaque. Plain integers: no pointers into the
 * text or the tokens, so the caller may move its buffer between calls. */
struct json_parser {
	uint32_t pos;       /* first byte not yet consumed */
	uint32_t toknext;   /* tokens written so far */
	int32_t cont;       /* innermost open container token, -1 at top level */
	uint32_t depth;     /* containers open */
	uint32_t max_depth; /* from json_parser_init() */
	int8_t err;         /* sticky error, 0 while none */
	uint8_t expect;     /* what the grammar allows next (private to tok.c) */
};

/* Starts a parse. max_depth bounds container nesting: the top-level
 * container is depth 1, so 32 accepts 32 nested arrays and refuses 33;
 * scalars add no depth; 0 allows scalar documents only. */
void json_parser_init(struct json_parser *p, unsigned max_depth);

/* Tokenizes js[0..len) into toks[0..ntoks). js and toks are borrowed for the
 * call only; toks must be the same array on every call of one parse, js may
 * move but must keep the bytes already given (same prefix, len never shorter).
 *
 * final != 0 says len is the whole document: a trailing top-level number is
 * then complete, and a missing closer is JSON_ERR_INVAL rather than PART.
 *
 * Returns the number of tokens (>= 0) once a complete document followed only
 * by whitespace has been read. With final == 0 that happens as soon as the
 * top-level value is complete (a top-level number never is, more digits may
 * follow); later bytes are still checked by the next call. Otherwise
 * JSON_ERR_PART (final == 0 only: valid so far) or a negative error, which is
 * sticky: every later call returns it until json_parser_init(). Errors come
 * in document order, so feeding a document whole or a byte at a time gives
 * the same result and the same tokens. len > UINT32_MAX - 1 is INVAL.
 * A new key is checked against the object's earlier keys by a hash kept in
 * the tokens: at most JSON_MAX_OBJECT_MEMBERS steps, and string comparisons
 * only where hashes match, at most JSON_MAX_KEY_COLLISIONS + 1 of them. */
int json_parse(struct json_parser *p, const char *js, size_t len, int final, struct json_tok *toks,
               unsigned ntoks);

/* The functions below take tokens from a successful json_parse() of js.
 * js and toks are borrowed for the call. */

/* Index of the value of member `key` (NUL-terminated, compared with each key's
 * unescaped text) in object token obj, or -1 (absent, or obj not an object). */
int json_object_get(const char *js, const struct json_tok *toks, int ntoks, int obj,
                    const char *key);

/* Index of the first token after the subtree rooted at i (i + 1 for a
 * scalar; a key's subtree holds its value); ntoks when the subtree runs to
 * the end or i is out of range. Iterative, O(subtree). */
int json_tok_skip(const struct json_tok *toks, int ntoks, int i);

/* Unescapes string token t into dst[0..cap) and NUL-terminates it (the text
 * may itself contain NUL bytes from \u0000). Returns the byte length without
 * the NUL, JSON_ERR_NOMEM if length + 1 > cap (dst then holds "" when cap > 0),
 * JSON_ERR_INVAL if t is not a string. dst == NULL asks for the length only. */
int json_string_copy(const char *js, const struct json_tok *t, char *dst, size_t cap);

/* 1 if string token t unescapes to exactly s[0..n), else 0 (also when t is
 * not a string). Needs no buffer. */
int json_string_eq(const char *js, const struct json_tok *t, const char *s, size_t n);

/* Stores a number token with an integer value (no fraction, no exponent) in
 * [-2^53, 2^53] — the integers every JSON peer represents exactly — into
 * *out. Returns 0, or JSON_ERR_INVAL (not such a number; *out untouched). */
int json_int64(const char *js, const struct json_tok *t, int64_t *out);

/* Length (1..4) of the valid UTF-8 sequence at s[0..n), n >= 1; JSON_ERR_PART
 * if s[0..n) is a valid but cut sequence; JSON_ERR_INVAL if a byte already
 * visible makes it invalid (overlong, surrogate, > U+10FFFF, bad byte).
 * Shared with the writer. */
int json_utf8_seq(const unsigned char *s, size_t n);

#endif
