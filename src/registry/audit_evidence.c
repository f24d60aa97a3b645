/* audit_evidence.c: the images audit verify finds outside the home
 * chain's own keys.
 *
 * Rows brought home by kit merges are told by the field's audit rows
 * (kit_field_audit), ordered just before their merge's anchor row; a
 * certificate image carries its holder's and token's fields; a field
 * change that met a home change was kept as a conflict and does not
 * tell its row's state.  All of it goes into temporary tables once, so
 * the check of each row stays an indexed look-up (audit_state.c). */
#include <config.h>

#include <string.h>

#include "registry/audit_tables.h"

/* The key column of a table that kit_conflict names, and the entity of
 * its audit rows. */
#define CONFLICT_KEY(k) \
	"json_extract(coalesce(" k ".home, " k ".field_new), '$.' || CASE " k ".tbl" \
	" WHEN 'token' THEN 'serial' WHEN 'handover' THEN 'number' WHEN 'dossier'" \
	" THEN 'ref' WHEN 'tag' THEN 'target' WHEN 'agency' THEN 'code'" \
	" WHEN 'holder' THEN 'ext_id' WHEN 'count_session' THEN 'uid'" \
	" ELSE 'serial' END)"
#define CONFLICT_ENTITY(k) \
	"CASE " k ".tbl WHEN 'certificate' THEN 'cert' WHEN 'count_session'" \
	" THEN 'count' ELSE " k ".tbl END"

/* A field change that met a home change was not applied: it stays in
 * the history (a custody event) but does not tell the row's state,
 * unless the operator kept the field's version (then the kit.resolve row
 * tells it, at its own time).  Conflicts name their row by the table and
 * its values, so the field rows of that record from that kit are the
 * ones held (a kit brings one change per row). */
#define CONFLICT_HELD \
	"UPDATE temp.td_ev SET applies = 0 WHERE kit IS NOT NULL AND applies AND" \
	" EXISTS (SELECT 1 FROM kit_conflict k WHERE k.kit_uuid = td_ev.kit" \
	" AND k.status IN ('open', 'kept_home') AND " CONFLICT_ENTITY("k") \
	" = td_ev.entity AND " CONFLICT_KEY("k") " = td_ev.key)"

/* A kept field version of master data home holds was written over
 * home's row: home's version (the conflict's home side, the row as it
 * stood since the import that added it, in that import's content names)
 * is its before-image, from which the agency.add.bulk or cert.add.bulk
 * digest is recomputed; NULL for other tables and for rows home did not
 * hold.  (A holder's is in td_then, below.) */
#define HOME_FIELD(k, f) "json_extract(" k ".home, '$." f "')"
#define HOME_THEN(k) \
	"CASE WHEN " k ".home IS NULL THEN NULL WHEN " k ".tbl = 'agency' THEN" \
	" json_object('code', " HOME_FIELD(k, "code") ", 'name', " HOME_FIELD(k, \
	"name") ", 'parent', (SELECT p.code FROM agency p WHERE p.id = " \
	HOME_FIELD(k, "parent_id") "), 'level', " HOME_FIELD(k, "level") "," \
	" 'valid_from', " HOME_FIELD(k, "valid_from") ", 'valid_to', " \
	HOME_FIELD(k, "valid_to") ") WHEN " k ".tbl = 'certificate' THEN" \
	" json_object('serial', " HOME_FIELD(k, "serial") ", 'issuer', (SELECT dn" \
	" FROM issuer WHERE id = " HOME_FIELD(k, "issuer_id") "), 'subject', " \
	HOME_FIELD(k, "subject_dn") ", 'kind', " HOME_FIELD(k, "kind") "," \
	" 'holder_id', (SELECT ext_id FROM holder WHERE id = " HOME_FIELD(k, \
	"holder_id") "), 'not_before', " HOME_FIELD(k, "not_before") "," \
	" 'not_after', " HOME_FIELD(k, "not_after") ", 'token', (SELECT serial" \
	" FROM token WHERE id = " HOME_FIELD(k, "token_id") "), 'fingerprint', " \
	HOME_FIELD(k, "fingerprint") ") END"
/* The kit.resolve rows that kept a field version (k the conflict). */
#define KEPT_FIELD \
	" FROM audit a JOIN kit_conflict k ON k.id = CAST(a.entity_key AS INTEGER)" \
	" WHERE a.action = 'kit.resolve' AND json_extract(a.after, '$.keep') = 'field'"

