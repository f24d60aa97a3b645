/* write.c: the registry's record writes.  Each appends its audit row in
 * the caller's transaction; unchanged input writes nothing at all. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

/* NULL and "" are the same "no value". */
static int same(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && strcmp(a, b) == 0;
}

static int step_done(struct td_registry *reg, sqlite3_stmt *st, const char *what,
                     struct td_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, what);
	return TD_OK;
}

/* Audit a change of one row: before/after are JSON snapshots. */
static int audit_change(struct td_registry *reg, const char *action,
                        const char *entity, const char *key, char *before,
                        enum td_stmt_id json_stmt, int64_t rowid,
                        struct td_error *err)
{
	char *after = td_reg_row_json(reg, json_stmt, rowid, err);
	int rc;

	if (!after) {
		free(before);
		return td_reg_db_error(reg, err, "reading back a written row");
	}
	rc = td_reg_audit(reg, action, entity, key, before, after, err);
	free(before);
	free(after);
	return rc;
}

/* ---- agencies --------------------------------------------------------- */

struct agency_row {
	int64_t id;
	char *name, *parent, *level, *from, *to;
};

static int find_agency(struct td_registry *reg, const char *code,
                       struct agency_row *row, struct td_error *err)
{
	sqlite3_stmt *st = td_reg_stmt(reg, ST_AGENCY_BY_CODE, err);
	int rc;

	if (!st)
		return TD_ERR_DB;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row->id = sqlite3_column_int64(st, 0);
		row->name = td_reg_col_dup(st, 2);
		row->parent = td_reg_col_dup(st, 3);
		row->level = td_reg_col_dup(st, 4);
		row->from = td_reg_col_dup(st, 5);
		row->to = td_reg_col_dup(st, 6);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : td_reg_db_error(reg, err, "agency lookup");
}

static void agency_row_free(struct agency_row *r)
{
	free(r->name);
	free(r->parent);
	free(r->level);
	free(r->from);
	free(r->to);
}

static int agency_unchanged(const struct agency_row *r, const struct td_agency *a)
{
	return same(r->name, a->name) && same(r->parent, a->parent_code) &&
	       same(r->level, a->level) && same(r->from, a->valid_from) &&
	       same(r->to, a->valid_to);
}

static void bind_agency(sqlite3_stmt *st, int first, const struct td_agency *a)
{
	td_reg_bind_text(st, first, a->name);
	td_reg_bind_text(st, first + 1, a->parent_code);
	td_reg_bind_text(st, first + 2, a->level);
	td_reg_bind_text(st, first + 3, a->valid_from);
	td_reg_bind_text(st, first + 4, a->valid_to);
}

static int index_agency(struct td_registry *reg, int64_t id, const char *old_name,
                        const char *old_code, const struct td_agency *a,
                        struct td_error *err)
{
	char old_text[4096] = "", new_text[4096];

	if (old_name)
		snprintf(old_text, sizeof old_text, "%s %s", old_name, old_code);
	snprintf(new_text, sizeof new_text, "%s %s", a->name, a->code);
	return td_reg_index_put(reg, TD_HIT_AGENCY, id, old_name ? old_text : NULL,
	                        new_text, err);
}

int td_reg_put_agency(struct td_registry *reg, const struct td_agency *a,
                      enum td_upsert *result, struct td_error *err)
{
	struct agency_row old = { 0 };
	sqlite3_stmt *st;
	char *before = NULL;
	int found, rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (a->parent_code && *a->parent_code) {
		struct agency_row parent = { 0 };
		found = find_agency(reg, a->parent_code, &parent, err);
		agency_row_free(&parent);
		if (found < 0)
			return found;
		if (!found)
			return td_error_set(err, TD_ERR_DATA, "agency %s: parent %s "
			                    "does not exist", a->code, a->parent_code);
	}
	if ((found = find_agency(reg, a->code, &old, err)) < 0)
		return found;
	if (found && agency_unchanged(&old, a)) {
		agency_row_free(&old);
		*result = TD_UPSERT_UNCHANGED;
		return TD_OK;
	}
	if (found) {
		before = td_reg_row_json(reg, ST_AGENCY_JSON, old.id, err);
		st = td_reg_stmt(reg, ST_AGENCY_UPDATE, err);
		if (st) {
			bind_agency(st, 1, a);
			sqlite3_bind_int64(st, 6, old.id);
		}
	} else {
		st = td_reg_stmt(reg, ST_AGENCY_INSERT, err);
		if (st) {
			td_reg_bind_text(st, 1, a->code);
			bind_agency(st, 2, a);
		}
	}
	rc = st ? step_done(reg, st, "writing an agency", err) : TD_ERR_DB;
	if (rc == TD_OK) {
		int64_t id = found ? old.id : sqlite3_last_insert_rowid(reg->db);
		if (!reg->fresh_agencies)   /* else indexed set-based at commit */
			rc = index_agency(reg, id, found ? old.name : NULL, a->code, a, err);
		if (rc == TD_OK && !found && td_reg_bulk_add(reg, &reg->bulk_agency, a->code))
			;   /* folded into the bulk audit row */
		else if (rc == TD_OK)
			rc = audit_change(reg, found ? "agency.update" : "agency.add",
			                  "agency", a->code, before, ST_AGENCY_JSON, id, err);
		else
			free(before);
		before = NULL;
	}
	free(before);
	agency_row_free(&old);
	*result = found ? TD_UPSERT_UPDATED : TD_UPSERT_ADDED;
	return rc;
}
