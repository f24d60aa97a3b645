/* internal.h: what the registry's own files share; not part of the
 * public contract (that is include/tokendesk/registry.h). */
#ifndef TD_REGISTRY_INTERNAL_H
#define TD_REGISTRY_INTERNAL_H

#include <sqlite3.h>
#include <sys/types.h>

#include "tokendesk/registry.h"
#include "tokendesk/strmap.h"
#include "registry/txn.h"

/* Prepared statements kept for the life of the connection, so bulk
 * imports do not re-parse SQL for every row. */
enum td_stmt_id {
	ST_AUDIT_INSERT,
	ST_AGENCY_BY_CODE,
	ST_AGENCY_INSERT,
	ST_AGENCY_UPDATE,
	ST_AGENCY_JSON,
	ST_HOLDER_BY_KEY,
	ST_HOLDER_INSERT,
	ST_HOLDER_UPDATE,
	ST_TOKEN_BY_SERIAL,
	ST_TOKEN_INSERT,
	ST_TOKEN_UPDATE_MODEL,
	ST_TOKEN_JSON,
	ST_CERT_BY_KEY,
	ST_CERT_INSERT,
	ST_CERT_UPDATE,
	ST_CERT_JSON,
	ST_SEARCH_INSERT,
	ST_SEARCH_DELETE,
	ST_TAG_BY_TARGET,
	ST_TAG_INSERT,
	ST_TAG_UPDATE,
	ST_TAG_JSON,
	ST_DATA_VERSION,
	ST_CERT_STATUS,
	ST_ISSUER_INTERN,
	ST_ISSUER_BY_DN,
	ST_HOLDER_JSON_BY_KEY,
	ST_TOKEN_JSON_BY_SERIAL,
	ST__COUNT
};

struct td_sha256;

/* Additions folded into one audit row during a bulk load. */
struct bulk_tally {
	int64_t count;
	int64_t base_id;             /* the table's highest id before the load */
	char first[130], last[130];  /* keys of the first and last addition */
};

/* A bulk row's content digest: each added row's content fields (NULL as
 * one 0x00 byte), each followed by 0x1F, each row by 0x1E, in id order,
 * over the rows as committed (bulk.c writes it, audit_state.c checks it:
 * both read the fields with TD_BULK_*_CONTENT's columns). */
void td_reg_bulk_hash_row(struct td_sha256 *h, const char *const *fields, int n);
#define TD_BULK_AGENCY_CONTENT \
	"a.code, a.name, p.code, a.level, a.valid_from, a.valid_to"
#define TD_BULK_AGENCY_FROM \
	" FROM agency a LEFT JOIN agency p ON p.id = a.parent_id"
/* A certificate c's issuer DN as text: certificates name their issuer by
 * issuer_id (schema step 11); audit images and digests carry the DN. */
#define TD_CERT_ISSUER_DN "(SELECT dn FROM issuer WHERE id = c.issuer_id)"
#define TD_BULK_CERT_CONTENT \
	"c.serial, " TD_CERT_ISSUER_DN ", c.subject_dn, c.kind, h.ext_id, h.name," \
	" h.position, h.email, (SELECT code FROM agency WHERE id = h.agency_id)," \
	" c.not_before, c.not_after, t.serial, t.model, c.fingerprint"
#define TD_BULK_CERT_FROM \
	" FROM certificate c LEFT JOIN holder h ON h.id = c.holder_id" \
	" LEFT JOIN token t ON t.id = c.token_id"
/* The tag table as its readers see it, the columns in their places
 * before schema step 12: a tag a plan apply added holds kind, request,
 * origin, rule, reason and created in the tag_note it names, and updated
 * NULL until it changes (schema.c, step 12).  Read a tag's kind, request,
 * origin, rule, reason, created or updated only through this:
 *     "SELECT reason FROM " TD_TAG_ROWS " t WHERE t.id = ?"
 * (a flattened subquery: SQLite reads tag's indexes through it). */