/* A field close kept (kit_count.c) is told by the field's own count.close
 * row, which home's chain anchors, not by the conflict's copy of it. */
#define FIELD_CLOSE(k) \
	"coalesce(" TD_FIELD_COUNT_CLOSE(k ".kit_uuid", CONFLICT_KEY(k)) ", " k \
	".field_new)"

static const char *const evidence_sql[] = {
	/* applies: the row tells its record's state (FOLD); landed: the
	 * custody event or scan it stands for is here (SEQ). */
	"CREATE TEMP TABLE IF NOT EXISTS td_ev (entity TEXT, key TEXT, ord REAL,"
	" action TEXT, before TEXT, after TEXT, kit TEXT, applies INTEGER,"
	" landed INTEGER)",
	"DELETE FROM temp.td_ev",
	"INSERT INTO temp.td_ev SELECT f.entity, f.entity_key,"
	" m.id - 1 + (f.id - m.first + 1.0) / (m.last - m.first + 2.0), f.action,"
	" f.before, f.after, f.kit_uuid, 1, 1 FROM kit_field_audit f JOIN (SELECT id,"
	"  json_extract(after, '$.field_audit.first') AS first,"
	"  json_extract(after, '$.field_audit.last') AS last FROM audit"
	"  WHERE action = 'kit.merge' AND json_extract(after, '$.field_audit')"
	"  IS NOT NULL) m ON f.id BETWEEN m.first AND m.last",
	/* A field import's additions (agency.add.bulk, cert.add.bulk, no
	 * key) never come home as rows: agencies and certificates are master
	 * data, and every row the field added to them is kept as a conflict
	 * (kit_apply.c).  One the operator keeps is told by its kit.resolve
	 * row, below. */
	"UPDATE temp.td_ev SET applies = 0, landed = 0 WHERE key IS NULL"
	" AND action GLOB '*.add.bulk'",
	CONFLICT_HELD,
	"INSERT INTO temp.td_ev SELECT " CONFLICT_ENTITY("k") ", " CONFLICT_KEY("k")
	", a.id, " CONFLICT_ENTITY("k") " || '.resolve', " HOME_THEN("k")
	", CASE k.tbl WHEN"
	" 'certificate' THEN json_remove(k.field_new, '$.holder_id') WHEN 'tag'"
	" THEN " TD_TAG_JSON_READ("k.field_new") " WHEN 'count_session' THEN"
	" " FIELD_CLOSE("k") " ELSE k.field_new END, NULL, 1, 1"
	KEPT_FIELD " AND k.field_new IS NOT NULL AND k.tbl NOT IN ('custody_event',"
	" 'count_scan')",
	/* A certificate image's holder and token fields, from the home chain
	 * and from the field (as the field row it came in: a field row that
	 * does not apply tells its holder nothing either). */
	"INSERT INTO temp.td_ev SELECT 'holder', json_extract(after, '$.holder_id'),"
	" ord, 'holder.from_cert', NULL, json_object('name',"
	" json_extract(after, '$.holder_name'), 'position', json_extract(after,"
	" '$.position'), 'email', json_extract(after, '$.email'), 'agency',"
	" json_extract(after, '$.agency')), kit, applies, 1 FROM (SELECT id AS ord,"
	"  after, NULL AS kit, 1 AS applies FROM audit WHERE entity = 'cert' AND"
	"  entity_key IS NOT NULL UNION ALL"
	"  SELECT ord, after, kit, applies FROM temp.td_ev WHERE entity = 'cert')"
	" WHERE json_extract(after, '$.holder_id') IS NOT NULL",
	"INSERT INTO temp.td_ev SELECT 'token', json_extract(after, '$.token'),"
	" ord, 'token.from_cert', NULL, json_object('model',"
	" json_extract(after, '$.token_model')), kit, applies, 1 FROM (SELECT"
	"  id AS ord, after, NULL AS kit, 1 AS applies FROM audit WHERE entity ="
	"  'cert' AND entity_key IS NOT NULL"
	"  UNION ALL SELECT ord, after, kit, applies FROM temp.td_ev"
	"  WHERE entity = 'cert')"
	" WHERE json_extract(after, '$.token') IS NOT NULL",
	/* and the holder's or token's own conflict held: not applied */
	CONFLICT_HELD,
	/* CRL imports audited before release 7 (entity crl, key the CRL
	 * number): the n-th row of a number tells the n-th import of it. */
	"INSERT INTO temp.td_ev SELECT 'crl_import', CAST(r.id AS TEXT), a.id,"
	" a.action, NULL, a.after, NULL, 1, 1 FROM (SELECT id, action, entity_key,"
	" after, row_number() OVER (PARTITION BY entity_key ORDER BY id) AS n"
	" FROM audit WHERE entity = 'crl' AND action = 'crl.import') a"
	" LEFT JOIN (SELECT id, crl_number, row_number() OVER (PARTITION BY"
	" crl_number ORDER BY id) AS n FROM crl_import) r"
	" ON r.crl_number IS a.entity_key AND r.n = a.n",
	"CREATE INDEX IF NOT EXISTS temp.td_ev_key ON td_ev (entity, key, ord)",
	/* What a holder's or token's fields were before their first audited
	 * change, in bulk content names: a bulk load's digest is recomputed
	 * over the values as they were then. */
	"CREATE TEMP TABLE IF NOT EXISTS td_then (entity TEXT, key TEXT, ord REAL,"
	" was TEXT)",
	"DELETE FROM temp.td_then",
	"INSERT INTO temp.td_then SELECT 'holder', json_extract(after, '$.holder_id'),"
	" id, json_object('holder_name', json_extract(before, '$.holder_name'),"
	" 'position', json_extract(before, '$.position'), 'email',"
	" json_extract(before, '$.email'), 'agency', json_extract(before, '$.agency'))"
	" FROM audit WHERE entity = 'cert' AND entity_key IS NOT NULL"
	" AND json_extract(before, '$.holder_id') = json_extract(after, '$.holder_id')",
	"INSERT INTO temp.td_then SELECT 'token', json_extract(after, '$.token'), id,"
	" json_object('token_model', json_extract(before, '$.token_model'))"
	" FROM audit WHERE entity = 'cert' AND entity_key IS NOT NULL"
	" AND json_extract(before, '$.token') = json_extract(after, '$.token')",
	"INSERT INTO temp.td_then SELECT 'holder', entity_key, id, json_object("
	" 'holder_name', json_extract(before, '$.name'), 'position',"
	" json_extract(before, '$.position'), 'email', json_extract(before, '$.email'),"
	" 'agency', json_extract(before, '$.agency')) FROM audit"
	" WHERE entity = 'holder' AND json_type(before, '$.name') IS NOT NULL",
	"INSERT INTO temp.td_then SELECT 'token', entity_key, id, json_object("
	" 'token_model', json_extract(before, '$.model')) FROM audit"
	" WHERE entity = 'token' AND json_type(before, '$.model') IS NOT NULL",
	/* an official home holds, kept as the field's (HOME_THEN) */
	"INSERT INTO temp.td_then SELECT 'holder', " HOME_FIELD("k", "ext_id") ","
	" a.id, json_object('holder_name', " HOME_FIELD("k", "name") ", 'position', "
	HOME_FIELD("k", "position") ", 'email', " HOME_FIELD("k", "email") ","
	" 'agency', (SELECT code FROM agency WHERE id = " HOME_FIELD("k", "agency_id")
	"))" KEPT_FIELD " AND k.tbl = 'holder' AND k.home IS NOT NULL",
	"CREATE INDEX IF NOT EXISTS temp.td_then_key ON td_then (entity, key, ord)",
	/* The tokens certificates left for another (TOKEN_BORN). */
	"CREATE TEMP TABLE IF NOT EXISTS td_left (token TEXT, holder TEXT,"
	" ord INTEGER)",
	"DELETE FROM temp.td_left",
	"INSERT INTO temp.td_left SELECT json_extract(before, '$.token'),"
	" json_extract(before, '$.holder_id'), id FROM audit WHERE entity = 'cert'"
	" AND action = 'cert.update' AND " TD_CERT_LEAVES_TOKEN("before", "after"),
	"CREATE INDEX IF NOT EXISTS temp.td_left_token ON td_left (token, ord)",
};

