/* kit_apply.c: replaying one field change at home, or keeping it as a
 * conflict.
 *
 * Rows the field inserted get fresh ids at home (home may have used the
 * same ids meanwhile); the old -> new ids are kept in temp.kit_idmap and
 * every declared reference to them follows.  A field UPDATE or DELETE is
 * applied only when home's row still holds the values the field started
 * from; when home already holds the field's result it is a no-op; any
 * other case is a conflict, listed and never resolved silently.  Field
 * changes to home-only tables (agency, holder, certificate) are
 * conflicts too: they are master data that only an import changes; a
 * row the field added there that home holds as it is changes nothing,
 * and only maps to home's row (home_only_insert). */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "registry/kit.h"

#define MAPPED_FAILED (-1)

static int value_eq(sqlite3_value *a, sqlite3_value *b)
{
	int ta = sqlite3_value_type(a), tb = sqlite3_value_type(b);

	if (ta != tb)
		return 0;
	switch (ta) {
	case SQLITE_NULL: return 1;
	case SQLITE_INTEGER: return sqlite3_value_int64(a) == sqlite3_value_int64(b);
	case SQLITE_FLOAT: return sqlite3_value_double(a) == sqlite3_value_double(b);
	default: {
		int na = sqlite3_value_bytes(a), nb = sqlite3_value_bytes(b);
		const void *pa = ta == SQLITE_TEXT ? (const void *)sqlite3_value_text(a)
		                                   : sqlite3_value_blob(a);
		const void *pb = tb == SQLITE_TEXT ? (const void *)sqlite3_value_text(b)
		                                   : sqlite3_value_blob(b);
		return na == nb && (na == 0 || memcmp(pa, pb, (size_t)na) == 0);
	}
	}
}

/* ---- id map ----------------------------------------------------------------- */

static int map_put(struct kit_merge *m, const char *table, int64_t old_id,
                   int64_t new_id)
{
	sqlite3_stmt *st = m->map_put;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, old_id);
	sqlite3_bind_int64(st, 3, new_id);
	return sqlite3_step(st) == SQLITE_DONE ? TD_OK : TD_ERR_DB;
}

/* 1 and *new_id when the kit id was renumbered, 0 when not mapped. */
static int map_get(struct kit_merge *m, const char *table, int64_t old_id,
                   int64_t *new_id)
{
	sqlite3_stmt *st = m->map_get;
	int found;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, old_id);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		*new_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return found;
}

int64_t kit_prior_id(struct kit_merge *m, const struct kit_table *t,
                     int64_t kit_id)
{
	sqlite3_stmt *st = m->prior_get;
	int64_t id = kit_id;

	/* rows the kit was made with keep their ids; rows this merge adds
	 * are past base_max */
	if (!m->prior || t->prior_min <= 0 || kit_id < t->prior_min ||
	    kit_id > t->base_max || !st)
		return kit_id;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, m->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, kit_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) >= kit_id)
		id = sqlite3_column_type(st, 1) == SQLITE_NULL
		     ? MAPPED_FAILED : kit_id + sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return id;
}

/* Bind value i of vals (or its renumbered id) at idx.  Returns -1 when it
 * references a field row that could not be merged. */
static int bind_mapped(struct kit_merge *m, struct kit_table *t, sqlite3_stmt *st,
                       int idx, int col, sqlite3_value *v)
{
	int64_t mapped;

	for (int f = 0; f < t->nfk; f++) {
		struct kit_table *p;
		if (t->fk[f].col != col || sqlite3_value_type(v) != SQLITE_INTEGER)
			continue;
		if (!(p = kit_schema_find(&m->ks, t->fk[f].parent)) ||
		    !kit_fk_to_id(t, f, p))
			break;
		/* a row an earlier merge of this kit brought home */
		if (p->prior_min > 0 && sqlite3_value_int64(v) <= p->base_max) {
			mapped = kit_prior_id(m, p, sqlite3_value_int64(v));
			if (mapped == MAPPED_FAILED)
				return -1;
			sqlite3_bind_int64(st, idx, mapped);
			return 0;
		}
		/* Only rows the field added were renumbered: skip the lookup
		 * when the parent table had none. */
		if (!p->renumbered ||
		    !map_get(m, t->fk[f].parent, sqlite3_value_int64(v), &mapped)) {
			if (!p->bulk || sqlite3_value_int64(v) <= p->base_max)
				break;
			/* a field id so near the top that shifted it would not
			 * fit names no row home could have taken (fuzz-kit) */
			if (p->offset > 0 &&
			    sqlite3_value_int64(v) > INT64_MAX - p->offset)
				return -1;
			mapped = sqlite3_value_int64(v) + p->offset;
		}
		if (mapped == MAPPED_FAILED)
			return -1;
		sqlite3_bind_int64(st, idx, mapped);
		return 0;
	}
	sqlite3_bind_value(st, idx, v);
	return 0;
}

