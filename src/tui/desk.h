/* desk.h: what the desk's screens and widgets share (internal to src/tui).
 *
 * The desk is a stack of screens over one poll() loop (desk.c).  Each
 * screen is one file (scr_*.c) with a small table of operations; screens
 * are built from a few widgets: a scrolling list of rows with columns
 * (list.c), a one-line text field (field.c) and boxes/dialogs (draw.c).
 * Every width is measured in terminal columns (wcwidth), never bytes.
 * No SQL and no PKCS#11 here: screens call registry and workflow APIs. */
#ifndef TD_TUI_DESK_H
#define TD_TUI_DESK_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "tokendesk/error.h"
#include "tokendesk/token.h"

struct td_session;
struct td_registry;

/* Keys: a character is its wchar_t value; a curses KEY_* code is or-ed
 * with TDK_FN so the two never collide. */
#define TDK_FN 0x40000000
#define TDK(k) ((k) | TDK_FN)
#define TDK_ESC 27
#define TDK_ENTER '\n'
#define TDK_CTRL(c) ((c) & 0x1f)

enum td_color {
	COL_NORMAL, COL_TITLE, COL_STATUS, COL_SELECT, COL_HEAD, COL_OK,
	COL_WARN, COL_BAD, COL_DIM, COL_KEY, COL_FIELD, COL_COUNT
};

struct desk;
struct screen_key;

/* A screen.  self is the screen's own state, made by its open function. */
struct screen_ops {
	const char *title;      /* English; translated when drawn */
	const char *help;       /* English help text (paragraphs, '\n') */
	/* The screen's own keys (keys.h): its dispatch, its key line and
	 * the help's "Keys on this screen"; NULL: none of its own. */
	const struct screen_key *keys;
	/* Draw the body in rows [top, top+rows) of a cols-wide terminal. */
	void (*draw)(struct desk *d, void *self, int top, int rows, int cols);
	/* Handle a key: 1 if taken, 0 to let the desk's global keys have it. */
	int (*key)(struct desk *d, void *self, int key);
	/* 1 when the screen has a text field with focus: then letters are
	 * text, not shortcuts (q, ?, /). */
	int (*typing)(void *self);
	/* A scanned serial (barcode scanner: fast keys ending in Enter);
	 * NULL: the desk opens the search with it. */
	void (*scan)(struct desk *d, void *self, const char *text);
	/* Token presence changed (the live panel and handover listen). */
	void (*tokens_changed)(struct desk *d, void *self);
	/* The registry changed under the desk (another desk or a command
	 * committed): read again what is shown.  NULL: drawing reads it. */
	void (*registry_changed)(struct desk *d, void *self);
	void (*free)(void *self);
	/* What leaving the screen now would lose, as an English question
	 * ("Quit with an unrecorded handover?"), or NULL: F10, Esc and the
	 * keys to other screens ask it first (desk.c).  May be NULL. */
	const char *(*unsaved)(void *self);
};

#define DESK_MAX_SCREENS 16

struct desk {
	struct td_session *s;           /* registry, operator, place, tokens */
	struct td_registry *reg;        /* s->reg */
	int vi;                         /* Vietnamese UI */
	int colors;                     /* colours in use (NO_COLOR unset) */
	int attr[COL_COUNT];
	int rows, cols;
	int quit, dirty;
	char msg[512];                  /* one-line message, until next key */
	int msg_bad;
	const char *place;              /* td_session_place(s, NULL) */
	struct desk_tokens *tok;        /* token watcher glue, or NULL */
	struct {
		const struct screen_ops *ops;
		void *self;
	} stack[DESK_MAX_SCREENS];
	int depth;
	/* A leave waiting for y (the question an unsaved screen asked):
	 * LEAVE_NONE, LEAVE_QUIT, LEAVE_BACK, or the screen number to go to */
	int leave;
	const char *leave_question;
	uint64_t reg_stamp;             /* td_reg_change_stamp at last look */
	int scan_gap_ms;                /* the config's scan-gap-ms, or 0 */
	/* Printable keys typed in a run (each within DESK_RUN_MS of the
	 * last) on a screen that takes no text: a serial typed slower than
	 * a scanner (desk.c, run_key) */
	char run[128];
	int run_len;
	double run_ms;
	int run_depth;                  /* the screens' depth when it began */
	int run_field;                  /* followed into a field it opened */
	const struct screen_ops *run_ops;   /* the screen it began on */
	void *run_self;
};
/* Keys closer than this are one run: a serial typed slowly (a slow
 * scanner, or by hand) is still one. */
#define DESK_RUN_MS 800
/* A y closer than this to the key before it answers nothing when it
 * ends a run: no one reads a question and answers it that fast (a
 * person's reaction alone takes longer). */
#define DESK_ANSWER_MS 250
enum { LEAVE_NONE = 0, LEAVE_QUIT = -1, LEAVE_BACK = -2 };