/* ---- conflicts the merge kept --------------------------------------- */

/* Custody events and scans a merge kept as conflicts (kit_apply.c: an
 * event of a token the merge did not bring, a scan of a count it did
 * not).  The conflict holds the field's row (its values, references as
 * home's ids); the field audit row that stood for it is the kit's row of that
 * action whose after says the same (every field the row holds), of the
 * record the row names when it can be told (HELD_GUESS), else of any
 * record: rows that say all the same are as good as one another.  Each
 * conflict takes one row.  While the conflict is open or home's version
 * was kept, that row has no event here; kept "field", the event was
 * added to the record the row names at home, at the kit.resolve row. */
struct held_rule {
	const char *table, *entity, *action;
	const char *guess;    /* two columns: guesses of the record's key */
	const char *landed;   /* the record at home the resolve added it to */
	const char *match;    /* td_ev's after/before says what ?2 holds */
};

/* The record a conflict's row names: the home row of that id (the merge
 * turns the kit's ids into home's, kit_apply.c), or, kept by older
 * code with the kit's own ids, a record the same merge kept as a
 * conflict. */
#define HELD_GUESS(parent, key, ref) \
	"(SELECT " key " FROM " parent " WHERE id = json_extract(k.field_new," \
	" '$." ref "')), (SELECT json_extract(t.field_new, '$." key "') FROM" \
	" kit_conflict t WHERE t.kit_uuid = k.kit_uuid AND t.tbl = '" parent "'" \
	" AND t.op = 'insert' AND json_extract(t.field_new, '$.id') =" \
	" json_extract(k.field_new, '$." ref "'))"

