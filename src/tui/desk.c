/* desk.c: `tokendesk` without a command: the full-screen desk.
 *
 * One poll() loop waits on the keyboard, the token watcher's event fd and
 * signals (SIGWINCH arrives as KEY_RESIZE from ncursesw; SIGINT/SIGTERM/
 * SIGHUP end the loop so the terminal is always restored).  After every
 * batch of keys the whole screen is redrawn into curses' buffer and
 * doupdate() sends only what changed: cheap, and over SSH too. */
#include <config.h>

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokendesk/desk.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tokendesk/session.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"
#include "tui/desk.h"
#include "tui/input.h"
#include "tui/keys.h"
#include "tui/sign.h"
#include "tokendesk/handover.h"

static volatile sig_atomic_t stop_signal;

/* An error said on stderr, outside curses. */
static void desk_say_error(const struct td_error *err)
{
	char buf[1024];

	desk_fail("%s", td_error_format(err, buf, sizeof buf));
}

static void on_stop(int sig)
{
	stop_signal = sig;
}

void desk_push(struct desk *d, const struct screen_ops *ops, void *self)
{
	if (d->depth == DESK_MAX_SCREENS) {
		if (ops->free)
			ops->free(self);
		return;
	}
	d->stack[d->depth].ops = ops;
	d->stack[d->depth].self = self;
	d->depth++;
	d->dirty = 1;
}

void desk_pop(struct desk *d)
{
	if (d->depth == 0)
		return;
	d->depth--;
	if (d->stack[d->depth].ops->free)
		d->stack[d->depth].ops->free(d->stack[d->depth].self);
	d->dirty = 1;
}

void desk_message(struct desk *d, int bad, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	d->msg_bad = bad;
	d->dirty = 1;
}

void desk_message_file(struct desk *d, const char *what, const char *brief,
                       const char *path)
{
	const char *name = strrchr(path, '/');

	name = name ? name + 1 : path;
	desk_message(d, 0, "%s %s", what, path);
	if (tw_width(d->msg) > d->cols)
		desk_message(d, 0, "%s records/%s", what, name);
	if (tw_width(d->msg) > d->cols)
		desk_message(d, 0, "%s records/%s", brief, name);
}

char *desk_error_text(const struct td_error *err, char *buf, size_t size)
{
	struct td_error shown = *err;

	snprintf(shown.message, sizeof shown.message, "%s", T(err->message));
	return td_error_format(&shown, buf, size);
}

/* Esc was pressed while a write waited for the lock (busy_wait). */
static int busy_given_up;

void desk_error(struct desk *d, const struct td_error *err)
{
	char buf[400];

	/* the waits the desk itself drew, said in its language */
	if (err->code == TD_ERR_CANCELLED && busy_given_up) {
		busy_given_up = 0;
		desk_message(d, 1, "%s", T("Given up waiting: nothing was recorded."));
		return;
	}
	if (err->code == TD_ERR_BUSY) {
		desk_message(d, 1, "%s", T("Another desk or command kept the registry "
		             "busy: nothing was recorded; try again."));
		return;
	}

	desk_message(d, 1, "%s", desk_error_text(err, buf, sizeof buf));
}

/* What td_text_flaw calls a character, as xgettext must see it: the
 * workflow says it in English, the desk in the operator's language. */
static const char *const flaw_names[] = {
	N_("control character"), N_("invisible text-direction character"),
	N_("invisible formatting character"), N_("line or paragraph separator"),
	N_("invisible filler character"), N_("blank braille pattern"),
	N_("replacement character (the text was damaged by a wrong encoding)"),
	N_("more than 3 combining marks on one letter"),
};

int desk_text_refused(struct desk *d, const char *label, const char *text)
{
	struct td_text_flaw flaw;
	char said[300];

	(void)flaw_names;   /* read by xgettext, and through T() */
	if (!td_text_flaw(text, &flaw))
		return 0;
	Tf(said, sizeof said, "%s: U+%04lX (%s) at character %zu; nothing was "
	   "recorded.", label, flaw.code_point, T(flaw.what), flaw.position);
	desk_message(d, 1, "%s", said);
	return 1;
}

