/* export.c: whole tables as rows of strings, for CSV and JSON export.
 * Certificates come out in the import layout (so an export imports back
 * unchanged) followed by the columns only the registry knows. */
#include <config.h>

#include <string.h>

#include "registry/internal.h"

static const char *const export_sql[][2] = {
	{ "agencies",
	  "SELECT a.code, a.name, p.code AS parent_code, a.level, a.valid_from,"
	  " a.valid_to FROM agency a LEFT JOIN agency p ON p.id = a.parent_id"
	  " ORDER BY a.id" },
	{ "certificates",
	  "SELECT c.serial AS cert_serial, c.kind, h.name AS holder_name,"
	  " h.ext_id AS holder_id, h.position, a.code AS agency_code, c.not_before,"
	  " c.not_after, t.serial AS token_serial, t.model AS token_model, h.email,"
	  " c.status, c.revoked_at, c.subject_dn, " TD_CERT_ISSUER_DN " AS issuer_dn,"
	  " c.fingerprint"
	  " FROM certificate c JOIN holder h ON h.id = c.holder_id"
	  " JOIN agency a ON a.id = h.agency_id LEFT JOIN token t ON t.id = c.token_id"
	  " ORDER BY c.id" },
	{ "tokens",
	  "SELECT serial AS token_serial, model AS token_model, state, custodian"
	  " FROM token ORDER BY id" },
};

int td_reg_export(struct td_registry *reg, const char *what, td_row_fn fn,
                  void *ctx, struct td_error *err)
{
	const char *sql = NULL;
	const char *names[32], *values[32];
	sqlite3_stmt *st;
	int n, rc, stop = 0;

	for (size_t i = 0; i < sizeof export_sql / sizeof export_sql[0]; i++)
		if (strcmp(export_sql[i][0], what) == 0)
			sql = export_sql[i][1];
	if (!sql)
		return td_error_set(err, TD_ERR_USAGE, "cannot export '%s': choose "
		                    "agencies, certificates or tokens", what);
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "export");
	n = sqlite3_column_count(st);
	for (int i = 0; i < n; i++)
		names[i] = sqlite3_column_name(st, i);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++)
			values[i] = (const char *)sqlite3_column_text(st, i);
		stop = fn(n, names, values, ctx);
	}
	sqlite3_finalize(st);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "export");
}