/* ---- statements --------------------------------------------------------------- */

static struct kit_stmt_cache *cache_of(struct kit_merge *m, struct kit_table *t)
{
	return &m->cache[t - m->ks.t];
}

/* " WHERE "pk1" = ?N AND ..." with parameters from first_param on. */
static char *where_pk(struct kit_table *t, sqlite3_value **pk, int first_param)
{
	char *w = sqlite3_mprintf(" WHERE 1");

	for (int i = 0; w && i < t->ncols; i++) {
		if (!pk[i])
			continue;
		char *n = sqlite3_mprintf("%s AND \"%w\" = ?%d", w, t->cols[i], first_param++);
		sqlite3_free(w);
		w = n;
	}
	return w;
}

static void bind_pk(sqlite3_stmt *st, struct kit_table *t, sqlite3_value **pk,
                    int first_param)
{
	for (int i = 0; i < t->ncols; i++)
		if (pk[i])
			sqlite3_bind_value(st, first_param++, pk[i]);
}

static sqlite3_stmt *prepare_owned(struct kit_merge *m, char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sql)
		sqlite3_prepare_v2(m->home->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	return st;
}

/* SELECT of every column of the row of schema.t with the change's
 * primary key, prepared once into *slot, bound. */
static sqlite3_stmt *select_in(struct kit_merge *m, sqlite3_stmt **slot,
                               const char *schema, struct kit_table *t,
                               sqlite3_value **pk)
{
	if (!*slot) {
		char *cols = kit_column_list(t);
		char *where = where_pk(t, pk, 1);
		*slot = prepare_owned(m, sqlite3_mprintf("SELECT %s FROM %s.\"%w\"%s",
		                                         cols, schema, t->name, where));
		sqlite3_free(cols);
		sqlite3_free(where);
		if (!*slot)
			return NULL;
	}
	sqlite3_reset(*slot);
	bind_pk(*slot, t, pk, 1);
	return *slot;
}

/* Home's row with the change's primary key. */
static sqlite3_stmt *select_row(struct kit_merge *m, struct kit_table *t,
                                sqlite3_value **pk)
{
	return select_in(m, &cache_of(m, t)->select, "main", t, pk);
}

/* ---- conflicts ------------------------------------------------------------------- */

/* json_object of the non-NULL-pointer values; NULL when there are none. */
static char *values_json(struct kit_merge *m, struct kit_table *t,
                         sqlite3_value **vals)
{
	char *sql, *json = NULL;
	int n = 0;
	sqlite3_stmt *st;

	if (!vals)
		return NULL;
	sql = sqlite3_mprintf("SELECT json_object(");
	for (int i = 0; sql && i < t->ncols; i++) {
		if (!vals[i])
			continue;
		char *s = sqlite3_mprintf("%s%s%Q, ?%d", sql, n ? ", " : "", t->cols[i], n + 1);
		sqlite3_free(sql);
		sql = s;
		n++;
	}
	char *s = sqlite3_mprintf("%s)", sql);
	sqlite3_free(sql);
	if (!(st = prepare_owned(m, s)))
		return NULL;
	for (int i = 0, k = 1; i < t->ncols; i++)
		if (vals[i])
			sqlite3_bind_value(st, k++, vals[i]);
	if (n && sqlite3_step(st) == SQLITE_ROW)
		json = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	return json;
}

static char *home_json(struct kit_merge *m, struct kit_table *t, sqlite3_value **pk)
{
	sqlite3_stmt *st = select_row(m, t, pk);
	sqlite3_value *row[t->ncols];
	char *json = NULL;

	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		if (st)
			sqlite3_reset(st);
		return NULL;
	}
	for (int i = 0; i < t->ncols; i++)
		row[i] = sqlite3_value_dup(sqlite3_column_value(st, i));
	sqlite3_reset(st);
	json = values_json(m, t, row);
	for (int i = 0; i < t->ncols; i++)
		sqlite3_value_free(row[i]);
	return json;
}

/* ---- references in a conflict's values ------------------------------------------ */

/* The column that names a record of these tables whatever its id. */
static const char *natural_key(const char *table)
{
	static const char *const keys[][2] = {
		{ "token", "serial" }, { "count_session", "uid" },
		{ "handover", "number" }, { "dossier", "ref" },
		{ "holder", "ext_id" }, { "agency", "code" },
		{ "certificate", "serial" }, { "issuer", "dn" },
	};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i][0], table) == 0)
			return keys[i][1];
	return NULL;
}