int desk_records_dir(const struct desk *d, struct td_outdir *dir,
                     struct td_error *err)
{
	char path[4096];
	size_t len;

	td_path_dir(d->s->db_path, path, sizeof path);
	len = strlen(path);
	snprintf(path + len, sizeof path - len, "%s",
	         strcmp(path, "/") ? "/records" : "records");
	return td_outdir_open(dir, path, err);
}

void desk_open_record(struct desk *d, const char *kind, const char *key)
{
	if (scr_record_open(d, kind, key) < 0)
		desk_message(d, 1, "%s", T("No such record."));
}

static void colors_init(struct desk *d)
{
	const char *no = getenv("NO_COLOR");
	static const short pairs[COL_COUNT][2] = {
		[COL_TITLE] = { COLOR_WHITE, COLOR_BLUE },
		[COL_STATUS] = { COLOR_BLACK, COLOR_CYAN },
		[COL_SELECT] = { COLOR_BLACK, COLOR_YELLOW },
		[COL_HEAD] = { COLOR_CYAN, -1 },
		[COL_OK] = { COLOR_GREEN, -1 },
		[COL_WARN] = { COLOR_YELLOW, -1 },
		[COL_BAD] = { COLOR_WHITE, COLOR_RED },
		[COL_DIM] = { COLOR_BLUE, -1 },
		[COL_KEY] = { COLOR_WHITE, COLOR_BLACK },
		[COL_FIELD] = { COLOR_WHITE, -1 },
	};

	/* without colour, attributes alone keep every state visible */
	d->attr[COL_NORMAL] = A_NORMAL;
	d->attr[COL_TITLE] = A_REVERSE | A_BOLD;
	d->attr[COL_STATUS] = A_REVERSE;
	d->attr[COL_SELECT] = A_REVERSE | A_BOLD;
	d->attr[COL_HEAD] = A_BOLD | A_UNDERLINE;
	d->attr[COL_OK] = A_BOLD;
	d->attr[COL_WARN] = A_BOLD;
	d->attr[COL_BAD] = A_REVERSE | A_BOLD;
	d->attr[COL_DIM] = A_DIM;
	d->attr[COL_KEY] = A_BOLD;
	d->attr[COL_FIELD] = A_UNDERLINE;   /* an empty field still shows */
	d->colors = !(no && *no) && has_colors();
	if (!d->colors)
		return;
	start_color();
	use_default_colors();
	for (int i = 1; i < COL_COUNT; i++) {
		init_pair((short)i, pairs[i][0], pairs[i][1]);
		d->attr[i] = (int)COLOR_PAIR(i);
	}
	d->attr[COL_TITLE] |= A_BOLD;
	d->attr[COL_HEAD] |= A_BOLD;
	d->attr[COL_SELECT] |= A_BOLD;
	d->attr[COL_BAD] |= A_BOLD;
	d->attr[COL_KEY] |= A_BOLD;
	d->attr[COL_DIM] = A_DIM;
	/* underlined, so fields on consecutive lines stay apart */
	d->attr[COL_FIELD] |= A_UNDERLINE;
}

/* The status line: registry, operator, place, module(s), tokens.  When
 * the terminal is narrow the path shortens to its file name, then the
 * labels go, so no value is ever cut. */
