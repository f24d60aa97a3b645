/* forms_xlsx.c: the Decree 68 forms as a workbook, a sheet per form,
 * written as the rows come (forms_internal.h) in libxlsxwriter's
 * constant memory mode: each sheet's rows go to a temporary file of its
 * own, in order, strings inline, so memory stays flat however many rows
 * a batch has.
 *
 * But a sheet costs memory of its own until the workbook closes (about
 * 140 KB in that mode, and an open file): a national merger's batch of
 * changes, 18,000 agencies, took 2.5 GB as 18,000 sheets, and no one
 * could have leafed through them.  So past SHEET_FORMS forms, the forms
 * go SHEET_FORMS to a sheet ("Mẫu 1-200", ...), one after another, each
 * starting a printed page (a page break before it). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <jansson.h>
#include <xlsxwriter.h>

#include "tokendesk/csv.h"
#include "tokendesk/outfile.h"
#include "tokendesk/strmap.h"
#include "workflow/forms_internal.h"
#include "workflow/xlsx_check.h"

#define SHEET_FORMS 200

struct xfmt { lxw_format *bold_c, *italic_c, *wrap, *head, *cell, *title; };

struct xlsx_out {
	struct td_form_out base;
	struct td_outfile file;
	struct td_stderr_catch quiet;
	lxw_workbook *wb;
	struct xfmt x;
	struct td_strmap *names;     /* sheet names taken */
	struct td_arena *arena;
	lxw_worksheet *ws;           /* the form being written */
	lxw_row_t row;
	lxw_col_t half, last;
	json_t *form;                /* its model (closing, signer) */
	int failed;
	long nforms, k;              /* forms to come, forms begun */
	lxw_row_t breaks[SHEET_FORMS + 1];   /* stacked: page breaks, 0 ended */
	int nbreaks;
};

/* A sheet's name: the agency code, without what Excel forbids, at most
 * 31 characters, made unique by a number. */
static void sheet_name(const char *code, int n, char *buf, size_t size)
{
	char clean[32];
	size_t o = 0;

	for (const char *p = code; *p && o < 24; p++)
		clean[o++] = strchr("[]:*?/\\'", *p) ? '_' : *p;
	clean[o] = '\0';
	if (!o)
		snprintf(clean, sizeof clean, "Mau");
	if (n)
		snprintf(buf, size, "%s-%d", clean, n + 1);
	else
		snprintf(buf, size, "%s", clean);
}

static const char *safe(const char *s, char *buf, size_t size)
{
	if (!td_csv_is_formula(s))
		return s;
	snprintf(buf, size, "'%s", s);
	return buf;
}

static void line(struct xlsx_out *o, lxw_row_t row, lxw_col_t c0, lxw_col_t c1,
                 const char *text, lxw_format *fmt)
{
	char buf[4096];
	const char *s = safe(text ? text : "", buf, sizeof buf);

	if ((c1 > c0 ? worksheet_merge_range(o->ws, row, c0, row, c1, s, fmt)
	             : worksheet_write_string(o->ws, row, c0, s, fmt)) != LXW_NO_ERROR)
		o->failed = 1;
}

/* Full-width lines, one a row, from o->row on. */
static void wide_lines(struct xlsx_out *o, json_t *lines, lxw_format *fmt)
{
	json_t *v;
	size_t i;

	json_array_foreach(lines, i, v)
		line(o, o->row++, 0, o->last, json_string_value(v), fmt);
}

/* The heading lines, left and right side by side: in constant memory a
 * row, once left, cannot be written again, so both go row by row. */
static void heading(struct xlsx_out *o, json_t *left, json_t *right)
{
	size_t nl = json_array_size(left), nr = json_array_size(right);
	lxw_col_t lend = o->half ? o->half - (o->half > 1) : 0;

	for (size_t i = 0; i < nl || i < nr; i++, o->row++) {
		if (i < nl)
			line(o, o->row, 0, lend, json_string_value(json_array_get(left, i)),
			     o->x.bold_c);
		if (i < nr)
			line(o, o->row, o->half, o->last,
			     json_string_value(json_array_get(right, i)), o->x.bold_c);
	}
}

static int add_sheet(struct xlsx_out *o, const char *code)
{
	char name[40];
	int n = 0;

	do
		sheet_name(code, n++, name, sizeof name);
	while (td_strmap_get(o->names, name));
	const char *kept = td_arena_strdup(o->arena, name);
	if (!kept || td_strmap_put(o->names, kept, (void *)kept) < 0 ||
	    !(o->ws = workbook_add_worksheet(o->wb, kept)))
		return -1;
	return 0;
}

