/* fuzz_json.c — libFuzzer harness for json/tok and json/write.
 *
 * The input is the document. Every property is checked with abort(), so the
 * fuzzer reports it as a crash:
 * - parsed whole, in two or three pieces (split points derived from the
 *   data) and, for small inputs, a byte at a time: same result, same tokens;
 *   each piece is an exact-size heap copy, so ASan sees any read past len;
 * - fewer tokens or a lower depth limit can only turn the result into
 *   NOMEM / DEPTH, exactly when the document needs more;
 * - a refused duplicate key is one: it unescapes to an earlier key's bytes;
 * - an accepted document has sound tokens; every string unescapes to valid
 *   UTF-8, is found again by json_string_eq / json_object_get, and survives
 *   the writer and a re-parse; the whole document re-encoded by the writer
 *   parses to the same document; integers print back as they were read.
 * The parsers never allocate; the harness does (copies, scratch buffers). */
#include "json/tok.h"
#include "json/write.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NTOK    4096
#define DEPTH   32
#define MAX_IN  (1 << 16)
#define MAX_OUT (6 * MAX_IN + 64) /* every byte escaped as \u00XX, plus quotes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct json_tok whole[NTOK], other[NTOK], third[NTOK];
static char scratch[MAX_IN + 1], scratch2[MAX_IN + 1], out[MAX_OUT];

#define ASSERT(c)                                                                                  \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static int parse(const char *js, size_t len, int final, unsigned depth, struct json_tok *t,
                 unsigned ntoks)
{
	struct json_parser p;
	json_parser_init(&p, depth);
	return json_parse(&p, js, len, final, t, ntoks);
}

static int same_toks(const struct json_tok *a, const struct json_tok *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].type != b[i].type || a[i].start != b[i].start || a[i].end != b[i].end ||
		    a[i].size != b[i].size || a[i].parent != b[i].parent)
			return 0;
	return 1;
}

/* The document fed in pieces ending at cuts[0..ncuts) (ascending, < size),
 * each from an exact-size copy, then whole with final. */
static void check_pieces(const uint8_t *data, size_t size, const size_t *cuts, int ncuts, int want)
{
	struct json_parser p;
	int prev = JSON_ERR_PART, r;

	json_parser_init(&p, DEPTH);
	for (int k = 0; k < ncuts; k++) {
		char *copy = malloc(cuts[k] ? cuts[k] : 1);
		memcpy(copy, data, cuts[k]);
		r = json_parse(&p, copy, cuts[k], 0, other, NTOK);
		if (prev != JSON_ERR_PART && prev < 0)
			ASSERT(r == prev); /* sticky */
		/* A count comes only once the prefix is a whole document. */
		if (r >= 0)
			ASSERT(parse(copy, cuts[k], 1, DEPTH, third, NTOK) == r &&
			       (want < 0 || want == r));
		free(copy);
		if (r != JSON_ERR_PART && r < 0)
			ASSERT(r == want); /* a visible error is the document's error */
		prev = r;
	}
	r = json_parse(&p, (const char *)data, size, 1, other, NTOK);
	ASSERT(r == want);
	if (want > 0)
		ASSERT(same_toks(whole, other, want));
}

/* Deepest container nesting among n tokens (keys do not count). */
static unsigned doc_depth(const struct json_tok *t, int n)
{
	unsigned max = 0;
	for (int i = 0; i < n; i++) {
		unsigned d = 0;
		if (t[i].type != JSON_OBJECT && t[i].type != JSON_ARRAY)
			continue;
		for (int j = i; j >= 0; j = t[j].parent)
			d += t[j].type == JSON_OBJECT || t[j].type == JSON_ARRAY;
		if (d > max)
			max = d;
	}
	return max;
}

/* The subtree at i written out again; returns the next token. */
static int reencode(struct json_writer *w, const char *js, const struct json_tok *t, int i)
{
	const struct json_tok *k = &t[i];
	int n;

	switch (k->type) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (k->type == JSON_OBJECT)
			json_writer_object_open(w);
		else
			json_writer_array_open(w);
		i++;
		for (uint32_t m = 0; m < k->size; m++) {
			if (k->type == JSON_OBJECT) {
				n = json_string_copy(js, &t[i], scratch, sizeof(scratch));
				ASSERT(n >= 0);
				json_writer_key_n(w, scratch, (size_t)n);
				i++;
			}
			i = reencode(w, js, t, i);
		}
		if (k->type == JSON_OBJECT)
			json_writer_object_close(w);
		else
			json_writer_array_close(w);
		return i;
	case JSON_STRING:
		n = json_string_copy(js, k, scratch, sizeof(scratch));
		ASSERT(n >= 0);
		json_writer_string(w, scratch, (size_t)n);
		return i + 1;
	default: json_writer_raw(w, js + k->start, k->end - k->start); return i + 1;
	}
}

