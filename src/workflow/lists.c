/* lists.c: the lists for DOST (letter 2.1, 2.2, 4), as XLSX or CSV, from
 * the tags.  Rows are gathered first (the lists are small next to the
 * registry), so both formats write the same cells and the same totals. */
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
#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"
#include "workflow/agency_names.h"

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
	struct row { const char *cells[MAX_COLS]; const char *group, *group_name;
	             struct row *next; } *rows, **tail;
	long n;
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
	    HOLDER_FIELDS }, NULL, NULL, 0 },
	{ "Thay đổi thông tin", "change_info", 15,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Tên thuê bao", "Số serial chứng thư",
	    "Nội dung hiện tại (DN)", "Nội dung mới (DN)", "Lý do", "Trạng thái", "Đợt",
	    HOLDER_HEADS },
	  { F_STT, F_CODE, F_NAME, F_HOLDER, F_CERT, F_DN, F_NEW_DN, F_REASON, F_STATE,
	    F_BATCH, HOLDER_FIELDS }, NULL, NULL, 0 },
	{ "Thiết bị thu hồi", "collect", 11,
	  { "STT", "Cơ quan quản lý nhận", "Mã cơ quan của thuê bao", "Tên thuê bao",
	    "Số serial thiết bị", "Lý do", "Trạng thái", "Đợt", "Tên cơ quan nhận",
	    "Tên cơ quan của thuê bao", "Loại thiết bị" },
	  { F_STT, F_TO_CODE, F_CODE, F_HOLDER, F_TOKEN, F_REASON, F_STATE, F_BATCH,
	    F_TO_NAME, F_NAME, F_MODEL }, NULL, NULL, 0 },
	{ "Hồ sơ bàn giao", "handover_dossiers", 8,
	  { "STT", "Mã cơ quan bàn giao", "Tên cơ quan bàn giao", "Cơ quan nhận",
	    "Lý do", "Trạng thái", "Đợt", "Tên cơ quan nhận" },
	  { F_STT, F_DOSSIER_FROM, F_NAME, F_TO_CODE, F_REASON, F_STATE, F_BATCH,
	    F_TO_NAME }, NULL, NULL, 0 },
	{ "Gia hạn", "renew", 14,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Tên thuê bao",
	    "Số serial chứng thư", "Số serial thiết bị", "Lý do", "Trạng thái", "Đợt",
	    HOLDER_HEADS },
	  { F_STT, F_CODE, F_NAME, F_HOLDER, F_CERT, F_TOKEN, F_REASON, F_STATE, F_BATCH,
	    HOLDER_FIELDS }, NULL, NULL, 0 },
	{ "Khôi phục thiết bị", "recover_token", 14,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Tên thuê bao",
	    "Số serial chứng thư", "Số serial thiết bị", "Lý do", "Trạng thái", "Đợt",
	    HOLDER_HEADS },
	  { F_STT, F_CODE, F_NAME, F_HOLDER, F_CERT, F_TOKEN, F_REASON, F_STATE, F_BATCH,
	    HOLDER_FIELDS }, NULL, NULL, 0 },
	{ "Cấp mới", "new_issue", 6,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Lý do", "Trạng thái", "Đợt" },
	  { F_STT, F_CODE, F_NAME, F_REASON, F_STATE, F_BATCH }, NULL, NULL, 0 },
};

/* One call's state: the lists with their gathered rows. */
struct gather {
	struct td_arena *arena;
	struct td_agency_names *names;
	const struct td_lists_opts *opts;
	int nomem;
	long seen;
	struct list lists[NLISTS];
};

static const char *state_vi(const char *s)
{
	if (strcmp(s, "tagged") == 0)
		return "Đã đánh dấu";
	if (strcmp(s, "sent_to_dost") == 0)
		return "Đã gửi Sở KH&CN";
	return "CA đã xác nhận";
}

static const char *adup(struct gather *g, const char *s)
{
	const char *c = td_arena_strdup(g->arena, s ? s : "");

	if (!c)
		g->nomem = 1;
	return c;
}

