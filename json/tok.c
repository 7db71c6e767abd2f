/* tok.c — strict resumable JSON tokenizer; see tok.h for the contract.
 *
 * How resuming works (jsmn's way): the saved position only ever moves past
 * complete tokens and structural characters, together with the grammar
 * state. A string, number or literal cut by the end of the buffer is not
 * consumed: the next call scans it again from its first byte. Every check is
 * made in document order and decided only from bytes already visible, so the
 * first error found is the same whether the document comes whole or a byte
 * at a time; a cut token just says JSON_ERR_PART (or INVAL when final).
 *
 * Nesting is tracked without recursion: the parser keeps the index of the
 * innermost open container and walks back through the tokens' parent links
 * when it closes. */
#include "json/tok.h"

#include <limits.h>
#include <string.h>

/* What the grammar allows at the next non-whitespace byte. */
enum {
	EXP_VALUE = 0,      /* document start, after ':' or after ',' in an array */
	EXP_VALUE_OR_CLOSE, /* after '[' */
	EXP_KEY,            /* after ',' in an object */
	EXP_KEY_OR_CLOSE,   /* after '{' */
	EXP_COLON,          /* after a key */
	EXP_COMMA_OR_CLOSE, /* after a value inside a container */
	EXP_END,            /* after the top-level value: whitespace only */
};

/* A token cut by the end of the buffer: wait for more, unless there is none. */
static int need_more(int final)
{
	return final ? JSON_ERR_INVAL : JSON_ERR_PART;
}

int json_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
	size_t want, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		want = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		want = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* U+D800..DFFF are not characters */
	} else if (c >= 0xF0 && c <= 0xF4) {
		want = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return JSON_ERR_INVAL; /* continuation byte, C0/C1 overlong, F5.. */
	}
	for (i = 1; i < want; i++) {
		if (i >= n)
			return JSON_ERR_PART;
		if (s[i] < lo || s[i] > hi)
			return JSON_ERR_INVAL;
		lo = 0x80;
		hi = 0xBF;
	}
	return (int)want;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s[0..n): 0 with *v set, PART if cut, INVAL. */
static int hex4(const unsigned char *s, size_t n, uint32_t *v)
{
	uint32_t x = 0;
	for (size_t i = 0; i < 4; i++) {
		if (i >= n)
			return JSON_ERR_PART;
		int d = hex_value(s[i]);
		if (d < 0)
			return JSON_ERR_INVAL;
		x = x << 4 | (uint32_t)d;
	}
	*v = x;
	return 0;
}

/* The escape after a backslash at s[i] (s[i] itself is the byte after the
 * backslash). Returns the escape's length from s[i], PART or INVAL. A high
 * surrogate must be followed at once by an escaped low one. */
static int scan_escape(const unsigned char *s, uint32_t len, uint32_t i)
{
	uint32_t cp, lo;
	int r;

	if (memchr("\"\\/bfnrt", s[i], 8))
		return 1;
	if (s[i] != 'u')
		return JSON_ERR_INVAL;
	r = hex4(s + i + 1, len - i - 1, &cp);
	if (r < 0)
		return r;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return JSON_ERR_INVAL; /* low surrogate first */
	if (cp < 0xD800 || cp > 0xDBFF)
		return 5;
	i += 5;
	if (i >= len)
		return JSON_ERR_PART;
	if (s[i] != '\\')
		return JSON_ERR_INVAL;
	if (i + 1 >= len)
		return JSON_ERR_PART;
	if (s[i + 1] != 'u')
		return JSON_ERR_INVAL;
	r = hex4(s + i + 2, len - i - 2, &lo);
	if (r < 0)
		return r;
	if (lo < 0xDC00 || lo > 0xDFFF)
		return JSON_ERR_INVAL;
	return 11;
}

/* String body from s[i] (just after the opening quote). Returns 0 with *end
 * at the closing quote, PART or INVAL. */
static int scan_string(const unsigned char *s, uint32_t len, uint32_t i, uint32_t *end)
{
	int r;

	while (i < len) {
		unsigned char c = s[i];
		if (c == '"') {
			*end = i;
			return 0;
		}
		if (c < 0x20)
			return JSON_ERR_INVAL;
		if (c == '\\') {
			if (++i >= len)
				return JSON_ERR_PART;
			r = scan_escape(s, len, i);
		} else {
			r = json_utf8_seq(s + i, len - i);
		}
		if (r < 0)
			return r;
		i += (uint32_t)r;
	}
	return JSON_ERR_PART;
}

