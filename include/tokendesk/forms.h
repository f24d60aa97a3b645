/* tokendesk/forms.h: the Decree 68/2024/NĐ-CP request forms that DOST
 * sends to the CA (Cục Chứng thực số và Bảo mật thông tin): Mẫu 04
 * (renewal, information change), Mẫu 05 (revocation), Mẫu 06 (token
 * recovery), written from the tags, one form per requesting agency.
 *
 * Each form is a letter (the requesting agency, its address and e-mail
 * where DIR/contacts.tsv knows them, the place and date in Vietnamese, the signer's lines) and
 * a table.  What the letter says and which columns the table has, in
 * which order, with which headings and widths, come from an editable
 * template, DIR/KIND.json (docs/formats.md, "Forms"), so a province whose
 * form differs edits the template, not the code.  DIR is
 * $TOKENDESK_FORMS_DIR, else $(pkgdatadir)/forms, else the source tree's
 * data/forms (run uninstalled).
 *
 * XLSX (libxlsxwriter): one sheet per form.  PDF: one form per page
 * group, drawn by the record's renderer (the tokendesk-pdf helper).
 * DOCX (WordprocessingML, zipped by libzip): one document, each form on
 * pages of its own, the letter as paragraphs and the table as a Word
 * table, for the office to edit.  Rows are streamed in the registry's
 * order in every format: memory does not grow with them.  Files are
 * created mode 0600, never through a link, and put in place only whole
 * (outfile.h); formula text in a cell is written behind an apostrophe. */
#ifndef TOKENDESK_FORMS_H
#define TOKENDESK_FORMS_H

#include <stddef.h>
#include <stdint.h>

#include "tokendesk/error.h"

struct td_registry;

enum td_forms_format { TD_FORMS_XLSX, TD_FORMS_PDF, TD_FORMS_DOCX };

struct td_forms_opts {
	const char *kind;       /* template name: revoke, change, recover, renew */
	const char *template_path; /* a template file instead of DIR/KIND.json */
	const char *agency;     /* only this requesting agency's form, or NULL */
	int64_t batch;          /* the tags of this batch; 0: those not yet sent */
	const char *place;      /* the letter's place, or NULL (dotted) */
	const char *date;       /* YYYY-MM-DD, or NULL for today, local time */
	enum td_forms_format format;
};

struct td_forms_report {
	long forms, rows;       /* forms (agencies) and table rows written */
};

/* The templates' directory, into buf (see above). */
const char *td_forms_dir(char *buf, size_t size);

/* Write the forms to path.  TD_ERR_NOTFOUND when the batch does not
 * exist, or no tag of the template's kinds is there (nothing written);
 * TD_ERR_DATA for a template that is not valid, with its file named.
 * Returns 0 or a td_code with err filled. */
int td_forms_write(struct td_registry *reg, const char *path,
                   const struct td_forms_opts *opts,
                   struct td_forms_report *rep, struct td_error *err);

/* "ngày 06 tháng 12 năm 2026" for the date YYYY-MM-DD, into buf. */
const char *td_date_vi(const char *date, char *buf, size_t size);

#endif
