/* scr_browse.c: the agency tree as of a date (today unless the operator
 * types another: d), as `tokendesk show agency --as-of` shows it: an
 * agency merged away (valid_to) or made by a later merger (valid_from)
 * is left out.  Children are read when a branch is opened
 * (td_reg_each_child_agency), so a province of 60,000 agencies opens as
 * fast as the demo.  Enter opens the agency's record: its holders,
 * certificates and tokens. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/orgtree.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/widget.h"

/* row->data: depth in the low byte, OPEN when expanded */
#define OPEN 0x100
#define DEPTH(r) ((int)((r)->data & 0xff))

struct browse {
	struct tl_list list;
	struct td_error err;
	char as_of[11];            /* YYYY-MM-DD: the tree on that day */
	int editing;               /* the date is being typed */
	struct tf_field date;
};

struct add_ctx {
	struct tl_list *l;
	int at, depth;
	const char *as_of;
};

static int add_child(const struct td_agency *a, void *ctx)
{
	struct add_ctx *c = ctx;
	char name[600];
	struct tl_row *r;

	if (!td_agency_in_force(a, c->as_of))
		return 0;
	snprintf(name, sizeof name, "%*s▸ %s", c->depth * 2, "", a->name);
	r = tl_insert(c->l, c->at++, COL_NORMAL, "agency", a->code, name, a->code,
	              td_tui_level_label(a->level), NULL);
	if (r)
		r->data = c->depth;
	return 0;
}

/* Replace the marker of row i ("▸" closed, "▾" open). */
static void mark(struct tl_row *r, int open)
{
	char *p = strstr(r->cells[0], open ? "▸" : "▾");

	if (p)
		memcpy(p, open ? "▾" : "▸", strlen("▸"));
}

static void expand(struct desk *d, struct browse *b, int i)
{
	struct tl_row *r = &b->list.rows[i];
	struct add_ctx c = { &b->list, i + 1, DEPTH(r) + 1, b->as_of };
	char code[128];

	if (r->data & OPEN)
		return;
	r->data |= OPEN;
	mark(r, 1);
	snprintf(code, sizeof code, "%s", r->key);
	if (td_reg_each_child_agency(d->reg, code, add_child, &c, &b->err) < 0)
		desk_error(d, &b->err);
	if (c.at == i + 1)
		desk_message(d, 0, "%s", T("No sub-agencies."));
}

static void collapse(struct browse *b, int i)
{
	struct tl_row *r = &b->list.rows[i];
	int depth = DEPTH(r), end = i + 1;

	if (!(r->data & OPEN))
		return;
	while (end < b->list.n && DEPTH(&b->list.rows[end]) > depth)
		end++;
	tl_remove(&b->list, i + 1, end - i - 1);
	r->data &= ~OPEN;
	mark(r, 0);
}

/* The roots in force on b->as_of, the first level opened when there is
 * one root (the province). */
static void load(struct desk *d, struct browse *b)
{
	struct add_ctx c = { &b->list, 0, 0, b->as_of };

	tl_clear(&b->list);
	if (td_reg_each_child_agency(d->reg, NULL, add_child, &c, &b->err) < 0)
		desk_error(d, &b->err);
	if (b->list.n == 1)
		expand(d, b, 0);
}

/* YYYY-MM-DD or d/m/yyyy (as the lists write it) into out[11]. */
static int read_date(const char *text, char out[11])
{
	return td_date_parse(text, out);
}

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct browse *b = self;
	char line[300];
	int x;

	Tf(line, sizeof line, "As of %s", b->as_of);
	x = 1 + tw_width(line) + 2;
	tw_put(d, top, 1, cols - 2, line, COL_KEY, 0);
	if (b->editing) {
		tw_put(d, top, x, cols - x - 1,
		       T("Date (YYYY-MM-DD or d/m/yyyy), Enter; Esc: keep"), COL_DIM, 0);
	} else {
		tw_put(d, top, x, cols - x - 1,
		       T("d: date  → open  ← close  Enter: its holders and tokens"),
		       COL_DIM, 0);
	}
	tl_draw(d, &b->list, top + 1, rows - 1, cols);
	if (b->editing) {
		tf_draw(d, &b->date, top, cols - 14, 12, 1);
		curs_set(1);
	}
}

/* The screen's requests and keys (keys.h): mode 0 the tree, 1 the date
 * being typed. */
