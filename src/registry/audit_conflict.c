/* audit_conflict.c: the conflicts a kit merge kept, held to its audit row.
 *
 * A conflict holds the field's version of a record until an operator
 * keeps one side; kept as the field's, that version is written and then
 * tells the record's state to audit verify.  kit_conflict is not in the
 * audit chain, so a version edited by hand in between would be written
 * and believed.  Each merge's kit.merge row therefore names the
 * conflicts it kept:
 *     "conflict_rows": {"first": F, "last": L, "sha256": H}
 * H the SHA-256 over rows F..L as the merge left them (what they say,
 * not their status, which kit.resolve rows tell).  audit verify
 * recomputes it, and refuses a conflict row that no merge names.  Rows
 * kept before merges named them (below the first F) are held only to
 * their number (every release's kit.merge row says how many it kept).
 * A conflict's status must be what its one kit.resolve row decided, by
 * the operator that row names, and the moves marked superseded by it
 * (kit_superseded) the ones that row lists. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "registry/internal.h"

/* The count and digest of conflict rows ?1..?2, in id order. */
#define CONFLICT_DIGEST \
	"SELECT count(*), td_sha256(group_concat(json_array(id, kit_uuid, tbl, op," \
	" pk, home, field_old, field_new, reason, label), char(10))) FROM (SELECT *" \
	" FROM kit_conflict WHERE id BETWEEN ?1 AND ?2 ORDER BY id)"

/* The kit.merge rows that name conflicts: audit id, kit, first, last,
 * SHA-256; a condition on them may follow (AND ...). */
#define MERGES_NAMING \
	"SELECT id, entity_key, json_extract(after, '$.conflict_rows.first')," \
	" json_extract(after, '$.conflict_rows.last'), json_extract(after," \
	" '$.conflict_rows.sha256') FROM audit WHERE entity = 'kit' AND action =" \
	" 'kit.merge' AND json_extract(after, '$.conflict_rows') IS NOT NULL"

