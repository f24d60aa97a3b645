/* tokendesk/strmap.h: a string-keyed hash map and a string arena.
 *
 * The map borrows its keys: they must outlive it (an arena is the usual
 * owner).  Values are opaque pointers the map never frees. */
#ifndef TOKENDESK_STRMAP_H
#define TOKENDESK_STRMAP_H

#include <stddef.h>

struct td_strmap;

struct td_strmap *td_strmap_new(size_t expected);
void td_strmap_free(struct td_strmap *m);
/* The value for key, or NULL. */
void *td_strmap_get(const struct td_strmap *m, const char *key);
/* Set key to value (replacing).  Returns 0, or -1 out of memory. */
int td_strmap_put(struct td_strmap *m, const char *key, void *value);
/* Add key -> value unless key is there already, in one look-up.
 * Returns the value key already had (the map unchanged), value itself
 * when it was added, or NULL out of memory.  value must not be NULL. */
void *td_strmap_add(struct td_strmap *m, const char *key, void *value);
size_t td_strmap_count(const struct td_strmap *m);
/* Call fn for every entry, in no particular order. */
void td_strmap_each(const struct td_strmap *m,
                    void (*fn)(const char *key, void *value, void *ctx), void *ctx);

/* An arena: many small strings freed at once. */
struct td_arena;
struct td_arena *td_arena_new(void);
void td_arena_free(struct td_arena *a);
/* Copy of s (n bytes, then a NUL) in the arena; NULL out of memory. */
char *td_arena_strndup(struct td_arena *a, const char *s, size_t n);
char *td_arena_strdup(struct td_arena *a, const char *s);
/* n zeroed bytes, aligned for any type. */
void *td_arena_alloc(struct td_arena *a, size_t n);

#endif
