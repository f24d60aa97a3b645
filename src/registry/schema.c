/* schema.c: the registry's tables and their forward migrations.
 *
 * PRAGMA user_version holds how many steps of `migrations` a file has.
 * A step is never edited once released: change the schema by appending a
 * step.  Each runs in its own transaction with the version bump, so a
 * crash mid-migration leaves the file at the previous version. */
#include <config.h>

#include <stdio.h>

#include "registry/internal.h"

/* Step 12's lists of what a tag may say, for its note and its row. */
#define TAG_KIND_IN "kind IN ('change_info','revoke','keep','collect'," \
	"'handover_dossiers','renew','recover_token','new_issue')"
#define TAG_REQUEST_IN "request IN ('new_issue','renewal','info_change'," \
	"'revocation','token_recovery')"

static const char *const migrations[] = {
	/* 1: the core registry */
	"CREATE TABLE agency ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  parent_id INTEGER REFERENCES agency(id),"
	"  level TEXT NOT NULL CHECK (level IN ('province','department',"
	"        'division','district','commune','other')),"
	"  valid_from TEXT, valid_to TEXT);"
	"CREATE INDEX agency_parent ON agency(parent_id);"
	"CREATE TABLE holder ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('person','org')),"
	"  ext_id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  position TEXT, email TEXT,"
	"  agency_id INTEGER NOT NULL REFERENCES agency(id),"
	"  no_longer_needed INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (kind, ext_id));"
	"CREATE INDEX holder_agency ON holder(agency_id);"
	"CREATE TABLE token ("
	"  id INTEGER PRIMARY KEY,"
	"  serial TEXT NOT NULL UNIQUE,"
	"  model TEXT,"
	"  state TEXT NOT NULL DEFAULT 'in_use' CHECK (state IN ('in_use',"
	"        'at_agency','at_dost','sent_to_ca','lost','damaged')),"
	"  custodian TEXT NOT NULL);"
	"CREATE TABLE certificate ("
	"  id INTEGER PRIMARY KEY,"
	"  serial TEXT NOT NULL,"
	"  issuer_dn TEXT NOT NULL,"
	"  subject_dn TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('org','person')),"
	"  holder_id INTEGER NOT NULL REFERENCES holder(id),"
	"  not_before TEXT NOT NULL, not_after TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','revoked')),"
	"  revoked_at TEXT,"
	"  token_id INTEGER REFERENCES token(id),"
	"  fingerprint TEXT,"
	"  UNIQUE (serial, issuer_dn));"
	"CREATE INDEX cert_holder ON certificate(holder_id);"
	"CREATE INDEX cert_token ON certificate(token_id);"
	"CREATE INDEX cert_fingerprint ON certificate(fingerprint)"
	"  WHERE fingerprint IS NOT NULL;"
	"CREATE TABLE custody_event ("
	"  id INTEGER PRIMARY KEY,"
	"  token_id INTEGER NOT NULL REFERENCES token(id),"
	"  handover_id INTEGER,"
	"  at TEXT NOT NULL, operator TEXT NOT NULL,"
	"  from_custodian TEXT, to_custodian TEXT NOT NULL,"
	"  state TEXT NOT NULL, condition TEXT, remarks TEXT);"
	"CREATE INDEX custody_token ON custody_event(token_id);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL,"
	"  entity TEXT NOT NULL, entity_key TEXT,"
	"  before TEXT, after TEXT,"
	"  hash TEXT NOT NULL);"
	"CREATE INDEX audit_entity ON audit(entity, entity_key);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
	/* Search: a contentless FTS5 index over folded names (see search.c);
	 * rowid = record id * 4 + td_hit_kind.  Serials are found through
	 * their own unique indexes instead. */
	"CREATE VIRTUAL TABLE search_idx USING fts5(text, content='', columnsize=0,"
	"  tokenize='unicode61 remove_diacritics 2', prefix='2 3');",
	/* 2: reorganization: the stored merger plan, the operator's picks,
	 * tags (what must happen to a certificate, token or agency's
	 * dossiers, and how far it got) and imported CRLs. */
	"CREATE TABLE plan_event ("
	"  id INTEGER PRIMARY KEY, line INTEGER NOT NULL,"
	"  effective_date TEXT NOT NULL, event TEXT NOT NULL,"
	"  source_codes TEXT NOT NULL, target_code TEXT, target_name TEXT,"
	"  new_parent_code TEXT);"
	"CREATE TABLE plan_pick (target_code TEXT PRIMARY KEY,"
	"  cert_serial TEXT NOT NULL);"
	"CREATE TABLE tag ("
	"  id INTEGER PRIMARY KEY,"
	"  target_kind TEXT NOT NULL CHECK (target_kind IN ('cert','token','agency')),"
	"  target TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('change_info','revoke','keep',"
	"        'collect','handover_dossiers','renew','recover_token',"
	"        'new_issue')),"
	"  request TEXT CHECK (request IN ('new_issue','renewal','info_change',"
	"        'revocation','token_recovery')),"
	"  state TEXT NOT NULL DEFAULT 'tagged' CHECK (state IN ('tagged',"
	"        'sent_to_dost','confirmed')),"
	"  batch INTEGER,"
	"  origin TEXT NOT NULL CHECK (origin IN ('plan','manual')),"
	"  rule TEXT, reason TEXT, detail TEXT,"
	"  created TEXT NOT NULL, updated TEXT NOT NULL,"
	"  UNIQUE (target_kind, target));"
	"CREATE INDEX tag_state ON tag(state, batch);"
	"CREATE TABLE crl_import ("
	"  id INTEGER PRIMARY KEY, issuer TEXT NOT NULL, crl_number TEXT,"
	"  this_update TEXT NOT NULL, next_update TEXT, entries INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL, imported_at TEXT NOT NULL);",
	/* 3: inventory counts (count_*) and field kits (kit_*).  Counts keep
	 * every scan as its own row, so tallies are derived from stored scans
	 * and a killed process loses nothing committed; count_result freezes
	 * the outcome at close.  kit_base holds a kit's pristine image (the
	 * state at kit make), kit_merged the kits already merged here, and
	 * kit_conflict the field changes that met a different home change. */
	"CREATE TABLE count_session ("
	"  id INTEGER PRIMARY KEY,"
	"  uid TEXT NOT NULL UNIQUE,"
	"  scope_kind TEXT NOT NULL CHECK (scope_kind IN ('agency','custodian')),"
	"  scope TEXT NOT NULL,"
	"  started_at TEXT NOT NULL, operator TEXT NOT NULL,"
	"  closed_at TEXT, closed_by TEXT);"
	"CREATE TABLE count_scan ("
	"  id INTEGER PRIMARY KEY,"
	"  count_id INTEGER NOT NULL REFERENCES count_session(id),"
	"  serial TEXT NOT NULL, at TEXT NOT NULL,"
	"  source TEXT NOT NULL CHECK (source IN ('typed','inserted','file')));"
	"CREATE INDEX count_scan_serial ON count_scan(count_id, serial);"
	"CREATE TABLE count_result ("
	"  id INTEGER PRIMARY KEY,"
	"  count_id INTEGER NOT NULL REFERENCES count_session(id),"
	"  serial TEXT NOT NULL,"
	"  outcome TEXT NOT NULL CHECK (outcome IN ('found','missing',"
	"        'unexpected','unknown')),"
	"  scans INTEGER NOT NULL, custodian TEXT, custodian_name TEXT);"
	"CREATE INDEX count_result_count ON count_result(count_id);"
	"CREATE INDEX token_custodian ON token(custodian);"
	"CREATE INDEX holder_ext_id ON holder(ext_id);"
	"CREATE TABLE kit_base (id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  image BLOB NOT NULL);"
	"CREATE TABLE kit_merged (uuid TEXT PRIMARY KEY, merged_at TEXT NOT NULL,"
	"  operator TEXT NOT NULL, summary TEXT);"
	"CREATE TABLE kit_conflict ("
	"  id INTEGER PRIMARY KEY,"
	"  kit_uuid TEXT NOT NULL, tbl TEXT NOT NULL,"
	"  op TEXT NOT NULL CHECK (op IN ('insert','update','delete')),"
	"  pk TEXT NOT NULL, home TEXT, field_old TEXT, field_new TEXT,"
	"  reason TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open',"
	"        'kept_home','kept_field')),"
	"  resolved_at TEXT, resolved_by TEXT);",
	/* 4: handovers (number per year), their items, request dossiers */
	"CREATE TABLE handover ("
	"  id INTEGER PRIMARY KEY,"
	"  number TEXT NOT NULL UNIQUE,"
	"  year INTEGER NOT NULL, seq INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('token','dossier')),"
	"  at TEXT NOT NULL, place TEXT, operator TEXT NOT NULL,"
	"  from_custodian TEXT, from_name TEXT,"
	"  to_custodian TEXT NOT NULL, to_name TEXT,"
	"  condition TEXT, remarks TEXT,"
	"  UNIQUE (year, seq));"
	"CREATE TABLE dossier ("
	"  id INTEGER PRIMARY KEY,"
	"  ref TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('new_issue','renewal',"
	"        'info_change','token_recovery')),"
	"  agency_id INTEGER NOT NULL REFERENCES agency(id),"
	"  holder_id INTEGER REFERENCES holder(id),"
	"  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open',"
	"        'submitted','done','cancelled')),"
	"  created_at TEXT NOT NULL, remarks TEXT);"
	"CREATE INDEX dossier_agency ON dossier(agency_id);"
	"CREATE TABLE handover_item ("
	"  id INTEGER PRIMARY KEY,"
	"  handover_id INTEGER NOT NULL REFERENCES handover(id),"
	"  pos INTEGER NOT NULL,"
	"  token_id INTEGER REFERENCES token(id),"
	"  dossier_id INTEGER REFERENCES dossier(id),"
	"  event_id INTEGER REFERENCES custody_event(id),"
	"  key TEXT NOT NULL, detail TEXT,"
	"  from_custodian TEXT, from_name TEXT,"
	"  holders TEXT, certs TEXT,"
	"  state_before TEXT, state_after TEXT,"
	"  condition TEXT, remarks TEXT,"
	"  proof TEXT NOT NULL DEFAULT 'skipped' CHECK (proof IN ('skipped',"
	"        'matched','not_matched')),"
	"  proof_detail TEXT,"
	"  CHECK ((token_id IS NULL) <> (dossier_id IS NULL)));"
	"CREATE INDEX handover_item_of ON handover_item(handover_id, pos);"
	"CREATE INDEX custody_handover ON custody_event(handover_id);",
	/* 5: handover numbers per series: a field kit draws its own
	 * ("BG-YYYY-KKKKKK-NNNN"), so UNIQUE (year, seq) becomes
	 * UNIQUE (year, series, seq).  SQLite cannot change a constraint in
	 * place: rebuild the table.  Its items are set aside first, so that
	 * dropping the old table leaves no dangling reference (dropping a
	 * parent counts violations even when deferred), and put back after. */
	"CREATE TEMP TABLE handover_item_keep AS SELECT * FROM handover_item;"
	"DELETE FROM handover_item;"
	"CREATE TABLE handover_new ("
	"  id INTEGER PRIMARY KEY,"
	"  number TEXT NOT NULL UNIQUE,"
	"  year INTEGER NOT NULL, series TEXT NOT NULL DEFAULT '',"
	"  seq INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('token','dossier')),"
	"  at TEXT NOT NULL, place TEXT, operator TEXT NOT NULL,"
	"  from_custodian TEXT, from_name TEXT,"
	"  to_custodian TEXT NOT NULL, to_name TEXT,"
	"  condition TEXT, remarks TEXT,"
	"  UNIQUE (year, series, seq));"
	"INSERT INTO handover_new (id, number, year, seq, kind, at, place, operator,"
	"  from_custodian, from_name, to_custodian, to_name, condition, remarks)"
	"  SELECT id, number, year, seq, kind, at, place, operator, from_custodian,"
	"  from_name, to_custodian, to_name, condition, remarks FROM handover;"
	"DROP TABLE handover;"
	"ALTER TABLE handover_new RENAME TO handover;"
	"INSERT INTO handover_item SELECT * FROM temp.handover_item_keep;"
	"DROP TABLE temp.handover_item_keep;",
	/* 6: the audit rows a field kit brought home, as the kit wrote them
	 * (ids, times, operators and hashes of the kit's own chain).  The
	 * home chain anchors them with one row per merge (kit.merge, whose
	 * after names the rows' id range and the kit chain's hashes before
	 * and after them), so they verify without being hashed a second
	 * time (see audit_field.c).  Until this step, merges re-appended each
	 * field row to the home chain as "field:ACTION"; those rows stay. */
	"CREATE TABLE kit_field_audit ("
	"  id INTEGER PRIMARY KEY,"
	"  kit_uuid TEXT NOT NULL, field_id INTEGER NOT NULL,"
	"  at TEXT NOT NULL, operator TEXT NOT NULL, action TEXT NOT NULL,"
	"  entity TEXT NOT NULL, entity_key TEXT,"
	"  before TEXT, after TEXT,"
	"  hash TEXT NOT NULL);"
	"CREATE INDEX kit_field_audit_entity ON kit_field_audit(entity, entity_key);",
	/* 7: CRLs only from a pinned CA.  crl_trust holds the issuing CAs
	 * an operator pinned (`crl trust add`): the certificate itself (DER,
	 * as hex, so an audit row's after-image can carry it), its subject
	 * as printed, and SHA-256 digests of the certificate and of its
	 * public key (SubjectPublicKeyInfo).  A kit never carries or merges
	 * it (kit_schema.c: local).  An imported CRL keeps the SHA-256 of
	 * the certificate that verified it (NULL: imported before pins).
	 * The index finds the CRLs already imported from an issuer by number
	 * (same number twice: recorded once; a lower one: noted).  Not
	 * UNIQUE: releases before this one recorded a CRL at each import. */
	"CREATE TABLE crl_trust ("
	"  id INTEGER PRIMARY KEY,"
	"  subject TEXT NOT NULL,"
	"  key_sha256 TEXT NOT NULL,"
	"  cert_sha256 TEXT NOT NULL UNIQUE,"
	"  cert TEXT NOT NULL,"
	"  added_at TEXT NOT NULL, added_by TEXT NOT NULL);"
	"ALTER TABLE crl_import ADD COLUMN ca_sha256 TEXT;"
	"CREATE INDEX crl_import_number ON crl_import(issuer, crl_number);",
	/* 8: signatures.  handover_signature: one row per signature made on
	 * a handover's PDF record (`receipt --sign`): the signer's
	 * certificate (serial as td_serial_hex writes it, issuer and subject
	 * as printed), when, and the SHA-256 of the whole signed PDF as
	 * written, so a file can be told to be that record.
	 * audit_checkpoint: signed checkpoints of the audit chain (`audit
	 * sign`): the head it signs (row id and hash) and the CMS itself
	 * (PEM), which carries the same head in its signed content; home's
	 * alone (kit_schema.c: local). */
	"CREATE TABLE handover_signature ("
	"  id INTEGER PRIMARY KEY,"
	"  handover_id INTEGER NOT NULL REFERENCES handover(id),"
	"  signer_serial TEXT NOT NULL, signer_issuer TEXT NOT NULL,"
	"  signer_subject TEXT NOT NULL,"
	"  signed_at TEXT NOT NULL,"
	"  pdf_sha256 TEXT NOT NULL,"
	"  operator TEXT NOT NULL);"
	"CREATE INDEX handover_signature_handover ON handover_signature(handover_id);"
	"CREATE TABLE audit_checkpoint ("
	"  id INTEGER PRIMARY KEY,"
	"  head_id INTEGER NOT NULL, head_hash TEXT NOT NULL,"
	"  signed_at TEXT NOT NULL,"
	"  signer_serial TEXT NOT NULL, signer_subject TEXT NOT NULL,"
	"  cms TEXT NOT NULL,"
	"  operator TEXT NOT NULL);",
	/* 9: kits that come home more than once (kit_merge.c).
	 * kit_merge_state: per kit, how far it has been merged (its audit row
	 * `through` and that row's hash) and the kit as it was then
	 * (`snapshot`, an SQLite image, and its SHA-256, also quoted by the
	 * kit.merge audit row): a later merge diffs against it and brings
	 * exactly what was recorded since; home_event_max: home's last
	 * custody event then (moves after it competed with the field's
	 * next ones).  kit_idmap: where the rows a kit added got home (kit
	 * ids kit_first..kit_last are home ids minus shift; shift NULL:
	 * kept as a conflict), so later field changes to them, and rows
	 * referring to them, find them.  kit_conflict.label: the conflict as
	 * a person names it (serials, names, handover numbers; JSON).
	 * kit_superseded: custody moves that lost a conflict (the choice
	 * that superseded them, who, when): they stay in the history,
	 * marked.  (Local: kit_schema.c keeps kit_* tables out of kits.) */
	"CREATE TABLE kit_merge_state ("
	"  uuid TEXT PRIMARY KEY,"
	"  through INTEGER NOT NULL, through_hash TEXT NOT NULL,"
	"  merged_at TEXT NOT NULL, merges INTEGER NOT NULL,"
	"  home_event_max INTEGER NOT NULL DEFAULT 0,"
	"  snapshot BLOB NOT NULL, snapshot_sha256 TEXT NOT NULL);"
	"CREATE TABLE kit_idmap ("
	"  kit_uuid TEXT NOT NULL, tbl TEXT NOT NULL,"
	"  kit_first INTEGER NOT NULL, kit_last INTEGER NOT NULL, shift INTEGER,"
	"  PRIMARY KEY (kit_uuid, tbl, kit_first)) WITHOUT ROWID;"
	"ALTER TABLE kit_conflict ADD COLUMN label TEXT;"
	"CREATE TABLE kit_superseded ("
	"  event_id INTEGER PRIMARY KEY,"
	"  conflict_id INTEGER NOT NULL,"
	"  choice TEXT NOT NULL CHECK (choice IN ('kept_home','kept_field')),"
	"  decided_by TEXT NOT NULL, decided_at TEXT NOT NULL);",
	/* 10 (issue 27; renumber freely until released: nothing else refers
	 * to the number): search as you type at national scale.  FTS5 keeps
	 * a prefix index per length listed; with '2 3' a 4-letter prefix
	 * ("nguy") was a scan of every term starting with it, the slowest
	 * keystroke under load.  '2 3 4 5' answers prefixes up to 5 letters
	 * from the index.  An FTS5 table cannot change its options and is
	 * contentless here: made again, and filled again from the rows it
	 * indexes, as a fresh import fills it (bulk.c: index_fresh). */
	"DROP TABLE search_idx;"
	"CREATE VIRTUAL TABLE search_idx USING fts5(text, content='', columnsize=0,"
	"  tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5');"
	"INSERT INTO search_idx (rowid, text)"
	"  SELECT id * 4 + 0, td_fold(name || ' ' || code) FROM agency ORDER BY id;"
	"INSERT INTO search_idx (rowid, text)"
	"  SELECT id * 4 + 1, td_fold(name || ' ' || ext_id) FROM holder"
	"  WHERE kind = 'person' ORDER BY id;",
	/* 11 (issue 27): issuer DNs interned.  Every certificate carried its
	 * issuer's DN (83 bytes for the government CA) in its row and again
	 * in its UNIQUE key: 22% of a national registry.  issuer holds each
	 * DN once; a certificate names it by issuer_id, in the column's old
	 * place, and is keyed by (serial, issuer_id).  Audit images still
	 * carry the DN as text (audit_tables.c joins issuer), so the chain and
	 * the bulk content digests made before this step verify unchanged.
	 * Nothing refers to certificate, so it is rebuilt in place; ids are
	 * kept (tags, kits and audit rows name certificates by serial). */
	"CREATE TABLE issuer ("
	"  id INTEGER PRIMARY KEY,"
	"  dn TEXT NOT NULL UNIQUE);"
	"INSERT INTO issuer (dn) SELECT issuer_dn FROM certificate"
	"  GROUP BY issuer_dn ORDER BY min(id);"
	"CREATE TABLE certificate_new ("
	"  id INTEGER PRIMARY KEY,"
	"  serial TEXT NOT NULL,"
	"  issuer_id INTEGER NOT NULL REFERENCES issuer(id),"
	"  subject_dn TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('org','person')),"
	"  holder_id INTEGER NOT NULL REFERENCES holder(id),"
	"  not_before TEXT NOT NULL, not_after TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','revoked')),"
	"  revoked_at TEXT,"
	"  token_id INTEGER REFERENCES token(id),"
	"  fingerprint TEXT,"
	"  UNIQUE (serial, issuer_id));"
	"INSERT INTO certificate_new (id, serial, issuer_id, subject_dn, kind,"
	"  holder_id, not_before, not_after, status, revoked_at, token_id,"
	"  fingerprint)"
	"  SELECT c.id, c.serial, i.id, c.subject_dn, c.kind, c.holder_id,"
	"  c.not_before, c.not_after, c.status, c.revoked_at, c.token_id,"
	"  c.fingerprint FROM certificate c JOIN issuer i ON i.dn = c.issuer_dn"
	"  ORDER BY c.id;"
	"DROP TABLE certificate;"
	"ALTER TABLE certificate_new RENAME TO certificate;"
	"CREATE INDEX cert_holder ON certificate(holder_id);"
	"CREATE INDEX cert_token ON certificate(token_id);"
	"CREATE INDEX cert_fingerprint ON certificate(fingerprint)"
	"  WHERE fingerprint IS NOT NULL;"
	/* A holder is found by its id through UNIQUE (kind, ext_id), its
	 * kind given or as IN ('org', 'person'): the plain index on ext_id
	 * alone (step 3) held the same keys a second time (20 MB and a sort
	 * of a million rows at national scale). */
	"DROP INDEX holder_ext_id;",
	/* 12 (issue 27): tags share their reason.  A plan applied at national
	 * scale tags 328,216 records for 80,591 distinct reasons: each row
	 * carried its kind, request, origin, rule, reason sentence and created
	 * stamp (about 200 of its 360 bytes), and the file grew 22.6%.  A tag
	 * a plan apply adds now names a tag_note holding those six, and keeps
	 * updated NULL until it changes; every other writer (tag add, the
	 * field, a re-tag) writes them in the row as before, note_id NULL.
	 * Readers read TD_TAG_ROWS (internal.h), which puts either back in
	 * the columns' old places, so audit images and digests are unchanged.
	 * A note is never changed or deleted (a tag deleted leaves it): a kit
	 * changes none, and its merge refuses a change to one as unbacked.
	 * tag_state (state, batch) gave way to an index on the batches alone:
	 * tags in no batch were most of it, and are read by a scan anyway
	 * (a batch sent, the list of tags). */
	"CREATE TABLE tag_note ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (" TAG_KIND_IN "),"
	"  request TEXT CHECK (" TAG_REQUEST_IN "),"
	"  origin TEXT NOT NULL CHECK (origin IN ('plan','manual')),"
	"  rule TEXT, reason TEXT,"
	"  created TEXT NOT NULL);"
	"CREATE TABLE tag_new ("
	"  id INTEGER PRIMARY KEY,"
	"  target_kind TEXT NOT NULL CHECK (target_kind IN ('cert','token','agency')),"
	"  target TEXT NOT NULL,"
	"  note_id INTEGER REFERENCES tag_note(id),"
	"  kind TEXT CHECK (" TAG_KIND_IN "),"
	"  request TEXT CHECK (" TAG_REQUEST_IN "),"
	"  state TEXT NOT NULL DEFAULT 'tagged' CHECK (state IN ('tagged',"
	"        'sent_to_dost','confirmed')),"
	"  batch INTEGER,"
	"  origin TEXT CHECK (origin IN ('plan','manual')),"
	"  rule TEXT, reason TEXT, detail TEXT,"
	"  created TEXT, updated TEXT,"
	"  CHECK (CASE WHEN note_id IS NULL THEN kind IS NOT NULL AND origin IS NOT"
	"         NULL AND created IS NOT NULL AND updated IS NOT NULL ELSE kind IS"
	"         NULL AND request IS NULL AND origin IS NULL AND rule IS NULL AND"
	"         reason IS NULL AND created IS NULL END),"
	"  UNIQUE (target_kind, target));"
	"INSERT INTO tag_new (id, target_kind, target, kind, request, state, batch,"
	"  origin, rule, reason, detail, created, updated)"
	"  SELECT id, target_kind, target, kind, request, state, batch, origin,"
	"  rule, reason, detail, created, updated FROM tag ORDER BY id;"
	"DROP TABLE tag;"
	"ALTER TABLE tag_new RENAME TO tag;"
	"CREATE INDEX tag_batch ON tag(batch) WHERE batch IS NOT NULL;",
	/* 13 (issue 27): the keys of holder and token become indexes of
	 * their own.  Declared in the table, UNIQUE cannot be dropped, so a
	 * first load inserted a million holders and a million tokens each at
	 * a random place of its key (a token's serial is random hex): the
	 * load's largest cost, and the one that grew with the registry (4.4
	 * of 25.6 s at 1,000,000 certificates, 6.2 to 8.4 us a row from
	 * 212,000 rows).  Named, a first load drops them with the plain
	 * indexes and sorts them once at its end (bulk.c: defer_indexes),
	 * where the import has already refused two rows for one key.  The
	 * same keys hold every other write as before.  Both tables are
	 * parents of others' REFERENCES: rebuilt with the foreign keys off
	 * (apply_step), ids kept. */
	"CREATE TABLE holder_new ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('person','org')),"
	"  ext_id TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  position TEXT, email TEXT,"
	"  agency_id INTEGER NOT NULL REFERENCES agency(id),"
	"  no_longer_needed INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO holder_new (id, kind, ext_id, name, position, email, agency_id,"
	"  no_longer_needed)"
	"  SELECT id, kind, ext_id, name, position, email, agency_id, no_longer_needed"
	"  FROM holder ORDER BY id;"
	"DROP TABLE holder;"
	"ALTER TABLE holder_new RENAME TO holder;"
	"CREATE UNIQUE INDEX holder_key ON holder(kind, ext_id);"
	"CREATE INDEX holder_agency ON holder(agency_id);"
	"CREATE TABLE token_new ("
	"  id INTEGER PRIMARY KEY,"
	"  serial TEXT NOT NULL,"
	"  model TEXT,"
	"  state TEXT NOT NULL DEFAULT 'in_use' CHECK (state IN ('in_use',"
	"        'at_agency','at_dost','sent_to_ca','lost','damaged')),"
	"  custodian TEXT NOT NULL);"
	"INSERT INTO token_new (id, serial, model, state, custodian)"
	"  SELECT id, serial, model, state, custodian FROM token ORDER BY id;"
	"DROP TABLE token;"
	"ALTER TABLE token_new RENAME TO token;"
	"CREATE UNIQUE INDEX token_serial ON token(serial);"
	"CREATE INDEX token_custodian ON token(custodian);",
	/* (append new steps here) */
};

