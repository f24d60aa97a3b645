#!/bin/sh
# kit-count-alike: a count closed in the field and at home in the same
# second by the same operator name merges as no change of the close
# itself; its lines decide.  The same lines: one close, none doubled.
# Other lines: a conflict like any other (the field's lines held in it),
# audit verify passing before and after keeping the field's.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
K() { "$TOKENDESK" --db "$tmp/a.kit" "$@"; }
lines() {   # DB ID
	sqlite3 "$1" "SELECT serial, outcome, scans FROM count_result
		WHERE count_id = $2 ORDER BY serial, outcome"
}
verify() { td audit verify >"$tmp/v" 2>&1 || td_fail "$1: $(cat "$tmp/v")"; }

export TOKENDESK_OPERATOR=ops
td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
same=$(K count start --agency SA) && other=$(K count start --agency SA1) ||
	td_fail "count start"
K count scan "$same" T-SA-01 >/dev/null && K count scan "$other" T-SA1-01 >/dev/null ||
	td_fail "scan"
td kit merge "$tmp/a.kit" >/dev/null || td_fail "first merge"
hs=$(sqlite3 "$tmp/reg.db" "SELECT id FROM count_session WHERE scope = 'SA'")
ho=$(sqlite3 "$tmp/reg.db" "SELECT id FROM count_session WHERE scope = 'SA1'")

# The same scans on both sides of one; different scans on the other; all
# four closes at one second (a real one: audit verify holds times to it).
K count scan "$same" T-SA-02 >/dev/null && td count scan "$hs" T-SA-02 >/dev/null ||
	td_fail "scan same"
K count scan "$other" ZZZ >/dev/null && td count scan "$ho" T-SA1-02 >/dev/null ||
	td_fail "scan other"
TOKENDESK_TEST_NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export TOKENDESK_TEST_NOW
for c in "$same" "$other"; do K count close "$c" -o "$tmp" >/dev/null || td_fail "field close"; done
for c in "$hs" "$ho"; do td count close "$c" -o "$tmp" >/dev/null || td_fail "home close"; done
unset TOKENDESK_TEST_NOW
lines "$tmp/reg.db" "$hs" >"$tmp/same.home"
lines "$tmp/reg.db" "$ho" >"$tmp/other.home"
lines "$tmp/a.kit" "$other" >"$tmp/other.field"

td kit merge "$tmp/a.kit" >"$tmp/out" || td_fail "second merge"
grep -q " 1 conflicts" "$tmp/out" || td_fail "merge: $(cat "$tmp/out")"
lines "$tmp/reg.db" "$hs" | diff "$tmp/same.home" - >&2 || td_fail "the same close doubled"
lines "$tmp/reg.db" "$ho" | diff "$tmp/other.home" - >&2 || td_fail "the other count gained lines"
verify "conflict open"
id=$(sqlite3 "$tmp/reg.db" "SELECT id FROM kit_conflict WHERE tbl = 'count_session'
	AND json_extract(pk, '$.id') = $ho")
[ -n "$id" ] || td_fail "no conflict on the count closed otherwise"
td kit resolve "$id" --keep field >/dev/null || td_fail "keep field"
lines "$tmp/reg.db" "$ho" | diff "$tmp/other.field" - >&2 || td_fail "keep field: lines"
verify "field kept"
exit 0
