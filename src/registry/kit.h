/* kit.h: what the kit files (kit_make.c, kit_merge.c, kit_conflict.c,
 * kit_schema.c) and counts share inside the registry.
 *
 * Kits are generic over the schema: tables are enumerated from the file
 * (PRAGMA table_list), so a table added by a later migration is carried
 * and merged without code changes.  Only the few tables below are named:
 *   home-only:  agency, holder, certificate (master data; imported at
 *               home; a field change to them becomes a conflict);
 *   audit:      re-appended to the home chain, never diffed;
 *   local:      meta, kit_* (each file's own bookkeeping) and crl_* (which
 *               CAs are pinned, which CRLs applied: home's alone);
 * every other table is field-writable. */
#ifndef TD_REGISTRY_KIT_H
#define TD_REGISTRY_KIT_H

#include <pthread.h>

#include "registry/internal.h"

/* Session extension declarations (platform.md): only in src/registry/. */

enum kit_kind { KIT_FIELD, KIT_HOME_ONLY, KIT_AUDIT, KIT_LOCAL };

#define KIT_MAX_FK 8

struct kit_table {
	char *name;
	enum kit_kind kind;
	int ncols;
	char **cols;
	int int_pk;              /* index of an INTEGER PRIMARY KEY, or -1 */
	int npk;                 /* primary-key columns */
	unsigned char *pk_cols;  /* per column: 1 when part of the key */
	int nfk;
	struct { int col; char *parent; char *parent_col; int soft; } fk[KIT_MAX_FK];
	int referenced;          /* some table's foreign key points here */
	int renumbered;          /* merge: rows of this table got new ids */
	/* merge, rows the field added (kit_bulk.c): */
	int64_t base_max;        /* the image's last id: later ids are new */
	int64_t offset;          /* bulk: home id = kit id + offset */
	int bulk;                /* new rows moved by offset, all at once */
	int fallback;            /* new rows went one by one */
	/* a later merge: the lowest kit id an earlier merge of this kit
	 * brought home under another id (kit_idmap), 0 when none */
	int64_t prior_min;
};

struct kit_schema {
	int n;
	struct kit_table *t;     /* parents before children */
};

/* Load the real tables of database `schema` ("main", "kit"...), virtual
 * and shadow tables left out, in foreign-key order. */
int kit_schema_load(struct td_registry *reg, const char *schema,
                    struct kit_schema *ks, struct td_error *err);
void kit_schema_free(struct kit_schema *ks);
struct kit_table *kit_schema_find(struct kit_schema *ks, const char *name);
/* "col1", "col2", ... of t, quoted (sqlite3_malloc'ed; NULL when out of
 * memory). */
char *kit_column_list(const struct kit_table *t);
/* 1 when t's foreign key f refers to the id (INTEGER PRIMARY KEY) of its
 * parent p, whose renumbering it must then follow. */
int kit_fk_to_id(const struct kit_table *t, int f, const struct kit_table *p);

/* ---- kit_async.c: slow work on the kit in a thread of its own ---------
 * Each step works on a private copy of its own; kit_async_wait joins it
 * and gives its result (TD_OK, or its error in *err when err is set);
 * kit_async_free waits and frees what it made. */
struct kit_async {
	pthread_t thread;
	int running;
	void (*work)(struct kit_async *a);   /* the step */
	char what[512];
	struct td_registry *copy;      /* whole: the copy checked */
	unsigned char *bytes;          /* snapshot: the kit, given over */
	sqlite3_int64 n;
	unsigned char *out;            /* snapshot: the kit as merged */
	sqlite3_int64 out_n;
	char sha256[65];               /* snapshot: out's SHA-256 */
	int rc;
	struct td_error err;
};
/* One merge in progress (kit_merge.c drives, kit_apply.c applies). */
struct kit_stmt_cache {
	sqlite3_stmt *insert, *select, *update, *remove, *json, *base_row;
	unsigned long long update_mask;
};

