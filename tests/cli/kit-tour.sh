#!/bin/sh
# kit-tour: a kit merged three times over a tour (issue 28).  Between
# merges the team records handovers, a count and dossiers, and home hands
# over some of the same tokens; a copy of the kit made before the first
# merge comes home after it and goes on touring.  Home ends with every
# field event exactly once, conflicts only where the values differ, and
# `audit verify` passing; a fourth merge, and merging the stale stick,
# change nothing; a copy whose log parted from the one merged is refused.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3 python3

td kit make --agencies SA,SB -o "$tmp/stick.kit" >/dev/null || td_fail "kit make"
export TOKENDESK_OPERATOR=team
kit() { k=$1; shift; "$TOKENDESK" --db "$tmp/$k.kit" "$@"; }
number() { sed -n 's/^Handover \([^:]*\):.*/\1/p' "$1"; }
q() { sqlite3 "$tmp/reg.db" "$1"; }
digest() { sqlite3 "$tmp/reg.db" .dump | grep -v "^INSERT INTO kit_merge_state"; }

# ---- tour 1, on the stick: a handover, a dossier, a count left open
kit stick handover --to agency:SA T-SA-01 >"$tmp/h1" || td_fail "field handover 1"
kit stick dossier add --agency SA --kind renewal --ref HS-1 --holder 001090000001 \
	>/dev/null || td_fail "field dossier"
cnt=$(kit stick count start --agency SA1) || td_fail "field count"
kit stick count scan "$cnt" T-SA1-01 >/dev/null || td_fail "field scan 1"
# home meanwhile hands T-SB-01 to DOST
TOKENDESK_OPERATOR=home td handover --to dost --force --reason "nộp thẳng cho Sở" T-SB-01 >/dev/null || td_fail "home handover"
cp "$tmp/stick.kit" "$tmp/copy.kit"    # a copy, before the first merge

td kit merge "$tmp/stick.kit" >"$tmp/m1" || td_fail "merge 1: $(cat "$tmp/m1")"
grep -q "^1 handover, 1 dossier, 1 count, 1 count scan, 1 custody move since the kit was made on 20" \
	"$tmp/m1" || td_fail "merge 1 says: $(cat "$tmp/m1")"
grep -q ", 0 conflicts" "$tmp/m1" || td_fail "merge 1 conflicts: $(cat "$tmp/m1")"
td audit verify >/dev/null || td_fail "audit after merge 1"

# The copy made before the merge holds nothing home lacks.
digest >"$tmp/d1"
td kit merge "$tmp/copy.kit" >"$tmp/mc" || td_fail "copy merge: $(cat "$tmp/mc")"
grep -q "older copy" "$tmp/mc" && ! grep -q "nothing new" "$tmp/mc" ||
	grep -q "nothing new since it was merged last" "$tmp/mc" || td_fail "copy: $(cat "$tmp/mc")"
digest | cmp -s - "$tmp/d1" || td_fail "merging the copy changed the registry"

# ---- tour 2, on the copy: the dossier of tour 1 handed on, the count
# of tour 1 finished, T-SB-01 handed over (home moved it: a conflict),
# T-SB-02 handed to Sở B on both sides (the same values: no conflict)
kit copy dossier handover --from agency:SA --to agency:SA1 HS-1 >"$tmp/h2" ||
	td_fail "field dossier handover"
kit copy count scan "$cnt" T-SA1-02 >/dev/null || td_fail "field scan 2"
kit copy count close "$cnt" -o "$tmp" >/dev/null || td_fail "field count close"
kit copy handover --to agency:SB T-SB-01 >"$tmp/h3" || td_fail "field handover 3"
kit copy handover --to agency:SB T-SB-02 >"$tmp/h4" || td_fail "field handover 4"
TOKENDESK_OPERATOR=home td handover --to agency:SB T-SB-02 >/dev/null ||
	td_fail "home handover 2"

td kit merge "$tmp/copy.kit" >"$tmp/m2" || td_fail "merge 2: $(cat "$tmp/m2")"
grep -q "^3 handovers, 1 count scan, 2 custody moves since the merge of 20" "$tmp/m2" ||
	td_fail "merge 2 says: $(cat "$tmp/m2")"
grep -q ", 1 conflicts" "$tmp/m2" || td_fail "merge 2 conflicts: $(cat "$tmp/m2")"
td audit verify >/dev/null || td_fail "audit after merge 2"
[ "$(q "SELECT a.code || ' ' || d.status FROM dossier d JOIN agency a ON a.id = d.agency_id
        WHERE ref = 'HS-1'")" = "SA1 open" ] || td_fail "the dossier's handover in tour 2 did not come home"
[ "$(q "SELECT count(*) || ' ' || (closed_at IS NOT NULL) FROM count_session
        WHERE scope = 'SA1'")" = "1 1" ] || td_fail "the count of tour 1 was not closed once"
