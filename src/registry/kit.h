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

/* One merge in progress (kit_merge.c drives, kit_apply.c applies). */
struct kit_stmt_cache {
	sqlite3_stmt *insert, *select, *update, *remove, *json;
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
	sqlite3_stmt *map_put, *map_get;
	int bulk_next;                     /* next table whose new rows come */
	/* The field audit rows brought home: their ids in kit_field_audit
	 * (none when last < first), and the kit chain's hash before the
	 * first and at the last (see audit_field.c). */
	int64_t field_first, field_last;
	char field_prev[65], field_head[65];
};

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

/* A random (version 4) UUID. */
int td_reg_uuid(char out[37], struct td_error *err);

/* Read meta(key) of database schema into a heap string (NULL if none). */
char *kit_meta_get(struct td_registry *reg, const char *schema, const char *key);

/* Run SQL formatted by sqlite3_mprintf (%w quotes identifiers, %Q
 * literals) with no results. */
int kit_exec(struct td_registry *reg, struct td_error *err, const char *fmt, ...);

#endif
