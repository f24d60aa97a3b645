/* count_report.c: a count's minutes (biên bản kiểm đếm) as text and XLSX,
 * with the lines the counter and the head of the unit sign. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "tokendesk/count.h"
#include "tokendesk/outfile.h"
#include "tokendesk/text.h"

static const char *const section_title[4] = {
	"Có mặt đúng nơi quản lý (found)",
	"Thiếu, chưa kiểm thấy (missing)",
	"Không thuộc phạm vi kiểm đếm (unexpected)",
	"Số serial không có trong sổ (unknown)",
};

static const char *nz(const char *s)
{
	return s && *s ? s : "-";
}

static void text_header(FILE *f, const struct td_count_report *r)
{
	const struct td_count *c = &r->count;
	const struct td_count_tally *t = &r->tally;

	fprintf(f, "BIÊN BẢN KIỂM ĐẾM THIẾT BỊ LƯU KHÓA BÍ MẬT\n");
	fprintf(f, "(Token inventory count)\n\n");
	fprintf(f, "Đợt kiểm đếm số:  %" PRId64 "  (%s)\n", c->id, c->uid);
	fprintf(f, "Phạm vi:          %s %s%s%s%s\n", c->scope_kind, c->scope,
	        c->scope_name ? " - " : "", c->scope_name ? c->scope_name : "", "");
	fprintf(f, "Bắt đầu:          %s  (%s)\n", c->started_at, c->operator_name);
	fprintf(f, "Kết thúc:         %s%s%s%s\n", c->closed_at ? c->closed_at :
	        "chưa kết thúc (open)", c->closed_by ? "  (" : "",
	        c->closed_by ? c->closed_by : "", c->closed_by ? ")" : "");
	fprintf(f, "\nKẾT QUẢ\n");
	fprintf(f, "  Theo sổ phải có (expected):   %" PRId64 "\n", t->expected);
	fprintf(f, "  Có mặt (found):               %" PRId64 "\n", t->found);
	fprintf(f, "  Thiếu (missing):              %" PRId64 "\n", t->missing);
	fprintf(f, "  Ngoài phạm vi (unexpected):   %" PRId64 "\n", t->unexpected);
	fprintf(f, "  Quét trùng (duplicate):       %" PRId64 "\n", t->duplicate);
	fprintf(f, "  Không rõ serial (unknown):    %" PRId64 "\n", t->unknown);
	fprintf(f, "  Lượt quét (scans):            %" PRId64 "\n", t->scans);
}

static void text_sections(FILE *f, const struct td_count_report *r)
{
	for (int o = 0; o < 4; o++) {
		const struct td_count_list *l = &r->by[o];
		fprintf(f, "\n%s: %zu\n", section_title[o], l->n);
		for (size_t i = 0; i < l->n; i++) {
			const struct td_count_entry *e = &l->v[i];
			if (o == TD_COUNT_FOUND || o == TD_COUNT_UNKNOWN)
				fprintf(f, "  %s\n", e->serial);
			else
				fprintf(f, "  %-20s %s%s%s%s\n", e->serial,
				        o == TD_COUNT_UNEXPECTED ? "sổ ghi tại: " : "",
				        nz(e->custodian), e->custodian_name ? " - " : "",
				        e->custodian_name ? e->custodian_name : "");
		}
	}
	fprintf(f, "\nQuét trùng (duplicate scans): %zu\n", r->duplicate.n);
	for (size_t i = 0; i < r->duplicate.n; i++)
		fprintf(f, "  %-20s %" PRId64 " lần\n", r->duplicate.v[i].serial,
		        r->duplicate.v[i].scans);
}

/* Left column padded by display width, not bytes (Vietnamese marks). */
static void two_columns(FILE *f, const char *left, const char *right)
{
	int pad = 36 - td_display_width(left);

	fprintf(f, "%s%*s%s\n", left, pad > 1 ? pad : 1, "", right);
}

static void text_signatures(FILE *f)
{
	char today[11];

	td_today(today);
	fprintf(f, "\nLập ngày %s\n\n", today);
	two_columns(f, "NGƯỜI KIỂM ĐẾM", "THỦ TRƯỞNG ĐƠN VỊ");
	two_columns(f, "Người kiểm đếm", "Thủ trưởng đơn vị");
	two_columns(f, "(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)");
	fputs("\n\n\n", f);
	two_columns(f, "..............................", "..............................");
}

int td_count_report_write_text(const struct td_count_report *rep,
                               const char *path, struct td_error *err)
{
	struct td_outfile out;
	int rc = td_outfile_open(&out, path, err);

	if (rc < 0)
		return rc;
	text_header(out.f, rep);
	text_sections(out.f, rep);
	text_signatures(out.f);
	return td_outfile_commit(&out, err);
}

/* ---- XLSX ------------------------------------------------------------------ */

