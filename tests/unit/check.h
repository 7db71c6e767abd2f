/* check.h — the smallest test harness that tells what failed and where.
 *
 * Each unit test is one program: it runs its cases, counts failures with
 * CHECK*, and returns check_exit() from main, which is non-zero when anything
 * failed. No case is skipped silently: a test that cannot run fails. */
#ifndef FERRY_TESTS_CHECK_H
#define FERRY_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                      \
	do {                                                                                 \
		check_count++;                                                                   \
		if (!(cond)) {                                                                   \
			check_failures++;                                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
		}                                                                                \
	} while (0)

/* Like CHECK, with a printf-style note naming the case that failed. */
#define CHECKF(cond, ...)                                                                \
	do {                                                                                 \
		check_count++;                                                                   \
		if (!(cond)) {                                                                   \
			check_failures++;                                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);     \
			fprintf(stderr, __VA_ARGS__);                                                \
			fputc('\n', stderr);                                                         \
		}                                                                                \
	} while (0)

#define CHECK_EQ_LL(a, b)                                                                \
	do {                                                                                 \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);                  \
		check_count++;                                                                   \
		if (check_a_ != check_b_) {                                                      \
			check_failures++;                                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld != %lld)\n", __FILE__,  \
				__LINE__, #a, #b, check_a_, check_b_);                                   \
		}                                                                                \
	} while (0)

static inline int check_exit(const char *name)
{
	if (check_failures) {
		fprintf(stderr, "%s: %d of %d checks FAILED\n", name, check_failures, check_count);
		return 1;
	}
	if (check_count == 0) {
		fprintf(stderr, "%s: no checks ran\n", name);
		return 1;
	}
	printf("%s: %d checks passed\n", name, check_count);
	return 0;
}

#endif
