/* list.c: the list widget: rows in width-aware columns, a selection and
 * scrolling.  Drawing touches only the visible rows, so a redraw costs
 * the same on a 1,000,000-row registry as on the demo. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/widget.h"

static void row_free(struct tl_row *r)
{
	for (int i = 0; i < TL_COLS; i++)
		free(r->cells[i]);
	free(r->kind);
	free(r->key);
}

void tl_clear(struct tl_list *l)
{
	for (int i = 0; i < l->n; i++)
		row_free(&l->rows[i]);
	free(l->rows);
	l->rows = NULL;
	l->n = l->cap = l->sel = l->top = 0;
}

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct tl_row *tl_insert(struct tl_list *l, int at, int color,
                         const char *kind, const char *key, const char *c0,
                         const char *c1, const char *c2, const char *c3)
{
	const char *c[TL_COLS] = { c0, c1, c2, c3 };
	struct tl_row *r;

	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 64;
		struct tl_row *n = realloc(l->rows, (size_t)cap * sizeof *n);
		if (!n)
			return NULL;
		l->rows = n;
		l->cap = cap;
	}
	if (at < 0 || at > l->n)
		at = l->n;
	memmove(&l->rows[at + 1], &l->rows[at], (size_t)(l->n - at) * sizeof *r);
	r = &l->rows[at];
	memset(r, 0, sizeof *r);
	for (int i = 0, stop = 0; i < TL_COLS; i++) {
		stop = stop || !c[i];
		r->cells[i] = stop ? NULL : dup0(c[i]);
	}
	r->color = color;
	r->kind = dup0(kind);
	r->key = dup0(key);
	l->n++;
	return r;
}

struct tl_row *tl_add(struct tl_list *l, int color, const char *kind,
                      const char *key, const char *c0, const char *c1,
                      const char *c2, const char *c3)
{
	return tl_insert(l, l->n, color, kind, key, c0, c1, c2, c3);
}

void tl_remove(struct tl_list *l, int at, int count)
{
	if (at < 0 || count <= 0 || at + count > l->n)
		return;
	for (int i = at; i < at + count; i++)
		row_free(&l->rows[i]);
	memmove(&l->rows[at], &l->rows[at + count],
	        (size_t)(l->n - at - count) * sizeof *l->rows);
	l->n -= count;
	if (l->sel >= l->n)
		l->sel = l->n ? l->n - 1 : 0;
}

static int ncells(const struct tl_row *r)
{
	int n = 0;

	while (n < TL_COLS && r->cells[n])
		n++;
	return n;
}

#define BLOCK_SCAN 300   /* rows looked at around the visible ones */

void tl_add_wrapped(struct tl_list *l, int color, const char *text, int width,
                    int indent)
{
	char *copy = strdup(text), *w, *save = NULL, line[2048];
	size_t n = 0;

	if (!copy)
		return;
	/* the first line keeps the text's own leading blanks */
	n = strspn(text, " ");
	if (n >= sizeof line)
		n = 0;
	memset(line, ' ', n);
	line[n] = '\0';
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		size_t wl = strlen(w);
		if (n && line[n - 1] != ' ' && tw_width(line) + 1 + tw_width(w) > width) {
			tl_add(l, color, NULL, NULL, line, NULL, NULL, NULL);
			n = (size_t)snprintf(line, sizeof line, "%*s", indent, "");
		}
		if (n + wl + 2 < sizeof line) {
			if (n && line[n - 1] != ' ')
				line[n++] = ' ';
			memcpy(line + n, w, wl + 1);
			n += wl;
		}
	}
	if (n)
		tl_add(l, color, NULL, NULL, line, NULL, NULL, NULL);
	free(copy);
}

/* A cell's width as drawn when names may be short (TL_MID_NAME). */
static int short_width(const struct tl_list *l, int c, const char *cell)
{
	char buf[1024];

	if (l->mid[c] != TL_MID_NAME)
		return tw_width(cell);
	tw_name_short(cell, buf, sizeof buf);
	return tw_width(buf);
}

/* The room the last column of rows lo..hi keeps when the others must
 * give way: its widest cell (names short), 12 to 30 columns and at most
 * a third of the width. */
static int last_room(const struct tl_list *l, int lo, int hi, int shape,
                     int cols)
{
	int room = 12;

	for (int r = lo; r < hi; r++)
		if (ncells(&l->rows[r]) == shape) {
			int cw = short_width(l, shape - 1, l->rows[r].cells[shape - 1]);
			if (cw > room)
				room = cw;
		}
	if (room > 30)
		room = 30;
	if (room > cols / 3)   /* the others keep two thirds */
		room = cols / 3 > 12 ? cols / 3 : 12;
	return room;
}

