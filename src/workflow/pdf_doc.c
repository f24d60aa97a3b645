/* pdf_doc.c: the page and the text both PDF layouts use (pdf_doc.h). */
#include <config.h>

#include <cairo-pdf.h>

#include "workflow/pdf_doc.h"

static cairo_status_t write_fn(void *closure, const unsigned char *data,
                               unsigned int length)
{
	return fwrite(data, 1, length, closure) == length ?
	       CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

void td_pdf_doc_open(struct td_pdf_doc *d, FILE *f, double w, double h,
                     const char *title)
{
	d->surface = cairo_pdf_surface_create_for_stream(write_fn, f, w, h);
	d->cr = cairo_create(d->surface);
	d->pc = pango_cairo_create_context(d->cr);
	if (title)
		cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_set_source_rgb(d->cr, 0, 0, 0);
}

int td_pdf_doc_close(struct td_pdf_doc *d, struct td_error *err)
{
	cairo_status_t st;

	g_object_unref(d->pc);
	cairo_destroy(d->cr);
	cairo_surface_finish(d->surface);
	st = cairo_surface_status(d->surface);
	cairo_surface_destroy(d->surface);
	pango_cairo_font_map_set_default(NULL);
	if (st != CAIRO_STATUS_SUCCESS)
		return td_error_set(err, st == CAIRO_STATUS_WRITE_ERROR ? TD_ERR_IO :
		                    TD_ERR_INTERNAL, "making the PDF: %s",
		                    cairo_status_to_string(st));
	return TD_OK;
}

double td_pdf_text(struct td_pdf_doc *d, double x, double y, double w,
                   const char *text, double size, int style,
                   PangoAlignment align, int draw)
{
	PangoLayout *layout = pango_layout_new(d->pc);
	PangoFontDescription *fd = pango_font_description_from_string(TD_PDF_FONT);
	int pw, ph;

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (style & TD_PDF_BOLD)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	if (style & TD_PDF_ITALIC)
		pango_font_description_set_style(fd, PANGO_STYLE_OBLIQUE);
	pango_layout_set_font_description(layout, fd);
	pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(layout, align);
	pango_layout_set_text(layout, text ? text : "", -1);
	pango_layout_get_size(layout, &pw, &ph);
	if (draw) {
		cairo_move_to(d->cr, x, y);
		pango_cairo_show_layout(d->cr, layout);
	}
	pango_font_description_free(fd);
	g_object_unref(layout);
	return (double)ph / PANGO_SCALE;
}
