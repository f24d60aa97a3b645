/* tokendesk/import.h: importing the provincial master list (CSV).
 *
 * Files are agency lists (code,name,parent_code,level) or certificate
 * lists (cert_serial,kind,holder_name,...; see docs/formats.md), told
 * apart by their header; Vietnamese header aliases are accepted.  An
 * import is all-or-nothing: every row of every file is checked first, and
 * when any is bad nothing is written and every problem is reported with
 * its file, line and field.  Importing the same files again changes
 * nothing (not even the audit log). */
#ifndef TOKENDESK_IMPORT_H
#define TOKENDESK_IMPORT_H

#include "tokendesk/error.h"

struct td_registry;

/* Where an import is, for a progress display: a national list takes a
 * minute.  Reported at the start of each phase and then every few
 * thousand rows; the caller decides how often to show it. */
enum td_import_phase {
	TD_IMPORT_READING,    /* file; done and total in bytes */
	TD_IMPORT_CHECKING,   /* every row against the others and the registry */
	TD_IMPORT_WRITING,    /* done and total in rows */
	TD_IMPORT_SAVING      /* indexes, search index, commit: no count */
};

struct td_import_progress {
	enum td_import_phase phase;
	const char *file;         /* READING: the file's path, else NULL */
	long long done, total;    /* READING and WRITING, else 0 */
};

typedef void td_import_progress_fn(const struct td_import_progress *p, void *ctx);

struct td_import_opts {
	const char *encoding;   /* iconv name of the files' encoding, or NULL
	                           for UTF-8 (UTF-16 with a BOM is detected) */
	const char *issuer_dn;  /* NULL: TD_GOV_CA_ISSUER_DN */
	size_t max_errors;      /* errors kept for the report (0: 100) */
	td_import_progress_fn *progress;   /* NULL: none */
	int allow_holder_change;  /* a certificate the registry gives one holder
	                             may move to another (else refused: a
	                             mistyped ID would move it silently) */
	void *progress_ctx;
};

struct td_import_counts {
	long added, updated, unchanged;
};

struct td_import_report {
	long rows;                         /* data rows read */
	struct td_import_counts agencies, certificates;
	struct td_error_list errors;       /* the bad rows, when it failed */
};

/* Import paths[0..n) in one transaction.  Returns 0; TD_ERR_DATA when
 * any row is bad (report->errors lists them, err summarises); or another
 * error (file unreadable, registry failure).  The report is always
 * initialised: free it with td_import_report_free(). */
int td_import_files(struct td_registry *reg, const char *const *paths, size_t n,
                    const struct td_import_opts *opts,
                    struct td_import_report *report, struct td_error *err);

void td_import_report_free(struct td_import_report *report);

#endif
