/* count.c: inventory counts (letter 2.1): sessions, scans, reconciliation.
 *
 * Nothing about a count lives only in memory: each scan is a row, and the
 * lines (found, missing, unexpected, unknown, duplicate) are computed by
 * one SQL query over the stored scans and the current custody, so a
 * process killed mid-count resumes exactly where its last commit left it.
 * Closing copies the lines into count_result, freezing them. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"
#include "registry/kit.h"
#include "tokendesk/text.h"

static const char *const outcome_names[] = {
	"found", "missing", "unexpected", "unknown"
};

const char *td_count_outcome_name(enum td_count_outcome o)
{
	return (unsigned)o < 4 ? outcome_names[o] : "?";
}

static enum td_count_outcome outcome_of(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, outcome_names[i]) == 0)
			return (enum td_count_outcome)i;
	return TD_COUNT_UNKNOWN;
}

/* Reconciling sorts and indexes ~100,000 serials: in memory, with a
 * cache that holds them, not through temporary files (the connection
 * keeps these settings; they only make other queries faster too). */
static void tune_for_reconcile(struct td_registry *reg)
{
	sqlite3_exec(reg->db, "PRAGMA temp_store = MEMORY;"
	             " PRAGMA cache_size = -65536", NULL, NULL, NULL);
}

void td_count_clear(struct td_count *c)
{
	free(c->uid);
	free(c->scope_kind);
	free(c->scope);
	free(c->scope_name);
	free(c->started_at);
	free(c->operator_name);
	free(c->closed_at);
	free(c->closed_by);
	memset(c, 0, sizeof *c);
}

void td_count_hit_clear(struct td_count_hit *h)
{
	free(h->custodian);
	free(h->custodian_name);
	memset(h, 0, sizeof *h);
}

/* Readable name of a custodian string, as an SQL expression over X. */
#define CUSTODIAN_NAME(X) \
	"CASE WHEN " X " LIKE 'holder:%' THEN (SELECT hn.name FROM holder hn" \
	" WHERE hn.kind IN ('org', 'person') AND hn.ext_id = substr(" X ", 8)" \
	" LIMIT 1)" \
	" WHEN " X " LIKE 'agency:%' THEN (SELECT an.name FROM agency an" \
	" WHERE an.code = substr(" X ", 8))" \
	" WHEN " X " = 'dost' THEN 'Sở Khoa học và Công nghệ'" \
	" WHEN " X " = 'ca' THEN 'Ban Cơ yếu Chính phủ' END"

/* The custodians in scope of count ?1, as CTEs cs, sub and cust. */
#define SCOPE_CTE \
	"WITH RECURSIVE cs AS (SELECT scope_kind, scope FROM count_session" \
	"  WHERE id = ?1)," \
	" sub(id, code) AS (SELECT a.id, a.code FROM agency a, cs" \
	"  WHERE cs.scope_kind = 'agency' AND a.code = cs.scope" \
	"  UNION ALL SELECT a.id, a.code FROM agency a JOIN sub ON a.parent_id = sub.id)," \
	" cust(c) AS (SELECT 'agency:' || code FROM sub" \
	"  UNION ALL SELECT 'holder:' || h.ext_id FROM holder h JOIN sub" \
	"  ON h.agency_id = sub.id" \
	"  UNION ALL SELECT scope FROM cs WHERE scope_kind = 'custodian')"

/* Lines of an open count: serial, outcome, scans, custodian.  exp (the
 * tokens custody places in scope) and sc (the scanned serials with their
 * scan counts) are built once each: at 100,000 tokens, building a set
 * twice is what costs. */
