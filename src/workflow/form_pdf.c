/* form_pdf.c: the Decree 68 forms as a PDF, inside the tokendesk-pdf
 * helper, drawn the way the handover record is (record_pdf.c): pango
 * shapes the Vietnamese, cairo draws.  Each form starts on a page of its
 * own: the heading lines left and right, the title, the letter, the
 * table (its header repeated on every page it spans), the closing and
 * the signer.  The forms arrive as a stream (draw_stream): a row is
 * measured, drawn and forgotten, so a batch of any size is drawn in the
 * memory of one page.  The page turns landscape when the template's columns are
 * wide (an information change shows two DNs side by side). */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <jansson.h>
#include <pango/pangocairo.h>

#include "tokendesk/outfile.h"
#include "workflow/forms_internal.h"
#include "workflow/pdf_doc.h"

#define A4_SHORT TD_PDF_A4_SHORT
#define A4_LONG TD_PDF_A4_LONG
#define MARGIN 42.0
#define PAD 3.0
#define TABLE_SIZE 8.5
#define TEXT_SIZE 10.5

struct table {
	size_t ncols;
	double w[TD_FORM_MAX_COLS];
};

struct fpdf {
	struct table t;
	struct td_pdf_doc d;    /* surface, cairo, pango (pdf_doc.h) */
	double page_w, page_h, body_w, y;
	json_t *form;
	int page;
};

enum { PLAIN = TD_PDF_PLAIN, BOLD = TD_PDF_BOLD, ITALIC = TD_PDF_ITALIC };

static double text_at(struct fpdf *p, double x, double y, double w, const char *text,
                      double size, int style, PangoAlignment align, int draw)
{
	return td_pdf_text(&p->d, x, y, w, text, size, style, align, draw);
}

static void footer(struct fpdf *p)
{
	char buf[256];

	snprintf(buf, sizeof buf, "%s - %s - trang %d",
	         json_string_value(json_object_get(p->form, "form")),
	         json_string_value(json_object_get(p->form, "agency_code")), p->page);
	text_at(p, MARGIN, p->page_h - MARGIN + 14, p->body_w, buf, 7.5, ITALIC,
	        PANGO_ALIGN_RIGHT, 1);
}

static void new_page(struct fpdf *p)
{
	footer(p);
	cairo_show_page(p->d.cr);
	p->page++;
	p->y = MARGIN;
}

static void para(struct fpdf *p, const char *text, double size, int style,
                 PangoAlignment align, double after)
{
	double h = text_at(p, MARGIN, p->y, p->body_w, text, size, style, align, 0);

	if (p->y + h > p->page_h - MARGIN)
		new_page(p);
	p->y += text_at(p, MARGIN, p->y, p->body_w, text, size, style, align, 1) + after;
}

/* Lines of an array in a column x..x+w from y; returns the height. */
static double column_lines(struct fpdf *p, double x, double w, json_t *lines,
                           int style)
{
	double y = p->y;
	json_t *v;
	size_t i;

	json_array_foreach(lines, i, v)
		y += text_at(p, x, y, w, json_string_value(v), TEXT_SIZE, style,
		             PANGO_ALIGN_CENTER, 1);
	return y - p->y;
}

/* ---- the table ------------------------------------------------------------------ */

static double row(struct fpdf *p, const struct table *t, json_t *cells, int style,
                  int draw)
{
	double x = MARGIN, h = 0;

	for (size_t c = 0; c < t->ncols; c++) {
		json_t *v = json_array_get(cells, c);
		const char *s = json_is_string(v) ? json_string_value(v)
		              : json_string_value(json_object_get(v, "heading"));
		double ch = text_at(p, x + PAD, p->y + PAD, t->w[c] - 2 * PAD, s,
		                    TABLE_SIZE, style, style & BOLD ? PANGO_ALIGN_CENTER
		                                                    : PANGO_ALIGN_LEFT, draw);
		if (ch > h)
			h = ch;
		x += t->w[c];
	}
	h += 2 * PAD;
	if (draw) {
		x = MARGIN;
		cairo_rectangle(p->d.cr, x, p->y, p->body_w, h);
		for (size_t c = 0; c + 1 < t->ncols; c++) {
			x += t->w[c];
			cairo_move_to(p->d.cr, x, p->y);
			cairo_line_to(p->d.cr, x, p->y + h);
		}
		cairo_set_line_width(p->d.cr, 0.5);
		cairo_stroke(p->d.cr);
		p->y += h;
	}
	return h;
}

static void table_widths(struct fpdf *p)
{
	json_t *cols = json_object_get(p->form, "columns"), *c;
	double total = 0;
	size_t i;

	memset(&p->t, 0, sizeof p->t);
	json_array_foreach(cols, i, c)
		total += json_number_value(json_object_get(c, "width"));
	json_array_foreach(cols, i, c)
		if (i < TD_FORM_MAX_COLS)
			p->t.w[p->t.ncols++] = p->body_w
			                       * json_number_value(json_object_get(c, "width"))
			                       / total;
}

/* The table's header, on a page with room for a row or two after it. */
static void table_begin(struct fpdf *p)
{
	json_t *cols = json_object_get(p->form, "columns");

	table_widths(p);
	if (p->y + row(p, &p->t, cols, BOLD, 0) + 30 > p->page_h - MARGIN)
		new_page(p);
	row(p, &p->t, cols, BOLD, 1);
}

