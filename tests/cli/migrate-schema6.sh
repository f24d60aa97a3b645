# migrate-schema6.sh: a registry made by the release before schema 7
# (tests/cli/schema6/make.sh) migrates forward: every table's rows stay
# as they were, `audit verify` still passes, and the CRL it had imported
# (twice, as that release recorded it) counts as imported: once the CA is
# pinned, the same CRL changes nothing and the next one applies.  Step 9
# (kits merged more than once) gives it the kit bookkeeping: a kit made
# from it merges, is used again, merges again and is refreshed.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
S="$TD_SRCDIR/tests/cli/schema6"
command -v sqlite3 >/dev/null && command -v openssl >/dev/null || exit 77

cp "$S/registry.db" "$TOKENDESK_DB" && chmod 600 "$TOKENDESK_DB" || fail "copy"
q() { sqlite3 "$TOKENDESK_DB" "$1"; }
tables() {   # every table's rows, in a fixed order
	for t in $(q "SELECT name FROM sqlite_schema WHERE type = 'table' AND
	              name NOT LIKE 'sqlite%' AND name NOT LIKE 'search_idx%' AND name <> 'kit_idmap'
	              AND name <> 'issuer' ORDER BY name"); do
		cols='*'   # columns step 7 added are left out
		[ "$t" = crl_import ] && cols="id, issuer, crl_number, this_update, next_update,
			entries, sha256, imported_at"
		echo "== $t"
		if [ "$t" = certificate ]; then q "SELECT $(cert_cols)"
		elif [ "$t" = tag ]; then q "SELECT $(tag_cols)"
		else q "SELECT $cols FROM \"$t\" ORDER BY rowid"; fi
	done
}
expect_eq "$(q 'PRAGMA user_version')" 6 "fixture's schema"
tables >"$tmp/before"

# the schema this tokendesk makes (steps after 7 may be added)
"$TOKENDESK" --db "$tmp/fresh.db" -q init >/dev/null || fail "init of a fresh registry"
latest=$(sqlite3 "$tmp/fresh.db" 'PRAGMA user_version')
expect_status 0 td init
expect_in "$tmp/out" "(schema $latest)"
expect_eq "$(q 'PRAGMA user_version')" "$latest" "schema after the migration"
# new tables, and kit_conflict's new column (no conflicts in the fixture)
tables | grep -v -e '^== crl_trust$' -e '^== handover_signature$' -e '^== audit_checkpoint$' \
	-e '^== kit_merge_state$' -e '^== kit_superseded$' -e '^== tag_note$' >"$tmp/after"
cmp -s "$tmp/before" "$tmp/after" || { fail "rows changed by the migration"; diff "$tmp/before" "$tmp/after" | head >&2; }
expect_eq "$(q 'SELECT count(*) FROM crl_trust')" 0 "pinned CAs after the migration"
# step 11: the one CA of the fixture's certificates, each certificate
# naming it (the rows compared above), and the lookups through the keys
expect_eq "$(q "SELECT count(*) || ' ' || min(dn) FROM issuer")" \
	"1 CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN" "issuers"
expect_eq "$(q 'SELECT count(*) FROM certificate')" \
	"$(sed -n '/^== certificate$/,/^== /p' "$tmp/before" | grep -vc '^== ')" "certificates"
expect_eq "$(q 'PRAGMA foreign_key_check')" "" "references after the migration"
plan=$(q "EXPLAIN QUERY PLAN SELECT id FROM certificate WHERE serial = 'a021'
          AND issuer_id = (SELECT id FROM issuer WHERE dn = 'x')")
case $plan in *"INDEX sqlite_autoindex_certificate_1 (serial=? AND issuer_id=?)"*) ;;
*) fail "certificate by serial and issuer not through its key: $plan" ;; esac
expect_status 0 td audit verify
expect_status 0 td show cert A021 --json
expect_in "$tmp/out" '"status": "revoked"'

# nothing pinned yet: refused, though the old release took this CRL
expect_status 77 td crl import "$S/crl1.pem"
expect_status 0 td crl trust add "$S/ca.pem"
before=$(registry_digest)
expect_status 0 td crl import "$S/crl1.pem"
expect_in "$tmp/out" "CRL number 1 of CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN was imported already"
expect_eq "$(registry_digest)" "$before" "registry after the CRL imported before"
expect_status 0 td crl import "$S/crl2.pem"
expect_in "$tmp/out" "2 listed; 1 newly revoked, 1 already revoked"
expect_status 0 td show cert A031 --json
expect_in "$tmp/out" '"revoked_at": "2025-07-04"'
# the CRL is recorded with the pinned certificate that verified it
expect_eq "$(q "SELECT ca_sha256 FROM crl_import WHERE crl_number = '2'")" \
	"$(openssl x509 -in "$S/ca.pem" -outform DER | sha256sum | cut -c1-64)" "CRL's CA"
expect_status 0 td audit verify

# A kit of the migrated registry comes home twice, then is refreshed.
kit() { "$TOKENDESK" --db "$tmp/s1.kit" "$@"; }
expect_status 0 td kit make --agencies P.S1 -o "$tmp/s1.kit"
expect_status 0 kit handover --to agency:P.S1 TKA011
expect_status 0 td kit merge "$tmp/s1.kit"
expect_in "$tmp/out" "1 handover, 1 custody move since the kit was made on"
expect_status 0 kit handover --to dost TKA011
expect_status 0 td kit merge "$tmp/s1.kit"
expect_in "$tmp/out" "1 handover, 1 custody move since the merge of"
expect_status 0 td show token TKA011
expect_in "$tmp/out" "custodian:    dost"
expect_status 0 td kit refresh "$tmp/s1.kit"
expect_status 0 td audit verify
finish
