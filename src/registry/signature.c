/* signature.c: what was signed with a token: the signatures made on a
 * handover's PDF record, and the signed checkpoints of the audit chain.
 *
 * Audit rows (after-image = the whole row, so the newest audit row of a
 * row is that row, every column included):
 *   handover.sign     entity "handover_signature", key = row id
 *   audit.checkpoint  entity "audit_checkpoint", key = row id */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/internal.h"

#define SIG_JSON \
	"json_object('id', id, 'handover_id', handover_id, 'signer_serial'," \
	" signer_serial, 'signer_issuer', signer_issuer, 'signer_subject'," \
	" signer_subject, 'signed_at', signed_at, 'pdf_sha256', pdf_sha256," \
	" 'operator', operator)"
#define CP_JSON \
	"json_object('id', id, 'head_id', head_id, 'head_hash', head_hash," \
	" 'signed_at', signed_at, 'signer_serial', signer_serial," \
	" 'signer_subject', signer_subject, 'cms', cms, 'operator', operator)"

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Step an INSERT ... RETURNING id, json and audit the new row. */
static int insert_audited(struct td_registry *reg, sqlite3_stmt *st,
                          const char *action, const char *entity, int64_t *id,
                          struct td_error *err)
{
	char key[32], *after;
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return td_reg_db_error(reg, err, "recording a signature");
	}
	if (id)
		*id = sqlite3_column_int64(st, 0);
	snprintf(key, sizeof key, "%" PRId64, (int64_t)sqlite3_column_int64(st, 0));
	after = td_reg_col_dup(st, 1);
	sqlite3_finalize(st);
	if (!after)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	rc = td_reg_audit(reg, action, entity, key, NULL, after, err);
	free(after);
	return rc;
}

int td_reg_handover_sig_add(struct td_registry *reg, const struct td_handover_sig *s,
                            int64_t *id, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO handover_signature (handover_id,"
	                       " signer_serial, signer_issuer, signer_subject, signed_at,"
	                       " pdf_sha256, operator) VALUES (?,?,?,?,?,?,?)"
	                       " RETURNING id, " SIG_JSON, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "recording a signature");
	sqlite3_bind_int64(st, 1, s->handover_id);
	sqlite3_bind_text(st, 2, s->signer_serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->signer_issuer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, s->signer_subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, s->signed_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, s->pdf_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, td_reg_operator(reg), -1, SQLITE_STATIC);
	return insert_audited(reg, st, "handover.sign", "handover_signature", id, err);
}

char *td_reg_handover_sig_image(struct td_registry *reg, int64_t id)
{
	sqlite3_stmt *st;
	char *image = NULL;

	if (sqlite3_prepare_v2(reg->db, "SELECT " SIG_JSON " FROM handover_signature"
	                       " WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		image = td_reg_col_dup(st, 0);
	sqlite3_finalize(st);
	return image;
}

int td_reg_handover_sig_each(struct td_registry *reg, int64_t handover_id,
                             td_handover_sig_fn fn, void *ctx, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = TD_OK, step;

	if (sqlite3_prepare_v2(reg->db, "SELECT id, handover_id, signer_serial,"
	                       " signer_issuer, signer_subject, signed_at, pdf_sha256,"
	                       " operator FROM handover_signature WHERE handover_id = ?"
	                       " ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading signatures");
	sqlite3_bind_int64(st, 1, handover_id);
	while (rc == TD_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct td_handover_sig s = {
			sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6), col(st, 7)
		};
		rc = fn(&s, ctx);
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(reg, err, "reading signatures");
	sqlite3_finalize(st);
	return rc;
}

int td_reg_party_holds_cert(struct td_registry *reg, const char *custodian,
                            const char *serial_hex, struct td_error *err)
{
	const char *colon = custodian ? strchr(custodian, ':') : NULL;
	sqlite3_stmt *st;
	int rc;

	if (!colon)
		return 0;   /* dost, ca: no certificates in the registry */
	if (sqlite3_prepare_v2(reg->db, "SELECT 1 FROM certificate c"
	                       " JOIN holder h ON h.id = c.holder_id"
	                       " JOIN agency a ON a.id = h.agency_id"
	                       " WHERE c.serial = ?1 AND ((?2 = 'holder' AND h.ext_id = ?3)"
	                       "  OR (?2 = 'agency' AND a.code = ?3)) LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading certificates");
	sqlite3_bind_text(st, 1, serial_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, custodian, (int)(colon - custodian), SQLITE_STATIC);
	sqlite3_bind_text(st, 3, colon + 1, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : td_reg_db_error(reg, err, "reading certificates");
}

/* ---- checkpoints of the audit chain ---------------------------------- */

int td_reg_audit_hash_of(struct td_registry *reg, int64_t id, char hash[65],
                         struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	hash[0] = '\0';
	if (sqlite3_prepare_v2(reg->db, "SELECT hash FROM audit WHERE id = ?", -1, &st,
	                       NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(hash, 65, "%s", col(st, 0) ? col(st, 0) : "");
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return td_error_set(err, TD_ERR_NOTFOUND, "no audit row %" PRId64, id);
	return rc == SQLITE_ROW ? TD_OK : td_reg_db_error(reg, err, "reading the audit log");
}

int td_reg_checkpoint_add(struct td_registry *reg, const struct td_checkpoint *cp,
                          int64_t *id, struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = td_reg_require_tx(reg, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "INSERT INTO audit_checkpoint (head_id,"
	                       " head_hash, signed_at, signer_serial, signer_subject,"
	                       " cms, operator) VALUES (?,?,?,?,?,?,?)"
	                       " RETURNING id, " CP_JSON, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "recording a checkpoint");
	sqlite3_bind_int64(st, 1, cp->head_id);
	sqlite3_bind_text(st, 2, cp->head_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cp->signed_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, cp->signer_serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cp->signer_subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, cp->cms_pem, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, td_reg_operator(reg), -1, SQLITE_STATIC);
	return insert_audited(reg, st, "audit.checkpoint", "audit_checkpoint", id, err);
}

int td_reg_checkpoint_each(struct td_registry *reg, td_checkpoint_fn fn, void *ctx,
                           struct td_error *err)
{
	sqlite3_stmt *st;
	int rc = TD_OK, step;

	if (sqlite3_prepare_v2(reg->db, "SELECT id, head_id, head_hash, signed_at,"
	                       " signer_serial, signer_subject, cms FROM audit_checkpoint"
	                       " ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading checkpoints");
	while (rc == TD_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct td_checkpoint cp = {
			sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
			col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6)
		};
		rc = fn(&cp, ctx);
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(reg, err, "reading checkpoints");
	sqlite3_finalize(st);
	return rc;
}
