/* registry/txn.h: the registry's transactions, for the room that owns
 * them: src/workflow/ (the rules, the only writer) and the tests.  The
 * front ends (src/tui, src/cli) never include this file: they write
 * through a workflow function, which opens the transaction, checks the
 * rules inside it and ends it (README, "The house").
 * tests/cli/house-rules.sh checks that no front end names these. */
#ifndef TD_REGISTRY_TXN_H
#define TD_REGISTRY_TXN_H

#include <stdint.h>

#include "tokendesk/error.h"

struct td_registry;

/* Transactions.  Writes outside a transaction fail with TD_ERR_INTERNAL.
 * begin takes the write lock at once (BEGIN IMMEDIATE). */
int td_reg_begin(struct td_registry *reg, struct td_error *err);
int td_reg_commit(struct td_registry *reg, struct td_error *err);
/* End the transaction td_reg_begin opened with the result of the work
 * done in it: commit when rc is TD_OK (returning the commit's result),
 * else roll back and return rc.  So a one-call write reads
 *     if ((rc = td_reg_begin(reg, err)) == TD_OK)
 *         rc = td_reg_end(reg, td_reg_tag_put(reg, &t, &changed, err), err); */
int td_reg_end(struct td_registry *reg, int rc, struct td_error *err);

/* A transaction for loading many records at once (imports, kit merges):
 * like td_reg_begin, but each *addition* of an agency or certificate is
 * folded into one audit row per kind, written at commit, that records
 * the label, the count, the first and last key and a SHA-256 over the
 * added rows' content.  Updates are still audited row by row with their
 * before and after.  A larger page cache is used until commit. */
int td_reg_begin_bulk(struct td_registry *reg, const char *label,
                      struct td_error *err);

struct td_cert_put;

/* In a first load (td_reg_begin_bulk found no certificate, holder or
 * token), add p's holder, or its token, so that a caller chooses their
 * order (and their ids) before adding the certificates.  The caller adds
 * each holder (kind, ext_id) and each token once, and passes the id put
 * in *id with every certificate of it (td_cert_put's holder_id and
 * token_id): no map of ids is kept for them (a million look-ups, issue
 * 27).  A certificate without them finds no holder and adds it again,
 * which the UNIQUE key refuses.  p's serials must be canonical.  Outside
 * a first load, nothing, with *id 0 (td_reg_put_cert does it). */
int td_reg_bulk_holder(struct td_registry *reg, const struct td_cert_put *p,
                       int64_t *id, struct td_error *err);
int td_reg_bulk_token(struct td_registry *reg, const struct td_cert_put *p,
                      int64_t *id, struct td_error *err);
void td_reg_rollback(struct td_registry *reg);

#endif
