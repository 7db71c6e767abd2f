/* names.h — normalize and validate names (SPEC §3): file names, path
 * components, folder paths and device names.
 *
 * A name arrives as bytes from a peer. It must be valid UTF-8; it is then
 * normalized to NFC (by utf8proc; Unicode 15.0 in utf8proc 2.8) and the NFC form
 * is what is checked and what the hub keeps. So a name whose NFC form is fine
 * is fine, whatever form it came in, and two canonically equivalent names
 * (NFD "e\u0301" and NFC "\u00e9") become the same bytes.
 *
 * The NFC form must not be empty, "." or "..", and must not contain '/',
 * '\\', NUL, any other control character (general category Cc: U+0000-001F,
 * U+007F-009F) or a bidirectional override or isolate (U+202A-202E,
 * U+2066-2069). A NUL byte inside the input is such a character: the input is
 * taken as exactly n bytes, never as a C string, and NUL is refused. No
 * canonical decomposition adds or removes any of these characters, so
 * checking after NFC refuses exactly the inputs that contain them.
 * Everything else is allowed: unassigned code points, noncharacters, private
 * use, format characters such as U+200B or the bidi marks U+200E/U+200F/U+061C
 * (marks, not overrides), leading or trailing spaces, " .." and "...".
 *
 * Lengths are NFC bytes, without the terminating NUL. NFC can make a name
 * longer (U+0344 is 2 bytes, its NFC U+0308 U+0301 is 4; U+1D160 goes from 4
 * to 12) or shorter (U+212A KELVIN SIGN, 3 bytes, becomes "K"; U+1FBE U+0308
 * U+0301, 7 bytes, becomes U+0390, 2 bytes). UTF-8 never shrinks under NFC by
 * more than 3.5 times (test_names checks every code point), so an input
 * longer than NAMES_INPUT_FACTOR times its limit cannot fit and is refused
 * as NAMES_ERR_LONG before it is decoded.
 *
 * Memory: one static scratch array of NAMES_SCRATCH + 1 32-bit code points
 * (about 4 KB, in .bss), shared by every call. The functions are therefore
 * not reentrant and not thread-safe — fine in the single-threaded hub. They
 * never allocate, do no I/O and keep no state between calls. */
#ifndef FERRY_CORE_NAMES_H
#define FERRY_CORE_NAMES_H

#include <stddef.h>

/* Limits on the NFC form, in bytes (SPEC §3). A destination of limit + 1
 * bytes always suffices. */
#define NAMES_FILE_MAX   255  /* a file name or one path component */
#define NAMES_DEVICE_MAX 64   /* a device name */
#define NAMES_PATH_MAX   1024 /* a whole folder path, separators included */

/* Input longer than this many times the limit is refused unread. */
#define NAMES_INPUT_FACTOR 4

/* Scratch code points: a code point decomposes canonically into at most 4
 * (U+1F82), and NFD(input) = NFD(NFC(input)), so an input whose NFC form fits
 * NAMES_FILE_MAX bytes (hence code points) decomposes into at most 4 times
 * that; a longer decomposition is itself proof of NAMES_ERR_LONG. (A path is
 * normalized one component at a time.) */
#define NAMES_SCRATCH (4 * NAMES_FILE_MAX)

enum names_kind {
	NAMES_FILE,   /* one component: a file name, a folder name; <= NAMES_FILE_MAX */
	NAMES_DEVICE, /* a device name; <= NAMES_DEVICE_MAX */
};

/* Errors. One value each so a caller can tell a peer precisely what was wrong
 * (names_strerror). When an input has several faults, which one is reported
 * is unspecified — except NAMES_ERR_SPACE, which is only ever returned for a
 * name that is otherwise valid. */
enum {
	NAMES_OK = 0,
	NAMES_ERR_UTF8 = -1,  /* not UTF-8: overlong, surrogate, > U+10FFFF, truncated, stray */
	NAMES_ERR_EMPTY = -2, /* empty name, or an empty path component ("/a", "a/", "a//b") */
	NAMES_ERR_DOT = -3,   /* "." or ".." (as a name or as any path component) */
	NAMES_ERR_CHAR = -4,  /* '/', '\\', NUL, a Cc control, a bidi override or isolate */
	NAMES_ERR_LONG = -5,  /* NFC form over the limit (or input over NAMES_INPUT_FACTOR x it) */
	NAMES_ERR_SPACE = -6, /* valid, but dst is too small: a caller bug, not a peer's */
};

/* Normalizes src[0..n) to NFC and validates it as `kind`.
 *
 * src: borrowed for the call; read from src[0] to src[n-1] only, never as a C
 *   string. May be NULL when n == 0.
 * dst: borrowed for the call; cap bytes. On success it holds the NFC form and
 *   a terminating NUL (so cap must be at least the length + 1); on failure,
 *   if cap > 0, dst[0] is NUL and nothing else is promised about dst[1..cap).
 *   dst may be NULL with cap 0 to ask only "is it valid, and how long?".
 *   dst must not overlap src.
 * Returns the NFC length in bytes (0 < length <= the kind's limit), or a
 * negative NAMES_ERR_*. kind must be one of enum names_kind; any other
 * value has limit 0, so refuses every name. */
int names_normalize(enum names_kind kind, const char *src, size_t n, char *dst, size_t cap);

/* Normalizes and validates a folder path (SPEC §3 `path`): "" (a lone file,
 * length 0), or components separated by single '/' with no leading or
 * trailing '/' and no empty component ("/a", "a/", "a//b" are
 * NAMES_ERR_EMPTY). Each component is normalized and validated as NAMES_FILE
 * (so "a/./b", "a/../b" are NAMES_ERR_DOT, "a\\b" is NAMES_ERR_CHAR); the
 * whole NFC path, separators included, is at most NAMES_PATH_MAX bytes and
 * input over NAMES_INPUT_FACTOR x that is refused unread.
 *
 * The split happens on the input bytes: byte 0x2F is '/' in UTF-8 and nowhere
 * else, and NFC neither makes nor removes a '/'.
 * src, dst, cap and the return value are as for names_normalize(), except
 * that the length is 0 for "" (which still needs cap >= 1 for its NUL); the
 * result is the NFC components joined by '/'. */
int names_normalize_path(const char *src, size_t n, char *dst, size_t cap);

/* A sentence in English saying what is wrong with a name refused with err,
 * for ERROR BAD_NAME messages. Static storage, never NULL; an unknown code
 * gets a generic sentence. */
const char *names_strerror(int err);

#endif