struct kit_merge {
	struct td_registry *home;
	struct kit_schema ks;              /* home's tables */
	struct kit_stmt_cache *cache;      /* one per ks table */
	const char *uuid;
	const char *kit_path;
	struct td_kit_merge_report *rep;
	int64_t kit_rows;                  /* the kit's audit rows */
	int64_t audit_base;                /* the kit's last row as made */
	/* Home recorded images of this kit's uuid, not the one it holds
	 * (kit_check.c: check_origin): refused once the image itself has
	 * been inspected, which names what is wrong with it, if anything */
	int image_unknown;
	/* Private copies (kit_guard.c): the kit, its image, and an empty
	 * database of tokendesk's own schema. */
	struct td_registry *kitc, *imgc, *ref;
	/* The kit was made by an older release (schema migrated on the
	 * copies): its audit images may hold fewer fields than today's, and
	 * only the fields they name are held against its rows, as audit
	 * verify does at home (audit_state.c). */
	int kit_older;
	/* kit_backing.c's statements, prepared once per merge (a change
	 * each: ten thousand tokens moved in the field). */
	sqlite3_stmt *backing[8];
	int64_t home_max[6];   /* kit_backing_mark_home */
	int64_t lines_max, conflicts_max;   /* kit_count_mark */
	sqlite3_stmt *map_put, *map_get;
	int bulk_next;                     /* next table whose new rows come */
	/* The field audit rows brought home: their ids in kit_field_audit
	 * (none when last < first), and the kit chain's hash before the
	 * first and at the last (see audit_field.c). */
	int64_t field_first, field_last;
	char field_prev[65], field_head[65];
	/* A later merge (kit_merge_state): how far the kit was merged
	 * before (its audit row `through` and that row's hash), when, and
	 * how many times; the image diffed against is then the kit as it was
	 * merged, and rows it added came home under ids kit_idmap keeps. */
	int prior, refreshed;
	int64_t made_base;   /* the kit's meta kit_audit_base: its kit.make or
	                        newest kit.refresh row, where field work starts */
	int64_t through, merges, home_event_max;
	char through_hash[65], prior_at[32];
	sqlite3_stmt *prior_get, *int_value;
	/* the kit as merged now, kept for the next merge (kit_async.c) */
	struct kit_async snapshot;
};

/* The home id of kit row kit_id of t: itself, unless an earlier merge of
 * this kit brought the row home under another id (kit_idmap); -1 when
 * that merge kept it as a conflict (it is not at home). */
int64_t kit_prior_id(struct kit_merge *m, const struct kit_table *t,
                     int64_t kit_id);

/* Apply one change of the kit's changeset (iterator positioned on it) to
 * home, or record it as a conflict. */
struct sqlite3_changeset_iter;
int kit_apply_change(struct kit_merge *m, struct sqlite3_changeset_iter *it,
                     struct td_error *err);
void kit_merge_cache_free(struct kit_merge *m);
/* Add one row the field inserted (values in home's column order), or
 * keep it as a conflict. */
int kit_apply_insert(struct kit_merge *m, struct kit_table *t,
                     sqlite3_value **nv, struct td_error *err);

/* Rows the field added (kit_bulk.c).  kit_bulk_mark_base notes each
 * table's last id in the image (base attached, before it is synced);
 * kit_bulk_through brings home the new rows of every table up to and
 * including `table` in foreign-key order (NULL: all) not brought yet. */
int kit_bulk_mark_base(struct kit_merge *m, struct td_error *err);
int kit_bulk_through(struct kit_merge *m, const char *table, struct td_error *err);

/* Record a conflict; values may hold NULL pointers (columns not in the
 * change).  field_old/field_new may be NULL. */
int kit_conflict_add(struct kit_merge *m, struct kit_table *t, const char *op,
                     sqlite3_value **pk_vals, sqlite3_value **field_old,
                     sqlite3_value **field_new, const char *reason,
                     struct td_error *err);

