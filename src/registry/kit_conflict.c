/* kit_conflict.c: listing and deciding the conflicts a kit merge kept.
 *
 * A conflict holds both versions as JSON: home (the row at home when the
 * kit was merged), field_old/field_new (the values the field changed
 * from and to).  Keeping home only closes it; keeping field writes the
 * field's values into the row (or adds / deletes the row) generically,
 * column names checked against the table.  Both are audited.  The
 * field's values name other rows by home's ids (kit_apply.c turns the
 * kit's own ids into home's when it keeps the conflict). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/kit.h"
#include "tokendesk/text.h"

int td_reg_kit_each_conflict(struct td_registry *reg, int open_only,
                             td_kit_conflict_fn fn, void *ctx, struct td_error *err)
{
	struct td_kit_conflict c;
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(reg->db, open_only ?
	        "SELECT id, kit_uuid, tbl, op, reason, status, pk, home, field_old,"
	        " field_new, resolved_at, resolved_by FROM kit_conflict"
	        " WHERE status = 'open' ORDER BY id" :
	        "SELECT id, kit_uuid, tbl, op, reason, status, pk, home, field_old,"
	        " field_new, resolved_at, resolved_by FROM kit_conflict ORDER BY id",
	        -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "listing kit conflicts");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char **f[] = { &c.kit_uuid, &c.table, &c.op, &c.reason, &c.status,
		                     &c.pk, &c.home, &c.field_old, &c.field_new,
		                     &c.resolved_at, &c.resolved_by };
		c.id = sqlite3_column_int64(st, 0);
		for (int i = 0; i < 11; i++)
			*f[i] = (const char *)sqlite3_column_text(st, i + 1);
		stop = fn(&c, ctx);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "listing kit conflicts");
}

struct conflict_row {
	char *table, *op, *status, *pk, *field_new, *home;
};

static void conflict_row_clear(struct conflict_row *r)
{
	free(r->table);
	free(r->op);
	free(r->status);
	free(r->pk);
	free(r->field_new);
	free(r->home);
}

static int load_conflict(struct td_registry *reg, int64_t id, struct conflict_row *r,
                         struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(r, 0, sizeof *r);
	if (sqlite3_prepare_v2(reg->db, "SELECT tbl, op, status, pk, field_new, home"
	                       " FROM kit_conflict WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a kit conflict");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->table = td_reg_col_dup(st, 0);
		r->op = td_reg_col_dup(st, 1);
		r->status = td_reg_col_dup(st, 2);
		r->pk = td_reg_col_dup(st, 3);
		r->field_new = td_reg_col_dup(st, 4);
		r->home = td_reg_col_dup(st, 5);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "no kit conflict %" PRId64, id);
	return rc == SQLITE_ROW ? TD_OK : td_reg_db_error(reg, err, "reading a kit conflict");
}

/* "col = json_extract(?N, '$."col"')" joined by sep, over the known
 * columns of t named in the JSON object json; NULL if none. */
static char *json_columns(struct kit_table *t, const char *json, int param,
                          const char *sep, int skip_int_pk, int names_only)
{
	char *out = NULL;

	for (int i = 0; i < t->ncols; i++) {
		char probe[300];
		if (skip_int_pk && i == t->int_pk)
			continue;
		snprintf(probe, sizeof probe, "\"%s\":", t->cols[i]);
		if (!json || !strstr(json, probe))
			continue;
		char *part = names_only ?
		        sqlite3_mprintf("\"%w\"", t->cols[i]) :
		        sqlite3_mprintf("\"%w\" = json_extract(?%d, '$.\"%w\"')",
		                        t->cols[i], param, t->cols[i]);
		char *next = sqlite3_mprintf("%s%s%s", out ? out : "", out ? sep : "", part);
		sqlite3_free(part);
		sqlite3_free(out);
		out = next;
	}
	return out;
}

