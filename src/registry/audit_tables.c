/* audit_tables.c: the audited tables, as audit verify reads them.
 *
 * Each entry of td_audited says how to read a table's rows as the
 * images writers put in audit rows (the same json_object names), which
 * audit entity and actions tell about them, and what a row is born with
 * (audit_state.c says how they are compared). */
#include <config.h>

#include "registry/audit_tables.h"

static const char *const cert_content[] = {
	"serial", "issuer", "subject", "kind", "holder_id", "holder_name",
	"position", "email", "agency", "not_before", "not_after", "token",
	"token_model", "fingerprint"
};
static const char *const agency_content[] = {
	"code", "name", "parent", "level", "valid_from", "valid_to"
};

static const struct bulk_kind bulk_agency = {
	"agency.add.bulk",
	"SELECT id FROM agency WHERE code = ?1 AND id > ?2 ORDER BY id LIMIT 1",
	"SELECT id, code FROM agency WHERE id >= ?1 ORDER BY id LIMIT 1 OFFSET ?2",
	6, agency_content, { { NULL, 0 }, { NULL, 0 } }
};
static const struct bulk_kind bulk_cert = {
	"cert.add.bulk",
	"SELECT id FROM certificate WHERE serial = ?1 AND id > ?2 ORDER BY id LIMIT 1",
	"SELECT id, serial FROM certificate WHERE id >= ?1 ORDER BY id"
	" LIMIT 1 OFFSET ?2",
	14, cert_content, { { "holder", 4 }, { "token", 11 } }
};

#define HOLDER_CODE "(SELECT code FROM agency WHERE id = h.agency_id)"
/* A token is born in the hands of the holder of its first certificate;
 * a token whose certificates all moved to another token (an import that
 * gives a certificate a new token: cert.update, its before naming this
 * one) in the hands of the holder of the first that left it
 * (temp.td_left, made once from those rows by evidence_sql; looked up
 * only for such tokens: coalesce stops at the first value). */
#define TOKEN_BORN \
	"('holder:' || coalesce((SELECT h.ext_id FROM certificate c JOIN holder h" \
	" ON h.id = c.holder_id WHERE c.token_id = t.id ORDER BY c.id LIMIT 1)," \
	" (SELECT holder FROM temp.td_left WHERE token = t.serial ORDER BY ord" \
	" LIMIT 1)))"

#define TAG_LOADED "EXISTS (SELECT 1 FROM temp.td_tag_member m WHERE m.id = tag.id)"
#define TAG_BORN \
	"coalesce((SELECT aid FROM temp.td_tag_member m WHERE m.id = tag.id), 0)"