#define TD_TAG_NOTED(col) \
	" CASE WHEN d.note_id IS NULL THEN d." col " ELSE n." col " END AS " col
#define TD_TAG_ROWS \
	"(SELECT d.id AS id, d.target_kind AS target_kind, d.target AS target," \
	TD_TAG_NOTED("kind") "," TD_TAG_NOTED("request") "," \
	" d.state AS state, d.batch AS batch," \
	TD_TAG_NOTED("origin") "," TD_TAG_NOTED("rule") "," TD_TAG_NOTED("reason") "," \
	" d.detail AS detail, coalesce(d.created, n.created) AS created," \
	" coalesce(d.updated, d.created, n.created) AS updated" \
	" FROM tag d LEFT JOIN tag_note n ON n.id = d.note_id)"

/* A tag row's JSON image j (kit_conflict keeps rows as stored) as the tag
 * reads: a note's fields in their places, note_id gone. */
#define TD_TAG_NOTE_FIELD(j, col) \
	" '$." col "', (SELECT n." col " FROM tag_note n WHERE n.id =" \
	" json_extract(" j ", '$.note_id'))"
#define TD_TAG_JSON_READ(j) \
	"json_remove(CASE WHEN json_extract(" j ", '$.note_id') IS NULL THEN " j \
	" ELSE json_set(" j "," TD_TAG_NOTE_FIELD(j, "kind") "," \
	TD_TAG_NOTE_FIELD(j, "request") "," TD_TAG_NOTE_FIELD(j, "origin") "," \
	TD_TAG_NOTE_FIELD(j, "rule") "," TD_TAG_NOTE_FIELD(j, "reason") "," \
	TD_TAG_NOTE_FIELD(j, "created") ", '$.updated', coalesce(json_extract(" j \
	", '$.updated'), (SELECT n.created FROM tag_note n WHERE n.id =" \
	" json_extract(" j ", '$.note_id')))) END, '$.note_id')"

/* Tags a plan apply adds (tag.add.bulk): the fields a later tag.send or
 * CRL confirmation never changes, in key order (target_kind, target);
 * state, batch and updated are checked against the birth image instead
 * (audit_tag_bulk.c). */
#define TD_BULK_TAG_N 9
#define TD_BULK_TAG_CONTENT \
	"target_kind, target, kind, request, origin, rule, reason, detail, created"

struct td_registry {
	sqlite3 *db;
	char *path;
	dev_t dev;              /* the file opened, as lstat(path) gave it: */
	ino_t ino;              /* td_reg_begin checks path still names it */
	char *operator_name;
	int in_tx;
	int last_db_code;       /* SQLite's code behind the last td_reg_db_error */
	int have_head;          /* head_id/prev_hash valid for this transaction */
	int head_dirty;         /* audit rows appended since begin */
	int64_t head_id;        /* id of the newest audit row (0: none) */
	char prev_hash[65];     /* hash of the newest audit row */
	struct td_sha256 *md_ctx;     /* the audit chain's, made on first use */
	int bulk;                     /* inside td_reg_begin_bulk() */
	int bulk_journal;             /* a first load in journal_mode DELETE */
	long long cache_before_bulk;  /* PRAGMA cache_size to restore at its end */
	char bulk_label[256];
	struct bulk_tally bulk_agency, bulk_cert;
	/* Tag additions folded into one tag.add.bulk row (td_reg_tag_bulk_*):
	 * on, their tally, and the created stamp of every row of the load. */
	int tag_bulk;
	struct bulk_tally bulk_tag;
	char tag_bulk_at[21];
	/* The load's rows, written at td_reg_tag_bulk_end in key order, many
	 * to a statement (the tag table's CHECK lists cost an ephemeral
	 * table per statement run); strings the caller's but the keys. */
	struct tag_load_row {
		const char *target_kind, *target, *kind, *request, *origin, *rule,
		           *reason, *detail;
		int64_t note_id;   /* bulk.c: the tag_note it names */
	} *tag_rows;
	size_t n_tag_rows, cap_tag_rows;
	struct td_arena *tag_arena;
	struct td_strmap *tag_reasons_ok;   /* reasons checked (plans repeat them) */
	/* Fresh loads: the tables were empty at td_reg_begin_bulk, so nothing
	 * needs looking up in SQL: what this load inserted is in memory, and
	 * the search index is built set-based at commit. */
	int fresh_agencies, fresh_certs;
	struct td_strmap *fresh_ids;     /* "h:kind:ext_id" / "t:serial" -> id */
	struct td_arena *fresh_arena;
	/* Plain indexes of the fresh tables, dropped for the load and built
	 * again at commit (bulk.c). */
	struct deferred_index { char *create, *name; } *deferred_idx;
	int n_deferred_idx;
	sqlite3_stmt *stmts[ST__COUNT];
	/* The issuer last interned in this transaction (cert_write.c): a
	 * list names one CA a million times.  Cleared at every begin, so a
	 * rolled-back issuer row is never named. */
	char *issuer_dn;
	int64_t issuer_id;
	/* Waiting for another writer's lock (db.c's busy handler). */
	int busy_ms;                    /* longest wait */
	int (*busy_wait)(void *ctx, int waited_ms);
	void *busy_ctx;
	double busy_since_ms;           /* when this wait began */
	int busy_waited_ms;             /* how long the last wait lasted */
	int busy_abandoned;             /* busy_wait gave up */
	char *open_note;                /* td_reg_open_note */
};

