/* lists.c: the lists for DOST (letter 2.1, 2.2, 4), as XLSX or CSV, from
 * the tags.  Rows are streamed as the registry gives them (issue 27: a
 * national merger tags a third of a million certificates; holding them
 * took 834 MB): each goes straight to its sheet or file, and only the
 * totals per agency are kept, so memory follows the number of agencies,
 * not of rows.  The workbook is written in libxlsxwriter's constant
 * memory mode (rows in order, strings inline, a temporary file per
 * sheet), by a thread of its own (tokendesk/rowpipe.h) while the rows
 * are read: its XML took as long as the reading; both formats write
 * the same cells and the same totals. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "tokendesk/csv.h"
#include "tokendesk/lists.h"
#include "tokendesk/outfile.h"
#include "tokendesk/plan.h"
#include "tokendesk/rowpipe.h"
#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"
#include "workflow/agency_names.h"
#include "workflow/xlsx_check.h"

#define MAX_COLS 16
#define NLISTS 7

const char *const td_lists_csv_names[TD_LISTS_N] = {
	"thu-hoi-chung-thu.csv", "thay-doi-thong-tin.csv",
	"thiet-bi-thu-hoi.csv", "ho-so-ban-giao.csv", "gia-han.csv",
	"khoi-phuc-thiet-bi.csv", "cap-moi.csv"
};

/* What a column holds, taken from a tag (fill_cell). */
enum field {
	F_STT, F_CODE, F_NAME, F_HOLDER, F_CERT, F_TOKEN, F_REASON, F_STATE,
	F_BATCH, F_DN, F_NEW_DN, F_TO_CODE, F_TO_NAME, F_ID, F_POSITION,
	F_EMAIL, F_VALIDITY, F_MODEL, F_DOSSIER_FROM
};

struct list {
	const char *sheet;            /* sheet name (Vietnamese) */
	const char *kind;             /* tag kind listed */
	int ncols;
	const char *headers[MAX_COLS];
	enum field fields[MAX_COLS];
};

/* The holder's data the CA asks for, after each certificate list's own
 * columns (which keep their order: scripts read them by position). */
#define HOLDER_HEADS "Số CCCD/CMND", "Chức vụ", "Email", "Hiệu lực", "Loại thiết bị"
#define HOLDER_FIELDS F_ID, F_POSITION, F_EMAIL, F_VALIDITY, F_MODEL

static const struct list list_defs[NLISTS] = {
	{ "Thu hồi chứng thư", "revoke", 14,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Tên thuê bao",
	    "Số serial chứng thư", "Số serial thiết bị", "Lý do", "Trạng thái", "Đợt",
	    HOLDER_HEADS },
	  { F_STT, F_CODE, F_NAME, F_HOLDER, F_CERT, F_TOKEN, F_REASON, F_STATE, F_BATCH,
	    HOLDER_FIELDS } },
	{ "Thay đổi thông tin", "change_info", 15,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Tên thuê bao", "Số serial chứng thư",
	    "Nội dung hiện tại (DN)", "Nội dung mới (DN)", "Lý do", "Trạng thái", "Đợt",
	    HOLDER_HEADS },
	  { F_STT, F_CODE, F_NAME, F_HOLDER, F_CERT, F_DN, F_NEW_DN, F_REASON, F_STATE,
	    F_BATCH, HOLDER_FIELDS } },
	{ "Thiết bị thu hồi", "collect", 11,
	  { "STT", "Cơ quan quản lý nhận", "Mã cơ quan của thuê bao", "Tên thuê bao",
	    "Số serial thiết bị", "Lý do", "Trạng thái", "Đợt", "Tên cơ quan nhận",
	    "Tên cơ quan của thuê bao", "Loại thiết bị" },
	  { F_STT, F_TO_CODE, F_CODE, F_HOLDER, F_TOKEN, F_REASON, F_STATE, F_BATCH,
	    F_TO_NAME, F_NAME, F_MODEL } },
	{ "Hồ sơ bàn giao", "handover_dossiers", 8,
	  { "STT", "Mã cơ quan bàn giao", "Tên cơ quan bàn giao", "Cơ quan nhận",
	    "Lý do", "Trạng thái", "Đợt", "Tên cơ quan nhận" },
	  { F_STT, F_DOSSIER_FROM, F_NAME, F_TO_CODE, F_REASON, F_STATE, F_BATCH,
	    F_TO_NAME } },
	{ "Gia hạn", "renew", 14,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Tên thuê bao",
	    "Số serial chứng thư", "Số serial thiết bị", "Lý do", "Trạng thái", "Đợt",
	    HOLDER_HEADS },
	  { F_STT, F_CODE, F_NAME, F_HOLDER, F_CERT, F_TOKEN, F_REASON, F_STATE, F_BATCH,
	    HOLDER_FIELDS } },
	{ "Khôi phục thiết bị", "recover_token", 14,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Tên thuê bao",
	    "Số serial chứng thư", "Số serial thiết bị", "Lý do", "Trạng thái", "Đợt",
	    HOLDER_HEADS },
	  { F_STT, F_CODE, F_NAME, F_HOLDER, F_CERT, F_TOKEN, F_REASON, F_STATE, F_BATCH,
	    HOLDER_FIELDS } },
	{ "Cấp mới", "new_issue", 6,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Lý do", "Trạng thái", "Đợt" },
	  { F_STT, F_CODE, F_NAME, F_REASON, F_STATE, F_BATCH } },
};

