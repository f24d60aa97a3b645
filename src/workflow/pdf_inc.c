/* pdf_inc.c: the reading side of pdf_inc.h.  Why our own: the Debian
 * libraries that write PDF signatures are C++ (PoDoFo, qpdf: its C API
 * has no incremental update or signature placeholder); a cairo record
 * needs only its xref tables, trailer, catalog and last page read. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflow/pdf_inc.h"

#define MAX_PDF (64L << 20)     /* a record is tens of kilobytes */

static int is_delim(int c)
{
	return strchr("()<>[]{}/%", c) != NULL;
}

static int is_ws(int c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0;
}

const char *pdf_skip_ws(const char *s, const char *e)
{
	while (s < e) {
		if (is_ws((unsigned char)*s))
			s++;
		else if (*s == '%')
			while (s < e && *s != '\n' && *s != '\r')
				s++;
		else
			break;
	}
	return s;
}

static const char *skip_token(const char *s, const char *e)
{
	while (s < e && !is_ws((unsigned char)*s) && !is_delim((unsigned char)*s))
		s++;
	return s;
}

static const char *skip_string(const char *s, const char *e)
{
	int depth = 0;

	for (; s < e; s++) {
		if (*s == '\\')
			s++;
		else if (*s == '(')
			depth++;
		else if (*s == ')' && --depth == 0)
			return s + 1;
	}
	return NULL;
}

/* One value, "N G R" not joined. */
static const char *skip_one(const char *s, const char *e, int depth)
{
	s = pdf_skip_ws(s, e);
	if (s >= e || depth > 32)
		return NULL;
	if (*s == '(')
		return skip_string(s, e);
	if (*s == '/')
		return skip_token(s + 1, e);
	if (*s == '<' && s + 1 < e && s[1] == '<') {
		for (s += 2;;) {
			s = pdf_skip_ws(s, e);
			if (s + 1 < e && s[0] == '>' && s[1] == '>')
				return s + 2;
			if (!(s = skip_one(s, e, depth + 1)))
				return NULL;
		}
	}
	if (*s == '<') {
		const char *c = memchr(s, '>', (size_t)(e - s));
		return c ? c + 1 : NULL;
	}
	if (*s == '[') {
		for (s++;;) {
			s = pdf_skip_ws(s, e);
			if (s < e && *s == ']')
				return s + 1;
			if (!(s = skip_one(s, e, depth + 1)))
				return NULL;
		}
	}
	if (is_delim((unsigned char)*s))
		return NULL;
	return skip_token(s, e);
}