/* dd/mm/yyyy - dd/mm/yyyy, as a clerk reads a validity. */
static const char *validity(struct gather *g, const struct td_tag *t)
{
	int y1, m1, d1, y2, m2, d2;
	char buf[48];

	if (!t->not_before || !t->not_after ||
	    sscanf(t->not_before, "%4d-%2d-%2d", &y1, &m1, &d1) != 3 ||
	    sscanf(t->not_after, "%4d-%2d-%2d", &y2, &m2, &d2) != 3)
		return "";
	snprintf(buf, sizeof buf, "%02d/%02d/%04d - %02d/%02d/%04d", d1, m1, y1,
	         d2, m2, y2);
	return adup(g, buf);
}

/* A plan tag's reason in Vietnamese (the stored one is English); a
 * reason typed by hand as it was typed. */
static const char *reason_vi(struct gather *g, const struct td_tag *t)
{
	char buf[1024];

	if (!t->origin || strcmp(t->origin, "plan") != 0)
		return t->reason;
	return adup(g, td_plan_reason_vi(t->rule, t->kind, t->reason, buf, sizeof buf));
}

static const char *fill_cell(struct gather *g, const struct td_tag *t,
                             enum field f, const char *batch)
{
	switch (f) {
	case F_STT: return "";
	case F_CODE: return t->agency_code;
	case F_NAME: return td_agency_names_get(g->names, t->agency_code, t->agency_name);
	case F_DOSSIER_FROM: return t->target;
	case F_HOLDER: return t->holder_name;
	case F_CERT: return t->cert_serial ? t->cert_serial : t->target;
	case F_TOKEN: return t->any_token_serial;
	case F_REASON: return reason_vi(g, t);
	case F_STATE: return state_vi(t->state);
	case F_BATCH: return batch;
	case F_DN: return t->subject_dn;
	case F_NEW_DN: return t->detail;
	case F_TO_CODE: return t->detail;
	case F_TO_NAME: return t->detail ? td_agency_names_get(g->names, t->detail, "") : "";
	case F_ID: return t->holder_ext_id;
	case F_POSITION: return t->holder_position;
	case F_EMAIL: return t->holder_email;
	case F_VALIDITY: return validity(g, t);
	case F_MODEL: return t->token_model;
	}
	return "";
}

static int gather_tag(const struct td_tag *t, void *ctx)
{
	struct gather *g = ctx;
	struct list *l = NULL, *lists = g->lists;
	char batch[24] = "";

	g->seen++;
	if (!g->opts->include_confirmed && strcmp(t->state, "confirmed") == 0)
		return 0;
	for (int i = 0; i < NLISTS; i++)
		if (strcmp(t->kind, lists[i].kind) == 0)
			l = &lists[i];
	if (!l)
		return 0;
	struct row *r = td_arena_alloc(g->arena, sizeof *r);
	if (!r)
		return TD_ERR_NOMEM;
	if (t->batch)
		snprintf(batch, sizeof batch, "%lld", (long long)t->batch);
	for (int c = 0; c < l->ncols; c++)
		r->cells[c] = adup(g, fill_cell(g, t, l->fields[c], batch));
	/* totals: tokens by the agency receiving them, dossiers by the agency
	 * handing them over, the rest by their own */
	if (l == &lists[2] && t->detail) {
		r->group = adup(g, t->detail);
		r->group_name = adup(g, td_agency_names_get(g->names, t->detail, ""));
	} else {
		r->group = adup(g, l == &lists[3] ? t->target : t->agency_code);
		r->group_name = adup(g, fill_cell(g, t, F_NAME, batch));
	}
	*l->tail = r;
	l->tail = &r->next;
	l->n++;
	return g->nomem ? TD_ERR_NOMEM : 0;
}

/* Totals per agency, in order of first appearance. */
struct total { const char *code, *name; long n; struct total *next; };

static struct total *totals(struct td_arena *a, const struct list *l)
{
	struct td_strmap *m = td_strmap_new(64);
	struct total *head = NULL, **tail = &head;

	if (!m)
		return NULL;
	for (struct row *r = l->rows; r; r = r->next) {
		struct total *t = td_strmap_get(m, r->group);
		if (!t) {
			if (!(t = td_arena_alloc(a, sizeof *t)) ||
			    td_strmap_put(m, r->group, t) < 0)
				break;
			t->code = r->group;
			t->name = r->group_name;
			*tail = t;
			tail = &t->next;
		}
		t->n++;
	}
	td_strmap_free(m);
	return head;
}