/* Totals per agency, in order of first appearance. */
struct total { const char *code, *name; long n; struct total *next; };

/* Where one list goes, and its totals so far. */
struct sink {
	const struct list *def;
	lxw_worksheet *ws;           /* XLSX: its sheet */
	lxw_row_t row;               /* XLSX: the last row written */
	struct td_outfile out;       /* CSV: its file */
	int open;                    /* CSV: out is open */
	long n;
	struct td_strmap *groups;    /* code -> struct total */
	struct total *totals, **tail;
};

/* One call's state. */
struct stream {
	struct td_arena *arena;      /* the totals' codes and names */
	struct td_agency_names *names;
	const struct td_lists_opts *opts;
	struct td_error *err;
	lxw_format *bold;
	struct td_rowpipe *pipe;     /* XLSX: the workbook's thread, or NULL */
	int failed;                  /* a cell or row could not be written */
	int nomem;
	long seen;
	char validity[48], reason[1024], batch[24];
	struct sink sinks[NLISTS];
};

static const char *state_vi(const char *s)
{
	if (strcmp(s, "tagged") == 0)
		return "Đã đánh dấu";
	if (strcmp(s, "sent_to_dost") == 0)
		return "Đã gửi Sở KH&CN";
	return "CA đã xác nhận";
}

/* dd/mm/yyyy - dd/mm/yyyy, as a clerk reads a validity. */
static const char *validity(struct stream *s, const struct td_tag *t)
{
	int y1, m1, d1, y2, m2, d2;

	if (!t->not_before || !t->not_after ||
	    sscanf(t->not_before, "%4d-%2d-%2d", &y1, &m1, &d1) != 3 ||
	    sscanf(t->not_after, "%4d-%2d-%2d", &y2, &m2, &d2) != 3)
		return "";
	snprintf(s->validity, sizeof s->validity, "%02d/%02d/%04d - %02d/%02d/%04d",
	         d1, m1, y1, d2, m2, y2);
	return s->validity;
}

/* A plan tag's reason in Vietnamese (the stored one is English); a
 * reason typed by hand as it was typed. */
static const char *reason_vi(struct stream *s, const struct td_tag *t)
{
	if (!t->origin || strcmp(t->origin, "plan") != 0)
		return t->reason;
	return td_plan_reason_vi(t->rule, t->kind, t->reason, s->reason,
	                         sizeof s->reason);
}

/* A cell's text; borrowed from the tag, the names or s's buffers, valid
 * until the next row. */
static const char *fill_cell(struct stream *s, const struct td_tag *t,
                             enum field f)
{
	const char *v = "";

