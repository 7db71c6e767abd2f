/* names.c — NFC through utf8proc without allocating, then the SPEC §3 checks.
 *
 * utf8proc_NFC() is utf8proc_map() with COMPOSE | STABLE, and utf8proc_map()
 * mallocs a buffer for the steps it chains. The same steps are called here
 * on one static, bounded array: utf8proc_decompose() (decodes and validates
 * UTF-8, decomposes canonically, puts marks in canonical order),
 * utf8proc_normalize_utf32() (composes), our checks on the composed code
 * points, utf8proc_reencode() (UTF-8, in place in the array). Then the bytes
 * are copied out when the caller's buffer holds them. */
#include "core/names.h"

#include <string.h>
#include <utf8proc.h>

#define NAMES_NFC (UTF8PROC_COMPOSE | UTF8PROC_STABLE)

/* The decomposition, then the composition, then the UTF-8 bytes. The spare
 * entry is the one byte utf8proc_reencode() may write past 4 bytes per code
 * point (its NUL). */
static utf8proc_int32_t names_scratch[NAMES_SCRATCH + 1];

static size_t names_limit(enum names_kind kind)
{
	switch (kind) {
	case NAMES_FILE: return NAMES_FILE_MAX;
	case NAMES_DEVICE: return NAMES_DEVICE_MAX;
	}
	return 0;
}

static int names_char_bad(utf8proc_int32_t c)
{
	return c == '/' || c == '\\' || utf8proc_category(c) == UTF8PROC_CATEGORY_CC ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* The NFC form of src[0..n), checked as one name of at most limit bytes.
 * Returns its length, with the bytes (NUL-terminated) in names_scratch, or
 * NAMES_ERR_*. */
static int names_nfc(const char *src, size_t n, size_t limit)
{
	if (n == 0)
		return NAMES_ERR_EMPTY;
	/* Also bounds the decomposition's canonical ordering, which is quadratic
	 * in a run of marks. */
	if (n > NAMES_INPUT_FACTOR * limit)
		return NAMES_ERR_LONG;
	utf8proc_ssize_t k = utf8proc_decompose((const utf8proc_uint8_t *)src, (utf8proc_ssize_t)n,
	                                        names_scratch, NAMES_SCRATCH, NAMES_NFC);
	/* With these options and this length, invalid UTF-8 is the only error. */
	if (k < 0)
		return NAMES_ERR_UTF8;
	/* More code points than the scratch holds (utf8proc then only counts
	 * them): the NFC form has more than limit code points (names.h). */
	if (k > NAMES_SCRATCH)
		return NAMES_ERR_LONG;
	k = utf8proc_normalize_utf32(names_scratch, k, NAMES_NFC);
	for (utf8proc_ssize_t i = 0; i < k; i++)
		if (names_char_bad(names_scratch[i]))
			return NAMES_ERR_CHAR;
	utf8proc_ssize_t len = utf8proc_reencode(names_scratch, k, 0); /* 0: already composed */
	if (len < 0 || (size_t)len > limit)
		return NAMES_ERR_LONG;
	const char *s = (const char *)names_scratch;
	if (s[0] == '.' && (len == 1 || (len == 2 && s[1] == '.')))
		return NAMES_ERR_DOT;
	return (int)len;
}

/* Copies s[0..len) and a NUL to dst[off..cap). Returns len, or
 * NAMES_ERR_SPACE when they do not fit. dst NULL: only returns len. */
static int names_put(char *dst, size_t cap, size_t off, const void *s, int len)
{
	if (dst == NULL)
		return len;
	if (off >= cap || cap - off <= (size_t)len)
		return NAMES_ERR_SPACE;
	memcpy(dst + off, s, (size_t)len);
	dst[off + (size_t)len] = '\0';
	return len;
}

static int names_fail(char *dst, size_t cap, int err)
{
	if (dst != NULL && cap > 0)
		dst[0] = '\0';
	return err;
}

int names_normalize(enum names_kind kind, const char *src, size_t n, char *dst, size_t cap)
{
	int r = names_nfc(src, n, names_limit(kind));
	if (r >= 0)
		r = names_put(dst, cap, 0, names_scratch, r);
	return r < 0 ? names_fail(dst, cap, r) : r;
}

/* Component by component, straight into dst. Once dst is full, the rest is
 * still validated, so NAMES_ERR_SPACE only ever means "valid, but too big
 * for dst". */
int names_normalize_path(const char *src, size_t n, char *dst, size_t cap)
{
	int fits = dst != NULL;
	size_t start = 0, len = 0;

	if (n == 0) /* "": a lone file */
		return names_put(dst, cap, 0, "", 0);
	if (n > NAMES_INPUT_FACTOR * NAMES_PATH_MAX)
		return names_fail(dst, cap, NAMES_ERR_LONG);
	for (;;) {
		const char *slash = memchr(src + start, '/', n - start);
		size_t end = slash != NULL ? (size_t)(slash - src) : n;
		int r = names_nfc(src + start, end - start, NAMES_FILE_MAX);
		if (r < 0)
			return names_fail(dst, cap, r);
		if (len + (size_t)r > NAMES_PATH_MAX)
			return names_fail(dst, cap, NAMES_ERR_LONG);
		if (fits)
			fits = names_put(dst, cap, len, names_scratch, r) >= 0;
		len += (size_t)r;
		if (slash == NULL)
			break;
		if (fits)
			dst[len] = '/'; /* over the NUL names_put wrote */
		len++;
		start = end + 1;
	}
	if (dst != NULL && !fits)
		return names_fail(dst, cap, NAMES_ERR_SPACE);
	return (int)len;
}

const char *names_strerror(int err)
{
	switch (err) {
	case NAMES_OK: return "The name is valid.";
	case NAMES_ERR_UTF8: return "The name is not valid UTF-8.";
	case NAMES_ERR_EMPTY: return "The name, or a folder name in the path, is empty.";
	case NAMES_ERR_DOT: return "A file or folder cannot be named \".\" or \"..\".";
	case NAMES_ERR_CHAR:
		return "The name contains a character that is not allowed: a slash, a backslash, "
		       "a control character, or a bidirectional override or isolate.";
	case NAMES_ERR_LONG: /* the numbers are NAMES_*_MAX; test_names checks them */
		return "The name is too long: in NFC, a file or folder name may have at most 255 "
		       "bytes, a path 1024, a device name 64.";
	case NAMES_ERR_SPACE: return "The name did not fit the hub's buffer (a bug in the hub).";
	}
	return "The name is not valid.";
}
