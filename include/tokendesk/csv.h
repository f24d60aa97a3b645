/* tokendesk/csv.h: RFC 4180 reading and writing.
 *
 * The reader works over a caller-owned buffer holding the whole file
 * (already converted to UTF-8).  It accepts LF or CRLF line ends, quoted
 * fields with doubled quotes and embedded line breaks, a leading UTF-8
 * BOM, and ',' ';' or TAB as separator (named by an Excel "sep=X"
 * first line, which is then skipped, or else chosen from the first
 * line, as spreadsheet programs write all three).  It refuses, with the line
 * number, an unbalanced quote, a NUL byte, a field over TD_CSV_MAX_FIELD
 * bytes and a record of more than TD_CSV_MAX_FIELDS fields. */
#ifndef TOKENDESK_CSV_H
#define TOKENDESK_CSV_H

#include <stdio.h>
#include <stddef.h>

#include "tokendesk/error.h"

#define TD_CSV_MAX_FIELD (64 * 1024)
#define TD_CSV_MAX_FIELDS 256

struct td_csv_reader;

struct td_csv_record {
	long line;        /* line where the record starts, 1-based */
	size_t nfields;
	char **fields;    /* NUL-terminated, owned by the reader, valid until
	                     the next td_csv_read() */
};

/* name is used in error messages (copied).  NULL on out of memory. */
struct td_csv_reader *td_csv_open(const char *data, size_t len,
                                  const char *name);
void td_csv_close(struct td_csv_reader *r);

/* The separator chosen (',', ';' or '\t'). */
char td_csv_separator(const struct td_csv_reader *r);

/* Bytes of the input not read yet (for progress displays). */
size_t td_csv_remaining(const struct td_csv_reader *r);

/* Read the next record: returns 1 with *rec filled, 0 at end of input,
 * or a negative td_code with err naming file and line.  Blank lines are
 * skipped. */
int td_csv_read(struct td_csv_reader *r, struct td_csv_record *rec,
                struct td_error *err);

/* 1 when every field of rec is empty or blanks: a row of separators
 * only, as a spreadsheet writes for formatted rows past the data, which
 * lists then skip like blank lines. */
int td_csv_record_blank(const struct td_csv_record *rec);

enum td_csv_write_flags {
	/* Prefix cells starting with = + - @ (or TAB/CR) with a quote
	 * character so spreadsheets show them as text, not formulas. */
	TD_CSV_NEUTRALIZE = 1 << 0
};

/* Write one record, quoting where needed, CRLF-terminated as RFC 4180
 * says.  NULL fields are written empty.  Returns 0 or TD_ERR_IO. */
int td_csv_write(FILE *out, size_t n, const char *const *fields, int flags);

/* 1 when a spreadsheet would treat the text as a formula. */
int td_csv_is_formula(const char *s);

#endif
