/* scr_plandlg.c: the Plan screen's dialogs.
 *
 * Import: a path field and an encoding field (Tab between them: empty
 * is UTF-8, or UTF-16 with a BOM; cp1258 for old Vietnamese Excel, as
 * `plan import --encoding`); td_plan_import checks the whole file first, so on
 * any problem nothing is stored and every problem is listed in the box
 * as the CLI prints it (FILE:LINE: FIELD: message).
 * Apply and Send: nothing is written before the operator says y, since
 * both write many audited tags at once and a tag sent to DOST can no
 * longer be changed by hand.  What they did stays in a report box. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/lists.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "tokendesk/tag.h"
#include "tui/plan.h"


/* Paragraphs, then a line of keys, in the desk's one dialog box
 * (tw_dialog: wrapped, never cut, whatever the width or language). */
static void text_box(struct desk *d, const char *title, const char *const *para,
                     const int *color, int n, const char *keys)
{
	const char *text[6];
	int colors[6], k = 0;

	for (int i = 0; i < n && i < 4; i++)
		text[k] = para[i], colors[k++] = color[i];
	text[k] = "", colors[k++] = COL_NORMAL;
	text[k] = keys, colors[k++] = COL_KEY;
	tw_dialog(d, title, text, colors, k, NULL, NULL);
}

/* ---- import ------------------------------------------------------------- */

void plan_import_open(struct plan *p)
{
	td_error_list_free(&p->errs);
	td_error_list_init(&p->errs, 200);
	p->err_top = 0;
	p->on_encoding = 0;
	p->mode = PM_IMPORT;
}

#define IMPORT_SHOWN 40   /* problems passed to the box at most */

/* In the desk's one dialog box (tw_dialog): the two fields on the lines
 * left blank for them, then the problems of the last try, as the CLI
 * prints them, from err_top (↑↓ scroll them). */
static void import_draw(struct desk *d, struct plan *p)
{
	static char msg[IMPORT_SHOWN][1200];
	char head[200], more[200];
	const char *text[IMPORT_SHOWN + 10];
	int colors[IMPORT_SHOWN + 10], rows[IMPORT_SHOWN + 10], n = 0, x, w;

	text[n] = T("File (CSV; its rows are checked first, nothing is stored if "
	            "one is wrong):"), colors[n++] = COL_NORMAL;
	text[n] = "", colors[n++] = COL_NORMAL;   /* the path */
	text[n] = T("Encoding (empty: UTF-8; cp1258 for old Vietnamese Excel):");
	colors[n++] = COL_NORMAL;
	text[n] = "", colors[n++] = COL_NORMAL;   /* the encoding */
	if (p->errs.total) {
		text[n] = "", colors[n++] = COL_NORMAL;
		Tf(head, sizeof head, "Nothing was imported: %zu problem(s).",
		   p->errs.total);
		text[n] = head, colors[n++] = COL_BAD;
		for (size_t i = (size_t)p->err_top, k = 0;
		     i < p->errs.count && k < IMPORT_SHOWN; i++, k++) {
			td_error_format(&p->errs.items[i], msg[k], sizeof msg[k]);
			text[n] = msg[k], colors[n++] = COL_NORMAL;
		}
		if (p->errs.total > p->errs.count) {
			size_t left = p->errs.total - p->errs.count;
			Tfn(more, sizeof more, "... and %zu more problem",
			    "... and %zu more problems", left, left);
			text[n] = more, colors[n++] = COL_DIM;
		}
	}
	text[n] = "", colors[n++] = COL_NORMAL;
	text[n] = T(p->errs.count > 1 ? N_("Enter: import    Tab: field    Esc: "
	            "cancel    ↑↓: problems") : N_("Enter: import    Tab: field    "
	            "Esc: cancel"));
	colors[n++] = COL_KEY;
	tw_dialog_rows(d, T("Import a plan file"), text, colors, n, &x, &w, rows);
	/* the unfocused field first: the focused one leaves the cursor */
	if (rows[1] >= 0 && rows[3] >= 0) {
		tf_draw(d, p->on_encoding ? &p->path : &p->encoding,
		        p->on_encoding ? rows[1] : rows[3], x, w, 0);
		tf_draw(d, p->on_encoding ? &p->encoding : &p->path,
		        p->on_encoding ? rows[3] : rows[1], x, w, 1);
		curs_set(1);
	}
}

