/* crl_trust.c: the CAs pinned to sign CRLs, and which CRLs were applied.
 *
 * Audit rows (action, entity "crl_trust", key = cert_sha256):
 *   crl.trust.add     before NULL, after the whole row (CRL_TRUST_JSON)
 *   crl.trust.remove  before the whole row, after NULL
 * so the newest audit row of a pinned CA is its current row, every
 * column included. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

#define CRL_TRUST_JSON \
	"json_object('id', id, 'subject', subject, 'key_sha256', key_sha256," \
	" 'cert_sha256', cert_sha256, 'cert', cert, 'added_at', added_at," \
	" 'added_by', added_by)"
#define CRL_TRUST_COLS \
	"id, subject, key_sha256, cert_sha256, cert, added_at, added_by, " \
	CRL_TRUST_JSON

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void row_of(sqlite3_stmt *st, struct td_crl_ca *ca)
{
	ca->id = sqlite3_column_int64(st, 0);
	ca->subject = col(st, 1);
	ca->key_sha256 = col(st, 2);
	ca->cert_sha256 = col(st, 3);
	ca->cert_hex = col(st, 4);
	ca->added_at = col(st, 5);
	ca->added_by = col(st, 6);
}

int td_reg_crl_trust_add(struct td_registry *reg, const struct td_crl_ca *ca,
                         int *added, struct td_error *err)
{
	sqlite3_stmt *st;
	char now[21];
	int rc;

	*added = 0;
	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	td_now_iso(now);
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO crl_trust (subject, key_sha256,"
	                       " cert_sha256, cert, added_at, added_by)"
	                       " VALUES (?,?,?,?,?,?) ON CONFLICT (cert_sha256)"
	                       " DO NOTHING RETURNING " CRL_TRUST_JSON, -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(reg, err, "pinning a CA");
	sqlite3_bind_text(st, 1, ca->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ca->key_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ca->cert_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ca->cert_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, td_reg_operator(reg), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char *after = td_reg_col_dup(st, 0);
		sqlite3_finalize(st);
		if (!after)
			return td_error_set(err, TD_ERR_NOMEM, "out of memory");
		*added = 1;
		rc = td_reg_audit(reg, "crl.trust.add", "crl_trust", ca->cert_sha256,
		                  NULL, after, err);
		free(after);
		return rc;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? TD_OK : td_reg_db_error(reg, err, "pinning a CA");
}

int td_reg_crl_trust_each(struct td_registry *reg, td_crl_ca_fn fn, void *ctx,
                          struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = TD_OK, step;

	if (sqlite3_prepare_v2(reg->db, "SELECT " CRL_TRUST_COLS " FROM crl_trust"
	                       " ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the pinned CAs");
	while (rc == TD_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct td_crl_ca ca;
		row_of(st, &ca);
		rc = fn(&ca, ctx);
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(reg, err, "reading the pinned CAs");
	sqlite3_finalize(st);
	return rc;
}

/* which as a SHA-256: 64 hex digits, colons allowed; lowercase into out. */
static int fingerprint_of(const char *which, char out[65])
{
	size_t n = 0;

	for (; *which; which++) {
		if (*which == ':')
			continue;
		if (!isxdigit((unsigned char)*which) || n == 64)
			return 0;
		out[n++] = (char)tolower((unsigned char)*which);
	}
	out[n] = '\0';
	return n == 64;
}

/* The id of the pinned CA which names (an ID, or the SHA-256 of its
 * certificate or of its key), 0 when none; <0 when the key of several. */
static int64_t find_id(struct td_registry *reg, const char *which,
                       struct td_error *err)
{
	static const char *const by[] = {
		"SELECT id FROM crl_trust WHERE cert_sha256 = ?",
		"SELECT id FROM crl_trust WHERE key_sha256 = ?",
	};
	char fpr[65], *end;
	long long n = strtoll(which, &end, 10);
	int64_t id = 0;
	int rows = 0;

	if (!fingerprint_of(which, fpr)) {
		if (*end || end == which || n <= 0)
			return td_error_set(err, TD_ERR_USAGE, "'%s' is neither the ID of a "
			                    "pinned CA nor a SHA-256 fingerprint (64 hex "
			                    "digits)", which);
		return n;
	}
	for (int i = 0; i < 2 && rows == 0; i++) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(reg->db, by[i], -1, &st, NULL) != SQLITE_OK)
			return td_reg_db_error(reg, err, "reading the pinned CAs");
		sqlite3_bind_text(st, 1, fpr, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0);
			rows++;
		}
		sqlite3_finalize(st);
	}
	if (rows > 1)
		return td_error_set(err, TD_ERR_USAGE, "%d pinned CAs have this key; give "
		                    "the ID of one (see: tokendesk crl trust list)", rows);
	return id;
}

int td_reg_crl_trust_remove(struct td_registry *reg, const char *which,
                            td_crl_ca_fn fn, void *ctx, struct td_error *err)
{
	char *before = NULL, *key = NULL;
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if ((id = find_id(reg, which, err)) < 0)
		return (int)id;
	if (sqlite3_prepare_v2(reg->db, "DELETE FROM crl_trust WHERE id = ?"
	                       " RETURNING " CRL_TRUST_COLS, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "removing a pinned CA");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		struct td_crl_ca ca;
		row_of(st, &ca);
		before = td_reg_col_dup(st, 7);
		key = td_reg_col_dup(st, 3);
		rc = fn ? fn(&ca, ctx) : TD_OK;
		if (rc == TD_OK && (!before || !key))
			rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
		if (rc == TD_OK && sqlite3_step(st) != SQLITE_DONE)
			rc = td_reg_db_error(reg, err, "removing a pinned CA");
	} else if (rc == SQLITE_DONE) {
		rc = td_error_set(err, TD_ERR_NOTFOUND, "no pinned CA '%s' (see: "
		                  "tokendesk crl trust list)", which);
	} else {
		rc = td_reg_db_error(reg, err, "removing a pinned CA");
	}
	sqlite3_finalize(st);
	if (rc == TD_OK)
		rc = td_reg_audit(reg, "crl.trust.remove", "crl_trust", key, before,
		                  NULL, err);
	free(before);
	free(key);
	return rc;
}

int td_reg_crl_seen(struct td_registry *reg, const char *issuer,
                    const char *crl_number, char at[21], struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	at[0] = '\0';
	if (sqlite3_prepare_v2(reg->db, "SELECT imported_at FROM crl_import"
	                       " WHERE issuer = ? AND crl_number = ?"
	                       " ORDER BY id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading CRL imports");
	sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, crl_number, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(at, 21, "%s", col(st, 0) ? col(st, 0) : "");
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : td_reg_db_error(reg, err, "reading CRL imports");
}

int td_reg_crl_highest(struct td_registry *reg, const char *issuer,
                       char out[128], struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	/* Numbers are hex without leading zeros: longer is larger. */
	if (sqlite3_prepare_v2(reg->db, "SELECT crl_number FROM crl_import"
	                       " WHERE issuer = ? AND crl_number IS NOT NULL"
	                       " ORDER BY length(crl_number) DESC, crl_number DESC"
	                       " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading CRL imports");
	sqlite3_bind_text(st, 1, issuer, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(out, 128, "%s", col(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? TD_OK :
	       td_reg_db_error(reg, err, "reading CRL imports");
}