static void draw_status(struct desk *d, int y)
{
	char line[1024], tok[64], path[600], file[600];
	const char *mods = desk_tokens_modules(d), *base, *ro = "";
	int n = desk_tokens_count(d);

	if (n < 0)
		snprintf(tok, sizeof tok, "%s", T("no reader"));
	else
		Tf(tok, sizeof tok, "%d token(s)", n);
	base = strrchr(d->s->db_path, '/');
	base = base ? base + 1 : d->s->db_path;
	/* Said before a handover fails on it, not after. */
	if (td_reg_read_only(d->reg))
		ro = T(" (read-only)");
	snprintf(path, sizeof path, "%s%s", d->s->db_path, ro);
	snprintf(file, sizeof file, "%s%s", base, ro);
	for (int pass = 0; pass < 3; pass++) {
		if (pass < 2)
			snprintf(line, sizeof line, " %s %s │ %s %s │ %s %s │ %s %s │ %s",
			         T("Registry"), pass ? file : path,
			         T("Operator"), d->s->operator_name,
			         T("Place"), d->place ? d->place : "—",
			         T("Module"), mods ? mods : "—", tok);
		else
			snprintf(line, sizeof line, " %s │ %s │ %s │ %s │ %s", file,
			         d->s->operator_name, d->place ? d->place : "—",
			         mods ? mods : "—", tok);
		if (tw_width(line) <= d->cols)
			break;
	}
	tw_put(d, y, 0, d->cols, line, COL_STATUS, 1);
}

static void draw_title(struct desk *d)
{
	char line[512];
	size_t n = 0;

	n += (size_t)snprintf(line, sizeof line, " tokendesk");
	for (int i = 0; i < d->depth && n < sizeof line - 64; i++)
		n += (size_t)snprintf(line + n, sizeof line - n, " › %s",
		                      T(d->stack[i].ops->title));
	tw_put(d, 0, 0, d->cols, line, COL_TITLE, 1);
}


/* The smallest terminal the screens are laid out for: below it their
 * lines overlap (at 12 rows the handover's button covers its hint). */
enum { DESK_MIN_COLS = 50, DESK_MIN_ROWS = 14 };

static int too_small(const struct desk *d)
{
	return d->cols < DESK_MIN_COLS || d->rows < DESK_MIN_ROWS;
}

/* Said instead of screens whose lines would run into one another, in
 * short lines that fit the smallest window. */
static void draw_too_small(struct desk *d)
{
	char need[96], have[96];
	int y = d->rows > 4 ? d->rows / 2 - 2 : 0;

	Tf(need, sizeof need, "It needs %dx%d;", DESK_MIN_COLS, DESK_MIN_ROWS);
	Tf(have, sizeof have, "this one is %dx%d.", d->cols, d->rows);
	tw_put(d, y++, 0, d->cols, T("The terminal is too small."), COL_BAD, 0);
	tw_put(d, y++, 0, d->cols, need, COL_NORMAL, 0);
	tw_put(d, y++, 0, d->cols, have, COL_NORMAL, 0);
	tw_put(d, y, 0, d->cols, T("Enlarge it, or F10 to quit."), COL_NORMAL, 0);
}

/* A leave waiting for y: the question, centred, sized to its text. */
static void draw_leave(struct desk *d)
{
	const char *lines[3] = { T(d->leave_question), "",
	                         T("y: yes, leave    n or Esc: stay    F10: quit") };
	static const int colors[3] = { COL_WARN, COL_NORMAL, COL_KEY };

	tw_dialog(d, NULL, lines, colors, 3, NULL, NULL);
}

/* Status, key bar or message, and the top screen's body. */
static void draw_screen(struct desk *d, int body)
{
	int top = d->depth - 1;

	draw_status(d, d->rows - 2);
	if (d->msg[0])
		tw_put(d, d->rows - 1, 0, d->cols, d->msg,
		       d->msg_bad ? COL_BAD : COL_OK, 1);
	else
		tw_keybar(d, d->rows - 1, desk_keybar());
	/* body last: the screen leaves the cursor where it wants it */
	d->stack[top].ops->draw(d, d->stack[top].self, 1, body, d->cols);
	if (d->leave != LEAVE_NONE) {
		curs_set(0);
		draw_leave(d);
	}
}

static void redraw(struct desk *d)
{
	int body = d->rows - 3;

	erase();
	curs_set(0);
	getmaxyx(stdscr, d->rows, d->cols);
	body = d->rows - 3;
	if (too_small(d)) {
		draw_too_small(d);
	} else {
		draw_title(d);
		if (d->depth > 0)
			draw_screen(d, body);
	}
	wnoutrefresh(stdscr);
	doupdate();
	d->dirty = 0;
}