/* A count closed both at home and in the field (kit_count.c).
 * kit_count_mark notes home's last count line and conflict before the
 * changes; kit_count_hold, after them, moves the field's lines of each
 * count whose close this merge kept as a conflict into that conflict.
 * kit_count_keep_field puts a kept field close's lines (field_new) in
 * place of home's lines of count (its id at home), refused
 * (TD_ERR_CONFLICT) unless they are the lines the field's count.close
 * row of kit froze. */
int kit_count_mark(struct kit_merge *m, struct td_error *err);
int kit_count_hold(struct kit_merge *m, struct td_error *err);
int kit_count_keep_field(struct td_registry *reg, const char *kit, int64_t count,
                         const char *field_new, struct td_error *err);

/* The label of a conflict on table's row home_id at home (the kit
 * attached as "kit"; for a token, "since_event": home's custody events
 * after since_event are the moves that competed with the field's, those
 * an earlier merge of kit brought not among them), or from field_json (the field's version) when home
 * holds no such row: JSON (kit_conflict.label), heap; NULL when none. */
char *kit_conflict_label(struct td_registry *home, const char *table,
                         int64_t home_id, const char *field_json,
                         int64_t since_event, const char *kit);

/* The id of t's row in main holding json's values (a conflict's field
 * version) in every column of one of t's unique keys, 0 when none
 * (kit_conflict.c; the merge asks it of rows a field import added to
 * master data). */
int64_t kit_same_key_row(struct td_registry *reg, const struct kit_table *t,
                         const char *json);
/* json_set(json, path, value) as a new heap string, or NULL; json (heap)
 * is freed either way. */
char *kit_json_with(struct td_registry *reg, char *json, const char *path,
                    int64_t value);

/* The audit image of row id of table at reg, as its ordinary writer
 * builds it (token, tag, dossier), with the record's key (heap), the
 * entity its writer uses and the action a kept field version is audited
 * with (token.resolve, tag.resolve, dossier.resolve); NULL (and *key
 * NULL) for other tables. */
char *kit_record_image(struct td_registry *reg, const char *table, int64_t id,
                       char **key, const char **entity, const char **action);

/* ---- kit_make.c, shared with kit_refresh.c ---------------------------- */
/* Copy home's rows of the agencies codes[0..n) and their subtrees into
 * kit (home attached as "home", in a transaction), and index them.
 * series: a refresh's handover series (its handovers and open counts
 * come too), NULL for kit make. */
int kit_fill_rows(struct td_registry *kit, const char *const *codes, size_t n,
                  const char *series, struct td_kit_info *info,
                  struct td_error *err);
/* Store the kit as it stands as its image (kit_base), replacing one;
 * sha256 (NULL: not wanted) gets the image's SHA-256 in hex, which home
 * records (kit.begin, kit.refresh.begin) to know the kit for its own. */
int kit_store_image(struct td_registry *kit, char sha256[65], struct td_error *err);
/* The SHA-256 (hex) of the image kit holds of itself (kit_base), or ""
 * when it holds none. */
int kit_image_sha256(struct td_registry *kit, char sha256[65], struct td_error *err);
/* Give the finished file tmp the name kit_path, never over a file made
 * meanwhile (no -wal may be left). */
int kit_name_file(const char *tmp, const char *kit_path, struct td_error *err);
/* For kit refresh (kit_merge.c): read and check the kit at kit_path as a
 * merge does; TD_OK when home holds everything it recorded (merged, or
 * nothing recorded since it was made or refreshed), TD_ERR_CONFLICT
 * ("merge it first") otherwise.  uuid gets its id; *kit its private
 * copy (close it). */
int kit_refresh_check(struct td_registry *home, const char *kit_path,
                      char uuid[37], struct td_registry **kit,
                      struct td_error *err);