	switch (f) {
	case F_STT: break;
	case F_CODE: v = t->agency_code; break;
	case F_NAME: v = td_agency_names_get(s->names, t->agency_code, t->agency_name); break;
	case F_DOSSIER_FROM: v = t->target; break;
	case F_HOLDER: v = t->holder_name; break;
	case F_CERT: v = t->cert_serial ? t->cert_serial : t->target; break;
	case F_TOKEN: v = t->any_token_serial; break;
	case F_REASON: v = reason_vi(s, t); break;
	case F_STATE: v = state_vi(t->state); break;
	case F_BATCH: v = s->batch; break;
	case F_DN: v = t->subject_dn; break;
	case F_NEW_DN: v = t->detail; break;
	case F_TO_CODE: v = t->detail; break;
	case F_TO_NAME: v = t->detail ? td_agency_names_get(s->names, t->detail, "") : ""; break;
	case F_ID: v = t->holder_ext_id; break;
	case F_POSITION: v = t->holder_position; break;
	case F_EMAIL: v = t->holder_email; break;
	case F_VALIDITY: v = validity(s, t); break;
	case F_MODEL: v = t->token_model; break;
	}
	return v ? v : "";
}

/* Count the row under its agency: tokens by the agency receiving them,
 * dossiers by the agency handing them over, the rest by their own. */
static void count_row(struct stream *s, struct sink *k, const struct td_tag *t,
                      int which)
{
	const char *code, *name;
	struct total *tot;

	if (which == 2 && t->detail) {
		code = t->detail;
		name = td_agency_names_get(s->names, t->detail, "");
	} else {
		code = which == 3 ? t->target : t->agency_code;
		name = fill_cell(s, t, F_NAME);
	}
	code = code ? code : "";
	if ((tot = td_strmap_get(k->groups, code))) {
		tot->n++;
		return;
	}
	if (!(tot = td_arena_alloc(s->arena, sizeof *tot)) ||
	    !(tot->code = td_arena_strdup(s->arena, code)) ||
	    !(tot->name = td_arena_strdup(s->arena, name ? name : "")) ||
	    td_strmap_put(k->groups, tot->code, tot) < 0) {
		s->nomem = 1;
		return;
	}
	tot->n = 1;
	*k->tail = tot;
	k->tail = &tot->next;
}

/* The text a cell gets: formula-looking text behind an apostrophe. */
static const char *safe(const char *s, char *buf, size_t size)
{
	if (!td_csv_is_formula(s))
		return s;
	snprintf(buf, size, "'%s", s);
	return buf;
}

/* One row into its sheet: STT, then the cells (cells[0] unused). */
static int xlsx_row(struct sink *k, const char *const *cells)
{
	char buf[TD_CSV_MAX_FIELD + 2];
	int bad;

	k->row++;
	bad = worksheet_write_number(k->ws, k->row, 0, (double)k->row, NULL) != 0;
	for (int c = 1; c < k->def->ncols; c++)
		bad |= worksheet_write_string(k->ws, k->row, (lxw_col_t)c,
		                              safe(cells[c], buf, sizeof buf), NULL) != 0;
	return bad;
}

/* The workbook's thread (td_rowpipe_fn): tag is the sheet. */
static int xlsx_piped_row(int tag, size_t n, const char *const *cells, void *ctx)
{
	(void)n;
	return xlsx_row(&((struct stream *)ctx)->sinks[tag], cells);
}

static void put_row(struct stream *s, struct sink *k, const char *const *cells)
{
	char stt[24];
	const struct list *l = k->def;

	if (s->pipe) {
		if (td_rowpipe_put(s->pipe, (int)(k - s->sinks), (size_t)l->ncols, cells) < 0)
			s->failed = 1;
		return;
	}
	if (k->ws) {
		if (xlsx_row(k, cells))
			s->failed = 1;
		return;
	}
	const char *v[MAX_COLS];
	memcpy(v, cells, sizeof v);
	snprintf(stt, sizeof stt, "%ld", k->n);
	v[0] = stt;
	if (td_csv_write(k->out.f, (size_t)l->ncols, v, TD_CSV_NEUTRALIZE) < 0)
		s->failed = 1;
}