/* Number from s[i]: '-'? int frac? exp?, as a small state machine. Returns 0
 * with *end one past it, PART (it may go on) or INVAL. */
static int scan_number(const unsigned char *s, uint32_t len, uint32_t i, int final, uint32_t *end)
{
	/* States: 0 before the first digit, 1 after a leading '0', 2 in
	 * integer digits, 3 after '.', 4 in fraction, 5 after 'e', 6 after
	 * the exponent's sign, 7 in exponent digits. 1, 2, 4 and 7 may end
	 * the number. */
	int st = 0;

	if (s[i] == '-')
		i++;
	for (; i < len; i++) {
		unsigned char c = s[i];
		int digit = c >= '0' && c <= '9';
		int next = -1;
		switch (st) {
		case 0: next = c == '0' ? 1 : digit ? 2 : -1; break;
		case 1:
		case 2:
			if (st == 2 && digit)
				next = 2;
			else if (c == '.')
				next = 3;
			else if (c == 'e' || c == 'E')
				next = 5;
			break;
		case 3:
		case 4:
			if (digit)
				next = 4;
			else if (st == 4 && (c == 'e' || c == 'E'))
				next = 5;
			break;
		case 5: next = c == '+' || c == '-' ? 6 : digit ? 7 : -1; break;
		default: /* 6, 7 */ next = digit ? 7 : -1; break;
		}
		if (next < 0)
			break;
		st = next;
	}
	if (i == len && !final)
		return JSON_ERR_PART; /* more digits may follow */
	if (st != 1 && st != 2 && st != 4 && st != 7)
		return JSON_ERR_INVAL;
	*end = i;
	return 0;
}

/* Literal true/false/null from s[i]. Returns 0 with *type and *end set,
 * PART or INVAL. */
static int scan_literal(const unsigned char *s, uint32_t len, uint32_t i, uint8_t *type,
                        uint32_t *end)
{
	const char *word = s[i] == 't' ? "true" : s[i] == 'f' ? "false" : "null";
	size_t n = strlen(word);

	*type = s[i] == 't' ? JSON_TRUE : s[i] == 'f' ? JSON_FALSE : JSON_NULL;
	for (size_t k = 0; k < n; k++) {
		if (i + k >= len)
			return JSON_ERR_PART;
		if (s[i + k] != (unsigned char)word[k])
			return JSON_ERR_INVAL;
	}
	*end = i + (uint32_t)n;
	return 0;
}

/* Unescaping reader over a string token, one output byte at a time, so keys
 * can be compared and strings copied without a buffer. Bounded by the token
 * even if the token did not come from the parser. */
struct unesc {
	const unsigned char *s;
	uint32_t i, end;
	unsigned char buf[4]; /* pending bytes of a \u escape's UTF-8 */
	uint8_t n, k;
};

static void unesc_init(struct unesc *u, const char *js, const struct json_tok *t)
{
	u->s = (const unsigned char *)js;
	u->i = t->start;
	u->end = t->end > t->start ? t->end : t->start;
	u->n = u->k = 0;
}

static uint8_t utf8_encode(uint32_t cp, unsigned char *b)
{
	static const unsigned char lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
	uint8_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

	for (int k = n - 1; k > 0; k--, cp >>= 6)
		b[k] = (unsigned char)(0x80 | (cp & 0x3F));
	b[0] = (unsigned char)(lead[n] | cp);
	return n;
}

/* Next unescaped byte, or -1 at the end. */
static int unesc_next(struct unesc *u)
{
	static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
	const char *e;
	uint32_t cp, lo;
	unsigned char c;

	if (u->k < u->n)
		return u->buf[u->k++];
	if (u->i >= u->end)
		return -1;
	c = u->s[u->i++];
	if (c != '\\')
		return c;
	if (u->i >= u->end)
		return -1;
	c = u->s[u->i++];
	if ((e = memchr(from, c, 5)) != NULL)
		return to[e - from];
	if (c != 'u')
		return c; /* " \ / */
	if (hex4(u->s + u->i, u->end - u->i, &cp) < 0)
		return -1;
	u->i += 4;
	if (cp >= 0xD800 && cp <= 0xDBFF && u->end - u->i >= 6 && u->s[u->i] == '\\' &&
	    u->s[u->i + 1] == 'u' && hex4(u->s + u->i + 2, 4, &lo) == 0 && lo >= 0xDC00 &&
	    lo <= 0xDFFF) {
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		u->i += 6;
	}
	u->n = utf8_encode(cp, u->buf);
	u->k = 1;
	return u->buf[0];
}