/* SHA-256 (sha256.c), over libcrypto loaded on first use.  new() gives
 * a started digest, or NULL with err filled (no libcrypto, no memory);
 * begin() restarts it (1 on success); hex() finishes it into lowercase
 * hex, after which begin() must come before the next add(). */
struct td_sha256;
struct td_sha256 *td_sha256_new(struct td_error *err);
int td_sha256_begin(struct td_sha256 *h);
void td_sha256_add(struct td_sha256 *h, const void *data, size_t len);
void td_sha256_hex(struct td_sha256 *h, char out[65]);
void td_sha256_free(struct td_sha256 *h);
/* SHA-256 of n bytes into out, hex: TD_OK, or err filled. */
int td_sha256_of(const void *bytes, size_t n, char out[65], struct td_error *err);

/* For the tests (audit_state.c): how many of audit verify's per-key
 * count queries SQLite would answer by scanning their whole table; *first
 * names the first such table (NULL when none). */
int td_reg_audit_count_scans(struct td_registry *reg, const char **first);

/* A certificate load (cert.add.bulk row) as audit verify finds it: how
 * many rows it added, the keys it names first and last, the ids of those
 * rows (first_id 0: not found), and held, 1 only when they are all there
 * and still give the content digest it recorded. */
struct td_bulk_load {
	int64_t audit_id, added, first_id, last_id;
	char first[130], last[130];
	int held;
};
/* The loads of reg's cert.add.bulk rows past audit row since, located
 * among the certificates past id after and digested as audit verify
 * does (audit_state.c; a kit merge holds the field's imports to them,
 * kit_backing.c).  *loads (free()) in audit order, *n of them. */
int td_reg_bulk_cert_loads(struct td_registry *reg, int64_t since, int64_t after,
                           struct td_bulk_load **loads, size_t *n,
                           struct td_error *err);

/* Tag loads (audit_tag_bulk.c), for audit verify's state check: make
 * temp.td_tag_member, one row per tag each tag.add.bulk row added (id of
 * the live row, NULL when an audited tag.delete removed it since), then
 * check each load's count and content digest, reporting through fn. */
int td_reg_tag_bulk_members(struct td_registry *reg, struct td_error *err);
int td_reg_tag_bulk_verify(struct td_registry *reg, td_audit_diff_fn fn,
                           void *ctx, struct td_error *err);

/* Fill err from the connection's last error and return TD_ERR_DB. */
int td_reg_db_error(struct td_registry *reg, struct td_error *err,
                    const char *what);

