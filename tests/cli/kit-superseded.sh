#!/bin/sh
# kit-superseded: a move that lost a kit conflict stays in the token's
# history marked superseded (by which choice, who, when), and `show token`
# (text and --json), `audit log` and the token's place agree on where it
# is and on its last valid move; every write of the decision is audited.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3 python3

td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || td_fail "kit make"
kb() { "$TOKENDESK" --db "$tmp/b.kit" "$@"; }
TOKENDESK_OPERATOR=team kb handover --to agency:SB T-SB-01 >/dev/null || td_fail "field 1"
TOKENDESK_OPERATOR=team kb handover --to agency:SB T-SB-02 >/dev/null || td_fail "field 2"
td handover --to dost --force --reason "nộp thẳng cho Sở" T-SB-01 >/dev/null || td_fail "home 1"
td handover --to dost --force --reason "nộp thẳng cho Sở" T-SB-02 >/dev/null || td_fail "home 2"
td kit merge "$tmp/b.kit" | grep -q ", 2 conflicts" || td_fail "merge"
cid() { td kit conflicts --json | python3 -c '
import json, sys
print([c["id"] for c in json.load(sys.stdin) if c["label"]["token"] == sys.argv[1]][0])' "$1"; }
c1=$(cid T-SB-01) && c2=$(cid T-SB-02) || td_fail "conflict ids"

TOKENDESK_OPERATOR=chief td kit resolve "$c1" --keep field >/dev/null || td_fail "keep field"
TOKENDESK_OPERATOR=chief td kit resolve "$c2" --keep home >/dev/null || td_fail "keep home"

# T-SB-01: home's move to DOST lost; the field's stands
td show token T-SB-01 >"$tmp/t1" || td_fail "show T-SB-01"
grep -q "custodian: *agency:SB" "$tmp/t1" || td_fail "keep field not applied"
grep -A1 -- "-> dost  at_dost  by tester" "$tmp/t1" |
	grep -q "superseded: kit conflict $c1 decided for the field's version by chief at 20" ||
	td_fail "home's losing move not marked: $(cat "$tmp/t1")"
grep -q "last valid move: .* -> agency:SB  at_agency" "$tmp/t1" ||
	td_fail "last valid move: $(cat "$tmp/t1")"
# T-SB-02: the field's move lost; home's stands
td show token T-SB-02 >"$tmp/t2" || td_fail "show T-SB-02"
grep -q "custodian: *dost" "$tmp/t2" || td_fail "keep home changed the token"
grep -A2 -- "-> agency:SB  at_agency  by team" "$tmp/t2" |
	grep -q "superseded: kit conflict $c2 decided for home's version by chief" ||
	td_fail "the field's losing move not marked: $(cat "$tmp/t2")"
grep -q "last valid move: .* -> dost  at_dost" "$tmp/t2" || td_fail "last valid move 2"

for s in T-SB-01 T-SB-02; do
	td show token "$s" --json >"$tmp/$s.json" || td_fail "show --json $s"
done
python3 - "$tmp/T-SB-01.json" "$tmp/T-SB-02.json" <<'PY' || td_fail "show token --json"
import json, sys
for path, lost_to, stands in ((sys.argv[1], "dost", "agency:SB"),
                              (sys.argv[2], "agency:SB", "dost")):
    t = json.load(open(path))
    ev = {e["id"]: e for e in t["history"]}
    lost = [e for e in t["history"] if "superseded" in e]
    assert len(lost) == 1 and lost[0]["to"] == lost_to, lost
    assert lost[0]["superseded"]["by"] == "chief", lost
    last = ev[t["last_valid_move"]]
    assert last["to"] == stands == t["custodian"], (last, t["custodian"])
PY

# audit log: the decision's home row puts the token where it is (the
# newest audit row of the token), and the decision names the superseded
# moves
td audit log token T-SB-01 >"$tmp/a1" || td_fail "audit log"
grep -A2 'token.resolve  *chief' "$tmp/a1" | grep -q 'after:  {.*"custodian":"agency:SB"}' ||
	td_fail "audit log's newest row of T-SB-01: $(tail -3 "$tmp/a1")"
td audit log kit_conflict "$c1" | grep -q '"superseded":\[' || td_fail "supersede not audited"
[ "$(sqlite3 "$tmp/reg.db" "SELECT count(*) FROM kit_superseded")" = 2 ] ||
	td_fail "superseded marks: $(sqlite3 "$tmp/reg.db" "SELECT * FROM kit_superseded")"
td audit verify >/dev/null || td_fail "audit verify"

# The field moves T-SB-02 again: a new conflict, whose label names home's
# handover that stands (to DOST), not the field's move that lost.
TOKENDESK_OPERATOR=team kb handover --to holder:001090000006 T-SB-02 >/dev/null || td_fail "field 3"
td kit merge "$tmp/b.kit" | grep -q ", 1 conflicts" || td_fail "merge again"
home_number=$(sqlite3 "$tmp/reg.db" "SELECT h.number FROM custody_event e
	JOIN token t ON t.id = e.token_id JOIN handover h ON h.id = e.handover_id
	WHERE t.serial = 'T-SB-02' AND e.to_custodian = 'dost'") || td_fail "home's handover"
[ -n "$home_number" ] || td_fail "no home handover of T-SB-02"
td kit conflicts | grep -q "handover at home: $home_number;" ||
	td_fail "the label names another handover than home's ($home_number): $(td kit conflicts)"
exit 0
