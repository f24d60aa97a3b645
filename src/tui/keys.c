/* keys.c: the request table (keys.h). */
#include <config.h>

#include <curses.h>

#include "tui/keys.h"
#include "tui/desk.h"

#define NO 99   /* no plain letter among the keys */

const struct desk_request desk_requests[] = {
	{ REQ_HELP, { TDK(KEY_F(1)), '?' }, 1, "F1  ?", "F1", N_("Help"),
	  N_("Help for the current screen") },
	{ REQ_PANEL, { TDK(KEY_F(2)), 't' }, 1, "F2  t", "F2", N_("Tokens"),
	  N_("Tokens: the live token panel (home)") },
	{ REQ_SEARCH, { TDK(KEY_F(3)), '/', 's' }, 2, "F3  /  s", "F3", N_("Search"),
	  N_("Search the registry") },
	{ REQ_BROWSE, { TDK(KEY_F(4)), 'b' }, 1, "F4  b", "F4", N_("Browse"),
	  N_("Browse agencies, holders, certificates, tokens") },
	{ REQ_HANDOVER, { TDK(KEY_F(5)), 'h' }, 1, "F5  h", "F5", N_("Handover"),
	  N_("Hand tokens or dossiers over") },
	{ REQ_PLAN, { TDK(KEY_F(7)), 'p' }, 1, "F7  p", "F7", N_("Plan"),
	  N_("The reorganization plan: actions, apply, send to DOST") },
	{ REQ_COUNT, { TDK(KEY_F(8)), 'c' }, 1, "F8  c", "F8", N_("Count"),
	  N_("Count tokens: an inventory against the registry") },
	{ REQ_RECORDS, { 'r' }, 0, "r", NULL, NULL,
	  N_("Handover records: reopen, print again") },
	{ REQ_CONFLICTS, { 'K' }, 0, "K", NULL, NULL,
	  N_("Kit conflicts: decide what a field-kit merge kept") },
	{ REQ_BACK, { TDK_ESC, 'q' }, NO, "Esc  q", "Esc", N_("Back"),
	  N_("Back to the previous screen (q on the panel quits)") },
	{ REQ_QUIT, { TDK(KEY_F(10)) }, NO, "F10", "F10", N_("Quit"), N_("Quit") },
	/* said in the help, made by each screen's own list */
	{ REQ_NONE, { 0 }, NO, "↑ ↓ PgUp PgDn Home End", NULL, NULL,
	  N_("Move in a list") },
	{ REQ_NONE, { 0 }, NO, "Enter", NULL, NULL, N_("Open the selected record") },
	{ REQ_REDRAW, { TDK_CTRL('l') }, NO, "Ctrl-L", NULL, NULL,
	  N_("Redraw the screen") },
	{ REQ_RESIZE, { TDK(KEY_RESIZE) }, NO, NULL, NULL, NULL, NULL },
	{ REQ_NONE, { 0 }, NO, NULL, NULL, NULL, NULL },
};

enum desk_req desk_request_of(int key, int typing)
{
	for (const struct desk_request *r = desk_requests; r->help || r->req; r++)
		for (int i = 0; i < 3 && r->keys[i]; i++)
			if (r->keys[i] == key && !(typing && i >= r->plain))
				return r->req;
	return REQ_NONE;
}

const char *const *desk_keybar(void)
{
	static const char *pairs[2 * 16 + 2];
	int n = 0;

	if (pairs[0])
		return pairs;
	for (const struct desk_request *r = desk_requests; r->help || r->req; r++)
		if (r->bar_key && n < 2 * 16) {
			pairs[n++] = r->bar_key;
			pairs[n++] = r->bar_label;
		}
	pairs[n] = pairs[n + 1] = NULL;
	return pairs;
}

static int sk_end(const struct screen_key *k)
{
	return !k->keys[0] && !k->label && !k->help;
}

static int sk_in(const struct screen_key *k, int mode)
{
	return !k->modes || (k->modes & SK_MODE(mode));
}

int screen_request(const struct screen_key *t, int mode, int key, int typing)
{
	for (; t && !sk_end(t); t++) {
		if (!t->req || !sk_in(t, mode) || (typing && !t->text))
			continue;
		for (int i = 0; i < 6 && t->keys[i]; i++)
			if (t->keys[i] == key)
				return t->req;
	}
	return 0;
}

static int sk_width(const struct screen_key *k)
{
	return tw_width(k->written) + tw_width(T(k->label)) + 3;
}

int screen_keyline_lines(const struct screen_key *t, int mode, int cols,
                         int reserve)
{
	int x = 1;

	for (; t && !sk_end(t); t++)
		if (t->label && sk_in(t, mode))
			x += sk_width(t);
	return x + reserve > cols ? 2 : 1;
}

int screen_keyline(struct desk *d, int y, int cols, const struct screen_key *t,
                   int mode, int lines, int reserve)
{
	int x = 1, line = 1;

	tw_fill(d, y, 0, cols, COL_NORMAL);
	for (; t && !sk_end(t); t++) {
		if (!t->label || !sk_in(t, mode))
			continue;
		if (x + sk_width(t) > cols - (line == lines ? 0 : reserve) && x > 1) {
			if (line == lines)
				break;   /* the help (F1) lists them all */
			line++, y++, x = 1;
			tw_fill(d, y, 0, cols, COL_NORMAL);
		}
		x += tw_put(d, y, x, cols - x, t->written, COL_KEY, 0) + 1;
		x += tw_put(d, y, x, cols - x, T(t->label), COL_NORMAL, 0) + 2;
	}
	return x;
}
