/* forms_internal.h: what the forms module shares with the PDF helper
 * and the lists. */
#ifndef TD_WORKFLOW_FORMS_INTERNAL_H
#define TD_WORKFLOW_FORMS_INTERNAL_H

#include "tokendesk/error.h"

#define TD_FORM_MAX_COLS 16

struct json_t;

/* The Vietnamese words for a tag kind ("Thu hồi chứng thư số"); the kind
 * itself when unknown. */
const char *td_form_request_label(const char *kind);

/* Have the tokendesk-pdf helper draw doc (a JSON document: a handover
 * record, or {"document": "forms", ...}) into path, which is opened here
 * as outfile.h says.  0 or a td_code with err filled (record_spawn.c). */
int td_pdf_helper_write(struct json_t *doc, const char *path,
                        struct td_error *err);

/* Inside the helper: draw the forms document doc into path (form_pdf.c);
 * same contract as td_record_render_pdf. */
int td_forms_render_pdf(struct json_t *doc, const char *path,
                        struct td_error *err);

#endif