static int stream_tag(const struct td_tag *t, void *ctx)
{
	struct stream *s = ctx;
	const char *cells[MAX_COLS];
	int which = -1;

	s->seen++;
	if (!s->opts->include_confirmed && strcmp(t->state, "confirmed") == 0)
		return 0;
	for (int i = 0; i < NLISTS; i++)
		if (strcmp(t->kind, list_defs[i].kind) == 0)
			which = i;
	if (which < 0)
		return 0;
	struct sink *k = &s->sinks[which];
	s->batch[0] = '\0';
	if (t->batch)
		snprintf(s->batch, sizeof s->batch, "%lld", (long long)t->batch);
	for (int c = 0; c < k->def->ncols; c++)
		cells[c] = fill_cell(s, t, k->def->fields[c]);
	k->n++;
	put_row(s, k, cells);
	count_row(s, k, t, which);
	if (s->nomem)
		return td_error_set(s->err, TD_ERR_NOMEM, "out of memory");
	return s->failed ? TD_ERR_IO : 0;
}

/* ---- XLSX ------------------------------------------------------------------ */

static int xlsx_head(lxw_workbook *wb, struct sink *k, lxw_format *bold)
{
	const struct list *l = k->def;

	if (!(k->ws = workbook_add_worksheet(wb, l->sheet)))
		return -1;
	for (int c = 0; c < l->ncols; c++)
		worksheet_write_string(k->ws, 0, (lxw_col_t)c, l->headers[c], bold);
	worksheet_set_column(k->ws, 1, (lxw_col_t)(l->ncols - 1), 24, NULL);
	k->row = 0;
	return 0;
}

/* After the rows: the totals per agency, then the sum. */
static void xlsx_totals(struct sink *k, lxw_format *bold)
{
	lxw_worksheet *ws = k->ws;
	char buf[TD_CSV_MAX_FIELD + 2];
	lxw_row_t row = k->row + 2;

	worksheet_write_string(ws, row, 0, "Tổng theo cơ quan", bold);
	worksheet_write_string(ws, row, 1, "Mã cơ quan", bold);
	worksheet_write_string(ws, row, 2, "Tên cơ quan", bold);
	worksheet_write_string(ws, row, 3, "Số lượng", bold);
	for (struct total *t = k->totals; t; t = t->next) {
		row++;
		worksheet_write_string(ws, row, 1, safe(t->code, buf, sizeof buf), NULL);
		worksheet_write_string(ws, row, 2, safe(t->name, buf, sizeof buf), NULL);
		worksheet_write_number(ws, row, 3, (double)t->n, NULL);
	}
	row++;
	worksheet_write_string(ws, row, 0, "Tổng cộng", bold);
	worksheet_write_number(ws, row, 3, (double)k->n, bold);
}

/* What failed in the workbook, for the message. */
struct xlsx_fail {
	const char *lib;     /* libxlsxwriter's name for it, or NULL */
	int sheet;           /* the sheet that could not be added, or -1 */
	int unwritten;       /* a sheet's rows were cut off (xlsx_check.h) */
	int err_filled;      /* the registry's error (or memory) is in err */
};

/* The workbook into the file libxlsxwriter opens by name; the rows are
 * read from the registry meanwhile.  0, or -1 with *f saying what. */
static int build_xlsx(struct td_registry *reg, const char *write_path,
                      struct stream *s, struct xlsx_fail *f, struct td_error *err)
{
	lxw_workbook_options o = { .constant_memory = LXW_TRUE };
	lxw_workbook *wb;
	lxw_error e;
	int rc = TD_OK;