static void import_run(struct desk *d, struct plan *p)
{
	char path[1024], encoding[64];
	struct td_error err;
	size_t n = 0;
	int rc;

	tf_get(&p->path, path, sizeof path);
	tf_get(&p->encoding, encoding, sizeof encoding);
	if (!path[0]) {
		desk_message(d, 1, "%s", T("Type the path of the plan file."));
		return;
	}
	td_error_list_free(&p->errs);
	td_error_list_init(&p->errs, 200);
	p->err_top = 0;
	rc = td_plan_import(d->reg, path, encoding[0] ? encoding : NULL, &p->errs,
	                    &n, &err);
	if (rc < 0 && p->errs.total == 0)
		td_error_list_add(&p->errs, &err);   /* e.g. no such file */
	if (rc < 0)
		return;   /* the box lists the problems; nothing was stored */
	p->mode = PM_LIST;
	plan_reload(d, p);
	const char *base = strrchr(path, '/');
	desk_message(d, 0, "%s: %zu %s", base ? base + 1 : path, n, T("events "
	             "stored; nothing is tagged until you apply (a)."));
}

static int import_key(struct desk *d, struct plan *p, int k)
{
	switch (plan_request(p, k)) {
	case PR_CANCEL:
		p->mode = PM_LIST;
		desk_message(d, 0, "%s", T("Nothing was imported."));
		return 1;
	case PR_OK: import_run(d, p); return 1;
	case PR_FIELD: p->on_encoding = !p->on_encoding; return 1;
	case PR_UP: if (p->err_top > 0) p->err_top--; return 1;
	case PR_DOWN:
		if ((size_t)p->err_top + 1 < p->errs.count)
			p->err_top++;
		return 1;
	}
	tf_key(p->on_encoding ? &p->encoding : &p->path, k);
	return 1;   /* a dialog takes every key */
}

/* ---- apply and send ------------------------------------------------------ */

void plan_apply_open(struct desk *d, struct plan *p)
{
	if (p->problem[0] || p->sum.events == 0) {
		desk_message(d, 1, "%s", T("There is no plan to apply: import one (i)."));
		return;
	}
	p->mode = PM_APPLY;
}

struct sendable {
	long n;
	long long max_batch;
};

static int count_tag(const struct td_tag *t, void *ctx)
{
	struct sendable *s = ctx;

	if (strcmp(t->state, "tagged") == 0)
		s->n++;
	if (t->batch > s->max_batch)
		s->max_batch = t->batch;
	return 0;
}

void plan_send_open(struct desk *d, struct plan *p)
{
	struct sendable s = { 0, 0 };
	struct td_error err;

	if (td_reg_each_tag(d->reg, NULL, 0, count_tag, &s, &err) < 0) {
		desk_error(d, &err);
		return;
	}
	if (s.n == 0) {
		desk_message(d, 1, "%s", T("Nothing is tagged and not yet sent: no "
		             "batch to make. Apply the plan (a) or tag by hand first."));
		return;
	}
	p->to_send = s.n;
	p->next_batch = s.max_batch + 1;
	p->mode = PM_SEND;
}

static void confirm_draw(struct desk *d, struct plan *p)
{
	char l1[600], l2[600];
	int apply = p->mode == PM_APPLY;

	if (apply) {
		Tf(l1, sizeof l1, "%ld info changes, %ld revocations, %ld kept, %ld "
		   "tokens to collect, %ld dossier handovers become tags.",
		   p->count[PA_CHANGE], p->count[PA_REVOKE], p->count[PA_KEEP],
		   p->count[PA_COLLECT], p->count[PA_DOSSIERS]);
		snprintf(l2, sizeof l2, "%s", T("One audited transaction. Tags made by "
		         "hand and tags already sent to DOST are left alone."));
	} else {
		Tf(l1, sizeof l1, "%ld tag(s) go to DOST as batch %lld.",
		   p->to_send, p->next_batch);
		snprintf(l2, sizeof l2, "%s", T("Once sent, a tag can no longer be "
		         "changed or removed by hand."));
	}
	const char *para[2] = { l1, l2 };
	static const int colors[2] = { COL_NORMAL, COL_DIM };
	text_box(d, T(apply ? N_("Apply the plan?") : N_("Send to DOST?")), para,
	         colors, 2, T(apply ? N_("y: yes, apply it    n or Esc: no")
	                      : N_("y: yes, send them    n or Esc: no")));
}

static void report(struct plan *p, const char *title)
{
	snprintf(p->report_title, sizeof p->report_title, "%s", T(title));
	p->mode = PM_REPORT;
}