/* To audit a new table, add its entry here. */
const struct audited td_audited[] = {
	{ "agency", "agency", "agency.*", FOLD,
	  "SELECT a.code, json_object('code', a.code, 'name', a.name, 'parent',"
	  " p.code, 'level', a.level, 'valid_from', a.valid_from, 'valid_to',"
	  " a.valid_to), NULL, 0, a.id, 1, " TD_BULK_AGENCY_CONTENT
	  TD_BULK_AGENCY_FROM " ORDER BY a.id",
	  "SELECT count(*) FROM agency WHERE code = ?1", &bulk_agency, "agency", 0 },
	/* A certificate's images also carry its holder's and token's fields
	 * as they were then; those are checked in their own tables. */
	{ "certificate", "cert", "cert.*", FOLD,
	  "SELECT c.serial, json_object('serial', c.serial, 'issuer', " TD_CERT_ISSUER_DN ","
	  " 'subject', c.subject_dn, 'kind', c.kind, 'holder_id', h.ext_id,"
	  " 'not_before', c.not_before, 'not_after', c.not_after, 'status',"
	  " c.status, 'revoked_at', c.revoked_at, 'token', t.serial,"
	  " 'fingerprint', c.fingerprint),"
	  " json_object('status', 'active', 'revoked_at', NULL), 0, c.id,"
	  " c.status = 'active' AND c.revoked_at IS NULL,"
	  " " TD_BULK_CERT_CONTENT TD_BULK_CERT_FROM " ORDER BY c.id",
	  "SELECT count(*) FROM certificate WHERE serial = ?1", &bulk_cert,
	  "certificate", 0 },
	{ "holder", "holder", "holder.*", FOLD,
	  "SELECT h.ext_id, json_object('name', h.name, 'position', h.position,"
	  " 'email', h.email, 'agency', " HOLDER_CODE ", 'no_longer_needed',"
	  " h.no_longer_needed), json_object('no_longer_needed', 0),"
	  " EXISTS (SELECT 1 FROM certificate WHERE holder_id = h.id), h.id,"
	  " h.no_longer_needed = 0"
	  " FROM holder h ORDER BY h.id",
	  "SELECT count(*) FROM holder WHERE kind IN ('org', 'person')"
	  " AND ext_id = ?1", NULL,
	  "holder", 0 },
	/* A token is born with the holder of its first certificate. */
	{ "token", "token", "token.*", FOLD,
	  "SELECT t.serial, json_object('serial', t.serial, 'model', t.model,"
	  " 'state', t.state, 'custodian', t.custodian),"
	  " json_patch(json_object('state', 'in_use'), json_object('custodian',"
	  "  " TOKEN_BORN ")), " TOKEN_BORN " IS NOT NULL, t.id,"
	  " t.state = 'in_use' AND t.custodian IS " TOKEN_BORN
	  " FROM token t ORDER BY t.id",
	  "SELECT count(*) FROM token WHERE serial = ?1", NULL,
	  "token", 0 },
	{ "custody event", "token", "token.move", SEQ,
	  "SELECT t.serial, json_object('custodian', e.to_custodian, 'state',"
	  " e.state, 'event', json_object('at', e.at, 'operator', e.operator,"
	  " 'from', e.from_custodian, 'condition', e.condition, 'remarks',"
	  " e.remarks)) FROM custody_event e JOIN token t ON t.id = e.token_id"
	  " ORDER BY e.token_id, e.id",
	  "SELECT count(*) FROM custody_event e JOIN token t ON t.id = e.token_id"
	  " WHERE t.serial = ?1", NULL,
	  "custody_event", 0 },
	{ "handover", "handover", "handover.*", FOLD,
	  "SELECT h.number, json_object('number', h.number, 'kind', h.kind, 'at',"
	  " h.at, 'place', h.place, 'operator', h.operator, 'from',"
	  " h.from_custodian, 'to', h.to_custodian, 'condition', h.condition,"
	  " 'remarks', h.remarks, 'from_name', h.from_name, 'to_name', h.to_name,"
	  " 'items', (SELECT json_group_array(json_object("
	  "  'key', key, 'from', from_custodian, 'state', state_after, 'proof',"
	  "  proof, 'detail', detail, 'from_name', from_name, 'holders', holders,"
	  "  'certs', certs, 'state_before', state_before, 'condition', condition,"
	  "  'remarks', remarks, 'proof_detail', proof_detail))"
	  "  FROM (SELECT * FROM handover_item WHERE handover_id = h.id"
	  "  ORDER BY pos))), NULL, 0, h.id, 1 FROM handover h ORDER BY h.id",
	  "SELECT count(*) FROM handover WHERE number = ?1", NULL,
	  "handover", 0 },
	{ "dossier", "dossier", "dossier.*", FOLD,
	  "SELECT d.ref, json_object('ref', d.ref, 'kind', d.kind, 'agency',"
	  " (SELECT code FROM agency WHERE id = d.agency_id), 'holder',"
	  " (SELECT ext_id FROM holder WHERE id = d.holder_id), 'status', d.status,"
	  " 'remarks', d.remarks, 'created_at', d.created_at), NULL, 0, d.id, 1"
	  " FROM dossier d ORDER BY d.id",
	  "SELECT count(*) FROM dossier WHERE ref = ?1", NULL,
	  "dossier", 0 },
	/* A tag a plan apply added (audit_tag_bulk.c: temp.td_tag_member) has
	 * no row of its own: its content is in the load's digest, and it is
	 * born tagged, in no batch, updated when created. */
	{ "tag", "tag", "tag.*", FOLD,
	  "SELECT target, json_object('target_kind', target_kind, 'target', target,"
	  " 'kind', kind, 'request', request, 'state', state, 'batch', batch,"
	  " 'origin', origin, 'rule', rule, 'reason', reason, 'detail', detail,"
	  " 'created', created, 'updated', updated), CASE WHEN " TAG_LOADED " THEN"
	  " json_object('state', 'tagged', 'batch', NULL, 'updated', created) END, "
	  TAG_LOADED ", id, NOT " TAG_LOADED " OR (state = 'tagged' AND batch IS NULL"
	  " AND updated IS created), " TAG_BORN " FROM " TD_TAG_ROWS " tag ORDER BY id",
	  /* The IN lets the UNIQUE (target_kind, target) index answer: on
	   * target alone this scanned every tag for every key the audit
	   * names (a plan applied by an earlier release: 32,811 tag.add
	   * rows took 60 s to verify). */
	  "SELECT count(*) FROM tag WHERE target_kind IN ('cert', 'token',"
	  " 'agency') AND target = ?1", NULL,
	  "tag", 0 },
	/* A closed count's tallies are those of its frozen lines. */
	{ "count", "count", "count.*", FOLD,
	  "SELECT uid, json_patch(json_object('uid', uid, 'scope_kind', scope_kind,"
	  " 'scope', scope, 'started_at', started_at, 'operator', operator,"
	  " 'closed_at', closed_at, 'closed_by', closed_by, 'lines_sha256', "
	  TD_COUNT_LINES_SHA256("s.id") "), (SELECT json_object("
	  "  " TD_COUNT_TALLIES ")"
	  "  FROM count_result WHERE count_id = s.id)), NULL, 0, id, 1"
	  " FROM count_session s ORDER BY id",
	  "SELECT count(*) FROM count_session WHERE uid = ?1", NULL,
	  "count_session", 0 },
	{ "count scan", "count", "count.scan", SEQ,
	  "SELECT c.uid, json_object('serial', s.serial, 'source', s.source,"
	  " 'at', s.at)"
	  " FROM count_scan s JOIN count_session c ON c.id = s.count_id"
	  " ORDER BY s.count_id, s.id",
	  "SELECT count(*) FROM count_scan s JOIN count_session c"
	  " ON c.id = s.count_id WHERE c.uid = ?1", NULL,
	  "count_scan", 0 },
	/* Audited as entity crl_import keyed by the row id, the whole row;
	 * releases before 7 wrote entity crl keyed by the CRL number with
	 * {this_update, entries, sha256}: those rows are matched to the
	 * imports of that number in order (evidence_sql). */
	{ "CRL import", "crl_import", "crl.import", FOLD,
	  "SELECT CAST(id AS TEXT), json_object('id', id, 'issuer', issuer,"
	  " 'crl_number', crl_number, 'this_update', this_update, 'next_update',"
	  " next_update, 'entries', entries, 'sha256', sha256, 'imported_at',"
	  " imported_at, 'ca_sha256', ca_sha256), NULL, 0, id, 1"
	  " FROM crl_import ORDER BY id",
	  "SELECT count(*) FROM crl_import WHERE id = ?1", NULL, "crl_import", 1 },
	/* The CAs pinned to sign CRLs (schema 7). */
	{ "CRL trust", "crl_trust", "crl.trust.*", FOLD,
	  "SELECT cert_sha256, json_object('id', id, 'subject', subject,"
	  " 'key_sha256', key_sha256, 'cert_sha256', cert_sha256, 'cert', cert,"
	  " 'added_at', added_at, 'added_by', added_by), NULL, 0, id, 1"
	  " FROM crl_trust ORDER BY id",
	  "SELECT count(*) FROM crl_trust WHERE cert_sha256 = ?1", NULL, "crl_trust",
	  1 },
	/* Signatures made on handovers' records (schema 8): entity
	 * handover_signature keyed by the row id, handover.sign's after the
	 * whole row.  A kit merge renumbers the rows it brings and writes
	 * their home row under the home id: the field's rows (kit ids) tell
	 * nothing here. */
	{ "handover_signature", "handover_signature", "handover.sign", FOLD,
	  "SELECT CAST(id AS TEXT), json_object('id', id, 'handover_id',"
	  " handover_id, 'signer_serial', signer_serial, 'signer_issuer',"
	  " signer_issuer, 'signer_subject', signer_subject, 'signed_at',"
	  " signed_at, 'pdf_sha256', pdf_sha256, 'operator', operator), NULL, 0,"
	  " id, 1 FROM handover_signature ORDER BY id",
	  "SELECT count(*) FROM handover_signature WHERE id = ?1", NULL,
	  "handover_signature", 1 },
	/* Signed checkpoints of the audit chain (schema 8), home's alone
	 * (kit_schema.c: local). */
	{ "audit_checkpoint", "audit_checkpoint", "audit.checkpoint", FOLD,
	  "SELECT CAST(id AS TEXT), json_object('id', id, 'head_id', head_id,"
	  " 'head_hash', head_hash, 'signed_at', signed_at, 'signer_serial',"
	  " signer_serial, 'signer_subject', signer_subject, 'cms', cms,"
	  " 'operator', operator), NULL, 0, id, 1 FROM audit_checkpoint ORDER BY id",
	  "SELECT count(*) FROM audit_checkpoint WHERE id = ?1", NULL,
	  "audit_checkpoint", 1 },
	/* The stored plan: one audit row per import, with the count and
	 * (since 2026-12) a digest of the events. */
	{ "plan", "plan", "plan.import", FOLD,
	  "SELECT NULL, json_object('events', (SELECT count(*) FROM plan_event),"
	  " 'content_sha256', " TD_PLAN_SHA256 "), NULL, 0, 0, 1"
	  " WHERE EXISTS (SELECT 1 FROM plan_event)",
	  "SELECT ?1 IS NULL AND (SELECT max(id) FROM plan_event) IS NOT NULL", NULL,
	  "plan_event", 0 },
	{ "plan pick", "agency", "plan.pick", FOLD,
	  "SELECT target_code, json_object('cert', cert_serial), NULL, 0, rowid, 1"
	  " FROM plan_pick ORDER BY rowid",
	  "SELECT count(*) FROM plan_pick WHERE target_code = ?1", NULL,
	  "plan_pick", 0 },
	{ "kit merge", "kit", "kit.merge", FOLD,
	  "SELECT uuid, json_object(), NULL, 0, rowid, 1 FROM kit_merged ORDER BY rowid",
	  "SELECT count(*) FROM kit_merged WHERE uuid = ?1", NULL,
	  "kit_merged", 0 },
};

const size_t td_n_audited = sizeof td_audited / sizeof td_audited[0];
