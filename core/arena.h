/* arena.h — the hub's only source of memory.
 *
 * At start every module asks the arena for its tables and buffers, sized from
 * the command-line limits; then main() seals it. After the seal, a request is
 * a bug: arena_alloc aborts, so "no allocation after start-up" is checked at
 * run time, not just promised. Memory is never given back. */
#ifndef FERRY_CORE_ARENA_H
#define FERRY_CORE_ARENA_H

#include <stddef.h>

/* Reserve `bytes` (rounded up to pages) of zeroed, private memory, made
 * resident at once. Returns 0 or -1 (errno set). */
int arena_init(size_t bytes);

/* `size` zeroed bytes aligned to 64 from the arena; the caller owns them for
 * the life of the process. Aborts when the arena is sealed or exhausted: both
 * are programming errors, since sizes come from the limits. */
void *arena_alloc(size_t size);

/* After this, arena_alloc aborts. */
void arena_seal(void);

/* Bytes handed out so far, and the reservation. */
size_t arena_used(void);
size_t arena_size(void);

#endif
