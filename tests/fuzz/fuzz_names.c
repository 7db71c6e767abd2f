/* fuzz_names.c — libFuzzer harness for names_normalize (file and device
 * names) and names_normalize_path.
 *
 * The input is tried as a file name, a device name and a path, each against
 * an oracle built apart from names.c: a per-code-point UTF-8 decoder (not
 * utf8proc's) for validity and the forbidden characters, and utf8proc_map()
 * — the allocating NFC the module may not use — for the NFC form. An
 * accepted name must be exactly that NFC form, valid UTF-8, free of
 * forbidden characters, within its limit, not "", "." or "..", and must
 * normalize to itself again; a refused one must have a fault the oracle
 * sees, and a name without faults must not be refused. The length-only
 * query, an exact-size dst and a dst one byte short (heap buffers, so ASan
 * sees any overflow) must agree with the first answer. abort() otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/names.h"
#include "tests/unit/utf8_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(c)                                                                                \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static int fz_forbidden(int32_t c)
{
	return c <= 0x1F || (c >= 0x7F && c <= 0x9F) || c == '/' || c == '\\' ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

#define FZ_UTF8 1 /* invalid UTF-8 */
#define FZ_CHAR 2 /* valid, with a forbidden character */

/* 0, or the FZ_* faults of s[0..n). */
static int fz_scan(const uint8_t *s, size_t n)
{
	int32_t c;
	int f = 0;
	for (size_t i = 0, k; i < n; i += k) {
		k = utf8_ref_decode(s + i, n - i, &c);
		if (k == 0)
			return FZ_UTF8;
		if (fz_forbidden(c))
			f = FZ_CHAR;
	}
	return f;
}

#define BIT(err) (1u << -(err))

/* The faults of s[0..n) as one name of at most limit bytes, as a set of
 * BIT(NAMES_ERR_*); when there are none, the NFC form in *nfc (malloc'd)
 * and its length in *nfc_len. */
