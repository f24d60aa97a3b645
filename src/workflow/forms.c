/* forms.c: the Decree 68 request forms (forms.h).  The tags of the
 * template's kinds are read twice, as of one moment: first counted per
 * requesting agency (a letter says how many rows its table has), then
 * streamed, an agency's rows at a time, to the writer (XLSX here in
 * forms_xlsx.c, DOCX in forms_docx.c, PDF by the tokendesk-pdf helper),
 * each form laid out into one model (a JSON object: its heading lines,
 * the letter, the columns, the closing and the signer), so all formats
 * say the same thing.  Nothing holds every row: memory follows the
 * number of agencies (issue 27). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <unicase.h>

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

/* A form: one requesting agency, its rows counted before any is written
 * (the letter says how many). */
struct form {
	const char *agency_code, *agency_name;
	long n;
	struct form *next;
};

struct gather {
	struct td_registry *reg;
	struct td_strmap *contacts;   /* agency code -> "address\temail" */
	struct td_arena *arena;       /* the forms and what lasts the call */
	struct td_arena *scratch;     /* one row's texts */
	struct td_agency_names *names;
	const struct td_forms_opts *opts;
	json_t *tpl;
	struct td_strmap *forms_by_code;
	struct form *forms, **tail;
	long seen, rows;
	int nomem;
	/* writing */
	struct td_form_out *out;
	struct form *cur;             /* the form being written */
	long stt;
	const char *date;
	struct td_error *err;
};

static const char *dup(struct gather *g, const char *s)
{
	const char *c = td_arena_strdup(g->scratch, s ? s : "");

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
	if (!(f = td_arena_alloc(g->arena, sizeof *f)) ||
	    !(f->agency_code = td_arena_strdup(g->arena, code)) ||
	    !(f->agency_name = td_arena_strdup(g->arena,
	          td_agency_names_get(g->names, code, t->agency_name ? t->agency_name : ""))) ||
	    td_strmap_put(g->forms_by_code, f->agency_code, f) < 0) {
		g->nomem = 1;
		return NULL;
	}
	*g->tail = f;
	g->tail = &f->next;
	return f;
}

/* The first pass: which forms, and how many rows each. */
static int count_tag(const struct td_tag *t, void *ctx)
{
	struct gather *g = ctx;
	struct form *f;

	g->seen++;
	if (!wanted(g, t))
		return 0;
	if (!(f = form_of(g, t)))
		return td_error_set(g->err, TD_ERR_NOMEM, "out of memory");
	f->n++;
	g->rows++;
	return 0;
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
	json_t *tpl = g->tpl, *m = json_object(), *cols = json_array(), *c;
	struct td_agency a = { 0 };
	struct td_error ignored;
	struct letter_ctx lc = { f, NULL, NULL, g->opts->place, date,
		json_string_value(json_object_get(tpl, "form")),
		json_string_value(json_object_get(tpl, "title")), g->opts->batch,
		NULL, NULL };
	char *superior = NULL, province[512] = "";
	const char *q;
	size_t i;

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
	json_object_set_new(m, "agency_code", json_string(f->agency_code));
	json_object_set_new(m, "form", json_string(lc.form));
	json_object_set_new(m, "left", expand_lines(&lc, tpl, "left"));
	json_object_set_new(m, "right", expand_lines(&lc, tpl, "right"));
	json_object_set_new(m, "title", expand(&lc, lc.title));
	json_object_set_new(m, "letter", expand_lines(&lc, tpl, "letter"));
	json_object_set_new(m, "columns", cols);
	json_object_set_new(m, "closing", expand_lines(&lc, tpl, "closing"));
	json_object_set_new(m, "signer", expand_lines(&lc, tpl, "signer"));
	free(superior);
	return m;
}

/* ---- writing, a row at a time ------------------------------------------------- */

static int end_form(struct gather *g)
{
	return g->cur ? g->out->ops->end(g->out, g->err) : TD_OK;
}

/* The next form starts where the registry's order moves to another
 * agency (td_reg_each_tag gives an agency's tags as one run). */