char *td_reg_conflict_rows(struct td_registry *reg, int64_t after_id)
{
	sqlite3_stmt *st;
	int64_t first = 0, last = 0;
	char *json = NULL;

	if (sqlite3_prepare_v2(reg->db, "SELECT coalesce(min(id), 0),"
	                       " coalesce(max(id), 0) FROM kit_conflict WHERE id > ?1",
	                       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, after_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		first = sqlite3_column_int64(st, 0);
		last = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (!first)
		return sqlite3_mprintf("%s", "");   /* none kept */
	if (sqlite3_prepare_v2(reg->db, CONFLICT_DIGEST, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 1))
		json = sqlite3_mprintf(",\"conflict_rows\":{\"first\":%lld,\"last\":%lld,"
		                       "\"sha256\":\"%s\"}", (long long)first, (long long)last,
		                       (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return json;
}

/* Rows first..last against what the merge (audit row `row`, kit `kit`)
 * recorded of them. */
static int check_range(struct td_registry *reg, sqlite3_stmt *digest, int64_t row,
                       const char *kit, int64_t first, int64_t last,
                       const char *sha, struct td_error *err)
{
	const char *got;
	int same;

	sqlite3_reset(digest);
	sqlite3_bind_int64(digest, 1, first);
	sqlite3_bind_int64(digest, 2, last);
	if (sqlite3_step(digest) != SQLITE_ROW)
		return td_reg_db_error(reg, err, "reading the kit conflicts");
	got = (const char *)sqlite3_column_text(digest, 1);
	same = sqlite3_column_int64(digest, 0) == last - first + 1 && got && sha &&
	       strcmp(got, sha) == 0;
	if (same)
		return TD_OK;
	return td_error_set(err, TD_ERR_CONFLICT, "kit conflicts %" PRId64 " to %"
	                    PRId64 ", kept by the merge of kit %s (audit row %" PRId64
	                    "), are not as that merge left them: changed, added or"
	                    " deleted by hand", first, last, kit ? kit : "?", row);
}

int td_reg_conflict_intact(struct td_registry *reg, int64_t id, struct td_error *err)
{
	sqlite3_stmt *merge, *digest;
	int rc = TD_OK;

	if (sqlite3_prepare_v2(reg->db, MERGES_NAMING " AND ?1 BETWEEN"
	                       " json_extract(after, '$.conflict_rows.first') AND"
	                       " json_extract(after, '$.conflict_rows.last') LIMIT 1",
	                       -1, &merge, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	sqlite3_bind_int64(merge, 1, id);
	if (sqlite3_step(merge) == SQLITE_ROW) {
		if (sqlite3_prepare_v2(reg->db, CONFLICT_DIGEST, -1, &digest, NULL)
		    != SQLITE_OK)
			rc = td_reg_db_error(reg, err, "reading the kit conflicts");
		else
			rc = check_range(reg, digest, sqlite3_column_int64(merge, 0),
			                 (const char *)sqlite3_column_text(merge, 1),
			                 sqlite3_column_int64(merge, 2),
			                 sqlite3_column_int64(merge, 3),
			                 (const char *)sqlite3_column_text(merge, 4), err);
		sqlite3_finalize(digest);
	}
	sqlite3_finalize(merge);
	return rc;
}

/* A conflict row no merge names, from the first named on. */
static int check_unnamed(struct td_registry *reg, int64_t named_from, struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc;

	if (sqlite3_prepare_v2(reg->db, "SELECT k.id FROM kit_conflict k WHERE"
	        " k.id >= ?1 AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.entity ="
	        " 'kit' AND a.action = 'kit.merge' AND k.id BETWEEN"
	        " json_extract(a.after, '$.conflict_rows.first') AND"
	        " json_extract(a.after, '$.conflict_rows.last')) ORDER BY k.id LIMIT 1",
	        -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the kit conflicts");
	sqlite3_bind_int64(st, 1, named_from);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "reading the kit conflicts");
	return id ? td_error_set(err, TD_ERR_CONFLICT, "kit conflict %" PRId64 " comes"
	                         " from no kit merge here: it was added by hand", id)
	          : TD_OK;
}

/* Each kit's conflicts here, as many as its kit.merge rows say they kept
 * ("conflicts", in every release's summary): one added or deleted by
 * hand, the ones merges kept before they named them too. */
static int check_counts(struct td_registry *reg, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(reg->db, "SELECT kit, sum(here), sum(kept) FROM ("
	        " SELECT kit_uuid AS kit, 1 AS here, 0 AS kept FROM kit_conflict"
	        " UNION ALL SELECT entity_key, 0, coalesce(json_extract(after,"
	        "  '$.conflicts'), 0) FROM audit WHERE entity = 'kit' AND action ="
	        "  'kit.merge') GROUP BY kit HAVING sum(here) != sum(kept) LIMIT 1",
	        -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the kit conflicts");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = td_error_set(err, TD_ERR_CONFLICT, "kit %s: %lld conflicts here, its"
		                  " merges kept %lld: added or deleted by hand",
		                  sqlite3_column_text(st, 0) ?
		                  (const char *)sqlite3_column_text(st, 0) : "?",
		                  (long long)sqlite3_column_int64(st, 1),
		                  (long long)sqlite3_column_int64(st, 2));
	else
		rc = rc == SQLITE_DONE ? TD_OK
		     : td_reg_db_error(reg, err, "reading the kit conflicts");
	sqlite3_finalize(st);
	return rc;
}

/* A conflict's status is what its kit.resolve row decided (open: none),
 * and it was decided once: a status set or reset by hand shows. */
static int check_decisions(struct td_registry *reg, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	/* per conflict: its kit.resolve rows (n), the newest one's decision
	 * (says), operator and listed marks, and the marks kept (by that
	 * choice and operator, and all) */
	if (sqlite3_prepare_v2(reg->db, "SELECT id, status, n, says FROM (SELECT"
	        " k.id, k.status, k.resolved_by, r.operator, (SELECT count(*) FROM"
	        "  audit a WHERE a.entity = 'kit_conflict' AND a.entity_key ="
	        "  CAST(k.id AS TEXT) AND a.action = 'kit.resolve') AS n,"
	        "  CASE json_extract(r.after, '$.keep') WHEN 'field' THEN 'kept_field'"
	        "  WHEN 'home' THEN 'kept_home' ELSE 'open' END AS says,"
	        "  (SELECT json_group_array(value) FROM (SELECT value FROM"
	        "  json_each(r.after, '$.superseded') ORDER BY value)) AS listed,"
	        "  (SELECT json_group_array(event_id) FROM (SELECT event_id FROM"
	        "  kit_superseded s WHERE s.conflict_id = k.id AND s.choice IS k.status"
	        "  AND s.decided_by IS r.operator ORDER BY event_id)) AS marks,"
	        "  (SELECT count(*) FROM kit_superseded s WHERE s.conflict_id = k.id)"
	        "  AS all_marks FROM kit_conflict k LEFT JOIN audit r ON r.id = (SELECT"
	        "  a.id FROM audit a WHERE a.entity = 'kit_conflict' AND a.entity_key ="
	        "  CAST(k.id AS TEXT) AND a.action = 'kit.resolve' ORDER BY a.id DESC"
	        "  LIMIT 1))"
	        " WHERE n > 1 OR status IS NOT says OR (n = 1 AND (resolved_by IS NOT"
	        "  operator OR marks IS NOT listed)) OR (n = 0 AND all_marks > 0)"
	        " ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the kit conflicts");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), n = sqlite3_column_int64(st, 2);
		const char *is = (const char *)sqlite3_column_text(st, 1);
		const char *says = (const char *)sqlite3_column_text(st, 3);
		int status_ok = is && says && strcmp(is, says) == 0;
		rc = n > 1 ? td_error_set(err, TD_ERR_CONFLICT, "kit conflict %" PRId64
		                          " was decided %" PRId64 " times: its decision"
		                          " was undone by hand", id, n)
		     : !status_ok ? td_error_set(err, TD_ERR_CONFLICT, "kit conflict %"
		                                 PRId64 " is %s, its audit rows say %s:"
		                                 " changed by hand", id, is ? is : "NULL",
		                                 says ? says : "?")
		     : td_error_set(err, TD_ERR_CONFLICT, "kit conflict %" PRId64 ": who"
		                    " decided it, or the moves it marked superseded, are"
		                    " not what its kit.resolve row says: changed by hand",
		                    id);
	} else {
		rc = rc == SQLITE_DONE ? TD_OK
		     : td_reg_db_error(reg, err, "reading the kit conflicts");
	}
	sqlite3_finalize(st);
	return rc;
}

int td_reg_audit_verify_conflicts(struct td_registry *reg, struct td_error *err)
{
	sqlite3_stmt *merges, *digest;
	int64_t named_from = 0;
	int rc = TD_OK, step;

	if (sqlite3_prepare_v2(reg->db, MERGES_NAMING " ORDER BY id", -1, &merges,
	                       NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	if (sqlite3_prepare_v2(reg->db, CONFLICT_DIGEST, -1, &digest, NULL) != SQLITE_OK) {
		sqlite3_finalize(merges);
		return td_reg_db_error(reg, err, "reading the kit conflicts");
	}
	while (rc == TD_OK && (step = sqlite3_step(merges)) == SQLITE_ROW) {
		int64_t first = sqlite3_column_int64(merges, 2);
		if (!named_from)
			named_from = first;
		rc = check_range(reg, digest, sqlite3_column_int64(merges, 0),
		                 (const char *)sqlite3_column_text(merges, 1), first,
		                 sqlite3_column_int64(merges, 3),
		                 (const char *)sqlite3_column_text(merges, 4), err);
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(reg, err, "reading the audit log");
	sqlite3_finalize(merges);
	sqlite3_finalize(digest);
	if (rc == TD_OK && named_from)
		rc = check_unnamed(reg, named_from, err);
	if (rc == TD_OK)
		rc = check_counts(reg, err);
	return rc == TD_OK ? check_decisions(reg, err) : rc;
}
