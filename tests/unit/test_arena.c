/* test_arena.c — the arena is what makes "no allocation after start-up" a
 * checked promise: after the seal, or past the reservation, it aborts. */
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "tests/unit/check.h"

/* Run f in a child; 1 when the child died of SIGABRT. */
static int aborts(void (*f)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		/* The expected abort message is noise here. */
		freopen("/dev/null", "w", stderr);
		f();
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void alloc_after_seal(void)
{
	arena_seal();
	arena_alloc(1);
}

static void alloc_past_end(void)
{
	arena_alloc(arena_size() - arena_used() + 1);
}

static void alloc_to_end(void)
{
	arena_alloc(arena_size() - ((arena_used() + 63) & ~(size_t)63));
}

int main(void)
{
	CHECK(arena_init(10000) == 0);
	CHECK(arena_size() == 12288); /* whole pages */
	unsigned char *a = arena_alloc(1), *b = arena_alloc(100);
	CHECK(((uintptr_t)a & 63) == 0 && ((uintptr_t)b & 63) == 0);
	CHECK(b >= a + 64);
	int zero = 1;
	for (int i = 0; i < 100; i++)
		zero &= b[i] == 0;
	CHECK(zero);
	CHECK(arena_used() == 64 + 100);
	CHECK(!aborts(alloc_to_end)); /* exactly the rest fits */
	CHECK(aborts(alloc_past_end));
	CHECK(aborts(alloc_after_seal));
	return check_exit("test_arena");
}
