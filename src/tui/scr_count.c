/* scr_count.c: the inventory count screen (letter 2.1), F8 or c.
 *
 * Three modes in one screen, so Esc always steps back one of them:
 * choosing (start a count for an agency's subtree or one custodian, or
 * resume one still open: a count stopped by a crash goes on where it
 * stopped), counting (scr_count_run.c) and the report of a closed count
 * (scr_count_report.c).  The same workflow API as `tokendesk count`
 * (tokendesk/count.h); the registry alone holds what was counted. */
#include <config.h>

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/count.h"
#include "tokendesk/match.h"
#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "tui/countscr.h"

#define CLOSED_SHOWN 20   /* closed counts offered for their report */

/* ---- shared helpers --------------------------------------------------- */

int count_custody(struct desk *d, const char *serial, char *out, size_t size)
{
	char what[400];
	const char *says;

	out[0] = '\0';
	switch (td_count_away(d->reg, serial, what, sizeof what)) {
	case TD_AWAY_STATE:
		/* the token panel's words (workflow/match.c), so both say the same */
		if ((says = td_custody_away_words(what)))
			snprintf(out, size, "%s", T(says));
		break;
	case TD_AWAY_OTHER_HOLDER:
		Tf(out, size, "recorded as handed to %.200s, not to the certificate's "
		   "holder", what);
		break;
	case TD_AWAY_NONE:
		break;
	}
	return out[0] != '\0';
}

void count_scope_text(const struct td_count *c, char *out, size_t size)
{
	const char *name = c->scope_name ? c->scope_name : c->scope;

	if (strcmp(c->scope_kind, "agency") == 0)
		Tf(out, size, "%s (%s) and its units", name, c->scope);
	else
		snprintf(out, size, "%s (%s)", name, c->scope);
}

void count_where(struct desk *d, const char *custodian, const char *name,
                 char *who, size_t wsize, char *agency, size_t asize)
{
	struct td_holder h;
	struct td_agency a;
	struct td_error err;
	const char *id = custodian ? custodian + 7 : "";

	agency[0] = '\0';
	if (!custodian) {
		snprintf(who, wsize, "%s", T("not in the registry"));
		return;
	}
	snprintf(who, wsize, name ? "%s (%s)" : "%s%s", name ? name : "", custodian);
	if (strncmp(custodian, "holder:", 7) != 0)
		return;
	/* an organisation holder: its name, which the lines may lack */
	if (!name && td_reg_get_holder(d->reg, "org", id, &h, &err) == 0) {
		snprintf(who, wsize, "%s (%s)", h.name, custodian);
		td_holder_clear(&h);
	}
	/* an official's agency tells the operator where to look for it */
	if (td_reg_get_holder(d->reg, "person", id, &h, &err) < 0)
		return;
	if (!name)
		snprintf(who, wsize, "%s (%s)", h.name, custodian);
	if (h.agency_code && td_reg_get_agency(d->reg, h.agency_code, &a, &err) == 0) {
		snprintf(agency, asize, "%s (%s)", a.name, a.code);
		td_agency_clear(&a);
	}
	td_holder_clear(&h);
}

int count_put_wrapped(struct desk *d, int y, int maxrows, const char *text,
                      int color, int cols)
{
	struct tl_list tmp;
	int i;

	memset(&tmp, 0, sizeof tmp);
	tl_add_wrapped(&tmp, color, text, cols - 2, 2);
	for (i = 0; i < tmp.n && i < maxrows; i++)
		tw_put(d, y + i, 1, cols - 2, tmp.rows[i].cells[0], color, 0);
	tl_clear(&tmp);
	return i;
}

#define PICK SK_MODE(CM_PICK)
#define RUN SK_MODE(CM_RUN)
#define REPORT SK_MODE(CM_REPORT)

