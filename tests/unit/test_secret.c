/* test_secret.c — SHA-256 of secrets, constant-time comparison, hex forms.
 *
 * SHA-256 is checked against the FIPS 180-2 vectors; secret_equal against a
 * difference at every byte position (each through guard-page copies, so a
 * read past n crashes); the hex form round trip both ways; the parser's
 * refusals, each leaving its output untouched. That secret_equal takes
 * constant time is a property of its code (see secret.c), not something a
 * unit test can measure reliably. */
#include "core/secret.h"
#include "tests/unit/check.h"
#include "tests/unit/guard.h"

#include <stdint.h>
#include <string.h>

static void hash_hex(const void *data, size_t n, char out[SECRET_HASH_HEX_LEN + 1])
{
	uint8_t h[SECRET_HASH_LEN];
	secret_hash(data, n, h);
	secret_hash_hex(h, out);
}

static void test_sha256_vectors(void)
{
	static const struct {
		const char *in, *want;
	} v[] = {
	    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	};
	char got[SECRET_HASH_HEX_LEN + 1];

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct guard g;
		const char *copy = guard_copy(&g, v[i].in, strlen(v[i].in));
		hash_hex(copy, strlen(v[i].in), got);
		guard_release(&g);
		CHECKF(strcmp(got, v[i].want) == 0, "sha256(\"%s\") = %s", v[i].in, got);
	}

	static char million[1000000];
	memset(million, 'a', sizeof million);
	hash_hex(million, sizeof million, got);
	CHECK(strcmp(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);

	/* Only the first n bytes count: no reliance on a terminator. */
	hash_hex("abcdef", 3, got);
	CHECK(strcmp(got, v[1].want) == 0);
}

static void test_equal(void)
{
	static const size_t sizes[] = {1, 2, 15, 16, 31, 32, 33, 64, 100};
	unsigned char a[100], b[100];

	CHECK_EQ_LL(secret_equal(NULL, NULL, 0), 1);
	CHECK_EQ_LL(secret_equal("x", "y", 0), 1);

	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t n = sizes[s];
		for (size_t i = 0; i < n; i++)
			a[i] = (unsigned char)(i * 37 + n);
		memcpy(b, a, n);

		struct guard ga, gb;
		unsigned char *pa = guard_copy(&ga, a, n);
		unsigned char *pb = guard_copy(&gb, b, n);
		CHECKF(secret_equal(pa, pb, n) == 1, "n=%zu equal", n);
		CHECKF(secret_equal(pa, pa, n) == 1, "n=%zu same pointer", n);
		int wrong = 0;
		for (size_t i = 0; i < n; i++) {
			/* Every single-bit difference, and the all-bits one. */
			for (int bit = 0; bit <= 8; bit++) {
				unsigned char flip = bit == 8 ? 0xff : (unsigned char)(1u << bit);
				pb[i] ^= flip;
				wrong += secret_equal(pa, pb, n) != 0;
				wrong += secret_equal(pb, pa, n) != 0;
				pb[i] ^= flip;
			}
		}
		CHECKF(wrong == 0, "n=%zu: %d differences reported equal", n, wrong);
		/* Differences in the first and the last byte at once. */
		pb[0] ^= 1;
		pb[n - 1] ^= 0x80;
		CHECKF(secret_equal(pa, pb, n) == 0, "n=%zu first and last", n);
		guard_release(&ga);
		guard_release(&gb);
	}
}

static void test_hex_round_trip(void)
{
	uint8_t h[SECRET_HASH_LEN], back[SECRET_HASH_LEN];
	char hex[SECRET_HASH_HEX_LEN + 1], hex2[SECRET_HASH_HEX_LEN + 1];
	int bad = 0;

	/* hash → hex → hash for many values, including all-zero and all-ones. */
	for (int i = 0; i < 1002; i++) {
		if (i < 1000)
			secret_hash((const char *)&i, sizeof i, h);
		else
			memset(h, i == 1000 ? 0x00 : 0xff, sizeof h);
		memset(hex, 'x', sizeof hex);
		secret_hash_hex(h, hex);
		bad += strlen(hex) != SECRET_HASH_HEX_LEN;
		bad += strspn(hex, "0123456789abcdef") != SECRET_HASH_HEX_LEN;
		struct guard g;
		const char *copy = guard_copy(&g, hex, SECRET_HASH_HEX_LEN);
		bad += secret_hash_parse(copy, SECRET_HASH_HEX_LEN, back) != 0;
		guard_release(&g);
		bad += memcmp(h, back, sizeof h) != 0;
	}
	CHECK_EQ_LL(bad, 0);

	/* hex → hash → hex gives back the same text. */
	const char *text = "00ff10a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2";
	CHECK_EQ_LL(secret_hash_parse(text, strlen(text), back), 0);
	CHECK_EQ_LL(back[0], 0x00);
	CHECK_EQ_LL(back[1], 0xff);
	CHECK_EQ_LL(back[31], 0xa2);
	secret_hash_hex(back, hex2);
	CHECK(strcmp(text, hex2) == 0);
}

