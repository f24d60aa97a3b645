/* audit_state.c: does the registry hold what its audit trail says?
 *
 * The hash chain proves the log was not edited; this proves the rows
 * were not either.  Each audited table is one entry of `audited` below:
 * how to read its rows as the images writers put in audit rows (the same
 * json_object names), which audit entity and actions tell about them,
 * and what a row is born with.  A row's expected image is its birth
 * image with the after-images of its audit rows applied in order (many
 * writers record only the fields they change: tag.send, cert.revoked);
 * an after of NULL (tag.delete, a pick cleared) means the row is gone.
 * Only the fields the audit names are compared, so rows written by an
 * older release whose images held fewer fields still verify.
 *
 * Rows added in bulk (imports) have no row of their own: their bulk
 * audit row's content digest is recomputed over them, in id order, as
 * they stood at the load (a field a later audit row changed is taken
 * from that row's before-image).
 *
 * "Sequence" tables (custody events, count scans) have one row per
 * audit row of their key, matched in order; a field row whose event or
 * scan a kit merge kept as a conflict has none (held_rules).
 *
 * Everything streams: one pass over each table in an index's order, an
 * indexed look-up of each row's audit rows, and a temporary table of the
 * few images that come from elsewhere (rows brought home by kit merges;
 * holder and token fields carried by certificate images). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "registry/internal.h"

enum shape { FOLD, SEQ };

/* A bulk kind: the additions its audit row folds, in content order. */
struct bulk_kind {
	const char *action;          /* "cert.add.bulk" */
	const char *start;           /* id of key ?1 after id ?2 */
	const char *end;             /* id and key of the ?2-th row from id ?1 */
	int n;                       /* content fields */
	const char *const *names;    /* their names in the table's images */
	/* Rows of other tables whose fields the content holds (a
	 * certificate's holder and token): their entity and the content
	 * field holding their key. */
	struct { const char *entity; int key; } sides[2];
};

