/* forms_docx.c: the Decree 68 forms as a Word document (WordprocessingML
 * in a zip, ECMA-376), because Word is what Vietnamese offices edit
 * before they sign: each form starts a page, with the two heading blocks
 * side by side (a table without borders), the title, the letter as
 * paragraphs, the table (its heading row repeated on every page), the
 * closing and the signer's block; Times New Roman, A4, the margins of
 * Decree 30/2020 (3 cm left, 2 cm elsewhere), landscape when the
 * template's columns are wide, as the PDF turns.
 *
 * word/document.xml is written as the rows come into a temporary file
 * (it grows with the rows; memory does not), and zipped by libzip at the
 * end straight into the output (a zip source of ours over the file, so
 * the output stays the one td_outfile opened: no rename of libzip's). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zip.h>

#include "tokendesk/outfile.h"
#include "workflow/forms_internal.h"

#define W_NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
#define A4_SHORT 11906          /* twentieths of a point */
#define A4_LONG 16838
#define LEFT 1701               /* 3 cm */
#define OTHER 1134              /* 2 cm */

struct docx_out {
	struct td_form_out base;
	struct td_outfile file;
	FILE *xml;                  /* word/document.xml, a temporary file */
	json_t *form;               /* the form being written */
	json_t *title;              /* the document's */
	int landscape;              /* decided by the first form */
	long forms;
	int ncols;
};

/* ---- text --------------------------------------------------------------------- */

/* Text as XML character data: markup escaped; control characters,
 * which XML 1.0 forbids, as spaces. */
static void xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '&') fputs("&amp;", f);
		else if (c == '<') fputs("&lt;", f);
		else if (c == '>') fputs("&gt;", f);
		else if (c == '"') fputs("&quot;", f);
		else if (c < 0x20) fputc(' ', f);
		else fputc(c, f);
	}
}

enum { PLAIN = 0, BOLD = 1, ITALIC = 2 };

/* A paragraph: jc left, center, right or both; size in half points (0:
 * the document's); after: spacing after it, twentieths of a point. */
static void para(FILE *f, const char *text, const char *jc, int style, int size,
                 int after)
{
	fprintf(f, "<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"%d\"/>"
	        "<w:jc w:val=\"%s\"/></w:pPr><w:r><w:rPr>%s%s", after, jc,
	        style & BOLD ? "<w:b/>" : "", style & ITALIC ? "<w:i/>" : "");
	if (size)
		fprintf(f, "<w:sz w:val=\"%d\"/>", size);
	fputs("</w:rPr><w:t xml:space=\"preserve\">", f);
	xml_text(f, text);
	fputs("</w:t></w:r></w:p>", f);
}

static void lines(FILE *f, json_t *a, const char *jc, int style, int after)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		para(f, json_string_value(v), jc, style, 0, after);
}

/* ---- the page and the table ------------------------------------------------------ */

static int text_width(const struct docx_out *o)
{
	return (o->landscape ? A4_LONG : A4_SHORT) - LEFT - OTHER;
}

static int wide(json_t *form)
{
	double total = 0;
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(form, "columns"), i, c)
		total += json_number_value(json_object_get(c, "width"));
	return total > 110;
}

/* Two blocks side by side, in a table without borders (the heading's
 * agency and motto; the signer on the right). */
static void side_by_side(struct docx_out *o, json_t *left, json_t *right, double split)
{
	FILE *f = o->xml;
	int w = text_width(o), wl = (int)(w * split);

	/* Word wants tblPr's children in the schema's order */
	fprintf(f, "<w:tbl><w:tblPr><w:tblW w:w=\"%d\" w:type=\"dxa\"/><w:tblBorders>"
	        "<w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/>"
	        "<w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/>"
	        "<w:insideV w:val=\"nil\"/></w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
	        "</w:tblPr>"
	        "<w:tblGrid><w:gridCol w:w=\"%d\"/><w:gridCol w:w=\"%d\"/></w:tblGrid><w:tr>",
	        w, wl, w - wl);
	fprintf(f, "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/></w:tcPr>", wl);
	lines(f, left, "center", BOLD, 0);
	if (!json_array_size(left))
		fputs("<w:p/>", f);            /* a cell holds a paragraph at least */
	fprintf(f, "</w:tc><w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/></w:tcPr>",
	        w - wl);
	lines(f, right, "center", BOLD, 0);
	if (!json_array_size(right))
		fputs("<w:p/>", f);
	fputs("</w:tc></w:tr></w:tbl>", f);
}

