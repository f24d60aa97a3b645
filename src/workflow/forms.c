/* forms.c: the Decree 68 request forms (forms.h).  The tags of the
 * template's kinds are gathered, grouped by requesting agency, and laid
 * out into one model (a JSON document: per form its heading lines, the
 * letter, the table, the closing and the signer), which both the XLSX
 * writer here and the PDF helper draw, so both say the same thing. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <unicase.h>
#include <xlsxwriter.h>

#include "tokendesk/csv.h"
#include "tokendesk/forms.h"
#include "tokendesk/outfile.h"
#include "tokendesk/plan.h"
#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"
#include "tokendesk/text.h"
#include "workflow/agency_names.h"
#include "workflow/forms_internal.h"

#define DOTS "........................................"

/* The table's fields a template may name, in docs/formats.md's order. */
static const char *const fields[] = {
	"stt", "holder_name", "holder_id", "position", "email", "cert_serial",
	"token_serial", "token_model", "valid_from", "valid_to", "validity",
	"subject_dn", "new_dn", "reason", "agency", "agency_code", "request",
	NULL
};

/* The letter's placeholders. */
static const char *const placeholders[] = {
	"agency", "agency_upper", "agency_code", "superior", "superior_upper",
	"province", "agency_address", "agency_email", "count", "place",
	"date_vi", "day", "month", "year", "batch", "form", "title", NULL
};

static int in_list(const char *const *list, const char *s, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && strncmp(*list, s, len) == 0)
			return 1;
	return 0;
}

/* ---- the template ---------------------------------------------------------- */

const char *td_forms_dir(char *buf, size_t size)
{
	const char *env = getenv("TOKENDESK_FORMS_DIR");
	char probe[4096];
	FILE *f;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return buf;
	}
	snprintf(probe, sizeof probe, "%s/forms/revoke.json", TD_PKGDATADIR);
	if ((f = fopen(probe, "r"))) {
		fclose(f);
		snprintf(buf, size, "%s/forms", TD_PKGDATADIR);
	} else {
		snprintf(buf, size, "%s", TD_SRC_FORMSDIR);
	}
	return buf;
}

static int bad_template(struct td_error *err, const char *path, const char *what)
{
	return td_error_set_at(err, TD_ERR_DATA, path, 0, NULL,
	                       "not a valid form template: %s (docs/formats.md, Forms)",
	                       what);
}

/* Every placeholder in text is known: a misspelt one would print as is. */
static int text_ok(const char *text)
{
	for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		if (!end || !in_list(placeholders, p + 1, (size_t)(end - p - 1)))
			return 0;
	}
	return 1;
}

/* An array of strings (may be absent when optional). */
static int lines_ok(json_t *tpl, const char *key, int required)
{
	json_t *a = json_object_get(tpl, key), *v;
	size_t i;

	if (!a)
		return !required;
	if (!json_is_array(a))
		return 0;
	json_array_foreach(a, i, v)
		if (!json_is_string(v) || !text_ok(json_string_value(v)))
			return 0;
	return 1;
}

static int columns_ok(json_t *cols)
{
	json_t *c, *f, *h, *w;
	size_t i;

	if (!json_is_array(cols) || json_array_size(cols) == 0 ||
	    json_array_size(cols) > TD_FORM_MAX_COLS)
		return 0;
	json_array_foreach(cols, i, c) {
		f = json_object_get(c, "field");
		h = json_object_get(c, "heading");
		w = json_object_get(c, "width");
		if (!json_is_string(f) || !json_is_string(h) ||
		    !in_list(fields, json_string_value(f), strlen(json_string_value(f))) ||
		    (w && (!json_is_number(w) || json_number_value(w) < 2 ||
		           json_number_value(w) > 200)))
			return 0;
	}
	return 1;
}

static const char *const tag_kinds[] = {
	"change_info", "revoke", "keep", "collect", "handover_dossiers", "renew",
	"recover_token", "new_issue", NULL
};