/* The text a cell gets: formula-looking text behind an apostrophe. */
static const char *safe(const char *s, char *buf, size_t size)
{
	if (!td_csv_is_formula(s))
		return s;
	snprintf(buf, size, "'%s", s);
	return buf;
}

/* ---- XLSX ------------------------------------------------------------------ */

static int xlsx_sheet(lxw_workbook *wb, struct td_arena *a, const struct list *l,
                      lxw_format *bold)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, l->sheet);
	char buf[TD_CSV_MAX_FIELD + 2];
	lxw_row_t row = 0;
	long stt = 0;

	if (!ws)
		return -1;
	for (int c = 0; c < l->ncols; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, l->headers[c], bold);
	worksheet_set_column(ws, 1, (lxw_col_t)(l->ncols - 1), 24, NULL);
	for (struct row *r = l->rows; r; r = r->next) {
		row++;
		worksheet_write_number(ws, row, 0, (double)++stt, NULL);
		for (int c = 1; c < l->ncols; c++)
			worksheet_write_string(ws, row, (lxw_col_t)c,
			                       safe(r->cells[c], buf, sizeof buf), NULL);
	}
	row += 2;
	worksheet_write_string(ws, row, 0, "Tổng theo cơ quan", bold);
	worksheet_write_string(ws, row, 1, "Mã cơ quan", bold);
	worksheet_write_string(ws, row, 2, "Tên cơ quan", bold);
	worksheet_write_string(ws, row, 3, "Số lượng", bold);
	for (struct total *t = totals(a, l); t; t = t->next) {
		row++;
		worksheet_write_string(ws, row, 1, safe(t->code, buf, sizeof buf), NULL);
		worksheet_write_string(ws, row, 2, safe(t->name, buf, sizeof buf), NULL);
		worksheet_write_number(ws, row, 3, (double)t->n, NULL);
	}
	row++;
	worksheet_write_string(ws, row, 0, "Tổng cộng", bold);
	worksheet_write_number(ws, row, 3, (double)l->n, bold);
	return 0;
}

/* The workbook into the file out holds (libxlsxwriter writes by name);
 * the library's name for what failed into *lib, or NULL. */
static int build_xlsx(const char *write_path, struct td_arena *a,
                      struct list *lists, const char **lib)
{
	lxw_workbook *wb;
	lxw_format *bold;
	lxw_error e;

	*lib = NULL;
	if (!(wb = workbook_new(write_path)))
		return -1;
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	for (int i = 0; i < NLISTS; i++)
		if (xlsx_sheet(wb, a, &lists[i], bold) < 0) {
			workbook_close(wb);
			return -2 - i;
		}
	if ((e = workbook_close(wb)) != LXW_NO_ERROR) {
		*lib = lxw_strerror(e);
		return -1;
	}
	return 0;
}

/* libxlsxwriter prints its own "[ERROR]" lines on stderr: they are caught
 * (td_stderr_catch) and the system's reason goes into tokendesk's
 * message instead. */
static int write_xlsx(const char *path, struct td_arena *a, struct list *lists,
                      struct td_error *err)
{
	struct td_stderr_catch quiet;
	struct td_outfile out;
	const char *lib, *name;
	char why[256];
	int rc;

	if ((rc = td_outfile_open(&out, path, err)) < 0)
		return rc;
	if (!(name = td_outfile_lib_path(&out, err))) {
		td_outfile_abandon(&out);
		return err->code;
	}
	td_stderr_catch_begin(&quiet);
	rc = build_xlsx(name, a, lists, &lib);
	td_stderr_catch_end(&quiet, why, sizeof why);
	if (rc == 0)
		return td_outfile_commit(&out, err);
	td_outfile_abandon(&out);
	if (rc < -1)
		return td_error_set_at(err, TD_ERR_IO, path, 0, NULL,
		                       "cannot add sheet %s", lists[-rc - 2].sheet);
	return td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "%s%s%s%s",
	                       lib ? lib : "cannot start the workbook",
	                       why[0] ? " (" : "", why, why[0] ? ")" : "");
}

/* ---- CSV ------------------------------------------------------------------- */

