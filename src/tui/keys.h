/* keys.h (tui): the desk's request table, as tig has one: every key that
 * works on every screen, the request it makes, how the key bar labels
 * it and what the help says of it.  One table drives the dispatch
 * (desk.c), the key bar at the bottom and the help screen's "Keys on
 * every screen" (scr_help.c), so the three cannot disagree. */
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

/* The key bar's pairs (key, label, ..., NULL, NULL), from the table. */
const char *const *desk_keybar(void);

#endif
