/* textscr.h (tui): the base of the desk's read-only screens (scr_text.c):
 * rows to read in a list, made again when the width changes or the
 * registry did, scrolled by the list's keys; Enter on a row that names a
 * record (its kind and key) opens it.  Nothing to write on the screen
 * itself.  The help screen (scr_help.c), a registry record
 * (scr_record.c) and a reopened handover record (scr_text_open) are
 * built on it: each gives a text_kind, and its screen_ops take the
 * base's text_draw, text_key, text_typing and text_free. */
#ifndef TD_TUI_TEXTSCR_H
#define TD_TUI_TEXTSCR_H

#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/widget.h"

struct text_scr;

/* What one read-only screen adds to the base.  Every hook may be NULL. */
struct text_kind {
	/* (Re)make t->list's rows for a cols-wide screen, and t->heading
	 * (drawn above the list, or "" for none). */
	void (*build)(struct desk *d, struct text_scr *t, int cols);
	/* 1 when the rows are out of date (the registry changed): built
	 * again, the selection kept. */
	int (*stale)(struct desk *d, struct text_scr *t);
	/* A key before the base's: 1 when taken. */
	int (*key)(struct desk *d, struct text_scr *t, int k);
	/* Enter on a row with a kind the base does not open (the base opens
	 * "handover", "receipt", "conflict" and registry records). */
	int (*open)(struct desk *d, struct text_scr *t, const struct tl_row *row);
	/* Drawn over the list (a dialog), last. */
	void (*over)(struct desk *d, struct text_scr *t);
	int (*typing)(struct text_scr *t);
	void (*free)(void *own);
};

struct text_scr {
	const struct text_kind *kind;
	void *own;              /* the screen's own state (kind->free frees) */
	struct tl_list list;
	char heading[512];
	int gap;                /* blank rows above the heading or list */
	/* the screen's keys (keys.h), whose labels make a key line on the
	 * last row, in mode 0; NULL: no key line */
	const struct screen_key *keys;
	int cols;               /* the width the rows were made for, 0: none */
};

/* A base for kind with own, not yet pushed (desk_push(d, ops, t)); NULL
 * when out of memory (own then freed by kind->free). */
struct text_scr *text_new(const struct text_kind *kind, void *own);
/* Make the rows now (to know before pushing whether there is a record). */
void text_build(struct desk *d, struct text_scr *t, int cols);
void text_draw(struct desk *d, void *self, int top, int rows, int cols);
int text_key(struct desk *d, void *self, int k);
int text_typing(void *self);
void text_free(void *self);

#endif
