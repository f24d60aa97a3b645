/* test-strmap.c: the string map the import's checks stand on: get, put,
 * add (the first row with a key wins, in one look-up), growth past its
 * first size, and the arena that owns the keys. */
#include <config.h>

#include <stdio.h>

#include "check.h"
#include "tokendesk/strmap.h"

#define N 20000

int main(void)
{
	struct td_arena *a = td_arena_new();
	struct td_strmap *m = td_strmap_new(4);   /* grows many times */
	static int first[N], second[N];
	char key[32];

	CHECK(a && m);
	if (!a || !m)
		return check_done("test-strmap");
	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof key, "%08X", (unsigned)i * 2654435761u);
		char *k = td_arena_strdup(a, key);
		CHECK(td_strmap_add(m, k, &first[i]) == &first[i]);   /* added */
	}
	CHECK(td_strmap_count(m) == N);
	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof key, "%08X", (unsigned)i * 2654435761u);
		/* a second add keeps the first value and says so */
		CHECK(td_strmap_add(m, td_arena_strdup(a, key), &second[i]) == &first[i]);
		CHECK(td_strmap_get(m, key) == &first[i]);
	}
	CHECK(td_strmap_count(m) == N);
	CHECK(td_strmap_get(m, "absent") == NULL);
	/* put replaces, add does not */
	CHECK(td_strmap_put(m, "x", &second[0]) == 0);
	CHECK(td_strmap_add(m, "x", &first[0]) == &second[0]);
	CHECK(td_strmap_get(m, "x") == &second[0]);
	CHECK(td_strmap_count(m) == N + 1);
	td_strmap_free(m);
	td_arena_free(a);
	return check_done("test-strmap");
}
