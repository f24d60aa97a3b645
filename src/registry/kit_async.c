/* kit_async.c: a merge's slow work on the kit, beside its other work.
 *
 * Two steps of a merge read only the kit's private copy and take a
 * tenth of a second or more on a kit of 100,000 field events: checking
 * that the copy is whole (integrity_check) and making the image of the
 * kit as merged (kit_copy_trimmed, and its SHA-256).  Each runs in a
 * thread of its own, on a private copy of its own (a connection is used
 * by one thread), while the merge goes on; the merge waits for it
 * before it acts on its result.  A desk has two cores or more.  When a
 * thread cannot be started, the step runs there and then. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "registry/kit.h"

static void run_whole(struct kit_async *a)
{
	a->rc = kit_check_whole(a->copy, "main", a->what, &a->err);
}

static void run_snapshot(struct kit_async *a)
{
	unsigned char *bytes = a->bytes;

	a->bytes = NULL;   /* kit_copy_trimmed takes it over */
	if ((a->rc = kit_copy_trimmed(a->what, bytes, a->n, &a->out, &a->out_n,
	                              &a->err)) == TD_OK)
		a->rc = td_sha256_of(a->out, (size_t)a->out_n, a->sha256, &a->err);
}

static void *run(void *arg)
{
	struct kit_async *a = arg;

	a->work(a);
	return NULL;
}

static void start(struct kit_async *a, void (*work)(struct kit_async *a))
{
	a->work = work;
	a->running = pthread_create(&a->thread, NULL, run, a) == 0;
	if (!a->running)
		work(a);
}

int kit_async_whole(struct kit_async *a, struct td_registry *kit,
                    const char *what, struct td_error *err)
{
	sqlite3_int64 n = 0;
	unsigned char *bytes = sqlite3_serialize(kit->db, "main", &n, 0);
	int rc;

	memset(a, 0, sizeof *a);
	snprintf(a->what, sizeof a->what, "%s", what);
	/* an empty file is an empty database: nothing to check */
	if (!bytes)
		return n > 0 || sqlite3_errcode(kit->db) != SQLITE_OK
		       ? td_error_set(err, TD_ERR_NOMEM, "out of memory") : TD_OK;
	if ((rc = kit_copy_open(what, bytes, n, &a->copy, err)) < 0)
		return rc;
	start(a, run_whole);
	return TD_OK;
}

int kit_async_snapshot(struct kit_async *a, struct td_registry *kit,
                       struct td_error *err)
{
	memset(a, 0, sizeof *a);
	snprintf(a->what, sizeof a->what, "%s", kit->path ? kit->path : "kit");
	if (!(a->bytes = sqlite3_serialize(kit->db, "main", &a->n, 0)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	start(a, run_snapshot);
	return TD_OK;
}

int kit_async_wait(struct kit_async *a, struct td_error *err)
{
	if (a->running) {
		pthread_join(a->thread, NULL);
		a->running = 0;
	}
	td_reg_close(a->copy);
	a->copy = NULL;
	if (a->rc < 0 && err)
		*err = a->err;
	return a->rc;
}

void kit_async_free(struct kit_async *a)
{
	kit_async_wait(a, NULL);
	sqlite3_free(a->out);
	a->out = NULL;
}
