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
	TD_REG_READONLY = 1 << 1, /* open read-only (no migration) */
	/* a command that only reads (show, search, audit verify): when the
	 * file cannot be opened for writing because the disk is full (its
	 * -shm cannot be made), open it read-only instead, and say so in
	 * td_reg_open_note */
	TD_REG_READ_FALLBACK = 1 << 3,
	/* with TD_REG_CREATE: its directories too (0700).  Only for the
	 * default place: a path the operator named is in a directory that
	 * exists, or was mistyped, or is a drive not mounted, and a registry
	 * made there would be lost to them. */
	TD_REG_CREATE_DIRS = 1 << 2,
	/* a field kit, not the registry (registry internals only): a file
	 * for a USB stick, whose FAT gives every file and folder the same
	 * mode, so the checks of where a registry lives (below) are not
	 * made; those of the file itself are. */
	TD_REG_KIT = 1 << 4
};

/* How long a writer waits for another's write lock by default: an
 * import of a province's lists holds it for seconds, never minutes. */
#define TD_REG_BUSY_MS 30000

/* Open the registry at path: refuses (TD_ERR_PERM, the fix named) a file
 * that is not a regular file, is group/world-writable, readable by others
 * (it holds citizens' ID numbers) or owned by another user, and one in a
 * directory group or others may write in (another user could put a file
 * of theirs in its place; /tmp too, sticky or not).  Sets WAL, foreign
 * keys and the wait for another writer's lock (TD_REG_BUSY_MS, see
 * td_reg_set_busy); migrates the schema forward.  Remembers which file
 * it opened: from then on td_reg_begin refuses to write if the path no
 * longer names it.  Returns NULL and fills err on failure. */
struct td_registry *td_reg_open(const char *path, int flags,
                                struct td_error *err);
void td_reg_close(struct td_registry *reg);

/* What the operator should know about how the registry was opened (a
 * read-only fallback on a full disk), or NULL.  Owned by reg. */
const char *td_reg_open_note(const struct td_registry *reg);

/* How a write waits for the write lock another desk or command holds:
 * up to ms milliseconds (TD_REG_BUSY_MS until set), calling wait(ctx,
 * waited_ms) about every 50 ms meanwhile, if wait is not NULL (the desk
 * says it is waiting and reads Esc).  wait returns non-zero to give up
 * at once.  A write that does not get the lock fails, nothing written:
 * TD_ERR_CANCELLED when wait gave up, else TD_ERR_BUSY. */
void td_reg_set_busy(struct td_registry *reg, int ms,
                     int (*wait)(void *ctx, int waited_ms), void *ctx);
/* Delete a registry file (closed) and its -wal and -shm companions. */
void td_reg_remove(const char *path);

/* Who is recorded in audit rows from now on (copied).  The front ends
 * hold it to td_text_problem and TD_OPERATOR_MAX first: it goes into
 * every audit row and onto every printed record. */
void td_reg_set_operator(struct td_registry *reg, const char *operator_name);

/* Longest operator name, in bytes: a person's name, with room to spare. */
#define TD_OPERATOR_MAX 200
const char *td_reg_operator(const struct td_registry *reg);

/* A number that grows whenever the registry's content may have changed
 * since it was last read: a write through reg, or a commit by another
 * process.  A screen showing rows reads them again when it differs. */
uint64_t td_reg_change_stamp(struct td_registry *reg);

/* 1 when the registry can be read but not written (its mode, its
 * directory or its file system forbid it): the desk says so up front. */
int td_reg_read_only(struct td_registry *reg);

/* Schema version of the open file, and the newest this build knows. */
int td_reg_schema_version(struct td_registry *reg);
int td_reg_schema_latest(void);

/* Run fn(reg, ctx, err) with every read it makes seeing the registry as
 * of one moment (a read transaction: writers elsewhere go on, unseen),
 * for a reader that goes over the same rows twice (the forms count an
 * agency's rows, then write them).  Inside a transaction already, fn
 * simply runs in it.  Returns fn's result, or a td_code of its own. */
int td_reg_read_snapshot(struct td_registry *reg,
                         int (*fn)(struct td_registry *reg, void *ctx,
                                   struct td_error *err),
                         void *ctx, struct td_error *err);

