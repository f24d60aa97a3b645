/* scr_search.c: search as you type over the whole registry.
 *
 * Every key re-runs td_reg_search (folded, diacritic-insensitive, prefix
 * per word) limited to one screenful of hits and one more (to know
 * whether there are more), and the list is redrawn: no debounce, because
 * each query is bounded by the limit and each redraw by the screen.
 * Moving past the hits loaded (Down, PgDn, End) asks for more: a page
 * more, or all of them (up to SEARCH_ALL) for End, so every hit can be
 * reached and the total is known once it has been.  Enter opens the selected record; a scanned
 * serial (fast keys + Enter) lands here and opens its exact match. */
#include <config.h>

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/registry.h"
#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/widget.h"

/* The most hits End loads (the registry's own cap). */
#define SEARCH_ALL 10000

struct search {
	struct tf_field field;
	struct tl_list list;
	char last[TF_MAX * 4];   /* the query last searched */
	int searched, short_words;
	int limit;               /* hits asked for last (0: a screenful) */
	int more;                /* there are hits past those loaded */
};

static const char *kind_name(enum td_hit_kind k)
{
	static const char *const names[] = { "agency", "holder", "cert", "token" };
	return names[k];
}

static const char *kind_label(enum td_hit_kind k)
{
	static const char *const labels[] = { "Agency", "Holder", "Certificate",
	                                      "Token" };
	return T(labels[k]);
}

static int add_hit(const struct td_search_hit *h, void *ctx)
{
	struct tl_list *l = ctx;

	tl_add(l, COL_NORMAL, kind_name(h->kind), h->key, kind_label(h->kind),
	       h->label ? h->label : "", h->key, h->detail ? h->detail : "");
	return 0;
}

/* The words of text that have two characters or more, space-separated
 * into out; returns how many words were dropped.  A one-letter word
 * would match a third of a million-row province and cost the registry
 * a full scan (its prefix index starts at two letters) -- over 100 ms a
 * key -- while narrowing nothing a person is looking for. */
static int searchable(const char *text, char *out, size_t size)
{
	size_t n = 0;
	int dropped = 0;
	const char *p = text;

	while (*p) {
		const char *w;
		size_t len, chars = 0;
		while (*p == ' ')
			p++;
		for (w = p; *p && *p != ' '; p++)
			chars += ((unsigned char)*p & 0xc0) != 0x80;
		len = (size_t)(p - w);
		if (chars == 0)
			break;
		if (chars < 2) {
			dropped++;
			continue;
		}
		if (n + len + 2 > size)
			break;
		if (n)
			out[n++] = ' ';
		memcpy(out + n, w, len);
		n += len;
	}
	out[n] = '\0';
	return dropped;
}

static void run(struct desk *d, struct search *s)
{
	char text[TF_MAX * 4], query[TF_MAX * 4];
	struct td_error err;
	int page = d->rows > 8 ? d->rows - 7 : 2, sel = s->list.sel;
	int limit = s->limit > page ? s->limit : page;

	tf_get(&s->field, text, sizeof text);
	s->short_words = searchable(text, query, sizeof query);
	if (s->searched && strcmp(query, s->last) == 0)
		return;   /* e.g. a one-letter word added: same list */
	snprintf(s->last, sizeof s->last, "%s", query);
	s->searched = 1;
	tl_clear(&s->list);
	/* one more than shown: whether there are more is known at once */
	if (query[0] &&
	    td_reg_search(d->reg, query, limit + 1, add_hit, &s->list, &err) < 0)
		desk_error(d, &err);
	s->more = s->list.n > limit;
	if (s->more)
		tl_remove(&s->list, s->list.n - 1, 1);
	s->list.sel = sel < s->list.n ? sel : 0;
}