/* The page set up for a sheet of the template's columns.  Fitting the
 * width to a page would make Excel ignore the page breaks between
 * stacked forms: those get a scale instead, the columns' total width
 * against a landscape A4's (some 135 characters). */
static void page_setup(struct xlsx_out *o, json_t *cols)
{
	double total = 0;
	json_t *c;
	size_t i;

	worksheet_set_paper(o->ws, 9);            /* A4 */
	worksheet_set_landscape(o->ws);
	json_array_foreach(cols, i, c) {
		double w = json_number_value(json_object_get(c, "width"));
		worksheet_set_column(o->ws, (lxw_col_t)i, (lxw_col_t)i, w, NULL);
		total += w;
	}
	if (o->nforms <= SHEET_FORMS)
		worksheet_fit_to_pages(o->ws, 1, 0);
	else if (total > 135)
		worksheet_set_print_scale(o->ws, (uint16_t)(100 * 135 / total));
}

/* The sheet the next form goes on: its own, or the stack's. */
static int sheet_for(struct xlsx_out *o, json_t *m)
{
	char name[64];

	if (o->nforms > SHEET_FORMS && o->k % SHEET_FORMS != 0) {
		o->row += 2;
		o->breaks[o->nbreaks++] = o->row;
		return 0;
	}
	if (o->nbreaks) {
		o->breaks[o->nbreaks] = 0;
		worksheet_set_h_pagebreaks(o->ws, o->breaks);
		o->nbreaks = 0;
	}
	o->row = 0;
	if (o->nforms <= SHEET_FORMS)
		return add_sheet(o, json_string_value(json_object_get(m, "agency_code")));
	long last = o->k + SHEET_FORMS < o->nforms ? o->k + SHEET_FORMS : o->nforms;
	snprintf(name, sizeof name, "Mẫu %ld-%ld", o->k + 1, last);
	return add_sheet(o, name);
}

static int x_begin(struct td_form_out *base, json_t *m, struct td_error *err)
{
	struct xlsx_out *o = (struct xlsx_out *)base;
	json_t *cols = json_object_get(m, "columns");
	lxw_worksheet *before = o->ws;

	if (sheet_for(o, m) < 0)
		return td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL,
		                       "cannot add a sheet");
	o->k++;
	json_decref(o->form);
	o->form = json_incref(m);
	o->last = (lxw_col_t)(json_array_size(cols) - 1);
	o->half = o->last / 2;
	if (o->ws != before)
		page_setup(o, cols);
	line(o, o->row++, o->last, o->last,
	     json_string_value(json_object_get(m, "form")), o->x.italic_c);
	heading(o, json_object_get(m, "left"), json_object_get(m, "right"));
	o->row++;
	line(o, o->row, 0, o->last, json_string_value(json_object_get(m, "title")),
	     o->x.title);
	o->row += 2;
	wide_lines(o, json_object_get(m, "letter"), o->x.wrap);
	o->row++;
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c)
		line(o, o->row, (lxw_col_t)i, (lxw_col_t)i,
		     json_string_value(json_object_get(c, "heading")), o->x.head);
	return o->failed ? td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL,
	                                   "cannot write a form") : TD_OK;
}

static int x_row(struct td_form_out *base, const char *const *cells, size_t n,
                 struct td_error *err)
{
	struct xlsx_out *o = (struct xlsx_out *)base;
	char buf[4096];

	o->row++;
	for (size_t i = 0; i < n; i++)
		if (worksheet_write_string(o->ws, o->row, (lxw_col_t)i,
		                           safe(cells[i], buf, sizeof buf), o->x.cell))
			o->failed = 1;
	return o->failed ? td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL,
	                                   "cannot write a row") : TD_OK;
}

static int x_end(struct td_form_out *base, struct td_error *err)
{
	struct xlsx_out *o = (struct xlsx_out *)base;

	o->row += 2;
	wide_lines(o, json_object_get(o->form, "closing"), o->x.wrap);
	o->row++;
	json_t *signer = json_object_get(o->form, "signer"), *v;
	size_t i;
	json_array_foreach(signer, i, v)
		line(o, o->row++, o->half, o->last, json_string_value(v), o->x.bold_c);
	return o->failed ? td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL,
	                                   "cannot write a form") : TD_OK;
}

