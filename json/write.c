/* write.c — bounded JSON writer; see write.h for the contract.
 *
 * The nesting state is two bit masks (object or array, comma due) indexed by
 * level, so the writer stays a flat copyable struct; the one level that can
 * be waiting for a member's value is always the innermost, hence a single
 * want_value flag. */
#include "json/write.h"

#include <limits.h>
#include <string.h>

void json_writer_init(struct json_writer *w, char *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
}

static void put(struct json_writer *w, const char *s, size_t n)
{
	if (w->err || n == 0)
		return;
	if (w->buf) {
		if (n > w->cap - w->len) {
			w->err = JSON_ERR_NOMEM;
			return;
		}
		memcpy(w->buf + w->len, s, n);
	}
	w->len += n;
}

static void fail(struct json_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

static uint32_t level_bit(const struct json_writer *w)
{
	return (uint32_t)1 << (w->depth - 1);
}

/* The comma before an item (a key, or an array element) that is not the
 * first of its container. */
static void begin_item(struct json_writer *w)
{
	if (w->commas & level_bit(w))
		put(w, ",", 1);
	w->commas |= level_bit(w);
}

/* Every value goes through here: it must be where the grammar allows one. */
static int begin_value(struct json_writer *w)
{
	if (w->err)
		return -1;
	if (w->depth == 0) {
		if (w->top_done) {
			fail(w, JSON_ERR_INVAL); /* one document, one value */
			return -1;
		}
		w->top_done = 1;
		return 0;
	}
	if (w->objects & level_bit(w)) {
		if (!w->want_value) {
			fail(w, JSON_ERR_INVAL); /* a member value without its key */
			return -1;
		}
		w->want_value = 0;
		return 0;
	}
	begin_item(w);
	return 0;
}

static void open_container(struct json_writer *w, int object)
{
	if (begin_value(w) < 0)
		return;
	if (w->depth >= JSON_WRITER_MAX_DEPTH) {
		fail(w, JSON_ERR_INVAL);
		return;
	}
	w->depth++;
	if (object)
		w->objects |= level_bit(w);
	else
		w->objects &= ~level_bit(w);
	w->commas &= ~level_bit(w);
	put(w, object ? "{" : "[", 1);
}

static void close_container(struct json_writer *w, int object)
{
	if (w->err)
		return;
	if (w->depth == 0 || w->want_value || ((w->objects & level_bit(w)) != 0) != (object != 0)) {
		fail(w, JSON_ERR_INVAL);
		return;
	}
	put(w, object ? "}" : "]", 1);
	w->depth--;
}

void json_writer_object_open(struct json_writer *w)
{
	open_container(w, 1);
}

void json_writer_object_close(struct json_writer *w)
{
	close_container(w, 1);
}

void json_writer_array_open(struct json_writer *w)
{
	open_container(w, 0);
}

void json_writer_array_close(struct json_writer *w)
{
	close_container(w, 0);
}

/* The quoted, escaped form of s[0..n). Runs of bytes that need no escape
 * are copied in one piece. */
static void put_string(struct json_writer *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0;

	put(w, "\"", 1);
	while (i < n && !w->err) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = {'\\', 0, '0', '0', 0, 0};
		size_t esc_len = 2;
		if (c >= 0x80) {
			int r = json_utf8_seq((const unsigned char *)s + i, n - i);
			if (r < 0) {
				fail(w, JSON_ERR_INVAL); /* cut sequences too */
				return;
			}
			i += (size_t)r;
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (i > run)
			put(w, s + run, i - run);
		switch (c) {
		case '"':
		case '\\': esc[1] = (char)c; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			esc_len = 6;
			break;
		}
		put(w, esc, esc_len);
		run = ++i;
	}
	if (n > run)
		put(w, s + run, n - run);
	put(w, "\"", 1);
}

void json_writer_key(struct json_writer *w, const char *key)
{
	json_writer_key_n(w, key, strlen(key));
}

void json_writer_key_n(struct json_writer *w, const char *key, size_t n)
{
	if (w->err)
		return;
	if (w->depth == 0 || !(w->objects & level_bit(w)) || w->want_value) {
		fail(w, JSON_ERR_INVAL);
		return;
	}
	begin_item(w);
	put_string(w, key, n);
	put(w, ":", 1);
	w->want_value = 1;
}

void json_writer_string(struct json_writer *w, const char *s, size_t n)
{
	if (begin_value(w) == 0)
		put_string(w, s, n);
}

void json_writer_cstr(struct json_writer *w, const char *s)
{
	json_writer_string(w, s, strlen(s));
}

void json_writer_int(struct json_writer *w, int64_t v)
{
	char digits[20];
	size_t i = sizeof(digits);
	/* The magnitude as unsigned: -INT64_MIN does not fit int64_t. */
	uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	if (begin_value(w) < 0)
		return;
	do {
		digits[--i] = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (v < 0)
		put(w, "-", 1);
	put(w, digits + i, sizeof(digits) - i);
}

void json_writer_bool(struct json_writer *w, int v)
{
	if (begin_value(w) == 0)
		put(w, v ? "true" : "false", v ? 4 : 5);
}

void json_writer_null(struct json_writer *w)
{
	if (begin_value(w) == 0)
		put(w, "null", 4);
}

void json_writer_raw(struct json_writer *w, const char *json, size_t n)
{
	if (n == 0)
		fail(w, JSON_ERR_INVAL); /* nothing is not a value */
	if (begin_value(w) == 0)
		put(w, json, n);
}

int json_writer_finish(struct json_writer *w)
{
	if (!w->err && (w->depth != 0 || !w->top_done))
		w->err = JSON_ERR_INVAL;
	if (!w->err && w->len > INT_MAX)
		w->err = JSON_ERR_NOMEM;
	if (w->err)
		return w->err;
	if (w->buf && w->len < w->cap)
		w->buf[w->len] = '\0';
	return (int)w->len;
}
