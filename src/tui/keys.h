/* keys.h (tui): the desk's request tables, as tig has them: every key,
 * the request it makes, how the key bar or a screen's key line labels it
 * and what the help says of it.  One table for the keys that work on
 * every screen drives the dispatch (desk.c), the key bar at the bottom
 * and the help screen's "Keys on every screen"; one table per screen
 * (struct screen_key, screen_ops.keys) drives that screen's dispatch,
 * its key line and the help's "Keys on this screen" (scr_help.c).  So a
 * key, its label and its help cannot disagree. */
#ifndef TD_TUI_KEYS_H
#define TD_TUI_KEYS_H

#include "tui/desk.h"

enum desk_req {
	REQ_NONE, REQ_HELP, REQ_PANEL, REQ_SEARCH, REQ_BROWSE, REQ_HANDOVER,
	REQ_RECORDS, REQ_PLAN, REQ_COUNT, REQ_CONFLICTS, REQ_BACK, REQ_QUIT,
	REQ_REDRAW, REQ_RESIZE
};

struct desk_request {
	enum desk_req req;
	int keys[3];          /* the keys that make it (0 ends) */
	int plain;            /* keys[plain..] are plain letters: they make
	                         the request only on a screen taking no text */
	const char *written;  /* the keys as help writes them, "F3  /  s" */
	const char *bar_key;  /* on the key bar as bar_key bar_label, or NULL */
	const char *bar_label;
	const char *help;     /* what it does (English; T() where shown) */
};

/* The table, ended by a row with req REQ_NONE and no help. */
extern const struct desk_request desk_requests[];

/* The request key makes on a screen that takes text (typing) or not;
 * REQ_NONE when it makes none. */
enum desk_req desk_request_of(int key, int typing);

/* Do what req asks (desk.c): help, another screen (asking first when
 * leaving would lose work), back, quit, redraw.  For a key no screen took,
 * and for the panel's menu, whose rows are the table's. */
void desk_request(struct desk *d, enum desk_req req);

/* The key bar's pairs (key, label, ..., NULL, NULL), from the table. */
const char *const *desk_keybar(void);

/* A screen's own key.  The screen turns a key into its request with
 * screen_request and acts on the request (a switch on requests, never on
 * keys); text fields still take the characters no request claims. */
struct screen_key {
	int req;              /* the screen's own request (> 0); 0: a row
	                         only shown (a global key on the key line) */
	int modes;            /* the screen's modes it works in (bits); 0: all */
	int keys[6];          /* the keys that make it (0 ends) */
	int text;             /* 1: made even while a text field has focus
	                         (Enter, Tab, F-keys, arrows); 0: a letter,
	                         which a field takes as text instead */
	const char *written;  /* the keys as the key line and help write them */
	const char *label;    /* N_(): on the key line, or NULL: not on it */
	const char *help;     /* N_(): its line in the help, or NULL */
};
/* Every mode, for screen_key.modes */
#define SK_ALL 0
#define SK_MODE(m) (1 << (m))

/* The request key makes in mode (a mode number, its bit SK_MODE) of
 * table t (ended by a row with no keys, no label and no help), typing
 * when a text field has the focus; 0 when none. */
int screen_request(const struct screen_key *t, int mode, int key, int typing);
/* How many lines (1 or 2) the key line of t in mode takes at cols, less
 * reserve columns on the last line: 2 only when one would drop a key. */
int screen_keyline_lines(const struct screen_key *t, int mode, int cols,
                         int reserve);
/* The key line of t in mode ("Enter open  Tab move ..."), from row y on
 * at most lines lines, a line but the last left reserve columns short
 * (lines from screen_keyline_lines with the same reserve); what does not
 * fit is left to the help (F1).  Returns the column after the last key. */
int screen_keyline(struct desk *d, int y, int cols, const struct screen_key *t,
                   int mode, int lines, int reserve);

#endif
