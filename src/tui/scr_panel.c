/* scr_panel.c: the desk's home: the live token panel.
 *
 * Tokens present are listed with their certificates and how they match
 * the registry, updated from the watcher's events without a key press
 * (tokens.c fills the rows).  Below: what the operator can do next. */
#include <config.h>

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/widget.h"

struct panel {
	struct tl_list list;
	/* the row the operator is on, by what it is: rows come and go above
	 * it as tokens are inserted and removed, and it must not move */
	char sel_kind[16], sel_key[160];
	/* the token inserted last, marked and brought into view until the
	 * next key */
	char fresh[128];
};

/* tokens.c: the rows of the tokens present (0 rows: none). */
void desk_tokens_rows(struct desk *d, struct tl_list *l);

/* The panel's menu: the request table's screens, help and quit, each
 * with its keys and what the help says of it (keys.h). */
static int in_menu(enum desk_req req)
{
	return req != REQ_NONE && req != REQ_PANEL && req != REQ_BACK &&
	       req != REQ_REDRAW && req != REQ_RESIZE;
}

/* The row of kind and key, or -1. */
static int find_row(const struct tl_list *l, const char *kind, const char *key)
{
	for (int i = 0; i < l->n; i++)
		if (l->rows[i].kind && l->rows[i].key &&
		    strcmp(l->rows[i].kind, kind) == 0 && strcmp(l->rows[i].key, key) == 0)
			return i;
	return -1;
}

/* The fresh token: its rows (up to the next token's) marked and to be
 * brought into view. */
static void mark_fresh(struct panel *p)
{
	int at = -1, n = 0;

	p->list.show = -1;
	p->list.show_rows = 0;
	if (!p->fresh[0])
		return;
	if ((at = find_row(&p->list, "token", p->fresh)) < 0)
		at = find_row(&p->list, "register", p->fresh);
	if (at < 0)
		return;
	/* its rows end at the next token's first row (a kind and columns)
	 * or the blank line before the menu: its hint, PIN state, its
	 * certificates and what differs from the registry are its own, and
	 * a token that lands at the foot of the screen with its "PIN
	 * locked" below it is not in view */
	for (n = 1; at + n < p->list.n; n++) {
		const struct tl_row *r = &p->list.rows[at + n];
		int first_row = r->kind && r->cells[1] && (strcmp(r->kind, "token") == 0 ||
		                strcmp(r->kind, "register") == 0);
		if (first_row || (r->kind && strcmp(r->kind, "menu") == 0) ||
		    r->color == COL_HEAD ||
		    (!r->cells[1] && (!r->cells[0] || !r->cells[0][0])))
			break;
	}
	p->list.show = at;
	p->list.show_rows = n;
	/* marked in words, not only in colour */
	if (p->list.rows[at].cells[2]) {
		char *was = p->list.rows[at].cells[2], *now = malloc(strlen(was) + 64);
		if (now) {
			snprintf(now, strlen(was) + 64, "%s %s", T("● just inserted:"), was);
			free(was);
			p->list.rows[at].cells[2] = now;
		}
	}
}

static void build(struct desk *d, struct panel *p)
{
	int sel = p->list.sel, at;

	tl_clear(&p->list);
	tl_add(&p->list, COL_HEAD, NULL, NULL, T("Tokens present"), NULL, NULL, NULL);
	desk_tokens_rows(d, &p->list);
	if (p->list.n == 1)
		tl_add_wrapped(&p->list, COL_DIM,
		       desk_tokens_fd(d) >= 0
		           ? T("No token inserted. Insert one: it shows here with its "
		               "certificates and its registry record.")
		           : T("No token reader: the token layer is not available. "
		               "Search, browse and handover work."),
		       d->cols - 2, 0);
	tl_add(&p->list, COL_NORMAL, NULL, NULL, "", NULL, NULL, NULL);
	tl_add(&p->list, COL_HEAD, NULL, NULL, T("What to do"), NULL, NULL, NULL);
	/* the screens first, help and quit last */
	for (int pass = 0; pass < 2; pass++)
		for (const struct desk_request *r = desk_requests; r->help || r->req; r++) {
			struct tl_row *row;
			if (!in_menu(r->req) || !r->written ||
			    (r->req == REQ_HELP || r->req == REQ_QUIT) != pass)
				continue;
			if ((row = tl_add(&p->list, COL_NORMAL, "menu", r->written,
			                  r->written, T(r->help), NULL, NULL)))
				row->data = r->req;
		}
	/* the same row as before, wherever it is now */
	if (p->sel_kind[0] && (at = find_row(&p->list, p->sel_kind, p->sel_key)) >= 0)
		sel = at;
	p->list.sel = sel < p->list.n ? sel : 0;
	tl_settle(&p->list, 1);
	mark_fresh(p);
}

/* Remember what the selection is on, by kind and key. */
static void note_selection(struct panel *p)
{
	struct tl_row *r = tl_selected(&p->list);

	p->sel_kind[0] = p->sel_key[0] = '\0';
	if (r && r->kind && r->key) {
		snprintf(p->sel_kind, sizeof p->sel_kind, "%s", r->kind);
		snprintf(p->sel_key, sizeof p->sel_key, "%s", r->key);
	}
}

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct panel *p = self;

	build(d, p);
	tl_draw(d, &p->list, top + 1, rows - 1, cols);
}

static int key(struct desk *d, void *self, int k)
{
	struct panel *p = self;
	struct tl_row *r;

	p->fresh[0] = '\0';   /* seen: the mark goes at the next key */
	if (tl_key(&p->list, k, 0)) {
		note_selection(p);
		return 1;
	}
	if (k != TDK_ENTER || !(r = tl_selected(&p->list)) || !r->kind)
		return 0;
	if (strcmp(r->kind, "menu") == 0) {
		desk_request(d, (enum desk_req)r->data);	} else if (strcmp(r->kind, "register") == 0) {
		scr_search_open(d, r->key);
	} else {
		desk_open_record(d, r->kind, r->key);
	}
	return 1;
}

static void pfree(void *self)
{
	struct panel *p = self;

	tl_clear(&p->list);
	free(p);
}

static void changed(struct desk *d, void *self)
{
	struct panel *p = self;
	const char *serial;

	if (!p->sel_kind[0])
		note_selection(p);   /* where the operator is, before rows move */
	for (int i = 0; (serial = desk_tokens_fresh(d, i)); i++)
		snprintf(p->fresh, sizeof p->fresh, "%s", serial);
	d->dirty = 1;
}

static const struct screen_ops ops = {
	.title = N_("Tokens"),
	.help = N_("The home screen. Insert a token: it appears here at once, with "
	        "its certificates and how they match the registry — matched; "
	        "unknown token; known token with a different certificate; "
	        "expired; tagged (to revoke, or information changed); outside "
	        "this desk's agencies. A mismatch is shown in colour with what "
	        "differs (registry / token). Remove the token and it goes.\n"
	        "Enter on a token opens its record; on an unknown token it "
	        "searches the registry for it.\n"
	        "A barcode scanner can type a serial at any time: the search "
	        "opens with it."),
	.draw = draw, .key = key, .tokens_changed = changed, .free = pfree,
};

void scr_panel_open(struct desk *d)
{
	struct panel *p = calloc(1, sizeof *p);

	if (!p)
		return;
	p->list.maxw[0] = 20;   /* token serials: 8 to 16 characters */
	p->list.mid[0] = 1;
	p->list.links_only = 1;
	desk_push(d, &ops, p);
}