/* Transactions are the workflow's (src/workflow/, the only writer):
 * td_reg_begin, td_reg_end and the rest are declared in registry/txn.h,
 * which no front end includes.  A write below called outside one fails
 * with TD_ERR_INTERNAL. */

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
	/* A move recorded in a field kit whose merge found the token changed
	 * at home too: the kit conflict (its id and status, "open",
	 * "kept_home" or "kept_field") that decides whether this move is
	 * the token's custody.  0 and NULL for any other move; the status is
	 * set whenever the id is. */
	int64_t conflict_id;
	char *conflict_status;
	/* A move that lost a kit conflict (kit_superseded): the conflict,
	 * the choice that superseded it ("kept_home" or "kept_field"), who
	 * decided and when.  0 and NULL for a move that stands. */
	int64_t superseded_conflict;
	char *superseded_choice, *superseded_by, *superseded_at;
};

struct td_audit_row {
	int64_t id;
	char *at, *operator_name, *action, *entity, *entity_key;
	char *before, *after;  /* JSON text or NULL */
	char *hash;
	/* Set on a row recorded in a field kit and brought home by its merge:
	 * the kit's uuid.  Its id then counts the rows merges brought home
	 * (not the home chain), its action reads "field:ACTION", and at,
	 * operator and hash are the field's. */
	char *kit_uuid;
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
/* Each certificate written since audit row after_id, by its serial as
 * its audit row names it (fn's serial is valid during the call; fn
 * returns 0 to go on); *bulk is set when an import added certificates
 * in bulk meanwhile, which names none.  Reads only: for a writer that
 * looked certificates up before taking the write lock and checks, once
 * it holds it, which of those look-ups another program made stale. */
int td_reg_certs_written_since(struct td_registry *reg, int64_t after_id,
                               int (*fn)(const char *serial, void *ctx),
                               void *ctx, int *bulk, struct td_error *err);
/* The status of the certificate with serial (any accepted spelling)
 * into status ("active", "revoked"...; size bytes): 1 when the registry
 * holds it, 0 when not, or a negative code with err filled.  A statement
 * kept prepared: cheap enough for every entry of a large CRL. */
int td_reg_cert_status(struct td_registry *reg, const char *serial,
                       char *status, size_t size, struct td_error *err);
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
 * text but the last must be a whole word; the last may be the start of
 * one (search as you type).  At most limit
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
	/* A first load's holder and token ids, from td_reg_bulk_holder and
	 * td_reg_bulk_token (0: found by key) */
	int64_t holder_id, token_id;
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

/* One difference between the registry's rows and its audit trail.
 * table names the table as people read it ("token", "custody event",
 * "certificate"); key the row's key (NULL for a table of one row, or a
 * bulk load).  Strings valid during the callback only. */
enum td_audit_diff_kind {
	TD_DIFF_FIELD,       /* field is `is`, the audit says `says`; n: the row's
	                        place among its key's (sequence tables), or 0 */
	TD_DIFF_UNAUDITED,   /* a row with no audit row: added by hand */
	TD_DIFF_REMOVED,     /* a row the audit says was removed */
	TD_DIFF_MISSING,     /* an audited row that is not there */
	TD_DIFF_COUNT,       /* n rows of key are here, the audit tells `told` */
	TD_DIFF_BULK_ROWS,   /* the n rows audit row audit_id (action) added,
	                        first..last, are not all there */
	TD_DIFF_BULK_DIGEST, /* ... no longer match its content digest */
	TD_DIFF_FOREIGN_KEY, /* row n of table key refers to a missing `field` row */
	TD_DIFF_CLOCK        /* audit row n is dated `is`: more than five minutes
	                        before the row before it (told, dated `says`),
	                        or after now, or no time at all */
};
struct td_audit_diff {
	enum td_audit_diff_kind kind;
	const char *table, *key;
	const char *field, *is, *says;  /* values as 'text', a number, NULL */
	int64_t n, told, audit_id;
	const char *action, *first, *last;
};
typedef void (*td_audit_diff_fn)(const struct td_audit_diff *d, void *ctx);

/* Check that the registry holds what its audit trail says (call once the
 * chain verifies): every row of every audited table equals the after-
 * images of its audit rows applied in order (fields an older release did
 * not record are not compared), rows added in bulk match their bulk
 * row's content digest, no audited row is missing and no row lacks an
 * audit row; then PRAGMA foreign_key_check.  fn (may be NULL) gets each
 * difference.  Streams: memory does not grow with the registry.  Returns
 * 0, or TD_ERR_CONFLICT when *differences > 0, or another error. */
int td_reg_audit_verify_state(struct td_registry *reg, td_audit_diff_fn fn,
                              void *ctx, int64_t *differences,
                              struct td_error *err);
/* The newest audit row's id and hash (id 0 and "" when the log is
 * empty), for the user to keep elsewhere. */
int td_reg_audit_head(struct td_registry *reg, int64_t *id, char hash[65],
                      struct td_error *err);
/* A head kept earlier (id and hex hash, any case) is still in the chain:
 * TD_OK, or TD_ERR_CONFLICT with *why 1 when that row is gone (the chain
 * was cut before it) or 2 when its hash differs (the chain was rewritten;
 * stored gets the hash it has now).  Only meaningful once
 * td_reg_audit_verify passed. */
int td_reg_audit_check_kept(struct td_registry *reg, int64_t id,
                            const char *hash, int *why, char stored[65],
                            struct td_error *err);

/* ---- export ----------------------------------------------------------- */

/* Rows of a table as strings, header first: what is "agencies",
 * "certificates" or "tokens".  fn gets ncols values (NULL for SQL NULL)
 * and is_header; returns 0 to go on. */
typedef int (*td_row_fn)(int ncols, const char *const *names,
                         const char *const *values, void *ctx);
int td_reg_export(struct td_registry *reg, const char *what, td_row_fn fn,
                  void *ctx, struct td_error *err);

/* ---- reorganization: plans, tags, CRLs (src/registry/plan.c, tag.c) ---- */

/* One row of a stored merger plan, as imported (see docs/formats.md). */
struct td_plan_row {
	long line;                 /* line in the imported file */
	const char *effective_date, *event, *source_codes;
	const char *target_code, *target_name, *new_parent_code; /* may be NULL */
};
typedef int (*td_plan_row_fn)(const struct td_plan_row *r, void *ctx);

/* Replace the stored plan by rows[0..n) (inside a transaction; one audit
 * row "plan.import" with the count).  Picks are kept. */
int td_reg_plan_replace(struct td_registry *reg, const struct td_plan_row *rows,
                        size_t n, struct td_error *err);
/* An agency a plan merges away is in force until last_day (YYYY-MM-DD):
 * its valid_to set to it unless an earlier one stands (*ended 1 when
 * changed; audited as agency.update, as td_reg_put_agency would; the
 * search index is not touched: name and code stay).  Unknown code: 0,
 * nothing done.  Inside a transaction. */
int td_reg_agency_end(struct td_registry *reg, const char *code,
                      const char *last_day, int *ended, struct td_error *err);
/* A unit the plan keeps under a superior it ends goes to parent (the
 * superior the plan gives it; *moved 1 when changed).  Audited as
 * agency.move, before and after images, so td_reg_each_plan_move can
 * give the plan its tree as it stood.  Unknown code or parent: 0,
 * nothing done.  Inside a transaction. */
int td_reg_agency_move(struct td_registry *reg, const char *code,
                       const char *parent, int *moved, struct td_error *err);
/* Each agency.move of the audit log, oldest first: the agency's code, the
 * superior it had, the one a plan apply gave it. */
typedef int (*td_plan_move_fn)(const char *code, const char *from,
                               const char *to, void *ctx);
int td_reg_each_plan_move(struct td_registry *reg, td_plan_move_fn fn, void *ctx,
                          struct td_error *err);
/* The stored plan, by effective date then line.  Rows valid during fn. */
int td_reg_each_plan_row(struct td_registry *reg, td_plan_row_fn fn, void *ctx,
                         struct td_error *err);
/* The operator's pick of the certificate that gets the info change when
 * agencies merge into target_code (merge_new).  serial NULL clears it.
 * Inside a transaction; audited. */
int td_reg_plan_pick(struct td_registry *reg, const char *target_code,
                     const char *cert_serial, struct td_error *err);
int td_reg_each_plan_pick(struct td_registry *reg,
                          int (*fn)(const char *target_code,
                                    const char *cert_serial, void *ctx),
                          void *ctx, struct td_error *err);

/* A certificate in brief, as the plan needs it; strings borrowed (valid
 * during the callback). */
struct td_cert_brief {
	const char *serial, *kind, *holder_ext_id, *holder_name;
	const char *agency_code;   /* the holder's agency */
	int64_t agency_id;         /* ... and its td_agency.id */
	const char *subject_dn, *not_after, *token_serial; /* token may be NULL */
	int no_longer_needed;
};
/* Every certificate with stored status "active" (expiry not checked), in
 * id order, with one query. */
int td_reg_each_active_cert_brief(struct td_registry *reg,
                                  int (*fn)(const struct td_cert_brief *c, void *ctx),
                                  void *ctx, struct td_error *err);

/* Mark a person holder (by national id) as no longer needing a
 * certificate (letter 1.2, 2.2), or clear the mark.  In a transaction;
 * audited; TD_ERR_NOTFOUND when no such person. */
int td_reg_holder_set_no_longer_needed(struct td_registry *reg, const char *ext_id,
                                       int value, struct td_error *err);

/* A tag: what must happen to a certificate, a token or an agency's
 * request dossiers, and how far it got (tagged -> sent_to_dost in a
 * numbered batch -> confirmed by the CA).  Strings borrowed in callbacks. */
struct td_tag {
	int64_t id;
	const char *target_kind;  /* "cert", "token", "agency" */
	const char *target;       /* canonical cert serial, token serial, code */
	const char *kind;         /* change_info revoke keep collect
	                             handover_dossiers renew recover_token
	                             new_issue (agency) */
	const char *request;      /* Decree 68 request: new_issue renewal
	                             info_change revocation token_recovery, or NULL */
	const char *state;        /* tagged, sent_to_dost, confirmed */
	int64_t batch;            /* 0 until sent */
	const char *origin;       /* "plan" or "manual" */
	const char *rule, *reason;
	const char *detail;       /* change_info: the new DN; collect and
	                             handover_dossiers: the receiving agency */
	const char *created, *updated;
	/* Joined, for lists (NULL where they do not apply): the managing
	 * agency (cert holder's agency, token's cert holder's agency, or the
	 * agency itself), its name, holder, current DN, token of a cert. */
	const char *agency_code, *agency_name, *holder_name, *subject_dn;
	const char *token_serial;
	/* Joined too, for the Decree 68 forms (NULL where unknown): the
	 * holder's ID number, position and e-mail; the certificate (a cert
	 * target's, or a token's first) with its validity; the token (a
	 * cert's, or the token target) and its model. */
	const char *holder_ext_id, *holder_position, *holder_email;
	const char *cert_serial, *not_before, *not_after;
	const char *token_model, *any_token_serial;
};
typedef int (*td_tag_fn)(const struct td_tag *t, void *ctx);

/* Insert or update the tag of (target_kind, target); fields used: kind,
 * request, origin, rule, reason, detail.  An update resets the state to
 * tagged.  Unchanged input writes nothing (*changed = 0).  Audited. */
int td_reg_tag_put(struct td_registry *reg, const struct td_tag *t,
                   int *changed, struct td_error *err);
/* Many tag additions as one load (plan apply): inside a transaction,
 * bulk_begin starts folding; each bulk_add checks a tag the caller knows
 * is not there yet and keeps it (t's strings, but the target, must stay
 * valid until bulk_end); bulk_end(rc), when rc is TD_OK and tags were
 * added, inserts them in key order (a stored one fails the load on the
 * UNIQUE key) with no audit row of their own and writes one tag.add.bulk
 * row (entity tag, no key; after: source, added, first and last key,
 * first_id, last_id, created, content_sha256 over the added rows'
 * TD_BULK_TAG_CONTENT in key order); it stops folding and returns rc or
 * its own error.  Every tag of one load has the same created stamp,
 * distinct from every earlier load's (bulk_begin waits for the clock's
 * next second when needed): audit verify tells a load's rows by it.  In
 * a field kit nothing folds: bulk_add is td_reg_tag_put (a kit merge
 * backs every added tag with its own tag.add row). */
int td_reg_tag_bulk_begin(struct td_registry *reg, const char *source,
                          struct td_error *err);
int td_reg_tag_bulk_add(struct td_registry *reg, const struct td_tag *t,
                        struct td_error *err);
int td_reg_tag_bulk_end(struct td_registry *reg, int rc, struct td_error *err);
/* Delete a tag; TD_ERR_NOTFOUND when none.  Audited. */
int td_reg_tag_delete(struct td_registry *reg, const char *target_kind,
                      const char *target, struct td_error *err);
/* Tags, with joins, ordered by managing agency's code (NULL first), then
 * kind, then target: a writer may stream them and take an agency's rows
 * as one run (the lists, the forms).  state NULL for all; batch 0 for
 * any.  The query sorts on disk past the page cache, so memory stays
 * flat whatever the number of tags. */
int td_reg_each_tag(struct td_registry *reg, const char *state, int64_t batch,
                    td_tag_fn fn, void *ctx, struct td_error *err);
/* 1 when some tag was sent in batch, 0 when none was, or a td_code. */
int td_reg_tag_batch_exists(struct td_registry *reg, int64_t batch,
                            struct td_error *err);
/* The tag of one target, or TD_ERR_NOTFOUND. */
int td_reg_tag_find(struct td_registry *reg, const char *target_kind,
                    const char *target, td_tag_fn fn, void *ctx,
                    struct td_error *err);
/* For the token layer's matching: is this certificate (any spelling of
 * its serial) tagged, and how.  0 with *kind_out and *state_out set
 * (malloc'ed, caller frees; either out may be NULL), or TD_ERR_NOTFOUND
 * when it carries no tag. */
int td_reg_cert_tag(struct td_registry *reg, const char *cert_serial,
                    char **kind_out, char **state_out, struct td_error *err);
/* Move every tag in state "tagged" to "sent_to_dost" with a new batch
 * number (one more than the highest so far).  *batch 0 and *count 0 when
 * nothing was tagged.  Inside a transaction; each tag audited. */
int td_reg_tag_send(struct td_registry *reg, int64_t *batch, long *count,
                    struct td_error *err);

/* Mark a tag confirmed by the CA by hand (e.g. an info change: the CA
 * issued the new certificate).  Only a tag sent to DOST can be confirmed
 * (else TD_ERR_CONFLICT); TD_ERR_NOTFOUND when none.  Audited. */
int td_reg_tag_confirm(struct td_registry *reg, const char *target_kind,
                       const char *target, struct td_error *err);

/* Record that a certificate is revoked (a CRL lists it): status revoked,
 * revoked_at date, and its revoke tag (if any) confirmed.  Matched by
 * serial and issuer; *found 0 when the registry has no such certificate.
 * Already-revoked certificates are left alone.  Audited. */
int td_reg_cert_mark_revoked(struct td_registry *reg, const char *serial,
                             const char *issuer_dn, const char *date,
                             int *found, struct td_error *err);
/* The thisUpdate (YYYY-MM-DD) of the newest CRL of issuer imported so
 * far into out[11]; "" when none. */
int td_reg_crl_newest(struct td_registry *reg, const char *issuer, char out[11],
                      struct td_error *err);
/* Was a CRL of issuer with this number (hex, as td_serial_hex writes
 * it) imported before?  1 with at = when (ISO 8601) it was first, 0 when
 * not, <0 on error. */
int td_reg_crl_seen(struct td_registry *reg, const char *issuer,
                    const char *crl_number, char at[21], struct td_error *err);
/* The highest CRL number imported from issuer so far into out (hex, no
 * leading zeros), "" when none had a number. */
int td_reg_crl_highest(struct td_registry *reg, const char *issuer,
                       char out[128], struct td_error *err);
/* Remember an imported CRL and the SHA-256 of the CA certificate that
 * verified it (inside a transaction; audited "crl.import", entity
 * "crl_import", key the row id, after the whole row). */
int td_reg_crl_record(struct td_registry *reg, const char *issuer,
                      const char *crl_number, const char *this_update,
                      const char *next_update, long entries,
                      const char *sha256_hex, const char *ca_sha256,
                      struct td_error *err);

/* A CA pinned to sign CRLs (src/registry/crl_trust.c).  Strings are
 * borrowed (valid during a callback).  key_sha256 is the SHA-256 of its
 * SubjectPublicKeyInfo (DER), cert_sha256 of the whole certificate
 * (DER), both lowercase hex; cert_hex the certificate's DER as hex. */
struct td_crl_ca {
	int64_t id;
	const char *subject;      /* RFC 4514, as td_crl prints names */
	const char *key_sha256, *cert_sha256, *cert_hex;
	const char *added_at, *added_by;
};
typedef int (*td_crl_ca_fn)(const struct td_crl_ca *ca, void *ctx);

/* Pin a CA (fields subject, key_sha256, cert_sha256, cert_hex used).  The
 * same certificate pinned already: nothing written, *added 0.  Inside a
 * transaction; audited "crl.trust.add", entity "crl_trust", key
 * cert_sha256, after the whole row as JSON. */
int td_reg_crl_trust_add(struct td_registry *reg, const struct td_crl_ca *ca,
                         int *added, struct td_error *err);
/* Every pinned CA, by ID; stops at fn's first non-zero return. */
int td_reg_crl_trust_each(struct td_registry *reg, td_crl_ca_fn fn, void *ctx,
                          struct td_error *err);
/* Unpin the CA which names: its ID, or the SHA-256 of its certificate or
 * of its key (hex, colons allowed).  fn (may be NULL) sees the row being
 * removed.  TD_ERR_NOTFOUND when none, TD_ERR_USAGE when which is
 * neither or the key of several.  Inside a transaction; audited
 * "crl.trust.remove", key cert_sha256, before the whole row, after NULL. */
int td_reg_crl_trust_remove(struct td_registry *reg, const char *which,
                            td_crl_ca_fn fn, void *ctx, struct td_error *err);

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
	int meanwhile;               /* merged by another process while this
	                                one read the kit: nothing changed */
	int64_t inserted, updated, deleted, unchanged;
	int64_t audit_rows;          /* field audit rows re-appended */
	int64_t conflicts;           /* recorded in kit_conflict */
	/* What the field recorded since the kit was made (first merge) or
	 * merged last (since_merge set; since is that merge's time, else
	 * the kit's making, "YYYY-MM-DDTHH:MM:SSZ"); merges counts this
	 * kit's merges here, this one included.  older_copy: the kit is a
	 * copy holding less than was merged already (nothing changed).
	 * new_scans: count scans (of new counts or of ones merged before). */
	int64_t new_handovers, new_dossiers, new_counts, new_tags, new_moves;
	int64_t new_scans;
	int since_merge, since_refresh, older_copy;
	int64_t merges;
	char since[32];
};
/* Merge the field changes of the kit at kit_path, all in one
 * transaction.  A kit may be merged again and again (the team keeps
 * the stick, or a copy comes home first): each merge brings exactly what
 * the kit's audit log recorded after the rows merged before (nothing
 * twice, nothing lost); a copy holding less than was merged changes
 * nothing; a copy whose log parted from the one merged is refused
 * (TD_ERR_CONFLICT).  Rows the field added get fresh ids at home (references
 * declared with REFERENCES follow them); a field change to a row that
 * home also changed, or to a home-only table (agency, holder,
 * certificate), is recorded as a conflict and not applied.  The kit's
 * audit chain must verify. */