static void check_string(const char *js, const struct json_tok *t)
{
	int n = json_string_copy(js, t, scratch, sizeof(scratch));
	struct json_writer w;
	struct json_tok s[2];

	ASSERT(n >= 0 && (size_t)n <= t->end - t->start && scratch[n] == '\0');
	ASSERT(json_string_copy(js, t, NULL, 0) == n);
	if (n > 0)
		ASSERT(json_string_copy(js, t, scratch2, (size_t)n) == JSON_ERR_NOMEM);
	ASSERT(json_string_eq(js, t, scratch, (size_t)n));
	if (n > 0)
		ASSERT(!json_string_eq(js, t, scratch, (size_t)n - 1));
	for (int k = 0; k < n;) {
		int r = json_utf8_seq((const unsigned char *)scratch + k, (size_t)(n - k));
		ASSERT(r > 0);
		k += r;
	}
	/* Alone through the writer and back. */
	json_writer_init(&w, out, sizeof(out));
	json_writer_string(&w, scratch, (size_t)n);
	int len = json_writer_finish(&w);
	ASSERT(len >= n + 2);
	ASSERT(parse(out, (size_t)len, 1, DEPTH, s, 2) == 1 && s[0].type == JSON_STRING);
	ASSERT(json_string_eq(out, &s[0], scratch, (size_t)n));
	/* One byte short of room fails, without writing past it. */
	json_writer_init(&w, out, (size_t)len - 1);
	json_writer_string(&w, scratch, (size_t)n);
	ASSERT(json_writer_finish(&w) == JSON_ERR_NOMEM);
}

static void check_accepted(const char *js, size_t size, int n)
{
	struct json_writer w;
	uint64_t owed = 1;

	/* Token soundness: parents come first and are containers or keys,
	 * sizes add up to one complete tree, offsets stay inside. */
	for (int i = 0; i < n; i++) {
		const struct json_tok *t = &whole[i];
		ASSERT(t->type >= JSON_OBJECT && t->type <= JSON_NULL);
		ASSERT(t->start <= t->end && t->end <= size);
		ASSERT(i == 0 ? t->parent == -1 : t->parent >= 0 && t->parent < i);
		if (t->parent >= 0) {
			uint8_t pt = whole[t->parent].type;
			ASSERT(pt == JSON_OBJECT || pt == JSON_ARRAY ||
			       (pt == JSON_STRING && whole[t->parent].size == 1));
			if (pt == JSON_OBJECT)
				ASSERT(t->type == JSON_STRING && t->size == 1);
		}
		owed = owed - 1 + t->size;
		ASSERT(owed > 0 || i == n - 1);
	}
	ASSERT(owed == 0);
	ASSERT(json_tok_skip(whole, n, 0) == n);

	for (int i = 0; i < n; i++) {
		const struct json_tok *t = &whole[i];
		if (t->type == JSON_STRING)
			check_string(js, t);
		if (t->type == JSON_NUMBER) {
			int64_t v;
			if (json_int64(js, t, &v) == 0) {
				json_writer_init(&w, out, sizeof(out));
				json_writer_int(&w, v);
				int len = json_writer_finish(&w);
				size_t tl = t->end - t->start;
				ASSERT(v <= (INT64_C(1) << 53) && v >= -(INT64_C(1) << 53));
				ASSERT(((size_t)len == tl && memcmp(out, js + t->start, tl) == 0) ||
				       (v == 0 && tl == 2 && memcmp(js + t->start, "-0", 2) == 0));
			}
		}
		if (t->type == JSON_OBJECT) {
			/* Keys are unique, so each one's lookup finds itself. */
			int k = i + 1;
			for (uint32_t m = 0; m < t->size; m++) {
				int len =
				    json_string_copy(js, &whole[k], scratch2, sizeof(scratch2));
				ASSERT(len >= 0);
				if (strlen(scratch2) == (size_t)len)
					ASSERT(json_object_get(js, whole, n, i, scratch2) == k + 1);
				k = json_tok_skip(whole, n, k + 1);
			}
			ASSERT(k == json_tok_skip(whole, n, i));
		}
	}

	/* The whole document through the writer: measured, written, re-parsed. */
	json_writer_init(&w, NULL, 0);
	reencode(&w, js, whole, 0);
	int len = json_writer_finish(&w);
	ASSERT(len > 0 && (size_t)len < sizeof(out));
	json_writer_init(&w, out, sizeof(out));
	reencode(&w, js, whole, 0);
	ASSERT(json_writer_finish(&w) == len);
	ASSERT(parse(out, (size_t)len, 1, DEPTH, other, NTOK) == n);
	for (int i = 0; i < n; i++) {
		ASSERT(other[i].type == whole[i].type && other[i].size == whole[i].size &&
		       other[i].parent == whole[i].parent);
		if (whole[i].type == JSON_STRING) {
			int a = json_string_copy(js, &whole[i], scratch, sizeof(scratch));
			ASSERT(a >= 0 && json_string_eq(out, &other[i], scratch, (size_t)a));
		} else if (whole[i].type != JSON_OBJECT && whole[i].type != JSON_ARRAY) {
			size_t tl = whole[i].end - whole[i].start;
			ASSERT(other[i].end - other[i].start == tl &&
			       memcmp(out + other[i].start, js + whole[i].start, tl) == 0);
		}
	}
}

