/* scr_help.c: help for the screen below it (F1 or ?), then the keys that
 * work everywhere.  Text is wrapped to the terminal's width by columns. */
#include <config.h>

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/widget.h"

struct help {
	const struct screen_ops *of;
	struct tl_list list;
	int cols;
};


/* Append text wrapped at width columns, one row per line. */
static void wrap(struct tl_list *l, const char *text, int width)
{
	char *copy = strdup(text), *para, *save = NULL;

	for (para = strtok_r(copy, "\n", &save); para;
	     para = strtok_r(NULL, "\n", &save)) {
		char line[1024] = "", *w, *wsave = NULL;
		for (w = strtok_r(para, " ", &wsave); w; w = strtok_r(NULL, " ", &wsave)) {
			if (line[0] && tw_width(line) + 1 + tw_width(w) > width) {
				tl_add(l, COL_NORMAL, NULL, NULL, line, NULL, NULL, NULL);
				line[0] = '\0';
			}
			if (strlen(line) + strlen(w) + 2 < sizeof line) {
				if (line[0])
					strcat(line, " ");
				strcat(line, w);
			}
		}
		tl_add(l, COL_NORMAL, NULL, NULL, line, NULL, NULL, NULL);
		tl_add(l, COL_NORMAL, NULL, NULL, "", NULL, NULL, NULL);
	}
	free(copy);
}

static void build(struct help *h, int cols)
{
	char title[256];

	tl_clear(&h->list);
	h->cols = cols;
	snprintf(title, sizeof title, "%s: %s", T("This screen"), T(h->of->title));
	tl_add(&h->list, COL_HEAD, NULL, NULL, title, NULL, NULL, NULL);
	wrap(&h->list, T(h->of->help), cols - 4);
	tl_add(&h->list, COL_HEAD, NULL, NULL, T("Keys on every screen"), NULL,
	       NULL, NULL);
	/* from the request table the desk dispatches with */
	for (const struct desk_request *r = desk_requests; r->help || r->req; r++)
		if (r->written && r->help)
			tl_add(&h->list, COL_NORMAL, NULL, NULL, r->written, T(r->help),
			       NULL, NULL);
}

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct help *h = self;

	if (h->cols != cols)
		build(h, cols);
	tl_draw(d, &h->list, top + 1, rows - 1, cols);
}

static int key(struct desk *d, void *self, int k)
{
	struct help *h = self;

	(void)d;
	if (k == TDK(KEY_F(1)) || k == '?')
		return 1;   /* already here */
	return tl_key(&h->list, k, 0);
}

static void hfree(void *self)
{
	struct help *h = self;

	tl_clear(&h->list);
	free(h);
}

static const struct screen_ops ops = {
	.title = N_("Help"),
	.help = N_("This is the help screen. Esc or q goes back."),
	.draw = draw, .key = key, .free = hfree,
};

void scr_help_open(struct desk *d, const struct screen_ops *of)
{
	struct help *h;

	if (of == &ops || !(h = calloc(1, sizeof *h)))
		return;
	h->of = of;
	h->list.maxw[0] = 24;
	h->list.no_cursor = 1;
	desk_push(d, &ops, h);
}
