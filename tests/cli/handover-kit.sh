# handover-kit.sh: handovers recorded in a field kit and at home meanwhile
# keep distinct numbers, so the kit merges back without conflicts and both
# records print at home.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing"; exit 77; }

demo_import || { echo "demo import failed"; exit 1; }
year=$(date +%Y)
expect_status 0 td handover --to agency:DC 3792084583
expect_in "$tmp/out" "BG-$year-0001"
old="$tmp/old.db"   # for the migration check at the end
sqlite3 "$TOKENDESK_DB" ".backup '$old'" || fail "backup"
chmod 600 "$old"   # the shell makes it by the umask; others may not read one
expect_status 0 td kit make --agencies DC -o "$tmp/field.db"
uuid=$(sqlite3 "$tmp/field.db" "select value from meta where key = 'kit_uuid'")
[ -n "$uuid" ] || { echo "FAIL: the kit has no kit_uuid"; exit 1; }
series=$(printf %s "$uuid" | tr -d - | cut -c1-6 | tr a-f A-F)

# In the field: the kit's own series.
expect_status 0 td --db "$tmp/field.db" handover --to agency:DC 8878595222
expect_in "$tmp/out" "BG-$year-$series-0001"
# At home meanwhile: home's series goes on.
expect_status 0 td handover --to dost --force --reason "nộp thẳng cho Sở" 13F43E2B
expect_in "$tmp/out" "BG-$year-0002"

expect_status 0 td kit merge "$tmp/field.db" --json
expect_eq "$(jq .conflicts "$tmp/out")" 0 "conflicts after merging a field handover"
expect_status 0 td receipt --list --json
expect_eq "$(jq length "$tmp/out")" 3 "handovers at home after the merge"
expect_status 0 td receipt "BG-$year-$series-0001"
expect_in "$tmp/out" "8878595222"
expect_in "$tmp/out" "Đặng Quang Hiếu"
expect_eq "$(td show token 8878595222 --json | jq -r .custodian)" agency:DC \
	"custodian of the token handed over in the field"
expect_status 0 td audit verify

# A registry at schema 4 (handovers numbered before series existed)
# migrates to series with its handovers and their items intact.
sqlite3 "$old" "PRAGMA foreign_keys = OFF;
	CREATE TABLE h4 AS SELECT id, number, year, seq, kind, at, place, operator,
	  from_custodian, from_name, to_custodian, to_name, condition, remarks FROM handover;
	DROP TABLE handover;
	CREATE TABLE handover (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,
	  year INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, at TEXT NOT NULL,
	  place TEXT, operator TEXT NOT NULL, from_custodian TEXT, from_name TEXT,
	  to_custodian TEXT NOT NULL, to_name TEXT, condition TEXT, remarks TEXT,
	  UNIQUE (year, seq));
	INSERT INTO handover SELECT * FROM h4; DROP TABLE h4;
	DROP TABLE kit_field_audit;   -- step 6 (kit merges' field audit rows)
	DROP TABLE crl_trust; DROP INDEX crl_import_number;   -- step 7 (pinned CAs)
	ALTER TABLE crl_import DROP COLUMN ca_sha256;
	DROP TABLE handover_signature; DROP TABLE audit_checkpoint;   -- step 8 (signatures)
	DROP TABLE kit_merge_state; DROP TABLE kit_idmap;   -- step 9 (later merges)
	DROP TABLE kit_superseded; ALTER TABLE kit_conflict DROP COLUMN label;
	-- step 12 (tags share their reason)
	CREATE TEMP TABLE t12 AS SELECT d.id, d.target_kind, d.target,
	  coalesce(d.kind, n.kind) kind, coalesce(d.request, n.request) request, d.state,
	  d.batch, coalesce(d.origin, n.origin) origin, coalesce(d.rule, n.rule) rule,
	  coalesce(d.reason, n.reason) reason, d.detail, coalesce(d.created, n.created)
	  created, coalesce(d.updated, d.created, n.created) updated
	  FROM tag d LEFT JOIN tag_note n ON n.id = d.note_id;
	DROP TABLE tag; DROP TABLE tag_note;
	CREATE TABLE tag (id INTEGER PRIMARY KEY, target_kind TEXT NOT NULL, target TEXT NOT NULL,
	  kind TEXT NOT NULL, request TEXT, state TEXT NOT NULL DEFAULT 'tagged', batch INTEGER,
	  origin TEXT NOT NULL, rule TEXT, reason TEXT, detail TEXT, created TEXT NOT NULL,
	  updated TEXT NOT NULL, UNIQUE (target_kind, target));
	INSERT INTO tag SELECT * FROM t12;
	CREATE INDEX tag_state ON tag(state, batch);
	-- step 11 (issuers interned; holder_ext_id dropped)
	CREATE TEMP TABLE c11 AS SELECT c.id, c.serial, i.dn, c.subject_dn, c.kind,
	  c.holder_id, c.not_before, c.not_after, c.status, c.revoked_at, c.token_id,
	  c.fingerprint FROM certificate c JOIN issuer i ON i.id = c.issuer_id;
	DROP TABLE certificate; DROP TABLE issuer;
	CREATE TABLE certificate (id INTEGER PRIMARY KEY, serial TEXT NOT NULL,
	  issuer_dn TEXT NOT NULL, subject_dn TEXT NOT NULL,
	  kind TEXT NOT NULL CHECK (kind IN ('org','person')),
	  holder_id INTEGER NOT NULL REFERENCES holder(id),
	  not_before TEXT NOT NULL, not_after TEXT NOT NULL,
	  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','revoked')),
	  revoked_at TEXT, token_id INTEGER REFERENCES token(id), fingerprint TEXT,
	  UNIQUE (serial, issuer_dn));
	INSERT INTO certificate SELECT * FROM temp.c11;
	CREATE INDEX cert_holder ON certificate(holder_id);
	CREATE INDEX cert_token ON certificate(token_id);
	CREATE INDEX cert_fingerprint ON certificate(fingerprint) WHERE fingerprint IS NOT NULL;
	CREATE INDEX holder_ext_id ON holder(ext_id);
	PRAGMA user_version = 4;" || fail "making a schema-4 registry"
items=$(sqlite3 "$old" "SELECT count(*) FROM handover_item")
expect_status 0 td --db "$old" receipt --list --json
expect_eq "$(jq length "$tmp/out")" 1 "handovers after the migration"
expect_eq "$(sqlite3 "$old" "SELECT count(*) FROM handover_item")" "$items" \
	"handover items after the migration"
expect_eq "$(sqlite3 "$old" "SELECT count(*) FROM pragma_foreign_key_check")" 0 \
	"dangling references after the migration"
expect_status 0 td --db "$old" receipt "BG-$year-0001"
expect_in "$tmp/out" "Vũ Xuân Đông"
expect_status 0 td --db "$old" handover --to ca --force --reason "nộp thẳng cho Sở" 13F43E2B
expect_in "$tmp/out" "BG-$year-0002"
finish