enum { BR_NONE, BR_DATE, BR_OPEN, BR_TOGGLE, BR_CLOSE, BR_RECORD, BR_SET,
       BR_CANCEL };
#define TREE SK_MODE(0)
#define DATE SK_MODE(1)

static const struct screen_key browse_keys[] = {
	{ BR_OPEN, TREE, { TDK(KEY_RIGHT), '+', 'l' }, 0, "→  +",
	  NULL, N_("Open the branch") },
	{ BR_TOGGLE, TREE, { ' ' }, 0, "Space", NULL,
	  N_("Open or close the branch") },
	{ BR_CLOSE, TREE, { TDK(KEY_LEFT), '-' }, 0, "←  -", NULL,
	  N_("Close the branch, or go to the agency above") },
	{ BR_RECORD, TREE, { TDK_ENTER }, 0, "Enter", NULL,
	  N_("Open the agency's record") },
	{ BR_DATE, TREE, { 'd', 'D' }, 0, "d", NULL,
	  N_("The tree as of another date (Enter sets it, Esc leaves it)") },
	{ BR_SET, DATE, { TDK_ENTER }, 1, "Enter", NULL, NULL },
	{ BR_CANCEL, DATE, { TDK_ESC }, 1, "Esc", NULL, NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

static void date_set(struct desk *d, struct browse *b)
{
	char text[64], date[11];

	tf_get(&b->date, text, sizeof text);
	if (!read_date(td_trim(text), date)) {
		desk_message(d, 1, "%s", T("Not a date: write YYYY-MM-DD or d/m/yyyy."));
		return;
	}
	snprintf(b->as_of, sizeof b->as_of, "%s", date);
	b->editing = 0;
	load(d, b);
}

/* Left on a closed branch: to its parent, as file managers do. */
static void to_parent(struct browse *b, int i)
{
	struct tl_row *r = &b->list.rows[i];

	while (i > 0 && DEPTH(&b->list.rows[i]) >= DEPTH(r))
		i--;
	b->list.sel = i;
}

static int key(struct desk *d, void *self, int k)
{
	struct browse *b = self;
	struct tl_row *r = tl_selected(&b->list);
	int i = b->list.sel;
	int req = screen_request(browse_keys, b->editing, k, b->editing);

	switch (req) {
	case BR_CANCEL: b->editing = 0; return 1;
	case BR_SET: date_set(d, b); return 1;
	case BR_DATE:
		tf_clear(&b->date);
		b->editing = 1;
		return 1;
	}
	if (b->editing)
		return tf_key(&b->date, k), 1;
	if (!r || !req)
		return tl_key(&b->list, k, 0);
	switch (req) {
	case BR_OPEN: expand(d, b, i); break;
	case BR_TOGGLE:
		if (r->data & OPEN)
			collapse(b, i);
		else
			expand(d, b, i);
		break;
	case BR_CLOSE:
		if (r->data & OPEN)
			collapse(b, i);
		else
			to_parent(b, i);
		break;
	case BR_RECORD: desk_open_record(d, "agency", r->key); break;
	}
	return 1;
}

static int typing(void *self)
{
	return ((struct browse *)self)->editing;
}

static void bfree(void *self)
{
	struct browse *b = self;

	tl_clear(&b->list);
	free(b);
}

static const struct screen_ops ops = {
	.title = N_("Browse"),
	.help = N_("The agencies of the province as a tree, the province at the "
	        "top, as of a date: today, or another one (an agency merged "
	        "away or made by a later merger is left out). An agency's "
	        "record shows its details, sub-agencies, holders, "
	        "certificates and the tokens they are on, and each line "
	        "leads to its own record (a token shows its custody history "
	        "and audit trail)."),
	.keys = browse_keys,
	.draw = draw, .key = key, .typing = typing, .free = bfree,
};

void scr_browse_open(struct desk *d)
{
	struct browse *b = calloc(1, sizeof *b);

	if (!b)
		return;
	td_today(b->as_of);
	b->list.head[0] = "Agency";
	b->list.head[1] = "Code";
	b->list.head[2] = "Level";
	b->list.maxw[0] = 60;
	/* "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân…" of which town? */
	b->list.mid[0] = TL_MID_NAME;
	desk_push(d, &ops, b);
	/* one root (the province): its first level is shown at once */
	load(d, b);
	d->msg[0] = '\0';
}
