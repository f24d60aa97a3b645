/* scr_count_report.c: closing a count (after a confirmation: a closed
 * count is frozen and takes no more scans) and its report, loaded from
 * the registry (td_count_report_load) and written, as `tokendesk count
 * close` does, as count-ID.txt (with the signature lines) and
 * count-ID.xlsx: here into the "records" folder beside the registry,
 * where the desk also puts its handover records. */
#include <config.h>

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tokendesk/count.h"
#include "tokendesk/outfile.h"
#include "tui/countscr.h"
#include "tui/sign.h"

void count_close_draw(struct desk *d, struct count_scr *s)
{
	const struct td_count_tally *t = &s->tally;
	char title[128], tally[600], missing[200];
	const char *text[7];
	int colors[7], n = 0;

	Tf(title, sizeof title, "Close count %lld?", (long long)s->count.id);
	Tf(tally, sizeof tally, "Found %lld of %lld, missing %lld, unexpected %lld, "
	   "duplicate %lld, unknown %lld.", (long long)t->found,
	   (long long)t->expected, (long long)t->missing, (long long)t->unexpected,
	   (long long)t->duplicate, (long long)t->unknown);
	text[n] = tally, colors[n++] = COL_NORMAL;
	if (t->missing) {
		Tf(missing, sizeof missing, "%lld token(s) are still missing.",
		   (long long)t->missing);
		text[n] = missing, colors[n++] = COL_WARN;
	}
	text[n] = T("Closing freezes the result: no scan can be added afterwards.");
	colors[n++] = COL_NORMAL;
	text[n] = T("The report is written as text and XLSX beside the registry.");
	colors[n++] = COL_DIM;
	text[n] = "", colors[n++] = COL_NORMAL;
	text[n] = T("y: yes, close it    n or Esc: no, go on counting");
	colors[n++] = COL_KEY;
	tw_dialog(d, title, text, colors, n, NULL, NULL);
}

int count_close_key(struct desk *d, struct count_scr *s, int k)
{
	struct td_error err;
	int64_t id = s->count.id;

	int answer = tw_answer(k);

	if (answer == 1) {
		s->confirm = 0;
		if (td_count_close(d->reg, id, NULL, &err) < 0)
			desk_error(d, &err);
		else {
			count_report_enter(d, s, id, 1);
			scr_sign_offer_checkpoint(d);
		}
	} else if (answer == 0) {
		s->confirm = 0;
		desk_message(d, 0, "%s", T("The count stays open."));
	}
	return 1;
}

void count_report_clear(struct count_scr *s)
{
	if (s->have_rep)
		td_count_report_free(&s->rep);
	s->have_rep = 0;
	tl_clear(&s->report);
	s->text_path[0] = s->xlsx_path[0] = s->write_err[0] = '\0';
}

/* count-ID.txt and count-ID.xlsx in "records" beside the registry
 * (the folder 0700, the files 0600: they name officials). */
static void write_files(struct desk *d, struct count_scr *s)
{
	char text[64], xlsx[64];
	struct td_outdir dir;
	struct td_error err;
	int64_t id = s->rep.count.id;

	s->text_path[0] = s->xlsx_path[0] = s->write_err[0] = '\0';
	snprintf(text, sizeof text, "count-%" PRId64 ".txt", id);
	snprintf(xlsx, sizeof xlsx, "count-%" PRId64 ".xlsx", id);
	if (desk_records_dir(d, &dir, &err) < 0 ||
	    td_count_report_write_text(&s->rep, &dir, text, &err) < 0 ||
	    td_count_report_write_xlsx(&s->rep, &dir, xlsx, &err) < 0) {
		desk_error_text(&err, s->write_err, sizeof s->write_err);
	} else {
		snprintf(s->text_path, sizeof s->text_path, "%s/%s", dir.path, text);
		snprintf(s->xlsx_path, sizeof s->xlsx_path, "%s/%s", dir.path, xlsx);
	}
	td_outdir_close(&dir);
	if (s->write_err[0]) {
		s->text_path[0] = s->xlsx_path[0] = '\0';
		desk_message(d, 1, "%s %s", T("The report was not written:"), s->write_err);
	} else {
		desk_message(d, 0, "%s", T("Report written as text and XLSX (paths above)."));
	}
}