int td_reg_kit_merge(struct td_registry *home, const char *kit_path,
                     struct td_kit_merge_report *rep, struct td_error *err);

struct td_kit_refresh_report {
	char uuid[37];
	/* what home changed in the kit's scope since it was made or last
	 * refreshed, now in the kit */
	long long tokens, moves, dossiers, tags, officials;
};
/* Bring home's rows of the kit's scope, as they stand, to the kit at
 * kit_path (kit refresh), with the team's own handover series and open
 * counts.  Only a kit whose work home holds (merged, or nothing recorded
 * since it was made or refreshed) is refreshed: TD_ERR_CONFLICT "merge it
 * first" otherwise.  All or nothing: written beside the kit, synced and
 * renamed over it; on any failure the kit is as it was.  Audited in the
 * kit and at home (kit.refresh). */
int td_reg_kit_refresh(struct td_registry *home, const char *kit_path,
                       struct td_kit_refresh_report *rep, struct td_error *err);

struct td_kit_conflict {
	int64_t id;
	const char *kit_uuid, *table, *op, *reason, *status;
	const char *pk, *home, *field_old, *field_new;  /* JSON text */
	const char *resolved_at, *resolved_by;
	/* what a person knows the record by (JSON object, NULL when none):
	 * "token", "certificates", "holders", "agency", "home_handover",
	 * "field_handover" for a token; "certificate", "holder", "agency",
	 * "dossier", "tag", "handover" for others; for a row added in the
	 * field, its own serial, ref, number, name, ext_id or code; "count"
	 * and "scope" for a count */
	const char *label;
	/* the label's key that names the record itself ("certificate" for
	 * a certificate, whose label names its token too; "count") */
	const char *own;
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

/* ---- handovers and request dossiers (handover.c, dossier.c) ------------
 * The rules (who may hand what to whom) live in tokendesk/handover.h;
 * these are the rows.  Item fields are snapshots taken at commit, so a
 * record printed again later shows what was handed over, not today's
 * names. */

struct td_handover_row {
	int64_t id;
	char *number;        /* "BG-2026-0001"; set by td_reg_handover_create */
	char *kind;          /* "token" or "dossier" */
	char *at;            /* UTC ISO time; set by td_reg_handover_create */
	char *place, *operator_name;
	char *from_custodian, *from_name;   /* NULL: the items' own givers */
	char *to_custodian, *to_name;
	char *condition, *remarks;
};

struct td_handover_item_row {
	int64_t id, handover_id, event_id;  /* event_id 0 for dossiers */
	char *key, *detail;  /* token serial + model, or dossier ref + kind */
	char *from_custodian, *from_name;
	char *holders, *certs;
	char *state_before, *state_after;
	char *condition, *remarks;
	char *proof;         /* "skipped", "matched", "not_matched" */
	char *proof_detail;
};

struct td_dossier {
	int64_t id;
	char *ref, *kind;    /* kind: new_issue, renewal, info_change,
	                        token_recovery */
	char *agency_code, *agency_name;  /* the agency that holds it now */
	char *holder_id, *holder_name;    /* the subscriber, or NULL */
	char *status;        /* open, submitted, done, cancelled */
	char *created_at, *remarks;
};

void td_handover_row_clear(struct td_handover_row *h);
void td_handover_item_row_clear(struct td_handover_item_row *it);
void td_dossier_clear(struct td_dossier *d);

/* Insert a handover (inside a transaction): takes the next number of the
 * current local year ("BG-YYYY-NNNN", 4 digits or more; in a field kit
 * "BG-YYYY-KKKKKK-NNNN" with the first six hex digits of the kit id, so
 * numbers drawn in the field never meet home's when the kit is merged)
 * and stamps at; both
 * are copied into number (size >= 32) and *id.  Fields used: kind, place,
 * from_*, to_*, condition, remarks; the operator is the registry's. */
int td_reg_handover_create(struct td_registry *reg,
                           const struct td_handover_row *h, int64_t *id,
                           char *number, size_t size, struct td_error *err);

/* Append an item to handover_id at position pos (0-based order on the
 * record).  For token handovers the token is looked up by it->key and
 * it->event_id links its custody event; for dossier handovers the
 * dossier by ref. */
int td_reg_handover_add_item(struct td_registry *reg, int64_t handover_id,
                             int pos, const struct td_handover_item_row *it,
                             struct td_error *err);

/* The audit row of a finished handover: its row and the list of item
 * keys, as one "handover.create" row.  Call after the last item. */
int td_reg_handover_seal(struct td_registry *reg, int64_t handover_id,
                         struct td_error *err);

/* One handover by number (case-insensitive) or, when number is all
 * digits, by id.  TD_ERR_NOTFOUND when none. */
int td_reg_get_handover(struct td_registry *reg, const char *number,
                        struct td_handover_row *out, struct td_error *err);

typedef int (*td_handover_fn)(const struct td_handover_row *h, void *ctx);
typedef int (*td_handover_item_fn)(const struct td_handover_item_row *it,
                                   void *ctx);
typedef int (*td_dossier_fn)(const struct td_dossier *d, void *ctx);

/* Handovers, newest first. */
int td_reg_each_handover(struct td_registry *reg, td_handover_fn fn,
                         void *ctx, struct td_error *err);
/* Items of one handover in record order. */
int td_reg_each_handover_item(struct td_registry *reg, int64_t handover_id,
                              td_handover_item_fn fn, void *ctx,
                              struct td_error *err);

/* Add a dossier (inside a transaction; audit "dossier.add").  Fields
 * used: ref, kind, agency_code, holder_id (person id, or an org holder's
 * agency code; may be NULL), status (NULL = open), remarks.
 * TD_ERR_CONFLICT if ref exists; TD_ERR_NOTFOUND for an unknown agency or
 * holder. */
int td_reg_add_dossier(struct td_registry *reg, const struct td_dossier *d,
                       struct td_error *err);
int td_reg_get_dossier(struct td_registry *reg, const char *ref,
                       struct td_dossier *out, struct td_error *err);
/* Dossiers of one agency (NULL: all), by ref. */
int td_reg_each_dossier(struct td_registry *reg, const char *agency_code,
                        td_dossier_fn fn, void *ctx, struct td_error *err);
/* Move a dossier to another agency (inside a transaction; audit
 * "dossier.move"). */
int td_reg_move_dossier(struct td_registry *reg, const char *ref,
                        const char *to_agency_code, int64_t handover_id,
                        struct td_error *err);

/* ---- signatures (src/registry/signature.c) ---------------------------- */

/* One signature made on a handover's PDF record.  Strings are valid only
 * during a callback (or owned by the caller when adding). */
struct td_handover_sig {
	int64_t id, handover_id;
	const char *signer_serial;   /* td_serial_hex form */
	const char *signer_issuer, *signer_subject;  /* as printed, one line */
	const char *signed_at;       /* UTC ISO 8601 */
	const char *pdf_sha256;      /* of the whole PDF as written, hex */
	const char *operator_name;   /* set by the registry when adding */
};
typedef int (*td_handover_sig_fn)(const struct td_handover_sig *s, void *ctx);
/* Record a signature (inside a transaction; audited "handover.sign",
 * entity "handover_signature", key = the new row's id, after = the row).
 * *id (may be NULL) gets the row id. */
int td_reg_handover_sig_add(struct td_registry *reg, const struct td_handover_sig *s,
                            int64_t *id, struct td_error *err);
/* The signatures of a handover, oldest first; fn returns 0 to go on. */
int td_reg_handover_sig_each(struct td_registry *reg, int64_t handover_id,
                             td_handover_sig_fn fn, void *ctx, struct td_error *err);
/* 1 when the registry holds a certificate with serial serial_hex for the
 * party custodian ("holder:ID": that holder's; "agency:CODE": the
 * certificates of that agency's holders, persons and the organisation);
 * 0 when not or for dost and ca (none in the registry); <0 on error. */
int td_reg_party_holds_cert(struct td_registry *reg, const char *custodian,
                            const char *serial_hex, struct td_error *err);

/* A signed checkpoint of the audit chain: the head it signs and the CMS
 * (PEM) whose signed content names the same head. */
struct td_checkpoint {
	int64_t id, head_id;
	const char *head_hash, *signed_at, *signer_serial, *signer_subject;
	const char *cms_pem;
};
typedef int (*td_checkpoint_fn)(const struct td_checkpoint *cp, void *ctx);
/* The stored hash of row id (TD_ERR_NOTFOUND when no such row), read as
 * stored: audit verify checks it (td_reg_audit_head gives the newest). */
int td_reg_audit_hash_of(struct td_registry *reg, int64_t id, char hash[65],
                         struct td_error *err);
/* Store a checkpoint (inside a transaction; audited "audit.checkpoint",
 * entity "audit_checkpoint", key = the row id, after = the row). */
int td_reg_checkpoint_add(struct td_registry *reg, const struct td_checkpoint *cp,
                          int64_t *id, struct td_error *err);
/* The stored checkpoints, oldest first. */
int td_reg_checkpoint_each(struct td_registry *reg, td_checkpoint_fn fn, void *ctx,
                           struct td_error *err);

#endif
