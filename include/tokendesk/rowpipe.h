/* tokendesk/rowpipe.h: rows of text handed to a writer thread.
 *
 * An output written while the registry is read costs twice: reading and
 * shaping the rows, then the writer's own work (libxlsxwriter's XML).
 * A desk has two cores, so the two run side by side: the reading thread
 * puts each row (its cells are copied at once, so their strings may be
 * reused), a thread of the pipe's own hands the rows, in order, to the
 * writer's function.  Rows travel in blocks of a few hundred, and only
 * a few blocks wait at a time, so memory stays the same whatever the
 * number of rows.
 *
 * The writer's function runs on the pipe's thread only: everything it
 * touches (a workbook) must be left alone by the reading thread until
 * td_rowpipe_finish returns. */
#ifndef TOKENDESK_ROWPIPE_H
#define TOKENDESK_ROWPIPE_H

#include <stddef.h>

/* The most cells a row may have. */
#define TD_ROWPIPE_MAX_CELLS 32

struct td_rowpipe;

/* The writer: one row (tag: the caller's, e.g. which sheet; cells[0..n)
 * valid during the call).  0, or non-zero to fail: the rows after it are
 * dropped and td_rowpipe_put says so to the reading thread. */
typedef int (*td_rowpipe_fn)(int tag, size_t n, const char *const *cells,
                             void *ctx);

/* Start the writer's thread.  NULL when memory or a thread cannot be had:
 * the caller then writes its rows itself. */
struct td_rowpipe *td_rowpipe_start(td_rowpipe_fn fn, void *ctx);
/* Hand one row over (n <= TD_ROWPIPE_MAX_CELLS; NULL cells are "").
 * Returns 0, or -1 once the writer has failed or memory ran out: stop
 * reading, then finish. */
int td_rowpipe_put(struct td_rowpipe *p, int tag, size_t n,
                   const char *const *cells);
/* Wait until the writer has every row put, stop its thread and free p.
 * Returns 0, the writer's first non-zero return, or -1 when memory ran
 * out. */
int td_rowpipe_finish(struct td_rowpipe *p);

#endif
