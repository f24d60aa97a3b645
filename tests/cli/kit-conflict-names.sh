#!/bin/sh
# kit-conflict-names: a conflict only where the values differ (an
# official marked "no longer needed" on both sides is not one), and each
# conflict named as a person knows it: the token's serial, its
# certificate, holder and agency, and the handover numbers each side
# signed; in text (English and Vietnamese) and --json.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3 python3

td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || td_fail "kit make"
kb() { "$TOKENDESK" --db "$tmp/b.kit" "$@"; }
nf=$(kb handover --to agency:SB T-SB-01 | sed -n 's/^Handover \([^:]*\):.*/\1/p')
nh=$(td handover --to dost --force --reason "nộp thẳng cho Sở" T-SB-01 | sed -n 's/^Handover \([^:]*\):.*/\1/p')
[ -n "$nf" ] && [ -n "$nh" ] || td_fail "handover numbers '$nf' '$nh'"
# the same mark on both sides, and one only the field made
kb holder set 001090000005 --no-longer-needed >/dev/null || td_fail "field mark 5"
td holder set 001090000005 --no-longer-needed >/dev/null || td_fail "home mark 5"
kb holder set 001090000006 --no-longer-needed >/dev/null || td_fail "field mark 6"

td kit merge "$tmp/b.kit" >"$tmp/m" || td_fail "merge: $(cat "$tmp/m")"
grep -q ", 2 conflicts" "$tmp/m" || td_fail "conflicts: $(cat "$tmp/m")"
td audit verify >/dev/null || td_fail "audit after the merge"

td kit conflicts >"$tmp/c.txt" || td_fail "kit conflicts"
grep -q "update token T-SB-01	changed both in the field and at home" "$tmp/c.txt" ||
	td_fail "token conflict not named by serial: $(cat "$tmp/c.txt")"
grep -q "	certificates b001; holders Hoàng Văn Em (001090000005); agency SB Sở B" \
	"$tmp/c.txt" || td_fail "token conflict lacks certificate, holder, agency"
grep -q "	handover at home: $nh; in the field: $nf" "$tmp/c.txt" ||
	td_fail "token conflict lacks the handover numbers: $(cat "$tmp/c.txt")"
grep -q "update holder Vũ Thị Giang (001090000006)	" "$tmp/c.txt" ||
	td_fail "holder conflict not named: $(cat "$tmp/c.txt")"
grep -q "001090000005)	" "$tmp/c.txt" && td_fail "identical values made a conflict"
grep -q '{"id":' "$tmp/c.txt" && grep -q 'update token {"id"' "$tmp/c.txt" &&
	td_fail "a conflict named by internal id"
td --lang vi kit conflicts >"$tmp/vi.txt" || td_fail "kit conflicts (vi)"
grep -q "	bàn giao tại trụ sở: $nh; tại hiện trường: $nf" "$tmp/vi.txt" ||
	td_fail "Vietnamese: $(cat "$tmp/vi.txt")"

td kit conflicts --json >"$tmp/c.json" || td_fail "kit conflicts --json"
python3 - "$tmp/c.json" "$nh" "$nf" <<'PY' || td_fail "JSON labels"
import json, sys
cs = {c["table"]: c for c in json.load(open(sys.argv[1]))}
assert set(cs) == {"token", "holder"}, cs
t = cs["token"]["label"]
assert t["token"] == "T-SB-01" and t["certificates"] == "b001", t
assert t["holders"] == "Hoàng Văn Em (001090000005)" and t["agency"] == "SB Sở B", t
assert t["home_handover"] == sys.argv[2] and t["field_handover"] == sys.argv[3], t
h = cs["holder"]["label"]
assert h == {"holder": "Vũ Thị Giang (001090000006)", "agency": "SB Sở B"}, h
PY
exit 0