/* The document gave JSON_ERR_DUPKEY: the key written last (white box: the
 * parser's toknext says which) unescapes to the bytes of an earlier key of
 * its object. The tokenizer finds it by hash; this looks at every key. */
static void check_dupkey(const char *js, size_t size)
{
	struct json_parser p;
	int found = 0;

	json_parser_init(&p, DEPTH);
	ASSERT(json_parse(&p, js, size, 1, whole, NTOK) == JSON_ERR_DUPKEY);
	int k = (int)p.toknext - 1, obj = whole[k].parent;
	int n = json_string_copy(js, &whole[k], scratch, sizeof(scratch));
	ASSERT(n >= 0 && whole[k].size == 1 && obj >= 0 && whole[obj].type == JSON_OBJECT);
	for (int j = obj + 1; j < k && !found; j++) {
		if (whole[j].parent != obj)
			continue;
		int m = json_string_copy(js, &whole[j], scratch2, sizeof(scratch2));
		found = m == n && memcmp(scratch, scratch2, (size_t)n) == 0;
	}
	ASSERT(found);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *js = (const char *)data;
	uint32_t h = 2166136261u;
	size_t cuts[3];
	int r, r2;

	if (size > MAX_IN)
		return 0;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;

	r = parse(js, size, 1, DEPTH, whole, NTOK);
	ASSERT(r != JSON_ERR_PART);
	ASSERT(parse(js, size, 1, DEPTH, other, NTOK) == r); /* deterministic */

	/* Pieces: one cut, two cuts, and byte by byte when small. */
	if (size > 0) {
		cuts[0] = h % size;
		check_pieces(data, size, cuts, 1, r);
		cuts[1] = cuts[0] + (h >> 16) % (size - cuts[0]);
		check_pieces(data, size, cuts, 2, r);
	}
	if (size <= 512) {
		struct json_parser p;
		json_parser_init(&p, DEPTH);
		for (size_t k = 0; k < size; k++) {
			r2 = json_parse(&p, js, k, 0, other, NTOK);
			ASSERT(r2 == JSON_ERR_PART || r2 >= 0 || r2 == r);
		}
		ASSERT(json_parse(&p, js, size, 1, other, NTOK) == r);
		if (r > 0)
			ASSERT(same_toks(whole, other, r));
	}

	/* Fewer tokens: the same, or NOMEM exactly when they do not fit. */
	unsigned few = h % 64;
	r2 = parse(js, size, 1, DEPTH, other, few);
	if (r >= 0)
		ASSERT(r2 == ((unsigned)r <= few ? r : JSON_ERR_NOMEM));
	else
		ASSERT(r2 == r || r2 == JSON_ERR_NOMEM);

	/* A lower depth limit: the same, or DEPTH exactly when too deep. */
	unsigned depth = (h >> 8) % (DEPTH + 1);
	r2 = parse(js, size, 1, depth, other, NTOK);
	if (r >= 0)
		ASSERT(r2 == (doc_depth(whole, r) <= depth ? r : JSON_ERR_DEPTH));
	else
		ASSERT(r2 == r || r2 == JSON_ERR_DEPTH);

	if (r > 0)
		check_accepted(js, size, r);
	if (r == JSON_ERR_DUPKEY)
		check_dupkey(js, size);
	return 0;
}
