/* scr_help.c: help for the screen below it (F1 or ?), then the keys that
 * work everywhere.  Text is wrapped to the terminal's width by columns. */
#include <config.h>

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/textscr.h"

#define KEYS_W 24   /* the keys' column (list.maxw[0]) */

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

/* A key in two columns: the keys, then what they do, wrapped in its
 * column, never cut at the edge. */
static void key_line(struct tl_list *l, const char *written, const char *help,
                     int cols)
{
	struct tl_list tmp = { 0 };

	tl_add_wrapped(&tmp, COL_NORMAL, T(help), cols - KEYS_W - 2, 0);
	for (int i = 0; i < tmp.n; i++)
		tl_add(l, COL_NORMAL, NULL, NULL, i ? "" : written,
		       tmp.rows[i].cells[0], NULL, NULL);
	tl_clear(&tmp);
}

static void build(struct desk *d, struct text_scr *t, int cols)
{
	const struct screen_ops *of = t->own;
	char title[256];

	(void)d;
	snprintf(title, sizeof title, "%s: %s", T("This screen"), T(of->title));
	tl_add(&t->list, COL_HEAD, NULL, NULL, title, NULL, NULL, NULL);
	wrap(&t->list, T(of->help), cols - 4);
	/* the screen's own keys, from the table it dispatches with */
	if (of->keys) {
		tl_add(&t->list, COL_HEAD, NULL, NULL, T("Keys on this screen"), NULL,
		       NULL, NULL);
		for (const struct screen_key *k = of->keys;
		     k->keys[0] || k->label || k->help; k++)
			if (k->help)
				key_line(&t->list, k->written, k->help, cols);
		tl_add(&t->list, COL_NORMAL, NULL, NULL, "", NULL, NULL, NULL);
	}
	tl_add(&t->list, COL_HEAD, NULL, NULL, T("Keys on every screen"), NULL,
	       NULL, NULL);
	/* from the request table the desk dispatches with */
	for (const struct desk_request *r = desk_requests; r->help || r->req; r++)
		if (r->written && r->help)
			key_line(&t->list, r->written, r->help, cols);
}

static int key(struct desk *d, struct text_scr *t, int k)
{
	(void)d, (void)t;
	return desk_request_of(k, 0) == REQ_HELP;   /* already here */
}

static const struct text_kind kind = { .build = build, .key = key };

static const struct screen_ops ops = {
	.title = N_("Help"),
	.help = N_("This is the help screen: the keys of the screen you came "
	        "from are listed below its text."),
	.draw = text_draw, .key = text_key, .typing = text_typing,
	.free = text_free,
};

void scr_help_open(struct desk *d, const struct screen_ops *of)
{
	struct text_scr *t;

	/* the help screen's own help is itself */
	if (of == &ops || !(t = text_new(&kind, (void *)of)))
		return;
	t->list.maxw[0] = KEYS_W;
	t->list.no_cursor = 1;
	t->gap = 1;
	desk_push(d, &ops, t);
}
