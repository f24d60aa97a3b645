# kit-tag-note.sh: the tags a plan apply adds share what they say (kind,
# request, origin, rule, reason, created) through tag_note, schema step
# 12.  A field kit carries the notes of its own tags and no other; the
# field reads them as any tag; a plan tag the field tags again is merged
# home in the row's own columns, its created stamp kept; a kit whose
# notes, or whose tags' notes, were changed by hand is refused whole and
# home is left as it was.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"
command -v sqlite3 >/dev/null || exit 77
q() { sqlite3 "$1" "$2"; }
K() { "$TOKENDESK" --db "$kit" "$@"; }

plan_setup || fail "setup"
expect_status 0 td plan apply
home=$TOKENDESK_DB
notes=$(q "$home" "SELECT count(*) FROM tag_note")
expect_eq "$(q "$home" "SELECT count(*) FROM tag WHERE note_id IS NULL")" 0 "plan tags naming no note"

kit=$tmp/field.kit
expect_status 0 td kit make --agencies P.S2 -o "$kit"
expect_eq "$(q "$kit" "SELECT group_concat(target, ' ') FROM (SELECT target FROM tag ORDER BY target)")" \
	"P.S2 TKA021 TKB002 a021 b001 b002" "the kit's tags"
expect_eq "$(q "$kit" "SELECT count(*) FROM tag_note")" \
	"$(q "$kit" "SELECT count(DISTINCT note_id) FROM tag")" "the kit's notes: those its tags name"
expect_eq "$(q "$kit" "SELECT count(*) FROM tag t LEFT JOIN tag_note n ON n.id = t.note_id WHERE n.id IS NULL")" \
	0 "the kit's tags whose note it lacks"
# the field reads a plan tag's reason through its note
TOKENDESK_DB=$kit expect_status 0 td tag list
expect_in "$tmp/out" "P.S2 merges into an agency that keeps its name"
created=$(q "$kit" "SELECT n.created FROM tag t JOIN tag_note n ON n.id = t.note_id WHERE t.target = 'b001'")

# the field tags b001 again (change of information -> revocation)
TOKENDESK_OPERATOR=field K tag revoke b001 --reason "nghỉ hưu" >/dev/null || fail "field tag"
expect_eq "$(q "$kit" "SELECT coalesce(note_id, 'none') || ' ' || kind || ' ' || reason || ' ' || created FROM tag WHERE target = 'b001'")" \
	"none revoke nghỉ hưu $created" "the field's tag: in its row, created kept"
TOKENDESK_DB=$kit expect_status 0 td audit verify
# batches to DOST are numbered at home, not in a kit
TOKENDESK_DB=$kit expect_status 64 td tag send
expect_in "$tmp/err" "not from a field kit"
# a tag removed in the field is not tagged again there (its merge could
# not tell it from a row added by hand): it waits for home
TOKENDESK_OPERATOR=field K tag remove b002 >/dev/null || fail "field remove"
TOKENDESK_DB=$kit expect_status 65 td tag keep b002 --reason "giữ lại"
expect_in "$tmp/err" "was removed in this field kit"
# one the field itself added and removed may be added again
TOKENDESK_OPERATOR=field K tag collect TKB001 --reason "thu hồi" >/dev/null || fail "field collect"
TOKENDESK_OPERATOR=field K tag remove TKB001 >/dev/null || fail "field remove TKB001"
TOKENDESK_OPERATOR=field K tag collect TKB001 --reason "thu hồi lại" >/dev/null ||
	fail "the field's own tag added again"
cp "$kit" "$tmp/pristine.kit"

# refused SQL WHAT: the kit edited with SQL does not merge (exit 65,
# saying WHAT), and neither home nor the kit changed
refused() {
	cp "$tmp/pristine.kit" "$kit"
	q "$kit" "$1" || fail "sqlite3: $1"
	q "$home" .dump >"$tmp/home.dump"
	cp "$kit" "$tmp/kit.before"
	expect_status 65 td kit merge "$kit"
	expect_in "$tmp/err" "$2"
	expect_in "$tmp/err" "not merged"
	q "$home" .dump | cmp -s - "$tmp/home.dump" || fail "home changed ($1)"
	cmp -s "$kit" "$tmp/kit.before" || fail "the merge wrote to the kit ($1)"
}
refused "UPDATE tag_note SET reason = 'lý do giả' WHERE id = (SELECT note_id FROM tag WHERE target = 'a021')" \
	"tag_note"
refused "UPDATE tag SET note_id = (SELECT note_id FROM tag WHERE target = 'TKA021') WHERE target = 'a021'" \
	"tag a021"
refused "INSERT INTO tag_note (kind, origin, reason, created) VALUES ('keep', 'plan', 'giả', '2026-01-01T00:00:00Z')" \
	"tag_note"
refused "PRAGMA foreign_keys = OFF; DELETE FROM tag_note WHERE id = (SELECT note_id FROM tag WHERE target = 'P.S2')" \
	"tag_note"

# the kit as the field brought it merges: b001 as the field tagged it,
# home's notes as they were
cp "$tmp/pristine.kit" "$kit"
expect_status 0 td kit merge "$kit"
expect_eq "$(q "$home" "SELECT coalesce(note_id, 'none') || ' ' || kind || ' ' || reason || ' ' || created FROM tag WHERE target = 'b001'")" \
	"none revoke nghỉ hưu $created" "b001 at home"
expect_eq "$(q "$home" "SELECT count(*) FROM tag_note")" "$notes" "home's notes after the merge"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"

# a plan tag the field removed after home sent it: a conflict, kept as
# the field's an audited tag.delete, and the plan load still verifies
kit3=$tmp/third.kit
expect_status 0 td kit make --agencies P.S2 -o "$kit3"
TOKENDESK_OPERATOR=field "$TOKENDESK" --db "$kit3" tag remove TKA021 >/dev/null || fail "field remove"
expect_status 0 td tag send
expect_status 0 td kit merge "$kit3"
expect_eq "$(q "$home" "SELECT op || ' ' || json_extract(home, '$.target') FROM kit_conflict WHERE status = 'open'")" \
	"delete TKA021" "the removal's conflict"
expect_status 0 td kit resolve "$(q "$home" "SELECT id FROM kit_conflict WHERE status = 'open'")" --keep field
expect_eq "$(q "$home" "SELECT count(*) FROM tag WHERE target = 'TKA021'")" 0 "TKA021 removed"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"

# a plan tag confirmed both at home and in the field: a conflict shown
# as the tag reads (its note's reason, no note id), and kept as the
# field's it verifies
kit2=$tmp/second.kit
expect_status 0 td kit make --agencies P.S2 -o "$kit2"
TOKENDESK_OPERATOR=field "$TOKENDESK" --db "$kit2" tag confirm a021 >/dev/null || fail "field confirm"
sleep 1   # another updated stamp at home
expect_status 0 td tag confirm a021
expect_status 0 td kit merge "$kit2"
expect_eq "$(q "$home" "SELECT count(*) FROM kit_conflict WHERE status = 'open'")" 1 "the confirmation's conflict"
expect_status 0 td kit conflicts --json
expect_in "$tmp/out" "P.S2 merges into an agency that keeps its name"
expect_not_in "$tmp/out" "note_id"
expect_status 0 td kit resolve "$(q "$home" "SELECT id FROM kit_conflict WHERE status = 'open'")" --keep field
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"
[ "$failures" -eq 0 ]
