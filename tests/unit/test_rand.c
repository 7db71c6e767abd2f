/* test_rand.c — OS randomness, public_ids and hex secrets.
 *
 * Statistical checks are set so that a correct generator cannot plausibly
 * fail them (each bound and its chance of a false alarm is stated where it
 * is checked); they exist to catch gross bugs — a byte left unfilled, a
 * biased mapping, a constant or repeating source — not to certify
 * getrandom(2). Validators are fed through guard-page copies, so a read past
 * n crashes. */
#include "core/rand.h"
#include "tests/unit/check.h"
#include "tests/unit/guard.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_IDS 100000

static uint64_t ids[N_IDS];
static char secrets[N_IDS][RAND_HEX_SECRET_LEN + 1];

static int alphabet_index(char c)
{
	const char *p = memchr(RAND_PUBLIC_ID_ALPHABET, c, 32);
	return p ? (int)(p - RAND_PUBLIC_ID_ALPHABET) : -1;
}

/* Pearson's statistic for counts[0..k) against a uniform expectation. */
static double chi_square(const unsigned long *counts, int k, unsigned long total)
{
	double expect = (double)total / k, sum = 0;
	for (int i = 0; i < k; i++) {
		double d = (double)counts[i] - expect;
		sum += d * d / expect;
	}
	return sum;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static void test_bytes(void)
{
	static unsigned char big[1 << 20];

	CHECK_EQ_LL(rand_bytes(NULL, 0), 0);

	/* 1 MiB takes several getrandom calls' worth of work and can come back
	 * short; every 256-byte block must have been written. An all-zero block
	 * from a correct source has probability 2^-2048. */
	memset(big, 0, sizeof big);
	CHECK_EQ_LL(rand_bytes(big, sizeof big), 0);
	int empty_blocks = 0;
	for (size_t b = 0; b < sizeof big; b += 256) {
		unsigned char any = 0;
		for (size_t i = 0; i < 256; i++)
			any |= big[b + i];
		empty_blocks += !any;
	}
	CHECK_EQ_LL(empty_blocks, 0);

	unsigned char a[32], c[32];
	CHECK_EQ_LL(rand_bytes(a, sizeof a), 0);
	CHECK_EQ_LL(rand_bytes(c, sizeof c), 0);
	CHECK(memcmp(a, c, sizeof a) != 0); /* 2^-256 */
}

static void test_public_ids(void)
{
	static unsigned long per_pos[RAND_PUBLIC_ID_LEN][32];
	unsigned long total[32] = {0};
	int bad = 0;

	for (int n = 0; n < N_IDS; n++) {
		char id[RAND_PUBLIC_ID_LEN + 1];
		memset(id, 'x', sizeof id);
		if (rand_public_id(id) != 0 || strlen(id) != RAND_PUBLIC_ID_LEN ||
		    !rand_public_id_valid(id, RAND_PUBLIC_ID_LEN)) {
			bad++;
			continue;
		}
		uint64_t packed = 0;
		for (int i = 0; i < RAND_PUBLIC_ID_LEN; i++) {
			int k = alphabet_index(id[i]);
			if (k < 0) {
				bad++;
				break;
			}
			per_pos[i][k]++;
			total[k]++;
			packed = packed << 5 | (uint64_t)k;
		}
		ids[n] = packed;
	}
	CHECK_EQ_LL(bad, 0);

	/* Symbol frequencies. With 31 degrees of freedom the statistic has mean
	 * 31 and standard deviation 7.9; P(chi2_31 > 150) = 1.5e-17, so the 9
	 * checks below fail by chance with probability < 2e-16. Over all 800,000
	 * symbols this still catches one symbol 10% too frequent (expected
	 * statistic ~290); per position (100,000 each), a 20% skew (~160), or a
	 * position stuck on a few symbols. */
	double all = chi_square(total, 32, (unsigned long)N_IDS * RAND_PUBLIC_ID_LEN);
	CHECKF(all < 150.0, "chi-square over all symbols %.1f", all);
	for (int i = 0; i < RAND_PUBLIC_ID_LEN; i++) {
		double pos = chi_square(per_pos[i], 32, N_IDS);
		CHECKF(pos < 150.0, "chi-square at position %d: %.1f", i, pos);
	}

	/* Duplicates. 100,000 ids among 2^40 give on average
	 * C(100000,2) / 2^40 = 0.0045 colliding pairs, so "none" would fail
	 * about once in 220 runs. Allowing up to 3 pairs, a false failure needs
	 * 4 or more: Poisson tail 1.8e-11. A source with a tiny state (a
	 * constant, a re-seeded PRNG) produces thousands. */
	qsort(ids, N_IDS, sizeof ids[0], cmp_u64);
	int dup = 0;
	for (int n = 1; n < N_IDS; n++)
		dup += ids[n] == ids[n - 1];
	CHECKF(dup <= 3, "%d duplicate public_ids in %d", dup, N_IDS);
}

static int cmp_secret(const void *a, const void *b)
{
	return memcmp(a, b, RAND_HEX_SECRET_LEN);
}

static void test_hex_secrets(void)
{
	unsigned long nibbles[16] = {0};
	int bad = 0;

	for (int n = 0; n < N_IDS; n++) {
		char *s = secrets[n];
		memset(s, 'x', RAND_HEX_SECRET_LEN + 1);
		if (rand_hex_secret(s) != 0 || strlen(s) != RAND_HEX_SECRET_LEN ||
		    !rand_hex_secret_valid(s, RAND_HEX_SECRET_LEN)) {
			bad++;
			continue;
		}
		for (int i = 0; i < RAND_HEX_SECRET_LEN; i++) {
			const char *p = strchr("0123456789abcdef", s[i]);
			if (!p || !*p) {
				bad++;
				break;
			}
			nibbles[p - "0123456789abcdef"]++;
		}
	}
	CHECK_EQ_LL(bad, 0);

	/* 3.2 million nibbles, 15 degrees of freedom: P(chi2_15 > 100) = 1.3e-14. */
	double x = chi_square(nibbles, 16, (unsigned long)N_IDS * RAND_HEX_SECRET_LEN);
	CHECKF(x < 100.0, "chi-square over hex digits %.1f", x);

	/* 128-bit values: a duplicate among 100,000 has probability 1.5e-29. */
	qsort(secrets, N_IDS, sizeof secrets[0], cmp_secret);
	int dup = 0;
	for (int n = 1; n < N_IDS; n++)
		dup += memcmp(secrets[n], secrets[n - 1], RAND_HEX_SECRET_LEN) == 0;
	CHECK_EQ_LL(dup, 0);
}

struct valid_case {
	const char *s;
	size_t n;
	int want;
};

static void run_valid_table(const char *what, int (*fn)(const char *, size_t),
                            const struct valid_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct guard g;
		const char *copy = guard_copy(&g, cases[i].s, cases[i].n);
		int got = fn(copy, cases[i].n);
		guard_release(&g);
		CHECKF(got == cases[i].want, "%s case %zu \"%.*s\" (n=%zu): got %d", what, i,
		       (int)cases[i].n, cases[i].s, cases[i].n, got);
	}
}

