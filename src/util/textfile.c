/* textfile.c: a list file as UTF-8 text, whatever a spreadsheet saved
 * it as (see tokendesk/textfile.h). */
#include <config.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tokendesk/text.h"
#include "tokendesk/textfile.h"

/* marks a text for xgettext; td_error_translate gives it in the operator's
 * language where it is used */
#define N_(s) s

/* A province's lists are tens of MiB (a million rows is 70); anything far
 * bigger is the wrong file (or /dev/zero) and would only exhaust memory. */
#define MAX_FILE_BYTES ((size_t)256 << 20)

static int slurp(const char *path, char **data, size_t *len, struct td_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	char *buf;

	/* no such file is a missing input (66), as everywhere else */
	if (!f)
		return td_error_set(err, errno == ENOENT || errno == ENOTDIR ?
		                    TD_ERR_NOTFOUND : TD_ERR_IO, "%s: %s", path,
		                    strerror(errno));
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

/* The line of offset: lines end with LF, CRLF, or a lone CR (a file
 * saved as "CSV (Macintosh)"). */
static long line_at(const char *data, size_t offset)
{
	long line = 1;

	for (size_t i = 0; i < offset; i++)
		if (data[i] == '\n' ||
		    (data[i] == '\r' && (i + 1 == offset || data[i + 1] != '\n')))
			line++;
	return line;
}

/* Excel for Mac's "CSV (Macintosh)" ends lines with a lone CR: a file
 * with CRs and not one LF is such a file, and gets LFs, so that every
 * reader sees its lines.  A file with any LF is left as it is: a stray
 * CR there is part of a field (and refused as a control character). */
static void mac_line_ends(char *data, size_t len)
{
	if (memchr(data, '\n', len))
		return;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\r')
			data[i] = '\n';
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

/* A spreadsheet saved in its own format rather than as CSV: Excel and
 * LibreOffice write zip files (.xlsx, .ods), older Excel OLE2 (.xls).
 * No CSV starts with these bytes.  NULL when data is none of them. */
static const char *spreadsheet_kind(const char *data, size_t len)
{
	static const unsigned char ole2[8] = {
		0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };

	if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0)
		return N_("a zip file (an .xlsx or .ods spreadsheet?)");
	if (len >= sizeof ole2 && memcmp(data, ole2, sizeof ole2) == 0)
		return N_("an old Excel .xls file");
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
	                       "NUL byte in the file: not a text list (a binary"
	                       " file, or a spreadsheet in another format?)");
}

int td_sqlite_header(const void *data, size_t len)
{
	static const char magic[16] = "SQLite format 3";   /* NUL included */

	return len >= sizeof magic && memcmp(data, magic, sizeof magic) == 0;
}

static int check_utf8(const char *path, const char *encoding, char **data,
                      size_t *len, struct td_error *err)
{
	const char *kind;
	size_t bad;
	int rc;

	if ((rc = slurp(path, data, len, err)) < 0)
		return rc;
	if (td_sqlite_header(*data, *len))
		return td_error_set_at(err, TD_ERR_DATA, path, 1, NULL, "not a list"
		                       " but an SQLite database (a registry or a field"
		                       " kit?); lists are CSV files");
	if ((kind = spreadsheet_kind(*data, *len)))
		return td_error_set_at(err, TD_ERR_DATA, path, 1, NULL, "not a CSV file "
		                       "but %s: open it and save it as \"CSV UTF-8\"",
		                       td_error_translate(kind));
	if (!encoding && *len >= 2 && (((unsigned char)(*data)[0] == 0xFF &&
	    (unsigned char)(*data)[1] == 0xFE) || ((unsigned char)(*data)[0] == 0xFE &&
	    (unsigned char)(*data)[1] == 0xFF)))
		encoding = "UTF-16";   /* Excel's "Unicode text" */
	if (encoding && (rc = convert(path, encoding, data, len, err)) < 0)
		return rc;
	if (td_utf8_valid(*data, *len, &bad)) {
		mac_line_ends(*data, *len);
		return TD_OK;
	}
	if ((*data)[bad] == '\0')
		return nul_in_file(path, *data, *len, bad, encoding != NULL, err);
	return td_error_set_at(err, TD_ERR_DATA, path, line_at(*data, bad), NULL,
	                       "invalid UTF-8 (byte 0x%02X); if the file is in a "
	                       "legacy encoding, name it: cp1258 for old "
	                       "Vietnamese Excel (--encoding cp1258)",
	                       (unsigned char)(*data)[bad]);
}

int td_textfile_load(const char *path, const char *encoding, char **data,
                     size_t *len, struct td_error *err)
{
	char *whole;
	int rc;

	*data = NULL;
	*len = 0;
	if ((rc = check_utf8(path, encoding, data, len, err)) < 0) {
		free(*data);
		*data = NULL;
		return rc;
	}
	if (!(whole = realloc(*data, *len + 1))) {
		free(*data);
		*data = NULL;
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	whole[*len] = '\0';
	*data = whole;
	return TD_OK;
}