static void xlsx_summary(lxw_workbook *wb, const struct td_count_report *r,
                         lxw_format *bold)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Tổng hợp");
	const struct td_count *c = &r->count;
	const struct td_count_tally *t = &r->tally;
	const struct { const char *label; int64_t v; } rows[] = {
		{ "Theo sổ phải có (expected)", t->expected },
		{ "Có mặt (found)", t->found }, { "Thiếu (missing)", t->missing },
		{ "Ngoài phạm vi (unexpected)", t->unexpected },
		{ "Quét trùng (duplicate)", t->duplicate },
		{ "Không rõ serial (unknown)", t->unknown },
		{ "Lượt quét (scans)", t->scans },
	};
	lxw_row_t row = 0;

	worksheet_set_column(ws, 0, 0, 34, NULL);
	worksheet_set_column(ws, 1, 1, 48, NULL);
	worksheet_write_string(ws, row++, 0, "BIÊN BẢN KIỂM ĐẾM THIẾT BỊ LƯU KHÓA BÍ MẬT", bold);
	worksheet_write_string(ws, row, 0, "Đợt kiểm đếm", NULL);
	worksheet_write_number(ws, row, 1, (double)c->id, NULL);
	worksheet_write_string(ws, ++row, 0, "Mã đợt (uid)", NULL);
	worksheet_write_string(ws, row, 1, c->uid, NULL);
	worksheet_write_string(ws, ++row, 0, "Phạm vi", NULL);
	worksheet_write_string(ws, row, 1, c->scope_name ? c->scope_name : c->scope, NULL);
	worksheet_write_string(ws, ++row, 0, "Bắt đầu", NULL);
	worksheet_write_string(ws, row, 1, c->started_at, NULL);
	worksheet_write_string(ws, ++row, 0, "Kết thúc", NULL);
	worksheet_write_string(ws, row, 1, c->closed_at ? c->closed_at : "chưa kết thúc", NULL);
	row += 2;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, row++) {
		worksheet_write_string(ws, row, 0, rows[i].label, NULL);
		worksheet_write_number(ws, row, 1, (double)rows[i].v, NULL);
	}
	row += 2;
	worksheet_write_string(ws, row, 0, "NGƯỜI KIỂM ĐẾM", bold);
	worksheet_write_string(ws, row++, 1, "THỦ TRƯỞNG ĐƠN VỊ", bold);
	worksheet_write_string(ws, row, 0, "Người kiểm đếm (Ký, ghi rõ họ tên)", NULL);
	worksheet_write_string(ws, row, 1, "Thủ trưởng đơn vị (Ký, ghi rõ họ tên, đóng dấu)", NULL);
}

static void xlsx_lines(lxw_workbook *wb, const struct td_count_report *r,
                       lxw_format *bold)
{
	static const char *const outcome_vi[4] = {
		"Có mặt", "Thiếu", "Ngoài phạm vi", "Không rõ serial"
	};
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Chi tiết");
	const char *head[] = { "Serial", "Kết quả", "Số lần quét", "Nơi quản lý theo sổ",
	                       "Tên" };
	lxw_row_t row = 1;

	for (int i = 0; i < 5; i++)
		worksheet_write_string(ws, 0, (lxw_col_t)i, head[i], bold);
	worksheet_set_column(ws, 0, 0, 22, NULL);
	worksheet_set_column(ws, 1, 1, 18, NULL);
	worksheet_set_column(ws, 3, 4, 30, NULL);
	for (int o = 0; o < 4; o++)
		for (size_t i = 0; i < r->by[o].n; i++, row++) {
			const struct td_count_entry *e = &r->by[o].v[i];
			worksheet_write_string(ws, row, 0, e->serial, NULL);
			worksheet_write_string(ws, row, 1, outcome_vi[o], NULL);
			worksheet_write_number(ws, row, 2, (double)e->scans, NULL);
			if (e->custodian)
				worksheet_write_string(ws, row, 3, e->custodian, NULL);
			if (e->custodian_name)
				worksheet_write_string(ws, row, 4, e->custodian_name, NULL);
		}
}

/* The workbook into the temporary file (libxlsxwriter writes by name);
 * the library's name for what failed into *lib, or NULL. */
static int build_xlsx(const char *write_path, const struct td_count_report *rep,
                      const char **lib)
{
	lxw_workbook *wb;
	lxw_format *bold;
	lxw_error lerr;

	*lib = NULL;
	if (!(wb = workbook_new(write_path)))
		return -1;
	bold = workbook_add_format(wb);
	format_set_bold(bold);
	xlsx_summary(wb, rep, bold);
	xlsx_lines(wb, rep, bold);
	if ((lerr = workbook_close(wb)) != LXW_NO_ERROR) {
		*lib = lxw_strerror(lerr);
		return -1;
	}
	return 0;
}

/* libxlsxwriter prints its own "[ERROR]" lines on stderr (across the
 * desk's screen, too): they are caught and the system's reason goes into
 * tokendesk's message instead. */
int td_count_report_write_xlsx(const struct td_count_report *rep,
                               const char *path, struct td_error *err)
{
	struct td_stderr_catch quiet;
	struct td_outfile out;
	const char *lib;
	char why[256];
	int rc = td_outfile_open(&out, path, err);

	if (rc < 0)
		return rc;
	td_stderr_catch_begin(&quiet);
	rc = build_xlsx(out.write_path, rep, &lib);
	td_stderr_catch_end(&quiet, why, sizeof why);
	if (rc == 0)
		return td_outfile_commit(&out, err);
	td_outfile_abandon(&out);
	if (!lib)
		return td_error_set(err, TD_ERR_IO, "cannot create %s%s%s%s", path,
		                    why[0] ? " (" : "", why, why[0] ? ")" : "");
	return td_error_set(err, TD_ERR_IO, "writing %s: %s%s%s%s", path, lib,
	                    why[0] ? " (" : "", why, why[0] ? ")" : "");
}
