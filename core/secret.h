/* secret.h — secrets are stored only as hashes and compared in constant time
 * (SPEC §1).
 *
 * The secrets are a device's private_id and the master key: 128 bits from
 * getrandom(2) (see rand.h), never chosen by a person. The hub keeps and
 * writes to disk only SHA-256(secret) (the master key file aside, which
 * exists to hand the key to its owner); a presented secret is hashed and the
 * hashes compared.
 *
 * Why a plain, unsalted, fast hash is sound here: salts and slow hashes
 * (bcrypt, scrypt, Argon2) exist because passwords come from a small space
 * people pick from, so an attacker who steals the hashes can try likely
 * passwords, or look them up in tables built in advance for everyone. A
 * uniformly random 128-bit secret has no such space: recovering one from its
 * hash means searching 2^128 candidates, which no salt or work factor makes
 * meaningfully harder, and no precomputed table can cover. Leaving out the
 * salt also keeps the hash a pure function of the secret, so the hub can
 * find a device by hashing the presented private_id and looking the hash up,
 * instead of trying every device.
 *
 * Comparisons are constant-time although they compare hashes of
 * attacker-chosen input (where timing would reveal little): the cost is nil
 * and it keeps the rule "secrets are compared in constant time" free of
 * exceptions to reason about.
 *
 * No function keeps a pointer it is given: every buffer is borrowed for the
 * duration of the call. Intermediate state that held a secret (the SHA-256
 * context) is wiped before returning. */
#ifndef FERRY_CORE_SECRET_H
#define FERRY_CORE_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_HASH_LEN     32 /* bytes of SHA-256 */
#define SECRET_HASH_HEX_LEN 64 /* lowercase hex characters, without the NUL */

#define SECRET_ERR_FORMAT (-1) /* secret_hash_parse: not 64 lowercase hex digits */

/* 1 if a[0..n) and b[0..n) are equal, else 0. Takes time that depends only
 * on n: every byte is read and there is no early exit. n == 0 compares equal.
 * The caller is responsible for comparing lengths first (lengths are public:
 * secrets and hashes have fixed sizes). */
int secret_equal(const void *a, const void *b, size_t n);

/* out = SHA-256(secret[0..n)), via BearSSL. secret need not be
 * NUL-terminated; n may be 0. */
void secret_hash(const char *secret, size_t n, uint8_t out[SECRET_HASH_LEN]);

/* Write h as 64 lowercase hex characters and a NUL to out (the form stored
 * in the state file). */
void secret_hash_hex(const uint8_t h[SECRET_HASH_LEN], char out[SECRET_HASH_HEX_LEN + 1]);

/* Parse hex[0..n), which must be exactly 64 characters of [0-9a-f], into out.
 * Upper case is refused: the hub writes lower case, and one spelling per
 * hash means anything else in a state file is damage. Pure; hex need not be
 * NUL-terminated and is read only within [0, n). Returns 0, or
 * SECRET_ERR_FORMAT with out left untouched. */
int secret_hash_parse(const char *hex, size_t n, uint8_t out[SECRET_HASH_LEN]);

/* 1 if SHA-256(secret[0..n)) equals stored, else 0, comparing in constant
 * time. Any length is accepted (a malformed secret simply does not match);
 * the time taken depends on n, which is not secret. */
int secret_check(const char *secret, size_t n, const uint8_t stored[SECRET_HASH_LEN]);

#endif
