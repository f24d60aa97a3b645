#!/bin/sh
# kit-count-both: a count started in the field, brought home by a merge,
# then scanned on and closed both in the field and at home.  The second
# merge keeps the field's close as a conflict and its lines with it: the
# count holds home's lines only (no line twice), and audit verify passes
# before the conflict is decided and after either choice; keeping the
# field's version puts the field's lines in place of home's.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3

lines() {   # DB ID: a count's lines, without ids
	sqlite3 "$1" "SELECT serial, outcome, scans, custodian FROM count_result
		WHERE count_id = $2 ORDER BY serial, outcome"
}
verify() { "$TOKENDESK" --db "$1" audit verify >"$tmp/verify.out" 2>&1 ||
	{ cat "$tmp/verify.out" >&2; td_fail "audit verify: $2"; }; }

td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
export TOKENDESK_OPERATOR=team-a
fc=$("$TOKENDESK" --db "$tmp/a.kit" count start --agency SA) || td_fail "count start"
"$TOKENDESK" --db "$tmp/a.kit" count scan "$fc" T-SA-01 >/dev/null || td_fail "scan"
export TOKENDESK_OPERATOR=home
td kit merge "$tmp/a.kit" >/dev/null || td_fail "first merge"
hc=$(sqlite3 "$tmp/reg.db" "SELECT id FROM count_session WHERE scope = 'SA'")
[ -n "$hc" ] || td_fail "the field's count did not come home"

# Both sides scan on and close.
export TOKENDESK_OPERATOR=team-a
"$TOKENDESK" --db "$tmp/a.kit" count scan "$fc" T-SA-02 T-SA-02 ZZZ >/dev/null ||
	td_fail "field scan"
"$TOKENDESK" --db "$tmp/a.kit" count close "$fc" -o "$tmp" >/dev/null ||
	td_fail "field close"
export TOKENDESK_OPERATOR=home
td count scan "$hc" T-SA1-01 >/dev/null || td_fail "home scan"
td count close "$hc" -o "$tmp" >/dev/null || td_fail "home close"
lines "$tmp/reg.db" "$hc" >"$tmp/home.lines"
lines "$tmp/a.kit" "$fc" >"$tmp/field.lines"
cmp -s "$tmp/home.lines" "$tmp/field.lines" && td_fail "the two closes should differ"
[ -s "$tmp/home.lines" ] || td_fail "home's close froze no lines"

td kit merge "$tmp/a.kit" >"$tmp/merge.out" || td_fail "second merge"
grep -q '1 conflicts' "$tmp/merge.out" || { cat "$tmp/merge.out" >&2; td_fail "no conflict"; }
# the field's scans of a count merged before are news, not "nothing new"
grep -q '^3 count scans since the merge of' "$tmp/merge.out" ||
	td_fail "what is new: $(cat "$tmp/merge.out")"
lines "$tmp/reg.db" "$hc" >"$tmp/now.lines"
diff "$tmp/home.lines" "$tmp/now.lines" >&2 ||
	td_fail "home's count gained the field's lines while the conflict is open"
verify "$tmp/reg.db" "conflict open"
td count report "$hc" --json >"$tmp/report.json" || td_fail "report"
grep -q '"ZZZ"' "$tmp/report.json" && td_fail "the report shows a field line"

# The conflict names the count and both closes' tallies; the text shows
# how many lines the field holds, --json the lines themselves.
td kit conflicts >"$tmp/conflicts.txt" || td_fail "kit conflicts"
grep -q "update count_session $hc" "$tmp/conflicts.txt" ||
	{ cat "$tmp/conflicts.txt" >&2; td_fail "the conflict does not name the count"; }
grep -q 'scope SA' "$tmp/conflicts.txt" || td_fail "the conflict does not name the scope"
nfield=$(grep -c . "$tmp/field.lines")
grep -q "\"lines\":$nfield" "$tmp/conflicts.txt" ||
	{ cat "$tmp/conflicts.txt" >&2; td_fail "the text does not count the field's lines"; }