/* Home's id of the row the kit's row v of p is, as the merge binds it
 * (kit_apply's id map, kit_bulk's offset, a row the kit was made with
 * keeps its id); a row the merge did not bring (a conflict itself) is
 * the home row of the same natural key (a token serial home registered
 * meanwhile).  1 and *home when there is one, 0 when none. */
static int home_ref(struct kit_merge *m, struct kit_table *p, int64_t v,
                    int64_t *home)
{
	const char *nat = natural_key(p->name);
	int64_t mapped;
	int found = p->renumbered && map_get(m, p->name, v, &mapped), rc = 0;
	sqlite3_stmt *st;
	char *sql;

	if (found && mapped != MAPPED_FAILED) {
		*home = mapped;
		return 1;
	}
	if (!found && p->bulk && v > p->base_max && v <= INT64_MAX - p->offset) {
		*home = v + p->offset;
		return 1;
	}
	if (!found && v <= p->base_max) {
		*home = v;
		return 1;
	}
	if (!nat || !(sql = sqlite3_mprintf("SELECT h.\"%w\" FROM main.\"%w\" h JOIN"
	                                    " kit.\"%w\" k ON k.\"%w\" = h.\"%w\""
	                                    " WHERE k.\"%w\" = ?", p->cols[p->int_pk],
	                                    p->name, p->name, nat, nat,
	                                    p->cols[p->int_pk])))
		return 0;
	if (sqlite3_prepare_v2(m->home->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, v);
		if ((rc = sqlite3_step(st) == SQLITE_ROW))
			*home = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_free(sql);
	return rc;
}

/* The conflict that holds kit row v of p, a row the field added that
 * this kit's merge kept as a conflict (newest first: a refreshed kit may
 * use an id again), 0 when none. */
static int64_t parent_conflict(struct kit_merge *m, struct kit_table *p, int64_t v)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	char *sql = sqlite3_mprintf("SELECT max(id) FROM main.kit_conflict WHERE"
	                            " kit_uuid = ?1 AND tbl = ?2 AND op = 'insert' AND"
	                            " json_extract(field_new, '$.\"%w\"') = ?3",
	                            p->cols[p->int_pk]);

	if (sql && sqlite3_prepare_v2(m->home->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, m->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, v);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_free(sql);
	return id;
}

/* json with "conflict_refs": {col: conflict} set; json as it was when
 * that cannot be made (the reference then stays unknown, as before). */
static char *with_conflict_ref(struct kit_merge *m, char *json, const char *col,
                               int64_t conflict)
{
	char *path = sqlite3_mprintf("$.conflict_refs.\"%w\"", col);
	char *copy = json && path ? strdup(json) : NULL;
	char *next = copy ? kit_json_with(m->home, copy, path, conflict) : NULL;

	sqlite3_free(path);
	if (!next)
		return json;
	free(json);
	return next;
}

/* values_json of a field row, with each reference to a row by id turned
 * into home's id of that row (NULL when home has none): the kit's own
 * ids name other rows at home, and `kit resolve --keep field` writes
 * these values as they stand.  A reference to a row the merge kept as a
 * conflict (a holder a field import added) is NULL too, and
 * "conflict_refs" names that conflict by the column: kept as the
 * field's, the row it adds has an id only then, and `kit resolve` puts
 * it in (kit_conflict.c). */
static char *field_json(struct kit_merge *m, struct kit_table *t,
                        sqlite3_value **vals)
{
	char *json = values_json(m, t, vals);
	sqlite3_stmt *set = NULL;

	for (int f = 0; json && f < t->nfk; f++) {
		int col = t->fk[f].col;
		struct kit_table *p = kit_schema_find(&m->ks, t->fk[f].parent);
		int64_t v, home, parent;
		int known;
		char *path, *next = NULL;
		if (!vals[col] || sqlite3_value_type(vals[col]) != SQLITE_INTEGER ||
		    !p || !kit_fk_to_id(t, f, p))
			continue;
		v = sqlite3_value_int64(vals[col]);
		if (!(path = sqlite3_mprintf("$.\"%w\"", t->cols[col])) ||
		    sqlite3_prepare_v2(m->home->db, "SELECT json_set(?1, ?2, ?3)", -1,
		                       &set, NULL) != SQLITE_OK) {
			sqlite3_free(path);
			break;
		}
		sqlite3_bind_text(set, 1, json, -1, SQLITE_STATIC);
		sqlite3_bind_text(set, 2, path, -1, SQLITE_STATIC);
		if ((known = home_ref(m, p, v, &home)))
			sqlite3_bind_int64(set, 3, home);
		if (sqlite3_step(set) == SQLITE_ROW)
			next = td_reg_col_dup(set, 0);
		sqlite3_finalize(set);
		sqlite3_free(path);
		if (next) {
			free(json);
			json = next;
		}
		if (!known && (parent = parent_conflict(m, p, v)) > 0)
			json = with_conflict_ref(m, json, t->cols[col], parent);
	}
	return json;
}

/* Store a conflict (pk, home, fold and fnew are taken over); home_id:
 * home's row, named in the label, 0 when home holds none. */
static int conflict_store(struct kit_merge *m, struct kit_table *t, const char *op,
                          char *pk, char *home, int64_t home_id, char *fold,
                          char *fnew, const char *reason, struct td_error *err)
{
	struct kit_table *ev = kit_schema_find(&m->ks, "custody_event");
	int64_t since = m->prior ? m->home_event_max : ev ? ev->base_max : 0;
	char *label = kit_conflict_label(m->home, t->name, home_id,
	                                 fnew ? fnew : fold, since, m->uuid);
	int rc = kit_exec(m->home, err, "INSERT INTO main.kit_conflict (kit_uuid, tbl,"
	                  " op, pk, home, field_old, field_new, reason, label) VALUES"
	                  " (%Q, %Q, %Q, %Q, %Q, %Q, %Q, %Q, %Q)", m->uuid, t->name, op,
	                  pk ? pk : "{}", home, fold, fnew, reason, label);

	free(label);
	free(pk);
	free(home);
	free(fold);
	free(fnew);
	if (rc == TD_OK)
		m->rep->conflicts++;
	return rc;
}

int kit_conflict_add(struct kit_merge *m, struct kit_table *t, const char *op,
                     sqlite3_value **pk_vals, sqlite3_value **field_old,
                     sqlite3_value **field_new, const char *reason,
                     struct td_error *err)
{
	char *pk = values_json(m, t, pk_vals);
	/* An inserted row's id is the kit's own: home's row by that id is
	 * another row altogether. */
	char *home = pk_vals && strcmp(op, "insert") != 0 ? home_json(m, t, pk_vals)
	                                                  : NULL;
	int64_t home_id = home && t->int_pk >= 0 && pk_vals[t->int_pk]
	                  ? sqlite3_value_int64(pk_vals[t->int_pk]) : 0;

	return conflict_store(m, t, op, pk, home, home_id,
	                      values_json(m, t, field_old), field_json(m, t, field_new),
	                      reason, err);
}

/* ---- master data a field import added ------------------------------------------ */

/* 1 when two rows' values_json hold the same values in every column but
 * the id (col), 0 otherwise.  A field version naming "conflict_refs" (a
 * reference to a row the merge kept as a conflict) is never the same. */
static int same_values(struct kit_merge *m, const char *a, const char *b,
                       const char *col)
{
	sqlite3_stmt *st;
	int same = 0;

	if (!a || !b || sqlite3_prepare_v2(m->home->db, "SELECT NOT EXISTS (SELECT"
	        " key, type, atom FROM json_each(?1) WHERE key IS NOT ?3 EXCEPT SELECT"
	        " key, type, atom FROM json_each(?2) WHERE key IS NOT ?3) AND NOT"
	        " EXISTS (SELECT key, type, atom FROM json_each(?2) WHERE key IS NOT"
	        " ?3 EXCEPT SELECT key, type, atom FROM json_each(?1) WHERE key IS"
	        " NOT ?3)", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, col, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		same = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return same;
}

/* An integer as a value of its own (free it), NULL when out of memory. */
static sqlite3_value *int_value(struct kit_merge *m, int64_t v)
{
	sqlite3_stmt *st = m->int_value;
	sqlite3_value *out = NULL;

	if (!st)
		return NULL;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, v);
	if (sqlite3_step(st) == SQLITE_ROW)
		out = sqlite3_value_dup(sqlite3_column_value(st, 0));
	sqlite3_reset(st);
	return out;
}

/* Home's row home_id of t as a conflict holds it: *home its values,
 * *pk its key (values_json). */
static int home_version(struct kit_merge *m, struct kit_table *t, int64_t home_id,
                        char **home, char **pk, struct td_error *err)
{
	sqlite3_value *key[t->ncols];

	for (int i = 0; i < t->ncols; i++)
		key[i] = NULL;
	if (!(key[t->int_pk] = int_value(m, home_id)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	*home = home_json(m, t, key);
	*pk = values_json(m, t, key);
	sqlite3_value_free(key[t->int_pk]);
	return TD_OK;
}

/* A row the field added whose unique key home holds already (an agency
 * list imported whole in the field brings agencies the kit was not made
 * with; a certificate list, tokens home registered): with the same
 * values, its references read as home's ids (field_json), it would
 * change nothing here, so it is no conflict, and the kit's id maps to
 * home's row, so that field rows referring to it (an official of that
 * agency, a handover of that token) find it.  A row of that key that
 * differs is a conflict whose home side is home's row, as for a change
 * both sides made.  Returns 1 when so handled, 0 when home holds no row
 * of its key, <0 on an error. */
static int same_key_insert(struct kit_merge *m, struct kit_table *t,
                           sqlite3_value **nv, struct td_error *err)
{
	char *fnew, *home = NULL, *pk = NULL;
	int64_t home_id;
	int same, rc;

	if (t->int_pk < 0)
		return 0;
	fnew = field_json(m, t, nv);
	if (!(home_id = kit_same_key_row(m->home, t, fnew))) {
		free(fnew);
		return 0;
	}
	if ((rc = home_version(m, t, home_id, &home, &pk, err)) < 0) {
		free(fnew);
		return rc;
	}
	same = home && same_values(m, home, fnew, t->cols[t->int_pk]);
	t->renumbered = 1;
	if (map_put(m, t->name, sqlite3_value_int64(nv[t->int_pk]),
	            same ? home_id : MAPPED_FAILED) < 0)
		rc = td_reg_db_error(m->home, err, "merging the kit");
	if (rc < 0 || same) {
		m->rep->unchanged += same && rc == TD_OK;
		free(fnew);
		free(home);
		free(pk);
		return rc < 0 ? rc : 1;
	}
	rc = conflict_store(m, t, "insert", pk, home, home ? home_id : 0, NULL, fnew,
	                    "added in the field; home holds a row of the same key", err);
	return rc < 0 ? rc : 1;
}

/* A row the field added to agency, holder, certificate or issuer.  Only
 * home changes master data, so it is a conflict, unless home holds a row
 * of its key (same_key_insert). */
static int home_only_insert(struct kit_merge *m, struct kit_table *t,
                            sqlite3_value **nv, struct td_error *err)
{
	int rc = same_key_insert(m, t, nv, err);

	if (rc != 0)
		return rc < 0 ? rc : TD_OK;
	if (t->int_pk >= 0) {
		t->renumbered = 1;
		if (map_put(m, t->name, sqlite3_value_int64(nv[t->int_pk]), MAPPED_FAILED) < 0)
			return td_reg_db_error(m->home, err, "merging the kit");
	}
	return conflict_store(m, t, "insert", NULL, NULL, 0, NULL, field_json(m, t, nv),
	                      "added in the field to a table only home changes", err);
}

/* 1 when the kit holds a custody move of its token kit_id (or cannot
 * tell), 0 when none. */
static int field_moved(struct kit_merge *m, int64_t kit_id)
{
	sqlite3_stmt *st;
	int moved = 1;

	if (sqlite3_prepare_v2(m->home->db, "SELECT EXISTS (SELECT 1 FROM"
	                       " kit.custody_event WHERE token_id = ?1)", -1, &st,
	                       NULL) != SQLITE_OK)
		return 1;
	sqlite3_bind_int64(st, 1, kit_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		moved = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return moved;
}

/* ---- the three operations ------------------------------------------------------- */

static sqlite3_stmt *insert_stmt(struct kit_merge *m, struct kit_table *t)
{
	struct kit_stmt_cache *c = cache_of(m, t);

	if (!c->insert) {
		char *cols = kit_column_list(t);
		char *qs = sqlite3_mprintf("?1");
		for (int i = 1; qs && i < t->ncols; i++) {
			char *q = sqlite3_mprintf("%s, ?%d", qs, i + 1);
			sqlite3_free(qs);
			qs = q;
		}
		c->insert = prepare_owned(m, sqlite3_mprintf("INSERT INTO main.\"%w\" (%s)"
		                                             " VALUES (%s)", t->name, cols, qs));
		sqlite3_free(cols);
		sqlite3_free(qs);
	}
	if (c->insert)
		sqlite3_reset(c->insert);
	return c->insert;
}

int kit_apply_insert(struct kit_merge *m, struct kit_table *t,
                     sqlite3_value **nv, struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t old_id = t->int_pk >= 0 ? sqlite3_value_int64(nv[t->int_pk]) : 0;
	int rc;

	if (t->kind == KIT_HOME_ONLY)
		return home_only_insert(m, t, nv, err);
	if (!(st = insert_stmt(m, t)))
		return td_reg_db_error(m->home, err, "merging the kit");
	sqlite3_clear_bindings(st);
	for (int i = 0; i < t->ncols; i++) {
		if (i == t->int_pk)
			continue;   /* renumbered: home allocates the id */
		if (bind_mapped(m, t, st, i + 1, i, nv[i]) < 0) {
			if (t->int_pk >= 0) {
				t->renumbered = 1;
				map_put(m, t->name, old_id, MAPPED_FAILED);
			}
			return kit_conflict_add(m, t, "insert", NULL, NULL, nv,
			                        "refers to a field row that was not merged", err);
		}
	}
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		char reason[300];
		snprintf(reason, sizeof reason, "cannot be added at home: %s",
		         sqlite3_errmsg(m->home->db));
		/* a token a field import added that home registered too (its
		 * certificate list imported whole in the field); one the field
		 * moved stays a conflict with its moves (they happened to the
		 * field's token, which home must decide is its own).  The
		 * refusal's text is taken first: the look-ups below run SQL. */
		if (strcmp(t->name, "token") == 0 && !field_moved(m, old_id) &&
		    (rc = same_key_insert(m, t, nv, err)) != 0)
			return rc < 0 ? rc : TD_OK;
		if (t->int_pk >= 0) {
			t->renumbered = 1;
			map_put(m, t->name, old_id, MAPPED_FAILED);
		}
		return kit_conflict_add(m, t, "insert", NULL, NULL, nv, reason, err);
	}
	if (rc != SQLITE_DONE)
		return td_reg_db_error(m->home, err, "merging the kit");
	m->rep->inserted++;
	if (t->int_pk < 0)
		return TD_OK;
	int64_t new_id = sqlite3_last_insert_rowid(m->home->db);
	/* every id is remembered: a later merge of this kit may change the
	 * row (kit_idmap) */
	{
		t->renumbered = 1;
		if (map_put(m, t->name, old_id, new_id) < 0)
			return td_reg_db_error(m->home, err, "merging the kit");
	}
	return TD_OK;   /* (serials are searched by their own indexes) */
}

/* Compare home's row with the field's before and after values.
 * Returns 1 when home still holds `before` (apply), 2 when home already
 * holds `after` (nothing to do), 0 otherwise (conflict), -1 when the row
 * is gone at home. */
static int home_state(struct kit_merge *m, struct kit_table *t, sqlite3_value **pk,
                      sqlite3_value **before, sqlite3_value **after)
{
	sqlite3_stmt *st = select_row(m, t, pk);
	int as_before = 1, as_after = after != NULL;

	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		if (st)
			sqlite3_reset(st);
		return -1;
	}
	for (int i = 0; i < t->ncols; i++) {
		sqlite3_value *home = sqlite3_column_value(st, i);
		if (before[i] && !value_eq(home, before[i]))
			as_before = 0;
		if (after && after[i] && !value_eq(home, after[i]))
			as_after = 0;
	}
	sqlite3_reset(st);
	return as_before ? 1 : as_after ? 2 : 0;
}

static sqlite3_stmt *update_stmt(struct kit_merge *m, struct kit_table *t,
                                 sqlite3_value **nv, sqlite3_value **pk)
{
	struct kit_stmt_cache *c = cache_of(m, t);
	unsigned long long mask = 0;
	int n = 0;

	for (int i = 0; i < t->ncols && i < 64; i++)
		if (nv[i])
			mask |= 1ULL << i;
	if (!c->update || c->update_mask != mask) {
		char *set = sqlite3_mprintf("%s", "");
		for (int i = 0; set && i < t->ncols; i++) {
			if (!nv[i])
				continue;
			char *s = sqlite3_mprintf("%s%s\"%w\" = ?%d", set, n ? ", " : "",
			                          t->cols[i], n + 1);
			sqlite3_free(set);
			set = s;
			n++;
		}
		char *where = where_pk(t, pk, n + 1);
		sqlite3_finalize(c->update);
		c->update = prepare_owned(m, sqlite3_mprintf("UPDATE main.\"%w\" SET %s%s",
		                                             t->name, set, where));
		c->update_mask = mask;
		sqlite3_free(set);
		sqlite3_free(where);
	}
	if (c->update)
		sqlite3_reset(c->update);
	return c->update;
}

static int apply_update(struct kit_merge *m, struct kit_table *t, sqlite3_value **pk,
                        sqlite3_value **ov, sqlite3_value **nv,
                        struct kit_backing *b, struct td_error *err)
{
	sqlite3_stmt *st;
	int state, k = 1, rc;

	state = home_state(m, t, pk, ov, nv);
	/* home holds what the field made (both sides did the same): no
	 * conflict, nothing to do, master data or not */
	if (state == 2) {
		m->rep->unchanged++;
		return TD_OK;
	}
	if (t->kind == KIT_HOME_ONLY)
		return kit_conflict_add(m, t, "update", pk, ov, nv,
		                        "changed in the field in a table only home changes",
		                        err);
	if (state <= 0)
		return kit_conflict_add(m, t, "update", pk, ov, nv, state < 0 ?
		                        "changed in the field, deleted at home" :
		                        "changed both in the field and at home", err);
	if (!(st = update_stmt(m, t, nv, pk)))
		return td_reg_db_error(m->home, err, "merging the kit");
	sqlite3_clear_bindings(st);
	for (int i = 0; i < t->ncols; i++)
		if (nv[i] && bind_mapped(m, t, st, k++, i, nv[i]) < 0)
			return kit_conflict_add(m, t, "update", pk, ov, nv,
			                        "refers to a field row that was not merged", err);
	bind_pk(st, t, pk, k);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return kit_conflict_add(m, t, "update", pk, ov, nv,
		                        sqlite3_errmsg(m->home->db), err);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(m->home, err, "merging the kit");
	m->rep->updated++;
	return kit_backing_audit(m, t, pk, b, err);
}

static int apply_delete(struct kit_merge *m, struct kit_table *t, sqlite3_value **pk,
                        sqlite3_value **ov, struct kit_backing *b,
                        struct td_error *err)
{
	struct kit_stmt_cache *c = cache_of(m, t);
	int state, rc;

	if (t->kind == KIT_HOME_ONLY)
		return kit_conflict_add(m, t, "delete", pk, ov, NULL,
		                        "deleted in the field from a table only home changes",
		                        err);
	state = home_state(m, t, pk, ov, NULL);
	if (state < 0) {
		m->rep->unchanged++;
		return TD_OK;
	}
	if (state == 0)
		return kit_conflict_add(m, t, "delete", pk, ov, NULL,
		                        "deleted in the field, changed at home", err);
	if (!c->remove) {
		char *where = where_pk(t, pk, 1);
		c->remove = prepare_owned(m, sqlite3_mprintf("DELETE FROM main.\"%w\"%s",
		                                             t->name, where));
		sqlite3_free(where);
		if (!c->remove)
			return td_reg_db_error(m->home, err, "merging the kit");
	}
	sqlite3_reset(c->remove);
	bind_pk(c->remove, t, pk, 1);
	rc = sqlite3_step(c->remove);
	sqlite3_reset(c->remove);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return kit_conflict_add(m, t, "delete", pk, ov, NULL,
		                        sqlite3_errmsg(m->home->db), err);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(m->home, err, "merging the kit");
	m->rep->deleted++;
	return kit_backing_audit(m, t, pk, b, err);
}

/* ---- the record the field wrote over ------------------------------------------ */

static int listed(const char *const *cols, const char *col)
{
	for (; *cols; cols++)
		if (strcmp(*cols, col) == 0)
			return 1;
	return 0;
}

/* A writer sets its record's columns together (kit_backing.c): a tag
 * tagged again writes its state and batch too.  So the field's update
 * was made over the row as the kit held it in every one of them, not
 * only in those it changed: ov and nv get the ones it left (as base
 * holds them: unchanged, the kit's values are the image's).  Home having
 * changed any of them since is a conflict, and a conflict kept as the
 * field's writes the whole record, never a row half home's and half the
 * field's (a tag sent to DOST at home, tagged again in the field, was
 * merged as the field's tag in home's batch).  Call with the kit's key;
 * the values are copies in held[] (free each). */
static void record_before(struct kit_merge *m, struct kit_table *t, sqlite3_value **pk,
                          sqlite3_value **ov, sqlite3_value **nv, sqlite3_value **held)
{
	const char *const *cols = kit_backing_columns(t->name);
	sqlite3_stmt *st;
	int left = 0;   /* record columns the field left as they were */

	for (int i = 0; cols && i < t->ncols; i++)
		left += !nv[i] && listed(cols, t->cols[i]);
	if (!left || !(st = select_in(m, &cache_of(m, t)->base_row, "base", t, pk)))
		return;
	if (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < t->ncols; i++)
			if (!ov[i] && !nv[i] && listed(cols, t->cols[i]))
				ov[i] = nv[i] = held[i] =
					sqlite3_value_dup(sqlite3_column_value(st, i));
	sqlite3_reset(st);
}

/* The change's key at home: a row an earlier merge of this kit brought
 * home has another id there.  pk (and ov's key) then point at *held, a
 * value made here (free it).  -1: that merge kept the row as a conflict,
 * it is not at home. */
static int home_key(struct kit_merge *m, struct kit_table *t, sqlite3_value **pk,
                    sqlite3_value **ov, sqlite3_value **held)
{
	sqlite3_stmt *st = m->int_value;
	int64_t kid, hid;

	*held = NULL;
	if (t->int_pk < 0 || !pk[t->int_pk] || t->prior_min <= 0)
		return 0;
	kid = sqlite3_value_int64(pk[t->int_pk]);
	if ((hid = kit_prior_id(m, t, kid)) == kid)
		return 0;
	if (hid == MAPPED_FAILED || !st)
		return -1;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, hid);
	if (sqlite3_step(st) == SQLITE_ROW)
		*held = sqlite3_value_dup(sqlite3_column_value(st, 0));
	sqlite3_reset(st);
	if (!*held)
		return -1;
	pk[t->int_pk] = *held;
	if (ov[t->int_pk])
		ov[t->int_pk] = *held;
	return 0;
}

int kit_apply_change(struct kit_merge *m, sqlite3_changeset_iter *it,
                     struct td_error *err)
{
	const char *name;
	int ncol, op, indirect, rc;
	unsigned char *pkflags;
	struct kit_table *t;

	sqlite3changeset_op(it, &name, &ncol, &op, &indirect);
	sqlite3changeset_pk(it, &pkflags, NULL);
	if (!(t = kit_schema_find(&m->ks, name)) || t->ncols != ncol)
		return td_error_set(err, TD_ERR_DATA, "the kit's table %s does not match"
		                    " the registry's; was the kit made by another version?",
		                    name);
	sqlite3_value *ov[ncol], *nv[ncol], *pk[ncol];
	for (int i = 0; i < ncol; i++) {
		ov[i] = nv[i] = NULL;
		if (op != SQLITE_INSERT)
			sqlite3changeset_old(it, i, &ov[i]);
		if (op != SQLITE_DELETE)
			sqlite3changeset_new(it, i, &nv[i]);
		pk[i] = pkflags[i] ? (op == SQLITE_INSERT ? nv[i] : ov[i]) : NULL;
	}
	/* Every change must be one the kit's audit records (kit_backing.c),
	 * or nothing is merged; home-only tables' changes, kept as
	 * conflicts, need at least a row of their record. */
	struct kit_backing b = { .key = NULL };
	if (t->kind == KIT_FIELD && op == SQLITE_INSERT)
		return td_error_set(err, TD_ERR_DATA, "kit %s: %s gained a row that"
		                    " no field work adds; the kit was edited outside"
		                    " tokendesk: not merged, nothing changed here",
		                    m->kit_path, t->name);
	if (t->kind == KIT_HOME_ONLY && op != SQLITE_INSERT &&
	    (rc = kit_backing_check_home(m, t, pk, err)) < 0)
		return rc;
	if (t->kind == KIT_FIELD &&
	    (rc = kit_backing_check(m, t, pk, op == SQLITE_UPDATE ? nv : NULL, &b,
	                            err)) < 0) {
		kit_backing_clear(&b);
		return rc;
	}
	sqlite3_value *kept[ncol];
	for (int i = 0; i < ncol; i++)
		kept[i] = NULL;
	if (op == SQLITE_UPDATE && t->kind == KIT_FIELD)
		record_before(m, t, pk, ov, nv, kept);
	/* checked against the kit by its ids; applied at home by home's */
	sqlite3_value *held = NULL;
	if (op != SQLITE_INSERT && home_key(m, t, pk, ov, &held) < 0)
		rc = kit_conflict_add(m, t, op == SQLITE_UPDATE ? "update" : "delete",
		                      NULL, ov, nv, "changes a row the field added"
		                      " that an earlier merge did not bring home", err);
	else switch (op) {
	case SQLITE_INSERT: rc = kit_apply_insert(m, t, nv, err); break;
	case SQLITE_UPDATE: rc = apply_update(m, t, pk, ov, nv, &b, err); break;
	default: rc = apply_delete(m, t, pk, ov, &b, err); break;
	}
	for (int i = 0; i < ncol; i++)
		sqlite3_value_free(kept[i]);
	sqlite3_value_free(held);
	kit_backing_clear(&b);
	return rc;
}

void kit_merge_cache_free(struct kit_merge *m)
{
	for (int i = 0; m->cache && i < m->ks.n; i++) {
		sqlite3_finalize(m->cache[i].insert);
		sqlite3_finalize(m->cache[i].select);
		sqlite3_finalize(m->cache[i].update);
		sqlite3_finalize(m->cache[i].remove);
		sqlite3_finalize(m->cache[i].json);
		sqlite3_finalize(m->cache[i].base_row);
	}
	free(m->cache);
	m->cache = NULL;
}
