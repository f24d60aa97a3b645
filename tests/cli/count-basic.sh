#!/bin/sh
# count-basic: a count with found, missing, unexpected, duplicate and
# unknown cases; closing freezes it, writes 0600 reports with signature
# lines, refuses further scans, and is audited.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test

# Scope SA: its subtree holds T-SA-01..03 and T-SA1-01..02.
id=$(td count start --agency SA) || td_fail "count start"
[ "$id" -ge 1 ] 2>/dev/null || td_fail "count start printed '$id'"
td count scan "$id" T-SA-01 " t-sa-02 " T-SA1-01 >/dev/null || td_fail "scan found"
out=$(td count scan "$id" T-SA-01) || td_fail "duplicate scan"
echo "$out" | grep -q duplicate || td_fail "duplicate not flagged: $out"
out=$(td count scan "$id" T-SB-01) || td_fail "unexpected scan"
echo "$out" | grep -q "unexpected.*holder:001090000005" ||
	td_fail "unexpected scan does not say where the registry has it: $out"
td count scan "$id" NOPE-42 | grep -q unknown || td_fail "unknown serial"
td count scan "$id" 'bad serial!' 2>/dev/null && td_fail "bad serial accepted"

td count report "$id" --json > "$tmp/r.json" || td_fail "report"
check() {
	python3 - "$1" <<'PY' || td_fail "report contents"
import json, sys
r = json.load(open(sys.argv[1]))
want = {"found": ["T-SA-01", "T-SA-02", "T-SA1-01"],
        "missing": ["T-SA-03", "T-SA1-02"],
        "unexpected": ["T-SB-01"], "duplicate": ["T-SA-01"],
        "unknown": ["NOPE-42"]}
for k, v in want.items():
    if sorted(r[k]) != v:
        sys.exit("%s: %s, want %s" % (k, r[k], v))
t = r["tally"]
if (t["found"], t["missing"], t["unexpected"], t["duplicate"], t["unknown"],
        t["scans"], t["expected"]) != (3, 2, 1, 1, 1, 6, 5):
    sys.exit("tally %s" % t)
if r["unexpected_at"]["T-SB-01"]["custodian_name"] != "Hoàng Văn Em":
    sys.exit("unexpected_at %s" % r["unexpected_at"])
PY
}
if command -v python3 >/dev/null; then check "$tmp/r.json"; else
	grep -q '"T-SA1-02"' "$tmp/r.json" || td_fail "missing T-SA1-02"
fi

# Custodian scope: only what one custodian holds.
cid=$(td count start --custodian holder:001090000005) || td_fail "custodian count"
td count scan "$cid" T-SB-01 T-SA-01 >/dev/null
td count report "$cid" | grep -q "expected 1, found 1, missing 0, unexpected 1" ||
	td_fail "custodian scope: $(td count report "$cid")"
td count start --custodian nobody:1 2>/dev/null && td_fail "bad custodian accepted"
td count start --agency NOPE 2>/dev/null && td_fail "bad agency accepted"

# Close: frozen result, reports, refusal to scan on.
mkdir "$tmp/out"
(umask 022; td count close "$id" -o "$tmp/out" >/dev/null) || td_fail "close"
for f in count-$id.txt count-$id.xlsx; do
	[ -s "$tmp/out/$f" ] || td_fail "no report $f"
	[ "$(stat -c %a "$tmp/out/$f")" = 600 ] || td_fail "$f is not 0600"
done
grep -q "Người kiểm đếm" "$tmp/out/count-$id.txt" || td_fail "no counter signature line"
grep -q "Thủ trưởng đơn vị" "$tmp/out/count-$id.txt" || td_fail "no head signature line"
grep -q "T-SA1-02" "$tmp/out/count-$id.txt" || td_fail "text report lacks missing token"
unzip -l "$tmp/out/count-$id.xlsx" 2>/dev/null | grep -q sheet2 ||
	[ "$(head -c 2 "$tmp/out/count-$id.xlsx")" = PK ] || td_fail "xlsx is not a zip"
td count scan "$id" T-SA-03 2>/dev/null && td_fail "scan on a closed count accepted"
td count close "$id" 2>/dev/null && td_fail "closed twice"
# A later custody change does not alter the closed count.
"$TD_BUILDDIR/tests/cli/kit-move" "$tmp/reg.db" T-SB-01 agency:SA at_agency ||
	td_fail "move"
td count report "$id" --json > "$tmp/r2.json"
if command -v python3 >/dev/null; then check "$tmp/r2.json"; fi
td audit verify >/dev/null || td_fail "audit chain"
td audit log count "$(sed -n 's/.*"uid": "\(.*\)".*/\1/p' "$tmp/r.json")" |
	grep -q count.close || td_fail "close not audited"
exit 0
