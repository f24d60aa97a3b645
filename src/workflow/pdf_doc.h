/* pdf_doc.h: what the two PDF layouts of the tokendesk-pdf helper share
 * (the handover record, record_pdf.c; the Decree 68 forms, form_pdf.c):
 * an A4 document written to a stream, and text shaped by pango in the
 * one font both use, so the two cannot drift apart in how they set up a
 * page or a font. */
#ifndef TD_WORKFLOW_PDF_DOC_H
#define TD_WORKFLOW_PDF_DOC_H

#include <stdio.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "tokendesk/error.h"

#define TD_PDF_A4_SHORT 595.28
#define TD_PDF_A4_LONG 841.89
#define TD_PDF_FONT "DejaVu Sans"

enum { TD_PDF_PLAIN = 0, TD_PDF_BOLD = 1, TD_PDF_ITALIC = 2 };

struct td_pdf_doc {
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoContext *pc;       /* one context for the whole document */
};

/* Start a PDF of w x h points written to f, titled title, drawing in
 * black. */
void td_pdf_doc_open(struct td_pdf_doc *d, FILE *f, double w, double h,
                     const char *title);

/* Finish it: the last bytes go to f.  Pango's default font map and its
 * caches are dropped (a desk runs for days and prints now and then).
 * TD_OK, or TD_ERR_IO (a write failed) / TD_ERR_INTERNAL with err
 * filled. */
int td_pdf_doc_close(struct td_pdf_doc *d, struct td_error *err);

/* Lay out text in a box of width w at (x, y) in the document's font at
 * size points, style TD_PDF_BOLD / TD_PDF_ITALIC; draw it when draw is
 * set.  Returns the height it takes. */
double td_pdf_text(struct td_pdf_doc *d, double x, double y, double w,
                   const char *text, double size, int style,
                   PangoAlignment align, int draw);

#endif
