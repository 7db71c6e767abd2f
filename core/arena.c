#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static uint8_t *arena_base;
static size_t arena_cap, arena_off;
static int arena_sealed;

int arena_init(size_t bytes)
{
	size_t page = 4096;
	arena_cap = (bytes + page - 1) / page * page;
	/* MAP_POPULATE: the whole budget becomes resident now, so RSS is what
	 * the limits say from the first second and traffic cannot change it —
	 * which slot or how deep a buffer a connection happens to touch no
	 * longer matters. */
	void *p = mmap(NULL, arena_cap, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	arena_base = p;
	arena_off = 0;
	arena_sealed = 0;
	return 0;
}

void *arena_alloc(size_t size)
{
	size_t off = (arena_off + 63) & ~(size_t)63;
	if (arena_sealed || !arena_base || off > arena_cap || size > arena_cap - off) {
		fprintf(stderr, "ferry: arena_alloc(%zu) %s — a bug in the memory budget\n", size,
		        arena_sealed ? "after start-up" : "beyond the reservation");
		abort();
	}
	arena_off = off + size;
	return arena_base + off;
}

void arena_seal(void)
{
	arena_sealed = 1;
}

size_t arena_used(void)
{
	return arena_off;
}

size_t arena_size(void)
{
	return arena_cap;
}