grep -q '"found":2' "$tmp/conflicts.txt" || td_fail "tallies missing"
td kit conflicts --json >"$tmp/conflicts.json" || td_fail "kit conflicts --json"
tr -d ' \n' <"$tmp/conflicts.json" | grep -q '\["ZZZ","unknown",1,' ||
	{ cat "$tmp/conflicts.json" >&2; td_fail "--json lacks the field's lines"; }
id=$(sqlite3 "$tmp/reg.db" "SELECT id FROM kit_conflict WHERE tbl = 'count_session'")

# Home's close kept: nothing of the field's lines lands.
cp "$tmp/reg.db" "$tmp/home.db"
"$TOKENDESK" --db "$tmp/home.db" kit resolve "$id" --keep home >/dev/null ||
	td_fail "keep home"
lines "$tmp/home.db" "$hc" | diff "$tmp/home.lines" - >&2 || td_fail "keep home changed the lines"
verify "$tmp/home.db" "home kept"

# The conflict's copy of the lines, edited at home: keeping it is refused
# (the merge's digest of its conflicts) and nothing changes.
cp "$tmp/reg.db" "$tmp/edited.db"
sqlite3 "$tmp/edited.db" "UPDATE kit_conflict SET field_new = json_set(field_new,
	'$.lines[5][1]', 'found') WHERE id = $id" || td_fail "edit"
"$TOKENDESK" --db "$tmp/edited.db" kit resolve "$id" --keep field >"$tmp/out" 2>&1 &&
	td_fail "an edited conflict was kept"
grep -q "are not as that merge left them" "$tmp/out" ||
	td_fail "edited conflict: $(cat "$tmp/out")"
lines "$tmp/edited.db" "$hc" | diff "$tmp/home.lines" - >&2 || td_fail "the refusal changed lines"

# The field's close kept: its lines, and only those.
td kit resolve "$id" --keep field >/dev/null || td_fail "keep field"
lines "$tmp/reg.db" "$hc" | diff "$tmp/field.lines" - >&2 ||
	td_fail "keep field did not put the field's lines in place"
[ "$(sqlite3 "$tmp/reg.db" "SELECT closed_by FROM count_session WHERE id = $hc")" = team-a ] ||
	td_fail "keep field did not take the field's close"
verify "$tmp/reg.db" "field kept"
td count report "$hc" --json | grep -q '"ZZZ"' || td_fail "the report lacks the field's line"

# Kept, the lines are held to the field's own count.close row: the
# conflict's copy and the lines edited together are found.
cp "$tmp/reg.db" "$tmp/edited.db"
sqlite3 "$tmp/edited.db" "UPDATE count_result SET outcome = 'found'
	WHERE count_id = $hc AND serial = 'ZZZ'" || td_fail "edit"
text=$(sqlite3 "$tmp/edited.db" "SELECT group_concat(l, char(10)) FROM (SELECT
	json_array(serial, outcome, scans, custodian, custodian_name) AS l
	FROM count_result WHERE count_id = $hc ORDER BY serial, outcome)")
sha=$(printf '%s' "$text" | sha256sum | cut -d' ' -f1)
sqlite3 "$tmp/edited.db" "UPDATE kit_conflict SET field_new = json_set(field_new,
	'$.unknown', 0, '$.found', 3, '$.expected', 6, '$.lines_sha256', '$sha',
	'$.lines[5][1]', 'found') WHERE id = $id" || td_fail "edit"
"$TOKENDESK" --db "$tmp/edited.db" audit verify >"$tmp/out" 2>&1 &&
	td_fail "audit verify missed the edited lines"

# The kit again: nothing new, nothing doubled.
td kit merge "$tmp/a.kit" >/dev/null || td_fail "third merge"
lines "$tmp/reg.db" "$hc" | diff "$tmp/field.lines" - >&2 || td_fail "a merge again added lines"
verify "$tmp/reg.db" "merged again"
exit 0
