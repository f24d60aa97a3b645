/* kit_guard.c: a field kit is data, never code.
 *
 * A kit comes back on a USB stick that anyone may have edited with the
 * sqlite3 shell.  SQLite stores a database's schema as SQL inside the
 * file and runs it (a trigger fires on a write, a view runs on a read),
 * so the merge never lets a kit's own DDL decide anything:
 *   - the kit file and its stored image (kit_base.image) are read into
 *     private in-memory copies, on connections of their own in defensive
 *     mode with an untrusted schema (no extension loading, no functions
 *     with side effects), and every later step reads those copies, never
 *     the file again (the stick cannot change under the merge);
 *   - each copy's sqlite_master is compared with tokendesk's own schema,
 *     built from the DDL compiled into this program (schema.c's
 *     migrations run on an empty in-memory database): a trigger, a view,
 *     an index, a table or a column the schema does not have, or a
 *     column declared otherwise, refuses the kit whole, named;
 *   - the base the merge diffs against is that compiled schema, filled
 *     with the image's rows: the diff writes only into tables whose DDL
 *     tokendesk wrote. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/kit.h"

/* A connection that treats every schema as hostile. */
static int open_guarded(struct td_registry **out, const char *label,
                        struct td_error *err)
{
	struct td_registry *reg = calloc(1, sizeof *reg);