static void apply_run(struct desk *d, struct plan *p)
{
	struct td_plan_apply_report rep;
	struct td_error err;

	if (td_plan_apply(d->reg, NULL, &rep, &err) < 0) {
		p->mode = PM_LIST;
		desk_error(d, &err);
		return;
	}
	Tf(p->report[0], sizeof p->report[0], "Tags: %ld added, %ld changed, "
	   "%ld removed, %ld unchanged.", rep.added, rep.changed, rep.removed,
	   rep.unchanged);
	Tf(p->report[1], sizeof p->report[1], "%ld held (a tag made by hand, or "
	   "already sent to DOST).", rep.held);
	snprintf(p->report[2], sizeof p->report[2], "%s",
	         T(rep.added + rep.changed + rep.removed ? N_("Written in one audited "
	           "transaction.") : N_("Nothing changed: the tags already say what "
	           "the plan says.")));
	plan_tags_stale(p);
	report(p, N_("Plan applied"));
	desk_message(d, 0, "%s %s", T("Plan applied."), p->report[0]);
}

static void send_run(struct desk *d, struct plan *p)
{
	struct td_error err;
	int64_t batch = 0;
	long count = 0;
	int rc;

	if ((rc = td_tag_send(d->reg, &batch, &count, &err)) < 0) {
		p->mode = PM_LIST;
		desk_error(d, &err);
		return;
	}
	Tf(p->report[0], sizeof p->report[0], "Batch %lld: %ld tag(s) sent to DOST.",
	   (long long)batch, count);
	Tf(p->report[1], sizeof p->report[1], "List them: tokendesk tag list "
	   "--batch %lld; the lists for DOST: tokendesk lists.", (long long)batch);
	p->report[2][0] = '\0';
	plan_tags_stale(p);
	report(p, N_("Sent to DOST"));
	desk_message(d, 0, "%s", p->report[0]);
}

static void report_draw(struct desk *d, struct plan *p)
{
	const char *para[3] = { p->report[0], p->report[1], p->report[2] };
	static const int colors[3] = { COL_OK, COL_NORMAL, COL_NORMAL };

	text_box(d, p->report_title, para, colors, p->report[2][0] ? 3 : 2,
	         T("Any key: close"));
}

void plan_dialog_draw(struct desk *d, struct plan *p)
{
	if (p->mode == PM_IMPORT)
		import_draw(d, p);
	else if (p->mode == PM_APPLY || p->mode == PM_SEND)
		confirm_draw(d, p);
	else if (p->mode == PM_REPORT)
		report_draw(d, p);
	else if (p->mode == PM_FORMS)
		plan_forms_draw(d, p);
}

int plan_dialog_key(struct desk *d, struct plan *p, int k)
{
	if (k == TDK(KEY_RESIZE))
		return 0;
	switch (p->mode) {
	case PM_IMPORT:
		return import_key(d, p, k);
	case PM_APPLY: case PM_SEND:
		if (tw_answer(k) == 1) {
			if (p->mode == PM_APPLY)
				apply_run(d, p);
			else
				send_run(d, p);
		} else if (tw_answer(k) == 0) {
			p->mode = PM_LIST;
			desk_message(d, 0, "%s", T("Nothing was written."));
		}
		return 1;
	case PM_REPORT:
		p->mode = PM_LIST;
		return 1;
	case PM_FORMS:
		return plan_forms_key(d, p, k);
	}
	return 0;
}

void plan_write_lists(struct desk *d, struct plan *p)
{
	struct td_lists_opts o = { .format = TD_LISTS_XLSX };
	struct td_lists_report rep = { 0 };
	struct td_outdir dir;
	struct td_error err;
	char path[4400], today[11], why[400];
	int rc;

	td_today(today);
	if ((rc = desk_records_dir(d, &dir, &err)) == TD_OK) {
		snprintf(path, sizeof path, "%s/lists-dost-%s.xlsx", dir.path, today);
		rc = td_lists_write(d->reg, path, &o, &rep, &err);
	}
	td_outdir_close(&dir);
	if (rc < 0) {
		desk_message(d, 1, "%s", desk_error_text(&err, why, sizeof why));
		return;
	}
	Tf(why, sizeof why, "Lists for DOST: %ld to revoke, %ld to change, %ld "
	   "tokens, %ld dossiers:", rep.revoke, rep.change_info, rep.collect,
	   rep.handover_dossiers);
	desk_message_file(d, why, T("Lists for DOST:"), path);
	/* the counts and the whole path in a box, as the forms have: the
	 * message line may have had room for the file's name only */
	snprintf(p->report_title, sizeof p->report_title, "%s", T("Lists for DOST"));
	Tf(p->report[0], sizeof p->report[0], "%ld to revoke, %ld to change, %ld "
	   "tokens, %ld dossiers.", rep.revoke, rep.change_info, rep.collect,
	   rep.handover_dossiers);
	snprintf(p->report[1], sizeof p->report[1], "%.*s",
	         (int)sizeof p->report[1] - 1, path);
	p->report[2][0] = '\0';
	p->mode = PM_REPORT;
}