/* Steps that rebuild a table other tables' REFERENCES name: run with
 * the foreign keys off (a DROP TABLE with them on deletes every row,
 * checking each child's).  Every row is copied with its id in one
 * statement, so each reference finds the row it found before; no
 * foreign_key_check after it: a kit holds rows whose parents stayed
 * home, and would be refused for what it always held. */
static int rebuilds_parent(int step)
{
	return step + 1 == 13;
}

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int td_reg_schema_latest(void)
{
	return N_MIGRATIONS;
}

int td_reg_schema_version(struct td_registry *reg)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(reg->db, "PRAGMA user_version", -1, &st, NULL)
	    != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int foreign_keys_on(struct td_registry *reg)
{
	sqlite3_stmt *st;
	int on = 0;

	if (sqlite3_prepare_v2(reg->db, "PRAGMA foreign_keys", -1, &st, NULL) == SQLITE_OK) {
		on = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return on;
}

static int apply_step(struct td_registry *reg, int step, struct td_error *err)
{
	char bump[64];
	int rc, fk_was = 0;

	snprintf(bump, sizeof bump, "PRAGMA user_version = %d", step + 1);
	/* (a no-op inside a transaction: set before it begins, and put back
	 * as the connection had it) */
	if (rebuilds_parent(step) && (fk_was = foreign_keys_on(reg)) &&
	    (rc = td_reg_exec(reg, "PRAGMA foreign_keys = OFF", err)) < 0)
		return rc;
	if ((rc = td_reg_exec(reg, "BEGIN IMMEDIATE", err)) == TD_OK) {
		if ((rc = td_reg_exec(reg, migrations[step], err)) < 0 ||
		    (rc = td_reg_exec(reg, bump, err)) < 0 ||
		    (rc = td_reg_exec(reg, "COMMIT", err)) < 0)
			sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
	}
	if (fk_was)
		sqlite3_exec(reg->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return rc < 0 ? rc : TD_OK;
}

int td_reg_migrate(struct td_registry *reg, struct td_error *err)
{
	int version = td_reg_schema_version(reg);

	if (version < 0)
		return td_reg_db_error(reg, err, "reading the schema version");
	if (version > N_MIGRATIONS)
		return td_error_set(err, TD_ERR_DB,
		                    "registry %s has schema version %d, newer than "
		                    "this tokendesk knows (%d); upgrade tokendesk",
		                    reg->path, version, N_MIGRATIONS);
	for (int step = version; step < N_MIGRATIONS; step++) {
		int rc = apply_step(reg, step, err);
		if (rc < 0)
			return rc;
	}
	return TD_OK;
}