/* The screen's keys, in the order its key lines show them. */
const struct screen_key count_keys[] = {
	{ 0, REPORT, { 0 }, 0, "↑ ↓ PgUp PgDn", N_("scroll"), NULL },
	{ CR_ENTER, PICK, { TDK_ENTER }, 1, "Enter", N_("start / resume"),
	  N_("Start the count the field names; in the list, resume an open count "
	     "or show a closed one's report") },
	{ CR_ENTER, RUN, { TDK_ENTER }, 1, "Enter", N_("count it"),
	  N_("Count the serial typed (a scanner ends its serial with Enter)") },
	{ CR_WRITE, REPORT, { 'w', 'W' }, 0, "w", N_("write the report again"),
	  N_("Write the report (text and XLSX) into the records folder again") },
	{ CR_TAB, PICK | RUN, { '\t' }, 1, "Tab", N_("move"),
	  N_("Move between the field and the lists (Shift-Tab: back)") },
	{ CR_BTAB, PICK | RUN, { TDK(KEY_BTAB) }, 1, "Shift-Tab", NULL, NULL },
	{ CR_DOWN, PICK | RUN, { TDK(KEY_DOWN) }, 1, "↓", NULL, NULL },
	{ CR_UP, PICK | RUN, { TDK(KEY_UP) }, 1, "↑", NULL, NULL },
	{ CR_CLOSE, RUN, { TDK(KEY_F(9)) }, 1, "F9", N_("close the count"),
	  N_("Close the count, after a question: the result is frozen and its "
	     "report written") },
	{ CR_BACK, RUN | REPORT, { TDK_ESC }, 1, "Esc", N_("other counts"),
	  N_("Back to the counts (an open count stays open, to resume)") },
	{ 0, PICK, { 0 }, 0, "Esc", N_("back"), NULL },
	{ 0, SK_ALL, { 0 }, 0, "F1", N_("help"), NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

int count_request(const struct count_scr *s, int k)
{
	int typing = s->mode != CM_REPORT && s->focus == CF_FIELD;

	return screen_request(count_keys, (int)s->mode, k, typing);
}

void count_keyline(struct desk *d, const struct count_scr *s, int y)
{
	screen_keyline(d, y, d->cols, count_keys, (int)s->mode, 1, 0);
}

void count_draw_tallies(struct desk *d, const struct td_count_tally *t, int y,
                        int cols)
{
	static const char *const label[5] = {
		N_("Found"), N_("Missing"), N_("Unexpected"), N_("Duplicate"),
		N_("Unknown"),
	};
	static const int color[5] = { COL_OK, COL_WARN, COL_BAD, COL_WARN, COL_BAD };
	const int64_t v[5] = { t->found, t->missing, t->unexpected, t->duplicate,
	                       t->unknown };
	int w = (cols - 1) / 5 > 24 ? 24 : (cols - 1) / 5;

	for (int i = 0; i < 5; i++) {
		char num[64];
		int x = 1 + i * w, in = w - 3;
		if (i == 0)
			snprintf(num, sizeof num, "%" PRId64 " / %" PRId64, v[0], t->expected);
		else
			snprintf(num, sizeof num, "%" PRId64, v[i]);
		tw_box(d, y, x, 4, w - 1, NULL);
		tw_put_centred(d, y + 1, x + 1, in, T(label[i]), COL_HEAD);
		/* a tally that is not zero is filled, to be seen from afar */
		if (v[i])
			tw_fill(d, y + 2, x + 1, in, color[i]);
		tw_put_centred(d, y + 2, x + 1, in, num, v[i] ? color[i] : COL_DIM);
	}
}

void count_list_draw(struct desk *d, struct tl_list *l, int top, int rows,
                     int cols, int focus)
{
	int sel = l->sel, nc = l->no_cursor;

	if (!focus) {   /* no highlight where the keys do not go; from the top */
		l->sel = 0;
		l->no_cursor = 1;
	}
	tl_draw(d, l, top, rows, cols);
	l->sel = sel;
	l->no_cursor = nc;
}

/* ---- choosing: start or resume ---------------------------------------- */

/* What the scope field names: an agency code (counted with its units),
 * else a custodian (dost, ca, agency:CODE, holder:ID) counted alone. */
static void resolve_scope(struct desk *d, struct count_scr *s)
{
	char text[256], up[256];
	struct td_agency a;
	struct td_custodian c;
	struct td_error err;

	tf_get(&s->field, text, sizeof text);
	s->scope_ok = 0;
	s->scope_note[0] = '\0';
	if (!text[0])
		return;
	for (size_t i = 0; i <= strlen(text); i++)
		up[i] = (char)(text[i] >= 'a' && text[i] <= 'z' ? text[i] - 32 : text[i]);
	if (!strchr(text, ':') && (td_reg_get_agency(d->reg, text, &a, &err) == 0 ||
	                           td_reg_get_agency(d->reg, up, &a, &err) == 0)) {
		s->scope_ok = s->scope_agency = 1;
		snprintf(s->scope, sizeof s->scope, "%s", a.code);
		Tf(s->scope_note, sizeof s->scope_note, "✓ %s and its units", a.name);
		td_agency_clear(&a);
	} else if (td_custodian_resolve(d->reg, text, &c, &err) == 0) {
		s->scope_ok = 1;
		s->scope_agency = 0;
		snprintf(s->scope, sizeof s->scope, "%s", c.text);
		snprintf(s->scope_note, sizeof s->scope_note, "✓ %s", c.name);
	} else {
		snprintf(s->scope_note, sizeof s->scope_note, "✗ %s",
		         T("no such agency code or custodian"));
	}
}

struct pick_ctx {
	struct tl_list *l;
	int open;          /* this pass lists open counts, else closed ones */
	int shown;
};

static int pick_one(const struct td_count *c, void *ctx)
{
	struct pick_ctx *p = ctx;
	char id[32], scope[700], when[32], scans[64];

	if ((c->closed_at == NULL) != p->open || (!p->open && p->shown >= CLOSED_SHOWN))
		return 0;
	snprintf(id, sizeof id, "%" PRId64, c->id);
	/* short, so a long agency name still fits at 80 columns */
	snprintf(scope, sizeof scope, "%s (%s)", c->scope_name ? c->scope_name
	         : c->scope, c->scope);
	desk_time(c->started_at, when, sizeof when);
	Tfn(scans, sizeof scans, "%lld scan", "%lld scans", (unsigned long)c->scans,
	    (long long)c->scans);
	tl_add(p->l, p->open ? COL_NORMAL : COL_DIM, "count", id, id, when, scans,
	       scope);
	p->shown++;
	return 0;
}

static void build_picks(struct desk *d, struct count_scr *s)
{
	struct pick_ctx p = { &s->picks, 1, 0 };
	struct td_error err;
	int rc;

	tl_clear(&s->picks);
	tl_add(&s->picks, COL_HEAD, NULL, NULL,
	       T("Counts still open — Enter resumes one where it stopped"), NULL,
	       NULL, NULL);
	rc = td_reg_count_list(d->reg, pick_one, &p, &err);
	if (rc == 0 && p.shown == 0)
		tl_add(&s->picks, COL_DIM, NULL, NULL, T("(none)"), NULL, NULL, NULL);
	tl_add(&s->picks, COL_HEAD, NULL, NULL,
	       T("Closed counts — Enter shows the report"), NULL, NULL, NULL);
	p.open = 0;
	p.shown = 0;
	if (rc == 0)
		rc = td_reg_count_list(d->reg, pick_one, &p, &err);
	if (rc < 0)
		desk_error(d, &err);
	s->picks.sel = 0;
	tl_settle(&s->picks, 1);
}

void count_pick_enter(struct desk *d, struct count_scr *s)
{
	count_run_clear(s);
	count_report_clear(s);
	s->mode = CM_PICK;
	s->focus = CF_FIELD;
	tf_clear(&s->field);
	resolve_scope(d, s);
	build_picks(d, s);
}

static void open_count(struct desk *d, struct count_scr *s, int64_t id)
{
	struct td_count c;
	struct td_error err;

	if (td_reg_count_get(d->reg, id, &c, &err) < 0) {
		desk_error(d, &err);
		return;
	}
	if (c.closed_at)
		count_report_enter(d, s, id, 0);
	else
		count_run_enter(d, s, id);
	td_count_clear(&c);
}

/* A new count takes the tokens already plugged in, as if inserted now:
 * they are on the desk.  Only at the start, so a resumed count never
 * sees a token twice because it stayed plugged in. */
static void count_present(struct desk *d, struct count_scr *s)
{
	const char *serial;

	for (int i = 0; (serial = desk_tokens_present(d, i, NULL)); i++)
		if (serial[0])
			count_run_scan(d, s, serial, "inserted");
}

static void start(struct desk *d, struct count_scr *s)
{
	struct td_error err;
	int64_t id;

	resolve_scope(d, s);
	if (!s->scope_ok) {
		desk_message(d, 1, "%s", T("Type an agency code (or dost, ca, "
		                           "agency:CODE, holder:ID) first."));
		return;
	}
	if (td_count_start(d->reg, s->scope_agency ? s->scope : NULL,
	                   s->scope_agency ? NULL : s->scope, &id, &err) < 0) {
		desk_error(d, &err);
		return;
	}
	count_run_enter(d, s, id);
	count_present(d, s);
	desk_message(d, 0, "%s", T("Count started: scan, type or insert tokens."));
}

static void pick_draw(struct desk *d, struct count_scr *s, int top, int rows,
                      int cols)
{
	const char *label = T("Agency");
	int lw = tw_width(label), fw = cols > 100 ? 30 : 20, y;

	tw_put(d, top, 1, cols - 2, T("Start a count, or resume one that is still open"),
	       COL_HEAD, 0);
	tw_put(d, top + 2, 1, lw, label, s->focus == CF_FIELD ? COL_HEAD : COL_NORMAL, 0);
	tw_put(d, top + 2, lw + fw + 5, cols - lw - fw - 6,
	       s->scope_note[0] ? s->scope_note : T("an agency code, e.g. DC.STC"),
	       !s->scope_note[0] ? COL_DIM : s->scope_ok ? COL_OK : COL_BAD, 0);
	y = top + 3;
	/* up to 4 rows each: in Vietnamese at 60 columns the first takes 3,
	 * and its last words say how to start */
	y += count_put_wrapped(d, y, 4, T("The agency is counted with all its units; "
	                       "or name one custodian: dost, ca, agency:CODE, "
	                       "holder:ID. Enter starts the count."), COL_DIM, cols);
	y += count_put_wrapped(d, y, 4, T("Every scan is saved at once: a count "
	                       "stopped by a crash resumes where it stopped."),
	                       COL_DIM, cols);
	s->picks.head[0] = N_("No.");
	s->picks.head[1] = N_("Started");
	s->picks.head[2] = N_("Scans");
	s->picks.head[3] = N_("What is counted");
	count_list_draw(d, &s->picks, y + 1, top + rows - y - 2, cols,
	                s->focus == CF_LIST1);
	count_keyline(d, s, top + rows - 1);
	tf_draw(d, &s->field, top + 2, lw + 3, fw, s->focus == CF_FIELD);
	if (s->focus == CF_FIELD)
		curs_set(1);
}

static int pick_key(struct desk *d, struct count_scr *s, int k)
{
	struct tl_row *r;
	int field = s->focus == CF_FIELD;

	switch (count_request(s, k)) {
	case CR_DOWN:
		if (!field)
			break;
		/* ↓ from the field goes to the list */
		/* fall through */
	case CR_TAB: case CR_BTAB:
		s->focus = field ? CF_LIST1 : CF_FIELD;
		tl_settle(&s->picks, 1);
		return 1;
	case CR_UP:
		if (field || s->picks.sel > 1)
			break;
		s->focus = CF_FIELD;
		return 1;
	case CR_ENTER:
		if (field)
			start(d, s);
		else if ((r = tl_selected(&s->picks)) && r->kind)
			open_count(d, s, strtoll(r->key, NULL, 10));
		return 1;
	}
	if (field) {
		if (!tf_key(&s->field, k))
			return 0;
		resolve_scope(d, s);   /* the name shows as it resolves */
		return 1;
	}
	return tl_key(&s->picks, k, 0);
}

/* ---- the screen -------------------------------------------------------- */

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct count_scr *s = self;

	if (s->mode == CM_PICK)
		pick_draw(d, s, top, rows, cols);
	else if (s->mode == CM_RUN)
		count_run_draw(d, s, top, rows, cols);
	else
		count_report_draw(d, s, top, rows, cols);
	if (s->confirm)
		count_close_draw(d, s);
}

static int key(struct desk *d, void *self, int k)
{
	struct count_scr *s = self;

	if (s->confirm)
		return count_close_key(d, s, k);
	if (count_request(s, k) == CR_BACK) {
		count_pick_enter(d, s);   /* the count stays open, to resume */
		return 1;
	}
	if (s->mode == CM_PICK)
		return pick_key(d, s, k);
	if (s->mode == CM_RUN)
		return count_run_key(d, s, k);
	return count_report_key(d, s, k);
}

static int typing(void *self)
{
	struct count_scr *s = self;

	return s->confirm || (s->mode != CM_REPORT && s->focus == CF_FIELD);
}

/* A barcode read while no field has focus. */
static void scan(struct desk *d, void *self, const char *text)
{
	struct count_scr *s = self;

	if (s->mode == CM_RUN) {
		count_run_scan(d, s, text, "typed");
	} else if (s->mode == CM_PICK) {
		tf_set(&s->field, text);
		s->focus = CF_FIELD;
		resolve_scope(d, s);
	} else {
		desk_message(d, 1, "%s", T("This count is closed: start a new one to scan."));
	}
}

/* Every token plugged in while a count runs is counted, with no key. */
static void tokens_changed(struct desk *d, void *self)
{
	struct count_scr *s = self;
	const char *serial;

	for (int i = 0; (serial = desk_tokens_fresh(d, i)); i++) {
		if (s->mode == CM_RUN)
			count_run_scan(d, s, serial, "inserted");
		else
			desk_message(d, 1, "%s %s", serial,
			             T("was not counted: start or resume a count first."));
	}
	d->dirty = 1;
}

static void cfree(void *self)
{
	struct count_scr *s = self;

	count_run_clear(s);
	count_report_clear(s);
	tl_clear(&s->picks);
	free(s);
}

/* A count still open is kept (every scan is already recorded), but the
 * operator who leaves it may think it closed. */
static const char *unsaved(void *self)
{
	struct count_scr *s = self;

	return s->mode == CM_RUN && s->have_count
	       ? N_("Leave this count open? It is kept; F8 resumes it.") : NULL;
}

static void registry_changed(struct desk *d, void *self)
{
	struct count_scr *s = self;

	if (s->mode == CM_RUN && s->have_count)
		count_run_reload(d, s);
}

static const struct screen_ops ops = {
	.title = N_("Count"),
	.keys = count_keys,
	.help = N_("Inventory count (letter 2.1): check the tokens in your "
	        "hands against where the registry places them.\n"
	        "1. Start: type an agency code in Agency (its units are "
	        "counted too); or name one custodian (dost, ca, agency:CODE, "
	        "holder:ID). Or resume a count still open from the list: "
	        "every scan is saved at once, so a count stopped by a crash "
	        "goes on where it stopped.\n"
	        "2. Count: type or scan each serial in Serial. A token "
	        "plugged in while the count is open is counted by itself. "
	        "Each serial counts once; scanning it again shows as a "
	        "duplicate scan.\n"
	        "The tallies: Found (expected here and seen), Missing "
	        "(expected here, not yet seen), Unexpected (seen, but the "
	        "registry places it elsewhere: the list says where), "
	        "Duplicate (scanned more than once), Unknown (a serial the "
	        "registry does not know).\n"
	        "3. Close the count: the result is frozen and the report is "
	        "written as text and XLSX in the records folder beside the "
	        "registry. Until then an open count stays open, to resume."),
	.draw = draw, .key = key, .typing = typing, .scan = scan,
	.tokens_changed = tokens_changed, .registry_changed = registry_changed,
	.free = cfree, .unsaved = unsaved,
};

void scr_count_open(struct desk *d)
{
	struct count_scr *s = calloc(1, sizeof *s);

	if (!s)
		return;
	s->picks.maxw[0] = 6;
	s->picks.links_only = 1;
	desk_push(d, &ops, s);
	count_pick_enter(d, s);
}
