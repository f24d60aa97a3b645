/* plan_import.c: reading a plan file (all or nothing) and the operator's
 * pick of the certificate that carries a merged agency's new name. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/csv.h"
#include "tokendesk/plan.h"
#include "workflow/import_check.h"
#include "tokendesk/registry.h"
#include "registry/txn.h"
#include "tokendesk/text.h"
#include "tokendesk/textfile.h"
#include "workflow/plan_internal.h"

enum { PC_DATE, PC_EVENT, PC_SOURCES, PC_TARGET, PC_NAME, PC_PARENT, PC__N };
static const char *const plan_cols[PC__N] = {
	"effective_date", "event", "source_codes", "target_code", "target_name",
	"new_parent_code"
};

/* Header names as the master lists take them: folded (no marks, đ->d,
 * lower case, punctuation as one space), English or Vietnamese
 * (docs/formats.md). */
static const struct { int col; const char *name; } plan_aliases[] = {
	{ PC_DATE, "effective date" }, { PC_DATE, "ngay hieu luc" },
	{ PC_DATE, "ngay" }, { PC_DATE, "ngay ap dung" }, { PC_DATE, "tu ngay" },
	{ PC_EVENT, "event" }, { PC_EVENT, "su kien" }, { PC_EVENT, "hinh thuc" },
	{ PC_EVENT, "hinh thuc sap xep" }, { PC_EVENT, "loai" },
	{ PC_SOURCES, "source codes" }, { PC_SOURCES, "ma co quan" },
	{ PC_SOURCES, "ma co quan nguon" }, { PC_SOURCES, "ma nguon" },
	{ PC_SOURCES, "co quan sap xep" }, { PC_SOURCES, "ma co quan sap xep" },
	{ PC_TARGET, "target code" }, { PC_TARGET, "ma co quan moi" },
	{ PC_TARGET, "ma dich" }, { PC_TARGET, "ma co quan dich" },
	{ PC_TARGET, "ma co quan sau sap xep" },
	{ PC_NAME, "target name" }, { PC_NAME, "ten co quan moi" },
	{ PC_NAME, "ten moi" }, { PC_NAME, "ten co quan sau sap xep" },
	{ PC_PARENT, "new parent code" }, { PC_PARENT, "ma cap tren moi" },
	{ PC_PARENT, "ma co quan cap tren moi" }, { PC_PARENT, "ma cap tren" },
};

static int header_col(const char *field)
{
	char *f = td_fold(field);
	int col = -1;

	for (size_t i = 0; f && col < 0 && i < sizeof plan_aliases / sizeof *plan_aliases; i++)
		if (strcmp(f, plan_aliases[i].name) == 0)
			col = plan_aliases[i].col;
	free(f);
	return col;
}

/* Map header names to columns; -1 when a required one is missing. */
static int map_header(const struct td_csv_record *h, int map[PC__N],
                      const char *path, struct td_error *err)
{
	for (int c = 0; c < PC__N; c++) {
		map[c] = -1;
		for (size_t i = 0; i < h->nfields; i++) {
			char *f = td_trim(h->fields[i]);
			if (strcmp(f, plan_cols[c]) == 0 || header_col(f) == c)
				map[c] = (int)i;
		}
		if (map[c] < 0 && c <= PC_SOURCES)
			return td_error_set_at(err, TD_ERR_DATA, path, h->line, plan_cols[c],
			                       "missing column; the header must be "
			                       "effective_date,event,source_codes,"
			                       "target_code,target_name,new_parent_code");
	}
	return TD_OK;
}

/* Rows as NFC strings kept for storing; owned by `keep`. */
struct rows {
	struct td_plan_row *v;
	size_t n, cap;
	char **strs;
	size_t ns, scap;
};

static const char *keep_str(struct rows *r, const char *s)
{
	char *c;

	if (!s || !*s)
		return NULL;
	if (r->ns == r->scap) {
		size_t cap = r->scap ? r->scap * 2 : 256;
		char **v = realloc(r->strs, cap * sizeof *v);
		if (!v)
			return NULL;
		r->strs = v;
		r->scap = cap;
	}
	if (!(c = td_nfc(s)))
		return NULL;
	return r->strs[r->ns++] = td_trim(c);
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->ns; i++)
		free(r->strs[i]);
	free(r->strs);
	free(r->v);
}

/* A cell's text held to the rules of names (td_text_problem): a plan's
 * new names go into the registry and onto every record printed after.
 * The value is kept all the same, so the row says nothing more about it
 * ("missing"); the file is refused for the problem listed. */
static void check_text(const char *path, long line, int c, const char *v,
                       struct td_error_list *errors)
{
	const char *problem = td_text_problem(v);
	struct td_error e;

	if (!problem)
		return;
	td_error_set_at(&e, TD_ERR_DATA, path, line, plan_cols[c], "%s", problem);
	td_error_list_add(errors, &e);
}

static int add_record(struct rows *r, const struct td_csv_record *rec,
                      const int map[PC__N], const char *path,
                      struct td_error_list *errors)
{
	struct td_plan_row row = { .line = rec->line };
	const char **dst[PC__N] = {
		&row.effective_date, &row.event, &row.source_codes, &row.target_code,
		&row.target_name, &row.new_parent_code
	};