/* The name columns measured short; returns the new sum of widths. */
static int short_names(const struct tl_list *l, int lo, int hi, int shape,
                       int *w, int sum)
{
	for (int c = 0; c < shape - 1; c++) {
		int widest = l->head[c] ? tw_width(T(l->head[c])) : 0;
		if (l->mid[c] != TL_MID_NAME)
			continue;
		for (int r = lo; r < hi; r++)
			if (ncells(&l->rows[r]) == shape) {
				int cw = short_width(l, c, l->rows[r].cells[c]);
				if (cw > widest)
					widest = cw;
			}
		if (widest < w[c]) {
			sum -= w[c] - widest;
			w[c] = widest;
		}
	}
	return sum;
}

/* Column widths of the block of rows around row i that have the same
 * number of cells (a section): each column as wide as its widest cell
 * (capped), the last one gets the rest; too wide, the widest shrinks.
 * The block's bounds go to from and to. */
static void widths(struct tl_list *l, int i, int cols, int *w, int *from,
                   int *to)
{
	int shape = i >= 0 ? ncells(&l->rows[i]) : 0, sum = 0, ncols, last;
	int lo = i, hi = i + 1, nhead = 0;

	while (nhead < TL_COLS && l->head[nhead])
		nhead++;
	if (i < 0)
		shape = nhead;
	/* rows shaped like the headings line up under them */
	for (int c = 0; c < TL_COLS; c++)
		w[c] = nhead && shape == nhead && l->head[c] ? tw_width(T(l->head[c]))
		                                               : 0;
	if (nhead && shape == nhead) {
		/* under headings: every visible row of their shape, even if
		 * other rows come between, so all line up with the headings */
		lo = l->top;
		hi = l->top + l->rows_shown < l->n ? l->top + l->rows_shown : l->n;
		*from = lo;
		*to = hi;
		goto measure;
	}
	while (lo > 0 && i - lo < BLOCK_SCAN && ncells(&l->rows[lo - 1]) == shape)
		lo--;
	while (hi < l->n && hi - i < BLOCK_SCAN && ncells(&l->rows[hi]) == shape)
		hi++;
	*from = lo;
	*to = hi;
measure:
	for (int r = lo; r < hi; r++)
		for (int c = 0; c < shape - 1 && ncells(&l->rows[r]) == shape; c++) {
			int cw = tw_width(l->rows[r].cells[c]);
			if (cw > w[c])
				w[c] = cw;
		}
	ncols = shape;
	for (int c = 0; c < ncols - 1; c++) {
		/* caps are for 80 columns: a wider terminal widens them */
		int max = (l->maxw[c] ? l->maxw[c] : 40) * (cols > 80 ? cols : 80) / 80;
		if (w[c] > max)
			w[c] = max;
		sum += w[c] + 2;
	}
	last = ncols > 1 ? last_room(l, lo, hi, shape, cols) : 12;
	/* too wide: names as offices write them short, before any is cut */
	if (ncols > 1 && sum > cols - 1 - last)
		sum = short_names(l, lo, hi, shape, w, sum);
	/* still too wide: take from the widest column, leaving the last
	 * its room; a serial shortened in the middle first (down to 12:
	 * "54e52b…589b0a" still tells it from the next), before a word of
	 * another column is cut ("hết h…" for "hết hạn", expired) */
	while (ncols > 1 && sum > cols - 1 - last) {
		int wide = -1;
		for (int c = 0; c < ncols - 1; c++)
			if (l->mid[c] == 1 && w[c] > 12 && (wide < 0 || w[c] > w[wide]))
				wide = c;
		if (wide < 0) {
			wide = 0;
			for (int c = 1; c < ncols - 1; c++)
				if (w[c] > w[wide])
					wide = c;
		}
		if (w[wide] <= 6)
			break;
		w[wide]--;
		sum--;
	}
	for (int c = ncols - 1; c >= 0 && c < TL_COLS; c++)
		w[c] = 0;
}

static void draw_row(struct desk *d, const struct tl_list *l, struct tl_row *r,
                     int y, int cols, const int *w, int selected)
{
	int x = 1, color = selected ? COL_SELECT : r->color;

	tw_fill(d, y, 0, cols, color);
	if (selected)
		tw_put(d, y, 0, 1, "▶", COL_SELECT, 0);
	if (!r->cells[1]) {
		tw_put(d, y, x, cols - x, r->cells[0], color, 0);
		return;
	}
	for (int c = 0; c < TL_COLS && r->cells[c] && x < cols; c++) {
		/* the last cell takes the rest (an empty column has width 0) */
		int last = c + 1 == TL_COLS || !r->cells[c + 1];
		int cw = last ? cols - x : w[c];
		if (l->mid[c] == TL_MID_NAME)
			tw_put_name(d, y, x, cw, r->cells[c], color);
		else if (l->mid[c])
			tw_put_mid(d, y, x, cw, r->cells[c], color);
		else
			tw_put(d, y, x, cw, r->cells[c], color, 0);
		x += cw + 2;
	}
}

