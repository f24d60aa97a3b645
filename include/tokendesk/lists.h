/* tokendesk/lists.h: the lists a province sends to DOST and the CA
 * (letter 2.1, 2.2, 4), written from the tags: certificates to revoke,
 * certificates to change with their new DN, tokens collected to send on
 * to the CA, request dossiers handed over.
 *
 * XLSX (libxlsxwriter): one workbook, one sheet per list, Vietnamese
 * headers, and after each list its totals per agency.  Agencies are
 * named with their province where two share a name; certificate lists
 * carry the holder's ID number, position, e-mail, the validity and the
 * token's model.  CSV: one file per
 * list in a directory.  Files are created mode 0600.  Every cell that a
 * spreadsheet would take for a formula (starting with = + - @, TAB, CR)
 * is written with a leading apostrophe, in both formats. */
#ifndef TOKENDESK_LISTS_H
#define TOKENDESK_LISTS_H

#include <stdint.h>

#include "tokendesk/error.h"

struct td_registry;

enum td_lists_format { TD_LISTS_XLSX, TD_LISTS_CSV };

struct td_lists_opts {
	enum td_lists_format format;
	int64_t batch;       /* only tags of this batch; 0 for every batch */
	int include_confirmed; /* also tags the CA already confirmed */
};

struct td_lists_report {
	long revoke, change_info, collect, handover_dossiers;   /* rows written */
	long renew, recover_token, new_issue;
};

/* The lists, one per tag kind sent to DOST: revoke, change_info,
 * collect, handover_dossiers, renew, recover_token, new_issue. */
#define TD_LISTS_N 7

/* The names of the CSV files written into a directory, in list order. */
extern const char *const td_lists_csv_names[TD_LISTS_N];

/* Write the lists to path (the XLSX file, or the directory for CSV,
 * created if missing).  TD_ERR_NOTFOUND (nothing written) when
 * opts->batch names no batch.  Returns 0 or a td_code with err filled. */
int td_lists_write(struct td_registry *reg, const char *path,
                   const struct td_lists_opts *opts,
                   struct td_lists_report *rep, struct td_error *err);

#endif