static void release(struct xlsx_out *o)
{
	td_strmap_free(o->names);
	td_arena_free(o->arena);
	json_decref(o->form);
	free(o);
}

/* libxlsxwriter prints its own "[ERROR]" lines on stderr: they are caught
 * (td_stderr_catch) from open to close and the system's reason goes into
 * tokendesk's message instead. */
static int x_close(struct td_form_out *base, int ok, struct td_error *err)
{
	struct xlsx_out *o = (struct xlsx_out *)base;
	char why[256];

	if (o->nbreaks) {
		o->breaks[o->nbreaks] = 0;
		worksheet_set_h_pagebreaks(o->ws, o->breaks);
	}
	int unwritten = td_xlsx_unwritten(o->wb) != NULL;
	lxw_error e = workbook_close(o->wb);
	int rc = TD_OK;

	td_stderr_catch_end(&o->quiet, why, sizeof why);
	if (ok && unwritten)
		rc = td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL, "cannot"
		                     " write a sheet's rows to its temporary file (disk"
		                     " full?)");
	else if (ok && e != LXW_NO_ERROR)
		rc = td_error_set_at(err, TD_ERR_IO, o->file.path, 0, NULL, "%s%s%s%s",
		                     lxw_strerror(e), why[0] ? " (" : "", why,
		                     why[0] ? ")" : "");
	if (ok && rc == TD_OK)
		rc = td_outfile_commit(&o->file, err);
	else
		td_outfile_abandon(&o->file);
	release(o);
	return rc;
}

static const struct td_form_out_ops xlsx_ops = { x_begin, x_row, x_end, x_close };

static void formats(lxw_workbook *wb, struct xfmt *x)
{
	x->bold_c = workbook_add_format(wb);
	format_set_bold(x->bold_c);
	format_set_align(x->bold_c, LXW_ALIGN_CENTER);
	format_set_text_wrap(x->bold_c);
	x->italic_c = workbook_add_format(wb);
	format_set_italic(x->italic_c);
	format_set_align(x->italic_c, LXW_ALIGN_RIGHT);
	x->title = workbook_add_format(wb);
	format_set_bold(x->title);
	format_set_font_size(x->title, 13);
	format_set_align(x->title, LXW_ALIGN_CENTER);
	x->wrap = workbook_add_format(wb);
	format_set_text_wrap(x->wrap);
	format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
	x->head = workbook_add_format(wb);
	format_set_bold(x->head);
	format_set_text_wrap(x->head);
	format_set_align(x->head, LXW_ALIGN_CENTER);
	format_set_border(x->head, LXW_BORDER_THIN);
	x->cell = workbook_add_format(wb);
	format_set_text_wrap(x->cell);
	format_set_align(x->cell, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(x->cell, LXW_BORDER_THIN);
}

/* Room for a temporary file per sheet: the soft limit of open files is
 * raised toward the hard one.  1 when nforms sheets fit. */
static int files_for(long nforms)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)nforms + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want
		              ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want;
}

struct td_form_out *td_form_xlsx_open(const char *path, json_t *doc, long nforms,
                                      struct td_error *err)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
	struct xlsx_out *o = calloc(1, sizeof *o);
	const char *name;

	(void)doc;
	if (!o || !(o->names = td_strmap_new(64)) || !(o->arena = td_arena_new())) {
		if (o)
			release(o);
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	o->base.ops = &xlsx_ops;
	if (td_outfile_open(&o->file, path, err) < 0) {
		release(o);
		return NULL;
	}
	if (!(name = td_outfile_lib_path(&o->file, err))) {
		td_outfile_abandon(&o->file);
		release(o);
		return NULL;
	}
	o->nforms = nforms;
	opt.constant_memory = files_for(nforms > SHEET_FORMS ? nforms / SHEET_FORMS + 1
	                                                     : nforms) ? LXW_TRUE : LXW_FALSE;
	td_stderr_catch_begin(&o->quiet);
	if (!(o->wb = workbook_new_opt(name, &opt))) {
		char why[256];
		td_stderr_catch_end(&o->quiet, why, sizeof why);
		td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "cannot start the workbook%s%s%s",
		                why[0] ? " (" : "", why, why[0] ? ")" : "");
		td_outfile_abandon(&o->file);
		release(o);
		return NULL;
	}
	formats(o->wb, &o->x);
	return &o->base;
}
