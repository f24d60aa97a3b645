/* csv.c: a small RFC 4180 reader over an in-memory buffer, and a writer. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tokendesk/csv.h"

#define N_(s) s   /* xgettext: the messages fail() is given */

struct td_csv_reader {
	const char *p, *end;
	char *name;
	char sep;
	long line;          /* line of the next unread byte */
	char *buf;          /* unescaped fields of the current record */
	size_t buf_size;
	char *fields[TD_CSV_MAX_FIELDS];
	size_t offsets[TD_CSV_MAX_FIELDS];
};

/* Pick the separator that occurs most often, outside quotes, on the
 * first line. */
static char guess_separator(const char *p, const char *end)
{
	int commas = 0, semis = 0, tabs = 0, quoted = 0;

	for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ',')
			commas++;
		else if (!quoted && *p == ';')
			semis++;
		else if (!quoted && *p == '\t')
			tabs++;
	}
	if (semis > commas && semis >= tabs)
		return ';';
	if (tabs > commas && tabs > semis)
		return '\t';
	return ',';
}

/* Excel's "sep=;" first line names the separator; Excel reads it and
 * hides the line.  Lists prepared for Excel where the list separator is
 * ';' (Vietnamese Windows: the decimal mark is ',') often carry it.
 * Taken when it names one of the separators the reader knows. */
static int separator_line(struct td_csv_reader *r)
{
	const char *p = r->p;

	if (r->end - p < 5 || strncasecmp(p, "sep=", 4) != 0 ||
	    !strchr(",;\t", p[4]) || p[4] == '\0')
		return 0;
	p += 5;
	if (p < r->end && *p == '\r')
		p++;
	if (p < r->end && *p != '\n')
		return 0;
	r->sep = r->p[4];
	r->p = p < r->end ? p + 1 : p;
	r->line = 2;
	return 1;
}

struct td_csv_reader *td_csv_open(const char *data, size_t len, const char *name)
{
	struct td_csv_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->p = data;
	r->end = data + len;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
	r->name = strdup(name ? name : "-");
	r->line = 1;
	if (!separator_line(r))
		r->sep = guess_separator(r->p, r->end);
	if (!r->name) {
		free(r);
		return NULL;
	}
	return r;
}

void td_csv_close(struct td_csv_reader *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->buf);
	free(r);
}

char td_csv_separator(const struct td_csv_reader *r)
{
	return r->sep;
}

size_t td_csv_remaining(const struct td_csv_reader *r)
{
	return (size_t)(r->end - r->p);
}

static int grow(struct td_csv_reader *r, size_t need)
{
	if (need <= r->buf_size)
		return 0;
	size_t size = r->buf_size ? r->buf_size : 4096;
	while (size < need)
		size *= 2;
	char *nb = realloc(r->buf, size);
	if (!nb)
		return -1;
	r->buf = nb;
	r->buf_size = size;
	return 0;
}

/* Append one byte to the record buffer. */
static int put(struct td_csv_reader *r, size_t *n, char c)
{
	if (grow(r, *n + 1) < 0)
		return -1;
	r->buf[(*n)++] = c;
	return 0;
}

/* msg: an English sentence marked N_(), said in the reader's language. */
static int fail(struct td_csv_reader *r, struct td_error *err, long line,
                const char *msg)
{
	return td_error_set_at(err, TD_ERR_DATA, r->name, line, NULL, "%s",
	                       td_error_translate(msg));
}

/* End the current field: NUL-terminate it and remember where it starts. */
static int end_field(struct td_csv_reader *r, size_t *n, size_t *nf,
                     size_t start, long line, struct td_error *err)
{
	if (*n - start > TD_CSV_MAX_FIELD)
		return td_error_set_at(err, TD_ERR_DATA, r->name, line, NULL,
		                       "field %zu is longer than %d bytes",
		                       *nf + 1, TD_CSV_MAX_FIELD);
	if (*nf >= TD_CSV_MAX_FIELDS)
		return td_error_set_at(err, TD_ERR_DATA, r->name, line, NULL,
		                       "more than %d fields", TD_CSV_MAX_FIELDS);
	if (put(r, n, '\0') < 0)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	r->offsets[(*nf)++] = start;
	return 0;
}