#define LIVE_LINES \
	SCOPE_CTE "," \
	" exp AS MATERIALIZED (SELECT t.serial, t.custodian FROM cust" \
	"  JOIN token t ON t.custodian = cust.c)," \
	" sc AS MATERIALIZED (SELECT serial, count(*) AS n FROM count_scan" \
	"  WHERE count_id = ?1 GROUP BY serial)" \
	" SELECT sc.serial, CASE WHEN t.id IS NULL THEN 'unknown'" \
	"  WHEN sc.serial IN (SELECT serial FROM exp) THEN 'found'" \
	"  ELSE 'unexpected' END AS outcome, sc.n AS n, t.custodian AS custodian" \
	" FROM sc LEFT JOIN token t ON t.serial = sc.serial" \
	" UNION ALL" \
	" SELECT serial, 'missing', 0, custodian FROM exp" \
	" WHERE serial NOT IN (SELECT serial FROM sc)"

/* Lines with readable names (not for found lines: nobody reads 98,000
 * names of tokens that are where they should be). */
#define WITH_NAMES(INNER) \
	"SELECT serial, outcome, n, custodian, CASE outcome WHEN 'found' THEN NULL" \
	" ELSE " CUSTODIAN_NAME("custodian") " END FROM (" INNER ")"

static const char frozen_sql[] =
	"SELECT serial, outcome, scans, custodian, custodian_name"
	" FROM count_result WHERE count_id = ?1";

/* Tallies straight from SQL: outcome, lines, duplicated, scans. */
static const char live_tally_sql[] =
	"SELECT outcome, count(*), sum(n > 1), sum(n) FROM (" LIVE_LINES ")"
	" GROUP BY outcome";
static const char frozen_tally_sql[] =
	"SELECT outcome, count(*), sum(scans > 1), sum(scans) FROM count_result"
	" WHERE count_id = ?1 GROUP BY outcome";

/* ---- reading a count ------------------------------------------------------ */

static const char count_cols[] =
	"SELECT c.id, c.uid, c.scope_kind, c.scope,"
	" CASE c.scope_kind WHEN 'agency' THEN (SELECT name FROM agency"
	"  WHERE code = c.scope) ELSE " CUSTODIAN_NAME("c.scope") " END,"
	" c.started_at, c.operator, c.closed_at, c.closed_by,"
	" (SELECT count(*) FROM count_scan s WHERE s.count_id = c.id)"
	" FROM count_session c";

static void read_count(sqlite3_stmt *st, struct td_count *c)
{
	c->id = sqlite3_column_int64(st, 0);
	c->uid = td_reg_col_dup(st, 1);
	c->scope_kind = td_reg_col_dup(st, 2);
	c->scope = td_reg_col_dup(st, 3);
	c->scope_name = td_reg_col_dup(st, 4);
	c->started_at = td_reg_col_dup(st, 5);
	c->operator_name = td_reg_col_dup(st, 6);
	c->closed_at = td_reg_col_dup(st, 7);
	c->closed_by = td_reg_col_dup(st, 8);
	c->scans = sqlite3_column_int64(st, 9);
}

int td_reg_count_get(struct td_registry *reg, int64_t id, struct td_count *out,
                     struct td_error *err)
{
	char sql[sizeof count_cols + 32];
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	snprintf(sql, sizeof sql, "%s WHERE c.id = ?", count_cols);
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a count");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_count(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "no count %" PRId64, id);
	if (rc != SQLITE_ROW)
		return td_reg_db_error(reg, err, "reading a count");
	return TD_OK;
}

int td_reg_count_list(struct td_registry *reg, td_count_fn fn, void *ctx,
                      struct td_error *err)
{
	char sql[sizeof count_cols + 32];
	struct td_count c;
	sqlite3_stmt *st;
	int rc, stop = 0;

	snprintf(sql, sizeof sql, "%s ORDER BY c.id DESC", count_cols);
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "listing counts");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_count(st, &c);
		stop = fn(&c, ctx);
		td_count_clear(&c);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "listing counts");
	return TD_OK;
}

/* ---- starting --------------------------------------------------------------- */