static void cell(FILE *f, int width, const char *text, int head)
{
	fprintf(f, "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/></w:tcPr>", width);
	para(f, text, head ? "center" : "left", head ? BOLD : PLAIN, 22, 0);
	fputs("</w:tc>", f);
}

/* The table's start and its heading row, repeated on every page. */
static void table_begin(struct docx_out *o, json_t *cols)
{
	FILE *f = o->xml;
	int w = text_width(o);
	double total = 0;
	json_t *c;
	size_t i;

	json_array_foreach(cols, i, c)
		total += json_number_value(json_object_get(c, "width"));
	fprintf(f, "<w:tbl><w:tblPr><w:tblW w:w=\"%d\" w:type=\"dxa\"/><w:tblBorders>", w);
	for (const char *const *side = (const char *const[]){ "top", "left", "bottom",
	         "right", "insideH", "insideV", NULL }; *side; side++)
		fprintf(f, "<w:%s w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>",
		        *side);
	fputs("</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/>"
	      "<w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>", f);
	json_array_foreach(cols, i, c)
		fprintf(f, "<w:gridCol w:w=\"%d\"/>",
		        (int)(w * json_number_value(json_object_get(c, "width")) / total));
	fputs("</w:tblGrid><w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>", f);
	json_array_foreach(cols, i, c)
		cell(f, (int)(w * json_number_value(json_object_get(c, "width")) / total),
		     json_string_value(json_object_get(c, "heading")), 1);
	fputs("</w:tr>", f);
}

/* ---- the writer ------------------------------------------------------------------ */

static int failed(struct docx_out *o, struct td_error *err)
{
	return ferror(o->xml) ? td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL,
	                                        "writing the document: %s",
	                                        strerror(errno ? errno : EIO))
	                      : TD_OK;
}

static int d_begin(struct td_form_out *base, json_t *m, struct td_error *err)
{
	struct docx_out *o = (struct docx_out *)base;
	FILE *f = o->xml;
	json_t *v;
	size_t i;

	if (o->forms++ == 0)
		o->landscape = wide(m);
	else
		fputs("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>", f);
	json_decref(o->form);
	o->form = json_incref(m);
	o->ncols = (int)json_array_size(json_object_get(m, "columns"));
	para(f, json_string_value(json_object_get(m, "form")), "right", ITALIC, 22, 60);
	side_by_side(o, json_object_get(m, "left"), json_object_get(m, "right"), 0.42);
	para(f, "", "left", PLAIN, 0, 0);
	para(f, json_string_value(json_object_get(m, "title")), "center", BOLD, 28, 240);
	json_array_foreach(json_object_get(m, "letter"), i, v)
		para(f, json_string_value(v), "both", PLAIN, 0, 80);
	table_begin(o, json_object_get(m, "columns"));
	return failed(o, err);
}

static int d_row(struct td_form_out *base, const char *const *cells, size_t n,
                 struct td_error *err)
{
	struct docx_out *o = (struct docx_out *)base;
	json_t *cols = json_object_get(o->form, "columns");
	int w = text_width(o);
	double total = 0;
	json_t *c;
	size_t i;

	json_array_foreach(cols, i, c)
		total += json_number_value(json_object_get(c, "width"));
	fputs("<w:tr><w:trPr><w:cantSplit/></w:trPr>", o->xml);
	for (i = 0; i < n && i < json_array_size(cols); i++)
		cell(o->xml, (int)(w * json_number_value(json_object_get(json_array_get(cols, i),
		                                                          "width")) / total),
		     cells[i], 0);
	fputs("</w:tr>", o->xml);
	return failed(o, err);
}

