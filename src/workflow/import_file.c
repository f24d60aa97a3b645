/* import_file.c: reading one list file: bytes, encoding, header, rows. */
#include <config.h>

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tokendesk/csv.h"
#include "tokendesk/text.h"
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
	vsnprintf(e.message, sizeof e.message, fmt, ap);
	va_end(ap);
	td_error_list_add(st->errors, &e);
}

/* ---- bytes and encodings ------------------------------------------------- */

/* A province's lists are tens of MiB (a million rows is 70); anything far
 * bigger is the wrong file (or /dev/zero) and would only exhaust memory. */
#define MAX_FILE_BYTES ((size_t)256 << 20)

static int slurp(const char *path, char **data, size_t *len, struct td_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	char *buf;

	if (!f)
		return td_error_set(err, TD_ERR_IO, "%s: %s", path, strerror(errno));
	buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n > MAX_FILE_BYTES) {
			free(buf);
			if (f != stdin)
				fclose(f);
			return td_error_set(err, TD_ERR_DATA, "%s: larger than %zu MiB: "
			                    "not a list tokendesk can import", path,
			                    MAX_FILE_BYTES >> 20);
		}
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	int failed = !buf || ferror(f), why = !buf ? ENOMEM : errno;
	if (f != stdin)
		fclose(f);
	if (failed) {
		free(buf);
		/* a directory opens, and says EISDIR only when read */
		return td_error_set(err, TD_ERR_IO, "%s: cannot read the file: %s",
		                    path, strerror(why));
	}
	*data = buf;
	*len = n;
	return TD_OK;
}

static long line_at(const char *data, size_t offset)
{
	long line = 1;

	for (size_t i = 0; i < offset; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

/* Offset of the first byte that is not ASCII (len if none). */
static size_t first_high(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (unsigned char)s[i] < 0x80)
		i++;
	return i;
}

static int is_ascii(const char *s, size_t len)
{
	return first_high(s, len) == len;
}

/* Convert *data from `from` to UTF-8 with iconv, in place of the buffer.
 * A legacy encoding named for a file that is valid UTF-8 with non-ASCII
 * text would turn every name into mojibake (cp1258 Vietnamese is never
 * valid UTF-8 by chance): that is refused. */
static int convert(const char *path, const char *from, char **data, size_t *len,
                   struct td_error *err)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap = *len * 4 + 16, inleft = *len, outleft = cap;
	char *out, *in = *data, *o;

	if (cd == (iconv_t)-1)
		return td_error_set(err, TD_ERR_USAGE, "unknown encoding '%s' "
		                    "(see `iconv -l`; Vietnamese Excel writes cp1258)", from);
	if (strncasecmp(from, "UTF", 3) != 0 && !is_ascii(*data, *len) &&
	    td_utf8_valid(*data, *len, NULL)) {
		iconv_close(cd);
		return td_error_set_at(err, TD_ERR_DATA, path,
		                       line_at(*data, first_high(*data, *len)), NULL,
		                       "the file is already UTF-8 (this line has UTF-8 "
		                       "text); import it without --encoding %s", from);
	}
	out = o = malloc(cap);
	if (out && iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		long line = line_at(*data, (size_t)(in - *data));
		iconv_close(cd);
		free(out);
		return td_error_set_at(err, TD_ERR_DATA, path, line, NULL,
		                       "bytes that are not valid %s", from);
	}
	iconv_close(cd);
	if (!out)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	free(*data);
	*data = out;
	*len = cap - outleft;
	return TD_OK;
}

static int check_utf8(const char *path, const char *encoding, char **data,
                      size_t *len, struct td_error *err);

/* The file as UTF-8 in *data (owned by the caller on success, freed on
 * failure). */
static int load_utf8(const char *path, const char *encoding, char **data,
                     size_t *len, struct td_error *err)
{
	int rc = check_utf8(path, encoding, data, len, err);

	if (rc < 0) {
		free(*data);
		*data = NULL;
	}
	return rc;
}

/* A spreadsheet saved in its own format rather than as CSV: Excel and
 * LibreOffice write zip files (.xlsx, .ods), older Excel OLE2 (.xls).
 * No CSV starts with these bytes.  NULL when data is none of them. */
static const char *spreadsheet_kind(const char *data, size_t len)
{
	static const unsigned char ole2[8] = {
		0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

	if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0)
		return "a zip file (an .xlsx or .ods spreadsheet?)";
	if (len >= sizeof ole2 && memcmp(data, ole2, sizeof ole2) == 0)
		return "an old Excel .xls file";
	return NULL;
}

/* "UTF-16LE" or "UTF-16BE" when the file's start reads as UTF-16 text
 * saved without a byte-order mark: in a list, even a Vietnamese one,
 * most characters are ASCII (digits, dates, separators), whose high
 * byte is NUL, and almost none has a NUL low byte.  NULL if not. */
