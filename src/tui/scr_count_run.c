/* scr_count_run.c: counting: a serial field (typed or barcode), tokens
 * plugged in counted by themselves (scr_count.c passes them here), the
 * five tallies, the last scans with what each was, and the tokens still
 * missing.  Each scan is committed by td_count_scan before anything is
 * drawn, and tallies and the missing list are read back from the
 * registry after each one, so the screen never shows what a crash would
 * lose. */
#include <config.h>

#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/count.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "tui/countscr.h"

static const char *outcome_label(enum td_count_outcome o)
{
	static const char *const l[] = {
		[TD_COUNT_FOUND] = N_("Found"), [TD_COUNT_MISSING] = N_("Missing"),
		[TD_COUNT_UNEXPECTED] = N_("Unexpected"),
		[TD_COUNT_UNKNOWN] = N_("Unknown serial"),
	};
	return (unsigned)o < 4 ? T(l[o]) : "?";
}

static int outcome_color(enum td_count_outcome o)
{
	return o == TD_COUNT_FOUND ? COL_OK : o == TD_COUNT_MISSING ? COL_WARN
	                                                            : COL_BAD;
}

/* One scanned serial as list rows: serial, outcome, where; an official's
 * agency on a second row, so a long name is never cut at 80 columns. */
static void scan_rows(struct desk *d, struct tl_list *l, int at,
                      const char *serial, enum td_count_outcome o, int64_t scans,
                      const char *custodian, const char *name)
{
	char who[700], agency[700], again[300], away[500], row[600];
	const char *what = outcome_label(o);
	int color = outcome_color(o);

	count_where(d, custodian, name, who, sizeof who, agency, sizeof agency);
	if (scans > 1) {
		Tf(again, sizeof again, "Duplicate scan (%lld×)", (long long)scans);
		what = again;
		color = COL_WARN;
	}
	/* found where it should not be: said under it, as the panel does */
	if (count_custody(d, serial, away, sizeof away)) {
		snprintf(row, sizeof row, "  ⚠ %s", away);
		tl_insert(l, at, COL_BAD, "token", serial, row, NULL, NULL, NULL);
		color = COL_BAD;
	}
	if (agency[0])
		tl_insert(l, at, COL_NORMAL, "token", serial, "", "", agency, NULL);
	tl_insert(l, at, color, "token", serial, serial, what, who, NULL);
}

struct lines_ctx {
	struct desk *d;
	struct count_scr *s;
	int missing;       /* collect the missing lines, else the scanned ones */
};

static int line_one(const struct td_count_line *l, void *ctx)
{
	struct lines_ctx *c = ctx;
	char who[700], agency[700];

	if ((l->outcome == TD_COUNT_MISSING) != c->missing)
		return 0;
	if (c->missing) {
		count_where(c->d, l->custodian, l->custodian_name, who, sizeof who,
		            agency, sizeof agency);
		tl_add(&c->s->missing, COL_NORMAL, "token", l->serial, l->serial, who,
		       NULL, NULL);
	} else {
		scan_rows(c->d, &c->s->scans, c->s->scans.n, l->serial, l->outcome,
		          l->scans, l->custodian, l->custodian_name);
	}
	return 0;
}

/* Tallies and the missing list, from the stored scans. */
void count_run_reload(struct desk *d, struct count_scr *s)
{
	struct lines_ctx c = { d, s, 1 };
	struct td_error err;
	int sel = s->missing.sel;

	if (td_reg_count_tally(d->reg, s->count.id, &s->tally, &err) < 0)
		desk_error(d, &err);
	tl_clear(&s->missing);
	if (td_reg_count_each(d->reg, s->count.id, line_one, &c, &err) < 0)
		desk_error(d, &err);
	s->missing.sel = sel < s->missing.n ? sel : 0;
}

void count_run_clear(struct count_scr *s)
{
	if (s->have_count)
		td_count_clear(&s->count);
	s->have_count = 0;
	tl_clear(&s->scans);
	tl_clear(&s->missing);
	s->last[0] = '\0';
	s->confirm = 0;
}

