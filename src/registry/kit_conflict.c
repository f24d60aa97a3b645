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

/* ---- what a person knows a conflict by (kit_conflict.label) -------------
 * Each is run at merge time on home's connection, the kit attached as
 * "kit": ?1 is the row's id at home.  A token is named with its
 * certificates, their holders and agency, and the newest handover that
 * moved it on each side (home's, and the field's in the kit); at home, a
 * move that lost an earlier conflict (kit_superseded) is not one, nor is
 * one an earlier merge of this kit (?3) brought (its conflict open). */
#define HOLDER_OF(c) "(SELECT h.name || ' (' || h.ext_id || ')' FROM main.holder h" \
	" WHERE h.id = " c ")"
#define AGENCY_OF(c) "(SELECT a.code || ' ' || a.name FROM main.agency a" \
	" WHERE a.id = " c ")"
static const struct { const char *table, *sql; } labels[] = {
	{ "token", "SELECT json_object('token', t.serial,"
	  " 'certificates', (SELECT group_concat(c.serial, ', ') FROM main.certificate c"
	  "   WHERE c.token_id = t.id),"
	  " 'holders', (SELECT group_concat(h.name || ' (' || h.ext_id || ')', ', ')"
	  "   FROM main.certificate c JOIN main.holder h ON h.id = c.holder_id"
	  "   WHERE c.token_id = t.id),"
	  " 'agency', (SELECT a.code || ' ' || a.name FROM main.certificate c"
	  "   JOIN main.holder h ON h.id = c.holder_id JOIN main.agency a"
	  "   ON a.id = h.agency_id WHERE c.token_id = t.id LIMIT 1),"
	  " 'home_handover', (SELECT h.number FROM main.custody_event e JOIN"
	  "   main.handover h ON h.id = e.handover_id WHERE e.token_id = t.id"
	  "   AND e.id NOT IN (SELECT event_id FROM main.kit_superseded)"
	  "   AND NOT EXISTS (SELECT 1 FROM main.kit_idmap m WHERE m.kit_uuid = ?3"
	  "    AND m.tbl = 'custody_event' AND m.shift IS NOT NULL AND e.id BETWEEN"
	  "    m.kit_first + m.shift AND m.kit_last + m.shift)"
	  "   ORDER BY e.id DESC LIMIT 1),"
	  " 'field_handover', (SELECT h.number FROM kit.custody_event e JOIN kit.token k"
	  "   ON k.id = e.token_id JOIN kit.handover h ON h.id = e.handover_id"
	  "   WHERE k.serial = t.serial ORDER BY e.id DESC LIMIT 1),"
	  " 'since_event', ?2)"
	  " FROM main.token t WHERE t.id = ?1" },
	{ "certificate", "SELECT json_object('certificate', c.serial, 'holder',"
	  " " HOLDER_OF("c.holder_id") ", 'agency', (SELECT a.code || ' ' || a.name"
	  " FROM main.holder h JOIN main.agency a ON a.id = h.agency_id WHERE"
	  " h.id = c.holder_id), 'token', (SELECT serial FROM main.token WHERE"
	  " id = c.token_id)) FROM main.certificate c WHERE c.id = ?1" },
	{ "holder", "SELECT json_object('holder', h.name || ' (' || h.ext_id || ')',"
	  " 'agency', " AGENCY_OF("h.agency_id") ") FROM main.holder h WHERE h.id = ?1" },
	{ "agency", "SELECT json_object('agency', a.code || ' ' || a.name)"
	  " FROM main.agency a WHERE a.id = ?1" },
	{ "dossier", "SELECT json_object('dossier', d.ref, 'agency', "
	  AGENCY_OF("d.agency_id") ") FROM main.dossier d WHERE d.id = ?1" },
	{ "tag", "SELECT json_object('tag', t.target_kind || ' ' || t.target)"
	  " FROM main.tag t WHERE t.id = ?1" },
	{ "handover", "SELECT json_object('handover', number) FROM main.handover"
	  " WHERE id = ?1" },
	{ "count_session", "SELECT json_object('count', CAST(id AS TEXT), 'scope',"
	  " scope) FROM main.count_session WHERE id = ?1" },
};

