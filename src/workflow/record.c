/* record.c: loading a handover record back from the registry, and the
 * plain-text rendering.  The record is built only from what was stored at
 * commit, so printing it again next year gives the same paper. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "workflow/record_internal.h"

/* ---- loading --------------------------------------------------------------- */

static void item_clear(struct td_record_item *it)
{
	char **f[] = { &it->key, &it->detail, &it->from, &it->from_name,
	               &it->holders, &it->certs, &it->state_before,
	               &it->state_after, &it->condition, &it->remarks, &it->proof,
	               &it->proof_detail };

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
}

void td_record_clear(struct td_record *r)
{
	char **f[] = { &r->number, &r->kind, &r->at, &r->date, &r->place,
	               &r->operator_name, &r->from, &r->from_name, &r->to,
	               &r->to_name, &r->condition, &r->remarks };

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
	for (size_t i = 0; i < r->nitems; i++)
		item_clear(&r->items[i]);
	free(r->items);
	r->items = NULL;
	r->nitems = 0;
}

struct load_ctx {
	struct td_record *r;
	size_t cap;
	int oom;
};

/* Take ownership of the row's strings: they are freed by the caller's
 * clear, so steal them and leave NULLs behind. */
#define STEAL(dst, src) do { (dst) = (src); (src) = NULL; } while (0)

static int load_item(const struct td_handover_item_row *row, void *ctx)
{
	struct load_ctx *lc = ctx;
	struct td_handover_item_row *it = (struct td_handover_item_row *)row;
	struct td_record_item *d;

	if (lc->r->nitems == lc->cap) {
		size_t cap = lc->cap ? lc->cap * 2 : 16;
		struct td_record_item *p = realloc(lc->r->items, cap * sizeof *p);
		if (!p) {
			lc->oom = 1;
			return 1;
		}
		lc->r->items = p;
		lc->cap = cap;
	}
	d = &lc->r->items[lc->r->nitems++];
	STEAL(d->key, it->key);
	STEAL(d->detail, it->detail);
	STEAL(d->from, it->from_custodian);
	STEAL(d->from_name, it->from_name);
	STEAL(d->holders, it->holders);
	STEAL(d->certs, it->certs);
	STEAL(d->state_before, it->state_before);
	STEAL(d->state_after, it->state_after);
	STEAL(d->condition, it->condition);
	STEAL(d->remarks, it->remarks);
	STEAL(d->proof, it->proof);
	STEAL(d->proof_detail, it->proof_detail);
	return 0;
}

int td_record_load(struct td_registry *reg, const char *number,
                   struct td_record *out, struct td_error *err)
{
	struct td_handover_row h;
	struct load_ctx lc = { out, 0, 0 };
	int rc;

	memset(out, 0, sizeof *out);
	if (*number == '#')
		number++;
	if ((rc = td_reg_get_handover(reg, number, &h, err)) < 0)
		return rc;
	out->id = h.id;
	STEAL(out->number, h.number);
	STEAL(out->kind, h.kind);
	STEAL(out->at, h.at);
	STEAL(out->place, h.place);
	STEAL(out->operator_name, h.operator_name);
	STEAL(out->from, h.from_custodian);
	STEAL(out->from_name, h.from_name);
	STEAL(out->to, h.to_custodian);
	STEAL(out->to_name, h.to_name);
	STEAL(out->condition, h.condition);
	STEAL(out->remarks, h.remarks);
	td_handover_row_clear(&h);
	if (out->at && (out->date = malloc(16))) {
		int d, m, y;
		td_rec_date(out, &d, &m, &y);
		snprintf(out->date, 16, "%04d-%02d-%02d", y, m, d);
	}
	rc = td_reg_each_handover_item(reg, out->id, load_item, &lc, err);
	if (lc.oom || !out->date)
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc < 0)
		td_record_clear(out);
	return rc < 0 ? rc : TD_OK;
}

/* ---- wording shared with the PDF ------------------------------------- */

