/* strmap.c: open-addressing hash map (FNV-1a, linear probing) and arena. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/strmap.h"

struct slot {
	const char *key;
	void *value;
	uint64_t hash;
};

struct td_strmap {
	struct slot *slots;
	size_t cap, count;   /* cap is a power of two */
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

struct td_strmap *td_strmap_new(size_t expected)
{
	struct td_strmap *m = calloc(1, sizeof *m);
	size_t cap = 16;

	while (cap < expected * 2)
		cap *= 2;
	if (!m || !(m->slots = calloc(cap, sizeof *m->slots))) {
		free(m);
		return NULL;
	}
	m->cap = cap;
	return m;
}

void td_strmap_free(struct td_strmap *m)
{
	if (m) {
		free(m->slots);
		free(m);
	}
}

static struct slot *find(const struct td_strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	while (m->slots[i].key &&
	       (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

void *td_strmap_get(const struct td_strmap *m, const char *key)
{
	struct slot *s = find(m, key, fnv1a(key));
	return s->key ? s->value : NULL;
}

static int grow(struct td_strmap *m)
{
	struct td_strmap bigger = { calloc(m->cap * 2, sizeof(struct slot)),
	                            m->cap * 2, 0 };

	if (!bigger.slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*find(&bigger, m->slots[i].key, m->slots[i].hash) = m->slots[i];
	free(m->slots);
	m->slots = bigger.slots;
	m->cap = bigger.cap;
	return 0;
}

/* key's slot, taken for key when it had none (*added then 1, its value
 * the caller's to set); NULL out of memory. */
static struct slot *slot_for(struct td_strmap *m, const char *key, int *added)
{
	uint64_t h = fnv1a(key);
	struct slot *s;

	if ((m->count + 1) * 2 > m->cap && grow(m) < 0)
		return NULL;
	s = find(m, key, h);
	*added = !s->key;
	if (*added) {
		s->key = key;
		s->hash = h;
		m->count++;
	}
	return s;
}

int td_strmap_put(struct td_strmap *m, const char *key, void *value)
{
	int added;
	struct slot *s = slot_for(m, key, &added);

	if (!s)
		return -1;
	s->value = value;
	return 0;
}

void *td_strmap_add(struct td_strmap *m, const char *key, void *value)
{
	int added;
	struct slot *s = slot_for(m, key, &added);

	if (!s)
		return NULL;
	if (added)
		s->value = value;
	return s->value;
}

size_t td_strmap_count(const struct td_strmap *m)
{
	return m->count;
}

void td_strmap_each(const struct td_strmap *m,
                    void (*fn)(const char *key, void *value, void *ctx), void *ctx)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			fn(m->slots[i].key, m->slots[i].value, ctx);
}

/* ---- arena ---------------------------------------------------------------- */

/* Blocks start small and double up to ARENA_BLOCK: a two-row import (or a
 * fuzz input) should not map a megabyte, a million-row one should not make
 * thousands of small blocks. */
#define ARENA_FIRST_BLOCK (4u << 10)
#define ARENA_BLOCK (1u << 20)

struct block {
	struct block *next;
	size_t used, size;
	max_align_t data[];
};

struct td_arena {
	struct block *head;
};

struct td_arena *td_arena_new(void)
{
	return calloc(1, sizeof(struct td_arena));
}

void td_arena_free(struct td_arena *a)
{
	if (!a)
		return;
	for (struct block *b = a->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

void *td_arena_alloc(struct td_arena *a, size_t n)
{
	size_t align = sizeof(max_align_t);
	struct block *b = a->head;

	n = (n + align - 1) / align * align;
	if (!b || b->size - b->used < n) {
		size_t size = !b ? ARENA_FIRST_BLOCK
		              : b->size >= ARENA_BLOCK ? ARENA_BLOCK : b->size * 2;
		if (size < n)
			size = n;
		b = malloc(sizeof *b + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *td_arena_strndup(struct td_arena *a, const char *s, size_t n)
{
	char *p = td_arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *td_arena_strdup(struct td_arena *a, const char *s)
{
	return td_arena_strndup(a, s, strlen(s));
}