static int csv_list(FILE *f, struct td_arena *a, const struct list *l)
{
	const char *v[MAX_COLS];
	char stt[24], n[24];
	long i = 0;
	int rc = td_csv_write(f, (size_t)l->ncols, l->headers, TD_CSV_NEUTRALIZE);

	for (struct row *r = l->rows; rc == 0 && r; r = r->next) {
		memcpy(v, r->cells, sizeof v);
		snprintf(stt, sizeof stt, "%ld", ++i);
		v[0] = stt;
		rc = td_csv_write(f, (size_t)l->ncols, v, TD_CSV_NEUTRALIZE);
	}
	const char *blank[1] = { "" }, *head[4] = { "Tổng theo cơ quan", "Mã cơ quan",
	                                          "Tên cơ quan", "Số lượng" };
	if (rc == 0)
		rc = td_csv_write(f, 1, blank, 0) | td_csv_write(f, 4, head, 0);
	for (struct total *t = totals(a, l); rc == 0 && t; t = t->next) {
		snprintf(n, sizeof n, "%ld", t->n);
		const char *row[4] = { "", t->code, t->name, n };
		rc = td_csv_write(f, 4, row, TD_CSV_NEUTRALIZE);
	}
	snprintf(n, sizeof n, "%ld", l->n);
	const char *sum[4] = { "Tổng cộng", "", "", n };
	return rc ? rc : td_csv_write(f, 4, sum, 0);
}

/* The lists go to DOST together: all are written before any
 * is put in place, so a failure leaves none of them half-written. */
static int write_csv(const char *dir, struct td_arena *a, struct list *lists,
                     struct td_error *err)
{
	struct td_outfile out[NLISTS];
	struct td_outdir folder;
	char path[4096];
	int n = 0, rc;

	/* made by tokendesk, so opened as its own: never through a link */
	if ((rc = td_outdir_open(&folder, dir, err)) < 0)
		return rc;
	for (; n < NLISTS && rc == TD_OK; n++) {
		snprintf(path, sizeof path, "%s/%s", dir, td_lists_csv_names[n]);
		if ((rc = td_outfile_open_in(&out[n], &folder, td_lists_csv_names[n],
		                             err)) < 0)
			break;
		fputs("\xEF\xBB\xBF", out[n].f);   /* BOM: Excel then reads UTF-8 */
		if (csv_list(out[n].f, a, &lists[n]) < 0 || ferror(out[n].f))
			rc = td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "write failed");
	}
	/* once one fails (a write, or a commit midway) the rest are dropped */
	for (int i = 0; i < n; i++)
		if (rc < 0)
			td_outfile_abandon(&out[i]);
		else
			rc = td_outfile_commit(&out[i], err);
	td_outdir_close(&folder);
	return rc;
}

int td_lists_write(struct td_registry *reg, const char *path,
                   const struct td_lists_opts *opts,
                   struct td_lists_report *rep, struct td_error *err)
{
	struct gather g = { td_arena_new(), NULL, opts, 0, 0, { { 0 } } };
	struct list *lists = g.lists;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (!g.arena)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (!(g.names = td_agency_names_load(reg, err))) {
		td_arena_free(g.arena);
		return err->code;
	}
	for (int i = 0; i < NLISTS; i++) {
		lists[i] = list_defs[i];
		lists[i].tail = &lists[i].rows;
	}
	rc = td_reg_each_tag(reg, NULL, opts->batch, gather_tag, &g, err);
	if (rc > 0 || rc == TD_ERR_NOMEM || g.nomem)
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc == TD_OK && opts->batch && g.seen == 0)
		rc = td_error_set(err, TD_ERR_NOTFOUND, "there is no batch %lld "
		                  "(`tokendesk tag list` shows the batches sent); nothing "
		                  "written", (long long)opts->batch);
	if (rc == TD_OK)
		rc = opts->format == TD_LISTS_XLSX ? write_xlsx(path, g.arena, lists, err)
		                                   : write_csv(path, g.arena, lists, err);
	rep->revoke = lists[0].n;
	rep->change_info = lists[1].n;
	rep->collect = lists[2].n;
	rep->handover_dossiers = lists[3].n;
	rep->renew = lists[4].n;
	rep->recover_token = lists[5].n;
	rep->new_issue = lists[6].n;
	td_agency_names_free(g.names);
	td_arena_free(g.arena);
	return rc;
}