/* The rows l->show.. (show_rows of them) into view, keeping the
 * selection in view too when both fit; when they do not, the new rows
 * win for this draw and the selection stays where it is (not moved: the
 * next key brings it back in view). */
static void bring_into_view(struct tl_list *l)
{
	int first = l->show, last, page = l->rows_shown, t;

	if (l->show_rows <= 0 || first < 0 || first >= l->n || l->no_cursor)
		return;
	last = first + l->show_rows - 1 < l->n ? first + l->show_rows - 1 : l->n - 1;
	if (last - first >= page)
		last = first + page - 1;
	if (first >= l->top && last < l->top + page)
		return;
	/* the least scroll that shows them; the selection stays in view
	 * whenever any top would show both */
	t = last >= l->top + page ? last - page + 1 : first;
	l->top = t < 0 ? 0 : t;
}

void tl_draw(struct desk *d, struct tl_list *l, int top, int rows, int cols)
{
	int w[TL_COLS], y = top, body, bfrom, bto, bshape = -1;
	int has_head = l->head[0] != NULL;

	body = rows - has_head;
	/* a list longer than its room gives its last line to the counter,
	 * which so never covers a row's text */
	if (l->n > body && body > 2)
		body--;
	l->rows_shown = body > 1 ? body : 1;
	if (l->sel >= l->n)
		l->sel = l->n ? l->n - 1 : 0;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->no_cursor)
		l->top = l->sel;
	if (l->sel >= l->top + l->rows_shown)
		l->top = l->sel - l->rows_shown + 1;
	if (l->top < 0)
		l->top = 0;
	bring_into_view(l);
	if (has_head) {
		widths(l, -1, cols, w, &bfrom, &bto);
		int x = 1;
		tw_fill(d, y, 0, cols, COL_HEAD);
		for (int c = 0; c < TL_COLS && l->head[c]; c++) {
			int last = c + 1 == TL_COLS || !l->head[c + 1];
			int cw = last ? cols - x : w[c];
			tw_put(d, y, x, cw, T(l->head[c]), COL_HEAD, 0);
			x += cw + 2;
		}
		y++;
	}
	bfrom = bto = -1;
	for (int i = l->top; i < l->n && y < top + has_head + l->rows_shown; i++, y++) {
		if (l->rows[i].cells[1] &&
		    (i >= bto || ncells(&l->rows[i]) != bshape)) {
			widths(l, i, cols, w, &bfrom, &bto);
			bshape = ncells(&l->rows[i]);
		}
		draw_row(d, l, &l->rows[i], y, cols, w,
		         i == l->sel && !l->no_cursor && !l->unfocused);
	}
	if (l->n > l->rows_shown && rows - has_head > 2) {
		char pos[32];
		snprintf(pos, sizeof pos, " %d/%d ", l->sel + 1, l->n);
		tw_put(d, top + rows - 1, cols - tw_width(pos) - 1, tw_width(pos),
		       pos, COL_DIM, 0);
	}
}

/* Move the selection to the nearest row with a kind, in direction dir
 * first, then the other way. */
void tl_settle(struct tl_list *l, int dir)
{
	for (int pass = 0; pass < 2; pass++, dir = -dir)
		for (int i = l->sel; i >= 0 && i < l->n; i += dir)
			if (l->rows[i].kind) {
				l->sel = i;
				return;
			}
}

int tl_key(struct tl_list *l, int key, int typing)
{
	int old = l->sel, page = l->rows_shown > 1 ? l->rows_shown - 1 : 1;

	switch (key) {
	case TDK(KEY_UP): l->sel--; break;
	case TDK(KEY_DOWN): l->sel++; break;
	case TDK(KEY_PPAGE): l->sel -= page; break;
	case TDK(KEY_NPAGE): l->sel += page; break;
	case TDK(KEY_HOME): l->sel = 0; break;
	case TDK(KEY_END): l->sel = l->n - 1; break;
	case 'k': if (typing) return 0; l->sel--; break;
	case 'j': if (typing) return 0; l->sel++; break;
	default: return 0;
	}
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < 0)
		l->sel = 0;
	if (l->no_cursor) {   /* sel is the top line: keep a full page shown */
		int last = l->n - l->rows_shown;
		if (l->sel > last)
			l->sel = last > 0 ? last : 0;
	}
	if (l->links_only)
		tl_settle(l, l->sel >= old ? 1 : -1);
	return 1;
}

struct tl_row *tl_selected(struct tl_list *l)
{
	return l->n ? &l->rows[l->sel] : NULL;
}
