/* widget.h: the desk's widgets: a scrolling list of rows in columns, and
 * a one-line text field (also used, with secret set, for the PIN). */
#ifndef TD_TUI_WIDGET_H
#define TD_TUI_WIDGET_H

#include <stdint.h>
#include <wchar.h>

#include "tui/desk.h"

#define TL_COLS 4
#define TL_MID_NAME 2

/* One row.  A row with only cells[0] spans the whole width (a heading or
 * a sentence); other rows are aligned in columns.  kind/key: the record
 * Enter opens, or NULL. */
struct tl_row {
	char *cells[TL_COLS];
	int color;
	char *kind, *key;
	intptr_t data;
};

struct tl_list {
	struct tl_row *rows;
	int n, cap;
	int sel, top;
	int rows_shown;       /* body height at the last draw (for PgUp/PgDn) */
	const char *head[TL_COLS];  /* English column headings, or NULL */
	int maxw[TL_COLS];    /* widest a column may grow (0: 40) */
	int no_cursor;        /* text to read: keys scroll, nothing is selected */
	int links_only;       /* the selection rests only on rows with a kind */
	int mid[TL_COLS];     /* shorten the column's cells in the middle
	                         (serials: they differ at the tail); or
	                         TL_MID_NAME: names (tw_put_name) */
	int unfocused;        /* the focus is elsewhere: no ▶, no highlight */
	int show;             /* a row to bring into view when the selection
	                         can stay in view too (-1 or 0 rows: none);
	                         set by the caller, e.g. a token just inserted */
	int show_rows;        /* how many rows from show belong together */
};

void tl_clear(struct tl_list *l);
/* Append a row (strings copied; NULL cells end the row). */
struct tl_row *tl_add(struct tl_list *l, int color, const char *kind,
                      const char *key, const char *c0, const char *c1,
                      const char *c2, const char *c3);
/* Insert a row at index at (for expanding a tree). */
struct tl_row *tl_insert(struct tl_list *l, int at, int color,
                         const char *kind, const char *key, const char *c0,
                         const char *c1, const char *c2, const char *c3);
void tl_remove(struct tl_list *l, int at, int count);
/* Append text as whole-width rows wrapped at width columns; lines after
 * the first are indented by indent blanks. */
void tl_add_wrapped(struct tl_list *l, int color, const char *text, int width,
                    int indent);
void tl_draw(struct desk *d, struct tl_list *l, int top, int rows, int cols);
/* Up/Down/PgUp/PgDn/Home/End (and j/k unless typing): 1 if moved. */
int tl_key(struct tl_list *l, int key, int typing);
struct tl_row *tl_selected(struct tl_list *l);
/* Put the selection on the nearest row with a kind (dir 1 or -1 first). */
void tl_settle(struct tl_list *l, int dir);

#define TF_MAX 256

struct td_secbuf;

struct tf_field {
	wchar_t buf[TF_MAX];
	int len, cur;
	int secret;   /* never drawn, wiped on clear */
	struct td_secbuf *home; /* a secret field: the secure buffer it lives
	                           in (tf_secret_new), else NULL */
};

/* A secret field (a PIN) placed inside a secure buffer (tokendesk/
 * secmem.h: locked in RAM, left out of core dumps, wiped when freed;
 * core dumps are off while it exists), characters and all: the PIN is
 * never in ordinary heap memory.  NULL when out of memory. */
struct tf_field *tf_secret_new(void);
/* Wipe and free a field from tf_secret_new.  NULL allowed. */
void tf_secret_free(struct tf_field *f);
/* 1 while any field from tf_secret_new exists (a PIN dialog is open):
 * whatever records keys (the bench's key log) must not record them. */
int tf_secret_live(void);

/* Insert/delete/move: 1 if the key changed or moved the text. */
int tf_key(struct tf_field *f, int key);
void tf_set(struct tf_field *f, const char *utf8);
void tf_clear(struct tf_field *f);
/* The text as UTF-8 into out (size bytes). */
void tf_get(const struct tf_field *f, char *out, size_t size);
/* Draw at (y, x), w columns, with the cursor left at the insertion
 * point when focus is set.  A secret field draws only a fixed hint. */
void tf_draw(struct desk *d, struct tf_field *f, int y, int x, int w,
             int focus);

/* The PIN dialog (scr_pin.c), for proof of possession and signing: the
 * desk's one dialog box (tw_dialog) asking token serial's PIN into the
 * secret field pin, with keys as its last line; warn: the token is at its
 * final try, so the warning and warn_keys instead (F arms the try). */
void desk_pin_dialog(struct desk *d, const char *title, const char *serial,
                     int warn, struct tf_field *pin, const char *keys,
                     const char *warn_keys);
/* The PIN dialog's requests (its key table, scr_pin.c): Enter proves or
 * signs, Esc gives up, F arms the final try (only while warned: while
 * the PIN is typed every letter is the PIN's); 0 for any other key. */
enum { PIN_NONE, PIN_OK, PIN_CANCEL, PIN_ARM };
int desk_pin_request(int warn, int key);

#endif