/* Write the field's version: op update, insert or delete. */
static int apply_field(struct td_registry *reg, struct kit_table *t,
                       const struct conflict_row *r, struct td_error *err)
{
	char *sql = NULL, *set = NULL, *where = NULL, *vals = NULL;
	sqlite3_stmt *st;
	int rc;

	where = json_columns(t, r->pk, 2, " AND ", 0, 0);
	if (strcmp(r->op, "update") == 0) {
		set = json_columns(t, r->field_new, 1, ", ", 0, 0);
		if (set && where)
			sql = sqlite3_mprintf("UPDATE \"%w\" SET %s WHERE %s", t->name, set, where);
	} else if (strcmp(r->op, "delete") == 0) {
		if (where)
			sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE %s", t->name, where);
	} else {
		set = json_columns(t, r->field_new, 1, ", ", 1, 1);
		vals = set ? sqlite3_mprintf("%s", "") : NULL;
		for (int i = 0; vals && i < t->ncols; i++) {
			char quoted[300];
			snprintf(quoted, sizeof quoted, "\"%s\"", t->cols[i]);
			if (i == t->int_pk || !strstr(set, quoted))
				continue;
			char *n = sqlite3_mprintf("%s%sjson_extract(?1, '$.\"%w\"')", vals,
			                          *vals ? ", " : "", t->cols[i]);
			sqlite3_free(vals);
			vals = n;
		}
		if (set && vals)
			sql = sqlite3_mprintf("INSERT INTO \"%w\" (%s) VALUES (%s)", t->name,
			                      set, vals);
	}
	sqlite3_free(set);
	sqlite3_free(where);
	sqlite3_free(vals);
	if (!sql)
		return td_error_set(err, TD_ERR_DATA, "the conflict's field version cannot"
		                    " be applied to table %s", t->name);
	rc = sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return td_reg_db_error(reg, err, "applying the field's version");
	td_reg_bind_text(st, 1, r->field_new);
	td_reg_bind_text(st, 2, r->pk);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	/* A row the field added that refers to a record home does not have
	 * (the merge wrote NULL for it: kit_apply.c) cannot stand here. */
	if ((rc & 0xff) == SQLITE_CONSTRAINT && strcmp(r->op, "insert") == 0)
		return td_error_set(err, TD_ERR_CONFLICT, "the field's %s row cannot be"
		                    " added here (%s): a record it refers to is not in"
		                    " this registry; keep home's version", t->name,
		                    sqlite3_errmsg(reg->db));
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "applying the field's version");
	return TD_OK;
}

int td_reg_kit_resolve(struct td_registry *reg, int64_t id, int keep_field,
                       struct td_error *err)
{
	struct conflict_row r;
	struct kit_schema ks = { 0 };
	struct kit_table *t;
	char at[21], key[32], *after = NULL;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = load_conflict(reg, id, &r, err)) < 0)
		return rc;
	if (strcmp(r.status, "open") != 0) {
		rc = td_error_set(err, TD_ERR_CONFLICT, "kit conflict %" PRId64
		                  " was already decided (%s)", id, r.status);
		goto out;
	}
	if (keep_field) {
		if ((rc = kit_schema_load(reg, "main", &ks, err)) < 0)
			goto out;
		if (!(t = kit_schema_find(&ks, r.table))) {
			rc = td_error_set(err, TD_ERR_DATA, "no table %s", r.table);
			goto out;
		}
		if ((rc = apply_field(reg, t, &r, err)) < 0)
			goto out;
	}
	td_now_iso(at);
	if ((rc = kit_exec(reg, err, "UPDATE kit_conflict SET status = %Q,"
	                   " resolved_at = %Q, resolved_by = %Q WHERE id = %lld",
	                   keep_field ? "kept_field" : "kept_home", at,
	                   td_reg_operator(reg), (long long)id)) < 0)
		goto out;
	after = sqlite3_mprintf("{\"keep\":\"%s\",\"table\":\"%w\",\"op\":\"%s\"}",
	                        keep_field ? "field" : "home", r.table, r.op);
	snprintf(key, sizeof key, "%" PRId64, id);
	rc = td_reg_audit(reg, "kit.resolve", "kit_conflict", key, r.home, after, err);
	sqlite3_free(after);
out:
	kit_schema_free(&ks);
	conflict_row_clear(&r);
	return rc;
}
