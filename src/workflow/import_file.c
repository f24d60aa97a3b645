/* import_file.c: reading one list file: bytes, encoding, header, rows. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/csv.h"
#include "tokendesk/text.h"
#include "tokendesk/textfile.h"
#include "workflow/import_internal.h"

const char *const td_agency_col_names[AC__N] = {
	"code", "name", "parent_code", "level", "valid_from", "valid_to"
};
const char *const td_cert_col_names[CC__N] = {
	"cert_serial", "kind", "holder_name", "holder_id", "position",
	"agency_code", "not_before", "not_after", "token_serial", "token_model",
	"email"
};

/* Header aliases, folded (td_fold: no marks, đ->d, lower case, '_' and
 * other punctuation as one space).  Documented in docs/formats.md. */
struct alias { int col; const char *name; };

static const struct alias agency_aliases[] = {
	{ AC_CODE, "code" }, { AC_CODE, "ma" }, { AC_CODE, "ma co quan" },
	{ AC_CODE, "ma don vi" }, { AC_CODE, "ma to chuc" },
	{ AC_NAME, "name" }, { AC_NAME, "ten" }, { AC_NAME, "ten co quan" },
	{ AC_NAME, "ten don vi" }, { AC_NAME, "ten to chuc" },
	{ AC_PARENT, "parent code" }, { AC_PARENT, "parent" },
	{ AC_PARENT, "ma cap tren" }, { AC_PARENT, "ma co quan cap tren" },
	{ AC_PARENT, "ma don vi cap tren" }, { AC_PARENT, "ma co quan quan ly" },
	{ AC_LEVEL, "level" }, { AC_LEVEL, "cap" }, { AC_LEVEL, "cap hanh chinh" },
	{ AC_LEVEL, "loai co quan" }, { AC_LEVEL, "loai don vi" },
	{ AC_FROM, "valid from" }, { AC_FROM, "hieu luc tu" }, { AC_FROM, "tu ngay" },
	{ AC_TO, "valid to" }, { AC_TO, "hieu luc den" }, { AC_TO, "den ngay" },
};

static const struct alias cert_aliases[] = {
	{ CC_SERIAL, "cert serial" }, { CC_SERIAL, "serial" },
	{ CC_SERIAL, "so serial" }, { CC_SERIAL, "so hieu chung thu" },
	{ CC_SERIAL, "so serial chung thu" }, { CC_SERIAL, "serial chung thu" },
	{ CC_SERIAL, "so seri chung thu" },
	{ CC_KIND, "kind" }, { CC_KIND, "loai chung thu" }, { CC_KIND, "loai" },
	{ CC_HOLDER_NAME, "holder name" }, { CC_HOLDER_NAME, "ten thue bao" },
	{ CC_HOLDER_NAME, "ho va ten" }, { CC_HOLDER_NAME, "ho ten" },
	{ CC_HOLDER_NAME, "ten chu the" },
	{ CC_HOLDER_ID, "holder id" }, { CC_HOLDER_ID, "so dinh danh" },
	{ CC_HOLDER_ID, "so cccd" }, { CC_HOLDER_ID, "cccd" },
	{ CC_HOLDER_ID, "so cmnd" }, { CC_HOLDER_ID, "ma dinh danh" },
	{ CC_HOLDER_ID, "ma thue bao" },
	{ CC_POSITION, "position" }, { CC_POSITION, "chuc vu" },
	{ CC_AGENCY, "agency code" }, { CC_AGENCY, "ma co quan" },
	{ CC_AGENCY, "ma don vi" }, { CC_AGENCY, "ma to chuc" },
	{ CC_NOT_BEFORE, "not before" }, { CC_NOT_BEFORE, "ngay hieu luc" },
	{ CC_NOT_BEFORE, "hieu luc tu" }, { CC_NOT_BEFORE, "tu ngay" },
	{ CC_NOT_BEFORE, "ngay cap" },
	{ CC_NOT_AFTER, "not after" }, { CC_NOT_AFTER, "ngay het han" },
	{ CC_NOT_AFTER, "hieu luc den" }, { CC_NOT_AFTER, "den ngay" },
	{ CC_NOT_AFTER, "ngay het hieu luc" },
	{ CC_TOKEN_SERIAL, "token serial" }, { CC_TOKEN_SERIAL, "serial thiet bi" },
	{ CC_TOKEN_SERIAL, "so serial thiet bi" },
	{ CC_TOKEN_SERIAL, "so hieu thiet bi" }, { CC_TOKEN_SERIAL, "ma thiet bi" },
	{ CC_TOKEN_SERIAL, "serial token" },
	{ CC_TOKEN_MODEL, "token model" }, { CC_TOKEN_MODEL, "loai thiet bi" },
	{ CC_TOKEN_MODEL, "model thiet bi" }, { CC_TOKEN_MODEL, "thiet bi" },
	{ CC_EMAIL, "email" }, { CC_EMAIL, "e mail" }, { CC_EMAIL, "thu dien tu" },
	{ CC_EMAIL, "dia chi thu dien tu" },
};