struct audited {
	const char *table;    /* named in messages */
	const char *entity;   /* audit entity */
	const char *actions;  /* GLOB of the actions about these rows */
	enum shape shape;
	/* FOLD: key, image, birth image (or NULL), "covered" (no audit row
	 * needed: the row is told by another's, e.g. a holder by its
	 * certificates), id, "as born" (the row still equals its birth image:
	 * computed here so the many rows that never changed cost no JSON
	 * parsing), then the bulk content fields; in id order.
	 * SEQ: key, image; ordered by key, then id. */
	const char *rows;
	const char *count;    /* rows with key ?1 */
	const struct bulk_kind *bulk;
	/* The SQL table; an entry whose table this registry's schema does
	 * not have yet is skipped (its writer came with a later release). */
	const char *sql_table;
	/* Home's alone: a kit merge never brings its rows (kit_schema.c), so
	 * audit rows the field wrote about it tell nothing here. */
	int home_only;
};

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
static const struct audited audited[] = {
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
	  " AND updated IS created), " TAG_BORN " FROM tag ORDER BY id",
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
	  " 'closed_at', closed_at, 'closed_by', closed_by), (SELECT json_object("
	  "  'found', sum(outcome = 'found'), 'missing', sum(outcome = 'missing'),"
	  "  'unexpected', sum(outcome = 'unexpected'), 'unknown',"
	  "  sum(outcome = 'unknown'), 'duplicate', sum(scans > 1), 'expected',"
	  "  sum(outcome IN ('found', 'missing')), 'scans', sum(scans))"
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
	/* The stored plan: one audit row per import, with the count. */
	{ "plan", "plan", "plan.import", FOLD,
	  "SELECT NULL, json_object('events', count(*)), NULL, 0, 0, 1"
	  " FROM plan_event HAVING count(*) > 0",
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

#define N_AUDITED (sizeof audited / sizeof audited[0])

/* Images that do not sit in the home chain under their own key: rows
 * brought home by kit merges (ordered just before their merge's anchor
 * row), and the holder and token fields of certificate images. */
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
	", a.id, " CONFLICT_ENTITY("k") " || '.resolve', NULL, CASE k.tbl WHEN"
	" 'certificate' THEN json_remove(k.field_new, '$.holder_id') ELSE"
	" k.field_new END, NULL, 1, 1"
	" FROM audit a JOIN kit_conflict k ON k.id = CAST(a.entity_key AS INTEGER)"
	" WHERE a.action = 'kit.resolve' AND json_extract(a.after, '$.keep') = 'field'"
	" AND k.field_new IS NOT NULL AND k.tbl NOT IN ('custody_event', 'count_scan')",
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
	"CREATE INDEX IF NOT EXISTS temp.td_then_key ON td_then (entity, key, ord)",
	/* The tokens certificates left for another (TOKEN_BORN). */
	"CREATE TEMP TABLE IF NOT EXISTS td_left (token TEXT, holder TEXT,"
	" ord INTEGER)",
	"DELETE FROM temp.td_left",
	"INSERT INTO temp.td_left SELECT json_extract(before, '$.token'),"
	" json_extract(before, '$.holder_id'), id FROM audit WHERE entity = 'cert'"
	" AND action = 'cert.update' AND json_extract(before, '$.token') IS NOT NULL"
	" AND json_extract(before, '$.token') IS NOT json_extract(after, '$.token')",
	"CREATE INDEX IF NOT EXISTS temp.td_left_token ON td_left (token, ord)",
};

/* The audit rows of key ?1, oldest first (entity and actions written
 * in: SQLite prepares a statement again at every new binding of a GLOB
 * pattern, which cost more than the look-up). */
#define EVIDENCE \
	"SELECT ord, action, before, after, applies FROM (" \
	" SELECT id AS ord, action, before, after, 1 AS applies FROM main.audit" \
	"  WHERE entity = %Q AND entity_key IS ?1" \
	"  AND (action GLOB %Q OR action GLOB 'field:' || %Q)" \
	" UNION ALL SELECT ord, action, before, after, %s FROM temp.td_ev" \
	"  WHERE entity = %Q AND key IS ?1 AND action GLOB %Q) ORDER BY ord"

/* Every key the audit tells about. */
#define KEYS \
	"SELECT entity_key FROM main.audit WHERE entity = ?1" \
	" AND (action GLOB ?2 OR action GLOB 'field:' || ?2)" \
	" AND (entity_key IS NOT NULL OR action GLOB 'plan.*')" \
	" UNION SELECT key FROM temp.td_ev WHERE entity = ?1 AND action GLOB ?2" \
	" AND (key IS NOT NULL OR action GLOB 'plan.*')"

struct state_check {
	struct td_registry *reg;
	const struct audited *t;
	td_audit_diff_fn fn;
	void *ctx;
	int in_kit;   /* a field kit: rows copied at kit make have no audit row */
	int64_t differences;
	sqlite3_stmt *evidence, *count;
	sqlite3_stmt *then;   /* a side's first before-image after a bulk row */
	int have_then;        /* td_then has rows */
	struct td_error *err;
	int64_t born;         /* the row's load (audit id): older rows of its key
	                         tell of an earlier row (a tag deleted, then
	                         added again by a plan apply) */
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

static int mark_held_rule(struct state_check *c, const struct held_rule *r)
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
	    sqlite3_prepare_v2(c->reg->db, list, -1, &conf, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->reg->db, find, -1, &hit, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->reg->db, "UPDATE temp.td_ev SET landed = 0"
	                       " WHERE rowid = ?1", -1, &held, NULL) != SQLITE_OK ||
	    /* a copy for the sequence alone: the event moved no token */
	    sqlite3_prepare_v2(c->reg->db, "INSERT INTO temp.td_ev SELECT entity, ?2,"
	                       " ?3, action, before, after, kit, 0, 1 FROM temp.td_ev"
	                       " WHERE rowid = ?1", -1, &again, NULL) != SQLITE_OK)
		rc = td_reg_db_error(c->reg, c->err, "reading kit conflicts");
	while (rc == TD_OK && (step = sqlite3_step(conf)) == SQLITE_ROW) {
		int64_t row = held_row(hit, conf);
		const char *status = (const char *)sqlite3_column_text(conf, HC_STATUS);
		if (!row)
			continue;   /* no such row: audit verify names the difference */
		sqlite3_reset(held);
		sqlite3_bind_int64(held, 1, row);
		if (sqlite3_step(held) != SQLITE_DONE)
			rc = td_reg_db_error(c->reg, c->err, "reading kit conflicts");
		if (rc < 0 || !status || strcmp(status, "kept_field") != 0 ||
		    sqlite3_column_type(conf, HC_LANDED) == SQLITE_NULL ||
		    sqlite3_column_type(conf, HC_RESOLVE) == SQLITE_NULL)
			continue;
		sqlite3_reset(again);
		sqlite3_bind_int64(again, 1, row);
		sqlite3_bind_value(again, 2, sqlite3_column_value(conf, HC_LANDED));
		sqlite3_bind_value(again, 3, sqlite3_column_value(conf, HC_RESOLVE));
		if (sqlite3_step(again) != SQLITE_DONE)
			rc = td_reg_db_error(c->reg, c->err, "reading kit conflicts");
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(c->reg, c->err, "reading kit conflicts");
	sqlite3_finalize(conf);
	sqlite3_finalize(hit);
	sqlite3_finalize(held);
	sqlite3_finalize(again);
	sqlite3_free(list);
	sqlite3_free(find);
	return rc;
}

/* ---- reporting ------------------------------------------------------- */

/* A value as a message shows it: 'text', a number, NULL. */
static void show_value(const json_t *v, char *out, size_t size)
{
	char *text;

	if (!v || json_is_null(v))
		snprintf(out, size, "NULL");
	else if (json_is_string(v))
		snprintf(out, size, "'%s'", json_string_value(v));
	else if ((text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY))) {
		snprintf(out, size, "%s", text);
		free(text);
	} else
		snprintf(out, size, "?");
	if (strlen(out) == size - 1 && size > 4)
		memcpy(out + size - 4, "...", 4);
}

