# kit-upgrade12.sh: a registry and a field kit made by the release before
# schema step 13 (schema 12: holder and token kept their keys as UNIQUE
# declared in the table; tests/cli/kit-upgrade12/make.sh) open with this
# release: the registry migrates with every row as it was, its keys
# still refuse a second holder or token for one key, and verifies; the
# kit, out in the field with a handover, merges; a kit made after the
# migration merges too; a first load into a fresh registry builds the
# keys it dropped while loading.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
K="$TD_SRCDIR/tests/cli/kit-upgrade12"
command -v sqlite3 >/dev/null || exit 77
cp "$K/registry.db" "$TOKENDESK_DB" && cp "$K/field.kit" "$tmp/field.kit" &&
	chmod 600 "$TOKENDESK_DB" "$tmp/field.kit" || fail "copy"
q() { sqlite3 "$TOKENDESK_DB" "$1"; }
keys() {   # the keys of holder and token, as the schema holds them
	sqlite3 "$1" "SELECT name || ': ' || coalesce(sql, 'declared in the table')
	              FROM sqlite_schema WHERE type = 'index'
	              AND tbl_name IN ('holder', 'token') ORDER BY name"
}

release_tables=$(q "SELECT name FROM sqlite_schema WHERE type = 'table' AND
                    name NOT LIKE 'sqlite%' AND name NOT LIKE 'search_idx%' AND
                    name <> 'kit_idmap' ORDER BY name")
expect_eq "$(q 'PRAGMA user_version')" 12 "fixture's schema"
expect_eq "$(sqlite3 "$tmp/field.kit" 'PRAGMA user_version')" 12 "kit's schema"
kit_sum=$(sha256sum <"$tmp/field.kit")
migrated_keeping $release_tables
expect_in "$tmp/out" "every audited row matches its audit trail"
# step 13: the keys are indexes of their own, as a fresh registry's are
expect_eq "$(keys "$TOKENDESK_DB")" "$(keys "$tmp/fresh.db")" "holder and token keys"
expect_in_text() { case $1 in *"$2"*) ;; *) fail "$3: no '$2' in: $1" ;; esac; }
expect_in_text "$(keys "$TOKENDESK_DB")" "holder_key: CREATE UNIQUE INDEX" "holder's key"
expect_eq "$(q 'PRAGMA foreign_key_check')" "" "references after the migration"
expect_eq "$(q 'PRAGMA integrity_check')" "ok" "integrity after the migration"
# and they still refuse: a second token with one serial, a second person
# with one identity number
dup_token=$(sqlite3 "$TOKENDESK_DB" "INSERT INTO token (serial, custodian)
            SELECT serial, custodian FROM token LIMIT 1" 2>&1)
expect_in_text "$dup_token" "UNIQUE constraint failed: token.serial" "a token's serial twice"
dup_holder=$(sqlite3 "$TOKENDESK_DB" "INSERT INTO holder (kind, ext_id, name, agency_id)
             SELECT kind, ext_id, name, agency_id FROM holder LIMIT 1" 2>&1)
expect_in_text "$dup_holder" "UNIQUE constraint failed: holder.kind, holder.ext_id" \
	"a holder's key twice"

# the release's kit: migrated on private copies, its file left alone
expect_status 0 td kit merge "$tmp/field.kit"
expect_eq "$(sha256sum <"$tmp/field.kit")" "$kit_sum" "the kit file after the merge"
expect_eq "$(q "SELECT custodian FROM token WHERE serial = 'TKB002'")" "agency:P.S2" \
	"the field handover"
expect_eq "$(q "SELECT count(*) FROM kit_conflict")" 0 "conflicts"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"

# a kit made by this release, with a handover in the field, merges too
expect_status 0 td kit make --agencies P.S3 -o "$tmp/s3.kit"
expect_eq "$(keys "$tmp/s3.kit")" "$(keys "$tmp/fresh.db")" "the new kit's keys"
serial=$(sqlite3 "$tmp/s3.kit" "SELECT serial FROM token WHERE custodian LIKE 'holder:%'
                                ORDER BY serial LIMIT 1")
[ -n "$serial" ] || fail "no token in the P.S3 kit"
TOKENDESK_OPERATOR=field13 "$TOKENDESK" --db "$tmp/s3.kit" handover --to agency:P.S3 \
	"$serial" >/dev/null 2>"$tmp/err" || { fail "field handover"; cat "$tmp/err" >&2; }
expect_status 0 td kit merge "$tmp/s3.kit"
expect_eq "$(q "SELECT custodian FROM token WHERE serial = '$serial'")" "agency:P.S3" \
	"the new kit's handover"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"

# a first load drops the keys while it loads and builds them at its end
P="$TD_SRCDIR/tests/cli/plan"
"$TOKENDESK" --db "$tmp/fresh.db" -q import "$P/agencies.csv" "$P/certificates.csv" \
	>/dev/null 2>"$tmp/err" || { fail "import into the fresh registry"; cat "$tmp/err" >&2; }
expect_eq "$(keys "$tmp/fresh.db")" "$(keys "$TOKENDESK_DB")" "the fresh load's keys"
expect_eq "$(sqlite3 "$tmp/fresh.db" 'SELECT count(*) FROM token')" \
	"$(sqlite3 "$tmp/fresh.db" 'SELECT count(DISTINCT serial) FROM token')" "tokens, one per serial"
[ "$failures" -eq 0 ]
