/* scr_text.c: the base of the desk's read-only screens (textscr.h), and
 * the plainest of them: a title and a text to read (a reopened handover
 * record), which keys scroll. */
#include <config.h>

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/sign.h"
#include "tui/textscr.h"

/* ---- the base ------------------------------------------------------------ */

struct text_scr *text_new(const struct text_kind *kind, void *own)
{
	struct text_scr *t = calloc(1, sizeof *t);

	if (!t) {
		if (kind->free)
			kind->free(own);
		return NULL;
	}
	t->kind = kind;
	t->own = own;
	return t;
}

void text_build(struct desk *d, struct text_scr *t, int cols)
{
	int sel = t->list.sel, top = t->list.top, again = t->cols != 0;

	tl_clear(&t->list);
	t->cols = cols;
	if (t->kind->build)
		t->kind->build(d, t, cols);
	/* made again (resized, or the registry changed): the reader stays
	 * where they were */
	if (again) {
		t->list.sel = sel < t->list.n ? sel : 0;
		t->list.top = top < t->list.n ? top : 0;
	}
}

void text_draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct text_scr *t = self;

	if (t->cols != cols || (t->kind->stale && t->kind->stale(d, t)))
		text_build(d, t, cols);
	top += t->gap, rows -= t->gap;
	if (t->heading[0]) {
		tw_put(d, top, 1, cols - 2, t->heading, COL_HEAD, 0);
		top++, rows--;
	}
	if (t->keys) {
		screen_keyline(d, top + rows - 1, cols, t->keys, 0, 1, 0);
		rows--;
	}
	tl_draw(d, &t->list, top, rows, cols);
	if (t->kind->over)
		t->kind->over(d, t);
}

/* Enter on a row that names something: open it. */
static int open_row(struct desk *d, struct text_scr *t, const struct tl_row *row)
{
	if (t->kind->open && t->kind->open(d, t, row))
		return 1;
	if (strcmp(row->kind, "handover") == 0)
		scr_handover_open(d, row->key);
	else if (strcmp(row->kind, "receipt") == 0)
		scr_receipt_open(d, row->key);
	else if (strcmp(row->kind, "conflict") == 0)
		scr_conflicts_open_at(d, strtoll(row->key, NULL, 10));
	else
		desk_open_record(d, row->kind, row->key);
	return 1;
}

/* The base's one key of its own: Enter opens what a row names (the
 * list's keys scroll; the global table has the rest). */
enum { TX_NONE, TX_OPEN };

static const struct screen_key base_keys[] = {
	{ TX_OPEN, SK_ALL, { TDK_ENTER }, 0, "Enter", NULL, NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

int text_key(struct desk *d, void *self, int k)
{
	struct text_scr *t = self;
	struct tl_row *row;

	if (t->kind->key && t->kind->key(d, t, k))
		return 1;
	if (tl_key(&t->list, k, text_typing(t)))
		return 1;
	if (screen_request(base_keys, 0, k, 0) == TX_OPEN &&
	    (row = tl_selected(&t->list)) && row->kind)
		return open_row(d, t, row);
	return 0;
}

int text_typing(void *self)
{
	struct text_scr *t = self;

	return t->kind->typing && t->kind->typing(t);
}

void text_free(void *self)
{
	struct text_scr *t = self;

	if (t->kind->free)
		t->kind->free(t->own);
	tl_clear(&t->list);
	free(t);
}

/* ---- a text to read ------------------------------------------------------ */

struct plain {
	char *title, *text;
};

/* One row per line of the text, as it is (a printed record keeps its
 * own layout); a line wider than the screen is wrapped. */
static void plain_build(struct desk *d, struct text_scr *t, int cols)
{
	struct plain *p = t->own;
	char *copy = strdup(p->text), *line, *next;

	(void)d;
	if (!copy)
		return;
	tl_add(&t->list, COL_HEAD, NULL, NULL, p->title, NULL, NULL, NULL);
	/* blank lines kept: they are the record's paragraphs */
	for (line = copy; line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		/* wrapped, never cut: a word lost at the edge could change
		 * what the record says */
		if (tw_width(line) <= cols - 2)
			tl_add(&t->list, COL_NORMAL, NULL, NULL, line, NULL, NULL, NULL);
		else
			tl_add_wrapped(&t->list, COL_NORMAL, line, cols - 2,
			               (int)strspn(line, " ") + 2);
	}
	free(copy);
}

static void plain_free(void *own)
{
	struct plain *p = own;

	if (!p)
		return;
	free(p->title);
	free(p->text);
	free(p);
}

/* The keys of a reopened record, as the list of records has them: the
 * p read there as "print again" must not open the plan here. */
enum { PK_NONE, PK_PRINT, PK_SIGN };

static const struct screen_key plain_keys[] = {
	{ PK_PRINT, SK_ALL, { 'p', 'P' }, 0, "p", N_("print again (PDF)"),
	  N_("Print it again as a PDF into the records folder") },
	{ PK_SIGN, SK_ALL, { 's', 'S' }, 0, "s", N_("sign"),
	  N_("Its signatures; sign it with a party's token") },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

static int plain_key(struct desk *d, struct text_scr *t, int k)
{
	struct plain *p = t->own;

	switch (screen_request(plain_keys, 0, k, 0)) {
	case PK_PRINT: scr_records_reprint(d, p->title); return 1;
	case PK_SIGN: scr_receipt_open(d, p->title); return 1;
	}
	return 0;
}

static const struct text_kind plain_kind = {
	.build = plain_build, .key = plain_key, .free = plain_free,
};

static const struct screen_ops ops = {
	.title = N_("Record"),
	.help = N_("A handover record reopened as it was printed: the items "
	        "are those of the day, not today's names."),
	.keys = plain_keys,
	.draw = text_draw, .key = text_key, .typing = text_typing,
	.free = text_free,
};

void scr_text_open(struct desk *d, const char *title, const char *text)
{
	struct plain *p = calloc(1, sizeof *p);
	struct text_scr *t;

	if (!p)
		return;
	if (!(p->title = strdup(title)) || !(p->text = strdup(text))) {
		plain_free(p);
		return;
	}
	if (!(t = text_new(&plain_kind, p)))
		return;
	t->list.no_cursor = 1;
	t->keys = plain_keys;
	desk_push(d, &ops, t);
}
