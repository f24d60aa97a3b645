/* tokendesk/registry.h: the SQLite registry, the only module with SQL.
 *
 * One file holds agencies, holders, certificates, tokens, custody events,
 * tags and the hash-chained audit log.  Every write happens inside a
 * transaction opened with td_reg_begin() and appends its own audit row in
 * that same transaction, so no write can forget its audit and a crash
 * leaves either the whole operation or none of it.
 *
 * Strings handed in must be valid UTF-8; the registry stores them NFC.
 * Token serials are canonical (td_token_serial: upper case, no spaces)
 * and are looked up in any spelling; certificate serials likewise
 * (td_serial_hex: lower-case hex without separators or leading zeros).
 * Strings handed out in records are heap copies owned by the record:
 * release them with the matching td_*_clear().  Callbacks receive records
 * that are valid only during the call. */
#ifndef TOKENDESK_REGISTRY_H
#define TOKENDESK_REGISTRY_H

#include <stdint.h>
#include <stddef.h>

#include "tokendesk/error.h"

struct td_registry;

/* The issuer DN of the government CA (G2), the default for imports. */
#define TD_GOV_CA_ISSUER_DN \
	"CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN"

enum td_reg_open_flags {
	TD_REG_CREATE = 1 << 0,   /* create the file (mode 0600) if missing */
	TD_REG_READONLY = 1 << 1  /* open read-only (no migration) */
};

/* Open the registry at path: refuses a file that is group/world-writable
 * or owned by another user; sets WAL, foreign keys and a busy timeout;
 * migrates the schema forward.  Returns NULL and fills err on failure. */
struct td_registry *td_reg_open(const char *path, int flags,
                                struct td_error *err);
void td_reg_close(struct td_registry *reg);

/* Who is recorded in audit rows from now on (copied). */
void td_reg_set_operator(struct td_registry *reg, const char *operator_name);
const char *td_reg_operator(const struct td_registry *reg);

/* Schema version of the open file, and the newest this build knows. */
int td_reg_schema_version(struct td_registry *reg);
int td_reg_schema_latest(void);

/* Transactions.  Writes outside a transaction fail with TD_ERR_INTERNAL.
 * begin takes the write lock at once (BEGIN IMMEDIATE). */
int td_reg_begin(struct td_registry *reg, struct td_error *err);
int td_reg_commit(struct td_registry *reg, struct td_error *err);

/* A transaction for loading many records at once (imports, kit merges):
 * like td_reg_begin, but each *addition* of an agency or certificate is
 * folded into one audit row per kind, written at commit, that records
 * the label, the count, the first and last key and a SHA-256 over the
 * added rows' content.  Updates are still audited row by row with their
 * before and after.  A larger page cache is used until commit. */
int td_reg_begin_bulk(struct td_registry *reg, const char *label,
                      struct td_error *err);
void td_reg_rollback(struct td_registry *reg);

/* ---- records ---------------------------------------------------------- */

struct td_agency {
	int64_t id;
	char *code, *name, *parent_code, *level;  /* parent_code NULL at root */
	char *valid_from, *valid_to;              /* YYYY-MM-DD or NULL */
};

struct td_holder {
	int64_t id;
	char *kind;         /* "person" or "org" */
	char *ext_id;       /* person: national id; org: agency code */
	char *name, *position, *email, *agency_code;
	int no_longer_needed; /* person marked as not needing a certificate */
};

struct td_cert {
	int64_t id;
	char *serial;       /* lowercase hex, no leading zeros */
	char *issuer_dn, *subject_dn;
	char *kind;         /* "org" or "person" */
	char *holder_ext_id, *holder_name, *agency_code;
	char *not_before, *not_after;   /* YYYY-MM-DD */
	char *status;       /* active, revoked, expired */
	char *revoked_at;   /* YYYY-MM-DD or NULL */
	char *token_serial; /* NULL when not on a token */
	char *fingerprint;  /* SHA-256 hex of the DER, when known */
};

struct td_token {
	int64_t id;
	char *serial, *model;
	char *state;        /* in_use, at_agency, at_dost, sent_to_ca, lost, damaged */
	char *custodian;    /* "holder:ID", "agency:CODE", "dost", "ca" */
	char *custodian_name; /* readable name of the custodian, or NULL */
};

struct td_custody_event {
	int64_t id, handover_id;
	char *token_serial, *at, *operator_name;
	char *from_custodian, *to_custodian, *state;
	char *condition, *remarks;
};