void count_run_enter(struct desk *d, struct count_scr *s, int64_t id)
{
	struct lines_ctx c = { d, s, 0 };
	struct td_error err;

	count_run_clear(s);
	if (td_reg_count_get(d->reg, id, &s->count, &err) < 0) {
		desk_error(d, &err);
		return;
	}
	s->have_count = 1;
	s->mode = CM_RUN;
	s->focus = CF_FIELD;
	tf_clear(&s->field);
	/* resumed: what was counted before is shown, so nothing looks lost */
	if (s->count.scans > 0) {
		tl_add(&s->scans, COL_DIM, NULL, NULL,
		       T("Counted before (saved in the registry):"), NULL, NULL, NULL);
		if (td_reg_count_each(d->reg, id, line_one, &c, &err) < 0)
			desk_error(d, &err);
		Tfn(s->last, sizeof s->last, "Count resumed: %lld scan was already "
		    "saved.", "Count resumed: %lld scans were already saved.",
		    (unsigned long)s->count.scans, (long long)s->count.scans);
		s->last_color = COL_OK;
	}
	count_run_reload(d, s);
}

/* The last scan in one sentence, with where the registry places it. */
static void say_hit(struct count_scr *s, const char *serial,
                    const struct td_count_hit *h, const char *who,
                    const char *agency, int inserted)
{
	char what[1200], pre[200] = "";

	if (inserted)
		snprintf(pre, sizeof pre, "%s ", T("Token plugged in:"));
	if (h->scans > 1)
		Tfn(what, sizeof what, "%s was already counted (scanned %lld time): "
		    "it counts once.", "%s was already counted (scanned %lld times): "
		    "it counts once.", (unsigned long)h->scans, serial, (long long)h->scans);
	else if (h->outcome == TD_COUNT_FOUND)
		Tf(what, sizeof what, "%s found — %s.", serial, who);
	else if (h->outcome == TD_COUNT_UNEXPECTED)
		Tf(what, sizeof what, "%s is UNEXPECTED here: the registry places it "
		   "with %s%s%s.", serial, who, agency[0] ? ", " : "", agency);
	else
		Tf(what, sizeof what, "%s is UNKNOWN: the registry has no such token.",
		   serial);
	snprintf(s->last, sizeof s->last, "%s%s", pre, what);
	s->last_color = h->scans > 1 ? COL_WARN : outcome_color(h->outcome);
}

/* The custody finding after the last scan's sentence (count_custody). */
static void say_custody(struct count_scr *s, const char *away)
{
	size_t n = strlen(s->last);

	s->last[n++] = ' ';
	Tf(s->last + n, sizeof s->last - n, "Custody: %s.", away);
	s->last_color = COL_BAD;
}

void count_run_scan(struct desk *d, struct count_scr *s, const char *serial,
                    const char *source)
{
	struct td_count_hit hit;
	struct td_error err;
	char canon[256], who[700], agency[700], away[500];

	memset(&hit, 0, sizeof hit);
	if (td_count_scan(d->reg, s->count.id, serial, source, &hit, &err) < 0) {
		/* T(): a registry moved under the desk says so in its language */
		snprintf(s->last, sizeof s->last, "✗ %s: %s", serial, T(err.message));
		s->last_color = COL_BAD;
		return;
	}
	if (td_token_serial(serial, canon, sizeof canon) < 0)
		snprintf(canon, sizeof canon, "%s", serial);
	count_where(d, hit.custodian, hit.custodian_name, who, sizeof who, agency,
	            sizeof agency);
	say_hit(s, canon, &hit, who, agency, strcmp(source, "inserted") == 0);
	if (hit.scans <= 1 && count_custody(d, canon, away, sizeof away))
		say_custody(s, away);
	scan_rows(d, &s->scans, 0, canon, hit.outcome, hit.scans, hit.custodian,
	          hit.custodian_name);
	s->scans.sel = 0;
	td_count_hit_clear(&hit);
	count_run_reload(d, s);
}

/* The last scan's sentence on up to two rows: it must not be cut. */
static void draw_last(struct desk *d, struct count_scr *s, int y, int cols)
{
	if (!s->last[0]) {
		tw_put(d, y, 1, cols - 2, T("Nothing scanned yet in this session."),
		       COL_DIM, 0);
		return;
	}
	count_put_wrapped(d, y, 2, s->last, s->last_color, cols);
}