/* ---- kit_guard.c: a kit is data, never code ---------------------------
 * Private copies: connections of their own, in memory, defensive, with
 * an untrusted schema and no triggers, views or extensions.  */
/* A copy of bytes (sqlite3_malloc'ed; taken over, freed with the copy)
 * as database main of a new guarded connection, read-only; label names
 * it (kept as the registry's path). */
int kit_copy_open(const char *label, unsigned char *bytes, sqlite3_int64 n,
                  struct td_registry **out, struct td_error *err);
/* A copy of the database file open as file (one read transaction). */
int kit_copy_file(struct td_registry *file, const char *label,
                  struct td_registry **out, struct td_error *err);
/* Oldest schema a kit may have been made at and still merge: a kit made
 * before the home registry's upgrade is migrated, as a private copy. */
#define KIT_MIGRATE_FROM 6
/* Bring the copy *copy (kit_copy_open's) to this program's schema: its
 * database is copied once more into a writable private copy, which
 * schema.c's steps migrate; *copy is then that copy (the old one
 * closed).  The file the kit came from is never written. */
int kit_copy_migrate(struct td_registry **copy, struct td_error *err);
/* The kit as merged, as a later merge diffs against it: bytes (an image
 * of the kit's checked copy, sqlite3_malloc'ed, taken over) without its
 * audit rows, which come home with the merge (kit_field_audit), and
 * without its image as made (kit_base), which the kit file keeps.
 * *out: sqlite3_malloc'ed, *out_n long.  label names the copy. */
int kit_copy_trimmed(const char *label, unsigned char *bytes, sqlite3_int64 n,
                     unsigned char **out, sqlite3_int64 *out_n,
                     struct td_error *err);
/* An empty database of tokendesk's own schema: the DDL compiled into
 * this program (every migration), never DDL read from a file. */
int kit_ref_open(struct td_registry **out, struct td_error *err);
/* Refuse (TD_ERR_DATA, naming it) a copy whose sqlite_master holds a
 * trigger, a view, or a table, index or column that ref's does not, or
 * declares one otherwise, or lacks a table of ref's.  what: "kit PATH"
 * or "the kit's image of itself as made". */
int kit_inspect(struct td_registry *cand, struct td_registry *ref,
                const char *what, struct td_error *err);
/* Attach copy's database to home as schema, read-only, sharing its
 * memory: copy must stay open until schema is detached. */
int kit_share(struct td_registry *home, struct td_registry *copy,
              const char *schema, struct td_error *err);
/* Attach to home as "base" a writable copy of ref (tokendesk's schema,
 * empty). */
int kit_base_from_ref(struct td_registry *home, struct td_registry *ref,
                      struct td_error *err);

/* ---- kit_check.c: the kit checked before anything is merged -----------
 * kit_check: the kit at kit_path read into m->kitc and checked (whole,
 * a kit, this schema or migrated, only tokendesk's schema, its audit
 * chain verified, made from home); its uuid, its last audit row as made
 * and its audit rows' count out. */
int kit_check(struct td_registry *home, struct kit_merge *m,
              const char *kit_path, char uuid[37], int64_t *audit_base,
              int64_t *audit_rows, struct td_error *err);
/* Is database schema of reg whole (integrity_check; a row breaking a
 * CHECK or NOT NULL is whole, refused later)?  Else TD_ERR_DATA, the
 * refusal of a damaged what. */
int kit_check_whole(struct td_registry *reg, const char *schema,
                    const char *what, struct td_error *err);
/* copy attached to home as schema (kit_share), and readable there. */
int kit_share_checked(struct td_registry *home, struct td_registry *copy,
                      const char *schema, const char *what,
                      struct td_error *err);
/* The refusal of a damaged what (the kit or its image), with the first
 * line of why. */
int kit_refuse_damaged(struct td_error *err, const char *what, const char *why);
/* SQLite's words in err, without td_reg_exec's "registry: ". */
const char *kit_sqlite_reason(const struct td_error *err);