static const char *bomless_utf16(const char *data, size_t len)
{
	size_t n = len < 1024 ? len & ~(size_t)1 : 1024, zero[2] = { 0, 0 };
	size_t pairs = n / 2;

	for (size_t i = 0; i < n; i++)
		zero[i & 1] += data[i] == '\0';
	if (pairs < 4)
		return NULL;
	if (zero[1] * 2 >= pairs && zero[0] * 16 <= pairs)
		return "UTF-16LE";
	if (zero[0] * 2 >= pairs && zero[1] * 16 <= pairs)
		return "UTF-16BE";
	return NULL;
}

/* Not UTF-8 because of a NUL byte at offset bad: say what the file
 * likely is, so the operator knows what to do with it. */
static int nul_in_file(const char *path, const char *data, size_t len,
                       size_t bad, int converted, struct td_error *err)
{
	const char *utf16 = converted ? NULL : bomless_utf16(data, len);

	if (utf16)
		return td_error_set_at(err, TD_ERR_DATA, path, 1, NULL,
		                       "NUL bytes: this looks like %s text without a "
		                       "byte-order mark; name it: --encoding %s",
		                       utf16, utf16);
	return td_error_set_at(err, TD_ERR_DATA, path, line_at(data, bad), NULL,
	                       "NUL byte in the file (is it a spreadsheet "
	                       "saved as .xlsx rather than CSV?)");
}

static int check_utf8(const char *path, const char *encoding, char **data,
                      size_t *len, struct td_error *err)
{
	const char *kind;
	size_t bad;
	int rc;

	if ((rc = slurp(path, data, len, err)) < 0)
		return rc;
	if ((kind = spreadsheet_kind(*data, *len)))
		return td_error_set_at(err, TD_ERR_DATA, path, 1, NULL, "not a CSV file "
		                       "but %s: open it and save it as \"CSV UTF-8\"", kind);
	if (!encoding && *len >= 2 && (((unsigned char)(*data)[0] == 0xFF &&
	    (unsigned char)(*data)[1] == 0xFE) || ((unsigned char)(*data)[0] == 0xFE &&
	    (unsigned char)(*data)[1] == 0xFF)))
		encoding = "UTF-16";   /* Excel's "Unicode text" */
	if (encoding && (rc = convert(path, encoding, data, len, err)) < 0)
		return rc;
	if (td_utf8_valid(*data, *len, &bad))
		return TD_OK;
	if ((*data)[bad] == '\0')
		return nul_in_file(path, *data, *len, bad, encoding != NULL, err);
	return td_error_set_at(err, TD_ERR_DATA, path, line_at(*data, bad), NULL,
	                       "invalid UTF-8 (byte 0x%02X); if the file is in a "
	                       "legacy encoding, name it, e.g. --encoding cp1258",
	                       (unsigned char)(*data)[bad]);
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
			rc = td_error_set_at(err, TD_ERR_DATA, path, rec->line, rec->fields[i],
			                     "unknown column in the %s list header "
			                     "(see docs/formats.md for the columns and aliases)",
			                     h->kind == LIST_CERTS ? "certificate" : "agency");
		else if (col >= 0 && seen[col]++)
			rc = td_error_set_at(err, TD_ERR_DATA, path, rec->line, names[col],
			                     "column given twice");
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

/* NFC, trimmed copy in the arena; a text problem is reported. */
static char *take_field(struct import_state *st, const struct import_row *r,
                        const char *col, char *value)
{
	const char *problem;
	char *nfc, *copy;

	td_trim(value);
	if (value[0] == '\'' && td_csv_is_formula(value + 1))
		value++;   /* a cell neutralized by `tokendesk export` */
	if (!*value)
		return NULL;
	if ((problem = td_import_check_text(value))) {
		td_import_row_error(st, r, col, "%s", problem);
		return NULL;
	}
	if (!(nfc = td_nfc(value)))
		return NULL;
	copy = td_arena_strdup(st->arena, nfc);
	free(nfc);
	return copy;
}

static int add_row(struct import_state *st, const struct header *h,
                   const char *path, const struct td_csv_record *rec)
{
	struct row_array *a = h->kind == LIST_CERTS ? &st->certs : &st->agencies;
	const char *const *names = h->kind == LIST_CERTS ? td_cert_col_names
	                                                 : td_agency_col_names;
	struct import_row *r = new_row(st, a);

	if (!r)
		return TD_ERR_NOMEM;
	r->file = path;
	r->line = rec->line;
	st->rows_read++;
	if (rec->nfields != h->ncols) {
		td_import_row_error(st, r, NULL, "%zu fields where the header has %zu",
		                    rec->nfields, h->ncols);
		return TD_OK;
	}
	for (size_t i = 0; i < rec->nfields; i++)
		if (h->map[i] >= 0)
			r->f[h->map[i]] = take_field(st, r, names[h->map[i]], rec->fields[i]);
	return TD_OK;
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

	if ((rc = load_utf8(path, encoding, &data, &len, err)) < 0)
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