static void section(struct desk *d, struct count_scr *s,
                    const struct td_count_list *l, const char *fmt, int color)
{
	char head[200], who[700], agency[700], times[100], custody[500], row[600];

	Tf(head, sizeof head, fmt, l->n);
	tl_add(&s->report, COL_NORMAL, NULL, NULL, "", NULL, NULL, NULL);
	tl_add(&s->report, COL_HEAD, NULL, NULL, head, NULL, NULL, NULL);
	for (size_t i = 0; i < l->n; i++) {
		const struct td_count_entry *e = &l->v[i];
		if (l == &s->rep.duplicate) {
			Tfn(times, sizeof times, "scanned %lld time, counted once",
			    "scanned %lld times, counted once", (unsigned long)e->scans,
			    (long long)e->scans);
			tl_add(&s->report, color, NULL, NULL, e->serial, times, NULL, NULL);
			continue;
		}
		count_where(d, e->custodian, e->custodian_name, who, sizeof who, agency,
		            sizeof agency);
		int away = l != &s->rep.by[TD_COUNT_UNKNOWN] &&
		           count_custody(d, e->serial, custody, sizeof custody);
		tl_add(&s->report, away ? COL_BAD : color, NULL, NULL, e->serial, who,
		       NULL, NULL);
		if (agency[0] && l == &s->rep.by[TD_COUNT_UNEXPECTED])
			tl_add(&s->report, COL_NORMAL, NULL, NULL, "", agency, NULL, NULL);
		/* a token the registry holds elsewhere: flagged, as when scanned */
		if (away) {
			snprintf(row, sizeof row, "  ⚠ %s", custody);
			tl_add(&s->report, COL_BAD, NULL, NULL, row, NULL, NULL, NULL);
		}
	}
}

static void build(struct desk *d, struct count_scr *s)
{
	char line[9000];

	tl_clear(&s->report);
	s->report_cols = d->cols;
	if (s->text_path[0]) {
		snprintf(line, sizeof line, "%s %s", T("Report written:"), s->text_path);
		tl_add_wrapped(&s->report, COL_OK, line, d->cols - 2, 4);
		snprintf(line, sizeof line, "%s %s", T("Spreadsheet:"), s->xlsx_path);
		tl_add_wrapped(&s->report, COL_OK, line, d->cols - 2, 4);
	} else if (s->write_err[0]) {
		snprintf(line, sizeof line, "%s %s", T("The report was not written:"),
		         s->write_err);
		tl_add_wrapped(&s->report, COL_BAD, line, d->cols - 2, 4);
	} else {
		tl_add_wrapped(&s->report, COL_DIM,
		               T("w writes the report (text and XLSX) into the records "
		                 "folder beside the registry."), d->cols - 2, 0);
	}
	/* xgettext:c-format */
	section(d, s, &s->rep.by[TD_COUNT_MISSING], N_("Missing: %zu"), COL_WARN);
	/* xgettext:c-format */
	section(d, s, &s->rep.by[TD_COUNT_UNEXPECTED], N_("Unexpected: %zu"), COL_BAD);
	/* xgettext:c-format */
	section(d, s, &s->rep.by[TD_COUNT_UNKNOWN], N_("Unknown serials: %zu"), COL_BAD);
	/* xgettext:c-format */
	section(d, s, &s->rep.duplicate, N_("Duplicate scans: %zu"), COL_WARN);
	/* xgettext:c-format */
	section(d, s, &s->rep.by[TD_COUNT_FOUND], N_("Found: %zu"), COL_NORMAL);
}

void count_report_enter(struct desk *d, struct count_scr *s, int64_t id,
                        int write)
{
	struct td_error err;

	count_run_clear(s);
	count_report_clear(s);
	if (td_count_report_load(d->reg, id, &s->rep, &err) < 0) {
		td_count_report_free(&s->rep);
		desk_error(d, &err);
		return;
	}
	s->have_rep = 1;
	s->mode = CM_REPORT;
	s->report.no_cursor = 1;   /* text to read: the keys scroll it */
	s->report.maxw[0] = 18;
	if (write)
		write_files(d, s);
	build(d, s);
}

void count_report_draw(struct desk *d, struct count_scr *s, int top, int rows,
                       int cols)
{
	const struct td_count *c = &s->rep.count;
	char line[1200], scope[700], when[40];

	if (s->report_cols != d->cols) {   /* resized: wrap again, same place */
		int top_row = s->report.top;
		build(d, s);
		s->report.top = top_row < s->report.n ? top_row : 0;
	}
	count_scope_text(c, scope, sizeof scope);
	Tf(line, sizeof line, "Count %lld: %s", (long long)c->id, scope);
	tw_put(d, top, 1, cols - 2, line, COL_HEAD, 0);
	if (c->closed_at)
		Tf(line, sizeof line, "Closed %s by %s — the result is frozen.",
		   desk_time(c->closed_at, when, sizeof when),
		   c->closed_by ? c->closed_by : "?");
	else
		snprintf(line, sizeof line, "%s", T("Still open."));
	tw_put(d, top + 1, 1, cols - 2, line, COL_DIM, 0);
	count_draw_tallies(d, &s->rep.tally, top + 2, cols);
	tl_draw(d, &s->report, top + 6, rows - 7, cols);
	count_keyline(d, s, top + rows - 1);
}

int count_report_key(struct desk *d, struct count_scr *s, int k)
{
	if (count_request(s, k) == CR_WRITE) {
		write_files(d, s);
		build(d, s);
		return 1;
	}
	return tl_key(&s->report, k, 0);
}