/* More hits, up to limit, keeping the selection where it is. */
static void load_more(struct desk *d, struct search *s, int limit)
{
	s->limit = limit < SEARCH_ALL ? limit : SEARCH_ALL;
	s->searched = 0;
	run(d, s);
}

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct search *s = self;
	int lw;
	char count[64];

	/* a resize can make room for more hits */
	if (s->more && s->list.n < d->rows - 7)
		s->searched = 0;
	run(d, s);
	lw = tw_put(d, top + 1, 1, cols - 2, T("Search:"), COL_HEAD, 0);
	if (!s->last[0] && s->short_words)
		snprintf(count, sizeof count, "%s", T("type at least two letters"));
	else if (s->list.n == 0 && s->last[0])
		snprintf(count, sizeof count, "%s", T("no match"));
	else if (s->last[0] && s->more)
		Tf(count, sizeof count, "%d shown, more: PgDn or End", s->list.n);
	else if (s->last[0])
		Tf(count, sizeof count, "%d found", s->list.n);
	else
		snprintf(count, sizeof count, "%s", T("name, code, id or serial"));
	tw_put(d, top + 2, lw + 2, cols - lw - 3, count, COL_DIM, 0);
	tl_draw(d, &s->list, top + 4, rows - 4, cols);
	tf_draw(d, &s->field, top + 1, lw + 2, cols - lw - 3, 1);
	curs_set(1);
}

/* The screen's requests and keys (keys.h): the field always has the
 * focus, so every one works while typing. */
enum { SR_NONE, SR_OPEN, SR_DOWN, SR_PGDN, SR_END };

static const struct screen_key search_keys[] = {
	{ SR_OPEN, SK_ALL, { TDK_ENTER }, 1, "Enter", NULL,
	  N_("Open the selected record (a scanned serial opens at once)") },
	{ SR_DOWN, SK_ALL, { TDK(KEY_DOWN) }, 1, "↓", NULL, NULL },
	{ SR_PGDN, SK_ALL, { TDK(KEY_NPAGE) }, 1, "PgDn", NULL, NULL },
	{ SR_END, SK_ALL, { TDK(KEY_END) }, 1, "End", NULL,
	  N_("The last result (every result is loaded, page by page)") },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

static int key(struct desk *d, void *self, int k)
{
	struct search *s = self;
	struct tl_row *r;
	int req = screen_request(search_keys, 0, k, 1);

	if (req == SR_OPEN) {
		run(d, s);   /* text set by a scan is searched before it is drawn */
		if ((r = tl_selected(&s->list)) && r->kind)
			desk_open_record(d, r->kind, r->key);
		return 1;
	}
	/* past the hits loaded: load more first, then move */
	if (s->more && (req == SR_END || ((req == SR_PGDN || req == SR_DOWN) &&
	    s->list.sel + s->list.rows_shown >= s->list.n)))
		load_more(d, s, req == SR_END ? SEARCH_ALL
		                : s->list.n + 2 * (s->list.rows_shown + 1));
	if (tl_key(&s->list, k, 1))
		return 1;
	if (tf_key(&s->field, k)) {
		s->list.sel = s->list.top = 0;
		s->limit = 0;
		return 1;   /* searched when drawn, once for keys typed together */
	}
	return 0;
}

static int typing(void *self)
{
	(void)self;
	return 1;
}

static void scan(struct desk *d, void *self, const char *text)
{
	struct search *s = self;

	tf_set(&s->field, text);
	run(d, s);
	key(d, s, TDK_ENTER);
}

static void sfree(void *self)
{
	struct search *s = self;

	tl_clear(&s->list);
	free(s);
}

static const struct screen_ops ops = {
	.title = N_("Search"),
	.keys = search_keys,
	.help = N_("Type any part of a name, an agency code, a national id, or "
	        "a certificate or token serial: the list follows every key. "
	        "Case and Vietnamese marks do not matter (\"nguyen van hung\" "
	        "finds \"Nguyễn Văn Hùng\"); each word matches the start of a "
	        "word, and words of one letter wait for the second.\n"
	        "A barcode scanner can type a serial here, or on any screen "
	        "without a text field: the record opens at once.\n"
	        "Left/Right, Backspace and Delete edit the text; Ctrl-U "
	        "clears it."),
	.draw = draw, .key = key, .typing = typing, .scan = scan, .free = sfree,
};

void scr_search_open(struct desk *d, const char *initial)
{
	struct search *s = calloc(1, sizeof *s);

	if (!s)
		return;
	s->list.head[0] = "Kind";
	s->list.head[1] = N_("Name");
	s->list.head[2] = N_("Code / serial");
	s->list.head[3] = N_("Details");
	s->list.maxw[1] = 30;
	s->list.maxw[2] = 34;
	s->list.mid[2] = 1;   /* serials differ at their tail */
	/* names and agencies differ at theirs too ("xã Hải Triều") */
	s->list.mid[1] = s->list.mid[3] = TL_MID_NAME;
	if (initial)
		tf_set(&s->field, initial);
	desk_push(d, &ops, s);
}
