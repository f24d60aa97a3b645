/* check.h: the smallest assertion kit for tokendesk's unit tests.
 * CHECK() records a failure with its line and goes on, so one run shows
 * every broken expectation; check_done() turns the tally into the exit
 * status automake's harness reads (0 pass, 1 fail). */
#ifndef TD_TEST_CHECK_H
#define TD_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_failures, check_count;

#define CHECK(cond) do { check_count++; if (!(cond)) { check_failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_STR(got, want) do { const char *g_ = (got), *w_ = (want); check_count++; \
	if (!g_ || strcmp(g_, w_) != 0) { check_failures++; \
	fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
	        g_ ? g_ : "(null)", w_); } } while (0)

/* A registry path in a directory of the test's own (mkdtemp: 0700), as
 * td_reg_open wants it: one directly in /tmp is refused, since another
 * user could put a file in its place.  check_db_remove removes both. */
static inline const char *check_db_path(char *path, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(path, size, "%s/td-unit.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(path))
		return NULL;
	strncat(path, "/reg.db", size - strlen(path) - 1);
	return path;
}

static inline void check_db_remove(const char *path)
{
	char dir[512];
	const char *side[] = { "", "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < sizeof side / sizeof *side; i++) {
		snprintf(dir, sizeof dir, "%s%s", path, side[i]);
		unlink(dir);
	}
	snprintf(dir, sizeof dir, "%s", path);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

static inline int check_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