#define VC(str, want)                                                                              \
	{                                                                                          \
		str, sizeof(str) - 1, want                                                         \
	}

static void test_validators(void)
{
	static const struct valid_case pub[] = {
	    VC("0123ABCD", 1),    VC("XYZ89VTS", 1),  VC("00000000", 1),
	    VC("ZZZZZZZZ", 1),    VC("", 0),          VC("0123ABC", 0), /* 7 */
	    VC("0123ABCDE", 0),                                         /* 9 */
	    VC("0123abcd", 0), /* lower case: exact match only */
	    VC("0123ABCI", 0), /* I, L, O, U are not in the alphabet */
	    VC("0123ABCL", 0),    VC("0123ABCO", 0),  VC("0123ABCU", 0),
	    VC("0123ABC-", 0),    VC("0123ABC ", 0),  VC("0123\0BCD", 0), /* embedded NUL */
	    VC("0123ABC\xc3", 0), {"0123ABCD", 0, 0}, /* length governs, not the terminator */
	    {"0123ABCDEF", 8, 1},
	};
	static const struct valid_case hex[] = {
	    VC("0123456789abcdef0123456789abcdef", 1),
	    VC("00000000000000000000000000000000", 1),
	    VC("ffffffffffffffffffffffffffffffff", 1),
	    VC("", 0),
	    VC("0123456789abcdef0123456789abcde", 0),   /* 31 */
	    VC("0123456789abcdef0123456789abcdef0", 0), /* 33 */
	    VC("0123456789ABCDEF0123456789abcdef", 0),  /* upper case */
	    VC("0123456789abcdef0123456789abcdeg", 0),
	    VC("0123456789abcdef 123456789abcdef", 0),
	    VC("0123456789abcdef\0"
	       "123456789abcdef",
	       0),
	    VC("0x23456789abcdef0123456789abcdef", 0),
	    {"0123456789abcdef0123456789abcdefXX", 32, 1},
	};
	run_valid_table("public_id", rand_public_id_valid, pub, sizeof pub / sizeof pub[0]);
	run_valid_table("hex_secret", rand_hex_secret_valid, hex, sizeof hex / sizeof hex[0]);
}

int main(void)
{
	test_bytes();
	test_public_ids();
	test_hex_secrets();
	test_validators();
	return check_exit("test_rand");
}
