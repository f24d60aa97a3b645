#!/bin/sh
# kit-conflict: a token handed over both at home and in the field, and a
# field edit of home-only data, are reported and kept, never decided
# silently; the operator decides with kit resolve; all of it audited.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3 python3

td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || td_fail "kit make"
"$move" "$tmp/b.kit" T-SB-01 agency:SB at_agency || td_fail "field move"
"$move" "$tmp/b.kit" T-SB-02 agency:SB at_agency || td_fail "field move 2"
"$move" "$tmp/reg.db" T-SB-01 dost at_dost || td_fail "home move"
# A holder marked in the field (master data: home decides).  (A raw
# tool's edit, with no audit row, is refused whole: kit-tamper.sh.)
"$TOKENDESK" --db "$tmp/b.kit" holder set 001090000005 --no-longer-needed >/dev/null ||
	td_fail "field holder mark"

td kit merge "$tmp/b.kit" > "$tmp/merge.out" || td_fail "merge"
grep -q "2 conflicts" "$tmp/merge.out" || td_fail "conflicts not reported: $(cat "$tmp/merge.out")"
td audit verify >/dev/null || td_fail "audit chain after merge"
# Home's version stands until the operator decides; the other field move
# and the field's custody event are in.
td show token T-SB-01 | grep -q "custodian: *dost" || td_fail "a conflict was decided silently"
td show token T-SB-02 | grep -q "custodian: *agency:SB" || td_fail "clean field move lost"
[ "$(sqlite3 "$tmp/reg.db" "SELECT count(*) FROM custody_event e JOIN token t ON t.id = e.token_id WHERE t.serial = 'T-SB-01'")" = 2 ] ||
	td_fail "the field's handover of T-SB-01 was lost from history"

td kit conflicts --json > "$tmp/c.json" || td_fail "kit conflicts"
tok=$(python3 -c '
import json, sys
for c in json.load(open(sys.argv[1])):
    if c["table"] == "token":
        assert c["home"]["custodian"] == "dost", c
        assert c["field_new"]["custodian"] == "agency:SB", c
        assert c["field_old"]["custodian"] == "holder:001090000005", c
        print(c["id"])' "$tmp/c.json") || td_fail "token conflict lacks both versions"
hol=$(python3 -c '
import json, sys
for c in json.load(open(sys.argv[1])):
    if c["table"] == "holder":
        assert c["field_new"]["no_longer_needed"] == 1, c
        print(c["id"])' "$tmp/c.json") || td_fail "holder conflict lacks the field version"
[ -n "$tok" ] && [ -n "$hol" ] || td_fail "conflicts: $(cat "$tmp/c.json")"

td kit resolve "$tok" --keep field >/dev/null || td_fail "resolve field"
td show token T-SB-01 | grep -q "custodian: *agency:SB" || td_fail "keep field not applied"
td kit resolve "$tok" --keep home 2>/dev/null && td_fail "decided twice"
td kit resolve "$hol" --keep home >/dev/null || td_fail "resolve home"
[ "$(sqlite3 "$tmp/reg.db" "SELECT no_longer_needed FROM holder WHERE ext_id = '001090000005'")" = 0 ] ||
	td_fail "keep home changed the holder"
[ "$(td kit conflicts --json)" = "[]" ] || td_fail "open conflicts remain"
[ "$(td kit conflicts --all --json | grep -c '"status": "kept_')" = 2 ] ||
	td_fail "decided conflicts not kept"
td audit verify >/dev/null || td_fail "audit chain after resolving"
td audit log kit_conflict "$tok" | grep -q kit.resolve || td_fail "resolve not audited"
exit 0
