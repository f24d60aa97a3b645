/* tokendesk/count.h: inventory counts (letter 2.1), the workflow over
 * the registry's count records (registry.h, "inventory counts").
 *
 * Front ends (CLI `tokendesk count`, the desk's count screen) call these:
 * each scan is committed on its own before td_count_scan returns, so a
 * crash, power loss or closed laptop loses at most the scan being typed,
 * and resuming is simply scanning on into the same count id.  Reports are
 * built from the stored lines, never from memory. */
#ifndef TOKENDESK_COUNT_H
#define TOKENDESK_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include "tokendesk/error.h"
#include "tokendesk/registry.h"

/* Start a count and commit it.  Exactly one of agency_code / custodian
 * is non-NULL.  *id gets the count's id. */
int td_count_start(struct td_registry *reg, const char *agency_code,
                   const char *custodian, int64_t *id, struct td_error *err);

/* Canonicalise serial (td_token_serial), record and commit one scan.
 * source: "typed" (keyboard or barcode reader), "inserted" (a token the
 * desk saw plugged in) or "file".  hit (may be NULL) says what it was;
 * clear it with td_count_hit_clear.  TD_ERR_DATA for a serial that is not
 * one; TD_ERR_CONFLICT on a closed count. */
int td_count_scan(struct td_registry *reg, int64_t id, const char *serial,
                  const char *source, struct td_count_hit *hit,
                  struct td_error *err);

/* Scan the serials of a file, one per line (a barcode reader's log),
 * in one transaction: all of them or none; blank lines are skipped.
 * path: "-" is standard input; the file is read as
 * lists are read (tokendesk/textfile.h: UTF-8 with or without a BOM,
 * UTF-16 with a BOM; a spreadsheet or binary file refused as such).  A
 * bad serial is named with FILE:LINE.  *done gets how many were
 * recorded. */
int td_count_scan_file(struct td_registry *reg, int64_t id, const char *path,
                       size_t *done, struct td_error *err);

/* Close and commit: the result is frozen and audited. */
int td_count_close(struct td_registry *reg, int64_t id,
                   struct td_count_tally *tally, struct td_error *err);

/* A count's report: the count, its tallies and its lines by outcome.
 * All strings owned by the report. */
struct td_count_entry {
	char *serial, *custodian, *custodian_name;
	int64_t scans;
};
struct td_count_list {
	struct td_count_entry *v;
	size_t n, cap;
};
struct td_count_report {
	struct td_count count;
	struct td_count_tally tally;
	struct td_count_list by[4];     /* indexed by enum td_count_outcome */
	struct td_count_list duplicate; /* serials scanned more than once */
};

int td_count_report_load(struct td_registry *reg, int64_t id,
                         struct td_count_report *rep, struct td_error *err);
void td_count_report_free(struct td_count_report *rep);

struct td_outdir;

/* Write the report as text (with signature lines) or as XLSX to a new
 * file of mode 0600 (replacing one that exists), as outfile.h writes
 * files: never through a link (TD_ERR_CREATE).  path is a name in dir,
 * or with dir NULL a path as named. */
int td_count_report_write_text(const struct td_count_report *rep,
                               const struct td_outdir *dir, const char *path,
                               struct td_error *err);
int td_count_report_write_xlsx(const struct td_count_report *rep,
                               const struct td_outdir *dir, const char *path,
                               struct td_error *err);

/* What a counted token's custody says that the count must flag (issue
 * 23): TD_AWAY_NONE; TD_AWAY_STATE, the registry records it lost,
 * damaged, destroyed, sent to the CA or at DOST (the state code into
 * what); TD_AWAY_OTHER_HOLDER, it is recorded with a person who holds
 * none of its certificates (that person's name, else id, into what).  A
 * token the registry does not know is TD_AWAY_NONE (the count says
 * unknown). */
enum td_count_away { TD_AWAY_NONE, TD_AWAY_STATE, TD_AWAY_OTHER_HOLDER };
enum td_count_away td_count_away(struct td_registry *reg, const char *serial,
                                 char *what, size_t size);

#endif