const char *td_rec_title(const struct td_record *r)
{
	return r->kind && strcmp(r->kind, "dossier") == 0 ?
	       "BIÊN BẢN BÀN GIAO HỒ SƠ YÊU CẦU CHỨNG THỰC" :
	       "BIÊN BẢN BÀN GIAO THIẾT BỊ LƯU KHÓA BÍ MẬT";
}

const char *td_rec_unit(const struct td_record *r)
{
	return r->kind && strcmp(r->kind, "dossier") == 0 ? "hồ sơ" : "thiết bị";
}

const char *td_rec_state_label(const char *state)
{
	static const char *const map[][2] = {
		{ "in_use", "đang sử dụng" }, { "at_agency", "tại cơ quan quản lý" },
		{ "at_dost", "tại Sở KH&CN" }, { "sent_to_ca", "gửi Ban Cơ yếu" },
		{ "lost", "bị mất" }, { "damaged", "bị hỏng" },
		{ "open", "đang xử lý" }, { "submitted", "đã gửi" },
		{ "done", "đã xong" }, { "cancelled", "đã hủy" },
	};

	if (!state)
		return "";
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(state, map[i][0]) == 0)
			return map[i][1];
	return state;
}

const char *td_rec_proof_label(const char *proof)
{
	if (proof && strcmp(proof, "matched") == 0)
		return "đã xác minh khóa khớp chứng thư";
	if (proof && strcmp(proof, "not_matched") == 0)
		return "xác minh KHÔNG đạt";
	return "";
}