static int d_end(struct td_form_out *base, struct td_error *err)
{
	struct docx_out *o = (struct docx_out *)base;
	json_t *none = json_array();

	fputs("</w:tbl>", o->xml);
	para(o->xml, "", "left", PLAIN, 0, 0);
	lines(o->xml, json_object_get(o->form, "closing"), "both", PLAIN, 80);
	para(o->xml, "", "left", PLAIN, 0, 0);
	side_by_side(o, none, json_object_get(o->form, "signer"), 0.45);
	json_decref(none);
	para(o->xml, "", "left", PLAIN, 0, 0);   /* Word ends no body on a table */
	return failed(o, err);
}

/* ---- the zip ---------------------------------------------------------------------- */

/* A libzip source writing the archive into f, a file of ours: libzip
 * would otherwise write beside the output's name and rename over it. */
struct zsink {
	FILE *f;
	zip_error_t error;
};

static zip_int64_t zsink_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct zsink *z = ud;
	zip_source_args_seek_t *a;

	switch (cmd) {
	case ZIP_SOURCE_SUPPORTS:
		return ZIP_SOURCE_SUPPORTS_WRITABLE;
	case ZIP_SOURCE_STAT:    /* a new archive: nothing to read first */
		zip_error_set(&z->error, ZIP_ER_READ, ENOENT);
		return -1;
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&z->error, data, len);
	case ZIP_SOURCE_WRITE:
		if (fwrite(data, 1, (size_t)len, z->f) == (size_t)len)
			return (zip_int64_t)len;
		zip_error_set(&z->error, ZIP_ER_WRITE, errno);
		return -1;
	case ZIP_SOURCE_SEEK_WRITE:
		if (!(a = ZIP_SOURCE_GET_ARGS(zip_source_args_seek_t, data, len, &z->error)))
			return -1;
		if (fseeko(z->f, (off_t)a->offset, a->whence) == 0)
			return 0;
		zip_error_set(&z->error, ZIP_ER_SEEK, errno);
		return -1;
	case ZIP_SOURCE_TELL_WRITE:
		return (zip_int64_t)ftello(z->f);
	case ZIP_SOURCE_COMMIT_WRITE:
		if (fflush(z->f) == 0)
			return 0;
		zip_error_set(&z->error, ZIP_ER_WRITE, errno);
		return -1;
	case ZIP_SOURCE_BEGIN_WRITE: case ZIP_SOURCE_ROLLBACK_WRITE:
	case ZIP_SOURCE_REMOVE: case ZIP_SOURCE_FREE: case ZIP_SOURCE_OPEN:
	case ZIP_SOURCE_CLOSE: case ZIP_SOURCE_READ: case ZIP_SOURCE_SEEK:
	case ZIP_SOURCE_TELL:
		return 0;
	default:
		zip_error_set(&z->error, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

static const char content_types[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
	"<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
	"<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
	"</Types>";

static const char rels[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
	"</Relationships>";

static const char doc_rels[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
	"</Relationships>";

/* Times New Roman 13 pt, Vietnamese, as official letters are set. */
static const char styles[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<w:styles " W_NS "><w:docDefaults><w:rPrDefault><w:rPr>"
	"<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\" w:eastAsia=\"Times New Roman\"/>"
	"<w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/><w:lang w:val=\"vi-VN\"/></w:rPr></w:rPrDefault>"
	"<w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>"
	"</w:docDefaults><w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">"
	"<w:name w:val=\"Normal\"/></w:style></w:styles>";

/* A part from memory, which must last until the zip is closed. */
static int add_text(zip_t *za, const char *name, const char *text)
{
	zip_source_t *s = zip_source_buffer(za, text, strlen(text), 0);

	if (!s)
		return -1;
	if (zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(s);
		return -1;
	}
	return 0;
}

static char *core_xml(json_t *title)
{
	char *t = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&t, &n);

	if (!f)
		return NULL;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	      "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\""
	      " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>", f);
	xml_text(f, json_string_value(title));
	fputs("</dc:title><dc:creator>tokendesk</dc:creator><dc:language>vi-VN</dc:language>"
	      "</cp:coreProperties>", f);
	if (fclose(f) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

/* document.xml's end: the page, then the parts zipped into out. */
static int zip_all(struct docx_out *o, FILE *out, json_t *title, struct td_error *err)
{
	struct zsink z = { out, { 0, 0, NULL } };
	int w = o->landscape ? A4_LONG : A4_SHORT, h = o->landscape ? A4_SHORT : A4_LONG;
	zip_source_t *src, *doc;
	zip_error_t ze;
	zip_t *za;
	char *core = core_xml(title);

	fprintf(o->xml, "<w:sectPr><w:pgSz w:w=\"%d\" w:h=\"%d\"%s/><w:pgMar w:top=\"%d\""
	        " w:right=\"%d\" w:bottom=\"%d\" w:left=\"%d\" w:header=\"709\""
	        " w:footer=\"709\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
	        w, h, o->landscape ? " w:orient=\"landscape\"" : "", OTHER, OTHER, OTHER, LEFT);
	if (fflush(o->xml) != 0 || ferror(o->xml) || !core) {
		free(core);
		return failed(o, err) < 0 ? err->code
		       : td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	zip_error_init(&ze);
	zip_error_init(&z.error);
	if (!(src = zip_source_function_create(zsink_cb, &z, &ze)) ||
	    !(za = zip_open_from_source(src, ZIP_CREATE | ZIP_TRUNCATE, &ze))) {
		if (src)
			zip_source_free(src);
		free(core);
		return td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL, "zip: %s",
		                       zip_error_strerror(&ze));
	}
	int bad = add_text(za, "[Content_Types].xml", content_types) < 0 ||
	          add_text(za, "_rels/.rels", rels) < 0 ||
	          add_text(za, "word/_rels/document.xml.rels", doc_rels) < 0 ||
	          add_text(za, "word/styles.xml", styles) < 0 ||
	          add_text(za, "docProps/core.xml", core) < 0;
	/* the document from its temporary file, read as the zip is made;
	 * from here libzip owns (and closes) the file */
	/* libzip reads a FILE from where it stands when asked from 0 */
	if (!bad && (fseeko(o->xml, 0, SEEK_SET) != 0 ||
	             !(doc = zip_source_filep(za, o->xml, 0, -1))))
		bad = 1;
	else if (!bad) {
		o->xml = NULL;
		if (zip_file_add(za, "word/document.xml", doc, ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(doc);
			bad = 1;
		}
	}
	if (bad || zip_close(za) < 0) {
		int rc = td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL, "zip: %s",
		                         zip_strerror(za));
		zip_discard(za);
		free(core);
		return rc;
	}
	free(core);
	zip_error_fini(&z.error);
	return TD_OK;
}

static int d_close(struct td_form_out *base, int ok, struct td_error *err)
{
	struct docx_out *o = (struct docx_out *)base;
	json_t *title = o->title;
	const char *name = ok ? td_outfile_lib_path(&o->file, err) : NULL;
	FILE *out = name ? fopen(name, "w") : NULL;
	int rc = ok ? TD_OK : TD_ERR_IO;

	if (ok && !name)
		rc = err->code;
	else if (ok && !out)
		rc = td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL, "%s",
		                     strerror(errno));
	else if (ok)
		rc = zip_all(o, out, title, err);
	if (out && fclose(out) != 0 && rc == TD_OK)
		rc = td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL, "writing: %s",
		                     strerror(errno));
	if (rc == TD_OK)
		rc = td_outfile_commit(&o->file, err);
	else
		td_outfile_abandon(&o->file);
	if (o->xml)
		fclose(o->xml);
	json_decref(o->form);
	json_decref(o->title);
	free(o);
	return rc;
}

static const struct td_form_out_ops docx_ops = { d_begin, d_row, d_end, d_close };

struct td_form_out *td_form_docx_open(const char *path, json_t *doc, long nforms,
                                      struct td_error *err)
{
	struct docx_out *o = calloc(1, sizeof *o);

	(void)nforms;
	if (!o) {
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	o->base.ops = &docx_ops;
	if (td_outfile_open(&o->file, path, err) < 0) {
		free(o);
		return NULL;
	}
	o->title = json_incref(json_object_get(doc, "title"));
	if (!(o->xml = tmpfile())) {
		td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "a temporary file: %s",
		                strerror(errno));
		td_outfile_abandon(&o->file);
		json_decref(o->title);
		free(o);
		return NULL;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	      "<w:document " W_NS "><w:body>", o->xml);
	return &o->base;
}