/* The cached statement id, reset and with bindings cleared; NULL and err
 * filled on failure. */
sqlite3_stmt *td_reg_stmt(struct td_registry *reg, enum td_stmt_id id,
                          struct td_error *err);

/* Bind text or NULL (for NULL or ""). */
int td_reg_bind_text(sqlite3_stmt *st, int idx, const char *s);

/* Heap copy of a result column, NULL for SQL NULL. */
char *td_reg_col_dup(sqlite3_stmt *st, int col);

/* Run SQL with no results (migrations, pragmas). */
int td_reg_exec(struct td_registry *reg, const char *sql, struct td_error *err);
/* The connection's page cache (PRAGMA cache_size: pages, or KiB when
 * negative), and setting it; a setting that fails leaves it as it was. */
long long td_reg_cache_size(struct td_registry *reg);
void td_reg_set_cache_size(struct td_registry *reg, long long v);
/* ATTACH the database file at path as schema (a path starting with
 * "file:" names that file, as in td_reg_open, not a URI). */
int td_reg_attach(struct td_registry *reg, const char *path, const char *schema,
                  struct td_error *err);

/* Fails with TD_ERR_INTERNAL when no transaction is open. */
int td_reg_require_tx(struct td_registry *reg, struct td_error *err);
/* 1 when reg is a field kit (kit_make.c stamps meta 'kit_uuid'), else 0
 * (an unreadable meta too). */
int td_reg_is_field_kit(struct td_registry *reg);

/* Schema migrations (schema.c). */
int td_reg_migrate(struct td_registry *reg, struct td_error *err);
/* The SQL functions tokendesk's statements and migrations call
 * (td_fold), on reg's connection; all innocuous and deterministic, so
 * safe on a connection that distrusts its schema (kit_guard.c). */
void td_reg_functions(struct td_registry *reg);

/* A count line as its digest reads it (and a kit conflict holds it). */
#define TD_COUNT_LINE "json_array(serial, outcome, scans, custodian, custodian_name)"
/* SQL for the digest of a closed count's frozen lines (count id: the
 * SQL expression id), in serial order, each a JSON array of its fields:
 * count.close's image names it (lines_sha256), so a line edited by hand
 * or on a kit shows (audit_tables.c, kit_backing.c).  NULL when the
 * count has no lines. */
#define TD_COUNT_LINES_SHA256(id) \
	"(SELECT td_sha256(group_concat(l, char(10))) FROM (SELECT " \
	TD_COUNT_LINE " AS l FROM count_result WHERE count_id = " id \
	" ORDER BY serial, outcome))"
/* The same over the stored plan's events, in the order they were stored:
 * plan.import's image names it (content_sha256). */
#define TD_PLAN_SHA256 \
	"(SELECT td_sha256(group_concat(l, char(10))) FROM (SELECT json_array(line," \
	" effective_date, event, source_codes, target_code, target_name," \
	" new_parent_code) AS l FROM plan_event ORDER BY id))"
/* The tallies of a count's lines, as json_object arguments: the names
 * count.close's image gives them (audit_tables.c, kit_count.c). */
#define TD_COUNT_TALLIES \
	"'found', sum(outcome = 'found'), 'missing', sum(outcome = 'missing')," \
	" 'unexpected', sum(outcome = 'unexpected'), 'unknown'," \
	" sum(outcome = 'unknown'), 'duplicate', sum(scans > 1), 'expected'," \
	" sum(outcome IN ('found', 'missing')), 'scans', sum(scans)"
/* The newest count.close row (its after) that kit `kit` brought home
 * for the count of uid `uid` (SQL expressions): the field's own close,
 * which home's chain anchors (kit_count.c, audit_evidence.c). */
#define TD_FIELD_COUNT_CLOSE(kit, uid) \
	"(SELECT f.after FROM kit_field_audit f WHERE f.kit_uuid = " kit \
	" AND f.entity = 'count' AND f.action = 'count.close' AND" \
	" f.entity_key = " uid " ORDER BY f.id DESC LIMIT 1)"