/* Does the custodian string name something that exists? */
static int custodian_exists(struct td_registry *reg, const char *c)
{
	sqlite3_stmt *st;
	int found = 0;

	if (strcmp(c, "dost") == 0 || strcmp(c, "ca") == 0)
		return 1;
	if (sqlite3_prepare_v2(reg->db,
	                       "SELECT 1 WHERE (?1 LIKE 'agency:%' AND EXISTS (SELECT 1"
	                       " FROM agency WHERE code = substr(?1, 8)))"
	                       " OR (?1 LIKE 'holder:%' AND EXISTS (SELECT 1 FROM holder"
	                       " WHERE kind IN ('org', 'person') AND ext_id = substr(?1, 8)))",
	                       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, c, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int check_scope(struct td_registry *reg, const char *kind,
                       const char *scope, struct td_error *err)
{
	struct td_agency a;

	if (strcmp(kind, "agency") == 0) {
		int rc = td_reg_get_agency(reg, scope, &a, err);
		if (rc == TD_ERR_NOTFOUND)
			return td_error_set(err, TD_ERR_NOTFOUND, "no agency with code %s",
			                    scope);
		if (rc == TD_OK)
			td_agency_clear(&a);
		return rc;
	}
	if (strcmp(kind, "custodian") != 0)
		return td_error_set(err, TD_ERR_USAGE, "count scope must be an agency"
		                    " or a custodian, not '%s'", kind);
	if (!custodian_exists(reg, scope))
		return td_error_set(err, TD_ERR_NOTFOUND, "no custodian '%s' (use dost,"
		                    " ca, agency:CODE or holder:ID)", scope);
	return TD_OK;
}

int td_reg_count_start(struct td_registry *reg, const char *scope_kind,
                       const char *scope, int64_t *id, struct td_error *err)
{
	char uid[37], at[21], *after;
	sqlite3_stmt *st;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = check_scope(reg, scope_kind, scope, err)) < 0 ||
	    (rc = td_reg_uuid(uid, err)) < 0)
		return rc;
	td_now_iso(at);
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO count_session (uid, scope_kind,"
	                       " scope, started_at, operator) VALUES (?,?,?,?,?)"
	                       " RETURNING id, json_object('uid', uid, 'scope_kind',"
	                       " scope_kind, 'scope', scope, 'started_at', started_at,"
	                       " 'operator', operator, 'closed_at', NULL, 'closed_by', NULL)",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "starting a count");
	sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, scope_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, td_reg_operator(reg), -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = td_reg_db_error(reg, err, "starting a count");
		sqlite3_finalize(st);
		return rc;
	}
	*id = sqlite3_column_int64(st, 0);
	after = td_reg_col_dup(st, 1);
	sqlite3_finalize(st);
	rc = td_reg_audit(reg, "count.start", "count", uid, NULL, after, err);
	free(after);
	return rc;
}

/* ---- scanning ------------------------------------------------------------------ */

/* The count's uid, and whether it is open; TD_ERR_NOTFOUND when none. */
static int count_state(struct td_registry *reg, int64_t id, char uid[37],
                       int *open, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(reg->db, "SELECT uid, closed_at IS NULL FROM"
	                       " count_session WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading a count");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(uid, 37, "%s", (const char *)sqlite3_column_text(st, 0));
		*open = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "no count %" PRId64, id);
	return rc == SQLITE_ROW ? TD_OK : td_reg_db_error(reg, err, "reading a count");
}

/* Classify one serial against count id: is its custodian in scope?
 * Walks up from the custodian's agency rather than listing the scope,
 * so a scan costs the same in a commune as in the whole province. */
