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

#include "cli/cli.h"
#include "cli/commands.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "tui/desk.h"
#include "tui/input.h"
#include "tui/sign.h"
#include "tokendesk/handover.h"

int td_desk_main(struct td_cli *cli);

static volatile sig_atomic_t stop_signal;

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

	td_path_dir(d->cli->db_path, path, sizeof path);
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
	base = strrchr(d->cli->db_path, '/');
	base = base ? base + 1 : d->cli->db_path;
	/* Said before a handover fails on it, not after. */
	if (td_reg_read_only(d->reg))
		ro = T(" (read-only)");
	snprintf(path, sizeof path, "%s%s", d->cli->db_path, ro);
	snprintf(file, sizeof file, "%s%s", base, ro);
	for (int pass = 0; pass < 3; pass++) {
		if (pass < 2)
			snprintf(line, sizeof line, " %s %s │ %s %s │ %s %s │ %s %s │ %s",
			         T("Registry"), pass ? file : path,
			         T("Operator"), d->cli->operator_name,
			         T("Place"), d->place ? d->place : "—",
			         T("Module"), mods ? mods : "—", tok);
		else
			snprintf(line, sizeof line, " %s │ %s │ %s │ %s │ %s", file,
			         d->cli->operator_name, d->place ? d->place : "—",
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

static const char *const keybar[] = {
	"F1", N_("Help"), "F2", N_("Tokens"), "F3", N_("Search"), "F4", N_("Browse"),
	"F5", N_("Handover"), "F7", N_("Plan"), "F8", N_("Count"), "Esc", N_("Back"),
	"F10", N_("Quit"), NULL, NULL
};

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

/* Status, key bar or message, and the top screen's body. */
static void draw_screen(struct desk *d, int body)
{
	int top = d->depth - 1;

	draw_status(d, d->rows - 2);
	if (d->msg[0])
		tw_put(d, d->rows - 1, 0, d->cols, d->msg,
		       d->msg_bad ? COL_BAD : COL_OK, 1);
	else
		tw_keybar(d, d->rows - 1, keybar);
	/* body last: the screen leaves the cursor where it wants it */
	d->stack[top].ops->draw(d, d->stack[top].self, 1, body, d->cols);
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

static int top_typing(struct desk *d)
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
	}
}

static void global_key(struct desk *d, int key, int typing)
{
	switch (key) {
	case TDK(KEY_F(1)): case '?':
		if (key == '?' && typing)
			break;
		scr_help_open(d, d->stack[d->depth - 1].ops);
		return;
	case TDK(KEY_F(2)): goto_screen(d, 2); return;
	case TDK(KEY_F(3)): case '/': goto_screen(d, 3); return;
	case TDK(KEY_F(4)): goto_screen(d, 4); return;
	case TDK(KEY_F(5)): goto_screen(d, 5); return;
	case TDK(KEY_F(7)): goto_screen(d, 7); return;
	case TDK(KEY_F(8)): goto_screen(d, 8); return;
	case TDK(KEY_F(10)):
		if (!scr_sign_quit_offer(d))
			d->quit = 1;
		return;
	case TDK_CTRL('l'): clearok(curscr, TRUE); d->dirty = 1; return;
	case TDK(KEY_RESIZE): d->dirty = 1; return;
	case TDK_ESC: case 'q':
		if (d->depth > 1)
			desk_pop(d);
		else if (key == 'q' && !scr_sign_quit_offer(d))
			d->quit = 1;
		return;
	}
	if (!typing) {
		switch (key) {
		case 't': goto_screen(d, 2); return;
		case 's': goto_screen(d, 3); return;
		case 'b': goto_screen(d, 4); return;
		case 'h': goto_screen(d, 5); return;
		case 'p': goto_screen(d, 7); return;
		case 'c': goto_screen(d, 8); return;
		case 'K': goto_screen(d, 9); return;
		}
	}
}

static void handle_key(struct desk *d, int key)
{
	int top = d->depth - 1, typing = top_typing(d);

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
	if (key == TDK(KEY_RESIZE) || key == TDK(KEY_F(10)) ||
	    !d->stack[top].ops->key(d, d->stack[top].self, key))
		global_key(d, key, typing);
	d->dirty = 1;
}

static void handle_scan(struct desk *d, const char *text)
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

	log->t0 = t0;
	log->key = keys[n - 1];

	/* Keys that came just before a scan (Tab to a list, then the
	 * scanner fires) go first: the scan is judged on the screen they
	 * lead to, and may still be arriving. */
	if (s > 0 && s < n) {
		if (handle_keys(d, keys, s))
			return;
		memmove(keys, keys + s, (size_t)(n - s) * sizeof *keys);
		n -= s;
		if (!top_typing(d))
			n = tdi_more(keys, n, max);
	}
	if (n > 1 && !top_typing(d) && tdi_is_scan(keys, n, scan, sizeof scan)) {
		handle_scan(d, scan);
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
		fprintf(log->f, "%d %.3f\n", keys[n - 1], tdi_now_ms() - t0);
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

static int script_step(struct desk *d, struct tdi *in, struct keylog *log)
{
	int k = in->script[in->next++];

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
		n = tdi_read(in, keys, 256, top_typing(d));
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
	td_cli_fail("the desk needs a UTF-8 locale to show Vietnamese text, "
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

int td_desk_main(struct td_cli *cli)
{
	struct desk d = { .cli = cli };
	struct tdi in = { 0 };
	struct keylog log = { NULL, { 0 }, 0, 0 };
	struct td_error err;
	char logbuf[4096];
	const char *script = getenv("TOKENDESK_KEYS");
	const char *logpath = getenv("TOKENDESK_KEYLOG");
	int status = EX_OK;

	if (!locale_ok())
		return EX_USAGE;
	if (!isatty(0) || !isatty(1)) {
		td_cli_fail("the desk needs a terminal; for scripts use the "
		            "commands (see `tokendesk --help`)");
		return EX_USAGE;
	}
	if (!desk_terminal_ok())
		return EX_USAGE;
	if (script && tdi_script_load(&in, script) < 0) {
		td_cli_fail("cannot read the key script %s", script);
		return EX_USAGE;
	}
	if (!(d.reg = td_cli_registry(cli, 0, &status)))
		return status;
	if (logpath && td_outfile_open(&log.out, keylog_path(logpath, logbuf,
	                                                    sizeof logbuf), &err) < 0) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	log.f = logpath ? log.out.f : NULL;
	/* As the handover command finds it: the place goes on every record
	 * signed here (it was the config file's name). */
	d.place = td_cli_place(cli, NULL);
	td_tui_lang_init(&d);
	curses_start(&d);
	/* set once curses runs: busy_wait draws */
	td_reg_set_busy(d.reg, cli->config.busy_ms, busy_wait, &d);
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
	td_reg_close(cli->reg);   /* main() closes it only after a command */
	cli->reg = NULL;
	if (log.f && td_outfile_commit(&log.out, &err) < 0)
		td_cli_print_error(&err);
	free(in.script);
	return stop_signal ? 128 + stop_signal : EX_OK;
}