static const struct held_rule held_rules[] = {
	{ "custody_event", "token", "token.move",
	  HELD_GUESS("token", "serial", "token_id"),
	  "(SELECT serial FROM token WHERE id = json_extract(k.field_new, '$.token_id'))",
	  "json_extract(after, '$.custodian') IS json_extract(?2, '$.to_custodian')"
	  " AND json_extract(after, '$.state') IS json_extract(?2, '$.state')"
	  " AND json_extract(before, '$.custodian') IS json_extract(?2,"
	  " '$.from_custodian') AND (json_type(after, '$.event') IS NOT 'object' OR"
	  " (json_extract(after, '$.event.at') IS json_extract(?2, '$.at') AND"
	  " json_extract(after, '$.event.operator') IS json_extract(?2, '$.operator')"
	  " AND json_extract(after, '$.event.from') IS json_extract(?2,"
	  " '$.from_custodian') AND json_extract(after, '$.event.condition') IS"
	  " json_extract(?2, '$.condition') AND json_extract(after,"
	  " '$.event.remarks') IS json_extract(?2, '$.remarks')))" },
	{ "count_scan", "count", "count.scan",
	  HELD_GUESS("count_session", "uid", "count_id"),
	  "(SELECT uid FROM count_session WHERE id = json_extract(k.field_new,"
	  " '$.count_id'))",
	  "json_extract(after, '$.serial') IS json_extract(?2, '$.serial')"
	  " AND json_extract(after, '$.source') IS json_extract(?2, '$.source')"
	  " AND (json_type(after, '$.at') IS NULL OR json_extract(after, '$.at')"
	  " IS json_extract(?2, '$.at'))" },
};

/* Columns of the conflicts' query. */
enum { HC_KIT = 1, HC_STATUS, HC_ROW, HC_GUESS, HC_GUESS_OLD, HC_LANDED, HC_RESOLVE };

/* The td_ev row (rowid) a held conflict stands for, 0 when none:
 * ?1 kit, ?2 the field's row, ?3 its record's key or NULL (any), tried
 * with each guess of the key, then with none. */
static int64_t held_row(sqlite3_stmt *find, sqlite3_stmt *conf)
{
	int64_t row = 0;

	for (int col = HC_GUESS; !row && col <= HC_GUESS_OLD + 1; col++) {
		if (col <= HC_GUESS_OLD && sqlite3_column_type(conf, col) == SQLITE_NULL)
			continue;
		sqlite3_reset(find);
		sqlite3_bind_value(find, 1, sqlite3_column_value(conf, HC_KIT));
		sqlite3_bind_value(find, 2, sqlite3_column_value(conf, HC_ROW));
		if (col > HC_GUESS_OLD)
			sqlite3_bind_null(find, 3);
		else
			sqlite3_bind_value(find, 3, sqlite3_column_value(conf, col));
		if (sqlite3_step(find) == SQLITE_ROW)
			row = sqlite3_column_int64(find, 0);
	}
	sqlite3_reset(find);
	return row;
}

