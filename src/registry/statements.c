/* statements.c: the SQL of the statements the registry keeps prepared.
 * JSON snapshots are built by SQLite's json_object(), so audit rows hold
 * exactly what the row holds, escaped by a library. */
#include <config.h>

#include "registry/internal.h"

#define CERT_FROM \
	" FROM certificate c JOIN holder h ON h.id = c.holder_id" \
	" JOIN agency a ON a.id = h.agency_id" \
	" LEFT JOIN token t ON t.id = c.token_id"

const char *const td_reg_stmt_sql[ST__COUNT] = {
	[ST_AUDIT_INSERT] =
		"INSERT INTO audit (id, at, operator, action, entity, entity_key,"
		" before, after, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_AGENCY_BY_CODE] =
		"SELECT a.id, a.code, a.name, p.code, a.level, a.valid_from, a.valid_to"
		" FROM agency a LEFT JOIN agency p ON p.id = a.parent_id"
		" WHERE a.code = ?",
	[ST_AGENCY_INSERT] =
		"INSERT INTO agency (code, name, parent_id, level, valid_from, valid_to)"
		" VALUES (?, ?, (SELECT id FROM agency WHERE code = ?), ?, ?, ?)",
	[ST_AGENCY_UPDATE] =
		"UPDATE agency SET name = ?,"
		" parent_id = (SELECT id FROM agency WHERE code = ?),"
		" level = ?, valid_from = ?, valid_to = ? WHERE id = ?",
	[ST_AGENCY_JSON] =
		"SELECT json_object('code', a.code, 'name', a.name, 'parent', p.code,"
		" 'level', a.level, 'valid_from', a.valid_from, 'valid_to', a.valid_to)"
		" FROM agency a LEFT JOIN agency p ON p.id = a.parent_id WHERE a.id = ?",
	[ST_HOLDER_BY_KEY] =
		"SELECT h.id, h.kind, h.ext_id, h.name, h.position, h.email, a.code,"
		" h.no_longer_needed"
		" FROM holder h JOIN agency a ON a.id = h.agency_id"
		" WHERE h.kind = ? AND h.ext_id = ?",
	[ST_HOLDER_INSERT] =
		"INSERT INTO holder (kind, ext_id, name, position, email, agency_id)"
		" VALUES (?, ?, ?, ?, ?, (SELECT id FROM agency WHERE code = ?))",
	[ST_HOLDER_UPDATE] =
		"UPDATE holder SET name = ?, position = ?, email = ?,"
		" agency_id = (SELECT id FROM agency WHERE code = ?) WHERE id = ?",
	[ST_TOKEN_BY_SERIAL] =
		"SELECT id, serial, model, state, custodian FROM token WHERE serial = ?",
	[ST_TOKEN_INSERT] =
		"INSERT INTO token (serial, model, custodian) VALUES (?, ?, ?)",
	[ST_TOKEN_UPDATE_MODEL] =
		"UPDATE token SET model = ? WHERE id = ?",
	[ST_TOKEN_JSON] =
		"SELECT json_object('serial', serial, 'model', model, 'state', state,"
		" 'custodian', custodian) FROM token WHERE id = ?",
	[ST_CERT_BY_KEY] =
		"SELECT c.id, c.serial, " TD_CERT_ISSUER_DN ", c.subject_dn, c.kind, h.ext_id,"
		" h.name, a.code, c.not_before, c.not_after, c.status, c.revoked_at,"
		" t.serial, c.fingerprint, h.position, h.email, t.model, h.id"
		CERT_FROM " WHERE c.serial = ?"
		" AND c.issuer_id = (SELECT id FROM issuer WHERE dn = ?)",
	[ST_CERT_INSERT] =
		"INSERT INTO certificate (serial, issuer_id, subject_dn, kind, holder_id,"
		" not_before, not_after, token_id, fingerprint)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* The issuer's id, when this adds it (RETURNING gives no row for
	 * one that is there: ST_ISSUER_BY_DN reads it). */
	[ST_ISSUER_INTERN] =
		"INSERT INTO issuer (dn) VALUES (?) ON CONFLICT (dn) DO NOTHING"
		" RETURNING id",
	[ST_ISSUER_BY_DN] =
		"SELECT id FROM issuer WHERE dn = ?",
	[ST_CERT_UPDATE] =
		"UPDATE certificate SET subject_dn = ?, kind = ?, holder_id = ?,"
		" not_before = ?, not_after = ?, token_id = ?,"
		" fingerprint = coalesce(?, fingerprint) WHERE id = ?",
	[ST_CERT_JSON] =
		"SELECT json_object('serial', c.serial, 'issuer', " TD_CERT_ISSUER_DN ","
		" 'subject', c.subject_dn, 'kind', c.kind, 'holder_id', h.ext_id,"
		" 'holder_name', h.name, 'position', h.position, 'email', h.email,"
		" 'agency', a.code, 'not_before', c.not_before, 'not_after', c.not_after,"
		" 'status', c.status, 'token', t.serial, 'token_model', t.model,"
		" 'revoked_at', c.revoked_at, 'fingerprint', c.fingerprint)"
		CERT_FROM " WHERE c.id = ?",
	[ST_SEARCH_INSERT] =
		"INSERT INTO search_idx (rowid, text) VALUES (?, ?)",
	[ST_SEARCH_DELETE] =
		"INSERT INTO search_idx (search_idx, rowid, text) VALUES ('delete', ?, ?)",
	/* Tags: a plan applied puts thousands, one statement each. */
	[ST_TAG_BY_TARGET] =
		"SELECT id, kind, request, origin, rule, reason, detail FROM " TD_TAG_ROWS
		" t WHERE target_kind = ? AND target = ?",
	[ST_TAG_INSERT] =
		"INSERT INTO tag (target_kind, target, kind, request, origin, rule,"
		" reason, detail, created, updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
	[ST_TAG_UPDATE] =
		/* a tag that named a note holds its own fields from now on,
		 * its created stamp kept (SET reads the row as it was) */
		"UPDATE tag SET kind = ?3, request = ?4, origin = ?5, rule = ?6,"
		" reason = ?7, detail = ?8, updated = ?9, state = 'tagged',"
		" batch = NULL, created = coalesce(created, (SELECT n.created FROM"
		" tag_note n WHERE n.id = tag.note_id)), note_id = NULL WHERE id = ?10",
	[ST_TAG_JSON] =
		"SELECT json_object('target_kind', target_kind, 'target', target,"
		" 'kind', kind, 'request', request, 'state', state, 'batch', batch,"
		" 'origin', origin, 'rule', rule, 'reason', reason, 'detail', detail,"
		" 'created', created, 'updated', updated)"
		" FROM " TD_TAG_ROWS " t WHERE id = ?",
	[ST_CERT_STATUS] =
		"SELECT status FROM certificate WHERE serial = ? ORDER BY id LIMIT 1",
	[ST_DATA_VERSION] = "PRAGMA data_version",
	/* A holder's or token's image, when a certificate added to the
	 * registry changes it (cert_write.c). */
	[ST_HOLDER_JSON_BY_KEY] =
		"SELECT json_object('name', h.name, 'position', h.position, 'email',"
		" h.email, 'agency', a.code, 'no_longer_needed', h.no_longer_needed)"
		" FROM holder h JOIN agency a ON a.id = h.agency_id"
		" WHERE h.kind = ? AND h.ext_id = ?",
	[ST_TOKEN_JSON_BY_SERIAL] =
		"SELECT json_object('serial', serial, 'model', model, 'state', state,"
		" 'custodian', custodian) FROM token WHERE serial = ?",
};