static int next_form(struct gather *g, const char *code)
{
	struct form *f = g->cur ? g->cur->next : g->forms;
	json_t *m;
	int rc;

	if ((rc = end_form(g)) < 0)
		return rc;
	if (!f || strcmp(f->agency_code, code) != 0)
		return td_error_set(g->err, TD_ERR_INTERNAL, "the tags of agency %s did "
		                    "not come together", code);
	g->cur = f;
	g->stt = 0;
	if (!(m = form_model(g, f, g->date)))
		return td_error_set(g->err, TD_ERR_NOMEM, "out of memory");
	rc = g->out->ops->begin(g->out, m, g->err);
	json_decref(m);
	return rc;
}

static int write_tag(const struct td_tag *t, void *ctx)
{
	struct gather *g = ctx;
	json_t *cols = json_object_get(g->tpl, "columns"), *c;
	const char *cells[TD_FORM_MAX_COLS], *code = t->agency_code ? t->agency_code : "";
	char stt[24];
	size_t i, n = 0;
	int rc;

	if (!wanted(g, t))
		return 0;
	if ((!g->cur || strcmp(g->cur->agency_code, code) != 0) &&
	    (rc = next_form(g, code)) < 0)
		return rc;
	if (!(g->scratch = td_arena_new()))
		return td_error_set(g->err, TD_ERR_NOMEM, "out of memory");
	snprintf(stt, sizeof stt, "%ld", ++g->stt);
	json_array_foreach(cols, i, c) {
		const char *field = json_string_value(json_object_get(c, "field"));
		cells[n++] = strcmp(field, "stt") == 0 ? stt : field_value(g, t, field);
	}
	rc = g->nomem ? td_error_set(g->err, TD_ERR_NOMEM, "out of memory")
	     : g->out->ops->row(g->out, cells, n, g->err);
	td_arena_free(g->scratch);
	g->scratch = NULL;
	return rc;
}

static struct td_form_out *open_out(struct gather *g, const char *path)
{
	json_t *doc = json_pack("{s:s,s:O}", "document", "forms", "title",
	                        json_object_get(g->tpl, "title"));
	struct td_form_out *o = NULL;
	long nforms = 0;

