# kit-upgrade11.sh: a registry and a field kit made by the release before
# schema step 12 (schema 11: each tag held its reason in its own row;
# tests/cli/kit-upgrade11/make.sh) open with this release: the registry
# migrates with every row reading as it did and verifies (the plan
# apply's bulk digest over the tags as they read), the kit, whose team
# tagged a plan tag again in the field, merges; then a plan applied anew
# adds its tags as notes, and a kit made after it merges too.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
K="$TD_SRCDIR/tests/cli/kit-upgrade11"
command -v sqlite3 >/dev/null || exit 77
cp "$K/registry.db" "$TOKENDESK_DB" && cp "$K/field.kit" "$tmp/field.kit" &&
	chmod 600 "$TOKENDESK_DB" "$tmp/field.kit" || fail "copy"
q() { sqlite3 "$TOKENDESK_DB" "$1"; }

release_tables=$(q "SELECT name FROM sqlite_schema WHERE type = 'table' AND
                    name NOT LIKE 'sqlite%' AND name NOT LIKE 'search_idx%' AND
                    name <> 'kit_idmap' ORDER BY name")
expect_eq "$(q 'PRAGMA user_version')" 11 "fixture's schema"
expect_eq "$(sqlite3 "$tmp/field.kit" 'PRAGMA user_version')" 11 "kit's schema"
expect_eq "$(q "SELECT count(*) FROM audit WHERE action = 'tag.add.bulk'")" 1 "the release's bulk row"
kit_sum=$(sha256sum <"$tmp/field.kit")
migrated_keeping $release_tables
expect_in "$tmp/out" "every audited row matches its audit trail"
# step 12: the release's tags keep their fields in their rows, no notes
expect_eq "$(q 'SELECT count(*) FROM tag_note')" 0 "notes after the migration"
expect_eq "$(q 'SELECT count(*) FROM tag WHERE note_id IS NOT NULL')" 0 "tags naming a note"
expect_eq "$(q "SELECT count(*) FROM sqlite_schema WHERE name IN ('tag_state', 'tag_batch')")" 1 \
	"tag's state index replaced by the batch index"
expect_status 0 td tag list --state sent_to_dost
expect_in "$tmp/out" "a021"

# the release kept a conflict with only the fields the field changed
# (a071 tagged again in the field after home sent it): keeping the
# field's would put the field's reason in home's DOST batch, refused;
# home's is kept
old_conflict=$(q "SELECT id FROM kit_conflict WHERE status = 'open'")
expect_status 65 td kit resolve "$old_conflict" --keep field
expect_in "$tmp/err" "kept by an older tokendesk without the tag's state"
expect_eq "$(q "SELECT kind || ' ' || state || ' ' || batch FROM tag WHERE target = 'a071'")" \
	"change_info sent_to_dost 1" "a071 after the refusal"
expect_status 0 td kit resolve "$old_conflict" --keep home

# the release's kit: migrated on private copies, its file left alone
expect_status 0 td kit merge "$tmp/field.kit"
expect_eq "$(sha256sum <"$tmp/field.kit")" "$kit_sum" "the kit file after the merge"
expect_eq "$(q "SELECT custodian FROM token WHERE serial = 'TKB002'")" "agency:P.S2" \
	"the field handover"
# b001 was sent to DOST at home and tagged again in the field: the
# field's tag is a conflict, not merged into home's batch
expect_eq "$(q "SELECT kind || ' ' || state || ' ' || batch FROM tag WHERE target = 'b001'")" \
	"change_info sent_to_dost 1" "b001 at home"
expect_eq "$(q "SELECT count(*) || ' ' || min(tbl) FROM kit_conflict WHERE status = 'open'")" "1 tag" "conflicts"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"
# the operator keeps the field's: the field's tag, tagged again
expect_status 0 td kit resolve "$(q "SELECT id FROM kit_conflict WHERE status = 'open'")" --keep field
expect_eq "$(q "SELECT kind || ' ' || reason || ' ' || state || ' ' || coalesce(batch, '-') FROM tag WHERE target = 'b001'")" \
	"revoke nghỉ hưu tagged -" "b001 as the field tagged it"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"

# a corrected plan applied with this release: the tags it adds name notes
P="$TD_SRCDIR/tests/cli/plan"
{ cat "$P/plan.csv"; echo '2025-07-01,rename,P.S6,,Sở Khoa học và Công nghệ tỉnh mới,'; } >"$tmp/p2.csv"
expect_status 0 td plan import "$tmp/p2.csv"
expect_status 0 td plan apply
expect_eq "$(q 'SELECT count(*) > 0 FROM tag WHERE note_id IS NOT NULL')" 1 "tags of the new load naming notes"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"
expect_status 0 td kit make --agencies P.S6 -o "$tmp/s6.kit"
expect_eq "$(sqlite3 "$tmp/s6.kit" 'SELECT count(*) FROM tag_note')" \
	"$(sqlite3 "$tmp/s6.kit" 'SELECT count(DISTINCT note_id) FROM tag')" "the new kit's notes"
expect_status 0 td kit merge "$tmp/s6.kit"
expect_status 0 td audit verify
[ "$failures" -eq 0 ]
