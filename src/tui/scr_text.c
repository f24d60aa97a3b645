/* scr_text.c: the base of the desk's read-only screens: a title and a
 * text to read, which keys scroll (nothing to select, nothing to write).
 * A reopened handover record is one. */
#include <config.h>

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/desk.h"
#include "tui/widget.h"

struct text_scr {
	char *title, *text;
	struct tl_list list;
	int cols;             /* the width the lines were made for */
};

/* One row per line of the text, as it is (a printed record keeps its
 * own layout); a line wider than the screen is wrapped. */
static void build(struct text_scr *s, int cols)
{
	char *copy = strdup(s->text), *line, *next;

	tl_clear(&s->list);
	s->cols = cols;
	if (!copy)
		return;
	tl_add(&s->list, COL_HEAD, NULL, NULL, s->title, NULL, NULL, NULL);
	/* blank lines kept: they are the record's paragraphs */
	for (line = copy; line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		/* wrapped, never cut: a word lost at the edge could change
		 * what the record says */
		if (tw_width(line) <= cols - 2)
			tl_add(&s->list, COL_NORMAL, NULL, NULL, line, NULL, NULL, NULL);
		else
			tl_add_wrapped(&s->list, COL_NORMAL, line, cols - 2,
			               (int)strspn(line, " ") + 2);
	}
	free(copy);
}

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct text_scr *s = self;

	if (s->cols != cols)
		build(s, cols);
	tl_draw(d, &s->list, top, rows, cols);
}

static int key(struct desk *d, void *self, int k)
{
	struct text_scr *s = self;

	(void)d;
	return tl_key(&s->list, k, 0);
}

static void tfree(void *self)
{
	struct text_scr *s = self;

	tl_clear(&s->list);
	free(s->title);
	free(s->text);
	free(s);
}

static const struct screen_ops ops = {
	.title = N_("Record"),
	.help = N_("A text to read: arrows, PgUp/PgDn, Home/End scroll; Esc "
	        "goes back."),
	.draw = draw, .key = key, .free = tfree,
};

void scr_text_open(struct desk *d, const char *title, const char *text)
{
	struct text_scr *s = calloc(1, sizeof *s);

	if (!s)
		return;
	if (!(s->title = strdup(title)) || !(s->text = strdup(text))) {
		tfree(s);
		return;
	}
	s->list.no_cursor = 1;
	desk_push(d, &ops, s);
}
