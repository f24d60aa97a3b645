/* test-rowpipe.c: rows handed to a writer thread (tokendesk/rowpipe.h)
 * arrive whole, in order, with their tags; cells are copied at put (the
 * caller's buffer is reused at once); empty and NULL cells read ""; a
 * row of many kilobytes fits; a writer that fails stops the reader's
 * puts and its code comes back from finish; a pipe with no rows ends. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tokendesk/rowpipe.h"

#define ROWS 50000

struct seen {
	long rows, bad;
	int fail_at;      /* fail at this row (1-based), 0 never */
	size_t big;       /* length of the long cell seen */
};

static int take(int tag, size_t n, const char *const *cells, void *ctx)
{
	struct seen *s = ctx;
	char want[32];

	s->rows++;
	if (s->fail_at && s->rows == s->fail_at)
		return 7;
	if (tag == 9) {   /* the long row */
		s->big = strlen(cells[0]);
		return 0;
	}
	snprintf(want, sizeof want, "r%ld", s->rows);
	if (tag != (int)(s->rows % 3) || n != 4 || strcmp(cells[0], want) != 0 ||
	    strcmp(cells[1], "") != 0 || strcmp(cells[2], "") != 0 ||
	    strcmp(cells[3], "Nguyễn Văn An") != 0)
		s->bad++;
	return 0;
}

static void in_order(void)
{
	struct seen s = { 0 };
	struct td_rowpipe *p = td_rowpipe_start(take, &s);
	char buf[32];
	long put = 0;

	CHECK(p != NULL);
	if (!p)
		return;
	for (long i = 1; i <= ROWS; i++) {
		snprintf(buf, sizeof buf, "r%ld", i);
		const char *cells[4] = { buf, "", NULL, "Nguyễn Văn An" };
		put += td_rowpipe_put(p, (int)(i % 3), 4, cells) == 0;
		buf[0] = '?';   /* reused at once: the pipe holds its own copy */
	}
	CHECK(td_rowpipe_finish(p) == 0);
	CHECK(put == ROWS);
	CHECK(s.rows == ROWS);
	CHECK(s.bad == 0);
}

static void long_cell(void)
{
	static char big[200000];
	struct seen s = { 0 };
	struct td_rowpipe *p = td_rowpipe_start(take, &s);

	CHECK(p != NULL);
	if (!p)
		return;
	memset(big, 'x', sizeof big - 1);
	const char *cells[1] = { big };
	CHECK(td_rowpipe_put(p, 9, 1, cells) == 0);
	CHECK(td_rowpipe_finish(p) == 0);
	CHECK(s.big == sizeof big - 1);
}

static void writer_fails(void)
{
	struct seen s = { .fail_at = 10 };
	struct td_rowpipe *p = td_rowpipe_start(take, &s);
	const char *cells[4] = { "r", "", "", "x" };
	long i, refused = 0;

	CHECK(p != NULL);
	if (!p)
		return;
	for (i = 0; i < 1000000 && !refused; i++)
		refused = td_rowpipe_put(p, 1, 4, cells) < 0;
	CHECK(refused);   /* the reader hears of it, long before the end */
	CHECK(td_rowpipe_finish(p) == 7);
	CHECK(s.rows == 10);   /* nothing past the failure reached the writer */
}

static void empty_and_too_wide(void)
{
	struct seen s = { 0 };
	struct td_rowpipe *p = td_rowpipe_start(take, &s);
	const char *cells[TD_ROWPIPE_MAX_CELLS + 1] = { 0 };

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(td_rowpipe_put(p, 0, TD_ROWPIPE_MAX_CELLS + 1, cells) < 0);
	CHECK(td_rowpipe_finish(p) == 0);
	CHECK(s.rows == 0);
}

int main(void)
{
	in_order();
	long_cell();
	writer_fails();
	empty_and_too_wide();
	return check_done("test-rowpipe");
}
