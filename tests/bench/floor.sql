-- floor.sql: the least SQLite itself must do to hold the master lists in
-- tokendesk's schema, for bench-registry.sh's "floor" figure.
--
-- Read by the sqlite3 shell on a registry fresh from `tokendesk init`,
-- after the shell has put the two CSV files, as they are, into the temp
-- tables floor_ag and floor_cert.  Then, in one transaction as the
-- import does: the rows into agency, holder, token and certificate (with
-- the schema's UNIQUE keys and CHECKs), the search index, and the plain
-- indexes built once at the end, as a first import builds them.
--
-- It is a lower bound, not a second importer: no field is checked or
-- normalized (NFC, serial case), names are lower-cased instead of folded,
-- the DN is one join instead of the agency chain, and there is no audit.
-- When the schema changes, change this file with it (the bench fails
-- loudly when a name here is gone).
--
-- Schema 11 (issue 27): as tokendesk's first load does, through a
-- rollback journal (the file is new: the journal holds almost nothing,
-- where the WAL would take every page), the certificates in serial
-- order (their key grows at its end), and the issuer interned once.
-- The people's search text is read by a scan in rowid order ("+kind"):
-- through the (kind, ext_id) key, as this file did until the stop after
-- schema 12, each row was a random page and a sort, 3.6 s of a 1 M load
-- (the import had the same plan and lost it with the floor).
-- Schema 13: holder's and token's keys are indexes of their own, which
-- the import drops for a first load and sorts at its end.  The floor
-- keeps them through its load: its INSERT OR IGNORE needs them, and a
-- GROUP BY with the keys built after measured slower (19.6 against 19.1
-- us a row at 1 M), so this remains the cheaper way for SQLite.
PRAGMA cache_size = -400000;
PRAGMA journal_mode = DELETE;
CREATE INDEX temp.floor_ag_code ON floor_ag(code);
BEGIN;
DROP INDEX holder_agency;
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
INSERT INTO issuer (dn)
	VALUES ('CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN');
INSERT INTO certificate (serial, issuer_id, subject_dn, kind, holder_id,
                         not_before, not_after, token_id)
	SELECT c.cert_serial, 1,
	       'C=VN, L=Tỉnh, O=' || coalesce(p.name, a.name) || ', OU=' || a.name
	         || ', CN=' || c.holder_name,
	       c.kind,
	       (SELECT id FROM holder h WHERE h.kind = c.kind AND h.ext_id = c.holder_id),
	       c.not_before, c.not_after,
	       (SELECT id FROM token t WHERE t.serial = c.token_serial)
	  FROM floor_cert c JOIN agency a ON a.code = c.agency_code
	  LEFT JOIN agency p ON p.id = a.parent_id
	 ORDER BY c.cert_serial;

-- the search index's merges held and done once, as the import does
INSERT INTO search_idx (search_idx, rank) VALUES ('automerge', 0);
INSERT INTO search_idx (search_idx, rank) VALUES ('crisismerge', 64);
INSERT INTO search_idx (rowid, text)
	SELECT id * 4 + 0, lower(name || ' ' || code) FROM agency ORDER BY id;
INSERT INTO search_idx (rowid, text)
	SELECT id * 4 + 1, lower(name || ' ' || ext_id) FROM holder
	 WHERE +kind = 'person' ORDER BY id;
INSERT INTO search_idx (search_idx) VALUES ('optimize');
INSERT INTO search_idx (search_idx, rank) VALUES ('automerge', 4);
INSERT INTO search_idx (search_idx, rank) VALUES ('crisismerge', 16);

CREATE INDEX holder_agency ON holder(agency_id);
CREATE INDEX token_custodian ON token(custodian);
CREATE INDEX cert_holder ON certificate(holder_id);
CREATE INDEX cert_token ON certificate(token_id);
COMMIT;
PRAGMA journal_mode = WAL;