static int kinds_ok(json_t *kinds)
{
	json_t *k;
	size_t i;

	if (!json_is_array(kinds) || json_array_size(kinds) == 0)
		return 0;
	json_array_foreach(kinds, i, k)
		if (!json_is_string(k) || !in_list(tag_kinds, json_string_value(k),
		                                   strlen(json_string_value(k))))
			return 0;
	return 1;
}

static json_t *template_load(const struct td_forms_opts *o, struct td_error *err)
{
	char dir[4096], path[4352];
	json_error_t jerr;
	json_t *tpl, *title, *form;

	if (o->template_path)
		snprintf(path, sizeof path, "%s", o->template_path);
	else {
		if (!o->kind || !*o->kind || strchr(o->kind, '/') || o->kind[0] == '.') {
			td_error_set(err, TD_ERR_USAGE, "no form kind %s", o->kind ? o->kind : "");
			return NULL;
		}
		snprintf(path, sizeof path, "%s/%s.json", td_forms_dir(dir, sizeof dir),
		         o->kind);
	}
	if (!(tpl = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr))) {
		if (jerr.line < 0 || strstr(jerr.text, "unable to open"))
			td_error_set_at(err, TD_ERR_NOTFOUND, path, 0, NULL,
			                "no such form template (kinds: revoke, change, "
			                "recover, renew)");
		else
			td_error_set_at(err, TD_ERR_DATA, path, jerr.line, NULL,
			                "not a valid form template: %s", jerr.text);
		return NULL;
	}
	form = json_object_get(tpl, "form");
	title = json_object_get(tpl, "title");
	const char *what = !json_is_object(tpl) ? "not a JSON object"
		: !json_is_string(form) || !json_is_string(title) ? "\"form\" and \"title\" are texts"
		: !kinds_ok(json_object_get(tpl, "tags")) ? "\"tags\" lists tag kinds"
		: !columns_ok(json_object_get(tpl, "columns"))
		  ? "\"columns\": heading, a known field, width 2 to 200"
		: !lines_ok(tpl, "letter", 1) ? "\"letter\": texts with known placeholders"
		: !lines_ok(tpl, "left", 0) || !lines_ok(tpl, "right", 0) ||
		  !lines_ok(tpl, "closing", 0) || !lines_ok(tpl, "signer", 0)
		  ? "\"left\", \"right\", \"closing\", \"signer\": texts with known placeholders"
		: NULL;
	if (what) {
		bad_template(err, path, what);
		json_decref(tpl);
		return NULL;
	}
	return tpl;
}

/* ---- what the registry does not hold: agencies' addresses and e-mail -------- */

/* contacts.tsv beside the templates (or beside --template): a line per
 * agency, "CODE<TAB>ADDRESS<TAB>E-MAIL", '#' starts a comment.  The
 * registry holds no addresses; a province keeps them here, and a letter
 * whose agency is not listed leaves them dotted for the pen.  A missing
 * file is no error. */
static struct td_strmap *contacts_load(const struct td_forms_opts *o,
                                       struct td_arena *a)
{
	char dir[4096], path[4352], line[2048];
	struct td_strmap *m;
	FILE *f;

	if (o->template_path) {
		char *slash;
		snprintf(dir, sizeof dir, "%s", o->template_path);
		if ((slash = strrchr(dir, '/')))
			slash[1] = '\0';
		else
			snprintf(dir, sizeof dir, "./");
		snprintf(path, sizeof path, "%scontacts.tsv", dir);
	} else {
		snprintf(path, sizeof path, "%s/contacts.tsv", td_forms_dir(dir, sizeof dir));
	}
	if (!(f = fopen(path, "r")) || !(m = td_strmap_new(64))) {
		if (f)
			fclose(f);
		return NULL;
	}
	while (fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t'), *code = line, *rest;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		rest = td_arena_strdup(a, tab + 1);
		code = td_arena_strdup(a, td_trim(code));
		if (rest && code && *code)
			td_strmap_put(m, code, rest);
	}
	fclose(f);
	return m;
}

