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
#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"

#define MAX_COLS 10

const char *const td_lists_csv_names[4] = {
	"thu-hoi-chung-thu.csv", "thay-doi-thong-tin.csv",
	"thiet-bi-thu-hoi.csv", "ho-so-ban-giao.csv"
};

struct list {
	const char *sheet;            /* sheet name (Vietnamese) */
	const char *kind;             /* tag kind listed */
	int ncols;
	const char *headers[MAX_COLS];
	struct row { const char *cells[MAX_COLS]; const char *group, *group_name;
	             struct row *next; } *rows, **tail;
	long n;
};

static const struct list list_defs[4] = {
	{ "Thu hồi chứng thư", "revoke", 9,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Tên thuê bao",
	    "Số serial chứng thư", "Số serial thiết bị", "Lý do", "Trạng thái", "Đợt" }, NULL, NULL, 0 },
	{ "Thay đổi thông tin", "change_info", 10,
	  { "STT", "Mã cơ quan", "Tên cơ quan", "Tên thuê bao", "Số serial chứng thư",
	    "Nội dung hiện tại (DN)", "Nội dung mới (DN)", "Lý do", "Trạng thái", "Đợt" }, NULL, NULL, 0 },
	{ "Thiết bị thu hồi", "collect", 8,
	  { "STT", "Cơ quan quản lý nhận", "Mã cơ quan của thuê bao", "Tên thuê bao",
	    "Số serial thiết bị", "Lý do", "Trạng thái", "Đợt" }, NULL, NULL, 0 },
	{ "Hồ sơ bàn giao", "handover_dossiers", 7,
	  { "STT", "Mã cơ quan bàn giao", "Tên cơ quan bàn giao", "Cơ quan nhận",
	    "Lý do", "Trạng thái", "Đợt" }, NULL, NULL, 0 },
};

/* One call's state: the lists with their gathered rows. */
struct gather {
	struct td_arena *arena;
	const struct td_lists_opts *opts;
	int nomem;
	struct list lists[4];
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

static int gather_tag(const struct td_tag *t, void *ctx)
{
	struct gather *g = ctx;
	struct list *l = NULL, *lists = g->lists;
	char batch[24] = "";

	if (!g->opts->include_confirmed && strcmp(t->state, "confirmed") == 0)
		return 0;
	for (int i = 0; i < 4; i++)
		if (strcmp(t->kind, lists[i].kind) == 0)
			l = &lists[i];
	if (!l)
		return 0;
	struct row *r = td_arena_alloc(g->arena, sizeof *r);
	if (!r)
		return TD_ERR_NOMEM;
	if (t->batch)
		snprintf(batch, sizeof batch, "%lld", (long long)t->batch);
	const char *v[MAX_COLS] = { "" };
	if (l == &lists[0])
		memcpy(v, (const char *[]){ "", t->agency_code, t->agency_name,
		       t->holder_name, t->target, t->token_serial, t->reason,
		       state_vi(t->state), batch }, 9 * sizeof *v);
	else if (l == &lists[1])
		memcpy(v, (const char *[]){ "", t->agency_code, t->agency_name,
		       t->holder_name, t->target, t->subject_dn, t->detail, t->reason,
		       state_vi(t->state), batch }, 10 * sizeof *v);
	else if (l == &lists[2])
		memcpy(v, (const char *[]){ "", t->detail, t->agency_code, t->holder_name,
		       t->target, t->reason, state_vi(t->state), batch }, 8 * sizeof *v);
	else
		memcpy(v, (const char *[]){ "", t->target, t->agency_name, t->detail,
		       t->reason, state_vi(t->state), batch }, 7 * sizeof *v);
	for (int c = 0; c < l->ncols; c++)
		r->cells[c] = adup(g, v[c]);
	/* totals: tokens by the agency receiving them, the rest by their own */
	r->group = adup(g, l == &lists[2] && t->detail ? t->detail
	                  : l == &lists[3] ? t->target : t->agency_code);
	r->group_name = adup(g, l == &lists[2] ? "" : t->agency_name);
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

/* The workbook into the temporary file (libxlsxwriter writes by name);
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
	for (int i = 0; i < 4; i++)
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
	const char *lib;
	char why[256];
	int rc;

	if ((rc = td_outfile_open(&out, path, err)) < 0)
		return rc;
	td_stderr_catch_begin(&quiet);
	rc = build_xlsx(out.write_path, a, lists, &lib);
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

/* The four lists go to DOST together: all four are written before any
 * is put in place, so a failure leaves none of them half-written. */
static int write_csv(const char *dir, struct td_arena *a, struct list *lists,
                     struct td_error *err)
{
	struct td_outfile out[4];
	char path[4096];
	int n = 0, rc = TD_OK;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return td_error_set_at(err, TD_ERR_IO, dir, 0, NULL, "cannot create: %m");
	for (; n < 4 && rc == TD_OK; n++) {
		snprintf(path, sizeof path, "%s/%s", dir, td_lists_csv_names[n]);
		if ((rc = td_outfile_open(&out[n], path, err)) < 0)
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
	return rc;
}

int td_lists_write(struct td_registry *reg, const char *path,
                   const struct td_lists_opts *opts,
                   struct td_lists_report *rep, struct td_error *err)
{
	struct gather g = { td_arena_new(), opts, 0, { { 0 } } };
	struct list *lists = g.lists;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (!g.arena)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	for (int i = 0; i < 4; i++) {
		lists[i] = list_defs[i];
		lists[i].tail = &lists[i].rows;
	}
	rc = td_reg_each_tag(reg, NULL, opts->batch, gather_tag, &g, err);
	if (rc > 0 || rc == TD_ERR_NOMEM || g.nomem)
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc == TD_OK)
		rc = opts->format == TD_LISTS_XLSX ? write_xlsx(path, g.arena, lists, err)
		                                   : write_csv(path, g.arena, lists, err);
	rep->revoke = lists[0].n;
	rep->change_info = lists[1].n;
	rep->collect = lists[2].n;
	rep->handover_dossiers = lists[3].n;
	td_arena_free(g.arena);
	return rc;
}
