/* scr_planforms.c: the Plan screen's Decree 68 forms (F): the request
 * forms DOST sends to the CA (Mẫu 04, 05, 06), written as `tokendesk
 * forms` writes them (td_forms_write), into the records folder beside
 * the registry.  A dialog chooses the kind (1-4), the format (x XLSX, p
 * PDF, w Word) and the tags (b: the last batch sent to DOST, or the tags not yet
 * sent); Enter writes and the report box says the file written. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/forms.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "tui/plan.h"

/* The templates, in the order of keys 1-4 (data/forms/KIND.json). */
static const struct {
	const char *kind, *label;
} kinds[] = {
	{ "revoke", N_("Revocation (Mẫu 05)") },
	{ "change", N_("Information change (Mẫu 04)") },
	{ "recover", N_("Token recovery (Mẫu 06)") },
	{ "renew", N_("Renewal (Mẫu 04)") },
};
enum { NKINDS = sizeof kinds / sizeof *kinds };

/* Indexed by enum td_forms_format: Word because offices edit the letter
 * before it is signed. */
static const struct {
	const char *ext, *label;
} formats[] = {
	[TD_FORMS_XLSX] = { "xlsx", N_("spreadsheet (XLSX)") },
	[TD_FORMS_PDF] = { "pdf", N_("PDF") },
	[TD_FORMS_DOCX] = { "docx", N_("Word document (DOCX)") },
};

static int last_batch(const struct td_tag *t, void *ctx)
{
	long long *max = ctx;

	if (t->batch > *max)
		*max = t->batch;
	return 0;
}

void plan_forms_open(struct desk *d, struct plan *p)
{
	long long max = 0;
	struct td_error err;

	if (td_reg_each_tag(d->reg, NULL, 0, last_batch, &max, &err) < 0) {
		desk_error(d, &err);
		return;
	}
	/* what DOST forwards is what was sent to it: the last batch, when
	 * there is one */
	p->forms_last = max;
	p->forms_batch = max;
	p->mode = PM_FORMS;
}

void plan_forms_draw(struct desk *d, struct plan *p)
{
	static char line[NKINDS + 2][300];
	const char *text[NKINDS + 6];
	int colors[NKINDS + 6], n = 0;

	for (int i = 0; i < NKINDS; i++) {
		snprintf(line[i], sizeof line[i], "%s %d  %s",
		         i == p->forms_kind ? "▶" : " ", i + 1, T(kinds[i].label));
		text[n] = line[i];
		colors[n++] = i == p->forms_kind ? COL_SELECT : COL_NORMAL;
	}
	text[n] = "", colors[n++] = COL_NORMAL;
	Tf(line[NKINDS], sizeof line[NKINDS], "Format: %s",
	   T(formats[p->forms_format].label));
	text[n] = line[NKINDS], colors[n++] = COL_NORMAL;
	if (p->forms_batch)
		Tf(line[NKINDS + 1], sizeof line[NKINDS + 1], "Tags: batch %lld, "
		   "sent to DOST", p->forms_batch);
	else
		snprintf(line[NKINDS + 1], sizeof line[NKINDS + 1], "%s",
		         T("Tags: those not yet sent to DOST"));
	text[n] = line[NKINDS + 1], colors[n++] = COL_NORMAL;
	text[n] = "", colors[n++] = COL_NORMAL;
	text[n] = T("1-4: form   x/p/w: XLSX/PDF/Word   b: tags   Enter: write   "
	            "Esc: cancel");
	colors[n++] = COL_KEY;
	tw_dialog(d, T("Forms for the CA (Decree 68)"), text, colors, n, NULL, NULL);
}

/* forms-KIND[-bN]-DATE.xlsx|pdf|docx in the records folder. */
static void forms_write(struct desk *d, struct plan *p)
{
	struct td_forms_opts o = {
		.kind = kinds[p->forms_kind].kind, .batch = p->forms_batch,
		.place = d->place,
		.format = p->forms_format,
	};
	struct td_forms_report rep = { 0, 0 };
	struct td_outdir dir;
	struct td_error err;
	char path[4400], today[11], batch[32] = "", why[600];
	int rc;

	td_today(today);
	if (p->forms_batch)
		snprintf(batch, sizeof batch, "-b%lld", p->forms_batch);
	if ((rc = desk_records_dir(d, &dir, &err)) == TD_OK) {
		snprintf(path, sizeof path, "%s/forms-%s%s-%s.%s", dir.path, o.kind,
		         batch, today, formats[p->forms_format].ext);
		rc = td_forms_write(d->reg, path, &o, &rep, &err);
	}
	td_outdir_close(&dir);
	if (rc < 0) {
		/* the dialog stays: another kind or batch may have tags */
		desk_message(d, 1, "%s", desk_error_text(&err, why, sizeof why));
		return;
	}
	snprintf(p->report_title, sizeof p->report_title, "%s",
	         T("Forms written"));
	Tf(p->report[0], sizeof p->report[0], "%s: %ld form(s), %ld row(s).",
	   T(kinds[p->forms_kind].label), rep.forms, rep.rows);
	/* a path too long for the box is said whole on the message line */
	snprintf(p->report[1], sizeof p->report[1], "%.*s",
	         (int)sizeof p->report[1] - 1, path);
	snprintf(p->report[2], sizeof p->report[2], "%s",
	         T("One form per requesting agency, to sign and send to the CA."));
	p->mode = PM_REPORT;
	desk_message_file(d, T("Forms written:"), T("Forms written:"), path);
}

int plan_forms_key(struct desk *d, struct plan *p, int k)
{
	switch (plan_request(p, k)) {
	case PR_KIND: p->forms_kind = k - '1'; break;
	case PR_UP: if (p->forms_kind > 0) p->forms_kind--; break;
	case PR_DOWN: if (p->forms_kind + 1 < NKINDS) p->forms_kind++; break;
	case PR_XLSX: p->forms_format = TD_FORMS_XLSX; break;
	case PR_PDF: p->forms_format = TD_FORMS_PDF; break;
	case PR_DOCX: p->forms_format = TD_FORMS_DOCX; break;
	case PR_BATCH: p->forms_batch = p->forms_batch ? 0 : p->forms_last; break;
	case PR_OK: forms_write(d, p); break;
	case PR_CANCEL:
		p->mode = PM_LIST;
		desk_message(d, 0, "%s", T("No form was written."));
		break;
	}
	return 1;   /* a dialog takes every key */
}