/* Key-to-screen timing for `make bench` (TOKENDESK_KEYLOG=FILE; "%p" in
 * FILE becomes the process id, for a hall's many desks). */
struct keylog {
	FILE *f;                 /* out.f, or NULL when not asked for */
	struct td_outfile out;   /* put in place when the desk ends */
	double t0;               /* when the batch of keys being handled arrived */
	int key;                 /* its last key */
};
static struct keylog *active_log;

void desk_flush(struct desk *d)
{
	redraw(d);
	/* the bench's "F9 to recorded": the screen is out before the PDF */
	if (active_log && active_log->f)
		fprintf(active_log->f, "flush %d %.3f\n", active_log->key,
		        tdi_now_ms() - active_log->t0);
}

int desk_top_typing(struct desk *d)
{
	const struct screen_ops *o = d->stack[d->depth - 1].ops;

	return o->typing && o->typing(d->stack[d->depth - 1].self);
}

/* Go to a main screen: back to the panel, then open it. */
static void goto_screen(struct desk *d, int which)
{
	while (d->depth > 1)
		desk_pop(d);
	switch (which) {
	case 3: scr_search_open(d, NULL); break;
	case 4: scr_browse_open(d); break;
	case 5: scr_handover_open(d, NULL); break;
	case 7: scr_plan_open(d); break;
	case 8: scr_count_open(d); break;
	case 9: scr_conflicts_open(d); break;
	case 6: scr_records_open(d); break;
	}
}

/* The question the first screen from the top that would lose work asks
 * (levels from the top down to keep, exclusive), or NULL. */
static const char *unsaved_question(struct desk *d, int keep)
{
	for (int i = d->depth - 1; i >= keep; i--) {
		const struct screen_ops *o = d->stack[i].ops;
		const char *q = o->unsaved ? o->unsaved(d->stack[i].self) : NULL;
		if (q)
			return q;
	}
	return NULL;
}

/* Do what leave says, now. */
static void leave_now(struct desk *d, int leave)
{
	if (leave == LEAVE_QUIT) {
		/* a signed checkpoint offered first, when signing is set up */
		if (!scr_sign_quit_offer(d))
			d->quit = 1;
	} else if (leave == LEAVE_BACK)
		desk_pop(d);
	else
		goto_screen(d, leave);
}

/* Leave (quit, back, or to screen n), asking first when that would lose
 * an unrecorded handover or leave a count open. */
static void leave_asking(struct desk *d, int leave)
{
	int keep = leave == LEAVE_QUIT ? 0 : leave == LEAVE_BACK ? d->depth - 1 : 1;
	const char *q = unsaved_question(d, keep);

	if (!q) {
		leave_now(d, leave);
		return;
	}
	d->leave = leave;
	d->leave_question = q;
}

/* The leave question's keys (keys.h).  Only y leaves: over SSH a Home
 * or an arrow can arrive as Esc and then "[1~", "OH"..., and c ("có",
 * which tw_answer takes) is the tail of one. */
enum { LV_NONE, LV_YES, LV_STAY, LV_QUIT };

