# kit-upgrade.sh: a registry made by tokendesk 0.1.0 (schema 6) with tags,
# a handover, a closed count, and a field kit still out (a handover and
# an open count recorded on it; tests/cli/kit-upgrade/make.sh) opens with
# this release, migrates with its rows kept, verifies, and merges that
# kit: the kit and its image are migrated as private copies, the kit
# file is left as it was, the field work arrives and the chain verifies.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
K="$TD_SRCDIR/tests/cli/kit-upgrade"
command -v sqlite3 >/dev/null || exit 77
cp "$K/registry.db" "$TOKENDESK_DB" && cp "$K/field.kit" "$tmp/field.kit" &&
	chmod 600 "$TOKENDESK_DB" "$tmp/field.kit" || fail "copy"
q() { sqlite3 "$TOKENDESK_DB" "$1"; }

# the tables the release had (not the search index; crl_import gained a
# column since)
release_tables=$(q "SELECT name FROM sqlite_schema WHERE type = 'table' AND
                    name NOT LIKE 'sqlite%' AND name NOT LIKE 'search_idx%' AND
                    name <> 'crl_import' ORDER BY name")
expect_eq "$(q 'PRAGMA user_version')" 6 "fixture's schema"
expect_eq "$(sqlite3 "$tmp/field.kit" 'PRAGMA user_version')" 6 "kit's schema"
kit_sum=$(sha256sum <"$tmp/field.kit")
migrated_keeping $release_tables
expect_eq "$(q 'SELECT count(*) FROM tag')" 41 "tags"
# step 11: issuers interned, every certificate kept and naming one
expect_eq "$(q 'SELECT count(*) FROM issuer')" 1 "issuers"
expect_eq "$(q 'SELECT count(*) FROM certificate')" \
	"$(sed -n '/^== certificate$/,/^== /p' "$tmp/before" | grep -vc '^== ')" "certificates"
expect_eq "$(q 'SELECT count(*) FROM certificate WHERE issuer_id NOT IN (SELECT id FROM issuer)')" \
	0 "certificates without their issuer"
# the search index was made again: a name and a 4-letter prefix find it
expect_status 0 td search "dang ky"
expect_in "$tmp/out" "Phòng Đăng ký kinh doanh"
expect_status 0 td search "phon"
expect_in "$tmp/out" "Phòng Đăng ký kinh doanh"

# an old kit is held to what its audit rows say: a custodian edited
# with the sqlite3 shell is refused, nothing changes
cp "$tmp/field.kit" "$tmp/edited.kit"
sqlite3 "$tmp/edited.kit" "UPDATE token SET custodian = 'dost' WHERE serial = 'TKA022'"
before=$(registry_digest)
expect_status 65 td kit merge "$tmp/edited.kit"
expect_in "$tmp/err" "token TKA022 as it came back: $.custodian is 'dost'"
expect_eq "$(registry_digest)" "$before" "registry after an edited old kit"

expect_status 0 td kit merge "$tmp/field.kit"
expect_eq "$(sha256sum <"$tmp/field.kit")" "$kit_sum" "the kit file after the merge"
expect_eq "$(q "SELECT custodian || ' ' || state FROM token WHERE serial = 'TKA022'")" \
	"agency:P.S2.D1 at_agency" "the field handover"
expect_eq "$(q "SELECT count(*) FROM handover")" 2 "handovers"
expect_eq "$(q "SELECT count(*) FROM count_scan s JOIN count_session c ON c.id = s.count_id
                WHERE c.scope = 'P.S2' AND s.serial = 'TKA021'")" 1 "the field count's scan"
expect_eq "$(q "SELECT count(*) FROM kit_conflict")" 0 "conflicts"
expect_status 0 td audit verify
# merged once: again changes nothing
before=$(registry_digest)
expect_status 0 td kit merge "$tmp/field.kit"
expect_eq "$(registry_digest)" "$before" "registry after merging the kit again"
finish
