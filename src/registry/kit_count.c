/* kit_count.c: a count closed both at home and in the field.
 *
 * A count started in the field comes home at the kit's first merge; both
 * sides may then scan on and close it, and each close freezes its own
 * lines (count_result).  The merge keeps the field's close as a conflict
 * (kit_apply.c); its lines belong to that close, not to home's, so they
 * go into the conflict with it (field_new "lines", beside the tallies
 * and digest its count.close image names) instead of joining home's
 * lines: a closed count holds the lines of one close, the one its audit
 * trail says (audit verify read the two sets added together as a hand
 * edit).  The conflict's home side gets home's tallies, so the two
 * closes read side by side.  Two closes alike (same second, same
 * operator) merge as no change; their lines decide: the same lines are
 * one close, others a conflict made here.  Keeping the field's version puts its lines
 * in place of home's, once they prove to be those the field's own
 * count.close row froze; keeping home's leaves them in the conflict. */
#include <config.h>

#include <inttypes.h>
#include <string.h>

#include "registry/kit.h"

/* The tallies, digest and (with lines) the lines of count ?1's lines
 * that match `which` (?2: home's last line before the merge), as
 * count.close's image names them (audit_tables.c). */
#define LINES_IMAGE(which, lines) \
	"(SELECT json_object(" TD_COUNT_TALLIES ", 'lines_sha256'," \
	" td_sha256(group_concat(" TD_COUNT_LINE ", char(10)))" lines ") FROM" \
	" (SELECT * FROM main.count_result WHERE count_id = ?1 AND " which \
	" ORDER BY serial, outcome))"

