/* import_internal.h: shared by the import's files. */
#ifndef TD_IMPORT_INTERNAL_H
#define TD_IMPORT_INTERNAL_H

#include <stdint.h>
#include <stddef.h>

#include "tokendesk/error.h"
#include "tokendesk/import.h"
#include "tokendesk/strmap.h"

enum list_kind { LIST_AGENCIES, LIST_CERTS };

enum agency_col { AC_CODE, AC_NAME, AC_PARENT, AC_LEVEL, AC_FROM, AC_TO, AC__N };
enum cert_col {
	CC_SERIAL, CC_KIND, CC_HOLDER_NAME, CC_HOLDER_ID, CC_POSITION, CC_AGENCY,
	CC_NOT_BEFORE, CC_NOT_AFTER, CC_TOKEN_SERIAL, CC_TOKEN_MODEL, CC_EMAIL, CC__N
};

/* A data row: the file, its line, and its fields by canonical column
 * (NULL where the file has no such column).  Strings live in the arena. */
struct import_row {
	const char *file;
	long line;
	char *f[(int)CC__N > (int)AC__N ? (int)CC__N : (int)AC__N];
	unsigned refused;   /* bit c: field c was there but refused (with its
	                       own message), so it is not "missing" as well */
	unsigned given;     /* bit c: the file has column c (an empty cell
	                       clears a field; a column left out says nothing) */
	unsigned token_new; /* its token is not the one the registry gives its
	                       certificate (a new certificate, or a move) */
	/* A first load's certificate row: where its holder and token are in
	 * the load's list of them (import.c; NO_FIRST for none) */
	uint32_t holder_ix, token_ix;
};
#define NO_FIRST UINT32_MAX

struct row_array {
	struct import_row *rows;
	size_t n, cap;
};

struct import_state {
	struct td_arena *arena;
	struct row_array agencies, certs;
	struct td_error_list *errors;
	long rows_read;
	char label[256];   /* "import FILE..." for the bulk audit row */
	const struct td_import_opts *opts;   /* for progress; may be NULL */
	struct td_registry *reg;  /* what the rows update (holder checks) */
	int reg_has_certs;        /* 0: a first import, nothing to move */
};

/* The longest field a list may hold, in bytes (import_file.c). */
#define TD_IMPORT_FIELD_MAX 2000

/* Rows between two progress reports within a phase. */
#define TD_IMPORT_PROGRESS_EVERY 4096

/* Tell opts->progress, if any, where the import is. */
void td_import_report_progress(const struct import_state *st,
                               enum td_import_phase phase, const char *file,
                               long long done, long long total);

/* Read one file (converted to UTF-8) and append its rows to the state;
 * row-level problems go to st->errors; a fatal problem (unreadable file,
 * unknown header) is returned. */
int td_import_read_file(struct import_state *st, const char *path,
                        const char *encoding, struct td_error *err);

/* Record an error at a row. */
void td_import_row_error(struct import_state *st, const struct import_row *r,
                         const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Canonical column names, for messages. */
extern const char *const td_agency_col_names[AC__N];
extern const char *const td_cert_col_names[CC__N];

/* Field rules: each returns NULL when value is fine, else a message.
 * May rewrite the value in place (canonical spelling). */

#endif
