/* record_pdf.c: the handover record as an A4 PDF, laid out like a
 * Vietnamese administrative document (Decree 30/2020 style): issuer and
 * number on the left, the national motto on the right, a centred title,
 * the parties, a table of the items that breaks across pages with its
 * header repeated, and the two signature blocks.  pango shapes the text
 * (Vietnamese stacked diacritics need a real shaper), cairo draws it. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "tokendesk/handover.h"
#include "tokendesk/outfile.h"
#include "workflow/pdf_doc.h"
#include "workflow/record_internal.h"

#define PAGE_W TD_PDF_A4_SHORT
#define PAGE_H TD_PDF_A4_LONG
#define MARGIN_L 56.0
#define MARGIN_R 42.0
#define MARGIN_T 42.0
#define MARGIN_B 56.0
#define BODY_W (PAGE_W - MARGIN_L - MARGIN_R)
#define CELL_PAD 3.0

struct pdf {
	struct td_pdf_doc d;    /* surface, cairo, pango (pdf_doc.h) */
	const struct td_record *r;
	double y;
	int page;
	const char *qr;         /* the QR code's text; NULL: none */
	double sign_y;          /* top of the signature gap on the last page */
};

enum style { PLAIN = TD_PDF_PLAIN, BOLD = TD_PDF_BOLD, ITALIC = TD_PDF_ITALIC };

/* Lay out text in a box of width w at (x, y); draw it when draw is set.
 * Returns the height it takes. */
static double text_at(struct pdf *p, double x, double y, double w, const char *text,
                      double size, int style, PangoAlignment align, int draw)
{
	return td_pdf_text(&p->d, x, y, w, text, size, style, align, draw);
}

/* The QR code in the bottom margin, left: the record's number and the
 * SHA-256 of its content (record_digest.c), so a scanner at the desk
 * can tell whether this paper is what the registry holds. */
static void qr_code(struct pdf *p)
{
	QRcode *q = p->qr ? QRcode_encodeString(p->qr, 0, QR_ECLEVEL_M, QR_MODE_8, 1)
	                  : NULL;
	double side = MARGIN_B - 8, x0 = MARGIN_L - 6, y0 = PAGE_H - MARGIN_B + 4, m;

	if (!q)
		return;
	m = side / (q->width + 2);   /* one module of quiet zone each side */
	cairo_save(p->d.cr);
	cairo_set_source_rgb(p->d.cr, 0, 0, 0);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				cairo_rectangle(p->d.cr, x0 + (x + 1) * m, y0 + (y + 1) * m, m, m);
	cairo_fill(p->d.cr);
	cairo_restore(p->d.cr);
	QRcode_free(q);
}

static void footer(struct pdf *p)
{
	char buf[128];

	qr_code(p);
	snprintf(buf, sizeof buf, "Biên bản số %s - trang %d", p->r->number, p->page);
	text_at(p, MARGIN_L, PAGE_H - MARGIN_B + 18, BODY_W, buf, 8, ITALIC,
	        PANGO_ALIGN_RIGHT, 1);
}

static void new_page(struct pdf *p)
{
	footer(p);
	cairo_show_page(p->d.cr);
	p->page++;
	p->y = MARGIN_T;
}

/* Start a new page when h more points do not fit. */
static void need(struct pdf *p, double h)
{
	if (p->y + h > PAGE_H - MARGIN_B)
		new_page(p);
}

/* A paragraph across the body at p->y, on the next page when it does not
 * fit on this one (drawn past the bottom margin it ran under the footer
 * and off the paper: a long remark after a full table was lost); advances
 * y.  At most TD_TYPED_MAX bytes, a paragraph is far shorter than a page. */
static void para(struct pdf *p, const char *text, double size, int style,
                 PangoAlignment align, double after)
{
	need(p, text_at(p, MARGIN_L, p->y, BODY_W, text, size, style, align, 0));
	p->y += text_at(p, MARGIN_L, p->y, BODY_W, text, size, style, align, 1) + after;
}