/* A row as it comes: measured, then drawn, on the next page (under the
 * header again) when it does not fit.  Nothing else is kept of it. */
static void table_row(struct fpdf *p, json_t *r)
{
	if (p->y + row(p, &p->t, r, PLAIN, 0) > p->page_h - MARGIN) {
		new_page(p);
		row(p, &p->t, json_object_get(p->form, "columns"), BOLD, 1);
	}
	row(p, &p->t, r, PLAIN, 1);
}

/* ---- a form ---------------------------------------------------------------------- */

/* Up to the table's header; its rows follow (table_row). */
static void form_begin(struct fpdf *p)
{
	double half = p->body_w / 2, hl, hr;
	json_t *v;
	size_t i;

	text_at(p, MARGIN, p->y, p->body_w, json_string_value(json_object_get(p->form, "form")),
	        9, ITALIC, PANGO_ALIGN_RIGHT, 1);
	p->y += 14;
	hl = column_lines(p, MARGIN, half * 0.9, json_object_get(p->form, "left"), BOLD);
	hr = column_lines(p, MARGIN + half, half, json_object_get(p->form, "right"), BOLD);
	p->y += (hl > hr ? hl : hr) + 18;
	para(p, json_string_value(json_object_get(p->form, "title")), 13, BOLD,
	     PANGO_ALIGN_CENTER, 12);
	json_array_foreach(json_object_get(p->form, "letter"), i, v)
		para(p, json_string_value(v), TEXT_SIZE, PLAIN, PANGO_ALIGN_LEFT, 4);
	p->y += 6;
	table_begin(p);
}

/* After the last row: the closing and the signer, then the page ends. */
static void form_end(struct fpdf *p)
{
	double half = p->body_w / 2;
	json_t *v;
	size_t i;

	p->y += 10;
	json_array_foreach(json_object_get(p->form, "closing"), i, v)
		para(p, json_string_value(v), TEXT_SIZE, PLAIN, PANGO_ALIGN_LEFT, 4);
	p->y += 10;
	/* the signer's block is drawn whole, on the next page if need be */
	double need = 0;
	json_array_foreach(json_object_get(p->form, "signer"), i, v)
		need += text_at(p, MARGIN + half, 0, half, json_string_value(v), TEXT_SIZE,
		                BOLD, PANGO_ALIGN_CENTER, 0);
	if (p->y + need > p->page_h - MARGIN)
		new_page(p);
	column_lines(p, MARGIN + half, half, json_object_get(p->form, "signer"), BOLD);
	footer(p);
	cairo_show_page(p->d.cr);
}

static int wide(json_t *f)
{
	json_t *c;
	size_t i;
	double total = 0;

	json_array_foreach(json_object_get(f, "columns"), i, c)
		total += json_number_value(json_object_get(c, "width"));
	return total > 110;
}

static void start_form(struct fpdf *p, json_t *model)
{
	json_decref(p->form);
	p->form = json_incref(model);
	int landscape = wide(p->form);
	p->page_w = landscape ? A4_LONG : A4_SHORT;
	p->page_h = landscape ? A4_SHORT : A4_LONG;
	p->body_w = p->page_w - 2 * MARGIN;
	p->page = 1;
	p->y = MARGIN;
	cairo_pdf_surface_set_size(p->d.surface, p->page_w, p->page_h);
	form_begin(p);
}

/* The values forms.c sends after the document's head, a line each: a
 * form's model (an object) starts a form, its rows (arrays) follow.
 * Each is drawn and dropped: the PDF is streamed too, pages leave for
 * the file as they are done, and nothing holds the rows. */
static int draw_stream(struct fpdf *p, FILE *in,
                       struct td_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	json_error_t jerr;
	int rc = TD_OK;

	while (rc == TD_OK && (len = getline(&line, &cap, in)) >= 0) {
		json_t *v;
		if (len == 0 || line[0] == '\n')
			continue;
		if (!(v = json_loadb(line, (size_t)len, 0, &jerr)))
			rc = td_error_set(err, TD_ERR_DATA, "not a form: %s", jerr.text);
		else if (json_is_object(v)) {
			if (p->form)
				form_end(p);
			start_form(p, v);
		} else if (json_is_array(v) && p->form)
			table_row(p, v);
		else
			rc = td_error_set(err, TD_ERR_DATA, "a row before its form");
		json_decref(v);
	}
	free(line);
	if (rc == TD_OK && !p->form)
		rc = td_error_set(err, TD_ERR_DATA, "no form to draw");
	else if (rc == TD_OK)
		form_end(p);
	return rc;
}

static int render(json_t *doc, FILE *in, FILE *f, struct td_error *err)
{
	struct fpdf p = { 0 };
	int rc, closed;

	td_pdf_doc_open(&p.d, f, A4_SHORT, A4_LONG,
	                json_string_value(json_object_get(doc, "title")));
	rc = draw_stream(&p, in, err);
	json_decref(p.form);
	closed = td_pdf_doc_close(&p.d, rc < 0 ? NULL : err);
	return rc < 0 ? rc : closed;
}

int td_forms_render_pdf(json_t *doc, FILE *in, const char *path,
                        struct td_error *err)
{
	struct td_outfile out;
	int rc = td_outfile_open(&out, path, err);

	if (rc < 0)
		return rc;
	if ((rc = render(doc, in, out.f, err)) < 0) {
		td_outfile_abandon(&out);
		return rc;
	}
	return td_outfile_commit(&out, err);
}