/* Bytes before the first backslash of s[0..n): text that is its own
 * unescaping. */
static uint32_t plain_len(const unsigned char *s, uint32_t n)
{
	const unsigned char *b = memchr(s, '\\', n);
	return b ? (uint32_t)(b - s) : n;
}

/* Do two string tokens unescape to the same bytes? Raw-equal text is the
 * common yes (a repeated key is usually spelled the same way). Otherwise
 * the raw bytes before the first backslash are their own unescaping, and
 * from there both are unescaped, up to the first difference: O(the shorter
 * token), whatever the other one holds. */
static int string_tok_eq(const char *js, const struct json_tok *a, const struct json_tok *b)
{
	const unsigned char *s = (const unsigned char *)js;
	uint32_t na = a->end - a->start, nb = b->end - b->start, i = na < nb ? na : nb;
	struct unesc ua, ub;
	int ca, cb;

	if (na == nb && memcmp(js + a->start, js + b->start, na) == 0)
		return 1;
	i = plain_len(s + a->start, plain_len(s + b->start, i));
	if (memcmp(js + a->start, js + b->start, i) != 0)
		return 0;
	if (i == na || i == nb)
		return 0; /* text left after the other ends unescapes to at least a byte */
	unesc_init(&ua, js, a);
	unesc_init(&ub, js, b);
	ua.i += i;
	ub.i += i;
	do {
		ca = unesc_next(&ua);
		cb = unesc_next(&ub);
		if (ca != cb)
			return 0;
	} while (ca >= 0);
	return 1;
}

/* Duplicate keys, without comparing every pair of keys and without memory
 * of our own. Each token has three bytes that would otherwise be padding
 * (json_tok.priv), used as follows:
 * - a key holds a 24-bit hash of its unescaped bytes (FNV-1a, folded);
 * - a member's value holds the distance from its key back to the previous
 *   key of the same object: 0 for the first member, LINK_FAR when it does
 *   not fit (then the previous key is found by walking parent links).
 * A new key walks back over the object's earlier keys only, stepping over
 * their values' subtrees at once, and compares strings only where the
 * hashes match. The walk is still one step per earlier member, so an object
 * costs O(members²) steps: JSON_MAX_OBJECT_MEMBERS bounds that.
 *
 * The hash is not keyed, so a peer can craft keys that all share one hash
 * and make every match a string comparison. Two limits keep that cheap: a
 * comparison costs O(the new key) (string_tok_eq above), and a key may meet
 * at most JSON_MAX_KEY_COLLISIONS earlier keys with its hash but another
 * name (one more is NOMEM, even if a duplicate lies further back), so
 * comparisons cost O(JSON_MAX_KEY_COLLISIONS x document) in all. Honest keys
 * almost never reach the limit: with k earlier members, the number of
 * innocent matches is about k / 2^24.
 *
 * Everything is decided when a key or a value token is written, from tokens
 * already written, so resuming changes nothing. */
#define HASH_MASK 0xFFFFFFu
#define LINK_FAR  0xFFFFFFu

_Static_assert(sizeof(struct json_tok) == 20, "json_tok.priv must fill padding, not grow tokens");

static uint32_t priv_get(const struct json_tok *t)
{
	return (uint32_t)t->priv[0] | (uint32_t)t->priv[1] << 8 | (uint32_t)t->priv[2] << 16;
}

static void priv_set(struct json_tok *t, uint32_t v)
{
	t->priv[0] = (uint8_t)v;
	t->priv[1] = (uint8_t)(v >> 8);
	t->priv[2] = (uint8_t)(v >> 16);
}

/* FNV-1a of the unescaped bytes of string token t, folded to 24 bits. Raw
 * text up to the first backslash is its own unescaping. */