/* at is UTC ("YYYY-MM-DDTHH:MM:SSZ"); the paper shows the local date. */
void td_rec_date(const struct td_record *r, int *day, int *month, int *year)
{
	struct tm tm = { 0 };
	time_t t;

	*day = *month = *year = 0;
	if (!r->at || sscanf(r->at, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
	                     &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	localtime_r(&t, &tm);
	*day = tm.tm_mday;
	*month = tm.tm_mon + 1;
	*year = tm.tm_year + 1900;
}

const char *td_rec_party(const char *custodian, const char *name, char *buf,
                         size_t size)
{
	if (name && *name)
		snprintf(buf, size, "%s (%s)", name, custodian ? custodian : "");
	else
		snprintf(buf, size, "%s", custodian ? custodian : "");
	return buf;
}

int td_rec_item_remarks_shown(const struct td_record *r,
                              const struct td_record_item *it)
{
	/* The handover's remarks may carry a "[ghi nhận ngoại lệ]" tail
	 * ("[forced]" in older records) after the batch's own text, which
	 * the items repeat. */
	return it->remarks && *it->remarks &&
	       (!r->remarks || strncmp(r->remarks, it->remarks, strlen(it->remarks)) != 0);
}

/* The items that stand for the distinct givers, in order of first
 * appearance: the g-th of them (g < td_rec_ngivers). */
static int first_of_giver(const struct td_record *r, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(r->items[j].from ? r->items[j].from : "",
		           r->items[i].from ? r->items[i].from : "") == 0)
			return 0;
	return 1;
}

size_t td_rec_ngivers(const struct td_record *r)
{
	size_t n = 0;

	if (r->from || r->nitems == 0)
		return 1;
	for (size_t i = 0; i < r->nitems; i++)
		n += (size_t)first_of_giver(r, i);
	return n;
}

const struct td_record_item *td_rec_giver(const struct td_record *r, size_t g)
{
	for (size_t i = 0; i < r->nitems; i++)
		if (first_of_giver(r, i) && g-- == 0)
			return &r->items[i];
	return r->nitems ? &r->items[0] : NULL;
}

int td_rec_mixed_givers(const struct td_record *r)
{
	for (size_t i = 1; i < r->nitems; i++)
		if (strcmp(r->items[i].from ? r->items[i].from : "",
		           r->items[0].from ? r->items[0].from : "") != 0)
			return 1;
	return 0;
}

/* ---- text --------------------------------------------------------------- */

static void text_item(const struct td_record *r, const struct td_record_item *it,
                      size_t n, int mixed, FILE *f)
{
	char party[1024];
	int dossier = r->kind && strcmp(r->kind, "dossier") == 0;

	fprintf(f, "%3zu. %s %s", n, dossier ? "Hồ sơ" : "Thiết bị", it->key);
	if (it->detail && *it->detail)
		fprintf(f, " (%s)", dossier ? td_dossier_kind_label(it->detail) : it->detail);
	fputc('\n', f);
	if (it->holders)
		fprintf(f, "     %s: %s\n", dossier ? "Thuê bao" : "Người sử dụng",
		        it->holders);
	if (it->certs)
		fprintf(f, "     Chứng thư số: %s\n", it->certs);
	if (mixed)
		fprintf(f, "     Bên giao: %s\n",
		        td_rec_party(it->from, it->from_name, party, sizeof party));
	if (!dossier)
		fprintf(f, "     Trạng thái: %s -> %s\n", td_rec_state_label(it->state_before),
		        td_rec_state_label(it->state_after));
	if (it->condition && *it->condition &&
	    (!r->condition || strcmp(it->condition, r->condition) != 0))
		fprintf(f, "     Tình trạng: %s\n", it->condition);
	/* The label only, as in the PDF: the token layer's detail is an
	 * English sentence, out of place in a Vietnamese record (it stays
	 * in the registry and in --json). */
	if (it->proof && strcmp(it->proof, "skipped") != 0)
		fprintf(f, "     Xác minh sở hữu: %s\n", td_rec_proof_label(it->proof));
	if (td_rec_item_remarks_shown(r, it))
		fprintf(f, "     Ghi chú: %s\n", it->remarks);
}

int td_record_write_text(const struct td_record *r, FILE *f, struct td_error *err)
{
	char party[1024];
	int d, m, y, mixed = td_rec_mixed_givers(r);

	td_rec_date(r, &d, &m, &y);
	fprintf(f, "%s\n%s\n\n%s\nSố: %s\n\n", TD_REC_NATION, TD_REC_MOTTO,
	        td_rec_title(r), r->number);
	fprintf(f, "Hôm nay, ngày %02d tháng %02d năm %04d, tại %s, chúng tôi gồm:\n",
	        d, m, y, r->place && *r->place ? r->place : "........................");
	fprintf(f, "Bên giao: %s\n", r->from ?
	        td_rec_party(r->from, r->from_name, party, sizeof party) :
	        "các bên giao ghi theo từng mục dưới đây");
	fprintf(f, "Bên nhận: %s\n", td_rec_party(r->to, r->to_name, party, sizeof party));
	fprintf(f, "Người lập biên bản: %s\n\n", r->operator_name);
	fprintf(f, "Hai bên thống nhất bàn giao %zu %s sau:\n\n", r->nitems, td_rec_unit(r));
	for (size_t i = 0; i < r->nitems; i++)
		text_item(r, &r->items[i], i + 1, mixed && !r->from, f);
	fprintf(f, "\nTổng cộng: %zu %s.\n", r->nitems, td_rec_unit(r));
	if (r->condition && *r->condition)
		fprintf(f, "Tình trạng chung: %s\n", r->condition);
	if (r->remarks && *r->remarks)
		fprintf(f, "Ghi chú: %s\n", r->remarks);
	fprintf(f, "\n%s\n\n", TD_REC_CLOSING);
	/* One block per giver, each named: a batch from several givers is
	 * signed by each of them.  Stacked, not side by side: printf pads
	 * bytes, not columns. */
	size_t ngivers = td_rec_ngivers(r);
	for (size_t g = 0; g < ngivers; g++) {
		const struct td_record_item *it = td_rec_giver(r, g);
		fprintf(f, "BÊN GIAO: %s\n      (Ký, ghi rõ họ tên)\n\n\n\n",
		        td_rec_party(r->from ? r->from : it->from,
		                     r->from ? r->from_name : it->from_name,
		                     party, sizeof party));
	}
	fprintf(f, "BÊN NHẬN: %s\n      (Ký, ghi rõ họ tên)\n\n\n\n",
	        td_rec_party(r->to, r->to_name, party, sizeof party));
	if (fflush(f) != 0 || ferror(f))
		return td_error_set(err, TD_ERR_IO, "writing the record failed");
	return TD_OK;
}