static const struct screen_key leave_keys[] = {
	{ LV_YES, SK_ALL, { 'y', 'Y' }, 1, "y", NULL, NULL },
	{ LV_STAY, SK_ALL, { 'n', 'N', TDK_ESC }, 1, "n  Esc", NULL, NULL },
	{ LV_QUIT, SK_ALL, { TDK(KEY_F(10)) }, 1, "F10", NULL, NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

/* The dialog of a leave waiting for an answer: y leaves, n or Esc stays,
 * F10 quits (F10 twice: quit, having been asked). */
static int leave_key(struct desk *d, int key)
{
	int leave = d->leave;

	d->leave = LEAVE_NONE;
	switch (screen_request(leave_keys, 0, key, 1)) {
	case LV_QUIT: leave_now(d, LEAVE_QUIT); return 1;
	case LV_YES: leave_now(d, leave); return 1;
	case LV_STAY: return 1;
	}
	/* any other key stays, and goes on to the screen: that Esc must not
	 * take the keys after it */
	return 0;
}

/* The screen a request goes to (goto_screen's numbers), or 0. */
static int screen_of(enum desk_req req)
{
	switch (req) {
	case REQ_PANEL: return 2;
	case REQ_SEARCH: return 3;
	case REQ_BROWSE: return 4;
	case REQ_HANDOVER: return 5;
	case REQ_RECORDS: return 6;
	case REQ_PLAN: return 7;
	case REQ_COUNT: return 8;
	case REQ_CONFLICTS: return 9;
	default: return 0;
	}
}

/* A key no screen took: the request the table says it makes. */
static void global_key(struct desk *d, int key, int typing)
{
	enum desk_req req = desk_request_of(key, typing);

	/* q on the panel quits; Esc there does nothing */
	if (req == REQ_BACK && d->depth <= 1 && key == 'q')
		req = REQ_QUIT;
	desk_request(d, req);
}

void desk_request(struct desk *d, enum desk_req req)
{
	switch (req) {
	case REQ_HELP:
		scr_help_open(d, d->stack[d->depth - 1].ops);
		return;
	case REQ_QUIT: leave_asking(d, LEAVE_QUIT); return;
	case REQ_REDRAW: clearok(curscr, TRUE); d->dirty = 1; return;
	case REQ_RESIZE: d->dirty = 1; return;
	case REQ_BACK:
		if (d->depth > 1)
			leave_asking(d, LEAVE_BACK);
		return;
	case REQ_NONE:
		return;
	default:
		leave_asking(d, screen_of(req));
	}
}

static void handle_key(struct desk *d, int key)
{
	int top = d->depth - 1, typing = desk_top_typing(d);

	/* Keys wait while the screen cannot be seen: typed blind they would
	 * land who knows where.  A barcode scan on a screen that takes
	 * scans still counts (handle_scan). */
	if (too_small(d) && key != TDK(KEY_RESIZE) && key != TDK(KEY_F(10)) &&
	    key != TDK_CTRL('l'))
		return;

	if (d->msg[0] && key != TDK(KEY_RESIZE)) {
		d->msg[0] = '\0';
		d->dirty = 1;
	}
	if (d->leave != LEAVE_NONE && key != TDK(KEY_RESIZE) && leave_key(d, key))
		;   /* the question's answer */
	else if (key == TDK(KEY_RESIZE) || key == TDK(KEY_F(10)) ||
	    !d->stack[top].ops->key(d, d->stack[top].self, key))
		global_key(d, key, typing);
	d->dirty = 1;
}

void desk_scan(struct desk *d, const char *text)
{
	int top = d->depth - 1;

	if (td_record_is_qr(text)) {   /* a printed record's QR code */
		scr_receipt_scan(d, text);
		d->dirty = 1;
		return;
	}
	if (d->stack[top].ops->scan) {
		d->stack[top].ops->scan(d, d->stack[top].self, text);
	} else {
		scr_search_open(d, text);
		top = d->depth - 1;
		d->stack[top].ops->key(d, d->stack[top].self, TDK_ENTER);
	}
	d->dirty = 1;
}

/* Where a trailing scan could start in keys[0..n): the printable keys
 * at the end, before a final Enter if there is one; n when none. */
static int scan_start(const int *keys, int n)
{
	int s = n;

	if (s > 0 && keys[s - 1] == TDK_ENTER)
		s--;
	while (s > 0 && tdi_printable(keys[s - 1]))
		s--;
	return s < n && keys[s] != TDK_ENTER ? s : n;
}

/* Each key in turn; 1 when the desk is to quit. */
static int handle_keys(struct desk *d, const int *keys, int n)
{
	for (int i = 0; i < n && !d->quit; i++) {
		if (!desk_run_key(d, keys[i]))
			handle_key(d, keys[i]);
		if (d->depth == 0)
			d->quit = 1;
	}
	return d->quit;
}

static void run_keys(struct desk *d, struct keylog *log, int *keys, int n,
                     int max)
{
	char scan[256];
	double t0 = tdi_now_ms();
	int s = scan_start(keys, n);
	/* Keys typed while a PIN dialog is open (or that close it) are a
	 * PIN: the log gets 0 in their place, never the key. */
	int secret = tf_secret_live();

	log->t0 = t0;
	log->key = secret ? 0 : keys[n - 1];

	/* Keys that came just before a scan (Tab to a list, then the
	 * scanner fires) go first: the scan is judged on the screen they
	 * lead to, and may still be arriving. */
	if (s > 0 && s < n) {
		if (handle_keys(d, keys, s))
			return;
		memmove(keys, keys + s, (size_t)(n - s) * sizeof *keys);
		n -= s;
		if (!desk_top_typing(d))
			n = tdi_more(keys, n, max, d->scan_gap_ms);
	}
	if (n > 1 && !desk_top_typing(d) && tdi_is_scan(keys, n, scan, sizeof scan)) {
		desk_run_join(d, scan, sizeof scan);
		desk_scan(d, scan);
		redraw(d);
		return;
	}
	/* Keys that arrived together are all handled before one redraw: a
	 * fast typist on a million-row registry gets one search for the
	 * letters typed while the last one ran, not one per letter. */
	if (handle_keys(d, keys, n))
		return;
	redraw(d);
	if (log->f)
		fprintf(log->f, "%d %.3f\n", secret || tf_secret_live() ? 0 : keys[n - 1],
		        tdi_now_ms() - t0);
}

/* Token events, timed in the key log as key -1: the desk must never wait
 * on a module (issue 23), so they count against the 50 ms too. */
static void tokens_event(struct desk *d, struct keylog *log)
{
	double t0 = tdi_now_ms();

	desk_tokens_event(d);
	if (log->f)
		fprintf(log->f, "-1 %.3f\n", tdi_now_ms() - t0);
}

/* The screen as curses holds it, a line of text per row, trailing
 * blanks dropped: what the terminal shows, without colours. */
static void dump_screen(struct desk *d, FILE *f)
{
	for (int y = 0; y < d->rows; y++) {
		char line[8192];
		size_t n = 0, keep = 0;
		for (int x = 0; x < d->cols && n + 64 < sizeof line; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1];
			attr_t at;
			short pair;
			mbstate_t st;
			if (mvin_wch(y, x, &cc) == ERR ||
			    getcchar(&cc, wch, &at, &pair, NULL) == ERR)
				continue;
			memset(&st, 0, sizeof st);
			for (int i = 0; wch[i]; i++) {
				size_t r = wcrtomb(line + n, wch[i], &st);
				if (r != (size_t)-1)
					n += r;
			}
			if (wch[0] != L' ')
				keep = n;
			if (wch[0] && wcwidth(wch[0]) == 2)
				x++;   /* the next cell is this one's second half */
		}
		line[keep] = '\0';
		fprintf(f, "%s\n", line);
	}
}

/* <Dump:NAME>: the screen into $TOKENDESK_SCREENS/NAME.txt (tests). */
static void script_dump(struct desk *d, const char *name)
{
	const char *dir = getenv("TOKENDESK_SCREENS");
	struct td_outfile out;
	struct td_error err;
	char path[4096];

	if (!dir || !*dir)
		return;
	redraw(d);
	snprintf(path, sizeof path, "%s/%s.txt", dir, name);
	if (td_outfile_open(&out, path, &err) < 0) {
		desk_error(d, &err);
		return;
	}
	dump_screen(d, out.f);
	if (td_outfile_commit(&out, &err) < 0)
		desk_error(d, &err);
}

static int script_step(struct desk *d, struct tdi *in, struct keylog *log)
{
	int k = in->script[in->next++];

	if (k >= TDI_DUMP && k < TDI_DUMP + in->ndumps) {
		script_dump(d, in->dumps[k - TDI_DUMP]);
		return 0;
	}

	if (k == TDI_SLEEP) {
		struct pollfd p = { .fd = desk_tokens_fd(d), .events = POLLIN };
		double until = tdi_now_ms() + 200;
		while (tdi_now_ms() < until)
			if (poll(&p, p.fd >= 0, 20) > 0)
				tokens_event(d, log);
		redraw(d);
		return 0;
	}
	run_keys(d, log, &k, 1, 1);
	return 0;
}

/* In a hall several desks share one registry: what this one shows is
 * read again when another desk or a command has committed (SQLite's
 * data_version, asked on the loop's timer: a cheap pragma). */
static void check_registry(struct desk *d)
{
	uint64_t stamp = td_reg_change_stamp(d->reg);

	if (stamp == d->reg_stamp)
		return;
	d->reg_stamp = stamp;
	desk_tokens_rematch(d);
	for (int i = 0; i < d->depth; i++)
		if (d->stack[i].ops->registry_changed)
			d->stack[i].ops->registry_changed(d, d->stack[i].self);
	d->dirty = 1;
}

/* How often, at most, the desk looks for other desks' commits (ms): the
 * hall's promise is to show them within a second. */
enum { DESK_REGISTRY_CHECK_MS = 250 };

static void loop(struct desk *d, struct tdi *in, struct keylog *log)
{
	int keys[256];

	while (!d->quit && !stop_signal && d->depth > 0) {
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN },
		                       { .fd = desk_tokens_fd(d), .events = POLLIN } };
		int n;
		if (d->dirty)
			redraw(d);
		if (in->script && in->next < in->nscript) {
			script_step(d, in, log);
			continue;
		}
		n = poll(p, p[1].fd >= 0 ? 2 : 1, DESK_REGISTRY_CHECK_MS);
		if (n < 0 && errno != EINTR)
			break;
		check_registry(d);
		if (n > 0 && (p[1].revents & POLLIN))
			tokens_event(d, log);
		/* after EINTR too: a SIGWINCH waits in curses as KEY_RESIZE */
		n = tdi_read(in, keys, 256, desk_top_typing(d));
		if (n > 0)
			run_keys(d, log, keys, n, 256);
		/* they may have been a PIN's digits: not left on the stack */
		if (n > 0)
			explicit_bzero(keys, sizeof keys);
	}
}