struct td_audit_row {
	int64_t id;
	char *at, *operator_name, *action, *entity, *entity_key;
	char *before, *after;  /* JSON text or NULL */
	char *hash;
};

void td_agency_clear(struct td_agency *a);
void td_holder_clear(struct td_holder *h);
void td_cert_clear(struct td_cert *c);
void td_token_clear(struct td_token *t);
void td_custody_event_clear(struct td_custody_event *e);
void td_audit_row_clear(struct td_audit_row *r);

/* ---- reads ------------------------------------------------------------ */

/* Each getter returns 0, TD_ERR_NOTFOUND, or another error. */
int td_reg_get_agency(struct td_registry *reg, const char *code,
                      struct td_agency *out, struct td_error *err);
int td_reg_get_holder(struct td_registry *reg, const char *kind,
                      const char *ext_id, struct td_holder *out,
                      struct td_error *err);
/* serial in any accepted spelling (case, colons, leading zeros). */
int td_reg_get_cert(struct td_registry *reg, const char *serial,
                    struct td_cert *out, struct td_error *err);
int td_reg_get_cert_by_fingerprint(struct td_registry *reg, const char *sha256_hex,
                                   struct td_cert *out, struct td_error *err);
int td_reg_get_token(struct td_registry *reg, const char *serial,
                     struct td_token *out, struct td_error *err);

/* Iterators: call fn for each row; fn returns 0 to go on, non-zero to
 * stop (that value is returned). */
typedef int (*td_agency_fn)(const struct td_agency *a, void *ctx);
typedef int (*td_cert_fn)(const struct td_cert *c, void *ctx);
typedef int (*td_token_fn)(const struct td_token *t, void *ctx);
typedef int (*td_custody_fn)(const struct td_custody_event *e, void *ctx);
typedef int (*td_audit_fn)(const struct td_audit_row *r, void *ctx);

int td_reg_each_agency(struct td_registry *reg, td_agency_fn fn, void *ctx,
                       struct td_error *err);
/* Certificates; agency_code NULL for all, else only that agency's own. */
int td_reg_each_cert(struct td_registry *reg, const char *agency_code,
                     td_cert_fn fn, void *ctx, struct td_error *err);
int td_reg_each_cert_on_token(struct td_registry *reg, const char *token_serial,
                              td_cert_fn fn, void *ctx, struct td_error *err);
int td_reg_each_token(struct td_registry *reg, td_token_fn fn, void *ctx,
                      struct td_error *err);
int td_reg_each_child_agency(struct td_registry *reg, const char *parent_code,
                             td_agency_fn fn, void *ctx, struct td_error *err);
int td_reg_each_custody_event(struct td_registry *reg, const char *token_serial,
                              td_custody_fn fn, void *ctx, struct td_error *err);
/* Audit rows about one entity ("token", "cert", "agency", ...) and key. */
int td_reg_each_audit_of(struct td_registry *reg, const char *entity,
                         const char *key, td_audit_fn fn, void *ctx,
                         struct td_error *err);

/* ---- search ----------------------------------------------------------- */

enum td_hit_kind { TD_HIT_AGENCY, TD_HIT_HOLDER, TD_HIT_CERT, TD_HIT_TOKEN };

struct td_search_hit {
	enum td_hit_kind kind;
	const char *key;     /* agency code, holder id, cert or token serial */
	const char *label;   /* agency name or holder name */
	const char *detail;  /* e.g. the agency of a holder, or NULL */
};
typedef int (*td_hit_fn)(const struct td_search_hit *hit, void *ctx);

/* Diacritic- and case-insensitive search over agency names and codes,
 * holder names and ids, certificate and token serials.  Each word of
 * text must match the start of a word (prefix search).  At most limit
 * hits, best first. */
int td_reg_search(struct td_registry *reg, const char *text, int limit,
                  td_hit_fn fn, void *ctx, struct td_error *err);

/* ---- writes (inside td_reg_begin / td_reg_commit) ------------------- */

enum td_upsert { TD_UPSERT_ADDED, TD_UPSERT_UPDATED, TD_UPSERT_UNCHANGED };

/* Insert or update an agency by code.  parent_code must exist already
 * (or be NULL).  *result says what happened. */
int td_reg_put_agency(struct td_registry *reg, const struct td_agency *a,
                      enum td_upsert *result, struct td_error *err);

/* Insert or update a certificate by (issuer_dn, serial), together with
 * its holder (by kind + ext_id) and token (by serial; custodian set to the
 * holder when the token is new).  Fields used: serial, issuer_dn,
 * subject_dn, kind, holder_ext_id, holder_name, agency_code, not_before,
 * not_after, token_serial, plus the holder's position/email and the
 * token's model passed separately. */