/* Report one difference (d's table is filled in here). */
static void differ(struct state_check *c, struct td_audit_diff d)
{
	d.table = c->t->table;
	c->differences++;
	if (c->fn)
		c->fn(&d, c->ctx);
}

/* differ() for audit_tag_bulk.c's loads. */
static void differ_cb(const struct td_audit_diff *d, void *ctx)
{
	differ(ctx, *d);
}

/* Compare every field the audit names that the row has too; objects
 * (and arrays of them, as a handover's items) field by field, so that an
 * image from an older release, with fewer fields, still fits.  path
 * names the field in messages ("items[2].proof"). */
static void compare_value(struct state_check *c, const char *key, const char *path,
                          json_t *have, json_t *want, int64_t nth);

static void compare_object(struct state_check *c, const char *key,
                           const char *path, json_t *now, json_t *says,
                           int64_t nth)
{
	const char *field;
	json_t *want;

	json_object_foreach(says, field, want) {
		json_t *have = json_object_get(now, field);
		char sub[256];

		if (!have)
			continue;   /* not a field of this table's rows */
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", field);
		compare_value(c, key, sub, have, want, nth);
	}
}

static void compare_value(struct state_check *c, const char *key, const char *path,
                          json_t *have, json_t *want, int64_t nth)
{
	char a[200], b[200];

	if (json_is_object(have) && json_is_object(want)) {
		compare_object(c, key, path, have, want, nth);
		return;
	}
	if (json_is_array(have) && json_is_array(want) &&
	    json_array_size(have) == json_array_size(want)) {
		for (size_t i = 0; i < json_array_size(want); i++) {
			char sub[256];
			snprintf(sub, sizeof sub, "%s[%zu]", path, i + 1);
			compare_value(c, key, sub, json_array_get(have, i),
			              json_array_get(want, i), nth);
		}
		return;
	}
	/* The writers store "" as NULL. */
	if (json_equal(have, want) ||
	    (json_is_null(want) && json_is_string(have) && !*json_string_value(have)))
		return;
	show_value(have, a, sizeof a);
	show_value(want, b, sizeof b);
	differ(c, (struct td_audit_diff){ .kind = TD_DIFF_FIELD, .key = key,
	                                  .field = path, .is = a, .says = b,
	                                  .n = nth });
}

/* nth: the row's place among its key's rows in a sequence table (0 in
 * others), for the message. */
static void compare(struct state_check *c, const char *key, json_t *now,
                    json_t *says, int64_t nth)
{
	compare_object(c, key, "", now, says, nth);
}

/* ---- evidence -------------------------------------------------------- */

