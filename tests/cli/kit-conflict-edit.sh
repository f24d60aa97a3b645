#!/bin/sh
# kit-conflict-edit: a conflict's stored versions are held to the merge
# that kept them.  kit_conflict is not in the audit chain; the kit.merge
# row names the conflicts it kept and their SHA-256.  Edited by hand (the
# field's version of a dossier pointed at another agency, before or after
# it is kept), deleted, or a conflict added by hand: `audit verify` names
# it, exit 65; so does a conflict decided by hand (its status set with no
# kit.resolve row, or reset and decided again; who decided it, or the
# moves it marked superseded, changed).  An edited conflict is not kept
# (edited, kept, then put back, the edit was written and believed).  An honest registry
# verifies before and after a decision.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
K() { "$TOKENDESK" --db "$tmp/field.kit" "$@"; }
q() { sqlite3 "$1" "$2" || td_fail "sqlite3: $2"; }
refused() {   # DB WHAT PATTERN
	"$TOKENDESK" --db "$1" audit verify >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" = 65 ] || td_fail "$2: audit verify exit $rc: $(cat "$tmp/out")"
	grep -q "$3" "$tmp/out" || td_fail "$2: $(cat "$tmp/out")"
}

td dossier add --agency SB --kind renewal --ref HS-1 >/dev/null || td_fail "dossier"
td kit make --agencies SB,XA -o "$tmp/field.kit" >/dev/null || td_fail "kit make"
K dossier handover --from agency:SB --to agency:XA HS-1 >/dev/null || td_fail "field"
K handover --to agency:SB T-SB-01 >/dev/null || td_fail "field token"
td dossier handover --from agency:SB --to agency:DC HS-1 >/dev/null || td_fail "home"
td handover --to dost --force --reason "nộp thẳng" T-SB-01 >/dev/null || td_fail "home token"
td kit merge "$tmp/field.kit" >"$tmp/out" || td_fail "merge"
grep -q " 2 conflicts" "$tmp/out" || td_fail "merge: $(cat "$tmp/out")"
td audit verify >/dev/null || td_fail "an honest merge does not verify"
d=$(q "$tmp/reg.db" "SELECT id FROM kit_conflict WHERE tbl = 'dossier'")
t=$(q "$tmp/reg.db" "SELECT id FROM kit_conflict WHERE tbl = 'token'")
sb=$(q "$tmp/reg.db" "SELECT id FROM agency WHERE code = 'SB'")

# the field's version pointed elsewhere, before a decision
cp "$tmp/reg.db" "$tmp/e1.db"
q "$tmp/e1.db" "UPDATE kit_conflict SET field_new = json_set(field_new,
	'$.agency_id', $sb) WHERE id = $d"
refused "$tmp/e1.db" "edited conflict" "are not as that merge left them"
# ... and not kept: nothing written
"$TOKENDESK" --db "$tmp/e1.db" kit resolve "$d" --keep field >"$tmp/out" 2>&1 &&
	td_fail "the edited conflict was kept"
[ "$(q "$tmp/e1.db" "SELECT a.code FROM dossier d JOIN agency a ON a.id = d.agency_id
	WHERE d.ref = 'HS-1'")" = DC ] || td_fail "the refused keep wrote the dossier"

# a token's custodian in the field's version, and its label
cp "$tmp/reg.db" "$tmp/e2.db"
q "$tmp/e2.db" "UPDATE kit_conflict SET field_new = json_set(field_new,
	'$.custodian', 'ca') WHERE id = $t"
refused "$tmp/e2.db" "edited token conflict" "kit conflicts $d to $t\|kit conflicts $t to $d"
cp "$tmp/reg.db" "$tmp/e3.db"
q "$tmp/e3.db" "UPDATE kit_conflict SET label = json_set(label, '$.token', 'T-XA-01')
	WHERE id = $t"
refused "$tmp/e3.db" "edited label" "changed, added or deleted by hand"

