#!/bin/sh
# kit-merge: two kits from one registry, each with handovers and a count
# in the field, merged in either order give the same registry; merging a
# kit again changes nothing; the audit chain verifies after every merge.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3

td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit a"
td kit make --agencies SB,XA -o "$tmp/b.kit" >/dev/null || td_fail "kit b"

# Field team A: two handovers and a closed count.
export TOKENDESK_OPERATOR=team-a
"$move" "$tmp/a.kit" T-SA-01 agency:SA at_agency || td_fail "field move a1"
"$move" "$tmp/a.kit" T-SA1-02 agency:SA1 at_agency || td_fail "field move a2"
ca=$("$TOKENDESK" --db "$tmp/a.kit" count start --agency SA) || td_fail "count a"
"$TOKENDESK" --db "$tmp/a.kit" count scan "$ca" T-SA-01 T-SA-02 T-SA-01 ZZZ >/dev/null
"$TOKENDESK" --db "$tmp/a.kit" count close "$ca" -o "$tmp" >/dev/null || td_fail "close a"
# Field team B: handovers and a count left open.
export TOKENDESK_OPERATOR=team-b
"$move" "$tmp/b.kit" T-SB-01 agency:SB at_agency || td_fail "field move b1"
"$move" "$tmp/b.kit" T-XA-01 dost at_dost || td_fail "field move b2"
cb=$("$TOKENDESK" --db "$tmp/b.kit" count start --agency XA) || td_fail "count b"
"$TOKENDESK" --db "$tmp/b.kit" count scan "$cb" T-XA-01 >/dev/null
# Home goes on meanwhile, on a token no field team touched.
export TOKENDESK_OPERATOR=home
"$move" "$tmp/reg.db" T-SB-02 dost at_dost || td_fail "home move"

cp "$tmp/reg.db" "$tmp/ab.db"
cp "$tmp/reg.db" "$tmp/ba.db"
for order in "ab a b" "ba b a"; do
	set -- $order
	db=$tmp/$1.db
	for k in "$2" "$3"; do
		"$TOKENDESK" --db "$db" kit merge "$tmp/$k.kit" >/dev/null ||
			td_fail "merge $k into $1"
		"$TOKENDESK" --db "$db" audit verify >/dev/null ||
			td_fail "audit chain broken after merging $k into $1"
	done
done
registry_digest "$tmp/ab.db" > "$tmp/ab.txt"
registry_digest "$tmp/ba.db" > "$tmp/ba.txt"
diff "$tmp/ab.txt" "$tmp/ba.txt" >&2 || td_fail "merge order changes the registry"

# Everything recorded in the field arrived.
grep -q '^token|T-SA-01|agency:SA|at_agency$' "$tmp/ab.txt" || td_fail "a1 lost"
grep -q '^token|T-SA1-02|agency:SA1|at_agency$' "$tmp/ab.txt" || td_fail "a2 lost"
grep -q '^token|T-SB-01|agency:SB|at_agency$' "$tmp/ab.txt" || td_fail "b1 lost"
grep -q '^token|T-XA-01|dost|at_dost$' "$tmp/ab.txt" || td_fail "b2 lost"
grep -q '^token|T-SB-02|dost|at_dost$' "$tmp/ab.txt" || td_fail "home move lost"
[ "$(grep -c '^custody|' "$tmp/ab.txt")" = 5 ] || td_fail "custody events"
[ "$(grep -c '^scan|' "$tmp/ab.txt")" = 5 ] || td_fail "count scans"
[ "$(grep -c '^count|' "$tmp/ab.txt")" = 2 ] || td_fail "counts"
grep -q '^result|.*|ZZZ|unknown|1$' "$tmp/ab.txt" || td_fail "count result"
[ "$(grep -c '^field-audit|' "$tmp/ab.txt")" = 12 ] || td_fail "field audit rows"
grep -q '^conflict' "$tmp/ab.txt" && td_fail "conflicts where there were none"
# The merged count reads as it did in the field; the open one can go on.
id=$(sqlite3 "$tmp/ab.db" "SELECT id FROM count_session WHERE scope = 'SA'")
"$TOKENDESK" --db "$tmp/ab.db" count report "$id" --json | grep -q '"ZZZ"' ||
	td_fail "merged count report"
id=$(sqlite3 "$tmp/ab.db" "SELECT id FROM count_session WHERE scope = 'XA'")
"$TOKENDESK" --db "$tmp/ab.db" count scan "$id" T-XA-01 | grep -q duplicate ||
	td_fail "merged open count does not resume"

# Merging again changes nothing at all.
sqlite3 "$tmp/ba.db" .dump > "$tmp/before.sql"
"$TOKENDESK" --db "$tmp/ba.db" kit merge "$tmp/a.kit" | grep -q "nothing new since it was merged last" ||
	td_fail "second merge not recognised"
sqlite3 "$tmp/ba.db" .dump > "$tmp/after.sql"
cmp -s "$tmp/before.sql" "$tmp/after.sql" || td_fail "second merge changed the registry"

# Work recorded in a kit after its merge comes home at the next merge
# (kit-tour.sh tries a whole tour).
TOKENDESK_OPERATOR=team-a "$move" "$tmp/a.kit" T-SA-02 agency:SA at_agency
"$TOKENDESK" --db "$tmp/ba.db" kit merge "$tmp/a.kit" >"$tmp/out" ||
	td_fail "a kit used after its merge was refused"
grep -q "1 custody move since the merge of" "$tmp/out" || td_fail "what is new: $(cat "$tmp/out")"
"$TOKENDESK" --db "$tmp/ba.db" show token T-SA-02 | grep -q "custodian: *agency:SA" ||
	td_fail "the later field move did not come home"
"$TOKENDESK" --db "$tmp/ba.db" audit verify >/dev/null || td_fail "audit after the later merge"
# A kit belongs to the registry it was made from.
"$TOKENDESK" --db "$tmp/other.db" init >/dev/null
"$TOKENDESK" --db "$tmp/other.db" import "$tmp/agencies.csv" >/dev/null
"$TOKENDESK" --db "$tmp/other.db" kit merge "$tmp/b.kit" 2>/dev/null &&
	td_fail "merged a kit into a registry it was not made from"
exit 0