static int bind_evidence(struct state_check *c, const char *key)
{
	sqlite3_reset(c->evidence);
	if (key)
		sqlite3_bind_text(c->evidence, 1, key, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(c->evidence, 1);
	return TD_OK;
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
	const char *text = (const char *)sqlite3_column_text(st, i);

	return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

/* ---- bulk ranges ----------------------------------------------------- */

struct bulk_range {
	int64_t audit_id, start, end;   /* start 0: not located */
	int64_t added;
	char first[130], last[130], digest[65];
	struct td_sha256 *sha;
	int broken;
};

struct bulk_state {
	struct bulk_range *r;
	size_t n, at;
};

static int locate_range(struct state_check *c, const struct bulk_kind *k,
                        struct bulk_range *r, int64_t after_id)
{
	sqlite3_stmt *st;
	int rc = TD_OK;

	if (sqlite3_prepare_v2(c->reg->db, k->start, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "locating bulk rows");
	sqlite3_bind_text(st, 1, r->first, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		r->start = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!r->start)
		return TD_OK;
	if (sqlite3_prepare_v2(c->reg->db, k->end, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "locating bulk rows");
	sqlite3_bind_int64(st, 1, r->start);
	sqlite3_bind_int64(st, 2, r->added - 1);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 1);
		r->end = sqlite3_column_int64(st, 0);
		r->broken = !key || strcmp(key, r->last) != 0;
	} else {
		r->end = INT64_MAX;   /* fewer rows than were added */
		r->broken = 1;
	}
	sqlite3_finalize(st);
	return rc;
}

static void bulk_free(struct bulk_state *b)
{
	for (size_t i = 0; i < b->n; i++)
		td_sha256_free(b->r[i].sha);
	free(b->r);
	b->r = NULL;
	b->n = 0;
}

static int bulk_load(struct state_check *c, struct bulk_state *b)
{
	const struct bulk_kind *k = c->t->bulk;
	sqlite3_stmt *st;
	int64_t prev_end = 0;
	int rc = TD_OK;

	memset(b, 0, sizeof *b);
	if (!k)
		return TD_OK;
	if (sqlite3_prepare_v2(c->reg->db, "SELECT id, json_extract(after, '$.added'),"
	                       " json_extract(after, '$.first'), json_extract(after,"
	                       " '$.last'), json_extract(after, '$.content_sha256')"
	                       " FROM audit WHERE action = ? ORDER BY id", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "reading bulk audit rows");
	sqlite3_bind_text(st, 1, k->action, -1, SQLITE_STATIC);
	while (rc == TD_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct bulk_range *grown = realloc(b->r, (b->n + 1) * sizeof *grown), *r;
		if (!grown) {
			rc = td_error_set(c->err, TD_ERR_NOMEM, "out of memory");
			break;
		}
		b->r = grown;
		r = memset(&b->r[b->n++], 0, sizeof *r);
		r->audit_id = sqlite3_column_int64(st, 0);
		r->added = sqlite3_column_int64(st, 1);
		snprintf(r->first, sizeof r->first, "%s", sqlite3_column_text(st, 2)
		         ? (const char *)sqlite3_column_text(st, 2) : "");
		snprintf(r->last, sizeof r->last, "%s", sqlite3_column_text(st, 3)
		         ? (const char *)sqlite3_column_text(st, 3) : "");
		snprintf(r->digest, sizeof r->digest, "%s", sqlite3_column_text(st, 4)
		         ? (const char *)sqlite3_column_text(st, 4) : "");
		if (!(r->sha = td_sha256_new(c->err)))
			rc = c->err->code;
		else if ((rc = locate_range(c, k, r, prev_end)) == TD_OK && r->start)
			prev_end = r->end;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; rc == TD_OK && i < b->n; i++)
		if (!b->r[i].start || b->r[i].broken)
			differ(c, (struct td_audit_diff){ .kind = TD_DIFF_BULK_ROWS,
			       .n = b->r[i].added, .audit_id = b->r[i].audit_id,
			       .action = k->action, .first = b->r[i].first,
			       .last = b->r[i].last });
	return rc;
}

/* The bulk range row id falls in, or NULL. */
static struct bulk_range *bulk_find(struct bulk_state *b, int64_t id)
{
	while (b->at < b->n && (!b->r[b->at].start || b->r[b->at].end < id))
		b->at++;
	if (b->at < b->n && b->r[b->at].start <= id)
		return &b->r[b->at];
	return NULL;
}

/* Add a row's content as it stood at the load: a field that a later
 * audit row changed comes from that row's before-image. */
static void bulk_add(struct state_check *c, struct bulk_range *r, sqlite3_stmt *st,
                     int first_col, json_t *then)
{
	const struct bulk_kind *k = c->t->bulk;
	const char *fields[16];

	for (int i = 0; i < k->n && i < 16; i++) {
		json_t *v = then ? json_object_get(then, k->names[i]) : NULL;
		fields[i] = v ? json_string_value(v)
		              : (const char *)sqlite3_column_text(st, first_col + i);
	}
	td_reg_bulk_hash_row(r->sha, fields, k->n);
}

static void bulk_close(struct state_check *c, struct bulk_range *r)
{
	char hex[65];

	td_sha256_hex(r->sha, hex);
	if (!r->broken && strcmp(hex, r->digest) != 0)
		differ(c, (struct td_audit_diff){ .kind = TD_DIFF_BULK_DIGEST,
		       .n = r->added, .audit_id = r->audit_id,
		       .action = c->t->bulk->action, .first = r->first,
		       .last = r->last });
}

/* ---- one table ------------------------------------------------------- */

/* Fold a key's audit rows over its birth image (column 2 of st); *state
 * stays NULL when there are none.  *then gets the before-image of the
 * first row after `since` (for bulk content), *deleted whether the newest
 * row removed it, *rows how many there were. */
static int fold(struct state_check *c, const char *key, sqlite3_stmt *st,
                json_t **state, int64_t since, json_t **then, int *deleted,
                int *rows)
{
	int step;

	*deleted = 0;
	*rows = 0;
	bind_evidence(c, key);
	while ((step = sqlite3_step(c->evidence)) == SQLITE_ROW) {
		json_t *after;
		if (!sqlite3_column_int(c->evidence, 4))
			continue;   /* a field change home did not take */
		if (sqlite3_column_double(c->evidence, 0) <= (double)c->born)
			continue;   /* an earlier life of the key (check_fold_row) */
		if (!*state && !(st && (*state = col_json(st, 2))))
			*state = json_object();
		after = col_json(c->evidence, 3);
		if (then && !*then && sqlite3_column_double(c->evidence, 0) > (double)since)
			*then = col_json(c->evidence, 2);
		(*rows)++;
		*deleted = !after;
		if (json_is_object(after))
			json_object_update(*state, after);
		json_decref(after);
	}
	sqlite3_reset(c->evidence);
	return step == SQLITE_DONE ? TD_OK
	                           : td_reg_db_error(c->reg, c->err, "reading the audit log");
}

/* Columns of a FOLD table's rows query. */
enum { COL_KEY, COL_IMAGE, COL_BIRTH, COL_COVERED, COL_ID, COL_AS_BORN, COL_CONTENT };

/* The holder's and token's fields of a bulk-loaded certificate as they
 * were at the load, over then (the certificate's own before-image): a
 * shared holder may have changed through another certificate.  The
 * holder or token is the one the certificate named at the load: then's
 * when it has the field (an import since gave the certificate another
 * token, whose own later changes tell nothing about the load; null: it
 * had none), else the row's. */
static json_t *side_then(struct state_check *c, sqlite3_stmt *st, int64_t since,
                         json_t *then)
{
	const struct bulk_kind *k = c->t->bulk;

	for (int i = 0; c->have_then && i < 2 && k->sides[i].entity; i++) {
		json_t *was = json_is_object(then)
		              ? json_object_get(then, k->names[k->sides[i].key]) : NULL;
		const char *key = json_is_string(was) ? json_string_value(was)
		                  : (const char *)sqlite3_column_text(st, COL_CONTENT +
		                                                      k->sides[i].key);
		json_t *side;

		if (!key || json_is_null(was))
			continue;   /* none then: nothing of it in the content */
		sqlite3_reset(c->then);
		sqlite3_bind_text(c->then, 1, k->sides[i].entity, -1, SQLITE_STATIC);
		sqlite3_bind_text(c->then, 2, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(c->then, 3, since);
		if (sqlite3_step(c->then) == SQLITE_ROW && (side = col_json(c->then, 0))) {
			if (!json_is_object(then)) {
				json_decref(then);
				then = json_object();
			}
			json_object_update(then, side);
			json_decref(side);
		}
		sqlite3_reset(c->then);
	}
	return then;
}

static int check_fold_row(struct state_check *c, sqlite3_stmt *st,
                          struct bulk_state *b)
{
	const char *key = (const char *)sqlite3_column_text(st, COL_KEY);
	json_t *now = NULL, *state = NULL, *then = NULL;
	int64_t id = sqlite3_column_int64(st, COL_ID);
	struct bulk_range *r = c->t->bulk ? bulk_find(b, id) : NULL;
	int deleted, rows, rc;

	/* A FOLD table with no bulk content may give a 7th column: the audit
	 * row that added the row in a load (tags: TAG_BORN). */
	c->born = !c->t->bulk && sqlite3_column_count(st) > COL_CONTENT
	          ? sqlite3_column_int64(st, COL_CONTENT) : 0;

	rc = fold(c, key, st, &state, r ? r->audit_id : INT64_MAX, r ? &then : NULL,
	          &deleted, &rows);
	if (rc < 0 || (c->in_kit && !rows))
		;   /* as kit make copied it: the merge diffs it against its base */
	else {
		if (r) {
			then = side_then(c, st, r->audit_id, then);
			bulk_add(c, r, st, COL_CONTENT, json_is_object(then) ? then : NULL);
			if (id == r->end)
				bulk_close(c, r);
		}
		if (!rows && !r && !sqlite3_column_int(st, COL_COVERED))
			differ(c, (struct td_audit_diff){ .kind = TD_DIFF_UNAUDITED,
			                                  .key = key });
		else if (deleted)
			differ(c, (struct td_audit_diff){ .kind = TD_DIFF_REMOVED,
			                                  .key = key });
		else if (rows || !sqlite3_column_int(st, COL_AS_BORN)) {
			if (!state && !(state = col_json(st, COL_BIRTH)))
				state = json_object();
			now = col_json(st, COL_IMAGE);
			compare(c, key, now, state, 0);
		}
	}
	c->born = 0;
	json_decref(now);
	json_decref(state);
	json_decref(then);
	return rc;
}

/* The key's next audit row whose custody event or scan is here (one the
 * merge kept as a conflict is not). */
static int next_landed(struct state_check *c)
{
	int step;

	while ((step = sqlite3_step(c->evidence)) == SQLITE_ROW &&
	       !sqlite3_column_int(c->evidence, 4))
		;
	return step;
}

/* A SEQ table's rows of one key against its audit rows, in order.  st
 * is on the key's first row; returns with st past its last. */
static int check_seq_key(struct state_check *c, sqlite3_stmt *st, int *step)
{
	char *key = td_reg_col_dup(st, 0);
	const char *k;
	int64_t rows = 0, told = 0;
	int ev = SQLITE_ROW;

	bind_evidence(c, key);
	do {
		json_t *now = col_json(st, 1), *after = NULL;
		rows++;
		if (ev == SQLITE_ROW && (ev = next_landed(c)) == SQLITE_ROW) {
			told++;
			after = col_json(c->evidence, 3);
			if (json_is_object(after))
				compare(c, key, now, after, rows);
		}
		json_decref(now);
		json_decref(after);
		*step = sqlite3_step(st);
		k = *step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	} while (*step == SQLITE_ROW && (k && key ? strcmp(k, key) == 0 : k == key));
	while (ev == SQLITE_ROW && (ev = next_landed(c)) == SQLITE_ROW)
		told++;
	sqlite3_reset(c->evidence);
	if (rows != told)
		differ(c, (struct td_audit_diff){ .kind = TD_DIFF_COUNT, .key = key,
		                                  .n = rows, .told = told });
	free(key);
	return ev == SQLITE_DONE || ev == SQLITE_ROW ? TD_OK
	       : td_reg_db_error(c->reg, c->err, "reading the audit log");
}

static int check_rows(struct state_check *c)
{
	struct bulk_state b;
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = bulk_load(c, &b)) < 0) {
		bulk_free(&b);
		return rc;
	}
	if (sqlite3_prepare_v2(c->reg->db, c->t->rows, -1, &st, NULL) != SQLITE_OK) {
		bulk_free(&b);
		return td_reg_db_error(c->reg, c->err, "reading the registry");
	}
	step = sqlite3_step(st);
	while (rc == TD_OK && step == SQLITE_ROW) {
		if (c->t->shape == SEQ)
			rc = check_seq_key(c, st, &step);
		else if ((rc = check_fold_row(c, st, &b)) == TD_OK)
			step = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	bulk_free(&b);
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(c->reg, c->err, "reading the registry");
	return rc;
}

/* Keys the audit tells about that have no row now. */
static int check_missing(struct state_check *c)
{
	sqlite3_stmt *keys;
	int rc = TD_OK, step;

	if (sqlite3_prepare_v2(c->reg->db, KEYS, -1, &keys, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->reg->db, c->t->count, -1, &c->count, NULL) != SQLITE_OK) {
		sqlite3_finalize(keys);
		return td_reg_db_error(c->reg, c->err, "reading the audit log");
	}
	sqlite3_bind_text(keys, 1, c->t->entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(keys, 2, c->t->actions, -1, SQLITE_STATIC);
	while (rc == TD_OK && (step = sqlite3_step(keys)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(keys, 0);
		json_t *state = NULL;
		int deleted, rows;

		sqlite3_reset(c->count);
		sqlite3_bind_value(c->count, 1, sqlite3_column_value(keys, 0));
		if (sqlite3_step(c->count) == SQLITE_ROW && sqlite3_column_int64(c->count, 0) == 0 &&
		    (rc = fold(c, key, NULL, &state, INT64_MAX, NULL, &deleted, &rows)) == TD_OK &&
		    rows && !deleted)
			differ(c, (struct td_audit_diff){ .kind = TD_DIFF_MISSING, .key = key });
		json_decref(state);
	}
	if (rc == TD_OK && step != SQLITE_DONE)
		rc = td_reg_db_error(c->reg, c->err, "reading the audit log");
	sqlite3_finalize(keys);
	sqlite3_finalize(c->count);
	c->count = NULL;
	return rc;
}

/* ---- foreign keys ---------------------------------------------------- */

static int check_foreign_keys(struct state_check *c)
{
	static const struct audited fk = { "foreign key", NULL, NULL, FOLD, NULL,
	                                   NULL, NULL, NULL, 0 };
	sqlite3_stmt *st;
	int step;

	c->t = &fk;
	if (sqlite3_prepare_v2(c->reg->db, "PRAGMA foreign_key_check", -1, &st, NULL)
	    != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "checking foreign keys");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		differ(c, (struct td_audit_diff){ .kind = TD_DIFF_FOREIGN_KEY,
		       .key = (const char *)sqlite3_column_text(st, 0),
		       .n = sqlite3_column_int64(st, 1),
		       .field = (const char *)sqlite3_column_text(st, 2) });
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? TD_OK
	                           : td_reg_db_error(c->reg, c->err, "checking foreign keys");
}

/* The evidence statement of table c->t. */
static int prepare_table(struct state_check *c)
{
	const struct audited *t = c->t;
	char *sql = sqlite3_mprintf(EVIDENCE, t->entity, t->actions, t->actions,
	                            t->shape == SEQ ? "landed" : "applies",
	                            t->entity, t->actions);
	int rc;

	sqlite3_finalize(c->evidence);
	c->evidence = NULL;
	if (!sql)
		return td_error_set(c->err, TD_ERR_NOMEM, "out of memory");
	rc = sqlite3_prepare_v2(c->reg->db, sql, -1, &c->evidence, NULL);
	sqlite3_free(sql);
	return rc == SQLITE_OK ? TD_OK
	                       : td_reg_db_error(c->reg, c->err, "reading the audit log");
}

/* Does this registry's schema have the table yet? */
static int has_table(struct td_registry *reg, const char *name)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(reg->db, "SELECT 1 FROM sqlite_schema WHERE type ="
	                       " 'table' AND name = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found;
}

static int prepare_evidence(struct state_check *c)
{
	sqlite3_stmt *st;

	for (size_t i = 0; i < sizeof evidence_sql / sizeof evidence_sql[0]; i++) {
		int rc = td_reg_exec(c->reg, evidence_sql[i], c->err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < sizeof held_rules / sizeof held_rules[0]; i++) {
		int rc = mark_held_rule(c, &held_rules[i]);
		if (rc < 0)
			return rc;
	}
	if (td_reg_tag_bulk_members(c->reg, c->err) < 0)
		return c->err->code;
	for (size_t i = 0; i < N_AUDITED; i++) {
		char *sql;
		int rc;
		if (!audited[i].home_only)
			continue;
		sql = sqlite3_mprintf("DELETE FROM temp.td_ev WHERE kit IS NOT NULL"
		                      " AND entity = %Q", audited[i].entity);
		rc = sql ? td_reg_exec(c->reg, sql, c->err)
		         : td_error_set(c->err, TD_ERR_NOMEM, "out of memory");
		sqlite3_free(sql);
		if (rc < 0)
			return rc;
	}
	if (sqlite3_prepare_v2(c->reg->db, "SELECT EXISTS (SELECT 1 FROM temp.td_then)",
	                       -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "reading the audit log");
	c->have_then = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(c->reg->db, "SELECT was FROM temp.td_then"
	                       " WHERE entity = ?1 AND key = ?2 AND ord > ?3"
	                       " ORDER BY ord LIMIT 1", -1, &c->then, NULL) != SQLITE_OK)
		return td_reg_db_error(c->reg, c->err, "reading the audit log");
	return TD_OK;
}

int td_reg_audit_verify_state(struct td_registry *reg, td_audit_diff_fn fn,
                              void *ctx, int64_t *differences, struct td_error *err)
{
	struct state_check c = { reg, NULL, fn, ctx, td_reg_is_field_kit(reg), 0, NULL, NULL,
	                         NULL, 0, err, 0 };
	int rc;

	/* One read transaction: every table as of one moment. */
	if ((rc = td_reg_exec(reg, "BEGIN", err)) < 0)
		return rc;
	rc = prepare_evidence(&c);
	for (size_t i = 0; rc == TD_OK && i < N_AUDITED; i++) {
		c.t = &audited[i];
		/* A kit's copied history has no audit rows in the kit, so its
		 * sequences cannot be matched; home checks them after merge. */
		if ((c.in_kit && c.t->shape == SEQ) || !has_table(reg, c.t->sql_table))
			continue;
		if ((rc = prepare_table(&c)) < 0)
			break;
		if ((rc = check_rows(&c)) == TD_OK)
			rc = check_missing(&c);
		if (rc == TD_OK && strcmp(c.t->sql_table, "tag") == 0)
			rc = td_reg_tag_bulk_verify(reg, differ_cb, &c, err);
	}
	if (rc == TD_OK)
		rc = check_foreign_keys(&c);
	sqlite3_finalize(c.evidence);
	sqlite3_finalize(c.then);
	sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_ev", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_then", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_left", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_tbulk", NULL, NULL, NULL);
	sqlite3_exec(reg->db, "DROP TABLE IF EXISTS temp.td_tag_member", NULL, NULL, NULL);
	if (differences)
		*differences = c.differences;
	if (rc == TD_OK && c.differences)
		rc = td_error_set(err, TD_ERR_CONFLICT, "%" PRId64 " row(s) differ from"
		                  " what the audit trail says: they were changed by hand",
		                  c.differences);
	return rc;
}

/* The per-key count queries run once for every key the audit log names:
 * each must be a look-up, never a scan of its table (EXPLAIN QUERY PLAN
 * "SCAN"), or the check grows with the square of the log. */
int td_reg_audit_count_scans(struct td_registry *reg, const char **first)
{
	int scans = 0;

	*first = NULL;
	for (size_t i = 0; i < N_AUDITED; i++) {
		char *sql;
		sqlite3_stmt *st;
		int scan = 0;

		if (!has_table(reg, audited[i].sql_table))
			continue;
		sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", audited[i].count);
		if (sql && sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				const char *step = (const char *)sqlite3_column_text(st, 3);
				scan |= step && strncmp(step, "SCAN", 4) == 0 &&
				        strcmp(step, "SCAN CONSTANT ROW") != 0;
			}
			sqlite3_finalize(st);
		} else {
			scan = 1;   /* a query that does not even prepare */
		}
		sqlite3_free(sql);
		if (scan && !*first)
			*first = audited[i].table;
		scans += scan;
	}
	return scans;
}

/* ---- the head -------------------------------------------------------- */

int td_reg_audit_head(struct td_registry *reg, int64_t *id, char hash[65],
                      struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	hash[0] = '\0';
	if (sqlite3_prepare_v2(reg->db, "SELECT id, hash FROM audit ORDER BY id DESC"
	                       " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(hash, 65, "%s", sqlite3_column_text(st, 1)
		         ? (const char *)sqlite3_column_text(st, 1) : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
	       ? TD_OK : td_reg_db_error(reg, err, "reading the audit log");
}

int td_reg_audit_check_kept(struct td_registry *reg, int64_t id, const char *hash,
                            int *why, char stored[65], struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*why = 0;
	stored[0] = '\0';
	if (sqlite3_prepare_v2(reg->db, "SELECT hash FROM audit WHERE id = ?", -1, &st,
	                       NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "reading the audit log");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(stored, 65, "%s", sqlite3_column_text(st, 0)
		         ? (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "reading the audit log");
	if (rc == SQLITE_DONE)
		*why = 1;
	else if (strcasecmp(stored, hash) != 0)
		*why = 2;
	if (!*why)
		return TD_OK;
	return td_error_set(err, TD_ERR_CONFLICT, *why == 1
	                    ? "the kept head %" PRId64 " is no longer in the audit"
	                      " log: the chain was cut off before it"
	                    : "audit row %" PRId64 " has another hash than the kept"
	                      " one: the chain was rewritten since that head was"
	                      " kept", id);
}