int kit_count_mark(struct kit_merge *m, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(m->home->db, "SELECT (SELECT coalesce(max(id), 0) FROM"
	                       " main.count_result), (SELECT coalesce(max(id), 0)"
	                       " FROM main.kit_conflict)", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(m->home, err, "merging the kit");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m->lines_max = sqlite3_column_int64(st, 0);
		m->conflicts_max = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? TD_OK : td_reg_db_error(m->home, err, "merging the kit");
}

/* The lines this merge added to home's count `count` (the field's) go:
 * they are not rows added after all. */
static int drop_field_lines(struct kit_merge *m, int64_t count, struct td_error *err)
{
	int rc = kit_exec(m->home, err, "DELETE FROM main.count_result WHERE"
	                  " count_id = %lld AND id > %lld", (long long)count,
	                  (long long)m->lines_max);

	if (rc == TD_OK)
		m->rep->inserted -= sqlite3_changes64(m->home->db);
	return rc;
}

/* Move the field's lines of home's count `count` into conflict `id`. */
static int hold_lines(struct kit_merge *m, int64_t id, int64_t count,
                      struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(m->home->db, "UPDATE main.kit_conflict SET"
	        " field_new = json_patch(field_new, " LINES_IMAGE("id > ?2",
	        ", 'lines', json_group_array(" TD_COUNT_LINE ")") "), home ="
	        " json_patch(home, "
	        LINES_IMAGE("id <= ?2", "") ") WHERE id = ?3", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(m->home, err, "keeping the field's count lines");
	sqlite3_bind_int64(st, 1, count);
	sqlite3_bind_int64(st, 2, m->lines_max);
	sqlite3_bind_int64(st, 3, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(m->home, err, "keeping the field's count lines");
	return drop_field_lines(m, count, err);
}

/* Both sides closed count `count` alike (same second, same operator: the
 * close itself merged as a no-op), so only its lines tell the closes
 * apart: the same lines are the same close (the field's copies go), other
 * lines make the conflict the close did not. */
static int closed_alike(struct kit_merge *m, int64_t count, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, same = 0;

	if (sqlite3_prepare_v2(m->home->db, "SELECT " LINES_IMAGE("id > ?2", "")
	                       " IS " LINES_IMAGE("id <= ?2", ""), -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(m->home, err, "merging the kit");
	sqlite3_bind_int64(st, 1, count);
	sqlite3_bind_int64(st, 2, m->lines_max);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		same = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return td_reg_db_error(m->home, err, "merging the kit");
	if (same)
		return drop_field_lines(m, count, err);
	rc = kit_exec(m->home, err, "INSERT INTO main.kit_conflict (kit_uuid, tbl, op,"
	              " pk, home, field_old, field_new, reason, label) SELECT %Q,"
	              " 'count_session', 'update', json_object('id', id), json_object("
	              "'id', id, 'uid', uid, 'scope_kind', scope_kind, 'scope', scope,"
	              " 'started_at', started_at, 'operator', operator, 'closed_at',"
	              " closed_at, 'closed_by', closed_by), json_object('id', id,"
	              " 'closed_at', NULL, 'closed_by', NULL), json_object('closed_at',"
	              " closed_at, 'closed_by', closed_by), 'changed both in the field"
	              " and at home', json_object('count', CAST(id AS TEXT), 'scope',"
	              " scope) FROM main.count_session WHERE id = %lld", m->uuid,
	              (long long)count);
	if (rc < 0)
		return rc;
	m->rep->conflicts++;
	return hold_lines(m, sqlite3_last_insert_rowid(m->home->db), count, err);
}

/* Counts whose lines this merge added beside lines home froze itself. */
static int hold_alike(struct kit_merge *m, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = TD_OK, step;
	int64_t ids[64];
	int n = 0;

	/* read first, then change: the changes move the rows read */
	if (sqlite3_prepare_v2(m->home->db, "SELECT DISTINCT count_id FROM"
	                       " main.count_result r WHERE id > ?1 AND EXISTS (SELECT"
	                       " 1 FROM main.count_result o WHERE o.count_id ="
	                       " r.count_id AND o.id <= ?1) LIMIT 64", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(m->home, err, "merging the kit");
	sqlite3_bind_int64(st, 1, m->lines_max);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return td_reg_db_error(m->home, err, "merging the kit");
	for (int i = 0; rc == TD_OK && i < n; i++)
		rc = closed_alike(m, ids[i], err);
	/* a kit of more than 64 such counts: the next batch */
	return rc == TD_OK && n == 64 ? hold_alike(m, err) : rc;
}

int kit_count_hold(struct kit_merge *m, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = TD_OK, step;

	if (sqlite3_prepare_v2(m->home->db, "SELECT id, json_extract(pk, '$.id') FROM"
	                       " main.kit_conflict WHERE id > ?1 AND kit_uuid = ?2"
	                       " AND tbl = 'count_session' AND op = 'update' AND"
	                       " json_type(home) = 'object' AND json_extract(field_new,"
	                       " '$.closed_at') IS NOT NULL ORDER BY id", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(m->home, err, "merging the kit");
	sqlite3_bind_int64(st, 1, m->conflicts_max);
	sqlite3_bind_text(st, 2, m->uuid, -1, SQLITE_STATIC);
	while (rc == TD_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = hold_lines(m, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		                err);
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(m->home, err, "merging the kit");
	sqlite3_finalize(st);
	return rc == TD_OK ? hold_alike(m, err) : rc;
}

/* The digest of count's lines as they stand, against the one the field's
 * own count.close row (kit_field_audit, anchored in home's chain) froze:
 * the conflict's copy of the lines is not protected by the chain, so a
 * copy edited at home is refused here, not written. */
static int lines_as_field_froze(struct td_registry *reg, const char *kit,
                                int64_t count, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, same = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT " TD_COUNT_LINES_SHA256("?2") " IS"
	                       " json_extract(" TD_FIELD_COUNT_CLOSE("?1", "(SELECT uid"
	                       " FROM count_session WHERE id = ?2)") ", '$.lines_sha256')",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "keeping the field's count");
	td_reg_bind_text(st, 1, kit);
	sqlite3_bind_int64(st, 2, count);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		same = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return td_reg_db_error(reg, err, "keeping the field's count");
	return same ? TD_OK : td_error_set(err, TD_ERR_CONFLICT, "count %lld: the"
	                                   " conflict's lines are not those the field's"
	                                   " count.close froze (edited here?); nothing"
	                                   " changed", (long long)count);
}

int kit_count_keep_field(struct td_registry *reg, const char *kit, int64_t count,
                         const char *field_new, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!field_new || !strstr(field_new, "\"lines\":"))
		return TD_OK;   /* a conflict kept before lines came with it */
	if ((rc = kit_exec(reg, err, "DELETE FROM count_result WHERE count_id = %lld",
	                   (long long)count)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO count_result (count_id, serial,"
	                       " outcome, scans, custodian, custodian_name) SELECT ?1,"
	                       " json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
	                       " json_extract(value, '$[2]'), json_extract(value, '$[3]'),"
	                       " json_extract(value, '$[4]') FROM json_each(?2, '$.lines')"
	                       " ORDER BY key", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "keeping the field's count");
	sqlite3_bind_int64(st, 1, count);
	td_reg_bind_text(st, 2, field_new);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "keeping the field's count");
	return lines_as_field_froze(reg, kit, count, err);
}