static int classify(struct td_registry *reg, int64_t id, const char *serial,
                    struct td_count_hit *hit, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(reg->db,
	        "WITH RECURSIVE cs AS (SELECT scope_kind, scope FROM count_session"
	        "  WHERE id = ?1),"
	        " tok AS (SELECT t.custodian FROM (SELECT 1) LEFT JOIN token t"
	        "  ON t.serial = ?2),"
	        " up(id) AS (SELECT CASE WHEN custodian LIKE 'agency:%' THEN"
	        "  (SELECT id FROM agency WHERE code = substr(custodian, 8))"
	        "  WHEN custodian LIKE 'holder:%' THEN (SELECT agency_id FROM holder"
	        "  WHERE kind IN ('org', 'person') AND ext_id = substr(custodian, 8)"
	        "  ORDER BY kind DESC LIMIT 1) END"
	        "  FROM tok"
	        "  UNION SELECT a.parent_id FROM agency a JOIN up ON a.id = up.id"
	        "  WHERE a.parent_id IS NOT NULL)"
	        " SELECT tok.custodian, " CUSTODIAN_NAME("tok.custodian") ","
	        " CASE WHEN (SELECT scope_kind FROM cs) = 'custodian'"
	        "  THEN tok.custodian = (SELECT scope FROM cs)"
	        "  ELSE EXISTS (SELECT 1 FROM up JOIN agency a ON a.id = up.id"
	        "  WHERE a.code = (SELECT scope FROM cs)) END,"
	        " (SELECT count(*) FROM count_scan WHERE count_id = ?1 AND serial = ?2)"
	        " FROM tok", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "classifying a scan");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		hit->custodian = td_reg_col_dup(st, 0);
		hit->custodian_name = td_reg_col_dup(st, 1);
		hit->outcome = !hit->custodian ? TD_COUNT_UNKNOWN :
		               sqlite3_column_int(st, 2) ? TD_COUNT_FOUND :
		               TD_COUNT_UNEXPECTED;
		hit->scans = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? TD_OK : td_reg_db_error(reg, err, "classifying a scan");
}

int td_reg_count_scan(struct td_registry *reg, int64_t id, const char *serial,
                      const char *source, struct td_count_hit *hit,
                      struct td_error *err)
{
	char uid[37], at[21], *after;
	sqlite3_stmt *st;
	int rc, open = 0;

	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = count_state(reg, id, uid, &open, err)) < 0)
		return rc;
	if (!open)
		return td_error_set(err, TD_ERR_CONFLICT, "count %" PRId64 " is closed;"
		                    " start a new count to scan more", id);
	td_now_iso(at);
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO count_scan (count_id, serial, at,"
	                       " source) VALUES (?,?,?,?) RETURNING json_object("
	                       "'serial', serial, 'source', source, 'at', at)", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "recording a scan");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, source, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = td_reg_db_error(reg, err, "recording a scan");
		sqlite3_finalize(st);
		return rc;
	}
	after = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	rc = td_reg_audit(reg, "count.scan", "count", uid, NULL, after, err);
	free(after);
	if (rc < 0)
		return rc;
	if (!hit)
		return TD_OK;   /* batches only record */
	return classify(reg, id, serial, hit, err);
}

/* ---- lines, tallies, closing -------------------------------------------------- */

int td_reg_count_each(struct td_registry *reg, int64_t id, td_count_line_fn fn,
                      void *ctx, struct td_error *err)
{
	static const char live_named[] = WITH_NAMES(LIVE_LINES) " ORDER BY 2, 1";
	char uid[37], sql[sizeof frozen_sql + 64];
	struct td_count_line l;
	sqlite3_stmt *st;
	int rc, open, stop = 0;

	if ((rc = count_state(reg, id, uid, &open, err)) < 0)
		return rc;
	tune_for_reconcile(reg);
	snprintf(sql, sizeof sql, "%s ORDER BY 2, 1", frozen_sql);
	if (sqlite3_prepare_v2(reg->db, open ? live_named : sql, -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "reconciling the count");
	sqlite3_bind_int64(st, 1, id);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		l.serial = (const char *)sqlite3_column_text(st, 0);
		l.outcome = outcome_of((const char *)sqlite3_column_text(st, 1));
		l.scans = sqlite3_column_int64(st, 2);
		l.custodian = (const char *)sqlite3_column_text(st, 3);
		l.custodian_name = (const char *)sqlite3_column_text(st, 4);
		stop = fn(&l, ctx);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "reconciling the count");
	return TD_OK;
}