struct td_cert_put {
	const struct td_cert *cert;
	const char *position, *email;   /* holder's, may be NULL */
	const char *token_model;        /* may be NULL */
};
int td_reg_put_cert(struct td_registry *reg, const struct td_cert_put *p,
                    enum td_upsert *result, struct td_error *err);

/* Record a custody change of a token: appends a custody event and sets
 * the token's custodian and state.  handover_id groups a batch (0 = its
 * own).  Returns the event id in *event_id when non-NULL. */
int td_reg_move_token(struct td_registry *reg, const char *token_serial,
                      const char *to_custodian, const char *state,
                      const char *condition, const char *remarks,
                      int64_t handover_id, int64_t *event_id,
                      struct td_error *err);

/* Append an audit row for an action that is not a record write of its
 * own (e.g. "import" summary).  before/after: JSON text or NULL. */
int td_reg_audit(struct td_registry *reg, const char *action,
                 const char *entity, const char *key,
                 const char *before, const char *after, struct td_error *err);

/* ---- audit ------------------------------------------------------------ */

/* Walk the chain.  Returns 0 when every row's hash matches and links to
 * the row before; else TD_ERR_CONFLICT with *bad_id the first broken row
 * and err saying why.  *rows gets the number of rows checked. */
int td_reg_audit_verify(struct td_registry *reg, int64_t *rows,
                        int64_t *bad_id, struct td_error *err);

/* ---- export ----------------------------------------------------------- */

/* Rows of a table as strings, header first: what is "agencies",
 * "certificates" or "tokens".  fn gets ncols values (NULL for SQL NULL)
 * and is_header; returns 0 to go on. */
typedef int (*td_row_fn)(int ncols, const char *const *names,
                         const char *const *values, void *ctx);
int td_reg_export(struct td_registry *reg, const char *what, td_row_fn fn,
                  void *ctx, struct td_error *err);

/* ---- inventory counts (src/registry/count.c) ---------------------------
 *
 * A count checks the tokens physically present against what custody says.
 * Scope: an agency and its subtree (custodians "agency:CODE" of the
 * subtree and "holder:ID" of holders whose agency is in it), or exactly
 * one custodian string.  Every scan is its own row, written in the
 * caller's transaction; tallies are always derived from the stored scans,
 * so a count killed at any moment resumes with nothing lost or doubled.
 * Expected tokens are those the registry places in scope now; closing
 * freezes the result (count_result) so later custody changes do not alter
 * a closed count's report. */

enum td_count_outcome {
	TD_COUNT_FOUND,       /* scanned, and custody says it is in scope */
	TD_COUNT_MISSING,     /* custody says in scope, never scanned */
	TD_COUNT_UNEXPECTED,  /* scanned, registry places it elsewhere */
	TD_COUNT_UNKNOWN      /* scanned serial the registry does not know */
};

/* "found", "missing", "unexpected", "unknown". */
const char *td_count_outcome_name(enum td_count_outcome o);

struct td_count {
	int64_t id;
	char *uid;                  /* UUID, stable across kit merges */
	char *scope_kind;           /* "agency" or "custodian" */
	char *scope, *scope_name;   /* code or custodian string; readable name */
	char *started_at, *operator_name;
	char *closed_at, *closed_by; /* NULL while open */
	int64_t scans;              /* scan rows stored (duplicates included) */
};
void td_count_clear(struct td_count *c);

/* One serial's line of a count; valid during the callback only.
 * custodian/custodian_name: where the registry places the token (NULL
 * for unknown serials). */
struct td_count_line {
	const char *serial;
	enum td_count_outcome outcome;
	int64_t scans;              /* times scanned; > 1 is a duplicate scan */
	const char *custodian, *custodian_name;
};
typedef int (*td_count_line_fn)(const struct td_count_line *l, void *ctx);

struct td_count_tally {
	int64_t found, missing, unexpected, unknown;
	int64_t duplicate;          /* serials scanned more than once */
	int64_t expected;           /* found + missing */
	int64_t scans;              /* scan rows, duplicates included */
};

/* What one scan found out; strings owned (td_count_hit_clear). */
struct td_count_hit {
	enum td_count_outcome outcome;   /* FOUND, UNEXPECTED or UNKNOWN */
	int64_t scans;                   /* this serial's scans, this one too */
	char *custodian, *custodian_name;
};
void td_count_hit_clear(struct td_count_hit *h);