static void test_parse_refusals(void)
{
	static const char good[] =
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char buf[SECRET_HASH_HEX_LEN + 2];
	uint8_t out[SECRET_HASH_LEN], sentinel[SECRET_HASH_LEN];
	int bad = 0;

	memset(sentinel, 0x5a, sizeof sentinel);

	/* Wrong lengths, including 0 and one byte short of a valid prefix. */
	static const size_t lens[] = {0, 1, 2, 31, 32, 62, 63, 65, 66, 128};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		char longer[130];
		memset(longer, 'a', sizeof longer);
		memcpy(longer, good, lens[i] < 64 ? lens[i] : 64);
		struct guard g;
		const char *copy = guard_copy(&g, longer, lens[i]);
		memcpy(out, sentinel, sizeof out);
		int r = secret_hash_parse(copy, lens[i], out);
		guard_release(&g);
		CHECKF(r == SECRET_ERR_FORMAT, "length %zu accepted", lens[i]);
		CHECKF(memcmp(out, sentinel, sizeof out) == 0, "length %zu wrote output", lens[i]);
	}

	/* One bad character at every position; out must stay untouched. */
	static const char wrong[] = {'A',  'F', 'g', 'G', 'x', ' ',
	                             '\0', '-', '/', ':', '`', '\xff'};
	for (size_t pos = 0; pos < SECRET_HASH_HEX_LEN; pos++) {
		for (size_t w = 0; w < sizeof wrong; w++) {
			memcpy(buf, good, SECRET_HASH_HEX_LEN);
			buf[pos] = wrong[w];
			struct guard g;
			const char *copy = guard_copy(&g, buf, SECRET_HASH_HEX_LEN);
			memcpy(out, sentinel, sizeof out);
			bad +=
			    secret_hash_parse(copy, SECRET_HASH_HEX_LEN, out) != SECRET_ERR_FORMAT;
			bad += memcmp(out, sentinel, sizeof out) != 0;
			guard_release(&g);
		}
	}
	CHECK_EQ_LL(bad, 0);

	/* Upper-case version of a valid hash. */
	CHECK_EQ_LL(
	    secret_hash_parse("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
	                      64, out),
	    SECRET_ERR_FORMAT);
	CHECK_EQ_LL(secret_hash_parse(good, 64, out), 0);
}

static void test_check(void)
{
	static const char key[] = "3f2a9c0e5b7d41e6a8c2f09b1d3e5a7c";
	uint8_t stored[SECRET_HASH_LEN];
	char attempt[sizeof key];
	int bad = 0;

	secret_hash(key, 32, stored);
	CHECK_EQ_LL(secret_check(key, 32, stored), 1);

	/* Any one character different, at every position. */
	for (size_t i = 0; i < 32; i++) {
		memcpy(attempt, key, sizeof key);
		attempt[i] = attempt[i] == '0' ? '1' : '0';
		bad += secret_check(attempt, 32, stored) != 0;
	}
	CHECK_EQ_LL(bad, 0);

	/* Prefixes, an extension and the empty string do not match. */
	CHECK_EQ_LL(secret_check(key, 31, stored), 0);
	CHECK_EQ_LL(secret_check(key, 0, stored), 0);
	CHECK_EQ_LL(secret_check("3f2a9c0e5b7d41e6a8c2f09b1d3e5a7c0", 33, stored), 0);

	/* The stored form survives the trip through the state file's hex. */
	char hex[SECRET_HASH_HEX_LEN + 1];
	uint8_t reloaded[SECRET_HASH_LEN];
	secret_hash_hex(stored, hex);
	CHECK_EQ_LL(secret_hash_parse(hex, strlen(hex), reloaded), 0);
	CHECK_EQ_LL(secret_check(key, 32, reloaded), 1);
}

int main(void)
{
	test_sha256_vectors();
	test_equal();
	test_hex_round_trip();
	test_parse_refusals();
	test_check();
	return check_exit("test_secret");
}