/* A short horizontal line under a heading, as on official letters. */
static void rule(struct pdf *p, double x0, double x1, double y)
{
	cairo_new_path(p->d.cr);
	cairo_move_to(p->d.cr, x0, y);
	cairo_line_to(p->d.cr, x1, y);
	cairo_set_line_width(p->d.cr, 0.6);
	cairo_stroke(p->d.cr);
}

/* ---- heading -------------------------------------------------------------- */

static void heading(struct pdf *p)
{
	const struct td_record *r = p->r;
	double lw = BODY_W * 0.42, rx = MARGIN_L + lw, rw = BODY_W - lw, hl, hr;
	char *issuer = g_utf8_strup(r->to_name && *r->to_name ? r->to_name : r->to, -1);
	char buf[512];
	int d, m, y;

	hl = text_at(p, MARGIN_L, p->y, lw, issuer, 10, BOLD, PANGO_ALIGN_CENTER, 1);
	g_free(issuer);
	rule(p, MARGIN_L + lw * 0.35, MARGIN_L + lw * 0.65, p->y + hl + 3);
	snprintf(buf, sizeof buf, "Số: %s", r->number);
	hl += 8 + text_at(p, MARGIN_L, p->y + hl + 8, lw, buf, 10, PLAIN,
	                  PANGO_ALIGN_CENTER, 1);
	hr = text_at(p, rx, p->y, rw, TD_REC_NATION, 10, BOLD, PANGO_ALIGN_CENTER, 1);
	hr += text_at(p, rx, p->y + hr, rw, TD_REC_MOTTO, 10.5, BOLD,
	              PANGO_ALIGN_CENTER, 1);
	rule(p, rx + rw * 0.25, rx + rw * 0.75, p->y + hr + 3);
	td_rec_date(r, &d, &m, &y);
	snprintf(buf, sizeof buf, "%s, ngày %02d tháng %02d năm %04d",
	         r->place && *r->place ? r->place : "..........", d, m, y);
	hr += 8 + text_at(p, rx, p->y + hr + 8, rw, buf, 10, ITALIC,
	                  PANGO_ALIGN_CENTER, 1);
	p->y += (hl > hr ? hl : hr) + 24;
	para(p, td_rec_title(r), 14, BOLD, PANGO_ALIGN_CENTER, 16);
}

static void parties(struct pdf *p)
{
	const struct td_record *r = p->r;
	char buf[1200], party[1024];
	int d, m, y;

	td_rec_date(r, &d, &m, &y);
	snprintf(buf, sizeof buf, "Hôm nay, ngày %02d tháng %02d năm %04d, tại %s, "
	         "chúng tôi gồm:", d, m, y,
	         r->place && *r->place ? r->place : "........................");
	para(p, buf, 10.5, PLAIN, PANGO_ALIGN_LEFT, 6);
	snprintf(buf, sizeof buf, "Bên giao: %s", r->from ?
	         td_rec_party(r->from, r->from_name, party, sizeof party) :
	         "các bên giao ghi theo từng mục trong bảng dưới đây");
	para(p, buf, 10.5, BOLD, PANGO_ALIGN_LEFT, 4);
	snprintf(buf, sizeof buf, "Bên nhận: %s",
	         td_rec_party(r->to, r->to_name, party, sizeof party));
	para(p, buf, 10.5, BOLD, PANGO_ALIGN_LEFT, 4);
	snprintf(buf, sizeof buf, "Người lập biên bản: %s", r->operator_name);
	para(p, buf, 10.5, PLAIN, PANGO_ALIGN_LEFT, 8);
	snprintf(buf, sizeof buf, "Hai bên thống nhất bàn giao %zu %s như sau:",
	         r->nitems, td_rec_unit(r));
	para(p, buf, 10.5, PLAIN, PANGO_ALIGN_LEFT, 8);
}

