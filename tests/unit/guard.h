/* guard.h — copy test input to the very end of a page followed by a
 * PROT_NONE page, so a parser that reads one byte past the length it was
 * given crashes at once instead of reading stale memory (picohttpparser's
 * trick). Tests only: this maps memory per call. */
#ifndef FERRY_TESTS_GUARD_H
#define FERRY_TESTS_GUARD_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guard {
	void *map;
	size_t map_len;
};

/* Returns a pointer to a copy of src[0..len) whose last byte is the last
 * readable byte before a PROT_NONE page. len may be 0. Release with
 * guard_release(). Aborts if the kernel refuses the mapping. */
static inline void *guard_copy(struct guard *g, const void *src, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t data_pages = (len + page - 1) / page;
	if (data_pages == 0)
		data_pages = 1;
	g->map_len = (data_pages + 1) * page;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED)
		abort();
	unsigned char *guard_page = (unsigned char *)g->map + data_pages * page;
	if (mprotect(guard_page, page, PROT_NONE) != 0)
		abort();
	unsigned char *dst = guard_page - len;
	if (len)
		memcpy(dst, src, len);
	return dst;
}

static inline void guard_release(struct guard *g)
{
	munmap(g->map, g->map_len);
	g->map = NULL;
}

#endif