/* Columns that are understood and deliberately not imported: a row
 * number ("STT"), and what `tokendesk export` adds after the list. */
static const char *const ignored_columns[] = {
	"stt", "so thu tu", "status", "revoked at", "subject dn", "issuer dn",
	"fingerprint",
};

void td_import_row_error(struct import_state *st, const struct import_row *r,
                         const char *field, const char *fmt, ...)
{
	struct td_error e;
	va_list ap;

	td_error_set_at(&e, TD_ERR_DATA, r->file, r->line, field, "%s", "");
	va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(e.message, sizeof e.message, td_error_translate(fmt), ap);
#pragma GCC diagnostic pop
	va_end(ap);
	td_error_list_add(st->errors, &e);
}

/* ---- header ------------------------------------------------------------------ */

static int find_alias(const struct alias *a, size_t n, const char *folded)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].name, folded) == 0)
			return a[i].col;
	return -1;
}

static int is_ignored(const char *folded)
{
	for (size_t i = 0; i < sizeof ignored_columns / sizeof ignored_columns[0]; i++)
		if (strcmp(ignored_columns[i], folded) == 0)
			return 1;
	return 0;
}

struct header {
	enum list_kind kind;
	int map[TD_CSV_MAX_FIELDS];   /* file column -> canonical, or -1 */
	size_t ncols;
	unsigned given;               /* bit c: canonical column c is there */
};

/* Which list is this?  A certificate list names a certificate serial. */
static enum list_kind guess_kind(const struct td_csv_record *rec, char **folded)
{
	for (size_t i = 0; i < rec->nfields; i++)
		if (folded[i] && find_alias(cert_aliases, sizeof cert_aliases /
		                            sizeof cert_aliases[0], folded[i]) == CC_SERIAL)
			return LIST_CERTS;
	return LIST_AGENCIES;
}

static int map_header(const char *path, const struct td_csv_record *rec,
                      struct header *h, struct td_error *err)
{
	char *folded[TD_CSV_MAX_FIELDS] = { 0 };
	int seen[CC__N] = { 0 }, rc = TD_OK;
	const struct alias *aliases;
	const char *const *names;
	size_t naliases, ncanon;

