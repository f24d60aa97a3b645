/* scr_browse.c: the agency tree.  Children are read when a branch is
 * opened (td_reg_each_child_agency), so a province of 60,000 agencies
 * opens as fast as the demo.  Enter opens the agency's record: its
 * holders, certificates and tokens. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/registry.h"
#include "tui/desk.h"
#include "tui/widget.h"

/* row->data: depth in the low byte, OPEN when expanded */
#define OPEN 0x100
#define DEPTH(r) ((int)((r)->data & 0xff))

struct browse {
	struct tl_list list;
	struct td_error err;
};

struct add_ctx {
	struct tl_list *l;
	int at, depth;
};

static int add_child(const struct td_agency *a, void *ctx)
{
	struct add_ctx *c = ctx;
	char name[600];
	struct tl_row *r;

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
	struct add_ctx c = { &b->list, i + 1, DEPTH(r) + 1 };
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

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct browse *b = self;

	tw_put(d, top, 1, cols - 2,
	       T("→ open  ← close  Enter: holders, certificates, tokens"),
	       COL_DIM, 0);
	tl_draw(d, &b->list, top + 1, rows - 1, cols);
}

static int key(struct desk *d, void *self, int k)
{
	struct browse *b = self;
	struct tl_row *r = tl_selected(&b->list);
	int i = b->list.sel;

	if (tl_key(&b->list, k, 0))
		return 1;
	if (!r)
		return 0;
	switch (k) {
	case TDK(KEY_RIGHT): case '+': case 'l':
		expand(d, b, i);
		return 1;
	case ' ':
		if (r->data & OPEN)
			collapse(b, i);
		else
			expand(d, b, i);
		return 1;
	case TDK(KEY_LEFT): case '-':
		if (r->data & OPEN) {
			collapse(b, i);
		} else {
			/* to the parent, as file managers do */
			while (i > 0 && DEPTH(&b->list.rows[i]) >= DEPTH(r))
				i--;
			b->list.sel = i;
		}
		return 1;
	case TDK_ENTER:
		desk_open_record(d, "agency", r->key);
		return 1;
	}
	return 0;
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
	        "top. Right (or +, Space) opens a branch, Left (or -) closes it "
	        "or goes to the parent. Enter opens an agency: its details, "
	        "sub-agencies, holders, certificates and the tokens they are "
	        "on; Enter there follows a line to its record (a token shows "
	        "its custody history and audit trail)."),
	.draw = draw, .key = key, .free = bfree,
};

void scr_browse_open(struct desk *d)
{
	struct browse *b = calloc(1, sizeof *b);
	struct add_ctx c;

	if (!b)
		return;
	b->list.head[0] = "Agency";
	b->list.head[1] = "Code";
	b->list.head[2] = "Level";
	b->list.maxw[0] = 60;
	c = (struct add_ctx){ &b->list, 0, 0 };
	if (td_reg_each_child_agency(d->reg, NULL, add_child, &c, &b->err) < 0)
		desk_error(d, &b->err);
	desk_push(d, &ops, b);
	/* one root (the province): show its first level at once */
	if (b->list.n == 1)
		expand(d, b, 0);
	d->msg[0] = '\0';
}