/* Read one quoted field body; r->p is just after the opening quote. */
static int read_quoted(struct td_csv_reader *r, size_t *n, size_t start,
                       long start_line, struct td_error *err)
{
	for (;;) {
		if (r->p >= r->end)
			return fail(r, err, start_line,
			            N_("unbalanced quote: a quoted field is never closed"));
		char c = *r->p++;
		if (c == '\0')
			return fail(r, err, r->line, N_("NUL byte in the file"));
		if (c == '"') {
			if (r->p < r->end && *r->p == '"')
				r->p++;          /* doubled quote */
			else
				return 0;
		} else if (c == '\n') {
			r->line++;
		}
		if (put(r, n, c) < 0)
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		if (*n - start > TD_CSV_MAX_FIELD)
			return td_error_set_at(err, TD_ERR_DATA, r->name, start_line,
			                       NULL, "field is longer than %d bytes",
			                       TD_CSV_MAX_FIELD);
	}
}

static int at_line_end(const struct td_csv_reader *r)
{
	return r->p >= r->end || *r->p == '\n' ||
	       (*r->p == '\r' && (r->p + 1 >= r->end || r->p[1] == '\n'));
}

static void skip_line_end(struct td_csv_reader *r)
{
	if (r->p < r->end && *r->p == '\r')
		r->p++;
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		r->line++;
	}
}

/* Fields after a closing quote: only a separator or a line end. */
static int after_quote(struct td_csv_reader *r, long line, struct td_error *err)
{
	if (at_line_end(r) || *r->p == r->sep)
		return 0;
	return fail(r, err, line, N_("unexpected character after a closing quote"));
}

static int read_record(struct td_csv_reader *r, size_t *nf, long line,
                       struct td_error *err)
{
	size_t n = 0, start = 0;
	int rc;

	for (;;) {
		if (r->p < r->end && *r->p == '"') {
			r->p++;
			if ((rc = read_quoted(r, &n, start, line, err)) < 0 ||
			    (rc = after_quote(r, line, err)) < 0)
				return rc;
		} else {
			while (!at_line_end(r) && *r->p != r->sep) {
				if (*r->p == '\0')
					return fail(r, err, r->line, N_("NUL byte in the file"));
				if (*r->p == '"')
					return fail(r, err, line,
					            N_("quote inside an unquoted field"));
				if (put(r, &n, *r->p++) < 0)
					return td_error_set(err, TD_ERR_NOMEM, "out of memory");
			}
		}
		if ((rc = end_field(r, &n, nf, start, line, err)) < 0)
			return rc;
		start = n;
		if (at_line_end(r))
			break;
		r->p++;   /* the separator */
	}
	skip_line_end(r);
	return 0;
}

static int blank_line(const struct td_csv_reader *r)
{
	return r->p < r->end && (*r->p == '\n' ||
	       (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n'));
}

int td_csv_record_blank(const struct td_csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++)
		if (rec->fields[i][strspn(rec->fields[i], " \t")] != '\0')
			return 0;
	return 1;
}

int td_csv_read(struct td_csv_reader *r, struct td_csv_record *rec,
                struct td_error *err)
{
	size_t nf = 0;
	int rc;

	while (blank_line(r))
		skip_line_end(r);
	if (r->p >= r->end)
		return 0;
	rec->line = r->line;
	if ((rc = read_record(r, &nf, rec->line, err)) < 0)
		return rc;
	for (size_t i = 0; i < nf; i++)
		r->fields[i] = r->buf + r->offsets[i];
	rec->nfields = nf;
	rec->fields = r->fields;
	return 1;
}

int td_csv_is_formula(const char *s)
{
	return s && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	             s[0] == '\t' || s[0] == '\r');
}

/* A field starting "sep=" is quoted too: unquoted, as a file's first
 * field with an empty one after it, it would read as Excel's separator
 * line ("sep=,"). */
static int needs_quotes(const char *s)
{
	return strpbrk(s, ",;\"\r\n\t") != NULL || s[0] == ' ' ||
	       (s[0] && s[strlen(s) - 1] == ' ') || strncasecmp(s, "sep=", 4) == 0;
}

static int write_field(FILE *out, const char *s, int flags)
{
	int neutral = (flags & TD_CSV_NEUTRALIZE) && td_csv_is_formula(s);

	if (!needs_quotes(s) && !neutral)
		return fputs(s, out) < 0 ? -1 : 0;
	if (fputc('"', out) == EOF || (neutral && fputc('\'', out) == EOF))
		return -1;
	for (; *s; s++) {
		if (*s == '"' && fputc('"', out) == EOF)
			return -1;
		if (fputc(*s, out) == EOF)
			return -1;
	}
	return fputc('"', out) == EOF ? -1 : 0;
}

int td_csv_write(FILE *out, size_t n, const char *const *fields, int flags)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && fputc(',', out) == EOF)
			return TD_ERR_IO;
		if (write_field(out, fields[i] ? fields[i] : "", flags) < 0)
			return TD_ERR_IO;
	}
	return fputs("\r\n", out) < 0 ? TD_ERR_IO : TD_OK;
}