	for (size_t i = 0; i < rec->nfields; i++)
		folded[i] = td_fold(rec->fields[i]);
	h->kind = guess_kind(rec, folded);
	aliases = h->kind == LIST_CERTS ? cert_aliases : agency_aliases;
	naliases = h->kind == LIST_CERTS ? sizeof cert_aliases / sizeof *cert_aliases
	                                 : sizeof agency_aliases / sizeof *agency_aliases;
	names = h->kind == LIST_CERTS ? td_cert_col_names : td_agency_col_names;
	ncanon = h->kind == LIST_CERTS ? CC__N : AC__N;
	h->ncols = rec->nfields;
	for (size_t i = 0; i < rec->nfields && rc == TD_OK; i++) {
		int col = folded[i] ? find_alias(aliases, naliases, folded[i]) : -1;
		h->map[i] = col;
		if (col < 0 && folded[i] && !is_ignored(folded[i]) && folded[i][0])
			/* two sentences, not one with the kind pasted in: a
			 * translation puts the word where its language wants it */
			rc = h->kind == LIST_CERTS
			     ? td_error_set_at(err, TD_ERR_DATA, path, rec->line, rec->fields[i],
			                       "unknown column in the certificate list header "
			                       "(see docs/formats.md for the columns and aliases)")
			     : td_error_set_at(err, TD_ERR_DATA, path, rec->line, rec->fields[i],
			                       "unknown column in the agency list header "
			                       "(see docs/formats.md for the columns and aliases)");
		else if (col >= 0 && seen[col]++)
			rc = td_error_set_at(err, TD_ERR_DATA, path, rec->line, names[col],
			                     "column given twice");
		if (col >= 0)
			h->given |= 1u << col;
	}
	/* Every column but the optional ones must be there. */
	for (size_t c = 0; c < ncanon && rc == TD_OK; c++) {
		int optional = h->kind == LIST_CERTS
			? (c == CC_POSITION || c == CC_TOKEN_SERIAL || c == CC_TOKEN_MODEL ||
			   c == CC_EMAIL || c == CC_HOLDER_ID)
			: (c == AC_PARENT || c == AC_FROM || c == AC_TO);
		if (!seen[c] && !optional)
			rc = td_error_set_at(err, TD_ERR_DATA, path, rec->line, names[c],
			                     "required column missing from the header");
	}
	for (size_t i = 0; i < rec->nfields; i++)
		free(folded[i]);
	return rc;
}

/* ---- rows ------------------------------------------------------------------ */

static struct import_row *new_row(struct import_state *st, struct row_array *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 1024;
		struct import_row *nr = realloc(a->rows, cap * sizeof *nr);
		if (!nr)
			return NULL;
		a->rows = nr;
		a->cap = cap;
	}
	struct import_row *r = &a->rows[a->n++];
	memset(r, 0, sizeof *r);
	(void)st;
	return r;
}

/* Printable ASCII only (space to '~'): no control, invisible or
 * combining character can be in it, and it is its own NFC.  Most
 * fields (serials, ids, dates, codes, e-mail) are: the Unicode checks
 * were a tenth of a national import's CPU (issue 27). */
static int plain_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/* Spaces other than the plain one (U+00A0 no-break, U+2000..U+200A,
 * U+202F, U+205F, U+3000 ideographic) made plain, in place: two names
 * that read the same are the same name.  Excel and Word put U+00A0 in
 * pasted names. */