	*out = NULL;
	if (!reg || !(reg->path = strdup(label))) {
		free(reg);
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	if (sqlite3_open_v2(":memory:", &reg->db, SQLITE_OPEN_READWRITE |
	                    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		int rc = td_reg_db_error(reg, err, "opening a private copy");
		td_reg_close(reg);
		return rc;
	}
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0,
	                  (int *)NULL);
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
	sqlite3_db_config(reg->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
	sqlite3_extended_result_codes(reg->db, 1);
	td_reg_functions(reg);   /* innocuous: what a migration step calls */
	*out = reg;
	return TD_OK;
}

int kit_copy_open(const char *label, unsigned char *bytes, sqlite3_int64 n,
                  struct td_registry **out, struct td_error *err)
{
	int rc;

	*out = NULL;
	if ((rc = open_guarded(out, label, err)) < 0) {
		sqlite3_free(bytes);
		return rc;
	}
	/* A WAL file's header (bytes 18, 19 = 2) cannot be read from
	 * memory; the copy is ours, mark it rollback-journal. */
	if (n >= 100 && bytes[18] == 2 && bytes[19] == 2)
		bytes[18] = bytes[19] = 1;
	if (sqlite3_deserialize((*out)->db, "main", bytes, n, n,
	                        SQLITE_DESERIALIZE_FREEONCLOSE |
	                        SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		rc = td_reg_db_error(*out, err, "reading a private copy");
		td_reg_close(*out);
		*out = NULL;
		return rc;
	}
	return TD_OK;
}

int kit_copy_file(struct td_registry *file, const char *label,
                  struct td_registry **out, struct td_error *err)
{
	sqlite3_int64 n = 0;
	unsigned char *bytes;

	*out = NULL;
	/* One read transaction over the whole file (WAL frames included):
	 * the copy is one consistent state of the kit. */
	bytes = sqlite3_serialize(file->db, "main", &n, 0);
	/* an empty file is an empty database: no error, no bytes */
	if (!bytes && (n > 0 || sqlite3_errcode(file->db) != SQLITE_OK))
		return td_reg_db_error(file, err, "reading the kit");
	return kit_copy_open(label, bytes, n, out, err);
}

/* A writable, growing guarded copy of bytes (taken over), labelled
 * label; doing names the step in a message. */
static int open_copy_writable(const char *label, unsigned char *bytes,
                              sqlite3_int64 n, struct td_registry **rw,
                              const char *doing, struct td_error *err)
{
	int rc;

	if ((rc = open_guarded(rw, label, err)) < 0) {
		sqlite3_free(bytes);
		return rc;
	}
	if (sqlite3_deserialize((*rw)->db, "main", bytes, n, n,
	                        SQLITE_DESERIALIZE_FREEONCLOSE |
	                        SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK) {
		rc = td_reg_db_error(*rw, err, doing);
		td_reg_close(*rw);
		*rw = NULL;
		return rc;
	}
	return TD_OK;
}

int kit_copy_migrate(struct td_registry **copy, struct td_error *err)
{
	const char *doing = "copying a kit to migrate it";
	struct td_registry *rw;
	sqlite3_int64 n = 0;
	unsigned char *bytes = sqlite3_serialize((*copy)->db, "main", &n, 0);
	int rc;

	if (!bytes)
		return td_reg_db_error(*copy, err, doing);
	/* writable and growing: the steps add pages */
	if ((rc = open_copy_writable((*copy)->path, bytes, n, &rw, doing, err)) < 0)
		return rc;
	if ((rc = td_reg_migrate(rw, err)) < 0) {
		/* the steps run on the kit's own tables: one they cannot take
		 * (a table already there, a column missing) is the kit's fault */
		if (rc == TD_ERR_DB) {
			char why[sizeof err->message];
			snprintf(why, sizeof why, "%s", err->message);
			rc = td_error_set(err, TD_ERR_DATA, "the kit cannot be brought to "
			                  "this release's schema (damaged, or edited outside "
			                  "tokendesk): %s", why);
		}
		td_reg_close(rw);
		return rc;
	}
	td_reg_close(*copy);
	*copy = rw;
	return TD_OK;
}

int kit_copy_trimmed(const char *label, unsigned char *bytes, sqlite3_int64 n,
                     unsigned char **out, sqlite3_int64 *out_n,
                     struct td_error *err)
{
	const char *doing = "keeping the kit as merged";
	struct td_registry *rw;
	int rc;

	*out = NULL;
	*out_n = 0;
	if ((rc = open_copy_writable(label, bytes, n, &rw, doing, err)) < 0)
		return rc;
	/* VACUUM: the pages the rows held go, so the image is as small as
	 * what it keeps; its transient copy in memory too (not a file in
	 * TMPDIR, which may be full or read-only) */
	if (sqlite3_exec(rw->db, "PRAGMA temp_store = MEMORY; DELETE FROM main.audit;"
	                 " DELETE FROM main.kit_base; VACUUM", NULL, NULL, NULL)
	    != SQLITE_OK)
		rc = td_reg_db_error(rw, err, doing);
	else if (!(*out = sqlite3_serialize(rw->db, "main", out_n, 0)))
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	td_reg_close(rw);
	return rc;
}

int kit_ref_open(struct td_registry **out, struct td_error *err)
{
	int rc;

	if ((rc = open_guarded(out, "tokendesk's schema", err)) < 0)
		return rc;
	if ((rc = td_reg_migrate(*out, err)) < 0) {
		td_reg_close(*out);
		*out = NULL;
	}
	return rc;
}

int kit_share(struct td_registry *home, struct td_registry *copy,
              const char *schema, struct td_error *err)
{
	sqlite3_int64 n = 0;
	unsigned char *p;
	int rc;

	if ((rc = kit_exec(home, err, "ATTACH ':memory:' AS \"%w\"", schema)) < 0)
		return rc;
	/* The copy's own buffer, read-only on both sides; copy outlives the
	 * attachment (kit_merge.c detaches first). */
	p = sqlite3_serialize(copy->db, "main", &n, SQLITE_SERIALIZE_NOCOPY);
	if (!p || sqlite3_deserialize(home->db, schema, p, n, n,
	                              SQLITE_DESERIALIZE_READONLY) != SQLITE_OK)
		return td_reg_db_error(home, err, "reading the kit's copy");
	return TD_OK;
}

int kit_base_from_ref(struct td_registry *home, struct td_registry *ref,
                      struct td_error *err)
{
	sqlite3_int64 n = 0;
	unsigned char *p;
	int rc;

	if ((rc = kit_exec(home, err, "ATTACH ':memory:' AS base")) < 0)
		return rc;
	if (!(p = sqlite3_serialize(ref->db, "main", &n, 0)))
		return td_reg_db_error(ref, err, "copying tokendesk's schema");
	if (sqlite3_deserialize(home->db, "base", p, n, n,
	                        SQLITE_DESERIALIZE_FREEONCLOSE |
	                        SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK)
		return td_reg_db_error(home, err, "copying tokendesk's schema");
	return TD_OK;
}

/* ---- comparing a schema with tokendesk's ----------------------------------- */

static int refuse(struct td_error *err, const char *what, const char *kind,
                  const char *name, const char *why)
{
	return td_error_set(err, TD_ERR_DATA, "%s holds %s '%s' %s; not merged:"
	                    " a kit is data, and this one was altered outside"
	                    " tokendesk", what, kind, name, why);
}

/* The declaration of column i of table in reg ("name type notnull dflt
 * pk hidden"), or NULL past the last. */
static char *column_decl(struct td_registry *reg, const char *table, int i)
{
	sqlite3_stmt *st;
	char *decl = NULL;

	if (sqlite3_prepare_v2(reg->db, "SELECT name || '|' || type || '|' ||"
	                       " \"notnull\" || '|' || coalesce(dflt_value, '<none>')"
	                       " || '|' || pk || '|' || hidden FROM"
	                       " pragma_table_xinfo(?1, 'main') LIMIT 1 OFFSET ?2",
	                       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, i);
	if (sqlite3_step(st) == SQLITE_ROW)
		decl = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	return decl;
}

static int compare_columns(struct td_registry *cand, struct td_registry *ref,
                           const char *table, const char *what,
                           struct td_error *err)
{
	int rc = TD_OK;

	for (int i = 0; rc == TD_OK; i++) {
		char *c = column_decl(cand, table, i), *r = column_decl(ref, table, i);
		char name[300];
		if (!c && !r)
			break;
		snprintf(name, sizeof name, "%s.%.*s", table,
		         (int)strcspn(c ? c : r, "|"), c ? c : r);
		if (!r)
			rc = refuse(err, what, "a column", name, "that tokendesk's"
			            " schema does not have");
		else if (!c)
			rc = refuse(err, what, "no column", name, "where tokendesk's"
			            " schema has one");
		else if (strcmp(c, r) != 0) {
			/* Another name at this place: a column of its own. */
			size_t nc = strcspn(c, "|"), nr = strcspn(r, "|");
			rc = nc != nr || strncmp(c, r, nc) != 0
			     ? refuse(err, what, "a column", name, "that tokendesk's"
			              " schema does not have")
			     : refuse(err, what, "a column", name, "declared otherwise"
			              " than in tokendesk's schema");
		}
		free(c);
		free(r);
	}
	return rc;
}

/* sqlite_master's sql of (type, name) in ref; *found 0 when none. */
static char *ref_sql(struct td_registry *ref, const char *type, const char *name,
                     int *found)
{
	sqlite3_stmt *st;
	char *sql = NULL;

	*found = 0;
	if (sqlite3_prepare_v2(ref->db, "SELECT sql FROM main.sqlite_master"
	                       " WHERE type = ?1 AND name = ?2", -1, &st, NULL)
	    != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*found = 1;
		sql = td_reg_col_dup(st, 0);
	}
	sqlite3_finalize(st);
	return sql;
}

static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int check_entry(struct td_registry *cand, struct td_registry *ref,
                       const char *type, const char *name, const char *sql,
                       const char *what, struct td_error *err)
{
	int found, rc = TD_OK;
	char *mine;

	if (strcmp(type, "trigger") == 0)
		return refuse(err, what, "a trigger", name, "(code run by SQLite)");
	if (strcmp(type, "view") == 0)
		return refuse(err, what, "a view", name, "(code run by SQLite)");
	if (strcmp(type, "table") != 0 && strcmp(type, "index") != 0)
		return refuse(err, what, type, name, "that tokendesk's schema does"
		              " not have");
	mine = ref_sql(ref, type, name, &found);
	if (!found)
		rc = refuse(err, what, strcmp(type, "table") == 0 ? "a table" :
		            "an index", name, "that tokendesk's schema does not have");
	else if (strcmp(type, "index") == 0 || (sql && strncmp(sql, "CREATE VIRTUAL",
	                                                      14) == 0)) {
		if (!same_text(sql, mine))
			rc = refuse(err, what, strcmp(type, "index") == 0 ? "an index" :
			            "a table", name, "declared otherwise than in"
			            " tokendesk's schema");
	} else
		rc = compare_columns(cand, ref, name, what, err);
	free(mine);
	return rc;
}

int kit_inspect(struct td_registry *cand, struct td_registry *ref,
                const char *what, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = TD_OK, step;

	/* Triggers and views first: they are what runs. */
	if (sqlite3_prepare_v2(cand->db, "SELECT type, name, sql FROM"
	                       " main.sqlite_master ORDER BY type NOT IN"
	                       " ('trigger', 'view'), type = 'index', name",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(cand, err, "reading the kit's schema");
	while (rc == TD_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *sql = (const char *)sqlite3_column_text(st, 2);
		rc = check_entry(cand, ref, type ? type : "?", name ? name : "?", sql,
		                 what, err);
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(cand, err, "reading the kit's schema");
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	/* and every table and index of tokendesk's is there: a key such as
	 * holder_key is an index of its own (schema step 13), and a kit
	 * without it could hold one person twice */
	if (sqlite3_prepare_v2(ref->db, "SELECT type, name FROM main.sqlite_master"
	                       " WHERE type = 'table' OR (type = 'index' AND sql IS NOT NULL)",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(ref, err, "reading tokendesk's schema");
	while (rc == TD_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		int found, table = strcmp(type, "table") == 0;
		char *sql = ref_sql(cand, type, name, &found);
		if (!found && table)
			rc = td_error_set(err, TD_ERR_DATA, "%s lacks the table '%s' of"
			                  " tokendesk's schema; not merged", what, name);
		else if (!found)
			rc = td_error_set(err, TD_ERR_DATA, "%s lacks the index '%s' of"
			                  " tokendesk's schema; not merged", what, name);
		free(sql);
	}
	sqlite3_finalize(st);
	return rc;
}