/* A row home does not hold (added in the field): named by the values a
 * person knows it by, from the field's version (JSON). */
#define LABEL_OF_FIELD "SELECT json_group_object(key, value) FROM json_each(?1)" \
	" WHERE key IN ('serial', 'ref', 'number', 'name', 'ext_id', 'code'," \
	" 'target', 'uid')"

char *kit_conflict_label(struct td_registry *home, const char *table,
                         int64_t home_id, const char *field_json,
                         int64_t since_event, const char *kit)
{
	const char *sql = NULL;
	sqlite3_stmt *st;
	char *label = NULL;

	for (size_t i = 0; home_id > 0 && i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(labels[i].table, table) == 0)
			sql = labels[i].sql;
	if (sql && sqlite3_prepare_v2(home->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, home_id);
		if (sqlite3_bind_parameter_count(st) >= 2)
			sqlite3_bind_int64(st, 2, since_event);
		if (sqlite3_bind_parameter_count(st) >= 3)
			sqlite3_bind_text(st, 3, kit, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			label = td_reg_col_dup(st, 0);
		sqlite3_finalize(st);
	}
	if (label || !field_json)
		return label;
	if (sqlite3_prepare_v2(home->db, LABEL_OF_FIELD, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, field_json, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			label = td_reg_col_dup(st, 0);
		sqlite3_finalize(st);
	}
	return label;
}

/* A conflict as a person reads it: a tag's images as the tag reads, the
 * fields a plan tag shares with others (its note) in their places; beside
 * a reference to an agency, an official or a token (agency_id,
 * holder_id, token_id, parent_id, issuer_id: home's ids), the record
 * it names ("agency": "SA Sở A", "holder": "Name (ID)", "token": serial,
 * "parent": as agency, "issuer": its DN).  json_patch drops a
 * name that is NULL (no such reference, or no such row). */
#define NAMED(col, key, sql) \
	"'" key "', (" sql " = json_extract(" col ", '$." key "_id'))"
#define NAMES(col) \
	"json_patch(" col ", json_object(" \
	NAMED(col, "agency", "SELECT a.code || ' ' || a.name FROM agency a WHERE a.id") \
	", " NAMED(col, "holder", "SELECT h.name || ' (' || h.ext_id || ')' FROM holder h" \
	           " WHERE h.id") \
	", " NAMED(col, "token", "SELECT t.serial FROM token t WHERE t.id") \
	", " NAMED(col, "parent", "SELECT a.code || ' ' || a.name FROM agency a WHERE a.id") \
	", " NAMED(col, "issuer", "SELECT i.dn FROM issuer i WHERE i.id") "))"
#define CONFLICT_READ(col) \
	"CASE tbl WHEN 'tag' THEN " TD_TAG_JSON_READ(col) " ELSE " NAMES(col) " END"
#define CONFLICT_SHOWN \
	"id, kit_uuid, tbl, op, reason, status, pk, " CONFLICT_READ("home") ", " \
	CONFLICT_READ("field_old") ", " CONFLICT_READ("field_new") ", resolved_at," \
	" resolved_by, label"

int td_reg_kit_each_conflict(struct td_registry *reg, int open_only,
                             td_kit_conflict_fn fn, void *ctx, struct td_error *err)
{
	struct td_kit_conflict c;
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(reg->db, open_only ?
	        "SELECT " CONFLICT_SHOWN " FROM kit_conflict WHERE status = 'open'"
	        " ORDER BY id" :
	        "SELECT " CONFLICT_SHOWN " FROM kit_conflict ORDER BY id",
	        -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "listing kit conflicts");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char **f[] = { &c.kit_uuid, &c.table, &c.op, &c.reason, &c.status,
		                     &c.pk, &c.home, &c.field_old, &c.field_new,
		                     &c.resolved_at, &c.resolved_by, &c.label };
		c.id = sqlite3_column_int64(st, 0);
		for (int i = 0; i < 12; i++)
			*f[i] = (const char *)sqlite3_column_text(st, i + 1);
		c.own = c.table && strcmp(c.table, "count_session") == 0 ? "count" : c.table;
		stop = fn(&c, ctx);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "listing kit conflicts");
}

struct conflict_row {
	char *table, *op, *status, *pk, *field_new, *home, *uuid, *label;
};

static void conflict_row_clear(struct conflict_row *r)
{
	free(r->table);
	free(r->op);
	free(r->status);
	free(r->pk);
	free(r->field_new);
	free(r->home);
	free(r->uuid);
	free(r->label);
}

static int load_conflict(struct td_registry *reg, int64_t id, struct conflict_row *r,
                         struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(r, 0, sizeof *r);
	if (sqlite3_prepare_v2(reg->db, "SELECT tbl, op, status, pk, field_new, home,"
	                       " kit_uuid, label FROM kit_conflict WHERE id = ?", -1,
	                       &st, NULL) != SQLITE_OK)
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
		r->uuid = td_reg_col_dup(st, 6);
		r->label = td_reg_col_dup(st, 7);
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
	int rc, ext;

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
	ext = sqlite3_extended_errcode(reg->db);
	sqlite3_finalize(st);
	/* A row the field added whose key home holds (a token home
	 * registered too: its custody moves only by a handover) */
	if (ext == SQLITE_CONSTRAINT_UNIQUE && strcmp(r->op, "insert") == 0)
		return td_error_set(err, TD_ERR_CONFLICT, "the field's %s row cannot be"
		                    " added here: home holds a row of the same key; keep"
		                    " home's version", t->name);
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

/* The id at home of the conflict's row (its pk's "id"), 0 when none. */
static int64_t row_id(struct td_registry *reg, const struct conflict_row *r)
{
	sqlite3_stmt *st;
	int64_t id = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT CASE WHEN json_valid(?1) THEN"
	                       " json_extract(?1, '$.id') END", -1, &st, NULL) != SQLITE_OK)
		return 0;
	td_reg_bind_text(st, 1, r->pk);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* A token's moves that lost the conflict stay in its history, marked
 * (kit_superseded): kept field, home's moves since the kit was made or
 * merged last (label's since_event) that did not come from this kit;
 * kept home, the moves this kit brought.  *events gets their ids as a
 * JSON array (heap), for the kit.resolve audit row. */
static int supersede(struct td_registry *reg, int64_t id, const struct conflict_row *r,
                     int64_t token_id, int keep_field, const char *at,
                     char **events, struct td_error *err)
{
	static const char from_kit[] = "EXISTS (SELECT 1 FROM kit_idmap m WHERE"
		" m.kit_uuid = ?3 AND m.tbl = 'custody_event' AND m.shift IS NOT NULL"
		" AND e.id BETWEEN m.kit_first + m.shift AND m.kit_last + m.shift)";
	char *sql = sqlite3_mprintf("INSERT OR IGNORE INTO kit_superseded (event_id,"
	        " conflict_id, choice, decided_by, decided_at) SELECT e.id, ?4, ?5, ?6, ?7"
	        " FROM custody_event e WHERE e.token_id = ?1 AND e.id >"
	        " json_extract(?2, '$.since_event') AND %s%s RETURNING event_id",
	        keep_field ? "NOT " : "", from_kit);
	sqlite3_stmt *st;
	char *list = sqlite3_mprintf("[");
	int rc, n = 0;

	*events = NULL;
	rc = sql ? sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		sqlite3_free(list);
		return td_reg_db_error(reg, err, "marking superseded moves");
	}
	sqlite3_bind_int64(st, 1, token_id);
	td_reg_bind_text(st, 2, r->label);
	td_reg_bind_text(st, 3, r->uuid);
	sqlite3_bind_int64(st, 4, id);
	sqlite3_bind_text(st, 5, keep_field ? "kept_field" : "kept_home", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, td_reg_operator(reg), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, at, -1, SQLITE_STATIC);
	while (list && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *next = sqlite3_mprintf("%s%s%lld", list, n++ ? "," : "",
		                             (long long)sqlite3_column_int64(st, 0));
		sqlite3_free(list);
		list = next;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || !list) {
		sqlite3_free(list);
		return td_reg_db_error(reg, err, "marking superseded moves");
	}
	*events = sqlite3_mprintf("%s]", list);
	sqlite3_free(list);
	return *events ? TD_OK : td_error_set(err, TD_ERR_NOMEM, "out of memory");
}

/* A field update kept as a conflict holds every column of the record its
 * writer writes (kit_apply.c: record_before).  One kept by an earlier
 * release holds only those that changed: a tag the field tagged again
 * (its kind or reason changed) then lacks the state and batch the re-tag
 * set, and kept as the field's it stood in home's DOST batch.  Refused;
 * any other such conflict applies as it did (a dossier's agency, a
 * token's custodian: their other columns are not the field's to tell). */
static int whole_tag(const struct kit_table *t, const struct conflict_row *r,
                     int64_t id, struct td_error *err)
{
	const char *f = r->field_new;

	if (strcmp(t->name, "tag") != 0 || strcmp(r->op, "update") != 0 || !f ||
	    strstr(f, "\"batch\":") ||
	    (!strstr(f, "\"kind\":") && !strstr(f, "\"reason\":")))
		return TD_OK;
	return td_error_set(err, TD_ERR_CONFLICT, "conflict %" PRId64 ": kept by an"
	                    " older tokendesk without the tag's state; keep home's,"
	                    " then tag it again", id);
}

/* The serial of certificate id at reg (heap), or NULL. */
static char *cert_serial(struct td_registry *reg, int64_t id)
{
	sqlite3_stmt *st;
	char *serial = NULL;

	if (sqlite3_prepare_v2(reg->db, "SELECT serial FROM certificate WHERE id = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		serial = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	return serial;
}

/* A certificate's field version kept (an import in the field moved it
 * to another token): audited as the importer audits it, cert.update with
 * both images, so audit verify finds it and the token it left. */
static int apply_cert_audited(struct td_registry *reg, struct kit_table *t,
                              const struct conflict_row *r, int64_t rid,
                              struct td_error *err)
{
	char *key = cert_serial(reg, rid), *before = NULL, *after = NULL;
	int rc;

	if (!key || !(before = td_reg_row_json(reg, ST_CERT_JSON, rid, err))) {
		free(key);
		return td_error_set(err, TD_ERR_NOTFOUND, "no certificate %" PRId64
		                    " here to keep the field's version of", rid);
	}
	rc = apply_field(reg, t, r, err);
	if (rc == TD_OK && !(after = td_reg_row_json(reg, ST_CERT_JSON, rid, err)))
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc == TD_OK)
		rc = td_reg_audit(reg, "cert.update", "cert", key, before, after, err);
	free(key);
	free(before);
	free(after);
	return rc;
}

/* Keep the field's version of a record its ordinary writer audits
 * (token, tag, dossier, certificate): apply it, and audit it as that writer does.  A
 * tag the field removed is a tag.delete, as `tag remove` writes: audit
 * verify counts a plan load's tags gone by those (a kit.resolve alone
 * left the load "not all there"). */
static int apply_field_audited(struct td_registry *reg, struct kit_table *t,
                               const struct conflict_row *r, struct td_error *err)
{
	int tag_delete = strcmp(r->op, "delete") == 0 && strcmp(t->name, "tag") == 0;
	int64_t rid = strcmp(r->op, "update") == 0 || tag_delete ? row_id(reg, r) : 0;
	if (rid > 0 && strcmp(t->name, "certificate") == 0)
		return apply_cert_audited(reg, t, r, rid, err);
	const char *entity = NULL, *action = NULL;
	char *key = NULL, *before = rid ? kit_record_image(reg, t->name, rid, &key,
	                                                   &entity, &action) : NULL;
	int rc = apply_field(reg, t, r, err);

	if (rc == TD_OK && before && key && tag_delete)
		rc = td_reg_audit(reg, "tag.delete", "tag", key, before, NULL, err);
	else if (rc == TD_OK && before && key) {
		char *after_key = NULL;
		char *after = kit_record_image(reg, t->name, rid, &after_key, &entity,
		                               &action);
		rc = td_reg_audit(reg, action, entity, key, before, after, err);
		free(after);
		free(after_key);
	}
	free(before);
	free(key);
	return rc;
}

/* ---- rows a field import added to master data -------------------------- */

/* The id of t's row in main that holds json's values in every column of
 * one of t's unique keys (an agency's code; a holder's kind and ext_id; a
 * certificate's serial and issuer; constraint or index alike, whole
 * columns only), 0 when none.  Also run by the merge, with the kit
 * attached: main is named, never left to SQLite's search. */
int64_t kit_same_key_row(struct td_registry *reg, const struct kit_table *t,
                         const char *json)
{
	sqlite3_stmt *keys, *st;
	int64_t id = 0;

	if (t->int_pk < 0 || !json ||
	    sqlite3_prepare_v2(reg->db, "SELECT group_concat(printf('\"%w\" ="
	            " json_extract(?1, ''$.\"%w\"'')', ii.name, ii.name), ' AND ')"
	            " FROM pragma_index_list(?1, 'main') il,"
	            " pragma_index_info(il.name, 'main') ii"
	            " WHERE il.\"unique\" AND NOT il.partial AND il.origin <> 'pk'"
	            " GROUP BY il.name HAVING count(ii.name) = count(*)",
	            -1, &keys, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(keys, 1, t->name, -1, SQLITE_STATIC);
	while (!id && sqlite3_step(keys) == SQLITE_ROW) {
		char *sql = sqlite3_mprintf("SELECT \"%w\" FROM main.\"%w\" WHERE %s",
		                            t->cols[t->int_pk], t->name,
		                            (const char *)sqlite3_column_text(keys, 0));
		if (sql && sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) == SQLITE_OK) {
			td_reg_bind_text(st, 1, json);
			if (sqlite3_step(st) == SQLITE_ROW)
				id = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		sqlite3_free(sql);
	}
	sqlite3_finalize(keys);
	return id;
}

char *kit_json_with(struct td_registry *reg, char *json, const char *path,
                    int64_t value)
{
	sqlite3_stmt *st;
	char *next = NULL;

	if (sqlite3_prepare_v2(reg->db, "SELECT json_set(?1, ?2, ?3)", -1, &st,
	                       NULL) == SQLITE_OK) {
		td_reg_bind_text(st, 1, json);
		sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, value);
		if (sqlite3_step(st) == SQLITE_ROW)
			next = td_reg_col_dup(st, 0);
		sqlite3_finalize(st);
	}
	free(json);
	return next;
}

/* Home's id of the row conflict parent added, for conflict id's column
 * col: only once that conflict was kept as the field's (the row exists
 * here from then on, under an id of home's). */
static int parent_home_id(struct td_registry *reg, struct kit_schema *ks,
                          int64_t id, const char *col, int64_t parent,
                          int64_t *home, struct td_error *err)
{
	struct conflict_row p;
	const struct kit_table *pt;
	int rc;

	if ((rc = load_conflict(reg, parent, &p, err)) < 0)
		return rc == TD_ERR_NOTFOUND ? td_error_set(err, TD_ERR_DATA, "kit"
		        " conflict %" PRId64 ": its %s names kit conflict %" PRId64
		        ", which is not here", id, col, parent) : rc;
	if (strcmp(p.status, "open") == 0)
		rc = td_error_set(err, TD_ERR_CONFLICT, "kit conflict %" PRId64 " refers"
		                  " (%s) to the %s row that kit conflict %" PRId64 " adds,"
		                  " still open: keep the field's version of that one"
		                  " first, or keep home's version of this one", id, col,
		                  p.table, parent);
	else if (strcmp(p.status, "kept_field") != 0 ||
	         !(pt = kit_schema_find(ks, p.table)) ||
	         !(*home = kit_same_key_row(reg, pt, p.field_new)))
		rc = td_error_set(err, TD_ERR_CONFLICT, "kit conflict %" PRId64 " refers"
		                  " (%s) to the %s row that kit conflict %" PRId64 " adds,"
		                  " which is not in this registry (that conflict: %s);"
		                  " keep home's version of this one", id, col, p.table,
		                  parent, p.status);
	conflict_row_clear(&p);
	return rc;
}

/* The field's version with each reference "conflict_refs" names (a row
 * the merge kept as a conflict, kit_apply.c) bound to the id that row
 * got here when its conflict was kept as the field's. */
static int bind_conflict_refs(struct td_registry *reg, struct kit_schema *ks,
                              int64_t id, struct conflict_row *r,
                              struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = TD_OK, step;

	if (!r->field_new || !strstr(r->field_new, "\"conflict_refs\""))
		return TD_OK;
	if (sqlite3_prepare_v2(reg->db, "SELECT key, value, printf('$.\"%w\"', key)"
	                       " FROM json_each(?1, '$.conflict_refs') WHERE type ="
	                       " 'integer'", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a kit conflict");
	td_reg_bind_text(st, 1, r->field_new);
	char *json = strdup(r->field_new);
	while (rc == TD_OK && json && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t home = 0;
		rc = parent_home_id(reg, ks, id, (const char *)sqlite3_column_text(st, 0),
		                    sqlite3_column_int64(st, 1), &home, err);
		if (rc == TD_OK)
			json = kit_json_with(reg, json, (const char *)sqlite3_column_text(st, 2),
			                 home);
	}
	sqlite3_finalize(st);
	if (rc == TD_OK && !json)
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc == TD_OK) {
		free(r->field_new);
		r->field_new = json;
	} else
		free(json);
	return rc;
}

/* A row a field import added to master data that home holds too (an
 * agency list imported whole in the field brings agencies the kit was
 * not made with): keeping the field's version writes it into home's row
 * of the same key, once, not beside it (a UNIQUE refusal).  r becomes
 * that update, the field's own id replaced by home's. */
static int insert_as_update(struct td_registry *reg, const struct kit_table *t,
                            struct conflict_row *r, struct td_error *err)
{
	int64_t home;
	char path[300];

	if (t->kind != KIT_HOME_ONLY || strcmp(r->op, "insert") != 0 ||
	    !(home = kit_same_key_row(reg, t, r->field_new)))
		return TD_OK;
	snprintf(path, sizeof path, "$.\"%s\"", t->cols[t->int_pk]);
	free(r->pk);
	r->pk = NULL;
	if (!(r->field_new = kit_json_with(reg, r->field_new, path, home)) ||
	    !(r->pk = kit_json_with(reg, strdup("{}"), path, home)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	free(r->op);
	if (!(r->op = strdup("update")))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	return TD_OK;
}

/* Keep the field's version: its references bound, written as its
 * writer writes it.  r is changed to what was written. */
static int keep_field_version(struct td_registry *reg, struct kit_schema *ks,
                              int64_t id, struct conflict_row *r,
                              struct td_error *err)
{
	struct kit_table *t;
	int rc;

	if ((rc = kit_schema_load(reg, "main", ks, err)) < 0)
		return rc;
	if (!(t = kit_schema_find(ks, r->table)))
		return td_error_set(err, TD_ERR_DATA, "no table %s", r->table);
	if ((rc = whole_tag(t, r, id, err)) < 0 ||
	    (rc = bind_conflict_refs(reg, ks, id, r, err)) < 0 ||
	    (rc = insert_as_update(reg, t, r, err)) < 0 ||
	    (rc = apply_field_audited(reg, t, r, err)) < 0)
		return rc;
	if (strcmp(r->table, "count_session") == 0 && strcmp(r->op, "update") == 0)
		return kit_count_keep_field(reg, r->uuid, row_id(reg, r), r->field_new, err);
	return TD_OK;
}

/* An older conflict on the same record still open, 0 when none: the
 * field's changes of one record are decided in the order they were made
 * (deciding a later one first let an older field version win last). */
static int64_t older_open(struct td_registry *reg, int64_t id,
                          const struct conflict_row *r)
{
	sqlite3_stmt *st;
	int64_t older = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT min(id) FROM kit_conflict WHERE"
	                       " status = 'open' AND id < ?1 AND tbl = ?2 AND op ="
	                       " 'update' AND pk = ?3", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	td_reg_bind_text(st, 2, r->table);
	td_reg_bind_text(st, 3, r->pk);
	if (sqlite3_step(st) == SQLITE_ROW)
		older = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return older;
}

int td_reg_kit_resolve(struct td_registry *reg, int64_t id, int keep_field,
                       struct td_error *err)
{
	struct conflict_row r;
	struct kit_schema ks = { 0 };
	char at[21], key[32], *after = NULL, *events = NULL;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = load_conflict(reg, id, &r, err)) < 0)
		return rc;
	if (strcmp(r.status, "open") != 0) {
		rc = td_error_set(err, TD_ERR_CONFLICT, "kit conflict %" PRId64
		                  " was already decided (%s)", id, r.status);
		goto out;
	}
	if (keep_field && (rc = td_reg_conflict_intact(reg, id, err)) < 0)
		goto out;
	int64_t older = strcmp(r.op, "update") == 0 ? older_open(reg, id, &r) : 0;
	if (older) {
		rc = td_error_set(err, TD_ERR_CONFLICT, "kit conflict %" PRId64 " changes"
		                  " the same record as conflict %" PRId64 ", still open:"
		                  " decide that one first", id, older);
		goto out;
	}
	char *op = strdup(r.op);   /* as the conflict holds it, for its audit row */
	if (!op) {
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (keep_field && (rc = keep_field_version(reg, &ks, id, &r, err)) < 0) {
		free(op);
		goto out;
	}
	free(r.op);
	r.op = op;
	td_now_iso(at);
	if (strcmp(r.table, "token") == 0 && strcmp(r.op, "update") == 0 &&
	    row_id(reg, &r) > 0 &&
	    (rc = supersede(reg, id, &r, row_id(reg, &r), keep_field, at, &events,
	                    err)) < 0)
		goto out;
	if ((rc = kit_exec(reg, err, "UPDATE kit_conflict SET status = %Q,"
	                   " resolved_at = %Q, resolved_by = %Q WHERE id = %lld",
	                   keep_field ? "kept_field" : "kept_home", at,
	                   td_reg_operator(reg), (long long)id)) < 0)
		goto out;
	after = sqlite3_mprintf("{\"keep\":\"%s\",\"table\":\"%w\",\"op\":\"%s\"%s%s}",
	                        keep_field ? "field" : "home", r.table, r.op,
	                        events ? ",\"superseded\":" : "", events ? events : "");
	snprintf(key, sizeof key, "%" PRId64, id);
	rc = td_reg_audit(reg, "kit.resolve", "kit_conflict", key, r.home, after, err);
	sqlite3_free(after);
out:
	sqlite3_free(events);
	kit_schema_free(&ks);
	conflict_row_clear(&r);
	return rc;
}
