/* plan.c: the stored merger plan, the operator's picks, the brief
 * certificate stream the plan is computed from, and the holder's "no
 * longer needed" mark. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Step a prepared statement to the end; finalize it. */
static int run_done(struct td_registry *reg, sqlite3_stmt *st, const char *what,
                    struct td_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, what);
}

int td_reg_plan_replace(struct td_registry *reg, const struct td_plan_row *rows,
                        size_t n, struct td_error *err)
{
	sqlite3_stmt *st;
	char *after;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = td_reg_exec(reg, "DELETE FROM plan_event", err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO plan_event (line,"
	                       " effective_date, event, source_codes, target_code,"
	                       " target_name, new_parent_code) VALUES (?,?,?,?,?,?,?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "storing the plan");
	for (size_t i = 0; i < n; i++) {
		const struct td_plan_row *r = &rows[i];
		sqlite3_bind_int64(st, 1, r->line);
		td_reg_bind_text(st, 2, r->effective_date);
		td_reg_bind_text(st, 3, r->event);
		sqlite3_bind_text(st, 4, r->source_codes ? r->source_codes : "", -1,
		                  SQLITE_STATIC);
		td_reg_bind_text(st, 5, r->target_code);
		td_reg_bind_text(st, 6, r->target_name);
		td_reg_bind_text(st, 7, r->new_parent_code);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			rc = td_reg_db_error(reg, err, "storing the plan");
			sqlite3_finalize(st);
			return rc;
		}
	}
	sqlite3_finalize(st);
	/* the count, and a digest of every event as stored: an event edited
	 * by hand before plan apply shows in audit verify */
	if (sqlite3_prepare_v2(reg->db, "SELECT json_object('events', ?1,"
	                       " 'content_sha256', " TD_PLAN_SHA256 ")", -1, &st,
	                       NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "storing the plan");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)n);
	after = sqlite3_step(st) == SQLITE_ROW ? td_reg_col_dup(st, 0) : NULL;
	sqlite3_finalize(st);
	if (!after)
		return td_reg_db_error(reg, err, "storing the plan");
	rc = td_reg_audit(reg, "plan.import", "plan", NULL, NULL, after, err);
	free(after);
	return rc;
}

/* Run sql (?1 the agency id, ?2 the new value: text when text is not
 * NULL, else number) on agency id and audit it as action with the row's
 * images before and after.  *done 1 when written. */
static int change_agency(struct td_registry *reg, int64_t id, const char *code,
                         const char *action, const char *sql, const char *text,
                         int64_t number, int *done, struct td_error *err)
{
	sqlite3_stmt *st;
	char *before, *after;
	int rc;

	if (!(before = td_reg_row_json(reg, ST_AGENCY_JSON, id, err)))
		return td_reg_db_error(reg, err, "reading an agency");
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK) {
		free(before);
		return td_reg_db_error(reg, err, "changing an agency");
	}
	sqlite3_bind_int64(st, 1, id);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, number);
	if ((rc = run_done(reg, st, "changing an agency", err)) == TD_OK) {
		if (!(after = td_reg_row_json(reg, ST_AGENCY_JSON, id, err)))
			rc = td_reg_db_error(reg, err, "reading an agency");
		else
			rc = td_reg_audit(reg, action, "agency", code, before, after, err);
		free(after);
		*done = rc == TD_OK;
	}
	free(before);
	return rc;
}

int td_reg_agency_move(struct td_registry *reg, const char *code,
                       const char *parent, int *moved, struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t id = 0, to = 0;
	int rc;

	*moved = 0;
	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "SELECT a.id, p.id FROM agency a, agency p"
	                       " WHERE a.code = ?1 AND p.code = ?2 AND a.parent_id"
	                       " IS NOT p.id", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading an agency");
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, parent, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		to = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (!id)
		return TD_OK;
	return change_agency(reg, id, code, "agency.move", "UPDATE agency SET"
	                     " parent_id = ?2 WHERE id = ?1", NULL, to, moved, err);
}

int td_reg_each_plan_move(struct td_registry *reg, td_plan_move_fn fn, void *ctx,
                          struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = 0, step;

	if (sqlite3_prepare_v2(reg->db, "SELECT entity_key, json_extract(before,"
	                       " '$.parent'), json_extract(after, '$.parent') FROM audit"
	                       " WHERE entity = 'agency' AND action = 'agency.move'"
	                       " ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn((const char *)sqlite3_column_text(st, 0),
		        (const char *)sqlite3_column_text(st, 1),
		        (const char *)sqlite3_column_text(st, 2), ctx);
	sqlite3_finalize(st);
	if (!rc && step != SQLITE_DONE)
		return td_reg_db_error(reg, err, "reading the audit log");
	return rc;
}

int td_reg_each_plan_row(struct td_registry *reg, td_plan_row_fn fn, void *ctx,
                         struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT line, effective_date, event,"
	                       " source_codes, target_code, target_name,"
	                       " new_parent_code FROM plan_event"
	                       " ORDER BY effective_date, line, id", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the plan");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct td_plan_row r = {
			sqlite3_column_int64(st, 0), col(st, 1), col(st, 2), col(st, 3),
			col(st, 4), col(st, 5), col(st, 6)
		};
		stop = fn(&r, ctx);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "reading the plan");
}