/* A cert.update row (its before and after: SQL expressions) that gives
 * its certificate another token: the token its before names is left by
 * it.  One test for audit verify (temp.td_left, the holder such a token
 * is born with) and for a kit merge (kit_backing.c: the token the field
 * created and an import then left), so the two agree on the token. */
#define TD_CERT_LEAVES_TOKEN(before, after) \
	"json_extract(" before ", '$.token') IS NOT NULL AND json_extract(" \
	before ", '$.token') IS NOT json_extract(" after ", '$.token')"

/* Search index maintenance (search.c): kind is a td_hit_kind. */
int td_reg_index_put(struct td_registry *reg, int kind, int64_t id,
                     const char *old_text, const char *new_text,
                     struct td_error *err);

/* The fields, in order, that an audit row's hash covers (after the
 * previous row's hash).  NULL is hashed as a distinct one-byte marker. */
struct audit_fields {
	int64_t id;
	const char *at, *operator_name, *action, *entity, *key, *before, *after;
};

/* out = lowercase hex SHA-256 of prev and the fields. */
int td_reg_audit_hash(struct td_registry *reg, const char *prev,
                      const struct audit_fields *f, char out[65],
                      struct td_error *err);

/* Verify the rows kit merges brought home (audit_field.c); *rows gets
 * how many.  Called by td_reg_audit_verify once the home chain holds. */
int td_reg_audit_verify_field(struct td_registry *reg, int64_t *rows,
                              struct td_error *err);

/* The conflicts a kit merge kept (audit_conflict.c).  Rows past
 * after_id as the merge's summary names them (",\"conflict_rows\":
 * {...}", or "" when none; sqlite3_free; NULL out of memory); audit verify
 * recomputes each merge's and refuses rows no merge names. */
char *td_reg_conflict_rows(struct td_registry *reg, int64_t after_id);
int td_reg_audit_verify_conflicts(struct td_registry *reg, struct td_error *err);
/* Conflict id is as the merge that kept it left it (TD_ERR_CONFLICT
 * otherwise): kit resolve writes nothing from a conflict edited by hand
 * (put back after, the edit would have been written and believed). */
int td_reg_conflict_intact(struct td_registry *reg, int64_t id, struct td_error *err);

/* The audit images of a handover (its handover.create row's after, and
 * its number in *number) and of a dossier (by ref), as their writers
 * make them: heap strings, NULL when no such row.  Kit merges build the
 * same images to check a kit against its audit and to audit at home. */
char *td_reg_handover_image(struct td_registry *reg, int64_t handover_id,
                            char **number);
char *td_reg_dossier_json(struct td_registry *reg, const char *ref);
/* The audit image of handover_signature row id (its handover.sign row's
 * after: the whole row), heap; NULL when no such row. */
char *td_reg_handover_sig_image(struct td_registry *reg, int64_t id);

/* Store the audit head in meta (called by commit). */
int td_reg_audit_flush_head(struct td_registry *reg, struct td_error *err);

/* In bulk mode, count an addition into the tally and return 1 (its
 * content is digested at commit, as committed); outside bulk mode return
 * 0 (audit it now). */
int td_reg_bulk_add(struct td_registry *reg, struct bulk_tally *t,
                    const char *key);
/* Write the bulk tallies' audit rows (called by commit). */
int td_reg_bulk_flush(struct td_registry *reg, struct td_error *err);
/* Fresh-load memory: the id this load gave key, or 0; remember one. */
int64_t td_reg_fresh_get(struct td_registry *reg, const char *prefix, const char *key);
void td_reg_fresh_put(struct td_registry *reg, const char *prefix, const char *key,
                      int64_t id);

/* Leave bulk mode and free its state. */
void td_reg_bulk_end(struct td_registry *reg);

/* JSON snapshot of one row (statement id of a *_JSON query), or NULL. */
char *td_reg_row_json(struct td_registry *reg, enum td_stmt_id id,
                      int64_t rowid, struct td_error *err);

#endif