/* The desk needs UTF-8: in the C locale every Vietnamese letter would be
 * garbled or cut. */
static int locale_ok(void)
{
	const char *cs = nl_langinfo(CODESET);

	if (cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0))
		return 1;
	desk_fail("the desk needs a UTF-8 locale to show Vietnamese text, "
	          "but the character set is %s.", cs ? cs : "unknown");
	fputs("Try: LANG=C.UTF-8 tokendesk  (or LC_ALL=C.UTF-8)\n"
	      "Bàn làm việc cần môi trường UTF-8; hãy chạy: "
	      "LANG=C.UTF-8 tokendesk\n", stderr);
	return 0;
}

static void curses_start(struct desk *d)
{
	struct sigaction sa;

	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	colors_init(d);
	getmaxyx(stdscr, d->rows, d->cols);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* TOKENDESK_KEYLOG's FILE, "%p" in it made the process id (a hall's
 * desks share one environment), into buf. */
static const char *keylog_path(const char *path, char *buf, size_t size)
{
	const char *p = strstr(path, "%p");

	if (!p)
		return path;
	snprintf(buf, size, "%.*s%ld%s", (int)(p - path), path, (long)getpid(),
	         p + 2);
	return buf;
}

/* While a write waits for the lock another desk or command holds (the
 * registry calls this every 50 ms or so): say so on the message line,
 * and give up at Esc, the write then abandoned whole.  Other keys are
 * dropped: they were typed at a desk that could not answer them. */