int td_reg_plan_pick(struct td_registry *reg, const char *target_code,
                     const char *cert_serial, struct td_error *err)
{
	char canon[256], after[512];
	sqlite3_stmt *st;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (cert_serial && td_serial_hex(cert_serial, canon, sizeof canon) < 0)
		return td_error_set(err, TD_ERR_USAGE, "%s is not a certificate serial",
		                    cert_serial);
	if (sqlite3_prepare_v2(reg->db, cert_serial
	                       ? "INSERT OR REPLACE INTO plan_pick VALUES (?, ?)"
	                       : "DELETE FROM plan_pick WHERE target_code = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "storing a pick");
	sqlite3_bind_text(st, 1, target_code, -1, SQLITE_STATIC);
	if (cert_serial)
		sqlite3_bind_text(st, 2, canon, -1, SQLITE_STATIC);
	if ((rc = run_done(reg, st, "storing a pick", err)) < 0)
		return rc;
	snprintf(after, sizeof after, "{\"cert\":\"%s\"}", cert_serial ? canon : "");
	return td_reg_audit(reg, "plan.pick", "agency", target_code, NULL,
	                    cert_serial ? after : NULL, err);
}

int td_reg_each_plan_pick(struct td_registry *reg,
                          int (*fn)(const char *target_code,
                                    const char *cert_serial, void *ctx),
                          void *ctx, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT target_code, cert_serial FROM"
	                       " plan_pick ORDER BY target_code", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading picks");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
		stop = fn(col(st, 0), col(st, 1), ctx);
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "reading picks");
}

int td_reg_each_active_cert_brief(struct td_registry *reg,
                                  int (*fn)(const struct td_cert_brief *c, void *ctx),
                                  void *ctx, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;
	long long cache = td_reg_cache_size(reg);

	/* One pass over the certificate table; holder, agency and token by
	 * their primary keys, through a page cache of 16 MiB for the pass:
	 * SQLite's 2 MiB read their pages again and again (at 1,000,000
	 * certificates, 1.7 s of the kernel copying pages; 0.2 s now). */
	td_reg_set_cache_size(reg, -16384);
	if (sqlite3_prepare_v2(reg->db, "SELECT c.serial, c.kind, h.ext_id, h.name,"
	                       " a.code, c.subject_dn, c.not_after, t.serial,"
	                       " h.no_longer_needed, a.id"
	                       " FROM certificate c JOIN holder h ON h.id = c.holder_id"
	                       " JOIN agency a ON a.id = h.agency_id"
	                       " LEFT JOIN token t ON t.id = c.token_id"
	                       " WHERE c.status = 'active' ORDER BY c.id",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading certificates");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct td_cert_brief c = {
			.serial = col(st, 0), .kind = col(st, 1),
			.holder_ext_id = col(st, 2), .holder_name = col(st, 3),
			.agency_code = col(st, 4), .agency_id = sqlite3_column_int64(st, 9),
			.subject_dn = col(st, 5), .not_after = col(st, 6),
			.token_serial = col(st, 7),
			.no_longer_needed = sqlite3_column_int(st, 8)
		};
		stop = fn(&c, ctx);
	}
	sqlite3_finalize(st);
	td_reg_set_cache_size(reg, cache);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK
	                         : td_reg_db_error(reg, err, "reading certificates");
}

int td_reg_holder_set_no_longer_needed(struct td_registry *reg, const char *ext_id,
                                       int value, struct td_error *err)
{
	char before[32], after[32];
	sqlite3_stmt *st;
	int rc, old;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "SELECT no_longer_needed FROM holder"
	                       " WHERE kind = 'person' AND ext_id = ?", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a holder");
	sqlite3_bind_text(st, 1, ext_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	old = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "no person with id %s", ext_id);
	if (rc != SQLITE_ROW)
		return td_reg_db_error(reg, err, "reading a holder");
	if (!old == !value)
		return TD_OK;
	if (sqlite3_prepare_v2(reg->db, "UPDATE holder SET no_longer_needed = ?"
	                       " WHERE kind = 'person' AND ext_id = ?", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "updating a holder");
	sqlite3_bind_int(st, 1, value ? 1 : 0);
	sqlite3_bind_text(st, 2, ext_id, -1, SQLITE_STATIC);
	if ((rc = run_done(reg, st, "updating a holder", err)) < 0)
		return rc;
	snprintf(before, sizeof before, "{\"no_longer_needed\":%d}", old ? 1 : 0);
	snprintf(after, sizeof after, "{\"no_longer_needed\":%d}", value ? 1 : 0);
	return td_reg_audit(reg, "holder.update", "holder", ext_id, before, after, err);
}

int td_reg_agency_end(struct td_registry *reg, const char *code,
                      const char *last_day, int *ended, struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc, later = 0;

	*ended = 0;
	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "SELECT id, coalesce(valid_to, '') = ''"
	                       " OR valid_to > ?2 FROM agency WHERE code = ?1", -1,
	                       &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading an agency");
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, last_day, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		later = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (!id || !later)
		return TD_OK;
	return change_agency(reg, id, code, "agency.update", "UPDATE agency SET"
	                     " valid_to = ?2 WHERE id = ?1", last_day, 0, ended, err);
}
