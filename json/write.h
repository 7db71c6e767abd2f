/* write.h — bounded JSON writer with a sticky error (BearSSL's habit).
 *
 * The caller owns the output buffer; the writer appends to it and never
 * writes past cap. Commas and colons are placed automatically, so callers
 * just emit values and keys in order. Any failure (no room, misuse, invalid
 * UTF-8) is remembered and every later call does nothing, so a message can
 * be built with no checks in between and one check at json_writer_finish(). */
#ifndef FERRY_JSON_WRITE_H
#define FERRY_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "json/tok.h"

/* Nesting the writer follows: as deep as the parser accepts for a message
 * (SPEC §2). Deeper is misuse. */
#define JSON_WRITER_MAX_DEPTH 32

/* Treat the fields as read-only. Copyable (no pointer into itself). */
struct json_writer {
	char *buf;          /* borrowed output buffer, NULL to only measure */
	size_t cap;         /* its size in bytes */
	size_t len;         /* bytes written so far */
	int err;            /* first error, sticky; 0 while none */
	unsigned depth;     /* open containers */
	uint32_t objects;   /* bit d set: level d + 1 is an object (else an array) */
	uint32_t commas;    /* bit d set: the next item at level d + 1 needs a comma */
	uint8_t want_value; /* a key was written, its value comes next */
	uint8_t top_done;   /* the top-level value has begun */
};

/* Starts writing into buf[0..cap). buf is borrowed for the writer's life and
 * may be NULL (with any cap) to measure: nothing is written and no
 * overflow happens, json_writer_finish() returns the length it would take. */
void json_writer_init(struct json_writer *w, char *buf, size_t cap);

void json_writer_object_open(struct json_writer *w);
void json_writer_object_close(struct json_writer *w);
void json_writer_array_open(struct json_writer *w);
void json_writer_array_close(struct json_writer *w);

/* A member name: key is NUL-terminated, borrowed for the call, escaped as a
 * string. Only directly inside an object, before each value. Duplicate
 * names are not detected: the caller writes each once. */
void json_writer_key(struct json_writer *w, const char *key);

/* json_writer_key() of key[0..n) (borrowed for the call), for names that may
 * hold NUL bytes ("\u0000" is a valid key); invalid UTF-8 is JSON_ERR_INVAL. */
void json_writer_key_n(struct json_writer *w, const char *key, size_t n);

/* A string value from s[0..n) (borrowed for the call; may hold NUL bytes).
 * Escapes '"', '\\' and bytes < 0x20 (\b \f \n \r \t short forms, \u00XX
 * otherwise); other bytes pass as they are and must be valid UTF-8, else err
 * becomes JSON_ERR_INVAL. */
void json_writer_string(struct json_writer *w, const char *s, size_t n);

/* json_writer_string() of a NUL-terminated string. */
void json_writer_cstr(struct json_writer *w, const char *s);

void json_writer_int(struct json_writer *w, int64_t v);
void json_writer_bool(struct json_writer *w, int v);
void json_writer_null(struct json_writer *w);

/* An already-encoded value json[0..n) (borrowed for the call), copied as it
 * is: the caller vouches that it is one valid JSON value (n == 0 is misuse). */
void json_writer_raw(struct json_writer *w, const char *json, size_t n);

/* Ends the document. Returns its length (the text is NUL-terminated when
 * len < cap), or the first error: JSON_ERR_NOMEM if anything ever
 * overflowed, JSON_ERR_INVAL if misused (unbalanced, a key outside an
 * object or a value without its key, a second top-level value, no value at
 * all, nesting over JSON_WRITER_MAX_DEPTH, invalid UTF-8). The output is
 * meaningless after an error. */
int json_writer_finish(struct json_writer *w);

#endif