/* ---- kit_async.c (struct kit_async above) ----------------------------- */
/* Start checking that kit is whole (kit_check_whole; what names it). */
int kit_async_whole(struct kit_async *a, struct td_registry *kit,
                    const char *what, struct td_error *err);
/* Start making kit as merged (kit_copy_trimmed) and its SHA-256. */
int kit_async_snapshot(struct kit_async *a, struct td_registry *kit,
                       struct td_error *err);
int kit_async_wait(struct kit_async *a, struct td_error *err);
void kit_async_free(struct kit_async *a);

/* ---- kit_pairs.c: added rows paired with audit rows --------------------
 * When table's added rows (ids past max) pair one to one with audit rows
 * (custody events with token.move, scans with count.scan): 1, and *key
 * the first record where they do not (heap; NULL when all pair), with
 * *entity naming its kind and why[] saying how; else 0. */
int kit_pairs_check(struct kit_merge *m, const char *table, int64_t max,
                    const char **entity, char **key, char *why, size_t size);

/* ---- kit_backing.c: every change backed by the kit's audit ------------
 * A change the merge would apply must be what the kit's own (verified)
 * audit chain says the field did; else the merge is refused as
 * tampering (TD_ERR_DATA, table and key named). */
/* The rows the field added (past the image's last ids), all tables, on
 * m->kitc; before anything is written. */
int kit_backing_check_new(struct kit_merge *m, struct td_error *err);
struct kit_backing {
	char action[64], entity[32];
	char *key;          /* heap */
	char *home_before;  /* heap: home's image before the change */
	int count_close;    /* count_session: after is the field row's */
	char *field_after;  /* heap: the newest field row's after */
};
/* An update (nv set) or delete (nv NULL) of an existing row of t, with
 * its primary key pk (values in the kit): fill b with what the home
 * audit row needs, or refuse.  Call before applying. */
int kit_backing_check(struct kit_merge *m, struct kit_table *t,
                      sqlite3_value **pk, sqlite3_value **nv,
                      struct kit_backing *b, struct td_error *err);
/* The columns the writers of table's records set together (a tag tagged
 * again: its kind, reason, state, batch...), NULL-terminated; NULL for a
 * table whose field changes are not records of these. */
const char *const *kit_backing_columns(const char *table);
/* A change to master data (agency, holder, certificate), which the merge
 * keeps as a conflict: refused unless the kit's audit has a row of that
 * record at all (a person decides the rest at `kit resolve`). */
int kit_backing_check_home(struct kit_merge *m, struct kit_table *t,
                           sqlite3_value **pk, struct td_error *err);
/* After the change was applied at home: its home audit row, in the form
 * of the ordinary writer of t (same action, entity, key, images). */
int kit_backing_audit(struct kit_merge *m, struct kit_table *t,
                      sqlite3_value **pk, struct kit_backing *b,
                      struct td_error *err);
void kit_backing_clear(struct kit_backing *b);
/* Under the write lock, before anything is applied: where home's ids of
 * the records kit_backing_audit_new audits stand. */
int kit_backing_mark_home(struct kit_merge *m, struct td_error *err);
/* After all rows came home: the home audit rows of the records the field
 * added (tokens, tags, dossiers, counts, handovers, handover signatures),
 * as their writers make them. */
int kit_backing_audit_new(struct kit_merge *m, struct td_error *err);

/* A random (version 4) UUID. */
int td_reg_uuid(char out[37], struct td_error *err);

/* Read meta(key) of database schema into a heap string (NULL if none). */
char *kit_meta_get(struct td_registry *reg, const char *schema, const char *key);

/* Run SQL formatted by sqlite3_mprintf (%w quotes identifiers, %Q
 * literals) with no results. */
int kit_exec(struct td_registry *reg, struct td_error *err, const char *fmt, ...);

#endif