static uint32_t key_hash(const char *js, const struct json_tok *t)
{
	const unsigned char *s = (const unsigned char *)js;
	uint32_t h = 2166136261u, i = t->start, plain = i + plain_len(s + i, t->end - i);
	struct unesc u;
	int c;

	while (i < plain)
		h = (h ^ s[i++]) * 16777619u;
	if (i < t->end) {
		unesc_init(&u, js, t);
		u.i = i;
		while ((c = unesc_next(&u)) >= 0)
			h = (h ^ (uint32_t)c) * 16777619u;
	}
	return (h ^ h >> 24) & HASH_MASK;
}

/* The last key of object obj before index i (i inside obj's subtree), or -1.
 * Token i - 1 ends the member before i; its parent links lead up to that
 * member's key, one step per nesting level. */
static int32_t key_before(const struct json_tok *toks, int32_t obj, int32_t i)
{
	int32_t j = i - 1;

	while (j != obj && toks[j].parent != obj)
		j = toks[j].parent;
	return j == obj ? -1 : j;
}

static int tok_alloc(struct json_parser *p, struct json_tok *toks, unsigned ntoks, uint8_t type,
                     uint32_t start, uint32_t end)
{
	struct json_tok *t;
	int32_t parent = p->cont;
	uint32_t link = 0;

	if (p->toknext >= ntoks)
		return JSON_ERR_NOMEM;
	/* A member value hangs from its key, which is always the token just
	 * before it; a key (expect != EXP_VALUE) hangs from the object. */
	if (parent >= 0 && toks[parent].type == JSON_OBJECT && p->expect == EXP_VALUE) {
		int32_t key = (int32_t)p->toknext - 1, prev = key_before(toks, parent, key);
		uint32_t d = prev < 0 ? 0 : (uint32_t)(key - prev);
		link = d < LINK_FAR ? d : LINK_FAR;
		parent = key;
	} else if (parent >= 0) {
		toks[parent].size++;
	}
	t = &toks[p->toknext];
	t->type = type;
	priv_set(t, link);
	t->start = start;
	t->end = end;
	t->size = 0;
	t->parent = parent;
	return (int)p->toknext++;
}

/* A key was just written at index k of object obj: refuse it if an earlier
 * member has the same unescaped name (see "Duplicate keys" above). */
static int check_dupkey(const char *js, struct json_tok *toks, int32_t obj, int32_t k)
{
	uint32_t h = key_hash(js, &toks[k]), link;
	int32_t j = key_before(toks, obj, k);
	unsigned misses = 0;

	priv_set(&toks[k], h);
	while (j >= 0) {
		const struct json_tok *key = &toks[j], *val = key + 1;
		/* The low byte first: it settles all but 1/256 of the keys. */
		if (key->priv[0] == (uint8_t)h && priv_get(key) == h) {
			if (string_tok_eq(js, key, &toks[k]))
				return JSON_ERR_DUPKEY;
			if (++misses > JSON_MAX_KEY_COLLISIONS)
				return JSON_ERR_NOMEM;
		}
		if (val->priv[0] == 2 && val->priv[1] == 0 && val->priv[2] == 0) {
			/* A scalar or empty value, the common case: a branch
			 * the CPU predicts, not a wait for the load. */
			j -= 2;
			continue;
		}
		link = priv_get(val);
		if (link == 0)
			break;
		j = link == LINK_FAR ? key_before(toks, obj, j) : j - (int32_t)link;
	}
	return 0;
}

/* After a complete value: the document ends at top level, else a comma or
 * the container's closer comes next. */
static void value_done(struct json_parser *p)
{
	p->expect = p->cont < 0 ? EXP_END : EXP_COMMA_OR_CLOSE;
}

/* One value starting at s[pos] (not whitespace). Returns 0 or an error. */
static int parse_value(struct json_parser *p, const unsigned char *s, uint32_t len, int final,
                       struct json_tok *toks, unsigned ntoks)
{
	uint32_t pos = p->pos, end = 0;
	uint8_t type;
	int r;