	for (const struct form *f = g->forms; f; f = f->next)
		nforms++;
	if (!doc) {
		td_error_set(g->err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	switch (g->opts->format) {
	case TD_FORMS_XLSX: o = td_form_xlsx_open(path, doc, nforms, g->err); break;
	case TD_FORMS_PDF: o = td_form_pdf_open(path, doc, nforms, g->err); break;
	case TD_FORMS_DOCX: o = td_form_docx_open(path, doc, nforms, g->err); break;
	}
	json_decref(doc);
	return o;
}

/* Both passes see the registry as of one moment (td_reg_read_snapshot):
 * the count the letter gives is the number of rows that follow. */
struct run { struct gather *g; const char *path; };

static int run_passes(struct td_registry *reg, void *ctx, struct td_error *err)
{
	struct run *r = ctx;
	struct gather *g = r->g;
	const struct td_forms_opts *opts = g->opts;
	int rc;

	/* a mistyped code is not "no tag for this agency" */
	if (opts->agency) {
		struct td_agency a = { 0 };
		rc = td_reg_get_agency(reg, opts->agency, &a, err);
		td_agency_clear(&a);
		if (rc == TD_ERR_NOTFOUND)
			return td_error_set(err, TD_ERR_NOTFOUND, "there is no agency %s "
			                    "(`tokendesk search` finds its code)", opts->agency);
		if (rc < 0)
			return rc;
	}
	if ((rc = td_reg_each_tag(reg, NULL, opts->batch, count_tag, g, err)) < 0)
		return rc;
	if (opts->batch && g->seen == 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "there is no batch %lld "
		                    "(`tokendesk tag list` shows the batches sent)",
		                    (long long)opts->batch);
	if (g->rows == 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "no tag for %s (%s)%s%s: nothing "
		                    "written", json_string_value(json_object_get(g->tpl, "form")),
		                    opts->kind ? opts->kind : "template",
		                    opts->batch ? " in this batch" : " waiting to be sent",
		                    opts->agency ? " for this agency" : "");
	if (!(g->out = open_out(g, r->path)))
		return err->code;
	rc = td_reg_each_tag(reg, NULL, opts->batch, write_tag, g, err);
	if (rc == TD_OK)
		rc = end_form(g);
	if (rc == TD_OK && g->cur && g->cur->next)
		rc = td_error_set(err, TD_ERR_INTERNAL, "fewer forms than counted");
	rc = rc > 0 ? td_error_set(err, TD_ERR_INTERNAL, "stopped early") : rc;
	/* the file is put in place only when every form was written */
	if (rc == TD_OK)
		rc = g->out->ops->close(g->out, 1, err);
	else
		g->out->ops->close(g->out, 0, NULL);
	return rc;
}

int td_forms_write(struct td_registry *reg, const char *path,
                   const struct td_forms_opts *opts,
                   struct td_forms_report *rep, struct td_error *err)
{
	struct gather g = { 0 };
	struct run r = { &g, path };
	char today[11], date[11];
	const char *problem;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (opts->date && !td_date_parse(opts->date, date))
		return td_error_set(err, TD_ERR_USAGE, "--date %s: a date is YYYY-MM-DD"
		                    " or dd/mm/yyyy", opts->date);
	/* the place goes on every letter to the CA as typed: held to the
	 * rules of typed text, as a handover's place is */
	if (opts->place && (problem = td_typed_text_problem(opts->place)))
		return td_error_set(err, TD_ERR_USAGE, "place: %s", problem);
	if (!(g.tpl = template_load(opts, err)))
		return err->code;
	g.reg = reg;
	g.opts = opts;
	g.err = err;
	g.tail = &g.forms;
	if (!(g.date = opts->date ? date : NULL)) {
		local_today(today);
		g.date = today;
	}
	if (!(g.arena = td_arena_new()) || !(g.forms_by_code = td_strmap_new(64))) {
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!(g.names = td_agency_names_load(reg, err))) {
		rc = err->code;
		goto out;
	}
	g.contacts = contacts_load(opts, g.arena);
	if ((rc = td_reg_read_snapshot(reg, run_passes, &r, err)) == TD_OK) {
		for (const struct form *f = g.forms; f; f = f->next)
			rep->forms++;
		rep->rows = g.rows;
	}
out:
	td_agency_names_free(g.names);
	td_strmap_free(g.contacts);
	td_strmap_free(g.forms_by_code);
	td_arena_free(g.arena);
	json_decref(g.tpl);
	return rc;
}

/* ---- PDF: the tokendesk-pdf helper, fed a line at a time ------------------------ */

struct pdf_out {
	struct td_form_out base;
	struct td_pdf_stream *helper;
	FILE *in;
	const char *path;
};

/* One JSON value a line, as form_pdf.c reads them. */
static int send(struct pdf_out *o, json_t *v, struct td_error *err)
{
	int bad = !v || json_dumpf(v, o->in, JSON_COMPACT) < 0 || fputc('\n', o->in) == EOF;

	json_decref(v);
	return bad ? td_error_set_at(err, TD_ERR_IO, o->path, 0, NULL,
	                             "the PDF helper stopped reading") : TD_OK;
}

static int p_begin(struct td_form_out *base, json_t *m, struct td_error *err)
{
	return send((struct pdf_out *)base, json_incref(m), err);
}

static int p_row(struct td_form_out *base, const char *const *cells, size_t n,
                 struct td_error *err)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(cells[i]));
	return send((struct pdf_out *)base, a, err);
}

static int p_end(struct td_form_out *base, struct td_error *err)
{
	(void)base;
	(void)err;
	return TD_OK;
}

static int p_close(struct td_form_out *base, int ok, struct td_error *err)
{
	struct pdf_out *o = (struct pdf_out *)base;
	int rc = td_pdf_stream_finish(o->helper, ok, err);

	free(o);
	return rc;
}

static const struct td_form_out_ops pdf_ops = { p_begin, p_row, p_end, p_close };

struct td_form_out *td_form_pdf_open(const char *path, json_t *doc, long nforms,
                                     struct td_error *err)
{
	struct pdf_out *o = calloc(1, sizeof *o);

	(void)nforms;
	if (!o) {
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	o->base.ops = &pdf_ops;
	o->path = path;
	if (!(o->helper = td_pdf_stream_start(path, &o->in, err))) {
		free(o);
		return NULL;
	}
	if (send(o, json_incref(doc), err) < 0) {
		td_pdf_stream_finish(o->helper, 0, NULL);
		free(o);
		return NULL;
	}
	return &o->base;
}