/* desk.c: whether the top screen's text field has the focus (letters
 * are text there); a serial scanned (or typed, run.c) handed to the top
 * screen, or opened in the search, or a printed record's QR code. */
int desk_top_typing(struct desk *d);
void desk_scan(struct desk *d, const char *text);
/* run.c: key as part of a run of printable keys (see there); 1 when it
 * was taken (a serial's Enter, a y typed in a run), 0: handle it. */
int desk_run_key(struct desk *d, int key);
/* run.c: scan (size bytes) with the run just before it as its head,
 * when that run was a scanner's burst come in two. */
void desk_run_join(struct desk *d, char *scan, size_t size);

/* A text that T() translates where it is drawn: marks it for xgettext
 * (po/Makevars) where it is written, in a table or an initialiser. */
#define N_(s) s
/* i18n.c: the message in the desk's language (gettext; the English text
 * is the msgid, po/vi.po the Vietnamese). */
void td_tui_lang_init(struct desk *d);
const char *T(const char *en);
/* A stored UTC stamp in local time, as the desk's language writes a date
 * and time ("06/12/2026 21:03" in Vietnamese), into buf. */
const char *desk_time(const char *iso, char *buf, size_t size);
/* A date as the desk's language writes it ("01/01/2027" in
 * Vietnamese): a calendar date as it is, a UTC stamp (a token's
 * certificate's validity) as the local day; anything else as it is. */
const char *desk_date(const char *v, char *buf, size_t size);
/* printf into buf of the translated format. */
void Tf(char *buf, size_t size, const char *en_fmt, ...);
/* The same for a count: the English singular (n == 1) or plural, or the
 * language's form for n (ngettext; xgettext: Tfn:3,4).  n only chooses:
 * pass it again where the text prints it. */
void Tfn(char *buf, size_t size, const char *one, const char *many,
         unsigned long n, ...)
	__attribute__((format(printf, 3, 6), format(printf, 4, 6)));

/* draw.c: width-aware drawing, all in terminal columns. */
int tw_width(const char *utf8);
/* Put s at (y, x) in at most w columns; an over-long string ends in '…'.
 * pad: fill the rest of w with blanks.  Returns the columns used. */
/* s centred in the w columns from x (from x when it does not fit: cut
 * with '…' inside them, never spilling left of x). */
int tw_put_centred(struct desk *d, int y, int x, int w, const char *s, int color);
int tw_put(struct desk *d, int y, int x, int w, const char *s, int color,
           int pad);
/* As tw_put (no padding), but an over-long s loses its middle, not its
 * tail: "5403…9A1F" keeps where serials differ in sight. */
int tw_put_mid(struct desk *d, int y, int x, int w, const char *s, int color);
/* As tw_put for a name (an agency's, a person's): too long, the heads
 * every office writes short are (Ủy ban nhân dân: UBND, Hội đồng nhân
 * dân: HĐND, tw_name_short), and if it still does not fit it loses its middle, not its
 * tail, where "xã Hải Triều" tells one commune from the next. */
int tw_put_name(struct desk *d, int y, int x, int w, const char *s, int color);
/* s with those heads (and Văn phòng: VP, thành phố: TP, thị xã: TX)
 * written short, into out. */
void tw_name_short(const char *s, char *out, size_t size);
void tw_fill(struct desk *d, int y, int x, int w, int color);
void tw_box(struct desk *d, int y, int x, int h, int w, const char *title);
/* The desk's one dialog box: centred, as wide as its widest line (and
 * its title) and as high as its lines, within the screen less 2 columns
 * each side; a line that still does not fit ends in '…'.  text[i] in
 * colors[i] (NULL: all COL_NORMAL); an empty line is a gap.  The last
 * line is the keys (y/n/Esc...), drawn in COL_KEY.  A line wider than
 * the box is wrapped at blanks, never cut.  Returns the screen row of the
 * last line drawn (the keys); *x and *w (may be NULL) get the text's
 * column and width, for a field the caller draws on a line it left
 * blank. */
int tw_dialog(struct desk *d, const char *title, const char *const *text,
              const int *colors, int n, int *x, int *w);
/* The rows text takes wrapped at blanks to inner columns (tw_dialog's). */
int tw_wrapped_rows(const char *text, int inner);
/* As tw_dialog; rows[i] (n of them) gets the screen row text[i] starts
 * on, or -1 when the screen had no room for it, for a field the caller
 * draws on a line it left blank.  The keys line always shows. */
int tw_dialog_rows(struct desk *d, const char *title, const char *const *text,
                   const int *colors, int n, int *x, int *w, int *rows);
/* The answer a key gives to a dialog's question: 1 yes (y only: c, a
 * hex digit, would let a typed serial confirm), 0 no (n, k: "không", or
 * Esc), -1 neither (the dialog stays). */
int tw_answer(int key);
/* A line of key hints "F1 Help  F3 Search ..." from pairs key, label. */
void tw_keybar(struct desk *d, int y, const char *const *pairs);