static int is_uint(const char *s, const char *e)
{
	if (s >= e)
		return 0;
	for (; s < e; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

const char *pdf_skip_value(const char *s, const char *e)
{
	const char *a = pdf_skip_ws(s, e), *ae = skip_one(a, e, 0), *b, *be, *c, *ce;

	if (!ae || !is_uint(a, ae))
		return ae;
	/* "N G R" is one value. */
	b = pdf_skip_ws(ae, e);
	be = skip_one(b, e, 0);
	if (!be || !is_uint(b, be))
		return ae;
	c = pdf_skip_ws(be, e);
	ce = skip_one(c, e, 0);
	return ce && ce - c == 1 && *c == 'R' ? ce : ae;
}

int pdf_dict_get(struct pdf_span d, const char *key, struct pdf_span *value)
{
	const char *s = pdf_skip_ws(d.s, d.e);
	size_t klen = strlen(key);

	if (d.e - s < 2 || s[0] != '<' || s[1] != '<')
		return -1;
	for (s += 2;;) {
		const char *k = pdf_skip_ws(s, d.e), *ke, *v;
		if (k >= d.e || *k != '/')
			return -1;
		ke = skip_token(k + 1, d.e);
		if (!(v = pdf_skip_value(ke, d.e)))
			return -1;
		if ((size_t)(ke - k) == klen && memcmp(k, key, klen) == 0) {
			value->s = pdf_skip_ws(ke, d.e);
			value->e = v;
			return 0;
		}
		s = v;
	}
}

long pdf_ref(struct pdf_span v)
{
	char *end;
	long n;

	if (v.e - v.s < 5 || v.e[-1] != 'R' || !isdigit((unsigned char)*v.s))
		return 0;
	n = strtol(v.s, &end, 10);
	return n > 0 && end < v.e ? n : 0;
}

int pdf_object(const struct pdf_file *p, long num, struct pdf_span *value)
{
	const char *s, *e = (const char *)p->buf + p->len, *v;
	char *end;

	if (num <= 0 || num >= p->noff || p->off[num] <= 0 || (size_t)p->off[num] >= p->len)
		return -1;
	s = (const char *)p->buf + p->off[num];
	if (strtol(s, &end, 10) != num)
		return -1;
	strtol(end, &end, 10);
	s = pdf_skip_ws(end, e);
	if (e - s < 3 || memcmp(s, "obj", 3) != 0)
		return -1;
	s += 3;
	if (!(v = pdf_skip_value(s, e)))
		return -1;
	value->s = pdf_skip_ws(s, e);
	value->e = v;
	return 0;
}

static int read_all(const char *path, struct pdf_file *p, struct td_error *err)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return td_error_set(err, errno == ENOENT ? TD_ERR_NOTFOUND : TD_ERR_IO,
		                    "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > MAX_PDF ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return td_error_set(err, TD_ERR_DATA, "%s: not a handover record", path);
	}
	p->buf = malloc((size_t)n + 1);
	if (!p->buf || fread(p->buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return td_error_set(err, TD_ERR_IO, "%s: cannot read", path);
	}
	fclose(f);
	p->buf[n] = '\0';
	p->len = (size_t)n;
	return TD_OK;
}

static long last_startxref(const struct pdf_file *p)
{
	const char *b = (const char *)p->buf;
	size_t from = p->len > 1024 ? p->len - 1024 : 0;

	for (size_t i = p->len; i-- > from;)
		if (p->len - i >= 9 && memcmp(b + i, "startxref", 9) == 0)
			return strtol(b + i + 9, NULL, 10);
	return -1;
}

static int grow(struct pdf_file *p, long n)
{
	long *o;

	if (n < p->noff)
		return 0;
	if (n > 1000000 ||   /* a record has tens of objects */ !(o = realloc(p->off, (size_t)(n + 1) * sizeof *o)))
		return -1;
	memset(o + p->noff, 0, (size_t)(n + 1 - p->noff) * sizeof *o);
	p->off = o;
	p->noff = n + 1;
	return 0;
}

/* One "xref ... trailer <<...>>" section at off; newer entries win (they
 * are read first), so an entry already set is kept.  *prev gets /Prev. */
static int read_section(struct pdf_file *p, long off, long *prev)
{
	const char *s = (const char *)p->buf + off, *e = (const char *)p->buf + p->len;
	struct pdf_span trailer, v;
	char *end;

	*prev = -1;
	if (off < 0 || (size_t)off >= p->len || strncmp(s, "xref", 4) != 0)
		return -1;
	s += 4;
	for (;;) {
		long first, count;
		s = pdf_skip_ws(s, e);
		if (e - s >= 7 && memcmp(s, "trailer", 7) == 0)
			break;
		first = strtol(s, &end, 10);
		count = strtol(end, &end, 10);
		if (end == s || first < 0 || count < 0 || grow(p, first + count) < 0)
			return -1;
		s = end;
		for (long i = 0; i < count; i++) {
			long o = strtol(s, &end, 10);
			strtol(end, &end, 10);
			s = pdf_skip_ws(end, e);
			if (s >= e || (*s != 'n' && *s != 'f'))
				return -1;
			if (p->off[first + i] == 0 && *s == 'n')
				p->off[first + i] = o;
			else if (p->off[first + i] == 0)
				p->off[first + i] = -1;   /* free in the newest section */
			s++;
		}
	}
	trailer.s = s + 7;
	trailer.e = e;
	if (!(trailer.e = pdf_skip_value(trailer.s, e)))
		return -1;
	if (p->size == 0 && pdf_dict_get(trailer, "/Size", &v) == 0)
		p->size = strtol(v.s, NULL, 10);
	if (p->root == 0 && pdf_dict_get(trailer, "/Root", &v) == 0)
		p->root = pdf_ref(v);
	if (p->info == 0 && pdf_dict_get(trailer, "/Info", &v) == 0)
		p->info = pdf_ref(v);
	if (pdf_dict_get(trailer, "/Prev", &v) == 0)
		*prev = strtol(v.s, NULL, 10);
	return 0;
}

static int load(const char *path, struct pdf_file *p, struct td_error *err)
{
	long off, prev;
	int rc, sections = 0;

	if ((rc = read_all(path, p, err)) < 0)
		return rc;
	if (p->len < 8 || memcmp(p->buf, "%PDF-", 5) != 0)
		return td_error_set(err, TD_ERR_DATA, "%s: not a PDF file", path);
	off = p->startxref = last_startxref(p);
	for (; off >= 0 && sections < 64; off = prev, sections++)
		if (read_section(p, off, &prev) < 0)
			return td_error_set(err, TD_ERR_DATA, "%s: a PDF this program "
			                    "cannot update (its cross-reference table is not "
			                    "one cairo or tokendesk writes)", path);
	if (!p->root || p->size <= 0 || sections == 0)
		return td_error_set(err, TD_ERR_DATA, "%s: a PDF with no document catalog",
		                    path);
	for (long i = 0; i < p->noff; i++)
		if (p->off[i] < 0)
			p->off[i] = 0;
	return TD_OK;
}

int pdf_file_load(const char *path, struct pdf_file *p, struct td_error *err)
{
	int rc;

	memset(p, 0, sizeof *p);
	if ((rc = load(path, p, err)) < 0)
		pdf_file_free(p);   /* the caller frees only what loaded */
	return rc;
}

void pdf_file_free(struct pdf_file *p)
{
	free(p->buf);
	free(p->off);
	memset(p, 0, sizeof *p);
}