/* ---- the rows ---------------------------------------------------------------- */

struct row {
	const char *v[TD_FORM_MAX_COLS];
	struct row *next;
};

struct form {
	const char *agency_code, *agency_name;
	struct row *rows, **tail;
	long n;
	struct form *next;
};

struct gather {
	struct td_registry *reg;
	struct td_strmap *contacts;   /* agency code -> "address\temail" */
	struct td_arena *arena;
	struct td_agency_names *names;
	const struct td_forms_opts *opts;
	json_t *tpl;
	struct td_strmap *forms_by_code;
	struct form *forms, **tail;
	long seen, rows;
	int nomem;
};

static const char *dup(struct gather *g, const char *s)
{
	const char *c = td_arena_strdup(g->arena, s ? s : "");

	if (!c)
		g->nomem = 1;
	return c;
}

/* d/m/yyyy as the CA's forms write dates: "01/07/2025". */
static const char *date_dmy(struct gather *g, const char *iso)
{
	char buf[16];
	int y, m, d;

	if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return dup(g, iso);
	snprintf(buf, sizeof buf, "%02d/%02d/%04d", d, m, y);
	return dup(g, buf);
}

static const char *upper_hex(struct gather *g, const char *s)
{
	char *c = (char *)dup(g, s);

	for (char *p = c; p && *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	return c;
}

const char *td_form_request_label(const char *kind)
{
	static const char *const map[][2] = {
		{ "revoke", "Thu hồi chứng thư số" },
		{ "change_info", "Thay đổi nội dung thông tin" },
		{ "renew", "Gia hạn chứng thư số" },
		{ "recover_token", "Khôi phục thiết bị lưu khóa bí mật" },
		{ "new_issue", "Cấp mới chứng thư số" },
		{ "collect", "Thu hồi thiết bị lưu khóa bí mật" },
		{ "keep", "Tiếp tục sử dụng" },
		{ "handover_dossiers", "Bàn giao hồ sơ" },
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (kind && strcmp(kind, map[i][0]) == 0)
			return map[i][1];
	return kind ? kind : "";
}

static const char *field_value(struct gather *g, const struct td_tag *t,
                               const char *field)
{
	char buf[64];

	if (strcmp(field, "holder_name") == 0) return dup(g, t->holder_name);
	if (strcmp(field, "holder_id") == 0) return dup(g, t->holder_ext_id);
	if (strcmp(field, "position") == 0) return dup(g, t->holder_position);
	if (strcmp(field, "email") == 0) return dup(g, t->holder_email);
	if (strcmp(field, "cert_serial") == 0) return upper_hex(g, t->cert_serial);
	if (strcmp(field, "token_serial") == 0) return dup(g, t->any_token_serial);
	if (strcmp(field, "token_model") == 0) return dup(g, t->token_model);
	if (strcmp(field, "valid_from") == 0) return date_dmy(g, t->not_before);
	if (strcmp(field, "valid_to") == 0) return date_dmy(g, t->not_after);
	if (strcmp(field, "validity") == 0) {
		if (!t->not_before || !t->not_after)
			return "";
		snprintf(buf, sizeof buf, "%s - %s", date_dmy(g, t->not_before),
		         date_dmy(g, t->not_after));
		return dup(g, buf);
	}
	if (strcmp(field, "subject_dn") == 0) return dup(g, t->subject_dn);
	if (strcmp(field, "new_dn") == 0)
		return dup(g, strcmp(t->kind, "change_info") == 0 ? t->detail : "");
	if (strcmp(field, "reason") == 0) {
		char vi[1024];
		/* a plan's reason is stored in English: the form is Vietnamese */
		if (t->origin && strcmp(t->origin, "plan") == 0)
			return dup(g, td_plan_reason_vi(t->rule, t->kind, t->reason, vi,
			                                sizeof vi));
		return dup(g, t->reason);
	}
	if (strcmp(field, "agency") == 0)
		return td_agency_names_get(g->names, t->agency_code, t->agency_name);
	if (strcmp(field, "agency_code") == 0) return dup(g, t->agency_code);
	if (strcmp(field, "request") == 0) return td_form_request_label(t->kind);
	return "";    /* stt: numbered when laid out */
}

static int wanted(struct gather *g, const struct td_tag *t)
{
	json_t *kinds = json_object_get(g->tpl, "tags"), *k;
	size_t i;
	int kind_ok = 0;

	json_array_foreach(kinds, i, k)
		if (strcmp(json_string_value(k), t->kind) == 0)
			kind_ok = 1;
	if (!kind_ok)
		return 0;
	if (!g->opts->batch && strcmp(t->state, "tagged") != 0)
		return 0;
	return !g->opts->agency || (t->agency_code &&
	                            strcmp(t->agency_code, g->opts->agency) == 0);
}

static struct form *form_of(struct gather *g, const struct td_tag *t)
{
	const char *code = t->agency_code ? t->agency_code : "";
	struct form *f = td_strmap_get(g->forms_by_code, code);

	if (f)
		return f;
	if (!(f = td_arena_alloc(g->arena, sizeof *f))) {
		g->nomem = 1;
		return NULL;
	}
	f->agency_code = dup(g, code);
	f->agency_name = td_agency_names_get(g->names, code, t->agency_name);
	f->tail = &f->rows;
	if (g->nomem || td_strmap_put(g->forms_by_code, f->agency_code, f) < 0) {
		g->nomem = 1;
		return NULL;
	}
	*g->tail = f;
	g->tail = &f->next;
	return f;
}

static int gather_tag(const struct td_tag *t, void *ctx)
{
	struct gather *g = ctx;
	json_t *cols = json_object_get(g->tpl, "columns"), *c;
	struct form *f;
	struct row *r;
	size_t i;

	g->seen++;
	if (!wanted(g, t))
		return 0;
	if (!(f = form_of(g, t)) || !(r = td_arena_alloc(g->arena, sizeof *r)))
		return TD_ERR_NOMEM;
	json_array_foreach(cols, i, c)
		r->v[i] = field_value(g, t, json_string_value(json_object_get(c, "field")));
	*f->tail = r;
	f->tail = &r->next;
	f->n++;
	g->rows++;
	return g->nomem ? TD_ERR_NOMEM : 0;
}

/* ---- the model --------------------------------------------------------------- */

const char *td_date_vi(const char *date, char *buf, size_t size)
{
	int y = 0, m = 0, d = 0;

	if (!date || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		snprintf(buf, size, "ngày .... tháng .... năm ........");
	else
		snprintf(buf, size, "ngày %02d tháng %02d năm %04d", d, m, y);
	return buf;
}

/* Today's date where the clerk is: local time (TZ; the CLI sets
 * Asia/Ho_Chi_Minh when none is set), or TOKENDESK_TODAY for tests. */
static void local_today(char out[11])
{
	const char *fixed = getenv("TOKENDESK_TODAY");
	time_t now = time(NULL);
	struct tm tm;

	if (fixed && td_date_valid(fixed)) {
		memcpy(out, fixed, 11);
		return;
	}
	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static char *upper(const char *s)
{
	size_t len = 0;
	uint8_t *u = u8_toupper((const uint8_t *)s, strlen(s), NULL, NULL, NULL, &len);
	char *out = u ? realloc(u, len + 1) : NULL;

	if (!out) {
		free(u);
		return strdup(s);
	}
	out[len] = '\0';
	return out;
}

/* The values of the letter's placeholders for one form. */
struct letter_ctx {
	const struct form *f;
	const char *superior, *province, *place, *date, *form, *title;
	int64_t batch;
	const char *address, *email;    /* from contacts.tsv, or NULL */
};

static void value_of(const struct letter_ctx *lc, const char *name, size_t len,
                     char *buf, size_t size)
{
	char tmp[128];
	const char *v = NULL;
	char *up = NULL;
	int y = 0, m = 0, d = 0;

#define IS(s) (strlen(s) == len && strncmp(name, s, len) == 0)
	sscanf(lc->date, "%4d-%2d-%2d", &y, &m, &d);
	if (IS("agency")) v = lc->f->agency_name;
	else if (IS("agency_upper")) v = up = upper(lc->f->agency_name);
	else if (IS("agency_code")) v = lc->f->agency_code;
	else if (IS("superior")) v = lc->superior;
	else if (IS("superior_upper")) v = up = lc->superior ? upper(lc->superior) : NULL;
	else if (IS("province")) v = lc->province;
	else if (IS("agency_address")) v = lc->address;
	else if (IS("agency_email")) v = lc->email;
	else if (IS("count")) { snprintf(tmp, sizeof tmp, "%02ld", lc->f->n); v = tmp; }
	else if (IS("place")) v = lc->place;
	else if (IS("date_vi")) v = td_date_vi(lc->date, tmp, sizeof tmp);
	else if (IS("day")) { snprintf(tmp, sizeof tmp, "%02d", d); v = tmp; }
	else if (IS("month")) { snprintf(tmp, sizeof tmp, "%02d", m); v = tmp; }
	else if (IS("year")) { snprintf(tmp, sizeof tmp, "%04d", y); v = tmp; }
	else if (IS("batch") && lc->batch) {
		snprintf(tmp, sizeof tmp, "%lld", (long long)lc->batch);
		v = tmp;
	} else if (IS("form")) v = lc->form;
	else if (IS("title")) v = lc->title;
#undef IS
	/* what the registry does not know (an address, an e-mail) is left
	 * dotted, for the clerk's pen */
	snprintf(buf, size, "%s", v && *v ? v : DOTS);
	free(up);
}

static json_t *expand(const struct letter_ctx *lc, const char *text)
{
	size_t cap = strlen(text) + 256, o = 0;
	char *out = malloc(cap), val[2048];
	json_t *s;

	if (!out)
		return NULL;
	for (const char *p = text; *p;) {
		const char *end = *p == '{' ? strchr(p, '}') : NULL;
		const char *piece = p;
		size_t n = 1;
		if (end) {
			value_of(lc, p + 1, (size_t)(end - p - 1), val, sizeof val);
			piece = val;
			n = strlen(val);
			p = end + 1;
		} else {
			p++;
		}
		if (o + n + 1 > cap) {
			char *bigger = realloc(out, cap = (o + n + 1) * 2);
			if (!bigger) {
				free(out);
				return NULL;
			}
			out = bigger;
		}
		memcpy(out + o, piece, n);
		o += n;
	}
	out[o] = '\0';
	s = json_string(out);
	free(out);
	return s;
}

static json_t *expand_lines(const struct letter_ctx *lc, json_t *tpl, const char *key)
{
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(json_object_get(tpl, key), i, v)
		json_array_append_new(out, expand(lc, json_string_value(v)));
	return out;
}

static json_t *form_model(struct gather *g, const struct form *f, const char *date)
{
	json_t *tpl = g->tpl, *m = json_object(), *cols = json_array(),
	       *rows = json_array(), *c;
	struct td_agency a = { 0 };
	struct td_error ignored;
	struct letter_ctx lc = { f, NULL, NULL, g->opts->place, date,
		json_string_value(json_object_get(tpl, "form")),
		json_string_value(json_object_get(tpl, "title")), g->opts->batch,
		NULL, NULL };
	char *superior = NULL, province[512] = "";
	const char *q;
	size_t i;
	long stt = 0;

	if (td_reg_get_agency(g->reg, f->agency_code, &a, &ignored) == 0 &&
	    a.parent_code)
		superior = strdup(td_agency_names_get(g->names, a.parent_code, ""));
	td_agency_clear(&a);
	/* the province, when the name was qualified with it */
	if ((q = strrchr(f->agency_name, '(')) && strchr(q, ')'))
		snprintf(province, sizeof province, "%.*s", (int)(strchr(q, ')') - q - 1), q + 1);
	lc.superior = superior;
	lc.province = province;
	char contact[1024] = "", *tab;
	const char *known = g->contacts ? td_strmap_get(g->contacts, f->agency_code) : NULL;
	if (known) {
		snprintf(contact, sizeof contact, "%s", known);
		if ((tab = strchr(contact, '\t'))) {
			*tab = '\0';
			lc.email = tab + 1;
		}
		lc.address = contact;
	}
	json_array_foreach(json_object_get(tpl, "columns"), i, c) {
		json_t *w = json_object_get(c, "width");
		json_array_append_new(cols, json_pack("{s:O,s:f}", "heading",
		                      json_object_get(c, "heading"),
		                      "width", w ? json_number_value(w) : 16.0));
	}
	for (const struct row *r = f->rows; r; r = r->next) {
		json_t *cells = json_array(), *fc;
		json_array_foreach(json_object_get(tpl, "columns"), i, fc) {
			char n[24];
			if (strcmp(json_string_value(json_object_get(fc, "field")), "stt") == 0) {
				snprintf(n, sizeof n, "%ld", stt + 1);
				json_array_append_new(cells, json_string(n));
			} else {
				json_array_append_new(cells, json_string(r->v[i]));
			}
		}
		stt++;
		json_array_append_new(rows, cells);
	}
	json_object_set_new(m, "agency_code", json_string(f->agency_code));
	json_object_set_new(m, "form", json_string(lc.form));
	json_object_set_new(m, "left", expand_lines(&lc, tpl, "left"));
	json_object_set_new(m, "right", expand_lines(&lc, tpl, "right"));
	json_object_set_new(m, "title", expand(&lc, lc.title));
	json_object_set_new(m, "letter", expand_lines(&lc, tpl, "letter"));
	json_object_set_new(m, "columns", cols);
	json_object_set_new(m, "rows", rows);
	json_object_set_new(m, "closing", expand_lines(&lc, tpl, "closing"));
	json_object_set_new(m, "signer", expand_lines(&lc, tpl, "signer"));
	free(superior);
	return m;
}

/* ---- XLSX -------------------------------------------------------------------- */

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

struct xfmt { lxw_format *bold_c, *italic_c, *wrap, *head, *cell, *title; };

static const char *safe(const char *s, char *buf, size_t size)
{
	if (!td_csv_is_formula(s))
		return s;
	snprintf(buf, size, "'%s", s);
	return buf;
}

static lxw_row_t merged_lines(lxw_worksheet *ws, lxw_row_t row, lxw_col_t c0,
                              lxw_col_t c1, json_t *lines, lxw_format *fmt)
{
	char buf[4096];
	json_t *v;
	size_t i;

	json_array_foreach(lines, i, v) {
		const char *s = safe(json_string_value(v), buf, sizeof buf);
		if (c1 > c0)
			worksheet_merge_range(ws, row, c0, row, c1, s, fmt);
		else
			worksheet_write_string(ws, row, c0, s, fmt);
		row++;
	}
	return row;
}

static int xlsx_form(lxw_workbook *wb, json_t *m, const struct xfmt *x,
                     struct td_strmap *names, struct td_arena *a)
{
	json_t *cols = json_object_get(m, "columns"), *c, *r, *v;
	lxw_col_t last = (lxw_col_t)(json_array_size(cols) - 1), half = last / 2;
	char name[40], buf[4096];
	lxw_worksheet *ws;
	lxw_row_t row = 0, top;
	size_t i, j;
	int n = 0;

	do
		sheet_name(json_string_value(json_object_get(m, "agency_code")), n++,
		           name, sizeof name);
	while (td_strmap_get(names, name));
	const char *kept = td_arena_strdup(a, name);
	if (!kept || td_strmap_put(names, kept, (void *)kept) < 0 ||
	    !(ws = workbook_add_worksheet(wb, kept)))
		return -1;
	worksheet_set_paper(ws, 9);            /* A4 */
	worksheet_set_landscape(ws);
	worksheet_fit_to_pages(ws, 1, 0);
	json_array_foreach(cols, i, c)
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i,
		                     json_number_value(json_object_get(c, "width")), NULL);
	worksheet_write_string(ws, row++, last, json_string_value(json_object_get(m, "form")),
	                       x->italic_c);
	top = row;
	row = merged_lines(ws, top, 0, half ? half - (half > 1) : 0,
	                   json_object_get(m, "left"), x->bold_c);
	lxw_row_t r2 = merged_lines(ws, top, half, last, json_object_get(m, "right"),
	                            x->bold_c);
	row = (row > r2 ? row : r2) + 1;
	worksheet_merge_range(ws, row, 0, row, last,
	                      json_string_value(json_object_get(m, "title")), x->title);
	row += 2;
	json_array_foreach(json_object_get(m, "letter"), i, v) {
		worksheet_merge_range(ws, row, 0, row, last,
		                      safe(json_string_value(v), buf, sizeof buf), x->wrap);
		row++;
	}
	row++;
	json_array_foreach(cols, i, c)
		worksheet_write_string(ws, row, (lxw_col_t)i,
		                       json_string_value(json_object_get(c, "heading")), x->head);
	json_array_foreach(json_object_get(m, "rows"), j, r) {
		row++;
		json_array_foreach(r, i, v)
			worksheet_write_string(ws, row, (lxw_col_t)i,
			                       safe(json_string_value(v), buf, sizeof buf), x->cell);
	}
	row += 2;
	json_array_foreach(json_object_get(m, "closing"), i, v) {
		worksheet_merge_range(ws, row, 0, row, last,
		                      safe(json_string_value(v), buf, sizeof buf), x->wrap);
		row++;
	}
	row++;
	merged_lines(ws, row, half, last, json_object_get(m, "signer"), x->bold_c);
	return 0;
}

static int build_xlsx(const char *file, json_t *doc, const char **lib)
{
	lxw_workbook *wb = workbook_new(file);
	struct td_strmap *names = td_strmap_new(32);
	struct td_arena *a = td_arena_new();
	struct xfmt x;
	json_t *m;
	size_t i;
	int rc = 0;

	*lib = NULL;
	if (!wb || !names || !a) {
		if (wb)
			workbook_close(wb);
		td_strmap_free(names);
		td_arena_free(a);
		return -1;
	}
	x.bold_c = workbook_add_format(wb);
	format_set_bold(x.bold_c);
	format_set_align(x.bold_c, LXW_ALIGN_CENTER);
	format_set_text_wrap(x.bold_c);
	x.italic_c = workbook_add_format(wb);
	format_set_italic(x.italic_c);
	format_set_align(x.italic_c, LXW_ALIGN_RIGHT);
	x.title = workbook_add_format(wb);
	format_set_bold(x.title);
	format_set_font_size(x.title, 13);
	format_set_align(x.title, LXW_ALIGN_CENTER);
	x.wrap = workbook_add_format(wb);
	format_set_text_wrap(x.wrap);
	format_set_align(x.wrap, LXW_ALIGN_VERTICAL_TOP);
	x.head = workbook_add_format(wb);
	format_set_bold(x.head);
	format_set_text_wrap(x.head);
	format_set_align(x.head, LXW_ALIGN_CENTER);
	format_set_border(x.head, LXW_BORDER_THIN);
	x.cell = workbook_add_format(wb);
	format_set_text_wrap(x.cell);
	format_set_align(x.cell, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(x.cell, LXW_BORDER_THIN);
	json_array_foreach(json_object_get(doc, "forms"), i, m)
		if (xlsx_form(wb, m, &x, names, a) < 0) {
			rc = -1;
			break;
		}
	lxw_error e = workbook_close(wb);
	if (rc == 0 && e != LXW_NO_ERROR) {
		*lib = lxw_strerror(e);
		rc = -1;
	}
	td_strmap_free(names);
	td_arena_free(a);
	return rc;
}

static int write_xlsx(const char *path, json_t *doc, struct td_error *err)
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
	rc = build_xlsx(name, doc, &lib);
	td_stderr_catch_end(&quiet, why, sizeof why);
	if (rc == 0)
		return td_outfile_commit(&out, err);
	td_outfile_abandon(&out);
	return td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "%s%s%s%s",
	                       lib ? lib : "cannot write the workbook",
	                       why[0] ? " (" : "", why, why[0] ? ")" : "");
}

/* ---- the whole ---------------------------------------------------------------- */

static json_t *document(struct gather *g)
{
	json_t *doc = json_object(), *forms = json_array();
	char today[11];
	const char *date = g->opts->date;

	if (!date) {
		local_today(today);
		date = today;
	}
	for (const struct form *f = g->forms; f; f = f->next)
		json_array_append_new(forms, form_model(g, f, date));
	json_object_set_new(doc, "document", json_string("forms"));
	json_object_set_new(doc, "title", json_object_get(g->tpl, "title")
	                    ? json_copy(json_object_get(g->tpl, "title")) : json_string(""));
	json_object_set_new(doc, "forms", forms);
	return doc;
}

int td_forms_write(struct td_registry *reg, const char *path,
                   const struct td_forms_opts *opts,
                   struct td_forms_report *rep, struct td_error *err)
{
	struct gather g = { 0 };
	json_t *doc;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (opts->date && !td_date_valid(opts->date))
		return td_error_set(err, TD_ERR_USAGE, "--date %s: a date is YYYY-MM-DD",
		                    opts->date);
	if (!(g.tpl = template_load(opts, err)))
		return err->code;
	g.reg = reg;
	g.opts = opts;
	g.tail = &g.forms;
	if (!(g.arena = td_arena_new()) || !(g.forms_by_code = td_strmap_new(64))) {
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!(g.names = td_agency_names_load(reg, err))) {
		rc = err->code;
		goto out;
	}
	g.contacts = contacts_load(opts, g.arena);
	rc = td_reg_each_tag(reg, NULL, opts->batch, gather_tag, &g, err);
	if (rc > 0 || rc == TD_ERR_NOMEM || g.nomem) {
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (rc < 0)
		goto out;
	if (opts->batch && g.seen == 0) {
		rc = td_error_set(err, TD_ERR_NOTFOUND, "there is no batch %lld "
		                  "(`tokendesk tag list` shows the batches sent)",
		                  (long long)opts->batch);
		goto out;
	}
	if (g.rows == 0) {
		rc = td_error_set(err, TD_ERR_NOTFOUND, "no tag for %s (%s)%s%s: nothing "
		                  "written", json_string_value(json_object_get(g.tpl, "form")),
		                  opts->kind ? opts->kind : "template",
		                  opts->batch ? " in this batch" : " waiting to be sent",
		                  opts->agency ? " for this agency" : "");
		goto out;
	}
	if (!(doc = document(&g))) {
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = opts->format == TD_FORMS_PDF ? td_pdf_helper_write(doc, path, err)
	                                  : write_xlsx(path, doc, err);
	json_decref(doc);
	for (const struct form *f = g.forms; f; f = f->next)
		rep->forms++;
	rep->rows = g.rows;
out:
	td_agency_names_free(g.names);
	td_strmap_free(g.contacts);
	td_strmap_free(g.forms_by_code);
	td_arena_free(g.arena);
	json_decref(g.tpl);
	return rc;
}