	switch (s[pos]) {
	case '{':
	case '[':
		if (p->depth >= p->max_depth)
			return JSON_ERR_DEPTH;
		r = tok_alloc(p, toks, ntoks, s[pos] == '{' ? JSON_OBJECT : JSON_ARRAY, pos, 0);
		if (r < 0)
			return r;
		p->cont = r;
		p->depth++;
		p->expect = s[pos] == '{' ? EXP_KEY_OR_CLOSE : EXP_VALUE_OR_CLOSE;
		p->pos = pos + 1;
		return 0;
	case '"':
		r = scan_string(s, len, pos + 1, &end);
		if (r == JSON_ERR_PART)
			r = need_more(final);
		if (r < 0)
			return r;
		type = JSON_STRING;
		pos++;
		break;
	case 't':
	case 'f':
	case 'n':
		r = scan_literal(s, len, pos, &type, &end);
		if (r == JSON_ERR_PART)
			r = need_more(final);
		if (r < 0)
			return r;
		break;
	default:
		if (s[pos] != '-' && (s[pos] < '0' || s[pos] > '9'))
			return JSON_ERR_INVAL;
		r = scan_number(s, len, pos, final, &end);
		if (r < 0)
			return r;
		type = JSON_NUMBER;
		break;
	}
	r = tok_alloc(p, toks, ntoks, type, pos, end);
	if (r < 0)
		return r;
	p->pos = type == JSON_STRING ? end + 1 : end;
	value_done(p);
	return 0;
}

/* A key starting at the quote s[pos]. */
static int parse_key(struct json_parser *p, const char *js, uint32_t len, int final,
                     struct json_tok *toks, unsigned ntoks)
{
	uint32_t end = 0;
	int r = scan_string((const unsigned char *)js, len, p->pos + 1, &end);

	if (r == JSON_ERR_PART)
		r = need_more(final);
	if (r < 0)
		return r;
	r = tok_alloc(p, toks, ntoks, JSON_STRING, p->pos + 1, end);
	if (r < 0)
		return r;
	toks[r].size = 1;
	if (toks[p->cont].size > JSON_MAX_OBJECT_MEMBERS)
		return JSON_ERR_NOMEM;
	r = check_dupkey(js, toks, p->cont, r);
	if (r < 0)
		return r;
	p->pos = end + 1;
	p->expect = EXP_COLON;
	return 0;
}

/* The closer s[pos] of the innermost container. */
static int parse_close(struct json_parser *p, unsigned char c, struct json_tok *toks)
{
	struct json_tok *t = &toks[p->cont];
	int32_t up;

	if (c != (t->type == JSON_OBJECT ? '}' : ']'))
		return JSON_ERR_INVAL;
	t->end = p->pos + 1;
	up = t->parent;
	if (up >= 0 && toks[up].type == JSON_STRING)
		up = toks[up].parent; /* a member value: its key's object */
	p->cont = up;
	p->depth--;
	p->pos++;
	value_done(p);
	return 0;
}

void json_parser_init(struct json_parser *p, unsigned max_depth)
{
	p->pos = 0;
	p->toknext = 0;
	p->cont = -1;
	p->depth = 0;
	p->max_depth = max_depth;
	p->err = 0;
	p->expect = EXP_VALUE;
}

/* One grammar step at the non-whitespace byte s[p->pos]. */
static int parse_step(struct json_parser *p, const char *js, uint32_t len, int final,
                      struct json_tok *toks, unsigned ntoks)
{
	const unsigned char *s = (const unsigned char *)js;
	unsigned char c = s[p->pos];

	switch (p->expect) {
	case EXP_VALUE: return parse_value(p, s, len, final, toks, ntoks);
	case EXP_VALUE_OR_CLOSE:
		if (c == ']')
			return parse_close(p, c, toks);
		return parse_value(p, s, len, final, toks, ntoks);
	case EXP_KEY_OR_CLOSE:
		if (c == '}')
			return parse_close(p, c, toks);
		/* fall through */
	case EXP_KEY:
		if (c != '"')
			return JSON_ERR_INVAL;
		return parse_key(p, js, len, final, toks, ntoks);
	case EXP_COLON:
		if (c != ':')
			return JSON_ERR_INVAL;
		p->pos++;
		p->expect = EXP_VALUE;
		return 0;
	case EXP_COMMA_OR_CLOSE:
		if (c == ',') {
			p->pos++;
			p->expect = toks[p->cont].type == JSON_OBJECT ? EXP_KEY : EXP_VALUE;
			return 0;
		}
		return parse_close(p, c, toks);
	default: /* EXP_END: only whitespace may follow the document */ return JSON_ERR_INVAL;
	}
}