static int busy_wait(void *ctx, int waited_ms)
{
	struct desk *d = ctx;
	char line[300];
	int keys[32], n;

	Tf(line, sizeof line, "Waiting for another desk or command to finish "
	   "writing... %d s (Esc: give up)", waited_ms / 1000);
	tw_put(d, d->rows - 1, 0, d->cols, line, COL_WARN, 1);
	wnoutrefresh(stdscr);
	doupdate();
	d->dirty = 1;   /* the line is the desk's again afterwards */
	n = tdi_read(NULL, keys, 32, 1);
	for (int i = 0; i < n; i++)
		if (keys[i] == TDK_ESC)
			return busy_given_up = 1;
	return 0;
}

/* While a proof or a signature waits on the token's module (a slow or
 * hung module: 10 s a call happens): after half a second the bottom line
 * says so, and Esc gives up (td_tokens_set_wait: the module's helper is
 * stopped, nothing is done).  Other keys wait with it. */
static int module_wait(void *ctx, int waited_ms)
{
	struct desk *d = ctx;
	char line[300];
	int keys[32], n;

	if (waited_ms >= 500) {
		Tf(line, sizeof line, "Waiting for the token to answer... %d s "
		   "(Esc: give up)", waited_ms / 1000);
		tw_put(d, d->rows - 1, 0, d->cols, line, COL_WARN, 1);
		wnoutrefresh(stdscr);
		doupdate();
		d->dirty = 1;
	}
	n = tdi_read(NULL, keys, 32, 1);
	for (int i = 0; i < n; i++)
		if (keys[i] == TDK_ESC)
			return 1;
	return 0;
}