/* Start a count (in a transaction).  scope_kind "agency" (scope an
 * agency code) or "custodian" (scope "dost", "ca", "agency:CODE" or
 * "holder:ID", which must exist).  *id gets the new count's id. */
int td_reg_count_start(struct td_registry *reg, const char *scope_kind,
                       const char *scope, int64_t *id, struct td_error *err);
/* Read a count: 0, TD_ERR_NOTFOUND or another error. */
int td_reg_count_get(struct td_registry *reg, int64_t id, struct td_count *out,
                     struct td_error *err);
/* Record one scan (in a transaction) of a canonical token serial
 * (td_token_serial); source "typed", "inserted" or "file".  Refused with
 * TD_ERR_CONFLICT on a closed count.  hit may be NULL. */
int td_reg_count_scan(struct td_registry *reg, int64_t id, const char *serial,
                      const char *source, struct td_count_hit *hit,
                      struct td_error *err);
/* The count's lines, ordered by outcome then serial: live for an open
 * count, the frozen result for a closed one. */
int td_reg_count_each(struct td_registry *reg, int64_t id, td_count_line_fn fn,
                      void *ctx, struct td_error *err);
/* Tallies of the same lines. */
int td_reg_count_tally(struct td_registry *reg, int64_t id,
                       struct td_count_tally *out, struct td_error *err);
/* Close (in a transaction): freezes the lines, stamps closed_at/by and
 * audits the tallies.  TD_ERR_CONFLICT when already closed. */
int td_reg_count_close(struct td_registry *reg, int64_t id,
                       struct td_count_tally *out, struct td_error *err);
/* Every count, newest first (open ones are what a desk offers to
 * resume). */
typedef int (*td_count_fn)(const struct td_count *c, void *ctx);
int td_reg_count_list(struct td_registry *reg, td_count_fn fn, void *ctx,
                      struct td_error *err);

/* ---- field kits (src/registry/kit_*.c) ---------------------------------
 *
 * A kit is a registry file holding the part a field team needs: the
 * agencies given and their subtrees, their holders, certificates and
 * tokens (plus tokens in their custody), custody history, and the names
 * of ancestor agencies; nothing of other agencies' holders.  It carries
 * its own audit chain and a pristine image of itself as made; merging
 * diffs the kit against that image with SQLite's session extension and
 * replays the changeset at home.  These functions manage their own
 * transactions (call them outside td_reg_begin). */

struct td_kit_info {
	char uuid[37];
	int64_t agencies, holders, certificates, tokens, rows;
};
/* Write a new kit at kit_path (refused if it exists; mode 0600) for the
 * agencies codes[0..n) and their subtrees. */
int td_reg_kit_make(struct td_registry *home, const char *kit_path,
                    const char *const *codes, size_t n,
                    struct td_kit_info *info, struct td_error *err);

struct td_kit_merge_report {
	char uuid[37];
	int already;                 /* merged before: nothing was changed */
	int64_t inserted, updated, deleted, unchanged;
	int64_t audit_rows;          /* field audit rows re-appended */
	int64_t conflicts;           /* recorded in kit_conflict */
};
/* Merge the field changes of the kit at kit_path, all in one
 * transaction.  Rows the field added get fresh ids at home (references
 * declared with REFERENCES follow them); a field change to a row that
 * home also changed, or to a home-only table (agency, holder,
 * certificate), is recorded as a conflict and not applied.  The kit's
 * audit chain must verify. */
int td_reg_kit_merge(struct td_registry *home, const char *kit_path,
                     struct td_kit_merge_report *rep, struct td_error *err);

struct td_kit_conflict {
	int64_t id;
	const char *kit_uuid, *table, *op, *reason, *status;
	const char *pk, *home, *field_old, *field_new;  /* JSON text */
	const char *resolved_at, *resolved_by;
};
typedef int (*td_kit_conflict_fn)(const struct td_kit_conflict *c, void *ctx);
/* Conflicts, oldest first; open_only skips decided ones. */
int td_reg_kit_each_conflict(struct td_registry *reg, int open_only,
                             td_kit_conflict_fn fn, void *ctx,
                             struct td_error *err);
/* Decide a conflict (in a transaction): keep_field applies the field's
 * version to the row, else home's stays; audited either way.
 * TD_ERR_CONFLICT when already decided, TD_ERR_NOTFOUND when no such. */
int td_reg_kit_resolve(struct td_registry *reg, int64_t id, int keep_field,
                       struct td_error *err);

#endif