	for (int c = 0; c < PC__N; c++) {
		const char *v = map[c] >= 0 && (size_t)map[c] < rec->nfields
		                ? rec->fields[map[c]] : NULL;
		char iso[11];
		if (v && *v)
			check_text(path, rec->line, c, v, errors);
		/* 1/7/2025 as Excel writes it: stored as 2025-07-01 */
		if (c == PC_DATE && v && td_import_date_iso(td_trim((char *)v), iso) &&
		    strcmp(v, iso) != 0)
			v = iso;
		if (v && *v && !(*dst[c] = keep_str(r, v)))
			return TD_ERR_NOMEM;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct td_plan_row *v = realloc(r->v, cap * sizeof *v);
		if (!v)
			return TD_ERR_NOMEM;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = row;
	return TD_OK;
}

static int parse_file(const char *path, const char *data, size_t len,
                      struct rows *rows, struct td_error_list *errors,
                      struct td_error *err)
{
	struct td_csv_reader *rd;
	struct td_csv_record rec;
	int map[PC__N], rc, first = 1;

	/* data is UTF-8 (td_textfile_load) */
	if (!(rd = td_csv_open(data, len, path)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	while ((rc = td_csv_read(rd, &rec, err)) == 1) {
		if (first) {
			first = 0;
			if ((rc = map_header(&rec, map, path, err)) < 0)
				break;
			continue;
		}
		if (td_csv_record_blank(&rec))
			continue;
		if ((rc = add_record(rows, &rec, map, path, errors)) < 0) {
			td_error_set(err, TD_ERR_NOMEM, "out of memory");
			break;
		}
	}
	td_csv_close(rd);
	if (rc == 0 && first)
		return td_error_set_at(err, TD_ERR_DATA, path, 1, NULL, "the file is empty");
	return rc < 0 ? rc : TD_OK;
}

int td_plan_import(struct td_registry *reg, const char *path,
                   const char *encoding, struct td_error_list *errors, size_t *nevents,
                   struct td_error *err)
{
	struct rows rows = { 0 };
	struct plan_model m;
	char *data = NULL;
	size_t len = 0;
	int rc;

	*nevents = 0;
	if ((rc = td_textfile_load(path, encoding, &data, &len, err)) < 0)
		return rc;
	rc = parse_file(path, data, len, &rows, errors, err);
	free(data);
	if (rc == TD_OK && (rc = model_init(&m, path, errors)) == TD_OK) {
		if ((rc = model_load_agencies(&m, reg, err)) == TD_OK) {
			for (size_t i = 0; rc == TD_OK && i < rows.n; i++)
				rc = model_add_event(&m, &rows.v[i]);
			if (rc == TD_OK)
				rc = model_run(&m, NULL);
		}
		model_free(&m);
	}
	if (rc == TD_ERR_NOMEM)
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc == TD_OK && errors->total > 0)
		rc = td_error_set(err, TD_ERR_DATA, "%zu problem%s in %s; nothing was "
		                  "changed", errors->total, errors->total == 1 ? "" : "s",
		                  path);
	if (rc == TD_OK && (rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_plan_replace(reg, rows.v, rows.n, err), err);
	if (rc == TD_OK)
		*nevents = rows.n;
	rows_free(&rows);
	return rc;
}

/* ---- picks ------------------------------------------------------------------ */

struct pick_check {
	const char *target;
	char serial[256];
	char **sources;  /* the merged agencies of the merge_new into target */
	size_t nsrc;
	int found, is_candidate;
};

static int find_merge(const struct td_plan_row *r, void *ctx)
{
	struct pick_check *p = ctx;

	if (strcmp(r->event, "merge_new") != 0 || !r->target_code ||
	    strcmp(r->target_code, p->target) != 0)
		return 0;
	p->found = 1;
	char *copy = strdup(r->source_codes), *save = NULL;
	if (!copy)
		return TD_ERR_NOMEM;
	for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		char **v = realloc(p->sources, (p->nsrc + 1) * sizeof *v);
		if (!v || !(v[p->nsrc] = strdup(td_trim(t)))) {
			free(v ? v : p->sources);
			p->sources = NULL;
			p->nsrc = 0;
			free(copy);
			return TD_ERR_NOMEM;
		}
		p->sources = v;
		p->nsrc++;
	}
	free(copy);
	return 1;
}

int td_plan_pick(struct td_registry *reg, const char *target_code,
                 const char *cert_serial, struct td_error *err)
{
	struct pick_check p = { .target = target_code };
	struct td_cert cert = { 0 };
	int rc = td_reg_each_plan_row(reg, find_merge, &p, err);

	if (rc < 0)
		goto out;
	rc = TD_OK;
	if (!p.found) {
		rc = td_error_set(err, TD_ERR_NOTFOUND, "the plan has no merge_new into %s",
		                  target_code);
		goto out;
	}
	if (cert_serial) {
		if ((rc = td_reg_get_cert(reg, cert_serial, &cert, err)) < 0)
			goto out;
		for (size_t i = 0; i < p.nsrc; i++)
			p.is_candidate |= strcmp(p.sources[i], cert.agency_code) == 0;
		if (!p.is_candidate || strcmp(cert.kind, "org") != 0 ||
		    strcmp(cert.status, "active") != 0) {
			rc = td_error_set(err, TD_ERR_USAGE, "certificate %s is not an active "
			                  "organisation certificate of an agency merged into %s",
			                  cert.serial, target_code);
			goto out;
		}
	}
	if ((rc = td_reg_begin(reg, err)) == TD_OK)
		rc = td_reg_end(reg, td_reg_plan_pick(reg, target_code, cert_serial, err),
		                err);
out:
	td_cert_clear(&cert);
	for (size_t i = 0; i < p.nsrc; i++)
		free(p.sources[i]);
	free(p.sources);
	return rc;
}
