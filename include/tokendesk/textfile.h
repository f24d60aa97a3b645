/* tokendesk/textfile.h: reading a list file someone saved from a
 * spreadsheet (master lists, reorganization plans) as UTF-8 text.
 *
 * Accepted: UTF-8 with or without a BOM (the BOM is left for the CSV
 * reader, which skips it), UTF-16 with a BOM (Excel's "Unicode text"),
 * and any encoding iconv knows when it is named (Vietnamese Excel
 * writes cp1258).  A file whose lines end in a lone CR and never LF
 * (Excel for Mac's "CSV (Macintosh)") gets LF line ends.  Refused with
 * FILE:LINE and what to do: a spreadsheet in its own format (.xlsx,
 * .ods, .xls), an SQLite database (a registry or a kit given for a
 * list), UTF-16 without a BOM (the encoding to name is said), invalid
 * UTF-8, NUL bytes, a legacy encoding named for a file that is already
 * UTF-8, over 256 MiB. */
#ifndef TOKENDESK_TEXTFILE_H
#define TOKENDESK_TEXTFILE_H

#include <stddef.h>

#include "tokendesk/error.h"

/* Read path ("-": standard input) whole as UTF-8.  encoding: NULL, or
 * an iconv name the file is in.  On TD_OK *data (malloc'ed, owned by
 * the caller) holds *len bytes of valid UTF-8 with no NUL, and a NUL
 * after them.  On failure *data is
 * NULL and err says why: TD_ERR_DATA (the file's content, with its
 * line), TD_ERR_IO (cannot read), TD_ERR_USAGE (unknown encoding),
 * TD_ERR_NOMEM. */
int td_textfile_load(const char *path, const char *encoding, char **data,
                     size_t *len, struct td_error *err);

/* 1 when the len bytes at data begin with SQLite's file header: a
 * registry or a field kit, where a list was meant or a file about to be
 * written over. */
int td_sqlite_header(const void *data, size_t len);

#endif