static void plain_spaces(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	while (*r) {
		size_t n = 0;
		if (r[0] == 0xc2 && r[1] == 0xa0)
			n = 2;
		else if (r[0] == 0xe2 && r[1] == 0x80 &&
		         ((r[2] >= 0x80 && r[2] <= 0x8a) || r[2] == 0xaf))
			n = 3;
		else if (r[0] == 0xe2 && r[1] == 0x81 && r[2] == 0x9f)
			n = 3;
		else if (r[0] == 0xe3 && r[1] == 0x80 && r[2] == 0x80)
			n = 3;
		if (n) {
			*w++ = ' ';
			r += n;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* The field's value, trimmed, in NFC: value itself (in the reader's
 * record) or, when NFC changed it, a copy in *owned to free; NULL when
 * empty or refused (a text problem is reported). */
static char *take_field(struct import_state *st, struct import_row *r,
                        int c, const char *col, char *value, char **owned)
{
	const char *problem;

	*owned = NULL;
	td_trim(value);
	if (value[0] == '\'' && td_csv_is_formula(value + 1))
		value++;   /* a cell neutralized by `tokendesk export` */
	if (!*value)
		return NULL;
	/* a name, a position, an address: far less; more is a paste gone
	 * wrong, and a workbook cell holds at most 32,767 characters (lists
	 * and forms could not write it) */
	if (strlen(value) > TD_IMPORT_FIELD_MAX) {
		td_import_row_error(st, r, col, "longer than %d bytes", TD_IMPORT_FIELD_MAX);
		r->refused |= 1u << c;
		return NULL;
	}
	if (plain_ascii(value))
		return value;
	if ((problem = td_text_problem(value))) {
		td_import_row_error(st, r, col, "%s", problem);
		r->refused |= 1u << c;
		return NULL;
	}
	if ((*owned = td_nfc(value))) {
		plain_spaces(*owned);
		td_trim(*owned);
		if (!**owned) {   /* only wide spaces: an empty cell */
			free(*owned);
			*owned = NULL;
		}
	}
	return *owned;
}

/* Put a row's fields into the arena in one piece: one allocation (and
 * one alignment) per row instead of per field (issue 27: a national
 * list's rows are most of an import's memory). */
static int keep_fields(struct import_state *st, struct import_row *r,
                       char **owned, int n)
{
	size_t total = 0;
	char *p = NULL;

	for (int c = 0; c < n; c++)
		if (r->f[c])
			total += strlen(r->f[c]) + 1;
	if (total && !(p = td_arena_alloc(st->arena, total)))
		return TD_ERR_NOMEM;
	for (int c = 0; c < n; c++) {
		if (r->f[c]) {
			size_t len = strlen(r->f[c]) + 1;
			memcpy(p, r->f[c], len);
			r->f[c] = p;
			p += len;
		}
		free(owned[c]);
	}
	return TD_OK;
}

static int add_row(struct import_state *st, const struct header *h,
                   const char *path, const struct td_csv_record *rec)
{
	struct row_array *a = h->kind == LIST_CERTS ? &st->certs : &st->agencies;
	const char *const *names = h->kind == LIST_CERTS ? td_cert_col_names
	                                                 : td_agency_col_names;
	struct import_row *r;

	if (td_csv_record_blank(rec))
		return TD_OK;
	if (!(r = new_row(st, a)))
		return TD_ERR_NOMEM;
	r->file = path;
	r->line = rec->line;
	r->given = h->given;
	st->rows_read++;
	if (rec->nfields != h->ncols) {
		td_import_row_error(st, r, NULL, "%zu fields where the header has %zu",
		                    rec->nfields, h->ncols);
		r->refused = ~0u;   /* not each field "missing" as well */
		return TD_OK;
	}
	char *owned[sizeof r->f / sizeof r->f[0]] = { NULL };
	for (size_t i = 0; i < rec->nfields; i++)
		if (h->map[i] >= 0)
			r->f[h->map[i]] = take_field(st, r, h->map[i], names[h->map[i]],
			                             rec->fields[i], &owned[h->map[i]]);
	return keep_fields(st, r, owned, (int)(sizeof r->f / sizeof r->f[0]));
}

int td_import_read_file(struct import_state *st, const char *path,
                        const char *encoding, struct td_error *err)
{
	struct td_csv_record rec;
	struct td_csv_reader *csv;
	struct header h = { 0 };
	char *data = NULL, *fname;
	size_t len = 0;

	int rc;

	if ((rc = td_textfile_load(path, encoding, &data, &len, err)) < 0)
		return rc;
	fname = td_arena_strdup(st->arena, path);
	csv = fname ? td_csv_open(data, len, path) : NULL;
	if (!csv) {
		free(data);
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	rc = td_csv_read(csv, &rec, err);
	if (rc == 0)
		rc = td_error_set_at(err, TD_ERR_DATA, path, 1, NULL, "the file is empty");
	if (rc > 0)
		rc = map_header(path, &rec, &h, err);
	td_import_report_progress(st, TD_IMPORT_READING, path, 0, (long long)len);
	while (rc == TD_OK && (rc = td_csv_read(csv, &rec, err)) > 0)
		if ((rc = add_row(st, &h, fname, &rec)) == TD_OK &&
		    st->rows_read % TD_IMPORT_PROGRESS_EVERY == 0)
			td_import_report_progress(st, TD_IMPORT_READING, path,
			                          (long long)(len - td_csv_remaining(csv)),
			                          (long long)len);
	if (rc == 0)
		td_import_report_progress(st, TD_IMPORT_READING, path, (long long)len,
		                          (long long)len);
	td_csv_close(csv);
	free(data);
	return rc < 0 ? rc : TD_OK;
}