/* terminal.c: 1 when the terminal ($TERM) is known and can place text
 * anywhere on the screen, else 0 with the reason said on stderr. */
int desk_terminal_ok(void);
/* "tokendesk: TEXT" on stderr, before curses starts or after it ends,
 * with what the caller quotes shown escaped (td_printable). */
void desk_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* desk.c: the screen stack and messages. */
void desk_push(struct desk *d, const struct screen_ops *ops, void *self);
void desk_pop(struct desk *d);
void desk_message(struct desk *d, int bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "what PATH" on the message line for a file just written; when it does
 * not fit, the file's name in the records folder ("what records/NAME"),
 * then "brief records/NAME": the line is one row, and a path cut at
 * its tail loses the very name the custodian must find. */
void desk_message_file(struct desk *d, const char *what, const char *brief,
                       const char *path);
void desk_error(struct desk *d, const struct td_error *err);
/* Draw the screen now, in the middle of handling a key: for a step that
 * is done (recorded) before a slower one that follows (its PDF). */
void desk_flush(struct desk *d);
/* err as td_error_format renders it, its message in the desk's language
 * when it is one of the fixed texts lower layers give (why an output was
 * refused, a registry moved): those are marked N_ there, and po/
 * POTFILES.in lists their files.  Returns buf. */
char *desk_error_text(const struct td_error *err, char *buf, size_t size);

/* 1, having said in the desk's language which character of text (the
 * field called label, already translated) td_text_flaw refuses and
 * where; 0 when text is fine.  Checked before a write, so the operator
 * reads why in Vietnamese, not the workflow's English. */
int desk_text_refused(struct desk *d, const char *label, const char *text);
/* Open the detail screen of a record: kind "agency", "holder", "cert",
 * "token"; key its code/id/serial. */
void desk_open_record(struct desk *d, const char *kind, const char *key);
/* The "records" folder beside the registry, where the desk saves what it
 * prints (handover PDFs, count reports), opened into dir: made 0700, as
 * they name officials, and like any folder tokendesk makes for itself
 * never through a link, and refused unless it is the user's alone
 * (outfile.h).  0, or a td_code with err filled; td_outdir_close it. */
struct td_outdir;
int desk_records_dir(const struct desk *d, struct td_outdir *dir,
                     struct td_error *err);

/* The screens (scr_*.c): each open function pushes its screen. */
void scr_panel_open(struct desk *d);
void scr_search_open(struct desk *d, const char *initial);
void scr_browse_open(struct desk *d);
int scr_record_open(struct desk *d, const char *kind, const char *key);
/* An agency level from the registry ("province"...), in the desk's
 * language. */
const char *td_tui_level_label(const char *level);
void scr_help_open(struct desk *d, const struct screen_ops *of);
void scr_handover_open(struct desk *d, const char *token_serial);
/* The reorganization plan (F7, p): actions, pick, import, apply, send. */
void scr_plan_open(struct desk *d);
/* Inventory count (F8, c): start or resume, scan, close, report. */
void scr_count_open(struct desk *d);
/* Handover records (r): the list, reopen, print again. */
void scr_records_open(struct desk *d);
/* Handover number's record printed again, as a PDF in the records
 * folder beside the registry; the message line says the file. */
void scr_records_reprint(struct desk *d, const char *number);
/* A reopened handover record: its number as the title and its printed
 * text (both copied), scrolled by the keys; p prints it again and s
 * opens its signatures, as on the list of records. */
void scr_text_open(struct desk *d, const char *title, const char *text);
/* Field-kit conflicts (k): list them, keep home or field. */
void scr_conflicts_open(struct desk *d);
/* The same with conflict id selected (with the decided ones shown, if it
 * is decided). */
void scr_conflicts_open_at(struct desk *d, int64_t id);

/* desk.c: calls of t that wait on a module with the PIN show the wait
 * on the bottom line and give up on Esc (td_tokens_set_wait). */
struct td_tokens;
void desk_tokens_wait_here(struct desk *d, struct td_tokens *t);

/* tokens.c: the token watcher, if the token layer is built in. */
int desk_tokens_start(struct desk *d);
int desk_tokens_fd(struct desk *d);          /* -1: none */
void desk_tokens_event(struct desk *d);      /* the fd is readable */
void desk_tokens_stop(struct desk *d);
/* Match the tokens present against the registry again (it changed). */
void desk_tokens_rematch(struct desk *d);
int desk_tokens_count(struct desk *d);       /* tokens present, -1 unknown */
const char *desk_tokens_modules(struct desk *d);
/* The i-th serial plugged in during the event batch being told to the
 * screens (tokens_changed), or NULL past the last: every token inserted,
 * not the ones present at start. */
const char *desk_tokens_fresh(struct desk *d, int i);
/* Serial of the i-th token plugged in now (0..count-1), else NULL;
 * *known (if not NULL) is 1 when the registry knows the token.  For
 * screens that take what is already on the desk when they open. */
const char *desk_tokens_present(struct desk *d, int i, int *known);

#endif