int td_reg_count_tally(struct td_registry *reg, int64_t id,
                       struct td_count_tally *out, struct td_error *err)
{
	char uid[37];
	sqlite3_stmt *st;
	int rc, open;

	memset(out, 0, sizeof *out);
	if ((rc = count_state(reg, id, uid, &open, err)) < 0)
		return rc;
	tune_for_reconcile(reg);
	if (sqlite3_prepare_v2(reg->db, open ? live_tally_sql : frozen_tally_sql, -1,
	                       &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reconciling the count");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t lines = sqlite3_column_int64(st, 1);
		switch (outcome_of((const char *)sqlite3_column_text(st, 0))) {
		case TD_COUNT_FOUND: out->found = lines; break;
		case TD_COUNT_MISSING: out->missing = lines; break;
		case TD_COUNT_UNEXPECTED: out->unexpected = lines; break;
		case TD_COUNT_UNKNOWN: out->unknown = lines; break;
		}
		out->duplicate += sqlite3_column_int64(st, 2);
		out->scans += sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "reconciling the count");
	out->expected = out->found + out->missing;
	return TD_OK;
}

/* The close's audit image: the tallies frozen in count_result, the
 * digest of its lines, and who closed it when (so audit verify can
 * check the row and every line). */
static char *tally_json(struct td_registry *reg, int64_t id,
                        const struct td_count_tally *t, const char *closed_at)
{
	sqlite3_stmt *st;
	char *json = NULL;

	if (sqlite3_prepare_v2(reg->db, "SELECT json_object('found', ?1, 'missing', ?2,"
	                       " 'unexpected', ?3, 'unknown', ?4, 'duplicate', ?5,"
	                       " 'expected', ?6, 'scans', ?7, 'closed_at', ?8,"
	                       " 'closed_by', ?9, 'lines_sha256', "
	                       TD_COUNT_LINES_SHA256("?10") ")", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 10, id);
	sqlite3_bind_int64(st, 1, t->found);
	sqlite3_bind_int64(st, 2, t->missing);
	sqlite3_bind_int64(st, 3, t->unexpected);
	sqlite3_bind_int64(st, 4, t->unknown);
	sqlite3_bind_int64(st, 5, t->duplicate);
	sqlite3_bind_int64(st, 6, t->expected);
	sqlite3_bind_int64(st, 7, t->scans);
	sqlite3_bind_text(st, 8, closed_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, td_reg_operator(reg), -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		json = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	return json;
}

int td_reg_count_close(struct td_registry *reg, int64_t id,
                       struct td_count_tally *out, struct td_error *err)
{
	static const char freeze_sql[] =
		"INSERT INTO count_result (count_id, serial, outcome, scans, custodian,"
		" custodian_name) SELECT ?1, * FROM (" WITH_NAMES(LIVE_LINES) ")";
	char uid[37], at[21], *after;
	struct td_count_tally local;
	sqlite3_stmt *st;
	int rc, open;

	if (!out)
		out = &local;
	if ((rc = td_reg_require_tx(reg, err)) < 0 ||
	    (rc = count_state(reg, id, uid, &open, err)) < 0)
		return rc;
	if (!open)
		return td_error_set(err, TD_ERR_CONFLICT, "count %" PRId64
		                    " is already closed", id);
	if ((rc = td_reg_count_tally(reg, id, out, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, freeze_sql, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "closing the count");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "closing the count");
	td_now_iso(at);
	if (sqlite3_prepare_v2(reg->db, "UPDATE count_session SET closed_at = ?,"
	                       " closed_by = ? WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "closing the count");
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, td_reg_operator(reg), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "closing the count");
	if (!(after = tally_json(reg, id, out, at)))
		return td_reg_db_error(reg, err, "closing the count");
	rc = td_reg_audit(reg, "count.close", "count", uid, NULL, after, err);
	free(after);
	return rc;
}