[ "$(q "SELECT count(*) FROM count_scan s JOIN count_session c ON c.id = s.count_id
        WHERE c.scope = 'SA1'")" = 2 ] || td_fail "the count's scans are not there once each"
td show token T-SB-02 | grep -q "custodian: *agency:SB" || td_fail "T-SB-02"
python3 - "$tmp/reg.db" <<'PY' || td_fail "conflicts of merge 2"
import json, sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT tbl, pk FROM kit_conflict WHERE status = 'open'").fetchall()
assert len(rows) == 1 and rows[0][0] == "token", rows
PY

# ---- tour 3, on the copy: another handover and a dossier, while home
# hands T-SA-02 over too (a conflict)
kit copy handover --to agency:SA T-SA-02 >"$tmp/h5" || td_fail "field handover 5"
kit copy dossier add --agency SB --kind new_issue --ref HS-2 >/dev/null || td_fail "dossier 2"
TOKENDESK_OPERATOR=home td handover --to dost --force --reason "nộp thẳng cho Sở" T-SA-02 >/dev/null || td_fail "home handover 3"
td kit merge "$tmp/copy.kit" --json >"$tmp/m3.json" || td_fail "merge 3: $(cat "$tmp/m3.json")"
python3 - "$tmp/m3.json" <<'PY' || td_fail "merge 3 --json: $(cat "$tmp/m3.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["merge"] == 3 and r["since_merge"] and r["conflicts"] == 1, r
assert r["new"] == {"handovers": 1, "dossiers": 1, "counts": 0, "count_scans": 0,
                    "tags": 0, "custody_moves": 1}, r["new"]
PY
td kit merge "$tmp/copy.kit" >"$tmp/m3" && grep -q "nothing new since it was merged last" "$tmp/m3" ||
	td_fail "merge 3 again: $(cat "$tmp/m3")"
td audit verify >/dev/null || td_fail "audit after merge 3"

# Every field event exactly once: the handovers by their signed numbers,
# the custody moves by their handover, the dossiers by their refs.
for f in h1 h3 h4 h5; do
	n=$(number "$tmp/$f")
	[ -n "$n" ] || td_fail "no number in $f"
	[ "$(q "SELECT count(*) FROM handover WHERE number = '$n'")" = 1 ] ||
		td_fail "handover $n is not home once"
	[ "$(q "SELECT count(*) FROM custody_event e JOIN handover h ON h.id = e.handover_id
	        WHERE h.number = '$n'")" = 1 ] || td_fail "the move of $n is not home once"
done
n=$(sed -n 's/.*\(BG-[0-9A-Za-z-]*\).*/\1/p' "$tmp/h2" | head -1)
[ "$(q "SELECT count(*) FROM handover WHERE number = '$n'")" = 1 ] ||
	td_fail "dossier handover '$n' is not home once"
[ "$(q "SELECT count(*) FROM dossier WHERE ref IN ('HS-1', 'HS-2')")" = 2 ] ||
	td_fail "dossiers"
[ "$(q "SELECT count(*) FROM kit_field_audit")" = "$(sqlite3 "$tmp/copy.kit" \
	"SELECT count(*) - 1 FROM audit")" ] || td_fail "field audit rows not home once each"

# ---- a fourth merge, and the stale stick: nothing changes
digest >"$tmp/d3"
td kit merge "$tmp/copy.kit" >"$tmp/m4" || td_fail "merge 4"
grep -q "nothing new since it was merged last; nothing changed" "$tmp/m4" ||
	td_fail "merge 4 says: $(cat "$tmp/m4")"
td kit merge "$tmp/copy.kit" --json >"$tmp/m4.json" || td_fail "merge 4 --json"
python3 - "$tmp/m4.json" <<'PY' || td_fail "merge 4 --json: $(cat "$tmp/m4.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["already_merged"] and not r["older_copy"] and r["inserted"] == 0, r
PY
td kit merge "$tmp/stick.kit" >"$tmp/m5" || td_fail "stale stick"
grep -q "an older copy" "$tmp/m5" || td_fail "stale stick says: $(cat "$tmp/m5")"
digest | cmp -s - "$tmp/d3" || td_fail "merge 4 or the stale stick changed the registry"
# The stick used again after the copy went on: the two logs parted.
kit stick handover --to agency:SA T-SA-03 >/dev/null || td_fail "stick handover"
td kit merge "$tmp/stick.kit" 2>"$tmp/err" && td_fail "a parted copy was merged"
grep -q "both used after they parted: not merged, nothing changed" "$tmp/err" ||
	td_fail "parted: $(cat "$tmp/err")"
digest | cmp -s - "$tmp/d3" || td_fail "the refused merge changed the registry"
td audit verify >/dev/null || td_fail "audit at the end"
exit 0