static int mark_held_rule(struct td_registry *reg, const struct held_rule *r,
                          struct td_error *err)
{
	char *list = sqlite3_mprintf("SELECT k.id, k.kit_uuid, k.status, k.field_new,"
	        " %s, %s, (SELECT max(a.id) FROM audit a WHERE a.entity ="
	        " 'kit_conflict' AND a.entity_key = CAST(k.id AS TEXT) AND a.action ="
	        " 'kit.resolve') FROM kit_conflict k WHERE k.tbl = %Q AND k.op ="
	        " 'insert' AND k.field_new IS NOT NULL ORDER BY k.id", r->guess,
	        r->landed, r->table);
	char *find = sqlite3_mprintf("SELECT rowid FROM temp.td_ev WHERE kit = ?1"
	        " AND entity = %Q AND action = %Q AND landed AND (?3 IS NULL OR key ="
	        " ?3) AND %s ORDER BY ord LIMIT 1", r->entity, r->action, r->match);
	sqlite3_stmt *conf = NULL, *hit = NULL, *held = NULL, *again = NULL;
	int rc = TD_OK, step;

	if (!list || !find ||
	    sqlite3_prepare_v2(reg->db, list, -1, &conf, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(reg->db, find, -1, &hit, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(reg->db, "UPDATE temp.td_ev SET landed = 0"
	                       " WHERE rowid = ?1", -1, &held, NULL) != SQLITE_OK ||
	    /* a copy for the sequence alone: the event moved no token */
	    sqlite3_prepare_v2(reg->db, "INSERT INTO temp.td_ev SELECT entity, ?2,"
	                       " ?3, action, before, after, kit, 0, 1 FROM temp.td_ev"
	                       " WHERE rowid = ?1", -1, &again, NULL) != SQLITE_OK)
		rc = td_reg_db_error(reg, err, "reading kit conflicts");
	while (rc == TD_OK && (step = sqlite3_step(conf)) == SQLITE_ROW) {
		int64_t row = held_row(hit, conf);
		const char *status = (const char *)sqlite3_column_text(conf, HC_STATUS);
		if (!row)
			continue;   /* no such row: audit verify names the difference */
		sqlite3_reset(held);
		sqlite3_bind_int64(held, 1, row);
		if (sqlite3_step(held) != SQLITE_DONE)
			rc = td_reg_db_error(reg, err, "reading kit conflicts");
		if (rc < 0 || !status || strcmp(status, "kept_field") != 0 ||
		    sqlite3_column_type(conf, HC_LANDED) == SQLITE_NULL ||
		    sqlite3_column_type(conf, HC_RESOLVE) == SQLITE_NULL)
			continue;
		sqlite3_reset(again);
		sqlite3_bind_int64(again, 1, row);
		sqlite3_bind_value(again, 2, sqlite3_column_value(conf, HC_LANDED));
		sqlite3_bind_value(again, 3, sqlite3_column_value(conf, HC_RESOLVE));
		if (sqlite3_step(again) != SQLITE_DONE)
			rc = td_reg_db_error(reg, err, "reading kit conflicts");
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(reg, err, "reading kit conflicts");
	sqlite3_finalize(conf);
	sqlite3_finalize(hit);
	sqlite3_finalize(held);
	sqlite3_finalize(again);
	sqlite3_free(list);
	sqlite3_free(find);
	return rc;
}

int td_reg_audit_evidence(struct td_registry *reg, struct td_error *err)
{
	for (size_t i = 0; i < sizeof evidence_sql / sizeof evidence_sql[0]; i++) {
		int rc = td_reg_exec(reg, evidence_sql[i], err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < sizeof held_rules / sizeof held_rules[0]; i++) {
		int rc = mark_held_rule(reg, &held_rules[i], err);
		if (rc < 0)
			return rc;
	}
	if (td_reg_tag_bulk_members(reg, err) < 0)
		return err->code;
	/* Home's alone: what the field wrote about these tells nothing. */
	for (size_t i = 0; i < td_n_audited; i++) {
		char *sql;
		int rc;
		if (!td_audited[i].home_only)
			continue;
		sql = sqlite3_mprintf("DELETE FROM temp.td_ev WHERE kit IS NOT NULL"
		                      " AND entity = %Q", td_audited[i].entity);
		rc = sql ? td_reg_exec(reg, sql, err)
		         : td_error_set(err, TD_ERR_NOMEM, "out of memory");
		sqlite3_free(sql);
		if (rc < 0)
			return rc;
	}
	return TD_OK;
}