void count_run_draw(struct desk *d, struct count_scr *s, int top, int rows,
                    int cols)
{
	char line[1200], scope[700], stored[64];
	const char *label = T("Serial");
	int lw = tw_width(label), fw = cols > 100 ? 30 : 20, avail, n1;

	count_scope_text(&s->count, scope, sizeof scope);
	Tfn(stored, sizeof stored, "%lld scan saved", "%lld scans saved",
	    (unsigned long)s->tally.scans, (long long)s->tally.scans);
	Tf(line, sizeof line, "Count %lld: %s", (long long)s->count.id, scope);
	/* too long (80 columns, Vietnamese): the word "Count" goes before
	 * any word of the scope is cut */
	if (tw_width(line) > cols - tw_width(stored) - 4)
		snprintf(line, sizeof line, "%lld: %s", (long long)s->count.id, scope);
	tw_put(d, top, 1, cols - tw_width(stored) - 4, line, COL_HEAD, 0);
	tw_put(d, top, cols - tw_width(stored) - 1, tw_width(stored), stored,
	       COL_DIM, 0);
	count_draw_tallies(d, &s->tally, top + 1, cols);
	tw_put(d, top + 5, 1, lw, label, s->focus == CF_FIELD ? COL_HEAD : COL_NORMAL, 0);
	tw_put(d, top + 5, lw + fw + 5, cols - lw - fw - 6,
	       T("type or scan, Enter; or plug the token in"), COL_DIM, 0);
	draw_last(d, s, top + 6, cols);
	avail = rows - 9;
	n1 = avail / 2;
	s->scans.mid[0] = s->missing.mid[0] = 1;   /* serials */
	s->scans.head[0] = N_("Last scans");
	s->scans.head[1] = N_("Outcome");
	s->scans.head[2] = N_("Where the registry places it");
	count_list_draw(d, &s->scans, top + 8, n1, cols, s->focus == CF_LIST1);
	Tf(line, sizeof line, "Still missing (%lld)", (long long)s->tally.missing);
	s->missing.head[0] = line;   /* for this draw only: it lives here */
	s->missing.head[1] = N_("Where the registry places it");
	count_list_draw(d, &s->missing, top + 8 + n1, avail - n1, cols,
	                s->focus == CF_LIST2);
	s->missing.head[0] = N_("Still missing");
	count_keyline(d, s, top + rows - 1);
	if (!s->confirm)
		tf_draw(d, &s->field, top + 5, lw + 3, fw, s->focus == CF_FIELD);
	if (s->focus == CF_FIELD && !s->confirm)
		curs_set(1);
}

static void next_focus(struct count_scr *s, int dir)
{
	s->focus = (s->focus + dir + 3) % 3;
}

static int list_key(struct desk *d, struct count_scr *s, int k, int req)
{
	struct tl_list *l = s->focus == CF_LIST1 ? &s->scans : &s->missing;
	struct tl_row *r;

	if (req == CR_UP && l->sel == 0) {
		next_focus(s, -1);
		return 1;
	}
	if (req == CR_ENTER) {
		if ((r = tl_selected(l)) && r->kind)
			desk_open_record(d, r->kind, r->key);
		return 1;
	}
	return tl_key(l, k, 0);
}

int count_run_key(struct desk *d, struct count_scr *s, int k)
{
	char text[512];
	int req = count_request(s, k);

	switch (req) {
	case CR_TAB: next_focus(s, 1); return 1;
	case CR_BTAB: next_focus(s, -1); return 1;
	case CR_CLOSE: s->confirm = 1; return 1;
	}
	if (s->focus != CF_FIELD)
		return list_key(d, s, k, req);
	switch (req) {
	case CR_DOWN:
		next_focus(s, 1);
		return 1;
	case CR_ENTER:
		tf_get(&s->field, text, sizeof text);
		td_trim(text);
		if (text[0])
			count_run_scan(d, s, text, "typed");
		tf_clear(&s->field);
		return 1;
	}
	return tf_key(&s->field, k);
}
