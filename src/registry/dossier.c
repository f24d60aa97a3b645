/* dossier.c: request dossiers (new issue, renewal, info change, token
 * recovery) and their moves between agencies (letter 3.1, 3.2). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

void td_dossier_clear(struct td_dossier *d)
{
	char **f[] = { &d->ref, &d->kind, &d->agency_code, &d->agency_name,
	               &d->holder_id, &d->holder_name, &d->status, &d->created_at,
	               &d->remarks };

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
}

#define DOSSIER_COLS "d.id, d.ref, d.kind, a.code, a.name, h.ext_id, h.name," \
	" d.status, d.created_at, d.remarks FROM dossier d" \
	" JOIN agency a ON a.id = d.agency_id" \
	" LEFT JOIN holder h ON h.id = d.holder_id"

#define DOSSIER_JSON "SELECT json_object('ref', d.ref, 'kind', d.kind," \
	" 'agency', a.code, 'holder', h.ext_id, 'status', d.status," \
	" 'remarks', d.remarks, 'created_at', d.created_at)" \
	" FROM dossier d JOIN agency a ON a.id = d.agency_id" \
	" LEFT JOIN holder h ON h.id = d.holder_id WHERE d.ref = ?"

static void read_dossier(sqlite3_stmt *st, struct td_dossier *d)
{
	char **f[] = { &d->ref, &d->kind, &d->agency_code, &d->agency_name,
	               &d->holder_id, &d->holder_name, &d->status, &d->created_at,
	               &d->remarks };

	d->id = sqlite3_column_int64(st, 0);
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		*f[i] = td_reg_col_dup(st, (int)i + 1);
}

/* One text value of a one-parameter query, or NULL (also on error). */
static char *query_text(struct td_registry *reg, const char *sql, const char *p)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, p, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t query_id(struct td_registry *reg, const char *sql, const char *p)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, p, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int td_reg_get_dossier(struct td_registry *reg, const char *ref,
                       struct td_dossier *out, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(reg->db, "SELECT " DOSSIER_COLS " WHERE d.ref = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "dossier lookup");
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_dossier(st, out);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return TD_OK;
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "no dossier %s", ref);
	return td_reg_db_error(reg, err, "dossier lookup");
}

int td_reg_each_dossier(struct td_registry *reg, const char *agency_code,
                        td_dossier_fn fn, void *ctx, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc, stop = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT " DOSSIER_COLS
	                       " WHERE ?1 IS NULL OR a.code = ?1 ORDER BY d.ref",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "listing dossiers");
	td_reg_bind_text(st, 1, agency_code);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct td_dossier d = { 0 };
		read_dossier(st, &d);
		stop = fn(&d, ctx);
		td_dossier_clear(&d);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "listing dossiers");
}

int td_reg_add_dossier(struct td_registry *reg, const struct td_dossier *d,
                       struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t agency_id, holder_id = 0;
	char at[21], *after;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (query_id(reg, "SELECT id FROM dossier WHERE ref = ?", d->ref) != 0)
		return td_error_set(err, TD_ERR_CONFLICT, "dossier %s exists already", d->ref);
	if ((agency_id = query_id(reg, "SELECT id FROM agency WHERE code = ?",
	                          d->agency_code)) <= 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "no agency %s", d->agency_code);
	/* A person's id first; an org holder is named by its agency code. */
	if (d->holder_id && *d->holder_id &&
	    (holder_id = query_id(reg, "SELECT id FROM holder WHERE kind IN"
	                          " ('org', 'person') AND ext_id = ?"
	                          " ORDER BY kind = 'org' LIMIT 1", d->holder_id)) <= 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "no holder %s", d->holder_id);
	td_now_iso(at);
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO dossier (ref, kind, agency_id,"
	                       " holder_id, status, created_at, remarks)"
	                       " VALUES (?,?,?,?,coalesce(?, 'open'),?,?)", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "adding a dossier");
	sqlite3_bind_text(st, 1, d->ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, agency_id);
	if (holder_id)
		sqlite3_bind_int64(st, 4, holder_id);
	td_reg_bind_text(st, 5, d->status);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	td_reg_bind_text(st, 7, d->remarks);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "adding a dossier");
	after = query_text(reg, DOSSIER_JSON, d->ref);
	rc = td_reg_audit(reg, "dossier.add", "dossier", d->ref, NULL, after, err);
	free(after);
	return rc;
}

char *td_reg_dossier_json(struct td_registry *reg, const char *ref)
{
	return query_text(reg, DOSSIER_JSON, ref);
}

int td_reg_move_dossier(struct td_registry *reg, const char *ref,
                        const char *to_agency_code, int64_t handover_id,
                        struct td_error *err)
{
	sqlite3_stmt *st;
	int64_t agency_id;
	char *before, *after, *with_handover = NULL;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (!(before = query_text(reg, DOSSIER_JSON, ref)))
		return td_error_set(err, TD_ERR_NOTFOUND, "no dossier %s", ref);
	if ((agency_id = query_id(reg, "SELECT id FROM agency WHERE code = ?",
	                          to_agency_code)) <= 0) {
		free(before);
		return td_error_set(err, TD_ERR_NOTFOUND, "no agency %s", to_agency_code);
	}
	rc = sqlite3_prepare_v2(reg->db, "UPDATE dossier SET agency_id = ? WHERE ref = ?",
	                        -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, agency_id);
		sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_DONE) {
		free(before);
		return td_reg_db_error(reg, err, "moving a dossier");
	}
	after = query_text(reg, DOSSIER_JSON, ref);
	/* The after-image names the handover that moved it. */
	if (after && handover_id) {
		size_t n = strlen(after) + 48;
		if ((with_handover = malloc(n)))
			snprintf(with_handover, n, "%.*s,\"handover_id\":%lld}",
			         (int)strlen(after) - 1, after, (long long)handover_id);
	}
	rc = td_reg_audit(reg, "dossier.move", "dossier", ref, before,
	                  with_handover ? with_handover : after, err);
	free(with_handover);
	free(after);
	free(before);
	return rc;
}