	if (!(wb = workbook_new_opt(write_path, &o)))
		return -1;
	s->bold = workbook_add_format(wb);
	format_set_bold(s->bold);
	for (int i = 0; i < NLISTS; i++)
		if (xlsx_head(wb, &s->sinks[i], s->bold) < 0) {
			workbook_close(wb);
			f->sheet = i;
			return -1;
		}
	/* the workbook's own thread; without one (NULL), the rows are
	 * written here as they are read */
	s->pipe = td_rowpipe_start(xlsx_piped_row, s);
	rc = td_reg_each_tag(reg, NULL, s->opts->batch, stream_tag, s, err);
	if (s->pipe && td_rowpipe_finish(s->pipe) != 0) {
		s->failed = 1;
		rc = rc == TD_OK ? TD_ERR_IO : rc;
	}
	s->pipe = NULL;
	/* a row libxlsxwriter refused is said below, not as the registry's */
	f->err_filled = rc < 0 && !s->failed;
	for (int i = 0; rc == TD_OK && i < NLISTS; i++)
		xlsx_totals(&s->sinks[i], s->bold);
	f->unwritten = rc == TD_OK && td_xlsx_unwritten(wb);
	if ((e = workbook_close(wb)) != LXW_NO_ERROR && rc == TD_OK)
		f->lib = lxw_strerror(e);
	return rc == TD_OK && !f->lib && !f->unwritten ? 0 : -1;
}

/* libxlsxwriter prints its own "[ERROR]" lines on stderr: they are caught
 * (td_stderr_catch) and the system's reason goes into tokendesk's
 * message instead. */
static int write_xlsx(struct td_registry *reg, const char *path, struct stream *s,
                      struct td_error *err)
{
	struct xlsx_fail f = { NULL, -1, 0, 0 };
	struct td_stderr_catch quiet;
	struct td_outfile out;
	const char *name;
	char why[256];
	int rc;

	if ((rc = td_outfile_open(&out, path, err)) < 0)
		return rc;
	if (!(name = td_outfile_lib_path(&out, err))) {
		td_outfile_abandon(&out);
		return err->code;
	}
	td_stderr_catch_begin(&quiet);
	rc = build_xlsx(reg, name, s, &f, err);
	td_stderr_catch_end(&quiet, why, sizeof why);
	if (rc == 0)
		return td_outfile_commit(&out, err);
	td_outfile_abandon(&out);
	if (f.err_filled)
		return err->code;
	if (f.sheet >= 0)
		return td_error_set_at(err, TD_ERR_IO, path, 0, NULL,
		                       "cannot add sheet %s", list_defs[f.sheet].sheet);
	if (f.unwritten)
		return td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "cannot write a"
		                       " sheet's rows to its temporary file (disk full?)");
	return td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "%s%s%s%s",
	                       f.lib ? f.lib : s->failed ? "cannot write a row"
	                                                 : "cannot start the workbook",
	                       why[0] ? " (" : "", why, why[0] ? ")" : "");
}

/* ---- CSV ------------------------------------------------------------------- */

static int csv_totals(FILE *f, const struct sink *k)
{
	char n[24];
	const char *blank[1] = { "" }, *head[4] = { "Tổng theo cơ quan", "Mã cơ quan",
	                                          "Tên cơ quan", "Số lượng" };
	int rc = td_csv_write(f, 1, blank, 0) | td_csv_write(f, 4, head, 0);

	for (struct total *t = k->totals; rc == 0 && t; t = t->next) {
		snprintf(n, sizeof n, "%ld", t->n);
		const char *row[4] = { "", t->code, t->name, n };
		rc = td_csv_write(f, 4, row, TD_CSV_NEUTRALIZE);
	}
	snprintf(n, sizeof n, "%ld", k->n);
	const char *sum[4] = { "Tổng cộng", "", "", n };
	return rc ? rc : td_csv_write(f, 4, sum, 0);
}

/* The lists go to DOST together: all are written before any is put in
 * place, so a failure leaves none of them half-written. */
static int write_csv(struct td_registry *reg, const char *dir, struct stream *s,
                     struct td_error *err)
{
	struct td_outdir folder;
	char path[4096];
	int n = 0, rc;