/* ---- the table ----------------------------------------------------------- */

#define NCOLS 5
#define TABLE_SIZE 9.0

static const double col_w[NCOLS] = { 26, 104, 112, 112, BODY_W - 354 };

/* Replace "; " separators by line breaks, into buf. */
static const char *lines(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; s && *s && o + 1 < size; s++) {
		if (s[0] == ';' && s[1] == ' ') {
			buf[o++] = '\n';
			s++;
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Draw (or measure, draw = 0) one row of cells; returns its height. */
static double row(struct pdf *p, const char *const cells[NCOLS], int style, int draw)
{
	double x = MARGIN_L, h = 0;

	for (int c = 0; c < NCOLS; c++) {
		double ch = text_at(p, x + CELL_PAD, p->y + CELL_PAD, col_w[c] - 2 * CELL_PAD,
		                    cells[c], TABLE_SIZE, style,
		                    c == 0 ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT, draw);
		if (ch > h)
			h = ch;
		x += col_w[c];
	}
	h += 2 * CELL_PAD;
	if (draw) {
		x = MARGIN_L;
		cairo_rectangle(p->d.cr, x, p->y, BODY_W, h);
		for (int c = 0; c < NCOLS - 1; c++) {
			x += col_w[c];
			cairo_move_to(p->d.cr, x, p->y);
			cairo_line_to(p->d.cr, x, p->y + h);
		}
		cairo_set_line_width(p->d.cr, 0.5);
		cairo_stroke(p->d.cr);
		p->y += h;
	}
	return h;
}

static void table_header(struct pdf *p)
{
	static const char *const tokens[NCOLS] = { "STT", "Thiết bị (số serial)",
		"Người sử dụng", "Chứng thư số", "Trạng thái, tình trạng, ghi chú" };
	static const char *const dossiers[NCOLS] = { "STT", "Số hồ sơ",
		"Loại hồ sơ", "Thuê bao", "Tình trạng, ghi chú" };
	int dossier = p->r->kind && strcmp(p->r->kind, "dossier") == 0;

	row(p, dossier ? dossiers : tokens, BOLD, 1);
}

/* The last column: state, condition, proof, remarks, each on a line. */
static void notes_cell(const struct td_record *r, const struct td_record_item *it,
                       char *buf, size_t size)
{
	int dossier = r->kind && strcmp(r->kind, "dossier") == 0;
	size_t o = 0;

#define ADD(...) do { if (o < size) o += (size_t)snprintf(buf + o, size - o, __VA_ARGS__); } while (0)
	buf[0] = '\0';
	if (!dossier)
		ADD("%s", td_rec_state_label(it->state_after));
	if (it->condition && *it->condition)
		ADD("%s%s", o ? "\n" : "", it->condition);
	if (it->proof && strcmp(it->proof, "skipped") != 0)
		ADD("%s%s", o ? "\n" : "", td_rec_proof_label(it->proof));
	if (td_rec_item_remarks_shown(r, it))
		ADD("%s%s", o ? "\n" : "", it->remarks);
#undef ADD
}

static void table(struct pdf *p)
{
	const struct td_record *r = p->r;
	int dossier = r->kind && strcmp(r->kind, "dossier") == 0;
	int mixed = !r->from && td_rec_mixed_givers(r);
	char n[24], key[512], who[1536], certs[2048], notes[4096];
	double h;

	need(p, 60);
	table_header(p);
	for (size_t i = 0; i < r->nitems; i++) {
		const struct td_record_item *it = &r->items[i];
		const char *cells[NCOLS] = { n, key, who, certs, notes };

		snprintf(n, sizeof n, "%zu", i + 1);
		if (dossier) {
			snprintf(key, sizeof key, "%s", it->key);
			snprintf(who, sizeof who, "%s", td_dossier_kind_label(it->detail));
			lines(it->holders, certs, sizeof certs);
		} else {
			snprintf(key, sizeof key, "%s%s%s", it->key, it->detail ? "\n" : "",
			         it->detail ? it->detail : "");
			lines(it->holders, who, sizeof who);
			lines(it->certs, certs, sizeof certs);
		}
		if (mixed && (!it->holders || !it->from_name ||
		              strcmp(it->holders, it->from_name) != 0)) {
			size_t o = strlen(who);
			snprintf(who + o, sizeof who - o, "%sBên giao: %s", o ? "\n" : "",
			         it->from_name ? it->from_name : it->from);
		}
		notes_cell(r, it, notes, sizeof notes);
		/* taller than a page (an item's condition and remarks both
		 * long): drawn whole it would run off the paper, so its notes
		 * follow it as a paragraph of their own */
		h = row(p, cells, PLAIN, 0);
		if (h > PAGE_H - MARGIN_T - MARGIN_B - 60) {
			cells[NCOLS - 1] = "(xem ghi chú dưới dòng này)";
			h = row(p, cells, PLAIN, 0);
		}
		if (p->y + h > PAGE_H - MARGIN_B) {
			new_page(p);
			table_header(p);
		}
		row(p, cells, PLAIN, 1);
		if (cells[NCOLS - 1] != notes) {
			snprintf(key, sizeof key, "Ghi chú dòng %zu:", i + 1);
			p->y += 3;
			para(p, key, TABLE_SIZE, BOLD, PANGO_ALIGN_LEFT, 1);
			para(p, notes, TABLE_SIZE, PLAIN, PANGO_ALIGN_LEFT, 6);
		}
	}
	p->y += 10;
}

/* ---- closing and signatures ------------------------------------------------ */

static void closing(struct pdf *p)
{
	const struct td_record *r = p->r;
	double half = BODY_W / 2, h;
	char buf[1200];

	snprintf(buf, sizeof buf, "Tổng cộng: %zu %s.", r->nitems, td_rec_unit(r));
	need(p, 60);
	para(p, buf, 10.5, BOLD, PANGO_ALIGN_LEFT, 4);
	if (r->condition && *r->condition) {
		snprintf(buf, sizeof buf, "Tình trạng chung: %s", r->condition);
		para(p, buf, 10.5, PLAIN, PANGO_ALIGN_LEFT, 4);
	}
	if (r->remarks && *r->remarks) {
		snprintf(buf, sizeof buf, "Ghi chú: %s", r->remarks);
		para(p, buf, 10.5, PLAIN, PANGO_ALIGN_LEFT, 4);
	}
	para(p, TD_REC_CLOSING, 10.5, PLAIN, PANGO_ALIGN_LEFT, 18);
	/* one block per giver, each named, the receiver's beside the last;
	 * the givers' blocks go down the left half, page after page */
	size_t ngivers = td_rec_ngivers(r);
	for (size_t g = 0; g < ngivers; g++) {
		const struct td_record_item *it = td_rec_giver(r, g);
		const char *name = r->from ? r->from_name : it ? it->from_name : NULL;
		const char *who = r->from ? r->from : it ? it->from : "";
		need(p, 130);
		h = text_at(p, MARGIN_L, p->y, half, "BÊN GIAO", 11, BOLD,
		            PANGO_ALIGN_CENTER, 1);
		if (g + 1 == ngivers)
			text_at(p, MARGIN_L + half, p->y, half, "BÊN NHẬN", 11, BOLD,
			        PANGO_ALIGN_CENTER, 1);
		p->y += h;
		h = text_at(p, MARGIN_L, p->y, half, "(Ký, ghi rõ họ tên)", 10, ITALIC,
		            PANGO_ALIGN_CENTER, 1);
		if (g + 1 == ngivers)
			text_at(p, MARGIN_L + half, p->y, half, "(Ký, ghi rõ họ tên)", 10,
			        ITALIC, PANGO_ALIGN_CENTER, 1);
		p->sign_y = p->y + h;   /* the last block's gap: on the last page */
		p->y += h + 72;
		h = text_at(p, MARGIN_L, p->y, half, name && *name ? name : who, 10.5, BOLD,
		            PANGO_ALIGN_CENTER, 1);
		if (g + 1 == ngivers)
			text_at(p, MARGIN_L + half, p->y, half, r->to_name, 10.5, BOLD,
			        PANGO_ALIGN_CENTER, 1);
		p->y += h + 18;
	}
}

/* ---- file ------------------------------------------------------------------ */

/* What the signing side reads back from the file (pdf_sign.c): the QR
 * text, and the two boxes left for the giver's and the receiver's
 * signatures, in PDF user space (origin bottom left). */
static void keywords(struct pdf *p)
{
	char buf[512];
	double half = BODY_W / 2, top = PAGE_H - p->sign_y, bottom = top - 70;

	snprintf(buf, sizeof buf, "%s sigbox=%.0f,%.0f,%.0f,%.0f;%.0f,%.0f,%.0f,%.0f",
	         p->qr ? p->qr : "-", MARGIN_L + 8, bottom, MARGIN_L + half - 8, top,
	         MARGIN_L + half + 8, bottom, MARGIN_L + BODY_W - 8, top);
	cairo_pdf_surface_set_metadata(p->d.surface, CAIRO_PDF_METADATA_KEYWORDS, buf);
}

static int render(const struct td_record *r, const char *qr, FILE *f,
                  struct td_error *err)
{
	struct pdf p = { 0 };

	p.r = r;
	p.qr = qr;
	p.page = 1;
	p.y = MARGIN_T;
	td_pdf_doc_open(&p.d, f, PAGE_W, PAGE_H, td_rec_title(r));
	heading(&p);
	parties(&p);
	table(&p);
	closing(&p);
	keywords(&p);
	footer(&p);
	cairo_show_page(p.d.cr);
	return td_pdf_doc_close(&p.d, err);
}

int td_record_render_pdf(const struct td_record *r, const char *qr,
                         const char *path, struct td_error *err)
{
	struct td_outfile out;
	int rc = td_outfile_open(&out, path, err);

	if (rc < 0)
		return rc;
	if ((rc = render(r, qr, out.f, err)) < 0) {
		td_outfile_abandon(&out);
		return rc;
	}
	return td_outfile_commit(&out, err);
}

/* ---- the appearance of a signature box ------------------------------------ */

int td_record_render_sigbox(const char *const *lines, size_t n, int width,
                            int height, const char *path, struct td_error *err)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
	cairo_t *cr = cairo_create(s);
	struct pdf p = { 0 };
	double y = 4, scale = height / 70.0;
	struct td_outfile out;
	unsigned char *px;
	int stride, rc;

	p.d.cr = cr;
	p.d.pc = pango_cairo_create_context(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, scale);
	cairo_rectangle(cr, scale / 2, scale / 2, width - scale, height - scale);
	cairo_stroke(cr);
	for (size_t i = 0; i < n; i++)
		y += text_at(&p, 4 * scale, y * scale, width - 8 * scale, lines[i],
		             (i == 0 ? 9 : 8) * scale, i == 0 ? BOLD : PLAIN,
		             PANGO_ALIGN_LEFT, 1) / scale;
	cairo_surface_flush(s);
	px = cairo_image_surface_get_data(s);
	stride = cairo_image_surface_get_stride(s);
	if ((rc = td_outfile_open(&out, path, err)) == 0) {
		/* PGM, one grey byte a pixel: the green channel of RGB24. */
		fprintf(out.f, "P5\n%d %d\n255\n", width, height);
		for (int row = 0; row < height; row++)
			for (int x = 0; x < width; x++)
				fputc(px[row * stride + x * 4 + 1], out.f);
		rc = td_outfile_commit(&out, err);
	}
	g_object_unref(p.d.pc);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	pango_cairo_font_map_set_default(NULL);
	return rc;
}
