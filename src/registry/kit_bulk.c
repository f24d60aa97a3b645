/* kit_bulk.c: the rows a field kit added, brought home a table at a time.
 *
 * A kit made for a district comes back with tens of thousands of new rows
 * (custody events, scans) and few changed ones.  Sending the new rows
 * through the session changeset and one INSERT each cost most of a merge,
 * so the changeset covers only the rows the kit was made with, and the
 * rows past the image's last id come here.
 *
 * Fast path: one INSERT ... SELECT per table.  Home gives the new rows
 * fresh ids by shifting the kit's by a fixed offset (home's last id minus
 * the image's), so they keep their field order and every reference to
 * them shifts by the same offset, with no id map.  It is tried inside a
 * savepoint: if any row breaks a constraint (a serial added both at home
 * and in the field), the table falls back to row by row through
 * kit_apply_insert, which keeps exactly the rows that cannot be added as
 * conflicts, as before.  A table whose parent fell back, or renumbered
 * rows through the id map, goes row by row too. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "registry/kit.h"

static int has_new_rows(const struct kit_table *t)
{
	return t->int_pk >= 0 && (t->kind == KIT_FIELD || t->kind == KIT_HOME_ONLY);
}

static int64_t int_of(struct kit_merge *m, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sql && sqlite3_prepare_v2(m->home->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_free((char *)sql);
	return v;
}

int kit_bulk_mark_base(struct kit_merge *m, struct td_error *err)
{
	for (int i = 0; i < m->ks.n; i++) {
		struct kit_table *t = &m->ks.t[i];
		if (!has_new_rows(t))
			continue;
		t->base_max = int_of(m, sqlite3_mprintf("SELECT coalesce(max(\"%w\"), 0)"
		                                        " FROM base.\"%w\"",
		                                        t->cols[t->int_pk], t->name));
		if (t->base_max < 0)
			return td_reg_db_error(m->home, err, "reading the kit's image");
	}
	return TD_OK;
}

/* The last id home has used for t, counting AUTOINCREMENT's memory of
 * deleted rows when the table has it. */
static int64_t home_last_id(struct kit_merge *m, struct kit_table *t)
{
	int64_t last = int_of(m, sqlite3_mprintf("SELECT coalesce(max(\"%w\"), 0)"
	                                         " FROM main.\"%w\"",
	                                         t->cols[t->int_pk], t->name));
	int64_t seq = int_of(m, sqlite3_mprintf("SELECT coalesce((SELECT seq FROM"
	                                        " main.sqlite_sequence WHERE name = %Q),"
	                                        " 0)", t->name));
	return seq > last ? seq : last;
}

/* Can t's new rows shift by an offset?  Only when each parent's new rows
 * did too (or it had none), so references shift with them. */
static int bulk_allowed(struct kit_merge *m, struct kit_table *t)
{
	if (t->kind != KIT_FIELD || t->npk != 1)
		return 0;
	for (int f = 0; f < t->nfk; f++) {
		struct kit_table *p = kit_schema_find(&m->ks, t->fk[f].parent);
		/* a parent with rows an earlier merge renumbered: references
		 * to them are looked up one by one (kit_idmap) */
		if (p && p != t && (p->fallback || p->renumbered || p->prior_min > 0))
			return 0;
	}
	return 1;
}

/* The SELECT list that turns kit rows into home rows: the id and every
 * reference to a shifted parent moved by the parent's offset. */
static char *shifted_columns(struct kit_merge *m, struct kit_table *t)
{
	char *list = sqlite3_mprintf("%s", "");

	for (int i = 0; list && i < t->ncols; i++) {
		char *item = NULL;
		if (i == t->int_pk)
			item = sqlite3_mprintf("\"%w\" + %lld", t->cols[i], (long long)t->offset);
		for (int f = 0; !item && f < t->nfk; f++) {
			struct kit_table *p = kit_schema_find(&m->ks, t->fk[f].parent);
			/* p == t: a reference within the table shifts with it */
			if (t->fk[f].col != i || !p || (!p->bulk && p != t) ||
			    !kit_fk_to_id(t, f, p))
				continue;
			item = sqlite3_mprintf("CASE WHEN typeof(\"%w\") = 'integer' AND"
			                       " \"%w\" > %lld THEN \"%w\" + %lld ELSE \"%w\" END",
			                       t->cols[i], t->cols[i], (long long)p->base_max,
			                       t->cols[i], (long long)p->offset, t->cols[i]);
		}
		if (!item)
			item = sqlite3_mprintf("\"%w\"", t->cols[i]);
		char *n = sqlite3_mprintf("%s%s%s", list, i ? ", " : "", item);
		sqlite3_free(item);
		sqlite3_free(list);
		list = n;
	}
	return list;
}

