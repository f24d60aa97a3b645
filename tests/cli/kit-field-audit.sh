#!/bin/sh
# kit-field-audit: the audit rows recorded in a field kit come home as the
# kit wrote them (same times, operators and hashes), show in a record's
# audit log, and verify through the kit.merge row that anchors them: a
# field row edited, deleted, renumbered or added by hand is named.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$1" "$2"; }

td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit a"
td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || td_fail "kit b"
TOKENDESK_OPERATOR=team-a "$move" "$tmp/a.kit" T-SA-01 agency:SA at_agency || td_fail "move a1"
TOKENDESK_OPERATOR=team-a "$move" "$tmp/a.kit" T-SA-02 dost at_dost || td_fail "move a2"
TOKENDESK_OPERATOR=team-b "$move" "$tmp/b.kit" T-SB-01 agency:SB at_agency || td_fail "move b1"
td kit merge "$tmp/a.kit" | grep -q "2 field audit rows" || td_fail "merge a"
td kit merge "$tmp/b.kit" | grep -q "1 field audit rows" || td_fail "merge b"
td audit verify > "$tmp/out" || td_fail "audit verify after merges"
grep -q "hash chain verified" "$tmp/out" || td_fail "verify output: $(cat "$tmp/out")"

# As the kit wrote them: every field row of kit a, field for field.
cols="action, entity, entity_key, at, operator, before, after, hash"
q "$tmp/a.kit" "SELECT $cols FROM audit WHERE action != 'kit.make' ORDER BY id" > "$tmp/kit.txt"
ua=$(q "$tmp/a.kit" "SELECT value FROM meta WHERE key = 'kit_uuid'")
q "$tmp/reg.db" "SELECT $cols FROM kit_field_audit WHERE kit_uuid = '$ua' ORDER BY id" \
	> "$tmp/home.txt"
[ -s "$tmp/kit.txt" ] || td_fail "no field rows in kit a"
cmp -s "$tmp/kit.txt" "$tmp/home.txt" || td_fail "field rows differ from the kit's"
# The merge anchors them: ids and the kit chain's last hash.
head=$(q "$tmp/a.kit" "SELECT hash FROM audit ORDER BY id DESC LIMIT 1")
q "$tmp/reg.db" "SELECT after FROM audit WHERE action = 'kit.merge'" |
	grep -q "\"head\":\"$head\"" || td_fail "kit.merge does not anchor kit a's head"

# A record's log shows its field rows, with their kit and operator.
td audit log token T-SA-02 > "$tmp/log" || td_fail "audit log"
grep -q "field:token.move.*team-a.*(kit " "$tmp/log" || td_fail "field row not in log: $(cat "$tmp/log")"
td audit log token T-SA-02 --json | grep -q '"kit"' || td_fail "kit in the JSON log"

cp "$tmp/reg.db" "$tmp/pristine.db"
restore() { cp "$tmp/pristine.db" "$tmp/reg.db"; rm -f "$tmp/reg.db-wal" "$tmp/reg.db-shm"; }
# tamper SQL WANT: audit verify fails (65) with WANT in its message.
tamper() {
	restore
	q "$tmp/reg.db" "$1"
	td audit verify >/dev/null 2>"$tmp/err"
	st=$?
	[ "$st" = 65 ] || td_fail "after '$1': audit verify exited $st"
	grep -q "$2" "$tmp/err" || td_fail "after '$1': $(cat "$tmp/err")"
}
tamper "UPDATE kit_field_audit SET operator = 'mallory' WHERE id = 2" \
	"field audit row 2 (kit .*token.move"
tamper "UPDATE kit_field_audit SET after = replace(after, 'dost', 'ca') WHERE id = 2" \
	"field audit row 2 "
tamper "DELETE FROM kit_field_audit WHERE id = 1" "field audit row 2 follows row 0"
tamper "DELETE FROM kit_field_audit WHERE id = 3" "end before row 3"
tamper "UPDATE kit_field_audit SET id = 9 WHERE id = 1; UPDATE kit_field_audit SET id = 1
	WHERE id = 2; UPDATE kit_field_audit SET id = 2 WHERE id = 9" "field audit row 1 "
tamper "INSERT INTO kit_field_audit (kit_uuid, field_id, at, operator, action, entity,
	hash) SELECT kit_uuid, 9, at, 'mallory', action, entity, hash FROM kit_field_audit
	WHERE id = 3" "field audit row 4 comes from no kit merge"
tamper "UPDATE kit_field_audit SET kit_uuid = 'x' WHERE id = 3" "names another kit"
restore
td audit verify >/dev/null || td_fail "pristine copy does not verify"
exit 0