static unsigned fz_oracle(const uint8_t *s, size_t n, size_t limit, uint8_t **nfc, size_t *nfc_len)
{
	unsigned faults = 0;
	*nfc = NULL;
	*nfc_len = 0;
	if (n == 0)
		return BIT(NAMES_ERR_EMPTY);
	if (n > NAMES_INPUT_FACTOR * limit)
		faults |= BIT(NAMES_ERR_LONG);
	if (fz_scan(s, n) == FZ_UTF8)
		return faults | BIT(NAMES_ERR_UTF8);
	utf8proc_uint8_t *m = NULL;
	utf8proc_ssize_t len =
	    utf8proc_map(s, (utf8proc_ssize_t)n, &m, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	FZ_CHECK(len >= 0);
	if (fz_scan(m, (size_t)len) != 0)
		faults |= BIT(NAMES_ERR_CHAR);
	if ((size_t)len > limit)
		faults |= BIT(NAMES_ERR_LONG);
	if ((len == 1 || len == 2) && memcmp(m, "..", (size_t)len) == 0)
		faults |= BIT(NAMES_ERR_DOT);
	*nfc_len = (size_t)len;
	if (faults != 0) {
		free(m);
		return faults;
	}
	*nfc = m;
	return 0;
}

/* What every accepted name must be, whoever judges it. */
static void fz_check_name(const char *s, size_t n, size_t limit)
{
	FZ_CHECK(n > 0 && n <= limit);
	FZ_CHECK(fz_scan((const uint8_t *)s, n) == 0);
	FZ_CHECK(!((n == 1 || n == 2) && memcmp(s, "..", n) == 0));
}

static int fz_call(int kind, const uint8_t *s, size_t n, char *dst, size_t cap)
{
	if (kind < 0)
		return names_normalize_path((const char *)s, n, dst, cap);
	return names_normalize((enum names_kind)kind, (const char *)s, n, dst, cap);
}

/* Runs kind (-1: path) on s[0..n) and checks the result against the wanted
 * bytes (want, want_len) or the fault set. */
static void fz_run(int kind, const uint8_t *s, size_t n, size_t limit, unsigned faults,
                   const uint8_t *want, size_t want_len)
{
	static char out[NAMES_PATH_MAX + 1], again[NAMES_PATH_MAX + 1];
	int r = fz_call(kind, s, n, out, sizeof out);

	if (faults != 0) {
		FZ_CHECK(r < 0 && r > NAMES_ERR_SPACE && (faults & BIT(r)) != 0);
		FZ_CHECK(out[0] == '\0');
	} else {
		FZ_CHECK(r >= 0 && (size_t)r == want_len && memcmp(out, want, want_len) == 0);
		FZ_CHECK(out[r] == '\0');
		FZ_CHECK((size_t)r <= limit);
		/* NFC is idempotent. */
		FZ_CHECK(fz_call(kind, (const uint8_t *)out, (size_t)r, again, sizeof again) == r);
		FZ_CHECK(memcmp(out, again, (size_t)r + 1) == 0);
	}
	FZ_CHECK(fz_call(kind, s, n, NULL, 0) == r);

	size_t cap = r >= 0 ? (size_t)r + 1 : 1;
	char *exact = malloc(cap);
	FZ_CHECK(exact != NULL);
	FZ_CHECK(fz_call(kind, s, n, exact, cap) == r);
	FZ_CHECK(r >= 0 ? memcmp(exact, out, cap) == 0 : exact[0] == '\0');
	free(exact);
	if (r >= 0) {
		char *shorter = malloc(cap - 1 ? cap - 1 : 1);
		FZ_CHECK(shorter != NULL);
		FZ_CHECK(fz_call(kind, s, n, shorter, cap - 1) == NAMES_ERR_SPACE);
		FZ_CHECK(cap - 1 == 0 || shorter[0] == '\0');
		free(shorter);
	}
}

static void fz_name(enum names_kind kind, const uint8_t *s, size_t n, size_t limit)
{
	uint8_t *nfc;
	size_t len;
	unsigned faults = fz_oracle(s, n, limit, &nfc, &len);
	if (faults == 0)
		fz_check_name((const char *)nfc, len, limit);
	fz_run((int)kind, s, n, limit, faults, nfc, len);
	free(nfc);
}

static void fz_path(const uint8_t *s, size_t n)
{
	static uint8_t want[NAMES_INPUT_FACTOR * NAMES_PATH_MAX * 3 + 1];
	unsigned faults = 0;
	size_t total = 0, start = 0;

	if (n > NAMES_INPUT_FACTOR * NAMES_PATH_MAX)
		faults |= BIT(NAMES_ERR_LONG);
	for (; n > 0;) {
		const uint8_t *slash = memchr(s + start, '/', n - start);
		size_t end = slash != NULL ? (size_t)(slash - s) : n;
		uint8_t *nfc;
		size_t len;
		unsigned f = fz_oracle(s + start, end - start, NAMES_FILE_MAX, &nfc, &len);
		faults |= f;
		if (f == 0) {
			fz_check_name((const char *)nfc, len, NAMES_FILE_MAX);
			if (total + len + 1 < sizeof want)
				memcpy(want + total, nfc, len);
			total += len;
		}
		free(nfc);
		if (slash == NULL)
			break;
		if (total < sizeof want)
			want[total] = '/';
		total++;
		start = end + 1;
	}
	/* Counts only the valid components: no more than names.c has summed when
	 * it stops at a fault. */
	if (total > NAMES_PATH_MAX)
		faults |= BIT(NAMES_ERR_LONG);
	fz_run(-1, s, n, NAMES_PATH_MAX, faults, want, total);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_name(NAMES_FILE, data, size, NAMES_FILE_MAX);
	fz_name(NAMES_DEVICE, data, size, NAMES_DEVICE_MAX);
	fz_path(data, size);
	/* Without a '/', a path is one file name. */
	if (memchr(data, '/', size) == NULL && size > 0) {
		char a[NAMES_FILE_MAX + 1], b[NAMES_FILE_MAX + 1];
		int ra = names_normalize(NAMES_FILE, (const char *)data, size, a, sizeof a);
		int rb = names_normalize_path((const char *)data, size, b, sizeof b);
		FZ_CHECK(ra == rb);
		FZ_CHECK(ra < 0 || memcmp(a, b, (size_t)ra + 1) == 0);
	}
	return 0;
}