/* One INSERT ... SELECT in a savepoint: 1 when done, 0 when a constraint
 * stopped it (nothing of it kept), < 0 on other errors. */
static int insert_shifted(struct kit_merge *m, struct kit_table *t,
                          struct td_error *err)
{
	char *cols, *vals, *sql;
	int rc;

	t->offset = home_last_id(m, t) - t->base_max;
	cols = kit_column_list(t);
	vals = shifted_columns(m, t);
	sql = cols && vals ? sqlite3_mprintf("INSERT INTO main.\"%w\" (%s) SELECT %s"
	                                     " FROM kit.\"%w\" WHERE \"%w\" > %lld"
	                                     " ORDER BY \"%w\"", t->name, cols, vals,
	                                     t->name, t->cols[t->int_pk],
	                                     (long long)t->base_max,
	                                     t->cols[t->int_pk]) : NULL;
	sqlite3_free(cols);
	sqlite3_free(vals);
	if (!sql)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if ((rc = td_reg_exec(m->home, "SAVEPOINT kit_bulk", err)) < 0) {
		sqlite3_free(sql);
		return rc;
	}
	rc = sqlite3_exec(m->home->db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	if (rc == SQLITE_OK) {
		m->rep->inserted += sqlite3_changes64(m->home->db);
		return td_reg_exec(m->home, "RELEASE kit_bulk", err) < 0 ? err->code : 1;
	}
	if ((rc & 0xff) != SQLITE_CONSTRAINT)
		return td_reg_db_error(m->home, err, "merging the kit");
	if ((rc = td_reg_exec(m->home, "ROLLBACK TO kit_bulk; RELEASE kit_bulk", err)) < 0)
		return rc;
	return 0;
}

/* Row by row, each row a change of its own (conflicts kept); *rows: how
 * many there were. */
static int insert_each(struct kit_merge *m, struct kit_table *t, int64_t *rows,
                       struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = TD_OK;
	char *sql = sqlite3_mprintf("SELECT * FROM kit.\"%w\" WHERE \"%w\" > %lld"
	                            " ORDER BY \"%w\"", t->name, t->cols[t->int_pk],
	                            (long long)t->base_max, t->cols[t->int_pk]);

	if (!sql)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	rc = sqlite3_prepare_v2(m->home->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return td_reg_db_error(m->home, err, "reading the kit");
	if (sqlite3_column_count(st) != t->ncols) {
		sqlite3_finalize(st);
		return td_error_set(err, TD_ERR_DATA, "the kit's table %s does not match"
		                    " the registry's; was the kit made by another"
		                    " version?", t->name);
	}
	sqlite3_value *row[t->ncols];
	while (rc == TD_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < t->ncols; i++)
			row[i] = sqlite3_column_value(st, i);
		(*rows)++;
		rc = kit_apply_insert(m, t, row, err);
	}
	if (rc == SQLITE_DONE)
		rc = TD_OK;
	else if (rc > 0)
		rc = td_reg_db_error(m->home, err, "reading the kit");
	sqlite3_finalize(st);
	return rc;
}

static int bring_new_rows(struct kit_merge *m, struct kit_table *t,
                          struct td_error *err)
{
	int64_t rows = 0;
	int rc;

	if (!has_new_rows(t))
		return TD_OK;
	if (bulk_allowed(m, t)) {
		if ((rc = insert_shifted(m, t, err)) < 0)
			return rc;
		if (rc == 1) {
			t->bulk = 1;
			return TD_OK;
		}
	}
	rc = insert_each(m, t, &rows, err);
	t->fallback = rows > 0;
	return rc;
}

int kit_bulk_through(struct kit_merge *m, const char *table, struct td_error *err)
{
	int upto = m->ks.n - 1, rc = TD_OK;

	if (table) {
		struct kit_table *t = kit_schema_find(&m->ks, table);
		if (!t)
			return TD_OK;   /* kit_apply_change names the mismatch */
		upto = (int)(t - m->ks.t);
	}
	for (; rc == TD_OK && m->bulk_next <= upto; m->bulk_next++)
		rc = bring_new_rows(m, &m->ks.t[m->bulk_next], err);
	return rc;
}
