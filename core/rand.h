/* rand.h — randomness from the OS and the identities made from it (SPEC §1).
 *
 * Every random byte comes from getrandom(2) with no flags: it blocks only
 * until the kernel's pool has been seeded once at boot, and there is no
 * fallback to anything weaker (no /dev/urandom open, no time or pid seed).
 * If the kernel cannot give randomness, the call fails and the caller must
 * refuse to go on.
 *
 * Two identities (SPEC §1):
 *   public_id   8 characters of Crockford base32, 40 random bits, shown to
 *               people so the owner can tell devices apart. Random is not
 *               unique: the registry must still look a new id up among the
 *               live ones and draw again on a clash (odds about n / 2^40).
 *   hex secret  128 random bits as 32 lowercase hex characters: a device's
 *               private_id and the master key.
 *
 * No function here keeps a pointer it is given; buffers are borrowed for the
 * duration of the call. */
#ifndef FERRY_CORE_RAND_H
#define FERRY_CORE_RAND_H

#include <stddef.h>

#define RAND_PUBLIC_ID_LEN  8  /* characters, without the NUL */
#define RAND_HEX_SECRET_LEN 32 /* characters, without the NUL */

/* Crockford's base32 alphabet: digits and upper-case letters without I L O U. */
#define RAND_PUBLIC_ID_ALPHABET "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* Fill buf[0..n) with bytes from getrandom(2), looping over short reads and
 * EINTR. n may be 0 (buf may then be NULL). Returns 0, or -1 with errno set
 * (e.g. ENOSYS on a kernel older than 3.17); on failure buf's contents are
 * unspecified and must not be used. buf is borrowed. */
int rand_bytes(void *buf, size_t n);

/* Write a new random public_id to out: 8 characters of
 * RAND_PUBLIC_ID_ALPHABET, each uniform over the 32 symbols and independent
 * (5 bits of a random byte each: 32 divides 256, so there is no modulo
 * bias), then a NUL. Returns 0, or -1 (errno set; out is then an empty
 * string). out is borrowed. */
int rand_public_id(char out[RAND_PUBLIC_ID_LEN + 1]);

/* Write 128 random bits to out as 32 lowercase hex characters and a NUL.
 * Returns 0, or -1 (errno set; out is then an empty string). The raw bytes
 * are wiped from the stack before returning. out is borrowed. */
int rand_hex_secret(char out[RAND_HEX_SECRET_LEN + 1]);

/* 1 if s[0..n) is a well-formed public_id, else 0. Pure; s need not be
 * NUL-terminated and is read only within [0, n).
 *
 * Exact match only: n must be 8 and every byte one of
 * RAND_PUBLIC_ID_ALPHABET. Lower case, and the letters I L O U that
 * Crockford decoding would map to 1 1 0 and nothing, are refused: public_ids
 * reach the hub from programs (clients echo what the hub sent), never typed
 * by hand, so one spelling per id keeps lookups a plain byte comparison and
 * leaves no second spelling to confuse logs or the owner's screen. A user
 * interface that lets people type an id should normalise it before sending. */
int rand_public_id_valid(const char *s, size_t n);

/* 1 if s[0..n) is exactly 32 characters of [0-9a-f], else 0. Upper case is
 * refused (the hub only ever produces lower case). Pure; s need not be
 * NUL-terminated. Not constant-time: it reveals only whether the input is
 * well formed, which says nothing about any stored secret. */
int rand_hex_secret_valid(const char *s, size_t n);

#endif