void desk_tokens_wait_here(struct desk *d, struct td_tokens *t)
{
	td_tokens_set_wait(t, module_wait, d);
}

int td_desk_check(void)
{
	const char *script = getenv("TOKENDESK_KEYS");

	if (!locale_ok())
		return TD_ERR_USAGE;
	if (!isatty(0) || !isatty(1)) {
		desk_fail("the desk needs a terminal; for scripts use the "
		          "commands (see `tokendesk --help`)");
		return TD_ERR_USAGE;
	}
	if (!desk_terminal_ok())
		return TD_ERR_USAGE;
	if (script && access(script, R_OK) != 0) {
		desk_fail("cannot read the key script %s", script);
		return TD_ERR_USAGE;
	}
	return TD_OK;
}

int td_desk_main(struct td_session *s)
{
	struct desk d = { .s = s, .reg = s->reg };
	struct tdi in = { 0 };
	struct keylog log = { NULL, { 0 }, 0, 0 };
	struct td_error err;
	char logbuf[4096];
	const char *script = getenv("TOKENDESK_KEYS");
	const char *logpath = getenv("TOKENDESK_KEYLOG");

	if (script && tdi_script_load(&in, script) < 0) {
		desk_fail("cannot read the key script %s", script);
		return TD_ERR_USAGE;
	}
	if (logpath && td_outfile_open(&log.out, keylog_path(logpath, logbuf,
	                                                    sizeof logbuf), &err) < 0) {
		desk_say_error(&err);
		tdi_script_free(&in);
		return err.code;
	}
	log.f = logpath ? log.out.f : NULL;
	/* As the handover command finds it: the place goes on every record
	 * signed here (it was the config file's name). */
	d.place = td_session_place(s, NULL);
	in.gap_ms = d.scan_gap_ms = s->config ? s->config->scan_gap_ms : 0;
	td_tui_lang_init(&d);
	curses_start(&d);
	/* set once curses runs: busy_wait draws */
	td_reg_set_busy(d.reg, s->config ? s->config->busy_ms : 0, busy_wait, &d);
	desk_tokens_start(&d);
	scr_panel_open(&d);
	d.reg_stamp = td_reg_change_stamp(d.reg);
	d.dirty = 1;
	active_log = &log;
	loop(&d, &in, &log);
	active_log = NULL;
	while (d.depth > 0)
		desk_pop(&d);
	desk_tokens_stop(&d);
	endwin();
	if (log.f && td_outfile_commit(&log.out, &err) < 0)
		desk_say_error(&err);
	tdi_script_free(&in);
	return stop_signal;
}
