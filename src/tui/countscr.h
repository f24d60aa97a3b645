/* countscr.h (tui): the inventory count screen's state, shared by its
 * three files: scr_count.c (the screen's operations, and choosing: start
 * a count or resume an open one), scr_count_run.c (scanning: tallies,
 * last scans, still missing) and scr_count_report.c (closing, and the
 * report of a closed count).  Nothing counted lives only here: every scan
 * is committed by td_count_scan before the screen shows it, and tallies
 * and lists are read back from the registry. */
#ifndef TD_TUI_COUNTSCR_H
#define TD_TUI_COUNTSCR_H

#include "tokendesk/count.h"
#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/widget.h"

enum count_mode { CM_PICK, CM_RUN, CM_REPORT };
/* The screen's requests (its key table, count_keys in scr_count.c). */
enum count_req {
	CR_NONE, CR_ENTER, CR_TAB, CR_BTAB, CR_DOWN, CR_UP, CR_CLOSE, CR_WRITE,
	CR_BACK
};
/* Focus: the text field, or the first / second list of the mode. */
enum count_focus { CF_FIELD, CF_LIST1, CF_LIST2 };

struct count_scr {
	enum count_mode mode;
	int focus;
	struct tf_field field;        /* choosing: the scope; counting: a serial */
	/* choosing */
	struct tl_list picks;         /* open counts, then closed ones */
	char scope_note[600];
	int scope_ok;                 /* the field names an agency or custodian */
	int scope_agency;             /* 1: an agency and its subtree */
	char scope[256];              /* the agency code or custodian string */
	/* counting, and the report */
	int have_count;
	struct td_count count;
	struct td_count_tally tally;
	struct tl_list scans, missing;
	char last[1500];              /* what the last scan was, in words */
	int last_color;
	int confirm;                  /* the close dialog is open */
	int have_rep;
	struct td_count_report rep;
	struct tl_list report;
	int report_cols;              /* the width its lines were wrapped at */
	char text_path[4400], xlsx_path[4400];
	char write_err[600];
};

/* scr_count.c */
void count_pick_enter(struct desk *d, struct count_scr *s);
/* "Sở Tài chính (DC.STC) and its units", or a custodian's name and key. */
void count_scope_text(const struct td_count *c, char *out, size_t size);
/* Where the registry places a token: who (name and custodian key) and,
 * for an official, their agency (agency may come back empty). */
void count_where(struct desk *d, const char *custodian, const char *name,
                 char *who, size_t wsize, char *agency, size_t asize);
/* 1 when the registry holds token serial away from where a count finds
 * it (recorded lost, damaged, destroyed, at DOST, sent to the CA, or
 * handed to another person than its certificate's holder), with the
 * registry's words in out ("recorded lost", as the token panel says
 * it); else 0. */
int count_custody(struct desk *d, const char *serial, char *out, size_t size);
/* text wrapped at the width from row y, at most maxrows rows (so it is
 * never cut short at 80 columns); returns the rows used. */
int count_put_wrapped(struct desk *d, int y, int maxrows, const char *text,
                      int color, int cols);
/* The screen's keys (keys.h), and its request for key k now. */
extern const struct screen_key count_keys[];
int count_request(const struct count_scr *s, int k);
/* The keys of the screen's mode, drawn on the body's last line. */
void count_keyline(struct desk *d, const struct count_scr *s, int y);
/* A list, its selection shown only when it has the focus. */
void count_list_draw(struct desk *d, struct tl_list *l, int top, int rows,
                     int cols, int focus);
/* The five tallies as boxes in rows [y, y+4). */
void count_draw_tallies(struct desk *d, const struct td_count_tally *t, int y,
                        int cols);

/* scr_count_run.c */
void count_run_enter(struct desk *d, struct count_scr *s, int64_t id);
/* Tallies and the missing list again, from the stored scans (another
 * desk may have scanned into the same count). */
void count_run_reload(struct desk *d, struct count_scr *s);
void count_run_draw(struct desk *d, struct count_scr *s, int top, int rows,
                    int cols);
int count_run_key(struct desk *d, struct count_scr *s, int k);
/* Count one serial (source "typed" or "inserted"), committed at once. */
void count_run_scan(struct desk *d, struct count_scr *s, const char *serial,
                    const char *source);
void count_run_clear(struct count_scr *s);

/* scr_count_report.c */
void count_close_draw(struct desk *d, struct count_scr *s);
int count_close_key(struct desk *d, struct count_scr *s, int k);
/* Show the report of closed count id; write: write its files too. */
void count_report_enter(struct desk *d, struct count_scr *s, int64_t id,
                        int write);
void count_report_draw(struct desk *d, struct count_scr *s, int top, int rows,
                       int cols);
int count_report_key(struct desk *d, struct count_scr *s, int k);
void count_report_clear(struct count_scr *s);

#endif