# deleted; added by hand (a copy, or of a kit never merged here)
cp "$tmp/reg.db" "$tmp/e4.db"
q "$tmp/e4.db" "DELETE FROM kit_conflict WHERE id = $d"
refused "$tmp/e4.db" "deleted conflict" "are not as that merge left them"
cp "$tmp/reg.db" "$tmp/e5.db"
q "$tmp/e5.db" "INSERT INTO kit_conflict (kit_uuid, tbl, op, pk, home, field_old,
	field_new, reason, label) SELECT kit_uuid, tbl, op, pk, home, field_old,
	json_set(field_new, '$.custodian', 'ca'), reason, label FROM kit_conflict
	WHERE id = $t"
refused "$tmp/e5.db" "added conflict" "comes from no kit merge here"

cp "$tmp/reg.db" "$tmp/e6.db"
q "$tmp/e6.db" "INSERT INTO kit_conflict (id, kit_uuid, tbl, op, pk, home, field_old,
	field_new, reason, label) SELECT -5, kit_uuid, tbl, op, pk, home, field_old,
	field_new, reason, label FROM kit_conflict WHERE id = $t"
refused "$tmp/e6.db" "conflict added below the first" "3 conflicts here, its merges kept 2"

# decided by hand: the status set, no kit.resolve row; a decision undone
# by hand and taken again
cp "$tmp/reg.db" "$tmp/e7.db"
q "$tmp/e7.db" "UPDATE kit_conflict SET status = 'kept_field' WHERE id = $t"
refused "$tmp/e7.db" "status set by hand" "is kept_field, its audit rows say open"
cp "$tmp/reg.db" "$tmp/e8.db"
"$TOKENDESK" --db "$tmp/e8.db" kit resolve "$t" --keep field >/dev/null || td_fail "resolve"
q "$tmp/e8.db" "UPDATE kit_conflict SET status = 'open' WHERE id = $t"
refused "$tmp/e8.db" "decision reset by hand" "is open, its audit rows say kept_field"
"$TOKENDESK" --db "$tmp/e8.db" kit resolve "$t" --keep home >/dev/null || td_fail "resolve again"
refused "$tmp/e8.db" "decided twice" "was decided 2 times"

# edited, kept, and put back: the keep is refused, nothing written
cp "$tmp/reg.db" "$tmp/e9.db"
q "$tmp/e9.db" "UPDATE kit_conflict SET field_new = json_set(field_new,
	'$.custodian', 'ca') WHERE id = $t"
"$TOKENDESK" --db "$tmp/e9.db" kit resolve "$t" --keep field >"$tmp/out" 2>&1 &&
	td_fail "an edited conflict was kept"
grep -q "are not as that merge left them" "$tmp/out" || td_fail "keep: $(cat "$tmp/out")"
[ "$(q "$tmp/e9.db" "SELECT custodian FROM token WHERE serial = 'T-SB-01'")" = dost ] ||
	td_fail "the refused keep wrote the token"

# who decided, and the moves a decision marked superseded, by hand
cp "$tmp/reg.db" "$tmp/e10.db"
"$TOKENDESK" --db "$tmp/e10.db" kit resolve "$t" --keep home >/dev/null || td_fail "resolve"
[ "$(q "$tmp/e10.db" "SELECT count(*) FROM kit_superseded")" -ge 1 ] || td_fail "no marks"
cp "$tmp/e10.db" "$tmp/e11.db"
q "$tmp/e10.db" "UPDATE kit_conflict SET resolved_by = 'someone' WHERE id = $t"
refused "$tmp/e10.db" "resolved_by edited" "who decided it, or the moves it marked"
q "$tmp/e11.db" "DELETE FROM kit_superseded"
refused "$tmp/e11.db" "superseded marks deleted" "who decided it, or the moves it marked"

# decided honestly, both ways: still verifies
td kit resolve "$d" --keep field >/dev/null || td_fail "keep field"
td kit resolve "$t" --keep home >/dev/null || td_fail "keep home"
td audit verify >/dev/null || td_fail "honest decisions do not verify"
exit 0