int json_parse(struct json_parser *p, const char *js, size_t len, int final, struct json_tok *toks,
               unsigned ntoks)
{
	int r;

	if (p->err)
		return p->err;
	if (len > UINT32_MAX - 1 || len < p->pos) {
		p->err = JSON_ERR_INVAL;
		return p->err;
	}
	if (ntoks > INT_MAX)
		ntoks = INT_MAX; /* the count must fit the return value */
	for (;;) {
		while (p->pos < len && (js[p->pos] == ' ' || js[p->pos] == '\t' ||
		                        js[p->pos] == '\n' || js[p->pos] == '\r'))
			p->pos++;
		if (p->pos == len) {
			if (p->expect == EXP_END)
				return (int)p->toknext;
			if (final)
				p->err = JSON_ERR_INVAL;
			return final ? JSON_ERR_INVAL : JSON_ERR_PART;
		}
		r = parse_step(p, js, (uint32_t)len, final, toks, ntoks);
		if (r == JSON_ERR_PART)
			return r;
		if (r < 0) {
			p->err = (int8_t)r;
			return r;
		}
	}
}

int json_tok_skip(const struct json_tok *toks, int ntoks, int i)
{
	/* Tokens are in document order and each one's size counts its direct
	 * children (a key has one: its value), so the subtree ends when the
	 * children still owed drop to zero. */
	uint64_t owed = 1;

	if (i < 0 || i >= ntoks)
		return ntoks;
	while (owed > 0 && i < ntoks) {
		owed = owed - 1 + toks[i].size;
		i++;
	}
	return i;
}

int json_object_get(const char *js, const struct json_tok *toks, int ntoks, int obj,
                    const char *key)
{
	size_t n = strlen(key);
	int i;

	if (obj < 0 || obj >= ntoks || toks[obj].type != JSON_OBJECT)
		return -1;
	i = obj + 1;
	for (uint32_t m = 0; m < toks[obj].size && i + 1 < ntoks; m++) {
		if (json_string_eq(js, &toks[i], key, n))
			return i + 1;
		i = json_tok_skip(toks, ntoks, i + 1);
	}
	return -1;
}

int json_string_copy(const char *js, const struct json_tok *t, char *dst, size_t cap)
{
	struct unesc u;
	size_t n = 0;
	int c;

	if (t->type != JSON_STRING)
		return JSON_ERR_INVAL;
	unesc_init(&u, js, t);
	while ((c = unesc_next(&u)) >= 0) {
		if (dst && n + 1 < cap)
			dst[n] = (char)c;
		n++;
	}
	if (n > INT_MAX || (dst && n + 1 > cap)) {
		if (dst && cap > 0)
			dst[0] = '\0';
		return JSON_ERR_NOMEM;
	}
	if (dst)
		dst[n] = '\0';
	return (int)n;
}

int json_string_eq(const char *js, const struct json_tok *t, const char *s, size_t n)
{
	struct unesc u;
	size_t k = 0;
	int c;

	if (t->type != JSON_STRING)
		return 0;
	unesc_init(&u, js, t);
	while ((c = unesc_next(&u)) >= 0) {
		if (k >= n || (unsigned char)s[k] != c)
			return 0;
		k++;
	}
	return k == n;
}

int json_int64(const char *js, const struct json_tok *t, int64_t *out)
{
	const uint64_t limit = (uint64_t)1 << 53;
	uint32_t i = t->start;
	uint64_t v = 0;
	int neg = 0;

	if (t->type != JSON_NUMBER || t->end <= t->start)
		return JSON_ERR_INVAL;
	if (js[i] == '-') {
		neg = 1;
		i++;
	}
	if (i == t->end)
		return JSON_ERR_INVAL;
	for (; i < t->end; i++) {
		if (js[i] < '0' || js[i] > '9')
			return JSON_ERR_INVAL; /* fraction or exponent */
		v = v * 10 + (uint64_t)(js[i] - '0');
		if (v > limit)
			return JSON_ERR_INVAL; /* checked every digit: cannot wrap */
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}
