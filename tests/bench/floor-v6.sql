-- floor-v6.sql: the floor of schema 6 (tokendesk 0.1.0, dc376ed), kept
-- for bench-registry.sh's comparison of the new floor (floor.sql) with
-- the old one (issue 27: the new floor <= 0.8x this one).
--
-- Read by the sqlite3 shell on an EMPTY file (not one from `tokendesk
-- init`, which makes today's schema): it first makes schema 6's tables
-- the load touches, as 0.1.0 made them (4 KiB pages, WAL, its keys,
-- prefix index '2 3'), then fills them exactly as floor.sql did then.
-- The temp tables floor_ag and floor_cert hold the CSV files as they are.
-- Never edit the statements below: they are the anchor.
PRAGMA page_size = 4096;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
CREATE TABLE agency (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  parent_id INTEGER REFERENCES agency(id),
  level TEXT NOT NULL CHECK (level IN ('province','department',
        'division','district','commune','other')),
  valid_from TEXT, valid_to TEXT);
CREATE INDEX agency_parent ON agency(parent_id);
CREATE TABLE holder (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('person','org')),
  ext_id TEXT NOT NULL,
  name TEXT NOT NULL,
  position TEXT, email TEXT,
  agency_id INTEGER NOT NULL REFERENCES agency(id),
  no_longer_needed INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, ext_id));
CREATE INDEX holder_agency ON holder(agency_id);
CREATE TABLE token (
  id INTEGER PRIMARY KEY,
  serial TEXT NOT NULL UNIQUE,
  model TEXT,
  state TEXT NOT NULL DEFAULT 'in_use' CHECK (state IN ('in_use',
        'at_agency','at_dost','sent_to_ca','lost','damaged')),
  custodian TEXT NOT NULL);
CREATE TABLE certificate (
  id INTEGER PRIMARY KEY,
  serial TEXT NOT NULL,
  issuer_dn TEXT NOT NULL,
  subject_dn TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('org','person')),
  holder_id INTEGER NOT NULL REFERENCES holder(id),
  not_before TEXT NOT NULL, not_after TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','revoked')),
  revoked_at TEXT,
  token_id INTEGER REFERENCES token(id),
  fingerprint TEXT,
  UNIQUE (serial, issuer_dn));
CREATE INDEX cert_holder ON certificate(holder_id);
CREATE INDEX cert_token ON certificate(token_id);
CREATE INDEX cert_fingerprint ON certificate(fingerprint)
  WHERE fingerprint IS NOT NULL;
CREATE INDEX token_custodian ON token(custodian);
CREATE INDEX holder_ext_id ON holder(ext_id);
CREATE VIRTUAL TABLE search_idx USING fts5(text, content='', columnsize=0,
  tokenize='unicode61 remove_diacritics 2', prefix='2 3');
PRAGMA cache_size = -400000;
CREATE INDEX temp.floor_ag_code ON floor_ag(code);
BEGIN;
DROP INDEX holder_agency;
DROP INDEX holder_ext_id;
DROP INDEX token_custodian;
DROP INDEX cert_holder;
DROP INDEX cert_token;

INSERT INTO agency (code, name, level)
	SELECT code, name, level FROM floor_ag;
UPDATE agency SET parent_id =
	(SELECT p.id FROM floor_ag f JOIN agency p ON p.code = f.parent_code
	  WHERE f.code = agency.code);

INSERT OR IGNORE INTO holder (kind, ext_id, name, position, email, agency_id)
	SELECT c.kind, c.holder_id, c.holder_name, c.position, c.email, a.id
	  FROM floor_cert c JOIN agency a ON a.code = c.agency_code;
INSERT OR IGNORE INTO token (serial, model, custodian)
	SELECT token_serial, token_model, 'holder:' || holder_id FROM floor_cert;
INSERT INTO certificate (serial, issuer_dn, subject_dn, kind, holder_id,
                         not_before, not_after, token_id)
	SELECT c.cert_serial,
	       'CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN',
	       'C=VN, L=Tỉnh, O=' || coalesce(p.name, a.name) || ', OU=' || a.name
	         || ', CN=' || c.holder_name,
	       c.kind,
	       (SELECT id FROM holder h WHERE h.kind = c.kind AND h.ext_id = c.holder_id),
	       c.not_before, c.not_after,
	       (SELECT id FROM token t WHERE t.serial = c.token_serial)
	  FROM floor_cert c JOIN agency a ON a.code = c.agency_code
	  LEFT JOIN agency p ON p.id = a.parent_id;

INSERT INTO search_idx (rowid, text)
	SELECT id * 4 + 0, lower(name || ' ' || code) FROM agency ORDER BY id;
INSERT INTO search_idx (rowid, text)
	SELECT id * 4 + 1, lower(name || ' ' || ext_id) FROM holder
	 WHERE kind = 'person' ORDER BY id;

CREATE INDEX holder_agency ON holder(agency_id);
CREATE INDEX holder_ext_id ON holder(ext_id);
CREATE INDEX token_custodian ON token(custodian);
CREATE INDEX cert_holder ON certificate(holder_id);
CREATE INDEX cert_token ON certificate(token_id);
COMMIT;
