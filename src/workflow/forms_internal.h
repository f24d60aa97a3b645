/* forms_internal.h: what the forms module shares with its writers (XLSX,
 * DOCX, the PDF helper) and the lists. */
#ifndef TD_WORKFLOW_FORMS_INTERNAL_H
#define TD_WORKFLOW_FORMS_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "tokendesk/error.h"

#define TD_FORM_MAX_COLS 16

struct json_t;

/* The Vietnamese words for a tag kind ("Thu hồi chứng thư số"); the kind
 * itself when unknown. */
const char *td_form_request_label(const char *kind);

/* A forms file being written, a form at a time, a row at a time, in the
 * registry's order (forms.c streams; nothing holds every row).  A form's
 * model is a JSON object: "form", "agency_code", "left", "right",
 * "title", "letter" (texts and arrays of texts, placeholders filled),
 * "columns" ([{"heading", "width"}]), "closing", "signer"; its rows
 * follow as arrays of texts, one per column, STT numbered. */
struct td_form_out;
struct td_form_out_ops {
	int (*begin)(struct td_form_out *o, struct json_t *form, struct td_error *err);
	int (*row)(struct td_form_out *o, const char *const *cells, size_t n,
	           struct td_error *err);
	int (*end)(struct td_form_out *o, struct td_error *err);
	/* ok: put the file in place whole; else drop it (outfile.h).  Frees
	 * o; returns TD_OK or a td_code with err filled. */
	int (*close)(struct td_form_out *o, int ok, struct td_error *err);
};
struct td_form_out {
	const struct td_form_out_ops *ops;
};

/* The writers: NULL with err filled when the file cannot be started.
 * doc is {"title": ...}; nforms how many forms will come. */
struct td_form_out *td_form_xlsx_open(const char *path, struct json_t *doc,
                                      long nforms, struct td_error *err);
struct td_form_out *td_form_docx_open(const char *path, struct json_t *doc,
                                      long nforms, struct td_error *err);
struct td_form_out *td_form_pdf_open(const char *path, struct json_t *doc,
                                     long nforms, struct td_error *err);

/* The helper fed as it goes: started on path (outfile.h), *in is where
 * the JSON values it reads go, one per line, written by the caller; then
 * finished: ok 0 stops it and drops the file.  (record_spawn.c) */
struct td_pdf_stream;
struct td_pdf_stream *td_pdf_stream_start(const char *path, FILE **in,
                                          struct td_error *err);
int td_pdf_stream_finish(struct td_pdf_stream *s, int ok, struct td_error *err);

/* Inside the helper: draw the forms whose document head is doc, their
 * models and rows read from in as forms.c writes them (one JSON value a
 * line), into path (form_pdf.c); same contract as td_record_render_pdf. */
int td_forms_render_pdf(struct json_t *doc, FILE *in, const char *path,
                        struct td_error *err);

#endif