	/* made by tokendesk, so opened as its own: never through a link */
	if ((rc = td_outdir_open(&folder, dir, err)) < 0)
		return rc;
	for (; n < NLISTS && rc == TD_OK; n++) {
		struct sink *k = &s->sinks[n];
		if ((rc = td_outfile_open_in(&k->out, &folder, td_lists_csv_names[n],
		                             err)) < 0)
			break;
		k->open = 1;
		fputs("\xEF\xBB\xBF", k->out.f);   /* BOM: Excel then reads UTF-8 */
		if (td_csv_write(k->out.f, (size_t)k->def->ncols, k->def->headers,
		                 TD_CSV_NEUTRALIZE) < 0)
			s->failed = 1;
	}
	if (rc == TD_OK)
		rc = td_reg_each_tag(reg, NULL, s->opts->batch, stream_tag, s, err);
	/* a file that could not be written stopped the rows: named below
	 * (err holds nothing of it) */
	if (rc < 0 && s->failed)
		rc = TD_OK;
	for (int i = 0; i < n && rc == TD_OK; i++) {
		struct sink *k = &s->sinks[i];
		if (csv_totals(k->out.f, k) < 0 || fflush(k->out.f) != 0 ||
		    ferror(k->out.f)) {
			snprintf(path, sizeof path, "%s/%s", dir, td_lists_csv_names[i]);
			rc = td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "write failed");
		}
	}
	if (rc == TD_OK && s->failed)
		rc = td_error_set_at(err, TD_ERR_IO, dir, 0, NULL, "write failed");
	/* once one fails (a write, or a commit midway) the rest are dropped */
	for (int i = 0; i < NLISTS; i++) {
		struct sink *k = &s->sinks[i];
		if (!k->open)
			continue;
		k->open = 0;
		if (rc < 0)
			td_outfile_abandon(&k->out);
		else
			rc = td_outfile_commit(&k->out, err);
	}
	td_outdir_close(&folder);
	return rc;
}

/* A batch that does not exist is said before anything is made. */
static int batch_known(struct td_registry *reg, int64_t batch, struct td_error *err)
{
	int rc;

	if (!batch)
		return TD_OK;
	if ((rc = td_reg_tag_batch_exists(reg, batch, err)) < 0)
		return rc;
	return rc ? TD_OK : td_error_set(err, TD_ERR_NOTFOUND, "there is no batch %lld "
	                                 "(`tokendesk tag list` shows the batches sent); "
	                                 "nothing written", (long long)batch);
}

int td_lists_write(struct td_registry *reg, const char *path,
                   const struct td_lists_opts *opts,
                   struct td_lists_report *rep, struct td_error *err)
{
	struct stream *s = calloc(1, sizeof *s);
	int rc = TD_OK;

	memset(rep, 0, sizeof *rep);
	if (!s || !(s->arena = td_arena_new())) {
		free(s);
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	s->opts = opts;
	s->err = err;
	for (int i = 0; i < NLISTS && rc == TD_OK; i++) {
		s->sinks[i].def = &list_defs[i];
		s->sinks[i].tail = &s->sinks[i].totals;
		if (!(s->sinks[i].groups = td_strmap_new(256)))
			rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	if (rc == TD_OK && !(s->names = td_agency_names_load(reg, err)))
		rc = err->code;
	if (rc == TD_OK)
		rc = batch_known(reg, opts->batch, err);
	if (rc == TD_OK)
		rc = opts->format == TD_LISTS_XLSX ? write_xlsx(reg, path, s, err)
		                                   : write_csv(reg, path, s, err);
	if (rc == TD_OK) {
		rep->revoke = s->sinks[0].n;
		rep->change_info = s->sinks[1].n;
		rep->collect = s->sinks[2].n;
		rep->handover_dossiers = s->sinks[3].n;
		rep->renew = s->sinks[4].n;
		rep->recover_token = s->sinks[5].n;
		rep->new_issue = s->sinks[6].n;
	}
	for (int i = 0; i < NLISTS; i++)
		td_strmap_free(s->sinks[i].groups);
	td_agency_names_free(s->names);
	td_arena_free(s->arena);
	free(s);
	return rc;
}
